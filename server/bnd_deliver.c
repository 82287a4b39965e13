/* bnd_deliver.c: the deliverables' clear facts (bnd_deliver.h): target
 * dates, self-diagnosis marks, follow-up flags and their counts. */
#include "bnd_deliver.h"

#include <string.h>

#include "bnd_stats.h"

int bnd_objective_target(bnd_ctx *cx, uint64_t pair, uint64_t id,
                         uint32_t *target)
{
    bn_rec_obj_target t;
    int rc = bnd_rec_get(cx->st, cx->txn, bnd_key_obj_targets(pair, id), &t,
                         &cx->arena);

    *target = 0;
    if (rc == BN_ENOTFOUND)
        return 0;
    if (rc == 0 && (t.pair_id != pair || t.objective_id != id))
        return BN_ECORRUPT;
    if (rc == 0)
        *target = t.target_date;
    return rc;
}

int bnd_objective_target_set(bnd_ctx *cx, uint64_t pair, uint64_t id,
                             uint32_t target)
{
    bnd_key k = bnd_key_obj_targets(pair, id);
    bn_rec_obj_target t;
    int rc;

    if (target == 0) {
        rc = bnd_rec_del(cx->st, cx->txn, k);
        return rc == BN_ENOTFOUND ? 0 : rc;
    }
    memset(&t, 0, sizeof t);
    t.pair_id = pair;
    t.objective_id = id;
    t.target_date = target;
    return bnd_rec_put(cx->st, cx->txn, k, &t, 0);
}

int bnd_doc_mark(bnd_ctx *cx, uint64_t pair, uint64_t doc, uint8_t *kind,
                 uint32_t *date)
{
    bn_rec_doc_mark m;
    int rc = bnd_rec_get(cx->st, cx->txn, bnd_key_doc_marks(pair, doc), &m,
                         &cx->arena);

    *kind = BN_DOC_PLAIN;
    *date = 0;
    if (rc == BN_ENOTFOUND)
        return 0;
    if (rc == 0 && (m.pair_id != pair || m.doc_id != doc))
        return BN_ECORRUPT;
    if (rc == 0) {
        *kind = m.kind;
        *date = m.date;
    }
    return rc;
}

int bnd_doc_mark_del(bnd_ctx *cx, uint64_t pair, uint64_t doc)
{
    int rc = bnd_rec_del(cx->st, cx->txn, bnd_key_doc_marks(pair, doc));
    return rc == BN_ENOTFOUND ? 0 : rc;
}

int bnd_doc_mark_set(bnd_ctx *cx, uint64_t pair, uint64_t doc, uint8_t kind,
                     uint32_t date)
{
    bn_rec_doc_mark m;

    if (kind == BN_DOC_PLAIN)
        return bnd_doc_mark_del(cx, pair, doc);
    memset(&m, 0, sizeof m);
    m.pair_id = pair;
    m.doc_id = doc;
    m.kind = kind;
    m.date = date;
    return bnd_rec_put(cx->st, cx->txn, bnd_key_doc_marks(pair, doc), &m, 0);
}

int bnd_follow_ups(bnd_ctx *cx, uint64_t programme, uint64_t pair,
                   uint32_t *held, uint32_t *planned)
{
    bn_rec_follow_counts c;
    int rc =
        bnd_rec_get(cx->st, cx->txn, bnd_key_follow_counts(programme, pair), &c,
                    &cx->arena);

    *held = rc == 0 ? c.held : 0;
    *planned = rc == 0 ? c.planned : 0;
    return rc == BN_ENOTFOUND ? 0 : rc;
}

/* Adds one to the follow-ups held (or planned) under programme || pair. */
static int count_one(bnd_ctx *cx, uint64_t programme, uint64_t pair, int held)
{
    bn_rec_follow_counts c;
    uint32_t *n;
    int rc;

    memset(&c, 0, sizeof c);
    c.programme_id = programme;
    c.pair_id = pair;
    rc = bnd_follow_ups(cx, programme, pair, &c.held, &c.planned);
    if (rc != 0)
        return rc;
    n = held ? &c.held : &c.planned;
    if (*n == UINT32_MAX)
        return BN_ECORRUPT;
    (*n)++;
    return bnd_rec_put(cx->st, cx->txn, bnd_key_follow_counts(programme, pair),
                       &c, 0);
}

int bnd_follow_up_add(bnd_ctx *cx, uint64_t pair, uint64_t programme,
                      uint64_t id, const bnd_session_fact *fact)
{
    bn_rec_follow_up f;
    int held = bnd_stats_held(fact);
    int rc;

    memset(&f, 0, sizeof f);
    f.pair_id = pair;
    f.session_id = id;
    f.follow_up = 1;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_session_follow(pair, id), &f,
                     MDB_NOOVERWRITE);
    if (rc != 0 || (!held && fact->status != BN_SESSION_PLANNED))
        return rc; /* cancelled, or held with both absent: not counted */
    rc = count_one(cx, programme, pair, held);
    if (rc == 0)
        rc = count_one(cx, programme, 0, held);
    return rc;
}

/* One target row of a pair: its objective's status against the date. */
static int target_row(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                      void *arg)
{
    bnd_deliver *out = arg;
    bn_rec_obj_target t;
    bn_rec_objective o;
    int rc;

    (void)k;
    rc = bnd_rec_decode(v, &bn_desc_rec_obj_target, &t, &cx->arena);
    if (rc != 0)
        return rc;
    rc = bnd_rec_get(cx->st, cx->txn,
                     bnd_key_objectives(t.pair_id, t.objective_id), &o,
                     &cx->arena);
    if (rc == BN_ENOTFOUND)
        return BN_ECORRUPT; /* a target of no objective */
    if (rc != 0)
        return rc;
    if (t.target_date == 0)
        return 0;
    if (o.status == BN_OBJECTIVE_DEFINED && t.target_date < cx->today)
        out->overdue++;
    else if (o.status == BN_OBJECTIVE_REACHED &&
             o.reached_date <= t.target_date)
        out->on_time++;
    return 0;
}

/* One mark row of a pair: the latest self-diagnosis. */
static int mark_row(bnd_ctx *cx, const MDB_val *k, const MDB_val *v, void *arg)
{
    bnd_deliver *out = arg;
    bn_rec_doc_mark m;
    int rc;

    (void)k;
    rc = bnd_rec_decode(v, &bn_desc_rec_doc_mark, &m, &cx->arena);
    if (rc != 0)
        return rc;
    if (m.kind == BN_DOC_DIAGNOSIS && m.date > out->diagnosis_date)
        out->diagnosis_date = m.date;
    return 0;
}

int bnd_pair_deliver(bnd_ctx *cx, uint64_t pair, bnd_deliver *out)
{
    int rc;

    memset(out, 0, sizeof *out);
    rc = bnd_scan_key(cx, bnd_key_obj_targets(pair, 0), 1, target_row, out);
    if (rc == 0)
        rc = bnd_scan_key(cx, bnd_key_doc_marks(pair, 0), 1, mark_row, out);
    return rc;
}
