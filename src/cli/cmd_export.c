/* strdb export DB ... and strdb show DB SAMPLE_ID ... */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char export_usage[] =
    "usage: strdb export DB --purpose P [--index NAME] [--format jsonl|csv|cmf] [-o FILE]\n"
    "                   [--cmf-lab ORI] [--cmf-destination ORI]\n\n"
    "Write every profile (or those of one index) in sample id order, losslessly:\n"
    "importing the output into another database and exporting again gives the\n"
    "same bytes. Reading profiles is audited and needs a purpose.\n\n"
    "  --purpose P     why (casework, familial, missing-person, contamination,\n"
    "                  database-health, population-study, administration)\n"
    "  --case REF      case reference recorded in the audit record\n"
    "  --index NAME    only this index\n"
    "  --format F      jsonl (default), csv, or cmf: a CODIS CMF 3.2 message (valid\n"
    "                  against the CMF schema; specimen categories from the index,\n"
    "                  docs/formats.md; loci CMF has no name for, and profiles of an\n"
    "                  index CMF has no category for, are left out and counted)\n"
    "  --cmf-lab ORI   SOURCELAB of the message (default XX0000000; at most 10)\n"
    "  --cmf-destination ORI  DESTINATIONORI (default the source lab)\n"
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
    int cmf;                /* CMF: counts of what was left out */
    const char *user, *now;
    long written, no_category, no_locus, loci_left_out, long_id;
} export_to;

static int export_one(void *arg, const sdb_profile *p, const sdb_stored *m)
{
    export_to *e = arg;
    if (!p) { /* between the two passes */
        e->pass = 1;
        return sdb_csv_write_header(e->out, e->layout);
    }
    sdb_profile_meta meta = {m->index, m->basis, m->retain_until};
    if (e->cmf) {
        const char *category = sdb_cmf_category(m->index);
        if (!category) return e->no_category++, SDB_OK;
        if (strlen(p->sample_id) > 24) return e->long_id++, SDB_OK;
        int skipped = 0, rc = sdb_cmf_specimen(e->out, e->cat, p, category, e->user, e->now, &skipped);
        if (rc == SDB_EINVAL) return e->no_locus++, SDB_OK;
        e->loci_left_out += skipped;
        e->written += !rc;
        return rc;
    }
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
                                             {"cmf-lab", required_argument, NULL, OPT_FORMAT + 100},
                                             {"cmf-destination", required_argument, NULL, OPT_FORMAT + 101},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    const char *index = NULL, *outpath = NULL, *lab = "XX0000000", *dest = NULL;
    sdb_format format = SDB_FMT_JSONL;
    int c;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        if (c == OPT_INDEX)
            index = optarg;
        else if (c == 'o')
            outpath = optarg;
        else if (c == OPT_FORMAT && !sdb_format_parse(optarg, &format) &&
                 (format == SDB_FMT_JSONL || format == SDB_FMT_WIDE || format == SDB_FMT_CMF))
            continue;
        else if (c == OPT_FORMAT + 100)
            lab = optarg;
        else if (c == OPT_FORMAT + 101)
            dest = optarg;
        else
            return cli_usage(export_usage, c != 'h');
    }
    if (optind + 1 != argc) return cli_usage(export_usage, 1);
    cli_ctx_finish(&ctx);
    if (!lab[0] || strlen(lab) > 10 || (dest && (!dest[0] || strlen(dest) > 10))) {
        cli_error("export", "--cmf-lab and --cmf-destination: an ORI of 1 to 10 characters");
        return EXIT_USAGE;
    }
    sdb_session *db;
    if (cli_session("export", argv[optind], &ctx, 0, &db)) return EXIT_FAIL;
    char now[32], user[21];
    sdb_cmf_now(now);
    snprintf(user, sizeof user, "%s", sdb_session_actor(db));
    export_to e = {stdout, sdb_session_catalog(db), NULL, 0, format == SDB_FMT_CMF, user, now, 0, 0, 0, 0, 0};
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
    /* a CMF message is written to memory first: nothing of it is kept if no specimen fits */
    FILE *final = e.out;
    char *cmf_buf = NULL;
    size_t cmf_len = 0;
    if (!st && e.cmf && !(e.out = open_memstream(&cmf_buf, &cmf_len))) st = SDB_ENOMEM;
    if (!st && e.cmf) sdb_cmf_begin(e.out, lab, dest ? dest : lab, user, now);
    if (!st)
        st = sdb_session_export(db, index, e.layout ? 2 : 1, export_one, &e, &count, &d);
    if (e.cmf && e.out) {
        sdb_cmf_end(e.out);
        if (fclose(e.out) && !st) st = SDB_ENOMEM;
        e.out = final;
        if (!st && !e.written) {
            sdb_diag_set(&d, NULL, 0, "--format", "no profile fits a CMF message (a CMF locus and "
                                                  "a CMF category are needed)");
            st = SDB_EINVAL;
        }
        if (!st && fwrite(cmf_buf, 1, cmf_len, e.out) != cmf_len) st = SDB_EIO;
        free(cmf_buf);
        if (!st)
            fprintf(stderr, "[strdb export] CMF: %ld specimens; left out: %ld profiles of an index "
                            "without a CMF category, %ld with no CMF locus, %ld with a sample id "
                            "over 24 characters, %ld locus calls CMF has no name for\n",
                    e.written, e.no_category, e.no_locus, e.long_id, e.loci_left_out);
    }
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
    if (m->origin) printf("origin        %s\n", m->origin);
    for (int i = 0; i < p->n_calls; i++) {
        cli_alleles(p, &p->calls[i], alleles, sizeof alleles);
        printf("  %-12s %s\n", sdb_catalog_by_id(cat, p->calls[i].locus)->name, alleles);
    }
}

/* s as a JSON string on stdout. */
static void json_text(const char *s)
{
    putchar('"');
    for (; *s; s++)
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", (unsigned char)*s);
        else
            putchar(*s);
    putchar('"');
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
        printf("%s,\"source\":{\"file\":", buf);
        json_text(m->source_file);
        printf(",\"line\":%ld,\"batch\":%ld,\"imported_at\":\"%s\"", m->source_line,
               m->batch_id, m->imported_at);
        if (m->origin) {
            printf(",\"origin\":");
            json_text(m->origin);
        }
        printf("}}\n");
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
