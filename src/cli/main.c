/*
 * sunset: finds the Kubernetes APIs that an upgrade breaks.
 * main() only parses options and hands off to a subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct command {
	const char *name;
	int (*run)(cli_options *o);
} commands[] = {
	{"scan", cmd_scan},
	{"cluster", cmd_cluster},
	{"audit", cmd_audit},
	{"versions", cmd_versions},
	{"version", cmd_version},
};

int main(int argc, char **argv)
{
	cli_options o;
	if (cli_parse(&o, argc, argv) < 0)
		return SUNSET_EXIT_ERROR;
	if (!o.command) {
		cli_usage(o.help ? stdout : stderr, NULL);
		return o.help ? SUNSET_EXIT_OK : SUNSET_EXIT_ERROR;
	}
	if (o.help) {
		cli_usage(stdout, o.command);
		return SUNSET_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, o.command) == 0)
			return commands[i].run(&o);
	return SUNSET_EXIT_ERROR;
}
