# fish completion for sunset: commands, each command's options (as
# `sunset CMD --help` lists them, from src/cli/options.c) with their values:
# formats, columns, sources, component ids (asked of the sunset being
# completed), kubeconfig contexts, files.  Installed as
# share/fish/vendor_completions.d/sunset.fish; tests/scripts/completions.sh
# keeps the lists in sync with the code.

function __sunset_needs_command
    set -l words (commandline -opc)
    test (count $words) -eq 1
end

# true when the command being completed is one of $argv ("-" means scan)
function __sunset_using
    set -l words (commandline -opc)
    test (count $words) -gt 1; or return 1
    set -l cmd $words[2]
    test "$cmd" = -; and set cmd scan
    contains -- $cmd $argv
end

# the component ids of the tables the sunset being completed carries
function __sunset_component_ids
    set -l words (commandline -opc)
    $words[1] version 2>/dev/null | tail -n +3 | string replace -r ' .*' ''
end

# completes the item after the last comma of a comma-separated list
function __sunset_comma_list
    set -l token (commandline -ct)
    set -l head (string replace -r '[^,]*$' '' -- $token)
    for item in $argv
        printf '%s%s\n' $head $item
    end
end

function __sunset_targets
    set -l token (commandline -ct)
    set -l head (string replace -r '[^,]*$' '' -- $token)
    for id in (__sunset_component_ids)
        printf '%s%s=\n' $head $id
    end
end

function __sunset_contexts
    command -q kubectl; and kubectl config get-contexts -o name 2>/dev/null
end

set -l formats text wide json yaml csv markdown sarif junit github
set -l columns location file line column name object-name namespace kind version replacement status \
    deprecated-in removed-in replacement-available-in target component source template release manager \
    detail message verb user agent resource count first-seen last-seen request-uri
set -l sources last-applied managed-fields helm-release apiserver-metrics

complete -c sunset -f
complete -c sunset -n __sunset_needs_command -a scan -d 'files, directories or stdin'
complete -c sunset -n __sunset_needs_command -a cluster -d 'a live cluster'
complete -c sunset -n __sunset_needs_command -a audit -d 'kube-apiserver audit logs'
complete -c sunset -n __sunset_needs_command -a versions -d 'print the tables'
complete -c sunset -n __sunset_needs_command -a version -d 'tool and table versions'
complete -c sunset -n __sunset_needs_command -s h -l help -d 'show the help'

# every command
complete -c sunset -n '__sunset_using scan cluster audit versions version' -s h -l help -d 'show the help'

# scan and cluster
complete -c sunset -n '__sunset_using scan cluster' -l all-revisions -d 'every Helm release revision, not only the newest'
complete -c sunset -n '__sunset_using scan cluster' -l annotation -x -d 'another annotation holding an applied manifest'
complete -c sunset -n '__sunset_using scan cluster' -l baseline -r -F -d 'findings in FILE are known: shown, not failing'
complete -c sunset -n '__sunset_using scan cluster' -l columns -x -a "(__sunset_comma_list $columns)" -d 'columns for text, wide, csv and markdown'
complete -c sunset -n '__sunset_using scan cluster' -l components -x -a '(__sunset_comma_list (__sunset_component_ids) crd)' -d 'only these components'
complete -c sunset -n '__sunset_using scan cluster' -l config -r -F -d 'settings file instead of ./.sunset.yaml'
complete -c sunset -n '__sunset_using scan cluster' -l ignore-deprecations -d 'do not exit 2 for deprecated APIs'
complete -c sunset -n '__sunset_using scan cluster' -l ignore-errors -d 'do not exit 1 for unreadable inputs'
complete -c sunset -n '__sunset_using scan cluster' -l ignore-removals -d 'do not exit 3 for removed APIs'
complete -c sunset -n '__sunset_using scan cluster' -l ignore-unavailable-replacements -d 'do not exit 4 when a replacement is not yet served'
complete -c sunset -n '__sunset_using scan cluster' -l checks -x -a 'api rules api,rules' -d 'which checks run'
complete -c sunset -n '__sunset_using scan cluster' -s j -l jobs -x -d 'worker threads'
complete -c sunset -n '__sunset_using scan cluster' -l no-color -d 'never colour the output'
complete -c sunset -n '__sunset_using scan cluster' -l no-headers -d 'rows only, no header line'
complete -c sunset -n '__sunset_using scan cluster' -s r -l only-removed -d 'only report removed APIs'
complete -c sunset -n '__sunset_using scan cluster' -s o -l output -x -a "$formats" -d 'report format'
complete -c sunset -n '__sunset_using scan cluster' -l output-file -r -F -d 'write the report to FILE, not stdout'
complete -c sunset -n '__sunset_using scan cluster' -s q -l quiet -d 'no report on stdout, no summary line'
complete -c sunset -n '__sunset_using scan cluster' -l strict -d 'exit 1 for unreadable inputs even when APIs were found'
complete -c sunset -n '__sunset_using scan cluster' -l table -r -F -d 'extra table rows (ours or pluto\'s format)'
complete -c sunset -n '__sunset_using scan cluster' -s t -l target -x -a '(__sunset_targets)' -d 'target versions, e.g. k8s=1.33'
complete -c sunset -n '__sunset_using scan cluster' -l write-baseline -r -F -d 'write the current findings to FILE as a baseline'

# scan: paths
complete -c sunset -n '__sunset_using scan' -F
complete -c sunset -n '__sunset_using scan' -l stdin-name -x -d 'file name to report for -'

# cluster
complete -c sunset -n '__sunset_using cluster' -l chunk-size -x -d 'objects per list page'
complete -c sunset -n '__sunset_using cluster' -l context -x -a '(__sunset_contexts)' -d 'kubeconfig context'
complete -c sunset -n '__sunset_using cluster' -l kubeconfig -r -F -d 'kubeconfig file'
complete -c sunset -n '__sunset_using cluster' -s n -l namespace -x -d 'only this namespace'
complete -c sunset -n '__sunset_using cluster' -l request-timeout -x -d 'timeout for each API request (seconds)'
complete -c sunset -n '__sunset_using cluster' -l timeout -x -d 'bound for the whole run (duration)'
complete -c sunset -n '__sunset_using cluster' -l sources -x -a "(__sunset_comma_list $sources)" -d 'what to read'

# versions
complete -c sunset -n '__sunset_using versions' -l component -x -a '(__sunset_component_ids)' -d 'only this component\'s rows'
complete -c sunset -n '__sunset_using versions' -l deprecated-in -x -d 'only rows deprecated in VER'
complete -c sunset -n '__sunset_using versions' -l no-color -d 'never colour the output'
complete -c sunset -n '__sunset_using versions' -s o -l output -x -a 'text json markdown' -d 'output format'
complete -c sunset -n '__sunset_using versions' -l removed-in -x -d 'only rows removed in VER'
complete -c sunset -n '__sunset_using versions' -l rules -d 'list the rules, not the API rows'
complete -c sunset -n '__sunset_using versions' -l table -r -F -d 'extra table rows'

# audit
complete -c sunset -n '__sunset_using audit' -F
complete -c sunset -n '__sunset_using audit' -l by -x -a namespace -d 'also aggregate by namespace'
complete -c sunset -n '__sunset_using audit' -l columns -x -a "(__sunset_comma_list $columns)" -d 'columns for text, wide, csv and markdown'
complete -c sunset -n '__sunset_using audit' -l components -x -a '(__sunset_comma_list (__sunset_component_ids) crd)' -d 'only these components'
complete -c sunset -n '__sunset_using audit' -l exclude-agent -x -d 'skip requests whose user agent matches GLOB'
complete -c sunset -n '__sunset_using audit' -l exclude-user -x -d 'skip requests whose user matches GLOB'
complete -c sunset -n '__sunset_using audit' -l ignore-deprecations -d 'do not exit 2 for deprecated APIs'
complete -c sunset -n '__sunset_using audit' -l ignore-errors -d 'do not exit 1 for unreadable inputs'
complete -c sunset -n '__sunset_using audit' -l ignore-removals -d 'do not exit 3 for removed APIs'
complete -c sunset -n '__sunset_using audit' -l ignore-unavailable-replacements -d 'do not exit 4 when a replacement is not yet served'
complete -c sunset -n '__sunset_using audit' -s j -l jobs -x -d 'worker threads'
complete -c sunset -n '__sunset_using audit' -l max-keys -x -d 'distinct aggregation keys kept'
complete -c sunset -n '__sunset_using audit' -l no-color -d 'never colour the output'
complete -c sunset -n '__sunset_using audit' -l no-headers -d 'rows only, no header line'
complete -c sunset -n '__sunset_using audit' -s r -l only-removed -d 'only report removed APIs'
complete -c sunset -n '__sunset_using audit' -s o -l output -x -a "$formats" -d 'report format'
complete -c sunset -n '__sunset_using audit' -l output-file -r -F -d 'write the report to FILE, not stdout'
complete -c sunset -n '__sunset_using audit' -s q -l quiet -d 'no report on stdout, no summary line'
complete -c sunset -n '__sunset_using audit' -l since -x -d 'only requests at or after TIME'
complete -c sunset -n '__sunset_using audit' -l stdin-name -x -d 'file name to report for -'
complete -c sunset -n '__sunset_using audit' -l strict -d 'exit 1 for unreadable inputs even when APIs were found'
complete -c sunset -n '__sunset_using audit' -l table -r -F -d 'extra table rows'
complete -c sunset -n '__sunset_using audit' -s t -l target -x -a '(__sunset_targets)' -d 'target versions, e.g. k8s=1.33'
complete -c sunset -n '__sunset_using audit' -l until -x -d 'only requests before TIME'
