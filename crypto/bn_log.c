/*
 * bn_log.c: the tamper-evident pair log.
 *
 * Entry encoding (BN_LOG_ENTRY_BYTES = 152, integers big-endian, time as
 * two's-complement int64):
 *
 *   offset size  field
 *   0      8     seq (1 for the first entry)
 *   8      32    prev (hash of entry seq-1; 32 zero bytes for seq 1)
 *   40     32    body_hash
 *   72     8     author_id
 *   80     8     time (unix seconds)
 *   88     64    sig
 *
 * Decoding requires exactly 152 bytes (BN_ECORRUPT otherwise).
 * Signature: Ed25519 (crypto_sign_detached) by the author over
 *   "binome log v1" (13 ASCII, no NUL) || pair_id (8) || encoding[0..88).
 * Entry hash: BLAKE2b-256(pair_id (8) || encoding[0..152)), signature
 * included (libsodium's Ed25519 rejects non-canonical signatures, so an
 * entry has one hash).
 *
 * bn_log_verify, for each entry i in order: seq == entries[0].seq + i and
 * seq >= 1, prev == the previous head (prev_head for i = 0, which must be
 * all zeros when seq is 1), else BN_ECHAIN; the author's key from the
 * callback (any failure: BN_ESIG) and the signature (BN_ESIG). The first
 * failing entry's seq goes to *bad_seq. n == 0 verifies and the head is
 * prev_head.
 *
 * bn_log_extends(chain starting at seq 1, known_seq, known_head): known_seq
 * 0 means nothing remembered (0). Otherwise entry known_seq must exist
 * (else BN_EROLLBACK: the server shortened the log) and hash to known_head
 * (else BN_EROLLBACK: the server forked it). A chain not starting at seq 1
 * or with non-consecutive seqs is BN_EINVAL (verify it first).
 */
#include "bn_crypto.h"

#include <string.h>

#include "bn_util.h"

#define LOG_DOMAIN "binome log v1"
#define LOG_DOMAIN_LEN (sizeof LOG_DOMAIN - 1)
#define LOG_SIGNED_BYTES (BN_LOG_ENTRY_BYTES - BN_SIG_BYTES)

int bn_log_entry_encode(uint8_t out[BN_LOG_ENTRY_BYTES], const bn_log_entry *e)
{
    uint8_t *p = out;

    if (out == NULL || e == NULL)
        return BN_EINVAL;
    bn_put_be64(p, e->seq);
    p += 8;
    memcpy(p, e->prev, BN_HASH_BYTES);
    p += BN_HASH_BYTES;
    memcpy(p, e->body_hash, BN_HASH_BYTES);
    p += BN_HASH_BYTES;
    bn_put_be64(p, e->author_id);
    p += 8;
    bn_put_be64(p, (uint64_t)e->time);
    p += 8;
    memcpy(p, e->sig, BN_SIG_BYTES);
    return 0;
}

int bn_log_entry_decode(bn_log_entry *e, const uint8_t *in, size_t len)
{
    const uint8_t *p = in;

    if (e == NULL)
        return BN_EINVAL;
    if (in == NULL || len != BN_LOG_ENTRY_BYTES)
        return BN_ECORRUPT;
    e->seq = bn_get_be64(p);
    p += 8;
    memcpy(e->prev, p, BN_HASH_BYTES);
    p += BN_HASH_BYTES;
    memcpy(e->body_hash, p, BN_HASH_BYTES);
    p += BN_HASH_BYTES;
    e->author_id = bn_get_be64(p);
    p += 8;
    e->time = (int64_t)bn_get_be64(p);
    p += 8;
    memcpy(e->sig, p, BN_SIG_BYTES);
    return 0;
}

/* log_message writes the signed message of e for pair_id. */
static void log_message(uint8_t msg[LOG_DOMAIN_LEN + 8 + LOG_SIGNED_BYTES],
                        uint64_t pair_id, const bn_log_entry *e)
{
    uint8_t enc[BN_LOG_ENTRY_BYTES];

    bn_log_entry_encode(enc, e);
    memcpy(msg, LOG_DOMAIN, LOG_DOMAIN_LEN);
    bn_put_be64(msg + LOG_DOMAIN_LEN, pair_id);
    memcpy(msg + LOG_DOMAIN_LEN + 8, enc, LOG_SIGNED_BYTES);
}

int bn_log_entry_sign(bn_log_entry *e, uint64_t pair_id,
                      const uint8_t sign_sk[64])
{
    uint8_t msg[LOG_DOMAIN_LEN + 8 + LOG_SIGNED_BYTES];

    if (e == NULL || sign_sk == NULL)
        return BN_EINVAL;
    log_message(msg, pair_id, e);
    if (crypto_sign_detached(e->sig, NULL, msg, sizeof msg, sign_sk) != 0)
        return BN_EINTERNAL;
    return 0;
}

int bn_log_entry_hash(uint8_t out[BN_HASH_BYTES], uint64_t pair_id,
                      const bn_log_entry *e)
{
    uint8_t buf[8 + BN_LOG_ENTRY_BYTES];

    if (out == NULL || e == NULL)
        return BN_EINVAL;
    bn_put_be64(buf, pair_id);
    bn_log_entry_encode(buf + 8, e);
    bn_hash(out, buf, sizeof buf);
    return 0;
}

int bn_log_verify(uint64_t pair_id, const bn_log_entry *entries, size_t n,
                  const uint8_t prev_head[BN_HASH_BYTES], bn_log_key_fn key,
                  void *ctx, uint8_t head_out[BN_HASH_BYTES], uint64_t *bad_seq)
{
    uint8_t head[BN_HASH_BYTES], pk[32];
    uint8_t msg[LOG_DOMAIN_LEN + 8 + LOG_SIGNED_BYTES];
    int rc = 0;
    size_t i;

    if ((entries == NULL && n > 0) || prev_head == NULL || key == NULL)
        return BN_EINVAL;
    memcpy(head, prev_head, BN_HASH_BYTES);
    for (i = 0; i < n; i++) {
        const bn_log_entry *e = &entries[i];

        if (e->seq == 0 || e->seq != entries[0].seq + i) {
            rc = BN_ECHAIN;
            break;
        }
        if (e->seq == 1 && !sodium_is_zero(head, BN_HASH_BYTES)) {
            rc = BN_ECHAIN;
            break;
        }
        if (sodium_memcmp(e->prev, head, BN_HASH_BYTES) != 0) {
            rc = BN_ECHAIN;
            break;
        }
        if (key(ctx, e->author_id, pk) != 0) {
            rc = BN_ESIG;
            break;
        }
        log_message(msg, pair_id, e);
        if (crypto_sign_verify_detached(e->sig, msg, sizeof msg, pk) != 0) {
            rc = BN_ESIG;
            break;
        }
        bn_log_entry_hash(head, pair_id, e);
    }
    if (rc != 0) {
        if (bad_seq != NULL)
            *bad_seq = entries[i].seq;
        return rc;
    }
    if (head_out != NULL)
        memcpy(head_out, head, BN_HASH_BYTES);
    return 0;
}

int bn_log_extends(uint64_t pair_id, const bn_log_entry *entries, size_t n,
                   uint64_t known_seq, const uint8_t known_head[BN_HASH_BYTES])
{
    uint8_t h[BN_HASH_BYTES];

    if ((entries == NULL && n > 0) || known_head == NULL)
        return BN_EINVAL;
    if (known_seq == 0)
        return 0;
    if (n == 0 || known_seq > n)
        return BN_EROLLBACK;
    if (entries[0].seq != 1 || entries[known_seq - 1].seq != known_seq)
        return BN_EINVAL;
    bn_log_entry_hash(h, pair_id, &entries[known_seq - 1]);
    if (sodium_memcmp(h, known_head, BN_HASH_BYTES) != 0)
        return BN_EROLLBACK;
    return 0;
}
