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
#include "bnd_schema.h"

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

/* bnd_store_dbi gives db's handle, for what walks or measures a whole
 * database (the audit, mdb_stat); records and keys go through bnd_rec_*
 * and the functions below, which take it from the key. */
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
 * A record is read and written under a bnd_key (bnd_layout.h), which
 * carries its database: no call names the database beside the key, so
 * the two cannot disagree. The record's description comes from the type
 * of the pointer (BND_REC_DESC: a pointer to anything but a record of
 * BND_RECS does not compile), and the store refuses, with BN_EINVAL
 * logged as store.mismatch, a record that is not the one its key's
 * database holds (BND_DBS' record column).
 */

/* BND_REC_DESC(p) is the description of the record type p points to. */
#define BND__REC_DESC_OF(name)                                                 \
    bn_##name * : &bn_desc_##name, const bn_##name * : &bn_desc_##name,
#define BND_REC_DESC(p)                                                        \
    _Generic((p), BND_RECS(BND__REC_DESC_OF) struct bnd__no_record * : NULL)

/*
 * bnd_rec_get(st, txn, k, rec, arena) reads key k from its database and
 * decodes it into *rec; strings and binaries are copied into *arena (free
 * with bn_arena_free), so rec outlives the transaction. BN_ENOTFOUND when
 * the key is absent; BN_ECORRUPT when the stored bytes do not decode.
 */
#define bnd_rec_get(st, txn, k, rec, arena)                                    \
    bnd__rec_get((st), (txn), (k), BND_REC_DESC(rec), (rec), (arena))
int bnd__rec_get(const bnd_store *st, MDB_txn *txn, bnd_key k,
                 const bn_struct_desc *d, void *rec, void **arena);

/* bnd_rec_put(st, txn, k, rec, flags) encodes *rec and stores it under k
 * in k's database (flags as mdb_put: BN_EEXIST for MDB_NOOVERWRITE). */
#define bnd_rec_put(st, txn, k, rec, flags)                                    \
    bnd__rec_put((st), (txn), (k), BND_REC_DESC(rec), (rec), (flags))
int bnd__rec_put(const bnd_store *st, MDB_txn *txn, bnd_key k,
                 const bn_struct_desc *d, const void *rec, unsigned flags);

/* bnd_rec_decode decodes a value already read (e.g. from a cursor). */
int bnd_rec_decode(const MDB_val *val, const bn_struct_desc *d, void *rec,
                   void **arena);

/* bnd_raw_put stores raw bytes under k (indexes, counters). */
int bnd_raw_put(const bnd_store *st, MDB_txn *txn, bnd_key k, const void *val,
                size_t vlen, unsigned flags);

/* bnd_raw_get points *val at the bytes stored under k (LMDB's memory:
 * valid until the next write of txn or its end). 0 or BN_ENOTFOUND. */
int bnd_raw_get(const bnd_store *st, MDB_txn *txn, bnd_key k, MDB_val *val);

/* bnd_rec_del deletes k from its database: 0 or BN_ENOTFOUND. */
int bnd_rec_del(const bnd_store *st, MDB_txn *txn, bnd_key k);

/* bnd_exists returns 1 when k is in its database, 0 when not, or a
 * negative code. */
int bnd_exists(const bnd_store *st, MDB_txn *txn, bnd_key k);

/* bnd_cursor_open opens a cursor on db (close it with mdb_cursor_close
 * before the transaction ends). A walk that starts at a key opens it on
 * that key's database: bnd_cursor_open(st, txn, start.db, &cur). */
int bnd_cursor_open(const bnd_store *st, MDB_txn *txn, enum bnd_db db,
                    MDB_cursor **cur);

/* bnd_schema_read reads the schema version of the environment txn
 * belongs to, from its meta database opened by name (an environment
 * opened without bnd_store: a backup, a directory to upgrade or audit):
 * 0, or BN_ECORRUPT when there is no meta database or no schema record. */
int bnd_schema_read(MDB_txn *txn, uint32_t *version);

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
 * bnd_shred zeroes the value of k in place (same size) so that no copy
 * of it stays in the free space of a live page after a delete or a
 * smaller rewrite. 0, BN_ENOTFOUND, or a store error.
 */
int bnd_shred(const bnd_store *st, MDB_txn *txn, bnd_key k);

/*
 * bnd_del_prefix deletes the entries of prefix's database whose key begins
 * with prefix (bnd_key_prefix),
 * zeroing each value first when shred is 1 (see bnd_shred). With budget
 * > 0 it stops after that many and returns 1 (more remain); else 0.
 * *deleted (may be NULL) counts what went.
 */
int bnd_del_prefix(const bnd_store *st, MDB_txn *txn, bnd_key prefix, int shred,
                   uint64_t budget, uint64_t *deleted);

/*
 * Pages a transaction frees keep their bytes on disk until LMDB reuses
 * them. bnd_store_scrub (writer thread, no transaction of this thread
 * open) overwrites every page on the free list with zeros: it fills them
 * through the scrub database, then empties it, twice (a page freed by the
 * last commit is reusable only two transactions later). A reader that
 * holds an old snapshot (a running backup) keeps its pages from being
 * reused; they are scrubbed by a later call. It ends by zeroing the
 * unused space of every live branch and leaf page (issue 15: LMDB builds
 * pages in recycled buffers it does not zero, so that space can hold
 * bytes of any page written before). bnd_store_want_scrub marks that a
 * write deleted ciphertext: the writer scrubs after its commit.
 */
void bnd_store_want_scrub(bnd_store *st);
int bnd_store_scrub_wanted(const bnd_store *st);
int bnd_store_scrub(bnd_store *st);

#endif
