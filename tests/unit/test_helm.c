/*
 * Helm releases: choosing the newest revision of each release, the payload
 * decoders (base64, gzip bounded, Tiller's protobuf) and whole Secrets and
 * ConfigMaps read through the scanner.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sunset/report.h"

/* ---- newest revision ---- */

static const sunset_api_row ingress_row = {
	.component = "k8s",
	.api_version = "extensions/v1beta1",
	.kind = "Ingress",
};

typedef struct rev {
	const char *ns, *name;
	int revision;
	const char *status;
	bool finding; /* false: only noted (decoded, nothing found) */
} rev;

static void add_rev(sunset_report *r, const rev *v)
{
	sunset_report_note_release(r, v->ns, v->name, v->revision, v->status);
	if (!v->finding)
		return;
	sunset_object o = {
		.api_version = "extensions/v1beta1", .kind = "Ingress", .name = "web",
		.file_path = "dump.yaml", .line = 7, .column = 14,
		.source = SUNSET_SOURCE_HELM_RELEASE, .release = v->name,
		.release_namespace = v->ns, .release_status = v->status, .revision = v->revision,
	};
	sunset_status st = {.deprecated = true, .removed = true, .replacement_available = true};
	sunset_report_add_finding(r, &o, &ingress_row, &st, SUNSET_VERSION(1, 36, 0));
}

static void newest_rows(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		rev revs[4];
		size_t nrev;
		const char *want; /* surviving findings as "ns/name#rev", sorted, space-separated */
	} rows[] = {
		{"newer deployed revision without findings hides the old one",
		 {{"shop", "web", 1, "superseded", true}, {"shop", "web", 2, "deployed", false}}, 2, ""},
		{"deployed beats a newer failed revision",
		 {{"shop", "web", 1, "deployed", true}, {"shop", "web", 2, "failed", true}}, 2, "shop/web#1"},
		{"no deployed revision: the newest of any status",
		 {{"shop", "web", 2, "failed", true}, {"shop", "web", 1, "superseded", true}}, 2, "shop/web#2"},
		{"no deployed revision, newest has no findings",
		 {{"shop", "web", 1, "superseded", true}, {"shop", "web", 3, "pending-upgrade", false}}, 2, ""},
		{"newest deployed among several",
		 {{"shop", "web", 1, "superseded", true}, {"shop", "web", 3, "deployed", true},
		  {"shop", "web", 2, "superseded", true}}, 3, "shop/web#3"},
		{"releases are keyed by namespace and name",
		 {{"a", "web", 1, "deployed", true}, {"b", "web", 2, "deployed", false},
		  {"b", "web", 1, "superseded", true}, {"a", "api", 4, "superseded", true}}, 4,
		 "a/api#4 a/web#1"},
		{"an uninstalled release still counts as the newest",
		 {{"shop", "web", 1, "superseded", true}, {"shop", "web", 2, "uninstalled", false}}, 2, ""},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_report r;
		sunset_report_init(&r);
		for (size_t j = 0; j < rows[i].nrev; j++)
			add_rev(&r, &rows[i].revs[j]);
		sunset_report_newest_releases(&r);
		sunset_report_sort(&r);
		char got[256] = "";
		for (size_t j = 0; j < r.nfinding; j++) {
			char one[64];
			snprintf(one, sizeof(one), "%s%s/%s#%d", j ? " " : "", r.finding[j].obj.release_namespace,
				 r.finding[j].obj.release, r.finding[j].obj.revision);
			strncat(got, one, sizeof(got) - strlen(got) - 1);
		}
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu (%s): kept \"%s\", want \"%s\"", i, rows[i].what, got, rows[i].want);
		sunset_report_release(&r);
	}
}

/* Notes travel with merges: workers see different files of one release. */
static void newest_across_merge(void **state)
{
	(void)state;
	sunset_report main_r, w1, w2;
	sunset_report_init(&main_r);
	sunset_report_init(&w1);
	sunset_report_init(&w2);
	add_rev(&w1, &(rev){"shop", "web", 1, "superseded", true});
	add_rev(&w2, &(rev){"shop", "web", 2, "deployed", false});
	sunset_object plain = {.api_version = "extensions/v1beta1", .kind = "Ingress", .name = "x",
			       .file_path = "a.yaml", .line = 1, .column = 13};
	sunset_status st = {.deprecated = true, .removed = true, .replacement_available = true};
	sunset_report_add_finding(&w2, &plain, &ingress_row, &st, SUNSET_VERSION(1, 36, 0));
	sunset_report_merge(&main_r, &w1);
	sunset_report_merge(&main_r, &w2);
	assert_int_equal(main_r.nrelease, 2);
	assert_int_equal(w1.nrelease, 0);
	sunset_report_newest_releases(&main_r);
	assert_int_equal(main_r.nfinding, 1); /* the plain file finding stays */
	assert_string_equal(main_r.finding[0].obj.file_path, "a.yaml");
	assert_null(main_r.finding[0].obj.release);
	sunset_report_release(&w1);
	sunset_report_release(&w2);
	sunset_report_release(&main_r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(newest_rows),
		cmocka_unit_test(newest_across_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
