#!/usr/bin/env bash
# Benchmark (never a test): `sunset audit` over ~1 GiB of generated, realistic
# audit events (2% to deprecated APIs, 1 in 7 with a request body) in two
# files, with one and two workers, peak RSS, and the same aggregation done
# with jq (count per API, resource, verb, user, agent of the events the
# server annotated k8s.io/deprecated) as the yardstick a user would write.
# Usage: tests/bench/audit-bench.sh SUNSET_BINARY [MiB]   (needs jq, GNU time)
set -eu
bin=$(readlink -f "$1") mib=${2:-1024}
command -v jq >/dev/null || sudo apt-get install -y jq
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
python3 - "$dir" "$mib" <<'PY'
import json, sys
d, mib = sys.argv[1], int(sys.argv[2])
def ev(i):
    if i % 50 == 0:
        g, v, r, verb, u, a, ann = "extensions", "v1beta1", "ingresses", "list", "system:serviceaccount:ci:deployer", "helm/v3.2.0", {"k8s.io/deprecated": "true", "k8s.io/removed-release": "1.22"}
    elif i % 97 == 0:
        g, v, r, verb, u, a, ann = "batch", "v1beta1", "cronjobs", "get", "system:serviceaccount:mon:ksm", "kube-state-metrics/v2.3.0", {"k8s.io/deprecated": "true", "k8s.io/removed-release": "1.25"}
    else:
        g, v, r, verb, u, a, ann = "", "v1", ["pods", "configmaps", "secrets", "nodes"][i % 4], ["get", "list", "watch", "update"][i % 4], "system:node:n%d" % (i % 40), "kubelet/v1.30.0", {}
    e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "%08x-0000-4000-8000-000000000000" % i,
         "stage": "ResponseComplete", "requestURI": "/api%s/%s/namespaces/ns%d/%s" % ("s/" + g if g else "", v, i % 30, r),
         "verb": verb, "user": {"username": u, "groups": ["system:authenticated"]}, "sourceIPs": ["10.0.%d.%d" % (i % 250, i % 200)],
         "userAgent": a, "objectRef": {"resource": r, "namespace": "ns%d" % (i % 30), "apiGroup": g, "apiVersion": v},
         "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-30T10:%02d:%02d.%06dZ" % (i // 60 % 60, i % 60, i % 999999),
         "stageTimestamp": "2026-11-30T10:00:00.000000Z", "annotations": dict({"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": "RBAC: allowed"}, **ann)}
    if i % 7 == 0:
        e["level"] = "Request"; e["requestObject"] = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "c%d" % i}, "data": {"config.yaml": "key: value\n" * 60}}
    return json.dumps(e, separators=(",", ":")) + "\n"
block = "".join(ev(i) for i in range(20000)).encode()
for f in ("audit-a.log", "audit-b.log"):
    with open(f"{d}/{f}", "wb") as out:
        n = 0
        while n < (mib << 19):
            out.write(block); n += len(block)
PY
bytes=$(cat "$dir"/*.log | wc -c)
run() { /usr/bin/time -f "%e %M" -o "$dir/t" "$@" >/dev/null 2>&1 || true; tail -n 1 "$dir/t"; }
read -r t1 r1 < <(run "$bin" audit -j1 -o csv "$dir"/audit-a.log "$dir"/audit-b.log)
read -r t2 r2 < <(run "$bin" audit -j2 -o csv "$dir"/audit-a.log "$dir"/audit-b.log)
# jq over one file (half the bytes), the aggregation a user would write
read -r tj rj < <(run sh -c "jq -c 'select(.annotations[\"k8s.io/deprecated\"]==\"true\") | [.objectRef.apiGroup,.objectRef.apiVersion,.objectRef.resource,.verb,.user.username,.userAgent]' '$dir/audit-a.log' | sort | uniq -c")
half=$(wc -c < "$dir/audit-a.log")
awk -v b="$bytes" -v h="$half" -v t1="$t1" -v t2="$t2" -v tj="$tj" -v r1="$r1" -v r2="$r2" -v rj="$rj" 'BEGIN {
  m = b / 1048576; s1 = m / t1; s2 = m / t2; sj = (h / 1048576) / tj
  printf "input: %.0f MiB in 2 files\n", m
  printf "sunset -j1: %.2f s, %.0f MiB/s, peak RSS %.1f MiB\n", t1, s1, r1 / 1024
  printf "sunset -j2: %.2f s, %.0f MiB/s, peak RSS %.1f MiB (%.2fx of -j1)\n", t2, s2, r2 / 1024, s2 / s1
  printf "jq (1 file, %.0f MiB): %.2f s, %.0f MiB/s, peak RSS %.1f MiB; sunset -j1 is %.1fx jq\n", h / 1048576, tj, sj, rj / 1024, s1 / sj
}'
