#!/usr/bin/env bash
# Scans ../shared/corpus/real (manifests written by other people) when it is
# there: no crash, every manifest file read (the JSON summary counts inputs),
# every error placed at path:line:column, and -j1 and -j2 print the same bytes.
set -u
root=$1 bin=$2
corpus=${SUNSET_CORPUS:-$root/../shared/corpus}/real
[ -d "$corpus" ] || { echo "SKIP: no corpus at $corpus"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$bin" scan -j2 -o json "$corpus" >"$tmp/j2.json" 2>"$tmp/j2.err"; code=$?
"$bin" scan -j1 -o json "$corpus" >"$tmp/j1.json" 2>"$tmp/j1.err"
[ "$code" -lt 128 ] || { echo "crashed with $code"; exit 1; }
[ "$code" = 3 ] || { echo "exit $code, want 3 (the corpus holds removed APIs)"; exit 1; }
cmp -s "$tmp/j1.json" "$tmp/j2.json" || { echo "-j1 and -j2 differ"; diff "$tmp/j1.json" "$tmp/j2.json" | head; exit 1; }
cmp -s "$tmp/j1.err" "$tmp/j2.err" || { echo "-j1 and -j2 stderr differ"; exit 1; }
files=$(find "$corpus" -name '.*' -prune -o -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print | wc -l)
python3 - "$tmp/j2.json" "$files" "$tmp/j2.err" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
files = int(sys.argv[2])
s = d["summary"]
assert s["inputs"] == files, f"read {s['inputs']} inputs, corpus has {files} manifest files"
assert s["findings"] == len(d["items"]) and s["findings"] > 0, s
assert s["objects"] > s["findings"], s
for e in d["errors"]:
    assert e["line"] > 0 and e["column"] > 0, e
for i in d["items"]:
    assert i["line"] > 0 and i["column"] > 0 and i["filePath"], i
err_lines = [l for l in open(sys.argv[3]) if l.strip()]
assert len(err_lines) == len(d["errors"]), (len(err_lines), len(d["errors"]))
print(f"ok: {s['inputs']} files, {s['objects']} objects, {s['findings']} findings, {s['errors']} errors")
PY
