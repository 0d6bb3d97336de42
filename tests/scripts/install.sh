#!/usr/bin/env bash
# cmake --install puts every file where its tool looks, and each tool finds
# it there: the binary; kubectl-sunset, a relative link to it, which
# `kubectl plugin list` lists and `kubectl sunset` runs (kubectl passes the
# exit code through); the man page, found by `man -w` on the prefix's
# MANPATH and rendered; the bash completion, named for bash-completion's
# loader; the zsh one, registered by compinit from site-functions; the fish
# one, loaded from vendor_completions.d; the Helm plugin.  Also under
# DESTDIR (nothing outside it) and over an earlier install.  The README's
# Integrations section lists exactly the installed files.  Installs from
# the build directory holding SUNSET_BINARY.
set -u
root=$1 bin=$2
root=$(cd "$root" && pwd) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
build=$(dirname "$bin")
[ -f "$build/cmake_install.cmake" ] || { echo "SKIP: $build is not a CMake build directory"; exit 77; }
command -v cmake >/dev/null || { echo "SKIP: no cmake"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cmake --install "$build" --prefix "$tmp/p" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; echo "FAIL: cmake --install"; exit 1; }
p=$tmp/p
# installed file, its source
while read -r dest src mode; do
	[ -f "$p/$dest" ] || { fail "$dest is not installed"; continue; }
	cmp -s "$p/$dest" "$root/$src" || fail "$dest differs from $src"
	[ "$mode" = x ] && { [ -x "$p/$dest" ] || fail "$dest is not executable"; }
done <<'EOF'
share/man/man1/sunset.1 docs/sunset.1 -
share/bash-completion/completions/sunset completions/sunset.bash -
share/zsh/site-functions/_sunset completions/_sunset -
share/fish/vendor_completions.d/sunset.fish completions/sunset.fish -
share/sunset/helm-sunset/plugin.yaml plugins/helm/plugin.yaml -
share/sunset/helm-sunset/sunset.sh plugins/helm/sunset.sh x
EOF
# the README's Integrations section lists exactly what is installed
listed=$(sed -n '/^## Integrations/,/^## /s/^ *PREFIX\///p' "$root/README.md" | sort)
installed=$(cd "$p" && find . -type f -o -type l | sed 's|^\./||' | sort)
[ -n "$listed" ] && [ "$listed" = "$installed" ] ||
	fail "README's Integrations lists: $(echo $listed); installed: $(echo $installed)"
[ -x "$p/bin/sunset" ] && "$p/bin/sunset" version | grep -q '^sunset ' || fail "bin/sunset does not run"
[ -L "$p/bin/kubectl-sunset" ] && [ "$(readlink "$p/bin/kubectl-sunset")" = sunset ] ||
	fail "bin/kubectl-sunset is not a link to sunset: $(ls -l "$p/bin/kubectl-sunset" 2>&1)"
grep -qx "$p/bin/kubectl-sunset" "$build/install_manifest.txt" || fail "kubectl-sunset is not in install_manifest.txt"
(cd "$root" && "$p/bin/kubectl-sunset" scan -q fixtures/demo); rc=$?
[ "$rc" = 3 ] || fail "kubectl-sunset scan fixtures/demo: exit $rc, want 3"

# kubectl finds the plugin on PATH and runs it with the arguments after "sunset"
if command -v kubectl >/dev/null; then
	kubectl=$(command -v kubectl)
	mkdir -p "$tmp/kbin" && ln -s "$kubectl" "$tmp/kbin/kubectl"
	out=$(cd "$tmp" && HOME=$tmp PATH=$p/bin:$tmp/kbin "$kubectl" plugin list 2>&1)
	printf '%s\n' "$out" | grep -qx "$p/bin/kubectl-sunset" || fail "kubectl plugin list: $out"
	out=$(HOME=$tmp PATH=$p/bin:$tmp/kbin kubectl sunset version 2>&1) && [ "${out%%$'\n'*}" = "$("$bin" version | head -1)" ] ||
		fail "kubectl sunset version: $out"
	(cd "$root" && HOME=$tmp PATH=$p/bin:$tmp/kbin kubectl sunset scan -q fixtures/demo); rc=$?
	[ "$rc" = 3 ] || fail "kubectl sunset scan fixtures/demo: exit $rc, want 3"
else
	echo "note: no kubectl; checked the link only"
fi

# man finds the page under the prefix and renders it
if command -v man >/dev/null && command -v groff >/dev/null; then
	where=$(MANPATH=$p/share/man man -w sunset 2>&1)
	[ "$where" = "$p/share/man/man1/sunset.1" ] || fail "man -w sunset: $where"
	MANPATH=$p/share/man MANWIDTH=80 LC_ALL=C.UTF-8 man sunset 2>"$tmp/man.err" | grep -q '^NAME' ||
		fail "man sunset: $(cat "$tmp/man.err")"
fi

# each shell loads its completion from where it was installed
out=$(bash --norc --noprofile -c "source '$p/share/bash-completion/completions/sunset' && complete -p sunset" 2>&1)
[ "$out" = "complete -F _sunset sunset" ] || fail "bash: $out"
if command -v zsh >/dev/null; then
	out=$(HOME=$tmp zsh -f -c "fpath=('$p/share/zsh/site-functions' \$fpath); autoload -U compinit; compinit -u -d '$tmp/zcompdump'; print -r -- \$_comps[sunset] \$_comps[kubectl-sunset]" 2>&1)
	[ "$out" = "_sunset _sunset" ] || fail "zsh compinit: $out"
fi
if command -v fish >/dev/null; then
	out=$(HOME=$tmp PATH=$p/bin:$PATH fish --no-config -c "set -p fish_complete_path '$p/share/fish/vendor_completions.d'; complete -C 'sunset vers'" 2>&1 | cut -f1 | sort | tr '\n' ' ')
	[ "$out" = "version versions " ] || fail "fish: $out"
fi

# again over the first install: the link is replaced, nothing fails
cmake --install "$build" --prefix "$p" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "a second cmake --install"; }
[ "$(readlink "$p/bin/kubectl-sunset")" = sunset ] || fail "kubectl-sunset after a second install"

# DESTDIR: everything below it, the link still relative
before=$(ls -ld /usr/local/bin/kubectl-sunset 2>&1)
DESTDIR=$tmp/d cmake --install "$build" --prefix /usr/local >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "DESTDIR install"; }
[ -x "$tmp/d/usr/local/bin/sunset" ] || fail "DESTDIR: no bin/sunset"
[ "$(readlink "$tmp/d/usr/local/bin/kubectl-sunset")" = sunset ] || fail "DESTDIR: kubectl-sunset"
[ -f "$tmp/d/usr/local/share/man/man1/sunset.1" ] || fail "DESTDIR: no man page"
[ "$(ls -ld /usr/local/bin/kubectl-sunset 2>&1)" = "$before" ] || fail "DESTDIR install wrote /usr/local/bin/kubectl-sunset"

[ "$fails" = 0 ] || exit 1
echo "ok: cmake --install"
