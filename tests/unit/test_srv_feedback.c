/* test_srv_feedback: the structure's signature of a programme's charter
 * (STRUCTURE_SIGN, PAIR_CHARTER) and the end-of-pairing questionnaire
 * (QUESTIONNAIRE_SET, _GET, _ANSWER, FEEDBACK_GET): answers folded five
 * at a time, no one's answer kept at rest, once per member and pair
 * (issue 13). */
#include "test_srv_world.h"
#include "test_list.h"

#include <inttypes.h>

static tclient m3, e3;
static uint64_t pair_c;

/* sign_charter: client c signs prog's charter (hash h) on date for the
 * structure, with its own key; returns the call's status. */
static int sign_charter(tclient *c, uint64_t prog, const uint8_t h[32],
                        uint32_t date)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_STRUCTURE_SIGN, 0);
    m.u.structure_sign.programme_id = prog;
    m.u.structure_sign.date = date;
    memcpy(m.u.structure_sign.charter_hash, h, 32);
    assert_int_equal(bn_charter_prog_sign(m.u.structure_sign.sig, prog, h, date,
                                          c->account, c->id->sign_sk),
                     0);
    return call(c, &m);
}

static int set_questions(tclient *c, uint64_t prog, const char **qs, size_t n)
{
    bn_question q[BN_QUESTIONS_MAX + 1];
    bn_msg m;
    for (size_t i = 0; i < n; i++) {
        q[i].text.ptr = qs[i];
        q[i].text.len = (uint32_t)strlen(qs[i]);
    }
    bn_msg_init(&m, BN_MSG_QUESTIONNAIRE_SET, 0);
    m.u.questionnaire_set.programme_id = prog;
    m.u.questionnaire_set.questions.v = q;
    m.u.questionnaire_set.questions.len = (uint32_t)n;
    return call(c, &m);
}

static int answer(tclient *c, uint64_t pair, const char *ratings, uint8_t obj)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_QUESTIONNAIRE_ANSWER, 0);
    m.u.questionnaire_answer.pair_id = pair;
    m.u.questionnaire_answer.ratings.ptr = (const uint8_t *)ratings;
    m.u.questionnaire_answer.ratings.len = (uint32_t)strlen(ratings);
    m.u.questionnaire_answer.objectives = obj;
    return call(c, &m);
}

static int feedback(uint64_t prog)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_FEEDBACK_GET, 0);
    m.u.feedback_get.programme_id = prog;
    return call(&W.admin, &m);
}

/* The questionnaire record as stored, decoded into rec (arena freed by
 * the caller with bn_arena_free... kept for the test's life). */
static bn_rec_questionnaire stored_q;
static void *stored_arena;
static int read_q(MDB_txn *txn, void *arg)
{
    (void)arg;
    return bnd_rec_get(W.srv->store, txn, bnd_key_questionnaires(W.prog1),
                       &stored_q, &stored_arena);
}
static void load_stored(void)
{
    assert_int_equal(bnd_store_write(W.srv->store, read_q, NULL), 0);
}

/* A third pair (m3, e3) and the three pairs ended: pair_a completed,
 * pair_b withdrawn, pair_c completed. */
static void three_ended_pairs(void)
{
    join_as(&m3, W.prog1, BN_ROLE_MENTOR, "Pia");
    join_as(&e3, W.prog1, BN_ROLE_MENTEE, "Raul");
    assert_int_equal(pair_create(W.prog1, m3.account, e3.account, &pair_c), 0);
    activate(W.pair_a, &W.mentor, &W.mentee);
    activate(W.pair_b, &W.mentor2, &W.mentee2);
    activate(pair_c, &m3, &e3);
    assert_int_equal(pair_end(&W.mentor, W.pair_a, BN_END_COMPLETED), 0);
    assert_int_equal(pair_end(&W.mentee2, W.pair_b, BN_END_WITHDRAWN), 0);
    assert_int_equal(pair_end(&m3, pair_c, BN_END_COMPLETED), 0);
}

/* overfill: the operator writes a fifth answer into the stored pool (a
 * full pool is folded when it fills, so the server never leaves one). */
static int overfill(MDB_txn *txn, void *arg)
{
    bn_rec_questionnaire q;
    void *arena = NULL;
    (void)arg;
    int rc = bnd_rec_get(W.srv->store, txn, bnd_key_questionnaires(W.prog1), &q,
                         &arena);
    if (rc == 0) {
        bn_pending_answer five[BN_QUESTIONNAIRE_BATCH];
        memcpy(five, q.pool.v, sizeof *five * q.pool.len);
        five[q.pool.len] = five[0];
        q.pool.v = five;
        q.pool.len++;
        rc = bnd_rec_put(W.srv->store, txn, bnd_key_questionnaires(W.prog1), &q,
                         0);
    }
    bn_arena_free(&arena);
    return rc;
}

/* A pool the operator filled on disk is refused as corrupt, by the next
 * answer (it would overflow the room for one more) and by the
 * aggregates; the daemon goes on serving. */
static void test_tampered_pool(void **state)
{
    const char *qs[] = {"Useful?"};
    (void)state;

    three_ended_pairs();
    assert_int_equal(set_questions(&W.admin, W.prog1, qs, 1), 0);
    assert_int_equal(answer(&W.mentor, W.pair_a, "\4", 1), 0);
    assert_int_equal(answer(&W.mentee, W.pair_a, "\5", 1), 0);
    assert_int_equal(answer(&W.mentor2, W.pair_b, "\3", 1), 0);
    assert_int_equal(answer(&W.mentee2, W.pair_b, "\2", 1), 0);
    assert_int_equal(bnd_store_write(W.srv->store, overfill, NULL), 0);
    assert_int_equal(answer(&m3, pair_c, "\5", 1), BN_ECORRUPT);
    assert_int_equal(feedback(W.prog1), BN_ECORRUPT);
    assert_int_equal(pair_get(&W.mentor, W.pair_a), 0); /* still serving */
}

/* The structure signs: only an administrator, over the current charter,
 * with a signature that verifies under the signer's key; the members read
 * it with the signer's key, and it verifies over their programme. */
static void test_structure_signs(void **state)
{
    uint32_t today = bn_date_today();
    uint8_t wrong[32];
    (void)state;

    assert_int_equal(pair_get(&W.mentor, W.pair_a), 0);
    memcpy(W.charter_hash, W.mentor.rep.u.pair_detail.charter_hash, 32);
    /* not signed yet */
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_CHARTER, 0);
    m.u.pair_charter.pair_id = W.pair_a;
    assert_int_equal(call(&W.mentor, &m), 0);
    assert_false(W.mentor.rep.u.structure_sig.is_signed);
    assert_int_equal(feedback(W.prog1), 0);
    assert_false(W.admin.rep.u.feedback.charter_signed);

    assert_int_equal(sign_charter(&W.mentor, W.prog1, W.charter_hash, today),
                     BN_EDENIED);
    memcpy(wrong, W.charter_hash, 32);
    wrong[0] ^= 1;
    assert_int_equal(sign_charter(&W.admin, W.prog1, wrong, today),
                     BN_ECONFLICT);
    assert_int_equal(sign_charter(&W.admin, W.prog1, W.charter_hash, today + 5),
                     BN_EDATE);
    /* a signature by someone else's key does not pass */
    bn_msg_init(&m, BN_MSG_STRUCTURE_SIGN, 0);
    m.u.structure_sign.programme_id = W.prog1;
    m.u.structure_sign.date = today;
    memcpy(m.u.structure_sign.charter_hash, W.charter_hash, 32);
    assert_int_equal(
        bn_charter_prog_sign(m.u.structure_sign.sig, W.prog1, W.charter_hash,
                             today, W.admin.account, W.mentor.id->sign_sk),
        0);
    assert_int_equal(call(&W.admin, &m), BN_ESIG);
    /* a member's pair signature is not the structure's (domains differ) */
    assert_int_equal(bn_charter_sign(m.u.structure_sign.sig, W.prog1,
                                     W.charter_hash, today, W.admin.account,
                                     W.admin.id->sign_sk),
                     0);
    assert_int_equal(call(&W.admin, &m), BN_ESIG);

    assert_int_equal(sign_charter(&W.admin, W.prog1, W.charter_hash, today), 0);
    bn_msg_init(&m, BN_MSG_PAIR_CHARTER, 0);
    m.u.pair_charter.pair_id = W.pair_a;
    assert_int_equal(call(&W.mentee, &m), 0);
    const bn_structure_sig *s = &W.mentee.rep.u.structure_sig;
    assert_true(s->is_signed);
    assert_int_equal(s->programme_id, W.prog1);
    assert_int_equal(s->account_id, W.admin.account);
    assert_int_equal(s->date, today);
    assert_memory_equal(s->sign_pk, W.admin.id->sign_pk, 32);
    assert_int_equal(bn_charter_prog_verify(s->sig, W.prog1, W.charter_hash,
                                            s->date, s->account_id, s->sign_pk),
                     0);
    /* over another programme it does not verify */
    assert_int_equal(bn_charter_prog_verify(s->sig, W.prog2, W.charter_hash,
                                            s->date, s->account_id, s->sign_pk),
                     BN_ESIG);
    /* an administrator reads no pair's charter; a stranger's pair is none */
    assert_int_equal(call(&W.admin, &m), BN_EDENIED);
    m.u.pair_charter.pair_id = W.pair_b;
    assert_int_equal(call(&W.mentee, &m), BN_ENOTFOUND);
    assert_int_equal(feedback(W.prog1), 0);
    assert_true(W.admin.rep.u.feedback.charter_signed);
    assert_true(W.admin.rep.u.feedback.charter_current);
    assert_int_equal(W.admin.rep.u.feedback.charter_date, today);
    assert_int_equal(W.admin.rep.u.feedback.charter_by, W.admin.account);
    /* the other programme is not signed */
    assert_int_equal(feedback(W.prog2), 0);
    assert_false(W.admin.rep.u.feedback.charter_signed);
}

/* Who may set, read and answer the questionnaire, and when. */
static void test_questionnaire_rules(void **state)
{
    const char *qs[] = {"Useful?", "Got on?", "Recommend?", "4", "5",
                        "6",       "7",       "8",          "9"};
    (void)state;

    assert_int_equal(set_questions(&W.mentor, W.prog1, qs, 3), BN_EDENIED);
    /* 9 questions: the codec refuses to encode them (BN_ECOUNT) */
    const char *ctl[] = {"bad\x1b[31m"};
    assert_int_equal(set_questions(&W.admin, W.prog1, ctl, 1), BN_EINVAL);
    assert_int_equal(set_questions(&W.admin, W.prog1, qs, 3), 0);
    /* no answer on an active pair */
    activate(W.pair_a, &W.mentor, &W.mentee);
    assert_int_equal(answer(&W.mentor, W.pair_a, "\1\2\3", 1), BN_ENOTACCEPTED);
    assert_int_equal(pair_end(&W.mentee, W.pair_a, BN_END_WITHDRAWN), 0);
    /* an administrator never answers; a stranger's pair is none */
    assert_int_equal(answer(&W.admin, W.pair_a, "\1\2\3", 1), BN_EDENIED);
    assert_int_equal(answer(&W.mentor2, W.pair_a, "\1\2\3", 1), BN_ENOTFOUND);
    /* one rating per question, each 1 to 5; objectives 1 to 3 */
    assert_int_equal(answer(&W.mentor, W.pair_a, "\1\2", 1), BN_EINVAL);
    assert_int_equal(answer(&W.mentor, W.pair_a, "\1\6\3", 1), BN_EINVAL);
    assert_int_equal(answer(&W.mentor, W.pair_a, "\1\2\3", 0), BN_EINVAL);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_QUESTIONNAIRE_GET, 0);
    m.u.questionnaire_get.pair_id = W.pair_a;
    assert_int_equal(call(&W.mentor, &m), 0);
    assert_int_equal(W.mentor.rep.u.questionnaire.questions.len, 3);
    assert_false(W.mentor.rep.u.questionnaire.answered);
    assert_int_equal(answer(&W.mentor, W.pair_a, "\1\2\3", 1), 0);
    assert_int_equal(call(&W.mentor, &m), 0);
    assert_true(W.mentor.rep.u.questionnaire.answered);
    /* once only */
    assert_int_equal(answer(&W.mentor, W.pair_a, "\5\5\5", 1), BN_EEXIST);
    /* the questions no longer change */
    assert_int_equal(set_questions(&W.admin, W.prog1, qs, 2), BN_ECONFLICT);
    /* a programme without a questionnaire */
    assert_int_equal(feedback(W.prog2), 0);
    assert_int_equal(W.admin.rep.u.feedback.questions.len, 0);
}

/* Four answers: nothing counted, nothing shown, and the stored pool holds
 * no account, pair or order of arrival. The fifth folds all five: the
 * counts and means computed by hand. */
static void test_fold_by_five(void **state)
{
    const char *qs[] = {"Useful?", "Got on?", "Recommend?"};
    (void)state;

    three_ended_pairs();
    assert_int_equal(set_questions(&W.admin, W.prog1, qs, 3), 0);
    /* Q1..Q3: 4,5,3 yes; 5,5,2 partly; 3,4,1 no; 2,4,5 yes; 5,3,4 yes */
    assert_int_equal(answer(&W.mentor, W.pair_a, "\4\5\3", 1), 0);
    assert_int_equal(answer(&W.mentee, W.pair_a, "\5\5\2", 2), 0);
    assert_int_equal(answer(&W.mentor2, W.pair_b, "\3\4\1", 3), 0);
    assert_int_equal(answer(&W.mentee2, W.pair_b, "\2\4\5", 1), 0);
    assert_int_equal(feedback(W.prog1), 0);
    const bn_feedback *f = &W.admin.rep.u.feedback;
    assert_int_equal(f->answers, 0);
    assert_int_equal(f->pending, 4);
    assert_int_equal(f->rated.len, 0);
    assert_int_equal(
        f->objectives_yes + f->objectives_partly + f->objectives_no, 0);
    load_stored();
    assert_int_equal(stored_q.pool.len, 4);
    assert_int_equal(stored_q.answers, 0);
    /* sorted by value, not by arrival: 2,4,5 < 3,4,1 < 4,5,3 < 5,5,2 */
    assert_memory_equal(stored_q.pool.v[0].ratings.ptr, "\2\4\5", 3);
    assert_memory_equal(stored_q.pool.v[1].ratings.ptr, "\3\4\1", 3);
    assert_memory_equal(stored_q.pool.v[2].ratings.ptr, "\4\5\3", 3);
    assert_memory_equal(stored_q.pool.v[3].ratings.ptr, "\5\5\2", 3);
    for (uint32_t i = 0; i < stored_q.rated.len; i++)
        assert_int_equal(stored_q.rated.v[i].r1 + stored_q.rated.v[i].r2 +
                             stored_q.rated.v[i].r3 + stored_q.rated.v[i].r4 +
                             stored_q.rated.v[i].r5,
                         0);

    assert_int_equal(answer(&m3, pair_c, "\5\3\4", 1), 0);
    assert_int_equal(feedback(W.prog1), 0);
    f = &W.admin.rep.u.feedback;
    assert_int_equal(f->answers, 5);
    assert_int_equal(f->pending, 0);
    assert_int_equal(f->rated.len, 3);
    /* Q1 4,5,3,2,5: 0 1 1 1 2; Q2 5,5,4,4,3: 0 0 1 2 2; Q3 3,2,1,5,4 */
    const uint32_t want[3][5] = {
        {0, 1, 1, 1, 2}, {0, 0, 1, 2, 2}, {1, 1, 1, 1, 1}};
    for (int q = 0; q < 3; q++) {
        const bn_rating_counts *r = &f->rated.v[q];
        assert_int_equal(r->r1, want[q][0]);
        assert_int_equal(r->r2, want[q][1]);
        assert_int_equal(r->r3, want[q][2]);
        assert_int_equal(r->r4, want[q][3]);
        assert_int_equal(r->r5, want[q][4]);
    }
    assert_int_equal(f->objectives_yes, 3);
    assert_int_equal(f->objectives_partly, 1);
    assert_int_equal(f->objectives_no, 1);
    load_stored();
    assert_int_equal(stored_q.pool.len, 0);
    assert_int_equal(stored_q.answers, 5);

    /* a sixth answer waits: the counters do not move by one */
    assert_int_equal(answer(&e3, pair_c, "\1\1\1", 3), 0);
    assert_int_equal(feedback(W.prog1), 0);
    assert_int_equal(W.admin.rep.u.feedback.answers, 5);
    assert_int_equal(W.admin.rep.u.feedback.pending, 1);
    assert_int_equal(W.admin.rep.u.feedback.rated.v[0].r1, 0);
    client_free(&m3);
    client_free(&e3);
}

BN_UNIT_GROUP(srv_feedback);
