/*
 * What sunset prints for people comes from inputs it does not trust: object
 * names from a cluster, paths from a repository.  A terminal obeys the
 * control characters in them (ESC [2J clears the screen and lets a name
 * forge the rest of the report), so every human format and every message
 * goes through sunset_escape_controls() first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/util.h"

/* Appends s[0..n) to out (room for cap bytes, NUL included), counting what
 * would have been written so that the caller can size a second try. */
static void put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	if (*len < cap) {
		size_t room = cap - *len - 1;
		memcpy(out + *len, s, n < room ? n : room);
	}
	*len += n;
}

size_t sunset_escape_controls(const char *s, char *out, size_t cap)
{
	size_t len = 0, n = strlen(s);
	char esc[8];
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f) {
			size_t run = i + 1;
			while (run < n && (unsigned char)s[run] >= 0x20 && (unsigned char)s[run] < 0x7f)
				run++;
			put(out, cap, &len, s + i, run - i);
			i = run;
			continue;
		}
		if (c < 0x80) {
			switch (c) {
			case '\n': put(out, cap, &len, "\\n", 2); break;
			case '\r': put(out, cap, &len, "\\r", 2); break;
			case '\t': put(out, cap, &len, "\\t", 2); break;
			default:
				snprintf(esc, sizeof(esc), "\\x%02x", c);
				put(out, cap, &len, esc, 4);
			}
			i++;
			continue;
		}
		uint32_t cp;
		size_t seq = sunset_utf8_decode(s + i, n - i, &cp);
		if (seq == 0) {
			/* a lone byte 0x80-0x9f is a C1 control on an 8-bit terminal */
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			put(out, cap, &len, esc, 4);
			i++;
		} else if (cp < 0xa0) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
			put(out, cap, &len, esc, 6);
			i += seq;
		} else {
			put(out, cap, &len, s + i, seq);
			i += seq;
		}
	}
	if (cap)
		out[len < cap ? len : cap - 1] = '\0';
	return len;
}

void sunset_fputs_escaped(FILE *out, const char *s)
{
	char small[1024];
	size_t len = sunset_escape_controls(s, small, sizeof(small));
	if (len < sizeof(small)) {
		fputs(small, out);
		return;
	}
	char *big = sunset_xmalloc(len + 1);
	sunset_escape_controls(s, big, len + 1);
	fputs(big, out);
	free(big);
}

/* kubectl shows a server URL's password as "xxxxx" (url.Redacted()): the
 * userinfo of every scheme://user:password@host in s is masked the same. */
size_t sunset_redact_url_passwords(const char *s, char *out, size_t cap)
{
	size_t len = 0;
	const char *p = s;
	for (;;) {
		const char *scheme_end = strstr(p, "://");
		if (!scheme_end)
			break;
		const char *user = scheme_end + 3;
		size_t auth_len = strcspn(user, "/?#@ \t\"'");
		const char *colon = memchr(user, ':', auth_len);
		if (user[auth_len] == '@' && colon) {
			put(out, cap, &len, p, (size_t)(colon + 1 - p));
			put(out, cap, &len, "xxxxx", 5);
			p = user + auth_len;
		} else {
			put(out, cap, &len, p, (size_t)(user - p));
			p = user;
		}
	}
	put(out, cap, &len, p, strlen(p));
	if (cap)
		out[len < cap ? len : cap - 1] = '\0';
	return len;
}
