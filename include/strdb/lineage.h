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

#include <stdio.h>

#include "strdb/index.h"
#include "strdb/search.h"
#include "strdb/stats.h"
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

/* ---- lineage search ------------------------------------------------------------ */

typedef struct sdb_lineage_search_opts {
    int max_loci, max_steps, min_loci; /* joining a lineage (-1 / -2 / -1: the last build's) */
    const char *kit;                   /* loci of the meioses posterior (NULL: all shared) */
    int max_meioses;                   /* uniform prior on 1..max (default 40) */
    const char *indexes;               /* members listed only from these (NULL: all) */
    long max_tree;                     /* men per family tree at most (default 100,000) */
    const sdb_yprobe *probe;           /* a probe of x serving the build's limits (search.h),
                                          or NULL: the near matches by a scan */
    int threads;
} sdb_lineage_search_opts;

void sdb_lineage_search_opts_init(sdb_lineage_search_opts *o);

/* A typed member of a lineage the haplotype joins. */
typedef struct sdb_lineage_member {
    char *sample_id;
    char *person; /* the man's person id in the pedigree store, or NULL */
    long long lineage;
    sdb_meioses_result meioses; /* posterior against the query */
    double p_close;             /* posterior P(meioses <= 2) */
} sdb_lineage_member;

/* A man of a paternal family tree holding typed members: the leads list. */
typedef struct sdb_lineage_lead {
    char *person;
    char *sample_id; /* his Y profile, or NULL (untyped) */
    long long lineage;
    char *via;        /* the typed member he is placed by */
    int tree_meioses; /* between him and via in the tree */
    int estimate;     /* tree_meioses + via's posterior mode: meioses to the donor, at most */
    int lower, upper; /* via's 95% interval widened by tree_meioses */
    int birth_year;   /* 0: unknown */
    int generation;   /* below the tree's root */
} sdb_lineage_lead;

typedef struct sdb_lineage_result {
    int max_loci, max_steps, min_loci; /* as used */
    long near_matches, unassigned;     /* haplotypes within the limits; of them not in a lineage */
    long long *lineages;
    long *lineage_size;
    long n_lineages;
    sdb_lineage_member *members; /* ranked: posterior mode, differing loci, steps, id */
    long n_members;
    sdb_lineage_lead *leads; /* ranked: estimate, tree meioses, person */
    long n_leads, trees;
} sdb_lineage_result;

void sdb_lineage_result_free(sdb_lineage_result *r);

#ifdef __cplusplus
}
#endif
#endif
