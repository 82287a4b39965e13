/*
 * test_crypto_safety.c: the 60-digit safety number.
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

typedef struct member {
    uint64_t id;
    uint8_t sign_pk[32], box_pk[32];
} member;

static void member_init(member *m, uint64_t id)
{
    m->id = id;
    randombytes_buf(m->sign_pk, 32);
    randombytes_buf(m->box_pk, 32);
}

static void number(char out[61], const member *a, const member *b)
{
    assert_int_equal(bn_safety_number(out, a->id, a->sign_pk, a->box_pk, b->id,
                                      b->sign_pk, b->box_pk),
                     0);
}

/* one_side recomputes a member's 30 digits as Signal's
 * NumericFingerprintGenerator does, from the description in bn_safety.c. */
static void one_side(char out[31], const member *m)
{
    uint8_t key[64], hash[64], buf[64 + 64];
    uint8_t start[2 + 64 + 8 + 64];
    memcpy(key, m->sign_pk, 32);
    memcpy(key + 32, m->box_pk, 32);
    start[0] = start[1] = 0;
    memcpy(start + 2, key, 64);
    bn_put_be64(start + 66, m->id);
    memcpy(start + 74, key, 64);
    crypto_hash_sha512(hash, start, sizeof start);
    for (int i = 1; i < 5200; i++) {
        memcpy(buf, hash, 64);
        memcpy(buf + 64, key, 64);
        crypto_hash_sha512(hash, buf, sizeof buf);
    }
    for (int c = 0; c < 6; c++) {
        uint64_t v = 0;
        for (int j = 0; j < 5; j++)
            v = v << 8 | hash[5 * c + j];
        v %= 100000;
        for (int d = 4; d >= 0; d--, v /= 10)
            out[5 * c + d] = (char)('0' + v % 10);
    }
    out[30] = 0;
}

static void test_safety_same_both_sides(void **state)
{
    (void)state;
    member a, b;
    char ab[61], ba[61];
    member_init(&a, 1);
    member_init(&b, 2);
    number(ab, &a, &b);
    number(ba, &b, &a);
    assert_string_equal(ab, ba);
    assert_int_equal(strlen(ab), BN_SAFETY_DIGITS);
    for (int i = 0; i < BN_SAFETY_DIGITS; i++)
        assert_true(ab[i] >= '0' && ab[i] <= '9');
    /* the halves are sorted */
    assert_true(memcmp(ab, ab + 30, 30) <= 0);
}

static void test_safety_matches_signal_construction(void **state)
{
    (void)state;
    member a, b;
    char n[61], sa[31], sb[31], want[61];
    member_init(&a, 17);
    member_init(&b, 0x0102030405060708ull);
    number(n, &a, &b);
    one_side(sa, &a);
    one_side(sb, &b);
    if (strcmp(sa, sb) <= 0) {
        memcpy(want, sa, 30);
        memcpy(want + 30, sb, 31);
    } else {
        memcpy(want, sb, 30);
        memcpy(want + 30, sa, 31);
    }
    assert_string_equal(n, want);
}

static void test_safety_changes_with_any_key_or_id(void **state)
{
    (void)state;
    member a, b, x;
    char ref[61], n[61];
    member_init(&a, 1);
    member_init(&b, 2);
    number(ref, &a, &b);
    for (int which = 0; which < 6; which++) {
        member a2 = a, b2 = b;
        switch (which) {
        case 0:
            a2.sign_pk[0] ^= 1;
            break;
        case 1:
            a2.box_pk[31] ^= 0x80;
            break;
        case 2:
            b2.sign_pk[17] ^= 1;
            break;
        case 3:
            b2.box_pk[0] ^= 1;
            break;
        case 4:
            a2.id = 3;
            break;
        default:
            b2.id = 3;
            break;
        }
        number(n, &a2, &b2);
        assert_string_not_equal(n, ref);
        /* only the changed member's half moves */
        int same = memcmp(n, ref, 30) == 0 ||
                   memcmp(n + 30, ref + 30, 30) == 0 ||
                   memcmp(n, ref + 30, 30) == 0 || memcmp(n + 30, ref, 30) == 0;
        assert_true(same);
    }
    /* a third member gives another number */
    member_init(&x, 2);
    number(n, &a, &x);
    assert_string_not_equal(n, ref);
}

BN_UNIT_GROUP(crypto_safety);
