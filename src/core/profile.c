/* Profiles: building from (locus, allele) pairs, flags, validation rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strdb/profile.h"

void sdb_profile_init(sdb_profile *p)
{
    memset(p, 0, sizeof *p);
}

void sdb_profile_free(sdb_profile *p)
{
    if (!p) return;
    free(p->sample_id);
    free(p->calls);
    free(p->alleles);
    free(p->kit);
    free(p->population);
    free(p->pend_locus);
    free(p->pend_allele);
    free(p->pend_line);
    free(p->call_lines);
    sdb_profile_init(p);
}

void sdb_profile_reset(sdb_profile *p)
{
    if (p->sample_id) p->sample_id[0] = '\0';
    if (p->kit) p->kit[0] = '\0';
    if (p->population) p->population[0] = '\0';
    p->kind = SDB_KIND_AUTOSOMAL;
    p->flags = 0;
    p->n_calls = p->n_alleles = p->n_pend = p->n_empty_loci = 0;
    p->line = p->add_line = 0;
}

/* Copies s[0..len) into *dst (capacity *cap), growing it. */
static int set_string(char **dst, size_t *cap, const char *s, long len)
{
    size_t n = s ? (len < 0 ? strlen(s) : (size_t)len) : 0;
    if (n + 1 > *cap) {
        char *t = realloc(*dst, n + 1);
        if (!t) return SDB_ENOMEM;
        *dst = t;
        *cap = n + 1;
    }
    if (n) memcpy(*dst, s, n);
    (*dst)[n] = '\0';
    return SDB_OK;
}

int sdb_profile_set_id(sdb_profile *p, const char *s, long len)
{
    return set_string(&p->sample_id, &p->id_cap, s, len);
}

int sdb_profile_set_kit(sdb_profile *p, const char *s, long len)
{
    return set_string(&p->kit, &p->kit_cap, s, len);
}

int sdb_profile_set_population(sdb_profile *p, const char *s, long len)
{
    return set_string(&p->population, &p->pop_cap, s, len);
}

/* Grows an array to hold at least need elements (doubling). */
static int grow(void **arr, int *cap, int need, size_t elem)
{
    if (need <= *cap) return SDB_OK;
    int n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *t = realloc(*arr, (size_t)n * elem);
    if (!t) return SDB_ENOMEM;
    *arr = t;
    *cap = n;
    return SDB_OK;
}

int sdb_profile_add(sdb_profile *p, const sdb_locus *locus, sdb_allele a)
{
    if (p->n_pend == p->pend_cap) {
        int cap = p->pend_cap;
        if (grow((void **)&p->pend_locus, &cap, p->n_pend + 1, sizeof *p->pend_locus))
            return SDB_ENOMEM;
        cap = p->pend_cap;
        if (grow((void **)&p->pend_allele, &cap, p->n_pend + 1, sizeof *p->pend_allele))
            return SDB_ENOMEM;
        cap = p->pend_cap;
        if (grow((void **)&p->pend_line, &cap, p->n_pend + 1, sizeof *p->pend_line))
            return SDB_ENOMEM;
        p->pend_cap = cap;
    }
    p->pend_line[p->n_pend] = p->add_line ? p->add_line : p->line;
    p->pend_locus[p->n_pend] = locus->id;
    p->pend_allele[p->n_pend++] = a;
    return SDB_OK;
}

typedef struct run {
    uint16_t locus;
    int start, len;
} run;

static void sort_runs(run *r, int n)
{
    for (int i = 1; i < n; i++) {
        run x = r[i];
        int j = i;
        for (; j > 0 && (r[j - 1].locus > x.locus); j--)
            r[j] = r[j - 1];
        r[j] = x;
    }
}

static void sort_alleles(sdb_allele *a, int n)
{
    for (int i = 1; i < n; i++) {
        sdb_allele x = a[i];
        int j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* Content flags and kind from the finished calls. */
static void derive_kind_flags(sdb_profile *p, const sdb_catalog *cat)
{
    int n_y = 0, n_other = 0;
    for (int i = 0; i < p->n_calls; i++) {
        const sdb_call *c = &p->calls[i];
        const sdb_locus *l = sdb_catalog_by_id(cat, c->locus);
        if (l->type == SDB_LOCUS_Y) {
            n_y++;
            if (c->n > l->copies) p->flags |= SDB_PF_YMULTICOPY;
        } else {
            if (l->type != SDB_LOCUS_SEX) n_other++;
            if (c->n > 2) p->flags |= SDB_PF_MIXTURE;
        }
        for (uint32_t k = c->first; k < c->first + c->n; k++) {
            if (p->alleles[k] == SDB_ALLELE_ANY) p->flags |= SDB_PF_WILDCARD;
            if (p->alleles[k] == SDB_ALLELE_OL) p->flags |= SDB_PF_OFFLADDER;
        }
    }
    p->kind = (n_y > 0 && n_other == 0) ? SDB_KIND_Y : SDB_KIND_AUTOSOMAL;
    if (p->n_empty_loci > 0) p->flags |= SDB_PF_PARTIAL;
}

/* Groups the pending pairs into runs of one locus (readers add a locus's
 * alleles together, so runs are few), orders the runs by locus id, then
 * writes each locus's alleles sorted into p->alleles. Costs O(pairs + runs^2)
 * with tiny constants; no allocation once the buffers have grown. */
int sdb_profile_finish(sdb_profile *p, const sdb_catalog *cat)
{
    run runs_buf[128], *runs = runs_buf;
    int n_runs = 0;
    if (p->n_pend > 128 && !(runs = malloc((size_t)p->n_pend * sizeof *runs))) return SDB_ENOMEM;
    for (int i = 0; i < p->n_pend; i++) {
        if (n_runs && runs[n_runs - 1].locus == p->pend_locus[i] &&
            runs[n_runs - 1].start + runs[n_runs - 1].len == i)
            runs[n_runs - 1].len++;
        else
            runs[n_runs++] = (run){p->pend_locus[i], i, 1};
    }
    sort_runs(runs, n_runs);
    int rc = SDB_ENOMEM;
    if (grow((void **)&p->alleles, &p->alleles_cap, p->n_pend, sizeof *p->alleles) ||
        grow((void **)&p->call_lines, &p->lines_cap, n_runs, sizeof *p->call_lines) ||
        grow((void **)&p->calls, &p->calls_cap, n_runs, sizeof *p->calls))
        goto done;
    p->n_calls = p->n_alleles = 0;
    for (int r = 0; r < n_runs;) {
        uint16_t locus = runs[r].locus;
        int first = p->n_alleles;
        p->call_lines[p->n_calls] = p->pend_line[runs[r].start];
        for (; r < n_runs && runs[r].locus == locus; r++)
            for (int k = 0; k < runs[r].len; k++)
                p->alleles[p->n_alleles++] = p->pend_allele[runs[r].start + k];
        int n = p->n_alleles - first;
        sort_alleles(p->alleles + first, n);
        if (sdb_catalog_by_id(cat, locus)->copies == 1) { /* a set: drop repeats */
            int m = 1;
            for (int k = 1; k < n; k++)
                if (p->alleles[first + k] != p->alleles[first + m - 1])
                    p->alleles[first + m++] = p->alleles[first + k];
            p->n_alleles = first + m;
            n = m;
        }
        p->calls[p->n_calls++] = (sdb_call){locus, (uint16_t)n, (uint32_t)first};
    }
    p->n_pend = 0;
    derive_kind_flags(p, cat);
    rc = SDB_OK;
done:
    if (runs != runs_buf) free(runs);
    return rc;
}

int sdb_profile_set_sorted(sdb_profile *p, const sdb_catalog *cat, const uint16_t *loci,
                           const sdb_allele *alleles, int n)
{
    int n_calls = 0;
    for (int i = 0; i < n; i++)
        n_calls += i == 0 || loci[i] != loci[i - 1];
    if (grow((void **)&p->alleles, &p->alleles_cap, n, sizeof *p->alleles) ||
        grow((void **)&p->calls, &p->calls_cap, n_calls, sizeof *p->calls))
        return SDB_ENOMEM;
    p->n_calls = p->n_alleles = p->n_pend = 0;
    p->flags = 0;
    for (int i = 0; i < n; i++) {
        int new_locus = i == 0 || loci[i] != loci[i - 1];
        if (!sdb_catalog_by_id(cat, loci[i]) ||
            (i > 0 && (loci[i] < loci[i - 1] || (!new_locus && alleles[i] < alleles[i - 1]))))
            return SDB_EINVAL;
        if (new_locus) p->calls[p->n_calls++] = (sdb_call){loci[i], 0, (uint32_t)i};
        p->calls[p->n_calls - 1].n++;
        p->alleles[p->n_alleles++] = alleles[i];
    }
    derive_kind_flags(p, cat);
    return SDB_OK;
}

const sdb_call *sdb_profile_call(const sdb_profile *p, unsigned locus_id)
{
    int lo = 0, hi = p->n_calls - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (p->calls[mid].locus == locus_id) return &p->calls[mid];
        if (p->calls[mid].locus < locus_id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

int sdb_profile_copy(sdb_profile *dst, const sdb_profile *src)
{
    sdb_profile_reset(dst);
    if (sdb_profile_set_id(dst, src->sample_id, -1) || sdb_profile_set_kit(dst, src->kit, -1) ||
        sdb_profile_set_population(dst, src->population, -1) ||
        grow((void **)&dst->calls, &dst->calls_cap, src->n_calls, sizeof *dst->calls) ||
        grow((void **)&dst->alleles, &dst->alleles_cap, src->n_alleles, sizeof *dst->alleles))
        return SDB_ENOMEM;
    if (grow((void **)&dst->call_lines, &dst->lines_cap, src->n_calls, sizeof *dst->call_lines))
        return SDB_ENOMEM;
    if (src->n_calls && src->call_lines)
        memcpy(dst->call_lines, src->call_lines, (size_t)src->n_calls * sizeof *src->call_lines);
    if (src->n_calls) memcpy(dst->calls, src->calls, (size_t)src->n_calls * sizeof *src->calls);
    if (src->n_alleles)
        memcpy(dst->alleles, src->alleles, (size_t)src->n_alleles * sizeof *src->alleles);
    dst->n_calls = src->n_calls;
    dst->n_alleles = src->n_alleles;
    dst->kind = src->kind;
    dst->flags = src->flags;
    dst->n_empty_loci = src->n_empty_loci;
    dst->line = src->line;
    return SDB_OK;
}

int sdb_profile_equal(const sdb_profile *a, const sdb_profile *b)
{
    if (strcmp(a->sample_id ? a->sample_id : "", b->sample_id ? b->sample_id : "") ||
        a->kind != b->kind || a->n_calls != b->n_calls || a->n_alleles != b->n_alleles)
        return 0;
    for (int i = 0; i < a->n_calls; i++) {
        const sdb_call *x = &a->calls[i], *y = &b->calls[i];
        if (x->locus != y->locus || x->n != y->n) return 0;
        if (memcmp(a->alleles + x->first, b->alleles + y->first, x->n * sizeof(sdb_allele)))
            return 0;
    }
    return 1;
}

const char *sdb_kind_name(sdb_kind k)
{
    return k == SDB_KIND_Y ? "Y" : "autosomal";
}

int sdb_kind_parse(const char *s, sdb_kind *out)
{
    if (!strcmp(s, "autosomal"))
        *out = SDB_KIND_AUTOSOMAL;
    else if (!strcmp(s, "Y") || !strcmp(s, "y"))
        *out = SDB_KIND_Y;
    else
        return SDB_EINVAL;
    return SDB_OK;
}

static const char *const flag_names[] = {"partial", "mixture", "y-multicopy", "wildcard",
                                         "off-ladder"};

const char *sdb_flags_format(uint32_t flags, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < sizeof flag_names / sizeof *flag_names; i++)
        if ((flags & (1u << i)) && n < size)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "|" : "", flag_names[i]);
    return buf;
}

/* Defaults a new database starts with (docs/profiles.md explains them).
 * IMPORTANT: the index names must match the seed rows in src/store/schema.c
 * comments and docs/profiles.md. */
static const sdb_index_rule default_rules[] = {
    /* name                  single  min_auto  min_y  y_multicopy */
    {"offender", 1, 10, 7, 0},
    {"arrestee", 1, 10, 7, 0},
    {"forensic-unknown", 0, 8, 5, 1},
    {"forensic-mixture", 0, 8, 5, 1},
    {"missing-person", 1, 8, 7, 0},
    {"unidentified-remains", 1, 6, 5, 0},
    {"relative-of-missing", 1, 10, 7, 0},
    {"staff-elimination", 1, 10, 7, 0},
    {"volunteer", 1, 10, 7, 0},
    {"population", 1, 10, 7, 1},
};

int sdb_index_rule_default_count(void)
{
    return (int)(sizeof default_rules / sizeof *default_rules);
}

const sdb_index_rule *sdb_index_rule_default(int i)
{
    return i >= 0 && i < sdb_index_rule_default_count() ? &default_rules[i] : NULL;
}

static int check_kit(sdb_profile *p, const sdb_catalog *cat, sdb_diag *d)
{
    if (!p->kit || !p->kit[0]) return SDB_OK;
    if (!sdb_catalog_has_set(cat, p->kit)) {
        sdb_diag_set(d, NULL, 0, "kit", "unknown kit '%s' (see 'strdb loci --kits')", p->kit);
        return SDB_EINVAL;
    }
    for (int i = 0; i < sdb_catalog_count(cat); i++) {
        const sdb_locus *l = sdb_catalog_at(cat, i);
        if (l->type != SDB_LOCUS_CONTROL && sdb_locus_in_set(l, p->kit) &&
            !sdb_profile_call(p, l->id)) {
            p->flags |= SDB_PF_PARTIAL;
            break;
        }
    }
    return SDB_OK;
}

int sdb_profile_validate(sdb_profile *p, const sdb_catalog *cat, const sdb_index_rule *rule,
                         sdb_diag *d)
{
    if (p->n_calls == 0) {
        sdb_diag_set(d, NULL, 0, "loci", "no allele called at any locus");
        return SDB_EINVAL;
    }
    int n_auto = 0, n_y = 0;
    for (int i = 0; i < p->n_calls; i++) {
        const sdb_call *c = &p->calls[i];
        const sdb_locus *l = sdb_catalog_by_id(cat, c->locus);
        n_auto += l->type == SDB_LOCUS_AUTOSOMAL;
        n_y += l->type == SDB_LOCUS_Y;
        if (!rule->single_source) continue;
        long line = p->call_lines ? p->call_lines[i] : 0;
        if (l->type != SDB_LOCUS_Y && c->n > 2) {
            sdb_diag_set(d, NULL, line, l->name,
                         "%u alleles in single-source index '%s' (at most 2 per locus)", c->n,
                         rule->name);
            return SDB_EINVAL;
        }
        if (l->type == SDB_LOCUS_Y && c->n > l->copies && !rule->y_multicopy) {
            sdb_diag_set(d, NULL, line, l->name,
                         "%u alleles at a %u-copy Y locus in single-source index '%s'", c->n,
                         l->copies, rule->name);
            return SDB_EINVAL;
        }
    }
    if (p->kind == SDB_KIND_Y && n_y < rule->min_y_loci) {
        sdb_diag_set(d, NULL, 0, "loci", "%d typed Y loci, index '%s' needs at least %d", n_y,
                     rule->name, rule->min_y_loci);
        return SDB_EINVAL;
    }
    if (p->kind == SDB_KIND_AUTOSOMAL && n_auto < rule->min_autosomal_loci) {
        sdb_diag_set(d, NULL, 0, "loci", "%d typed autosomal loci, index '%s' needs at least %d",
                     n_auto, rule->name, rule->min_autosomal_loci);
        return SDB_EINVAL;
    }
    return check_kit(p, cat, d);
}
