#!/bin/bash
# kubectl-check.sh REPO_ROOT -- realism check of tests/apiserver/server.py:
# the real kubectl must be able to talk to it and print what a real cluster
# with fixtures/cluster/state.json would print.
#
# Exit 0 = pass, 1 = fail, 77 = SKIP (kubectl or openssl not installed).
# KUBECTL=/path/to/kubectl overrides the binary (e.g. a specific version).
set -u

root=${1:?usage: $0 REPO_ROOT}
root=$(cd "$root" && pwd)
KUBECTL=${KUBECTL:-kubectl}
if ! command -v "$KUBECTL" >/dev/null 2>&1; then
    echo "SKIP: kubectl not found"
    exit 77
fi
if ! command -v openssl >/dev/null 2>&1; then
    echo "SKIP: openssl not found"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sunset-kubectl-check.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fails=0
pass() { echo "ok   - $1"; }
fail() {
    echo "FAIL - $1"
    fails=$((fails + 1))
}

# ------------------------------------------------------------------ server
"$root/tests/apiserver/gen-certs.sh" "$tmp/certs" || { echo "FAIL - gen-certs"; exit 1; }
python3 "$root/tests/apiserver/server.py" \
    --state "$root/fixtures/cluster/state.json" --certs "$tmp/certs" \
    --port-file "$tmp/port" --port 0 --log "$tmp/log.jsonl" \
    2>"$tmp/server.err" &
server_pid=$!
for _ in $(seq 100); do
    [ -s "$tmp/port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [ ! -s "$tmp/port" ]; then
    echo "FAIL - server did not start"
    cat "$tmp/server.err"
    exit 1
fi
port=$(cat "$tmp/port")

# ------------------------------------------------------------------ kubeconfig
export HOME="$tmp/home"
mkdir -p "$HOME"
export KUBECONFIG="$tmp/kubeconfig"
cat >"$KUBECONFIG" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: sunset-test
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $tmp/certs/ca.crt
- name: sunset-test-sni
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $tmp/certs/ca.crt
    tls-server-name: sunset-test.invalid
- name: sunset-wrong-ca
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $tmp/certs/other-ca.crt
users:
- name: cert
  user:
    client-certificate: $tmp/certs/client.crt
    client-key: $tmp/certs/client.key
- name: token
  user:
    token: tok-admin
- name: limited
  user:
    token: tok-limited
- name: badtoken
  user:
    token: tok-wrong
- name: basic
  user:
    username: basic-user
    password: basic-pass
contexts:
- name: cert
  context: {cluster: sunset-test, user: cert}
- name: token
  context: {cluster: sunset-test, user: token}
- name: limited
  context: {cluster: sunset-test, user: limited}
- name: badtoken
  context: {cluster: sunset-test, user: badtoken}
- name: basic
  context: {cluster: sunset-test, user: basic}
- name: sni
  context: {cluster: sunset-test-sni, user: token}
- name: wrongca
  context: {cluster: sunset-wrong-ca, user: token}
current-context: cert
EOF

k() { "$KUBECTL" --request-timeout=10s --cache-dir "$tmp/cache" "$@"; }
# squeeze runs of blanks: compare table rows independent of column widths
squeeze() { sed -e 's/[[:space:]]\{1,\}/ /g' -e 's/ $//'; }
log_count() { # python-expression over entry e -> count of matching log lines
    python3 - "$tmp/log.jsonl" "$1" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if "method" in e and eval(sys.argv[2], {}, {"e": e}):
        n += 1
print(n)
EOF
}
# expect_out NAME EXPECTED-FILE ACTUAL-FILE
expect_out() {
    if diff -u "$2" "$3" >"$tmp/diff"; then pass "$1"; else
        fail "$1"
        cat "$tmp/diff"
    fi
}

# ------------------------------------------------------------------ checks

# 1. kubectl get deployments -A (Table, full output; the state pins "now")
cat >"$tmp/want" <<'EOF'
NAMESPACE      NAME             READY   UP-TO-DATE   AVAILABLE   AGE
cert-manager   cert-manager     1/1     1            1           108d
kube-system    coredns          2/2     2            2           131d
kube-system    metrics-server   1/1     1            1           128d
shop           cart             2/2     2            2           100d
shop           checkout         1/2     2            1           100d
shop           frontend         3/3     3            3           100d
EOF
k get deployments -A >"$tmp/got" 2>"$tmp/err"
expect_out "kubectl get deployments -A" "$tmp/want" "$tmp/got"
if log_count 'e["path"] == "/apis/apps/v1/deployments" and "as=Table" in e["accept"] and e["auth"] == "cert" and e["user"] == "sunset-user" and e["status"] == 200' | grep -qx 0; then
    fail "cert context: server saw a Table request authenticated by client cert"
else
    pass "cert context: server saw a Table request authenticated by client cert"
fi

# 2. same with pagination (one object per page)
: >"$tmp/log.jsonl"
k get deploy -A --chunk-size=1 >"$tmp/got" 2>"$tmp/err"
squeeze <"$tmp/want" >"$tmp/want.sq"
squeeze <"$tmp/got" | awk '!(NR > 1 && $1 == "NAMESPACE")' >"$tmp/got.sq"
expect_out "kubectl get deploy -A --chunk-size=1" "$tmp/want.sq" "$tmp/got.sq"
n=$(log_count 'e["path"] == "/apis/apps/v1/deployments" and "continue=" in e["query"] and "limit=1" in e["query"]')
if [ "$n" = 5 ]; then pass "chunked list used 5 continue requests"; else
    fail "chunked list used 5 continue requests (got $n)"
fi

# 3. kubectl get --raw /apis
k get --raw /apis >"$tmp/apis.json" 2>"$tmp/err"
if python3 - "$tmp/apis.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "APIGroupList" and d["apiVersion"] == "v1", d.get("kind")
g = {x["name"]: x for x in d["groups"]}
for name in ("apps", "networking.k8s.io", "batch", "autoscaling", "policy",
             "flowcontrol.apiserver.k8s.io", "rbac.authorization.k8s.io",
             "apiextensions.k8s.io", "cert-manager.io"):
    assert name in g, name
assert [v["version"] for v in g["autoscaling"]["versions"]] == ["v2", "v1"]
assert g["autoscaling"]["preferredVersion"] == {"groupVersion": "autoscaling/v2", "version": "v2"}
assert [v["groupVersion"] for v in g["flowcontrol.apiserver.k8s.io"]["versions"]] == [
    "flowcontrol.apiserver.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta3"]
assert "" not in g and "extensions" not in g
EOF
then pass "kubectl get --raw /apis"; else fail "kubectl get --raw /apis"; fi

# 4. kubectl api-resources
k api-resources >"$tmp/got" 2>"$tmp/err"
squeeze <"$tmp/got" >"$tmp/got.sq"
ok=1
while IFS= read -r row; do
    grep -qxF "$row" "$tmp/got.sq" || { ok=0; echo "  missing row: $row"; }
done <<'EOF'
NAME SHORTNAMES APIVERSION NAMESPACED KIND
deployments deploy apps/v1 true Deployment
controllerrevisions apps/v1 true ControllerRevision
secrets v1 true Secret
namespaces ns v1 false Namespace
horizontalpodautoscalers hpa autoscaling/v2 true HorizontalPodAutoscaler
ingresses ing networking.k8s.io/v1 true Ingress
flowschemas flowcontrol.apiserver.k8s.io/v1 false FlowSchema
customresourcedefinitions crd,crds apiextensions.k8s.io/v1 false CustomResourceDefinition
certificates cert,certs cert-manager.io/v1 true Certificate
EOF
if grep -q '/' <(awk 'NR > 1 {print $1}' "$tmp/got.sq"); then ok=0; echo "  subresource listed"; fi
if [ -s "$tmp/err" ]; then ok=0; echo "  stderr:"; cat "$tmp/err"; fi
if [ $ok = 1 ]; then pass "kubectl api-resources"; else fail "kubectl api-resources"; cat "$tmp/got"; fi

# 5. Helm release secrets by label
cat >"$tmp/want" <<'EOF'
NAME                         TYPE                 DATA   AGE
sh.helm.release.v1.shop.v1   helm.sh/release.v1   1      100d
sh.helm.release.v1.shop.v2   helm.sh/release.v1   1      80d
EOF
k get secrets -n shop -l owner=helm >"$tmp/got" 2>"$tmp/err"
expect_out "kubectl get secrets -n shop -l owner=helm" "$tmp/want" "$tmp/got"

# 6. the Helm payload decodes like Helm's: base64(base64(gzip(json)))
k get secret -n shop sh.helm.release.v1.shop.v2 -o 'jsonpath={.data.release}' 2>"$tmp/err" |
    base64 -d | base64 -d | gzip -dc >"$tmp/release.json" 2>>"$tmp/err"
if python3 - "$tmp/release.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["name"] == "shop" and r["namespace"] == "shop" and r["version"] == 2
assert r["info"]["status"] == "deployed"
assert "# Source: shop/templates/ingress.yaml\napiVersion: extensions/v1beta1\nkind: Ingress" in r["manifest"]
EOF
then pass "helm release secret payload"; else fail "helm release secret payload"; cat "$tmp/err"; fi

# 7. token context, -o name, label selector with set syntax
printf '%s\n' deployment.apps/cart deployment.apps/frontend >"$tmp/want"
k --context token get deploy -n shop -l 'tier in (web,backend),app!=checkout' -o name >"$tmp/got" 2>"$tmp/err"
expect_out "token context: get deploy -l 'tier in (web,backend),app!=checkout' -o name" "$tmp/want" "$tmp/got"
n=$(log_count 'e["auth"] == "token" and e["user"] == "admin" and e["path"] == "/apis/apps/v1/namespaces/shop/deployments"')
if [ "$n" -ge 1 ]; then pass "server logged token auth"; else fail "server logged token auth"; fi
if grep -q 'tok-admin' "$tmp/log.jsonl"; then fail "token value leaked into log"; else pass "token value not logged"; fi

# 8. basic auth and tls-server-name
printf '%s\n' namespace/cert-manager namespace/default namespace/kube-node-lease \
    namespace/kube-public namespace/kube-system namespace/shop >"$tmp/want"
k --context basic get namespaces -o name >"$tmp/got" 2>"$tmp/err"
expect_out "basic auth context: get namespaces -o name" "$tmp/want" "$tmp/got"
k --context sni get namespaces -o name >"$tmp/got" 2>"$tmp/err"
expect_out "tls-server-name sunset-test.invalid" "$tmp/want" "$tmp/got"

# 9. single-object GET (full object, custom columns) and version rewriting
cat >"$tmp/want" <<'EOF'
NAME       API                   MANAGERS
frontend   autoscaling/v1        helm,kubectl-client-side-apply,kube-controller-manager
EOF
k get horizontalpodautoscalers.v1.autoscaling -n shop frontend \
    -o 'custom-columns=NAME:.metadata.name,API:.apiVersion,MANAGERS:.metadata.managedFields[*].manager' \
    >"$tmp/got" 2>"$tmp/err"
squeeze <"$tmp/want" >"$tmp/want.sq"
squeeze <"$tmp/got" >"$tmp/got.sq"
expect_out "get hpa via autoscaling/v1 (custom-columns)" "$tmp/want.sq" "$tmp/got.sq"
k get deploy -n shop frontend -o 'jsonpath={.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}' \
    >"$tmp/got" 2>"$tmp/err"
if grep -q '"apiVersion":"extensions/v1beta1"' "$tmp/got"; then pass "last-applied annotation via single GET"; else
    fail "last-applied annotation via single GET"; cat "$tmp/got" "$tmp/err"; fi

# 10. deprecated version: served, with a Warning header kubectl prints
k get flowschemas.v1beta3.flowcontrol.apiserver.k8s.io -o name >"$tmp/got" 2>"$tmp/err"
printf '%s\n' flowschema.flowcontrol.apiserver.k8s.io/exempt \
    flowschema.flowcontrol.apiserver.k8s.io/shop-priority >"$tmp/want"
expect_out "get flowschemas.v1beta3 -o name" "$tmp/want" "$tmp/got"
if grep -q '^Warning: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated' "$tmp/err"; then
    pass "deprecation Warning header"; else fail "deprecation Warning header"; cat "$tmp/err"; fi

# 11. version and metrics
k version -o json >"$tmp/got" 2>"$tmp/err"
if python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["serverVersion"]["gitVersion"] == "v1.29.4"' "$tmp/got"; then
    pass "kubectl version: server v1.29.4"; else fail "kubectl version: server v1.29.4"; cat "$tmp/got" "$tmp/err"; fi
k get --raw /metrics 2>"$tmp/err" | grep '^apiserver_requested_deprecated_apis' >"$tmp/got"
cat >"$tmp/want" <<'EOF'
apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.29",resource="flowschemas",subresource="",version="v1beta2"} 1
apiserver_requested_deprecated_apis{group="autoscaling",removed_release="1.26",resource="horizontalpodautoscalers",subresource="",version="v2beta2"} 1
EOF
expect_out "metrics: apiserver_requested_deprecated_apis" "$tmp/want" "$tmp/got"

# 12. errors kubectl must render like against a real server
k --context badtoken get pods >"$tmp/got" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ] && grep -qx 'error: You must be logged in to the server (Unauthorized)' "$tmp/err"; then
    pass "bad token -> Unauthorized"; else fail "bad token -> Unauthorized (rc=$rc)"; cat "$tmp/err"; fi
k --context limited get deploy -n shop >"$tmp/got" 2>"$tmp/err"
rc=$?
want='Error from server (Forbidden): deployments.apps is forbidden: User "limited" cannot list resource "deployments" in API group "apps" in the namespace "shop"'
if [ $rc -ne 0 ] && grep -qxF "$want" "$tmp/err"; then
    pass "limited token -> Forbidden"; else fail "limited token -> Forbidden (rc=$rc)"; cat "$tmp/err"; fi
k --context limited get cm -n shop -o name >"$tmp/got" 2>"$tmp/err"
printf '%s\n' configmap/kube-root-ca.crt configmap/shop-config >"$tmp/want"
expect_out "limited token can list configmaps" "$tmp/want" "$tmp/got"
k get deploy -n shop nope >"$tmp/got" 2>"$tmp/err"
if grep -qxF 'Error from server (NotFound): deployments.apps "nope" not found' "$tmp/err"; then
    pass "missing object -> NotFound"; else fail "missing object -> NotFound"; cat "$tmp/err"; fi
k --context wrongca get ns >"$tmp/got" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ] && grep -q 'certificate signed by unknown authority' "$tmp/err"; then
    pass "wrong CA -> x509 error"; else fail "wrong CA -> x509 error (rc=$rc)"; cat "$tmp/err"; fi

# 13. the server gzips (kubectl sends Accept-Encoding: gzip)
n=$(log_count 'e["gzip"] and "gzip" in e["acceptEncoding"]')
if [ "$n" -ge 1 ]; then pass "gzip responses"; else fail "gzip responses"; fi

if [ -s "$tmp/server.err" ]; then
    fail "server wrote to stderr"
    cat "$tmp/server.err"
fi
echo "kubectl: $("$KUBECTL" version --client 2>/dev/null | head -1), failures: $fails"
[ $fails -eq 0 ]
