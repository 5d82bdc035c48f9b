/* strdb: allele codes.
 *
 * An allele is a 32-bit integer, never a float: the repeat number times ten
 * plus the microvariant digit ("9.3" -> 93, "10" -> 100, "17.2" -> 172).
 * Codes above SDB_ALLELE_NUMERIC_MAX are reserved for the symbols below, and
 * sort after every numeric allele (so X < Y < OL < wildcard).
 */
#ifndef STRDB_ALLELE_H
#define STRDB_ALLELE_H

#include <stddef.h>
#include <stdint.h>
#include "strdb/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t sdb_allele;

#define SDB_ALLELE_NUMERIC_MAX 9999 /* repeat 999.9 */
#define SDB_ALLELE_X 0xFFF0         /* Amelogenin X */
#define SDB_ALLELE_Y 0xFFF1         /* Amelogenin Y */
#define SDB_ALLELE_OL 0xFFFD        /* off-ladder: present but not sized to a ladder allele */
#define SDB_ALLELE_ANY 0xFFFE       /* wildcard ("F" or "*"): matches any allele */
#define SDB_ALLELE_STRLEN 8         /* longest formatted allele plus NUL */

/* Parses one allele from s[0..len) (surrounding blanks allowed): digits with
 * at most one '.' and exactly one digit after it, or OL, F, *, X, Y (any case).
 * Returns SDB_OK or SDB_EINVAL; *out is set only on success. */
int sdb_allele_parse(const char *s, size_t len, sdb_allele *out) SDB_WUR;

/* Writes the canonical text of a ("9.3", "10", "OL", "*", "X") into buf,
 * which must hold SDB_ALLELE_STRLEN bytes. Returns the length, or
 * SDB_EINVAL for a code that is not a valid allele (buf then holds "?"). */
int sdb_allele_format(sdb_allele a, char *buf);

/* 1 if a is a numeric repeat allele, 0 for symbols. */
static inline int sdb_allele_is_numeric(sdb_allele a)
{
    return a >= 0 && a <= SDB_ALLELE_NUMERIC_MAX;
}

/* 1 if a is any valid code (numeric or a reserved symbol). */
int sdb_allele_is_valid(sdb_allele a);

#ifdef __cplusplus
}
#endif
#endif
