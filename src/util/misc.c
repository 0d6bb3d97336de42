/*
 * Versions, hashing and allocation helpers.  Out-of-memory is the one
 * condition sunset does not recover from: every input-driven allocation is
 * bounded before it is made, so a failing malloc means the machine is out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/util.h"

static void oom(void)
{
	fputs("sunset: out of memory\n", stderr);
	abort();
}

void *sunset_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *sunset_xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *sunset_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *sunset_xstrdup(const char *s)
{
	size_t n = strlen(s);
	char *p = sunset_xmalloc(n + 1);
	memcpy(p, s, n + 1);
	return p;
}

bool sunset_str_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool sunset_csv_has(const char *csv, const char *item)
{
	size_t n = strlen(item);
	for (const char *p = csv; *p;) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) == n && memcmp(p, item, n) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

char *sunset_path_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *s = sunset_xmalloc(a + b + 2);
	memcpy(s, dir, a);
	size_t n = a;
	if (n && s[n - 1] != '/')
		s[n++] = '/';
	memcpy(s + n, name, b + 1);
	return s;
}

static int parse_uint(const char **p, const char *end, uint32_t max, uint32_t *out)
{
	const char *s = *p;
	uint32_t v = 0;
	if (s >= end || *s < '0' || *s > '9')
		return -1;
	while (s < end && *s >= '0' && *s <= '9') {
		v = v * 10 + (uint32_t)(*s - '0');
		if (v > max)
			return -1;
		s++;
	}
	*p = s;
	*out = v;
	return 0;
}

int sunset_version_parse(const char *s, size_t len, sunset_version *out)
{
	const char *p = s, *end = s + len;
	uint32_t maj, min, pat = 0;
	if (p < end && (*p == 'v' || *p == 'V'))
		p++;
	if (parse_uint(&p, end, 1023, &maj) < 0 || p >= end || *p != '.')
		return -1;
	p++;
	if (parse_uint(&p, end, 1023, &min) < 0)
		return -1;
	if (p < end && *p == '.') {
		p++;
		if (parse_uint(&p, end, 1023, &pat) < 0)
			return -1;
	}
	if (p != end)
		return -1;
	if (maj == 0 && min == 0 && pat == 0)
		return -1;
	*out = SUNSET_VERSION(maj, min, pat);
	return 0;
}

void sunset_version_format(sunset_version v, char out[24])
{
	snprintf(out, 24, "v%u.%u.%u", v >> 20, (v >> 10) & 0x3ffu, v & 0x3ffu);
}

void sunset_version_format_short(sunset_version v, char out[24])
{
	if (v & 0x3ffu)
		snprintf(out, 24, "%u.%u.%u", v >> 20, (v >> 10) & 0x3ffu, v & 0x3ffu);
	else
		snprintf(out, 24, "%u.%u", v >> 20, (v >> 10) & 0x3ffu);
}

/* FNV-1a: the keys are short (apiVersion + kind); no need for more. */
uint64_t sunset_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL ^ seed;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}
