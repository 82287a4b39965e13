/*
 * test_crypto_pairkey.c: pair keys wrapped for each member.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_list.h"

#include "bn_crypto.h"
#include "bn_util.h"

typedef struct party {
    uint64_t id;
    uint8_t sign_pk[32], sign_sk[64], box_pk[32], box_sk[32];
} party;

static void party_init(party *p, uint64_t id)
{
    p->id = id;
    crypto_sign_keypair(p->sign_pk, p->sign_sk);
    crypto_box_keypair(p->box_pk, p->box_sk);
}

#define PAIR 11
#define EPOCH 3

static void test_pairkey_generate_random(void **state)
{
    (void)state;
    uint8_t a[32], b[32], zero[32] = {0};
    bn_pairkey_generate(a);
    bn_pairkey_generate(b);
    assert_memory_not_equal(a, b, 32);
    assert_memory_not_equal(a, zero, 32);
}

static void test_wrap_roundtrip(void **state)
{
    (void)state;
    party w, m;
    uint8_t key[32], back[32], wrap[BN_WRAP_BYTES];
    party_init(&w, 1);
    party_init(&m, 2);
    bn_pairkey_generate(key);
    assert_int_equal(bn_pairkey_wrap(wrap, PAIR, EPOCH, m.id, m.box_pk, w.id,
                                     key, w.sign_sk),
                     0);
    assert_int_equal(wrap[0], 1);
    assert_int_equal(bn_get_be32(wrap + 1), EPOCH);
    /* the signature covers the documented message */
    uint8_t msg[14 + 8 + 4 + 8 + 8 + 32 + 85];
    memcpy(msg, "binome wrap v1", 14);
    bn_put_be64(msg + 14, PAIR);
    bn_put_be32(msg + 22, EPOCH);
    bn_put_be64(msg + 26, m.id);
    bn_put_be64(msg + 34, w.id);
    memcpy(msg + 42, m.box_pk, 32);
    memcpy(msg + 74, wrap, 85);
    assert_int_equal(
        crypto_sign_verify_detached(wrap + 85, msg, sizeof msg, w.sign_pk), 0);

    assert_int_equal(bn_pairkey_unwrap(back, wrap, sizeof wrap, PAIR, EPOCH,
                                       m.id, m.box_pk, m.box_sk, w.id,
                                       w.sign_pk),
                     0);
    assert_memory_equal(back, key, 32);

    /* the wrapper can wrap for itself too */
    assert_int_equal(bn_pairkey_wrap(wrap, PAIR, EPOCH, w.id, w.box_pk, w.id,
                                     key, w.sign_sk),
                     0);
    assert_int_equal(bn_pairkey_unwrap(back, wrap, sizeof wrap, PAIR, EPOCH,
                                       w.id, w.box_pk, w.box_sk, w.id,
                                       w.sign_pk),
                     0);
    assert_memory_equal(back, key, 32);
}

static void test_wrap_every_bit_flip_fails(void **state)
{
    (void)state;
    party w, m;
    uint8_t key[32], back[32], wrap[BN_WRAP_BYTES];
    party_init(&w, 1);
    party_init(&m, 2);
    bn_pairkey_generate(key);
    assert_int_equal(bn_pairkey_wrap(wrap, PAIR, EPOCH, m.id, m.box_pk, w.id,
                                     key, w.sign_sk),
                     0);
    for (size_t i = 0; i < sizeof wrap; i++) {
        for (int bit = 0; bit < 8; bit++) {
            wrap[i] ^= (uint8_t)(1u << bit);
            int rc =
                bn_pairkey_unwrap(back, wrap, sizeof wrap, PAIR, EPOCH, m.id,
                                  m.box_pk, m.box_sk, w.id, w.sign_pk);
            assert_int_equal(rc, i == 0 ? BN_EVERSION : BN_ESIG);
            wrap[i] ^= (uint8_t)(1u << bit);
        }
    }
    assert_int_equal(bn_pairkey_unwrap(back, wrap, sizeof wrap, PAIR, EPOCH,
                                       m.id, m.box_pk, m.box_sk, w.id,
                                       w.sign_pk),
                     0);
}

static void test_wrap_wrong_context(void **state)
{
    (void)state;
    party w, m, x;
    uint8_t key[32], back[32], wrap[BN_WRAP_BYTES];
    party_init(&w, 1);
    party_init(&m, 2);
    party_init(&x, 3);
    bn_pairkey_generate(key);
    assert_int_equal(bn_pairkey_wrap(wrap, PAIR, EPOCH, m.id, m.box_pk, w.id,
                                     key, w.sign_sk),
                     0);
#define UNWRAP(pair, epoch, mid, mpk, msk, wid, wpk)                           \
    bn_pairkey_unwrap(back, wrap, sizeof wrap, pair, epoch, mid, mpk, msk,     \
                      wid, wpk)
    assert_int_equal(
        UNWRAP(PAIR + 1, EPOCH, m.id, m.box_pk, m.box_sk, w.id, w.sign_pk),
        BN_ESIG);
    assert_int_equal(
        UNWRAP(PAIR, EPOCH + 1, m.id, m.box_pk, m.box_sk, w.id, w.sign_pk),
        BN_ESIG);
    assert_int_equal(
        UNWRAP(PAIR, EPOCH - 1, m.id, m.box_pk, m.box_sk, w.id, w.sign_pk),
        BN_ESIG);
    assert_int_equal(
        UNWRAP(PAIR, EPOCH, x.id, m.box_pk, m.box_sk, w.id, w.sign_pk),
        BN_ESIG);
    assert_int_equal(
        UNWRAP(PAIR, EPOCH, m.id, m.box_pk, m.box_sk, x.id, w.sign_pk),
        BN_ESIG);
    /* another member cannot use it: its own box key is not the one signed */
    assert_int_equal(
        UNWRAP(PAIR, EPOCH, m.id, x.box_pk, x.box_sk, w.id, w.sign_pk),
        BN_ESIG);
    /* the signed recipient key but another secret key: decryption fails */
    assert_int_equal(
        UNWRAP(PAIR, EPOCH, m.id, m.box_pk, x.box_sk, w.id, w.sign_pk),
        BN_EAUTH);
    /* another wrapper's signing key */
    assert_int_equal(
        UNWRAP(PAIR, EPOCH, m.id, m.box_pk, m.box_sk, w.id, x.sign_pk),
        BN_ESIG);
    /* wrong lengths and version */
    assert_int_equal(bn_pairkey_unwrap(back, wrap, sizeof wrap - 1, PAIR, EPOCH,
                                       m.id, m.box_pk, m.box_sk, w.id,
                                       w.sign_pk),
                     BN_ECORRUPT);
    assert_int_equal(bn_pairkey_unwrap(back, wrap, 0, PAIR, EPOCH, m.id,
                                       m.box_pk, m.box_sk, w.id, w.sign_pk),
                     BN_ECORRUPT);
#undef UNWRAP
}

static void test_wrap_epoch_mismatch_when_signed(void **state)
{
    (void)state;
    /* A wrapper that signs a header epoch different from the epoch the
     * message names (only a buggy or malicious wrapper can): BN_EAUTH. */
    party w, m;
    uint8_t key[32], back[32], wrap[BN_WRAP_BYTES];
    uint8_t msg[14 + 8 + 4 + 8 + 8 + 32 + 85];
    party_init(&w, 1);
    party_init(&m, 2);
    bn_pairkey_generate(key);
    assert_int_equal(bn_pairkey_wrap(wrap, PAIR, EPOCH, m.id, m.box_pk, w.id,
                                     key, w.sign_sk),
                     0);
    bn_put_be32(wrap + 1, EPOCH + 1);
    memcpy(msg, "binome wrap v1", 14);
    bn_put_be64(msg + 14, PAIR);
    bn_put_be32(msg + 22, EPOCH);
    bn_put_be64(msg + 26, m.id);
    bn_put_be64(msg + 34, w.id);
    memcpy(msg + 42, m.box_pk, 32);
    memcpy(msg + 74, wrap, 85);
    crypto_sign_detached(wrap + 85, NULL, msg, sizeof msg, w.sign_sk);
    assert_int_equal(bn_pairkey_unwrap(back, wrap, sizeof wrap, PAIR, EPOCH,
                                       m.id, m.box_pk, m.box_sk, w.id,
                                       w.sign_pk),
                     BN_EAUTH);
}

/* The server checks a wrap's signature without any secret; a wrap for
 * another member's key, pair or epoch, or altered, does not pass. */
static void test_wrap_verify_without_secrets(void **state)
{
    (void)state;
    party a, b;
    uint8_t key[32], w[BN_WRAP_BYTES];
    party_init(&a, 1);
    party_init(&b, 2);
    bn_pairkey_generate(key);
    assert_int_equal(
        bn_pairkey_wrap(w, PAIR, EPOCH, b.id, b.box_pk, a.id, key, a.sign_sk),
        0);
    assert_int_equal(bn_pairkey_wrap_verify(w, sizeof w, PAIR, EPOCH, b.id,
                                            b.box_pk, a.id, a.sign_pk),
                     0);
    assert_int_equal(bn_pairkey_wrap_verify(w, sizeof w, PAIR, EPOCH, b.id,
                                            a.box_pk, a.id, a.sign_pk),
                     BN_ESIG);
    assert_int_equal(bn_pairkey_wrap_verify(w, sizeof w, PAIR + 1, EPOCH, b.id,
                                            b.box_pk, a.id, a.sign_pk),
                     BN_ESIG);
    assert_int_equal(bn_pairkey_wrap_verify(w, sizeof w, PAIR, EPOCH, b.id,
                                            b.box_pk, b.id, b.sign_pk),
                     BN_ESIG);
    assert_int_equal(bn_pairkey_wrap_verify(w, sizeof w - 1, PAIR, EPOCH, b.id,
                                            b.box_pk, a.id, a.sign_pk),
                     BN_ECORRUPT);
    w[20] ^= 1;
    assert_int_equal(bn_pairkey_wrap_verify(w, sizeof w, PAIR, EPOCH, b.id,
                                            b.box_pk, a.id, a.sign_pk),
                     BN_ESIG);
}

/* A key id names one key of one pair and epoch and does not reveal it. */
static void test_pairkey_id(void **state)
{
    (void)state;
    uint8_t k1[32], k2[32], a[32], b[32];
    bn_pairkey_generate(k1);
    memcpy(k2, k1, 32);
    bn_pairkey_id(a, PAIR, EPOCH, k1);
    bn_pairkey_id(b, PAIR, EPOCH, k2);
    assert_memory_equal(a, b, 32);
    k2[0] ^= 1;
    bn_pairkey_id(b, PAIR, EPOCH, k2);
    assert_memory_not_equal(a, b, 32);
    bn_pairkey_id(b, PAIR, EPOCH + 1, k1);
    assert_memory_not_equal(a, b, 32);
    bn_pairkey_id(b, PAIR + 1, EPOCH, k1);
    assert_memory_not_equal(a, b, 32);
}

/* The members hash is the same whatever the order, and changes with any
 * member, role or key added, removed or changed. */
static void test_members_hash(void **state)
{
    (void)state;
    bn_member_id m[3], r[3];
    uint8_t h[32], h2[32];
    for (int i = 0; i < 3; i++) {
        m[i].account_id = 10 + (uint64_t)i * 7;
        m[i].role = (uint8_t)(2 + i % 2);
        randombytes_buf(m[i].sign_pk, 32);
        randombytes_buf(m[i].box_pk, 32);
    }
    r[0] = m[2];
    r[1] = m[0];
    r[2] = m[1];
    assert_int_equal(bn_members_hash(h, m, 3), 0);
    assert_int_equal(bn_members_hash(h2, r, 3), 0);
    assert_memory_equal(h, h2, 32);
    assert_int_equal(bn_members_hash(h2, m, 2), 0);
    assert_memory_not_equal(h, h2, 32);
    r[0].role ^= 1;
    assert_int_equal(bn_members_hash(h2, r, 3), 0);
    assert_memory_not_equal(h, h2, 32);
    r[0] = m[2];
    r[0].box_pk[31] ^= 1;
    assert_int_equal(bn_members_hash(h2, r, 3), 0);
    assert_memory_not_equal(h, h2, 32);
    r[0] = m[2];
    r[0].account_id++;
    assert_int_equal(bn_members_hash(h2, r, 3), 0);
    assert_memory_not_equal(h, h2, 32);
    r[0] = m[0]; /* the same id twice */
    assert_int_equal(bn_members_hash(h2, r, 3), BN_EINVAL);
    assert_int_equal(bn_members_hash(h2, NULL, 0), 0);
}

BN_UNIT_GROUP(crypto_pairkey);
