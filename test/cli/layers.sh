#!/bin/sh
# The layer picture of DESIGN.md, checked on the source and the archive:
# the public API reaches a database only through sessions, the command-line
# tool includes only public headers, a module includes another module's
# *_internal.h only where it is a listed friend, and libstrdb.a exports only
# sdb_* symbols. Needs $STRDB (libstrdb.a beside it); prints PASS/FAIL lines.
. test/cli/lib.sh
LIB=$(dirname "$S")/libstrdb.a

# Prototypes of the public headers, one per line (comments and bodies dropped).
protos() {
    cat include/strdb/*.h | sed 's|/\*.*\*/||' | awk '
        /\/\*/ { c = 1 } c { if (/\*\//) c = 0; next }
        /^#/ || /^extern "C"/ || /^}$/ { next }
        { printf "%s ", $0 } /;/ { print "" }' | grep -E '^ *[a-z_ ]+[ *]+sdb_[a-z0-9_]+\(' || true
}
protos >"$T/protos"

check "the public headers declare functions (the scan below sees them)" \
    sh -c "[ \$(wc -l <'$T/protos') -gt 150 ]"
check "no public function takes a database handle: a database is reached through a session" \
    sh -c "! grep -E '\\(.*sdb_db \\*|, *sdb_db \\*' '$T/protos'"
check "no public function builds or loads an index from a database or a snapshot file" \
    sh -c "! grep -E 'sdb_idx_(build|load)\\(|sdb_idx_save\\(' '$T/protos'"
check "an index is built only from the caller's own profiles" \
    sh -c "grep -E 'sdb_idx \\*\\*out' '$T/protos' | grep -oE 'sdb_[a-z_]+\\(' | sort | tr -d '\\n' | grep -qx 'sdb_idx_build_profiles(sdb_idx_build_source('"

# Every function of the engine-internal header stays out of include/strdb/.
grep -oE '^[a-z_ ]+[ *]+sdb_[a-z0-9_]+\(' src/engine_internal.h | sed 's/.*\(sdb_[a-z0-9_]*\)($/\1/' >"$T/engine"
check "engine-internal functions listed (src/engine_internal.h)" sh -c "[ \$(wc -l <'$T/engine') -gt 40 ]"
check "no engine-internal function is declared in a public header" \
    sh -c "! grep -owFf '$T/engine' '$T/protos'"
check "make install installs include/strdb only (engine_internal.h is not installed)" \
    sh -c "grep -A14 '^install:' Makefile | grep -q 'include/strdb/\\*.h' && ! grep -A14 '^install:' Makefile | grep -q src/"

# Every public function that hands out profiles or search results of a
# database is a session function.
check "every public function returning profile data of a database takes a session" \
    sh -c "grep -E 'sdb_profile_fn|sdb_result \\*|sdb_lineage_result \\*|sdb_pairs_ids \\*|sdb_row_fn' '$T/protos' | grep -v 'sdb_session \\*s' | grep -vE 'sdb_(result|pairs_ids|lineage_result)_free\\(' | { ! grep .; }"

check "the CLI includes only public headers (cli.h, strdb/*.h, system headers)" \
    sh -c "! grep -hE '^#include \"' src/cli/*.c src/cli/*.h | grep -vE '\"(cli\\.h|strdb/[a-z]+\\.h)\"'"
check "the server includes only public headers (server.h, cli/cli.h, strdb/*.h, system headers)" \
    sh -c "! grep -hE '^#include \"' src/server/*.c src/server/*.h | grep -vE '\"(server\\.h|cli/cli\\.h|strdb/[a-z]+\\.h)\"'"
check "the server runs no SQL and appends no audit record of its own" \
    sh -c "! grep -lE 'sqlite3|sdb_db_sqlite|sdb_audit_(append|touch)' src/server/*.c src/server/*.h"
check "the CLI runs no SQL of its own" sh -c "! grep -lE 'sqlite3|sdb_db_sqlite' src/cli/*.c src/cli/*.h"
check "the CLI appends no audit record of its own" sh -c "! grep -lE 'sdb_audit_(append|touch)' src/cli/*.c"

# IMPORTANT: the friends of each module's internal header (DESIGN.md layers).
friends='draw:store stats:io governance:store search:index familial:index lineage:index lineage:store governance:missing missing:store'
bad=
for f in src/*/*.c src/*/*.h; do
    mod=$(basename "$(dirname "$f")")
    for inc in $(grep -oE '#include "[a-z]+/[a-z]+_internal\.h"' "$f" | sed 's/.*"\([a-z]*\)\/.*/\1/'); do
        [ "$inc" = "$mod" ] && continue
        case " $friends " in *" $mod:$inc "*) ;; *) bad="$bad $f:$inc" ;; esac
    done
done
check "no include of another module's *_internal.h outside its friends ($friends)" \
    sh -c "[ -z '$bad' ] || { echo 'not friends:$bad'; false; }"
check "the CLI does not include the engine-internal header" \
    sh -c "! grep -l 'engine_internal' src/cli/*"
check "examples/embed.c uses the public API only" sh -c "! grep -E '_internal|sdb_db\\b' examples/embed.c"

nm -g --defined-only "$LIB" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$T/syms"
check "nm -g libstrdb.a finds exported symbols" sh -c "[ \$(wc -l <'$T/syms') -gt 150 ]"
check "libstrdb.a exports only sdb_* symbols" \
    sh -c "! grep -vE '^(sdb_|__odr_asan|__asan|__ubsan)' '$T/syms'"
