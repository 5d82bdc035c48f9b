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

static void svg_begin(FILE *out, double width_units, int depth, const char *title)
{
    double w = 2 * MARGIN + (width_units < 9 ? 9 : width_units) * UNIT;
    double h = py(depth) + LEVEL / 2 + 50;
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
            " viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
            "<text x=\"%.0f\" y=\"28\" font-size=\"16\" font-weight=\"bold\">",
            w, h, w, h, MARGIN);
    sdb_xml_escape(out, title);
    fputs("</text>\n", out);
}

static void text(FILE *out, double x, double y, int size, const char *anchor, const char *s)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\">", x, y, size,
            anchor);
    sdb_xml_escape(out, s);
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

/* The persons of a pedigree drawing: lineal descendants of the top
 * ancestor (tree parent = their lineal parent) and their partners
 * (t.parent = -2, drawn right of partner_of). */
typedef struct pedigree_set {
    pnode *v;
    tnode *t;
    long n;
    int truncated, self_depth;
} pedigree_set;

/* The partner of lineal node i who is the other parent of child c, added
 * once. */
static void add_partner(sqlite3_stmt *by_id, pedigree_set *ps, long i, const pnode *c)
{
    long long other = c->father == ps->v[i].id ? c->mother : c->father;
    pnode p;
    if (!other || find_node(ps->v, ps->n, other) >= 0 || load_person(by_id, other, &p)) return;
    p.partner_of = i;
    ps->v[ps->n] = p;
    ps->t[ps->n++] = (tnode){-2, -1, -1, 0, ps->t[i].depth, 0, 0};
    ps->t[i].partners++;
}

/* Breadth first from the top ancestor down to self_depth + down. */
static int collect_pedigree(sdb_db *db, const char *ext_id, int up, int down, pedigree_set *ps,
                            sdb_diag *d)
{
    sqlite3_stmt *by_ext = NULL, *by_id = NULL, *kids = NULL;
    int rc = SDB_OK;
    if (sdb_store_prepare(db, PERSON_SQL " WHERE ext_id = ?", &by_ext, d) ||
        sdb_store_prepare(db, PERSON_SQL " WHERE id = ?", &by_id, d) ||
        sdb_store_prepare(db, "SELECT id FROM person WHERE father = ?1 OR mother = ?1"
                          " ORDER BY coalesce(birth_year, 0), id",
                      &kids, d))
        rc = SDB_ESTORE;
    pnode top;
    if (!rc) {
        sqlite3_bind_text(by_ext, 1, ext_id, -1, SQLITE_STATIC);
        if (load_person(by_ext, 0, &top)) {
            sdb_diag_set(d, NULL, 0, "person", "no person '%s'", ext_id);
            rc = SDB_ENOTFOUND;
        }
    }
    for (int g = 0; !rc && g < up && (top.father || top.mother); g++, ps->self_depth++)
        if (load_person(by_id, top.father ? top.father : top.mother, &top)) break;
    if (!rc) {
        top.lineal = 1;
        ps->v[0] = top;
        ps->t[0] = (tnode){-1, -1, -1, 0, 0, 0, 0};
        ps->n = 1;
    }
    for (long i = 0; !rc && i < ps->n; i++) {
        if (!ps->v[i].lineal || ps->t[i].depth >= ps->self_depth + down) continue;
        sqlite3_bind_int64(kids, 1, ps->v[i].id);
        long long ids[256];
        int nk = 0;
        while (sdb_store_row(kids, &rc) && nk < 256)
            ids[nk++] = sqlite3_column_int64(kids, 0);
        sqlite3_reset(kids);
        for (int k = 0; k < nk && !rc; k++) {
            if (find_node(ps->v, ps->n, ids[k]) >= 0) continue; /* seen through the other parent */
            if (ps->n + 2 >= MAX_DRAWN) {
                ps->truncated = 1;
                break;
            }
            pnode c;
            if ((rc = load_person(by_id, ids[k], &c))) break;
            add_partner(by_id, ps, i, &c);
            c.lineal = 1;
            ps->v[ps->n] = c;
            ps->t[ps->n] = (tnode){i, -1, -1, 0, ps->t[i].depth + 1, 0, 0};
            ps->n++;
        }
    }
    sqlite3_finalize(by_ext);
    sqlite3_finalize(by_id);
    sqlite3_finalize(kids);
    return rc;
}

/* Lays out the lineal nodes as a tree; each partner takes the unit right of
 * its partner's (or of the partner before it). Returns the width. */
static double layout_pedigree(pedigree_set *ps, int *max_depth)
{
    long *map = malloc((size_t)ps->n * sizeof *map), m = 0;
    tnode *lt = malloc((size_t)ps->n * sizeof *lt);
    if (!map || !lt) {
        free(map);
        free(lt);
        return -1;
    }
    for (long i = 0; i < ps->n; i++)
        if (ps->t[i].parent != -2) {
            map[i] = m;
            lt[m] = ps->t[i];
            lt[m].parent = ps->t[i].parent >= 0 ? map[ps->t[i].parent] : -1;
            m++;
        }
    double width = layout(lt, m);
    *max_depth = 0;
    for (long i = 0; i < ps->n; i++) {
        tnode *t = &ps->t[i];
        if (t->parent == -2) {
            long owner = map[ps->v[i].partner_of], k = 0;
            for (long j = 0; j < i; j++)
                k += ps->t[j].parent == -2 && ps->v[j].partner_of == ps->v[i].partner_of;
            t->x = lt[owner].x + 1 + (double)k;
            t->depth = lt[owner].depth;
        } else {
            t->x = lt[map[i]].x;
            t->depth = lt[map[i]].depth;
        }
        if (t->depth > *max_depth) *max_depth = t->depth;
    }
    free(map);
    free(lt);
    return width;
}

static void render_pedigree(const pedigree_set *ps, const char *ext_id, double width,
                            int max_depth, FILE *out)
{
    const pnode *v = ps->v;
    const tnode *t = ps->t;
    char title[256];
    snprintf(title, sizeof title, "Pedigree of %s%s", ext_id,
             ps->truncated ? " (truncated: too many persons)" : "");
    svg_begin(out, width + 1, max_depth, title);
    /* partners stand in a row right of their lineal partner, joined in
     * turn; a child hangs from the segment just left of its other parent */
    for (long i = 0; i < ps->n; i++)
        if (t[i].parent == -2)
            line(out, px(t[i].x - 1) + 15, py(t[i].depth), px(t[i].x) - 15, py(t[i].depth));
    for (long i = 0; i < ps->n; i++) {
        if (t[i].parent < 0) continue;
        long p = t[i].parent;
        long long other = v[i].father == v[p].id ? v[i].mother : v[i].father;
        double from = px(t[p].x);
        int k = 0; /* the other parent's place among the partners: its own sibship bar */
        for (long j = 0; j < ps->n; j++)
            if (t[j].parent == -2 && v[j].partner_of == p && v[j].id == other)
                from = px(t[j].x - 0.5), k = (int)(t[j].x - t[p].x) - 1;
        double mid = py(t[p].depth) + LEVEL / 2 - 8 + 7 * (k % 4);
        line(out, from, py(t[p].depth), from, mid);
        line(out, from, mid, px(t[i].x), mid);
        line(out, px(t[i].x), mid, px(t[i].x), py(t[i].depth) - 15);
    }
    for (long i = 0; i < ps->n; i++) {
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
         "square: man, circle: woman, diamond: unknown; filled: typed; arrow: the person;");
    text(out, MARGIN, py(max_depth) + LEVEL / 2 + 34, 11, "start",
         "partners right of their partner; children hang from the line to their other parent");
    fputs("</svg>\n", out);
}

int sdb_draw_pedigree(sdb_db *db, const char *ext_id, int up, int down, FILE *out, sdb_diag *d)
{
    pedigree_set ps = {calloc(MAX_DRAWN, sizeof(pnode)), calloc(MAX_DRAWN, sizeof(tnode)), 0, 0, 0};
    int rc = ps.v && ps.t ? collect_pedigree(db, ext_id, up, down, &ps, d) : SDB_ENOMEM;
    int max_depth = 0;
    double width = rc ? 0 : layout_pedigree(&ps, &max_depth);
    if (!rc && width < 0) rc = SDB_ENOMEM;
    if (!rc) render_pedigree(&ps, ext_id, width, max_depth, out);
    free(ps.v);
    free(ps.t);
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

/* The distinct haplotypes of lineage id (members of the given indexes),
 * with how many men carry each: rows come sorted by genotype blob, so equal
 * haplotypes are adjacent. *h is ordered by count, then first sample id. */
static int load_haplotypes(sdb_db *db, long long id, const char *indexes, hap **h, long *n,
                           long *members, sdb_diag *d)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                      "SELECT p.sample_id, p.genotype FROM lineage_member m JOIN profile p"
                      " ON p.id = m.profile_id WHERE m.lineage_id = ?2 AND " STORE_INDEX_IN(
                          "p.index_name") " ORDER BY p.genotype, p.sample_id",
                      &st, d))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, indexes, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    long cap = 0;
    int rc = SDB_OK;
    unsigned char *prev = NULL;
    int prev_len = -1;
    *h = NULL;
    *n = *members = 0;
    while (!rc && sdb_store_row(st, &rc)) {
        const void *blob = sqlite3_column_blob(st, 1);
        int len = sqlite3_column_bytes(st, 1);
        (*members)++;
        if (prev && len == prev_len && !memcmp(blob, prev, (size_t)len)) {
            (*h)[*n - 1].count++;
            continue;
        }
        hap *t = *n == cap ? realloc(*h, (size_t)(cap = cap ? 2 * cap : 64) * sizeof **h) : *h;
        unsigned char *pb = realloc(prev, (size_t)len + 1);
        if (t) *h = t;
        if (!t || !pb) {
            free(pb ? pb : prev);
            prev = NULL;
            rc = SDB_ENOMEM;
            break;
        }
        prev = pb;
        memcpy(prev, blob, (size_t)len);
        prev_len = len;
        hap *x = &(*h)[(*n)++];
        sdb_profile_init(&x->p);
        x->count = 1;
        snprintf(x->first, sizeof x->first, "%s", sqlite3_column_text(st, 0));
        rc = sdb_genotype_decode(&x->p, db->cat, blob, (size_t)len);
    }
    sqlite3_finalize(st);
    free(prev);
    if (!rc && !*n) {
        sdb_diag_set(d, NULL, 0, "lineage", "no lineage %lld (with members the purpose may read)", id);
        rc = SDB_ENOTFOUND;
    }
    if (!rc) qsort(*h, (size_t)*n, sizeof **h, cmp_hap);
    return rc;
}

/* Prim's spanning tree over h[0..n) from h[0] (the most common): fewest
 * differing loci, then steps, then index. parent[0] = -1. O(n^2) haplotype
 * comparisons: n is at most the drawing's node limit. */
static int spanning_tree(const sdb_catalog *cat, const hap *h, long n, long *parent)
{
    int *best_l = malloc((size_t)n * sizeof *best_l), *best_s = malloc((size_t)n * sizeof *best_s);
    char *in = calloc((size_t)n, 1), label[256];
    if (!best_l || !best_s || !in) {
        free(best_l);
        free(best_s);
        free(in);
        return SDB_ENOMEM;
    }
    for (long i = 0; i < n; i++) {
        parent[i] = -1;
        best_l[i] = 1 << 30;
        best_s[i] = 0;
    }
    in[0] = 1;
    for (long added = 1, last = 0; added < n; added++) {
        long pick = -1;
        for (long i = 0; i < n; i++) {
            if (in[i]) continue;
            int l, st;
            y_diff(cat, &h[last].p, &h[i].p, &l, &st, label, sizeof label);
            if (l < best_l[i] || (l == best_l[i] && st < best_s[i]))
                best_l[i] = l, best_s[i] = st, parent[i] = last;
            if (pick < 0 || best_l[i] < best_l[pick] ||
                (best_l[i] == best_l[pick] && best_s[i] < best_s[pick]))
                pick = i;
        }
        in[pick] = 1;
        last = pick;
    }
    free(best_l);
    free(best_s);
    free(in);
    return SDB_OK;
}

static double hap_radius(long count)
{
    double r = 10 + 4 * sqrt((double)count);
    return r > 30 ? 30 : r;
}

/* The network: nodes in breadth-first order from the root, laid out as a
 * tree; each edge labelled above its child, one differing locus a line. */
static int render_network(const sdb_catalog *cat, long long id, const hap *h, long n,
                          long members, long total, const long *parent, FILE *out)
{
    long *order = malloc((size_t)n * sizeof *order), *pos = malloc((size_t)n * sizeof *pos), m = 0;
    tnode *lt = calloc((size_t)n, sizeof *lt);
    if (!order || !pos || !lt) {
        free(order);
        free(pos);
        free(lt);
        return SDB_ENOMEM;
    }
    order[m++] = 0;
    for (long q = 0; q < m; q++)
        for (long i = 0; i < n; i++)
            if (parent[i] == order[q]) order[m++] = i;
    for (long k = 0; k < m; k++)
        pos[order[k]] = k;
    for (long k = 0; k < m; k++)
        lt[k].parent = parent[order[k]] >= 0 ? pos[parent[order[k]]] : -1;
    double width = layout(lt, m);
    int max_depth = 0;
    for (long k = 0; k < m; k++)
        max_depth = lt[k].depth > max_depth ? lt[k].depth : max_depth;
    char title[256], label[256];
    snprintf(title, sizeof title, "Lineage %lld: %ld haplotypes, %ld distinct%s", id, members,
             total, total > n ? " (the most common shown)" : "");
    svg_begin(out, width, max_depth, title);
    for (long k = 1; k < m; k++) {
        long i = order[k], p = parent[i];
        double x2 = px(lt[k].x), y2 = py(lt[k].depth);
        line(out, px(lt[pos[p]].x), py(lt[pos[p]].depth), x2, y2);
        int l, st, lines = 1;
        y_diff(cat, &h[p].p, &h[i].p, &l, &st, label, sizeof label);
        for (const char *c = label; *c; c++)
            lines += *c == '\n';
        /* beside the edge's end, right of the child's circle top */
        double y = y2 - hap_radius(h[i].count) + 2;
        for (char *c = label, *e; c; c = e ? e + 1 : NULL) {
            e = strchr(c, '\n');
            if (e) *e = '\0';
            text(out, x2 + 6, y - 10.0 * --lines, 9, "start", c);
        }
    }
    for (long k = 0; k < m; k++) {
        const hap *x = &h[order[k]];
        double cx = px(lt[k].x), cy = py(lt[k].depth), r = hap_radius(x->count);
        fprintf(out,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"black\""
                " stroke-width=\"1.5\"/>\n",
                cx, cy, r, k == 0 ? "#e8b04a" : "#9cc3e6");
        char c[32], who[160];
        snprintf(c, sizeof c, "%ld", x->count);
        text(out, cx, cy + 4, 11, "middle", c);
        snprintf(who, sizeof who, x->count > 1 ? "%s +%ld" : "%s", x->first, x->count - 1);
        text(out, cx, cy + r + 12, 9, "middle", who);
    }
    text(out, MARGIN, py(max_depth) + LEVEL / 2 + 20, 11, "start",
         "circle: a distinct haplotype (number of men inside; orange the most common);"
         " edges: differing loci, repeat change");
    fputs("</svg>\n", out);
    free(order);
    free(pos);
    free(lt);
    return SDB_OK;
}

static int draw_network(sdb_db *db, long long id, const char *indexes, int max_nodes, FILE *out,
                        sdb_diag *d)
{
    hap *h = NULL;
    long n = 0, members = 0;
    int rc = load_haplotypes(db, id, indexes, &h, &n, &members, d);
    long shown = n < max_nodes ? n : max_nodes;
    long *parent = rc ? NULL : malloc((size_t)shown * sizeof *parent);
    if (!rc && !parent) rc = SDB_ENOMEM;
    if (!rc) rc = spanning_tree(db->cat, h, shown, parent);
    if (!rc) rc = render_network(db->cat, id, h, shown, members, n, parent, out);
    for (long i = 0; h && i < n; i++)
        sdb_profile_free(&h[i].p);
    free(h);
    free(parent);
    return rc;
}

/* The paternal family trees of a lineage's members: the paternal roots of
 * every member with a person record, then their sons, breadth first (men
 * only); sid[i] the sample id of a typed member. */
typedef struct family_tree {
    pnode *v;
    tnode *t;
    char (*sid)[64];
    long n, typed;
    int truncated;
} family_tree;

static int tree_roots(sdb_db *db, long long id, const char *indexes, sqlite3_stmt *by_id,
                      family_tree *ft, sdb_diag *d)
{
    sqlite3_stmt *roots;
    if (sdb_store_prepare(db,
                      "WITH RECURSIVE up(id, father) AS ("
                      " SELECT pe.id, pe.father FROM lineage_member m"
                      " JOIN profile p ON p.id = m.profile_id"
                      " JOIN person_profile pp ON pp.profile_id = p.id"
                      " JOIN person pe ON pe.id = pp.person_id"
                      " WHERE m.lineage_id = ?2 AND pe.sex = 'M' AND " STORE_INDEX_IN(
                          "p.index_name") " UNION SELECT f.id, f.father FROM up JOIN person f"
                                          " ON f.id = up.father)"
                                          " SELECT DISTINCT id FROM up WHERE father IS NULL ORDER BY id",
                      &roots, d))
        return SDB_ESTORE;
    sqlite3_bind_text(roots, 1, indexes, -1, SQLITE_STATIC);
    sqlite3_bind_int64(roots, 2, id);
    int rc = SDB_OK;
    while (!rc && sdb_store_row(roots, &rc) && ft->n < MAX_DRAWN) {
        rc = load_person(by_id, sqlite3_column_int64(roots, 0), &ft->v[ft->n]);
        if (!rc) ft->t[ft->n++] = (tnode){-1, -1, -1, 0, 0, 0, 0};
    }
    sqlite3_finalize(roots);
    return rc;
}

static int collect_family_tree(sdb_db *db, long long id, const char *indexes, family_tree *ft,
                               sdb_diag *d)
{
    sqlite3_stmt *by_id = NULL, *sons = NULL, *typed = NULL;
    int rc = SDB_OK;
    if (sdb_store_prepare(db, PERSON_SQL " WHERE id = ?", &by_id, d) ||
        sdb_store_prepare(db, "SELECT id FROM person WHERE father = ? AND sex = 'M'"
                          " ORDER BY coalesce(birth_year, 0), id",
                      &sons, d) ||
        sdb_store_prepare(db,
                      "SELECT p.sample_id FROM person_profile pp JOIN profile p"
                      " ON p.id = pp.profile_id JOIN lineage_member m ON m.profile_id = p.id"
                      " WHERE pp.person_id = ? AND m.lineage_id = ?",
                      &typed, d))
        rc = SDB_ESTORE;
    if (!rc) rc = tree_roots(db, id, indexes, by_id, ft, d);
    for (long i = 0; !rc && i < ft->n; i++) {
        sqlite3_bind_int64(sons, 1, ft->v[i].id);
        while (sdb_store_row(sons, &rc)) {
            if (ft->n >= MAX_DRAWN) {
                ft->truncated = 1;
                break;
            }
            if (load_person(by_id, sqlite3_column_int64(sons, 0), &ft->v[ft->n])) continue;
            ft->t[ft->n++] = (tnode){i, -1, -1, 0, 0, 0, 0};
        }
        sqlite3_reset(sons);
    }
    for (long i = 0; !rc && i < ft->n; i++) {
        sqlite3_bind_int64(typed, 1, ft->v[i].id);
        sqlite3_bind_int64(typed, 2, id);
        ft->v[i].typed = sqlite3_step(typed) == SQLITE_ROW;
        if (ft->v[i].typed)
            snprintf(ft->sid[i], sizeof ft->sid[i], "%s", sqlite3_column_text(typed, 0));
        ft->typed += ft->v[i].typed;
        sqlite3_reset(typed);
    }
    sqlite3_finalize(by_id);
    sqlite3_finalize(sons);
    sqlite3_finalize(typed);
    return rc;
}

static void render_family_tree(family_tree *ft, long long id, FILE *out)
{
    tnode *t = ft->t;
    double width = layout(t, ft->n);
    int max_depth = 0;
    for (long i = 0; i < ft->n; i++)
        max_depth = t[i].depth > max_depth ? t[i].depth : max_depth;
    char title[256];
    snprintf(title, sizeof title, "Lineage %lld: paternal family tree, %ld men, %ld typed%s", id,
             ft->n, ft->typed, ft->truncated ? " (truncated)" : "");
    svg_begin(out, width, max_depth, title);
    for (long i = 0; i < ft->n; i++) {
        if (t[i].parent < 0) continue;
        const tnode *p = &t[t[i].parent];
        double mid = py(p->depth) + LEVEL / 2;
        line(out, px(p->x), py(p->depth) + 15, px(p->x), mid);
        line(out, px(p->x), mid, px(t[i].x), mid);
        line(out, px(t[i].x), mid, px(t[i].x), py(t[i].depth) - 15);
    }
    for (long i = 0; i < ft->n; i++) {
        double x = px(t[i].x), y = py(t[i].depth);
        symbol(out, x, y, 'M', ft->v[i].typed, 0);
        text(out, x, y + 32, 10, "middle", ft->v[i].ext);
        if (ft->v[i].typed) text(out, x, y + 44, 9, "middle", ft->sid[i]);
    }
    text(out, MARGIN, py(max_depth) + LEVEL / 2 + 20, 11, "start",
         "men of the paternal lines of the lineage; filled: typed member (sample id below)");
    fputs("</svg>\n", out);
}

/* *no_records: the lineage's members have no pedigree records (nothing drawn). */
static int draw_family_tree(sdb_db *db, long long id, const char *indexes, FILE *out,
                            int *no_records, sdb_diag *d)
{
    family_tree ft = {calloc(MAX_DRAWN, sizeof(pnode)), calloc(MAX_DRAWN, sizeof(tnode)),
                      calloc(MAX_DRAWN, 64), 0, 0, 0};
    int rc = ft.v && ft.t && ft.sid ? collect_family_tree(db, id, indexes, &ft, d) : SDB_ENOMEM;
    *no_records = !rc && !ft.n;
    if (!rc && ft.n) render_family_tree(&ft, id, out);
    free(ft.v);
    free(ft.t);
    free(ft.sid);
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

/* ---- a missing-person family ---------------------------------------------------- */

/* Generations: a child below its lower parent; a founder who married in
 * beside the partner of its first child. */
static void family_depths(const sdb_mp_family *f, int *depth)
{
    for (int i = 0; i < f->n; i++)
        depth[i] = 0;
    for (int pass = 0; pass < f->n; pass++) {
        int changed = 0;
        for (int i = 0; i < f->n; i++) {
            int dd = depth[i];
            if (f->father[i] >= 0 && depth[f->father[i]] + 1 > dd) dd = depth[f->father[i]] + 1;
            if (f->mother[i] >= 0 && depth[f->mother[i]] + 1 > dd) dd = depth[f->mother[i]] + 1;
            if (dd != depth[i]) depth[i] = dd, changed = 1;
            int fa = f->father[i], mo = f->mother[i];
            if (fa >= 0 && mo >= 0 && depth[fa] != depth[mo]) {
                int lo = depth[fa] < depth[mo] ? fa : mo, hi = lo == fa ? mo : fa;
                if (f->father[lo] < 0 && f->mother[lo] < 0) depth[lo] = depth[hi], changed = 1;
            }
        }
        if (!changed) break;
    }
}

/* The co-parent of person i's first child, or -1. */
static int family_partner(const sdb_mp_family *f, int i)
{
    for (int c = 0; c < f->n; c++) {
        if (f->father[c] == i && f->mother[c] >= 0) return f->mother[c];
        if (f->mother[c] == i && f->father[c] >= 0) return f->father[c];
    }
    return -1;
}

int sdb_draw_family(const sdb_mp_family *f, const char *caption, FILE *out, sdb_diag *d)
{
    int n = f->n, max_depth = 0, rc = SDB_OK;
    int *depth = malloc(((size_t)n + 1) * sizeof *depth), *order = malloc(((size_t)n + 1) * sizeof *order);
    double *x = malloc(((size_t)n + 1) * sizeof *x), *key = malloc(((size_t)n + 1) * sizeof *key);
    if (!depth || !order || !x || !key) {
        rc = SDB_ENOMEM;
        goto out;
    }
    family_depths(f, depth);
    for (int i = 0; i < n; i++)
        if (depth[i] > max_depth) max_depth = depth[i];
    double width = 1;
    for (int level = 0; level <= max_depth; level++) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (depth[i] != level) continue;
            int fa = f->father[i], mo = f->mother[i];
            key[i] = fa >= 0 && mo >= 0 ? (x[fa] + x[mo]) / 2 : fa >= 0 ? x[fa] : mo >= 0 ? x[mo] : i;
            order[m++] = i;
        }
        for (int k = 0; k < m; k++) { /* a founder who married in stands right of the partner */
            int i = order[k], p = family_partner(f, i);
            if (f->father[i] < 0 && f->mother[i] < 0 && p >= 0 && depth[p] == level &&
                (f->father[p] >= 0 || f->mother[p] >= 0 || p < i))
                key[i] = key[p] + 0.001 * (1 + i);
        }
        for (int a = 1; a < m; a++) /* insertion sort by key, stable */
            for (int b = a; b > 0 && key[order[b - 1]] > key[order[b]]; b--) {
                int t = order[b];
                order[b] = order[b - 1];
                order[b - 1] = t;
            }
        for (int k = 0; k < m; k++)
            x[order[k]] = k;
        if (m > width) width = m;
    }
    char title[256];
    snprintf(title, sizeof title, "Family %s%s%s", f->name ? f->name : "",
             f->case_ref ? " (case " : "", f->case_ref ? f->case_ref : "");
    if (f->case_ref) strncat(title, ")", sizeof title - strlen(title) - 1);
    svg_begin(out, width + 1, max_depth + 1, title);
    /* couples: a line between them; their children hang from its middle */
    for (int c = 0; c < n; c++) {
        int fa = f->father[c], mo = f->mother[c];
        if (fa < 0 && mo < 0) continue;
        double from = fa >= 0 && mo >= 0 ? px((x[fa] + x[mo]) / 2) : px(x[fa >= 0 ? fa : mo]);
        int pd = depth[fa >= 0 ? fa : mo];
        if (fa >= 0 && mo >= 0)
            line(out, px(x[fa]) + (x[fa] < x[mo] ? 15 : -15), py(pd),
                 px(x[mo]) + (x[mo] < x[fa] ? 15 : -15), py(pd));
        double mid = py(pd) + LEVEL / 2;
        line(out, from, py(pd), from, mid);
        line(out, from, mid, px(x[c]), mid);
        line(out, px(x[c]), mid, px(x[c]), py(depth[c]) - 15);
    }
    for (int i = 0; i < n; i++) {
        double cx = px(x[i]), cy = py(depth[i]);
        symbol(out, cx, cy, f->sex[i], f->typed[i] != NULL, 0);
        if (f->missing[i]) {
            fprintf(out,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"24\" fill=\"none\" stroke=\"#b22\""
                    " stroke-width=\"2.5\" stroke-dasharray=\"5 3\"/>\n",
                    cx, cy);
            text(out, cx, cy + 5, 14, "middle", "?");
        }
        text(out, cx, cy + 36, 11, "middle", f->ids[i]);
        if (f->typed[i] && f->typed[i]->sample_id)
            text(out, cx, cy + 49, 9, "middle", f->typed[i]->sample_id);
    }
    double y = py(max_depth + 1) - 10;
    if (caption) text(out, MARGIN, y, 12, "start", caption);
    text(out, MARGIN, y + 18, 11, "start",
         "square: man, circle: woman, diamond: unknown; filled: typed reference;"
         " dashed red ring and ?: missing person");
    fputs("</svg>\n", out);
out:
    if (rc) sdb_diag_set(d, NULL, 0, NULL, "out of memory");
    free(depth);
    free(order);
    free(x);
    free(key);
    return rc;
}
