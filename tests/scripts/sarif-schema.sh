#!/usr/bin/env bash
# SARIF output validates against the SARIF 2.1.0 schema (read from
# ../shared/schemas, never copied here) for every kind of run: findings,
# input errors, hostile names, odd and absolute paths, a baseline, stdin,
# no findings at all, a whole corpus when present.  Beyond the schema: each
# result's ruleIndex names its rule, levels follow the rule, every URI is a
# valid relative reference under %SRCROOT% or a file:// URI, and -j1 and
# -j4 print the same bytes.  Needs python3 with jsonschema (Debian:
# python3-jsonschema); skips (77) without it or without the schema.
set -u
root=$1 bin=$2
schema=${SUNSET_SARIF_SCHEMA:-$root/../shared/schemas/sarif-schema-2.1.0.json}
[ -f "$schema" ] || { echo "SKIP: no SARIF schema at $schema"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
python3 -c 'import jsonschema' 2>/dev/null || { echo "SKIP: python3 jsonschema is not installed"; exit 77; }
root=$(cd "$root" && pwd) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1

n=0
run() { # run NAME ARGS...: writes $tmp/NAME.sarif; the exit code is the scan's
	n=$((n + 1))
	"$bin" scan -o sarif "${@:2}" >"$tmp/$1.sarif" 2>/dev/null
	local code=$?
	[ "$code" -lt 128 ] || { echo "$1: crashed ($code)"; exit 1; }
}
run demo fixtures/demo -t 1.22
run errors fixtures/scan/broken-middle.yaml fixtures/scan/broken.json
run hostile fixtures/ci/hostile.yaml
run ignore fixtures/ci/ignore.yaml
run baseline fixtures/demo fixtures/ci/widgets.yaml -t 1.22 --baseline fixtures/ci/baseline-demo.json
run absolute "$root/fixtures/demo/shop.yaml"
run dotted ./fixtures/demo/jobs.yaml
run nothing fixtures/demo/flowcontrol.yaml -t 1.20
run stdin - <fixtures/scan/helm-rendered.yaml
run stdin-plain --stdin-name 'piped input.yaml' - <fixtures/demo/shop.yaml
run table fixtures/ci/widgets.yaml --table fixtures/ci/tables/acme.yaml
run cluster --stdin-name 'cluster://kind-dev/namespaces/shop/deployments/web app' - <fixtures/demo/shop.yaml
mkdir -p "$tmp/odd" && cp fixtures/demo/shop.yaml "$tmp/odd/we,ird:na%me #1 é.yaml"
printf 'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: x}\n' >"$tmp/odd/$(printf 'bad\377byte.yaml')"
(cd "$tmp/odd" && "$bin" scan -o sarif . >"$tmp/odd.sarif" 2>/dev/null); n=$((n + 1))
corpus=${SUNSET_CORPUS:-$root/../shared/corpus}
if [ -d "$corpus/real" ]; then run corpus "$corpus/real"; fi

"$bin" scan -o sarif -j1 fixtures/demo fixtures/scan >"$tmp/j1" 2>/dev/null
"$bin" scan -o sarif -j4 fixtures/demo fixtures/scan >"$tmp/j4" 2>/dev/null
cmp -s "$tmp/j1" "$tmp/j4" || { echo "-j1 and -j4 differ"; exit 1; }

python3 - "$schema" "$tmp"/*.sarif <<'PY' || exit 1
import json, re, sys
import jsonschema

schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
unreserved = re.compile(r"^(?:[A-Za-z0-9._~/-]|%[0-9A-F]{2})+$")
levels = {"removed-api": "error", "deprecated-api": "warning", "deprecated-api-no-replacement": "warning"}
for path in sys.argv[2:]:
    name = path.rsplit("/", 1)[1]
    doc = json.load(open(path, encoding="utf-8"))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors[:5]:
        print(f"{name}: {'/'.join(map(str, e.path))}: {e.message[:300]}")
    assert not errors, f"{name}: {len(errors)} schema errors"
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "sunset" and driver["version"] and driver["informationUri"], driver
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    # the fixed descriptors, then one per rule id met (data/*-rules.yaml), in id order
    assert ids[:len(levels)] == list(levels), ids
    assert ids[len(levels):] == sorted(set(ids[len(levels):])), ids
    for r in rules:
        assert r["help"]["text"] and r["help"]["markdown"] and r["shortDescription"]["text"], r
        assert r["defaultConfiguration"]["level"] == levels.get(r["id"], r["defaultConfiguration"]["level"]), r
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"], res
        if res["ruleId"] in levels:
            assert res["level"] == levels[res["ruleId"]], res
        else:  # a rule finding: an error when it breaks at the target
            assert res["level"] == ("error" if res["properties"]["removed"] else "warning"), res
            assert res["properties"]["path"] and res["properties"]["effect"], res
        assert res["message"]["text"], res
        p = res["properties"]
        for key in ("apiVersion", "kind", "component", "source"):
            assert p.get(key), (name, key, res)
        if res["ruleId"] == "removed-api":
            assert p["removed"] is True, res
    locs = [l for res in run["results"] for l in res["locations"]]
    locs += [l for inv in run["invocations"] for n in inv["toolExecutionNotifications"] for l in n["locations"]]
    for loc in locs:
        art = loc["physicalLocation"]["artifactLocation"]
        uri = art["uri"]
        if uri.startswith("file:///"):
            assert "uriBaseId" not in art and unreserved.match(uri[7:]), (name, art)
        elif uri.startswith("cluster://"):
            assert "uriBaseId" not in art and unreserved.match(uri[10:]), (name, art)
        else:
            assert art.get("uriBaseId") == "%SRCROOT%" and unreserved.match(uri), (name, art)
            assert not uri.startswith("./") and not uri.startswith("/"), (name, art)
        region = loc["physicalLocation"].get("region")
        if region:
            assert region["startLine"] >= 1 and region["startColumn"] >= 1, (name, region)

def results(name):
    return json.load(open(f"{sys.argv[2].rsplit('/', 1)[0]}/{name}.sarif"))["runs"][0]

r = results("errors")
assert not r["invocations"][0]["executionSuccessful"]
assert len(r["invocations"][0]["toolExecutionNotifications"]) == 2
r = results("baseline")
states = sorted(res["baselineState"] for res in r["results"])
assert states == ["new"] + ["unchanged"] * 4, states
r = results("dotted")
assert r["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "fixtures/demo/jobs.yaml"
r = results("nothing")
assert r["results"] == [] and r["invocations"][0]["executionSuccessful"]
r = results("odd")
uris = sorted(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for res in r["results"])
assert uris[0] == "bad%EF%BF%BDbyte.yaml" or uris[0] == "bad%FFbyte.yaml", uris
assert "we%2Cird%3Ana%25me%20%231%20%C3%A9.yaml" in uris, uris
r = results("cluster")
uri = r["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
assert uri == "cluster://kind-dev/namespaces/shop/deployments/web%20app", uri
r = results("hostile")
names = sorted(res["properties"]["name"] for res in r["results"])
assert names[0] == "a<b>&\"c'd]]>", names
PY
echo "ok: $n SARIF runs validate"
