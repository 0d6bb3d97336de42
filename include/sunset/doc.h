/*
 * The one document model: every reader (YAML, JSON, a Helm release manifest,
 * an API list page) produces trees of sunset_node with 1-based source
 * positions, allocated in one arena per document.
 *
 * Aliases are kept as alias nodes and never expanded; a scalar alias can be
 * resolved to its anchor's value with sunset_node_resolve() at no cost.
 */
#ifndef SUNSET_DOC_H
#define SUNSET_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sunset/util.h"

typedef enum sunset_node_type {
	SUNSET_NODE_SCALAR,
	SUNSET_NODE_MAPPING,
	SUNSET_NODE_SEQUENCE,
	SUNSET_NODE_ALIAS,
} sunset_node_type;

typedef struct sunset_node sunset_node;
struct sunset_node {
	sunset_node_type type;
	bool quoted;	      /* scalar written in quotes (so "null" is a string) */
	uint32_t line, column; /* 1-based, of the node's first character */
	const char *anchor;   /* anchor defined here, or NULL */
	const char *str;      /* scalar value or alias target name (NUL-terminated) */
	size_t len;
	/* mappings: 2*n children, key then value; sequences: n children */
	sunset_node **child;
	size_t nchild;
	const sunset_node *target; /* alias: the anchored node, if seen before */
};

/* Limits that keep hostile input cheap.  Zero fields take the defaults. */
typedef struct sunset_limits {
	uint32_t max_depth;	  /* nesting levels per document */
	size_t max_document_bytes; /* arena bytes per document */
	uint64_t max_documents;	  /* documents per input */
	size_t max_helm_payload;  /* decompressed Helm release bytes */
	size_t max_http_body;	  /* one API response */
} sunset_limits;

#define SUNSET_DEFAULT_MAX_DEPTH 256u
#define SUNSET_DEFAULT_MAX_DOCUMENT_BYTES ((size_t)32 << 20)
#define SUNSET_DEFAULT_MAX_DOCUMENTS ((uint64_t)10000000)
#define SUNSET_DEFAULT_MAX_HELM_PAYLOAD ((size_t)16 << 20)
#define SUNSET_DEFAULT_MAX_HTTP_BODY ((size_t)64 << 20)

void sunset_limits_default(sunset_limits *l);

typedef struct sunset_doc {
	sunset_node *root;	/* NULL for an empty document */
	uint32_t index;		/* 0-based position in the stream */
	uint32_t start_line, end_line;
	const char *template_path; /* from a "# Source: x" comment before it */
	uint32_t template_line;	   /* the line of that comment */
	/* lines carrying "# sunset:ignore" inside this document, ascending */
	const uint32_t *ignore_lines;
	size_t nignore;
} sunset_doc;

/* Tree helpers.  Lookups see through scalar aliases; NULL when absent. */
const sunset_node *sunset_node_resolve(const sunset_node *n);
const sunset_node *sunset_map_get(const sunset_node *map, const char *key);
/* The key node of a mapping entry (for positions). */
const sunset_node *sunset_map_get_key(const sunset_node *map, const char *key);
const char *sunset_map_get_str(const sunset_node *map, const char *key);
/* A scalar's text (through an alias); NULL for null, absent or a collection. */
const char *sunset_node_str(const sunset_node *n);
const sunset_node *sunset_map_get_path(const sunset_node *map, const char *const *keys, size_t n);
bool sunset_node_is_scalar(const sunset_node *n);
bool sunset_scalar_is_null(const sunset_node *n);

#endif
