/*
 * See stream.h.  The hint scan runs once over every complete line, with
 * memchr/memmem, so its cost is a small fraction of libyaml's.
 */
#define _GNU_SOURCE
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "sunset/util.h"
#include "sunset/read.h"

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
	SUNSET_GROW(s->hint, s->nhint, s->caphint, 64);
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

/* Word-at-a-time newline count: the hint scan must see every byte, and a
 * memchr call per short YAML line costs more than the bytes themselves. */
static size_t count_newlines(const unsigned char *p, const unsigned char *end)
{
	const uint64_t nl = 0x0a0a0a0a0a0a0a0aULL, low7 = 0x7f7f7f7f7f7f7f7fULL;
	size_t n = 0;
	while (p < end && ((uintptr_t)p & 7))
		n += *p++ == '\n';
	while (end - p >= 8) {
		/* up to 255 words per batch: per-byte counters in one register */
		size_t words = (size_t)(end - p) / 8;
		if (words > 255)
			words = 255;
		uint64_t nonzero = 0;
		for (size_t i = 0; i < words; i++, p += 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			w ^= nl; /* newline bytes become zero */
			nonzero += ((((w & low7) + low7) | w) >> 7) & 0x0101010101010101ULL;
		}
		/* the eight counters sum past 255: add them in 16-bit lanes */
		uint64_t pairs = (nonzero & 0x00ff00ff00ff00ffULL) + ((nonzero >> 8) & 0x00ff00ff00ff00ffULL);
		n += words * 8 - (size_t)((pairs * 0x0001000100010001ULL) >> 48);
	}
	while (p < end)
		n += *p++ == '\n';
	return n;
}

static bool at_line_start(const stream *s, const unsigned char *p, const unsigned char *region)
{
	return p > region ? p[-1] == '\n' : !s->scan_mid_line;
}

/* A "#" at h: "# Source: x" when only blanks precede it on its line, and
 * "sunset:ignore" anywhere in the comment. */
static void scan_comment(stream *s, const unsigned char *region, const unsigned char *h,
			 const unsigned char *end, uint32_t line)
{
	const unsigned char *ls = h;
	while (ls > region && (ls[-1] == ' ' || ls[-1] == '\t'))
		ls--;
	const unsigned char *le = memchr(h, '\n', (size_t)(end - h));
	if (!le)
		le = end;
	uint64_t off = s->base_off + (uint64_t)(ls - s->buf);
	if (at_line_start(s, ls, region) && le - h > 9 && memcmp(h, "# Source:", 9) == 0) {
		const unsigned char *v = h + 9, *ve = le;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'))
			ve--;
		if (ve > v && (size_t)(ve - v) <= MAX_SOURCE_PATH)
			add_hint(s, off, line, HINT_SOURCE, (const char *)v, (size_t)(ve - v));
	}
	if ((h == region || h[-1] == ' ' || h[-1] == '\t' || at_line_start(s, h, region)) &&
	    memmem(h, (size_t)(le - h), "sunset:ignore", 13))
		add_hint(s, off, line, HINT_IGNORE, NULL, 0);
}

static bool separator_at(const unsigned char *p, const unsigned char *end)
{
	return end - p >= 3 && p[0] == '-' && p[1] == '-' && p[2] == '-' &&
	       (end - p == 3 || p[3] == ' ' || p[3] == '\t' || p[3] == '\r' || p[3] == '\n');
}

/*
 * Notes hints on the complete lines in [scanned, limit): walks the "#"
 * hits, counting newlines only between hits.  "---" lines are not looked
 * for here: only a reader restarting after an error needs them, and it
 * searches the window then (stream_next_separator).
 */
static void scan_hints(stream *s, size_t limit, bool final)
{
	const unsigned char *region = s->buf + s->scanned, *end = s->buf + limit;
	if (!final) {
		/* only complete lines: stop after the last newline */
		const unsigned char *q = end;
		while (q > region && q[-1] != '\n')
			q--;
		end = q;
	}
	if (end <= region)
		return;
	const unsigned char *p = region; /* newlines are counted up to p */
	uint32_t line = s->scanned_line;
	if (s->hints_on) {
		const unsigned char *hash = memchr(region, '#', (size_t)(end - region));
		while (hash) {
			line += (uint32_t)count_newlines(p, hash);
			p = hash;
			scan_comment(s, region, hash, end, line);
			/* the rest of a comment line holds no more hints */
			const unsigned char *le = memchr(hash, '\n', (size_t)(end - hash));
			hash = le ? memchr(le, '#', (size_t)(end - le)) : NULL;
		}
	}
	line += (uint32_t)count_newlines(p, end);
	s->scanned_line = line;
	s->scan_mid_line = end[-1] != '\n';
	s->scanned = (size_t)(end - s->buf);
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
		/* walk the complete lines of the window, numbering them back from
		 * the hint scan's position */
		const unsigned char *p = s->buf, *end = s->buf + s->scanned;
		uint32_t l = s->scanned_line - (uint32_t)count_newlines(p, end);
		if (s->base_off > 0) {
			/* the window may start mid-line: skip to the next line start */
			const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
			l++;
		}
		while (p < end) {
			if (l > line && separator_at(p, end)) {
				*off = s->base_off + (uint64_t)(p - s->buf);
				*sep_line = l;
				return true;
			}
			const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl)
				break;
			p = nl + 1;
			l++;
		}
		/* nothing in the window: consume it and read on (at the end of
		 * input the fill finishes the last line; search it once more) */
		if (s->eof && s->scanned == s->len)
			return false;
		s->pos = s->len;
		if (!stream_fill(s) && s->err)
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
