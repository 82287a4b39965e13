/*
 * test_crypto_log.c: the tamper-evident pair log and charter signatures.
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

#define PAIR 31
#define N 6

typedef struct keys {
    uint64_t id[2];
    uint8_t pk[2][32], sk[2][64];
} keys;

static int key_fn(void *ctx, uint64_t author_id, uint8_t sign_pk[32])
{
    const keys *k = ctx;
    for (int i = 0; i < 2; i++) {
        if (k->id[i] == author_id) {
            memcpy(sign_pk, k->pk[i], 32);
            return 0;
        }
    }
    return BN_ENOTFOUND;
}

static void keys_init(keys *k)
{
    for (int i = 0; i < 2; i++) {
        k->id[i] = 100 + (uint64_t)i;
        crypto_sign_keypair(k->pk[i], k->sk[i]);
    }
}

/* chain_make builds n entries alternating between the two authors. */
static void chain_make(bn_log_entry *e, size_t n, const keys *k,
                       uint64_t pair_id)
{
    uint8_t prev[BN_HASH_BYTES] = {0};
    for (size_t i = 0; i < n; i++) {
        memset(&e[i], 0, sizeof e[i]);
        e[i].version = BN_LOG_VERSION;
        e[i].op = 0x40;
        e[i].item = 1000 + i;
        e[i].sub = (uint32_t)i + 1;
        e[i].flags = (uint16_t)(i % 2);
        e[i].seq = i + 1;
        memcpy(e[i].prev, prev, BN_HASH_BYTES);
        randombytes_buf(e[i].body_hash, BN_HASH_BYTES);
        e[i].author_id = k->id[i % 2];
        e[i].time = 1700000000 + (int64_t)i * 60;
        assert_int_equal(bn_log_entry_sign(&e[i], pair_id, k->sk[i % 2]), 0);
        assert_int_equal(bn_log_entry_hash(prev, pair_id, &e[i]), 0);
    }
}

static const uint8_t zero_head[BN_HASH_BYTES];

static int verify(const bn_log_entry *e, size_t n, const keys *k, uint64_t *bad)
{
    *bad = 0;
    return bn_log_verify(PAIR, e, n, zero_head, key_fn, (void *)k, NULL, bad);
}

static void test_log_encode_decode(void **state)
{
    (void)state;
    keys k;
    bn_log_entry e[1], d;
    uint8_t buf[BN_LOG_ENTRY_BYTES + 1], buf2[BN_LOG_ENTRY_BYTES];
    keys_init(&k);
    chain_make(e, 1, &k, PAIR);
    e[0].time = -5; /* negative times survive */
    e[0].flags = 0x0102;
    assert_int_equal(BN_LOG_ENTRY_BYTES, 168);
    assert_int_equal(bn_log_entry_size(&e[0]), 168);
    assert_int_equal(bn_log_entry_encode(buf, &e[0]), 0);
    assert_int_equal(buf[0], 2);
    assert_int_equal(buf[1], 0x40);
    assert_int_equal(buf[2], 1);
    assert_int_equal(buf[3], 2);
    assert_int_equal(bn_get_be64(buf + 4), 1);
    assert_memory_equal(buf + 12, e[0].prev, 32);
    assert_memory_equal(buf + 44, e[0].body_hash, 32);
    assert_int_equal(bn_get_be64(buf + 76), e[0].author_id);
    assert_int_equal(bn_get_be64(buf + 84), (uint64_t)(int64_t)-5);
    assert_int_equal(bn_get_be64(buf + 92), 1000);
    assert_int_equal(bn_get_be32(buf + 100), 1);
    assert_memory_equal(buf + 104, e[0].sig, 64);
    assert_int_equal(bn_log_entry_decode(&d, buf, BN_LOG_ENTRY_BYTES), 0);
    assert_int_equal(d.version, 2);
    assert_int_equal(d.op, 0x40);
    assert_int_equal(d.flags, 0x0102);
    assert_int_equal(d.item, 1000);
    assert_int_equal(d.sub, 1);
    assert_int_equal(d.seq, e[0].seq);
    assert_int_equal(d.time, -5);
    assert_int_equal(d.author_id, e[0].author_id);
    assert_int_equal(bn_log_entry_encode(buf2, &d), 0);
    assert_memory_equal(buf, buf2, BN_LOG_ENTRY_BYTES);
    /* A 168-byte entry must say version 2. */
    buf[0] = 3;
    assert_int_equal(bn_log_entry_decode(&d, buf, BN_LOG_ENTRY_BYTES),
                     BN_ECORRUPT);
    buf[0] = 2;
    assert_int_equal(bn_log_entry_decode(&d, buf, BN_LOG_ENTRY_BYTES - 1),
                     BN_ECORRUPT);
    assert_int_equal(bn_log_entry_decode(&d, buf, BN_LOG_ENTRY_BYTES + 1),
                     BN_ECORRUPT);
    assert_int_equal(bn_log_entry_decode(&d, buf, 0), BN_ECORRUPT);
}

static void test_log_sign_and_hash_layout(void **state)
{
    (void)state;
    keys k;
    bn_log_entry e[1];
    uint8_t enc[BN_LOG_ENTRY_BYTES], msg[13 + 8 + 104], hb[8 + 168];
    uint8_t h[32], h2[32];
    keys_init(&k);
    chain_make(e, 1, &k, PAIR);
    bn_log_entry_encode(enc, &e[0]);
    memcpy(msg, "binome log v2", 13);
    bn_put_be64(msg + 13, PAIR);
    memcpy(msg + 21, enc, 104);
    assert_int_equal(
        crypto_sign_verify_detached(e[0].sig, msg, sizeof msg, k.pk[0]), 0);
    bn_put_be64(hb, PAIR);
    memcpy(hb + 8, enc, 168);
    bn_hash(h, hb, sizeof hb);
    assert_int_equal(bn_log_entry_hash(h2, PAIR, &e[0]), 0);
    assert_memory_equal(h, h2, 32);
    assert_int_equal(bn_log_entry_hash(h2, PAIR + 1, &e[0]), 0);
    assert_memory_not_equal(h, h2, 32);
}

static void test_log_chain_verifies(void **state)
{
    (void)state;
    keys k;
    bn_log_entry e[N];
    uint8_t head[32], last[32];
    uint64_t bad = 0;
    keys_init(&k);
    chain_make(e, N, &k, PAIR);
    assert_int_equal(
        bn_log_verify(PAIR, e, N, zero_head, key_fn, &k, head, &bad), 0);
    bn_log_entry_hash(last, PAIR, &e[N - 1]);
    assert_memory_equal(head, last, 32);
    /* a suffix verifies from the head before it */
    bn_log_entry_hash(last, PAIR, &e[2]);
    assert_int_equal(
        bn_log_verify(PAIR, e + 3, N - 3, last, key_fn, &k, head, &bad), 0);
    /* an empty range returns the head it was given */
    assert_int_equal(bn_log_verify(PAIR, e, 0, last, key_fn, &k, head, &bad),
                     0);
    assert_memory_equal(head, last, 32);
    /* ... but not from a wrong head */
    assert_int_equal(
        bn_log_verify(PAIR, e + 3, N - 3, zero_head, key_fn, &k, head, &bad),
        BN_ECHAIN);
    assert_int_equal(bad, 4);
}

static void test_log_removed_entry(void **state)
{
    (void)state;
    keys k;
    bn_log_entry e[N], r[N];
    uint64_t bad;
    keys_init(&k);
    chain_make(e, N, &k, PAIR);
    for (size_t gone = 0; gone < N - 1; gone++) {
        size_t j = 0;
        for (size_t i = 0; i < N; i++)
            if (i != gone)
                r[j++] = e[i];
        assert_int_equal(verify(r, N - 1, &k, &bad), BN_ECHAIN);
        assert_int_equal(bad, gone + 2);
    }
    /* removing the last entry leaves a valid, shorter chain: that is what
     * bn_log_extends is for (see the rollback test) */
    assert_int_equal(verify(e, N - 1, &k, &bad), 0);
}

static void test_log_altered_fields(void **state)
{
    (void)state;
    keys k;
    bn_log_entry e[N], a[N];
    uint64_t bad;
    keys_init(&k);
    chain_make(e, N, &k, PAIR);
    for (size_t at = 0; at < N; at++) {
        for (int field = 0; field < 6; field++) {
            memcpy(a, e, sizeof e);
            switch (field) {
            case 0:
                a[at].seq += 10;
                break;
            case 1:
                a[at].prev[5] ^= 1;
                break;
            case 2:
                a[at].body_hash[0] ^= 1;
                break;
            case 3:
                a[at].author_id = k.id[(at + 1) % 2];
                break;
            case 4:
                a[at].time += 1;
                break;
            default:
                a[at].sig[63] ^= 0x10;
                break;
            }
            int rc = verify(a, N, &k, &bad);
            assert_true(rc == BN_ECHAIN || rc == BN_ESIG);
            assert_int_equal(bad, at + 1 + (field == 0 ? 10 : 0));
        }
        /* re-signed by its author after the change: the next prev breaks */
        if (at < N - 1) {
            memcpy(a, e, sizeof e);
            a[at].body_hash[0] ^= 1;
            bn_log_entry_sign(&a[at], PAIR, k.sk[at % 2]);
            assert_int_equal(verify(a, N, &k, &bad), BN_ECHAIN);
            assert_int_equal(bad, at + 2);
        }
    }
    /* unknown author, another pair's log */
    memcpy(a, e, sizeof e);
    a[2].author_id = 999;
    assert_int_equal(verify(a, N, &k, &bad), BN_ESIG);
    assert_int_equal(bad, 3);
    assert_int_equal(
        bn_log_verify(PAIR + 1, e, N, zero_head, key_fn, &k, NULL, &bad),
        BN_ESIG);
    assert_int_equal(bad, 1);
}

static void test_log_reordered(void **state)
{
    (void)state;
    keys k;
    bn_log_entry e[N], r[N];
    uint64_t bad;
    keys_init(&k);
    chain_make(e, N, &k, PAIR);
    memcpy(r, e, sizeof e);
    r[2] = e[3];
    r[3] = e[2];
    assert_int_equal(verify(r, N, &k, &bad), BN_ECHAIN);
    assert_int_equal(bad, 4);
    /* a chain starting at seq 1 with a non-zero prev */
    uint8_t h[32];
    bn_log_entry_hash(h, PAIR, &e[0]);
    assert_int_equal(bn_log_verify(PAIR, e, N, h, key_fn, &k, NULL, &bad),
                     BN_ECHAIN);
    assert_int_equal(bad, 1);
}

static void test_log_extends_rollback_fork(void **state)
{
    (void)state;
    keys k;
    bn_log_entry e[N], f[N];
    uint8_t head[32];
    keys_init(&k);
    chain_make(e, N, &k, PAIR);
    bn_log_entry_hash(head, PAIR, &e[3]); /* we saw seq 4 */
    assert_int_equal(bn_log_extends(PAIR, e, 4, 4, head), 0);
    assert_int_equal(bn_log_extends(PAIR, e, N, 4, head), 0);
    assert_int_equal(bn_log_extends(PAIR, e, N, 0, head), 0);
    /* rollback: the server hides entries we have seen */
    assert_int_equal(bn_log_extends(PAIR, e, 3, 4, head), BN_EROLLBACK);
    assert_int_equal(bn_log_extends(PAIR, e, 0, 4, head), BN_EROLLBACK);
    /* fork: another valid chain (same authors) that differs at seq 4 */
    chain_make(f, N, &k, PAIR);
    uint64_t bad;
    assert_int_equal(verify(f, N, &k, &bad), 0);
    assert_int_equal(bn_log_extends(PAIR, f, N, 4, head), BN_EROLLBACK);
    /* fork that shares the first 3 entries */
    memcpy(f, e, 3 * sizeof e[0]);
    f[3].body_hash[0] ^= 1;
    bn_log_entry_sign(&f[3], PAIR, k.sk[1]);
    assert_int_equal(bn_log_extends(PAIR, f, 4, 4, head), BN_EROLLBACK);
    assert_int_equal(bn_log_extends(PAIR, f, 4, 3, head), BN_EROLLBACK);
    bn_log_entry_hash(head, PAIR, &e[2]);
    assert_int_equal(bn_log_extends(PAIR, f, 4, 3, head), 0);
    /* the same chain seen for another pair */
    assert_int_equal(bn_log_extends(PAIR + 1, e, N, 3, head), BN_EROLLBACK);
}

/* ---- charter ----------------------------------------------------------- */

static void test_charter(void **state)
{
    (void)state;
    uint8_t pk[32], sk[64], pk2[32], sk2[64], ch[32], sig[64];
    uint8_t buf[17 + 8 + 32 + 4 + 8], m[32];
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    bn_hash(ch, (const uint8_t *)"be kind", 7);
    assert_int_equal(bn_charter_sign(sig, 5, ch, 20000, 42, sk), 0);
    assert_int_equal(bn_charter_verify(sig, 5, ch, 20000, 42, pk), 0);
    /* the documented message */
    memcpy(buf, "binome charter v1", 17);
    bn_put_be64(buf + 17, 5);
    memcpy(buf + 25, ch, 32);
    bn_put_be32(buf + 57, 20000);
    bn_put_be64(buf + 61, 42);
    bn_hash(m, buf, sizeof buf);
    assert_int_equal(crypto_sign_verify_detached(sig, m, 32, pk), 0);

    assert_int_equal(bn_charter_verify(sig, 6, ch, 20000, 42, pk), BN_ESIG);
    assert_int_equal(bn_charter_verify(sig, 5, ch, 20001, 42, pk), BN_ESIG);
    assert_int_equal(bn_charter_verify(sig, 5, ch, 20000, 43, pk), BN_ESIG);
    assert_int_equal(bn_charter_verify(sig, 5, ch, 20000, 42, pk2), BN_ESIG);
    ch[0] ^= 1;
    assert_int_equal(bn_charter_verify(sig, 5, ch, 20000, 42, pk), BN_ESIG);
    ch[0] ^= 1;
    sig[10] ^= 1;
    assert_int_equal(bn_charter_verify(sig, 5, ch, 20000, 42, pk), BN_ESIG);
}

/* Version 1 entries (schema 3) still decode, verify and hash as they were
 * signed, so an upgraded store keeps its history. */
static void test_log_v1_legacy(void **state)
{
    (void)state;
    keys k;
    bn_log_entry e, d;
    uint8_t enc[BN_LOG_ENTRY_BYTES], msg[13 + 8 + 88], hb[8 + 152];
    uint8_t h[32], h2[32], head[32];
    uint64_t bad = 0;
    keys_init(&k);
    memset(&e, 0, sizeof e);
    e.version = 1;
    e.seq = 1;
    randombytes_buf(e.body_hash, 32);
    e.author_id = k.id[0];
    e.time = 1700000000;
    assert_int_equal(bn_log_entry_sign(&e, PAIR, k.sk[0]), 0);
    assert_int_equal(bn_log_entry_size(&e), 152);
    assert_int_equal(bn_log_entry_encode(enc, &e), 0);
    assert_int_equal(bn_get_be64(enc), 1);
    memcpy(msg, "binome log v1", 13);
    bn_put_be64(msg + 13, PAIR);
    memcpy(msg + 21, enc, 88);
    assert_int_equal(
        crypto_sign_verify_detached(e.sig, msg, sizeof msg, k.pk[0]), 0);
    bn_put_be64(hb, PAIR);
    memcpy(hb + 8, enc, 152);
    bn_hash(h, hb, sizeof hb);
    assert_int_equal(bn_log_entry_hash(h2, PAIR, &e), 0);
    assert_memory_equal(h, h2, 32);
    assert_int_equal(bn_log_entry_decode(&d, enc, BN_LOG_ENTRY_V1_BYTES), 0);
    assert_int_equal(d.version, 1);
    assert_int_equal(d.op, 0);
    assert_int_equal(d.item, 0);
    assert_int_equal(
        bn_log_verify(PAIR, &d, 1, zero_head, key_fn, &k, head, &bad), 0);
    assert_memory_equal(head, h, 32);
    /* A v1 signature does not pass as v2 (the domain names the version). */
    d.version = 2;
    assert_int_equal(
        bn_log_verify(PAIR, &d, 1, zero_head, key_fn, &k, NULL, &bad), BN_ESIG);
    e.version = 7;
    assert_int_equal(bn_log_entry_size(&e), 0);
    assert_int_equal(bn_log_entry_encode(enc, &e), BN_EINVAL);
}

BN_UNIT_GROUP(crypto_log);
