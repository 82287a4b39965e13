/*
 * test_proto_frame.c: the frame reader: byte-by-byte feeding, several
 * frames in one feed, a partial frame then the rest, zero-length frames,
 * oversize headers (up to 4 GiB) refused before any allocation, limits
 * switched at login, bounded growth and compaction, trimming.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_list.h"

#include "bn_proto.h"

/* stream_of appends frames of the given body lengths (body byte j of
 * frame i is i + j) to s. */
static void stream_of(bn_buf *s, const size_t *lens, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t hdr[BN_FRAME_HDR];
        bn_frame_header(hdr, (uint32_t)lens[i]);
        assert_int_equal(bn_buf_append(s, hdr, sizeof hdr), 0);
        assert_int_equal(bn_buf_reserve(s, lens[i]), 0);
        for (size_t j = 0; j < lens[i]; j++)
            s->data[s->len++] = (uint8_t)(i + j);
    }
}

static void check_body(const uint8_t *body, size_t len, size_t i,
                       size_t want_len)
{
    assert_int_equal(len, want_len);
    for (size_t j = 0; j < len; j++)
        assert_int_equal(body[j], (uint8_t)(i + j));
}

/* feed_in_pieces feeds s in pieces of `piece` bytes, popping every whole
 * frame after each feed, and checks they come out whole and in order. */
static void feed_in_pieces(const bn_buf *s, const size_t *lens, size_t n,
                           size_t piece)
{
    bn_frame_reader r;
    bn_frame_reader_init(&r, BN_FRAME_MAX_PRELOGIN);
    size_t got = 0, max_need = 0;
    for (size_t off = 0; off < s->len; off += piece) {
        size_t k = s->len - off < piece ? s->len - off : piece;
        if (r.len - r.off + k > max_need)
            max_need = r.len - r.off + k;
        assert_int_equal(bn_frame_reader_feed(&r, s->data + off, k), 0);
        const uint8_t *body;
        size_t len;
        int rc;
        while ((rc = bn_frame_reader_next(&r, &body, &len)) == 0) {
            assert_true(got < n);
            check_body(body, len, got, lens[got]);
            got++;
        }
        assert_int_equal(rc, BN_EAGAIN);
        /* never more than the held bytes or one whole frame needed */
        assert_true(r.cap <= 1024 || r.cap <= BN_FRAME_MAX_PRELOGIN + 4 ||
                    r.cap <= max_need);
    }
    assert_int_equal(got, n);
    bn_frame_reader_free(&r);
    assert_null(r.buf);
}

static void test_pieces(void **state)
{
    (void)state;
    static const size_t lens[] = {5, 0, 1, 300, 4096, 0, 2, 1000};
    const size_t n = sizeof lens / sizeof lens[0];
    bn_buf s = {0};
    stream_of(&s, lens, n);
    /* byte by byte, odd pieces, all in one feed */
    static const size_t pieces[] = {1, 2, 3, 7, 64, 1000, 5000};
    for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++)
        feed_in_pieces(&s, lens, n, pieces[p]);
    feed_in_pieces(&s, lens, n, s.len);
    bn_buf_free(&s);
}

static void test_partial_then_rest(void **state)
{
    (void)state;
    static const size_t lens[] = {10, 20};
    bn_buf s = {0};
    stream_of(&s, lens, 2);
    bn_frame_reader r;
    const uint8_t *body;
    size_t len;
    bn_frame_reader_init(&r, 100);

    /* frame 0 whole and 5 bytes of frame 1 (its header and one byte) */
    assert_int_equal(bn_frame_reader_feed(&r, s.data, 14 + 5), 0);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), 0);
    check_body(body, len, 0, 10);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), BN_EAGAIN);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), BN_EAGAIN);

    /* the rest: the consumed frame is compacted away and wiped */
    assert_int_equal(bn_frame_reader_feed(&r, s.data + 19, s.len - 19), 0);
    assert_int_equal(r.off, 0);
    assert_int_equal(r.len, 24);
    for (size_t i = r.len; i < 19; i++)
        assert_int_equal(r.buf[i], 0);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), 0);
    check_body(body, len, 1, 20);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), BN_EAGAIN);
    bn_frame_reader_free(&r);
    bn_frame_reader_free(&r); /* twice is fine */
    bn_frame_reader_free(NULL);
    bn_buf_free(&s);
}

static void test_too_big(void **state)
{
    (void)state;
    bn_frame_reader r;
    const uint8_t *body;
    size_t len;
    static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 'x'};

    /* 4 GiB announced: refused at once, nothing allocated */
    bn_frame_reader_init(&r, BN_FRAME_MAX);
    assert_int_equal(bn_frame_reader_feed(&r, huge, sizeof huge), BN_ETOOBIG);
    assert_null(r.buf);
    assert_int_equal(r.cap, 0);
    bn_frame_reader_free(&r);

    /* the same header one byte at a time: refused at its 4th byte */
    bn_frame_reader_init(&r, BN_FRAME_MAX);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(bn_frame_reader_feed(&r, huge + i, 1), 0);
        assert_int_equal(bn_frame_reader_next(&r, &body, &len), BN_EAGAIN);
    }
    assert_int_equal(bn_frame_reader_feed(&r, huge + 3, 1), BN_ETOOBIG);
    assert_true(r.cap <= 1024);
    bn_frame_reader_free(&r);

    /* limit + 1 refused, the limit itself accepted (before login) */
    uint8_t hdr[BN_FRAME_HDR];
    bn_frame_reader_init(&r, BN_FRAME_MAX_PRELOGIN);
    bn_frame_header(hdr, BN_FRAME_MAX_PRELOGIN + 1);
    assert_int_equal(bn_frame_reader_feed(&r, hdr, sizeof hdr), BN_ETOOBIG);
    bn_frame_reader_free(&r);
    bn_frame_reader_init(&r, BN_FRAME_MAX_PRELOGIN);
    bn_frame_header(hdr, BN_FRAME_MAX_PRELOGIN);
    assert_int_equal(bn_frame_reader_feed(&r, hdr, sizeof hdr), 0);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), BN_EAGAIN);
    bn_frame_reader_free(&r);

    /* an oversize header behind a good frame in the same feed */
    static const size_t lens[] = {3};
    bn_buf s = {0};
    stream_of(&s, lens, 1);
    bn_frame_header(hdr, 5000);
    assert_int_equal(bn_buf_append(&s, hdr, sizeof hdr), 0);
    bn_frame_reader_init(&r, BN_FRAME_MAX_PRELOGIN);
    assert_int_equal(bn_frame_reader_feed(&r, s.data, s.len), BN_ETOOBIG);
    bn_frame_reader_free(&r);
    bn_buf_free(&s);
}

static void test_limit_switch(void **state)
{
    (void)state;
    static const size_t lens[] = {5000};
    bn_buf s = {0};
    stream_of(&s, lens, 1);
    bn_frame_reader r;
    const uint8_t *body;
    size_t len;

    bn_frame_reader_init(&r, BN_FRAME_MAX_PRELOGIN);
    assert_int_equal(bn_frame_reader_feed(&r, s.data, 4), BN_ETOOBIG);
    bn_frame_reader_free(&r);

    /* after login the same frame passes */
    bn_frame_reader_init(&r, BN_FRAME_MAX_PRELOGIN);
    bn_frame_reader_set_limit(&r, BN_FRAME_MAX);
    assert_int_equal(bn_frame_reader_feed(&r, s.data, s.len), 0);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), 0);
    check_body(body, len, 0, 5000);

    /* a held frame is checked against the limit when it is popped */
    assert_int_equal(bn_frame_reader_feed(&r, s.data, s.len), 0);
    bn_frame_reader_set_limit(&r, BN_FRAME_MAX_PRELOGIN);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), BN_ETOOBIG);
    bn_frame_reader_free(&r);
    bn_buf_free(&s);
}

/* A 1 MiB frame fed in 64 KiB pieces: the buffer follows the bytes held
 * up to one whole frame, and is not sized from the header. */
static void test_growth(void **state)
{
    (void)state;
    static const size_t lens[] = {BN_FRAME_MAX};
    bn_buf s = {0};
    stream_of(&s, lens, 1);
    bn_frame_reader r;
    const uint8_t *body;
    size_t len;

    bn_frame_reader_init(&r, BN_FRAME_MAX);
    assert_int_equal(bn_frame_reader_feed(&r, s.data, 10), 0);
    assert_true(r.cap <= 1024);
    size_t off = 10;
    while (off < s.len) {
        size_t k = s.len - off < 65536 ? s.len - off : 65536;
        assert_int_equal(bn_frame_reader_next(&r, &body, &len), BN_EAGAIN);
        assert_int_equal(bn_frame_reader_feed(&r, s.data + off, k), 0);
        off += k;
        assert_true(r.cap <= BN_FRAME_MAX + BN_FRAME_HDR);
        assert_true(r.cap <= 2 * r.len || r.cap <= 1024);
    }
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), 0);
    check_body(body, len, 0, BN_FRAME_MAX);
    bn_frame_reader_free(&r);
    bn_buf_free(&s);
}

/* trim gives a big buffer back once every byte is consumed, keeps a
 * partial frame, and the reader goes on working after either. */
static void test_trim(void **state)
{
    (void)state;
    const size_t lens[] = {60000, 10};
    bn_buf s = {0};
    const uint8_t *body;
    size_t len;
    bn_frame_reader r;
    stream_of(&s, lens, 2);
    bn_frame_reader_init(&r, 65536);

    /* a small buffer is kept */
    assert_int_equal(bn_frame_reader_feed(&r, s.data + BN_FRAME_HDR + 60000,
                                          BN_FRAME_HDR + 10),
                     0);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), 0);
    bn_frame_reader_trim(&r);
    assert_non_null(r.buf);
    assert_int_equal(r.cap, 1024);

    /* a big one with a partial frame held is kept, with its bytes */
    assert_int_equal(bn_frame_reader_feed(&r, s.data, 30000), 0);
    bn_frame_reader_trim(&r);
    assert_true(r.cap >= 30000);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), BN_EAGAIN);
    assert_int_equal(bn_frame_reader_feed(&r, s.data + 30000, s.len - 30000),
                     0);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), 0);
    check_body(body, len, 0, 60000);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), 0);
    check_body(body, len, 1, 10);

    /* everything consumed: the big buffer goes */
    bn_frame_reader_trim(&r);
    assert_null(r.buf);
    assert_int_equal(r.cap, 0);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), BN_EAGAIN);

    /* and the reader works again */
    assert_int_equal(bn_frame_reader_feed(&r, s.data, s.len), 0);
    assert_int_equal(bn_frame_reader_next(&r, &body, &len), 0);
    check_body(body, len, 0, 60000);
    bn_frame_reader_free(&r);
    bn_buf_free(&s);
}

/* Frames carry messages: a decoded body outlives the reader's buffer. */
static void test_frames_of_messages(void **state)
{
    (void)state;
    bn_msg m, d;
    bn_buf body = {0}, s = {0};
    uint8_t hdr[BN_FRAME_HDR];
    bn_msg_init(&m, BN_MSG_ERROR, 77);
    m.u.error.code = BN_EDENIED;
    m.u.error.message = (bn_str){"permission denied", 17};
    assert_int_equal(bn_msg_encode(&body, &m), 0);
    bn_frame_header(hdr, (uint32_t)body.len);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(bn_buf_append(&s, hdr, sizeof hdr), 0);
        assert_int_equal(bn_buf_append(&s, body.data, body.len), 0);
    }
    bn_frame_reader r;
    const uint8_t *p;
    size_t len;
    bn_frame_reader_init(&r, BN_FRAME_MAX_PRELOGIN);
    assert_int_equal(bn_frame_reader_feed(&r, s.data, s.len), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(bn_frame_reader_next(&r, &p, &len), 0);
        assert_int_equal(bn_msg_decode(&d, p, len), 0);
        if (i < 2)
            bn_msg_free(&d);
    }
    bn_frame_reader_free(&r);
    assert_int_equal(d.id, 77);
    assert_int_equal(d.u.error.code, BN_EDENIED);
    assert_string_equal(d.u.error.message.ptr, "permission denied");
    bn_msg_free(&d);
    bn_buf_free(&body);
    bn_buf_free(&s);
}

BN_UNIT_GROUP(proto_frame);
