/*
 * The one report: findings and input errors gathered from every source,
 * sorted (path, line, column, kind, name) before any format sees them, so
 * that the same input prints the same bytes whatever the number of workers.
 *
 * A report owns copies of every string it holds (in its arena); table rows
 * are borrowed from the table, which outlives the report.
 */
#ifndef SUNSET_REPORT_H
#define SUNSET_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "sunset/check.h"
#include "sunset/table.h"
#include "sunset/util.h"

typedef struct sunset_finding {
	sunset_object obj; /* strings owned by the report */
	const sunset_api_row *row;
	sunset_status status;
	sunset_version target;
	bool known; /* in the baseline: shown, does not change the exit code */
	const struct sunset_audit_use *audit; /* sunset audit: who called it, how often; else NULL */
	/* a rule finding (rules.h): row is the rule's row, obj.line/column
	 * point at the field, rule_path is the concrete path to it */
	const struct sunset_rule *rule;
	const char *rule_path;
} sunset_finding;

typedef struct sunset_error {
	const char *path;
	uint32_t line, column; /* 0 when the error is about the whole input */
	const char *message;
} sunset_error;

typedef struct sunset_report {
	sunset_arena arena;
	sunset_finding *finding;
	size_t nfinding, capfinding;
	sunset_error *error;
	size_t nerror, caperror;
	/* every object checked (for JUnit), only when keep_checked is set */
	bool keep_checked;
	sunset_object *checked;
	size_t nchecked, capchecked;
	uint64_t objects; /* objects checked, kept or not */
	uint64_t inputs;  /* files, streams and cluster lists read */
	/* YAML/JSON documents read from the inputs (not those decoded from
	 * annotations or Helm releases) */
	uint64_t documents;
	uint64_t ignored; /* findings silenced by "# sunset:ignore" or an ignore rule */
	uint64_t known;   /* findings in the baseline (counted in nfinding too) */
	/* every Helm release revision decoded, findings or not: a newer
	 * deployed revision without findings hides older revisions' findings */
	struct sunset_release_seen {
		const char *namespace, *name, *status;
		int revision;
	} *release;
	size_t nrelease, caprelease;
	/* deprecations declared by CustomResourceDefinitions read in this run,
	 * and the custom resources (objects of no table row) they may apply to;
	 * matched once every input is read (sunset_report_apply_crds) */
	struct sunset_crd_row {
		sunset_api_row *row;
		bool served; /* false: the CRD says served: false */
	} *crd_row;
	size_t ncrd_row, capcrd_row;
	sunset_object *custom;
	size_t ncustom, capcustom;
} sunset_report;

void sunset_report_init(sunset_report *r);
void sunset_report_release(sunset_report *r);
/* Copies the object's strings. */
sunset_finding *sunset_report_add_finding(sunset_report *r, const sunset_object *o,
					  const sunset_api_row *row, const sunset_status *st,
					  sunset_version target);
/* A rule finding at line/column of the field (strings copied). */
struct sunset_rule;
sunset_finding *sunset_report_add_rule_finding(sunset_report *r, const sunset_object *o,
					       const struct sunset_rule *rule, const char *path,
					       uint32_t line, uint32_t column, const sunset_status *st,
					       sunset_version target);
void sunset_report_add_error(sunset_report *r, const char *path, uint32_t line,
			     uint32_t column, const char *fmt, ...) SUNSET_PRINTF(5, 6);
void sunset_report_add_checked(sunset_report *r, const sunset_object *o);
/* A hash of an object's identity (file, line, column, apiVersion, kind,
 * name, namespace) whose low bits depend on every part: indexes mask it. */
uint64_t sunset_object_hash(const sunset_object *o);
/* Moves everything from src into dst (src is left empty). */
void sunset_report_merge(sunset_report *dst, sunset_report *src);
void sunset_report_sort(sunset_report *r);
/* Records that a release revision was read (strings are copied). */
void sunset_report_note_release(sunset_report *r, const char *namespace, const char *name,
				int revision, const char *status);
/* Keeps only the newest revision of each Helm release (see DESIGN "Helm"):
 * the newest deployed revision noted or found, else the newest of any status. */
void sunset_report_newest_releases(sunset_report *r);

/* A version a CRD declares deprecated (served: false counts as removed);
 * the row's strings are copied into the report. */
void sunset_report_add_crd_row(sunset_report *r, const sunset_api_row *row, bool served);
/* An object whose apiVersion no table row names, kept for the CRD pass
 * (sunset_scan_apply_crds in scan.h). */
void sunset_report_add_custom(sunset_report *r, const sunset_object *o);

/* Text of the message for a finding, e.g.
 * "extensions/v1beta1 Deployment was removed in v1.16.0; use apps/v1". */
void sunset_finding_message(const sunset_finding *f, char *out, size_t outlen);

typedef struct sunset_exit_policy {
	bool ignore_deprecations, ignore_removals, ignore_unavailable_replacements;
	bool ignore_errors, strict;
} sunset_exit_policy;

#define SUNSET_EXIT_OK 0
#define SUNSET_EXIT_ERROR 1
#define SUNSET_EXIT_DEPRECATED 2
#define SUNSET_EXIT_REMOVED 3
#define SUNSET_EXIT_NO_REPLACEMENT 4

int sunset_report_exit_code(const sunset_report *r, const sunset_exit_policy *p);

#endif
