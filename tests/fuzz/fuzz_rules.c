/*
 * Fuzz target: the rules loader (the data/NAME-rules.yaml format), followed by
 * what a scan does with loaded rules: a fixed manifest with pod templates,
 * a StorageClass and a Service is read with the pruning the rules ask for
 * and checked against them, and every finding's message is formatted.
 */
#include <string.h>

#include "fuzz_common.h"
#include "sunset/rules.h"

static const char manifest[] =
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
	"    metadata:\n      annotations: {seccomp.security.alpha.kubernetes.io/pod: x}\n"
	"    spec:\n      nodeSelector: {node-role.kubernetes.io/master: \"\"}\n"
	"      tolerations: [{key: node-role.kubernetes.io/master}]\n"
	"      containers: [{name: a, image: k8s.gcr.io/pause}]\n"
	"      volumes: [{name: g, glusterfs: {path: p}}, {name: h, hostPath: {path: /var/run/docker.sock}}]\n"
	"---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: CRON_TZ=UTC 0 1 * * *\n"
	"  jobTemplate: {spec: {template: {spec: {volumes: [{name: r, rbd: {}}]}}}}\n"
	"---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: s}\nprovisioner: kubernetes.io/rbd\n"
	"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n  annotations: {a: b}\nspec: {topologyKeys: [x]}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	sunset_rules *rs = sunset_rules_new();
	if (sunset_rules_load(rs, "fuzz-rules.yaml", (const char *)data, size, err, sizeof(err)) == 0) {
		sunset_scan_options o = *fuzz_options();
		o.rules = rs;
		sunset_report r;
		sunset_report_init(&r);
		sunset_origin origin = {.path = "fuzz.yaml", .source = SUNSET_SOURCE_FILE};
		sunset_input in = {.fd = -1, .mem = manifest, .mem_len = sizeof(manifest) - 1};
		sunset_scan_input(&o, &r, &origin, &in, false);
		for (size_t i = 0; i < r.nfinding; i++) {
			char msg[1024];
			sunset_finding_message(&r.finding[i], msg, sizeof(msg));
			if (r.finding[i].rule && (r.finding[i].obj.line < 1 || r.finding[i].obj.line > 40))
				abort(); /* a rule finding points inside the manifest */
		}
		sunset_report_release(&r);
	} else if (memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	sunset_rules_free(rs);
	return 0;
}
