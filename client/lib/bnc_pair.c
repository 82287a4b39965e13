/*
 * bnc_pair.c: opening a pair (members, charter, pair keys), accepting its
 * charter, the key-change rule and the safety number (DESIGN.md, "Pairs
 * and keys").
 */
#include "binome.h"
#include "bnc_internal.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_PUT_TRIES 3

void bnc_pair_free(bnc_pair *p)
{
    if (p == NULL)
        return;
    if (p->keys != NULL) {
        sodium_memzero(p->keys, p->nkeys * sizeof *p->keys);
        sodium_free(p->keys);
    }
    free(p->members);
    free(p->charter);
    free(p->log);
    free(p);
}

/* ---- what binome.h lets a caller read ------------------------------ */

const bnc_pair_info *bnc_pair_get_info(const bnc_pair *p)
{
    return &p->info;
}

const bnc_member *bnc_pair_members(const bnc_pair *p, size_t *n)
{
    *n = p->nmembers;
    return p->members;
}

const char *bnc_pair_charter(const bnc_pair *p)
{
    return p->charter != NULL ? p->charter : "";
}

void bnc_pair_charter_hash(const bnc_pair *p, uint8_t out[BNC_HASH_BYTES])
{
    const char *t = bnc_pair_charter(p);
    bn_hash(out, (const uint8_t *)t, strlen(t));
}

int bnc_pair_verified(const bnc_pair *p)
{
    return p->verified;
}

int bnc_pair_keys_changed(const bnc_pair *p)
{
    return p->keys_changed;
}

size_t bnc_pair_warning_count(const bnc_pair *p)
{
    return p->nwarnings;
}

const char *bnc_pair_warning(const bnc_pair *p, size_t i)
{
    return i < p->nwarnings ? p->warnings[i] : "";
}

void bnc_pair_log_head(const bnc_pair *p, bnc_log_head *out)
{
    out->seq = p->log_seq;
    memcpy(out->hash, p->log_head, sizeof out->hash);
}

/* find_key returns the pair key of an epoch, or NULL. */
static const uint8_t *find_key(const bnc_pair *p, uint32_t epoch)
{
    for (size_t i = 0; i < p->nkeys; i++)
        if (p->keys[i].epoch == epoch)
            return p->keys[i].key;
    return NULL;
}

/* add_key stores a key for an epoch in the pair's sodium_malloc array. */
static int add_key(bnc_pair *p, uint32_t epoch, const uint8_t key[32])
{
    struct bnc_pair_key *k;

    if (find_key(p, epoch) != NULL)
        return 0;
    k = sodium_allocarray(p->nkeys + 1, sizeof *k);
    if (k == NULL)
        return BN_ENOMEM;
    if (p->nkeys > 0)
        memcpy(k, p->keys, p->nkeys * sizeof *k);
    k[p->nkeys].epoch = epoch;
    memcpy(k[p->nkeys].key, key, 32);
    if (p->keys != NULL) {
        sodium_memzero(p->keys, p->nkeys * sizeof *p->keys);
        sodium_free(p->keys);
    }
    p->keys = k;
    p->nkeys++;
    return 0;
}

const uint8_t *bnc__pair_key(const bnc_pair *p, uint32_t epoch)
{
    return find_key(p, epoch);
}

const uint8_t *bnc__side_key(const bnc_pair *p, uint32_t epoch)
{
    return find_key(p, epoch | BNC__SIDE_KEY);
}

/* fetch sends PAIR_GET and fills p's public part from PAIR_DETAIL; the
 * reply is kept in rep for the wraps. */
static int fetch(bnc_client *c, uint64_t pair_id, bnc_pair *p, bn_msg *rep)
{
    bn_msg req;
    const bn_pair_detail *d;
    int rc;

    bn_msg_init(&req, BN_MSG_PAIR_GET, 0);
    req.u.pair_get.pair_id = pair_id;
    rc = bnc_call(c->conn, &req, rep);
    if (rc == 0)
        rc = bnc__expect(rep, BN_MSG_PAIR_DETAIL);
    if (rc != 0)
        return rc;
    d = &rep->u.pair_detail;
    if (d->pair.id != pair_id)
        return BN_EPROTO;
    bnc__project_pair_info(&p->info, &d->pair);
    free(p->members);
    p->members = NULL;
    p->nmembers = 0;
    if (d->members.len > 0) {
        p->members = calloc(d->members.len, sizeof *p->members);
        if (p->members == NULL)
            return BN_ENOMEM;
    }
    for (uint32_t i = 0; i < d->members.len; i++)
        bnc__project_member(&p->members[i], &d->members.v[i]);
    p->nmembers = d->members.len;
    free(p->charter);
    p->charter = malloc((size_t)d->charter.len + 1);
    if (p->charter == NULL)
        return BN_ENOMEM;
    bnc__copy_str(p->charter, (size_t)d->charter.len + 1, d->charter);
    memcpy(p->charter_hash, d->charter_hash, 32);
    p->naccepts = 0;
    for (uint32_t i = 0; i < d->accepts.len && i < BN_MEMBERS_MAX; i++) {
        p->accepts[i].account_id = d->accepts.v[i].account_id;
        p->accepts[i].date = d->accepts.v[i].date;
        memcpy(p->accepts[i].sig, d->accepts.v[i].sig, BN_SIG_BYTES);
        p->naccepts++;
    }
    return 0;
}

/* my_wrap finds the wrap of an epoch addressed to this member. */
static const struct bn_key_wrap *my_wrap(const bn_pair_detail *d,
                                         uint32_t epoch, uint64_t me, int side)
{
    const struct bn_key_wrap *v = side ? d->side_wraps.v : d->wraps.v;
    uint32_t n = side ? d->side_wraps.len : d->wraps.len;

    for (uint32_t i = 0; i < n; i++)
        if (v[i].epoch == epoch && v[i].member_id == me)
            return &v[i];
    return NULL;
}

/* open_wrap opens one wrap made by wrapper_id and, when logged, checks
 * the key against the key id it carries (the wrapper logged that id; a
 * legacy wrap has none). */
static int open_wrap(const bnc_client *c, bnc_pair *p,
                     const struct bn_key_wrap *w, uint64_t wrapper_id,
                     int logged, int side)
{
    const bn_identity *id = c->profile->id;
    const bnc_member *wrapper = bnc_pair_member(p, wrapper_id);
    uint8_t key[32], kid[BN_HASH_BYTES];
    int rc;

    if (wrapper == NULL || w->wrapper_id != wrapper_id)
        return BN_ESIG;
    rc = (side ? bn_sidekey_unwrap : bn_pairkey_unwrap)(
        key, w->wrap, BN_WRAP_BYTES, p->info.id, w->epoch, c->me.id, id->box_pk,
        id->box_sk, w->wrapper_id, wrapper->sign_pk);
    if (rc == 0 && logged) {
        bn_pairkey_id(kid, p->info.id, w->epoch, key);
        if (sodium_memcmp(kid, w->key_id, sizeof kid) != 0)
            rc = BN_EAUTH; /* not the key the wrapper gave the others */
    }
    if (rc == 0)
        rc = add_key(p, w->epoch | (side ? BNC__SIDE_KEY : 0), key);
    sodium_memzero(key, sizeof key);
    return rc;
}

/* keys_epoch tells whether entry e keyed an epoch (its sub): a KEY_PUT,
 * or a membership change, which keys the next epoch (issue 14). */
static int keys_epoch(const bn_log_entry *e)
{
    return e->version == BN_LOG_VERSION &&
           (e->op == BN_MSG_KEY_PUT || e->op == BN_MSG_MEMBER_ADD ||
            e->op == BN_MSG_MEMBER_REMOVE);
}

/* logged_key tells whether an entry keyed epoch e. */
static int logged_key(const bnc_pair *p, uint32_t e)
{
    for (size_t i = 0; i < p->nlog; i++)
        if (keys_epoch(&p->log[i]) && p->log[i].sub == e)
            return 1;
    return 0;
}

/* open_logged opens this member's wrap of epoch, which the entry of
 * author gave; one that does not open is skipped with a warning (the
 * pair re-keys). */
static int open_logged(const bnc_client *c, bnc_pair *p,
                       const bn_pair_detail *d, uint32_t epoch, uint64_t author)
{
    const struct bn_key_wrap *w = my_wrap(d, epoch, c->me.id, 0);
    int rc = w != NULL ? open_wrap(c, p, w, author, 1, 0) : BN_ENOKEY;

    if (rc == BN_ENOMEM)
        return rc;
    if (rc != 0)
        bnc__warn(p,
                  "the key of epoch %" PRIu32 " that member %" PRIu64
                  " wrapped for you does not open (%s): skipped",
                  epoch, author, bn_err_name(rc));
    return 0;
}

/* unwrap_all opens this member's wrap of every epoch they hold that an
 * entry of the log keyed (the ledger checked those entries), and, when
 * the member was added with the pair's history, the earlier epochs their
 * referent gave them. A legacy log (wraps were not logged) opens the
 * wraps of epoch 1 from any member. */
static int unwrap_all(const bnc_client *c, bnc_pair *p, const bn_msg *rep)
{
    const bn_pair_detail *d = &rep->u.pair_detail;
    const bnc_member *self = bnc_pair_member(p, c->me.id);
    int rc = 0;

    uint32_t joined = 0; /* the epoch this member was added at (0: a founder) */

    for (size_t i = 0; i < p->nlog; i++)
        if (keys_epoch(&p->log[i]) && p->log[i].op == BN_MSG_MEMBER_ADD &&
            p->log[i].item == c->me.id)
            joined = p->log[i].sub;
    for (size_t i = 0; self != NULL && rc == 0 && i < p->nlog; i++) {
        const bn_log_entry *e = &p->log[i];
        if (!keys_epoch(e))
            continue;
        /* the epochs before this member's, from the referent who added
         * them with the pair's history */
        if (e->op == BN_MSG_MEMBER_ADD && e->item == c->me.id &&
            (e->flags & BN_LOG_F_HISTORY))
            for (uint32_t h = 1; rc == 0 && h < e->sub; h++)
                rc = open_logged(c, p, d, h, e->author_id);
        if (rc == 0 && e->sub >= joined &&
            (self->to_epoch == 0 || e->sub < self->to_epoch))
            rc = open_logged(c, p, d, e->sub, e->author_id);
    }
    if (rc != 0)
        return rc;
    /* The side keys of this member's side (issue 14), of the epochs they
     * hold, each from the member who logged it (the ledger checked the
     * entries and their wraps). */
    for (size_t i = 0; self != NULL && i < p->nlog; i++) {
        const bn_log_entry *e = &p->log[i];
        const struct bn_key_wrap *w;
        if (e->version != BN_LOG_VERSION || e->op != BN_MSG_SIDE_KEY_PUT ||
            e->item != self->role)
            continue;
        w = my_wrap(d, e->sub, c->me.id, 1);
        if (w == NULL)
            continue; /* keyed before this member joined the side */
        rc = open_wrap(c, p, w, e->author_id, 1, 1);
        if (rc == BN_ENOMEM)
            return rc;
        if (rc != 0)
            bnc__warn(p,
                      "your side's key of epoch %" PRIu32 " from member "
                      "%" PRIu64 " does not open (%s): skipped",
                      w->epoch, e->author_id, bn_err_name(rc));
        rc = 0;
    }
    /* The legacy key of epoch 1 was not logged; it still opens, even
     * once later epochs are logged (older notes are sealed under it). */
    if (p->nlegacy > 0) {
        const struct bn_key_wrap *w = my_wrap(d, 1, c->me.id, 0);
        if (w != NULL && !logged_key(p, 1) &&
            open_wrap(c, p, w, w->wrapper_id, 0, 0) == BN_ENOMEM)
            return BN_ENOMEM;
    }
    return 0;
}

/* legacy_keyed tells whether a pair from before schema 4 got its first
 * key then: wraps of epoch 1 served and no entry logged them. A pair of
 * that release that nobody keyed still takes its first key at epoch 1. */
static int legacy_keyed(const bnc_pair *p, const bn_pair_detail *d)
{
    if (p->nlegacy == 0 || logged_key(p, 1))
        return 0;
    for (uint32_t i = 0; i < d->wraps.len; i++)
        if (d->wraps.v[i].epoch == 1)
            return 1;
    return 0;
}

/* logged_epoch tells whether epoch e has a key: logged, or the legacy
 * first key (legacy: legacy_keyed). */
static int logged_epoch(const bnc_pair *p, uint32_t e, int legacy)
{
    return logged_key(p, e) || (legacy && e == 1);
}

/* wrap_for wraps key of epoch for member m into *w (made by this member). */
static int wrap_for(bnc_client *c, const bnc_pair *p, uint32_t epoch,
                    const uint8_t *key, uint64_t member_id,
                    const uint8_t box_pk[32], int side, struct bn_key_wrap *w)
{
    w->epoch = epoch;
    w->member_id = member_id;
    w->wrapper_id = c->me.id;
    bn_pairkey_id(w->key_id, p->info.id, epoch, key);
    return (side ? bn_sidekey_wrap : bn_pairkey_wrap)(
        w->wrap, p->info.id, epoch, member_id, box_pk, c->me.id, key,
        c->profile->id->sign_sk);
}

/* wrap_holders wraps key of epoch for its holders, in increasing account
 * id (as the log entry's body fixes): every current member (those who
 * left hold no new epoch) but `except` (0: none), and `extra` (NULL:
 * none); with side (a role), the current members of that side only, a
 * side key wrapped under its own domain. wraps has room for p->nmembers
 * + 1; *n gets the count. */
static int wrap_holders(bnc_client *c, const bnc_pair *p, uint32_t epoch,
                        const uint8_t *key, uint64_t except,
                        const bnc_member *extra, uint8_t side,
                        struct bn_key_wrap *wraps, uint32_t *n)
{
    uint64_t prev = 0;
    int rc = 0;

    *n = 0;
    for (size_t k = 0; rc == 0 && k <= p->nmembers; k++) {
        const bnc_member *m = NULL;
        for (size_t i = 0; i <= p->nmembers; i++) {
            const bnc_member *x = i < p->nmembers ? &p->members[i] : extra;
            if (x == NULL || (i < p->nmembers && x->to_epoch != 0) ||
                x->account_id == except || x->account_id <= prev ||
                (side != 0 && x->role != side))
                continue;
            if (m == NULL || x->account_id < m->account_id)
                m = x;
        }
        if (m == NULL)
            break;
        prev = m->account_id;
        rc = wrap_for(c, p, epoch, key, m->account_id, m->box_pk, side != 0,
                      &wraps[(*n)++]);
    }
    return rc;
}

/* new_key draws a pair key in locked memory (free with free_key). */
static uint8_t *new_key(void)
{
    uint8_t *key = sodium_malloc(32);
    if (key != NULL)
        bn_pairkey_generate(key);
    return key;
}

static void free_key(uint8_t *key)
{
    if (key != NULL) {
        sodium_memzero(key, 32);
        sodium_free(key);
    }
}

/* keep_key: the write of req (which keyed epoch with key) landed: p holds
 * the key and is at that epoch. */
static int keep_key(bnc_pair *p, uint32_t epoch, const uint8_t *key)
{
    int rc = add_key(p, epoch, key);
    if (rc == 0)
        p->info.epoch = epoch;
    return rc;
}

/* put_key draws a key for epoch, wraps it for every member and sends
 * KEY_PUT with its log entry; on success the key is kept in p and p is at
 * that epoch. */
static int put_key(bnc_client *c, bnc_pair *p, uint32_t epoch)
{
    struct bn_key_wrap *wraps = NULL;
    uint8_t *key = NULL;
    bn_msg req, rep = {0};
    uint32_t n = 0;
    int rc;

    if (p->nmembers > BN_MEMBERS_MAX)
        return BN_EPROTO;
    key = new_key();
    wraps = calloc(p->nmembers + 1, sizeof *wraps);
    rc = key == NULL || wraps == NULL ? BN_ENOMEM : 0;
    if (rc == 0)
        rc = wrap_holders(c, p, epoch, key, 0, NULL, 0, wraps, &n);
    if (rc == 0) {
        bn_msg_init(&req, BN_MSG_KEY_PUT, 0);
        req.u.key_put.pair_id = p->info.id;
        req.u.key_put.epoch = epoch;
        req.u.key_put.wraps.v = wraps;
        req.u.key_put.wraps.len = n;
        rc = bnc__write(c, p, &req, &req.u.key_put.entry, BN_MSG_OK, &rep);
    }
    if (rc == 0)
        rc = keep_key(p, epoch, key);
    bn_msg_free(&rep);
    free(wraps);
    free_key(key);
    return rc;
}

/* ---- team pairings (issue 14) -------------------------------------- */

int bnc__side_key_put(bnc_client *c, bnc_pair *p)
{
    const bnc_member *self = bnc_pair_member(p, c->me.id);
    struct bn_key_wrap *wraps = NULL;
    uint32_t epoch = p->info.epoch, n = 0;
    uint8_t *key = NULL;
    bn_msg req, rep = {0};
    int rc;

    if (self == NULL || self->to_epoch != 0)
        return BN_EDENIED;
    key = new_key();
    wraps = calloc(p->nmembers + 1, sizeof *wraps);
    rc = key == NULL || wraps == NULL ? BN_ENOMEM : 0;
    if (rc == 0) /* the current members of this side */
        rc = wrap_holders(c, p, epoch, key, 0, NULL, self->role, wraps, &n);
    if (rc == 0) {
        bn_msg_init(&req, BN_MSG_SIDE_KEY_PUT, 0);
        req.u.side_key_put.pair_id = p->info.id;
        req.u.side_key_put.epoch = epoch;
        req.u.side_key_put.side = self->role;
        req.u.side_key_put.wraps.v = wraps;
        req.u.side_key_put.wraps.len = n;
        rc = bnc__write(c, p, &req, &req.u.side_key_put.entry, BN_MSG_OK, &rep);
    }
    if (rc == 0)
        rc = add_key(p, epoch | BNC__SIDE_KEY, key);
    bn_msg_free(&rep);
    free(wraps);
    free_key(key);
    return rc;
}

int bnc_pair_is_referent(const bnc_pair *p, uint64_t account_id)
{
    return account_id != 0 &&
           (account_id == p->info.mentor_id || account_id == p->info.mentee_id);
}

int bnc_pair_member_added(const bnc_pair *p, uint64_t account_id, uint64_t *by,
                          uint64_t *seq)
{
    *by = 0;
    *seq = 0;
    if (bnc_pair_is_referent(p, account_id))
        return 0;
    for (size_t i = 0; i < p->nlog; i++) {
        const bn_log_entry *e = &p->log[i];
        if (e->version == BN_LOG_VERSION && e->op == BN_MSG_MEMBER_ADD &&
            e->item == account_id) {
            *by = e->author_id;
            *seq = e->seq;
            return 0;
        }
    }
    return BN_ENOTFOUND;
}

int bnc_key_code(uint64_t account_id, const uint8_t sign_pk[32],
                 const uint8_t box_pk[32], char out[BNC_KEY_CODE_DIGITS + 1])
{
    return bn_key_code(out, account_id, sign_pk, box_pk);
}

int bnc_profile_key_code(const bnc_profile *prof,
                         char out[BNC_KEY_CODE_DIGITS + 1])
{
    if (prof->id == NULL || prof->account_id == 0)
        return BN_EINVAL;
    return bn_key_code(out, prof->account_id, prof->id->sign_pk,
                       prof->id->box_pk);
}

/* same_code: the digits of typed (spaces and dashes ignored) are code. */
static int same_code(const char *typed, const char *code)
{
    size_t n = 0;
    for (const char *t = typed; *t != '\0'; t++) {
        if (*t == ' ' || *t == '-')
            continue;
        if (n == BN_KEY_CODE_DIGITS || *t != code[n])
            return 0;
        n++;
    }
    return n == BN_KEY_CODE_DIGITS;
}

/* my_side_referent: this member is the referent of side. */
static int my_side_referent(const bnc_client *c, const bnc_pair *p,
                            uint8_t side)
{
    return (side == BN_ROLE_MENTOR && p->info.mentor_id == c->me.id) ||
           (side == BN_ROLE_MENTEE && p->info.mentee_id == c->me.id);
}

int bnc_pair_member_add(bnc_client *c, bnc_pair *p, uint64_t account_id,
                        const char *code, int history)
{
    struct bn_key_wrap *wraps = NULL;
    char want[BN_KEY_CODE_DIGITS + 1];
    uint32_t epoch = p->info.epoch, n = 0;
    bnc_member nm;
    bnc_account a;
    uint8_t *key = NULL;
    bn_msg req, rep = {0};
    int rc;

    if (p->keys_changed)
        return BN_EUNVERIFIED;
    if (p->info.status != BN_PAIR_ACTIVE)
        return p->info.status == BN_PAIR_PENDING ? BN_ENOTACCEPTED : BN_EENDED;
    rc = bnc_account_get(c, account_id, &a);
    if (rc != 0)
        return rc;
    if (!my_side_referent(c, p, a.role))
        return BN_EDENIED;
    if (bnc_pair_member(p, account_id) != NULL)
        return BN_EEXIST;
    /* The keys the server gives must be the ones the person showed. */
    rc = bn_key_code(want, a.id, a.sign_pk, a.box_pk);
    if (rc != 0)
        return rc;
    if (code == NULL || !same_code(code, want))
        return BN_EAUTH;
    if (bnc__pair_key(p, epoch) == NULL)
        return BN_ENOKEY;
    for (uint32_t h = 1; history && h <= epoch; h++)
        if (bnc__pair_key(p, h) == NULL)
            return BN_ENOKEY; /* not every earlier key to give */
    memset(&nm, 0, sizeof nm);
    nm.account_id = a.id;
    nm.role = a.role;
    memcpy(nm.sign_pk, a.sign_pk, 32);
    memcpy(nm.box_pk, a.box_pk, 32);
    key = new_key();
    wraps = calloc((size_t)epoch + p->nmembers + 1, sizeof *wraps);
    rc = key == NULL || wraps == NULL ? BN_ENOMEM : 0;
    for (uint32_t h = 1; rc == 0 && history && h <= epoch; h++)
        rc = wrap_for(c, p, h, bnc__pair_key(p, h), a.id, a.box_pk, 0,
                      &wraps[n++]);
    if (rc == 0) {
        uint32_t m = 0;
        rc = wrap_holders(c, p, epoch + 1, key, 0, &nm, 0, wraps + n, &m);
        n += m;
    }
    if (rc == 0) {
        bn_msg_init(&req, BN_MSG_MEMBER_ADD, 0);
        req.u.member_add.pair_id = p->info.id;
        req.u.member_add.account_id = a.id;
        req.u.member_add.role = a.role;
        memcpy(req.u.member_add.sign_pk, a.sign_pk, 32);
        memcpy(req.u.member_add.box_pk, a.box_pk, 32);
        req.u.member_add.epoch = epoch + 1;
        req.u.member_add.history = history ? 1 : 0;
        req.u.member_add.wraps.v = wraps;
        req.u.member_add.wraps.len = n;
        rc = bnc__write(c, p, &req, &req.u.member_add.entry, BN_MSG_OK, &rep);
    }
    if (rc == 0)
        rc = keep_key(p, epoch + 1, key);
    bn_msg_free(&rep);
    free(wraps);
    free_key(key);
    return rc;
}

int bnc_pair_member_remove(bnc_client *c, bnc_pair *p, uint64_t account_id)
{
    const bnc_member *m = bnc_pair_member(p, account_id);
    struct bn_key_wrap *wraps = NULL;
    uint32_t epoch = p->info.epoch, n = 0;
    uint8_t *key = NULL;
    bn_msg req, rep = {0};
    int rc;

    if (p->keys_changed)
        return BN_EUNVERIFIED;
    if (p->info.status != BN_PAIR_ACTIVE)
        return p->info.status == BN_PAIR_PENDING ? BN_ENOTACCEPTED : BN_EENDED;
    if (m == NULL || m->to_epoch != 0)
        return BN_ENOTFOUND;
    if (bnc_pair_is_referent(p, account_id) || !my_side_referent(c, p, m->role))
        return BN_EDENIED;
    if (bnc__pair_key(p, epoch) == NULL)
        return BN_ENOKEY;
    key = new_key();
    wraps = calloc(p->nmembers + 1, sizeof *wraps);
    rc = key == NULL || wraps == NULL ? BN_ENOMEM : 0;
    if (rc == 0)
        rc = wrap_holders(c, p, epoch + 1, key, account_id, NULL, 0, wraps, &n);
    if (rc == 0) {
        bn_msg_init(&req, BN_MSG_MEMBER_REMOVE, 0);
        req.u.member_remove.pair_id = p->info.id;
        req.u.member_remove.account_id = account_id;
        req.u.member_remove.epoch = epoch + 1;
        req.u.member_remove.wraps.v = wraps;
        req.u.member_remove.wraps.len = n;
        rc =
            bnc__write(c, p, &req, &req.u.member_remove.entry, BN_MSG_OK, &rep);
    }
    if (rc == 0)
        rc = keep_key(p, epoch + 1, key);
    bn_msg_free(&rep);
    free(wraps);
    free_key(key);
    return rc;
}

/* rekey_failure_is_soft tells whether a failed KEY_PUT leaves the pair
 * usable for reading: the server's limits, or another member keying at
 * the same moment too often. A member who exhausted the pair's re-keys
 * cannot lock the other out of what was written before. */
static int rekey_failure_is_soft(int rc)
{
    return rc == BN_ELIMIT || rc == BN_EQUOTA || rc == BN_ECONFLICT ||
           rc == BN_ESTALE || rc == BN_EDENIED;
}

/* same_members checks, from the second round of bnc_pair_open on, that
 * the member list is the one of the first round: a server that answers a
 * key put with a conflict must not get another list past the checks of
 * the first. */
static int same_members(bnc_client *c, const bnc_pair *p, int tries,
                        uint8_t first[BN_HASH_BYTES])
{
    uint8_t h[BN_HASH_BYTES];
    int rc = bnc__members_hash(p, h);

    if (rc != 0)
        return rc;
    if (tries == 0) {
        memcpy(first, h, sizeof h);
        return 0;
    }
    if (sodium_memcmp(first, h, sizeof h) != 0)
        return bnc__tamper(c, BN_ETAMPER,
                           "the member list changed while the pair was "
                           "being opened");
    return 0;
}

int bnc_pair_open(bnc_client *c, uint64_t pair_id, int flags, bnc_pair **out)
{
    uint8_t first[BN_HASH_BYTES];
    bnc_pair *p;
    const bnc_member *self;
    int rc;

    *out = NULL;
    c->tamper[0] = '\0';
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return BN_ENOMEM;
    for (int tries = 0;; tries++) {
        bn_msg rep = {0};
        uint32_t epoch;
        int verified = 0, legacy;
        p->nwarnings = 0;
        rc = fetch(c, pair_id, p, &rep);
        self = rc == 0 ? bnc_pair_member(p, c->me.id) : NULL;
        /* The keys against the profile's record, on every round. */
        if (rc == 0 && self != NULL) {
            rc = bnc_pair_check_keys(c->profile, p, &verified);
            if (tries == 0 || rc == BN_EUNVERIFIED) {
                p->keys_changed = rc == BN_EUNVERIFIED;
                p->verified = verified;
            }
            if (rc == BN_EUNVERIFIED)
                rc = 0;
        }
        /* The whole log must verify and still hold what we saw (an erased
         * pair has none left); then every record the server sent must
         * follow from it, and only then is the new head remembered. */
        if (rc == 0 && self != NULL && p->info.status != BN_PAIR_ERASED) {
            bnc_log_head expect;
            expect.seq = rep.u.pair_detail.log_seq;
            memcpy(expect.hash, rep.u.pair_detail.log_head, sizeof expect.hash);
            rc = bnc__log_open(c, p, &expect);
            if (rc == 0)
                rc = bnc__ledger_pair(c, p, &rep.u.pair_detail);
            if (rc == 0)
                rc = same_members(c, p, tries, first);
            if (rc == 0)
                rc = bnc__log_remember(c, p);
        }
        /* An erased pair has no log left to check its erasure against:
         * say so when this client had seen some of it. */
        if (rc == 0 && self != NULL && p->info.status == BN_PAIR_ERASED) {
            bnc_log_head known;
            if (bnc_log_load(c->profile, p->info.id, &known) == 0 &&
                known.seq > 0)
                bnc__warn(p,
                          "the server says pair %" PRIu64
                          " was erased; your client last saw its log at "
                          "entry %" PRIu64
                          " and cannot check the erasure: if neither of you "
                          "ended it, the server is withholding it",
                          p->info.id, known.seq);
        }
        /* An ended pair stays readable by its members: their wraps of
         * every epoch they held are opened too. */
        if (rc == 0 && self != NULL && !(flags & BNC_PAIR_NOKEYS) &&
            p->info.status != BN_PAIR_PENDING &&
            p->info.status != BN_PAIR_ERASED)
            rc = unwrap_all(c, p, &rep);
        legacy = rc == 0 && legacy_keyed(p, &rep.u.pair_detail);
        bn_msg_free(&rep);
        if (rc != 0 || self == NULL || (flags & BNC_PAIR_NOKEYS) ||
            p->info.status != BN_PAIR_ACTIVE ||
            find_key(p, p->info.epoch) != NULL)
            break;
        /* No usable key for the current epoch: the first key if nobody
         * logged one, else a re-key past a wrap that did not open. */
        if (p->keys_changed) {
            rc = BN_EUNVERIFIED;
            break;
        }
        epoch = p->info.epoch;
        if (logged_epoch(p, epoch, legacy)) {
            epoch++;
            bnc__warn(p,
                      "pair %" PRIu64 " moved to key epoch %" PRIu32
                      " because your key of epoch %" PRIu32 " did not open",
                      p->info.id, epoch, epoch - 1);
        }
        rc = put_key(c, p, epoch);
        if ((rc == BN_ECONFLICT || rc == BN_ESTALE) &&
            tries + 1 < KEY_PUT_TRIES)
            continue;
        if (rc != 0 && rekey_failure_is_soft(rc)) {
            /* Readable, not writable: say so, and why. */
            bnc__warn(p,
                      "no usable key for epoch %" PRIu32 " of pair %" PRIu64
                      " (%s): you can read and export what was written "
                      "before, not write; tell your coordinator",
                      epoch, p->info.id, bn_err_name(rc));
            rc = 0;
        }
        break;
    }
    if (rc != 0) {
        bnc_pair_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

/* ---- charter ------------------------------------------------------- */

int bnc_pair_accept(bnc_client *c, bnc_pair *p)
{
    uint8_t h[BN_HASH_BYTES];
    bn_msg req, rep = {0};
    uint32_t today = bn_date_today();
    int rc;

    if (p->keys_changed)
        return BN_EUNVERIFIED;
    bn_hash(h, (const uint8_t *)p->charter, strlen(p->charter));
    if (sodium_memcmp(h, p->charter_hash, sizeof h) != 0)
        return BN_EAUTH;
    bn_msg_init(&req, BN_MSG_PAIR_ACCEPT, 0);
    req.u.pair_accept.pair_id = p->info.id;
    req.u.pair_accept.date = today;
    rc = bn_charter_sign(req.u.pair_accept.sig, p->info.id, h, today, c->me.id,
                         c->profile->id->sign_sk);
    /* The member list this member accepts to share the pair with: its
     * hash goes into the signed log, and every client later holds the
     * server to it. bnc_pair_open checked its shape. */
    if (rc == 0)
        rc = bnc__members_hash(p, req.u.pair_accept.members_hash);
    if (rc == 0)
        rc =
            bnc__write(c, p, &req, &req.u.pair_accept.entry, BN_MSG_PAIR, &rep);
    if (rc == 0)
        bnc__project_pair_info(&p->info, &rep.u.pair.pair);
    bn_msg_free(&rep);
    return rc;
}

int bnc_pair_end(bnc_client *c, bnc_pair *p, uint8_t reason)
{
    return bnc_pair_end_override(c, p, reason, 0);
}

int bnc_pair_end_override(bnc_client *c, bnc_pair *p, uint8_t reason,
                          int override)
{
    bn_msg req, rep = {0};
    int rc;

    if (reason != BN_END_COMPLETED && reason != BN_END_WITHDRAWN)
        return BN_EINVAL;
    if (override && reason != BN_END_COMPLETED)
        return BN_EINVAL;
    bn_msg_init(&req, BN_MSG_PAIR_END, 0);
    req.u.pair_end.pair_id = p->info.id;
    req.u.pair_end.reason = reason;
    req.u.pair_end.date = bn_date_today();
    req.u.pair_end.override = override != 0;
    rc = bnc__write(c, p, &req, &req.u.pair_end.entry, BN_MSG_PAIR, &rep);
    if (rc == 0)
        bnc__project_pair_info(&p->info, &rep.u.pair.pair);
    bn_msg_free(&rep);
    return rc;
}

int bnc_pair_erase(bnc_client *c, uint64_t pair_id)
{
    bn_msg req, rep = {0};
    int rc;

    bn_msg_init(&req, BN_MSG_PAIR_ERASE, 0);
    req.u.pair_erase.pair_id = pair_id;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_PAIR_ERASURE);
    /* An administrator's request erases or is refused. */
    if (rc == 0 && rep.u.pair_erasure.pair.status != BN_PAIR_ERASED)
        rc = BN_EPROTO;
    if (rc == 0)
        bnc_log_forget(c->profile, pair_id);
    bn_msg_free(&rep);
    return rc;
}

void bnc_pair_erase_asked(const bnc_pair *p, bnc_erasure *out)
{
    out->nasked = 0;
    for (size_t i = 0; i < p->nlog; i++) {
        const bn_log_entry *e = &p->log[i];
        uint32_t j = 0;
        if (e->version != BN_LOG_VERSION || e->op != BN_MSG_PAIR_ERASE ||
            e->sub != BN_LOG_ERASE_PAIR)
            continue;
        while (j < out->nasked && out->asked[j] != e->author_id)
            j++;
        if (j < out->nasked || out->nasked == BNC_ERASE_ASKED_MAX)
            continue;
        out->asked[out->nasked] = e->author_id;
        out->asked_time[out->nasked++] = e->time;
    }
}

int bnc_pair_erase_ask(bnc_client *c, bnc_pair *p, int mine, bnc_erasure *out)
{
    bn_msg req, rep = {0};
    int rc;

    memset(out, 0, sizeof *out);
    if (!mine && p->info.status != BN_PAIR_COMPLETED &&
        p->info.status != BN_PAIR_WITHDRAWN)
        return BN_EINVAL;
    bn_msg_init(&req, BN_MSG_PAIR_ERASE, 0);
    req.u.pair_erase.pair_id = p->info.id;
    req.u.pair_erase.mine = mine ? 1 : 0;
    rc = bnc__write(c, p, &req, &req.u.pair_erase.entry, BN_MSG_PAIR_ERASURE,
                    &rep);
    if (rc != 0)
        goto cleanup;
    out->erased = rep.u.pair_erasure.pair.status == BN_PAIR_ERASED;
    out->erase_after = rep.u.pair_erasure.erase_after;
    out->items_erased = rep.u.pair_erasure.items_erased;
    /* What the member erased of their own goes from their profile too. */
    if (mine)
        (void)bnc_sent_forget(c->profile, p->info.id);
    if (out->erased) {
        bnc_log_forget(c->profile, p->info.id);
        p->info.status = BN_PAIR_ERASED;
    }
    /* Who asked: from the log this client verified (its own entry is in
     * it once the write landed), never from the server's list. */
    bnc_pair_erase_asked(p, out);
cleanup:
    bn_msg_free(&rep);
    return rc;
}

int bnc_retention_set(bnc_client *c, uint64_t programme_id, uint32_t days)
{
    bn_msg req, rep = {0};
    int rc;

    bn_msg_init(&req, BN_MSG_RETENTION_SET, 0);
    req.u.retention_set.programme_id = programme_id;
    req.u.retention_set.days = days;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_OK);
    bn_msg_free(&rep);
    return rc;
}

/* ---- the key-change rule ------------------------------------------- */

int bnc_pair_keys_hash(uint8_t out[32], const bnc_pair *p, uint64_t self_id)
{
    crypto_generichash_state st;
    uint64_t prev = 0;
    static const char tag[] = "binome member keys v1";

    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)tag, sizeof tag - 1);
    /* Members in increasing id order, so the server's order does not
     * matter: pick the smallest id above the previous one each time. */
    for (;;) {
        const bnc_member *next = NULL;
        uint8_t be[8];
        for (size_t i = 0; i < p->nmembers; i++) {
            const bnc_member *m = &p->members[i];
            /* The referents alone: the other members are vouched for by
             * their referent's signed entry (issue 14), so a member
             * joining or leaving changes no one's verification. */
            if (m->account_id == self_id || m->account_id <= prev ||
                !bnc_pair_is_referent(p, m->account_id))
                continue;
            if (next == NULL || m->account_id < next->account_id)
                next = m;
        }
        if (next == NULL)
            break;
        bn_put_be64(be, next->account_id);
        crypto_generichash_update(&st, be, sizeof be);
        crypto_generichash_update(&st, next->sign_pk, 32);
        crypto_generichash_update(&st, next->box_pk, 32);
        prev = next->account_id;
    }
    crypto_generichash_final(&st, out, 32);
    return 0;
}

/* record_path writes dir/sub/PAIR to out. */
static int record_path(const bnc_profile *prof, const char *sub,
                       uint64_t pair_id, char *out, size_t size)
{
    int n = snprintf(out, size, "%s/%s/%" PRIu64, prof->dir, sub, pair_id);
    return (n < 0 || (size_t)n >= size) ? BN_EINVAL : 0;
}

/* read_record reads a hash record: 0, -ENOENT, or BN_ECORRUPT. */
static int read_record(const bnc_profile *prof, const char *sub,
                       uint64_t pair_id, uint8_t h[32])
{
    char path[BNC_PATH_MAX + 64];
    char hex[66] = {0};
    FILE *f;
    size_t n;
    int rc = record_path(prof, sub, pair_id, path, sizeof path);

    if (rc != 0)
        return rc;
    f = fopen(path, "r");
    if (f == NULL)
        return -errno;
    n = fread(hex, 1, 65, f);
    fclose(f);
    if (n < 64 || (n == 65 && hex[64] != '\n'))
        return BN_ECORRUPT;
    hex[64] = '\0';
    return bn_hex_decode(h, 32, hex) == 0 ? 0 : BN_ECORRUPT;
}

/* write_record stores a hash record in dir/sub/PAIR (dir mode 0700). */
static int write_record(const bnc_profile *prof, const char *sub,
                        uint64_t pair_id, const uint8_t h[32])
{
    char path[BNC_PATH_MAX + 64];
    char hex[66];
    int rc = bnc_profile_path(prof, path, sizeof path, sub);

    if (rc == 0)
        rc = bnc__mkdir_private(path);
    if (rc == 0)
        rc = record_path(prof, sub, pair_id, path, sizeof path);
    if (rc != 0)
        return rc;
    bn_hex_encode(hex, h, 32);
    hex[64] = '\n';
    return bn_file_write_atomic(path, (const uint8_t *)hex, 65, 0600);
}

int bnc_pair_check_keys(const bnc_profile *prof, const bnc_pair *p,
                        int *verified)
{
    uint8_t now[32], seen[32];
    const bnc_member *self = bnc_pair_member(p, prof->account_id);
    int rc;

    if (verified != NULL)
        *verified = 0;
    /* The server must also show our own keys as they are. */
    if (self != NULL && prof->id != NULL &&
        (sodium_memcmp(self->sign_pk, prof->id->sign_pk, 32) != 0 ||
         sodium_memcmp(self->box_pk, prof->id->box_pk, 32) != 0))
        return BN_EUNVERIFIED;
    bnc_pair_keys_hash(now, p, prof->account_id);
    rc = read_record(prof, "verified", p->info.id, seen);
    if (rc == 0) {
        if (sodium_memcmp(now, seen, 32) != 0)
            return BN_EUNVERIFIED;
        if (verified != NULL)
            *verified = 1;
        return 0;
    }
    if (rc != -ENOENT)
        return rc;
    rc = read_record(prof, "keys", p->info.id, seen);
    if (rc == 0)
        return sodium_memcmp(now, seen, 32) != 0 ? BN_EUNVERIFIED : 0;
    if (rc != -ENOENT)
        return rc;
    return write_record(prof, "keys", p->info.id, now);
}

int bnc_pair_confirm(const bnc_profile *prof, const bnc_pair *p)
{
    uint8_t now[32];
    int rc;

    bnc_pair_keys_hash(now, p, prof->account_id);
    rc = write_record(prof, "verified", p->info.id, now);
    if (rc == 0)
        rc = write_record(prof, "keys", p->info.id, now);
    return rc;
}

/*
 * What this profile verified in person, for a device being linked (issue
 * 15): BNC__TRUST_ITEM bytes a pair, its id (8, big-endian) then the hash
 * of the keys verified (verified/PAIR). Only pairs whose record reads
 * well go; at most max / BNC__TRUST_ITEM of them.
 */
int bnc__trust_export(const bnc_profile *prof, uint8_t *out, size_t max,
                      size_t *len)
{
    char path[BNC_PATH_MAX + 32];
    struct dirent *e;
    DIR *d;

    *len = 0;
    if (bnc_profile_path(prof, path, sizeof path, "verified") != 0)
        return BN_EINVAL;
    d = opendir(path);
    if (d == NULL)
        return errno == ENOENT ? 0 : -errno;
    while ((e = readdir(d)) != NULL && *len + BNC__TRUST_ITEM <= max) {
        uint64_t id;
        if (bnc__parse_u64(e->d_name, &id) != 0 || id == 0)
            continue;
        if (read_record(prof, "verified", id, out + *len + 8) != 0)
            continue;
        bn_put_be64(out + *len, id);
        *len += BNC__TRUST_ITEM;
    }
    closedir(d);
    return 0;
}

int bnc__trust_import(const bnc_profile *prof, const uint8_t *in, size_t len)
{
    if (len % BNC__TRUST_ITEM != 0)
        return BN_ECORRUPT;
    for (size_t o = 0; o < len; o += BNC__TRUST_ITEM) {
        uint64_t id = bn_get_be64(in + o);
        int rc;
        if (id == 0)
            return BN_ECORRUPT;
        rc = write_record(prof, "verified", id, in + o + 8);
        if (rc == 0)
            rc = write_record(prof, "keys", id, in + o + 8);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int bnc_safety_number(const bnc_pair *p, char out[BN_SAFETY_DIGITS + 1])
{
    const bnc_member *a = bnc_pair_member(p, p->info.mentor_id);
    const bnc_member *b = bnc_pair_member(p, p->info.mentee_id);

    if (a == NULL || b == NULL)
        return BN_EPROTO;
    return bn_safety_number(out, a->account_id, a->sign_pk, a->box_pk,
                            b->account_id, b->sign_pk, b->box_pk);
}
