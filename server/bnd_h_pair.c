/* bnd_h_pair.c: pairs seen by their members: PAIR_LIST (also for
 * administrators: every pair), PAIR_GET, PAIR_ACCEPT, KEY_PUT. */
#include <string.h>

#include "bnd_handlers.h"
#include "bnd_stats.h"

static int add_pair(bnd_ctx *cx, bnd_list *l, const bn_rec_pair *p)
{
    bn_pair_info *o;
    if (p->status == BN_PAIR_ERASED)
        return 0;
    o = bnd_list_take(l, 0);
    if (o == NULL)
        return 1;
    return bnd_pair_info(cx, p, o);
}

static int admin_pair_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                           void *arg)
{
    bn_rec_pair p;
    (void)k;
    int rc = bnd_rec_decode(v, &bn_desc_rec_pair, &p, &cx->arena);
    return rc != 0 ? rc : add_pair(cx, arg, &p);
}

static int member_pair_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                            void *arg)
{
    bn_rec_pair p;
    (void)v;
    if (k->mv_size != 16)
        return BN_ECORRUPT;
    int rc = bnd_get_pair(cx, bn_get_be64((const uint8_t *)k->mv_data + 8), &p);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    return add_pair(cx, arg, &p);
}

/* PAIR_LIST: an administrator sees every pair (pairs by id), a
 * participant their own (account_pairs under their id); pages by pair id
 * (after). */
int bnd_h_pair_list(bnd_ctx *cx, const bn_msg *req)
{
    bnd_list l = {NULL, sizeof(bn_pair_info), {0, BND_PAGE, 0}, NULL};
    uint64_t after = req->u.pair_list.after;
    uint8_t k[16];
    int rc;

    cx->rep->type = BN_MSG_PAIRS;
    if (cx->actor.role == BN_ROLE_ADMIN)
        rc = bnd_list_page(cx, &l, after, DB(cx, PAIRS), k,
                           bnd_key_u64(k, after + 1), 0, admin_pair_item);
    else
        rc = bnd_list_page(cx, &l, after, DB(cx, ACCOUNT_PAIRS), k,
                           bnd_key_u64_u64(k, cx->actor.account_id, after + 1),
                           8, member_pair_item);
    if (rc < 0)
        return rc;
    BND_LIST_REPLY(cx->rep->u.pairs, l, rc);
    return 0;
}

struct member_list {
    bn_member_key *items;
    uint32_t n;
};

static int member_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                       void *arg)
{
    struct member_list *ml = arg;
    bn_rec_member m;
    bn_rec_account a;
    int rc;
    (void)k;

    if (ml->n == BN_MEMBERS_MAX)
        return BN_ECORRUPT;
    rc = bnd_rec_decode(v, &bn_desc_rec_member, &m, &cx->arena);
    if (rc == 0)
        rc = bnd_get_account(cx, m.account_id, &a);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    bn_member_key *o = &ml->items[ml->n++];
    o->account_id = m.account_id;
    o->role = m.role;
    o->name = a.name;
    memcpy(o->sign_pk, a.sign_pk, sizeof o->sign_pk);
    memcpy(o->box_pk, a.box_pk, sizeof o->box_pk);
    o->from_epoch = m.from_epoch;
    o->to_epoch = m.to_epoch;
    return 0;
}

struct wrap_list {
    bn_key_wrap *items;
    uint32_t n;
    uint64_t member; /* only this member's wraps */
};

static int wrap_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v, void *arg)
{
    struct wrap_list *wl = arg;
    bn_rec_wrap w;
    int rc;

    if (k->mv_size != 20)
        return BN_ECORRUPT;
    if (bn_get_be64((const uint8_t *)k->mv_data + 12) != wl->member)
        return 0;
    if (wl->n == BN_WRAPS_MAX)
        return 1;
    rc = bnd_rec_decode(v, &bn_desc_rec_wrap, &w, &cx->arena);
    if (rc != 0)
        return rc;
    bn_key_wrap *o = &wl->items[wl->n++];
    o->epoch = w.epoch;
    o->member_id = w.member_id;
    o->wrapper_id = w.wrapper_id;
    memcpy(o->wrap, w.wrap, sizeof o->wrap);
    return 0;
}

/* PAIR_GET: the pair, every member's public keys, the caller's own key
 * wraps (all epochs) and the programme's charter. */
int bnd_h_pair_get(bnd_ctx *cx, const bn_msg *req)
{
    bn_pair_detail *d = &cx->rep->u.pair_detail;
    struct member_list ml = {NULL, 0};
    struct wrap_list wl = {NULL, 0, cx->actor.account_id};
    bn_rec_programme prog;
    bn_rec_pair p;
    uint8_t k[8];
    int rc;

    rc = bnd_member_pair(cx, req->u.pair_get.pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    rc = bnd_get_programme(cx, p.programme_id, &prog);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    ml.items = bnd_ctx_alloc(cx, BN_MEMBERS_MAX * sizeof *ml.items);
    wl.items = bnd_ctx_alloc(cx, BN_WRAPS_MAX * sizeof *wl.items);
    if (ml.items == NULL || wl.items == NULL)
        return BN_ENOMEM;
    bnd_key_u64(k, p.id);
    rc = bnd_scan(cx, DB(cx, MEMBERS), k, 8, k, 8, member_item, &ml);
    if (rc < 0)
        return rc;
    rc = bnd_scan(cx, DB(cx, WRAPS), k, 8, k, 8, wrap_item, &wl);
    if (rc < 0)
        return rc;
    cx->rep->type = BN_MSG_PAIR_DETAIL;
    rc = bnd_pair_info(cx, &p, &d->pair);
    if (rc != 0)
        return rc;
    d->members.v = ml.items;
    d->members.len = ml.n;
    d->wraps.v = wl.items;
    d->wraps.len = wl.n;
    d->charter = prog.charter;
    memcpy(d->charter_hash, prog.charter_hash, sizeof d->charter_hash);
    d->log_seq = p.log_seq;
    memcpy(d->log_head, p.log_head, sizeof d->log_head);
    return 0;
}

/* PAIR_ACCEPT: a member's consent, a signature over the programme's
 * charter; the pair becomes active at the second one. Logged. Accepting
 * twice is a success that changes nothing (a retry): its entry is not
 * looked at. */
int bnd_h_pair_accept(bnd_ctx *cx, const bn_msg *req)
{
    const bn_pair_accept *r = &req->u.pair_accept;
    bn_rec_programme prog;
    bn_rec_account a;
    bn_rec_member me;
    bn_rec_accept acc;
    bn_rec_pair p;
    uint8_t k[16];
    int rc;

    rc = bnd_member_pair(cx, r->pair_id, &p, &me);
    if (rc != 0)
        return rc;
    uint8_t bit =
        me.role == BN_ROLE_MENTOR ? BN_ACCEPTED_MENTOR : BN_ACCEPTED_MENTEE;
    if (p.status != BN_PAIR_PENDING && p.status != BN_PAIR_ACTIVE)
        return BN_EENDED;
    if (!(p.accepted & bit)) {
        if (r->date < BN_DATE_MIN || r->date > BN_DATE_MAX ||
            r->date + 1 < cx->today || r->date > cx->today + 1)
            return BN_EDATE;
        rc = bnd_get_programme(cx, p.programme_id, &prog);
        if (rc == 0)
            rc = bnd_get_account(cx, cx->actor.account_id, &a);
        if (rc != 0)
            return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
        if (bn_charter_verify(r->sig, p.id, prog.charter_hash, r->date, a.id,
                              a.sign_pk) != 0)
            return BN_ESIG;
        uint8_t old_status = p.status;
        p.accepted |= bit;
        if (p.accepted == (BN_ACCEPTED_MENTOR | BN_ACCEPTED_MENTEE)) {
            p.status = BN_PAIR_ACTIVE;
            p.start_date = r->date;
        }
        rc = bnd_pairlog_append(cx, &p, req, NULL);
        if (rc == BND_LANDED) /* its accept bit would be set: not a retry */
            return BN_ECONFLICT;
        if (rc == 0)
            rc = bnd_stats_pair_status(cx->st, cx->txn, p.programme_id,
                                       old_status, p.status);
        if (rc != 0)
            return rc;
        memset(&acc, 0, sizeof acc);
        acc.pair_id = p.id;
        acc.account_id = a.id;
        acc.date = r->date;
        memcpy(acc.charter_hash, prog.charter_hash, sizeof acc.charter_hash);
        memcpy(acc.sig, r->sig, sizeof acc.sig);
        acc.time = cx->now;
        rc = bnd_rec_put(cx->txn, DB(cx, ACCEPTS), k,
                         bnd_key_u64_u64(k, p.id, a.id), &bn_desc_rec_accept,
                         &acc, 0);
        if (rc != 0)
            return rc;
    }
    cx->rep->type = BN_MSG_PAIR;
    return bnd_pair_info(cx, &p, &cx->rep->u.pair.pair);
}

struct current_members {
    uint64_t ids[BN_MEMBERS_MAX];
    uint32_t n;
    uint32_t epoch;
};

static int current_member(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                          void *arg)
{
    struct current_members *cm = arg;
    bn_rec_member m;
    (void)k;
    int rc = bnd_rec_decode(v, &bn_desc_rec_member, &m, &cx->arena);
    if (rc != 0)
        return rc;
    if (m.from_epoch <= cm->epoch &&
        (m.to_epoch == 0 || m.to_epoch > cm->epoch)) {
        if (cm->n == BN_MEMBERS_MAX)
            return BN_ECORRUPT;
        cm->ids[cm->n++] = m.account_id;
    }
    return 0;
}

static int any_wrap(bnd_ctx *cx, const MDB_val *k, const MDB_val *v, void *arg)
{
    (void)cx;
    (void)k;
    (void)v;
    *(int *)arg = 1;
    return 1;
}

/* KEY_PUT: the first complete set of wraps for the current epoch wins
 * (one per current member, all made by the caller); a later set is
 * BN_ECONFLICT, and the client fetches the winner's. */
int bnd_h_key_put(bnd_ctx *cx, const bn_msg *req)
{
    const bn_key_put *r = &req->u.key_put;
    struct current_members cm;
    uint8_t seen[BN_MEMBERS_MAX] = {0};
    bn_rec_pair p;
    uint8_t k[20];
    int exists = 0;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    if (r->epoch != p.epoch)
        return BN_ECONFLICT;
    bn_put_be64(k, p.id);
    bn_put_be32(k + 8, p.epoch);
    rc = bnd_scan(cx, DB(cx, WRAPS), k, 12, k, 12, any_wrap, &exists);
    if (rc < 0)
        return rc;
    if (exists)
        return BN_ECONFLICT;
    memset(&cm, 0, sizeof cm);
    cm.epoch = p.epoch;
    rc = bnd_scan(cx, DB(cx, MEMBERS), k, 8, k, 8, current_member, &cm);
    if (rc < 0)
        return rc;
    if (r->wraps.len != cm.n)
        return BN_EINVAL;
    for (uint32_t i = 0; i < r->wraps.len; i++) {
        const bn_key_wrap *w = &r->wraps.v[i];
        uint32_t j;
        if (w->epoch != p.epoch || w->wrapper_id != cx->actor.account_id)
            return BN_EINVAL;
        for (j = 0; j < cm.n && cm.ids[j] != w->member_id; j++)
            ;
        if (j == cm.n || seen[j])
            return BN_EINVAL;
        seen[j] = 1;
    }
    for (uint32_t i = 0; i < r->wraps.len; i++) {
        const bn_key_wrap *w = &r->wraps.v[i];
        bn_rec_wrap rec;
        memset(&rec, 0, sizeof rec);
        rec.epoch = w->epoch;
        rec.member_id = w->member_id;
        rec.wrapper_id = w->wrapper_id;
        memcpy(rec.wrap, w->wrap, sizeof rec.wrap);
        rec.created = cx->now;
        rc = bnd_rec_put(cx->txn, DB(cx, WRAPS), k,
                         bnd_key_u64_u32_u64(k, p.id, p.epoch, w->member_id),
                         &bn_desc_rec_wrap, &rec, MDB_NOOVERWRITE);
        if (rc != 0)
            return rc;
    }
    cx->rep->type = BN_MSG_OK;
    cx->rep->u.ok.value = p.epoch;
    return 0;
}

/* PAIR_END: either member ends the pairing at any time (the right to
 * withdraw); a pending pair can only be withdrawn from. Members keep
 * reading what was written. Logged. The same end again by the same member
 * (reason and date) is a retry: a success that changes nothing. */
int bnd_h_pair_end(bnd_ctx *cx, const bn_msg *req)
{
    const bn_pair_end *r = &req->u.pair_end;
    bn_rec_pair p;
    int rc;

    rc = bnd_member_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    if ((p.status == BN_PAIR_COMPLETED || p.status == BN_PAIR_WITHDRAWN) &&
        p.ended_by == cx->actor.account_id && p.end_reason == r->reason &&
        p.end_date == r->date)
        goto reply;
    if (p.status != BN_PAIR_PENDING && p.status != BN_PAIR_ACTIVE)
        return BN_EENDED;
    if (r->reason != BN_END_COMPLETED && r->reason != BN_END_WITHDRAWN)
        return BN_EINVAL;
    if (p.status == BN_PAIR_PENDING && r->reason == BN_END_COMPLETED)
        return BN_ENOTACCEPTED;
    if (!bnd_date_ok(r->date) || r->date > cx->today + 1 ||
        (p.start_date != 0 && r->date < p.start_date))
        return BN_EDATE;
    uint8_t old_status = p.status;
    p.status =
        r->reason == BN_END_COMPLETED ? BN_PAIR_COMPLETED : BN_PAIR_WITHDRAWN;
    p.end_reason = r->reason;
    p.end_date = r->date;
    p.ended_by = cx->actor.account_id;
    rc = bnd_pairlog_append(cx, &p, req, NULL);
    if (rc == BND_LANDED) /* ended before: counted then */
        rc = bnd_get_pair(cx, r->pair_id, &p);
    else if (rc == 0)
        rc = bnd_stats_pair_status(cx->st, cx->txn, p.programme_id, old_status,
                                   p.status);
    if (rc != 0)
        return rc;
reply:
    cx->rep->type = BN_MSG_PAIR;
    return bnd_pair_info(cx, &p, &cx->rep->u.pair.pair);
}
