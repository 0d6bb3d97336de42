#!/usr/bin/env bash
# Creates a golden case from the current binary's behaviour; review the
# files it writes before committing them.  usage: new-case.sh NAME 'CMD' [BUILD_DIR]
set -eu
name=$1 cmd=$2 build=${3:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/tests/cli/cases/$name
mkdir -p "$dir"
printf '%s\n' "$cmd" >"$dir/cmd"
SUNSET_UPDATE_GOLDEN=1 "$root/tests/cli/run-case.sh" "$root/$build/sunset" "$dir"
echo "== $name (exit $(cat "$dir/exit"))"; cat "$dir/stdout"; [ -f "$dir/stderr" ] && { echo "-- stderr"; cat "$dir/stderr"; } || true
