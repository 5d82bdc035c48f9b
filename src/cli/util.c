/* Helpers shared by the subcommands. */
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *token_file; /* --token-file */
static int actor_given;       /* --actor was on the command line */

int cli_ctx_option(int c, const char *arg, sdb_ctx *ctx)
{
    switch (c) {
    case OPT_ACTOR: ctx->actor = arg, actor_given = 1; return 1;
    case OPT_TOKEN_FILE: token_file = arg; return 1;
    case OPT_PURPOSE: ctx->purpose = arg; return 1;
    case OPT_CASE: ctx->case_ref = arg; return 1;
    case OPT_AUTHORIZATION: ctx->authorization = arg; return 1;
    default: return 0;
    }
}

void cli_ctx_finish(sdb_ctx *ctx)
{
    if (ctx->actor && ctx->actor[0]) return;
    const char *env = getenv("STRDB_ACTOR");
    if (env && env[0]) {
        ctx->actor = env;
        return;
    }
    const struct passwd *pw = getpwuid(getuid());
    const char *user = getenv("USER");
    ctx->actor = pw && pw->pw_name ? pw->pw_name : user && *user ? user : "unknown";
}

void cli_diag(const char *cmd, int rc, const sdb_diag *d)
{
    char buf[1024];
    if (d && d->reason[0])
        fprintf(stderr, "strdb %s: %s\n", cmd, sdb_diag_format(d, buf, sizeof buf));
    else
        fprintf(stderr, "strdb %s: %s\n", cmd, sdb_strerror(rc));
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "strdb %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage(const char *text, int is_error)
{
    fputs(text, is_error ? stderr : stdout);
    return is_error ? EXIT_USAGE : EXIT_OK;
}

static char authenticated[64];    /* the token's user, the actor in controlled mode */

/* The token: --token-file's first line, else $STRDB_TOKEN. */
static const char *read_token(char *buf, size_t size)
{
    if (!token_file) return getenv("STRDB_TOKEN");
    FILE *f = fopen(token_file, "r");
    if (!f) return NULL;
    const char *t = fgets(buf, (int)size, f);
    fclose(f);
    if (t) buf[strcspn(buf, "\r\n")] = '\0';
    return t;
}

/* Audits a refused command, on a second, writable connection if db is read-only. */
static void audit_refusal(sdb_db *db, int readonly, const char *path, const sdb_ctx *ctx,
                          const char *action, const char *why)
{
    sdb_db *w = db;
    sdb_diag d;
    if (readonly && sdb_db_open(&w, path, 0, &d)) return;
    if (sdb_audit_append(w, ctx, action, path, 0, why)) cli_error(action, "could not audit the refusal");
    if (w != db) sdb_db_close(w);
}

int cli_open(const char *cmd, const char *action, const char *path, int readonly, sdb_ctx *ctx,
             sdb_db **db)
{
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_db_open(db, path, readonly, &d);
    if (rc) {
        cli_diag(cmd, rc, &d);
        return EXIT_FAIL;
    }
    if (sdb_user_count(*db) <= 0) return EXIT_OK; /* open mode */
    char tok[256], name[64], role[16], why[192];
    const char *token = read_token(tok, sizeof tok);
    why[0] = '\0';
    int unknown = sdb_user_auth(*db, token, name, role) != SDB_OK;
    if (unknown)
        snprintf(why, sizeof why, "refused: controlled mode needs a valid token (STRDB_TOKEN or "
                                  "--token-file); it is missing, wrong or disabled");
    else if (actor_given && ctx && ctx->actor && strcmp(ctx->actor, name))
        snprintf(why, sizeof why, "refused: --actor '%s' is not the token's user '%s'", ctx->actor,
                 name);
    else if (!sdb_role_allows(role, action))
        snprintf(why, sizeof why, "refused: role '%s' may not %s", role, action);
    if (!why[0]) {
        snprintf(authenticated, sizeof authenticated, "%s", name);
        if (ctx) ctx->actor = authenticated;
        return EXIT_OK;
    }
    cli_error(cmd, "%s", why);
    sdb_ctx r = {unknown ? "(unauthenticated)" : name, ctx ? ctx->purpose : NULL,
                 ctx ? ctx->case_ref : NULL, NULL};
    audit_refusal(*db, readonly, path, &r, action, why);
    sdb_db_close(*db);
    *db = NULL;
    return EXIT_FAIL;
}

int cli_policy(const char *cmd, sdb_db *db, const sdb_ctx *ctx, const char *operation,
               const char *index, const char *params, char *allowed, size_t size)
{
    sdb_diag d;
    char outcome[sizeof d.reason + 16];
    sdb_diag_clear(&d);
    int rc = sdb_policy_indexes(db, ctx, operation, index, allowed, size, &d);
    if (!rc) return EXIT_OK;
    if (index && !strcmp(operation, "show") && strstr(d.reason, "may not show index"))
        /* the caller named a sample, not an index: do not confirm where (or that) it is stored;
         * the audit record keeps the rule */
        cli_error(cmd, "no profile that purpose '%s' may show with this sample id", ctx->purpose);
    else
        cli_error(cmd, "%s", d.reason);
    snprintf(outcome, sizeof outcome, "%s%s", strncmp(d.reason, "refused", 7) ? "refused: " : "",
             d.reason);
    if (sdb_audit_append(db, ctx, operation, params, 0, outcome))
        cli_error(cmd, "could not audit the refusal");
    return EXIT_FAIL;
}

void cli_alleles(const sdb_profile *p, const sdb_call *c, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (uint32_t k = c->first; k < c->first + c->n && n + SDB_ALLELE_STRLEN + 1 < size; k++) {
        if (k > c->first) buf[n++] = '/';
        n += (size_t)sdb_allele_format(p->alleles[k], buf + n);
    }
}

/* The query of a command: --genotype text, or the first profile of a file. */
int cli_read_query(const char *cmd, const char *file, const char *genotype, sdb_profile *q)
{
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc;
    if (genotype)
        rc = sdb_genotype_parse(q, sdb_catalog_default(), genotype, &d);
    else {
        sdb_reader *r;
        rc = sdb_reader_open(&r, file, sdb_catalog_default(), NULL, &d);
        if (!rc) {
            rc = sdb_reader_next(r, q, &d);
            sdb_reader_close(r);
        }
        if (rc == SDB_END) {
            sdb_diag_set(&d, file, 0, NULL, "no profile in the file");
            rc = SDB_EINVAL;
        }
    }
    if (rc)
        cli_diag(cmd, rc, &d);
    else if (q->n_calls == 0) {
        cli_error(cmd, "empty profile: no allele at any locus");
        rc = SDB_EINVAL;
    }
    return rc ? EXIT_FAIL : EXIT_OK;
}
