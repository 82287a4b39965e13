/* test_srv_store: records through LMDB, map growth, counters, the
 * writer's group commit with nested transactions, and the layout
 * (bnd_layout.h): key builders, parsers and prefixes, the audit's view of
 * it, and the copies of its table in the sources and docs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bn_testfs.h"
#include "bnd_audit.h"
#include "bnd_log.h"
#include "bnd_schema.h"
#include "bnd_store.h"
#include "bnd_writer.h"

static char *tmpdir(void)
{
    char *d = strdup("/tmp/bnd-store-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void rmdir_all(char *d)
{
    bn_testfs_rmtree(d);
    free(d);
}

static void test_open_requires_init(void **state)
{
    (void)state;
    char *d = tmpdir();
    bnd_store *st = NULL;
    bnd_store_opts o = {0, 0, 0, 0};
    assert_int_equal(bnd_store_open(&st, d, &o), -ENOENT);
    assert_null(st);
    o.create = 1;
    assert_int_equal(bnd_store_open(&st, d, &o), 0);
    bnd_store_close(st);
    o.create = 0;
    assert_int_equal(bnd_store_open(&st, d, &o), 0);
    bnd_store_close(st);
    rmdir_all(d);
}

struct put_acc {
    bnd_store *st;
    const bn_rec_account *a;
};

static int put_account(MDB_txn *txn, void *arg)
{
    struct put_acc *p = arg;
    return bnd_rec_put(p->st, txn, bnd_key_accounts(p->a->id), p->a, 0);
}

static void test_record_round_trip(void **state)
{
    (void)state;
    char *d = tmpdir();
    bnd_store *st = NULL;
    bnd_store_opts o = {0, 0, 1, 0};
    bn_rec_account a, b;
    void *arena = NULL;
    MDB_txn *txn;

    assert_int_equal(bnd_store_open(&st, d, &o), 0);
    memset(&a, 0, sizeof a);
    a.id = 42;
    a.role = BN_ROLE_MENTEE;
    a.name.ptr = "Zoé";
    a.name.len = (uint32_t)strlen("Zoé");
    a.programme_id = 7;
    memset(a.sign_pk, 0xab, sizeof a.sign_pk);
    memset(a.box_pk, 0xcd, sizeof a.box_pk);
    a.created = 1700000000;
    struct put_acc p = {st, &a};
    assert_int_equal(bnd_store_write(st, put_account, &p), 0);
    bnd_store_close(st);

    /* after a reopen, from disk */
    o.create = 0;
    assert_int_equal(bnd_store_open(&st, d, &o), 0);
    assert_int_equal(bnd_store_read_begin(st, &txn), 0);
    assert_int_equal(bnd_rec_get(st, txn, bnd_key_accounts(42), &b, &arena), 0);
    assert_int_equal(bnd_rec_get(st, txn, bnd_key_accounts(43), &b, &arena),
                     BN_ENOTFOUND);
    /* a corrupt record is reported, not trusted */
    bnd_store_read_end(st, txn);
    assert_int_equal(b.id, 42);
    assert_int_equal(b.role, BN_ROLE_MENTEE);
    assert_int_equal(b.name.len, a.name.len);
    assert_memory_equal(b.name.ptr, "Zoé", a.name.len);
    assert_int_equal(b.programme_id, 7);
    assert_memory_equal(b.sign_pk, a.sign_pk, 32);
    assert_memory_equal(b.box_pk, a.box_pk, 32);
    assert_int_equal(b.created, 1700000000);
    bn_arena_free(&arena);
    bnd_store_close(st);
    rmdir_all(d);
}

static int put_garbage(MDB_txn *txn, void *arg)
{
    bnd_store *st = arg;
    return bnd_raw_put(st, txn, bnd_key_accounts(9), "\xc1\xc1", 2, 0);
}

static void test_corrupt_record(void **state)
{
    (void)state;
    char *d = tmpdir();
    bnd_store *st = NULL;
    bnd_store_opts o = {0, 0, 1, 0};
    bn_rec_account b;
    void *arena = NULL;
    MDB_txn *txn;

    assert_int_equal(bnd_store_open(&st, d, &o), 0);
    assert_int_equal(bnd_store_write(st, put_garbage, st), 0);
    assert_int_equal(bnd_store_read_begin(st, &txn), 0);
    assert_int_equal(bnd_rec_get(st, txn, bnd_key_accounts(9), &b, &arena),
                     BN_ECORRUPT);
    bnd_store_read_end(st, txn);
    bn_arena_free(&arena);
    bnd_store_close(st);
    rmdir_all(d);
}

/* ---- a key finds its database -------------------------------------------- */

/* A key of db's width (4 bytes for a string key), each byte 0x40 + db:
 * no two databases' keys are alike, so each can be looked for in every
 * database. */
static bnd_key any_key(enum bnd_db db)
{
    const bnd_db_layout *l = bnd_db_layout_of(db);
    bnd_key k;
    memset(&k, 0, sizeof k);
    k.db = db;
    k.nparts = l->nparts;
    k.len = l->width != 0 ? l->width : 4;
    memset(k.b, 0x40 + (int)db, k.len);
    return k;
}

struct keyed {
    bnd_store *st;
    int wrong_rec, wrong_get, no_rec; /* what the mismatches gave */
};

static int put_keyed(MDB_txn *txn, void *arg)
{
    struct keyed *w = arg;
    bn_rec_doc d;
    bn_rec_account a;
    void *arena = NULL;
    int rc = 0;

    for (int i = 0; i < BND_DB_COUNT && rc == 0; i++) {
        uint8_t v = (uint8_t)i;
        rc = bnd_raw_put(w->st, txn, any_key((enum bnd_db)i), &v, 1, 0);
    }
    memset(&d, 0, sizeof d);
    d.pair_id = 5;
    d.doc_id = 6;
    d.chunks = 3;
    if (rc == 0)
        rc = bnd_rec_put(w->st, txn, bnd_key_docs(5, 6), &d, 0);
    /* a record that is not its key's database's is refused, written
     * nowhere (the account would land in docs under the doc's key) */
    memset(&a, 0, sizeof a);
    a.id = 7;
    w->wrong_rec = bnd_rec_put(w->st, txn, bnd_key_docs(5, 7), &a, 0);
    w->wrong_get = bnd_rec_get(w->st, txn, bnd_key_docs(5, 6), &a, &arena);
    w->no_rec = bnd_rec_put(w->st, txn, bnd_key_account_pairs(7, 5), &a, 0);
    bn_arena_free(&arena);
    return rc;
}

/*
 * What goes through the store's record functions lands in the database
 * its key was built for, and only there: each database is then opened by
 * its name, outside the store, and holds its own key and no other's. The
 * record's description comes from the pointer's type (BND_REC_DESC), and
 * a record of another database's type is refused.
 */
static void test_key_finds_its_database(void **state)
{
    (void)state;
    char *dir = tmpdir();
    bnd_store *st = NULL;
    bnd_store_opts o = {0, 0, 1, 0};
    struct keyed w;
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    bn_rec_doc d;
    void *arena = NULL;

    /* (BND_REC_DESC cannot be used inside BND_RECS: a few by hand) */
    const bn_rec_meta *cmeta = NULL;
    bn_rec_quota *quota = NULL;
    assert_ptr_equal(BND_REC_DESC(&d), &bn_desc_rec_doc);
    assert_ptr_equal(BND_REC_DESC(cmeta), &bn_desc_rec_meta);
    assert_ptr_equal(BND_REC_DESC(quota), &bn_desc_rec_quota);

    assert_int_equal(bnd_store_open(&st, dir, &o), 0);
    memset(&w, 0, sizeof w);
    w.st = st;
    assert_int_equal(bnd_store_write(st, put_keyed, &w), 0);
    assert_int_equal(w.wrong_rec, BN_EINVAL);
    assert_int_equal(w.wrong_get, BN_EINVAL);
    assert_int_equal(w.no_rec, BN_EINVAL);
    assert_int_equal(bnd_store_read_begin(st, &txn), 0);
    assert_int_equal(bnd_rec_get(st, txn, bnd_key_docs(5, 6), &d, &arena), 0);
    assert_int_equal(d.chunks, 3);
    bnd_store_read_end(st, txn);
    bn_arena_free(&arena);
    bnd_store_close(st);

    assert_int_equal(bnd_audit_env_open(&env, dir), 0);
    assert_int_equal(bnd_audit_txn_begin(env, &txn), 0);
    bnd_key doc = bnd_key_docs(5, 6), wrong = bnd_key_docs(5, 7);
    for (int i = 0; i < BND_DB_COUNT; i++) {
        const char *name = bnd_db_layout_of((enum bnd_db)i)->name;
        MDB_dbi dbi;
        MDB_val k, v;
        assert_int_equal(mdb_dbi_open(txn, name, 0, &dbi), 0);
        for (int j = 0; j < BND_DB_COUNT; j++) {
            bnd_key kj = any_key((enum bnd_db)j);
            k = bnd_key_val(&kj);
            int rc = mdb_get(txn, dbi, &k, &v);
            if (i != j && rc == 0)
                fail_msg("the key built for %s is in %s",
                         bnd_db_layout_of((enum bnd_db)j)->name, name);
            if (i == j) {
                assert_int_equal(rc, 0);
                assert_int_equal(v.mv_size, 1);
                assert_int_equal(*(const uint8_t *)v.mv_data, j);
            }
        }
        k = bnd_key_val(&doc);
        assert_int_equal(mdb_get(txn, dbi, &k, &v) == 0, i == BND_DB_DOCS);
        k = bnd_key_val(&wrong);
        assert_int_equal(mdb_get(txn, dbi, &k, &v), MDB_NOTFOUND);
    }
    mdb_txn_abort(txn);
    mdb_env_close(env);
    rmdir_all(dir);
}

struct env_batch {
    bnd_store *st;
    uint64_t first;
    unsigned n;
    size_t size;
    unsigned runs;
};

static int put_envs(MDB_txn *txn, void *arg)
{
    struct env_batch *b = arg;
    uint8_t *blob = malloc(b->size);
    int rc = 0;

    b->runs++;
    for (unsigned i = 0; i < b->n && rc == 0; i++) {
        bn_rec_note_env e;
        memset(blob, (int)(b->first + i), b->size);
        blob[0] = BN_ENVELOPE_VERSION;
        e.envelope.ptr = blob;
        e.envelope.len = (uint32_t)b->size;
        rc = bnd_rec_put(b->st, txn, bnd_key_note_envs(1, b->first + i, 1), &e,
                         0);
    }
    free(blob);
    return rc;
}

static void test_map_growth(void **state)
{
    (void)state;
    char *d = tmpdir();
    bnd_store *st = NULL;
    /* a tiny map: the writes below cannot fit without growing */
    bnd_store_opts o = {64 << 10, 64 << 20, 1, 0};
    MDB_txn *txn;

    assert_int_equal(bnd_store_open(&st, d, &o), 0);
    size_t before = bnd_store_map_size(st);
    assert_true(before <= (128u << 10));
    for (unsigned r = 0; r < 8; r++) {
        struct env_batch b = {st, r * 16u, 16, 16000, 0};
        assert_int_equal(bnd_store_write(st, put_envs, &b), 0);
    }
    assert_true(bnd_store_grow_count(st) > 0);
    assert_true(bnd_store_map_size(st) > before);
    /* every record landed, none twice or truncated */
    assert_int_equal(bnd_store_read_begin(st, &txn), 0);
    for (unsigned i = 0; i < 128; i++) {
        bn_rec_note_env e;
        void *arena = NULL;
        assert_int_equal(
            bnd_rec_get(st, txn, bnd_key_note_envs(1, i, 1), &e, &arena), 0);
        assert_int_equal(e.envelope.len, 16000);
        assert_int_equal(e.envelope.ptr[100], (uint8_t)i);
        bn_arena_free(&arena);
    }
    bnd_store_read_end(st, txn);
    bnd_store_close(st);
    rmdir_all(d);
}

static void test_map_full_at_max(void **state)
{
    (void)state;
    char *d = tmpdir();
    bnd_store *st = NULL;
    bnd_store_opts o = {64 << 10, 256 << 10, 1, 0};

    assert_int_equal(bnd_store_open(&st, d, &o), 0);
    struct env_batch b = {st, 0, 64, 16000, 0};
    assert_int_equal(bnd_store_write(st, put_envs, &b), BN_EFULL);
    assert_true(b.runs >= 2); /* retried after growing */
    assert_true(bnd_store_map_size(st) <= (256u << 10));
    /* the store still works for small writes */
    struct env_batch small = {st, 1000, 1, 100, 0};
    assert_int_equal(bnd_store_write(st, put_envs, &small), 0);
    bnd_store_close(st);
    rmdir_all(d);
}

struct ctr {
    bnd_store *st;
    uint64_t got[4];
};

static int bump(MDB_txn *txn, void *arg)
{
    struct ctr *c = arg;
    int rc = bnd_counter_next(c->st, txn, "pair", &c->got[0]);
    if (rc == 0)
        rc = bnd_counter_next(c->st, txn, "pair", &c->got[1]);
    if (rc == 0)
        rc = bnd_counter_next(c->st, txn, "account", &c->got[2]);
    return rc;
}

static int bump_then_fail(MDB_txn *txn, void *arg)
{
    struct ctr *c = arg;
    int rc = bnd_counter_next(c->st, txn, "pair", &c->got[3]);
    return rc == 0 ? BN_EINVAL : rc;
}

static void test_counters(void **state)
{
    (void)state;
    char *d = tmpdir();
    bnd_store *st = NULL;
    bnd_store_opts o = {0, 0, 1, 0};
    struct ctr c = {0};
    MDB_txn *txn;
    uint64_t v;

    assert_int_equal(bnd_store_open(&st, d, &o), 0);
    c.st = st;
    assert_int_equal(bnd_store_write(st, bump, &c), 0);
    assert_int_equal(c.got[0], 1);
    assert_int_equal(c.got[1], 2);
    assert_int_equal(c.got[2], 1);
    /* an aborted write does not consume an id */
    assert_int_equal(bnd_store_write(st, bump_then_fail, &c), BN_EINVAL);
    assert_int_equal(c.got[3], 3);
    assert_int_equal(bnd_store_read_begin(st, &txn), 0);
    assert_int_equal(bnd_counter_get(st, txn, "pair", &v), 0);
    assert_int_equal(v, 2);
    assert_int_equal(bnd_counter_get(st, txn, "session", &v), 0);
    assert_int_equal(v, 0);
    bnd_store_read_end(st, txn);
    assert_int_equal(bnd_store_write(st, bump, &c), 0);
    assert_int_equal(c.got[0], 3);
    bnd_store_close(st);
    rmdir_all(d);
}

/* ---- the writer: nested transactions inside one batch ------------------ */

struct tjob {
    bnd_job job;
    bnd_store *st;
    uint64_t key;
    int fail;
    int rc;
    int done;
};

static int tjob_apply(bnd_job *j, MDB_txn *txn)
{
    struct tjob *t = (struct tjob *)j;
    int rc =
        bnd_raw_put(t->st, txn, bnd_key_account_pairs(t->key, 1), "x", 1, 0);
    t->rc = rc != 0 ? rc : t->fail ? BN_EINVAL : 0;
    return t->rc;
}

static void tjob_failed(bnd_job *j, int rc)
{
    ((struct tjob *)j)->rc = rc;
}

static void tjob_complete(bnd_job *j)
{
    ((struct tjob *)j)->done = 1;
}

static void test_writer_nested(void **state)
{
    (void)state;
    char *d = tmpdir();
    bnd_store *st = NULL;
    bnd_store_opts o = {0, 0, 1, 0};
    bnd_writer *w = NULL;
    struct tjob jobs[10];
    uv_loop_t loop;
    MDB_txn *txn;

    assert_int_equal(bnd_store_open(&st, d, &o), 0);
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(bnd_writer_start(&w, st, &loop), 0);
    for (int i = 0; i < 10; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].job.apply = tjob_apply;
        jobs[i].job.failed = tjob_failed;
        jobs[i].job.complete = tjob_complete;
        jobs[i].st = st;
        jobs[i].key = (uint64_t)i + 1;
        jobs[i].fail = i == 3 || i == 7;
        bnd_writer_submit(w, &jobs[i].job);
    }
    assert_int_equal(bnd_writer_pending(w), 10);
    while (bnd_writer_pending(w) > 0)
        uv_run(&loop, UV_RUN_ONCE);
    assert_true(bnd_writer_batches(w) >= 1 && bnd_writer_batches(w) <= 10);
    assert_int_equal(bnd_store_read_begin(st, &txn), 0);
    for (int i = 0; i < 10; i++) {
        assert_true(jobs[i].done);
        assert_int_equal(jobs[i].rc, jobs[i].fail ? BN_EINVAL : 0);
        /* a failing job's own write is gone; its neighbours' stay */
        assert_int_equal(
            bnd_exists(st, txn, bnd_key_account_pairs(jobs[i].key, 1)),
            jobs[i].fail ? 0 : 1);
    }
    bnd_store_read_end(st, txn);
    bnd_writer_stop(w);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    bnd_store_close(st);
    rmdir_all(d);
}

static void test_descs(void **state)
{
    (void)state;
    int envs = 0;
    for (size_t i = 0; bnd_rec_descs[i] != NULL; i++)
        for (size_t f = 0; f < bnd_rec_descs[i]->nfields; f++)
            envs += bnd_rec_descs[i]->fields[f].kind == BN_FK_ENV;
    /* note and objective envelopes, a document's key and header
     * envelopes and its chunks are the ciphertext fields */
    assert_int_equal(envs, 5);
}

/* ---- the layout ---------------------------------------------------------- */

/* Keys are the parts side by side, big-endian: byte order is the parts'
 * numeric order, part by part, and a parser gives the parts back. */
static void test_key_builders(void **state)
{
    static const uint64_t ids[] = {
        0, 1, 255, 256, 0xffffffff, 0x100000000, UINT64_MAX - 1, UINT64_MAX};
    static const uint32_t revs[] = {0, 1, 0xff, 0x100, UINT32_MAX};
    const size_t ni = sizeof ids / sizeof ids[0];
    const size_t nr = sizeof revs / sizeof revs[0];
    (void)state;

    bnd_key k = bnd_key_wraps(0x0102030405060708, 0x0a0b0c0d, 42);
    static const uint8_t want[] = {1,    2,    3, 4, 5, 6, 7, 8, 0x0a, 0x0b,
                                   0x0c, 0x0d, 0, 0, 0, 0, 0, 0, 0,    42};
    assert_int_equal(k.db, BND_DB_WRAPS);
    assert_int_equal(k.len, sizeof want);
    assert_int_equal(k.len, BND_KEY_WIDTH(wraps));
    assert_memory_equal(k.b, want, sizeof want);

    for (size_t a = 0; a < ni; a++)
        for (size_t b = 0; b < ni; b++)
            for (size_t r = 0; r < nr; r++) {
                bnd_key x = bnd_key_notes(ids[a], ids[b], revs[r]);
                MDB_val v = bnd_key_val(&x);
                bnd_keyp_notes p = {0};
                assert_int_equal(bnd_key_parse_notes(&v, &p), 0);
                assert_true(p.pair_id == ids[a] && p.note_id == ids[b] &&
                            p.revision == revs[r]);
                /* the next key in numeric order sorts after it */
                bnd_key y = r + 1 < nr
                                ? bnd_key_notes(ids[a], ids[b], revs[r + 1])
                            : b + 1 < ni ? bnd_key_notes(ids[a], ids[b + 1], 0)
                            : a + 1 < ni ? bnd_key_notes(ids[a + 1], 0, 0)
                                         : x;
                if (y.len == x.len && memcmp(y.b, x.b, x.len) != 0)
                    assert_true(memcmp(x.b, y.b, x.len) < 0);
            }

    /* a key of another width is not this database's */
    bnd_key m = bnd_key_members(7, 9);
    MDB_val v = bnd_key_val(&m);
    bnd_keyp_notes np = {0};
    bnd_keyp_members mp = {0};
    assert_int_equal(bnd_key_parse_notes(&v, &np), BN_ECORRUPT);
    assert_int_equal(bnd_key_parse_members(&v, &mp), 0);
    assert_true(mp.pair_id == 7 && mp.account_id == 9);
    v.mv_size--;
    assert_int_equal(bnd_key_parse_members(&v, &mp), BN_ECORRUPT);

    /* hashes and strings */
    uint8_t h[32];
    for (int i = 0; i < 32; i++)
        h[i] = (uint8_t)(i * 7);
    bnd_key ik = bnd_key_invites(h);
    bnd_keyp_invites ip = {0};
    v = bnd_key_val(&ik);
    assert_int_equal(bnd_key_parse_invites(&v, &ip), 0);
    assert_memory_equal(ip.token_hash, h, 32);
    bnd_key sk = bnd_key_meta(BND_META_SCHEMA);
    bnd_keyp_meta sp = {0};
    v = bnd_key_val(&sk);
    assert_int_equal(sk.len, strlen(BND_META_SCHEMA));
    assert_int_equal(bnd_key_parse_meta(&v, &sp), 0);
    assert_int_equal(sp.name.len, strlen(BND_META_SCHEMA));
    assert_memory_equal(sp.name.ptr, BND_META_SCHEMA, sp.name.len);
    char longname[BND_KEY_MAX + 2];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(bnd_key_meta(longname).len, 0); /* never stored */

    /* prefixes: the first parts, by the description's widths */
    bnd_key w = bnd_key_wraps(5, 6, 7);
    assert_int_equal(bnd_key_prefix(w, 0).len, 0);
    assert_int_equal(bnd_key_prefix(w, 1).len, 8);
    assert_int_equal(bnd_key_prefix(w, 2).len, 12);
    assert_int_equal(bnd_key_prefix(w, 3).len, 20);
    assert_int_equal(bnd_key_prefix(w, 9).len, 20);
    assert_memory_equal(bnd_key_prefix(w, 2).b, w.b, 12);
}

struct scan_fill {
    bnd_store *st;
};

/* Members of three pairs whose ids share bytes. */
static int fill_members(MDB_txn *txn, void *arg)
{
    static const uint64_t m[][2] = {{1, 3},     {1, 1},         {1, 2},
                                    {0x101, 1}, {0x100, 5},     {2, 1},
                                    {0, 9},     {UINT64_MAX, 4}};
    struct scan_fill *f = arg;
    int rc = 0;
    for (size_t i = 0; i < sizeof m / sizeof m[0] && rc == 0; i++) {
        bnd_key k = bnd_key_members(m[i][0], m[i][1]);
        rc = bnd_raw_put(f->st, txn, k, "", 0, 0);
    }
    return rc;
}

/* scan_members lists pair's members through a prefix scan. */
static size_t scan_members(bnd_store *st, uint64_t pair, uint64_t *out)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    bnd_key start = bnd_key_members(pair, 0), pre = bnd_key_prefix(start, 1);
    MDB_val k = bnd_key_val(&start), v;
    bnd_keyp_members p = {0};
    size_t n = 0;

    assert_int_equal(bnd_store_read_begin(st, &txn), 0);
    assert_int_equal(
        mdb_cursor_open(txn, bnd_store_dbi(st, BND_DB_MEMBERS), &cur), 0);
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && bnd_key_has_prefix(&k, &pre);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        assert_int_equal(bnd_key_parse_members(&k, &p), 0);
        assert_true(p.pair_id == pair);
        out[n++] = p.account_id;
    }
    mdb_cursor_close(cur);
    bnd_store_read_end(st, txn);
    return n;
}

/* A prefix scan walks one pair's keys, in order, and no other's. */
static void test_prefix_scan(void **state)
{
    char *d = tmpdir();
    bnd_store *st = NULL;
    bnd_store_opts o = {0, 0, 1, 0};
    uint64_t got[8];
    (void)state;

    assert_int_equal(bnd_store_open(&st, d, &o), 0);
    struct scan_fill f = {st};
    assert_int_equal(bnd_store_write(st, fill_members, &f), 0);
    assert_int_equal(scan_members(st, 1, got), 3);
    assert_true(got[0] == 1 && got[1] == 2 && got[2] == 3);
    assert_int_equal(scan_members(st, 0x100, got), 1);
    assert_true(got[0] == 5);
    assert_int_equal(scan_members(st, 0, got), 1);
    assert_int_equal(scan_members(st, UINT64_MAX, got), 1);
    assert_true(got[0] == 4);
    assert_int_equal(scan_members(st, 3, got), 0);
    bnd_store_close(st);
    rmdir_all(d);
}

/* The run-time table is the description: names, widths, records; and the
 * audit checks every database with it. */
static void test_layout_table(void **state)
{
    (void)state;
    assert_null(bnd_db_layout_of(BND_DB_COUNT));
    assert_string_equal(bnd_store_db_name(BND_DB_ACCOUNT_PAIRS),
                        "account_pairs");
    for (int db = 0; db < BND_DB_COUNT; db++) {
        const bnd_db_layout *l = bnd_db_layout_of((enum bnd_db)db);
        const bnd_audit_db *a = bnd_audit_db_of((enum bnd_db)db);
        unsigned w = 0;
        assert_non_null(l);
        assert_int_equal(l->db, db);
        assert_true(l->nparts >= 1 && l->nparts <= BND_KEY_PARTS_MAX);
        for (unsigned i = 0; i < l->nparts; i++) {
            assert_non_null(l->parts[i].name);
            /* a string part is a whole key */
            assert_true(l->parts[i].width != 0 || l->nparts == 1);
            w += l->parts[i].width;
        }
        assert_int_equal(w, l->width);
        assert_true(w <= BND_KEY_MAX);
        /* every database has its audit line; records unless the audit
         * knows its values are not records */
        assert_non_null(a);
        assert_int_equal(l->desc == NULL,
                         (a->flags & (BND_AUDIT_F_INDEX | BND_AUDIT_F_SCRUB)) !=
                             0);
        if (a->wrap != NULL) {
            int found = 0;
            for (size_t f = 0; f < l->desc->nfields; f++)
                found |= strcmp(l->desc->fields[f].name, a->wrap) == 0 &&
                         l->desc->fields[f].kind == BN_FK_BINF;
            assert_true(found);
        }
    }
    const bnd_db_layout *wr = bnd_db_layout_of(BND_DB_WRAPS);
    assert_ptr_equal(wr->desc, &bn_desc_rec_wrap);
    assert_string_equal(wr->parts[1].name, "epoch");
    assert_int_equal(wr->parts[1].width, 4);
    char keys[96];
    bnd_db_layout_keys(wr, keys, sizeof keys);
    assert_string_equal(keys, "pair_id, epoch, member_id");
    uint64_t v;
    bnd_key k = bnd_key_wraps(3, 4, 5);
    MDB_val kv = bnd_key_val(&k);
    assert_int_equal(bnd_key_part_int(wr, &kv, 1, &v), 0);
    assert_true(v == 4);
    assert_int_equal(bnd_key_part_int(wr, &kv, 3, &v), BN_EINVAL);
}

/* read_all returns a file of the source tree (tests run from its root). */
static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t len = 0;
    if (f == NULL)
        fail_msg("%s: cannot open (run the tests from the source root)", path);
    FILE *m = open_memstream(&buf, &len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(f);
    fclose(m);
    return buf;
}

/* between returns the text of s between the lines holding begin and end. */
static char *between(const char *s, const char *begin, const char *end)
{
    const char *a = strstr(s, begin), *b;
    if (a == NULL || (a = strchr(a, '\n')) == NULL ||
        (b = strstr(a, end)) == NULL)
        return NULL;
    a++;
    while (b > a && b[-1] != '\n')
        b--;
    return strndup(a, (size_t)(b - a));
}

/* generated prints a table writer's output into a string. */
static char *generated(int (*fn)(FILE *, const char *), const char *prefix)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_int_equal(fn(m, prefix), 0);
    fclose(m);
    return buf;
}

static int schema_md(FILE *f, const char *prefix)
{
    (void)prefix;
    return bnd_audit_schema_write_md(f);
}

static void expect_copy(const char *path, const char *begin, const char *end,
                        const char *want)
{
    char *file = read_all(path);
    char *got = between(file, begin, end);
    if (got == NULL || strcmp(got, want) != 0)
        fail_msg("%s is stale: between %s and %s it must hold\n%s", path, begin,
                 end, want);
    free(got);
    free(file);
}

/* The layout's table in bnd_schema.h's comment and in docs/DESIGN.md, and
 * the stored-field table in SECURITY.md, are what the descriptions print
 * (`binomed audit --layout`, `binomed audit --schema`). */
static void test_layout_docs(void **state)
{
    (void)state;
    char *c = generated(bnd_layout_write, " * ");
    char *md = generated(bnd_layout_write, "");
    char *fields = generated(schema_md, "");
    char *md_block = NULL;
    assert_true(asprintf(&md_block, "```\n%s```\n", md) > 0);
    expect_copy("server/bnd_schema.h", " * layout:begin", " * layout:end", c);
    expect_copy("docs/DESIGN.md", "<!-- layout:begin -->",
                "<!-- layout:end -->", md_block);
    char *sec = read_all("SECURITY.md");
    if (strstr(sec, fields) == NULL)
        fail_msg("SECURITY.md's table of stored fields is stale: paste the "
                 "output of `binomed audit --schema`");
    free(sec);
    free(md_block);
    free(fields);
    free(md);
    free(c);
}

/* The group's setup: the store's own log says only what went wrong. */
static int store_setup(void **state)
{
    (void)state;
    bnd_log_set_level(BND_LOG_ERROR);
    return 0;
}

BN_UNIT_GROUP(srv_store);
