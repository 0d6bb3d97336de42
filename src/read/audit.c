/*
 * The audit-log reader (contract in sunset/audit.h).  Bytes come through
 * zlib's gzread, which passes plain files through untouched, into one
 * record buffer of max_record bytes.  A record ends at a newline outside
 * any JSON string or bracket; a newline inside an open record that is
 * followed by '{' means the record was cut short (a truncated line), so the
 * next line is read on its own and nothing after a bad line is lost.
 *
 * Each record is then walked once by a small JSON scanner that decodes
 * only the fields an event needs and skips everything else (bodies
 * included) without copying it.  Decoded strings live in a scratch buffer twice
 * the size of the record, reset per event.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "sunset/audit.h"
#include "sunset/util.h"

typedef struct scanner {
	const char *p, *end, *start; /* start: the record's first byte */
	uint32_t line, depth, max_depth;
	char *scratch;
	size_t scratch_len, scratch_cap;
	char err[256];
	uint32_t err_line, err_col;
	bool failed;
} scanner;

static bool fail(scanner *s, const char *msg)
{
	if (!s->failed) {
		s->failed = true;
		/* columns count bytes from the record's line start */
		const char *ls = s->p;
		uint32_t line = s->line;
		for (const char *q = s->start; q < s->p && q < s->end; q++)
			if (*q == '\n')
				line++;
		while (ls > s->start && ls[-1] != '\n')
			ls--;
		s->err_line = line;
		s->err_col = (uint32_t)(s->p - ls) + 1;
		snprintf(s->err, sizeof(s->err), "%s", msg);
	}
	return false;
}

static void ws(scanner *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool skip_string(scanner *s)
{
	s->p++; /* the opening quote */
	for (;;) {
		const char *q = memchr(s->p, '"', (size_t)(s->end - s->p));
		if (!q) {
			s->p = s->end;
			return fail(s, "unterminated string");
		}
		size_t bs = 0;
		for (const char *b = q - 1; b >= s->p && *b == '\\'; b--)
			bs++;
		s->p = q + 1;
		if (bs % 2 == 0)
			return true;
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the string at s->p into scratch; NULL on error. */
static const char *read_string(scanner *s, size_t *outlen)
{
	if (s->p >= s->end || *s->p != '"') {
		fail(s, "expected a string");
		return NULL;
	}
	const char *begin = s->p + 1;
	if (!skip_string(s))
		return NULL;
	const char *stop = s->p - 1;
	size_t need = (size_t)(stop - begin) + 1;
	if (s->scratch_len + need > s->scratch_cap) {
		fail(s, "record too large to decode");
		return NULL;
	}
	char *out = s->scratch + s->scratch_len, *o = out;
	for (const char *q = begin; q < stop; q++) {
		unsigned char c = (unsigned char)*q;
		if (c < 0x20) {
			s->p = q;
			fail(s, "control character in string");
			return NULL;
		}
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		q++;
		switch (*q) {
		case 'n': *o++ = '\n'; break;
		case 't': *o++ = '\t'; break;
		case 'r': *o++ = '\r'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case '/': case '\\': case '"': *o++ = *q; break;
		case 'u': {
			if (stop - q < 5) {
				s->p = q;
				fail(s, "bad \\u escape");
				return NULL;
			}
			unsigned v = 0;
			for (int i = 1; i <= 4; i++) {
				int h = hexval(q[i]);
				if (h < 0) {
					s->p = q;
					fail(s, "bad \\u escape");
					return NULL;
				}
				v = v * 16 + (unsigned)h;
			}
			q += 4;
			/* surrogates and the rest of UTF-16 only matter for names we
			 * print; keep them as U+FFFD rather than pair them */
			if (v >= 0xD800 && v <= 0xDFFF)
				v = 0xFFFD;
			if (v < 0x80) {
				*o++ = (char)(v ? v : '?');
			} else if (v < 0x800) {
				*o++ = (char)(0xC0 | (v >> 6));
				*o++ = (char)(0x80 | (v & 0x3F));
			} else {
				*o++ = (char)(0xE0 | (v >> 12));
				*o++ = (char)(0x80 | ((v >> 6) & 0x3F));
				*o++ = (char)(0x80 | (v & 0x3F));
			}
			break;
		}
		default:
			s->p = q;
			fail(s, "bad escape in string");
			return NULL;
		}
	}
	*o++ = '\0';
	s->scratch_len += (size_t)(o - out);
	if (outlen)
		*outlen = (size_t)(o - out) - 1;
	return out;
}

static bool skip_value(scanner *s);

static bool skip_container(scanner *s, char close)
{
	if (++s->depth > s->max_depth)
		return fail(s, "nesting too deep");
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return true;
	}
	for (;;) {
		ws(s);
		if (close == '}') {
			if (s->p >= s->end || *s->p != '"')
				return fail(s, "expected a key");
			if (!skip_string(s))
				return false;
			ws(s);
			if (s->p >= s->end || *s->p != ':')
				return fail(s, "expected ':'");
			s->p++;
		}
		if (!skip_value(s))
			return false;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			s->depth--;
			return true;
		}
		return fail(s, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static bool skip_value(scanner *s)
{
	ws(s);
	if (s->p >= s->end)
		return fail(s, "unexpected end of record");
	switch (*s->p) {
	case '"': return skip_string(s);
	case '{': return skip_container(s, '}');
	case '[': return skip_container(s, ']');
	case 't': case 'f': case 'n': {
		const char *w = *s->p == 't' ? "true" : *s->p == 'f' ? "false" : "null";
		size_t n = strlen(w);
		if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
			return fail(s, "invalid literal");
		s->p += n;
		return true;
	}
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) {
			const char *b = s->p;
			while (s->p < s->end && strchr("+-0123456789.eE", *s->p))
				s->p++;
			return s->p > b;
		}
		return fail(s, "invalid JSON value");
	}
}

/* Iterates an object's members: calls fn(key) with s->p at the value; fn
 * consumes the value (returns false on error). */
typedef bool (*member_fn)(scanner *s, const char *key, size_t klen, void *ctx);

static bool each_member(scanner *s, member_fn fn, void *ctx)
{
	ws(s);
	if (s->p >= s->end || *s->p != '{')
		return fail(s, "expected an object");
	if (++s->depth > s->max_depth)
		return fail(s, "nesting too deep");
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		s->depth--;
		return true;
	}
	for (;;) {
		ws(s);
		if (s->p >= s->end || *s->p != '"')
			return fail(s, "expected a key");
		/* keys we look for have no escapes; an escaped key never matches */
		const char *k = s->p + 1;
		if (!skip_string(s))
			return false;
		size_t klen = (size_t)(s->p - 1 - k);
		ws(s);
		if (s->p >= s->end || *s->p != ':')
			return fail(s, "expected ':'");
		s->p++;
		ws(s);
		if (!fn(s, k, klen, ctx))
			return false;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			s->depth--;
			return true;
		}
		return fail(s, "expected ',' or '}'");
	}
}

#define KEY(lit) (klen == sizeof(lit) - 1 && memcmp(key, lit, klen) == 0)

/* A string field: decoded when it is a string, skipped (kept "") otherwise. */
static bool str_field(scanner *s, const char **out)
{
	if (s->p < s->end && *s->p == '"') {
		const char *v = read_string(s, NULL);
		if (!v)
			return false;
		*out = v;
		return true;
	}
	return skip_value(s);
}

typedef struct event_ctx {
	sunset_audit_event ev;
	const char *received, *stage_ts, *timestamp;
	const char *kind;
	bool has_items; /* an EventList's items were walked */
	bool nested;	/* the event came out of a wrapper */
	sunset_audit_sink *sink;
	uint32_t depth_embed;
	const char *method, *resource_name; /* GKE protoPayload */
} event_ctx;

static bool object_ref(scanner *s, const char *key, size_t klen, void *ctx)
{
	sunset_audit_event *ev = ctx;
	if (KEY("apiGroup"))
		return str_field(s, &ev->api_group);
	if (KEY("apiVersion"))
		return str_field(s, &ev->api_version);
	if (KEY("resource"))
		return str_field(s, &ev->resource);
	if (KEY("subresource"))
		return str_field(s, &ev->subresource);
	if (KEY("namespace"))
		return str_field(s, &ev->namespace);
	return skip_value(s);
}

static bool user_info(scanner *s, const char *key, size_t klen, void *ctx)
{
	sunset_audit_event *ev = ctx;
	if (KEY("username") || KEY("principalEmail"))
		return str_field(s, &ev->user);
	return skip_value(s);
}

static bool annotations(scanner *s, const char *key, size_t klen, void *ctx)
{
	sunset_audit_event *ev = ctx;
	if (KEY("k8s.io/deprecated")) {
		const char *v = "";
		if (!str_field(s, &v))
			return false;
		ev->deprecated = strcmp(v, "true") == 0;
		return true;
	}
	if (KEY("k8s.io/removed-release"))
		return str_field(s, &ev->removed_release);
	return skip_value(s);
}

static bool request_metadata(scanner *s, const char *key, size_t klen, void *ctx)
{
	sunset_audit_event *ev = ctx;
	if (KEY("callerSuppliedUserAgent"))
		return str_field(s, &ev->user_agent);
	return skip_value(s);
}

static bool event_member(scanner *s, const char *key, size_t klen, void *ctx);
static void emit(scanner *s, event_ctx *e);

static void event_init(event_ctx *e, sunset_audit_sink *sink, uint32_t line, uint32_t col, uint32_t embed)
{
	memset(e, 0, sizeof(*e));
	sunset_audit_event *ev = &e->ev;
	ev->api_group = ev->api_version = ev->resource = ev->subresource = ev->namespace = "";
	ev->verb = ev->user = ev->user_agent = ev->request_uri = ev->stage = "";
	ev->removed_release = "";
	ev->line = line;
	ev->column = col;
	e->sink = sink;
	e->depth_embed = embed;
}

static bool parse_event_at(scanner *s, event_ctx *e)
{
	return each_member(s, event_member, e);
}

/* Parses a JSON text held in a decoded string (EKS @message, AKS
 * properties.log) as the event; positions stay those of the string. */
static bool embedded(scanner *s, event_ctx *e)
{
	if (e->depth_embed >= 2)
		return skip_value(s);
	uint32_t col_line = s->line;
	(void)col_line;
	size_t len = 0;
	const char *text = read_string(s, &len);
	if (!text)
		return false;
	scanner inner = *s;
	inner.p = inner.start = text;
	inner.end = text + len;
	inner.failed = false;
	inner.depth = 0;
	ws(&inner);
	if (inner.p >= inner.end || *inner.p != '{')
		return true; /* a plain log line, not an event */
	event_ctx ie;
	event_init(&ie, e->sink, e->ev.line, e->ev.column, e->depth_embed + 1);
	bool ok = parse_event_at(&inner, &ie);
	s->scratch_len = inner.scratch_len;
	if (!ok) {
		char msg[256];
		snprintf(msg, sizeof(msg), "embedded event: %.200s", inner.err);
		return fail(s, msg);
	}
	emit(&inner, &ie);
	e->nested = true;
	return true;
}

static bool properties(scanner *s, const char *key, size_t klen, void *ctx)
{
	if (KEY("log"))
		return s->p < s->end && *s->p == '"' ? embedded(s, ctx) : skip_value(s);
	return skip_value(s);
}

/* An array of events (EventList items, Azure records). */
static bool event_array(scanner *s, event_ctx *outer)
{
	if (++s->depth > s->max_depth)
		return fail(s, "nesting too deep");
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		s->depth--;
		outer->has_items = true;
		return true;
	}
	for (;;) {
		ws(s);
		const char *at = s->p;
		uint32_t line = s->line, col = 1;
		for (const char *q = s->start; q < at; q++)
			if (*q == '\n')
				line++, col = 1;
			else
				col++;
		event_ctx e;
		event_init(&e, outer->sink, line, col, outer->depth_embed);
		size_t mark = s->scratch_len;
		if (!parse_event_at(s, &e))
			return false;
		emit(s, &e);
		s->scratch_len = mark;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			s->depth--;
			outer->has_items = true;
			return true;
		}
		return fail(s, "expected ',' or ']'");
	}
}

static bool event_member(scanner *s, const char *key, size_t klen, void *ctx)
{
	event_ctx *e = ctx;
	sunset_audit_event *ev = &e->ev;
	switch (klen ? key[0] : 0) {
	case 'k':
		if (KEY("kind"))
			return str_field(s, &e->kind);
		break;
	case 'v':
		if (KEY("verb"))
			return str_field(s, &ev->verb);
		break;
	case 'u':
		if (KEY("userAgent"))
			return str_field(s, &ev->user_agent);
		if (KEY("user"))
			return each_member(s, user_info, ev);
		break;
	case 'o':
		if (KEY("objectRef"))
			return each_member(s, object_ref, ev);
		break;
	case 'a':
		if (KEY("annotations"))
			return each_member(s, annotations, ev);
		if (KEY("authenticationInfo"))
			return each_member(s, user_info, ev);
		break;
	case 'r':
		if (KEY("requestURI"))
			return str_field(s, &ev->request_uri);
		if (KEY("requestReceivedTimestamp"))
			return str_field(s, &e->received);
		if (KEY("records") && s->p < s->end && *s->p == '[')
			return event_array(s, e);
		if (KEY("requestMetadata"))
			return each_member(s, request_metadata, ev);
		if (KEY("resourceName"))
			return str_field(s, &e->resource_name);
		break;
	case 's':
		if (KEY("stageTimestamp"))
			return str_field(s, &e->stage_ts);
		if (KEY("stage"))
			return str_field(s, &ev->stage);
		break;
	case 'i':
		if (KEY("items") && s->p < s->end && *s->p == '[')
			return event_array(s, e);
		break;
	case 't':
		if (KEY("timestamp"))
			return str_field(s, &e->timestamp);
		break;
	case 'm':
		if (KEY("methodName"))
			return str_field(s, &e->method);
		break;
	case 'l':
		if (KEY("labels")) /* GKE carries the event's annotations as labels */
			return each_member(s, annotations, ev);
		break;
	case 'p':
		if (KEY("protoPayload"))
			return each_member(s, event_member, e);
		if (KEY("properties"))
			return each_member(s, properties, e);
		break;
	case '@':
		if (KEY("@message"))
			return s->p < s->end && *s->p == '"' ? embedded(s, e) : each_member(s, event_member, e);
		break;
	}
	return skip_value(s);
}

int64_t sunset_audit_parse_time(const char *t)
{
	int Y, M, D, h, m, sec, n = 0;
	if (sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &n) != 6 || n != 19)
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return -1;
	const char *p = t + 19;
	int64_t ms = 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*p - '0');
		if (!digits)
			return -1;
		for (; digits < 3; digits++)
			ms *= 10;
	}
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return -1;
		off = (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	/* days from civil (Howard Hinnant), no timegm/TZ dependence */
	int y = Y - (M <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153u * (unsigned)(M + (M > 2 ? -3 : 9)) + 2) / 5 + (unsigned)D - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = (int64_t)era * 146097 + (int64_t)doe - 719468;
	return ((days * 86400 + h * 3600 + m * 60 + sec) - off) * 1000 + ms;
}

/* GKE: "io.k8s.apps.v1.deployments.create" and "apps/v1/namespaces/ns/deployments/x" */
static void from_gke(scanner *s, event_ctx *e)
{
	sunset_audit_event *ev = &e->ev;
	if (!e->method || strncmp(e->method, "io.k8s.", 7) != 0)
		return;
	const char *m = e->method + 7;
	const char *last = strrchr(m, '.');
	if (!last)
		return;
	size_t need = strlen(m) + 8;
	if (s->scratch_len + need > s->scratch_cap)
		return;
	char *b = s->scratch + s->scratch_len;
	s->scratch_len += need;
	memcpy(b, m, strlen(m) + 1);
	char *parts[16];
	size_t n = 0;
	for (char *q = b; n < 16;) {
		parts[n++] = q;
		char *dot = strchr(q, '.');
		if (!dot)
			break;
		*dot = '\0';
		q = dot + 1;
	}
	/* core: io.k8s.core.v1.pods.list; others: io.k8s.<group words>.<version>.<resource>[.<sub>].<verb> */
	if (n < 4)
		return;
	size_t vi = 0;
	for (size_t i = 0; i < n; i++)
		if (parts[i][0] == 'v' && parts[i][1] >= '0' && parts[i][1] <= '9') {
			vi = i;
			break;
		}
	if (!vi || vi + 2 >= n)
		return;
	ev->verb = parts[n - 1];
	ev->api_version = parts[vi];
	ev->resource = parts[vi + 1];
	if (vi + 3 < n)
		ev->subresource = parts[vi + 2];
	/* the group is dotted in the method name; rebuild it in place */
	if (!(vi == 1 && strcmp(parts[0], "core") == 0)) {
		for (size_t i = 0; i + 1 < vi; i++)
			parts[i][strlen(parts[i])] = '.';
		ev->api_group = parts[0];
	}
	if (e->resource_name && !ev->request_uri[0])
		ev->request_uri = e->resource_name;
	const char *ns = e->resource_name ? strstr(e->resource_name, "/namespaces/") : NULL;
	if (ns && !ev->namespace[0]) {
		ns += 12;
		const char *slash = strchr(ns, '/');
		size_t l = slash ? (size_t)(slash - ns) : strlen(ns);
		if (s->scratch_len + l + 1 <= s->scratch_cap) {
			char *o = s->scratch + s->scratch_len;
			memcpy(o, ns, l);
			o[l] = '\0';
			s->scratch_len += l + 1;
			ev->namespace = o;
		}
	}
}

static void emit(scanner *s, event_ctx *e)
{
	if (e->has_items || e->nested)
		return; /* a list or a wrapper: its events were emitted */
	if (e->kind && strcmp(e->kind, "Event") != 0)
		return;
	from_gke(s, e);
	const char *t = e->received ? e->received : e->stage_ts ? e->stage_ts : e->timestamp;
	if (t) {
		int64_t ms = sunset_audit_parse_time(t);
		e->ev.time_ms = ms > 0 ? ms : 0;
	}
	if (!e->ev.resource[0] && !e->ev.verb[0])
		return; /* not an event at all (another log line) */
	if (e->sink->event)
		e->sink->event(e->sink->ctx, &e->ev);
}

static void report(sunset_audit_sink *sink, uint32_t line, uint32_t col, const char *fmt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof(msg), fmt, arg);
	if (sink->error)
		sink->error(sink->ctx, line, col, msg);
}

static void parse_record(const char *rec, size_t len, uint32_t line, const sunset_audit_limits *lim,
			 char *scratch, sunset_audit_sink *sink)
{
	scanner s = {.p = rec, .end = rec + len, .start = rec, .line = line,
		     .max_depth = lim->max_depth, .scratch = scratch, .scratch_cap = 2 * len + 128};
	ws(&s);
	if (s.p >= s.end)
		return;
	uint32_t col = (uint32_t)(s.p - rec) + 1;
	event_ctx e;
	event_init(&e, sink, line, col, 0);
	if (*s.p != '{') {
		fail(&s, "expected a JSON object (an audit event)");
	} else if (parse_event_at(&s, &e)) {
		ws(&s);
		if (s.p < s.end)
			fail(&s, "unexpected data after the event");
		else
			emit(&s, &e);
	}
	if (s.failed)
		report(sink, s.err_line, s.err_col, "invalid audit event: %s", s.err);
}

/* Where bytes come from: gzip/plain through zlib, or memory. */
typedef struct source {
	gzFile gz;
	const char *mem;
	size_t mem_len, mem_pos;
	uint64_t inflated;
} source;

static long src_read(source *src, char *buf, size_t n)
{
	if (!src->gz) {
		size_t k = src->mem_len - src->mem_pos;
		if (k > n)
			k = n;
		memcpy(buf, src->mem + src->mem_pos, k);
		src->mem_pos += k;
		return (long)k;
	}
	int k = gzread(src->gz, buf, (unsigned)(n > (1u << 30) ? (1u << 30) : n));
	if (k > 0)
		src->inflated += (uint64_t)k;
	return k;
}

static int read_all(source *src, const sunset_audit_limits *in_lim, sunset_audit_sink *sink)
{
	sunset_audit_limits lim = *in_lim;
	if (!lim.max_record)
		lim.max_record = SUNSET_AUDIT_MAX_RECORD;
	if (!lim.max_depth)
		lim.max_depth = 256;
	if (!lim.max_ratio)
		lim.max_ratio = 256;
	size_t chunk = 256 << 10;
	size_t cap = lim.max_record + chunk;
	/* decoded strings never outgrow their raw bytes, but an embedded event
	 * (@message, properties.log) is decoded twice: as the string, then its fields */
	char *buf = malloc(cap), *scratch = malloc(2 * (lim.max_record + chunk) + 128);
	int rc = 0;
	if (!buf || !scratch) {
		report(sink, 0, 0, "%s", "out of memory for the record buffer");
		rc = -1;
		goto out;
	}
	size_t len = 0, pos = 0;	 /* buf[0..len): bytes; pos: scan position */
	size_t rec_start = 0;		 /* start of the current record */
	uint32_t line = 1, rec_line = 1; /* line of pos, line of rec_start */
	int depth = 0;
	bool in_str = false, esc = false, skipping = false, eof = false;
	for (;;) {
		if (pos == len) {
			if (eof)
				break;
			/* keep the open record at the front, read more behind it */
			if (rec_start > 0) {
				memmove(buf, buf + rec_start, len - rec_start);
				len -= rec_start;
				pos -= rec_start;
				rec_start = 0;
			}
			if (skipping) {
				len = pos = 0;
			}
			size_t room = cap - len;
			if (room > chunk)
				room = chunk;
			long k = src_read(src, buf + len, room);
			if (k < 0) {
				int errnum = 0;
				const char *m = gzerror(src->gz, &errnum);
				report(sink, line, 1, "cannot read: %s", errnum == Z_ERRNO ? strerror(errno) : m);
				rc = -1;
				goto out;
			}
			if (k == 0) {
				eof = true;
				if (len == rec_start)
					break;
				continue;
			}
			len += (size_t)k;
			if (src->gz && !gzdirect(src->gz) && src->inflated > ((uint64_t)1 << 20)) {
				uint64_t raw = (uint64_t)gzoffset(src->gz);
				if (src->inflated / (raw ? raw : 1) > lim.max_ratio) {
					char m[160];
					snprintf(m, sizeof(m), "gzip stream inflates over %llu:1 (a gzip bomb?); file not read further",
						 (unsigned long long)lim.max_ratio);
					report(sink, line, 1, "%s", m);
					rc = -1;
					goto out;
				}
			}
		}
		/* the scan: bracket depth outside strings decides where a record ends */
		const char *p = buf + pos, *end = buf + len;
		bool record_end = false;
		while (p < end) {
			char c = *p;
			if (in_str) {
				const char *q = p;
				while (q < end && *q != '"' && *q != '\\' && *q != '\n')
					q++;
				p = q;
				if (p == end)
					break;
				c = *p;
				if (esc) {
					esc = false;
				} else if (c == '\\') {
					esc = true;
				} else if (c == '"') {
					in_str = false;
				}
				if (c == '\n') {
					/* raw newline inside a string: the line was cut */
					record_end = true;
					break;
				}
				p++;
				if (esc && p < end) {
					esc = false;
					if (*p == '\n') {
						record_end = true;
						break;
					}
					p++;
				}
				continue;
			}
			if (c == '"')
				in_str = true;
			else if (c == '{' || c == '[')
				depth++;
			else if (c == '}' || c == ']')
				depth--;
			else if (c == '\n') {
				if (depth <= 0) {
					record_end = true;
					break;
				}
				/* an open record followed by a line that starts a new
				 * event: the first was cut short */
				if (p + 1 < end && p[1] == '{') {
					record_end = true;
					break;
				}
				line++;
			}
			p++;
		}
		pos = (size_t)(p - buf);
		if (!record_end && !(eof && pos == len)) {
			if (!skipping && pos - rec_start > lim.max_record) {
				char m[160];
				snprintf(m, sizeof(m), "record over %zu bytes; skipped to its end", lim.max_record);
				report(sink, rec_line, 1, "%s", m);
				skipping = true;
			}
			if (skipping)
				rec_start = pos;
			continue;
		}
		/* a record: buf[rec_start..pos) */
		if (!skipping) {
			if (in_str || depth > 0)
				report(sink, line, (uint32_t)(pos - rec_start) + 1, "%s",
				       "truncated audit event (the line ends inside it)");
			else
				parse_record(buf + rec_start, pos - rec_start, rec_line, &lim, scratch, sink);
		}
		skipping = false;
		in_str = esc = false;
		depth = 0;
		if (pos < len) {
			pos++; /* the newline */
			line++;
		}
		rec_start = pos;
		rec_line = line;
	}
out:
	free(buf);
	free(scratch);
	return rc;
}

int sunset_audit_read_fd(int fd, const sunset_audit_limits *lim, sunset_audit_sink *sink)
{
	source src = {0};
	src.gz = gzdopen(fd, "rb");
	if (!src.gz) {
		report(sink, 0, 0, "%s", "cannot open the log");
		return -1;
	}
	gzbuffer(src.gz, 128 << 10);
	int rc = read_all(&src, lim, sink);
	gzclose_r(src.gz);
	return rc;
}

int sunset_audit_read_mem(const char *data, size_t len, const sunset_audit_limits *lim,
			  sunset_audit_sink *sink)
{
	source src = {.mem = data, .mem_len = len};
	return read_all(&src, lim, sink);
}
