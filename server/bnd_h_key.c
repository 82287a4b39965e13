/*
 * bnd_h_key.c: KEY_PUT (DESIGN.md, "Pairs and keys"); the pair's members
 * come from bnd_h_pair.c.
 *
 * The server holds no pair key; what it enforces is that every set of
 * wraps it stores could be opened by the members it names: one wrap per
 * member holding the epoch, in member order, each signed by the caller
 * for that member's box key (bn_pairkey_wrap_verify), all committing to
 * one key (key_id), and that the epoch only moves through a logged
 * KEY_PUT of a member.
 */
#include <string.h>

#include "bnd_handlers.h"

int bnd_members_load(bnd_ctx *cx, uint64_t pair, bnd_members *ms)
{
    memset(ms, 0, sizeof *ms);
    return bnd_pair_member_ids(cx, pair, ms->m, ms->from, ms->to, &ms->n);
}

static int any_wrap(bnd_ctx *cx, const MDB_val *k, const MDB_val *v, void *arg)
{
    (void)cx;
    (void)k;
    (void)v;
    *(int *)arg = 1;
    return 1;
}

static int count_wrap(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                      void *arg)
{
    (void)cx;
    (void)k;
    (void)v;
    ++*(uint32_t *)arg;
    return 0;
}

int bnd_wraps_room(bnd_ctx *cx, uint64_t pair, int side, uint32_t n)
{
    uint32_t have = 0;
    int rc = bnd_scan_key(
        cx, side ? bnd_key_side_wraps(pair, 0, 0) : bnd_key_wraps(pair, 0, 0),
        1, count_wrap, &have);
    if (rc < 0)
        return rc;
    if (have + n > BN_WRAPS_MAX) {
        cx->errmsg = "this pair holds as many key wraps as a pair can: no "
                     "more re-keying or membership change (form a new pair)";
        return BN_ELIMIT;
    }
    return 0;
}

int bnd_has_wraps(bnd_ctx *cx, uint64_t pair, uint32_t epoch)
{
    int exists = 0;
    int rc =
        bnd_scan_key(cx, bnd_key_wraps(pair, epoch, 0), 2, any_wrap, &exists);
    return rc < 0 ? rc : exists;
}

int bnd_wraps_check(bnd_ctx *cx, uint64_t pair, uint32_t epoch, uint8_t side,
                    const bnd_members *ms, uint64_t except,
                    const bn_member_id *extra, const bn_key_wrap *w, uint32_t n)
{
    bn_member_id h[BN_MEMBERS_MAX + 1];
    const uint8_t *caller_pk = NULL;
    uint32_t holders = 0;
    int rc;

    /* The holders of a new epoch: the current members (those who left
     * hold no later epoch), but `except` (who leaves), and `extra` (who
     * comes), by account id. */
    for (uint32_t i = 0; i < ms->n; i++) {
        if (ms->to[i] != 0)
            continue;
        if (ms->m[i].account_id == cx->actor.account_id)
            caller_pk = ms->m[i].sign_pk;
        if (ms->m[i].account_id != except &&
            (side == 0 || ms->m[i].role == side))
            h[holders++] = ms->m[i];
    }
    if (caller_pk == NULL)
        return BN_EDENIED;
    if (extra != NULL) {
        uint32_t at = holders++;
        while (at > 0 && h[at - 1].account_id > extra->account_id) {
            h[at] = h[at - 1];
            at--;
        }
        h[at] = *extra;
    }
    if (n != holders)
        return BN_EINVAL;
    for (uint32_t i = 0; i < n; i++) {
        if (w[i].epoch != epoch || w[i].wrapper_id != cx->actor.account_id ||
            w[i].member_id != h[i].account_id ||
            memcmp(w[i].key_id, w[0].key_id, BN_HASH_BYTES) != 0)
            return BN_EINVAL;
        rc = (side == 0 ? bn_pairkey_wrap_verify : bn_sidekey_wrap_verify)(
            w[i].wrap, sizeof w[i].wrap, pair, epoch, w[i].member_id,
            h[i].box_pk, cx->actor.account_id, caller_pk);
        if (rc != 0)
            return rc == BN_ESIG ? BN_ESIG : BN_EINVAL;
    }
    return 0;
}

int bnd_wraps_store(bnd_ctx *cx, uint64_t pair, int side, const bn_key_wrap *w,
                    uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        bn_rec_wrap rec;
        memset(&rec, 0, sizeof rec);
        rec.epoch = w[i].epoch;
        rec.member_id = w[i].member_id;
        rec.wrapper_id = w[i].wrapper_id;
        memcpy(rec.wrap, w[i].wrap, sizeof rec.wrap);
        memcpy(rec.key_id, w[i].key_id, sizeof rec.key_id);
        rec.created = cx->now;
        bnd_key k = side ? bnd_key_side_wraps(pair, w[i].epoch, w[i].member_id)
                         : bnd_key_wraps(pair, w[i].epoch, w[i].member_id);
        int rc = bnd_rec_put(cx->st, cx->txn, k, &rec, MDB_NOOVERWRITE);
        if (rc != 0)
            return rc == BN_EEXIST ? BN_ECORRUPT : rc;
    }
    return 0;
}

int bnd_keying_commit(bnd_ctx *cx, bn_rec_pair *p, const bn_msg *req, int side,
                      uint32_t epoch, const bn_key_wrap *w, uint32_t n)
{
    int rc = bnd_wraps_room(cx, p->id, side, n);

    if (rc != 0)
        return rc;
    if (!side)
        p->epoch = epoch;
    rc = bnd_pairlog_append(cx, p, req, NULL);
    if (rc == 0)
        rc = bnd_wraps_store(cx, p->id, side, w, n);
    return rc;
}

/*
 * KEY_PUT: logged (sub: the epoch). When the pair has no wraps of its
 * epoch, the put is its first key and must be of that epoch; otherwise it
 * must be of epoch + 1, a re-key that any member holding the key may make
 * at any time (how a pair leaves bad wraps behind), and the pair's epoch
 * moves to it. Any other epoch is BN_ECONFLICT (a second set for an epoch
 * that has one too). The wraps are checked (check_wraps) before anything
 * is stored; a pair holds at most BN_WRAPS_MAX wraps (BN_ELIMIT), so a
 * member cannot push the newest ones out of PAIR_DETAIL by re-keying. An exact
 * retry (its entry in the log) is a success.
 */
int bnd_h_key_put(bnd_ctx *cx, const bn_msg *req)
{
    const bn_key_put *r = &req->u.key_put;
    bnd_members ms;
    bn_rec_pair p;
    uint32_t want;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    rc = bnd_has_wraps(cx, p.id, p.epoch);
    if (rc < 0)
        return rc;
    want = rc == 0 ? p.epoch : p.epoch + 1;
    if (r->epoch != want || want == 0) {
        rc = bnd_pairlog_landed(cx, &p, req);
        if (rc == BND_LANDED)
            goto reply;
        return rc < 0 ? rc : BN_ECONFLICT;
    }
    rc = bnd_members_load(cx, p.id, &ms);
    if (rc == 0)
        rc = bnd_wraps_check(cx, p.id, r->epoch, 0, &ms, 0, NULL, r->wraps.v,
                             r->wraps.len);
    if (rc == 0)
        rc = bnd_keying_commit(cx, &p, req, 0, r->epoch, r->wraps.v,
                               r->wraps.len);
    if (rc != 0 && rc != BND_LANDED)
        return rc;
reply:
    cx->rep->u.ok.value = r->epoch;
    return 0;
}
