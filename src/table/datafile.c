/*
 * The loading that the API tables (table.c) and the rules (check/rules.c)
 * share: their files are ours, so a problem is an error that stops the load
 * at the first path:line:col, never a guess.  See datafile.h.
 */
#include <stdio.h>
#include <string.h>

#include "sunset/datafile.h"
#include "sunset/read.h"

bool sunset_datafile_fail(sunset_datafile *f, const sunset_node *n, const char *fmt, const char *arg)
{
	if (f->failed)
		return false;
	f->failed = true;
	char msg[256];
	snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
	snprintf(f->err, f->errlen, "%s:%u:%u: %s", f->path, n ? n->line : 1, n ? n->column : 1, msg);
	return false;
}

const char *sunset_datafile_str(sunset_datafile *f, const sunset_node *map, const char *key, bool required)
{
	const sunset_node *v = sunset_node_resolve(sunset_map_get(map, key));
	if (!v || sunset_scalar_is_null(v)) {
		if (required)
			sunset_datafile_fail(f, map, "missing \"%s\"", key);
		return NULL;
	}
	if (v->type != SUNSET_NODE_SCALAR) {
		sunset_datafile_fail(f, v, "\"%s\" must be a string", key);
		return NULL;
	}
	return v->len ? sunset_arena_strdup(f->arena, v->str) : NULL;
}

const char *sunset_datafile_key(sunset_datafile *f, const sunset_node *map, const char *key, const char *hint)
{
	const char *s = sunset_datafile_str(f, map, key, true);
	if (!s && !f->failed)
		sunset_datafile_fail(f, sunset_map_get(map, key), hint, key);
	return s;
}

bool sunset_datafile_version(sunset_datafile *f, const sunset_node *map, const char *key, sunset_version *out)
{
	*out = 0;
	const sunset_node *v = sunset_node_resolve(sunset_map_get(map, key));
	if (!v || sunset_scalar_is_null(v) || (v->type == SUNSET_NODE_SCALAR && v->len == 0))
		return true;
	if (v->type != SUNSET_NODE_SCALAR || sunset_version_parse(v->str, v->len, out) < 0)
		return sunset_datafile_fail(f, v, "\"%s\" is not a version like \"1.16\" or \"v1.16.0\"", key);
	return true;
}

bool sunset_datafile_known_keys(sunset_datafile *f, const sunset_node *map, const char *const *known)
{
	for (size_t i = 0; i + 1 < map->nchild; i += 2) {
		const sunset_node *k = sunset_node_resolve(map->child[i]);
		if (!k || k->type != SUNSET_NODE_SCALAR)
			return sunset_datafile_fail(f, map->child[i], "keys must be strings%s", NULL);
		bool ok = false;
		for (size_t j = 0; known[j] && !ok; j++)
			ok = strcmp(k->str, known[j]) == 0;
		if (!ok)
			return sunset_datafile_fail(f, k, "unknown field \"%s\"", k->str);
	}
	return true;
}

static int on_doc(void *ctx, const sunset_doc *doc)
{
	sunset_datafile *f = ctx;
	const sunset_node *root = sunset_node_resolve(doc->root);
	if (!root || f->failed)
		return 0;
	f->ndocs++;
	f->doc(f, root);
	return 0;
}

static void on_error(void *ctx, uint32_t line, uint32_t column, const char *message)
{
	sunset_datafile *f = ctx;
	if (f->failed)
		return;
	f->failed = true;
	snprintf(f->err, f->errlen, "%s:%u:%u: %s", f->path, line, column, message);
}

int sunset_datafile_read(sunset_datafile *f, const char *text, size_t len, const char *what)
{
	sunset_limits lim;
	sunset_limits_default(&lim);
	sunset_input in = {.fd = -1, .mem = text, .mem_len = len};
	sunset_doc_sink sink = {.doc = on_doc, .error = on_error, .ctx = f};
	sunset_read_yaml(&in, &lim, &sink);
	if (!f->failed && f->ndocs == 0) {
		f->failed = true;
		snprintf(f->err, f->errlen, "%s:1:1: %s is empty", f->path, what);
	}
	return f->failed ? -1 : 0;
}
