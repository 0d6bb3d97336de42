/*
 * The YAML reader: input text -> the documents (trees with exact 1-based
 * positions) and errors (exact position and message) it reports.  Every
 * row runs twice, from memory and streamed from a file descriptor, and
 * both must print the same.
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
	size_t len; /* 0: strlen(in) */
	const char *want;
} row;

#define TEXT(s) s, sizeof(s) - 1

static const row rows[] = {
	{"mapping positions", TEXT("apiVersion: v1\nkind: \"Pod\"\n"),
	 "doc 0 lines 1-3: {@1:1 apiVersion@1:1: v1@1:13, kind@2:1: 'Pod'@2:7}\n"},
	{"empty input", TEXT(""), ""},
	{"only a comment", TEXT("# nothing here\n"), ""},
	{"documents, end markers, directive, empty documents",
	 TEXT("%YAML 1.1\n---\na: 1\n...\n---\n# only a comment\n---\n...\n"),
	 "doc 0 lines 1-4: {@3:1 a@3:1: 1@3:4}\n"
	 "doc 1 lines 5-7: @7:1\n"
	 "doc 2 lines 7-8: @8:1\n"},
	{"flow style, quotes, anchors and aliases",
	 TEXT("a: &x [1, \"two\", '3']\nb: *x\nc: *nope\nd: {e: [f]}\n"),
	 "doc 0 lines 1-5: {@1:1 a@1:1: &x [@1:4 1@1:8, 'two'@1:11, '3'@1:18], "
	 "b@2:1: *x@2:4(->1:4), c@3:1: *nope@3:4, d@4:1: {@4:4 e@4:5: [@4:8 f@4:9]}}\n"},
	{"an alias inside its own anchor's node is not resolved to it",
	 TEXT("&a [*a]\n"), "doc 0 lines 1-2: &a [@1:1 *a@1:5(->1:1)]\n"},
	{"duplicate keys are both kept", TEXT("a: 1\na: 2\n"),
	 "doc 0 lines 1-3: {@1:1 a@1:1: 1@1:4, a@2:1: 2@2:4}\n"},
	{"block scalars count as quoted", TEXT("k: |\n  one\n  two\nj: >-\n  folded\n"),
	 "doc 0 lines 1-6: {@1:1 k@1:1: 'one\\x0atwo\\x0a'@1:4, j@4:1: 'folded'@4:4}\n"},
	{"BOM and CRLF", TEXT("\xef\xbb\xbf" "a: b\r\nc: d\r\n---\r\ne: f\r\n"),
	 "doc 0 lines 1-3: {@1:1 a@1:1: b@1:4, c@2:1: d@2:4}\n"
	 "doc 1 lines 3-5: {@4:1 e@4:1: f@4:4}\n"},
	{"columns count characters, not bytes",
	 TEXT("k: \xe6\x97\xa5\xe6\x9c\xac x\nl: [\xc3\xa9, \xc3\xbc]\n---\n\xc3\xb1: \"\xe6\x97\xa5\": x\n"),
	 "doc 0 lines 1-3: {@1:1 k@1:1: \\xe6\\x97\\xa5\\xe6\\x9c\\xac x@1:4, "
	 "l@2:1: [@2:4 \\xc3\\xa9@2:5, \\xc3\\xbc@2:8]}\n"
	 "error 4:7: invalid YAML: mapping values are not allowed in this context\n"},
	{"UTF-16LE with a BOM",
	 "\xff\xfe" "a\0:\0 \0b\0\n\0", 12, "doc 0 lines 1-2: {@1:1 a@1:1: b@1:4}\n"},
	{"UTF-16BE with a BOM",
	 "\xfe\xff" "\0a\0:\0 \0b\0\n", 12, "doc 0 lines 1-2: {@1:1 a@1:1: b@1:4}\n"},
	{"# Source and # sunset:ignore comments",
	 TEXT("# Source: c/templates/a.yaml\na: 1 # sunset:ignore\n---\n# Source: c/templates/b.yaml\n"
	      "b: 2\n---\nc: 3\n"),
	 "doc 0 lines 2-3 source=c/templates/a.yaml ignore=2: {@2:1 a@2:1: 1@2:4}\n"
	 "doc 1 lines 3-6 source=c/templates/b.yaml: {@5:1 b@5:1: 2@5:4}\n"
	 "doc 2 lines 6-8: {@7:1 c@7:1: 3@7:4}\n"},
	{"a syntax error skips to the next --- line; positions after it are exact",
	 TEXT("a: b\n---\nx: [1, 2\ny: z\n---\n# Source: t.yaml\nc: d\n---\ne: f\n"),
	 "doc 0 lines 1-2: {@1:1 a@1:1: b@1:4}\n"
	 "error 4:2: invalid YAML: did not find expected ',' or ']' while parsing a flow sequence "
	 "(started at line 3)\n"
	 "doc 1 lines 5-8 source=t.yaml: {@7:1 c@7:1: d@7:4}\n"
	 "doc 2 lines 8-10: {@9:1 e@9:1: f@9:4}\n"},
	{"an error on the first line", TEXT("]\n---\na: b\n"),
	 "error 1:1: invalid YAML: did not find expected node content while parsing a block node "
	 "(started at line 1)\n"
	 "doc 0 lines 2-4: {@3:1 a@3:1: b@3:4}\n"},
	{"an error with no --- after it ends the input", TEXT("a: b\nc: [\n"),
	 "error 3:1: invalid YAML: did not find expected node content while parsing a flow node "
	 "(started at line 3)\n"},
	{"two errors in a row", TEXT("a: [\n---\nb: ]\n---\nc: d\n"),
	 "error 2:1: invalid YAML: did not find expected node content while parsing a flow node "
	 "(started at line 2)\n"
	 "error 3:4: invalid YAML: did not find expected node content while parsing a block node "
	 "(started at line 3)\n"
	 "doc 0 lines 4-6: {@5:1 c@5:1: d@5:4}\n"},
	{"invalid UTF-8: the documents before it are read, the error is where the byte is",
	 TEXT("a: b\n---\nc: d\n---\ne: f\ng: \"\xff\"\n---\nh: i\n"),
	 "doc 0 lines 1-2: {@1:1 a@1:1: b@1:4}\n"
	 "doc 1 lines 2-4: {@3:1 c@3:1: d@3:4}\n"
	 "error 6:5: invalid leading UTF-8 octet (byte 0xff)\n"
	 "doc 2 lines 7-9: {@8:1 h@8:1: i@8:4}\n"},
	{"invalid UTF-8 after multi-byte characters on its line",
	 TEXT("a: \xc3\xa9\xc3\xa9 \xc0\x80\n"),
	 "error 1:7: invalid length of a UTF-8 sequence (byte 0xc0)\n"},
	{"a truncated UTF-8 sequence at the end of the input", TEXT("a: b\n---\nc: \xe6\x97"),
	 "doc 0 lines 1-2: {@1:1 a@1:1: b@1:4}\n"
	 "error 3:4: incomplete UTF-8 octet sequence (byte 0xe6)\n"},
	{"a control character", TEXT("a: b\n---\nc: \x01\n---\nd: e\n"),
	 "doc 0 lines 1-2: {@1:1 a@1:1: b@1:4}\n"
	 "error 3:4: control characters are not allowed (byte 0x01)\n"
	 "doc 1 lines 4-6: {@5:1 d@5:1: e@5:4}\n"},
	{"a NUL byte", TEXT("a: b\n---\nc: d\0\n---\nd: e\n"),
	 "doc 0 lines 1-2: {@1:1 a@1:1: b@1:4}\n"
	 "error 3:5: control characters are not allowed (byte 0x00)\n"
	 "doc 1 lines 4-6: {@5:1 d@5:1: e@5:4}\n"},
	{"a bad byte on a --- line does not drop the document before it",
	 TEXT("a: b\n--- \x01\nc: d\n---\ne: f\n"),
	 "doc 0 lines 1-2: {@1:1 a@1:1: b@1:4}\n"
	 "error 2:5: control characters are not allowed (byte 0x01)\n"
	 "doc 1 lines 4-6: {@5:1 e@5:1: f@5:4}\n"},
};

static void check_rows(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const row *r = &rows[i];
		failed += dump_expect(sunset_read_yaml, i, r->name, r->in, r->len ? r->len : strlen(r->in), r->want);
	}
	if (failed)
		fail_msg("%d row(s) failed", failed);
}

/* Text embedded in another file: lines shift, columns shift on the first line only. */
static void offsets(void **state)
{
	(void)state;
	static const char text[] = "a: b\nc: [\n";
	sunset_input in = {.fd = -1, .mem = text, .mem_len = sizeof(text) - 1, .line_offset = 10,
			   .column_offset = 4};
	char *got = dump_input(sunset_read_yaml, &in, NULL, NULL);
	assert_string_equal(got, "error 13:1: invalid YAML: did not find expected node content while "
				 "parsing a flow node (started at line 13)\n");
	free(got);
	static const char text2[] = "a: b\nc: d\n";
	in.mem = text2;
	in.mem_len = sizeof(text2) - 1;
	got = dump_input(sunset_read_yaml, &in, NULL, NULL);
	assert_string_equal(got, "doc 0 lines 11-13: {@11:5 a@11:5: b@11:8, c@12:1: d@12:4}\n");
	free(got);
}

/* A sink that returns non-zero stops the read. */
static void sink_stops(void **state)
{
	(void)state;
	static const char text[] = "a: 1\n---\nb: 2\n---\nc: 3\n";
	sunset_limits lim;
	sunset_limits_default(&lim);
	dump_ctx d;
	memset(&d, 0, sizeof(d));
	sunset_buf_init(&d.out, 0);
	d.stop_after = 1;
	sunset_doc_sink sink = {.doc = dump_on_doc, .error = dump_on_error, .ctx = &d};
	sunset_input in = {.fd = -1, .mem = text, .mem_len = sizeof(text) - 1};
	assert_int_equal(sunset_read_yaml(&in, &lim, &sink), -1);
	assert_string_equal(d.out.data, "doc 0 lines 1-2: {@1:1 a@1:1: 1@1:4}\n");
	sunset_buf_release(&d.out);
}

/*
 * More than 2 MiB streamed from a descriptor, so that the 1 MiB window
 * slides many times: every document keeps its "# Source:", its ignore line
 * and exact positions, also after the restarts that broken documents cause
 * near window boundaries.
 */
static void window_boundaries(void **state)
{
	(void)state;
	sunset_buf in, want;
	sunset_buf_init(&in, 0);
	sunset_buf_init(&want, 0);
	uint32_t line = 1, doc = 0;
	unsigned errors = 0;
	for (unsigned i = 0; in.len < ((size_t)5 << 19); i++) {
		sunset_buf_puts(&in, "---\n");
		line++;
		if (i % 97 == 5 && errors < 100) {
			/* broken: libyaml stops at the next line */
			sunset_buf_printf(&in, "# Source: t/broken%u.yaml\nk: [%u\n", i, i);
			line += 2;
			sunset_buf_printf(&want, "error %u:1: invalid YAML: did not find expected ',' or ']' while parsing "
						 "a flow sequence (started at line %u)\n", line, line - 1);
			errors++;
			continue;
		}
		sunset_buf_printf(&in, "# Source: t/t%u.yaml\nk%u: v # sunset:ignore\npad: \"%0*u\"\n", i, i,
				  (int)(i % 40), 0u);
		sunset_buf_printf(&want, "doc %u lines %u-%u source=t/t%u.yaml ignore=%u: {@%u:1 k%u@%u:1: v@%u:%u, "
					 "pad@%u:1: '%0*u'@%u:6}\n",
				  doc, line - 1, line + 3, i, line + 1, line + 1, i, line + 1, line + 1,
				  (unsigned)snprintf(NULL, 0, "k%u: ", i) + 1, line + 2, (int)(i % 40), 0u, line + 2);
		line += 3;
		doc++;
	}
	char *got = dump_fd(sunset_read_yaml, in.data, in.len, NULL, NULL);
	if (strcmp(got, want.data) != 0) {
		/* print the first difference only: the texts are megabytes */
		size_t k = 0;
		while (got[k] && got[k] == want.data[k])
			k++;
		size_t from = k > 200 ? k - 200 : 0;
		print_error("differ at byte %zu:\n--- want\n%.400s\n--- got\n%.400s\n", k, want.data + from, got + from);
	}
	bool same = strcmp(got, want.data) == 0;
	free(got);
	sunset_buf_release(&in);
	sunset_buf_release(&want);
	assert_true(same);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_rows),
		cmocka_unit_test(offsets),
		cmocka_unit_test(sink_stops),
		cmocka_unit_test(window_boundaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
