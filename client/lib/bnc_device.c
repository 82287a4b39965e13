/*
 * bnc_device.c: an account on more than one device, and its recovery
 * code (issue 15).
 *
 * A device logs in with its own key (bn_device_login_key); the identity
 * (signing, box and self keys) is the same on every device, so pairs,
 * wraps and safety numbers do not change when a device is added: the
 * other member verifies nothing again. A device reaches another only
 * through what the person compares: the short string of a link on both
 * screens, or the recovery code they wrote down.
 */
#include "binome.h"
#include "bnc_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bn_invite.h"

#define LINK_POLL_MS 300

int bnc__login_sign(const bnc_profile *p, uint32_t device, const bn_channel *ch,
                    uint8_t sig[BN_SIG_BYTES])
{
    uint8_t pk[BN_SIGN_PK_BYTES];
    uint8_t *sk;
    int rc;

    if (device == 0)
        return bn_login_sign(sig, ch, p->id->sign_sk);
    sk = sodium_malloc(BN_SIGN_SK_BYTES);
    if (sk == NULL)
        return BN_ENOMEM;
    rc = bn_device_login_key(p->id, pk, sk);
    if (rc == 0)
        rc = bn_login_sign(sig, ch, sk);
    sodium_free(sk);
    return rc;
}

uint32_t bnc_profile_device(const bnc_profile *p)
{
    return p != NULL ? p->device : 0;
}

/* call_ok sends req on c's connection and wants OK: *value. */
static int call_ok(bnc_client *c, bn_msg *req, uint64_t *value)
{
    bn_msg rep = {0};
    int rc = bnc_call(c->conn, req, &rep);

    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_OK);
    if (rc == 0 && value != NULL)
        *value = rep.u.ok.value;
    bn_msg_free(&rep);
    return rc;
}

/* add_device asks the server to add a device with the login key of seed's
 * key pair: its number in *out. */
static int add_device(bnc_client *c, const uint8_t login_pk[BN_SIGN_PK_BYTES],
                      const char *name, uint32_t *out)
{
    bn_msg req;
    uint64_t v = 0;
    int rc;

    bn_msg_init(&req, BN_MSG_DEVICE_ADD, 0);
    memcpy(req.u.device_add.login_pk, login_pk, BN_SIGN_PK_BYTES);
    req.u.device_add.name = (bn_str){name, (uint32_t)strlen(name)};
    rc = call_ok(c, &req, &v);
    if (rc == 0 && (v == 0 || v > BN_DEVICES_MAX))
        rc = BN_EPROTO;
    if (rc == 0)
        *out = (uint32_t)v;
    return rc;
}

/*
 * own_device gives this device its own login key when it has none yet
 * (the account's first device logs in with the identity key until it
 * links another). In this order, so that a stop anywhere leaves a device
 * that logs in: the key file with the new seed (still logging in with the
 * identity key), then the server's device, then profile.conf with its
 * number (login finds the number by itself if that last step is lost).
 */
static int own_device(bnc_client *c, const char *pass, size_t passlen)
{
    bnc_profile *p = c->profile;
    uint8_t pk[BN_SIGN_PK_BYTES];
    uint8_t *sk;
    uint32_t dev = 0;
    int rc;

    if (p->device != 0)
        return 0;
    if (!bn_identity_has_device(p->id)) {
        randombytes_buf(p->id->device_seed, sizeof p->id->device_seed);
        rc = bnc_profile_save_identity(p, pass, passlen);
        if (rc != 0) {
            sodium_memzero(p->id->device_seed, sizeof p->id->device_seed);
            return rc;
        }
    }
    sk = sodium_malloc(BN_SIGN_SK_BYTES);
    if (sk == NULL)
        return BN_ENOMEM;
    rc = bn_device_login_key(p->id, pk, sk);
    sodium_free(sk);
    if (rc == 0)
        rc = add_device(c, pk, "first device", &dev);
    if (rc != 0)
        return rc;
    p->device = dev;
    return bnc_profile_save(p);
}

/* ---- the recovery code --------------------------------------------------
 */

int bnc_recovery_check(const char *code)
{
    bn_recovery_code rc;
    int r = bn_recovery_code_parse(&rc, code);
    sodium_memzero(&rc, sizeof rc);
    return r;
}

int bnc_recovery_new(bnc_client *c, char out[BNC_RECOVERY_TEXT_MAX])
{
    bn_recovery_code code;
    uint8_t key[BN_KEY_BYTES];
    bn_msg req;
    int rc;

    rc = bn_recovery_code_new(&code, c->profile->account_id);
    if (rc != 0)
        return rc;
    bn_msg_init(&req, BN_MSG_RECOVERY_PUT, 0);
    rc = bn_recovery_derive(&code, req.u.recovery_put.recovery_id, key);
    if (rc == 0)
        rc = bn_recovery_seal(req.u.recovery_put.blob, c->profile->id,
                              c->profile->account_id, key);
    if (rc == 0)
        rc = call_ok(c, &req, NULL);
    if (rc == 0)
        bn_recovery_code_format(&code, out);
    sodium_memzero(&req, sizeof req);
    sodium_memzero(key, sizeof key);
    sodium_memzero(&code, sizeof code);
    return rc;
}

int bnc_server_code(const bnc_profile *p, char *out, size_t size)
{
    return bn_server_code_format(out, size, p->server_pk, p->host, p->port);
}

/* finish_profile logs in as the new device and keeps what the server says
 * of the account, then writes the key file and profile.conf. */
static int finish_profile(bnc_profile *p, const char *pass, size_t passlen,
                          bnc_account *out)
{
    bnc_client *c = NULL;
    int rc;

    rc = bnc_client_open(&c, p, NULL, 0); /* p->id is loaded */
    if (rc != 0)
        return rc;
    snprintf(p->name, sizeof p->name, "%s", c->me.name);
    p->role = c->me.role;
    p->programme_id = c->me.programme_id;
    if (out != NULL)
        *out = c->me;
    bnc_client_close(c);
    rc = bnc_profile_save_identity(p, pass, passlen);
    if (rc == 0)
        rc = bnc_profile_save(p);
    return rc;
}

/* new_device_key gives p->id a fresh device seed: its login key in pk. */
static int new_device_key(bnc_profile *p, uint8_t pk[BN_SIGN_PK_BYTES])
{
    uint8_t *sk = sodium_malloc(BN_SIGN_SK_BYTES);
    int rc;

    if (sk == NULL)
        return BN_ENOMEM;
    randombytes_buf(p->id->device_seed, sizeof p->id->device_seed);
    rc = bn_device_login_key(p->id, pk, sk);
    sodium_free(sk);
    return rc;
}

int bnc_recover(bnc_profile *p, const char *server, const char *code,
                const char *device_name, const char *pass, size_t passlen,
                bnc_account *out)
{
    bn_invite_code srv;
    bn_recovery_code rcode;
    uint8_t key[BN_KEY_BYTES];
    bnc_conn *conn = NULL;
    bn_msg req, rep = {0};
    int rc;

    p->server_said[0] = '\0';
    if (passlen == 0)
        return BN_EINVAL;
    rc = bnc__profile_empty(p);
    if (rc != 0)
        return rc;
    if (bn_server_code_parse(&srv, server) != 0)
        return BN_EINVAL;
    rc = bn_recovery_code_parse(&rcode, code);
    if (rc != 0)
        return rc;
    rc = bnc__profile_new_id(p);
    if (rc != 0)
        goto cleanup;
    bn_msg_init(&req, BN_MSG_RECOVER, 0);
    req.u.recover.account_id = rcode.account;
    req.u.recover.name = (bn_str){device_name, (uint32_t)strlen(device_name)};
    rc = bn_recovery_derive(&rcode, req.u.recover.recovery_id, key);
    if (rc == 0)
        rc = new_device_key(p, req.u.recover.login_pk);
    if (rc == 0)
        rc = bnc_conn_open(&conn, srv.host, srv.port, srv.server_pk, 0);
    if (rc == 0) {
        rc = bnc_call(conn, &req, &rep);
        if (rc != 0 && bnc_last_error(conn) != NULL)
            snprintf(p->server_said, sizeof p->server_said, "%s",
                     bnc_last_error(conn));
    }
    sodium_memzero(&req, sizeof req);
    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_RECOVERED);
    if (rc == 0 && (rep.u.recovered.device == 0))
        rc = BN_EPROTO;
    if (rc == 0) {
        /* the device seed is ours; the rest comes from the sealed copy */
        uint8_t seed[BN_KEY_BYTES];
        memcpy(seed, p->id->device_seed, sizeof seed);
        rc = bn_recovery_open(p->id, rep.u.recovered.blob,
                              sizeof rep.u.recovered.blob, rcode.account, key);
        memcpy(p->id->device_seed, seed, sizeof seed);
        sodium_memzero(seed, sizeof seed);
    }
    if (rc != 0)
        goto cleanup;
    snprintf(p->host, sizeof p->host, "%s", srv.host);
    p->port = srv.port;
    memcpy(p->server_pk, srv.server_pk, 32);
    p->account_id = rcode.account;
    p->device = rep.u.recovered.device;
    rc = finish_profile(p, pass, passlen, out);
cleanup:
    bnc_conn_close(conn);
    bn_msg_free(&rep);
    sodium_memzero(key, sizeof key);
    sodium_memzero(&rcode, sizeof rcode);
    if (rc != 0) {
        bn_identity_free(p->id);
        p->id = NULL;
    }
    return rc;
}

/* ---- the devices ----------------------------------------------------------
 */

int bnc_device_list(bnc_client *c, bnc_device *out, size_t max, size_t *n)
{
    bn_msg req, rep = {0};
    int rc;

    *n = 0;
    bn_msg_init(&req, BN_MSG_DEVICE_LIST, 0);
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_DEVICES);
    for (uint32_t i = 0; rc == 0 && i < rep.u.devices.items.len; i++) {
        const bn_device_info *d = &rep.u.devices.items.v[i];
        if (*n == max)
            break;
        memset(&out[*n], 0, sizeof out[*n]);
        out[*n].number = d->device;
        snprintf(out[*n].name, sizeof out[*n].name, "%.*s", (int)d->name.len,
                 d->name.ptr);
        out[*n].added = d->added;
        out[*n].removed = d->removed;
        out[*n].current = d->device == rep.u.devices.current;
        (*n)++;
    }
    bn_msg_free(&rep);
    return rc;
}

int bnc_device_remove(bnc_client *c, uint32_t number)
{
    bn_msg req;

    bn_msg_init(&req, BN_MSG_DEVICE_REMOVE, 0);
    req.u.device_remove.device = number;
    return call_ok(c, &req, NULL);
}

/* ---- device links ---------------------------------------------------------
 */

struct bnc_link {
    bnc_client *c;  /* the account's side; NULL on the new device */
    bnc_profile *p; /* the new device's profile */
    bn_invite_code code;
    uint8_t nonce[BN_LINK_NONCE_BYTES];
    uint8_t commit[BN_HASH_BYTES];
    uint8_t box_pk[BN_BOX_PK_BYTES]; /* the new device's */
    uint8_t *box_sk;                 /* the new device's (sodium_malloc) */
    uint8_t login_pk[BN_SIGN_PK_BYTES];
    uint8_t identity_pk[BN_SIGN_PK_BYTES];
    char name[BNC_DEVICE_NAME_MAX + 1];
    char *pass; /* the account's passphrase, to seal its own device key */
    size_t passlen;
};

void bnc_link_free(bnc_link *l)
{
    if (l == NULL)
        return;
    sodium_free(l->box_sk);
    if (l->pass != NULL)
        sodium_free(l->pass);
    sodium_memzero(l, sizeof *l);
    free(l);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* link_put sends the account's side of the link and reads the slot. */
static int link_put(bnc_link *l, const uint8_t *commit, const uint8_t *nonce,
                    const uint8_t *sealed, size_t sealed_len,
                    const uint8_t *trust, size_t trust_len, bn_msg *rep)
{
    bn_msg req;
    int rc;

    bn_msg_init(&req, BN_MSG_LINK_PUT, 0);
    memcpy(req.u.link_put.token, l->code.token, BN_TOKEN_BYTES);
    if (commit != NULL)
        memcpy(req.u.link_put.commit, commit, BN_HASH_BYTES);
    if (nonce != NULL)
        memcpy(req.u.link_put.nonce, nonce, BN_LINK_NONCE_BYTES);
    req.u.link_put.sealed = (bn_bin){sealed, (uint32_t)sealed_len};
    req.u.link_put.trust = (bn_bin){trust, (uint32_t)trust_len};
    rc = bnc_call(l->c->conn, &req, rep);
    if (rc == 0)
        rc = bnc__expect(rep, BN_MSG_LINK);
    return rc;
}

int bnc_link_open(bnc_client *c, const char *pass, size_t passlen,
                  bnc_link **out, char *code, size_t codesize)
{
    bnc_profile *p = c->profile;
    bnc_link *l;
    bn_msg rep = {0};
    int rc;

    *out = NULL;
    l = calloc(1, sizeof *l);
    if (l == NULL)
        return BN_ENOMEM;
    l->c = c;
    l->pass = sodium_malloc(passlen + 1);
    if (l->pass == NULL) {
        bnc_link_free(l);
        return BN_ENOMEM;
    }
    memcpy(l->pass, pass, passlen);
    l->passlen = passlen;
    randombytes_buf(l->code.token, sizeof l->code.token);
    randombytes_buf(l->nonce, sizeof l->nonce);
    bn_link_commit(l->commit, l->nonce);
    memcpy(l->code.server_pk, p->server_pk, 32);
    snprintf(l->code.host, sizeof l->code.host, "%s", p->host);
    l->code.port = p->port;
    rc = link_put(l, l->commit, NULL, NULL, 0, NULL, 0, &rep);
    bn_msg_free(&rep);
    if (rc == 0)
        rc = bn_link_code_format(code, codesize, &l->code);
    if (rc != 0) {
        bnc_link_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

int bnc_link_wait(bnc_link *l, int timeout_s, uint32_t *sas, char *name,
                  size_t namesize)
{
    bnc_profile *p = l->c->profile;
    bn_msg rep = {0};
    int rc = 0;
    int64_t until = (int64_t)time(NULL) + timeout_s;

    for (;;) {
        rc = link_put(l, NULL, NULL, NULL, 0, NULL, 0, &rep);
        if (rc != 0)
            break;
        if (!sodium_is_zero(rep.u.link.box_pk, BN_BOX_PK_BYTES))
            break;
        bn_msg_free(&rep);
        if ((int64_t)time(NULL) >= until)
            return BN_ETIMEDOUT;
        sleep_ms(LINK_POLL_MS);
    }
    if (rc == 0) {
        memcpy(l->box_pk, rep.u.link.box_pk, BN_BOX_PK_BYTES);
        memcpy(l->login_pk, rep.u.link.login_pk, BN_SIGN_PK_BYTES);
        snprintf(l->name, sizeof l->name, "%.*s", (int)rep.u.link.name.len,
                 rep.u.link.name.ptr);
    }
    bn_msg_free(&rep);
    if (rc != 0)
        return rc;
    /* only now, with the new device's keys in hand: the nonce */
    rc = link_put(l, NULL, l->nonce, NULL, 0, NULL, 0, &rep);
    bn_msg_free(&rep);
    if (rc != 0)
        return rc;
    *sas = bn_link_sas(l->nonce, p->id->sign_pk, l->box_pk, l->login_pk);
    snprintf(name, namesize, "%s", l->name);
    return 0;
}

int bnc_link_send(bnc_link *l, uint32_t *device)
{
    bnc_client *c = l->c;
    uint8_t sealed[BN_LINK_SEALED_BYTES];
    uint8_t trust[BNC__TRUST_MAX], strust[BN_LINK_TRUST_MAX];
    size_t tlen = 0;
    bn_msg rep = {0};
    uint32_t dev = 0;
    int rc;

    /* this device first gets its own key, so that the identity key that
     * the new device receives no longer logs in by itself */
    rc = own_device(c, l->pass, l->passlen);
    if (rc == 0)
        rc = add_device(c, l->login_pk, l->name, &dev);
    if (rc == 0)
        rc = bn_link_seal(sealed, c->profile->id, c->profile->account_id, dev,
                          l->box_pk);
    /* and the pairs this device verified in person, so that the new one
     * does not ask to verify them again */
    if (rc == 0)
        rc = bnc__trust_export(c->profile, trust, sizeof trust, &tlen);
    if (rc == 0 && tlen > 0 &&
        crypto_box_seal(strust, trust, tlen, l->box_pk) != 0)
        rc = BN_EINTERNAL;
    if (rc == 0)
        rc = link_put(l, NULL, NULL, sealed, sizeof sealed, strust,
                      tlen > 0 ? tlen + crypto_box_SEALBYTES : 0, &rep);
    bn_msg_free(&rep);
    if (rc == 0 && device != NULL)
        *device = dev;
    return rc;
}

/* link_join sends the new device's side (its keys when give_keys) and
 * reads the slot, on a connection of its own (before login, one request
 * a connection). */
static int link_join(bnc_link *l, int give_keys, bn_msg *rep)
{
    bnc_conn *conn = NULL;
    bn_msg req;
    int rc;

    rc = bnc_conn_open(&conn, l->code.host, l->code.port, l->code.server_pk, 0);
    if (rc != 0)
        return rc;
    bn_msg_init(&req, BN_MSG_LINK_JOIN, 0);
    memcpy(req.u.link_join.token, l->code.token, BN_TOKEN_BYTES);
    if (give_keys) {
        memcpy(req.u.link_join.box_pk, l->box_pk, BN_BOX_PK_BYTES);
        memcpy(req.u.link_join.login_pk, l->login_pk, BN_SIGN_PK_BYTES);
        req.u.link_join.name = (bn_str){l->name, (uint32_t)strlen(l->name)};
    }
    rc = bnc_call(conn, &req, rep);
    if (rc != 0 && bnc_last_error(conn) != NULL && l->p != NULL)
        snprintf(l->p->server_said, sizeof l->p->server_said, "%s",
                 bnc_last_error(conn));
    if (rc == 0)
        rc = bnc__expect(rep, BN_MSG_LINK);
    bnc_conn_close(conn);
    return rc;
}

int bnc_link_join(bnc_profile *p, const char *code, const char *name,
                  int timeout_s, bnc_link **out, uint32_t *sas)
{
    bnc_link *l;
    bn_msg rep = {0};
    int64_t until = (int64_t)time(NULL) + timeout_s;
    int rc;

    *out = NULL;
    p->server_said[0] = '\0';
    rc = bnc__profile_empty(p);
    if (rc != 0)
        return rc;
    l = calloc(1, sizeof *l);
    if (l == NULL)
        return BN_ENOMEM;
    l->p = p;
    if (bn_link_code_parse(&l->code, code) != 0) {
        bnc_link_free(l);
        return BN_EINVAL;
    }
    snprintf(l->name, sizeof l->name, "%s", name);
    l->box_sk = sodium_malloc(BN_BOX_SK_BYTES);
    if (bnc__profile_new_id(p) != 0 || l->box_sk == NULL) {
        bnc_link_free(l);
        return BN_ENOMEM;
    }
    if (crypto_box_keypair(l->box_pk, l->box_sk) != 0 ||
        new_device_key(p, l->login_pk) != 0) {
        bnc_link_free(l);
        return BN_EINTERNAL;
    }
    /* the commitment must be there before our keys go: read it first */
    rc = link_join(l, 0, &rep);
    if (rc == 0 && sodium_is_zero(rep.u.link.commit, BN_HASH_BYTES))
        rc = BN_EPROTO;
    if (rc == 0) {
        memcpy(l->commit, rep.u.link.commit, BN_HASH_BYTES);
        memcpy(l->identity_pk, rep.u.link.identity_pk, BN_SIGN_PK_BYTES);
    }
    for (int first = 1; rc == 0; first = 0) {
        bn_msg_free(&rep);
        rc = link_join(l, first, &rep);
        if (rc != 0)
            break;
        if (!sodium_is_zero(rep.u.link.nonce, BN_LINK_NONCE_BYTES))
            break;
        if ((int64_t)time(NULL) >= until)
            rc = BN_ETIMEDOUT;
        else
            sleep_ms(LINK_POLL_MS);
    }
    /* the nonce must be the one committed to before our keys went out,
     * and the identity the one it was committed for */
    if (rc == 0 &&
        (bn_link_commit_check(l->commit, rep.u.link.nonce) != 0 ||
         sodium_memcmp(rep.u.link.commit, l->commit, BN_HASH_BYTES) != 0 ||
         sodium_memcmp(rep.u.link.identity_pk, l->identity_pk,
                       BN_SIGN_PK_BYTES) != 0))
        rc = BN_ETAMPER;
    if (rc == 0) {
        memcpy(l->nonce, rep.u.link.nonce, BN_LINK_NONCE_BYTES);
        *sas = bn_link_sas(l->nonce, l->identity_pk, l->box_pk, l->login_pk);
    }
    bn_msg_free(&rep);
    if (rc != 0) {
        bnc_link_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

int bnc_link_receive(bnc_link *l, const char *pass, size_t passlen,
                     int timeout_s, bnc_account *out)
{
    bnc_profile *p = l->p;
    bn_msg rep = {0};
    int64_t until = (int64_t)time(NULL) + timeout_s;
    uint8_t seed[BN_KEY_BYTES];
    uint8_t trust[BNC__TRUST_MAX];
    size_t tlen = 0;
    uint64_t account = 0;
    uint32_t device = 0;
    int rc;

    if (p == NULL || passlen == 0)
        return BN_EINVAL;
    for (;;) {
        rc = link_join(l, 0, &rep);
        if (rc != 0 || rep.u.link.sealed.len != 0)
            break;
        bn_msg_free(&rep);
        if ((int64_t)time(NULL) >= until)
            return BN_ETIMEDOUT;
        sleep_ms(LINK_POLL_MS);
    }
    if (rc == 0) {
        memcpy(seed, p->id->device_seed, sizeof seed);
        rc = bn_link_open(p->id, &account, &device, rep.u.link.sealed.ptr,
                          rep.u.link.sealed.len, l->box_pk, l->box_sk);
        memcpy(p->id->device_seed, seed, sizeof seed);
        sodium_memzero(seed, sizeof seed);
    }
    /* what the other device verified: sealed to us too, or nothing */
    tlen = 0;
    if (rc == 0 && rep.u.link.trust.len != 0) {
        size_t n = rep.u.link.trust.len;
        if (n <= crypto_box_SEALBYTES ||
            n - crypto_box_SEALBYTES > sizeof trust ||
            crypto_box_seal_open(trust, rep.u.link.trust.ptr, n, l->box_pk,
                                 l->box_sk) != 0)
            rc = BN_ETAMPER;
        else
            tlen = n - crypto_box_SEALBYTES;
    }
    bn_msg_free(&rep);
    /* the identity must be the one both screens' string was made of */
    if (rc == 0 &&
        sodium_memcmp(p->id->sign_pk, l->identity_pk, BN_SIGN_PK_BYTES) != 0)
        rc = BN_ETAMPER;
    if (rc == 0 && (device == 0 || device > BN_DEVICES_MAX || account == 0))
        rc = BN_EPROTO;
    if (rc != 0)
        return rc;
    snprintf(p->host, sizeof p->host, "%s", l->code.host);
    p->port = l->code.port;
    memcpy(p->server_pk, l->code.server_pk, 32);
    p->account_id = account;
    p->device = device;
    rc = finish_profile(p, pass, passlen, out);
    if (rc == 0)
        rc = bnc__trust_import(p, trust, tlen);
    return rc;
}
