/* strdb export DB ... and strdb show DB SAMPLE_ID ... */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char export_usage[] =
    "usage: strdb export DB --purpose P [--index NAME] [--format jsonl|csv] [-o FILE]\n\n"
    "Write every profile (or those of one index) in sample id order, losslessly:\n"
    "importing the output into another database and exporting again gives the\n"
    "same bytes. Reading profiles is audited and needs a purpose.\n\n"
    "  --purpose P     why (casework, familial, missing-person, contamination,\n"
    "                  database-health, population-study, administration)\n"
    "  --case REF      case reference recorded in the audit record\n"
    "  --index NAME    only this index\n"
    "  --format F      jsonl (default) or csv\n"
    "  -o FILE         write to FILE instead of stdout (- is stdout)\n"
    "  --actor NAME    who reads (default: $STRDB_ACTOR, else the login name)\n"
    POLICY_HELP;

static const char show_usage[] =
    "usage: strdb show DB SAMPLE_ID --purpose P [--case REF] [--json]\n\n"
    "Show one profile: index, kind, legal basis, flags, provenance (file, line,\n"
    "import batch) and the alleles per locus. Audited; needs a purpose.\n"
    POLICY_HELP;

enum { OPT_INDEX = 1, OPT_FORMAT, OPT_JSON };

/* Where an export goes: JSON lines, or CSV in two passes (the column
 * layout depends on every profile). */
typedef struct export_to {
    FILE *out;
    const sdb_catalog *cat;
    sdb_csv_layout *layout; /* CSV only */
    int pass;
} export_to;

static int export_one(void *arg, const sdb_profile *p, const sdb_stored *m)
{
    export_to *e = arg;
    if (!p) { /* between the two passes */
        e->pass = 1;
        return sdb_csv_write_header(e->out, e->layout);
    }
    sdb_profile_meta meta = {m->index, m->basis, m->retain_until};
    if (!e->layout) return sdb_write_jsonl(e->out, e->cat, p, &meta);
    if (e->pass == 0) {
        sdb_csv_layout_add(e->layout, p);
        return SDB_OK;
    }
    return sdb_csv_write_row(e->out, e->layout, p, &meta);
}

int main_export(int argc, char **argv)
{
    static const struct option longopts[] = {{"index", required_argument, NULL, OPT_INDEX},
                                             {"format", required_argument, NULL, OPT_FORMAT},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    const char *index = NULL, *outpath = NULL;
    sdb_format format = SDB_FMT_JSONL;
    int c;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        if (c == OPT_INDEX)
            index = optarg;
        else if (c == 'o')
            outpath = optarg;
        else if (c == OPT_FORMAT && !sdb_format_parse(optarg, &format) &&
                 (format == SDB_FMT_JSONL || format == SDB_FMT_WIDE))
            continue;
        else
            return cli_usage(export_usage, c != 'h');
    }
    if (optind + 1 != argc) return cli_usage(export_usage, 1);
    cli_ctx_finish(&ctx);
    sdb_session *db;
    if (cli_session("export", argv[optind], &ctx, 0, &db)) return EXIT_FAIL;
    export_to e = {stdout, sdb_session_catalog(db), NULL, 0};
    int st = SDB_OK;
    if (outpath && strcmp(outpath, "-") && !(e.out = fopen(outpath, "w"))) {
        cli_error("export", "cannot write %s", outpath);
        sdb_session_close(db);
        return EXIT_FAIL;
    }
    if (format == SDB_FMT_WIDE) st = sdb_csv_layout_new(&e.layout, e.cat);
    sdb_diag d;
    sdb_diag_clear(&d);
    long count = 0;
    if (!st)
        st = sdb_session_export(db, index, e.layout ? 2 : 1, export_one, &e, &count, &d);
    if (fflush(e.out) || (e.out != stdout && fclose(e.out))) st = st ? st : SDB_EIO;
    if (st) cli_diag("export", st, &d);
    sdb_csv_layout_free(e.layout);
    sdb_session_close(db);
    return st ? EXIT_FAIL : EXIT_OK;
}

static void show_text(const sdb_catalog *cat, const sdb_profile *p, const sdb_stored *m)
{
    char flags[128], alleles[512];
    printf("sample_id     %s\nindex         %s\nkind          %s\nbasis         %s\n", p->sample_id,
           m->index, sdb_kind_name(p->kind), m->basis);
    printf("retain_until  %s\nflags         %s\nkit           %s\n",
           m->retain_until ? m->retain_until : "-",
           p->flags ? sdb_flags_format(p->flags, flags, sizeof flags) : "-",
           p->kit && p->kit[0] ? p->kit : "-");
    if (p->population && p->population[0]) printf("population    %s\n", p->population);
    printf("source        %s:%ld (import batch %ld, %s)\nloci          %d\n", m->source_file,
           m->source_line, m->batch_id, m->imported_at, p->n_calls);
    for (int i = 0; i < p->n_calls; i++) {
        cli_alleles(p, &p->calls[i], alleles, sizeof alleles);
        printf("  %-12s %s\n", sdb_catalog_by_id(cat, p->calls[i].locus)->name, alleles);
    }
}

static int show_json(const sdb_catalog *cat, const sdb_profile *p, const sdb_stored *m)
{
    /* The JSON lines record plus provenance, on one line. */
    sdb_profile_meta meta = {m->index, m->basis, m->retain_until};
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) return SDB_ENOMEM;
    int rc = sdb_write_jsonl(mem, cat, p, &meta);
    fclose(mem);
    if (!rc && len > 2) {
        buf[len - 2] = '\0'; /* drop "}\n" */
        printf("%s,\"source\":{\"file\":\"", buf);
        for (const char *s = m->source_file; *s; s++)
            printf(*s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
        printf("\",\"line\":%ld,\"batch\":%ld,\"imported_at\":\"%s\"}}\n", m->source_line,
               m->batch_id, m->imported_at);
    }
    free(buf);
    return rc;
}

typedef struct show_to {
    const sdb_catalog *cat;
    int json;
} show_to;

static int show_one(void *arg, const sdb_profile *p, const sdb_stored *m)
{
    show_to *t = arg;
    if (t->json) return show_json(t->cat, p, m);
    show_text(t->cat, p, m);
    return SDB_OK;
}

int main_show(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, OPT_JSON}, CTX_LONG_OPTIONS, {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    int json = 0, c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        if (c == OPT_JSON)
            json = 1;
        else
            return cli_usage(show_usage, c != 'h');
    }
    if (optind + 2 != argc) return cli_usage(show_usage, 1);
    cli_ctx_finish(&ctx);
    const char *sample = argv[optind + 1];
    sdb_session *db;
    if (cli_session("show", argv[optind], &ctx, 0, &db)) return EXIT_FAIL;
    show_to t = {sdb_session_catalog(db), json};
    sdb_diag d;
    sdb_diag_clear(&d);
    int st = sdb_session_show(db, sample, show_one, &t, &d);
    if (st) cli_diag("show", st, &d);
    sdb_session_close(db);
    return st ? EXIT_FAIL : EXIT_OK;
}
