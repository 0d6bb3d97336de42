/*
 * The checker: targets, the status of a row at a target, and the one place
 * where an object meets the table.
 */
#include <stdio.h>
#include <string.h>

#include "sunset/check.h"
#include "sunset/scan.h"

const char *sunset_source_name(sunset_source s)
{
	static const char *const names[SUNSET_SOURCE_COUNT] = {
		"file", "stdin", "chart-template", "helm-release", "last-applied", "managed-fields",
		"apiserver-metrics", "audit-log"};
	return (unsigned)s < SUNSET_SOURCE_COUNT ? names[s] : "file";
}

static int set_target(sunset_targets *t, const char *comp, size_t clen, sunset_version v)
{
	for (size_t i = 0; i < t->n; i++) {
		if (strlen(t->item[i].component) == clen && memcmp(t->item[i].component, comp, clen) == 0) {
			t->item[i].version = v;
			return 0;
		}
	}
	if (t->n == sizeof(t->item) / sizeof(t->item[0]) || clen >= sizeof(t->item[0].component))
		return -1;
	memcpy(t->item[t->n].component, comp, clen);
	t->item[t->n].component[clen] = '\0';
	t->item[t->n].version = v;
	t->n++;
	return 0;
}

int sunset_targets_parse(sunset_targets *t, const char *spec, char *err, size_t errlen)
{
	const char *p = spec;
	if (!*p) {
		snprintf(err, errlen, "empty target");
		return -1;
	}
	while (*p) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		const char *comp = "k8s", *ver = p;
		size_t clen = 3;
		if (eq) {
			comp = p;
			clen = (size_t)(eq - p);
			ver = eq + 1;
			for (size_t i = 0; i < clen; i++) {
				char c = comp[i];
				if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
					snprintf(err, errlen, "invalid component name in target \"%.*s\"", (int)(end - p), p);
					return -1;
				}
			}
			if (clen == 0) {
				snprintf(err, errlen, "missing component name in target \"%.*s\"", (int)(end - p), p);
				return -1;
			}
		}
		sunset_version v;
		if (sunset_version_parse(ver, (size_t)(end - ver), &v) < 0) {
			snprintf(err, errlen, "invalid target version \"%.*s\" (expected e.g. 1.33 or v1.33.0)",
				 (int)(end - ver), ver);
			return -1;
		}
		if (set_target(t, comp, clen, v) < 0) {
			snprintf(err, errlen, "too many targets");
			return -1;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

sunset_version sunset_targets_get(const sunset_targets *t, const sunset_table *table,
				  const char *component)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->item[i].component, component) == 0)
			return t->item[i].version;
	const sunset_component *c = sunset_table_component(table, component);
	return c ? c->latest : 0;
}

bool sunset_status_at(const sunset_api_row *row, sunset_version target, sunset_status *st)
{
	memset(st, 0, sizeof(*st));
	/* a patch release serves what its minor serves */
	sunset_version minor = target & ~(sunset_version)0x3ffu;
	st->removed = row->removed && row->removed <= minor;
	st->deprecated = st->removed || (row->deprecated && row->deprecated <= minor);
	if (!st->deprecated)
		return false;
	st->replacement_available = row->replacement && row->replacement_available &&
				    row->replacement_available <= minor;
	if (row->replacement && !row->replacement_available)
		st->replacement_available = true; /* a replacement with no recorded start: assume served */
	return true;
}

bool sunset_target_serves(const sunset_table *t, const sunset_targets *targets,
			  const char *api_version, const char *kind)
{
	/* the served list knows exactly, for the components that have one */
	const sunset_served *const *listed;
	size_t ns = sunset_table_served(t, &listed);
	for (size_t i = 0; i < ns; i++)
		if (strcmp(listed[i]->api_version, api_version) == 0)
			return sunset_table_serves(t, api_version, kind,
						   sunset_targets_get(targets, t, listed[i]->component)) == 1;
	const sunset_api_row *const *rows;
	size_t n = sunset_table_rows(t, &rows);
	bool known = false;
	for (size_t i = 0; i < n; i++) {
		const sunset_api_row *r = rows[i];
		if (strcmp(r->api_version, api_version) != 0)
			continue;
		if (kind && strcmp(r->kind, kind) != 0 && strcmp(r->kind, "*") != 0)
			continue;
		known = true;
		sunset_version target = sunset_targets_get(targets, t, r->component) & ~(sunset_version)0x3ffu;
		bool served = !(r->removed && r->removed <= target) && !(r->introduced && r->introduced > target);
		if (served)
			return true;
	}
	return !known;
}

/*
 * The row names one replacement, the newest; a target in between may serve
 * another one (flowcontrol v1beta3 at 1.26).  When the component's table says
 * what is served, the finding gets a copy of the row (in the report's arena)
 * naming what the target serves, and exit 4 means nothing is.
 */
static const sunset_api_row *replacement_at(const sunset_table *t, sunset_report *r,
					    const sunset_api_row *row, sunset_version target,
					    sunset_status *st)
{
	bool known;
	const sunset_served *s = sunset_table_replacement_at(t, row, target, &known);
	if (!known)
		return row;
	st->replacement_available = s != NULL;
	if (!s)
		return row;
	const char *kind = strcmp(s->kind, row->kind) != 0 ? s->kind : NULL;
	if (row->replacement && strcmp(row->replacement, s->api_version) == 0 &&
	    (kind ? row->replacement_kind && strcmp(kind, row->replacement_kind) == 0 : !row->replacement_kind) &&
	    row->replacement_available == s->from)
		return row;
	sunset_api_row *copy = sunset_arena_alloc(&r->arena, sizeof(*copy));
	*copy = *row;
	copy->replacement = s->api_version;
	copy->replacement_kind = kind;
	copy->replacement_available = s->from;
	return copy;
}

static bool component_selected(const char *filter, const char *component)
{
	return !filter || sunset_csv_has(filter, component);
}

void sunset_check_object(const sunset_scan_options *opt, sunset_report *r, const sunset_object *o)
{
	if (!o->api_version || !o->kind)
		return;
	r->objects++;
	if (r->keep_checked)
		sunset_report_add_checked(r, o);
	if (opt->no_api_check)
		return;
	const sunset_api_row *row = sunset_table_lookup(opt->table, o->api_version, o->kind);
	if (!row) {
		/* maybe a custom resource whose CRD deprecates its version */
		if (!o->ignored && strchr(o->api_version, '.') && strchr(o->api_version, '/'))
			sunset_report_add_custom(r, o);
		return;
	}
	if (!component_selected(opt->components, row->component))
		return;
	sunset_version target = sunset_targets_get(&opt->targets, opt->table, row->component);
	sunset_status st;
	if (!sunset_status_at(row, target, &st))
		return;
	if (opt->only_removed && !st.removed)
		return;
	/* counted, so that the summary shows what silence hides */
	if (o->ignored) {
		r->ignored++;
		return;
	}
	sunset_report_add_finding(r, o, replacement_at(opt->table, r, row, target, &st), &st, target);
}
