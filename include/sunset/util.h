/*
 * Small building blocks shared by every stage: arenas, bounded buffers,
 * version numbers and string hashing.
 *
 * Ownership: an arena owns everything allocated from it; nothing allocated
 * from an arena is freed on its own.  sunset_arena_reset() keeps the first
 * block so that the next document reuses it without a malloc.
 */
#ifndef SUNSET_UTIL_H
#define SUNSET_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define SUNSET_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SUNSET_PRINTF(a, b)
/*
 * Text for people (tables, messages) shows control characters instead of
 * sending them to a terminal: \n \r \t, \xNN for other C0 bytes, DEL and
 * bytes that are not UTF-8, \uNNNN for C1 code points.  Like snprintf:
 * returns the escaped length, writes at most cap bytes (NUL included).
 */
size_t sunset_escape_controls(const char *s, char *out, size_t cap);
void sunset_fputs_escaped(FILE *out, const char *s);
/* "https://user:pw@host" -> "https://user:xxxxx@host" for every URL in s,
 * as kubectl masks it; snprintf-like as above. */
size_t sunset_redact_url_passwords(const char *s, char *out, size_t cap);

#endif

typedef struct sunset_arena_block sunset_arena_block;

typedef struct sunset_arena {
	sunset_arena_block *head;
	size_t used;  /* bytes handed out since the last reset */
	size_t limit; /* 0: unbounded; otherwise alloc fails past it */
	bool exhausted;
} sunset_arena;

void sunset_arena_init(sunset_arena *a, size_t limit);
/* NULL (and a->exhausted set) when the limit would be passed. */
void *sunset_arena_alloc(sunset_arena *a, size_t n);
char *sunset_arena_strndup(sunset_arena *a, const char *s, size_t n);
char *sunset_arena_strdup(sunset_arena *a, const char *s);
char *sunset_arena_printf(sunset_arena *a, const char *fmt, ...) SUNSET_PRINTF(2, 3);
void sunset_arena_reset(sunset_arena *a);
/* Moves src's blocks into dst (src is left empty); pointers stay valid. */
void sunset_arena_adopt(sunset_arena *dst, sunset_arena *src);
void sunset_arena_release(sunset_arena *a);

/* A growable byte buffer with a hard maximum (curl's dynbuf "toobig"). */
typedef struct sunset_buf {
	char *data;
	size_t len, cap, max;
} sunset_buf;

void sunset_buf_init(sunset_buf *b, size_t max);
/* 0, or -1 when the maximum would be passed (the buffer is unchanged). */
int sunset_buf_append(sunset_buf *b, const void *p, size_t n);
int sunset_buf_puts(sunset_buf *b, const char *s);
int sunset_buf_printf(sunset_buf *b, const char *fmt, ...) SUNSET_PRINTF(2, 3);
void sunset_buf_reset(sunset_buf *b);
void sunset_buf_release(sunset_buf *b);

/*
 * Versions are packed major<<20 | minor<<10 | patch so that comparisons are
 * numeric (1.9 < 1.10).  0 means "not set".  Accepts "1.16", "v1.16",
 * "v1.16.0", "1.16.3"; rejects anything else.
 */
typedef uint32_t sunset_version;
int sunset_version_parse(const char *s, size_t len, sunset_version *out);
/* "v1.16.0" */
void sunset_version_format(sunset_version v, char out[24]);
/* "1.16" (patch shown only when non-zero) */
void sunset_version_format_short(sunset_version v, char out[24]);
#define SUNSET_VERSION(maj, min, pat) \
	((sunset_version)(((uint32_t)(maj) << 20) | ((uint32_t)(min) << 10) | (uint32_t)(pat)))
#define SUNSET_VERSION_MINOR_OF(v) (((v) >> 10) & 0x3ffu)
#define SUNSET_VERSION_MAJOR_OF(v) ((v) >> 20)

uint64_t sunset_hash(const void *p, size_t n, uint64_t seed);

/* xmalloc-style helpers: abort with a message on out-of-memory. */
void *sunset_xmalloc(size_t n);
void *sunset_xcalloc(size_t n, size_t m);
void *sunset_xrealloc(void *p, size_t n);
char *sunset_xstrdup(const char *s);

/* Room for one more element at arr[n] in a malloc'd array of cap elements:
 * doubles cap (starting at `first`) when it is full. */
#define SUNSET_GROW(arr, n, cap, first)                                              \
	do {                                                                         \
		if ((n) == (cap)) {                                                  \
			(cap) = (cap) ? (cap) * 2 : (first);                         \
			(arr) = sunset_xrealloc((arr), (cap) * sizeof(*(arr)));      \
		}                                                                    \
	} while (0)

bool sunset_str_ends_with(const char *s, const char *suffix);
/* Is item one of the entries of a comma-separated list ("k8s,istio")? */
bool sunset_csv_has(const char *csv, const char *item);
/* dir + "/" + name, malloc'd (no doubled slash). */
char *sunset_path_join(const char *dir, const char *name);

/* Length of the valid UTF-8 sequence at s (n bytes available) with its code
 * point in *cp; 0 when the bytes are not UTF-8 (overlong, surrogate, cut). */
size_t sunset_utf8_decode(const char *s, size_t n, uint32_t *cp);

/*
 * Text for people (tables, messages) shows control characters instead of
 * sending them to a terminal: \n \r \t, \xNN for other C0 bytes, DEL and
 * bytes that are not UTF-8, \uNNNN for C1 code points.  Like snprintf:
 * returns the escaped length, writes at most cap bytes (NUL included).
 */
size_t sunset_escape_controls(const char *s, char *out, size_t cap);
void sunset_fputs_escaped(FILE *out, const char *s);
/* "https://user:pw@host" -> "https://user:xxxxx@host" for every URL in s,
 * as kubectl masks it; snprintf-like as above. */
size_t sunset_redact_url_passwords(const char *s, char *out, size_t cap);

#endif
