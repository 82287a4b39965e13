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

struct members {
    bn_member_id m[BN_MEMBERS_MAX];
    uint32_t from[BN_MEMBERS_MAX], to[BN_MEMBERS_MAX];
    uint32_t n;
};

/* Loads every member record of pair (departed ones too), by account id. */
static int load_members(bnd_ctx *cx, uint64_t pair, struct members *ms)
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

/* wraps_room: 0 when pair can take n more wraps and still hold at most
 * BN_WRAPS_MAX (so that PAIR_DETAIL serves every one, the newest epoch
 * included), else BN_ELIMIT. */
static int wraps_room(bnd_ctx *cx, uint64_t pair, uint32_t n)
{
    uint32_t have = 0;
    int rc = bnd_scan_key(cx, bnd_key_wraps(pair, 0, 0), 1, count_wrap, &have);
    if (rc < 0)
        return rc;
    if (have + n > BN_WRAPS_MAX) {
        cx->errmsg = "this pair holds as many key wraps as a pair can: no "
                     "more re-keying (form a new pair)";
        return BN_ELIMIT;
    }
    return 0;
}

/* has_wraps: 1 when pair has wraps of epoch, 0 when not, or an error. */
static int has_wraps(bnd_ctx *cx, uint64_t pair, uint32_t epoch)
{
    int exists = 0;
    int rc =
        bnd_scan_key(cx, bnd_key_wraps(pair, epoch, 0), 2, any_wrap, &exists);
    return rc < 0 ? rc : exists;
}

/*
 * check_wraps: r's wraps are one per member holding r->epoch, in strictly
 * increasing member id order, all of that epoch, made by the caller, with
 * one key_id (BN_EINVAL otherwise), and each one's signature verifies for
 * the member's box key and the caller's signing key (BN_ESIG). A caller
 * who does not hold the epoch cannot give it: BN_EDENIED.
 */
static int check_wraps(bnd_ctx *cx, const bn_rec_pair *p, const bn_key_put *r)
{
    struct members ms;
    const uint8_t *caller_pk = NULL;
    uint32_t holders = 0, j = 0;
    int rc;

    rc = load_members(cx, p->id, &ms);
    if (rc != 0)
        return rc;
    for (uint32_t i = 0; i < ms.n; i++) {
        if (ms.from[i] > r->epoch || (ms.to[i] != 0 && ms.to[i] <= r->epoch))
            continue;
        holders++;
        if (ms.m[i].account_id == cx->actor.account_id)
            caller_pk = ms.m[i].sign_pk;
    }
    if (caller_pk == NULL)
        return BN_EDENIED;
    if (r->wraps.len != holders)
        return BN_EINVAL;
    for (uint32_t i = 0; i < r->wraps.len; i++) {
        const bn_key_wrap *w = &r->wraps.v[i];
        if (w->epoch != r->epoch || w->wrapper_id != cx->actor.account_id ||
            (i > 0 && w->member_id <= r->wraps.v[i - 1].member_id) ||
            memcmp(w->key_id, r->wraps.v[0].key_id, BN_HASH_BYTES) != 0)
            return BN_EINVAL;
        /* members are sorted by id too: the next holder must be this one */
        while (j < ms.n &&
               (ms.m[j].account_id < w->member_id || ms.from[j] > r->epoch ||
                (ms.to[j] != 0 && ms.to[j] <= r->epoch)))
            j++;
        if (j == ms.n || ms.m[j].account_id != w->member_id)
            return BN_EINVAL;
        rc = bn_pairkey_wrap_verify(w->wrap, sizeof w->wrap, p->id, r->epoch,
                                    w->member_id, ms.m[j].box_pk,
                                    cx->actor.account_id, caller_pk);
        if (rc != 0)
            return rc == BN_ESIG ? BN_ESIG : BN_EINVAL;
        j++;
    }
    return 0;
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
    bn_rec_pair p;
    uint32_t want;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    rc = has_wraps(cx, p.id, p.epoch);
    if (rc < 0)
        return rc;
    want = rc == 0 ? p.epoch : p.epoch + 1;
    if (r->epoch != want || want == 0) {
        rc = bnd_pairlog_landed(cx, &p, req);
        if (rc == BND_LANDED)
            goto reply;
        return rc < 0 ? rc : BN_ECONFLICT;
    }
    rc = check_wraps(cx, &p, r);
    if (rc == 0)
        rc = wraps_room(cx, p.id, r->wraps.len);
    if (rc != 0)
        return rc;
    p.epoch = r->epoch;
    rc = bnd_pairlog_append(cx, &p, req, NULL);
    if (rc == BND_LANDED)
        goto reply;
    if (rc != 0)
        return rc;
    for (uint32_t i = 0; i < r->wraps.len; i++) {
        const bn_key_wrap *w = &r->wraps.v[i];
        bn_rec_wrap rec;
        memset(&rec, 0, sizeof rec);
        rec.epoch = w->epoch;
        rec.member_id = w->member_id;
        rec.wrapper_id = w->wrapper_id;
        memcpy(rec.wrap, w->wrap, sizeof rec.wrap);
        memcpy(rec.key_id, w->key_id, sizeof rec.key_id);
        rec.created = cx->now;
        rc = bnd_rec_put(cx->st, cx->txn,
                         bnd_key_wraps(p.id, r->epoch, w->member_id), &rec,
                         MDB_NOOVERWRITE);
        if (rc != 0)
            return rc == BN_EEXIST ? BN_ECORRUPT : rc;
    }
reply:
    cx->rep->u.ok.value = r->epoch;
    return 0;
}
