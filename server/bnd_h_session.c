/* bnd_h_session.c: SESSION_ADD, SESSION_UPDATE, SESSION_LIST. Sessions
 * are plaintext facts (date, held/planned/cancelled, who was absent) that
 * the programme's statistics use; a session's id is the seq of the log
 * entry that made it. */
#include <inttypes.h>
#include <string.h>

#include "bnd_handlers.h"
#include "bnd_quota.h"
#include "bnd_stats.h"

static int valid_status(uint8_t status, uint8_t absent)
{
    return status >= BN_SESSION_PLANNED && status <= BN_SESSION_STATUS_MAX &&
           absent <= BN_ABSENT_MAX;
}

/* A SESSION_ADD that landed before (its entry is in the log): answer with
 * the session that entry made, whose id is the entry's seq. */
static int reply_landed(bnd_ctx *cx, uint64_t pair, uint64_t seq)
{
    bn_rec_session s;
    int rc = bnd_get_session(cx, pair, seq, &s);

    if (rc == BN_ENOTFOUND)
        return BN_ECONFLICT; /* the entry is not a SESSION_ADD's */
    if (rc != 0)
        return rc;
    bnd_project_session_info(&s, &cx->rep->u.session.session);
    return 0;
}

/*
 * check_date refuses (BN_EDATE, saying why) a session of pair p dated
 * before the pair's start as the coordinator set it (PAIR_START), or
 * outside its programme's dates when set. A start that is only the day of
 * the second acceptance is the day the software was first used, not
 * known to be the real start (pairs often meet on paper before): sessions
 * dated before it are taken, and the statistics count them from their
 * dates; once the coordinator sets the start, none may precede it.
 */
static int check_date(bnd_ctx *cx, const bn_rec_pair *p, uint32_t date)
{
    bn_rec_prog_calendar cal;
    bn_rec_pair_dates pd;
    char a[11], b[11];
    int rc;

    rc = bnd_pair_dates(cx, p->id, &pd);
    if (rc != 0)
        return rc;
    if (pd.start_date != 0 && p->start_date != 0 && date < p->start_date) {
        bn_date_format(a, p->start_date);
        return bnd_errmsgf(cx, BN_EDATE,
                           "pair %" PRIu64 " started on %s: a session cannot "
                           "be dated before it (if the pair met earlier, "
                           "the coordinator sets its start: 'binome admin "
                           "pair start --pair %" PRIu64 " --date D')",
                           p->id, a, p->id);
    }
    rc = bnd_programme_calendar(cx, p->programme_id, &cal);
    if (rc != 0)
        return rc;
    if ((cal.start_date != 0 && date < cal.start_date) ||
        (cal.end_date != 0 && date > cal.end_date)) {
        bn_date_format(a, cal.start_date);
        bn_date_format(b, cal.end_date);
        return bnd_errmsgf(cx, BN_EDATE,
                           "the programme runs from %s to %s: a session is "
                           "dated within those dates",
                           cal.start_date ? a : "(no start)",
                           cal.end_date ? b : "(no end)");
    }
    return 0;
}

/* SESSION_ADD: logged; the session's id is the seq of its log entry
 * (unique in the pair: session keys are pair id || session id). An exact
 * retry (the same entry, already in the log) answers with the session it
 * made, the same id. */
int bnd_h_session_add(bnd_ctx *cx, const bn_msg *req)
{
    const bn_session_add *r = &req->u.session_add;
    bn_rec_session s;
    bn_rec_pair p;
    uint64_t id, seq = 0;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    if (!valid_status(r->status, r->absent))
        return BN_EINVAL;
    if (!bnd_date_ok(r->date))
        return BN_EDATE;
    rc = check_date(cx, &p, r->date);
    if (rc != 0)
        return rc;
    rc = bnd_pairlog_append(cx, &p, req, &seq);
    if (rc == BND_LANDED)
        return reply_landed(cx, p.id, seq);
    if (rc != 0)
        return rc;
    rc = bnd_quota_charge(cx, p.id, 0);
    if (rc != 0)
        return rc;
    id = seq;
    memset(&s, 0, sizeof s);
    s.id = id;
    s.pair_id = p.id;
    s.date = r->date;
    s.status = r->status;
    s.absent = r->absent;
    s.created_by = cx->actor.account_id;
    s.created = cx->now;
    s.log_seq = seq;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_sessions(p.id, id), &s,
                     MDB_NOOVERWRITE);
    if (rc != 0)
        return rc;
    bnd_session_fact now = {s.status, s.absent, s.date};
    rc = bnd_stats_session(cx->st, cx->txn, p.id, p.programme_id, NULL, &now);
    if (rc != 0)
        return rc;
    bnd_project_session_info(&s, &cx->rep->u.session.session);
    return 0;
}

/* SESSION_UPDATE: logged; setting what is already there (a retry) is a
 * success that appends nothing. */
int bnd_h_session_update(bnd_ctx *cx, const bn_msg *req)
{
    const bn_session_update *r = &req->u.session_update;
    bn_rec_session s;
    bn_rec_pair p;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    if (!valid_status(r->status, r->absent))
        return BN_EINVAL;
    rc = bnd_get_session(cx, p.id, r->session_id, &s);
    if (rc != 0)
        return rc;
    if (s.status == r->status && s.absent == r->absent)
        goto reply; /* nothing changes (a retry): nothing to log */
    rc = bnd_pairlog_append(cx, &p, req, NULL);
    if (rc == BND_LANDED)
        goto reply; /* it landed, and was changed again since */
    if (rc != 0)
        return rc;
    rc = bnd_quota_charge(cx, p.id, 0);
    if (rc != 0)
        return rc;
    bnd_session_fact before = {s.status, s.absent, s.date};
    s.status = r->status;
    s.absent = r->absent;
    s.updated_by = cx->actor.account_id;
    s.updated = cx->now;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_sessions(p.id, s.id), &s, 0);
    if (rc != 0)
        return rc;
    bnd_session_fact after = {s.status, s.absent, s.date};
    rc = bnd_stats_session(cx->st, cx->txn, p.id, p.programme_id, &before,
                           &after);
    if (rc != 0)
        return rc;
reply:
    bnd_project_session_info(&s, &cx->rep->u.session.session);
    return 0;
}

static int session_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                        void *arg)
{
    bn_session_info *o = bnd_list_take(arg, 0);
    bn_rec_session s;
    (void)k;
    if (o == NULL)
        return 1;
    int rc = bnd_rec_decode(v, &bn_desc_rec_session, &s, &cx->arena);
    if (rc != 0)
        return rc;
    bnd_project_session_info(&s, o);
    return 0;
}

/* SESSION_LIST: the pair's sessions by id, after `after`. */
int bnd_h_session_list(bnd_ctx *cx, const bn_msg *req)
{
    const bn_session_list *r = &req->u.session_list;
    bnd_list l = {NULL, sizeof(bn_session_info), {0, BND_PAGE, 0}, NULL};
    int rc;

    rc =
        bnd_list_pair(cx, &l, r->pair_id, r->after,
                      bnd_key_sessions(r->pair_id, r->after + 1), session_item);
    if (rc < 0)
        return rc;
    BND_LIST_REPLY(cx->rep->u.sessions, l, rc);
    return 0;
}

/* ADMIN_SESSIONS: the programme's coordinator (an administrator: the
 * table admits no other role) lists a pair's sessions by id after
 * `after`: dates, statuses, absences, the plaintext facts the statistics
 * count; never a note (sessions carry none). "no pair N" for an unknown
 * or erased pair. */
int bnd_h_admin_sessions(bnd_ctx *cx, const bn_msg *req)
{
    const bn_admin_sessions *r = &req->u.admin_sessions;
    bnd_list l = {NULL, sizeof(bn_session_info), {0, BND_PAGE, 0}, NULL};
    bn_rec_pair p;
    int rc;

    rc = bnd_get_pair(cx, r->pair_id, &p);
    if (rc == 0 && p.status == BN_PAIR_ERASED)
        rc = BN_ENOTFOUND;
    if (rc == BN_ENOTFOUND)
        return bnd_errmsgf(cx, rc, "no pair %" PRIu64, r->pair_id);
    if (rc != 0)
        return rc;
    rc = bnd_list_page(cx, &l, r->after, bnd_key_sessions(p.id, r->after + 1),
                       1, session_item);
    if (rc < 0)
        return rc;
    BND_LIST_REPLY(cx->rep->u.sessions, l, rc);
    return 0;
}
