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
#include "sunset/datafile.h"

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
	sunset_datafile f; /* first: on_doc gets the datafile back */
	sunset_table *t;
} load_ctx;

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

static bool load_resources(load_ctx *c, const sunset_node *seq)
{
	static const char *const keys[] = {"apiVersion", "resource", "kind", "source", NULL};
	if (seq->type != SUNSET_NODE_SEQUENCE)
		return sunset_datafile_fail(&c->f, seq, "\"resources\" must be a list of rows%s", NULL);
	for (size_t i = 0; i < seq->nchild; i++) {
		const sunset_node *m = sunset_node_resolve(seq->child[i]);
		if (!m || m->type != SUNSET_NODE_MAPPING)
			return sunset_datafile_fail(&c->f, seq->child[i], "each resource must be a mapping%s", NULL);
		if (!sunset_datafile_known_keys(&c->f, m, keys))
			return false;
		sunset_resource_row r = {
			/* the index keys: an empty one would reach the sort as NULL */
			.api_version = sunset_datafile_key(&c->f, m, "apiVersion", "empty \"%s\""),
			.resource = sunset_datafile_key(&c->f, m, "resource", "empty \"%s\""),
			.kind = sunset_datafile_key(&c->f, m, "kind", "empty \"%s\""),
			.source = sunset_datafile_str(&c->f, m, "source", true),
		};
		if (c->f.failed)
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
		sunset_datafile_fail(&c->f, list, "\"served\" must be a list%s", NULL);
		return;
	}
	for (size_t i = 0; i < list->nchild && !c->f.failed; i++) {
		const sunset_node *m = sunset_node_resolve(list->child[i]);
		if (!m || m->type != SUNSET_NODE_MAPPING) {
			sunset_datafile_fail(&c->f, list->child[i], "each served entry must be a mapping%s", NULL);
			return;
		}
		if (!sunset_datafile_known_keys(&c->f, m, keys))
			return;
		sunset_served *s = sunset_arena_alloc(&c->t->arena, sizeof(*s));
		memset(s, 0, sizeof(*s));
		s->component = comp->id;
		s->api_version = sunset_datafile_key(&c->f, m, "apiVersion", "empty \"%s\"");
		s->kind = sunset_datafile_key(&c->f, m, "kind", "empty \"%s\"");
		s->source = sunset_datafile_str(&c->f, m, "source", true);
		if (c->f.failed || !sunset_datafile_version(&c->f, m, "from", &s->from) || !sunset_datafile_version(&c->f, m, "until", &s->until))
			return;
		if (!s->from) {
			sunset_datafile_fail(&c->f, m, "missing \"from\"%s", NULL);
			return;
		}
		if (s->until && s->until <= s->from) {
			sunset_datafile_fail(&c->f, sunset_map_get(m, "until"), "\"until\" is not after \"from\"%s", NULL);
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
	if (!sunset_datafile_known_keys(&c->f, root, top_keys))
		return;
	const char *component = sunset_datafile_str(&c->f, root, "component", true);
	sunset_version latest;
	if (!component || !sunset_datafile_version(&c->f, root, "latest", &latest))
		return;
	const sunset_node *resources = sunset_node_resolve(sunset_map_get(root, "resources"));
	if (resources && !load_resources(c, resources))
		return;
	if (resources && !sunset_map_get(root, "apis") && !latest)
		return; /* a file of resource names only */
	if (!latest) {
		sunset_datafile_fail(&c->f, root, "missing \"latest\"%s", NULL);
		return;
	}
	const sunset_node *apis = sunset_node_resolve(sunset_map_get(root, "apis"));
	if (!apis || apis->type != SUNSET_NODE_SEQUENCE) {
		sunset_datafile_fail(&c->f, apis ? apis : root, "\"apis\" must be a list of rows%s", NULL);
		return;
	}
	sunset_component *comp = component_get(c->t, component, true);
	comp->latest = latest;
	comp->latest_inferred = false;
	for (size_t i = 0; i < apis->nchild && !c->f.failed; i++) {
		const sunset_node *m = sunset_node_resolve(apis->child[i]);
		if (!m || m->type != SUNSET_NODE_MAPPING) {
			sunset_datafile_fail(&c->f, apis->child[i], "each row must be a mapping%s", NULL);
			return;
		}
		if (!sunset_datafile_known_keys(&c->f, m, row_keys))
			return;
		sunset_api_row *row = sunset_arena_alloc(&c->t->arena, sizeof(*row));
		memset(row, 0, sizeof(*row));
		row->component = comp->id;
		row->api_version = sunset_datafile_key(&c->f, m, "apiVersion", "empty \"%s\"");
		row->kind = sunset_datafile_key(&c->f, m, "kind", "empty \"%s\" (use \"*\" for every kind of the apiVersion)");
		row->replacement = sunset_datafile_str(&c->f, m, "replacement", false);
		row->replacement_kind = sunset_datafile_str(&c->f, m, "replacementKind", false);
		row->source = sunset_datafile_str(&c->f, m, "source", true);
		row->notes = sunset_datafile_str(&c->f, m, "notes", false);
		row->upstream_replacement = sunset_datafile_str(&c->f, m, "upstreamReplacement", false);
		row->origin = c->f.path;
		const char *stab = sunset_datafile_str(&c->f, m, "stability", false);
		if (c->f.failed || !sunset_datafile_version(&c->f, m, "introduced", &row->introduced) ||
		    !sunset_datafile_version(&c->f, m, "deprecated", &row->deprecated) ||
		    !sunset_datafile_version(&c->f, m, "removed", &row->removed) ||
		    !sunset_datafile_version(&c->f, m, "replacementAvailable", &row->replacement_available))
			return;
		if (!row->deprecated && !row->removed) {
			sunset_datafile_fail(&c->f, m, "a row needs \"deprecated\" or \"removed\"%s", NULL);
			return;
		}
		if (row->deprecated && row->removed && row->deprecated > row->removed) {
			sunset_datafile_fail(&c->f, sunset_map_get(m, "deprecated"), "deprecated after it was removed%s", NULL);
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
				sunset_datafile_fail(&c->f, sunset_map_get(m, "stability"), "stability must be alpha, beta or ga, not \"%s\"", stab);
				return;
			}
		} else {
			row->stability = stability_of(row->api_version);
		}
		add_row(c->t, row);
	}
	if (!c->f.failed)
		load_served(c, comp, sunset_node_resolve(sunset_map_get(root, "served")));
}

/* pluto's versions.yaml: deprecated-versions: [{version, kind, deprecated-in, ...}] */
static void load_pluto(load_ctx *c, const sunset_node *root)
{
	static const char *const row_keys[] = {"version", "kind", "deprecated-in", "removed-in",
					       "replacement-api", "replacement-available-in", "component", NULL};
	const sunset_node *list = sunset_node_resolve(sunset_map_get(root, "deprecated-versions"));
	if (!list || list->type != SUNSET_NODE_SEQUENCE) {
		sunset_datafile_fail(&c->f, list ? list : root, "\"deprecated-versions\" must be a list%s", NULL);
		return;
	}
	for (size_t i = 0; i < list->nchild && !c->f.failed; i++) {
		const sunset_node *m = sunset_node_resolve(list->child[i]);
		if (!m || m->type != SUNSET_NODE_MAPPING) {
			sunset_datafile_fail(&c->f, list->child[i], "each entry must be a mapping%s", NULL);
			return;
		}
		if (!sunset_datafile_known_keys(&c->f, m, row_keys))
			return;
		sunset_api_row *row = sunset_arena_alloc(&c->t->arena, sizeof(*row));
		memset(row, 0, sizeof(*row));
		const char *component = sunset_datafile_str(&c->f, m, "component", false);
		row->api_version = sunset_datafile_key(&c->f, m, "version", "empty \"%s\"");
		row->kind = sunset_datafile_str(&c->f, m, "kind", true);
		/* pluto: kind "" is every kind of the apiVersion */
		if (!row->kind && !c->f.failed)
			row->kind = "*";
		row->replacement = sunset_datafile_str(&c->f, m, "replacement-api", false);
		if (c->f.failed || !sunset_datafile_version(&c->f, m, "deprecated-in", &row->deprecated) ||
		    !sunset_datafile_version(&c->f, m, "removed-in", &row->removed) ||
		    !sunset_datafile_version(&c->f, m, "replacement-available-in", &row->replacement_available))
			return;
		if (!row->deprecated && !row->removed) {
			sunset_datafile_fail(&c->f, m, "an entry needs \"deprecated-in\" or \"removed-in\"%s", NULL);
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
		row->source = sunset_arena_printf(&c->t->arena, "%s (pluto format)", c->f.path);
		row->origin = c->f.path;
		add_row(c->t, row);
	}
}

static void on_doc(sunset_datafile *f, const sunset_node *root)
{
	load_ctx *c = (load_ctx *)f;
	if (root->type != SUNSET_NODE_MAPPING) {
		sunset_datafile_fail(f, root, "a table is a mapping with \"component\" and \"apis\", or pluto's \"deprecated-versions\"%s", NULL);
		return;
	}
	if (sunset_map_get(root, "deprecated-versions"))
		load_pluto(c, root);
	else
		load_ours(c, root);
}

int sunset_table_load(sunset_table *t, const char *path, const char *text, size_t len, char *err,
		      size_t errlen)
{
	load_ctx c = {.f = {.arena = &t->arena, .path = sunset_arena_strdup(&t->arena, path), .err = err,
			    .errlen = errlen, .doc = on_doc},
		      .t = t};
	sunset_datafile_read(&c.f, text, len, "the table");
	sort_rows(t);
	sort_resources(t);
	if (t->ncomp)
		qsort(t->comp, t->ncomp, sizeof(*t->comp), comp_cmp);
	return c.f.failed ? -1 : 0;
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
