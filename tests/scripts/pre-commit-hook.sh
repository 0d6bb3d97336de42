#!/usr/bin/env bash
# .pre-commit-hooks.yaml works as pre-commit runs it: its `files` regex
# (searched, as pre-commit does) picks the YAML and JSON files of a commit,
# and `entry` + the hook's args + those file names, run from the repository
# root with sunset on PATH, exits as a gate should: 3 on the demo's removed
# APIs, 0 on a clean file (and on YAML that holds no objects, like a
# chart's values.yaml), 1 on a broken file; chart templates named one by one
# are read as templates.  Also: the GitLab CI example in docs/ci.md keeps
# the JUnit report it writes (docs-ci.sh runs its command), and its
# .pre-commit-config.yaml examples use this hook as it is.  Needs python3
# with PyYAML (Debian: python3-yaml).
set -u
root=$1 bin=$2
root=$(cd "$root" && pwd) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

out=$("$bin" scan -q "$root/.pre-commit-hooks.yaml" 2>&1 >/dev/null); rc=$?
[ "$rc" = 0 ] && [ -z "$out" ] || { echo "FAIL: sunset scan .pre-commit-hooks.yaml: exit $rc: $out"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3 yaml (PyYAML, Debian: python3-yaml) is not installed"; exit 77; }
mkdir -p "$tmp/bin" && ln -s "$bin" "$tmp/bin/sunset"

python3 - "$root" "$tmp" <<'PY' || exit 1
import os, re, shlex, subprocess, sys
import yaml

root, tmp = sys.argv[1:3]
hooks = yaml.safe_load(open(f"{root}/.pre-commit-hooks.yaml"))
assert isinstance(hooks, list) and len(hooks) == 1, hooks
hook = hooks[0]
assert hook["id"] == "sunset" and hook["language"] == "system", hook
assert hook["entry"] == "sunset scan", hook["entry"]
assert hook.get("pass_filenames", True) and hook.get("types", ["file"]) == ["file"], hook
files = re.compile(hook["files"])
exclude = re.compile(hook.get("exclude", "^$"))
def selected(names):
    return [n for n in names if files.search(n) and not exclude.search(n)]
assert selected(["a.yaml", "b/c.yml", "d.json", "e.YAML.md", "f.yaml.tpl", "g.jsonl", "README.md", "h.txt"]) == \
    ["a.yaml", "b/c.yml", "d.json"]

env = {k: v for k, v in os.environ.items() if not k.startswith("SUNSET_") and k != "NO_COLOR"}
env["PATH"] = f"{tmp}/bin:" + env["PATH"]
env["NO_COLOR"] = "1"

def run(names, args=()):
    """What pre-commit runs for a commit touching `names` (paths from the repository root)."""
    cmd = shlex.split(hook["entry"]) + list(hook.get("args", [])) + list(args) + selected(names)
    return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)

demo = sorted("fixtures/demo/" + n for n in os.listdir(f"{root}/fixtures/demo"))
p = run(demo + ["README.md", "docs/ci.md"])
assert p.returncode == 3, (p.returncode, p.stdout, p.stderr)
for n in demo:
    assert f"\n{n}:" in p.stdout, (n, p.stdout)
assert "README.md" not in p.stdout + p.stderr

# args from the user's .pre-commit-config.yaml come before the file names
p = run(["fixtures/demo/flowcontrol.yaml"], ["-t", "1.20"])
assert p.returncode == 0 and ": error:" not in p.stderr, (p.returncode, p.stdout, p.stderr)
p = run(["fixtures/demo/jobs.yaml"], ["-t", "1.23", "--ignore-deprecations"])
assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
p = run(["fixtures/demo/jobs.yaml"], ["-t", "1.23"])
assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)

# YAML without objects (a chart's metadata and values, this repository's own
# integration files) passes; chart templates named one by one are templates
chart = "fixtures/charts/shop"
p = run([f"{chart}/Chart.yaml", f"{chart}/values.yaml", ".pre-commit-hooks.yaml", "action.yml",
         "plugins/helm/plugin.yaml"])
assert p.returncode == 0 and ": error:" not in p.stderr, (p.returncode, p.stdout, p.stderr)
templates = sorted(f"{chart}/templates/{n}" for n in os.listdir(f"{root}/{chart}/templates"))
p = run(templates)
assert p.returncode == 3 and ": error:" not in p.stderr, (p.returncode, p.stdout, p.stderr)
assert f"{chart}/templates/psp.yaml:" in p.stdout and "_helpers.tpl" not in p.stdout, p.stdout

# a broken file fails the hook with its position
p = run(["fixtures/scan/broken.json"])
assert p.returncode == 1 and "fixtures/scan/broken.json:" in p.stderr, (p.returncode, p.stderr)

# the GitLab CI example keeps, as its JUnit report, the file its script writes
doc = open(f"{root}/docs/ci.md").read()
gitlab = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(# \.gitlab-ci\.yml\n.*?)```", doc, re.S)]
assert gitlab, "docs/ci.md has no .gitlab-ci.yml example"
for ci in gitlab:
    for name, job in ci.items():
        reports = job.get("artifacts", {}).get("reports", {})
        if "junit" not in reports:
            continue
        assert job["artifacts"].get("when") == "always", "the report must be kept when the gate fails"
        written = [m for line in job["script"] for m in re.findall(r"-o junit.*>\s*(\S+)", line)]
        assert written == [reports["junit"]], (written, reports)
        break
    else:
        raise AssertionError("no GitLab job keeps a JUnit report")
# the .pre-commit-config.yaml examples in docs/ci.md use this hook as it is
configs = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", doc, re.S)]
assert len(configs) == 2, configs
for config in configs:
    for repo in config["repos"]:
        for h in repo["hooks"]:
            assert h["id"] == hook["id"], h
            if repo["repo"] == "local":
                for k in ("entry", "language", "files"):
                    assert h[k] == hook[k], (k, h[k], hook[k])
            p = run(demo, h.get("args", []))
            assert p.returncode == 3, (h, p.returncode, p.stderr)
print("ok: .pre-commit-hooks.yaml, the GitLab CI and pre-commit examples")
PY
