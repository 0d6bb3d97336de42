/*
 * Audit events: kube-apiserver audit logs in, one sunset_audit_event per
 * request out (src/read/audit.c), aggregated by API, resource, verb, user
 * and user agent into findings (src/report/audit.c).
 *
 * Contract: a log is read as a stream of records, each at most
 * max_record bytes (one JSON line, or a multi-line EventList); nothing else
 * is held.  Shapes: audit.k8s.io/v1 and v1beta1 Event (JSON lines, as the
 * log backend writes them), EventList, a Cloud Logging entry whose
 * protoPayload is the event (GKE), a CloudWatch export whose "@message" is
 * the event (EKS), an Azure diagnostic record whose properties.log is the
 * event (AKS), and {"records":[...]} around the latter; gzip-compressed
 * files are inflated on the fly.  Request and response bodies
 * (requestObject, responseObject) are skipped, never decoded.  Every
 * problem is reported with line:column and reading goes on with the next
 * record; a gzip stream inflating past max_ratio stops the file.
 */
#ifndef SUNSET_AUDIT_H
#define SUNSET_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sunset/report.h"

typedef struct sunset_audit_event {
	/* strings are borrowed for the callback; "" when absent */
	const char *api_group, *api_version, *resource, *subresource, *namespace;
	const char *verb, *user, *user_agent, *request_uri, *stage;
	const char *removed_release; /* k8s.io/removed-release annotation */
	bool deprecated;	     /* k8s.io/deprecated: "true" */
	int64_t time_ms;	     /* requestReceivedTimestamp (else stageTimestamp), ms since epoch; 0 unknown */
	uint32_t line, column;	     /* of the record (the event inside a list) */
} sunset_audit_event;

typedef struct sunset_audit_sink {
	void (*event)(void *ctx, const sunset_audit_event *ev);
	void (*error)(void *ctx, uint32_t line, uint32_t column, const char *message);
	void *ctx;
} sunset_audit_sink;

typedef struct sunset_audit_limits {
	size_t max_record;   /* bytes per record (default 16 MiB) */
	uint32_t max_depth;  /* JSON nesting (default 256) */
	uint64_t max_ratio;  /* gzip: inflated bytes per compressed byte (default 256; logs compress about 10-30:1) */
} sunset_audit_limits;

#define SUNSET_AUDIT_MAX_RECORD ((size_t)16 << 20)

/* Reads fd (plain or gzip, sniffed) to its end and closes it; 0 when read whole,
 * -1 when stopped early (I/O error, gzip ratio). */
int sunset_audit_read_fd(int fd, const sunset_audit_limits *lim, sunset_audit_sink *sink);
/* The same over memory (plain JSON only; for tests and the fuzzer). */
int sunset_audit_read_mem(const char *data, size_t len, const sunset_audit_limits *lim,
			  sunset_audit_sink *sink);
/* "2026-11-30T10:00:00.123456Z" (RFC 3339, any offset) -> ms; -1 when malformed. */
int64_t sunset_audit_parse_time(const char *s);

/* Aggregation (src/report/audit.c). */
typedef struct sunset_audit_use {
	const char *verb, *user, *user_agent, *resource, *request_uri;
	uint64_t count;
	int64_t first_ms, last_ms;
	const char *first, *last; /* RFC 3339 in UTC, "" when unknown */
} sunset_audit_use;

typedef struct sunset_audit_agg sunset_audit_agg;

typedef struct sunset_audit_options {
	const struct sunset_scan_options *scan; /* table, targets, only_removed, components */
	bool by_namespace;
	int64_t since_ms, until_ms; /* 0: open */
	const char *const *exclude_user; /* glob patterns ('*', '?') */
	size_t nexclude_user;
	const char *const *exclude_agent;
	size_t nexclude_agent;
	size_t max_keys; /* distinct aggregation keys (default 100000) */
} sunset_audit_options;

sunset_audit_agg *sunset_audit_agg_new(const sunset_audit_options *opt);
void sunset_audit_agg_free(sunset_audit_agg *a);
/* Counts ev when its API is deprecated or removed at the target, or the
 * server annotated it so; path names the log for the key's example. */
void sunset_audit_agg_add(sunset_audit_agg *a, const char *path, const sunset_audit_event *ev);
/* Moves src's keys into dst (src left empty). */
void sunset_audit_agg_merge(sunset_audit_agg *dst, sunset_audit_agg *src);
/* One finding per key into r (with its sunset_audit_use); an error when
 * the key cap was hit. */
void sunset_audit_agg_report(sunset_audit_agg *a, sunset_report *r);

#endif
