/*
 * sunset-bench: throughput of the scan against the floor, a bare libyaml
 * event loop over the same files, and peak memory.
 *
 *   sunset-bench [--size MiB] [--source DIR] [--work DIR] [--big]
 *
 * Builds a corpus of about --size MiB in --work (default a temp dir) by
 * concatenating the manifests under --source (../shared/corpus/real when
 * present, else fixtures/) as multi-document files of ~1 MiB each; with
 * --big, one single file of that size instead.  Each measurement runs in a
 * forked child so that its peak RSS (wait4's ru_maxrss) is its own.
 * The page cache is warmed by a first pass that is not counted.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <malloc.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "sunset/report.h"
#include "sunset/scan.h"
#include "sunset/table.h"
#include "sunset/read.h"
#include "sunset/rules.h"

typedef struct strvec {
	char **s;
	size_t n, cap;
} strvec;

static void push(strvec *v, const char *s)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 256;
		v->s = realloc(v->s, v->cap * sizeof(*v->s));
	}
	v->s[v->n++] = strdup(s);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void find_manifests(const char *dir, strvec *out)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			find_manifests(p, out);
		else if (S_ISREG(st.st_mode) && (sunset_str_ends_with(p, ".yaml") || sunset_str_ends_with(p, ".yml")))
			push(out, p);
	}
	closedir(d);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	*len = fread(b, 1, (size_t)n, f);
	fclose(f);
	return b;
}

/* Only files libyaml itself parses cleanly, so floor and scan do the same work. */
static int parses(const char *text, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	int ok = 1;
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			ok = 0;
			break;
		}
		int done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		if (done)
			break;
	}
	yaml_parser_delete(&p);
	return ok;
}

static void build_corpus(const char *source, const char *work, size_t want, int big, strvec *files,
			 size_t *total)
{
	strvec src = {0};
	find_manifests(source, &src);
	qsort(src.s, src.n, sizeof(*src.s), cmp);
	if (!src.n) {
		fprintf(stderr, "no manifests under %s\n", source);
		exit(1);
	}
	strvec texts = {0};
	for (size_t i = 0; i < src.n; i++) {
		size_t len;
		char *t = slurp(src.s[i], &len);
		if (t && len && parses(t, len)) {
			t[len] = '\0';
			push(&texts, t);
		}
		free(t);
	}
	*total = 0;
	size_t fileno = 0, i = 0;
	while (*total < want) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/part-%05zu.yaml", work, fileno++);
		FILE *f = fopen(path, "wb");
		size_t in_file = 0;
		size_t per_file = big ? want : ((size_t)1 << 20);
		while (in_file < per_file && *total < want) {
			const char *t = texts.s[i++ % texts.n];
			size_t n = strlen(t);
			fputs("---\n", f);
			fwrite(t, 1, n, f);
			if (n && t[n - 1] != '\n')
				fputc('\n', f);
			in_file += n + 5;
			*total += n + 5;
		}
		fclose(f);
		push(files, path);
	}
	/* the children measured inherit our memory: give it back first */
	for (size_t k = 0; k < texts.n; k++)
		free(texts.s[k]);
	for (size_t k = 0; k < src.n; k++)
		free(src.s[k]);
	free(texts.s);
	free(src.s);
	malloc_trim(0);
	struct stat st;
	*total = 0;
	for (size_t k = 0; k < files->n; k++)
		if (stat(files->s[k], &st) == 0)
			*total += (size_t)st.st_size;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void floor_loop(strvec *files)
{
	for (size_t i = 0; i < files->n; i++) {
		FILE *f = fopen(files->s[i], "rb");
		yaml_parser_t p;
		yaml_event_t ev;
		yaml_parser_initialize(&p);
		yaml_parser_set_input_file(&p, f);
		for (;;) {
			if (!yaml_parser_parse(&p, &ev))
				break;
			int done = ev.type == YAML_STREAM_END_EVENT;
			yaml_event_delete(&ev);
			if (done)
				break;
		}
		yaml_parser_delete(&p);
		fclose(f);
	}
}

/* --no-rules: the scan as it was before rules (API checks only) */
static int no_rules;

static void scan_run(strvec *files, unsigned jobs)
{
	sunset_table *t = sunset_table_new();
	char err[512];
	if (sunset_table_load_builtin(t, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	sunset_scan_options opt;
	sunset_scan_options_init(&opt, t);
	opt.jobs = jobs;
	sunset_rules *rs = NULL;
	if (!no_rules) {
		rs = sunset_rules_new();
		if (sunset_rules_load_builtin(rs, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			exit(1);
		}
		opt.rules = rs;
	}
	sunset_report r;
	sunset_report_init(&r);
	sunset_scan_paths(&opt, (const char *const *)files->s, files->n, &r);
	if (r.nerror)
		fprintf(stderr, "scan: %zu errors (first: %s:%u:%u %s)\n", r.nerror, r.error[0].path, r.error[0].line,
			r.error[0].column, r.error[0].message);
	/* print a count so the work cannot be optimised away */
	fprintf(stderr, "  (%llu objects, %zu findings)\n", (unsigned long long)r.objects, r.nfinding);
	sunset_report_release(&r);
	sunset_rules_free(rs);
	sunset_table_free(t);
}

typedef struct result {
	double seconds;
	long max_rss_kib;
} result;

static result measure(void (*fn)(strvec *, unsigned), strvec *files, unsigned jobs)
{
	double t0 = now();
	pid_t pid = fork();
	if (pid == 0) {
		fn(files, jobs);
		_exit(0);
	}
	int status;
	struct rusage ru;
	wait4(pid, &status, 0, &ru);
	result r = {now() - t0, ru.ru_maxrss};
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "child failed\n");
		exit(1);
	}
	return r;
}

static void floor_fn(strvec *files, unsigned jobs) { (void)jobs; floor_loop(files); }

static result best_of(int runs, void (*fn)(strvec *, unsigned), strvec *files, unsigned jobs)
{
	result best = {1e30, 0};
	for (int i = 0; i < runs; i++) {
		result r = measure(fn, files, jobs);
		if (r.seconds < best.seconds)
			best.seconds = r.seconds;
		if (r.max_rss_kib > best.max_rss_kib)
			best.max_rss_kib = r.max_rss_kib;
	}
	return best;
}

int main(int argc, char **argv)
{
	size_t size_mib = 256;
	const char *source = NULL, *work = NULL;
	int big = 0, runs = 3, keep = 0, reuse = 0;
	const char *only = NULL; /* "floor" or "scan": one in-process run, for profilers */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--size") && i + 1 < argc)
			size_mib = (size_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--source") && i + 1 < argc)
			source = argv[++i];
		else if (!strcmp(argv[i], "--work") && i + 1 < argc)
			work = argv[++i];
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]) > 0 ? atoi(argv[i]) : 1;
		else if (!strcmp(argv[i], "--big"))
			big = 1;
		else if (!strcmp(argv[i], "--keep"))
			keep = 1;
		else if (!strcmp(argv[i], "--no-rules"))
			no_rules = 1;
		else if (!strcmp(argv[i], "--reuse"))
			reuse = 1; /* the corpus a --keep run left in --work */
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else {
			fprintf(stderr, "usage: sunset-bench [--size MiB] [--source DIR] [--work DIR] [--big] [--runs N] [--keep] [--reuse] [--no-rules] [--only floor|scan]\n");
			return 2;
		}
	}
	if (!source)
		source = access("../shared/corpus/real", R_OK) == 0 ? "../shared/corpus/real" : "fixtures";
	char tmpl[] = "/tmp/sunset-bench-XXXXXX";
	if (!work && !(work = mkdtemp(tmpl))) {
		perror("mkdtemp");
		return 1;
	}
	strvec files = {0};
	size_t total;
	if (reuse) {
		find_manifests(work, &files);
		qsort(files.s, files.n, sizeof(*files.s), cmp);
		struct stat st;
		total = 0;
		for (size_t k = 0; k < files.n; k++)
			if (stat(files.s[k], &st) == 0)
				total += (size_t)st.st_size;
	} else {
		build_corpus(source, work, size_mib << 20, big, &files, &total);
	}
	double mb = (double)total / 1e6;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	printf("corpus: %zu files, %.1f MB from %s%s\n", files.n, mb, source, big ? " (one file)" : "");
	if (only) {
		if (!strcmp(only, "floor"))
			floor_loop(&files);
		else
			scan_run(&files, 1);
		return 0;
	}
	floor_loop(&files); /* warm the page cache */
	result fl = best_of(runs, floor_fn, &files, 1);
	result s1 = best_of(runs, scan_run, &files, 1);
	result sn = best_of(runs, scan_run, &files, (unsigned)cpus);
	printf("%-28s %9s %10s %12s\n", "", "MB/s", "vs floor", "peak RSS");
	printf("%-28s %9.1f %10s %9.1f MiB\n", "libyaml event loop (floor)", mb / fl.seconds, "1.00x", fl.max_rss_kib / 1024.0);
	printf("%-28s %9.1f %9.2fx %9.1f MiB\n", "sunset -j1", mb / s1.seconds, fl.seconds / s1.seconds, s1.max_rss_kib / 1024.0);
	char label[64];
	snprintf(label, sizeof(label), "sunset -j%ld", cpus);
	printf("%-28s %9.1f %9.2fx %9.1f MiB\n", label, mb / sn.seconds, fl.seconds / sn.seconds, sn.max_rss_kib / 1024.0);
	printf("speed-up -j%ld over -j1: %.2fx\n", cpus, s1.seconds / sn.seconds);
	for (size_t i = 0; keep == 0 && i < files.n; i++)
		unlink(files.s[i]);
	if (work == tmpl || !strcmp(work, tmpl))
		rmdir(work);
	return 0;
}
