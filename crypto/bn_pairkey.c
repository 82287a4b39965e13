/*
 * bn_pairkey.c: pair keys and their per-member wraps.
 *
 * A pair key is 32 bytes from randombytes_buf, one per epoch.
 *
 * Wrap layout (BN_WRAP_BYTES = 149; integers big-endian):
 *
 *   offset size  field
 *   0      1     version = 1
 *   1      4     epoch
 *   5      80    crypto_box_seal(pair key, member_box_pk)
 *   85     64    Ed25519 signature by the wrapper (crypto_sign_detached)
 *
 * Signed message (191 bytes): "binome wrap v1" (14 ASCII, no NUL) ||
 * pair_id (8) || epoch (4) || member_id (8) || wrapper_id (8) ||
 * member_box_pk (32) || wrap[0..85) (version || epoch || sealed).
 * So a wrap cannot be replayed for another pair, epoch, member, recipient
 * key or wrapper, and its header and sealed box cannot be altered.
 *
 * Unwrapping: length exactly BN_WRAP_BYTES (BN_ECORRUPT), version 1
 * (BN_EVERSION), signature with the expected values (BN_ESIG), stored epoch
 * equals the expected epoch (BN_EAUTH; unreachable for a wrap whose
 * signature verified, kept as a second check), crypto_box_seal_open with
 * the member's keys (BN_EAUTH). The output key is wiped on failure.
 */
#include "bn_crypto.h"

#include <string.h>

#include "bn_util.h"

#define WRAP_DOMAIN "binome wrap v1"
#define WRAP_DOMAIN_LEN (sizeof WRAP_DOMAIN - 1)
#define WRAP_VERSION 1
#define WRAP_SEALED_BYTES (crypto_box_SEALBYTES + 32)
#define WRAP_BODY_BYTES (1 + 4 + WRAP_SEALED_BYTES)
#define WRAP_MSG_BYTES (WRAP_DOMAIN_LEN + 8 + 4 + 8 + 8 + 32 + WRAP_BODY_BYTES)

void bn_pairkey_generate(uint8_t key[32])
{
    randombytes_buf(key, 32);
}

/* wrap_message builds the signed message for a wrap body. */
static void wrap_message(uint8_t msg[WRAP_MSG_BYTES], uint64_t pair_id,
                         uint32_t epoch, uint64_t member_id,
                         uint64_t wrapper_id, const uint8_t member_box_pk[32],
                         const uint8_t body[WRAP_BODY_BYTES])
{
    uint8_t *p = msg;

    memcpy(p, WRAP_DOMAIN, WRAP_DOMAIN_LEN);
    p += WRAP_DOMAIN_LEN;
    bn_put_be64(p, pair_id);
    p += 8;
    bn_put_be32(p, epoch);
    p += 4;
    bn_put_be64(p, member_id);
    p += 8;
    bn_put_be64(p, wrapper_id);
    p += 8;
    memcpy(p, member_box_pk, 32);
    p += 32;
    memcpy(p, body, WRAP_BODY_BYTES);
}

int bn_pairkey_wrap(uint8_t out[BN_WRAP_BYTES], uint64_t pair_id,
                    uint32_t epoch, uint64_t member_id,
                    const uint8_t member_box_pk[32], uint64_t wrapper_id,
                    const uint8_t key[32], const uint8_t wrapper_sign_sk[64])
{
    uint8_t msg[WRAP_MSG_BYTES];

    if (out == NULL || member_box_pk == NULL || key == NULL ||
        wrapper_sign_sk == NULL)
        return BN_EINVAL;
    out[0] = WRAP_VERSION;
    bn_put_be32(out + 1, epoch);
    if (crypto_box_seal(out + 5, key, 32, member_box_pk) != 0)
        return BN_EINVAL; /* member_box_pk is not a usable X25519 key */
    wrap_message(msg, pair_id, epoch, member_id, wrapper_id, member_box_pk,
                 out);
    if (crypto_sign_detached(out + WRAP_BODY_BYTES, NULL, msg, sizeof msg,
                             wrapper_sign_sk) != 0)
        return BN_EINTERNAL;
    return 0;
}

int bn_pairkey_unwrap(uint8_t key[32], const uint8_t *wrap, size_t wraplen,
                      uint64_t pair_id, uint32_t epoch, uint64_t member_id,
                      const uint8_t member_box_pk[32],
                      const uint8_t member_box_sk[32], uint64_t wrapper_id,
                      const uint8_t wrapper_sign_pk[32])
{
    uint8_t msg[WRAP_MSG_BYTES];

    if (key == NULL || member_box_pk == NULL || member_box_sk == NULL ||
        wrapper_sign_pk == NULL)
        return BN_EINVAL;
    if (wrap == NULL || wraplen != BN_WRAP_BYTES)
        return BN_ECORRUPT;
    if (wrap[0] != WRAP_VERSION)
        return BN_EVERSION;
    wrap_message(msg, pair_id, epoch, member_id, wrapper_id, member_box_pk,
                 wrap);
    if (crypto_sign_verify_detached(wrap + WRAP_BODY_BYTES, msg, sizeof msg,
                                    wrapper_sign_pk) != 0)
        return BN_ESIG;
    if (bn_get_be32(wrap + 1) != epoch)
        return BN_EAUTH;
    if (crypto_box_seal_open(key, wrap + 5, WRAP_SEALED_BYTES, member_box_pk,
                             member_box_sk) != 0) {
        sodium_memzero(key, 32);
        return BN_EAUTH;
    }
    return 0;
}
