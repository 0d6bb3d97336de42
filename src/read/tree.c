/* See tree.h. */
#include "tree.h"
#include "sunset/rules.h"

#include <stdlib.h>
#include <sys/types.h>
#include <string.h>

void sunset_limits_default(sunset_limits *l)
{
	l->max_depth = SUNSET_DEFAULT_MAX_DEPTH;
	l->max_document_bytes = SUNSET_DEFAULT_MAX_DOCUMENT_BYTES;
	l->max_documents = SUNSET_DEFAULT_MAX_DOCUMENTS;
	l->max_helm_payload = SUNSET_DEFAULT_MAX_HELM_PAYLOAD;
	l->max_http_body = SUNSET_DEFAULT_MAX_HTTP_BODY;
}

void tree_init(tree *t, const sunset_limits *lim)
{
	memset(t, 0, sizeof(*t));
	t->lim = lim;
	sunset_arena_init(&t->arena, lim->max_document_bytes);
}

void tree_stream_items(tree *t, void (*item)(void *ctx, sunset_node *item), void *ctx)
{
	t->item = item;
	t->item_ctx = ctx;
	sunset_arena_init(&t->item_arena, t->lim->max_document_bytes);
}

void tree_release(tree *t)
{
	sunset_arena_release(&t->arena);
	sunset_arena_release(&t->item_arena);
	free(t->pending);
	free(t->open);
	memset(t, 0, sizeof(*t));
}

void tree_begin(tree *t)
{
	sunset_arena_reset(&t->arena);
	sunset_arena_reset(&t->item_arena);
	t->stream_level = 0;
	t->skip = 0;
	t->skip_value = false;
	t->npending = t->nopen = 0;
	t->anchor = NULL;
	t->nanchor = t->capanchor = 0;
	t->root = NULL;
	t->failure = NULL;
}

static bool too_big(tree *t)
{
	t->failure = "document is larger than the per-document memory limit";
	return false;
}

/* Inside a streamed List item, nodes live in the item's arena. */
static sunset_arena *cur_arena(tree *t)
{
	return t->stream_level && t->nopen >= t->stream_level ? &t->item_arena : &t->arena;
}

static void *alloc(tree *t, size_t n)
{
	void *p = sunset_arena_alloc(cur_arena(t), n);
	if (!p)
		too_big(t);
	return p;
}

static bool remember_anchor(tree *t, const char *name, const sunset_node *n)
{
	if (t->nanchor * 2 >= t->capanchor) {
		size_t cap = t->capanchor ? t->capanchor * 2 : 16;
		tree_anchor *a = alloc(t, cap * sizeof(*a));
		if (!a)
			return false;
		memset(a, 0, cap * sizeof(*a));
		for (size_t i = 0; i < t->capanchor; i++) {
			if (!t->anchor[i].name)
				continue;
			size_t h = sunset_hash(t->anchor[i].name, strlen(t->anchor[i].name), 0) & (cap - 1);
			while (a[h].name)
				h = (h + 1) & (cap - 1);
			a[h] = t->anchor[i];
		}
		t->anchor = a;
		t->capanchor = cap;
	}
	size_t h = sunset_hash(name, strlen(name), 0) & (t->capanchor - 1);
	while (t->anchor[h].name) {
		if (strcmp(t->anchor[h].name, name) == 0) {
			t->anchor[h].node = n; /* a redefined anchor shadows the old one */
			return true;
		}
		h = (h + 1) & (t->capanchor - 1);
	}
	t->anchor[h].name = name;
	t->anchor[h].node = n;
	t->nanchor++;
	return true;
}

static const sunset_node *find_anchor(const tree *t, const char *name)
{
	if (!t->capanchor)
		return NULL;
	size_t h = sunset_hash(name, strlen(name), 0) & (t->capanchor - 1);
	while (t->anchor[h].name) {
		if (strcmp(t->anchor[h].name, name) == 0)
			return t->anchor[h].node;
		h = (h + 1) & (t->capanchor - 1);
	}
	return NULL;
}

enum role { R_KEEP, R_OBJECT, R_METADATA, R_MF_SEQ, R_MF_ENTRY, R_DATA, R_ITEMS, R_CRD_SPEC, R_CRD_VERSIONS, R_CRD_VERSION };
#define R_DROP 0xff

/* Stands in for nodes that were dropped: readers only test for NULL. */
static sunset_node dropped;

static bool key_is(const char *s, size_t len, const char *k)
{
	return len == strlen(k) && memcmp(s, k, len) == 0;
}

/* The value of key `k` in the open object mapping o, if already read. */
static const char *sibling(const tree *t, const tree_open *o, const char *k)
{
	for (size_t i = o->first; i + 1 < t->npending; i += 2) {
		const sunset_node *key = t->pending[i], *v = t->pending[i + 1];
		if (key->type == SUNSET_NODE_SCALAR && key_is(key->str, key->len, k) && v->type == SUNSET_NODE_SCALAR)
			return v->str;
	}
	return NULL;
}

/* What a key of a mapping in role `role` leads to: a role, or R_DROP. */
static uint8_t key_role(const tree *t, const tree_open *o, const char *k, size_t len)
{
	switch (o->role) {
	case R_OBJECT:
		if (key_is(k, len, "apiVersion") || key_is(k, len, "kind") || key_is(k, len, "type"))
			return R_KEEP;
		if (key_is(k, len, "metadata"))
			return R_METADATA;
		if (key_is(k, len, "items"))
			return R_ITEMS;
		if (key_is(k, len, "data"))
			return R_DATA;
		if (t->rules && (key_is(k, len, "spec") || key_is(k, len, "template") || key_is(k, len, "provisioner"))) {
			/* rules read these; the kind usually comes first, and
			 * when it does not, keep them (the checker decides) */
			const char *kind = sibling(t, o, "kind");
			if (!kind || sunset_rules_reads_kind(t->rules, kind))
				return key_is(k, len, "spec") && kind && strcmp(kind, "CustomResourceDefinition") == 0
					       ? R_CRD_SPEC : R_KEEP;
		}
		if (key_is(k, len, "spec")) {
			/* a CRD's spec declares its versions; keep it unless this is
			 * known not to be a CRD yet (apiVersion and kind come first) */
			const char *kind = sibling(t, o, "kind"), *av = sibling(t, o, "apiVersion");
			if (kind)
				return strcmp(kind, "CustomResourceDefinition") == 0 ? R_CRD_SPEC : R_DROP;
			if (av)
				return strncmp(av, "apiextensions.k8s.io/", 21) == 0 ? R_CRD_SPEC : R_DROP;
			return R_CRD_SPEC;
		}
		return R_DROP;
	case R_METADATA:
		if (key_is(k, len, "name") || key_is(k, len, "namespace") || key_is(k, len, "generateName") ||
		    key_is(k, len, "annotations") || key_is(k, len, "labels"))
			return R_KEEP;
		if (key_is(k, len, "managedFields"))
			return R_MF_SEQ;
		return R_DROP;
	case R_MF_ENTRY:
		if (key_is(k, len, "manager") || key_is(k, len, "operation") || key_is(k, len, "apiVersion"))
			return R_KEEP;
		return R_DROP;
	case R_DATA:
		return key_is(k, len, "release") ? R_KEEP : R_DROP;
	case R_CRD_SPEC: /* not the schemas, which are most of a CRD */
		if (key_is(k, len, "group") || key_is(k, len, "names"))
			return R_KEEP;
		return key_is(k, len, "versions") ? R_CRD_VERSIONS : R_DROP;
	case R_CRD_VERSION:
		if (key_is(k, len, "name") || key_is(k, len, "served") || key_is(k, len, "storage") ||
		    key_is(k, len, "deprecated") || key_is(k, len, "deprecationWarning"))
			return R_KEEP;
		return R_DROP;
	default:
		return R_KEEP;
	}
}

/* The role of a collection starting now. */
static uint8_t new_role(const tree *t, sunset_node_type type)
{
	if (!t->prune)
		return R_KEEP;
	if (t->nopen == 0)
		return type == SUNSET_NODE_MAPPING ? R_OBJECT : R_KEEP;
	const tree_open *parent = &t->open[t->nopen - 1];
	if (parent->node->type == SUNSET_NODE_MAPPING)
		return parent->role == R_KEEP ? R_KEEP : t->value_role;
	if (parent->role == R_ITEMS)
		return type == SUNSET_NODE_MAPPING ? R_OBJECT : R_KEEP;
	if (parent->role == R_MF_SEQ)
		return R_MF_ENTRY;
	if (parent->role == R_CRD_VERSIONS)
		return R_CRD_VERSION;
	return R_KEEP;
}

/*
 * Before a scalar or alias is built: true when it must be dropped.  A key
 * of a pruned mapping decides whether its value is kept.
 */
static bool drop_scalar(tree *t, const char *s, size_t len)
{
	if (t->skip)
		return true;
	if (t->skip_value) {
		t->skip_value = false;
		return true;
	}
	if (!t->prune || t->nopen == 0)
		return false;
	const tree_open *o = &t->open[t->nopen - 1];
	if (o->node->type != SUNSET_NODE_MAPPING || o->role == R_KEEP || (t->npending - o->first) % 2 == 1) {
		if (o->node->type == SUNSET_NODE_MAPPING && (t->npending - o->first) % 2 == 1)
			t->value_role = R_KEEP; /* a scalar value: nothing below it */
		return false;
	}
	uint8_t role = key_role(t, o, s, len);
	if (role == R_DROP) {
		t->skip_value = true;
		return true;
	}
	t->value_role = role;
	return false;
}

static bool push_pending(tree *t, sunset_node *n)
{
	if (t->stream_level && t->nopen == t->stream_level) {
		/* a whole item of the streamed List: hand it over, then forget it */
		t->item(t->item_ctx, n);
		sunset_arena_reset(&t->item_arena);
		return true;
	}
	if (t->nopen == 0) {
		if (!t->root)
			t->root = n;
		return true;
	}
	if (t->npending == t->cappending) {
		size_t cap = t->cappending ? t->cappending * 2 : 256;
		/* the pending stack is bounded by the nodes the arena could hold */
		if (cap * sizeof(sunset_node *) > t->lim->max_document_bytes + 4096)
			return too_big(t);
		t->pending = sunset_xrealloc(t->pending, cap * sizeof(*t->pending));
		t->cappending = cap;
	}
	t->pending[t->npending++] = n;
	return true;
}

static sunset_node *new_node(tree *t, sunset_node_type type, const char *anchor, uint32_t line,
			     uint32_t col)
{
	sunset_node *n = alloc(t, sizeof(*n));
	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = line;
	n->column = col;
	if (anchor) {
		n->anchor = sunset_arena_strdup(cur_arena(t), anchor);
		if (!n->anchor || (cur_arena(t) == &t->arena && !remember_anchor(t, n->anchor, n))) {
			too_big(t);
			return NULL;
		}
	}
	return n;
}

sunset_node *tree_scalar(tree *t, const char *s, size_t len, bool quoted, const char *anchor,
			 uint32_t line, uint32_t col)
{
	if (drop_scalar(t, s, len)) {
		if (!anchor || t->skip)
			return &dropped;
		/* an anchored scalar under a dropped key: built, not attached */
		sunset_node *a = new_node(t, SUNSET_NODE_SCALAR, anchor, line, col);
		if (!a)
			return NULL;
		a->quoted = quoted;
		a->str = sunset_arena_strndup(cur_arena(t), s, len);
		a->len = len;
		return a->str ? a : (too_big(t), NULL);
	}
	sunset_node *n = new_node(t, SUNSET_NODE_SCALAR, anchor, line, col);
	if (!n)
		return NULL;
	n->quoted = quoted;
	n->str = sunset_arena_strndup(cur_arena(t), s, len);
	n->len = len;
	if (!n->str) {
		too_big(t);
		return NULL;
	}
	return push_pending(t, n) ? n : NULL;
}

sunset_node *tree_alias(tree *t, const char *name, uint32_t line, uint32_t col)
{
	if (drop_scalar(t, name, 0))
		return &dropped;
	sunset_node *n = new_node(t, SUNSET_NODE_ALIAS, NULL, line, col);
	if (!n)
		return NULL;
	n->str = sunset_arena_strdup(cur_arena(t), name);
	if (!n->str) {
		too_big(t);
		return NULL;
	}
	n->len = strlen(n->str);
	n->target = find_anchor(t, name);
	return push_pending(t, n) ? n : NULL;
}

sunset_node *tree_start(tree *t, sunset_node_type type, const char *anchor, uint32_t line,
			uint32_t col)
{
	if (t->nopen + t->skip >= t->lim->max_depth) {
		t->failure = "nesting is deeper than the limit";
		return NULL;
	}
	if (t->skip || t->skip_value) {
		t->skip_value = false;
		t->skip++;
		return &dropped;
	}
	uint8_t role = new_role(t, type);
	if (t->prune && t->nopen && t->open[t->nopen - 1].node->type == SUNSET_NODE_MAPPING &&
	    t->open[t->nopen - 1].role != R_KEEP && (t->npending - t->open[t->nopen - 1].first) % 2 == 0) {
		/* a collection as a key: nothing the expanders read */
		t->skip_value = true;
		t->skip++;
		return &dropped;
	}
	sunset_node *n = new_node(t, type, anchor, line, col);
	if (!n)
		return NULL;
	SUNSET_GROW(t->open, t->nopen, t->capopen, 32);
	t->open[t->nopen].node = n;
	t->open[t->nopen].first = t->npending;
	t->open[t->nopen].role = role;
	t->nopen++;
	/* the value of "items" in a top-level mapping: stream its elements */
	if (t->item && type == SUNSET_NODE_SEQUENCE && t->nopen == 2 && !t->stream_level &&
	    t->open[0].node->type == SUNSET_NODE_MAPPING && t->npending > t->open[0].first &&
	    (t->npending - t->open[0].first) % 2 == 1) {
		const sunset_node *key = t->pending[t->npending - 1];
		if (key->type == SUNSET_NODE_SCALAR && key->len == 5 && memcmp(key->str, "items", 5) == 0)
			t->stream_level = t->nopen;
	}
	return n;
}

int tree_end(tree *t)
{
	if (t->skip) {
		t->skip--;
		return 0;
	}
	if (t->nopen == 0)
		return 0;
	if (t->stream_level && t->nopen == t->stream_level)
		t->stream_level = 0; /* the streamed sequence closes empty */
	tree_open *o = &t->open[--t->nopen];
	size_t n = t->npending - o->first;
	if (n) {
		o->node->child = alloc(t, n * sizeof(sunset_node *));
		if (!o->node->child)
			return -1;
		memcpy(o->node->child, t->pending + o->first, n * sizeof(sunset_node *));
	}
	o->node->nchild = n;
	t->npending = o->first;
	return push_pending(t, o->node) ? 0 : -1;
}

/* ---- lookups ---- */

const sunset_node *sunset_node_resolve(const sunset_node *n)
{
	/* an alias's target was complete before the alias, so no cycles */
	if (n && n->type == SUNSET_NODE_ALIAS)
		return n->target;
	return n;
}

bool sunset_node_is_scalar(const sunset_node *n)
{
	n = sunset_node_resolve(n);
	return n && n->type == SUNSET_NODE_SCALAR;
}

bool sunset_scalar_is_null(const sunset_node *n)
{
	n = sunset_node_resolve(n);
	if (!n)
		return true;
	if (n->type != SUNSET_NODE_SCALAR || n->quoted)
		return false;
	return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
	       strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

static ssize_t map_index(const sunset_node *map, const char *key)
{
	map = sunset_node_resolve(map);
	if (!map || map->type != SUNSET_NODE_MAPPING)
		return -1;
	size_t klen = strlen(key);
	/* the last occurrence wins, as in Go's decoders */
	for (size_t i = map->nchild; i >= 2; i -= 2) {
		const sunset_node *k = sunset_node_resolve(map->child[i - 2]);
		if (k && k->type == SUNSET_NODE_SCALAR && k->len == klen && memcmp(k->str, key, klen) == 0)
			return (ssize_t)(i - 2);
	}
	return -1;
}

const sunset_node *sunset_map_get(const sunset_node *map, const char *key)
{
	ssize_t i = map_index(map, key);
	if (i < 0)
		return NULL;
	return sunset_node_resolve(map)->child[i + 1];
}

const sunset_node *sunset_map_get_key(const sunset_node *map, const char *key)
{
	ssize_t i = map_index(map, key);
	if (i < 0)
		return NULL;
	return sunset_node_resolve(map)->child[i];
}

const char *sunset_node_str(const sunset_node *n)
{
	n = sunset_node_resolve(n);
	if (!n || n->type != SUNSET_NODE_SCALAR || sunset_scalar_is_null(n))
		return NULL;
	return n->str;
}

const char *sunset_map_get_str(const sunset_node *map, const char *key)
{
	return sunset_node_str(sunset_map_get(map, key));
}

const sunset_node *sunset_map_get_path(const sunset_node *map, const char *const *keys, size_t n)
{
	const sunset_node *cur = map;
	for (size_t i = 0; i < n && cur; i++)
		cur = sunset_node_resolve(sunset_map_get(cur, keys[i]));
	return cur;
}
