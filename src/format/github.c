/*
 * github: GitHub Actions workflow commands, one per finding and per input
 * error, so findings show as annotations on the pull request's diff.
 * Removed APIs are errors, deprecated ones warnings, findings already in
 * the baseline notices.  Escaping follows the runner (and actions/toolkit's
 * escapeData/escapeProperty): the message escapes % CR LF, property values
 * also ':' and ','; nothing else is decoded, so nothing else is escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/report.h"
#include "sunset/format.h"
#include "sunset/util.h"

/* Workflow command escaping: properties escape % \r \n : , ; the message % \r \n. */
static void escaped(FILE *out, const char *raw, bool property)
{
	if (!raw)
		return;
	/* CR and LF are the runner's to decode (the file= property must match
	 * the real path); every other control character would reach the log as
	 * a terminal escape, so it is shown as the text report shows it */
	char *piece = sunset_xmalloc(strlen(raw) + 1);
	for (const char *s = raw; *s;) {
		size_t n = strcspn(s, "%\r\n:,");
		if (n) {
			memcpy(piece, s, n);
			piece[n] = '\0';
			sunset_fputs_escaped(out, piece);
			s += n;
			continue;
		}
		switch (*s++) {
		case '%': fputs("%25", out); break;
		case '\r': fputs("%0D", out); break;
		case '\n': fputs("%0A", out); break;
		case ':': fputs(property ? "%3A" : ":", out); break;
		case ',': fputs(property ? "%2C" : ",", out); break;
		}
	}
	free(piece);
}

/* GitHub resolves file= against the checkout: "./x.yaml" is "x.yaml" */
static const char *repo_path(const char *p)
{
	while (p && p[0] == '.' && p[1] == '/')
		for (p += 2; *p == '/'; p++)
			;
	return p;
}

int sunset_format_github(FILE *out, const sunset_report *r, const sunset_report_options *opt)
{
	(void)opt;
	char msg[1024];
	for (size_t i = 0; i < r->nfinding; i++) {
		const sunset_finding *f = &r->finding[i];
		fputs(f->known ? "::notice file=" : f->status.removed ? "::error file=" : "::warning file=", out);
		escaped(out, repo_path(f->obj.file_path), true);
		if (f->obj.line)
			fprintf(out, ",line=%u,col=%u", f->obj.line, f->obj.column);
		fputs(",title=", out);
		escaped(out, f->status.removed ? "removed API" : "deprecated API", true);
		if (f->known)
			escaped(out, " (in the baseline)", true);
		fputs("::", out);
		sunset_finding_message(f, msg, sizeof(msg));
		const char *name = f->obj.name ? f->obj.name : "<unnamed>";
		escaped(out, f->obj.kind, false);
		fputs(" ", out);
		if (f->obj.namespace) {
			escaped(out, f->obj.namespace, false);
			fputs("/", out);
		}
		escaped(out, name, false);
		fputs(": ", out);
		escaped(out, msg, false);
		fputc('\n', out);
	}
	for (size_t i = 0; i < r->nerror; i++) {
		const sunset_error *e = &r->error[i];
		fputs("::error file=", out);
		escaped(out, repo_path(e->path), true);
		if (e->line)
			fprintf(out, ",line=%u,col=%u", e->line, e->column);
		fputs(",title=unreadable input::", out);
		escaped(out, e->message, false);
		fputc('\n', out);
	}
	return 0;
}
