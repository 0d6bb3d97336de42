/*
 * Lists: the kinds the table names, each at the preferred version of every
 * group the table names for it (found through discovery), read as
 * metadata-only pages (PartialObjectMetadataList, limit/continue), plus the
 * Helm release Secrets and ConfigMaps (labelSelector=owner=helm, full
 * objects).  Every item goes through the expanders like a file's objects.
 *
 * A kind served by several groups (extensions and apps on old clusters) is
 * one chain of lists run one after the other: an object seen through the
 * first group (same uid) is skipped in the next.  Chains run concurrently.
 *
 * Each page is read into a report of its own (see keep_page), each list
 * gathers what matters into its own report, merged into the caller's when
 * the list ends: a list restarted after 410 Gone starts again from an empty
 * report, so nothing is counted twice.  All memory here is owned by the run
 * and freed before lists_run() returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sunset/expand.h"

#define METADATA_ACCEPT "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
#define DEFAULT_CHUNK 500u
#define HELM_CHUNK 10u /* release objects reach 1 MiB each */
#define MAX_RESTARTS 3

typedef struct uid_set {
	uint64_t *slot;
	size_t n, cap;
} uid_set;

static bool uid_set_has(const uid_set *s, uint64_t h)
{
	if (!s->cap)
		return false;
	for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i] == 0)
			return false;
		if (s->slot[i] == h)
			return true;
	}
}

static void uid_set_add(uid_set *s, uint64_t h)
{
	if ((s->n + 1) * 2 > s->cap) {
		uid_set bigger = {sunset_xcalloc(s->cap ? s->cap * 2 : 64, sizeof(uint64_t)), 0,
				  s->cap ? s->cap * 2 : 64};
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				uid_set_add(&bigger, s->slot[i]);
		free(s->slot);
		*s = bigger;
	}
	for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i] == h)
			return;
		if (s->slot[i] == 0) {
			s->slot[i] = h;
			s->n++;
			return;
		}
	}
}

typedef struct list_run list_run;
typedef struct chain chain;

typedef struct list_job {
	list_run *run;
	chain *chain;
	const char *group, *version, *resource, *kind;
	bool namespaced, metadata_only;
	const char *selector; /* URL-encoded labelSelector, or NULL */
	unsigned limit;
	char *cont;
	unsigned restarts;
	unsigned pages;	 /* continue tokens followed since the list (re)started */
	uid_set tokens; /* hashes of those tokens */
	sunset_report rep;
	uid_set pending; /* uids of this list, for the next lists of its chain */
	bool failed;
} list_job;

struct chain {
	list_job **job;
	size_t njob, next;
	uid_set seen;
};

struct list_run {
	sunset_cluster *c;
	const sunset_scan_options *scan;
	sunset_report *r;
	list_job *job;
	size_t njob;
	chain *chain;
	size_t nchain;
	sunset_cluster_progress prog;
};

void cluster_path(const sunset_cluster *c, const char *namespace, const char *resource,
		  const char *group, const char *name, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "cluster://%s", c->cfg.context);
	if (namespace && *namespace && n >= 0 && (size_t)n < outlen)
		n += snprintf(out + n, outlen - (size_t)n, "/%s", namespace);
	if (resource && n >= 0 && (size_t)n < outlen)
		n += snprintf(out + n, outlen - (size_t)n, "/%s%s%s", resource, group && *group ? "." : "",
			      group ? group : "");
	if (name && n >= 0 && (size_t)n < outlen)
		snprintf(out + n, outlen - (size_t)n, "/%s", name);
}

static void percent_encode(sunset_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '_' || c == '.' || c == '~') {
			sunset_buf_append(b, s, 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			sunset_buf_append(b, e, 3);
		}
	}
}

static void job_path(const list_job *j, sunset_buf *b)
{
	const char *ns = j->run->c->opt.namespace;
	if (j->group[0])
		sunset_buf_printf(b, "/apis/%s/%s", j->group, j->version);
	else
		sunset_buf_printf(b, "/api/%s", j->version);
	if (ns && j->namespaced) {
		sunset_buf_puts(b, "/namespaces/");
		percent_encode(b, ns);
	}
	sunset_buf_printf(b, "/%s?limit=%u", j->resource, j->limit);
	if (j->selector)
		sunset_buf_printf(b, "&labelSelector=%s", j->selector);
	if (j->cont) {
		sunset_buf_puts(b, "&continue=");
		percent_encode(b, j->cont);
	}
}

static void job_error(list_job *j, const char *fmt, ...) SUNSET_PRINTF(2, 3);
static void job_error(list_job *j, const char *fmt, ...)
{
	char path[1024], msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cluster_path(j->run->c, j->run->c->opt.namespace, j->resource, j->group, NULL, path, sizeof(path));
	char gv[300];
	snprintf(gv, sizeof(gv), "%s%s%s", j->group, j->group[0] ? "/" : "", j->version);
	sunset_report_add_error(&j->rep, path, 0, 0, "cannot list %s%s%s (%s)%s%s: %s", j->resource,
				j->group[0] ? "." : "", j->group, gv, j->selector ? " labelled " : "",
				j->selector ? "owner=helm" : "", msg);
	j->failed = true;
}

static void request_page(list_job *j);
static void start_chain(list_run *run, chain *ch);

static void report_progress(list_run *run)
{
	sunset_cluster *c = run->c;
	if (!c->opt.progress)
		return;
	sunset_cluster_stats st;
	http_stats(c->http, &st);
	run->prog.requests = st.requests;
	run->prog.objects = c->objects;
	c->opt.progress(c->opt.progress_ctx, &run->prog);
}

static void job_done(list_job *j)
{
	list_run *run = j->run;
	chain *ch = j->chain;
	for (size_t i = 0; i < j->pending.cap; i++)
		if (j->pending.slot[i])
			uid_set_add(&ch->seen, j->pending.slot[i]);
	free(j->pending.slot);
	memset(&j->pending, 0, sizeof(j->pending));
	free(j->tokens.slot);
	memset(&j->tokens, 0, sizeof(j->tokens));
	j->rep.inputs++;
	sunset_report_merge(run->r, &j->rep);
	sunset_report_release(&j->rep);
	free(j->cont);
	j->cont = NULL;
	run->prog.lists_done++;
	run->c->lists++;
	report_progress(run);
	start_chain(run, ch);
}

/*
 * A page is read into a report of its own, and only what a reader needs is
 * copied into the list's: findings of the sources asked for, errors, the
 * Helm releases seen, the objects checked (JUnit).  Positions inside an API
 * response (or a release payload in it) mean nothing to a reader, so they
 * go.  The page's custom-resource records go too: a cluster item carries no
 * CRD spec to match them with, and keeping them would cost memory per
 * object.  So memory follows a page, not the cluster.
 */
static void keep_page(list_job *j, sunset_report *page)
{
	unsigned src = j->run->c->opt.sources;
	sunset_report *r = &j->rep;
	for (size_t i = 0; i < page->nfinding; i++) {
		sunset_finding *f = &page->finding[i];
		unsigned want = f->obj.source == SUNSET_SOURCE_LAST_APPLIED     ? SUNSET_CLUSTER_SRC_LAST_APPLIED
				: f->obj.source == SUNSET_SOURCE_MANAGED_FIELDS ? SUNSET_CLUSTER_SRC_MANAGED_FIELDS
				: f->obj.source == SUNSET_SOURCE_HELM_RELEASE	? SUNSET_CLUSTER_SRC_HELM_RELEASE
										: 0;
		if (want && !(src & want))
			continue;
		f->obj.line = f->obj.column = 0;
		sunset_finding *kept = f->rule ? sunset_report_add_rule_finding(r, &f->obj, f->rule, f->rule_path, 0, 0,
										  &f->status, f->target)
					       : sunset_report_add_finding(r, &f->obj, f->row, &f->status, f->target);
		if (kept)
			kept->known = f->known;
	}
	for (size_t i = 0; i < page->nerror; i++)
		sunset_report_add_error(r, page->error[i].path, 0, 0, "%s", page->error[i].message);
	for (size_t i = 0; i < page->nrelease; i++)
		sunset_report_note_release(r, page->release[i].namespace, page->release[i].name,
					   page->release[i].revision, page->release[i].status);
	for (size_t i = 0; i < page->nchecked; i++) {
		sunset_object o = page->checked[i];
		o.line = o.column = 0;
		sunset_report_add_checked(r, &o);
	}
	r->objects += page->objects;
}

/* Items of a typed list carry no kind or apiVersion (the list does); the
 * Helm decoder recognises a release by its kind, so full objects get them
 * back: a mapping that starts with the two and then holds the item's own. */
static const sunset_node *with_kind(sunset_arena *a, const sunset_node *item, const char *api_version,
				    const char *kind)
{
	if (!item || item->type != SUNSET_NODE_MAPPING || sunset_map_get(item, "kind"))
		return item;
	sunset_node *m = sunset_arena_alloc(a, sizeof(*m));
	sunset_node *s = sunset_arena_alloc(a, 4 * sizeof(*s));
	sunset_node **child = sunset_arena_alloc(a, (item->nchild + 4) * sizeof(*child));
	if (!m || !s || !child)
		return item;
	const char *text[4] = {"apiVersion", api_version, "kind", kind};
	for (int i = 0; i < 4; i++) {
		s[i] = (sunset_node){.type = SUNSET_NODE_SCALAR, .line = item->line, .column = item->column,
				     .str = text[i], .len = strlen(text[i])};
		child[i] = &s[i];
	}
	if (item->nchild)
		memcpy(child + 4, item->child, item->nchild * sizeof(*child));
	*m = *item;
	m->child = child;
	m->nchild = item->nchild + 4;
	return m;
}

typedef struct page_ctx {
	list_job *j;
	const char *cont;
	bool is_list;
	char cont_buf[4096];
	bool cont_too_long;
	char gv[300];
	sunset_arena scratch;
	sunset_report page;
} page_ctx;

static void on_item(page_ctx *p, const sunset_doc *doc, const sunset_node *item)
{
	list_job *j = p->j;
	list_run *run = j->run;
	const sunset_node *md = sunset_map_get(item, "metadata");
	const char *name = sunset_node_str(sunset_map_get(md, "name"));
	const char *ns = sunset_node_str(sunset_map_get(md, "namespace"));
	const char *uid = sunset_node_str(sunset_map_get(md, "uid"));
	run->c->objects++;
	if (j->chain->njob > 1 && uid) {
		uint64_t h = sunset_hash(uid, strlen(uid), 0x5eed);
		h = h ? h : 1;
		if (uid_set_has(&j->chain->seen, h))
			return; /* already read through another group */
		uid_set_add(&j->pending, h);
	}
	char path[2048];
	cluster_path(run->c, ns, j->resource, j->group, name ? name : "", path, sizeof(path));
	sunset_origin origin = {.path = path, .source = SUNSET_SOURCE_LAST_APPLIED};
	if (!j->metadata_only)
		item = with_kind(&p->scratch, item, p->gv, j->kind);
	sunset_objects_from_cluster_item(run->scan, &p->page, &origin, doc, item, j->kind);
	sunset_arena_reset(&p->scratch);
}

/* The reader hands over each item as a document of its own, then the list
 * (its items gone, its metadata with the continue token). */
static int on_page(void *ctx, const sunset_doc *doc)
{
	page_ctx *p = ctx;
	const sunset_node *root = sunset_node_resolve(doc->root);
	const sunset_node *items = sunset_node_resolve(sunset_map_get(root, "items"));
	if (!items) {
		on_item(p, doc, root);
		return 0;
	}
	if (items->type != SUNSET_NODE_SEQUENCE && !sunset_scalar_is_null(items))
		return 0;
	p->is_list = true;
	const char *cont = sunset_node_str(sunset_map_get(sunset_map_get(root, "metadata"), "continue"));
	if (cont && *cont) {
		if (strlen(cont) >= sizeof(p->cont_buf))
			p->cont_too_long = true;
		else
			snprintf(p->cont_buf, sizeof(p->cont_buf), "%s", cont);
		p->cont = p->cont_buf;
	}
	/* a reader that did not stream the items leaves them here */
	for (size_t i = 0; items->type == SUNSET_NODE_SEQUENCE && i < items->nchild; i++)
		on_item(p, doc, sunset_node_resolve(items->child[i]));
	return 0;
}

static void restart(list_job *j)
{
	sunset_report_release(&j->rep);
	sunset_report_init(&j->rep);
	j->rep.keep_checked = j->run->r->keep_checked;
	free(j->pending.slot);
	memset(&j->pending, 0, sizeof(j->pending));
	free(j->tokens.slot);
	memset(&j->tokens, 0, sizeof(j->tokens));
	j->pages = 0;
	free(j->cont);
	j->cont = NULL;
	j->restarts++;
	request_page(j);
}

static void on_response(void *ctx, const http_result *res)
{
	list_job *j = ctx;
	list_run *run = j->run;
	const sunset_limits *lim = &run->c->opt.limits;
	if (res->error) {
		job_error(j, "%s", res->error);
		job_done(j);
		return;
	}
	if (res->status == 410 && j->cont) {
		/* the continue token expired: a consistent list needs a fresh start */
		if (j->restarts < MAX_RESTARTS) {
			restart(j);
			return;
		}
		job_error(j, "the list expired %d times in a row (410 Gone)", MAX_RESTARTS + 1);
		job_done(j);
		return;
	}
	if (res->status != 200) {
		char st[512];
		http_describe_status(res, lim, st, sizeof(st));
		job_error(j, "%s", st);
		job_done(j);
		return;
	}
	page_ctx p = {.j = j};
	snprintf(p.gv, sizeof(p.gv), "%s%s%s", j->group, j->group[0] ? "/" : "", j->version);
	sunset_arena_init(&p.scratch, 0);
	sunset_report_init(&p.page);
	p.page.keep_checked = j->rep.keep_checked;
	char err[512];
	int prc = parse_json_doc(res->body, res->len, lim, on_page, &p, err, sizeof(err));
	sunset_arena_release(&p.scratch);
	keep_page(j, &p.page);
	sunset_report_release(&p.page);
	if (prc < 0) {
		job_error(j, "the response is not valid JSON: %s", err);
		job_done(j);
		return;
	}
	if (!p.is_list) {
		job_error(j, "the response is not a list");
		job_done(j);
		return;
	}
	report_progress(run);
	if (p.cont_too_long) {
		job_error(j, "the continue token is longer than %zu bytes", sizeof(p.cont_buf) - 1);
		job_done(j);
		return;
	}
	if (p.cont) {
		/* a server that hands back a token it gave before would be paged
		 * forever; one that makes up new ones forever is stopped by the
		 * page bound (a list is one input: max_documents objects) */
		uint64_t h = sunset_hash(p.cont, strlen(p.cont), 0x5eed) | 1;
		if (uid_set_has(&j->tokens, h)) {
			job_error(j, "the server returned the continue token of an earlier page again "
				     "(page %u); the list would never end", j->pages + 1);
			job_done(j);
			return;
		}
		uint64_t max_pages = lim->max_documents / (j->limit ? j->limit : 1) + 1;
		uid_set_add(&j->tokens, h);
		if (++j->pages >= max_pages) {
			job_error(j, "more than %llu pages of %u objects; stopped (a list is read up to %llu "
				     "objects)", (unsigned long long)max_pages, j->limit,
				  (unsigned long long)lim->max_documents);
			job_done(j);
			return;
		}
		free(j->cont);
		j->cont = sunset_xstrdup(p.cont);
		request_page(j);
		return;
	}
	job_done(j);
}

static void request_page(list_job *j)
{
	sunset_buf path;
	sunset_buf_init(&path, 0);
	job_path(j, &path);
	http_get(j->run->c->http, path.data, j->metadata_only ? METADATA_ACCEPT : "application/json",
		 on_response, j);
	sunset_buf_release(&path);
}

static void start_chain(list_run *run, chain *ch)
{
	if (ch->next >= ch->njob) {
		free(ch->seen.slot);
		memset(&ch->seen, 0, sizeof(ch->seen));
		return;
	}
	list_job *j = ch->job[ch->next++];
	sunset_report_init(&j->rep);
	j->rep.keep_checked = run->r->keep_checked;
	request_page(j);
}

/* ---- the plan: which resources to list ---- */

typedef struct kind_group {
	const char *kind, *group;
	bool replacement; /* the table points here: list this group first */
} kind_group;

static int by_kind(const void *a, const void *b)
{
	const kind_group *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);
	if (c)
		return c;
	if (x->replacement != y->replacement)
		return x->replacement ? -1 : 1;
	return strcmp(x->group, y->group);
}

static bool component_selected(const char *filter, const char *component)
{
	return !filter || sunset_csv_has(filter, component);
}

static const char *group_of(sunset_arena *a, const char *api_version)
{
	const char *slash = strchr(api_version, '/');
	return slash ? sunset_arena_strndup(a, api_version, (size_t)(slash - api_version)) : "";
}

typedef struct plan {
	kind_group *kg;
	size_t n, cap;
} plan;

static void plan_add(plan *p, const char *kind, const char *group, bool replacement)
{
	SUNSET_GROW(p->kg, p->n, p->cap, 64);
	p->kg[p->n++] = (kind_group){kind, group, replacement};
}

static const disc_resource *find_kind(const disc_group *g, const char *kind)
{
	for (size_t i = 0; i < g->nres; i++)
		if (g->res[i].listable && strcmp(g->res[i].kind, kind) == 0)
			return &g->res[i];
	return NULL;
}

static void build_plan(list_run *run, plan *p)
{
	sunset_cluster *c = run->c;
	const sunset_api_row *const *rows;
	size_t n = sunset_table_rows(run->scan->table, &rows);
	for (size_t i = 0; i < n; i++) {
		const sunset_api_row *row = rows[i];
		if (!component_selected(run->scan->components, row->component))
			continue;
		const char *group = group_of(&c->arena, row->api_version);
		if (strcmp(row->kind, "*") == 0) {
			/* a whole group-version: every kind its group serves */
			const disc_group *g = discovery_group(&c->disc, group);
			for (size_t k = 0; g && k < g->nres; k++)
				if (g->res[k].listable)
					plan_add(p, g->res[k].kind, group, false);
			continue;
		}
		plan_add(p, row->kind, group, false);
		if (row->replacement)
			plan_add(p, row->replacement_kind ? row->replacement_kind : row->kind,
				 group_of(&c->arena, row->replacement), true);
	}
	qsort(p->kg, p->n, sizeof(*p->kg), by_kind);
}

static void report_discovery_error(list_run *run, const disc_group *g, const char **reported, size_t *nreported)
{
	for (size_t i = 0; i < *nreported; i++)
		if (reported[i] == g->name)
			return;
	reported[(*nreported)++] = g->name;
	char path[1024];
	snprintf(path, sizeof(path), "cluster://%s/%s%s%s", run->c->cfg.context, g->name, g->name[0] ? "/" : "",
		 g->preferred);
	sunset_report_add_error(run->r, path, 0, 0, "%s", g->error);
}

int lists_run(sunset_cluster *c, const sunset_scan_options *scan, sunset_report *r, char *err, size_t errlen)
{
	list_run run = {.c = c, .scan = scan, .r = r};
	plan p = {0};
	unsigned chunk = c->opt.chunk_size ? c->opt.chunk_size : DEFAULT_CHUNK;
	const char **reported = sunset_xcalloc(c->disc.ngroup + 1, sizeof(*reported));
	size_t nreported = 0;
	bool want_kinds = c->opt.sources & (SUNSET_CLUSTER_SRC_LAST_APPLIED | SUNSET_CLUSTER_SRC_MANAGED_FIELDS);
	if (want_kinds)
		build_plan(&run, &p);
	size_t maxjobs = p.n + 2;
	run.job = sunset_xcalloc(maxjobs, sizeof(*run.job));
	run.chain = sunset_xcalloc(maxjobs, sizeof(*run.chain));
	list_job **order = sunset_xcalloc(maxjobs, sizeof(*order));
	size_t norder = 0;
	for (size_t i = 0; i < p.n;) {
		size_t end = i;
		while (end < p.n && strcmp(p.kg[end].kind, p.kg[i].kind) == 0)
			end++;
		chain *ch = &run.chain[run.nchain];
		ch->job = order + norder;
		for (size_t k = i; k < end; k++) {
			if (k > i && strcmp(p.kg[k].group, p.kg[k - 1].group) == 0)
				continue;
			bool dup = false;
			for (size_t m = i; m < k && !dup; m++)
				dup = strcmp(p.kg[m].group, p.kg[k].group) == 0;
			if (dup)
				continue;
			const disc_group *g = discovery_group(&c->disc, p.kg[k].group);
			if (!g)
				continue; /* not served by this cluster */
			if (g->error) {
				report_discovery_error(&run, g, reported, &nreported);
				continue;
			}
			const disc_resource *res = find_kind(g, p.kg[k].kind);
			if (!res || (c->opt.namespace && !res->namespaced))
				continue;
			list_job *j = &run.job[run.njob++];
			*j = (list_job){.run = &run, .chain = ch, .group = g->name, .version = g->preferred,
					.resource = res->name, .kind = res->kind, .namespaced = res->namespaced,
					.metadata_only = true, .limit = chunk};
			order[norder++] = j;
			ch->njob++;
		}
		if (ch->njob)
			run.nchain++;
		i = end;
	}
	if (c->opt.sources & SUNSET_CLUSTER_SRC_HELM_RELEASE) {
		static const struct {
			const char *resource, *kind;
		} helm[] = {{"secrets", "Secret"}, {"configmaps", "ConfigMap"}};
		const disc_group *core = discovery_group(&c->disc, "");
		for (size_t i = 0; i < 2; i++) {
			if (core && core->error) {
				report_discovery_error(&run, core, reported, &nreported);
				break;
			}
			chain *ch = &run.chain[run.nchain++];
			list_job *j = &run.job[run.njob++];
			*j = (list_job){.run = &run, .chain = ch, .group = "", .version = "v1",
					.resource = helm[i].resource, .kind = helm[i].kind, .namespaced = true,
					.selector = "owner%3Dhelm", .limit = chunk < HELM_CHUNK ? chunk : HELM_CHUNK};
			ch->job = order + norder;
			order[norder++] = j;
			ch->njob = 1;
		}
	}
	run.prog.lists_total = (unsigned)run.njob;
	metrics_job *m = NULL;
	if (c->opt.sources & SUNSET_CLUSTER_SRC_METRICS)
		m = metrics_start(c, scan, r);
	for (size_t i = 0; i < run.nchain; i++)
		start_chain(&run, &run.chain[i]);
	http_run(c->http);
	int rc = 0;
	if (http_fatal(c->http)) {
		snprintf(err, errlen, "%s", http_fatal(c->http));
		rc = -1;
	}
	metrics_finish(m);
	for (size_t i = 0; i < run.njob; i++) {
		/* only after a fatal stop is anything left here (released reports are zeroed) */
		sunset_report_release(&run.job[i].rep);
		free(run.job[i].cont);
		free(run.job[i].pending.slot);
	}
	for (size_t i = 0; i < run.nchain; i++)
		free(run.chain[i].seen.slot);
	free(order);
	free(run.chain);
	free(run.job);
	free(reported);
	free(p.kg);
	return rc;
}
