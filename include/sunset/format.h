/*
 * The last stage, format: a sorted report in, bytes out.  One file per
 * output format under src/format/, each one function of one signature,
 * listed in formats.c; the tabular formats share columns.c.
 *
 * Contract: a format only reads the report; it never changes the exit code
 * and never writes anywhere but `out`.
 */
#ifndef SUNSET_FORMAT_H
#define SUNSET_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "sunset/report.h"
#include "sunset/table.h"

typedef struct sunset_report_options {
	const sunset_targets *targets;
	const sunset_table *table;
	bool color;
	const char *columns; /* comma-separated, or NULL for the format's default */
	const char *tool_version;
	bool baseline; /* findings were compared with a baseline (known or new) */
	bool no_headers; /* text, wide, csv, markdown: rows only, nothing when none */
} sunset_report_options;

typedef int (*sunset_format_fn)(FILE *out, const sunset_report *r,
				const sunset_report_options *opt);

typedef struct sunset_format {
	const char *name;
	sunset_format_fn write;
	bool wants_checked; /* needs every checked object (JUnit) */
} sunset_format;

const sunset_format *sunset_format_find(const char *name);
extern const sunset_format sunset_formats[];
extern const size_t sunset_format_count;

int sunset_format_text(FILE *out, const sunset_report *r, const sunset_report_options *opt);
int sunset_format_wide(FILE *out, const sunset_report *r, const sunset_report_options *opt);
int sunset_format_json(FILE *out, const sunset_report *r, const sunset_report_options *opt);
int sunset_format_yaml(FILE *out, const sunset_report *r, const sunset_report_options *opt);
int sunset_format_csv(FILE *out, const sunset_report *r, const sunset_report_options *opt);
int sunset_format_markdown(FILE *out, const sunset_report *r, const sunset_report_options *opt);
int sunset_format_sarif(FILE *out, const sunset_report *r, const sunset_report_options *opt);
int sunset_format_junit(FILE *out, const sunset_report *r, const sunset_report_options *opt);
int sunset_format_github(FILE *out, const sunset_report *r, const sunset_report_options *opt);

/* The JSON tree every JSON-shaped format starts from (json, yaml, baseline). */
struct json_t;
struct json_t *sunset_report_to_json(const sunset_report *r, const sunset_report_options *opt);

/* Columns shared by text, wide, csv and markdown. */
typedef struct sunset_column {
	const char *name;   /* as given to --columns */
	const char *header; /* as printed */
	void (*value)(const sunset_finding *f, char *out, size_t outlen);
} sunset_column;
const sunset_column *sunset_column_find(const char *name);
/* Parses a comma-separated list into cols (at most max); -1 on an unknown name. */
int sunset_columns_parse(const char *spec, const sunset_column **cols, size_t max, size_t *n,
			 char *err, size_t errlen);

#endif
