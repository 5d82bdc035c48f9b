/* strdb: pictures — SVG drawings of a lineage (haplotype network or paternal
 * family tree) and of a pedigree (the usual symbols). Deterministic: the
 * same store gives the same bytes. docs/lineage.md and docs/pedigree.md show
 * what each element means. */
#ifndef STRDB_DRAW_H
#define STRDB_DRAW_H

#include <stdio.h>

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

#ifdef __cplusplus
}
#endif
#endif
