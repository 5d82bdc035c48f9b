/* strdb: the session, the one public path to a database.
 *
 * A session is opened on a database file with an actor (open mode) or a
 * token (controlled mode: the database has users) and a purpose, an
 * optional case reference and an optional authorization reference. Every
 * operation of the library on a database goes through it: the session
 * checks the role of the user for the operation (sdb_role_allows), then the
 * purpose policy (which indexes the purpose may read, and whether the
 * purpose is bound to the role), runs the operation, and appends exactly
 * one audit record -- before any result leaves the library. If that record
 * cannot be written, nothing is returned. A refusal is audited too.
 *
 * Results are copied into structures the caller owns (free them with the
 * matching _free function) or handed to a callback after the record is
 * written; nothing a result holds points into the database or the index.
 *
 * Refusals carry codes (SDB_EAUTH, SDB_EROLE, SDB_EPOLICY, SDB_EPERM), so a
 * caller decides what to say without matching text; d says why in words.
 *
 * A session is used by one thread at a time. docs/governance.md has the
 * role x purpose x operation matrix; docs/embedding.md the layer rules.
 */
#ifndef STRDB_SESSION_H
#define STRDB_SESSION_H

#include <stdio.h>

#include "strdb/familial.h"
#include "strdb/governance.h"
#include "strdb/lineage.h"
#include "strdb/missing.h"
#include "strdb/pedigree.h"
#include "strdb/draw.h"
#include "strdb/search.h"
#include "strdb/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sdb_session sdb_session;

/* An index cache shared by the sessions of one process (strdb serve): each
 * index a session needs is built (or loaded from its snapshot) once and
 * handed to every session that asks for the same indexes in the same
 * database state; a changed database gets a new one, the old is freed when
 * no session holds it. Thread-safe; free it after its sessions are closed. */
typedef struct sdb_index_cache sdb_index_cache;
int sdb_index_cache_new(sdb_index_cache **out) SDB_WUR;
void sdb_index_cache_free(sdb_index_cache *c);
/* Indexes built (or loaded) and handed out again, since the cache was made. */
void sdb_index_cache_counts(sdb_index_cache *c, long *builds, long *hits);

/* Who opens the session and why. Strings are borrowed for the call of
 * sdb_session_open only (the session copies them). */
typedef struct sdb_session_opts {
    const char *actor;         /* open mode: required; controlled mode: if given, must
                                  be the token's user */
    const char *default_actor; /* open mode: the actor when actor is NULL (a login name) */
    const char *token;         /* controlled mode: the user's token (64 hex digits) */
    const char *purpose;       /* a purpose code of the database (reads need one) */
    const char *case_ref;      /* optional */
    const char *authorization; /* required by purposes the policy marks so */
    int readonly;              /* open without write access: only metadata listings work */
    sdb_index_cache *index_cache; /* optional: share indexes with other sessions */
} sdb_session_opts;

void sdb_session_opts_init(sdb_session_opts *o);

/* Opens a session on an existing database. In controlled mode the token is
 * checked here: SDB_EAUTH (missing, wrong or disabled token, or an actor
 * that is not the token's user; the refusal is audited), else SDB_OK. Also
 * SDB_ENOTFOUND / SDB_EFORMAT / SDB_EVERSION / SDB_ESTORE from the store.
 * Close with sdb_session_close (NULL is a no-op). */
int sdb_session_open(sdb_session **out, const char *path, const sdb_session_opts *o,
                     sdb_diag *d) SDB_WUR;

/* Creates a new database (SDB_EEXIST if path exists and is not empty),
 * audited "init", and opens a session on it. */
int sdb_session_create(sdb_session **out, const char *path, const sdb_session_opts *o,
                       sdb_diag *d) SDB_WUR;

void sdb_session_close(sdb_session *s);

/* Whether the database at path has users (controlled mode), read without a
 * session and without an audit record (a server checks it at start). */
int sdb_database_controlled(const char *path, int *controlled, sdb_diag *d) SDB_WUR;

/* The authenticated actor, the role ("" in open mode: every role's
 * actions are allowed there, the purpose policy still applies), the
 * purpose, the database path and the catalog. Owned by the session. */
const char *sdb_session_actor(const sdb_session *s);
const char *sdb_session_role(const sdb_session *s);
const char *sdb_session_purpose(const sdb_session *s);
const char *sdb_session_path(const sdb_session *s);
const sdb_catalog *sdb_session_catalog(const sdb_session *s);
/* 1 when the database has users (controlled mode). */
int sdb_session_controlled(const sdb_session *s);
/* Changes the purpose, case and authorization of later operations (copied). */
int sdb_session_set_purpose(sdb_session *s, const char *purpose, const char *case_ref,
                            const char *authorization) SDB_WUR;

/* ---- profiles ----------------------------------------------------------------- */

/* Called once per profile after the audit record is written; p and meta are
 * valid during the call. A non-zero return stops the read and is returned. */
typedef int (*sdb_profile_fn)(void *arg, const sdb_profile *p, const sdb_stored *meta);

/* Imports a file (sdb_import_opts, one transaction; role "import"). */
int sdb_session_import(sdb_session *s, const char *path, const sdb_import_opts *o,
                       sdb_import_stats *stats, sdb_diag *d) SDB_WUR;

/* One profile by sample id (role and policy "show"): fn is called once.
 * SDB_ENOTFOUND when there is no such profile or the purpose may not show
 * its index (the same code and words: existence is not confirmed). */
int sdb_session_show(sdb_session *s, const char *sample_id, sdb_profile_fn fn, void *arg,
                     sdb_diag *d) SDB_WUR;

/* Every profile of index (NULL: every index the purpose may export), in
 * sample id order (role and policy "export"). The record holds the count,
 * taken in the same read transaction as the profiles. *n gets the count.
 * passes 2 reads the same profiles twice (a layout pass first, as the CSV
 * writer needs), calling fn once with p and meta NULL between the passes. */
int sdb_session_export(sdb_session *s, const char *index, int passes, sdb_profile_fn fn,
                       void *arg, long *n, sdb_diag *d) SDB_WUR;

/* Expunges one profile (role "expunge"; docs/governance.md). SDB_EBUSY: the
 * profile is expunged, but another connection keeps the WAL; its scrub is
 * pending and runs when the next session opens the database. */
int sdb_session_expunge(sdb_session *s, const char *sample_id, const char *reason,
                        sdb_diag *d) SDB_WUR;

/* ---- searches ----------------------------------------------------------------- */

/* What a search returned. sample_id[i] names hit i; exactly one of hits,
 * yhits and familial is set, by the search that filled it (their `target`
 * fields are rows of an index the caller never sees: use sample_id).
 * profiles[0..n_profiles) are the first hits' profiles as the index holds
 * them, when the search was asked for them; y_status[i] says how hit i's
 * Y haplotype compares (familial with a Y query). Free with
 * sdb_result_free. */
typedef struct sdb_result {
    long searched;   /* profiles searched */
    long skipped;    /* familial: rows left out (mixtures) */
    int query_loci;  /* familial: query loci used */
    long n;
    char **sample_id;
    sdb_hit *hits;
    sdb_yhit *yhits;
    sdb_familial_hit *familial;
    sdb_profile *profiles;
    long n_profiles;
    char **y_status;
    long long audit_seq; /* the search's audit record (strdb report --search-record) */
} sdb_result;

void sdb_result_free(sdb_result *r);

/* Identity search (role and policy "search") over index (NULL: the indexes
 * the purpose may search); with_profiles > 0 copies the first hits'
 * profiles into r. Audited "search" with every returned sample recorded for
 * subject reports. */
int sdb_session_search(sdb_session *s, const char *index, const sdb_profile *q,
                       const sdb_search_opts *o, long with_profiles, sdb_result *r,
                       sdb_diag *d) SDB_WUR;

/* Called per query of a batch after the record is written: query the
 * query's sample id, rc its search status (d its reason), r its hits. */
typedef int (*sdb_batch_fn)(void *arg, const char *query, int rc, const sdb_diag *d,
                            const sdb_result *r);

/* Searches every profile of file (the weekly run); one "search-batch"
 * record with the total hit count. *n_queries and *n_hits are set. */
int sdb_session_search_batch(sdb_session *s, const char *index, const char *file,
                             const sdb_search_opts *o, sdb_batch_fn fn, void *arg,
                             long *n_queries, long *n_hits, sdb_diag *d) SDB_WUR;

/* ---- case reports ------------------------------------------------------------ */

/* One candidate of a report: a hit of the search record that is still
 * stored, with its profile and provenance (copies). */
typedef struct sdb_report_candidate {
    char *sample_id;
    sdb_hit hit;
    sdb_profile profile;
    char index[64], basis[64], retain_until[32], source_file[1024], imported_at[32];
    long source_line, batch_id;
} sdb_report_candidate;

/* What a case report shows (free with sdb_report_free). */
typedef struct sdb_report {
    long long seq;                   /* the search's audit record */
    char at[32], actor[64], purpose[64], case_ref[256];
    char params[1024];               /* the search's parameters (index, stringency, ...) */
    char query_sha256[SDB_HASH_HEX]; /* the query's digest, named in params */
    sdb_profile query;
    sdb_stringency stringency;
    int min_loci, max_mismatch;
    long n;                          /* candidates, best first */
    sdb_report_candidate *candidates;
    long long report_seq;            /* the report's own audit record */
    char head[SDB_HASH_HEX];         /* the chain head after it */
} sdb_report;

/* The report of identity-search record seq (role "report", policy "search"
 * and "show" for the candidates' indexes under the session's purpose): the
 * record and its stored query, checked against the record (the SHA-256 of
 * the stored parameters is the record's digest and names the query's), the
 * search run again with the same options, and as candidates the hits that
 * the record returned (its recorded samples) and that are still stored;
 * candidate (not NULL) keeps only that one (SDB_ENOTFOUND if it was no hit).
 * Audited "report" with the candidates recorded for subject reports.
 * SDB_ENOTFOUND: no such search record or no stored query (a record older
 * than schema 7); SDB_EAUDIT: the stored query does not match its record. */
int sdb_session_report(sdb_session *s, long long seq, const char *candidate, sdb_report *out,
                       sdb_diag *d) SDB_WUR;
void sdb_report_free(sdb_report *r);

/* Y-STR search (role and policy "ysearch"). */
int sdb_session_ysearch(sdb_session *s, const char *index, const sdb_profile *q,
                        const sdb_ysearch_opts *o, sdb_result *r, sdb_diag *d) SDB_WUR;

/* Familial search (role "search", policy "search"; purposes marked so need
 * an authorization). With a Y query (qy->n_calls > 0, policy "ysearch" for
 * the candidates' Y profiles), y_status tells for each candidate whether his
 * haplotype is consistent within y_max differing loci. with_profiles as for
 * sdb_session_search. Audited "familial". */
int sdb_session_familial(sdb_session *s, const char *index, const sdb_profile *q,
                         const sdb_familial_opts *o, const sdb_profile *qy, int y_max,
                         long with_profiles, sdb_result *r, sdb_diag *d) SDB_WUR;

/* All pairs (role and policy "pairs"); r's id_a/id_b name the hits. */
typedef struct sdb_pairs_ids {
    sdb_pairs_result pairs;
    long profiles; /* profiles compared */
    char **id_a, **id_b;
} sdb_pairs_ids;
int sdb_session_pairs(sdb_session *s, const char *index, int hit_m, int threads,
                      sdb_pairs_ids *r, sdb_diag *d) SDB_WUR;
void sdb_pairs_ids_free(sdb_pairs_ids *r);

/* ---- frequencies -------------------------------------------------------------- */

/* Allele frequencies counted over the profiles of index (role and policy
 * "freq"): by the profiles' population labels when by_population, else one
 * population named `name`. *out is new (sdb_freq_free); *n profiles. */
int sdb_session_freq(sdb_session *s, const char *index, int by_population, const char *name,
                     sdb_freq **out, long *n, sdb_diag *d) SDB_WUR;

/* The haplotype frequency of q among the Y profiles of index (role and
 * policy "yfreq"): sdb_yfreq over them. */
int sdb_session_yfreq(sdb_session *s, const char *index, const sdb_profile *q,
                      sdb_yfreq_result *r, sdb_diag *d) SDB_WUR;

/* ---- lineages and pedigrees ---------------------------------------------------- */

/* Builds the lineages of the Y profiles the purpose may ysearch (role and
 * policy "ysearch"); audited "lineage-build". */
int sdb_session_lineage_build(sdb_session *s, const char *index, const sdb_lineage_opts *o,
                              int full, sdb_lineage_build_stats *st, sdb_diag *d) SDB_WUR;

/* Lineage search of haplotype q (o->indexes is set by the session; limit:
 * the members recorded as returned). Audited "lineage-search". */
int sdb_session_lineage_search(sdb_session *s, const char *index, const sdb_profile *q,
                               const sdb_lineage_search_opts *o, long limit,
                               sdb_lineage_result *r, sdb_diag *d) SDB_WUR;

/* Writes lineage id as text (sdb_lineage_print: top members; id 0 the top
 * lineages) or, with svg, as a drawing, to out; audited "lineage-show". The
 * output is made in memory first: nothing reaches out before the record. */
int sdb_session_lineage_show(sdb_session *s, const char *index, long long id, long top,
                             int svg, sdb_lineage_view view, int max_nodes, FILE *out,
                             sdb_diag *d) SDB_WUR;

/* ---- missing persons (purpose missing-person only) -------------------------
 *
 * Families and remains come from the store: a family's references are its
 * members' profiles in index relative-of-missing; remains are the profiles
 * of q->remains_index, which must be unidentified-remains (the default) or
 * missing-person: relatives' profiles are never compared with casework or
 * offender indexes, whatever the policy table says. */
typedef struct sdb_mp_query {
    const char *family;        /* that family only (NULL: every family, or the case's) */
    const char *case_ref;      /* the families of that case only */
    const char *remains;       /* sample ids, comma-separated (NULL: every remains profile) */
    const char *remains_index; /* NULL: unidentified-remains */
} sdb_mp_query;

typedef struct sdb_mp_data {
    sdb_mp_family *families;
    int n_families;
    sdb_profile *remains;
    long n_remains;
} sdb_mp_data;

void sdb_mp_data_free(sdb_mp_data *m);

/* Reads the families and remains of q into m (role "mp-search"); audited
 * "mp-read" with every reference and remains sample returned. */
int sdb_session_mp_data(sdb_session *s, const sdb_mp_query *q, sdb_mp_data *m,
                        sdb_diag *d) SDB_WUR;

/* Reads as sdb_session_mp_data, then searches (sdb_mp_search); audited
 * "mp-search" with each candidate (the remains and the references of
 * every family in r) recorded for subject reports. */
int sdb_session_mp_search(sdb_session *s, const sdb_mp_query *q, const sdb_freq *f, int pop,
                          const sdb_mp_opts *o, sdb_mp_data *m, sdb_mp_result *r,
                          sdb_diag *d) SDB_WUR;

/* Imports a pedigree file (role "import"); audited "pedigree-import". */
int sdb_session_pedigree_import(sdb_session *s, const char *path, sdb_pedigree_stats *st,
                                sdb_diag *d) SDB_WUR;

/* sdb_fam_import through the session (role "import"). */
int sdb_session_fam_import(sdb_session *s, const char *path, const sdb_fam_import_opts *o,
                           sdb_fam_import_stats *st, sdb_diag *d) SDB_WUR;

/* Draws the pedigree around person (role "show"; no genotype is drawn);
 * audited "pedigree-draw". */
int sdb_session_pedigree_draw(sdb_session *s, const char *person, int up, int down, FILE *out,
                              sdb_diag *d) SDB_WUR;

/* ---- audit, policy, users, retention --------------------------------------------- */

/* One row of a listing: n columns named names[i] with values[i] (NULL for
 * SQL NULL), all valid during the call; section names the listing (or the
 * part of a subject report). A non-zero return stops and is returned. */
typedef int (*sdb_row_fn)(void *arg, const char *section, int n, const char *const *names,
                          const char *const *values);

/* Metadata listings (no genotype). Names, their role action and columns:
 *   "summary"   stat  profiles, import_batches, rejects, audit_records
 *   "by-index"  stat  index, kind, profiles, partial, mixture
 *   "loci"      stat  locus, type, profiles (decodes every genotype)
 *   "indexes"   stat  name        "legal-bases" stat  code
 *   "purposes"  stat  code
 *   "policy"    policy-show  purpose, authorization, operation, indexes
 *   "rules"     rules-show   index, single, min_loci, min_y_loci, y_multicopy, description
 *   "retention" retention-report  basis, rule
 * Not audited (metadata). SDB_EINVAL for an unknown listing. */
int sdb_session_list(sdb_session *s, const char *listing, sdb_row_fn fn, void *arg,
                     sdb_diag *d) SDB_WUR;

/* The audit chain (role "audit-read"): every record in order. */
int sdb_session_audit_foreach(sdb_session *s, int (*fn)(void *arg, const sdb_audit_record *r),
                              void *arg, sdb_diag *d) SDB_WUR;
/* sdb_audit_verify, and with public_path (or extra checkpoints) the signed
 * form sdb_audit_verify_signed (role "audit-read"); head may be NULL. */
int sdb_session_audit_verify(sdb_session *s, const char *public_path,
                             const sdb_checkpoint *extra, int n_extra, long long *n_records,
                             long long *n_checkpoints, long long *unsigned_tail,
                             char head[SDB_HASH_HEX], long long *bad_seq, sdb_diag *d) SDB_WUR;
/* Signs the head (role "audit-checkpoint"). */
int sdb_session_audit_checkpoint(sdb_session *s, const char *secret_path, sdb_checkpoint *out,
                                 sdb_diag *d) SDB_WUR;

/* A data-subject report of sample_id (role "subject-report"): rows of the
 * sections "stored", "consent" and "expunged" to rows, every audit record
 * that touched the sample to records, then one "subject-report" record.
 * Everything is read before the record is written and handed out after. */
int sdb_session_subject(sdb_session *s, const char *sample_id, sdb_row_fn rows,
                        int (*records)(void *arg, const sdb_audit_record *r), void *arg,
                        sdb_diag *d) SDB_WUR;

/* Policy changes (role "policy-set"). */
int sdb_session_policy_set(sdb_session *s, const char *purpose, const char *operation,
                           const char *index, int allow, sdb_diag *d) SDB_WUR;
int sdb_session_policy_set_authorization(sdb_session *s, const char *purpose, int needs,
                                         sdb_diag *d) SDB_WUR;
/* Index rules (show: role "rules-show"; set: "rules-set"). */
int sdb_session_index_rule(sdb_session *s, const char *index, sdb_index_rule *out,
                           sdb_diag *d) SDB_WUR;
int sdb_session_set_index_rule(sdb_session *s, const sdb_index_rule *rule, sdb_diag *d) SDB_WUR;

/* Users (role "user-admin"; the first user of an open-mode database may be
 * added by anyone and must be an admin). */
int sdb_session_user_add(sdb_session *s, const char *name, const char *role,
                         char token[SDB_HASH_HEX], sdb_diag *d) SDB_WUR;
int sdb_session_user_rotate(sdb_session *s, const char *name, char token[SDB_HASH_HEX],
                            sdb_diag *d) SDB_WUR;
int sdb_session_user_disable(sdb_session *s, const char *name, sdb_diag *d) SDB_WUR;
int sdb_session_user_foreach(sdb_session *s,
                             int (*fn)(void *arg, const char *name, const char *role,
                                       const char *created, int disabled),
                             void *arg, sdb_diag *d) SDB_WUR;

/* Retention (report: "retention-report"; run: "retention-run"; set:
 * "retention-set"; case close: "retention-set"; consent: "consent"). */
int sdb_session_retention_due(sdb_session *s, const char *as_of,
                              int (*fn)(void *arg, const sdb_due *due), void *arg,
                              sdb_diag *d) SDB_WUR;
int sdb_session_retention_run(sdb_session *s, const char *as_of, int dry_run, long *n,
                              sdb_diag *d) SDB_WUR;
int sdb_session_retention_set(sdb_session *s, const char *basis, const char *rule,
                              sdb_diag *d) SDB_WUR;
int sdb_session_case_close(sdb_session *s, const char *case_ref, const char *at,
                           sdb_diag *d) SDB_WUR;
int sdb_session_consent_give(sdb_session *s, const char *sample_id, const char *scope,
                             const char *at, sdb_diag *d) SDB_WUR;
int sdb_session_consent_withdraw(sdb_session *s, const char *sample_id, const char *at,
                                 sdb_diag *d) SDB_WUR;

/* ---- sample intake (docs/intake.md) --------------------------------------------- */

/* Registers count collection kits of one type and lot (expires: YYYY-MM-DD
 * or NULL) and issues one accession number per kit, PREFIXyy-nnnnnnn-c
 * (prefix NULL: "SDB"; c a Luhn check digit), given to fn after the commit.
 * Role action "intake"; one audit record "intake-kit". */
int sdb_session_intake_kit(sdb_session *s, const char *prefix, const char *type, const char *lot,
                           const char *expires, int count, sdb_intake_fn fn, void *arg,
                           long *kit_id, sdb_diag *d) SDB_WUR;
/* Appends one chain-of-custody event; an event out of order (typed before
 * received, anything after destroyed, a time before the last event's) is
 * SDB_EPERM with the reason, and audited as refused. Role "intake"; one
 * audit record "intake-event" (touching the sample), its number in *seq. */
int sdb_session_intake_event(sdb_session *s, const sdb_intake_event *e, long long *seq,
                             sdb_diag *d) SDB_WUR;
/* What a label of accession prints beside its barcodes: the kit type and lot
 * (never a name or genotype). Role "intake"; audited "intake-label". */
int sdb_session_intake_label(sdb_session *s, const char *accession, char kit_type[129],
                             char lot[65], sdb_diag *d) SDB_WUR;
/* One sample and its events, or (accession NULL) every sample, as rows:
 * section "sample" (accession, kit, kit_type, lot, expires, state, basis,
 * profile), "event" (n, event, at, actor, place, basis, note, audit_record),
 * or "samples" (accession, kit_type, lot, state, last_event_at). Role
 * "intake-show"; audited "intake-show". */
int sdb_session_intake_show(sdb_session *s, const char *accession, sdb_row_fn fn, void *arg,
                            sdb_diag *d) SDB_WUR;

/* Checkpoints the WAL and truncates it (after an expunction another
 * connection kept it from; role "expunge"). */
int sdb_session_truncate_wal(sdb_session *s, sdb_diag *d) SDB_WUR;

#ifdef __cplusplus
}
#endif
#endif
