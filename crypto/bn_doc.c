/*
 * bn_doc.c: documents as crypto_secretstream_xchacha20poly1305 streams.
 *
 * A document key is 32 random bytes (randombytes_buf). The stream is:
 * header (24 bytes, from init_push) then chunks, each at most BN_DOC_CHUNK
 * (64 KiB) of plaintext plus BN_DOC_CHUNK_OVERHEAD (17) bytes. Chunk i
 * (counted from 0) is pushed with associated data doc_id (8, big-endian)
 * || i (8, big-endian), so a chunk moved from another document or another
 * position fails even under the same key (secretstream's own nonce
 * ratchet also catches a reorder within one stream). The last chunk, and
 * only it, carries TAG_FINAL; every other chunk TAG_MESSAGE.
 *
 * Pull errors: an altered, reordered or foreign chunk (MAC failure), a
 * chunk shorter than the overhead, or a tag other than MESSAGE/FINAL is
 * BN_EAUTH (the stream state is unchanged by a MAC failure, and poisoned
 * after an unexpected tag); any chunk after the final one is BN_ESTREAM;
 * a chunk over BN_DOC_CHUNK is BN_ETOOBIG. bn_doc_pull_finish is
 * BN_ESTREAM unless the final chunk was pulled (a truncated document).
 *
 * s->done: 0 running, 1 final chunk seen/sent, 2 poisoned (pull only).
 */
#include "bn_crypto.h"

#include <string.h>

#include "bn_util.h"

#define DOC_AD_BYTES 16
#define DOC_POISONED 2

void bn_doc_key_generate(uint8_t key[32])
{
    randombytes_buf(key, 32);
}

static void doc_ad(uint8_t ad[DOC_AD_BYTES], uint64_t doc_id, uint64_t index)
{
    bn_put_be64(ad, doc_id);
    bn_put_be64(ad + 8, index);
}

int bn_doc_push_init(bn_doc_stream *s, uint8_t header[24],
                     const uint8_t key[32])
{
    if (s == NULL || header == NULL || key == NULL)
        return BN_EINVAL;
    memset(s, 0, sizeof *s);
    if (crypto_secretstream_xchacha20poly1305_init_push(&s->st, header, key) !=
        0)
        return BN_EINTERNAL;
    return 0;
}

int bn_doc_push(bn_doc_stream *s, uint8_t *out, uint64_t doc_id,
                const uint8_t *in, size_t inlen, int is_final)
{
    uint8_t ad[DOC_AD_BYTES];

    if (s == NULL || out == NULL || (in == NULL && inlen > 0) || s->done)
        return BN_EINVAL;
    if (inlen > BN_DOC_CHUNK)
        return BN_ETOOBIG;
    doc_ad(ad, doc_id, s->index);
    if (crypto_secretstream_xchacha20poly1305_push(
            &s->st, out, NULL, in, inlen, ad, sizeof ad,
            is_final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                     : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) != 0)
        return BN_EINTERNAL;
    s->index++;
    if (is_final)
        s->done = 1;
    return 0;
}

int bn_doc_pull_init(bn_doc_stream *s, const uint8_t header[24],
                     const uint8_t key[32])
{
    if (s == NULL || header == NULL || key == NULL)
        return BN_EINVAL;
    memset(s, 0, sizeof *s);
    if (crypto_secretstream_xchacha20poly1305_init_pull(&s->st, header, key) !=
        0)
        return BN_EAUTH;
    return 0;
}

int bn_doc_pull(bn_doc_stream *s, uint8_t *out, size_t *outlen, uint64_t doc_id,
                const uint8_t *in, size_t inlen, int *is_final)
{
    uint8_t ad[DOC_AD_BYTES];
    unsigned long long mlen = 0;
    unsigned char tag = 0;

    if (s == NULL || out == NULL || outlen == NULL || in == NULL ||
        is_final == NULL)
        return BN_EINVAL;
    *outlen = 0;
    *is_final = 0;
    if (s->done == 1)
        return BN_ESTREAM;
    if (s->done != 0)
        return BN_EAUTH;
    if (inlen < BN_DOC_CHUNK_OVERHEAD)
        return BN_EAUTH;
    if (inlen - BN_DOC_CHUNK_OVERHEAD > BN_DOC_CHUNK)
        return BN_ETOOBIG;
    doc_ad(ad, doc_id, s->index);
    if (crypto_secretstream_xchacha20poly1305_pull(&s->st, out, &mlen, &tag, in,
                                                   inlen, ad, sizeof ad) != 0)
        return BN_EAUTH;
    if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE &&
        tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
        sodium_memzero(out, (size_t)mlen);
        s->done = DOC_POISONED;
        return BN_EAUTH;
    }
    s->index++;
    *outlen = (size_t)mlen;
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
        s->done = 1;
        *is_final = 1;
    }
    return 0;
}

int bn_doc_pull_finish(const bn_doc_stream *s)
{
    if (s == NULL || s->done != 1)
        return BN_ESTREAM;
    return 0;
}

void bn_doc_stream_wipe(bn_doc_stream *s)
{
    if (s != NULL)
        sodium_memzero(s, sizeof *s);
}
