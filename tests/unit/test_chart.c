/*
 * The chart template scanner: semver ranges as Helm's semverCompare reads
 * them, conditions decided (or not) at a target, apiVersion/kind pairing in
 * template text, parse errors with their positions, the fixture chart
 * (helpers, library subchart) at several targets, and bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "builtin_table.h"

#include "chart/chart.h"
#include "sunset/expand.h"
#include "sunset/chart.h"
#include "sunset/report.h"
#include "sunset/scan.h"


static void options_at(sunset_scan_options *o, const char *target)
{
	char err[128];
	sunset_scan_options_init(o, table);
	if (target && sunset_targets_parse(&o->targets, target, err, sizeof(err)) < 0)
		fail_msg("bad target %s: %s", target, err);
}

static void semver_rows(void **state)
{
	(void)state;
	static const struct {
		const char *constraint, *version;
		int want;
	} rows[] = {
		/* the forms charts write */
		{">=1.14-0", "1.14.0", 1},
		{">=1.14-0", "1.13.9", 0},
		{">=1.14.0-0", "1.14.0", 1},
		{"<1.16-0", "1.15.3", 1},
		{"<1.16-0", "1.16.0", 0},
		{"< 1.8-0", "1.7.0", 1},
		{">= 1.21-0", "1.21.0", 1},
		{"^1.19-0", "1.36.0", 1},
		{"^1.19-0", "1.18.9", 0},
		{"^1.19-0", "2.0.0", 0},
		{">=1.8-0, <1.9-0", "1.8.5", 1},
		{">=1.8-0, <1.9-0", "1.9.0", 0},
		{">=1.4-0, <1.7-0", "1.36.0", 0},
		{">=1.8-0 <1.9-0", "1.8.0", 1},
		{"~1.x", "1.36.0", 1},
		{"~1.x", "2.0.0", 0},
		{"~1.2", "1.2.9", 1},
		{"~1.2", "1.3.0", 0},
		{"~1.2.3", "1.2.2", 0},
		{"~>1.2", "1.2.0", 1},
		{"^6.19.0-0 || ^7.19.0-0", "7.20.0", 1},
		{"^6.19.0-0 || ^7.19.0-0", "8.0.0", 0},
		/* ">" with missing parts compares only what is written */
		{"> 1.15.0-0", "1.15.0", 1},
		{">1.15", "1.15.9", 0},
		{">1.15", "1.16.0", 1},
		{">1", "1.99.0", 0},
		{"<=1.15", "1.15.9", 1},
		{"<=1.15", "1.16.0", 0},
		{"=<1.2", "1.2.5", 1},
		{"=>1.2", "1.2.0", 1},
		{"1.2 - 1.4.5", "1.4.5", 1},
		{"1.2 - 1.4.5", "1.4.6", 0},
		{"1.2 - 1.4.5", "1.1.9", 0},
		{"^0.2.3", "0.2.9", 1},
		{"^0.2.3", "0.3.0", 0},
		{"^0.0.3", "0.0.4", 0},
		{"^0.0.3", "0.0.3", 1},
		{"*", "1.2.3", 1},
		{"1.2.x", "1.2.7", 1},
		{"1.2.x", "1.3.0", 0},
		{"=1.2.3", "1.2.3", 1},
		{"1.2.3", "1.2.4", 0},
		{"!=1.2.3", "1.2.3", 0},
		{"!=1.2.3", "1.2.4", 1},
		{"!=1.2.x", "1.2.5", 0},
		{"!=1.2.x", "1.3.0", 1},
		{"v1.2.3", "v1.2.3", 1},
		/* prereleases (GKE/EKS versions) match only constraints naming one */
		{">=1.19", "1.20.0-gke.1", 0},
		{">=1.19-0", "1.20.0-gke.1", 1},
		{"<1.20-0", "1.20.0-alpha", 0},
		{">=1.20.0-alpha.2", "1.20.0-alpha.10", 1},
		{">=1.20.0-beta", "1.20.0-alpha.10", 0},
		{"^1.8-0", "1.8.0+build.5", 1},
		/* what Helm refuses */
		{"", "1.2.3", -1},
		{">=abc", "1.2.3", -1},
		{">=1.2 ||", "1.2.3", -1},
		{">=1.2,", "1.2.3", -1},
		{">=1.2", "banana", -1},
		{">=1.2", "", -1},
		{">=1.2", "1.2.3-", -1},
		{">=1234567890", "1.0.0", -1},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int got = sunset_semver_check(rows[i].constraint, strlen(rows[i].constraint), rows[i].version,
					      strlen(rows[i].version));
		if (got != rows[i].want)
			fail_msg("row %zu semverCompare \"%s\" \"%s\": %d, want %d", i, rows[i].constraint,
				 rows[i].version, got, rows[i].want);
	}
}

static void condition_rows(void **state)
{
	(void)state;
	enum { F = 0, T = 1, U = 2, ERR = -1 };
	static const struct {
		const char *target, *expr;
		int want;
	} rows[] = {
		{"1.36", "semverCompare \">=1.9-0\" .Capabilities.KubeVersion.GitVersion", T},
		{"1.8", "semverCompare \">=1.9-0\" .Capabilities.KubeVersion.GitVersion", F},
		{"1.9", "semverCompare \">=1.9-0\" .Capabilities.KubeVersion.Version", T},
		{"1.36", "semverCompare \"^1.8-0\" $.Capabilities.KubeVersion.GitVersion", T},
		{"1.36", "semverCompare \"^1.8-0\" .Capabilities.KubeVersion.GitVersion | not", F},
		{"1.36", "(semverCompare \">= 1.27-0\" .Capabilities.KubeVersion.Version)", T},
		{"1.36", "semverCompare \"<1.25-0\" .context.Capabilities.KubeVersion.GitVersion", F},
		/* a target written "1.21" is any 1.21.x: a patch bound is undecidable */
		{"1.21", "semverCompare \"<1.21.5\" .Capabilities.KubeVersion.GitVersion", U},
		{"1.21.7", "semverCompare \"<1.21.5\" .Capabilities.KubeVersion.GitVersion", F},
		{"1.21.2", "semverCompare \"<1.21.5\" .Capabilities.KubeVersion.GitVersion", T},
		{"1.36", "semverCompare \"garbage\" .Capabilities.KubeVersion.Version", U},
		{"1.36", "semverCompare \">=1.9\" .Release.Name", U},
		/* what the target serves, from the table */
		{"1.36", ".Capabilities.APIVersions.Has \"networking.k8s.io/v1/Ingress\"", T},
		{"1.18", ".Capabilities.APIVersions.Has \"networking.k8s.io/v1/Ingress\"", F},
		{"1.18", ".Capabilities.APIVersions.Has \"networking.k8s.io/v1beta1/Ingress\"", T},
		{"1.22", ".Capabilities.APIVersions.Has \"networking.k8s.io/v1beta1/Ingress\"", F},
		{"1.13", ".Capabilities.APIVersions.Has \"networking.k8s.io/v1beta1/Ingress\"", F},
		{"1.36", ".Capabilities.APIVersions.Has \"extensions/v1beta1\"", F},
		{"1.15", ".Capabilities.APIVersions.Has \"extensions/v1beta1\"", T},
		{"1.36", ".Capabilities.APIVersions.Has \"apps/v1/Deployment\"", T},
		{"1.8", ".Capabilities.APIVersions.Has \"apps/v1\"", F},
		{"1.20", ".Capabilities.APIVersions.Has \"policy/v1/PodDisruptionBudget\"", F},
		{"1.21", ".Capabilities.APIVersions.Has \"policy/v1/PodDisruptionBudget\"", T},
		{"1.36", ".Capabilities.APIVersions.Has \"monitoring.coreos.com/v1\"", T},
		{"1.36", "$.Capabilities.APIVersions.Has \"batch/v1beta1/CronJob\"", F},
		/* not, and, or over decidable and undecidable terms */
		{"1.36", "not (semverCompare \"<1.16-0\" .Capabilities.KubeVersion.Version)", T},
		{"1.36", "and .Values.enabled (semverCompare \"<1.25-0\" .Capabilities.KubeVersion.GitVersion)", F},
		{"1.20", "and .Values.enabled (semverCompare \"<1.25-0\" .Capabilities.KubeVersion.GitVersion)", U},
		{"1.36", "and (.Capabilities.APIVersions.Has \"policy/v1\") (semverCompare \">= 1.21-0\" .Capabilities.KubeVersion.Version)", T},
		{"1.36", "or .Values.x (semverCompare \">=1.21-0\" $.Capabilities.KubeVersion.Version)", T},
		{"1.20", "or .Values.x (semverCompare \">=1.21-0\" $.Capabilities.KubeVersion.Version)", U},
		{"1.36", "or false (semverCompare \"<1.9-0\" .Capabilities.KubeVersion.Version)", F},
		{"1.36", ".Values.x", U},
		{"1.36", "not .Values.x", U},
		{"1.36", "eq .Values.mode \"legacy\"", U},
		{"1.36", "true", T},
		{"1.36", "\"\"", F},
		/* comparisons, ternary */
		{"1.36", "eq .Capabilities.KubeVersion.Minor \"36\"", T},
		{"1.36", "ne .Capabilities.KubeVersion.Major \"1\"", F},
		{"1.36", "ge (int .Capabilities.KubeVersion.Minor) 21", T},
		{"1.20", "ge (int .Capabilities.KubeVersion.Minor) 21", F},
		{"1.36", "lt 2 3", T},
		{"1.36", "ternary true false (semverCompare \">=1.19-0\" .Capabilities.KubeVersion.GitVersion)", T},
		{"1.36", "ternary .Values.a false (semverCompare \"<1.19-0\" .Capabilities.KubeVersion.GitVersion)", F},
		{"1.36", "semverCompare \">=1.9-0\" (printf \"%s.%s\" .Capabilities.KubeVersion.Major .Capabilities.KubeVersion.Minor)", T},
		{"1.36", "semverCompare \">=1.9-0\" (trimPrefix \"v\" .Capabilities.KubeVersion.GitVersion)", T},
		/* an override the chart has no values.yaml for: undecidable */
		{"1.36", "semverCompare \">=1.9-0\" (default .Capabilities.KubeVersion.Version .Values.kubeVersion)", U},
		{"1.36", "empty .Capabilities.KubeVersion.Version", F},
		/* what we do not read */
		{"1.36", "include \"x\" .", U},
		{"1.36", "lookup \"v1\" \"Secret\" \"ns\" \"name\"", U},
		{"1.36", "semverCompare \">=1.9\" (", ERR},
		{"1.36", "\"unterminated", ERR},
		{"1.36", "", ERR},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_scan_options o;
		options_at(&o, rows[i].target);
		int got = sunset_chart_condition(&o, rows[i].expr);
		if (got != rows[i].want)
			fail_msg("row %zu at %s: {{if %s}}: %d, want %d", i, rows[i].target, rows[i].expr, got,
				 rows[i].want);
	}
}

/* "line:col apiVersion kind name ns[ ignored]; ..." for every object checked, by position */
static void checked_text(const sunset_report *r, char *out, size_t outlen)
{
	size_t n = 0, order[256];
	out[0] = '\0';
	assert_true(r->nchecked <= 256);
	for (size_t i = 0; i < r->nchecked; i++) {
		size_t k = i;
		const sunset_object *o = &r->checked[i];
		while (k > 0 && (r->checked[order[k - 1]].line > o->line ||
				 (r->checked[order[k - 1]].line == o->line && r->checked[order[k - 1]].column > o->column))) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	for (size_t i = 0; i < r->nchecked && n < outlen; i++) {
		const sunset_object *o = &r->checked[order[i]];
		n += (size_t)snprintf(out + n, outlen - n, "%s%u:%u %s %s %s %s%s", i ? "; " : "", o->line, o->column,
				      o->api_version, o->kind, o->name ? o->name : "-", o->namespace ? o->namespace : "-",
				      o->ignored ? " ignored" : "");
	}
}

static void scan_text_at(const char *target, const char *text, sunset_report *r)
{
	sunset_scan_options o;
	options_at(&o, target);
	sunset_report_init(r);
	r->keep_checked = true;
	sunset_chart_scan_text(&o, r, "t.yaml", text, strlen(text), NULL);
}

static void pairing_rows(void **state)
{
	(void)state;
	static const struct {
		const char *target, *text, *want;
	} rows[] = {
		{"1.36", "kind: Role\napiVersion: rbac.authorization.k8s.io/v1beta1\nmetadata:\n  name: r\n  namespace: ns\n",
		 "2:13 rbac.authorization.k8s.io/v1beta1 Role r ns"},
		/* nested apiVersions are not objects */
		{"1.36",
		 "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata:\n  ownerReferences:\n"
		 "    - apiVersion: extensions/v1beta1\n      kind: Deployment\nspec:\n  scaleTargetRef:\n"
		 "    apiVersion: extensions/v1beta1\n    kind: Deployment\n",
		 "1:13 autoscaling/v1 HorizontalPodAutoscaler - -"},
		/* exclusive branches pair within themselves */
		{"1.36",
		 "{{- if .Values.a }}\napiVersion: a.io/v1\nkind: A\n{{- else }}\napiVersion: b.io/v1\nkind: B\n{{- end }}\n",
		 "2:13 a.io/v1 A - -; 5:13 b.io/v1 B - -"},
		/* the apiVersion the target takes, kind outside the branches */
		{"1.36",
		 "{{- if semverCompare \"^1.9-0\" .Capabilities.KubeVersion.GitVersion }}\napiVersion: apps/v1\n"
		 "{{- else }}\napiVersion: apps/v1beta1\n{{- end }}\nkind: Deployment\n",
		 "2:13 apps/v1 Deployment - -"},
		{"1.8",
		 "{{- if semverCompare \"^1.9-0\" .Capabilities.KubeVersion.GitVersion }}\napiVersion: apps/v1\n"
		 "{{- else }}\napiVersion: apps/v1beta1\n{{- end }}\nkind: Deployment\n",
		 "4:13 apps/v1beta1 Deployment - -"},
		/* else if chains: the first that can be true, then the rest only if it can be false */
		{"1.36",
		 "{{- if .Capabilities.APIVersions.Has \"batch/v1/CronJob\" }}\napiVersion: batch/v1\n"
		 "{{- else if .Values.beta }}\napiVersion: batch/v1beta1\n{{- else }}\napiVersion: batch/v2alpha1\n"
		 "{{- end }}\nkind: CronJob\n",
		 "2:13 batch/v1 CronJob - -"},
		{"1.20",
		 "{{- if .Capabilities.APIVersions.Has \"batch/v1/CronJob\" }}\napiVersion: batch/v1\n"
		 "{{- else if .Values.beta }}\napiVersion: batch/v1beta1\n{{- else }}\napiVersion: batch/v2alpha1\n"
		 "{{- end }}\nkind: CronJob\n",
		 "4:13 batch/v1beta1 CronJob - -; 6:13 batch/v2alpha1 CronJob - -"},
		/* conditions we cannot read are undecidable, not errors */
		{"1.36", "{{- if (weird }}\napiVersion: a.io/v1\n{{- else if ) }}\napiVersion: b.io/v1\n{{- end }}\nkind: A\n",
		 "2:13 a.io/v1 A - -; 4:13 b.io/v1 A - -"},
		/* inline conditions on the apiVersion line */
		{"1.36",
		 "apiVersion: {{ if semverCompare \">=1.9-0\" .Capabilities.KubeVersion.GitVersion }}apps/v1{{ else }}"
		 "extensions/v1beta1{{ end }}\nkind: DaemonSet\n",
		 "1:13 apps/v1 DaemonSet - -"},
		{"1.8",
		 "apiVersion: {{ if semverCompare \">=1.9-0\" .Capabilities.KubeVersion.GitVersion }}apps/v1{{ else }}"
		 "extensions/v1beta1{{ end }}\nkind: DaemonSet\n",
		 "1:13 extensions/v1beta1 DaemonSet - -"},
		{"1.36", "apiVersion: {{ .Values.legacy | ternary \"extensions/v1beta1\" \"apps/v1\" }}\nkind: DaemonSet\n",
		 "1:13 extensions/v1beta1 DaemonSet - -; 1:13 apps/v1 DaemonSet - -"},
		/* separators, a range of documents, a leading separator */
		{"1.36", "---\napiVersion: v1\nkind: A\n---\napiVersion: x.io/v2\nkind: B\n...\n",
		 "2:13 v1 A - -; 5:13 x.io/v2 B - -"},
		{"1.36", "{{- range .Values.jobs }}\n---\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: {{ .name }}\n{{- end }}\n",
		 "3:13 batch/v1beta1 CronJob {{ .name }} -"},
		/* a document indented as a whole */
		{"1.36", "{{- if .Values.x }}\n  apiVersion: x.io/v1\n  kind: X\n  metadata:\n    name: n\n{{- end }}\n",
		 "2:15 x.io/v1 X n -"},
		/* comments, Go and YAML */
		{"1.36", "{{/* apiVersion: no.io/v1\nkind: No */}}\napiVersion: yes.io/v1\nkind: Yes\n# apiVersion: commented.io/v1\n",
		 "3:13 yes.io/v1 Yes - -"},
		{"1.36", "{{- /*\n---\n*/ -}}\napiVersion: yes.io/v1 # a comment\nkind: Yes # another\n",
		 "4:13 yes.io/v1 Yes - -"},
		/* defines in a template are not rendered where they stand */
		{"1.36", "{{- define \"x\" }}\napiVersion: no.io/v1\nkind: No\n{{- end }}\napiVersion: yes.io/v1\nkind: Yes\n",
		 "5:13 yes.io/v1 Yes - -"},
		/* block scalars are data */
		{"1.36", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a.yaml: |\n    apiVersion: extensions/v1beta1\n    kind: Deployment\n",
		 "1:13 v1 ConfigMap - -"},
		/* quotes, JSON-ish templates, CRLF */
		{"1.36", "apiVersion: \"apps/v1\"\nkind: 'Deployment'\nmetadata:\n  name: \"web\"\n", "1:13 apps/v1 Deployment web -"},
		{"1.36", "{\n  \"apiVersion\": \"batch/v1beta1\",\n  \"kind\": \"CronJob\",\n  \"metadata\": {\"name\": \"j\"}\n}\n",
		 "2:17 batch/v1beta1 CronJob - -"},
		{"1.36", "apiVersion: policy/v1beta1\r\nkind: PodSecurityPolicy\r\nmetadata:\r\n  name: p\r\n",
		 "1:13 policy/v1beta1 PodSecurityPolicy p -"},
		/* names: a literal, or the expression as written */
		{"1.36", "apiVersion: v1\nkind: Service\nmetadata:\n  labels:\n    name: not-this\n  name: {{ include \"x.fullname\" . }}-svc  \n",
		 "1:13 v1 Service {{ include \"x.fullname\" . }}-svc -"},
		/* variables carry decidable values */
		{"1.36",
		 "{{- $v1 := semverCompare \">=1.9-0\" .Capabilities.KubeVersion.GitVersion }}\n{{- if $v1 }}\n"
		 "apiVersion: apps/v1\n{{- else }}\napiVersion: extensions/v1beta1\n{{- end }}\nkind: Deployment\n",
		 "3:13 apps/v1 Deployment - -"},
		/* a kind built by a define of the same file */
		{"1.36",
		 "{{- define \"scope\" }}{{ if .Values.namespaced }}{{ else }}Cluster{{ end }}{{ end }}\n"
		 "kind: {{ include \"scope\" . | printf \"%sRole\" }}\napiVersion: rbac.authorization.k8s.io/v1beta1\n",
		 "3:13 rbac.authorization.k8s.io/v1beta1 Role - -; 3:13 rbac.authorization.k8s.io/v1beta1 ClusterRole - -"},
		/* kinds or apiVersions we cannot know are not guessed */
		{"1.36", "apiVersion: apps/v1\nkind: {{ .Values.kind }}\n", ""},
		{"1.36", "apiVersion: {{ .Values.apiVersion }}\nkind: Deployment\n", ""},
		{"1.36", "apiVersion: {{ .Release.Name }}/v1\nkind: Deployment\n", ""},
		/* ignore comments */
		{"1.36", "apiVersion: batch/v1beta1 # sunset:ignore\nkind: CronJob\n", "1:13 batch/v1beta1 CronJob - - ignored"},
		/* a List's items are objects */
		{"1.36",
		 "apiVersion: v1\nkind: List\nitems:\n- apiVersion: extensions/v1beta1\n  kind: Ingress\n  metadata:\n"
		 "    name: a\n-   kind: Ingress\n    apiVersion: networking.k8s.io/v1\nmetadata:\n  name: list\n",
		 "1:13 v1 List list -; 4:15 extensions/v1beta1 Ingress a -; 9:17 networking.k8s.io/v1 Ingress - -"},
		/* a range with the apiVersion inside and the kind outside still pairs */
		{"1.36", "{{- with .Values.override }}\napiVersion: {{ . }}\n{{- else }}\napiVersion: apps/v1\n{{- end }}\nkind: StatefulSet\n",
		 "4:13 apps/v1 StatefulSet - -"},
		/* UTF-8 before the value counts as one column a character */
		{"1.36", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \xc3\xa9t\xc3\xa9\n", "1:13 v1 ConfigMap \xc3\xa9t\xc3\xa9 -"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_report r;
		char got[4096];
		scan_text_at(rows[i].target, rows[i].text, &r);
		checked_text(&r, got, sizeof(got));
		if (r.nerror)
			fail_msg("row %zu: unexpected error %u:%u %s", i, r.error[0].line, r.error[0].column,
				 r.error[0].message);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu at %s:\n%s\ngot:  %s\nwant: %s", i, rows[i].target, rows[i].text, got,
				 rows[i].want);
		for (size_t k = 0; k < r.nchecked; k++)
			assert_int_equal(r.checked[k].source, SUNSET_SOURCE_CHART_TEMPLATE);
		sunset_report_release(&r);
	}
}

static void error_rows(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} rows[] = {
		{"apiVersion: v1\nkind: {{ .Values.kind\n", "2:7 unclosed action"},
		{"kind: A\n{{ end }}\n", "2:1 unexpected {{end}}"},
		{"{{ else }}\n", "1:1 unexpected {{else}}"},
		{"a: 1\n{{- if .X }}\nfoo: 1\n", "2:1 unclosed {{if}}: missing {{end}}"},
		{"{{ range .X }}{{ with .Y }}{{ end }}", "1:1 unclosed {{range}}: missing {{end}}"},
		{"{{ define \"x\" }}", "1:1 unclosed {{define}}: missing {{end}}"},
		{"x: 1\n{{/* never closed\n", "2:1 unclosed comment"},
		{"{{/* c */ }}\n", "1:1 comment ends before closing delimiter"},
		{"a: {{ \"abc }}\n", "1:7 unterminated quoted string"},
		{"a: {{ `abc }}\n", "1:7 unterminated raw quoted string"},
		{"a: {{ {{ }}\n", "1:4 unclosed action"},
		{"{{ template }}\n", "1:1 {{template}} without a quoted name"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_report r;
		scan_text_at("1.36", rows[i].text, &r);
		char got[512] = "";
		if (r.nerror)
			snprintf(got, sizeof(got), "%u:%u %s", r.error[0].line, r.error[0].column, r.error[0].message);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu: %s\ngot:  %s\nwant: %s", i, rows[i].text, got, rows[i].want);
		assert_int_equal(r.nchecked, 0); /* a template that does not parse renders nothing */
		assert_string_equal(r.error[0].path, "t.yaml");
		sunset_report_release(&r);
	}
}

/* The fixture chart: which apiVersion each template renders at each target. */
static void fixture_chart_rows(void **state)
{
	(void)state;
	static const struct {
		const char *target, *file, *want;
	} rows[] = {
		{"1.36", "deployment.yaml", "1:13 apps/v1 Deployment {{ include \"shop.fullname\" . }} -"},
		{"1.9", "deployment.yaml", "1:13 apps/v1 Deployment {{ include \"shop.fullname\" . }} -"},
		{"1.8", "deployment.yaml", "1:13 extensions/v1beta1 Deployment {{ include \"shop.fullname\" . }} -"},
		{"1.36", "ingress.yaml", "2:13 networking.k8s.io/v1 Ingress {{ include \"shop.fullname\" . }} -"},
		{"1.19", "ingress.yaml", "2:13 networking.k8s.io/v1 Ingress {{ include \"shop.fullname\" . }} -"},
		{"1.18", "ingress.yaml", "2:13 networking.k8s.io/v1beta1 Ingress {{ include \"shop.fullname\" . }} -"},
		{"1.13", "ingress.yaml", "2:13 extensions/v1beta1 Ingress {{ include \"shop.fullname\" . }} -"},
		{"1.36", "psp.yaml", "2:13 policy/v1beta1 PodSecurityPolicy {{ include \"shop.fullname\" . }} -"},
		{"1.9", "psp.yaml", "2:13 extensions/v1beta1 PodSecurityPolicy {{ include \"shop.fullname\" . }} -"},
		/* .Values default "v1beta1" after a literal group */
		{"1.36", "rbac.yaml",
		 "3:13 rbac.authorization.k8s.io/v1beta1 Role {{ include \"shop.fullname\" . }} {{ .Release.Namespace }}; "
		 "12:13 rbac.authorization.k8s.io/v1 RoleBinding shop-reader shop"},
		{"1.7", "rbac.yaml",
		 "3:13 rbac.authorization.k8s.io/v1beta1 Role {{ include \"shop.fullname\" . }} {{ .Release.Namespace }}; "
		 "12:13 rbac.authorization.k8s.io/v1beta1 RoleBinding shop-reader shop"},
		{"1.36", "cronjob.yaml", "2:13 batch/v1beta1 CronJob {{ include \"shop.fullname\" . }}-nightly - ignored"},
		/* whole objects written by the library subchart's defines, at the include */
		{"1.36", "pdb.yaml",
		 "1:1 policy/v1beta1 PodDisruptionBudget {{ include \"shop.fullname\" . }} -; "
		 "3:1 policy/v1 PodDisruptionBudget {{ include \"shop.fullname\" . }}-current -"},
		{"1.20", "pdb.yaml",
		 "1:1 policy/v1beta1 PodDisruptionBudget {{ include \"shop.fullname\" . }} -; "
		 "3:1 policy/v1beta1 PodDisruptionBudget {{ include \"shop.fullname\" . }}-current -"},
		{"1.36", "_helpers.tpl", ""},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_scan_options o;
		options_at(&o, rows[i].target);
		sunset_report r;
		sunset_report_init(&r);
		r.keep_checked = true;
		char path[256], got[4096];
		snprintf(path, sizeof(path), "fixtures/charts/shop/templates/%s", rows[i].file);
		sunset_chart_scan_file(&o, &r, path, "fixtures/charts/shop");
		checked_text(&r, got, sizeof(got));
		if (r.nerror)
			fail_msg("row %zu %s: error %s", i, path, r.error[0].message);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu %s at %s:\ngot:  %s\nwant: %s", i, rows[i].file, rows[i].target, got, rows[i].want);
		for (size_t k = 0; k < r.nchecked; k++) {
			char want_tp[256];
			snprintf(want_tp, sizeof(want_tp), "shop/templates/%s", rows[i].file);
			assert_string_equal(r.checked[k].template_path, want_tp);
			assert_string_equal(r.checked[k].file_path, path);
		}
		assert_int_equal(r.inputs, 1);
		sunset_report_release(&r);
	}
}

/* Template text read as part of the fixture chart: its helpers, its subchart's, its values. */
static void chart_context_rows(void **state)
{
	(void)state;
	static const struct {
		const char *target, *text, *want;
	} rows[] = {
		/* a condition on a helper that reads .Values.kubeVersion (unset: the cluster's) */
		{"1.36",
		 "{{- if eq (include \"common.capabilities.policy.apiVersion\" .) \"policy/v1\" }}\napiVersion: policy/v1\n"
		 "{{- else }}\napiVersion: policy/v1beta1\n{{- end }}\nkind: PodDisruptionBudget\n",
		 "2:13 policy/v1 PodDisruptionBudget - -"},
		{"1.20",
		 "{{- if eq (include \"common.capabilities.policy.apiVersion\" .) \"policy/v1\" }}\napiVersion: policy/v1\n"
		 "{{- else }}\napiVersion: policy/v1beta1\n{{- end }}\nkind: PodDisruptionBudget\n",
		 "4:13 policy/v1beta1 PodDisruptionBudget - -"},
		{"1.36",
		 "{{- if include \"common.capabilities.kubeVersion\" . | semverCompare \"<1.25-0\" }}\n"
		 "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n{{- end }}\n",
		 ""},
		{"1.24",
		 "{{- if include \"common.capabilities.kubeVersion\" . | semverCompare \"<1.25-0\" }}\n"
		 "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n{{- end }}\n",
		 "2:13 policy/v1beta1 PodSecurityPolicy - -"},
		/* a helper first asked for its truth is still read whole when its value counts */
		{"1.36",
		 "{{- if include \"common.capabilities.kubeVersion\" . }}{{ end }}\n"
		 "{{- if include \"common.capabilities.kubeVersion\" . | semverCompare \"<1.25-0\" }}\n"
		 "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n{{- end }}\n",
		 ""},
		/* a variable holding a helper's choice */
		{"1.8",
		 "{{- $api := include \"shop.deployment.apiVersion\" . }}\napiVersion: {{ $api }}\nkind: Deployment\n",
		 "2:13 extensions/v1beta1 Deployment - -"},
		/* .Values defaults: data, not conditions */
		{"1.36", "apiVersion: rbac.authorization.k8s.io/{{ .Values.rbac.apiVersion | default \"v1\" }}\nkind: ClusterRole\n",
		 "1:13 rbac.authorization.k8s.io/v1beta1 ClusterRole - -"},
		{"1.36", "apiVersion: {{ .Values.missing | default \"apps/v1\" }}\nkind: Deployment\n", "1:13 apps/v1 Deployment - -"},
		{"1.36", "{{- if .Values.rbac.create }}\napiVersion: a.io/v1\nkind: A\n{{- end }}\n", "2:13 a.io/v1 A - -"},
		{"1.36", "{{- if not .Values.rbac.create }}\napiVersion: a.io/v1\nkind: A\n{{- end }}\n", "2:13 a.io/v1 A - -"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_scan_options o;
		options_at(&o, rows[i].target);
		sunset_report r;
		sunset_report_init(&r);
		r.keep_checked = true;
		char got[4096];
		sunset_chart_scan_text(&o, &r, "fixtures/charts/shop/templates/t.yaml", rows[i].text, strlen(rows[i].text),
				       "fixtures/charts/shop");
		checked_text(&r, got, sizeof(got));
		assert_int_equal(r.nerror, 0);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu at %s:\n%s\ngot:  %s\nwant: %s", i, rows[i].target, rows[i].text, got, rows[i].want);
		sunset_report_release(&r);
	}
}

/* A subchart's template calls its parent's helpers; its template path names the parent. */
static void subchart_uses_parent_helpers(void **state)
{
	(void)state;
	static const char text[] = "apiVersion: {{ include \"shop.deployment.apiVersion\" . }}\nkind: Deployment\n"
				   "---\napiVersion: {{ include \"nowhere.apiVersion\" . }}\nkind: Deployment\n"
				   "---\napiVersion: {{ include \"nowhere.apiVersion\" . }}\nkind: DaemonSet\n";
	sunset_scan_options o;
	options_at(&o, "1.8");
	sunset_report r;
	sunset_report_init(&r);
	r.keep_checked = true;
	sunset_chart_scan_text(&o, &r, "fixtures/charts/shop/charts/common/templates/t.yaml", text, strlen(text),
			       "fixtures/charts/shop/charts/common");
	char got[1024];
	checked_text(&r, got, sizeof(got));
	assert_string_equal(got, "1:13 extensions/v1beta1 Deployment - -");
	assert_string_equal(r.checked[0].template_path, "shop/charts/common/templates/t.yaml");
	assert_int_equal(r.nerror, 0);
	sunset_report_release(&r);
}

/* A template named alone (no chart_root) finds its chart above templates/. */
static void lone_file_finds_its_chart(void **state)
{
	(void)state;
	sunset_scan_options o;
	options_at(&o, "1.8");
	sunset_report r;
	sunset_report_init(&r);
	r.keep_checked = true;
	sunset_chart_scan_file(&o, &r, "fixtures/charts/shop/templates/deployment.yaml", NULL);
	assert_int_equal(r.nchecked, 1);
	assert_string_equal(r.checked[0].api_version, "extensions/v1beta1");
	assert_string_equal(r.checked[0].template_path, "shop/templates/deployment.yaml");
	sunset_report_release(&r);

	sunset_report_init(&r);
	r.keep_checked = true;
	options_at(&o, NULL);
	sunset_chart_scan_file(&o, &r, "fixtures/charts/lone-template.yaml", NULL);
	char got[1024];
	checked_text(&r, got, sizeof(got));
	assert_string_equal(got, "3:13 extensions/v1beta1 Ingress legacy web; 13:13 networking.k8s.io/v1 Ingress legacy web");
	assert_null(r.checked[0].template_path);
	sunset_report_release(&r);
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* Hostile templates cost little and end in an error, never a crash or a hang. */
static void bounds(void **state)
{
	(void)state;
	sunset_scan_options o;
	options_at(&o, NULL);
	char dir[] = "/tmp/sunset-chart-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];

	/* larger than 8 MiB: an error naming the file */
	snprintf(path, sizeof(path), "%s/huge.yaml", dir);
	size_t big = ((size_t)8 << 20) + 10;
	char *buf = malloc(big);
	memset(buf, 'a', big);
	write_file(path, buf, big);
	sunset_report r;
	sunset_report_init(&r);
	sunset_chart_scan_file(&o, &r, path, NULL);
	assert_int_equal(r.nerror, 1);
	assert_string_equal(r.error[0].message, "template is larger than 8 MiB; skipped");
	sunset_report_release(&r);
	unlink(path);

	/* NUL bytes */
	snprintf(path, sizeof(path), "%s/bin.yaml", dir);
	write_file(path, "apiVersion: v1\n\0\0", 17);
	sunset_report_init(&r);
	sunset_chart_scan_file(&o, &r, path, NULL);
	assert_int_equal(r.nerror, 1);
	assert_string_equal(r.error[0].message, "binary file (NUL byte at offset 15); skipped");
	sunset_report_release(&r);
	unlink(path);
	rmdir(dir);

	/* nesting past the bound */
	size_t depth = 5000, n = 0;
	char *deep = malloc(depth * 24 + 64);
	for (size_t i = 0; i < depth; i++)
		n += (size_t)snprintf(deep + n, depth * 24 + 64 - n, "{{ if .Values.a }}\n");
	deep[n] = '\0';
	sunset_report_init(&r);
	sunset_chart_scan_text(&o, &r, "deep.yaml", deep, n, NULL);
	assert_int_equal(r.nerror, 1);
	assert_int_equal(r.error[0].line, 101);
	assert_string_equal(r.error[0].message, "blocks nested deeper than 100");
	sunset_report_release(&r);
	free(deep);

	/* defines that include each other twice, 40 deep: memoized, so cheap;
	 * and a define that includes itself ends */
	size_t cap = 1 << 20;
	char *t = malloc(cap);
	n = 0;
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(t + n, cap - n, "{{- define \"d%d\" -}}{{ include \"d%d\" . }}{{ include \"d%d\" . }}{{- end -}}\n",
				      i, i + 1, i + 1);
	n += (size_t)snprintf(t + n, cap - n,
			      "{{- define \"d40\" -}}{{ if .Values.x }}a{{ else }}b{{ end }}{{- end -}}\n"
			      "{{- define \"self\" -}}{{ include \"self\" . }}{{- end -}}\n"
			      "apiVersion: {{ include \"self\" . }}{{ include \"d0\" . }}\nkind: Deployment\n"
			      "---\napiVersion: batch/v1beta1\nkind: CronJob\n");
	time_t start = time(NULL);
	sunset_report_init(&r);
	r.keep_checked = true;
	sunset_chart_scan_text(&o, &r, "defs.yaml", t, n, NULL);
	assert_true(time(NULL) - start < 5);
	assert_int_equal(r.nerror, 0);
	assert_int_equal(r.nchecked, 1); /* the CronJob; the Deployment's apiVersion is unknowable */
	sunset_report_release(&r);

	/* a million "{{}}" actions on one line, and a long line with no key */
	n = 0;
	while (n + 8 < cap) {
		memcpy(t + n, "{{ . }}", 7);
		n += 7;
	}
	sunset_report_init(&r);
	sunset_chart_scan_text(&o, &r, "many.yaml", t, n, NULL);
	assert_int_equal(r.nerror, 0);
	sunset_report_release(&r);
	memset(t, 'k', cap);
	memcpy(t + cap - 20, ": v\napiVersion: v1", 18);
	sunset_report_init(&r);
	sunset_chart_scan_text(&o, &r, "long.yaml", t, cap - 2, NULL);
	assert_int_equal(r.nerror, 0);
	sunset_report_release(&r);

	/* more apiVersion keys in one document than the bound */
	n = 0;
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(t + n, cap - n, "apiVersion: v%d\n", i + 1);
	n += (size_t)snprintf(t + n, cap - n, "kind: A\n");
	sunset_report_init(&r);
	r.keep_checked = true;
	sunset_chart_scan_text(&o, &r, "keys.yaml", t, n, NULL);
	assert_int_equal(r.nerror, 1);
	assert_int_equal(r.error[0].line, 65);
	assert_string_equal(r.error[0].message, "more than 64 apiVersion keys in one document; the rest are not checked");
	assert_int_equal(r.nchecked, 64);
	sunset_report_release(&r);
	free(t);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(semver_rows),
		cmocka_unit_test(condition_rows),
		cmocka_unit_test(pairing_rows),
		cmocka_unit_test(error_rows),
		cmocka_unit_test(fixture_chart_rows),
		cmocka_unit_test(chart_context_rows),
		cmocka_unit_test(subchart_uses_parent_helpers),
		cmocka_unit_test(lone_file_finds_its_chart),
		cmocka_unit_test(bounds),
	};
	return cmocka_run_group_tests(tests, builtin_table_setup, builtin_table_teardown);
}
