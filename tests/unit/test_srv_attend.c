/* test_srv_attend: attendance per member (issue 14). A session names the
 * pair's members who were absent (absentees): the server checks them
 * (current members only, by increasing id, once each, the absent bits
 * equal to the sides entirely named), keeps them in session_absent and
 * serves them with the session; the side counters count member absences
 * and STATS_MEMBERS_GET gives each member's, adding up to them. */
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

/* SESSION_ADD (sid 0) or SESSION_UPDATE of sid naming n absentees. */
static int attend(tclient *c, uint64_t pair, uint64_t sid, uint32_t date,
                  uint8_t status, uint8_t absent, const uint64_t *ids,
                  uint32_t n)
{
    struct bn_account_ref refs[BN_MEMBERS_MAX];
    bn_msg m;
    for (uint32_t i = 0; i < n; i++) {
        memset(&refs[i], 0, sizeof refs[i]);
        refs[i].account_id = ids[i];
    }
    if (sid == 0) {
        bn_msg_init(&m, BN_MSG_SESSION_ADD, 0);
        m.u.session_add.pair_id = pair;
        m.u.session_add.date = date;
        m.u.session_add.status = status;
        m.u.session_add.absent = absent;
        m.u.session_add.absentees.v = refs;
        m.u.session_add.absentees.len = n;
    } else {
        bn_msg_init(&m, BN_MSG_SESSION_UPDATE, 0);
        m.u.session_update.pair_id = pair;
        m.u.session_update.session_id = sid;
        m.u.session_update.status = status;
        m.u.session_update.absent = absent;
        m.u.session_update.absentees.v = refs;
        m.u.session_update.absentees.len = n;
    }
    return call_logged(c, &m, pair);
}

/* The absentees of the session in c's last reply (SESSION). */
static void served(tclient *c, const uint64_t *ids, uint32_t n)
{
    assert_int_equal(c->rep.type, BN_MSG_SESSION);
    const bn_session_info *s = &c->rep.u.session.session;
    assert_int_equal(s->absentees.len, n);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(s->absentees.v[i].account_id, ids[i]);
}

/* The log's length as c reads it (PAIR_GET). */
static uint64_t seq_of(tclient *c, uint64_t pair)
{
    uint8_t head[32];
    uint64_t seq = 0;
    assert_int_equal(log_head(c, pair, &seq, head), 0);
    return seq;
}

/* Every check of SESSION_ADD and SESSION_UPDATE on absentees, and what
 * is kept and served. */
static void test_absentees_checked(void **state)
{
    uint64_t p = W.pair_a, mentor = W.mentor.account, mentee = W.mentee.account,
             sid, seq;
    uint32_t d = day(2025, 1, 6);
    (void)state;

    activate(p, &W.mentor, &W.mentee);
    assert_true(mentor < mentee);
    /* the mentee named absent: the mentee side entirely */
    assert_int_equal(attend(&W.mentor, p, 0, d, BN_SESSION_HELD,
                            BN_ABSENT_MENTEE, &mentee, 1),
                     0);
    sid = W.mentor.rep.u.session.session.id;
    served(&W.mentor, &mentee, 1);
    /* the bits must say which sides are entirely named */
    assert_int_equal(attend(&W.mentor, p, 0, d, BN_SESSION_HELD, 0, &mentee, 1),
                     BN_EINVAL);
    said(&W.mentor, "absent mentee bit");
    assert_int_equal(attend(&W.mentor, p, 0, d, BN_SESSION_HELD,
                            BN_ABSENT_MENTOR | BN_ABSENT_MENTEE, &mentee, 1),
                     BN_EINVAL);
    said(&W.mentor, "absent mentor bit");
    /* another pair's member, an unknown account, a repeat, the order */
    uint64_t other = W.mentor2.account, unknown = 999999;
    assert_int_equal(attend(&W.mentor, p, 0, d, BN_SESSION_HELD, 0, &other, 1),
                     BN_EINVAL);
    said(&W.mentor, "not a current member");
    assert_int_equal(
        attend(&W.mentor, p, 0, d, BN_SESSION_HELD, 0, &unknown, 1), BN_EINVAL);
    said(&W.mentor, "not a current member");
    uint64_t twice[2] = {mentee, mentee}, down[2] = {mentee, mentor};
    assert_int_equal(
        attend(&W.mentor, p, 0, d, BN_SESSION_HELD, BN_ABSENT_MENTEE, twice, 2),
        BN_EINVAL);
    said(&W.mentor, "twice");
    assert_int_equal(attend(&W.mentor, p, 0, d, BN_SESSION_HELD,
                            BN_ABSENT_MENTOR | BN_ABSENT_MENTEE, down, 2),
                     BN_EINVAL);
    said(&W.mentor, "increasing");
    /* nobody named, a bit set: the side's one member (as before) */
    assert_int_equal(
        session_add(&W.mentee, p, d, BN_SESSION_HELD, BN_ABSENT_MENTOR), 0);
    served(&W.mentee, NULL, 0);

    /* corrected: the mentor was the one absent; a retry logs nothing */
    assert_int_equal(attend(&W.mentee, p, sid, 0, BN_SESSION_HELD,
                            BN_ABSENT_MENTOR, &mentor, 1),
                     0);
    served(&W.mentee, &mentor, 1);
    seq = seq_of(&W.mentee, p);
    assert_int_equal(attend(&W.mentee, p, sid, 0, BN_SESSION_HELD,
                            BN_ABSENT_MENTOR, &mentor, 1),
                     0);
    assert_int_equal(seq_of(&W.mentee, p), seq);
    /* a wrong correction changes nothing */
    assert_int_equal(
        attend(&W.mentee, p, sid, 0, BN_SESSION_HELD, 0, &other, 1), BN_EINVAL);
    /* listed with the session, and by the coordinator */
    bn_msg m;
    bn_msg_init(&m, BN_MSG_SESSION_LIST, 0);
    m.u.session_list.pair_id = p;
    assert_int_equal(call(&W.mentor, &m), 0);
    assert_int_equal(W.mentor.rep.u.sessions.items.len, 2);
    assert_int_equal(W.mentor.rep.u.sessions.items.v[0].id, sid);
    assert_int_equal(W.mentor.rep.u.sessions.items.v[0].absentees.len, 1);
    assert_int_equal(
        W.mentor.rep.u.sessions.items.v[0].absentees.v[0].account_id, mentor);
    assert_int_equal(W.mentor.rep.u.sessions.items.v[1].absentees.len, 0);
    bn_msg_init(&m, BN_MSG_ADMIN_SESSIONS, 0);
    m.u.admin_sessions.pair_id = p;
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.u.sessions.items.v[0].absentees.len, 1);
    assert_int_equal(
        W.admin.rep.u.sessions.items.v[0].absentees.v[0].account_id, mentor);
    /* everybody came after all: the row goes */
    assert_int_equal(attend(&W.mentee, p, sid, 0, BN_SESSION_HELD, 0, NULL, 0),
                     0);
    served(&W.mentee, NULL, 0);
    assert_int_equal(W.mentee.rep.u.session.session.absent, 0);
}

/* member_rows fetches every STATS_MEMBERS row of prog after `after`. */
static uint32_t member_rows(uint64_t prog, uint64_t after,
                            bn_stats_member *rows, uint32_t max)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_STATS_MEMBERS_GET, 0);
    m.u.stats_members_get.programme_id = prog;
    m.u.stats_members_get.after = after;
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.type, BN_MSG_STATS_MEMBERS);
    assert_false(W.admin.rep.u.stats_members.more);
    uint32_t n = W.admin.rep.u.stats_members.items.len;
    assert_true(n <= max);
    for (uint32_t i = 0; i < n; i++) {
        rows[i] = W.admin.rep.u.stats_members.items.v[i];
        rows[i].name.ptr = NULL; /* the reply goes with the next call */
    }
    return n;
}

/* The side counters count member absences on sessions recorded held
 * (none on a planned one); each member's row counts theirs, and a side's
 * rows add up to its counter; only administrators ask. */
static void test_absences_counted(void **state)
{
    uint64_t p = W.pair_a, mentor = W.mentor.account, mentee = W.mentee.account,
             both[2] = {mentor, mentee};
    const uint8_t all = BN_ABSENT_MENTOR | BN_ABSENT_MENTEE;
    (void)state;

    activate(p, &W.mentor, &W.mentee);
    /* held, the mentee absent */
    assert_int_equal(attend(&W.mentor, p, 0, day(2025, 1, 6), BN_SESSION_HELD,
                            BN_ABSENT_MENTEE, &mentee, 1),
                     0);
    uint64_t s1 = W.mentor.rep.u.session.session.id;
    /* held by nobody: not held, an absence for each side */
    assert_int_equal(
        attend(&W.mentor, p, 0, day(2025, 2, 3), BN_SESSION_HELD, all, both, 2),
        0);
    /* the mentor absent, by side only (an older client) */
    assert_int_equal(session_add(&W.mentee, p, day(2025, 3, 3), BN_SESSION_HELD,
                                 BN_ABSENT_MENTOR),
                     0);
    /* held, everybody there */
    assert_int_equal(
        attend(&W.mentee, p, 0, day(2025, 4, 7), BN_SESSION_HELD, 0, NULL, 0),
        0);
    /* planned with an absentee: counts nothing */
    assert_int_equal(attend(&W.mentee, p, 0, day(2026, 4, 7),
                            BN_SESSION_PLANNED, BN_ABSENT_MENTEE, &mentee, 1),
                     0);

    bn_stats_pair row = stats_row(W.prog1, p);
    assert_int_equal(row.sessions_held, 3);
    assert_int_equal(row.sessions_cancelled, 1);
    assert_int_equal(row.sessions_planned, 1);
    assert_int_equal(row.absent_mentor, 2);
    assert_int_equal(row.absent_mentee, 2);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_STATS_GET, 0);
    m.u.stats_get.programme_id = W.prog1;
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.u.stats.absent_mentor, 2);
    assert_int_equal(W.admin.rep.u.stats.absent_mentee, 2);

    bn_stats_member rows[8];
    uint32_t n = member_rows(W.prog1, 0, rows, 8);
    assert_int_equal(n, 4); /* pair_a's two members, then pair_b's */
    uint32_t side_sum[2] = {0, 0};
    for (uint32_t i = 0; i < n; i++) {
        if (rows[i].pair_id != p) {
            assert_int_equal(rows[i].pair_id, W.pair_b);
            assert_int_equal(rows[i].absences, 0);
            assert_int_equal(rows[i].sessions_held, 0);
            continue;
        }
        assert_int_equal(rows[i].sessions_held, 3);
        assert_int_equal(rows[i].side, rows[i].account_id == mentor
                                           ? BN_ROLE_MENTOR
                                           : BN_ROLE_MENTEE);
        side_sum[rows[i].side == BN_ROLE_MENTEE] += rows[i].absences;
    }
    assert_int_equal(rows[0].account_id, mentor);
    assert_int_equal(rows[1].account_id, mentee);
    assert_int_equal(side_sum[0], row.absent_mentor);
    assert_int_equal(side_sum[1], row.absent_mentee);

    /* a correction moves both: the mentee came to s1 */
    assert_int_equal(attend(&W.mentee, p, s1, 0, BN_SESSION_HELD, 0, NULL, 0),
                     0);
    row = stats_row(W.prog1, p);
    assert_int_equal(row.absent_mentee, 1);
    n = member_rows(W.prog1, 0, rows, 8);
    assert_int_equal(rows[1].absences, 1);
    assert_int_equal(rows[0].absences, 2);

    /* paged by pair: after pair_a, only pair_b's rows */
    assert_true(W.pair_a < W.pair_b);
    n = member_rows(W.prog1, W.pair_a, rows, 8);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].pair_id, W.pair_b);
    n = member_rows(W.prog1, W.pair_b, rows, 8);
    assert_int_equal(n, 0);

    /* administrators only */
    bn_msg_init(&m, BN_MSG_STATS_MEMBERS_GET, 0);
    m.u.stats_members_get.programme_id = W.prog1;
    assert_int_equal(call(&W.mentor, &m), BN_EDENIED);
}

/* put_member writes the member record *arg (a second mentor, as the
 * membership work will: this test stands in for it). */
static int put_member(MDB_txn *txn, void *arg)
{
    const bn_rec_member *m = arg;
    return bnd_rec_put(W.srv->store, txn,
                       bnd_key_members(m->pair_id, m->account_id), m, 0);
}

/* A side of two members (a record written here, before team pairings
 * exist): the bits alone no longer say who, a side is absent only when
 * both are named, one named is a partial absence that counts one for the
 * side; a departed member cannot be named, and keeps the absences
 * counted while a member. */
static void test_team_side(void **state)
{
    uint64_t p = W.pair_a, mentor = W.mentor.account, nora = W.mentor2.account,
             mentee = W.mentee.account;
    uint64_t both_mentors[2] = {mentor < nora ? mentor : nora,
                                mentor < nora ? nora : mentor};
    bn_rec_member m = {p, nora, BN_ROLE_MENTOR, 1, 0, 0};
    (void)state;

    activate(p, &W.mentor, &W.mentee);
    assert_int_equal(bnd_store_write(W.srv->store, put_member, &m), 0);
    assert_int_equal(session_add(&W.mentee, p, day(2025, 1, 6), BN_SESSION_HELD,
                                 BN_ABSENT_MENTOR),
                     BN_EINVAL);
    said(&W.mentee, "has 2 members");
    assert_int_equal(attend(&W.mentee, p, 0, day(2025, 1, 6), BN_SESSION_HELD,
                            BN_ABSENT_MENTOR, &mentor, 1),
                     BN_EINVAL);
    said(&W.mentee, "absent mentor bit");
    /* one of the two mentors: partial */
    assert_int_equal(attend(&W.mentee, p, 0, day(2025, 1, 6), BN_SESSION_HELD,
                            0, &mentor, 1),
                     0);
    /* both mentors: the side absent, the session still held */
    assert_int_equal(attend(&W.mentee, p, 0, day(2025, 2, 3), BN_SESSION_HELD,
                            BN_ABSENT_MENTOR, both_mentors, 2),
                     0);
    bn_stats_pair row = stats_row(W.prog1, p);
    assert_int_equal(row.sessions_held, 2);
    assert_int_equal(row.absent_mentor, 3);
    assert_int_equal(row.absent_mentee, 0);

    /* nora leaves: no longer named, her absence still counted */
    m.to_epoch = 2;
    assert_int_equal(bnd_store_write(W.srv->store, put_member, &m), 0);
    assert_int_equal(
        attend(&W.mentee, p, 0, day(2025, 3, 3), BN_SESSION_HELD, 0, &nora, 1),
        BN_EINVAL);
    said(&W.mentee, "not a current member");
    bn_stats_member rows[8];
    uint32_t n = member_rows(W.prog1, 0, rows, 8), sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (rows[i].pair_id != p)
            continue;
        if (rows[i].account_id == mentor)
            assert_int_equal(rows[i].absences, 2);
        else if (rows[i].account_id == nora)
            assert_int_equal(rows[i].absences, 1);
        else
            assert_int_equal(rows[i].account_id, mentee);
        if (rows[i].side == BN_ROLE_MENTOR)
            sum += rows[i].absences;
    }
    assert_int_equal(sum, row.absent_mentor);
    /* with nora gone, the mentor alone is the whole side again */
    assert_int_equal(attend(&W.mentee, p, 0, day(2025, 3, 3), BN_SESSION_HELD,
                            BN_ABSENT_MENTOR, &mentor, 1),
                     0);
}

BN_UNIT_GROUP(srv_attend);
