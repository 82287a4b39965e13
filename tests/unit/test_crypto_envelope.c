/*
 * test_crypto_envelope.c: Padmé padding and note envelopes.
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

typedef struct fixture {
    uint8_t key[32];
    uint8_t sign_pk[32], sign_sk[64];
    bn_note_ad ad;
} fixture;

static void fixture_init(fixture *f)
{
    randombytes_buf(f->key, sizeof f->key);
    crypto_sign_keypair(f->sign_pk, f->sign_sk);
    f->ad.pair_id = 7;
    f->ad.note_id = 0x1122334455667788ull;
    f->ad.revision = 3;
    f->ad.author_id = 42;
    f->ad.kind = 2;
    f->ad.is_private = 0;
    f->ad.session_id = 9;
}

/* ---- Padmé ---------------------------------------------------------- */

static void test_padme_always_longer_and_monotonic(void **state)
{
    (void)state;
    size_t prev = 0;
    for (size_t len = 0; len <= BN_NOTE_MAX_PLAINTEXT + 1000; len++) {
        size_t p = bn_padme_len(len);
        assert_true(p > len);
        assert_true(p >= prev);
        prev = p;
    }
}

static void test_padme_small_notes_pad_alike(void **state)
{
    (void)state;
    /* every note up to 255 bytes pads to the same 256 bytes */
    for (size_t len = 0; len < 256; len++)
        assert_int_equal(bn_padme_len(len), 256);
    assert_int_equal(bn_padme_len(1), bn_padme_len(200));
    /* similar sizes above the floor share a bucket */
    assert_int_equal(bn_padme_len(1001), bn_padme_len(1010));
    assert_int_equal(bn_padme_len(100000), bn_padme_len(100100));
}

static void test_padme_known_values(void **state)
{
    (void)state;
    /* padme(L) for L = len + 1 (Nikitin et al.): E = floor(log2 L),
     * S = floor(log2 E) + 1, round up to a multiple of 2^(E - S). */
    assert_int_equal(bn_padme_len(255), 256);   /* L=256: z=4, 256 */
    assert_int_equal(bn_padme_len(256), 272);   /* L=257: 272 */
    assert_int_equal(bn_padme_len(1000), 1024); /* L=1001: z=5 -> 1024 */
    assert_int_equal(bn_padme_len(1023), 1024);
    assert_int_equal(bn_padme_len(1024), 1088); /* L=1025: E=10,S=4,z=6 */
    assert_int_equal(bn_padme_len(65535), 65536);
    assert_int_equal(bn_padme_len(65536), 67584); /* z=11 */
}

static void test_padme_leaks_loglog_bits(void **state)
{
    (void)state;
    /* Within [2^E, 2^(E+1)) the padded lengths are the multiples of
     * 2^(E-S) from 2^E to 2^(E+1): 2^S + 1 <= 2E + 1 values, so the
     * length reveals O(log log L) bits. Overhead stays under 1/8 of L. */
    for (unsigned e = 8; e <= 18; e++) {
        size_t lo = (size_t)1 << e, hi = (size_t)1 << (e + 1);
        size_t distinct = 0, last = 0;
        for (size_t L = lo; L < hi; L++) {
            size_t p = bn_padme_len(L - 1);
            assert_true(p - L < L / 8);
            if (p != last) {
                distinct++;
                last = p;
            }
        }
        unsigned s = 1;
        for (unsigned v = e; v > 1; v >>= 1)
            s++;
        assert_int_equal(distinct, ((size_t)1 << s) + 1);
        assert_true(distinct <= 2 * e + 1);
        assert_true(distinct >= 2); /* not one huge bucket either */
    }
}

/* ---- envelopes ------------------------------------------------------ */

static void roundtrip_len(const fixture *f, size_t len)
{
    uint8_t *pt = malloc(len ? len : 1), *env = NULL, *back = NULL;
    size_t envlen = 0, backlen = 0;
    uint32_t epoch = 0;

    assert_non_null(pt);
    randombytes_buf(pt, len);
    assert_int_equal(
        bn_envelope_seal(&env, &envlen, f->key, 9, &f->ad, pt, len, f->sign_sk),
        0);
    assert_int_equal(envlen, BN_ENVELOPE_HEADER_BYTES + bn_padme_len(len) +
                                 BN_TAG_BYTES + BN_SIG_BYTES);
    assert_int_equal(env[0], BN_ENVELOPE_VERSION);
    assert_int_equal(bn_envelope_check(env, envlen), 0);
    assert_int_equal(bn_envelope_epoch(env, envlen, &epoch), 0);
    assert_int_equal(epoch, 9);
    assert_int_equal(bn_envelope_open(&back, &backlen, f->key, &f->ad, env,
                                      envlen, f->sign_pk),
                     0);
    assert_int_equal(backlen, len);
    if (len > 0)
        assert_memory_equal(back, pt, len);
    sodium_free(back);
    free(env);
    free(pt);
}

static void test_envelope_roundtrip(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    size_t lens[] = {
        0, 1, 2, 200, 255, 256, 257, 1000, 4096, 65536, BN_NOTE_MAX_PLAINTEXT};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        roundtrip_len(&f, lens[i]);
}

static void test_envelope_short_and_long_notes_same_size(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    uint8_t big[200];
    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    memset(big, 'x', sizeof big);
    assert_int_equal(bn_envelope_seal(&a, &alen, f.key, 1, &f.ad,
                                      (const uint8_t *)"k", 1, f.sign_sk),
                     0);
    assert_int_equal(bn_envelope_seal(&b, &blen, f.key, 1, &f.ad, big,
                                      sizeof big, f.sign_sk),
                     0);
    assert_int_equal(alen, blen);
    free(a);
    free(b);
}

static void test_envelope_too_big(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    size_t len = BN_NOTE_MAX_PLAINTEXT + 1;
    uint8_t *pt = calloc(1, len), *env = NULL;
    size_t envlen = 0;
    assert_non_null(pt);
    assert_int_equal(
        bn_envelope_seal(&env, &envlen, f.key, 1, &f.ad, pt, len, f.sign_sk),
        BN_ETOOBIG);
    assert_null(env);
    free(pt);
}

static void seal_small(const fixture *f, uint8_t **env, size_t *envlen)
{
    static const char msg[] = "we agreed on three actions";
    assert_int_equal(bn_envelope_seal(env, envlen, f->key, 4, &f->ad,
                                      (const uint8_t *)msg, sizeof msg - 1,
                                      f->sign_sk),
                     0);
}

static int try_open(const fixture *f, const uint8_t key[32],
                    const bn_note_ad *ad, const uint8_t *env, size_t envlen,
                    const uint8_t pk[32])
{
    uint8_t *pt = NULL;
    size_t ptlen = 0;
    int rc = bn_envelope_open(&pt, &ptlen, key, ad, env, envlen, pk);
    (void)f;
    if (rc != 0)
        assert_null(pt);
    sodium_free(pt);
    return rc;
}

static void test_envelope_every_bit_flip_fails(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    uint8_t *env = NULL;
    size_t envlen = 0;
    seal_small(&f, &env, &envlen);
    for (size_t i = 0; i < envlen; i++) {
        for (int bit = 0; bit < 8; bit++) {
            env[i] ^= (uint8_t)(1u << bit);
            int rc = try_open(&f, f.key, &f.ad, env, envlen, f.sign_pk);
            assert_int_equal(rc, i == 0 ? BN_EVERSION : BN_ESIG);
            env[i] ^= (uint8_t)(1u << bit);
        }
    }
    assert_int_equal(try_open(&f, f.key, &f.ad, env, envlen, f.sign_pk), 0);
    free(env);
}

static void test_envelope_wrong_ad_fields(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    uint8_t *env = NULL;
    size_t envlen = 0;
    seal_small(&f, &env, &envlen);
    for (int field = 0; field < 7; field++) {
        bn_note_ad ad = f.ad;
        switch (field) {
        case 0:
            ad.pair_id++;
            break;
        case 1:
            ad.note_id ^= 1;
            break;
        case 2:
            ad.revision++;
            break;
        case 3:
            ad.author_id++;
            break;
        case 4:
            ad.kind = BN_AD_KIND_OBJECTIVE;
            break;
        case 5:
            ad.is_private = 1;
            break;
        default:
            ad.session_id++; /* a report moved to another session */
            break;
        }
        assert_int_equal(try_open(&f, f.key, &ad, env, envlen, f.sign_pk),
                         BN_ESIG);
    }
    free(env);
}

static void test_envelope_wrong_key_epoch_author(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    uint8_t *env = NULL;
    size_t envlen = 0;
    uint8_t other_key[32], other_pk[32], other_sk[64];
    randombytes_buf(other_key, sizeof other_key);
    crypto_sign_keypair(other_pk, other_sk);
    seal_small(&f, &env, &envlen);

    /* the key of another epoch: signature fine, decryption fails */
    assert_int_equal(try_open(&f, other_key, &f.ad, env, envlen, f.sign_pk),
                     BN_EAUTH);
    /* another author's key */
    assert_int_equal(try_open(&f, f.key, &f.ad, env, envlen, other_pk),
                     BN_ESIG);
    /* the server relabels the epoch */
    bn_put_be32(env + 1, 5);
    assert_int_equal(try_open(&f, f.key, &f.ad, env, envlen, f.sign_pk),
                     BN_ESIG);
    free(env);

    /* a member who holds the pair key forges a note in another's name */
    assert_int_equal(bn_envelope_seal(&env, &envlen, f.key, 4, &f.ad,
                                      (const uint8_t *)"x", 1, other_sk),
                     0);
    assert_int_equal(try_open(&f, f.key, &f.ad, env, envlen, f.sign_pk),
                     BN_ESIG);
    free(env);
}

static void test_envelope_truncated_and_check(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    uint8_t *env = NULL;
    size_t envlen = 0;
    uint32_t epoch;
    seal_small(&f, &env, &envlen);
    for (size_t len = 0; len < BN_ENVELOPE_MIN_BYTES; len++) {
        assert_int_equal(bn_envelope_check(env, len), BN_ECORRUPT);
        assert_int_equal(try_open(&f, f.key, &f.ad, env, len, f.sign_pk),
                         BN_ECORRUPT);
        assert_int_equal(bn_envelope_epoch(env, len, &epoch), BN_ECORRUPT);
    }
    for (size_t len = BN_ENVELOPE_MIN_BYTES; len < envlen; len++)
        assert_int_not_equal(try_open(&f, f.key, &f.ad, env, len, f.sign_pk),
                             0);
    env[0] = 3;
    assert_int_equal(bn_envelope_check(env, envlen), BN_EVERSION);
    env[0] = 0;
    assert_int_equal(bn_envelope_check(env, envlen), BN_EVERSION);
    free(env);

    /* a plaintext note stored by mistake is not an envelope */
    static const char plain[] = "Session 1: we talked about her goals";
    assert_int_not_equal(
        bn_envelope_check((const uint8_t *)plain, sizeof plain - 1), 0);
}

/*
 * build_envelope makes an envelope by hand from the layout documented in
 * bn_envelope.c, with the padded plaintext given as is: it pins the
 * documented format and lets us feed bad padding that is correctly
 * encrypted and signed.
 */
static uint8_t *build_envelope(const fixture *f, const uint8_t *padded,
                               size_t padlen, size_t *envlen)
{
    size_t ctlen = padlen + 16;
    uint8_t *env = malloc(29 + ctlen + 64);
    uint8_t *msg = malloc(44 + 29 + ctlen);
    assert_non_null(env);
    assert_non_null(msg);
    env[0] = 1;
    bn_put_be32(env + 1, 4);
    randombytes_buf(env + 5, 24);
    memcpy(msg, "binome note v1", 14);
    bn_put_be64(msg + 14, f->ad.pair_id);
    bn_put_be64(msg + 22, f->ad.note_id);
    bn_put_be32(msg + 30, f->ad.revision);
    bn_put_be64(msg + 34, f->ad.author_id);
    msg[42] = f->ad.kind;
    msg[43] = f->ad.is_private;
    memcpy(msg + 44, env, 29);
    crypto_aead_xchacha20poly1305_ietf_encrypt(env + 29, NULL, padded, padlen,
                                               msg, 73, NULL, env + 5, f->key);
    memcpy(msg + 73, env + 29, ctlen);
    crypto_sign_detached(env + 29 + ctlen, NULL, msg, 73 + ctlen, f->sign_sk);
    free(msg);
    *envlen = 29 + ctlen + 64;
    return env;
}

static void test_envelope_layout_and_padding_checks(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    uint8_t padded[512];
    size_t envlen;
    uint8_t *env;

    /* canonical: "hi" then 0x80 then zeros up to 256 bytes */
    memset(padded, 0, sizeof padded);
    memcpy(padded, "hi", 2);
    padded[2] = 0x80;
    env = build_envelope(&f, padded, 256, &envlen);
    uint8_t *pt = NULL;
    size_t ptlen = 0;
    assert_int_equal(
        bn_envelope_open(&pt, &ptlen, f.key, &f.ad, env, envlen, f.sign_pk), 0);
    assert_int_equal(ptlen, 2);
    assert_memory_equal(pt, "hi", 2);
    sodium_free(pt);
    free(env);

    /* no 0x80 marker */
    memset(padded, 0, sizeof padded);
    env = build_envelope(&f, padded, 256, &envlen);
    assert_int_equal(try_open(&f, f.key, &f.ad, env, envlen, f.sign_pk),
                     BN_ECORRUPT);
    free(env);

    /* garbage after the marker */
    memset(padded, 0, sizeof padded);
    padded[2] = 0x80;
    padded[100] = 1;
    env = build_envelope(&f, padded, 256, &envlen);
    assert_int_equal(try_open(&f, f.key, &f.ad, env, envlen, f.sign_pk),
                     BN_ECORRUPT);
    free(env);

    /* well-formed 7816-4 padding but not the Padmé length for 2 bytes */
    memset(padded, 0, sizeof padded);
    memcpy(padded, "hi", 2);
    padded[2] = 0x80;
    env = build_envelope(&f, padded, 512, &envlen);
    assert_int_equal(try_open(&f, f.key, &f.ad, env, envlen, f.sign_pk),
                     BN_ECORRUPT);
    free(env);

    /* empty padded plaintext */
    env = build_envelope(&f, padded, 0, &envlen);
    assert_int_equal(try_open(&f, f.key, &f.ad, env, envlen, f.sign_pk),
                     BN_ECORRUPT);
    free(env);
}

static void test_envelope_nonce_is_fresh(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    uint8_t *a = NULL, *b = NULL;
    size_t alen, blen;
    seal_small(&f, &a, &alen);
    seal_small(&f, &b, &blen);
    assert_int_equal(alen, blen);
    assert_memory_not_equal(a + 5, b + 5, BN_NONCE_BYTES);
    assert_memory_not_equal(a + BN_ENVELOPE_HEADER_BYTES,
                            b + BN_ENVELOPE_HEADER_BYTES, 32);
    free(a);
    free(b);
}

/* A version 1 envelope (schema 3: "binome note v1", no session in the AD),
 * made here by hand as the old release made it, still opens, whatever
 * session the record claims; a version 2 envelope binds it. */
static void test_envelope_v1_still_opens(void **state)
{
    (void)state;
    fixture f;
    static const char text[] = "an old note";
    uint8_t padded[256], env[29 + 256 + 16 + 64], msg[44 + 29 + 256 + 16];
    uint8_t *p = msg, *pt = NULL;
    size_t unused, len = 0;
    bn_note_ad ad;
    fixture_init(&f);
    memcpy(padded, text, sizeof text - 1);
    assert_int_equal(sodium_pad(&unused, padded, sizeof text - 1, 256, 256), 0);
    memcpy(p, "binome note v1", 14);
    p += 14;
    bn_put_be64(p, f.ad.pair_id);
    bn_put_be64(p + 8, f.ad.note_id);
    bn_put_be32(p + 16, f.ad.revision);
    bn_put_be64(p + 20, f.ad.author_id);
    p[28] = f.ad.kind;
    p[29] = f.ad.is_private;
    env[0] = 1;
    bn_put_be32(env + 1, 4);
    randombytes_buf(env + 5, 24);
    memcpy(msg + 44, env, 29);
    crypto_aead_xchacha20poly1305_ietf_encrypt(env + 29, NULL, padded, 256, msg,
                                               44 + 29, NULL, env + 5, f.key);
    memcpy(msg + 44 + 29, env + 29, 256 + 16);
    crypto_sign_detached(env + 29 + 256 + 16, NULL, msg, sizeof msg, f.sign_sk);
    ad = f.ad;
    ad.session_id = 12345; /* not bound in version 1 */
    assert_int_equal(
        bn_envelope_open(&pt, &len, f.key, &ad, env, sizeof env, f.sign_pk), 0);
    assert_int_equal(len, sizeof text - 1);
    assert_memory_equal(pt, text, len);
    sodium_free(pt);
    ad.revision++;
    assert_int_not_equal(
        bn_envelope_open(&pt, &len, f.key, &ad, env, sizeof env, f.sign_pk), 0);
}

BN_UNIT_GROUP(crypto_envelope);
