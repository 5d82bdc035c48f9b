/* Signed checkpoints of the audit chain (Ed25519, libsodium).
 *
 * The hash chain alone catches an edited, removed or reordered record, but
 * not a tail cut off or rewritten with freshly computed hashes: anyone with
 * the file can do that. A checkpoint signs (seq, head hash) with a key that
 * never enters the database, so a later verify with the public key proves
 * that record seq still exists unchanged, and with it everything before it.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_internal.h"
#include "strdb/governance.h"

static int write_hex_file(const char *path, const unsigned char *bin, size_t n, int mode,
                          sdb_diag *d)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0) {
        sdb_diag_set(d, path, 0, NULL, "%s", errno == EEXIST ? "file exists: not overwritten"
                                                              : strerror(errno));
        return errno == EEXIST ? SDB_EDUP : SDB_EIO;
    }
    char hex[2 * crypto_sign_SECRETKEYBYTES + 2];
    sodium_bin2hex(hex, sizeof hex, bin, n);
    strcat(hex, "\n");
    ssize_t len = (ssize_t)strlen(hex);
    int ok = write(fd, hex, (size_t)len) == len;
    sodium_memzero(hex, sizeof hex);
    if (close(fd) || !ok) {
        sdb_diag_set(d, path, 0, NULL, "cannot write the key");
        return SDB_EIO;
    }
    return SDB_OK;
}

int sdb_sign_keygen(const char *secret_path, const char *public_path, sdb_diag *d)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    int rc = write_hex_file(secret_path, sk, sizeof sk, 0600, d);
    sodium_memzero(sk, sizeof sk);
    if (!rc) rc = write_hex_file(public_path, pk, sizeof pk, 0644, d);
    return rc;
}

/* Reads a hex key of exactly n bytes from path. */
static int read_hex_file(const char *path, unsigned char *bin, size_t n, sdb_diag *d)
{
    char hex[2 * crypto_sign_SECRETKEYBYTES + 8];
    FILE *f = fopen(path, "r");
    if (!f) {
        sdb_diag_set(d, path, 0, NULL, "%s", strerror(errno));
        return SDB_EIO;
    }
    size_t len = fread(hex, 1, sizeof hex - 1, f);
    fclose(f);
    hex[len] = '\0';
    while (len && (hex[len - 1] == '\n' || hex[len - 1] == '\r'))
        hex[--len] = '\0';
    size_t got = 0;
    int bad = sodium_hex2bin(bin, n, hex, len, NULL, &got, NULL) || got != n;
    sodium_memzero(hex, sizeof hex);
    if (bad) {
        sdb_diag_set(d, path, 1, NULL, "not a key of %zu bytes in hex", n);
        return SDB_EINVAL;
    }
    return SDB_OK;
}

static void message(const sdb_checkpoint *c, char *buf, size_t size)
{
    snprintf(buf, size, "strdb-checkpoint-v1\n%lld\n%s\n%s\n", c->seq, c->head, c->at);
}

void sdb_checkpoint_format(const sdb_checkpoint *c, char *buf, size_t size)
{
    snprintf(buf, size,
             "{\"seq\":%lld,\"head\":\"%s\",\"at\":\"%s\",\"public_key\":\"%s\","
             "\"signature\":\"%s\"}",
             c->seq, c->head, c->at, c->public_key, c->signature);
}

/* 1 if s is exactly n characters, each one of set. */
static int only(const char *s, size_t n, const char *set)
{
    return strlen(s) == n && strspn(s, set) == n;
}

int sdb_checkpoint_parse(const char *line, sdb_checkpoint *c)
{
    static const char hex[] = "0123456789abcdef", time_chars[] = "0123456789-:.TZ";
    json_error_t e;
    json_t *o = json_loads(line, 0, &e);
    json_int_t seq = 0;
    const char *head, *at, *pk, *sig;
    int rc = o && !json_unpack(o, "{s:I,s:s,s:s,s:s,s:s}", "seq", &seq, "head", &head, "at", &at,
                               "public_key", &pk, "signature", &sig) &&
                     only(head, 64, hex) && only(at, strlen(at), time_chars) &&
                     strlen(at) < sizeof c->at && only(pk, 64, hex) && only(sig, 128, hex)
                 ? SDB_OK
                 : SDB_EFORMAT;
    if (!rc) {
        c->seq = seq;
        memcpy(c->head, head, sizeof c->head);
        snprintf(c->at, sizeof c->at, "%s", at);
        memcpy(c->public_key, pk, sizeof c->public_key);
        memcpy(c->signature, sig, sizeof c->signature);
    }
    json_decref(o);
    return rc;
}

static int store_checkpoint(sdb_db *db, const sdb_checkpoint *c)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "INSERT INTO audit_checkpoint VALUES (?, ?, ?, ?, ?)", &st, NULL))
        return SDB_ESTORE;
    sqlite3_bind_int64(st, 1, c->seq);
    sqlite3_bind_text(st, 2, c->head, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, c->public_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, c->signature, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
    sqlite3_finalize(st);
    return rc;
}

int sdb_audit_checkpoint(sdb_db *db, const sdb_ctx *ctx, const char *secret_path,
                         sdb_checkpoint *out, sdb_diag *d)
{
    unsigned char sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
    int rc = read_hex_file(secret_path, sk, sizeof sk, d);
    if (rc) return rc;
    long long n = 0;
    sdb_checkpoint c = {0};
    if (sdb_store_exec(db, "BEGIN IMMEDIATE", d)) {
        sodium_memzero(sk, sizeof sk);
        return SDB_ESTORE;
    }
    rc = sdb_audit_verify(db, &n, c.head, NULL, d); /* never sign a broken chain */
    if (!rc && n == 0) {
        sdb_diag_set(d, db->path, 0, NULL, "the audit chain is empty");
        rc = SDB_EINVAL;
    }
    if (!rc) {
        char msg[256], params[256];
        c.seq = n;
        sdb_store_now(c.at);
        message(&c, msg, sizeof msg);
        crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg), sk);
        sodium_bin2hex(c.signature, sizeof c.signature, sig, sizeof sig);
        sodium_bin2hex(c.public_key, sizeof c.public_key, sk + crypto_sign_SEEDBYTES,
                       crypto_sign_PUBLICKEYBYTES);
        rc = store_checkpoint(db, &c);
        snprintf(params, sizeof params, "seq=%lld;head=%s", c.seq, c.head);
        if (!rc) rc = sdb_audit_append(db, ctx, "audit-checkpoint", params, 1, "ok");
    }
    sodium_memzero(sk, sizeof sk);
    if ((rc = sdb_store_finish(db, rc, d))) return rc;
    *out = c;
    return SDB_OK;
}

/* Hash of record seq into out; SDB_ENOTFOUND if there is none. */
static int record_hash_at(sdb_db *db, long long seq, char out[SDB_HASH_HEX])
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT hash FROM audit WHERE seq = ?", &st, NULL)) return SDB_ESTORE;
    sqlite3_bind_int64(st, 1, seq);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) snprintf(out, SDB_HASH_HEX, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return step == SQLITE_ROW ? SDB_OK : step == SQLITE_DONE ? SDB_ENOTFOUND : SDB_ESTORE;
}

typedef struct check_state {
    const unsigned char *pk;
    const char *pk_hex;
    long long checked, newest;
    long long *good; /* seqs of the checkpoints that hold */
    size_t n_good;
    const char *why;
    long long why_seq;
} check_state;

/* Checks one checkpoint; on the first failure (lowest seq) records why. */
static void check_one(sdb_db *db, check_state *s, const sdb_checkpoint *c)
{
    char msg[256], hash[SDB_HASH_HEX];
    unsigned char sig[crypto_sign_BYTES];
    size_t n = 0;
    const char *why = NULL;
    for (size_t i = 0; i < s->n_good; i++)
        if (s->good[i] == c->seq) return; /* the same record already vouched for */
    message(c, msg, sizeof msg);
    s->checked++;
    if (strcmp(c->public_key, s->pk_hex))
        why = "checkpoint signed by another key";
    else if (sodium_hex2bin(sig, sizeof sig, c->signature, strlen(c->signature), NULL, &n, NULL) ||
             n != sizeof sig ||
             crypto_sign_verify_detached(sig, (const unsigned char *)msg, strlen(msg), s->pk))
        why = "checkpoint signature does not verify (the checkpoint was forged or altered)";
    else if (record_hash_at(db, c->seq, hash))
        why = "the chain ends before this signed record: its tail was cut off";
    else if (strcmp(hash, c->head))
        why = "record differs from the signed checkpoint: the chain was rewritten";
    if (!why) {
        long long *g = realloc(s->good, (s->n_good + 1) * sizeof *g);
        if (g) (s->good = g)[s->n_good++] = c->seq;
        if (c->seq > s->newest) s->newest = c->seq;
        return;
    }
    if (!s->why || c->seq < s->why_seq) {
        s->why = why;
        s->why_seq = c->seq;
    }
}

int sdb_audit_verify_signed(sdb_db *db, const char *public_path, const sdb_checkpoint *extra,
                            int n_extra, long long *n_records, long long *n_checkpoints,
                            long long *unsigned_tail, long long *bad_seq, sdb_diag *d)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    char pk_hex[65];
    long long n = 0;
    if (bad_seq) *bad_seq = 0;
    int rc = read_hex_file(public_path, pk, sizeof pk, d);
    if (rc) return rc;
    sodium_bin2hex(pk_hex, sizeof pk_hex, pk, sizeof pk);
    rc = sdb_audit_verify(db, &n, NULL, bad_seq, d);
    if (rc && rc != SDB_EAUDIT) return rc;
    int chain_rc = rc;
    long long chain_bad = bad_seq ? *bad_seq : 0;
    check_state s = {pk, pk_hex, 0, 0, NULL, 0, NULL, 0};
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT seq, head, at, public_key, signature FROM audit_checkpoint", &st,
                      d))
        return SDB_ESTORE;
    while (sdb_store_row(st, &rc)) {
        sdb_checkpoint c = {sqlite3_column_int64(st, 0), "", "", "", ""};
        snprintf(c.head, sizeof c.head, "%s", sqlite3_column_text(st, 1));
        snprintf(c.at, sizeof c.at, "%s", sqlite3_column_text(st, 2));
        snprintf(c.public_key, sizeof c.public_key, "%s", sqlite3_column_text(st, 3));
        snprintf(c.signature, sizeof c.signature, "%s", sqlite3_column_text(st, 4));
        check_one(db, &s, &c);
    }
    sqlite3_finalize(st);
    for (int i = 0; i < n_extra; i++)
        check_one(db, &s, &extra[i]);
    if (n_records) *n_records = n;
    if (n_checkpoints) *n_checkpoints = s.checked;
    if (unsigned_tail) *unsigned_tail = n > s.newest ? n - s.newest : 0;
    /* The newest good checkpoint below the failing one vouches for every
     * record up to it; the first record after it is the first untrusted. */
    long long first_bad = 1;
    for (size_t i = 0; i < s.n_good; i++)
        if (s.good[i] < s.why_seq && s.good[i] + 1 > first_bad) first_bad = s.good[i] + 1;
    free(s.good);
    if (!s.why) return chain_rc;
    if (chain_rc && chain_bad < first_bad) return chain_rc; /* the chain's own finding is earlier */
    if (bad_seq) *bad_seq = first_bad;
    sdb_diag_set(d, NULL, 0, NULL, "audit record %lld: %s (checkpoint at record %lld)", first_bad,
                 s.why, s.why_seq);
    return SDB_EAUDIT;
}

int sdb_sign_text(const char *secret_path, const char *text, size_t len, char public_key[65],
                  char signature[129], sdb_diag *d)
{
    unsigned char sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
    int rc = read_hex_file(secret_path, sk, sizeof sk, d);
    if (rc) return rc;
    crypto_sign_detached(sig, NULL, (const unsigned char *)text, len, sk);
    sodium_bin2hex(signature, 129, sig, sizeof sig);
    sodium_bin2hex(public_key, 65, sk + crypto_sign_SEEDBYTES, crypto_sign_PUBLICKEYBYTES);
    sodium_memzero(sk, sizeof sk);
    return SDB_OK;
}

int sdb_sign_check(const char *public_key, const char *text, size_t len, const char *signature)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    size_t n1 = 0, n2 = 0;
    if (sodium_hex2bin(pk, sizeof pk, public_key, strlen(public_key), NULL, &n1, NULL) ||
        n1 != sizeof pk || sodium_hex2bin(sig, sizeof sig, signature, strlen(signature), NULL, &n2, NULL) ||
        n2 != sizeof sig)
        return 0;
    return crypto_sign_verify_detached(sig, (const unsigned char *)text, len, pk) == 0;
}
