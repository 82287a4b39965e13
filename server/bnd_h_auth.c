/* bnd_h_auth.c: JOIN, LOGIN, WHOAMI. */
#include <string.h>

#include "bn_text.h"
#include "bn_version.h"
#include "bnd_handlers.h"
#include "bnd_stats.h"

/* Reads the invitation of token in txn: 0 when it may still be used,
 * else BN_ENOTFOUND, BN_EUSED, BN_EEXPIRED (or a store error). */
static int invite_usable(bnd_store *st, MDB_txn *txn, const uint8_t *token,
                         int64_t now, bn_rec_invite *inv, void **arena)
{
    uint8_t h[BN_HASH_BYTES];
    int rc;

    bn_hash(h, token, BN_TOKEN_BYTES);
    rc = bnd_rec_get(st, txn, bnd_key_invites(h), inv, arena);
    if (rc != 0)
        return rc;
    if (inv->used)
        return BN_EUSED;
    if (now >= inv->expires)
        return BN_EEXPIRED;
    if (inv->role < BN_ROLE_ADMIN || inv->role > BN_ROLE_MAX)
        return BN_ECORRUPT;
    return 0;
}

/*
 * Loop thread, before anything goes to the writer: the invitation must
 * exist, be unused and unexpired (a read transaction; this cheap check
 * first), and the JOIN signature must bind this connection's handshake
 * to the new key. A flood of JOINs with bad tokens thus never takes the
 * writer thread, which every write waits for. The writer checks the
 * invitation again (two JOINs with one token may both pass here).
 */
int bnd_check_join(bnd_server *srv, bnd_session *s, const bn_msg *req,
                   const char **errmsg)
{
    MDB_txn *txn = NULL;
    bn_rec_invite inv;
    void *arena = NULL;
    int rc;

    (void)errmsg;
    if (s->ch == NULL)
        return BN_EINTERNAL;
    rc = bnd_store_read_begin(srv->store, &txn);
    if (rc != 0)
        return rc;
    rc = invite_usable(srv->store, txn, req->u.join.token, bn_now(), &inv,
                       &arena);
    bnd_store_read_end(srv->store, txn);
    bn_arena_free(&arena);
    if (rc != 0)
        return rc;
    if (bn_login_verify(req->u.join.sig, s->ch, req->u.join.sign_pk) != 0)
        return BN_ESIG;
    return 0;
}

/* logged_in_reply fills LOGGED_IN with the account and this server's
 * protocol and release. */
static void logged_in_reply(bnd_ctx *cx, const bn_rec_account *a)
{
    bnd_project_account_info(a, &cx->rep->u.logged_in.account);
    cx->rep->u.logged_in.proto = BN_PROTO_VERSION;
    cx->rep->u.logged_in.release =
        (bn_str){BN_VERSION, (uint32_t)strlen(BN_VERSION)};
}

static void logged_in(bnd_ctx *cx, const bn_rec_account *a)
{
    logged_in_reply(cx, a);
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
    uint8_t h[BN_HASH_BYTES];
    bn_rec_invite inv;
    bn_rec_account a;
    uint64_t id;
    int rc;

    if (!bnd_name_ok(j->name, 0)) {
        cx->errmsg = "a display name must be " BN_TEXT_NAME_RULE;
        return BN_EINVAL;
    }
    rc = invite_usable(cx->st, cx->txn, j->token, cx->now, &inv, &cx->arena);
    if (rc != 0)
        return rc;
    bn_hash(h, j->token, sizeof j->token);
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
    rc =
        bnd_rec_put(cx->st, cx->txn, bnd_key_accounts(id), &a, MDB_NOOVERWRITE);
    if (rc == 0)
        rc = bnd_stats_account_joined(cx->st, cx->txn, a.programme_id, a.role);
    if (rc != 0)
        return rc;
    inv.used = 1;
    inv.used_by = id;
    inv.used_at = cx->now;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_invites(h), &inv, 0);
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
    /* an erased account never logs in, whatever key is shown */
    rc = bnd_account_erased(cx, a.id, NULL);
    if (rc != 0)
        return rc == 1 ? BN_ESIG : rc;
    rc = bnd_device_login(cx, &a, l->device, l->sig);
    if (rc != 0)
        return rc;
    if (cx->srv->login_check != NULL &&
        cx->srv->login_check(cx->srv, a.id) != 0) {
        cx->errmsg = "this account has as many connections open as "
                     "connections_per_account allows: close one (another "
                     "binome still running?) and try again";
        return BN_ELIMIT;
    }
    logged_in(cx, &a);
    cx->login.device = l->device;
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
    logged_in_reply(cx, &a);
    return 0;
}
