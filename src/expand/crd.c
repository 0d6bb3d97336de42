/*
 * Deprecations declared by CustomResourceDefinitions themselves: a version
 * with `deprecated: true` (and its deprecationWarning) or `served: false`.
 * No peer reads these.  CRDs and their resources usually live in different
 * files (a chart's crds/ and templates/, an operator bundle and the
 * manifests that use it), so CRD rows and custom resources are gathered
 * during the scan and matched once every input is read.
 *
 * The rows belong to the report's arena; they have no release numbers: a
 * CRD speaks for the cluster it is applied to, at any target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/scan.h"
#include "sunset/expand.h"

static bool flag(const sunset_node *n, bool dflt)
{
	const char *s = sunset_node_str(n);
	if (!s)
		return dflt;
	return strcmp(s, "true") == 0 || strcmp(s, "True") == 0;
}

static sunset_stability stability_of(const char *version)
{
	if (strstr(version, "alpha"))
		return SUNSET_STABILITY_ALPHA;
	if (strstr(version, "beta"))
		return SUNSET_STABILITY_BETA;
	return SUNSET_STABILITY_GA;
}

void sunset_crd_expand(const sunset_scan_options *opt, sunset_report *r,
		       const sunset_origin *origin, const sunset_node *crd)
{
	(void)opt;
	const sunset_node *spec = sunset_node_resolve(sunset_map_get(crd, "spec"));
	const char *group = sunset_node_str(sunset_map_get(spec, "group"));
	const char *kind = sunset_node_str(sunset_map_get(sunset_node_resolve(sunset_map_get(spec, "names")), "kind"));
	const char *crd_name = sunset_node_str(sunset_map_get(sunset_node_resolve(sunset_map_get(crd, "metadata")), "name"));
	const sunset_node *versions = sunset_node_resolve(sunset_map_get(spec, "versions"));
	if (!group || !kind || !versions || versions->type != SUNSET_NODE_SEQUENCE)
		return; /* apiextensions v1beta1's single spec.version declares nothing */
	/* the replacement: the storage version when it is served and current,
	 * else the last served current version listed */
	const char *replacement = NULL;
	for (size_t i = 0; i < versions->nchild; i++) {
		const sunset_node *v = sunset_node_resolve(versions->child[i]);
		const char *name = sunset_node_str(sunset_map_get(v, "name"));
		if (!name || !flag(sunset_map_get(v, "served"), true) || flag(sunset_map_get(v, "deprecated"), false))
			continue;
		if (flag(sunset_map_get(v, "storage"), false) || !replacement)
			replacement = name;
	}
	const sunset_node *where = sunset_map_get(crd, "apiVersion");
	for (size_t i = 0; i < versions->nchild; i++) {
		const sunset_node *v = sunset_node_resolve(versions->child[i]);
		const char *name = sunset_node_str(sunset_map_get(v, "name"));
		bool served = flag(sunset_map_get(v, "served"), true);
		bool deprecated = flag(sunset_map_get(v, "deprecated"), false);
		if (!name || (served && !deprecated))
			continue;
		char api_version[512], repl[512], source[1024];
		snprintf(api_version, sizeof(api_version), "%s/%s", group, name);
		if (replacement)
			snprintf(repl, sizeof(repl), "%s/%s", group, replacement);
		snprintf(source, sizeof(source), "CustomResourceDefinition %s (%s:%u)", crd_name ? crd_name : group,
			 origin->path, where ? where->line : 0);
		sunset_api_row row = {
			.component = group, /* the CRD's group names its component */
			.api_version = api_version,
			.kind = kind,
			.replacement = replacement ? repl : NULL,
			.stability = stability_of(name),
			.source = source,
			.notes = sunset_node_str(sunset_map_get(v, "deprecationWarning")),
			.origin = origin->path,
		};
		sunset_report_add_crd_row(r, &row, served);
	}
}

static bool component_selected(const char *filter, const char *group)
{
	return !filter || sunset_csv_has(filter, SUNSET_CRD_COMPONENT) || sunset_csv_has(filter, group);
}

void sunset_scan_apply_crds(const sunset_scan_options *opt, sunset_report *r)
{
	if (!r->ncrd_row || !r->ncustom)
		return;
	/* few CRD rows, possibly many resources: index the rows */
	size_t cap = 16;
	while (cap < r->ncrd_row * 2)
		cap *= 2;
	size_t *slot = sunset_xcalloc(cap, sizeof(*slot)); /* row index + 1 */
	for (size_t i = 0; i < r->ncrd_row; i++) {
		const sunset_api_row *row = r->crd_row[i].row;
		uint64_t h = sunset_hash(row->kind, strlen(row->kind), sunset_hash(row->api_version, strlen(row->api_version), 0));
		size_t j = h & (cap - 1);
		bool dup = false;
		while (slot[j]) {
			const sunset_api_row *o = r->crd_row[slot[j] - 1].row;
			if (!strcmp(o->api_version, row->api_version) && !strcmp(o->kind, row->kind))
				dup = true; /* the same CRD read twice: the first wins */
			j = (j + 1) & (cap - 1);
		}
		if (!dup)
			slot[j] = i + 1;
	}
	size_t n = r->ncustom; /* findings are appended; resources are not */
	for (size_t i = 0; i < n; i++) {
		const sunset_object *o = &r->custom[i];
		uint64_t h = sunset_hash(o->kind, strlen(o->kind), sunset_hash(o->api_version, strlen(o->api_version), 0));
		for (size_t j = h & (cap - 1); slot[j]; j = (j + 1) & (cap - 1)) {
			size_t k = slot[j] - 1;
			const sunset_api_row *row = r->crd_row[k].row;
			if (strcmp(row->api_version, o->api_version) || strcmp(row->kind, o->kind))
				continue;
			sunset_status st = {.deprecated = true, .removed = !r->crd_row[k].served,
					    .replacement_available = row->replacement != NULL};
			if ((!opt->only_removed || st.removed) && component_selected(opt->components, row->component))
				sunset_report_add_finding(r, o, row, &st, 0);
			break;
		}
	}
	free(slot);
}
