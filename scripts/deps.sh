#!/bin/sh
# Install the Debian packages strdb needs, if any is missing. Called by `make`
# before building; does nothing when everything is present. Runs apt-get as
# root (or through sudo when available).
set -eu
# chromium: the browser tests open the SVG drawings headless (test/cli/relatives.sh).
# libmicrohttpd (with GnuTLS) and curl: strdb serve and its tests (test/server);
# pango and cairo: the PDF case report (strdb report), poppler-utils: its test reads it back;
# libxml2: CODIS CMF messages (xmllint validates the exported ones in the tests);
# libzint: sample labels (strdb intake label); zbar-tools and dmtx-utils decode them in the tests.
PKGS="build-essential pkg-config sqlite3 libsqlite3-dev libjansson-dev libsodium-dev libcmocka-dev chromium libmicrohttpd-dev curl openssl clang libpango1.0-dev libcairo2-dev poppler-utils libxml2-dev libxml2-utils libzint-dev zbar-tools dmtx-utils"
# clang: test/cli/install.sh links the installed library with it; with its runtimes it
# also builds the libFuzzer harnesses (`make fuzz`).
if [ "${STRDB_FUZZ_DEPS:-0}" = 1 ]; then PKGS="$PKGS clang libclang-rt-14-dev"; fi
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "[deps] installing:$missing" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq $missing >&2
