/*
 * fuzz_frame.c: libFuzzer target for the frame reader.
 *
 * Input: byte 0 seeds the piece sizes, byte 1 picks the limit (bit 0:
 * post-login, bit 1: a tiny 16-byte limit), the rest is the stream. The
 * stream is fed in pseudo-random pieces; after each feed every whole frame
 * is popped and its body decoded as a message. A reference walk over the
 * stream says which frames must come out and whether BN_ETOOBIG must
 * happen; the reader must agree, and its buffer must stay within what the
 * held bytes or one whole frame need.
 */
#include <stdint.h>
#include <stdlib.h>

#include "bn_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint32_t seed = data[0] * 2654435761u + 0x9e3779b9u;
    size_t limit = data[1] & 2   ? 16
                   : data[1] & 1 ? BN_FRAME_MAX
                                 : BN_FRAME_MAX_PRELOGIN;
    data += 2;
    size -= 2;

    /* the reference: bytes of whole frames before any oversize header */
    size_t want = 0;
    int want_toobig = 0;
    while (size - want >= BN_FRAME_HDR) {
        uint32_t n = bn_get_be32(data + want);
        if (n > limit) {
            want_toobig = 1;
            break;
        }
        if (size - want - BN_FRAME_HDR < n)
            break;
        want += BN_FRAME_HDR + n;
    }

    bn_frame_reader r;
    bn_frame_reader_init(&r, limit);
    size_t off = 0, popped = 0, max_need = 0;
    int toobig = 0;
    while (off < size) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        size_t piece = (seed & 7) == 0 ? 1 + seed % 4096 : 1 + seed % 16;
        if (piece > size - off)
            piece = size - off;
        if (r.len - r.off + piece > max_need)
            max_need = r.len - r.off + piece;
        int rc = bn_frame_reader_feed(&r, data + off, piece);
        off += piece;
        if (rc == BN_ETOOBIG) {
            toobig = 1;
            break;
        }
        if (rc != 0)
            abort();
        const uint8_t *body;
        size_t len;
        while ((rc = bn_frame_reader_next(&r, &body, &len)) == 0) {
            if (len > limit || body + len > r.buf + r.len)
                abort();
            popped += BN_FRAME_HDR + len;
            bn_msg m;
            if (bn_msg_decode(&m, body, len) == 0)
                bn_msg_free(&m);
        }
        if (rc != BN_EAGAIN)
            abort();
        size_t bound = limit + BN_FRAME_HDR;
        if (bound < 1024)
            bound = 1024;
        if (bound < max_need)
            bound = max_need;
        if (r.cap > bound)
            abort();
    }
    if (toobig != want_toobig || (!toobig && popped != want) || popped > want)
        abort();
    bn_frame_reader_free(&r);
    return 0;
}
