/*
 * Stage 1, read: bytes in, documents out.  A file, a directory walk or stdin
 * is opened (file.c, walk.c), read through a bounded window (stream.c) and
 * parsed as YAML or JSON (yaml.c, json.c) into the document model of doc.h,
 * one document at a time, one arena per document (tree.c).  Each document
 * is handed to the expanders (expand.h); chart templates go to chart.h.
 *
 * Contract: nothing is read without a bound (sunset_limits); every problem
 * is an error in the report with path:line:column, and reading goes on with
 * the next document where the format allows.
 */
#ifndef SUNSET_READ_H
#define SUNSET_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sunset/doc.h"
#include "sunset/report.h"
#include "sunset/scan.h"

/*
 * Readers call sink->doc once per parsed document (the arena is reset after
 * it returns, so the callback copies what it keeps) and sink->error for each
 * problem, then go on with the next document where the format allows.
 * A callback returning non-zero stops the read.
 */
typedef struct sunset_doc_sink {
	int (*doc)(void *ctx, const sunset_doc *doc);
	void (*error)(void *ctx, uint32_t line, uint32_t column, const char *message);
	void *ctx;
} sunset_doc_sink;

/* Where bytes come from: a file descriptor (streamed) or memory. */
typedef struct sunset_input {
	int fd;		 /* -1 when reading from mem */
	const char *mem;
	size_t mem_len;
	const char *prefix; /* fd input: bytes already read from fd (sniffing) */
	size_t prefix_len;
	bool objects_only;    /* build only what the expanders read (see tree.h) */
	/* with objects_only: also what these rules read (rules.h), or NULL */
	const struct sunset_rules *rules;
	uint32_t line_offset; /* added to every line (text embedded in another file) */
	uint32_t column_offset; /* added to columns of the first line */
} sunset_input;

/* 0 when the whole input was read (errors inside documents included),
 * -1 when reading stopped early (I/O error, a limit for the whole input). */
int sunset_read_yaml(const sunset_input *in, const sunset_limits *lim, sunset_doc_sink *sink);
int sunset_read_json(const sunset_input *in, const sunset_limits *lim, sunset_doc_sink *sink);

/* Reads one input (YAML or JSON, sniffed) into r.  Errors go into r. */
void sunset_scan_input(const sunset_scan_options *opt, sunset_report *r,
		       const sunset_origin *origin, const sunset_input *in, bool json);

/* One file as the walker found it. */
void sunset_scan_file(const sunset_scan_options *opt, sunset_report *r, const char *path,
		      const char *chart_root);

/* Walks paths ("-" for stdin) with opt->jobs workers; r gets everything. */
void sunset_scan_paths(const sunset_scan_options *opt, const char *const *paths, size_t n,
		       sunset_report *r);

#endif
