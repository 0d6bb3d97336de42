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
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "builtin_table.h"

#include "expand/helm_payload.h"
#include "sunset/expand.h"
#include "sunset/chart.h"
#include "sunset/report.h"
#include "sunset/scan.h"
#include "sunset/read.h"

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

/* ---- helpers: encoders the tests build payloads with ---- */

static char *b64enc(const void *data, size_t n)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		*o++ = abc[v >> 18 & 63];
		*o++ = abc[v >> 12 & 63];
		*o++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? abc[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* gzip (windowBits 15 + 16) of p, malloc'd. */
static unsigned char *gz(const void *p, size_t n, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&z, (uLong)n) + 32;
	unsigned char *out = malloc(cap);
	z.next_in = (unsigned char *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/* ---- base64 ---- */

static void base64_rows(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t len; /* 0: strlen */
		int rc;
		const char *out;
		size_t outlen, bad;
	} rows[] = {
		{"", 0, 0, "", 0, 0},
		{"QQ==", 0, 0, "A", 1, 0},
		{"QUI=", 0, 0, "AB", 2, 0},
		{"QUJD", 0, 0, "ABC", 3, 0},
		{"QQ", 0, 0, "A", 1, 0},	    /* padding may be left out at the end */
		{"QUI", 0, 0, "AB", 2, 0},
		{"QUJDRA", 0, 0, "ABCD", 4, 0},
		{"QUJD\nRA==\r\n", 0, 0, "ABCD", 4, 0}, /* folded lines */
		{" Q U\tJ D ", 0, 0, "ABC", 3, 0},
		{"/+8=", 0, 0, "\xff\xef", 2, 0},
		{"Q", 0, -1, NULL, 0, 1},	    /* one character of a group */
		{"QUJDR", 0, -1, NULL, 0, 5},
		{"QQ=", 0, -1, NULL, 0, 2},	    /* padding cut short */
		{"Q===", 0, -1, NULL, 0, 1},	    /* padding after one character */
		{"=QQQ", 0, -1, NULL, 0, 0},
		{"QQ===", 0, -1, NULL, 0, 4},	    /* a third "=" */
		{"QQ==QUJD", 0, -1, NULL, 0, 4},    /* data after the padding */
		{"QU=D", 0, -1, NULL, 0, 3},
		{"QUJ!", 0, -1, NULL, 0, 3},
		{"QUJD-_", 0, -1, NULL, 0, 4},	    /* the URL-safe alphabet is not Helm's */
		{"QUJD\xc3\xa9", 0, -1, NULL, 0, 4},
		{"QUJD\0QQ", 7, -1, NULL, 0, 4},    /* a NUL inside the value */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t len = rows[i].len ? rows[i].len : strlen(rows[i].in), bad = 12345;
		sunset_buf out;
		sunset_buf_init(&out, 64);
		int rc = helm_base64_decode(rows[i].in, len, &out, &bad);
		if (rc != rows[i].rc)
			fail_msg("row %zu \"%s\": rc %d, want %d", i, rows[i].in, rc, rows[i].rc);
		if (rc == 0 && (out.len != rows[i].outlen || memcmp(out.data ? out.data : "", rows[i].out, out.len)))
			fail_msg("row %zu \"%s\": decoded %zu bytes, want %zu", i, rows[i].in, out.len, rows[i].outlen);
		if (rc < 0 && bad != rows[i].bad)
			fail_msg("row %zu \"%s\": bad at %zu, want %zu", i, rows[i].in, bad, rows[i].bad);
		sunset_buf_release(&out);
	}
}

static void base64_bounded(void **state)
{
	(void)state;
	sunset_buf out;
	size_t bad;
	sunset_buf_init(&out, 2);
	assert_int_equal(helm_base64_decode("QUJD", 4, &out, &bad), HELM_TOO_LARGE);
	assert_true(out.len <= 2);
	sunset_buf_release(&out);
}

/* ---- gzip ---- */

static void gunzip_rows(void **state)
{
	(void)state;
	static const char text[] = "{\"name\":\"web\"}";
	size_t zn;
	unsigned char *z = gz(text, strlen(text), &zn);
	unsigned char buf[512];
	enum { OK, TWO_MEMBERS, TRUNCATED, CORRUPT, TRAILING, EMPTY };
	static const struct {
		int shape;
		int rc;
		const char *out, *err;
	} rows[] = {
		{OK, 0, "{\"name\":\"web\"}", NULL},
		{TWO_MEMBERS, 0, "{\"name\":\"web\"}{\"name\":\"web\"}", NULL},
		{TRUNCATED, -1, NULL, "not valid gzip: the data is truncated"},
		{CORRUPT, -1, NULL, "not valid gzip: "},
		{TRAILING, -1, NULL, "not valid gzip: unexpected data after the gzip stream (byte "},
		{EMPTY, -1, NULL, "not valid gzip: the data is truncated"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t n = zn;
		memcpy(buf, z, zn);
		switch (rows[i].shape) {
		case TWO_MEMBERS:
			memcpy(buf + zn, z, zn);
			n = 2 * zn;
			break;
		case TRUNCATED:
			n = zn - 9;
			break;
		case CORRUPT:
			memset(buf + 10, 0xff, 6);
			break;
		case TRAILING:
			memcpy(buf + zn, "junk", 4);
			n = zn + 4;
			break;
		case EMPTY:
			n = 0;
			break;
		}
		sunset_buf out;
		sunset_buf_init(&out, 1024);
		char err[256] = "";
		int rc = helm_gunzip(buf, n, &out, err, sizeof(err));
		if (rc != rows[i].rc)
			fail_msg("row %zu: rc %d, want %d (%s)", i, rc, rows[i].rc, err);
		if (rows[i].out && (out.len != strlen(rows[i].out) || memcmp(out.data, rows[i].out, out.len)))
			fail_msg("row %zu: wrong output", i);
		if (rows[i].err && strncmp(err, rows[i].err, strlen(rows[i].err)) != 0)
			fail_msg("row %zu: error \"%s\", want \"%s...\"", i, err, rows[i].err);
		sunset_buf_release(&out);
	}
	free(z);
}

/* 64 MiB of zeros in about 64 KiB: the output stops at the maximum. */
static void gunzip_bomb_bounded(void **state)
{
	(void)state;
	static unsigned char zeros[1 << 16];
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = 1 << 20, len = 0;
	unsigned char *bomb = malloc(cap);
	for (int i = 0; i <= 1024; i++) {
		z.next_in = zeros;
		z.avail_in = i < 1024 ? sizeof(zeros) : 0;
		do {
			z.next_out = bomb + len;
			z.avail_out = (uInt)(cap - len);
			deflate(&z, i < 1024 ? Z_NO_FLUSH : Z_FINISH);
			len = cap - z.avail_out;
		} while (z.avail_in);
	}
	deflateEnd(&z);
	assert_true(len < 128 * 1024);

	const size_t max = (size_t)1 << 20;
	sunset_buf out;
	sunset_buf_init(&out, max);
	char err[256];
	assert_int_equal(helm_gunzip(bomb, len, &out, err, sizeof(err)), HELM_TOO_LARGE);
	assert_true(out.len <= max);
	assert_true(out.cap <= max + 1);
	sunset_buf_release(&out);

	/* exactly at the limit is fine */
	size_t exact_len;
	unsigned char *exact_src = calloc(1, max), *exact = gz(exact_src, max, &exact_len);
	sunset_buf_init(&out, max);
	assert_int_equal(helm_gunzip(exact, exact_len, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, max);
	sunset_buf_release(&out);
	free(exact_src);
	free(exact);
	free(bomb);
}

/* ---- Helm 2's protobuf ---- */

typedef struct pbw {
	unsigned char b[2048];
	size_t n;
} pbw;

static void w_varint(pbw *w, uint64_t v)
{
	do {
		w->b[w->n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

static void w_bytes(pbw *w, unsigned field, const void *p, size_t n)
{
	w_varint(w, (uint64_t)field << 3 | 2);
	w_varint(w, n);
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void w_int(pbw *w, unsigned field, uint64_t v)
{
	w_varint(w, (uint64_t)field << 3);
	w_varint(w, v);
}

static const char DS_MANIFEST[] = "---\n# Source: legacy/templates/ds.yaml\n"
				  "apiVersion: extensions/v1beta1\nkind: DaemonSet\nmetadata:\n  name: agent\n";

/* hapi.release.Release with the fields sunset reads and some it skips. */
static void hapi_build(pbw *w, const char *name, const char *ns, int version, unsigned code,
		       bool with_hook)
{
	pbw status = {.n = 0}, info = {.n = 0}, chart = {.n = 0}, hook = {.n = 0};
	w_int(&status, 1, code);
	w_bytes(&status, 3, "==> v1/Pod", 10);
	w_bytes(&info, 1, status.b, status.n);
	w_bytes(&info, 2, "\x08\x01", 2); /* first_deployed */
	w_bytes(&chart, 1, "\x0a\x06legacy", 8);
	memset(w, 0, sizeof(*w));
	w_bytes(w, 1, name, strlen(name));
	w_bytes(w, 2, info.b, info.n);
	w_bytes(w, 3, chart.b, chart.n);
	w_varint(w, 20 << 3 | 1); /* an unknown fixed64 */
	memcpy(w->b + w->n, "12345678", 8);
	w->n += 8;
	w_varint(w, 21 << 3 | 5); /* an unknown fixed32 */
	memcpy(w->b + w->n, "1234", 4);
	w->n += 4;
	w_bytes(w, 5, DS_MANIFEST, strlen(DS_MANIFEST));
	if (with_hook) {
		static const char hm[] = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: job\n";
		w_bytes(&hook, 1, "job", 3);
		w_bytes(&hook, 2, "CronJob", 7);
		w_bytes(&hook, 3, "legacy/templates/job.yaml", 25);
		w_bytes(&hook, 4, hm, strlen(hm));
		w_int(&hook, 5, 1);
		w_bytes(w, 6, hook.b, hook.n);
	}
	w_int(w, 7, (uint64_t)(int64_t)version);
	w_bytes(w, 8, ns, strlen(ns));
}

static void hapi_fields(void **state)
{
	(void)state;
	pbw w;
	hapi_build(&w, "legacy", "default", 7, 3, true);
	sunset_arena a;
	sunset_arena_init(&a, 0);
	helm_release rel;
	char err[256] = "";
	assert_int_equal(helm_hapi_decode(w.b, w.n, &a, &rel, err, sizeof(err)), 0);
	assert_string_equal(rel.name, "legacy");
	assert_string_equal(rel.namespace, "default");
	assert_string_equal(rel.status, "superseded");
	assert_int_equal(rel.revision, 7);
	assert_int_equal(rel.manifest_len, strlen(DS_MANIFEST));
	assert_memory_equal(rel.manifest, DS_MANIFEST, rel.manifest_len);
	assert_int_equal(rel.nhook, 1);
	assert_string_equal(rel.hook[0].path, "legacy/templates/job.yaml");
	assert_int_equal(rel.hook[0].manifest_len, 62);

	/* int32 -1 is sent as ten bytes; codes past PENDING_ROLLBACK are unknown */
	hapi_build(&w, "x", "y", -1, 99, false);
	assert_int_equal(helm_hapi_decode(w.b, w.n, &a, &rel, err, sizeof(err)), 0);
	assert_int_equal(rel.revision, -1);
	assert_string_equal(rel.status, "unknown");
	static const char *const names[] = {"unknown", "deployed", "deleted", "superseded", "failed",
					    "deleting", "pending-install", "pending-upgrade",
					    "pending-rollback"};
	for (unsigned i = 0; i < 9; i++)
		assert_string_equal(helm_hapi_status_name(i), names[i]);
	sunset_arena_release(&a);
}

static void hapi_malformed_rows(void **state)
{
	(void)state;
	static const struct {
		const char *bytes;
		size_t len;
		const char *err;
	} rows[] = {
		{"\x0a", 1, "the Helm 2 release is not a valid protobuf: truncated number at byte 1"},
		{"\x0a\x05" "a", 3, "the Helm 2 release is not a valid protobuf: field longer than the message at byte 2"},
		{"\x0b", 1, "the Helm 2 release is not a valid protobuf: unsupported wire type at byte 1"},
		{"\x00", 1, "the Helm 2 release is not a valid protobuf: field number 0 at byte 1"},
		{"\x38\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12,
		 "the Helm 2 release is not a valid protobuf: number longer than 10 bytes at byte 11"},
		{"\x39\x01\x02\x03", 4, "the Helm 2 release is not a valid protobuf: truncated fixed-size field at byte 1"},
		{"\x12\x02\x0a\x05", 4, "the Helm 2 release is not a valid protobuf: field longer than the message at byte 4"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_arena a;
		sunset_arena_init(&a, 0);
		helm_release rel;
		char err[256] = "";
		int rc = helm_hapi_decode((const unsigned char *)rows[i].bytes, rows[i].len, &a, &rel, err,
					  sizeof(err));
		if (rc != -1 || strcmp(err, rows[i].err) != 0)
			fail_msg("row %zu: rc %d \"%s\", want \"%s\"", i, rc, err, rows[i].err);
		sunset_arena_release(&a);
	}
}

/* ---- whole objects through the scanner ---- */


static void scan_text(const char *text, size_t max_payload, sunset_report *r)
{
	sunset_scan_options opt;
	sunset_scan_options_init(&opt, table);
	if (max_payload)
		opt.limits.max_helm_payload = max_payload;
	sunset_origin origin = {.path = "releases.yaml", .source = SUNSET_SOURCE_FILE};
	sunset_input in = {.fd = -1, .mem = text, .mem_len = strlen(text)};
	sunset_report_init(r);
	sunset_scan_input(&opt, r, &origin, &in, false);
	sunset_report_sort(r);
}

enum encoding { B64_TWICE, B64_ONCE };

/* header + "data:\n  release: " + the payload encoded */
static char *object_text(const char *header, const void *payload, size_t n, bool gzip,
			 enum encoding enc)
{
	size_t zn = n;
	unsigned char *z = gzip ? gz(payload, n, &zn) : NULL;
	char *once = b64enc(z ? z : payload, zn);
	char *value = enc == B64_TWICE ? b64enc(once, strlen(once)) : once;
	size_t len = strlen(header) + strlen(value) + 32;
	char *text = malloc(len);
	snprintf(text, len, "%sdata:\n  release: %s\n", header, value);
	if (value != once)
		free(value);
	free(once);
	free(z);
	return text;
}

static void describe(const sunset_report *r, char *out, size_t outlen)
{
	out[0] = '\0';
	for (size_t j = 0; j < r->nfinding; j++) {
		const sunset_object *o = &r->finding[j].obj;
		char one[512];
		snprintf(one, sizeof(one), "%s%s %s %s/%s %s/%s#%d %s %s %u:%u", j ? "; " : "", o->kind,
			 o->api_version, o->namespace ? o->namespace : "", o->name ? o->name : "",
			 o->release_namespace ? o->release_namespace : "", o->release ? o->release : "",
			 o->revision, o->release_status ? o->release_status : "-",
			 o->template_path ? o->template_path : "-", o->line, o->column);
		if (o->source != SUNSET_SOURCE_HELM_RELEASE)
			strncat(one, " (not helm-release)", sizeof(one) - strlen(one) - 1);
		strncat(out, one, outlen - strlen(out) - 1);
	}
}

#define ING_JSON                                                                               \
	"{\"name\":\"web\",\"namespace\":\"shop\",\"version\":3,\"info\":{\"status\":\"deployed\"},"    \
	"\"manifest\":\"---\\n# Source: web/templates/ing.yaml\\napiVersion: extensions/v1beta1\\n" \
	"kind: Ingress\\nmetadata:\\n  name: web\\n\"}"
#define ING_FOUND "Ingress extensions/v1beta1 shop/web shop/web#3 deployed web/templates/ing.yaml"

/* 8 lines: data.release is on line 10, column 12 */
#define SECRET_HEADER(labels, type)                                                       \
	"apiVersion: v1\nkind: Secret\nmetadata:\n  name: sh.helm.release.v1.web.v3\n" \
	"  namespace: shop\n  labels:\n" labels type

static void release_objects(void **state)
{
	(void)state;
	pbw tiller;
	hapi_build(&tiller, "legacy", "default", 2, 1, true);
	static const char tiller_found[] =
		"CronJob batch/v1beta1 default/job default/legacy#2 deployed legacy/templates/job.yaml 10:12; "
		"DaemonSet extensions/v1beta1 default/agent default/legacy#2 deployed legacy/templates/ds.yaml 10:12";
	const struct {
		const char *what, *header;
		const void *payload; /* NULL: the tiller protobuf */
		bool gzip;
		enum encoding enc;
		const char *want;
	} rows[] = {
		{"Helm 3 Secret: type and owner label, base64 twice, gzip",
		 SECRET_HEADER("    owner: helm\n", "type: helm.sh/release.v1\n"), ING_JSON, true, B64_TWICE,
		 ING_FOUND " 10:12"},
		{"Secret labelled owner=helm without the type",
		 SECRET_HEADER("    owner: helm\n", "type: Opaque\n"), ING_JSON, true, B64_TWICE, ING_FOUND " 10:12"},
		{"Secret with the type and no owner label",
		 SECRET_HEADER("    name: web\n", "type: helm.sh/release.v1\n"), ING_JSON, true, B64_TWICE,
		 ING_FOUND " 10:12"},
		{"Helm 3 ConfigMap: base64 once",
		 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web.v3\n  labels:\n    owner: helm\n",
		 ING_JSON, true, B64_ONCE, ING_FOUND " 8:12"},
		{"plain JSON payload, no gzip",
		 SECRET_HEADER("    owner: helm\n", "type: helm.sh/release.v1\n"), ING_JSON, false, B64_TWICE,
		 ING_FOUND " 10:12"},
		{"Secret holding Helm's text once (gzip magic after one layer)",
		 SECRET_HEADER("    owner: helm\n", "type: helm.sh/release.v1\n"), ING_JSON, true, B64_ONCE,
		 ING_FOUND " 10:12"},
		{"Tiller ConfigMap: base64 once, gzip, protobuf",
		 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy.v2\n  namespace: kube-system\n"
		 "  labels:\n    OWNER: TILLER\n    STATUS: DEPLOYED\n",
		 NULL, true, B64_ONCE, tiller_found},
		{"Tiller Secret: base64 twice",
		 SECRET_HEADER("    OWNER: TILLER\n", "type: Opaque\n"), NULL, true, B64_TWICE, tiller_found},
		{"ConfigMap without an owner label is no release",
		 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web.v3\n  labels:\n    app: web\n", ING_JSON,
		 true, B64_ONCE, ""},
		{"Opaque Secret without labels is no release",
		 SECRET_HEADER("    app: web\n", "type: Opaque\n"), ING_JSON, true, B64_TWICE, ""},
		{"name, namespace, revision and status from the labels when the payload lacks them",
		 "apiVersion: v1\nkind: Secret\nmetadata:\n  name: sh.helm.release.v1.api.v4\n  namespace: prod\n"
		 "  labels:\n    owner: helm\n    name: api\n    version: \"4\"\n    status: Superseded\n",
		 "{\"manifest\":\"apiVersion: extensions/v1beta1\\nkind: Ingress\\nmetadata:\\n  name: api\\n\"}",
		 true, B64_TWICE, "Ingress extensions/v1beta1 prod/api prod/api#4 superseded - 12:12"},
		{"hooks are scanned, their path is the template; explicit and cluster-scoped namespaces kept",
		 SECRET_HEADER("    owner: helm\n", "type: helm.sh/release.v1\n"),
		 "{\"name\":\"web\",\"namespace\":\"shop\",\"version\":3,\"info\":{\"status\":\"failed\"},"
		 "\"manifest\":\"---\\n# Source: web/templates/psp.yaml\\napiVersion: policy/v1beta1\\n"
		 "kind: PodSecurityPolicy\\nmetadata:\\n  name: psp\\n---\\n# Source: web/templates/ing.yaml\\n"
		 "apiVersion: extensions/v1beta1\\nkind: Ingress\\nmetadata:\\n  name: web\\n  namespace: edge\\n\","
		 "\"hooks\":[{\"path\":\"web/templates/job.yaml\",\"manifest\":\"apiVersion: batch/v1beta1\\n"
		 "kind: CronJob\\nmetadata:\\n  name: job\\n\"},{\"path\":\"web/templates/empty.yaml\"}]}",
		 true, B64_TWICE,
		 "CronJob batch/v1beta1 shop/job shop/web#3 failed web/templates/job.yaml 10:12; "
		 "Ingress extensions/v1beta1 edge/web shop/web#3 failed web/templates/ing.yaml 10:12; "
		 "PodSecurityPolicy policy/v1beta1 /psp shop/web#3 failed web/templates/psp.yaml 10:12"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const void *payload = rows[i].payload ? rows[i].payload : tiller.b;
		size_t n = rows[i].payload ? strlen(rows[i].payload) : tiller.n;
		char *text = object_text(rows[i].header, payload, n, rows[i].gzip, rows[i].enc);
		sunset_report r;
		scan_text(text, 0, &r);
		char got[2048];
		describe(&r, got, sizeof(got));
		if (r.nerror)
			fail_msg("row %zu (%s): error %s", i, rows[i].what, r.error[0].message);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu (%s):\n got  \"%s\"\n want \"%s\"", i, rows[i].what, got, rows[i].want);
		/* every release read is noted, findings or not */
		if (rows[i].want[0] && r.nrelease != 1)
			fail_msg("row %zu (%s): %zu releases noted", i, rows[i].what, r.nrelease);
		sunset_report_release(&r);
		free(text);
	}
}

static void release_errors(void **state)
{
	(void)state;
	static const char prefix[] = "helm release shop/sh.helm.release.v1.web.v3: ";
	static const char header[] = SECRET_HEADER("    owner: helm\n", "type: helm.sh/release.v1\n");
	pbw bad_pb = {.n = 3, .b = {0x0a, 0x05, 'a'}};
	const struct {
		const char *what;
		const char *value; /* data.release as written, or NULL: encode payload */
		const char *payload;
		size_t payload_len;
		const char *header;
		const char *want; /* after the prefix; a trailing '*' matches any rest */
	} rows[] = {
		{"bad character", "SGVsbG8h!!", NULL, 0, header,
		 "data.release is not valid base64: unexpected character at offset 8"},
		{"ends inside a group", "QUJDR", NULL, 0, header,
		 "data.release is not valid base64: it ends inside a 4-character group"},
		{"bad inner base64", "UVVKRCE=" /* "QUJD!" */, NULL, 0, header,
		 "the Secret's decoded data.release is not valid base64: unexpected character at offset 4"},
		{"bad gzip", NULL, "\x1f\x8b\x08\x00garbage-garbage-garbage", 27, header, "not valid gzip: *"},
		{"bad JSON, never quoted", NULL, "{\"name\":\"hunter2\",", 0, header,
		 "decoded release line 1, column 19: invalid JSON: *"},
		{"not JSON", NULL, "hunter2 is the password", 0, header, "the decoded release is not JSON"},
		{"JSON that is no object", NULL, "{}", 0, header, NULL},
		{"manifest that is no YAML", NULL, "{\"name\":\"web\",\"manifest\":\"a: b: c\\n\"}", 0, header,
		 "manifest line 1, column 5: invalid YAML: *"},
		{"Tiller protobuf cut short", NULL, (const char *)bad_pb.b, 3,
		 SECRET_HEADER("    OWNER: TILLER\n", "type: Opaque\n"),
		 "the Helm 2 release is not a valid protobuf: field longer than the message at byte 2"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *text;
		if (rows[i].value) {
			size_t len = strlen(header) + strlen(rows[i].value) + 32;
			text = malloc(len);
			snprintf(text, len, "%sdata:\n  release: %s\n", rows[i].header, rows[i].value);
		} else {
			size_t n = rows[i].payload_len ? rows[i].payload_len : strlen(rows[i].payload);
			bool gzip = rows[i].payload[0] != '\x1f';
			text = object_text(rows[i].header, rows[i].payload, n, gzip, B64_TWICE);
		}
		sunset_report r;
		scan_text(text, 0, &r);
		if (!rows[i].want) {
			/* "{}": a release with nothing in it is no error */
			if (r.nerror || r.nfinding)
				fail_msg("row %zu (%s): %zu errors", i, rows[i].what, r.nerror);
		} else if (r.nerror != 1) {
			fail_msg("row %zu (%s): %zu errors, want 1", i, rows[i].what, r.nerror);
		} else {
			const sunset_error *e = &r.error[0];
			size_t wl = strlen(rows[i].want);
			bool star = rows[i].want[wl - 1] == '*';
			if (strncmp(e->message, prefix, sizeof(prefix) - 1) != 0 ||
			    (star ? strncmp(e->message + sizeof(prefix) - 1, rows[i].want, wl - 1)
				  : strcmp(e->message + sizeof(prefix) - 1, rows[i].want)) != 0)
				fail_msg("row %zu (%s): \"%s\"", i, rows[i].what, e->message);
			if (strstr(e->message, "hunter2"))
				fail_msg("row %zu (%s): the message quotes the payload", i, rows[i].what);
			if (e->line != 10 || e->column != 12 || strcmp(e->path, "releases.yaml") != 0)
				fail_msg("row %zu (%s): at %s:%u:%u", i, rows[i].what, e->path, e->line, e->column);
		}
		if (r.nfinding)
			fail_msg("row %zu (%s): findings from a broken release", i, rows[i].what);
		sunset_report_release(&r);
		free(text);
	}
}

static void release_size_limit(void **state)
{
	(void)state;
	char payload[3000];
	int n = snprintf(payload, sizeof(payload), "{\"name\":\"web\",\"manifest\":\"# %0*d\\n\"}", 2000, 0);
	assert_true(n > 1024 && (size_t)n < sizeof(payload));
	static const char header[] = SECRET_HEADER("    owner: helm\n", "type: helm.sh/release.v1\n");
	static const struct {
		bool gzip;
		size_t max;
		const char *want; /* NULL: no error */
	} rows[] = {
		{true, 1024, "helm release shop/sh.helm.release.v1.web.v3: decompressed Helm release is larger than the 1 KiB limit"},
		{false, 1024, "helm release shop/sh.helm.release.v1.web.v3: Helm release is larger than the 1 KiB limit"},
		{true, (size_t)2 << 20, NULL},
		{true, 1500, "helm release shop/sh.helm.release.v1.web.v3: decompressed Helm release is larger than the 1500-byte limit"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *text = object_text(header, payload, (size_t)n, rows[i].gzip, B64_TWICE);
		sunset_report r;
		scan_text(text, rows[i].max, &r);
		if (rows[i].want ? (r.nerror != 1 || strcmp(r.error[0].message, rows[i].want) != 0) : r.nerror != 0)
			fail_msg("row %zu: %zu errors, first \"%s\"", i, r.nerror, r.nerror ? r.error[0].message : "");
		sunset_report_release(&r);
		free(text);
	}
}

/* A "# Source:" line far into a manifest still names its document (the hint
 * scan counted lines wrongly past 255 bytes without a '#'). */
static void source_after_long_document(void **state)
{
	(void)state;
	char payload[8192];
	size_t n = (size_t)snprintf(payload, sizeof(payload),
				    "{\"name\":\"web\",\"namespace\":\"shop\",\"version\":1,\"manifest\":\"---\\n"
				    "# Source: web/templates/svc.yaml\\napiVersion: v1\\nkind: Service\\nmetadata:\\n"
				    "  name: web\\n  labels:\\n");
	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(payload + n, sizeof(payload) - n, "    label-%02d: value-%02d\\n", i, i);
	snprintf(payload + n, sizeof(payload) - n,
		 "---\\n# Source: web/templates/ing.yaml\\napiVersion: extensions/v1beta1\\nkind: Ingress\\n"
		 "metadata:\\n  name: web\\n\"}");
	char *text = object_text(SECRET_HEADER("    owner: helm\n", "type: helm.sh/release.v1\n"), payload,
				 strlen(payload), true, B64_TWICE);
	sunset_report r;
	scan_text(text, 0, &r);
	char got[512];
	describe(&r, got, sizeof(got));
	assert_string_equal(got, "Ingress extensions/v1beta1 shop/web shop/web#1 - web/templates/ing.yaml 10:12");
	sunset_report_release(&r);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(newest_rows),
		cmocka_unit_test(newest_across_merge),
		cmocka_unit_test(base64_rows),
		cmocka_unit_test(base64_bounded),
		cmocka_unit_test(gunzip_rows),
		cmocka_unit_test(gunzip_bomb_bounded),
		cmocka_unit_test(hapi_fields),
		cmocka_unit_test(hapi_malformed_rows),
		cmocka_unit_test(release_objects),
		cmocka_unit_test(release_errors),
		cmocka_unit_test(release_size_limit),
		cmocka_unit_test(source_after_long_document),
	};
	return cmocka_run_group_tests(tests, builtin_table_setup, builtin_table_teardown);
}
