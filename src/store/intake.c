/* Sample intake (docs/intake.md): collection kits, the accession numbers
 * strdb issues for them, and each sample's chain of custody, one event at a
 * time in the order a sample lives: collected, received, extracted, typed,
 * stored (its profile imported), destroyed. An event out of that order, or
 * earlier in time than the one before it, is refused with the reason.
 * These functions run inside the caller's transaction; the governance
 * layer (governance/intake.c) checks the role and writes the audit record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_internal.h"

/* IMPORTANT: docs/intake.md prints this order. A sample's state is the name
 * of its last event ("issued" before the first). */
static const char *const steps[] = {"issued", "collected", "received", "extracted",
                                    "typed",  "stored",    "destroyed"};
enum { ISSUED, COLLECTED, RECEIVED, EXTRACTED, TYPED, STORED, DESTROYED, NSTEPS };

static int step_of(const char *name)
{
    for (int i = 0; i < NSTEPS; i++)
        if (name && !strcmp(steps[i], name)) return i;
    return -1;
}

const char *sdb_intake_event_name(int i)
{
    return i >= COLLECTED && i < NSTEPS ? steps[i] : NULL;
}

static void now_utc(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z] (UTC) as YYYY-MM-DDTHH:MM:SSZ; not in the future. */
static int event_time(const char *at, char out[32], sdb_diag *d)
{
    char now[32];
    now_utc(now);
    if (!at) {
        snprintf(out, 32, "%s", now);
        return SDB_OK;
    }
    struct tm tm = {0};
    const char *end = strptime(at, "%Y-%m-%d", &tm);
    if (end && *end == 'T') {
        const char *e2 = strptime(end + 1, "%H:%M:%S", &tm);
        end = e2 ? e2 : strptime(end + 1, "%H:%M", &tm);
    }
    if (end && *end == 'Z') end++;
    if (!end || *end || strlen(at) < 10 || at[4] != '-' || at[7] != '-') {
        sdb_diag_set(d, NULL, 0, "--at",
                     "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC), got '%s'", at);
        return SDB_EINVAL;
    }
    /* strptime accepts 2026-02-31; timegm normalises it, which we refuse */
    struct tm check = tm;
    time_t t = timegm(&check);
    if (check.tm_mday != tm.tm_mday || check.tm_mon != tm.tm_mon) {
        sdb_diag_set(d, NULL, 0, "--at", "no such date '%s'", at);
        return SDB_EINVAL;
    }
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (strcmp(out, now) > 0) {
        sdb_diag_set(d, NULL, 0, "--at", "%s is in the future (now %s)", out, now);
        return SDB_EINVAL;
    }
    return SDB_OK;
}

/* The check character of an accession number: Luhn over its digits. */
static char luhn(const char *s)
{
    int sum = 0, dbl = 1;
    for (long i = (long)strlen(s) - 1; i >= 0; i--) {
        if (s[i] < '0' || s[i] > '9') continue;
        int v = s[i] - '0';
        if (dbl && (v *= 2) > 9) v -= 9;
        sum += v;
        dbl = !dbl;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

/* Prefix, two-digit year of issue (from the kit's registration time),
 * serial, Luhn check digit: no personal or genetic content. */
static void accession(const char *prefix, const char *registered_at, long long serial, char out[64])
{
    char body[48];
    snprintf(body, sizeof body, "%.8s%.2s-%07lld", prefix, registered_at + 2, serial);
    snprintf(out, 64, "%s-%c", body, luhn(body));
}

int sdb_intake_accession_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 3 || n >= 64 || s[n - 2] != '-') return 0;
    char body[64];
    memcpy(body, s, n - 2);
    body[n - 2] = '\0';
    return luhn(body) == s[n - 1];
}

void sdb_intake_not_issued(const char *accession, sdb_diag *d)
{
    sdb_diag_set(d, NULL, 0, "accession", "no accession number '%s' was issued here%s", accession,
                 sdb_intake_accession_valid(accession)
                     ? ""
                     : " (its check digit does not match: mistyped?)");
}

static int text_ok(const char *v, const char *field, size_t max, sdb_diag *d)
{
    if (!v || !v[0]) {
        sdb_diag_set(d, NULL, 0, field, "required");
        return SDB_EINVAL;
    }
    if (strlen(v) > max) {
        sdb_diag_set(d, NULL, 0, field, "longer than %zu characters", max);
        return SDB_EINVAL;
    }
    for (const char *c = v; *c; c++)
        if ((unsigned char)*c < 0x20) {
            sdb_diag_set(d, NULL, 0, field, "holds a control character");
            return SDB_EINVAL;
        }
    return SDB_OK;
}

int sdb_intake_kits(sdb_db *db, const char *actor, const char *prefix, const char *type,
                    const char *lot, const char *expires, int count, sdb_intake_fn fn, void *arg,
                    long *kit_id, sdb_diag *d)
{
    int rc = text_ok(type, "--type", 128, d);
    if (!rc) rc = text_ok(lot, "--lot", 64, d);
    if (rc) return rc;
    char exp[32] = "";
    if (expires) {
        struct tm tm = {0};
        const char *e = strptime(expires, "%Y-%m-%d", &tm);
        if (!e || *e || strlen(expires) != 10) {
            sdb_diag_set(d, NULL, 0, "--expires", "expected YYYY-MM-DD, got '%s'", expires);
            return SDB_EINVAL;
        }
        snprintf(exp, sizeof exp, "%s", expires);
    }
    if (count < 1 || count > 10000) {
        sdb_diag_set(d, NULL, 0, "--count", "between 1 and 10000 kits at a time, not %d", count);
        return SDB_EINVAL;
    }
    if (!prefix || !prefix[0]) prefix = "SDB";
    for (const char *c = prefix; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')) || c - prefix >= 8) {
            sdb_diag_set(d, NULL, 0, "--prefix", "1 to 8 capital letters or digits, not '%s'",
                         prefix);
            return SDB_EINVAL;
        }
    char now[32];
    now_utc(now);
    if (exp[0] && strcmp(exp, now) < 0) {
        sdb_diag_set(d, NULL, 0, "--expires", "lot %s expired on %s", lot, exp);
        return SDB_EPERM;
    }
    sqlite3_stmt *st;
    if (sdb_store_prepare(
            db,
            "INSERT INTO intake_kit (kit_type, lot, expires, registered_at, actor, prefix)"
            " VALUES (?, ?, nullif(?, ''), ?, ?, ?)",
            &st, d))
        return SDB_ESTORE;
    const char *v[] = {type, lot, exp, now, actor, prefix};
    for (int i = 0; i < 6; i++)
        sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
    sqlite3_finalize(st);
    if (rc) return rc;
    long long kit = sqlite3_last_insert_rowid(db->sql);
    if (kit_id) *kit_id = (long)kit;
    if (sdb_store_prepare(db,
                          "INSERT INTO intake_sample (id, sample_id, kit_id, state)"
                          " VALUES (?, ?, ?, 'issued')",
                          &st, d))
        return SDB_ESTORE;
    sqlite3_stmt *last;
    if (sdb_store_prepare(db, "SELECT coalesce(max(id), 0) FROM intake_sample", &last, d)) {
        sqlite3_finalize(st);
        return SDB_ESTORE;
    }
    rc = sqlite3_step(last) == SQLITE_ROW ? SDB_OK : SDB_ESTORE;
    long long seq = sqlite3_column_int64(last, 0);
    sqlite3_finalize(last);
    for (int i = 0; !rc && i < count; i++) {
        char acc[64];
        accession(prefix, now, ++seq, acc);
        sqlite3_bind_int64(st, 1, seq);
        sqlite3_bind_text(st, 2, acc, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, kit);
        rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
        sqlite3_reset(st);
        if (rc) sdb_diag_set(d, NULL, 0, NULL, "%s", sqlite3_errmsg(db->sql));
        if (!rc && fn) rc = fn(arg, acc);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The sample's row id, state and the time and place of its last event. */
typedef struct sample_row {
    long long id;
    int state;
    char last_at[32], basis[64], destroyed_at[32];
} sample_row;

static int load_sample(sdb_db *db, const char *sample_id, sample_row *s, sdb_diag *d)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(
            db,
            "SELECT s.id, s.state, coalesce(s.basis, ''), coalesce((SELECT max(at)"
            " FROM intake_event e WHERE e.sample = s.id), k.registered_at)"
            " FROM intake_sample s JOIN intake_kit k ON k.id = s.kit_id WHERE s.sample_id = ?",
            &st, d))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, sample_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_ROW ? SDB_OK : SDB_ENOTFOUND;
    if (!rc) {
        s->id = sqlite3_column_int64(st, 0);
        s->state = step_of((const char *)sqlite3_column_text(st, 1));
        snprintf(s->basis, sizeof s->basis, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(s->last_at, sizeof s->last_at, "%s", (const char *)sqlite3_column_text(st, 3));
    } else {
        sdb_intake_not_issued(sample_id, d);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Whether event may follow the sample's history at time at: SDB_OK, or
 * SDB_EPERM with the reason. */
static int may_follow(const char *sample_id, const sample_row *s, int event, const char *at,
                      sdb_diag *d)
{
    if (s->state == DESTROYED) {
        sdb_diag_set(d, NULL, 0, "event",
                     "refused: sample %s was destroyed at %s; no event can follow", sample_id,
                     s->last_at);
        return SDB_EPERM;
    }
    int ok = event == DESTROYED ? s->state >= COLLECTED : s->state == event - 1;
    if (!ok) {
        if (s->state >= event)
            sdb_diag_set(d, NULL, 0, "event", "refused: sample %s is already %s", sample_id,
                         steps[s->state]);
        else if (event == DESTROYED)
            sdb_diag_set(d, NULL, 0, "event",
                         "refused: kit %s was never collected: there is no sample to destroy",
                         sample_id);
        else
            sdb_diag_set(d, NULL, 0, "event",
                         "refused: '%s' before '%s': sample %s is only %s since %s", steps[event],
                         steps[event - 1], sample_id, steps[s->state], s->last_at);
        return SDB_EPERM;
    }
    if (at && s->last_at[0] && strcmp(at, s->last_at) < 0) {
        sdb_diag_set(d, NULL, 0, "--at",
                     "refused: '%s' at %s is earlier than the sample's last event (%s at %s)",
                     steps[event], at, s->state == ISSUED ? "kit issued" : steps[s->state],
                     s->last_at);
        return SDB_EPERM;
    }
    return SDB_OK;
}

int sdb_intake_may_store(sdb_db *db, const char *sample_id, const char *basis, sdb_diag *d)
{
    sample_row s;
    int rc = load_sample(db, sample_id, &s, d);
    if (rc == SDB_ENOTFOUND) {
        sdb_diag_set(
            d, NULL, 0, "sample id",
            "'%s' is not an accession number issued by this database (--require-accession)",
            sample_id);
        return SDB_EINVAL;
    }
    if (!rc && may_follow(sample_id, &s, STORED, NULL, d)) {
        snprintf(d->field, sizeof d->field, "sample id");
        return SDB_EINVAL;
    }
    if (!rc && basis && strcmp(basis, s.basis)) {
        sdb_diag_set(d, NULL, 0, "sample id",
                     "sample %s was collected under legal basis '%s', not '%s'", sample_id, s.basis,
                     basis);
        return SDB_EINVAL;
    }
    return rc;
}

int sdb_intake_event_add(sdb_db *db, const char *actor, const sdb_intake_event *e,
                         long long *event_id, sdb_diag *d)
{
    int event = step_of(e->event);
    if (event < COLLECTED) {
        sdb_diag_set(
            d, NULL, 0, "event",
            "unknown event '%s' (collected, received, extracted, typed, stored, destroyed)",
            e->event ? e->event : "");
        return SDB_EINVAL;
    }
    char at[32];
    int rc = event_time(e->at, at, d);
    if (!rc) rc = text_ok(e->place, "--place", 256, d);
    if (!rc && e->note) rc = text_ok(e->note, "--note", 1024, d);
    if (rc) return rc;
    if (event == COLLECTED) {
        if (!e->basis || !e->basis[0]) {
            sdb_diag_set(d, NULL, 0, "--basis",
                         "a collection needs its legal basis: a sample without one is refused");
            return SDB_EPERM;
        }
        if (!sdb_db_has_basis(db, e->basis)) {
            sdb_diag_set(d, NULL, 0, "--basis", "unknown legal basis '%s' (see 'strdb stat')",
                         e->basis);
            return SDB_ENOTFOUND;
        }
    } else if (e->basis && e->basis[0]) {
        sdb_diag_set(d, NULL, 0, "--basis", "the legal basis is recorded at collection only");
        return SDB_EINVAL;
    }
    sample_row s;
    if ((rc = load_sample(db, e->accession, &s, d))) return rc;
    if ((rc = may_follow(e->accession, &s, event, at, d))) return rc;
    sqlite3_stmt *st;
    if (event == STORED) {
        if (sdb_store_prepare(db, "SELECT 1 FROM profile WHERE sample_id = ?", &st, d))
            return SDB_ESTORE;
        sqlite3_bind_text(st, 1, e->accession, -1, SQLITE_STATIC);
        int found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        if (!found) {
            sdb_diag_set(d, NULL, 0, "event",
                         "refused: no profile with sample id %s is stored (import it with "
                         "--require-accession, which records this event)",
                         e->accession);
            return SDB_EPERM;
        }
    }
    if (sdb_store_prepare(db,
                          "INSERT INTO intake_event (sample, event, at, actor, place, note)"
                          " VALUES (?, ?, ?, ?, ?, ?)",
                          &st, d))
        return SDB_ESTORE;
    sqlite3_bind_int64(st, 1, s.id);
    const char *v[] = {steps[event], at, actor, e->place, e->note};
    for (int i = 0; i < 5; i++)
        sqlite3_bind_text(st, i + 2, v[i], -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
    sqlite3_finalize(st);
    if (rc) return rc;
    if (event_id) *event_id = sqlite3_last_insert_rowid(db->sql);
    const char *set = event == COLLECTED
                          ? "UPDATE intake_sample SET state = ?1, basis = ?2 WHERE id = ?3"
                          : "UPDATE intake_sample SET state = ?1 WHERE id = ?3";
    if (sdb_store_prepare(db, set, &st, d)) return SDB_ESTORE;
    sqlite3_bind_text(st, 1, steps[event], -1, SQLITE_STATIC);
    if (event == COLLECTED) sqlite3_bind_text(st, 2, e->basis, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, s.id);
    rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
    sqlite3_finalize(st);
    return rc;
}

int sdb_intake_seal(sdb_db *db, long long seq)
{
    static const char *const sql[] = {
        "UPDATE intake_event SET audit_seq = ? WHERE audit_seq IS NULL",
        "UPDATE intake_kit SET audit_seq = ? WHERE audit_seq IS NULL"};
    int rc = SDB_OK;
    for (int i = 0; !rc && i < 2; i++) {
        sqlite3_stmt *st;
        if (sdb_store_prepare(db, sql[i], &st, NULL)) return SDB_ESTORE;
        sqlite3_bind_int64(st, 1, seq);
        rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
        sqlite3_finalize(st);
    }
    return rc;
}

/* ---- what the audit records vouch for ---- */

/* The first text column of one row of sql (one integer parameter) into out. */
static int one_text(sdb_db *db, const char *sql, long long id, char *out, size_t size)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, sql, &st, NULL)) return SDB_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st) == SQLITE_ROW ? SDB_OK : SDB_ENOTFOUND;
    if (!rc) snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc;
}

int sdb_intake_kit_params(sdb_db *db, long long kit_id, char *out, size_t size)
{
    return one_text(db,
                    "SELECT 'kit=' || k.id || char(10) || 'prefix=' || k.prefix || char(10) ||"
                    " 'type=' || k.kit_type || char(10) || 'lot=' || k.lot || char(10) ||"
                    " 'expires=' || coalesce(k.expires, '') || char(10) || 'registered_at=' ||"
                    " k.registered_at || char(10) || 'samples=' || coalesce(min(s.id), 0) || '-' ||"
                    " coalesce(max(s.id), 0) || char(10) || 'count=' || count(s.id)"
                    " FROM intake_kit k LEFT JOIN intake_sample s ON s.kit_id = k.id"
                    " WHERE k.id = ?1 GROUP BY k.id",
                    kit_id, out, size);
}

int sdb_intake_event_params(sdb_db *db, long long event_id, char *out, size_t size)
{
    /* the sample by its row id: an expunction renames the accession, not the row */
    return one_text(db,
                    "SELECT 'sample=' || e.sample || char(10) || 'event=' || e.event || char(10) ||"
                    " 'at=' || e.at || char(10) || 'place=' || e.place || char(10) || 'basis=' ||"
                    " CASE e.event WHEN 'collected' THEN coalesce(s.basis, '') ELSE '' END ||"
                    " char(10) || 'note=' || coalesce(e.note, '')"
                    " FROM intake_event e JOIN intake_sample s ON s.id = e.sample WHERE e.id = ?1",
                    event_id, out, size);
}

/* The audit record seq: its action, actor, outcome and params digest. */
typedef struct vouch {
    char action[32], actor[64], outcome[8], digest[SDB_HASH_HEX];
} vouch;

static int record_of(sqlite3_stmt *st, long long seq, vouch *v)
{
    sqlite3_bind_int64(st, 1, seq);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        snprintf(v->action, sizeof v->action, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(v->actor, sizeof v->actor, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(v->outcome, sizeof v->outcome, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(v->digest, sizeof v->digest, "%s", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_reset(st);
    return found;
}

static int changed(sdb_db *db, sdb_diag *d, const char *what, long long id, long long seq)
{
    sdb_diag_set(d, db->path, 0, NULL,
                 "intake %s %lld was changed outside strdb: audit record %lld does not vouch for "
                 "it (see docs/intake.md)",
                 what, id, seq);
    return SDB_EAUDIT;
}

/* Every kit and event against its audit record, every intake record against
 * its row, every accession against its kit and serial, every state against
 * the last event. */
int sdb_intake_verify(sdb_db *db, sdb_diag *d)
{
    sqlite3_stmt *rec, *st;
    if (sdb_store_prepare(
            db, "SELECT action, actor, outcome, params_digest FROM audit WHERE seq = ?", &rec, d))
        return SDB_ESTORE;
    int rc = SDB_OK;
    char params[2048], dig[SDB_HASH_HEX];
    vouch v;
    /* kits: their rows and samples as the intake-kit record hashed them */
    if (sdb_store_prepare(db, "SELECT id, coalesce(audit_seq, 0), actor FROM intake_kit", &st, d)) {
        sqlite3_finalize(rec);
        return SDB_ESTORE;
    }
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0), seq = sqlite3_column_int64(st, 1);
        const char *actor = (const char *)sqlite3_column_text(st, 2);
        if ((rc = sdb_intake_kit_params(db, id, params, sizeof params))) break;
        sdb_sha256_hex(params, strlen(params), dig);
        if (!record_of(rec, seq, &v) || strcmp(v.action, "intake-kit") || strcmp(v.outcome, "ok") ||
            strcmp(v.actor, actor) || strcmp(v.digest, dig))
            rc = changed(db, d, "kit", id, seq);
    }
    sqlite3_finalize(st);
    st = NULL;
    /* events: "stored" is vouched for by its import, the others by their own record */
    if (!rc && sdb_store_prepare(
                   db, "SELECT id, coalesce(audit_seq, 0), actor, event FROM intake_event", &st, d))
        rc = SDB_ESTORE;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0), seq = sqlite3_column_int64(st, 1);
        const char *actor = (const char *)sqlite3_column_text(st, 2);
        int stored = !strcmp((const char *)sqlite3_column_text(st, 3), "stored");
        if ((rc = sdb_intake_event_params(db, id, params, sizeof params))) break;
        sdb_sha256_hex(params, strlen(params), dig);
        int ok = record_of(rec, seq, &v) && !strcmp(v.outcome, "ok") && !strcmp(v.actor, actor) &&
                 (stored ? !strcmp(v.action, "import")
                         : !strcmp(v.action, "intake-event") && !strcmp(v.digest, dig));
        if (!ok) rc = changed(db, d, "event", id, seq);
    }
    sqlite3_finalize(st);
    st = NULL;
    /* no record without its row (a deleted kit or event) */
    if (!rc && sdb_store_prepare(db,
                                 "SELECT a.seq, a.action FROM audit a WHERE a.outcome = 'ok' AND"
                                 " ((a.action = 'intake-event' AND NOT EXISTS (SELECT 1 FROM"
                                 " intake_event e WHERE e.audit_seq = a.seq)) OR (a.action ="
                                 " 'intake-kit' AND NOT EXISTS (SELECT 1 FROM intake_kit k"
                                 " WHERE k.audit_seq = a.seq))) LIMIT 1",
                                 &st, d))
        rc = SDB_ESTORE;
    if (!rc && sqlite3_step(st) == SQLITE_ROW) {
        sdb_diag_set(d, db->path, 0, NULL,
                     "the %s of audit record %lld was deleted outside strdb (see docs/intake.md)",
                     strcmp((const char *)sqlite3_column_text(st, 1), "intake-kit") ? "intake event"
                                                                                    : "intake kit",
                     (long long)sqlite3_column_int64(st, 0));
        rc = SDB_EAUDIT;
    }
    sqlite3_finalize(st);
    st = NULL;
    /* each accession is its kit's prefix, year and serial (or expunged); each state its last event
     */
    if (!rc && sdb_store_prepare(db,
                                 "SELECT s.id, s.sample_id, k.prefix, k.registered_at, s.state,"
                                 " coalesce((SELECT e.event FROM intake_event e WHERE e.sample ="
                                 " s.id ORDER BY e.id DESC LIMIT 1), 'issued')"
                                 " FROM intake_sample s JOIN intake_kit k ON k.id = s.kit_id",
                                 &st, d))
        rc = SDB_ESTORE;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        const char *have = (const char *)sqlite3_column_text(st, 1);
        char want[64];
        accession((const char *)sqlite3_column_text(st, 2),
                  (const char *)sqlite3_column_text(st, 3), id, want);
        if ((strcmp(have, want) && strncmp(have, "expunged-", 9)) ||
            strcmp((const char *)sqlite3_column_text(st, 4),
                   (const char *)sqlite3_column_text(st, 5))) {
            sdb_diag_set(d, db->path, 0, NULL,
                         "intake sample %lld (%s) was changed outside strdb: its accession number "
                         "or state is not what its kit and events say (see docs/intake.md)",
                         id, want);
            rc = SDB_EAUDIT;
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(rec);
    return rc;
}
