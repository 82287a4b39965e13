/* test_srv_erase: PAIR_ERASE (DESIGN.md, "Ending, erasing, re-pairing"):
 * who may erase, only ended pairs, never one member alone (issue 13: every
 * member asks, with an entry they sign, or the programme's retention
 * period has passed), one's own words alone at any time, and that the
 * ciphertext is gone from the database files themselves while the
 * statistics stay. */
#include "test_srv_world.h"
#include "test_list.h"

#include <sys/stat.h>

#include "bnd_handlers.h"
#include "bnd_quota.h"

/* What pair A holds, to look for on disk afterwards. */
static struct {
    uint8_t *note_env, *obj_env;
    size_t note_len, obj_len;
    uint8_t chunk[200];
    uint32_t chunk_len;
    uint64_t session, objective;
} A;

static int erase(tclient *c, uint64_t pair)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_ERASE, 0);
    m.u.pair_erase.pair_id = pair;
    return call(c, &m);
}

/* 1 when data.mdb holds needle (len bytes) anywhere, freed pages too. */
static int on_disk(const uint8_t *needle, size_t len)
{
    char path[128];
    struct stat sb;
    snprintf(path, sizeof path, "%s/data.mdb", W.dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fstat(fileno(f), &sb), 0);
    uint8_t *buf = malloc((size_t)sb.st_size);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)sb.st_size, f), (size_t)sb.st_size);
    fclose(f);
    int found = memmem(buf, (size_t)sb.st_size, needle, len) != NULL;
    free(buf);
    return found;
}

/*
 * on_free_page says whether needle lies on a page of LMDB's free list: the
 * pages erase must have zero-filled (bnd_store_scrub). The free list is
 * LMDB's database 0: values are ID lists [count, pgno...]. Live pages are
 * not searched: LMDB recycles page buffers without zeroing them, so old
 * bytes can sit in the unused space of a live page (SECURITY.md, Erasure).
 */
static int on_free_page(const uint8_t *needle, size_t len)
{
    char path[128];
    MDB_env *env;
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    MDB_stat st;
    int found = 0;

    snprintf(path, sizeof path, "%s/data.mdb", W.dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_mapsize(env, 1ull << 32), 0);
    assert_int_equal(mdb_env_open(env, W.dir, MDB_RDONLY | MDB_NOTLS, 0600), 0);
    assert_int_equal(mdb_env_stat(env, &st), 0);
    uint8_t *page = malloc(st.ms_psize);
    assert_non_null(page);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_cursor_open(txn, 0, &cur), 0);
    while (!found && mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0) {
        const size_t *ids = v.mv_data; /* MDB_ID is size_t */
        for (size_t i = 1; !found && i <= ids[0]; i++) {
            assert_int_equal(fseeko(f, (off_t)(ids[i] * st.ms_psize), SEEK_SET),
                             0);
            if (fread(page, 1, st.ms_psize, f) == st.ms_psize)
                found = memmem(page, st.ms_psize, needle, len) != NULL;
        }
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    free(page);
    fclose(f);
    return found;
}

/* The middle 48 bytes of a ciphertext: found only where it was copied. */
static int ct_on_disk(const uint8_t *ct, size_t len)
{
    return on_disk(ct + len / 2 - 24, 48);
}

static void write_pair_a(void)
{
    bn_note_ad ad = {W.pair_a, 0x77, 1, W.mentee.account, BN_AD_KIND_OBJECTIVE,
                     0,        0};
    bn_msg m;

    A.note_env =
        seal(&W.mentor, W.pair_a, 0x55, 1, 0, "a secret report", &A.note_len);
    assert_int_equal(
        note_put_env(&W.mentor, W.pair_a, 0x55, 1, 0, A.note_env, A.note_len),
        0);
    assert_int_equal(bn_envelope_seal(&A.obj_env, &A.obj_len, W.pair_key, 1,
                                      &ad, (const uint8_t *)"speak up", 8,
                                      W.mentee.id->sign_sk),
                     0);
    bn_msg_init(&m, BN_MSG_OBJECTIVE_ADD, 0);
    m.u.objective_add.pair_id = W.pair_a;
    m.u.objective_add.objective_id = A.objective = 0x77;
    m.u.objective_add.epoch = 1;
    m.u.objective_add.envelope = (bn_bin){A.obj_env, (uint32_t)A.obj_len};
    m.u.objective_add.date = bn_date_today();
    assert_int_equal(call_logged(&W.mentee, &m, W.pair_a), 0);
    bn_msg_init(&m, BN_MSG_OBJECTIVE_REACH, 0);
    m.u.objective_reach.pair_id = W.pair_a;
    m.u.objective_reach.objective_id = A.objective;
    m.u.objective_reach.date = bn_date_today();
    assert_int_equal(call_logged(&W.mentor, &m, W.pair_a), 0);
    assert_int_equal(session_add(&W.mentee, W.pair_a, bn_date_today(),
                                 BN_SESSION_HELD, BN_ABSENT_MENTOR),
                     0);
    A.session = W.mentee.rep.u.session.session.id;

    /* a one-chunk document */
    uint8_t key[32], hdr[BN_DOC_STREAM_HEADER_BYTES], pt[150];
    bn_doc_stream st;
    uint64_t doc = 0x99;
    bn_note_ad kad = {W.pair_a,           doc, 1, W.mentor.account,
                      BN_AD_KIND_DOC_KEY, 0,   0};
    uint8_t *kenv, *henv;
    size_t klen, hlen;
    bn_doc_key_generate(key);
    assert_int_equal(bn_doc_push_init(&st, hdr, key), 0);
    assert_int_equal(bn_envelope_seal(&kenv, &klen, W.pair_key, 1, &kad, key,
                                      32, W.mentor.id->sign_sk),
                     0);
    kad.kind = BN_AD_KIND_DOC_HEADER;
    assert_int_equal(bn_envelope_seal(&henv, &hlen, key, 1, &kad,
                                      (const uint8_t *)"cv.pdf", 6,
                                      W.mentor.id->sign_sk),
                     0);
    bn_msg_init(&m, BN_MSG_DOC_BEGIN, 0);
    m.u.doc_begin.pair_id = W.pair_a;
    m.u.doc_begin.doc_id = doc;
    m.u.doc_begin.epoch = 1;
    m.u.doc_begin.key_env = (bn_bin){kenv, (uint32_t)klen};
    m.u.doc_begin.header_env = (bn_bin){henv, (uint32_t)hlen};
    memcpy(m.u.doc_begin.stream_header, hdr, sizeof hdr);
    assert_int_equal(call(&W.mentor, &m), 0);
    memset(pt, 'D', sizeof pt);
    assert_int_equal(bn_doc_push(&st, A.chunk, doc, pt, sizeof pt, 1), 0);
    A.chunk_len = sizeof pt + BN_DOC_CHUNK_OVERHEAD;
    bn_msg_init(&m, BN_MSG_DOC_CHUNK, 0);
    m.u.doc_chunk.pair_id = W.pair_a;
    m.u.doc_chunk.doc_id = doc;
    m.u.doc_chunk.data = (bn_bin){A.chunk, A.chunk_len};
    m.u.doc_chunk.final = 1;
    assert_int_equal(call_logged(&W.mentor, &m, W.pair_a), 0);
    free(kenv);
    free(henv);
}

static int local_setup(void **state)
{
    int rc = setup(state);
    if (rc == 0) {
        activate(W.pair_a, &W.mentor, &W.mentee);
        activate(W.pair_b, &W.mentor2, &W.mentee2);
        write_pair_a();
    }
    return rc;
}

static int local_teardown(void **state)
{
    free(A.note_env);
    free(A.obj_env);
    return teardown(state);
}

/* ---- tests -----------------------------------------------------------------
 */

/* Only an ended pair; only an administrator or a member. */
static void test_erase_rules(void **state)
{
    (void)state;
    assert_int_equal(erase(&W.admin, W.pair_a), BN_EINVAL);
    assert_non_null(strstr(W.admin.rep.u.error.message.ptr, "ended"));
    assert_int_equal(erase(&W.mentor, W.pair_a), BN_EINVAL);
    assert_int_equal(erase(&W.mentor2, W.pair_a), BN_ENOTFOUND);
    assert_int_equal(erase(&W.mentee3, W.pair_a), BN_ENOTFOUND);
    assert_int_equal(erase(&W.mentor2, 987654), BN_ENOTFOUND);
    assert_int_equal(erase(&W.admin, 987654), BN_ENOTFOUND);
    /* still all there */
    assert_int_equal(note_get(&W.mentee, W.pair_a, 0x55, 0), 0);
}

/* One member alone erases nothing of the other's: their request is
 * recorded (the reply names them) and pair B stays readable to both; the
 * administrator cannot erase it either; once the other member asks too,
 * it is erased, and asking again is a success. */
static void test_member_erases(void **state)
{
    (void)state;
    assert_int_equal(
        note_put(&W.mentee2, W.pair_b, 0x66, 1, 0, "the mentee's words"), 0);
    assert_int_equal(pair_end(&W.mentee2, W.pair_b, BN_END_WITHDRAWN), 0);
    assert_int_equal(erase_ask(&W.mentor2, W.pair_b, 0), 0);
    assert_int_equal(W.mentor2.rep.type, BN_MSG_PAIR_ERASURE);
    const bn_pair_erasure *r = &W.mentor2.rep.u.pair_erasure;
    assert_int_equal(r->pair.status, BN_PAIR_WITHDRAWN);
    assert_int_equal(r->consents.len, 1);
    assert_int_equal(r->consents.v[0].account_id, W.mentor2.account);
    assert_int_equal(r->erase_after, 0); /* no retention period set */
    /* the partner still reads their words, and so does the one who asked */
    assert_int_equal(note_get(&W.mentee2, W.pair_b, 0x66, 0), 0);
    assert_int_equal(note_get(&W.mentor2, W.pair_b, 0x66, 0), 0);
    /* asking twice counts once; a member's request must be signed */
    assert_int_equal(erase_ask(&W.mentor2, W.pair_b, 0), 0);
    assert_int_equal(W.mentor2.rep.u.pair_erasure.consents.len, 1);
    assert_int_equal(erase(&W.mentor2, W.pair_b), BN_EINVAL);
    /* the administrator cannot erase it for them */
    assert_int_equal(erase(&W.admin, W.pair_b), BN_EDENIED);
    assert_non_null(
        strstr(W.admin.rep.u.error.message.ptr, "1 of its 2 members asked"));
    assert_int_equal(note_get(&W.mentee2, W.pair_b, 0x66, 0), 0);
    /* both asked: gone */
    assert_int_equal(erase_ask(&W.mentee2, W.pair_b, 0), 0);
    assert_int_equal(W.mentee2.rep.u.pair_erasure.pair.status, BN_PAIR_ERASED);
    assert_int_equal(pair_get(&W.mentor2, W.pair_b), BN_ENOTFOUND);
    assert_int_equal(erase(&W.mentee2, W.pair_b), 0);
    assert_int_equal(erase(&W.admin, W.pair_b), 0);
}

/* Nobody asks for another member: an entry the mentee signed, sent by the
 * mentor, is refused, and nothing is recorded for the mentee. */
static void test_consent_is_the_members(void **state)
{
    bn_msg m;
    (void)state;
    assert_int_equal(pair_end(&W.mentee, W.pair_a, BN_END_WITHDRAWN), 0);
    bn_msg_init(&m, BN_MSG_PAIR_ERASE, 0);
    m.u.pair_erase.pair_id = W.pair_a;
    log_sign(&W.mentee, &m, W.pair_a);
    assert_int_equal(call(&W.mentor, &m), BN_EINVAL);
    assert_int_equal(erase_ask(&W.mentor, W.pair_a, 0), 0);
    assert_int_equal(W.mentor.rep.u.pair_erasure.consents.len, 1);
    assert_int_equal(W.mentor.rep.u.pair_erasure.consents.v[0].account_id,
                     W.mentor.account);
    assert_int_equal(W.mentor.rep.u.pair_erasure.pair.status,
                     BN_PAIR_WITHDRAWN);
    assert_int_equal(note_get(&W.mentee, W.pair_a, 0x55, 0), 0);
}

struct counts {
    unsigned n[BND_DB_COUNT];
};

static void count_pair(uint64_t pair, struct counts *c)
{
    MDB_txn *txn;
    /* the pair's id as a first part (u64): every database keyed by pair */
    bnd_key k = bnd_key_pairs(pair);
    memset(c, 0, sizeof *c);
    assert_int_equal(bnd_store_read_begin(W.srv->store, &txn), 0);
    for (int db = 0; db < BND_DB_COUNT; db++) {
        MDB_cursor *cur;
        MDB_val key = bnd_key_val(&k), v;
        assert_int_equal(
            mdb_cursor_open(txn, bnd_store_dbi(W.srv->store, db), &cur), 0);
        int rc = mdb_cursor_get(cur, &key, &v, MDB_SET_RANGE);
        while (rc == 0 && bnd_key_has_prefix(&key, &k)) {
            c->n[db]++;
            rc = mdb_cursor_get(cur, &key, &v, MDB_NEXT);
        }
        mdb_cursor_close(cur);
    }
    bnd_store_read_end(W.srv->store, txn);
}

/* The administrator erases pair A once it ended: its ciphertext and keys
 * leave every database and the file itself; statistics stay. */
static void test_shredded(void **state)
{
    (void)state;
    struct counts before, after;
    uint8_t wrap[BN_WRAP_BYTES], entry[BN_LOG_ENTRY_BYTES];

    /* the test can see them before */
    assert_true(ct_on_disk(A.note_env, A.note_len));
    assert_true(ct_on_disk(A.obj_env, A.obj_len));
    assert_true(ct_on_disk(A.chunk, A.chunk_len));
    assert_int_equal(pair_get(&W.mentor, W.pair_a), 0);
    memcpy(wrap, W.mentor.rep.u.pair_detail.wraps.v[0].wrap, sizeof wrap);
    assert_true(ct_on_disk(wrap, sizeof wrap));
    bn_msg m;
    bn_msg_init(&m, BN_MSG_LOG_GET, 0);
    m.u.log_get.pair_id = W.pair_a;
    assert_int_equal(call(&W.mentor, &m), 0);
    assert_int_equal(W.mentor.rep.u.log.entries.v[0].entry.len, sizeof entry);
    memcpy(entry, W.mentor.rep.u.log.entries.v[0].entry.ptr, sizeof entry);
    assert_true(on_disk(entry + sizeof entry - 64, 64)); /* a signature */

    assert_int_equal(pair_end(&W.mentor, W.pair_a, BN_END_COMPLETED), 0);
    count_pair(W.pair_a, &before);
    assert_int_equal(erase_both(&W.mentor, &W.mentee, W.pair_a), 0);
    assert_int_equal(W.mentee.rep.u.pair_erasure.pair.status, BN_PAIR_ERASED);
    assert_int_equal(W.mentee.rep.u.pair_erasure.pair.end_reason,
                     BN_END_COMPLETED);
    count_pair(W.pair_a, &after);

    /* gone from the databases */
    assert_true(before.n[BND_DB_NOTE_ENVS] > 0);
    assert_int_equal(after.n[BND_DB_NOTE_ENVS], 0);
    assert_int_equal(after.n[BND_DB_WRAPS], 0);
    assert_int_equal(after.n[BND_DB_LOG], 0);
    assert_int_equal(after.n[BND_DB_DOCS], 0);
    assert_int_equal(after.n[BND_DB_DOC_CHUNKS], 0);
    /* the statistics stay */
    assert_int_equal(after.n[BND_DB_SESSIONS], before.n[BND_DB_SESSIONS]);
    assert_int_equal(after.n[BND_DB_OBJECTIVES], before.n[BND_DB_OBJECTIVES]);
    assert_int_equal(after.n[BND_DB_NOTES], before.n[BND_DB_NOTES]);
    assert_int_equal(after.n[BND_DB_MEMBERS], 2);
    assert_int_equal(after.n[BND_DB_ACCEPTS], 2);

    MDB_txn *txn;
    void *arena = NULL;
    bn_rec_objective o;
    bn_rec_session s;
    assert_int_equal(bnd_store_read_begin(W.srv->store, &txn), 0);
    assert_int_equal(bnd_rec_get(W.srv->store, txn,
                                 bnd_key_objectives(W.pair_a, A.objective), &o,
                                 &arena),
                     0);
    assert_int_equal(o.status, BN_OBJECTIVE_REACHED);
    assert_int_equal(o.reached_date, bn_date_today());
    assert_int_equal(o.envelope.len, 0);
    assert_int_equal(bnd_rec_get(W.srv->store, txn,
                                 bnd_key_sessions(W.pair_a, A.session), &s,
                                 &arena),
                     0);
    assert_int_equal(s.status, BN_SESSION_HELD);
    assert_int_equal(s.absent, BN_ABSENT_MENTOR);
    bnd_store_read_end(W.srv->store, txn);
    bn_arena_free(&arena);

    /* gone from every record (above) and from every free page: the
     * erased pages were zero-filled, not merely unlinked */
    assert_false(on_free_page(A.note_env + A.note_len / 2 - 24, 48));
    assert_false(on_free_page(A.obj_env + A.obj_len / 2 - 24, 48));
    assert_false(on_free_page(A.chunk + A.chunk_len / 2 - 24, 48));
    assert_false(on_free_page(wrap + sizeof wrap / 2 - 24, 48));
    assert_false(on_free_page(entry + 88, 64));
    /* nor anywhere else in the file: the unused space of live pages was
     * zeroed too (zero_gaps, issue 15) */
    assert_false(ct_on_disk(A.note_env, A.note_len));
    assert_false(ct_on_disk(A.obj_env, A.obj_len));
    assert_false(ct_on_disk(A.chunk, A.chunk_len));
    assert_false(ct_on_disk(wrap, sizeof wrap));
    assert_false(on_disk(entry + 88, 64));

    /* the members reach nothing of it; the administrator no longer
     * lists it */
    assert_int_equal(note_get(&W.mentee, W.pair_a, 0x55, 0), BN_ENOTFOUND);
    assert_int_equal(pair_get(&W.mentee, W.pair_a), BN_ENOTFOUND);
    bn_msg_init(&m, BN_MSG_PAIR_LIST, 0);
    assert_int_equal(call(&W.admin, &m), 0);
    for (uint32_t i = 0; i < W.admin.rep.u.pairs.items.len; i++)
        assert_int_not_equal(W.admin.rep.u.pairs.items.v[i].id, W.pair_a);
    /* and the same people may be paired again */
    uint64_t again;
    assert_int_equal(
        pair_create(W.prog1, W.mentor.account, W.mentee.account, &again), 0);
}

/* A member erases what they wrote, alone, at any time (pair A is
 * active): the mentor's note and document go, from the records and the
 * free pages, and their storage comes back; the mentee's note and
 * objective stay. An administrator has nothing of their own to erase. */
static void test_own_items(void **state)
{
    struct counts before, after;
    uint64_t used_before = 0, used_after = 0;
    MDB_txn *txn;
    (void)state;

    assert_int_equal(
        note_put(&W.mentee, W.pair_a, 0x56, 1, 0, "the mentee's report"), 0);
    count_pair(W.pair_a, &before);
    assert_int_equal(bnd_store_read_begin(W.srv->store, &txn), 0);
    assert_int_equal(bnd_quota_used(W.srv->store, txn, W.pair_a,
                                    W.mentor.account, &used_before),
                     0);
    bnd_store_read_end(W.srv->store, txn);
    assert_true(used_before > 0);

    assert_int_equal(erase(&W.admin, W.pair_a), BN_EINVAL); /* not ended */
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_ERASE, 0);
    m.u.pair_erase.pair_id = W.pair_a;
    m.u.pair_erase.mine = 1;
    assert_int_equal(call(&W.admin, &m), BN_EINVAL);

    assert_int_equal(erase_ask(&W.mentor, W.pair_a, 1), 0);
    assert_int_equal(W.mentor.rep.u.pair_erasure.items_erased, 2);
    assert_int_equal(W.mentor.rep.u.pair_erasure.pair.status, BN_PAIR_ACTIVE);
    count_pair(W.pair_a, &after);
    assert_int_equal(after.n[BND_DB_NOTES], before.n[BND_DB_NOTES] - 1);
    assert_int_equal(after.n[BND_DB_NOTE_ENVS], before.n[BND_DB_NOTE_ENVS] - 1);
    assert_int_equal(after.n[BND_DB_DOCS], 0);
    assert_int_equal(after.n[BND_DB_DOC_CHUNKS], 0);
    assert_int_equal(after.n[BND_DB_OBJECTIVES], before.n[BND_DB_OBJECTIVES]);
    assert_int_equal(after.n[BND_DB_LOG], before.n[BND_DB_LOG] + 1);
    assert_int_equal(after.n[BND_DB_SESSIONS], before.n[BND_DB_SESSIONS]);
    /* the mentor's note is gone for both; the mentee's stays */
    assert_int_equal(note_get(&W.mentee, W.pair_a, 0x55, 0), BN_ENOTFOUND);
    assert_int_equal(note_get(&W.mentor, W.pair_a, 0x55, 0), BN_ENOTFOUND);
    assert_int_equal(note_get(&W.mentor, W.pair_a, 0x56, 0), 0);
    assert_false(on_free_page(A.note_env + A.note_len / 2 - 24, 48));
    assert_false(on_free_page(A.chunk + A.chunk_len / 2 - 24, 48));
    assert_int_equal(bnd_store_read_begin(W.srv->store, &txn), 0);
    assert_int_equal(bnd_quota_used(W.srv->store, txn, W.pair_a,
                                    W.mentor.account, &used_after),
                     0);
    bnd_store_read_end(W.srv->store, txn);
    assert_int_equal(used_after, 0);
    /* again: nothing left of theirs */
    assert_int_equal(erase_ask(&W.mentor, W.pair_a, 1), 0);
    assert_int_equal(W.mentor.rep.u.pair_erasure.items_erased, 0);
    assert_int_equal(note_get(&W.mentee, W.pair_a, 0x56, 0), 0);
}

/* Moves pair's end date days back (a pair that ended long ago). */
static uint64_t backdate_pair;
static uint32_t backdate_days;
static int backdate(MDB_txn *txn, void *arg)
{
    bn_rec_pair p;
    void *arena = NULL;
    (void)arg;
    int rc = bnd_rec_get(W.srv->store, txn, bnd_key_pairs(backdate_pair), &p,
                         &arena);
    if (rc == 0) {
        p.end_date -= backdate_days;
        rc =
            bnd_rec_put(W.srv->store, txn, bnd_key_pairs(backdate_pair), &p, 0);
    }
    bn_arena_free(&arena);
    return rc;
}

/* The programme's retention period, set by an administrator only: before
 * it passed, the administrator cannot erase an ended pair and is told
 * from when; once it passed, the administrator erases it alone. */
static void test_retention(void **state)
{
    bn_msg m;
    char want[16];
    int y, mo, d;
    (void)state;

    bn_msg_init(&m, BN_MSG_RETENTION_SET, 0);
    m.u.retention_set.programme_id = W.prog1;
    m.u.retention_set.days = 30;
    assert_int_equal(call(&W.mentor2, &m), BN_EDENIED);
    assert_int_equal(call(&W.admin, &m), 0);
    m.u.retention_set.programme_id = 987654;
    assert_int_equal(call(&W.admin, &m), BN_ENOTFOUND);

    assert_int_equal(pair_end(&W.mentee2, W.pair_b, BN_END_WITHDRAWN), 0);
    assert_int_equal(erase(&W.admin, W.pair_b), BN_EDENIED);
    bn_date_to_ymd(bn_date_today() + 30, &y, &mo, &d);
    snprintf(want, sizeof want, "%04d-%02d-%02d", y, mo, d);
    assert_non_null(strstr(W.admin.rep.u.error.message.ptr, want));
    assert_int_equal(erase_ask(&W.mentor2, W.pair_b, 0), 0);
    assert_int_equal(W.mentor2.rep.u.pair_erasure.erase_after,
                     bn_date_today() + 30);
    assert_int_equal(W.mentor2.rep.u.pair_erasure.pair.status,
                     BN_PAIR_WITHDRAWN);

    backdate_pair = W.pair_b;
    backdate_days = 30;
    assert_int_equal(bnd_store_write(W.srv->store, backdate, NULL), 0);
    assert_int_equal(erase(&W.admin, W.pair_b), 0);
    assert_int_equal(W.admin.rep.u.pair_erasure.pair.status, BN_PAIR_ERASED);
    assert_int_equal(W.admin.rep.u.pair_erasure.pair.end_reason,
                     BN_END_WITHDRAWN);
}

BN_UNIT_GROUP(srv_erase);
