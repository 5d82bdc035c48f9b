/* strdb pedigree import DB FILE | pedigree draw DB PERSON --svg FILE */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static const char pedigree_usage[] =
    "usage: strdb pedigree import DB FILE [--actor NAME] [--case REF]\n"
    "       strdb pedigree import DB FILE.fam --basis CODE [--case REF] [--index I]\n"
    "                   [--remains-index I | --no-remains] [--retain-until DATE]\n"
    "       strdb pedigree draw DB PERSON --svg FILE [--up N] [--down N] [--purpose P]\n\n"
    "Import persons and pedigrees: CSV with a header naming id, father, mother, sex\n"
    "(M, F or U) and optionally birth_year and sample_id; the simulator's\n"
    "pedigree.csv works as it is (persons are linked to the profiles named after\n"
    "them). Optional columns family and missing (1/0) make missing-person families:\n"
    "a family's pedigree is whole in the file, with at least one missing person (never\n"
    "typed with a relative's profile); the profiles linked to its other members are\n"
    "its references (strdb mp search). One transaction: a file with a duplicate id, an\n"
    "unknown parent (neither in the file nor stored), a father who is not male or a\n"
    "mother who is not female, a person who is their own ancestor, an unreadable\n"
    "field, an unknown sample id or a family already stored is refused whole with\n"
    "file, line, field and reason, and changes nothing. Typed parent-child pairs that\n"
    "share no allele at a locus (autosomal) or whose Y haplotypes differ (father-son)\n"
    "are flagged on stderr and counted, not refused.\n"
    "Audited. docs/pedigree.md has the format.\n\n"
    "A Familias DVI file (.fam with a [DVI] part; docs/missing-persons.md) imports\n"
    "whole in one transaction: the typed members of its reference families as\n"
    "profiles of --index (default relative-of-missing; sample and person ids\n"
    "FAMILY/NAME), its unidentified persons as profiles of --remains-index (default\n"
    "unidentified-remains; --no-remains leaves them out), all under legal basis\n"
    "--basis, and each family as a missing-person family of the --case.\n\n"
    "draw writes an SVG of the pedigree around PERSON (an id of the file): the\n"
    "descendants, with their partners, of the ancestor N generations up the father's\n"
    "line (--up, default 1; the mother's where no father is recorded), down to --down\n"
    "generations below the person (default 1). Squares men, circles women, diamonds\n"
    "unknown; filled symbols are typed (a linked profile); an arrow marks the person.\n";

enum { O_SVG = 1, O_UP, O_DOWN, O_BASIS, O_INDEX, O_REMAINS_INDEX, O_NO_REMAINS, O_RETAIN };

/* A Familias file: named .fam, or its first line names Familias. */
static int is_fam(const char *path)
{
    size_t n = strlen(path);
    if (n > 4 && !strcasecmp(path + n - 4, ".fam")) return 1;
    FILE *f = fopen(path, "rb");
    char line[128] = "";
    if (f) {
        if (!fgets(line, sizeof line, f)) line[0] = '\0';
        fclose(f);
    }
    return strstr(line, "Familias") != NULL;
}

static int fam_import(const char *path, const char *file, const sdb_fam_import_opts *o,
                      sdb_ctx *ctx)
{
    if (!o->basis) {
        cli_error("pedigree import", "--basis CODE is required for a .fam file (its "
                                     "profiles are imported with the families)");
        return EXIT_USAGE;
    }
    sdb_session *db;
    if (cli_session("pedigree", path, ctx, 0, &db)) return EXIT_FAIL;
    sdb_diag d;
    sdb_diag_clear(&d);
    sdb_fam_import_stats st;
    int rc = sdb_session_fam_import(db, file, o, &st, &d);
    if (rc)
        cli_diag("pedigree import", rc, &d);
    else
        fprintf(stderr,
                "[strdb pedigree] %s: %ld missing-person families, %ld persons, %ld reference "
                "profiles (%s), %ld unidentified persons%s%s%s\n",
                file, st.families, st.persons, st.references, o->ref_index, st.victims,
                st.victims ? " (" : "", st.victims ? o->remains_index : "", st.victims ? ")" : "");
    sdb_session_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}

static int draw(const char *path, const char *person, const char *svg, int up, int down,
                sdb_ctx *ctx)
{
    if (!svg) {
        cli_error("pedigree draw", "--svg FILE is required");
        return EXIT_USAGE;
    }
    sdb_session *db;
    if (cli_session("pedigree", path, ctx, 0, &db)) return EXIT_FAIL;
    sdb_diag d;
    sdb_diag_clear(&d);
    FILE *out = fopen(svg, "w");
    int rc = out ? sdb_session_pedigree_draw(db, person, up, down, out, &d) : SDB_EIO;
    if (!out) sdb_diag_set(&d, svg, 0, NULL, "cannot write the file");
    if (out && fclose(out) && !rc) rc = SDB_EIO;
    if (rc) {
        cli_diag("pedigree draw", rc, &d);
        if (out) remove(svg);
    } else
        fprintf(stderr, "[strdb pedigree] pedigree of %s drawn to %s\n", person, svg);
    sdb_session_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}

int main_pedigree(int argc, char **argv)
{
    static const struct option longopts[] = {{"svg", required_argument, NULL, O_SVG},
                                             {"up", required_argument, NULL, O_UP},
                                             {"down", required_argument, NULL, O_DOWN},
                                             {"basis", required_argument, NULL, O_BASIS},
                                             {"index", required_argument, NULL, O_INDEX},
                                             {"remains-index", required_argument, NULL, O_REMAINS_INDEX},
                                             {"no-remains", no_argument, NULL, O_NO_REMAINS},
                                             {"retain-until", required_argument, NULL, O_RETAIN},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    const char *svg = NULL;
    int c, up = 1, down = 1, fam_opts = 0;
    sdb_fam_import_opts fo;
    sdb_fam_import_opts_init(&fo);
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        char *end = NULL;
        fam_opts |= c >= O_BASIS && c <= O_RETAIN;
        if (c == O_BASIS)
            fo.basis = optarg;
        else if (c == O_INDEX)
            fo.ref_index = optarg;
        else if (c == O_REMAINS_INDEX)
            fo.remains_index = optarg;
        else if (c == O_NO_REMAINS)
            fo.remains_index = NULL;
        else if (c == O_RETAIN)
            fo.retain_until = optarg;
        else if (c == O_SVG)
            svg = optarg;
        else if (c == O_UP || c == O_DOWN) {
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 0 || v > 50) {
                cli_error("pedigree", "%s: expected 0 to 50, got '%s'", argv[optind - 1], optarg);
                return EXIT_USAGE;
            }
            *(c == O_UP ? &up : &down) = (int)v;
        } else
            return cli_usage(pedigree_usage, c != 'h');
    }
    cli_ctx_finish(&ctx);
    if (optind + 3 == argc && !strcmp(argv[optind], "draw")) {
        if (!ctx.purpose) ctx.purpose = "administration";
        return draw(argv[optind + 1], argv[optind + 2], svg, up, down, &ctx);
    }
    if (optind + 3 != argc || strcmp(argv[optind], "import")) return cli_usage(pedigree_usage, 1);
    if (!ctx.purpose) ctx.purpose = "administration";
    if (is_fam(argv[optind + 2])) return fam_import(argv[optind + 1], argv[optind + 2], &fo, &ctx);
    if (fam_opts) {
        cli_error("pedigree import", "--basis, --index, --remains-index, --no-remains and "
                                     "--retain-until are for a .fam file (a CSV pedigree links "
                                     "stored profiles)");
        return EXIT_USAGE;
    }
    sdb_session *db;
    if (cli_session("pedigree", argv[optind + 1], &ctx, 0, &db)) return EXIT_FAIL;
    sdb_diag d;
    sdb_diag_clear(&d);
    sdb_pedigree_stats st;
    cli_ticker_start("strdb pedigree import");
    int rc = sdb_session_pedigree_import(db, argv[optind + 2], &st, &d);
    cli_ticker_stop();
    if (rc)
        cli_diag("pedigree import", rc, &d);
    else
        fprintf(stderr,
                "[strdb pedigree] %s: %ld persons, %ld profile links, %ld missing-person "
                "families, %ld Mendelian and %ld Y inconsistencies flagged\n",
                argv[optind + 2], st.persons, st.linked_profiles, st.families, st.mendel_flags,
                st.y_flags);
    sdb_session_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}
