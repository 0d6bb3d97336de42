/*
 * The deprecation table: rows per (apiVersion, kind) from data/ (one YAML file per component)
 * (compiled in) and --table files (ours or pluto's format).  A later row for
 * the same (apiVersion, kind) replaces the earlier one.
 *
 * The table owns every string it hands out; it lives for the whole run and
 * is read-only once loaded, so workers share it without locks.
 */
#ifndef SUNSET_TABLE_H
#define SUNSET_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "sunset/util.h"

typedef enum sunset_stability {
	SUNSET_STABILITY_UNKNOWN,
	SUNSET_STABILITY_ALPHA,
	SUNSET_STABILITY_BETA,
	SUNSET_STABILITY_GA,
} sunset_stability;

typedef struct sunset_api_row {
	const char *component;
	const char *api_version;
	const char *kind; /* "*" matches every kind of api_version */
	sunset_version introduced, deprecated, removed, replacement_available;
	const char *replacement;      /* apiVersion or NULL */
	const char *replacement_kind; /* only when the kind changes */
	sunset_stability stability;
	const char *source;
	const char *notes;
	const char *origin; /* "builtin:k8s" or the --table path */
	/* upstream's replacement when it is no longer served anywhere: its group
	 * is where a target in between may serve the kind (extensions -> policy) */
	const char *upstream_replacement;
} sunset_api_row;

/* One group/version that served a kind: from `from` until `until`, the first
 * release that no longer serves it (0: still served at the table's latest).
 * A table's `served:` list; k8s's is generated with every GA version too. */
typedef struct sunset_served {
	const char *component, *api_version, *kind;
	sunset_version from, until;
	const char *source;
} sunset_served;

/* Rows a CustomResourceDefinition declares carry no release numbers (a
 * table row always has deprecated or removed). */
#define SUNSET_ROW_FROM_CRD(row) (!(row)->deprecated && !(row)->removed)

typedef struct sunset_component {
	const char *id;
	sunset_version latest;
	bool latest_inferred; /* from pluto-format rows, which carry no "latest" */
} sunset_component;

typedef struct sunset_table sunset_table;

sunset_table *sunset_table_new(void);
void sunset_table_free(sunset_table *t);

/*
 * Loads one file's text (our format or pluto's `deprecated-versions:`).
 * On failure returns -1 and writes "path:line:column: reason" to err.
 */
int sunset_table_load(sunset_table *t, const char *path, const char *text, size_t len,
		      char *err, size_t errlen);
/* The tables compiled in from data/. */
int sunset_table_load_builtin(sunset_table *t, char *err, size_t errlen);

const sunset_api_row *sunset_table_lookup(const sunset_table *t, const char *api_version,
					  const char *kind);
/* Rows in a stable order: component, then apiVersion, then kind. */
size_t sunset_table_rows(const sunset_table *t, const sunset_api_row *const **rows);
size_t sunset_table_components(const sunset_table *t, const sunset_component **out);
const sunset_component *sunset_table_component(const sunset_table *t, const char *id);

const char *sunset_stability_name(sunset_stability s);

/* A resource's plural name and its kind (data/k8s-resources.yaml, generated
 * from k8s.io/client-go; any table file may carry "resources:" rows). */
typedef struct sunset_resource_row {
	const char *api_version, *resource, *kind, *source;
	size_t order; /* load order, so a later row wins */
} sunset_resource_row;
/* The kind an API serves as `resource` (plural, e.g. "deployments") at
 * api_version ("apps/v1", "v1"), or NULL when no table names it. */
const char *sunset_table_kind_of(const sunset_table *t, const char *api_version, const char *resource);
/* The `served:` entries in load order. */
size_t sunset_table_served(const sunset_table *t, const sunset_served *const **out);
/* Does the target serve api_version (and kind, when non-NULL)?  -1 when no
 * `served:` entry names api_version: only the rows can tell. */
int sunset_table_serves(const sunset_table *t, const char *api_version, const char *kind,
			sunset_version target);
/* What replaces row's object at target: the version of its kind (or of its
 * replacementKind) that the target serves, in the row's group, its
 * replacement's or upstream's, other than the row's own; the most stable
 * first, then the newest.  NULL when none is served; *known says whether the
 * table has `served:` data for the row's component at all. */
const sunset_served *sunset_table_replacement_at(const sunset_table *t, const sunset_api_row *row,
						 sunset_version target, bool *known);

/* Names of the built-in tables and the text of each (for `sunset versions`). */
typedef struct sunset_builtin_table {
	const char *name;
	const char *text;
	size_t len;
} sunset_builtin_table;
extern const sunset_builtin_table sunset_builtin_tables[];
extern const size_t sunset_builtin_table_count;

#endif
