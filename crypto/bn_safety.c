/*
 * bn_safety.c: the safety number, Signal's NumericFingerprint.
 *
 * For each member: key = sign_pk (32) || box_pk (32), stable_id = the
 * account id as 8 big-endian bytes, and, exactly as Signal's
 * NumericFingerprintGenerator (iterations = 5200):
 *
 *   hash = 0x00 0x00 (version) || key || stable_id
 *   repeat 5200 times: hash = SHA-512(hash || key)
 *
 * So the first SHA-512 is over version || key || stable_id || key, then
 * 5199 more over (previous hash || key): 5200 SHA-512 in all. The first 30
 * bytes of the final hash are cut into six 5-byte chunks; each, read as a
 * big-endian 40-bit integer, mod 100000, gives 5 zero-padded decimal
 * digits: 30 digits per member. The two 30-digit strings are sorted
 * (lower first, strcmp order) and concatenated: 60 digits, the same on
 * both sides.
 */
#include "bn_crypto.h"

#include <string.h>

#include "bn_util.h"

#define FP_ITERATIONS 5200
#define FP_KEY_BYTES 64
#define FP_DIGITS 30

/* fp_side writes one member's 30 digits and a NUL. */
static void fp_side(char out[FP_DIGITS + 1], uint64_t id,
                    const uint8_t sign_pk[32], const uint8_t box_pk[32])
{
    uint8_t key[FP_KEY_BYTES], hash[crypto_hash_sha512_BYTES];
    uint8_t start[2 + FP_KEY_BYTES + 8];
    crypto_hash_sha512_state st;

    memcpy(key, sign_pk, 32);
    memcpy(key + 32, box_pk, 32);
    start[0] = 0;
    start[1] = 0;
    memcpy(start + 2, key, FP_KEY_BYTES);
    bn_put_be64(start + 2 + FP_KEY_BYTES, id);

    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, start, sizeof start);
    crypto_hash_sha512_update(&st, key, sizeof key);
    crypto_hash_sha512_final(&st, hash);
    for (int i = 1; i < FP_ITERATIONS; i++) {
        crypto_hash_sha512_init(&st);
        crypto_hash_sha512_update(&st, hash, sizeof hash);
        crypto_hash_sha512_update(&st, key, sizeof key);
        crypto_hash_sha512_final(&st, hash);
    }
    for (int c = 0; c < 6; c++) {
        const uint8_t *p = hash + 5 * c;
        uint64_t v = (uint64_t)p[0] << 32 | (uint64_t)p[1] << 24 |
                     (uint64_t)p[2] << 16 | (uint64_t)p[3] << 8 | p[4];
        v %= 100000u;
        for (int d = 4; d >= 0; d--, v /= 10)
            out[5 * c + d] = (char)('0' + v % 10);
    }
    out[FP_DIGITS] = '\0';
}

int bn_key_code(char out[BN_KEY_CODE_DIGITS + 1], uint64_t id,
                const uint8_t sign_pk[32], const uint8_t box_pk[32])
{
    if (out == NULL || sign_pk == NULL || box_pk == NULL)
        return BN_EINVAL;
    fp_side(out, id, sign_pk, box_pk);
    return 0;
}

int bn_safety_number(char out[BN_SAFETY_DIGITS + 1], uint64_t id_a,
                     const uint8_t sign_pk_a[32], const uint8_t box_pk_a[32],
                     uint64_t id_b, const uint8_t sign_pk_b[32],
                     const uint8_t box_pk_b[32])
{
    char a[FP_DIGITS + 1], b[FP_DIGITS + 1];

    if (out == NULL || sign_pk_a == NULL || box_pk_a == NULL ||
        sign_pk_b == NULL || box_pk_b == NULL)
        return BN_EINVAL;
    fp_side(a, id_a, sign_pk_a, box_pk_a);
    fp_side(b, id_b, sign_pk_b, box_pk_b);
    if (strcmp(a, b) <= 0) {
        memcpy(out, a, FP_DIGITS);
        memcpy(out + FP_DIGITS, b, FP_DIGITS + 1);
    } else {
        memcpy(out, b, FP_DIGITS);
        memcpy(out + FP_DIGITS, a, FP_DIGITS + 1);
    }
    return 0;
}
