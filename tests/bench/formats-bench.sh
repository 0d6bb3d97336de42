#!/bin/bash
# Report-side benchmark, never run as a test: N findings (default 1,000,000)
# from one file of unnamed objects, written in every format; prints the wall
# time and peak RSS of each run (GNU time).  A quadratic writer shows here
# long before it shows in a test.
#   tests/bench/formats-bench.sh BUILD/sunset [N]
set -eu
bin=$1 n=${2:-1000000}
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time)"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$n" >"$tmp/in.yaml" <<'PY'
import sys
doc = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {}\n---\n"
sys.stdout.write(doc * int(sys.argv[1]))
PY
printf '%-9s %10s %12s\n' format seconds peak-MiB
for f in text wide csv markdown github json yaml sarif junit; do
	/usr/bin/time -f '%e %M' -o "$tmp/t" "$bin" scan "$tmp/in.yaml" -t 1.22 -o "$f" -q \
		--output-file "$tmp/out" || true
	read -r secs kib < <(tail -n 1 "$tmp/t")
	printf '%-9s %10s %12s\n' "$f" "$secs" "$((kib / 1024))"
done
