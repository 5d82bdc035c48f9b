/* What the audit chain vouches for besides its own records: the governance
 * tables and the stored profiles (docs/store.md, "State digests").
 *
 * Each audit record (schema 5) carries a state string
 *
 *   app_user=H policy=H purpose=H legal_basis=H db_index=H meta=H profiles=P n=N
 *
 * H: BLAKE2b-128 of the table's rows in key order (meta without its two
 * bookkeeping keys), P: BLAKE2b-256 of the profile accumulator, N: the
 * number of stored profiles. The record's hash covers the string, so a
 * table edited outside strdb no longer matches the newest record, and
 * rewriting the record breaks the chain (or, for a rewritten tail, the
 * signed checkpoints).
 *
 * The profile accumulator is a multiset hash: the lane-wise sum (mod 2^64,
 * 32 lanes, 2048 bits) of one value per profile row, the ChaCha20 key
 * stream under the BLAKE2b-256 of the row's columns. A sum changes in O(1)
 * per inserted or deleted row, so each read-write connection keeps a delta
 * that the next audit record folds in: an import adds the lanes of the rows
 * it inserts (computed beside the insert, src/store/stage.c), temporary
 * triggers add those of updated and deleted rows (sdb_acc), a rollback
 * drops it, and a commit with a delta no audit record took is refused.
 * Verification recomputes the sum over every row.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "governance_internal.h"

/* The keys of meta that change without an audit record of their own. */
#define META_BOOKKEEPING "'scrub_pending', 'profile_acc'"

/* The governance tables, each as one ordered query. */
static const char *const gov_tables[][2] = {
    {"app_user", "SELECT * FROM app_user ORDER BY name"},
    {"policy", "SELECT * FROM policy ORDER BY purpose, operation, index_name"},
    {"purpose", "SELECT * FROM purpose ORDER BY code"},
    {"legal_basis", "SELECT * FROM legal_basis ORDER BY code"},
    {"db_index", "SELECT * FROM db_index ORDER BY name"},
    {"meta", "SELECT * FROM meta WHERE key NOT IN (" META_BOOKKEEPING ") ORDER BY key"},
};
#define N_GOV ((int)(sizeof gov_tables / sizeof *gov_tables))
#define GOV_BYTES 16

/* Where a row's encoding goes: a buffer hashed in one call, or once it
 * outgrows the buffer, BLAKE2b fed piece by piece (the same bytes). */
typedef struct sink {
    unsigned char buf[1024];
    size_t k, outlen;
    int streaming;
    crypto_generichash_state h;
} sink;

static void sink_put(sink *s, const void *p, size_t n)
{
    if (!s->streaming && s->k + n > sizeof s->buf) {
        crypto_generichash_init(&s->h, NULL, 0, s->outlen);
        crypto_generichash_update(&s->h, s->buf, s->k);
        s->streaming = 1;
    }
    if (s->streaming) {
        crypto_generichash_update(&s->h, p, n);
    } else {
        memcpy(s->buf + s->k, p, n);
        s->k += n;
    }
}

static void sink_final(sink *s, unsigned char *out)
{
    if (s->streaming)
        crypto_generichash_final(&s->h, out, s->outlen);
    else
        crypto_generichash(out, s->outlen, s->buf, s->k, NULL, 0);
}

/* One value, typed and length-prefixed, so that no two rows encode alike:
 * the type byte, then an integer as its zigzag varint, text and blobs as
 * their varint length (7 bits a byte, low first) and bytes. Compact, so
 * that a typical row is two BLAKE2b blocks. */
static void put_cell(sink *s, const sdb_cell *c)
{
    unsigned char head[16];
    size_t k = 0;
    head[k++] = (unsigned char)c->type;
    uint64_t v = c->type == SQLITE_INTEGER ? ((uint64_t)c->i << 1) ^ (uint64_t)(c->i >> 63)
                                           : c->type == SQLITE_NULL ? 0 : c->n;
    if (c->type != SQLITE_NULL) do {
            head[k++] = (unsigned char)((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
            v >>= 7;
        } while (v);
    sink_put(s, head, k);
    if ((c->type == SQLITE_TEXT || c->type == SQLITE_BLOB) && c->n) sink_put(s, c->p, c->n);
}

/* A value of the store as a cell (a real, which no profile column holds,
 * as its text). */
static sdb_cell cell_of(sqlite3_value *v)
{
    sdb_cell c = {sqlite3_value_type(v), 0, NULL, 0};
    if (c.type == SQLITE_INTEGER) {
        c.i = sqlite3_value_int64(v);
    } else if (c.type == SQLITE_BLOB) {
        c.p = sqlite3_value_blob(v);
        c.n = (size_t)sqlite3_value_bytes(v);
    } else if (c.type != SQLITE_NULL) {
        c.type = SQLITE_TEXT;
        c.p = sqlite3_value_text(v);
        c.n = (size_t)sqlite3_value_bytes(v);
    }
    return c;
}

/* The lanes of one row: ChaCha20 key stream under the hash of its values. */
void sdb_state_lanes(const sdb_cell *cells, uint64_t lanes[SDB_ACC_LANES])
{
    unsigned char key[crypto_stream_chacha20_KEYBYTES];
    static const unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
    sink s;
    s.k = 0;
    s.outlen = sizeof key;
    s.streaming = 0;
    sink_put(&s, "strdb-profile-v1\n", 17);
    for (int i = 0; i < SDB_STATE_NCOLS; i++)
        put_cell(&s, &cells[i]);
    sink_final(&s, key);
    unsigned char stream[SDB_ACC_LANES * 8];
    crypto_stream_chacha20(stream, sizeof stream, nonce, key);
    for (int i = 0; i < SDB_ACC_LANES; i++) {
        const unsigned char *b = stream + 8 * i; /* little-endian, one load where it can be */
        lanes[i] = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
                   (uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 |
                   (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
    }
}

static void values_lanes(sqlite3_value **v, uint64_t lanes[SDB_ACC_LANES])
{
    sdb_cell cells[SDB_STATE_NCOLS];
    for (int i = 0; i < SDB_STATE_NCOLS; i++)
        cells[i] = cell_of(v[i]);
    sdb_state_lanes(cells, lanes);
}

void sdb_state_fold(sdb_db *db, const uint64_t lanes[SDB_ACC_LANES])
{
    for (int i = 0; i < SDB_ACC_LANES; i++)
        db->acc_delta[i] += lanes[i];
    db->acc_rows++;
}

/* sdb_acc(sign, columns...): the triggers' call; adds or removes one row. */
static void acc_fn(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    sdb_db *db = sqlite3_user_data(c);
    uint64_t lanes[SDB_ACC_LANES];
    values_lanes(argv + 1, lanes);
    int add = sqlite3_value_int(argv[0]) > 0;
    for (int i = 0; i < SDB_ACC_LANES; i++)
        db->acc_delta[i] += add ? lanes[i] : (uint64_t)0 - lanes[i];
    db->acc_rows += add ? 1 : -1;
    sqlite3_result_null(c);
}

/* sdb_acc_sum(columns...): the accumulator of the rows it aggregates. */
static void sum_step(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    uint64_t *acc = sqlite3_aggregate_context(c, SDB_ACC_LANES * 8);
    if (!acc) {
        sqlite3_result_error_nomem(c);
        return;
    }
    uint64_t lanes[SDB_ACC_LANES];
    values_lanes(argv, lanes);
    for (int i = 0; i < SDB_ACC_LANES; i++)
        acc[i] += lanes[i];
}

static void sum_final(sqlite3_context *c)
{
    uint64_t *acc = sqlite3_aggregate_context(c, SDB_ACC_LANES * 8);
    if (!acc) {
        sqlite3_result_error_nomem(c);
        return;
    }
    sqlite3_result_blob(c, acc, SDB_ACC_LANES * 8, SQLITE_TRANSIENT);
}

/* sdb_gov_changed(): the governance triggers' call. */
static void changed_fn(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    sdb_db *db = sqlite3_user_data(c);
    db->gov_dirty = 1;
    sqlite3_result_null(c);
}

static void drop_delta(void *arg)
{
    sdb_db *db = arg;
    memset(db->acc_delta, 0, sizeof db->acc_delta);
    db->acc_rows = 0;
    db->gov_dirty = 0;
}

/* The commit hook: a change of profile rows that no audit record folded in
 * turns the commit into a rollback (every change of profiles is audited). */
static int unaudited_change(void *arg)
{
    const sdb_db *db = arg;
    uint64_t any = (uint64_t)db->acc_rows;
    for (int i = 0; i < SDB_ACC_LANES; i++)
        any |= db->acc_delta[i];
    if (any) sdb_log(SDB_LOG_ERROR, "%s: a change of profiles without an audit record is "
                     "rolled back", db->path);
    return any != 0;
}

/* The state columns with a prefix ("NEW.", "OLD." or ""), comma-separated. */
static void col_list(char *out, size_t size, const char *prefix)
{
    size_t k = 0;
    const char *p = SDB_STATE_COLS;
    out[0] = '\0';
    while (*p && k < size) {
        size_t n = strcspn(p, ",");
        k += (size_t)snprintf(out + k, size - k, "%s%s%.*s", k ? ", " : "", prefix, (int)n, p);
        p += n;
        while (*p == ',' || *p == ' ')
            p++;
    }
}

int sdb_state_connect(sdb_db *db, int triggers, sdb_diag *d)
{
    drop_delta(db);
    if (sqlite3_create_function(db->sql, "sdb_acc", SDB_STATE_NCOLS + 1, SQLITE_UTF8, db, acc_fn, NULL,
                                NULL) != SQLITE_OK ||
        sqlite3_create_function(db->sql, "sdb_acc_sum", SDB_STATE_NCOLS, SQLITE_UTF8, NULL, NULL,
                                sum_step, sum_final) != SQLITE_OK ||
        sqlite3_create_function(db->sql, "sdb_gov_changed", 0, SQLITE_UTF8, db, changed_fn,
                                NULL, NULL) != SQLITE_OK) {
        sdb_diag_set(d, db->path, 0, NULL, "cannot register functions: %s",
                     sqlite3_errmsg(db->sql));
        return SDB_ESTORE;
    }
    sqlite3_rollback_hook(db->sql, drop_delta, db);
    sqlite3_commit_hook(db->sql, unaudited_change, db);
    if (!triggers) return SDB_OK;
    char newc[512], oldc[512], sql[2048];
    col_list(newc, sizeof newc, "NEW.");
    col_list(oldc, sizeof oldc, "OLD.");
    snprintf(sql, sizeof sql,
             "CREATE TEMP TRIGGER IF NOT EXISTS sdb_acc_delete AFTER DELETE ON main.profile"
             " BEGIN SELECT sdb_acc(-1, %s); END;"
             "CREATE TEMP TRIGGER IF NOT EXISTS sdb_acc_update AFTER UPDATE ON main.profile"
             " BEGIN SELECT sdb_acc(-1, %s); SELECT sdb_acc(1, %s); END;",
             oldc, oldc, newc);
    int rc = sdb_store_exec(db, sql, d);
    for (int t = 0; !rc && t < N_GOV; t++) {
        static const char *const ops[] = {"INSERT", "UPDATE", "DELETE"};
        int meta = !strcmp(gov_tables[t][0], "meta");
        for (int k = 0; !rc && k < 3; k++) {
            snprintf(sql, sizeof sql,
                     "CREATE TEMP TRIGGER IF NOT EXISTS sdb_gov_%s_%d AFTER %s ON main.%s%s"
                     " BEGIN SELECT sdb_gov_changed(); END;",
                     gov_tables[t][0], k, ops[k], gov_tables[t][0],
                     !meta ? ""
                     : k == 2 ? " WHEN OLD.key NOT IN (" META_BOOKKEEPING ")"
                              : " WHEN NEW.key NOT IN (" META_BOOKKEEPING ")");
            rc = sdb_store_exec(db, sql, d);
        }
    }
    return rc;
}

/* The accumulator of every stored profile and their number. */
static int full_sum(sdb_db *db, uint64_t acc[SDB_ACC_LANES], long long *n)
{
    char cols[512], sql[1024];
    col_list(cols, sizeof cols, "");
    snprintf(sql, sizeof sql, "SELECT sdb_acc_sum(%s), count(*) FROM profile", cols);
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, sql, &st, NULL)) return SDB_ESTORE;
    int rc = sqlite3_step(st) == SQLITE_ROW ? SDB_OK : SDB_ESTORE;
    memset(acc, 0, SDB_ACC_LANES * 8);
    if (!rc && sqlite3_column_bytes(st, 0) == SDB_ACC_LANES * 8)
        memcpy(acc, sqlite3_column_blob(st, 0), SDB_ACC_LANES * 8);
    if (!rc) *n = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    return rc;
}

static void acc_hex(const uint64_t acc[SDB_ACC_LANES], char out[SDB_HASH_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)acc, SDB_ACC_LANES * 8, NULL, 0);
    sodium_bin2hex(out, SDB_HASH_HEX, h, sizeof h);
}

/* The digest of one governance table, in hex. */
static int table_digest(sdb_db *db, int t, char out[2 * GOV_BYTES + 1])
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, gov_tables[t][1], &st, NULL)) return SDB_ESTORE;
    sink s;
    s.k = 0;
    s.outlen = GOV_BYTES;
    s.streaming = 0;
    sink_put(&s, gov_tables[t][0], strlen(gov_tables[t][0]));
    int rc = SDB_OK, cols = sqlite3_column_count(st);
    while (sdb_store_row(st, &rc)) {
        sink_put(&s, "\n", 1);
        for (int i = 0; i < cols; i++) {
            sdb_cell c = cell_of(sqlite3_column_value(st, i));
            put_cell(&s, &c);
        }
    }
    sqlite3_finalize(st);
    unsigned char bin[GOV_BYTES];
    sink_final(&s, bin);
    sodium_bin2hex(out, 2 * GOV_BYTES + 1, bin, sizeof bin);
    return rc;
}

/* The value of key in a state string ("k=v k=v ..."), copied to out. */
static int state_get(const char *state, const char *key, char *out, size_t size)
{
    size_t kl = strlen(key);
    for (const char *p = state; p && *p;) {
        if (!strncmp(p, key, kl) && p[kl] == '=') {
            size_t n = strcspn(p + kl + 1, " ");
            if (n >= size) return 0;
            memcpy(out, p + kl + 1, n);
            out[n] = '\0';
            return 1;
        }
        p = strchr(p, ' ');
        if (p) p++;
    }
    return 0;
}

/* The newest record's seq and state (state "" when it has none). */
static int head_state(sdb_db *db, long long *seq, char *state, size_t size)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT seq, state FROM audit ORDER BY seq DESC LIMIT 1", &st,
                          NULL))
        return SDB_ESTORE;
    int step = sqlite3_step(st);
    *seq = 0;
    state[0] = '\0';
    if (step == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        const char *v = (const char *)sqlite3_column_text(st, 1);
        snprintf(state, size, "%s", v ? v : "");
    }
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE) return SDB_ESTORE;
    if (state[0] || step == SQLITE_DONE) return SDB_OK;
    /* a newest record without a state is a chain from before schema 5, or forged */
    if (sdb_store_prepare(db, "SELECT 1 FROM audit WHERE state IS NOT NULL LIMIT 1", &st, NULL))
        return SDB_ESTORE;
    step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step == SQLITE_ROW) return SDB_EAUDIT;
    return step == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
}

static int forged_head(sdb_db *db, long long seq, sdb_diag *d)
{
    sdb_diag_set(d, db->path, 0, NULL,
                 "audit record %lld carries no state after records that do: it was written "
                 "outside strdb (see 'strdb audit verify')", seq);
    return SDB_EAUDIT;
}

/* The governance tables against the state: SDB_OK or SDB_EAUDIT naming the
 * first table that differs. */
static int check_tables(sdb_db *db, long long seq, const char *state, sdb_diag *d)
{
    for (int t = 0; t < N_GOV; t++) {
        char now[2 * GOV_BYTES + 1], then[2 * GOV_BYTES + 1];
        int rc = table_digest(db, t, now);
        if (rc) return rc;
        if (!state_get(state, gov_tables[t][0], then, sizeof then) || strcmp(now, then)) {
            sdb_diag_set(d, db->path, 0, NULL,
                         "table %s was changed outside strdb after audit record %lld: the "
                         "database cannot be trusted (restore it, and see 'strdb audit verify')",
                         gov_tables[t][0], seq);
            return SDB_EAUDIT;
        }
    }
    return SDB_OK;
}

int sdb_state_check(sdb_db *db, sdb_diag *d)
{
    char state[SDB_STATE_MAX];
    long long seq;
    int rc = head_state(db, &seq, state, sizeof state);
    if (rc == SDB_EAUDIT) return forged_head(db, seq, d);
    if (rc || !state[0]) return rc; /* a chain from before schema 5 vouches for no state */
    return check_tables(db, seq, state, d);
}

static int acc_cached(sdb_db *db, uint64_t acc[SDB_ACC_LANES])
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT value FROM meta WHERE key = 'profile_acc'", &st, NULL))
        return SDB_ESTORE;
    int rc = SDB_ENOTFOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *hex = (const char *)sqlite3_column_text(st, 0);
        unsigned char bin[SDB_ACC_LANES * 8];
        size_t n = 0;
        if (hex && !sodium_hex2bin(bin, sizeof bin, hex, strlen(hex), NULL, &n, NULL) &&
            n == sizeof bin) {
            memcpy(acc, bin, sizeof bin);
            rc = SDB_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int sdb_state_next(sdb_db *db, char *out, size_t size, sdb_diag *d)
{
    char state[SDB_STATE_MAX], want[SDB_HASH_HEX], have[SDB_HASH_HEX], n_text[32];
    long long seq, n = 0;
    uint64_t acc[SDB_ACC_LANES];
    int rc = head_state(db, &seq, state, sizeof state);
    if (rc == SDB_EAUDIT) return forged_head(db, seq, d);
    if (rc) return rc;
    int vouched = state[0] && state_get(state, "profiles", want, sizeof want) &&
                  state_get(state, "n", n_text, sizeof n_text);
    if (vouched && acc_cached(db, acc) == SDB_OK) {
        acc_hex(acc, have); /* the cache must be what the newest record vouches for */
    } else if (vouched) { /* no cache: the rows as they were before this operation */
        long long now;
        if ((rc = full_sum(db, acc, &now))) return rc;
        for (int i = 0; i < SDB_ACC_LANES; i++)
            acc[i] -= db->acc_delta[i];
        acc_hex(acc, have);
    }
    if (vouched && strcmp(have, want)) {
        sdb_diag_set(d, db->path, 0, NULL,
                     "the stored profiles or their digest were changed outside strdb after "
                     "audit record %lld (see 'strdb audit verify')", seq);
        return SDB_EAUDIT;
    }
    /* tables this connection did not change must be as the newest record has them */
    if (state[0] && !db->gov_dirty && (rc = check_tables(db, seq, state, d))) return rc;
    if (vouched) {
        for (int i = 0; i < SDB_ACC_LANES; i++)
            acc[i] += db->acc_delta[i];
        n = strtoll(n_text, NULL, 10) + db->acc_rows;
    } else if ((rc = full_sum(db, acc, &n))) { /* the first record since schema 5 */
        return rc;
    }
    drop_delta(db);
    char hex[SDB_ACC_LANES * 16 + 1];
    sodium_bin2hex(hex, sizeof hex, (const unsigned char *)acc, SDB_ACC_LANES * 8);
    const char *arg[] = {hex};
    if ((rc = sdb_gov_run(db, "INSERT OR REPLACE INTO meta VALUES ('profile_acc', ?1)", arg, 1,
                          NULL)))
        return rc;
    size_t k = 0;
    out[0] = '\0';
    for (int t = 0; t < N_GOV; t++) {
        char dig[2 * GOV_BYTES + 1];
        if ((rc = table_digest(db, t, dig))) return rc;
        k += (size_t)snprintf(out + k, k < size ? size - k : 0, "%s=%s ", gov_tables[t][0], dig);
    }
    acc_hex(acc, have);
    k += (size_t)snprintf(out + k, k < size ? size - k : 0, "profiles=%s n=%lld", have, n);
    return k < size ? SDB_OK : SDB_ENOMEM;
}

int sdb_state_verify(sdb_db *db, sdb_diag *d)
{
    char state[SDB_STATE_MAX], want[SDB_HASH_HEX], have[SDB_HASH_HEX], n_text[32] = "?";
    long long seq, n;
    int rc = head_state(db, &seq, state, sizeof state);
    if (rc == SDB_EAUDIT) return forged_head(db, seq, d);
    if (rc || !state[0]) return rc;
    if ((rc = check_tables(db, seq, state, d))) return rc;
    uint64_t acc[SDB_ACC_LANES];
    if ((rc = full_sum(db, acc, &n))) return rc;
    acc_hex(acc, have);
    if (!state_get(state, "profiles", want, sizeof want) ||
        !state_get(state, "n", n_text, sizeof n_text) || strcmp(have, want) ||
        n != strtoll(n_text, NULL, 10)) {
        sdb_diag_set(d, db->path, 0, NULL,
                     "the stored profiles were changed outside strdb after audit record %lld "
                     "(%lld stored, %s recorded; an edited, added or removed row)",
                     seq, n, n_text);
        return SDB_EAUDIT;
    }
    return SDB_OK;
}
