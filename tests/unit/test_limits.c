/*
 * Limits that keep hostile input cheap (DESIGN "Robustness"): nesting depth,
 * aliases (never expanded, also not through List items), document size, a
 * single huge value, the number of documents, the number of errors shown.
 * Each limit gives an error naming the position and the limit, and the
 * documents after it (past the next "---") are still read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "builtin_table.h"

#include "sunset/scan.h"
#include "sunset/read.h"


static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Growable text for building inputs. */
typedef struct text {
	sunset_buf b;
} text;

static void t_init(text *t)
{
	sunset_buf_init(&t->b, 0);
}

static void t_rep(text *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sunset_buf_puts(&t->b, s);
}

/*
 * Scans text (memory input, or a temporary file when fd) named "t.yaml";
 * the result as "line:col kind name" per finding and "error line:col
 * message" per error, sorted.  lim: NULL for the defaults.  *secs gets the
 * time taken.
 */
static char *scan(const char *s, size_t len, bool json, bool fd, const sunset_limits *lim, double *secs)
{
	sunset_scan_options opt;
	sunset_scan_options_init(&opt, table);
	if (lim)
		opt.limits = *lim;
	sunset_report r;
	sunset_report_init(&r);
	sunset_origin origin = {.path = "t.yaml", .source = SUNSET_SOURCE_FILE};
	sunset_input in = {.fd = -1, .mem = s, .mem_len = len};
	FILE *f = NULL;
	if (fd) {
		f = tmpfile();
		assert_non_null(f);
		assert_int_equal(fwrite(s, 1, len, f), len);
		fflush(f);
		rewind(f);
		in.fd = fileno(f);
		in.mem = NULL;
		in.mem_len = 0;
	}
	double t0 = now();
	sunset_scan_input(&opt, &r, &origin, &in, json);
	if (secs)
		*secs = now() - t0;
	if (f)
		fclose(f);
	sunset_report_sort(&r);
	sunset_buf out;
	sunset_buf_init(&out, 0);
	sunset_buf_puts(&out, "");
	for (size_t i = 0; i < r.nfinding; i++) {
		const sunset_object *o = &r.finding[i].obj;
		sunset_buf_printf(&out, "%u:%u %s %s\n", o->line, o->column, o->kind, o->name ? o->name : "-");
	}
	for (size_t i = 0; i < r.nerror; i++)
		sunset_buf_printf(&out, "error %u:%u %s\n", r.error[i].line, r.error[i].column, r.error[i].message);
	sunset_report_release(&r);
	return out.data;
}

#define AFTER "---\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: after}\n"

static void deep_nesting(void **state)
{
	(void)state;
	static const struct {
		const char *name, *open;
		bool json;
		const char *tail, *want;
	} rows[] = {
		{"flow sequences", "[", false, "\n" AFTER,
		 "3:13 Ingress after\n"
		 "error 1:257 nesting is deeper than 256 levels; the rest of this document is skipped\n"},
		{"flow mappings", "{", false, "\n" AFTER,
		 "3:13 Ingress after\n"
		 "error 1:257 nesting is deeper than 256 levels; the rest of this document is skipped\n"},
		{"block sequences", "- ", false, "x\n" AFTER,
		 "3:13 Ingress after\n"
		 "error 1:513 nesting is deeper than 256 levels; the rest of this document is skipped\n"},
		{"JSON arrays (the outer one holds documents)", "[", true, "",
		 "error 1:258 nesting is deeper than 256 levels; the rest of this input is skipped\n"},
		{"JSON objects", "{\"a\":", true, "",
		 "error 1:1281 nesting is deeper than 256 levels; the rest of this input is skipped\n"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (int fd = 0; fd < 2; fd++) {
			text t;
			t_init(&t);
			t_rep(&t, rows[i].open, 100000);
			sunset_buf_puts(&t.b, rows[i].tail);
			double secs;
			char *got = scan(t.b.data, t.b.len, rows[i].json, fd, NULL, &secs);
			if (strcmp(got, rows[i].want) != 0)
				fail_msg("%s (%s):\n--- want\n%s--- got\n%s", rows[i].name, fd ? "fd" : "memory",
					 rows[i].want, got);
			if (secs > 2.0)
				fail_msg("%s: %.2f s for 100,000 levels", rows[i].name, secs);
			free(got);
			sunset_buf_release(&t.b);
		}
	}
}

/* Nine levels of ten-fold aliases: 10^9 nodes if anything expanded them. */
static void alias_bombs(void **state)
{
	(void)state;
	static const struct {
		const char *name, *level0, *level_fmt, *tail, *want;
	} rows[] = {
		{"billion laughs",
		 "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
		 "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
		 "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: *a9}\n",
		 "11:13 Ingress -\n"},
		{"through List items",
		 "apiVersion: v1\nkind: List\ndefs:\n  a0: &a0 {apiVersion: extensions/v1beta1, kind: Ingress, metadata: {name: x}}\n",
		 "  a%d: &a%d {apiVersion: v1, kind: List, items: [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]}\n",
		 "items: [*a9]\n", ""},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		text t;
		t_init(&t);
		sunset_buf_puts(&t.b, rows[i].level0);
		for (int l = 1; l <= 9; l++)
			sunset_buf_printf(&t.b, rows[i].level_fmt, l, l, l - 1, l - 1, l - 1, l - 1, l - 1, l - 1,
					  l - 1, l - 1, l - 1, l - 1);
		sunset_buf_puts(&t.b, rows[i].tail);
		double secs;
		char *got = scan(t.b.data, t.b.len, false, false, NULL, &secs);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("%s:\n--- want\n%s--- got\n%s", rows[i].name, rows[i].want, got);
		if (secs > 1.0)
			fail_msg("%s: %.2f s", rows[i].name, secs);
		free(got);
		sunset_buf_release(&t.b);
	}
}

/* An alias to an enclosing node: a List that is its own item. */
static void alias_cycles(void **state)
{
	(void)state;
	static const struct {
		const char *name, *in, *want;
	} rows[] = {
		{"a List whose items are itself",
		 "&a {apiVersion: v1, kind: List, items: [*a, *a, *a]}\n", ""},
		{"items that alias the enclosing items",
		 "apiVersion: v1\nkind: List\nitems: &s\n- {apiVersion: v1, kind: List, items: *s}\n"
		 "- {apiVersion: extensions/v1beta1, kind: Ingress, metadata: {name: i}}\n",
		 "5:16 Ingress i\n"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double secs;
		char *got = scan(rows[i].in, strlen(rows[i].in), false, false, NULL, &secs);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("%s:\n--- want\n%s--- got\n%s", rows[i].name, rows[i].want, got);
		if (secs > 1.0)
			fail_msg("%s: %.2f s", rows[i].name, secs);
		free(got);
	}
}

static void document_size(void **state)
{
	(void)state;
	sunset_limits lim;
	sunset_limits_default(&lim);
	lim.max_document_bytes = 64 << 10;
	for (int fd = 0; fd < 2; fd++) {
		/* many small nodes the expanders read (labels): the tree passes
		 * the limit (under a key they do not read, nothing is built) */
		text t;
		t_init(&t);
		sunset_buf_puts(&t.b, "metadata: {labels: [");
		t_rep(&t, "1, ", 50000);
		sunset_buf_puts(&t.b, "2]}\n" AFTER);
		char *got = scan(t.b.data, t.b.len, false, fd, &lim, NULL);
		assert_string_equal(got, "3:13 Ingress after\n"
					 "error 1:2055 document is larger than the 64 KiB limit; the rest of it is skipped\n");
		free(got);
		sunset_buf_release(&t.b);
		t_init(&t);
		sunset_buf_puts(&t.b, "status: [");
		t_rep(&t, "1, ", 50000);
		sunset_buf_puts(&t.b, "2]\n" AFTER);
		got = scan(t.b.data, t.b.len, false, fd, &lim, NULL);
		assert_string_equal(got, "3:13 Ingress after\n");
		free(got);
		sunset_buf_release(&t.b);

		/* one value: stopped before libyaml holds it whole; the document
		 * it cuts short is not delivered (no "cut" finding) */
		t_init(&t);
		sunset_buf_puts(&t.b, "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: cut}\nk: ");
		t_rep(&t, "abcdefgh", 200000);
		sunset_buf_puts(&t.b, "\n" AFTER);
		got = scan(t.b.data, t.b.len, false, fd, &lim, NULL);
		assert_string_equal(got, "6:13 Ingress after\n"
					 "error 4:81854 a single value is larger than the 64 KiB document limit; the rest of this document is skipped\n");
		free(got);
		sunset_buf_release(&t.b);

		/* JSON: a long string */
		t_init(&t);
		sunset_buf_puts(&t.b, "{\"k\": \"");
		t_rep(&t, "abcdefgh", 200000);
		sunset_buf_puts(&t.b, "\"}");
		got = scan(t.b.data, t.b.len, true, fd, &lim, NULL);
		assert_string_equal(got, "error 1:7 a string is larger than the 64 KiB document limit; the rest of this input is skipped\n");
		free(got);
		sunset_buf_release(&t.b);
	}
}

static void document_count(void **state)
{
	(void)state;
	sunset_limits lim;
	sunset_limits_default(&lim);
	lim.max_documents = 3;
	const char *three = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: a}\n---\nb: 1\n---\nc: 1\n";
	char *got = scan(three, strlen(three), false, false, &lim, NULL);
	assert_string_equal(got, "1:13 Ingress a\n");
	free(got);
	const char *four = "a: 1\n---\nb: 1\n---\nc: 1\n---\nd: 1\n";
	got = scan(four, strlen(four), false, false, &lim, NULL);
	assert_string_equal(got, "error 6:1 more than 3 documents; the rest of this input is skipped\n");
	free(got);
	const char *json3 = "{\"a\":1}\n{\"b\":1}\n{\"c\":1}\n";
	got = scan(json3, strlen(json3), true, false, &lim, NULL);
	assert_string_equal(got, "");
	free(got);
	const char *json4 = "[{\"a\":1},\n{\"b\":1},\n{\"c\":1},\n{\"d\":1}]";
	got = scan(json4, strlen(json4), true, false, &lim, NULL);
	assert_string_equal(got, "error 4:1 more than 3 documents; the rest of this input is skipped\n");
	free(got);
}

/* Past 100 errors the rest are counted, not shown, and reading goes on. */
static void many_errors(void **state)
{
	(void)state;
	text t;
	t_init(&t);
	t_rep(&t, "a: [\n---\n", 150);
	sunset_buf_puts(&t.b, "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: last}\n");
	for (int fd = 0; fd < 2; fd++) {
		char *got = scan(t.b.data, t.b.len, false, fd, NULL, NULL);
		size_t nerr = 0;
		for (const char *p = got; (p = strstr(p, "\nerror ")) != NULL; p++)
			nerr++;
		assert_int_equal(nerr, 101);
		assert_non_null(strstr(got, "301:13 Ingress last\n"));
		if (!strstr(got, "error 202:1 more than 100 errors in this input; the rest are not shown\n"))
			fail_msg("%s", got);
		free(got);
	}
	sunset_buf_release(&t.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deep_nesting),
		cmocka_unit_test(alias_bombs),
		cmocka_unit_test(alias_cycles),
		cmocka_unit_test(document_size),
		cmocka_unit_test(document_count),
		cmocka_unit_test(many_errors),
	};
	return cmocka_run_group_tests(tests, builtin_table_setup, builtin_table_teardown);
}
