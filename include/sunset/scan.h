/*
 * Scanning: paths and streams in, a report out.  The walker queues files;
 * each worker takes a file at a time, reads it streamed (one document at a
 * time) into objects and checks them into the worker's own report; the
 * reports are merged, filtered (newest Helm revisions, CRD-declared rows)
 * and sorted at the end.
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

/* Checks one object into r (honours only_removed, components, ignores). */
void sunset_check_object(const sunset_scan_options *opt, sunset_report *r,
			 const sunset_object *o);

/*
 * Finds the objects in one parsed document and everything they carry: List
 * items, last-applied annotations, managedFields, Helm release payloads.
 */
void sunset_objects_from_doc(const sunset_scan_options *opt, sunset_report *r,
			     const sunset_origin *origin, const sunset_doc *doc);
/* The same for one object node (a List item, an API list item). */
void sunset_objects_from_node(const sunset_scan_options *opt, sunset_report *r,
			      const sunset_origin *origin, const sunset_doc *doc,
			      const sunset_node *obj);
/*
 * An item of a cluster list: its kind comes from the list (items carry none,
 * or PartialObjectMetadata's).  The item itself is not checked, since its
 * apiVersion is only the one sunset asked for; what it carries is:
 * annotations, every managedFields entry, a Helm release payload.
 */
void sunset_objects_from_cluster_item(const sunset_scan_options *opt, sunset_report *r,
				      const sunset_origin *origin, const sunset_doc *doc,
				      const sunset_node *obj, const char *kind);

/* A CustomResourceDefinition object: notes the versions it declares
 * deprecated or no longer served (their component is the CRD's group). */
void sunset_crd_expand(const sunset_scan_options *opt, sunset_report *r,
		       const sunset_origin *origin, const sunset_node *crd);
/* Once every input is read: findings for custom resources at versions their
 * CRDs deprecate (the CRD may be in another file than its resources). */
void sunset_scan_apply_crds(const sunset_scan_options *opt, sunset_report *r);
/* In --components, "crd" selects every CRD-declared row (a group selects
 * its own). */
#define SUNSET_CRD_COMPONENT "crd"

/* Reads one input (YAML or JSON, sniffed) into r.  Errors go into r. */
void sunset_scan_input(const sunset_scan_options *opt, sunset_report *r,
		       const sunset_origin *origin, const sunset_input *in, bool json);

/* One file as the walker found it. */
void sunset_scan_file(const sunset_scan_options *opt, sunset_report *r, const char *path,
		      const char *chart_root);

/* Walks paths ("-" for stdin) with opt->jobs workers; r gets everything. */
void sunset_scan_paths(const sunset_scan_options *opt, const char *const *paths, size_t n,
		       sunset_report *r);

#endif
