/*
 * The one table of output formats.  Adding a format: its file, a row here,
 * and its golden tests.
 */
#include <string.h>

#include "sunset/report.h"
#include "sunset/format.h"

const sunset_format sunset_formats[] = {
	{"text", sunset_format_text, false},
	{"wide", sunset_format_wide, false},
	{"json", sunset_format_json, false},
	{"yaml", sunset_format_yaml, false},
	{"csv", sunset_format_csv, false},
	{"markdown", sunset_format_markdown, false},
	{"sarif", sunset_format_sarif, false},
	{"junit", sunset_format_junit, true},
	{"github", sunset_format_github, false},
};
const size_t sunset_format_count = sizeof(sunset_formats) / sizeof(sunset_formats[0]);

const sunset_format *sunset_format_find(const char *name)
{
	for (size_t i = 0; i < sunset_format_count; i++)
		if (strcmp(sunset_formats[i].name, name) == 0)
			return &sunset_formats[i];
	return NULL;
}
