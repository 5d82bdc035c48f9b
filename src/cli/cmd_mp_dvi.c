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
    c->nv = a->n_victims;
    for (int v = 0; v < c->nv; v++) {
        const char *s = a->victims[v], *eq = strchr(s, '=');
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
        c->vic[v] = (sdb_dvi_victim){&c->victim[v], sex, a->dropout};
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

/* dvir's findUndisputed (strict): pairwise LR above the threshold, every
 * other pairwise LR of the victim and of the missing person at most 1. */
static int undisputed(const dvi_case *c, int v, int m, double threshold)
{
    const double *pw = c->pairwise;
    int M = c->n_missing;
    if (pw[v * M + m] <= log10(threshold)) return 0;
    for (int k = 0; k < M; k++)
        if (k != m && pw[v * M + k] > 0) return 0;
    for (int w = 0; w < c->nv; w++)
        if (w != v && pw[w * M + m] > 0) return 0;
    return 1;
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
    for (int m = 0; m < M; m++)
        json_array_append_new(
            mis, c->family_name[c->family_of[m]]
                     ? json_pack("{s:s,s:s}", "id", c->missing_name[m], "family",
                                 c->family_name[c->family_of[m]])
                     : json_pack("{s:s,s:i}", "id", c->missing_name[m], "family",
                                 c->family_of[m] + 1));
    for (int v = 0; v < c->nv; v++) {
        json_t *row = json_array();
        for (int m = 0; m < M; m++)
            json_array_append_new(row, lr_json(c->pairwise[v * M + m]));
        json_array_append_new(pw, row);
    }
    json_t *as = json_array(), *und = json_array();
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
    for (int v = 0; v < c->nv; v++)
        for (int m = 0; m < M; m++)
            if (undisputed(c, v, m, a->undisputed))
                json_array_append_new(und, json_pack("{s:s,s:s,s:f}", "victim", c->victim_id[v],
                                                     "missing", c->missing_name[m], "lr",
                                                     pow(10, c->pairwise[v * M + m])));
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
    json_object_set_new(o, "undisputed", und);
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
    printf("undisputed (pairwise LR > %g, every other LR of the victim and of the missing "
           "person <= 1):",
           a->undisputed);
    int any = 0;
    for (int v = 0; v < c->nv; v++)
        for (int m = 0; m < M; m++)
            if (undisputed(c, v, m, a->undisputed)) {
                printf("%s %s = %s (LR %.6g)", any++ ? "," : "", c->victim_id[v],
                       c->missing_name[m], pow(10, c->pairwise[v * M + m]));
            }
    printf("%s\n", any ? "" : " none");
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
        int missing[8], nm = 0;
        for (int i = 0; i < fam->n; i++) {
            if (!fam->missing[i]) continue;
            if (nm == 8 || c->n_missing == SDB_DVI_MAX_VICTIMS) {
                cli_error(cmd, "family '%s': at most 8 missing persons a family, 64 in a case",
                          fam->name);
                return EXIT_FAIL;
            }
            missing[nm++] = i;
            c->family_of[c->n_missing] = c->n_families;
            c->missing_name[c->n_missing++] = fam->ids[i];
        }
        c->family_name[c->n_families] = fam->name;
        c->first[c->n_families + 1] = c->n_missing;
        sdb_dvi_family df = {fam->ped, (const sdb_profile *const *)fam->typed, nm, missing};
        double *pw = malloc((size_t)c->nv * (size_t)nm * sizeof *pw + 1);
        int f0 = c->first[c->n_families];
        rc = pw ? sdb_dvi_family_options(&df, &a->model, f, pop, c->vic, c->nv, f0,
                                         &c->opt[c->n_families], &c->n_opt[c->n_families], pw, &d)
                : SDB_ENOMEM;
        for (int v = 0; !rc && v < c->nv; v++)
            for (int j = 0; j < nm; j++)
                c->pairwise[v * SDB_DVI_MAX_VICTIMS + f0 + j] = pw[v * nm + j];
        free(pw);
        c->n_families++;
        if (rc) {
            sdb_diag_prefix(&d, "family '%s': ", fam->name);
            cli_diag(cmd, rc, &d);
            return EXIT_FAIL;
        }
    }
    /* the pairwise matrix is kept M wide */
    for (int v = 0; v < c->nv; v++)
        for (int j = 0; j < c->n_missing; j++)
            c->pairwise[v * c->n_missing + j] = c->pairwise[v * SDB_DVI_MAX_VICTIMS + j];
    return EXIT_OK;
}

/* The joint solution and its report. */
static int solve_and_print(const char *cmd, dvi_case *c, const mp_args *ap)
{
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
    if (a.fam || a.poi || !a.n_victims) {
        cli_error(cmd, a.fam ? "--fam is not read by mp dvi yet; give --pedigree PED.csv"
                   : a.poi ? "--poi is for mp lr; give the remains with --victim"
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
