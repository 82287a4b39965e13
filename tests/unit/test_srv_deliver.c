/* test_srv_deliver: the structure-level deliverables of a pairing (issue
 * 14) on the server: an objective's target date (set by its add and its
 * edits, range-checked, listed) and the objectives overdue and reached on
 * time; a document marked as the self-diagnosis by its final chunk
 * (listed, counted, gone with the document); follow-up sessions, taken
 * only on a completed pair after its end, listed as such and counted
 * apart from the pairing's own sessions, a recount included. */
#define WORLD_EARLY_START 18262u /* 2020-01-01 */
#include "test_srv_world.h"
#include "test_list.h"

#include <inttypes.h>

#include "bnd_stats.h"

/* ---- objectives ------------------------------------------------------- */

static int objective_write(tclient *c, uint16_t type, uint64_t pair,
                           uint64_t id, uint32_t date, uint32_t target)
{
    bn_note_ad ad = {pair, id, 1, c->account, BN_AD_KIND_OBJECTIVE, 0, 0};
    uint8_t *env;
    size_t len;
    bn_msg m;
    assert_int_equal(bn_envelope_seal(&env, &len, W.pair_key, 1, &ad,
                                      (const uint8_t *)"objective", 9,
                                      c->id->sign_sk),
                     0);
    bn_msg_init(&m, type, 0);
    /* objective_add and objective_edit have the same fields */
    m.u.objective_add.pair_id = pair;
    m.u.objective_add.objective_id = id;
    m.u.objective_add.epoch = 1;
    m.u.objective_add.envelope = (bn_bin){env, (uint32_t)len};
    m.u.objective_add.date = date;
    m.u.objective_add.target_date = target;
    int rc = call_logged(c, &m, pair);
    free(env);
    return rc;
}

static int close_objective(tclient *c, uint16_t type, uint64_t pair,
                           uint64_t id, uint32_t date)
{
    bn_msg m;
    bn_msg_init(&m, type, 0);
    /* objective_reach and objective_abandon have the same fields */
    m.u.objective_reach.pair_id = pair;
    m.u.objective_reach.objective_id = id;
    m.u.objective_reach.date = date;
    return call_logged(c, &m, pair);
}

static uint32_t target_of(tclient *c, uint64_t pair, uint64_t id)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_OBJECTIVE_LIST, 0);
    m.u.objective_list.pair_id = pair;
    assert_int_equal(call(c, &m), 0);
    for (uint32_t i = 0; i < c->rep.u.objectives.items.len; i++)
        if (c->rep.u.objectives.items.v[i].id == id)
            return c->rep.u.objectives.items.v[i].target_date;
    fail_msg("objective %" PRIx64 " not listed", id);
    return 0;
}

static bn_stats stats(uint64_t prog)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_STATS_GET, 0);
    m.u.stats_get.programme_id = prog;
    assert_int_equal(call(&W.admin, &m), 0);
    return W.admin.rep.u.stats;
}

/* Targets set, changed, taken away, checked; overdue and on time counted
 * on the server's day, per pair and in total. */
static void test_targets(void **state)
{
    (void)state;
    uint32_t today = bn_date_today();
    uint64_t p = W.pair_a;

    activate(p, &W.mentor, &W.mentee);
    /* A: due yesterday, open: overdue. B: due in ten days. C: due five
     * days ago, reached six days ago: on time. D: due twenty days ago,
     * reached ten days ago: late, not overdue. E: due three days ago,
     * abandoned: neither. F: no target. */
    assert_int_equal(objective_write(&W.mentor, BN_MSG_OBJECTIVE_ADD, p, 0xa,
                                     today - 30, today - 1),
                     0);
    assert_int_equal(objective_write(&W.mentor, BN_MSG_OBJECTIVE_ADD, p, 0xb,
                                     today - 30, today + 10),
                     0);
    assert_int_equal(objective_write(&W.mentee, BN_MSG_OBJECTIVE_ADD, p, 0xc,
                                     today - 30, today - 5),
                     0);
    assert_int_equal(objective_write(&W.mentee, BN_MSG_OBJECTIVE_ADD, p, 0xd,
                                     today - 30, today - 20),
                     0);
    assert_int_equal(objective_write(&W.mentee, BN_MSG_OBJECTIVE_ADD, p, 0xe,
                                     today - 30, today - 3),
                     0);
    assert_int_equal(
        objective_write(&W.mentee, BN_MSG_OBJECTIVE_ADD, p, 0xf, today - 30, 0),
        0);
    assert_int_equal(
        close_objective(&W.mentor, BN_MSG_OBJECTIVE_REACH, p, 0xc, today - 6),
        0);
    assert_int_equal(
        close_objective(&W.mentor, BN_MSG_OBJECTIVE_REACH, p, 0xd, today - 10),
        0);
    assert_int_equal(
        close_objective(&W.mentor, BN_MSG_OBJECTIVE_ABANDON, p, 0xe, today - 2),
        0);
    assert_int_equal(target_of(&W.mentee, p, 0xb), today + 10);
    assert_int_equal(target_of(&W.mentee, p, 0xf), 0);

    bn_stats_pair row = stats_row(W.prog1, p);
    assert_int_equal(row.objectives_overdue, 1);
    assert_int_equal(row.objectives_on_time, 1);
    bn_stats s = stats(W.prog1);
    assert_int_equal(s.objectives_overdue, 1);
    assert_int_equal(s.objectives_on_time, 1);

    /* Out of range, before the definition: refused, nothing written. */
    assert_int_equal(objective_write(&W.mentor, BN_MSG_OBJECTIVE_ADD, p, 0x10,
                                     today - 30, today - 31),
                     BN_EDATE);
    said(&W.mentor, "before the day it is defined");
    assert_int_equal(objective_write(&W.mentor, BN_MSG_OBJECTIVE_ADD, p, 0x10,
                                     today - 30, 5),
                     BN_EDATE);
    /* A target far in the future is fine (unlike the defined date). */
    assert_int_equal(objective_write(&W.mentor, BN_MSG_OBJECTIVE_ADD, p, 0x10,
                                     today - 30, today + 3000),
                     0);

    /* An edit puts A off (no longer overdue), then takes B's away. */
    assert_int_equal(objective_write(&W.mentor, BN_MSG_OBJECTIVE_EDIT, p, 0xa,
                                     today - 30, today + 5),
                     0);
    assert_int_equal(target_of(&W.mentor, p, 0xa), today + 5);
    assert_int_equal(stats_row(W.prog1, p).objectives_overdue, 0);
    assert_int_equal(objective_write(&W.mentor, BN_MSG_OBJECTIVE_EDIT, p, 0xb,
                                     today - 30, 0),
                     0);
    assert_int_equal(target_of(&W.mentor, p, 0xb), 0);
    assert_int_equal(objective_write(&W.mentor, BN_MSG_OBJECTIVE_EDIT, p, 0xb,
                                     today - 30, today - 40),
                     BN_EDATE);
    /* The reached one reopened: overdue again (its target passed). */
    bn_msg m;
    bn_msg_init(&m, BN_MSG_OBJECTIVE_REOPEN, 0);
    m.u.objective_reopen.pair_id = p;
    m.u.objective_reopen.objective_id = 0xc;
    assert_int_equal(call_logged(&W.mentor, &m, p), 0);
    row = stats_row(W.prog1, p);
    assert_int_equal(row.objectives_overdue, 1);
    assert_int_equal(row.objectives_on_time, 0);
    /* Another programme counts none of them. */
    assert_int_equal(stats(W.prog2).objectives_overdue, 0);
}

/* ---- the self-diagnosis ----------------------------------------------- */

/* Uploads a one-chunk document of pair_a marked kind on date: the
 * request's answer. */
static int doc_put(tclient *c, uint64_t doc, uint8_t kind, uint32_t date,
                   int final)
{
    bn_note_ad ad = {W.pair_a, doc, 1, c->account, BN_AD_KIND_DOC_KEY, 0, 0};
    uint8_t key[32], header[BN_DOC_STREAM_HEADER_BYTES], pt[100];
    static uint8_t out[BN_DOC_CHUNK_MAX];
    uint8_t *kenv, *henv;
    size_t klen, hlen;
    bn_doc_stream st;
    bn_msg m;
    int rc;

    bn_doc_key_generate(key);
    assert_int_equal(bn_doc_push_init(&st, header, key), 0);
    assert_int_equal(bn_envelope_seal(&kenv, &klen, W.pair_key, 1, &ad, key, 32,
                                      c->id->sign_sk),
                     0);
    ad.kind = BN_AD_KIND_DOC_HEADER;
    assert_int_equal(bn_envelope_seal(&henv, &hlen, key, 1, &ad,
                                      (const uint8_t *)"diagnosis.pdf", 13,
                                      c->id->sign_sk),
                     0);
    bn_msg_init(&m, BN_MSG_DOC_BEGIN, 0);
    m.u.doc_begin.pair_id = W.pair_a;
    m.u.doc_begin.doc_id = doc;
    m.u.doc_begin.epoch = 1;
    m.u.doc_begin.key_env = (bn_bin){kenv, (uint32_t)klen};
    m.u.doc_begin.header_env = (bn_bin){henv, (uint32_t)hlen};
    memcpy(m.u.doc_begin.stream_header, header, sizeof header);
    assert_int_equal(call(c, &m), 0);
    memset(pt, 7, sizeof pt);
    assert_int_equal(bn_doc_push(&st, out, doc, pt, sizeof pt, final), 0);
    bn_msg_init(&m, BN_MSG_DOC_CHUNK, 0);
    m.u.doc_chunk.pair_id = W.pair_a;
    m.u.doc_chunk.doc_id = doc;
    m.u.doc_chunk.data =
        (bn_bin){out, (uint32_t)(sizeof pt + BN_DOC_CHUNK_OVERHEAD)};
    m.u.doc_chunk.final = (uint8_t) final;
    m.u.doc_chunk.kind = kind;
    m.u.doc_chunk.date = date;
    rc = final ? call_logged(c, &m, W.pair_a) : call(c, &m);
    free(kenv);
    free(henv);
    bn_doc_stream_wipe(&st);
    return rc;
}

/* The mark of doc as DOC_LIST serves it: kind * 100000 + date. */
static uint64_t mark_of(tclient *c, uint64_t doc)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_DOC_LIST, 0);
    m.u.doc_list.pair_id = W.pair_a;
    assert_int_equal(call(c, &m), 0);
    for (uint32_t i = 0; i < c->rep.u.docs.items.len; i++) {
        const bn_doc_meta *d = &c->rep.u.docs.items.v[i];
        if (d->doc_id == doc)
            return (uint64_t)d->kind * 100000 + d->date;
    }
    fail_msg("document %" PRIx64 " not listed", doc);
    return 0;
}

static void test_diagnosis(void **state)
{
    (void)state;
    uint32_t today = bn_date_today();

    activate(W.pair_a, &W.mentor, &W.mentee);
    /* A mark on a chunk that is not the last, a date on a plain
     * document, a future day, an unknown kind: refused. */
    assert_int_equal(doc_put(&W.mentor, 0x71, BN_DOC_DIAGNOSIS, today, 0),
                     BN_EINVAL);
    assert_int_equal(doc_put(&W.mentor, 0x72, BN_DOC_PLAIN, today, 1),
                     BN_EINVAL);
    assert_int_equal(doc_put(&W.mentor, 0x73, BN_DOC_DIAGNOSIS, today + 5, 1),
                     BN_EDATE);
    assert_int_equal(doc_put(&W.mentor, 0x74, BN_DOC_DIAGNOSIS, 0, 1),
                     BN_EDATE);
    assert_int_equal(stats_row(W.prog1, W.pair_a).diagnosis_date, 0);

    assert_int_equal(doc_put(&W.mentee, 0x75, BN_DOC_PLAIN, 0, 1), 0);
    assert_int_equal(doc_put(&W.mentor, 0x76, BN_DOC_DIAGNOSIS, today - 9, 1),
                     0);
    assert_int_equal(mark_of(&W.mentee, 0x76),
                     BN_DOC_DIAGNOSIS * 100000u + today - 9);
    assert_int_equal(mark_of(&W.mentee, 0x75), 0);
    assert_int_equal(stats_row(W.prog1, W.pair_a).diagnosis_date, today - 9);
    assert_int_equal(stats(W.prog1).pairs_with_diagnosis, 1);
    /* A later one is the pair's date; still one pair. */
    assert_int_equal(doc_put(&W.mentee, 0x77, BN_DOC_DIAGNOSIS, today - 2, 1),
                     0);
    assert_int_equal(stats_row(W.prog1, W.pair_a).diagnosis_date, today - 2);
    assert_int_equal(stats(W.prog1).pairs_with_diagnosis, 1);
    assert_int_equal(stats_row(W.prog1, W.pair_b).diagnosis_date, 0);
    /* The mentee erases what she wrote: her mark goes with her document. */
    assert_int_equal(erase_ask(&W.mentee, W.pair_a, 1), 0);
    assert_int_equal(stats_row(W.prog1, W.pair_a).diagnosis_date, today - 9);
}

/* ---- follow-up sessions ----------------------------------------------- */

static int follow_up(tclient *c, uint64_t pair, uint32_t date, uint8_t status)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_SESSION_ADD, 0);
    m.u.session_add.pair_id = pair;
    m.u.session_add.date = date;
    m.u.session_add.status = status;
    m.u.session_add.follow_up = 1;
    return call_logged(c, &m, pair);
}

struct end_at {
    uint64_t pair;
    uint32_t day;
};

/* Dates pair's end on day (the operator's hand: the pair ended a year
 * ago, and its members meet again now). */
static int set_end(MDB_txn *txn, void *arg)
{
    struct end_at *e = arg;
    bn_rec_pair p;
    void *arena = NULL;
    int rc = bnd_rec_get(W.srv->store, txn, bnd_key_pairs(e->pair), &p, &arena);
    if (rc == 0) {
        p.end_date = e->day;
        rc = bnd_rec_put(W.srv->store, txn, bnd_key_pairs(e->pair), &p, 0);
    }
    bn_arena_free(&arena);
    return rc;
}

static int recount(MDB_txn *txn, void *arg)
{
    (void)arg;
    return bnd_stats_recount(W.srv->store, txn);
}

static void test_follow_ups(void **state)
{
    (void)state;
    uint32_t today = bn_date_today();
    uint64_t p = W.pair_a;

    activate(p, &W.mentor, &W.mentee);
    assert_int_equal(session_add(&W.mentor, p, today - 300, BN_SESSION_HELD, 0),
                     0);
    /* Not while the pair runs. */
    assert_int_equal(follow_up(&W.mentor, p, today, BN_SESSION_HELD),
                     BN_EINVAL);
    said(&W.mentor, "after the pair completed");
    assert_int_equal(pair_end(&W.mentor, p, BN_END_COMPLETED), 0);
    struct end_at e = {p, today - 200};
    assert_int_equal(bnd_store_write(W.srv->store, set_end, &e), 0);
    bn_stats before = stats(W.prog1);

    /* Not on or before the end; no ordinary session; no update after. */
    assert_int_equal(follow_up(&W.mentee, p, today - 200, BN_SESSION_HELD),
                     BN_EDATE);
    assert_int_equal(session_add(&W.mentee, p, today - 100, BN_SESSION_HELD, 0),
                     BN_EENDED);
    assert_int_equal(follow_up(&W.mentee, p, today - 20, BN_SESSION_HELD), 0);
    bn_session_info fu = W.mentee.rep.u.session.session;
    assert_true(fu.follow_up);
    assert_int_equal(follow_up(&W.mentor, p, today + 150, BN_SESSION_PLANNED),
                     0);
    assert_int_equal(follow_up(&W.mentor, p, today - 10, BN_SESSION_CANCELLED),
                     0);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_SESSION_UPDATE, 0);
    m.u.session_update.pair_id = p;
    m.u.session_update.session_id = fu.id;
    m.u.session_update.status = BN_SESSION_CANCELLED;
    assert_int_equal(call_logged(&W.mentor, &m, p), BN_EENDED);

    /* Listed as follow-ups; the pairing's own session is not one. */
    bn_msg_init(&m, BN_MSG_SESSION_LIST, 0);
    m.u.session_list.pair_id = p;
    assert_int_equal(call(&W.mentor, &m), 0);
    assert_int_equal(W.mentor.rep.u.sessions.items.len, 4);
    for (uint32_t i = 0; i < 4; i++) {
        const bn_session_info *s = &W.mentor.rep.u.sessions.items.v[i];
        assert_int_equal(s->follow_up, s->date != today - 300);
    }

    /* Counted apart: the pairing's sessions, months and last meeting do
     * not move; a recount leaves them so. */
    for (int pass = 0; pass < 2; pass++) {
        bn_stats s = stats(W.prog1);
        assert_int_equal(s.sessions_held, before.sessions_held);
        assert_int_equal(s.sessions_planned, before.sessions_planned);
        assert_int_equal(s.sessions_cancelled, before.sessions_cancelled);
        assert_int_equal(s.months.len, before.months.len);
        assert_int_equal(s.follow_ups_held, 1);
        assert_int_equal(s.follow_ups_planned, 1);
        bn_stats_pair row = stats_row(W.prog1, p);
        assert_int_equal(row.sessions_held, 1);
        assert_int_equal(row.last_held, today - 300);
        assert_int_equal(row.follow_ups_held, 1);
        assert_int_equal(row.follow_ups_planned, 1);
        assert_int_equal(stats_row(W.prog1, W.pair_b).follow_ups_held, 0);
        assert_int_equal(bnd_store_write(W.srv->store, recount, NULL), 0);
    }

    /* A withdrawn pair takes none. */
    activate(W.pair_b, &W.mentor2, &W.mentee2);
    assert_int_equal(pair_end(&W.mentee2, W.pair_b, BN_END_WITHDRAWN), 0);
    assert_int_equal(
        follow_up(&W.mentor2, W.pair_b, today + 30, BN_SESSION_PLANNED),
        BN_EENDED);
}

BN_UNIT_GROUP(srv_deliver);
