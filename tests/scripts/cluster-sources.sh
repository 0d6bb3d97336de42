#!/bin/bash
# sunset cluster against the test API server (tests/apiserver/server.py with
# fixtures/cluster/state.json): every source alone and together, --sources,
# --annotation, -n, -t k8s=next|cluster, and what the client asked for
# (metadata-only lists of the table's kinds, Helm objects by label, /metrics).
. "$(dirname "$0")/../cluster/lib.sh"

start_server
KC=$TMP/kc.yaml
kubeconfig "$KC" "    token: tok-admin"

# all four sources: the exact JSON report
run all "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 -o json
expect_golden all 3 all-sources.json /dev/null

run last-applied "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources last-applied -o wide \
	--columns location,kind,name,version,source,detail
expect last-applied 3 - /dev/null <<'EOF'
LOCATION                                                  KIND        NAME           VERSION                    SOURCE        DETAIL
cluster://test/shop/deployments.apps/frontend             Deployment  shop/frontend  extensions/v1beta1         last-applied  -
cluster://test/shop/ingresses.networking.k8s.io/shop-web  Ingress     shop/shop-web  networking.k8s.io/v1beta1  last-applied  -
EOF
# a cluster's inputs are its lists (no files, so no documents)
check_summary last-applied "sunset: 36 inputs, 32 objects: 2 removed, 0 deprecated; 0 errors; 0 ignored; 0 known"

# the manager that still writes an old version is named
run managed-fields "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources managed-fields -o wide \
	--columns location,kind,name,version,source,detail
expect managed-fields 3 - /dev/null <<'EOF'
LOCATION                                                               KIND                     NAME           VERSION                               SOURCE          DETAIL
cluster://test/flowschemas.flowcontrol.apiserver.k8s.io/shop-priority  FlowSchema               shop-priority  flowcontrol.apiserver.k8s.io/v1beta2  managed-fields  manager=kubectl-client-side-apply (Update)
cluster://test/shop/horizontalpodautoscalers.autoscaling/frontend      HorizontalPodAutoscaler  shop/frontend  autoscaling/v2beta2                   managed-fields  manager=helm (Update)
EOF

# newest revision per release: shop#2 (not the superseded #1 with its PDB)
run helm "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources helm-release -o wide \
	--columns location,kind,name,version,source,detail
expect helm 3 - /dev/null <<'EOF'
LOCATION                                                                   KIND                          NAME                  VERSION                               SOURCE        DETAIL
cluster://test/cert-manager/configmaps/sh.helm.release.v1.cert-manager.v1  MutatingWebhookConfiguration  cert-manager-webhook  admissionregistration.k8s.io/v1beta1  helm-release  template=cert-manager/templates/webhook-mutating-webhook.yaml release=cert-manager/cert-manager#1
cluster://test/shop/secrets/sh.helm.release.v1.shop.v2                     Ingress                       shop/shop-web         extensions/v1beta1                    helm-release  template=shop/templates/ingress.yaml release=shop/shop#2
EOF
check_eq "helm-release: only Helm objects listed, whole, by label" \
	"$(log_query 'sorted((r["path"], r["query"], r["accept"]) for r in reqs if "limit=" in r["query"])')" \
	"[('/api/v1/configmaps', 'limit=10&labelSelector=owner%3Dhelm', 'application/json'), ('/api/v1/secrets', 'limit=10&labelSelector=owner%3Dhelm', 'application/json')]"

run all-revisions "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources helm-release --all-revisions \
	-o text --columns kind,version,release
expect all-revisions 3 - /dev/null <<'EOF'
KIND                          VERSION                               RELEASE
MutatingWebhookConfiguration  admissionregistration.k8s.io/v1beta1  cert-manager/cert-manager#1
PodDisruptionBudget           policy/v1beta1                        shop/shop#1
Ingress                       extensions/v1beta1                    shop/shop#2
EOF

run metrics "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources apiserver-metrics
expect metrics 3 - /dev/null <<'EOF'
LOCATION                KIND                     NAME                      VERSION                               REPLACEMENT                      STATUS
cluster://test/metrics  FlowSchema               flowschemas               flowcontrol.apiserver.k8s.io/v1beta2  flowcontrol.apiserver.k8s.io/v1  removed in v1.29.0
cluster://test/metrics  HorizontalPodAutoscaler  horizontalpodautoscalers  autoscaling/v2beta2                   autoscaling/v2                   removed in v1.26.0
EOF
check_eq "apiserver-metrics: discovery and /metrics only, no lists" \
	"$(log_query 'sorted(set(r["path"].split("/")[1] for r in reqs))')" "['api', 'apis', 'metrics', 'version']"
check_eq "apiserver-metrics: no list requests" "$(log_query 'sum("limit=" in r["query"] for r in reqs)')" "0"

run sources-bad "$SUNSET" cluster --kubeconfig "$KC" --sources last-applied,nope
expect sources-bad 1 /dev/null - <<'EOF'
sunset: invalid --sources: unknown source "nope" (last-applied, managed-fields, helm-release, apiserver-metrics)
EOF

# What the lists asked for: metadata only, paged, only kinds the table names,
# each at its group's preferred version (autoscaling/v2, not v1).
run lists "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources last-applied,managed-fields -q
expect lists 3 /dev/null /dev/null
check_eq "lists: every kind list is metadata-only" \
	"$(log_query 'sorted(set(r["accept"] for r in reqs if "limit=" in r["query"]))')" \
	"['application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json']"
check_eq "lists: gzip offered" "$(log_query 'sorted(set(r["acceptEncoding"] for r in reqs))')" "['gzip']"
check_eq "lists: one list per kind the table names, at the preferred version" \
	"$(log_query 'sorted(r["path"] for r in reqs if "limit=" in r["query"] and r["path"].split("/")[2] in ("apps", "autoscaling", "batch", "policy", ""))')" \
	"['/apis/apps/v1/controllerrevisions', '/apis/apps/v1/daemonsets', '/apis/apps/v1/deployments', '/apis/apps/v1/replicasets', '/apis/apps/v1/statefulsets', '/apis/autoscaling/v2/horizontalpodautoscalers', '/apis/batch/v1/cronjobs', '/apis/policy/v1/poddisruptionbudgets']"
check_eq "lists: no core resources (the table names none), no Helm objects" \
	"$(log_query 'sum(r["path"].startswith("/api/v1/") for r in reqs)')" "0"
check_eq "lists: every request authenticated" "$(log_query 'sorted(set((r["auth"], r["status"]) for r in reqs))')" \
	"[('token', 200)]"

# --annotation: another annotation holding an applied manifest (kapp's)
python3 - "$ROOT/fixtures/cluster/state.json" "$TMP/state-kapp.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
for d in s["objects"]["apps/v1/deployments"]:
    if d["metadata"]["name"] == "coredns":
        d["metadata"].setdefault("annotations", {})["kapp.k14s.io/original"] = json.dumps(
            {"apiVersion": "apps/v1beta2", "kind": "Deployment",
             "metadata": {"name": "coredns", "namespace": "kube-system"}})
json.dump(s, open(sys.argv[2], "w"))
EOF
start_server "$TMP/state-kapp.json"
kubeconfig "$KC" "    token: tok-admin"
run annotation "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources last-applied --annotation kapp.k14s.io/original \
	-o text --columns file,kind,name,version,manager,source
expect annotation 3 - /dev/null <<'EOF'
FILE                                                      KIND        NAME                 VERSION                    MANAGER                SOURCE
cluster://test/kube-system/deployments.apps/coredns       Deployment  kube-system/coredns  apps/v1beta2               kapp.k14s.io/original  last-applied
cluster://test/shop/deployments.apps/frontend             Deployment  shop/frontend        extensions/v1beta1                                last-applied
cluster://test/shop/ingresses.networking.k8s.io/shop-web  Ingress     shop/shop-web        networking.k8s.io/v1beta1                         last-applied
EOF
run no-annotation "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources last-applied -o text --columns file
expect no-annotation 3 - /dev/null <<'EOF'
FILE
cluster://test/shop/deployments.apps/frontend
cluster://test/shop/ingresses.networking.k8s.io/shop-web
EOF

# -n: one namespace; cluster-scoped kinds are not listed
start_server
kubeconfig "$KC" "    token: tok-admin"
run namespace "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 -n shop --sources last-applied,managed-fields,helm-release -o text --columns file,source
expect namespace 3 - /dev/null <<'EOF'
FILE                                                               SOURCE
cluster://test/shop/deployments.apps/frontend                      last-applied
cluster://test/shop/horizontalpodautoscalers.autoscaling/frontend  managed-fields
cluster://test/shop/ingresses.networking.k8s.io/shop-web           last-applied
cluster://test/shop/secrets/sh.helm.release.v1.shop.v2             helm-release
EOF
check_eq "-n: every list is in the namespace" \
	"$(log_query 'sorted(set(r["path"].split("/namespaces/")[1].split("/")[0] for r in reqs if "limit=" in r["query"]))')" "['shop']"
check_eq "-n: no cluster-scoped list" "$(log_query 'sum("flowschemas" in r["path"] for r in reqs)')" "0"

# -t k8s=cluster is the server's own version (v1.29.4), k8s=next the minor after
run target-cluster "$SUNSET" cluster --kubeconfig "$KC" -t k8s=cluster --sources apiserver-metrics -o text --columns kind,version,target,status
expect target-cluster 3 - /dev/null <<'EOF'
KIND                     VERSION                               TARGET   STATUS
FlowSchema               flowcontrol.apiserver.k8s.io/v1beta2  v1.29.4  removed in v1.29.0
HorizontalPodAutoscaler  autoscaling/v2beta2                   v1.29.4  removed in v1.26.0
EOF
run target-next "$SUNSET" cluster --kubeconfig "$KC" -t next --sources apiserver-metrics -o json
check_eq "-t next: k8s target is v1.30.0" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["target-versions"]["k8s"])' "$TMP/target-next.out")" "v1.30.0"
# a later -t wins over an earlier one, a bare version meaning k8s
run target-order "$SUNSET" cluster --kubeconfig "$KC" -t k8s=next -t 1.25 --sources apiserver-metrics -o text --columns kind,target,status
expect target-order 2 - /dev/null <<'EOF'
KIND                     TARGET   STATUS
HorizontalPodAutoscaler  v1.25.0  deprecated in v1.23.0
EOF
run target-next-other "$SUNSET" cluster --kubeconfig "$KC" -t istio=next
expect target-next-other 1 /dev/null - <<'EOF'
sunset: invalid --target "istio=next": "next" is the cluster's Kubernetes version, for k8s only
EOF

# the progress line: on stderr only when it is a terminal
if command -v script >/dev/null 2>&1; then
	script -qec "\"$SUNSET\" cluster --kubeconfig \"$KC\" -t 1.29 -o json >/dev/null" /dev/null >"$TMP/tty.out" 2>&1
	if grep -q 'sunset: listed [0-9]*/[0-9]* resources, [0-9]* objects, [0-9]* requests' "$TMP/tty.out"; then
		pass "progress line on a terminal"
	else
		fail "progress line on a terminal: $(cat -v "$TMP/tty.out" | head -c 300)"
	fi
else
	echo "skip - progress line on a terminal (no script(1))"
fi
run no-tty "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 -o json
expect no-tty 3 "$ROOT/tests/cluster/expected/all-sources.json" /dev/null

finish
