/*
 * bnd_status.h: `binomed status --data DIR`, what an operator can read
 * from a data directory without the daemon: LMDB's map and its use, the
 * free pages, and the records of each database (mdb_env_info,
 * mdb_env_stat, mdb_stat). Read-only and safe beside a running daemon
 * (the environment is opened as bnd_audit_env_open does: one reader slot
 * in lock.mdb, one read transaction).
 *
 * Nothing here names a pair, an account or anything a member wrote: the
 * figures are counts and sizes per database. The daemon's own counters
 * (connections, requests, latencies) are not in the data directory and
 * not here.
 */
#ifndef BND_STATUS_H
#define BND_STATUS_H

#include <stdint.h>
#include <stdio.h>

#include "bnd_layout.h"

typedef struct bnd_status_db {
    uint8_t present;  /* 0: the database does not exist (yet) */
    uint32_t depth;   /* of its B+tree */
    uint64_t records; /* ms_entries */
    uint64_t branch;  /* pages of each kind */
    uint64_t leaf;
    uint64_t overflow;
} bnd_status_db;

typedef struct bnd_status {
    uint32_t schema;      /* the stored schema version (0: none read) */
    uint64_t file_bytes;  /* data.mdb's size */
    uint64_t alloc_bytes; /* data.mdb's allocated blocks */
    uint64_t map_bytes;   /* the map size (mdb_env_info) */
    uint32_t page_bytes;  /* LMDB's page size */
    uint64_t pages_used;  /* last page number + 1 */
    uint64_t free_pages;  /* on LMDB's free list, reusable */
    uint64_t last_txn;    /* id of the last committed transaction */
    uint32_t readers;     /* reader slots in use, this command's included */
    uint32_t max_readers;
    bnd_status_db db[BND_DB_COUNT];
} bnd_status;

/*
 * bnd_status_read fills *s from data directory dir: 0; -ENOENT when dir
 * is not an initialised data directory; -errno (e.g. -EACCES when
 * lock.mdb is not writable by the caller); BN_ESTORE.
 */
int bnd_status_read(const char *dir, bnd_status *s);

/*
 * bnd_status_write_text prints *s for people (dir names it), a table of
 * the databases last: 0 or BN_EIO.
 */
int bnd_status_write_text(FILE *f, const char *dir, const bnd_status *s);

/*
 * bnd_status_write_json prints *s as one JSON object on one line: 0 or
 * BN_EIO.
 */
int bnd_status_write_json(FILE *f, const bnd_status *s);

#endif
