/*
 * The group setup most unit tests share: the compiled-in table, loaded once
 * for the whole group into `table` and freed after it.  A load failure is
 * printed, since cmocka only says that the group setup failed.
 */
#ifndef SUNSET_TEST_BUILTIN_TABLE_H
#define SUNSET_TEST_BUILTIN_TABLE_H

#include <stdio.h>

#include "sunset/table.h"

static sunset_table *table;

static int builtin_table_setup(void **state)
{
	(void)state;
	char err[256];
	table = sunset_table_new();
	if (sunset_table_load_builtin(table, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int builtin_table_teardown(void **state)
{
	(void)state;
	sunset_table_free(table);
	table = NULL;
	return 0;
}

#endif
