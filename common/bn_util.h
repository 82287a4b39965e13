/*
 * bn_util.h: small helpers shared by every module: a growable byte buffer,
 * big-endian integers, calendar dates and hex.
 */
#ifndef BN_UTIL_H
#define BN_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "bn_err.h"

/*
 * bn_buf: a growable byte buffer. Zero-initialise it (or bn_buf_init), use
 * it, then bn_buf_free. bn_buf_reset keeps the memory for reuse.
 * bn_buf_wipe zeroes the contents (sodium_memzero) before freeing.
 */
typedef struct bn_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} bn_buf;

void bn_buf_init(bn_buf *b);
void bn_buf_free(bn_buf *b);
void bn_buf_wipe(bn_buf *b);
void bn_buf_reset(bn_buf *b);
/* bn_buf_reserve makes room for n more bytes: 0 or BN_ENOMEM. */
int bn_buf_reserve(bn_buf *b, size_t n);
int bn_buf_append(bn_buf *b, const void *data, size_t n);

/* BN_STRINGIFY(X) is the text of macro X's value, for help strings and
 * messages that state a limit or a default: BN_STRINGIFY(BN_AUDIT_CANARY_MAX)
 * is "256" (the macro must be a plain number: no suffix, no expression). */
#define BN__STRINGIFY(x) #x
#define BN_STRINGIFY(x) BN__STRINGIFY(x)

/* Big-endian integer codecs. */
void bn_put_be16(uint8_t *p, uint16_t v);
void bn_put_be32(uint8_t *p, uint32_t v);
void bn_put_be64(uint8_t *p, uint64_t v);
uint16_t bn_get_be16(const uint8_t *p);
uint32_t bn_get_be32(const uint8_t *p);
uint64_t bn_get_be64(const uint8_t *p);

/*
 * Dates travel and are stored as day numbers: days since 1970-01-01
 * (1970-01-01 is day 0). BN_DATE_MIN/MAX bound what binome accepts:
 * 2000-01-01 to 2199-12-31. bn_date_parse accepts exactly YYYY-MM-DD and
 * real calendar days only (BN_EDATE otherwise). bn_date_format writes
 * YYYY-MM-DD and a NUL into out (11 bytes). bn_date_today is the UTC day.
 */
#define BN_DATE_MIN 10957u /* 2000-01-01 */
#define BN_DATE_MAX 84005u /* 2199-12-31 */
int bn_date_parse(const char *s, uint32_t *day);
void bn_date_format(char out[11], uint32_t day);
uint32_t bn_date_today(void);
/* bn_date_from_ymd returns the day number of a valid date, or -1. */
int64_t bn_date_from_ymd(int y, int m, int d);
void bn_date_to_ymd(uint32_t day, int *y, int *m, int *d);
/* bn_date_add_months is day plus months calendar months, clamped to the
 * month's last day (31 January + 1 month is 28 or 29 February). */
uint32_t bn_date_add_months(uint32_t day, uint32_t months);

/* bn_hex_encode writes 2*len hex digits and a NUL to out. */
void bn_hex_encode(char *out, const uint8_t *in, size_t len);
/* bn_hex_decode reads exactly 2*len hex digits: 0 or BN_EINVAL. */
int bn_hex_decode(uint8_t *out, size_t len, const char *hex);

/*
 * bn_utf8_seq returns the length (1 to 4) of the well-formed UTF-8
 * sequence at s, which has n bytes left, or 0 when the bytes there are
 * not one: a stray or truncated byte, an overlong form, a surrogate or a
 * code point past U+10FFFF. NUL and control characters are one-byte
 * sequences; callers that refuse them check for them.
 */
size_t bn_utf8_seq(const unsigned char *s, size_t n);

/* bn_now returns unix seconds (UTC). */
int64_t bn_now(void);

/* bn_array_append copies elem (sz bytes) after the *n elements of the
 * malloc'd array *arr (NULL when empty), growing it in powers of two, and
 * counts it: 0 or BN_ENOMEM (the array is left as it was). Free with
 * free(). */
int bn_array_append(void **arr, size_t *n, size_t sz, const void *elem);

/* bn_read_full reads up to len bytes from fd into buf, retrying short
 * reads and EINTR; *got is short of len only at the end of the file.
 * Returns 0 or -errno. */
int bn_read_full(int fd, uint8_t *buf, size_t len, size_t *got);
/* bn_write_full writes all len bytes, retrying short writes and EINTR.
 * Returns 0 or -errno. */
int bn_write_full(int fd, const uint8_t *buf, size_t len);

/*
 * bn_file_write_atomic writes len bytes to path with the given mode through
 * a temporary file, fsync and rename, then fsyncs the directory
 * (bn_file.c): 0, or -errno with nothing left behind.
 */
int bn_file_write_atomic(const char *path, const uint8_t *data, size_t len,
                         unsigned mode);

#endif
