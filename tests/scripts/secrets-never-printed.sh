#!/usr/bin/env bash
# Secrets never reach the output: a Secret (data, stringData, its
# last-applied annotation), a Helm release Secret whose manifest holds a
# Secret, a kubeconfig with a token, a password and a client key, and
# inputs broken right inside those values.  Every output format and stderr
# are searched for the canary (plain and base64).
#
# What an error may show of the input (decided here): YAML errors quote at
# most the one offending byte ("(byte 0xff)"); JSON errors at most the one
# offending character ("found 'q'"); Helm and kubeconfig errors name the
# object or field, never the value.  So a canary cut by a bad byte shows no
# more than one of its characters, never the value.
set -u
root=$1 bin=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
cd "$tmp" || exit 1
canary=Sunset-Canary-7f3a9c5e
canary64=$(printf '%s' "$canary" | base64)

cat >secret.yaml <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"stringData":{"password":"$canary"}}
type: Opaque
data:
  password: $canary64
stringData:
  password: $canary
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: web, namespace: shop}
EOF

# a Helm release Secret: base64(base64(gzip(JSON))) whose manifest holds a
# Secret with the canary next to a deprecated object, and a broken document
python3 - "$canary" >release.yaml <<'PY'
import base64, gzip, json, sys
canary = sys.argv[1]
manifest = ("---\n# Source: web/templates/secret.yaml\napiVersion: v1\nkind: Secret\n"
            "metadata:\n  name: db\nstringData:\n  password: %s\n"
            "---\n# Source: web/templates/ing.yaml\napiVersion: extensions/v1beta1\nkind: Ingress\n"
            "metadata:\n  name: web\n  annotations:\n    note: %s\n"
            "---\n# Source: web/templates/broken.yaml\nkind: Secret\nstringData: {password: [%s\n") % (canary, canary, canary)
rel = {"name": "web", "namespace": "shop", "version": 1, "info": {"status": "deployed"},
       "manifest": manifest, "config": {"password": canary}}
inner = base64.b64encode(gzip.compress(json.dumps(rel).encode())).decode()
outer = base64.b64encode(inner.encode()).decode()
print("apiVersion: v1\nkind: Secret\ntype: helm.sh/release.v1\nmetadata:\n"
      "  name: sh.helm.release.v1.web.v1\n  namespace: shop\n  labels: {owner: helm, name: web, version: \"1\"}\n"
      "data:\n  release: " + outer)
# a release whose payload is not base64: the canary sits in the bad text
print("---\napiVersion: v1\nkind: Secret\ntype: helm.sh/release.v1\nmetadata:\n"
      "  name: sh.helm.release.v1.bad.v1\n  namespace: shop\n  labels: {owner: helm}\n"
      "data:\n  release: \"%s!!!\"" % canary)
PY

# inputs broken inside the secret value
printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: a}\nstringData:\n  password: "%s\xff%s"\n' "$canary" "$canary" >bad-byte.yaml
printf '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"b"},"stringData":{"password":"%s\\q%s"}}\n' "$canary" "$canary" >bad-escape.json
printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: c}\nstringData:\n  password: [%s, {%s\n' "$canary" "$canary" >bad-syntax.yaml
printf '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"d"},"stringData":{"password":"%s' "$canary" >truncated.json

inputs=(secret.yaml release.yaml bad-byte.yaml bad-escape.json bad-syntax.yaml truncated.json)
seen_formats=0
for fmt in text wide json yaml csv markdown sarif junit github; do
	"$bin" scan -o "$fmt" "${inputs[@]}" >"out.$fmt" 2>"err.$fmt"
	rc=$?
	if [ "$rc" -ne 3 ]; then
		echo "FAIL -o $fmt: exit $rc, want 3"; head -5 "err.$fmt"; fail=1
	fi
	seen_formats=$((seen_formats + 1))
	for f in "out.$fmt" "err.$fmt"; do
		if grep -qF -e "$canary" -e "$canary64" "$f"; then
			echo "FAIL -o $fmt: the secret is in $f:"; grep -nF -e "$canary" -e "$canary64" "$f" | head -3; fail=1
		fi
	done
done
# the run did read what it should: the Ingress next to the Secret, the one
# inside the release, and an error for every broken input
for want in '"secret.yaml"' 'web/templates/ing.yaml' '"bad-byte.yaml"' '"bad-escape.json"' '"bad-syntax.yaml"' \
	'"truncated.json"' 'sh.helm.release.v1.bad.v1'; do
	grep -qF -- "$want" out.json || { echo "FAIL the JSON report does not mention $want"; fail=1; }
done

# a kubeconfig with a token, basic auth and a client key; the server is
# not there, so every path that reports an error runs
key64=$(printf -- '-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n' "$canary" | base64 -w0)
cat >kubeconfig <<EOF
apiVersion: v1
kind: Config
current-context: c
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user:
    token: $canary
    username: admin
    password: $canary
    client-key-data: $key64
    client-certificate-data: $key64
- name: broken
  user:
    client-key-data: "$canary!!"
contexts:
- name: c
  context: {cluster: c, user: u}
- name: b
  context: {cluster: c, user: broken}
EOF
for ctx in c b; do
	for fmt in text json; do
		timeout 60 "$bin" cluster --kubeconfig kubeconfig --context "$ctx" --request-timeout 2 -o "$fmt" \
			>"cl.$ctx.$fmt" 2>"cl-err.$ctx.$fmt"
		rc=$?
		[ "$rc" -ne 0 ] || { echo "FAIL cluster --context $ctx: exit 0 with no server"; fail=1; }
		if grep -qF -e "$canary" -e "$canary64" -e "$key64" "cl.$ctx.$fmt" "cl-err.$ctx.$fmt"; then
			echo "FAIL cluster --context $ctx -o $fmt: the secret is in its output"
			grep -hF -e "$canary" -e "$canary64" "cl.$ctx.$fmt" "cl-err.$ctx.$fmt" | head -3; fail=1
		fi
	done
done
[ $fail -eq 0 ] && echo "ok   $seen_formats formats, stderr and cluster errors hold no secret"
exit $fail
