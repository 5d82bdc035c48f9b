#!/bin/sh
# A library others can link (issue 16): make install into a fresh prefix, then
# examples/embed.c built with `cc embed.c $(pkg-config --cflags --libs strdb)` by gcc and
# clang, against the shared library and statically, and run; only sdb_* exported; man
# pages installed; make uninstall leaves nothing. Needs $STRDB (its build directory is
# release build is installed).
. test/cli/lib.sh
B=build/rel # the release build (make check builds it first): what make install installs
P=$T/prefix
make --no-print-directory -s B="$B" NO_DEPS=1 install PREFIX="$P" >"$T/install.log" 2>&1 ||
    { echo "FAIL make install"; sed 's/^/    /' "$T/install.log"; }
check "make install PREFIX=... installs the binary, both libraries, headers, strdb.pc and man pages" \
    sh -c "[ -x '$P/bin/strdb' ] && [ -f '$P/lib/libstrdb.a' ] && [ -L '$P/lib/libstrdb.so' ] && [ -f '$P/lib/libstrdb.so.0.1.0' ] &&
           [ -f '$P/include/strdb/strdb.h' ] && [ -f '$P/lib/pkgconfig/strdb.pc' ] && [ -f '$P/share/man/man1/strdb.1' ] &&
           [ -f '$P/share/man/man1/strdb-search.1' ] && [ ! -e '$P/include/strdb/engine_internal.h' ]"
check "the shared library has soname libstrdb.so.0 and exports only sdb_* symbols" \
    sh -c "objdump -p '$P/lib/libstrdb.so.0.1.0' | grep -q 'SONAME *libstrdb.so.0' &&
           [ \$(nm -D --defined-only '$P/lib/libstrdb.so.0.1.0' | awk '{print \$3}' | grep -vc '^sdb_') = 0 ]"
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
for cc in gcc clang; do
    command -v $cc >/dev/null || { echo "FAIL $cc: not installed"; continue; }
    check "$cc links examples/embed.c against the shared library (pkg-config) and it runs" \
        sh -c "$cc -o '$T/embed-$cc-shared' examples/embed.c \$(pkg-config --cflags --libs strdb) &&
               LD_LIBRARY_PATH='$P/lib' '$T/embed-$cc-shared' '$T/$cc-shared.db' $D/NIST1036_genotypes.csv >'$T/out' &&
               grep -q 'profile ' '$T/out' && LD_LIBRARY_PATH='$P/lib' ldd '$T/embed-$cc-shared' | grep -q 'libstrdb.so.0 => $P/lib'"
    check "$cc links examples/embed.c statically (pkg-config --static) and it runs" \
        sh -c "$cc -o '$T/embed-$cc-static' examples/embed.c \$(pkg-config --cflags strdb) '$P/lib/libstrdb.a' \$(pkg-config --static --libs-only-l --libs-only-L strdb | sed 's/-lstrdb//') &&
               '$T/embed-$cc-static' '$T/$cc-static.db' $D/NIST1036_genotypes.csv >'$T/out' && grep -q 'profile ' '$T/out' &&
               ! ldd '$T/embed-$cc-static' | grep -q libstrdb"
done
make --no-print-directory -s B="$B" NO_DEPS=1 uninstall PREFIX="$P" >>"$T/install.log" 2>&1
check "make uninstall removes every installed file" \
    sh -c "[ -z \"\$(find '$P' -type f -o -type l)\" ]"
