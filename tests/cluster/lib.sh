# Shared by tests/scripts/cluster-*.sh (sourced, not run): a temp dir, TLS
# material from tests/apiserver/gen-certs.sh, the test API server on an
# ephemeral port (killed in a trap), kubeconfig writers and assertions.
#
# The sourcing script is run as: script REPO_ROOT SUNSET_BINARY
# Exit 77 (skip) when python3 or openssl is missing.
set -u
ROOT=$(cd "${1:?usage: $0 REPO_ROOT SUNSET}" && pwd)
SUNSET=${2:?usage: $0 REPO_ROOT SUNSET}
case $SUNSET in /*) ;; *) SUNSET=$(pwd)/$SUNSET ;; esac
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
command -v openssl >/dev/null 2>&1 || { echo "SKIP: openssl not found"; exit 77; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sunset-cluster.XXXXXX")
SERVER_PID=
PORT=
LOG=
FAILS=0
unset KUBECONFIG KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT SUNSET_TARGET SUNSET_OUTPUT SUNSET_TABLE
export HOME="$TMP/home" NO_COLOR=1
mkdir -p "$HOME"

stop_server() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
}
cleanup() {
	stop_server
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

"$ROOT/tests/apiserver/gen-certs.sh" "$TMP/certs" >/dev/null 2>&1 || { echo "FAIL: gen-certs.sh"; exit 1; }
CA=$TMP/certs/ca.crt

# start_server [STATE_FILE [FAULTS_FILE]]: sets PORT, LOG, SERVER (the URL)
start_server() {
	stop_server
	local state=${1:-$ROOT/fixtures/cluster/state.json} faults=${2:-}
	LOG=$TMP/server.log
	: >"$LOG"
	rm -f "$TMP/port"
	python3 "$ROOT/tests/apiserver/server.py" --state "$state" --certs "$TMP/certs" \
		--port-file "$TMP/port" --port 0 --log "$LOG" ${faults:+--faults "$faults"} \
		2>"$TMP/server.err" &
	SERVER_PID=$!
	local i
	for i in $(seq 600); do
		[ -s "$TMP/port" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -s "$TMP/port" ]; then
		echo "FAIL: the test API server did not start"
		cat "$TMP/server.err"
		exit 1
	fi
	PORT=$(cat "$TMP/port")
	SERVER=https://127.0.0.1:$PORT
}

# kubeconfig FILE USER_YAML [CLUSTER_YAML]: one context "test" (cluster
# "test", user "u"); USER_YAML and CLUSTER_YAML are indented mapping lines.
kubeconfig() {
	local file=$1 user=$2 cluster=${3-"    certificate-authority: $CA"}
	cat >"$file" <<EOF
apiVersion: v1
kind: Config
current-context: test
clusters:
- name: test
  cluster:
    server: $SERVER
$cluster
contexts:
- name: test
  context: {cluster: test, user: u}
users:
- name: u
  user:
$user
EOF
}

# The run's output with the ephemeral port and temp dir made stable.
norm() {
	sed -e "s#$TMP#TMP#g" -e "s#127\.0\.0\.1:$PORT#127.0.0.1:PORT#g"
}

# run NAME CMD...: runs CMD, keeping stdout, stderr and the exit code in
# $TMP/NAME.{out,err,rc} (normalised); the server's log then holds this run's
# requests only.  NAME.err leaves out the summary line that follows a text
# report (NAME.err.raw keeps it; check_summary checks it).
run() {
	local t0=$(date +%s.%N)
	local name=$1
	shift
	[ -n "$LOG" ] && : >"$LOG"
	"$@" >"$TMP/$name.out.raw" 2>"$TMP/$name.err.raw"
	echo $? >"$TMP/$name.rc"
	norm <"$TMP/$name.out.raw" >"$TMP/$name.out"
	norm <"$TMP/$name.err.raw" | grep -Ev "$SUMMARY_RE" >"$TMP/$name.err"
	[ -n "${TIMING:-}" ] && echo "time $name $(python3 -c "print(round($(date +%s.%N) - $t0, 2))")"
}

SUMMARY_RE='^sunset: [0-9]+ (files?, [0-9]+ documents?|inputs?), [0-9]+ objects?: '

# check_summary NAME WANT: the summary line of run NAME
check_summary() {
	check_eq "$1: summary line" "$(grep -E "$SUMMARY_RE" "$TMP/$1.err.raw")" "$2"
}

fail() {
	echo "FAIL - $*"
	FAILS=$((FAILS + 1))
}
pass() { echo "ok   - $*"; }

# expect NAME EXIT STDOUT_FILE|- STDERR_FILE|-  ('-': read from stdin; use
# /dev/null for "empty").  Compares a run's exact output.
expect() {
	local name=$1 rc=$2 out=$3 err=$4 ok=1
	if [ "$(cat "$TMP/$name.rc")" != "$rc" ]; then
		fail "$name: exit $(cat "$TMP/$name.rc"), want $rc"
		ok=0
	fi
	if [ "$out" = - ]; then out=$TMP/$name.want.out; cat >"$out"; fi
	if [ "$err" = - ]; then err=$TMP/$name.want.err; cat >"$err"; fi
	if ! diff -u "$out" "$TMP/$name.out" >"$TMP/$name.diff"; then
		fail "$name: stdout differs"
		cat "$TMP/$name.diff"
		ok=0
	fi
	if ! diff -u "$err" "$TMP/$name.err" >"$TMP/$name.diff"; then
		fail "$name: stderr differs"
		cat "$TMP/$name.diff"
		ok=0
	fi
	[ $ok = 1 ] && pass "$name"
}

# expect_golden NAME EXIT GOLDEN_NAME STDERR_FILE: stdout against tests/cluster/expected/GOLDEN_NAME
# (SUNSET_UPDATE_GOLDEN=1 rewrites it; review the diff before committing).
expect_golden() {
	local golden=$ROOT/tests/cluster/expected/$3
	if [ -n "${SUNSET_UPDATE_GOLDEN:-}" ]; then
		cp "$TMP/$1.out" "$golden"
	fi
	expect "$1" "$2" "$golden" "$4"
}

# log_query PYTHON_EXPR: evaluates EXPR with `log` = the server's request log
# (a list of dicts) and prints the result.
log_query() {
	python3 - "$LOG" "$1" <<'EOF'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
reqs = [e for e in log if "event" not in e]
print(eval(sys.argv[2]))
EOF
}

# check_eq DESCRIPTION GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1: got [$2], want [$3]"
	fi
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	exit 0
}
