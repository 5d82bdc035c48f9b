/* strdb search | ysearch | pairs: searches over the index built at open. */
#include <jansson.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "strdb/search.h"

static const char search_usage[] =
    "usage: strdb search DB (--profile FILE | --genotype G | --batch FILE)\n"
    "                   [--stringency high|moderate|low] [--min-loci N] [--max-mismatch K]\n"
    "                   [--index NAME] [--limit N] [--threads T] [--json]\n"
    "                   [--purpose P] [--case REF] [--actor NAME]\n\n"
    "Identity search of an autosomal profile against the autosomal profiles of the\n"
    "database (or of one index). Stringency at each locus typed in both (CODIS):\n"
    "  high      identical allele sets\n"
    "  moderate  one set contains the other (mixtures, partial profiles)\n"
    "  low       at least one shared allele\n"
    "A wildcard allele matches anything. A target is a hit when at least N loci are\n"
    "typed in both (default 8, the smallest partial profile a national database\n"
    "searches: a one-locus \"hit\" is no hit) and at most K of them fail (default 0).\n"
    "Hits are ranked by matching loci, then mismatching, with shared/matching/\n"
    "mismatching counts.\n"
    "--batch FILE searches every profile of FILE (the weekly run) and prints JSON\n"
    "lines, one per query, using --threads. Audited (purpose default casework).\n"
    POLICY_HELP;

static const char ysearch_usage[] =
    "usage: strdb ysearch DB (--haplotype FILE | --genotype G) [--max-loci K]\n"
    "                    [--max-steps S] [--min-loci N] [--index NAME] [--limit N]\n"
    "                    [--threads T] [--json] [--purpose P] [--case REF]\n\n"
    "Y-STR search: haplotypes differing at no more than K loci (default 0) by no more\n"
    "than S repeat steps in total (default: any when K > 0, else 0). Two-copy loci\n"
    "compare as sorted pairs; a microvariant against an integer, or another number of\n"
    "copies, is a differing locus without steps; loci missing on either side do not\n"
    "count but are reported. Audited (purpose default casework).\n"
    POLICY_HELP;

static const char pairs_usage[] =
    "usage: strdb pairs DB [--hit M] [--format csv|json] [--index NAME] [--threads T]\n"
    "                  [--purpose P] [--case REF]\n\n"
    "All-pairs comparison of the autosomal reference profiles (DNAtools semantics):\n"
    "for every pair, m = loci typed in both with the same genotype, p = loci sharing\n"
    "exactly one allele. Prints the m x p table of pair counts (CSV: the layout of\n"
    "DNAtools' dbCompare output) and, with --hit M, every pair with m >= M.\n"
    "Profiles with more than two alleles at a locus are left out. Audited (purpose\n"
    "default database-health).\n"
    POLICY_HELP;

/* The default --min-loci of an identity search (docs/search.md). */
#define CLI_MIN_LOCI 8

enum {
    O_PROFILE = 1,
    O_GENOTYPE,
    O_BATCH,
    O_STRING,
    O_MINL,
    O_MAXMM,
    O_INDEX,
    O_LIMIT,
    O_THREADS,
    O_JSON,
    O_MAXLOCI,
    O_MAXSTEPS,
    O_HIT,
    O_FORMAT
};

static json_t *hit_json(const char *id, const sdb_hit *h)
{
    return json_pack("{s:s,s:i,s:i,s:i}", "sample_id", id, "shared", h->shared, "matching",
                     h->matching, "mismatching", h->mismatching);
}

/* --batch: one JSON line per query of the file. */
static int batch_line(void *arg, const char *query, int rc, const sdb_diag *d,
                      const sdb_result *r)
{
    json_t *line = json_object();
    if (query[0]) json_object_set_new(line, "query", json_string(query));
    if (rc) {
        char buf[512];
        json_object_set_new(line, "error", json_string(sdb_diag_format(d, buf, sizeof buf)));
    } else {
        json_t *arr = json_array();
        for (long i = 0; i < r->n; i++)
            json_array_append_new(arr, hit_json(r->sample_id[i], &r->hits[i]));
        json_object_set_new(line, "hits", arr);
    }
    json_dumpf(line, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(line);
    return 0;
}

int main_search(int argc, char **argv)
{
    static const struct option lo[] = {{"profile", required_argument, NULL, O_PROFILE},
                                       {"genotype", required_argument, NULL, O_GENOTYPE},
                                       {"batch", required_argument, NULL, O_BATCH},
                                       {"stringency", required_argument, NULL, O_STRING},
                                       {"min-loci", required_argument, NULL, O_MINL},
                                       {"max-mismatch", required_argument, NULL, O_MAXMM},
                                       {"index", required_argument, NULL, O_INDEX},
                                       {"limit", required_argument, NULL, O_LIMIT},
                                       {"threads", required_argument, NULL, O_THREADS},
                                       {"json", no_argument, NULL, O_JSON},
                                       CTX_LONG_OPTIONS,
                                       {NULL, 0, NULL, 0}};
    sdb_search_opts o;
    sdb_search_opts_init(&o);
    o.min_loci = CLI_MIN_LOCI;
    sdb_ctx ctx = {0};
    const char *file = NULL, *genotype = NULL, *batch_file = NULL, *index = NULL;
    int json = 0, c;
    long v = 0;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        int bad = 0;
        switch (c) {
        case O_PROFILE: file = optarg; break;
        case O_GENOTYPE: genotype = optarg; break;
        case O_BATCH: batch_file = optarg; break;
        case O_STRING: bad = sdb_stringency_parse(optarg, &o.stringency); break;
        case O_MINL: bad = cli_parse_long(optarg, 0, 64, &v), o.min_loci = (int)v; break;
        case O_MAXMM: bad = cli_parse_long(optarg, 0, 64, &v), o.max_mismatch = (int)v; break;
        case O_INDEX: index = optarg; break;
        case O_LIMIT: bad = cli_parse_long(optarg, 0, 1L << 40, &v), o.limit = v; break;
        case O_THREADS: bad = cli_parse_long(optarg, 1, 64, &v), o.threads = (int)v; break;
        case O_JSON: json = 1; break;
        default: return cli_usage(search_usage, c != 'h');
        }
        if (bad && c == O_STRING) {
            cli_error("search", "invalid value '%s' for --stringency; one of high, moderate, low",
                      optarg);
            return EXIT_USAGE;
        }
        if (bad) {
            cli_error("search", "invalid value '%s' for %s", optarg, argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) return cli_usage(search_usage, 1);
    if (cli_one_query("search", !!file + !!genotype + !!batch_file,
                      "--profile FILE, --genotype G or --batch FILE"))
        return EXIT_USAGE;
    cli_ctx_finish(&ctx);
    if (!ctx.purpose) ctx.purpose = "casework";
    sdb_profile q;
    sdb_profile_init(&q);
    if (!batch_file && cli_read_query("search", file, genotype, &q)) return EXIT_FAIL;
    sdb_session *db;
    if (cli_session("search", argv[optind], &ctx, 0, &db)) {
        sdb_profile_free(&q);
        return EXIT_FAIL;
    }
    sdb_diag d;
    sdb_diag_clear(&d);
    sdb_result r;
    long n_queries = 0, n_hits = 0;
    int st = batch_file ? sdb_session_search_batch(db, index, batch_file, &o, batch_line, NULL,
                                                   &n_queries, &n_hits, &d)
                        : sdb_session_search(db, index, &q, &o, 0, &r, &d);
    if (!st && !batch_file && q.n_calls < o.min_loci)
        cli_error("search", "warning: the query types %d loci, fewer than --min-loci %d: no "
                  "profile can be a hit", q.n_calls, o.min_loci);
    if (st) {
        cli_diag("search", st, &d);
    } else if (batch_file) {
    } else if (json) {
        json_t *arr = json_array();
        for (long i = 0; i < r.n; i++)
            json_array_append_new(arr, hit_json(r.sample_id[i], &r.hits[i]));
        json_t *out = json_pack("{s:s,s:I,s:o}", "stringency", sdb_stringency_name(o.stringency),
                                "searched", (json_int_t)r.searched, "hits", arr);
        json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        json_decref(out);
    } else {
        printf("%ld hits among %ld profiles (stringency %s)\n", r.n, r.searched,
               sdb_stringency_name(o.stringency));
        printf("%-24s %6s %8s %11s\n", "sample_id", "shared", "matching", "mismatching");
        for (long i = 0; i < r.n; i++)
            printf("%-24s %6d %8d %11d\n", r.sample_id[i], r.hits[i].shared, r.hits[i].matching,
                   r.hits[i].mismatching);
    }
    if (!st && !batch_file) {
        fprintf(stderr, "[strdb search] audit record %lld (strdb report --search-record %lld)\n",
                r.audit_seq, r.audit_seq);
        sdb_result_free(&r);
    }
    sdb_session_close(db);
    sdb_profile_free(&q);
    return st ? EXIT_FAIL : EXIT_OK;
}

int main_ysearch(int argc, char **argv)
{
    static const struct option lo[] = {{"haplotype", required_argument, NULL, O_PROFILE},
                                       {"genotype", required_argument, NULL, O_GENOTYPE},
                                       {"max-loci", required_argument, NULL, O_MAXLOCI},
                                       {"max-steps", required_argument, NULL, O_MAXSTEPS},
                                       {"min-loci", required_argument, NULL, O_MINL},
                                       {"index", required_argument, NULL, O_INDEX},
                                       {"limit", required_argument, NULL, O_LIMIT},
                                       {"threads", required_argument, NULL, O_THREADS},
                                       {"json", no_argument, NULL, O_JSON},
                                       CTX_LONG_OPTIONS,
                                       {NULL, 0, NULL, 0}};
    sdb_ysearch_opts o;
    sdb_ysearch_opts_init(&o);
    o.max_steps = -2; /* not given */
    sdb_ctx ctx = {0};
    const char *file = NULL, *genotype = NULL, *index = NULL;
    int json = 0, c;
    long v = 0;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        int bad = 0;
        switch (c) {
        case O_PROFILE: file = optarg; break;
        case O_GENOTYPE: genotype = optarg; break;
        case O_MAXLOCI: bad = cli_parse_long(optarg, 0, 64, &v), o.max_loci = (int)v; break;
        case O_MAXSTEPS: bad = cli_parse_long(optarg, 0, 1000, &v), o.max_steps = (int)v; break;
        case O_MINL: bad = cli_parse_long(optarg, 0, 64, &v), o.min_loci = (int)v; break;
        case O_INDEX: index = optarg; break;
        case O_LIMIT: bad = cli_parse_long(optarg, 0, 1L << 40, &v), o.limit = v; break;
        case O_THREADS: bad = cli_parse_long(optarg, 1, 64, &v), o.threads = (int)v; break;
        case O_JSON: json = 1; break;
        default: return cli_usage(ysearch_usage, c != 'h');
        }
        if (bad) {
            cli_error("ysearch", "invalid value '%s' for %s", optarg, argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) return cli_usage(ysearch_usage, 1);
    if (cli_one_query("ysearch", !!file + !!genotype, "--haplotype FILE or --genotype G"))
        return EXIT_USAGE;
    if (o.max_steps == -2) o.max_steps = o.max_loci > 0 ? -1 : 0;
    cli_ctx_finish(&ctx);
    if (!ctx.purpose) ctx.purpose = "casework";
    sdb_profile q;
    sdb_profile_init(&q);
    if (cli_read_query("ysearch", file, genotype, &q)) return EXIT_FAIL;
    sdb_session *db;
    if (cli_session("ysearch", argv[optind], &ctx, 0, &db)) {
        sdb_profile_free(&q);
        return EXIT_FAIL;
    }
    sdb_result r;
    sdb_diag d;
    sdb_diag_clear(&d);
    int st = sdb_session_ysearch(db, index, &q, &o, &r, &d);
    if (st) {
        cli_diag("ysearch", st, &d);
    } else if (json) {
        json_t *arr = json_array();
        for (long i = 0; i < r.n; i++)
            json_array_append_new(arr, json_pack("{s:s,s:i,s:i,s:i,s:i}", "sample_id",
                                                 r.sample_id[i], "compared", r.yhits[i].compared,
                                                 "differing", r.yhits[i].differing, "steps",
                                                 r.yhits[i].steps, "missing", r.yhits[i].missing));
        json_t *out = json_pack("{s:I,s:o}", "searched", (json_int_t)r.searched, "hits", arr);
        json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        json_decref(out);
    } else {
        printf("%ld hits among %ld haplotypes\n", r.n, r.searched);
        printf("%-24s %8s %9s %5s %7s\n", "sample_id", "compared", "differing", "steps", "missing");
        for (long i = 0; i < r.n; i++)
            printf("%-24s %8d %9d %5d %7d\n", r.sample_id[i], r.yhits[i].compared,
                   r.yhits[i].differing, r.yhits[i].steps, r.yhits[i].missing);
    }
    if (!st) sdb_result_free(&r);
    sdb_session_close(db);
    sdb_profile_free(&q);
    return st ? EXIT_FAIL : EXIT_OK;
}

static void pairs_csv(const sdb_pairs_result *r)
{
    int L = r->n_loci;
    printf("m_full_match_loci");
    for (int p = 0; p <= L; p++)
        printf(",p%d", p);
    putchar('\n');
    for (int m = 0; m <= L; m++) {
        printf("%d", m);
        for (int p = 0; p <= L; p++) {
            if (m + p <= L)
                printf(",%llu", (unsigned long long)r->counts[m * (L + 1) + p]);
            else
                putchar(',');
        }
        putchar('\n');
    }
}

int main_pairs(int argc, char **argv)
{
    static const struct option lo[] = {{"hit", required_argument, NULL, O_HIT},
                                       {"format", required_argument, NULL, O_FORMAT},
                                       {"index", required_argument, NULL, O_INDEX},
                                       {"threads", required_argument, NULL, O_THREADS},
                                       CTX_LONG_OPTIONS,
                                       {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    const char *index = NULL;
    int json = 0, c, threads = 1;
    long hit = -1, v;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        int bad = 0;
        switch (c) {
        case O_HIT: bad = cli_parse_long(optarg, 0, 64, &hit); break;
        case O_FORMAT:
            json = !strcmp(optarg, "json");
            if (!json && strcmp(optarg, "csv")) {
                cli_error("pairs", "invalid value '%s' for --format; one of csv, json", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_INDEX: index = optarg; break;
        case O_THREADS: bad = cli_parse_long(optarg, 1, 64, &v), threads = (int)v; break;
        default: return cli_usage(pairs_usage, c != 'h');
        }
        if (bad) {
            cli_error("pairs", "invalid value '%s' for %s", optarg, argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) return cli_usage(pairs_usage, 1);
    cli_ctx_finish(&ctx);
    if (!ctx.purpose) ctx.purpose = "database-health";
    sdb_session *db;
    if (cli_session("pairs", argv[optind], &ctx, 0, &db)) return EXIT_FAIL;
    sdb_pairs_ids ri;
    const sdb_pairs_result *r = &ri.pairs;
    sdb_diag d;
    sdb_diag_clear(&d);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cli_ticker_start("strdb pairs");
    int st = sdb_session_pairs(db, index, (int)hit, threads, &ri, &d);
    cli_ticker_stop();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (st) {
        cli_diag("pairs", st, &d);
    } else if (json) {
        json_t *table = json_array(), *hits = json_array();
        for (int m = 0; m <= r->n_loci; m++) {
            json_t *row = json_array();
            for (int p = 0; p + m <= r->n_loci; p++)
                json_array_append_new(row,
                                      json_integer((json_int_t)r->counts[m * (r->n_loci + 1) + p]));
            json_array_append_new(table, row);
        }
        for (long i = 0; i < r->n_hits; i++)
            json_array_append_new(hits, json_pack("{s:s,s:s,s:i,s:i}", "a", ri.id_a[i], "b",
                                                  ri.id_b[i], "m", r->hit_m[i], "p", r->hit_p[i]));
        json_t *o =
            json_pack("{s:I,s:I,s:i,s:o,s:o}", "profiles", (json_int_t)ri.profiles, "pairs",
                      (json_int_t)r->pairs, "loci", r->n_loci, "m_by_p", table, "hits", hits);
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        json_decref(o);
    } else {
        pairs_csv(r);
        for (long i = 0; i < r->n_hits; i++)
            fprintf(stdout, "%s%s,%s,%d,%d\n", i ? "" : "\nsample_a,sample_b,m,p\n", ri.id_a[i],
                    ri.id_b[i], r->hit_m[i], r->hit_p[i]);
    }
    double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (!st)
        fprintf(stderr, "[strdb pairs::%.3f] %llu pairs, %.3g pairs/s\n", sec,
                (unsigned long long)r->pairs, sec > 0 ? (double)r->pairs / sec : 0);
    if (!st) sdb_pairs_ids_free(&ri);
    sdb_session_close(db);
    return st ? EXIT_FAIL : EXIT_OK;
}
