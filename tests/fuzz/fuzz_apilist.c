/*
 * Fuzz target: API list responses as the cluster client reads them
 * (src/cluster/http.c parse_json_doc streaming the items, then every item
 * through the cluster expanders: last-applied, managedFields, Helm
 * releases), and the same body as an error response's Status.
 */
#include <string.h>

#include "cluster/internal.h"
#include "fuzz_common.h"
#include "sunset/expand.h"

typedef struct page {
	sunset_report *r;
	sunset_origin origin;
} page;

static int on_doc(void *ctx, const sunset_doc *doc)
{
	page *p = ctx;
	const sunset_node *root = sunset_node_resolve(doc->root);
	const sunset_node *items = sunset_node_resolve(sunset_map_get(root, "items"));
	if (!items) {
		sunset_objects_from_cluster_item(fuzz_options(), p->r, &p->origin, doc, root, "Deployment");
		return 0;
	}
	(void)sunset_node_str(sunset_map_get(sunset_map_get(root, "metadata"), "continue"));
	for (size_t i = 0; items->type == SUNSET_NODE_SEQUENCE && i < items->nchild; i++)
		sunset_objects_from_cluster_item(fuzz_options(), p->r, &p->origin, doc,
						 sunset_node_resolve(items->child[i]), "Secret");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sunset_report r;
	sunset_report_init(&r);
	r.keep_checked = 1;
	page p = {&r, {.path = "cluster://fuzz/deployments.apps", .source = SUNSET_SOURCE_LAST_APPLIED}};
	char err[512];
	if (parse_json_doc((const char *)data, size, &fuzz_options()->limits, on_doc, &p, err, sizeof(err)) < 0 &&
	    memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	fuzz_write_formats(&r);
	sunset_report_release(&r);

	/* the body of a failed request: its Status message, bounded */
	char st[512];
	http_result res = {.status = 403, .body = (const char *)data, .len = size, .path = "/apis/apps/v1/deployments"};
	http_describe_status(&res, &fuzz_options()->limits, st, sizeof(st));
	if (memchr(st, '\0', sizeof(st)) == NULL)
		abort();
	return 0;
}
