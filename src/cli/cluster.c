/*
 * sunset cluster: the live cluster through kubeconfig (or the in-cluster
 * service account).  Shares the table, targets, formats and exit codes with
 * scan (run.c); adds the cluster-relative targets k8s=cluster and k8s=next,
 * which need the server's /version, and a progress line on stderr when it
 * is a terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sunset/cluster.h"

/* Re-reads every -t spec in precedence order, turning "next"/"cluster" into
 * the server's version, so that a later spec still wins over an earlier one. */
static int resolve_targets(cli_options *o, cli_run *run, sunset_version server)
{
	const char *specs[CLI_MAX_LIST];
	size_t n = cli_list_by_precedence(&o->targets, specs);
	char err[512];
	run->scan.targets.n = 0;
	for (size_t i = 0; i < n; i++) {
		for (const char *p = specs[i]; *p;) {
			const char *end = strchr(p, ',');
			if (!end)
				end = p + strlen(p);
			char part[256];
			snprintf(part, sizeof(part), "%.*s", (int)(end - p), p);
			p = *end ? end + 1 : end;
			char *eq = strchr(part, '=');
			const char *value = eq ? eq + 1 : part;
			bool next = strcmp(value, "next") == 0, here = strcmp(value, "cluster") == 0;
			if (next || here) {
				if (eq && (eq - part != 3 || strncmp(part, "k8s", 3) != 0)) {
					cli_diag("invalid --target \"%s\": \"%s\" is the cluster's Kubernetes version, "
						 "for k8s only", part, value);
					return -1;
				}
				sunset_version v = next ? SUNSET_VERSION(SUNSET_VERSION_MAJOR_OF(server),
									 SUNSET_VERSION_MINOR_OF(server) + 1, 0)
							: server;
				char ver[24];
				sunset_version_format_short(v, ver);
				snprintf(part, sizeof(part), "k8s=%s", ver);
			}
			if (sunset_targets_parse(&run->scan.targets, part, err, sizeof(err)) < 0) {
				cli_diag("invalid --target: %s", err);
				return -1;
			}
		}
	}
	return 0;
}

typedef struct progress_line {
	bool shown;
} progress_line;

static void show_progress(void *ctx, const sunset_cluster_progress *p)
{
	progress_line *l = ctx;
	/* \r and erase-line: one line, rewritten in place */
	fprintf(stderr, "\r\033[Ksunset: listed %u/%u resources, %llu objects, %llu requests", p->lists_done,
		p->lists_total, (unsigned long long)p->objects, (unsigned long long)p->requests);
	fflush(stderr);
	l->shown = true;
}

static void clear_progress(progress_line *l)
{
	if (l->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		l->shown = false;
	}
}

int cmd_cluster(cli_options *o)
{
	cli_run run;
	sunset_cluster *c = NULL;
	sunset_report r;
	sunset_report_init(&r);
	int rc = SUNSET_EXIT_ERROR;
	progress_line line = {false};
	char err[2048];

	if (cli_prepare(o, &run) < 0)
		goto out;
	sunset_cluster_options copt = {
		.kubeconfig = o->kubeconfig,
		.context = o->context,
		.namespace = o->namespace,
		.sources = SUNSET_CLUSTER_SRC_ALL,
		.request_timeout = o->request_timeout,
		.run_timeout = o->run_timeout,
		.chunk_size = o->chunk_size,
		.limits = run.scan.limits,
	};
	if (o->sources && sunset_cluster_parse_sources(o->sources, &copt.sources, err, sizeof(err)) < 0) {
		cli_diag("invalid --sources: %s", err);
		goto out;
	}
	/* a bad target fails before any request: check with a stand-in version */
	if (resolve_targets(o, &run, SUNSET_VERSION(1, 0, 0)) < 0)
		goto out;
	if (isatty(STDERR_FILENO) && !o->quiet) {
		copt.progress = show_progress;
		copt.progress_ctx = &line;
	}
	c = sunset_cluster_open(&copt, err, sizeof(err));
	if (!c) {
		cli_diag("%s", err);
		goto out;
	}
	if (resolve_targets(o, &run, sunset_cluster_server_version(c)) < 0)
		goto out;
	r.keep_checked = run.scan.keep_checked;
	int scan_rc = sunset_cluster_scan(c, &run.scan, &r, err, sizeof(err));
	clear_progress(&line);
	if (scan_rc < 0) {
		cli_diag("%s", err);
		goto out;
	}
	if (!run.scan.all_revisions)
		sunset_report_newest_releases(&r);
	sunset_report_sort(&r);
	const char *stats = getenv("SUNSET_CLUSTER_STATS");
	if (stats && *stats) {
		sunset_cluster_stats st;
		sunset_cluster_get_stats(c, &st);
		cli_diag("cluster: %llu requests (%llu retries), %llu bytes received, %llu bytes of bodies, "
			 "%llu objects in %u lists",
			 (unsigned long long)st.requests, (unsigned long long)st.retries,
			 (unsigned long long)st.wire_bytes, (unsigned long long)st.body_bytes,
			 (unsigned long long)st.objects, st.lists);
	}
	rc = cli_emit(o, &run, &r);
out:
	clear_progress(&line);
	sunset_cluster_close(c);
	sunset_report_release(&r);
	cli_finish_release(&run);
	return rc;
}
