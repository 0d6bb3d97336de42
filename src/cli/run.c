/*
 * What scan and cluster share: loading the table, resolving targets and
 * formats, the baseline, ignores from .sunset.yaml, printing the report and
 * the diagnostics, and the exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "sunset/read.h"
#include "sunset/expand.h"
#include "sunset/format.h"
#include "sunset/rules.h"

#ifndef SUNSET_VERSION_STRING
#define SUNSET_VERSION_STRING "0.0.0"
#endif

static char *read_small_file(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	sunset_buf b;
	sunset_buf_init(&b, max);
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || sunset_buf_append(&b, chunk, (size_t)n) < 0) {
			if (n >= 0)
				errno = EFBIG;
			close(fd);
			sunset_buf_release(&b);
			return NULL;
		}
		if (n == 0)
			break;
	}
	close(fd);
	if (!b.data)
		sunset_buf_append(&b, "", 0);
	*len = b.len;
	return b.data;
}

int cli_load_table(cli_options *o, sunset_table **out)
{
	char err[1024];
	sunset_table *t = sunset_table_new();
	if (sunset_table_load_builtin(t, err, sizeof(err)) < 0) {
		cli_diag("built-in table: %s", err);
		sunset_table_free(t);
		return -1;
	}
	/* a later table's row replaces an earlier one: flags' rows win */
	const char *tables[CLI_MAX_LIST];
	size_t ntables = cli_list_by_precedence(&o->tables, tables);
	for (size_t i = 0; i < ntables; i++) {
		size_t len;
		char *text = read_small_file(tables[i], (size_t)64 << 20, &len);
		if (!text) {
			cli_diag("%s: cannot read table: %s", tables[i], strerror(errno));
			sunset_table_free(t);
			return -1;
		}
		int rc = sunset_table_load(t, tables[i], text, len, err, sizeof(err));
		free(text);
		if (rc < 0) {
			cli_diag("%s", err);
			sunset_table_free(t);
			return -1;
		}
	}
	*out = t;
	return 0;
}

int cli_load_rules(sunset_rules **out)
{
	char err[1024];
	sunset_rules *rs = sunset_rules_new();
	if (sunset_rules_load_builtin(rs, err, sizeof(err)) < 0) {
		cli_diag("built-in rules: %s", err);
		sunset_rules_free(rs);
		return -1;
	}
	*out = rs;
	return 0;
}

/* --checks api,rules: which checks run. */
static int parse_checks(const char *spec, bool *api, bool *rules)
{
	*api = *rules = !spec;
	if (!spec)
		return 0;
	const char *p = spec;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 3 && strncmp(p, "api", 3) == 0)
			*api = true;
		else if (len == 5 && strncmp(p, "rules", 5) == 0)
			*rules = true;
		else {
			cli_diag("invalid --checks \"%s\" (expected api, rules or api,rules)", spec);
			return -1;
		}
		p = end ? end + 1 : p + len;
	}
	if (!*api && !*rules) {
		cli_diag("invalid --checks \"%s\" (expected api, rules or api,rules)", spec);
		return -1;
	}
	return 0;
}

int cli_prepare(cli_options *o, cli_run *run)
{
	memset(run, 0, sizeof(*run));
	if (cli_apply_env(o) < 0 || cli_apply_config(o) < 0)
		return -1;
	if (cli_load_table(o, &run->table) < 0)
		return -1;
	sunset_scan_options_init(&run->scan, run->table);
	char err[512];
	/* a later spec for the same component wins: flags over environment over config */
	const char *specs[CLI_MAX_LIST];
	size_t nspecs = cli_list_by_precedence(&o->targets, specs);
	for (size_t i = 0; i < nspecs; i++) {
		const char *spec = specs[i];
		/* cluster-relative targets are resolved by the cluster command */
		if (strstr(spec, "=next") || strstr(spec, "=cluster") || !strcmp(spec, "next") || !strcmp(spec, "cluster")) {
			if (!o->command || strcmp(o->command, "cluster") != 0) {
				cli_diag("invalid --target \"%s\": next and cluster are a live cluster's version "
					 "(sunset cluster)", spec);
				return -1;
			}
			continue;
		}
		if (sunset_targets_parse(&run->scan.targets, spec, err, sizeof(err)) < 0) {
			cli_diag("invalid --target: %s", err);
			return -1;
		}
	}
	for (size_t i = 0; i < run->scan.targets.n; i++) {
		if (!sunset_table_component(run->table, run->scan.targets.item[i].component)) {
			cli_diag("invalid --target: unknown component \"%s\" (see sunset versions)",
				 run->scan.targets.item[i].component);
			return -1;
		}
	}
	if (o->components) {
		for (const char *p = o->components; *p;) {
			const char *end = strchr(p, ',');
			if (!end)
				end = p + strlen(p);
			char id[64];
			size_t n = (size_t)(end - p);
			if (n == 0 || n >= sizeof(id)) {
				cli_diag("invalid --components \"%s\"", o->components);
				return -1;
			}
			memcpy(id, p, n);
			id[n] = '\0';
			/* "crd" and API groups (which contain a dot) select CRD-declared rows */
			if (!sunset_table_component(run->table, id) && strcmp(id, SUNSET_CRD_COMPONENT) != 0 &&
			    !strchr(id, '.')) {
				cli_diag("unknown component \"%s\" in --components (see sunset versions; \"crd\" selects CRD-declared deprecations)", id);
				return -1;
			}
			p = *end ? end + 1 : end;
		}
	}
	const char *fmt = o->output ? o->output : "text";
	run->format = sunset_format_find(fmt);
	if (!run->format) {
		cli_diag("unknown output format \"%s\" (text, wide, json, yaml, csv, markdown, sarif, junit, github)", fmt);
		return -1;
	}
	if (o->columns) {
		const sunset_column *cols[32];
		size_t n;
		if (sunset_columns_parse(o->columns, cols, 32, &n, err, sizeof(err)) < 0) {
			cli_diag("invalid --columns: %s", err);
			return -1;
		}
	}
	bool check_api, check_rules;
	if (parse_checks(o->checks, &check_api, &check_rules) < 0)
		return -1;
	/* NEEDSWORK: in a cluster, rules apply only to what is read whole (Helm
	 * release payloads); metadata rules on the metadata-only lists and the
	 * full workload lists are not done yet, so rules run there only when
	 * --checks asks for them */
	if (!o->checks && o->command && strcmp(o->command, "cluster") == 0)
		check_rules = false;
	if (check_rules && cli_load_rules(&run->rules) < 0)
		return -1;
	run->scan.rules = run->rules;
	run->scan.no_api_check = !check_api;
	run->scan.only_removed = o->only_removed;
	run->scan.components = o->components;
	run->scan.jobs = o->jobs;
	run->scan.all_revisions = o->all_revisions;
	run->scan.keep_checked = run->format->wants_checked;
	run->scan.annotations = o->annotations.item;
	run->scan.nannotations = o->annotations.n;
	run->scan.stdin_name = o->stdin_name;
	run->report.targets = &run->scan.targets;
	run->report.table = run->table;
	run->report.columns = o->columns;
	run->report.tool_version = SUNSET_VERSION_STRING;
	run->report.baseline = o->baseline != NULL;
	run->report.no_headers = o->no_headers;
	const char *no_color = getenv("NO_COLOR");
	run->report.color = !o->no_color && !(no_color && *no_color) && !o->output_file &&
			    isatty(STDOUT_FILENO);
	run->policy.ignore_deprecations = o->ignore_deprecations;
	run->policy.ignore_removals = o->ignore_removals;
	run->policy.ignore_unavailable_replacements = o->ignore_unavailable_replacements;
	run->policy.ignore_errors = o->ignore_errors;
	run->policy.strict = o->strict;
	return 0;
}

void cli_finish_release(cli_run *run)
{
	sunset_table_free(run->table);
	run->table = NULL;
	sunset_rules_free(run->rules);
	run->rules = NULL;
}

/* ---- baseline ---- */

/* "./a/b.yaml" and "a/b.yaml" name the same file: `sunset scan .` and
 * `sunset scan a` share a baseline and ignore rules. */
static const char *plain_path(const char *p)
{
	while (p && p[0] == '.' && p[1] == '/')
		for (p += 2; *p == '/'; p++)
			;
	return p ? p : "";
}

static const char *item_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* What a baseline matches on: never the line, so edits that move an
 * object keep it known. */
typedef struct baseline_key {
	const char *file, *api_version, *kind, *namespace, *name;
} baseline_key;

static uint64_t key_hash(const baseline_key *k)
{
	const char *parts[] = {plain_path(k->file), k->api_version, k->kind, k->namespace, k->name};
	uint64_t h = 0;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const char *p = parts[i] ? parts[i] : "";
		h = sunset_hash(p, strlen(p) + 1, h);
	}
	return h;
}

static bool key_eq(const baseline_key *a, const baseline_key *b)
{
#define EQ(x, y) (strcmp((x) ? (x) : "", (y) ? (y) : "") == 0)
	return EQ(plain_path(a->file), plain_path(b->file)) && EQ(a->api_version, b->api_version) &&
	       EQ(a->kind, b->kind) && EQ(a->namespace, b->namespace) && EQ(a->name, b->name);
#undef EQ
}

static baseline_key item_key(json_t *it)
{
	json_t *api = json_object_get(it, "api");
	/* a rule finding is known by its rule, not by the object's apiVersion */
	const char *rule_id = item_str(json_object_get(it, "rule"), "id");
	return (baseline_key){item_str(it, "filePath"), *rule_id ? rule_id : item_str(api, "version"), item_str(api, "kind"),
			      item_str(it, "namespace"), item_str(it, "name")};
}

static int apply_baseline(const char *path, sunset_report *r)
{
	size_t len;
	char *text = read_small_file(path, (size_t)256 << 20, &len);
	if (!text) {
		cli_diag("%s: cannot read baseline: %s", path, strerror(errno));
		return -1;
	}
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr);
	free(text);
	if (!root) {
		cli_diag("%s:%d:%d: cannot read baseline: %s", path, jerr.line > 0 ? jerr.line : 1,
			 jerr.column > 0 ? jerr.column : 1, jerr.text);
		return -1;
	}
	json_t *items = json_object_get(root, "items");
	if (!json_is_array(items)) {
		cli_diag("%s:1:1: a baseline is a JSON report with \"items\"", path);
		json_decref(root);
		return -1;
	}
	/* an open-addressing index of the items, so large baselines stay linear */
	size_t n = json_array_size(items), cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	size_t *slot = sunset_xcalloc(cap, sizeof(*slot));
	for (size_t j = 0; j < n; j++) {
		baseline_key k = item_key(json_array_get(items, j));
		size_t s = (size_t)key_hash(&k) & (cap - 1);
		while (slot[s])
			s = (s + 1) & (cap - 1);
		slot[s] = j + 1;
	}
	for (size_t i = 0; i < r->nfinding; i++) {
		sunset_finding *f = &r->finding[i];
		baseline_key k = {f->obj.file_path, f->rule ? f->rule->id : f->row->api_version, f->obj.kind, f->obj.namespace, f->obj.name};
		for (size_t s = (size_t)key_hash(&k) & (cap - 1); slot[s]; s = (s + 1) & (cap - 1)) {
			baseline_key b = item_key(json_array_get(items, slot[s] - 1));
			if (key_eq(&k, &b)) {
				f->known = true;
				r->known++;
				break;
			}
		}
	}
	free(slot);
	json_decref(root);
	return 0;
}

/* .sunset.yaml "ignore:" entries: a glob on the file path, or Kind/name or
 * Kind/namespace/name (globs allowed in each part). */
static bool ignored(const cli_options *o, const sunset_object *ob)
{
	for (size_t i = 0; i < o->ignores.n; i++) {
		const char *pat = o->ignores.item[i];
		if (ob->file_path && fnmatch(pat, plain_path(ob->file_path), 0) == 0)
			return true;
		char obj[1024];
		snprintf(obj, sizeof(obj), "%s/%s", ob->kind, ob->name ? ob->name : "");
		if (fnmatch(pat, obj, 0) == 0)
			return true;
		snprintf(obj, sizeof(obj), "%s/%s/%s", ob->kind, ob->namespace ? ob->namespace : "",
			 ob->name ? ob->name : "");
		if (fnmatch(pat, obj, 0) == 0)
			return true;
	}
	return false;
}

/* --output-file and --write-baseline: a regular file is replaced whole,
 * through a temporary file of our own beside it (mkstemp: O_EXCL, a fresh
 * name, so a symlink planted at a predictable name is never followed and two
 * runs never share one) and a rename, so a reader never sees half a report
 * and a failed run leaves the old one; a device, pipe or symlink
 * (/dev/stdout, <(cmd)) is written in place, never replaced. */
static int write_report_file(const char *path, const char *what,
			     int (*write)(FILE *, const sunset_report *, const sunset_report_options *),
			     cli_run *run, const sunset_report *r)
{
	struct stat st;
	bool exists = lstat(path, &st) == 0;
	bool replace = !exists || S_ISREG(st.st_mode);
	size_t n = strlen(path) + sizeof(".sunset-XXXXXX");
	char *tmp = sunset_xmalloc(n);
	snprintf(tmp, n, "%s.sunset-XXXXXX", path);
	int err = 0, wrc = 0, fd = -1;
	FILE *f = NULL;
	if (replace) {
		fd = mkstemp(tmp);
		/* mkstemp's 0600; a new file gets what the umask allows, as fopen */
		mode_t mask = umask(0);
		umask(mask);
		if (fd >= 0)
			(void)fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~mask);
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	}
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		err = errno;
		if (fd >= 0)
			close(fd);
		if (replace && fd >= 0)
			unlink(tmp);
		goto out;
	}
	errno = 0;
	wrc = write(f, r, &run->report); /* < 0: the format said why */
	if (fflush(f) != 0 || ferror(f))
		err = errno ? errno : EIO;
	if (fclose(f) != 0 && !err)
		err = errno;
	if (!err && wrc == 0 && replace && rename(tmp, path) != 0)
		err = errno;
	if (replace && (err || wrc < 0))
		unlink(tmp);
out:
	if (err)
		cli_diag("%s: cannot write %s: %s", path, what, strerror(err));
	free(tmp);
	return err || wrc < 0 ? -1 : 0;
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* One line on stderr: what was read, what was found, and what was silenced
 * or known, so that silence stays visible.  Always the same fields, so that
 * a script can read it too. */
static void summary_line(const cli_options *o, const sunset_report *r)
{
	uint64_t removed = 0, deprecated = 0, unavailable = 0;
	for (size_t i = 0; i < r->nfinding; i++) {
		const sunset_status *st = &r->finding[i].status;
		if (st->removed) {
			removed++;
		} else {
			deprecated++;
			if (!st->replacement_available)
				unavailable++;
		}
	}
	char read[128], dep[96];
	unsigned long long inputs = (unsigned long long)r->inputs;
	if (o->command && strcmp(o->command, "cluster") == 0)
		snprintf(read, sizeof(read), "%llu %s", inputs, plural(inputs, "input", "inputs"));
	else
		snprintf(read, sizeof(read), "%llu %s, %llu %s", inputs, plural(inputs, "file", "files"),
			 (unsigned long long)r->documents, plural(r->documents, "document", "documents"));
	snprintf(dep, sizeof(dep), "%llu deprecated", (unsigned long long)deprecated);
	if (unavailable)
		snprintf(dep + strlen(dep), sizeof(dep) - strlen(dep), " (%llu without a served replacement)",
			 (unsigned long long)unavailable);
	cli_diag("%s, %llu %s: %llu removed, %s; %llu %s; %llu ignored; %llu known", read,
		 (unsigned long long)r->objects, plural(r->objects, "object", "objects"),
		 (unsigned long long)removed, dep, (unsigned long long)r->nerror,
		 plural(r->nerror, "error", "errors"), (unsigned long long)r->ignored,
		 (unsigned long long)r->known);
}

int cli_emit(cli_options *o, cli_run *run, sunset_report *r)
{
	if (o->ignores.n) {
		size_t j = 0;
		for (size_t i = 0; i < r->nfinding; i++)
			if (!ignored(o, &r->finding[i].obj))
				r->finding[j++] = r->finding[i];
		r->ignored += r->nfinding - j;
		r->nfinding = j;
		/* JUnit shows them as skipped, like "# sunset:ignore" */
		for (size_t i = 0; i < r->nchecked; i++)
			if (ignored(o, &r->checked[i]))
				r->checked[i].ignored = true;
	}
	if (o->baseline && apply_baseline(o->baseline, r) < 0)
		return SUNSET_EXIT_ERROR;
	for (size_t i = 0; i < r->nerror; i++) {
		const sunset_error *e = &r->error[i];
		if (e->line)
			cli_diag("%s:%u:%u: error: %s", e->path, e->line, e->column, e->message);
		else
			cli_diag("%s: error: %s", e->path, e->message);
	}
	if (o->write_baseline) {
		if (write_report_file(o->write_baseline, "baseline", sunset_format_json, run, r) < 0)
			return SUNSET_EXIT_ERROR;
	}
	/* the file is what was asked for: written even with -q */
	if (o->output_file) {
		if (write_report_file(o->output_file, "output", run->format->write, run, r) < 0)
			return SUNSET_EXIT_ERROR;
	} else if (!o->quiet) {
		if (run->format->write(stdout, r, &run->report) < 0)
			return SUNSET_EXIT_ERROR;
		if (fflush(stdout) != 0) {
			cli_diag("cannot write output: %s", strerror(errno));
			return SUNSET_EXIT_ERROR;
		}
	}
	/* for people: after a table, or when the report went to a file */
	if (!o->quiet && (o->output_file || !strcmp(run->format->name, "text") ||
			  !strcmp(run->format->name, "wide")))
		summary_line(o, r);
	int rc = sunset_report_exit_code(r, &run->policy);
	if (run->policy.strict && r->nerror && !run->policy.ignore_errors)
		rc = SUNSET_EXIT_ERROR;
	return rc;
}

int cmd_scan(cli_options *o)
{
	cli_run run;
	if (cli_prepare(o, &run) < 0) {
		cli_finish_release(&run);
		return SUNSET_EXIT_ERROR;
	}
	sunset_report r;
	sunset_report_init(&r);
	r.keep_checked = run.scan.keep_checked;
	sunset_scan_paths(&run.scan, o->paths.item, o->paths.n, &r);
	int rc = cli_emit(o, &run, &r);
	sunset_report_release(&r);
	cli_finish_release(&run);
	return rc;
}
