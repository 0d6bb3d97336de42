/*
 * For the reader tests: runs a reader over text (memory or a pipe/file
 * descriptor) and writes everything it reported as one string, so that a
 * table row is {input, expected text}:
 *
 *   doc 0 lines 1-3: {@1:1 apiVersion@1:1: v1@1:13}
 *   error 4:7: invalid YAML: ...
 *
 * Scalars print as value@line:col ('quoted'), mappings {@pos k: v, ...},
 * sequences [@pos a, b], aliases *name@pos (->line:col of the target),
 * anchors &name before the node.  Values longer than 40 bytes print as
 * <N bytes>, bytes outside printable ASCII as \xNN.
 *
 * The returned string is malloc'd; the caller frees it.
 */
#ifndef SUNSET_TEST_READER_DUMP_H
#define SUNSET_TEST_READER_DUMP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/doc.h"
#include "sunset/util.h"
#include "sunset/read.h"

typedef struct dump_ctx {
	sunset_buf out;
	int stop_after; /* stop the read after this many documents (0: never) */
	int ndocs;
} dump_ctx;

static inline void dump_str(sunset_buf *b, const char *s, size_t len)
{
	if (len > 40) {
		sunset_buf_printf(b, "<%zu bytes>", len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			sunset_buf_append(b, &s[i], 1);
		else
			sunset_buf_printf(b, "\\x%02x", c);
	}
}

static inline void dump_node(sunset_buf *b, const sunset_node *n)
{
	if (!n) {
		sunset_buf_puts(b, "(null)");
		return;
	}
	if (n->anchor)
		sunset_buf_printf(b, "&%s ", n->anchor);
	switch (n->type) {
	case SUNSET_NODE_SCALAR:
		if (n->quoted)
			sunset_buf_puts(b, "'");
		dump_str(b, n->str, n->len);
		if (n->quoted)
			sunset_buf_puts(b, "'");
		sunset_buf_printf(b, "@%u:%u", n->line, n->column);
		break;
	case SUNSET_NODE_ALIAS:
		sunset_buf_printf(b, "*%s@%u:%u", n->str, n->line, n->column);
		if (n->target)
			sunset_buf_printf(b, "(->%u:%u)", n->target->line, n->target->column);
		break;
	case SUNSET_NODE_MAPPING:
		sunset_buf_printf(b, "{@%u:%u", n->line, n->column);
		for (size_t i = 0; i + 1 < n->nchild; i += 2) {
			sunset_buf_puts(b, i ? ", " : " ");
			dump_node(b, n->child[i]);
			sunset_buf_puts(b, ": ");
			dump_node(b, n->child[i + 1]);
		}
		sunset_buf_puts(b, "}");
		break;
	case SUNSET_NODE_SEQUENCE:
		sunset_buf_printf(b, "[@%u:%u", n->line, n->column);
		for (size_t i = 0; i < n->nchild; i++) {
			sunset_buf_puts(b, i ? ", " : " ");
			dump_node(b, n->child[i]);
		}
		sunset_buf_puts(b, "]");
		break;
	}
}

static inline int dump_on_doc(void *ctx, const sunset_doc *doc)
{
	dump_ctx *d = ctx;
	sunset_buf_printf(&d->out, "doc %u lines %u-%u", doc->index, doc->start_line, doc->end_line);
	if (doc->template_path)
		sunset_buf_printf(&d->out, " source=%s", doc->template_path);
	for (size_t i = 0; i < doc->nignore; i++)
		sunset_buf_printf(&d->out, "%s%u", i ? "," : " ignore=", doc->ignore_lines[i]);
	sunset_buf_puts(&d->out, ": ");
	if (doc->root)
		dump_node(&d->out, doc->root);
	else
		sunset_buf_puts(&d->out, "(empty)");
	sunset_buf_puts(&d->out, "\n");
	d->ndocs++;
	return d->stop_after && d->ndocs >= d->stop_after;
}

static inline void dump_on_error(void *ctx, uint32_t line, uint32_t column, const char *message)
{
	dump_ctx *d = ctx;
	sunset_buf_printf(&d->out, "error %u:%u: %s\n", line, column, message);
}

typedef int (*dump_reader_fn)(const sunset_input *, const sunset_limits *, sunset_doc_sink *);

/* Reads `in` with `reader` and limits `lim` (NULL: defaults); *rc gets the reader's result. */
static inline char *dump_input(dump_reader_fn reader, const sunset_input *in,
			       const sunset_limits *lim, int *rc)
{
	sunset_limits def;
	if (!lim) {
		sunset_limits_default(&def);
		lim = &def;
	}
	dump_ctx d;
	memset(&d, 0, sizeof(d));
	sunset_buf_init(&d.out, (size_t)1 << 30);
	sunset_doc_sink sink = {.doc = dump_on_doc, .error = dump_on_error, .ctx = &d};
	int r = reader(in, lim, &sink);
	if (rc)
		*rc = r;
	sunset_buf_puts(&d.out, "");
	char *s = d.out.data ? d.out.data : calloc(1, 1);
	return s;
}

/* Memory input of exactly len bytes (copied, so ASan sees over-reads). */
static inline char *dump_mem(dump_reader_fn reader, const char *text, size_t len,
			     const sunset_limits *lim, int *rc)
{
	char *copy = malloc(len ? len : 1);
	memcpy(copy, text, len);
	sunset_input in = {.fd = -1, .mem = copy, .mem_len = len};
	char *s = dump_input(reader, &in, lim, rc);
	free(copy);
	return s;
}

/* The same text streamed from a file descriptor (a temporary file). */
static inline char *dump_fd(dump_reader_fn reader, const char *text, size_t len,
			    const sunset_limits *lim, int *rc)
{
	FILE *f = tmpfile();
	if (!f)
		abort();
	if (len && fwrite(text, 1, len, f) != len)
		abort();
	fflush(f);
	rewind(f);
	sunset_input in = {.fd = fileno(f), .mem = NULL};
	char *s = dump_input(reader, &in, lim, rc);
	fclose(f);
	return s;
}

/* One table row, read from memory and from a descriptor: the number of
 * the two that differ from want (each difference printed on stderr). */
static inline int dump_expect(dump_reader_fn reader, size_t i, const char *name, const char *in,
			      size_t len, const char *want)
{
	int failed = 0;
	for (int fd = 0; fd < 2; fd++) {
		char *got = fd ? dump_fd(reader, in, len, NULL, NULL) : dump_mem(reader, in, len, NULL, NULL);
		if (strcmp(got, want) != 0) {
			fprintf(stderr, "row %zu (%s, %s):\n--- want\n%s--- got\n%s", i, name, fd ? "fd" : "memory",
				want, got);
			failed++;
		}
		free(got);
	}
	return failed;
}

#endif
