/* bnd_h_pair.c: pairs seen by their members: PAIR_LIST (also for
 * administrators: every pair), PAIR_GET, PAIR_ACCEPT, PAIR_END (KEY_PUT:
 * bnd_h_key.c). */
#include <inttypes.h>
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
    bnd_keyp_account_pairs kp;
    (void)v;
    if (bnd_key_parse_account_pairs(k, &kp) != 0)
        return BN_ECORRUPT;
    int rc = bnd_get_pair(cx, kp.pair_id, &p);
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
    int rc;

    if (cx->actor.role == BN_ROLE_ADMIN)
        rc = bnd_list_page(cx, &l, after, bnd_key_pairs(after + 1), 0,
                           admin_pair_item);
    else
        rc = bnd_list_page(
            cx, &l, after,
            bnd_key_account_pairs(cx->actor.account_id, after + 1), 1,
            member_pair_item);
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
                       void *arg);

int bnd_pair_member_ids(bnd_ctx *cx, uint64_t pair, bn_member_id *ids,
                        uint32_t *from, uint32_t *to, uint32_t *n)
{
    bn_member_key items[BN_MEMBERS_MAX];
    int rc = bnd_pair_members(cx, pair, items, n);

    for (uint32_t i = 0; rc == 0 && i < *n; i++) {
        ids[i].account_id = items[i].account_id;
        ids[i].role = items[i].role;
        memcpy(ids[i].sign_pk, items[i].sign_pk, 32);
        memcpy(ids[i].box_pk, items[i].box_pk, 32);
        from[i] = items[i].from_epoch;
        to[i] = items[i].to_epoch;
    }
    return rc;
}

int bnd_pair_members_hash(bnd_ctx *cx, uint64_t pair,
                          uint8_t out[BN_HASH_BYTES])
{
    bn_member_id ids[BN_MEMBERS_MAX];
    uint32_t from[BN_MEMBERS_MAX], to[BN_MEMBERS_MAX], n = 0, now = 0;
    int rc = bnd_pair_member_ids(cx, pair, ids, from, to, &n);

    if (rc != 0)
        return rc;
    for (uint32_t i = 0; i < n; i++) /* those who left are no members */
        if (to[i] == 0)
            ids[now++] = ids[i];
    rc = bn_members_hash(out, ids, now);
    return rc == BN_EINVAL ? BN_ECORRUPT : rc;
}

int bnd_pair_members(bnd_ctx *cx, uint64_t pair, bn_member_key *items,
                     uint32_t *n)
{
    struct member_list ml = {items, 0};
    int rc = bnd_scan_key(cx, bnd_key_members(pair, 0), 1, member_item, &ml);

    *n = ml.n;
    return rc < 0 ? rc : 0;
}

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
    /* an erased member's keys, kept for the members who remain (issue 15) */
    if (sodium_is_zero(a.sign_pk, sizeof a.sign_pk)) {
        rc =
            bnd_erased_keys(cx, m.pair_id, m.account_id, o->sign_pk, o->box_pk);
        if (rc != 0 && rc != BN_ENOTFOUND)
            return rc;
    }
    o->from_epoch = m.from_epoch;
    o->to_epoch = m.to_epoch;
    return 0;
}

struct wrap_list {
    bn_key_wrap *items;
    uint32_t n;
};

/* Every wrap of the pair, in key order (epoch, member id). */
static int wrap_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v, void *arg)
{
    struct wrap_list *wl = arg;
    bn_rec_wrap w;
    int rc;

    (void)k;
    if (wl->n == BN_WRAPS_MAX)
        return 1;
    rc = bnd_rec_decode(v, &bn_desc_rec_wrap, &w, &cx->arena);
    if (rc != 0)
        return rc;
    bnd_project_key_wrap(&w, &wl->items[wl->n++]);
    return 0;
}

struct accept_list {
    bn_accept_info *items;
    uint32_t n;
};

/* Every accept record of the pair, by account id. */
static int accept_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                       void *arg)
{
    struct accept_list *al = arg;
    bn_rec_accept a;
    int rc;

    (void)k;
    if (al->n == BN_MEMBERS_MAX)
        return BN_ECORRUPT;
    rc = bnd_rec_decode(v, &bn_desc_rec_accept, &a, &cx->arena);
    if (rc != 0)
        return rc;
    bnd_project_accept_info(&a, &al->items[al->n++]);
    return 0;
}

/* PAIR_GET: the pair, every member's public keys, every accept record,
 * every key wrap of the pair (all members, all epochs, at most
 * BN_WRAPS_MAX, by epoch then member) and the programme's charter. */
int bnd_h_pair_get(bnd_ctx *cx, const bn_msg *req)
{
    bn_pair_detail *d = &cx->rep->u.pair_detail;
    struct member_list ml = {NULL, 0};
    struct wrap_list wl = {NULL, 0};
    struct accept_list al = {NULL, 0};
    bn_rec_programme prog;
    bn_rec_pair p;
    int rc;

    rc = bnd_member_pair(cx, req->u.pair_get.pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    rc = bnd_get_programme(cx, p.programme_id, &prog);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    ml.items = bnd_ctx_alloc(cx, BN_MEMBERS_MAX * sizeof *ml.items);
    wl.items = bnd_ctx_alloc(cx, BN_WRAPS_MAX * sizeof *wl.items);
    al.items = bnd_ctx_alloc(cx, BN_MEMBERS_MAX * sizeof *al.items);
    if (ml.items == NULL || wl.items == NULL || al.items == NULL)
        return BN_ENOMEM;
    rc = bnd_pair_members(cx, p.id, ml.items, &ml.n);
    if (rc != 0)
        return rc;
    rc = bnd_scan_key(cx, bnd_key_wraps(p.id, 0, 0), 1, wrap_item, &wl);
    if (rc < 0)
        return rc;
    rc = bnd_scan_key(cx, bnd_key_accepts(p.id, 0), 1, accept_item, &al);
    if (rc < 0)
        return rc;
    /* every side key's wraps too (issue 14): sealed to their side */
    struct wrap_list sl = {bnd_ctx_alloc(cx, BN_WRAPS_MAX * sizeof *sl.items),
                           0};
    if (sl.items == NULL)
        return BN_ENOMEM;
    rc = bnd_scan_key(cx, bnd_key_side_wraps(p.id, 0, 0), 1, wrap_item, &sl);
    if (rc < 0)
        return rc;
    d->side_wraps.v = sl.items;
    d->side_wraps.len = sl.n;
    rc = bnd_pair_info(cx, &p, &d->pair);
    if (rc != 0)
        return rc;
    d->members.v = ml.items;
    d->members.len = ml.n;
    d->wraps.v = wl.items;
    d->wraps.len = wl.n;
    d->accepts.v = al.items;
    d->accepts.len = al.n;
    d->charter = prog.charter;
    memcpy(d->charter_hash, prog.charter_hash, sizeof d->charter_hash);
    d->log_seq = p.log_seq;
    memcpy(d->log_head, p.log_head, sizeof d->log_head);
    return 0;
}

/* PAIR_ACCEPT: a member's consent, a signature over the programme's
 * charter, and the hash of the pair's members as the member's client saw
 * them (bn_members_hash), which must be that of the member records here
 * (BN_ECONFLICT); the pair becomes active at the second one. Logged. Accepting
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
    uint8_t mh[BN_HASH_BYTES];
    int rc;

    rc = bnd_member_pair(cx, r->pair_id, &p, &me);
    if (rc != 0)
        return rc;
    /* The referents' acceptances make the pair active; a member a
     * referent added later accepts its charter as theirs (no bit). */
    uint8_t bit = me.account_id == p.mentor_id   ? BN_ACCEPTED_MENTOR
                  : me.account_id == p.mentee_id ? BN_ACCEPTED_MENTEE
                                                 : 0;
    if (p.status != BN_PAIR_PENDING && p.status != BN_PAIR_ACTIVE)
        return BN_EENDED;
    int done = bit != 0 ? (p.accepted & bit) != 0
                        : bnd_exists(cx->st, cx->txn,
                                     bnd_key_accepts(p.id, me.account_id));
    if (done < 0)
        return done;
    if (!done) {
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
        rc = bnd_pair_members_hash(cx, p.id, mh);
        if (rc != 0)
            return rc;
        if (memcmp(mh, r->members_hash, sizeof mh) != 0) {
            cx->errmsg = "the members hash is not that of the pair's members "
                         "as the server has them: read the pair again";
            return BN_ECONFLICT;
        }
        uint8_t old_status = p.status;
        p.accepted |= bit;
        if (p.accepted == (BN_ACCEPTED_MENTOR | BN_ACCEPTED_MENTEE)) {
            bn_rec_pair_dates pd;
            p.status = BN_PAIR_ACTIVE;
            rc = bnd_pair_dates(cx, p.id, &pd);
            if (rc != 0)
                return rc;
            /* The coordinator's start, when set, stays the start. */
            p.start_date = pd.start_date != 0 ? pd.start_date : r->date;
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
        memcpy(acc.members_hash, r->members_hash, sizeof acc.members_hash);
        acc.time = cx->now;
        rc = bnd_rec_put(cx->st, cx->txn, bnd_key_accepts(p.id, a.id), &acc, 0);
        if (rc != 0)
            return rc;
    }
    return bnd_pair_info(cx, &p, &cx->rep->u.pair.pair);
}

int bnd_pair_dates(bnd_ctx *cx, uint64_t id, bn_rec_pair_dates *d)
{
    int rc =
        bnd_rec_get(cx->st, cx->txn, bnd_key_pair_dates(id), d, &cx->arena);

    if (rc == BN_ENOTFOUND) {
        memset(d, 0, sizeof *d);
        d->pair_id = id;
        return 0;
    }
    if (rc == 0 && d->pair_id != id)
        return BN_ECORRUPT;
    return rc;
}

/* check_minimum refuses (BN_EDATE, saying until when) to end pair p
 * completed on date before its programme's minimum duration from its
 * start, unless override; *early says whether it is before. */
static int check_minimum(bnd_ctx *cx, const bn_rec_pair *p, uint32_t date,
                         int override, int *early)
{
    bn_rec_programme prog;
    bn_rec_prog_calendar cal;
    char a[11], b[11];
    int rc;

    *early = 0;
    rc = bnd_get_programme(cx, p->programme_id, &prog);
    if (rc == 0)
        rc = bnd_programme_calendar(cx, prog.id, &cal);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    uint32_t months = bnd_programme_min_months(&prog, &cal);
    uint32_t until = bn_date_add_months(p->start_date, months);
    if (p->start_date == 0 || date >= until)
        return 0;
    *early = 1;
    if (override)
        return 0;
    bn_date_format(a, p->start_date);
    bn_date_format(b, until);
    return bnd_errmsgf(cx, BN_EDATE,
                       "pair %" PRIu64 " started on %s; the programme's "
                       "minimum duration is %" PRIu32 " month%s (until %s): "
                       "end it completed before then only on purpose, "
                       "with --override (recorded)",
                       p->id, a, months, months == 1 ? "" : "s", b);
}

/* PAIR_END: either member ends the pairing at any time (the right to
 * withdraw); a pending pair can only be withdrawn from. Members keep
 * reading what was written. Completed before the programme's minimum
 * duration needs the request's override (signed in the entry's flags,
 * recorded in pair_dates). Logged. The same end again by the same member
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
    int early = 0;
    if (r->reason == BN_END_COMPLETED) {
        rc = check_minimum(cx, &p, r->date, r->override, &early);
        if (rc != 0)
            return rc;
    } else if (r->override) {
        cx->errmsg = "--override is for a pair ended completed before the "
                     "programme's minimum duration";
        return BN_EINVAL;
    }
    if (early) {
        bn_rec_pair_dates pd;
        rc = bnd_pair_dates(cx, p.id, &pd);
        if (rc != 0)
            return rc;
        pd.override_by = cx->actor.account_id;
        pd.override_at = cx->now;
        rc = bnd_rec_put(cx->st, cx->txn, bnd_key_pair_dates(p.id), &pd, 0);
        if (rc != 0)
            return rc;
    }
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
    return bnd_pair_info(cx, &p, &cx->rep->u.pair.pair);
}

int bnd_pair_ender(bnd_ctx *cx, const bn_rec_pair *p, uint8_t *ender)
{
    bn_rec_member m;
    int rc;

    *ender = 0;
    if (p->end_date == 0 && p->ended_by == 0)
        return 0;
    if (p->ended_by == p->mentor_id) {
        *ender = BN_ENDER_MENTOR;
        return 0;
    }
    if (p->ended_by == p->mentee_id) {
        *ender = BN_ENDER_MENTEE;
        return 0;
    }
    rc = bnd_rec_get(cx->st, cx->txn, bnd_key_members(p->id, p->ended_by), &m,
                     &cx->arena);
    if (rc == BN_ENOTFOUND) {
        *ender = BN_ENDER_COORDINATOR;
        return 0;
    }
    if (rc == 0)
        *ender = m.role == BN_ROLE_MENTOR ? BN_ENDER_MENTOR : BN_ENDER_MENTEE;
    return rc;
}

/* PAIR_STOP: the programme's coordinator (an administrator) ends a pending
 * or active pair, withdrawn or stalled, on a day from the pair's start to
 * tomorrow. The administrator is not a member: nothing goes in the pair's
 * signed log, and the members' clients show the end as the coordinator's
 * (ended_by is the administrator's account, no member's). The same stop
 * again (same administrator, reason and date) is a retry: a success that
 * changes nothing. */
int bnd_h_pair_stop(bnd_ctx *cx, const bn_msg *req)
{
    const bn_pair_stop *r = &req->u.pair_stop;
    bn_rec_pair p;
    int rc;

    rc = bnd_get_pair(cx, r->pair_id, &p);
    if (rc != 0)
        return rc;
    if (p.status == BN_PAIR_WITHDRAWN && p.ended_by == cx->actor.account_id &&
        p.end_reason == r->reason && p.end_date == r->date)
        goto reply;
    if (p.status != BN_PAIR_PENDING && p.status != BN_PAIR_ACTIVE)
        return BN_EENDED;
    if (r->reason != BN_END_WITHDRAWN && r->reason != BN_END_STALLED) {
        cx->errmsg = "the coordinator ends a pair as withdrawn or stalled; "
                     "its members end it as completed";
        return BN_EINVAL;
    }
    if (!bnd_date_ok(r->date) || r->date > cx->today + 1 ||
        (p.start_date != 0 && r->date < p.start_date))
        return BN_EDATE;
    uint8_t old_status = p.status;
    p.status = BN_PAIR_WITHDRAWN;
    p.end_reason = r->reason;
    p.end_date = r->date;
    p.ended_by = cx->actor.account_id;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_pairs(p.id), &p, 0);
    if (rc == 0)
        rc = bnd_stats_pair_status(cx->st, cx->txn, p.programme_id, old_status,
                                   p.status);
    if (rc != 0)
        return rc;
reply:
    return bnd_pair_info(cx, &p, &cx->rep->u.pair.pair);
}

struct first_session {
    uint32_t date; /* 0: none yet */
    uint64_t id;
};

static int first_session_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                              void *arg)
{
    struct first_session *f = arg;
    bn_rec_session s;
    (void)k;
    int rc = bnd_rec_decode(v, &bn_desc_rec_session, &s, &cx->arena);
    if (rc != 0)
        return rc;
    if (f->date == 0 || s.date < f->date) {
        f->date = s.date;
        f->id = s.id;
    }
    return 0;
}

/*
 * PAIR_START: the programme's coordinator (an administrator) sets the day
 * a pair started, often on paper before the software: a real day, not
 * after tomorrow (the server's day is UTC; tomorrow for time zones ahead
 * of it), within the programme's dates when set, not after the pair's end
 * nor after its first recorded session (any status: that session would
 * be dated before the start). The pair's record takes the day (statistics
 * and the session rule use it), pair_dates keeps who set it and when (an
 * acceptance afterwards keeps it). The server's word: no log entry, the
 * coordinator is not a member (SECURITY.md).
 */
int bnd_h_pair_start(bnd_ctx *cx, const bn_msg *req)
{
    const bn_pair_start *r = &req->u.pair_start;
    struct first_session f = {0, 0};
    bn_rec_prog_calendar cal;
    bn_rec_pair_dates pd;
    bn_rec_pair p;
    char a[11], b[11];
    int rc;

    rc = bnd_get_pair(cx, r->pair_id, &p);
    if (rc == 0 && p.status == BN_PAIR_ERASED)
        rc = BN_ENOTFOUND;
    if (rc == BN_ENOTFOUND)
        return bnd_errmsgf(cx, rc, "no pair %" PRIu64, r->pair_id);
    if (rc != 0)
        return rc;
    if (!bnd_date_ok(r->date))
        return BN_EDATE;
    if (r->date > cx->today + 1) {
        cx->errmsg = "a pair's start cannot be after today";
        return BN_EDATE;
    }
    rc = bnd_programme_calendar(cx, p.programme_id, &cal);
    if (rc != 0)
        return rc;
    if ((cal.start_date != 0 && r->date < cal.start_date) ||
        (cal.end_date != 0 && r->date > cal.end_date)) {
        bn_date_format(a, cal.start_date);
        bn_date_format(b, cal.end_date);
        return bnd_errmsgf(cx, BN_EDATE,
                           "the programme runs from %s to %s: a pair "
                           "starts within those dates",
                           cal.start_date ? a : "(no start)",
                           cal.end_date ? b : "(no end)");
    }
    if (p.end_date != 0 && r->date > p.end_date) {
        bn_date_format(a, p.end_date);
        return bnd_errmsgf(cx, BN_EDATE,
                           "pair %" PRIu64 " ended on %s: it cannot start "
                           "after it ended",
                           p.id, a);
    }
    rc = bnd_scan_key(cx, bnd_key_sessions(p.id, 0), 1, first_session_item, &f);
    if (rc < 0)
        return rc;
    if (f.date != 0 && r->date > f.date) {
        bn_date_format(a, f.date);
        return bnd_errmsgf(cx, BN_EDATE,
                           "pair %" PRIu64 " has a session on %s (session "
                           "%" PRIu64 "): a start after it would date that "
                           "session before the pair started; the start is "
                           "%s at the latest",
                           p.id, a, f.id, a);
    }
    rc = bnd_pair_dates(cx, p.id, &pd);
    if (rc != 0)
        return rc;
    pd.start_date = r->date;
    pd.start_set_by = cx->actor.account_id;
    pd.start_set_at = cx->now;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_pair_dates(p.id), &pd, 0);
    if (rc != 0)
        return rc;
    p.start_date = r->date;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_pairs(p.id), &p, 0);
    if (rc != 0)
        return rc;
    return bnd_pair_info(cx, &p, &cx->rep->u.pair.pair);
}
