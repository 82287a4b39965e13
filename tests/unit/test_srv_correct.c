/* test_srv_correct: corrections (issue 13). Objectives edited (by their
 * author only), abandoned and reopened, each logged, with the counters
 * following (defined leaves out the abandoned, reached un-counted by a
 * reopen, abandoned counted apart); objectives dated in the future
 * refused; a session's mode (SESSION_MODE_SET) shown with the session and
 * the mode of each pair's first held session in the statistics. */
/* sessions dated from 2024: the pairs start before (test_srv_world.h) */
#define WORLD_EARLY_START 18262u /* 2020-01-01 */
#include "test_srv_world.h"
#include "test_list.h"

#include <inttypes.h>

static uint32_t day(int y, int m, int d)
{
    int64_t v = bn_date_from_ymd(y, m, d);
    assert_true(v > 0);
    return (uint32_t)v;
}

static uint8_t *seal_text(tclient *c, uint64_t pair, uint64_t id,
                          const char *text, size_t *len)
{
    bn_note_ad ad = {pair, id, 1, c->account, BN_AD_KIND_OBJECTIVE, 0, 0};
    uint8_t *env;
    assert_int_equal(bn_envelope_seal(&env, len, W.pair_key, 1, &ad,
                                      (const uint8_t *)text, strlen(text),
                                      c->id->sign_sk),
                     0);
    return env;
}

static int objective_add(tclient *c, uint64_t pair, uint64_t id, uint32_t date)
{
    size_t len;
    uint8_t *env = seal_text(c, pair, id, "objective", &len);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_OBJECTIVE_ADD, 0);
    m.u.objective_add.pair_id = pair;
    m.u.objective_add.objective_id = id;
    m.u.objective_add.epoch = 1;
    m.u.objective_add.envelope = (bn_bin){env, (uint32_t)len};
    m.u.objective_add.date = date;
    int rc = call_logged(c, &m, pair);
    free(env);
    return rc;
}

static int objective_edit(tclient *c, uint64_t pair, uint64_t id,
                          const char *text, uint32_t date)
{
    size_t len;
    uint8_t *env = seal_text(c, pair, id, text, &len);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_OBJECTIVE_EDIT, 0);
    m.u.objective_edit.pair_id = pair;
    m.u.objective_edit.objective_id = id;
    m.u.objective_edit.epoch = 1;
    m.u.objective_edit.envelope = (bn_bin){env, (uint32_t)len};
    m.u.objective_edit.date = date;
    int rc = call_logged(c, &m, pair);
    free(env);
    return rc;
}

/* REACH, ABANDON (with date) or REOPEN. */
static int objective_status(tclient *c, uint16_t type, uint64_t pair,
                            uint64_t id, uint32_t date)
{
    bn_msg m;
    bn_msg_init(&m, type, 0);
    if (type == BN_MSG_OBJECTIVE_REACH) {
        m.u.objective_reach.pair_id = pair;
        m.u.objective_reach.objective_id = id;
        m.u.objective_reach.date = date;
    } else if (type == BN_MSG_OBJECTIVE_ABANDON) {
        m.u.objective_abandon.pair_id = pair;
        m.u.objective_abandon.objective_id = id;
        m.u.objective_abandon.date = date;
    } else {
        m.u.objective_reopen.pair_id = pair;
        m.u.objective_reopen.objective_id = id;
    }
    return call_logged(c, &m, pair);
}

static int mode_set(tclient *c, uint64_t pair, uint64_t sid, uint8_t mode)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_SESSION_MODE_SET, 0);
    m.u.session_mode_set.pair_id = pair;
    m.u.session_mode_set.session_id = sid;
    m.u.session_mode_set.mode = mode;
    return call_logged(c, &m, pair);
}

static uint64_t log_seq(tclient *c, uint64_t pair)
{
    uint64_t seq = 0;
    uint8_t head[32];
    assert_int_equal(log_head(c, pair, &seq, head), 0);
    return seq;
}

/* The pair's and the programme's objective counts are d, r, a. */
static void counts(uint64_t prog, uint64_t pair, uint32_t d, uint32_t r,
                   uint32_t a)
{
    bn_stats_pair row = stats_row(prog, pair);
    assert_int_equal(row.objectives_defined, d);
    assert_int_equal(row.objectives_reached, r);
    assert_int_equal(row.objectives_abandoned, a);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_STATS_GET, 0);
    m.u.stats_get.programme_id = prog;
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.u.stats.objectives_defined, d);
    assert_int_equal(W.admin.rep.u.stats.objectives_reached, r);
    assert_int_equal(W.admin.rep.u.stats.objectives_abandoned, a);
}

/* The objective id of pair as the server lists it. */
static bn_objective_info listed(tclient *c, uint64_t pair, uint64_t id)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_OBJECTIVE_LIST, 0);
    m.u.objective_list.pair_id = pair;
    assert_int_equal(call(c, &m), 0);
    for (uint32_t i = 0; i < c->rep.u.objectives.items.len; i++)
        if (c->rep.u.objectives.items.v[i].id == id)
            return c->rep.u.objectives.items.v[i];
    fail_msg("objective %" PRIx64 " not listed", id);
    return c->rep.u.objectives.items.v[0];
}

/* Reach, reopen, abandon, reopen: each a log entry, the counters follow;
 * the closed states refuse what needs an open objective; retries append
 * nothing. */
static void test_objective_status_moves(void **state)
{
    uint32_t today = bn_date_today();
    uint64_t p = W.pair_a, seq;
    (void)state;

    activate(p, &W.mentor, &W.mentee);
    assert_int_equal(objective_add(&W.mentor, p, 0x51, today - 10), 0);
    assert_int_equal(objective_add(&W.mentee, p, 0x52, today - 10), 0);
    counts(W.prog1, p, 2, 0, 0);
    assert_int_equal(
        objective_status(&W.mentee, BN_MSG_OBJECTIVE_REACH, p, 0x51, today), 0);
    counts(W.prog1, p, 2, 1, 0);
    /* a reached one is reopened before it is abandoned */
    assert_int_equal(
        objective_status(&W.mentee, BN_MSG_OBJECTIVE_ABANDON, p, 0x51, today),
        BN_ECONFLICT);
    said(&W.mentee, "reopen it first");
    seq = log_seq(&W.mentor, p);
    assert_int_equal(
        objective_status(&W.mentor, BN_MSG_OBJECTIVE_REOPEN, p, 0x51, 0), 0);
    assert_int_equal(log_seq(&W.mentor, p), seq + 1);
    counts(W.prog1, p, 2, 0, 0);
    assert_int_equal(listed(&W.mentor, p, 0x51).status, BN_OBJECTIVE_DEFINED);
    assert_int_equal(listed(&W.mentor, p, 0x51).reached_date, 0);
    /* reopen again: nothing appended */
    assert_int_equal(
        objective_status(&W.mentor, BN_MSG_OBJECTIVE_REOPEN, p, 0x51, 0), 0);
    assert_int_equal(log_seq(&W.mentor, p), seq + 1);
    /* abandoned (by the partner of its author): out of defined */
    assert_int_equal(objective_status(&W.mentee, BN_MSG_OBJECTIVE_ABANDON, p,
                                      0x51, today - 1),
                     0);
    counts(W.prog1, p, 1, 0, 1);
    bn_objective_info o = listed(&W.mentor, p, 0x51);
    assert_int_equal(o.status, BN_OBJECTIVE_ABANDONED);
    assert_int_equal(o.reached_date, today - 1);
    seq = log_seq(&W.mentor, p);
    assert_int_equal(objective_status(&W.mentee, BN_MSG_OBJECTIVE_ABANDON, p,
                                      0x51, today - 1),
                     0);
    assert_int_equal(log_seq(&W.mentor, p), seq);
    counts(W.prog1, p, 1, 0, 1);
    /* an abandoned one is not reached */
    assert_int_equal(
        objective_status(&W.mentor, BN_MSG_OBJECTIVE_REACH, p, 0x51, today),
        BN_ECONFLICT);
    said(&W.mentor, "abandoned");
    /* reopened: defined again, abandoned no more */
    assert_int_equal(
        objective_status(&W.mentor, BN_MSG_OBJECTIVE_REOPEN, p, 0x51, 0), 0);
    counts(W.prog1, p, 2, 0, 0);
    assert_int_equal(
        objective_status(&W.mentor, BN_MSG_OBJECTIVE_REACH, p, 0x52, today), 0);
    assert_int_equal(
        objective_status(&W.mentor, BN_MSG_OBJECTIVE_ABANDON, p, 0x51, today),
        0);
    counts(W.prog1, p, 1, 1, 1);
    /* not before it was defined */
    assert_int_equal(
        objective_status(&W.mentor, BN_MSG_OBJECTIVE_REOPEN, p, 0x51, 0), 0);
    assert_int_equal(objective_status(&W.mentor, BN_MSG_OBJECTIVE_ABANDON, p,
                                      0x51, today - 11),
                     BN_EDATE);
    /* the other programme's figures are untouched */
    bn_msg m;
    bn_msg_init(&m, BN_MSG_STATS_GET, 0);
    m.u.stats_get.programme_id = W.prog2;
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.u.stats.objectives_abandoned, 0);
}

/* Only the author edits; the new text and date are stored, the status
 * stays; the same edit again appends nothing. */
static void test_objective_edit(void **state)
{
    uint32_t today = bn_date_today();
    uint64_t p = W.pair_a, seq;
    (void)state;

    activate(p, &W.mentor, &W.mentee);
    assert_int_equal(objective_add(&W.mentor, p, 0x61, today - 5), 0);
    bn_objective_info before = listed(&W.mentor, p, 0x61);
    uint8_t h0[32];
    bn_hash(h0, before.envelope.ptr, before.envelope.len);
    assert_int_equal(objective_edit(&W.mentee, p, 0x61, "hers", today - 5),
                     BN_EDENIED);
    said(&W.mentee, "only the member who wrote an objective can edit it");
    seq = log_seq(&W.mentor, p);
    assert_int_equal(objective_edit(&W.mentor, p, 0x61, "better", today - 7),
                     0);
    assert_int_equal(log_seq(&W.mentor, p), seq + 1);
    bn_objective_info after = listed(&W.mentor, p, 0x61);
    uint8_t h1[32];
    bn_hash(h1, after.envelope.ptr, after.envelope.len);
    assert_memory_not_equal(h0, h1, 32);
    assert_int_equal(after.defined_date, today - 7);
    assert_int_equal(after.author_id, W.mentor.account);
    assert_int_equal(after.status, BN_OBJECTIVE_DEFINED);
    /* in the future: refused */
    assert_int_equal(objective_edit(&W.mentor, p, 0x61, "later", today + 3),
                     BN_EDATE);
    said(&W.mentor, "future");
    /* reached: not defined after the day it was reached */
    assert_int_equal(
        objective_status(&W.mentee, BN_MSG_OBJECTIVE_REACH, p, 0x61, today - 2),
        0);
    assert_int_equal(objective_edit(&W.mentor, p, 0x61, "x", today - 1),
                     BN_EDATE);
    assert_int_equal(objective_edit(&W.mentor, p, 0x61, "x", today - 3), 0);
    assert_int_equal(listed(&W.mentor, p, 0x61).status, BN_OBJECTIVE_REACHED);
    assert_int_equal(objective_edit(&W.mentor, p, 0x99, "x", today),
                     BN_ENOTFOUND);
}

/* Defined or reached after today (one day of slack for time zones ahead
 * of UTC): refused with a message that says so. */
static void test_objective_future(void **state)
{
    uint32_t today = bn_date_today();
    uint64_t p = W.pair_a;
    (void)state;

    activate(p, &W.mentor, &W.mentee);
    assert_int_equal(objective_add(&W.mentor, p, 0x71, today + 2), BN_EDATE);
    said(&W.mentor, "cannot be dated in the future");
    assert_int_equal(objective_add(&W.mentor, p, 0x71, day(2199, 1, 1)),
                     BN_EDATE);
    assert_int_equal(objective_add(&W.mentor, p, 0x71, today + 1), 0);
    assert_int_equal(objective_add(&W.mentor, p, 0x72, today), 0);
    assert_int_equal(
        objective_status(&W.mentee, BN_MSG_OBJECTIVE_REACH, p, 0x72, today + 5),
        BN_EDATE);
    said(&W.mentee, "future");
    assert_int_equal(objective_status(&W.mentee, BN_MSG_OBJECTIVE_ABANDON, p,
                                      0x72, today + 5),
                     BN_EDATE);
    assert_int_equal(
        objective_status(&W.mentee, BN_MSG_OBJECTIVE_REACH, p, 0x72, today), 0);
}

/* A session's mode: unknown until set, set by either member (logged, a
 * retry appends nothing), listed; the statistics row gives the mode of the
 * pair's first held session (a session held with both absent is not
 * held), following corrections. */
static void test_session_modes(void **state)
{
    uint64_t p = W.pair_a, s1, s2, s3, seq;
    uint32_t d1 = day(2025, 1, 6), d2 = day(2025, 2, 3), d3 = day(2025, 3, 3);
    const uint8_t both = BN_ABSENT_MENTOR | BN_ABSENT_MENTEE;
    (void)state;

    activate(p, &W.mentor, &W.mentee);
    assert_int_equal(session_add(&W.mentor, p, d2, BN_SESSION_HELD, 0), 0);
    s2 = W.mentor.rep.u.session.session.id;
    assert_int_equal(W.mentor.rep.u.session.session.mode, BN_MODE_UNKNOWN);
    assert_int_equal(session_add(&W.mentor, p, d1, BN_SESSION_HELD, both), 0);
    s1 = W.mentor.rep.u.session.session.id;
    assert_int_equal(session_add(&W.mentee, p, d3, BN_SESSION_HELD, 0), 0);
    s3 = W.mentee.rep.u.session.session.id;
    bn_stats_pair row = stats_row(W.prog1, p);
    assert_int_equal(row.first_held, d2);
    assert_int_equal(row.first_mode, BN_MODE_UNKNOWN);

    assert_int_equal(mode_set(&W.mentee, p, s2, BN_MODE_IN_PERSON), 0);
    assert_int_equal(W.mentee.rep.type, BN_MSG_SESSION);
    assert_int_equal(W.mentee.rep.u.session.session.mode, BN_MODE_IN_PERSON);
    assert_int_equal(mode_set(&W.mentor, p, s1, BN_MODE_VIDEO), 0);
    assert_int_equal(mode_set(&W.mentor, p, s3, BN_MODE_PHONE), 0);
    seq = log_seq(&W.mentor, p);
    assert_int_equal(mode_set(&W.mentor, p, s3, BN_MODE_PHONE), 0);
    assert_int_equal(log_seq(&W.mentor, p), seq);
    assert_int_equal(stats_row(W.prog1, p).first_mode, BN_MODE_IN_PERSON);

    /* listed with each session */
    bn_msg m;
    bn_msg_init(&m, BN_MSG_SESSION_LIST, 0);
    m.u.session_list.pair_id = p;
    assert_int_equal(call(&W.mentor, &m), 0);
    for (uint32_t i = 0; i < W.mentor.rep.u.sessions.items.len; i++) {
        const bn_session_info *s = &W.mentor.rep.u.sessions.items.v[i];
        assert_int_equal(s->mode, s->id == s2   ? BN_MODE_IN_PERSON
                                  : s->id == s1 ? BN_MODE_VIDEO
                                                : BN_MODE_PHONE);
    }

    /* attendance corrected on d1: the mentee came, so d1 (video) is the
     * first meeting */
    bn_msg_init(&m, BN_MSG_SESSION_UPDATE, 0);
    m.u.session_update.pair_id = p;
    m.u.session_update.session_id = s1;
    m.u.session_update.status = BN_SESSION_HELD;
    m.u.session_update.absent = BN_ABSENT_MENTOR;
    assert_int_equal(call_logged(&W.mentee, &m, p), 0);
    row = stats_row(W.prog1, p);
    assert_int_equal(row.first_held, d1);
    assert_int_equal(row.first_mode, BN_MODE_VIDEO);
    /* a mode taken back to unknown */
    assert_int_equal(mode_set(&W.mentor, p, s1, BN_MODE_UNKNOWN), 0);
    assert_int_equal(stats_row(W.prog1, p).first_mode, BN_MODE_UNKNOWN);
    /* no such session; out of range */
    assert_int_equal(mode_set(&W.mentor, p, 999, BN_MODE_VIDEO), BN_ENOTFOUND);
    /* an administrator sets no mode */
    bn_msg_init(&m, BN_MSG_SESSION_MODE_SET, 0);
    m.u.session_mode_set.pair_id = p;
    m.u.session_mode_set.session_id = s2;
    m.u.session_mode_set.mode = BN_MODE_VIDEO;
    assert_int_equal(call(&W.admin, &m), BN_EDENIED);
    /* another pair's member neither */
    activate(W.pair_b, &W.mentor2, &W.mentee2);
    assert_int_not_equal(mode_set(&W.mentor2, p, s2, BN_MODE_VIDEO), 0);
    assert_int_equal(stats_row(W.prog1, p).first_mode, BN_MODE_UNKNOWN);
    assert_int_equal(stats_row(W.prog1, W.pair_b).first_mode, BN_MODE_UNKNOWN);
}

BN_UNIT_GROUP(srv_correct);
