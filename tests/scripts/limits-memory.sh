#!/usr/bin/env bash
# Total run memory: peak RSS of `sunset scan` stays under 64 MiB whatever
# the size of the input, because documents are streamed one at a time.
# Inputs are made on the fly in a temporary directory and deleted after:
#   - a multi-document YAML file of SUNSET_MEMTEST_MB MiB (default 256;
#     SUNSET_MEMTEST_MB=1024 for the 1 GB run by hand), scanned as a file
#     and from stdin, with a few deprecated objects in it
#   - the same as one JSON List (its items are read one at a time)
#   - a 100 MB single line (one value past the document limit)
#   - endless input on stdin (stopped after 10 s)
# Skipped under AddressSanitizer, whose shadow memory and quarantine are
# what RSS would measure there.
set -u
root=$1 bin=$2
mb=${SUNSET_MEMTEST_MB:-256}
limit_kb=$((64 * 1024))
if grep -q __asan_init "$bin" 2>/dev/null; then
	echo "SKIP: $bin is built with AddressSanitizer (RSS measures its shadow memory)"
	exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0

# peak_kb STDIN CMD...: runs CMD with STDIN as its standard input, prints
# its peak RSS in KiB (getrusage of the child) and its exit status
peak_kb() {
	python3 -c '
import resource, subprocess, sys
with open(sys.argv[1], "rb") as stdin:
    rc = subprocess.call(sys.argv[2:], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)' "$@"
}

check() { # check NAME WANT_EXIT KB RC
	if [ "$4" -ne "$2" ]; then
		echo "FAIL $1: exit $4, want $2"; fail=1
	elif [ "$3" -gt "$limit_kb" ]; then
		echo "FAIL $1: peak RSS $(($3 / 1024)) MiB, over $((limit_kb / 1024)) MiB"; fail=1
	else
		echo "ok   $1: peak RSS $(($3 / 1024)) MiB"
	fi
}

# one MiB of documents: a deprecated object first, then current ones
doc='---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web, tier: frontend}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: registry.example.com/web:1.2.3
        ports: [{containerPort: 8080}]
        resources: {limits: {cpu: 500m, memory: 256Mi}}
'
{
	printf -- '---\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: old}\n'
	while :; do printf '%s' "$doc"; done | head -c $((1024 * 1024 - 64))
	printf '\n'
} >"$tmp/chunk.yaml" 2>/dev/null
for _ in $(seq "$mb"); do cat "$tmp/chunk.yaml"; done >"$tmp/big.yaml"
echo "input: $(($(stat -c %s "$tmp/big.yaml") / 1024 / 1024)) MiB, $mb deprecated objects"

read -r kb rc < <(peak_kb /dev/null "$bin" scan -j1 "$tmp/big.yaml")
check "multi-document file ($mb MiB)" 3 "$kb" "$rc"
read -r kb rc < <(peak_kb /dev/null "$bin" scan -j2 "$tmp/big.yaml" "$tmp/chunk.yaml")
check "two workers" 3 "$kb" "$rc"
read -r kb rc < <(peak_kb "$tmp/big.yaml" "$bin" scan -)
check "the same on stdin" 3 "$kb" "$rc"

# one JSON List of the same size: items are streamed
python3 - "$tmp/big.json" "$mb" <<'PY'
import json, sys
item = {"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web", "image": "x:1"}]}}}}
one = json.dumps(item).encode()
old = json.dumps({"apiVersion": "extensions/v1beta1", "kind": "Ingress", "metadata": {"name": "old"}}).encode()
with open(sys.argv[1], "wb") as f:
    f.write(b'{"apiVersion": "v1", "kind": "List", "items": [' + old)
    target = int(sys.argv[2]) << 20
    n = len(old)
    while n < target:
        f.write(b",\n" + one)
        n += len(one) + 2
    f.write(b"]}\n")
PY
read -r kb rc < <(peak_kb /dev/null "$bin" scan "$tmp/big.json")
check "one JSON List ($mb MiB)" 3 "$kb" "$rc"
rm -f "$tmp/big.json" "$tmp/big.yaml"

{ printf 'k: '; head -c 100000000 /dev/zero | tr '\0' a; printf '\n---\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: after}\n'; } >"$tmp/line.yaml"
read -r kb rc < <(peak_kb /dev/null "$bin" scan "$tmp/line.yaml")
check "a 100 MB line" 3 "$kb" "$rc"
rm -f "$tmp/line.yaml"

read -r kb rc < <(peak_kb /dev/null bash -c "yes abcdefgh | timeout 10 \"$bin\" scan -")
check "endless stdin for 10 s" 124 "$kb" "$rc"
exit $fail
