/* Private to the strdb command: the subcommand table and shared helpers. */
#ifndef STRDB_CLI_H
#define STRDB_CLI_H

#include <getopt.h>
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

/* Options every audited command takes: --actor, --purpose, --case. */
enum { OPT_ACTOR = 1000, OPT_PURPOSE, OPT_CASE, OPT_HELP };
#define CTX_LONG_OPTIONS                                                                           \
    {"actor", required_argument, NULL, OPT_ACTOR},                                                 \
        {"purpose", required_argument, NULL, OPT_PURPOSE},                                         \
        {"case", required_argument, NULL, OPT_CASE},                                               \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }

/* Handles a CTX_LONG_OPTIONS code; returns 1 if it was one. */
int cli_ctx_option(int c, const char *arg, sdb_ctx *ctx);
/* Fills ctx->actor when --actor was not given: $STRDB_ACTOR, else the login name. */
void cli_ctx_finish(sdb_ctx *ctx);

/* "strdb CMD: message" on stderr, for a diagnostic or a plain message. */
void cli_diag(const char *cmd, int rc, const sdb_diag *d);
void cli_error(const char *cmd, const char *fmt, ...) SDB_PRINTF(2, 3);
/* Prints usage text to stdout (for --help) or stderr (usage error). */
int cli_usage(const char *text, int is_error);

/* Opens a database, printing the reason on failure. */
int cli_open(const char *cmd, const char *path, int readonly, sdb_db **db);

/* Reads need a known purpose: returns 0 if ctx->purpose is set and known,
 * else prints why, audits the refusal and returns EXIT_FAIL. */
int cli_require_purpose(const char *cmd, sdb_db *db, const sdb_ctx *ctx, const char *action,
                        const char *params);

/* Reads a query from --genotype text (if not NULL) or the first profile of
 * file; prints the reason and returns EXIT_FAIL on failure or an empty profile. */
int cli_read_query(const char *cmd, const char *file, const char *genotype, sdb_profile *q);

/* Prints alleles of call c joined by '/' into buf. */
void cli_alleles(const sdb_profile *p, const sdb_call *c, char *buf, size_t size);

#endif
