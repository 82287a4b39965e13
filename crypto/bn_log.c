/*
 * bn_log.c: the tamper-evident pair log.
 *
 * Entry encoding, version 2 (BN_LOG_ENTRY_BYTES = 168, integers
 * big-endian, time as two's-complement int64), what binome writes:
 *
 *   offset size  field
 *   0      1     version (2)
 *   1      1     op (the request's BN_MSG_* type)
 *   2      2     flags (BN_LOG_F_*)
 *   4      8     seq (1 for the first entry)
 *   12     32    prev (hash of entry seq-1; 32 zero bytes for seq 1)
 *   44     32    body_hash
 *   76     8     author_id
 *   84     8     time (unix seconds)
 *   92     8     item (the record the write made or changed)
 *   100    4     sub (revision, chunk count or epoch)
 *   104    64    sig
 *
 * Version 1 (BN_LOG_ENTRY_V1_BYTES = 152, schema 3 and before) is the
 * same without version, op, flags, item and sub: seq, prev, body_hash,
 * author_id, time, sig. Decoding takes exactly one of the two sizes, and
 * a 168-byte entry must start with the byte 2 (BN_ECORRUPT otherwise).
 * Signature: Ed25519 (crypto_sign_detached) by the author over
 *   "binome log vN" (13 ASCII, no NUL, N the version) || pair_id (8) ||
 *   the encoding without its last 64 bytes.
 * Entry hash: BLAKE2b-256(pair_id (8) || the whole encoding), signature
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

#define LOG_DOMAIN_V1 "binome log v1"
#define LOG_DOMAIN_V2 "binome log v2"
#define LOG_DOMAIN_LEN (sizeof LOG_DOMAIN_V1 - 1)
#define LOG_MSG_MAX (LOG_DOMAIN_LEN + 8 + BN_LOG_ENTRY_BYTES - BN_SIG_BYTES)

size_t bn_log_entry_size(const bn_log_entry *e)
{
    if (e == NULL)
        return 0;
    return e->version == 1   ? BN_LOG_ENTRY_V1_BYTES
           : e->version == 2 ? BN_LOG_ENTRY_BYTES
                             : 0;
}

int bn_log_entry_encode(uint8_t out[BN_LOG_ENTRY_BYTES], const bn_log_entry *e)
{
    uint8_t *p = out;

    if (out == NULL || bn_log_entry_size(e) == 0)
        return BN_EINVAL;
    if (e->version == 2) {
        *p++ = 2;
        *p++ = e->op;
        *p++ = (uint8_t)(e->flags >> 8);
        *p++ = (uint8_t)e->flags;
    }
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
    if (e->version == 2) {
        bn_put_be64(p, e->item);
        p += 8;
        bn_put_be32(p, e->sub);
        p += 4;
    }
    memcpy(p, e->sig, BN_SIG_BYTES);
    return 0;
}

int bn_log_entry_decode(bn_log_entry *e, const uint8_t *in, size_t len)
{
    const uint8_t *p = in;

    if (e == NULL)
        return BN_EINVAL;
    memset(e, 0, sizeof *e);
    if (in == NULL ||
        (len != BN_LOG_ENTRY_V1_BYTES && len != BN_LOG_ENTRY_BYTES))
        return BN_ECORRUPT;
    e->version = 1;
    if (len == BN_LOG_ENTRY_BYTES) {
        if (p[0] != 2)
            return BN_ECORRUPT;
        e->version = 2;
        e->op = p[1];
        e->flags = (uint16_t)(p[2] << 8 | p[3]);
        p += 4;
    }
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
    if (e->version == 2) {
        e->item = bn_get_be64(p);
        p += 8;
        e->sub = bn_get_be32(p);
        p += 4;
    }
    memcpy(e->sig, p, BN_SIG_BYTES);
    return 0;
}

/* log_message writes the signed message of e for pair_id (its domain
 * string says the version) and returns its length, or 0. */
static size_t log_message(uint8_t msg[LOG_MSG_MAX], uint64_t pair_id,
                          const bn_log_entry *e)
{
    uint8_t enc[BN_LOG_ENTRY_BYTES];
    size_t n = bn_log_entry_size(e);

    if (n == 0 || bn_log_entry_encode(enc, e) != 0)
        return 0;
    memcpy(msg, e->version == 1 ? LOG_DOMAIN_V1 : LOG_DOMAIN_V2,
           LOG_DOMAIN_LEN);
    bn_put_be64(msg + LOG_DOMAIN_LEN, pair_id);
    memcpy(msg + LOG_DOMAIN_LEN + 8, enc, n - BN_SIG_BYTES);
    return LOG_DOMAIN_LEN + 8 + n - BN_SIG_BYTES;
}

int bn_log_entry_sign(bn_log_entry *e, uint64_t pair_id,
                      const uint8_t sign_sk[64])
{
    uint8_t msg[LOG_MSG_MAX];
    size_t n;

    if (e == NULL || sign_sk == NULL)
        return BN_EINVAL;
    n = log_message(msg, pair_id, e);
    if (n == 0)
        return BN_EINVAL;
    if (crypto_sign_detached(e->sig, NULL, msg, n, sign_sk) != 0)
        return BN_EINTERNAL;
    return 0;
}

int bn_log_entry_hash(uint8_t out[BN_HASH_BYTES], uint64_t pair_id,
                      const bn_log_entry *e)
{
    uint8_t buf[8 + BN_LOG_ENTRY_BYTES];
    size_t n = bn_log_entry_size(e);

    if (out == NULL || n == 0)
        return BN_EINVAL;
    bn_put_be64(buf, pair_id);
    bn_log_entry_encode(buf + 8, e);
    bn_hash(out, buf, 8 + n);
    return 0;
}

int bn_log_verify(uint64_t pair_id, const bn_log_entry *entries, size_t n,
                  const uint8_t prev_head[BN_HASH_BYTES], bn_log_key_fn key,
                  void *ctx, uint8_t head_out[BN_HASH_BYTES], uint64_t *bad_seq)
{
    uint8_t head[BN_HASH_BYTES], pk[32];
    uint8_t msg[LOG_MSG_MAX];
    size_t mlen;
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
        mlen = log_message(msg, pair_id, e);
        if (mlen == 0 ||
            crypto_sign_verify_detached(e->sig, msg, mlen, pk) != 0) {
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
