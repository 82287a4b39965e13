/*
 * bnd_audit.c: the walk over every record of every database, shared by
 * the live and the offline audits (see bnd_audit.h), following the table
 * of bnd_audit_schema.c; and the read-only environment of the offline
 * audit and the backup.
 */
#include "bnd_audit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bnd_schema.h"

/* ---- the walk ---------------------------------------------------------------
 */

typedef struct walk {
    MDB_txn *txn;
    const bnd_audit_dbs *dbs;
    bnd_audit_report *r;
    bnd_audit *a;
    void *rec;     /* room for any record of the table */
    void *arena;   /* the current record's allocations */
    uint64_t pair; /* the last pair looked up for BND_AUDIT_F_ERASED_EMPTY */
    int pair_erased;
    char hex[BND_AUDIT_RECORD_MAX + 1]; /* the current key */
} walk;

/* key_hex writes the key in hex, cut with "..." when it does not fit. */
static void key_hex(char *out, size_t size, const MDB_val *k)
{
    size_t n = k->mv_size, room = (size - 1) / 2;
    if (n > room)
        n = room - 2;
    bn_hex_encode(out, k->mv_data, n);
    if (n < k->mv_size)
        strcpy(out + 2 * n, "...");
}

/* layout is t's database as bnd_layout.h describes it. */
static const bnd_db_layout *layout(const bnd_audit_db *t)
{
    return bnd_db_layout_of(t->db);
}

/* key_parts spells the key's parts ("pair_id=1 note_id=2"), or "". */
static void key_parts(char *out, size_t size, const bnd_audit_db *t,
                      const MDB_val *k)
{
    const bnd_db_layout *l = layout(t);
    size_t o = 0;
    uint64_t v;

    out[0] = '\0';
    /* a hash or a string part ends it: the hex says it */
    for (unsigned i = 0;
         i < l->nparts && o < size && bnd_key_part_int(l, k, i, &v) == 0; i++)
        /* small ids (pairs, sessions) in decimal, as the CLI shows them;
         * random ones (notes, documents) in hex */
        o += (size_t)snprintf(out + o, size - o,
                              v < 1000000000u ? "%s%s=%" PRIu64
                                              : "%s%s=%016" PRIx64,
                              i ? " " : "", l->parts[i].name, v);
}

static int key_width_ok(const bnd_audit_db *t, const MDB_val *k)
{
    const bnd_db_layout *l = layout(t);
    return l->width == 0 || k->mv_size == l->width;
}

/* finding adds a finding on the current record with the key's parts
 * appended to the detail. */
static int finding(walk *w, const bnd_audit_db *t, const MDB_val *k,
                   const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int finding(walk *w, const bnd_audit_db *t, const MDB_val *k,
                   const char *code, const char *fmt, ...)
{
    char detail[BND_AUDIT_DETAIL_MAX + 1], parts[96];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    parts[0] = '\0';
    if (key_width_ok(t, k))
        key_parts(parts, sizeof parts, t, k);
    return bnd_audit_add_finding(w->r, code, bnd_store_db_name(t->db), w->hex,
                                 "%s%s%s%s", detail, parts[0] ? " (" : "",
                                 parts, parts[0] ? ")" : "");
}

/* annotate appends the key's parts to the findings that bnd_audit_core
 * added from index n0 on (its details do not know the key's layout). */
static void annotate(walk *w, const bnd_audit_db *t, const MDB_val *k,
                     size_t n0)
{
    char parts[96];

    if (w->r->nfindings <= n0 || !key_width_ok(t, k))
        return;
    key_parts(parts, sizeof parts, t, k);
    if (parts[0] == '\0')
        return;
    for (size_t i = n0; i < w->r->nfindings; i++) {
        char *d = w->r->findings[i].detail;
        size_t len = strlen(d), room = sizeof w->r->findings[i].detail - len;
        if (strlen(parts) + 3 < room)
            snprintf(d + len, room, " (%s)", parts);
    }
}

/* pair_erased says whether the pair of a key of t's database (its part
 * pair_id) is erased: 1, 0, or a negative code. */
static int pair_erased(walk *w, const bnd_audit_db *t, const MDB_val *k)
{
    const bnd_db_layout *l = layout(t);
    uint64_t id = 0;
    bn_rec_pair p;
    void *arena = NULL;
    unsigned i;

    for (i = 0; i < l->nparts && strcmp(l->parts[i].name, "pair_id") != 0; i++)
        ;
    if (bnd_key_part_int(l, k, i, &id) != 0)
        return 0;
    /* the environment may be one the daemon has not opened (an offline
     * audit): its handles are w->dbs's, found from the key */
    bnd_key key = bnd_key_pairs(id);
    MDB_val kv = bnd_key_val(&key), v;
    if (!w->dbs->open[key.db])
        return 0;
    if (id == w->pair && w->pair != 0)
        return w->pair_erased;
    int rc = mdb_get(w->txn, w->dbs->dbi[key.db], &kv, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return bnd_mdb_err(rc);
    rc = bnd_rec_decode(&v, &bn_desc_rec_pair, &p, &arena);
    bn_arena_free(&arena);
    if (rc == BN_ECORRUPT)
        return 0;
    if (rc != 0)
        return rc;
    w->pair = id;
    w->pair_erased = p.status == BN_PAIR_ERASED;
    return w->pair_erased;
}

/* check_meta: "schema" decodes to the version this binomed reads;
 * "stats" (the statistics' counting version) decodes as rec_meta;
 * "next.<kind>" holds a big-endian u64. */
static int check_meta(walk *w, const bnd_audit_db *t, const MDB_val *k,
                      const MDB_val *v)
{
    const char *key = k->mv_data;
    bn_rec_meta m;

    size_t cl = strlen(BND_META_COUNTER);

    if (k->mv_size == strlen(BND_META_SCHEMA) &&
        memcmp(key, BND_META_SCHEMA, k->mv_size) == 0) {
        int rc = bn_struct_decode(&bn_desc_rec_meta, &m, v->mv_data, v->mv_size,
                                  &w->arena);
        if (rc != 0)
            return finding(w, t, k, BND_AUDIT_SCHEMA,
                           "\"schema\" does not decode as rec_meta: %s",
                           bn_err_name(rc));
        if (m.version != BND_SCHEMA_VERSION)
            return finding(w, t, k, BND_AUDIT_SCHEMA,
                           "schema version %" PRIu32 "; this binomed reads %d",
                           m.version, BND_SCHEMA_VERSION);
        return 0;
    }
    if (k->mv_size == strlen(BND_META_STATS) &&
        memcmp(key, BND_META_STATS, k->mv_size) == 0) {
        int rc = bn_struct_decode(&bn_desc_rec_meta, &m, v->mv_data, v->mv_size,
                                  &w->arena);
        if (rc != 0)
            return finding(w, t, k, BND_AUDIT_SCHEMA,
                           "\"stats\" does not decode as rec_meta: %s",
                           bn_err_name(rc));
        return 0;
    }
    if (k->mv_size > cl && k->mv_size <= cl + 32 &&
        memcmp(key, BND_META_COUNTER, cl) == 0) {
        for (size_t i = cl; i < k->mv_size; i++)
            if (!(key[i] >= 'a' && key[i] <= 'z') && key[i] != '_')
                return finding(w, t, k, BND_AUDIT_SCHEMA,
                               "a counter name that binome does not make");
        if (v->mv_size != 8)
            return finding(w, t, k, BND_AUDIT_SCHEMA,
                           "a counter of %zu bytes (8 expected)", v->mv_size);
        return 0;
    }
    return finding(w, t, k, BND_AUDIT_SCHEMA,
                   "a meta entry that is neither \"schema\", \"stats\" nor "
                   "a counter");
}

/* has_env says whether d holds an ENV field, at any depth. */
static int has_env(const bn_struct_desc *d, int depth)
{
    for (size_t i = 0; i < d->nfields && depth <= BN_MSG_MAX_DEPTH; i++) {
        const bn_field_desc *fd = &d->fields[i];
        if (fd->kind == BN_FK_ENV ||
            ((fd->kind == BN_FK_OBJ || fd->kind == BN_FK_LIST) &&
             fd->elem != NULL && has_env(fd->elem, depth + 1)))
            return 1;
    }
    return 0;
}

/* check_env feeds one ENV field (an envelope, or a chunk). */
static int check_env(walk *w, const bnd_audit_db *t, const MDB_val *k,
                     const char *rec, const bn_bin *b)
{
    static const uint8_t none[1];
    const char *db = bnd_store_db_name(t->db);
    const uint8_t *p = b->ptr ? b->ptr : none;
    size_t n0 = w->r->nfindings;
    int rc;

    if (b->len == 0 && (t->flags & BND_AUDIT_F_ERASED_EMPTY)) {
        int rc = pair_erased(w, t, k);
        if (rc != 0)
            return rc < 0 ? rc : 0; /* an erased pair's objective: no text */
    }
    if (t->flags & BND_AUDIT_F_CHUNK)
        rc = bnd_audit_chunk(w->a, db, rec, p, b->len);
    else
        rc = bnd_audit_envelope(w->a, db, rec, p, b->len);
    annotate(w, t, k, n0);
    return rc;
}

/*
 * check_struct feeds the ciphertext of a decoded structure of d at base:
 * its ENV fields, the table's wrap field, and ENV fields inside OBJ and
 * LIST fields. Each is named by the key in hex, with "#field" when the
 * record holds more than one ("#key_env", "#items[2].text").
 */
static int check_struct(walk *w, const bnd_audit_db *t, const MDB_val *k,
                        const bn_struct_desc *d, const char *base,
                        const char *prefix, int depth)
{
    char rec[BND_AUDIT_RECORD_MAX + BND_AUDIT_FIELD_MAX + 2];
    char name[BND_AUDIT_FIELD_MAX + 1];
    size_t nenv = 0;
    int rc = 0;

    if (depth > BN_MSG_MAX_DEPTH)
        return BN_EDEPTH;
    for (size_t i = 0; i < d->nfields; i++)
        nenv += d->fields[i].kind == BN_FK_ENV;
    for (size_t i = 0; i < d->nfields && rc == 0; i++) {
        const bn_field_desc *fd = &d->fields[i];
        const char *at = base + fd->offset;
        snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "." : "",
                 fd->name);
        if (depth == 0 && nenv == 1 && fd->kind == BN_FK_ENV)
            snprintf(rec, sizeof rec, "%s", w->hex);
        else
            snprintf(rec, sizeof rec, "%s#%s", w->hex, name);
        if (fd->kind == BN_FK_ENV) {
            rc = check_env(w, t, k, rec, (const bn_bin *)(const void *)at);
        } else if (fd->kind == BN_FK_BINF && depth == 0 && t->wrap != NULL &&
                   strcmp(fd->name, t->wrap) == 0) {
            size_t n0 = w->r->nfindings;
            rc = bnd_audit_wrap(w->a, bnd_store_db_name(t->db), rec,
                                (const uint8_t *)at, fd->a);
            annotate(w, t, k, n0);
        } else if (fd->kind == BN_FK_OBJ && has_env(fd->elem, depth + 1)) {
            rc = check_struct(w, t, k, fd->elem, at, name, depth + 1);
        } else if (fd->kind == BN_FK_LIST && has_env(fd->elem, depth + 1)) {
            /* Every LIST is { struct bn_x *v; uint32_t len; } */
            const struct {
                const char *v;
                uint32_t len;
            } *l = (const void *)at;
            for (uint32_t j = 0; j < l->len && rc == 0; j++) {
                char item[BND_AUDIT_FIELD_MAX + 1];
                snprintf(item, sizeof item, "%.40s[%" PRIu32 "]", name, j);
                rc = check_struct(w, t, k, fd->elem,
                                  l->v + (size_t)j * fd->elem->size, item,
                                  depth + 1);
            }
        }
    }
    return rc;
}

/* check_record checks one entry of t's database. */
static int check_record(walk *w, const bnd_audit_db *t, const MDB_val *k,
                        const MDB_val *v)
{
    char keys[96];
    int rc;

    key_hex(w->hex, sizeof w->hex, k);
    if (!key_width_ok(t, k)) {
        bnd_db_layout_keys(layout(t), keys, sizeof keys);
        return finding(w, t, k, BND_AUDIT_SCHEMA,
                       "a key of %zu bytes; this database's keys are %s (%u "
                       "bytes)",
                       k->mv_size, keys, layout(t)->width);
    }
    if (t->flags & BND_AUDIT_F_META)
        return check_meta(w, t, k, v);
    if (t->flags & BND_AUDIT_F_INDEX)
        return v->mv_size == 0
                   ? 0
                   : finding(w, t, k, BND_AUDIT_SCHEMA,
                             "an index entry holds %zu bytes (empty expected)",
                             v->mv_size);
    if (t->flags & BND_AUDIT_F_SCRUB) {
        const uint8_t *p = v->mv_data;
        for (size_t i = 0; i < v->mv_size; i++)
            if (p[i] != 0)
                return finding(w, t, k, BND_AUDIT_SCHEMA,
                               "a scrub page holds non-zero bytes");
        return 0;
    }
    const bn_struct_desc *desc = layout(t)->desc;
    rc = bn_struct_decode(desc, w->rec, v->mv_data, v->mv_size, &w->arena);
    if (rc != 0)
        return finding(w, t, k, BND_AUDIT_SCHEMA,
                       "%zu bytes do not decode as %s: %s", v->mv_size,
                       desc->name, bn_err_name(rc));
    return check_struct(w, t, k, desc, w->rec, "", 0);
}

static int walk_db(walk *w, const bnd_audit_db *t)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc, mrc;

    mrc = mdb_cursor_open(w->txn, w->dbs->dbi[t->db], &c);
    if (mrc != 0)
        return bnd_mdb_err(mrc);
    rc = 0;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        rc = check_record(w, t, &k, &v);
        bn_arena_free(&w->arena);
    }
    mdb_cursor_close(c);
    if (rc == 0 && mrc != MDB_NOTFOUND)
        rc = bnd_mdb_err(mrc);
    return rc;
}

/* walk_unknown reports named databases binome does not list, and listed
 * ones that the table cannot check, when they hold records. */
static int walk_unknown(walk *w)
{
    MDB_dbi main_db;
    MDB_cursor *c = NULL;
    MDB_val k, v;
    MDB_stat st;
    int rc = 0, mrc;

    for (int db = 0; db < BND_DB_COUNT && rc == 0; db++) {
        if (!w->dbs->open[db] || bnd_audit_db_of((enum bnd_db)db) != NULL)
            continue;
        mrc = mdb_stat(w->txn, w->dbs->dbi[db], &st);
        if (mrc != 0)
            return bnd_mdb_err(mrc);
        if (st.ms_entries > 0)
            rc = bnd_audit_add_finding(
                w->r, BND_AUDIT_SCHEMA, bnd_store_db_name((enum bnd_db)db), "",
                "%zu records that this audit cannot check: the database has "
                "no record description in the audit's table",
                st.ms_entries);
    }
    mrc = mdb_dbi_open(w->txn, NULL, 0, &main_db);
    if (mrc == 0)
        mrc = mdb_cursor_open(w->txn, main_db, &c);
    if (mrc != 0)
        return bnd_mdb_err(mrc);
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        char name[BND_AUDIT_DB_MAX + 1];
        int known = 0;
        for (int db = 0; db < BND_DB_COUNT && !known; db++) {
            const char *n = bnd_store_db_name((enum bnd_db)db);
            known =
                strlen(n) == k.mv_size && memcmp(n, k.mv_data, k.mv_size) == 0;
        }
        if (known)
            continue;
        if (k.mv_size < sizeof name &&
            memchr(k.mv_data, 0, k.mv_size) == NULL) {
            memcpy(name, k.mv_data, k.mv_size);
            name[k.mv_size] = '\0';
        } else {
            snprintf(name, sizeof name, "(%zu-byte name)", k.mv_size);
        }
        rc = bnd_audit_add_finding(w->r, BND_AUDIT_SCHEMA, name, "",
                                   "a database (or main-database entry) that "
                                   "binome does not know");
    }
    mdb_cursor_close(c);
    if (rc == 0 && mrc != MDB_NOTFOUND)
        rc = bnd_mdb_err(mrc);
    return rc;
}

int bnd_audit_store(MDB_txn *txn, const bnd_audit_dbs *dbs, bnd_audit_report *r)
{
    return bnd_audit_store_search(txn, dbs, NULL, 0, NULL, r);
}

int bnd_audit_store_search(MDB_txn *txn, const bnd_audit_dbs *dbs,
                           const bnd_audit_canary *c, size_t n, uint8_t *found,
                           bnd_audit_report *r)
{
    const bnd_audit_db *t;
    walk w;
    size_t size = 0;
    int rc;

    memset(&w, 0, sizeof w);
    w.txn = txn;
    w.dbs = dbs;
    w.r = r;
    rc = bnd_audit_schema_add(r);
    if (rc != 0)
        return rc;
    for (size_t i = 0; (t = bnd_audit_db_at(i)) != NULL; i++)
        if (layout(t)->desc != NULL && layout(t)->desc->size > size)
            size = layout(t)->desc->size;
    w.rec = calloc(1, size);
    if (w.rec == NULL)
        return BN_ENOMEM;
    rc = bnd_audit_new(&w.a, r);
    if (rc == 0)
        rc = bnd_audit_search(w.a, c, n, found);
    for (size_t i = 0; (t = bnd_audit_db_at(i)) != NULL && rc == 0; i++)
        if (dbs->open[t->db])
            rc = walk_db(&w, t);
    if (rc == 0)
        rc = walk_unknown(&w);
    if (rc == 0)
        rc = bnd_audit_finish(w.a);
    bn_arena_free(&w.arena);
    bnd_audit_free(w.a);
    free(w.rec);
    return rc;
}

/* ---- databases and environments ----------------------------------------- */

void bnd_audit_dbs_of_store(bnd_audit_dbs *dbs, const bnd_store *st)
{
    for (int i = 0; i < BND_DB_COUNT; i++) {
        dbs->dbi[i] = bnd_store_dbi(st, (enum bnd_db)i);
        dbs->open[i] = 1;
    }
}

int bnd_audit_dbs_open(MDB_txn *txn, bnd_audit_dbs *dbs)
{
    memset(dbs, 0, sizeof *dbs);
    for (int i = 0; i < BND_DB_COUNT; i++) {
        int mrc = mdb_dbi_open(txn, bnd_store_db_name((enum bnd_db)i), 0,
                               &dbs->dbi[i]);
        if (mrc == MDB_NOTFOUND)
            continue;
        if (mrc != 0)
            return bnd_mdb_err(mrc);
        dbs->open[i] = 1;
    }
    return 0;
}

int bnd_audit_env_open(MDB_env **out, const char *dir)
{
    MDB_env *env = NULL;
    int mrc;

    *out = NULL;
    mrc = mdb_env_create(&env);
    if (mrc == 0)
        mrc = mdb_env_set_maxdbs(env, BND_DB_COUNT + 8);
    /* Read-only, with the lock file: this process takes a reader slot in
     * lock.mdb, so the daemon does not reuse pages this snapshot reads.
     * MDB_NOLOCK would be unsafe beside a live writer. */
    if (mrc == 0)
        mrc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0600);
    if (mrc != 0) {
        mdb_env_close(env);
        return mrc > 0 ? -mrc : bnd_mdb_err(mrc);
    }
    *out = env;
    return 0;
}

int bnd_audit_txn_begin(MDB_env *env, MDB_txn **txn)
{
    int mrc = mdb_txn_begin(env, NULL, MDB_RDONLY, txn);
    if (mrc == MDB_MAP_RESIZED) {
        /* The daemon grew the map: adopt its size and try again. */
        mrc = mdb_env_set_mapsize(env, 0);
        if (mrc == 0)
            mrc = mdb_txn_begin(env, NULL, MDB_RDONLY, txn);
    }
    return bnd_mdb_err(mrc);
}

int bnd_audit_offline(const char *dir, const bnd_audit_canary *c, size_t n,
                      bnd_audit_report *r)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    bnd_audit_dbs dbs;
    int rc;

    rc = bnd_audit_env_open(&env, dir);
    if (rc == 0)
        rc = bnd_audit_txn_begin(env, &txn);
    if (rc == 0)
        rc = bnd_audit_dbs_open(txn, &dbs);
    if (rc == 0)
        rc = bnd_audit_store(txn, &dbs, r);
    if (txn != NULL)
        mdb_txn_abort(txn);
    mdb_env_close(env);
    if (rc == 0)
        rc = bnd_audit_scan_dir(r, dir, c, n);
    return rc;
}
