/*
 * Helm: release objects (Secrets of type helm.sh/release.v1, ConfigMaps and
 * Secrets labelled owner=helm or OWNER=TILLER) and chart sources.
 */
#ifndef SUNSET_HELM_H
#define SUNSET_HELM_H

#include <stdbool.h>

#include "sunset/doc.h"
#include "sunset/scan.h"

/* Does this object carry a Helm release payload? (cheap: type and labels) */
bool sunset_helm_is_release(const sunset_node *obj);

/*
 * Decodes the release carried by obj (base64, gzip or plain JSON, bounded
 * by limits.max_helm_payload), and scans its manifest with source
 * helm-release.  Problems go into r as errors naming the object.
 */
void sunset_helm_expand(const sunset_scan_options *opt, sunset_report *r,
			const sunset_origin *origin, const sunset_doc *doc, const sunset_node *obj);

/*
 * Scans one template file of the chart at chart_root (a directory holding
 * Chart.yaml) with the template scanner: apiVersion/kind pairs found around
 * {{ }} actions, helpers from the chart's *.tpl files followed, and
 * Capabilities/semverCompare conditions decided at the target.
 * chart_root may be NULL for a lone file that holds "{{".
 */
void sunset_chart_scan_file(const sunset_scan_options *opt, sunset_report *r, const char *path,
			    const char *chart_root);

#endif
