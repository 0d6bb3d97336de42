/*
 * Shared by the fuzz targets: one table and one set of scan options built
 * on the first call and kept for the process (libFuzzer calls the entry
 * function millions of times), and a sink that runs the expanders so that
 * every input goes as deep as a real scan would take it.
 *
 * Everything a single call allocates is released before it returns, so
 * LeakSanitizer sees a leak in the code under test, not in the harness.
 */
#ifndef SUNSET_FUZZ_COMMON_H
#define SUNSET_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sunset/doc.h"
#include "sunset/report.h"
#include "sunset/scan.h"
#include "sunset/read.h"
#include "sunset/expand.h"
#include "sunset/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline const sunset_table *fuzz_table(void)
{
	static sunset_table *t;
	if (!t) {
		char err[256];
		t = sunset_table_new();
		if (sunset_table_load_builtin(t, err, sizeof(err)) < 0) {
			fprintf(stderr, "fuzz: builtin table: %s\n", err);
			abort();
		}
	}
	return t;
}

static inline const sunset_scan_options *fuzz_options(void)
{
	static sunset_scan_options o;
	static int ready;
	if (!ready) {
		sunset_scan_options_init(&o, fuzz_table());
		o.jobs = 1;
		o.keep_checked = 1;
		/* small limits so that the fuzzer reaches them with small inputs */
		o.limits.max_depth = 64;
		o.limits.max_document_bytes = (size_t)1 << 20;
		o.limits.max_documents = 1000;
		o.limits.max_helm_payload = (size_t)1 << 20;
		ready = 1;
	}
	return &o;
}

typedef struct fuzz_ctx {
	sunset_report *r;
	const sunset_origin *origin;
	uint32_t lines; /* in the input: every position must fall inside it */
} fuzz_ctx;

/* Positions are 1-based and inside the input (children only: aliases are
 * not followed, so the walk is as big as the tree). */
static inline void fuzz_check_positions(const fuzz_ctx *f, const sunset_node *n, unsigned depth)
{
	if (!n || !f->lines)
		return;
	if (n->line < 1 || n->line > f->lines || n->column < 1) {
		fprintf(stderr, "fuzz: node at %u:%u outside the input's %u lines\n", n->line, n->column, f->lines);
		abort();
	}
	if (depth > 1000)
		abort(); /* deeper than any limit allows */
	for (size_t i = 0; i < n->nchild; i++)
		fuzz_check_positions(f, n->child[i], depth + 1);
}

static inline int fuzz_on_doc(void *ctx, const sunset_doc *doc)
{
	fuzz_ctx *f = ctx;
	fuzz_check_positions(f, doc->root, 0);
	sunset_objects_from_doc(fuzz_options(), f->r, f->origin, doc);
	return 0;
}

static inline void fuzz_on_error(void *ctx, uint32_t line, uint32_t column, const char *message)
{
	fuzz_ctx *f = ctx;
	sunset_report_add_error(f->r, f->origin->path, line, column, "%s", message);
}

/* Every output format over the report: their escaping sees hostile strings too. */
static inline void fuzz_write_formats(sunset_report *r)
{
	static FILE *devnull;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (!devnull)
		return;
	sunset_report_sort(r);
	sunset_report_options ro = {0};
	ro.targets = &fuzz_options()->targets;
	ro.table = fuzz_table();
	ro.tool_version = "fuzz";
	for (size_t i = 0; i < sunset_format_count; i++)
		sunset_formats[i].write(devnull, r, &ro);
}

/* Reads data with reader (sunset_read_yaml or sunset_read_json) and expands. */
static inline void fuzz_read(int (*reader)(const sunset_input *, const sunset_limits *, sunset_doc_sink *),
		      const uint8_t *data, size_t size)
{
	sunset_report r;
	sunset_report_init(&r);
	r.keep_checked = 1;
	sunset_origin origin = {.path = "fuzz.yaml", .source = SUNSET_SOURCE_FILE};
	/* lines as libyaml counts them: LF, CR LF, a lone CR, U+0085, U+2028
	 * and U+2029 each end one; the end of an input that lacks a final
	 * break is on the line after it (so one more than breaks plus one) */
	fuzz_ctx f = {&r, &origin, 2};
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n')))
			f.lines++;
		else if (i + 1 < size && data[i] == 0xc2 && data[i + 1] == 0x85)
			f.lines++;
		else if (i + 2 < size && data[i] == 0xe2 && data[i + 1] == 0x80 && (data[i + 2] == 0xa8 || data[i + 2] == 0xa9))
			f.lines++;
	}
	sunset_doc_sink sink = {.doc = fuzz_on_doc, .error = fuzz_on_error, .ctx = &f};
	sunset_input in = {.fd = -1, .mem = (const char *)data, .mem_len = size};
	reader(&in, &fuzz_options()->limits, &sink);
	fuzz_write_formats(&r);
	sunset_report_release(&r);
}

#endif
