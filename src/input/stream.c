/*
 * See stream.h.  The hint scan runs once over every complete line, with
 * memchr/memmem, so its cost is a small fraction of libyaml's.
 */
#define _GNU_SOURCE
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sunset/util.h"

#define WINDOW_SIZE ((size_t)1 << 20)
#define WINDOW_RETAIN ((size_t)256 << 10)
#define MAX_HINTS 65536
#define MAX_SOURCE_PATH 4096

static void scan_hints(stream *s, size_t limit, bool final);

void stream_open(stream *s, const sunset_input *in, bool hints)
{
	memset(s, 0, sizeof(*s));
	s->in = in;
	s->hints_on = hints;
	s->scanned_line = in->line_offset + 1;
	if (in->fd < 0) {
		s->buf = (unsigned char *)in->mem;
		s->len = in->mem_len;
		s->cap = in->mem_len;
		s->eof = true;
		s->total = in->mem_len;
		scan_hints(s, s->len, true);
	} else {
		s->buf = sunset_xmalloc(WINDOW_SIZE);
		s->cap = WINDOW_SIZE;
		s->owned = true;
		if (in->prefix_len) {
			size_t n = in->prefix_len < WINDOW_SIZE ? in->prefix_len : WINDOW_SIZE;
			memcpy(s->buf, in->prefix, n);
			s->len = n;
			s->total = n;
			scan_hints(s, s->len, false);
		}
	}
}

void stream_close(stream *s)
{
	for (size_t i = 0; i < s->nhint; i++)
		free(s->hint[i].value);
	free(s->hint);
	if (s->owned)
		free(s->buf);
	memset(s, 0, sizeof(*s));
}

static void add_hint(stream *s, uint64_t off, uint32_t line, uint8_t kind, const char *val,
		     size_t vlen)
{
	if (s->nhint >= MAX_HINTS)
		return;
	if (s->nhint == s->caphint) {
		s->caphint = s->caphint ? s->caphint * 2 : 64;
		s->hint = sunset_xrealloc(s->hint, s->caphint * sizeof(*s->hint));
	}
	stream_hint *h = &s->hint[s->nhint++];
	h->offset = off;
	h->line = line;
	h->kind = kind;
	h->value = NULL;
	if (val) {
		h->value = sunset_xmalloc(vlen + 1);
		memcpy(h->value, val, vlen);
		h->value[vlen] = '\0';
	}
}

static size_t count_newlines(const unsigned char *p, const unsigned char *end)
{
	size_t n = 0;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* Looks at one line [p, end) (end excludes the newline). */
static void scan_line(stream *s, const unsigned char *p, const unsigned char *end,
		      uint32_t line, bool at_line_start)
{
	const unsigned char *q = p;
	uint64_t off = s->base_off + (uint64_t)(p - s->buf);
	if (at_line_start) {
		if (end - p >= 3 && p[0] == '-' && p[1] == '-' && p[2] == '-' &&
		    (end - p == 3 || p[3] == ' ' || p[3] == '\t' || p[3] == '\r'))
			add_hint(s, off, line, HINT_SEPARATOR, NULL, 0);
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (end - q > 9 && memcmp(q, "# Source:", 9) == 0) {
			const unsigned char *v = q + 9, *ve = end;
			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'))
				ve--;
			if (ve > v && (size_t)(ve - v) <= MAX_SOURCE_PATH)
				add_hint(s, off, line, HINT_SOURCE, (const char *)v, (size_t)(ve - v));
		}
	}
	const unsigned char *hash = memchr(p, '#', (size_t)(end - p));
	if (hash && memmem(hash, (size_t)(end - hash), "sunset:ignore", 13))
		add_hint(s, off, line, HINT_IGNORE, NULL, 0);
}

/* Notes hints on the complete lines in [scanned, limit). */
static void scan_hints(stream *s, size_t limit, bool final)
{
	const unsigned char *p = s->buf + s->scanned, *end = s->buf + limit;
	while (p < end) {
		const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl && !final)
			break;
		const unsigned char *le = nl ? nl : end;
		if (s->hints_on)
			scan_line(s, p, le, s->scanned_line, !s->scan_mid_line);
		s->scan_mid_line = false;
		if (!nl) {
			p = end;
			break;
		}
		s->scanned_line++;
		p = nl + 1;
	}
	s->scanned = (size_t)(p - s->buf);
}

bool stream_fill(stream *s)
{
	if (s->pos < s->len)
		return true;
	if (s->eof || s->err)
		return false;
	if (s->len == s->cap) {
		size_t drop = s->pos > WINDOW_RETAIN ? s->pos - WINDOW_RETAIN : 0;
		if (drop > s->scanned) {
			/* a line longer than the window: its hints are lost, by design */
			s->scanned_line += (uint32_t)count_newlines(s->buf + s->scanned, s->buf + drop);
			s->scanned = drop;
			s->scan_mid_line = true;
		}
		memmove(s->buf, s->buf + drop, s->len - drop);
		s->len -= drop;
		s->pos -= drop;
		s->scanned -= drop;
		s->base_off += drop;
	}
	for (;;) {
		ssize_t n = read(s->in->fd, s->buf + s->len, s->cap - s->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			s->err = errno;
			return false;
		}
		if (n == 0) {
			s->eof = true;
			scan_hints(s, s->len, true);
			return s->pos < s->len;
		}
		s->len += (size_t)n;
		s->total += (uint64_t)n;
		scan_hints(s, s->len, false);
		return true;
	}
}

size_t stream_read(stream *s, unsigned char *out, size_t n)
{
	if (!stream_fill(s))
		return 0;
	size_t avail = s->len - s->pos;
	if (n > avail)
		n = avail;
	memcpy(out, s->buf + s->pos, n);
	s->pos += n;
	return n;
}

bool stream_seek(stream *s, uint64_t off)
{
	if (off < s->base_off || off > s->base_off + s->len)
		return false;
	s->pos = (size_t)(off - s->base_off);
	return true;
}

bool stream_next_separator(stream *s, uint32_t line, uint64_t *off, uint32_t *sep_line)
{
	for (;;) {
		for (size_t i = 0; i < s->nhint; i++) {
			if (s->hint[i].kind == HINT_SEPARATOR && s->hint[i].line > line &&
			    s->hint[i].offset >= s->base_off) {
				*off = s->hint[i].offset;
				*sep_line = s->hint[i].line;
				return true;
			}
		}
		/* nothing noted yet: consume the window and read on */
		stream_prune_hints(s, line + 1);
		s->pos = s->len;
		if (!stream_fill(s))
			return false;
	}
}

void stream_prune_hints(stream *s, uint32_t line)
{
	size_t j = 0;
	for (size_t i = 0; i < s->nhint; i++) {
		if (s->hint[i].line < line) {
			free(s->hint[i].value);
			continue;
		}
		s->hint[j++] = s->hint[i];
	}
	s->nhint = j;
}
