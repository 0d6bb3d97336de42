#!/usr/bin/env bash
# action.yml works as GitHub would run it.  sunset itself reads it without
# an error; then (with PyYAML) every input, step output and context a step
# or an example in docs/github-action.md and docs/ci.md uses is declared,
# the apt-get step installs the README's first Quick start packages, and
# the action's shell steps run here, in order, in a scratch workspace
# holding fixtures/demo: ${{ }} expressions substituted as GitHub does,
# GITHUB_OUTPUT / GITHUB_PATH / GITHUB_STEP_SUMMARY files, `bash -eo
# pipefail`.  The apt-get step and the upload step (a `uses:`) are not run;
# the upload's `if:` and `with:` are evaluated and checked.  The first run
# really builds sunset (about 20 s); the others reuse that build.
# Scenarios: findings (exit 3, SARIF identical to the test binary's),
# nothing at an old target with --only-removed (exit 0, still uploaded),
# upload: false, a bad target (exit 1, no report even where an earlier one
# lay, no upload), and inputs that try globbing and shell injection (taken
# literally).
set -u
root=$1 bin=$2
root=$(cd "$root" && pwd) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# sunset's own reader takes the action (and the other integration files) as
# YAML without objects: no error, nothing found
out=$("$bin" scan -q "$root/action.yml" 2>&1 >/dev/null); rc=$?
[ "$rc" = 0 ] && [ -z "$out" ] || { echo "FAIL: sunset scan action.yml: exit $rc: $out"; exit 1; }

command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3 yaml (PyYAML, Debian: python3-yaml) is not installed"; exit 77; }
command -v cmake >/dev/null || { echo "SKIP: no cmake"; exit 77; }

python3 - "$root" "$bin" "$tmp" <<'PY' || exit 1
import json, os, re, shlex, shutil, subprocess, sys
import yaml

root, sunset, tmp = sys.argv[1:4]
action = yaml.safe_load(open(f"{root}/action.yml"))
inputs = action["inputs"]
steps = action["runs"]["steps"]
assert action["runs"]["using"] == "composite"
for name in ("paths", "targets", "args", "sarif-file"):
    assert name in inputs, f"input {name} is missing"
for name, spec in inputs.items():
    assert spec.get("description"), f"input {name} has no description"
    assert "default" in spec, f"input {name} has no default"

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.S)
TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(==|!=|&&|\|\||!|\(|\))|([A-Za-z_][A-Za-z0-9_.-]*))")

def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)

def refs(expr):
    return [m.group(3) for m in TOKEN.finditer(expr) if m.group(3) and "." in m.group(3)]

# every ${{ }} and if: names something that exists
step_ids = [s.get("id") for s in steps]
written = {}  # step id -> outputs its script writes
for s in steps:
    if s.get("id") and "run" in s:
        written[s["id"]] = set(re.findall(r'echo "([a-z-]+)=', s["run"]))
used_inputs = set()
for i, s in enumerate(steps):
    exprs = [m.group(1) for v in strings(s) for m in EXPR.finditer(v)]
    if "if" in s:
        exprs.append(s["if"])
    if "run" in s:
        assert s.get("shell") == "bash", f"step {s['name']}: a composite run step needs shell: bash"
        assert "${{" not in s["run"], f"step {s['name']}: an expression inside a script can inject shell code; pass it through env"
    else:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", s["uses"]), s["uses"]
    for e in exprs:
        for r in refs(e):
            parts = r.split(".")
            if parts[0] == "inputs":
                assert parts[1] in inputs, f"step {s['name']}: input {parts[1]} is not declared"
                used_inputs.add(parts[1])
            elif parts[0] == "steps":
                assert parts[1] in step_ids[:i], f"step {s['name']}: no earlier step {parts[1]}"
                assert parts[3] in written[parts[1]], f"step {s['name']}: step {parts[1]} never writes {parts[3]}"
            else:
                assert r in ("github.action_path", "runner.temp", "runner.os"), f"unexpected context {r}"
for name, out in action["outputs"].items():
    for r in refs(EXPR.search(out["value"]).group(1)):
        _, sid, _, key = r.split(".")
        assert key in written[sid], f"output {name}: step {sid} never writes {key}"
# "upload" and "category" only reach the uses: step; all inputs are used somewhere
assert used_inputs == set(inputs), ("declared but unused inputs", set(inputs) - used_inputs)

# the apt-get step installs exactly what the README's first Quick start command does
readme = open(f"{root}/README.md").read()
quick = re.search(r"## Quick start.*?```sh\n(.*?)\n```", readme, re.S).group(1)
def packages(cmd):
    m = re.search(r"apt-get install -y ([^&\n]*)", cmd)
    return m.group(1).split()
apt = [s for s in steps if "apt-get" in s.get("run", "")]
assert len(apt) == 1
assert packages(apt[0]["run"]) == packages(quick), (packages(apt[0]["run"]), packages(quick))

# the examples in docs/github-action.md and docs/ci.md use the action with declared inputs only
doc = open(f"{root}/docs/github-action.md").read()
ci = open(f"{root}/docs/ci.md").read()
examples = [b for d in (doc, ci) for b in re.findall(r"```yaml\n(.*?)```", d, re.S) if "/sunset@" in b]
uses = 0
for block in examples:
    parsed = yaml.safe_load(block)
    if isinstance(parsed, list):
        parsed = {"jobs": {"x": {"steps": parsed}}}
    for job in parsed["jobs"].values():
        for s in job["steps"]:
            if re.match(r"[\w-]+/sunset@", s.get("uses", "")):
                uses += 1
                for k in s.get("with", {}):
                    assert k in inputs, f"docs/github-action.md uses undeclared input {k}"
    if "permissions" in parsed:
        assert parsed["permissions"].get("security-events") == "write"
assert uses >= 5, uses
documented = set(re.findall(r"^\| `([a-z-]+)` \|", doc, re.M))
assert documented == set(inputs), ("docs/github-action.md's input table", documented ^ set(inputs))

# ---- run the steps ----
def evaluate(expr, ctx):
    """GitHub's expression language, as much as action.yml uses."""
    out, pos = [], 0
    expr = expr.strip()
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        assert m and m.end() > pos, f"cannot evaluate {expr!r}"
        pos = m.end()
        s, op, ident = m.groups()
        if s is not None:
            out.append(repr(s[1:-1].replace("''", "'")))
        elif op:
            out.append({"&&": " and ", "||": " or ", "!": " not "}.get(op, op))
        elif ident in ("true", "false"):
            out.append(ident.capitalize())
        else:
            assert ident in ctx, f"unknown context {ident} in {expr!r}"
            out.append(repr(ctx[ident]))
    return eval("".join(out), {"__builtins__": {}})

def substitute(text, ctx):
    def one(m):
        v = evaluate(m.group(1), ctx)
        return ("true" if v else "false") if isinstance(v, bool) else str(v)
    return EXPR.sub(one, text)

def read_outputs(path):
    outs, lines = {}, open(path).read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delim = line.split("<<", 1)
            j = lines.index(delim, i + 1)
            outs[key] = "\n".join(lines[i + 1:j])
            i = j + 1
            continue
        if "=" in line:
            key, value = line.split("=", 1)
            outs[key] = value
        i += 1
    return outs

build = f"{tmp}/runner/sunset-build"

def run_action(name, values, stale=None, build_step=False):
    ws = f"{tmp}/ws-{name}"
    shutil.copytree(f"{root}/fixtures/demo", f"{ws}/fixtures/demo")
    if stale:
        open(f"{ws}/{stale}", "w").write('{"version": "2.1.0", "runs": []}')
    os.makedirs(f"{tmp}/runner", exist_ok=True)
    ctx = {"github.action_path": root, "github.workspace": ws, "runner.temp": f"{tmp}/runner", "runner.os": "Linux"}
    for k, spec in inputs.items():
        ctx[f"inputs.{k}"] = values.get(k, spec["default"])
    summary, path_file = f"{tmp}/{name}.summary", f"{tmp}/{name}.path"
    for f in (summary, path_file):
        open(f, "w").close()
    result = {"ws": ws, "summary": summary, "path": path_file}
    for s in steps:
        if "uses" in s:
            result["upload"] = {"if": evaluate(s.get("if", "true"), ctx),
                                "with": {k: substitute(str(v), ctx) for k, v in s["with"].items()}}
            continue
        if "apt-get" in s["run"]:
            continue
        # the first run builds; the others reuse its binary (the tree may change meanwhile)
        if "cmake --build" in s["run"] and not build_step:
            continue
        if "if" in s and not evaluate(s["if"], ctx):
            continue
        output = f"{tmp}/{name}.{len(result)}.output"
        open(output, "w").close()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SUNSET_") and not k.startswith("GITHUB_")}
        env.update({"GITHUB_OUTPUT": output, "GITHUB_PATH": path_file, "GITHUB_STEP_SUMMARY": summary,
                    "GITHUB_WORKSPACE": ws, "GITHUB_ACTION_PATH": root, "RUNNER_TEMP": f"{tmp}/runner",
                    "NO_COLOR": "1"})
        for k, v in s.get("env", {}).items():
            env[k] = substitute(str(v), ctx)
        script = f"{tmp}/{name}.step.sh"
        open(script, "w").write(s["run"])
        p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=ws, env=env,
                           capture_output=True, text=True)
        result[s["name"]] = p
        if s.get("id"):
            for k, v in read_outputs(output).items():
                ctx[f"steps.{s['id']}.outputs.{k}"] = v
        if p.returncode != 0:
            break
    result["ctx"] = ctx
    return result

def output(r, key):
    return r["ctx"].get(f"steps.scan.outputs.{key}")

# 1. findings: exit 3, the SARIF the test binary writes for the same command, uploaded
r = run_action("demo", {"paths": "fixtures/demo", "targets": "k8s=1.33", "args": "--jobs 2",
                        "sarif-file": "reports/sunset.sarif"}, build_step=True)
b = r["Build sunset"]
assert b.returncode == 0, ("the build step failed", b.stdout[-3000:], b.stderr[-3000:])
assert open(r["path"]).read() == build + "\n", open(r["path"]).read()
assert "sunset" in b.stdout, b.stdout[-500:]
scan = r["Scan"]
assert scan.returncode == 0, (scan.stdout, scan.stderr)
assert output(r, "exit-code") == "3", r["ctx"]
assert output(r, "sarif-file") == "reports/sunset.sarif"
got = open(f"{r['ws']}/reports/sunset.sarif").read()
want = subprocess.run([sunset, "scan", "-t", "k8s=1.33", "--jobs", "2", "-o", "sarif", "--", "fixtures/demo"],
                      cwd=r["ws"], capture_output=True, text=True).stdout
assert got == want, "the action's SARIF differs from sunset scan -o sarif"
sarif = json.loads(got)
results = sarif["runs"][0]["results"]
assert len(results) == 6 and all(x["level"] == "error" for x in results), results
assert {x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in results} == {
    "fixtures/demo/flowcontrol.yaml", "fixtures/demo/jobs.yaml", "fixtures/demo/security.json", "fixtures/demo/shop.yaml"}
assert r["upload"] == {"if": True, "with": {"sarif_file": "reports/sunset.sarif", "category": "sunset"}}, r["upload"]
assert os.path.isfile(os.path.join(r["ws"], r["upload"]["with"]["sarif_file"]))
summary = open(r["summary"]).read()
assert summary.startswith("### sunset\n\n| LOCATION |"), summary
assert summary.count("\n| fixtures/demo/") == 6, summary
assert "| fixtures/demo/shop.yaml:2:13 | Deployment | shop/web | extensions/v1beta1 | apps/v1 | removed in v1.16.0 |" in scan.stdout
# sunset's summary line (it writes the report to a file) says in the log what was found
assert re.search(r"^sunset: 4 files, .*: 6 removed, ", scan.stderr, re.M), scan.stderr
gate = r["Gate on sunset's exit code"]
assert gate.returncode == 3 and "::error title=sunset::removed APIs found" in gate.stdout, (gate.returncode, gate.stdout)

# 2. several paths on lines, an old target and two options: nothing, exit 0, uploaded (it closes fixed alerts)
r = run_action("clean", {"paths": "fixtures/demo/shop.yaml\nfixtures/demo/jobs.yaml\n", "targets": "1.15",
                         "args": "--only-removed  --no-color", "upload": "true", "category": "old"})
assert output(r, "exit-code") == "0", (r["ctx"], {k: (v.returncode, v.stderr[-2000:]) for k, v in r.items() if hasattr(v, "returncode")})
sarif = json.load(open(f"{r['ws']}/sunset.sarif"))
assert sarif["runs"][0]["results"] == []
assert r["upload"] == {"if": True, "with": {"sarif_file": "sunset.sarif", "category": "old"}}, r["upload"]
assert r["Gate on sunset's exit code"].returncode == 0
assert open(r["summary"]).read() == "### sunset\n\nNo deprecated or removed APIs found.\n", open(r["summary"]).read()
# with upload: false the report is written, not uploaded
r = run_action("noupload", {"paths": "fixtures/demo", "upload": "false"})
assert output(r, "exit-code") == "3" and os.path.getsize(f"{r['ws']}/sunset.sarif") > 0
assert r["upload"]["if"] is False

# 3. a bad target: fatal, no report (not even an earlier run's), no upload, the gate fails with 1
r = run_action("bad", {"paths": "fixtures/demo", "targets": "k8s=banana"}, stale="sunset.sarif")
assert output(r, "exit-code") == "1" and output(r, "sarif-file") == "", r["ctx"]
assert 'invalid target version "banana"' in r["Scan"].stderr, r["Scan"].stderr
assert not os.path.exists(f"{r['ws']}/sunset.sarif")
assert r["upload"]["if"] is False
assert r["Gate on sunset's exit code"].returncode == 1

# 4. inputs are data: no glob expansion, no command substitution, no option injection
r = run_action("literal", {"paths": "fixtures/demo/*.yaml $(touch${IFS}pwned) -q", "args": "--jobs 1"})
assert not os.path.exists(f"{r['ws']}/pwned"), "an input ran a command"
assert output(r, "exit-code") == "1", r["ctx"]
err = r["Scan"].stderr
for p in ("fixtures/demo/*.yaml", "$(touch${IFS}pwned)", "-q"):
    assert f"sunset: {p}:" in err, (p, err)
sarif = json.load(open(f"{r['ws']}/sunset.sarif"))
assert sarif["runs"][0]["results"] == [] and sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"], sarif
print("ok: action.yml (build, 5 runs), docs/github-action.md and docs/ci.md")
PY
