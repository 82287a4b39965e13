/*
 * bnc_client.c: joining, logging in, and the administration requests
 * (programmes, invitations, accounts, pairs).
 */
#include "binome.h"
#include "bn_text.h"
#include "bnc_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* expect checks a reply's type: BN_EPROTO for anything else. */
static int expect(const bn_msg *m, uint16_t type)
{
    return m->type == type ? 0 : BN_EPROTO;
}

/* valid_name accepts 1 to BN_NAME_MAX bytes of UTF-8 without control
 * characters or bidirectional overrides (bn_text_name_check). */
static int valid_name(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && bn_str_check(s, n, BN_NAME_MAX) == 0 &&
           bn_text_name_check(s, n) == 0;
}

/* check_me makes sure the server's view of us carries our keys. */
static int check_me(const bnc_account *a, const bn_identity *id)
{
    if (sodium_memcmp(a->sign_pk, id->sign_pk, 32) != 0 ||
        sodium_memcmp(a->box_pk, id->box_pk, 32) != 0)
        return BN_EPROTO;
    return 0;
}

/* hello_error turns the error of a LOGIN or JOIN into BN_EVERSION when the
 * server could not read it: a server of a release before the protocol
 * number (protocol 1) answers an unknown field with BN_EPROTO. A server
 * of a known protocol answers BN_EVERSION itself, naming both sides. */
static int hello_error(bnc_profile *p, const bnc_conn *conn, int rc)
{
    const char *msg = bnc_last_error(conn);

    snprintf(p->server_said, sizeof p->server_said, "%s",
             rc != 0 && msg != NULL ? msg : "");
    if (rc == BN_EPROTO && msg != NULL && msg[0] != '\0')
        return BN_EVERSION;
    return rc;
}

int bnc_join(bnc_profile *p, const char *code, const char *name,
             const char *pass, size_t passlen, bnc_account *out)
{
    bn_invite_code inv;
    bnc_conn *conn = NULL;
    bn_msg req, rep = {0};
    bnc_account acc;
    char path[BNC_PATH_MAX + 32];
    int rc;

    p->server_said[0] = '\0';
    if (name == NULL || !valid_name(name) || passlen == 0)
        return BN_EINVAL;
    rc = bnc__profile_empty(p);
    if (rc != 0)
        return rc;
    rc = bn_invite_parse(&inv, code);
    if (rc != 0)
        return rc;
    rc = bnc__profile_new_id(p);
    if (rc != 0)
        goto cleanup;
    rc = bn_identity_generate(p->id);
    if (rc != 0)
        goto cleanup;
    rc = bnc_conn_open(&conn, inv.host, inv.port, inv.server_pk, 0);
    if (rc != 0)
        goto cleanup;
    bn_msg_init(&req, BN_MSG_JOIN, 0);
    memcpy(req.u.join.token, inv.token, BN_TOKEN_BYTES);
    req.u.join.name = (bn_str){name, (uint32_t)strlen(name)};
    memcpy(req.u.join.sign_pk, p->id->sign_pk, 32);
    memcpy(req.u.join.box_pk, p->id->box_pk, 32);
    rc = bn_login_sign(req.u.join.sig, bnc_conn_channel(conn), p->id->sign_sk);
    if (rc == 0)
        rc = hello_error(p, conn, bnc_call(conn, &req, &rep));
    sodium_memzero(&req, sizeof req);
    if (rc == 0)
        rc = expect(&rep, BN_MSG_LOGGED_IN);
    if (rc != 0)
        goto cleanup;
    bnc__project_account(&acc, &rep.u.logged_in.account);
    rc = check_me(&acc, p->id);
    if (rc != 0)
        goto cleanup;
    snprintf(p->host, sizeof p->host, "%s", inv.host);
    p->port = inv.port;
    memcpy(p->server_pk, inv.server_pk, 32);
    p->account_id = acc.id;
    snprintf(p->name, sizeof p->name, "%s", acc.name);
    p->role = acc.role;
    p->programme_id = acc.programme_id;
    rc = bnc_profile_save_identity(p, pass, passlen);
    if (rc == 0)
        rc = bnc_profile_save(p);
    if (rc != 0) {
        /* The account exists but its key could not be kept: leave no
         * half-written profile behind. */
        if (bnc_profile_path(p, path, sizeof path, "identity.key") == 0)
            unlink(path);
        goto cleanup;
    }
    if (out != NULL)
        *out = acc;
cleanup:
    sodium_memzero(&inv, sizeof inv);
    bn_msg_free(&rep);
    bnc_conn_close(conn);
    return rc;
}

/* login_as connects to the profile's server and logs in as its account,
 * with the key of device (0: the identity key). */
static int login_as(bnc_client *c, uint32_t device)
{
    bnc_profile *p = c->profile;
    bn_msg req, rep = {0};
    int rc;

    rc = bnc_conn_open(&c->conn, p->host, p->port, p->server_pk, 0);
    if (rc != 0)
        return rc;
    bn_msg_init(&req, BN_MSG_LOGIN, 0);
    req.u.login.account_id = p->account_id;
    req.u.login.device = device;
    rc = bnc__login_sign(p, device, bnc_conn_channel(c->conn), req.u.login.sig);
    if (rc == 0)
        rc = hello_error(p, c->conn, bnc_call(c->conn, &req, &rep));
    if (rc == 0)
        rc = expect(&rep, BN_MSG_LOGGED_IN);
    if (rc == 0) {
        bnc__project_account(&c->me, &rep.u.logged_in.account);
        rc = check_me(&c->me, p->id);
    }
    bn_msg_free(&rep);
    return rc;
}

/*
 * login logs in with this device's key. A device that holds a login key
 * but no number (it was being added when it stopped: the key file was
 * saved, the server answered, profile.conf was not yet written) finds its
 * number by trying its key on each, and keeps it.
 */
static int login(bnc_client *c)
{
    bnc_profile *p = c->profile;
    int rc = login_as(c, p->device);

    if (rc != BN_EDENIED || p->device != 0 || !bn_identity_has_device(p->id))
        return rc;
    for (uint32_t d = 1; d <= BN_DEVICES_MAX; d++) {
        bnc_conn_close(c->conn);
        c->conn = NULL;
        rc = login_as(c, d);
        if (rc == 0) {
            p->device = d;
            return bnc_profile_save(p);
        }
        if (rc != BN_ESIG && rc != BN_EDENIED)
            return rc;
    }
    return BN_EDENIED;
}

int bnc_client_open(bnc_client **out, bnc_profile *p, const char *pass,
                    size_t passlen)
{
    bnc_client *c;
    int rc;

    *out = NULL;
    p->server_said[0] = '\0';
    rc = bnc_profile_load_identity(p, pass, passlen);
    if (rc != 0)
        return rc;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return BN_ENOMEM;
    c->profile = p;
    rc = login(c);
    if (rc != 0) {
        bnc_client_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

int bnc_client_reconnect(bnc_client *c)
{
    uint64_t id = c->me.id;
    int rc;

    bnc_conn_close(c->conn);
    c->conn = NULL;
    rc = login(c);
    if (rc == 0 && c->me.id != id)
        rc = BN_EPROTO;
    return rc;
}

void bnc_client_close(bnc_client *c)
{
    if (c == NULL)
        return;
    bnc_conn_close(c->conn);
    bnc__loss_clear(&c->loss);
    free(c);
}

const char *bnc_client_error(const bnc_client *c)
{
    return c != NULL ? bnc_last_error(c->conn) : "";
}

const char *bnc_profile_server_error(const bnc_profile *p)
{
    return p != NULL ? p->server_said : "";
}

const bnc_account *bnc_client_account(const bnc_client *c)
{
    return &c->me;
}

uint64_t bnc_client_log_bad_seq(const bnc_client *c)
{
    return c != NULL ? c->log_bad_seq : 0;
}

uint64_t bnc_client_log_bad_author(const bnc_client *c)
{
    return c != NULL ? c->log_bad_author : 0;
}

const char *bnc_client_tamper(const bnc_client *c)
{
    return c != NULL ? c->tamper : "";
}

void bnc_client_disconnect(bnc_client *c)
{
    bnc_conn_close(c->conn);
    c->conn = NULL;
}

int bnc_whoami(bnc_client *c, bnc_account *out)
{
    bn_msg req, rep = {0};
    int rc;

    bn_msg_init(&req, BN_MSG_WHOAMI, 0);
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = expect(&rep, BN_MSG_LOGGED_IN);
    if (rc == 0)
        bnc__project_account(out, &rep.u.logged_in.account);
    bn_msg_free(&rep);
    return rc;
}

/* ---- programmes ---------------------------------------------------- */

const char *bnc_default_charter(void)
{
    return "Charter of the mentoring programme\n"
           "\n"
           "1. Confidentiality. What the mentor and the mentee say and "
           "write stays within the pair. Notes are encrypted on our own "
           "machines; the programme's administrators see only when "
           "sessions took place, never what was said.\n"
           "2. Commitment. We meet regularly, at the frequency the "
           "programme sets, for at least its minimum duration; the first "
           "meeting takes place in person.\n"
           "3. Respect. We listen to each other with goodwill, respect "
           "each other's needs and differences, and keep the exchange free "
           "of any discrimination.\n"
           "4. Objectives. We agree on objectives together and review "
           "them; the closing review stays within the pair.\n"
           "5. Right to withdraw. Either of us may end the pairing at any "
           "time, without having to justify it; the programme may then "
           "form a new pair.\n";
}

int bnc_programme_create(bnc_client *c, const bnc_programme_spec *spec,
                         uint64_t *id)
{
    const char *charter = spec->charter ? spec->charter : bnc_default_charter();
    bn_msg req, rep = {0};
    int rc;

    if (spec->name == NULL || spec->theme == NULL || spec->name[0] == '\0' ||
        bn_str_check(spec->name, strlen(spec->name), BN_TITLE_MAX) != 0 ||
        bn_str_check(spec->theme, strlen(spec->theme), BN_TITLE_MAX) != 0 ||
        bn_text_name_check(spec->name, strlen(spec->name)) != 0 ||
        bn_text_name_check(spec->theme, strlen(spec->theme)) != 0 ||
        bn_str_check(charter, strlen(charter), BN_CHARTER_MAX) != 0 ||
        spec->months == 0 || spec->months > BN_MONTHS_MAX)
        return BN_EINVAL;
    bn_msg_init(&req, BN_MSG_PROGRAMME_CREATE, 0);
    req.u.programme_create.name =
        (bn_str){spec->name, (uint32_t)strlen(spec->name)};
    req.u.programme_create.theme =
        (bn_str){spec->theme, (uint32_t)strlen(spec->theme)};
    req.u.programme_create.months = spec->months;
    req.u.programme_create.frequency = spec->frequency;
    req.u.programme_create.format = spec->format;
    req.u.programme_create.charter =
        (bn_str){charter, (uint32_t)strlen(charter)};
    if (spec->mentees_per_mentor > BN_MENTEES_PER_MENTOR_MAX)
        return BN_EINVAL;
    req.u.programme_create.mentees_per_mentor = spec->mentees_per_mentor;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = expect(&rep, BN_MSG_PROGRAMME);
    if (rc == 0)
        *id = rep.u.programme.programme.id;
    bn_msg_free(&rep);
    return rc;
}

int bnc_programme_get(bnc_client *c, uint64_t id, bnc_programme *out,
                      char **charter)
{
    bn_msg req, rep = {0};
    int rc;

    if (charter != NULL)
        *charter = NULL;
    bn_msg_init(&req, BN_MSG_PROGRAMME_GET, 0);
    req.u.programme_get.programme_id = id;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = expect(&rep, BN_MSG_PROGRAMME);
    if (rc != 0)
        goto cleanup;
    bnc__project_programme(out, &rep.u.programme.programme);
    if (charter != NULL) {
        bn_str s = rep.u.programme.charter;
        *charter = malloc((size_t)s.len + 1);
        if (*charter == NULL) {
            rc = BN_ENOMEM;
            goto cleanup;
        }
        bnc__copy_str(*charter, (size_t)s.len + 1, s);
    }
cleanup:
    bn_msg_free(&rep);
    return rc;
}

/*
 * A paged list: the request's "after" field is set to the last id seen
 * until the reply says there is no more. take() copies one page into the
 * caller's array and reports the page's last id and whether more follow.
 */
typedef int (*take_fn)(const bn_msg *rep, const void *ctx, void **arr,
                       size_t *n, uint64_t *last, int *more);

#define LIST_ITEMS_MAX (1u << 22) /* far above any real programme */

int bnc__page_next(uint64_t *last, uint64_t id)
{
    if (id <= *last)
        return BN_EPROTO;
    *last = id;
    return 0;
}

static int list_all(bnc_client *c, bn_msg *req, uint64_t *after,
                    uint16_t reply_type, take_fn take, const void *ctx,
                    void **arr, size_t *n, void (*drop)(void *, size_t))
{
    int rc, more = 1;

    *arr = NULL;
    *n = 0;
    *after = 0;
    while (more) {
        bn_msg rep = {0};
        uint64_t last = *after;
        rc = bnc_call(c->conn, req, &rep);
        if (rc == 0)
            rc = expect(&rep, reply_type);
        /* Each id strictly after the one before, across pages too
         * (bnc__page_next), and a page that says "more" must move forward:
         * a server cannot make a list loop. The total is bounded too. */
        if (rc == 0)
            rc = take(&rep, ctx, arr, n, &last, &more);
        bn_msg_free(&rep);
        if (rc == 0 && more && last == *after)
            rc = BN_EPROTO;
        if (rc == 0 && *n > LIST_ITEMS_MAX)
            rc = BN_ELIMIT;
        if (rc != 0) {
            /* what the items hold goes too (a document's sealed key, an
             * objective's text): drop frees all of it */
            if (drop != NULL)
                drop(*arr, *n);
            else
                free(*arr);
            *arr = NULL;
            *n = 0;
            return rc;
        }
        *after = last;
    }
    return 0;
}

static int take_programmes(const bn_msg *rep, const void *ctx, void **arr,
                           size_t *n, uint64_t *last, int *more)
{
    const bn_programmes *r = &rep->u.programmes;
    (void)ctx;
    for (uint32_t i = 0; i < r->items.len; i++) {
        bnc_programme p;
        bnc__project_programme(&p, &r->items.v[i]);
        int rc = bnc__append(arr, n, sizeof p, &p);
        if (rc != 0)
            return rc;
        rc = bnc__page_next(last, p.id);
        if (rc != 0)
            return rc;
    }
    *more = r->more;
    return 0;
}

int bnc_programme_list(bnc_client *c, bnc_programme **items, size_t *n)
{
    bn_msg req;
    bn_msg_init(&req, BN_MSG_PROGRAMME_LIST, 0);
    return list_all(c, &req, &req.u.programme_list.after, BN_MSG_PROGRAMMES,
                    take_programmes, NULL, (void **)items, n, NULL);
}

static int take_accounts(const bn_msg *rep, const void *ctx, void **arr,
                         size_t *n, uint64_t *last, int *more)
{
    const bn_accounts *r = &rep->u.accounts;
    (void)ctx;
    for (uint32_t i = 0; i < r->items.len; i++) {
        bnc_account a;
        bnc__project_account(&a, &r->items.v[i]);
        int rc = bnc__append(arr, n, sizeof a, &a);
        if (rc != 0)
            return rc;
        rc = bnc__page_next(last, a.id);
        if (rc != 0)
            return rc;
    }
    *more = r->more;
    return 0;
}

int bnc_account_list(bnc_client *c, uint64_t programme_id, bnc_account **items,
                     size_t *n)
{
    bn_msg req;
    bn_msg_init(&req, BN_MSG_ACCOUNT_LIST, 0);
    req.u.account_list.programme_id = programme_id;
    return list_all(c, &req, &req.u.account_list.after, BN_MSG_ACCOUNTS,
                    take_accounts, NULL, (void **)items, n, NULL);
}

int bnc_account_get(bnc_client *c, uint64_t account_id, bnc_account *out)
{
    bn_msg req, rep = {0};
    int rc;

    bn_msg_init(&req, BN_MSG_ACCOUNT_GET, 0);
    req.u.account_get.account_id = account_id;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = expect(&rep, BN_MSG_ACCOUNT);
    if (rc == 0 && rep.u.account.account.id != account_id)
        rc = BN_EPROTO;
    if (rc == 0)
        bnc__project_account(out, &rep.u.account.account);
    bn_msg_free(&rep);
    return rc;
}

int bnc_account_resolve(const bnc_account *items, size_t n, const char *s,
                        uint64_t *id)
{
    uint64_t v;
    size_t found = 0;

    if (s == NULL || s[0] == '\0')
        return BN_EINVAL;
    if (bnc__parse_u64(s, &v) == 0) {
        for (size_t i = 0; i < n; i++)
            if (items[i].id == v) {
                *id = v;
                return 0;
            }
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].name, s) == 0) {
            *id = items[i].id;
            found++;
        }
    if (found > 1)
        return BNC_EAMBIGUOUS;
    return found == 1 ? 0 : BN_ENOTFOUND;
}

int bnc_invite_create(bnc_client *c, uint64_t programme_id, uint8_t role,
                      uint32_t ttl_days, char code[BN_INVITE_CODE_MAX + 1],
                      int64_t *expires)
{
    const bnc_profile *p = c->profile;
    bn_invite_code inv;
    bn_msg req, rep = {0};
    int rc;

    bn_msg_init(&req, BN_MSG_INVITE_CREATE, 0);
    req.u.invite_create.programme_id = programme_id;
    req.u.invite_create.role = role;
    req.u.invite_create.ttl_days = ttl_days;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = expect(&rep, BN_MSG_INVITE);
    if (rc != 0)
        goto cleanup;
    memset(&inv, 0, sizeof inv);
    memcpy(inv.server_pk, p->server_pk, 32);
    memcpy(inv.token, rep.u.invite.token, BN_TOKEN_BYTES);
    snprintf(inv.host, sizeof inv.host, "%s", p->host);
    inv.port = p->port;
    rc = bn_invite_format(code, BN_INVITE_CODE_MAX + 1, &inv);
    if (rc == 0 && expires != NULL)
        *expires = rep.u.invite.expires;
    sodium_memzero(&inv, sizeof inv);
cleanup:
    if (rep.type == BN_MSG_INVITE)
        sodium_memzero(rep.u.invite.token, BN_TOKEN_BYTES);
    bn_msg_free(&rep);
    return rc;
}

int bnc_programme_set_mentees(bnc_client *c, uint64_t programme_id,
                              uint32_t mentees_per_mentor)
{
    bn_msg req, rep = {0};
    int rc;

    if (mentees_per_mentor < 1 ||
        mentees_per_mentor > BN_MENTEES_PER_MENTOR_MAX)
        return BN_EINVAL;
    bn_msg_init(&req, BN_MSG_PROGRAMME_SET, 0);
    req.u.programme_set.programme_id = programme_id;
    req.u.programme_set.mentees_per_mentor = mentees_per_mentor;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = expect(&rep, BN_MSG_PROGRAMME);
    bn_msg_free(&rep);
    return rc;
}

int bnc_programme_set_side_max(bnc_client *c, uint64_t programme_id,
                               uint32_t side_max)
{
    bn_msg req, rep = {0};
    int rc;

    if (side_max < 1 || side_max > BN_SIDE_MAX)
        return BN_EINVAL;
    bn_msg_init(&req, BN_MSG_PROGRAMME_SET, 0);
    req.u.programme_set.programme_id = programme_id;
    req.u.programme_set.side_max = side_max;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = expect(&rep, BN_MSG_PROGRAMME);
    bn_msg_free(&rep);
    return rc;
}

int bnc_programme_set_calendar(bnc_client *c, uint64_t programme_id,
                               unsigned what, uint32_t start_date,
                               uint32_t end_date, uint32_t min_months)
{
    bn_msg req, rep = {0};
    int rc;

    if (what == 0 || what > BN_CAL_ALL || min_months > BN_MONTHS_MAX)
        return BN_EINVAL;
    bn_msg_init(&req, BN_MSG_PROGRAMME_SET, 0);
    req.u.programme_set.programme_id = programme_id;
    req.u.programme_set.dates = (uint8_t)what;
    req.u.programme_set.start_date = start_date;
    req.u.programme_set.end_date = end_date;
    req.u.programme_set.min_months = min_months;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = expect(&rep, BN_MSG_PROGRAMME);
    bn_msg_free(&rep);
    return rc;
}

/* ---- pairs (administration and listing) ---------------------------- */

int bnc_pair_set_start(bnc_client *c, uint64_t pair_id, uint32_t date,
                       bnc_pair_info *out)
{
    bn_msg req, rep = {0};
    int rc;

    if (date == 0)
        return BN_EDATE;
    bn_msg_init(&req, BN_MSG_PAIR_START, 0);
    req.u.pair_start.pair_id = pair_id;
    req.u.pair_start.date = date;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = expect(&rep, BN_MSG_PAIR);
    if (rc == 0 && out != NULL)
        bnc__project_pair_info(out, &rep.u.pair.pair);
    bn_msg_free(&rep);
    return rc;
}

int bnc_pair_stop(bnc_client *c, uint64_t pair_id, uint8_t reason,
                  uint32_t date)
{
    bn_msg req, rep = {0};
    int rc;

    if (reason != BN_END_WITHDRAWN && reason != BN_END_STALLED)
        return BN_EINVAL;
    bn_msg_init(&req, BN_MSG_PAIR_STOP, 0);
    req.u.pair_stop.pair_id = pair_id;
    req.u.pair_stop.reason = reason;
    req.u.pair_stop.date = date ? date : bn_date_today();
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = expect(&rep, BN_MSG_PAIR);
    bn_msg_free(&rep);
    return rc;
}

uint8_t bnc_pair_ender(const bnc_pair_info *p)
{
    if (p->ended_by == 0)
        return 0;
    return p->ended_by == p->mentor_id   ? BNC_ENDER_MENTOR
           : p->ended_by == p->mentee_id ? BNC_ENDER_MENTEE
                                         : BNC_ENDER_COORDINATOR;
}

const char *bnc_ender_name(uint8_t ender)
{
    return ender == BNC_ENDER_MENTOR        ? "mentor"
           : ender == BNC_ENDER_MENTEE      ? "mentee"
           : ender == BNC_ENDER_COORDINATOR ? "coordinator"
                                            : "";
}

int bnc_pair_create(bnc_client *c, uint64_t programme_id, uint64_t mentor_id,
                    uint64_t mentee_id, uint64_t *id)
{
    bn_msg req, rep = {0};
    int rc;

    bn_msg_init(&req, BN_MSG_PAIR_CREATE, 0);
    req.u.pair_create.programme_id = programme_id;
    req.u.pair_create.mentor_id = mentor_id;
    req.u.pair_create.mentee_id = mentee_id;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = expect(&rep, BN_MSG_PAIR);
    if (rc == 0)
        *id = rep.u.pair.pair.id;
    bn_msg_free(&rep);
    return rc;
}

static int take_pairs(const bn_msg *rep, const void *ctx, void **arr, size_t *n,
                      uint64_t *last, int *more)
{
    const bn_pairs *r = &rep->u.pairs;
    (void)ctx;
    for (uint32_t i = 0; i < r->items.len; i++) {
        bnc_pair_info p;
        bnc__project_pair_info(&p, &r->items.v[i]);
        int rc = bnc__append(arr, n, sizeof p, &p);
        if (rc != 0)
            return rc;
        rc = bnc__page_next(last, p.id);
        if (rc != 0)
            return rc;
    }
    *more = r->more;
    return 0;
}

int bnc_pair_list(bnc_client *c, bnc_pair_info **items, size_t *n)
{
    bn_msg req;
    bn_msg_init(&req, BN_MSG_PAIR_LIST, 0);
    return list_all(c, &req, &req.u.pair_list.after, BN_MSG_PAIRS, take_pairs,
                    NULL, (void **)items, n, NULL);
}

int bnc__list_all(bnc_client *c, bn_msg *req, uint64_t *after,
                  uint16_t reply_type, bnc__take_fn take, const void *ctx,
                  void **arr, size_t *n, void (*drop)(void *, size_t))
{
    return list_all(c, req, after, reply_type, take, ctx, arr, n, drop);
}

int bnc__expect(const bn_msg *m, uint16_t type)
{
    return expect(m, type);
}
