/* Chart template scanner: see sunset/helm.h.  (being written) */
#include "sunset/helm.h"

void sunset_chart_scan_file(const sunset_scan_options *opt, sunset_report *r, const char *path,
			    const char *chart_root)
{
	(void)opt; (void)chart_root;
	sunset_report_add_error(r, path, 0, 0, "chart templates are not supported yet");
}
