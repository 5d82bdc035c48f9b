/* strdb mp: what the mp subcommands share (src/cli/cmd_mp.c). */
#ifndef STRDB_CLI_MP_H
#define STRDB_CLI_MP_H

#include "cli.h"
#include "strdb/pedigree.h"
#include "strdb/stats.h"

#define MAX_REFS 256

typedef struct mp_args {
    const char *freq, *pop, *ped, *missing, *poi, *fam, *fam_pedigree, *poi_person;
    int fam_mutation;
    const char *refs[MAX_REFS];
    int n_refs;
    sdb_pedlik_model model;
    double female_rate, dropout;
    int have_female_rate, strict, json;
    long nsim;
    unsigned long long seed;
    cli_minimum min_freq;
    const char *missings[SDB_DVI_MAX_VICTIMS]; /* every --missing (mp dvi takes several) */
    int n_missing;
    const char *victims[SDB_DVI_MAX_VICTIMS]; /* mp dvi: ID[:SEX]=genotype */
    int n_victims;
    long top;
    double undisputed;
    /* over a database: mp search / dvi / draw */
    const char *pos[2]; /* DB [FAMILY] */
    int n_pos;
    sdb_ctx ctx;
    const char *family, *remains, *remains_index, *rank, *svg;
    double min_lr;
    long threads;
    int top_given;
} mp_args;

/* The family: persons of the file as indexes, with the connected component
 * of each (to find references with no path to the missing person). */
typedef struct family {
    sdb_pedigree *ped;
    sdb_pedlik *lik;
    int *component;
    int n;
    char **ids;   /* n, owned by ped or file */
    sdb_fam *file; /* --fam */
} family;

/* The options of every mp subcommand (need_poi: --poi or --poi-person is
 * required); returns 0, -1 after --help, or an exit code. */
int mp_parse(int argc, char **argv, mp_args *a, const char *cmd, int need_poi);
char *mp_slurp(const char *path, size_t *len);
int mp_find_person(const family *fam, const char *id, size_t len);
int mp_root(int *up, int i);
int mp_load_family(const char *cmd, const char *path, family *fam);
void mp_family_free(family *fam);
int mp_genotype(const char *cmd, const char *opt, const char *text, sdb_profile *p);
void mp_mutation_text(const sdb_pedlik_model *m, char *buf, size_t size);
int mp_case_model(const char *cmd, mp_args *a, const family *fam, sdb_freq **f, int *pop);
void mp_name_person(sdb_diag *d, const family *fam);
int mp_dvi_main(int argc, char **argv);
/* mp search DB / mp draw DB FAMILY (argv[0] says which). */
int mp_db_main(int argc, char **argv);

#endif
