/*
 * sunset audit: kube-apiserver audit logs in, "who still calls it" out.
 * The logs named (files, directories read one level deep, '-') are shared
 * out to -j workers by an atomic index; each worker reads whole files into
 * its own aggregator and error report, merged in file order at the end, so
 * -j1 and -j8 print the same bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "sunset/audit.h"

typedef struct audit_job {
	char **path;
	size_t npath;
	atomic_size_t next;
	const sunset_audit_options *opt;
	const char *stdin_name;
} audit_job;

typedef struct audit_worker {
	audit_job *job;
	sunset_audit_agg *agg;
	sunset_report r;
	pthread_t th;
	const char *path; /* the log being read */
} audit_worker;

static void on_event(void *ctx, const sunset_audit_event *ev)
{
	audit_worker *w = ctx;
	sunset_audit_agg_add(w->agg, w->path, ev);
}

static void on_error(void *ctx, uint32_t line, uint32_t column, const char *message)
{
	audit_worker *w = ctx;
	sunset_report_add_error(&w->r, w->path, line, column, "%s", message);
}

static void read_one(audit_worker *w, const char *name)
{
	bool is_stdin = strcmp(name, "-") == 0;
	w->path = is_stdin ? w->job->stdin_name : name;
	int fd = is_stdin ? dup(0) : open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		sunset_report_add_error(&w->r, w->path, 0, 0, "cannot open: %s", strerror(errno));
		return;
	}
	sunset_audit_limits lim = {0};
	sunset_audit_sink sink = {.event = on_event, .error = on_error, .ctx = w};
	sunset_audit_read_fd(fd, &lim, &sink);
	w->r.inputs++;
}

static void *worker_main(void *arg)
{
	audit_worker *w = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&w->job->next, 1);
		if (i >= w->job->npath)
			break;
		read_one(w, w->job->path[i]);
	}
	return NULL;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's regular files (rotated and compressed logs sit side by side). */
static void add_dir(const char *dir, char ***out, size_t *n, size_t *cap, sunset_report *r)
{
	DIR *d = opendir(dir);
	if (!d) {
		sunset_report_add_error(r, dir, 0, 0, "cannot open directory: %s", strerror(errno));
		return;
	}
	size_t first = *n;
	struct dirent *e;
	while ((e = readdir(d))) {
		/* logs only: a README or checksum file beside them is not an error */
		if (e->d_name[0] == '.' || !(strstr(e->d_name, ".log") || strstr(e->d_name, ".json") ||
					     strstr(e->d_name, "audit") || sunset_str_ends_with(e->d_name, ".gz")))
			continue;
		char *p = sunset_path_join(dir, e->d_name);
		struct stat st;
		if (stat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		SUNSET_GROW(*out, *n, *cap, 16);
		(*out)[(*n)++] = p;
	}
	closedir(d);
	qsort(*out + first, *n - first, sizeof(**out), name_cmp);
}

static int parse_time_opt(const char *flag, const char *v, int64_t *out)
{
	if (!v)
		return 0;
	*out = sunset_audit_parse_time(v);
	if (*out <= 0) {
		cli_diag("--%s takes an RFC 3339 time like 2026-11-30T10:00:00Z, not \"%s\"", flag, v);
		return -1;
	}
	return 0;
}

int cmd_audit(cli_options *o)
{
	cli_run run;
	sunset_report r;
	sunset_report_init(&r);
	char **paths = NULL;
	size_t npath = 0, cappath = 0;
	audit_worker *w = NULL;
	unsigned nw = 0;
	int rc = SUNSET_EXIT_ERROR;
	if (cli_prepare(o, &run) < 0)
		goto out;
	if (!run.report.columns)
		run.report.columns = o->by ? "location,kind,version,namespace,verb,user,agent,count,last-seen,status"
					   : "location,kind,version,verb,user,agent,count,last-seen,status";
	sunset_audit_options aopt = {.scan = &run.scan, .by_namespace = o->by != NULL, .max_keys = o->max_keys};
	if (parse_time_opt("since", o->since, &aopt.since_ms) < 0 ||
	    parse_time_opt("until", o->until, &aopt.until_ms) < 0)
		goto out;
	const char *eu[CLI_MAX_LIST], *ea[CLI_MAX_LIST];
	aopt.nexclude_user = cli_list_by_precedence(&o->exclude_user, eu);
	aopt.nexclude_agent = cli_list_by_precedence(&o->exclude_agent, ea);
	aopt.exclude_user = eu;
	aopt.exclude_agent = ea;

	if (o->paths.n == 0) {
		SUNSET_GROW(paths, npath, cappath, 16);
		paths[npath++] = sunset_xstrdup("-");
	}
	for (size_t i = 0; i < o->paths.n; i++) {
		struct stat st;
		const char *p = o->paths.item[i];
		if (strcmp(p, "-") != 0 && stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			add_dir(p, &paths, &npath, &cappath, &r);
			continue;
		}
		SUNSET_GROW(paths, npath, cappath, 16);
		paths[npath++] = sunset_xstrdup(p);
	}
	audit_job job = {.path = paths, .npath = npath, .opt = &aopt,
			 .stdin_name = o->stdin_name ? o->stdin_name : "<stdin>"};
	atomic_init(&job.next, 0);
	nw = run.scan.jobs ? run.scan.jobs : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (nw < 1)
		nw = 1;
	if (nw > npath)
		nw = npath ? (unsigned)npath : 1;
	w = sunset_xcalloc(nw, sizeof(*w));
	for (unsigned i = 0; i < nw; i++) {
		w[i].job = &job;
		w[i].agg = sunset_audit_agg_new(&aopt);
		sunset_report_init(&w[i].r);
	}
	if (nw == 1) {
		worker_main(&w[0]);
	} else {
		for (unsigned i = 0; i < nw; i++)
			if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0)
				w[i].th = 0, worker_main(&w[i]);
		for (unsigned i = 0; i < nw; i++)
			if (w[i].th)
				pthread_join(w[i].th, NULL);
	}
	for (unsigned i = 1; i < nw; i++)
		sunset_audit_agg_merge(w[0].agg, w[i].agg);
	sunset_audit_agg_report(w[0].agg, &r);
	for (unsigned i = 0; i < nw; i++)
		sunset_report_merge(&r, &w[i].r);
	sunset_report_sort(&r);
	rc = cli_emit(o, &run, &r);
out:
	for (unsigned i = 0; i < nw; i++) {
		sunset_audit_agg_free(w[i].agg);
		sunset_report_release(&w[i].r);
	}
	free(w);
	for (size_t i = 0; i < npath; i++)
		free(paths[i]);
	free(paths);
	sunset_report_release(&r);
	cli_finish_release(&run);
	return rc;
}
