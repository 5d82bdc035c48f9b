/* The shortest correct use of libstrdb: create a database, import a file,
 * read one profile back through a session (the read is checked against the
 * purpose policy and audited before the profile reaches us), verify the
 * audit chain.
 *
 *   cc embed.c $(pkg-config --cflags --libs ...) -lstrdb
 *   ./embed new.db profiles.csv
 */
#include <stdio.h>

#include "strdb/strdb.h"

static int print_profile(void *arg, const sdb_profile *p, const sdb_stored *meta)
{
    printf("profile %s (%s): %d loci\n", p->sample_id, meta->index, p->n_calls);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: embed NEW.db PROFILES\n");
        return 2;
    }
    sdb_session_opts so = {.actor = "embed-example", .purpose = "administration"};
    sdb_session *s = NULL;
    sdb_diag d = {0};
    char msg[1024], head[SDB_HASH_HEX];
    sdb_import_opts o;
    sdb_import_stats st;
    long long n, n_cp, tail, bad;
    int rc = sdb_init();

    if (!rc) rc = sdb_session_create(&s, argv[1], &so, &d);
    sdb_import_opts_init(&o);
    o.index = "population";
    o.basis = "population-study";
    if (!rc) rc = sdb_session_import(s, argv[2], &o, &st, &d);
    if (!rc) printf("imported %ld profiles (batch %ld)\n", st.n_imported, st.batch_id);
    if (!rc) rc = sdb_session_show(s, "GT37019", print_profile, NULL, &d);
    if (!rc) rc = sdb_session_audit_verify(s, NULL, NULL, 0, &n, &n_cp, &tail, head, &bad, &d);
    if (!rc) printf("audit chain: %lld records, head %.16s...\n", n, head);
    if (rc)
        fprintf(stderr, "embed: %s\n",
                d.reason[0] ? sdb_diag_format(&d, msg, sizeof msg) : sdb_strerror(rc));
    sdb_session_close(s);
    return rc ? 1 : 0;
}
