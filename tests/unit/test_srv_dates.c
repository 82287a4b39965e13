/* test_srv_dates: the dates a coordinator can trust (issue 13): the
 * coordinator's start of a pair (PAIR_START), the programme's calendar
 * (PROGRAMME_SET's dates), sessions dated within both, a completion
 * before the minimum duration only with an override (PAIR_END, signed
 * and recorded), and the coordinator's view of a pair's sessions
 * (ADMIN_SESSIONS). */
#include "test_srv_world.h"
#include "test_list.h"

#include <inttypes.h>

static int calendar(tclient *c, uint64_t prog, uint8_t what, uint32_t start,
                    uint32_t end, uint32_t min_months)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PROGRAMME_SET, 0);
    m.u.programme_set.programme_id = prog;
    m.u.programme_set.dates = what;
    m.u.programme_set.start_date = start;
    m.u.programme_set.end_date = end;
    m.u.programme_set.min_months = min_months;
    return call(c, &m);
}

/* The coordinator sets a pair's start: administrators only, not after
 * tomorrow, not after the first recorded session (with a message that
 * names it), kept by a later acceptance; an unknown pair is named. */
static void test_pair_start_rules(void **state)
{
    uint32_t today = bn_date_today();
    (void)state;
    assert_int_equal(pair_start(W.pair_a, today - 100), 0);
    assert_int_equal(W.admin.rep.u.pair.pair.start_date, today - 100);
    /* members may not */
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_START, 0);
    m.u.pair_start.pair_id = W.pair_a;
    m.u.pair_start.date = today - 50;
    assert_int_equal(call(&W.mentor, &m), BN_EDENIED);
    assert_int_equal(pair_start(W.pair_a, today + 2), BN_EDATE);
    said(&W.admin, "after today");
    assert_int_equal(pair_start(999, today), BN_ENOTFOUND);
    said(&W.admin, "no pair 999");
    /* the acceptances keep the coordinator's start */
    activate(W.pair_a, &W.mentor, &W.mentee);
    assert_int_equal(pair_get(&W.mentor, W.pair_a), 0);
    assert_int_equal(W.mentor.rep.u.pair_detail.pair.start_date, today - 100);
    assert_int_equal(stats_row(W.prog1, W.pair_a).start_date, today - 100);
    /* a session 60 days ago: the start cannot move after it */
    assert_int_equal(
        session_add(&W.mentor, W.pair_a, today - 60, BN_SESSION_HELD, 0), 0);
    assert_int_equal(pair_start(W.pair_a, today - 30), BN_EDATE);
    said(&W.admin, "has a session on");
    assert_int_equal(pair_start(W.pair_a, today - 60), 0);
    assert_int_equal(pair_start(W.pair_a, today - 120), 0);
}

/* A session cannot be dated before the start the coordinator set, nor
 * outside the programme's dates; the refusal says why. */
static void test_session_dates(void **state)
{
    uint32_t today = bn_date_today();
    (void)state;
    activate(W.pair_a, &W.mentor, &W.mentee);
    /* the acceptance is the start until the coordinator sets another:
     * an earlier session is refused, and the message says who can help */
    assert_int_equal(
        session_add(&W.mentor, W.pair_a, today - 200, BN_SESSION_HELD, 0),
        BN_EDATE);
    said(&W.mentor, "the coordinator sets its start");
    assert_int_equal(pair_start(W.pair_a, today - 200), 0);
    assert_int_equal(
        session_add(&W.mentor, W.pair_a, today - 200, BN_SESSION_HELD, 0), 0);
    activate(W.pair_b, &W.mentor2, &W.mentee2);
    assert_int_equal(pair_start(W.pair_b, today - 40), 0);
    assert_int_equal(
        session_add(&W.mentor2, W.pair_b, today - 41, BN_SESSION_HELD, 0),
        BN_EDATE);
    said(&W.mentor2, "a session cannot be dated before it");
    assert_int_equal(
        session_add(&W.mentor2, W.pair_b, today - 40, BN_SESSION_HELD, 0), 0);
    /* the programme's dates */
    assert_int_equal(calendar(&W.admin, W.prog1, BN_CAL_START | BN_CAL_END,
                              today - 30, today + 30, 0),
                     0);
    assert_int_equal(W.admin.rep.u.programme.programme.start_date, today - 30);
    assert_int_equal(W.admin.rep.u.programme.programme.end_date, today + 30);
    assert_int_equal(
        session_add(&W.mentor2, W.pair_b, today - 35, BN_SESSION_HELD, 0),
        BN_EDATE);
    said(&W.mentor2, "the programme runs from");
    assert_int_equal(
        session_add(&W.mentor2, W.pair_b, today + 31, BN_SESSION_PLANNED, 0),
        BN_EDATE);
    assert_int_equal(
        session_add(&W.mentor2, W.pair_b, today + 30, BN_SESSION_PLANNED, 0),
        0);
    /* an end before the start is refused; unset, the bounds go */
    assert_int_equal(calendar(&W.admin, W.prog1, BN_CAL_END, 0, today - 31, 0),
                     BN_EDATE);
    assert_int_equal(
        calendar(&W.admin, W.prog1, BN_CAL_START | BN_CAL_END, 0, 0, 0), 0);
    assert_int_equal(
        session_add(&W.mentor2, W.pair_b, today + 31, BN_SESSION_PLANNED, 0),
        0);
    /* members may not set the calendar */
    assert_int_equal(calendar(&W.mentor, W.prog1, BN_CAL_START, today, 0, 0),
                     BN_EDENIED);
}

/* Completed before the programme's minimum duration (from the start) is
 * refused without the override; with it, the end is signed (the entry's
 * flags) and the statistics row says so. The minimum is the calendar's
 * when set, else the programme's months; after it, no override needed. */
static void test_minimum_duration(void **state)
{
    uint32_t today = bn_date_today();
    (void)state;
    activate(W.pair_a, &W.mentor, &W.mentee); /* starts today; 6 months */
    assert_int_equal(pair_end_ov(&W.mentee, W.pair_a, BN_END_COMPLETED, 0),
                     BN_EDATE);
    said(&W.mentee, "minimum duration is 6 months");
    said(&W.mentee, "--override");
    /* the override on a withdrawal means nothing: refused */
    assert_int_equal(pair_end_ov(&W.mentee, W.pair_a, BN_END_WITHDRAWN, 1),
                     BN_EINVAL);
    assert_int_equal(pair_end_ov(&W.mentee, W.pair_a, BN_END_COMPLETED, 1), 0);
    assert_int_equal(W.mentee.rep.u.pair.pair.status, BN_PAIR_COMPLETED);
    bn_stats_pair row = stats_row(W.prog1, W.pair_a);
    assert_true(row.min_override);
    /* the log entry carries the override, signed by the member */
    bn_msg m;
    bn_msg_init(&m, BN_MSG_LOG_GET, 0);
    m.u.log_get.pair_id = W.pair_a;
    assert_int_equal(call(&W.mentee, &m), 0);
    uint32_t n = W.mentee.rep.u.log.entries.len;
    assert_true(n > 0);
    bn_log_entry e;
    const bn_bin *last = &W.mentee.rep.u.log.entries.v[n - 1].entry;
    assert_int_equal(bn_log_entry_decode(&e, last->ptr, last->len), 0);
    assert_int_equal(e.op, BN_MSG_PAIR_END);
    assert_int_equal(e.flags, BN_LOG_F_OVERRIDE);

    /* pair b started 7 months ago: completed without override */
    activate(W.pair_b, &W.mentor2, &W.mentee2);
    assert_int_equal(pair_start(W.pair_b, today - 213), 0);
    /* the calendar's minimum (12 months) is longer: refused */
    assert_int_equal(calendar(&W.admin, W.prog1, BN_CAL_MIN_MONTHS, 0, 0, 12),
                     0);
    assert_int_equal(W.admin.rep.u.programme.programme.months, 12);
    assert_int_equal(pair_end_ov(&W.mentee2, W.pair_b, BN_END_COMPLETED, 0),
                     BN_EDATE);
    said(&W.mentee2, "12 months");
    /* back to the programme's 6 */
    assert_int_equal(calendar(&W.admin, W.prog1, BN_CAL_MIN_MONTHS, 0, 0, 0),
                     0);
    assert_int_equal(W.admin.rep.u.programme.programme.months, 6);
    assert_int_equal(pair_end_ov(&W.mentee2, W.pair_b, BN_END_COMPLETED, 0), 0);
    assert_false(stats_row(W.prog1, W.pair_b).min_override);
}

/* The coordinator lists a pair's sessions without being a member: dates,
 * statuses, absences; administrators only; an unknown pair named. */
static void test_admin_sessions(void **state)
{
    uint32_t today = bn_date_today();
    (void)state;
    activate(W.pair_a, &W.mentor, &W.mentee);
    assert_int_equal(pair_start(W.pair_a, today - 30), 0);
    assert_int_equal(session_add(&W.mentor, W.pair_a, today - 20,
                                 BN_SESSION_HELD, BN_ABSENT_MENTEE),
                     0);
    assert_int_equal(
        session_add(&W.mentee, W.pair_a, today - 5, BN_SESSION_CANCELLED, 0),
        0);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_ADMIN_SESSIONS, 0);
    m.u.admin_sessions.pair_id = W.pair_a;
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.type, BN_MSG_SESSIONS);
    assert_int_equal(W.admin.rep.u.sessions.items.len, 2);
    assert_int_equal(W.admin.rep.u.sessions.items.v[0].date, today - 20);
    assert_int_equal(W.admin.rep.u.sessions.items.v[0].status, BN_SESSION_HELD);
    assert_int_equal(W.admin.rep.u.sessions.items.v[0].absent,
                     BN_ABSENT_MENTEE);
    assert_int_equal(W.admin.rep.u.sessions.items.v[1].status,
                     BN_SESSION_CANCELLED);
    /* a member uses SESSION_LIST; this request is the coordinator's */
    assert_int_equal(call(&W.mentor, &m), BN_EDENIED);
    m.u.admin_sessions.pair_id = 999;
    assert_int_equal(call(&W.admin, &m), BN_ENOTFOUND);
    said(&W.admin, "no pair 999");
}

BN_UNIT_GROUP(srv_dates);
