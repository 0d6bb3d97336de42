/*
 * Loads deprecation tables (our format and pluto's) into rows indexed by a
 * hash of (apiVersion, kind).  Text goes through the same YAML reader as
 * manifests, so a bad table file gets the same path:line:column messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/doc.h"
#include "sunset/table.h"
#include "sunset/read.h"

struct sunset_table {
	sunset_arena arena;
	sunset_api_row **row;
	size_t nrow, caprow;
	sunset_api_row **slot; /* open addressing, power of two */
	size_t capslot;
	sunset_component *comp;
	size_t ncomp, capcomp;
	bool sorted;
	const sunset_api_row **sorted_rows;
	/* resource -> kind per apiVersion (audit events name resources),
	 * sorted by (apiVersion, resource) after each load */
	sunset_resource_row *res;
	size_t nres, capres;
	sunset_served **served;
	size_t nserved, capserved;
};

sunset_table *sunset_table_new(void)
{
	sunset_table *t = sunset_xcalloc(1, sizeof(*t));
	sunset_arena_init(&t->arena, 0);
	return t;
}

void sunset_table_free(sunset_table *t)
{
	if (!t)
		return;
	sunset_arena_release(&t->arena);
	free(t->row);
	free(t->res);
	free(t->slot);
	free(t->comp);
	free(t->sorted_rows);
	free(t->served);
	free(t);
}

const char *sunset_stability_name(sunset_stability s)
{
	switch (s) {
	case SUNSET_STABILITY_ALPHA: return "alpha";
	case SUNSET_STABILITY_BETA: return "beta";
	case SUNSET_STABILITY_GA: return "ga";
	default: return "";
	}
}

static uint64_t key_hash(const char *api_version, const char *kind)
{
	uint64_t h = sunset_hash(api_version, strlen(api_version), 0);
	return sunset_hash(kind, strlen(kind), h);
}

static sunset_api_row **find_slot(const sunset_table *t, const char *api_version, const char *kind)
{
	if (!t->capslot)
		return NULL;
	size_t i = key_hash(api_version, kind) & (t->capslot - 1);
	while (t->slot[i]) {
		if (strcmp(t->slot[i]->api_version, api_version) == 0 && strcmp(t->slot[i]->kind, kind) == 0)
			return &t->slot[i];
		i = (i + 1) & (t->capslot - 1);
	}
	return &t->slot[i];
}

static void rehash(sunset_table *t)
{
	size_t cap = t->capslot ? t->capslot * 2 : 256;
	free(t->slot);
	t->slot = sunset_xcalloc(cap, sizeof(*t->slot));
	t->capslot = cap;
	for (size_t i = 0; i < t->nrow; i++)
		*find_slot(t, t->row[i]->api_version, t->row[i]->kind) = t->row[i];
}

static void add_row(sunset_table *t, sunset_api_row *row)
{
	sunset_api_row **slot = find_slot(t, row->api_version, row->kind);
	if (slot && *slot) {
		/* a later table overrides: replace the row in place */
		for (size_t i = 0; i < t->nrow; i++)
			if (t->row[i] == *slot)
				t->row[i] = row;
		*slot = row;
		t->sorted = false;
		return;
	}
	SUNSET_GROW(t->row, t->nrow, t->caprow, 256);
	t->row[t->nrow++] = row;
	if (t->nrow * 2 > t->capslot)
		rehash(t);
	else
		*find_slot(t, row->api_version, row->kind) = row;
	t->sorted = false;
}

static sunset_component *component_get(sunset_table *t, const char *id, bool create)
{
	for (size_t i = 0; i < t->ncomp; i++)
		if (strcmp(t->comp[i].id, id) == 0)
			return &t->comp[i];
	if (!create)
		return NULL;
	SUNSET_GROW(t->comp, t->ncomp, t->capcomp, 16);
	sunset_component *c = &t->comp[t->ncomp++];
	c->id = sunset_arena_strdup(&t->arena, id);
	c->latest = 0;
	c->latest_inferred = false;
	return c;
}

const sunset_component *sunset_table_component(const sunset_table *t, const char *id)
{
	return component_get((sunset_table *)t, id, false);
}

const sunset_api_row *sunset_table_lookup(const sunset_table *t, const char *api_version,
					  const char *kind)
{
	if (!api_version || !kind)
		return NULL;
	sunset_api_row **s = find_slot(t, api_version, kind);
	if (s && *s)
		return *s;
	s = find_slot(t, api_version, "*");
	return s ? *s : NULL;
}

static int row_cmp(const void *a, const void *b)
{
	const sunset_api_row *x = *(const sunset_api_row *const *)a, *y = *(const sunset_api_row *const *)b;
	int c = strcmp(x->component, y->component);
	if (!c)
		c = strcmp(x->api_version, y->api_version);
	if (!c)
		c = strcmp(x->kind, y->kind);
	return c;
}

/* Sorted once loading is done (sunset_table_load ends with it), so that
 * workers only ever read the table. */
static void sort_rows(sunset_table *m)
{
	free(m->sorted_rows);
	m->sorted_rows = sunset_xmalloc((m->nrow ? m->nrow : 1) * sizeof(*m->sorted_rows));
	if (m->nrow) { /* no rows: m->row is NULL, which memcpy and qsort must not see */
		memcpy(m->sorted_rows, m->row, m->nrow * sizeof(*m->row));
		qsort(m->sorted_rows, m->nrow, sizeof(*m->sorted_rows), row_cmp);
	}
	m->sorted = true;
}

size_t sunset_table_rows(const sunset_table *t, const sunset_api_row *const **rows)
{
	*rows = t->sorted_rows;
	return t->sorted ? t->nrow : 0;
}

static int comp_cmp(const void *a, const void *b)
{
	return strcmp(((const sunset_component *)a)->id, ((const sunset_component *)b)->id);
}

size_t sunset_table_components(const sunset_table *t, const sunset_component **out)
{
	*out = t->comp;
	return t->ncomp;
}

size_t sunset_table_served(const sunset_table *t, const sunset_served *const **out)
{
	*out = (const sunset_served *const *)t->served;
	return t->nserved;
}

static bool served_at(const sunset_served *s, sunset_version target)
{
	sunset_version minor = target & ~(sunset_version)0x3ffu; /* a patch serves what its minor serves */
	return s->from <= minor && (!s->until || s->until > minor);
}

static size_t group_len(const char *api_version)
{
	const char *slash = strrchr(api_version, '/');
	return slash ? (size_t)(slash - api_version) : 0;
}

static bool same_group(const char *a, const char *b)
{
	size_t n = group_len(a);
	return b && n == group_len(b) && strncmp(a, b, n) == 0;
}

/* vN > vNbetaM > vNalphaM, then by N and M: "most stable first, then newest" */
static long version_rank(const char *api_version)
{
	const char *v = strrchr(api_version, '/');
	v = v ? v + 1 : api_version;
	if (*v != 'v')
		return 0;
	char *end;
	long major = strtol(v + 1, &end, 10), level = 2, sub = 0;
	if (strncmp(end, "alpha", 5) == 0)
		level = 0, sub = strtol(end + 5, NULL, 10);
	else if (strncmp(end, "beta", 4) == 0)
		level = 1, sub = strtol(end + 4, NULL, 10);
	return level * 1000000 + major * 1000 + sub;
}

int sunset_table_serves(const sunset_table *t, const char *api_version, const char *kind,
			sunset_version target)
{
	int answer = -1;
	for (size_t i = 0; i < t->nserved; i++) {
		const sunset_served *s = t->served[i];
		if (strcmp(s->api_version, api_version) != 0)
			continue;
		answer = answer < 0 ? 0 : answer;
		if ((!kind || strcmp(s->kind, kind) == 0) && served_at(s, target))
			return 1;
	}
	return answer;
}

const sunset_served *sunset_table_replacement_at(const sunset_table *t, const sunset_api_row *row,
						 sunset_version target, bool *known)
{
	const sunset_served *best = NULL;
	*known = false;
	for (size_t i = 0; i < t->nserved; i++) {
		const sunset_served *s = t->served[i];
		if (strcmp(s->component, row->component) != 0)
			continue;
		*known = true;
		if (strcmp(s->kind, row->kind) != 0 && !(row->replacement_kind && strcmp(s->kind, row->replacement_kind) == 0))
			continue;
		if (strcmp(s->api_version, row->api_version) == 0 || !served_at(s, target))
			continue;
		if (!same_group(s->api_version, row->api_version) && !same_group(s->api_version, row->replacement) &&
		    !same_group(s->api_version, row->upstream_replacement))
			continue;
		if (!best || version_rank(s->api_version) > version_rank(best->api_version))
			best = s;
	}
	return best;
}

/* ---- loading ---- */

typedef struct load_ctx {
	sunset_table *t;
	const char *path;
	char *err;
	size_t errlen;
	bool failed;
	unsigned ndocs;
} load_ctx;

static bool load_fail(load_ctx *c, const sunset_node *n, const char *fmt, const char *arg)
{
	if (c->failed)
		return false;
	c->failed = true;
	char msg[256];
	snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
	snprintf(c->err, c->errlen, "%s:%u:%u: %s", c->path, n ? n->line : 1, n ? n->column : 1, msg);
	return false;
}

static const char *scalar(load_ctx *c, const sunset_node *map, const char *key, bool required)
{
	const sunset_node *v = sunset_node_resolve(sunset_map_get(map, key));
	if (!v || sunset_scalar_is_null(v)) {
		if (required)
			load_fail(c, map, "missing \"%s\"", key);
		return NULL;
	}
	if (v->type != SUNSET_NODE_SCALAR) {
		load_fail(c, v, "\"%s\" must be a string", key);
		return NULL;
	}
	return v->len ? sunset_arena_strdup(&c->t->arena, v->str) : NULL;
}

/* A key the row cannot be indexed without: present and not "", or the load
 * fails naming the value's line (an empty one used to reach the hash as NULL). */
static const char *key_scalar(load_ctx *c, const sunset_node *map, const char *key, const char *hint)
{
	const char *s = scalar(c, map, key, true);
	if (!s && !c->failed)
		load_fail(c, sunset_map_get(map, key), hint, key);
	return s;
}

static bool version_field(load_ctx *c, const sunset_node *map, const char *key, sunset_version *out)
{
	*out = 0;
	const sunset_node *v = sunset_node_resolve(sunset_map_get(map, key));
	if (!v || sunset_scalar_is_null(v) || (v->type == SUNSET_NODE_SCALAR && v->len == 0))
		return true;
	if (v->type != SUNSET_NODE_SCALAR || sunset_version_parse(v->str, v->len, out) < 0)
		return load_fail(c, v, "\"%s\" is not a version like \"1.16\" or \"v1.16.0\"", key);
	return true;
}

static sunset_stability stability_of(const char *api_version)
{
	const char *v = strrchr(api_version, '/');
	v = v ? v + 1 : api_version;
	if (strstr(v, "alpha"))
		return SUNSET_STABILITY_ALPHA;
	if (strstr(v, "beta"))
		return SUNSET_STABILITY_BETA;
	return SUNSET_STABILITY_GA;
}

static bool check_known_keys(load_ctx *c, const sunset_node *map, const char *const *known)
{
	for (size_t i = 0; i + 1 < map->nchild; i += 2) {
		const sunset_node *k = sunset_node_resolve(map->child[i]);
		if (!k || k->type != SUNSET_NODE_SCALAR)
			return load_fail(c, map->child[i], "keys must be strings%s", NULL);
		bool ok = false;
		for (size_t j = 0; known[j]; j++)
			if (strcmp(k->str, known[j]) == 0)
				ok = true;
		if (!ok)
			return load_fail(c, k, "unknown field \"%s\"", k->str);
	}
	return true;
}

static bool load_resources(load_ctx *c, const sunset_node *seq)
{
	static const char *const keys[] = {"apiVersion", "resource", "kind", "source", NULL};
	if (seq->type != SUNSET_NODE_SEQUENCE)
		return load_fail(c, seq, "\"resources\" must be a list of rows%s", NULL);
	for (size_t i = 0; i < seq->nchild; i++) {
		const sunset_node *m = sunset_node_resolve(seq->child[i]);
		if (!m || m->type != SUNSET_NODE_MAPPING)
			return load_fail(c, seq->child[i], "each resource must be a mapping%s", NULL);
		if (!check_known_keys(c, m, keys))
			return false;
		sunset_resource_row r = {
			.api_version = scalar(c, m, "apiVersion", true),
			.resource = scalar(c, m, "resource", true),
			.kind = scalar(c, m, "kind", true),
			.source = scalar(c, m, "source", true),
		};
		if (c->failed)
			return false;
		SUNSET_GROW(c->t->res, c->t->nres, c->t->capres, 256);
		c->t->res[c->t->nres++] = r;
	}
	return true;
}

static int res_cmp(const void *a, const void *b)
{
	const sunset_resource_row *x = a, *y = b;
	int d = strcmp(x->api_version, y->api_version);
	return d ? d : strcmp(x->resource, y->resource);
}

/* Sorted, and a later file's row for the same resource replaces the earlier. */
static void sort_resources(sunset_table *t)
{
	if (t->nres < 2)
		return;
	for (size_t i = 0; i < t->nres; i++)
		t->res[i].order = i;
	qsort(t->res, t->nres, sizeof(*t->res), res_cmp);
	size_t n = 0;
	for (size_t i = 0; i < t->nres; i++) {
		if (n && res_cmp(&t->res[n - 1], &t->res[i]) == 0) {
			if (t->res[i].order > t->res[n - 1].order)
				t->res[n - 1] = t->res[i];
			continue;
		}
		t->res[n++] = t->res[i];
	}
	t->nres = n;
}

const char *sunset_table_kind_of(const sunset_table *t, const char *api_version, const char *resource)
{
	if (!t->nres)
		return NULL;
	sunset_resource_row key = {.api_version = api_version, .resource = resource};
	const sunset_resource_row *r = bsearch(&key, t->res, t->nres, sizeof(*t->res), res_cmp);
	return r ? r->kind : NULL;
}

static void load_served(load_ctx *c, const sunset_component *comp, const sunset_node *list)
{
	static const char *const keys[] = {"apiVersion", "kind", "from", "until", "source", NULL};
	if (!list)
		return;
	if (list->type != SUNSET_NODE_SEQUENCE) {
		load_fail(c, list, "\"served\" must be a list%s", NULL);
		return;
	}
	for (size_t i = 0; i < list->nchild && !c->failed; i++) {
		const sunset_node *m = sunset_node_resolve(list->child[i]);
		if (!m || m->type != SUNSET_NODE_MAPPING) {
			load_fail(c, list->child[i], "each served entry must be a mapping%s", NULL);
			return;
		}
		if (!check_known_keys(c, m, keys))
			return;
		sunset_served *s = sunset_arena_alloc(&c->t->arena, sizeof(*s));
		memset(s, 0, sizeof(*s));
		s->component = comp->id;
		s->api_version = key_scalar(c, m, "apiVersion", "empty \"%s\"");
		s->kind = key_scalar(c, m, "kind", "empty \"%s\"");
		s->source = scalar(c, m, "source", true);
		if (c->failed || !version_field(c, m, "from", &s->from) || !version_field(c, m, "until", &s->until))
			return;
		if (!s->from) {
			load_fail(c, m, "missing \"from\"%s", NULL);
			return;
		}
		if (s->until && s->until <= s->from) {
			load_fail(c, sunset_map_get(m, "until"), "\"until\" is not after \"from\"%s", NULL);
			return;
		}
		SUNSET_GROW(c->t->served, c->t->nserved, c->t->capserved, 256);
		c->t->served[c->t->nserved++] = s;
	}
}

static void load_ours(load_ctx *c, const sunset_node *root)
{
	static const char *const top_keys[] = {"component", "latest", "apis", "resources", "served", NULL};
	static const char *const row_keys[] = {"apiVersion", "kind", "introduced", "deprecated", "removed",
					       "replacement", "replacementKind", "replacementAvailable",
					       "stability", "source", "notes", "upstreamReplacement", NULL};
	if (!check_known_keys(c, root, top_keys))
		return;
	const char *component = scalar(c, root, "component", true);
	sunset_version latest;
	if (!component || !version_field(c, root, "latest", &latest))
		return;
	const sunset_node *resources = sunset_node_resolve(sunset_map_get(root, "resources"));
	if (resources && !load_resources(c, resources))
		return;
	if (resources && !sunset_map_get(root, "apis") && !latest)
		return; /* a file of resource names only */
	if (!latest) {
		load_fail(c, root, "missing \"latest\"%s", NULL);
		return;
	}
	const sunset_node *apis = sunset_node_resolve(sunset_map_get(root, "apis"));
	if (!apis || apis->type != SUNSET_NODE_SEQUENCE) {
		load_fail(c, apis ? apis : root, "\"apis\" must be a list of rows%s", NULL);
		return;
	}
	sunset_component *comp = component_get(c->t, component, true);
	comp->latest = latest;
	comp->latest_inferred = false;
	for (size_t i = 0; i < apis->nchild && !c->failed; i++) {
		const sunset_node *m = sunset_node_resolve(apis->child[i]);
		if (!m || m->type != SUNSET_NODE_MAPPING) {
			load_fail(c, apis->child[i], "each row must be a mapping%s", NULL);
			return;
		}
		if (!check_known_keys(c, m, row_keys))
			return;
		sunset_api_row *row = sunset_arena_alloc(&c->t->arena, sizeof(*row));
		memset(row, 0, sizeof(*row));
		row->component = comp->id;
		row->api_version = key_scalar(c, m, "apiVersion", "empty \"%s\"");
		row->kind = key_scalar(c, m, "kind", "empty \"%s\" (use \"*\" for every kind of the apiVersion)");
		row->replacement = scalar(c, m, "replacement", false);
		row->replacement_kind = scalar(c, m, "replacementKind", false);
		row->source = scalar(c, m, "source", true);
		row->notes = scalar(c, m, "notes", false);
		row->upstream_replacement = scalar(c, m, "upstreamReplacement", false);
		row->origin = c->path;
		const char *stab = scalar(c, m, "stability", false);
		if (c->failed || !version_field(c, m, "introduced", &row->introduced) ||
		    !version_field(c, m, "deprecated", &row->deprecated) ||
		    !version_field(c, m, "removed", &row->removed) ||
		    !version_field(c, m, "replacementAvailable", &row->replacement_available))
			return;
		if (!row->deprecated && !row->removed) {
			load_fail(c, m, "a row needs \"deprecated\" or \"removed\"%s", NULL);
			return;
		}
		if (row->deprecated && row->removed && row->deprecated > row->removed) {
			load_fail(c, sunset_map_get(m, "deprecated"), "deprecated after it was removed%s", NULL);
			return;
		}
		if (stab) {
			if (strcmp(stab, "alpha") == 0)
				row->stability = SUNSET_STABILITY_ALPHA;
			else if (strcmp(stab, "beta") == 0)
				row->stability = SUNSET_STABILITY_BETA;
			else if (strcmp(stab, "ga") == 0)
				row->stability = SUNSET_STABILITY_GA;
			else {
				load_fail(c, sunset_map_get(m, "stability"), "stability must be alpha, beta or ga, not \"%s\"", stab);
				return;
			}
		} else {
			row->stability = stability_of(row->api_version);
		}
		add_row(c->t, row);
	}
	if (!c->failed)
		load_served(c, comp, sunset_node_resolve(sunset_map_get(root, "served")));
}

/* pluto's versions.yaml: deprecated-versions: [{version, kind, deprecated-in, ...}] */
static void load_pluto(load_ctx *c, const sunset_node *root)
{
	static const char *const row_keys[] = {"version", "kind", "deprecated-in", "removed-in",
					       "replacement-api", "replacement-available-in", "component", NULL};
	const sunset_node *list = sunset_node_resolve(sunset_map_get(root, "deprecated-versions"));
	if (!list || list->type != SUNSET_NODE_SEQUENCE) {
		load_fail(c, list ? list : root, "\"deprecated-versions\" must be a list%s", NULL);
		return;
	}
	for (size_t i = 0; i < list->nchild && !c->failed; i++) {
		const sunset_node *m = sunset_node_resolve(list->child[i]);
		if (!m || m->type != SUNSET_NODE_MAPPING) {
			load_fail(c, list->child[i], "each entry must be a mapping%s", NULL);
			return;
		}
		if (!check_known_keys(c, m, row_keys))
			return;
		sunset_api_row *row = sunset_arena_alloc(&c->t->arena, sizeof(*row));
		memset(row, 0, sizeof(*row));
		const char *component = scalar(c, m, "component", false);
		row->api_version = key_scalar(c, m, "version", "empty \"%s\"");
		row->kind = scalar(c, m, "kind", true);
		/* pluto: kind "" is every kind of the apiVersion */
		if (!row->kind && !c->failed)
			row->kind = "*";
		row->replacement = scalar(c, m, "replacement-api", false);
		if (c->failed || !version_field(c, m, "deprecated-in", &row->deprecated) ||
		    !version_field(c, m, "removed-in", &row->removed) ||
		    !version_field(c, m, "replacement-available-in", &row->replacement_available))
			return;
		if (!row->deprecated && !row->removed) {
			load_fail(c, m, "an entry needs \"deprecated-in\" or \"removed-in\"%s", NULL);
			return;
		}
		sunset_component *comp = component_get(c->t, component ? component : "k8s", true);
		/* pluto files carry no "latest": a new component's is its newest version */
		sunset_version newest = row->removed > row->deprecated ? row->removed : row->deprecated;
		if (!comp->latest || (comp->latest_inferred && comp->latest < newest)) {
			comp->latest = newest;
			comp->latest_inferred = true;
		}
		row->component = comp->id;
		row->stability = stability_of(row->api_version);
		row->source = sunset_arena_printf(&c->t->arena, "%s (pluto format)", c->path);
		row->origin = c->path;
		add_row(c->t, row);
	}
}

static int on_doc(void *ctx, const sunset_doc *doc)
{
	load_ctx *c = ctx;
	const sunset_node *root = sunset_node_resolve(doc->root);
	if (!root || c->failed)
		return 0;
	c->ndocs++;
	if (root->type != SUNSET_NODE_MAPPING) {
		load_fail(c, root, "a table is a mapping with \"component\" and \"apis\", or pluto's \"deprecated-versions\"%s", NULL);
		return 0;
	}
	if (sunset_map_get(root, "deprecated-versions"))
		load_pluto(c, root);
	else
		load_ours(c, root);
	return 0;
}

static void on_error(void *ctx, uint32_t line, uint32_t column, const char *message)
{
	load_ctx *c = ctx;
	if (c->failed)
		return;
	c->failed = true;
	snprintf(c->err, c->errlen, "%s:%u:%u: %s", c->path, line, column, message);
}

int sunset_table_load(sunset_table *t, const char *path, const char *text, size_t len, char *err,
		      size_t errlen)
{
	load_ctx c = {.t = t, .path = sunset_arena_strdup(&t->arena, path), .err = err, .errlen = errlen};
	sunset_limits lim;
	sunset_limits_default(&lim);
	sunset_input in = {.fd = -1, .mem = text, .mem_len = len};
	sunset_doc_sink sink = {.doc = on_doc, .error = on_error, .ctx = &c};
	sunset_read_yaml(&in, &lim, &sink);
	if (!c.failed && c.ndocs == 0)
		snprintf(err, errlen, "%s:1:1: the table is empty", path), c.failed = true;
	sort_rows(t);
	sort_resources(t);
	if (t->ncomp)
		qsort(t->comp, t->ncomp, sizeof(*t->comp), comp_cmp);
	return c.failed ? -1 : 0;
}

int sunset_table_load_builtin(sunset_table *t, char *err, size_t errlen)
{
	for (size_t i = 0; i < sunset_builtin_table_count; i++) {
		/* data/NAME-rules.yaml are rules (rules.h), not API rows */
		if (sunset_str_ends_with(sunset_builtin_tables[i].name, "-rules.yaml"))
			continue;
		char name[128];
		snprintf(name, sizeof(name), "data/%s", sunset_builtin_tables[i].name);
		if (sunset_table_load(t, name, sunset_builtin_tables[i].text, sunset_builtin_tables[i].len, err,
				      errlen) < 0)
			return -1;
	}
	return 0;
}
