/* Simulation benchmark: persons per second and peak memory for N persons
 * (founders chosen so that 10 generations at 2% growth reach N), Y-only
 * (Yfiler Plus) and Yfiler Plus + CODIS 20, on 1 thread (the baseline,
 * measured in the same run) and on 2. Profiles are built for a 1% sample,
 * as `strdb simulate` does for its database. Prints one JSON object.
 *
 *   bench_simulate N */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"
#include "engine_internal.h"


static long count;

static int on_person(void *arg, const sdb_sim_person *p)
{
    (void)arg;
    (void)p;
    count++;
    return 0;
}

static int sample(void *arg, uint64_t id, int generation)
{
    (void)arg;
    (void)generation;
    return sdb_sim_hash(1, id, 7, 7) % 100 == 0;
}

static double run(long founders, int threads, int autosomal, const sdb_freq *f)
{
    sdb_sim_opts o;
    sdb_sim_opts_init(&o);
    o.founders = founders;
    o.generations = 10;
    o.growth = 0.02;
    o.y_kit = "Yfiler Plus";
    o.autosomal_kit = autosomal ? "CODIS 20" : NULL;
    o.freq = f;
    o.pop = sdb_freq_find_population(f, "Cauc");
    o.threads = threads;
    o.want_profiles = sample;
    sdb_diag d;
    count = 0;
    double t0 = bench_now();
    if (sdb_simulate(sdb_catalog_default(), &o, on_person, NULL, &d)) {
        fprintf(stderr, "bench_simulate: %s\n", d.reason);
        exit(1);
    }
    return (double)count / (bench_now() - t0);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    sdb_freq *f;
    if (sdb_init() || sdb_freq_builtin_nist1036(&f, sdb_catalog_default())) return 1;
    double gens = 0;
    for (int g = 0; g <= 10; g++)
        gens += pow(1.02, g);
    long founders = (long)((double)n / gens);
    double y1 = run(founders, 1, 0, f), y2 = run(founders, 2, 0, f);
    double a1 = run(founders, 1, 1, f), a2 = run(founders, 2, 1, f);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\n  \"benchmark\": \"simulate\",\n  \"persons\": %ld,\n  \"generations\": 11,\n"
           "  \"y_only_persons_per_s_1_thread_baseline\": %.0f,\n"
           "  \"y_only_persons_per_s_2_threads\": %.0f,\n"
           "  \"y_and_codis20_persons_per_s_1_thread_baseline\": %.0f,\n"
           "  \"y_and_codis20_persons_per_s_2_threads\": %.0f,\n"
           "  \"peak_rss_kb\": %ld,\n  \"target_y_only_persons_per_s\": 1000000\n}\n",
           count, y1, y2, a1, a2, ru.ru_maxrss);
    sdb_freq_free(f);
    return 0;
}
