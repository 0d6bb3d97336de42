/*
 * Unrendered Helm chart sources: template files are not YAML, so they do
 * not go through read/ but through a line scanner (chart.c) and a Go
 * template evaluator (gotmpl.c) that say which apiVersion/kind pairs a
 * template can print at the target.  The pairs become objects for the
 * checker, like any other source's.
 */
#ifndef SUNSET_CHART_H
#define SUNSET_CHART_H

#include "sunset/report.h"
#include "sunset/scan.h"

/*
 * Scans one template file of the chart at chart_root (a directory holding
 * Chart.yaml) with the template scanner: apiVersion/kind pairs found around
 * {{ }} actions, helpers from the chart's *.tpl files followed, and
 * Capabilities/semverCompare conditions decided at the target.
 * chart_root may be NULL for a lone file that holds "{{".
 */
void sunset_chart_scan_file(const sunset_scan_options *opt, sunset_report *r, const char *path,
			    const char *chart_root);

/*
 * The chart whose templates/ holds path (a file or directory), or NULL:
 * what the walker uses for a path named inside a chart.  Malloc'd.
 */
char *sunset_chart_root_of(const char *path);

#endif
