/*
 * bnc_json.c: JSON string output that is valid whatever the bytes: names
 * come from other people and are not trusted to be clean UTF-8.
 */
#include "binome.h"

#include <stdio.h>

/* utf8_len returns the length of the valid UTF-8 sequence at s (at most
 * n bytes), or 0 when the bytes there are not valid UTF-8. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    /* Overlong forms, surrogates and code points past U+10FFFF. */
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return len;
}

int bnc_json_str(bn_buf *out, const char *s, size_t len)
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
        } else if ((n = utf8_len(p + i, len - i)) == 0) {
            rc = bn_buf_append(out, "\\ufffd", 6);
            i++;
        } else {
            rc = bn_buf_append(out, p + i, n);
            i += n;
        }
    }
    if (rc == 0)
        rc = bn_buf_append(out, "\"", 1);
    return rc;
}
