#!/bin/bash
# sunset cluster reads lists in pages (limit/continue) and gets the same
# report as from one page; a kind served by two groups (extensions and
# networking.k8s.io on old clusters: the same objects) is counted once.
. "$(dirname "$0")/../cluster/lib.sh"

start_server
KC=$TMP/kc.yaml
kubeconfig "$KC" "    token: tok-admin"

run pages "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 -o json --chunk-size 2
expect_golden pages 3 all-sources.json /dev/null
check_eq "pages: every list asks for 2 items" \
	"$(log_query 'sorted(set(r["query"].split("&")[0] for r in reqs if "limit=" in r["query"]))')" "['limit=2']"
check_eq "pages: deployments (6 objects) read in 3 pages, following continue" \
	"$(log_query '[("continue=" in r["query"], r["status"]) for r in reqs if r["path"] == "/apis/apps/v1/deployments"]')" \
	"[(False, 200), (True, 200), (True, 200)]"
check_eq "pages: kind lists are metadata-only, Helm lists whole" \
	"$(log_query 'sorted(set((r["path"].startswith("/api/v1/"), r["accept"]) for r in reqs if "limit=" in r["query"]))')" \
	"[(False, 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json'), (True, 'application/json')]"
check_eq "pages: several requests in flight (connections used)" \
	"$(log_query 'len(reqs) > 40')" "True"

run helm-pages "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources helm-release -o text --columns location --chunk-size 1
expect helm-pages 3 - /dev/null <<'EOF'
LOCATION
cluster://test/cert-manager/configmaps/sh.helm.release.v1.cert-manager.v1
cluster://test/shop/secrets/sh.helm.release.v1.shop.v2
EOF
check_eq "pages: Helm release Secrets (two revisions) one per page" \
	"$(log_query '[("continue=" in r["query"], r["query"].split("&continue")[0]) for r in reqs if r["path"] == "/api/v1/secrets"]')" \
	"[(False, 'limit=1&labelSelector=owner%3Dhelm'), (True, 'limit=1&labelSelector=owner%3Dhelm')]"

run chunk-bad "$SUNSET" cluster --kubeconfig "$KC" --chunk-size 0
expect chunk-bad 1 /dev/null - <<'EOF'
sunset: invalid --chunk-size "0" (expected 1..100000)
EOF

# Ingresses served by extensions/v1beta1 as well (one object, one uid): the
# replacement group (networking.k8s.io) is read first, the copy is skipped.
python3 - "$ROOT/fixtures/cluster/state.json" "$TMP/state-two-groups.json" <<'EOF'
import copy, json, sys
s = json.load(open(sys.argv[1]))
ing = s["objects"]["networking.k8s.io/v1/ingresses"]
s["objects"]["extensions/v1beta1/ingresses"] = copy.deepcopy(ing)
s["groups"].append({"name": "extensions", "preferredVersion": "v1beta1", "versions": [{"version": "v1beta1",
    "resources": [{"name": "ingresses", "singularName": "ingress", "namespaced": True, "kind": "Ingress",
                   "verbs": ["get", "list", "watch"]}]}]})
json.dump(s, open(sys.argv[2], "w"))
EOF
start_server "$TMP/state-two-groups.json"
kubeconfig "$KC" "    token: tok-admin"
run two-groups "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources last-applied -o text --columns location,version
expect two-groups 3 - /dev/null <<'EOF'
LOCATION                                                  VERSION
cluster://test/shop/deployments.apps/frontend             extensions/v1beta1
cluster://test/shop/ingresses.networking.k8s.io/shop-web  networking.k8s.io/v1beta1
EOF
check_eq "two groups: both listed, networking.k8s.io before extensions" \
	"$(log_query '[r["path"] for r in reqs if r["path"].endswith("/ingresses")]')" \
	"['/apis/networking.k8s.io/v1/ingresses', '/apis/extensions/v1beta1/ingresses']"

finish
