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


/* ---- the [DVI] part ----------------------------------------------------
 * Sections are lines in brackets (their depth is the number of brackets),
 * values are "Key= value" lines; blank lines are skipped. */

static int blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return !*s;
}

static void skip_blank(cursor *c)
{
    while (c->at < c->n && blank(c->line[c->at]))
        c->at++;
}

static int depth_of(const char *s)
{
    int k = 0;
    while (s[k] == '[')
        k++;
    return k;
}

/* The section title without brackets and spaces, in buf. */
static const char *title_of(const char *s, char *buf, size_t size)
{
    size_t k = 0;
    for (; *s == '[' || *s == ' '; s++) {}
    for (; *s && *s != ']' && k + 1 < size; s++)
        buf[k++] = *s;
    while (k && buf[k - 1] == ' ')
        k--;
    buf[k] = '\0';
    return buf;
}

/* The next section must be at depth and its title begin with title. */
static int expect_section(cursor *c, int depth, const char *title, const char *field)
{
    char want[96], got[96];
    snprintf(want, sizeof want, "%.*s%s%.*s", depth, "[[[[[[[[", title, depth, "]]]]]]]]");
    skip_blank(c);
    const char *s = next(c, field, want);
    if (!s) return SDB_EFORMAT;
    if (depth_of(s) != depth || strncmp(title_of(s, got, sizeof got), title, strlen(title))) {
        char why[160];
        snprintf(why, sizeof why, "expected the section %s", want);
        return fail(c, c->at, field, why, s);
    }
    return SDB_OK;
}

/* The next line must be "key= value"; *val is the value, spaces trimmed. */
static int expect_value(cursor *c, const char *key, const char *field, char **val)
{
    char want[64];
    snprintf(want, sizeof want, "%s= ...", key);
    skip_blank(c);
    const char *s = next(c, field, want);
    if (!s) return SDB_EFORMAT;
    size_t k = strlen(key);
    if (strncmp(s, key, k) || s[k] != '=') {
        char why[96];
        snprintf(why, sizeof why, "expected '%s'", want);
        return fail(c, c->at, field, why, s);
    }
    char *v = c->line[c->at - 1] + k + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        v[--n] = '\0';
    *val = v;
    return SDB_OK;
}

static int expect_count(cursor *c, const char *key, const char *field, long max, long *out)
{
    char *v, *end;
    int rc = expect_value(c, key, field, &v);
    if (rc) return rc;
    long n = strtol(v, &end, 10);
    if (end == v || *end || n < 0 || n > max) {
        char why[96];
        snprintf(why, sizeof why, "expected %s= a count 0..%ld", key, max);
        return fail(c, c->at, field, why, v);
    }
    *out = n;
    return SDB_OK;
}

static char gender(const char *v)
{
    return !strcmp(v, "Male") ? 'M' : !strcmp(v, "Female") ? 'F' : 'U';
}

/* "[[[[DNA data]]]]" at depth, nSystems= and per locus SystemName=,
 * Allele1=, Allele2= (allele names, not indexes). */
static int read_dna(cursor *c, int depth, const sdb_catalog *cat, const char *who, sdb_profile *p)
{
    long n;
    int rc;
    if ((rc = expect_section(c, depth, "DNA data", who)) ||
        (rc = expect_count(c, "nSystems", who, SDB_LOCUS_ID_MAX + 1, &n)))
        return rc;
    const sdb_locus *seen[SDB_LOCUS_ID_MAX + 1];
    for (long k = 0; k < n; k++) {
        char *v;
        if ((rc = expect_value(c, "SystemName", who, &v))) return rc;
        const sdb_locus *l = sdb_catalog_find(cat, v, strlen(v));
        if (!l) {
            sdb_diag_set(c->d, c->name, c->at, who, "unknown locus '%.60s'", v);
            return SDB_EINVAL;
        }
        for (long j = 0; j < k; j++)
            if (seen[j] == l) return fail(c, c->at, who, "locus typed twice", v);
        seen[k] = l;
        for (int a = 0; a < 2; a++) {
            sdb_allele x;
            if ((rc = expect_value(c, a ? "Allele2" : "Allele1", l->name, &v))) return rc;
            if (sdb_allele_parse(v, strlen(v), &x) || x == SDB_ALLELE_ANY) {
                char field[160];
                snprintf(field, sizeof field, "%s %s", who, l->name);
                return fail(c, c->at, field, "unreadable allele", v);
            }
            if ((rc = sdb_profile_add(p, l, x))) return rc;
        }
    }
    return sdb_profile_finish(p, cat);
}

/* One person: the section at depth, Name=, Gender=, the DNA data. */
static int read_dvi_person(cursor *c, int depth, const sdb_catalog *cat, const char *field,
                           sdb_profile *p, char *sex)
{
    char *v;
    int rc;
    if ((rc = expect_section(c, depth, "Person", field)) ||
        (rc = expect_value(c, "Name", field, &v)))
        return rc;
    if (!v[0]) return fail(c, c->at, field, "empty person name", NULL);
    if ((rc = sdb_profile_set_id(p, v, -1))) return rc;
    if ((rc = expect_value(c, "Gender", p->sample_id, &v))) return rc;
    *sex = gender(v);
    char who[128];
    snprintf(who, sizeof who, "%s", p->sample_id);
    return read_dna(c, depth + 1, cat, who, p);
}

static int find_name(char *const *ids, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(ids[i], s)) return i;
    return -1;
}

/* The family's pedigree from its persons and one pedigree's relations
 * (names; rel 2 x n_rel), extras added in the order they appear. */
static int dvi_pedigree(cursor *c, sdb_fam_dvi_family *fam, char **rel, long n_rel, long line,
                        const char *ped_name)
{
    sdb_fam_pedigree *p = &fam->ped;
    for (long k = 0; k < 2 * n_rel; k++)
        if (find_name(p->ids, p->n, rel[k]) < 0) {
            char **ids = realloc(p->ids, (size_t)(p->n + 1) * sizeof *ids);
            char *sex = realloc(p->sex, (size_t)p->n + 1);
            sdb_profile *pr = realloc(fam->profiles, (size_t)(p->n + 1) * sizeof *pr);
            if (ids) p->ids = ids;
            if (sex) p->sex = sex;
            if (pr) fam->profiles = pr;
            if (!ids || !sex || !pr || !(p->ids[p->n] = strdup(rel[k]))) return SDB_ENOMEM;
            sdb_profile_init(&pr[p->n]);
            p->sex[p->n++] = 'U';
            if (sdb_profile_set_id(&pr[p->n - 1], rel[k], -1)) return SDB_ENOMEM;
        }
    p->father = malloc((size_t)p->n * sizeof *p->father + 1);
    p->mother = malloc((size_t)p->n * sizeof *p->mother + 1);
    if (!p->father || !p->mother) return SDB_ENOMEM;
    for (int i = 0; i < p->n; i++)
        p->father[i] = p->mother[i] = -1;
    /* an extra parent's sex: the opposite of its co-parents' */
    for (long k = 0; k < n_rel; k++) {
        int par = find_name(p->ids, p->n, rel[2 * k]);
        if (p->sex[par] != 'U') continue;
        char other = 0;
        for (long j = 0; j < n_rel; j++) {
            if (strcmp(rel[2 * j + 1], rel[2 * k + 1]) || j == k) continue;
            char s = p->sex[find_name(p->ids, p->n, rel[2 * j])];
            if (s == 'U' || (other && other != s)) {
                char why[200];
                snprintf(why, sizeof why, "cannot decide the sex of the parent '%s'", p->ids[par]);
                return fail(c, line, ped_name, why, NULL);
            }
            other = s;
        }
        p->sex[par] = other == 'M' ? 'F' : other == 'F' ? 'M' : 'F';
    }
    for (long k = 0; k < n_rel; k++) {
        int par = find_name(p->ids, p->n, rel[2 * k]), child = find_name(p->ids, p->n, rel[2 * k + 1]);
        int *slot = p->sex[par] == 'M' ? &p->father[child] : &p->mother[child];
        if (par == child || (*slot >= 0 && *slot != par)) {
            char why[200];
            snprintf(why, sizeof why, par == child ? "'%s' is their own parent" : "'%s' has two %s",
                     p->ids[child], p->sex[par] == 'M' ? "fathers" : "mothers");
            return fail(c, line, ped_name, why, NULL);
        }
        *slot = par;
    }
    /* missing persons: named Missing..., related to someone here */
    fam->missing = malloc((size_t)p->n * sizeof *fam->missing + 1);
    if (!fam->missing) return SDB_ENOMEM;
    for (int i = 0; i < p->n; i++) {
        if (strncmp(p->ids[i], "Missing", 7)) continue;
        int related = 0;
        for (long k = 0; k < 2 * n_rel && !related; k++)
            related = !strcmp(rel[k], p->ids[i]);
        if (!related) continue;
        if (fam->profiles[i].n_calls) {
            char why[200];
            snprintf(why, sizeof why, "the missing person '%s' is typed (a missing person must be untyped)",
                     p->ids[i]);
            return fail(c, line, fam->name, why, NULL);
        }
        fam->missing[fam->n_missing++] = i;
    }
    if (!fam->n_missing)
        return fail(c, line, fam->name,
                    "no missing person (a person named Missing... related to someone in the pedigree)",
                    NULL);
    return SDB_OK;
}

static int read_dvi_family(cursor *c, const sdb_catalog *cat, sdb_fam_dvi_family *fam)
{
    char *v;
    long np, npeds;
    int rc;
    if ((rc = expect_section(c, 3, "Family", "Reference Families")) ||
        (rc = expect_value(c, "Name", "family", &v)))
        return rc;
    if (!(fam->name = strdup(v))) return SDB_ENOMEM;
    if ((rc = expect_section(c, 4, "Persons", fam->name)) ||
        (rc = expect_count(c, "nPersons", fam->name, 10000, &np)))
        return rc;
    sdb_fam_pedigree *p = &fam->ped;
    p->ids = calloc((size_t)np + 1, sizeof *p->ids);
    p->sex = malloc((size_t)np + 1);
    fam->profiles = calloc((size_t)np + 1, sizeof *fam->profiles);
    if (!p->ids || !p->sex || !fam->profiles) return SDB_ENOMEM;
    for (long i = 0; i < np; i++) {
        sdb_profile_init(&fam->profiles[i]);
        p->n = (int)i + 1; /* freed with what is read so far */
        if ((rc = read_dvi_person(c, 5, cat, fam->name, &fam->profiles[i], &p->sex[i]))) return rc;
        if (!(p->ids[i] = strdup(fam->profiles[i].sample_id))) return SDB_ENOMEM;
        if (find_name(p->ids, (int)i, p->ids[i]) >= 0)
            return fail(c, c->at, fam->name, "person named twice", p->ids[i]);
    }
    p->n = (int)np;
    if ((rc = expect_section(c, 4, "Pedigrees", fam->name)) ||
        (rc = expect_count(c, "nPedigrees", fam->name, 100, &npeds)))
        return rc;
    if (!npeds) return fail(c, c->at, fam->name, "a family needs a pedigree", NULL);
    long use = npeds >= 2 ? 1 : 0, line = 0, n_use = 0;
    char **rel = NULL;
    for (long k = 0; k < npeds && !rc; k++) {
        long nr;
        if ((rc = expect_section(c, 5, "Pedigree", fam->name)) ||
            (rc = expect_value(c, "Name", fam->name, &v)))
            break;
        if (k == use) {
            line = c->at;
            if (!(p->name = strdup(v))) rc = SDB_ENOMEM;
        }
        if (rc || (rc = expect_count(c, "nRelations", fam->name, 100000, &nr))) break;
        if (k == use) {
            n_use = nr;
            if (!(rel = calloc((size_t)nr * 2 + 1, sizeof *rel))) rc = SDB_ENOMEM;
        }
        for (long j = 0; j < 2 * nr && !rc; j++) {
            rc = expect_value(c, j % 2 ? "Child" : "Parent", fam->name, &v);
            if (!rc && !v[0]) rc = fail(c, c->at, fam->name, "empty name in a relation", NULL);
            if (!rc && k == use) rel[j] = v;
        }
    }
    if (!rc) rc = dvi_pedigree(c, fam, rel, n_use, line, p->name);
    free(rel);
    return rc;
}

/* After [DVI]: the sections of depth 2 until one of depth 1 or the end. */
static int parse_dvi(cursor *c, const sdb_catalog *cat, sdb_fam *f)
{
    sdb_fam_dvi *x = f->dvi = calloc(1, sizeof *f->dvi);
    if (!x) return SDB_ENOMEM;
    int have_families = 0, rc = SDB_OK;
    long dvi_line = c->at;
    for (;;) {
        skip_blank(c);
        if (c->at >= c->n || depth_of(c->line[c->at]) == 1) break;
        char t[96];
        const char *s = c->line[c->at];
        if (depth_of(s) != 2) return fail(c, c->at + 1, "DVI", "expected a [[section]]", s);
        title_of(s, t, sizeof t);
        c->at++;
        long n;
        if (!strcmp(t, "Unidentified persons")) {
            if ((rc = expect_count(c, "nPersons", t, 100000, &n))) return rc;
            x->victims = calloc((size_t)n + 1, sizeof *x->victims);
            x->victim_sex = calloc((size_t)n + 1, 1);
            if (!x->victims || !x->victim_sex) return SDB_ENOMEM;
            for (long i = 0; i < n; i++) {
                sdb_profile_init(&x->victims[i]);
                x->n_victims = (int)i + 1;
                if ((rc = read_dvi_person(c, 3, cat, t, &x->victims[i], &x->victim_sex[i])))
                    return rc;
                for (long j = 0; j < i; j++)
                    if (!strcmp(x->victims[j].sample_id, x->victims[i].sample_id))
                        return fail(c, c->at, t, "unidentified person named twice",
                                    x->victims[i].sample_id);
            }
        } else if (!strcmp(t, "Reference Families")) {
            have_families = 1;
            if ((rc = expect_count(c, "nFamilies", t, 100000, &n))) return rc;
            x->families = calloc((size_t)n + 1, sizeof *x->families);
            if (!x->families) return SDB_ENOMEM;
            for (long i = 0; i < n; i++) {
                x->n_families = (int)i + 1;
                if ((rc = read_dvi_family(c, cat, &x->families[i]))) return rc;
                for (long j = 0; j < i; j++)
                    if (!strcmp(x->families[j].name, x->families[i].name))
                        return fail(c, c->at, t, "family named twice", x->families[i].name);
            }
        } else { /* [[Notes]] and others: skipped to the next section */
            while (c->at < c->n && (blank(c->line[c->at]) || depth_of(c->line[c->at]) == 0))
                c->at++;
        }
    }
    if (!have_families)
        return fail(c, c->at < c->n ? c->at + 1 : c->n, "DVI",
                    c->at < c->n ? "the [DVI] part has no [[Reference Families]]"
                                 : "the file ends before the [[Reference Families]] of its [DVI] part "
                                   "(cut in the middle?)",
                    NULL);
    (void)dvi_line;
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
    if (!rc) {
        skip_blank(c);
        if (c->at < c->n && !strcmp(c->line[c->at], "[DVI]")) {
            c->at++;
            rc = parse_dvi(c, cat, f);
        }
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

static void fam_pedigree_free(sdb_fam_pedigree *p)
{
    for (int k = 0; p->ids && k < p->n; k++)
        free(p->ids[k]);
    free(p->ids);
    free(p->name);
    free(p->sex);
    free(p->father);
    free(p->mother);
}

void sdb_fam_free(sdb_fam *f)
{
    if (!f) return;
    free(f->version);
    for (int i = 0; f->profiles && i < f->n_persons; i++)
        sdb_profile_free(&f->profiles[i]);
    free(f->profiles);
    for (int i = 0; f->pedigrees && i < f->n_pedigrees; i++)
        fam_pedigree_free(&f->pedigrees[i]);
    free(f->pedigrees);
    for (int i = 0; f->loci && i < f->n_loci; i++) {
        free(f->loci[i].alleles);
        free(f->loci[i].freq);
    }
    free(f->loci);
    if (f->dvi) {
        sdb_fam_dvi *x = f->dvi;
        for (int i = 0; x->victims && i < x->n_victims; i++)
            sdb_profile_free(&x->victims[i]);
        free(x->victims);
        free(x->victim_sex);
        for (int i = 0; x->families && i < x->n_families; i++) {
            sdb_fam_dvi_family *fam = &x->families[i];
            for (int k = 0; fam->profiles && k < fam->ped.n; k++)
                sdb_profile_free(&fam->profiles[k]);
            free(fam->profiles);
            fam_pedigree_free(&fam->ped);
            free(fam->missing);
            free(fam->name);
        }
        free(x->families);
        free(x);
    }
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
