/* libFuzzer harness: the pedigree CSV parser and its whole-file checks
 * (make fuzz; replayed by make check). A pedigree that parses must have
 * unique ids, known sexes and parents that are not the person itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strdb/strdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sdb_pedigree *p = NULL;
    sdb_diag d;
    if (sdb_pedigree_parse(&p, "fuzz.csv", (const char *)data, size, &d)) return 0;
    for (long i = 0; i < p->n; i++) {
        const sdb_person *x = &p->persons[i];
        if (!x->id[0] || !strchr("MFU", x->sex) || (x->father && !strcmp(x->father, x->id)) ||
            (x->mother && !strcmp(x->mother, x->id)))
            abort();
        for (long j = 0; j < i; j++)
            if (!strcmp(p->persons[j].id, x->id)) abort();
    }
    sdb_pedigree_free(p);
    return 0;
}
