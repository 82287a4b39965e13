/*
 * bn_testlog.h: log entries for the requests tests send, made as a
 * client makes them (DESIGN.md, "The pair's log"): version 2, op, item,
 * sub and flags from bn_log_describe, the body hash from bn_log_body_hash,
 * the author's signature. Header-only (static functions) so that unit,
 * integration, bench and fuzz programs, which link different libraries,
 * share it.
 *
 *   bn_test_log_fill   the entry for a request, unsigned: a test may change
 *                      a field (another revision, another op) before
 *   bn_test_log_finish signs it, encodes it into a buffer the caller keeps
 *                      alive and points the request's entry field at it
 *   bn_test_log_sign   both
 */
#ifndef BN_TESTLOG_H
#define BN_TESTLOG_H

#include <string.h>

#include "bn_crypto.h"
#include "bn_proto.h"
#include "bn_util.h"

/* bn_test_log_fill fills e for m (a logged request) by author at seq on
 * prev, time now, unsigned: 0, or bn_log_describe's / bn_log_body_hash's
 * error. */
static inline int bn_test_log_fill(bn_log_entry *e, const bn_msg *m,
                                   uint64_t author, uint64_t seq,
                                   const uint8_t prev[BN_HASH_BYTES])
{
    return bn_log_entry_make(e, m, seq, prev, author, bn_now());
}

/* bn_test_log_finish signs e for pair with sk, encodes it into buf, points
 * m's entry field at buf and, when head is not NULL, writes the entry's
 * hash (the pair's next head) to head: 0 or a BN_E* code. */
static inline int bn_test_log_finish(bn_log_entry *e, bn_msg *m, uint64_t pair,
                                     const uint8_t sk[64],
                                     uint8_t buf[BN_LOG_ENTRY_BYTES],
                                     uint8_t head[BN_HASH_BYTES])
{
    bn_bin *f = bn_log_entry_field(m);
    size_t len;
    int rc;

    if (f == NULL)
        return BN_EINVAL;
    rc = bn_log_entry_sign(e, pair, sk);
    if (rc == 0)
        rc = bn_log_entry_encode(buf, e);
    if (rc == 0 && head != NULL)
        rc = bn_log_entry_hash(head, pair, e);
    if (rc != 0)
        return rc;
    len = bn_log_entry_size(e);
    f->ptr = buf;
    f->len = (uint32_t)len;
    return 0;
}

/* bn_test_log_sign: bn_test_log_fill then bn_test_log_finish. */
static inline int bn_test_log_sign(bn_msg *m, uint64_t pair, uint64_t author,
                                   const uint8_t sk[64], uint64_t seq,
                                   const uint8_t prev[BN_HASH_BYTES],
                                   uint8_t buf[BN_LOG_ENTRY_BYTES],
                                   uint8_t head[BN_HASH_BYTES])
{
    bn_log_entry e;
    int rc = bn_test_log_fill(&e, m, author, seq, prev);
    if (rc == 0)
        rc = bn_test_log_finish(&e, m, pair, sk, buf, head);
    return rc;
}

#endif
