#!/usr/bin/env bash
# helm sunset: sunset as a Helm plugin (plugin.yaml runs this with the
# arguments after "sunset").  `template` pipes `helm template` into
# `sunset scan -`, so findings name the template they come from (helm's
# "# Source:" comments) and the chart is rendered for the target: a -t k8s
# version becomes helm's --kube-version unless one is given.  `chart` scans
# an unrendered chart directory with sunset's template scanner.  The exit
# code is sunset's; a failed render is 1 (the scan saw only part of it).
# Helm sets HELM_BIN to itself; sunset is looked up on PATH (or $SUNSET_BIN).
set -u -o pipefail

usage() {
	cat <<'EOF'
Find the Kubernetes APIs an upgrade breaks, in a chart or in what helm renders.

Usage:
  helm sunset template [NAME] CHART [helm template flags] [-- sunset scan flags]
  helm sunset chart DIR [sunset scan flags]

  template  renders CHART with `helm template` (values, --set, --namespace, ...
            as helm takes them) and scans the output: findings name their
            template; a k8s target (-t) is also helm's --kube-version
  chart     scans an unrendered chart directory: every template, including what
            values switch off, with .Capabilities decided at the target

Examples:
  helm sunset template shop ./charts/shop -f prod.yaml -- -t 1.33
  helm sunset chart ./charts/shop -t 1.33 -o json

Exit codes are sunset's: 3 removed API, 4 deprecated API whose replacement the
target does not serve yet, 2 deprecated API, 1 unreadable input or a failed
render, 0 nothing found.  See `sunset scan --help` for sunset's flags.
EOF
}

die() {
	printf 'helm sunset: %s\n' "$*" >&2
	exit 1
}

sunset=${SUNSET_BIN:-sunset}
command -v "$sunset" >/dev/null 2>&1 ||
	die "sunset is not on PATH (install it: cmake --install, see sunset's README; or set SUNSET_BIN)"
helm=${HELM_BIN:-helm}

# The Kubernetes version a -t value names ("1.33", "v1.33.0",
# "k8s=1.33,istio=1.20"), empty when it names none or one only a cluster
# knows (next, cluster).
k8s_version() {
	local item v='' IFS=,
	for item in $1; do
		case $item in
		k8s=*) v=${item#k8s=} ;;
		*=*) ;;
		*) v=$item ;;
		esac
	done
	case $v in next | cluster) v='' ;; esac
	printf '%s' "$v"
}

# The last k8s target among sunset's flags, else SUNSET_TARGET's.
target_of() {
	local v='' a
	while [ $# -gt 0 ]; do
		a=$1
		shift
		case $a in
		--) break ;;
		-t | --target) [ $# -gt 0 ] && { v=$(k8s_version "$1") || true; shift; } ;;
		--target=*) v=$(k8s_version "${a#--target=}") ;;
		-t*) v=$(k8s_version "${a#-t}") ;;
		esac
	done
	[ -n "$v" ] || v=$(k8s_version "${SUNSET_TARGET:-}")
	printf '%s' "$v"
}

cmd_template() {
	local helm_args=() sunset_args=() a kube=''
	while [ $# -gt 0 ]; do
		a=$1
		shift
		if [ "$a" = -- ]; then
			sunset_args=("$@")
			break
		fi
		helm_args+=("$a")
	done
	[ ${#helm_args[@]} -gt 0 ] || die "template needs a chart (helm sunset template [NAME] CHART ...)"
	for a in "${helm_args[@]}"; do
		case $a in --kube-version | --kube-version=*) kube=given ;; esac
	done
	if [ -z "$kube" ]; then
		kube=$(target_of "${sunset_args[@]}")
		[ -z "$kube" ] || helm_args+=(--kube-version "$kube")
	fi
	"$helm" template "${helm_args[@]}" | "$sunset" scan "${sunset_args[@]}" -
	local st=("${PIPESTATUS[@]}")
	# sunset's fatal error (a bad flag) first: helm then only lost its reader
	[ "${st[1]}" = 1 ] && exit 1
	[ "${st[0]}" = 0 ] || die "helm template failed (exit ${st[0]}): the scan saw only part of the chart, if any"
	exit "${st[1]}"
}

cmd_chart() {
	[ $# -gt 0 ] || die "chart needs a directory (helm sunset chart DIR ...)"
	local dir=$1
	shift
	[ -d "$dir" ] || die "$dir: not a directory (for a packaged or remote chart: helm sunset template NAME CHART)"
	[ -f "$dir/Chart.yaml" ] || die "$dir: not a chart (no Chart.yaml)"
	exec "$sunset" scan "$@" -- "$dir"
}

case ${1:-} in
template) shift; cmd_template "$@" ;;
chart) shift; cmd_chart "$@" ;;
-h | --help | help) usage ;;
'') usage >&2; exit 1 ;;
*) usage >&2; die "unknown command \"$1\" (template or chart)" ;;
esac
