/*
 * json: a superset of pluto's -o json, so scripts written for pluto keep
 * working: items[] with name, namespace, filePath, api{...}, deprecated,
 * removed, replacementAvailable; plus line, column, source, message and
 * the optional context fields; errors[]; target-versions{}.
 * The tree built here also feeds the yaml format and baselines.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "sunset/audit.h"
#include "sunset/report.h"
#include "sunset/rules.h"
#include "sunset/format.h"

static json_t *str_or_empty(const char *s)
{
	return json_string(s ? s : "");
}

static json_t *version_json(sunset_version v)
{
	char b[24];
	if (!v)
		return json_string("");
	sunset_version_format(v, b);
	return json_string(b);
}

static json_t *finding_json(const sunset_finding *f)
{
	json_t *item = json_object();
	const sunset_api_row *row = f->row;
	json_object_set_new(item, "name", str_or_empty(f->obj.name));
	json_object_set_new(item, "namespace", str_or_empty(f->obj.namespace));
	json_object_set_new(item, "filePath", str_or_empty(f->obj.file_path));
	json_object_set_new(item, "line", json_integer(f->obj.line));
	json_object_set_new(item, "column", json_integer(f->obj.column));
	json_object_set_new(item, "source", json_string(sunset_source_name(f->obj.source)));
	if (f->obj.template_path)
		json_object_set_new(item, "template", json_string(f->obj.template_path));
	if (f->obj.release) {
		json_object_set_new(item, "release", json_string(f->obj.release));
		if (f->obj.release_namespace)
			json_object_set_new(item, "releaseNamespace", json_string(f->obj.release_namespace));
		json_object_set_new(item, "revision", json_integer(f->obj.revision));
	}
	if (f->obj.manager)
		json_object_set_new(item, "manager", json_string(f->obj.manager));
	if (f->obj.operation)
		json_object_set_new(item, "operation", json_string(f->obj.operation));
	json_t *api = json_object();
	/* a rule finding's row is the rule: the object's own apiVersion here */
	json_object_set_new(api, "version", str_or_empty(f->rule ? f->obj.api_version : row->api_version));
	json_object_set_new(api, "kind", json_string(f->obj.kind));
	json_object_set_new(api, "deprecated-in", version_json(row->deprecated));
	json_object_set_new(api, "removed-in", version_json(row->removed));
	json_object_set_new(api, "replacement-api", str_or_empty(row->replacement));
	if (row->replacement_kind)
		json_object_set_new(api, "replacement-kind", json_string(row->replacement_kind));
	json_object_set_new(api, "replacement-available-in", version_json(row->replacement_available));
	json_object_set_new(api, "component", json_string(row->component));
	json_object_set_new(item, "api", api);
	if (f->rule) {
		json_t *rule = json_object();
		json_object_set_new(rule, "id", json_string(f->rule->id));
		json_object_set_new(rule, "path", str_or_empty(f->rule_path));
		json_object_set_new(rule, "effect", json_string(sunset_rule_effect_name(f->rule->effect)));
		json_object_set_new(rule, "breaks-in", version_json(f->rule->breaks_in));
		json_object_set_new(rule, "advice", json_string(f->rule->advice));
		json_object_set_new(rule, "source", json_string(f->rule->source));
		json_object_set_new(item, "rule", rule);
	}
	json_object_set_new(item, "deprecated", json_boolean(f->status.deprecated));
	json_object_set_new(item, "removed", json_boolean(f->status.removed));
	json_object_set_new(item, "replacementAvailable", json_boolean(f->status.replacement_available));
	json_object_set_new(item, "targetVersion", version_json(f->target));
	if (f->known)
		json_object_set_new(item, "known", json_true());
	if (f->audit) {
		json_t *a = json_object();
		json_object_set_new(a, "resource", json_string(f->audit->resource));
		json_object_set_new(a, "verb", json_string(f->audit->verb));
		json_object_set_new(a, "user", json_string(f->audit->user));
		json_object_set_new(a, "userAgent", json_string(f->audit->user_agent));
		json_object_set_new(a, "count", json_integer((json_int_t)f->audit->count));
		json_object_set_new(a, "firstSeen", json_string(f->audit->first));
		json_object_set_new(a, "lastSeen", json_string(f->audit->last));
		json_object_set_new(a, "exampleRequestURI", json_string(f->audit->request_uri));
		json_object_set_new(item, "audit", a);
	}
	char msg[1024];
	sunset_finding_message(f, msg, sizeof(msg));
	json_object_set_new(item, "message", json_string(msg));
	return item;
}

json_t *sunset_report_to_json(const sunset_report *r, const sunset_report_options *opt)
{
	json_t *root = json_object();
	json_t *items = json_array();
	for (size_t i = 0; i < r->nfinding; i++)
		json_array_append_new(items, finding_json(&r->finding[i]));
	json_object_set_new(root, "items", items);
	json_t *errors = json_array();
	for (size_t i = 0; i < r->nerror; i++) {
		const sunset_error *e = &r->error[i];
		json_t *o = json_object();
		json_object_set_new(o, "filePath", str_or_empty(e->path));
		json_object_set_new(o, "line", json_integer(e->line));
		json_object_set_new(o, "column", json_integer(e->column));
		json_object_set_new(o, "message", str_or_empty(e->message));
		json_array_append_new(errors, o);
	}
	json_object_set_new(root, "errors", errors);
	json_t *targets = json_object();
	if (opt && opt->table) {
		const sunset_component *comps;
		size_t n = sunset_table_components(opt->table, &comps);
		for (size_t i = 0; i < n; i++)
			json_object_set_new(targets, comps[i].id,
					    version_json(sunset_targets_get(opt->targets, opt->table, comps[i].id)));
	}
	json_object_set_new(root, "target-versions", targets);
	/* counts, so that a script can check every input was read */
	json_t *summary = json_object();
	json_object_set_new(summary, "inputs", json_integer((json_int_t)r->inputs));
	json_object_set_new(summary, "objects", json_integer((json_int_t)r->objects));
	json_object_set_new(summary, "findings", json_integer((json_int_t)r->nfinding));
	json_object_set_new(summary, "errors", json_integer((json_int_t)r->nerror));
	json_object_set_new(summary, "documents", json_integer((json_int_t)r->documents));
	json_object_set_new(summary, "ignored", json_integer((json_int_t)r->ignored));
	json_object_set_new(summary, "known", json_integer((json_int_t)r->known));
	json_object_set_new(root, "summary", summary);
	return root;
}

int sunset_format_json(FILE *out, const sunset_report *r, const sunset_report_options *opt)
{
	json_t *root = sunset_report_to_json(r, opt);
	int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	fputc('\n', out);
	json_decref(root);
	return rc;
}
