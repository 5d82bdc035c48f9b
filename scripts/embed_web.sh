#!/bin/sh
# embed_web.sh FILE...: print a C file with the web page's files compiled in,
# as the table srv_assets (src/server/server.h): path "/NAME", content type,
# bytes and length.
set -eu
echo "/* generated from web/ by scripts/embed_web.sh; do not edit */"
echo "#include \"server/server.h\""
i=0
for f in "$@"; do
    echo "static const char a$i[] = {"
    od -An -v -tx1 "$f" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
    echo "0x00 };"
    i=$((i + 1))
done
echo "const srv_asset srv_assets[] = {"
i=0
for f in "$@"; do
    case "$f" in
    *.html) t="text/html; charset=utf-8" ;;
    *.js) t="text/javascript; charset=utf-8" ;;
    *.css) t="text/css; charset=utf-8" ;;
    *.json) t="application/json" ;;
    *.svg) t="image/svg+xml" ;;
    *) t="application/octet-stream" ;;
    esac
    echo "    {\"/$(basename "$f")\", \"$t\", a$i, sizeof a$i - 1},"
    i=$((i + 1))
done
echo "};"
echo "const int srv_n_assets = $i;"
