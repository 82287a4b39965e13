/* bnd_h_account.c: ACCOUNT_ERASE, leaving for good (issue 15; DESIGN.md,
 * "Erasing an account"; SECURITY.md, "Erasing an account").
 *
 * An account is erased by itself (`binome account erase`) or, on the
 * person's request, by an administrator (`binome admin account erase`),
 * never while it is a current member of a pending or active pair. In
 * one write transaction:
 *
 * - its record keeps its id, role, programme and creation time (what the
 *   programme's counts are made of), its name emptied and its public keys
 *   zeroed, so that it never logs in again and is no one's any more; the
 *   `erased` database says when, and who asked;
 * - each of its pairs where another current member remains keeps what the
 *   person wrote there, readable by that member, and the person's public
 *   keys for that pair only (`erased_keys`), which that member's client
 *   needs to check the signatures of the pair's log and of what the
 *   person wrote; the wraps addressed to the person stay too (the signed
 *   KEY_PUT entries cover them: without them the other member's client
 *   could not check its pair's keys), sealed to a key that the person's
 *   client deleted;
 * - each pair where no member remains (every member erased) loses every
 *   ciphertext, wrap and log entry (bnd_pair_shred), as an erased pair
 *   does: nobody can open them any more, and now nobody holds them;
 * - which questionnaire it answered (`answered`) goes.
 *
 * Every value deleted or rewritten is zeroed first, and the writer
 * scrubs the freed pages and the live pages' unused space after the
 * commit (bnd_store_want_scrub, bnd_store_scrub).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bnd_handlers.h"

/* ---- the account's pairs ----------------------------------------------- */

#define ERASE_PAIRS_MAX 4096u /* pairs one account may have had */

typedef struct erase_pairs {
    uint64_t account;
    uint64_t *ids;
    uint32_t n, cap;
} erase_pairs;

/* Takes the pair of each member record of the account (ep->account):
 * the whole members database is walked, since a member who left a team
 * pairing has no account_pairs row any more (MEMBER_REMOVE drops it) and
 * the members who remain still need that member's keys. */
static int take_pair(bnd_ctx *cx, const MDB_val *key, const MDB_val *val,
                     void *arg)
{
    erase_pairs *ep = arg;
    bnd_keyp_members kp;

    (void)cx;
    (void)val;
    if (bnd_key_parse_members(key, &kp) != 0)
        return BN_ECORRUPT;
    if (kp.account_id != ep->account)
        return 0;
    if (ep->n == ep->cap) {
        uint32_t cap = ep->cap ? 2 * ep->cap : 16;
        if (cap > ERASE_PAIRS_MAX) /* more than any person has had */
            return BN_ELIMIT;
        uint64_t *ids = realloc(ep->ids, cap * sizeof *ids);
        if (ids == NULL)
            return BN_ENOMEM;
        ep->ids = ids;
        ep->cap = cap;
    }
    ep->ids[ep->n++] = kp.pair_id;
    return 0;
}

/* Refuses while pair p is pending or active and account is one of its
 * members (a member who left a team pairing is not), naming the pair and
 * what ends it. */
static int pair_busy(bnd_ctx *cx, const bn_rec_pair *p, uint64_t account,
                     int self)
{
    bn_rec_member m;
    int rc;

    if (p->status != BN_PAIR_PENDING && p->status != BN_PAIR_ACTIVE)
        return 0;
    rc = bnd_rec_get(cx->st, cx->txn, bnd_key_members(p->id, account), &m,
                     &cx->arena);
    if (rc == BN_ENOTFOUND)
        rc = BN_ECORRUPT; /* the index names a pair it is not a member of */
    if (rc != 0)
        return rc;
    if (m.to_epoch != 0)
        return 0;
    if (self)
        return bnd_errmsgf(
            cx, BN_EINVAL,
            "you are a member of pair %" PRIu64 ", which is %s: end it "
            "first ('binome pair end %" PRIu64 " --reason completed|"
            "withdrawn'), then erase your account; nothing was erased",
            p->id, p->status == BN_PAIR_PENDING ? "pending" : "active", p->id);
    return bnd_errmsgf(
        cx, BN_EINVAL,
        "the account is a member of pair %" PRIu64
        ", which is %s: the pair ends first ('binome admin "
        "end --pair %" PRIu64 " --reason withdrawn'); "
        "nothing was erased",
        p->id, p->status == BN_PAIR_PENDING ? "pending" : "active", p->id);
}

typedef struct others {
    uint64_t account;
    int remain; /* another current member whose account is not erased */
} others;

static int other_member(bnd_ctx *cx, const MDB_val *key, const MDB_val *val,
                        void *arg)
{
    others *o = arg;
    bnd_keyp_members kp;
    bn_rec_member m;
    int rc;

    if (bnd_key_parse_members(key, &kp) != 0)
        return BN_ECORRUPT;
    if (kp.account_id == o->account)
        return 0;
    rc = bnd_rec_decode(val, &bn_desc_rec_member, &m, &cx->arena);
    if (rc != 0)
        return rc;
    if (m.to_epoch != 0) /* left: the server serves them nothing of it */
        return 0;
    rc = bnd_account_erased(cx, kp.account_id, NULL);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        o->remain = 1;
        return 1;
    }
    return 0;
}

/* Settles pair p for the account a being erased: keeps its keys for the
 * members who remain (*kept), or shreds the pair's content when none
 * does (*shredded). */
static int settle_pair(bnd_ctx *cx, bn_rec_pair *p, const bn_rec_account *a,
                       uint32_t *kept, uint32_t *shredded)
{
    others o = {a->id, 0};
    int rc;

    /* which questionnaire it answered: nothing counts on it any more */
    rc = bnd_rec_del(cx->st, cx->txn, bnd_key_answered(p->id, a->id));
    if (rc != 0 && rc != BN_ENOTFOUND)
        return rc;
    if (p->status == BN_PAIR_ERASED)
        return 0; /* its content went with it */
    rc = bnd_scan_key(cx, bnd_key_members(p->id, 0), 1, other_member, &o);
    if (rc < 0)
        return rc;
    if (o.remain) {
        bn_rec_erased_key k = {.pair_id = p->id, .account_id = a->id};
        memcpy(k.sign_pk, a->sign_pk, 32);
        memcpy(k.box_pk, a->box_pk, 32);
        (*kept)++;
        return bnd_rec_put(cx->st, cx->txn, bnd_key_erased_keys(p->id, a->id),
                           &k, 0);
    }
    (*shredded)++;
    return bnd_pair_shred(cx, p);
}

/* ---- the handler -------------------------------------------------------- */

/* Who may erase account a (self: the caller's own): an administrator
 * erases a participant or an auditor, never an administrator; nobody
 * erases an administrator's account (it signs programmes' charters that
 * every pair checks). */
static int may_erase(bnd_ctx *cx, const bn_account_erase *r,
                     const bn_rec_account *a, int self)
{
    if (a->role == BN_ROLE_ADMIN) {
        cx->errmsg =
            self ? "an administrator's account is not erased: the "
                   "programmes' charters it signed are checked against its "
                   "key by every pair (ask the operator)"
                 : "an administrator's account is not erased, not by "
                   "another administrator either";
        return BN_EDENIED;
    }
    if (!self && r->programme_id != a->programme_id)
        return bnd_errmsgf(cx, BN_ENOTFOUND,
                           "account %" PRIu64 " is not in programme %" PRIu64
                           "; nothing was erased",
                           a->id, r->programme_id);
    return 0;
}

/*
 * ACCOUNT_ERASE: account_id 0 (or the caller's own id from a participant)
 * erases the caller's account; an administrator names a participant's or
 * an auditor's, never their own (BN_EINVAL: 'binome account erase' is the
 * way, and an administrator's account is not erased). Erasing an erased
 * account again is a success that changes nothing (a retry). The answer
 * is ACCOUNT_ERASED.
 */
int bnd_h_account_erase(bnd_ctx *cx, const bn_msg *req)
{
    const bn_account_erase *r = &req->u.account_erase;
    bn_account_erased *o = &cx->rep->u.account_erased;
    int admin = cx->actor.role == BN_ROLE_ADMIN;
    int self =
        r->account_id == 0 || (!admin && r->account_id == cx->actor.account_id);
    uint64_t id = self ? cx->actor.account_id : r->account_id;
    erase_pairs ep = {id, NULL, 0, 0};
    bn_rec_account a;
    int64_t when;
    int rc;

    if (!self && !admin) {
        cx->errmsg = "only an administrator erases another person's "
                     "account; nothing was erased";
        return BN_EDENIED;
    }
    if (!self && id == cx->actor.account_id) {
        cx->errmsg = "an administrator does not erase their own account "
                     "this way; nothing was erased";
        return BN_EINVAL;
    }
    rc = bnd_get_account(cx, id, &a);
    if (rc == BN_ENOTFOUND)
        return bnd_errmsgf(cx, rc, "no account %" PRIu64, id);
    if (rc == 0)
        rc = may_erase(cx, r, &a, self);
    if (rc != 0)
        return rc;
    rc = bnd_account_erased(cx, id, &when);
    if (rc < 0)
        return rc;
    o->account_id = id;
    if (rc == 1) { /* erased already: a retry */
        o->erased = when;
        return 0;
    }
    rc = bnd_scan_key(cx, bnd_key_members(0, 0), 0, take_pair, &ep);
    if (rc < 0)
        goto cleanup;
    /* every pair is checked before anything is changed */
    for (uint32_t i = 0; i < ep.n; i++) {
        bn_rec_pair p;
        rc = bnd_get_pair(cx, ep.ids[i], &p);
        if (rc == BN_ENOTFOUND)
            rc = BN_ECORRUPT;
        if (rc == 0)
            rc = pair_busy(cx, &p, id, self);
        if (rc != 0)
            goto cleanup;
    }
    for (uint32_t i = 0; i < ep.n; i++) {
        bn_rec_pair p;
        rc = bnd_get_pair(cx, ep.ids[i], &p);
        if (rc == 0)
            rc = settle_pair(cx, &p, &a, &o->pairs_kept, &o->pairs_shredded);
        if (rc != 0)
            goto cleanup;
    }
    /* its devices' login keys and the identity sealed under its recovery
     * code go too, zeroed first */
    rc = bnd_del_prefix(cx->st, cx->txn,
                        bnd_key_prefix(bnd_key_devices(id, 0), 1), 1, 0, NULL);
    if (rc == 0) {
        rc = bnd_shred(cx->st, cx->txn, bnd_key_recovery(id));
        if (rc == 0)
            rc = bnd_rec_del(cx->st, cx->txn, bnd_key_recovery(id));
        if (rc == BN_ENOTFOUND)
            rc = 0;
    }
    if (rc != 0)
        goto cleanup;
    /* the record itself: same fields, nothing of the person */
    a.name.ptr = "";
    a.name.len = 0;
    memset(a.sign_pk, 0, sizeof a.sign_pk);
    memset(a.box_pk, 0, sizeof a.box_pk);
    rc = bnd_shred(cx->st, cx->txn, bnd_key_accounts(id));
    if (rc == 0)
        rc = bnd_rec_put(cx->st, cx->txn, bnd_key_accounts(id), &a, 0);
    if (rc == 0) {
        bn_rec_erased e = {.account_id = id,
                           .erased_at = cx->now,
                           .erased_by = cx->actor.account_id};
        rc = bnd_rec_put(cx->st, cx->txn, bnd_key_erased(id), &e,
                         MDB_NOOVERWRITE);
    }
    if (rc == 0) {
        o->erased = cx->now;
        bnd_store_want_scrub(cx->st);
    }
cleanup:
    free(ep.ids);
    return rc;
}
