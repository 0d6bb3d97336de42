/* UTF-8 decoding: rows of bytes -> (length, code point); length 0 = not UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sunset/util.h"

static void decode_rows(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t n, len;
		uint32_t cp;
	} rows[] = {
		{"A", 1, 1, 'A'},
		{"\x01", 1, 1, 1},
		{"\xc3\xa9", 2, 2, 0xe9},
		{"\xe2\x82\xac", 3, 3, 0x20ac},
		{"\xef\xbf\xbe", 3, 3, 0xfffe},
		{"\xf0\x9f\x98\x80", 4, 4, 0x1f600},
		{"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff},
		{"\xc3", 1, 0, 0},		/* cut short */
		{"\xe2\x82", 2, 0, 0},		/* cut short */
		{"\xe2\x82\xac", 2, 0, 0},	/* n says the third byte is not there */
		{"\x80", 1, 0, 0},		/* a continuation byte alone */
		{"\xff", 1, 0, 0},
		{"\xc0\xaf", 2, 0, 0},		/* overlong '/' */
		{"\xe0\x80\xaf", 3, 0, 0},	/* overlong '/' */
		{"\xed\xa0\x80", 3, 0, 0},	/* UTF-16 surrogate */
		{"\xf4\x90\x80\x80", 4, 0, 0},	/* past U+10FFFF */
		{"\xc3\x28", 2, 0, 0},		/* second byte not a continuation */
		{"", 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t cp = 0;
		size_t len = sunset_utf8_decode(rows[i].in, rows[i].n, &cp);
		if (len != rows[i].len)
			fail_msg("row %zu: length %zu, want %zu", i, len, rows[i].len);
		if (len && cp != rows[i].cp)
			fail_msg("row %zu: U+%04X, want U+%04X", i, (unsigned)cp, (unsigned)rows[i].cp);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
