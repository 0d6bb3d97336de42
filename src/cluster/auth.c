/*
 * Credentials for each request: a bearer token (given, or read from a token
 * file), basic auth, a client certificate, or whatever an exec credential
 * plugin (client.authentication.k8s.io v1 or v1beta1) prints.  A plugin's
 * credential is cached until its expirationTimestamp, so one run asks the
 * plugin once however many requests it makes; a 401 drops the cache once.
 *
 * The auth owns its credentials (two arenas: static ones, and the current
 * exec credential, reset when the plugin runs again).  No message written
 * here holds a credential or the plugin's output: a plugin that misbehaves
 * is described, not quoted.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

extern char **environ;

#define MAX_TOKEN_FILE ((size_t)1 << 20)
#define MAX_PLUGIN_OUTPUT ((size_t)1 << 20)
#define PLUGIN_TIMEOUT_SECONDS 60.0

static double now_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A value that goes into an HTTP header must not be able to end it. */
static bool header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

static int read_token_file(cluster_auth *a, const char *path, char *err, size_t errlen)
{
	char *tok;
	size_t len;
	if (read_small_file(&a->arena, path, MAX_TOKEN_FILE, &tok, &len) < 0) {
		snprintf(err, errlen, "token file %s: %s", path, strerror(errno));
		return -1;
	}
	/* client-go trims the file; a trailing newline is the usual case */
	while (len && (tok[len - 1] == '\n' || tok[len - 1] == '\r' || tok[len - 1] == ' ' || tok[len - 1] == '\t'))
		tok[--len] = '\0';
	while (*tok == ' ' || *tok == '\t' || *tok == '\n' || *tok == '\r')
		tok++;
	if (!*tok) {
		snprintf(err, errlen, "token file %s is empty", path);
		return -1;
	}
	if (!header_safe(tok)) {
		snprintf(err, errlen, "token file %s holds a control character", path);
		return -1;
	}
	a->cred.bearer = tok;
	return 0;
}

int auth_init(cluster_auth *a, const cluster_config *cfg, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	sunset_arena_init(&a->arena, 0);
	sunset_arena_init(&a->exec_arena, 0);
	a->exec_timeout = PLUGIN_TIMEOUT_SECONDS;
	if (cfg->token) {
		if (!header_safe(cfg->token)) {
			snprintf(err, errlen, "context \"%s\": the token holds a control character", cfg->context);
			return -1;
		}
		a->cred.bearer = cfg->token;
	} else if (cfg->token_file && read_token_file(a, cfg->token_file, err, errlen) < 0) {
		return -1;
	}
	a->cred.username = cfg->username;
	a->cred.password = cfg->password;
	a->cred.cert = cfg->cert;
	a->cred.cert_len = cfg->cert_len;
	a->cred.key = cfg->key;
	a->cred.key_len = cfg->key_len;
	return 0;
}

void auth_release(cluster_auth *a)
{
	sunset_arena_release(&a->arena);
	sunset_arena_release(&a->exec_arena);
}

bool auth_invalidate(cluster_auth *a, unsigned generation)
{
	if (!a->cfg->exec)
		return false;
	if (generation == a->generation)
		a->exec_valid = false;
	return true;
}

/* ---- exec plugins ---- */

/* "2024-05-20T12:00:00Z", with optional fraction and numeric offset. */
static int parse_rfc3339(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec;
	int n = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return -1;
	const char *p = s + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om, m = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5)
			return -1;
		off = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	/* days from civil (Howard Hinnant), so no timegm() is needed */
	int64_t yy = y - (mo <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	*out = days * 86400 + h * 3600 + mi * 60 + sec - off;
	return 0;
}

static char *exec_info(const cluster_config *cfg, bool interactive)
{
	const sunset_kube_exec *x = cfg->exec;
	json_t *spec = json_pack("{s:b}", "interactive", interactive);
	if (x->provide_cluster_info) {
		json_t *cl = json_pack("{s:s}", "server", cfg->server);
		if (cfg->tls_server_name)
			json_object_set_new(cl, "tls-server-name", json_string(cfg->tls_server_name));
		if (cfg->insecure)
			json_object_set_new(cl, "insecure-skip-tls-verify", json_true());
		if (cfg->proxy_url)
			json_object_set_new(cl, "proxy-url", json_string(cfg->proxy_url));
		if (cfg->ca) {
			static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
			sunset_buf b;
			sunset_buf_init(&b, 0);
			const unsigned char *p = (const unsigned char *)cfg->ca;
			for (size_t i = 0; i < cfg->ca_len; i += 3) {
				uint32_t v = (uint32_t)p[i] << 16;
				if (i + 1 < cfg->ca_len)
					v |= (uint32_t)p[i + 1] << 8;
				if (i + 2 < cfg->ca_len)
					v |= p[i + 2];
				char q[4] = {b64[(v >> 18) & 63], b64[(v >> 12) & 63],
					     i + 1 < cfg->ca_len ? b64[(v >> 6) & 63] : '=',
					     i + 2 < cfg->ca_len ? b64[v & 63] : '='};
				sunset_buf_append(&b, q, 4);
			}
			json_object_set_new(cl, "certificate-authority-data", json_string(b.data ? b.data : ""));
			sunset_buf_release(&b);
		}
		json_object_set_new(spec, "cluster", cl);
	}
	json_t *root = json_pack("{s:s,s:s,s:o}", "kind", "ExecCredential", "apiVersion", x->api_version,
				 "spec", spec);
	char *s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return s;
}

typedef struct cred_ctx {
	cluster_auth *a;
	char *err;
	size_t errlen;
	int rc;
} cred_ctx;

static int on_credential(void *ctx, const sunset_node *root)
{
	cred_ctx *c = ctx;
	cluster_auth *a = c->a;
	const sunset_kube_exec *x = a->cfg->exec;
	const char *kind = sunset_node_str(sunset_map_get(root, "kind"));
	const char *av = sunset_node_str(sunset_map_get(root, "apiVersion"));
	if (!kind || strcmp(kind, "ExecCredential") != 0) {
		snprintf(c->err, c->errlen, "exec plugin \"%s\" did not print an ExecCredential", x->command);
		return 0;
	}
	if (!av || strcmp(av, x->api_version) != 0) {
		snprintf(c->err, c->errlen, "exec plugin \"%s\" answered with apiVersion \"%s\", not \"%s\"",
			 x->command, av ? av : "", x->api_version);
		return 0;
	}
	const sunset_node *st = sunset_map_get(root, "status");
	const char *token = sunset_node_str(sunset_map_get(st, "token"));
	const char *cert = sunset_node_str(sunset_map_get(st, "clientCertificateData"));
	const char *key = sunset_node_str(sunset_map_get(st, "clientKeyData"));
	const char *exp = sunset_node_str(sunset_map_get(st, "expirationTimestamp"));
	if ((!token || !*token) && (!cert || !key)) {
		snprintf(c->err, c->errlen, "exec plugin \"%s\" returned neither a token nor a client certificate and key",
			 x->command);
		return 0;
	}
	if (!cert != !key) {
		snprintf(c->err, c->errlen, "exec plugin \"%s\" returned a client certificate without its key (or the reverse)",
			 x->command);
		return 0;
	}
	if (token && !header_safe(token)) {
		snprintf(c->err, c->errlen, "exec plugin \"%s\" returned a token holding a control character", x->command);
		return 0;
	}
	int64_t expires = 0;
	if (exp && *exp && parse_rfc3339(exp, &expires) < 0) {
		snprintf(c->err, c->errlen, "exec plugin \"%s\" returned an expirationTimestamp that is not RFC 3339",
			 x->command);
		return 0;
	}
	sunset_arena_reset(&a->exec_arena);
	a->cred.bearer = token && *token ? sunset_arena_strdup(&a->exec_arena, token) : a->cfg->token;
	if (cert) {
		a->cred.cert = sunset_arena_strdup(&a->exec_arena, cert);
		a->cred.cert_len = strlen(cert);
		a->cred.key = sunset_arena_strdup(&a->exec_arena, key);
		a->cred.key_len = strlen(key);
	}
	a->cred.from_exec = true;
	a->exec_expires = expires;
	a->exec_valid = true;
	a->generation++;
	c->rc = 0;
	return 0;
}

/* Runs the plugin with stdin from /dev/null, its stdout into out (bounded),
 * its stderr to ours (plugins print login hints there, as with kubectl). */
static int run_plugin(cluster_auth *a, sunset_buf *out, char *err, size_t errlen)
{
	const sunset_kube_exec *x = a->cfg->exec;
	int rc = -1;
	int pipefd[2] = {-1, -1};
	char *info = NULL;
	char **argv = NULL, **envp = NULL;
	posix_spawn_file_actions_t fa;
	bool fa_init = false;
	pid_t pid = -1;

	bool interactive = false;
	if (x->interactive_mode && strcmp(x->interactive_mode, "Always") == 0) {
		snprintf(err, errlen, "exec plugin \"%s\" needs an interactive terminal (interactiveMode: Always); "
			 "sunset runs it without one", x->command);
		return -1;
	}
	info = exec_info(a->cfg, interactive);
	size_t nenv = 0;
	while (environ[nenv])
		nenv++;
	envp = sunset_xcalloc(nenv + x->nenv + 2, sizeof(*envp));
	size_t k = 0;
	for (size_t i = 0; i < nenv; i++) {
		/* the kubeconfig's env entries replace inherited ones of the same name */
		bool replaced = strncmp(environ[i], "KUBERNETES_EXEC_INFO=", 21) == 0;
		for (size_t j = 0; j < x->nenv && !replaced; j++) {
			size_t n = (size_t)(strchr(x->env[j], '=') - x->env[j]);
			replaced = strncmp(environ[i], x->env[j], n + 1) == 0;
		}
		if (!replaced)
			envp[k++] = environ[i];
	}
	for (size_t j = 0; j < x->nenv; j++)
		envp[k++] = (char *)x->env[j];
	char *info_env = NULL;
	if (info) {
		size_t n = strlen(info) + sizeof("KUBERNETES_EXEC_INFO=");
		info_env = sunset_xmalloc(n);
		snprintf(info_env, n, "KUBERNETES_EXEC_INFO=%s", info);
		envp[k++] = info_env;
	}
	argv = sunset_xcalloc(x->nargs + 2, sizeof(*argv));
	argv[0] = (char *)x->command;
	for (size_t i = 0; i < x->nargs; i++)
		argv[i + 1] = (char *)x->args[i];

	if (pipe(pipefd) < 0) {
		snprintf(err, errlen, "exec plugin \"%s\": pipe: %s", x->command, strerror(errno));
		goto out;
	}
	fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	fa_init = true;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pipefd[1]);
	int e = posix_spawnp(&pid, x->command, &fa, NULL, argv, envp);
	close(pipefd[1]);
	pipefd[1] = -1;
	if (e != 0) {
		pid = -1;
		snprintf(err, errlen, "exec plugin \"%s\" could not be started: %s%s%s", x->command, strerror(e),
			 x->install_hint ? "; " : "", x->install_hint ? x->install_hint : "");
		goto out;
	}
	a->exec_runs++;
	double deadline = now_monotonic() + a->exec_timeout;
	bool too_big = false, timed_out = false;
	for (;;) {
		double left = deadline - now_monotonic();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
		int pr = poll(&p, 1, (int)(left * 1000) + 1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		char chunk[8192];
		ssize_t n = read(pipefd[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (sunset_buf_append(out, chunk, (size_t)n) < 0) {
			too_big = true;
			break;
		}
	}
	if (timed_out || too_big)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (timed_out) {
		snprintf(err, errlen, "exec plugin \"%s\" did not finish within %.0f seconds", x->command, a->exec_timeout);
		goto out;
	}
	if (too_big) {
		snprintf(err, errlen, "exec plugin \"%s\" printed more than %zu bytes", x->command, MAX_PLUGIN_OUTPUT);
		goto out;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(err, errlen, "exec plugin \"%s\" was not found%s%s", x->command,
			 x->install_hint ? "; " : "", x->install_hint ? x->install_hint : "");
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			snprintf(err, errlen, "exec plugin \"%s\" exited with status %d", x->command, WEXITSTATUS(status));
		else
			snprintf(err, errlen, "exec plugin \"%s\" was killed by signal %d", x->command, WTERMSIG(status));
		goto out;
	}
	rc = 0;
out:
	if (fa_init)
		posix_spawn_file_actions_destroy(&fa);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	free(info);
	free(info_env);
	free(argv);
	free(envp);
	return rc;
}

int auth_current(cluster_auth *a, const cluster_credential **out, char *err, size_t errlen)
{
	const sunset_kube_exec *x = a->cfg->exec;
	if (x && !(a->exec_valid && (a->exec_expires == 0 || (int64_t)time(NULL) < a->exec_expires))) {
		sunset_buf b;
		sunset_buf_init(&b, MAX_PLUGIN_OUTPUT);
		int rc = run_plugin(a, &b, err, errlen);
		if (rc == 0) {
			cred_ctx c = {a, err, errlen, -1};
			sunset_limits lim;
			sunset_limits_default(&lim);
			lim.max_document_bytes = MAX_PLUGIN_OUTPUT * 4;
			char perr[256];
			if (parse_json_body(b.data ? b.data : "", b.len, &lim, on_credential, &c, perr, sizeof(perr)) < 0)
				snprintf(err, errlen, "exec plugin \"%s\" printed something that is not JSON", x->command);
			rc = c.rc;
		}
		sunset_buf_release(&b);
		if (rc < 0)
			return -1;
	}
	*out = &a->cred;
	return 0;
}
