#!/usr/bin/env bash
# The folders are the pipeline (docs/architecture.md): each stage keeps its
# insides to itself and talks to the others through include/sunset/.  This
# checks what a reviewer would: every source file sits in a known stage and
# opens with a comment saying what it is for; a private header is included
# only from its own folder (and from tests); each outside library is used
# only by the stage that owns it, so the reporters never learn libyaml and
# the readers never learn libcurl; every stage is named in the architecture
# walk-through.
set -u
root=$1
cd "$root" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

stages="util table read expand chart check report format fix cluster serve cli"
for dir in src/*/; do
	stage=$(basename "$dir")
	case " $stages " in *" $stage "*) ;; *) fail "src/$stage is not a pipeline stage ($stages)" ;; esac
	grep -q "src/$stage/" docs/architecture.md || fail "docs/architecture.md does not walk through src/$stage/"
done

for f in src/*/*.c src/*/*.h include/sunset/*.h; do
	[ -f "$f" ] || continue
	head -1 "$f" | grep -q '^/\*' || fail "$f does not open with a comment saying what it is for"
done

# private headers: "folder/x.h" or a bare "x.h" that lives in src/folder/
for f in src/*/*.c src/*/*.h; do
	stage=$(basename "$(dirname "$f")")
	while read -r inc; do
		case "$inc" in
		sunset/*) [ -f "include/$inc" ] || fail "$f includes $inc, which is not a public header" ;;
		*/*) [ "${inc%%/*}" = "$stage" ] || fail "$f reaches into another stage's insides: $inc" ;;
		*) [ -f "src/$stage/$inc" ] || fail "$f includes $inc, which is not in src/$stage/" ;;
		esac
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done

# outside libraries: which stages may use them
allowed() {
	case "$1" in
	'<yaml.h>') echo "read" ;;
	'<curl/curl.h>') echo "cluster" ;;
	'<pcre2.h>') echo "chart check" ;;
	'<zlib.h>') echo "read expand" ;;
	'<jansson.h>') echo "format cluster cli fix serve" ;;
	esac
}
for lib in '<yaml.h>' '<curl/curl.h>' '<pcre2.h>' '<zlib.h>' '<jansson.h>'; do
	ok=$(allowed "$lib")
	for f in $(grep -l "^#include $lib" src/*/*.c src/*/*.h include/sunset/*.h 2>/dev/null); do
		stage=$(basename "$(dirname "$f")")
		case " $ok " in *" $stage "*) ;; *) fail "$f uses $lib, which belongs to: $ok" ;; esac
	done
done

[ "$fails" = 0 ] && echo "layout: every stage keeps to its room"
[ "$fails" = 0 ]
