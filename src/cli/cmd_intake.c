/* strdb intake kit|label|event|show: collection kits, accession numbers,
 * sample labels and the chain of custody (docs/intake.md). Labels are drawn
 * with cairo (SVG or PDF) from libzint's vector output: a Code 128 and a
 * DataMatrix symbol holding the accession number only. */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <jansson.h>
#include <pango/pangocairo.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zint.h>

#include "cli.h"

static const char intake_usage[] =
    "usage: strdb intake kit DB --type TYPE --lot LOT [--count N] [--expires DATE] [--prefix P]\n"
    "       strdb intake label DB ACCESSION -o FILE.svg|FILE.pdf\n"
    "       strdb intake event DB ACCESSION EVENT --place PLACE [--at TIME] [--basis B] [--note "
    "T]\n"
    "       strdb intake show DB [ACCESSION] [--json]\n\n"
    "Sample intake: collection kits, the accession numbers strdb issues for them, their\n"
    "labels and each sample's chain of custody (docs/intake.md). Custodian role; show\n"
    "also for analysts and auditors. Every call leaves one audit record.\n\n"
    "  kit       registers N kits (default 1) of TYPE and LOT and prints the accession\n"
    "            number issued for each, PREFIXyy-nnnnnnn-c (default prefix SDB; c is a\n"
    "            Luhn check digit). A lot past --expires is refused.\n"
    "  label     draws the label of a kit: Code 128 and DataMatrix barcodes holding the\n"
    "            accession number only, with the kit type and lot in text (never a name\n"
    "            or genotype); SVG or PDF by the file's extension (--format svg|pdf)\n"
    "  event     records one event, in this order: collected (needs --basis, the legal\n"
    "            basis of the collection), received, extracted, typed, stored (recorded\n"
    "            by 'strdb import --require-accession'), destroyed (after any of them).\n"
    "            An event out of order, before the last event's time, in the future or\n"
    "            after destroyed is refused with the reason.\n"
    "  show      a sample's kit, state and events (with the audit record of each), or\n"
    "            every sample without ACCESSION\n\n"
    "  --at TIME           YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z, UTC (default: now)\n"
    "  --place PLACE       where it happened (police station, lab, freezer ...)\n"
    "  --json              show: one JSON object\n"
    "  --actor NAME, --token-file F   who acts (see strdb --help)\n";

enum {
    OPT_TYPE = 1,
    OPT_LOT,
    OPT_COUNT,
    OPT_EXPIRES,
    OPT_PREFIX,
    OPT_OUT,
    OPT_FORMAT,
    OPT_AT,
    OPT_PLACE,
    OPT_BASIS,
    OPT_NOTE,
    OPT_JSON
};

typedef struct intake_args {
    const char *type, *lot, *expires, *prefix, *out, *format;
    long count;
    sdb_intake_event e;
    int json;
} intake_args;

static int print_accession(void *arg, const char *accession)
{
    (void)arg;
    printf("%s\n", accession);
    return 0;
}

/* ---- the label ---- */

/* Draws symbol (encoded from text) scaled into the box x, y, w, h (points),
 * keeping the modules square when square is set. */
static int draw_symbol(cairo_t *cr, int symbology, const char *text, double x, double y, double w,
                       double h, int square, char *err, size_t size)
{
    struct zint_symbol *sym = ZBarcode_Create();
    if (!sym) return SDB_ENOMEM;
    sym->symbology = symbology;
    sym->show_hrt = 0;
    sym->output_options = BARCODE_QUIET_ZONES;
    if (symbology == BARCODE_DATAMATRIX) sym->option_3 = DM_SQUARE;
    int rc = ZBarcode_Encode(sym, (const unsigned char *)text, (int)strlen(text));
    if (rc < ZINT_ERROR) rc = ZBarcode_Buffer_Vector(sym, 0);
    if (rc >= ZINT_ERROR || !sym->vector) {
        snprintf(err, size, "%s", sym->errtxt);
        ZBarcode_Delete(sym);
        return SDB_EINVAL;
    }
    double sx = w / sym->vector->width, sy = h / sym->vector->height;
    if (square) sx = sy = sx < sy ? sx : sy;
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (struct zint_vector_rect *r = sym->vector->rectangles; r; r = r->next)
        cairo_rectangle(cr, x + r->x * sx, y + r->y * sy, r->width * sx, r->height * sy);
    cairo_fill(cr);
    ZBarcode_Delete(sym);
    return SDB_OK;
}

static void draw_text(cairo_t *cr, double x, double y, double width, int lines, const char *font,
                      const char *text)
{
    PangoLayout *l = pango_cairo_create_layout(cr);
    PangoFontDescription *f = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, f);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    pango_layout_set_height(l, -lines); /* at most this many lines, the last ellipsized */
    pango_layout_set_text(l, text, -1);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, l);
    pango_font_description_free(f);
    g_object_unref(l);
}

#define MM (72.0 / 25.4)

/* An 80 x 40 mm label: Code 128 across the top, DataMatrix below left, the
 * accession number, kit type and lot in text beside it. */
static cairo_status_t to_file(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_WRITE_ERROR;
}

int cli_intake_label(FILE *out, int pdf, const char *accession, const char *kit_type,
                     const char *lot, char *why, size_t why_size)
{
    const double w = 80 * MM, h = 40 * MM;
    cairo_surface_t *s = pdf ? cairo_pdf_surface_create_for_stream(to_file, out, w, h)
                             : cairo_svg_surface_create_for_stream(to_file, out, w, h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        snprintf(why, why_size, "%s", cairo_status_to_string(cairo_surface_status(s)));
        cairo_surface_destroy(s);
        return EXIT_FAIL;
    }
    if (pdf) cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, accession);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    char err[256] = "";
    int rc = draw_symbol(cr, BARCODE_CODE128, accession, 2 * MM, 2 * MM, 76 * MM, 16 * MM, 0, err,
                         sizeof err);
    if (!rc)
        rc = draw_symbol(cr, BARCODE_DATAMATRIX, accession, 2 * MM, 19 * MM, 19 * MM, 19 * MM, 1,
                         err, sizeof err);
    if (!rc) {
        draw_text(cr, 23 * MM, 21 * MM, 55 * MM, 1, "Monospace Bold 11", accession);
        draw_text(cr, 23 * MM, 27.5 * MM, 55 * MM, 2, "Sans 7", kit_type);
        char line[128];
        snprintf(line, sizeof line, "lot %s", lot);
        draw_text(cr, 23 * MM, 34 * MM, 55 * MM, 1, "Sans 7", line);
    }
    cairo_destroy(cr);
    cairo_surface_finish(s);
    int bad = cairo_surface_status(s) != CAIRO_STATUS_SUCCESS;
    cairo_surface_destroy(s);
    if (rc) {
        snprintf(why, why_size, "the barcode of '%s' could not be drawn: %s", accession, err);
        return EXIT_FAIL;
    }
    if (bad) {
        snprintf(why, why_size, "the label could not be written");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int draw_label(const char *path, int pdf, const char *accession, const char *kit_type,
                      const char *lot)
{
    FILE *out = fopen(path, "wb");
    if (!out) {
        cli_error("intake", "%s: %s", path, strerror(errno));
        return EXIT_FAIL;
    }
    char why[512];
    int rc = cli_intake_label(out, pdf, accession, kit_type, lot, why, sizeof why);
    if (fclose(out) && rc == EXIT_OK) {
        snprintf(why, sizeof why, "could not be written");
        rc = EXIT_FAIL;
    }
    if (rc) cli_error("intake", "%s: %s", path, why);
    return rc;
}

/* ---- show ---- */

/* The JSON of intake show: the sample's columns with "events", or "samples". */
typedef struct json_rows {
    json_t *root, *list;
} json_rows;

static int json_row(void *arg, const char *section, int n, const char *const *names,
                    const char *const *values)
{
    json_rows *k = arg;
    json_t *o = !strcmp(section, "sample") ? k->root : json_object();
    for (int i = 0; i < n; i++)
        json_object_set_new(o, names[i], values[i] ? json_string(values[i]) : json_null());
    if (o != k->root) json_array_append_new(k->list, o);
    return 0;
}

int cli_intake_show_json(sdb_session *s, const char *accession, json_t **out, sdb_diag *d)
{
    json_rows k = {json_object(), json_array()};
    int rc = sdb_session_intake_show(s, accession, json_row, &k, d);
    if (rc) {
        json_decref(k.root);
        json_decref(k.list);
        return rc;
    }
    json_object_set_new(k.root, accession ? "events" : "samples", k.list);
    *out = k.root;
    return SDB_OK;
}

/* The text of intake show: the sample's columns, then a table of its events (or of every
 * sample), tab-separated. */
static int text_row(void *arg, const char *section, int n, const char *const *names,
                    const char *const *values)
{
    int *rows = arg;
    if (!strcmp(section, "sample")) {
        for (int i = 0; i < n; i++)
            printf("%-13s %s\n", names[i], values[i] ? values[i] : "-");
        return 0;
    }
    if ((*rows)++ == 0) {
        printf("%s", !strcmp(section, "event") ? "\n" : "");
        for (int i = 0; i < n; i++)
            printf("%s%s", i ? "\t" : "", names[i]);
        printf("\n");
    }
    for (int i = 0; i < n; i++)
        printf("%s%s", i ? "\t" : "", values[i] ? values[i] : "-");
    printf("\n");
    return 0;
}

static int run(const char *verb, sdb_session *s, int argc, char **argv, intake_args *a)
{
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = SDB_OK;
    if (!strcmp(verb, "kit")) {
        rc = sdb_session_intake_kit(s, a->prefix, a->type, a->lot, a->expires, (int)a->count,
                                    print_accession, NULL, NULL, &d);
    } else if (!strcmp(verb, "event")) {
        a->e.accession = argv[0];
        a->e.event = argv[1];
        long long seq = 0;
        rc = sdb_session_intake_event(s, &a->e, &seq, &d);
        if (!rc)
            fprintf(stderr, "strdb intake: %s %s (audit record %lld)\n", argv[0], argv[1], seq);
    } else if (!strcmp(verb, "label")) {
        char type[129], lot[65];
        const char *fmt = a->format;
        size_t n = strlen(a->out);
        if (!fmt) fmt = n > 4 && !strcmp(a->out + n - 4, ".pdf") ? "pdf" : "svg";
        if (strcmp(fmt, "pdf") && strcmp(fmt, "svg")) {
            cli_error("intake", "--format: svg or pdf, not '%s'", fmt);
            return EXIT_USAGE;
        }
        rc = sdb_session_intake_label(s, argv[0], type, lot, &d);
        if (!rc) return draw_label(a->out, !strcmp(fmt, "pdf"), argv[0], type, lot);
    } else {
        const char *acc = argc ? argv[0] : NULL;
        json_t *j = NULL;
        int rows = 0;
        rc = a->json ? cli_intake_show_json(s, acc, &j, &d)
                     : sdb_session_intake_show(s, acc, text_row, &rows, &d);
        if (!rc && j) {
            char *t = json_dumps(j, JSON_COMPACT);
            if (t) printf("%s\n", t);
            free(t);
        }
        json_decref(j);
    }
    if (rc) cli_diag("intake", rc, &d);
    return rc ? EXIT_FAIL : EXIT_OK;
}

int main_intake(int argc, char **argv)
{
    static const struct option longopts[] = {{"type", required_argument, NULL, OPT_TYPE},
                                             {"lot", required_argument, NULL, OPT_LOT},
                                             {"count", required_argument, NULL, OPT_COUNT},
                                             {"expires", required_argument, NULL, OPT_EXPIRES},
                                             {"prefix", required_argument, NULL, OPT_PREFIX},
                                             {"output", required_argument, NULL, OPT_OUT},
                                             {"format", required_argument, NULL, OPT_FORMAT},
                                             {"at", required_argument, NULL, OPT_AT},
                                             {"place", required_argument, NULL, OPT_PLACE},
                                             {"basis", required_argument, NULL, OPT_BASIS},
                                             {"note", required_argument, NULL, OPT_NOTE},
                                             {"json", no_argument, NULL, OPT_JSON},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    intake_args a = {.count = 1};
    sdb_ctx ctx = {0};
    int c;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        switch (c) {
        case OPT_TYPE: a.type = optarg; break;
        case OPT_LOT: a.lot = optarg; break;
        case OPT_COUNT:
            if (cli_integer("intake", "--count", optarg, 1, 10000, &a.count)) return EXIT_USAGE;
            break;
        case OPT_EXPIRES: a.expires = optarg; break;
        case OPT_PREFIX: a.prefix = optarg; break;
        case 'o':
        case OPT_OUT: a.out = optarg; break;
        case OPT_FORMAT: a.format = optarg; break;
        case OPT_AT: a.e.at = optarg; break;
        case OPT_PLACE: a.e.place = optarg; break;
        case OPT_BASIS: a.e.basis = optarg; break;
        case OPT_NOTE: a.e.note = optarg; break;
        case OPT_JSON: a.json = 1; break;
        default: return cli_usage(intake_usage, c != 'h');
        }
    }
    if (optind + 2 > argc) return cli_usage(intake_usage, 1);
    const char *verb = argv[optind], *path = argv[optind + 1];
    int rest = argc - optind - 2;
    int want = !strcmp(verb, "kit")     ? 0
               : !strcmp(verb, "label") ? 1
               : !strcmp(verb, "event") ? 2
                                        : -1;
    if (!strcmp(verb, "show")) want = rest <= 1 ? rest : -1;
    if (want < 0 || rest != want) return cli_usage(intake_usage, 1);
    if (!strcmp(verb, "label") && !a.out) {
        cli_error("intake", "label needs -o FILE.svg or FILE.pdf");
        return EXIT_USAGE;
    }
    cli_ctx_finish(&ctx);
    if (!ctx.purpose) ctx.purpose = "administration";
    sdb_session *s;
    if (cli_session("intake", path, &ctx, 0, &s)) return EXIT_FAIL;
    int rc = run(verb, s, rest, argv + optind + 2, &a);
    sdb_session_close(s);
    return rc;
}
