/*
 * The chart template scanner (see sunset/helm.h).  A template is not YAML,
 * so it is read as Go template text (gotmpl.c) and walked line by line:
 * the keys at the head of each source line, at the document's own
 * indentation, give every object's apiVersion and kind with their line and
 * column; "---" splits documents; {{if}}/{{else}} branches that cannot be
 * taken at the target are skipped, the others are kept with the branch
 * they sit in, so that an apiVersion pairs only with a kind that can appear
 * beside it.  Values on those lines ({{ include "x.apiVersion" . }},
 * inline {{if}}s, .Values defaults) are evaluated to every string they can
 * print, following {{define}}s in the chart's *.tpl files, its subcharts
 * and the charts it is a subchart of.
 *
 * One scan owns one arena (the file, the helpers, the parsed trees and
 * every value) and frees it at the end; findings are copied by the report.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chart/chart.h"
#include "sunset/expand.h"
#include "sunset/chart.h"
#include "sunset/read.h"
#include "sunset/check.h"

#define MAX_TEMPLATE_BYTES ((size_t)8 << 20)
#define MAX_HELPER_BYTES ((size_t)32 << 20) /* all helper files of one scan */
#define MAX_SCAN_ARENA ((size_t)256 << 20)
#define MAX_CHARTS 64
#define MAX_HELPER_FILES 512
#define MAX_GUARD 128
#define MAX_KEYS 64	    /* apiVersion (or kind) keys in one document */
#define MAX_INLINE_DEPTH 4 /* objects written whole inside {{define}}s */
#define MAX_VALUES 65536

typedef struct frame {
	uint32_t id, branch;
} frame;

/* One key found at the document's top level (or under metadata). */
typedef struct key_ev {
	const char *str[TV_MAX]; /* apiVersion/kind: every valid value; name: [0] */
	size_t nstr;
	uint32_t line, col;
	bool ignored;
	frame *guard;
	size_t nguard;
} key_ev;

typedef struct segment {
	int doc_indent; /* -1 until the document's first key */
	bool in_metadata;
	int meta_indent;
	bool in_items;	 /* under a top-level "items:" (a List): each item is an object */
	int item_indent; /* of the items' "- ", -1 until the first */
	key_ev av[MAX_KEYS], kind[MAX_KEYS], name[4], ns[4];
	size_t nav, nkind, nname, nns;
	bool warned;
} segment;

typedef struct define_ent {
	const char *name;
	const tnode *node;
	const tmpl_src *src;
} define_ent;

typedef struct value_ent {
	const char *path; /* "a.b.c" */
	const char *str;  /* NULL for a mapping or sequence */
	size_t n;
} value_ent;

typedef struct chart_scan {
	const sunset_scan_options *opt;
	sunset_report *r;
	sunset_arena arena;
	tx_ctx ev;
	const char *path, *template_path;
	const char *chart_root;
	char *main_real; /* realpath of the file, to skip it among helpers */
	tmpl_src main;

	/* helpers: charts in lookup order, loaded one at a time on a miss */
	char **charts;
	size_t ncharts, loaded;
	bool listed;
	define_ent *defs;
	size_t ndefs, capdefs;
	struct helper_file {
		tmpl_src *src;
		bool parsed;
	} *helpers; /* read, parsed only once a wanted name is in them */
	size_t nhelpers, caphelpers;
	size_t helper_bytes;
	const char *missing[64]; /* names no chart defines */
	size_t nmissing;

	bool values_loaded;
	value_ent *values;
	size_t nvalues, capvalues;

	/* the walk */
	bool at_line_start;
	int indent;
	frame guard[MAX_GUARD];
	size_t nguard;
	uint32_t next_id;
	bool override;
	uint32_t oline, ocol;
	bool oignored;
	const tnode *inlined[MAX_INLINE_DEPTH];
	size_t ninlined;
	bool stopped;
	segment *seg;
	segment *item; /* the List item being read */
} chart_scan;

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool has_chart_yaml(const char *dir)
{
	char *c = sunset_path_join(dir, "Chart.yaml");
	bool yes = access(c, F_OK) == 0;
	free(c);
	return yes;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* "/a/b" -> "/a" (malloc'd); "/a" -> "/" */
static char *dir_name(const char *p)
{
	const char *s = strrchr(p, '/');
	if (!s)
		return sunset_xstrdup(".");
	if (s == p)
		return sunset_xstrdup("/");
	size_t n = (size_t)(s - p);
	char *d = sunset_xmalloc(n + 1);
	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

/*
 * Reads a whole regular file of at most max bytes into a malloc'd buffer.
 * 0, or -1 with a message in err.
 */
static int read_capped(const char *path, size_t max, char **out, size_t *outlen, char *err, size_t errlen)
{
	*out = NULL;
	*outlen = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	int rc = -1;
	char *buf = NULL;
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file; skipped");
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "template is larger than %zu MiB; skipped", max >> 20);
		goto out;
	}
	size_t cap = (size_t)st.st_size + 1, len = 0;
	buf = sunset_xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap > max) {
				snprintf(err, errlen, "template is larger than %zu MiB; skipped", max >> 20);
				goto out;
			}
			cap *= 2;
			buf = sunset_xrealloc(buf, cap + 1);
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		snprintf(err, errlen, "template is larger than %zu MiB; skipped", max >> 20);
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

/* ---- helpers: the charts whose {{define}}s a template can call ---- */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entries of dir (hidden ones skipped), malloc'd; NULL when none. */
static char **list_dir(const char *dir, size_t *n)
{
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **names = NULL;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && *n < 4096) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			names = sunset_xrealloc(names, cap * sizeof(*names));
		}
		names[(*n)++] = sunset_xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), str_cmp);
	return names;
}

static void free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void add_chart(chart_scan *s, const char *dir)
{
	for (size_t i = 0; i < s->ncharts; i++)
		if (strcmp(s->charts[i], dir) == 0)
			return;
	if (s->ncharts == MAX_CHARTS)
		return;
	s->charts = sunset_xrealloc(s->charts, (s->ncharts + 1) * sizeof(*s->charts));
	s->charts[s->ncharts++] = sunset_xstrdup(dir);
}

/* dir, then its subcharts under charts/, depth first */
static void add_chart_tree(chart_scan *s, const char *dir, unsigned depth)
{
	add_chart(s, dir);
	if (depth >= 6)
		return;
	char *sub = sunset_path_join(dir, "charts");
	size_t n;
	char **names = list_dir(sub, &n);
	for (size_t i = 0; i < n; i++) {
		char *c = sunset_path_join(sub, names[i]);
		if (is_dir(c) && has_chart_yaml(c))
			add_chart_tree(s, c, depth + 1);
		free(c);
	}
	free_list(names, n);
	free(sub);
}

/*
 * Helm gives every template of a chart tree one namespace of defines: the
 * chart's own first, then its subcharts, then the charts above it (and
 * their other subcharts).
 */
static void list_charts(chart_scan *s)
{
	s->listed = true;
	if (!s->chart_root)
		return;
	char *own = realpath(s->chart_root, NULL);
	if (!own)
		return;
	add_chart_tree(s, own, 0);
	char *top = sunset_xstrdup(own);
	for (int up = 0; up < 6; up++) {
		char *parent = dir_name(top);
		char *grand = dir_name(parent);
		bool sub = strcmp(base_name(parent), "charts") == 0 && strcmp(grand, parent) != 0 &&
			   has_chart_yaml(grand);
		free(parent);
		if (!sub) {
			free(grand);
			break;
		}
		free(top);
		top = grand;
	}
	if (strcmp(top, own) != 0)
		add_chart_tree(s, top, 0);
	free(top);
	free(own);
}

static void index_defines(chart_scan *s, const tmpl_src *src, const tnode *n, unsigned depth)
{
	for (; n; n = n->next) {
		if ((n->kind == TN_DEFINE || n->kind == TN_BLOCK) && n->name) {
			SUNSET_GROW(s->defs, s->ndefs, s->capdefs, 64);
			s->defs[s->ndefs++] = (define_ent){n->name, n, src};
		}
		/* {{block}}s may sit inside other blocks */
		if (depth < 8 && n->kind != TN_DEFINE)
			for (const tbranch *b = n->branches; b; b = b->next)
				index_defines(s, src, b->body, depth + 1);
	}
}

static void load_helper_file(chart_scan *s, const char *path)
{
	if (s->nhelpers >= MAX_HELPER_FILES)
		return;
	if (s->main_real && strcmp(path, s->main_real) == 0)
		return; /* the template itself: indexed already */
	char err[256];
	char *buf;
	size_t len;
	if (read_capped(path, MAX_TEMPLATE_BYTES, &buf, &len, err, sizeof(err)) < 0)
		return;
	if (s->helper_bytes + len > MAX_HELPER_BYTES) {
		free(buf);
		return;
	}
	s->helper_bytes += len;
	tmpl_src *src = sunset_arena_alloc(&s->arena, sizeof(*src));
	char *text = sunset_arena_strndup(&s->arena, buf, len);
	free(buf);
	if (!src || !text)
		return;
	src->path = sunset_arena_strdup(&s->arena, path);
	src->text = text;
	src->len = len;
	src->root = NULL;
	SUNSET_GROW(s->helpers, s->nhelpers, s->caphelpers, 16);
	s->helpers[s->nhelpers].src = src;
	s->helpers[s->nhelpers].parsed = false;
	s->nhelpers++;
}

/*
 * Parses the helper files that hold "name" in quotes: a chart tree's
 * helpers are many, a template calls few of them.  True when one was.
 */
static bool parse_helpers_naming(chart_scan *s, const char *name)
{
	char needle[260];
	size_t n = strlen(name);
	bool any = false;
	if (n + 2 < sizeof(needle)) {
		needle[0] = '"';
		memcpy(needle + 1, name, n);
		needle[n + 1] = '"';
	}
	for (size_t i = 0; i < s->nhelpers; i++) {
		struct helper_file *h = &s->helpers[i];
		if (h->parsed)
			continue;
		if (n + 2 < sizeof(needle) && !memmem(h->src->text, h->src->len, needle, n + 2))
			continue;
		h->parsed = true;
		any = true;
		/* a broken helper is reported by its own scan; here it lends nothing */
		if (tmpl_parse(&s->arena, h->src, 1, 1, false, NULL) == 0)
			index_defines(s, h->src, h->src->root, 0);
	}
	return any;
}

static void load_helper_dir(chart_scan *s, const char *dir, unsigned depth)
{
	size_t n;
	char **names = list_dir(dir, &n);
	for (size_t i = 0; i < n; i++) {
		char *p = sunset_path_join(dir, names[i]);
		struct stat st;
		if (stat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth < 8)
				load_helper_dir(s, p, depth + 1);
			else if (S_ISREG(st.st_mode) &&
				 (sunset_str_ends_with(names[i], ".tpl") || names[i][0] == '_'))
				load_helper_file(s, p);
		}
		free(p);
	}
	free_list(names, n);
}

static const define_ent *find_def(chart_scan *s, const char *name)
{
	for (size_t i = 0; i < s->ndefs; i++)
		if (strcmp(s->defs[i].name, name) == 0)
			return &s->defs[i];
	return NULL;
}

static const tnode *find_define(tx_ctx *c, const char *name, const tmpl_src **src)
{
	chart_scan *s = c->user;
	for (size_t i = 0; i < s->nmissing; i++)
		if (strcmp(s->missing[i], name) == 0)
			return NULL;
	for (;;) {
		const define_ent *d = find_def(s, name);
		if (d) {
			*src = d->src;
			return d->node;
		}
		if (parse_helpers_naming(s, name))
			continue;
		if (!s->listed)
			list_charts(s);
		if (s->loaded >= s->ncharts)
			break;
		char *t = sunset_path_join(s->charts[s->loaded++], "templates");
		load_helper_dir(s, t, 0);
		free(t);
	}
	const char *copy = sunset_arena_strdup(&s->arena, name);
	if (copy && s->nmissing < sizeof(s->missing) / sizeof(s->missing[0]))
		s->missing[s->nmissing++] = copy;
	return NULL;
}

/* ---- values.yaml: defaults for .Values lookups ---- */

static void add_value(chart_scan *s, const char *path, const sunset_node *n)
{
	if (s->nvalues == MAX_VALUES)
		return;
	SUNSET_GROW(s->values, s->nvalues, s->capvalues, 256);
	value_ent *v = &s->values[s->nvalues];
	v->path = sunset_arena_strdup(&s->arena, path);
	v->str = NULL;
	v->n = 0;
	if (n && n->type == SUNSET_NODE_SCALAR) {
		const char *str = sunset_scalar_is_null(n) ? "" : n->str;
		v->str = sunset_arena_strdup(&s->arena, str);
		v->n = v->str ? strlen(v->str) : 0;
		if (!v->str)
			return;
	}
	if (v->path)
		s->nvalues++;
}

static void flatten(chart_scan *s, const sunset_node *n, char *path, size_t plen, size_t cap,
		    unsigned depth)
{
	n = sunset_node_resolve(n);
	if (plen)
		add_value(s, path, n);
	if (!n || n->type != SUNSET_NODE_MAPPING || depth > 32)
		return;
	for (size_t i = 0; i + 1 < n->nchild; i += 2) {
		const sunset_node *k = sunset_node_resolve(n->child[i]);
		if (!k || k->type != SUNSET_NODE_SCALAR)
			continue;
		size_t kl = strlen(k->str);
		if (plen + kl + 2 > cap)
			continue;
		size_t np = plen;
		if (np)
			path[np++] = '.';
		memcpy(path + np, k->str, kl + 1);
		flatten(s, n->child[i + 1], path, np + kl, cap, depth + 1);
		path[plen] = '\0';
	}
}

static int values_doc(void *ctx, const sunset_doc *doc)
{
	chart_scan *s = ctx;
	char path[1024];
	path[0] = '\0';
	flatten(s, doc->root, path, 0, sizeof(path), 0);
	return 1; /* only the first document counts */
}

static void values_error(void *ctx, uint32_t line, uint32_t column, const char *message)
{
	(void)ctx; (void)line; (void)column; (void)message;
	/* values.yaml is not a manifest: a broken one just lends no defaults */
}

/*
 * NEEDSWORK: each template of a chart parses values.yaml again when it
 * reads a value (about a third of them do, mostly through variables); a
 * per-chart cache shared by the workers would need a home in the scan
 * options.  It costs about a millisecond per 60 KiB of values.
 */
static int values_lookup(tx_ctx *c, const char *path, tv *out)
{
	chart_scan *s = c->user;
	if (!s->values_loaded) {
		s->values_loaded = true;
		if (s->chart_root) {
			char *p = sunset_path_join(s->chart_root, "values.yaml");
			char err[256], *buf;
			size_t len;
			if (read_capped(p, MAX_TEMPLATE_BYTES, &buf, &len, err, sizeof(err)) == 0) {
				sunset_input in = {.fd = -1, .mem = buf, .mem_len = len};
				sunset_doc_sink sink = {.doc = values_doc, .error = values_error, .ctx = s};
				sunset_read_yaml(&in, &s->opt->limits, &sink);
				free(buf);
			}
			free(p);
		}
	}
	if (!s->chart_root)
		return -1;
	for (size_t i = 0; i < s->nvalues; i++) {
		if (strcmp(s->values[i].path, path) != 0)
			continue;
		if (!s->values[i].str)
			return -1; /* a mapping or list: not a string we can follow */
		tv_set_str(out, s->values[i].str, s->values[i].n);
		return 0;
	}
	tv_set_str(out, "", 0); /* unset: renders empty */
	return 0;
}

/* ---- the walk ---- */

static bool line_ignored(const tmpl_src *src, size_t off)
{
	size_t b = off, e = off;
	while (b > 0 && src->text[b - 1] != '\n')
		b--;
	while (e < src->len && src->text[e] != '\n')
		e++;
	const char *h = memchr(src->text + b, '#', e - b);
	return h && memmem(h, (size_t)(src->text + e - h), "sunset:ignore", 13) != NULL;
}

/* The end of the source line holding off: the first newline outside {{ }}. */
static size_t line_end(const tmpl_src *src, size_t off)
{
	const char *t = src->text;
	size_t p = off;
	while (p < src->len) {
		const char *nl = memchr(t + p, '\n', src->len - p);
		size_t nlo = nl ? (size_t)(nl - t) : src->len;
		const char *ac = memmem(t + p, nlo - p, "{{", 2);
		if (!ac)
			return nlo;
		size_t end = tmpl_action_end(t, src->len, (size_t)(ac - t));
		if (!end)
			return nlo;
		p = end;
	}
	return src->len;
}

static uint32_t chars_between(const char *t, size_t a, size_t b)
{
	uint32_t n = 0;
	for (size_t i = a; i < b; i++)
		n += ((unsigned char)t[i] & 0xc0) != 0x80;
	return n;
}

/* Trims, drops a YAML comment, a JSON comma and quotes: the scalar as YAML reads it. */
static const char *clean_scalar(sunset_arena *a, const char *s, size_t n)
{
	size_t b = 0;
	while (b < n && is_blank(s[b]))
		b++;
	size_t e = b;
	char q = 0;
	for (; e < n; e++) {
		if (q) {
			if (s[e] == q)
				q = 0;
		} else if ((s[e] == '"' || s[e] == '\'') && e == b) {
			q = s[e];
		} else if (s[e] == '#' && e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) {
			break;
		}
	}
	while (e > b && is_blank(s[e - 1]))
		e--;
	if (e > b && s[e - 1] == ',')
		e--;
	if (e - b >= 2 && (s[b] == '"' || s[b] == '\'') && s[e - 1] == s[b]) {
		b++;
		e--;
	}
	return e > b ? sunset_arena_strndup(a, s + b, e - b) : NULL;
}

static frame *snapshot_guard(chart_scan *s, size_t *n)
{
	*n = s->nguard;
	if (!s->nguard)
		return NULL;
	frame *g = sunset_arena_alloc(&s->arena, s->nguard * sizeof(*g));
	if (!g) {
		*n = 0;
		return NULL;
	}
	memcpy(g, s->guard, s->nguard * sizeof(*g));
	return g;
}

static bool compatible(const key_ev *a, const key_ev *b)
{
	for (size_t i = 0; i < a->nguard; i++)
		for (size_t j = 0; j < b->nguard; j++)
			if (a->guard[i].id == b->guard[j].id && a->guard[i].branch != b->guard[j].branch)
				return false;
	return true;
}

static void seg_reset(segment *g)
{
	g->doc_indent = -1;
	g->in_metadata = false;
	g->meta_indent = -1;
	g->in_items = false;
	g->item_indent = -1;
	g->nav = g->nkind = g->nname = g->nns = 0;
	g->warned = false;
}

static const char *first_compatible(const key_ev *list, size_t n, const key_ev *a)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].nstr && compatible(&list[i], a))
			return list[i].str[0];
	return NULL;
}

/* The object is complete: every apiVersion with every kind that can stand beside it. */
static void flush_seg(chart_scan *s, segment *g)
{
	for (size_t i = 0; i < g->nav; i++) {
		const key_ev *a = &g->av[i];
		const char *seen[TV_MAX * TV_MAX * 2][2];
		size_t nseen = 0;
		for (size_t j = 0; j < g->nkind; j++) {
			const key_ev *k = &g->kind[j];
			if (!compatible(a, k))
				continue;
			for (size_t x = 0; x < a->nstr; x++) {
				for (size_t y = 0; y < k->nstr; y++) {
					bool dup = false;
					for (size_t d = 0; d < nseen && !dup; d++)
						dup = strcmp(seen[d][0], a->str[x]) == 0 && strcmp(seen[d][1], k->str[y]) == 0;
					if (dup)
						continue;
					if (nseen < sizeof(seen) / sizeof(seen[0])) {
						seen[nseen][0] = a->str[x];
						seen[nseen][1] = k->str[y];
						nseen++;
					}
					sunset_object o;
					memset(&o, 0, sizeof(o));
					o.api_version = a->str[x];
					o.kind = k->str[y];
					o.name = first_compatible(g->name, g->nname, a);
					o.namespace = first_compatible(g->ns, g->nns, a);
					o.file_path = s->path;
					o.template_path = s->template_path;
					o.line = a->line;
					o.column = a->col;
					o.source = SUNSET_SOURCE_CHART_TEMPLATE;
					o.ignored = a->ignored;
					sunset_check_object(s->opt, s->r, &o);
				}
			}
		}
	}
	seg_reset(g);
}

static void flush(chart_scan *s)
{
	flush_seg(s, s->item);
	flush_seg(s, s->seg);
}

/* Every string the value from off to the end of its line can be. */
static void eval_line_value(chart_scan *s, const tmpl_src *src, size_t off, uint32_t line, uint32_t col,
			    bool is_kind, key_ev *ev)
{
	size_t eol = line_end(src, off);
	tmpl_src snip = {src->path, src->text + off, eol - off, NULL};
	ev->nstr = 0;
	if (tmpl_parse(&s->arena, &snip, line, col, true, NULL) < 0)
		return;
	tv v;
	tv_set_str(&v, "", 0);
	tv_eval_body(&s->ev, snip.root, &snip, &v);
	for (size_t i = 0; i < v.n && ev->nstr < TV_MAX; i++) {
		size_t n;
		const char *t = ta_text(&s->ev, &v.a[i], &n);
		const char *c = clean_scalar(&s->arena, t, n);
		if (c && tx_re_match(is_kind ? TX_RE_KIND : TX_RE_APIVERSION, c, strlen(c), NULL, 0))
			ev->str[ev->nstr++] = c;
	}
}

static void too_many(chart_scan *s, segment *g, uint32_t line, uint32_t col, const char *what)
{
	if (g->warned)
		return;
	g->warned = true;
	sunset_report_add_error(s->r, s->path, line, col,
				"more than %d %s keys in one document; the rest are not checked", MAX_KEYS, what);
}

/* "key: value" at p, indented by indent, for the object g. */
static void key_line(chart_scan *s, segment *g, int indent, const tmpl_src *src, size_t p, size_t lim,
		     uint32_t line, uint32_t col)
{
	const char *t = src->text + p;
	size_t n = lim - p;
	size_t ov[8];
	if (!tx_re_match(TX_RE_KEY, t, n, ov, 8))
		return;
	const char *key = NULL;
	size_t klen = 0;
	for (int gi = 1; gi <= 3; gi++)
		if (ov[2 * gi] != (size_t)-1) {
			key = t + ov[2 * gi];
			klen = ov[2 * gi + 1] - ov[2 * gi];
			break;
		}
	if (!key)
		return;
	size_t v = p + ov[1];
	while (v < lim && (src->text[v] == ' ' || src->text[v] == '\t'))
		v++;
	uint32_t vcol = col + chars_between(src->text, p, v);
#define KEY(s_) (klen == sizeof(s_) - 1 && memcmp(key, s_, klen) == 0)
	if (g->doc_indent < 0 || indent < g->doc_indent) {
		if (g->doc_indent >= 0) /* what looked top-level was nested */
			g->nav = g->nkind = g->nname = g->nns = 0;
		g->doc_indent = indent;
	}
	uint32_t rline = s->override ? s->oline : line, rcol = s->override ? s->ocol : vcol;
	if (indent == g->doc_indent) {
		g->in_metadata = KEY("metadata");
		g->meta_indent = -1;
		if (g == s->seg && KEY("items")) {
			g->in_items = true;
			g->item_indent = -1;
		}
		bool av = KEY("apiVersion"), kind = KEY("kind");
		if (!av && !kind)
			return;
		if ((av ? g->nav : g->nkind) == MAX_KEYS) {
			too_many(s, g, rline, rcol, av ? "apiVersion" : "kind");
			return;
		}
		key_ev *ev = av ? &g->av[g->nav] : &g->kind[g->nkind];
		memset(ev, 0, sizeof(*ev));
		eval_line_value(s, src, v, line, vcol, kind, ev);
		if (!ev->nstr)
			return;
		ev->line = rline;
		ev->col = rcol;
		ev->ignored = (s->override && s->oignored) || line_ignored(src, v);
		ev->guard = snapshot_guard(s, &ev->nguard);
		if (av)
			g->nav++;
		else
			g->nkind++;
		return;
	}
	if (!g->in_metadata || indent < g->doc_indent)
		return;
	if (g->meta_indent < 0)
		g->meta_indent = indent;
	bool nm = KEY("name"), ns = KEY("namespace");
	if (indent != g->meta_indent || (!nm && !ns))
		return;
#undef KEY
	key_ev *list = nm ? g->name : g->ns;
	size_t *cnt = nm ? &g->nname : &g->nns;
	if (*cnt == 4)
		return;
	key_ev *ev = &list[*cnt];
	memset(ev, 0, sizeof(*ev));
	size_t eol = line_end(src, v);
	/* a literal is the name; a template expression is shown as written */
	const char *raw;
	if (memmem(src->text + v, eol - v, "{{", 2)) {
		size_t e = eol;
		while (e > v && is_blank(src->text[e - 1]))
			e--;
		raw = e > v ? sunset_arena_strndup(&s->arena, src->text + v, e - v) : NULL;
	} else {
		raw = clean_scalar(&s->arena, src->text + v, eol - v);
	}
	if (!raw)
		return;
	ev->str[0] = raw;
	ev->nstr = 1;
	ev->guard = snapshot_guard(s, &ev->nguard);
	(*cnt)++;
}

/* A line whose first text (after any control actions) starts at p. */
static void line_head(chart_scan *s, const tmpl_src *src, size_t p, size_t lim, uint32_t line, uint32_t col)
{
	const char *t = src->text + p;
	size_t n = lim - p;
	segment *g = s->seg;
	int indent = s->indent;
	if (n >= 3 && memcmp(t, "---", 3) == 0 && (n == 3 || is_blank(t[3])) && indent == 0) {
		flush(s);
		return;
	}
	if (t[0] == '#')
		return;
	bool dash = t[0] == '-' && (n == 1 || t[1] == ' ' || t[1] == '\t');
	if (g->in_items) {
		if (dash && indent >= g->doc_indent && (g->item_indent < 0 || indent == g->item_indent)) {
			/* "- kind: Ingress": a new item, its keys one column past the dash */
			g->item_indent = indent;
			flush_seg(s, s->item);
			size_t q = p + 1;
			while (q < lim && (src->text[q] == ' ' || src->text[q] == '\t'))
				q++;
			int ki = indent + (int)(q - p);
			if (q < lim) {
				s->item->doc_indent = ki;
				key_line(s, s->item, ki, src, q, lim, line, col + (uint32_t)(q - p));
			}
			return;
		}
		if (indent > g->doc_indent && g->item_indent >= 0) {
			if (!dash)
				key_line(s, s->item, indent, src, p, lim, line, col);
			return;
		}
		if (indent <= g->doc_indent && !dash) {
			flush_seg(s, s->item);
			g->in_items = false;
		}
	}
	if (dash)
		return; /* a sequence item: not an object's key */
	key_line(s, g, indent, src, p, lim, line, col);
}

static void walk(chart_scan *s, const tnode *n, const tmpl_src *src);

static void walk_text(chart_scan *s, const tnode *n, const tmpl_src *src)
{
	const char *t = src->text;
	uint32_t line = n->line, col = n->col;
	size_t p = n->start;
	while (p < n->end) {
		char c = t[p];
		if (c == '\n') {
			line++;
			col = 1;
			p++;
			s->at_line_start = true;
			s->indent = 0;
			continue;
		}
		if (s->at_line_start) {
			if (c == ' ' || c == '\t') {
				s->indent++;
				col++;
				p++;
				continue;
			}
			if (c == '\r') {
				p++;
				continue;
			}
			const char *nl = memchr(t + p, '\n', n->end - p);
			size_t lim = nl ? (size_t)(nl - t) : n->end;
			size_t l2 = lim;
			if (l2 > p && t[l2 - 1] == '\r')
				l2--;
			line_head(s, src, p, l2, line, col);
			s->at_line_start = false;
		}
		const char *nl = memchr(t + p, '\n', n->end - p);
		if (!nl)
			break;
		p = (size_t)(nl - t);
	}
}

/* {{ include "name" . }} or {{ template "name" . }}, alone: the define's name */
static const char *inline_name(const tnode *n)
{
	if (n->kind == TN_TEMPLATE)
		return n->name;
	const tx_pipe *p = n->pipe;
	if (!p || p->decl[0] || !p->cmds || p->cmds->next)
		return NULL;
	const tx_expr *f = p->cmds->args;
	if (!f || f->kind != EX_IDENT || (strcmp(f->s, "include") != 0 && strcmp(f->s, "template") != 0))
		return NULL;
	return f->next && f->next->kind == EX_STRING ? f->next->s : NULL;
}

/*
 * A line that is only an include of a define, at the document's
 * indentation: the define may write whole objects (library charts).  Its
 * keys are read in place, reported at the include.
 */
static bool walk_inline(chart_scan *s, const tnode *n, const tmpl_src *src)
{
	const char *name = inline_name(n);
	if (!name || s->ninlined == MAX_INLINE_DEPTH)
		return false;
	if (s->seg->doc_indent >= 0 && s->indent != s->seg->doc_indent)
		return false;
	const tmpl_src *dsrc = NULL;
	const tnode *def = find_define(&s->ev, name, &dsrc);
	if (!def || !def->branches)
		return false;
	for (size_t i = 0; i < s->ninlined; i++)
		if (s->inlined[i] == def)
			return false;
	bool saved_override = s->override;
	uint32_t ol = s->oline, oc = s->ocol;
	bool oi = s->oignored;
	if (!s->override) {
		s->override = true;
		s->oline = n->line;
		s->ocol = n->col;
		s->oignored = line_ignored(src, n->start);
	}
	s->inlined[s->ninlined++] = def;
	size_t saved = s->ev.nvars;
	struct tx_var hidden[TX_MAX_VARS];
	memcpy(hidden, s->ev.vars, saved * sizeof(hidden[0]));
	s->ev.nvars = 0;
	walk(s, def->branches->body, dsrc);
	memcpy(s->ev.vars, hidden, saved * sizeof(hidden[0]));
	s->ev.nvars = saved;
	s->ninlined--;
	s->override = saved_override;
	s->oline = ol;
	s->ocol = oc;
	s->oignored = oi;
	s->at_line_start = false;
	return true;
}

static void walk_branches(chart_scan *s, const tnode *n, const tmpl_src *src)
{
	uint32_t id = ++s->next_id;
	bool reach = true;
	bool start_at = s->at_line_start, end_at = start_at;
	int start_indent = s->indent, end_indent = start_indent;
	uint32_t bi = 0;
	for (const tbranch *b = n->branches; b && reach; b = b->next, bi++) {
		bool possible = reach;
		tv cond;
		if (b->cond) {
			bool ct, cf;
			/* a variable it declares may be read later: then values count */
			s->ev.cond_mode = !b->cond->decl[0];
			tv_eval_pipe(&s->ev, b->cond, &cond);
			s->ev.cond_mode = false;
			tv_truth(&cond, &ct, &cf);
			possible = reach && ct;
			reach = reach && cf;
		} else {
			reach = false;
		}
		if (!possible)
			continue; /* not rendered at the target */
		s->at_line_start = start_at;
		s->indent = start_indent;
		size_t mark = s->ev.nvars;
		if (b->cond && b->cond->decl[0]) {
			if (n->kind == TN_RANGE) { /* range binds elements, not the list */
				memset(&cond, 0, sizeof(cond));
				cond.open = true;
			}
			tx_bind(&s->ev, b->cond, &cond);
		}
		bool pushed = s->nguard < MAX_GUARD;
		if (pushed)
			s->guard[s->nguard++] = (frame){id, bi};
		walk(s, b->body, src);
		if (pushed)
			s->nguard--;
		s->ev.nvars = mark;
		end_at = s->at_line_start;
		end_indent = s->indent;
	}
	s->at_line_start = end_at;
	s->indent = end_indent;
}

static void walk(chart_scan *s, const tnode *n, const tmpl_src *src)
{
	for (; n && !s->stopped; n = n->next) {
		if (++s->ev.steps > 4000000u) {
			s->stopped = true;
			sunset_report_add_error(s->r, s->path, n->line, n->col,
						"template too complex to analyse; the rest is not checked");
			return;
		}
		switch (n->kind) {
		case TN_TEXT:
			walk_text(s, n, src);
			break;
		case TN_ACTION:
			if (n->pipe && n->pipe->decl[0]) {
				tv v;
				tv_eval_pipe(&s->ev, n->pipe, &v);
				tx_bind(&s->ev, n->pipe, &v);
				break; /* like a control action: the line has not started */
			}
			if (!(s->at_line_start && walk_inline(s, n, src)))
				s->at_line_start = false;
			break;
		case TN_TEMPLATE:
			if (!(s->at_line_start && walk_inline(s, n, src)))
				s->at_line_start = false;
			break;
		case TN_IF:
		case TN_RANGE:
		case TN_WITH:
			walk_branches(s, n, src);
			break;
		case TN_BLOCK:
			if (n->branches)
				walk(s, n->branches->body, src);
			break;
		default: /* defines are not rendered where they stand; comments */
			break;
		}
	}
}

/* ---- entry points ---- */

/* "mychart/templates/x.yaml", "parent/charts/sub/templates/x.yaml" */
static char *template_path_of(const char *path, const char *chart_root)
{
	size_t rl = strlen(chart_root);
	while (rl > 1 && chart_root[rl - 1] == '/')
		rl--;
	char *real = realpath(chart_root, NULL);
	char *real_path = NULL;
	const char *rel;
	if (strncmp(path, chart_root, rl) == 0 && path[rl] == '/') {
		rel = path + rl + 1;
	} else {
		/* "./x.yaml" under the chart "./..": compare where they really are */
		real_path = realpath(path, NULL);
		size_t n = real ? strlen(real) : 0;
		if (!real || !real_path || strncmp(real_path, real, n) != 0 || real_path[n] != '/') {
			free(real);
			free(real_path);
			return NULL;
		}
		rel = real_path + n + 1;
	}
	while (*rel == '/')
		rel++;
	char *given = sunset_xmalloc(rl + 1);
	memcpy(given, chart_root, rl);
	given[rl] = '\0';
	const char *name = base_name(given);
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		name = real ? base_name(real) : "chart";
	sunset_buf b;
	sunset_buf_init(&b, 64 << 10);
	/* the charts this one is a subchart of, outermost first */
	char *prefix[8];
	size_t np = 0;
	char *cur = real ? sunset_xstrdup(real) : NULL;
	while (cur && np < 8) {
		char *parent = dir_name(cur);
		char *grand = dir_name(parent);
		bool sub = strcmp(base_name(parent), "charts") == 0 && strcmp(grand, parent) != 0 &&
			   has_chart_yaml(grand);
		free(parent);
		free(cur);
		cur = NULL;
		if (!sub) {
			free(grand);
			break;
		}
		prefix[np++] = sunset_xstrdup(base_name(grand));
		cur = grand;
	}
	free(cur);
	for (size_t i = np; i > 0; i--) {
		sunset_buf_printf(&b, "%s/charts/", prefix[i - 1]);
		free(prefix[i - 1]);
	}
	sunset_buf_printf(&b, "%s/%s", name, rel);
	char *out = b.data ? sunset_xstrdup(b.data) : NULL;
	sunset_buf_release(&b);
	free(given);
	free(real);
	free(real_path);
	return out;
}

char *sunset_chart_root_of(const char *path)
{
	/* by the path as written first, so that messages keep the user's spelling */
	char *dir = sunset_xstrdup(path);
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	for (int up = 0; up < 8; up++) {
		if (strcmp(base_name(dir), "templates") == 0) {
			char *root = dir_name(dir);
			if (has_chart_yaml(root)) {
				free(dir);
				return root;
			}
			free(root);
		}
		if (!strchr(dir, '/') || strcmp(dir, "/") == 0)
			break;
		char *up_dir = dir_name(dir);
		free(dir);
		dir = up_dir;
	}
	free(dir);
	/* "." inside templates/, "../x.yaml": the same walk over the real path */
	char *real = realpath(path, NULL);
	if (!real)
		return NULL;
	for (int up = 0; up < 8 && strcmp(real, "/") != 0; up++) {
		char *parent = dir_name(real);
		if (strcmp(base_name(real), "templates") == 0 && has_chart_yaml(parent)) {
			free(real);
			return parent;
		}
		free(real);
		real = parent;
	}
	free(real);
	return NULL;
}

static void scan_text(const sunset_scan_options *opt, sunset_report *r, const char *path, const char *text,
		      size_t len, const char *chart_root, const char *template_path)
{
	chart_scan *s = sunset_xcalloc(1, sizeof(*s));
	s->opt = opt;
	s->r = r;
	s->path = path;
	s->chart_root = chart_root;
	s->template_path = template_path;
	s->seg = sunset_xcalloc(1, sizeof(*s->seg));
	s->item = sunset_xcalloc(1, sizeof(*s->item));
	seg_reset(s->seg);
	seg_reset(s->item);
	sunset_arena_init(&s->arena, MAX_SCAN_ARENA);
	tx_ctx_init(&s->ev, opt, &s->arena);
	s->ev.find_define = find_define;
	s->ev.values_lookup = values_lookup;
	s->ev.user = s;
	s->main_real = realpath(path, NULL);
	s->main.path = path;
	s->main.text = text;
	s->main.len = len;
	tmpl_error err;
	if (tmpl_parse(&s->arena, &s->main, 1, 1, false, &err) < 0) {
		sunset_report_add_error(r, path, err.line, err.col, "%s", err.msg);
		goto out;
	}
	index_defines(s, &s->main, s->main.root, 0);
	/* _*.tpl and other partials are not rendered: only checked to parse */
	if (base_name(path)[0] == '_')
		goto out;
	s->at_line_start = true;
	walk(s, s->main.root, &s->main);
	if (!s->stopped)
		flush(s);
out:
	free(s->main_real);
	for (size_t i = 0; i < s->ncharts; i++)
		free(s->charts[i]);
	free(s->charts);
	free(s->defs);
	free(s->helpers);
	free(s->values);
	free(s->seg);
	free(s->item);
	sunset_arena_release(&s->arena);
	free(s);
}

void sunset_chart_scan_text(const sunset_scan_options *opt, sunset_report *r, const char *path,
			    const char *text, size_t len, const char *chart_root)
{
	char *tp = chart_root ? template_path_of(path, chart_root) : NULL;
	scan_text(opt, r, path, text, len, chart_root, tp);
	free(tp);
}

void sunset_chart_scan_file(const sunset_scan_options *opt, sunset_report *r, const char *path,
			    const char *chart_root)
{
	char *found = NULL;
	if (!chart_root)
		chart_root = found = sunset_chart_root_of(path);
	char err[256], *buf = NULL;
	size_t len;
	r->inputs++;
	if (read_capped(path, MAX_TEMPLATE_BYTES, &buf, &len, err, sizeof(err)) < 0) {
		sunset_report_add_error(r, path, 0, 0, "%s", err);
	} else if (memchr(buf, '\0', len)) {
		sunset_report_add_error(r, path, 1, 1, "binary file (NUL byte at offset %zu); skipped",
					(size_t)((char *)memchr(buf, '\0', len) - buf));
	} else {
		sunset_chart_scan_text(opt, r, path, buf, len, chart_root);
	}
	free(buf);
	free(found);
}
