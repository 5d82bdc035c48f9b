/* strdb: the in-memory index of one kind of profile (autosomal or Y).
 *
 * Built from the store (or from profiles in memory), it packs every profile
 * into fixed-width rows: per locus, the allele codes are replaced by one-byte
 * ids of a per-locus dictionary (0 = untyped, 255 = wildcard), two per
 * autosomal locus (a homozygote repeats its allele) and `copies` per Y
 * locus, sorted. Profiles with more alleles than fit (mixtures, Y
 * duplications) keep their full allele lists beside the rows. The index is
 * derived data: it never holds anything the store does not.
 */
#ifndef STRDB_INDEX_H
#define STRDB_INDEX_H

#include "strdb/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SDB_IDX_UNTYPED 0
#define SDB_IDX_WILDCARD 255
#define SDB_IDX_MAX_LOCI 64

typedef struct sdb_idx sdb_idx;

/* The same from profiles in memory (tests, benchmarks, the simulator);
 * profiles of the other kind are skipped. */
int sdb_idx_build_profiles(sdb_idx **out, const sdb_catalog *cat, const sdb_profile *const *ps,
                           long n, sdb_kind kind, sdb_diag *d) SDB_WUR;

/* The same from any source, read once: next fills p (SDB_OK), or returns
 * SDB_END or an error. rewind is no longer called (builds take one pass;
 * the parameter stays for callers written for two). For producers that do
 * not keep every profile in memory (benchmarks at 10^7). */
int sdb_idx_build_source(sdb_idx **out, const sdb_catalog *cat,
                         int (*next)(void *arg, sdb_profile *p), int (*rewind)(void *arg),
                         void *arg, sdb_kind kind, sdb_diag *d) SDB_WUR;

void sdb_idx_free(sdb_idx *x);

long sdb_idx_count(const sdb_idx *x);
sdb_kind sdb_idx_kind(const sdb_idx *x);
/* Rows of an autosomal index are kept in search order (sorted by genotype;
 * docs/search.md), not in the order they were read; Y indexes keep that
 * order. The position of row `row` in the build's input (the store's scan
 * order or the array given), or -1 for a row out of range. */
long sdb_idx_input_row(const sdb_idx *x, long row);
/* Sample id of row i (owned by the index). */
const char *sdb_idx_sample_id(const sdb_idx *x, long i);
/* Loci of the index (catalog ids, ascending) and their number. */
int sdb_idx_n_loci(const sdb_idx *x);
unsigned sdb_idx_locus(const sdb_idx *x, int k);
/* Bytes of genotype data per profile in memory: the row, and the input
 * position of an autosomal row (4 bytes; sample ids not counted). */
double sdb_idx_bytes_per_profile(const sdb_idx *x);

/* The profile of row `row` as the index holds it (sample id and the typed
 * loci of the index; no kit, index or flags). out must be initialised. */
int sdb_idx_profile(const sdb_idx *x, long row, sdb_profile *out) SDB_WUR;

/* Snapshot files: the index written to disk so that a later command loads
 * it instead of rebuilding it from the store. Layout (docs/search.md): the
 * magic "SDBIDX" 0 0, a little-endian u32 version (2), the store stamp, the
 * index fields, and a BLAKE2b-256 checksum of everything before it.
 * The stamp (sdb_db_stamp) says which store content the index reflects. */
#define SDB_IDX_SNAPSHOT_VERSION 2



#ifdef __cplusplus
}
#endif
#endif
