/* strdb mp search DB and strdb mp draw DB FAMILY: the stored families
 * against the stored remains, through the session (purpose missing-person). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct search_run {
    sdb_freq *f;
    int pop;
    sdb_mp_opts o;
    sdb_mp_data m;
    sdb_mp_result r;
} search_run;

/* Frequencies, session, search: EXIT_OK with run filled. */
static int run_search(const char *cmd, const mp_args *a, const sdb_mp_query *q, search_run *x)
{
    memset(x, 0, sizeof *x);
    int rc = cli_load_freq(cmd, a->freq, a->strict, &a->min_freq, &x->f);
    if (rc) return rc;
    if ((x->pop = cli_find_pop(cmd, x->f, a->pop, a->pop ? strlen(a->pop) : 0)) < 0)
        return EXIT_FAIL;
    sdb_mp_opts_init(&x->o);
    x->o.model = a->model;
    x->o.dropout = a->dropout;
    x->o.min_lr = a->min_lr;
    x->o.top = (int)a->top;
    x->o.threads = (int)a->threads;
    sdb_session *s;
    if (cli_session(cmd, a->pos[0], &a->ctx, 0, &s)) return EXIT_FAIL;
    sdb_diag d;
    sdb_diag_clear(&d);
    cli_ticker_start("strdb mp search");
    rc = sdb_session_mp_search(s, q, x->f, x->pop, &x->o, &x->m, &x->r, &d);
    cli_ticker_stop();
    sdb_session_close(s);
    if (rc) {
        cli_diag(cmd, rc, &d);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static void run_free(search_run *x)
{
    sdb_mp_result_free(&x->r);
    sdb_mp_data_free(&x->m);
    sdb_freq_free(x->f);
}

/* A hit's per-locus values (per-pair peeling) and excluded loci. */
typedef struct detail {
    sdb_locus_stat st[128];
    int n, excluded;
    double log10_lr;
} detail;

static int hit_detail(const char *cmd, const search_run *x, const sdb_mp_hit *h, detail *dt)
{
    const sdb_profile *r = &x->m.remains[h->remains];
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = r->n_calls <= 128 ? sdb_mp_pair(&x->m.families[h->family], h->person, r, x->f,
                                             x->pop, &x->o, dt->st, &dt->n, &dt->log10_lr,
                                             &dt->excluded, &d)
                               : SDB_EINVAL;
    if (rc) cli_diag(cmd, rc, &d);
    return rc ? EXIT_FAIL : EXIT_OK;
}

static json_t *hit_json(const search_run *x, const sdb_mp_hit *h, const detail *dt)
{
    const sdb_catalog *cat = sdb_catalog_default();
    const sdb_mp_family *fam = &x->m.families[h->family];
    const sdb_profile *r = &x->m.remains[h->remains];
    json_t *loci = json_array(), *excl = json_array(), *refs = json_array();
    for (int k = 0; k < dt->n; k++) {
        const char *name = sdb_catalog_by_id(cat, dt->st[k].locus)->name;
        char g[128] = "-";
        cli_alleles(r, sdb_profile_call(r, dt->st[k].locus), g, sizeof g);
        int ex = dt->st[k].note != NULL || dt->st[k].value == 0;
        json_array_append_new(loci, json_pack("{s:s,s:s,s:f,s:b}", "locus", name, "remains", g,
                                              "lr", dt->st[k].value, "excluded", ex));
        if (ex) json_array_append_new(excl, json_string(name));
    }
    for (int i = 0; i < fam->n; i++)
        if (fam->typed[i])
            json_array_append_new(refs, json_pack("{s:s,s:s}", "person", fam->ids[i], "sample",
                                                  fam->typed[i]->sample_id));
    return json_pack("{s:s,s:s,s:o,s:s,s:o,s:o,s:i,s:o,s:i,s:o,s:o}", "remains", r->sample_id,
                     "family", fam->name, "case",
                     fam->case_ref ? json_string(fam->case_ref) : json_null(), "missing",
                     fam->ids[h->person], "lr",
                     h->log10_lr == -INFINITY ? json_real(0) : json_real(pow(10, h->log10_lr)),
                     "log10_lr", h->log10_lr == -INFINITY ? json_null() : json_real(h->log10_lr),
                     "loci_compared", h->loci, "excluded_loci", excl, "references", fam->n_typed,
                     "reference_samples", refs, "loci", loci);
}

static void hit_text(const search_run *x, const sdb_mp_hit *h, const detail *dt, int rank)
{
    const sdb_catalog *cat = sdb_catalog_default();
    const sdb_mp_family *fam = &x->m.families[h->family];
    char lr[32], ex[512] = "-";
    if (h->log10_lr == -INFINITY)
        snprintf(lr, sizeof lr, "0");
    else
        snprintf(lr, sizeof lr, "%.6g", pow(10, h->log10_lr));
    size_t k = 0;
    for (int i = 0; i < dt->n && k < sizeof ex - 16; i++)
        if (dt->st[i].note || dt->st[i].value == 0)
            k += (size_t)snprintf(ex + k, sizeof ex - k, "%s%s", k ? "," : "",
                                  sdb_catalog_by_id(cat, dt->st[i].locus)->name);
    printf("%-5d %-16s %-12s %-10s %-14s %9.4f %5d %5d  %s\n", rank,
           x->m.remains[h->remains].sample_id, fam->name, fam->ids[h->person], lr,
           h->log10_lr == -INFINITY ? -INFINITY : h->log10_lr, h->loci, fam->n_typed, ex);
}

static int search_main(int argc, char **argv)
{
    const char *cmd = "mp search";
    mp_args a;
    int rc = mp_parse(argc, argv, &a, cmd, 0);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    const char *rank = a.rank ? a.rank : a.family && !a.remains ? "family" : "remains";
    if (strcmp(rank, "remains") && strcmp(rank, "family")) {
        cli_error(cmd, "--rank: remains or family, got '%s'", rank);
        return EXIT_USAGE;
    }
    sdb_mp_query q = {a.family, NULL, a.remains, a.remains_index};
    search_run x;
    if ((rc = run_search(cmd, &a, &q, &x))) {
        run_free(&x);
        return rc;
    }
    int by_family = !strcmp(rank, "family");
    const sdb_mp_hit *hits = by_family ? x.r.by_family : x.r.by_remains;
    long n = by_family ? x.r.n_by_family : x.r.n_by_remains;
    char mut[160], minimum[32];
    mp_mutation_text(&a.model, mut, sizeof mut);
    sdb_freq_minimum_text(x.f, minimum, sizeof minimum);
    json_t *arr = a.json ? json_array() : NULL;
    if (!a.json) {
        printf("%d families, %ld remains, %lld pairs compared; population %s, minimum frequency "
               "%s, mutation %s, theta %g; LR >= %g, best %ld per %s\n",
               x.m.n_families, x.m.n_remains, x.r.pairs, sdb_freq_population(x.f, x.pop),
               minimum, mut, a.model.theta, a.min_lr, a.top, by_family ? "family" : "remains");
        printf("%-5s %-16s %-12s %-10s %-14s %9s %5s %5s  %s\n", "rank", "remains", "family",
               "missing", "LR", "log10_lr", "loci", "refs", "excluded_loci");
    }
    detail *dt = malloc(sizeof *dt);
    for (long i = 0, rk = 0; dt && i < n && !rc; i++) {
        long group = by_family ? hits[i].family : hits[i].remains;
        long prev = i ? (by_family ? hits[i - 1].family : hits[i - 1].remains) : -1;
        rk = group == prev ? rk + 1 : 1;
        if ((rc = hit_detail(cmd, &x, &hits[i], dt))) break;
        if (a.json) {
            json_t *o = hit_json(&x, &hits[i], dt);
            json_object_set_new(o, "rank", json_integer(rk));
            json_array_append_new(arr, o);
        } else
            hit_text(&x, &hits[i], dt, (int)rk);
    }
    if (!dt) rc = EXIT_FAIL;
    free(dt);
    if (a.json && !rc) {
        json_t *o = json_pack("{s:i,s:I,s:I,s:s,s:s,s:s,s:f,s:f,s:I,s:s,s:I,s:o}", "families",
                              x.m.n_families, "remains", (json_int_t)x.m.n_remains, "pairs",
                              (json_int_t)x.r.pairs,
                              "population", sdb_freq_population(x.f, x.pop), "min_freq", minimum,
                              "mutation", mut, "theta", a.model.theta, "min_lr", a.min_lr,
                              "top", (json_int_t)a.top, "rank", rank, "fallback_loci",
                              (json_int_t)x.r.fallback_loci, "hits", arr);
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        putchar('\n');
        json_decref(o);
    } else if (arr)
        json_decref(arr);
    run_free(&x);
    return rc;
}

static int draw_main(int argc, char **argv)
{
    const char *cmd = "mp draw";
    mp_args a;
    int rc = mp_parse(argc, argv, &a, cmd, 0);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    if (!a.svg) {
        cli_error(cmd, "--svg FILE is required");
        return EXIT_USAGE;
    }
    a.family = a.pos[1];
    a.top = 1;
    a.min_lr = 0;
    sdb_mp_query q = {a.family, NULL, a.remains, a.remains_index};
    search_run x;
    if ((rc = run_search(cmd, &a, &q, &x))) {
        run_free(&x);
        return rc;
    }
    char caption[512];
    const sdb_mp_hit *h = x.r.n_by_family ? &x.r.by_family[0] : NULL;
    if (h && h->log10_lr > -INFINITY)
        snprintf(caption, sizeof caption,
                 "best candidate: remains %s as %s, LR %.4g (log10 %.2f, %d loci; %ld remains "
                 "searched, population %s)",
                 x.m.remains[h->remains].sample_id, x.m.families[0].ids[h->person],
                 pow(10, h->log10_lr), h->log10_lr, h->loci, x.m.n_remains,
                 sdb_freq_population(x.f, x.pop));
    else
        snprintf(caption, sizeof caption, "no candidate among %ld remains", x.m.n_remains);
    FILE *out = fopen(a.svg, "w");
    sdb_diag d;
    sdb_diag_clear(&d);
    rc = out ? sdb_draw_family(&x.m.families[0], caption, out, &d) : SDB_EIO;
    if (!out) sdb_diag_set(&d, a.svg, 0, NULL, "cannot write the file");
    if (out && fclose(out) && !rc) rc = SDB_EIO;
    if (rc) {
        cli_diag(cmd, rc, &d);
        if (out) remove(a.svg);
        rc = EXIT_FAIL;
    } else
        fprintf(stderr, "[strdb mp] family %s drawn to %s (%s)\n", a.family, a.svg, caption);
    run_free(&x);
    return rc;
}

int mp_db_main(int argc, char **argv)
{
    return !strcmp(argv[0], "draw") ? draw_main(argc, argv) : search_main(argc, argv);
}
