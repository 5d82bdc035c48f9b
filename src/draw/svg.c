/* SVG drawings: a tidy tree layout shared by the pedigree, the paternal
 * family tree and the haplotype network of a lineage. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "strdb/draw.h"

#define UNIT 78.0  /* px per layout unit across */
#define LEVEL 96.0 /* px per generation down */
#define MARGIN 40.0
#define MAX_DRAWN 400 /* nodes of a tree drawing */

/* ---- layout ------------------------------------------------------------------------ */

typedef struct tnode {
    long parent;          /* drawn parent, -1 for a root */
    long child, sibling;  /* first child, next sibling (built by layout) */
    int partners;         /* partner symbols drawn right of the node */
    int depth;
    double width, x;      /* subtree width (units); x of the node's centre */
} tnode;

static double measure(tnode *v, long n)
{
    double w = 1 + v[n].partners, sum = 0;
    for (long c = v[n].child; c >= 0; c = v[c].sibling)
        sum += measure(v, c);
    return v[n].width = sum > w ? sum : w;
}

static void place(tnode *v, long n, double left)
{
    double own = 1 + v[n].partners, sum = 0;
    for (long c = v[n].child; c >= 0; c = v[c].sibling)
        sum += v[c].width;
    if (v[n].child < 0) {
        v[n].x = left + (v[n].width - own) / 2 + 0.5;
        return;
    }
    double at = left + (v[n].width - sum) / 2;
    long first = v[n].child, last = first;
    for (long c = v[n].child; c >= 0; c = v[c].sibling) {
        place(v, c, at);
        at += v[c].width;
        last = c;
    }
    /* the node (and its partners) centred over the children */
    v[n].x = (v[first].x + v[last].x) / 2 - v[n].partners / 2.0;
}

/* Lays out a forest (children in index order); returns the width in units. */
static double layout(tnode *v, long n)
{
    for (long i = 0; i < n; i++)
        v[i].child = v[i].sibling = -1;
    for (long i = n - 1; i >= 0; i--) /* prepend in reverse: children keep index order */
        if (v[i].parent >= 0) {
            v[i].sibling = v[v[i].parent].child;
            v[v[i].parent].child = i;
        }
    double left = 0;
    for (long i = 0; i < n; i++) {
        if (v[i].parent >= 0) continue;
        measure(v, i);
        place(v, i, left);
        left += v[i].width;
    }
    for (long i = 0; i < n; i++) /* depths follow parents (parents come first) */
        v[i].depth = v[i].parent >= 0 ? v[v[i].parent].depth + 1 : 0;
    return left;
}

static double px(double x)
{
    return MARGIN + x * UNIT;
}

static double py(int depth)
{
    return MARGIN + 40 + depth * LEVEL;
}

/* ---- SVG text --------------------------------------------------------------------- */

static void esc(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else if (*s == '&')
            fputs("&amp;", out);
        else if (*s == '"')
            fputs("&quot;", out);
        else
            fputc(*s, out);
    }
}

static void svg_begin(FILE *out, double width_units, int depth, const char *title)
{
    double w = 2 * MARGIN + (width_units < 9 ? 9 : width_units) * UNIT;
    double h = py(depth) + LEVEL / 2 + 40;
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
            " viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
            "<text x=\"%.0f\" y=\"28\" font-size=\"16\" font-weight=\"bold\">",
            w, h, w, h, MARGIN);
    esc(out, title);
    fputs("</text>\n", out);
}

static void text(FILE *out, double x, double y, int size, const char *anchor, const char *s)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\">", x, y, size,
            anchor);
    esc(out, s);
    fputs("</text>\n", out);
}

static void line(FILE *out, double x1, double y1, double x2, double y2)
{
    fprintf(out,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\""
            " stroke-width=\"1.5\"/>\n",
            x1, y1, x2, y2);
}

/* A person symbol: square (M), circle (F), diamond (U); filled when typed. */
static void symbol(FILE *out, double x, double y, char sex, int typed, int marked)
{
    const char *fill = typed ? "#3a5f8f" : "white";
    const double r = 15;
    if (sex == 'M')
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\"", x - r, y - r,
                2 * r, 2 * r);
    else if (sex == 'F')
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.0f\"", x, y, r);
    else
        fprintf(out, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\"", x, y - r - 3,
                x + r + 3, y, x, y + r + 3, x - r - 3, y);
    fprintf(out, " fill=\"%s\" stroke=\"black\" stroke-width=\"2\"/>\n", fill);
    if (marked) /* the proband's arrow */
        fprintf(out,
                "<path d=\"M%.1f %.1f l-14 14 m0 0 l2 -8 m-2 8 l8 -2\" stroke=\"#b22\""
                " stroke-width=\"2.5\" fill=\"none\"/>\n",
                x - r - 2, y + r + 2);
}

/* ---- pedigree --------------------------------------------------------------------- */

typedef struct pnode {
    long long id, father, mother;
    char sex;
    int typed, birth_year, lineal;
    char ext[128];
    long partner_of; /* for a partner: the lineal node it is drawn beside */
} pnode;

/* One person (id 0: the statement's parameter is already bound). */
static int load_person(sqlite3_stmt *st, long long id, pnode *p)
{
    if (id) sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        memset(p, 0, sizeof *p);
        p->id = sqlite3_column_int64(st, 0);
        p->father = sqlite3_column_int64(st, 1);
        p->mother = sqlite3_column_int64(st, 2);
        p->sex = ((const char *)sqlite3_column_text(st, 3))[0];
        p->birth_year = sqlite3_column_int(st, 4);
        p->typed = sqlite3_column_int(st, 5);
        snprintf(p->ext, sizeof p->ext, "%s", sqlite3_column_text(st, 6));
        p->partner_of = -1;
    }
    sqlite3_reset(st);
    return step == SQLITE_ROW ? SDB_OK : step == SQLITE_DONE ? SDB_ENOTFOUND : SDB_ESTORE;
}

#define PERSON_SQL                                                                                 \
    "SELECT id, coalesce(father, 0), coalesce(mother, 0), sex, coalesce(birth_year, 0),"           \
    " EXISTS (SELECT 1 FROM person_profile pp WHERE pp.person_id = person.id), ext_id FROM person"

static long find_node(const pnode *v, long n, long long id)
{
    for (long i = 0; i < n; i++)
        if (v[i].id == id) return i;
    return -1;
}

int sdb_draw_pedigree(sdb_db *db, const char *ext_id, int up, int down, FILE *out, sdb_diag *d)
{
    sqlite3_stmt *by_ext = NULL, *by_id = NULL, *kids = NULL;
    pnode *v = calloc(MAX_DRAWN, sizeof *v);
    tnode *t = calloc(MAX_DRAWN, sizeof *t);
    long n = 0;
    int rc = v && t ? SDB_OK : SDB_ENOMEM, truncated = 0;
    if (!rc && (store_prepare(db, PERSON_SQL " WHERE ext_id = ?", &by_ext, d) ||
                store_prepare(db, PERSON_SQL " WHERE id = ?", &by_id, d) ||
                store_prepare(db, "SELECT id FROM person WHERE father = ?1 OR mother = ?1"
                                  " ORDER BY coalesce(birth_year, 0), id",
                              &kids, d)))
        rc = SDB_ESTORE;
    pnode self, top;
    sqlite3_bind_text(by_ext, 1, ext_id, -1, SQLITE_STATIC);
    if (!rc) rc = load_person(by_ext, 0, &self) == SDB_OK ? SDB_OK : SDB_ENOTFOUND;
    if (rc == SDB_ENOTFOUND) sdb_diag_set(d, NULL, 0, "person", "no person '%s'", ext_id);
    int self_depth = 0;
    if (!rc) {
        top = self;
        for (int g = 0; g < up && (top.father || top.mother); g++, self_depth++)
            if (load_person(by_id, top.father ? top.father : top.mother, &top)) break;
        v[n] = top;
        v[n].lineal = 1;
        t[n++] = (tnode){-1, -1, -1, 0, 0, 0, 0};
    }
    /* breadth first: lineal descendants, then each one's partners */
    for (long i = 0; !rc && i < n; i++) {
        if (!v[i].lineal || t[i].depth >= self_depth + down) continue;
        sqlite3_bind_int64(kids, 1, v[i].id);
        long long ids[256];
        int nk = 0;
        while (sqlite3_step(kids) == SQLITE_ROW && nk < 256)
            ids[nk++] = sqlite3_column_int64(kids, 0);
        sqlite3_reset(kids);
        for (int k = 0; k < nk && !rc; k++) {
            if (find_node(v, n, ids[k]) >= 0) continue; /* reached through the other parent */
            if (n + 2 >= MAX_DRAWN) {
                truncated = 1;
                break;
            }
            pnode c;
            if ((rc = load_person(by_id, ids[k], &c))) break;
            long long other = c.father == v[i].id ? c.mother : c.father;
            if (other && find_node(v, n, other) < 0) { /* the partner, beside v[i] */
                pnode p;
                if (!load_person(by_id, other, &p)) {
                    p.partner_of = i;
                    v[n] = p;
                    t[n] = (tnode){-2, -1, -1, 0, t[i].depth, 0, 0};
                    t[i].partners++;
                    n++;
                }
            }
            c.lineal = 1;
            v[n] = c;
            t[n] = (tnode){i, -1, -1, 0, t[i].depth + 1, 0, 0};
            n++;
        }
    }
    sqlite3_finalize(by_ext);
    sqlite3_finalize(by_id);
    sqlite3_finalize(kids);
    if (rc) {
        free(v);
        free(t);
        return rc;
    }
    /* lay out the lineal nodes; partners take the units right of theirs */
    long *map = malloc((size_t)n * sizeof *map), m = 0;
    tnode *lt = malloc((size_t)n * sizeof *lt);
    if (!map || !lt) rc = SDB_ENOMEM;
    for (long i = 0; !rc && i < n; i++)
        if (t[i].parent != -2) {
            map[i] = m;
            lt[m] = t[i];
            lt[m].parent = t[i].parent >= 0 ? map[t[i].parent] : -1;
            m++;
        }
    double width = rc ? 0 : layout(lt, m);
    int max_depth = 0;
    for (long i = 0; !rc && i < n; i++) {
        if (t[i].parent == -2) {
            long owner = map[v[i].partner_of];
            int k = 0;
            for (long j = 0; j < i; j++)
                k += t[j].parent == -2 && v[j].partner_of == v[i].partner_of;
            t[i].x = lt[owner].x + 1 + k;
            t[i].depth = lt[owner].depth;
        } else {
            t[i].x = lt[map[i]].x;
            t[i].depth = lt[map[i]].depth;
        }
        if (t[i].depth > max_depth) max_depth = t[i].depth;
    }
    if (!rc) {
        char title[256];
        snprintf(title, sizeof title, "Pedigree of %s%s", ext_id,
                 truncated ? " (truncated: too many persons)" : "");
        svg_begin(out, width + 1, max_depth, title);
        /* partnership lines, then lines of descent, then symbols on top */
        /* partners stand in a row right of their lineal partner, joined in
         * turn; a child hangs from the segment just left of its other parent */
        for (long i = 0; i < n; i++)
            if (t[i].parent == -2)
                line(out, px(t[i].x - 1) + 15, py(t[i].depth), px(t[i].x) - 15, py(t[i].depth));
        for (long i = 0; i < n; i++) {
            if (t[i].parent < 0) continue;
            long p = t[i].parent;
            long long other = v[i].father == v[p].id ? v[i].mother : v[i].father;
            double from = px(t[p].x);
            for (long j = 0; j < n; j++) /* drop from the couple's line */
                if (t[j].parent == -2 && v[j].partner_of == p && v[j].id == other)
                    from = px(t[j].x - 0.5);
            double mid = py(t[p].depth) + LEVEL / 2;
            line(out, from, py(t[p].depth), from, mid);
            line(out, from, mid, px(t[i].x), mid);
            line(out, px(t[i].x), mid, px(t[i].x), py(t[i].depth) - 15);
        }
        for (long i = 0; i < n; i++) {
            double x = px(t[i].x), y = py(t[i].depth);
            symbol(out, x, y, v[i].sex, v[i].typed, !strcmp(v[i].ext, ext_id));
            text(out, x, y + 32, 11, "middle", v[i].ext);
            if (v[i].birth_year) {
                char b[16];
                snprintf(b, sizeof b, "b. %d", v[i].birth_year);
                text(out, x, y + 45, 10, "middle", b);
            }
        }
        text(out, MARGIN, py(max_depth) + LEVEL / 2 + 20, 11, "start",
             "square: man, circle: woman, diamond: unknown; filled: typed; arrow: the person;"
             " partners right of their partner, children below the line to their other parent");
        fputs("</svg>\n", out);
    }
    free(map);
    free(lt);
    free(v);
    free(t);
    return rc;
}

/* ---- lineages ------------------------------------------------------------------- */

typedef struct hap {
    sdb_profile p;
    char first[128]; /* the smallest sample id */
    long count;
} hap;

static int cmp_hap(const void *a, const void *b)
{
    const hap *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->first, y->first);
}

/* Differences of two haplotypes: loci typed in both that differ, steps, and
 * a label of the first three, one per line ("DYS19 +1\nDYS390 -1"). */
static void y_diff(const sdb_catalog *cat, const sdb_profile *a, const sdb_profile *b,
                   int *loci, int *steps, char *label, size_t size)
{
    *loci = *steps = 0;
    size_t n = 0;
    label[0] = '\0';
    for (int i = 0; i < b->n_calls; i++) {
        const sdb_call *cb = &b->calls[i], *ca = sdb_profile_call(a, cb->locus);
        if (!ca) continue;
        int differs = ca->n != cb->n, st = 0, delta = 0;
        for (uint32_t k = 0; !differs && k < ca->n; k++) {
            int diff = b->alleles[cb->first + k] - a->alleles[ca->first + k];
            if (diff) differs = 1;
            if (diff % 10 == 0) st += abs(diff) / 10, delta += diff / 10;
        }
        if (!differs) continue;
        (*loci)++;
        *steps += st;
        if (*loci <= 3 && n + 40 < size)
            n += (size_t)snprintf(label + n, size - n, "%s%s %+d", n ? "\n" : "",
                                  sdb_catalog_by_id(cat, cb->locus)->name, delta);
    }
    if (*loci > 3 && n + 20 < size) snprintf(label + n, size - n, "\n+%d more", *loci - 3);
}

static int draw_network(sdb_db *db, long long id, const char *indexes, int max_nodes, FILE *out,
                        sdb_diag *d)
{
    sqlite3_stmt *st;
    if (store_prepare(db,
                      "SELECT p.sample_id, p.genotype FROM lineage_member m JOIN profile p"
                      " ON p.id = m.profile_id WHERE m.lineage_id = ?2 AND " STORE_INDEX_IN(
                          "p.index_name") " ORDER BY p.genotype, p.sample_id",
                      &st, d))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, indexes, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    hap *h = NULL;
    long n = 0, cap = 0, members = 0;
    int rc = SDB_OK;
    const void *prev = NULL;
    int prev_len = -1;
    unsigned char *prev_blob = NULL;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(st, 1);
        int len = sqlite3_column_bytes(st, 1);
        members++;
        if (prev && len == prev_len && !memcmp(blob, prev_blob, (size_t)len)) {
            h[n - 1].count++; /* rows come sorted by genotype, then id */
            continue;
        }
        if (n == cap) {
            hap *t = realloc(h, (size_t)(cap = cap ? 2 * cap : 64) * sizeof *h);
            if (!t) {
                rc = SDB_ENOMEM;
                break;
            }
            h = t;
        }
        sdb_profile_init(&h[n].p);
        rc = genotype_decode(&h[n].p, db->cat, blob, (size_t)len);
        snprintf(h[n].first, sizeof h[n].first, "%s", sqlite3_column_text(st, 0));
        h[n++].count = 1;
        free(prev_blob);
        prev_blob = malloc((size_t)len + 1);
        if (!prev_blob) rc = SDB_ENOMEM;
        else
            memcpy(prev_blob, blob, (size_t)len);
        prev = prev_blob;
        prev_len = len;
    }
    sqlite3_finalize(st);
    free(prev_blob);
    if (!rc && !n) {
        sdb_diag_set(d, NULL, 0, "lineage", "no lineage %lld (with members the purpose may read)", id);
        rc = SDB_ENOTFOUND;
    }
    long shown = n < max_nodes ? n : max_nodes;
    tnode *t = calloc((size_t)(shown ? shown : 1), sizeof *t);
    int *best_l = malloc((size_t)(shown ? shown : 1) * sizeof *best_l);
    int *best_s = malloc((size_t)(shown ? shown : 1) * sizeof *best_s);
    char *in = calloc((size_t)(shown ? shown : 1), 1);
    if (!rc && (!t || !best_l || !best_s || !in)) rc = SDB_ENOMEM;
    if (!rc) {
        qsort(h, (size_t)n, sizeof *h, cmp_hap);
        /* Prim's spanning tree from the most common haplotype; fewest
         * differing loci, then steps, then index */
        char label[256];
        for (long i = 0; i < shown; i++) {
            t[i].parent = -1;
            best_l[i] = 1 << 30;
            best_s[i] = 0;
        }
        in[0] = 1;
        long last = 0;
        for (long added = 1; added < shown; added++) {
            for (long i = 0; i < shown; i++) {
                if (in[i]) continue;
                int l, s;
                y_diff(db->cat, &h[last].p, &h[i].p, &l, &s, label, sizeof label);
                if (l < best_l[i] || (l == best_l[i] && s < best_s[i]))
                    best_l[i] = l, best_s[i] = s, t[i].parent = last;
            }
            long pick = -1;
            for (long i = 0; i < shown; i++)
                if (!in[i] && (pick < 0 || best_l[i] < best_l[pick] ||
                               (best_l[i] == best_l[pick] && best_s[i] < best_s[pick])))
                    pick = i;
            in[pick] = 1;
            last = pick;
        }
        /* layout wants parents before children: order by insertion is not
         * guaranteed, so lay out with a permutation by depth */
        long *order = malloc((size_t)shown * sizeof *order), *pos = malloc((size_t)shown * sizeof *pos);
        tnode *lt = malloc((size_t)shown * sizeof *lt);
        int *depth = calloc((size_t)shown, sizeof *depth);
        if (!order || !pos || !lt || !depth) rc = SDB_ENOMEM;
        long m = 0;
        if (!rc) { /* breadth-first from the root */
            order[m++] = 0;
            for (long q = 0; q < m; q++)
                for (long i = 0; i < shown; i++)
                    if (t[i].parent == order[q]) order[m++] = i;
            for (long k = 0; k < m; k++)
                pos[order[k]] = k;
            for (long k = 0; k < m; k++) {
                memset(&lt[k], 0, sizeof lt[k]);
                lt[k].parent = t[order[k]].parent >= 0 ? pos[t[order[k]].parent] : -1;
            }
            double width = layout(lt, m);
            int max_depth = 0;
            for (long k = 0; k < m; k++)
                if (lt[k].depth > max_depth) max_depth = lt[k].depth;
            char title[256];
            snprintf(title, sizeof title,
                     "Lineage %lld: %ld haplotypes, %ld distinct%s", id, members, n,
                     n > shown ? " (the most common shown)" : "");
            svg_begin(out, width, max_depth, title);
            for (long k = 1; k < m; k++) {
                long i = order[k], p = t[i].parent;
                double x1 = px(lt[pos[p]].x), y1 = py(lt[pos[p]].depth);
                double x2 = px(lt[k].x), y2 = py(lt[k].depth);
                line(out, x1, y1, x2, y2);
                int l, s;
                y_diff(db->cat, &h[p].p, &h[i].p, &l, &s, label, sizeof label);
                /* the label above the child's circle, one locus per line */
                double r = 10 + 4 * sqrt((double)h[i].count), y = y2 - (r > 30 ? 30 : r) - 4;
                int lines = 1;
                for (const char *c = label; *c; c++)
                    lines += *c == '\n';
                for (char *c = label, *e; c; c = e ? e + 1 : NULL) {
                    e = strchr(c, '\n');
                    if (e) *e = '\0';
                    text(out, x2, y - 10.0 * --lines, 9, "middle", c);
                }
            }
            for (long k = 0; k < m; k++) {
                long i = order[k];
                double x = px(lt[k].x), y = py(lt[k].depth);
                double r = 10 + 4 * sqrt((double)h[i].count);
                if (r > 30) r = 30;
                fprintf(out,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"black\""
                        " stroke-width=\"1.5\"/>\n",
                        x, y, r, k == 0 ? "#e8b04a" : "#9cc3e6");
                char c[32];
                snprintf(c, sizeof c, "%ld", h[i].count);
                text(out, x, y + 4, 11, "middle", c);
                char who[160];
                snprintf(who, sizeof who, h[i].count > 1 ? "%s +%ld" : "%s", h[i].first,
                         h[i].count - 1);
                text(out, x, y + r + 12, 9, "middle", who);
            }
            text(out, MARGIN, py(max_depth) + LEVEL / 2 + 20, 11, "start",
                 "circle: a distinct haplotype (number of men inside; orange the most common);"
                 " edges: differing loci, repeat change");
            fputs("</svg>\n", out);
        }
        free(order);
        free(pos);
        free(lt);
        free(depth);
    }
    for (long i = 0; i < n; i++)
        sdb_profile_free(&h[i].p);
    free(h);
    free(t);
    free(best_l);
    free(best_s);
    free(in);
    return rc;
}

/* The paternal family trees of a lineage's members: men only. */
static int draw_family_tree(sdb_db *db, long long id, const char *indexes, FILE *out,
                            int *no_records, sdb_diag *d)
{
    *no_records = 0;
    sqlite3_stmt *roots;
    /* the paternal root of every member with a person record */
    if (store_prepare(db,
                      "WITH RECURSIVE up(start, id, father) AS ("
                      " SELECT pe.id, pe.id, pe.father FROM lineage_member m"
                      " JOIN profile p ON p.id = m.profile_id"
                      " JOIN person_profile pp ON pp.profile_id = p.id"
                      " JOIN person pe ON pe.id = pp.person_id"
                      " WHERE m.lineage_id = ?2 AND pe.sex = 'M' AND " STORE_INDEX_IN(
                          "p.index_name") " UNION SELECT up.start, f.id, f.father FROM up JOIN person f"
                                          " ON f.id = up.father)"
                                          " SELECT DISTINCT id FROM up WHERE father IS NULL ORDER BY id",
                      &roots, d))
        return SDB_ESTORE;
    sqlite3_bind_text(roots, 1, indexes, -1, SQLITE_STATIC);
    sqlite3_bind_int64(roots, 2, id);
    sqlite3_stmt *by_id, *sons, *typed;
    if (store_prepare(db, PERSON_SQL " WHERE id = ?", &by_id, d) ||
        store_prepare(db, "SELECT id FROM person WHERE father = ? AND sex = 'M'"
                          " ORDER BY coalesce(birth_year, 0), id",
                      &sons, d) ||
        store_prepare(db,
                      "SELECT p.sample_id FROM person_profile pp JOIN profile p"
                      " ON p.id = pp.profile_id JOIN lineage_member m ON m.profile_id = p.id"
                      " WHERE pp.person_id = ? AND m.lineage_id = ?",
                      &typed, d)) {
        sqlite3_finalize(roots);
        return SDB_ESTORE;
    }
    pnode *v = calloc(MAX_DRAWN, sizeof *v);
    tnode *t = calloc(MAX_DRAWN, sizeof *t);
    char (*sid)[64] = calloc(MAX_DRAWN, sizeof *sid);
    long n = 0;
    int rc = v && t && sid ? SDB_OK : SDB_ENOMEM, truncated = 0;
    while (!rc && sqlite3_step(roots) == SQLITE_ROW && n < MAX_DRAWN) {
        if ((rc = load_person(by_id, sqlite3_column_int64(roots, 0), &v[n]))) break;
        t[n++] = (tnode){-1, -1, -1, 0, 0, 0, 0};
    }
    for (long i = 0; !rc && i < n; i++) { /* sons, breadth first */
        sqlite3_bind_int64(sons, 1, v[i].id);
        while (sqlite3_step(sons) == SQLITE_ROW) {
            if (n >= MAX_DRAWN) {
                truncated = 1;
                break;
            }
            if (load_person(by_id, sqlite3_column_int64(sons, 0), &v[n])) continue;
            t[n++] = (tnode){i, -1, -1, 0, 0, 0, 0};
        }
        sqlite3_reset(sons);
    }
    long n_typed = 0;
    for (long i = 0; !rc && i < n; i++) {
        sqlite3_bind_int64(typed, 1, v[i].id);
        sqlite3_bind_int64(typed, 2, id);
        v[i].typed = sqlite3_step(typed) == SQLITE_ROW;
        if (v[i].typed) snprintf(sid[i], sizeof sid[i], "%s", sqlite3_column_text(typed, 0));
        n_typed += v[i].typed;
        sqlite3_reset(typed);
    }
    sqlite3_finalize(roots);
    sqlite3_finalize(by_id);
    sqlite3_finalize(sons);
    sqlite3_finalize(typed);
    if (!rc && !n) *no_records = 1;
    if (!rc && n) {
        double width = layout(t, n);
        int max_depth = 0;
        for (long i = 0; i < n; i++)
            if (t[i].depth > max_depth) max_depth = t[i].depth;
        char title[256];
        snprintf(title, sizeof title, "Lineage %lld: paternal family tree, %ld men, %ld typed%s", id,
                 n, n_typed, truncated ? " (truncated)" : "");
        svg_begin(out, width, max_depth, title);
        for (long i = 0; i < n; i++)
            if (t[i].parent >= 0) {
                long p = t[i].parent;
                double mid = py(t[p].depth) + LEVEL / 2;
                line(out, px(t[p].x), py(t[p].depth) + 15, px(t[p].x), mid);
                line(out, px(t[p].x), mid, px(t[i].x), mid);
                line(out, px(t[i].x), mid, px(t[i].x), py(t[i].depth) - 15);
            }
        for (long i = 0; i < n; i++) {
            double x = px(t[i].x), y = py(t[i].depth);
            symbol(out, x, y, 'M', v[i].typed, 0);
            text(out, x, y + 32, 10, "middle", v[i].ext);
            if (v[i].typed) text(out, x, y + 44, 9, "middle", sid[i]);
        }
        text(out, MARGIN, py(max_depth) + LEVEL / 2 + 20, 11, "start",
             "men of the paternal lines of the lineage; filled: typed member (sample id below)");
        fputs("</svg>\n", out);
    }
    free(v);
    free(t);
    free(sid);
    return rc;
}

int sdb_draw_lineage(sdb_db *db, long long id, const char *indexes, sdb_lineage_view view,
                     int max_nodes, FILE *out, sdb_diag *d)
{
    if (view != SDB_VIEW_NETWORK) {
        /* the tree is drawn into a buffer first: an empty tree falls back */
        char *buf = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&buf, &len);
        if (!mem) return SDB_ENOMEM;
        int none, rc = draw_family_tree(db, id, indexes, mem, &none, d);
        fclose(mem);
        if (!rc && !none) fwrite(buf, 1, len, out);
        free(buf);
        if (rc) return rc;
        if (!none) return SDB_OK;
        if (view == SDB_VIEW_TREE) {
            sdb_diag_set(d, NULL, 0, "lineage", "lineage %lld has no pedigree records", id);
            return SDB_ENOTFOUND;
        }
    }
    return draw_network(db, id, indexes, max_nodes < 2 ? 2 : max_nodes, out, d);
}
