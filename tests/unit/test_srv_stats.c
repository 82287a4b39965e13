/* test_srv_stats: the statistics counters (bnd_stats.h) and STATS_GET /
 * STATS_PAIRS_GET: counts after each kind of write, updates that move
 * counts, retries that must not count twice, pair transitions up to
 * erasure, the month histogram, paging, who may ask, and an equivalence
 * test: after random writes, every counter equals a recount from the
 * facts themselves (pairs, accounts, sessions, objectives). */
/* sessions dated from 2024: the pairs start before (test_srv_world.h) */
#define WORLD_EARLY_START 18262u /* 2020-01-01 */
#include "test_srv_world.h"
#include "test_list.h"

#include "bnd_handlers.h"
#include "bnd_stats.h"

/* ---- requests -------------------------------------------------------------
 */

static int stats_get(tclient *c, uint64_t prog)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_STATS_GET, 0);
    m.u.stats_get.programme_id = prog;
    int rc = call(c, &m);
    if (rc == 0)
        assert_int_equal(c->rep.type, BN_MSG_STATS);
    return rc;
}

static int stats_pairs(tclient *c, uint64_t prog, uint64_t after)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_STATS_PAIRS_GET, 0);
    m.u.stats_pairs_get.programme_id = prog;
    m.u.stats_pairs_get.after = after;
    int rc = call(c, &m);
    if (rc == 0)
        assert_int_equal(c->rep.type, BN_MSG_STATS_PAIRS);
    return rc;
}

/* The STATS_PAIRS row of pair (copied: names dropped), from one page. */
static bn_stats_pair pair_row(uint64_t prog, uint64_t pair)
{
    bn_stats_pair row;
    assert_int_equal(stats_pairs(&W.admin, prog, pair - 1), 0);
    assert_true(W.admin.rep.u.stats_pairs.items.len >= 1);
    row = W.admin.rep.u.stats_pairs.items.v[0];
    assert_int_equal(row.pair_id, pair);
    row.mentor_name.ptr = row.mentee_name.ptr = NULL;
    return row;
}

static int session_update(tclient *c, uint64_t pair, uint64_t id,
                          uint8_t status, uint8_t absent, bn_msg *out)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_SESSION_UPDATE, 0);
    m.u.session_update.pair_id = pair;
    m.u.session_update.session_id = id;
    m.u.session_update.status = status;
    m.u.session_update.absent = absent;
    int rc = call_logged(c, &m, pair);
    if (out != NULL)
        *out = m;
    return rc;
}

/* Adds objective id to pair (c seals "objective" under W.pair_key); *env
 * may be NULL, else it keeps the request for a retry (free env after). */
static int objective_add(tclient *c, uint64_t pair, uint64_t id, bn_msg *out,
                         uint8_t **env_out)
{
    bn_note_ad ad = {pair, id, 1, c->account, BN_AD_KIND_OBJECTIVE, 0, 0};
    uint8_t *env;
    size_t len;
    bn_msg m;
    assert_int_equal(bn_envelope_seal(&env, &len, W.pair_key, 1, &ad,
                                      (const uint8_t *)"objective", 9,
                                      c->id->sign_sk),
                     0);
    bn_msg_init(&m, BN_MSG_OBJECTIVE_ADD, 0);
    m.u.objective_add.pair_id = pair;
    m.u.objective_add.objective_id = id;
    m.u.objective_add.epoch = 1;
    m.u.objective_add.envelope = (bn_bin){env, (uint32_t)len};
    m.u.objective_add.date = bn_date_today();
    int rc = call_logged(c, &m, pair);
    if (out != NULL)
        *out = m;
    if (env_out != NULL)
        *env_out = env;
    else
        free(env);
    return rc;
}

static int objective_reach(tclient *c, uint64_t pair, uint64_t id)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_OBJECTIVE_REACH, 0);
    m.u.objective_reach.pair_id = pair;
    m.u.objective_reach.objective_id = id;
    m.u.objective_reach.date = bn_date_today();
    return call_logged(c, &m, pair);
}

static int erase(tclient *c, uint64_t pair)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_ERASE, 0);
    m.u.pair_erase.pair_id = pair;
    return call(c, &m);
}

/* Points W.charter_hash (what accept_pair signs) at prog's charter. */
static void use_charter(uint64_t prog)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PROGRAMME_GET, 0);
    m.u.programme_get.programme_id = prog;
    assert_int_equal(call(&W.admin, &m), 0);
    memcpy(W.charter_hash, W.admin.rep.u.programme.programme.charter_hash, 32);
}

static uint32_t day(int y, int m, int d)
{
    int64_t v = bn_date_from_ymd(y, m, d);
    assert_true(v > 0);
    return (uint32_t)v;
}

/* The programme counters as one comparable array. */
#define PROG_COUNTERS(X)                                                       \
    X(mentors)                                                                 \
    X(mentees)                                                                 \
    X(pairs_pending)                                                           \
    X(pairs_active)                                                            \
    X(pairs_completed)                                                         \
    X(pairs_withdrawn)                                                         \
    X(pairs_erased)                                                            \
    X(sessions_held)                                                           \
    X(sessions_planned)                                                        \
    X(sessions_cancelled)                                                      \
    X(absent_mentor)                                                           \
    X(absent_mentee)                                                           \
    X(objectives_defined)                                                      \
    X(objectives_reached)

struct counts {
#define C_FIELD(n) uint32_t n;
    PROG_COUNTERS(C_FIELD)
};

static struct counts counts_of(const bn_stats *s)
{
    struct counts c;
#define C_COPY(n) c.n = s->n;
    PROG_COUNTERS(C_COPY)
    return c;
}

static struct counts now_counts(uint64_t prog)
{
    assert_int_equal(stats_get(&W.admin, prog), 0);
    return counts_of(&W.admin.rep.u.stats);
}

static void same_counts(const struct counts *a, const struct counts *b)
{
#define C_CMP(n) assert_int_equal(a->n, b->n);
    PROG_COUNTERS(C_CMP)
}

/* ---- tests -----------------------------------------------------------------
 */

/* Joins and pair creation count: prog1 has 2 mentors, 2 mentees and two
 * pending pairs; prog2 one mentee; the programme and day come along. */
static void test_accounts_and_pairs(void **state)
{
    (void)state;
    assert_int_equal(stats_get(&W.admin, W.prog1), 0);
    const bn_stats *s = &W.admin.rep.u.stats;
    assert_int_equal(s->programme.id, W.prog1);
    assert_int_equal(s->programme.name.len, strlen("Main programme"));
    assert_int_equal(s->programme.frequency, BN_FREQ_MONTHLY);
    assert_int_equal(s->today, bn_date_today());
    assert_int_equal(s->mentors, 2);
    assert_int_equal(s->mentees, 2);
    assert_int_equal(s->pairs_pending, 2);
    assert_int_equal(s->pairs_active, 0);
    assert_int_equal(s->sessions_held, 0);
    assert_int_equal(s->months.len, 0);
    assert_int_equal(stats_get(&W.admin, W.prog2), 0);
    assert_int_equal(W.admin.rep.u.stats.mentors, 0);
    assert_int_equal(W.admin.rep.u.stats.mentees, 1);
    assert_int_equal(W.admin.rep.u.stats.pairs_pending, 0);

    /* rows: names, creation day, nothing started */
    assert_int_equal(stats_pairs(&W.admin, W.prog1, 0), 0);
    const bn_stats_pairs *p = &W.admin.rep.u.stats_pairs;
    assert_int_equal(p->items.len, 2);
    assert_false(p->more);
    assert_int_equal(p->items.v[0].pair_id, W.pair_a);
    assert_int_equal(p->items.v[1].pair_id, W.pair_b);
    assert_string_equal(p->items.v[0].mentor_name.ptr, "Marc");
    assert_string_equal(p->items.v[0].mentee_name.ptr, "Mina");
    assert_int_equal(p->items.v[0].status, BN_PAIR_PENDING);
    assert_int_equal(p->items.v[0].created_date, bn_date_today());
    /* the coordinator dated its start (WORLD_EARLY_START) while pending */
    assert_int_equal(p->items.v[0].start_date, WORLD_EARLY_START);
    assert_int_equal(p->items.v[0].first_held, 0);
}

/* Accepting activates (a repeated accept changes nothing); sessions count
 * by status and absence (an absence on a cancelled session counts none);
 * planned -> held moves a count; an absence change moves absences; held ->
 * cancelled on the last held day recomputes it. */
static void test_sessions_and_updates(void **state)
{
    (void)state;
    assert_int_equal(accept_pair(&W.mentor, W.pair_a), 0);
    assert_int_equal(now_counts(W.prog1).pairs_active, 0);
    assert_int_equal(accept_pair(&W.mentee, W.pair_a), 0);
    struct counts c = now_counts(W.prog1);
    assert_int_equal(c.pairs_pending, 1);
    assert_int_equal(c.pairs_active, 1);
    assert_int_equal(accept_pair(&W.mentee, W.pair_a), 0); /* a retry */
    struct counts c2 = now_counts(W.prog1);
    same_counts(&c, &c2);
    assert_int_equal(
        key_put(&W.mentee, W.pair_a, &W.mentor, &W.mentee, W.pair_key), 0);

    uint32_t d1 = day(2025, 1, 10), d2 = day(2025, 2, 12), d3 = day(2025, 3, 5);
    assert_int_equal(
        session_add(&W.mentor, W.pair_a, d1, BN_SESSION_HELD, BN_ABSENT_MENTOR),
        0);
    assert_int_equal(
        session_add(&W.mentor, W.pair_a, d2, BN_SESSION_PLANNED, 0), 0);
    uint64_t s2 = W.mentor.rep.u.session.session.id;
    assert_int_equal(session_add(&W.mentee, W.pair_a, d3, BN_SESSION_CANCELLED,
                                 BN_ABSENT_MENTEE),
                     0);
    c = now_counts(W.prog1);
    assert_int_equal(c.sessions_held, 1);
    assert_int_equal(c.sessions_planned, 1);
    assert_int_equal(c.sessions_cancelled, 1);
    assert_int_equal(c.absent_mentor, 1);
    assert_int_equal(c.absent_mentee, 0); /* it was cancelled */
    bn_stats_pair r = pair_row(W.prog1, W.pair_a);
    assert_int_equal(r.status, BN_PAIR_ACTIVE);
    assert_int_equal(r.start_date, WORLD_EARLY_START);
    assert_int_equal(r.sessions_held, 1);
    assert_int_equal(r.first_held, d1);
    assert_int_equal(r.last_held, d1);

    /* planned -> held, with the mentee absent */
    assert_int_equal(session_update(&W.mentee, W.pair_a, s2, BN_SESSION_HELD,
                                    BN_ABSENT_MENTEE, NULL),
                     0);
    c = now_counts(W.prog1);
    assert_int_equal(c.sessions_held, 2);
    assert_int_equal(c.sessions_planned, 0);
    assert_int_equal(c.absent_mentee, 1);
    r = pair_row(W.prog1, W.pair_a);
    assert_int_equal(r.sessions_held, 2);
    assert_int_equal(r.sessions_planned, 0);
    assert_int_equal(r.first_held, d1);
    assert_int_equal(r.last_held, d2);

    /* the absence changes sides */
    assert_int_equal(session_update(&W.mentee, W.pair_a, s2, BN_SESSION_HELD,
                                    BN_ABSENT_MENTOR, NULL),
                     0);
    c = now_counts(W.prog1);
    assert_int_equal(c.absent_mentor, 2);
    assert_int_equal(c.absent_mentee, 0);

    /* the last held session is cancelled after all: last_held goes back */
    assert_int_equal(
        session_update(&W.mentee, W.pair_a, s2, BN_SESSION_CANCELLED, 0, NULL),
        0);
    c = now_counts(W.prog1);
    assert_int_equal(c.sessions_held, 1);
    assert_int_equal(c.sessions_cancelled, 2);
    assert_int_equal(c.absent_mentor, 1);
    r = pair_row(W.prog1, W.pair_a);
    assert_int_equal(r.first_held, d1);
    assert_int_equal(r.last_held, d1);
    assert_int_equal(r.absent_mentor, 1);
    assert_int_equal(r.absent_mentee, 0);
}

/* Sessions per month, sorted, and moved by an update. */
static void test_month_histogram(void **state)
{
    (void)state;
    assert_int_equal(stats_get(&W.admin, W.prog1), 0);
    const bn_stats *s = &W.admin.rep.u.stats;
    assert_int_equal(s->months.len, 3);
    assert_int_equal(s->months.v[0].month, 2025 * 12 + 0);
    assert_int_equal(s->months.v[1].month, 2025 * 12 + 1);
    assert_int_equal(s->months.v[2].month, 2025 * 12 + 2);
    assert_int_equal(s->months.v[0].held, 1);
    assert_int_equal(s->months.v[1].cancelled,
                     1); /* planned, held, cancelled */
    assert_int_equal(s->months.v[1].held, 0);
    assert_int_equal(s->months.v[1].planned, 0);
    assert_int_equal(s->months.v[2].cancelled, 1);

    /* an earlier month goes in front; a second session in a month adds */
    assert_int_equal(session_add(&W.mentor, W.pair_a, day(2024, 12, 31),
                                 BN_SESSION_PLANNED, 0),
                     0);
    assert_int_equal(
        session_add(&W.mentor, W.pair_a, day(2025, 1, 31), BN_SESSION_HELD, 0),
        0);
    assert_int_equal(stats_get(&W.admin, W.prog1), 0);
    s = &W.admin.rep.u.stats;
    assert_int_equal(s->months.len, 4);
    assert_int_equal(s->months.v[0].month, 2024 * 12 + 11);
    assert_int_equal(s->months.v[0].planned, 1);
    assert_int_equal(s->months.v[1].month, 2025 * 12 + 0);
    assert_int_equal(s->months.v[1].held, 2);
    assert_int_equal(bnd_stats_month(day(2025, 12, 1)), 2025 * 12 + 11);
    bn_stats_pair r = pair_row(W.prog1, W.pair_a);
    assert_int_equal(r.last_held, day(2025, 1, 31));
}

/* A retried write counts once: SESSION_ADD resent with its entry (it
 * landed), SESSION_UPDATE to the same values, an update that landed and
 * was changed since, OBJECTIVE_ADD and OBJECTIVE_REACH again. */
static void test_retries(void **state)
{
    bn_msg m, upd;
    uint8_t *env;
    (void)state;

    bn_msg_init(&m, BN_MSG_SESSION_ADD, 0);
    m.u.session_add.pair_id = W.pair_a;
    m.u.session_add.date = day(2025, 4, 1);
    m.u.session_add.status = BN_SESSION_PLANNED;
    assert_int_equal(call_logged(&W.mentor, &m, W.pair_a), 0);
    uint64_t sid = W.mentor.rep.u.session.session.id;
    struct counts c = now_counts(W.prog1);
    bn_stats_pair r = pair_row(W.prog1, W.pair_a);
    assert_int_equal(call(&W.mentor, &m), 0); /* the same entry: landed */
    assert_int_equal(W.mentor.rep.u.session.session.id, sid);
    struct counts c2 = now_counts(W.prog1);
    same_counts(&c, &c2);

    assert_int_equal(
        session_update(&W.mentor, W.pair_a, sid, BN_SESSION_HELD, 0, &upd), 0);
    uint8_t first_entry[BN_LOG_ENTRY_BYTES];
    memcpy(first_entry, W.mentor.entry, sizeof first_entry);
    c = now_counts(W.prog1);
    assert_int_equal(
        session_update(&W.mentor, W.pair_a, sid, BN_SESSION_HELD, 0, NULL),
        0); /* the same values: nothing happens */
    c2 = now_counts(W.prog1);
    same_counts(&c, &c2);
    /* changed again, then the first update resent with its entry */
    assert_int_equal(
        session_update(&W.mentee, W.pair_a, sid, BN_SESSION_CANCELLED, 0, NULL),
        0);
    c = now_counts(W.prog1);
    upd.u.session_update.entry.ptr = first_entry;
    assert_int_equal(call(&W.mentor, &upd), 0);
    c2 = now_counts(W.prog1);
    same_counts(&c, &c2);

    /* objectives */
    c = now_counts(W.prog1);
    r = pair_row(W.prog1, W.pair_a);
    assert_int_equal(objective_add(&W.mentee, W.pair_a, 0x501, &m, &env), 0);
    assert_int_equal(call(&W.mentee, &m), 0); /* the same objective again */
    assert_int_equal(objective_add(&W.mentor, W.pair_a, 0x502, NULL, NULL), 0);
    assert_int_equal(objective_reach(&W.mentor, W.pair_a, 0x501), 0);
    assert_int_equal(objective_reach(&W.mentee, W.pair_a, 0x501), 0);
    free(env);
    c2 = now_counts(W.prog1);
    assert_int_equal(c2.objectives_defined, c.objectives_defined + 2);
    assert_int_equal(c2.objectives_reached, c.objectives_reached + 1);
    bn_stats_pair r2 = pair_row(W.prog1, W.pair_a);
    assert_int_equal(r2.objectives_defined, r.objectives_defined + 2);
    assert_int_equal(r2.objectives_reached, r.objectives_reached + 1);
}

/* active -> completed -> erased (a retried end and a second erase count
 * nothing); the erased pair keeps its row and counts. pending ->
 * withdrawn for the other pair. */
static void test_pair_transitions(void **state)
{
    (void)state;
    struct counts c = now_counts(W.prog1);
    bn_stats_pair before = pair_row(W.prog1, W.pair_a);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_END, 0);
    m.u.pair_end.pair_id = W.pair_a;
    m.u.pair_end.reason = BN_END_COMPLETED;
    m.u.pair_end.date = bn_date_today();
    m.u.pair_end.override = 1; /* before the minimum duration */
    assert_int_equal(call_logged(&W.mentor, &m, W.pair_a), 0);
    assert_int_equal(call(&W.mentor, &m), 0); /* a retry */
    struct counts c2 = now_counts(W.prog1);
    assert_int_equal(c2.pairs_active, c.pairs_active - 1);
    assert_int_equal(c2.pairs_completed, c.pairs_completed + 1);

    assert_int_equal(erase_both(&W.mentor, &W.mentee, W.pair_a), 0);
    assert_int_equal(erase(&W.admin, W.pair_a), 0);
    struct counts c3 = now_counts(W.prog1);
    assert_int_equal(c3.pairs_completed, c.pairs_completed);
    assert_int_equal(c3.pairs_erased, c.pairs_erased + 1);
    assert_int_equal(c3.sessions_held, c.sessions_held);
    assert_int_equal(c3.objectives_defined, c.objectives_defined);
    bn_stats_pair after = pair_row(W.prog1, W.pair_a);
    assert_int_equal(after.status, BN_PAIR_ERASED);
    assert_int_equal(after.end_reason, BN_END_COMPLETED);
    assert_int_equal(after.end_date, bn_date_today());
    assert_int_equal(after.sessions_held, before.sessions_held);
    assert_int_equal(after.sessions_cancelled, before.sessions_cancelled);
    assert_int_equal(after.objectives_reached, before.objectives_reached);
    assert_int_equal(after.first_held, before.first_held);

    /* a pending pair withdrawn from */
    assert_int_equal(pair_end(&W.mentee2, W.pair_b, BN_END_WITHDRAWN), 0);
    c3 = now_counts(W.prog1);
    assert_int_equal(c3.pairs_pending, 0);
    assert_int_equal(c3.pairs_withdrawn, c.pairs_withdrawn + 1);
    assert_int_equal(c3.pairs_active + c3.pairs_pending + c3.pairs_completed +
                         c3.pairs_withdrawn + c3.pairs_erased,
                     2);
}

/* Administrators only; an unknown programme is BN_ENOTFOUND. */
static void test_who_may_ask(void **state)
{
    tclient aud;
    (void)state;
    join_as(&aud, 0, BN_ROLE_AUDITOR, "Audrey");
    assert_int_equal(stats_get(&W.mentor, W.prog1), BN_EDENIED);
    assert_int_equal(stats_pairs(&W.mentee, W.prog1, 0), BN_EDENIED);
    assert_int_equal(stats_get(&aud, W.prog1), BN_EDENIED);
    assert_int_equal(stats_pairs(&aud, W.prog1, 0), BN_EDENIED);
    client_free(&aud);
    assert_int_equal(stats_get(&W.admin, 0), BN_ENOTFOUND);
    assert_int_equal(stats_get(&W.admin, 999), BN_ENOTFOUND);
    assert_int_equal(stats_pairs(&W.admin, 999, 0), BN_ENOTFOUND);
    assert_int_equal(stats_pairs(&W.admin, W.prog1, UINT64_MAX), 0);
    assert_int_equal(W.admin.rep.u.stats_pairs.items.len, 0);
}

/* ---- paging: many pairs, written straight into the store -------------- */

struct many {
    uint64_t prog, mentor, mentee;
    unsigned n;
};

/* Pairs as PAIR_CREATE makes them (without members: only the statistics
 * read these), through the same hook. */
static int write_many(MDB_txn *txn, void *arg)
{
    struct many *mp = arg;
    bnd_store *st = W.srv->store;
    for (unsigned i = 0; i < mp->n; i++) {
        bn_rec_pair p;
        uint64_t id;
        int rc = bnd_counter_next(st, txn, "pair", &id);
        if (rc != 0)
            return rc;
        memset(&p, 0, sizeof p);
        p.id = id;
        p.programme_id = mp->prog;
        p.mentor_id = mp->mentor;
        p.mentee_id = mp->mentee;
        p.status = BN_PAIR_PENDING;
        p.epoch = 1;
        p.created = bn_now();
        rc = bnd_rec_put(st, txn, bnd_key_pairs(id), &p, MDB_NOOVERWRITE);
        if (rc == 0)
            rc = bnd_stats_pair_created(st, txn, id, mp->prog, p.status);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void test_paging(void **state)
{
    struct many mp;
    (void)state;
    mp.prog = programme("Paged programme", "charter");
    mp.mentor = W.mentor.account;
    mp.mentee = W.mentee.account;
    mp.n = BN_PAGE_MAX + 150;
    assert_int_equal(bnd_store_write(W.srv->store, write_many, &mp), 0);

    uint64_t after = 0, last = 0;
    unsigned pages = 0, rows = 0;
    for (;;) {
        assert_int_equal(stats_pairs(&W.admin, mp.prog, after), 0);
        const bn_stats_pairs *p = &W.admin.rep.u.stats_pairs;
        assert_true(p->items.len <= BN_PAGE_MAX);
        for (uint32_t i = 0; i < p->items.len; i++) {
            assert_true(p->items.v[i].pair_id > last);
            last = p->items.v[i].pair_id;
            assert_string_equal(p->items.v[i].mentor_name.ptr, "Marc");
        }
        rows += p->items.len;
        pages++;
        if (!p->more)
            break;
        assert_int_equal(p->items.len, BN_PAGE_MAX);
        after = last;
    }
    assert_int_equal(rows, mp.n);
    assert_int_equal(pages, 2);
    assert_int_equal(now_counts(mp.prog).pairs_pending, mp.n);
    /* other programmes' pairs never show */
    assert_int_equal(stats_pairs(&W.admin, W.prog2, 0), 0);
    assert_int_equal(W.admin.rep.u.stats_pairs.items.len, 0);
}

/* ---- equivalence with a recount -------------------------------------------
 */

#define MAXP 64        /* programmes */
#define MAXPAIR 4096   /* pair ids */
#define MONTHS0 24000u /* 2000-01 */

static struct recount {
    bn_rec_prog_stats prog[MAXP];
    uint32_t month[MAXP][BND_STATS_MONTHS_MAX][3];
    bn_rec_pair_stats pair[MAXPAIR];
    uint64_t pair_prog[MAXPAIR];
} R;

static int rc_account(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                      void *arg)
{
    bn_rec_account a;
    (void)k, (void)arg;
    assert_int_equal(bnd_rec_decode(v, &bn_desc_rec_account, &a, &cx->arena),
                     0);
    assert_true(a.programme_id < MAXP);
    if (a.programme_id != 0 && a.role == BN_ROLE_MENTOR)
        R.prog[a.programme_id].mentors++;
    if (a.programme_id != 0 && a.role == BN_ROLE_MENTEE)
        R.prog[a.programme_id].mentees++;
    return 0;
}

static int rc_pair(bnd_ctx *cx, const MDB_val *k, const MDB_val *v, void *arg)
{
    bn_rec_pair p;
    (void)k, (void)arg;
    assert_int_equal(bnd_rec_decode(v, &bn_desc_rec_pair, &p, &cx->arena), 0);
    assert_true(p.id < MAXPAIR && p.programme_id < MAXP);
    bn_rec_prog_stats *g = &R.prog[p.programme_id];
    uint32_t *c[] = {NULL,
                     &g->pairs_pending,
                     &g->pairs_active,
                     &g->pairs_completed,
                     &g->pairs_withdrawn,
                     &g->pairs_erased};
    (*c[p.status])++;
    R.pair_prog[p.id] = p.programme_id;
    R.pair[p.id].pair_id = p.id;
    R.pair[p.id].programme_id = p.programme_id;
    return 0;
}

static int rc_session(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                      void *arg)
{
    bn_rec_session s;
    (void)k, (void)arg;
    assert_int_equal(bnd_rec_decode(v, &bn_desc_rec_session, &s, &cx->arena),
                     0);
    uint64_t prog = R.pair_prog[s.pair_id];
    bn_rec_prog_stats *g = &R.prog[prog];
    bn_rec_pair_stats *ps = &R.pair[s.pair_id];
    uint32_t m = bnd_stats_month(s.date) - MONTHS0;
    /* The rules, stated again here (bnd_stats.h): held with both members
     * absent is a cancelled session; absences only on held ones. */
    int both = s.absent == (BN_ABSENT_MENTOR | BN_ABSENT_MENTEE);
    if (s.status != BN_SESSION_HELD)
        s.absent = 0;
    else if (both)
        s.status = BN_SESSION_CANCELLED;
    R.month[prog][m][s.status - 1]++;
    switch (s.status) {
    case BN_SESSION_HELD:
        g->sessions_held++, ps->sessions_held++;
        if (ps->first_held == 0 || s.date < ps->first_held)
            ps->first_held = s.date;
        if (s.date > ps->last_held)
            ps->last_held = s.date;
        break;
    case BN_SESSION_PLANNED:
        g->sessions_planned++, ps->sessions_planned++;
        break;
    default:
        g->sessions_cancelled++, ps->sessions_cancelled++;
    }
    if (s.absent & BN_ABSENT_MENTOR)
        g->absent_mentor++, ps->absent_mentor++;
    if (s.absent & BN_ABSENT_MENTEE)
        g->absent_mentee++, ps->absent_mentee++;
    return 0;
}

static int rc_objective(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                        void *arg)
{
    bn_rec_objective o;
    (void)k, (void)arg;
    assert_int_equal(bnd_rec_decode(v, &bn_desc_rec_objective, &o, &cx->arena),
                     0);
    uint64_t prog = R.pair_prog[o.pair_id];
    R.prog[prog].objectives_defined++;
    R.pair[o.pair_id].objectives_defined++;
    if (o.status == BN_OBJECTIVE_REACHED) {
        R.prog[prog].objectives_reached++;
        R.pair[o.pair_id].objectives_reached++;
    }
    return 0;
}

/* Recounts everything from the facts and compares with the counters. */
static void check_recount(void)
{
    bnd_ctx cx;
    memset(&R, 0, sizeof R);
    memset(&cx, 0, sizeof cx);
    cx.st = W.srv->store;
    assert_int_equal(bnd_store_read_begin(cx.st, &cx.txn), 0);
    /* each database whole: from its smallest key, no prefix */
    assert_int_equal(
        bnd_scan_key(&cx, bnd_key_accounts(0), 0, rc_account, NULL), 0);
    assert_int_equal(bnd_scan_key(&cx, bnd_key_pairs(0), 0, rc_pair, NULL), 0);
    assert_int_equal(
        bnd_scan_key(&cx, bnd_key_sessions(0, 0), 0, rc_session, NULL), 0);
    assert_int_equal(
        bnd_scan_key(&cx, bnd_key_objectives(0, 0), 0, rc_objective, NULL), 0);
    uint64_t nprog = 0;
    assert_int_equal(bnd_counter_get(cx.st, cx.txn, "programme", &nprog), 0);
    for (uint64_t g = 1; g <= nprog; g++) {
        bn_rec_prog_stats got, *want = &R.prog[g];
        assert_int_equal(bnd_stats_prog_get(cx.st, cx.txn, g, &got, &cx.arena),
                         0);
#define P_CMP(n) assert_int_equal(got.n, want->n);
        PROG_COUNTERS(P_CMP)
        uint32_t j = 0;
        for (uint32_t m = 0; m < BND_STATS_MONTHS_MAX; m++) {
            const uint32_t *w = R.month[g][m];
            if (w[0] == 0 && w[1] == 0 && w[2] == 0)
                continue;
            assert_true(j < got.months.len);
            assert_int_equal(got.months.v[j].month, m + MONTHS0);
            assert_int_equal(got.months.v[j].planned, w[0]);
            assert_int_equal(got.months.v[j].held, w[1]);
            assert_int_equal(got.months.v[j].cancelled, w[2]);
            j++;
        }
        assert_int_equal(j, got.months.len);
    }
    uint64_t npair = 0;
    assert_int_equal(bnd_counter_get(cx.st, cx.txn, "pair", &npair), 0);
    assert_true(npair < MAXPAIR);
    for (uint64_t p = 1; p <= npair; p++) {
        bn_rec_pair_stats got, *want = &R.pair[p];
        assert_int_equal(bnd_stats_pair_get(cx.st, cx.txn, p, R.pair_prog[p],
                                            &got, &cx.arena),
                         0);
        assert_memory_equal(&got, want, sizeof got);
    }
    bnd_store_read_end(cx.st, cx.txn);
    bn_arena_free(&cx.arena);
}

/* Every counter of every programme and pair, as the store holds them
 * (a copy: the months are copied into the snapshot). */
#define SNAP_PROGS 16
#define SNAP_PAIRS MAXPAIR
static struct snap {
    bn_rec_prog_stats prog[SNAP_PROGS];
    struct bn_stats_month months[SNAP_PROGS][128];
    bn_rec_pair_stats pair[SNAP_PAIRS];
    int has_pair[SNAP_PAIRS];
    uint64_t nprog, npair;
} S1, S2;

static int snap_pair(bnd_ctx *cx, const MDB_val *k, const MDB_val *v, void *arg)
{
    struct snap *sn = arg;
    bn_rec_pair_stats ps;
    (void)k;
    assert_int_equal(
        bnd_rec_decode(v, &bn_desc_rec_pair_stats, &ps, &cx->arena), 0);
    assert_true(ps.pair_id < SNAP_PAIRS);
    sn->pair[ps.pair_id] = ps;
    sn->has_pair[ps.pair_id] = 1;
    return 0;
}

static void snapshot(struct snap *sn)
{
    bnd_ctx cx;
    memset(sn, 0, sizeof *sn);
    memset(&cx, 0, sizeof cx);
    cx.st = W.srv->store;
    assert_int_equal(bnd_store_read_begin(cx.st, &cx.txn), 0);
    assert_int_equal(bnd_counter_get(cx.st, cx.txn, "programme", &sn->nprog),
                     0);
    assert_true(sn->nprog < SNAP_PROGS);
    for (uint64_t g = 1; g <= sn->nprog; g++) {
        bn_rec_prog_stats *p = &sn->prog[g];
        assert_int_equal(bnd_stats_prog_get(cx.st, cx.txn, g, p, &cx.arena), 0);
        assert_true(p->months.len <= 128);
        if (p->months.len > 0)
            memcpy(sn->months[g], p->months.v,
                   p->months.len * sizeof *p->months.v);
        p->months.v = NULL;
    }
    assert_int_equal(
        bnd_scan_key(&cx, bnd_key_pair_stats(0, 0), 0, snap_pair, sn), 0);
    bnd_store_read_end(cx.st, cx.txn);
    bn_arena_free(&cx.arena);
}

static void same_snapshot(const struct snap *a, const struct snap *b)
{
    assert_int_equal(a->nprog, b->nprog);
    for (uint64_t g = 1; g <= a->nprog; g++) {
        const bn_rec_prog_stats *x = &a->prog[g], *y = &b->prog[g];
#define S_CMP(n) assert_int_equal(x->n, y->n);
        PROG_COUNTERS(S_CMP)
        assert_int_equal(x->months.len, y->months.len);
        assert_memory_equal(a->months[g], b->months[g],
                            x->months.len * sizeof a->months[g][0]);
    }
    for (size_t p = 0; p < SNAP_PAIRS; p++) {
        assert_int_equal(a->has_pair[p], b->has_pair[p]);
        assert_memory_equal(&a->pair[p], &b->pair[p], sizeof a->pair[p]);
    }
}

static int recount_fn(MDB_txn *txn, void *arg)
{
    (void)arg;
    return bnd_stats_recount(W.srv->store, txn);
}

/* The server's own recount (what `binomed upgrade` and a daemon opening
 * an older directory run) gives exactly the counters the writes kept. */
static void check_store_recount(void)
{
    snapshot(&S1);
    assert_int_equal(bnd_store_write(W.srv->store, recount_fn, NULL), 0);
    snapshot(&S2);
    same_snapshot(&S1, &S2);
}

/* The server's recount brings the counters back to want. */
static void check_store_recount_to(const struct snap *want)
{
    assert_int_equal(bnd_store_write(W.srv->store, recount_fn, NULL), 0);
    snapshot(&S2);
    same_snapshot(want, &S2);
}

/* Random sessions, updates, objectives and pair ends on fresh pairs of
 * both programmes; then the counters equal the recount, the test's own
 * (check_recount) and the server's (check_store_recount). Sessions of
 * every status with every absence, so held sessions both members missed
 * and absences on cancelled or planned sessions come up often. */
static void test_equivalence(void **state)
{
    tclient ment[2], mtee[2];
    uint64_t pairs[2], sessions[2][64], objs[2][16];
    unsigned ns[2] = {0, 0}, no[2] = {0, 0};
    (void)state;

    check_recount(); /* what the earlier tests left */

    join_as(&ment[0], W.prog1, BN_ROLE_MENTOR, "Rita");
    join_as(&mtee[0], W.prog1, BN_ROLE_MENTEE, "Remy");
    join_as(&ment[1], W.prog2, BN_ROLE_MENTOR, "Sara");
    join_as(&mtee[1], W.prog2, BN_ROLE_MENTEE, "Saul");
    uint64_t progs[2] = {W.prog1, W.prog2};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(
            pair_create(progs[i], ment[i].account, mtee[i].account, &pairs[i]),
            0);
        use_charter(progs[i]);
        activate(pairs[i], &ment[i], &mtee[i]);
        assert_int_equal(pair_start(pairs[i], WORLD_EARLY_START), 0);
    }
    uint32_t seed = 12345;
#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
    for (int step = 0; step < 160; step++) {
        int i = RND() % 2;
        tclient *c = RND() % 2 ? &ment[i] : &mtee[i];
        unsigned op = RND() % 10;
        uint8_t status = (uint8_t)(1 + RND() % 3), absent = RND() % 4;
        if (op < 4 && ns[i] < 64) {
            uint32_t d = day(2024, 1, 1) + RND() % 700;
            assert_int_equal(session_add(c, pairs[i], d, status, absent), 0);
            sessions[i][ns[i]++] = c->rep.u.session.session.id;
        } else if (op < 7 && ns[i] > 0) {
            uint64_t s = sessions[i][RND() % ns[i]];
            assert_int_equal(
                session_update(c, pairs[i], s, status, absent, NULL), 0);
        } else if (op < 8 && no[i] < 16) {
            uint64_t id = 0x1000 + (uint64_t)step;
            assert_int_equal(objective_add(c, pairs[i], id, NULL, NULL), 0);
            objs[i][no[i]++] = id;
        } else if (no[i] > 0) {
            assert_int_equal(
                objective_reach(c, pairs[i], objs[i][RND() % no[i]]), 0);
        }
        if (step % 40 == 39) {
            check_recount();
            check_store_recount();
        }
    }
    assert_int_equal(pair_end(&mtee[1], pairs[1], BN_END_WITHDRAWN), 0);
    assert_int_equal(erase_both(&ment[1], &mtee[1], pairs[1]), 0);
    check_recount();
    check_store_recount();
    for (int i = 0; i < 2; i++) {
        client_free(&ment[i]);
        client_free(&mtee[i]);
    }
}

/* ---- what a session counts (issue 13) ----------------------------------- */

struct truth {
    uint32_t held, planned, cancelled, abs_mentor, abs_mentee, first, last;
};

/* The pair's row and its programme's counters (the programme has only
 * this pair) both say t. */
static void says(uint64_t prog, uint64_t pair, struct truth t)
{
    struct counts c = now_counts(prog);
    assert_int_equal(c.sessions_held, t.held);
    assert_int_equal(c.sessions_planned, t.planned);
    assert_int_equal(c.sessions_cancelled, t.cancelled);
    assert_int_equal(c.absent_mentor, t.abs_mentor);
    assert_int_equal(c.absent_mentee, t.abs_mentee);
    bn_stats_pair r = pair_row(prog, pair);
    assert_int_equal(r.sessions_held, t.held);
    assert_int_equal(r.sessions_planned, t.planned);
    assert_int_equal(r.sessions_cancelled, t.cancelled);
    assert_int_equal(r.absent_mentor, t.abs_mentor);
    assert_int_equal(r.absent_mentee, t.abs_mentee);
    assert_int_equal(r.first_held, t.first);
    assert_int_equal(r.last_held, t.last);
    check_store_recount(); /* and the recount agrees at every step */
}

/* Held with both members absent is not held (it counts as cancelled, and
 * is neither the first nor the last meeting); absences count only on
 * held sessions. Every path that changes a session: add, planned ->
 * held, held -> cancelled, attendance changed on a held session (both
 * ways), a retried update, in an order that moves the last held day
 * back and forth. */
static void test_held_means_met(void **state)
{
    tclient ment, mtee;
    uint64_t prog, pair, sid1, sid3;
    const uint8_t both = BN_ABSENT_MENTOR | BN_ABSENT_MENTEE;
    uint32_t d0 = day(2025, 1, 6), d1 = day(2025, 2, 3), d2 = day(2025, 3, 3),
             d3 = day(2025, 4, 7);
    (void)state;

    prog = programme("Truth", "We meet when we say we met.");
    join_as(&ment, prog, BN_ROLE_MENTOR, "Tess");
    join_as(&mtee, prog, BN_ROLE_MENTEE, "Theo");
    assert_int_equal(pair_create(prog, ment.account, mtee.account, &pair), 0);
    activate(pair, &ment, &mtee);
    assert_int_equal(pair_start(pair, WORLD_EARLY_START), 0);

    /* added held, both absent: no held session, two absences */
    assert_int_equal(session_add(&ment, pair, d1, BN_SESSION_HELD, both), 0);
    sid1 = ment.rep.u.session.session.id;
    says(prog, pair, (struct truth){0, 0, 1, 1, 1, 0, 0});
    /* a held one, the mentor absent */
    assert_int_equal(
        session_add(&ment, pair, d0, BN_SESSION_HELD, BN_ABSENT_MENTOR), 0);
    says(prog, pair, (struct truth){1, 0, 1, 2, 1, d0, d0});
    /* cancelled with both absent, planned with the mentee absent: no
     * absence counts */
    assert_int_equal(session_add(&mtee, pair, d2, BN_SESSION_CANCELLED, both),
                     0);
    assert_int_equal(
        session_add(&mtee, pair, d3, BN_SESSION_PLANNED, BN_ABSENT_MENTEE), 0);
    sid3 = mtee.rep.u.session.session.id;
    says(prog, pair, (struct truth){1, 1, 2, 2, 1, d0, d0});
    /* planned -> held: it is the last meeting, its absence counts */
    assert_int_equal(session_update(&mtee, pair, sid3, BN_SESSION_HELD,
                                    BN_ABSENT_MENTEE, NULL),
                     0);
    says(prog, pair, (struct truth){2, 0, 2, 2, 2, d0, d3});
    /* attendance corrected on the last held session: both absent, so the
     * last meeting goes back to d0 */
    assert_int_equal(
        session_update(&ment, pair, sid3, BN_SESSION_HELD, both, NULL), 0);
    says(prog, pair, (struct truth){1, 0, 3, 3, 2, d0, d0});
    /* attendance corrected the other way on d1: the mentee came */
    assert_int_equal(session_update(&ment, pair, sid1, BN_SESSION_HELD,
                                    BN_ABSENT_MENTOR, NULL),
                     0);
    says(prog, pair, (struct truth){2, 0, 2, 3, 1, d0, d1});
    /* the same update again (a retry): nothing moves */
    assert_int_equal(session_update(&ment, pair, sid1, BN_SESSION_HELD,
                                    BN_ABSENT_MENTOR, NULL),
                     0);
    says(prog, pair, (struct truth){2, 0, 2, 3, 1, d0, d1});
    /* held -> cancelled, its absence kept on the record: it counts none */
    assert_int_equal(session_update(&mtee, pair, sid1, BN_SESSION_CANCELLED,
                                    BN_ABSENT_MENTOR, NULL),
                     0);
    says(prog, pair, (struct truth){1, 0, 3, 2, 1, d0, d0});

    /* the months: d1, d2, d3 cancelled; d0 held */
    assert_int_equal(stats_get(&W.admin, prog), 0);
    const bn_stats *s = &W.admin.rep.u.stats;
    assert_int_equal(s->months.len, 4);
    assert_int_equal(s->months.v[0].held, 1);
    for (int i = 1; i < 4; i++) {
        assert_int_equal(s->months.v[i].held, 0);
        assert_int_equal(s->months.v[i].cancelled, 1);
    }
    check_recount();
    client_free(&ment);
    client_free(&mtee);
}

/* Counters kept under the rules before issue 13 (meta has no "stats"):
 * the daemon's start recounts them; once marked, it leaves them be. */
static int age_counters(MDB_txn *txn, void *arg)
{
    bnd_store *st = W.srv->store;
    bn_rec_pair_stats ps;
    void *arena = NULL;
    int rc;

    if (arg == NULL) {
        rc = bnd_rec_del(st, txn, bnd_key_meta(BND_META_STATS));
        if (rc != 0)
            return rc;
    }
    rc = bnd_stats_pair_get(st, txn, W.pair_a, W.prog1, &ps, &arena);
    if (rc == 0) {
        ps.sessions_held += 7; /* what an older count could say */
        ps.last_held = day(2199, 1, 1);
        rc =
            bnd_rec_put(st, txn, bnd_key_pair_stats(W.prog1, W.pair_a), &ps, 0);
    }
    bn_arena_free(&arena);
    return rc;
}

static void test_recount_at_open(void **state)
{
    MDB_txn *txn;
    uint32_t v = 0;
    (void)state;

    /* the world's daemon opened a new directory: it is marked */
    assert_int_equal(bnd_store_read_begin(W.srv->store, &txn), 0);
    assert_int_equal(bnd_stats_counting(W.srv->store, txn, &v), 0);
    bnd_store_read_end(W.srv->store, txn);
    assert_int_equal(v, BND_STATS_COUNTING);

    snapshot(&S1);
    assert_int_equal(bnd_store_write(W.srv->store, age_counters, NULL), 0);
    snapshot(&S2);
    assert_int_equal(S2.pair[W.pair_a].sessions_held,
                     S1.pair[W.pair_a].sessions_held + 7);
    assert_int_equal(bnd_stats_open(W.srv->store), 0); /* recounts */
    snapshot(&S2);
    same_snapshot(&S1, &S2);

    /* marked: the start recounts nothing */
    assert_int_equal(bnd_store_write(W.srv->store, age_counters, "marked"), 0);
    assert_int_equal(bnd_stats_open(W.srv->store), 0);
    snapshot(&S2);
    assert_int_equal(S2.pair[W.pair_a].sessions_held,
                     S1.pair[W.pair_a].sessions_held + 7);
    check_store_recount_to(&S1);
}

BN_UNIT_GROUP(srv_stats);
