#!/bin/sh
# Golden command tables (htslib .tst style). Each non-comment line of a
# .tst file is: EXIT<TAB>EXPECTED<TAB>COMMAND. COMMAND runs under
# `bash -o pipefail` in the repository root with $STRDB (the binary), $D
# (test/data) and $T (a fresh temporary directory per table); its exit code
# must be EXIT and, unless EXPECTED is '-', its stdout must equal
# test/cli/expected/EXPECTED. Prints PASS/FAIL per line.
# When COMMAND ends in a pipeline (cmd | grep ...), the last stage is the
# check and must succeed too: an error test `1 - cmd 2>&1 | grep msg` fails
# when the message is not there, though the pipeline's code is 1 either way.
# STRDB_UPDATE_GOLDEN=1 rewrites the expected files.
D=test/data
export D
for table in "$@"; do
    T=$(mktemp -d)
    export T
    n=0
    while IFS='	' read -r want expected cmd; do
        n=$((n + 1))
        case "$want" in '#'* | '') continue ;; esac
        rm -f "$T/.last"
        out=$(bash -o pipefail -c "$cmd
st=(\"\${PIPESTATUS[@]}\" \"\$?\"); n=\${#st[@]}
[ \$n -lt 3 ] || echo \"\${st[\$n-2]}\" >\"\$T/.last\"
exit \${st[\$n-1]}" 2>"$T/.stderr")
        got=$?
        name="$(basename "$table"):$n: $cmd"
        if [ -s "$T/.last" ] && [ "$(cat "$T/.last")" != 0 ]; then
            echo "FAIL $name (the check at the end of the pipeline failed)"
            sed 's/^/    /' "$T/.stderr"
            continue
        fi
        if [ "$got" != "$want" ]; then
            echo "FAIL $name (exit $got, want $want)"
            sed 's/^/    /' "$T/.stderr"
            continue
        fi
        if [ "$expected" != "-" ]; then
            file=test/cli/expected/$expected
            if [ -n "$STRDB_UPDATE_GOLDEN" ]; then printf '%s\n' "$out" >"$file"; fi
            if ! printf '%s\n' "$out" | cmp -s - "$file"; then
                echo "FAIL $name (output differs from $file)"
                printf '%s\n' "$out" | diff "$file" - | head -20 | sed 's/^/    /'
                continue
            fi
        fi
        echo "PASS $name"
    done <"$table"
    rm -rf "$T"
done
