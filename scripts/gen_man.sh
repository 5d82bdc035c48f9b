#!/bin/sh
# gen_man.sh STRDB VERSION DIR: man pages from --help: DIR/strdb.1 (the command list) and
# DIR/strdb-COMMAND.1 for each subcommand (its usage and text, verbatim).
set -eu
S=$1 V=$2 D=$3
esc() { sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\&'/"; }
{
    echo ".TH STRDB 1 \"\" \"strdb $V\" \"strdb manual\""
    echo ".SH NAME"
    echo "strdb \\- forensic DNA profile database and search engine"
    echo ".SH SYNOPSIS"
    echo ".B strdb"
    echo "COMMAND [options]"
    echo ".SH COMMANDS"
    echo ".nf"
    "$S" --help 2>&1 | esc
    echo ".fi"
    echo ".SH SEE ALSO"
    "$S" --help 2>&1 | awk '/^  [a-z]/{print $1}' | sed 's/.*/strdb-&(1)/' | paste -sd, - | sed 's/,/, /g'
} >"$D/strdb.1"
for c in $("$S" --help 2>&1 | awk '/^  [a-z]/{print $1}'); do
    {
        echo ".TH STRDB-$(echo "$c" | tr a-z A-Z) 1 \"\" \"strdb $V\" \"strdb manual\""
        echo ".SH NAME"
        echo "strdb-$c \\- $("$S" --help 2>&1 | awk -v c="$c" '$1 == c {$1 = ""; sub(/^ +/, ""); print}')"
        echo ".SH DESCRIPTION"
        echo ".nf"
        "$S" "$c" --help 2>&1 | esc
        echo ".fi"
        echo ".SH SEE ALSO"
        echo "strdb(1)"
    } >"$D/strdb-$c.1"
done
