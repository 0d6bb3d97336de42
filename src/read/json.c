/*
 * The JSON reader: a streaming recursive-descent parser over the same
 * bounded window as the YAML reader, producing the same trees with 1-based
 * positions.  Accepts one value, concatenated values ({..}{..}) and top-level
 * arrays, whose elements each become a document so that a `kubectl get -o
 * json` dump of any size is read one object at a time.
 *
 * Recursion depth is bounded by limits.max_depth before it can matter.
 * A syntax error ends the input: JSON has no line to restart at.
 */
#include <stdio.h>
#include <string.h>

#include "stream.h"
#include "tree.h"
#include "sunset/read.h"

typedef struct json_reader {
	stream s;
	tree t;
	const sunset_limits *lim;
	sunset_doc_sink *sink;
	uint32_t line, col; /* of the next byte */
	uint32_t last_line, last_col; /* of the byte next() returned last */
	uint32_t str_line, str_col;   /* of the string being read */
	char errmsg[160];
	uint32_t err_line, err_col;
	bool failed;
	sunset_buf str; /* scratch for one string, bounded by the document limit */
	uint64_t docs;
	bool stopped; /* by the sink */
} json_reader;

static int peek(json_reader *r)
{
	if (!stream_fill(&r->s))
		return -1;
	return r->s.buf[r->s.pos];
}

static int next(json_reader *r)
{
	if (!stream_fill(&r->s))
		return -1;
	int c = r->s.buf[r->s.pos++];
	r->last_line = r->line;
	r->last_col = r->col;
	if (c == '\n') {
		r->line++;
		r->col = 1;
	} else if ((c & 0xc0) != 0x80) {
		r->col++; /* columns count characters, not UTF-8 continuation bytes */
	}
	return c;
}

#define FAIL_NO_BYTE (-2) /* at the last byte read, quoting none */

/*
 * Records the first error.  c is the offending byte, already consumed by
 * next() (the error points at it), -1 at the end of input, or FAIL_NO_BYTE.
 * Only that one byte of the input is quoted, so an error inside a Secret's
 * value shows at most one byte of it.
 */
static bool fail(json_reader *r, const char *fmt, int c)
{
	if (r->failed)
		return false;
	r->failed = true;
	r->err_line = c == -1 ? r->line : r->last_line;
	r->err_col = c == -1 ? r->col : r->last_col;
	if (c == FAIL_NO_BYTE)
		snprintf(r->errmsg, sizeof(r->errmsg), "invalid JSON: %s", fmt);
	else if (c < 0)
		snprintf(r->errmsg, sizeof(r->errmsg), "invalid JSON: %s at end of input", fmt);
	else if (c >= 0x20 && c < 0x7f)
		snprintf(r->errmsg, sizeof(r->errmsg), "invalid JSON: %s, found '%c'", fmt, c);
	else
		snprintf(r->errmsg, sizeof(r->errmsg), "invalid JSON: %s, found byte 0x%02x", fmt, (unsigned)c);
	return false;
}

static void skip_ws(json_reader *r)
{
	for (;;) {
		int c = peek(r);
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			next(r);
		else
			return;
	}
}

static void limit_text(size_t bytes, char *out, size_t n);

/* At the string's opening quote, where read_string() noted it. */
static bool string_too_big(json_reader *r)
{
	char lim[32];
	r->failed = true;
	r->err_line = r->str_line;
	r->err_col = r->str_col;
	limit_text(r->lim->max_document_bytes, lim, sizeof(lim));
	snprintf(r->errmsg, sizeof(r->errmsg),
		 "a string is larger than the %s document limit; the rest of this input is skipped", lim);
	return false;
}

static bool put_utf8(json_reader *r, uint32_t cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (sunset_buf_append(&r->str, b, n) < 0)
		return string_too_big(r);
	return true;
}

static int hex4(json_reader *r, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		int c = next(r);
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return fail(r, "expected a hex digit in \\u escape", c) ? 0 : -1;
	}
	*out = v;
	return 0;
}

/* The length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0
 * when it is invalid or does not fit before end. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t w = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
	if (w == 0 || (size_t)(end - p) < w)
		return 0;
	uint32_t v = *p & (w == 2 ? 0x1fu : w == 3 ? 0x0fu : 0x07u);
	for (size_t k = 1; k < w; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[k] & 0x3fu);
	}
	if ((w == 2 && v < 0x80) || (w == 3 && v < 0x800) || (w == 4 && v < 0x10000) ||
	    (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
		return 0;
	return w;
}

/*
 * A byte >= 0x80 that did not start a valid sequence in the window: reads
 * the sequence byte by byte (it may cross the window's end).  Invalid bytes
 * become U+FFFD each, as Go's decoder (and so the API server) reads them;
 * strings hold valid UTF-8 for every output format after this.
 */
static bool read_utf8_slow(json_reader *r)
{
	unsigned char b[4];
	b[0] = (unsigned char)next(r);
	size_t w = (b[0] & 0xe0) == 0xc0 ? 2 : (b[0] & 0xf0) == 0xe0 ? 3 : (b[0] & 0xf8) == 0xf0 ? 4 : 1;
	size_t n = 1;
	while (n < w) {
		int c = peek(r);
		if (c < 0 || (c & 0xc0) != 0x80)
			break;
		b[n++] = (unsigned char)next(r);
	}
	if (n == w && w > 1 && utf8_len(b, b + n) == n) {
		if (sunset_buf_append(&r->str, b, n) < 0)
			return string_too_big(r);
		return true;
	}
	for (size_t k = 0; k < n; k++)
		if (sunset_buf_append(&r->str, "\xef\xbf\xbd", 3) < 0)
			return string_too_big(r);
	return true;
}

/* Reads a string (the opening quote already consumed) into r->str. */
static bool read_string(json_reader *r)
{
	sunset_buf_reset(&r->str);
	r->str_line = r->last_line; /* the opening quote */
	r->str_col = r->last_col;
	for (;;) {
		/* copy runs of plain bytes straight from the window */
		if (!stream_fill(&r->s))
			return fail(r, "unterminated string", -1);
		const unsigned char *p = r->s.buf + r->s.pos, *end = r->s.buf + r->s.len, *q = p;
		for (;;) {
			if (q >= end || *q == '"' || *q == '\\' || *q < 0x20)
				break;
			if (*q < 0x80) {
				q++;
				continue;
			}
			size_t w = utf8_len(q, end);
			if (w == 0)
				break;
			q += w;
		}
		if (q > p) {
			for (const unsigned char *x = p; x < q; x++)
				if ((*x & 0xc0) != 0x80)
					r->col++;
			if (sunset_buf_append(&r->str, p, (size_t)(q - p)) < 0)
				return string_too_big(r);
			r->s.pos += (size_t)(q - p);
			continue;
		}
		if (*q >= 0x80) {
			if (!read_utf8_slow(r))
				return false;
			continue;
		}
		int c = next(r);
		if (c == '"')
			return true;
		if (c < 0x20)
			return fail(r, "control character in string", c);
		/* c == '\\' */
		c = next(r);
		uint32_t cp = 0;
		switch (c) {
		case '"': cp = '"'; break;
		case '\\': cp = '\\'; break;
		case '/': cp = '/'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if (hex4(r, &cp) < 0)
				return false;
			if (cp >= 0xd800 && cp < 0xdc00) {
				uint32_t lo = 0;
				int c1 = next(r), c2 = c1 == '\\' ? next(r) : c1;
				if (c1 != '\\' || c2 != 'u')
					return fail(r, "unpaired surrogate in \\u escape", c2);
				if (hex4(r, &lo) < 0)
					return false;
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(r, "unpaired surrogate in \\u escape", FAIL_NO_BYTE);
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				return fail(r, "unpaired surrogate in \\u escape", FAIL_NO_BYTE);
			}
			if (cp == 0)
				cp = 0xfffd; /* strings are NUL-terminated downstream */
			break;
		default:
			return fail(r, "invalid escape in string", c);
		}
		if (!put_utf8(r, cp))
			return false;
	}
}

static void limit_text(size_t bytes, char *out, size_t n)
{
	if (bytes >= ((size_t)1 << 20) && bytes % ((size_t)1 << 20) == 0)
		snprintf(out, n, "%zu MiB", bytes >> 20);
	else if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(out, n, "%zu KiB", bytes >> 10);
	else
		snprintf(out, n, "%zu-byte", bytes);
}

static bool limit_failure(json_reader *r, uint32_t line, uint32_t col)
{
	char lim[32];
	r->failed = true;
	r->err_line = line;
	r->err_col = col;
	limit_text(r->lim->max_document_bytes, lim, sizeof(lim));
	if (r->t.failure && strstr(r->t.failure, "nesting"))
		snprintf(r->errmsg, sizeof(r->errmsg), "nesting is deeper than %u levels; the rest of this input is skipped",
			 r->lim->max_depth);
	else
		snprintf(r->errmsg, sizeof(r->errmsg),
			 "document is larger than the %s limit; the rest of this input is skipped", lim);
	return false;
}

static bool parse_value(json_reader *r);

static bool parse_literal(json_reader *r, const char *word)
{
	uint32_t line = r->line, col = r->col;
	for (const char *w = word; *w; w++) {
		int c = next(r);
		if (c != *w)
			return fail(r, "invalid literal", c);
	}
	if (!tree_scalar(&r->t, word, strlen(word), false, NULL, line, col))
		return limit_failure(r, line, col);
	return true;
}

static bool parse_number(json_reader *r)
{
	uint32_t line = r->line, col = r->col;
	char num[64];
	size_t n = 0;
	for (;;) {
		int c = peek(r);
		if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			if (n + 1 >= sizeof(num))
				return fail(r, "number too long", next(r));
			num[n++] = (char)next(r);
		} else {
			break;
		}
	}
	num[n] = '\0';
	/* validate the JSON number grammar loosely: digits must be present */
	if (n == 0 || !strpbrk(num, "0123456789")) {
		int c = peek(r);
		if (c >= 0)
			next(r);
		return fail(r, "invalid number", c);
	}
	if (!tree_scalar(&r->t, num, n, false, NULL, line, col))
		return limit_failure(r, line, col);
	return true;
}

static bool parse_container(json_reader *r, bool object)
{
	uint32_t line = r->line, col = r->col;
	next(r); /* { or [ */
	if (!tree_start(&r->t, object ? SUNSET_NODE_MAPPING : SUNSET_NODE_SEQUENCE, NULL, line, col))
		return limit_failure(r, line, col);
	skip_ws(r);
	int close = object ? '}' : ']';
	if (peek(r) == close) {
		next(r);
		return tree_end(&r->t) == 0 || limit_failure(r, line, col);
	}
	for (;;) {
		skip_ws(r);
		if (object) {
			uint32_t kl = r->line, kc = r->col;
			int c = next(r);
			if (c != '"')
				return fail(r, "expected a string key", c);
			if (!read_string(r))
				return false;
			if (!tree_scalar(&r->t, r->str.data ? r->str.data : "", r->str.len, true, NULL, kl, kc))
				return limit_failure(r, kl, kc);
			skip_ws(r);
			c = next(r);
			if (c != ':')
				return fail(r, "expected ':' after key", c);
			skip_ws(r);
		}
		if (!parse_value(r))
			return false;
		skip_ws(r);
		int c = next(r);
		if (c == ',')
			continue;
		if (c == close)
			break;
		return fail(r, object ? "expected ',' or '}'" : "expected ',' or ']'", c);
	}
	return tree_end(&r->t) == 0 || limit_failure(r, line, col);
}

static bool parse_value(json_reader *r)
{
	int c = peek(r);
	switch (c) {
	case '{':
		return parse_container(r, true);
	case '[':
		return parse_container(r, false);
	case '"': {
		uint32_t line = r->line, col = r->col;
		next(r);
		if (!read_string(r))
			return false;
		if (!tree_scalar(&r->t, r->str.data ? r->str.data : "", r->str.len, true, NULL, line, col))
			return limit_failure(r, line, col);
		return true;
	}
	case 't':
		return parse_literal(r, "true");
	case 'f':
		return parse_literal(r, "false");
	case 'n':
		return parse_literal(r, "null");
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_number(r);
		next(r);
		return fail(r, "expected a value", c);
	}
}

static bool emit_doc(json_reader *r, uint32_t start_line)
{
	sunset_doc doc = {0};
	doc.root = r->t.root;
	doc.index = (uint32_t)r->docs;
	doc.start_line = start_line;
	doc.end_line = r->line;
	r->docs++;
	if (r->sink->doc(r->sink->ctx, &doc) != 0) {
		r->stopped = true; /* the sink asked to stop: not an error */
		return false;
	}
	return true;
}

/* An item of a streamed List (see tree.h): a document of its own. */
static void emit_item(void *ctx, sunset_node *item)
{
	json_reader *r = ctx;
	sunset_doc doc = {0};
	doc.root = item;
	doc.index = (uint32_t)r->docs;
	doc.start_line = item->line;
	doc.end_line = r->line;
	r->sink->doc(r->sink->ctx, &doc);
}

/* Before a document starts: false (and the error) past the document limit. */
static bool room_for_doc(json_reader *r)
{
	if (r->docs < r->lim->max_documents)
		return true;
	r->failed = true;
	r->err_line = r->line;
	r->err_col = r->col;
	snprintf(r->errmsg, sizeof(r->errmsg), "more than %llu documents; the rest of this input is skipped",
		 (unsigned long long)r->lim->max_documents);
	return false;
}

int sunset_read_json(const sunset_input *in, const sunset_limits *lim, sunset_doc_sink *sink)
{
	json_reader r;
	memset(&r, 0, sizeof(r));
	r.lim = lim;
	r.sink = sink;
	r.line = in->line_offset + 1;
	r.col = in->column_offset + 1;
	stream_open(&r.s, in, false);
	tree_init(&r.t, lim);
	r.t.prune = in->objects_only;
	r.t.rules = in->rules;
	tree_stream_items(&r.t, emit_item, &r);
	sunset_buf_init(&r.str, lim->max_document_bytes);
	/* a UTF-8 byte order mark */
	if (peek(&r) == 0xef) {
		if (r.s.len - r.s.pos >= 3 && r.s.buf[r.s.pos + 1] == 0xbb && r.s.buf[r.s.pos + 2] == 0xbf)
			r.s.pos += 3;
	}
	for (;;) {
		skip_ws(&r);
		int c = peek(&r);
		if (c < 0)
			break;
		if (c == '[') {
			/* a top-level array: each element is a document */
			next(&r);
			skip_ws(&r);
			if (peek(&r) == ']') {
				next(&r);
				continue;
			}
			for (;;) {
				skip_ws(&r);
				uint32_t start = r.line;
				if (!room_for_doc(&r))
					goto out;
				tree_begin(&r.t);
				if (!parse_value(&r) || !emit_doc(&r, start))
					goto out;
				skip_ws(&r);
				c = next(&r);
				if (c == ',')
					continue;
				if (c == ']')
					break;
				fail(&r, "expected ',' or ']'", c);
				goto out;
			}
			continue;
		}
		uint32_t start = r.line;
		if (!room_for_doc(&r))
			break;
		tree_begin(&r.t);
		if (!parse_value(&r) || !emit_doc(&r, start))
			break;
	}
out:;
	int rc = 0;
	if (r.s.err) {
		char msg[160];
		snprintf(msg, sizeof(msg), "read error: %s", strerror(r.s.err));
		sink->error(sink->ctx, 0, 0, msg);
		rc = -1;
	} else if (r.failed) {
		sink->error(sink->ctx, r.err_line, r.err_col, r.errmsg);
		rc = -1;
	} else if (r.stopped) {
		rc = -1;
	}
	sunset_buf_release(&r.str);
	tree_release(&r.t);
	stream_close(&r.s);
	return rc;
}
