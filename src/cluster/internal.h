/*
 * What the files of src/cluster/ share and nobody else sees: the resolved
 * connection settings, credentials, the HTTP client, discovery and the
 * helper that parses a response body into the one document model.
 */
#ifndef SUNSET_CLUSTER_INTERNAL_H
#define SUNSET_CLUSTER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sunset/cluster.h"

/* ---- connection settings, from a kubeconfig context or the service account ---- */

typedef struct cluster_config {
	const char *context; /* display name */
	const char *server;  /* no trailing '/' */
	const char *ca;	     /* PEM; NULL: the system's CAs */
	size_t ca_len;
	bool insecure, disable_compression;
	const char *tls_server_name, *proxy_url;
	const char *cert, *key; /* PEM of a static client certificate, or NULL */
	size_t cert_len, key_len;
	const char *token;	/* static bearer token */
	const char *token_file; /* read at start, trimmed */
	const char *username, *password;
	const char *impersonate;
	const char *const *impersonate_groups;
	size_t nimpersonate_groups;
	const sunset_kube_exec *exec;
} cluster_config;

/* Fills cfg from the merged kubeconfig (strings borrowed from kc or a). */
int config_from_kubeconfig(const sunset_kubeconfig *kc, const char *context, sunset_arena *a,
			   cluster_config *cfg, char *err, size_t errlen);
/* Fills cfg from KUBERNETES_SERVICE_HOST/PORT and the service account
 * directory ($SUNSET_SERVICEACCOUNT_DIR, default
 * /var/run/secrets/kubernetes.io/serviceaccount).  1 when not in a cluster. */
int config_in_cluster(sunset_arena *a, cluster_config *cfg, char *err, size_t errlen);

/* Reads a whole small file into a (NUL-terminated); -1 with errno. */
int read_small_file(sunset_arena *a, const char *path, size_t max, char **out, size_t *len);

/* ---- credentials (auth.c) ---- */

typedef struct cluster_credential {
	const char *bearer;		 /* NULL when none */
	const char *username, *password; /* basic */
	const char *cert, *key;		 /* PEM */
	size_t cert_len, key_len;
	bool from_exec;
} cluster_credential;

typedef struct cluster_auth {
	const cluster_config *cfg;
	sunset_arena arena;   /* static credentials */
	sunset_arena exec_arena; /* the current exec credential; reset on refresh */
	cluster_credential cred;
	bool exec_valid;
	int64_t exec_expires; /* unix seconds, 0: never */
	unsigned exec_runs;
	unsigned generation; /* of the exec credential: bumped each time the plugin runs */
	double exec_timeout;
} cluster_auth;

int auth_init(cluster_auth *a, const cluster_config *cfg, char *err, size_t errlen);
/* The credential for the next request: runs the exec plugin when nothing is
 * cached or the cached credential has expired.  -1 with err. */
int auth_current(cluster_auth *a, const cluster_credential **out, char *err, size_t errlen);
/* After a 401 to a request sent with the credential of `generation`: true
 * when a fresh credential may help (it comes from exec).  Drops the cached
 * one unless it has been replaced since that request was sent. */
bool auth_invalidate(cluster_auth *a, unsigned generation);
void auth_release(cluster_auth *a);

/* ---- HTTP (http.c) ---- */

typedef struct http_result {
	long status;	     /* 0 when no response arrived */
	const char *body;    /* NUL-terminated; valid during the callback */
	size_t len;
	const char *error;   /* why no usable response, or NULL */
	const char *path;    /* as requested */
} http_result;

typedef void (*http_done_fn)(void *ctx, const http_result *res);

typedef struct http_client http_client;

http_client *http_new(const cluster_config *cfg, cluster_auth *auth, double timeout,
		      size_t max_body, unsigned max_in_flight, char *err, size_t errlen);
/* Queues a GET; done is called once, from http_run, after any retries. */
void http_get(http_client *h, const char *path, const char *accept, http_done_fn done, void *ctx);
/* Runs until nothing is queued or in flight, or a fatal error (see below). */
void http_run(http_client *h);
/* Set when the run had to stop: credentials rejected (401) or unusable. */
const char *http_fatal(const http_client *h);
/* --timeout: from now, the whole run; a request still going then is fatal */
void http_set_run_timeout(http_client *h, double seconds);
void http_stats(const http_client *h, sunset_cluster_stats *s);
void http_free(http_client *h);

/* The Status message of an error body (short, server-written), or a
 * fallback: "403 Forbidden". */
void http_describe_status(const http_result *res, const sunset_limits *lim, char *out,
			  size_t outlen);

/* ---- the document model over a response body ---- */

/* Parses body as one JSON value and calls fn with its root while the tree is
 * alive.  -1 with "line L, column C: reason" in err when it is not JSON. */
int parse_json_body(const char *body, size_t len, const sunset_limits *lim,
		    int (*fn)(void *ctx, const sunset_node *root), void *ctx, char *err,
		    size_t errlen);
/* The same, handing over each whole document: the reader streams the
 * "items" of a list one at a time, each as its own document, then the list
 * itself (with metadata, its items gone).  Every root is a mapping. */
int parse_json_doc(const char *body, size_t len, const sunset_limits *lim,
		   int (*fn)(void *ctx, const sunset_doc *doc), void *ctx, char *err, size_t errlen);

/* ---- discovery (discovery.c) ---- */

typedef struct disc_resource {
	const char *name; /* plural, e.g. deployments */
	const char *kind;
	bool namespaced, listable;
} disc_resource;

typedef struct disc_group {
	const char *name;      /* "" for the core group */
	const char *preferred; /* version */
	const char **versions;
	size_t nversions;
	disc_resource *res; /* of the preferred version */
	size_t nres;
	const char *error; /* discovery of the preferred version failed */
} disc_group;

typedef struct discovery {
	sunset_arena arena;
	char git_version[64];
	sunset_version version;
	disc_group *group;
	size_t ngroup;
} discovery;

/* /version, /api, /apis and each group's preferred version.  -1 with err
 * when the server cannot be used at all; a group that fails keeps error. */
int discovery_run(discovery *d, http_client *h, const sunset_limits *lim, char *err,
		  size_t errlen);
const disc_group *discovery_group(const discovery *d, const char *group);
void discovery_release(discovery *d);

/* ---- the client as a whole (client.c) ---- */

struct sunset_cluster {
	sunset_cluster_options opt;
	sunset_arena arena;
	sunset_kubeconfig kc;
	cluster_config cfg;
	cluster_auth auth;
	http_client *http;
	discovery disc;
	uint64_t objects;
	unsigned lists;
};

/* lists.c: the kinds the table names, and Helm release objects. */
int lists_run(sunset_cluster *c, const sunset_scan_options *scan, sunset_report *r, char *err,
	      size_t errlen);
/* metrics.c: queue /metrics; its findings go into r when it completes. */
typedef struct metrics_job metrics_job;
metrics_job *metrics_start(sunset_cluster *c, const sunset_scan_options *scan, sunset_report *r);
void metrics_finish(metrics_job *m);

/* "cluster://CONTEXT[/NAMESPACE]/RESOURCE[.GROUP][/NAME]" into out. */
void cluster_path(const sunset_cluster *c, const char *namespace, const char *resource,
		  const char *group, const char *name, char *out, size_t outlen);

#endif
