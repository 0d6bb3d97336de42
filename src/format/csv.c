/*
 * csv: RFC 4180, one header line (none with --no-headers), the text format's
 * columns (or --columns).  Cells come from untrusted inputs: control
 * characters are escaped as in the text table, and a cell a spreadsheet
 * would take for a formula (= + - @, tab, CR first) gets a leading ' as
 * OWASP's CSV-injection advice says; our own "-" for "none" is left as is
 * (a lone minus is no formula).
 */
#include <stdio.h>
#include <string.h>

#include "sunset/report.h"
#include "sunset/format.h"
#include "sunset/util.h"

#define MAX_COLUMNS 32

static void field(FILE *out, const char *raw)
{
	char shown[1024 * 4 + 1];
	sunset_escape_controls(raw, shown, sizeof(shown));
	const char *s = shown;
	bool formula = strchr("=+-@\t\r", raw[0]) && raw[0] && strcmp(raw, "-") != 0;
	if (strpbrk(s, ",\"\r\n") == NULL && !formula) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

int sunset_format_csv(FILE *out, const sunset_report *r, const sunset_report_options *opt)
{
	const sunset_column *cols[MAX_COLUMNS];
	size_t ncol;
	char err[512], cell[1024];
	if (sunset_columns_parse(opt->columns ? opt->columns
					      : "file,line,column,kind,namespace,object-name,version,replacement,"
						"deprecated-in,removed-in,replacement-available-in,component,source",
				 cols, MAX_COLUMNS, &ncol, err, sizeof(err)) < 0) {
		fprintf(stderr, "sunset: %s\n", err);
		return -1;
	}
	for (size_t c = 0; c < ncol && !opt->no_headers; c++) {
		field(out, cols[c]->name);
		fputs(c + 1 < ncol ? "," : "\r\n", out);
	}
	for (size_t i = 0; i < r->nfinding; i++)
		for (size_t c = 0; c < ncol; c++) {
			cols[c]->value(&r->finding[i], cell, sizeof(cell));
			field(out, cell);
			fputs(c + 1 < ncol ? "," : "\r\n", out);
		}
	return 0;
}
