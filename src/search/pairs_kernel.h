/* The all-pairs kernel, written once for any word type and included by
 * pairs.c once per ISA with these defined (this file undefines them):
 *   PK_NAME     prefix of the functions made here
 *   PK_W        the word: uint64_t (the scalar twin) or a vector of them
 *   PK_ATTR     attributes of every function here (the target ISA)
 *   PK_UNSLICE  unslice(planes, words, P, out): P bit planes of words u64
 *               each, to one byte per row (the counter's value)
 * It defines PK_NAME##5 and PK_NAME##7, pair_codes_fn kernels for counters
 * of 5 bit planes (up to 31 loci) and 7 (up to 64).
 *
 * For the rows of a tile (bits: per locus and allele id, "has the allele"
 * and "homozygous for it", one bit per row), a row i is a list of three
 * bitset offsets per locus it types (off, padded to whole groups of PK_GROUP
 * loci with offsets of an all-zero bitset): has[a0], has[a1] and hom[a0] if
 * a0 == a1, else has[a0]. Then per word of rows
 *   any  = has[a0] | has[a1]   rows sharing an allele with i
 *   full = x & has[a1]         rows with i's genotype
 * and the loci's bits are summed into two bit-sliced counters, m (full) and
 * any: seven loci at a time through a carry-save adder tree to a 3-bit
 * count, added to the P-plane counter. The counters are written back as one
 * byte per row to m_out and any_out. */

#define PK_CAT2(a, b) a##b
#define PK_CAT(a, b) PK_CAT2(a, b)

/* Full adder on words: s = a ^ b ^ c, carry = majority(a, b, c). */
#define PK_FA(a, b, c, s, carry)                                                                   \
    do {                                                                                           \
        PK_W fa_a = (a), fa_b = (b), fa_c = (c), fa_t = fa_a ^ fa_b;                               \
        (s) = fa_t ^ fa_c;                                                                         \
        (carry) = (fa_a & fa_b) | (fa_t & fa_c);                                                   \
    } while (0)

/* Adds PK_GROUP (7) one-bit words x to the counter c of P planes. */
PK_ATTR static inline __attribute__((always_inline)) void
PK_CAT(PK_NAME, _add7)(PK_W *c, const PK_W *x, const int P)
{
    PK_W s1, c1, s2, c2, ones, c3, twos, fours, carry;
    PK_FA(x[0], x[1], x[2], s1, c1);
    PK_FA(x[3], x[4], x[5], s2, c2);
    PK_FA(s1, s2, x[6], ones, c3);
    PK_FA(c1, c2, c3, twos, fours);
    carry = c[0] & ones;
    c[0] ^= ones;
    PK_FA(c[1], twos, carry, c[1], carry);
    PK_FA(c[2], fours, carry, c[2], carry);
    for (int k = 3; k < P; k++) {
        PK_W next = c[k] & carry;
        c[k] ^= carry;
        carry = next;
    }
}

PK_ATTR static inline __attribute__((always_inline)) void
PK_CAT(PK_NAME, _body)(const uint64_t *bits, const uint32_t *off, int groups, long w0, long w1,
                       uint8_t *m_out, uint8_t *any_out, const int P)
{
    enum { NW = sizeof(PK_W) / sizeof(uint64_t) };
    for (long w = w0; w < w1; w += NW) {
        PK_W m[7] = {0}, any[7] = {0};
        for (int g = 0; g < groups; g++) {
            const uint32_t *o = off + 3 * PK_GROUP * g;
            PK_W full_x[PK_GROUP], any_x[PK_GROUP];
            for (int t = 0; t < PK_GROUP; t++) {
                PK_W h0, h1, hx;
                memcpy(&h0, bits + o[3 * t] + w, sizeof h0);
                memcpy(&h1, bits + o[3 * t + 1] + w, sizeof h1);
                memcpy(&hx, bits + o[3 * t + 2] + w, sizeof hx);
                any_x[t] = h0 | h1;
                full_x[t] = hx & h1;
            }
            PK_CAT(PK_NAME, _add7)(m, full_x, P);
            PK_CAT(PK_NAME, _add7)(any, any_x, P);
        }
        uint64_t mp[7 * NW], ap[7 * NW];
        memcpy(mp, m, (size_t)P * sizeof *m);
        memcpy(ap, any, (size_t)P * sizeof *any);
        PK_UNSLICE(mp, NW, P, m_out + 64 * w);
        PK_UNSLICE(ap, NW, P, any_out + 64 * w);
    }
}

PK_ATTR static void PK_CAT(PK_NAME, 5)(const uint64_t *bits, const uint32_t *off, int groups,
                                       long w0, long w1, uint8_t *m_out, uint8_t *any_out)
{
    PK_CAT(PK_NAME, _body)(bits, off, groups, w0, w1, m_out, any_out, 5);
}

PK_ATTR static void PK_CAT(PK_NAME, 7)(const uint64_t *bits, const uint32_t *off, int groups,
                                       long w0, long w1, uint8_t *m_out, uint8_t *any_out)
{
    PK_CAT(PK_NAME, _body)(bits, off, groups, w0, w1, m_out, any_out, 7);
}

#undef PK_FA
#undef PK_CAT
#undef PK_CAT2
#undef PK_NAME
#undef PK_W
#undef PK_ATTR
#undef PK_UNSLICE
