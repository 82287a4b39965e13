/*
 * bn_crypto.c: library initialisation and small helpers.
 *
 * - bn_crypto_init: sodium_init(); a negative result is BN_EINTERNAL.
 *   sodium_init() returning 1 (already initialised) is success.
 * - bn_hash: BLAKE2b-256 (crypto_generichash, 32-byte output, no key).
 * - bn_random_u64: 8 bytes from randombytes_buf read as a big-endian
 *   integer, drawn again until non-zero (0 means "none" in ids).
 */
#include "bn_crypto.h"

#include "bn_util.h"

int bn_crypto_init(void)
{
    if (sodium_init() < 0)
        return BN_EINTERNAL;
    return 0;
}

void bn_hash(uint8_t out[BN_HASH_BYTES], const uint8_t *data, size_t len)
{
    crypto_generichash(out, BN_HASH_BYTES, data, len, NULL, 0);
}

uint64_t bn_random_u64(void)
{
    uint8_t b[8];
    uint64_t v;

    do {
        randombytes_buf(b, sizeof b);
        v = bn_get_be64(b);
    } while (v == 0);
    sodium_memzero(b, sizeof b);
    return v;
}
