/*
 * sarif: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).
 *
 * One run; the driver lists one rule per kind of finding, always all of
 * them in the same order so that ruleIndex values never move.  Each
 * finding is a result at the apiVersion value (a relative artifact URI
 * under %SRCROOT%, as GitHub resolves it against the checkout), with the
 * finding's message and the object's details in properties.  Unreadable
 * inputs are tool execution notifications under the "invalid-input"
 * descriptor: they are about the run, not about the code.  With a
 * baseline, each result's baselineState says "new" or "unchanged"; the
 * partial fingerprint hashes what a baseline matches (file, apiVersion,
 * kind, namespace, name), so a moved object keeps its alert.
 *
 * No timestamps, no absolute paths that were not given: the same input
 * prints the same bytes.  The JSON tree is built with jansson and freed
 * here; strings that are not UTF-8 (file names can be any bytes) are
 * repaired with U+FFFD, since JSON readers reject them.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/report.h"
#include "sunset/format.h"
#include "sunset/rules.h"

/* NEEDSWORK: the project's public home page, once it has one. */
#ifndef SUNSET_INFORMATION_URI
#define SUNSET_INFORMATION_URI "https://github.com/sunset-k8s/sunset"
#endif
#define DEPRECATION_GUIDE "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"

enum { RULE_REMOVED, RULE_DEPRECATED, RULE_NO_REPLACEMENT, RULE_COUNT };

static const struct rule {
	const char *id, *name, *level, *short_text, *full_text, *help_text, *help_markdown;
} rules[RULE_COUNT] = {
	[RULE_REMOVED] = {
		"removed-api", "RemovedApi", "error",
		"API removed at the target version",
		"The object's apiVersion is not served by the target release: the API server rejects "
		"the manifest, so applying it fails after the upgrade.",
		"Change apiVersion to the replacement named in the message (properties.replacement), "
		"adapt the fields that changed between the versions, and apply the manifest before "
		"upgrading. Objects already stored in a cluster are converted by the API server; it is "
		"the manifests, charts and tools that write them that must change.",
		"Change `apiVersion` to the replacement named in the message (`properties.replacement`), "
		"adapt the fields that changed between the versions, and apply the manifest before "
		"upgrading. Objects already stored in a cluster are converted by the API server; it is "
		"the manifests, charts and tools that write them that must change.\n\n"
		"See the [Kubernetes deprecated API migration guide](" DEPRECATION_GUIDE ").",
	},
	[RULE_DEPRECATED] = {
		"deprecated-api", "DeprecatedApi", "warning",
		"API deprecated at the target version",
		"The object's apiVersion is still served by the target release but is deprecated: a "
		"later release removes it (the message says which).",
		"Move to the replacement named in the message (properties.replacement) while both "
		"versions are served, so the removal does not block a later upgrade.",
		"Move to the replacement named in the message (`properties.replacement`) while both "
		"versions are served, so the removal does not block a later upgrade.\n\n"
		"See the [Kubernetes deprecated API migration guide](" DEPRECATION_GUIDE ").",
	},
	[RULE_NO_REPLACEMENT] = {
		"deprecated-api-no-replacement", "DeprecatedApiNoReplacement", "warning",
		"Deprecated API whose replacement is not served at the target",
		"The object's apiVersion is deprecated, and the target release does not serve a "
		"replacement (or none exists), so the object cannot be migrated at this version.",
		"Upgrade in steps: first to a release that serves the replacement named in the "
		"message, then migrate. When there is no replacement, plan how the object's job is "
		"done without it (the table's notes say how) before the release that removes it.",
		"Upgrade in steps: first to a release that serves the replacement named in the "
		"message, then migrate. When there is no replacement, plan how the object's job is "
		"done without it (the table's notes say how) before the release that removes it.\n\n"
		"See the [Kubernetes deprecated API migration guide](" DEPRECATION_GUIDE ").",
	},
};

static int rule_of(const sunset_finding *f)
{
	if (f->status.removed)
		return RULE_REMOVED;
	if (!f->status.replacement_available)
		return RULE_NO_REPLACEMENT;
	return RULE_DEPRECATED;
}

/* A JSON string of s, with every byte that is not UTF-8 replaced by U+FFFD. */
static json_t *text(const char *s)
{
	if (!s)
		s = "";
	size_t n = strlen(s);
	json_t *j = json_stringn(s, n); /* NULL when s is not UTF-8 */
	if (j)
		return j;
	sunset_buf b;
	sunset_buf_init(&b, 3 * n + 1);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = sunset_utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			sunset_buf_append(&b, "\xef\xbf\xbd", 3);
			i++;
		} else {
			sunset_buf_append(&b, s + i, len);
			i += len;
		}
	}
	j = json_stringn(b.data, b.len);
	sunset_buf_release(&b);
	return j;
}

static json_t *version_text(sunset_version v)
{
	char b[24];
	sunset_version_format(v, b);
	return json_string(b);
}

/* Percent-encodes everything but RFC 3986 unreserved characters and '/', so
 * that a path with spaces, ':' or '%' stays one valid URI reference. */
static void uri_encode(sunset_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
			sunset_buf_append(b, p, 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			sunset_buf_append(b, e, 3);
		}
	}
}

/* Length of "scheme://" at the start of path, or 0. */
static size_t uri_scheme(const char *path)
{
	size_t i = 0;
	if (!((path[0] >= 'a' && path[0] <= 'z') || (path[0] >= 'A' && path[0] <= 'Z')))
		return 0;
	while ((path[i] >= 'a' && path[i] <= 'z') || (path[i] >= 'A' && path[i] <= 'Z') ||
	       (path[i] >= '0' && path[i] <= '9') || path[i] == '+' || path[i] == '-' || path[i] == '.')
		i++;
	return strncmp(path + i, "://", 3) == 0 ? i + 3 : 0;
}

static json_t *physical_location(const char *path, uint32_t line, uint32_t column)
{
	json_t *art = json_object();
	if (!path)
		path = "";
	sunset_buf b;
	sunset_buf_init(&b, 3 * strlen(path) + sizeof("file://"));
	size_t scheme = uri_scheme(path);
	if (scheme) {
		/* cluster objects: "cluster://context/..." is already a URI */
		sunset_buf_append(&b, path, scheme);
		uri_encode(&b, path + scheme);
	} else if (path[0] == '/') {
		sunset_buf_puts(&b, "file://");
		uri_encode(&b, path);
	} else {
		/* "./x.yaml" and "x.yaml" are the same file to a code scanner */
		while (path[0] == '.' && path[1] == '/')
			for (path += 2; *path == '/'; path++)
				;
		uri_encode(&b, path);
	}
	json_object_set_new(art, "uri", json_stringn(b.data ? b.data : "", b.len));
	sunset_buf_release(&b);
	if (!scheme && path[0] != '/')
		json_object_set_new(art, "uriBaseId", json_string("%SRCROOT%"));
	json_t *phys = json_object();
	json_object_set_new(phys, "artifactLocation", art);
	if (line) {
		json_t *region = json_object();
		json_object_set_new(region, "startLine", json_integer(line));
		if (column)
			json_object_set_new(region, "startColumn", json_integer(column));
		json_object_set_new(phys, "region", region);
	}
	json_t *loc = json_object();
	json_object_set_new(loc, "physicalLocation", phys);
	json_t *locs = json_array();
	json_array_append_new(locs, loc);
	return locs;
}

static json_t *message(const char *s)
{
	json_t *m = json_object();
	json_object_set_new(m, "text", text(s));
	return m;
}

static json_t *rule_json(const struct rule *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "name", json_string(r->name));
	json_object_set_new(o, "shortDescription", message(r->short_text));
	json_object_set_new(o, "fullDescription", message(r->full_text));
	json_t *cfg = json_object();
	json_object_set_new(cfg, "level", json_string(r->level));
	json_object_set_new(o, "defaultConfiguration", cfg);
	json_object_set_new(o, "helpUri", json_string(DEPRECATION_GUIDE));
	json_t *help = message(r->help_text);
	json_object_set_new(help, "markdown", json_string(r->help_markdown));
	json_object_set_new(o, "help", help);
	/* GitHub code scanning reads tags, precision and problem.severity */
	json_t *props = json_object();
	json_t *tags = json_array();
	json_array_append_new(tags, json_string("kubernetes"));
	json_array_append_new(tags, json_string("deprecation"));
	json_object_set_new(props, "tags", tags);
	json_object_set_new(props, "precision", json_string("very-high"));
	json_object_set_new(props, "problem.severity", json_string(r->level));
	json_object_set_new(o, "properties", props);
	return o;
}

static void set_text(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new(o, key, text(s));
}

/* Stable across edits that move lines: the same fields a baseline matches. */
static json_t *fingerprint(const sunset_finding *f)
{
	const char *parts[] = {f->obj.file_path, f->rule ? f->rule->id : f->row->api_version, f->obj.kind, f->obj.namespace,
			       f->obj.name};
	uint64_t h = 0;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const char *p = parts[i] ? parts[i] : "";
		h = sunset_hash(p, strlen(p) + 1, h);
	}
	char hex[17];
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
	json_t *fp = json_object();
	json_object_set_new(fp, "sunsetObject/v1", json_string(hex));
	return fp;
}

/* Rule findings (rules.h) get one descriptor per rule id met in the report,
 * after the fixed ones, in id order: the same report gives the same indexes. */
typedef struct met_rules {
	const sunset_rule **rule;
	size_t n;
} met_rules;

static int rule_ptr_cmp(const void *a, const void *b)
{
	return strcmp((*(const sunset_rule *const *)a)->id, (*(const sunset_rule *const *)b)->id);
}

static void collect_rules(const sunset_report *r, met_rules *m)
{
	m->n = 0;
	m->rule = sunset_xcalloc(r->nfinding ? r->nfinding : 1, sizeof(*m->rule));
	for (size_t i = 0; i < r->nfinding; i++)
		if (r->finding[i].rule)
			m->rule[m->n++] = r->finding[i].rule;
	qsort(m->rule, m->n, sizeof(*m->rule), rule_ptr_cmp);
	size_t j = 0;
	for (size_t i = 0; i < m->n; i++)
		if (j == 0 || strcmp(m->rule[j - 1]->id, m->rule[i]->id) != 0)
			m->rule[j++] = m->rule[i];
	m->n = j;
}

static size_t rule_index(const met_rules *m, const sunset_rule *rule)
{
	const sunset_rule **hit = bsearch(&rule, m->rule, m->n, sizeof(*m->rule), rule_ptr_cmp);
	return RULE_COUNT + (hit ? (size_t)(hit - m->rule) : 0);
}

static json_t *object_rule_json(const sunset_rule *rule)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(rule->id));
	char full[1024];
	char when[24];
	sunset_version_format(rule->effect == SUNSET_EFFECT_WARNING ? rule->deprecated : rule->breaks_in, when);
	snprintf(full, sizeof(full), "%s on %s: %s from %s.", rule->path[0].text, rule->kinds[0],
		 sunset_rule_effect_text(rule->effect), when);
	json_object_set_new(o, "shortDescription", message(full));
	json_object_set_new(o, "fullDescription", message(rule->source));
	json_t *cfg = json_object();
	json_object_set_new(cfg, "level", json_string(rule->effect == SUNSET_EFFECT_WARNING ? "warning" : "error"));
	json_object_set_new(o, "defaultConfiguration", cfg);
	json_t *help = message(rule->advice);
	char md[2048];
	snprintf(md, sizeof(md), "%s\n\nSource: %s", rule->advice, rule->source);
	json_object_set_new(help, "markdown", text(md));
	json_object_set_new(o, "help", help);
	json_t *props = json_object();
	json_t *tags = json_array();
	json_array_append_new(tags, json_string("kubernetes"));
	json_array_append_new(tags, json_string("upgrade"));
	json_object_set_new(props, "tags", tags);
	json_object_set_new(props, "precision", json_string("high"));
	json_object_set_new(o, "properties", props);
	return o;
}

static json_t *result_json(const sunset_finding *f, bool baseline, const met_rules *met)
{
	int rule = rule_of(f);
	const sunset_api_row *row = f->row;
	json_t *o = json_object();
	if (f->rule) {
		json_object_set_new(o, "ruleId", json_string(f->rule->id));
		json_object_set_new(o, "ruleIndex", json_integer((json_int_t)rule_index(met, f->rule)));
		json_object_set_new(o, "level", json_string(f->status.removed ? "error" : "warning"));
	} else {
		json_object_set_new(o, "ruleId", json_string(rules[rule].id));
		json_object_set_new(o, "ruleIndex", json_integer(rule));
		json_object_set_new(o, "level", json_string(rules[rule].level));
	}
	char msg[1024];
	sunset_finding_message(f, msg, sizeof(msg));
	json_object_set_new(o, "message", message(msg));
	json_object_set_new(o, "locations", physical_location(f->obj.file_path, f->obj.line, f->obj.column));
	json_object_set_new(o, "partialFingerprints", fingerprint(f));
	if (baseline)
		json_object_set_new(o, "baselineState", json_string(f->known ? "unchanged" : "new"));

	json_t *p = json_object();
	set_text(p, "apiVersion", f->rule ? f->obj.api_version : row->api_version);
	if (f->rule) {
		set_text(p, "path", f->rule_path);
		set_text(p, "effect", sunset_rule_effect_name(f->rule->effect));
		set_text(p, "ruleSource", f->rule->source);
	}
	set_text(p, "kind", f->obj.kind);
	set_text(p, "name", f->obj.name);
	set_text(p, "namespace", f->obj.namespace);
	set_text(p, "replacement", row->replacement);
	set_text(p, "replacementKind", row->replacement_kind);
	set_text(p, "component", row->component);
	json_object_set_new(p, "deprecated", json_boolean(f->status.deprecated));
	json_object_set_new(p, "removed", json_boolean(f->status.removed));
	json_object_set_new(p, "replacementAvailable", json_boolean(f->status.replacement_available));
	if (row->deprecated)
		json_object_set_new(p, "deprecatedIn", version_text(row->deprecated));
	if (row->removed)
		json_object_set_new(p, "removedIn", version_text(row->removed));
	if (row->replacement_available)
		json_object_set_new(p, "replacementAvailableIn", version_text(row->replacement_available));
	if (f->target)
		json_object_set_new(p, "targetVersion", version_text(f->target));
	json_object_set_new(p, "source", json_string(sunset_source_name(f->obj.source)));
	set_text(p, "template", f->obj.template_path);
	if (f->obj.release) {
		set_text(p, "release", f->obj.release);
		set_text(p, "releaseNamespace", f->obj.release_namespace);
		json_object_set_new(p, "revision", json_integer(f->obj.revision));
	}
	set_text(p, "manager", f->obj.manager);
	set_text(p, "operation", f->obj.operation);
	if (f->known)
		json_object_set_new(p, "known", json_true());
	json_object_set_new(o, "properties", p);
	return o;
}

static json_t *notification_json(const sunset_error *e)
{
	json_t *o = json_object();
	json_object_set_new(o, "level", json_string("error"));
	json_object_set_new(o, "message", message(e->message));
	json_object_set_new(o, "locations", physical_location(e->path, e->line, e->column));
	json_t *d = json_object();
	json_object_set_new(d, "id", json_string("invalid-input"));
	json_object_set_new(d, "index", json_integer(0));
	json_object_set_new(o, "descriptor", d);
	return o;
}

int sunset_format_sarif(FILE *out, const sunset_report *r, const sunset_report_options *opt)
{
	json_t *driver = json_object();
	json_object_set_new(driver, "name", json_string("sunset"));
	json_object_set_new(driver, "version", json_string(opt && opt->tool_version ? opt->tool_version : "0.0.0"));
	json_object_set_new(driver, "informationUri", json_string(SUNSET_INFORMATION_URI));
	json_t *rl = json_array();
	for (int i = 0; i < RULE_COUNT; i++)
		json_array_append_new(rl, rule_json(&rules[i]));
	met_rules met;
	collect_rules(r, &met);
	for (size_t i = 0; i < met.n; i++)
		json_array_append_new(rl, object_rule_json(met.rule[i]));
	json_object_set_new(driver, "rules", rl);
	json_t *invalid = json_object();
	json_object_set_new(invalid, "id", json_string("invalid-input"));
	json_object_set_new(invalid, "name", json_string("InvalidInput"));
	json_object_set_new(invalid, "shortDescription", message("An input could not be read or parsed"));
	json_object_set_new(invalid, "fullDescription",
			    message("sunset could not read or parse this input (or one document in it), so "
				    "the objects in it were not checked."));
	json_t *cfg = json_object();
	json_object_set_new(cfg, "level", json_string("error"));
	json_object_set_new(invalid, "defaultConfiguration", cfg);
	json_t *notes = json_array();
	json_array_append_new(notes, invalid);
	json_object_set_new(driver, "notifications", notes);
	json_t *tool = json_object();
	json_object_set_new(tool, "driver", driver);

	json_t *inv = json_object();
	json_object_set_new(inv, "executionSuccessful", json_boolean(r->nerror == 0));
	json_t *tn = json_array();
	for (size_t i = 0; i < r->nerror; i++)
		json_array_append_new(tn, notification_json(&r->error[i]));
	json_object_set_new(inv, "toolExecutionNotifications", tn);
	json_t *invs = json_array();
	json_array_append_new(invs, inv);

	json_t *results = json_array();
	for (size_t i = 0; i < r->nfinding; i++)
		json_array_append_new(results, result_json(&r->finding[i], opt && opt->baseline, &met));
	free(met.rule);

	json_t *run = json_object();
	json_object_set_new(run, "tool", tool);
	json_object_set_new(run, "invocations", invs);
	/* libyaml counts columns in characters, not UTF-16 units (SARIF's default) */
	json_object_set_new(run, "columnKind", json_string("unicodeCodePoints"));
	json_object_set_new(run, "results", results);
	json_t *runs = json_array();
	json_array_append_new(runs, run);

	json_t *root = json_object();
	json_object_set_new(root, "$schema",
			    json_string("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"));
	json_object_set_new(root, "version", json_string("2.1.0"));
	json_object_set_new(root, "runs", runs);
	int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	fputc('\n', out);
	json_decref(root);
	return rc;
}
