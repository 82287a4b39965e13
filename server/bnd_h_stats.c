/* bnd_h_stats.c: STATS_GET, STATS_PAIRS_GET and STATS_MEMBERS_GET, a
 * programme's statistics
 * for administrators (the table admits no other role). Both only read:
 * the counters the writes keep (bnd_stats.h), the pair records and the
 * members' names. Nothing here scans objectives; a pair's row walks that
 * pair's sessions to find the mode of its first held one, and a pair's
 * member rows walk them to count each member's absences. */
#include <string.h>

#include "bnd_deliver.h"
#include "bnd_handlers.h"
#include "bnd_stats.h"

/* One pair of the programme, for STATS_GET's deliverables totals. */
static int deliver_total(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                         void *arg)
{
    bn_stats *o = arg;
    bnd_keyp_pair_stats kp;
    bnd_deliver d;
    int rc;

    (void)v;
    if (bnd_key_parse_pair_stats(k, &kp) != 0)
        return BN_ECORRUPT;
    rc = bnd_pair_deliver(cx, kp.pair_id, &d);
    if (rc != 0)
        return rc;
    o->objectives_overdue += d.overdue;
    o->objectives_on_time += d.on_time;
    o->pairs_with_diagnosis += d.diagnosis_date != 0;
    return 0;
}

/* STATS_GET: the programme, the server's day, every counter, and the
 * sessions per month (the most recent BN_PAGE_MAX months when there are
 * more). BN_ENOTFOUND for an unknown programme. */
int bnd_h_stats_get(bnd_ctx *cx, const bn_msg *req)
{
    bn_stats *o = &cx->rep->u.stats;
    bn_rec_programme prog;
    bn_rec_prog_stats ps;
    int rc;

    rc = bnd_get_programme(cx, req->u.stats_get.programme_id, &prog);
    if (rc != 0)
        return rc;
    rc = bnd_stats_prog_get(cx->st, cx->txn, prog.id, &ps, &cx->arena);
    if (rc != 0)
        return rc;
    bnd_project_stats(&ps, o); /* the counters */
    rc = bnd_stats_objective_counts_get(cx->st, cx->txn, prog.id, 0,
                                        &o->objectives_abandoned);
    if (rc != 0)
        return rc;
    rc = bnd_programme_info(cx, &prog, &o->programme);
    if (rc == 0) /* the deliverables (issue 14): pair by pair */
        rc = bnd_scan_key(cx, bnd_key_pair_stats(prog.id, 0), 1, deliver_total,
                          o);
    if (rc == 0)
        rc = bnd_follow_ups(cx, prog.id, 0, &o->follow_ups_held,
                            &o->follow_ups_planned);
    if (rc != 0)
        return rc;
    o->today = cx->today;
    /* The list is sorted by month: keep its tail. */
    uint32_t skip =
        ps.months.len > BN_PAGE_MAX ? ps.months.len - BN_PAGE_MAX : 0;
    o->months.v = ps.months.v + skip;
    o->months.len = ps.months.len - skip;
    return 0;
}

/* One pair's row: its counters (the entry walked), its record and its
 * members' names. */
static int pair_row(bnd_ctx *cx, const MDB_val *k, const MDB_val *v, void *arg)
{
    bn_rec_pair_stats ps;
    bn_rec_account a;
    bn_rec_pair p;
    bn_str mentor = {"", 0}, mentee = {"", 0};
    int rc;

    (void)k;
    rc = bnd_rec_decode(v, &bn_desc_rec_pair_stats, &ps, &cx->arena);
    if (rc != 0)
        return rc;
    rc = bnd_get_pair(cx, ps.pair_id, &p);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    rc = bnd_get_account(cx, p.mentor_id, &a);
    if (rc == 0)
        mentor = a.name;
    else if (rc != BN_ENOTFOUND)
        return rc;
    rc = bnd_get_account(cx, p.mentee_id, &a);
    if (rc == 0)
        mentee = a.name;
    else if (rc != BN_ENOTFOUND)
        return rc;
    bn_stats_pair *o =
        bnd_list_take(arg, BND_ITEM_FIXED + mentor.len + mentee.len);
    if (o == NULL)
        return 1;
    bnd_project_stats_pair(&ps, o); /* the counters */
    o->mentor_name = mentor;
    o->mentee_name = mentee;
    o->status = p.status;
    o->created_date = p.created > 0 ? (uint32_t)(p.created / 86400) : 0;
    o->start_date = p.start_date;
    o->end_date = p.end_date;
    o->end_reason = p.end_reason;
    bn_rec_pair_dates pd;
    rc = bnd_pair_dates(cx, p.id, &pd);
    if (rc != 0)
        return rc;
    o->min_override = pd.override_by != 0;
    rc = bnd_stats_objective_counts_get(cx->st, cx->txn, ps.programme_id,
                                        ps.pair_id, &o->objectives_abandoned);
    if (rc == 0)
        rc = bnd_first_mode(cx, ps.pair_id, ps.first_held, &o->first_mode);
    bnd_deliver dl;
    if (rc == 0)
        rc = bnd_pair_deliver(cx, ps.pair_id, &dl);
    if (rc == 0)
        rc = bnd_follow_ups(cx, ps.programme_id, ps.pair_id,
                            &o->follow_ups_held, &o->follow_ups_planned);
    if (rc != 0)
        return rc;
    o->objectives_overdue = dl.overdue;
    o->objectives_on_time = dl.on_time;
    o->diagnosis_date = dl.diagnosis_date;
    return bnd_pair_ender(cx, &p, &o->ended_by);
}

/*
 * STATS_PAIRS_GET: one row per pair of the programme (erased ones too:
 * their counts stay), by pair id after `after`; a page stops at
 * BN_PAGE_MAX rows or BND_REPLY_BYTES (`more`: ask again after the last
 * id). The programme's pairs are the prefix programme_id of pair_stats.
 */
int bnd_h_stats_pairs_get(bnd_ctx *cx, const bn_msg *req)
{
    const bn_stats_pairs_get *r = &req->u.stats_pairs_get;
    bnd_list l = {NULL, sizeof(bn_stats_pair), {0, BN_PAGE_MAX, 0}, NULL};
    bn_rec_programme prog;
    int rc;

    rc = bnd_get_programme(cx, r->programme_id, &prog);
    if (rc != 0)
        return rc;
    rc = bnd_list_page(cx, &l, r->after,
                       bnd_key_pair_stats(prog.id, r->after + 1), 1, pair_row);
    if (rc < 0)
        return rc;
    BND_LIST_REPLY(cx->rep->u.stats_pairs, l, rc);
    return 0;
}

/* A pair's sessions walked for its members' absences (STATS_MEMBERS). */
struct member_walk {
    const bn_rec_pair *p;
    const bn_member_key *members;
    uint32_t n;
    uint32_t *absences; /* one per member */
};

/*
 * count_absences counts one session against the pair's members as the
 * side counters do (bnd_stats.h): only a session recorded held (one that
 * both sides entirely missed counts as not held, but its absences
 * count, so that a side's members add up to its counter); each member named
 * absent counts one; with nobody named, a side whose bit is set counts
 * one for its referent (pair_info's mentor_id or mentee_id: the side's
 * one member when the session was recorded, since the server accepts
 * the bits alone only for a side of one member).
 */
static int count_absences(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                          void *arg)
{
    struct member_walk *w = arg;
    bn_rec_session_absent a;
    bn_rec_session s;
    (void)k;
    int rc = bnd_rec_decode(v, &bn_desc_rec_session, &s, &cx->arena);
    if (rc != 0)
        return rc;
    if (s.status != BN_SESSION_HELD)
        return 0;
    rc = bnd_rec_get(cx->st, cx->txn, bnd_key_session_absent(s.pair_id, s.id),
                     &a, &cx->arena);
    if (rc == BN_ENOTFOUND) {
        uint64_t who[2] = {(s.absent & BN_ABSENT_MENTOR) ? w->p->mentor_id : 0,
                           (s.absent & BN_ABSENT_MENTEE) ? w->p->mentee_id : 0};
        for (uint32_t j = 0; j < w->n; j++)
            if (w->members[j].account_id == who[0] ||
                w->members[j].account_id == who[1])
                w->absences[j]++;
        return 0;
    }
    if (rc != 0)
        return rc;
    for (uint32_t i = 0; i < a.absentees.len; i++)
        for (uint32_t j = 0; j < w->n; j++)
            if (w->members[j].account_id == a.absentees.v[i].account_id)
                w->absences[j]++;
    return 0;
}

/* One pair's member rows (the entry walked is its pair_stats row): all
 * of them on this page, or none (1: the page is full). */
static int member_rows(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                       void *arg)
{
    bnd_list *l = arg;
    bn_member_key members[BN_MEMBERS_MAX];
    uint32_t absences[BN_MEMBERS_MAX] = {0}, n = 0;
    bn_rec_pair_stats ps;
    bn_rec_pair p;
    int rc;

    (void)k;
    rc = bnd_rec_decode(v, &bn_desc_rec_pair_stats, &ps, &cx->arena);
    if (rc == 0)
        rc = bnd_get_pair(cx, ps.pair_id, &p);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    rc = bnd_pair_members(cx, p.id, members, &n);
    if (rc != 0)
        return rc;
    struct member_walk w = {&p, members, n, absences};
    rc = bnd_scan_key(cx, bnd_key_sessions(p.id, 0), 1, count_absences, &w);
    if (rc < 0)
        return rc;
    bnd_page was = l->pg;
    for (uint32_t j = 0; j < n; j++) {
        bn_stats_member *o =
            bnd_list_take(l, BND_ITEM_FIXED + members[j].name.len);
        if (o == NULL) {
            l->pg = was; /* a pair is never split between pages */
            return 1;
        }
        memset(o, 0, sizeof *o);
        o->pair_id = p.id;
        o->account_id = members[j].account_id;
        o->name = members[j].name;
        o->side = members[j].role;
        o->sessions_held = ps.sessions_held;
        o->absences = absences[j];
    }
    return 0;
}

/*
 * STATS_MEMBERS_GET: one row per member record of each pair of the
 * programme (departed members too), by pair id then account id, the
 * pairs after `after`; a page holds whole pairs only and stops at
 * BN_PAGE_MAX rows or BND_REPLY_BYTES, so that `after` (the last pair
 * of a page) always moves on. Rows are counted from the sessions when
 * asked: the server's word, as every statistic.
 */
int bnd_h_stats_members_get(bnd_ctx *cx, const bn_msg *req)
{
    const bn_stats_members_get *r = &req->u.stats_members_get;
    bnd_list l = {NULL, sizeof(bn_stats_member), {0, BN_PAGE_MAX, 0}, NULL};
    bn_rec_programme prog;
    int rc;

    rc = bnd_get_programme(cx, r->programme_id, &prog);
    if (rc != 0)
        return rc;
    rc = bnd_list_page(cx, &l, r->after,
                       bnd_key_pair_stats(prog.id, r->after + 1), 1,
                       member_rows);
    if (rc < 0)
        return rc;
    BND_LIST_REPLY(cx->rep->u.stats_members, l, rc);
    return 0;
}
