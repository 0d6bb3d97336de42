/*
 * The expanders: from one parsed document to every object it describes.
 * An object is a mapping with apiVersion and kind; a *List's items are
 * objects too; an object may carry more objects in its last-applied
 * annotation, its managedFields and (for Helm release Secrets/ConfigMaps)
 * its release payload.  Each becomes a sunset_object for the checker.
 */
#include <stdio.h>
#include <string.h>

#include "sunset/expand.h"
#include "sunset/chart.h"
#include "sunset/scan.h"
#include "sunset/read.h"
#include "sunset/check.h"
#include "sunset/rules.h"

#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"
#define MAX_EXPANSION_DEPTH 4

static bool line_ignored(const sunset_doc *doc, uint32_t line)
{
	for (size_t i = 0; doc && i < doc->nignore; i++)
		if (doc->ignore_lines[i] == line)
			return true;
	return false;
}

static void object_base(sunset_object *o, const sunset_origin *origin)
{
	memset(o, 0, sizeof(*o));
	o->file_path = origin->path;
	o->source = origin->source;
	o->template_path = origin->template_path;
	o->release = origin->release;
	o->release_namespace = origin->release_namespace;
	o->release_status = origin->release_status;
	o->revision = origin->revision;
}

typedef struct annotation_ctx {
	const sunset_scan_options *opt;
	sunset_report *r;
	const sunset_origin *origin;
	const char *kind;      /* the carrying object's kind */
	const char *namespace; /* the carrying object's namespace */
	uint32_t line, column; /* of the annotation value */
	const char *annotation;
} annotation_ctx;

static int annotation_doc(void *ctx, const sunset_doc *doc)
{
	annotation_ctx *a = ctx;
	const sunset_node *root = sunset_node_resolve(doc->root);
	if (!root || root->type != SUNSET_NODE_MAPPING)
		return 0;
	sunset_object o;
	object_base(&o, a->origin);
	o.source = SUNSET_SOURCE_LAST_APPLIED;
	o.api_version = sunset_node_str(sunset_map_get(root, "apiVersion"));
	o.kind = sunset_node_str(sunset_map_get(root, "kind"));
	/* a ControllerRevision carrying a DaemonSet is not a DaemonSet */
	if (!o.api_version || !o.kind || !a->kind || strcmp(o.kind, a->kind) != 0)
		return 0;
	const sunset_node *md = sunset_map_get(root, "metadata");
	o.name = sunset_node_str(sunset_map_get(md, "name"));
	o.namespace = sunset_node_str(sunset_map_get(md, "namespace"));
	if (!o.namespace)
		o.namespace = a->namespace;
	o.line = a->line - a->origin->line_shift;
	o.column = a->column;
	if (strcmp(a->annotation, LAST_APPLIED) != 0)
		o.manager = a->annotation; /* which annotation said it */
	sunset_check_object(a->opt, a->r, &o);
	return 0;
}

static void annotation_error(void *ctx, uint32_t line, uint32_t column, const char *message)
{
	annotation_ctx *a = ctx;
	(void)line;
	(void)column;
	sunset_report_add_error(a->r, a->origin->path, a->line, a->column, "annotation %s: %s",
				a->annotation, message);
}

static void expand_annotation(const sunset_scan_options *opt, sunset_report *r,
			      const sunset_origin *origin, const sunset_node *annotations,
			      const char *name, const char *kind, const char *namespace)
{
	const sunset_node *v = sunset_node_resolve(sunset_map_get(annotations, name));
	if (!v || v->type != SUNSET_NODE_SCALAR || v->len == 0)
		return;
	annotation_ctx a = {opt, r, origin, kind, namespace, v->line, v->column, name};
	sunset_doc_sink sink = {.doc = annotation_doc, .error = annotation_error, .ctx = &a};
	sunset_input in = {.fd = -1, .mem = v->str, .mem_len = v->len, .objects_only = true};
	const char *p = v->str;
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	if (*p == '{')
		sunset_read_json(&in, &opt->limits, &sink);
	else
		sunset_read_yaml(&in, &opt->limits, &sink);
}

static void expand_managed_fields(const sunset_scan_options *opt, sunset_report *r,
				  const sunset_origin *origin, const sunset_node *mf,
				  const sunset_object *obj)
{
	mf = sunset_node_resolve(mf);
	if (!mf || mf->type != SUNSET_NODE_SEQUENCE)
		return;
	for (size_t i = 0; i < mf->nchild; i++) {
		const sunset_node *e = sunset_node_resolve(mf->child[i]);
		const sunset_node *av = sunset_map_get(e, "apiVersion");
		const char *api_version = sunset_node_str(av);
		if (!api_version || (obj->api_version && strcmp(api_version, obj->api_version) == 0))
			continue; /* the object's own version is checked as the object */
		sunset_object o = *obj;
		object_base(&o, origin);
		o.source = SUNSET_SOURCE_MANAGED_FIELDS;
		o.api_version = api_version;
		o.kind = obj->kind;
		o.name = obj->name;
		o.namespace = obj->namespace;
		o.manager = sunset_node_str(sunset_map_get(e, "manager"));
		o.operation = sunset_node_str(sunset_map_get(e, "operation"));
		o.line = av->line - origin->line_shift;
		o.column = av->column;
		sunset_check_object(opt, r, &o);
	}
}

static void from_node(const sunset_scan_options *opt, sunset_report *r, const sunset_origin *origin,
		      const sunset_doc *doc, const sunset_node *obj, unsigned depth)
{
	obj = sunset_node_resolve(obj);
	if (!obj || obj->type != SUNSET_NODE_MAPPING || depth > opt->limits.max_depth)
		return;
	const sunset_node *av = sunset_map_get(obj, "apiVersion");
	const sunset_node *md = sunset_node_resolve(sunset_map_get(obj, "metadata"));
	sunset_object o;
	object_base(&o, origin);
	o.api_version = sunset_node_str(av);
	o.kind = sunset_node_str(sunset_map_get(obj, "kind"));
	o.name = sunset_node_str(sunset_map_get(md, "name"));
	if (!o.name)
		o.name = sunset_node_str(sunset_map_get(md, "generateName"));
	o.namespace = sunset_node_str(sunset_map_get(md, "namespace"));
	if (av) {
		o.line = av->line - origin->line_shift;
		o.column = av->column;
		o.ignored = line_ignored(doc, av->line);
	}
	sunset_check_object(opt, r, &o);
	if (opt->rules)
		sunset_rules_check(opt, r, &o, doc, obj, origin->line_shift);

	if (o.kind && sunset_str_ends_with(o.kind, "List")) {
		/* aliases are never expanded: an aliased item (or items list) is
		 * checked where its anchor is written, and following them would
		 * let nine levels of ten-fold aliases (or an alias to an enclosing
		 * List) cost 10^9 checks */
		const sunset_node *items = sunset_map_get(obj, "items");
		if (items && items->type == SUNSET_NODE_SEQUENCE)
			for (size_t i = 0; i < items->nchild; i++)
				if (items->child[i]->type != SUNSET_NODE_ALIAS)
					from_node(opt, r, origin, doc, items->child[i], depth + 1);
	}
	if (!md || origin->depth >= MAX_EXPANSION_DEPTH)
		return;
	const sunset_node *ann = sunset_node_resolve(sunset_map_get(md, "annotations"));
	if (ann && ann->type == SUNSET_NODE_MAPPING) {
		expand_annotation(opt, r, origin, ann, LAST_APPLIED, o.kind, o.namespace);
		for (size_t i = 0; i < opt->nannotations; i++)
			expand_annotation(opt, r, origin, ann, opt->annotations[i], o.kind, o.namespace);
	}
	expand_managed_fields(opt, r, origin, sunset_map_get(md, "managedFields"), &o);
	if (sunset_helm_is_release(obj))
		sunset_helm_expand(opt, r, origin, doc, obj);
	if (o.kind && strcmp(o.kind, "CustomResourceDefinition") == 0 && o.api_version &&
	    strncmp(o.api_version, "apiextensions.k8s.io/", 21) == 0)
		sunset_crd_expand(opt, r, origin, obj);
}

void sunset_objects_from_node(const sunset_scan_options *opt, sunset_report *r,
			      const sunset_origin *origin, const sunset_doc *doc,
			      const sunset_node *obj)
{
	from_node(opt, r, origin, doc, obj, 0);
}

void sunset_objects_from_doc(const sunset_scan_options *opt, sunset_report *r,
			     const sunset_origin *origin, const sunset_doc *doc)
{
	sunset_origin o = *origin;
	if (doc->template_path) {
		o.template_path = doc->template_path;
		if (o.source == SUNSET_SOURCE_STDIN) {
			/* helm template ... | sunset scan -: the template is the file,
			 * and its lines count from the "# Source:" comment */
			o.path = doc->template_path;
			o.line_shift = doc->template_line;
		}
	}
	/* a streamed List item that is an alias: not expanded (see from_node) */
	if (doc->root && doc->root->type == SUNSET_NODE_ALIAS)
		return;
	from_node(opt, r, &o, doc, doc->root, 0);
}

void sunset_objects_from_cluster_item(const sunset_scan_options *opt, sunset_report *r,
				      const sunset_origin *origin, const sunset_doc *doc,
				      const sunset_node *obj, const char *kind)
{
	obj = sunset_node_resolve(obj);
	if (!obj || obj->type != SUNSET_NODE_MAPPING)
		return;
	const sunset_node *md = sunset_node_resolve(sunset_map_get(obj, "metadata"));
	if (!md)
		return;
	sunset_object o;
	object_base(&o, origin);
	o.api_version = NULL; /* every managedFields entry counts, the list's own version too */
	o.kind = kind;
	o.name = sunset_node_str(sunset_map_get(md, "name"));
	o.namespace = sunset_node_str(sunset_map_get(md, "namespace"));
	const sunset_node *ann = sunset_node_resolve(sunset_map_get(md, "annotations"));
	if (ann && ann->type == SUNSET_NODE_MAPPING) {
		expand_annotation(opt, r, origin, ann, LAST_APPLIED, kind, o.namespace);
		for (size_t i = 0; i < opt->nannotations; i++)
			expand_annotation(opt, r, origin, ann, opt->annotations[i], kind, o.namespace);
	}
	expand_managed_fields(opt, r, origin, sunset_map_get(md, "managedFields"), &o);
	if (sunset_helm_is_release(obj))
		sunset_helm_expand(opt, r, origin, doc, obj);
}
