/* bnd_h_admin.c: programmes, invitations, accounts and pairs, for
 * administrators (PROGRAMME_GET also for a participant's own programme). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bn_text.h"
#include "bnd_handlers.h"
#include "bnd_stats.h"

int bnd_programme_settings(bnd_ctx *cx, uint64_t id, bn_rec_prog_settings *s)
{
    int rc =
        bnd_rec_get(cx->st, cx->txn, bnd_key_prog_settings(id), s, &cx->arena);

    if (rc == BN_ENOTFOUND) {
        memset(s, 0, sizeof *s);
        s->programme_id = id;
        s->mentees_per_mentor = BN_MENTEES_PER_MENTOR_DEFAULT;
        return 0;
    }
    if (rc == 0 && (s->programme_id != id || s->mentees_per_mentor < 1))
        return BN_ECORRUPT;
    return rc;
}

int bnd_programme_calendar(bnd_ctx *cx, uint64_t id, bn_rec_prog_calendar *c)
{
    int rc =
        bnd_rec_get(cx->st, cx->txn, bnd_key_prog_calendar(id), c, &cx->arena);

    if (rc == BN_ENOTFOUND) {
        memset(c, 0, sizeof *c);
        c->programme_id = id;
        return 0;
    }
    if (rc == 0 && c->programme_id != id)
        return BN_ECORRUPT;
    return rc;
}

int bnd_programme_side_max(bnd_ctx *cx, uint64_t id, uint32_t *side_max)
{
    bn_rec_prog_team t;
    int rc =
        bnd_rec_get(cx->st, cx->txn, bnd_key_prog_teams(id), &t, &cx->arena);

    *side_max = 1;
    if (rc == BN_ENOTFOUND)
        return 0;
    if (rc == 0 && (t.programme_id != id || t.side_max < 1))
        return BN_ECORRUPT;
    if (rc == 0)
        *side_max = t.side_max;
    return rc;
}

uint32_t bnd_programme_min_months(const bn_rec_programme *prog,
                                  const bn_rec_prog_calendar *c)
{
    return c->min_months != 0 ? c->min_months : prog->months;
}

/* The programme's months on the wire are its minimum pair duration: the
 * calendar's when set. */
int bnd_programme_info(bnd_ctx *cx, const bn_rec_programme *p,
                       bn_programme_info *out)
{
    bn_rec_prog_settings s;
    bn_rec_prog_calendar c;
    int rc = bnd_programme_settings(cx, p->id, &s);

    if (rc == 0)
        rc = bnd_programme_calendar(cx, p->id, &c);
    if (rc == 0)
        rc = bnd_programme_side_max(cx, p->id, &out->side_max);
    if (rc != 0)
        return rc;
    uint32_t side_max = out->side_max;
    bnd_project_programme_info(p, out);
    out->side_max = side_max;
    out->mentees_per_mentor = s.mentees_per_mentor;
    out->months = bnd_programme_min_months(p, &c);
    out->start_date = c.start_date;
    out->end_date = c.end_date;
    return 0;
}

/* PROGRAMME_CREATE: the programme and its settings (mentees_per_mentor 0:
 * the default). */
int bnd_h_programme_create(bnd_ctx *cx, const bn_msg *req)
{
    bn_rec_prog_settings set;
    const bn_programme_create *r = &req->u.programme_create;
    bn_rec_programme p;
    uint64_t id;
    int rc;

    if (!bnd_name_ok(r->name, 0) || !bnd_name_ok(r->theme, 1)) {
        cx->errmsg = "a programme's name and theme must be " BN_TEXT_NAME_RULE;
        return BN_EINVAL;
    }
    if (r->months < 1 || r->months > BN_MONTHS_MAX || r->frequency < 1 ||
        r->frequency > BN_FREQ_MAX || r->format < 1 ||
        r->format > BN_FORMAT_MAX)
        return BN_EINVAL;
    rc = bnd_counter_next(cx->st, cx->txn, "programme", &id);
    if (rc != 0)
        return rc;
    memset(&p, 0, sizeof p);
    p.id = id;
    p.name = r->name;
    p.theme = r->theme;
    p.months = r->months;
    p.frequency = r->frequency;
    p.format = r->format;
    p.charter = r->charter;
    bn_hash(p.charter_hash, (const uint8_t *)r->charter.ptr, r->charter.len);
    p.created_by = cx->actor.account_id;
    p.created = cx->now;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_programmes(id), &p,
                     MDB_NOOVERWRITE);
    if (rc != 0)
        return rc;
    memset(&set, 0, sizeof set);
    set.programme_id = id;
    set.mentees_per_mentor = r->mentees_per_mentor
                                 ? r->mentees_per_mentor
                                 : BN_MENTEES_PER_MENTOR_DEFAULT;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_prog_settings(id), &set, 0);
    if (rc == 0)
        rc = bnd_programme_info(cx, &p, &cx->rep->u.programme.programme);
    cx->rep->u.programme.charter = p.charter;
    return rc;
}

/* set_calendar applies PROGRAMME_SET's calendar bits to programme p:
 * each day a real one or 0 (unset), the start not after the end.
 * Sessions already recorded outside new dates stay (the dates apply to
 * sessions recorded afterwards). */
static int set_calendar(bnd_ctx *cx, const bn_programme_set *r,
                        const bn_rec_programme *p)
{
    bn_rec_prog_calendar c;
    int rc = bnd_programme_calendar(cx, p->id, &c);

    if (rc != 0)
        return rc;
    if (r->dates & BN_CAL_START)
        c.start_date = r->start_date;
    if (r->dates & BN_CAL_END)
        c.end_date = r->end_date;
    if (r->dates & BN_CAL_MIN_MONTHS)
        c.min_months = r->min_months;
    if ((c.start_date != 0 && !bnd_date_ok(c.start_date)) ||
        (c.end_date != 0 && !bnd_date_ok(c.end_date)))
        return BN_EDATE;
    if (c.start_date != 0 && c.end_date != 0 && c.end_date < c.start_date) {
        cx->errmsg = "a programme's end date cannot be before its start date";
        return BN_EDATE;
    }
    c.set_by = cx->actor.account_id;
    c.set_at = cx->now;
    return bnd_rec_put(cx->st, cx->txn, bnd_key_prog_calendar(p->id), &c, 0);
}

/* PROGRAMME_SET: an administrator changes how many mentees one mentor may
 * follow at once (1 to BN_MENTEES_PER_MENTOR_MAX; 0 leaves it when the
 * request sets calendar dates) and the calendar: the programme's start
 * and end days and its minimum pair duration (set_calendar). Lowering the
 * limit ends no pair: it applies to the pairs formed afterwards. */
int bnd_h_programme_set(bnd_ctx *cx, const bn_msg *req)
{
    const bn_programme_set *r = &req->u.programme_set;
    bn_rec_prog_settings set;
    bn_rec_programme p;
    int rc;

    if (r->mentees_per_mentor < 1 && r->dates == 0 && r->side_max == 0) {
        cx->errmsg =
            "a mentor follows at least 1 mentee (at most " BN_STRINGIFY(
                BN_MENTEES_PER_MENTOR_MAX) ")";
        return BN_EINVAL;
    }
    rc = bnd_get_programme(cx, r->programme_id, &p);
    if (rc == 0)
        rc = bnd_programme_settings(cx, p.id, &set);
    if (rc != 0)
        return rc;
    if (r->dates != 0) {
        rc = set_calendar(cx, r, &p);
        if (rc != 0)
            return rc;
    }
    if (r->mentees_per_mentor >= 1) {
        set.mentees_per_mentor = r->mentees_per_mentor;
        rc = bnd_rec_put(cx->st, cx->txn, bnd_key_prog_settings(p.id), &set, 0);
    }
    if (rc == 0 && r->side_max >= 1) {
        /* Lowering it removes nobody: it applies to members added later. */
        bn_rec_prog_team t = {.programme_id = p.id,
                              .side_max = r->side_max,
                              .set_by = cx->actor.account_id,
                              .set_at = cx->now};
        rc = bnd_rec_put(cx->st, cx->txn, bnd_key_prog_teams(p.id), &t, 0);
    }
    if (rc == 0)
        rc = bnd_programme_info(cx, &p, &cx->rep->u.programme.programme);
    cx->rep->u.programme.charter = p.charter;
    return rc;
}

static int programme_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                          void *arg)
{
    bn_programme_info *o = bnd_list_take(arg, 0);
    bn_rec_programme p;
    (void)k;
    if (o == NULL)
        return 1;
    int rc = bnd_rec_decode(v, &bn_desc_rec_programme, &p, &cx->arena);
    if (rc != 0)
        return rc;
    return bnd_programme_info(cx, &p, o);
}

int bnd_h_programme_list(bnd_ctx *cx, const bn_msg *req)
{
    bnd_list l = {NULL, sizeof(bn_programme_info), {0, BND_PAGE, 0}, NULL};
    uint64_t after = req->u.programme_list.after;
    int rc;

    rc = bnd_list_page(cx, &l, after, bnd_key_programmes(after + 1), 0,
                       programme_item);
    if (rc < 0)
        return rc;
    BND_LIST_REPLY(cx->rep->u.programmes, l, rc);
    return 0;
}

int bnd_h_programme_get(bnd_ctx *cx, const bn_msg *req)
{
    uint64_t id = req->u.programme_get.programme_id;
    bn_rec_programme p;
    int rc;

    /* Another programme is, for a participant, one that does not exist. */
    if (cx->actor.role != BN_ROLE_ADMIN && id != cx->actor.programme_id)
        return BN_ENOTFOUND;
    rc = bnd_get_programme(cx, id, &p);
    if (rc != 0)
        return rc;
    cx->rep->u.programme.charter = p.charter;
    return bnd_programme_info(cx, &p, &cx->rep->u.programme.programme);
}

/* Mentors and mentees join a programme; administrators and auditors
 * belong to none (programme 0). */
int bnd_h_invite_create(bnd_ctx *cx, const bn_msg *req)
{
    const bn_invite_create *r = &req->u.invite_create;
    bn_rec_programme p;
    uint8_t token[BN_TOKEN_BYTES];
    unsigned days = r->ttl_days ? r->ttl_days : BND_INVITE_DAYS_DEFAULT;
    int64_t expires = cx->now + (int64_t)days * 86400;
    int rc;

    if (r->role < BN_ROLE_ADMIN || r->role > BN_ROLE_MAX ||
        days > BN_TTL_DAYS_MAX)
        return BN_EINVAL;
    if (r->role == BN_ROLE_MENTOR || r->role == BN_ROLE_MENTEE) {
        rc = bnd_get_programme(cx, r->programme_id, &p);
        if (rc != 0)
            return rc;
    } else if (r->programme_id != 0) {
        return BN_EINVAL;
    }
    randombytes_buf(token, sizeof token);
    rc = bnd_invite_put(cx->st, cx->txn, token, r->programme_id, r->role,
                        expires, cx->actor.account_id);
    if (rc != 0) {
        sodium_memzero(token, sizeof token);
        return rc;
    }
    memcpy(cx->rep->u.invite.token, token, sizeof token);
    sodium_memzero(token, sizeof token);
    cx->rep->u.invite.programme_id = r->programme_id;
    cx->rep->u.invite.role = r->role;
    cx->rep->u.invite.expires = expires;
    return 0;
}

static int account_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v,
                        void *arg)
{
    bnd_list *l = arg;
    const uint64_t *filter = l->arg; /* programme, 0: none */
    bn_account_info *o;
    bn_rec_account a;
    (void)k;
    int rc = bnd_rec_decode(v, &bn_desc_rec_account, &a, &cx->arena);
    if (rc != 0)
        return rc;
    if (*filter != 0 && a.programme_id != *filter)
        return 0;
    o = bnd_list_take(l, 0);
    if (o == NULL)
        return 1;
    bnd_project_account_info(&a, o);
    rc = bnd_account_erased(cx, a.id, &o->erased);
    return rc < 0 ? rc : 0;
}

/* ACCOUNT_LIST: programme 0 lists every account, else that programme's:
 * BN_ENOTFOUND when it does not exist (not an empty list). */
int bnd_h_account_list(bnd_ctx *cx, const bn_msg *req)
{
    uint64_t filter = req->u.account_list.programme_id;
    bnd_list l = {NULL, sizeof(bn_account_info), {0, BND_PAGE, 0}, &filter};
    uint64_t after = req->u.account_list.after;
    bn_rec_programme p;
    int rc;

    if (filter != 0) {
        rc = bnd_get_programme(cx, filter, &p);
        if (rc != 0)
            return rc;
    }
    rc = bnd_list_page(cx, &l, after, bnd_key_accounts(after + 1), 0,
                       account_item);
    if (rc < 0)
        return rc;
    BND_LIST_REPLY(cx->rep->u.accounts, l, rc);
    return 0;
}

struct busy_state {
    uint64_t programme_id;
    uint32_t busy; /* pending or active pairs of the programme */
    uint32_t stop; /* stop counting at this many */
};

static int pair_busy(bnd_ctx *cx, const MDB_val *k, const MDB_val *v, void *arg)
{
    struct busy_state *b = arg;
    bn_rec_pair p;
    bnd_keyp_account_pairs kp;
    (void)v;
    if (bnd_key_parse_account_pairs(k, &kp) != 0)
        return BN_ECORRUPT;
    int rc = bnd_get_pair(cx, kp.pair_id, &p);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    if (p.programme_id == b->programme_id &&
        (p.status == BN_PAIR_PENDING || p.status == BN_PAIR_ACTIVE) &&
        ++b->busy >= b->stop)
        return 1;
    return 0;
}

/* Checks an account has the role in programme: BN_ENOTFOUND, BN_EINVAL. */
static int check_role(bnd_ctx *cx, uint64_t id, uint64_t programme,
                      uint8_t role)
{
    bn_rec_account a;
    int rc = bnd_get_account(cx, id, &a);
    if (rc != 0)
        return rc;
    if (a.role != role || a.programme_id != programme)
        return BN_EINVAL;
    rc = bnd_account_erased(cx, id, NULL);
    if (rc == 1) /* issue 15: an erased account is no one's any more */
        return bnd_errmsgf(cx, BN_EINVAL,
                           "account %" PRIu64 " was erased: it cannot be "
                           "paired; invite the person again for a new one",
                           id);
    return rc;
}

/* Checks an account may take one more pair in programme: it has fewer
 * than limit pending or active pairs there. BN_EEXIST when it has that
 * many, with a message that names the limit (an ended pair does not
 * count: its members can be paired again). */
int bnd_account_free(bnd_ctx *cx, uint64_t id, uint64_t programme,
                     uint32_t limit, int mentor)
{
    struct busy_state b = {programme, 0, limit};
    int rc = bnd_scan_key(cx, bnd_key_account_pairs(id, 0), 1, pair_busy, &b);
    char *msg;
    if (rc < 0)
        return rc;
    if (b.busy < limit)
        return 0;
    msg = bnd_ctx_alloc(cx, BN_ERRMSG_MAX); /* lives as long as the reply */
    if (msg == NULL)
        return BN_EEXIST;
    if (mentor)
        snprintf(msg, BN_ERRMSG_MAX,
                 "mentor %" PRIu64 " already follows %" PRIu32
                 " mentee%s in pending or active pairs, the most this "
                 "programme allows (mentees per mentor: %" PRIu32
                 "); end one of their pairs, or raise the limit "
                 "('binome admin programme set --programme %" PRIu64
                 " --mentees-per-mentor N')",
                 id, b.busy, b.busy == 1 ? "" : "s", limit, programme);
    else
        snprintf(msg, BN_ERRMSG_MAX,
                 "mentee %" PRIu64 " is already in a pending or active pair "
                 "(a mentee has one pair at a time); that pair must end "
                 "first ('binome admin end --pair P --reason ...')",
                 id);
    cx->errmsg = msg;
    return BN_EEXIST;
}

int bnd_member_put(bnd_ctx *cx, uint64_t pair, uint64_t account, uint8_t role,
                   uint32_t from_epoch)
{
    bn_rec_member m;
    int rc;

    memset(&m, 0, sizeof m);
    m.pair_id = pair;
    m.account_id = account;
    m.role = role;
    m.from_epoch = from_epoch;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_members(pair, account), &m,
                     MDB_NOOVERWRITE);
    if (rc != 0)
        return rc;
    return bnd_raw_put(cx->st, cx->txn, bnd_key_account_pairs(account, pair),
                       "", 0, MDB_NOOVERWRITE);
}

int bnd_h_pair_create(bnd_ctx *cx, const bn_msg *req)
{
    const bn_pair_create *r = &req->u.pair_create;
    bn_rec_prog_settings set;
    bn_rec_programme prog;
    bn_rec_pair p;
    uint64_t id;
    int rc;

    if (r->mentor_id == r->mentee_id)
        return BN_EINVAL;
    rc = bnd_get_programme(cx, r->programme_id, &prog);
    if (rc != 0)
        return rc;
    rc = check_role(cx, r->mentor_id, r->programme_id, BN_ROLE_MENTOR);
    if (rc == 0)
        rc = check_role(cx, r->mentee_id, r->programme_id, BN_ROLE_MENTEE);
    if (rc == 0)
        rc = bnd_programme_settings(cx, prog.id, &set);
    if (rc == 0)
        rc = bnd_account_free(cx, r->mentee_id, r->programme_id, 1, 0);
    if (rc == 0)
        rc = bnd_account_free(cx, r->mentor_id, r->programme_id,
                              set.mentees_per_mentor, 1);
    if (rc != 0)
        return rc;
    rc = bnd_counter_next(cx->st, cx->txn, "pair", &id);
    if (rc != 0)
        return rc;
    memset(&p, 0, sizeof p);
    p.id = id;
    p.programme_id = r->programme_id;
    p.mentor_id = r->mentor_id;
    p.mentee_id = r->mentee_id;
    p.status = BN_PAIR_PENDING;
    p.epoch = 1;
    p.created_by = cx->actor.account_id;
    p.created = cx->now;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_pairs(id), &p, MDB_NOOVERWRITE);
    if (rc == 0)
        rc = bnd_member_put(cx, id, r->mentor_id, BN_ROLE_MENTOR, 1);
    if (rc == 0)
        rc = bnd_member_put(cx, id, r->mentee_id, BN_ROLE_MENTEE, 1);
    if (rc == 0)
        rc = bnd_stats_pair_created(cx->st, cx->txn, id, p.programme_id,
                                    p.status);
    if (rc != 0)
        return rc;
    return bnd_pair_info(cx, &p, &cx->rep->u.pair.pair);
}
