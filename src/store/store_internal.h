/* Private to src/store. */
#ifndef STRDB_STORE_INTERNAL_H
#define STRDB_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "engine_internal.h"
#include "strdb/audit.h"
#include "strdb/pedigree.h"
#include "strdb/queue.h"
#include "strdb/store.h"

#define SDB_APPLICATION_ID 0x53544442 /* "STDB" in PRAGMA application_id */

/* SQL: col is one of the indexes in parameter ?1, a name or a comma-separated
 * list of names (the indexes a purpose may use); NULL means every index. */
#define STORE_INDEX_IN(col) "(?1 IS NULL OR instr(',' || ?1 || ',', ',' || " col " || ',') > 0)"

/* The longest state string of an audit record (src/governance/state.c). */
#define SDB_STATE_MAX 512

struct sdb_db {
    sqlite3 *sql;
    const sdb_catalog *cat;
    int readonly;
    char path[1024];
    /* profile rows changed on this connection since its last audit record:
     * the lane-wise sum of their values (removed ones subtracted), and the
     * change in their number (fed by the triggers of sdb_state_connect) */
    uint64_t acc_delta[SDB_ACC_LANES];
    long long acc_rows;
    /* a governance table was changed on this connection since its last
     * audit record (the triggers again): only then may the next record
     * vouch for governance tables that differ from the newest record's */
    int gov_dirty;
    /* sdb_store_begin's nesting: per level, 1 when it began the transaction
     * (BEGIN IMMEDIATE), 0 for a savepoint inside the caller's */
    unsigned char tx_own[8];
    int tx_depth;
};

/* Runs SQL without results; on failure fills d with SQLite's message. */
int sdb_store_exec(sdb_db *db, const char *sql, sdb_diag *d);

/* Ends the caller's BEGIN: COMMIT when rc is SDB_OK, else ROLLBACK (with
 * SQLite's message in d for SDB_ESTORE if d holds none). Returns the result. */
int sdb_store_finish(sdb_db *db, int rc, sdb_diag *d);

/* A transaction that nests: BEGIN IMMEDIATE when none is open, else a
 * savepoint inside the caller's (an import that is part of a larger one,
 * sdb_fam_import). sdb_store_end commits or releases when rc is SDB_OK,
 * else rolls back (to the savepoint), and returns rc. */
int sdb_store_begin(sdb_db *db, sdb_diag *d);
int sdb_store_end(sdb_db *db, int rc, sdb_diag *d);

/* sdb_db_import of an in-memory text named name; sdb_pedigree_import of
 * one. Both nest inside a transaction of the caller's. */
int sdb_db_import_mem(sdb_db *db, const sdb_ctx *ctx, const char *name, const char *buf,
                      size_t len, const sdb_import_opts *o, sdb_import_stats *stats, sdb_diag *d);
int sdb_pedigree_import_mem(sdb_db *db, const sdb_ctx *ctx, const char *name, const char *text,
                            size_t len, sdb_pedigree_stats *stats, sdb_diag *d);

/* The import of a Familias DVI file (sdb_fam_import_opts in strdb/store.h). */
int sdb_fam_import(sdb_db *db, const sdb_ctx *ctx, const char *path, const sdb_fam_import_opts *o,
                   sdb_fam_import_stats *st, sdb_diag *d);

/* sdb_audit_foreach, or only the records that touched the sample with
 * keyed hash sample_key (table audit_touch). */
int sdb_store_audit_each(sdb_db *db, const char *sample_key,
                     int (*fn)(void *arg, const sdb_audit_record *r), void *arg);

/* sqlite3_step for a loop over rows: 1 on a row; 0 at the end, and 0 on an
 * error too, with *rc set to SDB_ESTORE if it held no error yet. Written
 * `while (sdb_store_row(st, &rc))`, a loop tells the end of the rows from a
 * failed step by rc afterwards. */
static inline int sdb_store_row(sqlite3_stmt *st, int *rc)
{
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) return 1;
    if (s != SQLITE_DONE && !*rc) *rc = SDB_ESTORE;
    return 0;
}

/* Prepares SQL; on failure fills d. */
int sdb_store_prepare(sdb_db *db, const char *sql, sqlite3_stmt **st, sdb_diag *d);

/* Creates the schema of version SDB_SCHEMA_VERSION and its seed rows in an
 * empty database; migrates an older one forward. */
int sdb_schema_create(sdb_db *db, sdb_diag *d);
int sdb_schema_migrate(sdb_db *db, int from_version, sdb_diag *d);
/* Adds catalog loci the database lacks; checks that shared ids agree. */
int sdb_schema_sync_loci(sdb_db *db, sdb_diag *d);

/* Genotype blob (docs/store.md): "SG", version 1, 0, then per allele three
 * bytes: the locus id (1..255) and the little-endian u16 allele code, sorted
 * by locus then allele. Fixed-width entries keep the SQL views simple. */
#define SDB_GT_ENTRY 3
#define SDB_GT_MAGIC0 'S'
#define SDB_GT_MAGIC1 'G'
#define SDB_GT_VERSION 1
#define SDB_GT_HEADER 4
/* Encodes p into buf (capacity cap, at least SDB_GT_HEADER + SDB_GT_ENTRY * alleles);
 * returns the length or SDB_ENOMEM if cap is too small. */
long sdb_genotype_encode(const sdb_profile *p, unsigned char *buf, size_t cap);
/* Decodes a blob into p's calls and alleles (p reset first except the id).
 * SDB_EVERSION for an unknown version, SDB_EFORMAT for a damaged blob or an
 * unknown locus id. */
int sdb_genotype_decode(sdb_profile *p, const sdb_catalog *cat, const void *blob, size_t len);

/* Import staging (src/store/stage.c): a reader thread parses, validates and
 * encodes records into batches; the importing thread inserts them. Batches
 * travel between the two through two sdb_queues (full, free) and are reused.
 * Each staged record keeps its strings and blob in the batch's arena. */
#define STAGE_BATCH 256
#define STAGE_NONE ((size_t)-1)

typedef struct staged {
    int rc; /* SDB_OK, SDB_EINVAL (a reject), or a fatal code that ends the import */
    long line;
    uint32_t flags;
    sdb_kind kind;
    int n_calls;
    size_t id, kit, population, blob; /* arena offsets (STAGE_NONE: absent) */
    size_t blob_len;
    int diag; /* index into diags when rc != SDB_OK */
    uint64_t lanes[SDB_ACC_LANES]; /* the row's state value (sdb_state_lanes), when rc is SDB_OK */
} staged;

typedef struct stage_batch {
    int n;
    staged rec[STAGE_BATCH];
    char *arena;
    size_t arena_len, arena_cap;
    sdb_diag *diags;
    int n_diags, diags_cap;
    int sealed; /* the reader thread sealed its records */
} stage_batch;

typedef struct stager stager;

/* Starts the reader thread over r (borrowed; closed by the caller after
 * sdb_stage_stop). rule and path are borrowed too. seal(arg, b, x) is work
 * on each record staged without error that either thread may do (the
 * import's state lanes): the reader thread does it for a batch, and sets
 * b->sealed, when the importing thread is behind (a filled batch still
 * waits for it); otherwise the importing thread calls sdb_stage_seal. So
 * on two cores neither thread waits for the other for long. */
int sdb_stage_start(stager **out, sdb_reader *r, const sdb_catalog *cat, const sdb_index_rule *rule,
                    const char *path, void (*seal)(void *arg, const stage_batch *b, staged *x),
                    void *arg);
/* Seals b's records unless the reader thread did. */
void sdb_stage_seal(stager *s, stage_batch *b);
/* Next filled batch: SDB_OK or SDB_END when the reader is done. */
int sdb_stage_next(stager *s, stage_batch **b);
/* Hands a processed batch back for reuse. */
void sdb_stage_recycle(stager *s, stage_batch *b);
/* Stops the reader thread (early if it is still running), joins it, frees. */
void sdb_stage_stop(stager *s);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void sdb_store_now(char buf[32]);

/* Sample intake (store/intake.c, docs/intake.md), inside the caller's
 * transaction. sdb_intake_kits registers count kits of one type and lot
 * and issues an accession number for each (fn gets each one); the event
 * functions check the chain-of-custody order and time (SDB_EPERM with the
 * reason when refused). sdb_intake_may_store is the import's check of a
 * sample id (--require-accession: an accession typed and collected under
 * basis; SDB_EINVAL with the reason otherwise); sdb_intake_seal gives the
 * kits and events written since the last seal the audit record seq. */
int sdb_intake_kits(sdb_db *db, const char *actor, const char *prefix, const char *type,
                    const char *lot, const char *expires, int count, sdb_intake_fn fn, void *arg,
                    long *kit_id, sdb_diag *d);
int sdb_intake_event_add(sdb_db *db, const char *actor, const sdb_intake_event *e,
                         long long *event_id, sdb_diag *d);
/* The parameter text an audit record hashes for a kit or an event, made from
 * its stored rows (so that sdb_intake_verify can recompute it), and the
 * check of every intake row against its record: SDB_EAUDIT naming the row
 * changed, deleted or added outside strdb. */
int sdb_intake_kit_params(sdb_db *db, long long kit_id, char *out, size_t size);
int sdb_intake_event_params(sdb_db *db, long long event_id, char *out, size_t size);
int sdb_intake_verify(sdb_db *db, sdb_diag *d);
int sdb_intake_may_store(sdb_db *db, const char *sample_id, const char *basis, sdb_diag *d);
int sdb_intake_seal(sdb_db *db, long long seq);
/* Whether s has the form of an accession number with a matching check digit. */
int sdb_intake_accession_valid(const char *s);
/* d: "no accession number '...' was issued here" (and whether its check digit is wrong). */
void sdb_intake_not_issued(const char *accession, sdb_diag *d);
const char *sdb_intake_event_name(int i);

#endif
