/*
 * fuzz_log_entry.c: libFuzzer target for bn_log_entry_decode (versions 1
 * and 2) and bn_log_entry_matches.
 *
 * Any input either decodes, as a version 1 entry (BN_LOG_ENTRY_V1_BYTES
 * bytes) or a version 2 one (BN_LOG_ENTRY_BYTES bytes starting with the
 * version byte 2), and re-encodes to the same bytes, or is refused with
 * BN_ECORRUPT. Chains of consecutive entries cut from the input (all of
 * one version, chosen by the first byte) go through bn_log_entry_hash,
 * bn_log_verify and bn_log_extends, which must not crash and must not
 * accept a forged signature. An input longer than a v2 entry is also read
 * as an entry followed by a request: bn_log_entry_matches must not crash,
 * may only accept a v2 entry of the request's type, and for a logged
 * request the entry made for it (bn_log_describe, bn_log_body_hash)
 * matches while one with another sub does not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bn_testlog.h"
#include "bn_crypto.h"
#include "bn_proto.h"

static uint8_t fuzz_pk[32], fuzz_sk[64];

static int fuzz_key(void *ctx, uint64_t author_id, uint8_t sign_pk[32])
{
    (void)ctx;
    if (author_id == 0)
        return BN_ENOTFOUND;
    memcpy(sign_pk, fuzz_pk, 32);
    return 0;
}

/* The entry then the request: matches only what it says. */
static void check_matches(const uint8_t *data, size_t size)
{
    bn_log_entry e, made;
    bn_msg m;
    uint8_t zero[BN_HASH_BYTES] = {0};

    if (size <= BN_LOG_ENTRY_BYTES ||
        bn_msg_decode(&m, data + BN_LOG_ENTRY_BYTES,
                      size - BN_LOG_ENTRY_BYTES) != 0)
        return;
    if (bn_log_entry_decode(&e, data, BN_LOG_ENTRY_BYTES) == 0 &&
        bn_log_entry_matches(&e, &m) == 0 &&
        (e.version != BN_LOG_VERSION || e.op != m.type))
        abort();
    if (bn_log_entry_field(&m) != NULL &&
        bn_test_log_fill(&made, &m, 1, 1, zero) == 0) {
        if (bn_log_entry_matches(&made, &m) != 0)
            abort();
        made.sub ^= 1;
        if (bn_log_entry_matches(&made, &m) == 0)
            abort();
    }
    bn_msg_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    bn_log_entry e[4];
    uint8_t enc[BN_LOG_ENTRY_BYTES], head[BN_HASH_BYTES];
    uint8_t zero[BN_HASH_BYTES] = {0};
    uint64_t bad = 0;
    size_t n = 0, step;

    if (!ready) {
        if (bn_crypto_init() != 0)
            abort();
        uint8_t seed[32] = {1};
        crypto_sign_seed_keypair(fuzz_pk, fuzz_sk, seed);
        ready = 1;
    }
    int rc = bn_log_entry_decode(&e[0], data, size);
    int v2 = size == BN_LOG_ENTRY_BYTES && data[0] == 2;
    if (size != BN_LOG_ENTRY_V1_BYTES && !v2) {
        if (rc != BN_ECORRUPT)
            abort();
    } else {
        if (rc != 0 || e[0].version != (v2 ? 2 : 1) ||
            bn_log_entry_size(&e[0]) != size)
            abort();
        bn_log_entry_encode(enc, &e[0]);
        if (memcmp(enc, data, size) != 0)
            abort();
    }
    check_matches(data, size);
    step =
        size > 0 && data[0] == 2 ? BN_LOG_ENTRY_BYTES : BN_LOG_ENTRY_V1_BYTES;
    while (n < 4 && (n + 1) * step <= size) {
        if (bn_log_entry_decode(&e[n], data + n * step, step) != 0)
            break; /* a v2 cut whose version byte is not 2 */
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
