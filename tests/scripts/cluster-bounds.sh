#!/bin/bash
# sunset cluster ends whatever the server does: a continue token handed back
# again, new continue tokens forever (bounded at max_documents objects per
# list), a Retry-After of days (an error for that resource at once, no
# wait), a stalled server (--timeout ends the run).  Bounds are counted in
# requests from the server's log, never in seconds.
. "$(dirname "$0")/../cluster/lib.sh"

FAULTS=$TMP/faults.json
echo '[]' >"$FAULTS"
start_server "$ROOT/fixtures/cluster/state.json" "$FAULTS"
KC=$TMP/kc.yaml
kubeconfig "$KC" "    token: tok-admin"
FAULT_GEN=0
faults() {
	printf '%s\n' "$1" >"$FAULTS.new"
	FAULT_GEN=$((FAULT_GEN + 1))
	touch -d "@$(($(date +%s) + FAULT_GEN))" "$FAULTS.new"
	mv "$FAULTS.new" "$FAULTS"
}
DEPLOY=/apis/apps/v1/deployments
count() { log_query "len([r for r in reqs if r['path'] == '$1'])"; }

# the same continue token again: stopped at the second page
faults '[{"path": "/apis/apps/v1/deployments", "repeatContinue": true}]'
run repeat "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources last-applied -q
check_eq "repeated token: exit 3 (the rest still reported)" "$(cat "$TMP/repeat.rc")" 3
check_eq "repeated token: the error names the list" "$(grep -c 'cannot list deployments.apps (apps/v1): the server returned the continue token of an earlier page again (page 2)' "$TMP/repeat.err")" 1
check_eq "repeated token: two requests" "$(count $DEPLOY)" 2

# new tokens forever: at most max_documents / chunk-size + 1 pages
faults '[{"path": "/apis/apps/v1/deployments", "endlessContinue": true}]'
run endless "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources last-applied -q --chunk-size 100000
check_eq "endless tokens: exit 3" "$(cat "$TMP/endless.rc")" 3
check_eq "endless tokens: the error names the list and the bound" "$(grep -c 'cannot list deployments.apps (apps/v1): more than 101 pages of 100000 objects; stopped' "$TMP/endless.err")" 1
check_eq "endless tokens: 101 requests" "$(count $DEPLOY)" 101

# Retry-After of days: no wait, one request, an error for that resource
faults '[{"path": "/apis/apps/v1/deployments", "status": 429, "retryAfter": 999999}]'
run retry-after "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources last-applied -q
check_eq "Retry-After 999999: exit 3" "$(cat "$TMP/retry-after.rc")" 3
check_eq "Retry-After 999999: said why" "$(grep -c 'deployments.apps (apps/v1): 429 Too Many Requests: the server asked to wait 999999 s before retrying (Retry-After); gave up' "$TMP/retry-after.err")" 1
check_eq "Retry-After 999999: not retried" "$(count $DEPLOY)" 1

# a Retry-After within the per-request bound but past --timeout: not waited for
faults '[{"path": "/apis/apps/v1/deployments", "status": 429, "retryAfter": 30}]'
run retry-timeout "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources last-applied -q --timeout 20s
check_eq "Retry-After past --timeout: said why" "$(grep -c 'wait 30 s before retrying (Retry-After), past --timeout 20s' "$TMP/retry-timeout.err")" 1
check_eq "Retry-After past --timeout: not retried" "$(count $DEPLOY)" 1

# a server that stalls every list for an hour: --timeout ends the run
faults '[{"path": "/apis/", "query": "limit=", "delay": 3600}]'
run stalled timeout 60 "$SUNSET" cluster --kubeconfig "$KC" -t 1.29 --sources last-applied -q --timeout 2s
check_eq "--timeout: exit 1" "$(cat "$TMP/stalled.rc")" 1
check_eq "--timeout: said why" "$(cat "$TMP/stalled.err")" 'sunset: context "test" (https://127.0.0.1:PORT): the run did not finish within --timeout 2s'
stop_server

# --timeout takes Go durations
for bad in 0 -1s 5x 1h1 ''; do
	"$SUNSET" cluster --kubeconfig "$KC" --timeout "$bad" >/dev/null 2>"$TMP/bad.err"
	check_eq "--timeout '$bad' refused" "$(cat "$TMP/bad.err")" "sunset: invalid --timeout \"$bad\" (expected a duration, e.g. 90s, 5m, 1h30m)"
done
finish
