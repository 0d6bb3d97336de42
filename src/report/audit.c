/*
 * Aggregating audit events into findings (contract in sunset/audit.h).
 * Each worker owns one aggregator: an open-addressing map from key (API,
 * resource, verb, user, user agent[, namespace]) to counts, its strings in
 * the aggregator's arena.  The map never grows past max_keys; events of new
 * keys past the cap are counted as dropped and the report says so.
 * Most events are not about a deprecated API, so the decision per
 * (group/version, resource) is cached in a second small map.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/audit.h"
#include "sunset/check.h"
#include "sunset/scan.h"

typedef struct agg_key {
	const char *gv, *resource, *verb, *user, *agent, *ns;
	const sunset_api_row *row; /* table row, or NULL: the server's annotation */
	const char *kind;
	const char *removed_release;
	uint64_t count;
	int64_t first_ms, last_ms;
	const char *uri, *path; /* of the first event seen */
	uint32_t line, column;
	uint64_t hash;
} agg_key;

typedef struct decision {
	const char *gv, *resource;
	uint64_t hash;
	const char *kind;
	const sunset_api_row *row; /* NULL: not deprecated at the target */
} decision;

struct sunset_audit_agg {
	sunset_audit_options opt;
	sunset_arena arena;
	agg_key **slot;
	size_t cap, n;
	decision *dec;
	size_t deccap, decn;
	uint64_t dropped; /* events of keys past the cap */
	uint64_t events;
};

static uint64_t hstr(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull;
}

sunset_audit_agg *sunset_audit_agg_new(const sunset_audit_options *opt)
{
	sunset_audit_agg *a = sunset_xcalloc(1, sizeof(*a));
	a->opt = *opt;
	if (!a->opt.max_keys)
		a->opt.max_keys = 100000;
	sunset_arena_init(&a->arena, 0);
	a->cap = 1024;
	a->slot = sunset_xcalloc(a->cap, sizeof(*a->slot));
	a->deccap = 1024;
	a->dec = sunset_xcalloc(a->deccap, sizeof(*a->dec));
	return a;
}

void sunset_audit_agg_free(sunset_audit_agg *a)
{
	if (!a)
		return;
	sunset_arena_release(&a->arena);
	free(a->slot);
	free(a->dec);
	free(a);
}

static bool excluded(const char *const *pat, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pat[i], s, 0) == 0)
			return true;
	return false;
}

/* Is (gv, resource) deprecated or removed at the target?  Cached. */
static const decision *decide(sunset_audit_agg *a, const char *gv, const char *resource)
{
	uint64_t h = hstr(hstr(14695981039346656037ull, gv), resource);
	size_t mask = a->deccap - 1, i = h & mask;
	for (; a->dec[i].gv; i = (i + 1) & mask)
		if (a->dec[i].hash == h && strcmp(a->dec[i].gv, gv) == 0 && strcmp(a->dec[i].resource, resource) == 0)
			return &a->dec[i];
	if (a->decn * 2 >= a->deccap) {
		/* a log naming very many APIs: start the cache over rather than grow it */
		memset(a->dec, 0, a->deccap * sizeof(*a->dec));
		a->decn = 0;
		i = h & mask;
	}
	const sunset_scan_options *so = a->opt.scan;
	decision d = {.gv = sunset_arena_strdup(&a->arena, gv), .resource = sunset_arena_strdup(&a->arena, resource), .hash = h};
	d.kind = sunset_table_kind_of(so->table, gv, resource);
	const sunset_api_row *row = d.kind ? sunset_table_lookup(so->table, gv, d.kind) : NULL;
	if (row && (!so->components || sunset_csv_has(so->components, row->component))) {
		sunset_status st;
		sunset_version target = sunset_targets_get(&so->targets, so->table, row->component);
		if (sunset_status_at(row, target, &st) && (!so->only_removed || st.removed))
			d.row = row;
	}
	a->dec[i] = d;
	a->decn++;
	return &a->dec[i];
}

static void grow(sunset_audit_agg *a)
{
	size_t ncap = a->cap * 2;
	agg_key **ns = sunset_xcalloc(ncap, sizeof(*ns));
	for (size_t i = 0; i < a->cap; i++) {
		agg_key *k = a->slot[i];
		if (!k)
			continue;
		size_t j = k->hash & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = k;
	}
	free(a->slot);
	a->slot = ns;
	a->cap = ncap;
}

static agg_key **find(sunset_audit_agg *a, const agg_key *want)
{
	size_t mask = a->cap - 1, i = want->hash & mask;
	for (; a->slot[i]; i = (i + 1) & mask) {
		const agg_key *k = a->slot[i];
		if (k->hash == want->hash && !strcmp(k->gv, want->gv) && !strcmp(k->resource, want->resource) &&
		    !strcmp(k->verb, want->verb) && !strcmp(k->user, want->user) &&
		    !strcmp(k->agent, want->agent) && !strcmp(k->ns, want->ns))
			break;
	}
	return &a->slot[i];
}

static uint64_t key_hash(const agg_key *k)
{
	uint64_t h = 14695981039346656037ull;
	h = hstr(h, k->gv), h = hstr(h, k->resource), h = hstr(h, k->verb);
	h = hstr(h, k->user), h = hstr(h, k->agent);
	return hstr(h, k->ns);
}

/* Earlier time first; on a tie (or no time) the smaller path, then line. */
static bool before(int64_t t1, const char *p1, uint32_t l1, int64_t t2, const char *p2, uint32_t l2)
{
	if (t1 != t2)
		return t1 < t2;
	int d = strcmp(p1, p2);
	return d ? d < 0 : l1 < l2;
}

static void add_key(sunset_audit_agg *a, const agg_key *k, bool copy)
{
	agg_key **slot = find(a, k);
	if (*slot) {
		agg_key *e = *slot;
		if (before(k->first_ms, k->path, k->line, e->first_ms, e->path, e->line)) {
			e->first_ms = k->first_ms;
			e->uri = copy ? sunset_arena_strdup(&a->arena, k->uri) : k->uri;
			e->path = k->path;
			e->line = k->line;
			e->column = k->column;
		}
		if (k->last_ms > e->last_ms)
			e->last_ms = k->last_ms;
		e->count += k->count;
		return;
	}
	if (a->n >= a->opt.max_keys) {
		a->dropped += k->count;
		return;
	}
	agg_key *e = sunset_arena_alloc(&a->arena, sizeof(*e));
	*e = *k;
	if (copy) {
		sunset_arena *ar = &a->arena;
		e->verb = sunset_arena_strdup(ar, k->verb);
		e->user = sunset_arena_strdup(ar, k->user);
		e->agent = sunset_arena_strdup(ar, k->agent);
		e->ns = sunset_arena_strdup(ar, k->ns);
		e->uri = sunset_arena_strdup(ar, k->uri);
		e->removed_release = sunset_arena_strdup(ar, k->removed_release);
	}
	*slot = e;
	if (++a->n * 2 > a->cap)
		grow(a);
}

void sunset_audit_agg_add(sunset_audit_agg *a, const char *path, const sunset_audit_event *ev)
{
	if (!ev->resource[0] || !ev->api_version[0])
		return;
	if (a->opt.since_ms && ev->time_ms && ev->time_ms < a->opt.since_ms)
		return;
	if (a->opt.until_ms && ev->time_ms && ev->time_ms >= a->opt.until_ms)
		return;
	/* one request logs one event per stage: count it once */
	if (ev->stage[0] && strcmp(ev->stage, "ResponseComplete") != 0 && strcmp(ev->stage, "Panic") != 0)
		return;
	char gv[512];
	snprintf(gv, sizeof(gv), "%s%s%s", ev->api_group, ev->api_group[0] ? "/" : "", ev->api_version);
	const decision *d = decide(a, gv, ev->resource);
	if (!d->row && !ev->deprecated)
		return;
	if (excluded(a->opt.exclude_user, a->opt.nexclude_user, ev->user) ||
	    excluded(a->opt.exclude_agent, a->opt.nexclude_agent, ev->user_agent))
		return;
	a->events++;
	agg_key k = {.gv = d->gv, .resource = d->resource, .verb = ev->verb, .user = ev->user,
		     .agent = ev->user_agent, .ns = a->opt.by_namespace ? ev->namespace : "",
		     .row = d->row, .kind = d->kind, .removed_release = ev->removed_release,
		     .count = 1, .first_ms = ev->time_ms, .last_ms = ev->time_ms, .uri = ev->request_uri,
		     .path = path, .line = ev->line, .column = ev->column};
	k.hash = key_hash(&k);
	add_key(a, &k, true);
}

void sunset_audit_agg_merge(sunset_audit_agg *dst, sunset_audit_agg *src)
{
	sunset_arena_adopt(&dst->arena, &src->arena);
	for (size_t i = 0; i < src->cap; i++)
		if (src->slot[i])
			add_key(dst, src->slot[i], false);
	dst->dropped += src->dropped;
	dst->events += src->events;
	src->dropped = src->events = 0;
	memset(src->slot, 0, src->cap * sizeof(*src->slot));
	src->n = 0;
	memset(src->dec, 0, src->deccap * sizeof(*src->dec));
	src->decn = 0;
}

static const char *time_text(sunset_arena *ar, int64_t ms)
{
	if (!ms)
		return "";
	int64_t s = ms / 1000, days = s / 86400, rem = s % 86400;
	/* civil from days (Howard Hinnant) */
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	return sunset_arena_printf(ar, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y, m, d,
				   (unsigned)(rem / 3600), (unsigned)(rem % 3600 / 60), (unsigned)(rem % 60),
				   (unsigned)(ms % 1000));
}

void sunset_audit_agg_report(sunset_audit_agg *a, sunset_report *r)
{
	const sunset_scan_options *so = a->opt.scan;
	for (size_t i = 0; i < a->cap; i++) {
		const agg_key *k = a->slot[i];
		if (!k)
			continue;
		const sunset_api_row *row = k->row;
		sunset_status st = {0};
		sunset_version target;
		if (row) {
			target = sunset_targets_get(&so->targets, so->table, row->component);
			sunset_status_at(row, target, &st);
		} else {
			/* the server's own word: deprecated, removed in removed_release */
			sunset_api_row *syn = sunset_arena_alloc(&r->arena, sizeof(*syn));
			memset(syn, 0, sizeof(*syn));
			syn->component = "k8s";
			syn->api_version = sunset_arena_strdup(&r->arena, k->gv);
			syn->kind = sunset_arena_strdup(&r->arena, k->kind ? k->kind : k->resource);
			target = sunset_targets_get(&so->targets, so->table, "k8s");
			syn->deprecated = 1;
			if (k->removed_release[0])
				sunset_version_parse(k->removed_release, strlen(k->removed_release), &syn->removed);
			syn->source = "the API server's k8s.io/deprecated audit annotation";
			syn->origin = "audit";
			syn->stability = SUNSET_STABILITY_UNKNOWN;
			if (!sunset_status_at(syn, target, &st))
				st.deprecated = true;
			if (so->only_removed && !st.removed)
				continue;
			row = syn;
		}
		sunset_object o = {.api_version = k->gv, .kind = k->kind ? k->kind : k->resource,
				   .name = k->resource, .namespace = k->ns[0] ? k->ns : NULL,
				   .file_path = k->path, .line = k->line, .column = k->column,
				   .source = SUNSET_SOURCE_AUDIT_LOG};
		r->objects++;
		sunset_finding *f = sunset_report_add_finding(r, &o, row, &st, target);
		sunset_audit_use *u = sunset_arena_alloc(&r->arena, sizeof(*u));
		u->verb = sunset_arena_strdup(&r->arena, k->verb);
		u->user = sunset_arena_strdup(&r->arena, k->user);
		u->user_agent = sunset_arena_strdup(&r->arena, k->agent);
		u->resource = sunset_arena_strdup(&r->arena, k->resource);
		u->request_uri = sunset_arena_strdup(&r->arena, k->uri);
		u->count = k->count;
		u->first_ms = k->first_ms;
		u->last_ms = k->last_ms;
		u->first = time_text(&r->arena, k->first_ms);
		u->last = time_text(&r->arena, k->last_ms);
		f->audit = u;
	}
	if (a->dropped)
		sunset_report_add_error(r, "audit", 0, 0,
					"more than %zu distinct (API, resource, verb, user, agent) keys: %llu requests of further keys not counted (raise --max-keys)",
					a->opt.max_keys, (unsigned long long)a->dropped);
}
