/*
 * One input, start to finish: open, fstat the descriptor (not the path, so
 * what is checked is what is read), cheap checks, then the YAML or JSON
 * reader with the expanders as its sink.
 *
 * A file that is not valid YAML but holds "{{" is a template: it goes to
 * the chart template scanner instead (valid YAML with "{{" inside strings
 * stays YAML).
 *
 * What is read: regular files, and named pipes (process substitution too),
 * which are read like stdin: sunset waits for the writer and reads until it
 * closes.  Devices and sockets are refused before they are opened: opening
 * one can have effects, and /dev/zero or a serial line never ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sunset/expand.h"
#include "sunset/chart.h"
#include "sunset/scan.h"
#include "sunset/read.h"

#define SNIFF_BYTES 4096

typedef struct file_ctx {
	const sunset_scan_options *opt;
	sunset_report *r;
	const sunset_origin *origin;
	bool any;
	uint32_t last_index;
} file_ctx;

static int on_doc(void *ctx, const sunset_doc *doc)
{
	file_ctx *f = ctx;
	/* a streamed List's items arrive one at a time with their List's
	 * index: the List is one document */
	if (!f->any || doc->index != f->last_index)
		f->r->documents++;
	f->any = true;
	f->last_index = doc->index;
	sunset_objects_from_doc(f->opt, f->r, f->origin, doc);
	return 0;
}

static void on_error(void *ctx, uint32_t line, uint32_t column, const char *message)
{
	file_ctx *f = ctx;
	sunset_report_add_error(f->r, f->origin->path, line, column, "%s", message);
}

void sunset_scan_input(const sunset_scan_options *opt, sunset_report *r,
		       const sunset_origin *origin, const sunset_input *in, bool json)
{
	file_ctx f = {opt, r, origin, false, 0};
	sunset_doc_sink sink = {.doc = on_doc, .error = on_error, .ctx = &f};
	/* manifests: build only what the expanders read */
	sunset_input pruned = *in;
	pruned.objects_only = true;
	pruned.rules = opt->rules;
	r->inputs++;
	if (json)
		sunset_read_json(&pruned, &opt->limits, &sink);
	else
		sunset_read_yaml(&pruned, &opt->limits, &sink);
}

static bool looks_json(const char *p, size_t n)
{
	size_t i = 0;
	if (n >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	/* "{{- if ..." opens a template, not a JSON object */
	if (i + 1 < n && p[i] == '{' && p[i + 1] == '{')
		return false;
	return i < n && (p[i] == '{' || p[i] == '[');
}

/* Does the file hold "{{"?  Streams it again; the file is regular. */
static bool holds_template_action(int fd)
{
	static const size_t chunk = 65536;
	char buf[65536 + 1];
	off_t off = 0;
	buf[0] = '\0'; /* the last byte of the previous chunk: "{{" may straddle */
	for (;;) {
		ssize_t n = pread(fd, buf + 1, chunk, off);
		if (n <= 0)
			return false;
		if (memmem(buf, (size_t)n + 1, "{{", 2))
			return true;
		buf[0] = buf[n];
		off += n;
	}
}

static void scan_fd(const sunset_scan_options *opt, sunset_report *r, const sunset_origin *origin,
		    int fd, bool regular, const char *path)
{
	char head[SNIFF_BYTES];
	ssize_t n;
	do
		n = read(fd, head, sizeof(head));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		sunset_report_add_error(r, origin->path, 0, 0, "cannot read: %s", strerror(errno));
		return;
	}
	r->inputs++;
	if (n == 0)
		return; /* an empty file holds no objects; that is not an error */
	if (memchr(head, '\0', (size_t)n) && !(n >= 2 && ((unsigned char)head[0] == 0xff || (unsigned char)head[0] == 0xfe))) {
		sunset_report_add_error(r, origin->path, 1, 1, "binary file (NUL byte at offset %zu); skipped",
					(size_t)((char *)memchr(head, '\0', (size_t)n) - head));
		return;
	}
	r->inputs--; /* counted again by sunset_scan_input */
	bool json = looks_json(head, (size_t)n);
	sunset_input in = {.fd = fd, .prefix = head, .prefix_len = (size_t)n};
	if (!regular || json) {
		sunset_scan_input(opt, r, origin, &in, json);
		return;
	}
	/* read into a side report first: a failed parse may mean a template */
	sunset_report side;
	sunset_report_init(&side);
	side.keep_checked = r->keep_checked;
	sunset_scan_input(opt, &side, origin, &in, false);
	if (side.nerror && holds_template_action(fd)) {
		sunset_report_release(&side);
		sunset_chart_scan_file(opt, r, path, NULL);
		return;
	}
	sunset_report_merge(r, &side);
	sunset_report_release(&side);
}

void sunset_scan_file(const sunset_scan_options *opt, sunset_report *r, const char *path,
		      const char *chart_root)
{
	sunset_origin origin = {.path = path, .source = SUNSET_SOURCE_FILE};
	if (strcmp(path, "-") == 0) {
		origin.path = opt->stdin_name ? opt->stdin_name : "<stdin>";
		origin.source = SUNSET_SOURCE_STDIN;
		scan_fd(opt, r, &origin, STDIN_FILENO, false, origin.path);
		return;
	}
	if (chart_root) {
		sunset_chart_scan_file(opt, r, path, chart_root);
		return;
	}
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISDIR(st.st_mode)) {
		sunset_report_add_error(r, path, 0, 0, "not a regular file or pipe; skipped");
		return;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		sunset_report_add_error(r, path, 0, 0, "cannot open: %s", strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0) {
		sunset_report_add_error(r, path, 0, 0, "cannot stat: %s", strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		sunset_report_add_error(r, path, 0, 0, "is a directory");
	} else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		/* it changed between stat and open */
		sunset_report_add_error(r, path, 0, 0, "not a regular file or pipe; skipped");
	} else {
		scan_fd(opt, r, &origin, fd, S_ISREG(st.st_mode), path);
	}
	close(fd);
}
