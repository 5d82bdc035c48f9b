/* Helpers shared by the subcommands. */
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdlib.h>
#include <string.h>

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

/* The index of (index, kind): from the snapshot beside the database when its
 * stamp matches the store, else built from the store and the snapshot
 * rewritten (best effort: a read-only directory only costs the rebuild). */
int cli_load_index(const char *cmd, sdb_db *db, const char *path, const char *index,
                         sdb_kind kind, sdb_idx **x)
{
    char snap[4096], stamp[65];
    snprintf(snap, sizeof snap, "%s.index-%s%s%s", path, kind == SDB_KIND_Y ? "y" : "autosomal",
             index ? "-" : "", index ? index : "");
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_db_stamp(db, index, kind, stamp);
    if (!rc && !getenv("STRDB_NO_SNAPSHOT")) {
        rc = sdb_idx_load(x, sdb_db_catalog(db), snap, stamp, &d);
        if (rc == SDB_OK) return SDB_OK;
        if (rc != SDB_ENOTFOUND) cli_error(cmd, "warning: %s; rebuilding the index", d.reason);
        rc = SDB_OK;
    }
    sdb_diag_clear(&d);
    if (!rc) rc = sdb_idx_build(x, db, index, kind, &d);
    if (rc) {
        cli_diag(cmd, rc, &d);
        return rc;
    }
    if (!getenv("STRDB_NO_SNAPSHOT") && sdb_idx_save(*x, stamp, snap))
        cli_error(cmd, "warning: could not write the index snapshot %s", snap);
    return SDB_OK;
}

/* Opens the database, checks the purpose and loads or builds the index. */
int cli_open_index(const char *cmd, const char *action, const char *operation, const char *path,
                   sdb_ctx *ctx, const char *index, sdb_kind kind, const char *params,
                   sdb_db **db, sdb_idx **x)
{
    if (cli_open(cmd, action, path, 0, ctx, db)) return EXIT_FAIL;
    char allowed[1024];
    int rc = cli_policy(cmd, *db, ctx, operation, index, params, allowed, sizeof allowed);
    if (!rc && cli_load_index(cmd, *db, path, allowed, kind, x)) rc = EXIT_FAIL;
    if (rc) sdb_db_close(*db);
    return rc;
}

/* Appends the audit record of a search and the keyed hashes of the samples
 * its hits returned (targets: n rows of x at stride bytes, the row a long at
 * offset off), so a subject report can find it. */
int cli_audit_hits(sdb_db *db, const sdb_ctx *ctx, const char *action, const char *params,
                      const sdb_idx *x, const void *hits, long n, size_t stride, size_t off,
                      const char *outcome)
{
    const char **ids = n > 0 ? malloc((size_t)n * sizeof *ids) : NULL;
    if (n > 0 && !ids) return EXIT_FAIL;
    for (long i = 0; i < n; i++) {
        long row;
        memcpy(&row, (const char *)hits + (size_t)i * stride + off, sizeof row);
        ids[i] = sdb_idx_sample_id(x, row);
    }
    int rc = sdb_audit_append(db, ctx, action, params, n, outcome) ||
             sdb_audit_touch(db, ids, n);
    free(ids);
    return rc ? EXIT_FAIL : EXIT_OK;
}


/* Loads the table and prints its warnings. */
int cli_load_freq(const char *cmd, const char *path, int strict, double min_freq, sdb_freq **f)
{
    if (!path) {
        cli_error(cmd, "--freq FILE is required");
        return EXIT_USAGE;
    }
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_freq_load(f, path, sdb_catalog_default(), strict, &d);
    if (rc) {
        cli_diag(cmd, rc, &d);
        return EXIT_FAIL;
    }
    sdb_freq_set_min_frequency(*f, min_freq);
    const char *w = sdb_freq_warnings(*f);
    while (*w) {
        size_t n = strcspn(w, "\n");
        fprintf(stderr, "strdb %s: warning: %s: %.*s\n", cmd, path, (int)n, w);
        w += n + (w[n] == '\n');
    }
    return EXIT_OK;
}

/* Resolves one population name (NULL: the table's only one). */
int cli_find_pop(const char *cmd, const sdb_freq *f, const char *name, size_t len)
{
    if (!name) {
        if (sdb_freq_n_populations(f) == 1) return 0;
        cli_error(cmd, "the table holds %d populations: choose one with --pop (%s, %s, ...)",
                  sdb_freq_n_populations(f), sdb_freq_population(f, 0), sdb_freq_population(f, 1));
        return -1;
    }
    char want[128];
    snprintf(want, sizeof want, "%.*s", (int)len, name);
    int i = sdb_freq_find_population(f, want);
    if (i < 0) {
        char list[512] = "";
        for (int k = 0; k < sdb_freq_n_populations(f) && strlen(list) < 400; k++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
                     sdb_freq_population(f, k));
        cli_error(cmd, "unknown population '%s' (the table has: %s)", want, list);
    }
    return i;
}


int cli_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

int cli_number(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out)
{
    if (!cli_parse_double(s, lo, hi, out)) return 0;
    cli_error(cmd, "%s: expected a number in [%g, %g], got '%s'", opt, lo, hi, s);
    return -1;
}

int cli_integer(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out)
{
    if (!cli_parse_long(s, lo, hi, out)) return 0;
    cli_error(cmd, "%s: expected an integer in [%ld, %ld], got '%s'", opt, lo, hi, s);
    return -1;
}
