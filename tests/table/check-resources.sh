#!/bin/sh
# Check that data/k8s-resources.yaml is exactly what scripts/gen-k8s-resources.py
# produces from a git checkout (bare or normal) of github.com/kubernetes/client-go
# named by SUNSET_CLIENT_GO.  Exits 77 (skip) when it is unset or missing.
set -u
root=${1:?usage: $0 REPO_ROOT}
dir=${SUNSET_CLIENT_GO:-}
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "SKIP: SUNSET_CLIENT_GO does not point at a git checkout of k8s.io/client-go"
    exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
tmp=$(mktemp "${TMPDIR:-/tmp}/k8s-resources.XXXXXX") || exit 1
trap 'rm -f "$tmp" "$tmp.tmp"' EXIT INT TERM
if ! python3 "$root/scripts/gen-k8s-resources.py" --client-go "$dir" -o "$tmp"; then
    echo "FAIL: scripts/gen-k8s-resources.py failed"
    exit 1
fi
if ! diff -u "$root/data/k8s-resources.yaml" "$tmp"; then
    echo "FAIL: data/k8s-resources.yaml is out of date; regenerate it with scripts/gen-k8s-resources.py"
    exit 1
fi
echo "ok: data/k8s-resources.yaml matches scripts/gen-k8s-resources.py"
