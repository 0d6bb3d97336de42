/*
 * Columns shared by the tabular formats (text, wide, csv, markdown): one
 * table of {name, header, value}, so --columns and every format agree.
 */
#include <stdio.h>
#include <string.h>

#include "sunset/audit.h"
#include "sunset/report.h"
#include "sunset/format.h"

static void v_location(const sunset_finding *f, char *o, size_t n)
{
	if (f->obj.line)
		snprintf(o, n, "%s:%u:%u", f->obj.file_path ? f->obj.file_path : "", f->obj.line, f->obj.column);
	else
		snprintf(o, n, "%s", f->obj.file_path ? f->obj.file_path : "");
}
static void v_file(const sunset_finding *f, char *o, size_t n) { snprintf(o, n, "%s", f->obj.file_path ? f->obj.file_path : ""); }
static void v_line(const sunset_finding *f, char *o, size_t n) { snprintf(o, n, "%u", f->obj.line); }
static void v_column(const sunset_finding *f, char *o, size_t n) { snprintf(o, n, "%u", f->obj.column); }
static void v_name(const sunset_finding *f, char *o, size_t n)
{
	const char *name = f->obj.name ? f->obj.name : "<unnamed>";
	if (f->obj.namespace)
		snprintf(o, n, "%s/%s", f->obj.namespace, name);
	else
		snprintf(o, n, "%s", name);
}
static void v_plain_name(const sunset_finding *f, char *o, size_t n) { snprintf(o, n, "%s", f->obj.name ? f->obj.name : ""); }
static void v_namespace(const sunset_finding *f, char *o, size_t n) { snprintf(o, n, "%s", f->obj.namespace ? f->obj.namespace : ""); }
static void v_kind(const sunset_finding *f, char *o, size_t n) { snprintf(o, n, "%s", f->obj.kind); }
static void v_version(const sunset_finding *f, char *o, size_t n) { snprintf(o, n, "%s", f->row->api_version); }
static void v_replacement(const sunset_finding *f, char *o, size_t n)
{
	if (!f->row->replacement)
		snprintf(o, n, "-");
	else if (f->row->replacement_kind)
		snprintf(o, n, "%s %s", f->row->replacement, f->row->replacement_kind);
	else
		snprintf(o, n, "%s", f->row->replacement);
}
static void version_or_dash(sunset_version v, char *o, size_t n)
{
	char b[24];
	if (!v) {
		snprintf(o, n, "-");
		return;
	}
	sunset_version_format(v, b);
	snprintf(o, n, "%s", b);
}
static void v_deprecated_in(const sunset_finding *f, char *o, size_t n) { version_or_dash(f->row->deprecated, o, n); }
static void v_removed_in(const sunset_finding *f, char *o, size_t n) { version_or_dash(f->row->removed, o, n); }
static void v_repl_avail(const sunset_finding *f, char *o, size_t n) { version_or_dash(f->row->replacement_available, o, n); }
static void v_target(const sunset_finding *f, char *o, size_t n) { version_or_dash(f->target, o, n); }
static void v_status(const sunset_finding *f, char *o, size_t n)
{
	char b[24];
	const char *known = f->known ? " (known)" : "";
	if (f->audit && f->row->origin && strcmp(f->row->origin, "audit") == 0 && !f->status.removed) {
		snprintf(o, n, "deprecated (API server)%s", known);
	} else if (SUNSET_ROW_FROM_CRD(f->row)) {
		snprintf(o, n, "%s by CRD%s", f->status.removed ? "not served" : "deprecated", known);
	} else if (f->status.removed) {
		sunset_version_format(f->row->removed, b);
		snprintf(o, n, "removed in %s%s", b, known);
	} else {
		sunset_version_format(f->row->deprecated, b);
		snprintf(o, n, "deprecated in %s%s", b, known);
	}
}
static void v_component(const sunset_finding *f, char *o, size_t n) { snprintf(o, n, "%s", f->row->component); }
static void v_source(const sunset_finding *f, char *o, size_t n) { snprintf(o, n, "%s", sunset_source_name(f->obj.source)); }
static void v_template(const sunset_finding *f, char *o, size_t n) { snprintf(o, n, "%s", f->obj.template_path ? f->obj.template_path : ""); }
static void v_release(const sunset_finding *f, char *o, size_t n)
{
	if (f->obj.release)
		snprintf(o, n, "%s%s%s#%d", f->obj.release_namespace ? f->obj.release_namespace : "",
			 f->obj.release_namespace ? "/" : "", f->obj.release, f->obj.revision);
	else
		snprintf(o, n, "%s", "");
}
static void v_manager(const sunset_finding *f, char *o, size_t n)
{
	if (f->obj.manager && f->obj.operation)
		snprintf(o, n, "%s (%s)", f->obj.manager, f->obj.operation);
	else
		snprintf(o, n, "%s", f->obj.manager ? f->obj.manager : "");
}
static void v_detail(const sunset_finding *f, char *o, size_t n)
{
	char rel[512], man[512];
	v_release(f, rel, sizeof(rel));
	v_manager(f, man, sizeof(man));
	snprintf(o, n, "%s%s%s%s%s%s%s", f->obj.template_path ? "template=" : "",
		 f->obj.template_path ? f->obj.template_path : "", rel[0] ? (f->obj.template_path ? " release=" : "release=") : "", rel,
		 man[0] ? ((f->obj.template_path || rel[0]) ? " manager=" : "manager=") : "", man, "");
	if (!o[0])
		snprintf(o, n, "-");
}
static void v_message(const sunset_finding *f, char *o, size_t n) { sunset_finding_message(f, o, n); }
/* sunset audit: who sent the requests (empty for other sources) */
#define AUDIT_STR(fn, field) \
	static void fn(const sunset_finding *f, char *o, size_t n) { snprintf(o, n, "%s", f->audit ? f->audit->field : ""); }
AUDIT_STR(v_verb, verb)
AUDIT_STR(v_user, user)
AUDIT_STR(v_agent, user_agent)
AUDIT_STR(v_resource, resource)
AUDIT_STR(v_uri, request_uri)
AUDIT_STR(v_first, first)
AUDIT_STR(v_last, last)
static void v_count(const sunset_finding *f, char *o, size_t n)
{
	if (f->audit)
		snprintf(o, n, "%llu", (unsigned long long)f->audit->count);
	else
		snprintf(o, n, "%s", "");
}

static const sunset_column columns[] = {
	{"location", "LOCATION", v_location},
	{"file", "FILE", v_file},
	{"line", "LINE", v_line},
	{"column", "COLUMN", v_column},
	{"name", "NAME", v_name},
	{"object-name", "OBJECT-NAME", v_plain_name},
	{"namespace", "NAMESPACE", v_namespace},
	{"kind", "KIND", v_kind},
	{"version", "VERSION", v_version},
	{"replacement", "REPLACEMENT", v_replacement},
	{"status", "STATUS", v_status},
	{"deprecated-in", "DEPRECATED-IN", v_deprecated_in},
	{"removed-in", "REMOVED-IN", v_removed_in},
	{"replacement-available-in", "REPL-AVAILABLE", v_repl_avail},
	{"target", "TARGET", v_target},
	{"component", "COMPONENT", v_component},
	{"source", "SOURCE", v_source},
	{"template", "TEMPLATE", v_template},
	{"release", "RELEASE", v_release},
	{"manager", "MANAGER", v_manager},
	{"detail", "DETAIL", v_detail},
	{"message", "MESSAGE", v_message},
	{"verb", "VERB", v_verb},
	{"user", "USER", v_user},
	{"agent", "USER-AGENT", v_agent},
	{"resource", "RESOURCE", v_resource},
	{"count", "COUNT", v_count},
	{"first-seen", "FIRST-SEEN", v_first},
	{"last-seen", "LAST-SEEN", v_last},
	{"request-uri", "REQUEST-URI", v_uri},
};

const sunset_column *sunset_column_find(const char *name)
{
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		if (strcmp(columns[i].name, name) == 0)
			return &columns[i];
	return NULL;
}

int sunset_columns_parse(const char *spec, const sunset_column **cols, size_t max, size_t *n,
			 char *err, size_t errlen)
{
	*n = 0;
	const char *p = spec;
	while (*p) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		char name[64];
		size_t len = (size_t)(end - p);
		if (len == 0 || len >= sizeof(name)) {
			snprintf(err, errlen, "invalid column list \"%s\"", spec);
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		const sunset_column *c = sunset_column_find(name);
		if (!c) {
			size_t off = (size_t)snprintf(err, errlen, "unknown column \"%s\" (known:", name);
			for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]) && off < errlen; i++)
				off += (size_t)snprintf(err + off, errlen - off, " %s", columns[i].name);
			if (off < errlen)
				snprintf(err + off, errlen - off, ")");
			return -1;
		}
		if (*n == max) {
			snprintf(err, errlen, "too many columns");
			return -1;
		}
		cols[(*n)++] = c;
		p = *end ? end + 1 : end;
	}
	if (*n == 0) {
		snprintf(err, errlen, "empty column list");
		return -1;
	}
	return 0;
}
