/*
 * Fuzz target: the chart template scanner (src/chart/chart.c, gotmpl.c).
 * The input is up to three parts separated by NUL bytes: a template (read
 * from memory as templates/t.yaml), the chart's templates/_helpers.tpl and
 * its values.yaml, both written into a temporary chart directory made once.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "chart/chart.h"

static char chart_dir[64];
static char helpers_path[128], values_path[128], template_path[128];

static void write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (n && fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
}

static void remove_chart(void)
{
	char p[128];
	unlink(helpers_path);
	unlink(values_path);
	snprintf(p, sizeof(p), "%s/Chart.yaml", chart_dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/templates", chart_dir);
	rmdir(p);
	rmdir(chart_dir);
}

static void make_chart(void)
{
	if (chart_dir[0])
		return;
	snprintf(chart_dir, sizeof(chart_dir), "/tmp/sunset-fuzz-chart-XXXXXX");
	if (!mkdtemp(chart_dir))
		abort();
	char p[128];
	snprintf(p, sizeof(p), "%s/Chart.yaml", chart_dir);
	static const char chart[] = "apiVersion: v2\nname: fuzz\nversion: 0.1.0\n";
	write_file(p, (const uint8_t *)chart, sizeof(chart) - 1);
	snprintf(p, sizeof(p), "%s/templates", chart_dir);
	if (mkdir(p, 0700) < 0)
		abort();
	snprintf(helpers_path, sizeof(helpers_path), "%s/templates/_helpers.tpl", chart_dir);
	snprintf(values_path, sizeof(values_path), "%s/values.yaml", chart_dir);
	snprintf(template_path, sizeof(template_path), "%s/templates/t.yaml", chart_dir);
	atexit(remove_chart);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	make_chart();
	const uint8_t *part[3] = {data, NULL, NULL};
	size_t len[3] = {size, 0, 0};
	for (int i = 0; i < 2; i++) {
		const uint8_t *nul = memchr(part[i], '\0', len[i]);
		if (!nul)
			break;
		part[i + 1] = nul + 1;
		len[i + 1] = len[i] - (size_t)(nul + 1 - part[i]);
		len[i] = (size_t)(nul - part[i]);
	}
	write_file(helpers_path, part[1] ? part[1] : (const uint8_t *)"", len[1]);
	write_file(values_path, part[2] ? part[2] : (const uint8_t *)"", len[2]);
	sunset_report r;
	sunset_report_init(&r);
	r.keep_checked = 1;
	/* an exact-size copy: the scanner must not read past len */
	char *text = malloc(len[0] ? len[0] : 1);
	if (!text)
		abort();
	memcpy(text, part[0], len[0]);
	sunset_chart_scan_text(fuzz_options(), &r, template_path, text, len[0], chart_dir);
	free(text);
	fuzz_write_formats(&r);
	sunset_report_release(&r);
	return 0;
}
