/* Allele codes: text <-> fixed-point integer (repeat x 10 + microvariant). */
#include <stdio.h>
#include <string.h>

#include "strdb/allele.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Symbols accepted in place of a number, any case. */
static int parse_symbol(const char *s, size_t len, sdb_allele *out)
{
    if (len == 1 && (s[0] == '*' || s[0] == 'F' || s[0] == 'f'))
        *out = SDB_ALLELE_ANY;
    else if (len == 1 && (s[0] == 'X' || s[0] == 'x'))
        *out = SDB_ALLELE_X;
    else if (len == 1 && (s[0] == 'Y' || s[0] == 'y'))
        *out = SDB_ALLELE_Y;
    else if (len == 2 && (s[0] == 'O' || s[0] == 'o') && (s[1] == 'L' || s[1] == 'l'))
        *out = SDB_ALLELE_OL;
    else
        return SDB_EINVAL;
    return SDB_OK;
}

int sdb_allele_parse(const char *s, size_t len, sdb_allele *out)
{
    while (len > 0 && is_blank(*s))
        s++, len--;
    while (len > 0 && is_blank(s[len - 1]))
        len--;
    if (len == 0) return SDB_EINVAL;
    if (s[0] < '0' || s[0] > '9') return parse_symbol(s, len, out);
    long repeat = 0;
    size_t i = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        repeat = repeat * 10 + (s[i] - '0');
        if (repeat > SDB_ALLELE_NUMERIC_MAX / 10) return SDB_EINVAL;
    }
    int micro = 0;
    if (i < len) {
        /* exactly ".D": one microvariant digit, nothing after it */
        if (s[i] != '.' || i + 2 != len || s[i + 1] < '0' || s[i + 1] > '9') return SDB_EINVAL;
        micro = s[i + 1] - '0';
    }
    *out = (sdb_allele)(repeat * 10 + micro);
    return SDB_OK;
}

int sdb_allele_is_valid(sdb_allele a)
{
    return sdb_allele_is_numeric(a) || a == SDB_ALLELE_X || a == SDB_ALLELE_Y ||
           a == SDB_ALLELE_OL || a == SDB_ALLELE_ANY;
}

int sdb_allele_format(sdb_allele a, char *buf)
{
    const char *sym = NULL;
    switch (a) {
    case SDB_ALLELE_X: sym = "X"; break;
    case SDB_ALLELE_Y: sym = "Y"; break;
    case SDB_ALLELE_OL: sym = "OL"; break;
    case SDB_ALLELE_ANY: sym = "*"; break;
    default: break;
    }
    if (sym) return snprintf(buf, SDB_ALLELE_STRLEN, "%s", sym);
    if (!sdb_allele_is_numeric(a)) {
        strcpy(buf, "?");
        return SDB_EINVAL;
    }
    if (a % 10) return snprintf(buf, SDB_ALLELE_STRLEN, "%d.%d", a / 10, a % 10);
    return snprintf(buf, SDB_ALLELE_STRLEN, "%d", a / 10);
}
