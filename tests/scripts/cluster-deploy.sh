#!/bin/bash
# The in-cluster deployment (fixtures/deploy/ and the ClusterRole the build
# makes from the table, build/deploy/clusterrole.yaml): the manifests are
# valid and use no deprecated API (sunset scans them), the CronJob's command works
# the way the pod runs it (service account, no kubeconfig), and the
# ClusterRole allows every request that run made.
. "$(dirname "$0")/../cluster/lib.sh"
DEPLOY=$ROOT/fixtures/deploy
ROLE=$(dirname "$SUNSET")/deploy/clusterrole.yaml
[ -f "$ROLE" ] || { echo "SKIP: $ROLE was not generated (no python3 at build time)"; exit 77; }

run scan "$SUNSET" scan "$DEPLOY" "$ROLE"
expect scan 0 - /dev/null <<'EOF'
No deprecated or removed APIs found.
EOF
run scan-json "$SUNSET" scan "$DEPLOY" "$ROLE" -o json
check_eq "deploy: every manifest object was read" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"])' "$TMP/scan-json.out")" \
	"{'inputs': 2, 'objects': 5, 'findings': 0, 'errors': 0, 'documents': 5, 'ignored': 0, 'known': 0}"
check_summary scan "sunset: 2 files, 5 documents, 5 objects: 0 removed, 0 deprecated; 0 errors; 0 ignored; 0 known"

# the build made it from the table this binary carries
"$SUNSET" versions -o json | python3 "$ROOT/scripts/cluster-rbac.py" >"$TMP/clusterrole.yaml"
check_eq "clusterrole: the build's is what scripts/cluster-rbac.py makes from this binary's table" \
	"$(cmp -s "$ROLE" "$TMP/clusterrole.yaml" && echo same || echo differs)" same

# the CronJob's container command, run the way the pod runs it
start_server
mkdir -p "$TMP/sa"
cp "$CA" "$TMP/sa/ca.crt"
printf 'tok-admin' >"$TMP/sa/token"
ARGS=$(python3 - "$DEPLOY/cronjob.yaml" <<'EOF'
import json, re, sys
text = open(sys.argv[1]).read()
cmd = json.loads(re.search(r"^\s*command: (\[.*\])$", text, re.M).group(1))
args = json.loads(re.search(r"^\s*args: (\[.*\])$", text, re.M).group(1))
assert cmd == ["sunset"], cmd
print("\n".join(args))
EOF
)
mapfile -t ARGV <<<"$ARGS"
run cronjob env KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$PORT" SUNSET_SERVICEACCOUNT_DIR="$TMP/sa" \
	"$SUNSET" "${ARGV[@]}"
check_eq "cronjob: sunset ${ARGV[*]} exits 3 (removed APIs at k8s=next), nothing on stderr" \
	"$(cat "$TMP/cronjob.rc") $(wc -c <"$TMP/cronjob.err")" "3 0"
check_eq "cronjob: the log is one JSON report" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["items"]), d["errors"], d["target-versions"]["k8s"])' "$TMP/cronjob.out")" \
	"8 [] v1.30.0"

# every request of that run is allowed by the ClusterRole (RBAC's rules:
# resources by group and name with the verb; other paths by nonResourceURLs,
# a trailing * matching any suffix)
check_eq "clusterrole: allows every request sunset made" "$(python3 - "$ROLE" "$LOG" <<'EOF'
import fnmatch, json, re, sys
text = open(sys.argv[1]).read()
rules = []
for block in re.split(r"\n  - ", text.split("rules:", 1)[1]):
    fields = dict((k, json.loads(v)) for k, v in re.findall(r"(\w+): (\[.*\])", block))
    rules.append(fields)
def allowed(path, query):
    parts = path.strip("/").split("/")
    if parts[0] == "api" and len(parts) >= 3:
        group, rest = "", parts[2:]
    elif parts[0] == "apis" and len(parts) >= 4:
        group, rest = parts[1], parts[3:]
    else:
        return any(r.get("nonResourceURLs") and "get" in r["verbs"] and
                   any(u == path or (u.endswith("*") and path.startswith(u[:-1])) for u in r["nonResourceURLs"])
                   for r in rules)
    if rest[0] == "namespaces" and len(rest) >= 3:
        rest = rest[2:]
    resource, verb = rest[0], "list" if len(rest) == 1 else "get"
    return any(group in r.get("apiGroups", []) and (resource in r["resources"] or "*" in r["resources"])
               and verb in r["verbs"] for r in rules)
reqs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
denied = sorted(set(r["path"] for r in reqs if "event" not in r and not allowed(r["path"], r["query"])))
print(denied if denied else "all %d allowed" % len(reqs))
EOF
)" "all $(log_query 'len(reqs)') allowed"

finish
