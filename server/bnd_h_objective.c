/* bnd_h_objective.c: OBJECTIVE_ADD, OBJECTIVE_REACH, OBJECTIVE_LIST. The
 * text is an envelope the server cannot open; status and dates are the
 * plaintext the programme counts. Ids are made by the client. */
#include <string.h>

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
    if (!bnd_date_ok(r->date))
        return BN_EDATE;
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
        rc = bnd_stats_objective_defined(cx->st, cx->txn, p.id, p.programme_id);
    if (rc != 0)
        return rc;
    ok(cx, o.id);
    return 0;
}

/* OBJECTIVE_REACH: either member marks it reached (logged); again is a
 * success that keeps the first date and appends nothing. */
int bnd_h_objective_reach(bnd_ctx *cx, const bn_msg *req)
{
    const bn_objective_reach *r = &req->u.objective_reach;
    bn_rec_objective o;
    bn_rec_pair p;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    rc = get_objective(cx, p.id, r->objective_id, &o);
    if (rc != 0)
        return rc;
    if (o.status == BN_OBJECTIVE_REACHED) {
        ok(cx, o.id);
        return 0;
    }
    if (!bnd_date_ok(r->date) || r->date < o.defined_date)
        return BN_EDATE;
    rc = bnd_pairlog_append(cx, &p, req, NULL);
    if (rc != 0) /* landed: it would be reached already */
        return rc == BND_LANDED ? BN_ECONFLICT : rc;
    o.status = BN_OBJECTIVE_REACHED;
    o.reached_date = r->date;
    o.reached_by = cx->actor.account_id;
    rc = put_objective(cx, &o);
    if (rc == 0)
        rc = bnd_stats_objective_reached(cx->st, cx->txn, p.id, p.programme_id);
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
    return 0;
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
