/*
 * Go templates as Helm charts write them, read without rendering: a lexer
 * and parser for {{ }} actions (trim markers, comments, quoted strings,
 * if/else if/else/range/with/define/block/template/end), and an abstract
 * evaluator that says what an expression or a {{define}} can print at the
 * target version -- every alternative of an undecidable branch, one side of
 * a decidable one (semverCompare against .Capabilities.KubeVersion,
 * .Capabilities.APIVersions.Has against the table).  Also Helm's semver
 * ranges (Masterminds/semver v3).
 *
 * Everything is allocated from the caller's arena; work is bounded by a
 * step budget, a depth bound on nested defines and TV_MAX alternatives, so
 * a hostile template costs little.
 */
#define _GNU_SOURCE
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart/chart.h"
#include "sunset/report.h"

/* ------------------------------------------------------------------ */
/* semver ranges                                                       */
/* ------------------------------------------------------------------ */

typedef struct sv_ver {
	long maj, min, pat;
	const char *pre;
	size_t npre;
} sv_ver;

enum sv_op { OP_EQ, OP_NE, OP_GT, OP_LT, OP_GE, OP_LE, OP_TILDE, OP_CARET };

typedef struct sv_con {
	enum sv_op op;
	sv_ver v;
	bool dirty, minor_dirty, patch_dirty;
} sv_con;

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

static bool is_pre_char(char c)
{
	return is_ident_char(c) || c == '-' || c == '.';
}

/* digits, or one wildcard (x, X or a star) when wild is non-NULL.  -1 when neither. */
static int sv_part(const char **p, const char *e, long *out, bool *wild)
{
	const char *s = *p;
	if (s < e && wild && (*s == 'x' || *s == 'X' || *s == '*')) {
		*wild = true;
		*out = 0;
		*p = s + 1;
		return 0;
	}
	long v = 0;
	int nd = 0;
	while (s < e && is_digit(*s)) {
		if (++nd > 9)
			return -1;
		v = v * 10 + (*s - '0');
		s++;
	}
	if (!nd)
		return -1;
	*out = v;
	*p = s;
	return 0;
}

/* [-pre][+build]; the prerelease is kept, the build dropped */
static int sv_tail(const char **p, const char *e, sv_ver *v)
{
	const char *s = *p;
	v->pre = NULL;
	v->npre = 0;
	if (s < e && *s == '-') {
		const char *b = ++s;
		while (s < e && is_pre_char(*s))
			s++;
		if (s == b || s[-1] == '.')
			return -1;
		v->pre = b;
		v->npre = (size_t)(s - b);
	}
	if (s < e && *s == '+') {
		const char *b = ++s;
		while (s < e && is_pre_char(*s))
			s++;
		if (s == b)
			return -1;
	}
	*p = s;
	return 0;
}

static int sv_parse_version(const char *s, size_t n, sv_ver *v)
{
	const char *p = s, *e = s + n;
	if (p < e && (*p == 'v' || *p == 'V'))
		p++;
	memset(v, 0, sizeof(*v));
	if (sv_part(&p, e, &v->maj, NULL) < 0)
		return -1;
	if (p < e && *p == '.') {
		p++;
		if (sv_part(&p, e, &v->min, NULL) < 0)
			return -1;
		if (p < e && *p == '.') {
			p++;
			if (sv_part(&p, e, &v->pat, NULL) < 0)
				return -1;
		}
	}
	if (sv_tail(&p, e, v) < 0)
		return -1;
	return p == e ? 0 : -1;
}

static int cmp_long(long a, long b)
{
	return a < b ? -1 : a > b;
}

static int cmp_pre(const sv_ver *a, const sv_ver *b)
{
	const char *p = a->pre, *pe = a->pre + a->npre, *q = b->pre, *qe = b->pre + b->npre;
	for (;;) {
		if (p >= pe || q >= qe)
			return cmp_long(p < pe, q < qe);
		const char *pd = memchr(p, '.', (size_t)(pe - p)), *qd = memchr(q, '.', (size_t)(qe - q));
		if (!pd)
			pd = pe;
		if (!qd)
			qd = qe;
		bool pn = true, qn = true;
		for (const char *x = p; x < pd; x++)
			pn = pn && is_digit(*x);
		for (const char *x = q; x < qd; x++)
			qn = qn && is_digit(*x);
		int c;
		if (pn && qn) {
			size_t lp = (size_t)(pd - p), lq = (size_t)(qd - q);
			c = lp != lq ? cmp_long((long)lp, (long)lq) : memcmp(p, q, lp);
		} else if (pn != qn) {
			c = pn ? -1 : 1; /* numeric identifiers sort first */
		} else {
			size_t lp = (size_t)(pd - p), lq = (size_t)(qd - q);
			c = memcmp(p, q, lp < lq ? lp : lq);
			if (!c)
				c = cmp_long((long)lp, (long)lq);
		}
		if (c)
			return c < 0 ? -1 : 1;
		p = pd < pe ? pd + 1 : pe;
		q = qd < qe ? qd + 1 : qe;
		if (pd == pe && qd == qe)
			return 0;
	}
}

static int sv_cmp(const sv_ver *a, const sv_ver *b)
{
	int c = cmp_long(a->maj, b->maj);
	if (!c)
		c = cmp_long(a->min, b->min);
	if (!c)
		c = cmp_long(a->pat, b->pat);
	if (c)
		return c;
	if (!a->npre && !b->npre)
		return 0;
	if (!a->npre)
		return 1;
	if (!b->npre)
		return -1;
	return cmp_pre(a, b);
}

static bool sv_tilde(const sv_ver *v, const sv_con *c)
{
	if (sv_cmp(v, &c->v) < 0)
		return false;
	if (!c->v.maj && !c->v.min && !c->v.pat && !c->minor_dirty && !c->patch_dirty)
		return true;
	if (v->maj != c->v.maj)
		return false;
	if (v->min != c->v.min && !c->minor_dirty)
		return false;
	return true;
}

/* One constraint, following Masterminds/semver v3's constraint functions. */
static bool sv_check_one(const sv_con *c, const sv_ver *v)
{
	bool vpre = v->npre > 0, cpre = c->v.npre > 0;
	if (c->op != OP_NE && vpre && !cpre)
		return false; /* prereleases match only constraints that name one */
	switch (c->op) {
	case OP_NE:
		if (c->dirty) {
			if (vpre && !cpre)
				return false;
			if (c->v.maj != v->maj)
				return true;
			if (c->v.min != v->min && !c->minor_dirty)
				return true;
			else if (c->minor_dirty)
				return false;
			else if (c->v.pat != v->pat && !c->patch_dirty)
				return true;
			else if (c->patch_dirty) {
				if (vpre || cpre)
					return cmp_pre(v, &c->v) != 0;
				return false;
			}
		}
		return sv_cmp(v, &c->v) != 0;
	case OP_EQ:
		return c->dirty ? sv_tilde(v, c) : sv_cmp(v, &c->v) == 0;
	case OP_GT:
		if (!c->dirty)
			return sv_cmp(v, &c->v) > 0;
		if (v->maj != c->v.maj)
			return v->maj > c->v.maj;
		if (c->minor_dirty)
			return false;
		if (c->patch_dirty)
			return v->min > c->v.min;
		return sv_cmp(v, &c->v) > 0;
	case OP_LT:
		return sv_cmp(v, &c->v) < 0;
	case OP_GE:
		return sv_cmp(v, &c->v) >= 0;
	case OP_LE:
		if (!c->dirty)
			return sv_cmp(v, &c->v) <= 0;
		if (v->maj > c->v.maj)
			return false;
		if (v->maj == c->v.maj && v->min > c->v.min && !c->minor_dirty)
			return false;
		return true;
	case OP_TILDE:
		return sv_tilde(v, c);
	case OP_CARET:
		if (sv_cmp(v, &c->v) < 0)
			return false;
		if (c->v.maj > 0 || c->minor_dirty)
			return v->maj == c->v.maj;
		if (v->maj > 0)
			return false;
		if (c->v.min > 0 || c->patch_dirty)
			return v->min == c->v.min;
		if (v->min > 0)
			return false;
		return c->v.pat == v->pat;
	}
	return false;
}

static void skip_sp(const char **p, const char *e)
{
	while (*p < e && is_space(**p))
		(*p)++;
}

/* op? ws? version, with x/X/star wildcards and missing parts marking it dirty */
static int sv_parse_con(const char **pp, const char *e, sv_con *c)
{
	static const struct {
		const char *s;
		enum sv_op op;
	} ops[] = {{"!=", OP_NE}, {">=", OP_GE}, {"=>", OP_GE}, {"<=", OP_LE}, {"=<", OP_LE},
		   {"~>", OP_TILDE}, {">", OP_GT}, {"<", OP_LT}, {"=", OP_EQ}, {"~", OP_TILDE},
		   {"^", OP_CARET}};
	const char *p = *pp;
	memset(c, 0, sizeof(*c));
	c->op = OP_EQ;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t l = strlen(ops[i].s);
		if ((size_t)(e - p) >= l && memcmp(p, ops[i].s, l) == 0) {
			c->op = ops[i].op;
			p += l;
			break;
		}
	}
	skip_sp(&p, e);
	if (p < e && (*p == 'v' || *p == 'V'))
		p++;
	bool w1 = false, w2 = false, w3 = false, has2 = false, has3 = false;
	long maj = 0, min = 0, pat = 0;
	if (sv_part(&p, e, &maj, &w1) < 0)
		return -1;
	if (p < e && *p == '.') {
		p++;
		has2 = true;
		if (sv_part(&p, e, &min, &w2) < 0)
			return -1;
		if (p < e && *p == '.') {
			p++;
			has3 = true;
			if (sv_part(&p, e, &pat, &w3) < 0)
				return -1;
		}
	}
	if (sv_tail(&p, e, &c->v) < 0)
		return -1;
	if (p < e && !is_space(*p) && *p != ',' && *p != '|')
		return -1;
	if (w1) {
		c->dirty = true;
	} else if (w2 || !has2) {
		c->dirty = c->minor_dirty = true;
		c->v.maj = maj;
	} else if (w3 || !has3) {
		c->dirty = c->patch_dirty = true;
		c->v.maj = maj;
		c->v.min = min;
	} else {
		c->v.maj = maj;
		c->v.min = min;
		c->v.pat = pat;
	}
	*pp = p;
	return 0;
}

int sunset_semver_check(const char *constraint, size_t clen, const char *version, size_t vlen)
{
	sv_ver v;
	if (sv_parse_version(version, vlen, &v) < 0)
		return -1;
	const char *p = constraint, *e = constraint + clen;
	bool any = false;
	for (;;) {
		/* one "||" alternative: constraints joined by spaces or commas */
		const char *oe = p;
		while (oe < e && !(oe + 1 < e && oe[0] == '|' && oe[1] == '|'))
			oe++;
		bool all = true;
		int ncon = 0;
		skip_sp(&p, oe);
		while (p < oe) {
			sv_con c;
			if (sv_parse_con(&p, oe, &c) < 0)
				return -1;
			/* "1.2 - 1.4": a hyphen range, >= the first and <= the second */
			const char *q = p;
			skip_sp(&q, oe);
			if (c.op == OP_EQ && q > p && q < oe && *q == '-' && q + 1 < oe && is_space(q[1])) {
				q++;
				skip_sp(&q, oe);
				sv_con hi;
				if (sv_parse_con(&q, oe, &hi) < 0 || hi.op != OP_EQ)
					return -1;
				c.op = OP_GE;
				hi.op = OP_LE;
				all = all && sv_check_one(&c, &v) && sv_check_one(&hi, &v);
				p = q;
			} else {
				all = all && sv_check_one(&c, &v);
			}
			ncon++;
			skip_sp(&p, oe);
			if (p < oe && *p == ',') {
				p++;
				skip_sp(&p, oe);
				if (p == oe)
					return -1;
			}
		}
		if (!ncon)
			return -1; /* Masterminds rejects an empty constraint, and "a ||" */
		if (all)
			any = true;
		if (oe >= e)
			break;
		p = oe + 2;
	}
	return any ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* pcre2 patterns                                                      */
/* ------------------------------------------------------------------ */

static const char *const re_source[TX_RE_COUNT] = {
	/* an action's keyword */
	[TX_RE_KEYWORD] = "^[ \\t\\r\\n]*(if|else|end|range|with|define|block|template|break|continue)"
			  "(?![A-Za-z0-9_])[ \\t\\r\\n]*",
	/* a mapping key at the head of a line: bare, or quoted (JSON) */
	[TX_RE_KEY] = "^(?:([A-Za-z_][A-Za-z0-9_.\\-]*)|\"([A-Za-z_][A-Za-z0-9_.\\-]*)\"|'([A-Za-z_]"
		      "[A-Za-z0-9_.\\-]*)')[ \\t]*:(?=[ \\t\\r]|$)",
	[TX_RE_APIVERSION] = "^(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?$",
	[TX_RE_KIND] = "^[A-Z][A-Za-z0-9]*$",
};

static pcre2_code *re_code[TX_RE_COUNT];
static pcre2_match_context *re_mctx;
static pthread_once_t re_once = PTHREAD_ONCE_INIT;

static void re_init(void)
{
	for (int i = 0; i < TX_RE_COUNT; i++) {
		int ec;
		PCRE2_SIZE eo;
		re_code[i] = pcre2_compile((PCRE2_SPTR)re_source[i], PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
		if (!re_code[i]) {
			fprintf(stderr, "sunset: internal pattern %d does not compile\n", i);
			abort();
		}
	}
	/* the patterns are linear, but a hostile line must not find out */
	re_mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(re_mctx, 100000);
	pcre2_set_depth_limit(re_mctx, 1000);
}

int tx_re_match(enum tx_re re, const char *s, size_t n, size_t *ov, size_t nov)
{
	pthread_once(&re_once, re_init);
	pcre2_match_data *md = pcre2_match_data_create(8, NULL);
	if (!md)
		return 0;
	int rc = pcre2_match(re_code[re], (PCRE2_SPTR)s, n, 0, 0, md, re_mctx);
	if (rc > 0 && ov) {
		PCRE2_SIZE *v = pcre2_get_ovector_pointer(md);
		for (size_t i = 0; i < nov && i < 2 * (size_t)rc; i++)
			ov[i] = v[i] == PCRE2_UNSET ? (size_t)-1 : v[i];
		for (size_t i = 2 * (size_t)rc; i < nov; i++)
			ov[i] = (size_t)-1;
	}
	pcre2_match_data_free(md);
	return rc > 0 ? rc : 0;
}

/* ------------------------------------------------------------------ */
/* the lexer: one action                                               */
/* ------------------------------------------------------------------ */

typedef struct act {
	size_t end;	    /* just past "}}" */
	size_t bs, be;	    /* the action's text, without delimiters and trim markers */
	bool ltrim, rtrim, comment;
	const char *err;    /* NULL, or what is wrong */
	size_t err_off;
} act;

static void scan_action(const char *t, size_t len, size_t off, act *a)
{
	memset(a, 0, sizeof(*a));
	size_t p = off + 2;
	if (p + 1 < len && t[p] == '-' && is_space(t[p + 1])) {
		a->ltrim = true;
		p += 2;
	}
	size_t q = p;
	while (q < len && is_space(t[q]) && a->ltrim)
		q++;
	if (q + 1 < len && t[q] == '/' && t[q + 1] == '*') {
		a->comment = true;
		const char *c = memmem(t + q + 2, len - q - 2, "*/", 2);
		if (!c) {
			a->err = "unclosed comment";
			a->err_off = off;
			return;
		}
		size_t r = (size_t)(c - t) + 2;
		a->bs = q;
		a->be = r;
		if (r + 1 < len && is_space(t[r]) && t[r + 1] == '-') {
			a->rtrim = true;
			r += 2;
		}
		if (r + 1 >= len || t[r] != '}' || t[r + 1] != '}') {
			a->err = "comment ends before closing delimiter";
			a->err_off = off;
			return;
		}
		a->end = r + 2;
		return;
	}
	a->bs = p;
	while (p < len) {
		char c = t[p];
		if (c == '"' || c == '\'') {
			size_t s = p++;
			while (p < len && t[p] != c && t[p] != '\n') {
				if (t[p] == '\\' && p + 1 < len)
					p++;
				p++;
			}
			if (p >= len || t[p] != c) {
				a->err = c == '"' ? "unterminated quoted string" : "unterminated character constant";
				a->err_off = s;
				return;
			}
			p++;
			continue;
		}
		if (c == '`') {
			size_t s = p++;
			const char *b = memchr(t + p, '`', len - p);
			if (!b) {
				a->err = "unterminated raw quoted string";
				a->err_off = s;
				return;
			}
			p = (size_t)(b - t) + 1;
			continue;
		}
		if (c == '}' && p + 1 < len && t[p + 1] == '}') {
			a->be = p;
			a->end = p + 2;
			return;
		}
		if (is_space(c) && p + 3 < len && t[p + 1] == '-' && t[p + 2] == '}' && t[p + 3] == '}') {
			a->rtrim = true;
			a->be = p;
			a->end = p + 4;
			return;
		}
		if (c == '{' && p + 1 < len && t[p + 1] == '{') {
			a->err = "unclosed action";
			a->err_off = off;
			return;
		}
		p++;
	}
	a->err = "unclosed action";
	a->err_off = off;
}

size_t tmpl_action_end(const char *text, size_t len, size_t off)
{
	act a;
	scan_action(text, len, off, &a);
	return a.err ? 0 : a.end;
}

/* ------------------------------------------------------------------ */
/* the expression parser: one pipeline                                  */
/* ------------------------------------------------------------------ */

typedef struct xp {
	sunset_arena *a;
	const char *p, *e;
	bool fail;
	unsigned depth;
} xp;

static void *xalloc(xp *x, size_t n)
{
	void *p = sunset_arena_alloc(x->a, n);
	if (!p)
		x->fail = true;
	else
		memset(p, 0, n);
	return p;
}

static tx_pipe *xp_pipe(xp *x, bool in_paren);

static const char *xp_word(xp *x, const char *b, const char *e)
{
	const char *s = sunset_arena_strndup(x->a, b, (size_t)(e - b));
	if (!s)
		x->fail = true;
	return s;
}

/* ".A.B.C" at x->p: the chain without its leading dot */
static const char *xp_chain(xp *x)
{
	const char *b = x->p;
	while (x->p < x->e && *x->p == '.' && x->p + 1 < x->e && is_ident_char(x->p[1])) {
		x->p++;
		while (x->p < x->e && is_ident_char(*x->p))
			x->p++;
	}
	return b == x->p ? NULL : xp_word(x, b + 1, x->p);
}

static char *xp_unquote(xp *x, const char *b, const char *e, size_t *n)
{
	char *s = sunset_arena_alloc(x->a, (size_t)(e - b) + 1);
	if (!s) {
		x->fail = true;
		return NULL;
	}
	size_t k = 0;
	for (const char *p = b; p < e; p++) {
		if (*p == '\\' && p + 1 < e) {
			p++;
			switch (*p) {
			case 'n': s[k++] = '\n'; break;
			case 't': s[k++] = '\t'; break;
			case 'r': s[k++] = '\r'; break;
			default: s[k++] = *p; break;
			}
		} else {
			s[k++] = *p;
		}
	}
	s[k] = '\0';
	*n = k;
	return s;
}

static tx_expr *xp_operand(xp *x)
{
	const char *p = x->p, *e = x->e;
	tx_expr *o = xalloc(x, sizeof(*o));
	if (!o)
		return NULL;
	char c = *p;
	if (c == '(') {
		x->p++;
		if (++x->depth > 32) {
			x->fail = true;
			return NULL;
		}
		o->kind = EX_PIPE;
		o->pipe = xp_pipe(x, true);
		x->depth--;
		if (x->fail || x->p >= e || *x->p != ')') {
			x->fail = true;
			return NULL;
		}
		x->p++;
		if (x->p < e && *x->p == '.') { /* (pipeline).Field */
			xp_chain(x);
			o->kind = EX_OPAQUE;
		}
		return o;
	}
	if (c == '"' || c == '`') {
		const char *b = ++x->p;
		while (x->p < e && *x->p != c) {
			if (c == '"' && *x->p == '\\' && x->p + 1 < e)
				x->p++;
			x->p++;
		}
		if (x->p >= e) {
			x->fail = true;
			return NULL;
		}
		o->kind = EX_STRING;
		o->s = c == '"' ? xp_unquote(x, b, x->p, &o->n) : xp_word(x, b, x->p);
		if (c == '`' && o->s)
			o->n = (size_t)(x->p - b);
		x->p++;
		return o;
	}
	if (c == '\'') {
		const char *b = ++x->p;
		while (x->p < e && *x->p != '\'') {
			if (*x->p == '\\' && x->p + 1 < e)
				x->p++;
			x->p++;
		}
		if (x->p >= e) {
			x->fail = true;
			return NULL;
		}
		o->kind = EX_NUMBER;
		o->num = (unsigned char)*b;
		x->p++;
		return o;
	}
	if (is_digit(c) || ((c == '-' || c == '+') && p + 1 < e && is_digit(p[1]))) {
		char buf[64];
		size_t n = 0;
		while (x->p < e && n < sizeof(buf) - 1 &&
		       (is_ident_char(*x->p) || *x->p == '.' || *x->p == '-' || *x->p == '+'))
			buf[n++] = *x->p++;
		buf[n] = '\0';
		char *end;
		o->kind = EX_NUMBER;
		o->num = strtod(buf, &end);
		if (*end)
			o->kind = EX_OPAQUE;
		return o;
	}
	if (c == '$') {
		const char *b = x->p++;
		while (x->p < e && is_ident_char(*x->p))
			x->p++;
		const char *name = xp_word(x, b, x->p);
		if (x->p < e && *x->p == '.' && x->p + 1 < e && is_ident_char(x->p[1])) {
			o->kind = EX_FIELD;
			o->base = name;
			o->s = xp_chain(x);
		} else {
			o->kind = EX_VAR;
			o->s = name;
		}
		if (o->s)
			o->n = strlen(o->s);
		return o;
	}
	if (c == '.') {
		if (p + 1 < e && is_ident_char(p[1])) {
			o->kind = EX_FIELD;
			o->s = xp_chain(x);
			if (o->s)
				o->n = strlen(o->s);
		} else {
			x->p++;
			o->kind = EX_DOT;
		}
		return o;
	}
	if (is_ident_char(c)) {
		const char *b = x->p;
		while (x->p < e && is_ident_char(*x->p))
			x->p++;
		size_t n = (size_t)(x->p - b);
		if (n == 4 && memcmp(b, "true", 4) == 0) {
			o->kind = EX_BOOL;
			o->b = true;
		} else if (n == 5 && memcmp(b, "false", 5) == 0) {
			o->kind = EX_BOOL;
		} else if (n == 3 && memcmp(b, "nil", 3) == 0) {
			o->kind = EX_NIL;
		} else {
			o->kind = EX_IDENT;
			o->s = xp_word(x, b, x->p);
			o->n = n;
		}
		if (x->p < e && *x->p == '.' && x->p + 1 < e && is_ident_char(x->p[1])) {
			xp_chain(x);
			o->kind = EX_OPAQUE;
		}
		return o;
	}
	x->fail = true;
	return NULL;
}

static tx_cmd *xp_command(xp *x)
{
	tx_cmd *cmd = xalloc(x, sizeof(*cmd));
	if (!cmd)
		return NULL;
	tx_expr **tail = &cmd->args;
	for (;;) {
		skip_sp(&x->p, x->e);
		if (x->p >= x->e || *x->p == '|' || *x->p == ')')
			break;
		tx_expr *o = xp_operand(x);
		if (!o || x->fail)
			return NULL;
		*tail = o;
		tail = &o->next;
	}
	if (!cmd->args)
		x->fail = true;
	return cmd;
}

static tx_pipe *xp_pipe(xp *x, bool in_paren)
{
	tx_pipe *pp = xalloc(x, sizeof(*pp));
	if (!pp)
		return NULL;
	skip_sp(&x->p, x->e);
	/* "$x :=", "$x =", "$i, $e :=" */
	const char *save = x->p;
	size_t nd = 0;
	while (x->p < x->e && *x->p == '$' && nd < 2) {
		const char *b = x->p++;
		while (x->p < x->e && is_ident_char(*x->p))
			x->p++;
		const char *name = xp_word(x, b, x->p);
		skip_sp(&x->p, x->e);
		if (x->p < x->e && *x->p == ',') {
			pp->decl[nd++] = name;
			x->p++;
			skip_sp(&x->p, x->e);
			continue;
		}
		if (x->p + 1 < x->e && x->p[0] == ':' && x->p[1] == '=') {
			pp->decl[nd++] = name;
			pp->declares = true;
			x->p += 2;
		} else if (x->p < x->e && x->p[0] == '=' && !(x->p + 1 < x->e && x->p[1] == '=')) {
			pp->decl[nd++] = name;
			x->p += 1;
		} else {
			nd = 0;
			pp->decl[0] = pp->decl[1] = NULL;
			x->p = save;
		}
		break;
	}
	tx_cmd **tail = &pp->cmds;
	for (;;) {
		tx_cmd *c = xp_command(x);
		if (!c || x->fail)
			return NULL;
		*tail = c;
		tail = &c->next;
		skip_sp(&x->p, x->e);
		if (x->p < x->e && *x->p == '|') {
			x->p++;
			continue;
		}
		break;
	}
	if (!in_paren && x->p < x->e)
		x->fail = true;
	return x->fail ? NULL : pp;
}

tx_pipe *tmpl_parse_pipe(sunset_arena *a, const char *s, size_t n)
{
	xp x = {a, s, s + n, false, 0};
	tx_pipe *p = xp_pipe(&x, false);
	return x.fail ? NULL : p;
}

/* ------------------------------------------------------------------ */
/* the template parser                                                 */
/* ------------------------------------------------------------------ */

#define MAX_NESTING 100

typedef struct tp {
	sunset_arena *a;
	tmpl_src *src;
	const char *t;
	size_t len;
	/* a cursor that turns offsets into line:column, moving forward only */
	size_t cpos;
	uint32_t cline, ccol;
	struct tp_block {
		tnode *node;
		tbranch *branch;
		tnode **tail;
	} stack[MAX_NESTING];
	size_t depth;
	tnode **tail;
	tnode *last_text; /* for a following "{{-" */
	bool trim_next;	  /* the last action ended with "-}}" */
	tmpl_error *err;
	bool failed, oom;
} tp;

static void tp_pos(tp *p, size_t off, uint32_t *line, uint32_t *col)
{
	while (p->cpos < off) {
		unsigned char c = (unsigned char)p->t[p->cpos++];
		if (c == '\n') {
			p->cline++;
			p->ccol = 1;
		} else if ((c & 0xc0) != 0x80) {
			p->ccol++;
		}
	}
	*line = p->cline;
	*col = p->ccol;
}

static void tp_fail(tp *p, size_t off, const char *fmt, const char *arg)
{
	if (p->failed)
		return;
	p->failed = true;
	if (p->err) {
		tp_pos(p, off, &p->err->line, &p->err->col);
		snprintf(p->err->msg, sizeof(p->err->msg), fmt, arg);
	}
}

static tnode *tp_node(tp *p, tn_kind k, size_t start, size_t end)
{
	tnode *n = sunset_arena_alloc(p->a, sizeof(*n));
	if (!n) {
		p->oom = true;
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->kind = k;
	n->start = start;
	n->end = end;
	tp_pos(p, start, &n->line, &n->col);
	*p->tail = n;
	p->tail = &n->next;
	return n;
}

static tbranch *tp_branch(tp *p, tnode *block, tbranch *after, tx_pipe *cond)
{
	tbranch *b = sunset_arena_alloc(p->a, sizeof(*b));
	if (!b) {
		p->oom = true;
		return NULL;
	}
	memset(b, 0, sizeof(*b));
	b->cond = cond;
	if (after)
		after->next = b;
	else
		block->branches = b;
	p->tail = &b->body;
	return b;
}

static const char *tp_name(tp *p, const char *s, size_t n, size_t *used)
{
	size_t i = 0;
	while (i < n && is_space(s[i]))
		i++;
	if (i >= n || (s[i] != '"' && s[i] != '`'))
		return NULL;
	char q = s[i];
	size_t b = ++i;
	while (i < n && s[i] != q)
		i++;
	if (i >= n)
		return NULL;
	*used = i + 1;
	const char *name = sunset_arena_strndup(p->a, s + b, i - b);
	if (!name)
		p->oom = true;
	return name;
}

static void tp_open(tp *p, tnode *n, tx_pipe *cond, size_t off)
{
	if (p->depth == MAX_NESTING) {
		tp_fail(p, off, "blocks nested deeper than %s", "100");
		return;
	}
	tnode **after = p->tail;
	tbranch *b = tp_branch(p, n, NULL, cond);
	p->stack[p->depth].node = n;
	p->stack[p->depth].branch = b;
	p->stack[p->depth].tail = after;
	p->depth++;
}

/* Returns false when a lenient parse stops here. */
static bool tp_action(tp *p, size_t off, const act *ac, bool lenient)
{
	const char *body = p->t + ac->bs;
	size_t blen = ac->be - ac->bs;
	if (ac->comment) {
		tp_node(p, TN_NOOP, off, ac->end);
		return true;
	}
	size_t ov[4];
	const char *kw = NULL;
	size_t kwlen = 0, rest = 0;
	if (tx_re_match(TX_RE_KEYWORD, body, blen, ov, 4)) {
		kw = body + ov[2];
		kwlen = ov[3] - ov[2];
		rest = ov[1];
	}
	const char *arg = body + rest;
	size_t alen = blen - rest;
#define KW(s) (kw && kwlen == sizeof(s) - 1 && memcmp(kw, s, kwlen) == 0)
	if (KW("end")) {
		if (!p->depth) {
			if (!lenient)
				tp_fail(p, off, "unexpected %s", "{{end}}");
			return false;
		}
		p->depth--;
		p->tail = p->stack[p->depth].tail;
		while (*p->tail)
			p->tail = &(*p->tail)->next;
		return true;
	}
	if (KW("else")) {
		tn_kind k = p->depth ? p->stack[p->depth - 1].node->kind : TN_NOOP;
		if (k != TN_IF && k != TN_RANGE && k != TN_WITH) {
			if (!lenient)
				tp_fail(p, off, "unexpected %s", "{{else}}");
			return false;
		}
		tx_pipe *cond = NULL;
		size_t ov2[4];
		if (alen && tx_re_match(TX_RE_KEYWORD, arg, alen, ov2, 4)) {
			/* "else if" / "else with": the rest is the condition */
			cond = tmpl_parse_pipe(p->a, arg + ov2[1], alen - ov2[1]);
		} else if (alen) {
			cond = tmpl_parse_pipe(p->a, arg, alen);
		}
		struct tp_block *top = &p->stack[p->depth - 1];
		top->branch = tp_branch(p, top->node, top->branch, cond);
		if (top->branch && alen && !cond) {
			/* "else if <what we do not read>": an empty pipeline, undecidable
			 * (a plain else has no condition at all) */
			top->branch->cond = sunset_arena_alloc(p->a, sizeof(tx_pipe));
			if (top->branch->cond)
				memset(top->branch->cond, 0, sizeof(tx_pipe));
		}
		return true;
	}
	if (KW("if") || KW("range") || KW("with")) {
		tnode *n = tp_node(p, KW("if") ? TN_IF : KW("range") ? TN_RANGE : TN_WITH, off, ac->end);
		if (!n)
			return false;
		tx_pipe *cond = tmpl_parse_pipe(p->a, arg, alen);
		if (!cond) { /* undecidable, not wrong: Go has more syntax than we read */
			cond = sunset_arena_alloc(p->a, sizeof(*cond));
			if (cond)
				memset(cond, 0, sizeof(*cond));
		}
		tp_open(p, n, cond, off);
		return true;
	}
	if (KW("define") || KW("block")) {
		tnode *n = tp_node(p, KW("define") ? TN_DEFINE : TN_BLOCK, off, ac->end);
		if (!n)
			return false;
		size_t used = 0;
		n->name = tp_name(p, arg, alen, &used);
		if (!n->name && !lenient)
			tp_fail(p, off, "%s without a quoted name", KW("define") ? "{{define}}" : "{{block}}");
		if (n->kind == TN_BLOCK && n->name)
			n->pipe = tmpl_parse_pipe(p->a, arg + used, alen - used);
		tp_open(p, n, NULL, off);
		return true;
	}
	if (KW("template")) {
		tnode *n = tp_node(p, TN_TEMPLATE, off, ac->end);
		if (!n)
			return false;
		size_t used = 0;
		n->name = tp_name(p, arg, alen, &used);
		if (!n->name && !lenient)
			tp_fail(p, off, "%s without a quoted name", "{{template}}");
		if (n->name && used < alen)
			n->pipe = tmpl_parse_pipe(p->a, arg + used, alen - used);
		return true;
	}
	if (KW("break") || KW("continue")) {
		tp_node(p, TN_NOOP, off, ac->end);
		return true;
	}
#undef KW
	tnode *n = tp_node(p, TN_ACTION, off, ac->end);
	if (n)
		n->pipe = tmpl_parse_pipe(p->a, body, blen);
	return true;
}

static void rtrim_text(tp *p)
{
	if (!p->last_text)
		return;
	while (p->last_text->tend > p->last_text->tstart && is_space(p->t[p->last_text->tend - 1]))
		p->last_text->tend--;
}

int tmpl_parse(sunset_arena *a, tmpl_src *src, uint32_t line, uint32_t col, bool lenient,
	       tmpl_error *err)
{
	tp p;
	memset(&p, 0, sizeof(p));
	p.a = a;
	p.src = src;
	p.t = src->text;
	p.len = src->len;
	p.cline = line;
	p.ccol = col;
	p.err = err;
	src->root = NULL;
	p.tail = &src->root;
	size_t pos = 0;
	while (pos < p.len && !p.failed && !p.oom) {
		const char *q = memmem(p.t + pos, p.len - pos, "{{", 2);
		size_t qo = q ? (size_t)(q - p.t) : p.len;
		p.last_text = NULL;
		if (qo > pos) {
			tnode *n = tp_node(&p, TN_TEXT, pos, qo);
			if (!n)
				break;
			n->tstart = pos;
			n->tend = qo;
			if (p.trim_next)
				while (n->tstart < n->tend && is_space(p.t[n->tstart]))
					n->tstart++;
			p.last_text = n;
		}
		p.trim_next = false;
		if (!q)
			break;
		act ac;
		scan_action(p.t, p.len, qo, &ac);
		if (ac.err) {
			if (!lenient)
				tp_fail(&p, ac.err_off, "%s", ac.err);
			break;
		}
		if (ac.ltrim)
			rtrim_text(&p);
		if (!tp_action(&p, qo, &ac, lenient))
			break;
		p.trim_next = ac.rtrim;
		pos = ac.end;
	}
	if (!p.failed && !p.oom && p.depth && !lenient) {
		tnode *open = p.stack[p.depth - 1].node;
		static const char *const names[] = {
			[TN_IF] = "{{if}}", [TN_RANGE] = "{{range}}", [TN_WITH] = "{{with}}",
			[TN_DEFINE] = "{{define}}", [TN_BLOCK] = "{{block}}"};
		p.failed = true;
		if (err) {
			err->line = open->line;
			err->col = open->col;
			snprintf(err->msg, sizeof(err->msg), "unclosed %s: missing {{end}}",
				 (size_t)open->kind < sizeof(names) / sizeof(names[0]) && names[open->kind]
					 ? names[open->kind] : "block");
		}
	}
	if (p.oom && !p.failed && err) {
		p.failed = true;
		tp_pos(&p, p.cpos, &err->line, &err->col);
		snprintf(err->msg, sizeof(err->msg), "template too large to analyse");
	}
	return p.failed && !lenient ? -1 : (p.oom ? -1 : 0);
}

/* ------------------------------------------------------------------ */
/* abstract values                                                     */
/* ------------------------------------------------------------------ */

#define MAX_STEPS 2000000u
#define MAX_DEFINE_DEPTH 16

static void tv_clear(tv *v)
{
	v->n = 0;
	v->open = v->vals = false;
}

static void tv_open(tv *v)
{
	tv_clear(v);
	v->open = true;
}

static bool ta_equal(const ta *x, const ta *y)
{
	if (x->kind != y->kind)
		return false;
	switch (x->kind) {
	case TA_STR: return x->n == y->n && memcmp(x->s, y->s, x->n) == 0;
	case TA_BOOL: return x->b == y->b;
	case TA_NUM: return x->num == y->num;
	default: return true;
	}
}

static void tv_add(tv *v, const ta *a)
{
	for (size_t i = 0; i < v->n; i++)
		if (ta_equal(&v->a[i], a))
			return;
	if (v->n == TV_MAX) {
		v->open = true;
		return;
	}
	v->a[v->n++] = *a;
}

static void tv_union(tv *dst, const tv *src)
{
	for (size_t i = 0; i < src->n; i++)
		tv_add(dst, &src->a[i]);
	dst->open |= src->open;
	dst->vals |= src->vals;
}

void tv_set_str(tv *v, const char *s, size_t n)
{
	tv_clear(v);
	v->a[0] = (ta){.kind = TA_STR, .s = s, .n = n};
	v->n = 1;
}

static void tv_add_bool(tv *v, bool b)
{
	ta a = {.kind = TA_BOOL, .b = b};
	tv_add(v, &a);
}

static void tv_bools(tv *v, bool can_true, bool can_false)
{
	tv_clear(v);
	if (can_true)
		tv_add_bool(v, true);
	if (can_false)
		tv_add_bool(v, false);
}

void tv_truth(const tv *v, bool *can_true, bool *can_false)
{
	*can_true = *can_false = false;
	if (v->open || v->vals) {
		*can_true = *can_false = true;
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		const ta *a = &v->a[i];
		bool t = a->kind == TA_STR ? a->n > 0 : a->kind == TA_BOOL ? a->b : a->kind == TA_NUM ? a->num != 0 : true;
		*can_true |= t;
		*can_false |= !t;
	}
}

void tx_ctx_init(tx_ctx *c, const sunset_scan_options *opt, sunset_arena *a)
{
	memset(c, 0, sizeof(*c));
	c->opt = opt;
	c->arena = a;
	c->kube = sunset_targets_get(&opt->targets, opt->table, "k8s");
}

const char *ta_text(tx_ctx *c, const ta *a, size_t *n)
{
	const char *s;
	switch (a->kind) {
	case TA_STR:
		*n = a->n;
		return a->s;
	case TA_BOOL:
		s = a->b ? "true" : "false";
		break;
	case TA_NUM:
		if (a->num == (double)(long long)a->num)
			s = sunset_arena_printf(c->arena, "%lld", (long long)a->num);
		else
			s = sunset_arena_printf(c->arena, "%g", a->num);
		break;
	default:
		s = sunset_arena_printf(c->arena, "v%u.%u.%u", SUNSET_VERSION_MAJOR_OF(c->kube),
					SUNSET_VERSION_MINOR_OF(c->kube), c->kube & 0x3ffu);
		break;
	}
	*n = s ? strlen(s) : 0;
	return s ? s : "";
}

/* dst = every dst alternative followed by every add alternative */
static void tv_concat(tx_ctx *c, tv *dst, const tv *add)
{
	if (!add->n) {
		bool vals = dst->vals || add->vals;
		if (add->open)
			tv_open(dst);
		dst->vals = vals;
		return;
	}
	tv r;
	tv_clear(&r);
	r.open = dst->open || add->open;
	r.vals = dst->vals || add->vals;
	for (size_t i = 0; i < dst->n; i++) {
		size_t ln;
		const char *l = ta_text(c, &dst->a[i], &ln);
		for (size_t j = 0; j < add->n; j++) {
			size_t rn;
			const char *rs = ta_text(c, &add->a[j], &rn);
			/* "" + x is x, still a version or a bool: a define that prints
			 * .Capabilities.KubeVersion stays the target's version */
			if (!ln || !rn) {
				tv_add(&r, ln ? &dst->a[i] : &add->a[j]);
				continue;
			}
			char *s = sunset_arena_alloc(c->arena, ln + rn + 1);
			if (!s) {
				r.open = true;
				continue;
			}
			memcpy(s, l, ln);
			memcpy(s + ln, rs, rn);
			s[ln + rn] = '\0';
			ta a = {.kind = TA_STR, .s = s, .n = ln + rn};
			tv_add(&r, &a);
		}
	}
	*dst = r;
}

static tv *tv_copy(tx_ctx *c, const tv *v)
{
	tv *p = sunset_arena_alloc(c->arena, sizeof(*p));
	if (p)
		*p = *v;
	return p;
}

/* ---- the target's answers ---- */

/*
 * sunset_target_serves, plus what the table knows of versions it has no
 * rows for: one named only as a replacement is not served before the
 * release its replacementAvailable names (networking.k8s.io/v1 Ingress
 * before 1.19), which keeps "Has" honest at old targets.
 */
static bool serves(tx_ctx *c, const char *api_version, const char *kind)
{
	const sunset_table *t = c->opt->table;
	const sunset_api_row *const *rows;
	size_t n = sunset_table_rows(t, &rows); /* read-only once loaded */
	if (!sunset_target_serves(t, &c->opt->targets, api_version, kind))
		return false;
	bool known = false, as_replacement = false, available = false;
	for (size_t i = 0; i < n; i++) {
		const sunset_api_row *r = rows[i];
		if (strcmp(r->api_version, api_version) == 0 &&
		    (!kind || strcmp(r->kind, kind) == 0 || strcmp(r->kind, "*") == 0))
			known = true;
		if (!r->replacement || strcmp(r->replacement, api_version) != 0 || !r->replacement_available)
			continue;
		const char *rk = r->replacement_kind ? r->replacement_kind : r->kind;
		if (kind && strcmp(rk, kind) != 0)
			continue;
		as_replacement = true;
		sunset_version target = sunset_targets_get(&c->opt->targets, t, r->component) & ~(sunset_version)0x3ffu;
		if (r->replacement_available <= target)
			available = true;
	}
	return known || !as_replacement || available;
}

bool tx_target_serves(tx_ctx *c, const char *s, size_t n)
{
	char buf[256];
	if (n == 0 || n >= sizeof(buf))
		return true;
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *slash1 = strchr(buf, '/'), *slash2 = slash1 ? strchr(slash1 + 1, '/') : NULL;
	const char *kind = NULL;
	if (slash2) {
		*slash2 = '\0';
		kind = slash2 + 1;
	} else if (slash1 && slash1[1] >= 'A' && slash1[1] <= 'Z') {
		*slash1 = '\0'; /* "v1/Pod" */
		kind = slash1 + 1;
	}
	return serves(c, buf, kind && *kind ? kind : NULL);
}

/* ---- functions ---- */

static void eval_operand(tx_ctx *c, const tx_expr *e, tv *out);
static void eval_call(tx_ctx *c, const char *fn, const tx_expr *args, const tv *piped, tv *out);

static tv *var_lookup(tx_ctx *c, const char *name, size_t floor)
{
	for (size_t i = c->nvars; i > floor; i--)
		if (strcmp(c->vars[i - 1].name, name) == 0)
			return c->vars[i - 1].value;
	return NULL;
}

void tx_bind(tx_ctx *c, const tx_pipe *p, const tv *value)
{
	for (size_t k = 0; k < 2 && p->decl[k]; k++) {
		tv open;
		tv_open(&open);
		/* "range $i, $e :=": neither is known */
		const tv *v = p->decl[1] ? &open : value;
		if (!p->declares) {
			tv *old = var_lookup(c, p->decl[k], 0);
			if (old) {
				tv_union(old, v); /* assigned in some branch: either value */
				continue;
			}
		}
		if (c->nvars == TX_MAX_VARS)
			continue;
		c->vars[c->nvars].name = p->decl[k];
		c->vars[c->nvars].value = tv_copy(c, v);
		if (c->vars[c->nvars].value)
			c->nvars++;
	}
}

static bool chain_is(const char *chain, const char *want)
{
	return strcmp(chain, want) == 0;
}

static void eval_field(tx_ctx *c, const tx_expr *e, tv *out)
{
	const char *chain = e->s ? e->s : "";
	/* .Capabilities, $.Capabilities, .context.Capabilities, $root.Capabilities */
	const char *cap = strstr(chain, "Capabilities");
	while (cap && cap != chain && cap[-1] != '.')
		cap = strstr(cap + 1, "Capabilities");
	if (cap && (cap[12] == '.' || cap[12] == '\0')) {
		const char *rest = cap[12] ? cap + 13 : "";
		tv_clear(out);
		if (chain_is(rest, "KubeVersion") || chain_is(rest, "KubeVersion.GitVersion") ||
		    chain_is(rest, "KubeVersion.Version")) {
			ta a = {.kind = TA_KUBE};
			tv_add(out, &a);
		} else if (chain_is(rest, "KubeVersion.Major") || chain_is(rest, "KubeVersion.Minor")) {
			unsigned v = rest[13] == 'a' ? SUNSET_VERSION_MAJOR_OF(c->kube) : SUNSET_VERSION_MINOR_OF(c->kube);
			const char *s = sunset_arena_printf(c->arena, "%u", v);
			if (s)
				tv_set_str(out, s, strlen(s));
			else
				tv_open(out);
		} else {
			tv_open(out);
		}
		return;
	}
	bool root = !e->base || strcmp(e->base, "$") == 0;
	if (root && strncmp(chain, "Values", 6) == 0 && (chain[6] == '.' || chain[6] == '\0')) {
		if (!chain[6] || c->cond_mode || !c->values_lookup || c->values_lookup(c, chain + 7, out) < 0)
			tv_open(out);
		out->vals = true;
		return;
	}
	tv_open(out);
}

static void eval_command(tx_ctx *c, const tx_cmd *cmd, const tv *piped, tv *out)
{
	const tx_expr *first = cmd->args;
	if (first->kind == EX_IDENT) {
		eval_call(c, first->s, first->next, piped, out);
		return;
	}
	if (first->kind == EX_FIELD && first->s && sunset_str_ends_with(first->s, "APIVersions.Has")) {
		tv arg;
		bool saved = c->cond_mode;
		c->cond_mode = false;
		if (first->next)
			eval_operand(c, first->next, &arg);
		else if (piped)
			arg = *piped;
		else
			tv_open(&arg);
		c->cond_mode = saved;
		/* a value the user could override is read at its default here */
		bool ct = arg.open, cf = arg.open;
		for (size_t i = 0; i < arg.n; i++) {
			size_t n;
			const char *s = ta_text(c, &arg.a[i], &n);
			if (tx_target_serves(c, s, n))
				ct = true;
			else
				cf = true;
		}
		tv_bools(out, ct, cf);
		return;
	}
	if (!first->next && !piped) {
		eval_operand(c, first, out);
		return;
	}
	tv_open(out);
}

void tv_eval_pipe(tx_ctx *c, const tx_pipe *p, tv *out)
{
	if (!p || !p->cmds || ++c->steps > MAX_STEPS) {
		tv_open(out);
		return;
	}
	tv prev;
	bool have = false;
	for (const tx_cmd *cmd = p->cmds; cmd; cmd = cmd->next) {
		tv cur;
		eval_command(c, cmd, have ? &prev : NULL, &cur);
		prev = cur;
		have = true;
	}
	*out = prev;
}

static void eval_operand(tx_ctx *c, const tx_expr *e, tv *out)
{
	switch (e->kind) {
	case EX_STRING:
		tv_set_str(out, e->s ? e->s : "", e->n);
		return;
	case EX_NUMBER:
		tv_clear(out);
		out->a[0] = (ta){.kind = TA_NUM, .num = e->num};
		out->n = 1;
		return;
	case EX_BOOL:
		tv_bools(out, e->b, !e->b);
		return;
	case EX_FIELD:
		eval_field(c, e, out);
		return;
	case EX_VAR: {
		tv *v = strcmp(e->s, "$") == 0 ? NULL : var_lookup(c, e->s, 0);
		if (v)
			*out = *v;
		else
			tv_open(out);
		return;
	}
	case EX_IDENT:
		eval_call(c, e->s, NULL, NULL, out);
		return;
	case EX_PIPE:
		tv_eval_pipe(c, e->pipe, out);
		return;
	default:
		tv_open(out);
		return;
	}
}

#define MAX_ARGS 8

static void tv_eq(tx_ctx *c, const tv *args, size_t n, bool negate, tv *out)
{
	bool ct = false, cf = false;
	bool known = n >= 2;
	for (size_t i = 0; i < n; i++)
		if (args[i].open || args[i].vals || !args[i].n || (i > 0 && args[i].n != 1))
			known = false;
	if (!known) {
		tv_bools(out, true, true);
		return;
	}
	for (size_t i = 0; i < args[0].n; i++) {
		bool eq = false;
		size_t xn;
		const char *xs = ta_text(c, &args[0].a[i], &xn);
		for (size_t k = 1; k < n; k++) {
			const ta *y = &args[k].a[0];
			if (args[0].a[i].kind == TA_NUM && y->kind == TA_NUM) {
				eq |= args[0].a[i].num == y->num;
			} else {
				size_t yn;
				const char *ys = ta_text(c, y, &yn);
				eq |= xn == yn && memcmp(xs, ys, xn) == 0;
			}
		}
		if (negate)
			eq = !eq;
		ct |= eq;
		cf |= !eq;
	}
	tv_bools(out, ct, cf);
}

static void tv_order(tx_ctx *c, const char *fn, const tv *args, size_t n, tv *out)
{
	if (n != 2 || args[0].open || args[1].open || args[0].vals || args[1].vals || args[0].n != 1 ||
	    args[1].n != 1) {
		tv_bools(out, true, true);
		return;
	}
	const ta *x = &args[0].a[0], *y = &args[1].a[0];
	int cmp;
	if (x->kind == TA_NUM && y->kind == TA_NUM) {
		cmp = x->num < y->num ? -1 : x->num > y->num;
	} else if (x->kind == TA_STR && y->kind == TA_STR) {
		size_t m = x->n < y->n ? x->n : y->n;
		cmp = memcmp(x->s, y->s, m);
		if (!cmp)
			cmp = x->n < y->n ? -1 : x->n > y->n;
	} else {
		tv_bools(out, true, true);
		return;
	}
	bool r = fn[0] == 'l' ? (fn[1] == 't' ? cmp < 0 : cmp <= 0) : (fn[1] == 't' ? cmp > 0 : cmp >= 0);
	(void)c;
	tv_bools(out, r, !r);
}

static void tv_semver(tx_ctx *c, const tv *con, const tv *ver, tv *out)
{
	bool ct = false, cf = false, any = false;
	if (con->open || !con->n) {
		tv_bools(out, true, true);
		return;
	}
	for (size_t i = 0; i < con->n; i++) {
		size_t cn;
		const char *cs = ta_text(c, &con->a[i], &cn);
		for (size_t j = 0; j < ver->n; j++) {
			const ta *v = &ver->a[j];
			char buf[64];
			int r1, r2;
			if (v->kind == TA_KUBE) {
				unsigned maj = SUNSET_VERSION_MAJOR_OF(c->kube), min = SUNSET_VERSION_MINOR_OF(c->kube),
					 pat = c->kube & 0x3ffu;
				int len = snprintf(buf, sizeof(buf), "%u.%u.%u", maj, min, pat);
				r1 = sunset_semver_check(cs, cn, buf, (size_t)len);
				r2 = r1;
				/* a target written "1.21" is every 1.21.x: decided only if all agree */
				if (pat == 0) {
					len = snprintf(buf, sizeof(buf), "%u.%u.999999", maj, min);
					r2 = sunset_semver_check(cs, cn, buf, (size_t)len);
				}
			} else {
				size_t vn;
				const char *vs = ta_text(c, v, &vn);
				r1 = r2 = sunset_semver_check(cs, cn, vs, vn);
			}
			if (r1 < 0 || r2 < 0) {
				if (sunset_semver_check(cs, cn, "0.0.0", 5) < 0) {
					tv_bools(out, true, true); /* a constraint we do not read */
					return;
				}
				continue; /* not a version: Helm fails this path */
			}
			any = true;
			ct |= r1 == 1 || r2 == 1;
			cf |= r1 == 0 || r2 == 0;
		}
	}
	if (!any || ver->open) {
		ct = cf = true;
	}
	tv_bools(out, ct, cf);
}

/* printf with %s/%v/%d/%q over every combination of alternatives */
static void tv_printf(tx_ctx *c, const tv *args, size_t n, tv *out)
{
	tv_clear(out);
	if (!n || args[0].open || args[0].n != 1 || args[0].a[0].kind != TA_STR) {
		tv_open(out);
		return;
	}
	const char *f = args[0].a[0].s;
	size_t fn = args[0].a[0].n;
	tv acc;
	tv_set_str(&acc, "", 0);
	size_t k = 1, lit = 0;
	for (size_t i = 0; i < fn; i++) {
		if (f[i] != '%')
			continue;
		tv piece;
		tv_set_str(&piece, f + lit, i - lit);
		tv_concat(c, &acc, &piece);
		if (i + 1 < fn && f[i + 1] == '%') {
			tv_set_str(&piece, "%", 1);
			tv_concat(c, &acc, &piece);
			i++;
		} else if (i + 1 < fn && strchr("svdq", f[i + 1]) && k < n) {
			if (f[i + 1] == 'q') {
				tv q;
				tv_set_str(&q, "\"", 1);
				tv_concat(c, &acc, &q);
				tv_concat(c, &acc, &args[k]);
				tv_concat(c, &acc, &q);
			} else {
				tv_concat(c, &acc, &args[k]);
			}
			k++;
			i++;
		} else {
			tv_open(out);
			return;
		}
		lit = i + 1;
	}
	tv piece;
	tv_set_str(&piece, f + lit, fn - lit);
	tv_concat(c, &acc, &piece);
	*out = acc;
}

static void tv_map_str(tx_ctx *c, const tv *in, tv *out, const char *fn, const tv *arg0)
{
	tv_clear(out);
	out->open = in->open;
	out->vals = in->vals;
	for (size_t i = 0; i < in->n; i++) {
		size_t n;
		const char *s = ta_text(c, &in->a[i], &n);
		const char *r = s;
		size_t rn = n;
		char *buf = NULL;
		if (strcmp(fn, "trim") == 0) {
			while (rn && is_space(*r)) {
				r++;
				rn--;
			}
			while (rn && is_space(r[rn - 1]))
				rn--;
		} else if (strcmp(fn, "quote") == 0 || strcmp(fn, "squote") == 0) {
			buf = sunset_arena_alloc(c->arena, n + 3);
			if (!buf) {
				out->open = true;
				continue;
			}
			buf[0] = buf[n + 1] = fn[0] == 'q' ? '"' : '\'';
			memcpy(buf + 1, s, n);
			buf[n + 2] = '\0';
			r = buf;
			rn = n + 2;
		} else if (strcmp(fn, "lower") == 0 || strcmp(fn, "upper") == 0) {
			buf = sunset_arena_strndup(c->arena, s, n);
			if (!buf) {
				out->open = true;
				continue;
			}
			for (size_t k = 0; k < n; k++) {
				if (fn[0] == 'l' && buf[k] >= 'A' && buf[k] <= 'Z')
					buf[k] = (char)(buf[k] + 32);
				else if (fn[0] == 'u' && buf[k] >= 'a' && buf[k] <= 'z')
					buf[k] = (char)(buf[k] - 32);
			}
			r = buf;
		} else if (arg0 && (strcmp(fn, "trimPrefix") == 0 || strcmp(fn, "trimSuffix") == 0)) {
			if (arg0->open || arg0->n != 1) {
				out->open = true;
				continue;
			}
			size_t an;
			const char *as = ta_text(c, &arg0->a[0], &an);
			if (fn[4] == 'P' && an <= rn && memcmp(r, as, an) == 0) {
				r += an;
				rn -= an;
			} else if (fn[4] == 'S' && an <= rn && memcmp(r + rn - an, as, an) == 0) {
				rn -= an;
			}
		}
		ta a = {.kind = TA_STR, .s = r, .n = rn};
		tv_add(out, &a);
	}
}

/* Functions whose result over a .Values argument is undecidable anyway. */
static bool is_logic(const char *fn)
{
	static const char *const names[] = {"not", "and", "or", "eq", "ne", "lt", "le", "gt", "ge", "empty"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(fn, names[i]) == 0)
			return true;
	return false;
}

static void eval_call(tx_ctx *c, const char *fn, const tx_expr *args, const tv *piped, tv *out)
{
	tv av[MAX_ARGS + 1];
	size_t n = 0;
	bool anyvals = false;
	bool saved = c->cond_mode;
	if (!is_logic(fn))
		c->cond_mode = false;
	for (const tx_expr *e = args; e; e = e->next) {
		if (n == MAX_ARGS) {
			c->cond_mode = saved;
			tv_open(out);
			return;
		}
		eval_operand(c, e, &av[n]);
		anyvals |= av[n].vals;
		n++;
	}
	c->cond_mode = saved;
	if (piped) {
		av[n++] = *piped;
		anyvals |= piped->vals;
	}
	if (strcmp(fn, "not") == 0 && n == 1) {
		bool ct, cf;
		tv_truth(&av[0], &ct, &cf);
		tv_bools(out, cf, ct);
	} else if ((strcmp(fn, "and") == 0 || strcmp(fn, "or") == 0) && n >= 1) {
		bool is_and = fn[0] == 'a';
		bool ct = is_and, cf = !is_and;
		for (size_t i = 0; i < n; i++) {
			bool t, f;
			tv_truth(&av[i], &t, &f);
			if (is_and) {
				ct = ct && t;
				cf = cf || f;
			} else {
				ct = ct || t;
				cf = cf && f;
			}
		}
		tv_bools(out, ct, cf);
	} else if (strcmp(fn, "eq") == 0 || (strcmp(fn, "ne") == 0 && n == 2)) {
		tv_eq(c, av, n, fn[0] == 'n', out);
	} else if ((strcmp(fn, "lt") == 0 || strcmp(fn, "le") == 0 || strcmp(fn, "gt") == 0 ||
		    strcmp(fn, "ge") == 0)) {
		tv_order(c, fn, av, n, out);
	} else if (strcmp(fn, "semverCompare") == 0 && n == 2) {
		tv_semver(c, &av[0], &av[1], out);
	} else if (strcmp(fn, "empty") == 0 && n == 1) {
		bool ct, cf;
		tv_truth(&av[0], &ct, &cf);
		tv_bools(out, cf, ct);
	} else if (strcmp(fn, "default") == 0 && n == 2) {
		/* default D V: V when V is set, else D */
		tv_clear(out);
		for (size_t i = 0; i < av[1].n; i++) {
			const ta *a = &av[1].a[i];
			bool t = a->kind == TA_STR ? a->n > 0 : a->kind == TA_BOOL ? a->b : a->kind == TA_NUM ? a->num != 0 : true;
			if (t)
				tv_add(out, a);
			else
				tv_union(out, &av[0]);
		}
		if (av[1].open || !av[1].n)
			tv_union(out, &av[0]);
		out->open |= av[1].open;
		out->vals = av[0].vals || av[1].vals;
	} else if (strcmp(fn, "ternary") == 0 && n == 3) {
		bool ct, cf;
		tv_truth(&av[2], &ct, &cf);
		tv_clear(out);
		if (ct)
			tv_union(out, &av[0]);
		if (cf)
			tv_union(out, &av[1]);
	} else if ((strcmp(fn, "include") == 0 || strcmp(fn, "template") == 0) && n >= 1) {
		if (av[0].open || av[0].n != 1 || av[0].a[0].kind != TA_STR) {
			tv_open(out);
		} else {
			const char *name = sunset_arena_strndup(c->arena, av[0].a[0].s, av[0].a[0].n);
			if (name)
				tx_define_value(c, name, out);
			else
				tv_open(out);
		}
	} else if (strcmp(fn, "print") == 0 || strcmp(fn, "println") == 0) {
		tv_set_str(out, "", 0);
		for (size_t i = 0; i < n; i++)
			tv_concat(c, out, &av[i]);
		if (fn[5] == 'l') {
			tv nl;
			tv_set_str(&nl, "\n", 1);
			tv_concat(c, out, &nl);
		}
	} else if (strcmp(fn, "printf") == 0) {
		tv_printf(c, av, n, out);
	} else if ((strcmp(fn, "trim") == 0 || strcmp(fn, "quote") == 0 || strcmp(fn, "squote") == 0 ||
		    strcmp(fn, "lower") == 0 || strcmp(fn, "upper") == 0) && n == 1) {
		tv_map_str(c, &av[0], out, fn, NULL);
	} else if ((strcmp(fn, "trimPrefix") == 0 || strcmp(fn, "trimSuffix") == 0) && n == 2) {
		tv_map_str(c, &av[1], out, fn, &av[0]);
	} else if ((strcmp(fn, "toString") == 0 || strcmp(fn, "required") == 0) && n >= 1) {
		*out = av[n - 1];
	} else if ((strcmp(fn, "int") == 0 || strcmp(fn, "int64") == 0 || strcmp(fn, "atoi") == 0 ||
		    strcmp(fn, "float64") == 0) && n == 1 && !av[0].open) {
		tv_clear(out);
		out->vals = av[0].vals;
		for (size_t i = 0; i < av[0].n; i++) {
			size_t sn;
			const char *s = ta_text(c, &av[0].a[i], &sn);
			char buf[64];
			if (sn >= sizeof(buf))
				sn = sizeof(buf) - 1;
			memcpy(buf, s, sn);
			buf[sn] = '\0';
			/* Kubernetes minors can read "21+": strtod stops at the '+' */
			ta a = {.kind = TA_NUM, .num = strtod(buf, NULL)};
			if (fn[0] == 'i' || fn[0] == 'a')
				a.num = (double)(long long)a.num;
			tv_add(out, &a);
		}
	} else {
		tv_open(out);
		out->vals = anyvals;
	}
}

/* ---- bodies and defines ---- */

static size_t var_mark(tx_ctx *c)
{
	return c->nvars;
}

void tx_define_value(tx_ctx *c, const char *name, tv *out)
{
	const tmpl_src *src = NULL;
	const tnode *def = c->find_define ? c->find_define(c, name, &src) : NULL;
	if (!def || !def->branches) {
		tv_open(out);
		return;
	}
	for (size_t i = 0; i < c->nmemo; i++)
		if (c->memo[i].def == def) {
			*out = *c->memo[i].value;
			return;
		}
	for (size_t i = 0; i < c->nactive; i++)
		if (c->active[i] == def) {
			tv_open(out); /* a define that includes itself */
			return;
		}
	if (c->nactive >= MAX_DEFINE_DEPTH || c->nactive >= sizeof(c->active) / sizeof(c->active[0])) {
		tv_open(out);
		return;
	}
	c->active[c->nactive++] = def;
	bool cond_mode = c->cond_mode; /* its output is data, whoever asks */
	c->cond_mode = false;
	/* a define sees none of its caller's variables */
	size_t saved = c->nvars;
	struct tx_var hidden[TX_MAX_VARS];
	memcpy(hidden, c->vars, saved * sizeof(hidden[0]));
	c->nvars = 0;
	tv_set_str(out, "", 0);
	tv_eval_body(c, def->branches->body, src, out);
	memcpy(c->vars, hidden, saved * sizeof(hidden[0]));
	c->nvars = saved;
	c->cond_mode = cond_mode;
	c->nactive--;
	if (c->nmemo < TX_MAX_MEMO) {
		tv *keep = tv_copy(c, out);
		if (keep) {
			c->memo[c->nmemo].def = def;
			c->memo[c->nmemo].value = keep;
			c->nmemo++;
		}
	}
}

static void eval_branches(tx_ctx *c, const tnode *n, const tmpl_src *src, tv *out)
{
	tv acc;
	tv_clear(&acc);
	bool reach = true;
	bool loop = n->kind == TN_RANGE;
	for (const tbranch *b = n->branches; b && reach; b = b->next) {
		bool possible = reach;
		tv cond;
		bool have_cond = false;
		if (b->cond) {
			bool ct, cf;
			tv_eval_pipe(c, b->cond, &cond);
			have_cond = true;
			tv_truth(&cond, &ct, &cf);
			possible = reach && ct;
			reach = reach && cf;
		} else {
			reach = false;
		}
		if (!possible)
			continue;
		size_t mark = var_mark(c);
		if (have_cond && b->cond->decl[0]) {
			if (loop) /* range binds elements, not the list */
				tv_open(&cond);
			tx_bind(c, b->cond, &cond);
		}
		tv r = *out;
		tv_eval_body(c, b->body, src, &r);
		c->nvars = mark;
		tv_union(&acc, &r);
	}
	if (reach)
		tv_union(&acc, out);
	*out = acc;
}

void tv_eval_body(tx_ctx *c, const tnode *n, const tmpl_src *src, tv *out)
{
	for (; n; n = n->next) {
		if (++c->steps > MAX_STEPS) {
			tv_open(out);
			return;
		}
		switch (n->kind) {
		case TN_TEXT: {
			tv t;
			tv_set_str(&t, src->text + n->tstart, n->tend - n->tstart);
			tv_concat(c, out, &t);
			break;
		}
		case TN_ACTION: {
			tv v;
			tv_eval_pipe(c, n->pipe, &v);
			if (n->pipe && n->pipe->decl[0])
				tx_bind(c, n->pipe, &v);
			else
				tv_concat(c, out, &v);
			break;
		}
		case TN_TEMPLATE: {
			tv v;
			tx_define_value(c, n->name, &v);
			tv_concat(c, out, &v);
			break;
		}
		case TN_IF:
		case TN_RANGE:
		case TN_WITH:
			eval_branches(c, n, src, out);
			break;
		case TN_BLOCK:
			if (n->branches)
				tv_eval_body(c, n->branches->body, src, out);
			break;
		default:
			break;
		}
	}
}

/* ------------------------------------------------------------------ */

int sunset_chart_condition(const sunset_scan_options *opt, const char *expr)
{
	sunset_arena a;
	sunset_arena_init(&a, (size_t)16 << 20);
	tx_ctx c;
	tx_ctx_init(&c, opt, &a);
	int rc = -1;
	tx_pipe *p = tmpl_parse_pipe(&a, expr, strlen(expr));
	if (p) {
		tv v;
		bool ct, cf;
		tv_eval_pipe(&c, p, &v);
		tv_truth(&v, &ct, &cf);
		rc = ct && cf ? 2 : ct ? 1 : 0;
	}
	sunset_arena_release(&a);
	return rc;
}
