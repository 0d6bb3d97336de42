#!/usr/bin/env bash
# Every rule of data/*-rules.yaml: a manifest built from its kind, path and
# match triggers it at the release where it breaks (or warns), at the
# field's own line; the same manifest does not trigger it one release
# before, on a kind the rule does not name, or with a harmless value.  And
# the table itself: every row has a source, warning-only rules never break,
# nothing is deprecated after it breaks, there are at least 30 rules.
set -u
root=$1 bin=$2
command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null || exit 77
exec python3 - "$root" "$bin" <<'PY'
import glob, json, subprocess, sys, tempfile, os, yaml
root, binary = sys.argv[1], sys.argv[2]
fail = 0
def bad(msg):
    global fail
    print("FAIL", msg); fail = 1
rules = []
for f in sorted(glob.glob(os.path.join(root, "data", "*-rules.yaml"))):
    rules += yaml.safe_load(open(f))["rules"]
if len(rules) < 30:
    bad("only %d rules" % len(rules))
def ver(s):
    a, b = s.split("."); return (int(a), int(b))
for r in rules:
    if not r.get("source") or len(r["source"]) < 20:
        bad("%s: no source" % r["id"])
    if r["effect"] == "warning" and "breaksIn" in r:
        bad("%s: warning-only rule with breaksIn" % r["id"])
    if r["effect"] != "warning" and "breaksIn" not in r:
        bad("%s: breaking rule without breaksIn" % r["id"])
    if "deprecated" in r and "breaksIn" in r and ver(r["deprecated"]) > ver(r["breaksIn"]):
        bad("%s: deprecated after it breaks" % r["id"])

def build(rule, kind, harmless=False):
    path = rule["path"][0] if isinstance(rule["path"], list) else rule["path"]
    segs = path.split(".")
    if "equals" in rule: leaf = rule["equals"] + ("-not" if harmless else "")
    elif "prefix" in rule: leaf = ("x" if harmless else "") + rule["prefix"] + "x"
    elif "contains" in rule: leaf = "0 1 * * *" if harmless else "CRON_" + rule["contains"] + "UTC 0 1 * * *"
    elif "key" in rule: leaf = {("x-" if harmless else "") + rule["key"]: "v"}
    elif "keyPrefix" in rule: leaf = {("x-" if harmless else "") + rule["keyPrefix"] + "c": "v"}
    else: leaf = None if harmless else {"x": "y"}
    node = leaf
    for s in reversed(segs):
        if s.endswith("[*]"):
            node = {s[:-3]: [node]}  # one element: the rest of the path
        else:
            node = {s: node}
    obj = {"apiVersion": "v1", "kind": kind, "metadata": {"name": "n"}}
    prefix = ["spec", "template"] if "Pod" in rule["kinds"] and kind == "Deployment" else []
    if kind == "Deployment": obj["apiVersion"] = "apps/v1"
    if kind == "CronJob": obj["apiVersion"] = "batch/v1"
    if kind == "StorageClass": obj["apiVersion"] = "storage.k8s.io/v1"
    if kind == "Ingress": obj["apiVersion"] = "networking.k8s.io/v1"
    tgt = obj
    for p in prefix:
        tgt = tgt.setdefault(p, {})
    def merge(a, b):
        for k, v in b.items():
            if k in a and isinstance(a[k], dict) and isinstance(v, dict): merge(a[k], v)
            else: a[k] = v
    merge(tgt, node)
    return obj

def scan(obj, target):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        yaml.safe_dump(obj, f, sort_keys=False)
        name = f.name
    try:
        p = subprocess.run([binary, "scan", name, "-o", "json", "-t", target, "--checks", "rules"],
                           capture_output=True, text=True, timeout=20)
        if not p.stdout:
            bad("no report: " + p.stderr)
            return [], p.returncode, ""
        return json.loads(p.stdout)["items"], p.returncode, open(name).read()
    finally:
        os.unlink(name)

for r in rules:
    kind = r["kinds"][0]
    use = "Deployment" if kind == "Pod" else kind
    at = r.get("breaksIn") or r["deprecated"]
    items, rc, text = scan(build(r, use), at)
    hits = [i for i in items if i.get("rule", {}).get("id") == r["id"]]
    if not hits:
        bad("%s: no finding at %s on %s:\n%s" % (r["id"], at, use, text)); continue
    want_rc = 2 if r["effect"] == "warning" else 3
    if rc != want_rc:
        bad("%s: exit %d, want %d" % (r["id"], rc, want_rc))
    line = text.splitlines()[hits[0]["line"] - 1]
    last = (r["path"][0] if isinstance(r["path"], list) else r["path"]).split(".")[-1].replace("[*]", "")
    field = r.get("key") or r.get("keyPrefix") or last
    if field not in line and not any(v in line for v in (r.get("equals",""), r.get("prefix",""), r.get("contains","")) if v):
        bad("%s: line %d is not the field: %r" % (r["id"], hits[0]["line"], line))
    a, b = ver(r.get("deprecated") or r["breaksIn"])
    before = "%d.%d" % (a, b - 1)
    items, rc, _ = scan(build(r, use), before)
    if any(i.get("rule", {}).get("id") == r["id"] for i in items):
        bad("%s: finding at %s, before it is deprecated or breaks" % (r["id"], before))
    items, rc, _ = scan(build(r, "ConfigMap"), at)
    if any(i.get("rule", {}).get("id") == r["id"] for i in items):
        bad("%s: finding on a ConfigMap" % r["id"])
    items, rc, _ = scan(build(r, use, harmless=True), at)
    if any(i.get("rule", {}).get("id") == r["id"] for i in items):
        bad("%s: finding on a harmless value" % r["id"])
print("%d rules checked" % len(rules))
sys.exit(fail)
PY
