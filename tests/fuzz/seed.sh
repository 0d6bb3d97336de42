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
# Targets that exist once their parsers land; seeds from wherever their
# fixtures live.
add fuzz_helm "$root"/fixtures/**/*release*.yaml "$root"/fixtures/**/*release*.json "$root"/fixtures/helm*/**/*
add fuzz_chart "$root"/fixtures/**/templates/*.yaml "$root"/fixtures/**/templates/*.tpl
add fuzz_kubeconfig "$root"/fixtures/**/*kubeconfig* "$root"/fixtures/**/config
add fuzz_metrics "$root"/fixtures/**/*metrics*
add fuzz_apilist "$root"/fixtures/cluster/*.json
for d in "$out"/*/; do
	echo "$(basename "$d"): $(ls "$d" | wc -l) seed(s)"
done
