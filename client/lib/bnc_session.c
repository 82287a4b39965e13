/*
 * bnc_session.c: sessions (plaintext facts the programme counts) and
 * objectives (a sealed text with a plaintext status and dates), each
 * write with its log entry.
 */
#include "binome.h"
#include "bnc_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ---------------------------------------------------------- */

const char *bnc_session_status_name(uint8_t s)
{
    switch (s) {
    case BN_SESSION_PLANNED:
        return "planned";
    case BN_SESSION_HELD:
        return "held";
    case BN_SESSION_CANCELLED:
        return "cancelled";
    default:
        return "?";
    }
}

int bnc_session_status_parse(const char *s, uint8_t *status)
{
    for (uint8_t v = 1; v <= BN_SESSION_STATUS_MAX; v++)
        if (s != NULL && strcmp(s, bnc_session_status_name(v)) == 0) {
            *status = v;
            return 0;
        }
    return BN_EINVAL;
}

const char *bnc_absent_name(uint8_t a)
{
    static const char *const names[] = {"-", "mentor", "mentee", "both"};
    return a <= BN_ABSENT_MAX ? names[a] : "?";
}

int bnc_absent_parse(const char *s, uint8_t *absent)
{
    if (s == NULL)
        return BN_EINVAL;
    if (strcmp(s, "mentor") == 0)
        *absent |= BN_ABSENT_MENTOR;
    else if (strcmp(s, "mentee") == 0)
        *absent |= BN_ABSENT_MENTEE;
    else if (strcmp(s, "both") == 0)
        *absent |= BN_ABSENT_MENTOR | BN_ABSENT_MENTEE;
    else
        return BN_EINVAL;
    return 0;
}

const char *bnc_end_reason_name(uint8_t r)
{
    return r == BN_END_COMPLETED   ? "completed"
           : r == BN_END_WITHDRAWN ? "withdrawn"
           : r == BN_END_STALLED   ? "stalled"
                                   : "-";
}

int bnc_end_reason_parse(const char *s, uint8_t *r)
{
    if (s != NULL && strcmp(s, "completed") == 0)
        *r = BN_END_COMPLETED;
    else if (s != NULL && strcmp(s, "withdrawn") == 0)
        *r = BN_END_WITHDRAWN;
    else if (s != NULL && strcmp(s, "stalled") == 0)
        *r = BN_END_STALLED;
    else
        return BN_EINVAL;
    return 0;
}

/* ---- sessions ------------------------------------------------------- */

/* valid_session checks what the server would refuse, before sending. */
static int valid_session(uint8_t status, uint8_t absent)
{
    return status >= BN_SESSION_PLANNED && status <= BN_SESSION_STATUS_MAX &&
           absent <= BN_ABSENT_MAX;
}

/* project_session fills out from the wire's session, its absentees
 * too. */
_Static_assert(BNC_ABSENTEES_MAX >= BN_MEMBERS_MAX,
               "a session's absentees fit in bnc_session");
static void project_session(bnc_session *out, const struct bn_session_info *in)
{
    bnc__project_session(out, in);
    for (uint32_t i = 0; i < in->absentees.len && i < BNC_ABSENTEES_MAX; i++)
        out->absentees[out->nabsentees++] = in->absentees.v[i].account_id;
}

/* current_side: the side (BN_ROLE_MENTOR or _MENTEE) of a current member
 * m of the pair, or 0. */
static uint8_t current_side(const bnc_member *m)
{
    if (m == NULL || m->to_epoch != 0)
        return 0;
    return m->role == BN_ROLE_MENTOR || m->role == BN_ROLE_MENTEE ? m->role : 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/*
 * attendance sorts ids (n of them, p's current members) into refs and
 * derives the absent bits: a side is absent when every current member
 * of it is named. BN_EINVAL for too many, a repeat or a non-member.
 */
static int attendance(const bnc_pair *p, const uint64_t *ids, size_t n,
                      struct bn_account_ref *refs, uint8_t *absent)
{
    uint64_t v[BNC_ABSENTEES_MAX];
    uint32_t side_n[2] = {0, 0}, named[2] = {0, 0};
    const bnc_member *ms;
    size_t nm;

    if (n > BNC_ABSENTEES_MAX || n > BN_MEMBERS_MAX || (n > 0 && ids == NULL))
        return BN_EINVAL;
    if (n > 0)
        memcpy(v, ids, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_u64);
    ms = bnc_pair_members(p, &nm);
    for (size_t j = 0; j < nm; j++) {
        uint8_t side = current_side(&ms[j]);
        if (side != 0)
            side_n[side == BN_ROLE_MENTEE]++;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t side = current_side(bnc_pair_member(p, v[i]));
        if (side == 0 || (i > 0 && v[i] == v[i - 1]))
            return BN_EINVAL;
        named[side == BN_ROLE_MENTEE]++;
        memset(&refs[i], 0, sizeof refs[i]);
        refs[i].account_id = v[i];
    }
    *absent = 0;
    if (side_n[0] > 0 && named[0] == side_n[0])
        *absent |= BN_ABSENT_MENTOR;
    if (side_n[1] > 0 && named[1] == side_n[1])
        *absent |= BN_ABSENT_MENTEE;
    return 0;
}

/* side_members puts into ids (*n) every current member of the sides the
 * absent bits give. */
static void side_members(const bnc_pair *p, uint8_t absent, uint64_t *ids,
                         size_t *n)
{
    size_t nm;
    const bnc_member *ms = bnc_pair_members(p, &nm);

    *n = 0;
    for (size_t j = 0; j < nm && *n < BNC_ABSENTEES_MAX; j++) {
        uint8_t side = current_side(&ms[j]);
        if ((side == BN_ROLE_MENTOR && (absent & BN_ABSENT_MENTOR)) ||
            (side == BN_ROLE_MENTEE && (absent & BN_ABSENT_MENTEE)))
            ids[(*n)++] = ms[j].account_id;
    }
}

int bnc_absentees_parse(const bnc_pair *p, const char *spec, uint64_t *ids,
                        size_t *n, size_t *bad)
{
    size_t nm, at = 0;
    const bnc_member *ms = bnc_pair_members(p, &nm);
    uint8_t bits = 0;

    if (bad != NULL)
        *bad = 0;
    if (spec == NULL || *n > BNC_ABSENTEES_MAX)
        return BN_EINVAL;
    if (strcmp(spec, "none") == 0)
        return 0;
    if (bnc_absent_parse(spec, &bits) == 0) {
        uint64_t side[BNC_ABSENTEES_MAX];
        size_t ns;
        side_members(p, bits, side, &ns);
        for (size_t i = 0; i < ns; i++) {
            size_t k = 0;
            while (k < *n && ids[k] != side[i])
                k++;
            if (k == *n && *n < BNC_ABSENTEES_MAX)
                ids[(*n)++] = side[i];
        }
        qsort(ids, *n, sizeof *ids, cmp_u64);
        return 0;
    }
    while (spec[at] != '\0' || at == 0) {
        size_t len = strcspn(spec + at, ",");
        char item[BNC_NAME_MAX + 1];
        const bnc_member *found = NULL;
        int matches = 0;
        if (bad != NULL)
            *bad = at;
        if (len == 0)
            return BN_EINVAL;
        if (len > BNC_NAME_MAX)
            return BN_ENOTFOUND;
        memcpy(item, spec + at, len);
        item[len] = '\0';
        for (size_t j = 0; j < nm; j++) {
            char idtext[24];
            if (current_side(&ms[j]) == 0)
                continue;
            snprintf(idtext, sizeof idtext, "%" PRIu64, ms[j].account_id);
            if (strcmp(item, idtext) == 0) { /* an id wins over a name */
                found = &ms[j];
                matches = 1;
                break;
            }
            if (strcmp(item, ms[j].name) == 0) {
                found = &ms[j];
                matches++;
            }
        }
        if (matches == 0)
            return BN_ENOTFOUND;
        if (matches > 1)
            return BNC_EAMBIGUOUS;
        size_t k = 0;
        while (k < *n && ids[k] != found->account_id)
            k++;
        if (k == *n) {
            if (*n == BNC_ABSENTEES_MAX)
                return BN_EINVAL;
            ids[(*n)++] = found->account_id;
        }
        at += len;
        if (spec[at] == ',') {
            at++;
            if (spec[at] == '\0') {
                if (bad != NULL)
                    *bad = at;
                return BN_EINVAL;
            }
        }
    }
    qsort(ids, *n, sizeof *ids, cmp_u64);
    if (bad != NULL)
        *bad = 0;
    return 0;
}

/* send_session sends req, a session write of p with its log entry in
 * *entry, and projects the session the server answers into out (when not
 * NULL). */
static int send_session(bnc_client *c, bnc_pair *p, bn_msg *req, bn_bin *entry,
                        bnc_session *out)
{
    bn_msg rep = {0};
    int rc;

    if (p->keys_changed)
        return BN_EUNVERIFIED;
    rc = bnc__write(c, p, req, entry, BN_MSG_SESSION, &rep);
    if (rc == 0 && out != NULL)
        project_session(out, &rep.u.session.session);
    bn_msg_free(&rep);
    return rc;
}

/* add_session sends SESSION_ADD naming who was absent (n account ids of
 * p's current members); follow_up: after the pair completed (issue 14). */
static int add_session(bnc_client *c, bnc_pair *p, uint32_t date,
                       uint8_t status, const uint64_t *absentees, size_t n,
                       int follow_up, bnc_session *out)
{
    struct bn_account_ref refs[BNC_ABSENTEES_MAX];
    uint8_t absent;
    bn_msg req;

    if (date < BN_DATE_MIN || date > BN_DATE_MAX)
        return BN_EDATE;
    if (attendance(p, absentees, n, refs, &absent) != 0 ||
        !valid_session(status, absent))
        return BN_EINVAL;
    bn_msg_init(&req, BN_MSG_SESSION_ADD, 0);
    req.u.session_add.pair_id = p->info.id;
    req.u.session_add.date = date;
    req.u.session_add.status = status;
    req.u.session_add.absent = absent;
    req.u.session_add.absentees.v = refs;
    req.u.session_add.absentees.len = (uint32_t)n;
    req.u.session_add.follow_up = follow_up ? 1 : 0;
    return send_session(c, p, &req, &req.u.session_add.entry, out);
}

int bnc_session_add_absentees(bnc_client *c, bnc_pair *p, uint32_t date,
                              uint8_t status, const uint64_t *absentees,
                              size_t n, bnc_session *out)
{
    return add_session(c, p, date, status, absentees, n, 0, out);
}

int bnc_session_add_follow_up(bnc_client *c, bnc_pair *p, uint32_t date,
                              uint8_t status, const uint64_t *absentees,
                              size_t n, bnc_session *out)
{
    return add_session(c, p, date, status, absentees, n, 1, out);
}

int bnc_session_update_absentees(bnc_client *c, bnc_pair *p,
                                 uint64_t session_id, uint8_t status,
                                 const uint64_t *absentees, size_t n,
                                 bnc_session *out)
{
    struct bn_account_ref refs[BNC_ABSENTEES_MAX];
    uint8_t absent;
    bn_msg req;

    if (session_id == 0 || attendance(p, absentees, n, refs, &absent) != 0 ||
        !valid_session(status, absent))
        return BN_EINVAL;
    bn_msg_init(&req, BN_MSG_SESSION_UPDATE, 0);
    req.u.session_update.pair_id = p->info.id;
    req.u.session_update.session_id = session_id;
    req.u.session_update.status = status;
    req.u.session_update.absent = absent;
    req.u.session_update.absentees.v = refs;
    req.u.session_update.absentees.len = (uint32_t)n;
    return send_session(c, p, &req, &req.u.session_update.entry, out);
}

int bnc_session_add(bnc_client *c, bnc_pair *p, uint32_t date, uint8_t status,
                    uint8_t absent, bnc_session *out)
{
    uint64_t ids[BNC_ABSENTEES_MAX];
    size_t n;

    if (!valid_session(status, absent))
        return BN_EINVAL;
    side_members(p, absent, ids, &n);
    return bnc_session_add_absentees(c, p, date, status, ids, n, out);
}

int bnc_session_update(bnc_client *c, bnc_pair *p, uint64_t session_id,
                       uint8_t status, uint8_t absent, bnc_session *out)
{
    uint64_t ids[BNC_ABSENTEES_MAX];
    size_t n;

    if (!valid_session(status, absent))
        return BN_EINVAL;
    side_members(p, absent, ids, &n);
    return bnc_session_update_absentees(c, p, session_id, status, ids, n, out);
}

const char *bnc_session_mode_name(uint8_t mode)
{
    static const char *const names[] = {"unknown", "in-person", "video",
                                        "phone"};
    return mode <= BN_MODE_MAX ? names[mode] : "?";
}

int bnc_session_mode_parse(const char *s, uint8_t *mode)
{
    for (uint8_t m = 0; s != NULL && m <= BN_MODE_MAX; m++)
        if (strcmp(s, bnc_session_mode_name(m)) == 0) {
            *mode = m;
            return 0;
        }
    return BN_EINVAL;
}

int bnc_session_set_mode(bnc_client *c, bnc_pair *p, uint64_t session_id,
                         uint8_t mode, bnc_session *out)
{
    bn_msg req;

    if (mode > BN_MODE_MAX || session_id == 0)
        return BN_EINVAL;
    bn_msg_init(&req, BN_MSG_SESSION_MODE_SET, 0);
    req.u.session_mode_set.pair_id = p->info.id;
    req.u.session_mode_set.session_id = session_id;
    req.u.session_mode_set.mode = mode;
    return send_session(c, p, &req, &req.u.session_mode_set.entry, out);
}

static int take_sessions(const bn_msg *rep, const void *ctx, void **arr,
                         size_t *n, uint64_t *last, int *more)
{
    const struct bnc__list_ctx *lc = ctx;
    const bn_sessions *r = &rep->u.sessions;
    for (uint32_t i = 0; i < r->items.len; i++) {
        bnc_session s;
        int rc = bnc__check_session(lc->c, lc->p, &r->items.v[i]);
        if (rc != 0)
            return rc;
        project_session(&s, &r->items.v[i]);
        rc = bnc__append(arr, n, sizeof s, &s);
        if (rc != 0)
            return rc;
        rc = bnc__page_next(last, s.id);
        if (rc != 0)
            return rc;
    }
    *more = r->more;
    return 0;
}

/* A page of ADMIN_SESSIONS: projected as they come (the server's word). */
static int take_admin_sessions(const bn_msg *rep, const void *ctx, void **arr,
                               size_t *n, uint64_t *last, int *more)
{
    const bn_sessions *r = &rep->u.sessions;
    (void)ctx;
    for (uint32_t i = 0; i < r->items.len; i++) {
        bnc_session s;
        project_session(&s, &r->items.v[i]);
        int rc = bnc__append(arr, n, sizeof s, &s);
        if (rc == 0)
            rc = bnc__page_next(last, s.id);
        if (rc != 0)
            return rc;
    }
    *more = r->more;
    return 0;
}

int bnc_admin_sessions(bnc_client *c, uint64_t pair_id, bnc_session **items,
                       size_t *n)
{
    bn_msg req;
    int rc;

    *items = NULL;
    *n = 0;
    bn_msg_init(&req, BN_MSG_ADMIN_SESSIONS, 0);
    req.u.admin_sessions.pair_id = pair_id;
    rc = bnc__list_all(c, &req, &req.u.admin_sessions.after, BN_MSG_SESSIONS,
                       take_admin_sessions, NULL, (void **)items, n, NULL);
    if (rc != 0) {
        free(*items);
        *items = NULL;
        *n = 0;
    }
    return rc;
}

int bnc_session_list(bnc_client *c, const bnc_pair *p, bnc_session **items,
                     size_t *n)
{
    struct bnc__list_ctx lc = {c, p};
    bn_msg req;
    int rc;

    c->tamper[0] = '\0';
    bn_msg_init(&req, BN_MSG_SESSION_LIST, 0);
    req.u.session_list.pair_id = p->info.id;
    rc = bnc__list_all(c, &req, &req.u.session_list.after, BN_MSG_SESSIONS,
                       take_sessions, &lc, (void **)items, n, NULL);
    if (rc == 0)
        rc = bnc__check_listed(c, p, BN_MSG_SESSION_ADD, *items, *n,
                               sizeof **items, offsetof(bnc_session, id));
    if (rc != 0) {
        free(*items);
        *items = NULL;
        *n = 0;
    }
    return rc;
}

/* ---- objectives ----------------------------------------------------- */

/* drop_objectives frees a partial list, its texts wiped (list_all on
 * failure). */
static void drop_objectives(void *arr, size_t n)
{
    bnc_objective_list_free(arr, n);
}

/* An objective's dates are days binome knows, not after today. */
static int objective_date_ok(uint32_t date)
{
    return date >= BN_DATE_MIN && date <= BN_DATE_MAX &&
           date <= bnc_date_today();
}

const char *bnc_objective_status_name(uint8_t status)
{
    return status == BN_OBJECTIVE_DEFINED     ? "defined"
           : status == BN_OBJECTIVE_REACHED   ? "reached"
           : status == BN_OBJECTIVE_ABANDONED ? "abandoned"
                                              : "?";
}

static void objective_ad(bn_note_ad *ad, const bnc_pair *p, uint64_t id,
                         uint64_t author)
{
    memset(ad, 0, sizeof *ad);
    ad->pair_id = p->info.id;
    ad->note_id = id;
    ad->revision = 1;
    ad->author_id = author;
    ad->kind = BN_AD_KIND_OBJECTIVE;
    ad->is_private = 0;
}

/*
 * An objective's sealed plaintext: its text, or (issue 14) its text, a
 * NUL, the tag "q1", a NUL, the quantity, a NUL and the unit (maybe
 * empty). A text holds no NUL (checked when sealing), so a plaintext
 * without one is a text sealed before issue 14, and opens as it did; one
 * whose tail does not parse opens whole as its text too.
 */
#define QUANTITY_TAG "q1"

int bnc_quantity_check(const char *q)
{
    size_t n = q != NULL ? strlen(q) : 0, dots = 0;

    if (n == 0 || n > BNC_QUANTITY_MAX || q[0] == '.' || q[n - 1] == '.')
        return BN_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (q[i] == '.')
            dots++;
        else if (q[i] < '0' || q[i] > '9')
            return BN_EINVAL;
    }
    return dots <= 1 ? 0 : BN_EINVAL;
}

int bnc_unit_check(const char *u)
{
    size_t n = u != NULL ? strlen(u) : 0;

    if (n == 0 || n > BNC_UNIT_MAX || bn_str_check(u, n, BNC_UNIT_MAX) != 0)
        return BN_EINVAL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)u[i] < 0x20 || u[i] == 0x7f)
            return BN_EINVAL;
    return 0;
}

/* plan_check checks plan (NULL: none) for an objective defined on date. */
static int plan_check(const bnc_objective_plan *plan, uint32_t date)
{
    int has_q, has_u;

    if (plan == NULL)
        return 0;
    if (plan->target_date != 0 &&
        (plan->target_date < BN_DATE_MIN || plan->target_date > BN_DATE_MAX ||
         plan->target_date < date))
        return BN_EDATE;
    has_q = plan->quantity != NULL && plan->quantity[0] != '\0';
    has_u = plan->unit != NULL && plan->unit[0] != '\0';
    if ((has_q && bnc_quantity_check(plan->quantity) != 0) ||
        (has_u && (!has_q || bnc_unit_check(plan->unit) != 0)))
        return BN_EINVAL;
    return 0;
}

/* objective_plaintext makes the plaintext above (locked memory, *out
 * of *outlen bytes; free with bnc_secret_free). */
static int objective_plaintext(const char *text, size_t len,
                               const bnc_objective_plan *plan, uint8_t **out,
                               size_t *outlen)
{
    const char *q =
        plan != NULL && plan->quantity != NULL ? plan->quantity : "";
    const char *u = plan != NULL && plan->unit != NULL ? plan->unit : "";
    size_t ql = strlen(q), ul = strlen(u), n = len, at;

    if (ql > 0)
        n += 1 + sizeof QUANTITY_TAG - 1 + 1 + ql + 1 + ul;
    *out = sodium_malloc(n);
    if (*out == NULL)
        return BN_ENOMEM;
    memcpy(*out, text, len);
    at = len;
    if (ql > 0) {
        (*out)[at++] = 0;
        memcpy(*out + at, QUANTITY_TAG, sizeof QUANTITY_TAG - 1);
        at += sizeof QUANTITY_TAG - 1;
        (*out)[at++] = 0;
        memcpy(*out + at, q, ql);
        at += ql;
        (*out)[at++] = 0;
        memcpy(*out + at, u, ul);
    }
    *outlen = n;
    return 0;
}

/*
 * objective_split reads the plaintext pt (len bytes) into o: the text's
 * length (*text_len) and, for a plaintext with a quantity, the quantity
 * and unit (checked: a tail that is not one leaves the whole a text).
 */
static void objective_split(const uint8_t *pt, size_t len, bnc_objective *o,
                            size_t *text_len)
{
    const uint8_t *z = memchr(pt, 0, len), *tag, *q, *u, *zq;
    size_t tl = sizeof QUANTITY_TAG - 1;
    char qbuf[BNC_QUANTITY_MAX + 1], ubuf[BNC_UNIT_MAX + 1];

    *text_len = len;
    if (z == NULL)
        return;
    tag = z + 1;
    if ((size_t)(pt + len - tag) < tl + 1 ||
        memcmp(tag, QUANTITY_TAG, tl) != 0 || tag[tl] != 0)
        return;
    q = tag + tl + 1;
    zq = memchr(q, 0, (size_t)(pt + len - q));
    if (zq == NULL || (size_t)(zq - q) > BNC_QUANTITY_MAX)
        return;
    u = zq + 1;
    if ((size_t)(pt + len - u) > BNC_UNIT_MAX ||
        memchr(u, 0, (size_t)(pt + len - u)) != NULL)
        return;
    memcpy(qbuf, q, (size_t)(zq - q));
    qbuf[zq - q] = '\0';
    memcpy(ubuf, u, (size_t)(pt + len - u));
    ubuf[pt + len - u] = '\0';
    if (bnc_quantity_check(qbuf) != 0 ||
        (ubuf[0] != '\0' && bnc_unit_check(ubuf) != 0))
        return;
    memcpy(o->quantity, qbuf, sizeof qbuf);
    memcpy(o->unit, ubuf, sizeof ubuf);
    *text_len = (size_t)(z - pt);
}

/*
 * seal_objective checks an objective's text, date and plan (may be NULL)
 * and seals the text (with the plan's quantity and unit) of objective id
 * under p's current key, bound to id and to its author (this client's
 * account): *env (malloc'd) of *envlen bytes.
 */
static int seal_objective(bnc_client *c, const bnc_pair *p, uint64_t id,
                          const char *text, size_t len, uint32_t date,
                          const bnc_objective_plan *plan, uint8_t **env,
                          size_t *envlen)
{
    const uint8_t *key;
    uint8_t *pt = NULL;
    size_t ptlen = 0;
    bn_note_ad ad;
    int rc;

    if (len == 0 || len > BNC_OBJECTIVE_TEXT_MAX || id == 0 ||
        memchr(text, 0, len) != NULL)
        return BN_EINVAL;
    if (!objective_date_ok(date))
        return BN_EDATE;
    rc = plan_check(plan, date);
    if (rc != 0)
        return rc;
    if (p->keys_changed)
        return BN_EUNVERIFIED;
    rc = bnc__content_key(p, p->info.epoch, &key);
    if (rc == 0)
        rc = objective_plaintext(text, len, plan, &pt, &ptlen);
    if (rc != 0)
        return rc;
    objective_ad(&ad, p, id, c->me.id);
    rc = bn_envelope_seal(env, envlen, key, p->info.epoch, &ad, pt, ptlen,
                          c->profile->id->sign_sk);
    sodium_memzero(pt, ptlen);
    sodium_free(pt);
    if (rc == 0 && *envlen > BN_SMALL_ENVELOPE_MAX) {
        free(*env);
        *env = NULL;
        rc = BN_ETOOLONG;
    }
    return rc;
}

int bnc_objective_add(bnc_client *c, bnc_pair *p, const char *text, size_t len,
                      uint32_t date, uint64_t *id)
{
    return bnc_objective_add_plan(c, p, text, len, date, NULL, id);
}

int bnc_objective_add_plan(bnc_client *c, bnc_pair *p, const char *text,
                           size_t len, uint32_t date,
                           const bnc_objective_plan *plan, uint64_t *id)
{
    uint64_t oid = bn_random_u64();
    uint8_t *env = NULL;
    size_t envlen = 0;
    bn_msg req, rep = {0};
    int rc;

    rc = seal_objective(c, p, oid, text, len, date, plan, &env, &envlen);
    if (rc != 0)
        return rc;
    bn_msg_init(&req, BN_MSG_OBJECTIVE_ADD, 0);
    req.u.objective_add.target_date = plan != NULL ? plan->target_date : 0;
    req.u.objective_add.pair_id = p->info.id;
    req.u.objective_add.objective_id = oid;
    req.u.objective_add.epoch = p->info.epoch;
    req.u.objective_add.envelope = (bn_bin){env, (uint32_t)envlen};
    req.u.objective_add.date = date;
    rc = bnc__write(c, p, &req, &req.u.objective_add.entry, BN_MSG_OK, &rep);
    if (rc == 0 && id != NULL)
        *id = oid;
    bn_msg_free(&rep);
    free(env);
    return rc;
}

/* send_status sends req, an objective's status change of p with its log
 * entry in *entry, answered by OK. */
static int send_status(bnc_client *c, bnc_pair *p, bn_msg *req, bn_bin *entry)
{
    bn_msg rep = {0};
    int rc;

    if (p->keys_changed)
        return BN_EUNVERIFIED;
    rc = bnc__write(c, p, req, entry, BN_MSG_OK, &rep);
    bn_msg_free(&rep);
    return rc;
}

int bnc_objective_reach(bnc_client *c, bnc_pair *p, uint64_t id, uint32_t date)
{
    bn_msg req;

    if (!objective_date_ok(date))
        return BN_EDATE;
    bn_msg_init(&req, BN_MSG_OBJECTIVE_REACH, 0);
    req.u.objective_reach.pair_id = p->info.id;
    req.u.objective_reach.objective_id = id;
    req.u.objective_reach.date = date;
    return send_status(c, p, &req, &req.u.objective_reach.entry);
}

int bnc_objective_edit(bnc_client *c, bnc_pair *p, uint64_t id,
                       const char *text, size_t len, uint32_t date)
{
    return bnc_objective_edit_plan(c, p, id, text, len, date, NULL);
}

int bnc_objective_edit_plan(bnc_client *c, bnc_pair *p, uint64_t id,
                            const char *text, size_t len, uint32_t date,
                            const bnc_objective_plan *plan)
{
    uint8_t *env = NULL;
    size_t envlen = 0;
    bn_msg req, rep = {0};
    int rc;

    /* The same binding as the first text: the log entry of the edit, not
     * the envelope, says which text is the current one. */
    rc = seal_objective(c, p, id, text, len, date, plan, &env, &envlen);
    if (rc != 0)
        return rc;
    bn_msg_init(&req, BN_MSG_OBJECTIVE_EDIT, 0);
    req.u.objective_edit.target_date = plan != NULL ? plan->target_date : 0;
    req.u.objective_edit.pair_id = p->info.id;
    req.u.objective_edit.objective_id = id;
    req.u.objective_edit.epoch = p->info.epoch;
    req.u.objective_edit.envelope = (bn_bin){env, (uint32_t)envlen};
    req.u.objective_edit.date = date;
    rc = bnc__write(c, p, &req, &req.u.objective_edit.entry, BN_MSG_OK, &rep);
    bn_msg_free(&rep);
    free(env);
    return rc;
}

int bnc_objective_abandon(bnc_client *c, bnc_pair *p, uint64_t id,
                          uint32_t date)
{
    bn_msg req;

    if (!objective_date_ok(date))
        return BN_EDATE;
    bn_msg_init(&req, BN_MSG_OBJECTIVE_ABANDON, 0);
    req.u.objective_abandon.pair_id = p->info.id;
    req.u.objective_abandon.objective_id = id;
    req.u.objective_abandon.date = date;
    return send_status(c, p, &req, &req.u.objective_abandon.entry);
}

int bnc_objective_reopen(bnc_client *c, bnc_pair *p, uint64_t id)
{
    bn_msg req;

    bn_msg_init(&req, BN_MSG_OBJECTIVE_REOPEN, 0);
    req.u.objective_reopen.pair_id = p->info.id;
    req.u.objective_reopen.objective_id = id;
    return send_status(c, p, &req, &req.u.objective_reopen.entry);
}

/* open_objective opens one objective's text into o (text NULL and
 * open_rc set when it does not verify). */
static void open_objective(const bnc_pair *p, bnc_objective *o,
                           const struct bn_objective_info *i)
{
    const bnc_member *author = bnc_pair_member(p, i->author_id);
    const uint8_t *key;
    uint8_t *pt = NULL;
    size_t len = 0;
    bn_note_ad ad;
    int rc;

    if (author == NULL) {
        o->open_rc = BN_ESIG;
        return;
    }
    rc = bnc__content_key(p, i->epoch, &key);
    if (rc == 0) {
        objective_ad(&ad, p, i->id, i->author_id);
        rc = bn_envelope_open(&pt, &len, key, &ad, i->envelope.ptr,
                              i->envelope.len, author->sign_pk);
    }
    if (rc == 0) {
        size_t tlen;
        objective_split(pt, len, o, &tlen);
        o->text = sodium_malloc(tlen + 1);
        if (o->text == NULL) {
            rc = BN_ENOMEM;
        } else {
            memcpy(o->text, pt, tlen);
            o->text[tlen] = '\0';
            o->text_len = tlen;
        }
    }
    if (pt != NULL) {
        sodium_memzero(pt, len);
        sodium_free(pt);
    }
    o->open_rc = rc;
}

struct objective_take {
    const bnc_pair *p;
};

static int take_objectives(const bn_msg *rep, const void *ctx, void **arr,
                           size_t *n, uint64_t *last, int *more)
{
    const struct bnc__list_ctx *lc = ctx;
    const bn_objectives *r = &rep->u.objectives;
    const bnc_pair *p = lc->p;

    for (uint32_t i = 0; i < r->items.len; i++) {
        const struct bn_objective_info *in = &r->items.v[i];
        const bnc_member *a = bnc_pair_member(p, in->author_id);
        bnc_objective o;
        int rc = bnc__check_objective(lc->c, p, in);
        if (rc != 0)
            return rc;
        bnc__project_objective(&o, in);
        if (a != NULL)
            snprintf(o.author_name, sizeof o.author_name, "%s", a->name);
        open_objective(p, &o, in);
        rc = bnc__append(arr, n, sizeof o, &o);
        if (rc != 0) {
            if (o.text != NULL) {
                sodium_memzero(o.text, o.text_len);
                sodium_free(o.text);
            }
            return rc;
        }
        rc = bnc__page_next(last, o.id);
        if (rc != 0)
            return rc;
    }
    *more = r->more;
    return 0;
}

int bnc_objective_list(bnc_client *c, const bnc_pair *p, bnc_objective **items,
                       size_t *n)
{
    struct bnc__list_ctx lc = {c, p};
    bn_msg req;
    int rc;

    c->tamper[0] = '\0';
    bn_msg_init(&req, BN_MSG_OBJECTIVE_LIST, 0);
    req.u.objective_list.pair_id = p->info.id;
    rc =
        bnc__list_all(c, &req, &req.u.objective_list.after, BN_MSG_OBJECTIVES,
                      take_objectives, &lc, (void **)items, n, drop_objectives);
    if (rc == 0)
        rc = bnc__check_listed(c, p, BN_MSG_OBJECTIVE_ADD, *items, *n,
                               sizeof **items, offsetof(bnc_objective, id));
    if (rc != 0) {
        bnc_objective_list_free(*items, *n);
        *items = NULL;
        *n = 0;
    }
    return rc;
}

void bnc_objective_list_free(bnc_objective *items, size_t n)
{
    if (items == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        if (items[i].text != NULL) {
            sodium_memzero(items[i].text, items[i].text_len);
            sodium_free(items[i].text);
        }
    free(items);
}

int bnc_id_resolve(const uint64_t *ids, size_t n, const char *prefix,
                   uint64_t *id)
{
    char want[17], hex[17];
    size_t plen = prefix != NULL ? strlen(prefix) : 0;
    uint64_t found = 0;
    int matches = 0;

    if (plen == 0 || plen > 16)
        return BN_EINVAL;
    for (size_t i = 0; i < plen; i++) {
        if (!isxdigit((unsigned char)prefix[i]))
            return BN_EINVAL;
        want[i] = (char)tolower((unsigned char)prefix[i]);
    }
    want[plen] = '\0';
    for (size_t i = 0; i < n; i++) {
        snprintf(hex, sizeof hex, "%016" PRIx64, ids[i]);
        if (strncmp(hex, want, plen) != 0 || (matches > 0 && ids[i] == found))
            continue;
        found = ids[i];
        matches++;
    }
    if (matches == 0)
        return BN_ENOTFOUND;
    if (matches > 1)
        return BNC_EAMBIGUOUS;
    *id = found;
    return 0;
}
