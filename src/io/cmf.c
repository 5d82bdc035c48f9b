/* CODIS CMF 3.2 (docs/formats.md): the reader parses the whole message with
 * libxml2 (no network, no DTD: a document that declares one, external
 * entities included, is refused before parsing), validates it against the
 * CMF schema compiled in (data/CMF-2017.xsd), and hands out its specimens;
 * the writer makes messages that validate against the same schema.
 * Specimen categories map to strdb indexes through one table. */
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io_internal.h"

extern const char sdb_cmf_xsd[];
extern const size_t sdb_cmf_xsd_len;

/* IMPORTANT: docs/formats.md prints this table. A category with a NULL
 * index has no strdb index (refused at import). */
static const struct {
    const char *category, *index;
} categories[] = {
    {"Convicted Offender", "offender"},       {"CO Duplicate", "offender"},
    {"Multi-allelic Offender", "offender"},   {"Unreviewed Offender", "offender"},
    {"Legal", "offender"},                    {"Juvenile", "offender"},
    {"Arrestee", "arrestee"},                 {"Detainee", "arrestee"},
    {"Forensic, Unknown", "forensic-unknown"}, {"Forensic Partial", "forensic-unknown"},
    {"Forensic Targeted", "forensic-unknown"}, {"Deduced Suspect", "forensic-unknown"},
    {"Forensic Mixture", "forensic-mixture"}, {"Missing Person", "missing-person"},
    {"Deduced Missing Person", "missing-person"}, {"Unidentified Person", "unidentified-remains"},
    {"Deceased", "unidentified-remains"},     {"Alleged Father", "relative-of-missing"},
    {"Alleged Mother", "relative-of-missing"}, {"Biological Child", "relative-of-missing"},
    {"Biological Father", "relative-of-missing"}, {"Biological Mother", "relative-of-missing"},
    {"Biological Sibling", "relative-of-missing"}, {"Maternal Relative", "relative-of-missing"},
    {"Paternal Relative", "relative-of-missing"}, {"Spouse", "relative-of-missing"},
    {"Staff", "staff-elimination"},           {"Elimination, Known", "staff-elimination"},
    {"Volunteer", "volunteer"},               {"Population", "population"},
    {"Suspect, Known", NULL},                 {"Victim, Known", NULL},
    {"Proficiency", NULL},                    {"Other", NULL},
};

/* The category an index is exported as (the first of the table). */
const char *sdb_cmf_category(const char *index)
{
    if (index && !strcmp(index, "relative-of-missing")) return NULL; /* the relationship is the pedigree's */
    for (size_t i = 0; i < sizeof categories / sizeof *categories; i++)
        if (categories[i].index && index && !strcmp(categories[i].index, index))
            return categories[i].category;
    return NULL;
}

/* CMF locus names (the schema's list) as the catalog knows them. */
static const char *const cmf_loci[] = {
    "AMEL",     "CSF1PO",  "D10S1248", "D12S391", "D13S317",  "D16S539", "D18S51",  "D19S433",
    "D1S1656",  "D21S11",  "D22S1045", "D2S1338", "D2S441",   "D3S1358", "D5S818",  "D7S820",
    "D8S1179",  "FGA",     "Penta D",  "Penta E", "SE33",     "TH01",    "TPOX",    "vWA",
    "DYF387S1", "DYS19",   "DYS385",   "DYS389 I", "DYS389 II", "DYS390", "DYS391",  "DYS392",
    "DYS393",   "DYS437",  "DYS438",   "DYS439",  "DYS448",   "DYS449",  "DYS456",  "DYS458",
    "DYS460",   "DYS481",  "DYS518",   "DYS533",  "DYS549",   "DYS570",  "DYS576",  "DYS627",
    "DYS635",   "DYS643",  "YGATAH4",
};

const char *sdb_cmf_locus_name(const sdb_catalog *cat, const sdb_locus *l)
{
    for (size_t i = 0; i < sizeof cmf_loci / sizeof *cmf_loci; i++)
        if (sdb_catalog_find(cat, cmf_loci[i], strlen(cmf_loci[i])) == l) return cmf_loci[i];
    return NULL;
}

typedef struct cmf_state {
    sdb_profile *p;
    long *line;
    char **err; /* per specimen: why it is refused, or NULL */
    long n, next;
} cmf_state;

static void cmf_free(void *s)
{
    cmf_state *st = s;
    if (!st) return;
    for (long i = 0; i < st->n; i++) {
        sdb_profile_free(&st->p[i]);
        free(st->err[i]);
    }
    free(st->p);
    free(st->line);
    free(st->err);
    free(st);
}

static int cmf_next(sdb_reader *r, sdb_profile *p, sdb_diag *d)
{
    cmf_state *st = r->state;
    if (st->next >= st->n) return SDB_END;
    long i = st->next++;
    if (st->err[i]) {
        sdb_diag_set(d, r->name, st->line[i], "SPECIMEN", "%s", st->err[i]);
        return SDB_EINVAL;
    }
    /* the alleles go in as the other readers add them: sdb_reader_next finishes the profile */
    const sdb_profile *q = &st->p[i];
    if (sdb_profile_set_id(p, q->sample_id, -1) || (q->kit && sdb_profile_set_kit(p, q->kit, -1)))
        return SDB_ENOMEM;
    p->line = st->line[i];
    p->flags |= q->flags & SDB_PF_PARTIAL; /* the message's PARTIAL="true" */
    for (int k = 0; k < (int)q->n_calls; k++) {
        const sdb_locus *l = sdb_catalog_by_id(r->cat, q->calls[k].locus);
        for (uint32_t j = 0; j < q->calls[k].n; j++)
            if (sdb_profile_add(p, l, q->alleles[q->calls[k].first + j])) return SDB_ENOMEM;
    }
    return SDB_OK;
}

/* libxml2 messages land here (the first one is kept), never on stderr. */
typedef struct xml_errors {
    char msg[300];
    long line;
} xml_errors;

static void keep_error(void *arg, const xmlError *e)
{
    xml_errors *x = arg;
    if (x->msg[0] || !e) return;
    snprintf(x->msg, sizeof x->msg, "%s", e->message ? e->message : "XML error");
    size_t n = strlen(x->msg);
    while (n && (x->msg[n - 1] == '\n' || x->msg[n - 1] == ' '))
        x->msg[--n] = '\0';
    x->line = e->line;
}

static void keep_error_v(void *arg, xmlErrorPtr e) { keep_error(arg, e); }

static const char *text_of(xmlNodePtr n, const char *child)
{
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, child)) {
            xmlNodePtr t = c->children;
            return t && t->type == XML_TEXT_NODE ? (const char *)t->content : "";
        }
    return NULL;
}

/* One SPECIMEN into p; a refusal reason into *err (malloc'd) instead. */
static int specimen(sdb_reader *r, xmlNodePtr s, const char *file_kit, sdb_profile *p, char **err)
{
    char why[300] = "";
    const char *id = text_of(s, "SPECIMENID"), *cat = text_of(s, "SPECIMENCATEGORY");
    if (sdb_profile_set_id(p, id ? id : "", -1)) return SDB_ENOMEM;
    xmlChar *partial = xmlGetProp(s, (const xmlChar *)"PARTIAL");
    int is_partial = partial && (!strcmp((const char *)partial, "true") || !strcmp((const char *)partial, "1"));
    if (partial) xmlFree(partial);
    const char *index = NULL;
    int known = 0;
    for (size_t i = 0; cat && i < sizeof categories / sizeof *categories; i++)
        if (!strcmp(categories[i].category, cat)) known = 1, index = categories[i].index;
    if (!known || !index)
        snprintf(why, sizeof why, "specimen category '%s' has no strdb index (docs/formats.md)",
                 cat ? cat : "");
    else if (r->opts.index && r->opts.index[0] && strcmp(r->opts.index, index))
        snprintf(why, sizeof why, "specimen category '%s' belongs in index '%s', not '%s'", cat,
                 index, r->opts.index);
    const char *kit = file_kit;
    for (xmlNodePtr l = s->children; l && !why[0]; l = l->next) {
        if (l->type != XML_ELEMENT_NODE || strcmp((const char *)l->name, "LOCUS")) continue;
        const char *name = text_of(l, "LOCUSNAME");
        xmlChar *lk = xmlGetProp(l, (const xmlChar *)"KIT");
        if (lk && !kit && sdb_profile_set_kit(p, (const char *)lk, -1)) {
            xmlFree(lk);
            return SDB_ENOMEM;
        }
        if (lk) xmlFree(lk);
        const sdb_locus *loc = name ? sdb_catalog_find(r->cat, name, strlen(name)) : NULL;
        if (!loc) {
            snprintf(why, sizeof why, "locus '%s' is not in strdb's catalog", name ? name : "");
            break;
        }
        for (xmlNodePtr a = l->children; a && !why[0]; a = a->next) {
            if (a->type != XML_ELEMENT_NODE || strcmp((const char *)a->name, "ALLELE")) continue;
            const char *v = text_of(a, "ALLELEVALUE");
            sdb_allele x;
            /* CODIS writes an allele below or above the ladder as <6 or >17: off-ladder */
            if (v && (v[0] == '<' || v[0] == '>'))
                x = SDB_ALLELE_OL;
            else if (!v || sdb_allele_parse(v, strlen(v), &x)) {
                snprintf(why, sizeof why, "locus %s: unreadable allele '%.20s'", loc->name, v ? v : "");
                break;
            }
            if (!sdb_allele_fits(loc, x)) {
                snprintf(why, sizeof why, "allele '%.20s' is not valid at locus %s", v, loc->name);
                break;
            }
            if (sdb_profile_add(p, loc, x)) return SDB_ENOMEM;
        }
    }
    if (!why[0] && kit && sdb_profile_set_kit(p, kit, -1)) return SDB_ENOMEM;
    if (!why[0] && sdb_profile_finish(p, r->cat)) snprintf(why, sizeof why, "the specimen's loci do not form a profile");
    if (is_partial) p->flags |= SDB_PF_PARTIAL;
    if (why[0] && !(*err = strdup(why))) return SDB_ENOMEM;
    return SDB_OK;
}

int sdb_cmf_open(sdb_reader *r, sdb_diag *d)
{
    if (!r->buf) {
        sdb_diag_set(d, r->name, 0, NULL, "a CMF message is read from a file, not a stream");
        return SDB_EFORMAT;
    }
    const char *text = r->buf + r->start;
    size_t len = r->len - r->start;
    /* no DTD at all: external entities (XXE) and entity expansion come with one */
    const char *dtd = NULL;
    for (size_t i = 0; i + 9 <= len && !dtd; i++)
        if (text[i] == '<' && text[i + 1] == '!' && (!strncmp(text + i, "<!DOCTYPE", 9) || !strncmp(text + i, "<!ENTITY", 8)))
            dtd = text + i;
    if (dtd) {
        long line = 1;
        for (const char *c = text; c < dtd; c++)
            line += *c == '\n';
        sdb_diag_set(d, r->name, line, NULL,
                     "a CMF message may not declare a DTD or entities (refused: external entities)");
        return SDB_EFORMAT;
    }
    xml_errors xe = {"", 0};
    xmlSetStructuredErrorFunc(&xe, keep_error_v);
    xmlDocPtr doc = xmlReadMemory(text, (int)len, r->name, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS);
    int rc = SDB_OK;
    if (!doc) {
        sdb_diag_set(d, r->name, xe.line, NULL, "not a readable CMF message: %s",
                     xe.msg[0] ? xe.msg : "XML error");
        rc = SDB_EFORMAT;
    }
    xmlSchemaParserCtxtPtr pc = NULL;
    xmlSchemaPtr schema = NULL;
    xmlSchemaValidCtxtPtr vc = NULL;
    if (!rc) {
        pc = xmlSchemaNewMemParserCtxt(sdb_cmf_xsd, (int)sdb_cmf_xsd_len);
        schema = pc ? xmlSchemaParse(pc) : NULL;
        vc = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
        if (!vc) {
            sdb_diag_set(d, r->name, 0, NULL, "the CMF schema could not be loaded");
            rc = SDB_ENOMEM;
        }
    }
    if (!rc) {
        xe.msg[0] = '\0';
        xmlSchemaSetValidStructuredErrors(vc, keep_error_v, &xe);
        if (xmlSchemaValidateDoc(vc, doc)) {
            sdb_diag_set(d, r->name, xe.line, NULL, "fails the CMF 3.2 schema: %s",
                         xe.msg[0] ? xe.msg : "invalid");
            rc = SDB_EFORMAT;
        }
    }
    cmf_state *st = rc ? NULL : calloc(1, sizeof *st);
    if (!rc && !st) rc = SDB_ENOMEM;
    if (!rc) {
        r->state = st;
        r->free_state = cmf_free;
        r->next = cmf_next;
        xmlNodePtr root = xmlDocGetRootElement(doc);
        const char *kit = text_of(root, "KIT"), *lab = text_of(root, "SOURCELAB"),
                   *user = text_of(root, "SUBMITBYUSERID"), *when = text_of(root, "SUBMITDATETIME");
        snprintf(r->origin, sizeof r->origin, "CMF from source lab %s, submitted by %s at %s",
                 lab ? lab : "?", user ? user : "?", when ? when : "?");
        long cap = 0;
        for (xmlNodePtr s = root->children; s; s = s->next)
            cap += s->type == XML_ELEMENT_NODE && !strcmp((const char *)s->name, "SPECIMEN");
        st->p = calloc((size_t)cap + 1, sizeof *st->p);
        st->line = calloc((size_t)cap + 1, sizeof *st->line);
        st->err = calloc((size_t)cap + 1, sizeof *st->err);
        if (!st->p || !st->line || !st->err) rc = SDB_ENOMEM;
        for (xmlNodePtr s = root->children; !rc && s; s = s->next) {
            if (s->type != XML_ELEMENT_NODE || strcmp((const char *)s->name, "SPECIMEN")) continue;
            sdb_profile_init(&st->p[st->n]);
            st->line[st->n] = (long)xmlGetLineNo(s);
            rc = specimen(r, s, kit && kit[0] ? kit : NULL, &st->p[st->n], &st->err[st->n]);
            st->n++;
        }
    }
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
    xmlFreeDoc(doc);
    xmlSetStructuredErrorFunc(NULL, NULL);
    return rc;
}

/* ---- writer ---- */

void sdb_cmf_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
}

void sdb_cmf_begin(FILE *o, const char *lab, const char *dest, const char *user, const char *now)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<CODISImportFile xmlns=\"urn:CODISImportFile-schema\">\n"
          "  <HEADERVERSION>3.2</HEADERVERSION>\n  <MESSAGETYPE>Import</MESSAGETYPE>\n"
          "  <DESTINATIONORI>", o);
    sdb_xml_escape(o, dest);
    fputs("</DESTINATIONORI>\n  <SOURCELAB>", o);
    sdb_xml_escape(o, lab);
    fputs("</SOURCELAB>\n  <SUBMITBYUSERID>", o);
    sdb_xml_escape(o, user);
    fprintf(o, "</SUBMITBYUSERID>\n  <SUBMITDATETIME>%s</SUBMITDATETIME>\n", now);
}

int sdb_cmf_specimen(FILE *o, const sdb_catalog *cat, const sdb_profile *p, const char *category,
                     const char *user, const char *now, int *skipped)
{
    *skipped = 0;
    int loci = 0;
    for (int i = 0; i < (int)p->n_calls; i++)
        loci += sdb_catalog_by_id(cat, p->calls[i].locus) &&
                sdb_cmf_locus_name(cat, sdb_catalog_by_id(cat, p->calls[i].locus)) && p->calls[i].n;
    if (!loci) return SDB_EINVAL;
    fprintf(o, "  <SPECIMEN%s>\n    <SPECIMENID>", p->flags & SDB_PF_PARTIAL ? " PARTIAL=\"true\"" : "");
    sdb_xml_escape(o, p->sample_id);
    fputs("</SPECIMENID>\n    <SPECIMENCATEGORY>", o);
    sdb_xml_escape(o, category);
    fputs("</SPECIMENCATEGORY>\n", o);
    for (int i = 0; i < (int)p->n_calls; i++) {
        const sdb_call *c = &p->calls[i];
        const sdb_locus *l = sdb_catalog_by_id(cat, c->locus);
        const char *name = l ? sdb_cmf_locus_name(cat, l) : NULL;
        if (!name || !c->n || c->n > 8) {
            if (c->n) (*skipped)++;
            continue;
        }
        fprintf(o, "    <LOCUS>\n      <LOCUSNAME>%s</LOCUSNAME>\n      <READINGBY>", name);
        sdb_xml_escape(o, user);
        fprintf(o, "</READINGBY>\n      <READINGDATETIME>%s</READINGDATETIME>\n", now);
        for (uint32_t k = 0; k < c->n; k++) {
            char a[SDB_ALLELE_STRLEN];
            sdb_allele_format(p->alleles[c->first + k], a);
            fprintf(o, "      <ALLELE>\n        <ALLELEVALUE>%s</ALLELEVALUE>\n      </ALLELE>\n", a);
        }
        fputs("    </LOCUS>\n", o);
    }
    fputs("  </SPECIMEN>\n", o);
    return ferror(o) ? SDB_EIO : SDB_OK;
}

void sdb_cmf_end(FILE *o) { fputs("</CODISImportFile>\n", o); }
