#!/usr/bin/env bash
# `-o github` lines read back as the Actions runner reads workflow commands
# (::name key=value,...::message; properties unescape %0D %0A %3A %2C, the
# message %0D %0A, and %25 last) give the same file, line, column and
# message as the JSON report, for names and file names holding , : % CR LF
# and control characters; one line per finding and per input error; removed
# APIs are errors, deprecated ones warnings, baseline-known ones notices.
# Needs python3; skips (77) without it.
set -u
root=$1 bin=$2
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
root=$(cd "$root" && pwd) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1

run() { # run NAME ARGS...: the github and JSON output of the same scan
	"$bin" scan -o github "${@:2}" >"$tmp/$1.gh" 2>/dev/null
	local code=$?
	[ "$code" -lt 128 ] || { echo "$1: crashed ($code)"; exit 1; }
	"$bin" scan -o json "${@:2}" >"$tmp/$1.json" 2>/dev/null
}
run demo fixtures/demo -t 1.22
run errors fixtures/scan/broken-middle.yaml fixtures/scan/broken.json
run hostile fixtures/ci/hostile.yaml
run known fixtures/demo fixtures/ci/widgets.yaml -t 1.22 --baseline fixtures/ci/baseline-demo.json
mkdir -p "$tmp/odd"
cp fixtures/demo/shop.yaml "$tmp/odd/a,b:c%25d.yaml"
cp fixtures/demo/jobs.yaml "$tmp/odd/$(printf 'cr\rlf\nx.yaml')"
(cd "$tmp/odd" && "$bin" scan -o github . >"$tmp/odd.gh" 2>/dev/null; "$bin" scan -o json . >"$tmp/odd.json" 2>/dev/null)

python3 - "$tmp" <<'PY' || exit 1
import glob, json, os, sys

def unescape(s, prop):
    s = s.replace("%0D", "\r").replace("%0A", "\n")
    if prop:
        s = s.replace("%3A", ":").replace("%2C", ",")
    return s.replace("%25", "%")

def parse(line):
    """The runner's parse: '::', the command info up to the next '::', the message."""
    assert line.startswith("::"), line
    end = line.index("::", 2)
    info, message = line[2:end], line[end + 2:]
    command, _, props = info.partition(" ")
    out = {}
    for p in props.split(","):
        k, _, v = p.partition("=")
        out[k] = unescape(v, True)
    return command, out, unescape(message, False)

def plain(p):
    while p.startswith("./"):
        p = p[2:]
    return p

tmp = sys.argv[1]
for path in sorted(glob.glob(f"{tmp}/*.gh")):
    name = os.path.basename(path)[:-3]
    report = json.load(open(f"{tmp}/{name}.json"))
    raw = open(path, "rb").read().decode("utf-8")
    lines = raw.split("\n")
    assert lines[-1] == "", "ends with a newline"
    lines = lines[:-1]
    assert len(lines) == len(report["items"]) + len(report["errors"]), (name, len(lines))
    for line, item in zip(lines, report["items"]):
        assert "\r" not in line, (name, line)
        command, props, message = parse(line)
        want = "notice" if item.get("known") else "error" if item["removed"] else "warning"
        assert command == want, (name, command, want)
        assert props["file"] == plain(item["filePath"]), (name, props, item["filePath"])
        assert (int(props["line"]), int(props["col"])) == (item["line"], item["column"]), (name, props)
        assert props["title"].endswith("API" if not item.get("known") else "(in the baseline)"), props
        assert message.endswith(": " + item["message"]), (name, message)
        printable = item["name"].translate({c: ("\\t" if c == 9 else "\\x%02x" % c) for c in list(range(32)) + [127] if c not in (10, 13)})
        assert printable in message, (name, printable, message)
    for line, err in zip(lines[len(report["items"]):], report["errors"]):
        command, props, message = parse(line)
        assert command == "error" and props["file"] == plain(err["filePath"]), (name, props)
        assert message == err["message"] and props["title"] == "unreadable input", (name, message)
print("ok")
PY
echo "ok: workflow commands read back as written"
