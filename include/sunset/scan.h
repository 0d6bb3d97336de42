/*
 * What one scan is asked, read by every stage: the table, the targets, the
 * limits and the filters (sunset_scan_options), and where an input's
 * objects came from (sunset_origin).  The scan itself runs through the
 * stages in order: read.h (the walker queues files; each worker reads one
 * file, streamed, one document at a time), expand.h, check.h into the
 * worker's own report; report.h merges, filters (newest Helm revisions,
 * CRD-declared rows) and sorts at the end.
 */
#ifndef SUNSET_SCAN_H
#define SUNSET_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "sunset/check.h"
#include "sunset/doc.h"
#include "sunset/report.h"
#include "sunset/table.h"

typedef struct sunset_scan_options {
	const sunset_table *table;
	sunset_targets targets;
	sunset_limits limits;
	bool only_removed;
	const char *components; /* comma-separated filter, or NULL for all */
	unsigned jobs;		/* 0: online CPUs */
	bool all_revisions;	/* every Helm release revision, not the newest */
	bool keep_checked;	/* record every checked object (JUnit) */
	const char *const *annotations; /* more annotations holding an applied manifest */
	size_t nannotations;
	const char *stdin_name; /* display name for "-" (default "<stdin>") */
	/* rules checked inside objects (--checks rules), or NULL */
	const struct sunset_rules *rules;
	bool no_api_check; /* --checks rules alone */
} sunset_scan_options;

void sunset_scan_options_init(sunset_scan_options *o, const sunset_table *table);

/* What an input's objects inherit: where they came from. */
typedef struct sunset_origin {
	const char *path;
	sunset_source source;
	const char *template_path;
	const char *release, *release_namespace, *release_status;
	int revision;
	uint32_t depth; /* nested expansions (a release inside a dump) */
	/* subtracted from lines: a Helm-rendered stream read from stdin names
	 * its templates as files, so lines count from each "# Source:" line */
	uint32_t line_shift;
} sunset_origin;

#endif
