/*
 * bnd_h_member.c: team pairings (issue 14; DESIGN.md, "Team pairings").
 *
 * A pair has two sides, its mentor side and its mentee side; the members
 * the coordinator paired (rec_pair's mentor_id and mentee_id) are their
 * sides' referents. A referent adds a member to their own side
 * (MEMBER_ADD) and removes one of their side who is not a referent
 * (MEMBER_REMOVE). Both are entries of the pair's signed log and both key
 * a new epoch in the same write: for every member who holds it, the new
 * one included, the one removed left out. The coordinator adds no one:
 * an administrator is no member and reaches no handler here.
 *
 * What the server enforces, the members' clients enforce again from the
 * signed log (client/lib/bnc_ledger.c): the server's word adds nobody.
 */
#include <inttypes.h>
#include <string.h>

#include "bnd_handlers.h"

/* side_referent: the referent of side (a role), or 0. */
static uint64_t side_referent(const bn_rec_pair *p, uint8_t side)
{
    return side == BN_ROLE_MENTOR   ? p->mentor_id
           : side == BN_ROLE_MENTEE ? p->mentee_id
                                    : 0;
}

/* side_count: how many current members side has in ms. */
static uint32_t side_count(const bnd_members *ms, uint8_t side)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < ms->n; i++)
        n += ms->to[i] == 0 && ms->m[i].role == side;
    return n;
}

/* find: index of account in ms, or ms->n. */
static uint32_t find(const bnd_members *ms, uint64_t account)
{
    uint32_t i = 0;
    while (i < ms->n && ms->m[i].account_id != account)
        i++;
    return i;
}

/*
 * check_history: w[0..n) give the new member every epoch before `epoch`,
 * one wrap each by increasing epoch, made by the caller (who holds all of
 * them: a referent, a member from the first epoch), each with the key id
 * the epoch was keyed with and a signature good for the new member's box
 * key.
 */
static int check_history(bnd_ctx *cx, const bn_rec_pair *p,
                         const bnd_members *ms, const bn_member_id *nm,
                         const bn_key_wrap *w, uint32_t n, uint32_t epoch)
{
    uint32_t me = find(ms, cx->actor.account_id);
    int rc;

    if (me == ms->n || ms->from[me] != 1) {
        cx->errmsg = "only a member who holds every earlier key can share "
                     "the pair's history";
        return BN_EDENIED;
    }
    if (n != epoch - 1)
        return BN_EINVAL;
    for (uint32_t i = 0; i < n; i++) {
        bn_rec_wrap mine;
        if (w[i].epoch != i + 1 || w[i].member_id != nm->account_id ||
            w[i].wrapper_id != cx->actor.account_id)
            return BN_EINVAL;
        rc = bnd_rec_get(cx->st, cx->txn,
                         bnd_key_wraps(p->id, w[i].epoch, cx->actor.account_id),
                         &mine, &cx->arena);
        if (rc != 0)
            return rc == BN_ENOTFOUND ? BN_EDENIED : rc;
        /* zeros: a wrap from before key ids (schema 3) */
        static const uint8_t zero[BN_HASH_BYTES];
        if (memcmp(mine.key_id, zero, sizeof zero) != 0 &&
            memcmp(mine.key_id, w[i].key_id, BN_HASH_BYTES) != 0)
            return BN_EINVAL;
        rc = bn_pairkey_wrap_verify(w[i].wrap, sizeof w[i].wrap, p->id,
                                    w[i].epoch, nm->account_id, nm->box_pk,
                                    cx->actor.account_id, ms->m[me].sign_pk);
        if (rc != 0)
            return rc == BN_ESIG ? BN_ESIG : BN_EINVAL;
    }
    return 0;
}

/* new_member: the account r adds, checked: of the pair's programme, on
 * the side r names, with the keys r signed, never a member of the pair,
 * free to join (a mentee has one pair at a time, a mentor the
 * programme's mentees-per-mentor), within the programme's side limit. */
static int new_member(bnd_ctx *cx, const bn_rec_pair *p, const bnd_members *ms,
                      const bn_member_add *r, bn_member_id *nm)
{
    bn_rec_prog_settings set;
    bn_rec_account a;
    uint32_t side_max;
    int rc;

    rc = bnd_get_account(cx, r->account_id, &a);
    if (rc == BN_ENOTFOUND ||
        (rc == 0 && (a.programme_id != p->programme_id || a.role != r->role)))
        return bnd_errmsgf(cx, BN_EINVAL,
                           "account %" PRIu64 " is no %s of this pair's "
                           "programme",
                           r->account_id,
                           r->role == BN_ROLE_MENTOR ? "mentor" : "mentee");
    if (rc != 0)
        return rc;
    rc = bnd_account_erased(cx, a.id, NULL);
    if (rc == 1) /* issue 15 */
        return bnd_errmsgf(cx, BN_EINVAL,
                           "account %" PRIu64 " was erased: it cannot be "
                           "added to a pair",
                           a.id);
    if (rc < 0)
        return rc;
    if (memcmp(a.sign_pk, r->sign_pk, 32) != 0 ||
        memcmp(a.box_pk, r->box_pk, 32) != 0) {
        cx->errmsg = "those are not the account's keys as the server has "
                     "them: compare its key code again";
        return BN_ECONFLICT;
    }
    if (find(ms, a.id) != ms->n)
        return bnd_errmsgf(cx, BN_EEXIST,
                           "account %" PRIu64 " is or was a member of pair "
                           "%" PRIu64 " (a member who left comes back only "
                           "in a new pair)",
                           a.id, p->id);
    if (ms->n == BN_MEMBERS_MAX)
        return bnd_errmsgf(cx, BN_ELIMIT,
                           "pair %" PRIu64 " has had %u members, the most "
                           "a pair can: form a new pair",
                           p->id, BN_MEMBERS_MAX);
    rc = bnd_programme_side_max(cx, p->programme_id, &side_max);
    if (rc != 0)
        return rc;
    if (side_count(ms, r->role) >= side_max)
        return bnd_errmsgf(
            cx, BN_ELIMIT,
            "this side of pair %" PRIu64 " has %" PRIu32
            " member%s, the most its programme allows; the "
            "coordinator can raise it ('binome admin "
            "programme set --programme %" PRIu64 " --side-max N')",
            p->id, side_max, side_max == 1 ? "" : "s", p->programme_id);
    rc = bnd_programme_settings(cx, p->programme_id, &set);
    if (rc == 0)
        rc = bnd_account_free(cx, a.id, p->programme_id,
                              r->role == BN_ROLE_MENTOR ? set.mentees_per_mentor
                                                        : 1,
                              r->role == BN_ROLE_MENTOR);
    if (rc != 0)
        return rc;
    nm->account_id = a.id;
    nm->role = a.role;
    memcpy(nm->sign_pk, a.sign_pk, 32);
    memcpy(nm->box_pk, a.box_pk, 32);
    return 0;
}

/* next_epoch: r_epoch must be the pair's epoch + 1 and the pair's epoch
 * keyed: BN_ECONFLICT otherwise (the caller read the pair before another
 * change), BN_ENOKEY for a pair nobody keyed yet. */
static int next_epoch(bnd_ctx *cx, const bn_rec_pair *p, uint32_t r_epoch)
{
    int rc = bnd_has_wraps(cx, p->id, p->epoch);
    if (rc < 0)
        return rc;
    if (rc == 0 || p->epoch == 0) {
        cx->errmsg = "the pair has no key yet: open it once first";
        return BN_ENOKEY;
    }
    if (r_epoch != p->epoch + 1) {
        cx->errmsg = "the pair's key epoch moved: read the pair again";
        return BN_ECONFLICT;
    }
    return 0;
}

/* open_change opens pair_id for a write that keys an epoch, by a member
 * who accepted: BND_LANDED when req's entry is in the log already (a
 * retry: the handler answers it as done). */
static int open_change(bnd_ctx *cx, uint64_t pair_id, const bn_msg *req,
                       bn_rec_pair *p, bn_rec_member *me)
{
    int rc = bnd_writable_pair(cx, pair_id, p, me);

    if (rc != 0)
        return rc;
    rc = bnd_pairlog_landed(cx, p, req);
    return rc < 0 || rc == BND_LANDED ? rc : 0;
}

/*
 * MEMBER_ADD: by the referent of the side (BN_EDENIED for anyone else), of
 * an account of the programme with that role (new_member), keying epoch
 * + 1 for every current member and the new one, and with history giving
 * the new one every earlier epoch (check_history). The new member holds
 * epochs from 1 (history) or from the new one, and writes once they
 * accepted the charter (bnd_writable_pair). An exact retry is a success.
 */
int bnd_h_member_add(bnd_ctx *cx, const bn_msg *req)
{
    const bn_member_add *r = &req->u.member_add;
    uint32_t nhist = 0;
    bn_member_id nm;
    bnd_members ms;
    bn_rec_pair p;
    int rc;

    rc = open_change(cx, r->pair_id, req, &p, NULL);
    if (rc == BND_LANDED)
        goto reply;
    if (rc != 0)
        return rc;
    if (side_referent(&p, r->role) != cx->actor.account_id) {
        cx->errmsg = "only the referent of a side adds members to it";
        return BN_EDENIED;
    }
    rc = next_epoch(cx, &p, r->epoch);
    if (rc == 0)
        rc = bnd_members_load(cx, p.id, &ms);
    if (rc == 0)
        rc = new_member(cx, &p, &ms, r, &nm);
    if (rc != 0)
        return rc;
    while (nhist < r->wraps.len && r->wraps.v[nhist].epoch < r->epoch)
        nhist++;
    if (r->history)
        rc = check_history(cx, &p, &ms, &nm, r->wraps.v, nhist, r->epoch);
    else if (nhist != 0)
        rc = BN_EINVAL;
    if (rc == 0)
        rc = bnd_wraps_check(cx, p.id, r->epoch, 0, &ms, 0, &nm,
                             r->wraps.v + nhist, r->wraps.len - nhist);
    if (rc == 0)
        rc = bnd_keying_commit(cx, &p, req, 0, r->epoch, r->wraps.v,
                               r->wraps.len);
    if (rc == BND_LANDED)
        goto reply;
    if (rc == 0)
        rc = bnd_member_put(cx, p.id, nm.account_id, nm.role,
                            r->history ? 1 : r->epoch);
    if (rc != 0)
        return rc;
reply:
    cx->rep->u.ok.value = r->epoch;
    return 0;
}

/*
 * MEMBER_REMOVE: by the referent of the member's side, of a current
 * member who is not a referent (a referent leaves by ending the pair),
 * keying epoch + 1 for those who stay. The member's record keeps the
 * epochs they held ([from, the new epoch)); they reach the pair no more
 * (bnd_member_pair) and it leaves their list. An exact retry is a
 * success.
 */
int bnd_h_member_remove(bnd_ctx *cx, const bn_msg *req)
{
    const bn_member_remove *r = &req->u.member_remove;
    bn_rec_member m;
    bnd_members ms;
    bn_rec_pair p;
    uint32_t i;
    int rc;

    rc = open_change(cx, r->pair_id, req, &p, NULL);
    if (rc == BND_LANDED)
        goto reply;
    if (rc != 0)
        return rc;
    rc = bnd_members_load(cx, p.id, &ms);
    if (rc != 0)
        return rc;
    i = find(&ms, r->account_id);
    if (i == ms.n || ms.to[i] != 0)
        return bnd_errmsgf(cx, BN_ENOTFOUND,
                           "account %" PRIu64 " is not a member of pair "
                           "%" PRIu64,
                           r->account_id, p.id);
    if (bnd_is_referent(&p, r->account_id)) {
        cx->errmsg = "a referent is not removed: the pair ends ('binome "
                     "pair end') and the coordinator forms a new one";
        return BN_EDENIED;
    }
    if (side_referent(&p, ms.m[i].role) != cx->actor.account_id) {
        cx->errmsg = "only the referent of a side removes its members";
        return BN_EDENIED;
    }
    rc = next_epoch(cx, &p, r->epoch);
    if (rc == 0)
        rc = bnd_wraps_check(cx, p.id, r->epoch, 0, &ms, r->account_id, NULL,
                             r->wraps.v, r->wraps.len);
    if (rc == 0)
        rc = bnd_keying_commit(cx, &p, req, 0, r->epoch, r->wraps.v,
                               r->wraps.len);
    if (rc == BND_LANDED)
        goto reply;
    if (rc == 0)
        rc = bnd_rec_get(cx->st, cx->txn, bnd_key_members(p.id, r->account_id),
                         &m, &cx->arena);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    m.to_epoch = r->epoch;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_members(p.id, r->account_id), &m,
                     0);
    if (rc == 0)
        rc = bnd_rec_del(cx->st, cx->txn,
                         bnd_key_account_pairs(r->account_id, p.id));
    if (rc != 0)
        return rc;
reply:
    cx->rep->u.ok.value = r->epoch;
    return 0;
}

/* side_keyed: 1 when side already has a side key of epoch (a wrap of it
 * for one of the side's members), 0 when not, or an error. */
static int side_keyed(bnd_ctx *cx, const bnd_members *ms, uint64_t pair,
                      uint32_t epoch, uint8_t side)
{
    for (uint32_t i = 0; i < ms->n; i++) {
        if (ms->m[i].role != side)
            continue;
        int rc =
            bnd_exists(cx->st, cx->txn,
                       bnd_key_side_wraps(pair, epoch, ms->m[i].account_id));
        if (rc != 0)
            return rc;
    }
    return 0;
}

int bnd_side_key_held(bnd_ctx *cx, uint64_t pair, uint32_t epoch)
{
    int rc = bnd_exists(cx->st, cx->txn,
                        bnd_key_side_wraps(pair, epoch, cx->actor.account_id));
    if (rc < 0)
        return rc;
    return rc == 1 ? 0 : BN_ENOKEY;
}

/*
 * SIDE_KEY_PUT: a member of a side (their role) keys the pair's current
 * epoch for that side, once: one wrap per current member of the side
 * (bnd_wraps_check under the side keys' domain). A second key for that
 * side and epoch is BN_ECONFLICT (the caller reads the winner's); an
 * exact retry is a success. Logged: item the side, sub the epoch.
 */
int bnd_h_side_key_put(bnd_ctx *cx, const bn_msg *req)
{
    const bn_side_key_put *r = &req->u.side_key_put;
    bn_rec_member me;
    bnd_members ms;
    bn_rec_pair p;
    int rc;

    rc = open_change(cx, r->pair_id, req, &p, &me);
    if (rc == BND_LANDED)
        goto reply;
    if (rc != 0)
        return rc;
    if (me.role != r->side) {
        cx->errmsg = "a side key is made by a member of that side";
        return BN_EDENIED;
    }
    if (r->epoch != p.epoch) {
        cx->errmsg = "a side key is of the pair's current key epoch: read "
                     "the pair again";
        return BN_ECONFLICT;
    }
    rc = bnd_members_load(cx, p.id, &ms);
    if (rc == 0)
        rc = side_keyed(cx, &ms, p.id, r->epoch, r->side);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return BN_ECONFLICT;
    rc = bnd_wraps_check(cx, p.id, r->epoch, r->side, &ms, 0, NULL, r->wraps.v,
                         r->wraps.len);
    if (rc == 0)
        rc = bnd_keying_commit(cx, &p, req, 1, r->epoch, r->wraps.v,
                               r->wraps.len);
    if (rc != 0 && rc != BND_LANDED)
        return rc;
reply:
    cx->rep->u.ok.value = r->epoch;
    return 0;
}

/*
 * ACCOUNT_GET: a participant (mentor or mentee) reads the public keys and
 * name of a participant of their own programme, to compare its key code
 * in person and add it to their side. Administrators and auditors are not
 * shown (BN_ENOTFOUND, as for an account of another programme).
 */
int bnd_h_account_get(bnd_ctx *cx, const bn_msg *req)
{
    bn_rec_account a;
    int rc = bnd_get_account(cx, req->u.account_get.account_id, &a);

    if (rc == 0 && (a.programme_id != cx->actor.programme_id ||
                    (a.role != BN_ROLE_MENTOR && a.role != BN_ROLE_MENTEE)))
        rc = BN_ENOTFOUND;
    if (rc != 0)
        return rc;
    bnd_project_account_info(&a, &cx->rep->u.account.account);
    rc = bnd_account_erased(cx, a.id, &cx->rep->u.account.account.erased);
    return rc < 0 ? rc : 0;
}
