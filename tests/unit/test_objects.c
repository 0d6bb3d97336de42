/*
 * The expanders: which objects one document holds, where each one is, and
 * what it carries (List items, last-applied annotations, managedFields).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "builtin_table.h"

#include "sunset/scan.h"
#include "sunset/read.h"


/* Scans text as a file named "t.yaml" at k8s 1.36; findings as
 * "line:col source kind name [manager]" lines, sorted. */
static void scan(const char *text, bool json, const char *stdin_name, char *out, size_t outlen)
{
	sunset_scan_options opt;
	sunset_scan_options_init(&opt, table);
	static const char *const extra[] = {"kapp.k14s.io/original"};
	opt.annotations = extra;
	opt.nannotations = 1;
	sunset_report r;
	sunset_report_init(&r);
	sunset_origin origin = {.path = stdin_name ? stdin_name : "t.yaml",
				.source = stdin_name ? SUNSET_SOURCE_STDIN : SUNSET_SOURCE_FILE};
	sunset_input in = {.fd = -1, .mem = text, .mem_len = strlen(text)};
	sunset_scan_input(&opt, &r, &origin, &in, json);
	sunset_report_sort(&r);
	size_t off = 0;
	out[0] = '\0';
	for (size_t i = 0; i < r.nfinding && off < outlen; i++) {
		const sunset_object *o = &r.finding[i].obj;
		off += (size_t)snprintf(out + off, outlen - off, "%s:%u:%u %s %s %s%s%s%s\n", o->file_path, o->line, o->column,
					sunset_source_name(o->source), o->kind, o->name ? o->name : "-",
					o->manager ? " " : "", o->manager ? o->manager : "",
					o->template_path ? " tpl" : "");
	}
	for (size_t i = 0; i < r.nerror && off < outlen; i++)
		off += (size_t)snprintf(out + off, outlen - off, "error %u:%u %s\n", r.error[i].line, r.error[i].column,
					r.error[i].message);
	sunset_report_release(&r);
}

static void rows(void **state)
{
	(void)state;
	static const struct {
		const char *name, *text;
		bool json;
		const char *want;
	} cases[] = {
		{"plain", "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: a\n", false,
		 "t.yaml:1:13 file Ingress a\n"},
		{"keys in any order", "metadata: {name: b}\nkind: Ingress\n\napiVersion:   \"extensions/v1beta1\"\n", false,
		 "t.yaml:4:15 file Ingress b\n"},
		{"generateName", "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  generateName: job-\n", false,
		 "t.yaml:1:13 file CronJob job-\n"},
		{"List items, nested List", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: extensions/v1beta1\n  kind: Ingress\n  metadata: {name: i1}\n- apiVersion: v1\n  kind: List\n  items:\n  - apiVersion: batch/v1beta1\n    kind: CronJob\n    metadata: {name: i2}\n", false,
		 "t.yaml:4:15 file Ingress i1\nt.yaml:10:17 file CronJob i2\n"},
		{"typed List", "{\"apiVersion\":\"extensions/v1beta1\",\"kind\":\"IngressList\",\"items\":[{\"apiVersion\":\"extensions/v1beta1\",\"kind\":\"Ingress\",\"metadata\":{\"name\":\"j\"}}]}", true,
		 "t.yaml:1:80 file Ingress j\n"},
		{"last-applied, same kind",
		 "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: |\n      {\"apiVersion\":\"extensions/v1beta1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"}}\n", false,
		 "t.yaml:6:55 last-applied Deployment web\n"},
		{"last-applied of another kind is ignored",
		 "apiVersion: apps/v1\nkind: ControllerRevision\nmetadata:\n  name: ds-1\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"apiVersion\":\"extensions/v1beta1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"ds\"}}'\n", false,
		 ""},
		{"extra annotation (--annotation)",
		 "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: k\n  annotations:\n    kapp.k14s.io/original: '{\"apiVersion\":\"networking.k8s.io/v1beta1\",\"kind\":\"Ingress\",\"metadata\":{\"name\":\"k\"}}'\n", false,
		 "t.yaml:6:28 last-applied Ingress k kapp.k14s.io/original\n"},
		{"broken last-applied is an error at the annotation",
		 "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"apiVersion\": '\n", false,
		 "error 6:55 annotation kubectl.kubernetes.io/last-applied-configuration: invalid JSON: expected a value at end of input\n"},
		{"managedFields",
		 "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: h\n  managedFields:\n  - manager: helm\n    operation: Update\n    apiVersion: autoscaling/v2beta2\n  - manager: kubectl-client-side-apply\n    operation: Update\n    apiVersion: autoscaling/v1\n  - manager: kube-controller-manager\n    apiVersion: autoscaling/v2\n", false,
		 "t.yaml:8:17 managed-fields HorizontalPodAutoscaler h helm\n"},
		{"alias: the alias is the place to edit",
		 "x: &v batch/v1beta1\napiVersion: *v\nkind: CronJob\nmetadata: {name: al}\n", false,
		 "t.yaml:2:13 file CronJob al\n"},
		{"ignore comment on the apiVersion line only",
		 "apiVersion: batch/v1beta1 # sunset:ignore\nkind: CronJob\nmetadata: {name: quiet}\n---\n# sunset:ignore\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: loud}\n", false,
		 "t.yaml:6:13 file CronJob loud\n"},
		{"line numbers stay right past many words of text (newline count regression)",
		 "apiVersion: example.com/v1alpha1\nkind: CronJob\nmetadata: {name: old, namespace: shop}\n---\n"
		 "apiVersion: example.com/v1alpha0\nkind: CronJob\nmetadata: {name: older, namespace: shop}\n---\n"
		 "apiVersion: example.com/v1\nkind: CronJob\nmetadata: {name: current, namespace: shop}\n---\n"
		 "apiVersion: batch/v1beta1   # sunset:ignore\nkind: CronJob\nmetadata: {name: silenced, namespace: shop}\n"
		 "---\napiVersion: batch/v1beta1 # a comment\nkind: CronJob\nmetadata: {name: loud}\n", false,
		 "t.yaml:17:13 file CronJob loud\n"},
		{"not objects: scalars, sequences, missing kind",
		 "just text\n---\n- a\n- b\n---\napiVersion: extensions/v1beta1\nmetadata: {name: nokind}\n---\nkind: Ingress\n", false, ""},
		{"apiVersion that is not a string", "apiVersion: [extensions/v1beta1]\nkind: Ingress\n", false, ""},
	};
	char out[4096];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scan(cases[i].text, cases[i].json, NULL, out, sizeof(out));
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case \"%s\":\n got: %s\nwant: %s", cases[i].name, out, cases[i].want);
	}
}

/* helm template ... | sunset scan -: "# Source:" names the template and,
 * on stdin, the file. */
static void helm_rendered_stdin(void **state)
{
	(void)state;
	char out[1024];
	scan("---\n# Source: app/templates/a.yaml\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: a}\n"
	     "---\n# Source: app/templates/b.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n",
	     false, "<stdin>", out, sizeof(out));
	assert_string_equal(out, "app/templates/a.yaml:1:13 stdin CronJob a tpl\n"); /* lines count from "# Source:" */
	scan("---\n# Source: app/templates/a.yaml\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: a}\n",
	     false, NULL, out, sizeof(out));
	assert_string_equal(out, "t.yaml:3:13 file CronJob a tpl\n");
}

/* A List larger than the per-document limit is read one item at a time
 * (kubectl get -A -o json|yaml dumps of a big cluster). */
static void list_items_stream(void **state)
{
	(void)state;
	for (int json = 0; json < 2; json++) {
		sunset_buf text;
		sunset_buf_init(&text, 0);
		if (json)
			sunset_buf_puts(&text, "{\"apiVersion\": \"v1\", \"items\": [\n");
		else
			sunset_buf_puts(&text, "apiVersion: v1\nitems:\n");
		for (int i = 0; i < 2000; i++) {
			const char *av = i % 100 == 0 ? "batch/v1beta1" : "batch/v1";
			if (json)
				sunset_buf_printf(&text, "%s{\"apiVersion\": \"%s\", \"kind\": \"CronJob\", \"metadata\": "
						  "{\"name\": \"job-%04d\", \"annotations\": {\"a\": \"%0200d\"}}}\n",
						  i ? "," : "", av, i, 0);
			else
				sunset_buf_printf(&text, "- apiVersion: %s\n  kind: CronJob\n  metadata:\n    name: job-%04d\n"
						  "    annotations: {a: \"%0200d\"}\n", av, i, 0);
		}
		sunset_buf_puts(&text, json ? "], \"kind\": \"List\"}\n" : "kind: List\n");
		sunset_scan_options opt;
		sunset_scan_options_init(&opt, table);
		opt.limits.max_document_bytes = 64 << 10; /* far less than the whole List */
		sunset_report r;
		sunset_report_init(&r);
		sunset_origin origin = {.path = "dump", .source = SUNSET_SOURCE_FILE};
		sunset_input in = {.fd = -1, .mem = text.data, .mem_len = text.len};
		sunset_scan_input(&opt, &r, &origin, &in, json);
		sunset_report_sort(&r);
		assert_int_equal(r.nerror, 0);
		assert_int_equal(r.nfinding, 20);
		assert_string_equal(r.finding[0].obj.name, "job-0000");
		assert_string_equal(r.finding[19].obj.name, "job-1900");
		assert_int_equal(r.finding[1].obj.line, json ? 2 + 100 : 3 + 100 * 5);
		assert_int_equal(r.objects, 2001); /* the items and the List itself */
		sunset_report_release(&r);
		sunset_buf_release(&text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows),
		cmocka_unit_test(helm_rendered_stdin),
		cmocka_unit_test(list_items_stream),
	};
	return cmocka_run_group_tests(tests, builtin_table_setup, builtin_table_teardown);
}
