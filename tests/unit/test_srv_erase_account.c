/* test_srv_erase_account: ACCOUNT_ERASE (issue 15; DESIGN.md, "Erasing an
 * account"): who may erase which account, never while it is in a pending
 * or active pair; what the records hold afterwards (no name, zero keys,
 * the erased date), what stays for the member who remains (the person's
 * keys for that pair, its notes, the wraps its log covers), what goes
 * once nobody remains (every ciphertext and wrap), and that the
 * programme's counts do not move. */
#include "test_srv_world.h"
#include "test_list.h"

#include "bnd_handlers.h"

static struct {
    uint8_t *note_env;
    size_t note_len;
} E;

static int local_setup(void **state)
{
    int rc = setup(state);
    if (rc == 0) {
        activate(W.pair_a, &W.mentor, &W.mentee);
        E.note_env = seal(&W.mentee, W.pair_a, 0x51, 1, 0, "mentee's words",
                          &E.note_len);
        assert_int_equal(note_put_env(&W.mentee, W.pair_a, 0x51, 1, 0,
                                      E.note_env, E.note_len),
                         0);
        assert_int_equal(session_add(&W.mentor, W.pair_a, bn_date_today(),
                                     BN_SESSION_HELD, 0),
                         0);
    }
    return rc;
}

static int local_teardown(void **state)
{
    free(E.note_env);
    E.note_env = NULL;
    return teardown(state);
}

/* ACCOUNT_ERASE by c of account (0: c's own) in programme. */
static int erase_account(tclient *c, uint64_t account, uint64_t programme)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_ACCOUNT_ERASE, 0);
    m.u.account_erase.account_id = account;
    m.u.account_erase.programme_id = programme;
    return call(c, &m);
}

/* The stored account record (copied: its name points into *arena). */
static void stored_account(uint64_t id, bn_rec_account *a, void **arena)
{
    MDB_txn *txn;
    assert_int_equal(bnd_store_read_begin(W.srv->store, &txn), 0);
    assert_int_equal(
        bnd_rec_get(W.srv->store, txn, bnd_key_accounts(id), a, arena), 0);
    bnd_store_read_end(W.srv->store, txn);
}

/* How many entries of db begin with prefix (its first part). */
static int count_prefix(bnd_key prefix)
{
    MDB_txn *txn;
    MDB_cursor *c;
    MDB_val k = bnd_key_val(&prefix), v;
    int n = 0;

    assert_int_equal(bnd_store_read_begin(W.srv->store, &txn), 0);
    assert_int_equal(bnd_cursor_open(W.srv->store, txn, prefix.db, &c), 0);
    /* an empty prefix (0 parts): the whole database */
    int rc = mdb_cursor_get(c, &k, &v, prefix.len ? MDB_SET_RANGE : MDB_FIRST);
    while (rc == 0 && bnd_key_has_prefix(&k, &prefix)) {
        n++;
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    bnd_store_read_end(W.srv->store, txn);
    return n;
}

/* The programme's counts that an erasure must not move. */
typedef struct counts {
    uint32_t mentors, mentees, pending, active, completed, withdrawn, erased,
        held, defined, reached;
} counts;

static counts prog_counts(uint64_t prog)
{
    bn_msg m;
    counts c;
    bn_msg_init(&m, BN_MSG_STATS_GET, 0);
    m.u.stats_get.programme_id = prog;
    assert_int_equal(call(&W.admin, &m), 0);
    const bn_stats *s = &W.admin.rep.u.stats;
    c = (counts){
        s->mentors,           s->mentees,         s->pairs_pending,
        s->pairs_active,      s->pairs_completed, s->pairs_withdrawn,
        s->pairs_erased,      s->sessions_held,   s->objectives_defined,
        s->objectives_reached};
    return c;
}

static void end_pair_a(void)
{
    assert_int_equal(pair_end(&W.mentor, W.pair_a, BN_END_COMPLETED), 0);
}

/* Who may erase whom, and never while a pair is pending or active. */
static void test_refusals(void **state)
{
    void *arena = NULL;
    bn_rec_account a;
    (void)state;

    /* a member of an active pair: refused, naming the pair */
    assert_int_equal(erase_account(&W.mentee, 0, 0), BN_EINVAL);
    char pair[32];
    snprintf(pair, sizeof pair, "pair %llu", (unsigned long long)W.pair_a);
    said(&W.mentee, pair);
    said(&W.mentee, "active");
    /* a member of a pending pair too (pair_b was never accepted) */
    assert_int_equal(erase_account(&W.mentee2, 0, 0), BN_EINVAL);
    said(&W.mentee2, "pending");
    /* the coordinator, the same way */
    assert_int_equal(erase_account(&W.admin, W.mentee.account, W.prog1),
                     BN_EINVAL);
    said(&W.admin, pair);
    /* a mentor erasing somebody else */
    end_pair_a();
    assert_int_equal(erase_account(&W.mentor, W.mentee.account, W.prog1),
                     BN_EDENIED);
    /* the coordinator naming another programme than the account's */
    assert_int_equal(erase_account(&W.admin, W.mentee.account, W.prog2),
                     BN_ENOTFOUND);
    said(&W.admin, "not in programme");
    /* an administrator: not through the other's path, not their own */
    assert_int_equal(erase_account(&W.admin, W.admin.account, 0), BN_EINVAL);
    assert_int_equal(erase_account(&W.admin, 0, 0), BN_EDENIED);
    assert_int_equal(erase_account(&W.admin, 999999, W.prog1), BN_ENOTFOUND);
    /* nothing changed */
    stored_account(W.mentee.account, &a, &arena);
    assert_int_equal(a.name.len, 4);
    assert_memory_equal(a.sign_pk, W.mentee.id->sign_pk, 32);
    bn_arena_free(&arena);
    assert_int_equal(count_prefix(bnd_key_prefix(bnd_key_erased(0), 0)), 0);
}

/* The mentee erases their account, then the coordinator the mentor's:
 * what each step leaves. */
static void test_effect(void **state)
{
    void *arena = NULL;
    bn_rec_account a;
    bn_msg m;
    (void)state;

    end_pair_a();
    counts before = prog_counts(W.prog1);
    int wraps = count_prefix(bnd_key_prefix(bnd_key_wraps(W.pair_a, 0, 0), 1));
    assert_int_equal(wraps, 2);

    /* 1. the mentee: the mentor remains */
    assert_int_equal(erase_account(&W.mentee, 0, 0), 0);
    assert_int_equal(W.mentee.rep.type, BN_MSG_ACCOUNT_ERASED);
    assert_int_equal(W.mentee.rep.u.account_erased.account_id,
                     W.mentee.account);
    assert_int_equal(W.mentee.rep.u.account_erased.pairs_kept, 1);
    assert_int_equal(W.mentee.rep.u.account_erased.pairs_shredded, 0);
    assert_true(W.mentee.flags & BND_REPLY_CLOSE);
    stored_account(W.mentee.account, &a, &arena);
    assert_int_equal(a.id, W.mentee.account);
    assert_int_equal(a.role, BN_ROLE_MENTEE);
    assert_int_equal(a.programme_id, W.prog1);
    assert_true(a.created != 0);
    assert_int_equal(a.name.len, 0);
    assert_true(sodium_is_zero(a.sign_pk, 32));
    assert_true(sodium_is_zero(a.box_pk, 32));
    bn_arena_free(&arena);
    assert_int_equal(count_prefix(bnd_key_erased(W.mentee.account)), 1);
    /* the counts do not move */
    counts after = prog_counts(W.prog1);
    assert_memory_equal(&before, &after, sizeof before);
    /* the mentor still reads the pair: the mentee's keys as they were,
     * the note, the wraps its log covers */
    assert_int_equal(pair_get(&W.mentor, W.pair_a), 0);
    const bn_pair_detail *d = &W.mentor.rep.u.pair_detail;
    int seen = 0;
    for (uint32_t i = 0; i < d->members.len; i++)
        if (d->members.v[i].account_id == W.mentee.account) {
            assert_memory_equal(d->members.v[i].sign_pk, W.mentee.id->sign_pk,
                                32);
            assert_memory_equal(d->members.v[i].box_pk, W.mentee.id->box_pk,
                                32);
            assert_int_equal(d->members.v[i].name.len, 0);
            seen = 1;
        }
    assert_true(seen);
    assert_int_equal(d->wraps.len, 2);
    assert_int_equal(note_get(&W.mentor, W.pair_a, 0x51, 1), 0);
    assert_int_equal(W.mentor.rep.u.note.envelope.len, E.note_len);
    /* the account is listed as erased, and logs in no more */
    bn_msg_init(&m, BN_MSG_ACCOUNT_LIST, 0);
    m.u.account_list.programme_id = W.prog1;
    assert_int_equal(call(&W.admin, &m), 0);
    seen = 0;
    for (uint32_t i = 0; i < W.admin.rep.u.accounts.items.len; i++) {
        const bn_account_info *ai = &W.admin.rep.u.accounts.items.v[i];
        if (ai->id == W.mentee.account) {
            assert_true(ai->erased != 0);
            assert_int_equal(ai->name.len, 0);
            seen = 1;
        } else {
            assert_int_equal(ai->erased, 0);
        }
    }
    assert_true(seen);
    tclient c;
    client_init(&c);
    bn_msg_init(&m, BN_MSG_LOGIN, 0);
    m.u.login.account_id = W.mentee.account;
    assert_int_equal(bn_login_sign(m.u.login.sig, &c.ch, W.mentee.id->sign_sk),
                     0);
    assert_int_equal(call(&c, &m), BN_ESIG);
    assert_false(c.s.logged_in);
    client_free(&c);
    /* an erased account is paired with nobody */
    uint64_t p;
    assert_int_equal(
        pair_create(W.prog1, W.mentor.account, W.mentee.account, &p),
        BN_EINVAL);
    said(&W.admin, "erased");

    /* 2. the coordinator erases the mentor on request: nobody remains */
    assert_int_equal(erase_account(&W.admin, W.mentor.account, W.prog1), 0);
    assert_int_equal(W.admin.rep.u.account_erased.pairs_kept, 0);
    assert_int_equal(W.admin.rep.u.account_erased.pairs_shredded, 1);
    assert_false(W.admin.flags & BND_REPLY_CLOSE);
    stored_account(W.mentor.account, &a, &arena);
    assert_int_equal(a.name.len, 0);
    assert_true(sodium_is_zero(a.sign_pk, 32));
    bn_arena_free(&arena);
    /* wraps, envelopes, log, the mentee's keys for the pair: gone */
    assert_int_equal(
        count_prefix(bnd_key_prefix(bnd_key_wraps(W.pair_a, 0, 0), 1)), 0);
    assert_int_equal(
        count_prefix(bnd_key_prefix(bnd_key_note_envs(W.pair_a, 0, 0), 1)), 0);
    assert_int_equal(count_prefix(bnd_key_prefix(bnd_key_log(W.pair_a, 0), 1)),
                     0);
    assert_int_equal(
        count_prefix(bnd_key_prefix(bnd_key_erased_keys(W.pair_a, 0), 1)), 0);
    /* the note's metadata and the session stay: the counts still agree */
    assert_int_equal(
        count_prefix(bnd_key_prefix(bnd_key_notes(W.pair_a, 0, 0), 1)), 1);
    after = prog_counts(W.prog1);
    assert_memory_equal(&before, &after, sizeof before);
    /* a retry is a success that changes nothing */
    assert_int_equal(erase_account(&W.admin, W.mentor.account, W.prog1), 0);
    assert_int_equal(W.admin.rep.u.account_erased.pairs_shredded, 0);
    assert_int_equal(count_prefix(bnd_key_prefix(bnd_key_erased(0), 0)), 2);
    /* the other pair's members are untouched */
    stored_account(W.mentee2.account, &a, &arena);
    assert_memory_equal(a.sign_pk, W.mentee2.id->sign_pk, 32);
    bn_arena_free(&arena);
}

/* A pair whose other member left for good is erased by the members who
 * remain alone: an erased account is not asked (it cannot ask). */
static void test_remaining_member_erases(void **state)
{
    (void)state;
    end_pair_a();
    assert_int_equal(erase_account(&W.mentee, 0, 0), 0);
    assert_int_equal(
        count_prefix(bnd_key_prefix(bnd_key_erased_keys(W.pair_a, 0), 1)), 1);
    assert_int_equal(erase_ask(&W.mentor, W.pair_a, 0), 0);
    assert_int_equal(W.mentor.rep.u.pair_erasure.pair.status, BN_PAIR_ERASED);
    /* the erased member's keys for the pair went with it */
    assert_int_equal(
        count_prefix(bnd_key_prefix(bnd_key_erased_keys(W.pair_a, 0), 1)), 0);
    assert_int_equal(
        count_prefix(bnd_key_prefix(bnd_key_wraps(W.pair_a, 0, 0), 1)), 0);
}

BN_UNIT_GROUP(srv_erase_account);
