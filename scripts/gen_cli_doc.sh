#!/bin/sh
# Writes docs/cli.md to stdout from docs/src/cli-head.md, every subcommand's
# --help text, and docs/src/cli-tail.md. A CLI test checks that the committed
# docs/cli.md is what this prints, so the reference cannot drift from --help.
set -eu
S=${1:-build/rel/strdb}
cat docs/src/cli-head.md
for c in init import export show stat loci audit expunge policy retention consent subject-report user rules search ysearch pairs familial lineage pedigree mp simulate freq rmp kinship paternity yfreq meioses; do
    printf '## strdb %s\n\n```\n' "$c"
    "$S" "$c" --help
    printf '```\n\n'
done
cat docs/src/cli-tail.md
