/* strdb export DB ... and strdb show DB SAMPLE_ID ... */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

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
    "  -o FILE         write to FILE instead of stdout\n"
    "  --actor NAME    who reads (default: $STRDB_ACTOR, else the login name)\n"
    POLICY_HELP;

static const char show_usage[] =
    "usage: strdb show DB SAMPLE_ID --purpose P [--case REF] [--json]\n\n"
    "Show one profile: index, kind, legal basis, flags, provenance (file, line,\n"
    "import batch) and the alleles per locus. Audited; needs a purpose.\n"
    POLICY_HELP;

enum { OPT_INDEX = 1, OPT_FORMAT, OPT_JSON };

/* Two passes for CSV: the column layout depends on every profile. */
static int export_csv(sdb_db *db, const char *index, FILE *out, long *count)
{
    sdb_csv_layout *layout;
    sdb_iter *it;
    sdb_profile p;
    sdb_stored m;
    int rc = sdb_csv_layout_new(&layout, sdb_db_catalog(db));
    if (rc) return rc;
    sdb_profile_init(&p);
    if (!(rc = sdb_iter_open(&it, db, index, NULL))) {
        while ((rc = sdb_iter_next(it, &p, &m)) == SDB_OK)
            sdb_csv_layout_add(layout, &p);
        sdb_iter_close(it);
    }
    if (rc == SDB_END) rc = sdb_csv_write_header(out, layout);
    if (!rc && !(rc = sdb_iter_open(&it, db, index, NULL))) {
        while ((rc = sdb_iter_next(it, &p, &m)) == SDB_OK) {
            sdb_profile_meta meta = {m.index, m.basis, m.retain_until};
            if ((rc = sdb_csv_write_row(out, layout, &p, &meta))) break;
            (*count)++;
        }
        sdb_iter_close(it);
    }
    sdb_profile_free(&p);
    sdb_csv_layout_free(layout);
    return rc == SDB_END ? SDB_OK : rc;
}

static int export_jsonl(sdb_db *db, const char *index, FILE *out, long *count)
{
    sdb_iter *it;
    sdb_profile p;
    sdb_stored m;
    int rc = sdb_iter_open(&it, db, index, NULL);
    if (rc) return rc;
    sdb_profile_init(&p);
    while ((rc = sdb_iter_next(it, &p, &m)) == SDB_OK) {
        sdb_profile_meta meta = {m.index, m.basis, m.retain_until};
        if ((rc = sdb_write_jsonl(out, sdb_db_catalog(db), &p, &meta))) break;
        (*count)++;
    }
    sdb_iter_close(it);
    sdb_profile_free(&p);
    return rc == SDB_END ? SDB_OK : rc;
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
    sdb_db *db;
    if (cli_open("export", "export", argv[optind], 0, &ctx, &db)) return EXIT_FAIL;
    char params[512];
    snprintf(params, sizeof params, "index=%s\nformat=%s", index ? index : "*",
             sdb_format_name(format));
    char allowed[1024];
    int rc = cli_policy("export", db, &ctx, "export", index, params, allowed, sizeof allowed);
    index = allowed;
    FILE *out = stdout;
    if (!rc && outpath && !(out = fopen(outpath, "w"))) {
        cli_error("export", "cannot write %s", outpath);
        rc = EXIT_FAIL;
    }
    long count = 0;
    if (!rc) {
        int st = format == SDB_FMT_WIDE ? export_csv(db, index, out, &count)
                                        : export_jsonl(db, index, out, &count);
        if (fflush(out) || (out != stdout && fclose(out))) st = st ? st : SDB_EIO;
        if (sdb_audit_append(db, &ctx, "export", params, count, st ? "failed" : "ok"))
            st = st ? st : SDB_ESTORE;
        if (st) cli_error("export", "%s", sdb_strerror(st));
        rc = st ? EXIT_FAIL : EXIT_OK;
    }
    sdb_db_close(db);
    return rc;
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

/* The index of sample (metadata only: read before the policy allows the
 * profile itself); "" if there is no such sample. */
static int sample_index(sdb_db *db, const char *sample, char *index, size_t size)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(sdb_db_sqlite(db), "SELECT index_name FROM profile WHERE sample_id = ?",
                           -1, &st, NULL) != SQLITE_OK) {
        cli_error("show", "%s", sqlite3_errmsg(sdb_db_sqlite(db)));
        return EXIT_FAIL;
    }
    sqlite3_bind_text(st, 1, sample, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(index, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return EXIT_OK;
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
    sdb_db *db;
    if (cli_open("show", "show", argv[optind], 0, &ctx, &db)) return EXIT_FAIL;
    char params[512];
    snprintf(params, sizeof params, "sample_id=%s", sample);
    char index[128] = "", allowed[1024];
    int rc = sample_index(db, sample, index, sizeof index);
    if (!rc) /* an unknown sample still needs a purpose that may show something */
        rc = cli_policy("show", db, &ctx, "show", index[0] ? index : NULL, params, allowed,
                        sizeof allowed);
    if (!rc) {
        sdb_profile p;
        sdb_stored m;
        sdb_iter *it = NULL;
        sdb_profile_init(&p);
        int st = sdb_iter_open(&it, db, NULL, sample);
        if (!st) st = sdb_iter_next(it, &p, &m);
        if (st == SDB_OK && json)
            st = show_json(sdb_db_catalog(db), &p, &m);
        else if (st == SDB_OK)
            show_text(sdb_db_catalog(db), &p, &m);
        sdb_iter_close(it);
        int found = st == SDB_OK;
        if (sdb_audit_append(db, &ctx, "show", params, found, found ? "ok" : "not found") ||
            (found && sdb_audit_touch(db, &sample, 1)))
            cli_error("show", "could not write the audit record");
        if (st == SDB_END)
            cli_error("show", "no profile that purpose '%s' may show with this sample id",
                      ctx.purpose); /* the same words as a refusal: existence is not confirmed */
        else if (st)
            cli_error("show", "%s", sdb_strerror(st));
        sdb_profile_free(&p);
        rc = st ? EXIT_FAIL : EXIT_OK;
    }
    sdb_db_close(db);
    return rc;
}
