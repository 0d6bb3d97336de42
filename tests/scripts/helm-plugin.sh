#!/usr/bin/env bash
# The Helm plugin (plugins/helm) run as helm runs it: plugin.yaml's
# `command` with $HELM_PLUGIN_DIR expanded, the arguments after "sunset",
# and a fake `helm` on PATH that records its arguments and prints a canned
# rendering.  Checks: what reaches helm template and what reaches sunset
# (split at "--"), the -t target becoming --kube-version (not over the
# user's own), findings naming their template, exit codes (sunset's; 1 for
# a failed render or a bad flag), HELM_BIN, `chart DIR` printing exactly
# what `sunset scan DIR` prints on the real chart fixture, and the errors.
set -u
root=$1 bin=$2
root=$(cd "$root" && pwd) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
plugin=$root/plugins/helm
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# plugin.yaml: the fields helm requires, the version sunset's, the command
out=$("$bin" scan -q "$plugin/plugin.yaml" 2>&1 >/dev/null) && [ -z "$out" ] || fail "sunset scan plugin.yaml: $out"
field() { sed -n "s/^$1: *//p" "$plugin/plugin.yaml"; }
[ "$(field name)" = sunset ] || fail "plugin name: $(field name)"
version=$(sed -n 's/^project(sunset VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
[ "$(field version)" = "$version" ] || fail "plugin version $(field version), sunset's $version"
[ -n "$(field usage)" ] || fail "no usage in plugin.yaml"
command=$(field command)
[ "$command" = '$HELM_PLUGIN_DIR/sunset.sh' ] || fail "plugin command: $command"
[ -x "$plugin/sunset.sh" ] || fail "sunset.sh is not executable"
if command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null; then
	python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert {"name", "version", "usage", "description", "command"} <= set(d), d' \
		"$plugin/plugin.yaml" || fail "plugin.yaml misses a field"
fi

mkdir -p "$tmp/bin" "$tmp/helmbin"
ln -s "$bin" "$tmp/bin/sunset"
cat >"$tmp/helmbin/helm" <<'EOF'
#!/usr/bin/env bash
# a fake helm: records its arguments, one per line, and renders a canned chart
printf '%s\n' "$@" >"$FAKE_HELM_LOG"
[ "$1" = template ] || { echo "fake helm: only template" >&2; exit 1; }
cat <<'YAML'
---
# Source: shop/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: shop
---
# Source: shop/templates/ingress.yaml
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: shop
---
# Source: shop/templates/hpa.yaml
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: shop
YAML
# a big chart: writing on after sunset has gone kills helm with SIGPIPE
if [ -n "${FAKE_HELM_BIG:-}" ]; then
	for _ in $(seq 200000); do echo '# padding'; done
fi
if [ -n "${FAKE_HELM_FAIL:-}" ]; then
	echo 'Error: template: shop/templates/x.yaml:3:4: executing "x" at <.Values.nope.x>: nil pointer' >&2
	exit 1
fi
EOF
chmod +x "$tmp/helmbin/helm"
export FAKE_HELM_LOG=$tmp/helm.args NO_COLOR=1
unset SUNSET_TARGET SUNSET_OUTPUT SUNSET_TABLE HELM_BIN
PATH=$tmp/bin:$tmp/helmbin:$PATH

# as helm runs a plugin: its command with $HELM_PLUGIN_DIR expanded (helm
# does it, no shell), in the user's directory
helm_sunset() {
	(cd "$root" && HELM_PLUGIN_DIR=$plugin HELM_PLUGIN_NAME=sunset "${command//\$HELM_PLUGIN_DIR/$plugin}" "$@") \
		>"$tmp/out" 2>"$tmp/err"
}
# expect CODE ARGS...: the exit code
expect() {
	local want=$1
	shift
	: >"$FAKE_HELM_LOG"
	helm_sunset "$@"
	local got=$?
	[ "$got" = "$want" ] || fail "helm sunset $*: exit $got, want $want; stderr: $(cat "$tmp/err")"
}
helm_got() { # the arguments helm template received, space-joined
	tr '\n' ' ' <"$FAKE_HELM_LOG" | sed 's/ $//'
}

# template: helm's arguments before "--", sunset's after; the target is helm's kube version
expect 3 template shop fixtures/charts/shop -f values-prod.yaml --set a=b -- -t 1.33 --columns location,kind,version
[ "$(helm_got)" = "template shop fixtures/charts/shop -f values-prod.yaml --set a=b --kube-version 1.33" ] ||
	fail "helm got: $(helm_got)"
# the output is sunset's own for the rendering, which names the templates
"$tmp/helmbin/helm" template >"$tmp/rendered.yaml"
(cd "$root" && sunset scan -t 1.33 --columns location,kind,version - <"$tmp/rendered.yaml" >"$tmp/direct" 2>"$tmp/direct.err")
cmp -s "$tmp/out" "$tmp/direct" || fail "template output differs from sunset scan -: $(diff "$tmp/out" "$tmp/direct")"
cmp -s "$tmp/err" "$tmp/direct.err" || fail "template stderr differs from sunset scan -: $(diff "$tmp/err" "$tmp/direct.err")"
grep -q '^shop/templates/hpa.yaml:[0-9]*:13 *HorizontalPodAutoscaler *autoscaling/v2beta2$' "$tmp/out" &&
	grep -q '^shop/templates/ingress.yaml:[0-9]*:13 *Ingress *networking.k8s.io/v1beta1$' "$tmp/out" &&
	[ "$(wc -l <"$tmp/out")" = 3 ] || fail "template output: $(cat "$tmp/out")"

# forms of the target; a cluster-relative or non-k8s target is not a kube version
for t in "-t k8s=1.25,istio=1.20:1.25" "--target=v1.25.3:v1.25.3" "-t1.25:1.25" "-t 1.20 -t 1.25:1.25" \
	"-t istio=1.20:" "-r:"; do
	flags=${t%%:*} kube=${t##*:}
	# shellcheck disable=SC2086 # flags are words
	helm_sunset template shop chart -- $flags
	want="template shop chart${kube:+ --kube-version $kube}"
	[ "$(helm_got)" = "$want" ] || fail "with $flags helm got: $(helm_got), want $want"
done
SUNSET_TARGET=1.22 expect 3 template shop chart
[ "$(helm_got)" = "template shop chart --kube-version 1.22" ] || fail "SUNSET_TARGET: helm got $(helm_got)"
# the user's own kube version stays
expect 2 template shop chart --kube-version=1.20 -- -t 1.21
[ "$(helm_got)" = "template shop chart --kube-version=1.20" ] || fail "helm got: $(helm_got)"
expect 2 template shop chart --kube-version 1.20 -- -t 1.21
[ "$(helm_got)" = "template shop chart --kube-version 1.20" ] || fail "helm got: $(helm_got)"
# without "--" everything is helm's
expect 3 template shop chart -t 1.33
[ "$(helm_got)" = "template shop chart -t 1.33" ] || fail "helm got: $(helm_got)"
# sunset's formats and exit policy
expect 0 template shop chart -- -t 1.33 --ignore-removals --ignore-deprecations -q
[ -s "$tmp/out" ] && fail "-q printed: $(cat "$tmp/out")"
expect 3 template shop chart -- -o json
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert [i["template"] for i in d["items"]] == ["shop/templates/hpa.yaml", "shop/templates/ingress.yaml"], d' \
	"$tmp/out" 2>/dev/null || { command -v python3 >/dev/null && fail "json: $(cat "$tmp/out")"; }

# a failed render is 1, with helm's message and ours; a bad sunset flag is 1
FAKE_HELM_FAIL=1 expect 1 template shop chart -- -t 1.33
grep -q '^Error: template: shop/templates/x.yaml' "$tmp/err" || fail "helm's error not shown: $(cat "$tmp/err")"
grep -q '^helm sunset: helm template failed (exit 1)' "$tmp/err" || fail "no render failure message: $(cat "$tmp/err")"
FAKE_HELM_BIG=1 expect 1 template shop chart -- --no-such-flag
grep -q 'sunset: unknown option "--no-such-flag"' "$tmp/err" || fail "stderr: $(cat "$tmp/err")"
grep -q 'helm template failed' "$tmp/err" && fail "a sunset flag error blamed helm: $(cat "$tmp/err")"
expect 1 template
grep -q 'template needs a chart' "$tmp/err" || fail "stderr: $(cat "$tmp/err")"

# helm runs plugins with HELM_BIN set to itself
mv "$tmp/helmbin/helm" "$tmp/myhelm"
HELM_BIN=$tmp/myhelm expect 3 template shop chart
[ "$(helm_got)" = "template shop chart" ] || fail "HELM_BIN not used: $(helm_got)"
mv "$tmp/myhelm" "$tmp/helmbin/helm"

# chart DIR: the unrendered chart, exactly as sunset scan prints it
expect 3 chart fixtures/charts/shop -t 1.25
(cd "$root" && "$bin" scan -t 1.25 fixtures/charts/shop >"$tmp/direct" 2>"$tmp/direct.err")
cmp -s "$tmp/out" "$tmp/direct" || fail "chart output differs from sunset scan: $(diff "$tmp/out" "$tmp/direct")"
cmp -s "$tmp/err" "$tmp/direct.err" || fail "chart stderr differs from sunset scan"
grep -q '^fixtures/charts/shop/templates/psp.yaml:' "$tmp/out" || fail "chart output: $(cat "$tmp/out")"
[ -s "$FAKE_HELM_LOG" ] && fail "chart ran helm: $(helm_got)"
expect 0 chart fixtures/charts/shop -t 1.15 --only-removed
expect 1 chart fixtures/demo
grep -q '^helm sunset: fixtures/demo: not a chart (no Chart.yaml)$' "$tmp/err" || fail "stderr: $(cat "$tmp/err")"
expect 1 chart fixtures/charts/nope
grep -q 'not a directory' "$tmp/err" || fail "stderr: $(cat "$tmp/err")"

# usage and errors
expect 0 --help
grep -q '^  helm sunset template \[NAME\] CHART' "$tmp/out" || fail "usage: $(cat "$tmp/out")"
expect 1
grep -q '^Usage:' "$tmp/err" || fail "no usage on stderr"
expect 1 render x
grep -q 'unknown command "render"' "$tmp/err" || fail "stderr: $(cat "$tmp/err")"
PATH=$tmp/helmbin:/usr/bin:/bin expect 1 chart fixtures/charts/shop
grep -q 'sunset is not on PATH' "$tmp/err" || fail "stderr: $(cat "$tmp/err")"
SUNSET_BIN=$bin PATH=$tmp/helmbin:/usr/bin:/bin expect 3 chart fixtures/charts/shop

[ "$fails" = 0 ] || exit 1
echo "ok: helm plugin"
