#!/bin/bash
# Benchmark (never run by ctest): sunset cluster against the test API server
# holding N objects (default 100,000, from tests/apiserver/gen-state.py).
# Reports wall time, requests, bytes received and peak RSS of sunset, and
# checks that it found what the generator planted.
#
#   tests/bench/cluster-bench.sh REPO_ROOT SUNSET_BINARY [N] [CHUNK]
#
# The server is Python: at this size its JSON encoding, not sunset, sets the
# pace; sunset's own CPU time (user+sys) is reported apart from wall time.
set -u
ROOT=$(cd "${1:?usage: $0 REPO_ROOT SUNSET [N] [CHUNK]}" && pwd)
SUNSET=$(cd "$(dirname "${2:?}")" && pwd)/$(basename "$2")
N=${3:-100000}
CHUNK=${4:-500}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sunset-cluster-bench.XXXXXX")
SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "generating $N objects..."
python3 "$ROOT/tests/apiserver/gen-state.py" --objects "$N" --out "$TMP/state.json" --summary "$TMP/summary.json" || exit 1
"$ROOT/tests/apiserver/gen-certs.sh" "$TMP/certs" >/dev/null 2>&1 || exit 1
python3 "$ROOT/tests/apiserver/server.py" --state "$TMP/state.json" --certs "$TMP/certs" \
	--port-file "$TMP/port" --port 0 --log "$TMP/log.jsonl" 2>"$TMP/server.err" &
SERVER_PID=$!
echo "loading the server..."
for _ in $(seq 1200); do
	[ -s "$TMP/port" ] && break
	kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.err"; exit 1; }
	sleep 0.1
done
PORT=$(cat "$TMP/port")
cat >"$TMP/kc.yaml" <<EOF
apiVersion: v1
kind: Config
current-context: bench
clusters:
- name: bench
  cluster: {server: "https://127.0.0.1:$PORT", certificate-authority: "$TMP/certs/ca.crt"}
contexts:
- name: bench
  context: {cluster: bench, user: admin}
users:
- name: admin
  user: {token: tok-admin}
EOF
: >"$TMP/log.jsonl"
if [ -x /usr/bin/time ]; then
	TIME=(/usr/bin/time -f "%e %U %S %M" -o "$TMP/time")
else
	TIME=()
fi
start=$(date +%s.%N)
SUNSET_CLUSTER_STATS=1 "${TIME[@]}" "$SUNSET" cluster --kubeconfig "$TMP/kc.yaml" -t 1.29 -o json --chunk-size "$CHUNK" \
	>"$TMP/report.json" 2>"$TMP/stderr"
rc=$?
end=$(date +%s.%N)
python3 - "$TMP" "$rc" "$start" "$end" "$N" "$CHUNK" <<'EOF'
import collections, json, os, sys
tmp, rc, start, end, n, chunk = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
report = json.load(open(os.path.join(tmp, "report.json")))
summary = json.load(open(os.path.join(tmp, "summary.json")))
log = [json.loads(l) for l in open(os.path.join(tmp, "log.jsonl")) if l.strip()]
stats = [l for l in open(os.path.join(tmp, "stderr")) if "cluster:" in l]
other = [l for l in open(os.path.join(tmp, "stderr")) if "cluster:" not in l]
print("objects in the cluster: %s (chunk size %s)" % (n, chunk))
print("exit code:               %d" % rc)
print("wall time:               %.2f s" % (end - start))
if os.path.exists(os.path.join(tmp, "time")):
    e, u, s, m = open(os.path.join(tmp, "time")).read().split()[-4:]
    print("sunset CPU:              %.2f s user + %.2f s sys" % (float(u), float(s)))
    print("sunset peak RSS:         %.1f MiB" % (int(m) / 1024))
print("sunset:                  %s" % (stats[0].split("cluster: ", 1)[1].strip() if stats else "?"))
print("server log:              %d requests, %d gzip, %d with continue" % (
    len(log), sum(1 for r in log if r.get("gzip")), sum(1 for r in log if "continue=" in r.get("query", ""))))
by_source = collections.Counter(i["source"] for i in report["items"])
print("findings:                %d %s" % (len(report["items"]), dict(sorted(by_source.items()))))
print("errors:                  %d %s" % (len(report["errors"]), other[:3]))
planted = {k: sum(v.values()) for k, v in summary["deprecated"].items()}
print("planted (gen-state.py):  %s" % json.dumps(planted, sort_keys=True))
names = {"lastApplied": "last-applied", "managedFields": "managed-fields", "helm": "helm-release"}
missing = {k: planted[k] - by_source.get(names[k], 0) for k in planted if planted[k] != by_source.get(names[k], 0)}
print("all planted found:       %s" % ("yes" if not missing else "no, difference %s" % missing))
EOF
