/* strdb: pictures — SVG drawings of a lineage (haplotype network or paternal
 * family tree) and of a pedigree (the usual symbols). Deterministic: the
 * same store gives the same bytes. docs/lineage.md and docs/pedigree.md show
 * what each element means. */
#ifndef STRDB_DRAW_H
#define STRDB_DRAW_H

#include <stdio.h>

#include "strdb/missing.h"
#include "strdb/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a lineage drawing shows. */
typedef enum sdb_lineage_view {
    SDB_VIEW_AUTO,    /* the family tree when members have pedigree records, else the network */
    SDB_VIEW_NETWORK, /* distinct haplotypes, a spanning tree of fewest differences */
    SDB_VIEW_TREE,    /* the paternal family trees of the members */
} sdb_lineage_view;

/* A missing-person family as SVG: generations down, couples joined, typed
 * references filled (their sample ids below), missing persons ringed and
 * marked "?", caption (may be NULL: e.g. the best candidate and its LR)
 * at the foot. Draws no genotype. SDB_ENOMEM. */
int sdb_draw_family(const sdb_mp_family *f, const char *caption, FILE *out, sdb_diag *d) SDB_WUR;

#ifdef __cplusplus
}
#endif
#endif
