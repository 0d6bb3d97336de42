/*
 * kubeconfig as kubectl reads it: --kubeconfig, else $KUBECONFIG (several
 * files merged, first definition of a name wins), else ~/.kube/config.
 * Files are read with the YAML reader into the one document model; every
 * string and array is copied into the config's arena, which owns them until
 * sunset_kubeconfig_release().
 *
 * Secrets (tokens, passwords, keys) are stored but never put into a message:
 * errors name the file, the position and the field, not the value.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "sunset/read.h"

#define MAX_KUBECONFIG_BYTES ((size_t)16 << 20)
#define MAX_CERT_BYTES ((size_t)1 << 20)

void sunset_kubeconfig_init(sunset_kubeconfig *kc)
{
	memset(kc, 0, sizeof(*kc));
	sunset_arena_init(&kc->arena, 0);
}

void sunset_kubeconfig_release(sunset_kubeconfig *kc)
{
	free(kc->cluster);
	free(kc->user);
	free(kc->context);
	sunset_arena_release(&kc->arena);
	memset(kc, 0, sizeof(*kc));
}

int sunset_base64_decode(sunset_arena *a, const char *in, size_t len, char **out, size_t *outlen)
{
	static signed char map[256];
	static bool ready;
	if (!ready) {
		memset(map, -1, sizeof(map));
		const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		for (int i = 0; i < 64; i++)
			map[(unsigned char)alpha[i]] = (signed char)i;
		ready = true;
	}
	char *o = sunset_arena_alloc(a, len / 4 * 3 + 4);
	if (!o)
		return -1;
	size_t n = 0, pad = 0;
	uint32_t acc = 0;
	unsigned bits = 0, chars = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad || map[c] < 0)
			return -1; /* data after padding, or not base64 */
		acc = (acc << 6) | (uint32_t)map[c];
		bits += 6;
		chars++;
		if (bits >= 8) {
			bits -= 8;
			o[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	if (chars % 4 == 1 || pad > 2 || (pad && (chars + pad) % 4 != 0))
		return -1;
	o[n] = '\0';
	*out = o;
	*outlen = n;
	return 0;
}

int read_small_file(sunset_arena *a, const char *path, size_t max, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	sunset_buf b;
	sunset_buf_init(&b, max);
	char chunk[16384];
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		if (sunset_buf_append(&b, chunk, (size_t)n) < 0) {
			errno = EFBIG;
			rc = -1;
			break;
		}
	}
	int saved = errno;
	close(fd);
	if (rc == 0) {
		*out = sunset_arena_strndup(a, b.data ? b.data : "", b.len);
		*len = b.len;
		if (!*out) {
			saved = ENOMEM;
			rc = -1;
		}
	}
	sunset_buf_release(&b);
	errno = saved;
	return rc;
}

/* ---- reading one file ---- */

typedef struct kc_reader {
	sunset_kubeconfig *kc;
	const char *path;
	char dir[4096]; /* absolute directory of path */
	char *err;
	size_t errlen;
	int rc;
	bool seen;
} kc_reader;

static void fail(kc_reader *k, const sunset_node *at, const char *fmt, ...) SUNSET_PRINTF(3, 4);
static void fail(kc_reader *k, const sunset_node *at, const char *fmt, ...)
{
	if (k->rc)
		return;
	k->rc = -1;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(k->err, k->errlen, "%s:%u:%u: %s", k->path, at ? at->line : 1, at ? at->column : 1, msg);
}

static const char *copy(kc_reader *k, const char *s)
{
	return s ? sunset_arena_strdup(&k->kc->arena, s) : NULL;
}

/* A scalar field; NULL when absent or null.  Anything else is an error. */
static const char *field_str(kc_reader *k, const sunset_node *map, const char *key, const char *where)
{
	const sunset_node *v = sunset_node_resolve(sunset_map_get(map, key));
	if (!v || (v->type == SUNSET_NODE_SCALAR && sunset_scalar_is_null(v)))
		return NULL;
	if (v->type != SUNSET_NODE_SCALAR) {
		fail(k, v, "%s: \"%s\" must be a string", where, key);
		return NULL;
	}
	return copy(k, v->str);
}

static bool field_bool(kc_reader *k, const sunset_node *map, const char *key, const char *where)
{
	const sunset_node *v = sunset_node_resolve(sunset_map_get(map, key));
	if (!v || (v->type == SUNSET_NODE_SCALAR && sunset_scalar_is_null(v)))
		return false;
	/* sigs.k8s.io/yaml reads YAML 1.1, where yes/no/on/off are booleans too */
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
	if (v->type == SUNSET_NODE_SCALAR) {
		for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
			if (strcmp(v->str, yes[i]) == 0)
				return true;
		for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
			if (strcmp(v->str, no[i]) == 0)
				return false;
	}
	fail(k, v, "%s: \"%s\" must be true or false", where, key);
	return false;
}

static const sunset_node *field_map(kc_reader *k, const sunset_node *map, const char *key,
				    const char *where)
{
	const sunset_node *v = sunset_node_resolve(sunset_map_get(map, key));
	if (!v || (v->type == SUNSET_NODE_SCALAR && sunset_scalar_is_null(v)))
		return NULL;
	if (v->type != SUNSET_NODE_MAPPING) {
		fail(k, v, "%s: \"%s\" must be a mapping", where, key);
		return NULL;
	}
	return v;
}

static const sunset_node *field_seq(kc_reader *k, const sunset_node *map, const char *key,
				    const char *where)
{
	const sunset_node *v = sunset_node_resolve(sunset_map_get(map, key));
	if (!v || (v->type == SUNSET_NODE_SCALAR && sunset_scalar_is_null(v)))
		return NULL;
	if (v->type != SUNSET_NODE_SEQUENCE) {
		fail(k, v, "%s: \"%s\" must be a list", where, key);
		return NULL;
	}
	return v;
}

/* A path from this file: relative ones are relative to the file's directory. */
static const char *field_path(kc_reader *k, const sunset_node *map, const char *key, const char *where)
{
	const char *p = field_str(k, map, key, where);
	if (!p || !*p)
		return NULL;
	if (p[0] == '/')
		return p;
	return sunset_arena_printf(&k->kc->arena, "%s/%s", k->dir, p);
}

static const char *field_data(kc_reader *k, const sunset_node *map, const char *key, const char *where,
			      size_t *len)
{
	const sunset_node *v = sunset_node_resolve(sunset_map_get(map, key));
	const char *s = field_str(k, map, key, where);
	*len = 0;
	if (!s || !*s)
		return NULL;
	char *out;
	if (sunset_base64_decode(&k->kc->arena, s, strlen(s), &out, len) < 0) {
		fail(k, v, "%s: \"%s\" is not valid base64", where, key);
		return NULL;
	}
	return out;
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 8;
	return sunset_xrealloc(p, *cap * size);
}

/* Each of clusters/users/contexts is a list of {name, <key>: {...}}. */
static const sunset_node *named_entry(kc_reader *k, const sunset_node *e, const char *list,
				      size_t i, const char *key, const char **name, char *where,
				      size_t wherelen)
{
	snprintf(where, wherelen, "%s[%zu]", list, i);
	e = sunset_node_resolve(e);
	if (!e || e->type != SUNSET_NODE_MAPPING) {
		fail(k, e, "%s must be a mapping with \"name\" and \"%s\"", where, key);
		return NULL;
	}
	*name = field_str(k, e, "name", where);
	if (!*name) {
		if (!k->rc)
			fail(k, e, "%s: \"name\" is missing", where);
		return NULL;
	}
	snprintf(where, wherelen, "%s \"%s\"", list, *name);
	return field_map(k, e, key, where);
}

static void read_clusters(kc_reader *k, const sunset_node *seq)
{
	sunset_kubeconfig *kc = k->kc;
	for (size_t i = 0; seq && i < seq->nchild && !k->rc; i++) {
		char where[300];
		const char *name;
		const sunset_node *c = named_entry(k, seq->child[i], "clusters", i, "cluster", &name, where, sizeof(where));
		if (k->rc || sunset_kubeconfig_cluster(kc, name))
			continue; /* the first definition wins */
		sunset_kube_cluster x = {.name = name, .origin = copy(k, k->path)};
		if (c) {
			x.server = field_str(k, c, "server", where);
			x.ca_file = field_path(k, c, "certificate-authority", where);
			x.ca_data = field_data(k, c, "certificate-authority-data", where, &x.ca_len);
			x.insecure = field_bool(k, c, "insecure-skip-tls-verify", where);
			x.disable_compression = field_bool(k, c, "disable-compression", where);
			x.tls_server_name = field_str(k, c, "tls-server-name", where);
			x.proxy_url = field_str(k, c, "proxy-url", where);
		}
		kc->cluster = grow(kc->cluster, &kc->capcluster, kc->ncluster, sizeof(x));
		kc->cluster[kc->ncluster++] = x;
	}
}

static const char **string_list(kc_reader *k, const sunset_node *seq, const char *key,
				const char *where, size_t *n)
{
	*n = 0;
	if (!seq)
		return NULL;
	const char **out = sunset_arena_alloc(&k->kc->arena, (seq->nchild + 1) * sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < seq->nchild; i++) {
		const sunset_node *v = sunset_node_resolve(seq->child[i]);
		if (!v || v->type != SUNSET_NODE_SCALAR) {
			fail(k, v, "%s: \"%s\" must be a list of strings", where, key);
			return NULL;
		}
		out[(*n)++] = copy(k, v->str);
	}
	return out;
}

static const sunset_kube_exec *read_exec(kc_reader *k, const sunset_node *e, const char *where)
{
	sunset_kube_exec *x = sunset_arena_alloc(&k->kc->arena, sizeof(*x));
	if (!x)
		return NULL;
	memset(x, 0, sizeof(*x));
	x->api_version = field_str(k, e, "apiVersion", where);
	x->command = field_str(k, e, "command", where);
	x->interactive_mode = field_str(k, e, "interactiveMode", where);
	x->install_hint = field_str(k, e, "installHint", where);
	x->provide_cluster_info = field_bool(k, e, "provideClusterInfo", where);
	if (k->rc)
		return NULL;
	if (!x->command || !*x->command) {
		fail(k, e, "%s: exec needs a \"command\"", where);
		return NULL;
	}
	if (!x->api_version || !*x->api_version) {
		fail(k, e, "%s: exec needs an \"apiVersion\"", where);
		return NULL;
	}
	/* like client-go: only a command naming a path is relative to the file */
	if (x->command[0] != '/' && strchr(x->command, '/'))
		x->command = sunset_arena_printf(&k->kc->arena, "%s/%s", k->dir, x->command);
	x->args = string_list(k, field_seq(k, e, "args", where), "args", where, &x->nargs);
	const sunset_node *env = field_seq(k, e, "env", where);
	if (env) {
		x->env = sunset_arena_alloc(&k->kc->arena, (env->nchild + 1) * sizeof(*x->env));
		for (size_t i = 0; x->env && i < env->nchild && !k->rc; i++) {
			const sunset_node *v = sunset_node_resolve(env->child[i]);
			if (!v || v->type != SUNSET_NODE_MAPPING) {
				fail(k, v, "%s: exec env entries are {name, value}", where);
				break;
			}
			const char *name = field_str(k, v, "name", where);
			const char *value = field_str(k, v, "value", where);
			if (!name || !*name || strchr(name, '=')) {
				if (!k->rc)
					fail(k, v, "%s: exec env entry needs a valid \"name\"", where);
				break;
			}
			x->env[x->nenv++] = sunset_arena_printf(&k->kc->arena, "%s=%s", name, value ? value : "");
		}
	}
	return k->rc ? NULL : x;
}

static void read_users(kc_reader *k, const sunset_node *seq)
{
	sunset_kubeconfig *kc = k->kc;
	for (size_t i = 0; seq && i < seq->nchild && !k->rc; i++) {
		char where[300];
		const char *name;
		const sunset_node *u = named_entry(k, seq->child[i], "users", i, "user", &name, where, sizeof(where));
		if (k->rc || sunset_kubeconfig_user(kc, name))
			continue;
		sunset_kube_user x = {.name = name, .origin = copy(k, k->path)};
		if (u) {
			x.token = field_str(k, u, "token", where);
			x.token_file = field_path(k, u, "tokenFile", where);
			x.username = field_str(k, u, "username", where);
			x.password = field_str(k, u, "password", where);
			x.cert_file = field_path(k, u, "client-certificate", where);
			x.key_file = field_path(k, u, "client-key", where);
			x.cert_data = field_data(k, u, "client-certificate-data", where, &x.cert_len);
			x.key_data = field_data(k, u, "client-key-data", where, &x.key_len);
			x.impersonate = field_str(k, u, "as", where);
			x.impersonate_groups = string_list(k, field_seq(k, u, "as-groups", where), "as-groups",
							   where, &x.nimpersonate_groups);
			x.auth_provider = sunset_map_get(u, "auth-provider") != NULL;
			const sunset_node *e = field_map(k, u, "exec", where);
			if (e && !k->rc)
				x.exec = read_exec(k, e, where);
		}
		kc->user = grow(kc->user, &kc->capuser, kc->nuser, sizeof(x));
		kc->user[kc->nuser++] = x;
	}
}

static void read_contexts(kc_reader *k, const sunset_node *seq)
{
	sunset_kubeconfig *kc = k->kc;
	for (size_t i = 0; seq && i < seq->nchild && !k->rc; i++) {
		char where[300];
		const char *name;
		const sunset_node *c = named_entry(k, seq->child[i], "contexts", i, "context", &name, where, sizeof(where));
		if (k->rc || sunset_kubeconfig_context(kc, name))
			continue;
		sunset_kube_context x = {.name = name, .origin = copy(k, k->path)};
		if (c) {
			x.cluster = field_str(k, c, "cluster", where);
			x.user = field_str(k, c, "user", where);
			x.namespace = field_str(k, c, "namespace", where);
		}
		kc->context = grow(kc->context, &kc->capcontext, kc->ncontext, sizeof(x));
		kc->context[kc->ncontext++] = x;
	}
}

static int kc_doc(void *ctx, const sunset_doc *doc)
{
	kc_reader *k = ctx;
	if (k->seen || k->rc)
		return 0; /* kubectl reads the first document only */
	k->seen = true;
	const sunset_node *root = sunset_node_resolve(doc->root);
	if (!root || (root->type == SUNSET_NODE_SCALAR && sunset_scalar_is_null(root)))
		return 0; /* an empty kubeconfig is an empty config */
	if (root->type != SUNSET_NODE_MAPPING) {
		fail(k, root, "a kubeconfig is a mapping (apiVersion: v1, kind: Config)");
		return 0;
	}
	const char *cur = field_str(k, root, "current-context", "kubeconfig");
	if (cur && *cur && !k->kc->current_context)
		k->kc->current_context = cur;
	read_clusters(k, field_seq(k, root, "clusters", "kubeconfig"));
	read_users(k, field_seq(k, root, "users", "kubeconfig"));
	read_contexts(k, field_seq(k, root, "contexts", "kubeconfig"));
	return 0;
}

static void kc_error(void *ctx, uint32_t line, uint32_t column, const char *message)
{
	kc_reader *k = ctx;
	if (k->rc)
		return;
	k->rc = -1;
	snprintf(k->err, k->errlen, "%s:%u:%u: %s", k->path, line, column, message);
}

int sunset_kubeconfig_merge_file(sunset_kubeconfig *kc, const char *path, bool missing_ok,
				 char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (missing_ok && errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: cannot read kubeconfig: %s", path, strerror(errno));
		return -1;
	}
	kc_reader k = {.kc = kc, .path = path, .err = err, .errlen = errlen};
	const char *slash = strrchr(path, '/');
	char cwd[2048] = ".";
	if (path[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), ".");
	if (path[0] == '/')
		snprintf(k.dir, sizeof(k.dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	else if (slash)
		snprintf(k.dir, sizeof(k.dir), "%s/%.*s", cwd, (int)(slash - path), path);
	else
		snprintf(k.dir, sizeof(k.dir), "%s", cwd);
	if (strcmp(k.dir, "/") == 0)
		k.dir[0] = '\0'; /* "/" + "/" + name would double the slash */
	sunset_limits lim;
	sunset_limits_default(&lim);
	lim.max_document_bytes = MAX_KUBECONFIG_BYTES;
	lim.max_documents = 16;
	sunset_input in = {.fd = fd};
	sunset_doc_sink sink = {.doc = kc_doc, .error = kc_error, .ctx = &k};
	sunset_read_yaml(&in, &lim, &sink);
	close(fd);
	size_t used = strlen(kc->files);
	if (used + strlen(path) + 2 < sizeof(kc->files))
		snprintf(kc->files + used, sizeof(kc->files) - used, "%s%s", used ? ":" : "", path);
	return k.rc;
}

int sunset_kubeconfig_load(sunset_kubeconfig *kc, const char *explicit_path, char *err, size_t errlen)
{
	if (explicit_path && *explicit_path)
		return sunset_kubeconfig_merge_file(kc, explicit_path, false, err, errlen);
	const char *env = getenv("KUBECONFIG");
	if (env && *env) {
		bool any = false;
		const char *p = env;
		while (*p) {
			const char *end = strchr(p, ':');
			if (!end)
				end = p + strlen(p);
			char path[4096];
			size_t n = (size_t)(end - p);
			if (n && n < sizeof(path)) {
				memcpy(path, p, n);
				path[n] = '\0';
				int rc = sunset_kubeconfig_merge_file(kc, path, true, err, errlen);
				if (rc < 0)
					return -1;
				if (rc == 0)
					any = true;
			}
			p = *end ? end + 1 : end;
		}
		return any ? 0 : 1;
	}
	const char *home = getenv("HOME");
	if (!home || !*home)
		return 1;
	char path[4096];
	snprintf(path, sizeof(path), "%s/.kube/config", home);
	return sunset_kubeconfig_merge_file(kc, path, true, err, errlen);
}

const sunset_kube_context *sunset_kubeconfig_context(const sunset_kubeconfig *kc, const char *name)
{
	for (size_t i = 0; name && i < kc->ncontext; i++)
		if (strcmp(kc->context[i].name, name) == 0)
			return &kc->context[i];
	return NULL;
}

const sunset_kube_cluster *sunset_kubeconfig_cluster(const sunset_kubeconfig *kc, const char *name)
{
	for (size_t i = 0; name && i < kc->ncluster; i++)
		if (strcmp(kc->cluster[i].name, name) == 0)
			return &kc->cluster[i];
	return NULL;
}

const sunset_kube_user *sunset_kubeconfig_user(const sunset_kubeconfig *kc, const char *name)
{
	for (size_t i = 0; name && i < kc->nuser; i++)
		if (strcmp(kc->user[i].name, name) == 0)
			return &kc->user[i];
	return NULL;
}

/* ---- from a context to connection settings ---- */

static int load_pem(sunset_arena *a, const char *what, const char *path, const char **data, size_t *len,
		    char *err, size_t errlen)
{
	char *p;
	if (read_small_file(a, path, MAX_CERT_BYTES, &p, len) < 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	*data = p;
	return 0;
}

int config_from_kubeconfig(const sunset_kubeconfig *kc, const char *context, sunset_arena *a,
			   cluster_config *cfg, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof(*cfg));
	const char *name = context && *context ? context : kc->current_context;
	if (!name) {
		snprintf(err, errlen, "%s: no current-context is set (use --context)", kc->files);
		return -1;
	}
	const sunset_kube_context *ctx = sunset_kubeconfig_context(kc, name);
	if (!ctx) {
		snprintf(err, errlen, "%s: context \"%s\" not found", kc->files, name);
		return -1;
	}
	const sunset_kube_cluster *cl = sunset_kubeconfig_cluster(kc, ctx->cluster);
	if (!cl) {
		snprintf(err, errlen, "%s: context \"%s\": cluster \"%s\" not found", ctx->origin, name,
			 ctx->cluster ? ctx->cluster : "");
		return -1;
	}
	if (!cl->server || !*cl->server) {
		snprintf(err, errlen, "%s: cluster \"%s\" has no server", cl->origin, cl->name);
		return -1;
	}
	cfg->context = name;
	size_t slen = strlen(cl->server);
	while (slen > 0 && cl->server[slen - 1] == '/')
		slen--;
	cfg->server = sunset_arena_strndup(a, cl->server, slen);
	cfg->insecure = cl->insecure;
	cfg->disable_compression = cl->disable_compression;
	cfg->tls_server_name = cl->tls_server_name && *cl->tls_server_name ? cl->tls_server_name : NULL;
	cfg->proxy_url = cl->proxy_url && *cl->proxy_url ? cl->proxy_url : NULL;
	char what[300];
	if (cl->ca_data) {
		cfg->ca = cl->ca_data;
		cfg->ca_len = cl->ca_len;
	} else if (cl->ca_file) {
		snprintf(what, sizeof(what), "cluster \"%s\": certificate-authority", cl->name);
		if (load_pem(a, what, cl->ca_file, &cfg->ca, &cfg->ca_len, err, errlen) < 0)
			return -1;
	}
	if (cfg->insecure && cfg->ca) {
		/* kubectl refuses this combination; so do we, rather than guess */
		snprintf(err, errlen, "%s: cluster \"%s\": certificate-authority and insecure-skip-tls-verify "
			 "cannot both be set", cl->origin, cl->name);
		return -1;
	}
	if (!ctx->user || !*ctx->user)
		return 0; /* anonymous */
	const sunset_kube_user *u = sunset_kubeconfig_user(kc, ctx->user);
	if (!u) {
		snprintf(err, errlen, "%s: context \"%s\": user \"%s\" not found", ctx->origin, name, ctx->user);
		return -1;
	}
	if (u->auth_provider && !u->exec && !u->token && !u->token_file) {
		snprintf(err, errlen, "%s: user \"%s\": auth-provider is no longer supported by Kubernetes "
			 "clients; use an exec credential plugin", u->origin, u->name);
		return -1;
	}
	if ((u->token || u->token_file) && (u->username || u->password)) {
		snprintf(err, errlen, "%s: user \"%s\": a token and a username/password cannot both be set",
			 u->origin, u->name);
		return -1;
	}
	cfg->token = u->token && *u->token ? u->token : NULL;
	cfg->token_file = u->token_file;
	cfg->username = u->username;
	cfg->password = u->password;
	cfg->exec = u->exec;
	cfg->impersonate = u->impersonate && *u->impersonate ? u->impersonate : NULL;
	cfg->impersonate_groups = u->impersonate_groups;
	cfg->nimpersonate_groups = u->nimpersonate_groups;
	if (u->cert_data) {
		cfg->cert = u->cert_data;
		cfg->cert_len = u->cert_len;
	} else if (u->cert_file) {
		snprintf(what, sizeof(what), "user \"%s\": client-certificate", u->name);
		if (load_pem(a, what, u->cert_file, &cfg->cert, &cfg->cert_len, err, errlen) < 0)
			return -1;
	}
	if (u->key_data) {
		cfg->key = u->key_data;
		cfg->key_len = u->key_len;
	} else if (u->key_file) {
		snprintf(what, sizeof(what), "user \"%s\": client-key", u->name);
		if (load_pem(a, what, u->key_file, &cfg->key, &cfg->key_len, err, errlen) < 0)
			return -1;
	}
	if (!cfg->cert != !cfg->key) {
		snprintf(err, errlen, "%s: user \"%s\": a client certificate needs both certificate and key",
			 u->origin, u->name);
		return -1;
	}
	return 0;
}

int config_in_cluster(sunset_arena *a, cluster_config *cfg, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof(*cfg));
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	if (!host || !*host || !port || !*port)
		return 1;
	const char *dir = getenv("SUNSET_SERVICEACCOUNT_DIR");
	if (!dir || !*dir)
		dir = "/var/run/secrets/kubernetes.io/serviceaccount";
	cfg->context = "in-cluster";
	/* an IPv6 service address needs brackets in a URL */
	bool v6 = strchr(host, ':') != NULL;
	cfg->server = sunset_arena_printf(a, "https://%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "", port);
	cfg->token_file = sunset_arena_printf(a, "%s/token", dir);
	const char *ca = sunset_arena_printf(a, "%s/ca.crt", dir);
	if (!cfg->server || !cfg->token_file || !ca ||
	    load_pem(a, "in-cluster service account CA", ca, &cfg->ca, &cfg->ca_len, err, errlen) < 0)
		return -1;
	return 0;
}
