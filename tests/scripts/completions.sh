#!/usr/bin/env bash
# completions/ (bash, zsh, fish) offer what the code takes.  Each file
# names every long option of src/cli/options.c and none it lacks, and
# parses (bash -n; zsh -n and fish -n when installed).  Then each shell
# that is installed really completes, and must offer: the commands of
# main.c; for each command exactly the options `sunset CMD --help` lists;
# the formats of formats.c for -o (those `versions` accepts for versions);
# the columns of columns.c and the cluster sources as comma lists; the
# component ids of `sunset version` for -t and --components; files for
# paths and FILE options; values after --output=.  (zsh alone does not
# offer an item a comma list already holds: such items are not compared.)  bash is driven through
# its completion function, zsh through zpty, fish with `complete -C`.
set -u
root=$1 bin=$2
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
root=$(cd "$root" && pwd) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" && ln -s "$bin" "$tmp/bin/sunset"

bash -n "$root/completions/sunset.bash" || { echo "FAIL: bash -n completions/sunset.bash"; exit 1; }
if command -v zsh >/dev/null; then
	zsh -n "$root/completions/_sunset" || { echo "FAIL: zsh -n completions/_sunset"; exit 1; }
fi
if command -v fish >/dev/null; then
	fish -n "$root/completions/sunset.fish" || { echo "FAIL: fish -n completions/sunset.fish"; exit 1; }
fi

# zsh: the matches offered for a line, through a pseudo-terminal; compadd is
# wrapped to print what completion adds, between two NUL lines
cat >"$tmp/capture.zsh" <<'EOF'
zmodload zsh/zpty || exit 77
dir=$1; shift
init=$(mktemp)
cat >$init <<INIT
PROMPT=
fpath=($dir \$fpath)
autoload -U compinit
compinit -u -d $init.dump
bindkey '^I' complete-word
null-line () { echo -E - \$'\0' }
compprefuncs=( null-line )
comppostfuncs=( null-line exit )
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
compadd () {
    if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
        builtin compadd "\$@"
        return \$?
    fi
    typeset -a __hits
    builtin compadd -A __hits "\$@"
    local -a apre hpre hsuf asuf
    zparseopts -E P:=apre p:=hpre S:=asuf s:=hsuf
    [[ -n \$__hits ]] || return
    local h
    for h in \$__hits; do
        echo -E - "\$IPREFIX\${apre[2]}\${hpre[2]}\$h\${hsuf[2]}\${asuf[2]}"
    done
}
echo ok
INIT
zpty z zsh -f -i
zpty -w z "source $init"
repeat 20; do
    zpty -r z line
    [[ $line == ok* ]] && break
done
zpty -w z "$*"$'\t'
integer tog=0
while zpty -r z line; do
    line=${line%$'\n'}
    line=${line%$'\r'}
    if [[ $line == *$'\0'* ]]; then
        (( tog++ )) && break || continue
    fi
    (( tog )) && print -r -- $line
done
zpty -d z
rm -f $init $init.dump
EOF

PATH=$tmp/bin:$PATH python3 - "$root" "$tmp" <<'PY' || exit 1
import os, re, shutil, subprocess, sys
root, tmp = sys.argv[1:3]
comp = f"{root}/completions"
src = open(f"{root}/src/cli/options.c").read()
table = re.search(r"opts\[\] = \{(.*?)\n\};", src, re.S).group(1)
names = set(re.findall(r'\{"([a-z-]+)", ', table))
assert len(names) >= 25, names
problems = []

# ---- every option, and no other, in each file ----
bash_src = open(f"{comp}/sunset.bash").read()
bash_lists = " ".join(re.findall(r"^_sunset_opts_\w+='(.*?)'", bash_src, re.S | re.M))
zsh_src = open(f"{comp}/_sunset").read()
fish_src = open(f"{comp}/sunset.fish").read()
found = {
    "sunset.bash": set(re.findall(r"--([a-z][a-z-]*)", bash_lists)),
    "_sunset": set(re.findall(r"--([a-z][a-z-]*)[=\[+}]", zsh_src)),
    "sunset.fish": set(re.findall(r"^complete .* -l ([a-z][a-z-]*)", fish_src, re.M)),
}
for f, got in found.items():
    for n in sorted(names - got):
        problems.append(f"{f} does not offer --{n}")
    for n in sorted(got - names):
        problems.append(f"{f} offers --{n}, which src/cli/options.c does not have")
if "complete -F _sunset sunset" not in bash_src:
    problems.append("sunset.bash does not register _sunset")
if not zsh_src.startswith("#compdef sunset"):
    problems.append("_sunset does not start with #compdef sunset")

# ---- what the code takes ----
def run(*args):
    return subprocess.run(["sunset", *args], capture_output=True, text=True)
commands = re.findall(r'\{"([a-z]+)", cmd_', open(f"{root}/src/cli/main.c").read())
takes = {}
for cmd in commands:
    takes[cmd] = set()
    for line in run(cmd, "--help").stdout.splitlines():
        m = re.match(r"\s+(?:(-\w), )?(--[a-z-]+)", line)
        if m:
            takes[cmd].update(x for x in m.groups() if x)
formats = re.findall(r'\{"([a-z]+)", sunset_format_', open(f"{root}/src/format/formats.c").read())
versions_formats = [f for f in formats if run("versions", "-o", f).returncode == 0]
columns = re.findall(r'\{"([a-z-]+)", "[A-Z-]+", v_', open(f"{root}/src/format/columns.c").read())
sources = re.search(r'"sources", .*"([a-z-]+(?:,[a-z-]+)+)"\}', table).group(1).split(",")
components = [line.split()[0] for line in run("version").stdout.splitlines()[2:]]
assert "k8s" in components and len(columns) >= 20 and len(formats) >= 9 and len(sources) == 4

cases = [("sunset ", set(commands))]
for cmd in commands:
    cases.append((f"sunset {cmd} --", {o for o in takes[cmd] if o.startswith("--")}))
    cases.append((f"sunset {cmd} -", takes[cmd]))
cases += [
    ("sunset scan -o ", set(formats)),
    ("sunset cluster --output ", set(formats)),
    ("sunset scan --output=j", {f for f in formats if f.startswith("j")}),
    ("sunset versions -o ", set(versions_formats)),
    ("sunset scan --columns ", set(columns)),
    ("sunset scan --columns location,ki", {"location,kind"}),
    ("sunset cluster --sources last-applied,", {f"last-applied,{s}" for s in sources}),
    ("sunset scan -t k", {f"{c}=" for c in components if c.startswith("k")}),
    ("sunset cluster --components k8s,", {f"k8s,{c}" for c in components + ["crd"]}),
    ("sunset versions --component ", set(components)),
    ("sunset scan fixtures/de", {"fixtures/demo", "fixtures/deploy"}),
    ("sunset - fixtures/de", {"fixtures/demo", "fixtures/deploy"}),
    ("sunset scan --table fixtures/ci/tables/ov", {"fixtures/ci/tables/override.yaml", "fixtures/ci/tables/override-later.yaml"}),
    ("sunset cluster --kubeconfig fixtures/dem", {"fixtures/demo"}),
]

def normal(line, got):
    """Strips what shells add that the cases do not spell: a directory's slash,
    the --output= prefix bash leaves out, fish's descriptions."""
    out = set()
    for g in got:
        g = g.split("\t")[0].rstrip("/")
        if "--output=" in line and not g.startswith("--output="):
            g = "--output=" + g
        out.add(g.removeprefix("--output=") if "--output=" in line else g)
    return out

def bash(line):
    # COMP_WORDS as bash splits them: at blanks and at "=" (COMP_WORDBREAKS)
    words = []
    for w in line.split(" "):
        parts = re.split(r"(=)", w)
        words += [p for p in parts if p != ""] or [""]
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; '
              'COMP_POINT=${#COMP_LINE}; _sunset; printf "%s\\n" "${COMPREPLY[@]}"')
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "_", f"{comp}/sunset.bash", *words],
                       cwd=root, capture_output=True, text=True)
    return [l for l in p.stdout.split("\n") if l]

def zsh(line):
    p = subprocess.run(["zsh", "-f", f"{tmp}/capture.zsh", comp, line], cwd=root, capture_output=True,
                       text=True, timeout=60)
    return [l for l in p.stdout.split("\n") if l]

def fish(line):
    p = subprocess.run(["fish", "--no-config", "-c", 'source $argv[1]; complete -C $argv[2]', f"{comp}/sunset.fish", line],
                       cwd=root, capture_output=True, text=True)
    return [l for l in p.stdout.split("\n") if l]

shells = [("bash", bash)]
for name, fn in (("zsh", zsh), ("fish", fish)):
    if shutil.which(name):
        shells.append((name, fn))
def repeats(item):
    # zsh's _values does not offer a list item again; the others may
    parts = item.split(",")
    return len(parts) != len(set(parts))
for name, fn in shells:
    for line, want in cases:
        got = {g for g in normal(line, fn(line)) if not repeats(g)}
        want = {w for w in want if not repeats(w)}
        if got != want:
            problems.append(f"{name}: {line!r}: missing {sorted(want - got)}, extra {sorted(got - want)}")
# bash: a file name with a blank stays one completion
os.makedirs(f"{tmp}/odd dir")
open(f"{tmp}/odd dir/a b.yaml", "w").close()
script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _sunset; printf "%s\\n" "${COMPREPLY[@]}"')
for words in (["sunset", "scan", f"{tmp}/odd dir/a"], ["sunset", "scan", "--baseline", f"{tmp}/odd dir/a"]):
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "_", f"{comp}/sunset.bash", *words],
                       capture_output=True, text=True)
    if p.stdout != f"{tmp}/odd dir/a b.yaml\n":
        problems.append(f"bash: {words}: {p.stdout!r}")
if problems:
    print("FAIL: completions:\n  " + "\n  ".join(problems))
    sys.exit(1)
print(f"ok: completions for {', '.join(n for n, _ in shells)}: {len(cases)} lines each")
PY
