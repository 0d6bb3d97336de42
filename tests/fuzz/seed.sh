#!/usr/bin/env bash
# Builds seed corpora for the fuzz targets from the repository's fixtures
# (never committed: they are made again whenever needed).
#   tests/fuzz/seed.sh [OUT_DIR]   (default: build-fuzz/corpus)
# Makes OUT_DIR/<target>/ for every target; files are deduplicated by hash
# and capped at 64 KiB so that the fuzzer starts from small inputs.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build-fuzz/corpus}
max=65536

add() { # add TARGET FILE...
	local t=$1; shift
	mkdir -p "$out/$t"
	local f
	for f in "$@"; do
		[ -f "$f" ] || continue
		[ "$(stat -c %s "$f")" -le $max ] || continue
		cp "$f" "$out/$t/$(sha1sum "$f" | cut -c1-16)"
	done
}
# add_text TARGET NAME TEXT: a small hand-written seed
add_text() {
	mkdir -p "$out/$1"
	printf '%s' "$3" >"$out/$1/$2"
}

shopt -s nullglob globstar
add fuzz_yaml "$root"/fixtures/**/*.yaml "$root"/fixtures/**/*.yml "$root"/tests/cli/cases/*/stdin
add fuzz_json "$root"/fixtures/**/*.json
add fuzz_table "$root"/data/*.yaml "$root"/tests/table/*.yaml "$root"/fixtures/**/table*.yaml
add fuzz_rules "$root"/data/*-rules.yaml "$root"/tests/fuzz/regressions/fuzz_rules/*
# the head of the built-in table (the whole file is too large a seed)
mkdir -p "$out/fuzz_table"
head -c 4000 "$root/data/k8s.yaml" | sed '$d' >"$out/fuzz_table/k8s-head"
add_text fuzz_table pluto 'deprecated-versions:
- version: extensions/v1beta1
  kind: Deployment
  deprecated-in: v1.9.0
  removed-in: v1.16.0
  replacement-api: apps/v1
  replacement-available-in: v1.9.0
  component: k8s
'
add_text fuzz_yaml anchors-lists 'apiVersion: v1
kind: List
items:
- &d {apiVersion: extensions/v1beta1, kind: Deployment, metadata: {name: a}}
- *d
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: b
    annotations:
      kubectl.kubernetes.io/last-applied-configuration: |
        {"apiVersion":"extensions/v1beta1","kind":"Deployment"}
    managedFields:
    - apiVersion: extensions/v1beta1
      manager: kubectl
---
# Source: chart/templates/x.yaml
apiVersion: policy/v1beta1 # sunset:ignore
kind: PodSecurityPolicy
'
# Helm releases: the payload after the Secret's own base64 (mode 0), the
# ConfigMap text (mode 2), the gzip bytes for the layer decoders (mode 4);
# see fuzz_helm.c.
python3 - "$out/fuzz_helm" "$root"/fixtures/helm/* ${SUNSET_CORPUS:+"$SUNSET_CORPUS"/helm-releases/*} <<'PY' || true
import base64, binascii, hashlib, os, re, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
def put(b):
    if len(b) <= 65536:
        open(os.path.join(out, hashlib.sha1(b).hexdigest()[:16]), "wb").write(b)
for path in sys.argv[2:]:
    try:
        text = open(path, "rb").read().decode("utf-8", "replace")
    except OSError:
        continue
    for v in re.findall(r'"?release"?\s*:\s*"?([A-Za-z0-9+/=]{16,})', text):
        put(b"\x02" + v.encode())
        try:
            once = base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            continue
        put(b"\x00" + once)
        try:
            put(b"\x04" + base64.b64decode(once, validate=True))
        except (binascii.Error, ValueError):
            pass
PY
# Charts: template NUL _helpers.tpl NUL values.yaml (see fuzz_chart.c).
mkdir -p "$out/fuzz_chart"
for chart in "$root"/fixtures/charts/*/ ${SUNSET_CORPUS:+"$SUNSET_CORPUS"/charts/*/}; do
	[ -f "$chart/Chart.yaml" ] || continue
	for t in "$chart"/templates/*.yaml; do
		[ -f "$t" ] || continue
		seed=$(mktemp)
		{ cat "$t"; printf '\0'; cat "$chart"/templates/_*.tpl 2>/dev/null || true; printf '\0'
		  cat "$chart/values.yaml" 2>/dev/null || true; } >"$seed"
		if [ "$(stat -c %s "$seed")" -le $max ]; then
			mv "$seed" "$out/fuzz_chart/$(sha1sum "$seed" | cut -c1-16)"
		else
			rm -f "$seed"
		fi
	done
done
add fuzz_chart "$root"/fixtures/charts/*.yaml
add_text fuzz_metrics sample '# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.
# TYPE apiserver_requested_deprecated_apis gauge
apiserver_requested_deprecated_apis{group="policy",removed_release="1.25",resource="podsecuritypolicies",subresource="",version="v1beta1"} 1
apiserver_requested_deprecated_apis{group="",removed_release="",resource="componentstatuses",subresource="",version="v1"} 0
apiserver_request_total{code="200",verb="GET"} 12
'
add_text fuzz_kubeconfig basic 'apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==
    tls-server-name: kubernetes
    proxy-url: http://proxy:3128
users:
- name: dev
  user:
    token: abc.def
    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    client-key-data: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCg==
    as: admin
    as-groups: [a, b]
- name: plugin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./get-token
      args: [--x]
      env: [{name: A, value: b}]
      interactiveMode: Never
contexts:
- name: dev
  context: {cluster: dev, user: dev, namespace: shop}
- name: other
  context: {cluster: dev, user: plugin}
'
add fuzz_apilist "$root"/fixtures/helm/*.json "$root"/fixtures/demo/*.json
add_text fuzz_apilist status '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps is forbidden: User \"x\" cannot list resource","reason":"Forbidden","code":403}'
add_text fuzz_apilist page '{"kind":"DeploymentList","apiVersion":"apps/v1","metadata":{"resourceVersion":"1","continue":"abc"},"items":[{"metadata":{"name":"web","namespace":"shop","uid":"u1","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"extensions/v1beta1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"}}"},"managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"extensions/v1beta1"}]}}]}'
for d in "$out"/*/; do
	echo "$(basename "$d"): $(ls "$d" | wc -l) seed(s)"
done
