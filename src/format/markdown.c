/*
 * markdown: a GitHub-flavoured table, for pull-request comments.
 */
#include <stdio.h>
#include <string.h>

#include "sunset/report.h"
#include "sunset/format.h"
#include "sunset/util.h"

#define MAX_COLUMNS 32

static void cell_out(FILE *out, const char *raw)
{
	char shown[1024 * 4 + 1];
	sunset_escape_controls(raw, shown, sizeof(shown));
	for (const char *s = shown; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' || *s == '_' || *s == '<' || *s == '>')
			fputc('\\', out);
		if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

int sunset_format_markdown(FILE *out, const sunset_report *r, const sunset_report_options *opt)
{
	const sunset_column *cols[MAX_COLUMNS];
	size_t ncol;
	char err[512], cell[1024];
	if (sunset_columns_parse(opt->columns ? opt->columns
					      : "location,kind,name,version,replacement,status",
				 cols, MAX_COLUMNS, &ncol, err, sizeof(err)) < 0) {
		fprintf(stderr, "sunset: %s\n", err);
		return -1;
	}
	/* --no-headers: rows only, to append to a table of one's own */
	if (r->nfinding == 0) {
		if (!opt->no_headers)
			fputs("No deprecated or removed APIs found.\n", out);
		return 0;
	}
	if (!opt->no_headers) {
		fputc('|', out);
		for (size_t c = 0; c < ncol; c++)
			fprintf(out, " %s |", cols[c]->header);
		fputs("\n|", out);
		for (size_t c = 0; c < ncol; c++)
			fputs(" --- |", out);
		fputc('\n', out);
	}
	for (size_t i = 0; i < r->nfinding; i++) {
		fputc('|', out);
		for (size_t c = 0; c < ncol; c++) {
			cols[c]->value(&r->finding[i], cell, sizeof(cell));
			fputc(' ', out);
			cell_out(out, cell);
			fputs(" |", out);
		}
		fputc('\n', out);
	}
	return 0;
}
