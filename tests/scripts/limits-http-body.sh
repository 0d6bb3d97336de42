#!/bin/bash
# HTTP response size: a list response larger than limits.max_http_body (64
# MiB) is an error for that resource, not an out-of-memory: the body is
# bounded while it arrives, and the rest of the cluster is still reported.
# The test API server answers the deployments list with 150 MiB (sent as
# is); peak RSS shows that no more than the limit was held.
. "$(dirname "$0")/../cluster/lib.sh"

FAULTS=$TMP/faults.json
echo '[]' >"$FAULTS"
start_server "$ROOT/fixtures/cluster/state.json" "$FAULTS"
KC=$TMP/kc.yaml
kubeconfig "$KC" "    token: tok-admin"
LA=(--kubeconfig "$KC" -t 1.29 --sources last-applied -o text --columns location,version)

# the server re-reads the faults file when its mtime changes
python3 - "$FAULTS.new" <<'PY'
import json, sys
body = '{"kind":"DeploymentList","apiVersion":"apps/v1","metadata":{},"items":[' + ' ' * (150 << 20) + ']}'
json.dump([{"method": "GET", "path": "/apis/apps/v1/deployments", "garbage": body}], open(sys.argv[1], "w"))
PY
touch -d "@$(($(date +%s) + 1))" "$FAULTS.new"
mv "$FAULTS.new" "$FAULTS"

cat >"$TMP/big.want.out" <<'EOF'
LOCATION                                                  VERSION
cluster://test/shop/ingresses.networking.k8s.io/shop-web  networking.k8s.io/v1beta1
EOF
cat >"$TMP/big.want.err" <<'EOF'
sunset: cluster://test/deployments.apps: error: cannot list deployments.apps (apps/v1): the response is larger than 67108864 bytes
EOF
# run through python for the child's peak RSS (written to big.rss)
run big python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=f)
sys.exit(rc)' "$TMP/big.rss" "$SUNSET" cluster "${LA[@]}"
expect big 3 "$TMP/big.want.out" "$TMP/big.want.err"

kb=$(cat "$TMP/big.rss")
if grep -q __asan_init "$SUNSET" 2>/dev/null; then
	pass "peak RSS $((kb / 1024)) MiB (not checked under AddressSanitizer)"
elif [ "$kb" -gt $((112 * 1024)) ]; then
	fail "peak RSS $((kb / 1024)) MiB for a 150 MiB response: the body was not bounded"
else
	pass "peak RSS $((kb / 1024)) MiB for a 150 MiB response"
fi
finish
