#!/usr/bin/env bash
# Inputs that are not manifests, named on the command line or met in a
# walk: each gets its message with path (and line:column where there is
# one), none crashes or hangs, and a scan with one never exits 0.
#
# What is read (decided here): regular files; directories (walked); named
# pipes and process substitution (read like stdin: sunset waits for the
# writer and reads until it closes); stdin as "-".  Devices and sockets are
# refused without being opened: /dev/zero or a serial line would never end.
set -u
root=$1 bin=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
cd "$tmp"

# check NAME WANT_EXIT WANT_STDERR CMD...: runs CMD with a time limit
check() {
	local name=$1 want_exit=$2 want_err=$3; shift 3
	local out err rc
	timeout 20 "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	# the summary line after a text report is the CLI golden cases' subject
	err=$(grep -Ev '^sunset: [0-9]+ files?, [0-9]+ documents?, ' "$tmp/err")
	if [ "$rc" -eq 124 ]; then
		echo "FAIL $name: did not finish in 20 s"; fail=1; return
	fi
	if [ "$rc" -ne "$want_exit" ] || [ "$err" != "$want_err" ]; then
		echo "FAIL $name: exit $rc (want $want_exit), stderr:"
		echo "$err" | sed 's/^/  got:  /'
		echo "$want_err" | sed 's/^/  want: /'
		fail=1
	else
		echo "ok   $name"
	fi
}

ING='apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: web}'

printf 'a: 1\0b: 2\n' >binary.yaml
check "binary file" 1 "sunset: binary.yaml:1:1: error: binary file (NUL byte at offset 4); skipped" \
	"$bin" scan binary.yaml

: >empty.yaml
check "empty file" 0 "" "$bin" scan empty.yaml

mkdir empty-dir
check "empty directory" 0 "" "$bin" scan empty-dir

ln -s loop-b.yaml loop-a.yaml
ln -s loop-a.yaml loop-b.yaml
check "symlink loop named" 1 "sunset: loop-a.yaml: error: cannot open: Too many levels of symbolic links" \
	"$bin" scan loop-a.yaml
mkdir walk && ln -s ../walk walk/self && ln -s x.yaml walk/x.yaml
check "symlink loops in a walk" 1 "sunset: walk/x.yaml: error: cannot follow symlink: Too many levels of symbolic links" \
	"$bin" scan walk

check "missing file" 1 "sunset: nope.yaml: error: cannot open: No such file or directory" "$bin" scan nope.yaml

# unreadable: chmod 000 stops everyone but root; root gets a file whose
# reads fail instead (/proc/self/mem reads EIO at offset 0)
printf '%s\n' "$ING" >locked.yaml
chmod 000 locked.yaml
if [ "$(id -u)" -ne 0 ]; then
	check "unreadable file" 1 "sunset: locked.yaml: error: cannot open: Permission denied" "$bin" scan locked.yaml
elif [ -r /proc/self/mem ]; then
	check "unreadable file (root: a read that fails)" 1 "sunset: /proc/self/mem: error: cannot read: Input/output error" \
		"$bin" scan /proc/self/mem
else
	echo "skip unreadable file: running as root without /proc"
fi
chmod 644 locked.yaml

for dev in /dev/zero /dev/urandom /dev/null; do
	[ -c "$dev" ] || continue
	check "device $dev refused" 1 "sunset: $dev: error: not a regular file or pipe; skipped" "$bin" scan "$dev"
done

# a named pipe: read like stdin
mkfifo pipe.yaml
(printf '%s\n' "$ING" >pipe.yaml) &
check "named pipe" 3 "" "$bin" scan pipe.yaml
wait
# a named pipe in a walk is not read (it is not a regular file)
(sleep 30 >pipe.yaml) & holder=$!
mkdir walk2 && mv pipe.yaml walk2/ 2>/dev/null || true
check "named pipe in a walk" 0 "" "$bin" scan walk2
kill $holder 2>/dev/null; wait 2>/dev/null

# process substitution
check "process substitution" 3 "" "$bin" scan <(printf '%s\n' "$ING")

# endless input on a pipe: stopped at the document limit, memory bounded;
# a plain scalar that never ends is one document larger than the limit
if command -v yes >/dev/null; then
	timeout 5 bash -c "yes abcdefgh | \"$bin\" scan -" >/dev/null 2>"$tmp/yes.err"
	rc=$?
	if [ "$rc" -ne 124 ]; then
		echo "FAIL endless stdin: exit $rc before the time limit"; cat "$tmp/yes.err"; fail=1
	else
		echo "ok   endless stdin keeps reading (bounded: see limits-memory.sh)"
	fi
fi

# invalid UTF-8, UTF-16 with a BOM, CRLF, NUL after the first 4 KiB
printf '%s\n---\nname: "\xff"\n---\n%s\n' "$ING" "$ING" >bad-utf8.yaml
check "invalid UTF-8" 3 "sunset: bad-utf8.yaml:5:8: error: invalid leading UTF-8 octet (byte 0xff)" \
	"$bin" scan -o json bad-utf8.yaml
printf '%s\n' "$ING" | iconv -f UTF-8 -t UTF-16 >utf16.yaml
check "UTF-16 with a BOM" 3 "" "$bin" scan utf16.yaml
printf '%s\n' "$ING" | sed 's/$/\r/' >crlf.yaml
check "CRLF" 3 "" "$bin" scan crlf.yaml
{ printf '%s\n---\n' "$ING"; head -c 5000 /dev/zero | tr '\0' ' '; printf '\nx: \0\n---\n%s\n' "$ING"; } >late-nul.yaml
check "a NUL byte after the first 4 KiB" 3 "sunset: late-nul.yaml:6:4: error: control characters are not allowed (byte 0x00)" \
	"$bin" scan late-nul.yaml

# a 100 MB single line: one error at the limit, the next document still read
{ printf 'k: '; head -c 100000000 /dev/zero | tr '\0' a; printf '\n---\n%s\n' "$ING"; } >long-line.yaml
check "100 MB line" 3 "sunset: long-line.yaml:1:33046529: error: a single value is larger than the 32 MiB document limit; the rest of this document is skipped" \
	"$bin" scan -o json long-line.yaml

exit $fail
