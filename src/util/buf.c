/*
 * Bounded growable buffers.  Every buffer that holds outside input (stdin,
 * a decompressed payload, an HTTP body) has a maximum; going past it is a
 * diagnostic for the caller, never an abort.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/util.h"

void sunset_buf_init(sunset_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max ? max : (size_t)-1;
}

static int buf_reserve(sunset_buf *b, size_t extra)
{
	if (extra > b->max || b->len > b->max - extra)
		return -1;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if (b->max < (size_t)-1 && cap > b->max + 1) /* max + 1 wraps for "no maximum" */
		cap = b->max + 1;
	b->data = sunset_xrealloc(b->data, cap);
	b->cap = cap;
	return 0;
}

int sunset_buf_append(sunset_buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int sunset_buf_puts(sunset_buf *b, const char *s)
{
	return sunset_buf_append(b, s, strlen(s));
}

int sunset_buf_printf(sunset_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void sunset_buf_reset(sunset_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void sunset_buf_release(sunset_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
