/* bnd_h_common.c: lookups and checks that several handler families use. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bn_text.h"
#include "bnd_handlers.h"

int bnd_name_ok(bn_str s, int allow_empty)
{
    if (s.len == 0)
        return allow_empty;
    if (s.ptr == NULL)
        return 0;
    return bn_text_name_check(s.ptr, s.len) == 0;
}

/* Loads the record of id (0: none) under key k (of a table keyed by one
 * id): BN_ENOTFOUND when there is none. */
#define GET_BY_ID(cx, id, k, rec)                                              \
    ((id) == 0 ? BN_ENOTFOUND                                                  \
               : bnd_rec_get((cx)->st, (cx)->txn, (k), (rec), &(cx)->arena))

int bnd_get_account(bnd_ctx *cx, uint64_t id, bn_rec_account *a)
{
    return GET_BY_ID(cx, id, bnd_key_accounts(id), a);
}

int bnd_get_programme(bnd_ctx *cx, uint64_t id, bn_rec_programme *p)
{
    return GET_BY_ID(cx, id, bnd_key_programmes(id), p);
}

int bnd_get_pair(bnd_ctx *cx, uint64_t id, bn_rec_pair *p)
{
    return GET_BY_ID(cx, id, bnd_key_pairs(id), p);
}

int bnd_member_pair(bnd_ctx *cx, uint64_t pair_id, bn_rec_pair *pair,
                    bn_rec_member *me)
{
    bn_rec_member m;
    int rc;

    if (pair_id == 0)
        return BN_ENOTFOUND;
    rc = bnd_rec_get(cx->st, cx->txn,
                     bnd_key_members(pair_id, cx->actor.account_id), &m,
                     &cx->arena);
    if (rc == BN_ENOTFOUND)
        return BN_ENOTFOUND;
    if (rc != 0)
        return rc;
    /* A member who left (to_epoch set, issue 14) reaches nothing more of
     * the pair: not its notes, not its keys, not its log. */
    if (m.to_epoch != 0)
        return BN_ENOTFOUND;
    rc = bnd_get_pair(cx, pair_id, pair);
    if (rc == BN_ENOTFOUND)
        return BN_ENOTFOUND;
    if (rc != 0)
        return rc;
    /* A participant only ever reaches pairs of their own programme. */
    if (pair->programme_id != cx->actor.programme_id ||
        pair->status == BN_PAIR_ERASED)
        return BN_ENOTFOUND;
    if (me != NULL)
        *me = m;
    return 0;
}

int bnd_is_referent(const bn_rec_pair *p, uint64_t account_id)
{
    return account_id != 0 &&
           (account_id == p->mentor_id || account_id == p->mentee_id);
}

int bnd_writable_pair(bnd_ctx *cx, uint64_t pair_id, bn_rec_pair *pair,
                      bn_rec_member *me)
{
    int rc = bnd_member_pair(cx, pair_id, pair, me);
    if (rc != 0)
        return rc;
    switch (pair->status) {
    case BN_PAIR_ACTIVE:
        /* A member a referent added writes once they accepted the
         * charter themselves (the referents' acceptances made the pair
         * active). */
        if (bnd_is_referent(pair, cx->actor.account_id))
            return 0;
        rc = bnd_exists(cx->st, cx->txn,
                        bnd_key_accepts(pair->id, cx->actor.account_id));
        if (rc < 0)
            return rc;
        if (rc == 0) {
            cx->errmsg = "you have not accepted this pair's charter yet: "
                         "'binome pair accept PAIR'";
            return BN_ENOTACCEPTED;
        }
        return 0;
    case BN_PAIR_PENDING:
        return BN_ENOTACCEPTED;
    default:
        return BN_EENDED;
    }
}

int bnd_same_bin(bn_bin a, bn_bin b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

int bnd_pair_info(bnd_ctx *cx, const bn_rec_pair *p, bn_pair_info *out)
{
    bn_rec_account a;
    int rc;

    bnd_project_pair_info(p, out); /* all but the names */
    rc = bnd_get_account(cx, p->mentor_id, &a);
    if (rc == 0)
        out->mentor_name = a.name;
    else if (rc != BN_ENOTFOUND)
        return rc;
    rc = bnd_get_account(cx, p->mentee_id, &a);
    if (rc == 0)
        out->mentee_name = a.name;
    else if (rc != BN_ENOTFOUND)
        return rc;
    return 0;
}

int bnd_scan_key(bnd_ctx *cx, bnd_key start, unsigned pparts, bnd_scan_fn fn,
                 void *arg)
{
    bnd_key prefix = bnd_key_prefix(start, pparts);
    MDB_cursor *cur = NULL;
    MDB_val k = bnd_key_val(&start), v;
    int rc = bnd_cursor_open(cx->st, cx->txn, start.db, &cur);

    if (rc != 0)
        return rc;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0) {
        if (pparts > 0 && !bnd_key_has_prefix(&k, &prefix))
            break;
        rc = fn(cx, &k, &v, arg);
        if (rc != 0)
            break;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND || rc == 0)
        return 0;
    if (rc == 1 || rc < 0)
        return rc;
    return bnd_mdb_err(rc);
}

int bnd_holds_epoch(bnd_ctx *cx, const bn_rec_pair *p, const bn_rec_member *me,
                    uint32_t epoch)
{
    if (epoch < 1 || epoch > p->epoch || epoch < me->from_epoch ||
        (me->to_epoch != 0 && epoch >= me->to_epoch))
        return BN_ENOKEY;
    int rc = bnd_exists(cx->st, cx->txn,
                        bnd_key_wraps(p->id, epoch, cx->actor.account_id));
    if (rc < 0)
        return rc;
    return rc == 1 ? 0 : BN_ENOKEY;
}

int bnd_envelope_ok(bn_bin env, uint32_t epoch)
{
    uint32_t e;
    if (bn_envelope_check(env.ptr, env.len) != 0 ||
        bn_envelope_epoch(env.ptr, env.len, &e) != 0 || e != epoch)
        return BN_EINVAL;
    return 0;
}

int bnd_date_ok(uint32_t date)
{
    return date >= BN_DATE_MIN && date <= BN_DATE_MAX;
}

int bnd_get_session(bnd_ctx *cx, uint64_t pair, uint64_t id, bn_rec_session *s)
{
    if (id == 0)
        return BN_ENOTFOUND;
    return bnd_rec_get(cx->st, cx->txn, bnd_key_sessions(pair, id), s,
                       &cx->arena);
}

int bnd_page_take(bnd_page *pg, size_t bytes)
{
    if (pg->n >= pg->max || pg->bytes + bytes > BND_REPLY_BYTES)
        return 0;
    pg->n++;
    pg->bytes += bytes;
    return 1;
}

int bnd_list_page(bnd_ctx *cx, bnd_list *l, uint64_t after, bnd_key start,
                  unsigned pparts, bnd_scan_fn fn)
{
    if (after == UINT64_MAX)
        return 0;
    l->items = bnd_ctx_alloc(cx, l->pg.max * l->size);
    if (l->items == NULL)
        return BN_ENOMEM;
    return bnd_scan_key(cx, start, pparts, fn, l);
}

int bnd_list_pair(bnd_ctx *cx, bnd_list *l, uint64_t pair_id, uint64_t after,
                  bnd_key start, bnd_scan_fn fn)
{
    bn_rec_pair p;
    int rc = bnd_member_pair(cx, pair_id, &p, NULL);

    if (rc != 0)
        return rc;
    return bnd_list_page(cx, l, after, start, 1, fn);
}

void *bnd_list_take(bnd_list *l, size_t bytes)
{
    uint32_t i = l->pg.n;
    if (!bnd_page_take(&l->pg, bytes))
        return NULL;
    return (char *)l->items + (size_t)i * l->size;
}

int bnd_errmsgf(bnd_ctx *cx, int code, const char *fmt, ...)
{
    char *msg = bnd_ctx_alloc(cx, BN_ERRMSG_MAX); /* lives with the reply */
    va_list ap;

    if (msg == NULL)
        return code;
    va_start(ap, fmt);
    vsnprintf(msg, BN_ERRMSG_MAX, fmt, ap);
    va_end(ap);
    cx->errmsg = msg;
    return code;
}

/* ---- erased accounts (issue 15) ------------------------------------- */

int bnd_account_erased(bnd_ctx *cx, uint64_t id, int64_t *when)
{
    bn_rec_erased e;
    int rc = bnd_rec_get(cx->st, cx->txn, bnd_key_erased(id), &e, &cx->arena);

    if (when != NULL)
        *when = 0;
    if (rc == BN_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    if (e.account_id != id)
        return BN_ECORRUPT;
    if (when != NULL)
        *when = e.erased_at != 0 ? e.erased_at : 1;
    return 1;
}

int bnd_erased_keys(bnd_ctx *cx, uint64_t pair, uint64_t account,
                    uint8_t sign_pk[32], uint8_t box_pk[32])
{
    bn_rec_erased_key k;
    int rc = bnd_rec_get(cx->st, cx->txn, bnd_key_erased_keys(pair, account),
                         &k, &cx->arena);

    if (rc != 0)
        return rc;
    if (k.pair_id != pair || k.account_id != account)
        return BN_ECORRUPT;
    memcpy(sign_pk, k.sign_pk, 32);
    memcpy(box_pk, k.box_pk, 32);
    return 0;
}
