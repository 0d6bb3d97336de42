/*
 * The layers of a Helm release payload, each bounded and each reporting
 * where it went wrong without quoting the payload: base64 (the Secret's own
 * encoding and Helm's), gzip, and Tiller's protobuf (Helm 2).  Internal to
 * src/expand/helm.c; declared here so that the unit tests reach them.
 */
#ifndef SUNSET_INPUT_HELM_PAYLOAD_H
#define SUNSET_INPUT_HELM_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "sunset/util.h"

#define HELM_TOO_LARGE (-2)

/*
 * Standard base64 (RFC 4648 section 4) appended to out.  ASCII whitespace is
 * skipped (folded YAML scalars); the final "=" padding may be left out, but
 * "=" anywhere else, or anything after the padding, is an error.
 * Returns 0; -1 with *bad set to the 0-based offset of the offending
 * character (len when the input stops inside a group); HELM_TOO_LARGE when
 * out's maximum would be passed.
 */
int helm_base64_decode(const char *in, size_t len, sunset_buf *out, size_t *bad);

/*
 * gzip (one or more members) or zlib data inflated into out, which never
 * grows past its maximum: a bomb costs at most out->max bytes.  Returns 0;
 * -1 with a reason in err; HELM_TOO_LARGE when the output passes the maximum.
 */
int helm_gunzip(const void *in, size_t len, sunset_buf *out, char *err, size_t errlen);

/* What sunset needs of a release, whichever Helm wrote it.  Strings point
 * into the payload or an arena; lengths are given because manifests are
 * not NUL-terminated in a protobuf. */
typedef struct helm_hook {
	const char *path; /* NUL-terminated, or NULL */
	const char *manifest;
	size_t manifest_len;
} helm_hook;

typedef struct helm_release {
	const char *name, *namespace, *status; /* NUL-terminated, or NULL */
	int revision;			       /* 0 when absent */
	const char *manifest;		       /* NULL when absent */
	size_t manifest_len;
	helm_hook *hook;
	size_t nhook;
} helm_release;

/*
 * Decodes Helm 2's hapi.release.Release protobuf (release.proto: name=1,
 * info=2 {status=1 {code=1}}, manifest=5, hooks=6 {path=3, manifest=4},
 * version=7, namespace=8), skipping every other field.  Names and the
 * status are copied into a; manifests point into p.  Returns 0, or -1 with
 * a reason in err.
 */
int helm_hapi_decode(const unsigned char *p, size_t len, sunset_arena *a, helm_release *out,
		     char *err, size_t errlen);

/* Helm 2's status codes by the names Helm 3 uses ("deployed", ...). */
const char *helm_hapi_status_name(unsigned long long code);

#endif
