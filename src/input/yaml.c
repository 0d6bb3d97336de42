/*
 * The YAML reader: libyaml's event parser feeding the tree builder, one
 * document at a time, from a bounded stream window.
 *
 * When libyaml fails, or a document passes a limit, the reader reports it
 * and starts a fresh parser at the next "---" line, so one broken document
 * does not hide the ones after it.  libyaml's 0-based marks become 1-based
 * positions here and nowhere else.
 */
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "stream.h"
#include "tree.h"

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
} yaml_reader;

static int read_handler(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
	yaml_reader *r = data;
	*size_read = stream_read(&r->s, buffer, size);
	return r->s.err ? 0 : 1;
}

static uint32_t abs_line(const yaml_reader *r, const yaml_mark_t *m)
{
	return (uint32_t)m->line + 1 + r->line_base;
}

static uint32_t abs_col(const yaml_reader *r, const yaml_mark_t *m)
{
	return (uint32_t)m->column + 1 + (m->line == 0 ? r->col_base : 0);
}

static void report(yaml_reader *r, uint32_t line, uint32_t col, const char *msg)
{
	if (r->errors < MAX_ERRORS_PER_INPUT)
		r->sink->error(r->sink->ctx, line, col, msg);
	else if (r->errors == MAX_ERRORS_PER_INPUT)
		r->sink->error(r->sink->ctx, line, col, "too many errors; the rest of this input is skipped");
	r->errors++;
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

static void deliver(yaml_reader *r, uint32_t start_line, uint32_t end_line)
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
			doc.template_path = h->value;
		else if (h->kind == HINT_IGNORE && h->line >= start_line && h->line <= end_line &&
			 nign < sizeof(ignores) / sizeof(ignores[0]))
			ignores[nign++] = h->line;
	}
	doc.ignore_lines = ignores;
	doc.nignore = nign;
	r->sink->doc(r->sink->ctx, &doc);
	r->prev_end_line = end_line;
	stream_prune_hints(&r->s, end_line);
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
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			report_parser_error(r, &p);
			*stop_line = p.error == YAML_READER_ERROR ? abs_line(r, &p.mark)
								  : abs_line(r, &p.problem_mark);
			result = r->s.err ? -1 : 0;
			break;
		}
		uint32_t line = abs_line(r, &ev.start_mark), col = abs_col(r, &ev.start_mark);
		bool stop = false;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			stop = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			tree_begin(&r->t);
			in_doc = true;
			skipping = false;
			doc_start = line;
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (in_doc && !skipping)
				deliver(r, doc_start, line);
			in_doc = false;
			if (++r->docs >= r->lim->max_documents) {
				char msg[128];
				snprintf(msg, sizeof(msg), "more than %llu documents; the rest of this input is skipped",
					 (unsigned long long)r->lim->max_documents);
				report(r, line, col, msg);
				result = -1;
				stop = true;
			}
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
			char msg[160];
			if (r->t.failure && strstr(r->t.failure, "nesting"))
				snprintf(msg, sizeof(msg), "nesting is deeper than %u levels; the rest of this document is skipped",
					 r->lim->max_depth);
			else
				snprintf(msg, sizeof(msg), "document is larger than the %zu MiB limit; the rest of it is skipped",
					 r->lim->max_document_bytes >> 20);
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
	int rc = 0;
	uint32_t restarted_at = 0;
	for (;;) {
		uint32_t stop_line = 0;
		int res = run_parser(&r, &stop_line);
		if (res == 1)
			break;
		if (res < 0 || r.errors > MAX_ERRORS_PER_INPUT) {
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
