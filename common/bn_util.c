/*
 * bn_util.c: the byte buffer, big-endian integers, calendar dates, hex,
 * UTF-8 sequences and whole reads and writes of a file descriptor
 * (bn_util.h says each contract).
 */
#include "bn_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>

#include <sodium.h>

void bn_buf_init(bn_buf *b)
{
    memset(b, 0, sizeof *b);
}

void bn_buf_free(bn_buf *b)
{
    if (b == NULL)
        return;
    free(b->data);
    memset(b, 0, sizeof *b);
}

void bn_buf_wipe(bn_buf *b)
{
    if (b == NULL)
        return;
    if (b->data != NULL)
        sodium_memzero(b->data, b->cap);
    bn_buf_free(b);
}

void bn_buf_reset(bn_buf *b)
{
    b->len = 0;
}

int bn_buf_reserve(bn_buf *b, size_t n)
{
    if (n <= b->cap - b->len)
        return 0;
    if (n > SIZE_MAX / 2 - b->len)
        return BN_ENOMEM;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (p == NULL)
        return BN_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int bn_buf_append(bn_buf *b, const void *data, size_t n)
{
    int rc = bn_buf_reserve(b, n);
    if (rc != 0)
        return rc;
    if (n > 0)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    return 0;
}

void bn_put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void bn_put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

void bn_put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

uint16_t bn_get_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t bn_get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

uint64_t bn_get_be64(const uint8_t *p)
{
    return (uint64_t)bn_get_be32(p) << 32 | bn_get_be32(p + 4);
}

/* Days from civil, after Howard Hinnant's public-domain algorithm. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int64_t bn_date_from_ymd(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    if (y < 2000 || y > 2199 || m < 1 || m > 12 || d < 1)
        return -1;
    int max = mdays[m - 1] + (m == 2 && is_leap(y));
    if (d > max)
        return -1;
    return days_from_civil(y, (unsigned)m, (unsigned)d);
}

uint32_t bn_date_add_months(uint32_t day, uint32_t months)
{
    int y, m, d;
    bn_date_to_ymd(day, &y, &m, &d);
    int64_t key = (int64_t)y * 12 + m - 1 + months;
    int ny = (int)(key / 12), nm = (int)(key % 12) + 1;
    int64_t first = bn_date_from_ymd(ny, nm, 1);
    int64_t next = nm == 12 ? bn_date_from_ymd(ny + 1, 1, 1)
                            : bn_date_from_ymd(ny, nm + 1, 1);
    if (first < 0 || next < 0)
        return UINT32_MAX; /* beyond the calendar: never reached */
    int64_t len = next - first;
    return (uint32_t)(first + (d < len ? d : len) - 1);
}

void bn_date_to_ymd(uint32_t day, int *y, int *m, int *d)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

int bn_date_parse(const char *s, uint32_t *day)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return BN_EDATE;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return BN_EDATE;
    }
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
            (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    int64_t n = bn_date_from_ymd(y, m, d);
    if (n < 0)
        return BN_EDATE;
    *day = (uint32_t)n;
    return 0;
}

void bn_date_format(char out[11], uint32_t day)
{
    int y, m, d;
    bn_date_to_ymd(day, &y, &m, &d);
    /* y is within 1970..11 million for any uint32 day; clamp for safety */
    if (y < 0 || y > 9999) {
        memcpy(out, "0000-00-00", 11);
        return;
    }
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int64_t bn_now(void)
{
    return (int64_t)time(NULL);
}

uint32_t bn_date_today(void)
{
    return (uint32_t)(bn_now() / 86400);
}

void bn_hex_encode(char *out, const uint8_t *in, size_t len)
{
    sodium_bin2hex(out, 2 * len + 1, in, len);
}

int bn_hex_decode(uint8_t *out, size_t len, const char *hex)
{
    size_t got = 0;
    const char *end = NULL;
    if (strlen(hex) != 2 * len)
        return BN_EINVAL;
    if (sodium_hex2bin(out, len, hex, 2 * len, NULL, &got, &end) != 0 ||
        got != len || *end != '\0')
        return BN_EINVAL;
    return 0;
}

size_t bn_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c, cp;
    size_t len;

    if (n == 0)
        return 0;
    c = s[0];
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

int bn_array_append(void **arr, size_t *n, size_t sz, const void *elem)
{
    /* Grow in powers of two: n is the count, capacity the next power. */
    size_t cap = 1;
    while (cap < *n + 1)
        cap *= 2;
    if (*n == 0 || (*n & (*n - 1)) == 0) {
        if (cap > SIZE_MAX / sz)
            return BN_ENOMEM;
        void *p = realloc(*arr, cap * sz);
        if (p == NULL)
            return BN_ENOMEM;
        *arr = p;
    }
    memcpy((uint8_t *)*arr + *n * sz, elem, sz);
    (*n)++;
    return 0;
}

int bn_read_full(int fd, uint8_t *buf, size_t len, size_t *got)
{
    size_t n = 0;

    while (n < len) {
        ssize_t r = read(fd, buf + n, len - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *got = n;
    return 0;
}

int bn_write_full(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}
