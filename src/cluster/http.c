/*
 * The HTTP client: GETs over one curl multi handle, several in flight,
 * gzip, TLS verified unless the kubeconfig says insecure-skip-tls-verify,
 * tls-server-name (the URL names it, CONNECT_TO dials the real host),
 * proxy-url, a timeout per request, and retries with backoff on 429
 * (honouring Retry-After), 5xx and dropped connections.  Every body is
 * bounded by limits.max_http_body after decompression, so a gzip bomb costs
 * at most that.
 *
 * Requests are owned by the client from http_get() until their callback
 * returns; the body handed to the callback lives only for the call.
 * Credentials go into curl's header list and nowhere else: curl's verbose
 * mode is never on, and no message built here quotes a header or a body.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"
#include "sunset/read.h"

#define MAX_ATTEMPTS 5		 /* 5xx and dropped connections */
#define MAX_ATTEMPTS_THROTTLED 10 /* 429: the server asked us to wait, not to give up */
#define BACKOFF_BASE 0.2
#define BACKOFF_MAX 5.0
#define RETRY_AFTER_MAX 60.0
/* waiting asked for by the server (Retry-After), per request in all: a
 * Retry-After past what is left of it is answered at once with an error */
#define RETRY_WAIT_TOTAL 60.0

typedef struct http_req http_req;
struct http_req {
	http_req *next;	  /* in the waiting queue */
	http_req *active; /* in the list of requests in flight */
	http_client *h;
	char *path, *accept;
	http_done_fn done;
	void *ctx;
	CURL *easy;
	struct curl_slist *headers;
	sunset_buf body;
	char errbuf[CURL_ERROR_SIZE];
	unsigned attempt;
	unsigned cred_generation; /* of the exec credential this attempt carried */
	bool auth_retried, too_big;
	double due;
	double retry_after; /* < 0: none given */
	double waited;	    /* seconds spent waiting to retry, in all */
};

struct http_client {
	const cluster_config *cfg;
	cluster_auth *auth;
	CURLM *multi;
	char *base;
	struct curl_slist *connect_to;
	struct curl_blob ca, cert, key;
	double timeout;
	double deadline, run_timeout; /* --timeout: monotonic end of the run; 0: none */
	size_t max_body;
	unsigned max_in_flight, in_flight;
	http_req *head, *tail; /* waiting to start (retries carry a due time) */
	http_req *active;      /* in flight */
	sunset_cluster_stats stats;
	char fatal[1024];
};

static double now_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_fatal(http_client *h, const char *fmt, ...) SUNSET_PRINTF(2, 3);
static void set_fatal(http_client *h, const char *fmt, ...)
{
	if (h->fatal[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->fatal, sizeof(h->fatal), fmt, ap);
	va_end(ap);
}

static void requeue(http_client *h, http_req *q, double delay);

void http_set_run_timeout(http_client *h, double seconds)
{
	h->run_timeout = seconds;
	h->deadline = seconds > 0 ? now_monotonic() + seconds : 0;
}

static bool past_deadline(http_client *h)
{
	if (!h->deadline || now_monotonic() < h->deadline)
		return false;
	set_fatal(h, "the run did not finish within --timeout %gs", h->run_timeout);
	return true;
}

/* Requeues q after the wait the server asked for, or says why not (the
 * wait would pass the per-request total or the run's --timeout). */
static bool retry_after_wait(http_client *h, http_req *q, double d, long status, char *msg, size_t msglen)
{
	if (d > RETRY_AFTER_MAX && q->retry_after < 0)
		d = RETRY_AFTER_MAX;
	if (q->waited + d > RETRY_WAIT_TOTAL) {
		snprintf(msg, msglen, "%ld %s: the server asked to wait %g s before retrying (Retry-After); "
			 "gave up (at most %g s of waiting per request)", status,
			 status == 429 ? "Too Many Requests" : "Service Unavailable", d, RETRY_WAIT_TOTAL);
		return false;
	}
	if (h->deadline && now_monotonic() + d >= h->deadline) {
		snprintf(msg, msglen, "%ld: the server asked to wait %g s before retrying (Retry-After), "
			 "past --timeout %gs", status, d, h->run_timeout);
		return false;
	}
	q->waited += d;
	requeue(h, q, d);
	return true;
}

const char *http_fatal(const http_client *h)
{
	return h->fatal[0] ? h->fatal : NULL;
}

void http_stats(const http_client *h, sunset_cluster_stats *s)
{
	s->requests = h->stats.requests;
	s->retries = h->stats.retries;
	s->body_bytes = h->stats.body_bytes;
	s->wire_bytes = h->stats.wire_bytes;
}

static int curl_users;

http_client *http_new(const cluster_config *cfg, cluster_auth *auth, double timeout,
		      size_t max_body, unsigned max_in_flight, char *err, size_t errlen)
{
	if (curl_users++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		curl_users--;
		snprintf(err, errlen, "cannot initialise libcurl");
		return NULL;
	}
	http_client *h = sunset_xcalloc(1, sizeof(*h));
	h->cfg = cfg;
	h->auth = auth;
	h->timeout = timeout;
	h->max_body = max_body;
	h->max_in_flight = max_in_flight ? max_in_flight : 8;
	h->multi = curl_multi_init();
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)h->max_in_flight);
	h->ca = (struct curl_blob){(void *)cfg->ca, cfg->ca_len, CURL_BLOB_NOCOPY};
	if (strncmp(cfg->server, "https://", 8) != 0 && strncmp(cfg->server, "http://", 7) != 0) {
		snprintf(err, errlen, "context \"%s\": server \"%s\" is not an http(s) URL", cfg->context, cfg->server);
		http_free(h);
		return NULL;
	}
	if (!cfg->tls_server_name) {
		h->base = sunset_xstrdup(cfg->server);
		return h;
	}
	/* The certificate is checked against tls-server-name: the URL names
	 * that host (SNI and verification follow the URL) and CONNECT_TO dials
	 * the server's real address. */
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *url = NULL;
	if (curl_url_set(u, CURLUPART_URL, cfg->server, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_HOST, cfg->tls_server_name, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
		snprintf(err, errlen, "context \"%s\": cannot use tls-server-name \"%s\" with server \"%s\"",
			 cfg->context, cfg->tls_server_name, cfg->server);
		curl_free(host);
		curl_free(port);
		curl_url_cleanup(u);
		http_free(h);
		return NULL;
	}
	size_t n = strlen(url);
	while (n && url[n - 1] == '/')
		url[--n] = '\0';
	h->base = sunset_xstrdup(url);
	char spec[1024];
	snprintf(spec, sizeof(spec), "%s:%s:%s:%s", cfg->tls_server_name, port, host, port);
	h->connect_to = curl_slist_append(NULL, spec);
	curl_free(host);
	curl_free(port);
	curl_free(url);
	curl_url_cleanup(u);
	return h;
}

static void req_free(http_req *q)
{
	if (q->easy) {
		curl_multi_remove_handle(q->h->multi, q->easy);
		curl_easy_cleanup(q->easy);
	}
	curl_slist_free_all(q->headers);
	sunset_buf_release(&q->body);
	free(q->path);
	free(q->accept);
	free(q);
}

void http_free(http_client *h)
{
	if (!h)
		return;
	for (http_req *q = h->head, *next; q; q = next) {
		next = q->next;
		req_free(q);
	}
	/* requests still in flight after a fatal stop */
	for (http_req *q = h->active, *next; q; q = next) {
		next = q->active;
		req_free(q);
	}
	if (h->multi)
		curl_multi_cleanup(h->multi);
	curl_slist_free_all(h->connect_to);
	free(h->base);
	free(h);
	if (--curl_users == 0)
		curl_global_cleanup();
}

void http_get(http_client *h, const char *path, const char *accept, http_done_fn done, void *ctx)
{
	http_req *q = sunset_xcalloc(1, sizeof(*q));
	q->h = h;
	q->path = sunset_xstrdup(path);
	q->accept = sunset_xstrdup(accept ? accept : "application/json");
	q->done = done;
	q->ctx = ctx;
	q->retry_after = -1;
	sunset_buf_init(&q->body, h->max_body);
	if (h->tail)
		h->tail->next = q;
	else
		h->head = q;
	h->tail = q;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	http_req *q = ctx;
	if (sunset_buf_append(&q->body, p, size * n) < 0) {
		q->too_big = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	http_req *q = ctx;
	size_t len = size * n;
	if (len > 12 && strncmp(p, "HTTP/", 5) == 0)
		q->retry_after = -1; /* a new response (after a 100 or a redirect) */
	else if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		char v[32];
		size_t m = len - 12 < sizeof(v) - 1 ? len - 12 : sizeof(v) - 1;
		memcpy(v, p + 12, m);
		v[m] = '\0';
		char *end;
		double s = strtod(v, &end);
		/* an HTTP date instead of seconds: wait a second, like client-go */
		q->retry_after = (end != v && s >= 0) ? s : 1;
	}
	return len;
}

static int start(http_client *h, http_req *q)
{
	char err[512];
	const cluster_credential *cred;
	if (auth_current(h->auth, &cred, err, sizeof(err)) < 0) {
		set_fatal(h, "%s", err);
		return -1;
	}
	q->cred_generation = h->auth->generation;
	CURL *e = curl_easy_init();
	q->easy = e;
	q->errbuf[0] = '\0';
	q->too_big = false;
	sunset_buf_reset(&q->body);
	curl_slist_free_all(q->headers);
	q->headers = NULL;

	sunset_buf url;
	sunset_buf_init(&url, 0);
	sunset_buf_printf(&url, "%s%s", h->base, q->path);
	curl_easy_setopt(e, CURLOPT_URL, url.data);
	sunset_buf_release(&url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)q);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, q->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect must not carry the token elsewhere */
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "sunset/" SUNSET_VERSION_STRING);
	double t = h->timeout;
	if (h->deadline && h->deadline - now_monotonic() < t)
		t = h->deadline - now_monotonic() > 0.001 ? h->deadline - now_monotonic() : 0.001;
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(t * 1000));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(h->timeout * 1000 < 10000 ? h->timeout * 1000 : 10000));
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, q);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, q);
	if (!h->cfg->disable_compression)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
	if (h->connect_to)
		curl_easy_setopt(e, CURLOPT_CONNECT_TO, h->connect_to);
	if (h->cfg->proxy_url)
		curl_easy_setopt(e, CURLOPT_PROXY, h->cfg->proxy_url);
	if (h->cfg->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (h->cfg->ca) {
		/* the kubeconfig's CA replaces the system's, as in kubectl */
		curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &h->ca);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	}
	if (cred->cert && cred->key) {
		struct curl_blob cert = {(void *)cred->cert, cred->cert_len, CURL_BLOB_COPY};
		struct curl_blob key = {(void *)cred->key, cred->key_len, CURL_BLOB_COPY};
		curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
		curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (cred->username || cred->password) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, cred->username ? cred->username : "");
		curl_easy_setopt(e, CURLOPT_PASSWORD, cred->password ? cred->password : "");
	}
	sunset_buf hdr;
	sunset_buf_init(&hdr, 0);
	sunset_buf_printf(&hdr, "Accept: %s", q->accept);
	q->headers = curl_slist_append(q->headers, hdr.data);
	if (cred->bearer) {
		sunset_buf_reset(&hdr);
		sunset_buf_printf(&hdr, "Authorization: Bearer %s", cred->bearer);
		q->headers = curl_slist_append(q->headers, hdr.data);
		memset(hdr.data, 0, hdr.len); /* the copy in curl's list is the only one left */
	}
	if (h->cfg->impersonate) {
		sunset_buf_reset(&hdr);
		sunset_buf_printf(&hdr, "Impersonate-User: %s", h->cfg->impersonate);
		q->headers = curl_slist_append(q->headers, hdr.data);
		for (size_t i = 0; i < h->cfg->nimpersonate_groups; i++) {
			sunset_buf_reset(&hdr);
			sunset_buf_printf(&hdr, "Impersonate-Group: %s", h->cfg->impersonate_groups[i]);
			q->headers = curl_slist_append(q->headers, hdr.data);
		}
	}
	sunset_buf_release(&hdr);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, q->headers);
	curl_multi_add_handle(h->multi, e);
	q->active = h->active;
	h->active = q;
	h->in_flight++;
	h->stats.requests++;
	q->attempt++;
	return 0;
}

static void requeue(http_client *h, http_req *q, double delay)
{
	curl_multi_remove_handle(h->multi, q->easy);
	curl_easy_cleanup(q->easy);
	q->easy = NULL;
	q->due = now_monotonic() + delay;
	q->next = NULL;
	if (h->tail)
		h->tail->next = q;
	else
		h->head = q;
	h->tail = q;
	h->stats.retries++;
}

static double backoff(unsigned attempt)
{
	double d = BACKOFF_BASE;
	for (unsigned i = 1; i < attempt && d < BACKOFF_MAX; i++)
		d *= 2;
	return d < BACKOFF_MAX ? d : BACKOFF_MAX;
}

static bool transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
		return true;
	default:
		return false;
	}
}

static void describe_error(http_client *h, http_req *q, CURLcode rc, char *out, size_t outlen)
{
	long os_errno = 0;
	curl_easy_getinfo(q->easy, CURLINFO_OS_ERRNO, &os_errno);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(out, outlen, "no complete response within %g s (--request-timeout)", h->timeout);
		return;
	case CURLE_WRITE_ERROR:
		if (q->too_big) {
			snprintf(out, outlen, "the response is larger than %zu bytes", h->max_body);
			return;
		}
		break;
	case CURLE_PARTIAL_FILE:
		snprintf(out, outlen, "the connection closed before the response was complete");
		return;
	case CURLE_BAD_CONTENT_ENCODING:
		snprintf(out, outlen, "the response's gzip data is corrupt or cut short");
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(out, outlen, "cannot resolve the server's host name");
		return;
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(out, outlen, "cannot resolve the proxy's host name");
		return;
	case CURLE_COULDNT_CONNECT:
		snprintf(out, outlen, "cannot connect%s%s", os_errno ? ": " : "", os_errno ? strerror((int)os_errno) : "");
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		snprintf(out, outlen, "TLS: %s", q->errbuf[0] ? q->errbuf : curl_easy_strerror(rc));
		return;
	default:
		break;
	}
	snprintf(out, outlen, "%s", q->errbuf[0] ? q->errbuf : curl_easy_strerror(rc));
}

static void finish(http_client *h, http_req *q, CURLcode rc)
{
	long status = 0;
	curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_off_t down = 0;
	long header_size = 0;
	curl_easy_getinfo(q->easy, CURLINFO_SIZE_DOWNLOAD_T, &down);
	curl_easy_getinfo(q->easy, CURLINFO_HEADER_SIZE, &header_size);
	h->stats.wire_bytes += (uint64_t)down + (uint64_t)header_size;
	h->stats.body_bytes += q->body.len;
	h->in_flight--;
	for (http_req **pp = &h->active; *pp; pp = &(*pp)->active)
		if (*pp == q) {
			*pp = q->active;
			break;
		}
	q->active = NULL;

	char msg[CURL_ERROR_SIZE + 256];
	if (past_deadline(h)) {
		req_free(q);
		return;
	}
	http_result res = {.status = rc == CURLE_OK ? status : 0, .path = q->path};
	if (rc != CURLE_OK) {
		if (transient(rc) && q->attempt < MAX_ATTEMPTS) {
			requeue(h, q, backoff(q->attempt));
			return;
		}
		describe_error(h, q, rc, msg, sizeof(msg));
		res.error = msg;
	} else if (status == 401) {
		if (!q->auth_retried && auth_invalidate(h->auth, q->cred_generation)) {
			q->auth_retried = true; /* an expired plugin credential: ask once more */
			requeue(h, q, 0);
			return;
		}
		set_fatal(h, "the server rejected the credentials (401 Unauthorized)");
		req_free(q);
		return;
	} else if ((status == 429 && q->attempt < MAX_ATTEMPTS_THROTTLED) ||
		   ((status == 500 || status == 502 || status == 503 || status == 504) &&
		    q->attempt < MAX_ATTEMPTS)) {
		double d = q->retry_after >= 0 ? q->retry_after : backoff(q->attempt);
		if (retry_after_wait(h, q, d, status, msg, sizeof(msg)))
			return;
		res.error = msg;
	}
	if (!q->body.data)
		sunset_buf_append(&q->body, "", 0);
	res.body = q->body.data;
	res.len = q->body.len;
	q->done(q->ctx, &res);
	req_free(q);
}

void http_run(http_client *h)
{
	while ((h->head || h->in_flight) && !h->fatal[0]) {
		if (past_deadline(h))
			return;
		double now = now_monotonic();
		/* start what is due, in order, while there is room */
		http_req **pp = &h->head, *prev = NULL;
		while (*pp && h->in_flight < h->max_in_flight) {
			http_req *q = *pp;
			if (q->due > now) {
				prev = q;
				pp = &q->next;
				continue;
			}
			*pp = q->next;
			if (h->tail == q)
				h->tail = prev;
			q->next = NULL;
			if (start(h, q) < 0) {
				req_free(q);
				return;
			}
		}
		int running;
		curl_multi_perform(h->multi, &running);
		CURLMsg *m;
		int left;
		while ((m = curl_multi_info_read(h->multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			http_req *q;
			CURL *e = m->easy_handle;
			CURLcode rc = m->data.result;
			curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&q);
			finish(h, q, rc);
			if (h->fatal[0])
				return;
		}
		if (!h->in_flight && !h->head)
			break;
		/* callbacks may have queued requests (next pages): start them now */
		int wait_ms = 1000;
		now = now_monotonic();
		for (http_req *q = h->head; q; q = q->next) {
			double w = (q->due - now) * 1000;
			if (w <= 0 && h->in_flight >= h->max_in_flight)
				continue; /* due, but waits for a slot: a completion wakes the poll */
			int ms = w <= 0 ? 0 : w < 1000 ? (int)w + 1 : 1000;
			if (ms < wait_ms)
				wait_ms = ms;
		}
		if (wait_ms == 0)
			continue;
		if (h->in_flight)
			curl_multi_poll(h->multi, NULL, 0, wait_ms, NULL);
		else if (wait_ms > 0) {
			struct timespec ts = {wait_ms / 1000, (long)(wait_ms % 1000) * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
}

/* ---- describing an error response ---- */

static const char *reason_phrase(long status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

typedef struct status_ctx {
	char *out;
	size_t outlen;
} status_ctx;

static int on_status(void *ctx, const sunset_node *root)
{
	status_ctx *s = ctx;
	const char *kind = sunset_node_str(sunset_map_get(root, "kind"));
	const char *message = sunset_node_str(sunset_map_get(root, "message"));
	if (!kind || strcmp(kind, "Status") != 0 || !message || !*message)
		return 0;
	/* the server's own words, shortened and kept on one line */
	size_t off = strlen(s->out), n = 0;
	if (off + 2 < s->outlen) {
		s->out[off++] = ':';
		s->out[off++] = ' ';
	}
	for (const char *p = message; *p && off + 1 < s->outlen && n < 300; p++, n++)
		s->out[off++] = ((unsigned char)*p < 0x20) ? ' ' : *p;
	if (message[n] && off + 4 < s->outlen) {
		memcpy(s->out + off, "...", 3);
		off += 3;
	}
	s->out[off] = '\0';
	return 0;
}

void http_describe_status(const http_result *res, const sunset_limits *lim, char *out, size_t outlen)
{
	const char *phrase = reason_phrase(res->status);
	snprintf(out, outlen, "%ld%s%s", res->status, *phrase ? " " : "", phrase);
	if (!res->body || res->len == 0 || res->len > ((size_t)1 << 20))
		return;
	status_ctx s = {out, outlen};
	char err[64];
	parse_json_body(res->body, res->len, lim, on_status, &s, err, sizeof(err));
}

/* ---- bodies into the document model ---- */

typedef struct body_ctx {
	int (*fn)(void *ctx, const sunset_node *root);
	int (*doc_fn)(void *ctx, const sunset_doc *doc);
	void *ctx;
	char *err;
	size_t errlen;
	int rc;
	bool seen;
} body_ctx;

static int body_doc(void *ctx, const sunset_doc *doc)
{
	body_ctx *b = ctx;
	if (b->seen && !b->doc_fn) {
		b->rc = -1;
		snprintf(b->err, b->errlen, "more than one JSON value");
		return 1;
	}
	b->seen = true;
	const sunset_node *root = sunset_node_resolve(doc->root);
	if (!root || root->type != SUNSET_NODE_MAPPING) {
		b->rc = -1;
		snprintf(b->err, b->errlen, "line %u, column %u: expected a JSON object",
			 root ? root->line : 1, root ? root->column : 1);
		return 1;
	}
	if (b->doc_fn)
		b->doc_fn(b->ctx, doc);
	else
		b->fn(b->ctx, root);
	return 0;
}

static void body_error(void *ctx, uint32_t line, uint32_t column, const char *message)
{
	body_ctx *b = ctx;
	if (b->rc == 0)
		snprintf(b->err, b->errlen, "line %u, column %u: %s", line, column, message);
	b->rc = -1;
}

static int parse(body_ctx *b, const char *body, size_t len, const sunset_limits *lim)
{
	sunset_input in = {.fd = -1, .mem = body, .mem_len = len};
	sunset_doc_sink sink = {.doc = body_doc, .error = body_error, .ctx = b};
	if (sunset_read_json(&in, lim, &sink) < 0 && b->rc == 0) {
		b->rc = -1;
		snprintf(b->err, b->errlen, "the response could not be read");
	}
	if (b->rc == 0 && !b->seen) {
		b->rc = -1;
		snprintf(b->err, b->errlen, "the response is empty");
	}
	return b->rc;
}

int parse_json_body(const char *body, size_t len, const sunset_limits *lim,
		    int (*fn)(void *ctx, const sunset_node *root), void *ctx, char *err, size_t errlen)
{
	body_ctx b = {fn, NULL, ctx, err, errlen, 0, false};
	return parse(&b, body, len, lim);
}

int parse_json_doc(const char *body, size_t len, const sunset_limits *lim,
		   int (*fn)(void *ctx, const sunset_doc *doc), void *ctx, char *err, size_t errlen)
{
	body_ctx b = {NULL, fn, ctx, err, errlen, 0, false};
	return parse(&b, body, len, lim);
}

