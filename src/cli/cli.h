/* Private to the strdb command: the subcommand table and shared helpers. */
#ifndef STRDB_CLI_H
#define STRDB_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "strdb/strdb.h"

/* Exit codes: 0 success, 1 refused or failed (bad input, broken chain), 2 usage. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

int main_init(int argc, char **argv);
int main_import(int argc, char **argv);
int main_export(int argc, char **argv);
int main_show(int argc, char **argv);
int main_stat(int argc, char **argv);
int main_loci(int argc, char **argv);
int main_audit(int argc, char **argv);
int main_rules(int argc, char **argv);
int main_rmp(int argc, char **argv);
int main_kinship(int argc, char **argv);
int main_paternity(int argc, char **argv);
int main_meioses(int argc, char **argv);
int main_yfreq(int argc, char **argv);
int main_freq(int argc, char **argv);
int main_simulate(int argc, char **argv);
int main_search(int argc, char **argv);
int main_ysearch(int argc, char **argv);
int main_pairs(int argc, char **argv);
int main_expunge(int argc, char **argv);
int main_policy(int argc, char **argv);
int main_retention(int argc, char **argv);
int main_consent(int argc, char **argv);
int main_intake(int argc, char **argv);
int main_user(int argc, char **argv);
int main_subject(int argc, char **argv);
int main_pedigree(int argc, char **argv);
int main_familial(int argc, char **argv);
int main_lineage(int argc, char **argv);
int main_mp(int argc, char **argv);
int main_serve(int argc, char **argv); /* src/server/serve.c */
int main_report(int argc, char **argv);

/* The case report of r (cmd_report.c; also the server's) as PDF, HTML or
 * text into out; f (may be NULL) gives the statistics. EXIT_OK, or an exit
 * code with why filled. */
enum { CLI_REPORT_PDF, CLI_REPORT_HTML, CLI_REPORT_TEXT };
int cli_report_render(const sdb_report *r, const sdb_freq *f, const char *freq_name,
                      const char *pops, double theta, const char *sign_key, int kind, FILE *out,
                      char *why, size_t why_size);
/* The 80 x 40 mm label of a sample (strdb intake label; docs/intake.md),
 * PDF or SVG, into out. EXIT_OK, or an exit code with why filled. */
int cli_intake_label(FILE *out, int pdf, const char *accession, const char *kit_type,
                     const char *lot, char *why, size_t why_size);
/* strdb intake show as JSON (and GET /api/v1/intake/samples): the sample's
 * columns with its "events", or (accession NULL) {"samples": [...]}. */
int cli_intake_show_json(sdb_session *s, const char *accession, json_t **out, sdb_diag *d);
int main_simulate_mp(int argc, char **argv);

/* Options every audited command takes: --actor, --purpose, --case, --authorization. */
enum { OPT_ACTOR = 1000, OPT_PURPOSE, OPT_CASE, OPT_AUTHORIZATION, OPT_TOKEN_FILE, OPT_HELP };
#define CTX_LONG_OPTIONS                                                                           \
    {"actor", required_argument, NULL, OPT_ACTOR},                                                 \
        {"purpose", required_argument, NULL, OPT_PURPOSE},                                         \
        {"case", required_argument, NULL, OPT_CASE},                                               \
        {"authorization", required_argument, NULL, OPT_AUTHORIZATION},                             \
        {"token-file", required_argument, NULL, OPT_TOKEN_FILE},                                   \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }

/* The policy paragraph of the help of every command that reads profiles. */
#define POLICY_HELP                                                                                \
    "\nThe purpose policy (strdb policy DB) decides which indexes a purpose may read:\n"            \
    "without --index the read covers exactly those; an index it may not read, or a\n"             \
    "purpose that needs --authorization REF without one, is refused and audited.\n"

/* Handles a CTX_LONG_OPTIONS code; returns 1 if it was one. */
int cli_ctx_option(int c, const char *arg, sdb_ctx *ctx);
/* Fills ctx->actor when --actor was not given: $STRDB_ACTOR, else the login name. */
void cli_ctx_finish(sdb_ctx *ctx);

/* "strdb CMD: message" on stderr, for a diagnostic or a plain message. */
void cli_diag(const char *cmd, int rc, const sdb_diag *d);
void cli_error(const char *cmd, const char *fmt, ...) SDB_PRINTF(2, 3);
/* Prints usage text to stdout (--help), or for a usage error its first line
 * and a hint to run --help on stderr. Returns EXIT_OK or EXIT_USAGE. */
int cli_usage(const char *text, int is_error);

/* Opens a session on the database at path for the command's context
 * (--actor or the login name, the token of $STRDB_TOKEN or --token-file,
 * --purpose, --case, --authorization); prints the reason and returns
 * EXIT_FAIL if it cannot be opened (a refused token is audited by the
 * library). ctx may be NULL. */
int cli_session(const char *cmd, const char *path, const sdb_ctx *ctx, int readonly,
                sdb_session **s);

/* The one line for a command given no query or several: "no query: give
 * one of OPTIONS" / "one query at a time: OPTIONS". Returns EXIT_USAGE. */
int cli_one_query(const char *cmd, int given, const char *options);

/* Reads a query from --genotype text (if not NULL) or the first profile of
 * file; prints the reason and returns EXIT_FAIL on failure or an empty profile. */
int cli_read_query(const char *cmd, const char *file, const char *genotype, sdb_profile *q);

/* --min-freq none|5/2N|F (docs/statistics.md); all zero is the default 5/2N. */
typedef struct cli_minimum {
    sdb_min_rule rule;
    double value;
} cli_minimum;
/* Parses text into m; prints "invalid value ... for --min-freq" and returns
 * EXIT_USAGE when it is none of them. */
int cli_min_freq(const char *cmd, const char *text, cli_minimum *m);

/* The mutation-model options shared by kinship, paternity and mp: which is
 * "mutation", "rate", "rate2" or "range"; the value goes into m. Prints the
 * reason and returns EXIT_USAGE on a bad value. cli_mutation_check: a model
 * needs a rate (EXIT_USAGE with the line printed). */
int cli_mutation_option(const char *cmd, const char *which, const char *arg, sdb_mutation *m);
int cli_mutation_check(const char *cmd, const sdb_mutation *m);

/* Loads a frequency table (--freq) under the minimum rule m (NULL: the
 * default), printing its warnings. */
int cli_load_freq(const char *cmd, const char *path, int strict, const cli_minimum *m,
                  sdb_freq **f);
/* Resolves one population name of len bytes (NULL: the table's only one);
 * -1 with the reason printed. */
int cli_find_pop(const char *cmd, const sdb_freq *f, const char *name, size_t len);

/* Option values: the whole of s a number in [lo, hi]; 0, else -1. The
 * cli_number / cli_integer forms also print "OPT: expected ..., got 'S'". */
int cli_parse_long(const char *s, long lo, long hi, long *out);
int cli_parse_double(const char *s, double lo, double hi, double *out);
int cli_number(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out);
int cli_integer(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out);

/* On a terminal (stderr a TTY, STRDB_NO_PROGRESS unset), a line every 2 s
 * "[WHAT::SECONDS] still working..." until stopped, for jobs that print
 * nothing for a long time. Off a terminal both are no-ops. */
void cli_ticker_start(const char *what);
void cli_ticker_stop(void);

/* Prints alleles of call c joined by '/' into buf. */
void cli_alleles(const sdb_profile *p, const sdb_call *c, char *buf, size_t size);

/* A session on DB under purpose administration, the database created
 * first when path does not exist (the simulator's --db); prints why not. */
int cli_session_or_create(const char *cmd, const char *path, sdb_session **s);

/* Creates the output directory path unless it exists; prints why not (non-zero). */
int cli_make_dir(const char *cmd, const char *path);

/* The simulator's founder frequencies: path, else the built-in NIST 1036
 * table, and population pop in it; prints why not. */
int cli_sim_freq(const char *path, const char *pop, sdb_freq **f, int *pop_index);

/* ---- what the mp subcommands share (cmd_mp*.c) ---- */

#define MAX_REFS 256

typedef struct mp_args {
    const char *freq, *pop, *ped, *missing, *poi, *fam, *fam_pedigree, *poi_person;
    int fam_mutation;
    const char *refs[MAX_REFS];
    int n_refs;
    sdb_pedlik_model model;
    double female_rate, dropout;
    int have_female_rate, strict, json;
    long nsim;
    unsigned long long seed;
    cli_minimum min_freq;
    const char *missings[SDB_DVI_MAX_VICTIMS]; /* every --missing (mp dvi takes several) */
    int n_missing;
    const char *victims[SDB_DVI_MAX_VICTIMS]; /* mp dvi: ID[:SEX]=genotype */
    int n_victims;
    long top;
    double undisputed;
    /* over a database: mp search / dvi / draw */
    const char *pos[2]; /* DB [FAMILY] */
    int n_pos;
    sdb_ctx ctx;
    const char *family, *remains, *remains_index, *rank, *svg;
    double min_lr;
    long threads;
    int top_given;
    int ignore_sex; /* mp dvi: every victim pairs with every missing person */
} mp_args;

/* The family: persons of the file as indexes, with the connected component
 * of each (to find references with no path to the missing person). */
typedef struct family {
    sdb_pedigree *ped;
    sdb_pedlik *lik;
    int *component;
    int n;
    char **ids;   /* n, owned by ped or file */
    sdb_fam *file; /* --fam */
} family;

/* The options of every mp subcommand (need_poi: --poi or --poi-person is
 * required); returns 0, -1 after --help, or an exit code. */
int mp_parse(int argc, char **argv, mp_args *a, const char *cmd, int need_poi);
char *mp_slurp(const char *path, size_t *len);
/* Reads and parses a .fam file; prints why not. */
int mp_read_fam(const char *cmd, const char *path, sdb_fam **out);
int mp_find_person(const family *fam, const char *id, size_t len);
int mp_root(int *up, int i);
int mp_load_family(const char *cmd, const char *path, family *fam);
void mp_family_free(family *fam);
int mp_genotype(const char *cmd, const char *opt, const char *text, sdb_profile *p);
void mp_mutation_text(const sdb_pedlik_model *m, char *buf, size_t size);
int mp_case_model(const char *cmd, mp_args *a, const family *fam, sdb_freq **f, int *pop);
void mp_name_person(sdb_diag *d, const family *fam);
int mp_dvi_main(int argc, char **argv);
/* mp search DB / mp draw DB FAMILY (argv[0] says which). */
int mp_db_main(int argc, char **argv);

#endif
