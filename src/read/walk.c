/*
 * The walker and the worker pool.  The calling thread walks the paths and
 * queues files; workers take a file each and scan it into their own report
 * (no shared mutable state but the queue).  At the end the worker reports
 * are merged and sorted, so -j1 and -j8 print the same bytes.
 *
 * Walk rules: directories recurse; hidden entries (".git") are skipped
 * unless named on the command line; symlinked directories are not followed
 * (no loops); a file reached twice (by (dev, inode)) is read once; only
 * .yaml, .yml and .json files are read, except in a chart (a directory with
 * Chart.yaml) whose templates/ go to the template scanner.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sunset/scan.h"
#include "sunset/read.h"
#include "sunset/chart.h"
#include "sunset/expand.h"

typedef struct job {
	char *path;
	char *chart_root; /* NULL unless the file is a chart template */
} job;

typedef struct pool {
	const sunset_scan_options *opt;
	pthread_mutex_t lock;
	pthread_cond_t ready;
	job *q;
	size_t head, tail, cap; /* ring */
	bool done;
	unsigned nworkers;
	sunset_report *reports; /* one per worker */
	sunset_report *main_report;
	/* (dev, inode) of files and directories already queued */
	struct seen {
		dev_t dev;
		ino_t ino;
	} *seen;
	size_t nseen, capseen;
	char **roots; /* chart roots, freed at the end */
	size_t nroots, caproots;
	/* symlinked files, read after the walk so that a file reached both
	 * directly and through a link is reported under its own path */
	job *links;
	size_t nlinks, caplinks;
} pool;

void sunset_scan_options_init(sunset_scan_options *o, const sunset_table *table)
{
	memset(o, 0, sizeof(*o));
	o->table = table;
	sunset_limits_default(&o->limits);
}

static bool seen_before(pool *p, const struct stat *st)
{
	size_t cap = p->capseen;
	if (cap) {
		size_t h = (size_t)sunset_hash(&st->st_ino, sizeof(st->st_ino), (uint64_t)st->st_dev) & (cap - 1);
		while (p->seen[h].ino || p->seen[h].dev) {
			if (p->seen[h].ino == st->st_ino && p->seen[h].dev == st->st_dev)
				return true;
			h = (h + 1) & (cap - 1);
		}
	}
	if ((p->nseen + 1) * 2 > cap) {
		size_t ncap = cap ? cap * 2 : 1024;
		struct seen *ns = sunset_xcalloc(ncap, sizeof(*ns));
		for (size_t i = 0; i < cap; i++) {
			if (!p->seen[i].ino && !p->seen[i].dev)
				continue;
			size_t h = (size_t)sunset_hash(&p->seen[i].ino, sizeof(ino_t), (uint64_t)p->seen[i].dev) & (ncap - 1);
			while (ns[h].ino || ns[h].dev)
				h = (h + 1) & (ncap - 1);
			ns[h] = p->seen[i];
		}
		free(p->seen);
		p->seen = ns;
		p->capseen = ncap;
		cap = ncap;
	}
	size_t h = (size_t)sunset_hash(&st->st_ino, sizeof(st->st_ino), (uint64_t)st->st_dev) & (cap - 1);
	while (p->seen[h].ino || p->seen[h].dev)
		h = (h + 1) & (cap - 1);
	p->seen[h].dev = st->st_dev;
	p->seen[h].ino = st->st_ino;
	p->nseen++;
	return false;
}

static void run_job(pool *p, sunset_report *r, job *j)
{
	sunset_scan_file(p->opt, r, j->path, j->chart_root);
	free(j->path);
}

static void submit(pool *p, const char *path, const char *chart_root)
{
	job j = {sunset_xstrdup(path), (char *)chart_root};
	if (p->nworkers <= 1) {
		run_job(p, p->main_report, &j);
		return;
	}
	pthread_mutex_lock(&p->lock);
	if ((p->tail + 1) % p->cap == p->head) {
		size_t ncap = p->cap * 2;
		job *nq = sunset_xmalloc(ncap * sizeof(*nq));
		size_t n = 0;
		for (size_t i = p->head; i != p->tail; i = (i + 1) % p->cap)
			nq[n++] = p->q[i];
		free(p->q);
		p->q = nq;
		p->head = 0;
		p->tail = n;
		p->cap = ncap;
	}
	p->q[p->tail] = j;
	p->tail = (p->tail + 1) % p->cap;
	pthread_cond_signal(&p->ready);
	pthread_mutex_unlock(&p->lock);
}

typedef struct worker_arg {
	pool *p;
	sunset_report *r;
} worker_arg;

static void *worker(void *arg)
{
	worker_arg *w = arg;
	pool *p = w->p;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (p->head == p->tail && !p->done)
			pthread_cond_wait(&p->ready, &p->lock);
		if (p->head == p->tail) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		job j = p->q[p->head];
		p->head = (p->head + 1) % p->cap;
		pthread_mutex_unlock(&p->lock);
		run_job(p, w->r, &j);
	}
}

static bool manifest_name(const char *name)
{
	return sunset_str_ends_with(name, ".yaml") || sunset_str_ends_with(name, ".yml") ||
	       sunset_str_ends_with(name, ".json");
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *remember_root(pool *p, const char *dir)
{
	SUNSET_GROW(p->roots, p->nroots, p->caproots, 8);
	return p->roots[p->nroots++] = sunset_xstrdup(dir);
}

static bool is_chart_dir(const char *dir)
{
	char *c = sunset_path_join(dir, "Chart.yaml");
	bool yes = access(c, F_OK) == 0;
	free(c);
	return yes;
}

/*
 * chart_root: the chart this directory belongs to; in_templates: the
 * directory is (under) its templates/.
 */
static void walk_dir(pool *p, const char *dir, const char *chart_root, bool in_templates,
		     unsigned depth)
{
	if (depth > 256) {
		sunset_report_add_error(p->main_report, dir, 0, 0, "directory nesting is deeper than 256; skipped");
		return;
	}
	if (is_chart_dir(dir)) {
		chart_root = remember_root(p, dir);
		in_templates = false;
	}
	DIR *d = opendir(dir);
	if (!d) {
		sunset_report_add_error(p->main_report, dir, 0, 0, "cannot open directory: %s", strerror(errno));
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue; /* ".", ".." and hidden entries such as .git */
		SUNSET_GROW(names, n, cap, 64);
		names[n++] = sunset_xstrdup(e->d_name);
	}
	closedir(d);
	/* a fixed order keeps error messages about directories in order too */
	if (n) /* qsort's base must not be NULL (an empty directory) */
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char *path = sunset_path_join(dir, names[i]);
		struct stat st;
		if (lstat(path, &st) < 0) {
			sunset_report_add_error(p->main_report, path, 0, 0, "cannot stat: %s", strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			if (!seen_before(p, &st))
				walk_dir(p, path, chart_root,
					 in_templates || (chart_root && strcmp(dir, chart_root) == 0 &&
							  strcmp(names[i], "templates") == 0),
					 depth + 1);
		} else if (S_ISLNK(st.st_mode)) {
			struct stat tst;
			if (stat(path, &tst) < 0) {
				if (manifest_name(names[i]))
					sunset_report_add_error(p->main_report, path, 0, 0, "cannot follow symlink: %s",
								strerror(errno));
			} else if (S_ISREG(tst.st_mode) && manifest_name(names[i])) {
				SUNSET_GROW(p->links, p->nlinks, p->caplinks, 16);
				p->links[p->nlinks].path = sunset_xstrdup(path);
				p->links[p->nlinks].chart_root = in_templates ? (char *)chart_root : NULL;
				p->nlinks++;
			}
			/* symlinked directories are not followed */
		} else if (S_ISREG(st.st_mode)) {
			if (in_templates && (manifest_name(names[i]) || sunset_str_ends_with(names[i], ".tpl"))) {
				/* helpers (_*.tpl) too: the scanner only checks that they
				 * parse (so a broken one is reported once), and reads their
				 * defines again with every template that calls them */
				if (!seen_before(p, &st))
					submit(p, path, chart_root);
			} else if (manifest_name(names[i]) && !seen_before(p, &st) &&
				   !(chart_root && strcmp(dir, chart_root) == 0)) {
				/* Chart.yaml, values.yaml are not manifests */
				submit(p, path, NULL);
			}
		}
		free(path);
		free(names[i]);
	}
	free(names);
}

static void walk_path(pool *p, const char *path)
{
	if (strcmp(path, "-") == 0) {
		submit(p, path, NULL);
		return;
	}
	struct stat st;
	if (stat(path, &st) < 0) {
		sunset_report_add_error(p->main_report, path, 0, 0, "cannot open: %s", strerror(errno));
		return;
	}
	/* a path inside a chart's templates/ is a template of that chart (even
	 * one that happens to parse as YAML) */
	char *root = sunset_chart_root_of(path);
	const char *chart_root = root ? remember_root(p, root) : NULL;
	free(root);
	if (S_ISDIR(st.st_mode)) {
		if (!seen_before(p, &st))
			walk_dir(p, path, chart_root, chart_root != NULL, 0);
		return;
	}
	/* a file named on the command line is read whatever its name */
	if (!seen_before(p, &st))
		submit(p, path, chart_root);
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

void sunset_scan_paths(const sunset_scan_options *opt, const char *const *paths, size_t n,
		       sunset_report *r)
{
	pool p;
	memset(&p, 0, sizeof(p));
	p.opt = opt;
	p.main_report = r;
	p.nworkers = opt->jobs ? opt->jobs : online_cpus();
	if (p.nworkers > 256)
		p.nworkers = 256;
	pthread_t *threads = NULL;
	worker_arg *args = NULL;
	if (p.nworkers > 1) {
		pthread_mutex_init(&p.lock, NULL);
		pthread_cond_init(&p.ready, NULL);
		p.cap = 1024;
		p.q = sunset_xmalloc(p.cap * sizeof(*p.q));
		p.reports = sunset_xcalloc(p.nworkers, sizeof(*p.reports));
		threads = sunset_xcalloc(p.nworkers, sizeof(*threads));
		args = sunset_xcalloc(p.nworkers, sizeof(*args));
		for (unsigned i = 0; i < p.nworkers; i++) {
			sunset_report_init(&p.reports[i]);
			p.reports[i].keep_checked = r->keep_checked;
			args[i].p = &p;
			args[i].r = &p.reports[i];
			if (pthread_create(&threads[i], NULL, worker, &args[i]) != 0) {
				fputs("sunset: cannot start a worker thread\n", stderr);
				abort();
			}
		}
	}
	static const char *const dot[] = {"."};
	if (n == 0) {
		paths = dot;
		n = 1;
	}
	for (size_t i = 0; i < n; i++)
		walk_path(&p, paths[i]);
	for (size_t i = 0; i < p.nlinks; i++) {
		struct stat st;
		if (stat(p.links[i].path, &st) == 0 && !seen_before(&p, &st))
			submit(&p, p.links[i].path, p.links[i].chart_root);
		free(p.links[i].path);
	}
	free(p.links);
	if (p.nworkers > 1) {
		pthread_mutex_lock(&p.lock);
		p.done = true;
		pthread_cond_broadcast(&p.ready);
		pthread_mutex_unlock(&p.lock);
		for (unsigned i = 0; i < p.nworkers; i++) {
			pthread_join(threads[i], NULL);
			sunset_report_merge(r, &p.reports[i]);
			sunset_report_release(&p.reports[i]);
		}
		pthread_mutex_destroy(&p.lock);
		pthread_cond_destroy(&p.ready);
	}
	for (size_t i = 0; i < p.nroots; i++)
		free(p.roots[i]);
	free(p.roots);
	free(p.q);
	free(p.reports);
	free(threads);
	free(args);
	free(p.seen);
	if (!opt->all_revisions)
		sunset_report_newest_releases(r);
	sunset_scan_apply_crds(opt, r);
	sunset_report_sort(r);
}
