#!/usr/bin/env bash
# --output-file and --write-baseline replace a regular file through a
# temporary file of their own: a symlink planted at the old fixed name
# (FILE.tmp) is not followed, the target's mode is kept, nothing is left
# beside it, and two runs writing the same file at once both succeed and
# leave one whole report.
set -u
root=$1 bin=$2
root=$(cd "$root" && pwd) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

for opt in --output-file --write-baseline; do
	d=$tmp/${opt#--}; mkdir -p "$d"
	echo precious >"$d/victim"
	ln -s "$d/victim" "$d/report.json.tmp"
	echo old >"$d/report.json"; chmod 640 "$d/report.json"
	"$bin" scan fixtures/demo -t 1.22 -o json -q $opt "$d/report.json" >/dev/null 2>"$d/err"
	[ "$(cat "$d/victim")" = precious ] || fail "$opt followed the planted symlink"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$d/report.json" || fail "$opt: not JSON"
	[ "$(stat -c %a "$d/report.json")" = 640 ] || fail "$opt: mode $(stat -c %a "$d/report.json"), want 640"
	left=$(ls "$d" | grep -v -x -e victim -e report.json -e report.json.tmp -e err)
	[ -z "$left" ] || fail "$opt left $left"
	# a new file: the umask decides, as with any file the shell creates
	(umask 027; "$bin" scan fixtures/demo -t 1.22 -o json -q $opt "$d/new.json" 2>/dev/null)
	[ "$(stat -c %a "$d/new.json")" = 640 ] || fail "$opt: new file mode $(stat -c %a "$d/new.json")"
done

# two runs at once, many times: each exits as a scan does (3: removed APIs),
# and the file is always one whole report
for i in $(seq 20); do
	"$bin" scan fixtures/demo -t 1.22 -o json --output-file "$tmp/same.json" 2>"$tmp/a.err" & a=$!
	"$bin" scan fixtures/demo -t 1.22 -o json --output-file "$tmp/same.json" 2>"$tmp/b.err" & b=$!
	wait $a; ra=$?; wait $b; rb=$?
	[ "$ra" = 3 ] && [ "$rb" = 3 ] || fail "concurrent runs exited $ra and $rb: $(cat "$tmp/a.err" "$tmp/b.err")"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/same.json" || fail "concurrent runs left invalid JSON"
done
[ "$(ls "$tmp" | grep -c sunset-)" = 0 ] || fail "temporary files left: $(ls "$tmp")"
echo "ok: report files written safely"
