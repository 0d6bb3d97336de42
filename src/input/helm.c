/* Helm release objects: see sunset/helm.h.  (being written) */
#include "sunset/helm.h"

bool sunset_helm_is_release(const sunset_node *obj)
{
	(void)obj;
	return false;
}

void sunset_helm_expand(const sunset_scan_options *opt, sunset_report *r,
			const sunset_origin *origin, const sunset_doc *doc, const sunset_node *obj)
{
	(void)opt; (void)r; (void)origin; (void)doc; (void)obj;
}
