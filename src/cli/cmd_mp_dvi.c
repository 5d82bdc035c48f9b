/* strdb mp dvi: joint disaster victim identification over files
 * (docs/missing-persons.md): the pedigree file holds the families (its
 * connected components with a missing person), the victims come on the
 * command line. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct dvi_case {
    family fam;
    int n_missing, n_families, nv;
    int missing[SDB_DVI_MAX_VICTIMS];   /* person index of each missing person */
    int family_of[SDB_DVI_MAX_VICTIMS]; /* per missing person */
    int first[SDB_DVI_MAX_VICTIMS + 1]; /* per family: its first missing person */
    const char *missing_name[SDB_DVI_MAX_VICTIMS];
    const char *family_name[SDB_DVI_MAX_VICTIMS]; /* NULL over files */
    const char *missing_person[SDB_DVI_MAX_VICTIMS]; /* --fam: the file's name behind label M<k> */
    char label[SDB_DVI_MAX_VICTIMS][16];
    char *victim_id[SDB_DVI_MAX_VICTIMS];
    sdb_profile victim[SDB_DVI_MAX_VICTIMS];
    sdb_dvi_victim vic[SDB_DVI_MAX_VICTIMS];
    sdb_profile refs[MAX_REFS];
    const sdb_profile **typed; /* per person of the file */
    sdb_dvi_option *opt[SDB_DVI_MAX_VICTIMS];
    int n_opt[SDB_DVI_MAX_VICTIMS];
    double pairwise[SDB_DVI_MAX_VICTIMS * SDB_DVI_MAX_VICTIMS]; /* [v * M + m], log10 */
} dvi_case;

/* The missing persons (comma lists allowed), grouped by family in the order
 * they are named, each family at most 8. */
static int load_missing(const char *cmd, const mp_args *a, dvi_case *c)
{
    int comp_of_family[SDB_DVI_MAX_VICTIMS], order[SDB_DVI_MAX_VICTIMS], fam_n[SDB_DVI_MAX_VICTIMS];
    int n = 0;
    for (int k = 0; k < a->n_missing; k++)
        for (const char *s = a->missings[k]; *s;) {
            size_t len = strcspn(s, ",");
            int i = mp_find_person(&c->fam, s, len);
            if (i < 0 || n == SDB_DVI_MAX_VICTIMS) {
                cli_error(cmd, i < 0 ? "--missing: '%.*s' is not in %s"
                                     : "--missing: at most 64 missing persons (at '%.*s' of %s)",
                          (int)len, s, a->ped);
                return EXIT_FAIL;
            }
            for (int j = 0; j < n; j++)
                if (order[j] == i) {
                    cli_error(cmd, "--missing: '%.*s' is named twice", (int)len, s);
                    return EXIT_USAGE;
                }
            order[n++] = i;
            s += len + (s[len] == ',');
        }
    c->n_families = 0;
    for (int j = 0; j < n; j++) {
        int comp = mp_root(c->fam.component, order[j]), f = 0;
        while (f < c->n_families && comp_of_family[f] != comp)
            f++;
        if (f == c->n_families) {
            comp_of_family[f] = comp;
            fam_n[c->n_families++] = 0;
        }
        if (++fam_n[f] > 8) {
            cli_error(cmd, "--missing: '%s' is the ninth missing person of one family; a family "
                           "may have 8",
                      c->fam.ids[order[j]]);
            return EXIT_FAIL;
        }
    }
    c->n_missing = 0;
    for (int f = 0; f < c->n_families; f++) {
        c->first[f] = c->n_missing;
        for (int j = 0; j < n; j++)
            if (mp_root(c->fam.component, order[j]) == comp_of_family[f]) {
                c->family_of[c->n_missing] = f;
                c->missing_name[c->n_missing] = c->fam.ids[order[j]];
                c->missing[c->n_missing++] = order[j];
            }
    }
    c->first[c->n_families] = c->n_missing;
    return EXIT_OK;
}

static int family_of_person(const dvi_case *c, int i)
{
    for (int m = 0; m < c->n_missing; m++)
        if (mp_root(c->fam.component, c->missing[m]) == mp_root(c->fam.component, i))
            return c->family_of[m];
    return -1;
}

static int load_references(const char *cmd, const mp_args *a, dvi_case *c)
{
    for (int r = 0; r < a->n_refs; r++) {
        const char *eq = strchr(a->refs[r], '=');
        int len = eq ? (int)(eq - a->refs[r]) : 0;
        int i = len ? mp_find_person(&c->fam, a->refs[r], (size_t)len) : -1;
        if (!len) {
            cli_error(cmd, "--reference: expected ID=genotype, got '%s'", a->refs[r]);
            return EXIT_USAGE;
        }
        if (i < 0) {
            cli_error(cmd, "--reference: '%.*s' is not in %s", len, a->refs[r], a->ped);
            return EXIT_FAIL;
        }
        for (int m = 0; m < c->n_missing; m++)
            if (c->missing[m] == i) {
                cli_error(cmd, "--reference: '%.*s' is a missing person, who must be untyped",
                          len, a->refs[r]);
                return EXIT_FAIL;
            }
        if (c->typed[i]) {
            cli_error(cmd, "--reference: '%.*s' is given twice", len, a->refs[r]);
            return EXIT_USAGE;
        }
        if (family_of_person(c, i) < 0) {
            cli_error(cmd, "--reference: '%.*s' has no path to any missing person in %s", len,
                      a->refs[r], a->ped);
            return EXIT_FAIL;
        }
        if (mp_genotype(cmd, "--reference", eq + 1, &c->refs[r])) return EXIT_FAIL;
        c->typed[i] = &c->refs[r];
    }
    return EXIT_OK;
}

/* --victim ID[:SEX]=genotype, SEX M, F or U (default U: pairs with anyone). */
static int load_victims(const char *cmd, const mp_args *a, dvi_case *c)
{
    int v0 = c->nv;
    if (v0 + a->n_victims > SDB_DVI_MAX_VICTIMS) {
        cli_error(cmd, "--victim: at most %d victims in all", SDB_DVI_MAX_VICTIMS);
        return EXIT_USAGE;
    }
    c->nv += a->n_victims;
    for (int v = v0; v < c->nv; v++) {
        const char *s = a->victims[v - v0], *eq = strchr(s, '=');
        size_t len = eq ? (size_t)(eq - s) : 0, id_len = strcspn(s, ":=");
        char sex = 'U';
        if (eq && id_len < len) {
            const char *x = s + id_len + 1;
            sex = eq - x == 1 && strchr("MFU", *x) ? *x : 0;
        }
        if (!eq || !id_len || !sex) {
            cli_error(cmd, "--victim: expected ID[:M|F|U]=genotype, got '%s'", s);
            return EXIT_USAGE;
        }
        if (!(c->victim_id[v] = strndup(s, id_len))) return EXIT_FAIL;
        for (int w = 0; w < v; w++)
            if (!strcmp(c->victim_id[w], c->victim_id[v])) {
                cli_error(cmd, "--victim: '%s' is given twice", c->victim_id[v]);
                return EXIT_USAGE;
            }
        if (mp_genotype(cmd, "--victim", eq + 1, &c->victim[v])) return EXIT_FAIL;
        c->vic[v] = (sdb_dvi_victim){&c->victim[v], a->ignore_sex ? 'U' : sex, a->dropout};
    }
    return EXIT_OK;
}

/* One family as its own pedigree (the persons of its component), then its
 * options; pairwise LRs go to the case's matrix. */
static int family_options(const char *cmd, dvi_case *c, int f, const sdb_pedlik_model *m,
                          const sdb_freq *fr, int pop)
{
    int n = c->fam.n, nm = c->first[f + 1] - c->first[f], np = 0, rc = EXIT_OK;
    int comp = mp_root(c->fam.component, c->missing[c->first[f]]);
    int *local = malloc((size_t)n * sizeof *local), *person = malloc((size_t)n * sizeof *person);
    int *fa = malloc((size_t)n * sizeof *fa), *mo = malloc((size_t)n * sizeof *mo);
    char *sex = malloc((size_t)n + 1);
    const sdb_profile **typed = calloc((size_t)n, sizeof *typed);
    double *pw = malloc((size_t)c->nv * (size_t)nm * sizeof *pw + 1);
    sdb_pedlik *lik = NULL;
    if (!local || !person || !fa || !mo || !sex || !typed || !pw) {
        cli_error(cmd, "out of memory");
        rc = EXIT_FAIL;
        goto out;
    }
    for (int i = 0; i < n; i++)
        local[i] = mp_root(c->fam.component, i) == comp ? np++ : -1;
    for (int i = 0; i < n; i++) {
        if (local[i] < 0) continue;
        const sdb_person *p = &c->fam.ped->persons[i];
        int k = local[i];
        person[k] = i;
        fa[k] = p->father ? local[mp_find_person(&c->fam, p->father, strlen(p->father))] : -1;
        mo[k] = p->mother ? local[mp_find_person(&c->fam, p->mother, strlen(p->mother))] : -1;
        sex[k] = p->sex;
        typed[k] = c->typed[i];
    }
    int missing[8];
    for (int j = 0; j < nm; j++)
        missing[j] = local[c->missing[c->first[f] + j]];
    sdb_diag d;
    sdb_diag_clear(&d);
    int lrc = sdb_pedlik_new(&lik, np, fa, mo, sex, &d);
    sdb_dvi_family df = {lik, typed, nm, missing};
    if (!lrc)
        lrc = sdb_dvi_family_options(&df, m, fr, pop, c->vic, c->nv, c->first[f], &c->opt[f],
                                     &c->n_opt[f], pw, &d);
    if (lrc) {
        if (!strncmp(d.field, "person ", 7)) {
            int k = atoi(d.field + 7);
            if (k >= 0 && k < np) snprintf(d.field, sizeof d.field, "%s", c->fam.ids[person[k]]);
        }
        cli_diag(cmd, lrc, &d);
        rc = EXIT_FAIL;
        goto out;
    }
    for (int v = 0; v < c->nv; v++)
        for (int j = 0; j < nm; j++)
            c->pairwise[v * c->n_missing + c->first[f] + j] = pw[v * nm + j];
out:
    sdb_pedlik_free(lik);
    free(local);
    free(person);
    free(fa);
    free(mo);
    free(sex);
    free(typed);
    free(pw);
    return rc;
}

/* dvir's findUndisputed: a pairwise LR above the threshold with every
 * other pairwise LR of that victim and that missing person at most 1
 * (strict) or at most LR / threshold (relaxed); found pairs leave the
 * problem and the rule is applied again. The pairwise LRs of a family
 * change once one of its missing persons is identified (the victim becomes
 * a reference), so the rounds stop there: *stop_family is that family,
 * else -1. round[v * M + m]: the round a pair was found in, 0 if never. */
static void find_undisputed(const dvi_case *c, double threshold, int relaxed, int *round,
                            int *stop_family)
{
    int M = c->n_missing, live_v[SDB_DVI_MAX_VICTIMS], live_m[SDB_DVI_MAX_VICTIMS];
    const double *pw = c->pairwise, t = log10(threshold);
    *stop_family = -1;
    for (int k = 0; k < c->nv * M; k++)
        round[k] = 0;
    for (int v = 0; v < c->nv; v++)
        live_v[v] = 1;
    for (int m = 0; m < M; m++)
        live_m[m] = 1;
    for (int r = 1;; r++) {
        int found = 0;
        for (int v = 0; v < c->nv; v++)
            for (int m = 0; m < M; m++) {
                double x = pw[v * M + m], limit = relaxed ? x - t : 0;
                if (!live_v[v] || !live_m[m] || x <= t) continue;
                int ok = 1;
                for (int k = 0; k < M && ok; k++)
                    ok = k == m || !live_m[k] || pw[v * M + k] <= limit;
                for (int w = 0; w < c->nv && ok; w++)
                    ok = w == v || !live_v[w] || pw[w * M + m] <= limit;
                if (ok) round[v * M + m] = r, found++;
            }
        if (!found) return;
        for (int v = 0; v < c->nv; v++)
            for (int m = 0; m < M; m++)
                if (round[v * M + m] == r) live_v[v] = live_m[m] = 0;
        for (int m = 0; m < M && *stop_family < 0; m++) {
            int f = c->family_of[m], identified = 0, left = 0;
            for (int k = c->first[f]; k < c->first[f + 1]; k++) {
                left += live_m[k];
                for (int v = 0; v < c->nv; v++)
                    identified |= round[v * M + k] == r;
            }
            if (identified && left) *stop_family = f;
        }
        if (*stop_family >= 0) return;
    }
}

static const char *family_label(const dvi_case *c, int f, char *buf, size_t size)
{
    if (c->family_name[f]) return c->family_name[f];
    snprintf(buf, size, "%d", f + 1);
    return buf;
}

static json_t *lr_json(double log10_lr)
{
    return log10_lr == -INFINITY ? json_real(0) : json_real(pow(10, log10_lr));
}

static void print_json(const dvi_case *c, const sdb_dvi_assignment *out, int n_out,
                       const double *marginal, int have, const mp_args *a, const char *mut)
{
    int M = c->n_missing;
    json_t *o = json_object(), *vic = json_array(), *mis = json_array(), *pw = json_array();
    for (int v = 0; v < c->nv; v++)
        json_array_append_new(vic, json_string(c->victim_id[v]));
    for (int m = 0; m < M; m++) {
        json_t *e = c->family_name[c->family_of[m]]
                        ? json_pack("{s:s,s:s}", "id", c->missing_name[m], "family",
                                    c->family_name[c->family_of[m]])
                        : json_pack("{s:s,s:i}", "id", c->missing_name[m], "family",
                                    c->family_of[m] + 1);
        if (c->missing_person[m])
            json_object_set_new(e, "name", json_string(c->missing_person[m]));
        json_array_append_new(mis, e);
    }
    for (int v = 0; v < c->nv; v++) {
        json_t *row = json_array();
        for (int m = 0; m < M; m++)
            json_array_append_new(row, lr_json(c->pairwise[v * M + m]));
        json_array_append_new(pw, row);
    }
    json_t *as = json_array();
    for (int i = 0; i < n_out; i++) {
        json_t *pairs = json_object();
        for (int v = 0; v < c->nv; v++)
            json_object_set_new(pairs, c->victim_id[v],
                                json_string(out[i].missing_of[v] < 0
                                                ? "*"
                                                : c->missing_name[out[i].missing_of[v]]));
        json_array_append_new(as, json_pack("{s:o,s:f,s:f,s:o}", "assignment", pairs, "lr",
                                            pow(10, out[i].log10_lr), "log10_lr", out[i].log10_lr,
                                            "posterior",
                                            have ? json_real(out[i].posterior) : json_null()));
    }
    json_t *rules = json_object();
    for (int relaxed = 0; relaxed < 2; relaxed++) {
        int round[SDB_DVI_MAX_VICTIMS * SDB_DVI_MAX_VICTIMS], stop;
        json_t *und = json_array();
        find_undisputed(c, a->undisputed, relaxed, round, &stop);
        for (int v = 0; v < c->nv; v++)
            for (int m = 0; m < M; m++)
                if (round[v * M + m])
                    json_array_append_new(und, json_pack("{s:s,s:s,s:f,s:i}", "victim",
                                                         c->victim_id[v], "missing",
                                                         c->missing_name[m], "lr",
                                                         pow(10, c->pairwise[v * M + m]), "round",
                                                         round[v * M + m]));
        char fl[16];
        json_object_set_new(rules, relaxed ? "relaxed" : "strict",
                            json_pack("{s:o,s:o}", "pairs", und, "stopped_at_family",
                                      stop < 0 ? json_null()
                                               : json_string(family_label(c, stop, fl, sizeof fl))));
    }
    json_object_set_new(o, "victims", vic);
    json_object_set_new(o, "missing", mis);
    json_object_set_new(o, "families", json_integer(c->n_families));
    json_object_set_new(o, "mutation", json_string(mut));
    json_object_set_new(o, "pairwise_lr", pw);
    json_object_set_new(o, "assignments", as);
    if (have) {
        json_t *mg = json_object();
        for (int v = 0; v < c->nv; v++) {
            json_t *row = json_object();
            for (int m = 0; m <= M; m++)
                json_object_set_new(row, m < M ? c->missing_name[m] : "*",
                                    json_real(marginal[v * (M + 1) + m]));
            json_object_set_new(mg, c->victim_id[v], row);
        }
        json_object_set_new(o, "posterior_pairing", mg);
    } else
        json_object_set_new(o, "posterior_pairing", json_null());
    json_object_set_new(o, "undisputed_threshold", json_real(a->undisputed));
    json_object_set_new(o, "undisputed", rules);
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    putchar('\n');
    json_decref(o);
}

static void print_text(const dvi_case *c, const sdb_dvi_assignment *out, int n_out,
                       const double *marginal, int have, const mp_args *a, const char *mut)
{
    int M = c->n_missing;
    printf("%d victim%s, %d missing person%s in %d famil%s; mutation %s\n", c->nv,
           c->nv == 1 ? "" : "s", M, M == 1 ? "" : "s", c->n_families,
           c->n_families == 1 ? "y" : "ies", mut);
    for (int m = 0; m < M; m++)
        if (c->missing_person[m]) {
            char fl[16];
            printf("%s%s = %s of family %s", m ? ", " : "missing persons: ", c->missing_name[m],
                   c->missing_person[m], family_label(c, c->family_of[m], fl, sizeof fl));
            if (m == M - 1) putchar('\n');
        }
    printf("pairwise LR (victim x missing person; - = excluded or of the other sex)\n%-10s",
           "victim");
    for (int m = 0; m < M; m++)
        printf(" %12s", c->missing_name[m]);
    putchar('\n');
    for (int v = 0; v < c->nv; v++) {
        printf("%-10s", c->victim_id[v]);
        for (int m = 0; m < M; m++) {
            double x = c->pairwise[v * M + m];
            if (x == -INFINITY)
                printf(" %12s", "-");
            else
                printf(" %12.6g", pow(10, x));
        }
        putchar('\n');
    }
    printf("top %d assignments (LR against nobody identified; posterior with a flat prior)\n%-5s",
           n_out, "rank");
    for (int v = 0; v < c->nv; v++)
        printf(" %-8s", c->victim_id[v]);
    printf(" %-20s %s\n", "LR", "posterior");
    for (int i = 0; i < n_out; i++) {
        printf("%-5d", i + 1);
        for (int v = 0; v < c->nv; v++)
            printf(" %-8s",
                   out[i].missing_of[v] < 0 ? "*" : c->missing_name[out[i].missing_of[v]]);
        char lr[32];
        snprintf(lr, sizeof lr, "%.12g", pow(10, out[i].log10_lr));
        printf(" %-20s ", lr);
        if (have)
            printf("%.10f\n", out[i].posterior);
        else
            printf("-\n");
    }
    if (have) {
        printf("posterior pairing probabilities (* = none of the missing persons)\n%-10s",
               "victim");
        for (int m = 0; m <= M; m++)
            printf(" %12s", m < M ? c->missing_name[m] : "*");
        putchar('\n');
        for (int v = 0; v < c->nv; v++) {
            printf("%-10s", c->victim_id[v]);
            for (int m = 0; m <= M; m++)
                printf(" %12.8f", marginal[v * (M + 1) + m]);
            putchar('\n');
        }
    } else
        printf("posterior pairing probabilities: not computed (over 20 victims)\n");
    for (int relaxed = 0; relaxed < 2; relaxed++) {
        int round[SDB_DVI_MAX_VICTIMS * SDB_DVI_MAX_VICTIMS], stop, any = 0;
        find_undisputed(c, a->undisputed, relaxed, round, &stop);
        printf(relaxed ? "undisputed, relaxed (LR > %g and at least %g times every other LR of the "
                         "victim and of the missing person):"
                       : "undisputed (pairwise LR > %g, every other LR of the victim and of the "
                         "missing person <= 1):",
               a->undisputed, a->undisputed);
        for (int v = 0; v < c->nv; v++)
            for (int m = 0; m < M; m++)
                if (round[v * M + m])
                    printf("%s %s = %s (LR %.6g, round %d)", any++ ? "," : "", c->victim_id[v],
                           c->missing_name[m], pow(10, c->pairwise[v * M + m]), round[v * M + m]);
        printf("%s\n", any ? "" : " none");
        if (stop >= 0) {
            char fl[16];
            printf("  (rounds stop at family %s: its other missing persons' LRs change once one "
                   "is identified; solve it jointly)\n",
                   family_label(c, stop, fl, sizeof fl));
        }
    }
}

/* Sex from Amelogenin: X alone a woman, X and Y a man, else unknown. */
static char amel_sex(const sdb_profile *p)
{
    const sdb_locus *l = sdb_catalog_find(sdb_catalog_default(), "AMEL", 4);
    const sdb_call *call = l ? sdb_profile_call(p, l->id) : NULL;
    int x = 0, y = 0;
    for (uint32_t i = 0; call && i < call->n; i++) {
        x |= p->alleles[call->first + i] == SDB_ALLELE_X;
        y |= p->alleles[call->first + i] == SDB_ALLELE_Y;
    }
    return y ? 'M' : x ? 'F' : 'U';
}

/* One family of a case: its options against the victims and its pairwise
 * LRs, kept SDB_DVI_MAX_VICTIMS wide until compact_pairwise(). */
static int add_family(const char *cmd, dvi_case *c, const char *name, const sdb_pedlik *ped,
                      const sdb_profile *const *typed, const char *const *ids, int nm,
                      const int *missing, const sdb_pedlik_model *model, const sdb_freq *f,
                      int pop)
{
    if (nm > 8 || c->n_missing + nm > SDB_DVI_MAX_VICTIMS) {
        cli_error(cmd, "family '%s': at most 8 missing persons a family, 64 in a case", name);
        return EXIT_FAIL;
    }
    int fi = c->n_families, f0 = c->n_missing;
    for (int j = 0; j < nm; j++) {
        c->family_of[c->n_missing] = fi;
        c->missing_name[c->n_missing++] = ids[missing[j]];
    }
    c->family_name[fi] = name;
    c->first[fi + 1] = c->n_missing;
    sdb_dvi_family df = {ped, typed, nm, missing};
    double *pw = malloc((size_t)c->nv * (size_t)nm * sizeof *pw + 1);
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = pw ? sdb_dvi_family_options(&df, model, f, pop, c->vic, c->nv, f0, &c->opt[fi],
                                         &c->n_opt[fi], pw, &d)
                : SDB_ENOMEM;
    for (int v = 0; !rc && v < c->nv; v++)
        for (int j = 0; j < nm; j++)
            c->pairwise[v * SDB_DVI_MAX_VICTIMS + f0 + j] = pw[v * nm + j];
    free(pw);
    c->n_families++;
    if (rc) {
        if (!strncmp(d.field, "person ", 7)) {
            int i = atoi(d.field + 7);
            if (i >= 0) snprintf(d.field, sizeof d.field, "%s", ids[i]);
        }
        sdb_diag_prefix(&d, "family '%s': ", name);
        cli_diag(cmd, rc, &d);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* The pairwise matrix from SDB_DVI_MAX_VICTIMS wide to M wide. */
static void compact_pairwise(dvi_case *c)
{
    for (int v = 0; v < c->nv; v++)
        for (int j = 0; j < c->n_missing; j++)
            c->pairwise[v * c->n_missing + j] = c->pairwise[v * SDB_DVI_MAX_VICTIMS + j];
}

/* A case from the database: the families of --case (or --family), the
 * remains of --remains (or every remains profile; at most 64). */
static int db_case(const char *cmd, const mp_args *a, dvi_case *c, sdb_mp_data *m,
                   const sdb_freq *f, int pop)
{
    if (!a->ctx.case_ref && !a->family) {
        cli_error(cmd, "mp dvi DB needs --case REF (the case's families) or --family NAME");
        return EXIT_USAGE;
    }
    sdb_session *s;
    if (cli_session(cmd, a->pos[0], &a->ctx, 0, &s)) return EXIT_FAIL;
    sdb_mp_query q = {a->family, a->ctx.case_ref, a->remains, a->remains_index};
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_mp_data(s, &q, m, &d);
    sdb_session_close(s);
    if (rc) {
        cli_diag(cmd, rc, &d);
        return EXIT_FAIL;
    }
    if (m->n_remains > SDB_DVI_MAX_VICTIMS || !m->n_remains) {
        cli_error(cmd, "%ld remains profiles: a joint DVI takes 1 to %d (name them with --remains)",
                  m->n_remains, SDB_DVI_MAX_VICTIMS);
        return EXIT_FAIL;
    }
    c->nv = (int)m->n_remains;
    for (int v = 0; v < c->nv; v++) {
        if (!(c->victim_id[v] = strdup(m->remains[v].sample_id))) return EXIT_FAIL;
        c->vic[v] = (sdb_dvi_victim){&m->remains[v], amel_sex(&m->remains[v]), a->dropout};
    }
    for (int k = 0; k < m->n_families; k++) {
        const sdb_mp_family *fam = &m->families[k];
        int missing[SDB_DVI_MAX_VICTIMS], nm = 0;
        for (int i = 0; i < fam->n && nm < SDB_DVI_MAX_VICTIMS; i++)
            if (fam->missing[i]) missing[nm++] = i;
        if ((rc = add_family(cmd, c, fam->name, fam->ped, (const sdb_profile *const *)fam->typed,
                             (const char *const *)fam->ids, nm, missing, &a->model, f, pop)))
            return rc;
    }
    compact_pairwise(c);
    return EXIT_OK;
}

/* A case from a Familias file's [DVI] part: its unidentified persons (and
 * any --victim), its reference families; frequencies from the file's
 * database unless --freq. */
static int fam_case(const char *cmd, mp_args *a, dvi_case *c, family *file, sdb_freq **f,
                    int *pop)
{
    sdb_diag d;
    int rc;
    if (mp_read_fam(cmd, a->fam, &file->file)) return EXIT_FAIL;
    const sdb_fam_dvi *x = file->file->dvi;
    if (!x) {
        cli_error(cmd, "%s has no [DVI] part (mp lr --fam reads its pedigrees)", a->fam);
        return EXIT_FAIL;
    }
    if (x->n_victims + a->n_victims > SDB_DVI_MAX_VICTIMS || !(x->n_victims + a->n_victims)) {
        cli_error(cmd, "%s: %d unidentified persons and %d --victim: a joint DVI takes 1 to %d",
                  a->fam, x->n_victims, a->n_victims, SDB_DVI_MAX_VICTIMS);
        return EXIT_FAIL;
    }
    if ((rc = mp_case_model(cmd, a, file, f, pop))) return rc;
    for (int v = 0; v < x->n_victims; v++) {
        if (!(c->victim_id[v] = strdup(x->victims[v].sample_id))) return EXIT_FAIL;
        c->vic[v] = (sdb_dvi_victim){&x->victims[v], a->ignore_sex ? 'U' : x->victim_sex[v],
                                     a->dropout};
    }
    c->nv = x->n_victims;
    if ((rc = load_victims(cmd, a, c))) return rc;
    for (int k = 0; k < x->n_families; k++) {
        const sdb_fam_dvi_family *fam = &x->families[k];
        const sdb_fam_pedigree *p = &fam->ped;
        const sdb_profile **typed = calloc((size_t)p->n + 1, sizeof *typed);
        sdb_pedlik *lik = NULL;
        if (!typed) return EXIT_FAIL;
        for (int i = 0; i < p->n; i++)
            typed[i] = fam->profiles[i].n_calls ? &fam->profiles[i] : NULL;
        sdb_diag_clear(&d);
        if (!(rc = sdb_pedlik_new(&lik, p->n, p->father, p->mother, p->sex, &d))) {
            rc = add_family(cmd, c, fam->name, lik, typed, (const char *const *)p->ids,
                            fam->n_missing, fam->missing, &a->model, *f, *pop);
        } else {
            if (!strncmp(d.field, "person ", 7)) {
                int i = atoi(d.field + 7);
                if (i >= 0 && i < p->n) snprintf(d.field, sizeof d.field, "%s", p->ids[i]);
            }
            sdb_diag_prefix(&d, "family '%s': ", fam->name);
            cli_diag(cmd, rc, &d);
            rc = EXIT_FAIL;
        }
        sdb_pedlik_free(lik);
        free(typed);
        if (rc) return rc;
    }
    compact_pairwise(c);
    return EXIT_OK;
}

/* Names longer than a column print as labels M1, M2, ... with a legend. */
static void label_missing(dvi_case *c)
{
    int longest = 0;
    for (int m = 0; m < c->n_missing; m++)
        if ((int)strlen(c->missing_name[m]) > longest) longest = (int)strlen(c->missing_name[m]);
    if (longest <= 8) return;
    for (int m = 0; m < c->n_missing; m++) {
        snprintf(c->label[m], sizeof c->label[m], "M%d", m + 1);
        c->missing_person[m] = c->missing_name[m];
        c->missing_name[m] = c->label[m];
    }
}

/* The joint solution and its report. */
static int solve_and_print(const char *cmd, dvi_case *c, const mp_args *ap)
{
    label_missing(c);
    mp_args a = *ap;
    int rc = EXIT_OK;
    sdb_dvi_assignment *out = calloc((size_t)a.top, sizeof *out);
    double *marginal = calloc((size_t)c->nv * (size_t)(c->n_missing + 1) + 1, sizeof *marginal);
    int n_out = 0, have = 0;
    sdb_diag d;
    sdb_diag_clear(&d);
    const sdb_dvi_option *const *opts = (const sdb_dvi_option *const *)c->opt;
    int src = out && marginal ? sdb_dvi_solve(c->nv, c->n_missing, c->n_families, opts, c->n_opt,
                                              (int)a.top, out, &n_out, marginal, &have, &d)
                              : SDB_ENOMEM;
    if (src) {
        cli_diag(cmd, src, &d);
        rc = EXIT_FAIL;
    } else {
        char mut[160];
        mp_mutation_text(&a.model, mut, sizeof mut);
        if (a.json)
            print_json(c, out, n_out, marginal, have, &a, mut);
        else
            print_text(c, out, n_out, marginal, have, &a, mut);
    }
    free(out);
    free(marginal);
    return rc;
}

static void dvi_case_free(dvi_case *c, const mp_args *a)
{
    for (int v = 0; v < SDB_DVI_MAX_VICTIMS; v++) {
        free(c->victim_id[v]);
        sdb_profile_free(&c->victim[v]);
        free(c->opt[v]);
    }
    for (int r = 0; r < a->n_refs; r++)
        sdb_profile_free(&c->refs[r]);
    free(c->typed);
    mp_family_free(&c->fam);
    free(c);
}

int mp_dvi_main(int argc, char **argv)
{
    const char *cmd = "mp dvi";
    mp_args a;
    int rc = mp_parse(argc, argv, &a, cmd, 0);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    if (a.n_pos == 1) {
        if (a.ped || a.fam || a.n_victims || a.n_missing || a.n_refs) {
            cli_error(cmd, "mp dvi DB reads the families and remains from the database; "
                           "--pedigree, --missing, --reference and --victim are for files");
            return EXIT_USAGE;
        }
        sdb_freq *f = NULL;
        int pop = -1;
        dvi_case *c = calloc(1, sizeof *c);
        sdb_mp_data m = {0};
        if (!c) return EXIT_FAIL;
        if (!(rc = cli_load_freq(cmd, a.freq, a.strict, &a.min_freq, &f)) &&
            (pop = cli_find_pop(cmd, f, a.pop, a.pop ? strlen(a.pop) : 0)) < 0)
            rc = EXIT_FAIL;
        if (!rc) rc = db_case(cmd, &a, c, &m, f, pop);
        if (!rc) rc = solve_and_print(cmd, c, &a);
        sdb_freq_free(f);
        dvi_case_free(c, &a);
        sdb_mp_data_free(&m);
        return rc;
    }
    if (a.fam) {
        dvi_case *c = calloc(1, sizeof *c);
        family file = {0};
        sdb_freq *f = NULL;
        int pop = -1;
        if (!c) return EXIT_FAIL;
        for (int v = 0; v < SDB_DVI_MAX_VICTIMS; v++)
            sdb_profile_init(&c->victim[v]);
        rc = fam_case(cmd, &a, c, &file, &f, &pop);
        if (!rc) rc = solve_and_print(cmd, c, &a);
        sdb_freq_free(f);
        dvi_case_free(c, &a);
        sdb_fam_free(file.file);
        return rc;
    }
    if (a.poi || !a.n_victims) {
        cli_error(cmd, a.poi ? "--poi is for mp lr; give the remains with --victim"
                             : "--victim ID[:SEX]=genotype is required (one for each victim)");
        return EXIT_USAGE;
    }
    dvi_case *c = calloc(1, sizeof *c);
    if (!c) return EXIT_FAIL;
    for (int v = 0; v < SDB_DVI_MAX_VICTIMS; v++)
        sdb_profile_init(&c->victim[v]);
    for (int r = 0; r < MAX_REFS; r++)
        sdb_profile_init(&c->refs[r]);
    sdb_freq *f = NULL;
    int pop = -1;
    if ((rc = mp_load_family(cmd, a.ped, &c->fam)) || (rc = load_missing(cmd, &a, c))) goto done;
    if (!(c->typed = calloc((size_t)c->fam.n, sizeof *c->typed))) {
        rc = EXIT_FAIL;
        goto done;
    }
    if ((rc = load_references(cmd, &a, c)) || (rc = load_victims(cmd, &a, c)) ||
        (rc = mp_case_model(cmd, &a, &c->fam, &f, &pop)))
        goto done;
    for (int k = 0; k < c->n_families && !rc; k++)
        rc = family_options(cmd, c, k, &a.model, f, pop);
    if (!rc) rc = solve_and_print(cmd, c, &a);
done:
    sdb_freq_free(f);
    dvi_case_free(c, &a);
    return rc;
}
