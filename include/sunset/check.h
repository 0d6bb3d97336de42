/*
 * The one checker: every source ends in a sunset_object, which the checker
 * looks up in the table at the target of the row's component.
 */
#ifndef SUNSET_CHECK_H
#define SUNSET_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "sunset/table.h"
#include "sunset/util.h"

typedef enum sunset_source {
	SUNSET_SOURCE_FILE,
	SUNSET_SOURCE_STDIN,
	SUNSET_SOURCE_CHART_TEMPLATE,
	SUNSET_SOURCE_HELM_RELEASE,
	SUNSET_SOURCE_LAST_APPLIED,
	SUNSET_SOURCE_MANAGED_FIELDS,
	SUNSET_SOURCE_APISERVER_METRICS,
	SUNSET_SOURCE_AUDIT_LOG,
	SUNSET_SOURCE_COUNT
} sunset_source;

const char *sunset_source_name(sunset_source s);

/* What a source hands the checker.  Strings are borrowed for the call. */
typedef struct sunset_object {
	const char *api_version, *kind, *name, *namespace;
	const char *file_path;	   /* as the user named it; "<stdin>" for stdin */
	const char *template_path; /* Helm template, or NULL */
	const char *release;	   /* Helm release name, or NULL */
	const char *release_namespace;
	const char *release_status;
	int revision;		   /* Helm release revision, 0 when none */
	const char *manager;	   /* managedFields manager, or NULL */
	const char *operation;	   /* managedFields operation, or NULL */
	uint32_t line, column;	   /* of the apiVersion value; 0 when unknown */
	sunset_source source;
	bool ignored;		   /* "# sunset:ignore" on the apiVersion line */
} sunset_object;

/* One target version per component; unset components use their latest. */
typedef struct sunset_targets {
	struct sunset_target {
		char component[64];
		sunset_version version;
	} item[32];
	size_t n;
} sunset_targets;

/*
 * Parses "k8s=1.33,istio=1.22", "1.33", "v1.33.0" and adds to t.
 * Returns -1 with a message in err when malformed.
 */
int sunset_targets_parse(sunset_targets *t, const char *spec, char *err, size_t errlen);
sunset_version sunset_targets_get(const sunset_targets *t, const sunset_table *table,
				  const char *component);

typedef struct sunset_status {
	bool deprecated, removed;
	bool replacement_available; /* a replacement exists and is served at the target */
} sunset_status;

/* false when the row is neither deprecated nor removed at target. */
bool sunset_status_at(const sunset_api_row *row, sunset_version target, sunset_status *st);

/* Does the target serve apiVersion (and kind, when non-NULL)?  Used to decide
 * .Capabilities.APIVersions.Has in charts: unknown group-versions are
 * assumed served (CRDs), known ones by their rows. */
bool sunset_target_serves(const sunset_table *t, const sunset_targets *targets,
			  const char *api_version, const char *kind);

struct sunset_scan_options;
struct sunset_report;
/* Checks one object into r (honours only_removed, components, ignores). */
void sunset_check_object(const struct sunset_scan_options *opt, struct sunset_report *r,
			 const sunset_object *o);

#endif
