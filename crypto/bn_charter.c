/*
 * bn_charter.c: a member's signed consent to the programme's charter.
 *
 * m = BLAKE2b-256("binome charter v1" (17 ASCII, no NUL) || pair_id (8) ||
 *                 charter_hash (32) || date (4, day number) ||
 *                 account_id (8)), integers big-endian;
 * sig = Ed25519 (crypto_sign_detached) over the 32 bytes of m.
 * The structure's acceptance of a programme's charter is the same with
 * the domain "binome programme charter v1" (27 ASCII) and the programme
 * id in place of the pair id.
 * Verification failure is BN_ESIG.
 */
#include "bn_crypto.h"

#include <string.h>

#include "bn_util.h"

#define CHARTER_DOMAIN "binome charter v1"
#define CHARTER_DOMAIN_LEN (sizeof CHARTER_DOMAIN - 1)

#define PROG_DOMAIN "binome programme charter v1"
#define PROG_DOMAIN_LEN (sizeof PROG_DOMAIN - 1)

/* charter_digest_in hashes domain || id || charter_hash || date ||
 * account_id (integers big-endian). */
static void charter_digest_in(uint8_t m[BN_HASH_BYTES], const char *domain,
                              size_t dlen, uint64_t id,
                              const uint8_t charter_hash[BN_HASH_BYTES],
                              uint32_t date, uint64_t account_id)
{
    uint8_t buf[PROG_DOMAIN_LEN + 8 + BN_HASH_BYTES + 4 + 8];
    uint8_t *p = buf;

    memcpy(p, domain, dlen);
    p += dlen;
    bn_put_be64(p, id);
    p += 8;
    memcpy(p, charter_hash, BN_HASH_BYTES);
    p += BN_HASH_BYTES;
    bn_put_be32(p, date);
    p += 4;
    bn_put_be64(p, account_id);
    p += 8;
    bn_hash(m, buf, (size_t)(p - buf));
}

/* charter_digest: a member's consent to a pair's charter. */
static void charter_digest(uint8_t m[BN_HASH_BYTES], uint64_t pair_id,
                           const uint8_t charter_hash[BN_HASH_BYTES],
                           uint32_t date, uint64_t account_id)
{
    charter_digest_in(m, CHARTER_DOMAIN, CHARTER_DOMAIN_LEN, pair_id,
                      charter_hash, date, account_id);
}

int bn_charter_sign(uint8_t sig[BN_SIG_BYTES], uint64_t pair_id,
                    const uint8_t charter_hash[BN_HASH_BYTES], uint32_t date,
                    uint64_t account_id, const uint8_t sign_sk[64])
{
    uint8_t m[BN_HASH_BYTES];

    if (sig == NULL || charter_hash == NULL || sign_sk == NULL)
        return BN_EINVAL;
    charter_digest(m, pair_id, charter_hash, date, account_id);
    if (crypto_sign_detached(sig, NULL, m, sizeof m, sign_sk) != 0)
        return BN_EINTERNAL;
    return 0;
}

int bn_charter_verify(const uint8_t sig[BN_SIG_BYTES], uint64_t pair_id,
                      const uint8_t charter_hash[BN_HASH_BYTES], uint32_t date,
                      uint64_t account_id, const uint8_t sign_pk[32])
{
    uint8_t m[BN_HASH_BYTES];

    if (sig == NULL || charter_hash == NULL || sign_pk == NULL)
        return BN_EINVAL;
    charter_digest(m, pair_id, charter_hash, date, account_id);
    if (crypto_sign_verify_detached(sig, m, sizeof m, sign_pk) != 0)
        return BN_ESIG;
    return 0;
}

int bn_charter_prog_sign(uint8_t sig[BN_SIG_BYTES], uint64_t programme_id,
                         const uint8_t charter_hash[BN_HASH_BYTES],
                         uint32_t date, uint64_t account_id,
                         const uint8_t sign_sk[64])
{
    uint8_t m[BN_HASH_BYTES];

    if (sig == NULL || charter_hash == NULL || sign_sk == NULL)
        return BN_EINVAL;
    charter_digest_in(m, PROG_DOMAIN, PROG_DOMAIN_LEN, programme_id,
                      charter_hash, date, account_id);
    if (crypto_sign_detached(sig, NULL, m, sizeof m, sign_sk) != 0)
        return BN_EINTERNAL;
    return 0;
}

int bn_charter_prog_verify(const uint8_t sig[BN_SIG_BYTES],
                           uint64_t programme_id,
                           const uint8_t charter_hash[BN_HASH_BYTES],
                           uint32_t date, uint64_t account_id,
                           const uint8_t sign_pk[32])
{
    uint8_t m[BN_HASH_BYTES];

    if (sig == NULL || charter_hash == NULL || sign_pk == NULL)
        return BN_EINVAL;
    charter_digest_in(m, PROG_DOMAIN, PROG_DOMAIN_LEN, programme_id,
                      charter_hash, date, account_id);
    if (crypto_sign_verify_detached(sig, m, sizeof m, sign_pk) != 0)
        return BN_ESIG;
    return 0;
}
