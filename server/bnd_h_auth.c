/* bnd_h_auth.c: JOIN, LOGIN, WHOAMI. */
#include <string.h>

#include "bn_text.h"
#include "bnd_handlers.h"
#include "bnd_stats.h"

/* Loop thread: the JOIN signature binds this connection's handshake to
 * the new key; checked before anything is written. */
int bnd_check_join(bnd_server *srv, bnd_session *s, const bn_msg *req)
{
    (void)srv;
    if (s->ch == NULL)
        return BN_EINTERNAL;
    if (bn_login_verify(req->u.join.sig, s->ch, req->u.join.sign_pk) != 0)
        return BN_ESIG;
    return 0;
}

static void logged_in(bnd_ctx *cx, const bn_rec_account *a)
{
    cx->rep->type = BN_MSG_LOGGED_IN;
    bnd_account_info(a, &cx->rep->u.logged_in.account);
    cx->login.account_id = a->id;
    cx->login.programme_id = a->programme_id;
    cx->login.role = a->role;
    cx->did_login = 1;
}

/* Consumes the invitation (single use, not expired) and creates the
 * account with its programme and role. */
int bnd_h_join(bnd_ctx *cx, const bn_msg *req)
{
    const bn_join *j = &req->u.join;
    uint8_t h[BN_HASH_BYTES], k[8];
    bn_rec_invite inv;
    bn_rec_account a;
    uint64_t id;
    int rc;

    if (!bnd_name_ok(j->name, 0)) {
        cx->errmsg = "a display name must be " BN_TEXT_NAME_RULE;
        return BN_EINVAL;
    }
    bn_hash(h, j->token, sizeof j->token);
    rc = bnd_rec_get(cx->txn, DB(cx, INVITES), h, sizeof h, &bn_desc_rec_invite,
                     &inv, &cx->arena);
    if (rc != 0)
        return rc;
    if (inv.used)
        return BN_EUSED;
    if (cx->now >= inv.expires)
        return BN_EEXPIRED;
    if (inv.role < BN_ROLE_ADMIN || inv.role > BN_ROLE_MAX)
        return BN_ECORRUPT;
    rc = bnd_counter_next(cx->st, cx->txn, "account", &id);
    if (rc != 0)
        return rc;
    memset(&a, 0, sizeof a);
    a.id = id;
    a.role = inv.role;
    a.name = j->name;
    a.programme_id = inv.programme_id;
    memcpy(a.sign_pk, j->sign_pk, sizeof a.sign_pk);
    memcpy(a.box_pk, j->box_pk, sizeof a.box_pk);
    a.created = cx->now;
    rc = bnd_rec_put(cx->txn, DB(cx, ACCOUNTS), k, bnd_key_u64(k, id),
                     &bn_desc_rec_account, &a, MDB_NOOVERWRITE);
    if (rc == 0)
        rc = bnd_stats_account_joined(cx->st, cx->txn, a.programme_id, a.role);
    if (rc != 0)
        return rc;
    inv.used = 1;
    inv.used_by = id;
    inv.used_at = cx->now;
    rc = bnd_rec_put(cx->txn, DB(cx, INVITES), h, sizeof h, &bn_desc_rec_invite,
                     &inv, 0);
    if (rc != 0)
        return rc;
    logged_in(cx, &a);
    return 0;
}

/* Checks the transcript signature with the account's stored key. An
 * unknown account gets the same answer as a bad signature. */
int bnd_h_login(bnd_ctx *cx, const bn_msg *req)
{
    const bn_login *l = &req->u.login;
    bn_rec_account a;
    int rc;

    if (cx->ch == NULL)
        return BN_EINTERNAL;
    rc = bnd_get_account(cx, l->account_id, &a);
    if (rc == BN_ENOTFOUND)
        return BN_ESIG;
    if (rc != 0)
        return rc;
    if (bn_login_verify(l->sig, cx->ch, a.sign_pk) != 0)
        return BN_ESIG;
    logged_in(cx, &a);
    return 0;
}

int bnd_h_whoami(bnd_ctx *cx, const bn_msg *req)
{
    bn_rec_account a;
    int rc;

    (void)req;
    rc = bnd_get_account(cx, cx->actor.account_id, &a);
    if (rc != 0)
        return rc;
    cx->rep->type = BN_MSG_LOGGED_IN;
    bnd_account_info(&a, &cx->rep->u.logged_in.account);
    return 0;
}
