/* The locus catalog: parse loci.tsv, look names up by normalised key.
 *
 * The text is copied once and split in place; every sdb_locus string points
 * into that copy. Lookups go through a sorted array of (key, locus) pairs
 * holding every canonical name and alias, searched with bsearch.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "strdb/locus.h"

#define KEY_MAX 48
#define N_FIELDS 10

typedef struct name_entry {
    char key[KEY_MAX];
    const sdb_locus *locus;
} name_entry;

struct sdb_catalog {
    char *text;
    sdb_locus *loci;
    int n_loci;
    const sdb_locus **by_id; /* index = id */
    unsigned max_id;
    name_entry *names;
    int n_names;
};

/* Generated at build time from data/loci.tsv (see Makefile). */
extern const char sdb_loci_tsv[];
extern const size_t sdb_loci_tsv_len;

int sdb_name_key(const char *s, size_t len, char *key, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ' || c == '_' || c == '-' || c == '\t') continue;
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (n + 1 >= size) return -1;
        key[n++] = c;
    }
    key[n] = '\0';
    return (int)n;
}

const char *sdb_locus_type_name(sdb_locus_type t)
{
    static const char *names[] = {"autosomal", "Y", "X", "sex", "control"};
    return (unsigned)t < 5 ? names[t] : "?";
}

static int parse_type(const char *s, sdb_locus_type *t)
{
    for (int i = 0; i < 5; i++)
        if (strcmp(s, sdb_locus_type_name((sdb_locus_type)i)) == 0) {
            *t = (sdb_locus_type)i;
            return 0;
        }
    return -1;
}

static int parse_uint(const char *s, long max, long *out)
{
    char *end;
    if (!*s) {
        *out = 0;
        return 0;
    }
    long v = strtol(s, &end, 10);
    if (*end || v < 0 || v > max) return -1;
    *out = v;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const name_entry *)a)->key, ((const name_entry *)b)->key);
}

static int add_name(sdb_catalog *c, const char *s, size_t len, const sdb_locus *l)
{
    name_entry *e = &c->names[c->n_names];
    if (sdb_name_key(s, len, e->key, sizeof e->key) <= 0) return -1;
    e->locus = l;
    c->n_names++;
    return 0;
}

/* Splits line on tabs into at most N_FIELDS fields; returns the count. */
static int split_tabs(char *line, char **f)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p; p++)
        if (*p == '\t') {
            *p = '\0';
            if (n == N_FIELDS) return N_FIELDS + 1;
            f[n++] = p + 1;
        }
    return n;
}

static int parse_row(sdb_catalog *c, char **f, const char *name, long lineno, sdb_diag *d)
{
    sdb_locus *l = &c->loci[c->n_loci];
    long id, copies, rl, mut, mei;
    char *end;
    if (parse_uint(f[0], SDB_LOCUS_ID_MAX, &id) || id == 0) goto bad_id;
    if (!f[1][0] || parse_type(f[2], &l->type) || parse_uint(f[3], 8, &copies) || copies < 1 ||
        parse_uint(f[4], 255, &rl) || parse_uint(f[6], 1000000000, &mut) ||
        parse_uint(f[7], 1000000000, &mei)) {
        sdb_diag_set(d, name, lineno, f[1], "malformed catalog row");
        return SDB_EFORMAT;
    }
    l->mutation_rate = f[5][0] ? strtod(f[5], &end) : 0.0;
    if (f[5][0] && (*end || l->mutation_rate < 0 || l->mutation_rate > 1)) {
        sdb_diag_set(d, name, lineno, "mutation_rate", "not a probability: '%s'", f[5]);
        return SDB_EFORMAT;
    }
    l->id = (uint16_t)id;
    l->name = f[1];
    l->copies = (uint8_t)copies;
    l->repeat_len = (uint8_t)rl;
    l->mutations = (int)mut;
    l->meioses = (int)mei;
    l->sets = f[8];
    l->aliases = f[9];
    c->n_loci++;
    return SDB_OK;
bad_id:
    sdb_diag_set(d, name, lineno, "id", "locus id must be 1..%d, got '%s'", SDB_LOCUS_ID_MAX, f[0]);
    return SDB_EFORMAT;
}

static int build_names(sdb_catalog *c, const char *name, sdb_diag *d)
{
    size_t cap = 2 * (size_t)(unsigned)c->n_loci; /* canonical names + one alias list each */
    for (int i = 0; i < c->n_loci; i++)
        for (const char *p = c->loci[i].aliases; *p; p++)
            cap += *p == '|';
    c->names = calloc(cap, sizeof *c->names);
    if (!c->names) return SDB_ENOMEM;
    for (int i = 0; i < c->n_loci; i++) {
        const sdb_locus *l = &c->loci[i];
        if (add_name(c, l->name, strlen(l->name), l)) goto bad;
        for (const char *a = l->aliases; *a;) {
            const char *bar = strchr(a, '|');
            size_t len = bar ? (size_t)(bar - a) : strlen(a);
            if (len && add_name(c, a, len, l)) goto bad;
            a += len + (bar != NULL);
        }
    }
    qsort(c->names, (size_t)c->n_names, sizeof *c->names, cmp_entry);
    for (int i = 1; i < c->n_names; i++)
        if (!strcmp(c->names[i].key, c->names[i - 1].key) &&
            c->names[i].locus != c->names[i - 1].locus) {
            sdb_diag_set(d, name, 0, c->names[i].key, "name shared by loci %s and %s",
                         c->names[i - 1].locus->name, c->names[i].locus->name);
            return SDB_EFORMAT;
        }
    return SDB_OK;
bad:
    sdb_diag_set(d, name, 0, NULL, "empty or overlong locus name or alias");
    return SDB_EFORMAT;
}

static int build_ids(sdb_catalog *c, const char *name, sdb_diag *d)
{
    for (int i = 0; i < c->n_loci; i++)
        if (c->loci[i].id > c->max_id) c->max_id = c->loci[i].id;
    c->by_id = calloc(c->max_id + 1, sizeof *c->by_id);
    if (!c->by_id) return SDB_ENOMEM;
    for (int i = 0; i < c->n_loci; i++) {
        const sdb_locus *l = &c->loci[i];
        if (c->by_id[l->id]) {
            sdb_diag_set(d, name, 0, "id", "locus id %u used twice", l->id);
            return SDB_EFORMAT;
        }
        c->by_id[l->id] = l;
    }
    return SDB_OK;
}

/* Parser states: comment/blank lines are skipped anywhere; the first other
 * line must be the header; every later line is a locus row. */
int sdb_catalog_parse(sdb_catalog **out, const char *name, const char *text, size_t len,
                      sdb_diag *d)
{
    int rc = SDB_ENOMEM;
    sdb_catalog *c = calloc(1, sizeof *c);
    if (!c) return SDB_ENOMEM;
    c->text = malloc(len + 1);
    size_t max_rows = 1;
    for (size_t i = 0; i < len; i++)
        max_rows += text[i] == '\n';
    c->loci = calloc(max_rows, sizeof *c->loci);
    if (!c->text || !c->loci) goto fail;
    memcpy(c->text, text, len);
    c->text[len] = '\0';
    rc = SDB_EFORMAT;
    if (memchr(text, '\0', len)) {
        sdb_diag_set(d, name, 0, NULL, "binary data in catalog");
        goto fail;
    }
    int seen_header = 0;
    long lineno = 0;
    for (char *line = c->text, *next; line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r') line[--l] = '\0';
        if (l == 0 || line[0] == '#') continue;
        char *f[N_FIELDS + 1];
        int nf = split_tabs(line, f);
        if (nf != N_FIELDS) {
            sdb_diag_set(d, name, lineno, NULL, "expected %d tab-separated fields, found %d",
                         N_FIELDS, nf);
            goto fail;
        }
        if (!seen_header) {
            if (strcmp(f[0], "id") || strcmp(f[1], "name")) {
                sdb_diag_set(d, name, lineno, NULL, "missing header 'id<TAB>name<TAB>...'");
                goto fail;
            }
            seen_header = 1;
            continue;
        }
        if ((rc = parse_row(c, f, name, lineno, d))) goto fail;
        rc = SDB_EFORMAT; /* for the checks of the next line */
    }
    rc = SDB_EFORMAT;
    if (c->n_loci == 0) {
        sdb_diag_set(d, name, 0, NULL, "catalog holds no locus");
        goto fail;
    }
    if ((rc = build_ids(c, name, d)) || (rc = build_names(c, name, d))) goto fail;
    *out = c;
    return SDB_OK;
fail:
    sdb_catalog_free(c);
    return rc;
}

void sdb_catalog_free(sdb_catalog *c)
{
    if (!c) return;
    free(c->names);
    free(c->by_id);
    free(c->loci);
    free(c->text);
    free(c);
}

static sdb_catalog *builtin;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void load_builtin(void)
{
    sdb_diag d;
    if (sdb_catalog_parse(&builtin, "data/loci.tsv", sdb_loci_tsv, sdb_loci_tsv_len, &d))
        sdb_log(SDB_LOG_ERROR, "built-in locus catalog: %s", d.reason);
}

const sdb_catalog *sdb_catalog_default(void)
{
    pthread_once(&builtin_once, load_builtin);
    return builtin;
}

int sdb_catalog_count(const sdb_catalog *c)
{
    return c->n_loci;
}

const sdb_locus *sdb_catalog_at(const sdb_catalog *c, int i)
{
    return i >= 0 && i < c->n_loci ? &c->loci[i] : NULL;
}

const sdb_locus *sdb_catalog_by_id(const sdb_catalog *c, unsigned id)
{
    return id <= c->max_id ? c->by_id[id] : NULL;
}

const sdb_locus *sdb_catalog_find(const sdb_catalog *c, const char *s, size_t len)
{
    name_entry key;
    if (sdb_name_key(s, len, key.key, sizeof key.key) <= 0) return NULL;
    const name_entry *e = bsearch(&key, c->names, (size_t)c->n_names, sizeof *c->names, cmp_entry);
    return e ? e->locus : NULL;
}

/* 1 if the '|'-list holds kit (compared by key). */
static int list_has(const char *list, const char *kit)
{
    char want[KEY_MAX], got[KEY_MAX];
    if (sdb_name_key(kit, strlen(kit), want, sizeof want) <= 0) return 0;
    while (*list) {
        const char *bar = strchr(list, '|');
        size_t len = bar ? (size_t)(bar - list) : strlen(list);
        if (sdb_name_key(list, len, got, sizeof got) > 0 && !strcmp(got, want)) return 1;
        list += len + (bar != NULL);
    }
    return 0;
}

int sdb_locus_in_set(const sdb_locus *l, const char *kit)
{
    return list_has(l->sets, kit);
}

int sdb_catalog_has_set(const sdb_catalog *c, const char *kit)
{
    for (int i = 0; i < c->n_loci; i++)
        if (list_has(c->loci[i].sets, kit)) return 1;
    return 0;
}
