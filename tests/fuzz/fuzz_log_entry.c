/*
 * fuzz_log_entry.c: libFuzzer target for bn_log_entry_decode.
 *
 * Any input either decodes (exactly BN_LOG_ENTRY_BYTES bytes) and
 * re-encodes to the same bytes, or is refused with BN_ECORRUPT. Decoded
 * entries, and chains of consecutive entries cut from the input, go
 * through bn_log_entry_hash, bn_log_verify and bn_log_extends, which must
 * not crash and must not accept a forged signature.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bn_crypto.h"

static uint8_t fuzz_pk[32], fuzz_sk[64];

static int fuzz_key(void *ctx, uint64_t author_id, uint8_t sign_pk[32])
{
    (void)ctx;
    if (author_id == 0)
        return BN_ENOTFOUND;
    memcpy(sign_pk, fuzz_pk, 32);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    bn_log_entry e[4];
    uint8_t enc[BN_LOG_ENTRY_BYTES], head[BN_HASH_BYTES];
    uint8_t zero[BN_HASH_BYTES] = {0};
    uint64_t bad = 0;
    size_t n = 0;

    if (!ready) {
        if (bn_crypto_init() != 0)
            abort();
        uint8_t seed[32] = {1};
        crypto_sign_seed_keypair(fuzz_pk, fuzz_sk, seed);
        ready = 1;
    }
    int rc = bn_log_entry_decode(&e[0], data, size);
    if (size != BN_LOG_ENTRY_BYTES) {
        if (rc != BN_ECORRUPT)
            abort();
    } else {
        if (rc != 0)
            abort();
        bn_log_entry_encode(enc, &e[0]);
        if (memcmp(enc, data, size) != 0)
            abort();
    }
    while (n < 4 && (n + 1) * BN_LOG_ENTRY_BYTES <= size) {
        if (bn_log_entry_decode(&e[n], data + n * BN_LOG_ENTRY_BYTES,
                                BN_LOG_ENTRY_BYTES) != 0)
            abort();
        n++;
    }
    if (n == 0)
        return 0;
    bn_log_entry_hash(head, 1, &e[0]);
    /* nobody but the holder of fuzz_sk can make a chain verify */
    if (bn_log_verify(1, e, n, zero, fuzz_key, NULL, head, &bad) == 0)
        abort();
    (void)bn_log_extends(1, e, n, (uint64_t)data[0] % (n + 2), head);
    return 0;
}
