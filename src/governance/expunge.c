/* Expungement with proof: the profile's row and bytes leave the database
 * file, its WAL and the index snapshots; the audit keeps a keyed hash.
 *
 * Why each step: secure_delete (set on every connection, src/store/store.c)
 * makes SQLite overwrite the deleted cells and freed pages with zeros
 * instead of leaving them on the free list; the pages that held the row
 * were also written to the WAL before the checkpoint copied them home, so
 * the WAL is checkpointed and truncated to zero bytes; snapshots are plain
 * files of genotype columns, so they are removed (the next search rebuilds
 * them from the store).
 */
#include <glob.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "governance_internal.h"

/* The secret lives in meta 'sample_key_secret', created on first use
 * (inside the caller's transaction). */
int sdb_gov_secret(sdb_db *db, unsigned char key[crypto_generichash_KEYBYTES])
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT value FROM meta WHERE key = 'sample_key_secret'", &st, NULL))
        return SDB_ESTORE;
    int rc = SDB_ENOTFOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *hex = (const char *)sqlite3_column_text(st, 0);
        size_t n = 0;
        rc = hex && !sodium_hex2bin(key, crypto_generichash_KEYBYTES, hex, strlen(hex), NULL, &n,
                                    NULL) && n == crypto_generichash_KEYBYTES
                 ? SDB_OK
                 : SDB_ESTORE;
    }
    sqlite3_finalize(st);
    if (rc != SDB_ENOTFOUND) return rc;
    if (db->readonly) return SDB_EPERM;
    char hex[2 * crypto_generichash_KEYBYTES + 1];
    randombytes_buf(key, crypto_generichash_KEYBYTES);
    sodium_bin2hex(hex, sizeof hex, key, crypto_generichash_KEYBYTES);
    if (sdb_store_prepare(db, "INSERT INTO meta VALUES ('sample_key_secret', ?)", &st, NULL))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
    sqlite3_finalize(st);
    sodium_memzero(hex, sizeof hex);
    return rc;
}

void sdb_gov_keyed_hex(const unsigned char key[crypto_generichash_KEYBYTES], const char *text,
                   char out[SDB_HASH_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)text, strlen(text), key,
                       crypto_generichash_KEYBYTES);
    sodium_bin2hex(out, SDB_HASH_HEX, h, sizeof h);
}

int sdb_sample_key(sdb_db *db, const char *sample_id, char out[SDB_HASH_HEX])
{
    unsigned char key[crypto_generichash_KEYBYTES];
    int rc = sdb_gov_secret(db, key);
    if (!rc) sdb_gov_keyed_hex(key, sample_id, out);
    sodium_memzero(key, sizeof key);
    return rc;
}

int sdb_db_truncate_wal(sdb_db *db, sdb_diag *d)
{
    int log = -1, done = -1;
    int rc = sqlite3_wal_checkpoint_v2(db->sql, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
    if (rc == SQLITE_BUSY || (rc == SQLITE_OK && log != 0)) {
        sdb_diag_set(d, db->path, 0, NULL,
                     "another connection is open: the WAL could not be truncated (run "
                     "'strdb expunge --finish' when it has closed)");
        return SDB_EBUSY;
    }
    if (rc != SQLITE_OK) {
        sdb_diag_set(d, db->path, 0, NULL, "WAL checkpoint: %s", sqlite3_errmsg(db->sql));
        return SDB_ESTORE;
    }
    return SDB_OK;
}

/* Removes DB.index-* (the snapshots cmd_search writes beside the database). */
static int remove_snapshots(const sdb_db *db, sdb_diag *d)
{
    char pattern[1100];
    glob_t g;
    snprintf(pattern, sizeof pattern, "%s.index-*", db->path);
    if (glob(pattern, GLOB_NOSORT, NULL, &g)) return SDB_OK; /* none */
    int rc = SDB_OK;
    for (size_t i = 0; i < g.gl_pathc; i++)
        if (unlink(g.gl_pathv[i]) && rc == SDB_OK) {
            sdb_diag_set(d, g.gl_pathv[i], 0, NULL, "cannot remove the index snapshot");
            rc = SDB_EIO;
        }
    globfree(&g);
    return rc;
}

int sdb_gov_run(sdb_db *db, const char *sql, const char *const *args, int n, int *changes)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, sql, &st, NULL)) return SDB_ESTORE;
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
    if (changes) *changes = sqlite3_changes(db->sql);
    sqlite3_finalize(st);
    return rc;
}

static int find_profile(sdb_db *db, const char *sample_id, char *index, size_t size)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT index_name FROM profile WHERE sample_id = ?", &st, NULL))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, sample_id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) snprintf(index, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return step == SQLITE_ROW ? SDB_OK : step == SQLITE_DONE ? SDB_ENOTFOUND : SDB_ESTORE;
}

static int record(sdb_db *db, const sdb_ctx *ctx, const char *key, const char *index,
                  const char *reason, const char *authorization)
{
    char params[2048], at[32];
    snprintf(params, sizeof params, "sample_key=%s;index=%s;reason=%s;authorization=%s", key,
             index, reason, authorization ? authorization : "");
    int rc = sdb_audit_append(db, ctx, "expunge", params, 1, "ok");
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                      "INSERT INTO expunction(at, actor, sample_key, index_name, reason,"
                      " authorization, audit_seq) VALUES (?, ?, ?, ?, ?, ?,"
                      " (SELECT max(seq) FROM audit))",
                      &st, NULL))
        return SDB_ESTORE;
    sdb_store_now(at);
    const char *v[] = {at, ctx->actor, key, index, reason, authorization};
    for (int i = 0; i < 6; i++)
        sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
    sqlite3_finalize(st);
    return rc;
}

/* IMPORTANT: the one list of every column that holds a sample id, a profile
 * row id or a person id, each with the statement an expunction clears it by,
 * in the order they run (foreign keys first). ?1 is the sample id, ?2 its
 * keyed hash. test_governance reads the schema and fails when a table holds
 * such a column that no step names. */
static const struct id_step {
    const char *clears; /* "table.column ..." ("" for a step that only prepares) */
    const char *sql;
    int binds;
} id_steps[] = {
    /* the persons linked to the profile, for the clean-up below */
    {"", "CREATE TEMP TABLE IF NOT EXISTS expunge_person(id INTEGER)", 0},
    {"", "DELETE FROM expunge_person", 0},
    {"", "INSERT INTO expunge_person SELECT person_id FROM person_profile"
         " WHERE profile_id = (SELECT id FROM profile WHERE sample_id = ?1)", 1},
    {"person_profile.profile_id person_profile.person_id",
     "DELETE FROM person_profile WHERE profile_id = (SELECT id FROM profile WHERE sample_id = ?1)",
     1},
    /* a family member left with no profile, no parents and no children leaves the family;
     * one who stays keeps his place in the family's pedigree, untyped */
    {"mp_member.person_id",
     "DELETE FROM mp_member WHERE person_id IN (SELECT p.id FROM expunge_person e JOIN person p"
     " ON p.id = e.id WHERE p.father IS NULL AND p.mother IS NULL AND NOT EXISTS (SELECT 1 FROM"
     " person_profile pp WHERE pp.person_id = p.id) AND NOT EXISTS (SELECT 1 FROM person c"
     " WHERE c.father = p.id OR c.mother = p.id))", 0},
    /* a person left with no profile, no parents and no children holds nothing else and goes */
    {"person.id person.father person.mother",
     "DELETE FROM person WHERE id IN (SELECT id FROM expunge_person) AND father IS NULL"
     " AND mother IS NULL AND NOT EXISTS (SELECT 1 FROM person_profile pp"
     " WHERE pp.person_id = person.id) AND NOT EXISTS (SELECT 1 FROM person c"
     " WHERE c.father = person.id OR c.mother = person.id)", 0},
    /* one who stays in a pedigree keeps his place, not the sample id as his name (the
     * simulator and pedigree files without a sample_id column name persons so) */
    {"person.ext_id", "UPDATE person SET ext_id = 'expunged-' || substr(?2, 1, 16) WHERE ext_id = ?1",
     2},
    /* lineage membership: the lineage shrinks; one left empty goes (its modal haplotype
     * would be this one) */
    {"", "UPDATE lineage SET size = size - 1 WHERE id = (SELECT lineage_id FROM lineage_member"
         " WHERE profile_id = (SELECT id FROM profile WHERE sample_id = ?1))", 1},
    {"lineage_member.profile_id",
     "DELETE FROM lineage_member WHERE profile_id = (SELECT id FROM profile WHERE sample_id = ?1)",
     1},
    {"", "DELETE FROM lineage WHERE size <= 0", 0},
    /* a search whose query was this profile's genotype keeps its record, not the query */
    {"search_query.query",
     "DELETE FROM search_query WHERE query = (SELECT genotype FROM profile WHERE sample_id = ?1)", 1},
    {"profile.id profile.sample_id", "DELETE FROM profile WHERE sample_id = ?1", 1},
    /* rejects quote the sample id in their reason; instr, not LIKE: ids may hold '%' or '_' */
    {"import_reject.reason", "DELETE FROM import_reject WHERE instr(reason, ?1) > 0", 1},
    {"consent.sample_id", "DELETE FROM consent WHERE sample_id = ?1", 1},
    /* the chain of custody stays (the sample's destruction is evidence), under the keyed
     * hash instead of the accession number */
    {"intake_sample.sample_id",
     "UPDATE intake_sample SET sample_id = 'expunged-' || substr(?2, 1, 16) WHERE sample_id = ?1",
     2},
};

const char *sdb_gov_id_columns(size_t i)
{
    return i < sizeof id_steps / sizeof *id_steps ? id_steps[i].clears : NULL;
}

int sdb_gov_expunge_rows(sdb_db *db, const sdb_ctx *ctx, const char *sample_id, const char *reason,
                     const char *authorization, sdb_diag *d)
{
    if (!ctx || !ctx->actor || !ctx->purpose || strcmp(ctx->purpose, "administration")) {
        sdb_diag_set(d, NULL, 0, "--purpose", "expungement needs purpose 'administration'");
        return SDB_EPERM;
    }
    if (!reason || !reason[0]) {
        sdb_diag_set(d, NULL, 0, "--reason", "expungement needs a reason");
        return SDB_EPERM;
    }
    if (db->readonly) return SDB_EPERM;
    /* inside a caller's transaction (a retention run: all or nothing) it takes part in that */
    int own = sqlite3_get_autocommit(db->sql);
    if (own && sdb_store_exec(db, "BEGIN IMMEDIATE", d)) return SDB_ESTORE;
    char index[128], key[SDB_HASH_HEX];
    int rc = find_profile(db, sample_id, index, sizeof index);
    if (rc == SDB_ENOTFOUND) sdb_diag_set(d, NULL, 0, "sample id", "no profile '%s'", sample_id);
    if (!rc) rc = sdb_sample_key(db, sample_id, key);
    for (size_t i = 0; !rc && i < sizeof id_steps / sizeof *id_steps; i++) {
        const char *args[] = {sample_id, key};
        rc = sdb_gov_run(db, id_steps[i].sql, args, id_steps[i].binds, NULL);
    }
    if (!rc) rc = record(db, ctx, key, index, reason, authorization);
    /* recovery: until the scrub has run, the next read-write open runs it */
    if (!rc) rc = sdb_gov_run(db, "INSERT OR REPLACE INTO meta VALUES ('scrub_pending', '1')", NULL, 0, NULL);
    return own ? sdb_store_finish(db, rc, d) : rc;
}

int sdb_gov_scrub(sdb_db *db, sdb_diag *d)
{
    /* the WAL is emptied into the file first: only then is the mark taken away */
    int rc = remove_snapshots(db, d);
    if (!rc) rc = sdb_db_truncate_wal(db, d);
    if (!rc) rc = sdb_gov_run(db, "DELETE FROM meta WHERE key = 'scrub_pending'", NULL, 0, NULL);
    return rc ? rc : sdb_db_truncate_wal(db, d);
}

int sdb_expunge(sdb_db *db, const sdb_ctx *ctx, const char *sample_id, const char *reason,
                const char *authorization, sdb_diag *d)
{
    int rc = sdb_gov_expunge_rows(db, ctx, sample_id, reason, authorization, d);
    return rc ? rc : sdb_gov_scrub(db, d);
}
