/*
 * Rules: breaking changes inside served objects (volume plugins,
 * annotations, node labels, field values), from data/<component>-rules.yaml
 * and --rules-file style extra files.  A rule names the kinds it applies to
 * ("Pod" stands for every pod template: Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, ReplicationController, Job, CronJob, PodTemplate), a path
 * written for the kind itself (for Pod: spec.volumes[*].glusterfs), a
 * match, the release that deprecates it and the one that breaks it, the
 * effect, the advice and the source.
 *
 * Contract:
 * - A rule set owns its strings; it is read-only once loaded, so workers
 *   share it without locks.
 * - sunset_rules_check() walks one object mapping and adds a finding per
 *   matching field to the report; the finding's line/column are those of
 *   the field itself (the key for exists/key matches, the value for value
 *   matches), and it carries the rule and the concrete path.
 * - A rule whose effect is not "warning" breaks at breaks-in: it ranks with
 *   removed APIs (status.removed); before that, or for warning-only rules,
 *   it ranks with deprecations.
 */
#ifndef SUNSET_RULES_H
#define SUNSET_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "sunset/doc.h"
#include "sunset/table.h"
#include "sunset/util.h"

typedef enum sunset_rule_match {
	SUNSET_MATCH_EXISTS,	 /* the path is present (not null) */
	SUNSET_MATCH_EQUALS,	 /* scalar value equals */
	SUNSET_MATCH_PREFIX,	 /* scalar value starts with */
	SUNSET_MATCH_CONTAINS,	 /* scalar value contains */
	SUNSET_MATCH_KEY,	 /* the mapping at path has this key */
	SUNSET_MATCH_KEY_PREFIX, /* the mapping at path has a key starting with this */
} sunset_rule_match;

typedef enum sunset_rule_effect {
	SUNSET_EFFECT_REJECTED,	     /* rejected on create */
	SUNSET_EFFECT_DROPPED,	     /* unknown field, dropped */
	SUNSET_EFFECT_IGNORED,	     /* accepted, silently ignored */
	SUNSET_EFFECT_CANNOT_START,  /* the pod cannot start */
	SUNSET_EFFECT_CANNOT_MOUNT,  /* the volume cannot mount */
	SUNSET_EFFECT_PENDING,	     /* PVCs stay Pending */
	SUNSET_EFFECT_UNSCHEDULABLE, /* the pod cannot be scheduled */
	SUNSET_EFFECT_WARNING,	     /* still works; the API server warns */
	SUNSET_EFFECT_COUNT
} sunset_rule_effect;

#define SUNSET_RULE_MAX_SEGMENTS 16
#define SUNSET_RULE_MAX_PATHS 4

typedef struct sunset_rule_segment {
	const char *key;
	bool each; /* key[*]: every element of the sequence */
} sunset_rule_segment;

typedef struct sunset_rule_path {
	const char *text;
	sunset_rule_segment seg[SUNSET_RULE_MAX_SEGMENTS];
	size_t nseg;
} sunset_rule_path;

typedef struct sunset_rule {
	const char *id;
	const char *component;
	const char **kinds;
	size_t nkinds;
	bool pod; /* kinds include "Pod": every pod template too */
	sunset_rule_path path[SUNSET_RULE_MAX_PATHS];
	size_t npath;
	sunset_rule_match match;
	const char *value; /* for every match but exists */
	bool reads_metadata_only; /* every path is under metadata */
	sunset_version deprecated, breaks_in;
	sunset_rule_effect effect;
	const char *advice;
	const char *source;
	const char *origin; /* "data/k8s-rules.yaml" or the file named */
	/* what findings point at as their row: api_version is the rule id,
	 * deprecated/removed are the rule's releases */
	sunset_api_row row;
} sunset_rule;

typedef struct sunset_rules sunset_rules;

sunset_rules *sunset_rules_new(void);
void sunset_rules_free(sunset_rules *rs);
/* Loads one rules file.  On failure returns -1 with "path:line:column:
 * reason" in err. */
int sunset_rules_load(sunset_rules *rs, const char *path, const char *text, size_t len, char *err,
		      size_t errlen);
/* The rules files compiled in from data/ (names ending in -rules.yaml). */
int sunset_rules_load_builtin(sunset_rules *rs, char *err, size_t errlen);
/* Is this built-in data file a rules file (not a table)? */
bool sunset_rules_is_rules_file(const char *name);

size_t sunset_rules_list(const sunset_rules *rs, const sunset_rule *const **out);
/* Does any rule read objects of this kind (pod template kinds count for
 * Pod rules)?  The tree pruning keeps specs only for these. */
bool sunset_rules_reads_kind(const sunset_rules *rs, const char *kind);

const char *sunset_rule_effect_name(sunset_rule_effect e);
const char *sunset_rule_effect_text(sunset_rule_effect e);

struct sunset_scan_options;
struct sunset_report;
struct sunset_object;
/* Checks one object mapping (o describes it) against every rule. */
void sunset_rules_check(const struct sunset_scan_options *opt, struct sunset_report *r,
			const struct sunset_object *o, const sunset_doc *doc, const sunset_node *obj,
			uint32_t line_shift);

#endif
