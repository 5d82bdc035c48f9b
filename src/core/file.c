/* Whole-file reads for the parsers that need the text at once (frequency
 * tables, pedigree files, CMF messages). */
#include <stdlib.h>

#include "engine_internal.h"

int sdb_slurp(FILE *f, char **buf, size_t *len)
{
    size_t cap = 1 << 16, n = 0, k;
    char *b = malloc(cap);
    while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            char *g = realloc(b, cap *= 2);
            if (!g) free(b);
            b = g;
        }
    }
    if (!b) return SDB_ENOMEM;
    if (ferror(f)) {
        free(b);
        return SDB_EIO;
    }
    *buf = b;
    *len = n;
    return SDB_OK;
}
