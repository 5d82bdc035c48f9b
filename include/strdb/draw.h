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

/* Draws lineage id (members of the given indexes only; NULL: all) to out.
 * The network shows at most max_nodes distinct haplotypes (the most common;
 * the caption says how many were left out). SDB_ENOTFOUND for an unknown
 * lineage or a tree view without pedigree records. */
int sdb_draw_lineage(sdb_db *db, long long id, const char *indexes, sdb_lineage_view view,
                     int max_nodes, FILE *out, sdb_diag *d) SDB_WUR;

/* Draws the pedigree around person ext_id: the descendants (with their
 * partners) of his or her ancestor `up` generations up the father's line (the
 * mother's where no father is recorded), down to `down` generations below
 * the person. Squares men, circles women, diamonds unknown sex; filled when
 * typed (a linked profile); the person marked by an arrow. */
int sdb_draw_pedigree(sdb_db *db, const char *ext_id, int up, int down, FILE *out,
                      sdb_diag *d) SDB_WUR;

#ifdef __cplusplus
}
#endif
#endif
