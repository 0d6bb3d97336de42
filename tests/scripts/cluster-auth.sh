#!/bin/bash
# sunset cluster: every way to authenticate and to trust the server, as
# kubectl reads them from kubeconfig: token, tokenFile, client certificate
# (files and -data), basic, exec plugins (v1 and v1beta1, with args and env,
# cached until expiry, refreshed after a 401), the in-cluster service
# account; CA, wrong CA, insecure-skip-tls-verify, tls-server-name,
# proxy-url; KUBECONFIG with two files merged; --context.  Tokens never
# appear in any output.
. "$(dirname "$0")/../cluster/lib.sh"

start_server
KC=$TMP/kc.yaml
ARGS=(-t 1.29 --sources managed-fields -o text --columns location,version)
MF_OUT=$TMP/mf.want
cat >"$MF_OUT" <<'EOF'
LOCATION                                                               VERSION
cluster://test/flowschemas.flowcontrol.apiserver.k8s.io/shop-priority  flowcontrol.apiserver.k8s.io/v1beta2
cluster://test/shop/horizontalpodautoscalers.autoscaling/frontend      autoscaling/v2beta2
EOF
auth_used() { log_query 'sorted(set((r["auth"], r["user"], r["status"]) for r in reqs))'; }

# ---- static credentials
kubeconfig "$KC" "    token: tok-admin"
run token "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect token 3 "$MF_OUT" /dev/null
check_eq "token: sent as a bearer token" "$(auth_used)" "[('token', 'admin', 200)]"

mkdir -p "$TMP/kc" "$TMP/kc/secrets"
printf 'tok-admin\n' >"$TMP/kc/secrets/token"
SERVER_SAVED=$SERVER
kubeconfig "$TMP/kc/config" "    tokenFile: secrets/token"
run token-file "$SUNSET" cluster --kubeconfig "$TMP/kc/config" "${ARGS[@]}"
expect token-file 3 "$MF_OUT" /dev/null
check_eq "tokenFile: relative to the kubeconfig, trimmed" "$(auth_used)" "[('token', 'admin', 200)]"

rm "$TMP/kc/secrets/token"
run token-file-missing "$SUNSET" cluster --kubeconfig "$TMP/kc/config" "${ARGS[@]}"
expect token-file-missing 1 /dev/null - <<'EOF'
sunset: token file TMP/kc/secrets/token: No such file or directory
EOF

kubeconfig "$KC" "    client-certificate: $TMP/certs/client.crt
    client-key: $TMP/certs/client.key"
run cert-files "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect cert-files 3 "$MF_OUT" /dev/null
check_eq "client certificate (files)" "$(auth_used)" "[('cert', 'sunset-user', 200)]"

kubeconfig "$KC" "    client-certificate-data: $(base64 -w0 "$TMP/certs/client.crt")
    client-key-data: $(base64 -w0 "$TMP/certs/client.key")"
run cert-data "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect cert-data 3 "$MF_OUT" /dev/null
check_eq "client certificate (-data)" "$(auth_used)" "[('cert', 'sunset-user', 200)]"

kubeconfig "$KC" "    client-certificate: $TMP/certs/client.crt"
run cert-no-key "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect cert-no-key 1 /dev/null - <<'EOF'
sunset: TMP/kc.yaml: user "u": a client certificate needs both certificate and key
EOF

kubeconfig "$KC" "    username: basic-user
    password: basic-pass"
run basic "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect basic 3 "$MF_OUT" /dev/null
check_eq "basic auth" "$(auth_used)" "[('basic', 'basic-user', 200)]"

# ---- credentials the server rejects: fatal, exit 1, nothing reported
kubeconfig "$KC" "    token: tok-wrong-secret"
run token-401 "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect token-401 1 /dev/null - <<'EOF'
sunset: context "test" (https://127.0.0.1:PORT): the server rejected the credentials (401 Unauthorized)
EOF

# ---- exec credential plugins
cat >"$TMP/plugin.sh" <<'EOF'
#!/bin/sh
# a test credential plugin: counts its runs and records what it was given
echo run >>"$PLUGIN_DIR/runs"
printf '%s\n' "$@" >"$PLUGIN_DIR/args"
printf '%s\n' "$KUBERNETES_EXEC_INFO" >"$PLUGIN_DIR/info"
case $1 in
v1)      echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-admin","expirationTimestamp":"2099-01-01T00:00:00Z"}}' ;;
expired) echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-admin","expirationTimestamp":"2001-01-01T00:00:00Z"}}' ;;
cert)    printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"clientCertificateData":%s,"clientKeyData":%s}}\n' \
	         "$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$PLUGIN_DIR/certs/client.crt")" \
	         "$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$PLUGIN_DIR/certs/client.key")" ;;
refresh) # a stale token first, a good one when asked again
	 if [ -e "$PLUGIN_DIR/refreshed" ]; then tok=tok-admin; else tok=tok-stale; touch "$PLUGIN_DIR/refreshed"; fi
	 echo "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"$tok\"}}" ;;
garbage) echo 'tok-admin is not JSON' ;;
wrongver) echo '{"apiVersion":"client.authentication.k8s.io/v1alpha1","kind":"ExecCredential","status":{"token":"tok-admin"}}' ;;
fail)    echo "plugin: cannot log in" >&2; exit 3 ;;
esac
EOF
chmod +x "$TMP/plugin.sh"
exec_user() { # MODE APIVERSION [COMMAND]
	printf '    exec:\n      apiVersion: client.authentication.k8s.io/%s\n      command: %s\n      args: [%s, second arg]\n      env: [{name: PLUGIN_DIR, value: %s}]\n      interactiveMode: Never\n      provideClusterInfo: true\n' \
		"$2" "${3:-$TMP/plugin.sh}" "$1" "$TMP"
}
plugin_runs() { wc -l <"$TMP/runs" | tr -d ' '; }

rm -f "$TMP/runs"
kubeconfig "$KC" "$(exec_user v1 v1)"
run exec-v1 "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect exec-v1 3 "$MF_OUT" /dev/null
check_eq "exec v1: every request carries the plugin's token" "$(auth_used)" "[('token', 'admin', 200)]"
check_eq "exec v1: the plugin ran once for $(log_query 'len(reqs)') requests (cached until expiry)" "$(plugin_runs)" "1"
check_eq "exec v1: args as configured" "$(cat "$TMP/args")" "v1
second arg"
check_eq "exec v1: KUBERNETES_EXEC_INFO with the cluster (provideClusterInfo)" \
	"$(python3 -c 'import json,sys,base64; i=json.load(open(sys.argv[1])); c=i["spec"]["cluster"]; print(i["kind"], i["apiVersion"], i["spec"]["interactive"], c["server"].rsplit(":",1)[0], base64.b64decode(c["certificate-authority-data"]) == open(sys.argv[2],"rb").read())' "$TMP/info" "$CA")" \
	"ExecCredential client.authentication.k8s.io/v1 False https://127.0.0.1 True"

rm -f "$TMP/runs"
kubeconfig "$KC" "$(exec_user expired v1)"
run exec-expired "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect exec-expired 3 "$MF_OUT" /dev/null
check_eq "exec: an expired credential is asked for again, before every request" \
	"$(plugin_runs)" "$(log_query 'len(reqs)')"

rm -f "$TMP/runs"
kubeconfig "$KC" "$(exec_user cert v1beta1)"
run exec-v1beta1-cert "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect exec-v1beta1-cert 3 "$MF_OUT" /dev/null
check_eq "exec v1beta1: a client certificate from the plugin" "$(auth_used)" "[('cert', 'sunset-user', 200)]"
check_eq "exec v1beta1: ran once (no expiry: kept for the run)" "$(plugin_runs)" "1"

rm -f "$TMP/runs" "$TMP/refreshed"
kubeconfig "$KC" "$(exec_user refresh v1)"
run exec-refresh "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect exec-refresh 3 "$MF_OUT" /dev/null
check_eq "exec: after a 401 the plugin is asked once more" "$(plugin_runs)" "2"
check_eq "exec: 401s for the stale token, then the new one" "$(log_query 'sorted(set((str(r["user"]), r["status"]) for r in reqs))')" \
	"[('None', 401), ('admin', 200)]"

kubeconfig "$KC" "$(exec_user garbage v1)"
run exec-garbage "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect exec-garbage 1 /dev/null - <<EOF
sunset: context "test" (https://127.0.0.1:PORT): exec plugin "TMP/plugin.sh" printed something that is not JSON
EOF
kubeconfig "$KC" "$(exec_user wrongver v1)"
run exec-wrongver "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect exec-wrongver 1 /dev/null - <<EOF
sunset: context "test" (https://127.0.0.1:PORT): exec plugin "TMP/plugin.sh" answered with apiVersion "client.authentication.k8s.io/v1alpha1", not "client.authentication.k8s.io/v1"
EOF
kubeconfig "$KC" "$(exec_user fail v1)"
run exec-fail "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect exec-fail 1 /dev/null - <<EOF
plugin: cannot log in
sunset: context "test" (https://127.0.0.1:PORT): exec plugin "TMP/plugin.sh" exited with status 3
EOF
kubeconfig "$KC" "$(exec_user v1 v1 no-such-plugin-sunset-test)
      installHint: install it with 'apt install no-such-plugin'"
run exec-missing "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect exec-missing 1 /dev/null - <<EOF
sunset: context "test" (https://127.0.0.1:PORT): exec plugin "no-such-plugin-sunset-test" could not be started: No such file or directory; install it with 'apt install no-such-plugin'
EOF

# ---- trusting the server
kubeconfig "$KC" "    token: tok-admin" "    certificate-authority: $TMP/certs/other-ca.crt"
run wrong-ca "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect wrong-ca 1 /dev/null - <<'EOF'
sunset: context "test" (https://127.0.0.1:PORT): GET /version: TLS: SSL certificate problem: self-signed certificate in certificate chain
EOF
kubeconfig "$KC" "    token: tok-admin" "    insecure-skip-tls-verify: true"
run insecure "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect insecure 3 "$MF_OUT" /dev/null
kubeconfig "$KC" "    token: tok-admin" ""
run system-ca "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect system-ca 1 /dev/null - <<'EOF'
sunset: context "test" (https://127.0.0.1:PORT): GET /version: TLS: SSL certificate problem: self-signed certificate in certificate chain
EOF
kubeconfig "$KC" "    token: tok-admin" "    certificate-authority: $CA
    tls-server-name: sunset-test.invalid"
run tls-server-name "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect tls-server-name 3 "$MF_OUT" /dev/null
kubeconfig "$KC" "    token: tok-admin" "    certificate-authority: $CA
    tls-server-name: other-name.invalid"
run tls-server-name-wrong "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect tls-server-name-wrong 1 /dev/null - <<'EOF'
sunset: context "test" (https://127.0.0.1:PORT): GET /version: TLS: SSL: no alternative certificate subject name matches target host name 'other-name.invalid'
EOF

# proxy-url: through an HTTP CONNECT proxy that logs what it tunnels
python3 - "$TMP/proxy.port" "$TMP/proxy.log" <<'EOF' &
import os, select, socket, sys, threading
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(16)
tmp = sys.argv[1] + ".tmp"; open(tmp, "w").write(str(srv.getsockname()[1])); os.rename(tmp, sys.argv[1])
def serve(c):
    head = b""
    while b"\r\n\r\n" not in head:
        d = c.recv(4096)
        if not d: return
        head += d
    line = head.split(b"\r\n")[0].decode()
    open(sys.argv[2], "a").write(line + "\n")
    host, port = line.split()[1].rsplit(":", 1)
    u = socket.create_connection((host, int(port)))
    c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    socks = [c, u]
    while True:
        r, _, _ = select.select(socks, [], [])
        for s in r:
            d = s.recv(65536)
            if not d: return
            (u if s is c else c).sendall(d)
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
PROXY_PID=$!
for _ in $(seq 100); do [ -s "$TMP/proxy.port" ] && break; sleep 0.1; done
kubeconfig "$KC" "    token: tok-admin" "    certificate-authority: $CA
    proxy-url: http://127.0.0.1:$(cat "$TMP/proxy.port")"
run proxy "$SUNSET" cluster --kubeconfig "$KC" "${ARGS[@]}"
expect proxy 3 "$MF_OUT" /dev/null
check_eq "proxy-url: tunnelled through the proxy" "$(sort -u "$TMP/proxy.log" | norm)" "CONNECT 127.0.0.1:PORT HTTP/1.1"
kill "$PROXY_PID" 2>/dev/null
wait "$PROXY_PID" 2>/dev/null

# ---- where the kubeconfig comes from
mkdir -p "$TMP/a" "$TMP/b"
cp "$CA" "$TMP/a/ca.crt"
cat >"$TMP/a/config" <<EOF
apiVersion: v1
kind: Config
current-context: test
clusters:
- name: test
  cluster: {server: "$SERVER", certificate-authority: ca.crt}
contexts:
- name: test
  context: {cluster: test, user: admin}
- name: limited
  context: {cluster: test, user: limited}
EOF
cat >"$TMP/b/config" <<EOF
apiVersion: v1
kind: Config
current-context: limited
clusters:
- name: test
  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: tok-admin}
- name: limited
  user: {token: tok-limited}
EOF
run kubeconfig-env env KUBECONFIG="$TMP/a/config:$TMP/missing:$TMP/b/config" "$SUNSET" cluster "${ARGS[@]}"
expect kubeconfig-env 3 "$MF_OUT" /dev/null
check_eq "KUBECONFIG: first file's cluster and current-context, second file's users" "$(auth_used)" "[('token', 'admin', 200)]"

run context "env" KUBECONFIG="$TMP/a/config:$TMP/b/config" "$SUNSET" cluster --context limited -t 1.29 \
	--sources last-applied,helm-release -o text --columns location
cat >"$TMP/context.want.err" <<'EOF'
sunset: cluster://limited/deployments.apps: error: cannot list deployments.apps (apps/v1): 403 Forbidden: deployments.apps is forbidden: User "limited" cannot list resource "deployments" in API group "apps" at the cluster scope
sunset: cluster://limited/secrets: error: cannot list secrets (v1) labelled owner=helm: 403 Forbidden: secrets is forbidden: User "limited" cannot list resource "secrets" in API group "" at the cluster scope
EOF
expect context 3 - "$TMP/context.want.err" <<'EOF'
LOCATION
cluster://limited/cert-manager/configmaps/sh.helm.release.v1.cert-manager.v1
cluster://limited/shop/ingresses.networking.k8s.io/shop-web
EOF
check_eq "--context: the limited user" "$(log_query 'sorted(set(r["user"] for r in reqs))')" "['limited']"

run context-missing "$SUNSET" cluster --kubeconfig "$TMP/a/config" --context nope "${ARGS[@]}"
expect context-missing 1 /dev/null - <<'EOF'
sunset: TMP/a/config: context "nope" not found
EOF

# ~/.kube/config when nothing else is given
mkdir -p "$HOME/.kube"
cp "$TMP/a/config" "$HOME/.kube/config"
cp "$CA" "$HOME/.kube/ca.crt"
printf 'users:\n- name: admin\n  user: {token: tok-admin}\n' >>"$HOME/.kube/config"
run home-config "$SUNSET" cluster "${ARGS[@]}"
expect home-config 3 "$MF_OUT" /dev/null
rm -rf "$HOME/.kube"

run no-config "$SUNSET" cluster "${ARGS[@]}"
expect no-config 1 /dev/null - <<'EOF'
sunset: no kubeconfig ($KUBECONFIG, ~/.kube/config or --kubeconfig) and not running in a cluster (KUBERNETES_SERVICE_HOST is unset)
EOF

# ---- in a pod: the service account's token and CA, the service's address
mkdir -p "$TMP/sa"
cp "$CA" "$TMP/sa/ca.crt"
printf 'tok-admin' >"$TMP/sa/token"
printf 'shop' >"$TMP/sa/namespace"
run in-cluster env KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$PORT" SUNSET_SERVICEACCOUNT_DIR="$TMP/sa" \
	"$SUNSET" cluster -t 1.29 --sources managed-fields -o text --columns location
expect in-cluster 3 - /dev/null <<'EOF'
LOCATION
cluster://in-cluster/flowschemas.flowcontrol.apiserver.k8s.io/shop-priority
cluster://in-cluster/shop/horizontalpodautoscalers.autoscaling/frontend
EOF
check_eq "in-cluster: the service account token" "$(auth_used)" "[('token', 'admin', 200)]"
rm "$TMP/sa/ca.crt"
run in-cluster-no-ca env KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$PORT" SUNSET_SERVICEACCOUNT_DIR="$TMP/sa" \
	"$SUNSET" cluster -t 1.29
expect in-cluster-no-ca 1 /dev/null - <<'EOF'
sunset: in-cluster service account CA TMP/sa/ca.crt: No such file or directory
EOF

# ---- no secret in any output of this script
if grep -rl -e tok-admin -e tok-limited -e tok-wrong-secret -e basic-pass -e "$(sed -n 2p "$TMP/certs/client.key")" \
	"$TMP"/*.out "$TMP"/*.err >/dev/null 2>&1; then
	fail "a credential appears in sunset's output: $(grep -rl -e tok-admin -e tok-limited -e tok-wrong-secret -e basic-pass "$TMP"/*.out "$TMP"/*.err)"
else
	pass "no token, password or key in any output"
fi

finish
