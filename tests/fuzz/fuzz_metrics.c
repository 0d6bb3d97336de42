/*
 * Fuzz target: the apiserver's /metrics text, read for the
 * apiserver_requested_deprecated_apis samples (src/cluster/metrics.c).
 */
#include <string.h>

#include "fuzz_common.h"
#include "sunset/cluster.h"

static void on_error(void *ctx, uint32_t line, uint32_t column, const char *msg)
{
	size_t *n = ctx;
	if (line == 0 || column == 0 || !msg || !*msg)
		abort(); /* every error about the text has a position and a reason */
	(*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sunset_arena a;
	sunset_arena_init(&a, 0);
	sunset_deprecated_request *out = NULL;
	size_t nerr = 0;
	size_t n = sunset_metrics_deprecated((const char *)data, size, &a, &out, on_error, &nerr);
	for (size_t i = 0; i < n; i++) {
		/* every sample names what it is about */
		if (!out[i].group || !out[i].version || !out[i].resource)
			abort();
		if (out[i].line == 0)
			abort();
		(void)strlen(out[i].group);
	}
	sunset_arena_release(&a);
	return 0;
}
