/* strdb: the command. One binary, subcommands dispatched from a table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"init", main_init, "create a new database"},
    {"import", main_import, "import profiles from GeneMapper, CSV or JSON lines"},
    {"export", main_export, "write profiles as JSON lines or CSV"},
    {"show", main_show, "show one profile with its provenance"},
    {"stat", main_stat, "profiles per index and kind, locus coverage"},
    {"loci", main_loci, "list the locus catalog"},
    {"audit", main_audit, "verify, list, export or sign the audit chain"},
    {"expunge", main_expunge, "remove a profile for good, with proof"},
    {"policy", main_policy, "show or change the purpose policy"},
    {"retention", main_retention, "retention rules per legal basis; expunge what is due"},
    {"subject-report", main_subject, "what is stored about a sample, who consulted it"},
    {"user", main_user, "users, roles and tokens (controlled mode)"},
    {"consent", main_consent, "record consent or its withdrawal (which expunges)"},
    {"intake", main_intake, "collection kits, accession numbers, labels, chain of custody"},
    {"rules", main_rules, "show or change the per-index validation rules"},
    {"search", main_search, "identity search with CODIS stringency (and --batch)"},
    {"ysearch", main_ysearch, "Y-STR near-match search"},
    {"pairs", main_pairs, "all-pairs comparison (m x p table, close pairs)"},
    {"pedigree", main_pedigree, "import persons and pedigrees; draw a pedigree (SVG)"},
    {"familial", main_familial, "familial search: kinship LR against every reference profile"},
    {"lineage", main_lineage, "Y-STR paternal lineages: build, search, show, draw"},
    {"mp", main_mp, "missing persons: pedigree likelihood ratio of remains (mp lr)"},
    {"report", main_report, "case report of a search record (PDF, HTML, text; signed)"},
    {"serve", main_serve, "HTTP/JSON API and the analyst web page (docs/http-api.md)"},
    {"simulate", main_simulate, "simulate a population with pedigrees and genotypes"},
    {"freq", main_freq, "estimate allele frequencies from an index"},
    {"rmp", main_rmp, "random match probability (NRC II 4.1, 4.10)"},
    {"kinship", main_kinship, "kinship likelihood ratio of two genotypes"},
    {"paternity", main_paternity, "trio paternity index"},
    {"yfreq", main_yfreq, "Y haplotype frequency in an index (counting, kappa)"},
    {"meioses", main_meioses, "posterior over meioses between two Y haplotypes"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "strdb %s: forensic STR profile database\n\n"
            "usage: strdb COMMAND [options]   (strdb COMMAND --help for each)\n\n",
            sdb_version());
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-15s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n  --version        print the version\n  --help           this text\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("strdb %s (schema %d)\n", sdb_version(), SDB_SCHEMA_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (sdb_init()) {
        fprintf(stderr, "strdb: cannot initialise the library\n");
        return EXIT_FAIL;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        if (strcmp(argv[1], commands[i].name)) continue;
        /* getopt's own messages then read "strdb search: unrecognized option '--x'" */
        static char name[64];
        snprintf(name, sizeof name, "strdb %s", commands[i].name);
        argv[1] = name;
        return commands[i].main(argc - 1, argv + 1);
    }
    fprintf(stderr, "strdb: unknown command '%s' (strdb --help lists them)\n", argv[1]);
    return EXIT_USAGE;
}
