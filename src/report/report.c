/*
 * The report: findings and errors from every source, merged, filtered to
 * the newest Helm release revisions, sorted, and turned into an exit code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/audit.h"
#include "sunset/report.h"
#include "sunset/rules.h"

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
	free(r->crd_row);
	free(r->custom);
	free(r->release);
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
	SUNSET_GROW(r->finding, r->nfinding, r->capfinding, 64);
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

sunset_finding *sunset_report_add_rule_finding(sunset_report *r, const sunset_object *o,
					       const sunset_rule *rule, const char *path,
					       uint32_t line, uint32_t column, const sunset_status *st,
					       sunset_version target)
{
	SUNSET_GROW(r->finding, r->nfinding, r->capfinding, 64);
	sunset_finding *f = &r->finding[r->nfinding++];
	memset(f, 0, sizeof(*f));
	copy_object(r, &f->obj, o);
	f->obj.line = line;
	f->obj.column = column;
	f->row = &rule->row;
	f->rule = rule;
	f->rule_path = keep(r, path);
	f->status = *st;
	f->target = target;
	return f;
}

void sunset_report_add_custom(sunset_report *r, const sunset_object *o)
{
	SUNSET_GROW(r->custom, r->ncustom, r->capcustom, 64);
	copy_object(r, &r->custom[r->ncustom++], o);
}

void sunset_report_add_crd_row(sunset_report *r, const sunset_api_row *row, bool served)
{
	SUNSET_GROW(r->crd_row, r->ncrd_row, r->capcrd_row, 16);
	sunset_api_row *copy = sunset_arena_alloc(&r->arena, sizeof(*copy));
	*copy = *row;
	copy->component = keep(r, row->component);
	copy->api_version = keep(r, row->api_version);
	copy->kind = keep(r, row->kind);
	copy->replacement = keep(r, row->replacement);
	copy->source = keep(r, row->source);
	copy->notes = keep(r, row->notes);
	copy->origin = keep(r, row->origin);
	r->crd_row[r->ncrd_row].row = copy;
	r->crd_row[r->ncrd_row++].served = served;
}

void sunset_report_add_checked(sunset_report *r, const sunset_object *o)
{
	SUNSET_GROW(r->checked, r->nchecked, r->capchecked, 64);
	copy_object(r, &r->checked[r->nchecked++], o);
}

void sunset_report_add_error(sunset_report *r, const char *path, uint32_t line, uint32_t column,
			     const char *fmt, ...)
{
	SUNSET_GROW(r->error, r->nerror, r->caperror, 16);
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

void sunset_report_note_release(sunset_report *r, const char *namespace, const char *name,
				int revision, const char *status)
{
	SUNSET_GROW(r->release, r->nrelease, r->caprelease, 16);
	struct sunset_release_seen *s = &r->release[r->nrelease++];
	s->namespace = keep(r, namespace);
	s->name = keep(r, name);
	s->status = keep(r, status);
	s->revision = revision;
}

/* Appends src's array to dst's (element type from the pointer). */
#define APPEND(field, n, cap)                                                                        \
	do {                                                                                         \
		if (src->n) {                                                                        \
			if (dst->n + src->n > dst->cap) {                                            \
				dst->cap = dst->n + src->n;                                          \
				dst->field = sunset_xrealloc(dst->field, dst->cap * sizeof(*dst->field)); \
			}                                                                            \
			memcpy(dst->field + dst->n, src->field, src->n * sizeof(*src->field));       \
			dst->n += src->n;                                                            \
			src->n = 0;                                                                  \
		}                                                                                    \
	} while (0)

void sunset_report_merge(sunset_report *dst, sunset_report *src)
{
	sunset_arena_adopt(&dst->arena, &src->arena);
	APPEND(finding, nfinding, capfinding);
	APPEND(error, nerror, caperror);
	APPEND(checked, nchecked, capchecked);
	APPEND(release, nrelease, caprelease);
	APPEND(crd_row, ncrd_row, capcrd_row);
	APPEND(custom, ncustom, capcustom);
	dst->objects += src->objects;
	dst->inputs += src->inputs;
	dst->documents += src->documents;
	dst->ignored += src->ignored;
	dst->known += src->known;
	src->objects = src->inputs = src->documents = src->ignored = src->known = 0;
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
 * (namespace, name) across every input of the run, and every revision read
 * is a candidate (the notes), not only those that produced findings: a clean
 * deployed revision must hide an old superseded one's findings.
 */
typedef struct release_pick {
	const char *ns, *name;
	int revision;
	bool deployed;
} release_pick;

static int pick_key_cmp(const release_pick *a, const release_pick *b)
{
	int c = strcmp_null(a->ns, b->ns);
	return c ? c : strcmp_null(a->name, b->name);
}

/* Key order, and within one key the winner first. */
static int pick_cmp(const void *x, const void *y)
{
	const release_pick *a = x, *b = y;
	int c = pick_key_cmp(a, b);
	if (c)
		return c;
	if (a->deployed != b->deployed)
		return a->deployed ? -1 : 1;
	if (a->revision != b->revision)
		return a->revision > b->revision ? -1 : 1;
	return 0;
}

static bool is_release_object(const sunset_object *o)
{
	return o->release && o->source == SUNSET_SOURCE_HELM_RELEASE;
}

static void pick_add(release_pick **p, size_t *n, size_t *cap, const char *ns, const char *name,
		     int revision, const char *status)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*p = sunset_xrealloc(*p, *cap * sizeof(**p));
	}
	release_pick *k = &(*p)[(*n)++];
	k->ns = ns;
	k->name = name;
	k->revision = revision;
	k->deployed = status && strcmp(status, "deployed") == 0;
}

/* Is o from a revision other than its release's winner? */
static bool superseded(const release_pick *win, size_t n, const sunset_object *o)
{
	if (!is_release_object(o))
		return false;
	release_pick key = {.ns = o->release_namespace, .name = o->release};
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = pick_key_cmp(&win[mid], &key);
		if (c == 0)
			return win[mid].revision != o->revision;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void sunset_report_newest_releases(sunset_report *r)
{
	release_pick *p = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < r->nrelease; i++)
		pick_add(&p, &n, &cap, r->release[i].namespace, r->release[i].name,
			 r->release[i].revision, r->release[i].status);
	/* objects from a source that did not note its release still compete */
	for (size_t i = 0; i < r->nfinding; i++) {
		const sunset_object *o = &r->finding[i].obj;
		if (is_release_object(o))
			pick_add(&p, &n, &cap, o->release_namespace, o->release, o->revision, o->release_status);
	}
	for (size_t i = 0; i < r->nchecked; i++) {
		const sunset_object *o = &r->checked[i];
		if (is_release_object(o))
			pick_add(&p, &n, &cap, o->release_namespace, o->release, o->revision, o->release_status);
	}
	if (!n)
		return;
	qsort(p, n, sizeof(*p), pick_cmp);
	size_t w = 0; /* keep the first (winning) entry of each key */
	for (size_t i = 0; i < n; i++)
		if (w == 0 || pick_key_cmp(&p[w - 1], &p[i]) != 0)
			p[w++] = p[i];
	size_t j = 0;
	for (size_t i = 0; i < r->nfinding; i++)
		if (!superseded(p, w, &r->finding[i].obj))
			r->finding[j++] = r->finding[i];
	r->nfinding = j;
	j = 0;
	for (size_t i = 0; i < r->nchecked; i++)
		if (!superseded(p, w, &r->checked[i]))
			r->checked[j++] = r->checked[i];
	r->nchecked = j;
	free(p);
}

/* CRD-declared rows carry no release numbers: the CRD speaks for now. */
static void crd_message(const sunset_finding *f, char *out, size_t outlen)
{
	const sunset_api_row *row = f->row;
	int n = snprintf(out, outlen, "%s %s %s by its CustomResourceDefinition", row->api_version, f->obj.kind,
			 f->status.removed ? "is no longer served" : "is deprecated");
	if (n < 0 || (size_t)n >= outlen)
		return;
	if (row->notes)
		n += snprintf(out + n, outlen - (size_t)n, " (\"%s\")", row->notes);
	if (n >= 0 && (size_t)n < outlen)
		snprintf(out + n, outlen - (size_t)n, row->replacement ? "; use %s" : "; no replacement%s",
			 row->replacement ? row->replacement : "");
}

static void finding_message(const sunset_finding *f, char *out, size_t outlen);

/* "spec.template.spec.volumes[0].glusterfs: breaks in v1.26.0 (the volume
 * cannot mount) [pod-volume-glusterfs]; use ..." */
static void rule_message(const sunset_finding *f, char *out, size_t outlen)
{
	const sunset_rule *rule = f->rule;
	char when[24];
	if (rule->effect == SUNSET_EFFECT_WARNING) {
		sunset_version_format(rule->deprecated, when);
		snprintf(out, outlen, "%s: deprecated since %s, the API server warns [%s]; %s", f->rule_path, when,
			 rule->id, rule->advice);
		return;
	}
	sunset_version_format(rule->breaks_in, when);
	snprintf(out, outlen, "%s: %s %s: %s [%s]; %s", f->rule_path, f->status.removed ? "broken since" : "breaks in",
		 when, sunset_rule_effect_text(rule->effect), rule->id, rule->advice);
}

/* Audit findings say who sent the requests, so every format carries it. */
void sunset_finding_message(const sunset_finding *f, char *out, size_t outlen)
{
	if (!f->audit) {
		finding_message(f, out, outlen);
		return;
	}
	char base[768];
	if (f->row->origin && strcmp(f->row->origin, "audit") == 0 && !f->status.removed)
		snprintf(base, sizeof(base), "%s %s is deprecated (annotated by the API server)",
			 f->row->api_version, f->audit->resource);
	else
		finding_message(f, base, sizeof(base));
	snprintf(out, outlen, "%s; %llu %s request%s by %s (%s)", base, (unsigned long long)f->audit->count,
		 f->audit->verb, f->audit->count == 1 ? "" : "s", f->audit->user[0] ? f->audit->user : "?",
		 f->audit->user_agent[0] ? f->audit->user_agent : "no user agent");
}

static void finding_message(const sunset_finding *f, char *out, size_t outlen)
{
	char when[24], avail[24];
	const sunset_api_row *row = f->row;
	if (f->rule) {
		rule_message(f, out, outlen);
		return;
	}
	if (SUNSET_ROW_FROM_CRD(row)) {
		crd_message(f, out, outlen);
		return;
	}
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
