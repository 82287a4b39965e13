/*
 * bnd_upgrade.c: schema 3 to schema 4 (bnd_upgrade.h). The schema 3 shape
 * of the records it rewrites comes from the BN_F_rec3_* macros of
 * bnd_schema.h; every other record is unchanged.
 */
#include "bnd_upgrade.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bnd_audit.h"
#include "bnd_backup.h"
#include "bnd_schema.h"
#include "bnd_stats.h"
#include "bnd_store.h"

#define BND_UPGRADE_RECS(X) X(rec3_wrap) X(rec3_accept) X(rec3_doc)
BND_UPGRADE_RECS(BN__STRUCT_TYPEDEF)
BND_UPGRADE_RECS(BN_STRUCT_DESC)

int bnd_upgrade_schema_of(const char *dir, uint32_t *version)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    int rc;

    rc = bnd_audit_env_open(&env, dir);
    if (rc != 0)
        return rc;
    rc = bnd_audit_txn_begin(env, &txn);
    if (rc == 0)
        rc = bnd_schema_read(txn, version);
    if (txn != NULL)
        mdb_txn_abort(txn);
    mdb_env_close(env);
    return rc;
}

struct up {
    bnd_store *st;
    bnd_upgrade_info *info;
    void *arena;
};

/* A record rewritten in place: fn decodes the old value, fills the new
 * record (of db's record type, BND_DBS); rewrite_all puts it back under
 * the same key. */
typedef int (*rewrite_fn)(struct up *u, MDB_txn *txn, const MDB_val *k,
                          const MDB_val *v, void *rec);

static int rewrite_all(struct up *u, MDB_txn *txn, enum bnd_db db, void *rec,
                       rewrite_fn fn, uint64_t *count)
{
    const bn_struct_desc *d = bnd_db_layout_of(db)->desc;
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    uint8_t key[BND_KEY_MAX]; /* the key, copied: fn may move k */
    bn_buf b;
    int rc, mrc;

    rc = bnd_cursor_open(u->st, txn, db, &cur);
    if (rc != 0)
        return rc;
    bn_buf_init(&b);
    rc = 0;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size > sizeof key) {
            rc = BN_ECORRUPT;
            break;
        }
        memcpy(key, k.mv_data, k.mv_size);
        rc = fn(u, txn, &k, &v, rec);
        if (rc == 0) {
            b.len = 0;
            rc = bn_struct_encode(&b, d, rec);
        }
        if (rc != 0)
            break;
        MDB_val nk = {k.mv_size, key}, nv = {b.len, b.data};
        mrc = mdb_cursor_put(cur, &nk, &nv, MDB_CURRENT);
        if (mrc != 0)
            break;
        (*count)++;
    }
    mdb_cursor_close(cur);
    bn_buf_free(&b);
    if (rc != 0)
        return rc;
    return mrc == MDB_NOTFOUND ? 0 : bnd_mdb_err(mrc);
}

static int wrap_fn(struct up *u, MDB_txn *txn, const MDB_val *k,
                   const MDB_val *v, void *rec)
{
    bn_rec_wrap *w = rec;
    bn_rec3_wrap old;
    (void)txn;
    (void)k;
    int rc = bnd_rec_decode(v, &bn_desc_rec3_wrap, &old, &u->arena);
    if (rc != 0)
        return BN_ECORRUPT;
    memset(w, 0, sizeof *w);
    w->epoch = old.epoch;
    w->member_id = old.member_id;
    w->wrapper_id = old.wrapper_id;
    memcpy(w->wrap, old.wrap, sizeof w->wrap);
    w->created = old.created;
    return 0; /* key_id: zeros, the key's commitment was never sent */
}

static int accept_fn(struct up *u, MDB_txn *txn, const MDB_val *k,
                     const MDB_val *v, void *rec)
{
    bn_rec_accept *a = rec;
    bn_rec3_accept old;
    (void)txn;
    (void)k;
    int rc = bnd_rec_decode(v, &bn_desc_rec3_accept, &old, &u->arena);
    if (rc != 0)
        return BN_ECORRUPT;
    memset(a, 0, sizeof *a);
    a->pair_id = old.pair_id;
    a->account_id = old.account_id;
    a->date = old.date;
    memcpy(a->charter_hash, old.charter_hash, sizeof a->charter_hash);
    memcpy(a->sig, old.sig, sizeof a->sig);
    a->time = old.time;
    return 0; /* members_hash: zeros, accepted before it existed */
}

static int doc_fn(struct up *u, MDB_txn *txn, const MDB_val *k,
                  const MDB_val *v, void *rec)
{
    bn_rec_doc *d = rec;
    bn_rec3_doc old;
    bn_rec_doc_chunk c;
    (void)k;
    int rc = bnd_rec_decode(v, &bn_desc_rec3_doc, &old, &u->arena);
    if (rc != 0)
        return BN_ECORRUPT;
    memset(d, 0, sizeof *d);
    d->pair_id = old.pair_id;
    d->doc_id = old.doc_id;
    d->author_id = old.author_id;
    d->epoch = old.epoch;
    d->key_env = old.key_env;
    d->header_env = old.header_env;
    memcpy(d->stream_header, old.stream_header, sizeof d->stream_header);
    d->chunks = old.chunks;
    d->bytes = old.bytes;
    d->complete = old.complete;
    d->created = old.created;
    d->updated = old.updated;
    if (!old.complete || old.chunks == 0)
        return 0;
    bnd_key ck = bnd_key_doc_chunks(old.pair_id, old.doc_id, old.chunks - 1);
    rc = bnd_rec_get(u->st, txn, ck, &c, &u->arena);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    bn_hash(d->final_hash, c.data.ptr, c.data.len);
    return 0;
}

/* One session of a pair: its old id and its record (no pointers). */
struct sess {
    uint64_t old_id;
    bn_rec_session rec;
};

/* Loads pair's sessions (records hold only numbers: copied out). */
static int load_sessions(struct up *u, MDB_txn *txn, uint64_t pair,
                         struct sess **out, size_t *n)
{
    MDB_cursor *cur = NULL;
    bnd_key pk = bnd_key_prefix(bnd_key_sessions(pair, 0), 1);
    MDB_val k = bnd_key_val(&pk), v;
    bnd_keyp_sessions kp;
    int rc = 0, mrc;

    *out = NULL;
    *n = 0;
    rc = bnd_cursor_open(u->st, txn, pk.db, &cur);
    if (rc != 0)
        return rc;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (!bnd_key_has_prefix(&k, &pk) || bnd_key_parse_sessions(&k, &kp))
            break;
        struct sess s;
        rc = bnd_rec_decode(&v, &bn_desc_rec_session, &s.rec, &u->arena);
        if (rc != 0)
            break;
        s.old_id = kp.session_id;
        rc = bn_array_append((void **)out, n, sizeof s, &s);
        if (rc != 0)
            break;
    }
    mdb_cursor_close(cur);
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = bnd_mdb_err(mrc);
    return rc;
}

/* Rewrites the session_id of pair's notes by the map in s. */
static int renumber_notes(struct up *u, MDB_txn *txn, uint64_t pair,
                          const struct sess *s, size_t n)
{
    MDB_cursor *cur = NULL;
    bnd_key pk = bnd_key_prefix(bnd_key_notes(pair, 0, 0), 1);
    MDB_val k = bnd_key_val(&pk), v;
    bnd_keyp_notes kp;
    bn_rec_note note;
    bn_buf b;
    int rc = 0, mrc;

    rc = bnd_cursor_open(u->st, txn, pk.db, &cur);
    if (rc != 0)
        return rc;
    bn_buf_init(&b);
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (!bnd_key_has_prefix(&k, &pk) || bnd_key_parse_notes(&k, &kp))
            break;
        rc = bnd_rec_decode(&v, &bn_desc_rec_note, &note, &u->arena);
        if (rc != 0)
            break;
        if (note.session_id == 0)
            continue;
        size_t i;
        for (i = 0; i < n && s[i].old_id != note.session_id; i++)
            ;
        if (i == n) { /* a note on a session that is not there */
            rc = BN_ECORRUPT;
            break;
        }
        if (s[i].rec.id == note.session_id)
            continue;
        note.session_id = s[i].rec.id;
        bnd_key key = bnd_key_notes(kp.pair_id, kp.note_id, kp.revision);
        b.len = 0;
        rc = bn_struct_encode(&b, &bn_desc_rec_note, &note);
        if (rc != 0)
            break;
        MDB_val nk = bnd_key_val(&key), nv = {b.len, b.data};
        mrc = mdb_cursor_put(cur, &nk, &nv, MDB_CURRENT);
        if (mrc != 0)
            break;
        u->info->notes++;
    }
    mdb_cursor_close(cur);
    bn_buf_free(&b);
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = bnd_mdb_err(mrc);
    return rc;
}

/* Renumbers pair's sessions to their log seq: every old key goes first,
 * then every new one is put (an old id may be another session's new). */
static int renumber_pair(struct up *u, MDB_txn *txn, uint64_t pair)
{
    struct sess *s = NULL;
    size_t n = 0;
    int rc;

    rc = load_sessions(u, txn, pair, &s, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (s[i].rec.log_seq == 0)
            rc = BN_ECORRUPT;
        for (size_t j = 0; rc == 0 && j < i; j++)
            if (s[j].rec.log_seq == s[i].rec.log_seq)
                rc = BN_ECORRUPT;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = bnd_rec_del(u->st, txn, bnd_key_sessions(pair, s[i].old_id));
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        s[i].rec.id = s[i].rec.log_seq;
        bnd_key k = bnd_key_sessions(pair, s[i].rec.id);
        rc = bnd_rec_put(u->st, txn, k, &s[i].rec, MDB_NOOVERWRITE);
        if (rc == 0 && s[i].rec.id != s[i].old_id)
            u->info->sessions++;
    }
    if (rc == 0)
        rc = renumber_notes(u, txn, pair, s, n);
    free(s);
    return rc == BN_EEXIST ? BN_ECORRUPT : rc;
}

/* Every pair's sessions, pair by pair (pairs by id). */
static int renumber_sessions(struct up *u, MDB_txn *txn)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    uint64_t *ids = NULL;
    size_t n = 0;
    int rc = 0, mrc;

    rc = bnd_cursor_open(u->st, txn, BND_DB_PAIRS, &cur);
    if (rc != 0)
        return rc;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        bnd_keyp_pairs kp;
        rc = bnd_key_parse_pairs(&k, &kp);
        if (rc != 0)
            break;
        uint64_t id = kp.pair_id;
        rc = bn_array_append((void **)&ids, &n, sizeof id, &id);
        if (rc != 0)
            break;
    }
    mdb_cursor_close(cur);
    if (rc == 0 && mrc != MDB_NOTFOUND)
        rc = bnd_mdb_err(mrc);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = renumber_pair(u, txn, ids[i]);
    free(ids);
    return rc;
}

/* The conversion, in the store's write transaction (it may run again
 * after a map growth: it starts from what txn holds). */
static int convert(MDB_txn *txn, void *arg)
{
    struct up *u = arg;
    bnd_upgrade_info *info = u->info;
    bn_rec_meta meta;
    bn_rec_wrap w;
    bn_rec_accept a;
    bn_rec_doc d;
    bnd_key sk = bnd_key_meta(BND_META_SCHEMA);
    int rc;

    info->wraps = info->accepts = info->docs = 0; /* a run again */
    info->sessions = info->notes = 0;
    bn_arena_free(&u->arena);
    rc = bnd_rec_get(u->st, txn, sk, &meta, &u->arena);
    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    if (meta.version == BND_SCHEMA_VERSION)
        return BN_EEXIST;
    if (meta.version != BND_SCHEMA_UPGRADE_FROM)
        return BN_EVERSION;
    rc = rewrite_all(u, txn, BND_DB_WRAPS, &w, wrap_fn, &info->wraps);
    if (rc == 0)
        rc = rewrite_all(u, txn, BND_DB_ACCEPTS, &a, accept_fn, &info->accepts);
    if (rc == 0)
        rc = rewrite_all(u, txn, BND_DB_DOCS, &d, doc_fn, &info->docs);
    if (rc == 0)
        rc = renumber_sessions(u, txn);
    if (rc == 0) /* counted under today's rules (bnd_stats.h) */
        rc = bnd_stats_recount(u->st, txn);
    if (rc != 0)
        return rc;
    meta.version = BND_SCHEMA_VERSION;
    return bnd_rec_put(u->st, txn, sk, &meta, 0);
}

/* backup_path: DIR/../NAME.schema3-backup-YYYYMMDDTHHMMSSZ. */
static int backup_path(char *out, size_t size, const char *dir)
{
    char real[PATH_MAX], parent[PATH_MAX], base[PATH_MAX], stamp[32];
    time_t now = time(NULL);
    struct tm tm;

    if (realpath(dir, real) == NULL)
        return -errno;
    strcpy(parent, real);
    strcpy(base, real);
    if (gmtime_r(&now, &tm) == NULL ||
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm) == 0)
        return BN_EINTERNAL;
    int n = snprintf(out, size, "%s/%s.schema%d-backup-%s", dirname(parent),
                     basename(base), BND_SCHEMA_UPGRADE_FROM, stamp);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int bnd_upgrade(const char *dir, bnd_upgrade_info *info)
{
    bnd_store_opts opts = {0, 0, 0, 1};
    bnd_backup_info bi;
    bnd_store *st = NULL;
    struct up u = {NULL, info, NULL};
    uint32_t version = 0;
    int rc;

    memset(info, 0, sizeof *info);
    rc = bnd_upgrade_schema_of(dir, &version);
    if (rc != 0)
        return rc;
    if (version == BND_SCHEMA_VERSION)
        return BN_EEXIST;
    if (version != BND_SCHEMA_UPGRADE_FROM)
        return BN_EVERSION;
    rc = backup_path(info->backup, sizeof info->backup, dir);
    if (rc == 0)
        rc = bnd_backup(dir, info->backup, &bi);
    if (rc != 0)
        return rc;
    info->backed_up = 1;
    rc = bnd_store_open(&st, dir, &opts);
    if (rc != 0)
        return rc;
    u.st = st;
    rc = bnd_store_write(st, convert, &u);
    bn_arena_free(&u.arena);
    bnd_store_close(st);
    return rc;
}
