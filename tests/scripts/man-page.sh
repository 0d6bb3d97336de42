#!/usr/bin/env bash
# docs/sunset.1 says what the code does: every option of the table in
# src/cli/options.c is in OPTIONS (with its short letter), under the
# subsection of the commands that take it (as `sunset CMD --help` lists
# them), and OPTIONS names no option the table lacks; every command of
# main.c, format of formats.c and column of columns.c is listed; .TH carries
# the project's version.  Then it renders without a warning: groff -ww (and
# its style checks), mandoc -T lint, and `man -l`, each when installed
# (skips, 77, when none is).
set -u
root=$1 bin=$2
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for c in scan cluster audit versions version; do
	"$bin" "$c" --help >"$tmp/$c.help" || { echo "FAIL: sunset $c --help"; exit 1; }
done
man=$root/docs/sunset.1

python3 - "$root" "$tmp" <<'PY' || exit 1
import re, sys
root, tmp = sys.argv[1:3]
src = open(f"{root}/src/cli/options.c").read()
table = re.search(r"opts\[\] = \{(.*?)\n\};", src, re.S).group(1)
opts = re.findall(r'\{"([a-z-]+)", (0|\'.\'),', table)
assert len(opts) >= 25, opts
shorts = {name: s.strip("'") for name, s in opts if s != "0"}
names = [name for name, _ in opts]

man = open(f"{root}/docs/sunset.1").read()
sections = dict(re.findall(r"^\.SH (.*?)\n(.*?)(?=^\.SH |\Z)", man, re.S | re.M))
def esc(word):
    return word.replace("-", r"\-")
def long_re(name):
    return re.compile(r"\\-\\-" + re.escape(esc(name)) + r"(?![a-z]|\\-[a-z])")

options = sections["OPTIONS"]
# the option each .TP entry of OPTIONS describes, by subsection
entries = {}
for sub, body in re.findall(r'^\.SS "(.*?)"\n(.*?)(?=^\.SS |\Z)', options, re.S | re.M):
    entries[sub] = re.findall(r"^\.TP\n(.*)$", body, re.M)
problems = []
for name in names:
    if not any(long_re(name).search(line) for lines in entries.values() for line in lines):
        problems.append(f"--{name} is not described in OPTIONS")
    if name in shorts:
        pair = re.compile(r"\\-" + shorts[name] + r' *" *, *" *' + long_re(name).pattern)
        if not any(pair.search(line) for lines in entries.values() for line in lines):
            problems.append(f"-{shorts[name]}, --{name} are not given together")
for m in re.finditer(r"\\-\\-((?:[a-z]|\\-)+)", options):
    name = m.group(1).replace(r"\-", "-").rstrip("-")
    if name and name not in names:
        problems.append(f"OPTIONS names --{name}, which src/cli/options.c does not have")

# each option under the subsections of the commands that take it
takes = {}
for cmd in ("scan", "cluster", "audit", "versions", "version"):
    for line in open(f"{tmp}/{cmd}.help"):
        m = re.match(r"\s+(?:-\w, )?--([a-z-]+)", line)
        if m:
            takes.setdefault(m.group(1), set()).add(cmd)
assert set(takes) == set(names), ("--help and options.c disagree", set(takes) ^ set(names))
def expected(cmds):
    if cmds == {"scan", "cluster", "audit", "versions", "version"}:
        return {"Options of every command"}
    # audit takes scan's report options (named in its subsection's prose);
    # only its own options are entries there
    if cmds == {"audit"}:
        return {"Options of audit"}
    cmds = cmds - {"audit"}
    want = set()
    if {"scan", "cluster"} <= cmds:
        want.add("Options of scan and cluster")
    elif "scan" in cmds:
        want.add("Options of scan only")
    elif "cluster" in cmds:
        want.add("Options of cluster only")
    if "versions" in cmds:
        want.add("Options of versions")
    return want
for name, cmds in takes.items():
    got = {sub for sub, lines in entries.items() if any(long_re(name).search(l) for l in lines)}
    if got != expected(cmds):
        problems.append(f"--{name} ({', '.join(sorted(cmds))}) is under {sorted(got)}, want {sorted(expected(cmds))}")
for sub in entries:
    if sub not in {"Options of every command", "Options of scan and cluster", "Options of scan only",
                   "Options of cluster only", "Options of audit", "Options of versions"}:
        problems.append(f"unexpected subsection {sub}")

# commands, formats, columns
main = open(f"{root}/src/cli/main.c").read()
for cmd in re.findall(r'\{"([a-z]+)", cmd_', main):
    if not re.search(r"^\.BR? " + cmd + r"\b", sections["COMMANDS"], re.M):
        problems.append(f"command {cmd} is not in COMMANDS")
    if not re.search(r"^\.B sunset " + cmd + r"$", sections["SYNOPSIS"], re.M):
        problems.append(f"command {cmd} is not in SYNOPSIS")
formats = re.findall(r'\{"([a-z]+)", sunset_format_', open(f"{root}/src/format/formats.c").read())
assert len(formats) >= 9, formats
listed = re.findall(r"^\.TP\n\.B (\S+)$", sections["OUTPUT FORMATS"], re.M)
if listed != formats:
    problems.append(f"OUTPUT FORMATS lists {listed}, formats.c has {formats}")
columns = re.findall(r'\{"([a-z-]+)", "[A-Z-]+", v_', open(f"{root}/src/format/columns.c").read())
assert len(columns) >= 20, columns
listed = [c.replace(r"\-", "-").replace(r"\%", "") for c in re.findall(r"^\.BR (\S+) [,.]$", sections["COLUMNS"], re.M)]
if listed != columns:
    problems.append(f"COLUMNS lists {listed}, columns.c has {columns}")

version = re.search(r"project\(sunset VERSION ([0-9.]+)", open(f"{root}/CMakeLists.txt").read()).group(1)
if not re.search(r'^\.TH SUNSET 1 \S+ "sunset ' + re.escape(version) + '"', man, re.M):
    problems.append(f".TH does not say sunset {version}")
if problems:
    print("FAIL: docs/sunset.1:\n  " + "\n  ".join(problems))
    sys.exit(1)
print(f"ok: docs/sunset.1 names {len(names)} options, {len(formats)} formats, {len(columns)} columns")
PY

rendered=0
if command -v groff >/dev/null; then
	rendered=1
	# CHECKSTYLE: groff's man macros also report style problems
	out=$(groff -man -Tutf8 -ww -rCHECKSTYLE=3 -z "$man" 2>&1)
	[ -z "$out" ] || { echo "FAIL: groff warns:"; echo "$out"; exit 1; }
fi
if command -v mandoc >/dev/null; then
	rendered=1
	out=$(mandoc -T lint -W warning "$man" 2>&1)
	[ -z "$out" ] || { echo "FAIL: mandoc -T lint:"; echo "$out"; exit 1; }
fi
if command -v man >/dev/null && { command -v groff >/dev/null || command -v mandoc >/dev/null; }; then
	rendered=1
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man" >"$tmp/man.txt" 2>"$tmp/man.err"
	[ -s "$tmp/man.err" ] && { echo "FAIL: man -l warns:"; cat "$tmp/man.err"; exit 1; }
	grep -q '^SUNSET(1) ' "$tmp/man.txt" && grep -q '^EXIT STATUS' "$tmp/man.txt" ||
		{ echo "FAIL: man -l rendered:"; head -20 "$tmp/man.txt"; exit 1; }
fi
[ "$rendered" = 1 ] || { echo "SKIP: the man page is in sync, but neither groff nor mandoc is installed to render it"; exit 77; }
echo "ok: docs/sunset.1 renders"
