/*
 * Every option, declared once: its long name, short letter, whether it
 * takes a value, which commands accept it, and its help line.  The flags,
 * the environment (SUNSET_TARGET, SUNSET_OUTPUT, SUNSET_TABLE, NO_COLOR)
 * and .sunset.yaml all set options through opt_set(), so they cannot drift.
 * Precedence: flags, then environment, then the config file: each later
 * layer only fills what the earlier ones left unset.  Lists gather every
 * layer's items (a repository's tables stay when a flag adds one), and are
 * applied lowest layer first, so a flag's target for one component or a
 * flag's table row overrides the config's and leaves the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sunset/check.h"
#include "sunset/doc.h"
#include "sunset/read.h"
#include "sunset/format.h"

enum {
	CMD_SCAN = 1,
	CMD_CLUSTER = 2,
	CMD_VERSIONS = 4,
	CMD_VERSION = 8,
	CMD_AUDIT = 16,
	CMD_CHECKS = CMD_SCAN | CMD_CLUSTER,
	CMD_REPORTS = CMD_CHECKS | CMD_AUDIT, /* commands that print a findings report */
	CMD_ALL = 31
};
enum arg { ARG_NONE, ARG_VALUE, ARG_LIST };

typedef enum opt_id {
	O_ALL_REVISIONS, O_ANNOTATION, O_BASELINE, O_CHECKS, O_CHUNK_SIZE, O_COLUMNS, O_COMPONENT, O_COMPONENTS, O_CONFIG,
	O_CONTEXT, O_DEPRECATED_IN, O_HELP, O_IGNORE_DEPRECATIONS, O_IGNORE_ERRORS, O_IGNORE_REMOVALS,
	O_IGNORE_UNAVAILABLE, O_JOBS, O_KUBECONFIG, O_NAMESPACE, O_NO_COLOR, O_NO_HEADERS, O_ONLY_REMOVED, O_OUTPUT,
	O_OUTPUT_FILE, O_QUIET, O_REMOVED_IN, O_REQUEST_TIMEOUT, O_SOURCES, O_STDIN_NAME, O_STRICT, O_TABLE, O_TARGET,
	O_WRITE_BASELINE, O_TIMEOUT, O_BY, O_SINCE, O_UNTIL, O_EXCLUDE_USER, O_EXCLUDE_AGENT, O_MAX_KEYS, O_RULES
} opt_id;

typedef struct opt_def {
	const char *name;
	char short_name;
	enum arg arg;
	opt_id id;
	unsigned commands;
	const char *meta, *help;
} opt_def;

/* sorted by name */
static const opt_def opts[] = {
	{"all-revisions", 0, ARG_NONE, O_ALL_REVISIONS, CMD_CHECKS, NULL, "check every Helm release revision, not only the newest"},
	{"annotation", 0, ARG_LIST, O_ANNOTATION, CMD_CHECKS, "NAME", "another annotation holding an applied manifest (repeatable)"},
	{"baseline", 0, ARG_VALUE, O_BASELINE, CMD_CHECKS, "FILE", "findings in FILE (a JSON report) are known: shown, not failing"},
	{"by", 0, ARG_VALUE, O_BY, CMD_AUDIT, "namespace", "audit: also aggregate by namespace"},
	{"checks", 0, ARG_VALUE, O_CHECKS, CMD_CHECKS, "LIST", "which checks run: api,rules (default both)"},
	{"chunk-size", 0, ARG_VALUE, O_CHUNK_SIZE, CMD_CLUSTER, "N", "objects per list page (default 500)"},
	{"columns", 0, ARG_VALUE, O_COLUMNS, CMD_REPORTS, "A,B,..", "columns for text, wide, csv and markdown"},
	{"component", 0, ARG_VALUE, O_COMPONENT, CMD_VERSIONS, "ID", "only this component's rows"},
	{"components", 0, ARG_VALUE, O_COMPONENTS, CMD_REPORTS, "A,B", "only these components (e.g. k8s,cert-manager)"},
	{"config", 0, ARG_VALUE, O_CONFIG, CMD_CHECKS, "FILE", "read settings from FILE instead of ./.sunset.yaml"},
	{"context", 0, ARG_VALUE, O_CONTEXT, CMD_CLUSTER, "NAME", "kubeconfig context"},
	{"deprecated-in", 0, ARG_VALUE, O_DEPRECATED_IN, CMD_VERSIONS, "VER", "only rows deprecated in VER (e.g. 1.22)"},
	{"exclude-agent", 0, ARG_LIST, O_EXCLUDE_AGENT, CMD_AUDIT, "GLOB", "audit: skip requests whose user agent matches GLOB (repeatable)"},
	{"exclude-user", 0, ARG_LIST, O_EXCLUDE_USER, CMD_AUDIT, "GLOB", "audit: skip requests whose user matches GLOB (repeatable)"},
	{"help", 'h', ARG_NONE, O_HELP, CMD_ALL, NULL, "show this help"},
	{"ignore-deprecations", 0, ARG_NONE, O_IGNORE_DEPRECATIONS, CMD_REPORTS, NULL, "do not exit 2 for deprecated APIs"},
	{"ignore-errors", 0, ARG_NONE, O_IGNORE_ERRORS, CMD_REPORTS, NULL, "do not exit 1 for unreadable inputs"},
	{"ignore-removals", 0, ARG_NONE, O_IGNORE_REMOVALS, CMD_REPORTS, NULL, "do not exit 3 for removed APIs"},
	{"ignore-unavailable-replacements", 0, ARG_NONE, O_IGNORE_UNAVAILABLE, CMD_REPORTS, NULL, "do not exit 4 when a replacement is not yet served"},
	{"jobs", 'j', ARG_VALUE, O_JOBS, CMD_REPORTS, "N", "worker threads (default: online CPUs)"},
	{"kubeconfig", 0, ARG_VALUE, O_KUBECONFIG, CMD_CLUSTER, "FILE", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config)"},
	{"max-keys", 0, ARG_VALUE, O_MAX_KEYS, CMD_AUDIT, "N", "audit: distinct aggregation keys kept (default 100000)"},
	{"namespace", 'n', ARG_VALUE, O_NAMESPACE, CMD_CLUSTER, "NS", "only this namespace"},
	{"no-color", 0, ARG_NONE, O_NO_COLOR, CMD_REPORTS | CMD_VERSIONS, NULL, "never colour the output"},
	{"no-headers", 0, ARG_NONE, O_NO_HEADERS, CMD_REPORTS, NULL, "text, wide, csv, markdown: rows only, no header line"},
	{"only-removed", 'r', ARG_NONE, O_ONLY_REMOVED, CMD_REPORTS, NULL, "only report removed APIs"},
	{"output", 'o', ARG_VALUE, O_OUTPUT, CMD_REPORTS | CMD_VERSIONS, "FMT", "text|wide|json|yaml|csv|markdown|sarif|junit|github"},
	{"output-file", 0, ARG_VALUE, O_OUTPUT_FILE, CMD_REPORTS, "FILE", "write the report to FILE (replaced whole), not stdout"},
	{"quiet", 'q', ARG_NONE, O_QUIET, CMD_REPORTS, NULL, "no report on stdout, no summary line; only the exit code"},
	{"removed-in", 0, ARG_VALUE, O_REMOVED_IN, CMD_VERSIONS, "VER", "only rows removed in VER (e.g. 1.25)"},
	{"request-timeout", 0, ARG_VALUE, O_REQUEST_TIMEOUT, CMD_CLUSTER, "SECONDS", "timeout for each API request (default 30)"},
	{"rules", 0, ARG_NONE, O_RULES, CMD_VERSIONS, NULL, "list the rules (breaking changes inside objects), not the API rows"},
	{"since", 0, ARG_VALUE, O_SINCE, CMD_AUDIT, "TIME", "audit: only requests at or after TIME (RFC 3339)"},
	{"sources", 0, ARG_VALUE, O_SOURCES, CMD_CLUSTER, "A,B", "last-applied,managed-fields,helm-release,apiserver-metrics"},
	{"stdin-name", 0, ARG_VALUE, O_STDIN_NAME, CMD_SCAN | CMD_AUDIT, "NAME", "file name to report for '-'"},
	{"strict", 0, ARG_NONE, O_STRICT, CMD_REPORTS, NULL, "exit 1 for unreadable inputs even when APIs were found"},
	{"table", 0, ARG_LIST, O_TABLE, CMD_REPORTS | CMD_VERSIONS, "FILE", "extra table rows (ours or pluto's format; repeatable)"},
	{"target", 't', ARG_LIST, O_TARGET, CMD_REPORTS, "COMP=VER", "target versions, e.g. k8s=1.33 (a bare version means k8s)"},
	{"timeout", 0, ARG_VALUE, O_TIMEOUT, CMD_CLUSTER, "DURATION", "bound for the whole run, e.g. 90s, 5m, 1h30m"},
	{"until", 0, ARG_VALUE, O_UNTIL, CMD_AUDIT, "TIME", "audit: only requests before TIME (RFC 3339)"},
	{"write-baseline", 0, ARG_VALUE, O_WRITE_BASELINE, CMD_CHECKS, "FILE", "write the current findings to FILE as a baseline"},
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/* Messages carry names and paths from the inputs and URLs from the
 * kubeconfig: control characters are shown, not obeyed, and a password in a
 * URL is masked, here where every message passes. */
void cli_diag(const char *fmt, ...)
{
	va_list ap;
	char small[1024], *msg = small;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		msg = sunset_xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	size_t rn = sunset_redact_url_passwords(msg, NULL, 0);
	char *redacted = sunset_xmalloc(rn + 1);
	sunset_redact_url_passwords(msg, redacted, rn + 1);
	fputs("sunset: ", stderr);
	sunset_fputs_escaped(stderr, redacted);
	fputc('\n', stderr);
	free(redacted);
	if (msg != small)
		free(msg);
}

/* A Go duration as kubectl takes it ("90s", "1h30m", "500ms"); a bare
 * number is seconds.  Positive, at most a week. */
static int parse_duration(const char *v, double *out)
{
	char *end;
	double total = strtod(v, &end);
	if (end != v && *end == '\0') {
		*out = total;
		return total > 0 && total <= 604800 ? 0 : -1;
	}
	total = 0;
	const char *p = v;
	if (!*p)
		return -1;
	while (*p) {
		if (!((*p >= '0' && *p <= '9') || *p == '.'))
			return -1;
		double n = strtod(p, &end);
		if (end == p)
			return -1;
		p = end;
		double unit;
		if (strncmp(p, "ms", 2) == 0)
			unit = 0.001, p += 2;
		else if (*p == 'h')
			unit = 3600, p++;
		else if (*p == 'm')
			unit = 60, p++;
		else if (*p == 's')
			unit = 1, p++;
		else
			return -1;
		total += n * unit;
	}
	*out = total;
	return total > 0 && total <= 604800 ? 0 : -1;
}

static unsigned command_bit(const char *cmd)
{
	if (!cmd)
		return 0;
	if (strcmp(cmd, "scan") == 0)
		return CMD_SCAN;
	if (strcmp(cmd, "cluster") == 0)
		return CMD_CLUSTER;
	if (strcmp(cmd, "versions") == 0)
		return CMD_VERSIONS;
	if (strcmp(cmd, "version") == 0)
		return CMD_VERSION;
	if (strcmp(cmd, "audit") == 0)
		return CMD_AUDIT;
	return 0;
}

static int by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const opt_def *)elem)->name);
}

static const opt_def *find_long(const char *name)
{
	return bsearch(name, opts, NOPTS, sizeof(opts[0]), by_name);
}

static const opt_def *find_short(char c)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (opts[i].short_name == c)
			return &opts[i];
	return NULL;
}

/* "path:line:column: " while a config file's values are set, so that a bad
 * value in it is reported where it is written. */
static char opt_where[768];

static void opt_error(const char *fmt, ...) SUNSET_PRINTF(1, 2);
static void opt_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_diag("%s%s", opt_where, msg);
}

static int list_add(cli_list *l, const char *v, const char *what, cli_origin layer)
{
	if (l->n == CLI_MAX_LIST) {
		opt_error("too many %s (at most %d)", what, CLI_MAX_LIST);
		return -1;
	}
	l->layer[l->n] = (unsigned char)layer;
	l->item[l->n++] = v;
	return 0;
}

size_t cli_list_by_precedence(const cli_list *l, const char **out)
{
	size_t n = 0;
	for (int layer = CLI_CONFIG; layer >= CLI_FLAG; layer--)
		for (size_t i = 0; i < l->n; i++)
			if (l->layer[i] == layer)
				out[n++] = l->item[i];
	return n;
}

/* Cluster-relative targets ("k8s=next") are resolved by the cluster command. */
static bool cluster_relative(const char *spec)
{
	return strstr(spec, "=next") || strstr(spec, "=cluster") || !strcmp(spec, "next") ||
	       !strcmp(spec, "cluster");
}

/* Sets one option.  `layer` fills only what is still unset unless it is a flag. */
static int opt_set(cli_options *o, const opt_def *d, const char *v, cli_origin layer)
{
	bool fill = layer == CLI_FLAG;
#define SET_STR(field) do { if (fill || !o->field) o->field = v; } while (0)
#define SET_BOOL(field) do { o->field = true; } while (0)
	switch (d->id) {
	case O_ALL_REVISIONS: SET_BOOL(all_revisions); break;
	case O_ANNOTATION: return list_add(&o->annotations, v, "annotations", layer);
	case O_BASELINE: SET_STR(baseline); break;
	case O_CHUNK_SIZE: {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || *end || n < 1 || n > 100000) {
			opt_error("invalid --chunk-size \"%s\" (expected 1..100000)", v);
			return -1;
		}
		if (fill || !o->chunk_size)
			o->chunk_size = (unsigned)n;
		break;
	}
	case O_COLUMNS: SET_STR(columns); break;
	case O_COMPONENT: SET_STR(component); break;
	case O_COMPONENTS: SET_STR(components); break;
	case O_CHECKS: SET_STR(checks); break;
	case O_RULES: SET_BOOL(rules); break;
	case O_CONFIG: SET_STR(config); break;
	case O_CONTEXT: SET_STR(context); break;
	case O_DEPRECATED_IN: SET_STR(deprecated_in); break;
	case O_HELP: SET_BOOL(help); break;
	case O_IGNORE_DEPRECATIONS: SET_BOOL(ignore_deprecations); break;
	case O_IGNORE_ERRORS: SET_BOOL(ignore_errors); break;
	case O_IGNORE_REMOVALS: SET_BOOL(ignore_removals); break;
	case O_IGNORE_UNAVAILABLE: SET_BOOL(ignore_unavailable_replacements); break;
	case O_JOBS: {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || *end || n < 1 || n > 256) {
			opt_error("invalid --jobs \"%s\" (expected 1..256)", v);
			return -1;
		}
		if (fill || !o->jobs)
			o->jobs = (unsigned)n;
		break;
	}
	case O_KUBECONFIG: SET_STR(kubeconfig); break;
	case O_NAMESPACE: SET_STR(namespace); break;
	case O_NO_COLOR: SET_BOOL(no_color); break;
	case O_NO_HEADERS: SET_BOOL(no_headers); break;
	case O_ONLY_REMOVED: SET_BOOL(only_removed); break;
	case O_OUTPUT:
		if (!fill && o->output)
			break;
		if (!sunset_format_find(v)) {
			opt_error("unknown output format \"%s\" (text, wide, json, yaml, csv, markdown, sarif, junit, github)", v);
			return -1;
		}
		o->output = v;
		break;
	case O_OUTPUT_FILE: SET_STR(output_file); break;
	case O_QUIET: SET_BOOL(quiet); break;
	case O_REMOVED_IN: SET_STR(removed_in); break;
	case O_REQUEST_TIMEOUT: {
		char *end;
		double t = strtod(v, &end);
		if (*end == 's' && end[1] == '\0')
			end++;
		if (*end || !(t > 0) || t > 3600) {
			opt_error("invalid --request-timeout \"%s\" (expected seconds, e.g. 30)", v);
			return -1;
		}
		if (fill || !o->request_timeout)
			o->request_timeout = t;
		break;
	}
	case O_TIMEOUT: {
		double t;
		if (parse_duration(v, &t) < 0) {
			opt_error("invalid --timeout \"%s\" (expected a duration, e.g. 90s, 5m, 1h30m)", v);
			return -1;
		}
		if (fill || !o->run_timeout)
			o->run_timeout = t;
		break;
	}
	case O_SOURCES: SET_STR(sources); break;
	case O_STDIN_NAME: SET_STR(stdin_name); break;
	case O_STRICT: SET_BOOL(strict); break;
	case O_TABLE: return list_add(&o->tables, v, "tables", layer);
	case O_TARGET:
		if (!cluster_relative(v)) {
			sunset_targets scratch = {.n = 0};
			char err[512];
			if (sunset_targets_parse(&scratch, v, err, sizeof(err)) < 0) {
				opt_error("invalid %s: %s",
					  layer == CLI_FLAG ? "--target" : layer == CLI_ENV ? "SUNSET_TARGET" : "target", err);
				return -1;
			}
		}
		return list_add(&o->targets, v, "targets", layer);
	case O_WRITE_BASELINE: SET_STR(write_baseline); break;
	case O_BY:
		if (strcmp(v, "namespace") != 0) {
			opt_error("--by takes \"namespace\", not \"%s\"", v);
			return -1;
		}
		SET_STR(by);
		break;
	case O_SINCE: SET_STR(since); break;
	case O_UNTIL: SET_STR(until); break;
	case O_EXCLUDE_USER: return list_add(&o->exclude_user, v, "exclude-user patterns", layer);
	case O_EXCLUDE_AGENT: return list_add(&o->exclude_agent, v, "exclude-agent patterns", layer);
	case O_MAX_KEYS: {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(v, &end, 10);
		if (errno || *end || !*v || n == 0 || n > 100000000ull) {
			opt_error("--max-keys takes a number from 1 to 100000000, not \"%s\"", v);
			return -1;
		}
		o->max_keys = (size_t)n;
		break;
	}
	}
#undef SET_STR
#undef SET_BOOL
	return 0;
}

int cli_parse(cli_options *o, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	int i = 1;
	if (i < argc && argv[i][0] != '-')
		o->command = argv[i++];
	else if (i < argc && strcmp(argv[i], "-") == 0)
		o->command = "scan";
	unsigned bit = command_bit(o->command);
	if (o->command && !bit) {
		cli_diag("unknown command \"%s\" (try: scan, cluster, audit, versions, version)", o->command);
		return -1;
	}
	bool only_paths = false;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (only_paths || a[0] != '-' || strcmp(a, "-") == 0) {
			if (bit != CMD_SCAN && bit != CMD_AUDIT) {
				cli_diag("%s takes no arguments (got \"%s\")", o->command ? o->command : "sunset", a);
				return -1;
			}
			if (list_add(&o->paths, a, "paths", CLI_FLAG) < 0)
				return -1;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_paths = true;
			continue;
		}
		const opt_def *d;
		const char *value = NULL;
		char name[64];
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (len >= sizeof(name)) {
				cli_diag("unknown option \"%s\"", a);
				return -1;
			}
			memcpy(name, a + 2, len);
			name[len] = '\0';
			d = find_long(name);
			if (eq)
				value = eq + 1;
		} else {
			d = find_short(a[1]);
			if (d && a[2])
				value = a + 2;
		}
		if (!d) {
			cli_diag("unknown option \"%s\" (see sunset %s --help)", a, o->command ? o->command : "");
			return -1;
		}
		if (bit && !(d->commands & bit)) {
			cli_diag("option --%s does not apply to \"%s\"", d->name, o->command);
			return -1;
		}
		if (d->arg == ARG_NONE) {
			if (value) {
				cli_diag("option --%s takes no value", d->name);
				return -1;
			}
		} else if (!value) {
			if (i + 1 >= argc) {
				cli_diag("option --%s needs a value (%s)", d->name, d->meta);
				return -1;
			}
			value = argv[++i];
		}
		if (opt_set(o, d, value, CLI_FLAG) < 0)
			return -1;
	}
	return 0;
}

int cli_apply_env(cli_options *o)
{
	const char *v;
	if ((v = getenv("SUNSET_TARGET")) && *v && opt_set(o, find_long("target"), v, CLI_ENV) < 0)
		return -1;
	if ((v = getenv("SUNSET_OUTPUT")) && *v && opt_set(o, find_long("output"), v, CLI_ENV) < 0)
		return -1;
	if ((v = getenv("SUNSET_TABLE")) && *v) {
		/* a colon-separated list, like PATH; the copy lives for the run */
		static char copy[8192];
		if (strlen(v) >= sizeof(copy)) {
			cli_diag("SUNSET_TABLE is too long");
			return -1;
		}
		memcpy(copy, v, strlen(v) + 1);
		for (char *p = copy; *p;) {
			char *end = strchr(p, ':');
			if (end)
				*end = '\0';
			if (*p && list_add(&o->tables, p, "tables", CLI_ENV) < 0)
				return -1;
			if (!end)
				break;
			p = end + 1;
		}
	}
	if ((v = getenv("NO_COLOR")) && *v)
		o->no_color = true;
	return 0;
}

void cli_usage(FILE *out, const char *command)
{
	unsigned bit = command_bit(command);
	if (!bit) {
		fputs("usage: sunset <command> [options]\n\n"
		      "Finds the Kubernetes APIs that an upgrade breaks.\n\n"
		      "commands:\n"
		      "  scan [PATH|-]...   files and directories (recursively), '-' for stdin; no PATH: '.'\n"
		      "  cluster            a live cluster, through kubeconfig or the in-cluster service account\n"
		      "  audit [PATH|-]...  kube-apiserver audit logs: who still calls deprecated APIs\n"
		      "  versions           print the deprecation table\n"
		      "  version            tool and table versions\n\n"
		      "exit codes: 3 removed API, 4 deprecated API whose replacement is not yet served,\n"
		      "2 deprecated API, 1 unreadable input or failed cluster source, 0 nothing found.\n"
		      "Run 'sunset <command> --help' for its options.\n",
		      out);
		return;
	}
	fprintf(out, "usage: sunset %s%s [options]\n\noptions:\n", command,
		bit == CMD_SCAN || bit == CMD_AUDIT ? " [PATH|-]..." : "");
	for (size_t i = 0; i < NOPTS; i++) {
		if (!(opts[i].commands & bit))
			continue;
		char left[64];
		if (opts[i].short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", opts[i].short_name, opts[i].name,
				 opts[i].meta ? " " : "", opts[i].meta ? opts[i].meta : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", opts[i].name, opts[i].meta ? " " : "",
				 opts[i].meta ? opts[i].meta : "");
		fprintf(out, "  %-40s %s\n", left, opts[i].help);
	}
	if (bit & CMD_CHECKS)
		fputs("\nEnvironment: SUNSET_TARGET, SUNSET_OUTPUT, SUNSET_TABLE, NO_COLOR.\n"
		      "A '# sunset:ignore' comment on an object's apiVersion line silences that object.\n"
		      "After a text or wide report, or one written to --output-file, a summary line\n"
		      "goes to stderr (files, documents, objects, findings, errors, ignored, known).\n",
		      out);
}

/* ---- .sunset.yaml ---- */

typedef struct config_ctx {
	cli_options *o;
	const char *path;
	int rc;
	sunset_arena *keep; /* strings referenced by options */
} config_ctx;

static const char *config_str(config_ctx *c, const sunset_node *v, const char *key)
{
	v = sunset_node_resolve(v);
	if (!v || v->type != SUNSET_NODE_SCALAR) {
		cli_diag("%s:%u:%u: \"%s\" must be a string", c->path, v ? v->line : 1, v ? v->column : 1, key);
		c->rc = -1;
		return NULL;
	}
	return sunset_arena_strdup(c->keep, v->str);
}

/* Sets one option from the config, reporting a bad value where it is written. */
static void config_set(config_ctx *c, const opt_def *d, const char *value, const sunset_node *at)
{
	snprintf(opt_where, sizeof(opt_where), "%s:%u:%u: ", c->path, at->line, at->column);
	if (opt_set(c->o, d, value, CLI_CONFIG) < 0)
		c->rc = -1;
	opt_where[0] = '\0';
}

static void config_fail(config_ctx *c, const sunset_node *at, const char *what, const char *key)
{
	cli_diag("%s:%u:%u: \"%s\" %s", c->path, at->line, at->column, key, what);
	c->rc = -1;
}

static int config_doc(void *ctx, const sunset_doc *doc)
{
	config_ctx *c = ctx;
	const sunset_node *root = sunset_node_resolve(doc->root);
	if (!root)
		return 0;
	if (root->type != SUNSET_NODE_MAPPING) {
		cli_diag("%s:%u:%u: the config is a mapping of option names to values", c->path, root->line, root->column);
		c->rc = -1;
		return 0;
	}
	for (size_t i = 0; i + 1 < root->nchild && c->rc == 0; i += 2) {
		const sunset_node *k = sunset_node_resolve(root->child[i]);
		const sunset_node *v = sunset_node_resolve(root->child[i + 1]);
		if (!k || k->type != SUNSET_NODE_SCALAR)
			continue;
		const sunset_node *at = v ? v : k;
		if (strcmp(k->str, "ignore") == 0) {
			if (!v || v->type != SUNSET_NODE_SEQUENCE) {
				config_fail(c, at, "must be a list", "ignore");
				return 0;
			}
			for (size_t j = 0; j < v->nchild; j++) {
				const char *s = config_str(c, v->child[j], "ignore");
				if (s && list_add(&c->o->ignores, s, "ignores", CLI_CONFIG) < 0)
					c->rc = -1;
			}
			continue;
		}
		/* "targets: {k8s: 1.33}" is the friendly spelling of target */
		if (strcmp(k->str, "targets") == 0) {
			if (!v || v->type != SUNSET_NODE_MAPPING) {
				config_fail(c, at, "maps components to versions, e.g. targets: {k8s: \"1.33\"}", "targets");
				return 0;
			}
			for (size_t j = 0; j + 1 < v->nchild && c->rc == 0; j += 2) {
				const sunset_node *tk = sunset_node_resolve(v->child[j]);
				const sunset_node *tv = sunset_node_resolve(v->child[j + 1]);
				if (!tk || !tv || tk->type != SUNSET_NODE_SCALAR || tv->type != SUNSET_NODE_SCALAR) {
					config_fail(c, tk ? tk : v, "maps components to versions, e.g. targets: {k8s: \"1.33\"}",
						    "targets");
					return 0;
				}
				config_set(c, find_long("target"), sunset_arena_printf(c->keep, "%s=%s", tk->str, tv->str), tv);
			}
			continue;
		}
		const opt_def *d = find_long(k->str);
		if (!d || d->id == O_CONFIG || d->id == O_HELP || !(d->commands & CMD_CHECKS)) {
			cli_diag("%s:%u:%u: unknown setting \"%s\"", c->path, k->line, k->column, k->str);
			c->rc = -1;
			return 0;
		}
		if (d->arg == ARG_NONE) {
			if (!v || v->type != SUNSET_NODE_SCALAR || (strcmp(v->str, "true") && strcmp(v->str, "false"))) {
				config_fail(c, at, "must be true or false", k->str);
				return 0;
			}
			if (strcmp(v->str, "true") == 0)
				config_set(c, d, NULL, v);
		} else if (v && v->type == SUNSET_NODE_SEQUENCE && d->arg == ARG_LIST) {
			for (size_t j = 0; j < v->nchild && c->rc == 0; j++) {
				const char *s = config_str(c, v->child[j], k->str);
				if (s)
					config_set(c, d, s, sunset_node_resolve(v->child[j]));
			}
		} else {
			const char *s = config_str(c, v, k->str);
			if (s)
				config_set(c, d, s, v);
		}
	}
	return 0;
}

static void config_error(void *ctx, uint32_t line, uint32_t column, const char *message)
{
	config_ctx *c = ctx;
	cli_diag("%s:%u:%u: %s", c->path, line, column, message);
	c->rc = -1;
}

static sunset_arena config_strings;

int cli_apply_config(cli_options *o)
{
	const char *path = o->config ? o->config : ".sunset.yaml";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (!o->config && errno == ENOENT)
			return 0;
		cli_diag("%s: cannot open config: %s", path, strerror(errno));
		return -1;
	}
	sunset_arena_init(&config_strings, 1 << 20);
	config_ctx c = {o, path, 0, &config_strings};
	sunset_limits lim;
	sunset_limits_default(&lim);
	lim.max_document_bytes = 1 << 20;
	sunset_input in = {.fd = fd};
	sunset_doc_sink sink = {.doc = config_doc, .error = config_error, .ctx = &c};
	sunset_read_yaml(&in, &lim, &sink);
	close(fd);
	return c.rc;
}
