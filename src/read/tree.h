/*
 * Builds sunset_node trees from a stream of events (libyaml's, or the JSON
 * reader's) into the document arena: children gather on one shared pending
 * stack and are copied into the arena when their collection closes, so
 * there is no malloc per node and no realloc of child arrays.
 */
#ifndef SUNSET_INPUT_TREE_H
#define SUNSET_INPUT_TREE_H

#include "sunset/doc.h"

typedef struct tree_open {
	sunset_node *node;
	size_t first; /* index of its first child on the pending stack */
	uint8_t role; /* what the pruning rules take it for (tree.c) */
} tree_open;

typedef struct tree_anchor {
	const char *name;
	const sunset_node *node;
} tree_anchor;

typedef struct tree {
	sunset_arena arena;
	const sunset_limits *lim;
	sunset_node **pending;
	size_t npending, cappending;
	tree_open *open;
	size_t nopen, capopen;
	tree_anchor *anchor; /* open-addressed, in the arena */
	size_t nanchor, capanchor;
	sunset_node *root;
	/* why the document could not be built, or NULL */
	const char *failure;
	/*
	 * Streaming a List: the items of a top-level "items:" sequence are
	 * handed to item() one at a time, built in their own arena that is
	 * reset after each, so that a `kubectl get -A -o yaml` dump of any size
	 * costs one item of memory.  Anchors inside an item are not remembered
	 * (they would outlive the item's arena).
	 */
	void (*item)(void *ctx, sunset_node *item);
	void *item_ctx;
	sunset_arena item_arena;
	size_t stream_level; /* open depth of the streamed sequence, or 0 */
	/*
	 * Pruning: with `prune` set, only what the expanders read is built
	 * (apiVersion, kind, type, metadata's names, annotations, labels and
	 * managedFields' manager/operation/apiVersion, List items, data.release,
	 * a CRD's group, names and versions without schemas); everything else
	 * is parsed and dropped.  Anchored
	 * scalars are kept wherever they are, for the aliases that name them.
	 */
	bool prune;
	/* and, with rules, an object's spec (and a StorageClass's provisioner,
	 * a PodTemplate's template) when a rule reads its kind */
	const struct sunset_rules *rules;
	uint32_t skip;	  /* depth inside a dropped collection */
	bool skip_value;  /* the next node is the value of a dropped key */
	uint8_t value_role; /* role of the next value's collection */
} tree;

void tree_init(tree *t, const sunset_limits *lim);
void tree_release(tree *t);
void tree_begin(tree *t);
/* Turns on List item streaming (see the struct). */
void tree_stream_items(tree *t, void (*item)(void *ctx, sunset_node *item), void *ctx);
/* Each returns the new node, or NULL when a limit stopped the document
 * (t->failure says which). */
sunset_node *tree_scalar(tree *t, const char *s, size_t len, bool quoted, const char *anchor,
			 uint32_t line, uint32_t col);
sunset_node *tree_alias(tree *t, const char *name, uint32_t line, uint32_t col);
sunset_node *tree_start(tree *t, sunset_node_type type, const char *anchor, uint32_t line,
			uint32_t col);
int tree_end(tree *t);
static inline size_t tree_depth(const tree *t) { return t->nopen; }

#endif
