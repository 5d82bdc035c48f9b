/* strdb: paternal lineages — connected components of the graph that links
 * two Y haplotypes differing at no more than K loci (and S repeat steps),
 * plus the father-son links of the pedigree store.
 *
 * The pairs are found with the pigeonhole block join: the loci two
 * haplotypes both type are split into K + 1 blocks; two haplotypes within K
 * differing loci agree exactly on at least one block, so only haplotypes that
 * share a block's key are compared. Identical haplotypes are merged first.
 * The partition equals that of comparing every pair (tested). docs/lineage.md.
 */
#ifndef STRDB_LINEAGE_H
#define STRDB_LINEAGE_H

#include "strdb/index.h"
#include "strdb/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sdb_lineage_opts {
    int max_loci;  /* differing loci for a direct link (default 2) */
    int max_steps; /* total repeat steps for a direct link (default -1: any) */
    int min_loci;  /* loci typed in both for a link (default 10) */
    int threads;   /* default 2 */
} sdb_lineage_opts;

void sdb_lineage_opts_init(sdb_lineage_opts *o);

typedef struct sdb_lineage_stats {
    long rows, unique;     /* haplotypes, distinct haplotypes */
    long candidates;       /* pairs that shared a block key and were compared */
    long links;            /* of which within the limits */
    long extra_links;      /* links given by the caller (pedigrees) */
    long components;
} sdb_lineage_stats;

/* Partitions the rows of a Y index. On return comp[r] is the smallest row
 * of r's component. extra: n_extra row pairs linked in any case (father-son
 * links). fresh: NULL for a full clustering; else only pairs with at least one
 * fresh row are looked for, and comp[] on entry holds the previous partition
 * of the other rows (any label shared by the rows of a component): the
 * incremental join. */
int sdb_lineage_cluster(const sdb_idx *x, const sdb_lineage_opts *o, const long (*extra)[2],
                        long n_extra, const uint8_t *fresh, long *comp, sdb_lineage_stats *st,
                        sdb_diag *d) SDB_WUR;

/* The same by comparing every pair through sdb_ysearch (tests): O(N^2). */
int sdb_lineage_cluster_reference(const sdb_idx *x, const sdb_lineage_opts *o,
                                  const long (*extra)[2], long n_extra, long *comp,
                                  sdb_diag *d) SDB_WUR;

/* ---- persisted lineages (tables lineage, lineage_member; docs/lineage.md) ---- */

typedef struct sdb_lineage_build_stats {
    sdb_lineage_stats cluster;
    long lineages, incremental; /* lineages stored; 1 when only new rows were joined */
    long fresh;                 /* rows new since the last build */
    double seconds_cluster, seconds_store;
} sdb_lineage_build_stats;

/* Builds (or, with full == 0 and a previous build with the same options,
 * extends) the lineages of the Y profiles of the given indexes (comma list;
 * NULL: all) and stores them in one transaction. Father-son links: every two
 * typed men of the person store on the same paternal line (through untyped
 * men too) are linked. Audited by the caller. */
int sdb_lineage_build(sdb_db *db, const sdb_idx *x, const char *indexes,
                      const sdb_lineage_opts *o, int full, sdb_lineage_build_stats *st,
                      sdb_diag *d) SDB_WUR;

#ifdef __cplusplus
}
#endif
#endif
