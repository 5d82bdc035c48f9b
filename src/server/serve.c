/* strdb serve DB: libmicrohttpd with a thread pool; per request one session
 * (token from the Authorization header, purpose and case from X-Strdb-*
 * headers), one audit record per request that reads or changes data (the
 * session's), JSON errors with the right status, limits (body size,
 * per-token rate, timeouts), no CORS, a Content-Security-Policy, the web
 * page from files compiled in. Logs one line per request on stderr: id,
 * method, path, status, time and actor; never a genotype or a token. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "server.h"

static const char serve_usage[] =
    "usage: strdb serve DB [--listen HOST:PORT] [--threads N] [--tls-cert F --tls-key F]\n"
    "                  [--max-body BYTES] [--rate N] [--timeout S] [--freq FILE]\n"
    "                  [--port-file FILE] [--sign-key FILE]\n\n"
    "HTTP/JSON API (docs/http-api.md; /api/v1/openapi.json) and the analyst web page\n"
    "(/). The database must be in controlled mode (strdb user add): every request\n"
    "carries a user's token in an Authorization: Bearer header (never in the URL),\n"
    "its purpose in X-Strdb-Purpose and case reference in X-Strdb-Case, and runs\n"
    "through the same governance as the command line: role, purpose policy, one\n"
    "audit record per request that reads or changes data. The index is loaded once\n"
    "and shared by every request, rebuilt after imports and expunctions; writes go\n"
    "through one writer. --listen defaults to 127.0.0.1:8427 (port 0: any free\n"
    "port, written to --port-file); --threads 4; --max-body 16 MiB; --rate 600\n"
    "requests a minute per token; --timeout 30 s for a connection that sends\n"
    "nothing (a slow client); TLS with --tls-cert and --tls-key (PEM). --freq FILE\n"
    "enables the statistics endpoints and the reports' RMP; --sign-key FILE signs the\n"
    "case reports (GET /api/v1/report) with the audit key. SIGTERM or SIGINT: finish\n"
    "the requests in flight, then exit 0.\n";

/* ---- per-token rate limit: a token bucket per token hash ---- */

#define RATE_SLOTS 1024

static struct {
    pthread_mutex_t mu;
    unsigned char key[RATE_SLOTS][16];
    double tokens[RATE_SLOTS];
    double at[RATE_SLOTS];
    int used[RATE_SLOTS];
} rate = {.mu = PTHREAD_MUTEX_INITIALIZER};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1 when the token may make one more request now. */
static int rate_take(const char *token, long per_minute)
{
    unsigned char key[16];
    crypto_generichash(key, sizeof key, (const unsigned char *)token, strlen(token), NULL, 0);
    unsigned slot = ((unsigned)key[0] | (unsigned)key[1] << 8) % RATE_SLOTS;
    double t = now_s(), cap = (double)per_minute;
    pthread_mutex_lock(&rate.mu);
    if (!rate.used[slot] || memcmp(rate.key[slot], key, sizeof key)) {
        memcpy(rate.key[slot], key, sizeof key);
        rate.used[slot] = 1;
        rate.tokens[slot] = cap;
        rate.at[slot] = t;
    }
    rate.tokens[slot] += (t - rate.at[slot]) * cap / 60.0;
    if (rate.tokens[slot] > cap) rate.tokens[slot] = cap;
    rate.at[slot] = t;
    int ok = rate.tokens[slot] >= 1;
    if (ok) rate.tokens[slot] -= 1;
    pthread_mutex_unlock(&rate.mu);
    return ok;
}

/* ---- answers ---- */

int srv_fail(req *r, int status, const char *code, const char *field, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_decref(r->out);
    free(r->raw);
    r->raw = NULL;
    r->status = status;
    r->out = json_pack("{s:{s:s,s:s,s:o}}", "error", "code", code, "message", msg, "field",
                       field && field[0] ? json_string(field) : json_null());
    return 0;
}

int srv_fail_rc(req *r, int rc, const sdb_diag *d)
{
    static const struct {
        int rc, status;
        const char *code;
    } map[] = {{SDB_EAUTH, 401, "auth"},       {SDB_EROLE, 403, "role"},
               {SDB_EPOLICY, 403, "policy"},   {SDB_EPERM, 403, "refused"},
               {SDB_ENOTFOUND, 404, "not_found"}, {SDB_EINVAL, 422, "invalid"},
               {SDB_EFORMAT, 422, "format"},   {SDB_EDUP, 409, "duplicate"},
               {SDB_EEXIST, 409, "exists"},    {SDB_EAUDIT, 409, "audit"},
               {SDB_ERANGE, 422, "too_complex"}, {SDB_EBUSY, 503, "busy"},
               {SDB_EVERSION, 500, "version"}, {SDB_EIO, 500, "io"},
               {SDB_ESTORE, 500, "store"},     {SDB_ENOMEM, 500, "memory"}};
    int status = 500;
    const char *code = "internal";
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].rc == rc) status = map[i].status, code = map[i].code;
    char line[32] = "";
    if (d && d->line) snprintf(line, sizeof line, "line %ld: ", d->line);
    return srv_fail(r, status, code, d ? d->field : NULL, "%s%s", line,
                    d && d->reason[0] ? d->reason : sdb_strerror(rc));
}

const char *srv_arg(const req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *srv_header(const req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* The bearer token of the request, or NULL. */
static const char *bearer(const req *r)
{
    const char *h = srv_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7)) return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h ? h : NULL;
}

int srv_session(req *r, const char *default_purpose)
{
    const char *token = bearer(r);
    if (!token)
        return srv_fail(r, 401, "auth", "Authorization",
                        "a token is required: Authorization: Bearer <token>"), -1;
    if (!rate_take(token, r->srv->rate))
        return srv_fail(r, 429, "rate_limited", NULL, "more than %ld requests a minute",
                        r->srv->rate), -1;
    const char *purpose = srv_header(r, "X-Strdb-Purpose");
    sdb_session_opts o;
    sdb_session_opts_init(&o);
    o.token = token;
    o.purpose = purpose && purpose[0] ? purpose : default_purpose;
    o.case_ref = srv_header(r, "X-Strdb-Case");
    o.authorization = srv_header(r, "X-Strdb-Authorization");
    o.index_cache = r->srv->cache;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_open(&r->s, r->srv->db, &o, &d);
    if (rc) {
        r->s = NULL;
        return srv_fail_rc(r, rc, &d), -1;
    }
    snprintf(r->actor, sizeof r->actor, "%s", sdb_session_actor(r->s));
    return 0;
}

/* ---- the connection handler ---- */

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' "
                          "data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                          "form-action 'self'";

static volatile unsigned long next_id;

static void free_req(req *r)
{
    if (!r) return;
    sdb_session_close(r->s);
    json_decref(r->json);
    json_decref(r->out);
    free(r->raw);
    free(r->body);
    free(r);
}

static enum MHD_Result send_answer(struct MHD_Connection *c, req *r, double started)
{
    char *text = NULL;
    const char *type = r->raw_type ? r->raw_type : "application/json";
    size_t len = r->raw_len;
    if (!r->raw) {
        text = json_dumps(r->out ? r->out : json_null(), JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        len = text ? strlen(text) : 0;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, r->raw ? r->raw : text, r->raw ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    char rid[32];
    snprintf(rid, sizeof rid, "%lu", r->id);
    MHD_add_response_header(resp, "X-Request-Id", rid);
    if (r->status == 429) MHD_add_response_header(resp, "Retry-After", "60");
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    fprintf(stderr, "[strdb serve] id=%lu %s %s %d %.1f ms actor=%s\n", r->id, r->method, r->path,
            r->status, (now_s() - started) * 1e3, r->actor[0] ? r->actor : "-");
    return ok;
}

/* A file of the web page, by exact path ("/" is index.html). */
static int static_file(req *r)
{
    const char *p = strcmp(r->path, "/") ? r->path : "/index.html";
    for (int i = 0; i < srv_n_assets; i++)
        if (!strcmp(srv_assets[i].path, p)) {
            r->status = 200;
            r->raw = malloc(srv_assets[i].len + 1);
            if (!r->raw) return srv_fail(r, 500, "memory", NULL, "out of memory"), 1;
            memcpy(r->raw, srv_assets[i].data, srv_assets[i].len);
            r->raw_len = srv_assets[i].len;
            r->raw_type = srv_assets[i].type;
            return 1;
        }
    return 0;
}

/* The request's checks before any route: path, token placement, content
 * type and JSON. Non-zero with an error answer set. */
static int precheck(req *r)
{
    if (strstr(r->path, "..") || strstr(r->path, "//") || strchr(r->path, '\\'))
        return srv_fail(r, 400, "bad_path", NULL, "a path may not hold '..', '//' or '\\'"), 1;
    if (srv_arg(r, "token") || srv_arg(r, "access_token"))
        return srv_fail(r, 400, "token_in_url", "token",
                        "a token goes in the Authorization header, never in the URL"), 1;
    if (strcmp(r->method, "POST") && strcmp(r->method, "PUT") && strcmp(r->method, "DELETE"))
        return 0;
    const char *ct = srv_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    int is_import = !strncmp(r->path, "/api/v1/import", 14) || !strcmp(r->path, "/api/v1/parse");
    if (!is_import && r->body_len) {
        if (!ct || strncasecmp(ct, "application/json", 16))
            return srv_fail(r, 415, "content_type", "Content-Type",
                            "the body must be application/json, got '%s'", ct ? ct : "(none)"),
                   1;
        json_error_t e;
        r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &e);
        if (!r->json || !json_is_object(r->json))
            return srv_fail(r, 400, "malformed_json", NULL, "malformed JSON at line %d column %d: %s",
                            e.line, e.column, r->json ? "expected an object" : e.text),
                   1;
    }
    return 0;
}

typedef struct conn_state {
    req *r;
    double started;
    int too_big;
} conn_state;

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **ptr)
{
    srv *sv = cls;
    conn_state *cs = *ptr;
    if (!cs) { /* the headers are in */
        cs = calloc(1, sizeof *cs);
        if (!cs || !(cs->r = calloc(1, sizeof *cs->r))) {
            free(cs);
            return MHD_NO;
        }
        cs->started = now_s();
        req *r = cs->r;
        r->srv = sv;
        r->id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED);
        r->method = method;
        r->path = url;
        r->conn = c;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > sv->max_body) cs->too_big = 1;
        *ptr = cs;
        return MHD_YES;
    }
    req *r = cs->r;
    if (*upload_size) { /* a piece of the body */
        if (!cs->too_big && r->body_len + *upload_size > sv->max_body) cs->too_big = 1;
        if (!cs->too_big) {
            char *b = realloc(r->body, r->body_len + *upload_size + 1);
            if (!b) return MHD_NO;
            r->body = b;
            memcpy(b + r->body_len, upload, *upload_size);
            r->body_len += *upload_size;
            b[r->body_len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (cs->too_big)
        srv_fail(r, 413, "too_large", NULL, "the body is over the limit of %zu bytes", sv->max_body);
    else if (!precheck(r)) {
        if (!srv_api(r) && !(strcmp(r->method, "GET") == 0 && static_file(r)))
            srv_fail(r, 404, "not_found", NULL, "no such endpoint: %s %s", r->method, r->path);
    }
    return send_answer(c, r, cs->started);
}

static void completed(void *cls, struct MHD_Connection *c, void **ptr,
                      enum MHD_RequestTerminationCode why)
{
    conn_state *cs = *ptr;
    if (!cs) return;
    free_req(cs->r);
    free(cs);
    *ptr = NULL;
}

static char *slurp(const char *path)
{
    size_t len = 0;
    char *t = mp_slurp(path, &len);
    if (!t) return NULL;
    char *z = realloc(t, len + 1);
    if (!z) {
        free(t);
        return NULL;
    }
    z[len] = '\0';
    return z;
}

enum { O_LISTEN = 1, O_THREADS, O_CERT, O_KEY, O_MAXBODY, O_RATE, O_TIMEOUT, O_FREQ, O_PORTFILE, O_SIGN };

int main_serve(int argc, char **argv)
{
    static const struct option longopts[] = {{"listen", required_argument, NULL, O_LISTEN},
                                             {"threads", required_argument, NULL, O_THREADS},
                                             {"tls-cert", required_argument, NULL, O_CERT},
                                             {"tls-key", required_argument, NULL, O_KEY},
                                             {"max-body", required_argument, NULL, O_MAXBODY},
                                             {"rate", required_argument, NULL, O_RATE},
                                             {"timeout", required_argument, NULL, O_TIMEOUT},
                                             {"freq", required_argument, NULL, O_FREQ},
                                             {"port-file", required_argument, NULL, O_PORTFILE},
                                             {"sign-key", required_argument, NULL, O_SIGN},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *listen = "127.0.0.1:8427", *cert = NULL, *key = NULL, *port_file = NULL;
    long threads = 4, max_body = 16L << 20, rate_n = 600, timeout = 30;
    srv sv = {0};
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_LISTEN: listen = optarg; break;
        case O_THREADS:
            if (cli_integer("serve", "--threads", optarg, 1, 256, &threads)) return EXIT_USAGE;
            break;
        case O_CERT: cert = optarg; break;
        case O_KEY: key = optarg; break;
        case O_MAXBODY:
            if (cli_integer("serve", "--max-body", optarg, 1024, 1L << 34, &max_body)) return EXIT_USAGE;
            break;
        case O_RATE:
            if (cli_integer("serve", "--rate", optarg, 1, 1000000, &rate_n)) return EXIT_USAGE;
            break;
        case O_TIMEOUT:
            if (cli_integer("serve", "--timeout", optarg, 1, 3600, &timeout)) return EXIT_USAGE;
            break;
        case O_FREQ: sv.freq_path = optarg; break;
        case O_PORTFILE: port_file = optarg; break;
        case O_SIGN: sv.sign_key = optarg; break;
        case 'h': cli_usage(serve_usage, 0); return EXIT_OK;
        default: return cli_usage(serve_usage, 1);
        }
    }
    if (optind + 1 != argc) return cli_usage(serve_usage, 1);
    if (!cert != !key) {
        cli_error("serve", "--tls-cert and --tls-key go together");
        return EXIT_USAGE;
    }
    sv.db = argv[optind];
    sv.max_body = (size_t)max_body;
    sv.rate = rate_n;
    char host[256];
    const char *colon = strrchr(listen, ':');
    long port = -1;
    if (colon && (size_t)(colon - listen) < sizeof host) {
        snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
        char *end;
        port = strtol(colon + 1, &end, 10);
        if (*end || end == colon + 1) port = -1;
    }
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    if (port < 0 || port > 65535 || inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        cli_error("serve", "--listen: expected IPv4-ADDRESS:PORT, got '%s'", listen);
        return EXIT_USAGE;
    }
    addr.sin_port = htons((uint16_t)port);
    sdb_diag d;
    sdb_diag_clear(&d);
    int controlled = 0, rc = sdb_database_controlled(sv.db, &controlled, &d);
    if (rc) {
        cli_diag("serve", rc, &d);
        return EXIT_FAIL;
    }
    if (!controlled) {
        cli_error("serve", "%s has no users: a server needs controlled mode (strdb user add DB "
                           "NAME --role ROLE)", sv.db);
        return EXIT_FAIL;
    }
    if (sv.freq_path && cli_load_freq("serve", sv.freq_path, 0, NULL, &sv.freq)) return EXIT_FAIL;
    if (sodium_init() < 0 || sdb_index_cache_new(&sv.cache) || pthread_mutex_init(&sv.writer, NULL)) {
        cli_error("serve", "cannot initialise");
        return EXIT_FAIL;
    }
    char *cert_pem = cert ? slurp(cert) : NULL, *key_pem = key ? slurp(key) : NULL;
    if (cert && (!cert_pem || !key_pem)) {
        cli_error("serve", "%s: cannot read", !cert_pem ? cert : key);
        return EXIT_FAIL;
    }
    /* SIGTERM / SIGINT are waited for below, never delivered to a worker */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_EPOLL;
    if (cert) flags |= MHD_USE_TLS;
    struct MHD_Daemon *daemon =
        cert ? MHD_start_daemon(flags, 0, NULL, NULL, handle, &sv, MHD_OPTION_SOCK_ADDR, &addr,
                                MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)timeout,
                                MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)256 * 1024,
                                MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                                MHD_OPTION_HTTPS_MEM_CERT, cert_pem, MHD_OPTION_HTTPS_MEM_KEY,
                                key_pem, MHD_OPTION_END)
             : MHD_start_daemon(flags, 0, NULL, NULL, handle, &sv, MHD_OPTION_SOCK_ADDR, &addr,
                                MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)timeout,
                                MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)256 * 1024,
                                MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    if (!daemon) {
        cli_error("serve", "cannot listen on %s: %s", listen, strerror(errno));
        return EXIT_FAIL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    unsigned bound = info ? info->port : (unsigned)port;
    fprintf(stderr, "[strdb serve] %s on %s://%s:%u (%ld threads)\n", sv.db, cert ? "https" : "http",
            host, bound, threads);
    if (port_file) {
        FILE *pf = fopen(port_file, "w");
        if (pf) {
            fprintf(pf, "%u\n", bound);
            fclose(pf);
        }
    }
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "[strdb serve] %s: finishing the requests in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    MHD_stop_daemon(daemon);
    long builds = 0, hits = 0;
    sdb_index_cache_counts(sv.cache, &builds, &hits);
    fprintf(stderr, "[strdb serve] stopped: %lu requests, %ld index builds, %ld index reuses\n",
            next_id, builds, hits);
    sdb_index_cache_free(sv.cache);
    sdb_freq_free(sv.freq);
    free(cert_pem);
    free(key_pem);
    return EXIT_OK;
}
