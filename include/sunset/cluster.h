/*
 * Cluster access: kubeconfig read the way kubectl reads it, credentials
 * (tokens, token files, basic, client certificates, exec plugins, the
 * in-cluster service account), an HTTP client over curl multi, discovery,
 * paged metadata-only lists of the kinds the table names, Helm release
 * objects and the apiserver's apiserver_requested_deprecated_apis metric.
 *
 * Everything a cluster source finds ends as sunset_objects checked into a
 * sunset_report like any file; findings name "cluster://CONTEXT/..." paths
 * (docs/cluster.md).  No function here writes to stdout or stderr, and no
 * message handed out ever holds a token, a password, a key or a payload.
 */
#ifndef SUNSET_CLUSTER_H
#define SUNSET_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sunset/doc.h"
#include "sunset/report.h"
#include "sunset/scan.h"
#include "sunset/util.h"

/* ---- kubeconfig (src/cluster/kubeconfig.c) ---- */

typedef struct sunset_kube_exec {
	const char *api_version; /* client.authentication.k8s.io/v1 or v1beta1 */
	const char *command;	 /* made absolute when it holds a '/' */
	const char **args;
	size_t nargs;
	const char **env; /* "NAME=value" */
	size_t nenv;
	const char *interactive_mode; /* Never | IfAvailable | Always, or NULL */
	const char *install_hint;
	bool provide_cluster_info;
} sunset_kube_exec;

typedef struct sunset_kube_cluster {
	const char *name, *server;
	const char *ca_file;	       /* absolute, or NULL */
	const char *ca_data;	       /* decoded PEM, or NULL */
	size_t ca_len;
	bool insecure;		       /* insecure-skip-tls-verify */
	bool disable_compression;
	const char *tls_server_name, *proxy_url;
	const char *origin; /* the file that defined it */
} sunset_kube_cluster;

typedef struct sunset_kube_user {
	const char *name;
	const char *token, *token_file;
	const char *username, *password;
	const char *cert_file, *key_file; /* absolute, or NULL */
	const char *cert_data, *key_data; /* decoded PEM, or NULL */
	size_t cert_len, key_len;
	const char *impersonate;	  /* "as" */
	const char **impersonate_groups;  /* "as-groups" */
	size_t nimpersonate_groups;
	const sunset_kube_exec *exec;
	bool auth_provider; /* the removed auth-provider mechanism: unsupported */
	const char *origin;
} sunset_kube_user;

typedef struct sunset_kube_context {
	const char *name, *cluster, *user, *namespace;
	const char *origin;
} sunset_kube_context;

/*
 * A kubeconfig merged from one or more files.  The config's arena owns every
 * string and array it hands out; sunset_kubeconfig_release() frees them all.
 */
typedef struct sunset_kubeconfig {
	sunset_arena arena;
	const char *current_context;
	sunset_kube_cluster *cluster;
	size_t ncluster, capcluster;
	sunset_kube_user *user;
	size_t nuser, capuser;
	sunset_kube_context *context;
	size_t ncontext, capcontext;
	char files[512]; /* the files read, ':'-separated, for messages */
} sunset_kubeconfig;

void sunset_kubeconfig_init(sunset_kubeconfig *kc);
void sunset_kubeconfig_release(sunset_kubeconfig *kc);

/*
 * Reads one file and merges it into kc with KUBECONFIG's rules: a cluster,
 * user or context whose name is already present keeps its first definition,
 * current-context comes from the first file that sets it, and relative
 * paths (certificate-authority, client-certificate, client-key, tokenFile,
 * an exec command holding '/') are resolved against the file's directory.
 * Returns 0, 1 when the file does not exist and missing_ok is set, or -1
 * with "path:line:column: reason" in err.
 */
int sunset_kubeconfig_merge_file(sunset_kubeconfig *kc, const char *path, bool missing_ok,
				 char *err, size_t errlen);

/*
 * What kubectl loads: explicit (which must exist), else each file of
 * $KUBECONFIG (':'-separated; missing files are skipped), else
 * ~/.kube/config.  Returns 0, 1 when there is no kubeconfig at all (the
 * caller may try the in-cluster service account), or -1 with err.
 */
int sunset_kubeconfig_load(sunset_kubeconfig *kc, const char *explicit_path, char *err,
			   size_t errlen);

const sunset_kube_context *sunset_kubeconfig_context(const sunset_kubeconfig *kc, const char *name);
const sunset_kube_cluster *sunset_kubeconfig_cluster(const sunset_kubeconfig *kc, const char *name);
const sunset_kube_user *sunset_kubeconfig_user(const sunset_kubeconfig *kc, const char *name);

/* Strict base64 (padding optional, whitespace skipped) into a; -1 when malformed. */
int sunset_base64_decode(sunset_arena *a, const char *in, size_t len, char **out, size_t *outlen);

/* ---- the apiserver's deprecated-API metric (src/cluster/metrics.c) ---- */

typedef struct sunset_deprecated_request {
	const char *group, *version, *resource, *subresource, *removed_release;
	uint32_t line; /* in the /metrics text */
} sunset_deprecated_request;

/*
 * Finds the apiserver_requested_deprecated_apis samples with a non-zero value
 * in Prometheus text.  Strings are allocated in a.  A malformed sample of
 * that metric is passed to error (1-based line and column) and skipped; other
 * metrics are not parsed at all.  Returns the number of samples in *out.
 */
size_t sunset_metrics_deprecated(const char *text, size_t len, sunset_arena *a,
				 sunset_deprecated_request **out,
				 void (*error)(void *ctx, uint32_t line, uint32_t column, const char *msg),
				 void *ctx);

/* ---- the client (src/cluster/client.c and friends) ---- */

enum {
	SUNSET_CLUSTER_SRC_LAST_APPLIED = 1u << 0,
	SUNSET_CLUSTER_SRC_MANAGED_FIELDS = 1u << 1,
	SUNSET_CLUSTER_SRC_HELM_RELEASE = 1u << 2,
	SUNSET_CLUSTER_SRC_METRICS = 1u << 3,
	SUNSET_CLUSTER_SRC_ALL = 15u
};

/* "last-applied,managed-fields,helm-release,apiserver-metrics" -> mask; -1 with err. */
int sunset_cluster_parse_sources(const char *spec, unsigned *mask, char *err, size_t errlen);

typedef struct sunset_cluster_progress {
	unsigned lists_done, lists_total;
	uint64_t objects;
	uint64_t requests;
} sunset_cluster_progress;

typedef struct sunset_cluster_options {
	const char *kubeconfig; /* --kubeconfig, or NULL */
	const char *context;	/* --context, or NULL for current-context */
	const char *namespace;	/* -n: only this namespace (cluster-scoped kinds skipped) */
	unsigned sources;	/* SUNSET_CLUSTER_SRC_* */
	double request_timeout; /* seconds per request; 0: 30 */
	double run_timeout;	/* --timeout: seconds for the whole run; 0: none */
	unsigned chunk_size;	/* items per list page; 0: 500 */
	unsigned max_in_flight; /* concurrent requests; 0: 8 */
	sunset_limits limits;	/* max_http_body bounds every response */
	/* called on the caller's thread after each page; may be NULL */
	void (*progress)(void *ctx, const sunset_cluster_progress *p);
	void *progress_ctx;
} sunset_cluster_options;

typedef struct sunset_cluster_stats {
	uint64_t requests;   /* HTTP requests sent, retries included */
	uint64_t retries;
	uint64_t body_bytes; /* response bodies after decompression */
	uint64_t wire_bytes; /* as received (headers and compressed bodies) */
	uint64_t objects;    /* list items seen */
	unsigned lists;	     /* resources listed */
} sunset_cluster_stats;

typedef struct sunset_cluster sunset_cluster;

/*
 * Reads the kubeconfig (or the in-cluster service account), sets up the
 * credentials and asks the server for /version and discovery.  Any failure
 * here is fatal: NULL with a message in err.  The cluster owns everything
 * it hands out until sunset_cluster_close().
 */
sunset_cluster *sunset_cluster_open(const sunset_cluster_options *opt, char *err, size_t errlen);

/* The server's version (e.g. v1.29.4) and the context name ("in-cluster"
 * for the service account). */
sunset_version sunset_cluster_server_version(const sunset_cluster *c);
const char *sunset_cluster_context(const sunset_cluster *c);

/*
 * Runs the selected sources into r: lists of the kinds the table names (at
 * the server's preferred versions), Helm release Secrets and ConfigMaps, and
 * /metrics.  A resource that fails (403, timeout, bad response) becomes an
 * error in r and the rest goes on.  Returns -1 with err when the whole run
 * must stop (credentials rejected, the server gone).
 */
int sunset_cluster_scan(sunset_cluster *c, const sunset_scan_options *scan, sunset_report *r,
			char *err, size_t errlen);

void sunset_cluster_get_stats(const sunset_cluster *c, sunset_cluster_stats *out);
void sunset_cluster_close(sunset_cluster *c);

#endif
