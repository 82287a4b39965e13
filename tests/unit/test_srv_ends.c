/* test_srv_ends: the coordinator's end of a pair (PAIR_STOP), who ended
 * each pair in the statistics (kept after an erasure), re-pairing the
 * members of an ended pair, and the programme's limit of mentees per
 * mentor (PROGRAMME_SET; issue 13). */
#include "test_srv_world.h"
#include "test_list.h"

#include <inttypes.h>

static int stop(tclient *c, uint64_t pair, uint8_t reason, uint32_t date)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_STOP, 0);
    m.u.pair_stop.pair_id = pair;
    m.u.pair_stop.reason = reason;
    m.u.pair_stop.date = date;
    return call(c, &m);
}

static int set_limit(tclient *c, uint64_t prog, uint32_t n)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PROGRAMME_SET, 0);
    m.u.programme_set.programme_id = prog;
    m.u.programme_set.mentees_per_mentor = n;
    return call(c, &m);
}

/* An administrator ends an active pair as stalled: withdrawn, the reason
 * and the administrator's account recorded, the members read it and can
 * write no more; the statistics say the coordinator ended it. */
static void test_coordinator_stops_pair(void **state)
{
    (void)state;
    activate(W.pair_a, &W.mentor, &W.mentee);
    assert_int_equal(stop(&W.admin, W.pair_a, BN_END_STALLED, bn_date_today()),
                     0);
    const bn_pair_info *p = &W.admin.rep.u.pair.pair;
    assert_int_equal(p->status, BN_PAIR_WITHDRAWN);
    assert_int_equal(p->end_reason, BN_END_STALLED);
    assert_int_equal(p->end_date, bn_date_today());
    assert_int_equal(p->ended_by, W.admin.account);
    /* a retry is a success; another end is not */
    assert_int_equal(stop(&W.admin, W.pair_a, BN_END_STALLED, bn_date_today()),
                     0);
    assert_int_equal(
        stop(&W.admin, W.pair_a, BN_END_WITHDRAWN, bn_date_today()), BN_EENDED);
    assert_int_equal(pair_end(&W.mentee, W.pair_a, BN_END_WITHDRAWN),
                     BN_EENDED);
    assert_int_equal(pair_get(&W.mentor, W.pair_a), 0);
    assert_int_equal(W.mentor.rep.u.pair_detail.pair.ended_by, W.admin.account);
    bn_stats_pair row = stats_row(W.prog1, W.pair_a);
    assert_int_equal(row.ended_by, BN_ENDER_COORDINATOR);
    assert_int_equal(row.end_reason, BN_END_STALLED);
    /* a member's end says which member */
    activate(W.pair_b, &W.mentor2, &W.mentee2);
    assert_int_equal(pair_end(&W.mentee2, W.pair_b, BN_END_WITHDRAWN), 0);
    row = stats_row(W.prog1, W.pair_b);
    assert_int_equal(row.ended_by, BN_ENDER_MENTEE);
    assert_int_equal(row.end_reason, BN_END_WITHDRAWN);
}

/* Only an administrator stops a pair, as withdrawn or stalled (completed
 * is the members' word), on a day from the pair's start to tomorrow; a
 * pending pair can be stopped too. */
static void test_stop_rules(void **state)
{
    uint32_t today = bn_date_today();
    (void)state;
    assert_int_equal(stop(&W.mentor, W.pair_a, BN_END_STALLED, today),
                     BN_EDENIED);
    assert_int_equal(stop(&W.admin, W.pair_a, BN_END_COMPLETED, today),
                     BN_EINVAL);
    assert_int_equal(stop(&W.admin, W.pair_a, BN_END_STALLED, today + 2),
                     BN_EDATE);
    assert_int_equal(stop(&W.admin, 999, BN_END_STALLED, today), BN_ENOTFOUND);
    activate(W.pair_a, &W.mentor, &W.mentee); /* starts today */
    assert_int_equal(stop(&W.admin, W.pair_a, BN_END_STALLED, today - 1),
                     BN_EDATE);
    assert_int_equal(stop(&W.admin, W.pair_b, BN_END_WITHDRAWN, today), 0);
    assert_int_equal(W.admin.rep.u.pair.pair.status, BN_PAIR_WITHDRAWN);
    /* counted as a withdrawal */
    bn_msg m;
    bn_msg_init(&m, BN_MSG_STATS_GET, 0);
    m.u.stats_get.programme_id = W.prog1;
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.u.stats.pairs_withdrawn, 1);
    assert_int_equal(W.admin.rep.u.stats.pairs_pending, 0);
}

/* Who ended a pair, why and when stay in its statistics row once it is
 * erased. */
static void test_ender_survives_erase(void **state)
{
    (void)state;
    activate(W.pair_a, &W.mentor, &W.mentee);
    assert_int_equal(stop(&W.admin, W.pair_a, BN_END_STALLED, bn_date_today()),
                     0);
    /* erased once both members asked (issue 13) */
    assert_int_equal(erase_both(&W.mentor, &W.mentee, W.pair_a), 0);
    assert_int_equal(W.mentee.rep.u.pair_erasure.pair.status, BN_PAIR_ERASED);
    bn_stats_pair row = stats_row(W.prog1, W.pair_a);
    assert_int_equal(row.status, BN_PAIR_ERASED);
    assert_int_equal(row.ended_by, BN_ENDER_COORDINATOR);
    assert_int_equal(row.end_reason, BN_END_STALLED);
    assert_int_equal(row.end_date, bn_date_today());
}

/* The members of an ended pair can be paired again; while a pair is
 * pending or active, the error says which limit holds. */
static void test_repair_after_stop(void **state)
{
    uint64_t id = 0;
    (void)state;
    /* the mentee of pair_b is in a pair: one at a time */
    assert_int_equal(
        pair_create(W.prog1, W.mentor.account, W.mentee2.account, &id),
        BN_EEXIST);
    said(&W.admin, "one pair at a time");
    /* the mentor of pair_a follows one mentee, the programme's limit */
    tclient extra;
    join_as(&extra, W.prog1, BN_ROLE_MENTEE, "Xavi");
    assert_int_equal(pair_create(W.prog1, W.mentor.account, extra.account, &id),
                     BN_EEXIST);
    said(&W.admin, "mentees per mentor: 1");
    /* the coordinator ends pair_a and re-pairs both of its members */
    assert_int_equal(stop(&W.admin, W.pair_a, BN_END_STALLED, bn_date_today()),
                     0);
    assert_int_equal(pair_create(W.prog1, W.mentor.account, extra.account, &id),
                     0);
    assert_int_equal(
        stop(&W.admin, W.pair_b, BN_END_WITHDRAWN, bn_date_today()), 0);
    assert_int_equal(
        pair_create(W.prog1, W.mentor2.account, W.mentee.account, &id), 0);
    client_free(&extra);
}

/* A programme's mentees per mentor: 1 by default, set at creation or by
 * PROGRAMME_SET (administrators), shown with the programme, enforced by
 * PAIR_CREATE. */
static void test_mentees_per_mentor(void **state)
{
    tclient m1, m2;
    uint64_t id = 0;
    bn_msg m;
    (void)state;

    bn_msg_init(&m, BN_MSG_PROGRAMME_GET, 0);
    m.u.programme_get.programme_id = W.prog1;
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.u.programme.programme.mentees_per_mentor, 1);
    assert_int_equal(set_limit(&W.mentor, W.prog1, 2), BN_EDENIED);
    assert_int_equal(set_limit(&W.admin, W.prog1, 0), BN_EINVAL);
    assert_int_equal(set_limit(&W.admin, 999, 2), BN_ENOTFOUND);
    assert_int_equal(set_limit(&W.admin, W.prog1, 2), 0);
    assert_int_equal(W.admin.rep.u.programme.programme.mentees_per_mentor, 2);
    join_as(&m1, W.prog1, BN_ROLE_MENTEE, "Yann");
    join_as(&m2, W.prog1, BN_ROLE_MENTEE, "Zoe");
    assert_int_equal(pair_create(W.prog1, W.mentor.account, m1.account, &id),
                     0);
    assert_int_equal(pair_create(W.prog1, W.mentor.account, m2.account, &id),
                     BN_EEXIST);
    said(&W.admin, "mentees per mentor: 2");
    said(&W.admin, "already follows 2 mentees");
    /* set at creation; listed */
    bn_msg_init(&m, BN_MSG_PROGRAMME_CREATE, 0);
    m.u.programme_create.name = (bn_str){"Third", 5};
    m.u.programme_create.theme = (bn_str){"", 0};
    m.u.programme_create.months = 6;
    m.u.programme_create.frequency = BN_FREQ_MONTHLY;
    m.u.programme_create.format = BN_FORMAT_MIXED;
    m.u.programme_create.charter = (bn_str){"c", 1};
    m.u.programme_create.mentees_per_mentor = 3;
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.u.programme.programme.mentees_per_mentor, 3);
    bn_msg_init(&m, BN_MSG_PROGRAMME_LIST, 0);
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.u.programmes.items.len, 3);
    assert_int_equal(W.admin.rep.u.programmes.items.v[0].mentees_per_mentor,
                     1); /* prog2 */
    assert_int_equal(W.admin.rep.u.programmes.items.v[1].mentees_per_mentor, 2);
    assert_int_equal(W.admin.rep.u.programmes.items.v[2].mentees_per_mentor, 3);
    client_free(&m1);
    client_free(&m2);
}

BN_UNIT_GROUP(srv_ends);
