/*
 * sunset versions: the table, as people and scripts read it.
 * sunset version: tool version, table fingerprint, newest release per component.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sunset/rules.h"

#ifndef SUNSET_VERSION_STRING
#define SUNSET_VERSION_STRING "0.0.0"
#endif


static json_t *short_version(sunset_version v)
{
	char b[24];
	sunset_version_format_short(v, b);
	return json_string(b);
}

static void cell_out(const char *s, size_t width, bool last)
{
	if (last)
		printf("%s\n", s);
	else
		printf("%-*s  ", (int)width, s);
}

/* Which rows `sunset versions` prints. */
typedef struct row_filter {
	const char *component;
	sunset_version removed_in, deprecated_in; /* 0: any; compared by minor */
} row_filter;

static bool row_wanted(const row_filter *f, const sunset_api_row *r)
{
	const sunset_version minor = ~(sunset_version)0x3ffu;
	if (f->component && strcmp(f->component, r->component) != 0)
		return false;
	if (f->removed_in && (r->removed & minor) != (f->removed_in & minor))
		return false;
	if (f->deprecated_in && (r->deprecated & minor) != (f->deprecated_in & minor))
		return false;
	return true;
}

/* The cells of one row, as text and markdown print them. */
static void row_cells(const sunset_api_row *r, char cell[7][256])
{
	char a[24] = "-", b[24] = "-", d[24] = "-";
	if (r->deprecated)
		sunset_version_format_short(r->deprecated, a);
	if (r->removed)
		sunset_version_format_short(r->removed, b);
	if (r->replacement_available)
		sunset_version_format_short(r->replacement_available, d);
	snprintf(cell[0], 256, "%s", r->component);
	snprintf(cell[1], 256, "%s", r->api_version);
	snprintf(cell[2], 256, "%s", r->kind);
	snprintf(cell[3], 256, "%s", a);
	snprintf(cell[4], 256, "%s", b);
	if (r->replacement)
		snprintf(cell[5], 256, "%s%s%s", r->replacement, r->replacement_kind ? " " : "",
			 r->replacement_kind ? r->replacement_kind : "");
	else
		snprintf(cell[5], 256, "-");
	snprintf(cell[6], 256, "%s", d);
}

/* A table to paste into documentation; the source of every row included. */
static void print_markdown(const sunset_table *t, const row_filter *f)
{
	const sunset_api_row *const *rows;
	size_t n = sunset_table_rows(t, &rows);
	printf("| Component | apiVersion | Kind | Deprecated | Removed | Replacement | Available | Source |\n"
	       "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
	char cell[7][256];
	for (size_t i = 0; i < n; i++) {
		if (!row_wanted(f, rows[i]))
			continue;
		row_cells(rows[i], cell);
		putchar('|');
		for (int c = 0; c < 7; c++)
			printf(" %s |", cell[c]);
		putchar(' ');
		for (const char *p = rows[i]->source ? rows[i]->source : ""; *p; p++) {
			if (*p == '|' || *p == '\\')
				putchar('\\');
			putchar(*p == '\n' ? ' ' : *p);
		}
		printf(" |\n");
	}
}

static void print_text(const sunset_table *t, const row_filter *f)
{
	const sunset_api_row *const *rows;
	size_t n = sunset_table_rows(t, &rows);
	const char *hdr[] = {"COMPONENT", "APIVERSION", "KIND", "DEPRECATED", "REMOVED", "REPLACEMENT", "AVAILABLE"};
	size_t w[7];
	for (int c = 0; c < 7; c++)
		w[c] = strlen(hdr[c]);
	char cell[7][256];
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			for (int c = 0; c < 7; c++)
				cell_out(hdr[c], w[c], c == 6);
		for (size_t i = 0; i < n; i++) {
			const sunset_api_row *r = rows[i];
			if (!row_wanted(f, r))
				continue;
			row_cells(r, cell);
			for (int c = 0; c < 7; c++) {
				if (pass == 0) {
					if (strlen(cell[c]) > w[c])
						w[c] = strlen(cell[c]);
				} else {
					cell_out(cell[c], w[c], c == 6);
				}
			}
		}
	}
}

static void print_json(const sunset_table *t, const row_filter *f)
{
	json_t *root = json_object(), *apis = json_array(), *comps = json_object();
	const sunset_api_row *const *rows;
	size_t n = sunset_table_rows(t, &rows);
	for (size_t i = 0; i < n; i++) {
		const sunset_api_row *r = rows[i];
		if (!row_wanted(f, r))
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "apiVersion", json_string(r->api_version));
		json_object_set_new(o, "kind", json_string(r->kind));
		if (r->introduced)
			json_object_set_new(o, "introduced", short_version(r->introduced));
		if (r->deprecated)
			json_object_set_new(o, "deprecated", short_version(r->deprecated));
		if (r->removed)
			json_object_set_new(o, "removed", short_version(r->removed));
		if (r->replacement)
			json_object_set_new(o, "replacement", json_string(r->replacement));
		if (r->replacement_kind)
			json_object_set_new(o, "replacementKind", json_string(r->replacement_kind));
		if (r->replacement_available)
			json_object_set_new(o, "replacementAvailable", short_version(r->replacement_available));
		json_object_set_new(o, "stability", json_string(sunset_stability_name(r->stability)));
		json_object_set_new(o, "source", json_string(r->source ? r->source : ""));
		if (r->notes)
			json_object_set_new(o, "notes", json_string(r->notes));
		json_object_set_new(o, "component", json_string(r->component));
		json_array_append_new(apis, o);
	}
	const sunset_component *c;
	size_t nc = sunset_table_components(t, &c);
	for (size_t i = 0; i < nc; i++) {
		if (f->component && strcmp(f->component, c[i].id) != 0)
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "latest", short_version(c[i].latest));
		json_object_set_new(comps, c[i].id, o);
	}
	json_object_set_new(root, "apis", apis);
	json_object_set_new(root, "components", comps);
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
	json_decref(root);
}

/* ---- versions --rules: the rules, with the same filters (on their
 * deprecation and breaking releases) ---- */

#define RULE_CELLS 8

static void rule_cells(const sunset_rule *r, char cell[RULE_CELLS][512])
{
	static const char *const match[] = {"exists", "equals", "prefix", "contains", "key", "keyPrefix"};
	char a[24] = "-", b[24] = "-";
	if (r->deprecated)
		sunset_version_format_short(r->deprecated, a);
	if (r->breaks_in)
		sunset_version_format_short(r->breaks_in, b);
	snprintf(cell[0], 512, "%s", r->component);
	snprintf(cell[1], 512, "%s", r->id);
	size_t n = 0;
	cell[2][0] = '\0';
	for (size_t i = 0; i < r->nkinds && n < 500; i++)
		n += (size_t)snprintf(cell[2] + n, 512 - n, "%s%s", i ? "," : "", r->kinds[i]);
	n = 0;
	cell[3][0] = '\0';
	for (size_t i = 0; i < r->npath && n < 500; i++)
		n += (size_t)snprintf(cell[3] + n, 512 - n, "%s%s", i ? "," : "", r->path[i].text);
	if (r->value)
		snprintf(cell[4], 512, "%s %s", match[r->match], r->value);
	else
		snprintf(cell[4], 512, "%s", match[r->match]);
	snprintf(cell[5], 512, "%s", a);
	snprintf(cell[6], 512, "%s", b);
	snprintf(cell[7], 512, "%s", sunset_rule_effect_name(r->effect));
}

static void print_rules(const sunset_rules *rs, const row_filter *f, const char *format)
{
	static const char *const hdr[RULE_CELLS] = {"COMPONENT", "ID", "KINDS", "PATH", "MATCH",
						    "DEPRECATED", "BREAKS", "EFFECT"};
	const sunset_rule *const *rules;
	size_t n = sunset_rules_list(rs, &rules);
	char cell[RULE_CELLS][512];
	if (strcmp(format, "json") == 0) {
		json_t *root = json_object(), *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			const sunset_rule *r = rules[i];
			if (!row_wanted(f, &r->row))
				continue;
			rule_cells(r, cell);
			json_t *o = json_object(), *kinds = json_array(), *paths = json_array();
			json_object_set_new(o, "id", json_string(r->id));
			json_object_set_new(o, "component", json_string(r->component));
			for (size_t k = 0; k < r->nkinds; k++)
				json_array_append_new(kinds, json_string(r->kinds[k]));
			json_object_set_new(o, "kinds", kinds);
			for (size_t k = 0; k < r->npath; k++)
				json_array_append_new(paths, json_string(r->path[k].text));
			json_object_set_new(o, "paths", paths);
			json_object_set_new(o, "match", json_string(cell[4]));
			if (r->deprecated)
				json_object_set_new(o, "deprecated", short_version(r->deprecated));
			if (r->breaks_in)
				json_object_set_new(o, "breaksIn", short_version(r->breaks_in));
			json_object_set_new(o, "effect", json_string(sunset_rule_effect_name(r->effect)));
			json_object_set_new(o, "advice", json_string(r->advice));
			json_object_set_new(o, "source", json_string(r->source));
			json_array_append_new(arr, o);
		}
		json_object_set_new(root, "rules", arr);
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
		fputc('\n', stdout);
		json_decref(root);
		return;
	}
	if (strcmp(format, "markdown") == 0) {
		printf("| Component | Id | Kinds | Path | Match | Deprecated | Breaks | Effect | Advice | Source |\n"
		       "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
		for (size_t i = 0; i < n; i++) {
			if (!row_wanted(f, &rules[i]->row))
				continue;
			rule_cells(rules[i], cell);
			putchar('|');
			for (int c = 0; c < RULE_CELLS; c++)
				printf(" %s |", cell[c]);
			const char *tail[] = {rules[i]->advice, rules[i]->source};
			for (int t = 0; t < 2; t++) {
				putchar(' ');
				for (const char *p = tail[t]; *p; p++) {
					if (*p == '|' || *p == '\\')
						putchar('\\');
					putchar(*p == '\n' ? ' ' : *p);
				}
				printf(" |");
			}
			putchar('\n');
		}
		return;
	}
	size_t w[RULE_CELLS];
	for (int c = 0; c < RULE_CELLS; c++)
		w[c] = strlen(hdr[c]);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			for (int c = 0; c < RULE_CELLS; c++)
				cell_out(hdr[c], w[c], c == RULE_CELLS - 1);
		for (size_t i = 0; i < n; i++) {
			if (!row_wanted(f, &rules[i]->row))
				continue;
			rule_cells(rules[i], cell);
			for (int c = 0; c < RULE_CELLS; c++) {
				if (pass == 0)
					w[c] = strlen(cell[c]) > w[c] ? strlen(cell[c]) : w[c];
				else
					cell_out(cell[c], w[c], c == RULE_CELLS - 1);
			}
		}
	}
}

int cmd_versions(cli_options *o)
{
	if (cli_apply_env(o) < 0)
		return SUNSET_EXIT_ERROR;
	sunset_table *t;
	if (cli_load_table(o, &t) < 0)
		return SUNSET_EXIT_ERROR;
	int rc = SUNSET_EXIT_OK;
	row_filter f = {.component = o->component};
	if (o->component && !sunset_table_component(t, o->component)) {
		cli_diag("unknown component \"%s\"", o->component);
		rc = SUNSET_EXIT_ERROR;
	} else if (o->removed_in && sunset_version_parse(o->removed_in, strlen(o->removed_in), &f.removed_in) < 0) {
		cli_diag("invalid --removed-in \"%s\" (expected e.g. 1.25 or v1.25.0)", o->removed_in);
		rc = SUNSET_EXIT_ERROR;
	} else if (o->deprecated_in &&
		   sunset_version_parse(o->deprecated_in, strlen(o->deprecated_in), &f.deprecated_in) < 0) {
		cli_diag("invalid --deprecated-in \"%s\" (expected e.g. 1.22 or v1.22.0)", o->deprecated_in);
		rc = SUNSET_EXIT_ERROR;
	} else if (o->rules && o->output && strcmp(o->output, "text") != 0 && strcmp(o->output, "json") != 0 &&
		   strcmp(o->output, "markdown") != 0) {
		cli_diag("versions prints text, json or markdown, not \"%s\"", o->output);
		rc = SUNSET_EXIT_ERROR;
	} else if (o->rules) {
		sunset_rules *rs;
		if (cli_load_rules(&rs) < 0) {
			rc = SUNSET_EXIT_ERROR;
		} else {
			print_rules(rs, &f, o->output ? o->output : "text");
			sunset_rules_free(rs);
		}
	} else if (!o->output || strcmp(o->output, "text") == 0) {
		print_text(t, &f);
	} else if (strcmp(o->output, "json") == 0) {
		print_json(t, &f);
	} else if (strcmp(o->output, "markdown") == 0) {
		print_markdown(t, &f);
	} else {
		cli_diag("versions prints text, json or markdown, not \"%s\"", o->output);
		rc = SUNSET_EXIT_ERROR;
	}
	sunset_table_free(t);
	return rc;
}

int cmd_version(cli_options *o)
{
	(void)o;
	sunset_table *t;
	cli_options none;
	memset(&none, 0, sizeof(none));
	if (cli_load_table(&none, &t) < 0)
		return SUNSET_EXIT_ERROR;
	/* the table's fingerprint: a hash of the compiled-in data files */
	uint64_t h = 0;
	for (size_t i = 0; i < sunset_builtin_table_count; i++)
		h = sunset_hash(sunset_builtin_tables[i].text, sunset_builtin_tables[i].len, h);
	printf("sunset %s\ntable %016llx\n", SUNSET_VERSION_STRING, (unsigned long long)h);
	const sunset_component *c;
	size_t n = sunset_table_components(t, &c);
	for (size_t i = 0; i < n; i++) {
		char b[24];
		sunset_version_format_short(c[i].latest, b);
		printf("%s %s\n", c[i].id, b);
	}
	sunset_table_free(t);
	return SUNSET_EXIT_OK;
}
