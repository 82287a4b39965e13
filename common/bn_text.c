/*
 * bn_text.c: escaping text another person chose before it reaches a
 * terminal, and the rule for names (bn_text.h).
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
