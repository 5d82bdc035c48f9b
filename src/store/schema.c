/* Schema, seed rows and forward migrations. docs/store.md describes every
 * table; change both together. PRAGMA user_version holds the version. */
#include <stdio.h>
#include <string.h>

#include "store_internal.h"

/* Genotype view helpers: byte at hex offset of the blob. */
#define HEX "'0123456789ABCDEF'"
#define NIB(pos) "(instr(" HEX ",substr(h," pos ",1))-1)"
#define BYTE(hi, lo) "(" NIB(hi) "*16+" NIB(lo) ")"

static const char schema_v1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
    "CREATE TABLE locus(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    "  type TEXT NOT NULL, copies INTEGER NOT NULL) STRICT;"
    "CREATE TABLE legal_basis(code TEXT PRIMARY KEY, description TEXT NOT NULL) STRICT;"
    "CREATE TABLE purpose(code TEXT PRIMARY KEY, description TEXT NOT NULL) STRICT;"
    "CREATE TABLE db_index(name TEXT PRIMARY KEY, description TEXT NOT NULL,"
    "  single_source INTEGER NOT NULL, min_autosomal_loci INTEGER NOT NULL,"
    "  min_y_loci INTEGER NOT NULL, y_multicopy INTEGER NOT NULL) STRICT;"
    "CREATE TABLE import_batch(id INTEGER PRIMARY KEY, file TEXT NOT NULL,"
    "  format TEXT NOT NULL, index_name TEXT NOT NULL REFERENCES db_index(name),"
    "  basis TEXT NOT NULL REFERENCES legal_basis(code), kit TEXT, actor TEXT NOT NULL,"
    "  started_at TEXT NOT NULL, n_records INTEGER NOT NULL DEFAULT 0,"
    "  n_imported INTEGER NOT NULL DEFAULT 0, n_rejected INTEGER NOT NULL DEFAULT 0) STRICT;"
    "CREATE TABLE profile(id INTEGER PRIMARY KEY, sample_id TEXT NOT NULL UNIQUE,"
    "  index_name TEXT NOT NULL REFERENCES db_index(name),"
    "  kind TEXT NOT NULL CHECK (kind IN ('autosomal', 'Y')),"
    "  flags INTEGER NOT NULL, n_loci INTEGER NOT NULL, genotype BLOB NOT NULL,"
    "  basis TEXT NOT NULL REFERENCES legal_basis(code), retain_until TEXT,"
    "  batch_id INTEGER NOT NULL REFERENCES import_batch(id), source_line INTEGER NOT NULL,"
    "  kit TEXT, population TEXT) STRICT;"
    "CREATE TABLE import_reject(batch_id INTEGER NOT NULL REFERENCES import_batch(id),"
    "  file TEXT NOT NULL, line INTEGER NOT NULL, field TEXT, reason TEXT NOT NULL) STRICT;"
    "CREATE TABLE audit(seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,"
    "  action TEXT NOT NULL, purpose TEXT, case_ref TEXT, params_digest TEXT NOT NULL,"
    "  result_count INTEGER NOT NULL, outcome TEXT NOT NULL, prev_hash TEXT NOT NULL,"
    "  hash TEXT NOT NULL) STRICT;"
    /* Plain-SQL views of the genotype blob: one row per allele, and per locus. */
    "CREATE VIEW genotype_allele AS WITH RECURSIVE e(pid, h, k, n) AS ("
    "  SELECT id, hex(genotype), 0, (length(genotype) - 4) / 3 FROM profile"
    "  WHERE length(genotype) > 4"
    "  UNION ALL SELECT pid, h, k + 1, n FROM e WHERE k + 1 < n),"
    " d(pid, k, locus_id, code) AS (SELECT pid, k,"
    "  " BYTE(
        "9+6*k",
        "10+6*k") ","
                  "  " BYTE("11+6*k", "12+6*k") " + 256*" BYTE(
                      "13+6*k",
                      "14+6*k") " FROM e)"
                                " SELECT p.sample_id AS sample_id, p.index_name AS index_name, "
                                "l.name AS locus,"
                                "  d.k AS position, d.code AS code,"
                                "  CASE d.code WHEN 65520 THEN 'X' WHEN 65521 THEN 'Y' WHEN 65533 "
                                "THEN 'OL'"
                                "   WHEN 65534 THEN '*' ELSE CASE WHEN d.code % 10 = 0 THEN "
                                "CAST(d.code / 10 AS TEXT)"
                                "   ELSE (d.code / 10) || '.' || (d.code % 10) END END AS allele"
                                " FROM d JOIN profile p ON p.id = d.pid JOIN locus l ON l.id = "
                                "d.locus_id;"
                                "CREATE VIEW genotype AS SELECT sample_id, index_name, locus,"
                                "  group_concat(allele, '/') AS alleles FROM"
                                "  (SELECT * FROM genotype_allele ORDER BY sample_id, position)"
                                "  GROUP BY sample_id, locus;";

/* Version 2: the governance tables. New databases get them after schema_v1;
 * older ones through migrations[1]. */
static const char schema_v2[] =
    "CREATE TABLE expunction(id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,"
    "  sample_key TEXT NOT NULL, index_name TEXT NOT NULL, reason TEXT NOT NULL,"
    "  authorization TEXT, audit_seq INTEGER NOT NULL) STRICT;"
    "CREATE TABLE audit_checkpoint(seq INTEGER PRIMARY KEY, head TEXT NOT NULL,"
    "  at TEXT NOT NULL, public_key TEXT NOT NULL, signature TEXT NOT NULL) STRICT;"
    /* Retention per legal basis: 'indefinite', 'years:N' (from collection),
     * 'consent' (until withdrawn) or 'case' (until the case the profiles were
     * imported under, import --case, is closed). The seeded rules follow the UK
     * Protection of Freedoms Act 2012 (docs/governance.md). */
    "ALTER TABLE import_batch ADD COLUMN case_ref TEXT;"
    "CREATE TABLE case_closure(case_ref TEXT PRIMARY KEY, closed_at TEXT NOT NULL) STRICT;"
    "ALTER TABLE legal_basis ADD COLUMN retention TEXT NOT NULL DEFAULT 'indefinite'"
    "  CHECK (retention IN ('indefinite', 'consent', 'case') OR"
    "  (retention GLOB 'years:[0-9]*' AND retention NOT GLOB 'years:*[^0-9]*'));"
    "UPDATE legal_basis SET retention = 'years:3' WHERE code IN ('arrest', 'charge');"
    "UPDATE legal_basis SET retention = 'consent' WHERE code = 'consent';"
    "UPDATE legal_basis SET retention = 'case' WHERE code = 'missing-person-report';"
    "CREATE TABLE consent(sample_id TEXT PRIMARY KEY, scope TEXT NOT NULL,"
    "  given_at TEXT NOT NULL, withdrawn_at TEXT) STRICT;"
    "CREATE TABLE audit_touch(seq INTEGER NOT NULL, sample_key TEXT NOT NULL) STRICT;"
    "CREATE INDEX audit_touch_key ON audit_touch(sample_key);"
    "CREATE TABLE app_user(name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN"
    "  ('admin', 'custodian', 'analyst', 'auditor')), token_hash TEXT NOT NULL UNIQUE,"
    "  created_at TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0) STRICT;"
    "ALTER TABLE purpose ADD COLUMN needs_authorization INTEGER NOT NULL DEFAULT 0;"
    "UPDATE purpose SET needs_authorization = 1 WHERE code = 'familial';"
    "CREATE TABLE policy(purpose TEXT NOT NULL REFERENCES purpose(code),"
    "  operation TEXT NOT NULL CHECK (operation IN"
    "  ('show', 'export', 'search', 'ysearch', 'pairs', 'freq', 'yfreq')),"
    "  index_name TEXT NOT NULL REFERENCES db_index(name),"
    "  PRIMARY KEY (purpose, operation, index_name)) STRICT;"
    /* The default policy (docs/governance.md): purpose x operations x indexes. */
    "WITH p(purpose, ops, idx) AS (VALUES"
    "  ('casework', 'show,search,ysearch', 'offender,arrestee,forensic-unknown,forensic-mixture'),"
    "  ('familial', 'show,search,ysearch', 'offender,arrestee,forensic-unknown'),"
    "  ('missing-person', 'show,search,ysearch,pairs',"
    "   'missing-person,unidentified-remains,relative-of-missing'),"
    "  ('contamination', 'show,search,ysearch', 'staff-elimination'),"
    "  ('database-health', 'search,ysearch,pairs,freq,yfreq',"
    "   'offender,arrestee,forensic-unknown,forensic-mixture,missing-person,"
    "unidentified-remains,staff-elimination,volunteer,population'),"
    "  ('population-study', 'show,export,ysearch,pairs,freq,yfreq', 'population'),"
    "  ('administration', 'show,export', 'offender,arrestee,forensic-unknown,forensic-mixture,"
    "missing-person,unidentified-remains,relative-of-missing,staff-elimination,volunteer,"
    "population'))"
    " INSERT INTO policy SELECT p.purpose, o.value, i.value FROM p,"
    "  json_each('[\"' || replace(p.ops, ',', '\",\"') || '\"]') o,"
    "  json_each('[\"' || replace(p.idx, ',', '\",\"') || '\"]') i;";

/* Version 3: persons and pedigrees (docs/pedigree.md). */
static const char schema_v3[] =
    "CREATE TABLE person(id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL UNIQUE,"
    "  sex TEXT NOT NULL CHECK (sex IN ('M', 'F', 'U')), birth_year INTEGER,"
    "  father INTEGER REFERENCES person(id), mother INTEGER REFERENCES person(id),"
    "  source_file TEXT NOT NULL, source_line INTEGER NOT NULL) STRICT;"
    "CREATE INDEX person_father ON person(father);"
    "CREATE INDEX person_mother ON person(mother);"
    "CREATE TABLE person_profile(person_id INTEGER NOT NULL REFERENCES person(id),"
    "  profile_id INTEGER NOT NULL REFERENCES profile(id),"
    "  PRIMARY KEY (person_id, profile_id)) STRICT;"
    "CREATE INDEX person_profile_profile ON person_profile(profile_id);";

/* Version 4: paternal lineages (docs/lineage.md). */
static const char schema_v4[] =
    "CREATE TABLE lineage_build(id INTEGER PRIMARY KEY, built_at TEXT NOT NULL,"
    "  indexes TEXT NOT NULL, max_loci INTEGER NOT NULL, max_steps INTEGER NOT NULL,"
    "  min_loci INTEGER NOT NULL, haplotypes INTEGER NOT NULL, lineages INTEGER NOT NULL,"
    "  incremental INTEGER NOT NULL, actor TEXT NOT NULL) STRICT;"
    "CREATE TABLE lineage(id INTEGER PRIMARY KEY, size INTEGER NOT NULL,"
    "  modal TEXT NOT NULL, diversity REAL NOT NULL, distinct_haplotypes INTEGER NOT NULL,"
    "  persons INTEGER NOT NULL) STRICT;"
    "CREATE TABLE lineage_member(profile_id INTEGER PRIMARY KEY REFERENCES profile(id),"
    "  lineage_id INTEGER NOT NULL REFERENCES lineage(id)) STRICT;"
    "CREATE INDEX lineage_member_lineage ON lineage_member(lineage_id);";

/* Version 5: each audit record carries the state it vouches for (the
 * governance tables' digests, the profile digest and count; docs/store.md). */
/* The keyed-hash secret (expunction, subject reports) is made here, not on
 * first use, so that meta changes only under an audit record. SQLite's
 * randomblob() is ChaCha20 seeded from the operating system's randomness. */
static const char schema_v5[] =
    "ALTER TABLE audit ADD COLUMN state TEXT;"
    "INSERT OR IGNORE INTO meta VALUES ('sample_key_secret', lower(hex(randomblob(32))));";

/* Version 6: missing-person families (docs/missing-persons.md): a family
 * is a pedigree of persons, some of them missing; its references are the
 * profiles linked to its members. */
static const char schema_v6[] =
    "CREATE TABLE mp_family(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, case_ref TEXT,"
    "  source_file TEXT NOT NULL, source_line INTEGER NOT NULL) STRICT;"
    "CREATE TABLE mp_member(family_id INTEGER NOT NULL REFERENCES mp_family(id),"
    "  person_id INTEGER NOT NULL UNIQUE REFERENCES person(id),"
    "  missing INTEGER NOT NULL CHECK (missing IN (0, 1)),"
    "  PRIMARY KEY (family_id, person_id)) STRICT;";

/* Version 7: the query of each identity search, so that a case report can be
 * made from the search's audit record (params is the record's parameter
 * text, whose SHA-256 is the record's params_digest and which holds the
 * query's digest; expunging a profile deletes the queries equal to it). */
static const char schema_v7[] =
    "CREATE TABLE search_query(seq INTEGER PRIMARY KEY REFERENCES audit(seq),"
    "  query BLOB NOT NULL, params TEXT NOT NULL) STRICT;";

/* Version 8: where an import's file came from (a CMF message's source lab),
 * and sample intake (docs/intake.md): collection kits, the samples strdb
 * issued accession numbers for (sample_id; the state is the name of the
 * last event) and their chain-of-custody events, each row tied to the audit
 * record that vouches for it (audit_seq; sdb_intake_verify). */
static const char schema_v8[] =
    "ALTER TABLE import_batch ADD COLUMN origin TEXT;"
    "CREATE TABLE intake_kit(id INTEGER PRIMARY KEY, prefix TEXT NOT NULL, kit_type TEXT NOT NULL,"
    "  lot TEXT NOT NULL, expires TEXT, registered_at TEXT NOT NULL, actor TEXT NOT NULL,"
    "  audit_seq INTEGER REFERENCES audit(seq)) STRICT;"
    "CREATE TABLE intake_sample(id INTEGER PRIMARY KEY, sample_id TEXT NOT NULL UNIQUE,"
    "  kit_id INTEGER NOT NULL REFERENCES intake_kit(id), basis TEXT REFERENCES legal_basis(code),"
    "  state TEXT NOT NULL CHECK (state IN ('issued', 'collected', 'received', 'extracted',"
    "  'typed', 'stored', 'destroyed'))) STRICT;"
    "CREATE TABLE intake_event(id INTEGER PRIMARY KEY,"
    "  sample INTEGER NOT NULL REFERENCES intake_sample(id), event TEXT NOT NULL,"
    "  at TEXT NOT NULL, actor TEXT NOT NULL, place TEXT NOT NULL, note TEXT,"
    "  audit_seq INTEGER REFERENCES audit(seq)) STRICT;"
    "CREATE INDEX intake_event_sample ON intake_event(sample);";

/* Seed rows. IMPORTANT: docs/profiles.md lists these; change both. */
static const char *const legal_bases[][2] = {
    {"conviction", "convicted of a recordable offence"},
    {"arrest", "arrested for a qualifying offence"},
    {"charge", "charged with a qualifying offence"},
    {"court-order", "ordered by a court"},
    {"consent", "written informed consent of the person (volunteers, relatives, staff)"},
    {"crime-scene", "evidence recovered in a criminal investigation"},
    {"missing-person-report", "report of a missing person (references and remains)"},
    {"population-study", "anonymous population sample under an ethics approval"},
    {"staff-agreement", "employment agreement for elimination profiles"},
};

static const char *const purposes[][2] = {
    {"casework", "identity search of offender, arrestee and forensic indexes for a case"},
    {"familial", "familial search (needs an authorisation reference)"},
    {"missing-person", "identification of missing persons and unidentified remains"},
    {"contamination", "search of the staff elimination index"},
    {"database-health", "duplicates, near matches and statistics, no names"},
    {"population-study", "anonymous population statistics"},
    {"administration", "custodian work: import, export, review, expungement"},
};

static const char *const index_descriptions[][2] = {
    {"offender", "convicted offenders (reference, single source)"},
    {"arrestee", "arrestees (reference, single source)"},
    {"forensic-unknown", "crime-scene profiles of unknown single donors (partial allowed)"},
    {"forensic-mixture", "crime-scene mixtures (partial and mixed allowed)"},
    {"missing-person", "direct references of missing persons (personal effects)"},
    {"unidentified-remains", "unidentified human remains (partial allowed)"},
    {"relative-of-missing", "relatives of missing persons (missing-person use only)"},
    {"staff-elimination", "laboratory and police staff (contamination checks)"},
    {"volunteer", "volunteers (consent)"},
    {"population", "anonymous population samples (statistics only)"},
};

/* Inserts (code, description) pairs with sql. */
static int seed_pairs(sdb_db *db, const char *sql, const char *const (*pairs)[2], size_t n,
                      sdb_diag *d)
{
    sqlite3_stmt *st = NULL;
    int rc = sdb_store_prepare(db, sql, &st, d);
    for (size_t i = 0; !rc && i < n; i++) {
        sqlite3_bind_text(st, 1, pairs[i][0], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, pairs[i][1], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) rc = SDB_ESTORE;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static int seed(sdb_db *db, sdb_diag *d)
{
    sqlite3_stmt *st = NULL;
    int rc = seed_pairs(db, "INSERT INTO legal_basis VALUES (?, ?)", legal_bases,
                        sizeof legal_bases / sizeof *legal_bases, d);
    if (!rc)
        rc = seed_pairs(db, "INSERT INTO purpose VALUES (?, ?)", purposes,
                        sizeof purposes / sizeof *purposes, d);
    if (!rc) rc = sdb_store_prepare(db, "INSERT INTO db_index VALUES (?, ?, ?, ?, ?, ?)", &st, d);
    for (int i = 0; !rc && i < sdb_index_rule_default_count(); i++) {
        const sdb_index_rule *r = sdb_index_rule_default(i);
        sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, index_descriptions[i][1], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, r->single_source);
        sqlite3_bind_int(st, 4, r->min_autosomal_loci);
        sqlite3_bind_int(st, 5, r->min_y_loci);
        sqlite3_bind_int(st, 6, r->y_multicopy);
        if (sqlite3_step(st) != SQLITE_DONE) rc = SDB_ESTORE;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (rc == SDB_ESTORE) sdb_diag_set(d, db->path, 0, NULL, "seed: %s", sqlite3_errmsg(db->sql));
    return rc;
}

int sdb_schema_create(sdb_db *db, sdb_diag *d)
{
    char pragma[96];
    int rc = sdb_store_exec(db, schema_v1, d);
    if (!rc) rc = seed(db, d); /* the version 1 seed rows, which schema_v2 builds on */
    if (!rc) rc = sdb_store_exec(db, schema_v2, d);
    if (!rc) rc = sdb_store_exec(db, schema_v3, d);
    if (!rc) rc = sdb_store_exec(db, schema_v4, d);
    if (!rc) rc = sdb_store_exec(db, schema_v5, d);
    if (!rc) rc = sdb_store_exec(db, schema_v6, d);
    if (!rc) rc = sdb_store_exec(db, schema_v7, d);
    if (!rc) rc = sdb_store_exec(db, schema_v8, d);
    if (!rc) rc = sdb_schema_sync_loci(db, d);
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d; PRAGMA application_id = %d;",
             SDB_SCHEMA_VERSION, SDB_APPLICATION_ID);
    if (!rc) rc = sdb_store_exec(db, pragma, d);
    return rc;
}

/* Forward migrations: migrations[v] turns version v into v + 1. */
static const char *const migrations[] = {NULL,      schema_v2, schema_v3, schema_v4,
                                          schema_v5, schema_v6, schema_v7, schema_v8};

int sdb_schema_migrate(sdb_db *db, int from, sdb_diag *d)
{
    for (int v = from; v < SDB_SCHEMA_VERSION; v++) {
        char pragma[64];
        if (!migrations[v]) {
            sdb_diag_set(d, db->path, 0, NULL, "no migration from schema version %d", v);
            return SDB_EVERSION;
        }
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", v + 1);
        int rc = sdb_store_exec(db, "BEGIN IMMEDIATE", d);
        if (!rc) rc = sdb_store_exec(db, migrations[v], d);
        if (!rc) rc = sdb_store_exec(db, pragma, d);
        if (!rc) rc = sdb_store_exec(db, "COMMIT", d);
        if (rc) {
            sdb_store_exec(db, "ROLLBACK", NULL);
            return rc;
        }
    }
    return SDB_OK;
}

int sdb_schema_sync_loci(sdb_db *db, sdb_diag *d)
{
    sqlite3_stmt *get = NULL, *put = NULL;
    int rc = sdb_store_prepare(db, "SELECT name FROM locus WHERE id = ?", &get, d);
    if (!rc) rc = sdb_store_prepare(db, "INSERT INTO locus VALUES (?, ?, ?, ?)", &put, d);
    for (int i = 0; !rc && i < sdb_catalog_count(db->cat); i++) {
        const sdb_locus *l = sdb_catalog_at(db->cat, i);
        sqlite3_bind_int(get, 1, l->id);
        int step = sqlite3_step(get);
        if (step == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(get, 0);
            if (strcmp(name, l->name)) {
                sdb_diag_set(d, db->path, 0, "locus",
                             "locus id %u is '%s' in the database but '%s' in this build", l->id,
                             name, l->name);
                rc = SDB_EVERSION;
            }
        } else if (db->readonly) {
            /* an older database read without write access: fine, nothing uses the row */
        } else {
            sqlite3_bind_int(put, 1, l->id);
            sqlite3_bind_text(put, 2, l->name, -1, SQLITE_STATIC);
            sqlite3_bind_text(put, 3, sdb_locus_type_name(l->type), -1, SQLITE_STATIC);
            sqlite3_bind_int(put, 4, l->copies);
            if (sqlite3_step(put) != SQLITE_DONE) {
                sdb_diag_set(d, db->path, 0, NULL, "%s", sqlite3_errmsg(db->sql));
                rc = SDB_ESTORE;
            }
            sqlite3_reset(put);
        }
        sqlite3_reset(get);
    }
    sqlite3_finalize(get);
    sqlite3_finalize(put);
    return rc;
}
