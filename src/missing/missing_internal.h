/* Private to the library: missing-person families and remains from the
 * store, for the session layer (src/governance/session_mp.c). */
#ifndef STRDB_MISSING_INTERNAL_H
#define STRDB_MISSING_INTERNAL_H

#include "engine_internal.h"
#include "strdb/missing.h"

/* The stored families (family: that one only; case_ref: those of the case;
 * else all), each member's first autosomal profile of ref_indexes (a comma
 * list) as its reference; missing persons stay untyped. SDB_ENOTFOUND when
 * no family matches a name or case. */
int sdb_mp_load_families(sdb_db *db, const char *family, const char *case_ref,
                         const char *ref_indexes,
                         sdb_mp_family **out, int *n, sdb_diag *d) SDB_WUR;

/* The autosomal profiles of indexes (samples: a comma list of sample ids,
 * those only), in store order. SDB_ENOTFOUND when a sample named is not
 * among them. */
int sdb_mp_load_remains(sdb_db *db, const char *indexes, const char *samples, sdb_profile **out,
                        long *n, sdb_diag *d) SDB_WUR;

#endif
