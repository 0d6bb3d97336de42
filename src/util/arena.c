/*
 * Arenas: one per parsed document (reset between documents, so a stream of
 * a million documents touches the same few blocks) and one per report.
 * Blocks grow geometrically up to 1 MiB; a request larger than a block gets
 * a block of its own.  The limit is what makes a hostile document cheap: the
 * reader sees NULL and reports "document too large" instead of growing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/util.h"

struct sunset_arena_block {
	sunset_arena_block *next;
	size_t size, used;
	max_align_t data[];
};

#define ARENA_FIRST_BLOCK ((size_t)16 << 10)
#define ARENA_MAX_BLOCK ((size_t)1 << 20)

void sunset_arena_init(sunset_arena *a, size_t limit)
{
	a->head = NULL;
	a->used = 0;
	a->limit = limit;
	a->exhausted = false;
}

void *sunset_arena_alloc(sunset_arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	n = (n + align - 1) & ~(align - 1);
	if (n == 0)
		n = align;
	if (a->limit && (a->used + n > a->limit || a->used + n < a->used)) {
		a->exhausted = true;
		return NULL;
	}
	sunset_arena_block *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t size = b ? b->size * 2 : ARENA_FIRST_BLOCK;
		if (size > ARENA_MAX_BLOCK)
			size = ARENA_MAX_BLOCK;
		if (size < n)
			size = n;
		b = sunset_xmalloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	a->used += n;
	return p;
}

char *sunset_arena_strndup(sunset_arena *a, const char *s, size_t n)
{
	char *p = sunset_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sunset_arena_strdup(sunset_arena *a, const char *s)
{
	return s ? sunset_arena_strndup(a, s, strlen(s)) : NULL;
}

char *sunset_arena_printf(sunset_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = sunset_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void sunset_arena_reset(sunset_arena *a)
{
	sunset_arena_block *b = a->head;
	if (b) {
		/* keep the last (oldest, smallest) block: the common document fits */
		sunset_arena_block *keep = b;
		while (keep->next)
			keep = keep->next;
		while (b != keep) {
			sunset_arena_block *next = b->next;
			free(b);
			b = next;
		}
		keep->used = 0;
		a->head = keep;
	}
	a->used = 0;
	a->exhausted = false;
}

void sunset_arena_release(sunset_arena *a)
{
	sunset_arena_block *b = a->head;
	while (b) {
		sunset_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
	a->exhausted = false;
}

void sunset_arena_adopt(sunset_arena *dst, sunset_arena *src)
{
	sunset_arena_block *tail = src->head;
	if (!tail)
		return;
	while (tail->next)
		tail = tail->next;
	if (dst->head) {
		/* behind dst's current block, so dst keeps filling its own */
		tail->next = dst->head->next;
		dst->head->next = src->head;
	} else {
		dst->head = src->head;
	}
	dst->used += src->used;
	src->head = NULL;
	src->used = 0;
}
