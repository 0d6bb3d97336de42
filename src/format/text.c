/*
 * text and wide: an aligned table for people.  Colour (red for removed,
 * yellow for deprecated) only when the caller says the output is a terminal
 * and NO_COLOR is unset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/report.h"
#include "sunset/format.h"
#include "sunset/util.h"

#define MAX_COLUMNS 32
#define CELL 1024
/* a cell with its control characters escaped (at most 6 bytes for 2) */
#define SHOWN (CELL * 4 + 1)

static int write_table(FILE *out, const sunset_report *r, const sunset_report_options *opt,
		       const char *default_columns)
{
	const sunset_column *cols[MAX_COLUMNS];
	size_t ncol;
	char err[512];
	if (sunset_columns_parse(opt->columns ? opt->columns : default_columns, cols, MAX_COLUMNS, &ncol,
				 err, sizeof(err)) < 0) {
		fprintf(stderr, "sunset: %s\n", err);
		return -1;
	}
	/* --no-headers is for scripts: rows only, so nothing when there are none */
	if (r->nfinding == 0) {
		if (!opt->no_headers)
			fprintf(out, "No deprecated or removed APIs found.\n");
		return 0;
	}
	size_t width[MAX_COLUMNS];
	for (size_t c = 0; c < ncol; c++)
		width[c] = opt->no_headers ? 0 : strlen(cols[c]->header);
	char raw[CELL], cell[SHOWN];
	for (size_t i = 0; i < r->nfinding; i++)
		for (size_t c = 0; c < ncol; c++) {
			cols[c]->value(&r->finding[i], raw, sizeof(raw));
			size_t w = sunset_escape_controls(raw, cell, sizeof(cell));
			if (w > width[c])
				width[c] = w;
		}
	for (size_t c = 0; c < ncol && !opt->no_headers; c++) {
		if (c + 1 < ncol)
			fprintf(out, "%-*s  ", (int)width[c], cols[c]->header);
		else
			fprintf(out, "%s\n", cols[c]->header);
	}
	for (size_t i = 0; i < r->nfinding; i++) {
		const sunset_finding *f = &r->finding[i];
		for (size_t c = 0; c < ncol; c++) {
			cols[c]->value(f, raw, sizeof(raw));
			sunset_escape_controls(raw, cell, sizeof(cell));
			bool colored = opt->color && strcmp(cols[c]->name, "status") == 0;
			if (colored)
				fputs(f->known ? "\033[2m" : f->status.removed ? "\033[31m" : "\033[33m", out);
			if (c + 1 < ncol) {
				fputs(cell, out);
				if (colored)
					fputs("\033[0m", out);
				fprintf(out, "%*s", (int)(width[c] - strlen(cell) + 2), "");
			} else {
				fputs(cell, out);
				if (colored)
					fputs("\033[0m", out);
				fputc('\n', out);
			}
		}
	}
	return 0;
}

int sunset_format_text(FILE *out, const sunset_report *r, const sunset_report_options *opt)
{
	return write_table(out, r, opt, "location,kind,name,version,replacement,status");
}

int sunset_format_wide(FILE *out, const sunset_report *r, const sunset_report_options *opt)
{
	return write_table(out, r, opt,
			   "location,kind,namespace,object-name,version,replacement,deprecated-in,removed-in,"
			   "replacement-available-in,target,component,source,detail");
}
