/* strdb: profiles and the per-index validation rules.
 *
 * A profile is a sample id plus, per typed locus, a sorted allele list.
 * Loci are kept sorted by catalog id. Autosomal and X loci hold a set of
 * distinct alleles (a homozygote is one allele); loci with more than one copy
 * (DYS385, DYF387S1 ...) keep repeated alleles, since "11,11" there means
 * both copies. A locus that was present in the input but empty is not stored;
 * it only marks the profile partial.
 */
#ifndef STRDB_PROFILE_H
#define STRDB_PROFILE_H

#include <stdint.h>
#include "strdb/allele.h"
#include "strdb/locus.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SDB_SAMPLE_ID_MAX 255 /* bytes */

typedef enum sdb_kind { SDB_KIND_AUTOSOMAL = 1, SDB_KIND_Y = 2 } sdb_kind;

/* Profile flags (bit set). */
enum {
    SDB_PF_PARTIAL = 1u << 0,    /* a locus of the input or of the kit is untyped */
    SDB_PF_MIXTURE = 1u << 1,    /* more than two alleles at an autosomal locus */
    SDB_PF_YMULTICOPY = 1u << 2, /* more alleles than copies at a Y locus (duplication) */
    SDB_PF_WILDCARD = 1u << 3,   /* holds a wildcard allele */
    SDB_PF_OFFLADDER = 1u << 4,  /* holds an OL allele */
};

/* One typed locus: alleles are p->alleles[first .. first + n). */
typedef struct sdb_call {
    uint16_t locus;
    uint16_t n;
    uint32_t first;
} sdb_call;

/* A profile value. All buffers are owned by the struct, grown as needed and
 * reused across sdb_profile_reset(), so a reader can fill one profile per
 * record without allocating. Free with sdb_profile_free(). */
typedef struct sdb_profile {
    char *sample_id;
    sdb_kind kind;
    uint32_t flags;
    sdb_call *calls;
    int n_calls;
    sdb_allele *alleles;
    int n_alleles;
    int n_empty_loci; /* loci present in the input but empty */
    long line;        /* first input line of the record (0 if none) */
    long add_line;    /* input line of the alleles being added (readers set it;
                         0 = line); after finish, call_lines[i] is the line of
                         calls[i], so diagnostics can name the exact row */
    long *call_lines;
    char *kit;        /* optional, NULL if unknown */
    char *population; /* optional population label (population studies) */
    /* private: capacities and the (locus, allele) pairs added before finish */
    size_t id_cap, kit_cap, pop_cap;
    int calls_cap, alleles_cap, lines_cap;
    uint16_t *pend_locus;
    sdb_allele *pend_allele;
    long *pend_line;
    int n_pend, pend_cap;
} sdb_profile;

/* Initialises an empty profile (no allocation). */
void sdb_profile_init(sdb_profile *p);
/* Releases every buffer; the profile is then empty again. NULL is a no-op. */
void sdb_profile_free(sdb_profile *p);
/* Empties p, keeping its buffers. */
void sdb_profile_reset(sdb_profile *p);

/* Setters copy their input. Return SDB_OK or SDB_ENOMEM. len may be -1 for
 * strlen. A NULL or empty value clears kit/population. */
int sdb_profile_set_id(sdb_profile *p, const char *s, long len) SDB_WUR;
int sdb_profile_set_kit(sdb_profile *p, const char *s, long len) SDB_WUR;
int sdb_profile_set_population(sdb_profile *p, const char *s, long len) SDB_WUR;

/* Appends allele a at locus (calls for the same locus may be interleaved
 * with others; sdb_profile_finish() groups and sorts). */
int sdb_profile_add(sdb_profile *p, const sdb_locus *locus, sdb_allele a) SDB_WUR;

/* Groups alleles by locus, sorts loci by id and alleles ascending, removes
 * repeats where the locus has one copy, sets kind (Y when every typed locus
 * is Y, else autosomal) and the content flags. Call once after the adds. */
int sdb_profile_finish(sdb_profile *p, const sdb_catalog *cat) SDB_WUR;

/* Sets p's loci and alleles from n (locus id, allele) entries already
 * sorted by locus then allele, with no repeats at one-copy loci (as the
 * store keeps them), then kind and content flags as sdb_profile_finish()
 * would. Much cheaper than adding and finishing. Returns SDB_OK, SDB_ENOMEM
 * or SDB_EINVAL (entries not sorted, or an unknown locus). */
int sdb_profile_set_sorted(sdb_profile *p, const sdb_catalog *cat, const uint16_t *loci,
                           const sdb_allele *alleles, int n) SDB_WUR;

/* The call for locus id, or NULL if that locus is untyped. */
const sdb_call *sdb_profile_call(const sdb_profile *p, unsigned locus_id);

/* Deep copy of src into dst (dst initialised). */
int sdb_profile_copy(sdb_profile *dst, const sdb_profile *src) SDB_WUR;

/* 1 if a and b hold the same sample id, kind and genotype. */
int sdb_profile_equal(const sdb_profile *a, const sdb_profile *b);

/* "autosomal" or "Y"; and the inverse (SDB_EINVAL for other text). */
const char *sdb_kind_name(sdb_kind k);
int sdb_kind_parse(const char *s, sdb_kind *out) SDB_WUR;

/* Writes the flags as a '|'-joined list ("partial|mixture"), "" for none. */
const char *sdb_flags_format(uint32_t flags, char *buf, size_t size);

/* Validation rule of one index (store table db_index). */
typedef struct sdb_index_rule {
    char name[48];
    int single_source;      /* reference index: at most 2 alleles per autosomal locus */
    int min_autosomal_loci; /* typed autosomal loci (Amelogenin, X and Y not counted) */
    int min_y_loci;         /* typed Y loci, for Y haplotypes */
    int y_multicopy;        /* 1: a Y locus may carry more alleles than copies (flagged) */
} sdb_index_rule;

/* Number of built-in index rules, and the i-th (the defaults a new database
 * starts with; documented in docs/profiles.md). */
int sdb_index_rule_default_count(void);
const sdb_index_rule *sdb_index_rule_default(int i);

/* Checks a finished profile against rule and the kit (if any). Returns
 * SDB_OK or SDB_EINVAL with d's field/reason set (file and line are left to
 * the caller). May add SDB_PF_PARTIAL when kit loci are untyped. */
int sdb_profile_validate(sdb_profile *p, const sdb_catalog *cat, const sdb_index_rule *rule,
                         sdb_diag *d) SDB_WUR;

#ifdef __cplusplus
}
#endif
#endif
