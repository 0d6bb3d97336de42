/*
 * The apiserver's apiserver_requested_deprecated_apis gauge: which deprecated
 * group/version/resources clients still call.  /metrics is Prometheus text;
 * only that metric's samples are parsed (label values unescaped, the value
 * must be a number and non-zero), each mapped to a kind through discovery
 * (or, for a group the server no longer serves, through the table's rows of
 * that group-version) and checked as an object with source
 * apiserver-metrics, at path cluster://CONTEXT/metrics.
 *
 * Samples live in the caller's arena; the job owns nothing after finish.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sunset/check.h"

#define METRIC "apiserver_requested_deprecated_apis"

typedef struct sample_parser {
	const char *line;
	size_t len, pos;
	uint32_t lineno;
	void (*error)(void *ctx, uint32_t line, uint32_t column, const char *msg);
	void *ctx;
} sample_parser;

static bool bad(sample_parser *p, const char *msg)
{
	if (p->error)
		p->error(p->ctx, p->lineno, (uint32_t)p->pos + 1, msg);
	return false;
}

static void skip_blanks(sample_parser *p)
{
	while (p->pos < p->len && (p->line[p->pos] == ' ' || p->line[p->pos] == '\t'))
		p->pos++;
}

/* One label value between quotes, with \\, \" and \n unescaped. */
static bool label_value(sample_parser *p, sunset_buf *out)
{
	if (p->pos >= p->len || p->line[p->pos] != '"')
		return bad(p, "expected '\"' to open a label value");
	p->pos++;
	while (p->pos < p->len && p->line[p->pos] != '"') {
		char c = p->line[p->pos++];
		if (c == '\\') {
			if (p->pos >= p->len)
				break;
			char e = p->line[p->pos++];
			c = e == 'n' ? '\n' : e;
			if (e != 'n' && e != '\\' && e != '"') {
				p->pos--;
				return bad(p, "invalid escape in a label value");
			}
		}
		sunset_buf_append(out, &c, 1);
	}
	if (p->pos >= p->len)
		return bad(p, "label value is not closed");
	p->pos++;
	return true;
}

static bool parse_sample(sample_parser *p, sunset_arena *a, sunset_deprecated_request *out, bool *nonzero)
{
	memset(out, 0, sizeof(*out));
	out->line = p->lineno;
	p->pos = strlen(METRIC);
	skip_blanks(p);
	if (p->pos < p->len && p->line[p->pos] == '{') {
		p->pos++;
		for (;;) {
			skip_blanks(p);
			if (p->pos < p->len && p->line[p->pos] == '}') {
				p->pos++;
				break;
			}
			size_t start = p->pos;
			while (p->pos < p->len && (isalnum((unsigned char)p->line[p->pos]) || p->line[p->pos] == '_'))
				p->pos++;
			if (p->pos == start)
				return bad(p, "expected a label name");
			size_t nlen = p->pos - start;
			skip_blanks(p);
			if (p->pos >= p->len || p->line[p->pos] != '=')
				return bad(p, "expected '=' after a label name");
			p->pos++;
			skip_blanks(p);
			sunset_buf v;
			sunset_buf_init(&v, 4096);
			if (!label_value(p, &v)) {
				sunset_buf_release(&v);
				return false;
			}
			const char *val = sunset_arena_strndup(a, v.data ? v.data : "", v.len);
			sunset_buf_release(&v);
			static const char *const names[] = {"group", "version", "resource", "subresource",
							    "removed_release"};
			const char **slot[] = {&out->group, &out->version, &out->resource, &out->subresource,
					       &out->removed_release};
			for (size_t i = 0; i < 5; i++)
				if (strlen(names[i]) == nlen && memcmp(names[i], p->line + start, nlen) == 0)
					*slot[i] = val;
			skip_blanks(p);
			if (p->pos < p->len && p->line[p->pos] == ',') {
				p->pos++;
				continue;
			}
			if (p->pos < p->len && p->line[p->pos] == '}') {
				p->pos++;
				break;
			}
			return bad(p, "expected ',' or '}' after a label");
		}
	}
	skip_blanks(p);
	size_t vstart = p->pos;
	while (p->pos < p->len && p->line[p->pos] != ' ' && p->line[p->pos] != '\t')
		p->pos++;
	char num[64];
	size_t nlen = p->pos - vstart;
	if (nlen == 0 || nlen >= sizeof(num)) {
		p->pos = vstart;
		return bad(p, "expected a sample value");
	}
	memcpy(num, p->line + vstart, nlen);
	num[nlen] = '\0';
	char *end;
	double v = strtod(num, &end);
	if (*end) {
		p->pos = vstart;
		return bad(p, "the sample value is not a number");
	}
	if (!out->version || !out->resource) {
		p->pos = 0;
		return bad(p, "the sample has no version or resource label");
	}
	if (!out->group)
		out->group = "";
	if (!out->subresource)
		out->subresource = "";
	*nonzero = v != 0 && v == v; /* NaN is not a request */
	return true;
}

size_t sunset_metrics_deprecated(const char *text, size_t len, sunset_arena *a,
				 sunset_deprecated_request **out,
				 void (*error)(void *ctx, uint32_t line, uint32_t column, const char *msg),
				 void *ctx)
{
	size_t n = 0, cap = 0;
	sunset_deprecated_request *list = NULL;
	uint32_t lineno = 0;
	size_t mlen = strlen(METRIC);
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t llen = nl ? (size_t)(nl - (text + off)) : len - off;
		const char *line = text + off;
		off += llen + (nl ? 1 : 0);
		lineno++;
		if (llen && line[llen - 1] == '\r')
			llen--;
		/* the exact metric name, then labels or the value: not a longer name */
		if (llen <= mlen || memcmp(line, METRIC, mlen) != 0 ||
		    (line[mlen] != '{' && line[mlen] != ' ' && line[mlen] != '\t'))
			continue;
		sample_parser p = {line, llen, 0, lineno, error, ctx};
		sunset_deprecated_request s;
		bool nonzero = false;
		if (!parse_sample(&p, a, &s, &nonzero) || !nonzero)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			sunset_deprecated_request *bigger = sunset_arena_alloc(a, ncap * sizeof(*bigger));
			if (!bigger)
				break;
			if (n)
				memcpy(bigger, list, n * sizeof(*list));
			list = bigger;
			cap = ncap;
		}
		list[n++] = s;
	}
	*out = list;
	return n;
}

/* ---- the job ---- */

struct metrics_job {
	sunset_cluster *c;
	const sunset_scan_options *scan;
	sunset_report *r;
	char path[1024];
};

static void on_parse_error(void *ctx, uint32_t line, uint32_t column, const char *msg)
{
	metrics_job *m = ctx;
	sunset_report_add_error(m->r, m->path, line, column, "%s: %s", METRIC, msg);
}

/* Kinds are named in singular CamelCase, resources in lower-case plural:
 * the table's rows for a group-version the server no longer serves are
 * matched by the plural kubectl would derive. */
static bool plural_of(const char *kind, const char *resource)
{
	char lower[256];
	size_t n = strlen(kind);
	if (n + 3 >= sizeof(lower))
		return false;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)kind[i]);
	char plural[260];
	if (n && lower[n - 1] == 'y' && n > 1 && !strchr("aeiou", lower[n - 2]))
		snprintf(plural, sizeof(plural), "%.*sies", (int)(n - 1), lower);
	else if (n && (lower[n - 1] == 's' || lower[n - 1] == 'x' || sunset_str_ends_with(lower, "ch") ||
		       sunset_str_ends_with(lower, "sh")))
		snprintf(plural, sizeof(plural), "%ses", lower);
	else
		snprintf(plural, sizeof(plural), "%ss", lower);
	return strcmp(plural, resource) == 0 || strcmp(lower, resource) == 0;
}

static const char *kind_for(const metrics_job *m, const sunset_deprecated_request *s, const char *gv)
{
	const disc_group *g = discovery_group(&m->c->disc, s->group);
	for (size_t i = 0; g && i < g->nres; i++)
		if (strcmp(g->res[i].name, s->resource) == 0)
			return g->res[i].kind;
	const sunset_api_row *const *rows;
	size_t n = sunset_table_rows(m->scan->table, &rows);
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i]->api_version, gv) == 0 && strcmp(rows[i]->kind, "*") != 0 &&
		    plural_of(rows[i]->kind, s->resource))
			return rows[i]->kind;
	return NULL;
}

static void on_metrics(void *ctx, const http_result *res)
{
	metrics_job *m = ctx;
	if (res->error) {
		sunset_report_add_error(m->r, m->path, 0, 0, "cannot read /metrics: %s", res->error);
		return;
	}
	if (res->status != 200) {
		char st[512];
		http_describe_status(res, &m->c->opt.limits, st, sizeof(st));
		sunset_report_add_error(m->r, m->path, 0, 0, "cannot read /metrics: %s", st);
		return;
	}
	sunset_arena a;
	sunset_arena_init(&a, 0);
	sunset_deprecated_request *s;
	size_t n = sunset_metrics_deprecated(res->body, res->len, &a, &s, on_parse_error, m);
	for (size_t i = 0; i < n; i++) {
		char gv[512], name[512];
		snprintf(gv, sizeof(gv), "%s%s%s", s[i].group, s[i].group[0] ? "/" : "", s[i].version);
		snprintf(name, sizeof(name), "%s%s%s", s[i].resource, s[i].subresource[0] ? "/" : "",
			 s[i].subresource);
		sunset_object o = {.api_version = gv, .kind = kind_for(m, &s[i], gv), .name = name,
				   .file_path = m->path, .source = SUNSET_SOURCE_APISERVER_METRICS};
		if (o.kind)
			sunset_check_object(m->scan, m->r, &o);
	}
	m->r->inputs++;
	sunset_arena_release(&a);
}

metrics_job *metrics_start(sunset_cluster *c, const sunset_scan_options *scan, sunset_report *r)
{
	metrics_job *m = sunset_xcalloc(1, sizeof(*m));
	m->c = c;
	m->scan = scan;
	m->r = r;
	snprintf(m->path, sizeof(m->path), "cluster://%s/metrics", c->cfg.context);
	http_get(c->http, "/metrics", "text/plain;version=0.0.4,*/*;q=0.1", on_metrics, m);
	return m;
}

void metrics_finish(metrics_job *m)
{
	free(m);
}
