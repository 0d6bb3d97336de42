/*
 * Fuzz target: the --table loader (our format and pluto's
 * `deprecated-versions:`), followed by the reads a scan makes of a table:
 * sorted rows, components and lookups of every row's own key.
 */
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	sunset_table *t = sunset_table_new();
	if (sunset_table_load(t, "fuzz-table.yaml", (const char *)data, size, err, sizeof(err)) == 0) {
		const sunset_api_row *const *rows;
		size_t n = sunset_table_rows(t, &rows);
		for (size_t i = 0; i < n; i++) {
			if (sunset_table_lookup(t, rows[i]->api_version, rows[i]->kind) == NULL) {
				fprintf(stderr, "fuzz: row %s %s not found by lookup\n", rows[i]->api_version,
					rows[i]->kind);
				abort();
			}
			sunset_status st;
			sunset_status_at(rows[i], SUNSET_VERSION(1, 33, 0), &st);
		}
		const sunset_component *comps;
		size_t nc = sunset_table_components(t, &comps);
		for (size_t i = 0; i < nc; i++)
			if (sunset_table_component(t, comps[i].id) == NULL)
				abort();
	} else if (memchr(err, '\0', sizeof(err)) == NULL) {
		abort(); /* the message must be a string */
	}
	sunset_table_free(t);
	return 0;
}
