/*
 * The command line: one table of options (options.c) shared by the flags,
 * the environment and .sunset.yaml; one function per subcommand.
 */
#ifndef SUNSET_CLI_H
#define SUNSET_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "sunset/report.h"
#include "sunset/scan.h"
#include "sunset/table.h"
#include "sunset/format.h"

#define CLI_MAX_LIST 64

/* Where an option's value came from: earlier layers win. */
typedef enum cli_origin { CLI_FLAG, CLI_ENV, CLI_CONFIG } cli_origin;

typedef struct cli_list {
	const char *item[CLI_MAX_LIST];
	unsigned char layer[CLI_MAX_LIST]; /* the cli_origin of each item */
	size_t n;
} cli_list;

typedef struct cli_options {
	const char *command;
	cli_list targets; /* -t, each "k8s=1.33[,..]"; a higher layer wins per component */
	const char *output;
	const char *output_file; /* the report goes here instead of stdout */
	bool no_headers;
	const char *columns;
	bool only_removed;
	const char *components;
	const char *checks; /* "api,rules" (default both) */
	bool rules;	    /* versions --rules */
	cli_list tables;
	bool ignore_deprecations, ignore_removals, ignore_unavailable_replacements;
	bool ignore_errors, strict;
	unsigned jobs;
	const char *baseline, *write_baseline;
	bool no_color, quiet, help;
	bool all_revisions;
	const char *config;
	const char *stdin_name;
	/* cluster */
	const char *kubeconfig, *context, *namespace, *sources;
	cli_list annotations;
	double request_timeout;
	double run_timeout; /* --timeout, seconds; 0: none */
	unsigned chunk_size;
	/* versions */
	const char *component;
	const char *removed_in, *deprecated_in;
	cli_list paths;
	/* audit */
	const char *by, *since, *until;
	cli_list exclude_user, exclude_agent;
	size_t max_keys;
	/* ignores from .sunset.yaml: "Kind/namespace/name" patterns or paths */
	cli_list ignores;
} cli_options;


/* Items of every layer, lowest precedence first (config, environment,
 * flags; in the order given within a layer): applying them in this order
 * lets a higher layer override a target or a table row of a lower one. */
size_t cli_list_by_precedence(const cli_list *l, const char **out);

int cli_parse(cli_options *o, int argc, char **argv);
int cli_apply_env(cli_options *o);
int cli_apply_config(cli_options *o);
void cli_usage(FILE *out, const char *command);

/* Shared by scan and cluster: the table, targets and report options. */
typedef struct cli_run {
	sunset_table *table;
	struct sunset_rules *rules; /* NULL with --checks api */
	sunset_scan_options scan;
	sunset_report_options report;
	const sunset_format *format;
	sunset_exit_policy policy;
} cli_run;

int cli_prepare(cli_options *o, cli_run *run);
int cli_load_table(cli_options *o, sunset_table **out);
/* The built-in rules (data/NAME-rules.yaml). */
int cli_load_rules(struct sunset_rules **out);
void cli_finish_release(cli_run *run);
/* Prints diagnostics and the report; returns the exit code. */
int cli_emit(cli_options *o, cli_run *run, sunset_report *r);

int cmd_scan(cli_options *o);
int cmd_cluster(cli_options *o);
int cmd_audit(cli_options *o);
int cmd_versions(cli_options *o);
int cmd_version(cli_options *o);

/* The one place that writes diagnostics to stderr. */
void cli_diag(const char *fmt, ...) SUNSET_PRINTF(1, 2);

#endif
