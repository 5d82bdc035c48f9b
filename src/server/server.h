/* strdb serve: the HTTP/JSON API and the web page (docs/http-api.md), a thin
 * shell over sessions like the command-line tool: every request opens a
 * session with the caller's token and purpose, so role, policy and audit are
 * the library's. Only public headers are included. */
#ifndef STRDB_SERVER_H
#define STRDB_SERVER_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>

#include "strdb/strdb.h"

/* The server's settings and shared state. */
typedef struct srv {
    const char *db;          /* database path */
    sdb_index_cache *cache;  /* indexes shared by every request */
    pthread_mutex_t writer;  /* writes go through one writer */
    size_t max_body;         /* bytes */
    long rate;               /* requests per minute per token */
    sdb_freq *freq;          /* --freq: statistics endpoints, NULL without */
    const char *freq_path;
    const char *sign_key;    /* --sign-key: reports are signed with it */
} srv;

/* One request being answered. */
typedef struct req {
    srv *srv;
    unsigned long id;
    const char *method, *path; /* path without the query string */
    struct MHD_Connection *conn;
    char *body;
    size_t body_len;
    json_t *json;              /* the parsed body of a JSON request */
    sdb_session *s;            /* opened by srv_session() */
    /* the answer */
    int status;
    json_t *out;               /* JSON answer, or */
    char *raw;                 /* another body (raw_type), malloc'd */
    size_t raw_len;
    const char *raw_type;
    char actor[64];
} req;

/* Sets an error answer {"error": {"code", "message", "field"}}; returns 0. */
int srv_fail(req *r, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* An error answer from a library code and its diagnostic. */
int srv_fail_rc(req *r, int rc, const sdb_diag *d);
/* Opens r->s with the caller's token and purpose (default_purpose when the
 * request names none); an error answer and non-zero when it cannot. */
int srv_session(req *r, const char *default_purpose);
/* A query-string argument, or NULL. */
const char *srv_arg(const req *r, const char *name);
/* A header, or NULL. */
const char *srv_header(const req *r, const char *name);

/* The API: answers r (r->status, r->out or r->raw); 0 when no route matched. */
int srv_api(req *r);
/* The OpenAPI document (web/openapi.json). */
const char *srv_openapi(size_t *len);

/* The embedded web files (build/gen/web_assets.c). */
typedef struct srv_asset {
    const char *path, *type;
    const char *data;
    size_t len;
} srv_asset;
extern const srv_asset srv_assets[];
extern const int srv_n_assets;

#endif
