/*
 * The cluster client as a whole: where the connection settings come from
 * (kubeconfig, else the in-cluster service account), then credentials, the
 * HTTP client and discovery; the scan runs the sources into a report.
 *
 * sunset_cluster owns everything below it (kubeconfig, arenas, the HTTP
 * client, discovery) until sunset_cluster_close().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DEFAULT_TIMEOUT 30.0

static const struct {
	const char *name;
	unsigned bit;
} source_names[] = {
	{"last-applied", SUNSET_CLUSTER_SRC_LAST_APPLIED},
	{"managed-fields", SUNSET_CLUSTER_SRC_MANAGED_FIELDS},
	{"helm-release", SUNSET_CLUSTER_SRC_HELM_RELEASE},
	{"apiserver-metrics", SUNSET_CLUSTER_SRC_METRICS},
};

int sunset_cluster_parse_sources(const char *spec, unsigned *mask, char *err, size_t errlen)
{
	*mask = 0;
	for (const char *p = spec; *p;) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		size_t n = (size_t)(end - p);
		bool found = false;
		for (size_t i = 0; i < sizeof(source_names) / sizeof(source_names[0]); i++)
			if (strlen(source_names[i].name) == n && memcmp(source_names[i].name, p, n) == 0) {
				*mask |= source_names[i].bit;
				found = true;
			}
		if (!found) {
			snprintf(err, errlen, "unknown source \"%.*s\" (last-applied, managed-fields, helm-release, "
				 "apiserver-metrics)", (int)n, p);
			return -1;
		}
		p = *end ? end + 1 : end;
	}
	if (!*mask) {
		snprintf(err, errlen, "no sources given");
		return -1;
	}
	return 0;
}

sunset_cluster *sunset_cluster_open(const sunset_cluster_options *opt, char *err, size_t errlen)
{
	sunset_cluster *c = sunset_xcalloc(1, sizeof(*c));
	c->opt = *opt;
	if (!c->opt.request_timeout)
		c->opt.request_timeout = DEFAULT_TIMEOUT;
	if (!c->opt.sources)
		c->opt.sources = SUNSET_CLUSTER_SRC_ALL;
	if (!c->opt.limits.max_http_body)
		c->opt.limits.max_http_body = SUNSET_DEFAULT_MAX_HTTP_BODY;
	sunset_arena_init(&c->arena, 0);
	sunset_kubeconfig_init(&c->kc);
	char msg[1024];
	bool auth_ready = false;
	int rc = sunset_kubeconfig_load(&c->kc, opt->kubeconfig, msg, sizeof(msg));
	if (rc < 0)
		goto fail;
	if (rc == 0) {
		if (config_from_kubeconfig(&c->kc, opt->context, &c->arena, &c->cfg, msg, sizeof(msg)) < 0)
			goto fail;
	} else {
		if (opt->context && *opt->context) {
			snprintf(msg, sizeof(msg), "no kubeconfig found for --context \"%s\" ($KUBECONFIG, ~/.kube/config)",
				 opt->context);
			goto fail;
		}
		rc = config_in_cluster(&c->arena, &c->cfg, msg, sizeof(msg));
		if (rc < 0)
			goto fail;
		if (rc > 0) {
			snprintf(msg, sizeof(msg), "no kubeconfig ($KUBECONFIG, ~/.kube/config or --kubeconfig) and "
				 "not running in a cluster (KUBERNETES_SERVICE_HOST is unset)");
			goto fail;
		}
	}
	if (auth_init(&c->auth, &c->cfg, msg, sizeof(msg)) < 0)
		goto fail;
	auth_ready = true;
	c->http = http_new(&c->cfg, &c->auth, c->opt.request_timeout, c->opt.limits.max_http_body,
			   c->opt.max_in_flight, msg, sizeof(msg));
	if (!c->http)
		goto fail;
	http_set_run_timeout(c->http, c->opt.run_timeout);
	char derr[768];
	if (discovery_run(&c->disc, c->http, &c->opt.limits, derr, sizeof(derr)) < 0) {
		snprintf(msg, sizeof(msg), "context \"%s\" (%s): %s", c->cfg.context, c->cfg.server, derr);
		goto fail;
	}
	return c;
fail:
	snprintf(err, errlen, "%s", msg);
	if (!auth_ready)
		memset(&c->auth, 0, sizeof(c->auth));
	sunset_cluster_close(c);
	return NULL;
}

sunset_version sunset_cluster_server_version(const sunset_cluster *c)
{
	return c->disc.version;
}

const char *sunset_cluster_context(const sunset_cluster *c)
{
	return c->cfg.context;
}

int sunset_cluster_scan(sunset_cluster *c, const sunset_scan_options *scan, sunset_report *r, char *err,
			size_t errlen)
{
	char msg[1024];
	if (lists_run(c, scan, r, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "context \"%s\" (%s): %s", c->cfg.context, c->cfg.server, msg);
		return -1;
	}
	return 0;
}

void sunset_cluster_get_stats(const sunset_cluster *c, sunset_cluster_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (c->http)
		http_stats(c->http, out);
	out->objects = c->objects;
	out->lists = c->lists;
}

void sunset_cluster_close(sunset_cluster *c)
{
	if (!c)
		return;
	http_free(c->http);
	discovery_release(&c->disc);
	auth_release(&c->auth);
	sunset_kubeconfig_release(&c->kc);
	sunset_arena_release(&c->arena);
	free(c);
}
