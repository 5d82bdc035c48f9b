/* strdb import DB FILE --index NAME --basis BASIS [...] */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char import_usage[] =
    "usage: strdb import DB FILE --index NAME --basis BASIS [options]\n\n"
    "Import the profiles of FILE ('-' for stdin) into index NAME as one transaction:\n"
    "any invalid record aborts the whole import and leaves the database as it was,\n"
    "unless --skip-invalid is given. Every reject is printed as FILE:LINE: field 'F': reason.\n\n"
    "  --index NAME        offender, arrestee, forensic-unknown, forensic-mixture,\n"
    "                      missing-person, unidentified-remains, relative-of-missing,\n"
    "                      staff-elimination, volunteer, population\n"
    "  --basis BASIS       legal basis (required): conviction, arrest, charge, court-order,\n"
    "                      consent, crime-scene, missing-person-report, population-study,\n"
    "                      staff-agreement\n"
    "  --format F          auto (default), genemapper, csv, jsonl, long (one allele per\n"
    "                      row), alleles (allele list per locus), cmf (CODIS CMF 3.2 XML;\n"
    "                      each specimen's category must belong in --index)\n"
    "  --kit K             kit of the profiles (marks missing kit loci partial)\n"
    "  --retain-until DATE retention date YYYY-MM-DD\n"
    "  --skip-invalid      import the valid records, report and record each reject\n"
    "  --rejects FILE      also write the rejects to FILE (with --skip-invalid)\n"
    "  --replace           replace profiles whose sample id is already stored\n"
    "                      (and keep the last of repeated ids in FILE)\n"
    "  --require-accession every sample id must be an accession number of this database's\n"
    "                      intake, typed and collected under BASIS; the import records\n"
    "                      its 'stored' event (strdb intake, docs/intake.md)\n"
    "  --id-column NAME    wide CSV: column holding the sample id\n"
    "  --id-from-line      sample id = prefix + line number (files without unique ids)\n"
    "  --id-prefix P       prepend P to every sample id\n"
    "  --actor NAME        who imports (default: $STRDB_ACTOR, else the login name)\n"
    "  --purpose P, --case REF   recorded in the audit record\n\n"
    "On success one line on stderr, tagged [strdb import::SECONDS] (the seconds the\n"
    "import took, as minimap2 tags its progress), says what was read, imported,\n"
    "replaced and rejected, and the import batch number the audit record names.\n";

enum {
    OPT_INDEX = 1,
    OPT_BASIS,
    OPT_FORMAT,
    OPT_KIT,
    OPT_RETAIN,
    OPT_SKIP,
    OPT_REJECTS,
    OPT_REPLACE,
    OPT_IDCOL,
    OPT_IDLINE,
    OPT_IDPREFIX,
    OPT_ACCESSION
};

typedef struct reject_sink {
    FILE *file;
    long count;
} reject_sink;

static void on_reject(void *arg, const sdb_diag *d)
{
    reject_sink *s = arg;
    char buf[1024];
    sdb_diag_format(d, buf, sizeof buf);
    fprintf(stderr, "strdb import: rejected: %s\n", buf);
    if (s->file) fprintf(s->file, "%s\n", buf);
    s->count++;
}

static int parse_args(int argc, char **argv, sdb_import_opts *o, sdb_ctx *ctx, const char **rejects)
{
    static const struct option longopts[] = {{"index", required_argument, NULL, OPT_INDEX},
                                             {"basis", required_argument, NULL, OPT_BASIS},
                                             {"format", required_argument, NULL, OPT_FORMAT},
                                             {"kit", required_argument, NULL, OPT_KIT},
                                             {"retain-until", required_argument, NULL, OPT_RETAIN},
                                             {"skip-invalid", no_argument, NULL, OPT_SKIP},
                                             {"rejects", required_argument, NULL, OPT_REJECTS},
                                             {"replace", no_argument, NULL, OPT_REPLACE},
                                             {"id-column", required_argument, NULL, OPT_IDCOL},
                                             {"id-from-line", no_argument, NULL, OPT_IDLINE},
                                             {"id-prefix", required_argument, NULL, OPT_IDPREFIX},
                                             {"require-accession", no_argument, NULL, OPT_ACCESSION},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, ctx)) continue;
        switch (c) {
        case OPT_INDEX: o->index = optarg; break;
        case OPT_BASIS: o->basis = optarg; break;
        case OPT_FORMAT:
            if (sdb_format_parse(optarg, &o->read.format)) {
                cli_error("import", "unknown format '%s' (auto, genemapper, csv, jsonl, long, alleles, cmf)", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_KIT: o->read.kit = optarg; break;
        case OPT_RETAIN: o->retain_until = optarg; break;
        case OPT_SKIP: o->skip_invalid = 1; break;
        case OPT_REJECTS: *rejects = optarg; break;
        case OPT_REPLACE: o->replace = 1; break;
        case OPT_IDCOL: o->read.id_column = optarg; break;
        case OPT_IDLINE: o->read.id_from_line = 1; break;
        case OPT_IDPREFIX: o->read.id_prefix = optarg; break;
        case OPT_ACCESSION: o->require_accession = 1; break;
        case 'h': cli_usage(import_usage, 0); return -1; /* help shown: exit 0 */
        default: return cli_usage(import_usage, 1);
        }
    }
    if (optind + 2 != argc) return cli_usage(import_usage, 1);
    return EXIT_OK;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

int main_import(int argc, char **argv)
{
    sdb_import_opts o;
    sdb_ctx ctx = {0};
    const char *rejects = NULL;
    sdb_import_opts_init(&o);
    int rc = parse_args(argc, argv, &o, &ctx, &rejects);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    const char *db_path = argv[optind], *file = argv[optind + 1];
    cli_ctx_finish(&ctx);
    if (!ctx.purpose) ctx.purpose = "administration";
    reject_sink sink = {NULL, 0};
    if (rejects && !(sink.file = fopen(rejects, "w"))) {
        cli_error("import", "cannot write %s", rejects);
        return EXIT_FAIL;
    }
    o.on_reject = on_reject;
    o.reject_arg = &sink;
    sdb_session *db;
    if ((rc = cli_session("import", db_path, &ctx, 0, &db))) {
        if (sink.file) fclose(sink.file);
        return rc;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sdb_import_stats st;
    sdb_diag d;
    sdb_diag_clear(&d);
    cli_ticker_start("strdb import");
    rc = sdb_session_import(db, file, &o, &st, &d);
    cli_ticker_stop();
    if (rc) {
        cli_diag("import", rc, &d); /* one line; nothing was imported */
    } else {
        double s = seconds_since(&t0);
        fprintf(stderr,
                "[strdb import::%.3f] %s (%s): %ld records, %ld imported (%ld replaced), "
                "%ld rejected, batch %ld\n",
                s, file, sdb_format_name(st.format), st.n_records, st.n_imported, st.n_replaced,
                st.n_rejected, st.batch_id);
    }
    sdb_session_close(db);
    if (sink.file) fclose(sink.file);
    return rc ? EXIT_FAIL : EXIT_OK;
}
