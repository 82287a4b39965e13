/*
 * bn_frame.c: the frame reader: 4-byte big-endian length, then the body.
 *
 * Conventions (bn_proto.h states the contract):
 * - A header announcing more than the limit is BN_ETOOBIG as soon as its
 *   4 bytes are held or being fed, before any memory is reserved for the
 *   body; feed checks every header in the held bytes plus the new ones
 *   before it copies anything.
 * - Zero-length frames are allowed: next returns 0 with *len 0 (and a
 *   body pointer that must not be read). bn_msg_decode rejects an empty
 *   body with BN_ETRUNC, so they carry nothing further up.
 * - The buffer grows to what the held bytes need (at least 1 KiB, at
 *   most the bigger of one whole frame and the bytes actually fed), is
 *   compacted on feed (consumed bytes wiped), and wiped on free. Growth
 *   goes through malloc + copy + wipe rather than realloc so that no copy
 *   of a body is left behind in freed memory.
 * - trim gives a buffer bigger than the minimum back once every held byte
 *   is consumed, so that an idle connection does not keep the size of the
 *   largest frame it ever received.
 */
#include "bn_proto.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define BN__FRAME_MIN_CAP 1024u

void bn_frame_reader_init(bn_frame_reader *r, size_t limit)
{
    memset(r, 0, sizeof *r);
    r->limit = limit;
}

void bn_frame_reader_free(bn_frame_reader *r)
{
    if (r == NULL)
        return;
    if (r->buf != NULL) {
        sodium_memzero(r->buf, r->cap);
        free(r->buf);
    }
    size_t limit = r->limit;
    memset(r, 0, sizeof *r);
    r->limit = limit;
}

void bn_frame_reader_set_limit(bn_frame_reader *r, size_t limit)
{
    r->limit = limit;
}

void bn_frame_header(uint8_t hdr[BN_FRAME_HDR], uint32_t len)
{
    bn_put_be32(hdr, len);
}

/* The byte at position i of the held bytes followed by the new ones. */
static uint8_t frame_byte(const bn_frame_reader *r, const uint8_t *data,
                          size_t i)
{
    size_t held = r->len - r->off;
    return i < held ? r->buf[r->off + i] : data[i - held];
}

/*
 * check_headers walks the frames of (held bytes || data) and returns
 * BN_ETOOBIG when a complete header announces more than the limit. A
 * frame's body is skipped without being read, so the walk costs one step
 * per frame, not per byte.
 */
static int check_headers(const bn_frame_reader *r, const uint8_t *data,
                         size_t len)
{
    uint64_t total = (uint64_t)(r->len - r->off) + len;
    uint64_t p = 0;

    while (p < total && total - p >= BN_FRAME_HDR) {
        uint32_t flen = 0;
        for (size_t i = 0; i < BN_FRAME_HDR; i++)
            flen = flen << 8 | frame_byte(r, data, (size_t)p + i);
        if (flen > r->limit)
            return BN_ETOOBIG;
        p += BN_FRAME_HDR + (uint64_t)flen;
    }
    return 0;
}

/* compact moves the unconsumed bytes to the front and wipes the rest. */
static void compact(bn_frame_reader *r)
{
    if (r->off == 0)
        return;
    size_t held = r->len - r->off;
    if (held > 0)
        memmove(r->buf, r->buf + r->off, held);
    sodium_memzero(r->buf + held, r->len - held);
    r->len = held;
    r->off = 0;
}

/* grow makes the capacity at least need; the old buffer is wiped. */
static int grow(bn_frame_reader *r, size_t need)
{
    size_t frame =
        r->limit > SIZE_MAX - BN_FRAME_HDR ? SIZE_MAX : r->limit + BN_FRAME_HDR;
    size_t cap = r->cap > SIZE_MAX / 2 ? SIZE_MAX : r->cap * 2;
    if (cap < BN__FRAME_MIN_CAP)
        cap = BN__FRAME_MIN_CAP;
    if (cap > frame)
        cap = frame;
    if (cap < need)
        cap = need;

    uint8_t *p = malloc(cap);
    if (p == NULL)
        return BN_ENOMEM;
    if (r->buf != NULL) {
        memcpy(p, r->buf, r->len);
        sodium_memzero(r->buf, r->cap);
        free(r->buf);
    }
    r->buf = p;
    r->cap = cap;
    return 0;
}

int bn_frame_reader_feed(bn_frame_reader *r, const uint8_t *data, size_t len)
{
    int rc = check_headers(r, data, len);
    if (rc != 0)
        return rc;
    if (len == 0)
        return 0;
    compact(r);
    if (len > SIZE_MAX - r->len)
        return BN_ENOMEM;
    if (r->len + len > r->cap) {
        rc = grow(r, r->len + len);
        if (rc != 0)
            return rc;
    }
    memcpy(r->buf + r->len, data, len);
    r->len += len;
    return 0;
}

void bn_frame_reader_trim(bn_frame_reader *r)
{
    if (r->buf == NULL || r->off != r->len || r->cap <= BN__FRAME_MIN_CAP)
        return;
    sodium_memzero(r->buf, r->cap);
    free(r->buf);
    r->buf = NULL;
    r->len = r->off = r->cap = 0;
}

int bn_frame_reader_next(bn_frame_reader *r, const uint8_t **body, size_t *len)
{
    size_t held = r->len - r->off;
    if (held < BN_FRAME_HDR)
        return BN_EAGAIN;
    uint32_t flen = bn_get_be32(r->buf + r->off);
    if (flen > r->limit)
        return BN_ETOOBIG;
    if (held - BN_FRAME_HDR < flen)
        return BN_EAGAIN;
    *body = r->buf + r->off + BN_FRAME_HDR;
    *len = flen;
    r->off += BN_FRAME_HDR + (size_t)flen;
    return 0;
}
