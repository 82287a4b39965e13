/*
 * bnd_pairlog.c: the pair's tamper-evident log on the server side
 * (DESIGN.md, "The pair's log"): the one check every logged write runs
 * (LOG_GET, which serves the log, is bnd_h_log.c).
 *
 * The server cannot forge an entry (it holds no member's key); what it
 * enforces here is that the log it serves is a chain: each stored entry
 * extends the head, is signed by the member who made the write, and names
 * that very write by its body hash.
 */
#include <string.h>

#include "bnd_handlers.h"

bn_bin bnd_pairlog_entry(const bn_msg *req)
{
    bn_msg copy = *req;
    bn_bin *e = bn_log_entry_field(&copy);
    bn_bin none = {NULL, 0};
    return e != NULL ? *e : none;
}

/* bn_log_verify's key lookup: the caller's key, and only the caller's. */
struct author_key {
    uint64_t id;
    const uint8_t *pk;
};

static int author_key(void *ctx, uint64_t author_id, uint8_t sign_pk[32])
{
    const struct author_key *a = ctx;
    if (author_id != a->id)
        return BN_ENOTFOUND;
    memcpy(sign_pk, a->pk, 32);
    return 0;
}

/* Whether e records req (bn_log_entry_matches): 0, BN_EINVAL, or an
 * encoding failure. */
static int body_matches(const bn_log_entry *e, const bn_msg *req)
{
    return bn_log_entry_matches(e, req);
}

/* Decodes req's entry: 0, or BN_EINVAL when it is missing, malformed, not
 * of version 2 (a new write never carries a legacy entry), names someone
 * other than author_id, or has seq 0. */
static int entry_decode(bn_log_entry *e, bn_bin raw, uint64_t author_id)
{
    if (raw.len != BN_LOG_ENTRY_BYTES ||
        bn_log_entry_decode(e, raw.ptr, raw.len) != 0 ||
        e->version != BN_LOG_VERSION)
        return BN_EINVAL;
    if (e->author_id != author_id || e->seq == 0)
        return BN_EINVAL;
    return 0;
}

int bnd_pairlog_check(bnd_logcheck *lc, const bn_msg *req, uint64_t pair_id,
                      uint64_t author_id, const uint8_t sign_pk[32])
{
    bn_log_entry e;

    memset(lc, 0, sizeof *lc);
    if (entry_decode(&e, bnd_pairlog_entry(req), author_id) != 0)
        return 0; /* the transaction answers BN_EINVAL, as before */
    lc->pair_id = pair_id;
    lc->author_id = author_id;
    memcpy(lc->sign_pk, sign_pk, sizeof lc->sign_pk);
    /* Verified against its own prev: the transaction checks that prev is
     * the head, which makes this the very computation it would do. */
    struct author_key ak = {author_id, sign_pk};
    int rc =
        bn_log_verify(pair_id, &e, 1, e.prev, author_key, &ak, lc->head, NULL);
    lc->sig_rc = rc == 0 ? 0 : rc == BN_ESIG ? BN_ESIG : 1;
    lc->body_rc = body_matches(&e, req);
    lc->done = 1;
    return 1;
}

/* The pre-check of cx's request when it applies to this pair and caller. */
static const bnd_logcheck *precheck(const bnd_ctx *cx, const bn_rec_pair *pair)
{
    const bnd_logcheck *lc = cx->logck;
    if (lc == NULL || !lc->done || lc->pair_id != pair->id ||
        lc->author_id != cx->actor.account_id)
        return NULL;
    return lc;
}

/* stored_is: 1 when pair's log holds raw (decoded as e, seq at most the
 * head's) at e's seq, 0 when it holds another entry, or a store error. */
static int stored_is(bnd_ctx *cx, const bn_rec_pair *pair,
                     const bn_log_entry *e, bn_bin raw)
{
    bn_rec_log stored;
    int rc;

    rc = bnd_rec_get(cx->st, cx->txn, bnd_key_log(pair->id, e->seq), &stored,
                     &cx->arena);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    return bnd_same_bin(stored.entry, raw) ? 1 : 0;
}

int bnd_pairlog_landed(bnd_ctx *cx, const bn_rec_pair *pair, const bn_msg *req)
{
    bn_bin raw = bnd_pairlog_entry(req);
    bn_log_entry e;
    int rc;

    if (entry_decode(&e, raw, cx->actor.account_id) != 0 ||
        e.seq > pair->log_seq)
        return 0;
    rc = stored_is(cx, pair, &e, raw);
    if (rc != 1)
        return rc == 0 ? 0 : rc;
    return body_matches(&e, req) == 0 ? BND_LANDED : 0;
}

int bnd_pairlog_append(bnd_ctx *cx, bn_rec_pair *pair, const bn_msg *req,
                       uint64_t *seq_out)
{
    const bnd_logcheck *lc = precheck(cx, pair);
    bn_bin raw = bnd_pairlog_entry(req);
    bn_rec_account me;
    bn_rec_log stored;
    bn_log_entry e;
    uint8_t head[BN_HASH_BYTES];
    int rc;

    rc = entry_decode(&e, raw, cx->actor.account_id);
    if (rc != 0)
        return rc;
    if (seq_out != NULL)
        *seq_out = e.seq;
    if (e.seq <= pair->log_seq) {
        /* The same entry, byte for byte, is already stored: this write
         * landed before (a retry after a lost reply). */
        rc = stored_is(cx, pair, &e, raw);
        if (rc != 1)
            return rc == 0 ? BN_ESTALE : rc;
        rc = lc != NULL ? lc->body_rc : body_matches(&e, req);
        return rc == 0 ? BND_LANDED : rc;
    }
    if (e.seq != pair->log_seq + 1 ||
        memcmp(e.prev, pair->log_head, BN_HASH_BYTES) != 0)
        return BN_ESTALE;
    rc = bnd_get_account(cx, cx->actor.account_id, &me);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    if (lc != NULL && lc->sig_rc <= 0 &&
        memcmp(lc->sign_pk, me.sign_pk, sizeof lc->sign_pk) == 0) {
        /* Checked before the transaction with this very key. */
        if (lc->sig_rc != 0)
            return BN_ESIG;
        memcpy(head, lc->head, BN_HASH_BYTES);
    } else {
        struct author_key ak = {me.id, me.sign_pk};
        if (bn_log_verify(pair->id, &e, 1, pair->log_head, author_key, &ak,
                          head, NULL) != 0)
            return BN_ESIG;
    }
    rc = lc != NULL ? lc->body_rc : body_matches(&e, req);
    if (rc != 0)
        return rc;
    stored.entry = raw;
    bnd_key k = bnd_key_log(pair->id, e.seq);
    rc = bnd_rec_put(cx->st, cx->txn, k, &stored, MDB_NOOVERWRITE);
    if (rc != 0)
        return rc == BN_EEXIST ? BN_ECORRUPT : rc;
    pair->log_seq = e.seq;
    memcpy(pair->log_head, head, BN_HASH_BYTES);
    k = bnd_key_pairs(pair->id);
    return bnd_rec_put(cx->st, cx->txn, k, pair, 0);
}
