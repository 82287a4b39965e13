/* bnd_h_session.c: SESSION_ADD, SESSION_UPDATE, SESSION_MODE_SET,
 * SESSION_LIST. Sessions are plaintext facts (date, held/planned/
 * cancelled, who was absent, how it was held) that the programme's
 * statistics use; a session's id is the seq of the log entry that made
 * it. The mode lives in session_modes, the members named absent in
 * session_absent (rec_session's shape is frozen). */
#include <inttypes.h>
#include <string.h>

#include "bnd_deliver.h"
#include "bnd_handlers.h"
#include "bnd_quota.h"
#include "bnd_stats.h"

int bnd_session_mode(bnd_ctx *cx, uint64_t pair, uint64_t id, uint8_t *mode)
{
    bn_rec_session_mode m;
    int rc = bnd_rec_get(cx->st, cx->txn, bnd_key_session_modes(pair, id), &m,
                         &cx->arena);

    *mode = BN_MODE_UNKNOWN;
    if (rc == BN_ENOTFOUND)
        return 0;
    if (rc == 0 && (m.pair_id != pair || m.session_id != id))
        return BN_ECORRUPT;
    if (rc == 0)
        *mode = m.mode;
    return rc;
}

/* session_absentees reads the members named absent from session id of
 * pair (into cx's arena; none: an empty list). */
static int session_absentees(bnd_ctx *cx, uint64_t pair, uint64_t id,
                             bn_rec_session_absent *a)
{
    int rc = bnd_rec_get(cx->st, cx->txn, bnd_key_session_absent(pair, id), a,
                         &cx->arena);

    if (rc == BN_ENOTFOUND) {
        memset(a, 0, sizeof *a);
        return 0;
    }
    if (rc == 0 && (a->pair_id != pair || a->session_id != id))
        return BN_ECORRUPT;
    return rc;
}

/* session_info fills out from s, its mode and its absentees. */
static int session_info(bnd_ctx *cx, const bn_rec_session *s,
                        bn_session_info *out)
{
    bn_rec_session_absent a;
    int rc;

    bnd_project_session_info(s, out);
    rc = bnd_stats_follow_up(cx->st, cx->txn, s->pair_id, s->id);
    if (rc < 0)
        return rc;
    out->follow_up = rc == 1;
    rc = bnd_session_mode(cx, s->pair_id, s->id, &out->mode);
    if (rc == 0)
        rc = session_absentees(cx, s->pair_id, s->id, &a);
    if (rc == 0) {
        out->absentees.v = a.absentees.v;
        out->absentees.len = a.absentees.len;
        out->added_absentees.v = a.added.v;
        out->added_absentees.len = a.added.len;
    }
    return rc;
}

/* The words of a side, for messages. */
static const char *side_name(uint8_t bit)
{
    return bit == BN_ABSENT_MENTOR ? "mentor" : "mentee";
}

/*
 * check_absentees refuses (BN_EINVAL, saying why) absentees of pair p
 * that are not its current members (a member record with to_epoch 0),
 * not by increasing account id (which also rules out a name given
 * twice), or whose sides entirely absent differ from the absent bits.
 * With nobody named, the bits alone speak for whole sides: accepted for
 * a side of one current member only (the statistics then count one
 * absence; a larger side must be named member by member).
 */
static int check_absentees(bnd_ctx *cx, const bn_rec_pair *p, uint8_t absent,
                           const struct bn_account_ref *v, uint32_t n)
{
    bn_member_key members[BN_MEMBERS_MAX];
    uint32_t nm = 0, side_n[2] = {0, 0}, named[2] = {0, 0};
    int rc = bnd_pair_members(cx, p->id, members, &nm);

    if (rc != 0)
        return rc;
    for (uint32_t j = 0; j < nm; j++)
        if (members[j].to_epoch == 0 && (members[j].role == BN_ROLE_MENTOR ||
                                         members[j].role == BN_ROLE_MENTEE))
            side_n[members[j].role == BN_ROLE_MENTEE]++;
    for (uint32_t i = 0; i < n; i++) {
        const bn_member_key *m = NULL;
        if (i > 0 && v[i].account_id == v[i - 1].account_id)
            return bnd_errmsgf(cx, BN_EINVAL,
                               "account %" PRIu64 " is named absent twice",
                               v[i].account_id);
        if (i > 0 && v[i].account_id < v[i - 1].account_id)
            return bnd_errmsgf(cx, BN_EINVAL,
                               "absentees are listed by increasing account "
                               "id");
        for (uint32_t j = 0; j < nm && m == NULL; j++)
            if (members[j].account_id == v[i].account_id)
                m = &members[j];
        if (m == NULL || m->to_epoch != 0 ||
            (m->role != BN_ROLE_MENTOR && m->role != BN_ROLE_MENTEE))
            return bnd_errmsgf(cx, BN_EINVAL,
                               "account %" PRIu64 " is not a current member "
                               "of pair %" PRIu64 ": it cannot be absent",
                               v[i].account_id, p->id);
        named[m->role == BN_ROLE_MENTEE]++;
    }
    for (int side = 0; side < 2; side++) {
        uint8_t bit = side == 0 ? BN_ABSENT_MENTOR : BN_ABSENT_MENTEE;
        int whole = n > 0 && named[side] == side_n[side] && side_n[side] > 0;
        if (n == 0 && (absent & bit) && side_n[side] > 1)
            return bnd_errmsgf(cx, BN_EINVAL,
                               "the %s side of pair %" PRIu64 " has %" PRIu32
                               " members: name who was absent (this client "
                               "may be older than team pairings)",
                               side_name(bit), p->id, side_n[side]);
        if (n > 0 && whole != ((absent & bit) != 0))
            return bnd_errmsgf(cx, BN_EINVAL,
                               "the absent %s bit must be set exactly when "
                               "every member of the %s side is named absent",
                               side_name(bit), side_name(bit));
    }
    return 0;
}

/* put_absentees stores session id's absentees v (n) and those its
 * SESSION_ADD named (added, nadded), or removes the row when both are
 * empty. */
static int put_absentees(bnd_ctx *cx, uint64_t pair, uint64_t id,
                         const struct bn_account_ref *v, uint32_t n,
                         const struct bn_account_ref *added, uint32_t nadded)
{
    bn_rec_session_absent a;
    int rc;

    if (n == 0 && nadded == 0) {
        rc = bnd_rec_del(cx->st, cx->txn, bnd_key_session_absent(pair, id));
        return rc == BN_ENOTFOUND ? 0 : rc;
    }
    memset(&a, 0, sizeof a);
    a.pair_id = pair;
    a.session_id = id;
    a.absentees.v = (struct bn_account_ref *)v;
    a.absentees.len = n;
    a.added.v = (struct bn_account_ref *)added;
    a.added.len = nadded;
    return bnd_rec_put(cx->st, cx->txn, bnd_key_session_absent(pair, id), &a,
                       0);
}

/* same_absentees: the stored list a equals v (n of them). */
static int same_absentees(const bn_rec_session_absent *a,
                          const struct bn_account_ref *v, uint32_t n)
{
    if (a->absentees.len != n)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        if (a->absentees.v[i].account_id != v[i].account_id)
            return 0;
    return 1;
}

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
    return session_info(cx, &s, &cx->rep->u.session.session);
}

/*
 * check_date refuses (BN_EDATE, saying why) a session of pair p dated
 * before the pair's start, or outside its programme's dates when set.
 * The start is the day of the second acceptance until the coordinator
 * sets the real one (PAIR_START: pairs often meet on paper before the
 * software is used); the refusal says so, so that a pair that met
 * earlier asks the coordinator rather than losing the session.
 */
static int check_date(bnd_ctx *cx, const bn_rec_pair *p, uint32_t date)
{
    bn_rec_prog_calendar cal;
    char a[11], b[11];
    int rc;

    if (p->start_date != 0 && date < p->start_date) {
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

/*
 * follow_up_pair loads pair_id for a follow-up session on date (issue
 * 14): the caller a member, the pair completed (an active pair records
 * its sessions as its own: refused, saying so) and the date after the
 * pair's end. The programme's dates do not bound it: follow-ups come
 * after the programme, yearly.
 */
static int follow_up_pair(bnd_ctx *cx, uint64_t pair_id, uint32_t date,
                          bn_rec_pair *p)
{
    int rc = bnd_member_pair(cx, pair_id, p, NULL);

    if (rc != 0)
        return rc;
    if (p->status == BN_PAIR_ACTIVE) {
        cx->errmsg = "a follow-up session is recorded after the pair "
                     "completed; while it runs, record it as a session";
        return BN_EINVAL;
    }
    if (p->status == BN_PAIR_PENDING)
        return BN_ENOTACCEPTED;
    if (p->status != BN_PAIR_COMPLETED)
        return BN_EENDED;
    if (date <= p->end_date) {
        cx->errmsg = "a follow-up session is dated after the pair's end";
        return BN_EDATE;
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

    rc = r->follow_up ? follow_up_pair(cx, r->pair_id, r->date, &p)
                      : bnd_writable_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    if (!valid_status(r->status, r->absent))
        return BN_EINVAL;
    if (!bnd_date_ok(r->date))
        return BN_EDATE;
    rc = r->follow_up ? 0 : check_date(cx, &p, r->date);
    if (rc == 0)
        rc = check_absentees(cx, &p, r->absent, r->absentees.v,
                             r->absentees.len);
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
    if (rc == 0)
        rc = put_absentees(cx, p.id, id, r->absentees.v, r->absentees.len,
                           r->absentees.v, r->absentees.len);
    bnd_session_fact now;
    if (rc == 0)
        rc = bnd_stats_fact(cx->st, cx->txn, &s, &now);
    if (rc != 0)
        return rc;
    if (r->follow_up) /* counted apart from the pairing's own sessions */
        rc = bnd_follow_up_add(cx, p.id, p.programme_id, s.id, &now);
    else
        rc = bnd_stats_session(cx->st, cx->txn, p.id, p.programme_id, NULL,
                               &now);
    if (rc != 0)
        return rc;
    return session_info(cx, &s, &cx->rep->u.session.session);
}

/* SESSION_UPDATE: logged; setting what is already there (a retry) is a
 * success that appends nothing. */
int bnd_h_session_update(bnd_ctx *cx, const bn_msg *req)
{
    const bn_session_update *r = &req->u.session_update;
    bn_rec_session_absent had;
    bnd_session_fact before, after;
    bn_rec_session s;
    bn_rec_pair p;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    if (!valid_status(r->status, r->absent))
        return BN_EINVAL;
    rc = bnd_get_session(cx, p.id, r->session_id, &s);
    if (rc == 0)
        rc = session_absentees(cx, p.id, s.id, &had);
    if (rc != 0)
        return rc;
    if (s.status == r->status && s.absent == r->absent &&
        same_absentees(&had, r->absentees.v, r->absentees.len))
        goto reply; /* nothing changes (a retry): nothing to log */
    rc = check_absentees(cx, &p, r->absent, r->absentees.v, r->absentees.len);
    if (rc != 0)
        return rc;
    rc = bnd_pairlog_append(cx, &p, req, NULL);
    if (rc == BND_LANDED)
        goto reply; /* it landed, and was changed again since */
    if (rc != 0)
        return rc;
    rc = bnd_quota_charge(cx, p.id, 0);
    if (rc != 0)
        return rc;
    rc = bnd_stats_fact(cx->st, cx->txn, &s, &before);
    if (rc != 0)
        return rc;
    s.status = r->status;
    s.absent = r->absent;
    s.updated_by = cx->actor.account_id;
    s.updated = cx->now;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_sessions(p.id, s.id), &s, 0);
    if (rc == 0)
        rc = put_absentees(cx, p.id, s.id, r->absentees.v, r->absentees.len,
                           had.added.v, had.added.len);
    if (rc == 0)
        rc = bnd_stats_fact(cx->st, cx->txn, &s, &after);
    if (rc != 0)
        return rc;
    rc = bnd_stats_session(cx->st, cx->txn, p.id, p.programme_id, &before,
                           &after);
    if (rc != 0)
        return rc;
reply:
    return session_info(cx, &s, &cx->rep->u.session.session);
}

/* SESSION_MODE_SET: how a session was held (in person, video, phone, or
 * back to unknown), by either member, logged; the same mode again is a
 * success that appends nothing. Stored in session_modes; unknown is the
 * absence of a row. */
int bnd_h_session_mode_set(bnd_ctx *cx, const bn_msg *req)
{
    const bn_session_mode_set *r = &req->u.session_mode_set;
    bn_rec_session_mode m;
    bn_rec_session s;
    bn_rec_pair p;
    uint8_t mode;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    if (r->mode > BN_MODE_MAX)
        return BN_EINVAL;
    rc = bnd_get_session(cx, p.id, r->session_id, &s);
    if (rc == 0)
        rc = bnd_session_mode(cx, p.id, s.id, &mode);
    if (rc != 0)
        return rc;
    if (mode == r->mode)
        goto reply; /* a retry: nothing to log */
    rc = bnd_pairlog_append(cx, &p, req, NULL);
    if (rc == BND_LANDED)
        goto reply; /* it landed, and was changed again since */
    if (rc != 0)
        return rc;
    rc = bnd_quota_charge(cx, p.id, 0);
    if (rc != 0)
        return rc;
    if (r->mode == BN_MODE_UNKNOWN) {
        rc = bnd_rec_del(cx->st, cx->txn, bnd_key_session_modes(p.id, s.id));
        if (rc == BN_ENOTFOUND)
            rc = 0;
    } else {
        memset(&m, 0, sizeof m);
        m.pair_id = p.id;
        m.session_id = s.id;
        m.mode = r->mode;
        rc = bnd_rec_put(cx->st, cx->txn, bnd_key_session_modes(p.id, s.id), &m,
                         0);
    }
    if (rc != 0)
        return rc;
reply:
    return session_info(cx, &s, &cx->rep->u.session.session);
}

/* find_held_on stops at the first session held on h->date (its id in
 * h->id). */
struct held_on {
    uint32_t date;
    uint64_t id;
};
static int find_held_on(bnd_ctx *cx, const MDB_val *key, const MDB_val *val,
                        void *arg)
{
    struct held_on *h = arg;
    bn_rec_session s;
    (void)key;
    int rc = bnd_rec_decode(val, &bn_desc_rec_session, &s, &cx->arena);
    if (rc != 0)
        return rc;
    bnd_session_fact f = {s.status, s.absent, s.date, 0, 0};
    if (s.date != h->date || !bnd_stats_held(&f))
        return 0;
    h->id = s.id;
    return 1;
}

/* bnd_first_mode gives the mode of pair's first held session (the held
 * one on day first_held with the lowest id; BN_MODE_UNKNOWN when none):
 * it walks that pair's sessions only. */
int bnd_first_mode(bnd_ctx *cx, uint64_t pair, uint32_t first_held,
                   uint8_t *mode)
{
    struct held_on h = {first_held, 0};
    int rc;

    *mode = BN_MODE_UNKNOWN;
    if (first_held == 0)
        return 0;
    rc = bnd_scan_key(cx, bnd_key_sessions(pair, 0), 1, find_held_on, &h);
    if (rc < 0)
        return rc;
    return h.id == 0 ? 0 : bnd_session_mode(cx, pair, h.id, mode);
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
    return session_info(cx, &s, o);
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
