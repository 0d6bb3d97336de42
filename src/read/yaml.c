/*
 * The YAML reader: libyaml's event parser feeding the tree builder, one
 * document at a time, from a bounded stream window.
 *
 * When libyaml fails, or a document passes a limit, the reader reports it
 * and starts a fresh parser at the next "---" line, so one broken document
 * does not hide the ones after it.  libyaml's 0-based marks become 1-based
 * positions here and nowhere else.
 *
 * Bytes are checked on their way into libyaml (UTF-8 and YAML's printable
 * set, as libyaml's own reader checks them): libyaml decodes up to 16 KiB
 * ahead of the events it returns, so a bad byte found by libyaml would
 * lose every document still in that window, at a position libyaml cannot
 * give.  Instead the handler ends libyaml's input just before the bad byte
 * (a "fence"); the documents before it are delivered, the one the fence
 * cuts is dropped, and the error names the byte's own line and column.
 * The same fence stops a single value (or any stretch without an event)
 * from growing past the document limit inside libyaml's buffers.
 *
 * NEEDSWORK: the byte check and the stream's hints count lines at "\n"
 * only, while libyaml also breaks lines at a lone "\r", U+0085, U+2028 and
 * U+2029: in a file with those, a bad byte's position, "# Source:" and
 * ignore lines, and the "---" a restart looks for are off by that many
 * lines (no crash, no lost bound).
 */
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "stream.h"
#include "tree.h"
#include "sunset/read.h"

#define MAX_ERRORS_PER_INPUT 100

typedef struct yaml_reader {
	stream s;
	tree t;
	const sunset_limits *lim;
	sunset_doc_sink *sink;
	uint32_t line_base; /* absolute 0-based line where the current parser began */
	uint32_t col_base;  /* added to columns on the parser's first line */
	uint64_t docs;
	unsigned errors;
	uint32_t prev_end_line;
	/* the byte check, per parser (see the top of the file) */
	bool check;	       /* UTF-8 input (off for UTF-16, which libyaml checks) */
	bool at_start;	       /* nothing handed to this parser yet */
	unsigned char carry[4]; /* an incomplete UTF-8 sequence held back */
	size_t ncarry;
	uint32_t next_line, next_col; /* absolute position of the next byte handed out */
	uint64_t handed, handed_at_event;
	uint32_t event_line, event_col;
	bool fenced;
	uint32_t fence_line, fence_col;
	char fence_msg[160];
} yaml_reader;

static void limit_text(size_t bytes, char *out, size_t n)
{
	if (bytes >= ((size_t)1 << 20) && bytes % ((size_t)1 << 20) == 0)
		snprintf(out, n, "%zu MiB", bytes >> 20);
	else if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(out, n, "%zu KiB", bytes >> 10);
	else
		snprintf(out, n, "%zu-byte", bytes);
}

static void set_fence(yaml_reader *r, uint32_t line, uint32_t col, const char *msg, int byte)
{
	r->fenced = true;
	r->fence_line = line;
	r->fence_col = col;
	if (byte >= 0)
		snprintf(r->fence_msg, sizeof(r->fence_msg), "%s (byte 0x%02x)", msg, (unsigned)byte);
	else
		snprintf(r->fence_msg, sizeof(r->fence_msg), "%s", msg);
}

/*
 * Checks b[0..n) as libyaml's reader would and counts positions.  Returns
 * how many bytes may go to libyaml: all of them, or up to a bad byte (the
 * fence is set), or up to an incomplete sequence at the end of b that the
 * next read completes (eof: there is none, so it is bad).
 */
static size_t check_bytes(yaml_reader *r, const unsigned char *b, size_t n, bool eof)
{
	size_t i = 0;
	if (r->at_start && n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		i = 3; /* libyaml drops the BOM without counting a column */
	while (i < n) {
		/* words of printable ASCII and newlines, most of any manifest, pass
		 * eight bytes at a time.  With no byte >= 0x80, adding to a byte
		 * never carries into the next, so each test is exact per byte. */
		uint64_t w;
		if (n - i >= 8) {
			const uint64_t high = 0x8080808080808080ULL;
			memcpy(&w, b + i, 8);
			if (!(w & high)) {
				uint64_t nl = w ^ 0x0a0a0a0a0a0a0a0aULL;
				uint64_t is_nl = ~(((nl & 0x7f7f7f7f7f7f7f7fULL) + 0x7f7f7f7f7f7f7f7fULL) | nl) & high;
				uint64_t below_space = ~(w + 0x6060606060606060ULL) & high;
				uint64_t is_del = (w + 0x0101010101010101ULL) & high;
				if (!((below_space & ~is_nl) | is_del)) {
					if (is_nl) {
						unsigned last = (unsigned)(63 - __builtin_clzll(is_nl)) / 8;
						r->next_line += (uint32_t)(((is_nl >> 7) * 0x0101010101010101ULL) >> 56);
						r->next_col = 8 - last;
					} else {
						r->next_col += 8;
					}
					i += 8;
					continue;
				}
			}
		}
		/* otherwise the next eight bytes one character at a time */
		size_t stop = n - i > 8 ? i + 8 : n;
		while (i < stop) {
		unsigned c = b[i];
		if (c < 0x80) {
			if (c == '\n') {
				r->next_line++;
				r->next_col = 1;
			} else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
				set_fence(r, r->next_line, r->next_col, "control characters are not allowed", (int)c);
				return i;
			} else {
				r->next_col++;
			}
			i++;
			continue;
		}
		size_t width = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (width == 0) {
			set_fence(r, r->next_line, r->next_col, "invalid leading UTF-8 octet", (int)c);
			return i;
		}
		if (i + width > n) {
			for (size_t k = i + 1; k < n; k++) {
				if ((b[k] & 0xc0) != 0x80) {
					set_fence(r, r->next_line, r->next_col, "invalid trailing UTF-8 octet", b[k]);
					return i;
				}
			}
			if (eof)
				set_fence(r, r->next_line, r->next_col, "incomplete UTF-8 octet sequence", (int)c);
			return i;
		}
		uint32_t v = c & (width == 2 ? 0x1fu : width == 3 ? 0x0fu : 0x07u);
		for (size_t k = 1; k < width; k++) {
			if ((b[i + k] & 0xc0) != 0x80) {
				set_fence(r, r->next_line, r->next_col, "invalid trailing UTF-8 octet", b[i + k]);
				return i;
			}
			v = (v << 6) | (b[i + k] & 0x3fu);
		}
		if ((width == 2 && v < 0x80) || (width == 3 && v < 0x800) || (width == 4 && v < 0x10000)) {
			set_fence(r, r->next_line, r->next_col, "invalid length of a UTF-8 sequence", (int)c);
			return i;
		}
		if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff) {
			set_fence(r, r->next_line, r->next_col, "invalid Unicode character", (int)c);
			return i;
		}
		if (!(v == 0x85 || (v >= 0xa0 && v <= 0xd7ff) || (v >= 0xe000 && v <= 0xfffd) || v >= 0x10000)) {
			set_fence(r, r->next_line, r->next_col, "control characters are not allowed", (int)c);
			return i;
		}
		r->next_col++;
		i += width;
		}
	}
	return n;
}

static int read_handler(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
	yaml_reader *r = data;
	*size_read = 0;
	if (r->fenced || size < sizeof(r->carry))
		return 1; /* end of input for libyaml (its requests are 16 KiB) */
	for (;;) {
		size_t n = r->ncarry;
		memcpy(buffer, r->carry, n);
		r->ncarry = 0;
		size_t got = stream_read(&r->s, buffer + n, size - n);
		if (r->s.err)
			return 0;
		n += got;
		if (r->at_start && n >= 2 &&
		    ((buffer[0] == 0xff && buffer[1] == 0xfe) || (buffer[0] == 0xfe && buffer[1] == 0xff)))
			r->check = false; /* UTF-16: libyaml decodes and checks it */
		size_t ok = r->check ? check_bytes(r, buffer, n, got == 0) : n;
		r->at_start = false;
		if (!r->fenced && ok < n) {
			r->ncarry = n - ok;
			memcpy(r->carry, buffer + ok, r->ncarry);
		}
		/* a value (or comment) that grows past the document limit without
		 * an event would otherwise grow inside libyaml, which doubles its
		 * buffers and zeroes the new half: stopping a little short keeps
		 * that buffer within the limit.  These bytes still go to libyaml,
		 * so that its end of input is where the fence is. */
		size_t value_max = r->lim->max_document_bytes - r->lim->max_document_bytes / 64;
		if (!r->fenced && r->handed + ok - r->handed_at_event > value_max) {
			char lim[32], msg[128];
			limit_text(r->lim->max_document_bytes, lim, sizeof(lim));
			snprintf(msg, sizeof(msg), "a single value is larger than the %s document limit; "
						   "the rest of this document is skipped", lim);
			if (r->check)
				set_fence(r, r->next_line, r->next_col, msg, -1);
			else
				set_fence(r, r->event_line, r->event_col, msg, -1);
		}
		r->handed += ok;
		*size_read = ok;
		if (ok > 0 || r->fenced || got == 0)
			return 1;
	}
}

static uint32_t abs_line(const yaml_reader *r, const yaml_mark_t *m)
{
	return (uint32_t)m->line + 1 + r->line_base;
}

static uint32_t abs_col(const yaml_reader *r, const yaml_mark_t *m)
{
	return (uint32_t)m->column + 1 + (m->line == 0 ? r->col_base : 0);
}

/* Past the cap, errors are counted but not shown; reading goes on, so the
 * documents after them are still checked. */
static void report(yaml_reader *r, uint32_t line, uint32_t col, const char *msg)
{
	if (r->errors < MAX_ERRORS_PER_INPUT)
		r->sink->error(r->sink->ctx, line, col, msg);
	else if (r->errors == MAX_ERRORS_PER_INPUT)
		r->sink->error(r->sink->ctx, line, col,
			       "more than 100 errors in this input; the rest are not shown");
	r->errors++;
}

/* Is (line, col) at or after the fence? */
static bool past_fence(const yaml_reader *r, uint32_t line, uint32_t col)
{
	return r->fenced && (line > r->fence_line || (line == r->fence_line && col >= r->fence_col));
}

static void report_parser_error(yaml_reader *r, const yaml_parser_t *p)
{
	char msg[512];
	uint32_t line, col;
	if (p->error == YAML_READER_ERROR) {
		/* reader errors carry a byte offset, not a mark */
		line = abs_line(r, &p->mark);
		col = abs_col(r, &p->mark);
		if (p->problem_value != -1)
			snprintf(msg, sizeof(msg), "%s (byte 0x%02x)", p->problem ? p->problem : "invalid input",
				 (unsigned)p->problem_value & 0xffu);
		else
			snprintf(msg, sizeof(msg), "%s", p->problem ? p->problem : "invalid input");
	} else if (p->error == YAML_MEMORY_ERROR) {
		line = abs_line(r, &p->mark);
		col = abs_col(r, &p->mark);
		snprintf(msg, sizeof(msg), "out of memory while parsing");
	} else {
		line = abs_line(r, &p->problem_mark);
		col = abs_col(r, &p->problem_mark);
		if (p->context)
			snprintf(msg, sizeof(msg), "invalid YAML: %s %s (started at line %u)",
				 p->problem ? p->problem : "syntax error", p->context,
				 abs_line(r, &p->context_mark));
		else
			snprintf(msg, sizeof(msg), "invalid YAML: %s", p->problem ? p->problem : "syntax error");
	}
	if (r->s.err)
		snprintf(msg, sizeof(msg), "read error: %s", strerror(r->s.err));
	report(r, line, col, msg);
}

/* Returns the sink's answer: non-zero stops the read. */
static int deliver(yaml_reader *r, uint32_t start_line, uint32_t end_line)
{
	sunset_doc doc = {0};
	doc.root = r->t.root;
	doc.index = (uint32_t)r->docs;
	doc.start_line = start_line;
	doc.end_line = end_line;
	uint32_t first = doc.root ? doc.root->line : end_line;
	uint32_t ignores[64];
	size_t nign = 0;
	for (size_t i = 0; i < r->s.nhint; i++) {
		const stream_hint *h = &r->s.hint[i];
		if (h->kind == HINT_SOURCE && h->line < first && h->line >= r->prev_end_line)
			doc.template_path = h->value, doc.template_line = h->line;
		else if (h->kind == HINT_IGNORE && h->line >= start_line && h->line <= end_line &&
			 nign < sizeof(ignores) / sizeof(ignores[0]))
			ignores[nign++] = h->line;
	}
	doc.ignore_lines = ignores;
	doc.nignore = nign;
	int stop = r->sink->doc(r->sink->ctx, &doc);
	r->prev_end_line = end_line;
	stream_prune_hints(&r->s, end_line);
	return stop;
}

/* An item of a streamed List (see tree.h): a document of its own. */
static void deliver_item(void *ctx, sunset_node *item)
{
	yaml_reader *r = ctx;
	sunset_doc doc = {0};
	doc.root = item;
	doc.index = (uint32_t)r->docs;
	doc.start_line = doc.end_line = item->line;
	uint32_t ignores[64];
	size_t nign = 0;
	for (size_t i = 0; i < r->s.nhint; i++)
		if (r->s.hint[i].kind == HINT_IGNORE && r->s.hint[i].line >= item->line &&
		    nign < sizeof(ignores) / sizeof(ignores[0]))
			ignores[nign++] = r->s.hint[i].line;
	doc.ignore_lines = ignores;
	doc.nignore = nign;
	r->sink->doc(r->sink->ctx, &doc);
	stream_prune_hints(&r->s, item->line);
}

static const char *tag_anchor(const yaml_char_t *a)
{
	return a ? (const char *)a : NULL;
}

/*
 * Runs one parser from the current stream position.  Returns 1 when the
 * stream ended cleanly, 0 when the reader should restart after `*stop_line`,
 * -1 when it must give up on the input.
 */
static int run_parser(yaml_reader *r, uint32_t *stop_line)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int result = 1;
	bool in_doc = false, skipping = false;
	uint32_t doc_start = 0;

	if (!yaml_parser_initialize(&p))
		return -1;
	yaml_parser_set_input(&p, read_handler, r);
	r->check = true;
	r->at_start = true;
	r->ncarry = 0;
	r->fenced = false;
	r->next_line = r->line_base + 1;
	r->next_col = r->col_base + 1;
	r->handed = r->handed_at_event = 0;
	r->event_line = r->next_line;
	r->event_col = r->next_col;
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			uint32_t eline = p.error == YAML_READER_ERROR ? abs_line(r, &p.mark) : abs_line(r, &p.problem_mark);
			uint32_t ecol = p.error == YAML_READER_ERROR ? abs_col(r, &p.mark) : abs_col(r, &p.problem_mark);
			if (past_fence(r, eline, ecol) || (r->fenced && p.error == YAML_READER_ERROR && !r->s.err)) {
				/* libyaml only ran out of input at the fence */
				report(r, r->fence_line, r->fence_col, r->fence_msg);
				*stop_line = r->fence_line + 1; /* never restart on the fenced line */
			} else {
				report_parser_error(r, &p);
				*stop_line = eline;
			}
			result = r->s.err ? -1 : 0;
			break;
		}
		uint32_t line = abs_line(r, &ev.start_mark), col = abs_col(r, &ev.start_mark);
		r->handed_at_event = r->handed;
		if (r->fenced && ev.type != YAML_STREAM_END_EVENT && ev.type != YAML_DOCUMENT_END_EVENT &&
		    past_fence(r, abs_line(r, &ev.end_mark), abs_col(r, &ev.end_mark))) {
			/* a value the fence cut short: not built (it may be huge) */
			yaml_event_delete(&ev);
			report(r, r->fence_line, r->fence_col, r->fence_msg);
			*stop_line = r->fence_line + 1;
			result = 0;
			break;
		}
		r->event_line = line;
		r->event_col = col;
		bool stop = false;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			stop = true;
			if (r->fenced) {
				report(r, r->fence_line, r->fence_col, r->fence_msg);
				*stop_line = r->fence_line + 1;
				result = 0;
			}
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (r->docs >= r->lim->max_documents) {
				char msg[128];
				snprintf(msg, sizeof(msg), "more than %llu documents; the rest of this input is skipped",
					 (unsigned long long)r->lim->max_documents);
				report(r, line, col, msg);
				result = -1;
				stop = true;
				break;
			}
			tree_begin(&r->t);
			in_doc = true;
			skipping = false;
			doc_start = line;
			break;
		case YAML_DOCUMENT_END_EVENT:
			/* a document the fence cut short is not delivered */
			if (in_doc && !skipping && !past_fence(r, line, col)) {
				int halt = deliver(r, doc_start, line);
				r->docs++;
				if (halt) {
					result = -1;
					stop = true;
				}
			}
			in_doc = false;
			break;
		case YAML_SCALAR_EVENT:
			if (!tree_scalar(&r->t, (const char *)ev.data.scalar.value, ev.data.scalar.length,
					 ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
						 ev.data.scalar.style != YAML_ANY_SCALAR_STYLE,
					 tag_anchor(ev.data.scalar.anchor), line, col))
				skipping = true;
			break;
		case YAML_ALIAS_EVENT:
			if (!tree_alias(&r->t, (const char *)ev.data.alias.anchor, line, col))
				skipping = true;
			break;
		case YAML_SEQUENCE_START_EVENT:
			if (!tree_start(&r->t, SUNSET_NODE_SEQUENCE, tag_anchor(ev.data.sequence_start.anchor),
					line, col))
				skipping = true;
			break;
		case YAML_MAPPING_START_EVENT:
			if (!tree_start(&r->t, SUNSET_NODE_MAPPING, tag_anchor(ev.data.mapping_start.anchor),
					line, col))
				skipping = true;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (tree_end(&r->t) < 0)
				skipping = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (skipping) {
			/* a limit: stop parsing this document here (libyaml would slow
			 * with the square of the depth) and restart after it */
			char msg[160], lim[32];
			limit_text(r->lim->max_document_bytes, lim, sizeof(lim));
			if (r->fenced) {
				/* the value that passed the limit was cut at the fence */
				report(r, r->fence_line, r->fence_col, r->fence_msg);
				*stop_line = r->fence_line + 1;
				result = 0;
				break;
			}
			if (r->t.failure && strstr(r->t.failure, "nesting"))
				snprintf(msg, sizeof(msg), "nesting is deeper than %u levels; the rest of this document is skipped",
					 r->lim->max_depth);
			else
				snprintf(msg, sizeof(msg), "document is larger than the %s limit; the rest of it is skipped",
					 lim);
			report(r, line, col, msg);
			*stop_line = line;
			result = 0;
			break;
		}
		if (stop)
			break;
	}
	yaml_parser_delete(&p);
	return result;
}

int sunset_read_yaml(const sunset_input *in, const sunset_limits *lim, sunset_doc_sink *sink)
{
	yaml_reader r;
	memset(&r, 0, sizeof(r));
	r.lim = lim;
	r.sink = sink;
	r.line_base = in->line_offset;
	r.col_base = in->column_offset;
	stream_open(&r.s, in, true);
	tree_init(&r.t, lim);
	r.t.prune = in->objects_only;
	r.t.rules = in->rules;
	tree_stream_items(&r.t, deliver_item, &r);
	int rc = 0;
	uint32_t restarted_at = 0;
	for (;;) {
		uint32_t stop_line = 0;
		int res = run_parser(&r, &stop_line);
		if (res == 1)
			break;
		if (res < 0) {
			rc = -1;
			break;
		}
		uint64_t off;
		uint32_t sep_line;
		/* a "---" on the failing line itself may start the next document,
		 * unless the last restart was there already */
		uint32_t after = restarted_at == stop_line ? stop_line : stop_line - 1;
		if (!stream_next_separator(&r.s, after, &off, &sep_line) || !stream_seek(&r.s, off))
			break;
		restarted_at = sep_line;
		stream_prune_hints(&r.s, sep_line);
		r.prev_end_line = sep_line;
		r.line_base = sep_line - 1;
		r.col_base = 0;
	}
	if (r.s.err && rc == 0) {
		char msg[160];
		snprintf(msg, sizeof(msg), "read error: %s", strerror(r.s.err));
		sink->error(sink->ctx, 0, 0, msg);
		rc = -1;
	}
	tree_release(&r.t);
	stream_close(&r.s);
	return rc;
}
