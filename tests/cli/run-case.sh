#!/usr/bin/env bash
# Runs one CLI golden case: CASE/cmd is a shell command line run from the
# repository root with $SUNSET set to the binary; its stdout, stderr and exit
# code must equal CASE/stdout, CASE/stderr (when present) and CASE/exit.
# SUNSET_UPDATE_GOLDEN=1 rewrites the expected files instead.
set -u
bin=$1 case=$2
export SUNSET=$bin
export NO_COLOR=1
unset SUNSET_TARGET SUNSET_OUTPUT SUNSET_TABLE
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR_CASE=$tmp
(cd "$(dirname "$0")/../.." && bash -c "$(cat "$case/cmd")" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null)
code=$?
if [ "${SUNSET_UPDATE_GOLDEN:-}" = 1 ]; then
  cp "$tmp/stdout" "$case/stdout"
  [ -s "$tmp/stderr" ] && cp "$tmp/stderr" "$case/stderr" || rm -f "$case/stderr"
  echo "$code" >"$case/exit"
  exit 0
fi
fail=0
if ! diff -u "$case/stdout" "$tmp/stdout"; then echo "stdout differs"; fail=1; fi
if [ -f "$case/stderr" ]; then
  if ! diff -u "$case/stderr" "$tmp/stderr"; then echo "stderr differs"; fail=1; fi
elif [ -s "$tmp/stderr" ]; then
  echo "unexpected stderr:"; cat "$tmp/stderr"; fail=1
fi
want=$(cat "$case/exit")
if [ "$code" != "$want" ]; then echo "exit code $code, want $want"; fail=1; fi
exit $fail
