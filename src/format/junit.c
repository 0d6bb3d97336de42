/*
 * junit: JUnit XML for the test reporters of GitLab, Jenkins, Azure and
 * GitHub.  One <testsuite> per input file (sorted by path), one <testcase>
 * per object checked, a <failure> when the object uses a removed or
 * deprecated API, an <error> per input that could not be read or parsed.
 * Objects silenced by "# sunset:ignore" or an ignore rule, and findings
 * already in the baseline, are <skipped>: they do not fail the gate, and a
 * passing test would hide them.
 *
 * Test case names leave out the line, so a reporter that compares runs
 * (GitLab's "new failures") keeps following an object whose lines moved.
 * No times: the same input prints the same bytes.
 *
 * Needs every checked object (the format's row sets wants_checked); the
 * finding of each object is found through a hash index built and freed
 * here.  Text is escaped for XML 1.0: markup characters become entities,
 * and bytes XML cannot carry (control characters, invalid UTF-8) become
 * U+FFFD.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/report.h"
#include "sunset/format.h"
#include "sunset/rules.h"

static void xml(FILE *out, const char *s, bool attribute)
{
	if (!s)
		return;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = sunset_utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			fputs("\xef\xbf\xbd", out);
			i++;
			continue;
		}
		switch (cp) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs(attribute ? "&quot;" : "\"", out); break;
		case '\'': fputs(attribute ? "&apos;" : "'", out); break;
		/* attribute value normalisation would turn these into spaces */
		case '\t': fputs(attribute ? "&#9;" : "\t", out); break;
		case '\n': fputs(attribute ? "&#10;" : "\n", out); break;
		case '\r': fputs("&#13;", out); break;
		default:
			if (cp < 0x20 || cp == 0xfffe || cp == 0xffff)
				fputs("\xef\xbf\xbd", out);
			else
				fwrite(s + i, 1, len, out);
		}
		i += len;
	}
}

static bool same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool same_object(const sunset_object *a, const sunset_object *b)
{
	return same(a->file_path, b->file_path) && a->line == b->line && a->column == b->column &&
	       a->source == b->source && same(a->api_version, b->api_version) && same(a->kind, b->kind) &&
	       same(a->name, b->name) && same(a->namespace, b->namespace) &&
	       same(a->template_path, b->template_path) && same(a->release, b->release) &&
	       same(a->release_namespace, b->release_namespace) && a->revision == b->revision &&
	       same(a->manager, b->manager) && same(a->operation, b->operation);
}

uint64_t sunset_object_hash(const sunset_object *o)
{
	const char *parts[] = {o->file_path, o->api_version, o->kind, o->name, o->namespace};
	uint64_t h = ((uint64_t)o->line << 32) ^ o->column;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i])
			h = sunset_hash(parts[i], strlen(parts[i]), h);
	/* FNV's multiplication carries bits only upward: the line, in the high
	 * half, never reached the low bits an index keeps.  MurmurHash3's
	 * finalizer mixes every bit into every other. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* Open addressing over finding indexes (+1, so 0 is an empty slot). */
typedef struct finding_index {
	size_t *slot;
	size_t mask;
} finding_index;

/* skip_rules: rule findings are cases of their own (see suite) */
static void index_build(finding_index *ix, const sunset_report *r, bool skip_rules)
{
	size_t cap = 16;
	while (cap < r->nfinding * 2)
		cap *= 2;
	ix->slot = sunset_xcalloc(cap, sizeof(*ix->slot));
	ix->mask = cap - 1;
	for (size_t i = 0; i < r->nfinding; i++) {
		if (skip_rules && r->finding[i].rule)
			continue;
		size_t s = (size_t)sunset_object_hash(&r->finding[i].obj) & ix->mask;
		while (ix->slot[s])
			s = (s + 1) & ix->mask;
		ix->slot[s] = i + 1;
	}
}

static const sunset_finding *index_find(const finding_index *ix, const sunset_report *r,
					const sunset_object *o)
{
	for (size_t s = (size_t)sunset_object_hash(o) & ix->mask; ix->slot[s]; s = (s + 1) & ix->mask) {
		const sunset_finding *f = &r->finding[ix->slot[s] - 1];
		if (same_object(&f->obj, o))
			return f;
	}
	return NULL;
}

static const char *rule_id(const sunset_finding *f)
{
	if (f->rule)
		return f->rule->id;
	if (f->status.removed)
		return "removed-api";
	if (!f->status.replacement_available)
		return "deprecated-api-no-replacement";
	return "deprecated-api";
}

/* "Deployment shop/web (extensions/v1beta1)", plus where the object came
 * from when a file can hold it more than once. */
static void case_name(FILE *out, const sunset_object *o)
{
	xml(out, o->kind, true);
	fputc(' ', out);
	if (o->namespace) {
		xml(out, o->namespace, true);
		fputc('/', out);
	}
	xml(out, o->name ? o->name : "<unnamed>", true);
	fputs(" (", out);
	xml(out, o->api_version, true);
	if (o->source != SUNSET_SOURCE_FILE && o->source != SUNSET_SOURCE_STDIN) {
		fputs(", ", out);
		xml(out, sunset_source_name(o->source), true);
	}
	fputc(')', out);
	if (o->release) {
		fputs(" in release ", out);
		if (o->release_namespace) {
			xml(out, o->release_namespace, true);
			fputc('/', out);
		}
		xml(out, o->release, true);
		fprintf(out, " revision %d", o->revision);
	}
	if (o->manager) {
		fputs(" written by ", out);
		xml(out, o->manager, true);
	}
}

static void location(FILE *out, const char *path, uint32_t line, uint32_t column)
{
	xml(out, path, false);
	if (line)
		fprintf(out, ":%u:%u", line, column);
}

typedef struct suite {
	const char *path;
	size_t first_obj, end_obj, first_err, nerr;
	size_t cases, failures, skipped;
	/* rule findings in this file (rules.h): a case each, after the
	 * objects, since they point at a field, not at an object */
	size_t first_rule, end_rule;
} suite;

/* A List's items are cases of their own; the List is only a wrapper. */
static bool is_case(const sunset_object *o, const sunset_finding *f)
{
	return f || o->ignored || !o->kind || !sunset_str_ends_with(o->kind, "List");
}

static const char *path_of(const sunset_object *o)
{
	return o->file_path ? o->file_path : "";
}

static const char *err_path(const sunset_error *e)
{
	return e->path ? e->path : "";
}

static void write_case(FILE *out, const sunset_object *o, const sunset_finding *f)
{
	fputs("    <testcase name=\"", out);
	case_name(out, o);
	if (f && f->rule) {
		fputs(" [", out);
		xml(out, f->rule->id, true);
		fputc(']', out);
	}
	fputs("\" classname=\"", out);
	xml(out, path_of(o), true);
	fputs("\" file=\"", out);
	xml(out, path_of(o), true);
	fputc('"', out);
	if (o->line)
		fprintf(out, " line=\"%u\"", o->line);
	if (o->ignored) {
		fputs(">\n      <skipped message=\"silenced by an ignore comment or rule\"/>\n    </testcase>\n", out);
		return;
	}
	if (!f) {
		fputs("/>\n", out);
		return;
	}
	char msg[1024];
	sunset_finding_message(f, msg, sizeof(msg));
	if (f->known) {
		fputs(">\n      <skipped message=\"known in the baseline: ", out);
		xml(out, msg, true);
		fputs("\"/>\n    </testcase>\n", out);
		return;
	}
	fprintf(out, ">\n      <failure type=\"%s\" message=\"", rule_id(f));
	xml(out, msg, true);
	fputs("\">", out);
	location(out, path_of(o), o->line, o->column);
	fputs(": ", out);
	xml(out, msg, false);
	if (f->row->notes) {
		fputs("\n", out);
		xml(out, f->row->notes, false);
	}
	fputs("</failure>\n    </testcase>\n", out);
}

static void write_error(FILE *out, const sunset_error *e)
{
	fputs("    <testcase name=\"", out);
	if (e->line)
		fprintf(out, "read input at line %u", e->line);
	else
		fputs("read input", out);
	fputs("\" classname=\"", out);
	xml(out, err_path(e), true);
	fputs("\" file=\"", out);
	xml(out, err_path(e), true);
	fputc('"', out);
	if (e->line)
		fprintf(out, " line=\"%u\"", e->line);
	fputs(">\n      <error type=\"invalid-input\" message=\"", out);
	xml(out, e->message, true);
	fputs("\">", out);
	location(out, err_path(e), e->line, e->column);
	fputs(": ", out);
	xml(out, e->message, false);
	fputs("</error>\n    </testcase>\n", out);
}

int sunset_format_junit(FILE *out, const sunset_report *r, const sunset_report_options *opt)
{
	(void)opt;
	/* A report built without the checked objects still lists its findings. */
	const sunset_object *obj = r->checked;
	size_t nobj = r->nchecked;
	sunset_object *from_findings = NULL;
	if (nobj == 0 && r->nfinding) {
		from_findings = sunset_xmalloc(r->nfinding * sizeof(*from_findings));
		for (size_t i = 0; i < r->nfinding; i++)
			from_findings[i] = r->finding[i].obj;
		obj = from_findings;
		nobj = r->nfinding;
	}
	finding_index ix;
	index_build(&ix, r, from_findings == NULL);

	/* checked objects and errors are both sorted by path: merge them into suites */
	suite *suites = sunset_xmalloc((nobj + r->nerror + 1) * sizeof(*suites));
	size_t nsuite = 0, oi = 0, ei = 0, ri = 0;
	size_t tests = 0, failures = 0, skipped = 0;
	while (oi < nobj || ei < r->nerror) {
		const char *p;
		if (ei == r->nerror || (oi < nobj && strcmp(path_of(&obj[oi]), err_path(&r->error[ei])) <= 0))
			p = path_of(&obj[oi]);
		else
			p = err_path(&r->error[ei]);
		suite *s = &suites[nsuite++];
		memset(s, 0, sizeof(*s));
		s->path = p;
		s->first_obj = oi;
		while (oi < nobj && strcmp(path_of(&obj[oi]), p) == 0) {
			const sunset_object *o = &obj[oi++];
			const sunset_finding *f = index_find(&ix, r, o);
			if (!is_case(o, f))
				continue;
			s->cases++;
			if (o->ignored || (f && f->known))
				s->skipped++;
			else if (f)
				s->failures++;
		}
		s->end_obj = oi;
		/* findings are sorted by path like the objects; in a report
		 * without checked objects they are the objects already */
		while (!from_findings && ri < r->nfinding && strcmp(path_of(&r->finding[ri].obj), p) < 0)
			ri++;
		s->first_rule = ri;
		while (!from_findings && ri < r->nfinding && strcmp(path_of(&r->finding[ri].obj), p) == 0) {
			const sunset_finding *f = &r->finding[ri++];
			if (!f->rule)
				continue;
			s->cases++;
			if (f->known)
				s->skipped++;
			else
				s->failures++;
		}
		s->end_rule = ri;
		s->first_err = ei;
		while (ei < r->nerror && strcmp(err_path(&r->error[ei]), p) == 0)
			ei++;
		s->nerr = ei - s->first_err;
		tests += s->cases + s->nerr;
		failures += s->failures;
		skipped += s->skipped;
	}

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"sunset\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n",
		tests, failures, r->nerror, skipped);
	for (size_t i = 0; i < nsuite; i++) {
		const suite *s = &suites[i];
		fputs("  <testsuite name=\"", out);
		xml(out, s->path, true);
		fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n",
			s->cases + s->nerr, s->failures, s->nerr, s->skipped);
		/* both are sorted by line: merged, a file reads top to bottom */
		size_t j = s->first_obj, k = s->first_err, end_err = s->first_err + s->nerr;
		while (j < s->end_obj || k < end_err) {
			if (k < end_err && (j == s->end_obj || r->error[k].line < obj[j].line)) {
				write_error(out, &r->error[k++]);
				continue;
			}
			const sunset_finding *f = index_find(&ix, r, &obj[j]);
			if (is_case(&obj[j], f))
				write_case(out, &obj[j], f);
			j++;
		}
		for (size_t q = s->first_rule; q < s->end_rule; q++)
			if (r->finding[q].rule)
				write_case(out, &r->finding[q].obj, &r->finding[q]);
		fputs("  </testsuite>\n", out);
	}
	fputs("</testsuites>\n", out);
	free(suites);
	free(ix.slot);
	free(from_findings);
	return ferror(out) ? -1 : 0;
}
