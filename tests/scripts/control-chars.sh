#!/bin/bash
# Names and paths are shown, never obeyed: a name holding ESC [2J ESC [H
# (clear the screen, then forge "No deprecated or removed APIs found.")
# reaches no terminal as control characters, whether it comes through a
# file's name, an object in a file, or a Helm release Secret in a cluster,
# in any human format or message.  A password in the kubeconfig's server URL
# is masked in messages, as kubectl does.
. "$(dirname "$0")/../cluster/lib.sh"

raw_controls() { # FILE: prints the lines holding C0 (but tab/LF), DEL or C1
	python3 - "$1" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
for line in data.split("\n"):
    if re.search("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]", line.replace("\r\n", "\n").rstrip("\r")):
        print(repr(line))
PY
}
no_controls() { # DESCRIPTION FILE
	local bad
	bad=$(raw_controls "$2")
	if [ -z "$bad" ]; then pass "$1"; else fail "$1: $bad"; fi
}

# through a file: its name and an object in it, a broken document for a message
mkdir -p "$TMP/repo"
evil=$(printf 'x\033[2J\033[H\aNo deprecated or removed APIs found.\r\n\302\2331m\177')
cp "$ROOT/fixtures/ci/terminal-forgery.yaml" "$TMP/repo/$evil.yaml"
printf 'apiVersion: v1\nkind: [\n' >"$TMP/repo/broken-$evil.yaml"
for f in text wide csv markdown github; do
	(cd "$TMP/repo" && "$SUNSET" scan . -t 1.22 -o $f >"$TMP/file.$f.out" 2>"$TMP/file.$f.err")
	no_controls "file: -o $f stdout" "$TMP/file.$f.out"
	no_controls "file: -o $f stderr" "$TMP/file.$f.err"
done
check_eq "file: the broken file's message shows the name escaped" \
	"$(grep -c 'broken-x\\x1b\[2J\\x1b\[H\\x07No deprecated or removed APIs found.\\r\\n\\u009b1m\\x7f.yaml:3:1: error' "$TMP/file.text.err")" 1

# through the cluster: a Secret labelled owner=helm whose release holds the name
python3 - "$ROOT" "$TMP/state.json" <<'PY'
import importlib.util, json, sys
root, out = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("ms", root + "/fixtures/cluster/make-state.py")
ms = importlib.util.module_from_spec(spec); spec.loader.exec_module(ms)
st = json.load(open(root + "/fixtures/cluster/state.json"))
manifest = ("---\n# Source: evil/templates/x.yaml\napiVersion: extensions/v1beta1\nkind: Ingress\n"
            "metadata:\n  name: \"x\\e[2J\\e[H\\aNo deprecated or removed APIs found.\\r\\n\"\n")
inner = ms.helm_release("evil\x1b[2J", "shop", 1, "deployed", manifest, "1.0.0", "1.0")
import base64
st["objects"]["v1/secrets"].append({"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
    "metadata": {"name": "sh.helm.release.v1.evil.v1", "namespace": "shop", "uid": "evil-uid",
                 "resourceVersion": "999", "creationTimestamp": "2024-03-01T10:00:00Z",
                 "labels": {"name": "evil\x1b[2J", "owner": "helm", "status": "deployed", "version": "1"}},
    "data": {"release": base64.b64encode(inner.encode()).decode()}})
json.dump(st, open(out, "w"))
PY
start_server "$TMP/state.json"
KC=$TMP/kc.yaml
kubeconfig "$KC" "    token: tok-admin"
for f in text wide csv markdown github; do
	"$SUNSET" cluster --kubeconfig "$KC" -t 1.22 --sources helm-release -o $f >"$TMP/cl.$f.out" 2>"$TMP/cl.$f.err"
	no_controls "cluster: -o $f stdout" "$TMP/cl.$f.out"
	no_controls "cluster: -o $f stderr" "$TMP/cl.$f.err"
done
check_eq "cluster: the forged name is in the table, escaped" \
	"$(grep -c 'x\\x1b\[2J\\x1b\[H\\x07No deprecated or removed APIs found.\\r\\n' "$TMP/cl.text.out")" 1

# a password in the server URL: masked in every message, as kubectl does
stop_server
kubeconfig "$TMP/pw.yaml" "    token: tok-admin" "    certificate-authority: $CA"
sed -i "s#server: https://#server: https://admin:s3cr3t-pw@#" "$TMP/pw.yaml"
"$SUNSET" cluster --kubeconfig "$TMP/pw.yaml" -t 1.22 >/dev/null 2>"$TMP/pw.err"
check_eq "password: not printed" "$(grep -c s3cr3t-pw "$TMP/pw.err")" 0
check_eq "password: masked as kubectl does" "$(grep -c 'https://admin:xxxxx@127.0.0.1' "$TMP/pw.err")" 1
finish
