/* strdb lineage build | search | show */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char lineage_usage[] =
    "usage: strdb lineage build DB [--max-loci K] [--max-steps S] [--min-loci N] [--full]\n"
    "                           [--index NAME] [--threads T] [--purpose P]\n"
    "       strdb lineage search DB (--haplotype FILE | --genotype G) [--kit K]\n"
    "                           [--max-meioses N] [--limit N] [--leads N] [--json]\n"
    "                           [--index NAME] [--purpose P] [--case REF]\n"
    "       strdb lineage show DB [ID] [--svg FILE] [--view auto|network|tree]\n"
    "                           [--max-nodes N] [--top N] [--purpose P]\n\n"
    "Y-STR paternal lineages (docs/lineage.md).\n"
    "build   links every two Y haplotypes that type at least N loci in common (default\n"
    "        10) and differ at no more than K of them (default 2) by no more than S\n"
    "        repeat steps (default any), plus every two typed men on one paternal line of\n"
    "        the pedigree store, and stores the connected components as lineages (size,\n"
    "        modal haplotype, haplotype diversity). Pairs come from the pigeonhole block\n"
    "        join (K + 1 blocks of loci), not from comparing every pair. A later build with\n"
    "        the same options joins only the haplotypes imported since (existing lineage\n"
    "        ids are kept; merged lineages keep the smallest); --full rebuilds.\n"
    "search  the lineages holding a haplotype within the build's limits of the query;\n"
    "        their typed members ranked by the posterior number of meioses (uniform prior\n"
    "        on 1..N, default 40; --kit restricts the loci); and the leads: every man of\n"
    "        the paternal family trees holding those members, typed or not, placed by the\n"
    "        typed member nearest to the donor (tree meioses + that member's posterior\n"
    "        mode = meioses to the donor at most; the 95% interval widened alike).\n"
    "show    without ID the largest lineages; with ID its modal haplotype and members,\n"
    "        and with --svg FILE a drawing: the paternal family tree where members have\n"
    "        pedigree records (squares, filled = typed), else the network of distinct\n"
    "        haplotypes (a spanning tree of fewest differences, edges labelled with the\n"
    "        differing loci and repeat changes; at most --max-nodes, default 60).\n"
    "Purpose default casework (lineages cover the indexes it may read). Audited.\n" POLICY_HELP;

enum {
    O_MAXLOCI = 1,
    O_MAXSTEPS,
    O_MINL,
    O_FULL,
    O_INDEX,
    O_THREADS,
    O_HAP,
    O_GENOTYPE,
    O_KIT,
    O_MAXM,
    O_LIMIT,
    O_LEADS,
    O_JSON,
    O_SVG,
    O_VIEW,
    O_MAXNODES,
    O_TOP
};

typedef struct args {
    sdb_lineage_opts o;
    int full, json, max_meioses, max_nodes;
    long limit, leads, top;
    const char *index, *file, *genotype, *kit, *svg, *view;
} args;

static int parse(int argc, char **argv, args *a, sdb_ctx *ctx)
{
    static const struct option lo[] = {{"max-loci", required_argument, NULL, O_MAXLOCI},
                                       {"max-steps", required_argument, NULL, O_MAXSTEPS},
                                       {"min-loci", required_argument, NULL, O_MINL},
                                       {"full", no_argument, NULL, O_FULL},
                                       {"index", required_argument, NULL, O_INDEX},
                                       {"threads", required_argument, NULL, O_THREADS},
                                       {"haplotype", required_argument, NULL, O_HAP},
                                       {"genotype", required_argument, NULL, O_GENOTYPE},
                                       {"kit", required_argument, NULL, O_KIT},
                                       {"max-meioses", required_argument, NULL, O_MAXM},
                                       {"limit", required_argument, NULL, O_LIMIT},
                                       {"leads", required_argument, NULL, O_LEADS},
                                       {"json", no_argument, NULL, O_JSON},
                                       {"svg", required_argument, NULL, O_SVG},
                                       {"view", required_argument, NULL, O_VIEW},
                                       {"max-nodes", required_argument, NULL, O_MAXNODES},
                                       {"top", required_argument, NULL, O_TOP},
                                       CTX_LONG_OPTIONS,
                                       {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    sdb_lineage_opts_init(&a->o);
    a->max_meioses = 40;
    a->max_nodes = 60;
    a->limit = 20;
    a->leads = 30;
    a->top = 20;
    int c;
    long v = 0;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, ctx)) continue;
        int bad = 0;
        switch (c) {
        case O_MAXLOCI: bad = cli_integer("lineage", "--max-loci", optarg, 0, 20, &v), a->o.max_loci = (int)v; break;
        case O_MAXSTEPS: bad = cli_integer("lineage", "--max-steps", optarg, 0, 1000, &v), a->o.max_steps = (int)v; break;
        case O_MINL: bad = cli_integer("lineage", "--min-loci", optarg, 1, 64, &v), a->o.min_loci = (int)v; break;
        case O_FULL: a->full = 1; break;
        case O_INDEX: a->index = optarg; break;
        case O_THREADS: bad = cli_integer("lineage", "--threads", optarg, 1, 64, &v), a->o.threads = (int)v; break;
        case O_HAP: a->file = optarg; break;
        case O_GENOTYPE: a->genotype = optarg; break;
        case O_KIT: a->kit = optarg; break;
        case O_MAXM: bad = cli_integer("lineage", "--max-meioses", optarg, 1, 200, &v), a->max_meioses = (int)v; break;
        case O_LIMIT: bad = cli_integer("lineage", "--limit", optarg, 0, 1L << 30, &a->limit); break;
        case O_LEADS: bad = cli_integer("lineage", "--leads", optarg, 0, 1L << 30, &a->leads); break;
        case O_JSON: a->json = 1; break;
        case O_SVG: a->svg = optarg; break;
        case O_VIEW: a->view = optarg; break;
        case O_MAXNODES: bad = cli_integer("lineage", "--max-nodes", optarg, 2, 400, &v), a->max_nodes = (int)v; break;
        case O_TOP: bad = cli_integer("lineage", "--top", optarg, 1, 1L << 30, &a->top); break;
        case 'h': cli_usage(lineage_usage, 0); return -1;
        default: return cli_usage(lineage_usage, 1);
        }
        if (bad) return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int build(const char *path, args *a, sdb_ctx *ctx)
{
    sdb_session *db;
    if (cli_session("lineage", path, ctx, 0, &db)) return EXIT_FAIL;
    sdb_lineage_build_stats st;
    sdb_diag d;
    sdb_diag_clear(&d);
    cli_ticker_start("strdb lineage build");
    int rc = sdb_session_lineage_build(db, a->index, &a->o, a->full, &st, &d);
    cli_ticker_stop();
    if (rc)
        cli_diag("lineage build", rc, &d);
    else
        printf("%s: %ld haplotypes (%ld distinct, %ld new), %ld candidate pairs compared, %ld "
               "links, %ld father-son links from pedigrees; %ld lineages %s; clustering %.2f s, "
               "store %.2f s\n",
               st.incremental ? "incremental join" : "full build", st.cluster.rows,
               st.cluster.unique, st.fresh, st.cluster.candidates, st.cluster.links,
               st.cluster.extra_links, st.lineages, st.incremental ? "written" : "stored",
               st.seconds_cluster, st.seconds_store);
    sdb_session_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}

static json_t *member_json(const sdb_lineage_member *m)
{
    json_t *o = json_pack("{s:s,s:I,s:i,s:i,s:i,s:i,s:i,s:i,s:f,s:f,s:s}", "sample_id",
                          m->sample_id, "lineage", (json_int_t)m->lineage, "loci_compared",
                          m->meioses.loci_compared, "loci_differing", m->meioses.loci_differing,
                          "steps", m->meioses.total_steps, "meioses_mode", m->meioses.mode,
                          "meioses_lower", m->meioses.lower, "meioses_upper", m->meioses.upper,
                          "meioses_mean", m->meioses.mean, "p_meioses_le_2", m->p_close,
                          "relationship", sdb_meioses_class(m->meioses.mode));
    if (m->person) json_object_set_new(o, "person", json_string(m->person));
    return o;
}

static json_t *lead_json(const sdb_lineage_lead *l)
{
    json_t *o = json_pack("{s:s,s:I,s:s,s:i,s:i,s:i,s:i,s:s}", "person", l->person, "lineage",
                          (json_int_t)l->lineage, "via", l->via, "tree_meioses", l->tree_meioses,
                          "estimate", l->estimate, "lower", l->lower, "upper", l->upper,
                          "relationship", sdb_meioses_class(l->estimate));
    json_object_set_new(o, "sample_id", l->sample_id ? json_string(l->sample_id) : json_null());
    if (l->birth_year) json_object_set_new(o, "birth_year", json_integer(l->birth_year));
    return o;
}

static void print_result(const sdb_lineage_result *r, const args *a)
{
    printf("%ld haplotypes within %d loci (%s steps, >= %d loci compared) in %ld lineage%s",
           r->near_matches, r->max_loci, r->max_steps < 0 ? "any" : "limited", r->min_loci,
           r->n_lineages, r->n_lineages == 1 ? "" : "s");
    for (long i = 0; i < r->n_lineages; i++)
        printf("%s%lld (%ld men)", i ? ", " : ": ", r->lineages[i], r->lineage_size[i]);
    printf("\n");
    if (r->unassigned)
        printf("%ld of the near matches are in no lineage yet: run strdb lineage build\n",
               r->unassigned);
    printf("\ntyped members, by posterior number of meioses (%ld):\n", r->n_members);
    printf("%-20s %-14s %8s %5s %5s %5s %9s %7s  %s\n", "sample_id", "person", "lineage", "loci",
           "diff", "steps", "meioses", "P(<=2)", "most often");
    for (long i = 0; i < r->n_members && i < a->limit; i++) {
        const sdb_lineage_member *m = &r->members[i];
        char range[32];
        snprintf(range, sizeof range, "%d [%d-%d]", m->meioses.mode, m->meioses.lower,
                 m->meioses.upper);
        printf("%-20s %-14s %8lld %5d %5d %5d %9s %7.3f  %s\n", m->sample_id,
               m->person ? m->person : "-", m->lineage, m->meioses.loci_compared,
               m->meioses.loci_differing, m->meioses.total_steps, range, m->p_close,
               sdb_meioses_class(m->meioses.mode));
    }
    printf("\nleads: men of %ld paternal family tree%s (%ld), nearest first:\n", r->trees,
           r->trees == 1 ? "" : "s", r->n_leads);
    printf("%-16s %-18s %-18s %5s %10s  %s\n", "person", "typed as", "placed by", "tree",
           "to donor", "relationship (at most)");
    for (long i = 0; i < r->n_leads && i < a->leads; i++) {
        const sdb_lineage_lead *l = &r->leads[i];
        char range[32];
        snprintf(range, sizeof range, "%d [%d-%d]", l->estimate, l->lower, l->upper);
        printf("%-16s %-18s %-18s %5d %10s  %s\n", l->person, l->sample_id ? l->sample_id : "-",
               l->via, l->tree_meioses, range, sdb_meioses_class(l->estimate));
    }
}

static int search(const char *path, args *a, sdb_ctx *ctx)
{
    if (cli_one_query("lineage search", !!a->file + !!a->genotype,
                      "--haplotype FILE or --genotype G"))
        return EXIT_USAGE;
    sdb_profile q;
    sdb_profile_init(&q);
    if (cli_read_query("lineage", a->file, a->genotype, &q)) return EXIT_FAIL;
    sdb_session *db;
    if (cli_session("lineage", path, ctx, 0, &db)) {
        sdb_profile_free(&q);
        return EXIT_FAIL;
    }
    sdb_lineage_search_opts o;
    sdb_lineage_search_opts_init(&o);
    o.kit = a->kit;
    o.max_meioses = a->max_meioses;
    o.threads = a->o.threads;
    sdb_lineage_result r;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_lineage_search(db, a->index, &q, &o, a->limit, &r, &d);
    if (rc) {
        cli_diag("lineage search", rc, &d);
    } else if (a->json) {
        json_t *lin = json_array(), *mem = json_array(), *leads = json_array();
        for (long i = 0; i < r.n_lineages; i++)
            json_array_append_new(lin, json_pack("{s:I,s:I}", "id", (json_int_t)r.lineages[i],
                                                 "size", (json_int_t)r.lineage_size[i]));
        for (long i = 0; i < r.n_members && i < a->limit; i++)
            json_array_append_new(mem, member_json(&r.members[i]));
        for (long i = 0; i < r.n_leads && i < a->leads; i++)
            json_array_append_new(leads, lead_json(&r.leads[i]));
        json_t *out = json_pack("{s:I,s:I,s:o,s:I,s:o,s:I,s:o}", "near_matches",
                                (json_int_t)r.near_matches, "unassigned",
                                (json_int_t)r.unassigned, "lineages", lin, "members_total",
                                (json_int_t)r.n_members, "members", mem, "leads_total",
                                (json_int_t)r.n_leads, "leads", leads);
        json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        json_decref(out);
    } else {
        print_result(&r, a);
    }
    if (!rc) sdb_lineage_result_free(&r);
    sdb_session_close(db);
    sdb_profile_free(&q);
    return rc ? EXIT_FAIL : EXIT_OK;
}

static int show(const char *path, const char *id_text, args *a, sdb_ctx *ctx)
{
    long long id = 0;
    if (id_text) {
        char *end;
        id = strtoll(id_text, &end, 10);
        if (!*id_text || *end || id < 1) {
            cli_error("lineage", "lineage id: expected a positive integer, got '%s'", id_text);
            return EXIT_USAGE;
        }
    }
    sdb_lineage_view view = SDB_VIEW_AUTO;
    if (a->view && !strcmp(a->view, "network"))
        view = SDB_VIEW_NETWORK;
    else if (a->view && !strcmp(a->view, "tree"))
        view = SDB_VIEW_TREE;
    else if (a->view && strcmp(a->view, "auto")) {
        cli_error("lineage", "--view: expected auto, network or tree, got '%s'", a->view);
        return EXIT_USAGE;
    }
    if (a->svg && !id_text) {
        cli_error("lineage", "--svg needs a lineage ID");
        return EXIT_USAGE;
    }
    sdb_session *db;
    if (cli_session("lineage", path, ctx, 0, &db)) return EXIT_FAIL;
    sdb_diag d;
    sdb_diag_clear(&d);
    FILE *out = a->svg ? fopen(a->svg, "w") : stdout;
    int rc = out ? SDB_OK : SDB_EIO;
    if (!out)
        cli_error("lineage", "cannot write %s", a->svg);
    else
        rc = sdb_session_lineage_show(db, a->index, id, a->top, a->svg != NULL, view,
                                      a->max_nodes, out, &d);
    if (out && out != stdout && fclose(out) && !rc) rc = SDB_EIO;
    if (rc && out) {
        cli_diag("lineage show", rc, &d);
        if (a->svg) remove(a->svg);
    } else if (a->svg) {
        fprintf(stderr, "[strdb lineage] lineage %lld drawn to %s\n", id, a->svg);
    }
    sdb_session_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}

int main_lineage(int argc, char **argv)
{
    args a;
    sdb_ctx ctx = {0};
    int rc = parse(argc, argv, &a, &ctx);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    int n = argc - optind;
    if (n < 2) return cli_usage(lineage_usage, 1);
    const char *sub = argv[optind], *path = argv[optind + 1];
    cli_ctx_finish(&ctx);
    if (!ctx.purpose) ctx.purpose = "casework";
    if (!strcmp(sub, "build") && n == 2) return build(path, &a, &ctx);
    if (!strcmp(sub, "search") && n == 2) return search(path, &a, &ctx);
    if (!strcmp(sub, "show") && (n == 2 || n == 3))
        return show(path, n == 3 ? argv[optind + 2] : NULL, &a, &ctx);
    return cli_usage(lineage_usage, 1);
}
