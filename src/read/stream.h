/*
 * A bounded read window over a file descriptor or a memory block, shared by
 * the YAML and JSON readers.  It never holds a whole file: bytes are read in
 * 1 MiB windows and the last 256 KiB handed out stay behind so that a reader
 * that failed can restart at the next "---" line (libyaml reads at most a
 * few tens of KiB ahead of where it reports an error).
 *
 * While bytes stream past, the window notes the comment lines the parsers
 * drop: "# Source: path" (Helm-rendered output) and "# sunset:ignore".
 */
#ifndef SUNSET_INPUT_STREAM_H
#define SUNSET_INPUT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sunset/doc.h"
#include "sunset/read.h"

enum stream_hint_kind { HINT_SOURCE, HINT_IGNORE };

typedef struct stream_hint {
	uint64_t offset; /* absolute byte offset of the line start */
	uint32_t line;	 /* absolute 1-based line */
	uint8_t kind;
	char *value; /* HINT_SOURCE: the path (malloc'd) */
} stream_hint;

typedef struct stream {
	const sunset_input *in;
	unsigned char *buf;
	bool owned; /* buf is ours (fd input), not the caller's memory */
	size_t cap, pos, len;
	uint64_t base_off; /* absolute offset of buf[0] */
	bool eof;
	int err; /* errno of a failed read, or 0 */
	bool hints_on;
	size_t scanned; /* buf index up to which hints are noted (a line start) */
	uint32_t scanned_line;
	bool scan_mid_line; /* scanned is not at a line start (a giant line) */
	stream_hint *hint;
	size_t nhint, caphint;
	uint64_t total; /* bytes read so far */
} stream;

void stream_open(stream *s, const sunset_input *in, bool hints);
void stream_close(stream *s);
/* Copies up to n bytes out; 0 at end of input (or on error: see s->err). */
size_t stream_read(stream *s, unsigned char *out, size_t n);
/* Makes at least one unread byte available; false at end of input. */
bool stream_fill(stream *s);
/* Absolute offset of the next byte handed out. */
static inline uint64_t stream_tell(const stream *s) { return s->base_off + s->pos; }
/* Moves the read position to an absolute offset still in the window;
 * false when it has already been discarded. */
bool stream_seek(stream *s, uint64_t off);
/* The first "---" line after `line` (absolute), reading on as needed.
 * false at end of input. */
bool stream_next_separator(stream *s, uint32_t line, uint64_t *off, uint32_t *sep_line);
/* Forgets hints on lines before `line`. */
void stream_prune_hints(stream *s, uint32_t line);

#endif
