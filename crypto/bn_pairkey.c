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
 *
 * bn_pairkey_wrap_verify runs the same checks up to the signature, without
 * any secret: the server uses it to refuse a wrap its members could not
 * check.
 *
 * Key id: BLAKE2b-256 keyed with the pair key over "binome key id v1" ||
 * pair_id (8) || epoch (4). Every member who unwraps a key checks that it
 * has the id the wrapper logged, so a wrapper who sealed different keys
 * for different members is caught at unwrap.
 */
#include "bn_crypto.h"

#include <string.h>

#include "bn_util.h"

#define WRAP_DOMAIN "binome wrap v1"
#define WRAP_DOMAIN_LEN (sizeof WRAP_DOMAIN - 1)
/* A side key's wraps (issue 14): the same construction under its own
 * domain, so a pair key's wrap is never taken for a side key's. */
#define SIDE_DOMAIN "binome side v1"
_Static_assert(sizeof SIDE_DOMAIN == sizeof WRAP_DOMAIN, "one length");
#define WRAP_VERSION 1
#define WRAP_SEALED_BYTES (crypto_box_SEALBYTES + 32)
#define WRAP_BODY_BYTES (1 + 4 + WRAP_SEALED_BYTES)
#define WRAP_MSG_BYTES (WRAP_DOMAIN_LEN + 8 + 4 + 8 + 8 + 32 + WRAP_BODY_BYTES)

void bn_pairkey_generate(uint8_t key[32])
{
    randombytes_buf(key, 32);
}

/* wrap_message builds the signed message for a wrap body. */
static void wrap_message(uint8_t msg[WRAP_MSG_BYTES], const char *domain,
                         uint64_t pair_id, uint32_t epoch, uint64_t member_id,
                         uint64_t wrapper_id, const uint8_t member_box_pk[32],
                         const uint8_t body[WRAP_BODY_BYTES])
{
    uint8_t *p = msg;

    memcpy(p, domain, WRAP_DOMAIN_LEN);
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

static int wrap(const char *domain, uint8_t out[BN_WRAP_BYTES],
                uint64_t pair_id, uint32_t epoch, uint64_t member_id,
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
    wrap_message(msg, domain, pair_id, epoch, member_id, wrapper_id,
                 member_box_pk, out);
    if (crypto_sign_detached(out + WRAP_BODY_BYTES, NULL, msg, sizeof msg,
                             wrapper_sign_sk) != 0)
        return BN_EINTERNAL;
    return 0;
}

int bn_pairkey_wrap(uint8_t out[BN_WRAP_BYTES], uint64_t pair_id,
                    uint32_t epoch, uint64_t member_id,
                    const uint8_t member_box_pk[32], uint64_t wrapper_id,
                    const uint8_t key[32], const uint8_t wrapper_sign_sk[64])
{
    return wrap(WRAP_DOMAIN, out, pair_id, epoch, member_id, member_box_pk,
                wrapper_id, key, wrapper_sign_sk);
}

int bn_sidekey_wrap(uint8_t out[BN_WRAP_BYTES], uint64_t pair_id,
                    uint32_t epoch, uint64_t member_id,
                    const uint8_t member_box_pk[32], uint64_t wrapper_id,
                    const uint8_t key[32], const uint8_t wrapper_sign_sk[64])
{
    return wrap(SIDE_DOMAIN, out, pair_id, epoch, member_id, member_box_pk,
                wrapper_id, key, wrapper_sign_sk);
}

/* wrap_verify checks a wrap's length, version and signature. */
static int wrap_verify(const char *domain, const uint8_t *wrap, size_t wraplen,
                       uint64_t pair_id, uint32_t epoch, uint64_t member_id,
                       const uint8_t member_box_pk[32], uint64_t wrapper_id,
                       const uint8_t wrapper_sign_pk[32])
{
    uint8_t msg[WRAP_MSG_BYTES];

    if (member_box_pk == NULL || wrapper_sign_pk == NULL)
        return BN_EINVAL;
    if (wrap == NULL || wraplen != BN_WRAP_BYTES)
        return BN_ECORRUPT;
    if (wrap[0] != WRAP_VERSION)
        return BN_EVERSION;
    wrap_message(msg, domain, pair_id, epoch, member_id, wrapper_id,
                 member_box_pk, wrap);
    if (crypto_sign_verify_detached(wrap + WRAP_BODY_BYTES, msg, sizeof msg,
                                    wrapper_sign_pk) != 0)
        return BN_ESIG;
    if (bn_get_be32(wrap + 1) != epoch)
        return BN_EAUTH;
    return 0;
}

int bn_pairkey_wrap_verify(const uint8_t *wrap, size_t wraplen,
                           uint64_t pair_id, uint32_t epoch, uint64_t member_id,
                           const uint8_t member_box_pk[32], uint64_t wrapper_id,
                           const uint8_t wrapper_sign_pk[32])
{
    return wrap_verify(WRAP_DOMAIN, wrap, wraplen, pair_id, epoch, member_id,
                       member_box_pk, wrapper_id, wrapper_sign_pk);
}

int bn_sidekey_wrap_verify(const uint8_t *wrap, size_t wraplen,
                           uint64_t pair_id, uint32_t epoch, uint64_t member_id,
                           const uint8_t member_box_pk[32], uint64_t wrapper_id,
                           const uint8_t wrapper_sign_pk[32])
{
    return wrap_verify(SIDE_DOMAIN, wrap, wraplen, pair_id, epoch, member_id,
                       member_box_pk, wrapper_id, wrapper_sign_pk);
}

void bn_pairkey_id(uint8_t out[BN_HASH_BYTES], uint64_t pair_id, uint32_t epoch,
                   const uint8_t key[32])
{
    static const char tag[] = "binome key id v1";
    uint8_t msg[sizeof tag - 1 + 8 + 4];

    memcpy(msg, tag, sizeof tag - 1);
    bn_put_be64(msg + sizeof tag - 1, pair_id);
    bn_put_be32(msg + sizeof tag - 1 + 8, epoch);
    crypto_generichash(out, BN_HASH_BYTES, msg, sizeof msg, key, 32);
}

static int unwrap(const char *domain, uint8_t key[32], const uint8_t *wrap,
                  size_t wraplen, uint64_t pair_id, uint32_t epoch,
                  uint64_t member_id, const uint8_t member_box_pk[32],
                  const uint8_t member_box_sk[32], uint64_t wrapper_id,
                  const uint8_t wrapper_sign_pk[32])
{
    int rc;

    if (key == NULL || member_box_sk == NULL)
        return BN_EINVAL;
    rc = wrap_verify(domain, wrap, wraplen, pair_id, epoch, member_id,
                     member_box_pk, wrapper_id, wrapper_sign_pk);
    if (rc != 0)
        return rc;
    if (crypto_box_seal_open(key, wrap + 5, WRAP_SEALED_BYTES, member_box_pk,
                             member_box_sk) != 0) {
        sodium_memzero(key, 32);
        return BN_EAUTH;
    }
    return 0;
}

int bn_pairkey_unwrap(uint8_t key[32], const uint8_t *wrap, size_t wraplen,
                      uint64_t pair_id, uint32_t epoch, uint64_t member_id,
                      const uint8_t member_box_pk[32],
                      const uint8_t member_box_sk[32], uint64_t wrapper_id,
                      const uint8_t wrapper_sign_pk[32])
{
    return unwrap(WRAP_DOMAIN, key, wrap, wraplen, pair_id, epoch, member_id,
                  member_box_pk, member_box_sk, wrapper_id, wrapper_sign_pk);
}

int bn_sidekey_unwrap(uint8_t key[32], const uint8_t *wrap, size_t wraplen,
                      uint64_t pair_id, uint32_t epoch, uint64_t member_id,
                      const uint8_t member_box_pk[32],
                      const uint8_t member_box_sk[32], uint64_t wrapper_id,
                      const uint8_t wrapper_sign_pk[32])
{
    return unwrap(SIDE_DOMAIN, key, wrap, wraplen, pair_id, epoch, member_id,
                  member_box_pk, member_box_sk, wrapper_id, wrapper_sign_pk);
}

int bn_members_hash(uint8_t out[BN_HASH_BYTES], const bn_member_id *m, size_t n)
{
    static const char tag[] = "binome members v1";
    crypto_generichash_state st;
    uint64_t prev = 0;
    uint8_t be[8];

    if (out == NULL || (m == NULL && n > 0) || n > UINT32_MAX)
        return BN_EINVAL;
    crypto_generichash_init(&st, NULL, 0, BN_HASH_BYTES);
    crypto_generichash_update(&st, (const uint8_t *)tag, sizeof tag - 1);
    bn_put_be32(be, (uint32_t)n);
    crypto_generichash_update(&st, be, 4);
    /* Increasing id order whatever the array's: take the smallest id above
     * the previous one each round (n is at most a few dozen). */
    for (size_t done = 0; done < n; done++) {
        const bn_member_id *next = NULL;
        for (size_t i = 0; i < n; i++) {
            if (done > 0 && m[i].account_id <= prev)
                continue;
            if (next == NULL || m[i].account_id < next->account_id)
                next = &m[i];
        }
        if (next == NULL || (done > 0 && next->account_id == prev))
            return BN_EINVAL;
        for (size_t i = 0; i < n; i++)
            if (&m[i] != next && m[i].account_id == next->account_id)
                return BN_EINVAL;
        bn_put_be64(be, next->account_id);
        crypto_generichash_update(&st, be, 8);
        crypto_generichash_update(&st, &next->role, 1);
        crypto_generichash_update(&st, next->sign_pk, 32);
        crypto_generichash_update(&st, next->box_pk, 32);
        prev = next->account_id;
    }
    crypto_generichash_final(&st, out, BN_HASH_BYTES);
    return 0;
}
