/*
 * Helm release objects: a Secret or ConfigMap whose data.release holds a
 * whole release (see sunset/helm.h), wherever it turns up: a file, stdin, a
 * `kubectl get -o yaml|json` dump, a cluster list.  The payload is peeled
 * layer by layer, each bounded:
 *
 *   Secret (type helm.sh/release.v1, or labelled owner=helm / OWNER=TILLER):
 *       base64 (the Secret's own) -> base64 (Helm's) -> gzip -> JSON | protobuf
 *   ConfigMap (labelled owner=helm or OWNER=TILLER):
 *       base64 (Helm's) -> gzip -> JSON | protobuf
 *
 * gzip is optional (Helm reads a payload without the gzip magic as is) and
 * protobuf is Helm 2's hapi.release.Release, decoded by hand for the few
 * fields used.  The manifest (and each hook's) is then read as YAML and its
 * objects checked with source helm-release.  Everything found inside one
 * release points at the data.release value of the carrying object, the only
 * place in the input a user can go to: the findings are gathered in a side
 * report whose positions are rewritten before it is merged.
 *
 * Messages name the carrying object and never quote the payload.
 *
 * Ownership: every buffer, arena and side report lives for one
 * sunset_helm_expand call; what the report keeps it copies.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "helm_payload.h"
#include "sunset/expand.h"
#include "sunset/chart.h"
#include "sunset/read.h"

#define RELEASE_TYPE "helm.sh/release.v1"
#define MAX_HOOKS 4096

/* ---- base64 ---- */

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static bool b64_space(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

int helm_base64_decode(const char *in, size_t len, sunset_buf *out, size_t *bad)
{
	unsigned char group[4], bytes[3];
	unsigned q = 0;	   /* sextets in the current group */
	unsigned pad = 0;  /* "=" seen in the current group */
	bool done = false; /* a padded group closed: only whitespace may follow */
	size_t pad_at = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (b64_space(c))
			continue;
		if (done) {
			*bad = i;
			return -1;
		}
		if (c == '=') {
			/* padding closes a group holding two or three sextets */
			if (q + pad < 2) {
				*bad = i;
				return -1;
			}
			if (pad == 0)
				pad_at = i;
			pad++;
			if (q + pad == 4)
				done = true;
			continue;
		}
		int v = b64_value(c);
		if (v < 0 || pad) {
			*bad = i;
			return -1;
		}
		group[q++] = (unsigned char)v;
		if (q == 4) {
			bytes[0] = (unsigned char)(group[0] << 2 | group[1] >> 4);
			bytes[1] = (unsigned char)(group[1] << 4 | group[2] >> 2);
			bytes[2] = (unsigned char)(group[2] << 6 | group[3]);
			if (sunset_buf_append(out, bytes, 3) < 0)
				return HELM_TOO_LARGE;
			q = 0;
		}
	}
	if (pad && !done) {
		*bad = pad_at; /* "QQ=" : the padding is cut short */
		return -1;
	}
	if (q == 1) {
		*bad = len;
		return -1;
	}
	if (q >= 2) {
		bytes[0] = (unsigned char)(group[0] << 2 | group[1] >> 4);
		bytes[1] = (unsigned char)(group[1] << 4 | (q == 3 ? group[2] >> 2 : 0));
		if (sunset_buf_append(out, bytes, q - 1) < 0)
			return HELM_TOO_LARGE;
	}
	return 0;
}

/* ---- gzip ---- */

int helm_gunzip(const void *in, size_t len, sunset_buf *out, char *err, size_t errlen)
{
	const unsigned char *src = in;
	unsigned char chunk[65536];
	z_stream z;
	memset(&z, 0, sizeof(z));
	/* 15 + 32: gzip or zlib, told apart by the header */
	if (inflateInit2(&z, 15 + 32) != Z_OK) {
		snprintf(err, errlen, "cannot start zlib");
		return -1;
	}
	size_t fed = 0;
	int rc = -1;
	for (;;) {
		if (z.avail_in == 0 && fed < len) {
			size_t n = len - fed < (size_t)UINT_MAX ? len - fed : (size_t)UINT_MAX;
			z.next_in = (unsigned char *)(uintptr_t)(src + fed);
			z.avail_in = (uInt)n;
			fed += n;
		}
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		int zr = inflate(&z, Z_NO_FLUSH);
		size_t got = sizeof(chunk) - z.avail_out;
		if (got && sunset_buf_append(out, chunk, got) < 0) {
			rc = HELM_TOO_LARGE;
			goto out;
		}
		if (zr == Z_STREAM_END) {
			size_t at = (size_t)(z.next_in - src);
			if (at == len) {
				rc = 0;
				goto out;
			}
			/* Go's gzip reader, and so Helm, reads concatenated members */
			if (len - at >= 2 && src[at] == 0x1f && src[at + 1] == 0x8b) {
				inflateReset(&z);
				continue;
			}
			snprintf(err, errlen, "not valid gzip: unexpected data after the gzip stream (byte %zu)", at);
			goto out;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0 && fed == len) {
			snprintf(err, errlen, "not valid gzip: the data is truncated");
			goto out;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			snprintf(err, errlen, "not valid gzip: %s", z.msg ? z.msg : "corrupt data");
			goto out;
		}
	}
out:
	inflateEnd(&z);
	return rc;
}

/* ---- Helm 2's protobuf ---- */

typedef struct pb {
	const unsigned char *start, *p, *end;
	char *err;
	size_t errlen;
} pb;

static int pb_fail(pb *b, const char *what)
{
	snprintf(b->err, b->errlen, "the Helm 2 release is not a valid protobuf: %s at byte %zu", what,
		 (size_t)(b->p - b->start));
	return -1;
}

static int pb_varint(pb *b, unsigned long long *v)
{
	*v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (b->p >= b->end)
			return pb_fail(b, "truncated number");
		unsigned char c = *b->p++;
		*v |= (unsigned long long)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
	}
	return pb_fail(b, "number longer than 10 bytes");
}

/* One field: its number, and a varint value or a length-delimited slice. */
typedef struct pb_field {
	unsigned long long number;
	unsigned wire;
	unsigned long long value;
	const unsigned char *data;
	size_t len;
} pb_field;

/* 1 with a field, 0 at the end, -1 on malformed input. */
static int pb_next(pb *b, pb_field *f)
{
	if (b->p >= b->end)
		return 0;
	unsigned long long key;
	if (pb_varint(b, &key) < 0)
		return -1;
	f->number = key >> 3;
	f->wire = (unsigned)(key & 7);
	f->data = NULL;
	f->len = 0;
	if (f->number == 0)
		return pb_fail(b, "field number 0");
	switch (f->wire) {
	case 0:
		return pb_varint(b, &f->value) < 0 ? -1 : 1;
	case 1:
	case 5: {
		size_t n = f->wire == 1 ? 8 : 4;
		if ((size_t)(b->end - b->p) < n)
			return pb_fail(b, "truncated fixed-size field");
		b->p += n;
		return 1;
	}
	case 2: {
		unsigned long long n;
		if (pb_varint(b, &n) < 0)
			return -1;
		if (n > (unsigned long long)(b->end - b->p))
			return pb_fail(b, "field longer than the message");
		f->data = b->p;
		f->len = (size_t)n;
		b->p += n;
		return 1;
	}
	default:
		return pb_fail(b, "unsupported wire type");
	}
}

static pb pb_sub(const pb *outer, const pb_field *f)
{
	pb b = *outer;
	b.p = f->data;
	b.end = f->data + f->len;
	return b;
}

const char *helm_hapi_status_name(unsigned long long code)
{
	static const char *const names[] = {
		"unknown",	   "deployed",	      "deleted",	 "superseded",	     "failed",
		"deleting", "pending-install", "pending-upgrade", "pending-rollback",
	};
	return code < sizeof(names) / sizeof(names[0]) ? names[code] : "unknown";
}

/* Info { Status status = 1 { Code code = 1 } } */
static int hapi_info(pb *outer, const pb_field *info, helm_release *out)
{
	pb b = pb_sub(outer, info);
	pb_field f;
	int rc;
	while ((rc = pb_next(&b, &f)) > 0) {
		if (f.number != 1 || f.wire != 2)
			continue;
		pb s = pb_sub(&b, &f);
		pb_field g;
		while ((rc = pb_next(&s, &g)) > 0)
			if (g.number == 1 && g.wire == 0)
				out->status = helm_hapi_status_name(g.value);
		if (rc < 0)
			return -1;
	}
	return rc;
}

/* Hook { path = 3, manifest = 4 } */
static int hapi_hook(pb *outer, const pb_field *hook, sunset_arena *a, helm_hook *h)
{
	pb b = pb_sub(outer, hook);
	pb_field f;
	int rc;
	memset(h, 0, sizeof(*h));
	while ((rc = pb_next(&b, &f)) > 0) {
		if (f.wire != 2)
			continue;
		if (f.number == 3)
			h->path = sunset_arena_strndup(a, (const char *)f.data, f.len);
		else if (f.number == 4) {
			h->manifest = (const char *)f.data;
			h->manifest_len = f.len;
		}
	}
	return rc;
}

int helm_hapi_decode(const unsigned char *p, size_t len, sunset_arena *a, helm_release *out,
		     char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	/* an empty payload has no buffer: NULL + 0 is undefined in C */
	pb b = {p, p, len ? p + len : p, err, errlen};
	pb_field f;
	size_t caphook = 0;
	int rc;
	while ((rc = pb_next(&b, &f)) > 0) {
		bool bytes = f.wire == 2;
		switch (f.number) {
		case 1:
			if (bytes)
				out->name = sunset_arena_strndup(a, (const char *)f.data, f.len);
			break;
		case 2:
			if (bytes && hapi_info(&b, &f, out) < 0)
				return -1;
			break;
		case 5:
			if (bytes) {
				out->manifest = (const char *)f.data;
				out->manifest_len = f.len;
			}
			break;
		case 6:
			if (!bytes || out->nhook >= MAX_HOOKS)
				break;
			if (out->nhook == caphook) {
				caphook = caphook ? caphook * 2 : 8;
				helm_hook *h = sunset_arena_alloc(a, caphook * sizeof(*h));
				if (!h)
					return pb_fail(&b, "too many hooks");
				if (out->nhook)
					memcpy(h, out->hook, out->nhook * sizeof(*h));
				out->hook = h;
			}
			if (hapi_hook(&b, &f, a, &out->hook[out->nhook]) < 0)
				return -1;
			out->nhook++;
			break;
		case 7:
			if (f.wire == 0)
				out->revision = (int)(int32_t)(uint32_t)f.value;
			break;
		case 8:
			if (bytes)
				out->namespace = sunset_arena_strndup(a, (const char *)f.data, f.len);
			break;
		default:
			break;
		}
	}
	return rc < 0 ? -1 : 0;
}

/* ---- the carrying object ---- */

static const char *str_at(const sunset_node *map, const char *key)
{
	return sunset_map_get_str(map, key);
}

static bool has_release_data(const sunset_node *obj)
{
	const sunset_node *v = sunset_node_resolve(sunset_map_get(sunset_map_get(obj, "data"), "release"));
	return v && v->type == SUNSET_NODE_SCALAR && !sunset_scalar_is_null(v);
}

static const sunset_node *labels_of(const sunset_node *obj)
{
	return sunset_map_get(sunset_map_get(obj, "metadata"), "labels");
}

static bool tiller_owned(const sunset_node *obj)
{
	const char *owner = str_at(labels_of(obj), "OWNER");
	return owner && strcmp(owner, "TILLER") == 0;
}

bool sunset_helm_is_release(const sunset_node *obj)
{
	const char *kind = str_at(obj, "kind");
	if (!kind)
		return false;
	bool secret = strcmp(kind, "Secret") == 0;
	if (!secret && strcmp(kind, "ConfigMap") != 0)
		return false;
	if (!has_release_data(obj))
		return false;
	const char *type = str_at(obj, "type");
	if (secret && type && strcmp(type, RELEASE_TYPE) == 0)
		return true;
	const char *owner = str_at(labels_of(obj), "owner");
	return (owner && strcmp(owner, "helm") == 0) || tiller_owned(obj);
}

/* ---- expanding one release ---- */

typedef struct expand_ctx {
	const sunset_scan_options *opt;
	sunset_report *side; /* everything found inside this release */
	const sunset_origin *origin;
	const char *label;     /* "namespace/name" of the carrying object */
	uint32_t line, column; /* of its data.release value */
	const sunset_node *obj;
	bool tiller;
	sunset_arena arena;
	bool read_one; /* the JSON release document has been handled */
} expand_ctx;

static void fail(expand_ctx *x, const char *fmt, ...) SUNSET_PRINTF(2, 3);
static void fail(expand_ctx *x, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sunset_report_add_error(x->side, x->origin->path, x->line, x->column, "helm release %s: %s",
				x->label, msg);
}

static void format_size(size_t n, char *out, size_t outlen)
{
	if (n % ((size_t)1 << 20) == 0)
		snprintf(out, outlen, "%zu MiB", n >> 20);
	else if (n % 1024 == 0)
		snprintf(out, outlen, "%zu KiB", n >> 10);
	else
		snprintf(out, outlen, "%zu-byte", n);
}

typedef struct manifest_ctx {
	expand_ctx *x;
	const sunset_origin *origin;
	const char *what; /* "manifest" or "hook <path>" */
} manifest_ctx;

static int on_manifest_doc(void *ctx, const sunset_doc *doc)
{
	manifest_ctx *m = ctx;
	sunset_objects_from_doc(m->x->opt, m->x->side, m->origin, doc);
	return 0;
}

static void on_manifest_error(void *ctx, uint32_t line, uint32_t column, const char *message)
{
	manifest_ctx *m = ctx;
	if (line)
		fail(m->x, "%s line %u, column %u: %s", m->what, line, column, message);
	else
		fail(m->x, "%s: %s", m->what, message);
}

static void scan_manifest(expand_ctx *x, const sunset_origin *origin, const char *what,
			  const char *text, size_t len)
{
	manifest_ctx m = {x, origin, what};
	sunset_doc_sink sink = {.doc = on_manifest_doc, .error = on_manifest_error, .ctx = &m};
	sunset_input in = {.fd = -1, .mem = text, .mem_len = len};
	sunset_read_yaml(&in, &x->opt->limits, &sink);
}

static char *lower_copy(sunset_arena *a, const char *s)
{
	char *c = s ? sunset_arena_strdup(a, s) : NULL;
	for (char *p = c; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return c;
}

/* A decoded release: note it, then check what its manifests hold.  What
 * the payload leaves out comes from the carrying object's labels. */
static void scan_release(expand_ctx *x, helm_release *rel)
{
	const sunset_node *labels = labels_of(x->obj);
	const char *name = rel->name && *rel->name ? rel->name : NULL;
	if (!name)
		name = x->tiller ? str_at(labels, "NAME") : str_at(labels, "name");
	if (!name)
		name = str_at(sunset_map_get(x->obj, "metadata"), "name");
	const char *ns = rel->namespace && *rel->namespace ? rel->namespace : NULL;
	/* Helm 3 keeps a release's records in its namespace; Tiller in its own */
	if (!ns && !x->tiller)
		ns = str_at(sunset_map_get(x->obj, "metadata"), "namespace");
	int revision = rel->revision;
	if (revision <= 0) {
		const char *v = str_at(labels, x->tiller ? "VERSION" : "version");
		long n = v ? strtol(v, NULL, 10) : 0;
		revision = n > 0 && n <= INT_MAX ? (int)n : 0;
	}
	const char *status = rel->status ? rel->status : str_at(labels, x->tiller ? "STATUS" : "status");
	status = lower_copy(&x->arena, status);

	sunset_report_note_release(x->side, ns, name, revision, status);

	sunset_origin o = {
		.path = x->origin->path,
		.source = SUNSET_SOURCE_HELM_RELEASE,
		.release = name,
		.release_namespace = ns,
		.release_status = status,
		.revision = revision,
		.depth = x->origin->depth + 1,
	};
	if (rel->manifest)
		scan_manifest(x, &o, "manifest", rel->manifest, rel->manifest_len);
	for (size_t i = 0; i < rel->nhook; i++) {
		const helm_hook *h = &rel->hook[i];
		if (!h->manifest || !h->manifest_len)
			continue;
		/* a hook's manifest carries no "# Source:" line: its path is the template */
		o.template_path = h->path;
		char what[300];
		snprintf(what, sizeof(what), "hook %s", h->path ? h->path : "(unnamed)");
		scan_manifest(x, &o, what, h->manifest, h->manifest_len);
	}
}

/* ---- Helm 3's JSON ---- */

static const char *json_str(const sunset_node *map, const char *key)
{
	const sunset_node *v = sunset_node_resolve(sunset_map_get(map, key));
	return v && v->type == SUNSET_NODE_SCALAR && !sunset_scalar_is_null(v) ? v->str : NULL;
}

static int on_release_doc(void *ctx, const sunset_doc *doc)
{
	expand_ctx *x = ctx;
	if (x->read_one)
		return 1;
	x->read_one = true;
	const sunset_node *root = sunset_node_resolve(doc->root);
	if (!root || root->type != SUNSET_NODE_MAPPING) {
		fail(x, "the decoded release is not a JSON object");
		return 1;
	}
	helm_release rel;
	memset(&rel, 0, sizeof(rel));
	rel.name = json_str(root, "name");
	rel.namespace = json_str(root, "namespace");
	rel.status = json_str(sunset_map_get(root, "info"), "status");
	const char *version = json_str(root, "version");
	if (version) {
		char *end;
		long n = strtol(version, &end, 10);
		if (*end == '\0' && n > 0 && n <= INT_MAX)
			rel.revision = (int)n;
	}
	const sunset_node *manifest = sunset_node_resolve(sunset_map_get(root, "manifest"));
	if (manifest && manifest->type == SUNSET_NODE_SCALAR && !sunset_scalar_is_null(manifest)) {
		rel.manifest = manifest->str;
		rel.manifest_len = manifest->len;
	}
	const sunset_node *hooks = sunset_node_resolve(sunset_map_get(root, "hooks"));
	if (hooks && hooks->type == SUNSET_NODE_SEQUENCE && hooks->nchild) {
		size_t n = hooks->nchild < MAX_HOOKS ? hooks->nchild : MAX_HOOKS;
		rel.hook = sunset_arena_alloc(&x->arena, n * sizeof(*rel.hook));
		for (size_t i = 0; rel.hook && i < n; i++) {
			const sunset_node *h = sunset_node_resolve(hooks->child[i]);
			const sunset_node *hm = sunset_node_resolve(sunset_map_get(h, "manifest"));
			if (!hm || hm->type != SUNSET_NODE_SCALAR)
				continue;
			helm_hook *dst = &rel.hook[rel.nhook++];
			dst->path = json_str(h, "path");
			dst->manifest = hm->str;
			dst->manifest_len = hm->len;
		}
	}
	scan_release(x, &rel);
	return 1; /* one release per payload */
}

static void on_release_error(void *ctx, uint32_t line, uint32_t column, const char *message)
{
	expand_ctx *x = ctx;
	if (line)
		fail(x, "decoded release line %u, column %u: %s", line, column, message);
	else
		fail(x, "decoded release: %s", message);
}

/* ---- namespaces ---- */

/*
 * Helm installs a manifest object without a namespace into the release's
 * namespace, unless its kind is cluster-scoped, which only the server's
 * REST mapping knows.  Offline, the built-in cluster-scoped kinds of the
 * table (and every "Cluster*" kind) stand in for it; a CRD kind missing here
 * shows the release namespace, as pluto and kubent show it for every kind.
 */
static const char *const cluster_kinds[] = {
	"APIService", "AuditSink", "CSIDriver", "CSINode", "CertificateSigningRequest",
	"CustomResourceDefinition", "DeviceClass", "DeviceTaintRule",
	"ExternalAdmissionHookConfiguration", "FlowSchema", "GatewayClass", "IPAddress",
	"IngressClass", "InitializerConfiguration", "MutatingAdmissionPolicy",
	"MutatingAdmissionPolicyBinding", "MutatingWebhookConfiguration", "Namespace", "Node",
	"PersistentVolume", "PodSecurityPolicy", "PriorityClass", "PriorityLevelConfiguration",
	"ResourceClass", "RuntimeClass", "SelfSubjectAccessReview", "SelfSubjectReview",
	"SelfSubjectRulesReview", "ServiceCIDR", "StorageClass", "StorageVersionMigration",
	"SubjectAccessReview", "TokenReview", "ValidatingAdmissionPolicy",
	"ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment",
	"VolumeAttributesClass",
};

static int kind_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool cluster_scoped(const char *kind)
{
	if (!kind || strncmp(kind, "Cluster", 7) == 0)
		return true;
	return bsearch(kind, cluster_kinds, sizeof(cluster_kinds) / sizeof(cluster_kinds[0]),
		       sizeof(cluster_kinds[0]), kind_cmp) != NULL;
}

/* Points o where the user finds it, and gives it the namespace Helm would. */
static void place(sunset_object *o, uint32_t line, uint32_t column)
{
	o->line = line;
	o->column = column;
	if ((!o->namespace || !*o->namespace) && o->release_namespace && !cluster_scoped(o->kind))
		o->namespace = o->release_namespace; /* both owned by the same report */
}

/* ---- peeling the layers ---- */

static bool is_gzip(const sunset_buf *b)
{
	return b->len >= 2 && (unsigned char)b->data[0] == 0x1f && (unsigned char)b->data[1] == 0x8b;
}

static bool starts_json(const sunset_buf *b)
{
	size_t i = 0;
	while (i < b->len && b64_space((unsigned char)b->data[i]))
		i++;
	return i < b->len && b->data[i] == '{';
}

/* One base64 layer from in to out; false (reported) on failure. */
static bool unbase64(expand_ctx *x, const char *in, size_t len, sunset_buf *out, const char *layer)
{
	size_t bad = 0;
	sunset_buf_init(out, len / 4 * 3 + 3);
	int rc = helm_base64_decode(in, len, out, &bad);
	if (rc == 0)
		return true;
	if (bad >= len)
		fail(x, "%s is not valid base64: it ends inside a 4-character group", layer);
	else
		fail(x, "%s is not valid base64: unexpected character at offset %zu", layer, bad);
	return false;
}

void sunset_helm_expand(const sunset_scan_options *opt, sunset_report *r,
			const sunset_origin *origin, const sunset_doc *doc, const sunset_node *obj)
{
	(void)doc;
	obj = sunset_node_resolve(obj);
	const sunset_node *value =
		sunset_node_resolve(sunset_map_get(sunset_map_get(obj, "data"), "release"));
	if (!value || value->type != SUNSET_NODE_SCALAR)
		return;
	const sunset_node *md = sunset_map_get(obj, "metadata");
	const char *obj_ns = str_at(md, "namespace"), *obj_name = str_at(md, "name");
	char label[512];
	snprintf(label, sizeof(label), "%s%s%s", obj_ns ? obj_ns : "", obj_ns ? "/" : "",
		 obj_name ? obj_name : "(unnamed)");

	sunset_report side;
	sunset_report_init(&side);
	side.keep_checked = r->keep_checked;
	expand_ctx x = {
		.opt = opt, .side = &side, .origin = origin, .label = label,
		.line = value->line, .column = value->column, .obj = obj,
		.tiller = tiller_owned(obj),
	};
	sunset_arena_init(&x.arena, 0);
	size_t max = opt->limits.max_helm_payload ? opt->limits.max_helm_payload
						  : SUNSET_DEFAULT_MAX_HELM_PAYLOAD;
	sunset_buf outer, inner, payload;
	sunset_buf_init(&outer, 1);
	sunset_buf_init(&inner, 1);
	sunset_buf_init(&payload, max);
	const sunset_buf *bytes;
	const char *kind = str_at(obj, "kind");
	bool secret = kind && strcmp(kind, "Secret") == 0;

	/* A layer is skipped when what is left already starts like gzip or
	 * JSON: those bytes are outside the base64 alphabet, so a single-encoded
	 * Secret is read instead of rejected. */
	sunset_buf text = {.data = (char *)value->str, .len = value->len};
	const sunset_buf *cur = &text;
	if (secret && !is_gzip(cur) && !starts_json(cur)) {
		if (!unbase64(&x, cur->data, cur->len, &outer, "data.release"))
			goto out;
		cur = &outer;
	}
	if (!is_gzip(cur) && !starts_json(cur)) {
		if (!unbase64(&x, cur->data, cur->len, &inner,
			      cur == &outer ? "the Secret's decoded data.release" : "data.release"))
			goto out;
		cur = &inner;
	}
	char err[256], limit[32];
	format_size(max, limit, sizeof(limit));
	if (is_gzip(cur)) {
		int rc = helm_gunzip(cur->data, cur->len, &payload, err, sizeof(err));
		if (rc == HELM_TOO_LARGE) {
			fail(&x, "decompressed Helm release is larger than the %s limit", limit);
			goto out;
		}
		if (rc < 0) {
			fail(&x, "%s", err);
			goto out;
		}
		bytes = &payload;
	} else if (cur->len > max) {
		fail(&x, "Helm release is larger than the %s limit", limit);
		goto out;
	} else {
		bytes = cur;
	}
	if (starts_json(bytes)) {
		sunset_doc_sink sink = {.doc = on_release_doc, .error = on_release_error, .ctx = &x};
		sunset_input in = {.fd = -1, .mem = bytes->data, .mem_len = bytes->len};
		sunset_read_json(&in, &opt->limits, &sink);
		if (!x.read_one && side.nerror == 0)
			fail(&x, "the decoded release is empty");
	} else if (x.tiller) {
		helm_release rel;
		if (helm_hapi_decode((const unsigned char *)bytes->data, bytes->len, &x.arena, &rel, err,
				     sizeof(err)) < 0) {
			fail(&x, "%s", err);
			goto out;
		}
		scan_release(&x, &rel);
	} else {
		fail(&x, "the decoded release is not JSON");
	}
out:
	/* everything inside the release is found at its data.release value */
	for (size_t i = 0; i < side.nfinding; i++)
		place(&side.finding[i].obj, x.line, x.column);
	for (size_t i = 0; i < side.nchecked; i++)
		place(&side.checked[i], x.line, x.column);
	for (size_t i = 0; i < side.nerror; i++) {
		side.error[i].line = x.line;
		side.error[i].column = x.column;
	}
	sunset_report_merge(r, &side);
	sunset_report_release(&side);
	sunset_buf_release(&outer);
	sunset_buf_release(&inner);
	sunset_buf_release(&payload);
	sunset_arena_release(&x.arena);
}
