/*
 * Fuzz target: the audit-log reader (src/read/audit.c) over every shape it
 * knows, with a small record limit so that over-limit records, truncated
 * lines and embedded events are all reached by short inputs.
 */
#include <string.h>

#include "fuzz_common.h"
#include "sunset/audit.h"

static void on_event(void *ctx, const sunset_audit_event *ev)
{
	(void)ctx;
	/* every field is a string, positions are 1-based */
	if (!ev->api_group || !ev->api_version || !ev->resource || !ev->subresource || !ev->namespace ||
	    !ev->verb || !ev->user || !ev->user_agent || !ev->request_uri || !ev->stage ||
	    !ev->removed_release || ev->line == 0 || ev->column == 0)
		abort();
	(void)strlen(ev->resource);
	(void)strlen(ev->user_agent);
}

static void on_error(void *ctx, uint32_t line, uint32_t column, const char *msg)
{
	(void)ctx;
	if (line == 0 || column == 0 || !msg || !*msg)
		abort(); /* every error has a position and a reason */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sunset_audit_limits lim = {.max_record = 4096, .max_depth = 64};
	sunset_audit_sink sink = {.event = on_event, .error = on_error};
	sunset_audit_read_mem((const char *)data, size, &lim, &sink);
	return 0;
}
