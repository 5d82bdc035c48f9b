/* strdb report: a case report from an identity-search record (docs/reports.md):
 * query and candidate side by side per locus, the search's stringency and
 * loci compared, the match probability under NRC II 4.10 per population
 * with theta, the likelihood ratio, both provenances, case, actor, date,
 * the audit record numbers and the chain head; signed with the audit key
 * when one is given. PDF through cairo and pango, HTML, or plain text (the
 * text that is signed). */
#include <cairo-pdf.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char report_usage[] =
    "usage: strdb report DB --search-record N [--candidate SAMPLE] -o FILE.pdf|.html|.txt\n"
    "                   [--freq FILE [--pop NAME[,NAME...]] [--theta T]] [--sign-key FILE]\n"
    "                   [--purpose P] [--case REF] [--actor NAME]\n"
    "       strdb report --verify FILE.txt [--pubkey FILE]\n\n"
    "A case report of identity-search record N (strdb search prints the record number\n"
    "on stderr; the web page has a Report button): the stored query of the record,\n"
    "checked against the record's digest, and a candidate the search returned that is\n"
    "still stored (--candidate, default the best), side by side per locus with the\n"
    "comparison at the search's stringency; the loci compared; with --freq the match\n"
    "probability of the query's genotype at the loci typed in both (NRC II 4.10, theta\n"
    "--theta, default 0.01) for each population (or those of --pop), and the likelihood\n"
    "ratio 1/RMP where every compared locus matches (single source); the provenance of\n"
    "the candidate (index, legal basis, file and line, batch, date); case reference,\n"
    "actor, purpose and date of the search and of the report; both audit record\n"
    "numbers and the chain head after the report. --sign-key signs the report's text\n"
    "(-o FILE.txt writes exactly that text) with the audit's Ed25519 key (strdb audit\n"
    "keygen); the public key and signature are printed in the report. --verify checks\n"
    "a text report's signature (and with --pubkey, that it is that key's). Role analyst,\n"
    "purpose default casework; audited \"report\" with the candidate recorded.\n";

/* One row of the per-locus table. */
typedef struct row {
    char locus[32], query[96], cand[96];
    const char *status;
} row;

typedef struct pop_stat {
    const char *name;
    double rmp;
    int ok;
    char note[400];
} pop_stat;

typedef struct doc {
    const sdb_report *r;
    const sdb_report_candidate *c;
    row *rows;
    int n_rows, typed_both, matching, partial, mismatching;
    pop_stat pops[16];
    int n_pops;
    double theta;
    int all_match;
    char freq_name[512];
    char *text; /* the canonical text (what is signed) */
    size_t text_len;
    char public_key[65], signature[129];
} doc;

static void alleles(const sdb_profile *p, const sdb_call *c, char *buf, size_t size)
{
    size_t k = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; c && i < c->n && k + 1 < size; i++) {
        char a[SDB_ALLELE_STRLEN];
        sdb_allele_format(p->alleles[c->first + i], a);
        k += (size_t)snprintf(buf + k, size - k, "%s%s", i ? ", " : "", a);
    }
    if (!c) snprintf(buf, size, "-");
}

/* The per-locus rows over the loci typed in either profile, query's order first. */
static int build_rows(doc *x)
{
    const sdb_profile *q = &x->r->query, *t = &x->c->profile;
    const sdb_catalog *cat = sdb_catalog_default();
    x->rows = calloc((size_t)(q->n_calls + t->n_calls) + 1, sizeof *x->rows);
    if (!x->rows) return EXIT_FAIL;
    for (int side = 0; side < 2; side++) {
        const sdb_profile *a = side ? t : q, *b = side ? q : t;
        for (int i = 0; i < (int)a->n_calls; i++) {
            const sdb_call *ca = &a->calls[i], *cb = sdb_profile_call(b, ca->locus);
            if (side && cb) continue;
            row *w = &x->rows[x->n_rows++];
            const sdb_locus *l = sdb_catalog_by_id(cat, ca->locus);
            snprintf(w->locus, sizeof w->locus, "%s", l ? l->name : "?");
            alleles(side ? b : a, side ? cb : ca, w->query, sizeof w->query);
            alleles(side ? a : b, side ? ca : cb, w->cand, sizeof w->cand);
            if (!cb) {
                w->status = side ? "candidate only" : "query only";
                continue;
            }
            int shared = 0;
            for (uint32_t u = 0; u < ca->n; u++)
                for (uint32_t v = 0; v < cb->n; v++)
                    shared += a->alleles[ca->first + u] == b->alleles[cb->first + v];
            int same = ca->n == cb->n && shared == (int)ca->n;
            w->status = same ? "match" : shared ? "partial" : "mismatch";
            x->typed_both++;
            x->matching += same;
            x->partial += !same && shared;
            x->mismatching += !shared;
        }
    }
    x->all_match = x->typed_both > 0 && x->matching == x->typed_both;
    return EXIT_OK;
}

/* The match probability of the query's genotype at the loci typed in both. */
static int build_stats(doc *x, const sdb_freq *f, const char *pops)
{
    const sdb_profile *q = &x->r->query, *t = &x->c->profile;
    sdb_profile both;
    sdb_profile_init(&both);
    int rc = EXIT_OK;
    for (int i = 0; !rc && i < (int)q->n_calls; i++) {
        const sdb_call *c = &q->calls[i];
        if (!sdb_profile_call(t, c->locus)) continue;
        const sdb_locus *l = sdb_catalog_by_id(sdb_catalog_default(), c->locus);
        for (uint32_t k = 0; !rc && k < c->n; k++)
            if (sdb_profile_add(&both, l, q->alleles[c->first + k])) rc = EXIT_FAIL;
    }
    if (!rc && sdb_profile_finish(&both, sdb_catalog_default())) rc = EXIT_FAIL;
    for (int p = 0; !rc && p < sdb_freq_n_populations(f) && x->n_pops < 16; p++) {
        const char *name = sdb_freq_population(f, p);
        if (pops) {
            int listed = 0;
            for (const char *s = pops; *s;) {
                size_t n = strcspn(s, ",");
                listed |= strlen(name) == n && !strncmp(s, name, n);
                s += n + (s[n] == ',');
            }
            if (!listed) continue;
        }
        pop_stat *ps = &x->pops[x->n_pops++];
        ps->name = name;
        sdb_locus_stat *ls = calloc(both.n_calls + 1, sizeof *ls);
        int n = 0;
        sdb_diag d;
        sdb_diag_clear(&d);
        int st = ls ? sdb_rmp(f, p, &both, x->theta, ls, &n, &ps->rmp, &d) : SDB_ENOMEM;
        ps->ok = !st;
        if (st) snprintf(ps->note, sizeof ps->note, "%s", d.reason[0] ? d.reason : sdb_strerror(st));
        free(ls);
    }
    if (!rc && pops && !x->n_pops) {
        cli_error("report", "--pop: none of '%s' is a population of %s", pops, x->freq_name);
        rc = EXIT_USAGE;
    }
    sdb_profile_free(&both);
    return rc;
}

static void one_in(double p, char *buf, size_t size)
{
    if (p > 0)
        snprintf(buf, size, "%.4g (1 in %.4g)", p, 1 / p);
    else
        snprintf(buf, size, "0");
}

/* The canonical text: what --sign-key signs and -o FILE.txt writes. */
static int build_text(doc *x)
{
    const sdb_report *r = x->r;
    const sdb_report_candidate *c = x->c;
    FILE *o = open_memstream(&x->text, &x->text_len);
    if (!o) return EXIT_FAIL;
    fprintf(o, "strdb case report\n\n");
    fprintf(o, "case reference: %s\n", r->case_ref[0] ? r->case_ref : "(none)");
    fprintf(o, "search record: %lld, %s, by %s, purpose %s\n", r->seq, r->at, r->actor, r->purpose);
    fprintf(o, "search: index %s, stringency %s, at least %d loci typed in both, at most %d failing\n",
            strstr(r->params, "index=*") ? "(every index the purpose may search)" : strchr(r->params, '=') + 1,
            sdb_stringency_name(r->stringency), r->min_loci, r->max_mismatch);
    fprintf(o, "query: SHA-256 %s (the record's own digest names it)\n", r->query_sha256);
    fprintf(o, "candidate: %s\n", c->sample_id);
    fprintf(o, "  index %s, legal basis %s, retained until %s\n", c->index, c->basis,
            c->retain_until[0] ? c->retain_until : "(no date)");
    fprintf(o, "  source %s line %ld, import batch %ld of %s\n", c->source_file, c->source_line,
            c->batch_id, c->imported_at);
    fprintf(o, "loci typed in both: %d; matching: %d; sharing an allele: %d; sharing none: %d\n\n",
            x->typed_both, x->matching, x->partial, x->mismatching);
    fprintf(o, "%-12s %-22s %-22s %s\n", "locus", "query", "candidate", "comparison");
    for (int i = 0; i < x->n_rows; i++)
        fprintf(o, "%-12s %-22s %-22s %s\n", x->rows[i].locus, x->rows[i].query, x->rows[i].cand,
                x->rows[i].status);
    fprintf(o, "\n");
    if (!x->n_pops)
        fprintf(o, "statistics: not computed (no --freq)\n");
    else {
        fprintf(o, "match probability of the query's genotype at the %d loci typed in both, NRC II "
                   "4.10, theta %g, frequencies %s:\n",
                x->typed_both, x->theta, x->freq_name);
        for (int i = 0; i < x->n_pops; i++) {
            char v[64], lr[64];
            one_in(x->pops[i].rmp, v, sizeof v);
            snprintf(lr, sizeof lr, "%.4g", x->pops[i].rmp > 0 ? 1 / x->pops[i].rmp : INFINITY);
            if (!x->pops[i].ok)
                fprintf(o, "  %-10s not computed: %s\n", x->pops[i].name, x->pops[i].note);
            else
                fprintf(o, "  %-10s RMP %s; LR %s\n", x->pops[i].name, v,
                        x->all_match ? lr : "not given (the profiles differ)");
        }
        fprintf(o, "LR: \"the candidate is the source of the query\" against \"an unrelated person "
                   "of the population is\", 1/RMP, only where every locus typed in both matches\n");
    }
    fprintf(o, "\nreport record: %lld; chain head after it: %s\n", r->report_seq, r->head);
    return fclose(o) ? EXIT_FAIL : EXIT_OK;
}

/* ---- HTML ---- */

static int write_html(const doc *x, FILE *o)
{
    const sdb_report *r = x->r;
    const sdb_report_candidate *c = x->c;
    fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>strdb case report</title>\n"
          "<style>body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1d2330}table{border-collapse:"
          "collapse}td,th{border:1px solid #ccd;padding:.2rem .6rem;text-align:left}th{background:#eef1f5}"
          ".match{background:#e5f4e9}.partial{background:#fff4d6}.mismatch{background:#fde7e7}"
          "code{font-size:12px;word-break:break-all}</style></head><body>\n<h1>strdb case report</h1>\n",
          o);
    fputs("<table>\n", o);
    const char *keys[] = {"Case reference", "Search record", "Searched", "Query", "Candidate",
                          "Candidate provenance", "Loci"};
    char vals[7][1400];
    snprintf(vals[0], sizeof vals[0], "%s", r->case_ref[0] ? r->case_ref : "(none)");
    snprintf(vals[1], sizeof vals[1], "%lld (%s, by %s, purpose %s)", r->seq, r->at, r->actor, r->purpose);
    snprintf(vals[2], sizeof vals[2], "stringency %s, at least %d loci, at most %d failing",
             sdb_stringency_name(r->stringency), r->min_loci, r->max_mismatch);
    snprintf(vals[3], sizeof vals[3], "SHA-256 %s", r->query_sha256);
    snprintf(vals[4], sizeof vals[4], "%s", c->sample_id);
    snprintf(vals[5], sizeof vals[5], "index %s, legal basis %s, %s line %ld, batch %ld, %s", c->index,
             c->basis, c->source_file, c->source_line, c->batch_id, c->imported_at);
    snprintf(vals[6], sizeof vals[6], "%d typed in both, %d matching, %d sharing an allele, %d sharing none",
             x->typed_both, x->matching, x->partial, x->mismatching);
    for (int i = 0; i < 7; i++) {
        fprintf(o, "<tr><th>%s</th><td>", keys[i]);
        sdb_xml_escape(o, vals[i]);
        fputs("</td></tr>\n", o);
    }
    fputs("</table>\n<h2>Locus by locus</h2>\n<table><tr><th>Locus</th><th>Query</th><th>Candidate</th>"
          "<th>Comparison</th></tr>\n", o);
    for (int i = 0; i < x->n_rows; i++) {
        fprintf(o, "<tr class=\"%s\"><td>", x->rows[i].status[0] == 'm' || x->rows[i].status[0] == 'p'
                                               ? x->rows[i].status : "one-sided");
        sdb_xml_escape(o, x->rows[i].locus);
        fputs("</td><td>", o);
        sdb_xml_escape(o, x->rows[i].query);
        fputs("</td><td>", o);
        sdb_xml_escape(o, x->rows[i].cand);
        fprintf(o, "</td><td>%s</td></tr>\n", x->rows[i].status);
    }
    fputs("</table>\n<h2>Statistics</h2>\n", o);
    if (!x->n_pops)
        fputs("<p>Not computed (no frequency table).</p>\n", o);
    else {
        fprintf(o, "<p>Match probability of the query's genotype at the %d loci typed in both, NRC II 4.10, "
                   "theta %g, frequencies ", x->typed_both, x->theta);
        sdb_xml_escape(o, x->freq_name);
        fputs(".</p>\n<table><tr><th>Population</th><th>RMP</th><th>LR</th></tr>\n", o);
        for (int i = 0; i < x->n_pops; i++) {
            char v[64];
            one_in(x->pops[i].rmp, v, sizeof v);
            fputs("<tr><td>", o);
            sdb_xml_escape(o, x->pops[i].name);
            if (!x->pops[i].ok) {
                fputs("</td><td colspan=\"2\">not computed: ", o);
                sdb_xml_escape(o, x->pops[i].note);
                fputs("</td></tr>\n", o);
            } else if (x->all_match)
                fprintf(o, "</td><td>%s</td><td>%.4g</td></tr>\n", v, 1 / x->pops[i].rmp);
            else
                fprintf(o, "</td><td>%s</td><td>not given: the profiles differ</td></tr>\n", v);
        }
        fputs("</table>\n", o);
    }
    fprintf(o, "<h2>Audit</h2>\n<p>Report record %lld; chain head after it <code>%s</code>.</p>\n",
            r->report_seq, r->head);
    if (x->signature[0])
        fprintf(o, "<p>Signed (Ed25519, over the report's text): public key <code>%s</code>, "
                   "signature <code>%s</code>.</p>\n", x->public_key, x->signature);
    else
        fputs("<p>Not signed (no --sign-key).</p>\n", o);
    fputs("</body></html>\n", o);
    return ferror(o) ? EXIT_FAIL : EXIT_OK;
}

/* ---- PDF (cairo + pango) ---- */

typedef struct pdf {
    cairo_t *cr;
    double y, width, height, margin;
} pdf;

/* Draws markup at (x, y) wrapped to width; returns its height. */
static double pdf_text(pdf *p, double x, double width, const char *font, const char *markup)
{
    PangoLayout *l = pango_cairo_create_layout(p->cr);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_markup(l, markup, -1);
    int w, h;
    pango_layout_get_size(l, &w, &h);
    double hh = (double)h / PANGO_SCALE;
    if (p->y + hh > p->height - p->margin) { /* a new page */
        cairo_show_page(p->cr);
        p->y = p->margin;
    }
    cairo_move_to(p->cr, x, p->y);
    pango_cairo_show_layout(p->cr, l);
    pango_font_description_free(fd);
    g_object_unref(l);
    return hh;
}

static void pdf_line(pdf *p, const char *font, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char *esc = g_markup_escape_text(text, -1);
    p->y += pdf_text(p, p->margin, p->width - 2 * p->margin, font, esc) + 2;
    g_free(esc);
}

static void pdf_heading(pdf *p, const char *text)
{
    p->y += 8;
    char *esc = g_markup_escape_text(text, -1), m[512];
    snprintf(m, sizeof m, "<b>%s</b>", esc);
    p->y += pdf_text(p, p->margin, p->width - 2 * p->margin, "Sans 12", m) + 4;
    g_free(esc);
}

static cairo_status_t to_file(void *arg, const unsigned char *data, unsigned int len)
{
    return fwrite(data, 1, len, arg) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static int write_pdf(const doc *x, FILE *out)
{
    const sdb_report *r = x->r;
    const sdb_report_candidate *c = x->c;
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(to_file, out, 595.0, 842.0); /* A4 */
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return EXIT_FAIL;
    }
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, "strdb case report");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "strdb " SDB_VERSION);
    pdf p = {cairo_create(s), 50, 595.0, 842.0, 50};
    cairo_set_source_rgb(p.cr, 0.11, 0.14, 0.19);
    p.y += pdf_text(&p, p.margin, p.width - 2 * p.margin, "Sans Bold 18", "strdb case report") + 10;
    const char *f = "Sans 10";
    pdf_line(&p, f, "Case reference: %s", r->case_ref[0] ? r->case_ref : "(none)");
    pdf_line(&p, f, "Search record %lld: %s, by %s, purpose %s", r->seq, r->at, r->actor, r->purpose);
    pdf_line(&p, f, "Stringency %s, at least %d loci typed in both, at most %d failing",
             sdb_stringency_name(r->stringency), r->min_loci, r->max_mismatch);
    pdf_line(&p, "Monospace 8", "Query SHA-256 %s", r->query_sha256);
    pdf_heading(&p, "Candidate");
    pdf_line(&p, f, "%s: index %s, legal basis %s, retained until %s", c->sample_id, c->index, c->basis,
             c->retain_until[0] ? c->retain_until : "(no date)");
    pdf_line(&p, f, "Source %s line %ld, import batch %ld of %s", c->source_file, c->source_line,
             c->batch_id, c->imported_at);
    pdf_line(&p, f, "Loci typed in both: %d; matching %d; sharing an allele %d; sharing none %d",
             x->typed_both, x->matching, x->partial, x->mismatching);
    pdf_heading(&p, "Locus by locus");
    double cols[4] = {p.margin, p.margin + 100, p.margin + 230, p.margin + 360};
    const char *head[4] = {"<b>Locus</b>", "<b>Query</b>", "<b>Candidate</b>", "<b>Comparison</b>"};
    double rh = 0;
    for (int k = 0; k < 4; k++) {
        double h = pdf_text(&p, cols[k], 125, "Sans 9", head[k]);
        if (h > rh) rh = h;
    }
    p.y += rh + 3;
    for (int i = 0; i < x->n_rows; i++) {
        const row *w = &x->rows[i];
        if (p.y + 14 > p.height - p.margin) {
            cairo_show_page(p.cr);
            p.y = p.margin;
        }
        double bg[3] = {1, 1, 1};
        if (!strcmp(w->status, "match")) bg[0] = 0.90, bg[1] = 0.96, bg[2] = 0.91;
        if (!strcmp(w->status, "partial")) bg[0] = 1.0, bg[1] = 0.96, bg[2] = 0.84;
        if (!strcmp(w->status, "mismatch")) bg[0] = 0.99, bg[1] = 0.91, bg[2] = 0.91;
        cairo_set_source_rgb(p.cr, bg[0], bg[1], bg[2]);
        cairo_rectangle(p.cr, p.margin - 2, p.y - 1, p.width - 2 * p.margin + 4, 13);
        cairo_fill(p.cr);
        cairo_set_source_rgb(p.cr, 0.11, 0.14, 0.19);
        const char *cells[4] = {w->locus, w->query, w->cand, w->status};
        for (int k = 0; k < 4; k++) {
            char *esc = g_markup_escape_text(cells[k], -1);
            pdf_text(&p, cols[k], 125, k == 1 || k == 2 ? "Monospace 9" : "Sans 9", esc);
            g_free(esc);
        }
        p.y += 13;
    }
    pdf_heading(&p, "Statistics");
    if (!x->n_pops)
        pdf_line(&p, f, "Not computed (no frequency table).");
    else {
        pdf_line(&p, f, "Match probability of the query's genotype at the %d loci typed in both, NRC II "
                        "4.10, theta %g, frequencies %s:", x->typed_both, x->theta, x->freq_name);
        for (int i = 0; i < x->n_pops; i++) {
            char v[64];
            one_in(x->pops[i].rmp, v, sizeof v);
            if (!x->pops[i].ok)
                pdf_line(&p, f, "  %s: not computed: %s", x->pops[i].name, x->pops[i].note);
            else if (x->all_match)
                pdf_line(&p, f, "  %s: RMP %s; LR %.4g", x->pops[i].name, v, 1 / x->pops[i].rmp);
            else
                pdf_line(&p, f, "  %s: RMP %s; no LR: the profiles differ", x->pops[i].name, v);
        }
        pdf_line(&p, f, "LR: the candidate is the source of the query, against an unrelated person of "
                        "the population; 1/RMP, only where every compared locus matches.");
    }
    pdf_heading(&p, "Audit");
    pdf_line(&p, f, "Report record %lld; chain head after it:", r->report_seq);
    pdf_line(&p, "Monospace 8", "%s", r->head);
    if (x->signature[0]) {
        pdf_line(&p, f, "Signed (Ed25519, over the report's text). Public key and signature:");
        pdf_line(&p, "Monospace 7", "%s", x->public_key);
        pdf_line(&p, "Monospace 7", "%s", x->signature);
    } else
        pdf_line(&p, f, "Not signed (no --sign-key).");
    cairo_show_page(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(s);
    int bad = cairo_surface_status(s) != CAIRO_STATUS_SUCCESS;
    cairo_surface_destroy(s);
    return bad ? EXIT_FAIL : EXIT_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcasecmp(s + n - k, suffix);
}

int cli_report_render(const sdb_report *r, const sdb_freq *f, const char *freq_name,
                      const char *pops, double theta, const char *sign_key, int kind, FILE *out,
                      char *why, size_t why_size)
{
    doc x = {.r = r, .theta = theta};
    int erc = EXIT_OK;
    why[0] = '\0';
    if (!r->n) {
        snprintf(why, why_size, "record %lld returned no hit that is still stored", r->seq);
        return EXIT_FAIL;
    }
    x.c = &r->candidates[0];
    snprintf(x.freq_name, sizeof x.freq_name, "%s", freq_name ? freq_name : "");
    erc = build_rows(&x);
    if (!erc && f) erc = build_stats(&x, f, pops);
    if (erc && !why[0]) snprintf(why, why_size, "cannot compute the report's statistics");
    if (!erc) erc = build_text(&x);
    if (!erc && sign_key) {
        sdb_diag d;
        sdb_diag_clear(&d);
        if (sdb_sign_text(sign_key, x.text, x.text_len, x.public_key, x.signature, &d)) {
            snprintf(why, why_size, "%s: %s", sign_key, d.reason);
            erc = EXIT_FAIL;
        }
    }
    if (!erc) {
        if (kind == CLI_REPORT_PDF)
            erc = write_pdf(&x, out);
        else if (kind == CLI_REPORT_HTML)
            erc = write_html(&x, out);
        else {
            fwrite(x.text, 1, x.text_len, out);
            if (x.signature[0])
                fprintf(out, "signature (Ed25519 over the text above this line): public key %s "
                             "signature %s\n", x.public_key, x.signature);
        }
        if (erc || ferror(out)) {
            snprintf(why, why_size, "cannot write the report");
            erc = EXIT_FAIL;
        }
    }
    free(x.rows);
    free(x.text);
    return erc;
}

/* strdb report --verify FILE.txt: the last line's signature over the text above it. */
static int verify_text(const char *path, const char *pubkey_file)
{
    size_t len = 0;
    char *t = mp_slurp(path, &len);
    if (!t) {
        cli_error("report", "%s: cannot read", path);
        return EXIT_FAIL;
    }
    char *z = realloc(t, len + 1);
    if (!z) {
        free(t);
        return EXIT_FAIL;
    }
    t = z;
    t[len] = '\0';
    const char *tag = "signature (Ed25519 over the text above this line): public key ";
    char *sig = strstr(t, tag), pk[65] = "", sg[129] = "", want[80] = "";
    int ok = sig && (sig == t || sig[-1] == '\n') &&
             sscanf(sig + strlen(tag), "%64s signature %128s", pk, sg) == 2 &&
             sdb_sign_check(pk, t, (size_t)(sig - t), sg);
    if (ok && pubkey_file) {
        FILE *f = fopen(pubkey_file, "r");
        ok = f && fscanf(f, "%79s", want) == 1 && !strcmp(want, pk);
        if (f) fclose(f);
    }
    if (ok)
        printf("%s: signature ok (public key %s)\n", path, pk);
    else
        cli_error("report", "%s: %s", path, !sig ? "no signature line"
                                           : pubkey_file && pk[0] && strcmp(want, pk)
                                               ? "signed with another key than the public key file"
                                               : "the signature does not match the text");
    free(t);
    return ok ? EXIT_OK : EXIT_FAIL;
}

enum { O_RECORD = 1, O_CANDIDATE, O_OUT, O_FREQ, O_POP, O_THETA, O_SIGN, O_VERIFY, O_PUBKEY };

int main_report(int argc, char **argv)
{
    static const struct option longopts[] = {{"search-record", required_argument, NULL, O_RECORD},
                                             {"candidate", required_argument, NULL, O_CANDIDATE},
                                             {"output", required_argument, NULL, O_OUT},
                                             {"freq", required_argument, NULL, O_FREQ},
                                             {"pop", required_argument, NULL, O_POP},
                                             {"theta", required_argument, NULL, O_THETA},
                                             {"sign-key", required_argument, NULL, O_SIGN},
                                             {"verify", required_argument, NULL, O_VERIFY},
                                             {"pubkey", required_argument, NULL, O_PUBKEY},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    const char *out = NULL, *freq = NULL, *pops = NULL, *candidate = NULL, *key = NULL;
    const char *verify = NULL, *pubkey = NULL;
    long seq = 0;
    double theta = 0.01;
    int c;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        switch (c) {
        case O_RECORD:
            if (cli_integer("report", "--search-record", optarg, 1, 1L << 62, &seq)) return EXIT_USAGE;
            break;
        case O_CANDIDATE: candidate = optarg; break;
        case 'o':
        case O_OUT: out = optarg; break;
        case O_FREQ: freq = optarg; break;
        case O_POP: pops = optarg; break;
        case O_THETA: {
            char *end;
            theta = strtod(optarg, &end);
            if (*end || end == optarg || !(theta >= 0 && theta < 1)) {
                cli_error("report", "--theta: expected 0 <= T < 1, got '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        }
        case O_SIGN: key = optarg; break;
        case O_VERIFY: verify = optarg; break;
        case O_PUBKEY: pubkey = optarg; break;
        default: return cli_usage(report_usage, c != 'h');
        }
    }
    cli_ctx_finish(&ctx);
    if (verify) return optind == argc ? verify_text(verify, pubkey) : cli_usage(report_usage, 1);
    if (optind + 1 != argc) return cli_usage(report_usage, 1);
    if (!seq || !out) {
        cli_error("report", "%s is required", !seq ? "--search-record N" : "-o FILE");
        return EXIT_USAGE;
    }
    int kind = ends_with(out, ".pdf")                                   ? CLI_REPORT_PDF
               : ends_with(out, ".html") || ends_with(out, ".htm")      ? CLI_REPORT_HTML
               : ends_with(out, ".txt")                                 ? CLI_REPORT_TEXT
                                                                        : -1;
    if (kind < 0) {
        cli_error("report", "-o: the file name ends in .pdf, .html or .txt, got '%s'", out);
        return EXIT_USAGE;
    }
    if (!ctx.purpose) ctx.purpose = "casework";
    sdb_freq *f = NULL;
    if (freq && cli_load_freq("report", freq, 0, NULL, &f)) return EXIT_FAIL;
    sdb_session *s;
    if (cli_session("report", argv[optind], &ctx, 0, &s)) {
        sdb_freq_free(f);
        return EXIT_FAIL;
    }
    sdb_report r;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_report(s, seq, candidate, &r, &d);
    sdb_session_close(s);
    if (rc) {
        cli_diag("report", rc, &d);
        sdb_freq_free(f);
        return EXIT_FAIL;
    }
    FILE *o = fopen(out, kind == CLI_REPORT_PDF ? "wb" : "w");
    char why[512] = "";
    int erc = o ? cli_report_render(&r, f, freq, pops, theta, key, kind, o, why, sizeof why)
                : EXIT_FAIL;
    if (!o) snprintf(why, sizeof why, "%s: cannot write", out);
    if (o && fclose(o) && !erc) {
        snprintf(why, sizeof why, "%s: cannot write", out);
        erc = EXIT_FAIL;
    }
    if (erc) {
        cli_error("report", "%s", why);
        if (o) remove(out);
    } else
        fprintf(stderr, "[strdb report] record %ld, candidate %s: %s (report record %lld%s)\n", seq,
                r.candidates[0].sample_id, out, r.report_seq, key ? ", signed" : "");
    sdb_report_free(&r);
    sdb_freq_free(f);
    return erc;
}
