/*
 * The report: findings and errors from every source, merged, filtered to
 * the newest Helm release revisions, sorted, and turned into an exit code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/report.h"

void sunset_report_init(sunset_report *r)
{
	memset(r, 0, sizeof(*r));
	sunset_arena_init(&r->arena, 0);
}

void sunset_report_release(sunset_report *r)
{
	sunset_arena_release(&r->arena);
	free(r->finding);
	free(r->error);
	free(r->checked);
	memset(r, 0, sizeof(*r));
}

static const char *keep(sunset_report *r, const char *s)
{
	return s ? sunset_arena_strdup(&r->arena, s) : NULL;
}

static void copy_object(sunset_report *r, sunset_object *dst, const sunset_object *o)
{
	*dst = *o;
	dst->api_version = keep(r, o->api_version);
	dst->kind = keep(r, o->kind);
	dst->name = keep(r, o->name);
	dst->namespace = keep(r, o->namespace);
	dst->file_path = keep(r, o->file_path);
	dst->template_path = keep(r, o->template_path);
	dst->release = keep(r, o->release);
	dst->release_namespace = keep(r, o->release_namespace);
	dst->release_status = keep(r, o->release_status);
	dst->manager = keep(r, o->manager);
	dst->operation = keep(r, o->operation);
}

sunset_finding *sunset_report_add_finding(sunset_report *r, const sunset_object *o,
					  const sunset_api_row *row, const sunset_status *st,
					  sunset_version target)
{
	if (r->nfinding == r->capfinding) {
		r->capfinding = r->capfinding ? r->capfinding * 2 : 64;
		r->finding = sunset_xrealloc(r->finding, r->capfinding * sizeof(*r->finding));
	}
	sunset_finding *f = &r->finding[r->nfinding++];
	memset(f, 0, sizeof(*f));
	copy_object(r, &f->obj, o);
	/* the table outlives the report: borrow its strings */
	f->obj.api_version = row->api_version;
	if (strcmp(row->kind, "*") != 0)
		f->obj.kind = row->kind;
	f->row = row;
	f->status = *st;
	f->target = target;
	return f;
}

void sunset_report_add_checked(sunset_report *r, const sunset_object *o)
{
	if (r->nchecked == r->capchecked) {
		r->capchecked = r->capchecked ? r->capchecked * 2 : 64;
		r->checked = sunset_xrealloc(r->checked, r->capchecked * sizeof(*r->checked));
	}
	copy_object(r, &r->checked[r->nchecked++], o);
}

void sunset_report_add_error(sunset_report *r, const char *path, uint32_t line, uint32_t column,
			     const char *fmt, ...)
{
	if (r->nerror == r->caperror) {
		r->caperror = r->caperror ? r->caperror * 2 : 16;
		r->error = sunset_xrealloc(r->error, r->caperror * sizeof(*r->error));
	}
	sunset_error *e = &r->error[r->nerror++];
	e->path = keep(r, path);
	e->line = line;
	e->column = column;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->message = keep(r, msg);
}

void sunset_report_merge(sunset_report *dst, sunset_report *src)
{
	sunset_arena_adopt(&dst->arena, &src->arena);
	if (src->nfinding) {
		if (dst->nfinding + src->nfinding > dst->capfinding) {
			dst->capfinding = dst->nfinding + src->nfinding;
			dst->finding = sunset_xrealloc(dst->finding, dst->capfinding * sizeof(*dst->finding));
		}
		memcpy(dst->finding + dst->nfinding, src->finding, src->nfinding * sizeof(*src->finding));
		dst->nfinding += src->nfinding;
	}
	if (src->nerror) {
		if (dst->nerror + src->nerror > dst->caperror) {
			dst->caperror = dst->nerror + src->nerror;
			dst->error = sunset_xrealloc(dst->error, dst->caperror * sizeof(*dst->error));
		}
		memcpy(dst->error + dst->nerror, src->error, src->nerror * sizeof(*src->error));
		dst->nerror += src->nerror;
	}
	if (src->nchecked) {
		if (dst->nchecked + src->nchecked > dst->capchecked) {
			dst->capchecked = dst->nchecked + src->nchecked;
			dst->checked = sunset_xrealloc(dst->checked, dst->capchecked * sizeof(*dst->checked));
		}
		memcpy(dst->checked + dst->nchecked, src->checked, src->nchecked * sizeof(*src->checked));
		dst->nchecked += src->nchecked;
	}
	dst->objects += src->objects;
	dst->inputs += src->inputs;
	src->nfinding = src->nerror = src->nchecked = 0;
	src->objects = src->inputs = 0;
}

static int strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int object_cmp(const sunset_object *a, const sunset_object *b)
{
	int c = strcmp_null(a->file_path, b->file_path);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	if ((c = strcmp_null(a->kind, b->kind)) || (c = strcmp_null(a->name, b->name)) ||
	    (c = strcmp_null(a->namespace, b->namespace)))
		return c;
	if (a->source != b->source)
		return a->source < b->source ? -1 : 1;
	if ((c = strcmp_null(a->api_version, b->api_version)) ||
	    (c = strcmp_null(a->template_path, b->template_path)) ||
	    (c = strcmp_null(a->release_namespace, b->release_namespace)) ||
	    (c = strcmp_null(a->release, b->release)))
		return c;
	if (a->revision != b->revision)
		return a->revision < b->revision ? -1 : 1;
	if ((c = strcmp_null(a->manager, b->manager)) || (c = strcmp_null(a->operation, b->operation)))
		return c;
	return 0;
}

static int finding_cmp(const void *x, const void *y)
{
	return object_cmp(&((const sunset_finding *)x)->obj, &((const sunset_finding *)y)->obj);
}

static int checked_cmp(const void *x, const void *y)
{
	return object_cmp(x, y);
}

static int error_cmp(const void *x, const void *y)
{
	const sunset_error *a = x, *b = y;
	int c = strcmp_null(a->path, b->path);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	return strcmp_null(a->message, b->message);
}

void sunset_report_sort(sunset_report *r)
{
	/* qsort's base must not be NULL, even for zero elements (UBSan) */
	if (r->nfinding)
		qsort(r->finding, r->nfinding, sizeof(*r->finding), finding_cmp);
	if (r->nerror)
		qsort(r->error, r->nerror, sizeof(*r->error), error_cmp);
	if (r->nchecked)
		qsort(r->checked, r->nchecked, sizeof(*r->checked), checked_cmp);
}

/*
 * Only the newest revision with status deployed of each release counts; the
 * newest of any status when none is deployed.  Releases are keyed by
 * (namespace, name) across every input of the run.
 */
typedef struct release_pick {
	const char *ns, *name;
	int best;
	bool best_deployed;
} release_pick;

static release_pick *pick_find(release_pick *p, size_t n, const sunset_object *o)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp_null(p[i].ns, o->release_namespace) == 0 && strcmp_null(p[i].name, o->release) == 0)
			return &p[i];
	return NULL;
}

static void consider(release_pick **picks, size_t *n, size_t *cap, const sunset_object *o)
{
	if (!o->release || o->source != SUNSET_SOURCE_HELM_RELEASE)
		return;
	bool deployed = o->release_status && strcmp(o->release_status, "deployed") == 0;
	release_pick *p = pick_find(*picks, *n, o);
	if (!p) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*picks = sunset_xrealloc(*picks, *cap * sizeof(**picks));
		}
		p = &(*picks)[(*n)++];
		p->ns = o->release_namespace;
		p->name = o->release;
		p->best = o->revision;
		p->best_deployed = deployed;
		return;
	}
	if ((deployed && !p->best_deployed) ||
	    (deployed == p->best_deployed && o->revision > p->best)) {
		p->best = o->revision;
		p->best_deployed = deployed;
	}
}

void sunset_report_newest_releases(sunset_report *r)
{
	release_pick *picks = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < r->nfinding; i++)
		consider(&picks, &n, &cap, &r->finding[i].obj);
	for (size_t i = 0; i < r->nchecked; i++)
		consider(&picks, &n, &cap, &r->checked[i]);
	if (!n)
		return;
	size_t j = 0;
	for (size_t i = 0; i < r->nfinding; i++) {
		const sunset_object *o = &r->finding[i].obj;
		if (o->release && o->source == SUNSET_SOURCE_HELM_RELEASE && pick_find(picks, n, o)->best != o->revision)
			continue;
		r->finding[j++] = r->finding[i];
	}
	r->nfinding = j;
	j = 0;
	for (size_t i = 0; i < r->nchecked; i++) {
		const sunset_object *o = &r->checked[i];
		if (o->release && o->source == SUNSET_SOURCE_HELM_RELEASE && pick_find(picks, n, o)->best != o->revision)
			continue;
		r->checked[j++] = r->checked[i];
	}
	r->nchecked = j;
	free(picks);
}

void sunset_finding_message(const sunset_finding *f, char *out, size_t outlen)
{
	char when[24], avail[24];
	const sunset_api_row *row = f->row;
	if (f->status.removed)
		sunset_version_format(row->removed, when);
	else
		sunset_version_format(row->deprecated, when);
	const char *verb = f->status.removed ? "was removed in" : "is deprecated since";
	if (!f->status.removed && row->removed) {
		char rem[24];
		sunset_version_format(row->removed, rem);
		if (!row->replacement)
			snprintf(out, outlen, "%s %s %s %s and will be removed in %s; no replacement",
				 row->api_version, f->obj.kind, verb, when, rem);
		else if (!f->status.replacement_available) {
			sunset_version_format(row->replacement_available, avail);
			snprintf(out, outlen, "%s %s %s %s and will be removed in %s; %s%s%s is only served from %s",
				 row->api_version, f->obj.kind, verb, when, rem, row->replacement,
				 row->replacement_kind ? " " : "", row->replacement_kind ? row->replacement_kind : "", avail);
		} else
			snprintf(out, outlen, "%s %s %s %s and will be removed in %s; use %s%s%s", row->api_version,
				 f->obj.kind, verb, when, rem, row->replacement, row->replacement_kind ? " " : "",
				 row->replacement_kind ? row->replacement_kind : "");
		return;
	}
	if (!row->replacement)
		snprintf(out, outlen, "%s %s %s %s; no replacement", row->api_version, f->obj.kind, verb, when);
	else if (!f->status.replacement_available) {
		sunset_version_format(row->replacement_available, avail);
		snprintf(out, outlen, "%s %s %s %s; %s%s%s is only served from %s", row->api_version, f->obj.kind,
			 verb, when, row->replacement, row->replacement_kind ? " " : "",
			 row->replacement_kind ? row->replacement_kind : "", avail);
	} else
		snprintf(out, outlen, "%s %s %s %s; use %s%s%s", row->api_version, f->obj.kind, verb, when,
			 row->replacement, row->replacement_kind ? " " : "",
			 row->replacement_kind ? row->replacement_kind : "");
}

int sunset_report_exit_code(const sunset_report *r, const sunset_exit_policy *p)
{
	bool removed = false, unavailable = false, deprecated = false;
	for (size_t i = 0; i < r->nfinding; i++) {
		const sunset_finding *f = &r->finding[i];
		if (f->known)
			continue;
		if (f->status.removed && !p->ignore_removals)
			removed = true;
		if (!f->status.replacement_available && !p->ignore_unavailable_replacements)
			unavailable = true;
		if (f->status.deprecated && !p->ignore_deprecations)
			deprecated = true;
	}
	if (removed)
		return SUNSET_EXIT_REMOVED;
	if (unavailable)
		return SUNSET_EXIT_NO_REPLACEMENT;
	if (deprecated)
		return SUNSET_EXIT_DEPRECATED;
	if (r->nerror && !p->ignore_errors)
		return SUNSET_EXIT_ERROR;
	return SUNSET_EXIT_OK;
}
