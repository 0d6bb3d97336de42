/* The junit format on reports built by hand: what a library caller gets
 * without the checked objects, an empty run, and the XML escaping rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sunset/report.h"
#include "sunset/format.h"

static const sunset_api_row row = {
	.component = "k8s", .api_version = "extensions/v1beta1", .kind = "Deployment",
	.deprecated = SUNSET_VERSION(1, 8, 0), .removed = SUNSET_VERSION(1, 16, 0),
	.replacement = "apps/v1", .replacement_available = SUNSET_VERSION(1, 9, 0),
};

static char *render(const sunset_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(sunset_format_junit(f, r, NULL), 0);
	fclose(f);
	return text;
}

static void add(sunset_report *r, const char *name, bool checked)
{
	sunset_object o = {.api_version = "extensions/v1beta1", .kind = "Deployment", .name = name,
			   .namespace = "shop", .file_path = "deploy/web.yaml", .line = 2, .column = 13};
	sunset_status st = {.deprecated = true, .removed = true, .replacement_available = true};
	if (checked)
		sunset_report_add_checked(r, &o);
	sunset_report_add_finding(r, &o, &row, &st, SUNSET_VERSION(1, 33, 0));
}

/* A report made without keep_checked still shows each finding as a failure. */
static void findings_without_checked(void **state)
{
	(void)state;
	sunset_report r;
	sunset_report_init(&r);
	add(&r, "web", false);
	char *xml = render(&r);
	assert_non_null(strstr(xml, "<testsuites name=\"sunset\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\">"));
	assert_non_null(strstr(xml, "<testcase name=\"Deployment shop/web (extensions/v1beta1)\" classname=\"deploy/web.yaml\""));
	assert_non_null(strstr(xml, "<failure type=\"removed-api\" message=\"extensions/v1beta1 Deployment was removed in v1.16.0; use apps/v1\">"));
	free(xml);
	sunset_report_release(&r);
}

static void empty_run(void **state)
{
	(void)state;
	sunset_report r;
	sunset_report_init(&r);
	char *xml = render(&r);
	assert_string_equal(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				 "<testsuites name=\"sunset\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">\n"
				 "</testsuites>\n");
	free(xml);
	sunset_report_release(&r);
}

static void escaping_rows(void **state)
{
	(void)state;
	static const struct {
		const char *name, *want;
	} rows[] = {
		{"a<b>&c", "a&lt;b&gt;&amp;c"},
		{"q\"'", "q&quot;&apos;"},
		{"tab\tnl\ncr\r", "tab&#9;nl&#10;cr&#13;"},
		{"ctl\x01\x1f", "ctl\xef\xbf\xbd\xef\xbf\xbd"},
		{"bad\xff\xc3", "bad\xef\xbf\xbd\xef\xbf\xbd"},
		{"noncharacter\xef\xbf\xbe", "noncharacter\xef\xbf\xbd"},
		{"caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"},
		{"]]>", "]]&gt;"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_report r;
		sunset_report_init(&r);
		add(&r, rows[i].name, true);
		char *xml = render(&r);
		char want[256];
		snprintf(want, sizeof(want), "name=\"Deployment shop/%s (extensions/v1beta1)\"", rows[i].want);
		if (!strstr(xml, want))
			fail_msg("row %zu: no %s in\n%s", i, want, xml);
		free(xml);
		sunset_report_release(&r);
	}
}

/* The index that finds each object's findings masks the hash down to its
 * low bits: 20,000 unnamed objects of one file, told apart only by their
 * line, must spread over them (they all fell in one slot, and -o junit was
 * quadratic: 7 s for 20k objects, 138 s for 80k). */
static void index_hash_spreads_lines(void **state)
{
	(void)state;
	enum { N = 20000, MASK = 32767 };
	unsigned char *used = calloc(MASK + 1, 1);
	assert_non_null(used);
	size_t distinct = 0;
	for (uint32_t i = 0; i < N; i++) {
		sunset_object o = {.api_version = "extensions/v1beta1", .kind = "Deployment",
				   .file_path = "big.yaml", .line = 3 + 5 * i, .column = 13};
		size_t s = (size_t)sunset_object_hash(&o) & MASK;
		if (!used[s]++)
			distinct++;
	}
	/* a uniform hash leaves about 15,400 distinct slots */
	assert_true(distinct > 14000);
	free(used);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(findings_without_checked),
		cmocka_unit_test(empty_run),
		cmocka_unit_test(escaping_rows),
		cmocka_unit_test(index_hash_spreads_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
