/* strdb loci [--kit NAME] [--kits] [--json] */
#include <jansson.h>
#include <string.h>

#include "cli.h"

static const char loci_usage[] =
    "usage: strdb loci [--kit NAME] [--type autosomal|Y|X|sex|control] [--kits] [--json]\n\n"
    "List the locus catalog: id, canonical name, type, copies, repeat length,\n"
    "Y-STR mutation rate (YHRD), kits and core sets, aliases. Names and kits match\n"
    "ignoring case, spaces, '_' and '-'.\n\n"
    "  --kit NAME   only the loci of this kit or core set (e.g. \"CODIS 20\", ESS,\n"
    "               GlobalFiler, \"Yfiler Plus\", \"PowerPlex Y23\")\n"
    "  --type T     only loci of this type\n"
    "  --kits       list the kit and core-set names instead\n"
    "  --json       JSON array\n";

/* Every distinct set name, in first-seen order. */
static int list_kits(const sdb_catalog *cat, int json)
{
    char seen[4096] = "|";
    json_t *arr = json_array();
    for (int i = 0; i < sdb_catalog_count(cat); i++) {
        const char *s = sdb_catalog_at(cat, i)->sets;
        while (*s) {
            const char *bar = strchr(s, '|');
            size_t n = bar ? (size_t)(bar - s) : strlen(s);
            char name[128], probe[132];
            snprintf(name, sizeof name, "%.*s", (int)n, s);
            snprintf(probe, sizeof probe, "|%s|", name);
            if (!strstr(seen, probe) && strlen(seen) + n + 2 < sizeof seen) {
                strcat(strcat(seen, name), "|");
                if (json)
                    json_array_append_new(arr, json_string(name));
                else
                    printf("%s\n", name);
            }
            s += n + (bar != NULL);
        }
    }
    if (json) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        putchar('\n');
    }
    json_decref(arr);
    return EXIT_OK;
}

int main_loci(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"kit", required_argument, NULL, 'k'}, {"type", required_argument, NULL, 't'},
        {"kits", no_argument, NULL, 'K'},      {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0}};
    const char *kit = NULL, *type = NULL;
    int json = 0, kits = 0, c;
    while ((c = getopt_long(argc, argv, "hk:t:Kj", longopts, NULL)) != -1) {
        if (c == 'k')
            kit = optarg;
        else if (c == 't')
            type = optarg;
        else if (c == 'K')
            kits = 1;
        else if (c == 'j')
            json = 1;
        else
            return cli_usage(loci_usage, c != 'h');
    }
    if (optind != argc) return cli_usage(loci_usage, 1);
    const sdb_catalog *cat = sdb_catalog_default();
    if (kits) return list_kits(cat, json);
    if (kit && !sdb_catalog_has_set(cat, kit)) {
        cli_error("loci", "unknown kit '%s' (strdb loci --kits lists them)", kit);
        return EXIT_FAIL;
    }
    json_t *arr = json_array();
    if (!json)
        printf("%-4s %-14s %-9s %6s %6s %-10s %s\n", "id", "name", "type", "copies", "repeat",
               "mut_rate", "aliases");
    for (int i = 0; i < sdb_catalog_count(cat); i++) {
        const sdb_locus *l = sdb_catalog_at(cat, i);
        if ((kit && !sdb_locus_in_set(l, kit)) ||
            (type && strcmp(type, sdb_locus_type_name(l->type))))
            continue;
        if (json) {
            json_t *o = json_pack("{s:i,s:s,s:s,s:i,s:i}", "id", l->id, "name", l->name, "type",
                                  sdb_locus_type_name(l->type), "copies", l->copies, "repeat_len",
                                  l->repeat_len);
            if (l->meioses) {
                json_object_set_new(o, "mutation_rate", json_real(l->mutation_rate));
                json_object_set_new(o, "mutations", json_integer(l->mutations));
                json_object_set_new(o, "meioses", json_integer(l->meioses));
            }
            json_object_set_new(o, "sets", json_string(l->sets));
            json_object_set_new(o, "aliases", json_string(l->aliases));
            json_array_append_new(arr, o);
            continue;
        }
        char rate[32] = "-";
        if (l->meioses) snprintf(rate, sizeof rate, "%.6f", l->mutation_rate);
        printf("%-4u %-14s %-9s %6u %6u %-10s %s\n", l->id, l->name, sdb_locus_type_name(l->type),
               l->copies, l->repeat_len, rate, l->aliases[0] ? l->aliases : "-");
    }
    if (json) {
        json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
    }
    json_decref(arr);
    return EXIT_OK;
}
