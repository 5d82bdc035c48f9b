/* Helpers shared by the subcommands. */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>
#include <time.h>

#include <sys/stat.h>

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
    if (!is_error) {
        fputs(text, stdout);
        return EXIT_OK;
    }
    /* one line of synopsis and a hint, not the whole help: "usage: strdb CMD ..." */
    size_t n = strcspn(text, "\n");
    const char *cmd = strncmp(text, "usage: strdb ", 13) ? "" : text + 13;
    size_t c = strcspn(cmd, " \n");
    fprintf(stderr, "%.*s\n(strdb %.*s --help shows every option)\n", (int)n, text, (int)c, cmd);
    return EXIT_USAGE;
}

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

int cli_session(const char *cmd, const char *path, const sdb_ctx *ctx, int readonly,
                sdb_session **s)
{
    char tok[256];
    sdb_session_opts o;
    sdb_session_opts_init(&o);
    o.actor = actor_given && ctx ? ctx->actor : NULL;
    o.default_actor = ctx ? ctx->actor : NULL;
    if (!o.default_actor) {
        sdb_ctx c = {0};
        cli_ctx_finish(&c);
        o.default_actor = c.actor;
    }
    o.token = read_token(tok, sizeof tok);
    if (ctx) {
        o.purpose = ctx->purpose;
        o.case_ref = ctx->case_ref;
        o.authorization = ctx->authorization;
    }
    o.readonly = readonly;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_open(s, path, &o, &d);
    if (rc) {
        cli_diag(cmd, rc, &d);
        return EXIT_FAIL;
    }
    return EXIT_OK;
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

int cli_one_query(const char *cmd, int given, const char *options)
{
    if (given == 1) return EXIT_OK;
    cli_error(cmd, given ? "one query at a time: %s" : "no query: give %s", options);
    return EXIT_USAGE;
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

int cli_min_freq(const char *cmd, const char *text, cli_minimum *m)
{
    if (sdb_min_rule_parse(text, &m->rule, &m->value) == SDB_OK) return EXIT_OK;
    cli_error(cmd, "invalid value '%s' for --min-freq; one of none, 5/2N, or a frequency in (0, 1]",
              text);
    return EXIT_USAGE;
}

/* Loads the table and prints its warnings. */
int cli_load_freq(const char *cmd, const char *path, int strict, const cli_minimum *m,
                  sdb_freq **f)
{
    if (!path) {
        cli_error(cmd, "--freq FILE is required");
        return EXIT_USAGE;
    }
    sdb_diag d;
    sdb_diag_clear(&d);
    /* a Familias file: its database, as population "fam" */
    FILE *in = fopen(path, "rb");
    char first[128] = "";
    if (in) {
        if (!fgets(first, sizeof first, in)) first[0] = '\0';
        fclose(in);
    }
    int rc;
    if (strstr(first, "Familias")) {
        sdb_fam *fam = NULL;
        if (mp_read_fam(cmd, path, &fam)) return EXIT_FAIL;
        rc = sdb_fam_freq(fam, "fam", f, &d);
        sdb_fam_free(fam);
    } else
        rc = sdb_freq_load(f, path, sdb_catalog_default(), strict, &d);
    if (rc) {
        cli_diag(cmd, rc, &d);
        return EXIT_FAIL;
    }
    if (m) sdb_freq_set_minimum(*f, m->rule, m->value);
    const char *w = sdb_freq_warnings(*f);
    while (*w) {
        size_t n = strcspn(w, "\n");
        fprintf(stderr, "strdb %s: warning: %s: %.*s\n", cmd, path, (int)n, w);
        w += n + (w[n] == '\n');
    }
    return EXIT_OK;
}

int cli_mutation_option(const char *cmd, const char *which, const char *arg, sdb_mutation *m)
{
    if (!strcmp(which, "mutation")) {
        if (!sdb_mutation_parse(arg, &m->kind)) return EXIT_OK;
        cli_error(cmd, "--mutation: expected equal, proportional or stepwise, got '%s'", arg);
        return EXIT_USAGE;
    }
    if (!strcmp(which, "rate")) return cli_number(cmd, "--rate", arg, 0, 0.5, &m->rate) ? EXIT_USAGE : 0;
    if (!strcmp(which, "rate2"))
        return cli_number(cmd, "--rate2", arg, 0, 0.5, &m->rate2) ? EXIT_USAGE : 0;
    return cli_number(cmd, "--range", arg, 1e-9, 1e9, &m->range) ? EXIT_USAGE : 0;
}

int cli_mutation_check(const char *cmd, const sdb_mutation *m)
{
    if (m->kind == SDB_MUT_NONE || m->rate > 0) return EXIT_OK;
    cli_error(cmd, "--mutation needs --rate R (0 < R <= 0.5)");
    return EXIT_USAGE;
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

/* ---- the ticker: a line every 2 s on a terminal while a long job runs ---- */

static struct {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running, stop;
    const char *what;
    struct timespec t0;
} ticker = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *tick(void *arg)
{
    pthread_mutex_lock(&ticker.mu);
    while (!ticker.stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 2;
        if (pthread_cond_timedwait(&ticker.cv, &ticker.mu, &until) == 0 || ticker.stop) continue;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double s = (double)(now.tv_sec - ticker.t0.tv_sec) +
                   (double)(now.tv_nsec - ticker.t0.tv_nsec) * 1e-9;
        fprintf(stderr, "\r[%s::%.0f] still working...", ticker.what, s);
        fflush(stderr);
    }
    pthread_mutex_unlock(&ticker.mu);
    return NULL;
}

void cli_ticker_start(const char *what)
{
    if (!isatty(STDERR_FILENO) || getenv("STRDB_NO_PROGRESS") || ticker.running) return;
    ticker.what = what;
    ticker.stop = 0;
    clock_gettime(CLOCK_MONOTONIC, &ticker.t0);
    ticker.running = pthread_create(&ticker.th, NULL, tick, NULL) == 0;
}

void cli_ticker_stop(void)
{
    if (!ticker.running) return;
    pthread_mutex_lock(&ticker.mu);
    ticker.stop = 1;
    pthread_cond_signal(&ticker.cv);
    pthread_mutex_unlock(&ticker.mu);
    pthread_join(ticker.th, NULL);
    ticker.running = 0;
    fputs("\r\033[K", stderr); /* the line it drew is cleared */
}

int cli_session_or_create(const char *cmd, const char *path, sdb_session **s)
{
    struct stat sb;
    sdb_ctx ctx = {0};
    cli_ctx_finish(&ctx);
    ctx.purpose = "administration";
    if (stat(path, &sb) == 0) return cli_session(cmd, path, &ctx, 0, s);
    sdb_session_opts so;
    sdb_session_opts_init(&so);
    so.actor = ctx.actor;
    so.purpose = ctx.purpose;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_create(s, path, &so, &d);
    if (rc) cli_diag(cmd, rc, &d);
    return rc ? EXIT_FAIL : EXIT_OK;
}

int cli_sim_freq(const char *path, const char *pop, sdb_freq **f, int *pop_index)
{
    const sdb_catalog *cat = sdb_catalog_default();
    sdb_diag d;
    sdb_diag_clear(&d);
    int st = path ? sdb_freq_load(f, path, cat, 0, &d) : sdb_freq_builtin_nist1036(f, cat);
    if (st) {
        cli_diag("simulate", st, &d);
        return EXIT_FAIL;
    }
    if ((*pop_index = sdb_freq_find_population(*f, pop)) < 0) {
        cli_error("simulate", "unknown population '%s' in the frequency table", pop);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

int cli_make_dir(const char *cmd, const char *path)
{
    if (!mkdir(path, 0777) || errno == EEXIST) return 0;
    cli_error(cmd, "cannot create %s: %s", path, strerror(errno));
    return 1;
}
