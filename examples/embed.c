/* The shortest correct use of libstrdb: create a database, import a file,
 * read one profile back, verify the audit chain.
 *
 *   cc embed.c $(pkg-config --cflags --libs ...) -lstrdb
 *   ./embed new.db profiles.csv
 */
#include <stdio.h>

#include "strdb/strdb.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: embed NEW.db PROFILES\n");
        return 2;
    }
    sdb_ctx ctx = {"embed-example", "administration", NULL, NULL};
    sdb_db *db = NULL;
    sdb_diag d = {0};
    char msg[1024];
    sdb_import_opts o;
    sdb_import_stats st;
    sdb_profile p;
    long long n_audit;
    char head[SDB_HASH_HEX];
    int rc = sdb_init();

    sdb_profile_init(&p);
    if (!rc) rc = sdb_db_create(&db, argv[1], &ctx, &d);
    if (rc) goto fail;
    sdb_import_opts_init(&o);
    o.index = "population";
    o.basis = "population-study";
    if ((rc = sdb_db_import(db, &ctx, argv[2], &o, &st, &d))) goto fail;
    printf("imported %ld profiles (batch %ld)\n", st.n_imported, st.batch_id);

    sdb_iter *it;
    if ((rc = sdb_iter_open(&it, db, NULL, NULL))) goto fail;
    rc = sdb_iter_next(it, &p, NULL);
    sdb_iter_close(it);
    if (rc) goto fail;
    printf("first profile %s: %d loci\n", p.sample_id, p.n_calls);
    if ((rc = sdb_audit_append(db, &ctx, "show", p.sample_id, 1, "ok"))) goto fail;
    if ((rc = sdb_audit_verify(db, &n_audit, head, NULL, &d))) goto fail;
    printf("audit chain: %lld records, head %.16s...\n", n_audit, head);
    sdb_profile_free(&p);
    sdb_db_close(db);
    return 0;
fail:
    fprintf(stderr, "embed: %s\n",
            d.reason[0] ? sdb_diag_format(&d, msg, sizeof msg) : sdb_strerror(rc));
    sdb_profile_free(&p);
    sdb_db_close(db);
    return 1;
}
