/*
 * sunset's own data files (the API tables and the rules, compiled in or
 * given with --table): YAML read with positions, and the few checks every
 * row needs, so that each loader says only what its rows mean.
 *
 * Contract: the first problem stops the load and is written to err as
 * "path:line:col: message"; every later call is a no-op that returns
 * failure, so a loader may check once at the end of a row.  Strings are
 * copied into the caller's arena, which outlives the load.
 */
#ifndef SUNSET_DATAFILE_H
#define SUNSET_DATAFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "sunset/doc.h"
#include "sunset/util.h"

typedef struct sunset_datafile sunset_datafile;
struct sunset_datafile {
	sunset_arena *arena;
	const char *path;
	char *err;
	size_t errlen;
	bool failed;
	unsigned ndocs;
	/* called for each document that holds something */
	void (*doc)(sunset_datafile *f, const sunset_node *root);
	void *ctx; /* the loader's own state */
};

/* Reads text as YAML, calling f->doc per document; "what" names the file
 * kind for an empty one ("the table").  0, or -1 with f->err set. */
int sunset_datafile_read(sunset_datafile *f, const char *text, size_t len, const char *what);

/* Fails the load at n (NULL: 1:1); fmt has one %s for arg.  Returns false. */
bool sunset_datafile_fail(sunset_datafile *f, const sunset_node *n, const char *fmt, const char *arg);
/* A string field copied to the arena; NULL when absent, null or "" (a
 * required one absent or null fails with "missing"). */
const char *sunset_datafile_str(sunset_datafile *f, const sunset_node *map, const char *key, bool required);
/* A field the row cannot be indexed without: present and not "", or the
 * load fails at the value with hint (one %s: the key). */
const char *sunset_datafile_key(sunset_datafile *f, const sunset_node *map, const char *key, const char *hint);
/* An optional version ("1.16", "v1.16.0"); 0 when absent. */
bool sunset_datafile_version(sunset_datafile *f, const sunset_node *map, const char *key, sunset_version *out);
/* Every key of map is one of known (NULL-terminated). */
bool sunset_datafile_known_keys(sunset_datafile *f, const sunset_node *map, const char *const *known);

#endif
