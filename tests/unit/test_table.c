/*
 * The table: the built-in data is consistent, both file formats load, later
 * rows override earlier ones, and bad files are rejected with file:line:col.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sunset/check.h"
#include "sunset/table.h"

static sunset_table *builtin(void)
{
	char err[512];
	sunset_table *t = sunset_table_new();
	if (sunset_table_load_builtin(t, err, sizeof(err)) < 0)
		fail_msg("builtin: %s", err);
	return t;
}

static bool is_ga(const char *api_version)
{
	const char *v = strrchr(api_version, '/');
	v = v ? v + 1 : api_version;
	return !strstr(v, "alpha") && !strstr(v, "beta");
}

/* Every row: deprecated <= removed; a named replacement is served from the
 * release the row says and still served at the component's latest. */
static void builtin_consistent(void **state)
{
	(void)state;
	sunset_table *t = builtin();
	const sunset_api_row *const *rows;
	size_t n = sunset_table_rows(t, &rows);
	assert_true(n > 50);
	for (size_t i = 0; i < n; i++) {
		const sunset_api_row *r = rows[i];
		const sunset_component *c = sunset_table_component(t, r->component);
		assert_non_null(c);
		assert_non_null(r->source);
		if (r->deprecated && r->removed && r->deprecated > r->removed)
			fail_msg("%s %s: deprecated after removed", r->api_version, r->kind);
		if (r->introduced && r->removed && r->introduced > r->removed)
			fail_msg("%s %s: introduced after removed", r->api_version, r->kind);
		if (!r->replacement)
			continue;
		const char *kind = r->replacement_kind ? r->replacement_kind : r->kind;
		const sunset_api_row *rep = sunset_table_lookup(t, r->replacement, kind);
		if (rep) {
			if (rep->removed && rep->removed <= c->latest)
				fail_msg("%s %s: replacement %s %s is removed at latest", r->api_version, r->kind,
					 r->replacement, kind);
			if (r->replacement_available && rep->introduced && rep->introduced > r->replacement_available)
				fail_msg("%s %s: replacement %s introduced after the row says", r->api_version, r->kind,
					 r->replacement);
		} else if (!is_ga(r->replacement) && strcmp(r->component, "k8s") == 0) {
			/* other components keep beta APIs current for years (Flux's
			 * notification v1beta3); Kubernetes replacements are GA */
			fail_msg("%s %s: replacement %s is neither in the table nor GA", r->api_version, r->kind,
				 r->replacement);
		}
	}
	sunset_table_free(t);
}

/* Facts that pluto and kubent got wrong, from k8s.io/api itself. */
static void builtin_known_rows(void **state)
{
	(void)state;
	sunset_table *t = builtin();
	static const struct {
		const char *api_version, *kind;
		unsigned dep, rem; /* minor of 1.x; 0 = unset */
		const char *replacement;
	} rows[] = {
		{"flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", 23, 26, "flowcontrol.apiserver.k8s.io/v1"},
		{"extensions/v1beta1", "Ingress", 14, 22, "networking.k8s.io/v1"},
		{"extensions/v1beta1", "Deployment", 8, 16, "apps/v1"},
		{"batch/v1beta1", "CronJob", 21, 25, "batch/v1"},
		{"policy/v1beta1", "PodSecurityPolicy", 21, 25, NULL},
		{"autoscaling/v2beta2", "HorizontalPodAutoscaler", 23, 26, "autoscaling/v2"},
		{"apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", 16, 22, "apiextensions.k8s.io/v1"},
		{"apiregistration.k8s.io/v1beta1", "APIService", 19, 22, "apiregistration.k8s.io/v1"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const sunset_api_row *r = sunset_table_lookup(t, rows[i].api_version, rows[i].kind);
		if (!r)
			fail_msg("row %zu: %s %s missing", i, rows[i].api_version, rows[i].kind);
		if (r->deprecated != SUNSET_VERSION(1, rows[i].dep, 0) || r->removed != SUNSET_VERSION(1, rows[i].rem, 0))
			fail_msg("row %zu: %s %s deprecated %u removed %u", i, rows[i].api_version, rows[i].kind,
				 SUNSET_VERSION_MINOR_OF(r->deprecated), SUNSET_VERSION_MINOR_OF(r->removed));
		if ((r->replacement == NULL) != (rows[i].replacement == NULL) ||
		    (r->replacement && strcmp(r->replacement, rows[i].replacement) != 0))
			fail_msg("row %zu: replacement %s", i, r->replacement ? r->replacement : "(none)");
	}
	/* apps/v1beta1 never served ReplicaSet */
	assert_null(sunset_table_lookup(t, "apps/v1beta1", "ReplicaSet"));
	sunset_table_free(t);
}

static void load_ours_and_override(void **state)
{
	(void)state;
	sunset_table *t = builtin();
	static const char text[] =
		"component: k8s\nlatest: \"1.36\"\napis:\n"
		"  - apiVersion: extensions/v1beta1\n    kind: Deployment\n    deprecated: \"1.10\"\n"
		"    removed: v1.20.0\n    replacement: apps/v1\n    replacementAvailable: \"1.9\"\n"
		"    source: test\n"
		"  - apiVersion: example.com/v1\n    kind: \"*\"\n    removed: \"1.30\"\n    source: test\n";
	char err[256];
	assert_int_equal(sunset_table_load(t, "extra.yaml", text, strlen(text), err, sizeof(err)), 0);
	const sunset_api_row *r = sunset_table_lookup(t, "extensions/v1beta1", "Deployment");
	assert_int_equal(r->deprecated, SUNSET_VERSION(1, 10, 0));
	assert_int_equal(r->removed, SUNSET_VERSION(1, 20, 0));
	assert_string_equal(r->origin, "extra.yaml");
	/* a wildcard kind matches every kind of its apiVersion */
	r = sunset_table_lookup(t, "example.com/v1", "Widget");
	assert_non_null(r);
	assert_string_equal(r->kind, "*");
	sunset_table_free(t);
}

static void load_pluto(void **state)
{
	(void)state;
	sunset_table *t = sunset_table_new();
	static const char text[] = "deprecated-versions:\n"
				   "- version: cert-manager.io/v1alpha2\n  kind: Certificate\n"
				   "  deprecated-in: v1.4.0\n  removed-in: v1.6.0\n"
				   "  replacement-api: cert-manager.io/v1\n  replacement-available-in: v1.0.0\n"
				   "  component: cert-manager\n"
				   "- version: extensions/v1beta1\n  kind: Ingress\n  deprecated-in: v1.14.0\n"
				   "  removed-in: v1.22.0\n  replacement-api: \"\"\n  replacement-available-in: \"\"\n"
				   "  component: k8s\n";
	char err[256];
	assert_int_equal(sunset_table_load(t, "versions.yaml", text, strlen(text), err, sizeof(err)), 0);
	const sunset_api_row *r = sunset_table_lookup(t, "cert-manager.io/v1alpha2", "Certificate");
	assert_non_null(r);
	assert_string_equal(r->component, "cert-manager");
	assert_int_equal(r->removed, SUNSET_VERSION(1, 6, 0));
	assert_int_equal(sunset_table_component(t, "cert-manager")->latest, SUNSET_VERSION(1, 6, 0));
	r = sunset_table_lookup(t, "extensions/v1beta1", "Ingress");
	assert_null(r->replacement);
	assert_int_equal(r->replacement_available, 0);
	sunset_table_free(t);
}

static void bad_files(void **state)
{
	(void)state;
	static const struct {
		const char *text, *err;
	} rows[] = {
		{"component: k8s\nlatest: \"1.36\"\napis:\n  - apiVersion: a/v1\n    kind: K\n    removed: soon\n    source: s\n",
		 "bad.yaml:6:14: \"removed\" is not a version like \"1.16\" or \"v1.16.0\""},
		{"component: k8s\nlatest: \"1.36\"\napis:\n  - apiVersion: a/v1\n    kind: K\n    source: s\n",
		 "bad.yaml:4:5: a row needs \"deprecated\" or \"removed\""},
		{"component: k8s\nlatest: \"1.36\"\napis:\n  - apiVersion: a/v1\n    kind: K\n    removed: \"1.2\"\n",
		 "bad.yaml:4:5: missing \"source\""},
		{"component: k8s\nlatest: \"1.36\"\napis:\n  - apiVersion: a/v1\n    kind: K\n    removed: \"1.2\"\n    source: s\n    colour: red\n",
		 "bad.yaml:8:5: unknown field \"colour\""},
		{"component: k8s\nlatest: \"1.36\"\napis:\n  - apiVersion: a/v1\n    kind: K\n    deprecated: \"1.9\"\n    removed: \"1.2\"\n    source: s\n",
		 "bad.yaml:6:17: deprecated after it was removed"},
		{"apis: [\n", "bad.yaml:2:1: invalid YAML: did not find expected node content while parsing a flow node (started at line 2)"},
		{"- just\n- a list\n", "bad.yaml:1:1: a table is a mapping with \"component\" and \"apis\", or pluto's \"deprecated-versions\""},
		{"", "bad.yaml:1:1: the table is empty"},
		{"deprecated-versions:\n- version: a/v1\n  kind: K\n  removed-in: nope\n", "bad.yaml:4:15: \"removed-in\" is not a version like \"1.16\" or \"v1.16.0\""},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_table *t = sunset_table_new();
		char err[512] = "";
		int rc = sunset_table_load(t, "bad.yaml", rows[i].text, strlen(rows[i].text), err, sizeof(err));
		if (rc != -1 || strcmp(err, rows[i].err) != 0)
			fail_msg("row %zu: rc %d err \"%s\", want \"%s\"", i, rc, err, rows[i].err);
		sunset_table_free(t);
	}
}

static void status_rows(void **state)
{
	(void)state;
	sunset_api_row row = {.deprecated = SUNSET_VERSION(1, 8, 0), .removed = SUNSET_VERSION(1, 16, 0),
			      .replacement = "apps/v1", .replacement_available = SUNSET_VERSION(1, 9, 0)};
	static const struct {
		unsigned minor, patch;
		bool finding, deprecated, removed, available;
	} rows[] = {
		{7, 0, false, false, false, false}, {8, 0, true, true, false, false}, {8, 5, true, true, false, false},
		{9, 0, true, true, false, true},    {15, 9, true, true, false, true}, {16, 0, true, true, true, true},
		{36, 0, true, true, true, true},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_status st;
		bool f = sunset_status_at(&row, SUNSET_VERSION(1, rows[i].minor, rows[i].patch), &st);
		if (f != rows[i].finding || st.deprecated != rows[i].deprecated || st.removed != rows[i].removed ||
		    st.replacement_available != rows[i].available)
			fail_msg("row %zu (1.%u.%u): finding %d dep %d rem %d avail %d", i, rows[i].minor, rows[i].patch, f,
				 st.deprecated, st.removed, st.replacement_available);
	}
}

static void targets(void **state)
{
	(void)state;
	static const struct {
		const char *spec;
		int rc;
		const char *component;
		unsigned minor;
	} rows[] = {
		{"1.33", 0, "k8s", 33},      {"v1.33.0", 0, "k8s", 33},      {"k8s=1.29", 0, "k8s", 29},
		{"istio=1.22", 0, "istio", 22}, {"k8s=", -1, NULL, 0},       {"=1.2", -1, NULL, 0},
		{"k8s=1.x", -1, NULL, 0},    {"", -1, NULL, 0},              {"K8S!=1.2", -1, NULL, 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_targets t = {0};
		char err[256];
		int rc = sunset_targets_parse(&t, rows[i].spec, err, sizeof(err));
		if (rc != rows[i].rc)
			fail_msg("row %zu \"%s\": rc %d", i, rows[i].spec, rc);
		if (rc == 0 && (t.n != 1 || strcmp(t.item[0].component, rows[i].component) != 0 ||
				t.item[0].version != SUNSET_VERSION(1, rows[i].minor, 0)))
			fail_msg("row %zu \"%s\": parsed wrong", i, rows[i].spec);
	}
	sunset_targets t = {0};
	char err[256];
	assert_int_equal(sunset_targets_parse(&t, "k8s=1.20,cert-manager=1.5,k8s=1.21", err, sizeof(err)), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.item[0].version, SUNSET_VERSION(1, 21, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtin_consistent), cmocka_unit_test(builtin_known_rows),
		cmocka_unit_test(load_ours_and_override), cmocka_unit_test(load_pluto),
		cmocka_unit_test(bad_files), cmocka_unit_test(status_rows), cmocka_unit_test(targets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
