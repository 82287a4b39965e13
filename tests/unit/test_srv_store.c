/* test_srv_store: records through LMDB, map growth, counters, and the
 * writer's group commit with nested transactions. */
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
    uint8_t k[8];
    return bnd_rec_put(txn, bnd_store_dbi(p->st, BND_DB_ACCOUNTS), k,
                       bnd_key_u64(k, p->a->id), &bn_desc_rec_account, p->a, 0);
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
    uint8_t k[8];

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
    assert_int_equal(bnd_rec_get(txn, bnd_store_dbi(st, BND_DB_ACCOUNTS), k,
                                 bnd_key_u64(k, 42), &bn_desc_rec_account, &b,
                                 &arena),
                     0);
    assert_int_equal(bnd_rec_get(txn, bnd_store_dbi(st, BND_DB_ACCOUNTS), k,
                                 bnd_key_u64(k, 43), &bn_desc_rec_account, &b,
                                 &arena),
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
    uint8_t k[8];
    return bnd_raw_put(txn, bnd_store_dbi(st, BND_DB_ACCOUNTS), k,
                       bnd_key_u64(k, 9), "\xc1\xc1", 2, 0);
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
    uint8_t k[8];

    assert_int_equal(bnd_store_open(&st, d, &o), 0);
    assert_int_equal(bnd_store_write(st, put_garbage, st), 0);
    assert_int_equal(bnd_store_read_begin(st, &txn), 0);
    assert_int_equal(bnd_rec_get(txn, bnd_store_dbi(st, BND_DB_ACCOUNTS), k,
                                 bnd_key_u64(k, 9), &bn_desc_rec_account, &b,
                                 &arena),
                     BN_ECORRUPT);
    bnd_store_read_end(st, txn);
    bn_arena_free(&arena);
    bnd_store_close(st);
    rmdir_all(d);
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
    uint8_t k[20];
    int rc = 0;

    b->runs++;
    for (unsigned i = 0; i < b->n && rc == 0; i++) {
        bn_rec_note_env e;
        memset(blob, (int)(b->first + i), b->size);
        blob[0] = BN_ENVELOPE_VERSION;
        e.envelope.ptr = blob;
        e.envelope.len = (uint32_t)b->size;
        rc = bnd_rec_put(txn, bnd_store_dbi(b->st, BND_DB_NOTE_ENVS), k,
                         bnd_key_u64_u64_u32(k, 1, b->first + i, 1),
                         &bn_desc_rec_note_env, &e, 0);
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
        uint8_t k[20];
        assert_int_equal(bnd_rec_get(txn, bnd_store_dbi(st, BND_DB_NOTE_ENVS),
                                     k, bnd_key_u64_u64_u32(k, 1, i, 1),
                                     &bn_desc_rec_note_env, &e, &arena),
                         0);
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
    uint8_t k[8];
    int rc = bnd_raw_put(txn, bnd_store_dbi(t->st, BND_DB_ACCOUNT_PAIRS), k,
                         bnd_key_u64(k, t->key), "x", 1, 0);
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
        uint8_t k[8];
        assert_true(jobs[i].done);
        assert_int_equal(jobs[i].rc, jobs[i].fail ? BN_EINVAL : 0);
        /* a failing job's own write is gone; its neighbours' stay */
        assert_int_equal(bnd_exists(txn,
                                    bnd_store_dbi(st, BND_DB_ACCOUNT_PAIRS), k,
                                    bnd_key_u64(k, jobs[i].key)),
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

/* The group's setup: the store's own log says only what went wrong. */
static int store_setup(void **state)
{
    (void)state;
    bnd_log_set_level(BND_LOG_ERROR);
    return 0;
}

BN_UNIT_GROUP(srv_store);
