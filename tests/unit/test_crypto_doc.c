/*
 * test_crypto_doc.c: documents as secretstream chunks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_list.h"

#include "bn_crypto.h"
#include "bn_util.h"

#define MAXCHUNKS 8

/* An encrypted document held in memory: header and chunks. */
typedef struct doc {
    uint8_t key[32];
    uint64_t id;
    uint8_t header[BN_DOC_STREAM_HEADER_BYTES];
    uint8_t *chunk[MAXCHUNKS];
    size_t len[MAXCHUNKS];
    size_t n;
    uint8_t *plain;
    size_t plainlen;
} doc;

/* doc_make encrypts plainlen random bytes in chunks of at most csize. */
static void doc_make(doc *d, const uint8_t key[32], uint64_t id,
                     size_t plainlen, size_t csize)
{
    bn_doc_stream s;
    memset(d, 0, sizeof *d);
    memcpy(d->key, key, 32);
    d->id = id;
    d->plainlen = plainlen;
    d->plain = malloc(plainlen ? plainlen : 1);
    assert_non_null(d->plain);
    randombytes_buf(d->plain, plainlen);
    assert_int_equal(bn_doc_push_init(&s, d->header, key), 0);
    size_t off = 0;
    do {
        size_t take = plainlen - off < csize ? plainlen - off : csize;
        int fin = off + take == plainlen;
        assert_true(d->n < MAXCHUNKS);
        d->chunk[d->n] = malloc(take + BN_DOC_CHUNK_OVERHEAD);
        assert_non_null(d->chunk[d->n]);
        d->len[d->n] = take + BN_DOC_CHUNK_OVERHEAD;
        assert_int_equal(
            bn_doc_push(&s, d->chunk[d->n], id, d->plain + off, take, fin), 0);
        d->n++;
        off += take;
    } while (off < plainlen);
    assert_int_equal(s.index, d->n);
    assert_int_equal(s.done, 1);
    /* nothing more after the final chunk */
    uint8_t out[64];
    assert_int_equal(bn_doc_push(&s, out, id, d->plain, 1, 1), BN_EINVAL);
    bn_doc_stream_wipe(&s);
}

static void doc_free(doc *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->chunk[i]);
    free(d->plain);
}

/* doc_read pulls the given chunk order and returns the first error, or the
 * result of bn_doc_pull_finish; on success checks the plaintext. */
static int doc_read(const doc *d, const uint8_t key[32], uint64_t id,
                    const uint8_t *const *chunks, const size_t *lens, size_t n)
{
    bn_doc_stream s;
    uint8_t *out = malloc(BN_DOC_CHUNK);
    size_t off = 0;
    int rc = bn_doc_pull_init(&s, d->header, key);
    assert_non_null(out);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t outlen = 0;
        int fin = 0;
        rc = bn_doc_pull(&s, out, &outlen, id, chunks[i], lens[i], &fin);
        if (rc != 0)
            break;
        assert_true(off + outlen <= d->plainlen);
        assert_memory_equal(out, d->plain + off, outlen);
        off += outlen;
        assert_int_equal(fin, i == d->n - 1);
    }
    if (rc == 0)
        rc = bn_doc_pull_finish(&s);
    if (rc == 0)
        assert_int_equal(off, d->plainlen);
    bn_doc_stream_wipe(&s);
    free(out);
    return rc;
}

static int doc_read_all(const doc *d)
{
    return doc_read(d, d->key, d->id, (const uint8_t *const *)d->chunk, d->len,
                    d->n);
}

static void test_doc_roundtrip(void **state)
{
    (void)state;
    uint8_t key[32];
    doc d;
    bn_doc_key_generate(key);
    const size_t sizes[] = {0,
                            1,
                            BN_DOC_CHUNK - 1,
                            BN_DOC_CHUNK,
                            BN_DOC_CHUNK + 1,
                            3 * BN_DOC_CHUNK + 100};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        doc_make(&d, key, 77, sizes[i], BN_DOC_CHUNK);
        assert_int_equal(d.n, sizes[i] == 0 ? 1
                                            : (sizes[i] + BN_DOC_CHUNK - 1) /
                                                  BN_DOC_CHUNK);
        assert_int_equal(doc_read_all(&d), 0);
        doc_free(&d);
    }
}

static void test_doc_key_random(void **state)
{
    (void)state;
    uint8_t a[32], b[32];
    bn_doc_key_generate(a);
    bn_doc_key_generate(b);
    assert_memory_not_equal(a, b, 32);
}

static void test_doc_every_bit_flip_fails(void **state)
{
    (void)state;
    uint8_t key[32];
    doc d;
    bn_doc_key_generate(key);
    doc_make(&d, key, 5, 90, 40); /* three chunks: 40, 40, 10 */
    assert_int_equal(d.n, 3);
    for (size_t c = 0; c < d.n; c++) {
        for (size_t i = 0; i < d.len[c]; i++) {
            for (int bit = 0; bit < 8; bit++) {
                d.chunk[c][i] ^= (uint8_t)(1u << bit);
                assert_int_equal(doc_read_all(&d), BN_EAUTH);
                d.chunk[c][i] ^= (uint8_t)(1u << bit);
            }
        }
    }
    for (size_t i = 0; i < sizeof d.header; i++) {
        d.header[i] ^= 0x01;
        assert_int_equal(doc_read_all(&d), BN_EAUTH);
        d.header[i] ^= 0x01;
    }
    assert_int_equal(doc_read_all(&d), 0);
    doc_free(&d);
}

static void test_doc_truncated_reordered_dropped(void **state)
{
    (void)state;
    uint8_t key[32];
    doc d;
    bn_doc_key_generate(key);
    doc_make(&d, key, 5, 100, 30); /* four chunks */
    assert_int_equal(d.n, 4);
    const uint8_t *c[4];
    size_t l[4];

    /* truncated: every prefix without the final chunk */
    for (size_t n = 0; n < d.n; n++)
        assert_int_equal(
            doc_read(&d, key, d.id, (const uint8_t *const *)d.chunk, d.len, n),
            BN_ESTREAM);
    /* a truncated last chunk */
    size_t cut[4] = {d.len[0], d.len[1], d.len[2], d.len[3] - 1};
    assert_int_equal(
        doc_read(&d, key, d.id, (const uint8_t *const *)d.chunk, cut, 4),
        BN_EAUTH);
    /* reordered */
    c[0] = d.chunk[1], l[0] = d.len[1];
    c[1] = d.chunk[0], l[1] = d.len[0];
    c[2] = d.chunk[2], l[2] = d.len[2];
    c[3] = d.chunk[3], l[3] = d.len[3];
    assert_int_equal(doc_read(&d, key, d.id, c, l, 4), BN_EAUTH);
    /* dropped middle chunk */
    c[0] = d.chunk[0], l[0] = d.len[0];
    c[1] = d.chunk[2], l[1] = d.len[2];
    c[2] = d.chunk[3], l[2] = d.len[3];
    assert_int_equal(doc_read(&d, key, d.id, c, l, 3), BN_EAUTH);
    /* replayed chunk */
    c[0] = d.chunk[0], l[0] = d.len[0];
    c[1] = d.chunk[0], l[1] = d.len[0];
    assert_int_equal(doc_read(&d, key, d.id, c, l, 2), BN_EAUTH);
    /* data after the final chunk */
    const uint8_t *c5[5] = {d.chunk[0], d.chunk[1], d.chunk[2], d.chunk[3],
                            d.chunk[3]};
    size_t l5[5] = {d.len[0], d.len[1], d.len[2], d.len[3], d.len[3]};
    assert_int_equal(doc_read(&d, key, d.id, c5, l5, 5), BN_ESTREAM);
    /* a chunk shorter than the overhead */
    size_t tiny[1] = {BN_DOC_CHUNK_OVERHEAD - 1};
    assert_int_equal(
        doc_read(&d, key, d.id, (const uint8_t *const *)d.chunk, tiny, 1),
        BN_EAUTH);
    doc_free(&d);
}

static void test_doc_failed_pull_changes_nothing(void **state)
{
    (void)state;
    uint8_t key[32], out[64];
    doc d;
    bn_doc_stream s;
    size_t outlen;
    int fin;
    bn_doc_key_generate(key);
    doc_make(&d, key, 9, 50, 20);
    assert_int_equal(bn_doc_pull_init(&s, d.header, key), 0);
    assert_int_equal(
        bn_doc_pull(&s, out, &outlen, d.id, d.chunk[1], d.len[1], &fin),
        BN_EAUTH);
    assert_int_equal(s.index, 0);
    assert_int_equal(
        bn_doc_pull(&s, out, &outlen, d.id, d.chunk[0], d.len[0], &fin), 0);
    assert_int_equal(outlen, 20);
    assert_int_equal(fin, 0);
    assert_int_equal(bn_doc_pull_finish(&s), BN_ESTREAM);
    bn_doc_stream_wipe(&s);
    doc_free(&d);
}

static void test_doc_foreign_chunks(void **state)
{
    (void)state;
    uint8_t key[32], other_key[32];
    doc a, b, c;
    bn_doc_key_generate(key);
    bn_doc_key_generate(other_key);
    doc_make(&a, key, 100, 60, 30);
    doc_make(&b, key, 200, 60, 30);       /* same key, other document */
    doc_make(&c, other_key, 100, 60, 30); /* other key, same doc id */

    /* the right stream read under another document id: the AD differs */
    assert_int_equal(
        doc_read(&a, key, 200, (const uint8_t *const *)a.chunk, a.len, a.n),
        BN_EAUTH);
    /* the right stream under another key */
    assert_int_equal(doc_read(&a, other_key, a.id,
                              (const uint8_t *const *)a.chunk, a.len, a.n),
                     BN_EAUTH);
    /* a chunk spliced in from another document under the same key */
    const uint8_t *mix[2] = {a.chunk[0], b.chunk[1]};
    size_t mixl[2] = {a.len[0], b.len[1]};
    assert_int_equal(doc_read(&a, key, a.id, mix, mixl, 2), BN_EAUTH);
    mix[0] = b.chunk[0];
    mixl[0] = b.len[0];
    assert_int_equal(doc_read(&a, key, a.id, mix, mixl, 1), BN_EAUTH);
    /* a chunk from a document under another key */
    mix[0] = a.chunk[0];
    mix[1] = c.chunk[1];
    assert_int_equal(doc_read(&a, key, a.id, mix, mixl, 2), BN_EAUTH);
    doc_free(&a);
    doc_free(&b);
    doc_free(&c);
}

static void test_doc_chunk_limits(void **state)
{
    (void)state;
    uint8_t key[32], header[24];
    bn_doc_stream s;
    uint8_t *in = calloc(1, BN_DOC_CHUNK + 1);
    uint8_t *out = malloc(BN_DOC_CHUNK + 1 + BN_DOC_CHUNK_OVERHEAD);
    size_t outlen;
    int fin;
    assert_non_null(in);
    assert_non_null(out);
    bn_doc_key_generate(key);
    assert_int_equal(bn_doc_push_init(&s, header, key), 0);
    assert_int_equal(bn_doc_push(&s, out, 1, in, BN_DOC_CHUNK + 1, 0),
                     BN_ETOOBIG);
    assert_int_equal(bn_doc_pull_init(&s, header, key), 0);
    assert_int_equal(bn_doc_pull(&s, in, &outlen, 1, out,
                                 BN_DOC_CHUNK + 1 + BN_DOC_CHUNK_OVERHEAD,
                                 &fin),
                     BN_ETOOBIG);
    bn_doc_stream_wipe(&s);
    uint8_t zero[sizeof s];
    memset(zero, 0, sizeof zero);
    assert_memory_equal(&s, zero, sizeof s);
    free(in);
    free(out);
}

BN_UNIT_GROUP(crypto_doc);
