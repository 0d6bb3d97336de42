/* The apiserver_requested_deprecated_apis parser: samples found (non-zero
 * only), label escapes, other metrics ignored, malformed samples reported
 * with line and column (table rows of input -> expected). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sunset/cluster.h"

typedef struct errors {
	char text[1024];
} errors;

static void on_error(void *ctx, uint32_t line, uint32_t column, const char *msg)
{
	errors *e = ctx;
	size_t n = strlen(e->text);
	snprintf(e->text + n, sizeof(e->text) - n, "%s%u:%u: %s", n ? "|" : "", line, column, msg);
}

/* "group/version/resource/subresource@removed_release#line" joined by ';' */
static void summarize(const sunset_deprecated_request *s, size_t n, char *out, size_t outlen)
{
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(out);
		snprintf(out + k, outlen - k, "%s%s/%s/%s/%s@%s#%u", i ? ";" : "", s[i].group, s[i].version,
			 s[i].resource, s[i].subresource, s[i].removed_release ? s[i].removed_release : "-",
			 s[i].line);
	}
}

static void rows(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want, *errors;
	} rows[] = {
		{"# HELP apiserver_requested_deprecated_apis Gauge\n"
		 "# TYPE apiserver_requested_deprecated_apis gauge\n"
		 "apiserver_requested_deprecated_apis{group=\"flowcontrol.apiserver.k8s.io\",removed_release=\"1.29\","
		 "resource=\"flowschemas\",subresource=\"\",version=\"v1beta2\"} 1\n"
		 "apiserver_requested_deprecated_apis{group=\"\",removed_release=\"\",resource=\"pods\",subresource=\"status\","
		 "version=\"v1\"} 1\n",
		 "flowcontrol.apiserver.k8s.io/v1beta2/flowschemas/@1.29#3;/v1/pods/status@#4", ""},
		/* zero and NaN are not requests; a longer metric name is another metric */
		{"apiserver_requested_deprecated_apis{group=\"a\",resource=\"r\",version=\"v1\"} 0\n"
		 "apiserver_requested_deprecated_apis{group=\"a\",resource=\"r\",version=\"v1\"} NaN\n"
		 "apiserver_requested_deprecated_apis_total{group=\"a\",resource=\"r\",version=\"v2\"} 1\n"
		 "apiserver_request_total{group=\"a\",resource=\"r\",version=\"v3\"} 5\n",
		 "", ""},
		/* CRLF, blanks, a trailing comma, a timestamp, exponent values, escapes */
		{"apiserver_requested_deprecated_apis { group = \"g\" , resource=\"r\\\"q\\\\\",version=\"v1\", } 1e0 1700000000\r\n"
		 "apiserver_requested_deprecated_apis{version=\"v2\",resource=\"x\\ny\"} +1.5",
		 "g/v1/r\"q\\/@-#1;/v2/x\ny/@-#2", ""},
		/* malformed samples are reported and skipped, the rest is read */
		{"apiserver_requested_deprecated_apis{group=\"a\" resource=\"r\"} 1\n"
		 "apiserver_requested_deprecated_apis{group=\"a\",resource=\"r\",version=\"v1\"} one\n"
		 "apiserver_requested_deprecated_apis{group=\"a\",resource=\"r\",version=\"v1\"}\n"
		 "apiserver_requested_deprecated_apis{group=\"a\",resource=\"r} 1\n"
		 "apiserver_requested_deprecated_apis{group=\"a\",=\"r\"} 1\n"
		 "apiserver_requested_deprecated_apis{group=\"a\",resource=\"r\"} 1\n"
		 "apiserver_requested_deprecated_apis{group=\"a\\q\"} 1\n"
		 "apiserver_requested_deprecated_apis{group=\"ok\",resource=\"r\",version=\"v9\"} 2\n",
		 "ok/v9/r/@-#8",
		 "1:47: expected ',' or '}' after a label|2:74: the sample value is not a number|"
		 "3:73: expected a sample value|4:61: label value is not closed|5:47: expected a label name|"
		 "6:1: the sample has no version or resource label|7:46: invalid escape in a label value"},
		{"", "", ""},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_arena a;
		sunset_arena_init(&a, 0);
		errors e = {""};
		sunset_deprecated_request *s = NULL;
		size_t n = sunset_metrics_deprecated(rows[i].text, strlen(rows[i].text), &a, &s, on_error, &e);
		char got[1024];
		summarize(s, n, got, sizeof(got));
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu: samples \"%s\", want \"%s\"", i, got, rows[i].want);
		if (strcmp(e.text, rows[i].errors) != 0)
			fail_msg("row %zu: errors \"%s\", want \"%s\"", i, e.text, rows[i].errors);
		sunset_arena_release(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
