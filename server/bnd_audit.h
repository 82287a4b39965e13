/*
 * bnd_audit.h: the walk over binomed's storage behind both audits, the
 * live AUDIT_GET (bnd_h_audit.c, in the daemon's read transaction) and
 * the offline `binomed audit --data DIR` (its own read-only environment,
 * beside a running daemon). One table in bnd_audit.c says, for every
 * database of BND_DBS, the width of its keys, the record description its
 * values decode with (bnd_schema.h) and which fields hold ciphertext; the
 * walk reads every record of every database and hands each ciphertext to
 * bnd_audit_core.
 *
 * Besides the checks of bnd_audit_core.h, the walk adds "schema"
 * findings: a value that does not decode strictly with its database's
 * description, a key of the wrong width, a database that binome does not
 * know, a listed database the table does not describe (and that holds
 * records), a meta entry that is neither the schema version nor a
 * counter. Every finding names the database and the key in hex; its
 * detail spells the key's parts ("pair_id=1 note_id=... revision=2").
 *
 * Functions return 0 or a negative BN_E* code (or -errno); findings are
 * not errors.
 */
#ifndef BND_AUDIT_H
#define BND_AUDIT_H

#include <stdio.h>

#include <lmdb.h>

#include "bnd_audit_core.h"
#include "bnd_store.h"

/* The finding code for records that break the storage schema. */
#define BND_AUDIT_SCHEMA "schema"

/* The named databases a walk reads: open[i] is 0 when db i is absent. */
typedef struct bnd_audit_dbs {
    MDB_dbi dbi[BND_DB_COUNT];
    uint8_t open[BND_DB_COUNT];
} bnd_audit_dbs;

/* bnd_audit_dbs_of_store takes the handles the daemon has open. */
void bnd_audit_dbs_of_store(bnd_audit_dbs *dbs, const bnd_store *st);

/*
 * bnd_audit_dbs_open opens every database of BND_DBS in txn without
 * creating any (a missing one is left closed): 0 or BN_ESTORE.
 */
int bnd_audit_dbs_open(MDB_txn *txn, bnd_audit_dbs *dbs);

/*
 * bnd_audit_store adds the schema (every db.field, clear or ciphertext)
 * to r, then walks every record of every database in txn (a read
 * transaction) and fills r with what it finds. It reads the whole store:
 * on a big one it takes a while, and the caller's transaction pins its
 * snapshot meanwhile. 0, BN_ENOMEM, or BN_ESTORE.
 */
int bnd_audit_store(MDB_txn *txn, const bnd_audit_dbs *dbs,
                    bnd_audit_report *r);

/*
 * bnd_audit_store_search is bnd_audit_store that also looks for n
 * canaries in every ciphertext field it walks (bnd_audit_search: found[i]
 * says whether canary i is in one; nothing says which). The live audit's
 * search. 0, BN_EINVAL (a bad canary), BN_ENOMEM, or BN_ESTORE.
 */
int bnd_audit_store_search(MDB_txn *txn, const bnd_audit_dbs *dbs,
                           const bnd_audit_canary *c, size_t n, uint8_t *found,
                           bnd_audit_report *r);

/*
 * bnd_audit_env_open opens the environment of data directory dir
 * read-only (MDB_RDONLY, with the lock file, so that it is safe beside a
 * daemon writing to it: LMDB registers this process as a reader in
 * lock.mdb, which therefore must be writable by the caller). *env is
 * closed with mdb_env_close. -ENOENT when dir holds no data.mdb, -EACCES,
 * BN_ESTORE.
 */
int bnd_audit_env_open(MDB_env **env, const char *dir);

/*
 * bnd_audit_txn_begin begins a read transaction on env, adopting a map
 * that the daemon grew meanwhile (MDB_MAP_RESIZED). 0 or BN_ESTORE.
 */
int bnd_audit_txn_begin(MDB_env *env, MDB_txn **txn);

/*
 * bnd_audit_offline runs the whole audit on data directory dir, as the
 * auditor's `binomed audit --data DIR` does: bnd_audit_store in a read
 * transaction of a read-only environment, then the canary scan of every
 * file under dir (n canaries; 0 still counts the files). r must have been
 * initialised (bnd_audit_report_init).
 */
int bnd_audit_offline(const char *dir, const bnd_audit_canary *c, size_t n,
                      bnd_audit_report *r);

/* ---- the table (bnd_audit_schema.c) ---------------------------------------
 */

#define BND_AUDIT_F_CHUNK 1u /* ENV fields are secretstream chunks */
#define BND_AUDIT_F_INDEX 2u /* values are empty: the key is the record */
#define BND_AUDIT_F_META 4u  /* "schema" -> rec_meta, "next.<kind>" -> u64 */
#define BND_AUDIT_F_SCRUB 8u /* transient pages of zeros (bnd_store_scrub) */
#define BND_AUDIT_F_ERASED_EMPTY                                               \
    16u /* an empty ENV is fine once the pair                                  \
           is erased */

/* What the audit checks in one database, beyond its layout (key parts,
 * widths and record description: bnd_db_layout_of). Static data: never
 * freed. */
typedef struct bnd_audit_db {
    enum bnd_db db;
    const char *wrap;    /* the BINF field holding a wrapped key, or NULL */
    unsigned flags;      /* BND_AUDIT_F_* */
    const char *why_key; /* why the server keys records this way */
} bnd_audit_db;

/* bnd_audit_db_at returns the table's i-th line, NULL past the end;
 * bnd_audit_db_of the line of db, NULL when the table lacks it. */
const bnd_audit_db *bnd_audit_db_at(size_t i);
const bnd_audit_db *bnd_audit_db_of(enum bnd_db db);

/* bnd_audit_schema_add adds one line per stored field to r: keys as
 * "(key) a, b", then each record field (dotted inside lists), "clear" or
 * "ciphertext"; a listed database the table lacks is "unknown". */
int bnd_audit_schema_add(bnd_audit_report *r);

/*
 * bnd_audit_schema_write_md prints the table of every field the server
 * stores as Markdown: database, field (keys as "(key) a, b"), clear or
 * ciphertext, and why the server needs it. 0 or BN_EIO.
 */
int bnd_audit_schema_write_md(FILE *f);

/*
 * bnd_audit_schema_why returns why the server stores db.field ("(key)"
 * for keys), or NULL when the table has no reason for it (a test checks
 * that every stored field has one).
 */
const char *bnd_audit_schema_why(const char *db, const char *field);

#endif
