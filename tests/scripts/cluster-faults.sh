#!/bin/bash
# sunset cluster when the API server misbehaves (faults injected by
# tests/apiserver/server.py): 401, 403 on one resource, 410 on a continue,
# 429 with Retry-After, 500 and 503, a slow or stalled response, a truncated
# body, garbage JSON, a group whose discovery fails, no server at all.
# Retried faults leave the report as if nothing happened; the rest become an
# error for that resource while everything else is still reported.
. "$(dirname "$0")/../cluster/lib.sh"

FAULTS=$TMP/faults.json
echo '[]' >"$FAULTS"
start_server "$ROOT/fixtures/cluster/state.json" "$FAULTS"
KC=$TMP/kc.yaml
kubeconfig "$KC" "    token: tok-admin"
LA=(--kubeconfig "$KC" -t 1.29 --sources last-applied -o text --columns location,version)
cat >"$TMP/la.want" <<'EOF'
LOCATION                                                  VERSION
cluster://test/shop/deployments.apps/frontend             extensions/v1beta1
cluster://test/shop/ingresses.networking.k8s.io/shop-web  networking.k8s.io/v1beta1
EOF
# what is left when the deployments list fails
cat >"$TMP/la-no-deploy.want" <<'EOF'
LOCATION                                                  VERSION
cluster://test/shop/ingresses.networking.k8s.io/shop-web  networking.k8s.io/v1beta1
EOF
# faults FILE|JSON: the server re-reads the file when its mtime changes
FAULT_GEN=0
faults() { # written aside and renamed, so the server never sees half a change
	if [ -f "$1" ]; then cp "$1" "$FAULTS.new"; else printf '%s\n' "$1" >"$FAULTS.new"; fi
	FAULT_GEN=$((FAULT_GEN + 1))
	touch -d "@$(($(date +%s) + FAULT_GEN))" "$FAULTS.new"
	mv "$FAULTS.new" "$FAULTS"
}
want_err() { cat >"$TMP/$1.want.err"; }
statuses() { # what the server answered for one path, in order
	log_query "[r['status'] for r in reqs if r['path'] == '$1']"
}

# 401: credentials rejected: fatal, nothing reported
faults "$ROOT/fixtures/cluster/faults-401.json"
run 401 "$SUNSET" cluster "${LA[@]}"
expect 401 1 /dev/null - <<'EOF'
sunset: context "test" (https://127.0.0.1:PORT): the server rejected the credentials (401 Unauthorized)
EOF

# 403 on one resource: an error for it, the rest reported, exit code by rank
faults "$ROOT/fixtures/cluster/faults-403.json"
want_err 403 <<'EOF'
sunset: cluster://test/secrets: error: cannot list secrets (v1) labelled owner=helm: 403 Forbidden: secrets is forbidden: User "admin" cannot list resource "secrets" in API group "" at the cluster scope
EOF
run 403 "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources helm-release,last-applied -o text --columns location
expect 403 3 - "$TMP/403.want.err" <<'EOF'
LOCATION
cluster://test/cert-manager/configmaps/sh.helm.release.v1.cert-manager.v1
cluster://test/shop/deployments.apps/frontend
cluster://test/shop/ingresses.networking.k8s.io/shop-web
EOF
run 403-strict "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources helm-release,last-applied --strict -q
expect 403-strict 1 /dev/null "$TMP/403.want.err"
run 403-json "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources helm-release -o json
check_eq "403: the JSON report names the resource in errors, the other release is found" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([(e["filePath"], e["line"], e["column"]) for e in d["errors"]], [i["filePath"] for i in d["items"]])' "$TMP/403-json.out")" \
	"[('cluster://test/secrets', 0, 0)] ['cluster://test/cert-manager/configmaps/sh.helm.release.v1.cert-manager.v1']"
check_eq "403: exit 3 (a removed API outranks the failed source)" "$(cat "$TMP/403-json.rc")" "3"
run 403-nothing-else "$SUNSET" cluster --kubeconfig "$KC" -t 1.15 --sources helm-release -q
check_eq "403: exit 1 when nothing outranks the failed source" "$(cat "$TMP/403-nothing-else.rc")" "1"

# 410 Gone on a continue: the list starts again, nothing counted twice
faults "$ROOT/fixtures/cluster/faults-410.json"
run 410 "$SUNSET" cluster "${LA[@]}" --chunk-size 2
expect 410 3 "$TMP/la.want" /dev/null
check_eq "410: the deployments list restarted after the expired continue" \
	"$(log_query "[(r['status'], 'continue=' in r['query']) for r in reqs if r['path'] == '/apis/apps/v1/deployments']")" \
	"[(200, False), (410, True), (200, False), (200, True), (200, True)]"
faults "$ROOT/fixtures/cluster/faults-410-inconsistent.json"
run 410-inconsistent "$SUNSET" cluster "${LA[@]}" --chunk-size 2
expect 410-inconsistent 3 "$TMP/la.want" /dev/null
faults '[{"path": "/apis/apps/v1/deployments", "query": "continue=", "status": 410}]'
run 410-always "$SUNSET" cluster "${LA[@]}" --chunk-size 2
expect 410-always 3 "$TMP/la-no-deploy.want" - <<'EOF'
sunset: cluster://test/deployments.apps: error: cannot list deployments.apps (apps/v1): the list expired 4 times in a row (410 Gone)
EOF

# 429 with Retry-After: waited for and retried
faults "$ROOT/fixtures/cluster/faults-429.json"
start=$(date +%s.%N)
run 429 "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources helm-release -o text --columns location
end=$(date +%s.%N)
expect 429 3 - /dev/null <<'EOF'
LOCATION
cluster://test/cert-manager/configmaps/sh.helm.release.v1.cert-manager.v1
cluster://test/shop/secrets/sh.helm.release.v1.shop.v2
EOF
check_eq "429: both throttled answers retried" \
	"$(log_query "sorted(r['status'] for r in reqs if r['path'].startswith('/api/v1/'))")" "[200, 200, 429, 429]"
check_eq "429: Retry-After: 1 honoured" "$(python3 -c "print($end - $start >= 1.0)")" "True"

# 500 twice, then fine: retried; 500 for good: an error after 5 attempts
faults "$ROOT/fixtures/cluster/faults-500.json"
run 500 "$SUNSET" cluster "${LA[@]}"
expect 500 3 "$TMP/la.want" /dev/null
check_eq "500: retried until it answered" "$(statuses /apis/apps/v1/deployments)" "[500, 500, 200]"
faults '[{"path": "/apis/apps/v1/deployments", "status": 500}]'
run 500-always "$SUNSET" cluster "${LA[@]}"
expect 500-always 3 "$TMP/la-no-deploy.want" - <<'EOF'
sunset: cluster://test/deployments.apps: error: cannot list deployments.apps (apps/v1): 500 Internal Server Error: Internal error occurred: injected fault
EOF
check_eq "500: five attempts" "$(statuses /apis/apps/v1/deployments)" "[500, 500, 500, 500, 500]"
faults "$ROOT/fixtures/cluster/faults-503.json"
run 503 "$SUNSET" cluster "${LA[@]}"
expect 503 3 "$TMP/la.want" /dev/null
check_eq "503 with Retry-After: retried" "$(statuses /apis/networking.k8s.io/v1/ingresses)" "[503, 200]"

# slower than --request-timeout: an error for that resource, not a hang
faults "$ROOT/fixtures/cluster/faults-delay.json"
run slow "$SUNSET" cluster "${LA[@]}" --request-timeout 1
expect slow 3 "$TMP/la-no-deploy.want" - <<'EOF'
sunset: cluster://test/deployments.apps: error: cannot list deployments.apps (apps/v1): no complete response within 1 s (--request-timeout)
EOF
for _ in $(seq 100); do # the same for the slow request
	[ "$(log_query "len([r for r in reqs if r['fault'] is not None])")" -ge 1 ] && break
	sleep 0.1
done
faults "$ROOT/fixtures/cluster/faults-stall.json"
run stall "$SUNSET" cluster "${LA[@]}" --request-timeout 1.5
expect stall 3 "$TMP/la-no-deploy.want" - <<'EOF'
sunset: cluster://test/deployments.apps: error: cannot list deployments.apps (apps/v1): no complete response within 1.5 s (--request-timeout)
EOF

# the server logs the stalled request when it is done with it: wait for
# that, so it is not taken for the next run's
for _ in $(seq 100); do
	[ "$(log_query "len([r for r in reqs if r['fault'] is not None])")" -ge 1 ] && break
	sleep 0.1
done

# a truncated body: retried; truncated every time: an error
faults "$ROOT/fixtures/cluster/faults-truncate.json"
run truncate "$SUNSET" cluster "${LA[@]}"
expect truncate 3 "$TMP/la.want" /dev/null
check_eq "truncated: fetched again" "$(log_query "[(r['status'], r['fault']) for r in reqs if r['path'] == '/apis/apps/v1/deployments']")" "[(200, 0), (200, None)]"
faults '[{"path": "/apis/apps/v1/deployments", "truncate": true}]'
run truncate-always "$SUNSET" cluster "${LA[@]}"
expect truncate-always 3 "$TMP/la-no-deploy.want" - <<'EOF'
sunset: cluster://test/deployments.apps: error: cannot list deployments.apps (apps/v1): the connection closed before the response was complete
EOF

# garbage where JSON should be: an error naming the place, not the bytes
faults "$ROOT/fixtures/cluster/faults-garbage.json"
run garbage "$SUNSET" cluster "${LA[@]}"
expect garbage 3 "$TMP/la-no-deploy.want" - <<'EOF'
sunset: cluster://test/deployments.apps: error: cannot list deployments.apps (apps/v1): the response is not valid JSON: line 1, column 107: invalid JSON: expected a string key, found '}'
EOF
faults '[{"path": "/apis/apps/v1/deployments", "garbage": "{\"kind\": \"Status\"}"}]'
run not-a-list "$SUNSET" cluster "${LA[@]}"
expect not-a-list 3 "$TMP/la-no-deploy.want" - <<'EOF'
sunset: cluster://test/deployments.apps: error: cannot list deployments.apps (apps/v1): the response is not a list
EOF

# discovery of one group fails: an error for that group when the table
# names kinds in it (cert-manager's), the rest goes on
faults "$ROOT/fixtures/cluster/faults-discovery-503.json"
run discovery "$SUNSET" cluster "${LA[@]}"
expect discovery 3 "$TMP/la.want" - <<'EOF'
sunset: cluster://test/cert-manager.io/v1: error: discovery failed: GET /apis/cert-manager.io/v1: 503 Service Unavailable: the server is currently unable to handle the request
EOF
run discovery-k8s-only "$SUNSET" cluster "${LA[@]}" --components k8s
expect discovery-k8s-only 3 "$TMP/la.want" /dev/null

# a response bigger than the 64 MiB bound, sent gzip-compressed (a few
# hundred KiB on the wire): cut off after decompression, an error for it
python3 - "$ROOT/fixtures/cluster/state.json" "$TMP/state-big.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["objects"]["v1/configmaps"].append({"metadata": {"name": "sh.helm.release.v1.big.v1", "namespace": "shop",
    "labels": {"owner": "helm", "name": "big", "version": "1", "status": "deployed"}},
    "data": {"release": "A" * (65 << 20)}})
json.dump(s, open(sys.argv[2], "w"))
EOF
start_server "$TMP/state-big.json" "$FAULTS"
kubeconfig "$KC" "    token: tok-admin"
want_err too-big <<'EOF'
sunset: cluster://test/configmaps: error: cannot list configmaps (v1) labelled owner=helm: the response is larger than 67108864 bytes
EOF
run too-big "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources helm-release -o text --columns location
expect too-big 3 - "$TMP/too-big.want.err" <<'EOF'
LOCATION
cluster://test/shop/secrets/sh.helm.release.v1.shop.v2
EOF
check_eq "too big: it came gzip-compressed" "$(log_query "[r['gzip'] for r in reqs if r['path'] == '/api/v1/configmaps']")" "[True]"
rm -f "$TMP/state-big.json"
start_server "$ROOT/fixtures/cluster/state.json" "$FAULTS"
kubeconfig "$KC" "    token: tok-admin"

# /version or the group lists failing is fatal
faults '[{"path": "/apis", "query": "", "status": 403, "message": "forbidden: User \"admin\" cannot get path \"/apis\""}]'
run apis-403 "$SUNSET" cluster "${LA[@]}"
expect apis-403 1 /dev/null - <<'EOF'
sunset: context "test" (https://127.0.0.1:PORT): GET /apis: 403 Forbidden: forbidden: User "admin" cannot get path "/apis"
EOF

# nobody listening
faults '[]'
stop_server
run no-server "$SUNSET" cluster "${LA[@]}"
expect no-server 1 /dev/null - <<'EOF'
sunset: context "test" (https://127.0.0.1:PORT): GET /version: cannot connect: Connection refused
EOF

finish
