# bash completion for sunset: commands, each command's options (as
# `sunset CMD --help` lists them, from src/cli/options.c), and their values:
# formats, columns, sources, component ids (asked of the sunset being
# completed, so --table rows' components come too), kubeconfig contexts,
# files.  Needs no bash-completion helpers.  Installed as
# share/bash-completion/completions/sunset; tests/scripts/completions.sh keeps
# the lists in sync with the code.

_sunset_opts_checks='--all-revisions --annotation --baseline --checks --columns --components --config --help
	--ignore-deprecations --ignore-errors --ignore-removals --ignore-unavailable-replacements --jobs
	--no-color --no-headers --only-removed --output --output-file --quiet --strict --table --target
	--write-baseline -h -j -o -q -r -t'
_sunset_opts_scan='--stdin-name'
_sunset_opts_cluster='--chunk-size --context --kubeconfig --namespace --request-timeout --sources --timeout -n'
_sunset_opts_versions='--component --deprecated-in --help --no-color --output --removed-in --rules --table -h -o'
_sunset_opts_version='--help -h'
_sunset_opts_audit='--by --columns --components --exclude-agent --exclude-user --help
	--ignore-deprecations --ignore-errors --ignore-removals --ignore-unavailable-replacements --jobs
	--max-keys --no-color --no-headers --only-removed --output --output-file --quiet --since
	--stdin-name --strict --table --target --until -h -j -o -q -r -t'
_sunset_formats='text wide json yaml csv markdown sarif junit github'
_sunset_columns='location file line column name object-name namespace kind version replacement status
	deprecated-in removed-in replacement-available-in target component source template release manager
	detail message verb user agent resource count first-seen last-seen request-uri'
_sunset_sources='last-applied managed-fields helm-release apiserver-metrics'

# The component ids of the tables the sunset being completed carries.
_sunset_components() {
	"$1" version 2>/dev/null | awk 'NR > 2 { print $1 }'
}

# COMPREPLY from a comma-separated list: completes the item after the last comma.
_sunset_comma_list() {
	local cur=$1 words=$2 head='' item
	if [[ $cur == *,* ]]; then
		head=${cur%,*},
	fi
	COMPREPLY=()
	for item in $(compgen -W "$words" -- "${cur##*,}"); do
		COMPREPLY+=("$head$item")
	done
	[ ${#COMPREPLY[@]} -eq 1 ] && compopt -o nospace 2>/dev/null
	return 0
}

_sunset() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' cmd='' opts
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# "--output=js": bash splits at "=" (COMP_WORDBREAKS)
	if [ "$cur" = = ] && [[ $prev == --* ]]; then
		cur=''
	elif [ "$prev" = = ] && [ "$COMP_CWORD" -gt 1 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	COMPREPLY=()

	if [ "$COMP_CWORD" -eq 1 ]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W '--help -h' -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W 'scan cluster audit versions version' -- "$cur")
		fi
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	[ "$cmd" = - ] && cmd=scan

	case $prev in
	-o | --output)
		if [ "$cmd" = versions ]; then
			mapfile -t COMPREPLY < <(compgen -W 'text json markdown' -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$_sunset_formats" -- "$cur")
		fi
		return 0
		;;
	--columns)
		_sunset_comma_list "$cur" "$_sunset_columns"
		return 0
		;;
	--sources)
		_sunset_comma_list "$cur" "$_sunset_sources"
		return 0
		;;
	--components)
		_sunset_comma_list "$cur" "$(_sunset_components "${COMP_WORDS[0]}") crd"
		return 0
		;;
	--component)
		mapfile -t COMPREPLY < <(compgen -W "$(_sunset_components "${COMP_WORDS[0]}")" -- "$cur")
		return 0
		;;
	-t | --target)
		local ids item
		ids=$(_sunset_components "${COMP_WORDS[0]}")
		COMPREPLY=()
		for item in $(compgen -W "$(printf '%s= ' $ids)" -- "${cur##*,}"); do
			COMPREPLY+=("${cur%"${cur##*,}"}$item")
		done
		compopt -o nospace 2>/dev/null
		return 0
		;;
	--context)
		command -v kubectl >/dev/null 2>&1 &&
			mapfile -t COMPREPLY < <(compgen -W "$(kubectl config get-contexts -o name 2>/dev/null)" -- "$cur")
		return 0
		;;
	--table | --baseline | --write-baseline | --config | --kubeconfig | --output-file)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	--by)
		mapfile -t COMPREPLY < <(compgen -W 'namespace' -- "$cur")
		return 0
		;;
	--since | --until | --exclude-user | --exclude-agent | --max-keys | \
		--annotation | --jobs | -j | --stdin-name | --namespace | -n | --request-timeout | --timeout | --chunk-size | \
		--deprecated-in | --removed-in)
		return 0
		;;
	esac

	case $cmd in
	scan) opts="$_sunset_opts_checks $_sunset_opts_scan" ;;
	cluster) opts="$_sunset_opts_checks $_sunset_opts_cluster" ;;
	audit) opts=$_sunset_opts_audit ;;
	versions) opts=$_sunset_opts_versions ;;
	version) opts=$_sunset_opts_version ;;
	*) return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	elif [ "$cmd" = scan ] || [ "$cmd" = audit ]; then
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
	return 0
}

complete -F _sunset sunset
