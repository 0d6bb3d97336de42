/*
 * The rules: loaded from YAML through the same reader as manifests (so a
 * bad rules file gets path:line:column messages), then matched against
 * object trees by walking each rule's paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/read.h"
#include "sunset/report.h"
#include "sunset/rules.h"
#include "sunset/datafile.h"
#include "sunset/scan.h"

struct sunset_rules {
	sunset_arena arena;
	sunset_rule **rule;
	size_t nrule, caprule;
};

static const char *const effect_names[SUNSET_EFFECT_COUNT] = {
	"rejected", "dropped", "ignored", "cannot-start", "cannot-mount", "pending", "unschedulable", "warning"};
static const char *const effect_texts[SUNSET_EFFECT_COUNT] = {
	"rejected on create", "dropped as an unknown field", "silently ignored", "the pod cannot start",
	"the volume cannot mount", "its claims stay Pending", "the pod cannot be scheduled", "warning only"};

const char *sunset_rule_effect_name(sunset_rule_effect e)
{
	return (unsigned)e < SUNSET_EFFECT_COUNT ? effect_names[e] : "warning";
}

const char *sunset_rule_effect_text(sunset_rule_effect e)
{
	return (unsigned)e < SUNSET_EFFECT_COUNT ? effect_texts[e] : "warning only";
}

sunset_rules *sunset_rules_new(void)
{
	sunset_rules *rs = sunset_xcalloc(1, sizeof(*rs));
	sunset_arena_init(&rs->arena, 0);
	return rs;
}

void sunset_rules_free(sunset_rules *rs)
{
	if (!rs)
		return;
	sunset_arena_release(&rs->arena);
	free(rs->rule);
	free(rs);
}

size_t sunset_rules_list(const sunset_rules *rs, const sunset_rule *const **out)
{
	*out = (const sunset_rule *const *)rs->rule;
	return rs->nrule;
}

bool sunset_rules_is_rules_file(const char *name)
{
	return sunset_str_ends_with(name, "-rules.yaml");
}

/* ---- loading ---- */

typedef struct load_ctx {
	sunset_datafile f; /* first: on_doc gets the datafile back */
	sunset_rules *rs;
} load_ctx;

/* A rule's fields are all meaningful text: "" is as missing as absent. */
static const char *scalar(load_ctx *c, const sunset_node *map, const char *key, bool required)
{
	const char *s = sunset_datafile_str(&c->f, map, key, required);
	if (!s && required && !c->f.failed)
		sunset_datafile_fail(&c->f, map, "missing \"%s\"", key);
	return s;
}

/* "spec.volumes[*].glusterfs" into segments; keys are plain field names. */
static bool parse_path(load_ctx *c, const sunset_node *at, const char *text, sunset_rule_path *p)
{
	p->text = sunset_arena_strdup(&c->rs->arena, text);
	p->nseg = 0;
	const char *s = text;
	while (*s) {
		const char *end = strchr(s, '.');
		if (!end)
			end = s + strlen(s);
		size_t len = (size_t)(end - s);
		bool each = len > 3 && memcmp(end - 3, "[*]", 3) == 0;
		if (each)
			len -= 3;
		if (len == 0 || memchr(s, '[', len) || memchr(s, ']', len))
			return sunset_datafile_fail(&c->f, at, "bad path \"%s\" (keys joined by dots, [*] for every element)", text);
		if (p->nseg == SUNSET_RULE_MAX_SEGMENTS)
			return sunset_datafile_fail(&c->f, at, "path \"%s\" is too deep", text);
		char *k = sunset_arena_alloc(&c->rs->arena, len + 1);
		memcpy(k, s, len);
		k[len] = '\0';
		p->seg[p->nseg].key = k;
		p->seg[p->nseg].each = each;
		p->nseg++;
		s = *end ? end + 1 : end;
		if (*end && !*s)
			return sunset_datafile_fail(&c->f, at, "bad path \"%s\" (ends with a dot)", text);
	}
	if (p->nseg == 0)
		return sunset_datafile_fail(&c->f, at, "empty path%s", NULL);
	return true;
}

static bool load_paths(load_ctx *c, const sunset_node *row, sunset_rule *r)
{
	const sunset_node *v = sunset_node_resolve(sunset_map_get(row, "path"));
	if (!v)
		return sunset_datafile_fail(&c->f, row, "missing \"path\"%s", NULL);
	if (v->type == SUNSET_NODE_SCALAR)
		return parse_path(c, v, v->str, &r->path[r->npath++]);
	if (v->type != SUNSET_NODE_SEQUENCE || v->nchild == 0 || v->nchild > SUNSET_RULE_MAX_PATHS)
		return sunset_datafile_fail(&c->f, v, "\"path\" is a path or a list of up to 4 paths%s", NULL);
	for (size_t i = 0; i < v->nchild; i++) {
		const sunset_node *e = sunset_node_resolve(v->child[i]);
		if (!e || e->type != SUNSET_NODE_SCALAR)
			return sunset_datafile_fail(&c->f, v->child[i], "a path must be a string%s", NULL);
		if (!parse_path(c, e, e->str, &r->path[r->npath++]))
			return false;
	}
	return true;
}

static bool load_kinds(load_ctx *c, const sunset_node *row, sunset_rule *r)
{
	const sunset_node *v = sunset_node_resolve(sunset_map_get(row, "kinds"));
	if (!v || v->type != SUNSET_NODE_SEQUENCE || v->nchild == 0)
		return sunset_datafile_fail(&c->f, v ? v : row, "\"kinds\" must be a non-empty list of kinds%s", NULL);
	r->kinds = sunset_arena_alloc(&c->rs->arena, v->nchild * sizeof(*r->kinds));
	for (size_t i = 0; i < v->nchild; i++) {
		const sunset_node *e = sunset_node_resolve(v->child[i]);
		if (!e || e->type != SUNSET_NODE_SCALAR || e->len == 0)
			return sunset_datafile_fail(&c->f, v->child[i], "a kind must be a string%s", NULL);
		r->kinds[r->nkinds++] = sunset_arena_strdup(&c->rs->arena, e->str);
		if (strcmp(e->str, "Pod") == 0)
			r->pod = true;
	}
	return true;
}

static bool load_match(load_ctx *c, const sunset_node *row, sunset_rule *r)
{
	static const struct {
		const char *key;
		sunset_rule_match match;
	} kinds[] = {{"equals", SUNSET_MATCH_EQUALS},	  {"prefix", SUNSET_MATCH_PREFIX},
		     {"contains", SUNSET_MATCH_CONTAINS}, {"key", SUNSET_MATCH_KEY},
		     {"keyPrefix", SUNSET_MATCH_KEY_PREFIX}};
	r->match = SUNSET_MATCH_EXISTS;
	int n = 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *v = scalar(c, row, kinds[i].key, false);
		if (c->f.failed)
			return false;
		if (v) {
			r->match = kinds[i].match;
			r->value = v;
			n++;
		}
	}
	if (n > 1)
		return sunset_datafile_fail(&c->f, row, "a rule has one of equals, prefix, contains, key, keyPrefix%s", NULL);
	return true;
}

static bool load_effect(load_ctx *c, const sunset_node *row, sunset_rule *r)
{
	const char *e = scalar(c, row, "effect", true);
	if (!e)
		return false;
	for (int i = 0; i < SUNSET_EFFECT_COUNT; i++)
		if (strcmp(e, effect_names[i]) == 0) {
			r->effect = (sunset_rule_effect)i;
			return true;
		}
	return sunset_datafile_fail(&c->f, sunset_map_get(row, "effect"),
		    "unknown effect \"%s\" (rejected, dropped, ignored, cannot-start, cannot-mount, pending, "
		    "unschedulable, warning)", e);
}

static bool duplicate_id(const sunset_rules *rs, const char *id)
{
	for (size_t i = 0; i < rs->nrule; i++)
		if (strcmp(rs->rule[i]->id, id) == 0)
			return true;
	return false;
}

static void load_rule(load_ctx *c, const char *component, const sunset_node *row)
{
	static const char *const keys[] = {"id", "kinds", "path", "equals", "prefix", "contains", "key",
					   "keyPrefix", "deprecated", "breaksIn", "effect", "advice",
					   "source", NULL};
	if (row->type != SUNSET_NODE_MAPPING) {
		sunset_datafile_fail(&c->f, row, "a rule is a mapping%s", NULL);
		return;
	}
	if (!sunset_datafile_known_keys(&c->f, row, keys))
		return;
	sunset_rule *r = sunset_arena_alloc(&c->rs->arena, sizeof(*r));
	memset(r, 0, sizeof(*r));
	r->component = component;
	r->origin = c->f.path;
	r->id = scalar(c, row, "id", true);
	if (!r->id)
		return;
	if (duplicate_id(c->rs, r->id)) {
		sunset_datafile_fail(&c->f, sunset_map_get(row, "id"), "duplicate rule id \"%s\"", r->id);
		return;
	}
	if (!load_kinds(c, row, r) || !load_paths(c, row, r) || !load_match(c, row, r) ||
	    !sunset_datafile_version(&c->f, row, "deprecated", &r->deprecated) ||
	    !sunset_datafile_version(&c->f, row, "breaksIn", &r->breaks_in) || !load_effect(c, row, r))
		return;
	r->advice = scalar(c, row, "advice", true);
	r->source = scalar(c, row, "source", true);
	if (!r->advice || !r->source)
		return;
	/* consistent versions: a warning never breaks; anything else breaks
	 * at a release no earlier than its deprecation */
	if (r->effect == SUNSET_EFFECT_WARNING && r->breaks_in) {
		sunset_datafile_fail(&c->f, sunset_map_get(row, "breaksIn"), "a warning-only rule has no \"breaksIn\"%s", NULL);
		return;
	}
	if (r->effect == SUNSET_EFFECT_WARNING && !r->deprecated) {
		sunset_datafile_fail(&c->f, row, "a warning-only rule needs \"deprecated\"%s", NULL);
		return;
	}
	if (r->effect != SUNSET_EFFECT_WARNING && !r->breaks_in) {
		sunset_datafile_fail(&c->f, row, "rule \"%s\" needs \"breaksIn\" (or effect: warning)", r->id);
		return;
	}
	if (r->deprecated && r->breaks_in && r->deprecated > r->breaks_in) {
		sunset_datafile_fail(&c->f, sunset_map_get(row, "deprecated"), "rule \"%s\" is deprecated after it breaks", r->id);
		return;
	}
	r->reads_metadata_only = true;
	for (size_t i = 0; i < r->npath; i++)
		if (strcmp(r->path[i].seg[0].key, "metadata") != 0)
			r->reads_metadata_only = false;
	r->row.component = component;
	r->row.api_version = r->id;
	r->row.kind = "*";
	r->row.deprecated = r->deprecated ? r->deprecated : r->breaks_in;
	r->row.removed = r->effect == SUNSET_EFFECT_WARNING ? 0 : r->breaks_in;
	r->row.source = r->source;
	r->row.notes = r->advice;
	r->row.origin = c->f.path;
	SUNSET_GROW(c->rs->rule, c->rs->nrule, c->rs->caprule, 64);
	c->rs->rule[c->rs->nrule++] = r;
}

static void on_doc(sunset_datafile *f, const sunset_node *root)
{
	load_ctx *c = (load_ctx *)f;
	static const char *const top[] = {"component", "rules", NULL};
	if (root->type != SUNSET_NODE_MAPPING) {
		sunset_datafile_fail(&c->f, root, "a rules file is a mapping with \"component\" and \"rules\"%s", NULL);
		return;
	}
	if (!sunset_datafile_known_keys(&c->f, root, top))
		return;
	const char *component = scalar(c, root, "component", true);
	if (!component)
		return;
	const sunset_node *rules = sunset_node_resolve(sunset_map_get(root, "rules"));
	if (!rules || rules->type != SUNSET_NODE_SEQUENCE) {
		sunset_datafile_fail(&c->f, rules ? rules : root, "\"rules\" must be a list%s", NULL);
		return;
	}
	for (size_t i = 0; i < rules->nchild && !c->f.failed; i++) {
		const sunset_node *row = sunset_node_resolve(rules->child[i]);
		if (!row) {
			sunset_datafile_fail(&c->f, rules->child[i], "a rule is a mapping%s", NULL);
			break;
		}
		load_rule(c, component, row);
	}
}

int sunset_rules_load(sunset_rules *rs, const char *path, const char *text, size_t len, char *err,
		      size_t errlen)
{
	load_ctx c = {.f = {.arena = &rs->arena, .path = sunset_arena_strdup(&rs->arena, path), .err = err,
			    .errlen = errlen, .doc = on_doc},
		      .rs = rs};
	return sunset_datafile_read(&c.f, text, len, "the rules file");
}

int sunset_rules_load_builtin(sunset_rules *rs, char *err, size_t errlen)
{
	for (size_t i = 0; i < sunset_builtin_table_count; i++) {
		if (!sunset_rules_is_rules_file(sunset_builtin_tables[i].name))
			continue;
		char name[128];
		snprintf(name, sizeof(name), "data/%s", sunset_builtin_tables[i].name);
		if (sunset_rules_load(rs, name, sunset_builtin_tables[i].text, sunset_builtin_tables[i].len, err,
				      errlen) < 0)
			return -1;
	}
	return 0;
}

/* ---- matching ---- */

/* Where a kind keeps its pod template, written as the path to the pod's
 * own root (so a Pod rule's "spec.volumes" follows it). */
static const char *const *pod_template_prefix(const char *kind, size_t *n)
{
	static const char *const none[] = {NULL};
	static const char *const tmpl[] = {"spec", "template"};
	static const char *const cron[] = {"spec", "jobTemplate", "spec", "template"};
	static const char *const podtemplate[] = {"template"};
	static const char *const workload[] = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
					       "ReplicationController", "Job"};
	if (strcmp(kind, "Pod") == 0) {
		*n = 0;
		return none;
	}
	for (size_t i = 0; i < sizeof(workload) / sizeof(workload[0]); i++)
		if (strcmp(kind, workload[i]) == 0) {
			*n = 2;
			return tmpl;
		}
	if (strcmp(kind, "CronJob") == 0) {
		*n = 4;
		return cron;
	}
	if (strcmp(kind, "PodTemplate") == 0) {
		*n = 1;
		return podtemplate;
	}
	*n = (size_t)-1;
	return NULL;
}

static bool rule_names_kind(const sunset_rule *r, const char *kind)
{
	for (size_t i = 0; i < r->nkinds; i++)
		if (strcmp(r->kinds[i], kind) == 0)
			return true;
	return false;
}

bool sunset_rules_reads_kind(const sunset_rules *rs, const char *kind)
{
	size_t n;
	bool pod_kind = pod_template_prefix(kind, &n) != NULL;
	for (size_t i = 0; i < rs->nrule; i++) {
		const sunset_rule *r = rs->rule[i];
		if (rule_names_kind(r, kind) || (pod_kind && r->pod))
			return true;
	}
	return false;
}

typedef struct match_ctx {
	const sunset_scan_options *opt;
	sunset_report *r;
	const sunset_object *o;
	const sunset_doc *doc;
	const sunset_rule *rule;
	sunset_status st;
	sunset_version target;
	uint32_t line_shift;
	char path[512]; /* the concrete path walked so far */
	size_t len;
} match_ctx;

static bool line_ignored(const sunset_doc *doc, uint32_t line)
{
	for (size_t i = 0; doc && i < doc->nignore; i++)
		if (doc->ignore_lines[i] == line)
			return true;
	return false;
}

static size_t path_push(match_ctx *m, const char *fmt, const char *s, size_t idx)
{
	size_t old = m->len;
	int n;
	if (s)
		n = snprintf(m->path + m->len, sizeof(m->path) - m->len, fmt, m->len ? "." : "", s);
	else
		n = snprintf(m->path + m->len, sizeof(m->path) - m->len, "[%zu]", idx);
	if (n > 0)
		m->len = m->len + (size_t)n < sizeof(m->path) ? m->len + (size_t)n : sizeof(m->path) - 1;
	return old;
}

static void found(match_ctx *m, const sunset_node *at)
{
	if (m->o->ignored || line_ignored(m->doc, at->line)) {
		m->r->ignored++;
		return;
	}
	sunset_report_add_rule_finding(m->r, m->o, m->rule, m->path, at->line - m->line_shift, at->column,
				       &m->st, m->target);
}

static bool value_matches(const sunset_rule *r, const sunset_node *v)
{
	const char *s = sunset_node_str(v);
	if (!s)
		return false;
	switch (r->match) {
	case SUNSET_MATCH_EQUALS: return strcmp(s, r->value) == 0;
	case SUNSET_MATCH_PREFIX: return strncmp(s, r->value, strlen(r->value)) == 0;
	case SUNSET_MATCH_CONTAINS: return strstr(s, r->value) != NULL;
	default: return false;
	}
}

/* The last node reached: its key node (for positions) and value. */
static void match_end(match_ctx *m, const sunset_node *key, const sunset_node *val)
{
	const sunset_rule *r = m->rule;
	val = sunset_node_resolve(val);
	if (!val)
		return;
	switch (r->match) {
	case SUNSET_MATCH_EXISTS:
		if (!sunset_scalar_is_null(val))
			found(m, key ? key : val);
		return;
	case SUNSET_MATCH_KEY:
	case SUNSET_MATCH_KEY_PREFIX:
		if (val->type != SUNSET_NODE_MAPPING)
			return;
		for (size_t i = 0; i + 1 < val->nchild; i += 2) {
			const char *k = sunset_node_str(val->child[i]);
			if (!k)
				continue;
			bool hit = r->match == SUNSET_MATCH_KEY ? strcmp(k, r->value) == 0
								: strncmp(k, r->value, strlen(r->value)) == 0;
			if (!hit)
				continue;
			size_t old = m->len;
			int n = snprintf(m->path + m->len, sizeof(m->path) - m->len, "[%s]", k);
			if (n > 0)
				m->len = m->len + (size_t)n < sizeof(m->path) ? m->len + (size_t)n : sizeof(m->path) - 1;
			found(m, val->child[i]);
			m->len = old;
			m->path[old] = '\0';
		}
		return;
	default:
		if (value_matches(r, val))
			found(m, val);
		return;
	}
}

static void walk(match_ctx *m, const sunset_rule_path *p, size_t i, const sunset_node *key,
		 const sunset_node *n)
{
	if (i == p->nseg) {
		match_end(m, key, n);
		return;
	}
	n = sunset_node_resolve(n);
	if (!n || n->type != SUNSET_NODE_MAPPING)
		return;
	const sunset_rule_segment *s = &p->seg[i];
	const sunset_node *k = sunset_map_get_key(n, s->key);
	const sunset_node *v = sunset_map_get(n, s->key);
	if (!v)
		return;
	size_t old = path_push(m, "%s%s", s->key, 0);
	if (!s->each) {
		walk(m, p, i + 1, k, v);
	} else {
		/* aliases are not followed into sequences: the anchor is checked
		 * where it is written */
		const sunset_node *seq = v->type == SUNSET_NODE_SEQUENCE ? v : NULL;
		for (size_t j = 0; seq && j < seq->nchild; j++) {
			size_t o2 = path_push(m, NULL, NULL, j);
			walk(m, p, i + 1, seq->child[j], seq->child[j]);
			m->len = o2;
			m->path[o2] = '\0';
		}
	}
	m->len = old;
	m->path[old] = '\0';
}

void sunset_rules_check(const sunset_scan_options *opt, sunset_report *r, const sunset_object *o,
			const sunset_doc *doc, const sunset_node *obj, uint32_t line_shift)
{
	if (!opt->rules || !o->kind || !o->api_version)
		return;
	obj = sunset_node_resolve(obj);
	if (!obj || obj->type != SUNSET_NODE_MAPPING)
		return;
	size_t nprefix;
	const char *const *prefix = pod_template_prefix(o->kind, &nprefix);
	for (size_t i = 0; i < opt->rules->nrule; i++) {
		const sunset_rule *rule = opt->rules->rule[i];
		bool direct = rule_names_kind(rule, o->kind);
		bool via_template = !direct && rule->pod && prefix;
		if (!direct && !via_template)
			continue;
		if (opt->components && !sunset_csv_has(opt->components, rule->component))
			continue;
		match_ctx m = {.opt = opt, .r = r, .o = o, .doc = doc, .rule = rule, .line_shift = line_shift};
		m.target = sunset_targets_get(&opt->targets, opt->table, rule->component);
		if (!sunset_status_at(&rule->row, m.target, &m.st))
			continue;
		m.st.replacement_available = true; /* advice, not an API that may be missing */
		if (opt->only_removed && !m.st.removed)
			continue;
		const sunset_node *root = obj;
		m.path[0] = '\0';
		if (via_template) {
			for (size_t j = 0; j < nprefix && root; j++) {
				root = sunset_node_resolve(sunset_map_get(root, prefix[j]));
				path_push(&m, "%s%s", prefix[j], 0);
			}
			if (!root)
				continue;
		}
		size_t base = m.len;
		for (size_t j = 0; j < rule->npath; j++) {
			walk(&m, &rule->path[j], 0, NULL, root);
			m.len = base;
			m.path[base] = '\0';
		}
	}
}
