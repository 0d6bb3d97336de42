/*
 * Fuzz target: Helm release decoding (src/expand/helm.c) as a scan meets it.
 * The first byte picks the carrier, the rest is its payload:
 *   0  Secret of type helm.sh/release.v1, data.release = base64(rest)
 *   1  Secret labelled OWNER=TILLER, data.release = base64(rest)
 *   2  ConfigMap labelled owner=helm, data.release = rest (as text)
 *   3  ConfigMap labelled OWNER=TILLER, data.release = rest (as text)
 *   4  rest straight into the layers: base64, gunzip, Tiller protobuf
 * so that after the Secret's own base64 the fuzzer writes the bytes Helm
 * wrote: its base64, gzip, JSON or protobuf.
 */
#include <string.h>

#include "fuzz_common.h"
#include "expand/helm_payload.h"
#include "sunset/read.h"

static void put_json_string(sunset_buf *b, const uint8_t *p, size_t n)
{
	sunset_buf_puts(b, "\"");
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			sunset_buf_printf(b, "\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			sunset_buf_printf(b, "\\u%04x", p[i]);
		else
			sunset_buf_append(b, &p[i], 1);
	}
	sunset_buf_puts(b, "\"");
}

static void put_base64(sunset_buf *b, const uint8_t *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	sunset_buf_puts(b, "\"");
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		char q[4] = {tab[v >> 18], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
			     i + 2 < n ? tab[v & 63] : '='};
		sunset_buf_append(b, q, 4);
	}
	sunset_buf_puts(b, "\"");
}

static void layers(const uint8_t *p, size_t n)
{
	sunset_buf out;
	size_t bad;
	sunset_buf_init(&out, (size_t)1 << 20);
	helm_base64_decode((const char *)p, n, &out, &bad);
	sunset_buf_release(&out);
	char err[256];
	sunset_buf_init(&out, (size_t)1 << 20);
	helm_gunzip(p, n, &out, err, sizeof(err));
	sunset_buf_release(&out);
	sunset_arena a;
	sunset_arena_init(&a, 0);
	helm_release rel;
	memset(&rel, 0, sizeof(rel));
	helm_hapi_decode(p, n, &a, &rel, err, sizeof(err));
	sunset_arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned mode = data[0] % 5;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	if (mode == 4) {
		layers(p, n);
		return 0;
	}
	static const char *const head[] = {
		"{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"type\": \"helm.sh/release.v1\", "
		"\"metadata\": {\"name\": \"sh.helm.release.v1.web.v3\", \"namespace\": \"shop\", "
		"\"labels\": {\"owner\": \"helm\", \"name\": \"web\", \"version\": \"3\"}}, \"data\": {\"release\": ",
		"{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"web.v3\", "
		"\"namespace\": \"kube-system\", \"labels\": {\"OWNER\": \"TILLER\", \"NAME\": \"web\"}}, "
		"\"data\": {\"release\": ",
		"{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"sh.helm.release.v1.web.v1\", "
		"\"labels\": {\"owner\": \"helm\"}}, \"data\": {\"release\": ",
		"{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"web.v1\", "
		"\"namespace\": \"kube-system\", \"labels\": {\"OWNER\": \"TILLER\"}}, \"data\": {\"release\": ",
	};
	sunset_buf doc;
	sunset_buf_init(&doc, 0);
	sunset_buf_puts(&doc, head[mode]);
	if (mode < 2)
		put_base64(&doc, p, n);
	else
		put_json_string(&doc, p, n);
	sunset_buf_puts(&doc, "}}");
	fuzz_read(sunset_read_json, (const uint8_t *)doc.data, doc.len);
	sunset_buf_release(&doc);
	return 0;
}
