#!/usr/bin/env bash
# Runs one fuzz target for a given time, niced, from its seed corpus.
#   tests/fuzz/run.sh TARGET SECONDS [BUILD_DIR] [-- extra libFuzzer flags]
# Builds BUILD_DIR (default build-fuzz, clang, -DSUNSET_FUZZ=ON) when the
# target is missing.  The working corpus grows in BUILD_DIR/corpus/TARGET;
# crashes land in BUILD_DIR/crashes/TARGET/ — copy each one to
# tests/fuzz/regressions/TARGET/ once it is fixed.  The last line of
# BUILD_DIR/fuzz-TARGET.log holds libFuzzer's exec/s, cov and ft.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${1:?usage: run.sh TARGET SECONDS [BUILD_DIR]}
secs=${2:?usage: run.sh TARGET SECONDS [BUILD_DIR]}
build=${3:-$root/build-fuzz}
shift $(( $# >= 3 ? 3 : $# ))
[ "${1:-}" = "--" ] && shift

if [ ! -x "$build/tests/fuzz/$target" ]; then
	CC=clang cmake -S "$root" -B "$build" -DSUNSET_FUZZ=ON -DSUNSET_TESTS=OFF >/dev/null
	nice cmake --build "$build" -j2 --target "$target"
fi
[ -d "$build/corpus/$target" ] || bash "$root/tests/fuzz/seed.sh" "$build/corpus" >/dev/null
mkdir -p "$build/corpus/$target" "$build/crashes/$target"
dict=()
[ -f "$root/tests/fuzz/$target.dict" ] && dict=(-dict="$root/tests/fuzz/$target.dict")
# leaks are failures; a single input may take at most 10 s and 2 GiB
log="$build/fuzz-$target.log"
set +e
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
nice -n 10 "$build/tests/fuzz/$target" "${dict[@]}" \
	-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	-print_final_stats=1 -artifact_prefix="$build/crashes/$target/" "$@" \
	"$build/corpus/$target" >"$log" 2>&1
status=$?
set -e
grep -E 'ERROR|SUMMARY' "$log" || true
grep -E '^#[0-9]+' "$log" | tail -1
grep -E '^stat::' "$log" || true
ls "$build/crashes/$target" | sed 's/^/crash: /'
exit "$status"
