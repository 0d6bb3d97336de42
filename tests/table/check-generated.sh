#!/bin/sh
# Check that data/k8s.yaml is exactly what scripts/gen-k8s-table.py produces.
#
# Usage: tests/table/check-generated.sh REPO_ROOT
#
# Needs git checkouts (bare or normal) of the three upstream repositories:
#   SUNSET_K8S_API       github.com/kubernetes/api
#   SUNSET_APIEXTENSIONS github.com/kubernetes/apiextensions-apiserver
#   SUNSET_AGGREGATOR    github.com/kubernetes/kube-aggregator
# Exits 77 (skip) when any of them is unset or not a directory, 1 when the
# regenerated table differs from the committed one, 0 when it matches.

set -u

root=${1:?usage: $0 REPO_ROOT}

for var in SUNSET_K8S_API SUNSET_APIEXTENSIONS SUNSET_AGGREGATOR; do
    eval "dir=\${$var:-}"
    if [ -z "$dir" ] || [ ! -d "$dir" ]; then
        echo "SKIP: $var does not point at a git checkout"
        exit 77
    fi
done

command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }

tmp=$(mktemp "${TMPDIR:-/tmp}/k8s-table.XXXXXX") || exit 1
trap 'rm -f "$tmp" "$tmp.tmp"' EXIT INT TERM

if ! python3 "$root/scripts/gen-k8s-table.py" \
        --api "$SUNSET_K8S_API" \
        --apiextensions "$SUNSET_APIEXTENSIONS" \
        --aggregator "$SUNSET_AGGREGATOR" \
        -o "$tmp"; then
    echo "FAIL: scripts/gen-k8s-table.py failed"
    exit 1
fi

if ! diff -u "$root/data/k8s.yaml" "$tmp"; then
    echo "FAIL: data/k8s.yaml is out of date; regenerate it with scripts/gen-k8s-table.py"
    exit 1
fi
echo "PASS: data/k8s.yaml matches the generator output"
exit 0
