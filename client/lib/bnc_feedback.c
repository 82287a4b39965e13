/*
 * bnc_feedback.c: the convention's three signatures of the charter (the
 * structure's and the members'), checked on the client, and the
 * programme's end-of-pairing questionnaire (issue 13).
 */
#include "bnc_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- the charter's signatures ------------------------------------------ */

int bnc_charter_sign_programme(bnc_client *c, uint64_t programme_id,
                               uint8_t hash[BNC_HASH_BYTES])
{
    uint8_t h[BN_HASH_BYTES];
    uint32_t today = bn_date_today();
    bnc_programme prog;
    char *charter = NULL;
    bn_msg req, rep = {0};
    int rc;

    rc = bnc_programme_get(c, programme_id, &prog, &charter);
    if (rc != 0)
        return rc;
    bn_hash(h, (const uint8_t *)charter, strlen(charter));
    free(charter);
    if (prog.id != programme_id ||
        sodium_memcmp(h, prog.charter_hash, sizeof h) != 0)
        return BN_EAUTH;
    bn_msg_init(&req, BN_MSG_STRUCTURE_SIGN, 0);
    req.u.structure_sign.programme_id = programme_id;
    req.u.structure_sign.date = today;
    memcpy(req.u.structure_sign.charter_hash, h, sizeof h);
    rc = bn_charter_prog_sign(req.u.structure_sign.sig, programme_id, h, today,
                              c->me.id, c->profile->id->sign_sk);
    if (rc == 0)
        rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_OK);
    if (rc == 0 && hash != NULL)
        memcpy(hash, h, sizeof h);
    bn_msg_free(&rep);
    return rc;
}

/* member_sig fills one member's signature from the acceptance p holds,
 * checked against the member's key and the charter text's hash h. */
static void member_sig(const bnc_pair *p, const bnc_member *m,
                       const uint8_t h[BN_HASH_BYTES], bnc_signature *o)
{
    memset(o, 0, sizeof o[0]);
    o->account_id = m->account_id;
    o->role = m->role;
    memcpy(o->name, m->name, sizeof o->name);
    for (size_t i = 0; i < p->naccepts; i++) {
        if (p->accepts[i].account_id != m->account_id)
            continue;
        o->is_signed = 1;
        o->date = p->accepts[i].date;
        o->valid = bn_charter_verify(p->accepts[i].sig, p->info.id, h, o->date,
                                     m->account_id, m->sign_pk) == 0;
    }
}

int bnc_pair_signatures(bnc_client *c, const bnc_pair *p,
                        bnc_signature *structure, bnc_signature *members,
                        size_t *nmembers)
{
    uint8_t h[BN_HASH_BYTES];
    bn_msg req, rep = {0};
    size_t n = 0;
    int rc;

    bnc_pair_charter_hash(p, h);
    /* mentor first, then mentee, then any other current member */
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < p->nmembers && n < BNC_SIGNERS_MAX; i++) {
            const bnc_member *m = &p->members[i];
            int want = pass == 0   ? m->role == BN_ROLE_MENTOR
                       : pass == 1 ? m->role == BN_ROLE_MENTEE
                                   : m->role != BN_ROLE_MENTOR &&
                                         m->role != BN_ROLE_MENTEE;
            if (want && m->to_epoch == 0)
                member_sig(p, m, h, &members[n++]);
        }
    *nmembers = n;

    memset(structure, 0, sizeof *structure);
    structure->role = BN_ROLE_ADMIN;
    bn_msg_init(&req, BN_MSG_PAIR_CHARTER, 0);
    req.u.pair_charter.pair_id = p->info.id;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_STRUCTURE_SIG);
    if (rc == 0 && rep.u.structure_sig.programme_id != p->info.programme_id)
        rc = BN_EPROTO;
    if (rc == 0 && rep.u.structure_sig.is_signed) {
        const bn_structure_sig *s = &rep.u.structure_sig;
        structure->is_signed = 1;
        structure->account_id = s->account_id;
        bnc__copy_str(structure->name, sizeof structure->name, s->name);
        structure->date = s->date;
        /* Over this pair's programme and the charter text this client
         * holds: a signature of another programme or another text, or a
         * signature or key changed on the server, does not verify. */
        structure->valid =
            bn_charter_prog_verify(s->sig, p->info.programme_id, h, s->date,
                                   s->account_id, s->sign_pk) == 0;
    }
    bn_msg_free(&rep);
    return rc;
}

/* ---- the questionnaire ----------------------------------------------------
 */

const char *bnc_objectives_met_name(uint8_t v)
{
    return v == BNC_OBJECTIVES_MET_YES      ? "yes"
           : v == BNC_OBJECTIVES_MET_PARTLY ? "partly"
           : v == BNC_OBJECTIVES_MET_NO     ? "no"
                                            : "";
}

int bnc_objectives_met_parse(const char *s, uint8_t *v)
{
    for (uint8_t i = 1; i <= BN_OBJECTIVES_MET_MAX; i++)
        if (s != NULL && strcmp(s, bnc_objectives_met_name(i)) == 0) {
            *v = i;
            return 0;
        }
    return BN_EINVAL;
}

int bnc_questionnaire_set(bnc_client *c, uint64_t programme_id,
                          const char *const *questions, size_t n)
{
    bn_question q[BN_QUESTIONS_MAX];
    bn_msg req, rep = {0};
    int rc;

    if (n > BN_QUESTIONS_MAX)
        return BN_EINVAL;
    for (size_t i = 0; i < n; i++) {
        rc = questions[i] == NULL
                 ? BN_EINVAL
                 : bnc_text_check(questions[i], strlen(questions[i]),
                                  BN_QUESTION_MAX);
        if (rc == 0 && questions[i][0] == '\0')
            rc = BN_EINVAL;
        if (rc != 0)
            return rc;
        q[i].text.ptr = questions[i];
        q[i].text.len = (uint32_t)strlen(questions[i]);
    }
    bn_msg_init(&req, BN_MSG_QUESTIONNAIRE_SET, 0);
    req.u.questionnaire_set.programme_id = programme_id;
    req.u.questionnaire_set.questions.v = q;
    req.u.questionnaire_set.questions.len = (uint32_t)n;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_OK);
    bn_msg_free(&rep);
    return rc;
}

int bnc_questionnaire_get(bnc_client *c, uint64_t pair_id,
                          bnc_questionnaire *out)
{
    bn_msg req, rep = {0};
    int rc;

    memset(out, 0, sizeof *out);
    bn_msg_init(&req, BN_MSG_QUESTIONNAIRE_GET, 0);
    req.u.questionnaire_get.pair_id = pair_id;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_QUESTIONNAIRE);
    if (rc == 0) {
        const bn_questionnaire *q = &rep.u.questionnaire;
        for (uint32_t i = 0; i < q->questions.len; i++)
            bnc__copy_str(out->questions[i], sizeof out->questions[i],
                          q->questions.v[i].text);
        out->nquestions = q->questions.len;
        out->answered = q->answered;
    }
    bn_msg_free(&rep);
    return rc;
}

int bnc_questionnaire_answer(bnc_client *c, uint64_t pair_id,
                             const uint8_t *ratings, size_t n,
                             uint8_t objectives)
{
    bn_msg req, rep = {0};
    int rc;

    if (n > BN_QUESTIONS_MAX || objectives < 1 ||
        objectives > BN_OBJECTIVES_MET_MAX)
        return BN_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (ratings[i] < 1 || ratings[i] > BN_RATING_MAX)
            return BN_EINVAL;
    bn_msg_init(&req, BN_MSG_QUESTIONNAIRE_ANSWER, 0);
    req.u.questionnaire_answer.pair_id = pair_id;
    req.u.questionnaire_answer.ratings.ptr = ratings;
    req.u.questionnaire_answer.ratings.len = (uint32_t)n;
    req.u.questionnaire_answer.objectives = objectives;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_OK);
    bn_msg_free(&rep);
    return rc;
}

int bnc_feedback_fetch(bnc_client *c, uint64_t programme_id, bnc_feedback *out)
{
    bn_msg req, rep = {0};
    int rc;

    memset(out, 0, sizeof *out);
    bn_msg_init(&req, BN_MSG_FEEDBACK_GET, 0);
    req.u.feedback_get.programme_id = programme_id;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_FEEDBACK);
    if (rc != 0)
        goto cleanup;
    const bn_feedback *f = &rep.u.feedback;
    /* Counts come in whole batches, one per question when there are any. */
    if (f->answers % BN_QUESTIONNAIRE_BATCH != 0 ||
        (f->rated.len != 0 && f->rated.len != f->questions.len) ||
        (f->answers > 0 && f->rated.len != f->questions.len)) {
        rc = BN_EPROTO;
        goto cleanup;
    }
    out->charter_signed = f->charter_signed;
    out->charter_current = f->charter_current;
    out->charter_by = f->charter_by;
    out->charter_date = f->charter_date;
    for (uint32_t i = 0; i < f->questions.len; i++)
        bnc__copy_str(out->questions[i], sizeof out->questions[i],
                      f->questions.v[i].text);
    out->nquestions = f->questions.len;
    out->answers = f->answers;
    out->pending = f->pending;
    for (uint32_t i = 0; i < f->rated.len; i++) {
        const bn_rating_counts *r = &f->rated.v[i];
        out->rated[i][0] = r->r1;
        out->rated[i][1] = r->r2;
        out->rated[i][2] = r->r3;
        out->rated[i][3] = r->r4;
        out->rated[i][4] = r->r5;
    }
    out->objectives_yes = f->objectives_yes;
    out->objectives_partly = f->objectives_partly;
    out->objectives_no = f->objectives_no;
cleanup:
    bn_msg_free(&rep);
    return rc;
}

double bnc_feedback_mean(const bnc_feedback *f, size_t q)
{
    uint64_t n = 0, sum = 0;

    if (q >= f->nquestions || q >= BNC_QUESTIONS_MAX)
        return 0;
    for (unsigned r = 0; r < 5; r++) {
        n += f->rated[q][r];
        sum += (uint64_t)f->rated[q][r] * (r + 1);
    }
    return n ? (double)sum / (double)n : 0;
}
