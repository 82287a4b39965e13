/* test_srv_keys: what the server checks of pair keys and membership
 * (DESIGN.md, "Pairs and keys"): KEY_PUT is logged and its wraps are
 * verified before anything is stored, a pair re-keys to epoch + 1 only,
 * PAIR_ACCEPT carries the members hash of the member records, PAIR_DETAIL
 * serves every wrap and accept, NOTE_GET the envelope's hash. */
#include "test_srv_world.h"
#include "test_list.h"

/* The pair's epoch, wraps and log length as c reads them. */
static void pair_state(tclient *c, uint64_t pair, uint32_t *epoch,
                       uint32_t *wraps, uint64_t *seq)
{
    assert_int_equal(pair_get(c, pair), 0);
    *epoch = c->rep.u.pair_detail.pair.epoch;
    *wraps = c->rep.u.pair_detail.wraps.len;
    *seq = c->rep.u.pair_detail.log_seq;
}

/* A wrong members hash is refused, with a message; the pair stays
 * pending. */
static void test_accept_members_hash(void **state)
{
    (void)state;
    uint8_t mh[32];
    members_hash(&W.mentor, W.pair_a, mh);
    mh[3] ^= 1;
    assert_int_equal(accept_pair_mh(&W.mentor, W.pair_a, mh), BN_ECONFLICT);
    assert_non_null(W.mentor.rep.u.error.message.ptr);
    assert_non_null(strstr(W.mentor.rep.u.error.message.ptr, "members"));
    /* the hash of a list without the mentee (a server that hid one) */
    bn_member_id one;
    one.account_id = W.mentor.account;
    one.role = BN_ROLE_MENTOR;
    memcpy(one.sign_pk, W.mentor.id->sign_pk, 32);
    memcpy(one.box_pk, W.mentor.id->box_pk, 32);
    assert_int_equal(bn_members_hash(mh, &one, 1), 0);
    assert_int_equal(accept_pair_mh(&W.mentor, W.pair_a, mh), BN_ECONFLICT);
    assert_int_equal(pair_get(&W.mentor, W.pair_a), 0);
    assert_int_equal(W.mentor.rep.u.pair_detail.pair.accepted, 0);
    assert_int_equal(W.mentor.rep.u.pair_detail.accepts.len, 0);
    assert_int_equal(W.mentor.rep.u.pair_detail.log_seq, 0);
    /* the right one */
    assert_int_equal(accept_pair(&W.mentor, W.pair_a), 0);
    assert_int_equal(accept_pair(&W.mentee, W.pair_a), 0);
    members_hash(&W.mentor, W.pair_a, mh);
    assert_int_equal(pair_get(&W.mentee, W.pair_a), 0);
    const bn_pair_detail *d = &W.mentee.rep.u.pair_detail;
    assert_int_equal(d->accepts.len, 2);
    assert_memory_equal(d->accepts.v[0].members_hash, mh, 32);
    assert_memory_equal(d->accepts.v[1].members_hash, mh, 32);
}

/* fixes for the wraps of one KEY_PUT */
static void bad_sig(bn_key_wrap *w)
{
    w[1].wrap[BN_WRAP_BYTES - 1] ^= 1;
}
static void swapped(bn_key_wrap *w)
{
    bn_key_wrap t = w[0];
    w[0] = w[1];
    w[1] = t;
}
static void other_key_id(bn_key_wrap *w)
{
    w[1].key_id[0] ^= 1;
}
static void other_epoch(bn_key_wrap *w)
{
    w[1].epoch = 2;
}
static void other_wrapper(bn_key_wrap *w)
{
    w[1].wrapper_id = W.mentee.account;
}
static void non_member(bn_key_wrap *w)
{
    w[1].member_id = W.mentor2.account;
}
static void twice(bn_key_wrap *w)
{
    w[1] = w[0];
}

/* KEY_PUT needs a v2 entry; bad wraps are refused and nothing is
 * stored: a bad signature (BN_ESIG), a wrap sealed for another member's
 * box key (BN_ESIG), wraps out of order, a missing or extra member, a
 * non-member, another wrapper, epoch or key id (BN_EINVAL). */
static void test_key_put_checked(void **state)
{
    (void)state;
    struct {
        void (*fix)(bn_key_wrap *);
        int rc;
    } cases[] = {
        {bad_sig, BN_ESIG},         {swapped, BN_EINVAL},
        {other_key_id, BN_EINVAL},  {other_epoch, BN_EINVAL},
        {other_wrapper, BN_EINVAL}, {non_member, BN_EINVAL},
        {twice, BN_EINVAL},
    };
    tclient *both[2] = {&W.mentor, &W.mentee};
    bn_key_wrap wraps[3];
    uint32_t epoch, nw;
    uint64_t seq, seq0;
    bn_msg m;

    pair_state(&W.mentor, W.pair_a, &epoch, &nw, &seq0);
    assert_int_equal(epoch, 1);
    assert_int_equal(nw, 0);
    /* no entry, or a v1-length one */
    make_wraps(wraps, &W.mentor, W.pair_a, 1, both, 2, W.pair_key);
    bn_msg_init(&m, BN_MSG_KEY_PUT, 0);
    m.u.key_put.pair_id = W.pair_a;
    m.u.key_put.epoch = 1;
    m.u.key_put.wraps.v = wraps;
    m.u.key_put.wraps.len = 2;
    assert_int_equal(call(&W.mentor, &m), BN_EINVAL);
    log_sign(&W.mentor, &m, W.pair_a);
    entry_of(&m)->len = BN_LOG_ENTRY_V1_BYTES;
    assert_int_equal(call(&W.mentor, &m), BN_EINVAL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        make_wraps(wraps, &W.mentor, W.pair_a, 1, both, 2, W.pair_key);
        cases[i].fix(wraps);
        assert_int_equal(key_put_wraps(&W.mentor, W.pair_a, 1, wraps, 2),
                         cases[i].rc);
    }
    /* the mentee's wrap sealed to the mentor's box key */
    tclient *wrong[2] = {&W.mentor, &W.mentor};
    make_wraps(wraps, &W.mentor, W.pair_a, 1, wrong, 2, W.pair_key);
    wraps[1].member_id = W.mentee.account;
    assert_int_equal(key_put_wraps(&W.mentor, W.pair_a, 1, wraps, 2), BN_ESIG);
    /* one member missing; a third wrap */
    make_wraps(wraps, &W.mentor, W.pair_a, 1, both, 2, W.pair_key);
    assert_int_equal(key_put_wraps(&W.mentor, W.pair_a, 1, wraps, 1),
                     BN_EINVAL);
    tclient *three[3] = {&W.mentor, &W.mentee, &W.mentor2};
    make_wraps(wraps, &W.mentor, W.pair_a, 1, three, 3, W.pair_key);
    assert_int_equal(key_put_wraps(&W.mentor, W.pair_a, 1, wraps, 3),
                     BN_EINVAL);
    /* an entry that names another epoch */
    assert_int_equal(
        key_put_epoch(&W.mentor, W.pair_a, 2, &W.mentor, &W.mentee, W.pair_key),
        BN_ECONFLICT);
    /* nothing stored, nothing logged */
    pair_state(&W.mentor, W.pair_a, &epoch, &nw, &seq);
    assert_int_equal(epoch, 1);
    assert_int_equal(nw, 0);
    assert_int_equal(seq, seq0);
    assert_int_equal(note_put(&W.mentor, W.pair_a, 0x10, 1, 0, "no key yet"),
                     BN_ENOKEY);
    /* the good set: logged, op KEY_PUT, sub 1 */
    make_wraps(wraps, &W.mentee, W.pair_a, 1, both, 2, W.pair_key);
    assert_int_equal(key_put_wraps(&W.mentee, W.pair_a, 1, wraps, 2), 0);
    assert_int_equal(W.mentee.rep.u.ok.value, 1);
    pair_state(&W.mentor, W.pair_a, &epoch, &nw, &seq);
    assert_int_equal(epoch, 1);
    assert_int_equal(nw, 2);
    assert_int_equal(seq, seq0 + 1);
    bn_log_entry e;
    assert_int_equal(
        bn_log_entry_decode(&e, W.mentee.entry, BN_LOG_ENTRY_BYTES), 0);
    assert_int_equal(e.op, BN_MSG_KEY_PUT);
    assert_int_equal(e.sub, 1);
    /* the very same request again (a lost reply): a success, no entry */
    bn_msg_init(&m, BN_MSG_KEY_PUT, 0);
    m.u.key_put.pair_id = W.pair_a;
    m.u.key_put.epoch = 1;
    m.u.key_put.wraps.v = wraps;
    m.u.key_put.wraps.len = 2;
    entry_of(&m)->ptr = W.mentee.entry;
    entry_of(&m)->len = BN_LOG_ENTRY_BYTES;
    assert_int_equal(call(&W.mentee, &m), 0);
    pair_state(&W.mentor, W.pair_a, &epoch, &nw, &seq);
    assert_int_equal(seq, seq0 + 1);
    /* a second set for epoch 1 */
    assert_int_equal(
        key_put(&W.mentor, W.pair_a, &W.mentor, &W.mentee, W.pair_key),
        BN_ECONFLICT);
    assert_int_equal(note_put(&W.mentor, W.pair_a, 0x10, 1, 0, "now"), 0);
}

/* A member re-keys to epoch + 1 (checked like the first key) and the pair
 * moves to it; epoch + 2, or the same epoch twice, is BN_ECONFLICT. */
static void test_rekey(void **state)
{
    (void)state;
    uint8_t k2[32], k3[32];
    uint32_t epoch, nw;
    uint64_t seq0, seq;
    tclient *both[2] = {&W.mentor, &W.mentee};
    bn_key_wrap wraps[2];

    bn_pairkey_generate(k2);
    bn_pairkey_generate(k3);
    pair_state(&W.mentor, W.pair_a, &epoch, &nw, &seq0);
    assert_int_equal(epoch, 1);
    assert_int_equal(
        key_put_epoch(&W.mentor, W.pair_a, 3, &W.mentor, &W.mentee, k3),
        BN_ECONFLICT);
    /* bad wraps for epoch 2 are refused like any others */
    make_wraps(wraps, &W.mentor, W.pair_a, 2, both, 2, k2);
    bad_sig(wraps);
    assert_int_equal(key_put_wraps(&W.mentor, W.pair_a, 2, wraps, 2), BN_ESIG);
    pair_state(&W.mentor, W.pair_a, &epoch, &nw, &seq);
    assert_int_equal(epoch, 1);
    assert_int_equal(seq, seq0);
    /* the re-key */
    assert_int_equal(
        key_put_epoch(&W.mentor, W.pair_a, 2, &W.mentor, &W.mentee, k2), 0);
    assert_int_equal(W.mentor.rep.u.ok.value, 2);
    pair_state(&W.mentee, W.pair_a, &epoch, &nw, &seq);
    assert_int_equal(epoch, 2);
    assert_int_equal(nw, 4);
    assert_int_equal(seq, seq0 + 1);
    /* wraps by (epoch, member), each with its epoch's key id */
    const bn_pair_detail *d = &W.mentee.rep.u.pair_detail;
    uint8_t kid1[32], kid2[32];
    bn_pairkey_id(kid1, W.pair_a, 1, W.pair_key);
    bn_pairkey_id(kid2, W.pair_a, 2, k2);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(d->wraps.v[i].epoch, 1 + i / 2);
        assert_int_equal(d->wraps.v[i].member_id, both[i % 2]->account);
        assert_memory_equal(d->wraps.v[i].key_id, i < 2 ? kid1 : kid2, 32);
    }
    /* members keep their epochs' range: still members */
    for (uint32_t i = 0; i < d->members.len; i++) {
        assert_int_equal(d->members.v[i].from_epoch, 1);
        assert_int_equal(d->members.v[i].to_epoch, 0);
    }
    /* epoch 2 again, epoch 4: conflicts; epoch 3 by the mentee */
    assert_int_equal(
        key_put_epoch(&W.mentee, W.pair_a, 2, &W.mentor, &W.mentee, k2),
        BN_ECONFLICT);
    assert_int_equal(
        key_put_epoch(&W.mentee, W.pair_a, 4, &W.mentor, &W.mentee, k3),
        BN_ECONFLICT);
    assert_int_equal(
        key_put_epoch(&W.mentee, W.pair_a, 3, &W.mentor, &W.mentee, k3), 0);
    pair_state(&W.mentor, W.pair_a, &epoch, &nw, &seq);
    assert_int_equal(epoch, 3);
    assert_int_equal(nw, 6);
    /* a note under epoch 3 is accepted; one under epoch 4 is not */
    size_t len;
    uint8_t *env = NULL;
    bn_note_ad ad = {W.pair_a, 0x20, 1, W.mentor.account, BN_KIND_NOTE, 0, 0};
    assert_int_equal(bn_envelope_seal(&env, &len, k3, 3, &ad,
                                      (const uint8_t *)"x", 1,
                                      W.mentor.id->sign_sk),
                     0);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_NOTE_PUT, 0);
    m.u.note_put.pair_id = W.pair_a;
    m.u.note_put.note_id = 0x20;
    m.u.note_put.revision = 1;
    m.u.note_put.kind = BN_KIND_NOTE;
    m.u.note_put.epoch = 3;
    m.u.note_put.envelope = (bn_bin){env, (uint32_t)len};
    assert_int_equal(call_logged(&W.mentor, &m, W.pair_a), 0);
    /* NOTE_GET and NOTE_LIST serve the envelope's hash */
    uint8_t h[32];
    bn_hash(h, env, len);
    assert_int_equal(note_get(&W.mentee, W.pair_a, 0x20, 0), 0);
    assert_memory_equal(W.mentee.rep.u.note.meta.env_hash, h, 32);
    assert_int_equal(note_list(&W.mentee, W.pair_a, 0x1f), 0);
    assert_int_equal(W.mentee.rep.u.notes.items.len, 1);
    assert_memory_equal(W.mentee.rep.u.notes.items.v[0].env_hash, h, 32);
    free(env);
}

/* Someone outside the pair cannot put keys. */
static void test_key_put_outsider(void **state)
{
    (void)state;
    assert_int_equal(key_put_epoch(&W.mentor2, W.pair_a, 4, &W.mentor,
                                   &W.mentee, W.pair_key),
                     BN_ENOTFOUND);
}

/* A pair holds at most BN_WRAPS_MAX wraps: re-keying past it is
 * BN_ELIMIT, and PAIR_DETAIL serves every wrap, the newest epoch's too. */
static void test_rekey_bounded(void **state)
{
    (void)state;
    uint8_t k[32];
    uint32_t epoch = 1, nw;
    uint64_t seq;
    int rc = 0;

    assert_int_equal(accept_pair(&W.mentor2, W.pair_b), 0);
    assert_int_equal(accept_pair(&W.mentee2, W.pair_b), 0);
    for (epoch = 1; epoch <= BN_WRAPS_MAX / 2 + 1; epoch++) {
        bn_pairkey_generate(k);
        rc = key_put_epoch(&W.mentor2, W.pair_b, epoch, &W.mentor2, &W.mentee2,
                           k);
        if (rc != 0)
            break;
    }
    assert_int_equal(rc, BN_ELIMIT);
    assert_int_equal(epoch, BN_WRAPS_MAX / 2 + 1);
    pair_state(&W.mentee2, W.pair_b, &epoch, &nw, &seq);
    assert_int_equal(epoch, BN_WRAPS_MAX / 2);
    assert_int_equal(nw, BN_WRAPS_MAX);
    const bn_pair_detail *d = &W.mentee2.rep.u.pair_detail;
    assert_int_equal(d->wraps.v[nw - 1].epoch, epoch);
}

BN_UNIT_GROUP(srv_keys);
