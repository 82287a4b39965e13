/*
 * bnd_status.c: what a data directory tells without the daemon (see
 * bnd_status.h).
 */
#include "bnd_status.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

#include "bn_err.h"
#include "bnd_audit.h"
#include "bnd_store.h"

/* free_list counts the pages on LMDB's free list (its database 0: key a
 * txn id, value an array of page numbers whose first element is the
 * count): 0 or BN_ESTORE. */
static int free_list(MDB_txn *txn, uint64_t *n)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int mrc = mdb_cursor_open(txn, 0, &c);

    *n = 0;
    if (mrc != 0)
        return bnd_mdb_err(mrc);
    while ((mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
        size_t cnt;
        if (v.mv_size < sizeof cnt)
            continue;
        memcpy(&cnt, v.mv_data, sizeof cnt);
        *n += cnt;
    }
    mdb_cursor_close(c);
    return mrc == MDB_NOTFOUND ? 0 : bnd_mdb_err(mrc);
}

int bnd_status_read(const char *dir, bnd_status *s)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_envinfo info;
    MDB_stat st;
    bnd_audit_dbs dbs;
    char path[PATH_MAX];
    struct stat sb;
    int rc, n;

    memset(s, 0, sizeof *s);
    n = snprintf(path, sizeof path, "%s/data.mdb", dir);
    if (n < 0 || (size_t)n >= sizeof path)
        return BN_ETOOLONG;
    if (stat(path, &sb) != 0)
        return -errno;
    s->file_bytes = (uint64_t)sb.st_size;
    s->alloc_bytes = (uint64_t)sb.st_blocks * 512u;

    rc = bnd_audit_env_open(&env, dir);
    if (rc == 0)
        rc = bnd_audit_txn_begin(env, &txn);
    if (rc == 0)
        rc = bnd_audit_dbs_open(txn, &dbs);
    if (rc != 0)
        goto cleanup;
    /* The map as this transaction sees it (after a resize by the daemon,
     * bnd_audit_txn_begin adopted the new size). */
    rc = bnd_mdb_err(mdb_env_info(env, &info));
    if (rc == 0)
        rc = bnd_mdb_err(mdb_env_stat(env, &st));
    if (rc != 0)
        goto cleanup;
    s->map_bytes = info.me_mapsize;
    s->page_bytes = st.ms_psize;
    s->pages_used = (uint64_t)info.me_last_pgno + 1;
    s->last_txn = info.me_last_txnid;
    s->readers = info.me_numreaders;
    s->max_readers = info.me_maxreaders;
    rc = free_list(txn, &s->free_pages);
    if (rc != 0)
        goto cleanup;
    if (bnd_schema_read(txn, &s->schema) != 0)
        s->schema = 0;
    for (int i = 0; i < BND_DB_COUNT; i++) {
        bnd_status_db *d = &s->db[i];
        if (!dbs.open[i])
            continue;
        rc = bnd_mdb_err(mdb_stat(txn, dbs.dbi[i], &st));
        if (rc != 0)
            goto cleanup;
        d->present = 1;
        d->depth = st.ms_depth;
        d->records = st.ms_entries;
        d->branch = st.ms_branch_pages;
        d->leaf = st.ms_leaf_pages;
        d->overflow = st.ms_overflow_pages;
    }

cleanup:
    if (txn != NULL)
        mdb_txn_abort(txn);
    mdb_env_close(env);
    return rc;
}

/* human writes bytes as KiB, MiB or GiB, one decimal, into buf[16]. */
static const char *human(char buf[16], uint64_t bytes)
{
    double b = (double)bytes;
    if (b < 1048576.0)
        snprintf(buf, 16, "%.1f KiB", b / 1024.0);
    else if (b < 1073741824.0)
        snprintf(buf, 16, "%.1f MiB", b / 1048576.0);
    else
        snprintf(buf, 16, "%.2f GiB", b / 1073741824.0);
    return buf;
}

static double pct(uint64_t part, uint64_t whole)
{
    return whole == 0 ? 0.0 : 100.0 * (double)part / (double)whole;
}

int bnd_status_write_text(FILE *f, const char *dir, const bnd_status *s)
{
    uint64_t used = s->pages_used * s->page_bytes;
    uint64_t records = 0, pages = 0;
    char a[16], b[16];

    fprintf(f, "data directory  %s\n", dir);
    if (s->schema != 0)
        fprintf(f, "schema          %u\n", (unsigned)s->schema);
    else
        fprintf(f, "schema          unknown (no schema record)\n");
    fprintf(f, "data.mdb        %s (%s allocated on disk)\n",
            human(a, s->file_bytes), human(b, s->alloc_bytes));
    fprintf(f,
            "map             %s, %s used (%.1f %%): %llu pages of %u bytes\n",
            human(a, s->map_bytes), human(b, used), pct(used, s->map_bytes),
            (unsigned long long)s->pages_used, (unsigned)s->page_bytes);
    fprintf(f,
            "free pages      %llu (%s, %.1f %% of the used pages), reused "
            "before the file grows\n",
            (unsigned long long)s->free_pages,
            human(a, s->free_pages * s->page_bytes),
            pct(s->free_pages, s->pages_used));
    fprintf(f, "last commit     transaction %llu\n",
            (unsigned long long)s->last_txn);
    fprintf(f, "readers         %u of %u slots (this command's included)\n\n",
            (unsigned)s->readers, (unsigned)s->max_readers);

    fprintf(f, "%-16s %12s %6s %10s %10s %10s %12s\n", "database", "records",
            "depth", "branch", "leaf", "overflow", "KiB");
    for (int i = 0; i < BND_DB_COUNT; i++) {
        const bnd_status_db *d = &s->db[i];
        uint64_t p = d->branch + d->leaf + d->overflow;
        const char *name = bnd_store_db_name((enum bnd_db)i);
        if (!d->present) {
            fprintf(f, "%-16s %12s\n", name, "absent");
            continue;
        }
        fprintf(f, "%-16s %12llu %6u %10llu %10llu %10llu %12llu\n", name,
                (unsigned long long)d->records, (unsigned)d->depth,
                (unsigned long long)d->branch, (unsigned long long)d->leaf,
                (unsigned long long)d->overflow,
                (unsigned long long)(p * s->page_bytes / 1024));
        records += d->records;
        pages += p;
    }
    fprintf(f, "%-16s %12llu %6s %10s %10s %10s %12llu\n", "all",
            (unsigned long long)records, "", "", "", "",
            (unsigned long long)(pages * s->page_bytes / 1024));
    return ferror(f) ? BN_EIO : 0;
}

int bnd_status_write_json(FILE *f, const bnd_status *s)
{
    fprintf(f,
            "{\"schema\":%u,\"file_bytes\":%llu,\"alloc_bytes\":%llu,"
            "\"map_bytes\":%llu,\"page_bytes\":%u,\"pages_used\":%llu,"
            "\"free_pages\":%llu,\"last_txn\":%llu,\"readers\":%u,"
            "\"max_readers\":%u,\"databases\":{",
            (unsigned)s->schema, (unsigned long long)s->file_bytes,
            (unsigned long long)s->alloc_bytes,
            (unsigned long long)s->map_bytes, (unsigned)s->page_bytes,
            (unsigned long long)s->pages_used,
            (unsigned long long)s->free_pages, (unsigned long long)s->last_txn,
            (unsigned)s->readers, (unsigned)s->max_readers);
    for (int i = 0, first = 1; i < BND_DB_COUNT; i++) {
        const bnd_status_db *d = &s->db[i];
        if (!d->present)
            continue;
        fprintf(f,
                "%s\"%s\":{\"records\":%llu,\"depth\":%u,\"branch\":%llu,"
                "\"leaf\":%llu,\"overflow\":%llu}",
                first ? "" : ",", bnd_store_db_name((enum bnd_db)i),
                (unsigned long long)d->records, (unsigned)d->depth,
                (unsigned long long)d->branch, (unsigned long long)d->leaf,
                (unsigned long long)d->overflow);
        first = 0;
    }
    fprintf(f, "}}\n");
    return ferror(f) ? BN_EIO : 0;
}
