/*
 * The report: exit-code ranks and the ignore flags, sorting, merging (and the
 * counts the summary shows).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sunset/report.h"

static const sunset_api_row removed_row = {.component = "k8s", .api_version = "extensions/v1beta1",
					   .kind = "Deployment", .deprecated = SUNSET_VERSION(1, 8, 0),
					   .removed = SUNSET_VERSION(1, 16, 0), .replacement = "apps/v1",
					   .replacement_available = SUNSET_VERSION(1, 9, 0)};
static const sunset_api_row psp_row = {.component = "k8s", .api_version = "policy/v1beta1",
				       .kind = "PodSecurityPolicy", .deprecated = SUNSET_VERSION(1, 21, 0),
				       .removed = SUNSET_VERSION(1, 25, 0)};

static void add(sunset_report *r, const sunset_api_row *row, unsigned target_minor, const char *path,
		uint32_t line)
{
	sunset_object o = {.api_version = row->api_version, .kind = row->kind, .name = "x", .file_path = path,
			   .line = line, .column = 13};
	sunset_status st;
	sunset_version target = SUNSET_VERSION(1, target_minor, 0);
	assert_true(sunset_status_at(row, target, &st));
	sunset_report_add_finding(r, &o, row, &st, target);
}

/* {findings, errors, policy} -> exit code */
static void exit_codes(void **state)
{
	(void)state;
	enum { DEP = 1, REM = 2, NOREP = 4, ERR = 8 };
	static const struct {
		unsigned what;
		sunset_exit_policy p;
		int want;
	} rows[] = {
		{0, {0}, 0},
		{ERR, {0}, 1},
		{ERR, {.ignore_errors = true}, 0},
		{DEP, {0}, 2},				/* deprecated, replacement served */
		{DEP | ERR, {0}, 2},			/* findings outrank errors */
		{DEP, {.ignore_deprecations = true}, 0},
		{REM, {0}, 3},
		{REM, {.ignore_removals = true}, 2}, /* a removed API is also deprecated */
		{REM, {.ignore_removals = true, .ignore_deprecations = true}, 0},
		{REM | ERR, {.ignore_removals = true, .ignore_deprecations = true}, 1},
		{NOREP, {0}, 3},			/* PSP at 1.25: removed, no replacement */
		{NOREP, {.ignore_removals = true}, 4},
		{NOREP, {.ignore_removals = true, .ignore_unavailable_replacements = true}, 2},
		{DEP | NOREP, {.ignore_removals = true, .ignore_deprecations = true}, 4},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_report r;
		sunset_report_init(&r);
		if (rows[i].what & DEP)
			add(&r, &removed_row, 10, "a.yaml", 1);
		if (rows[i].what & REM)
			add(&r, &removed_row, 16, "a.yaml", 2);
		if (rows[i].what & NOREP)
			add(&r, &psp_row, 25, "a.yaml", 3);
		if (rows[i].what & ERR)
			sunset_report_add_error(&r, "b.yaml", 4, 2, "invalid YAML");
		int got = sunset_report_exit_code(&r, &rows[i].p);
		if (got != rows[i].want)
			fail_msg("row %zu: exit %d, want %d", i, got, rows[i].want);
		/* a known (baseline) finding never changes the exit code */
		for (size_t j = 0; j < r.nfinding; j++)
			r.finding[j].known = true;
		sunset_exit_policy none = {0};
		int known = sunset_report_exit_code(&r, &none);
		if (known != ((rows[i].what & ERR) ? 1 : 0))
			fail_msg("row %zu: known findings exit %d", i, known);
		sunset_report_release(&r);
	}
}

static void sort_and_merge(void **state)
{
	(void)state;
	sunset_report a, b;
	sunset_report_init(&a);
	sunset_report_init(&b);
	add(&a, &removed_row, 16, "z.yaml", 1);
	add(&a, &removed_row, 16, "a.yaml", 10);
	add(&b, &removed_row, 16, "a.yaml", 9);
	add(&b, &removed_row, 16, "a.yaml", 10);
	b.finding[1].obj.column = 2;
	sunset_report_add_error(&b, "m.yaml", 3, 1, "second");
	sunset_report_add_error(&a, "m.yaml", 1, 1, "first");
	b.objects = 7;
	a.objects = 5;
	sunset_report_merge(&a, &b);
	sunset_report_release(&b); /* the strings moved with the arena */
	sunset_report_sort(&a);
	assert_int_equal(a.nfinding, 4);
	assert_string_equal(a.finding[0].obj.file_path, "a.yaml");
	assert_int_equal(a.finding[0].obj.line, 9);
	assert_int_equal(a.finding[1].obj.line, 10);
	assert_int_equal(a.finding[1].obj.column, 2);
	assert_int_equal(a.finding[2].obj.column, 13);
	assert_string_equal(a.finding[3].obj.file_path, "z.yaml");
	assert_int_equal(a.nerror, 2);
	assert_string_equal(a.error[0].message, "first");
	assert_string_equal(a.error[1].message, "second");
	assert_int_equal(a.objects, 12);
	sunset_report_release(&a);
}

/* {dst counts, src counts} -> dst after the merge: every count adds up and
 * src is left at zero (a worker's report is merged once) */
static void merge_counts(void **state)
{
	(void)state;
	typedef struct counts {
		uint64_t inputs, documents, objects, ignored, known;
	} counts;
	static const struct {
		counts dst, src, want;
	} rows[] = {
		{{0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}},
		{{0, 0, 0, 0, 0}, {1, 3, 4, 1, 0}, {1, 3, 4, 1, 0}},
		{{2, 5, 6, 0, 2}, {0, 0, 0, 0, 0}, {2, 5, 6, 0, 2}},
		{{2, 5, 6, 1, 2}, {1, 10, 12, 3, 4}, {3, 15, 18, 4, 6}},
		{{1, 0, 0, 0, 0}, {1, 0, 0, 0, 0}, {2, 0, 0, 0, 0}}, /* empty files */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_report a, b;
		sunset_report_init(&a);
		sunset_report_init(&b);
		a.inputs = rows[i].dst.inputs, a.documents = rows[i].dst.documents;
		a.objects = rows[i].dst.objects, a.ignored = rows[i].dst.ignored, a.known = rows[i].dst.known;
		b.inputs = rows[i].src.inputs, b.documents = rows[i].src.documents;
		b.objects = rows[i].src.objects, b.ignored = rows[i].src.ignored, b.known = rows[i].src.known;
		sunset_report_merge(&a, &b);
		const counts *w = &rows[i].want;
		if (a.inputs != w->inputs || a.documents != w->documents || a.objects != w->objects ||
		    a.ignored != w->ignored || a.known != w->known)
			fail_msg("row %zu: inputs %llu documents %llu objects %llu ignored %llu known %llu", i,
				 (unsigned long long)a.inputs, (unsigned long long)a.documents,
				 (unsigned long long)a.objects, (unsigned long long)a.ignored,
				 (unsigned long long)a.known);
		if (b.inputs || b.documents || b.objects || b.ignored || b.known)
			fail_msg("row %zu: the merged report still counts", i);
		sunset_report_release(&a);
		sunset_report_release(&b);
	}
}

static void messages(void **state)
{
	(void)state;
	sunset_report r;
	sunset_report_init(&r);
	add(&r, &removed_row, 16, "a.yaml", 1);
	add(&r, &removed_row, 8, "a.yaml", 2);
	add(&r, &psp_row, 22, "a.yaml", 3);
	char msg[512];
	sunset_finding_message(&r.finding[0], msg, sizeof(msg));
	assert_string_equal(msg, "extensions/v1beta1 Deployment was removed in v1.16.0; use apps/v1");
	sunset_finding_message(&r.finding[1], msg, sizeof(msg));
	assert_string_equal(msg, "extensions/v1beta1 Deployment is deprecated since v1.8.0 and will be removed in "
				 "v1.16.0; apps/v1 is only served from v1.9.0");
	sunset_finding_message(&r.finding[2], msg, sizeof(msg));
	assert_string_equal(msg, "policy/v1beta1 PodSecurityPolicy is deprecated since v1.21.0 and will be removed "
				 "in v1.25.0; no replacement");
	sunset_report_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exit_codes),
		cmocka_unit_test(sort_and_merge),
		cmocka_unit_test(merge_counts),
		cmocka_unit_test(messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
