/* test_srv_dos: what an outsider or a member cannot do to the daemon's
 * availability for others, without a socket (the connection limits are in
 * tests/integration/test_dos.c): a flood of JOINs with bad tokens is
 * answered on the loop thread and never becomes a writer job; storage
 * quotas per pair and per account refuse the writer who is over and
 * nobody else, come back when a pair is erased or an upload starts over,
 * and are counted again for a data directory made before them. */
#include "test_srv_world.h"
#include "test_list.h"

#include "bnd_quota.h"

#define FLOOD 1000

static tclient mentee4;
static uint64_t pair_c; /* W.mentor and mentee4, once pair_a has ended */

/* ---- helpers ---------------------------------------------------------------
 */

/* What pair (account 0) or account (pair 0) stores now. */
static uint64_t used(uint64_t pair, uint64_t account)
{
    MDB_txn *txn = NULL;
    uint64_t v = 0;
    assert_int_equal(bnd_store_read_begin(W.srv->store, &txn), 0);
    assert_int_equal(bnd_quota_used(W.srv->store, txn, pair, account, &v), 0);
    bnd_store_read_end(W.srv->store, txn);
    return v;
}

/* A note of about size bytes (padded by the envelope) as revision 1 of a
 * new note of c in pair. */
static int note_of(tclient *c, uint64_t pair, size_t size)
{
    char *text = malloc(size + 1);
    assert_non_null(text);
    memset(text, 'q', size);
    text[size] = '\0';
    bn_note_ad ad = {pair, 0, 1, c->account, BN_KIND_REPORT, 0, 0};
    uint8_t *env = NULL;
    size_t len;
    ad.note_id = bn_random_u64() | 1;
    assert_int_equal(bn_envelope_seal(&env, &len, W.pair_key, 1, &ad,
                                      (const uint8_t *)text, size,
                                      c->id->sign_sk),
                     0);
    int rc = note_put_env(c, pair, ad.note_id, 1, 0, env, len);
    free(env);
    free(text);
    return rc;
}

static int objective_of(tclient *c, uint64_t pair)
{
    bn_note_ad ad = {pair, 0, 1, c->account, BN_AD_KIND_OBJECTIVE, 0, 0};
    uint8_t *env = NULL;
    size_t len;
    bn_msg m;
    ad.note_id = bn_random_u64() | 1;
    assert_int_equal(bn_envelope_seal(&env, &len, W.pair_key, 1, &ad,
                                      (const uint8_t *)"grow", 4,
                                      c->id->sign_sk),
                     0);
    bn_msg_init(&m, BN_MSG_OBJECTIVE_ADD, 0);
    m.u.objective_add.pair_id = pair;
    m.u.objective_add.objective_id = ad.note_id;
    m.u.objective_add.epoch = 1;
    m.u.objective_add.date = bn_date_today();
    m.u.objective_add.envelope = (bn_bin){env, (uint32_t)len};
    int rc = call_logged(c, &m, pair);
    free(env);
    return rc;
}

/* The error message of c's last reply (an ERROR). */
static const char *errmsg(const tclient *c)
{
    static char buf[BN_ERRMSG_MAX + 1];
    assert_int_equal(c->rep.type, BN_MSG_ERROR);
    snprintf(buf, sizeof buf, "%.*s", (int)c->rep.u.error.message.len,
             c->rep.u.error.message.ptr);
    return buf;
}

static void quotas(uint64_t pair_bytes, uint64_t account_bytes)
{
    W.srv->cfg.quota_pair_bytes = pair_bytes;
    W.srv->cfg.quota_account_bytes = account_bytes;
}

static int dos_setup(void **state)
{
    setup(state);
    activate(W.pair_a, &W.mentor, &W.mentee);
    activate(W.pair_b, &W.mentor2, &W.mentee2);
    join_as(&mentee4, W.prog1, BN_ROLE_MENTEE, "Ines");
    return 0;
}

static int dos_teardown(void **state)
{
    client_free(&mentee4);
    return teardown(state);
}

/* ---- JOIN ------------------------------------------------------------------
 */

/* Sends a JOIN for token on a new connection: the reply must be there when
 * bnd_dispatch_frame returns (the loop has not run: no writer job could
 * have answered), with the close flag. */
static void join_refused_at_once(const uint8_t token[32], int code)
{
    tclient c;
    bn_msg m;
    client_init(&c);
    bn_msg_init(&m, BN_MSG_JOIN, 0);
    memcpy(m.u.join.token, token, 32);
    m.u.join.name = (bn_str){"Flood", 5};
    memcpy(m.u.join.sign_pk, c.id->sign_pk, 32);
    memcpy(m.u.join.box_pk, c.id->box_pk, 32);
    assert_int_equal(bn_login_sign(m.u.join.sig, &c.ch, c.id->sign_sk), 0);
    send_req(&c, &m);
    assert_int_equal(c.got, 1);
    assert_int_equal(c.rep.type, BN_MSG_ERROR);
    assert_int_equal(c.rep.u.error.code, code);
    assert_true(c.flags & BND_REPLY_CLOSE);
    assert_false(c.s.logged_in);
    client_free(&c);
}

/* A flood of JOINs with unknown, used and expired tokens: every one is
 * answered on the loop thread, and the writer is never given a job. */
static void test_join_flood_never_reaches_writer(void **state)
{
    uint8_t token[32], expired[32];
    (void)state;

    randombytes_buf(expired, sizeof expired);
    invite_expired(expired);
    unsigned long jobs = bnd_writer_submitted(W.srv->writer);
    unsigned long batches = bnd_writer_batches(W.srv->writer);
    for (int i = 0; i < FLOOD; i++) {
        randombytes_buf(token, sizeof token);
        join_refused_at_once(token, BN_ENOTFOUND);
    }
    join_refused_at_once(W.admin_token, BN_EUSED); /* used by setup */
    join_refused_at_once(expired, BN_EEXPIRED);
    assert_int_equal(bnd_writer_submitted(W.srv->writer), jobs);
    assert_int_equal(bnd_writer_pending(W.srv->writer), 0);
    assert_int_equal(bnd_writer_batches(W.srv->writer), batches);

    /* A good token still goes to the writer (and is checked there too). */
    tclient c;
    client_init(&c);
    invite(W.prog1, BN_ROLE_MENTEE, token);
    jobs = bnd_writer_submitted(W.srv->writer);
    assert_int_equal(join(&c, token, "Real"), 0);
    assert_int_equal(bnd_writer_submitted(W.srv->writer), jobs + 1);
    client_free(&c);
}

/* ---- quotas ----------------------------------------------------------------
 */

/* A member who fills the pair's quota is refused, and so is the other
 * member of that pair, with BN_EQUOTA and a message naming the setting;
 * another pair keeps writing; a retry of what landed is still a success;
 * nothing is charged for a refused write. */
static void test_pair_quota(void **state)
{
    (void)state;
    uint64_t base = used(W.pair_a, 0);
    quotas(base + 16 * 1024, UINT64_MAX);

    int n = 0, rc;
    while ((rc = note_of(&W.mentor, W.pair_a, 1000)) == 0)
        n++;
    assert_int_equal(rc, BN_EQUOTA);
    assert_non_null(strstr(errmsg(&W.mentor), "quota_pair_mib"));
    assert_true(n >= 8 && n <= 16);
    uint64_t full = used(W.pair_a, 0);
    assert_true(full <= base + 16 * 1024);
    assert_true(full > base + 16 * 1024 - 2000);

    /* the pair is full for its other member too, for every kind of write
     * (the quota set to what is stored: a small write would still fit) */
    quotas(full, UINT64_MAX);
    assert_int_equal(note_of(&W.mentee, W.pair_a, 1000), BN_EQUOTA);
    assert_int_equal(objective_of(&W.mentee, W.pair_a), BN_EQUOTA);
    assert_int_equal(
        session_add(&W.mentee, W.pair_a, bn_date_today(), BN_SESSION_HELD, 0),
        BN_EQUOTA);
    assert_int_equal(used(W.pair_a, 0), full);

    /* another pair goes on (under the same quota, of its own) */
    for (int i = 0; i < 5; i++)
        assert_int_equal(note_of(&W.mentor2, W.pair_b, 1000), 0);
    assert_int_equal(objective_of(&W.mentee2, W.pair_b), 0);

    /* a retry of a landed revision stores nothing: still a success */
    size_t len;
    uint8_t *env = seal(&W.mentor, W.pair_a, 77, 1, 0, "retry", &len);
    quotas(UINT64_MAX, UINT64_MAX);
    assert_int_equal(note_put_env(&W.mentor, W.pair_a, 77, 1, 0, env, len), 0);
    quotas(used(W.pair_a, 0), UINT64_MAX);
    assert_int_equal(note_put_env(&W.mentor, W.pair_a, 77, 1, 0, env, len), 0);
    free(env);
    quotas(UINT64_MAX, UINT64_MAX);
}

/* A member over the account's quota is refused, in their pair and in
 * their next pair while the ended one keeps its bytes; their partners and
 * other pairs keep writing. */
static void test_account_quota(void **state)
{
    (void)state;
    uint64_t mine = used(0, W.mentor.account);
    assert_true(mine > 0);
    assert_int_equal(mine, used(W.pair_a, W.mentor.account));
    quotas(UINT64_MAX, mine + 4096);

    int n = 0, rc;
    while ((rc = note_of(&W.mentor, W.pair_a, 1000)) == 0)
        n++;
    assert_int_equal(rc, BN_EQUOTA);
    assert_true(n >= 1 && n <= 4);
    assert_non_null(strstr(errmsg(&W.mentor), "quota_account_mib"));
    quotas(UINT64_MAX, used(0, W.mentor.account)); /* not a byte more */
    assert_int_equal(objective_of(&W.mentor, W.pair_a), BN_EQUOTA);

    /* the partner, and another pair, are not held back */
    assert_int_equal(note_of(&W.mentee, W.pair_a, 1000), 0);
    assert_int_equal(note_of(&W.mentee2, W.pair_b, 1000), 0);

    /* the pair ends; the mentor's next pair: still over, the new mentee
     * writes */
    assert_int_equal(pair_end(&W.mentee, W.pair_a, BN_END_COMPLETED), 0);
    assert_int_equal(
        pair_create(W.prog1, W.mentor.account, mentee4.account, &pair_c), 0);
    activate(pair_c, &W.mentor, &mentee4);
    assert_int_equal(note_of(&W.mentor, pair_c, 100), BN_EQUOTA);
    assert_int_equal(note_of(&mentee4, pair_c, 1000), 0);
}

/* Erasing an ended pair gives its bytes back to the pair and to each of
 * its members' accounts. */
static void test_erase_gives_back(void **state)
{
    (void)state;
    uint64_t mine = used(0, W.mentor.account);
    uint64_t in_a = used(W.pair_a, W.mentor.account);
    uint64_t theirs = used(0, W.mentee.account);
    uint64_t theirs_a = used(W.pair_a, W.mentee.account);
    assert_true(in_a > 0 && theirs_a > 0);
    assert_int_equal(mine, in_a);
    assert_int_equal(note_of(&W.mentor, pair_c, 100), BN_EQUOTA);

    assert_int_equal(erase_both(&W.mentor, &W.mentee, W.pair_a), 0);

    assert_int_equal(used(W.pair_a, 0), 0);
    assert_int_equal(used(W.pair_a, W.mentor.account), 0);
    assert_int_equal(used(0, W.mentor.account), 0);
    assert_int_equal(used(0, W.mentee.account), theirs - theirs_a);
    assert_int_equal(note_of(&W.mentor, pair_c, 100), 0);
    quotas(UINT64_MAX, UINT64_MAX);
}

/* Document chunks are charged as they land; an upload over the quota is
 * refused at the chunk that would cross it; starting the upload over gives
 * its chunks back. */
static void test_doc_quota(void **state)
{
    static uint8_t buf[BN_DOC_CHUNK_MAX];
    (void)state;
    uint8_t key[32], header[BN_DOC_STREAM_HEADER_BYTES];
    bn_doc_stream st;
    uint64_t doc = bn_random_u64() | 1;
    bn_note_ad ad = {pair_c, doc, 1, mentee4.account, BN_AD_KIND_DOC_KEY, 0, 0};
    uint8_t *kenv = NULL, *henv = NULL;
    size_t klen, hlen;
    bn_msg m;

    bn_doc_key_generate(key);
    assert_int_equal(bn_doc_push_init(&st, header, key), 0);
    assert_int_equal(bn_envelope_seal(&kenv, &klen, W.pair_key, 1, &ad, key, 32,
                                      mentee4.id->sign_sk),
                     0);
    ad.kind = BN_AD_KIND_DOC_HEADER;
    assert_int_equal(bn_envelope_seal(&henv, &hlen, key, 1, &ad,
                                      (const uint8_t *)"f.pdf", 5,
                                      mentee4.id->sign_sk),
                     0);
    bn_msg_init(&m, BN_MSG_DOC_BEGIN, 0);
    m.u.doc_begin.pair_id = pair_c;
    m.u.doc_begin.doc_id = doc;
    m.u.doc_begin.epoch = 1;
    m.u.doc_begin.key_env = (bn_bin){kenv, (uint32_t)klen};
    m.u.doc_begin.header_env = (bn_bin){henv, (uint32_t)hlen};
    memcpy(m.u.doc_begin.stream_header, header, sizeof header);

    uint64_t before = used(pair_c, 0);
    assert_int_equal(call(&mentee4, &m), 0);
    uint64_t begun = used(pair_c, 0);
    assert_int_equal(begun - before, klen + hlen + BND_QUOTA_ITEM_BYTES);
    quotas(begun + 3 * (BN_DOC_CHUNK_MAX + BND_QUOTA_ITEM_BYTES), UINT64_MAX);

    uint32_t i = 0;
    int rc;
    do {
        static uint8_t pt[BN_DOC_CHUNK];
        bn_msg c;
        assert_int_equal(bn_doc_push(&st, buf, doc, pt, BN_DOC_CHUNK, 0), 0);
        bn_msg_init(&c, BN_MSG_DOC_CHUNK, 0);
        c.u.doc_chunk.pair_id = pair_c;
        c.u.doc_chunk.doc_id = doc;
        c.u.doc_chunk.index = i;
        c.u.doc_chunk.data =
            (bn_bin){buf, (uint32_t)(BN_DOC_CHUNK + BN_DOC_CHUNK_OVERHEAD)};
        rc = call(&mentee4, &c);
        if (rc == 0)
            i++;
    } while (rc == 0 && i < 10);
    assert_int_equal(rc, BN_EQUOTA);
    assert_int_equal(i, 3);
    assert_int_equal(used(pair_c, 0), begun + 3 * ((uint64_t)BN_DOC_CHUNK +
                                                   BN_DOC_CHUNK_OVERHEAD +
                                                   BND_QUOTA_ITEM_BYTES));
    /* the other pair is not held back */
    assert_int_equal(note_of(&W.mentor2, W.pair_b, 1000), 0);

    /* starting over drops the chunks and gives them back */
    assert_int_equal(call(&mentee4, &m), 0);
    assert_int_equal(used(pair_c, 0), begun);
    quotas(UINT64_MAX, UINT64_MAX);
    bn_doc_stream_wipe(&st);
    free(kenv);
    free(henv);
}

static int drop_quota(MDB_txn *txn, void *arg)
{
    bnd_store *st = arg;
    return bnd_mdb_err(mdb_drop(txn, bnd_store_dbi(st, BND_DB_QUOTA), 0));
}

/* A data directory made before quotas (an empty quota database) is
 * counted when the daemon opens it: the same totals as counted live. */
static void test_counted_at_open(void **state)
{
    (void)state;
    uint64_t b = used(W.pair_b, 0), m2 = used(0, W.mentor2.account);
    uint64_t c = used(pair_c, 0), m = used(0, W.mentor.account);
    assert_true(b > 0 && m2 > 0 && c > 0 && m > 0);
    bnd_config cfg = W.srv->cfg;
    assert_int_equal(bnd_store_write(W.srv->store, drop_quota, W.srv->store),
                     0);
    assert_int_equal(used(W.pair_b, 0), 0);
    bnd_server_close(W.srv); /* runs the loop until its handles close */
    assert_int_equal(bnd_server_open(&W.srv, &cfg, &W.loop), 0);
    assert_int_equal(used(W.pair_b, 0), b);
    assert_int_equal(used(0, W.mentor2.account), m2);
    assert_int_equal(used(pair_c, 0), c);
    assert_int_equal(used(0, W.mentor.account), m);
    assert_int_equal(used(W.pair_a, 0), 0); /* erased */
}

BN_UNIT_GROUP(srv_dos);
