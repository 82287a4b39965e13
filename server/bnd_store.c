/*
 * bnd_store.c: the LMDB environment: opening and growing the map,
 * schema versions, record get/put/scan, read transactions that are reset
 * and renewed, scrubbing freed pages (bnd_store.h).
 */
#include "bnd_store.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <sodium.h>

#include "bnd_log.h"
#include "bnd_schema.h"

struct bnd_store {
    MDB_env *env;
    MDB_dbi dbi[BND_DB_COUNT];
    pthread_rwlock_t lock; /* shared: any txn; exclusive: resize */
    pthread_mutex_t spare_mu;
    MDB_txn *spare; /* a reset read transaction, renewed by the next read */
    size_t map_max;
    unsigned grows;
    int create;
    int scrub_wanted; /* writer thread only */
};

const char *bnd_store_db_name(enum bnd_db db)
{
    const bnd_db_layout *l = bnd_db_layout_of(db);
    return l != NULL ? l->name : "?";
}

MDB_dbi bnd_store_dbi(const bnd_store *st, enum bnd_db db)
{
    return st->dbi[db];
}

int bnd_mdb_err(int rc)
{
    switch (rc) {
    case MDB_SUCCESS:
        return 0;
    case MDB_NOTFOUND:
        return BN_ENOTFOUND;
    case MDB_KEYEXIST:
        return BN_EEXIST;
    case MDB_MAP_FULL:
        return BN_EFULL;
    case ENOMEM:
        return BN_ENOMEM;
    default:
        bnd_log(BND_LOG_ERROR, "store.error", "mdb_rc=%d msg=\"%s\"", rc,
                mdb_strerror(rc));
        return BN_ESTORE;
    }
}

static size_t page_round(size_t v)
{
    const size_t page = 65536; /* a multiple of every OS page size */
    if (v < page)
        return page;
    if (v > SIZE_MAX - page)
        return SIZE_MAX / page * page;
    return (v + page - 1) / page * page;
}

/* Re-reads the map size after another process grew the file. */
static void adopt_resize(bnd_store *st)
{
    pthread_rwlock_unlock(&st->lock);
    pthread_rwlock_wrlock(&st->lock);
    mdb_env_set_mapsize(st->env, 0);
    pthread_rwlock_unlock(&st->lock);
    pthread_rwlock_rdlock(&st->lock);
}

/* Begins a transaction with the lock held shared; on failure the lock is
 * released. */
static int txn_begin(bnd_store *st, MDB_txn *parent, unsigned flags,
                     MDB_txn **txn)
{
    int rc;
    pthread_rwlock_rdlock(&st->lock);
    rc = mdb_txn_begin(st->env, parent, flags, txn);
    if (rc == MDB_MAP_RESIZED) {
        adopt_resize(st);
        rc = mdb_txn_begin(st->env, parent, flags, txn);
    }
    if (rc != 0) {
        pthread_rwlock_unlock(&st->lock);
        return bnd_mdb_err(rc);
    }
    return 0;
}

/*
 * Read transactions are reset and renewed rather than begun and aborted:
 * a renewed one keeps its reader slot (MDB_NOTLS) and its memory, where
 * mdb_txn_begin takes the reader table's lock and allocates. One spare is
 * kept (the loop thread reads one request at a time); a second reader at
 * once begins its own.
 */
int bnd_store_read_begin(bnd_store *st, MDB_txn **txn)
{
    MDB_txn *t;

    pthread_mutex_lock(&st->spare_mu);
    t = st->spare;
    st->spare = NULL;
    pthread_mutex_unlock(&st->spare_mu);
    if (t != NULL) {
        pthread_rwlock_rdlock(&st->lock);
        if (mdb_txn_renew(t) == 0) {
            *txn = t;
            return 0;
        }
        /* MDB_MAP_RESIZED and the like: the slow path knows them */
        pthread_rwlock_unlock(&st->lock);
        mdb_txn_abort(t);
    }
    return txn_begin(st, NULL, MDB_RDONLY, txn);
}

void bnd_store_read_end(bnd_store *st, MDB_txn *txn)
{
    if (txn == NULL)
        return;
    mdb_txn_reset(txn);
    pthread_rwlock_unlock(&st->lock);
    pthread_mutex_lock(&st->spare_mu);
    if (st->spare == NULL) {
        st->spare = txn;
        txn = NULL;
    }
    pthread_mutex_unlock(&st->spare_mu);
    if (txn != NULL)
        mdb_txn_abort(txn);
}

size_t bnd_store_map_size(bnd_store *st)
{
    MDB_envinfo info;
    mdb_env_info(st->env, &info);
    return info.me_mapsize;
}

unsigned bnd_store_grow_count(bnd_store *st)
{
    pthread_rwlock_rdlock(&st->lock);
    unsigned n = st->grows;
    pthread_rwlock_unlock(&st->lock);
    return n;
}

/* Doubles the map (up to map_max) with no transaction of ours open:
 * 0, or BN_EFULL at the maximum. */
static int grow(bnd_store *st)
{
    MDB_envinfo info;
    int rc;

    pthread_rwlock_wrlock(&st->lock);
    mdb_env_info(st->env, &info);
    size_t cur = info.me_mapsize;
    if (cur >= st->map_max) {
        pthread_rwlock_unlock(&st->lock);
        bnd_log(BND_LOG_ERROR, "store.full", "map_bytes=%zu", cur);
        return BN_EFULL;
    }
    size_t next = cur > st->map_max / 2 ? st->map_max : cur * 2;
    rc = mdb_env_set_mapsize(st->env, next);
    if (rc == 0)
        st->grows++;
    pthread_rwlock_unlock(&st->lock);
    if (rc != 0)
        return bnd_mdb_err(rc);
    bnd_log(BND_LOG_INFO, "store.grow", "from=%zu to=%zu", cur, next);
    return 0;
}

/* What the file system of the store still takes, in bytes (the blocks
 * reserved for root count when we are root), or SIZE_MAX when unknown. */
static size_t fs_free(bnd_store *st)
{
    struct statvfs sv;
    int fd;
    if (mdb_env_get_fd(st->env, &fd) != 0 || fstatvfs(fd, &sv) != 0)
        return SIZE_MAX;
    unsigned long long blocks = geteuid() == 0 ? sv.f_bfree : sv.f_bavail;
    unsigned long long b = blocks * sv.f_frsize;
    return b > SIZE_MAX ? SIZE_MAX : (size_t)b;
}

/*
 * Commits txn: 0, BN_EFULL with *disk set when the file system is full,
 * else as bnd_mdb_err. LMDB writes the pages and syncs at commit: a full
 * file system is ENOSPC or EDQUOT from pwrite or fdatasync, or EIO when
 * pwrite wrote only part of the pages (LMDB's code for a short write;
 * taken as full when less than BND_FS_FULL_BYTES is left). The commit is
 * then undone: nothing of it counts.
 */
#define BND_FS_FULL_BYTES ((size_t)4 << 20)
static int commit(bnd_store *st, MDB_txn *txn, int *disk)
{
    int rc = mdb_txn_commit(txn);
    size_t left = SIZE_MAX;
    *disk = 0;
    if (rc == EIO)
        left = fs_free(st);
    if (rc == ENOSPC || rc == EDQUOT || left < BND_FS_FULL_BYTES) {
        *disk = 1;
        bnd_log(BND_LOG_ERROR, "store.disk_full",
                "errno=%s free_bytes=%lld msg=\"%s\"",
                rc == ENOSPC   ? "ENOSPC"
                : rc == EDQUOT ? "EDQUOT"
                               : "EIO",
                left == SIZE_MAX ? -1LL : (long long)left, mdb_strerror(rc));
        return BN_EFULL;
    }
    return bnd_mdb_err(rc);
}

int bnd_store_write(bnd_store *st, bnd_write_fn fn, void *arg)
{
    for (;;) {
        MDB_txn *txn = NULL;
        int disk = 0;
        int rc = txn_begin(st, NULL, 0, &txn);
        if (rc != 0)
            return rc;
        rc = fn(txn, arg);
        if (rc == 0) {
            rc = commit(st, txn, &disk);
        } else {
            mdb_txn_abort(txn);
        }
        pthread_rwlock_unlock(&st->lock);
        if (rc != BN_EFULL || disk) /* a bigger map does not help a disk */
            return rc;
        rc = grow(st);
        if (rc != 0)
            return rc;
    }
}

struct open_ctx {
    bnd_store *st;
    int create;
    int upgrade;
};

/* Opens (creating when missing) every named database; with create, also
 * writes the schema record; without, checks it. */
static int open_dbs(MDB_txn *txn, void *arg)
{
    struct open_ctx *o = arg;
    bnd_store *st = o->st;
    void *arena = NULL;
    bn_rec_meta meta;
    bnd_key sk = bnd_key_meta(BND_META_SCHEMA);
    int rc;

    for (int i = 0; i < BND_DB_COUNT; i++) {
        rc = mdb_dbi_open(txn, bnd_db_layout_of((enum bnd_db)i)->name,
                          MDB_CREATE, &st->dbi[i]);
        if (rc != 0)
            return bnd_mdb_err(rc);
    }
    rc = bnd_rec_get(st, txn, sk, &meta, &arena);
    bn_arena_free(&arena);
    if (rc == BN_ENOTFOUND && o->create) {
        memset(&meta, 0, sizeof meta);
        meta.version = BND_SCHEMA_VERSION;
        meta.created = bn_now();
        return bnd_rec_put(st, txn, sk, &meta, 0);
    }
    if (rc == BN_ENOTFOUND)
        return -ENOENT;
    if (rc != 0)
        return rc;
    /* Schemas 1 and 2 are not converted; 3 only by bnd_upgrade. */
    if (meta.version != BND_SCHEMA_VERSION &&
        !(o->upgrade && meta.version == BND_SCHEMA_UPGRADE_FROM))
        return BN_EVERSION;
    return 0;
}

int bnd_store_open(bnd_store **out, const char *dir, const bnd_store_opts *opts)
{
    bnd_store *st;
    char path[PATH_MAX];
    struct stat sb;
    size_t initial =
        opts && opts->map_initial ? opts->map_initial : BND_MAP_INITIAL_DEFAULT;
    size_t max = opts && opts->map_max ? opts->map_max : BND_MAP_MAX_DEFAULT;
    int create = opts ? opts->create : 0;
    int rc;

    *out = NULL;
    if (snprintf(path, sizeof path, "%s/data.mdb", dir) >= (int)sizeof path)
        return BN_EINVAL;
    if (!create && stat(path, &sb) != 0)
        return -ENOENT;
    st = calloc(1, sizeof *st);
    if (st == NULL)
        return BN_ENOMEM;
    pthread_rwlock_init(&st->lock, NULL);
    pthread_mutex_init(&st->spare_mu, NULL);
    initial = page_round(initial);
    max = page_round(max);
    if (max < initial)
        max = initial;
    st->map_max = max;
    st->create = create;
    rc = mdb_env_create(&st->env);
    if (rc != 0) {
        rc = bnd_mdb_err(rc);
        goto fail;
    }
    mdb_env_set_maxdbs(st->env, BND_DB_COUNT + 8);
    mdb_env_set_mapsize(st->env, initial);
    /* MDB_NOTLS: read txns belong to the loop, not to a thread. Never
     * NOSYNC/NOMETASYNC: a reply follows a durable commit. (NOMETASYNC
     * with acknowledgements deferred to the next flush would keep that,
     * but reads would then see snapshots not yet durable: see
     * docs/PERFORMANCE.md, "Not shipped".) */
    rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600);
    if (rc != 0) {
        rc = rc > 0 && rc < 4096 ? -rc : bnd_mdb_err(rc);
        goto fail;
    }
    int dead = 0;
    mdb_reader_check(st->env, &dead); /* slots of crashed processes */
    if (dead > 0)
        bnd_log(BND_LOG_WARN, "store.stale_readers", "cleared=%d", dead);
    struct open_ctx o = {st, create, opts ? opts->upgrade : 0};
    rc = bnd_store_write(st, open_dbs, &o);
    if (rc != 0)
        goto fail;
    *out = st;
    return 0;
fail:
    if (st->env != NULL)
        mdb_env_close(st->env);
    pthread_mutex_destroy(&st->spare_mu);
    pthread_rwlock_destroy(&st->lock);
    free(st);
    return rc;
}

void bnd_store_close(bnd_store *st)
{
    if (st == NULL)
        return;
    if (st->spare != NULL)
        mdb_txn_abort(st->spare);
    mdb_env_close(st->env);
    pthread_mutex_destroy(&st->spare_mu);
    pthread_rwlock_destroy(&st->lock);
    free(st);
}

/* ---- records ------------------------------------------------------------ */

int bnd_rec_decode(const MDB_val *val, const bn_struct_desc *d, void *rec,
                   void **arena)
{
    int rc = bn_struct_decode(d, rec, val->mv_data, val->mv_size, arena);
    if (rc == BN_ENOMEM)
        return rc;
    if (rc != 0) {
        bnd_log(BND_LOG_ERROR, "store.corrupt", "record=%s code=%s", d->name,
                bn_err_name(rc));
        return BN_ECORRUPT;
    }
    return 0;
}

/* key_dbi gives k's database handle, or BN_EINVAL (logged) for a key of
 * no database or whose record type d is not its database's (d NULL: raw
 * bytes, any database). */
static int key_dbi(const bnd_store *st, const bnd_key *k,
                   const bn_struct_desc *d, MDB_dbi *dbi)
{
    const bnd_db_layout *l = bnd_db_layout_of(k->db);
    if (l == NULL || (d != NULL && d != l->desc)) {
        bnd_log(BND_LOG_ERROR, "store.mismatch", "db=%s record=%s",
                l != NULL ? l->name : "?", d != NULL ? d->name : "-");
        return BN_EINVAL;
    }
    *dbi = st->dbi[k->db];
    return 0;
}

int bnd__rec_get(const bnd_store *st, MDB_txn *txn, bnd_key k,
                 const bn_struct_desc *d, void *rec, void **arena)
{
    MDB_val key = bnd_key_val(&k), v;
    MDB_dbi dbi;
    int rc = d != NULL ? key_dbi(st, &k, d, &dbi) : BN_EINVAL;

    if (rc != 0)
        return rc;
    rc = mdb_get(txn, dbi, &key, &v);
    if (rc != 0)
        return bnd_mdb_err(rc);
    return bnd_rec_decode(&v, d, rec, arena);
}

int bnd__rec_put(const bnd_store *st, MDB_txn *txn, bnd_key k,
                 const bn_struct_desc *d, const void *rec, unsigned flags)
{
    MDB_dbi dbi;
    bn_buf b;
    int rc = d != NULL ? key_dbi(st, &k, d, &dbi) : BN_EINVAL;

    if (rc != 0)
        return rc;
    bn_buf_init(&b);
    rc = bn_struct_encode(&b, d, rec);
    if (rc == 0) {
        MDB_val key = bnd_key_val(&k), v = {b.len, b.data};
        rc = bnd_mdb_err(mdb_put(txn, dbi, &key, &v, flags));
    }
    bn_buf_free(&b);
    return rc;
}

int bnd_raw_put(const bnd_store *st, MDB_txn *txn, bnd_key k, const void *val,
                size_t vlen, unsigned flags)
{
    MDB_val key = bnd_key_val(&k), v = {vlen, (void *)val};
    MDB_dbi dbi;
    int rc = key_dbi(st, &k, NULL, &dbi);
    if (rc != 0)
        return rc;
    return bnd_mdb_err(mdb_put(txn, dbi, &key, &v, flags));
}

int bnd_raw_get(const bnd_store *st, MDB_txn *txn, bnd_key k, MDB_val *val)
{
    MDB_val key = bnd_key_val(&k);
    MDB_dbi dbi;
    int rc = key_dbi(st, &k, NULL, &dbi);
    if (rc != 0)
        return rc;
    return bnd_mdb_err(mdb_get(txn, dbi, &key, val));
}

int bnd_rec_del(const bnd_store *st, MDB_txn *txn, bnd_key k)
{
    MDB_val key = bnd_key_val(&k);
    MDB_dbi dbi;
    int rc = key_dbi(st, &k, NULL, &dbi);
    if (rc != 0)
        return rc;
    return bnd_mdb_err(mdb_del(txn, dbi, &key, NULL));
}

int bnd_exists(const bnd_store *st, MDB_txn *txn, bnd_key k)
{
    MDB_val v;
    int rc = bnd_raw_get(st, txn, k, &v);
    if (rc == BN_ENOTFOUND)
        return 0;
    return rc == 0 ? 1 : rc;
}

int bnd_cursor_open(const bnd_store *st, MDB_txn *txn, enum bnd_db db,
                    MDB_cursor **cur)
{
    if (bnd_db_layout_of(db) == NULL)
        return BN_EINVAL;
    return bnd_mdb_err(mdb_cursor_open(txn, st->dbi[db], cur));
}

int bnd_schema_read(MDB_txn *txn, uint32_t *version)
{
    bnd_key sk = bnd_key_meta(BND_META_SCHEMA);
    MDB_val key = bnd_key_val(&sk), v;
    MDB_dbi meta;
    bn_rec_meta m;
    void *arena = NULL;
    int rc, mrc;

    mrc = mdb_dbi_open(txn, bnd_store_db_name(BND_DB_META), 0, &meta);
    if (mrc == 0)
        mrc = mdb_get(txn, meta, &key, &v);
    if (mrc == MDB_NOTFOUND)
        return BN_ECORRUPT;
    if (mrc != 0)
        return bnd_mdb_err(mrc);
    rc = bnd_rec_decode(&v, &bn_desc_rec_meta, &m, &arena);
    if (rc == 0)
        *version = m.version;
    bn_arena_free(&arena);
    return rc;
}

/* counter_key makes meta's key of kind's counter: 0 or BN_EINVAL (too
 * long a kind). */
static int counter_key(bnd_key *k, const char *kind)
{
    char name[BND_KEY_MAX + 1];
    int n = snprintf(name, sizeof name, BND_META_COUNTER "%s", kind);
    if (n <= 0 || (size_t)n >= sizeof name)
        return BN_EINVAL;
    *k = bnd_key_meta(name);
    return 0;
}

int bnd_counter_get(bnd_store *st, MDB_txn *txn, const char *kind,
                    uint64_t *value)
{
    bnd_key key;
    int rc = counter_key(&key, kind);
    MDB_val v;

    if (rc != 0)
        return rc;
    rc = bnd_raw_get(st, txn, key, &v);
    if (rc == BN_ENOTFOUND) {
        *value = 0;
        return 0;
    }
    if (rc != 0)
        return rc;
    if (v.mv_size != 8)
        return BN_ECORRUPT;
    *value = bn_get_be64(v.mv_data);
    return 0;
}

int bnd_counter_next(bnd_store *st, MDB_txn *txn, const char *kind,
                     uint64_t *id)
{
    bnd_key key;
    uint8_t val[8];
    uint64_t cur;
    int rc = counter_key(&key, kind);

    if (rc != 0)
        return rc;
    rc = bnd_counter_get(st, txn, kind, &cur);
    if (rc != 0)
        return rc;
    if (cur == UINT64_MAX)
        return BN_ERANGE;
    bn_put_be64(val, cur + 1);
    rc = bnd_raw_put(st, txn, key, val, 8, 0);
    if (rc == 0)
        *id = cur + 1;
    return rc;
}

/* ---- deletion and scrubbing ---------------------------------------------- */

/* Zeroes the value under cursor c in place (same size: LMDB rewrites it on
 * the page, which this transaction already copied). Values of a page or
 * more live on overflow pages of their own, which a delete frees whole:
 * bnd_store_scrub zeroes those. */
static int zero_current(MDB_cursor *c, MDB_val *k, const MDB_val *v,
                        size_t psize)
{
    MDB_val z = {v->mv_size, NULL};
    int rc;

    if (v->mv_size == 0 || v->mv_size >= psize)
        return 0;
    rc = mdb_cursor_put(c, k, &z, MDB_CURRENT | MDB_RESERVE);
    if (rc != 0)
        return bnd_mdb_err(rc);
    memset(z.mv_data, 0, z.mv_size);
    return 0;
}

static size_t page_size(MDB_txn *txn)
{
    MDB_stat ms;
    if (mdb_env_stat(mdb_txn_env(txn), &ms) != 0)
        return 4096;
    return ms.ms_psize;
}

int bnd_shred(const bnd_store *st, MDB_txn *txn, bnd_key key)
{
    MDB_cursor *c = NULL;
    MDB_val k = bnd_key_val(&key), v;
    int rc = bnd_cursor_open(st, txn, key.db, &c);

    if (rc != 0)
        return rc;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
    if (rc == 0)
        rc = zero_current(c, &k, &v, page_size(txn));
    else
        rc = bnd_mdb_err(rc);
    mdb_cursor_close(c);
    return rc;
}

int bnd_del_prefix(const bnd_store *st, MDB_txn *txn, bnd_key prefix, int shred,
                   uint64_t budget, uint64_t *deleted)
{
    MDB_cursor *c = NULL;
    MDB_val k = bnd_key_val(&prefix), v;
    size_t psize = page_size(txn);
    uint64_t n = 0;
    int rc = bnd_cursor_open(st, txn, prefix.db, &c);

    if (deleted != NULL)
        *deleted = 0;
    if (rc != 0)
        return rc;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && bnd_key_has_prefix(&k, &prefix)) {
        if (budget != 0 && n == budget) {
            rc = 1;
            break;
        }
        if (shred) {
            rc = zero_current(c, &k, &v, psize);
            if (rc != 0)
                break;
        }
        rc = mdb_cursor_del(c, 0);
        if (rc != 0)
            break;
        n++;
        /* after a delete, MDB_NEXT gives the entry that followed it */
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (deleted != NULL)
        *deleted = n;
    if (rc == MDB_NOTFOUND || rc == 0)
        return 0;
    if (rc == 1 || rc < 0)
        return rc;
    return bnd_mdb_err(rc);
}

void bnd_store_want_scrub(bnd_store *st)
{
    st->scrub_wanted = 1;
}

int bnd_store_scrub_wanted(const bnd_store *st)
{
    return st->scrub_wanted;
}

#define SCRUB_PAGES_PER_TXN 16384u

struct scrub {
    bnd_store *st;
    uint64_t want;  /* pages to fill in all */
    uint64_t done;  /* pages filled so far */
    uint64_t start; /* first key of this transaction */
};

/* Counts the pages on LMDB's free list (its database 0: key a txn id,
 * value an array of page numbers whose first element is the count). */
static int free_pages(MDB_txn *txn, uint64_t *n)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc = mdb_cursor_open(txn, 0, &c);

    *n = 0;
    if (rc != 0)
        return bnd_mdb_err(rc);
    while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
        size_t cnt;
        if (v.mv_size < sizeof cnt)
            continue;
        memcpy(&cnt, v.mv_data, sizeof cnt);
        *n += cnt;
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : bnd_mdb_err(rc);
}

/* LMDB opens a cursor on its free list in read transactions only. */
static int scrub_count(struct scrub *s)
{
    MDB_txn *txn = NULL;
    int rc = bnd_store_read_begin(s->st, &txn);
    s->done = 0;
    if (rc != 0)
        return rc;
    rc = free_pages(txn, &s->want);
    bnd_store_read_end(s->st, txn);
    return rc;
}

/* Writes zero values one page long into the scrub database: each takes
 * one page, from the free list while it holds usable pages, so what those
 * pages held is overwritten with zeros on commit. */
static int scrub_fill(MDB_txn *txn, void *arg)
{
    struct scrub *s = arg;
    size_t psize = page_size(txn);
    uint64_t i, end = s->done + SCRUB_PAGES_PER_TXN;

    if (end > s->want)
        end = s->want;
    for (i = s->done; i < end; i++) {
        bnd_key key = bnd_key_scrub(i);
        MDB_val k = bnd_key_val(&key), v = {psize - 64, NULL};
        int rc = mdb_put(txn, s->st->dbi[key.db], &k, &v, MDB_RESERVE);
        if (rc != 0)
            return bnd_mdb_err(rc);
        memset(v.mv_data, 0, v.mv_size);
    }
    s->start = end;
    return 0;
}

static int scrub_drop(MDB_txn *txn, void *arg)
{
    struct scrub *s = arg;
    return bnd_mdb_err(mdb_drop(txn, s->st->dbi[BND_DB_SCRUB], 0));
}

/* ---- the unused space of live pages ------------------------------------ */

/*
 * LMDB builds a page it writes in a buffer it recycles without zeroing,
 * and copies only the used part of a page (its header and pointers at
 * the start, its nodes at the end): the space between them keeps what the
 * buffer held before, bytes of any page this process wrote earlier, an
 * erased record's among them. zero_gaps overwrites that space with zeros
 * in every live branch and leaf page of the file, with pwrite on LMDB's
 * own file descriptor, inside a write transaction that changes nothing:
 * no other writer runs meanwhile, and a live page of the last committed
 * snapshot is never written by LMDB in place (it copies a page it
 * changes), so the bytes zeroed are bytes nobody reads. Free pages are
 * left to the scrub; overflow pages (values of a page or more) are
 * skipped whole: their unused tail is a limit SECURITY.md states.
 * Pages are read in chunks through the file descriptor.
 */

/* LMDB's page header (lmdb.h does not export it; mdb.c, MDB_page): the
 * page number, a pad, the flags, then lower and upper bounds of the free
 * space, or the number of pages of an overflow run. */
#define PG_HDR 16u
#define PG_BRANCH 0x01u
#define PG_LEAF 0x02u
#define PG_OVERFLOW 0x04u
#define PG_META 0x08u
#define GAP_CHUNK_PAGES 256u

typedef struct pgset {
    size_t *v;
    size_t n, cap;
} pgset;

static int pg_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The free list of the last committed snapshot, sorted. */
static int free_set(MDB_env *env, pgset *fs)
{
    MDB_txn *txn = NULL;
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);

    if (rc == 0)
        rc = mdb_cursor_open(txn, 0, &c);
    while (rc == 0 && (rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
        const size_t *ids = v.mv_data;
        if (v.mv_size < sizeof *ids || ids[0] > v.mv_size / sizeof *ids - 1)
            continue;
        if (fs->n + ids[0] > fs->cap) {
            size_t cap = (fs->n + ids[0]) * 2 + 64;
            size_t *nv = realloc(fs->v, cap * sizeof *nv);
            if (nv == NULL) {
                rc = ENOMEM;
                break;
            }
            fs->v = nv;
            fs->cap = cap;
        }
        memcpy(fs->v + fs->n, ids + 1, ids[0] * sizeof *ids);
        fs->n += ids[0];
    }
    if (c != NULL)
        mdb_cursor_close(c);
    if (txn != NULL)
        mdb_txn_abort(txn);
    if (rc == ENOMEM)
        return BN_ENOMEM;
    if (rc != 0 && rc != MDB_NOTFOUND)
        return bnd_mdb_err(rc);
    qsort(fs->v, fs->n, sizeof *fs->v, pg_cmp);
    return 0;
}

static int is_free(const pgset *fs, size_t pg)
{
    return fs->n > 0 &&
           bsearch(&pg, fs->v, fs->n, sizeof *fs->v, pg_cmp) != NULL;
}

static int zero_gaps(MDB_txn *txn, void *arg)
{
    bnd_store *st = arg;
    MDB_env *env = mdb_txn_env(txn);
    MDB_envinfo info;
    pgset fs = {NULL, 0, 0};
    size_t psize = page_size(txn), last, skip = 0;
    uint8_t *buf = NULL, *zeros = NULL;
    mdb_filehandle_t fd;
    int rc;

    (void)st;
    rc = bnd_mdb_err(mdb_env_info(env, &info));
    if (rc == 0)
        rc = bnd_mdb_err(mdb_env_get_fd(env, &fd));
    if (rc == 0)
        rc = free_set(env, &fs);
    if (rc != 0)
        goto cleanup;
    last = info.me_last_pgno;
    buf = malloc(GAP_CHUNK_PAGES * psize);
    zeros = calloc(1, psize);
    if (buf == NULL || zeros == NULL) {
        rc = BN_ENOMEM;
        goto cleanup;
    }
    for (size_t first = 2; first <= last; first += GAP_CHUNK_PAGES) {
        size_t n = last - first + 1;
        if (n > GAP_CHUNK_PAGES)
            n = GAP_CHUNK_PAGES;
        ssize_t got = pread(fd, buf, n * psize, (off_t)(first * psize));
        if (got < 0 || (size_t)got < n * psize) {
            rc = BN_EIO;
            goto cleanup;
        }
        for (size_t i = 0; i < n; i++) {
            size_t pg = first + i;
            const uint8_t *p = buf + i * psize;
            uint64_t pgno;
            uint16_t flags, lower, upper;
            uint32_t pages;
            if (skip > 0) { /* the rest of an overflow run */
                skip--;
                continue;
            }
            if (is_free(&fs, pg))
                continue;
            memcpy(&pgno, p, sizeof pgno);
            memcpy(&flags, p + 10, sizeof flags);
            memcpy(&lower, p + 12, sizeof lower);
            memcpy(&upper, p + 14, sizeof upper);
            if (pgno != pg || (flags & PG_META))
                continue;
            if (flags & PG_OVERFLOW) {
                memcpy(&pages, p + 12, sizeof pages);
                skip = pages > 0 ? pages - 1 : 0;
                continue;
            }
            if (!(flags & (PG_BRANCH | PG_LEAF)) || lower < PG_HDR ||
                upper > psize || lower >= upper)
                continue;
            if (!sodium_is_zero(p + lower, upper - lower) &&
                pwrite(fd, zeros, upper - lower, (off_t)(pg * psize + lower)) !=
                    (ssize_t)(upper - lower)) {
                rc = BN_EIO;
                goto cleanup;
            }
        }
    }
    if (fdatasync(fd) != 0)
        rc = BN_EIO;
cleanup:
    free(fs.v);
    free(buf);
    free(zeros);
    return rc;
}

int bnd_store_scrub(bnd_store *st)
{
    struct scrub s = {st, 0, 0, 0};
    int rc = 0;

    st->scrub_wanted = 0;
    /* Pages freed by the last commit become usable two transactions
     * later (LMDB keeps the previous snapshot): two rounds reach them. */
    for (int round = 0; round < 2 && rc == 0; round++) {
        rc = scrub_count(&s);
        while (rc == 0 && s.done < s.want) {
            rc = bnd_store_write(st, scrub_fill, &s);
            s.done = s.start;
        }
        if (rc == 0)
            rc = bnd_store_write(st, scrub_drop, &s);
    }
    if (rc == 0)
        rc = bnd_store_write(st, zero_gaps, st);
    if (rc != 0)
        bnd_log(BND_LOG_ERROR, "store.scrub", "result=%s", bn_err_name(rc));
    return rc;
}
