/* The pedigree CSV reader and its whole-file checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strdb/pedigree.h"

enum { COL_ID, COL_FATHER, COL_MOTHER, COL_SEX, COL_BIRTH, COL_SAMPLE, COL_FAMILY, COL_MISSING, N_COLS };
static const char *const col_names[N_COLS] = {"id",        "father",     "mother", "sex",
                                              "birth_year", "sample_id", "family", "missing"};

void sdb_pedigree_free(sdb_pedigree *p)
{
    if (!p) return;
    free(p->persons);
    free(p->text);
    free(p);
}

/* Splits line (NUL-terminated, modified in place) at commas into at most
 * max fields, trimming spaces and a trailing CR; returns the field count or
 * -1 for a quote (quoted fields are not part of the format). */
static int split(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r")] = '\0';
    if (strchr(line, '"')) return -1;
    for (char *s = line;; s++) {
        char *end = strchr(s, ',');
        if (end) *end = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        size_t len = strlen(s);
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            s[--len] = '\0';
        if (n < max) f[n] = s;
        n++;
        if (!end) break;
        s = end;
    }
    return n;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp((*(const sdb_person *const *)a)->id, (*(const sdb_person *const *)b)->id);
}

/* Person with id among the sorted index, or NULL. */
static sdb_person *find(sdb_person **sorted, long n, const char *id)
{
    sdb_person key = {.id = (char *)id}, *kp = &key;
    sdb_person **hit = id ? bsearch(&kp, sorted, (size_t)n, sizeof *sorted, cmp_id) : NULL;
    return hit ? *hit : NULL;
}

static char parse_sex(const char *s)
{
    if (!strcmp(s, "M") || !strcmp(s, "m") || !strcmp(s, "male") || !strcmp(s, "1")) return 'M';
    if (!strcmp(s, "F") || !strcmp(s, "f") || !strcmp(s, "female") || !strcmp(s, "2")) return 'F';
    if (!strcmp(s, "U") || !strcmp(s, "u") || !strcmp(s, "unknown") || !strcmp(s, "0") || !*s)
        return 'U';
    return 0;
}

static int cmp_family(const void *a, const void *b)
{
    const sdb_person *x = *(const sdb_person *const *)a, *y = *(const sdb_person *const *)b;
    int c = strcmp(x->family, y->family);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int parse_flag(const char *s)
{
    static const char *const yes[] = {"1", "yes", "y", "true", "missing"},
                             *const no[] = {"", "0", "no", "n", "false"};
    for (int i = 0; i < 5; i++) {
        if (!strcmp(s, yes[i])) return 1;
        if (!strcmp(s, no[i])) return 0;
    }
    return -1;
}

/* Families: a member's parents are members of the same family, every
 * family has a missing person. */
static int check_families(sdb_pedigree *p, sdb_person **sorted, const char *name, sdb_diag *d)
{
    for (long i = 0; i < p->n; i++) {
        sdb_person *x = &p->persons[i];
        const char *parents[2] = {x->father, x->mother};
        for (int k = 0; k < 2 && x->family; k++) {
            if (!parents[k]) continue;
            sdb_person *par = find(sorted, p->n, parents[k]);
            if (!par || !par->family || strcmp(par->family, x->family)) {
                sdb_diag_set(d, name, x->line, col_names[COL_FATHER + k],
                             "%s '%s' of '%s' is not %s family '%s' (a family's pedigree is "
                             "whole in the file)",
                             k ? "mother" : "father", parents[k], x->id,
                             par ? "in" : "a row of the file, in", x->family);
                return SDB_EINVAL;
            }
        }
    }
    /* members by family (then file order): each run needs a missing person */
    sdb_person **m = malloc(((size_t)p->n + 1) * sizeof *m);
    if (!m) return SDB_ENOMEM;
    long n = 0;
    for (long i = 0; i < p->n; i++)
        if (p->persons[i].family) m[n++] = &p->persons[i];
    qsort(m, (size_t)n, sizeof *m, cmp_family);
    int rc = SDB_OK;
    for (long i = 0, j; i < n && !rc; i = j) {
        int has_missing = 0;
        for (j = i; j < n && !strcmp(m[j]->family, m[i]->family); j++)
            has_missing |= m[j]->missing;
        if (!has_missing) {
            sdb_diag_set(d, name, m[i]->line, "family", "family '%s' has no missing person",
                         m[i]->family);
            rc = SDB_EINVAL;
        }
    }
    free(m);
    return rc;
}

/* Checks parents within the file and cycles (iterative three-colour DFS
 * over father/mother edges). */
static int check_structure(sdb_pedigree *p, sdb_person **sorted, const char *name, sdb_diag *d)
{
    for (long i = 0; i < p->n; i++) {
        sdb_person *x = &p->persons[i];
        const char *parents[2] = {x->father, x->mother};
        for (int k = 0; k < 2; k++) {
            if (!parents[k]) continue;
            if (!strcmp(parents[k], x->id)) {
                sdb_diag_set(d, name, x->line, col_names[COL_FATHER + k],
                             "person '%s' is their own %s", x->id, k ? "mother" : "father");
                return SDB_EINVAL;
            }
            sdb_person *par = find(sorted, p->n, parents[k]);
            if (par && par->sex == (k ? 'M' : 'F')) {
                sdb_diag_set(d, name, x->line, col_names[COL_FATHER + k],
                             "%s '%s' of '%s' is %s (line %ld)", k ? "mother" : "father",
                             par->id, x->id, k ? "male" : "female", par->line);
                return SDB_EINVAL;
            }
        }
    }
    /* colour: 0 new, 1 on the path, 2 done; the stack holds (person, next parent) */
    char *colour = calloc((size_t)p->n + 1, 1);
    long *stack = malloc(((size_t)p->n + 1) * 2 * sizeof *stack);
    int rc = colour && stack ? SDB_OK : SDB_ENOMEM;
    for (long s = 0; !rc && s < p->n; s++) {
        if (colour[s]) continue;
        long top = 0;
        stack[0] = s, stack[1] = 0;
        colour[s] = 1;
        while (!rc && top >= 0) {
            sdb_person *x = &p->persons[stack[2 * top]];
            long k = stack[2 * top + 1]++;
            if (k >= 2) {
                colour[stack[2 * top]] = 2;
                top--;
                continue;
            }
            sdb_person *par = find(sorted, p->n, k ? x->mother : x->father);
            if (!par) continue;
            long j = par - p->persons;
            if (colour[j] == 1) {
                sdb_diag_set(d, name, par->line, "id",
                             "cycle: person '%s' is their own ancestor (through '%s')", par->id,
                             x->id);
                rc = SDB_EINVAL;
            } else if (!colour[j]) {
                colour[j] = 1;
                top++;
                stack[2 * top] = j, stack[2 * top + 1] = 0;
            }
        }
    }
    free(colour);
    free(stack);
    return rc;
}

int sdb_pedigree_parse(sdb_pedigree **out, const char *name, const char *text, size_t len,
                       sdb_diag *d)
{
    *out = NULL;
    sdb_pedigree *p = calloc(1, sizeof *p);
    if (!p || !(p->text = malloc(len + 1))) {
        free(p);
        return SDB_ENOMEM;
    }
    memcpy(p->text, text, len);
    p->text[len] = '\0';
    if (memchr(text, '\0', len)) {
        sdb_diag_set(d, name, 1, NULL, "binary data (NUL byte)");
        sdb_pedigree_free(p);
        return SDB_EFORMAT;
    }
    int col[N_COLS], rc = SDB_OK;
    long lineno = 0, cap = 0, n_header = 0;
    char *f[64], *next = p->text;
    for (int c = 0; c < N_COLS; c++)
        col[c] = -1;
    while (next && !rc) {
        char *line = next, *nl = strchr(line, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl) *nl = '\0';
        lineno++;
        if (line[strspn(line, " \t\r")] == '\0') continue; /* blank line */
        int n = split(line, f, 64);
        if (n < 0 || n > 64) {
            sdb_diag_set(d, name, lineno, NULL, n < 0 ? "quotes are not allowed" : "too many fields");
            rc = SDB_EFORMAT;
            break;
        }
        if (!n_header) {
            for (int i = 0; i < n; i++)
                for (int c = 0; c < N_COLS; c++)
                    if (!strcmp(f[i], col_names[c])) col[c] = i;
            for (int c = 0; c <= COL_SEX && !rc; c++)
                if (col[c] < 0) {
                    sdb_diag_set(d, name, lineno, col_names[c],
                                 "header lacks column '%s' (id, father, mother, sex required)",
                                 col_names[c]);
                    rc = SDB_EFORMAT;
                }
            n_header = n;
            continue;
        }
        if (n != n_header) {
            sdb_diag_set(d, name, lineno, NULL, "%d fields, the header has %ld", n, n_header);
            rc = SDB_EFORMAT;
            break;
        }
        if (p->n == cap) {
            cap = cap ? 2 * cap : 256;
            sdb_person *np = realloc(p->persons, (size_t)cap * sizeof *np);
            if (!np) {
                rc = SDB_ENOMEM;
                break;
            }
            p->persons = np;
        }
        sdb_person *x = &p->persons[p->n];
        memset(x, 0, sizeof *x);
        x->line = lineno;
        x->id = f[col[COL_ID]];
        x->father = *f[col[COL_FATHER]] ? f[col[COL_FATHER]] : NULL;
        x->mother = *f[col[COL_MOTHER]] ? f[col[COL_MOTHER]] : NULL;
        x->sample_id = col[COL_SAMPLE] >= 0 && *f[col[COL_SAMPLE]] ? f[col[COL_SAMPLE]] : NULL;
        x->sex = parse_sex(f[col[COL_SEX]]);
        x->family = col[COL_FAMILY] >= 0 && *f[col[COL_FAMILY]] ? f[col[COL_FAMILY]] : NULL;
        x->missing = col[COL_MISSING] >= 0 ? parse_flag(f[col[COL_MISSING]]) : 0;
        if (x->missing < 0) {
            sdb_diag_set(d, name, lineno, "missing", "unreadable flag '%s' (1/0, yes/no)",
                         f[col[COL_MISSING]]);
            rc = SDB_EINVAL;
        } else if (x->missing && !x->family) {
            sdb_diag_set(d, name, lineno, "missing",
                         "missing person '%s' has no family (the family column)", x->id);
            rc = SDB_EINVAL;
        } else if (!*x->id) {
            sdb_diag_set(d, name, lineno, "id", "empty person id");
            rc = SDB_EINVAL;
        } else if (!x->sex) {
            sdb_diag_set(d, name, lineno, "sex", "unreadable sex '%s' (M, F or U)",
                         f[col[COL_SEX]]);
            rc = SDB_EINVAL;
        } else if (col[COL_BIRTH] >= 0 && *f[col[COL_BIRTH]]) {
            char *end;
            long y = strtol(f[col[COL_BIRTH]], &end, 10);
            if (*end || y < 1800 || y > 2200) {
                sdb_diag_set(d, name, lineno, "birth_year", "unreadable birth year '%s'",
                             f[col[COL_BIRTH]]);
                rc = SDB_EINVAL;
            }
            x->birth_year = (int)y;
        }
        p->n++;
    }
    if (!rc && !n_header) {
        sdb_diag_set(d, name, 1, NULL, "empty file");
        rc = SDB_EFORMAT;
    }
    sdb_person **sorted = rc ? NULL : malloc(((size_t)p->n + 1) * sizeof *sorted);
    if (!rc && !sorted) rc = SDB_ENOMEM;
    for (long i = 0; !rc && i < p->n; i++)
        sorted[i] = &p->persons[i];
    if (!rc) qsort(sorted, (size_t)p->n, sizeof *sorted, cmp_id);
    for (long i = 1; !rc && i < p->n; i++)
        if (!strcmp(sorted[i]->id, sorted[i - 1]->id)) {
            sdb_person *a = sorted[i - 1]->line < sorted[i]->line ? sorted[i - 1] : sorted[i];
            sdb_person *b = a == sorted[i] ? sorted[i - 1] : sorted[i];
            sdb_diag_set(d, name, b->line, "id", "duplicate person id '%s' (also at line %ld)",
                         b->id, a->line);
            rc = SDB_EINVAL;
        }
    if (!rc) rc = check_structure(p, sorted, name, d);
    if (!rc) rc = check_families(p, sorted, name, d);
    free(sorted);
    if (rc) {
        sdb_pedigree_free(p);
        return rc;
    }
    *out = p;
    return SDB_OK;
}
