#!/usr/bin/env bash
# JUnit output is well-formed XML that test reporters can read, for every
# kind of run: the counts on <testsuites> and each <testsuite> equal their
# children, every finding is a <failure> of its object's <testcase>, every
# input error an <error>, ignored and baseline-known objects are <skipped>,
# and names with markup, quotes, control characters or bytes that are not
# UTF-8 (in YAML names and in file names) come back as written, or as
# U+FFFD where XML cannot carry them.  Needs python3 (its XML parser is
# expat, which rejects what XML 1.0 does not allow); skips (77) without it.
set -u
root=$1 bin=$2
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
root=$(cd "$root" && pwd) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1

run() { # run NAME ARGS...: JUnit and JSON of the same scan
	"$bin" scan -o junit "${@:2}" >"$tmp/$1.xml" 2>/dev/null
	local code=$?
	[ "$code" -lt 128 ] || { echo "$1: crashed ($code)"; exit 1; }
	"$bin" scan -o json "${@:2}" >"$tmp/$1.json" 2>/dev/null
}
run demo fixtures/demo -t 1.22
run errors fixtures/scan/broken-middle.yaml fixtures/scan/broken.json
run hostile fixtures/ci/hostile.yaml
run known fixtures/demo fixtures/ci/ignore.yaml -t 1.22 --baseline fixtures/ci/baseline-demo.json
"$bin" scan -o junit - <fixtures/scan/helm-rendered.yaml >"$tmp/stdin.xml" 2>/dev/null
"$bin" scan -o json - <fixtures/scan/helm-rendered.yaml >"$tmp/stdin.json" 2>/dev/null
run nothing fixtures/demo/flowcontrol.yaml -t 1.20
mkdir -p "$tmp/odd"
cp fixtures/demo/shop.yaml "$tmp/odd/<a&b>\"q'.yaml"
cp fixtures/demo/jobs.yaml "$tmp/odd/$(printf 'ctl\001\nbad\377.yaml')"
(cd "$tmp/odd" && "$bin" scan -o junit . >"$tmp/odd.xml" 2>/dev/null; "$bin" scan -o json . >"$tmp/odd.json" 2>/dev/null)
corpus=${SUNSET_CORPUS:-$root/../shared/corpus}
if [ -d "$corpus/real" ]; then run corpus "$corpus/real"; fi

python3 - "$tmp" <<'PY' || exit 1
import glob, json, os, sys
import xml.etree.ElementTree as ET

tmp = sys.argv[1]
def check(name):
    root = ET.parse(f"{tmp}/{name}.xml").getroot()
    report = json.load(open(f"{tmp}/{name}.json", encoding="utf-8", errors="replace"))
    assert root.tag == "testsuites", root.tag
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    failures = []
    rule_ids = {i["rule"]["id"] for i in report["items"] if "rule" in i}
    for suite in root:
        assert suite.tag == "testsuite", suite.tag
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for case in suite:
            assert case.tag == "testcase" and case.get("name") and case.get("classname") == suite.get("name"), case.attrib
            counts["tests"] += 1
            kids = [k.tag for k in case]
            assert len(kids) <= 1, kids
            for k in case:
                counts[{"failure": "failures", "error": "errors", "skipped": "skipped"}[k.tag]] += 1
                assert k.get("message"), (name, k.attrib)
                if k.tag == "failure":
                    assert k.get("type") in ("removed-api", "deprecated-api", "deprecated-api-no-replacement") or \
                        k.get("type") in rule_ids, k.get("type")
                    failures.append(k.get("message"))
        for key, n in counts.items():
            assert int(suite.get(key)) == n, (name, suite.get("name"), key, suite.get(key), n)
            total[key] += n
    for key, n in total.items():
        assert int(root.get(key)) == n, (name, key, root.get(key), n)
    unknown = [i["message"] for i in report["items"] if not i.get("known")]
    assert sorted(failures) == sorted(unknown), (name, failures, unknown)
    assert total["errors"] == len(report["errors"]), name
    assert total["tests"] >= len(report["items"]) + len(report["errors"]), name
    assert not any(k in root.attrib for k in ("time", "timestamp")), "no times: output is deterministic"
    return root

for path in sorted(glob.glob(f"{tmp}/*.xml")):
    check(os.path.basename(path)[:-4])

names = [c.get("name") for c in check("hostile").iter("testcase")]
assert "Deployment ns,with:colons%25/a<b>&\"c'd]]> (extensions/v1beta1)" in names, names
assert any(n.startswith("CronJob ctl\ufffd\ufffd[31m\ttab\nnewline\rcr") for n in names), names
known = check("known")
skipped = [c.find("skipped").get("message") for c in known.iter("testcase") if c.find("skipped") is not None]
assert sum(m.startswith("known in the baseline") for m in skipped) == 4, skipped
assert sum(m.startswith("silenced") for m in skipped) == 2, skipped
suites = sorted(s.get("name") for s in check("odd"))
assert suites == ["./<a&b>\"q'.yaml", "./ctl\ufffd\nbad\ufffd.yaml"], suites
assert len(list(check("nothing").iter("testcase"))) == 1
PY
echo "ok: JUnit XML parses and matches the JSON report"
