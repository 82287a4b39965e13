/*
 * bnd_h_device.c: an account's devices, its recovery code and device
 * links (issue 15).
 *
 * An account logs in with its identity key until it has a device; from
 * then on only a device's own key logs in (devices: numbers 1, 2, ...,
 * never reused; a removed row stays, its key refused). The server keeps
 * the identity sealed under a recovery code it cannot open, and the hash
 * of the code's lookup id, which the code's holder shows before login to
 * take it and enrol a new device. A device link meets in memory (struct
 * bnd_link_slot): the server carries the commitment, the new device's
 * keys, the nonce and the sealed identity between the two devices, and
 * can read none of what matters (bn_recovery.c).
 */
#include <string.h>

#include "bn_text.h"
#include "bnd_handlers.h"

/* ---- devices ------------------------------------------------------------
 */

struct dev_scan {
    bn_device_info *items; /* NULL: count only */
    uint32_t n, in_use;
};

static int dev_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v, void *arg)
{
    struct dev_scan *ds = arg;
    bn_rec_device d;
    int rc;

    (void)k;
    if (ds->n == BN_DEVICES_MAX)
        return BN_ECORRUPT;
    rc = bnd_rec_decode(v, &bn_desc_rec_device, &d, &cx->arena);
    if (rc != 0)
        return rc;
    if (d.removed == 0)
        ds->in_use++;
    if (ds->items != NULL) {
        bn_device_info *o = &ds->items[ds->n];
        o->device = d.device;
        memcpy(o->login_pk, d.login_pk, sizeof o->login_pk);
        o->name = d.name;
        o->added = d.added;
        o->removed = d.removed;
    }
    ds->n++;
    return 0;
}

/* scan_devices counts (and lists when ds->items) account's devices. */
static int scan_devices(bnd_ctx *cx, uint64_t account, struct dev_scan *ds)
{
    int rc = bnd_scan_key(cx, bnd_key_devices(account, 0), 1, dev_item, ds);
    return rc < 0 ? rc : 0;
}

int bnd_device_login(bnd_ctx *cx, const bn_rec_account *a, uint32_t device,
                     const uint8_t sig[BN_SIG_BYTES])
{
    struct dev_scan ds = {NULL, 0, 0};
    bn_rec_device d;
    int rc;

    if (device == 0) {
        if (bn_login_verify(sig, cx->ch, a->sign_pk) != 0)
            return BN_ESIG;
        rc = scan_devices(cx, a->id, &ds);
        if (rc != 0)
            return rc;
        if (ds.n > 0) {
            cx->errmsg = "this copy of the account's keys no longer logs "
                         "in: the account now uses its devices' own keys "
                         "(see `binome device list` on one of them)";
            return BN_EDENIED;
        }
        return 0;
    }
    rc = bnd_rec_get(cx->st, cx->txn, bnd_key_devices(a->id, device), &d,
                     &cx->arena);
    if (rc == BN_ENOTFOUND)
        return BN_ESIG;
    if (rc != 0)
        return rc;
    if (bn_login_verify(sig, cx->ch, d.login_pk) != 0)
        return BN_ESIG;
    if (d.removed != 0) {
        cx->errmsg = "this device was removed from its account: it can no "
                     "longer log in";
        return BN_EDENIED;
    }
    return 0;
}

/* add_device writes device number (count + 1) with login_pk: *out. */
static int add_device(bnd_ctx *cx, uint64_t account, const uint8_t *login_pk,
                      bn_str name, uint32_t *out)
{
    struct dev_scan ds = {NULL, 0, 0};
    bn_rec_device d;
    int rc;

    if (!bnd_name_ok(name, 1)) {
        cx->errmsg = "a device name must be " BN_TEXT_NAME_RULE;
        return BN_EINVAL;
    }
    rc = scan_devices(cx, account, &ds);
    if (rc != 0)
        return rc;
    if (ds.n >= BN_DEVICES_MAX) {
        cx->errmsg = "this account has added as many devices as it may";
        return BN_ELIMIT;
    }
    memset(&d, 0, sizeof d);
    d.account_id = account;
    d.device = ds.n + 1;
    memcpy(d.login_pk, login_pk, sizeof d.login_pk);
    d.name = name;
    d.added = cx->now;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_devices(account, d.device), &d,
                     MDB_NOOVERWRITE);
    if (rc == 0)
        *out = d.device;
    return rc;
}

int bnd_h_device_add(bnd_ctx *cx, const bn_msg *req)
{
    uint32_t dev = 0;
    int rc = add_device(cx, cx->actor.account_id, req->u.device_add.login_pk,
                        req->u.device_add.name, &dev);
    if (rc == 0)
        cx->rep->u.ok.value = dev;
    return rc;
}

int bnd_h_device_list(bnd_ctx *cx, const bn_msg *req)
{
    struct dev_scan ds = {NULL, 0, 0};
    int rc;

    (void)req;
    ds.items = bnd_ctx_alloc(cx, BN_DEVICES_MAX * sizeof *ds.items);
    if (ds.items == NULL)
        return BN_ENOMEM;
    rc = scan_devices(cx, cx->actor.account_id, &ds);
    if (rc != 0)
        return rc;
    cx->rep->u.devices.items.v = ds.items;
    cx->rep->u.devices.items.len = ds.n;
    cx->rep->u.devices.current = cx->actor.device;
    return 0;
}

int bnd_h_device_remove(bnd_ctx *cx, const bn_msg *req)
{
    uint32_t dev = req->u.device_remove.device;
    bn_rec_device d;
    int rc;

    if (dev == cx->actor.device) {
        cx->errmsg = "a device cannot remove itself: remove it from another "
                     "of your devices";
        return BN_EINVAL;
    }
    rc =
        bnd_rec_get(cx->st, cx->txn, bnd_key_devices(cx->actor.account_id, dev),
                    &d, &cx->arena);
    if (rc == BN_ENOTFOUND)
        cx->errmsg = "this account has no such device";
    if (rc != 0)
        return rc;
    if (d.removed == 0) {
        d.removed = cx->now;
        rc = bnd_rec_put(cx->st, cx->txn,
                         bnd_key_devices(cx->actor.account_id, dev), &d, 0);
    }
    if (rc == 0)
        cx->rep->u.ok.value = dev;
    return rc;
}

/* ---- the recovery code ----------------------------------------------------
 */

int bnd_h_recovery_put(bnd_ctx *cx, const bn_msg *req)
{
    bn_rec_recovery r;

    memset(&r, 0, sizeof r);
    r.account_id = cx->actor.account_id;
    bn_hash(r.id_hash, req->u.recovery_put.recovery_id,
            sizeof req->u.recovery_put.recovery_id);
    memcpy(r.blob, req->u.recovery_put.blob, sizeof r.blob);
    r.created = cx->now;
    return bnd_rec_put(cx->st, cx->txn, bnd_key_recovery(r.account_id), &r, 0);
}

/* Before login: the lookup id must match the account's (an unknown
 * account and a wrong id get the same answer, and the connection
 * closes: F_AUTH); then the new device is enrolled and the sealed
 * identity handed over. */
int bnd_h_recover(bnd_ctx *cx, const bn_msg *req)
{
    const bn_recover *r = &req->u.recover;
    uint8_t h[BN_HASH_BYTES];
    bn_rec_recovery rec;
    bn_rec_account a;
    uint32_t dev = 0;
    int rc;

    rc = bnd_rec_get(cx->st, cx->txn, bnd_key_recovery(r->account_id), &rec,
                     &cx->arena);
    if (rc == BN_ENOTFOUND)
        return BN_ESIG;
    if (rc != 0)
        return rc;
    bn_hash(h, r->recovery_id, sizeof r->recovery_id);
    if (sodium_memcmp(h, rec.id_hash, sizeof h) != 0)
        return BN_ESIG;
    rc = bnd_get_account(cx, r->account_id, &a);
    if (rc == BN_ENOTFOUND)
        return BN_ESIG;
    if (rc == 0)
        rc = bnd_account_erased(cx, a.id, NULL);
    if (rc != 0)
        return rc == 1 ? BN_ESIG : rc;
    rc = add_device(cx, a.id, r->login_pk, r->name, &dev);
    if (rc != 0)
        return rc;
    cx->rep->u.recovered.device = dev;
    memcpy(cx->rep->u.recovered.blob, rec.blob, sizeof rec.blob);
    return 0;
}

/* ---- device links -------------------------------------------------------
 */

/* find_slot: the live slot of token, or NULL; forgets expired ones. */
static bnd_link_slot *find_slot(bnd_server *srv, const uint8_t *token,
                                int64_t now)
{
    bnd_link_slot *found = NULL;

    for (size_t i = 0; i < BND_LINK_SLOTS; i++) {
        bnd_link_slot *s = &srv->links[i];
        if (s->account != 0 && s->expires <= now)
            sodium_memzero(s, sizeof *s);
        if (s->account != 0 &&
            sodium_memcmp(s->token, token, BN_TOKEN_BYTES) == 0)
            found = s;
    }
    return found;
}

static void link_reply(bnd_ctx *cx, const bnd_link_slot *s,
                       const bn_rec_account *a)
{
    bn_link *o = &cx->rep->u.link;

    memcpy(o->commit, s->commit, sizeof o->commit);
    memcpy(o->identity_pk, a->sign_pk, sizeof o->identity_pk);
    memcpy(o->box_pk, s->box_pk, sizeof o->box_pk);
    memcpy(o->login_pk, s->login_pk, sizeof o->login_pk);
    o->name = (bn_str){s->name, (uint32_t)strlen(s->name)};
    if (s->revealed)
        memcpy(o->nonce, s->nonce, sizeof o->nonce);
    o->sealed = (bn_bin){s->sealed, s->sealed_len};
    o->expires = s->expires;
    o->trust = (bn_bin){s->trust, s->trust_len};
}

/* The account's own side: open the slot with the commitment, then reveal
 * the nonce once the new device joined, then leave the sealed identity.
 * Each step once, in order. */
int bnd_h_link_put(bnd_ctx *cx, const bn_msg *req)
{
    const bn_link_put *p = &req->u.link_put;
    bnd_link_slot *s = find_slot(cx->srv, p->token, cx->now);
    bn_rec_account a;
    int rc;

    rc = bnd_get_account(cx, cx->actor.account_id, &a);
    if (rc != 0)
        return rc;
    if (s == NULL) {
        if (sodium_is_zero(p->commit, sizeof p->commit) ||
            !sodium_is_zero(p->nonce, sizeof p->nonce) || p->sealed.len != 0) {
            cx->errmsg = "this device link has expired or was never opened";
            return BN_ENOTFOUND;
        }
        /* one link at a time an account: a new one replaces the last */
        for (size_t i = 0; i < BND_LINK_SLOTS && s == NULL; i++)
            if (cx->srv->links[i].account == cx->actor.account_id)
                s = &cx->srv->links[i];
        for (size_t i = 0; i < BND_LINK_SLOTS && s == NULL; i++)
            if (cx->srv->links[i].account == 0)
                s = &cx->srv->links[i];
        if (s == NULL) {
            cx->errmsg = "too many device links at once: try again in a "
                         "few minutes";
            return BN_ELIMIT;
        }
        sodium_memzero(s, sizeof *s);
        memcpy(s->token, p->token, sizeof s->token);
        memcpy(s->commit, p->commit, sizeof s->commit);
        s->account = cx->actor.account_id;
        s->expires = cx->now + BN_LINK_TTL;
    } else if (s->account != cx->actor.account_id) {
        cx->errmsg = "this device link has expired or was never opened";
        return BN_ENOTFOUND;
    } else if (!sodium_is_zero(p->nonce, sizeof p->nonce)) {
        if (!s->joined || s->revealed)
            return BN_EINVAL;
        memcpy(s->nonce, p->nonce, sizeof s->nonce);
        s->revealed = 1;
    } else if (p->sealed.len != 0) {
        if (!s->revealed || s->sealed_len != 0 ||
            p->sealed.len != BN_LINK_SEALED_BYTES)
            return BN_EINVAL;
        memcpy(s->sealed, p->sealed.ptr, p->sealed.len);
        s->sealed_len = p->sealed.len;
        memcpy(s->trust, p->trust.ptr, p->trust.len);
        s->trust_len = p->trust.len;
    }
    link_reply(cx, s, &a);
    return 0;
}

/* The new device's side, before login: its keys once, then reads. A
 * token matching no live slot closes the connection (F_AUTH). */
int bnd_h_link_join(bnd_ctx *cx, const bn_msg *req)
{
    const bn_link_join *j = &req->u.link_join;
    bnd_link_slot *s = find_slot(cx->srv, j->token, cx->now);
    bn_rec_account a;
    int rc;

    if (s == NULL) {
        cx->errmsg = "no device link waits with this code: it has expired "
                     "(ten minutes) or was typed wrong";
        return BN_ENOTFOUND;
    }
    if (!sodium_is_zero(j->box_pk, sizeof j->box_pk)) {
        if (s->joined) {
            if (sodium_memcmp(s->box_pk, j->box_pk, sizeof s->box_pk) != 0 ||
                sodium_memcmp(s->login_pk, j->login_pk, sizeof s->login_pk) !=
                    0) {
                cx->errmsg = "another device already answered this link";
                return BN_EEXIST;
            }
        } else {
            if (!bnd_name_ok(j->name, 1)) {
                cx->errmsg = "a device name must be " BN_TEXT_NAME_RULE;
                return BN_EINVAL;
            }
            memcpy(s->box_pk, j->box_pk, sizeof s->box_pk);
            memcpy(s->login_pk, j->login_pk, sizeof s->login_pk);
            memcpy(s->name, j->name.ptr, j->name.len);
            s->name[j->name.len] = '\0';
            s->joined = 1;
        }
    }
    rc = bnd_get_account(cx, s->account, &a);
    if (rc != 0)
        return rc;
    link_reply(cx, s, &a);
    return 0;
}
