/* Versions: parsing, ordering and formatting (table rows of input -> expected). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sunset/util.h"

static void parse_rows(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int rc;
		unsigned maj, min, pat;
	} rows[] = {
		{"1.16", 0, 1, 16, 0},	 {"v1.16", 0, 1, 16, 0},  {"v1.16.0", 0, 1, 16, 0},
		{"1.9.3", 0, 1, 9, 3},	 {"V2.0", 0, 2, 0, 0},	  {"0.11", 0, 0, 11, 0},
		{"", -1, 0, 0, 0},	 {"1", -1, 0, 0, 0},	  {"1.", -1, 0, 0, 0},
		{"1.16.", -1, 0, 0, 0},	 {"1.16.0.1", -1, 0, 0, 0}, {"one.two", -1, 0, 0, 0},
		{"1.16-rc1", -1, 0, 0, 0}, {"v", -1, 0, 0, 0},	  {"1.1024", -1, 0, 0, 0},
		{"0.0", -1, 0, 0, 0},	 {" 1.16", -1, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_version v = 0;
		int rc = sunset_version_parse(rows[i].in, strlen(rows[i].in), &v);
		if (rc != rows[i].rc)
			fail_msg("row %zu \"%s\": rc %d, want %d", i, rows[i].in, rc, rows[i].rc);
		if (rc == 0 && v != SUNSET_VERSION(rows[i].maj, rows[i].min, rows[i].pat))
			fail_msg("row %zu \"%s\": got %u", i, rows[i].in, v);
	}
}

static void numeric_order(void **state)
{
	(void)state;
	sunset_version a, b;
	assert_int_equal(sunset_version_parse("1.9", 3, &a), 0);
	assert_int_equal(sunset_version_parse("1.10", 4, &b), 0);
	assert_true(a < b);
	assert_int_equal(sunset_version_parse("v1.16.3", 7, &a), 0);
	assert_int_equal(sunset_version_parse("1.17", 4, &b), 0);
	assert_true(a < b);
}

static void format(void **state)
{
	(void)state;
	char out[24];
	sunset_version_format(SUNSET_VERSION(1, 16, 0), out);
	assert_string_equal(out, "v1.16.0");
	sunset_version_format_short(SUNSET_VERSION(1, 16, 0), out);
	assert_string_equal(out, "1.16");
	sunset_version_format_short(SUNSET_VERSION(0, 11, 2), out);
	assert_string_equal(out, "0.11.2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_rows),
		cmocka_unit_test(numeric_order),
		cmocka_unit_test(format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
