/*
 * bnd_h_feedback.c: the structure's signature of a programme's charter
 * (the convention's third signature) and the programme's end-of-pairing
 * questionnaire (issue 13).
 *
 * The questionnaire keeps no one's answer at rest: an answer waits in the
 * programme's pool, which holds no account, no pair and no time and is
 * kept sorted (not in order of arrival), until BN_QUESTIONNAIRE_BATCH
 * answers wait; then all of them are added to the counters at once and
 * the pool is emptied. The counters therefore only ever move by a whole
 * batch, so no one can difference two readings to get one answer. The
 * answered database says that a member answered for a pair (so that no
 * one answers twice), and nothing of what they answered. The server does
 * see each answer in the request that carries it (SECURITY.md).
 */
#include <stdlib.h>
#include <string.h>

#include "bn_text.h"
#include "bnd_handlers.h"

/* STRUCTURE_SIGN: an administrator signs the programme's current charter for
 * the structure. The signature must verify against the administrator's
 * key and the hash must be the programme's charter hash (BN_ECONFLICT:
 * the charter the client read is not the current one). Signing again
 * replaces the signature. */
int bnd_h_charter_sign(bnd_ctx *cx, const bn_msg *req)
{
    const bn_structure_sign *r = &req->u.structure_sign;
    bn_rec_prog_accept acc;
    bn_rec_programme p;
    bn_rec_account a;
    int rc;

    rc = bnd_get_programme(cx, r->programme_id, &p);
    if (rc != 0)
        return rc;
    if (r->date < BN_DATE_MIN || r->date > BN_DATE_MAX ||
        r->date + 1 < cx->today || r->date > cx->today + 1)
        return BN_EDATE;
    if (memcmp(r->charter_hash, p.charter_hash, sizeof p.charter_hash) != 0) {
        cx->errmsg = "the charter signed is not the programme's charter: "
                     "read the programme again";
        return BN_ECONFLICT;
    }
    rc = bnd_get_account(cx, cx->actor.account_id, &a);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    if (bn_charter_prog_verify(r->sig, p.id, r->charter_hash, r->date, a.id,
                               a.sign_pk) != 0)
        return BN_ESIG;
    memset(&acc, 0, sizeof acc);
    acc.programme_id = p.id;
    acc.account_id = a.id;
    acc.date = r->date;
    memcpy(acc.charter_hash, r->charter_hash, sizeof acc.charter_hash);
    memcpy(acc.sig, r->sig, sizeof acc.sig);
    acc.time = cx->now;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_prog_accepts(p.id), &acc, 0);
    if (rc != 0)
        return rc;
    cx->rep->u.ok.value = p.id;
    return 0;
}

/* PAIR_CHARTER: a member reads the structure's signature of the pair's
 * programme's charter, with the signer's name and public key as the
 * server has them (is_signed false: not signed yet). The client checks
 * it; the server gives it as stored. */
int bnd_h_pair_charter(bnd_ctx *cx, const bn_msg *req)
{
    bn_structure_sig *o = &cx->rep->u.structure_sig;
    bn_rec_prog_accept acc;
    bn_rec_account a;
    bn_rec_pair p;
    int rc;

    rc = bnd_member_pair(cx, req->u.pair_charter.pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    o->programme_id = p.programme_id;
    rc = bnd_rec_get(cx->st, cx->txn, bnd_key_prog_accepts(p.programme_id),
                     &acc, &cx->arena);
    if (rc == BN_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    rc = bnd_get_account(cx, acc.account_id, &a);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    o->is_signed = 1;
    o->account_id = acc.account_id;
    o->name = a.name;
    memcpy(o->sign_pk, a.sign_pk, sizeof o->sign_pk);
    o->date = acc.date;
    memcpy(o->charter_hash, acc.charter_hash, sizeof o->charter_hash);
    memcpy(o->sig, acc.sig, sizeof o->sig);
    return 0;
}

/* get_questionnaire loads programme id's questionnaire: BN_ENOTFOUND when
 * it has none; BN_ECORRUPT for a record whose counters do not fit its
 * questions. */
static int get_questionnaire(bnd_ctx *cx, uint64_t id, bn_rec_questionnaire *q)
{
    int rc =
        bnd_rec_get(cx->st, cx->txn, bnd_key_questionnaires(id), q, &cx->arena);
    if (rc != 0)
        return rc;
    if (q->programme_id != id || q->rated.len != q->questions.len ||
        q->pool.len >= BN_QUESTIONNAIRE_BATCH ||
        q->answers % BN_QUESTIONNAIRE_BATCH != 0)
        return BN_ECORRUPT;
    for (uint32_t i = 0; i < q->pool.len; i++)
        if (q->pool.v[i].ratings.len != q->questions.len)
            return BN_ECORRUPT;
    return 0;
}

/* QUESTIONNAIRE_SET: an administrator sets the programme's questions (0 to
 * BN_QUESTIONS_MAX printable texts; the fixed question on the objectives
 * is always asked). Refused once someone answered: the answers would no
 * longer mean the same. */
int bnd_h_questionnaire_set(bnd_ctx *cx, const bn_msg *req)
{
    const bn_questionnaire_set *r = &req->u.questionnaire_set;
    bn_rec_questionnaire q;
    bn_rec_programme p;
    int rc;

    rc = bnd_get_programme(cx, r->programme_id, &p);
    if (rc != 0)
        return rc;
    for (uint32_t i = 0; i < r->questions.len; i++)
        if (!bnd_name_ok(r->questions.v[i].text, 0)) {
            cx->errmsg = "a question is 1 to " BN_STRINGIFY(
                BN_QUESTION_MAX) " bytes of printable text";
            return BN_EINVAL;
        }
    rc = get_questionnaire(cx, p.id, &q);
    if (rc == 0 && (q.answers > 0 || q.pool.len > 0)) {
        cx->errmsg = "this programme's questionnaire has answers already: "
                     "its questions can no longer change";
        return BN_ECONFLICT;
    }
    if (rc != 0 && rc != BN_ENOTFOUND)
        return rc;
    memset(&q, 0, sizeof q);
    q.programme_id = p.id;
    q.questions.v = r->questions.v;
    q.questions.len = r->questions.len;
    q.rated.len = r->questions.len;
    q.rated.v = bnd_ctx_alloc(cx, sizeof *q.rated.v * BN_QUESTIONS_MAX);
    if (q.rated.v == NULL)
        return BN_ENOMEM;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_questionnaires(p.id), &q, 0);
    if (rc != 0)
        return rc;
    cx->rep->u.ok.value = r->questions.len;
    return 0;
}

/* ended_pair loads the caller's pair for the questionnaire: BN_ENOTACCEPTED
 * (with a message) while it has not ended. */
static int ended_pair(bnd_ctx *cx, uint64_t pair_id, bn_rec_pair *p)
{
    int rc = bnd_member_pair(cx, pair_id, p, NULL);
    if (rc != 0)
        return rc;
    if (p->status != BN_PAIR_COMPLETED && p->status != BN_PAIR_WITHDRAWN) {
        cx->errmsg = "the questionnaire is answered once the pair has ended "
                     "(completed or withdrawn)";
        return BN_ENOTACCEPTED;
    }
    return 0;
}

/* has_answered: 1 when the caller answered for pair, 0 when not, or an
 * error. */
static int has_answered(bnd_ctx *cx, uint64_t pair)
{
    MDB_val v;
    int rc = bnd_raw_get(cx->st, cx->txn,
                         bnd_key_answered(pair, cx->actor.account_id), &v);
    if (rc == BN_ENOTFOUND)
        return 0;
    return rc == 0 ? 1 : rc;
}

/* QUESTIONNAIRE_GET: a member of an ended pair reads its programme's
 * questions and whether they answered. */
int bnd_h_questionnaire_get(bnd_ctx *cx, const bn_msg *req)
{
    bn_questionnaire *o = &cx->rep->u.questionnaire;
    bn_rec_questionnaire q;
    bn_rec_pair p;
    int rc;

    rc = ended_pair(cx, req->u.questionnaire_get.pair_id, &p);
    if (rc == 0)
        rc = get_questionnaire(cx, p.programme_id, &q);
    if (rc == BN_ENOTFOUND) {
        cx->errmsg = "this programme has no questionnaire (the coordinator "
                     "sets it: 'binome admin questionnaire set')";
        return rc;
    }
    if (rc != 0)
        return rc;
    rc = has_answered(cx, p.id);
    if (rc < 0)
        return rc;
    o->answered = rc == 1;
    o->questions.v = q.questions.v;
    o->questions.len = q.questions.len;
    return 0;
}

/* answer_cmp orders pending answers by their bytes (the pool is kept
 * sorted: it does not keep the order of arrival). */
static int answer_cmp(const void *a, const void *b)
{
    const bn_pending_answer *x = a, *y = b;
    int c = memcmp(x->ratings.ptr, y->ratings.ptr, x->ratings.len);
    if (c != 0)
        return c;
    return (int)x->objectives - (int)y->objectives;
}

/* fold adds every answer of q's pool (a full batch) to its counters and
 * empties the pool. */
static void fold(bn_rec_questionnaire *q)
{
    for (uint32_t i = 0; i < q->pool.len; i++) {
        const bn_pending_answer *a = &q->pool.v[i];
        for (uint32_t j = 0; j < q->rated.len; j++) {
            bn_rating_counts *c = &q->rated.v[j];
            switch (((const uint8_t *)a->ratings.ptr)[j]) {
            case 1:
                c->r1++;
                break;
            case 2:
                c->r2++;
                break;
            case 3:
                c->r3++;
                break;
            case 4:
                c->r4++;
                break;
            default:
                c->r5++;
                break;
            }
        }
        if (a->objectives == BN_OBJECTIVES_MET_YES)
            q->objectives_yes++;
        else if (a->objectives == BN_OBJECTIVES_MET_PARTLY)
            q->objectives_partly++;
        else
            q->objectives_no++;
        q->answers++;
    }
    q->pool.len = 0;
}

/* QUESTIONNAIRE_ANSWER: a member of an ended pair answers once (BN_EEXIST
 * the second time): one rating, 1 to BN_RATING_MAX, per question, and
 * whether the objectives were met. The answer joins the pool; a full
 * pool folds into the counters (see the top of this file). */
int bnd_h_questionnaire_answer(bnd_ctx *cx, const bn_msg *req)
{
    const bn_questionnaire_answer *r = &req->u.questionnaire_answer;
    bn_pending_answer *pool;
    bn_rec_questionnaire q;
    bn_rec_pair p;
    int rc;

    rc = ended_pair(cx, r->pair_id, &p);
    if (rc == 0)
        rc = get_questionnaire(cx, p.programme_id, &q);
    if (rc == BN_ENOTFOUND)
        cx->errmsg = "this programme has no questionnaire";
    if (rc != 0)
        return rc;
    rc = has_answered(cx, p.id);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        cx->errmsg = "you have already answered the questionnaire for this "
                     "pair (once only)";
        return BN_EEXIST;
    }
    if (r->ratings.len != q.questions.len) {
        cx->errmsg = "one rating per question of the programme's "
                     "questionnaire";
        return BN_EINVAL;
    }
    for (uint32_t i = 0; i < r->ratings.len; i++) {
        uint8_t v = ((const uint8_t *)r->ratings.ptr)[i];
        if (v < 1 || v > BN_RATING_MAX) {
            cx->errmsg = "a rating is 1 to " BN_STRINGIFY(BN_RATING_MAX);
            return BN_EINVAL;
        }
    }
    if (r->objectives < 1) {
        cx->errmsg = "objectives met: yes, partly or no";
        return BN_EINVAL;
    }
    /* a full pool was folded when it filled: one on disk was not ours */
    if (q.pool.len >= BN_QUESTIONNAIRE_BATCH)
        return BN_ECORRUPT;
    pool = bnd_ctx_alloc(cx, sizeof *pool * BN_QUESTIONNAIRE_BATCH);
    if (pool == NULL)
        return BN_ENOMEM;
    if (q.pool.len > 0)
        memcpy(pool, q.pool.v, sizeof *pool * q.pool.len);
    pool[q.pool.len].ratings = r->ratings;
    pool[q.pool.len].objectives = r->objectives;
    q.pool.v = pool;
    q.pool.len++;
    if (q.pool.len == BN_QUESTIONNAIRE_BATCH)
        fold(&q);
    else
        qsort(q.pool.v, q.pool.len, sizeof *q.pool.v, answer_cmp);
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_questionnaires(q.programme_id),
                     &q, 0);
    if (rc == 0)
        rc =
            bnd_raw_put(cx->st, cx->txn,
                        bnd_key_answered(p.id, cx->actor.account_id), "", 0, 0);
    if (rc != 0)
        return rc;
    cx->rep->u.ok.value = p.id;
    return 0;
}

/* FEEDBACK_GET: for an administrator, whether the structure signed the
 * programme's charter (and whether it is the current charter) and the
 * questionnaire's questions and counters: only the folded counters,
 * which hold 0 or at least BN_QUESTIONNAIRE_BATCH answers, and how many
 * answers wait in the pool (a count, no value). */
int bnd_h_feedback_get(bnd_ctx *cx, const bn_msg *req)
{
    bn_feedback *o = &cx->rep->u.feedback;
    bn_rec_prog_accept acc;
    bn_rec_questionnaire q;
    bn_rec_programme p;
    int rc;

    rc = bnd_get_programme(cx, req->u.feedback_get.programme_id, &p);
    if (rc != 0)
        return rc;
    rc = bnd_rec_get(cx->st, cx->txn, bnd_key_prog_accepts(p.id), &acc,
                     &cx->arena);
    if (rc == 0) {
        o->charter_signed = 1;
        o->charter_by = acc.account_id;
        o->charter_date = acc.date;
        o->charter_current = memcmp(acc.charter_hash, p.charter_hash,
                                    sizeof p.charter_hash) == 0;
    } else if (rc != BN_ENOTFOUND) {
        return rc;
    }
    rc = get_questionnaire(cx, p.id, &q);
    if (rc == BN_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    o->questions.v = q.questions.v;
    o->questions.len = q.questions.len;
    o->answers = q.answers;
    o->pending = q.pool.len;
    o->objectives_yes = q.objectives_yes;
    o->objectives_partly = q.objectives_partly;
    o->objectives_no = q.objectives_no;
    if (q.answers >= BN_QUESTIONNAIRE_BATCH) {
        o->rated.v = q.rated.v;
        o->rated.len = q.rated.len;
    }
    return 0;
}
