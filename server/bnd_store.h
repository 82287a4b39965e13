/*
 * bnd_store.h: binomed's LMDB environment, in one place.
 *
 * One environment in the data directory (data.mdb, lock.mdb), opened with
 * MDB_NOTLS (read transactions are not tied to threads) and never with
 * MDB_NOSYNC or MDB_NOMETASYNC: a commit is durable when it returns.
 *
 * The map starts at an initial size and grows (doubling, up to a maximum)
 * when a write transaction hits MDB_MAP_FULL: the write is aborted, the
 * map resized while no transaction of this process is open, and the write
 * run again. A pthread rwlock makes that safe: every transaction (read or
 * write) holds it shared; a resize takes it exclusively.
 *
 * Functions return 0 or a negative BN_E* code. LMDB errors map to
 * BN_ENOTFOUND (MDB_NOTFOUND), BN_EFULL (map full at its maximum size) or
 * BN_ESTORE (anything else, logged with LMDB's message).
 */
#ifndef BND_STORE_H
#define BND_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "bn_proto.h"
#include "bnd_layout.h"

#define BND_MAP_INITIAL_DEFAULT ((size_t)64 << 20) /* 64 MiB */
#define BND_MAP_MAX_DEFAULT ((size_t)16 << 30)     /* 16 GiB */

typedef struct bnd_store_opts {
    size_t map_initial; /* 0: BND_MAP_INITIAL_DEFAULT */
    size_t map_max;     /* 0: BND_MAP_MAX_DEFAULT */
    int create;         /* create the databases (init); else they must exist */
    int upgrade;        /* also open a store of schema BND_SCHEMA_UPGRADE_FROM
                           (bnd_upgrade only: nothing else reads it) */
} bnd_store_opts;

typedef struct bnd_store bnd_store;

/*
 * bnd_store_open opens (or with opts->create, creates) the environment in
 * dir. *out is freed with bnd_store_close. A directory that holds no
 * binome environment gives -ENOENT (without create).
 */
int bnd_store_open(bnd_store **out, const char *dir,
                   const bnd_store_opts *opts);

/* bnd_store_close closes the environment; accepts NULL. No transaction
 * may be open. */
void bnd_store_close(bnd_store *st);

MDB_dbi bnd_store_dbi(const bnd_store *st, enum bnd_db db);
const char *bnd_store_db_name(enum bnd_db db);

/* The current map size and how often this process grew it. */
size_t bnd_store_map_size(bnd_store *st);
unsigned bnd_store_grow_count(bnd_store *st);

/*
 * bnd_store_read_begin opens a read transaction and holds the resize lock
 * shared until bnd_store_read_end (which ends the transaction: it is
 * reset and kept for the next bnd_store_read_begin, so close its cursors
 * first). Keep read transactions short: a resize waits for them.
 */
int bnd_store_read_begin(bnd_store *st, MDB_txn **txn);
void bnd_store_read_end(bnd_store *st, MDB_txn *txn);

/*
 * bnd_write_fn applies a write inside txn and returns 0 to commit or a
 * negative code to abort. It may run more than once (after a map growth),
 * so it must start from what txn holds and reset its own outputs.
 */
typedef int (*bnd_write_fn)(MDB_txn *txn, void *arg);

/*
 * bnd_store_write runs fn in a write transaction and commits. On
 * BN_EFULL from fn or from the commit it grows the map and runs fn again;
 * when the map is already at its maximum it returns BN_EFULL. A full
 * file system at the commit (ENOSPC, EDQUOT) is BN_EFULL at once, logged
 * as store.disk_full; nothing of the transaction is kept. Returns fn's
 * code, or the commit's.
 */
int bnd_store_write(bnd_store *st, bnd_write_fn fn, void *arg);

/* bnd_mdb_err maps an LMDB return code to a BN_E* code (0 stays 0). */
int bnd_mdb_err(int mdb_rc);

/* ---- records ---------------------------------------------------------- */

/*
 * bnd_rec_get reads key from db and decodes it into rec (a structure of
 * description d); strings and binaries are copied into *arena (free with
 * bn_arena_free), so rec outlives the transaction. BN_ENOTFOUND when the
 * key is absent; BN_ECORRUPT when the stored bytes do not decode.
 */
int bnd_rec_get(MDB_txn *txn, MDB_dbi db, const void *key, size_t klen,
                const bn_struct_desc *d, void *rec, void **arena);

/* bnd_rec_decode decodes a value already read (e.g. from a cursor). */
int bnd_rec_decode(const MDB_val *val, const bn_struct_desc *d, void *rec,
                   void **arena);

/* bnd_rec_put encodes rec and stores it under key (flags as mdb_put). */
int bnd_rec_put(MDB_txn *txn, MDB_dbi db, const void *key, size_t klen,
                const bn_struct_desc *d, const void *rec, unsigned flags);

/* bnd_raw_put stores raw bytes (indexes, counters). */
int bnd_raw_put(MDB_txn *txn, MDB_dbi db, const void *key, size_t klen,
                const void *val, size_t vlen, unsigned flags);

/* bnd_exists returns 1 when key is in db, 0 when not, or a negative code. */
int bnd_exists(MDB_txn *txn, MDB_dbi db, const void *key, size_t klen);

/*
 * bnd_counter_next increments the counter "next.<kind>" in meta and
 * writes the new value (1 for the first) to *id.
 */
int bnd_counter_next(bnd_store *st, MDB_txn *txn, const char *kind,
                     uint64_t *id);

/* bnd_counter_get reads a counter's current value (0 if never used). */
int bnd_counter_get(bnd_store *st, MDB_txn *txn, const char *kind,
                    uint64_t *value);

/* ---- deletion ----------------------------------------------------------- */

/*
 * bnd_shred zeroes the value of key in place (same size) so that no copy
 * of it stays in the free space of a live page after a delete or a
 * smaller rewrite. 0, BN_ENOTFOUND, or a store error.
 */
int bnd_shred(MDB_txn *txn, MDB_dbi db, const void *key, size_t klen);

/*
 * bnd_del_prefix deletes the entries of db whose key begins with prefix,
 * zeroing each value first when shred is 1 (see bnd_shred). With budget
 * > 0 it stops after that many and returns 1 (more remain); else 0.
 * *deleted (may be NULL) counts what went.
 */
int bnd_del_prefix(MDB_txn *txn, MDB_dbi db, const void *prefix, size_t plen,
                   int shred, uint64_t budget, uint64_t *deleted);

/*
 * Pages a transaction frees keep their bytes on disk until LMDB reuses
 * them. bnd_store_scrub (writer thread, no transaction of this thread
 * open) overwrites every page on the free list with zeros: it fills them
 * through the scrub database, then empties it, twice (a page freed by the
 * last commit is reusable only two transactions later). A reader that
 * holds an old snapshot (a running backup) keeps its pages from being
 * reused; they are scrubbed by a later call. bnd_store_want_scrub marks
 * that a write deleted ciphertext: the writer scrubs after its commit.
 */
void bnd_store_want_scrub(bnd_store *st);
int bnd_store_scrub_wanted(const bnd_store *st);
int bnd_store_scrub(bnd_store *st);

#endif
