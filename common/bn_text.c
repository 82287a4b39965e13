/*
 * bn_text.c: escaping text another person chose before it reaches a
 * terminal, the rule for names, and display widths (bn_text.h).
 */
#include "bn_text.h"

#include <stdio.h>

/* decode returns the code point of the well-formed sequence s[0..k). */
static int32_t decode(const unsigned char *s, size_t k)
{
    static const unsigned char lead_mask[5] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    uint32_t cp = s[0] & lead_mask[k];

    for (size_t i = 1; i < k; i++)
        cp = (cp << 6) | (s[i] & 0x3f);
    return (int32_t)cp;
}

/* bidi_or_separator: the bidirectional embeddings, overrides and isolates,
 * and the line and paragraph separators. */
static int bidi_or_separator(int32_t cp)
{
    return (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t bn_text_unit(const char *s, size_t n, unsigned flags, int *hazard,
                    int32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t k = bn_utf8_seq(p, n);

    if (k == 0) {
        *cp = -1;
        *hazard = 1;
        return 1;
    }
    *cp = decode(p, k);
    if (*cp < 0x20 || *cp == 0x7f)
        *hazard = !((flags & BN_TEXT_LINES) &&
                    (*cp == '\n' || *cp == '\t' ||
                     (*cp == '\r' && n > 1 && p[1] == '\n')));
    else
        *hazard = (*cp >= 0x80 && *cp <= 0x9f) || bidi_or_separator(*cp);
    return k;
}

int bn_text_escape(bn_buf *out, const char *s, size_t len, unsigned flags)
{
    size_t i = 0, start = 0;
    int rc = 0;

    /* Safe runs are appended whole; only hazards are rewritten. */
    while (rc == 0 && i < len) {
        int hazard;
        int32_t cp;
        size_t k = bn_text_unit(s + i, len - i, flags, &hazard, &cp);
        char esc[8];
        int e;

        if (!hazard) {
            i += k;
            continue;
        }
        rc = bn_buf_append(out, s + start, i - start);
        if (cp == '\n' || cp == '\t' || cp == '\r')
            e = snprintf(esc, sizeof esc, "\\%c",
                         cp == '\n'   ? 'n'
                         : cp == '\t' ? 't'
                                      : 'r');
        else if (cp < 0 || cp < 0x80)
            e = snprintf(esc, sizeof esc, "\\x%02x", (unsigned char)s[i]);
        else
            e = snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
        if (rc == 0)
            rc = bn_buf_append(out, esc, (size_t)e);
        i += k;
        start = i;
    }
    if (rc == 0)
        rc = bn_buf_append(out, s + start, i - start);
    return rc == 0 ? 0 : BN_ENOMEM;
}

/* ---- display width ------------------------------------------------------ */

typedef struct cp_range {
    int32_t lo, hi;
} cp_range;

/* Code points that take no column: the combining marks (general
 * categories Mn and Me) of the scripts names are written in, zero-width
 * spaces and joiners, the soft hyphen, variation selectors. */
static const cp_range zero_width[] = {
    {0x00ad, 0x00ad},   {0x0300, 0x036f},   {0x0483, 0x0489},
    {0x0591, 0x05bd},   {0x05bf, 0x05bf},   {0x05c1, 0x05c2},
    {0x05c4, 0x05c5},   {0x05c7, 0x05c7},   {0x0610, 0x061a},
    {0x064b, 0x065f},   {0x0670, 0x0670},   {0x06d6, 0x06dc},
    {0x06df, 0x06e4},   {0x06e7, 0x06e8},   {0x06ea, 0x06ed},
    {0x0711, 0x0711},   {0x0730, 0x074a},   {0x07a6, 0x07b0},
    {0x07eb, 0x07f3},   {0x0816, 0x082d},   {0x0859, 0x085b},
    {0x08d3, 0x08e1},   {0x08e3, 0x0902},   {0x093a, 0x093a},
    {0x093c, 0x093c},   {0x0941, 0x0948},   {0x094d, 0x094d},
    {0x0951, 0x0957},   {0x0962, 0x0963},   {0x0981, 0x0981},
    {0x09bc, 0x09bc},   {0x09c1, 0x09c4},   {0x09cd, 0x09cd},
    {0x09e2, 0x09e3},   {0x0a01, 0x0a02},   {0x0a3c, 0x0a3c},
    {0x0a41, 0x0a51},   {0x0a70, 0x0a71},   {0x0a75, 0x0a75},
    {0x0a81, 0x0a82},   {0x0abc, 0x0abc},   {0x0ac1, 0x0ac8},
    {0x0acd, 0x0acd},   {0x0ae2, 0x0ae3},   {0x0b01, 0x0b01},
    {0x0b3c, 0x0b3c},   {0x0b3f, 0x0b3f},   {0x0b41, 0x0b44},
    {0x0b4d, 0x0b4d},   {0x0b56, 0x0b56},   {0x0b62, 0x0b63},
    {0x0b82, 0x0b82},   {0x0bc0, 0x0bc0},   {0x0bcd, 0x0bcd},
    {0x0c00, 0x0c00},   {0x0c3e, 0x0c40},   {0x0c46, 0x0c56},
    {0x0c62, 0x0c63},   {0x0cbc, 0x0cbc},   {0x0ccc, 0x0ccd},
    {0x0ce2, 0x0ce3},   {0x0d00, 0x0d01},   {0x0d41, 0x0d44},
    {0x0d4d, 0x0d4d},   {0x0d62, 0x0d63},   {0x0dca, 0x0dca},
    {0x0dd2, 0x0dd6},   {0x0e31, 0x0e31},   {0x0e34, 0x0e3a},
    {0x0e47, 0x0e4e},   {0x0eb1, 0x0eb1},   {0x0eb4, 0x0ebc},
    {0x0ec8, 0x0ecd},   {0x0f18, 0x0f19},   {0x0f35, 0x0f35},
    {0x0f37, 0x0f37},   {0x0f39, 0x0f39},   {0x0f71, 0x0f7e},
    {0x0f80, 0x0f84},   {0x0f86, 0x0f87},   {0x0f8d, 0x0fbc},
    {0x102d, 0x1030},   {0x1032, 0x1037},   {0x1039, 0x103a},
    {0x1160, 0x11ff},   {0x135d, 0x135f},   {0x1712, 0x1714},
    {0x17b4, 0x17b5},   {0x17b7, 0x17bd},   {0x17c6, 0x17c6},
    {0x17c9, 0x17d3},   {0x180b, 0x180f},   {0x1a1b, 0x1a1b},
    {0x1ab0, 0x1aff},   {0x1dc0, 0x1dff},   {0x200b, 0x200f},
    {0x2060, 0x2064},   {0x20d0, 0x20ff},   {0x2cef, 0x2cf1},
    {0x2de0, 0x2dff},   {0x302a, 0x302d},   {0x3099, 0x309a},
    {0xa66f, 0xa672},   {0xa674, 0xa67d},   {0xa69e, 0xa69f},
    {0xa6f0, 0xa6f1},   {0xfb1e, 0xfb1e},   {0xfe00, 0xfe0f},
    {0xfe20, 0xfe2f},   {0xfeff, 0xfeff},   {0x1d167, 0x1d169},
    {0x1d17b, 0x1d182}, {0x1d185, 0x1d18b}, {0x1d1aa, 0x1d1ad},
    {0xe0001, 0xe007f}, {0xe0100, 0xe01ef},
};

/* Code points two columns wide: East Asian Wide (W) and Fullwidth (F). */
static const cp_range wide[] = {
    {0x1100, 0x115f},   {0x231a, 0x231b},   {0x2329, 0x232a},
    {0x23e9, 0x23ec},   {0x23f0, 0x23f0},   {0x23f3, 0x23f3},
    {0x25fd, 0x25fe},   {0x2614, 0x2615},   {0x2648, 0x2653},
    {0x267f, 0x267f},   {0x2693, 0x2693},   {0x26a1, 0x26a1},
    {0x26aa, 0x26ab},   {0x26bd, 0x26be},   {0x26c4, 0x26c5},
    {0x26ce, 0x26ce},   {0x26d4, 0x26d4},   {0x26ea, 0x26ea},
    {0x26f2, 0x26f3},   {0x26f5, 0x26f5},   {0x26fa, 0x26fa},
    {0x26fd, 0x26fd},   {0x2705, 0x2705},   {0x270a, 0x270b},
    {0x2728, 0x2728},   {0x274c, 0x274c},   {0x274e, 0x274e},
    {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27b0, 0x27b0},   {0x27bf, 0x27bf},   {0x2b1b, 0x2b1c},
    {0x2b50, 0x2b50},   {0x2b55, 0x2b55},   {0x2e80, 0x303e},
    {0x3041, 0x3247},   {0x3250, 0x4dbf},   {0x4e00, 0xa4cf},
    {0xa960, 0xa97f},   {0xac00, 0xd7a3},   {0xf900, 0xfaff},
    {0xfe10, 0xfe19},   {0xfe30, 0xfe6f},   {0xff00, 0xff60},
    {0xffe0, 0xffe6},   {0x16fe0, 0x16fe4}, {0x17000, 0x18cff},
    {0x1b000, 0x1b2ff}, {0x1f004, 0x1f004}, {0x1f0cf, 0x1f0cf},
    {0x1f18e, 0x1f18e}, {0x1f191, 0x1f19a}, {0x1f200, 0x1f202},
    {0x1f210, 0x1f23b}, {0x1f240, 0x1f248}, {0x1f250, 0x1f251},
    {0x1f260, 0x1f265}, {0x1f300, 0x1f320}, {0x1f32d, 0x1f335},
    {0x1f337, 0x1f37c}, {0x1f37e, 0x1f393}, {0x1f3a0, 0x1f3ca},
    {0x1f3cf, 0x1f3d3}, {0x1f3e0, 0x1f3f0}, {0x1f3f4, 0x1f3f4},
    {0x1f3f8, 0x1f43e}, {0x1f440, 0x1f440}, {0x1f442, 0x1f4fc},
    {0x1f4ff, 0x1f53d}, {0x1f54b, 0x1f54e}, {0x1f550, 0x1f567},
    {0x1f57a, 0x1f57a}, {0x1f595, 0x1f596}, {0x1f5a4, 0x1f5a4},
    {0x1f5fb, 0x1f64f}, {0x1f680, 0x1f6c5}, {0x1f6cc, 0x1f6cc},
    {0x1f6d0, 0x1f6d2}, {0x1f6d5, 0x1f6d7}, {0x1f6eb, 0x1f6ec},
    {0x1f6f4, 0x1f6fc}, {0x1f7e0, 0x1f7eb}, {0x1f90c, 0x1f93a},
    {0x1f93c, 0x1f945}, {0x1f947, 0x1f9ff}, {0x1fa70, 0x1faff},
    {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
};

/* in_ranges: whether cp falls in one of the n sorted ranges r. */
static int in_ranges(int32_t cp, const cp_range *r, size_t n)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

int bn_text_cp_width(int32_t cp)
{
    if (cp < 0x300)
        return cp == 0xad ? 0 : 1;
    if (in_ranges(cp, zero_width, sizeof zero_width / sizeof zero_width[0]))
        return 0;
    if (in_ranges(cp, wide, sizeof wide / sizeof wide[0]))
        return 2;
    return 1;
}

size_t bn_text_width(const char *s, size_t len)
{
    size_t cols;

    bn_text_prefix(s, len, SIZE_MAX, &cols);
    return cols;
}

size_t bn_text_prefix(const char *s, size_t len, size_t width, size_t *cols)
{
    size_t i = 0, w = 0;

    while (i < len) {
        int hazard;
        int32_t cp;
        size_t k = bn_text_unit(s + i, len - i, 0, &hazard, &cp);
        size_t cw = (size_t)bn_text_cp_width(cp);
        if (w + cw > width)
            break;
        w += cw;
        i += k;
    }
    /* A cut keeps the marks that combine with the last character kept. */
    while (i < len) {
        int hazard;
        int32_t cp;
        size_t k = bn_text_unit(s + i, len - i, 0, &hazard, &cp);
        if (bn_text_cp_width(cp) != 0)
            break;
        i += k;
    }
    *cols = w;
    return i;
}

int bn_text_name_check(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        int hazard;
        int32_t cp;
        i += bn_text_unit(s + i, len - i, 0, &hazard, &cp);
        if (hazard)
            return BN_EINVAL;
    }
    return 0;
}

int bn_json_str(bn_buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    int rc = bn_buf_append(out, "\"", 1);

    for (size_t i = 0; i < len && rc == 0;) {
        unsigned char c = p[i];
        char esc[8];
        size_t n;

        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            rc = bn_buf_append(out, esc, 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            const char *named = c == '\n'   ? "\\n"
                                : c == '\t' ? "\\t"
                                : c == '\r' ? "\\r"
                                            : NULL;
            if (named != NULL) {
                rc = bn_buf_append(out, named, 2);
            } else {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                rc = bn_buf_append(out, esc, 6);
            }
            i++;
        } else if ((n = bn_utf8_seq(p + i, len - i)) == 0) {
            rc = bn_buf_append(out, "\\ufffd", 6);
            i++;
        } else {
            int hazard;
            int32_t cp;
            /* C1 controls and bidirectional controls as \uNNNN: the
             * same JSON string, and nothing a terminal acts on. */
            bn_text_unit(s + i, len - i, 0, &hazard, &cp);
            if (hazard) {
                snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
                rc = bn_buf_append(out, esc, 6);
            } else {
                rc = bn_buf_append(out, p + i, n);
            }
            i += n;
        }
    }
    if (rc == 0)
        rc = bn_buf_append(out, "\"", 1);
    return rc;
}
