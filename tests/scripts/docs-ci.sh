#!/usr/bin/env bash
# docs/ci.md keeps its promises: every `sunset` command line in its fenced
# blocks (shell, and the `run:` / `- ` steps of the workflow examples) runs,
# in document order, in a copy of fixtures/ci/gate with the page's own
# .sunset.yaml, and parses (no option, config or format error); a line
# ending in "# exits N" exits N; an indented block just after a shell block
# is the exact output of that block's last command.  Needs python3.
set -u
root=$1 bin=$2
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
root=$(cd "$root" && pwd) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" && ln -s "$bin" "$tmp/bin/sunset"
cp -r "$root/fixtures/ci/gate" "$tmp/repo"
python3 - "$root/docs/ci.md" "$tmp" <<'PY' || exit 1
import os, re, subprocess, sys

doc, tmp = sys.argv[1], sys.argv[2]
lines = open(doc).read().split("\n")
repo = f"{tmp}/repo"
env = {k: v for k, v in os.environ.items() if not k.startswith("SUNSET_") and k != "NO_COLOR"}
env["PATH"] = f"{tmp}/bin:" + env["PATH"]
env["NO_COLOR"] = "1"
command = re.compile(r"^(?:run:\s*|-\s+)?((?:[A-Z_]+=\S+\s+)*sunset\s.*)$")
option_error = re.compile(r"unknown option|needs a value|does not apply|unknown output format|unknown setting|invalid")

ran, i, config = 0, 0, None
while i < len(lines):
    fence = re.match(r"^```(\w*)$", lines[i])
    if not fence:
        i += 1
        continue
    lang, j = fence.group(1), i + 1
    while lines[j] != "```":
        j += 1
    block = lines[i + 1:j]
    if lang == "yaml" and block and block[0] == "# .sunset.yaml":
        config = "\n".join(block) + "\n"
        open(f"{repo}/.sunset.yaml", "w").write(config)
    last = None
    for line in block:
        m = command.match(line.strip())
        if not m:
            continue
        assert config, "the .sunset.yaml example comes before the commands"
        cmd = m.group(1)
        p = subprocess.run(["bash", "-c", cmd], cwd=repo, env=env, capture_output=True, text=True)
        ran += 1
        assert p.returncode < 128, (cmd, p.returncode, p.stderr)
        assert not option_error.search(p.stderr), (cmd, p.stderr)
        want = re.search(r"#\s*exits (\d+)", cmd)
        if want:
            assert p.returncode == int(want.group(1)), (cmd, p.returncode, p.stderr)
        last = p
    # the output shown for the block: an indented block after it, with at
    # most one line of prose ending in ':' in between
    k = j + 1
    while k < len(lines) and not lines[k].strip():
        k += 1
    if k < len(lines) and lines[k].endswith(":") and not lines[k].startswith("    "):
        k += 1
        while k < len(lines) and not lines[k].strip():
            k += 1
    if lang == "sh" and last and k < len(lines) and lines[k].startswith("    "):
        shown = []
        while k < len(lines) and lines[k].startswith("    "):
            shown.append(lines[k][4:])
            k += 1
        got = last.stdout.rstrip("\n").split("\n")
        assert got == shown, ("output shown in docs/ci.md differs", last.args, got, shown)
    i = j + 1
assert ran >= 8, f"only {ran} commands found"
print(f"ok: {ran} commands from docs/ci.md")
PY
