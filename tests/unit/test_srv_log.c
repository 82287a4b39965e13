/* test_srv_log: the pair's log on the server (DESIGN.md, "The pair's
 * log"): what a logged write must carry, retries, paging, races. */
/* sessions dated from 2024: the pairs start before (test_srv_world.h) */
#define WORLD_EARLY_START 18262u /* 2020-01-01 */
#include "test_srv_world.h"
#include "test_list.h"

#include "bnd_handlers.h"

/* ---- helpers --------------------------------------------------------------
 */

static int member_key(void *ctx, uint64_t author, uint8_t pk[32])
{
    (void)ctx;
    tclient *all[] = {&W.mentor, &W.mentee, &W.mentor2, &W.mentee2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i]->account == author) {
            memcpy(pk, all[i]->id->sign_pk, 32);
            return 0;
        }
    return BN_ENOTFOUND;
}

/* Fetches the whole log of pair as c, page by page, into *out (malloc'd):
 * returns the count; *pages gets the number of LOG replies. */
static size_t fetch_log(tclient *c, uint64_t pair, bn_log_entry **out,
                        unsigned *pages)
{
    size_t n = 0, cap = 0;
    bn_log_entry *v = NULL;
    bn_msg m;
    *pages = 0;
    for (;;) {
        bn_msg_init(&m, BN_MSG_LOG_GET, 0);
        m.u.log_get.pair_id = pair;
        m.u.log_get.from_seq = n + 1;
        assert_int_equal(call(c, &m), 0);
        assert_int_equal(c->rep.type, BN_MSG_LOG);
        (*pages)++;
        const bn_log *l = &c->rep.u.log;
        if (n + l->entries.len > cap) {
            cap = (n + l->entries.len) * 2;
            v = realloc(v, cap * sizeof *v);
            assert_non_null(v);
        }
        for (uint32_t i = 0; i < l->entries.len; i++)
            assert_int_equal(bn_log_entry_decode(&v[n++],
                                                 l->entries.v[i].entry.ptr,
                                                 l->entries.v[i].entry.len),
                             0);
        if (!l->more)
            break;
        assert_true(l->entries.len > 0);
    }
    *out = v;
    return n;
}

/* Checks the whole log of pair verifies and ends at PAIR_DETAIL's head;
 * returns its length. */
static uint64_t check_log(tclient *c, uint64_t pair)
{
    bn_log_entry *v = NULL;
    unsigned pages;
    uint8_t zero[32] = {0}, head[32], want[32];
    uint64_t seq, bad = 0;
    size_t n = fetch_log(c, pair, &v, &pages);

    assert_int_equal(
        bn_log_verify(pair, v, n, zero, member_key, NULL, head, &bad), 0);
    assert_int_equal(log_head(c, pair, &seq, want), 0);
    assert_int_equal(seq, n);
    assert_memory_equal(head, want, 32);
    free(v);
    return n;
}

static bn_msg session_msg(uint64_t pair, uint8_t status)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_SESSION_ADD, 0);
    m.u.session_add.pair_id = pair;
    m.u.session_add.date = bn_date_today();
    m.u.session_add.status = status;
    return m;
}

/* ---- tests -----------------------------------------------------------------
 */

/* Acceptances are the first entries, the first key the third; each
 * logged write adds one. */
static void test_append(void **state)
{
    (void)state;
    uint64_t seq = 0;
    uint8_t head[32], zero[32] = {0};

    assert_int_equal(log_head(&W.mentor, W.pair_a, &seq, head), 0);
    assert_int_equal(seq, 0);
    assert_memory_equal(head, zero, 32);
    activate(W.pair_a, &W.mentor, &W.mentee);
    assert_int_equal(check_log(&W.mentor, W.pair_a), 3);
    assert_int_equal(note_put(&W.mentor, W.pair_a, 0x100, 1, 0, "hello"), 0);
    assert_int_equal(note_put(&W.mentee, W.pair_a, 0x100, 2, 0, "hi"), 0);
    assert_int_equal(
        session_add(&W.mentee, W.pair_a, bn_date_today(), BN_SESSION_HELD, 0),
        0);
    assert_int_equal(check_log(&W.mentee, W.pair_a), 6);
    /* nobody outside the pair reads it; an administrator never does */
    bn_msg m;
    bn_msg_init(&m, BN_MSG_LOG_GET, 0);
    m.u.log_get.pair_id = W.pair_a;
    assert_int_equal(call(&W.admin, &m), BN_EDENIED);
    assert_int_equal(call(&W.mentor2, &m), BN_ENOTFOUND);
}

/* An entry that does not extend the head is BN_ESTALE; nothing lands. */
static void test_stale(void **state)
{
    (void)state;
    uint64_t seq = 0, after = 0;
    uint8_t head[32], h2[32], junk[32];
    bn_msg m = session_msg(W.pair_a, BN_SESSION_PLANNED);

    assert_int_equal(log_head(&W.mentor, W.pair_a, &seq, head), 0);
    make_entry(&W.mentor, &m, W.pair_a, seq, head); /* a seq already used */
    assert_int_equal(call(&W.mentor, &m), BN_ESTALE);
    make_entry(&W.mentor, &m, W.pair_a, seq + 2, head); /* a gap */
    assert_int_equal(call(&W.mentor, &m), BN_ESTALE);
    randombytes_buf(junk, sizeof junk); /* the right seq, another prev */
    make_entry(&W.mentor, &m, W.pair_a, seq + 1, junk);
    assert_int_equal(call(&W.mentor, &m), BN_ESTALE);
    assert_int_equal(log_head(&W.mentor, W.pair_a, &after, h2), 0);
    assert_int_equal(after, seq);
    assert_memory_equal(h2, head, 32);
    /* the same request, signed on the head: lands */
    make_entry(&W.mentor, &m, W.pair_a, seq + 1, head);
    assert_int_equal(call(&W.mentor, &m), 0);
}

/* The author is the caller, the signature the caller's, the body hash
 * this request's, the entry present and whole. */
static void test_entry_checks(void **state)
{
    (void)state;
    uint64_t seq = 0, after = 0;
    uint8_t head[32], h2[32];
    bn_msg m = session_msg(W.pair_a, BN_SESSION_HELD);

    assert_int_equal(log_head(&W.mentor, W.pair_a, &seq, head), 0);
    /* made and signed by the mentee, sent by the mentor */
    make_entry(&W.mentee, &m, W.pair_a, seq + 1, head);
    assert_int_equal(call(&W.mentor, &m), BN_EINVAL);
    /* a bad signature */
    make_entry(&W.mentor, &m, W.pair_a, seq + 1, head);
    W.mentor.entry[BN_LOG_ENTRY_BYTES - 1] ^= 1;
    assert_int_equal(call(&W.mentor, &m), BN_ESIG);
    /* claims to be the mentor, signed with another key */
    bn_identity *saved = W.mentor.id;
    W.mentor.id = W.mentee.id;
    make_entry(&W.mentor, &m, W.pair_a, seq + 1, head);
    W.mentor.id = saved;
    assert_int_equal(call(&W.mentor, &m), BN_ESIG);
    /* made for another request (another date), sent with this one */
    make_entry(&W.mentor, &m, W.pair_a, seq + 1, head);
    m.u.session_add.date -= 1;
    assert_int_equal(call(&W.mentor, &m), BN_EINVAL);
    m.u.session_add.date += 1;
    /* for the same request in another pair */
    make_entry(&W.mentor, &m, W.pair_b, seq + 1, head);
    assert_int_equal(call(&W.mentor, &m), BN_ESIG);
    /* none, or a cut one */
    bn_bin *e = entry_of(&m);
    e->ptr = NULL;
    e->len = 0;
    assert_int_equal(call(&W.mentor, &m), BN_EINVAL);
    make_entry(&W.mentor, &m, W.pair_a, seq + 1, head);
    e->len = 100;
    assert_int_equal(call(&W.mentor, &m), BN_EINVAL);
    assert_int_equal(log_head(&W.mentor, W.pair_a, &after, h2), 0);
    assert_int_equal(after, seq);
    /* every logged write refuses a write without an entry */
    bn_msg_init(&m, BN_MSG_PAIR_END, 0);
    m.u.pair_end.pair_id = W.pair_a;
    m.u.pair_end.reason = BN_END_COMPLETED;
    m.u.pair_end.date = bn_date_today();
    m.u.pair_end.override = 1; /* before the minimum duration */
    assert_int_equal(call(&W.mentor, &m), BN_EINVAL);
    assert_int_equal(pair_get(&W.mentor, W.pair_a), 0);
    assert_int_equal(W.mentor.rep.u.pair_detail.pair.status, BN_PAIR_ACTIVE);
}

/* The record's own checks come first: a stale revision stays
 * BN_ECONFLICT whatever the entry. */
static void test_record_checks_first(void **state)
{
    (void)state;
    size_t len;
    uint8_t *env = seal(&W.mentor, W.pair_a, 0x100, 1, 0, "old", &len);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_NOTE_PUT, 0);
    m.u.note_put.pair_id = W.pair_a;
    m.u.note_put.note_id = 0x100;
    m.u.note_put.revision = 1; /* the note is at revision 2 */
    m.u.note_put.kind = BN_KIND_REPORT;
    m.u.note_put.epoch = 1;
    m.u.note_put.envelope.ptr = env;
    m.u.note_put.envelope.len = (uint32_t)len;
    uint8_t zero[32] = {0};
    make_entry(&W.mentor, &m, W.pair_a, 1, zero); /* stale too */
    assert_int_equal(call(&W.mentor, &m), BN_ECONFLICT);
    free(env);
}

/* A write that landed, sent again with its entry, lands nothing more. */
static void test_retry_appends_nothing(void **state)
{
    (void)state;
    uint64_t seq = 0, after = 0, sid;
    uint8_t head[32], h2[32];
    bn_msg m = session_msg(W.pair_a, BN_SESSION_HELD);

    m.u.session_add.absent = BN_ABSENT_MENTEE;
    assert_int_equal(call_logged(&W.mentee, &m, W.pair_a), 0);
    sid = W.mentee.rep.u.session.session.id;
    assert_int_equal(log_head(&W.mentee, W.pair_a, &seq, head), 0);
    assert_int_equal(sid, seq); /* a session's id is its entry's seq */
    /* the reply was lost: the very same request again */
    assert_int_equal(call(&W.mentee, &m), 0);
    assert_int_equal(W.mentee.rep.type, BN_MSG_SESSION);
    assert_int_equal(W.mentee.rep.u.session.session.id, sid);
    assert_int_equal(log_head(&W.mentee, W.pair_a, &after, h2), 0);
    assert_int_equal(after, seq);
    assert_memory_equal(h2, head, 32);
    /* its entry with another body is not a retry */
    m.u.session_add.absent = 0;
    assert_int_equal(call(&W.mentee, &m), BN_EINVAL);

    /* a note revision again, re-signed on the new head (the client
     * fetched it after reconnecting): a success, nothing appended */
    size_t len;
    uint8_t *env = seal(&W.mentor, W.pair_a, 0x200, 1, 0, "once", &len);
    assert_int_equal(note_put_env(&W.mentor, W.pair_a, 0x200, 1, 0, env, len),
                     0);
    assert_int_equal(log_head(&W.mentor, W.pair_a, &seq, head), 0);
    assert_int_equal(note_put_env(&W.mentor, W.pair_a, 0x200, 1, 0, env, len),
                     0);
    assert_int_equal(log_head(&W.mentor, W.pair_a, &after, h2), 0);
    assert_int_equal(after, seq);
    free(env);
    check_log(&W.mentor, W.pair_a);
}

/* fixes for make_entry_fixed: an entry that says another write */
static void other_revision(bn_log_entry *e)
{
    e->sub += 1;
}
static void other_note(bn_log_entry *e)
{
    e->item += 1;
}
static void other_op(bn_log_entry *e)
{
    e->op = BN_MSG_SESSION_UPDATE;
}
static void marked_private(bn_log_entry *e)
{
    e->flags = BN_LOG_F_PRIVATE;
}
static void other_body(bn_log_entry *e)
{
    e->body_hash[0] ^= 1;
}

/* A new write carries a version 2 entry whose op, item, sub, flags and
 * body hash are those of its request; a version 1 entry (what schema 3
 * stored) is refused for a new write. Nothing lands. */
static void test_entry_says_the_write(void **state)
{
    (void)state;
    void (*fixes[])(bn_log_entry *) = {other_revision, other_note, other_op,
                                       marked_private, other_body};
    uint64_t seq = 0, after = 0;
    uint8_t head[32], h2[32];
    size_t len;
    uint8_t *env = seal(&W.mentor, W.pair_a, 0x300, 1, 0, "first", &len);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_NOTE_PUT, 0);
    m.u.note_put.pair_id = W.pair_a;
    m.u.note_put.note_id = 0x300;
    m.u.note_put.revision = 1;
    m.u.note_put.kind = BN_KIND_REPORT;
    m.u.note_put.epoch = 1;
    m.u.note_put.envelope = (bn_bin){env, (uint32_t)len};

    assert_int_equal(log_head(&W.mentor, W.pair_a, &seq, head), 0);
    for (size_t i = 0; i < sizeof fixes / sizeof fixes[0]; i++) {
        make_entry_fixed(&W.mentor, &m, W.pair_a, seq + 1, head, fixes[i]);
        assert_int_equal(call(&W.mentor, &m), BN_EINVAL);
    }
    /* a version 1 entry, well signed, with the v1 body hash */
    bn_log_entry e;
    memset(&e, 0, sizeof e);
    e.version = 1;
    e.seq = seq + 1;
    memcpy(e.prev, head, 32);
    assert_int_equal(bn_log_body_hash(e.body_hash, &m), 0);
    e.author_id = W.mentor.account;
    e.time = bn_now();
    assert_int_equal(bn_test_log_finish(&e, &m, W.pair_a, W.mentor.id->sign_sk,
                                        W.mentor.entry, NULL),
                     0);
    assert_int_equal(entry_of(&m)->len, BN_LOG_ENTRY_V1_BYTES);
    assert_int_equal(call(&W.mentor, &m), BN_EINVAL);
    /* a version 2 length with the version byte of 1 */
    make_entry(&W.mentor, &m, W.pair_a, seq + 1, head);
    W.mentor.entry[0] = 1;
    assert_int_equal(call(&W.mentor, &m), BN_EINVAL);
    assert_int_equal(log_head(&W.mentor, W.pair_a, &after, h2), 0);
    assert_int_equal(after, seq);
    assert_int_equal(note_get(&W.mentor, W.pair_a, 0x300, 0), BN_ENOTFOUND);
    /* the entry that says this write: lands, and LOG_GET serves it whole */
    make_entry(&W.mentor, &m, W.pair_a, seq + 1, head);
    assert_int_equal(call(&W.mentor, &m), 0);
    bn_msg g;
    bn_msg_init(&g, BN_MSG_LOG_GET, 0);
    g.u.log_get.pair_id = W.pair_a;
    g.u.log_get.from_seq = seq + 1;
    assert_int_equal(call(&W.mentee, &g), 0);
    assert_int_equal(W.mentee.rep.u.log.entries.len, 1);
    bn_bin got = W.mentee.rep.u.log.entries.v[0].entry;
    assert_int_equal(got.len, BN_LOG_ENTRY_BYTES);
    assert_int_equal(bn_log_entry_decode(&e, got.ptr, got.len), 0);
    assert_int_equal(e.op, BN_MSG_NOTE_PUT);
    assert_int_equal(e.item, 0x300);
    assert_int_equal(e.sub, 1);
    assert_int_equal(bn_log_entry_matches(&e, &m), 0);
    free(env);
}

/* Two members sign on the same head: one lands, the other is BN_ESTALE,
 * re-signs on the new head and lands after it. */
static void test_race(void **state)
{
    (void)state;
    uint64_t seq = 0, after = 0;
    uint8_t head[32], h2[32];
    bn_msg a = session_msg(W.pair_a, BN_SESSION_PLANNED);
    bn_msg b = session_msg(W.pair_a, BN_SESSION_CANCELLED);

    assert_int_equal(log_head(&W.mentor, W.pair_a, &seq, head), 0);
    make_entry(&W.mentor, &a, W.pair_a, seq + 1, head);
    make_entry(&W.mentee, &b, W.pair_a, seq + 1, head);
    send_req(&W.mentor, &a);
    send_req(&W.mentee, &b);
    int ra = wait_reply(&W.mentor, &a);
    int rb = wait_reply(&W.mentee, &b);
    assert_true((ra == 0 && rb == BN_ESTALE) || (ra == BN_ESTALE && rb == 0));
    tclient *loser = ra == 0 ? &W.mentee : &W.mentor;
    bn_msg *lm = ra == 0 ? &b : &a;
    assert_int_equal(call_logged(loser, lm, W.pair_a), 0);
    assert_int_equal(log_head(&W.mentor, W.pair_a, &after, h2), 0);
    assert_int_equal(after, seq + 2);
    check_log(&W.mentee, W.pair_a);
}

/* LOG pages hold at most BND_PAGE entries; from_seq picks up. */
static void test_paging(void **state)
{
    (void)state;
    uint64_t seq = 0;
    uint8_t head[32];
    assert_int_equal(log_head(&W.mentor, W.pair_a, &seq, head), 0);
    while (seq < BND_PAGE + 10) {
        bn_msg m = session_msg(W.pair_a, BN_SESSION_HELD);
        tclient *c = seq % 2 ? &W.mentor : &W.mentee;
        make_entry(c, &m, W.pair_a, seq + 1, head);
        assert_int_equal(call(c, &m), 0);
        assert_int_equal(log_head(c, W.pair_a, &seq, head), 0);
    }
    bn_log_entry *v;
    unsigned pages;
    size_t n = fetch_log(&W.mentor, W.pair_a, &v, &pages);
    assert_int_equal(n, seq);
    assert_int_equal(pages, 2);
    free(v);
    /* a page from the middle */
    bn_msg m;
    bn_msg_init(&m, BN_MSG_LOG_GET, 0);
    m.u.log_get.pair_id = W.pair_a;
    m.u.log_get.from_seq = seq - 2;
    assert_int_equal(call(&W.mentee, &m), 0);
    assert_int_equal(W.mentee.rep.u.log.entries.len, 3);
    assert_false(W.mentee.rep.u.log.more);
    bn_log_entry e;
    assert_int_equal(
        bn_log_entry_decode(&e, W.mentee.rep.u.log.entries.v[0].entry.ptr,
                            W.mentee.rep.u.log.entries.v[0].entry.len),
        0);
    assert_int_equal(e.seq, seq - 2);
    m.u.log_get.from_seq = seq + 1;
    assert_int_equal(call(&W.mentee, &m), 0);
    assert_int_equal(W.mentee.rep.u.log.entries.len, 0);
    check_log(&W.mentee, W.pair_a);
}

/* Ending is logged; an ended pair takes no more entries. */
static void test_end_logged(void **state)
{
    (void)state;
    uint64_t seq = 0, after = 0;
    uint8_t head[32];
    assert_int_equal(log_head(&W.mentee, W.pair_a, &seq, head), 0);
    assert_int_equal(pair_end(&W.mentee, W.pair_a, BN_END_COMPLETED), 0);
    assert_int_equal(log_head(&W.mentee, W.pair_a, &after, head), 0);
    assert_int_equal(after, seq + 1);
    assert_int_equal(
        session_add(&W.mentor, W.pair_a, bn_date_today(), BN_SESSION_HELD, 0),
        BN_EENDED);
    assert_int_equal(check_log(&W.mentor, W.pair_a), seq + 1);
}

BN_UNIT_GROUP(srv_log);
