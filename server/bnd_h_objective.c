/* bnd_h_objective.c: OBJECTIVE_ADD, OBJECTIVE_REACH, OBJECTIVE_EDIT,
 * OBJECTIVE_ABANDON, OBJECTIVE_REOPEN, OBJECTIVE_LIST. The text is an
 * envelope the server cannot open; status and dates are the plaintext the
 * programme counts. Ids are made by the client. Every write is logged and
 * signed by the member who made it. */
#include <string.h>

#include "bnd_deliver.h"
#include "bnd_handlers.h"
#include "bnd_quota.h"
#include "bnd_stats.h"

static int get_objective(bnd_ctx *cx, uint64_t pair, uint64_t id,
                         bn_rec_objective *o)
{
    if (id == 0)
        return BN_ENOTFOUND;
    return bnd_rec_get(cx->st, cx->txn, bnd_key_objectives(pair, id), o,
                       &cx->arena);
}

static int put_objective(bnd_ctx *cx, const bn_rec_objective *o)
{
    return bnd_rec_put(cx->st, cx->txn, bnd_key_objectives(o->pair_id, o->id),
                       o, 0);
}

static void ok(bnd_ctx *cx, uint64_t value)
{
    cx->rep->u.ok.value = value;
}

/* A date an objective is defined, reached or abandoned on: a day binome
 * knows, and not after today. The server's today is UTC; a member ahead
 * of UTC may be a day further, so one day more is allowed (the client
 * refuses any day after its own today). */
static int objective_date_ok(bnd_ctx *cx, uint32_t date)
{
    if (!bnd_date_ok(date))
        return BN_EDATE;
    if (date > cx->today + 1) {
        cx->errmsg = "an objective cannot be dated in the future (defined, "
                     "reached or abandoned after today)";
        return BN_EDATE;
    }
    return 0;
}

/* A target date (issue 14): 0 (none), or a day binome knows, which may
 * be in the future, and not before the day the objective is defined. */
static int target_date_ok(bnd_ctx *cx, uint32_t target, uint32_t defined)
{
    if (target == 0)
        return 0;
    if (!bnd_date_ok(target))
        return BN_EDATE;
    if (target < defined) {
        cx->errmsg = "an objective's target date cannot be before the day "
                     "it is defined";
        return BN_EDATE;
    }
    return 0;
}

/* OBJECTIVE_ADD: logged. A retry (same id, same author, same envelope)
 * is a success whose entry is not looked at; the same id with anything
 * else is BN_ECONFLICT. */
int bnd_h_objective_add(bnd_ctx *cx, const bn_msg *req)
{
    const bn_objective_add *r = &req->u.objective_add;
    bn_rec_objective o;
    bn_rec_member me;
    bn_rec_pair p;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, &me);
    if (rc != 0)
        return rc;
    if (r->objective_id == 0)
        return BN_EINVAL;
    rc = objective_date_ok(cx, r->date);
    if (rc == 0)
        rc = target_date_ok(cx, r->target_date, r->date);
    if (rc != 0)
        return rc;
    rc = bnd_envelope_ok(r->envelope, r->epoch);
    if (rc == 0)
        rc = bnd_holds_epoch(cx, &p, &me, r->epoch);
    if (rc != 0)
        return rc;
    rc = get_objective(cx, p.id, r->objective_id, &o);
    if (rc == 0) {
        if (o.author_id == cx->actor.account_id &&
            bnd_same_bin(o.envelope, r->envelope)) {
            ok(cx, o.id);
            return 0;
        }
        return BN_ECONFLICT;
    }
    if (rc != BN_ENOTFOUND)
        return rc;
    rc = bnd_pairlog_append(cx, &p, req, NULL);
    if (rc != 0) /* a landed add was caught above as a retry */
        return rc == BND_LANDED ? BN_ECONFLICT : rc;
    rc = bnd_quota_charge(cx, p.id, r->envelope.len);
    if (rc != 0)
        return rc;
    memset(&o, 0, sizeof o);
    o.id = r->objective_id;
    o.pair_id = p.id;
    o.author_id = cx->actor.account_id;
    o.epoch = r->epoch;
    o.envelope = r->envelope;
    o.status = BN_OBJECTIVE_DEFINED;
    o.defined_date = r->date;
    o.created = cx->now;
    rc = put_objective(cx, &o);
    if (rc == 0)
        rc = bnd_objective_target_set(cx, p.id, o.id, r->target_date);
    if (rc == 0)
        rc = bnd_stats_objective_defined(cx->st, cx->txn, p.id, p.programme_id);
    if (rc != 0)
        return rc;
    ok(cx, o.id);
    return 0;
}

/*
 * close_objective: an open objective of pair_id becomes reached or
 * abandoned (to) on date, by either member, logged (req is the request
 * that carries the entry). The same close again is a success that keeps
 * the first date and appends nothing; the other close needs a reopen
 * first (BN_ECONFLICT). The date goes in reached_date for both.
 */
static int close_objective(bnd_ctx *cx, const bn_msg *req, uint64_t pair_id,
                           uint64_t objective_id, uint32_t date, uint8_t to)
{
    bn_rec_objective o;
    bn_rec_pair p;
    int rc;

    rc = bnd_writable_pair(cx, pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    rc = get_objective(cx, p.id, objective_id, &o);
    if (rc != 0)
        return rc;
    if (o.status == to) {
        ok(cx, o.id);
        return 0;
    }
    if (o.status != BN_OBJECTIVE_DEFINED) {
        cx->errmsg = o.status == BN_OBJECTIVE_ABANDONED
                         ? "this objective was abandoned: reopen it first"
                         : "this objective was reached: reopen it first";
        return BN_ECONFLICT;
    }
    rc = objective_date_ok(cx, date);
    if (rc != 0)
        return rc;
    if (date < o.defined_date)
        return BN_EDATE;
    rc = bnd_pairlog_append(cx, &p, req, NULL);
    /* landed: it was closed, then reopened since */
    if (rc != 0)
        return rc == BND_LANDED ? BN_ECONFLICT : rc;
    o.status = to;
    o.reached_date = date;
    o.reached_by = cx->actor.account_id;
    rc = put_objective(cx, &o);
    if (rc == 0)
        rc = bnd_stats_objective(cx->st, cx->txn, p.id, p.programme_id,
                                 BN_OBJECTIVE_DEFINED, to);
    if (rc != 0)
        return rc;
    ok(cx, o.id);
    return 0;
}

/* OBJECTIVE_REACH: either member marks an open objective reached. */
int bnd_h_objective_reach(bnd_ctx *cx, const bn_msg *req)
{
    const bn_objective_reach *r = &req->u.objective_reach;
    return close_objective(cx, req, r->pair_id, r->objective_id, r->date,
                           BN_OBJECTIVE_REACHED);
}

/*
 * OBJECTIVE_EDIT: a new text (and defined date) for an objective, by its
 * author only: an objective has one text and one author, and a member
 * never rewrites the other's words (notes make a revision by the editor;
 * an objective keeps no revisions, so the partner is refused). The status
 * stays. Sending what is stored already (a retry) is a success that
 * appends nothing.
 */
int bnd_h_objective_edit(bnd_ctx *cx, const bn_msg *req)
{
    const bn_objective_edit *r = &req->u.objective_edit;
    bn_rec_objective o;
    bn_rec_member me;
    bn_rec_pair p;
    uint32_t target;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, &me);
    if (rc != 0)
        return rc;
    rc = get_objective(cx, p.id, r->objective_id, &o);
    if (rc == 0)
        rc = bnd_objective_target(cx, p.id, o.id, &target);
    if (rc != 0)
        return rc;
    if (o.author_id != cx->actor.account_id) {
        cx->errmsg = "only the member who wrote an objective can edit it; "
                     "your partner can abandon it or add another";
        return BN_EDENIED;
    }
    rc = objective_date_ok(cx, r->date);
    if (rc == 0)
        rc = target_date_ok(cx, r->target_date, r->date);
    if (rc != 0)
        return rc;
    if (o.reached_date != 0 && r->date > o.reached_date) {
        cx->errmsg = "an objective cannot be defined after the day it was "
                     "reached or abandoned";
        return BN_EDATE;
    }
    rc = bnd_envelope_ok(r->envelope, r->epoch);
    if (rc == 0)
        rc = bnd_holds_epoch(cx, &p, &me, r->epoch);
    if (rc != 0)
        return rc;
    if (o.epoch == r->epoch && o.defined_date == r->date &&
        target == r->target_date && bnd_same_bin(o.envelope, r->envelope)) {
        ok(cx, o.id);
        return 0;
    }
    rc = bnd_pairlog_append(cx, &p, req, NULL);
    if (rc != 0) /* landed: edited again since */
        return rc == BND_LANDED ? BN_ECONFLICT : rc;
    rc = bnd_quota_charge(cx, p.id, r->envelope.len);
    if (rc != 0)
        return rc;
    o.epoch = r->epoch;
    o.envelope = r->envelope;
    o.defined_date = r->date;
    rc = put_objective(cx, &o);
    if (rc == 0)
        rc = bnd_objective_target_set(cx, p.id, o.id, r->target_date);
    if (rc != 0)
        return rc;
    ok(cx, o.id);
    return 0;
}

/* OBJECTIVE_ABANDON: either member gives an open objective up. */
int bnd_h_objective_abandon(bnd_ctx *cx, const bn_msg *req)
{
    const bn_objective_abandon *r = &req->u.objective_abandon;
    return close_objective(cx, req, r->pair_id, r->objective_id, r->date,
                           BN_OBJECTIVE_ABANDONED);
}

/* OBJECTIVE_REOPEN: a reached or abandoned objective is open again
 * (either member, logged); its closing date goes. An open one: a success
 * that appends nothing. */
int bnd_h_objective_reopen(bnd_ctx *cx, const bn_msg *req)
{
    const bn_objective_reopen *r = &req->u.objective_reopen;
    bn_rec_objective o;
    bn_rec_pair p;
    uint8_t before;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    rc = get_objective(cx, p.id, r->objective_id, &o);
    if (rc != 0)
        return rc;
    if (o.status == BN_OBJECTIVE_DEFINED) {
        ok(cx, o.id);
        return 0;
    }
    rc = bnd_pairlog_append(cx, &p, req, NULL);
    if (rc != 0)
        return rc == BND_LANDED ? BN_ECONFLICT : rc;
    before = o.status;
    o.status = BN_OBJECTIVE_DEFINED;
    o.reached_date = 0;
    o.reached_by = 0;
    rc = put_objective(cx, &o);
    if (rc == 0)
        rc = bnd_stats_objective(cx->st, cx->txn, p.id, p.programme_id, before,
                                 BN_OBJECTIVE_DEFINED);
    if (rc != 0)
        return rc;
    ok(cx, o.id);
    return 0;
}

/* Objectives carry envelopes of up to 4 KiB: the page is bounded by bytes
 * as well as by count. */
static int objective_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                          void *arg)
{
    bn_rec_objective o;
    (void)k;
    int rc = bnd_rec_decode(v, &bn_desc_rec_objective, &o, &cx->arena);
    if (rc != 0)
        return rc;
    bn_objective_info *i = bnd_list_take(arg, BND_ITEM_FIXED + o.envelope.len);
    if (i == NULL)
        return 1;
    bnd_project_objective_info(&o, i);
    return bnd_objective_target(cx, o.pair_id, o.id, &i->target_date);
}

/* OBJECTIVE_LIST: the pair's objectives by id, after `after`. */
int bnd_h_objective_list(bnd_ctx *cx, const bn_msg *req)
{
    const bn_objective_list *r = &req->u.objective_list;
    bnd_list l = {NULL, sizeof(bn_objective_info), {0, BND_PAGE, 0}, NULL};
    int rc;

    rc = bnd_list_pair(cx, &l, r->pair_id, r->after,
                       bnd_key_objectives(r->pair_id, r->after + 1),
                       objective_item);
    if (rc < 0)
        return rc;
    BND_LIST_REPLY(cx->rep->u.objectives, l, rc);
    return 0;
}
