/* test_srv_dispatch: the request table and handlers, in process, on a
 * temporary data directory: no socket, the real writer thread. Every
 * logged write carries an entry made as a client makes it
 * (test_srv_world.h); test_srv_log tests the log itself. */
#include "test_srv_world.h"
#include "test_list.h"

/* ---- tests ----------------------------------------------------------------
 */

static void test_table(void **state)
{
    (void)state;
    assert_int_equal(bnd_dispatch_table_check(), 0);
}

static void test_join_used_and_expired(void **state)
{
    (void)state;
    tclient c;
    uint8_t token[32];

    /* the init invitation was used by the admin */
    client_init(&c);
    assert_int_equal(join(&c, W.admin_token, "Eve"), BN_EUSED);
    assert_true(c.flags & BND_REPLY_CLOSE);
    assert_false(c.s.logged_in);
    client_free(&c);

    (void)token;
}

static void test_join_expired(void **state)
{
    (void)state;
    tclient c;
    uint8_t token[32];

    randombytes_buf(token, sizeof token);
    invite_expired(token);
    client_init(&c);
    assert_int_equal(join(&c, token, "Late"), BN_EEXPIRED);
    assert_true(c.flags & BND_REPLY_CLOSE);
    client_free(&c);

    /* an unknown token */
    client_init(&c);
    randombytes_buf(token, sizeof token);
    assert_int_equal(join(&c, token, "Nobody"), BN_ENOTFOUND);
    client_free(&c);
}

static void test_join_bad_signature(void **state)
{
    (void)state;
    tclient c;
    uint8_t token[32];
    bn_msg m;

    invite(W.prog1, BN_ROLE_MENTEE, token);
    client_init(&c);
    bn_msg_init(&m, BN_MSG_JOIN, 0);
    memcpy(m.u.join.token, token, 32);
    m.u.join.name.ptr = "Mallory";
    m.u.join.name.len = 7;
    memcpy(m.u.join.sign_pk, c.id->sign_pk, 32);
    memcpy(m.u.join.box_pk, c.id->box_pk, 32);
    /* signed over another connection's transcript */
    bn_channel other = c.ch;
    other.hash[0] ^= 1;
    assert_int_equal(bn_login_sign(m.u.join.sig, &other, c.id->sign_sk), 0);
    assert_int_equal(call(&c, &m), BN_ESIG);
    assert_true(c.flags & BND_REPLY_CLOSE);
    client_free(&c);
    /* the invitation was not consumed */
    client_init(&c);
    assert_int_equal(join(&c, token, "Honest"), 0);
    client_free(&c);
}

static void test_login(void **state)
{
    (void)state;
    tclient c;
    bn_msg m;

    client_init(&c);
    bn_msg_init(&m, BN_MSG_LOGIN, 0);
    m.u.login.account_id = W.mentor.account;
    /* c's own key, not the mentor's */
    assert_int_equal(bn_login_sign(m.u.login.sig, &c.ch, c.id->sign_sk), 0);
    assert_int_equal(call(&c, &m), BN_ESIG);
    assert_true(c.flags & BND_REPLY_CLOSE);
    assert_false(c.s.logged_in);
    client_free(&c);

    client_init(&c);
    bn_msg_init(&m, BN_MSG_LOGIN, 0);
    m.u.login.account_id = W.mentor.account;
    assert_int_equal(bn_login_sign(m.u.login.sig, &c.ch, W.mentor.id->sign_sk),
                     0);
    assert_int_equal(call(&c, &m), 0);
    assert_int_equal(c.rep.type, BN_MSG_LOGGED_IN);
    assert_int_equal(c.rep.u.logged_in.account.id, W.mentor.account);
    assert_true(c.s.logged_in);
    assert_int_equal(c.s.actor.role, BN_ROLE_MENTOR);
    /* a second login on a logged-in session is refused, and it goes on */
    assert_int_equal(call(&c, &m), BN_EPROTO);
    assert_false(c.flags & BND_REPLY_CLOSE);
    bn_msg_init(&m, BN_MSG_WHOAMI, 0);
    assert_int_equal(call(&c, &m), 0);
    assert_int_equal(c.rep.u.logged_in.account.id, W.mentor.account);
    client_free(&c);

    /* an unknown account looks like a bad signature */
    client_init(&c);
    bn_msg_init(&m, BN_MSG_LOGIN, 0);
    m.u.login.account_id = 999999;
    assert_int_equal(bn_login_sign(m.u.login.sig, &c.ch, c.id->sign_sk), 0);
    assert_int_equal(call(&c, &m), BN_ESIG);
    client_free(&c);
}

static void test_prelogin_and_garbage(void **state)
{
    (void)state;
    tclient c;
    bn_msg m;

    client_init(&c);
    bn_msg_init(&m, BN_MSG_WHOAMI, 0);
    assert_int_equal(call(&c, &m), BN_ENOTLOGGEDIN);
    assert_true(c.flags & BND_REPLY_CLOSE);
    client_free(&c);

    /* a message that does not decode: ERROR with its code, then close */
    static const uint8_t junk[] = {0x93, 0x13, 0x05, 0xc1};
    c.got = 0;
    client_init(&c);
    bnd_dispatch_frame(W.srv, &c.s, junk, sizeof junk);
    assert_int_equal(c.got, 1);
    assert_int_equal(c.rep.type, BN_MSG_ERROR);
    assert_int_equal(c.rep.id, 5);
    assert_true(c.rep.u.error.code < 0);
    assert_true(c.flags & BND_REPLY_CLOSE);
    client_free(&c);

    /* after login: a reply type is an unknown request; the session goes on */
    bn_msg_init(&m, BN_MSG_NOTE_ACK, 0);
    assert_int_equal(call(&W.mentor, &m), BN_EUNKNOWNMSG);
    assert_false(W.mentor.flags & BND_REPLY_CLOSE);
}

static void test_admin_roles(void **state)
{
    (void)state;
    bn_msg m;

    /* an administrator never reaches notes */
    assert_int_equal(note_get(&W.admin, W.pair_a, 1, 0), BN_EDENIED);
    assert_int_equal(note_list(&W.admin, W.pair_a, 0), BN_EDENIED);
    assert_int_equal(note_put(&W.admin, W.pair_a, 1, 1, 0, "x"), BN_EDENIED);
    assert_int_equal(pair_get(&W.admin, W.pair_a), BN_EDENIED);
    assert_false(W.admin.flags & BND_REPLY_CLOSE);
    /* participants cannot administer */
    bn_msg_init(&m, BN_MSG_PROGRAMME_LIST, 0);
    assert_int_equal(call(&W.mentor, &m), BN_EDENIED);
    bn_msg_init(&m, BN_MSG_INVITE_CREATE, 0);
    m.u.invite_create.programme_id = W.prog1;
    m.u.invite_create.role = BN_ROLE_MENTOR;
    assert_int_equal(call(&W.mentee, &m), BN_EDENIED);
    /* the admin lists programmes and pairs */
    bn_msg_init(&m, BN_MSG_PROGRAMME_LIST, 0);
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.u.programmes.items.len, 2);
    bn_msg_init(&m, BN_MSG_PAIR_LIST, 0);
    assert_int_equal(call(&W.admin, &m), 0);
    assert_true(W.admin.rep.u.pairs.items.len >= 2);
    bn_msg_init(&m, BN_MSG_ACCOUNT_LIST, 0);
    m.u.account_list.programme_id = W.prog2;
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.u.accounts.items.len, 1);
    assert_int_equal(W.admin.rep.u.accounts.items.v[0].id, W.mentee3.account);
}

static void test_programme_validation(void **state)
{
    (void)state;
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PROGRAMME_CREATE, 0);
    m.u.programme_create.name.ptr = "";
    m.u.programme_create.months = 6;
    m.u.programme_create.frequency = 1;
    m.u.programme_create.format = 1;
    assert_int_equal(call(&W.admin, &m), BN_EINVAL);
    m.u.programme_create.name.ptr = "P";
    m.u.programme_create.name.len = 1;
    m.u.programme_create.months = 0;
    assert_int_equal(call(&W.admin, &m), BN_EINVAL);
    m.u.programme_create.months = 6;
    m.u.programme_create.format = 0;
    assert_int_equal(call(&W.admin, &m), BN_EINVAL);
    /* mentors are invited to a programme that exists */
    bn_msg_init(&m, BN_MSG_INVITE_CREATE, 0);
    m.u.invite_create.programme_id = 777;
    m.u.invite_create.role = BN_ROLE_MENTOR;
    assert_int_equal(call(&W.admin, &m), BN_ENOTFOUND);
    m.u.invite_create.programme_id = W.prog1;
    m.u.invite_create.role = BN_ROLE_ADMIN;
    assert_int_equal(call(&W.admin, &m), BN_EINVAL);
}

static void test_pair_create_rules(void **state)
{
    (void)state;
    uint64_t id;
    /* already in a pending pair of that programme */
    assert_int_equal(
        pair_create(W.prog1, W.mentor.account, W.mentee2.account, &id),
        BN_EEXIST);
    /* roles swapped */
    assert_int_equal(
        pair_create(W.prog1, W.mentee.account, W.mentor.account, &id),
        BN_EINVAL);
    /* a mentee of another programme */
    assert_int_equal(
        pair_create(W.prog1, W.mentor.account, W.mentee3.account, &id),
        BN_EINVAL);
    assert_int_equal(pair_create(W.prog1, W.mentor.account, 424242, &id),
                     BN_ENOTFOUND);
}

static void test_write_before_accept(void **state)
{
    (void)state;
    uint8_t key[32];
    bn_pairkey_generate(key);
    /* pending: nothing can be written */
    assert_int_equal(note_put(&W.mentor, W.pair_a, 10, 1, 0, "too early"),
                     BN_ENOTACCEPTED);
    assert_int_equal(key_put(&W.mentor, W.pair_a, &W.mentor, &W.mentee, key),
                     BN_ENOTACCEPTED);
    /* a bad charter signature */
    uint8_t saved = W.charter_hash[0];
    W.charter_hash[0] ^= 1;
    assert_int_equal(accept_pair(&W.mentor, W.pair_a), BN_ESIG);
    W.charter_hash[0] = saved;
    assert_int_equal(accept_pair(&W.mentor, W.pair_a), 0);
    assert_int_equal(W.mentor.rep.u.pair.pair.status, BN_PAIR_PENDING);
    assert_int_equal(W.mentor.rep.u.pair.pair.accepted, BN_ACCEPTED_MENTOR);
    /* one acceptance is not enough */
    assert_int_equal(note_put(&W.mentor, W.pair_a, 10, 1, 0, "still early"),
                     BN_ENOTACCEPTED);
    assert_int_equal(accept_pair(&W.mentee, W.pair_a), 0);
    assert_int_equal(W.mentee.rep.u.pair.pair.status, BN_PAIR_ACTIVE);
    assert_int_equal(W.mentee.rep.u.pair.pair.start_date, bn_date_today());
    /* accepting again is a harmless retry */
    assert_int_equal(accept_pair(&W.mentee, W.pair_a), 0);
    assert_int_equal(W.mentee.rep.u.pair.pair.status, BN_PAIR_ACTIVE);
    /* active but no key yet */
    assert_int_equal(note_put(&W.mentor, W.pair_a, 10, 1, 0, "no key"),
                     BN_ENOKEY);
}

static void test_key_put(void **state)
{
    (void)state;
    uint8_t other[32];
    bn_pairkey_generate(other);
    /* the mentee opens the pair first: draws the key, wraps it for both */
    assert_int_equal(
        key_put(&W.mentee, W.pair_a, &W.mentor, &W.mentee, W.pair_key), 0);
    /* a second complete set loses */
    assert_int_equal(key_put(&W.mentor, W.pair_a, &W.mentor, &W.mentee, other),
                     BN_ECONFLICT);
    assert_int_equal(pair_get(&W.mentor, W.pair_a), 0);
    bn_pair_detail *d = &W.mentor.rep.u.pair_detail;
    assert_int_equal(d->members.len, 2);
    /* every wrap of the pair, the other member's too, by member id */
    assert_int_equal(d->wraps.len, 2);
    assert_int_equal(d->wraps.v[0].member_id, W.mentor.account);
    assert_int_equal(d->wraps.v[1].member_id, W.mentee.account);
    assert_int_equal(d->wraps.v[0].wrapper_id, W.mentee.account);
    uint8_t kid[32];
    bn_pairkey_id(kid, W.pair_a, 1, W.pair_key);
    assert_memory_equal(d->wraps.v[0].key_id, kid, 32);
    assert_memory_equal(d->wraps.v[1].key_id, kid, 32);
    /* both accept records, with their members hash */
    uint8_t mh[32];
    members_hash(&W.mentee, W.pair_a, mh);
    assert_int_equal(pair_get(&W.mentor, W.pair_a), 0);
    d = &W.mentor.rep.u.pair_detail;
    assert_int_equal(d->accepts.len, 2);
    for (uint32_t i = 0; i < 2; i++) {
        assert_memory_equal(d->accepts.v[i].members_hash, mh, 32);
        assert_int_equal(d->accepts.v[i].date, bn_date_today());
    }
    assert_int_equal(d->accepts.v[0].account_id, W.mentor.account);
    assert_int_equal(d->accepts.v[1].account_id, W.mentee.account);
    assert_memory_equal(d->charter_hash, W.charter_hash, 32);
    assert_int_equal(d->charter.len, strlen("We meet monthly."));
    uint8_t key[32];
    const bn_member_key *wr = d->members.v[0].account_id == W.mentee.account
                                  ? &d->members.v[0]
                                  : &d->members.v[1];
    assert_int_equal(bn_pairkey_unwrap(key, d->wraps.v[0].wrap, BN_WRAP_BYTES,
                                       W.pair_a, 1, W.mentor.account,
                                       W.mentor.id->box_pk, W.mentor.id->box_sk,
                                       W.mentee.account, wr->sign_pk),
                     0);
    assert_memory_equal(key, W.pair_key, 32);
}

static void test_key_put_malformed(void **state)
{
    (void)state;
    /* pair B: accept, then try sets that are not one wrap per member */
    assert_int_equal(accept_pair(&W.mentor2, W.pair_b), 0);
    assert_int_equal(accept_pair(&W.mentee2, W.pair_b), 0);
    uint8_t key[32];
    bn_pairkey_generate(key);
    /* the same member twice */
    assert_int_equal(key_put(&W.mentor2, W.pair_b, &W.mentor2, &W.mentor2, key),
                     BN_EINVAL);
    /* someone who is not a member */
    assert_int_equal(key_put(&W.mentor2, W.pair_b, &W.mentor2, &W.mentee, key),
                     BN_EINVAL);
    assert_int_equal(key_put(&W.mentor2, W.pair_b, &W.mentor2, &W.mentee2, key),
                     0);
}

static void test_revisions(void **state)
{
    (void)state;
    size_t len, len2;
    uint64_t note = 0x1111;
    uint8_t *env = seal(&W.mentor, W.pair_a, note, 1, 0, "first", &len);

    assert_int_equal(note_put_env(&W.mentor, W.pair_a, note, 1, 0, env, len),
                     0);
    assert_int_equal(W.mentor.rep.type, BN_MSG_NOTE_ACK);
    int64_t created = W.mentor.rep.u.note_ack.created;
    /* the same write again is a success, not a duplicate */
    assert_int_equal(note_put_env(&W.mentor, W.pair_a, note, 1, 0, env, len),
                     0);
    assert_int_equal(W.mentor.rep.u.note_ack.revision, 1);
    assert_int_equal(W.mentor.rep.u.note_ack.created, created);
    /* the same revision with other bytes is a conflict */
    uint8_t *env2 = seal(&W.mentor, W.pair_a, note, 1, 0, "other", &len2);
    assert_int_equal(note_put_env(&W.mentor, W.pair_a, note, 1, 0, env2, len2),
                     BN_ECONFLICT);
    free(env2);
    /* revision 3 skips one: conflict; 2 lands */
    assert_int_equal(note_put(&W.mentor, W.pair_a, note, 3, 0, "third"),
                     BN_ECONFLICT);
    assert_int_equal(note_put(&W.mentee, W.pair_a, note, 2, 0, "second"), 0);
    /* a first write must be revision 1 */
    assert_int_equal(note_put(&W.mentor, W.pair_a, 0x2222, 2, 0, "x"),
                     BN_ECONFLICT);
    /* revision 0 is the latest */
    assert_int_equal(note_get(&W.mentor, W.pair_a, note, 0), 0);
    assert_int_equal(W.mentor.rep.u.note.meta.revision, 2);
    assert_int_equal(W.mentor.rep.u.note.meta.author_id, W.mentee.account);
    assert_int_equal(note_get(&W.mentee, W.pair_a, note, 1), 0);
    assert_int_equal(W.mentee.rep.u.note.envelope.len, len);
    assert_memory_equal(W.mentee.rep.u.note.envelope.ptr, env, len);
    assert_int_equal(note_get(&W.mentee, W.pair_a, note, 9), BN_ENOTFOUND);
    free(env);
}

static void test_private_note(void **state)
{
    (void)state;
    uint64_t note = 0x3333;
    assert_int_equal(note_put(&W.mentee, W.pair_a, note, 1, 1, "my diary"), 0);
    /* the author sees it */
    assert_int_equal(note_get(&W.mentee, W.pair_a, note, 0), 0);
    assert_true(W.mentee.rep.u.note.meta.is_private);
    assert_int_equal(note_list(&W.mentee, W.pair_a, 0), 0);
    int found = 0;
    for (uint32_t i = 0; i < W.mentee.rep.u.notes.items.len; i++)
        found += W.mentee.rep.u.notes.items.v[i].note_id == note;
    assert_int_equal(found, 1);
    /* the other member does not, in lists or by id */
    assert_int_equal(note_get(&W.mentor, W.pair_a, note, 0), BN_ENOTFOUND);
    assert_int_equal(note_get(&W.mentor, W.pair_a, note, 1), BN_ENOTFOUND);
    assert_int_equal(note_list(&W.mentor, W.pair_a, 0), 0);
    assert_true(W.mentor.rep.u.notes.items.len >= 1);
    for (uint32_t i = 0; i < W.mentor.rep.u.notes.items.len; i++)
        assert_int_not_equal(W.mentor.rep.u.notes.items.v[i].note_id, note);
    /* nor can they write over it */
    assert_int_equal(note_put(&W.mentor, W.pair_a, note, 2, 1, "hijack"),
                     BN_ECONFLICT);
}

static void test_list_pages(void **state)
{
    (void)state;
    uint64_t base = 0x500000;
    for (uint64_t i = 0; i < 5; i++)
        assert_int_equal(note_put(&W.mentor, W.pair_a, base + i, 1, 0, "page"),
                         0);
    assert_int_equal(note_put(&W.mentor, W.pair_a, base + 2, 2, 0, "v2"), 0);
    assert_int_equal(note_list(&W.mentee, W.pair_a, base - 1), 0);
    assert_int_equal(W.mentee.rep.u.notes.items.len, 5);
    assert_false(W.mentee.rep.u.notes.more);
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(W.mentee.rep.u.notes.items.v[i].note_id, base + i);
        assert_int_equal(W.mentee.rep.u.notes.items.v[i].revision,
                         i == 2 ? 2 : 1);
    }
    assert_int_equal(note_list(&W.mentee, W.pair_a, base + 3), 0);
    assert_int_equal(W.mentee.rep.u.notes.items.len, 1);
}

static void test_malformed_envelope(void **state)
{
    (void)state;
    uint8_t junk[200];
    memset(junk, 0x7f, sizeof junk); /* no version byte, no structure */
    assert_int_equal(
        note_put_env(&W.mentor, W.pair_a, 0x4444, 1, 0, junk, sizeof junk),
        BN_EINVAL);
    /* plaintext is not an envelope either, whatever its length */
    const char *plain = "The meeting went well; we talked about goals.";
    assert_int_equal(note_put_env(&W.mentor, W.pair_a, 0x4445, 1, 0,
                                  (const uint8_t *)plain, strlen(plain)),
                     BN_EINVAL);
    /* an envelope of another epoch than announced */
    size_t len;
    uint8_t *env = seal(&W.mentor, W.pair_a, 0x4446, 1, 0, "ok", &len);
    env[4] ^= 2; /* epoch 1 -> 3 in the header */
    assert_int_equal(note_put_env(&W.mentor, W.pair_a, 0x4446, 1, 0, env, len),
                     BN_EINVAL);
    free(env);
    assert_int_equal(note_get(&W.mentor, W.pair_a, 0x4444, 0), BN_ENOTFOUND);
}

static void test_member_isolation(void **state)
{
    (void)state;
    /* a member of pair B reaches nothing of pair A, nor of a pair that
     * does not exist, with the same answer: BN_ENOTFOUND, as if pair A did not
     * exist (BN_EDENIED is for a role that may not make the request at all) */
    assert_int_equal(note_list(&W.mentor2, W.pair_a, 0), BN_ENOTFOUND);
    assert_int_equal(note_get(&W.mentor2, W.pair_a, 0x1111, 0), BN_ENOTFOUND);
    assert_int_equal(note_put(&W.mentor2, W.pair_a, 0x9999, 1, 0, "x"),
                     BN_ENOTFOUND);
    assert_int_equal(pair_get(&W.mentor2, W.pair_a), BN_ENOTFOUND);
    assert_int_equal(note_list(&W.mentor2, 987654, 0), BN_ENOTFOUND);
    assert_int_equal(pair_get(&W.mentor2, 987654), BN_ENOTFOUND);
    /* a mentee of another programme */
    assert_int_equal(pair_get(&W.mentee3, W.pair_a), BN_ENOTFOUND);
    assert_int_equal(accept_pair(&W.mentee3, W.pair_a), BN_ENOTFOUND);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PROGRAMME_GET, 0);
    m.u.programme_get.programme_id = W.prog1;
    assert_int_equal(call(&W.mentee3, &m), BN_ENOTFOUND);
    m.u.programme_get.programme_id = W.prog2;
    assert_int_equal(call(&W.mentee3, &m), 0);
    /* a participant lists only their own pairs */
    bn_msg_init(&m, BN_MSG_PAIR_LIST, 0);
    assert_int_equal(call(&W.mentor2, &m), 0);
    assert_int_equal(W.mentor2.rep.u.pairs.items.len, 1);
    assert_int_equal(W.mentor2.rep.u.pairs.items.v[0].id, W.pair_b);
    assert_int_equal(call(&W.mentee3, &m), 0);
    assert_int_equal(W.mentee3.rep.u.pairs.items.len, 0);
}

static void test_sessions(void **state)
{
    (void)state;
    bn_msg m;
    uint32_t today = bn_date_today();

    assert_int_equal(session_add(&W.admin, W.pair_a, today, 2, 0), BN_EDENIED);
    assert_int_equal(session_add(&W.mentor2, W.pair_a, today, 2, 0),
                     BN_ENOTFOUND);
    assert_int_equal(session_add(&W.mentor, W.pair_a, today, 0, 0), BN_EINVAL);
    assert_int_equal(session_add(&W.mentor, W.pair_a, 5, 2, 0), BN_EDATE);
    assert_int_equal(
        session_add(&W.mentor, W.pair_a, today, BN_SESSION_HELD, 0), 0);
    assert_int_equal(W.mentor.rep.type, BN_MSG_SESSION);
    uint64_t sid = W.mentor.rep.u.session.session.id;
    assert_true(sid >= 1);

    bn_msg_init(&m, BN_MSG_SESSION_UPDATE, 0);
    m.u.session_update.pair_id = W.pair_a;
    m.u.session_update.session_id = sid;
    m.u.session_update.status = BN_SESSION_CANCELLED;
    m.u.session_update.absent = BN_ABSENT_MENTEE;
    assert_int_equal(call_logged(&W.mentee, &m, W.pair_a), 0);
    /* the same again is a retry: a success that logs nothing */
    uint64_t seq0, seq1;
    uint8_t head[32];
    assert_int_equal(log_head(&W.mentee, W.pair_a, &seq0, head), 0);
    assert_int_equal(call_logged(&W.mentee, &m, W.pair_a), 0);
    assert_int_equal(log_head(&W.mentee, W.pair_a, &seq1, head), 0);
    assert_int_equal(seq1, seq0);
    m.u.session_update.session_id = sid + 1000;
    assert_int_equal(call_logged(&W.mentee, &m, W.pair_a), BN_ENOTFOUND);

    bn_msg_init(&m, BN_MSG_SESSION_LIST, 0);
    m.u.session_list.pair_id = W.pair_a;
    assert_int_equal(call(&W.mentor, &m), 0);
    assert_int_equal(W.mentor.rep.u.sessions.items.len, 1);
    assert_int_equal(W.mentor.rep.u.sessions.items.v[0].status,
                     BN_SESSION_CANCELLED);
    assert_int_equal(W.mentor.rep.u.sessions.items.v[0].absent,
                     BN_ABSENT_MENTEE);
    assert_int_equal(W.mentor.rep.u.sessions.items.v[0].date, today);
    assert_int_equal(call(&W.admin, &m), BN_EDENIED);

    /* a note may name a session of its pair, and only that */
    size_t len;
    uint8_t *env = seal(&W.mentor, W.pair_a, 0x6000, 1, 0, "report", &len);
    bn_msg_init(&m, BN_MSG_NOTE_PUT, 0);
    m.u.note_put.pair_id = W.pair_a;
    m.u.note_put.note_id = 0x6000;
    m.u.note_put.revision = 1;
    m.u.note_put.kind = BN_KIND_REPORT;
    m.u.note_put.epoch = 1;
    m.u.note_put.session_id = sid + 1000;
    m.u.note_put.envelope.ptr = env;
    m.u.note_put.envelope.len = (uint32_t)len;
    assert_int_equal(call_logged(&W.mentor, &m, W.pair_a), BN_ENOTFOUND);
    m.u.note_put.session_id = sid;
    assert_int_equal(call_logged(&W.mentor, &m, W.pair_a), 0);
    free(env);
}

static uint8_t *seal_objective(tclient *c, uint64_t id, const char *text,
                               size_t *len)
{
    bn_note_ad ad = {W.pair_a, id, 1, c->account, BN_AD_KIND_OBJECTIVE, 0, 0};
    uint8_t *env = NULL;
    assert_int_equal(bn_envelope_seal(&env, len, W.pair_key, 1, &ad,
                                      (const uint8_t *)text, strlen(text),
                                      c->id->sign_sk),
                     0);
    return env;
}

static int objective_add(tclient *c, uint64_t id, const uint8_t *env,
                         size_t len)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_OBJECTIVE_ADD, 0);
    m.u.objective_add.pair_id = W.pair_a;
    m.u.objective_add.objective_id = id;
    m.u.objective_add.epoch = 1;
    m.u.objective_add.envelope.ptr = env;
    m.u.objective_add.envelope.len = (uint32_t)len;
    m.u.objective_add.date = bn_date_today();
    return call_logged(c, &m, W.pair_a);
}

static void test_objectives(void **state)
{
    (void)state;
    bn_msg m;
    size_t len, len2;
    uint8_t *env = seal_objective(&W.mentee, 0x7000, "speak up", &len);
    uint8_t *env2 = seal_objective(&W.mentee, 0x7000, "other", &len2);

    assert_int_equal(objective_add(&W.admin, 0x7000, env, len), BN_EDENIED);
    assert_int_equal(objective_add(&W.mentee, 0x7000, env, len), 0);
    assert_int_equal(W.mentee.rep.u.ok.value, 0x7000);
    assert_int_equal(objective_add(&W.mentee, 0x7000, env, len), 0);
    assert_int_equal(objective_add(&W.mentee, 0x7000, env2, len2),
                     BN_ECONFLICT);
    uint8_t junk[120];
    memset(junk, 0x55, sizeof junk);
    assert_int_equal(objective_add(&W.mentee, 0x7001, junk, sizeof junk),
                     BN_EINVAL);

    bn_msg_init(&m, BN_MSG_OBJECTIVE_REACH, 0);
    m.u.objective_reach.pair_id = W.pair_a;
    m.u.objective_reach.objective_id = 0x7002;
    m.u.objective_reach.date = bn_date_today();
    assert_int_equal(call_logged(&W.mentor, &m, W.pair_a), BN_ENOTFOUND);
    m.u.objective_reach.objective_id = 0x7000;
    assert_int_equal(call_logged(&W.mentor, &m, W.pair_a), 0);
    /* again: a retry */
    assert_int_equal(call_logged(&W.mentor, &m, W.pair_a), 0);

    bn_msg_init(&m, BN_MSG_OBJECTIVE_LIST, 0);
    m.u.objective_list.pair_id = W.pair_a;
    assert_int_equal(call(&W.mentor, &m), 0);
    assert_int_equal(W.mentor.rep.u.objectives.items.len, 1);
    bn_objective_info *o = &W.mentor.rep.u.objectives.items.v[0];
    assert_int_equal(o->status, BN_OBJECTIVE_REACHED);
    assert_int_equal(o->reached_date, bn_date_today());
    assert_int_equal(o->author_id, W.mentee.account);
    assert_int_equal(o->envelope.len, len);
    assert_memory_equal(o->envelope.ptr, env, len);
    assert_int_equal(call(&W.mentor2, &m), BN_ENOTFOUND);
    free(env);
    free(env2);
}

static int released;
static void on_release(bnd_session *s)
{
    (void)s;
    released++;
}

static void test_closed_session_write(void **state)
{
    (void)state;
    tclient c;
    bn_msg m;
    bn_buf b;

    /* log in as the mentor on a new session */
    client_init(&c);
    bn_msg_init(&m, BN_MSG_LOGIN, 0);
    m.u.login.account_id = W.mentor.account;
    assert_int_equal(bn_login_sign(m.u.login.sig, &c.ch, W.mentor.id->sign_sk),
                     0);
    assert_int_equal(call(&c, &m), 0);
    c.s.release = on_release;
    released = 0;

    /* a write is queued, then the connection goes */
    size_t len;
    uint8_t *env = seal(&W.mentor, W.pair_a, 0x8000, 1, 0, "bye", &len);
    bn_msg_init(&m, BN_MSG_NOTE_PUT, 77);
    m.u.note_put.pair_id = W.pair_a;
    m.u.note_put.note_id = 0x8000;
    m.u.note_put.revision = 1;
    m.u.note_put.kind = BN_KIND_NOTE;
    m.u.note_put.epoch = 1;
    m.u.note_put.envelope.ptr = env;
    m.u.note_put.envelope.len = (uint32_t)len;
    log_sign(&W.mentor, &m, W.pair_a); /* c logs in as the mentor */
    bn_buf_init(&b);
    assert_int_equal(bn_msg_encode(&b, &m), 0);
    c.got = 0;
    bnd_dispatch_frame(W.srv, &c.s, b.data, b.len);
    bn_buf_free(&b);
    assert_int_equal(c.s.inflight, 1);
    c.s.closed = 1;
    bnd_session_unref(&c.s);
    assert_int_equal(released, 0); /* the job still holds it */
    while (bnd_writer_pending(W.srv->writer) > 0)
        uv_run(&W.loop, UV_RUN_ONCE);
    assert_int_equal(c.got, 0); /* no reply to a closed session */
    assert_int_equal(released, 1);
    client_free(&c);
    /* the write itself was durable */
    assert_int_equal(note_get(&W.mentee, W.pair_a, 0x8000, 0), 0);
    free(env);
}

static void test_pair_end(void **state)
{
    (void)state;
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_END, 0);
    m.u.pair_end.pair_id = W.pair_b;
    m.u.pair_end.reason = BN_END_WITHDRAWN;
    m.u.pair_end.date = bn_date_today();
    assert_int_equal(call_logged(&W.admin, &m, W.pair_b), BN_EDENIED);
    assert_int_equal(call_logged(&W.mentor, &m, W.pair_b), BN_ENOTFOUND);
    m.u.pair_end.reason = 0;
    assert_int_equal(call_logged(&W.mentee2, &m, W.pair_b), BN_EINVAL);
    m.u.pair_end.reason = BN_END_WITHDRAWN;
    assert_int_equal(call_logged(&W.mentee2, &m, W.pair_b), 0);
    assert_int_equal(W.mentee2.rep.u.pair.pair.status, BN_PAIR_WITHDRAWN);
    assert_int_equal(W.mentee2.rep.u.pair.pair.ended_by, W.mentee2.account);
    assert_int_equal(W.mentee2.rep.u.pair.pair.end_date, bn_date_today());
    assert_int_equal(call_logged(&W.mentor2, &m, W.pair_b), BN_EENDED);
    /* the same end again by the same member is a retry */
    assert_int_equal(call_logged(&W.mentee2, &m, W.pair_b), 0);
    assert_int_equal(W.mentee2.rep.u.pair.pair.status, BN_PAIR_WITHDRAWN);
    /* nothing more is written; what was written stays readable */
    assert_int_equal(note_put(&W.mentor2, W.pair_b, 0x9000, 1, 1, "late"),
                     BN_EENDED);
    assert_int_equal(session_add(&W.mentor2, W.pair_b, bn_date_today(), 2, 0),
                     BN_EENDED);
    assert_int_equal(note_list(&W.mentor2, W.pair_b, 0), 0);
    /* the administrator re-forms a pair with the same people */
    uint64_t again;
    assert_int_equal(
        pair_create(W.prog1, W.mentor2.account, W.mentee2.account, &again), 0);
    assert_true(again != W.pair_b);
}

BN_UNIT_GROUP(srv_dispatch);
