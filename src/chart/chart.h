/*
 * The chart template scanner's insides, shared by gotmpl.c (the Go
 * template lexer, parser and abstract evaluator, and semver ranges) and
 * chart.c (files, helpers, values, the structural walk that finds
 * apiVersion/kind pairs).  Not a public header: tests include it to reach
 * the rows they check.
 *
 * Everything here is allocated from one arena per scanned file (the
 * caller's); nothing is freed on its own.
 */
#ifndef SUNSET_CHART_INTERNAL_H
#define SUNSET_CHART_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sunset/scan.h"

/* ---- semver ranges (Masterminds/semver v3, as Helm's semverCompare) ---- */

/*
 * 1 when version satisfies constraint, 0 when it does not, -1 when either
 * does not parse (Helm fails the render then).
 */
int sunset_semver_check(const char *constraint, size_t clen, const char *version, size_t vlen);

/* ---- pcre2 patterns (compiled once; match and depth limits set) ---- */

enum tx_re {
	TX_RE_KEYWORD,	  /* an action's keyword: if, else, end, range, ... */
	TX_RE_KEY,	  /* "key:" at the head of a line */
	TX_RE_APIVERSION, /* what an apiVersion looks like */
	TX_RE_KIND,	  /* what a kind looks like */
	TX_RE_COUNT
};

/* Matches re against s[0..n): the number of groups matched (0: none);
 * ov gets offset pairs (-1 for unset groups). */
int tx_re_match(enum tx_re re, const char *s, size_t n, size_t *ov, size_t nov);

/* ---- parsed templates ---- */

typedef enum tx_kind {
	EX_STRING, /* s: the unquoted text */
	EX_NUMBER,
	EX_BOOL,
	EX_NIL,
	EX_DOT,	  /* "." */
	EX_FIELD, /* base (NULL for ".", "$" or "$x") then s: "A.B.C" */
	EX_VAR,	  /* s: "$x" or "$" */
	EX_IDENT, /* s: a function name */
	EX_PIPE,  /* a parenthesized pipeline */
	EX_OPAQUE /* something the evaluator does not follow */
} tx_kind;

typedef struct tx_pipe tx_pipe;
typedef struct tx_expr tx_expr;
struct tx_expr {
	tx_kind kind;
	const char *s; /* NUL-terminated (arena) */
	size_t n;
	const char *base; /* EX_FIELD: NULL for ".", else "$" or "$x" */
	double num;
	bool b;
	tx_pipe *pipe;
	tx_expr *next; /* the next operand of the command */
};

typedef struct tx_cmd {
	tx_expr *args;
	struct tx_cmd *next;
} tx_cmd;

struct tx_pipe {
	const char *decl[2]; /* "$x" names declared or assigned, or NULL */
	bool declares;	     /* ":=" (a new variable) rather than "=" */
	tx_cmd *cmds;
};

typedef enum tn_kind {
	TN_TEXT,
	TN_ACTION,   /* pipe: output, or a variable declaration */
	TN_TEMPLATE, /* {{template "name" pipe}} */
	TN_IF,
	TN_RANGE,
	TN_WITH,
	TN_DEFINE,
	TN_BLOCK,
	TN_NOOP /* comments, break, continue */
} tn_kind;

typedef struct tnode tnode;
typedef struct tbranch {
	tx_pipe *cond; /* NULL for a plain else (and for define) */
	tnode *body;
	struct tbranch *next;
} tbranch;

struct tnode {
	tn_kind kind;
	uint32_t line, col; /* of the first byte ("{{" for actions) */
	size_t start, end;  /* raw bytes in the source */
	size_t tstart, tend; /* TN_TEXT: what is output once trim markers apply */
	tx_pipe *pipe;	    /* TN_ACTION, TN_TEMPLATE (argument), TN_BLOCK */
	const char *name;   /* TN_DEFINE, TN_BLOCK, TN_TEMPLATE */
	tbranch *branches;  /* TN_IF, TN_RANGE, TN_WITH, TN_DEFINE, TN_BLOCK */
	tnode *next;
};

typedef struct tmpl_src {
	const char *path; /* for messages */
	const char *text;
	size_t len;
	tnode *root;
} tmpl_src;

typedef struct tmpl_error {
	uint32_t line, col;
	char msg[200];
} tmpl_error;

/*
 * Parses src->text into src->root.  Strict mode (a whole file) fails on
 * what makes Helm fail: unclosed actions, comments and strings, a stray
 * {{end}} or {{else}}, a missing {{end}}.  Lenient mode (the rest of one
 * line) stops quietly at a stray {{end}}/{{else}} and closes open blocks.
 * 0, or -1 with err filled (strict mode only).
 */
int tmpl_parse(sunset_arena *a, tmpl_src *src, uint32_t line, uint32_t col, bool lenient,
	       tmpl_error *err);
/* Parses one action's text ("if .X", "include \"a\" ."), NULL when it does not. */
tx_pipe *tmpl_parse_pipe(sunset_arena *a, const char *s, size_t n);
/* The offset just past the action starting at "{{" at off (quotes skipped), or 0. */
size_t tmpl_action_end(const char *text, size_t len, size_t off);

/* ---- abstract values: what an expression can be at the target ---- */

#define TV_MAX 8

typedef enum ta_kind { TA_STR, TA_BOOL, TA_NUM, TA_KUBE } ta_kind;

typedef struct ta {
	uint8_t kind;
	bool b;
	double num;
	const char *s; /* TA_STR (arena) */
	size_t n;
} ta;

/*
 * The alternatives an expression can take (each possible at the target),
 * plus: open = it may also be something not listed; vals = it depends on
 * .Values (which a user may override), so a condition on it is undecidable
 * even when the listed default is known.
 */
typedef struct tv {
	ta a[TV_MAX];
	uint8_t n;
	bool open, vals;
} tv;

typedef struct tx_ctx tx_ctx;

/* Finds a {{define}} by name for include/template; NULL when unknown. */
typedef const tnode *(*tx_find_define)(tx_ctx *c, const char *name, const tmpl_src **src);
/* Looks up .Values.<path> in the chart's values.yaml: 0, or -1 when there is none. */
typedef int (*tx_values_lookup)(tx_ctx *c, const char *path, tv *out);

#define TX_MAX_VARS 64
#define TX_MAX_MEMO 256

struct tx_ctx {
	const sunset_scan_options *opt;
	sunset_arena *arena;
	sunset_version kube; /* the k8s target */
	tx_find_define find_define;
	tx_values_lookup values_lookup;
	void *user;
	struct tx_var {
		const char *name;
		tv *value;
	} vars[TX_MAX_VARS];
	size_t nvars;
	const tnode *active[16]; /* defines being evaluated (cycles, depth) */
	size_t nactive;
	struct tx_memo {
		const tnode *def;
		tv *value;
	} memo[TX_MAX_MEMO];
	size_t nmemo;
	uint64_t steps; /* bounded work per file */
	/* evaluating an {{if}} of the template itself: a bare .Values there is
	 * undecidable whatever its default, so values.yaml need not be read */
	bool cond_mode;
};

void tx_ctx_init(tx_ctx *c, const sunset_scan_options *opt, sunset_arena *a);
void tv_set_str(tv *v, const char *s, size_t n);
void tv_eval_pipe(tx_ctx *c, const tx_pipe *p, tv *out);
/* What the nodes print: every output possible at the target. */
void tv_eval_body(tx_ctx *c, const tnode *n, const tmpl_src *src, tv *out);
/* Can v be true, can it be false (as Go templates test truth)? */
void tv_truth(const tv *v, bool *can_true, bool *can_false);
/* Binds the variables a pipeline declares (or assigns) to value. */
void tx_bind(tx_ctx *c, const tx_pipe *p, const tv *value);
/* Evaluates one {{define}} (memoized, cycles and depth bounded). */
void tx_define_value(tx_ctx *c, const char *name, tv *out);
/* The text of one alternative ("v1.36.0" for the target's version). */
const char *ta_text(tx_ctx *c, const ta *a, size_t *n);
/* Does the target serve "g/v", "g/v/Kind" or "v1/Kind"? */
bool tx_target_serves(tx_ctx *c, const char *s, size_t n);

/*
 * Test hook: evaluates one condition ("semverCompare \">=1.9-0\"
 * .Capabilities.KubeVersion.GitVersion") at opt's targets with no chart:
 * 1 true, 0 false, 2 undecidable, -1 when it does not parse.
 */
int sunset_chart_condition(const sunset_scan_options *opt, const char *expr);

/*
 * Scans template text held in memory as if it were the file path of the
 * chart at chart_root (NULL: a lone file).  The walker's entry point reads
 * the file and calls this.
 */
void sunset_chart_scan_text(const sunset_scan_options *opt, sunset_report *r, const char *path,
			    const char *text, size_t len, const char *chart_root);

#endif
