#!/bin/sh
# embed.sh SYMBOL FILE: print a C file defining `const char SYMBOL[]` (the
# bytes of FILE plus a NUL) and `const size_t SYMBOL_len` (without the NUL).
set -eu
sym=$1
file=$2
echo "/* generated from $file by scripts/embed.sh; do not edit */"
echo "#include <stddef.h>"
echo "const char ${sym}[] = {"
od -An -v -tx1 "$file" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
echo "0x00 };"
echo "const size_t ${sym}_len = sizeof ${sym} - 1;"
