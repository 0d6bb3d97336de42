/*
 * Stage 2, expand: a document in, objects out.  Each object found (List
 * items expanded) is handed to the checker, and so is everything an object
 * carries: the last-applied annotation (and --annotation ones),
 * managedFields entries, Helm release payloads (helm.c) and the versions a
 * CustomResourceDefinition declares deprecated (crd.c).
 *
 * Contract: the expanders read the document model only; what they keep
 * past the document's arena they copy into the report.
 */
#ifndef SUNSET_EXPAND_H
#define SUNSET_EXPAND_H

#include <stdbool.h>

#include "sunset/doc.h"
#include "sunset/report.h"
#include "sunset/scan.h"

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

/* Does this object carry a Helm release payload? (cheap: type and labels) */
bool sunset_helm_is_release(const sunset_node *obj);

/*
 * Decodes the release carried by obj (base64, gzip or plain JSON, bounded
 * by limits.max_helm_payload), and scans its manifest with source
 * helm-release.  Problems go into r as errors naming the object.
 */
void sunset_helm_expand(const sunset_scan_options *opt, sunset_report *r,
			const sunset_origin *origin, const sunset_doc *doc, const sunset_node *obj);

#endif
