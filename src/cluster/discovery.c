/*
 * Discovery: /version (for -t k8s=cluster|next), /api and /apis (groups and
 * their preferred versions), then each group's preferred version for the
 * resources it serves.  All group requests are in flight at once.
 *
 * The discovery's arena owns every string and array it holds.  A group
 * whose resources cannot be read keeps an error message; the caller decides
 * whether that group mattered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct disc_req {
	discovery *d;
	const sunset_limits *lim;
	const char *what; /* "/version", ... */
	disc_group *group;
	int rc;
	char err[768];
} disc_req;

static void request_failed(disc_req *q, const http_result *res)
{
	q->rc = -1;
	if (res->error)
		snprintf(q->err, sizeof(q->err), "GET %s: %s", res->path, res->error);
	else {
		char st[512];
		http_describe_status(res, q->lim, st, sizeof(st));
		snprintf(q->err, sizeof(q->err), "GET %s: %s", res->path, st);
	}
}

/* ---- /version ---- */

static int on_version(void *ctx, const sunset_node *root)
{
	disc_req *q = ctx;
	const char *git = sunset_node_str(sunset_map_get(root, "gitVersion"));
	if (!git)
		return 0;
	/* "v1.29.4", "v1.29.4-eks-1b2c3d", "v1.29.4+k3s1": the numbers lead */
	const char *p = git + (git[0] == 'v' || git[0] == 'V');
	size_t n = 0;
	int dots = 0;
	while ((p[n] >= '0' && p[n] <= '9') || (p[n] == '.' && dots < 2)) {
		if (p[n] == '.')
			dots++;
		n++;
	}
	sunset_version v;
	if (sunset_version_parse(p, n, &v) == 0) {
		q->d->version = v;
		snprintf(q->d->git_version, sizeof(q->d->git_version), "%s", git);
		q->rc = 1;
	}
	return 0;
}

static void done_version(void *ctx, const http_result *res)
{
	disc_req *q = ctx;
	if (res->error || res->status != 200) {
		request_failed(q, res);
		return;
	}
	char err[256];
	q->rc = 0;
	if (parse_json_body(res->body, res->len, q->lim, on_version, q, err, sizeof(err)) < 0) {
		snprintf(q->err, sizeof(q->err), "GET /version: not a version: %s", err);
		q->rc = -1;
	} else if (q->rc != 1) {
		snprintf(q->err, sizeof(q->err), "GET /version: no gitVersion of the form v1.2.3");
		q->rc = -1;
	} else {
		q->rc = 0;
	}
}

/* ---- /api and /apis ---- */

static disc_group *add_group(discovery *d, const char *name)
{
	d->group = sunset_xrealloc(d->group, (d->ngroup + 1) * sizeof(*d->group));
	disc_group *g = &d->group[d->ngroup++];
	memset(g, 0, sizeof(*g));
	g->name = sunset_arena_strdup(&d->arena, name);
	return g;
}

/* A group and its versions: each entry is the version string (/api) or a
 * mapping whose `key` holds it (/apis). */
static disc_group *add_group_versions(discovery *d, const char *name, const sunset_node *versions,
				      const char *key)
{
	disc_group *g = add_group(d, name);
	g->versions = sunset_arena_alloc(&d->arena, versions->nchild * sizeof(*g->versions));
	for (size_t i = 0; g->versions && i < versions->nchild; i++) {
		const char *v = sunset_node_str(key ? sunset_map_get(versions->child[i], key) : versions->child[i]);
		if (v)
			g->versions[g->nversions++] = sunset_arena_strdup(&d->arena, v);
	}
	g->preferred = g->nversions ? g->versions[0] : NULL;
	return g;
}

static int on_core(void *ctx, const sunset_node *root)
{
	disc_req *q = ctx;
	const sunset_node *versions = sunset_node_resolve(sunset_map_get(root, "versions"));
	if (!versions || versions->type != SUNSET_NODE_SEQUENCE || versions->nchild == 0)
		return 0;
	add_group_versions(q->d, "", versions, NULL);
	q->rc = 1;
	return 0;
}

static int on_groups(void *ctx, const sunset_node *root)
{
	disc_req *q = ctx;
	const sunset_node *groups = sunset_node_resolve(sunset_map_get(root, "groups"));
	if (!groups || groups->type != SUNSET_NODE_SEQUENCE)
		return 0;
	q->rc = 1;
	for (size_t i = 0; i < groups->nchild; i++) {
		const sunset_node *gn = sunset_node_resolve(groups->child[i]);
		const char *name = sunset_node_str(sunset_map_get(gn, "name"));
		const sunset_node *versions = sunset_node_resolve(sunset_map_get(gn, "versions"));
		if (!name || !*name || !versions || versions->type != SUNSET_NODE_SEQUENCE || !versions->nchild)
			continue;
		disc_group *g = add_group_versions(q->d, name, versions, "version");
		const char *pref = sunset_node_str(sunset_map_get(sunset_map_get(gn, "preferredVersion"), "version"));
		if (pref)
			g->preferred = sunset_arena_strdup(&q->d->arena, pref);
	}
	return 0;
}

static void done_index(void *ctx, const http_result *res)
{
	disc_req *q = ctx;
	if (res->error || res->status != 200) {
		request_failed(q, res);
		return;
	}
	char err[256];
	q->rc = 0;
	bool core = strcmp(q->what, "/api") == 0;
	if (parse_json_body(res->body, res->len, q->lim, core ? on_core : on_groups, q, err, sizeof(err)) < 0) {
		snprintf(q->err, sizeof(q->err), "GET %s: %s", q->what, err);
		q->rc = -1;
	} else if (q->rc != 1) {
		snprintf(q->err, sizeof(q->err), "GET %s: not an API %s list", q->what, core ? "version" : "group");
		q->rc = -1;
	} else {
		q->rc = 0;
	}
}

/* ---- one group's preferred version ---- */

static bool has_verb(const sunset_node *verbs, const char *verb)
{
	verbs = sunset_node_resolve(verbs);
	for (size_t i = 0; verbs && verbs->type == SUNSET_NODE_SEQUENCE && i < verbs->nchild; i++) {
		const char *v = sunset_node_str(verbs->child[i]);
		if (v && strcmp(v, verb) == 0)
			return true;
	}
	return false;
}

static int on_resources(void *ctx, const sunset_node *root)
{
	disc_req *q = ctx;
	disc_group *g = q->group;
	const sunset_node *list = sunset_node_resolve(sunset_map_get(root, "resources"));
	if (!list || list->type != SUNSET_NODE_SEQUENCE)
		return 0;
	q->rc = 1;
	g->res = sunset_arena_alloc(&q->d->arena, (list->nchild + 1) * sizeof(*g->res));
	for (size_t i = 0; g->res && i < list->nchild; i++) {
		const sunset_node *r = sunset_node_resolve(list->child[i]);
		const char *name = sunset_node_str(sunset_map_get(r, "name"));
		const char *kind = sunset_node_str(sunset_map_get(r, "kind"));
		if (!name || !kind || !*name || strchr(name, '/'))
			continue; /* subresources are not lists of objects */
		const char *ns = sunset_node_str(sunset_map_get(r, "namespaced"));
		disc_resource *x = &g->res[g->nres++];
		x->name = sunset_arena_strdup(&q->d->arena, name);
		x->kind = sunset_arena_strdup(&q->d->arena, kind);
		x->namespaced = ns && strcmp(ns, "true") == 0;
		x->listable = has_verb(sunset_map_get(r, "verbs"), "list");
	}
	return 0;
}

static void done_group(void *ctx, const http_result *res)
{
	disc_req *q = ctx;
	char msg[1024], err[256];
	q->rc = 0;
	if (res->error || res->status != 200) {
		request_failed(q, res);
		snprintf(msg, sizeof(msg), "discovery failed: %s", q->err);
	} else if (parse_json_body(res->body, res->len, q->lim, on_resources, q, err, sizeof(err)) < 0) {
		snprintf(msg, sizeof(msg), "discovery failed: GET %s: %s", res->path, err);
		q->rc = -1;
	} else if (q->rc != 1) {
		snprintf(msg, sizeof(msg), "discovery failed: GET %s: not an API resource list", res->path);
		q->rc = -1;
	}
	if (q->rc < 0)
		q->group->error = sunset_arena_strdup(&q->d->arena, msg);
}

int discovery_run(discovery *d, http_client *h, const sunset_limits *lim, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	sunset_arena_init(&d->arena, 0);
	disc_req first[3] = {
		{d, lim, "/version", NULL, 0, ""},
		{d, lim, "/api", NULL, 0, ""},
		{d, lim, "/apis", NULL, 0, ""},
	};
	http_get(h, "/version", "application/json", done_version, &first[0]);
	http_get(h, "/api", "application/json", done_index, &first[1]);
	http_get(h, "/apis", "application/json", done_index, &first[2]);
	http_run(h);
	if (http_fatal(h)) {
		snprintf(err, errlen, "%s", http_fatal(h));
		return -1;
	}
	for (int i = 0; i < 3; i++)
		if (first[i].rc < 0) {
			snprintf(err, errlen, "%s", first[i].err);
			return -1;
		}
	/* /api's groups were added after /apis' if it answered later: put core first */
	for (size_t i = 0; i < d->ngroup; i++)
		if (!d->group[i].name[0] && i) {
			disc_group core = d->group[i];
			memmove(&d->group[1], &d->group[0], i * sizeof(*d->group));
			d->group[0] = core;
		}
	disc_req *reqs = sunset_xcalloc(d->ngroup ? d->ngroup : 1, sizeof(*reqs));
	for (size_t i = 0; i < d->ngroup; i++) {
		disc_group *g = &d->group[i];
		if (!g->preferred)
			continue;
		char path[512];
		if (g->name[0])
			snprintf(path, sizeof(path), "/apis/%s/%s", g->name, g->preferred);
		else
			snprintf(path, sizeof(path), "/api/%s", g->preferred);
		reqs[i] = (disc_req){d, lim, "group", g, 0, ""};
		http_get(h, path, "application/json", done_group, &reqs[i]);
	}
	http_run(h);
	free(reqs);
	if (http_fatal(h)) {
		snprintf(err, errlen, "%s", http_fatal(h));
		return -1;
	}
	return 0;
}

const disc_group *discovery_group(const discovery *d, const char *group)
{
	for (size_t i = 0; i < d->ngroup; i++)
		if (strcmp(d->group[i].name, group) == 0)
			return &d->group[i];
	return NULL;
}

void discovery_release(discovery *d)
{
	free(d->group);
	sunset_arena_release(&d->arena);
	memset(d, 0, sizeof(*d));
}
