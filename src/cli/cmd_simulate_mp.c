/* strdb simulate --mp-families N: missing-person families, references,
 * remains and the truth (sdb_sim_missing), as files and optionally in a
 * database. */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "strdb/pedigree.h"

static const char mp_sim_usage[] =
    "usage: strdb simulate --mp-families N --out DIR [--db DB] [options]\n\n"
    "Missing-person families (docs/simulate.md): N pedigrees of five shapes in turn at\n"
    "random (child-both-parents, child-mother-sibling, father-mother-two-children,\n"
    "one-full-sibling, grandchild-grandparents-mother), genotypes dropped from founders\n"
    "drawn from the table, the relatives of each shape typed as references, the\n"
    "missing person's remains found with probability --mp-found (default 0.5), each\n"
    "locus of remains lost with probability --mp-loss (default 0.1), and --mp-unrelated\n"
    "K remains of unrelated persons (default 100). Writes into DIR:\n"
    "  mp_families.csv   id,father,mother,sex,sample_id,family,missing (strdb pedigree import)\n"
    "  mp_relatives.jsonl  the references (import into relative-of-missing)\n"
    "  mp_remains.jsonl  the remains (import into unidentified-remains)\n"
    "  mp_truth.csv      remains,family,missing,shape (empty family: unrelated)\n"
    "With --db DB all three are imported (DB created if missing; basis\n"
    "missing-person-report). The same --seed gives the same files.\n\n"
    "  --seed N  --kit K (default \"CODIS 20\")  --freq FILE  --pop NAME (default Cauc)\n"
    "  --mutation R   per locus and transmission, one step up or down (default 0)\n"
    "  --mp-shape S   every family of shape S\n";

enum { O_N = 1, O_OUT, O_DB, O_SEED, O_KIT, O_FREQ, O_POP, O_MUT, O_FOUND, O_LOSS, O_UNREL, O_SHAPE };

typedef struct mp_sim_cli {
    const char *out, *db, *freq, *pop;
    sdb_sim_mp_opts o;
} mp_sim_cli;

static int parse(int argc, char **argv, mp_sim_cli *c)
{
    static const struct option longopts[] = {
        {"mp-families", required_argument, NULL, O_N}, {"out", required_argument, NULL, O_OUT},
        {"db", required_argument, NULL, O_DB},         {"seed", required_argument, NULL, O_SEED},
        {"kit", required_argument, NULL, O_KIT},       {"freq", required_argument, NULL, O_FREQ},
        {"pop", required_argument, NULL, O_POP},       {"mutation", required_argument, NULL, O_MUT},
        {"mp-found", required_argument, NULL, O_FOUND}, {"mp-loss", required_argument, NULL, O_LOSS},
        {"mp-unrelated", required_argument, NULL, O_UNREL},
        {"mp-shape", required_argument, NULL, O_SHAPE}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset(c, 0, sizeof *c);
    sdb_sim_mp_opts_init(&c->o);
    c->o.shape = -1;
    c->pop = "Cauc";
    const char *cmd = "simulate";
    long v;
    int k;
    optind = 1;
    while ((k = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (k) {
        case O_N:
            if (cli_integer(cmd, "--mp-families", optarg, 0, 10000000, &v)) return EXIT_USAGE;
            c->o.families = v;
            break;
        case O_UNREL:
            if (cli_integer(cmd, "--mp-unrelated", optarg, 0, 100000000, &v)) return EXIT_USAGE;
            c->o.unrelated = v;
            break;
        case O_SEED:
            if (cli_integer(cmd, "--seed", optarg, 0, 2147483647L, &v)) return EXIT_USAGE;
            c->o.seed = (uint64_t)v;
            break;
        case O_OUT: c->out = optarg; break;
        case O_DB: c->db = optarg; break;
        case O_KIT: c->o.kit = optarg; break;
        case O_FREQ: c->freq = optarg; break;
        case O_POP: c->pop = optarg; break;
        case O_MUT:
            if (cli_number(cmd, "--mutation", optarg, 0, 0.5, &c->o.mutation)) return EXIT_USAGE;
            break;
        case O_FOUND:
            if (cli_number(cmd, "--mp-found", optarg, 0, 1, &c->o.found)) return EXIT_USAGE;
            break;
        case O_LOSS:
            if (cli_number(cmd, "--mp-loss", optarg, 0, 0.9, &c->o.locus_loss)) return EXIT_USAGE;
            break;
        case O_SHAPE:
            for (c->o.shape = 0; sdb_sim_mp_shape(c->o.shape) &&
                                 strcmp(sdb_sim_mp_shape(c->o.shape), optarg);
                 c->o.shape++)
                ;
            if (!sdb_sim_mp_shape(c->o.shape)) {
                cli_error(cmd, "--mp-shape: unknown shape '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h': cli_usage(mp_sim_usage, 0); return -1;
        default: return cli_usage(mp_sim_usage, 1);
        }
    }
    if (optind != argc || !c->out) return cli_usage(mp_sim_usage, 1);
    return 0;
}

static FILE *open_out(const char *dir, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) cli_error("simulate", "cannot write %s: %s", path, strerror(errno));
    return f;
}

static int write_files(const mp_sim_cli *c, const sdb_sim_mp *m, char paths[4][1100])
{
    const sdb_catalog *cat = sdb_catalog_default();
    FILE *ped = open_out(c->out, "mp_families.csv", paths[0], sizeof paths[0]);
    FILE *rel = open_out(c->out, "mp_relatives.jsonl", paths[1], sizeof paths[1]);
    FILE *rem = open_out(c->out, "mp_remains.jsonl", paths[2], sizeof paths[2]);
    FILE *tru = open_out(c->out, "mp_truth.csv", paths[3], sizeof paths[3]);
    int rc = ped && rel && rem && tru ? SDB_OK : SDB_EIO;
    if (!rc) {
        fprintf(ped, "id,father,mother,sex,sample_id,family,missing\n");
        fprintf(tru, "remains,family,missing,shape\n");
    }
    for (long f = 0; !rc && f < m->n_families; f++) {
        const sdb_mp_family *fam = &m->families[f];
        for (int i = 0; !rc && i < fam->n; i++) {
            fprintf(ped, "%s,%s,%s,%c,%s,%s,%d\n", fam->ids[i],
                    fam->father[i] >= 0 ? fam->ids[fam->father[i]] : "",
                    fam->mother[i] >= 0 ? fam->ids[fam->mother[i]] : "", fam->sex[i],
                    fam->typed[i] ? fam->typed[i]->sample_id : "", fam->name, fam->missing[i]);
            if (fam->typed[i]) rc = sdb_write_jsonl(rel, cat, fam->typed[i], NULL);
        }
    }
    for (long r = 0; !rc && r < m->n_remains; r++) {
        rc = sdb_write_jsonl(rem, cat, &m->remains[r], NULL);
        long f = m->truth_family[r];
        fprintf(tru, "%s,%s,%s,%s\n", m->remains[r].sample_id, f >= 0 ? m->families[f].name : "",
                f >= 0 ? m->families[f].ids[m->truth_person[r]] : "",
                f >= 0 ? sdb_sim_mp_shape(m->shape[f]) : "");
    }
    FILE *all[4] = {ped, rel, rem, tru};
    for (int k = 0; k < 4; k++)
        if (all[k] && fclose(all[k]) && !rc) rc = SDB_EIO;
    if (rc) cli_error("simulate", "writing %s failed", c->out);
    return rc;
}

/* The three files into DB, in the order their links need. */
static int import_all(const mp_sim_cli *c, char paths[4][1100])
{
    sdb_session *db = NULL;
    sdb_diag d;
    sdb_diag_clear(&d);
    if (cli_session_or_create("simulate", c->db, &db)) return EXIT_FAIL;
    int rc = SDB_OK;
    const char *index[2] = {"relative-of-missing", "unidentified-remains"};
    for (int k = 0; k < 2 && !rc; k++) {
        sdb_import_opts o;
        sdb_import_opts_init(&o);
        o.index = index[k];
        o.basis = "missing-person-report";
        sdb_import_stats st;
        if (!(rc = sdb_session_import(db, paths[1 + k], &o, &st, &d)))
            fprintf(stderr, "[strdb simulate] %ld profiles imported into %s (%s)\n",
                    st.n_imported, c->db, index[k]);
    }
    sdb_pedigree_stats ps;
    if (!rc && !(rc = sdb_session_pedigree_import(db, paths[0], &ps, &d)))
        fprintf(stderr, "[strdb simulate] %ld persons, %ld missing-person families imported\n",
                ps.persons, ps.families);
    sdb_session_close(db);
    if (rc) cli_diag("simulate", rc, &d);
    return rc ? EXIT_FAIL : EXIT_OK;
}

int main_simulate_mp(int argc, char **argv)
{
    mp_sim_cli c;
    int rc = parse(argc, argv, &c);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    const sdb_catalog *cat = sdb_catalog_default();
    if (cli_make_dir("simulate", c.out)) return EXIT_FAIL;
    sdb_freq *freq = NULL;
    if (cli_sim_freq(c.freq, c.pop, &freq, &c.o.pop)) {
        sdb_freq_free(freq);
        return EXIT_FAIL;
    }
    c.o.freq = freq;
    sdb_diag d;
    sdb_diag_clear(&d);
    int st;
    sdb_sim_mp m;
    char paths[4][1100];
    rc = EXIT_FAIL;
    if ((st = sdb_sim_missing(cat, &c.o, &m, &d)))
        cli_diag("simulate", st, &d);
    else if (!write_files(&c, &m, paths)) {
        fprintf(stderr, "[strdb simulate] %ld missing-person families, %ld remains (%ld of them "
                        "unrelated) written to %s\n",
                m.n_families, m.n_remains, c.o.unrelated, c.out);
        rc = c.db ? import_all(&c, paths) : EXIT_OK;
    }
    sdb_sim_mp_free(&m);
    sdb_freq_free(freq);
    return rc;
}
