/* bnd_quota.c: the storage counters of bnd_quota.h and the one check that
 * every write which stores bytes goes through. */
#include "bnd_quota.h"

#include <stdlib.h>
#include <string.h>

#include "bnd_log.h"

/* The counting this binomed does, under 0 || 0. */
#define QUOTA_VERSION 1u

static MDB_dbi qdb(bnd_store *st)
{
    return bnd_store_dbi(st, BND_DB_QUOTA);
}

/* get reads the counter of (pair, account): 0 when absent. */
static int get(bnd_store *st, MDB_txn *txn, uint64_t pair, uint64_t account,
               uint64_t *bytes)
{
    bnd_key k = bnd_key_quota(pair, account);
    bn_rec_quota q;
    void *arena = NULL;
    int rc = bnd_rec_get(st, txn, k, &q, &arena);
    bn_arena_free(&arena);
    *bytes = 0;
    if (rc == BN_ENOTFOUND)
        return 0;
    if (rc == 0)
        *bytes = q.bytes;
    return rc;
}

static int put(bnd_store *st, MDB_txn *txn, uint64_t pair, uint64_t account,
               uint64_t bytes)
{
    bnd_key k = bnd_key_quota(pair, account);
    bn_rec_quota q;
    memset(&q, 0, sizeof q);
    q.bytes = bytes;
    return bnd_rec_put(st, txn, k, &q, 0);
}

/* add moves the three counters of (pair, account) by bytes, up or down
 * (a counter stops at zero, and at UINT64_MAX). */
static int add(bnd_store *st, MDB_txn *txn, uint64_t pair, uint64_t account,
               uint64_t bytes, int up)
{
    const uint64_t keys[3][2] = {{pair, account}, {pair, 0}, {0, account}};
    int rc = 0;

    for (int i = 0; i < 3 && rc == 0; i++) {
        uint64_t v;
        rc = get(st, txn, keys[i][0], keys[i][1], &v);
        if (rc != 0)
            break;
        if (up)
            v = v > UINT64_MAX - bytes ? UINT64_MAX : v + bytes;
        else
            v = v > bytes ? v - bytes : 0;
        rc = put(st, txn, keys[i][0], keys[i][1], v);
    }
    return rc;
}

int bnd_quota_charge(bnd_ctx *cx, uint64_t pair, uint64_t payload)
{
    const bnd_config *cfg = &cx->srv->cfg;
    uint64_t cost = payload + BND_QUOTA_ITEM_BYTES, in_pair, in_account;
    uint64_t account = cx->actor.account_id;
    int rc;

    if (pair == 0 || account == 0 || payload > UINT32_MAX)
        return BN_EINVAL;
    rc = get(cx->st, cx->txn, pair, 0, &in_pair);
    if (rc == 0)
        rc = get(cx->st, cx->txn, 0, account, &in_account);
    if (rc != 0)
        return rc;
    if (in_pair + cost > cfg->quota_pair_bytes) {
        cx->errmsg = "this pair stores as much as its quota allows "
                     "(quota_pair_mib): nothing more can be written to it; "
                     "ask the operator to raise the quota";
        bnd_log(BND_LOG_WARN, "quota.pair",
                "pair=%llu account=%llu used=%llu cost=%llu",
                (unsigned long long)pair, (unsigned long long)account,
                (unsigned long long)in_pair, (unsigned long long)cost);
        return BN_EQUOTA;
    }
    if (in_account + cost > cfg->quota_account_bytes) {
        cx->errmsg = "your account stores as much as its quota allows, all "
                     "its pairs together (quota_account_mib): erase ended "
                     "pairs, or ask the operator to raise the quota";
        bnd_log(BND_LOG_WARN, "quota.account",
                "pair=%llu account=%llu used=%llu cost=%llu",
                (unsigned long long)pair, (unsigned long long)account,
                (unsigned long long)in_account, (unsigned long long)cost);
        return BN_EQUOTA;
    }
    return add(cx->st, cx->txn, pair, account, cost, 1);
}

int bnd_quota_release(bnd_store *st, MDB_txn *txn, uint64_t pair,
                      uint64_t account, uint64_t bytes)
{
    if (pair == 0 || account == 0 || bytes == 0)
        return 0;
    return add(st, txn, pair, account, bytes, 0);
}

uint64_t bnd_quota_doc_cost(const bn_rec_doc *d)
{
    return (uint64_t)d->key_env.len + d->header_env.len + BND_QUOTA_ITEM_BYTES +
           d->bytes + (uint64_t)d->chunks * BND_QUOTA_ITEM_BYTES;
}

int bnd_quota_used(bnd_store *st, MDB_txn *txn, uint64_t pair, uint64_t account,
                   uint64_t *bytes)
{
    return get(st, txn, pair, account, bytes);
}

/* One account's share of a pair, read before the pair's counters go. */
struct share {
    uint64_t account, bytes;
};

int bnd_quota_pair_erased(bnd_store *st, MDB_txn *txn, uint64_t pair)
{
    struct share *shares = NULL;
    size_t n = 0;
    MDB_cursor *cur = NULL;
    bnd_key k = bnd_key_quota(pair, 0), pk = bnd_key_prefix(k, 1);
    bnd_keyp_quota kp;
    int rc, mrc;

    if (pair == 0)
        return 0;
    MDB_val key = bnd_key_val(&k), val;
    rc = bnd_cursor_open(st, txn, k.db, &cur);
    if (rc != 0)
        return rc;
    rc = 0;
    for (mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
         mrc == 0 && rc == 0 && bnd_key_has_prefix(&key, &pk) &&
         bnd_key_parse_quota(&key, &kp) == 0;
         mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
        uint64_t account = kp.account_id;
        void *arena = NULL;
        bn_rec_quota q;
        if (account == 0)
            continue;
        rc = bnd_rec_decode(&val, &bn_desc_rec_quota, &q, &arena);
        bn_arena_free(&arena);
        if (rc != 0)
            break;
        struct share sh = {account, q.bytes};
        rc = bn_array_append((void **)&shares, &n, sizeof sh, &sh);
    }
    mdb_cursor_close(cur);
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = bnd_mdb_err(mrc);
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint64_t v;
        rc = get(st, txn, 0, shares[i].account, &v);
        if (rc == 0)
            rc = put(st, txn, 0, shares[i].account,
                     v > shares[i].bytes ? v - shares[i].bytes : 0);
    }
    free(shares);
    if (rc == 0)
        rc = bnd_del_prefix(st, txn, pk, 0, 0, NULL);
    return rc;
}

/* ---- counting a directory made before quotas ----------------------------
 */

typedef int (*count_fn)(bnd_store *st, MDB_txn *txn, uint64_t pair,
                        const MDB_val *v, void **arena);

static int count_note(bnd_store *st, MDB_txn *txn, uint64_t pair,
                      const MDB_val *v, void **arena)
{
    bn_rec_note n;
    int rc = bnd_rec_decode(v, &bn_desc_rec_note, &n, arena);
    if (rc == 0)
        rc = add(st, txn, pair, n.author_id,
                 (uint64_t)n.size + BND_QUOTA_ITEM_BYTES, 1);
    return rc;
}

static int count_objective(bnd_store *st, MDB_txn *txn, uint64_t pair,
                           const MDB_val *v, void **arena)
{
    bn_rec_objective o;
    int rc = bnd_rec_decode(v, &bn_desc_rec_objective, &o, arena);
    if (rc == 0)
        rc = add(st, txn, pair, o.author_id,
                 (uint64_t)o.envelope.len + BND_QUOTA_ITEM_BYTES, 1);
    return rc;
}

static int count_doc(bnd_store *st, MDB_txn *txn, uint64_t pair,
                     const MDB_val *v, void **arena)
{
    bn_rec_doc d;
    int rc = bnd_rec_decode(v, &bn_desc_rec_doc, &d, arena);
    if (rc == 0)
        rc = add(st, txn, pair, d.author_id, bnd_quota_doc_cost(&d), 1);
    return rc;
}

static int count_session(bnd_store *st, MDB_txn *txn, uint64_t pair,
                         const MDB_val *v, void **arena)
{
    bn_rec_session s;
    int rc = bnd_rec_decode(v, &bn_desc_rec_session, &s, arena);
    if (rc == 0 && s.created_by != 0)
        rc = add(st, txn, pair, s.created_by, BND_QUOTA_ITEM_BYTES, 1);
    return rc;
}

/* Counts every record of pair with fn: the records whose keys begin
 * with k, a key of the pair in its database (its first part). */
static int count_db(bnd_store *st, MDB_txn *txn, bnd_key k, uint64_t pair,
                    count_fn fn)
{
    MDB_cursor *cur = NULL;
    MDB_val key = bnd_key_val(&k), val;
    void *arena = NULL;
    int mrc, rc = bnd_cursor_open(st, txn, k.db, &cur);

    if (rc != 0)
        return rc;
    for (mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
         mrc == 0 && rc == 0 && bnd_key_has_prefix(&key, &k);
         mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
        rc = fn(st, txn, pair, &val, &arena);
        bn_arena_free(&arena);
    }
    mdb_cursor_close(cur);
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = bnd_mdb_err(mrc);
    return rc;
}

/* Write transaction: counts every pair not erased, then marks the
 * counting version. The pairs are read into a list first: the counters
 * are written while no cursor walks the quota database. */
static int rebuild(MDB_txn *txn, void *arg)
{
    bnd_store *st = arg;
    uint64_t version, *pairs = NULL;
    size_t n = 0;
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int rc, mrc;

    rc = get(st, txn, 0, 0, &version);
    if (rc != 0 || version != 0)
        return rc;
    mrc = mdb_drop(txn, qdb(st), 0); /* empty: nothing counted yet */
    if (mrc != 0)
        return bnd_mdb_err(mrc);
    rc = bnd_cursor_open(st, txn, BND_DB_PAIRS, &cur);
    if (rc != 0)
        return rc;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        void *arena = NULL;
        bn_rec_pair p;
        rc = bnd_rec_decode(&v, &bn_desc_rec_pair, &p, &arena);
        bn_arena_free(&arena);
        if (rc != 0 || p.status == BN_PAIR_ERASED)
            continue;
        rc = bn_array_append((void **)&pairs, &n, sizeof p.id, &p.id);
    }
    mdb_cursor_close(cur);
    if (rc == 0 && mrc != MDB_NOTFOUND)
        rc = bnd_mdb_err(mrc);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = count_db(st, txn, bnd_key_prefix(bnd_key_notes(pairs[i], 0, 0), 1),
                      pairs[i], count_note);
        if (rc == 0)
            rc = count_db(st, txn,
                          bnd_key_prefix(bnd_key_objectives(pairs[i], 0), 1),
                          pairs[i], count_objective);
        if (rc == 0)
            rc = count_db(st, txn, bnd_key_prefix(bnd_key_docs(pairs[i], 0), 1),
                          pairs[i], count_doc);
        if (rc == 0)
            rc = count_db(st, txn,
                          bnd_key_prefix(bnd_key_sessions(pairs[i], 0), 1),
                          pairs[i], count_session);
    }
    free(pairs);
    if (rc == 0)
        rc = put(st, txn, 0, 0, QUOTA_VERSION);
    if (rc == 0 && n > 0)
        bnd_log(BND_LOG_INFO, "quota.counted", "pairs=%zu", n);
    return rc;
}

int bnd_quota_open(bnd_store *st)
{
    return bnd_store_write(st, rebuild, st);
}
