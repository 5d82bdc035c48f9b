/* Familias .fam reader (include/strdb/fam.h, docs/missing-persons.md).
 * A line reader with one cursor: every value names its line when it is
 * missing or wrong, so a file cut in the middle is refused with the line it
 * ends at. Quotes are dropped, as Familias writes them around strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strdb/fam.h"

typedef struct cursor {
    const char *name;
    char **line; /* the lines, quotes removed */
    long n, at;  /* line count; next line (0-based) */
    sdb_diag *d;
} cursor;

static int fail(cursor *c, long line, const char *field, const char *reason, const char *got)
{
    if (got)
        sdb_diag_set(c->d, c->name, line, field, "%s, got '%.60s'", reason, got);
    else
        sdb_diag_set(c->d, c->name, line, field, "%s", reason);
    return SDB_EFORMAT;
}

/* The next line, or NULL after the end (a cut file) with d set. */
static const char *next(cursor *c, const char *field, const char *what)
{
    if (c->at >= c->n) {
        char why[160];
        snprintf(why, sizeof why, "the file ends here: expected %s (cut in the middle?)", what);
        fail(c, c->n, field, why, NULL);
        return NULL;
    }
    return c->line[c->at++];
}

static int next_long(cursor *c, const char *field, const char *what, long lo, long hi, long *out)
{
    const char *s = next(c, field, what);
    if (!s) return SDB_EFORMAT;
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) {
        char why[160];
        snprintf(why, sizeof why, "expected %s (an integer %ld..%ld)", what, lo, hi);
        return fail(c, c->at, field, why, s);
    }
    *out = v;
    return SDB_OK;
}

static int next_double(cursor *c, const char *field, const char *what, double lo, double hi,
                       double *out)
{
    const char *s = next(c, field, what);
    if (!s) return SDB_EFORMAT;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi)) {
        char why[160];
        snprintf(why, sizeof why, "expected %s (a number %g..%g)", what, lo, hi);
        return fail(c, c->at, field, why, s);
    }
    *out = v;
    return SDB_OK;
}

static int next_bool(cursor *c, const char *field, const char *what, int *out)
{
    const char *s = next(c, field, what);
    if (!s) return SDB_EFORMAT;
    if (!strncmp(s, "#TRUE#", 6))
        *out = 1;
    else if (!strncmp(s, "#FALSE#", 7))
        *out = 0;
    else
        return fail(c, c->at, field, "expected #TRUE# or #FALSE#", s);
    return SDB_OK;
}

static int split_lines(cursor *c, char *text)
{
    long cap = 1024;
    c->line = malloc((size_t)cap * sizeof *c->line);
    if (!c->line) return SDB_ENOMEM;
    char *p = text;
    while (*p) {
        char *e = strchr(p, '\n');
        if (e) *e = '\0';
        size_t k = strlen(p);
        if (k && p[k - 1] == '\r') p[--k] = '\0';
        char *w = p; /* drop quotes in place */
        for (char *r = p; *r; r++)
            if (*r != '"') *w++ = *r;
        *w = '\0';
        if (c->n == cap) {
            char **g = realloc(c->line, (size_t)(cap *= 2) * sizeof *g);
            if (!g) return SDB_ENOMEM;
            c->line = g;
        }
        c->line[c->n++] = p;
        if (!e) break;
        p = e + 1;
    }
    return SDB_OK;
}

typedef struct raw_person {
    char *id;
    char sex;
    long n;
    long *g; /* n x (allele 1, allele 2, locus) indexes */
    long line;
} raw_person;

typedef struct relations {
    long n_female, n_male, n;
    long *pairs; /* n x (parent, child) */
    long line;
} relations;

static int read_relations(cursor *c, relations *r, long n_known, const char *what)
{
    long v;
    int rc;
    r->line = c->at + 1;
    if ((rc = next_long(c, what, "the number of extra females", 0, 100000, &r->n_female)) ||
        (rc = next_long(c, what, "the number of extra males", 0, 100000, &r->n_male)) ||
        (rc = next_long(c, what, "the number of parent-child relations", 0, 1000000, &r->n)))
        return rc;
    r->pairs = calloc((size_t)r->n * 2 + 1, sizeof *r->pairs);
    if (!r->pairs) return SDB_ENOMEM;
    long max = n_known + r->n_female + r->n_male - 1;
    for (long i = 0; i < r->n; i++)
        for (int k = 0; k < 2; k++) {
            if ((rc = next_long(c, what, k ? "a child index" : "a parent index", 0, max, &v))) {
                if (c->at <= c->n && strstr(c->line[c->at - 1], "Direct"))
                    return fail(c, c->at, what, "twins (a Direct/Identity relation) are not supported",
                                NULL);
                return rc;
            }
            r->pairs[2 * i + k] = v;
        }
    return SDB_OK;
}

/* Builds pedigree p from the persons, the known relations and (when not
 * NULL) the pedigree's own. */
static int make_pedigree(cursor *c, sdb_fam_pedigree *p, const char *name, const raw_person *ps,
                         long np, const relations *known, const relations *own, long own_idx)
{
    long extra_k = known->n_female + known->n_male, extra_o = own ? own->n_female + own->n_male : 0;
    long n = np + extra_k + extra_o;
    p->name = strdup(name);
    p->n = (int)n;
    p->ids = calloc((size_t)n, sizeof *p->ids);
    p->sex = malloc((size_t)n);
    p->father = malloc((size_t)n * sizeof *p->father);
    p->mother = malloc((size_t)n * sizeof *p->mother);
    if (!p->name || !p->ids || !p->sex || !p->father || !p->mother) return SDB_ENOMEM;
    for (long i = 0; i < n; i++) {
        char buf[64];
        const char *id = buf;
        if (i < np) {
            id = ps[i].id;
            p->sex[i] = ps[i].sex;
        } else if (i < np + extra_k) {
            snprintf(buf, sizeof buf, "extra_%ld", i - np + 1);
            p->sex[i] = i - np < known->n_female ? 'F' : 'M';
        } else {
            snprintf(buf, sizeof buf, "extra_ped%ld_%ld", own_idx + 1, i - np - extra_k + 1);
            p->sex[i] = i - np - extra_k < own->n_female ? 'F' : 'M';
        }
        if (!(p->ids[i] = strdup(id))) return SDB_ENOMEM;
        p->father[i] = p->mother[i] = -1;
    }
    const relations *rs[2] = {known, own};
    for (int k = 0; k < 2; k++) {
        if (!rs[k]) continue;
        for (long j = 0; j < rs[k]->n; j++) {
            long par = rs[k]->pairs[2 * j], child = rs[k]->pairs[2 * j + 1];
            if (par >= n || child >= n || par == child)
                return fail(c, rs[k]->line, name, "a relation names a person out of range or a person as their own parent", NULL);
            int *slot = p->sex[par] == 'M' ? &p->father[child] : &p->mother[child];
            if (*slot >= 0 && *slot != par) {
                char why[200];
                snprintf(why, sizeof why, "'%s' has two %s", p->ids[child],
                         p->sex[par] == 'M' ? "fathers" : "mothers");
                return fail(c, rs[k]->line, name, why, NULL);
            }
            *slot = (int)par;
        }
    }
    return SDB_OK;
}

static int read_locus(cursor *c, const sdb_catalog *cat, sdb_fam_locus *l)
{
    long line = c->at + 1;
    const char *name = next(c, "locus", "a locus name");
    if (!name) return SDB_EFORMAT;
    if (!(l->locus = sdb_catalog_find(cat, name, strlen(name)))) {
        sdb_diag_set(c->d, c->name, line, "locus", "unknown locus '%.60s'", name);
        return SDB_EINVAL;
    }
    const char *field = l->locus->name;
    sdb_mutation_init(&l->female);
    sdb_mutation_init(&l->male);
    long mf, mm, n_silent, n;
    int has_silent, rc;
    double silent;
    if ((rc = next_double(c, field, "the female mutation rate", 0, 1, &l->female.rate)) ||
        (rc = next_double(c, field, "the male mutation rate", 0, 1, &l->male.rate)) ||
        (rc = next_long(c, field, "the female mutation model (0-4)", 0, 4, &mf)) ||
        (rc = next_long(c, field, "the male mutation model (0-4)", 0, 4, &mm)) ||
        (rc = next_long(c, field, "the number of alleles", 0, 1000, &n_silent)) ||
        (rc = next_double(c, field, "the female range", 0, 1e9, &l->female.range)) ||
        (rc = next_double(c, field, "the male range", 0, 1e9, &l->male.range)) ||
        (rc = next_double(c, field, "the female rate2", 0, 1, &l->female.rate2)) ||
        (rc = next_double(c, field, "the male rate2", 0, 1, &l->male.rate2)) ||
        (rc = next_bool(c, field, "whether the locus has a silent allele", &has_silent)) ||
        (rc = next_double(c, field, "the silent allele frequency", 0, 1, &silent)))
        return rc;
    if (has_silent)
        return fail(c, c->at - 1, field, "silent allele frequencies in the database are not supported (give --silent)", NULL);
    /* "N\t(DatabaseSize = ..., ...)" */
    const char *info = next(c, field, "the number of alleles and the database size");
    if (!info) return SDB_EFORMAT;
    char *end;
    n = strtol(info, &end, 10);
    if (end == info || (*end && *end != '\t' && *end != ' ') || n < 1 || n > SDB_PED_MAX_ALLELES)
        return fail(c, c->at, field, "expected the number of alleles (1..255) before the database size", info);
    /* model codes: 0 equal, 1 proportional, 2 stepwise (unstationary), 3
     * stepwise stationary (stabilised), 4 extended stepwise */
    long codes[2] = {mf, mm};
    sdb_mutation *ms[2] = {&l->female, &l->male};
    for (int k = 0; k < 2; k++) {
        if (codes[k] == 3)
            return fail(c, line, field, "the stabilised stepwise model (code 3) is not supported", NULL);
        ms[k]->kind = codes[k] == 0 ? SDB_MUT_EQUAL : codes[k] == 1 ? SDB_MUT_PROPORTIONAL : SDB_MUT_STEPWISE;
        if (ms[k]->rate == 0) ms[k]->kind = SDB_MUT_NONE;
    }
    l->n = (int)n;
    l->alleles = malloc((size_t)n * sizeof *l->alleles);
    l->freq = malloc((size_t)n * sizeof *l->freq);
    if (!l->alleles || !l->freq) return SDB_ENOMEM;
    for (long i = 0; i < n; i++) {
        const char *a = next(c, field, "an allele");
        if (!a) return SDB_EFORMAT;
        if (sdb_allele_parse(a, strlen(a), &l->alleles[i]) || l->alleles[i] == SDB_ALLELE_ANY)
            return fail(c, c->at, field, "unreadable allele", a);
        for (long j = 0; j < i; j++)
            if (l->alleles[j] == l->alleles[i])
                return fail(c, c->at, field, "allele listed twice", a);
        if ((rc = next_double(c, field, "an allele frequency", 0, 1, &l->freq[i]))) return rc;
    }
    (void)n_silent;
    (void)silent;
    return SDB_OK;
}

static int parse(cursor *c, const sdb_catalog *cat, sdb_fam *f)
{
    int rc;
    long np, npeds, nloc;
    raw_person *ps = NULL;
    relations known = {0}, *own = NULL;
    const char *s;
    /* header: two comment lines, the version, an optional empty line */
    for (int i = 0; i < 2; i++)
        if (!next(c, "header", "the Familias header")) return SDB_EFORMAT;
    if (!(s = next(c, "version", "the Familias version"))) return SDB_EFORMAT;
    if (!(f->version = strdup(s))) return SDB_ENOMEM;
    if (c->at < c->n && !c->line[c->at][0]) c->at++;
    if ((rc = next_long(c, "persons", "the number of persons", 0, 100000, &np))) return rc;
    f->n_persons = (int)np;
    ps = calloc((size_t)np + 1, sizeof *ps);
    if (!ps) return SDB_ENOMEM;
    for (long i = 0; i < np && !rc; i++) {
        raw_person *p = &ps[i];
        p->line = c->at + 1;
        if (!(s = next(c, "person", "a person's name"))) rc = SDB_EFORMAT;
        else if (!s[0]) rc = fail(c, c->at, "person", "empty person name", NULL);
        else if (!(p->id = strdup(s))) rc = SDB_ENOMEM;
        for (long j = 0; j < i && !rc; j++)
            if (!strcmp(ps[j].id, p->id)) rc = fail(c, p->line, "person", "duplicate person name", p->id);
        int male = 0;
        for (int k = 0; k < 3 && !rc; k++)
            if (!next(c, p->id ? p->id : "person", "the person's flags")) rc = SDB_EFORMAT;
        if (!rc) rc = next_bool(c, p->id, "the person's sex (#TRUE# male)", &male);
        p->sex = male ? 'M' : 'F';
        if (!rc) rc = next_long(c, p->id, "the number of typed loci", 0, 10000, &p->n);
        if (!rc && !(p->g = malloc((size_t)p->n * 3 * sizeof *p->g + 1))) rc = SDB_ENOMEM;
        for (long k = 0; k < p->n * 3 && !rc; k++)
            rc = next_long(c, p->id, k % 3 == 2 ? "a locus index" : "an allele index", 0, 100000,
                           &p->g[k]);
    }
    if (rc) goto out;
    long kr = c->at + 1;
    if (!(s = next(c, "Known relations", "\"Known relations\""))) {
        rc = SDB_EFORMAT;
        goto out;
    }
    if (strcmp(s, "Known relations")) {
        rc = fail(c, kr, "Known relations", "expected \"Known relations\"", s);
        goto out;
    }
    if ((rc = read_relations(c, &known, np, "Known relations"))) goto out;
    if ((rc = next_long(c, "pedigrees", "the number of pedigrees", 0, 10000, &npeds))) goto out;
    f->n_pedigrees = npeds ? (int)npeds : 1;
    f->pedigrees = calloc((size_t)f->n_pedigrees, sizeof *f->pedigrees);
    own = calloc((size_t)npeds + 1, sizeof *own);
    if (!f->pedigrees || !own) {
        rc = SDB_ENOMEM;
        goto out;
    }
    if (!npeds) rc = make_pedigree(c, &f->pedigrees[0], "known relations", ps, np, &known, NULL, 0);
    for (long i = 0; i < npeds && !rc; i++) {
        long idx;
        if ((rc = next_long(c, "pedigree", "the pedigree's index", 0, npeds - 1, &idx))) break;
        if (!(s = next(c, "pedigree", "the pedigree's name"))) {
            rc = SDB_EFORMAT;
            break;
        }
        char name[128];
        snprintf(name, sizeof name, "%s", s);
        if (f->pedigrees[idx].name) {
            rc = fail(c, c->at - 1, "pedigree", "pedigree index given twice", s);
            break;
        }
        if ((rc = read_relations(c, &own[i], np + known.n_female + known.n_male, name))) break;
        rc = make_pedigree(c, &f->pedigrees[idx], name, ps, np, &known, &own[i], idx);
    }
    if (rc) goto out;
    /* "#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: 0 )" */
    if (!(s = next(c, "database", "the database line (#FALSE# (#Databases: ...))"))) {
        rc = SDB_EFORMAT;
        goto out;
    }
    if (!strncmp(s, "#TRUE#", 6)) {
        rc = fail(c, c->at, "database", "files with precomputed probabilities are not supported", NULL);
        goto out;
    }
    const char *th = strstr(s, "Theta/Kinship/Fst:");
    if (th) f->theta = strtod(th + 18, NULL);
    if ((rc = next_long(c, "database", "the number of loci", 0, 1000, &nloc))) goto out;
    int has_info;
    if ((rc = next_bool(c, "database", "whether the database has a name", &has_info))) goto out;
    if (has_info && !next(c, "database", "the database name")) {
        rc = SDB_EFORMAT;
        goto out;
    }
    f->n_loci = (int)nloc;
    f->loci = calloc((size_t)nloc + 1, sizeof *f->loci);
    if (!f->loci) {
        rc = SDB_ENOMEM;
        goto out;
    }
    for (long i = 0; i < nloc && !rc; i++) {
        rc = read_locus(c, cat, &f->loci[i]);
        for (long j = 0; j < i && !rc; j++)
            if (f->loci[j].locus == f->loci[i].locus)
                rc = fail(c, c->at, f->loci[i].locus->name, "locus listed twice", NULL);
    }
    if (rc) goto out;
    /* genotypes: indexes into the database */
    f->profiles = calloc((size_t)np + 1, sizeof *f->profiles);
    if (!f->profiles) {
        rc = SDB_ENOMEM;
        goto out;
    }
    for (long i = 0; i < np; i++)
        sdb_profile_init(&f->profiles[i]);
    for (long i = 0; i < np && !rc; i++) {
        raw_person *p = &ps[i];
        if ((rc = sdb_profile_set_id(&f->profiles[i], p->id, -1))) break;
        for (long k = 0; k < p->n && !rc; k++) {
            long a1 = p->g[3 * k], a2 = p->g[3 * k + 1], li = p->g[3 * k + 2];
            if (li >= nloc || a1 >= f->loci[li].n || a2 >= f->loci[li].n) {
                sdb_diag_set(c->d, c->name, p->line, p->id,
                             "genotype %ld names a locus or allele index the database lacks", k + 1);
                rc = SDB_EINVAL;
                break;
            }
            const sdb_fam_locus *l = &f->loci[li];
            int twice = 0;
            for (long j = 0; j < k; j++)
                twice |= p->g[3 * j + 2] == li;
            if (twice) {
                sdb_diag_set(c->d, c->name, p->line, p->id, "locus %s typed twice", l->locus->name);
                rc = SDB_EINVAL;
                break;
            }
            if ((rc = sdb_profile_add(&f->profiles[i], l->locus, l->alleles[a1])) ||
                (rc = sdb_profile_add(&f->profiles[i], l->locus, l->alleles[a2])))
                break;
        }
        if (!rc) rc = sdb_profile_finish(&f->profiles[i], cat);
    }
out:
    for (long i = 0; ps && i < np; i++) {
        free(ps[i].id);
        free(ps[i].g);
    }
    free(ps);
    free(known.pairs);
    for (long i = 0; own && i < npeds; i++)
        free(own[i].pairs);
    free(own);
    return rc;
}

int sdb_fam_parse(sdb_fam **out, const char *name, const char *text, size_t len,
                  const sdb_catalog *cat, sdb_diag *d)
{
    *out = NULL;
    sdb_fam *f = calloc(1, sizeof *f);
    char *copy = malloc(len + 1);
    cursor c = {name, NULL, 0, 0, d};
    int rc = f && copy ? SDB_OK : SDB_ENOMEM;
    if (!rc) {
        memcpy(copy, text, len);
        copy[len] = '\0';
        if (memchr(text, '\0', len)) rc = fail(&c, 0, "", "binary data (a NUL byte): not a .fam file", NULL);
    }
    if (!rc) rc = split_lines(&c, copy);
    if (!rc && (c.n < 3 || !strstr(c.line[0], "Familias")))
        rc = fail(&c, 1, "header", "not a Familias .fam file (the first line names Familias)", NULL);
    if (!rc) rc = parse(&c, cat, f);
    if (rc && d && d->line == c.n && len && text[len - 1] != '\n') {
        size_t k = strlen(d->reason);
        snprintf(d->reason + k, sizeof d->reason - k,
                 " (the last line has no end: the file is cut in the middle)");
    }
    free(c.line);
    free(copy);
    if (rc) {
        sdb_fam_free(f);
        return rc;
    }
    *out = f;
    return SDB_OK;
}

void sdb_fam_free(sdb_fam *f)
{
    if (!f) return;
    free(f->version);
    for (int i = 0; f->profiles && i < f->n_persons; i++)
        sdb_profile_free(&f->profiles[i]);
    free(f->profiles);
    for (int i = 0; f->pedigrees && i < f->n_pedigrees; i++) {
        sdb_fam_pedigree *p = &f->pedigrees[i];
        for (int k = 0; p->ids && k < p->n; k++)
            free(p->ids[k]);
        free(p->ids);
        free(p->name);
        free(p->sex);
        free(p->father);
        free(p->mother);
    }
    free(f->pedigrees);
    for (int i = 0; f->loci && i < f->n_loci; i++) {
        free(f->loci[i].alleles);
        free(f->loci[i].freq);
    }
    free(f->loci);
    free(f);
}

int sdb_fam_freq(const sdb_fam *f, const char *name, sdb_freq **out, sdb_diag *d)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) return SDB_ENOMEM;
    n += (size_t)snprintf(buf, cap, "population,locus,allele,frequency\n");
    for (int i = 0; i < f->n_loci; i++)
        for (int k = 0; k < f->loci[i].n; k++) {
            if (cap - n < 256) {
                char *g = realloc(buf, cap *= 2);
                if (!g) {
                    free(buf);
                    return SDB_ENOMEM;
                }
                buf = g;
            }
            char a[SDB_ALLELE_STRLEN];
            sdb_allele_format(f->loci[i].alleles[k], a);
            n += (size_t)snprintf(buf + n, cap - n, "%s,%s,%s,%.17g\n", name,
                                  f->loci[i].locus->name, a, f->loci[i].freq[k]);
        }
    int rc = sdb_freq_load_mem(out, name, buf, n, sdb_catalog_default(), 0, d);
    free(buf);
    return rc;
}
