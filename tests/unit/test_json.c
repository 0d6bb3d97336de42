/*
 * The JSON reader: input text -> documents (trees with exact 1-based
 * positions) and the error (exact position and message) it reports.  Every
 * row runs from memory and streamed from a file descriptor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "reader_dump.h"
#include "sunset/read.h"

typedef struct row {
	const char *name;
	const char *in;
	size_t len;
	const char *want;
} row;

#define TEXT(s) s, sizeof(s) - 1

static const row rows[] = {
	{"an object", TEXT("{\"apiVersion\": \"v1\", \"n\": 1, \"t\": true, \"z\": null}"),
	 "doc 0 lines 1-1: {@1:1 'apiVersion'@1:2: 'v1'@1:16, 'n'@1:22: 1@1:27, 't'@1:30: true@1:35, "
	 "'z'@1:41: null@1:46}\n"},
	{"empty input", TEXT(""), ""},
	{"only blanks", TEXT(" \n\t\r\n"), ""},
	{"concatenated values", TEXT("{\"a\":1}{\"b\":2} 3\n\"s\""),
	 "doc 0 lines 1-1: {@1:1 'a'@1:2: 1@1:6}\n"
	 "doc 1 lines 1-1: {@1:8 'b'@1:9: 2@1:13}\n"
	 "doc 2 lines 1-1: 3@1:16\n"
	 "doc 3 lines 2-2: 's'@2:1\n"},
	{"a top-level array: one document per element",
	 TEXT("[\n {\"kind\": \"A\"},\n {\"kind\": \"B\"}\n]\n"),
	 "doc 0 lines 2-2: {@2:2 'kind'@2:3: 'A'@2:11}\n"
	 "doc 1 lines 3-3: {@3:2 'kind'@3:3: 'B'@3:11}\n"},
	{"an empty top-level array", TEXT("[]"), ""},
	{"nested containers", TEXT("{\"a\": [1, [], {}, [{\"b\": -2.5e3}]]}"),
	 "doc 0 lines 1-1: {@1:1 'a'@1:2: [@1:7 1@1:8, [@1:11], {@1:15}, [@1:19 {@1:20 'b'@1:21: -2.5e3@1:26}]]}\n"},
	{"escapes", TEXT("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\u0000\"]"),
	 "doc 0 lines 1-1: '\"\\/\\x08\\x0c\\x0a\\x0d\\x09\\xc3\\xa9\\xf0\\x9f\\x98\\x80\\xef\\xbf\\xbd'@1:2\n"},
	{"BOM and CRLF", TEXT("\xef\xbb\xbf{\"a\":\r\n \"b\"}\r\n"),
	 "doc 0 lines 1-2: {@1:1 'a'@1:2: 'b'@2:2}\n"},
	{"columns count characters", TEXT("{\"\xc3\xa9\": \"\xe6\x97\xa5\xe6\x9c\xac\", \"k\": 1}"),
	 "doc 0 lines 1-1: {@1:1 '\\xc3\\xa9'@1:2: '\\xe6\\x97\\xa5\\xe6\\x9c\\xac'@1:7, 'k'@1:13: 1@1:18}\n"},
	{"invalid UTF-8 becomes U+FFFD per byte, as Go reads it",
	 TEXT("[\"a\xff" "b\xc3\xa9\xe6\x97\", \"\xc0\x80\xed\xa0\x80\xf4\x90\x80\x80\", \"\xe6\x97\xe6\x97\xa5\"]"),
	 "doc 0 lines 1-1: 'a\\xef\\xbf\\xbdb\\xc3\\xa9\\xef\\xbf\\xbd\\xef\\xbf\\xbd'@1:2\n"
	 "doc 1 lines 1-1: '\\xef\\xbf\\xbd\\xef\\xbf\\xbd\\xef\\xbf\\xbd\\xef\\xbf\\xbd\\xef\\xbf\\xbd"
	 "\\xef\\xbf\\xbd\\xef\\xbf\\xbd\\xef\\xbf\\xbd\\xef\\xbf\\xbd'@1:11\n"
	 "doc 2 lines 1-1: '\\xef\\xbf\\xbd\\xef\\xbf\\xbd\\xe6\\x97\\xa5'@1:18\n"},
	/* errors point at the offending byte */
	{"missing colon", TEXT("{\"a\" 1}"), "error 1:6: invalid JSON: expected ':' after key, found '1'\n"},
	{"trailing comma", TEXT("{\"a\": 1,}"), "error 1:9: invalid JSON: expected a string key, found '}'\n"},
	{"bad literal", TEXT("{\"a\": tru}"), "error 1:10: invalid JSON: invalid literal, found '}'\n"},
	{"missing comma in a top-level array", TEXT("[1 2]"),
	 "doc 0 lines 1-1: 1@1:2\n"
	 "error 1:4: invalid JSON: expected ',' or ']', found '2'\n"},
	{"bad escape", TEXT("{\"a\": \"\\q\"}"), "error 1:9: invalid JSON: invalid escape in string, found 'q'\n"},
	{"not JSON", TEXT("x"), "error 1:1: invalid JSON: expected a value, found 'x'\n"},
	{"after multi-byte characters", TEXT("{\"\xc3\xa9\": \"\xc3\xbc\" 1}"),
	 "error 1:11: invalid JSON: expected ',' or '}', found '1'\n"},
	{"a newline inside a string", TEXT("{\"a\": \"x\ny\"}"),
	 "error 1:9: invalid JSON: control character in string, found byte 0x0a\n"},
	{"a NUL byte inside a string", TEXT("{\"a\": \"x\0\"}"),
	 "error 1:9: invalid JSON: control character in string, found byte 0x00\n"},
	{"unterminated string", TEXT("{\"a\": \"xyz"),
	 "error 1:11: invalid JSON: unterminated string at end of input\n"},
	{"unterminated object", TEXT("{\"a\": 1\n"),
	 "error 2:1: invalid JSON: expected ',' or '}' at end of input\n"},
	{"a lone low surrogate", TEXT("[\"\\udc00\"]"), "error 1:8: invalid JSON: unpaired surrogate in \\u escape\n"},
	{"a high surrogate without its pair", TEXT("[\"\\ud800x\"]"),
	 "error 1:9: invalid JSON: unpaired surrogate in \\u escape, found 'x'\n"},
	{"a high surrogate with a bad pair", TEXT("[\"\\ud800\\u0041\"]"),
	 "error 1:14: invalid JSON: unpaired surrogate in \\u escape\n"},
	{"a bad hex digit", TEXT("[\"\\u12g4\"]"),
	 "error 1:7: invalid JSON: expected a hex digit in \\u escape, found 'g'\n"},
	{"an invalid number", TEXT("[-]"), "error 1:3: invalid JSON: invalid number, found ']'\n"},
	{"an error after documents keeps them", TEXT("{\"a\":1}\n{\"b\" 2}\n{\"c\":3}"),
	 "doc 0 lines 1-1: {@1:1 'a'@1:2: 1@1:6}\n"
	 "error 2:6: invalid JSON: expected ':' after key, found '2'\n"},
	{"UTF-16 is not JSON", "\xff\xfe{\0}\0", 6, "error 1:1: invalid JSON: expected a value, found byte 0xff\n"},
};

static void check_rows(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const row *r = &rows[i];
		failed += dump_expect(sunset_read_json, i, r->name, r->in, r->len, r->want);
	}
	if (failed)
		fail_msg("%d row(s) failed", failed);
}

/* Text embedded in another file (an annotation): positions shift. */
static void offsets(void **state)
{
	(void)state;
	static const char text[] = "{\"a\":\n 1}";
	sunset_input in = {.fd = -1, .mem = text, .mem_len = sizeof(text) - 1, .line_offset = 4,
			   .column_offset = 10};
	char *got = dump_input(sunset_read_json, &in, NULL, NULL);
	assert_string_equal(got, "doc 0 lines 5-6: {@5:11 'a'@5:12: 1@6:2}\n");
	free(got);
}

static void sink_stops(void **state)
{
	(void)state;
	static const char text[] = "{\"a\":1}{\"b\":2}[3]";
	sunset_limits lim;
	sunset_limits_default(&lim);
	dump_ctx d;
	memset(&d, 0, sizeof(d));
	sunset_buf_init(&d.out, 0);
	d.stop_after = 1;
	sunset_doc_sink sink = {.doc = dump_on_doc, .error = dump_on_error, .ctx = &d};
	sunset_input in = {.fd = -1, .mem = text, .mem_len = sizeof(text) - 1};
	assert_int_equal(sunset_read_json(&in, &lim, &sink), -1);
	assert_string_equal(d.out.data, "doc 0 lines 1-1: {@1:1 'a'@1:2: 1@1:6}\n");
	sunset_buf_release(&d.out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_rows),
		cmocka_unit_test(offsets),
		cmocka_unit_test(sink_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
