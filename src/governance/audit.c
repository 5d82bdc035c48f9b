/* The audit hash chain (SHA-256 from libsodium).
 *
 * hash(record) = SHA-256 of "strdb-audit-v1\n" followed, for each field in
 * the order seq, at, actor, action, purpose, case_ref, params_digest,
 * result_count, outcome, prev_hash, by "<length>:<bytes>\n" (a NULL field is
 * written "-:\n"). Length prefixes make the encoding unambiguous. The first
 * record's prev_hash is 64 zeros. A record with a state string (schema 5,
 * state.c) hashes "strdb-audit-v2\n", the same fields, then the state.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "governance_internal.h"

static const char genesis[SDB_HASH_HEX] =
    "0000000000000000000000000000000000000000000000000000000000000000";

void sdb_sha256_hex(const void *data, size_t len, char out[SDB_HASH_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, SDB_HASH_HEX, h, sizeof h);
}

static void put_field(crypto_hash_sha256_state *s, const char *v)
{
    char len[32];
    if (!v) {
        crypto_hash_sha256_update(s, (const unsigned char *)"-:\n", 3);
        return;
    }
    int n = snprintf(len, sizeof len, "%zu:", strlen(v));
    crypto_hash_sha256_update(s, (const unsigned char *)len, (unsigned long long)n);
    crypto_hash_sha256_update(s, (const unsigned char *)v, strlen(v));
    crypto_hash_sha256_update(s, (const unsigned char *)"\n", 1);
}

static void record_hash(const sdb_audit_record *r, char out[SDB_HASH_HEX])
{
    crypto_hash_sha256_state s;
    unsigned char h[crypto_hash_sha256_BYTES];
    char seq[32], count[32];
    snprintf(seq, sizeof seq, "%lld", r->seq);
    snprintf(count, sizeof count, "%lld", r->result_count);
    crypto_hash_sha256_init(&s);
    crypto_hash_sha256_update(&s, (const unsigned char *)(r->state ? "strdb-audit-v2\n"
                                                                   : "strdb-audit-v1\n"), 15);
    const char *fields[] = {seq,        r->at,       r->actor,         r->action,
                            r->purpose, r->case_ref, r->params_digest, count,
                            r->outcome, r->prev_hash, r->state};
    int n_fields = r->state ? 11 : 10;
    for (int i = 0; i < n_fields; i++)
        put_field(&s, fields[i]);
    crypto_hash_sha256_final(&s, h);
    sodium_bin2hex(out, SDB_HASH_HEX, h, sizeof h);
}

/* Last (seq, hash), or (0, genesis) for an empty chain. */
static int chain_head(sdb_db *db, long long *seq, char hash[SDB_HASH_HEX])
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &st, NULL))
        return SDB_ESTORE;
    int step = sqlite3_step(st);
    *seq = 0;
    memcpy(hash, genesis, SDB_HASH_HEX);
    if (step == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        snprintf(hash, SDB_HASH_HEX, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    return step == SQLITE_ROW || step == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
}

static int insert_record(sdb_db *db, const sdb_audit_record *r)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                          "INSERT INTO audit (seq, at, actor, action, purpose, case_ref,"
                          " params_digest, result_count, outcome, prev_hash, hash, state)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          &st, NULL))
        return SDB_ESTORE;
    sqlite3_bind_int64(st, 1, r->seq);
    const char *text[] = {r->at, r->actor, r->action, r->purpose, r->case_ref, r->params_digest};
    for (int i = 0; i < 6; i++)
        sqlite3_bind_text(st, 2 + i, text[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, r->result_count);
    sqlite3_bind_text(st, 9, r->outcome, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, r->prev_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, r->hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, r->state, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
    sqlite3_finalize(st);
    return rc;
}

int sdb_audit_append(sdb_db *db, const sdb_ctx *ctx, const char *action, const char *params,
                     long result_count, const char *outcome)
{
    if (!ctx || !ctx->actor || !ctx->actor[0]) return SDB_EPERM;
    int own = sqlite3_get_autocommit(db->sql); /* not inside the caller's transaction */
    if (own && sdb_store_exec(db, "BEGIN IMMEDIATE", NULL)) return SDB_ESTORE;
    char at[32], digest[SDB_HASH_HEX], prev[SDB_HASH_HEX], hash[SDB_HASH_HEX];
    long long last;
    char state[SDB_STATE_MAX];
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = chain_head(db, &last, prev);
    if (!rc && (rc = sdb_state_next(db, state, sizeof state, &d)) == SDB_EAUDIT)
        sdb_log(SDB_LOG_ERROR, "%s", d.reason);
    if (!rc) {
        sdb_store_now(at);
        sdb_sha256_hex(params ? params : "", params ? strlen(params) : 0, digest);
        sdb_audit_record r = {last + 1, at,      ctx->actor,   action, ctx->purpose, ctx->case_ref,
                              digest,   outcome, result_count, prev,   hash,   state};
        record_hash(&r, hash);
        rc = insert_record(db, &r);
    }
    if (own) {
        if (!rc) rc = sdb_store_exec(db, "COMMIT", NULL);
        if (rc) sdb_store_exec(db, "ROLLBACK", NULL);
    }
    return rc;
}

int sdb_audit_foreach(sdb_db *db, int (*fn)(void *arg, const sdb_audit_record *r), void *arg)
{
    return sdb_store_audit_each(db, NULL, fn, arg);
}

int sdb_store_audit_each(sdb_db *db, const char *sample_key,
                     int (*fn)(void *arg, const sdb_audit_record *r), void *arg)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                      "SELECT seq, at, actor, action, purpose, case_ref, params_digest,"
                      " result_count, outcome, prev_hash, hash, state FROM audit WHERE ?1 IS NULL OR"
                      " seq IN (SELECT seq FROM audit_touch WHERE sample_key = ?1) ORDER BY seq",
                      &st, NULL))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, sample_key, -1, SQLITE_STATIC);
    int rc = SDB_OK, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
#define TXT(i) ((const char *)sqlite3_column_text(st, i))
        sdb_audit_record r = {
            sqlite3_column_int64(st, 0), TXT(1), TXT(2), TXT(3), TXT(4), TXT(5), TXT(6), TXT(8),
            sqlite3_column_int64(st, 7), TXT(9), TXT(10), TXT(11)};
#undef TXT
        if ((rc = fn(arg, &r))) break;
    }
    if (!rc && step != SQLITE_DONE) rc = SDB_ESTORE;
    sqlite3_finalize(st);
    return rc;
}

typedef struct verify_state {
    long long expect_seq;
    char prev[SDB_HASH_HEX];
    long long bad_seq;
    int seen_state;
    sdb_diag *d;
} verify_state;

static int verify_one(void *arg, const sdb_audit_record *r)
{
    verify_state *v = arg;
    char hash[SDB_HASH_HEX];
    const char *why = NULL;
    if (r->seq != v->expect_seq)
        why = "sequence gap: a record before it was removed";
    else if (!r->prev_hash || strcmp(r->prev_hash, v->prev))
        why = "prev_hash does not match the previous record's hash";
    else if (!r->at || !r->actor || !r->action || !r->params_digest || !r->outcome || !r->hash)
        why = "a required field is NULL";
    else if (v->seen_state && !r->state)
        why = "no state after records with one: the record was written outside strdb";
    else {
        record_hash(r, hash);
        if (strcmp(hash, r->hash)) why = "hash mismatch: the record was altered";
    }
    if (why) {
        v->bad_seq = r->seq;
        sdb_diag_set(v->d, NULL, 0, NULL, "audit record %lld: %s", r->seq, why);
        return SDB_EAUDIT;
    }
    snprintf(v->prev, sizeof v->prev, "%s", r->hash);
    v->expect_seq++;
    v->seen_state |= r->state != NULL;
    return SDB_OK;
}

int sdb_audit_verify(sdb_db *db, long long *n_records, char head[SDB_HASH_HEX], long long *bad_seq,
                     sdb_diag *d)
{
    verify_state v = {1, "", 0, 0, d};
    memcpy(v.prev, genesis, SDB_HASH_HEX);
    int rc = sdb_audit_foreach(db, verify_one, &v);
    if (bad_seq) *bad_seq = v.bad_seq;
    if (rc == SDB_ESTORE) sdb_diag_set(d, db->path, 0, NULL, "%s", sqlite3_errmsg(db->sql));
    if (rc) return rc;
    if (n_records) *n_records = v.expect_seq - 1;
    if (head) memcpy(head, v.prev, SDB_HASH_HEX);
    /* then what the newest record vouches for: the governance tables and every profile; and
     * what each intake record vouches for: its kit or event */
    rc = sdb_state_verify(db, d);
    return rc ? rc : sdb_intake_verify(db, d);
}
