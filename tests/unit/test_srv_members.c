/* test_srv_members: team pairings on the server (issue 14; DESIGN.md,
 * "Team pairings"): a side's referent adds and removes the members of
 * their side with a signed entry that keys the next epoch; the
 * programme's side limit; an added member writes once they accepted; a
 * member who left reaches nothing; the coordinator adds no one. */
#define WORLD_EARLY_START 18262u
#include "test_srv_world.h"
#include "test_list.h"

/* Pia: a free mentee of the main programme (the world's are paired). */
static tclient pia;

static int members_setup(void **state)
{
    int rc = setup(state);
    join_as(&pia, W.prog1, BN_ROLE_MENTEE, "Pia");
    activate(W.pair_a, &W.mentor, &W.mentee);
    return rc;
}

static int members_teardown(void **state)
{
    client_free(&pia);
    return teardown(state);
}

static int side_max(uint32_t n)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PROGRAMME_SET, 0);
    m.u.programme_set.programme_id = W.prog1;
    m.u.programme_set.side_max = n;
    return call(&W.admin, &m);
}

/* fix: a change to a MEMBER_ADD before it is signed and sent */
typedef void (*fix_fn)(bn_msg *m);

/* member_add: c adds who (role) to pair at epoch, keyed for holders
 * (who last) with a fresh key; history: who gets W.pair_key as epoch 1
 * (the world's pairs have one epoch before). */
static int member_add(tclient *c, uint64_t pair, tclient *who, uint8_t role,
                      uint32_t epoch, tclient **holders, int n, int history,
                      fix_fn fix)
{
    bn_key_wrap wraps[8];
    tclient *all[8];
    uint8_t key[32];
    int k = 0;
    bn_msg m;

    bn_pairkey_generate(key);
    if (history)
        make_wraps(&wraps[k++], c, pair, 1, &who, 1, W.pair_key);
    /* holders in increasing account id, who among them */
    for (int i = 0; i < n; i++)
        all[i] = holders[i];
    all[n] = who;
    for (int i = 0; i <= n; i++)
        for (int j = i + 1; j <= n; j++)
            if (all[j]->account < all[i]->account) {
                tclient *t = all[i];
                all[i] = all[j];
                all[j] = t;
            }
    make_wraps(&wraps[k], c, pair, epoch, all, n + 1, key);
    k += n + 1;
    bn_msg_init(&m, BN_MSG_MEMBER_ADD, 0);
    m.u.member_add.pair_id = pair;
    m.u.member_add.account_id = who->account;
    m.u.member_add.role = role;
    memcpy(m.u.member_add.sign_pk, who->id->sign_pk, 32);
    memcpy(m.u.member_add.box_pk, who->id->box_pk, 32);
    m.u.member_add.epoch = epoch;
    m.u.member_add.history = history ? 1 : 0;
    m.u.member_add.wraps.v = wraps;
    m.u.member_add.wraps.len = (uint32_t)k;
    if (fix != NULL)
        fix(&m);
    return call_logged(c, &m, pair);
}

static int member_remove(tclient *c, uint64_t pair, uint64_t account,
                         uint32_t epoch, tclient **stay, int n)
{
    bn_key_wrap wraps[8];
    uint8_t key[32];
    bn_msg m;

    bn_pairkey_generate(key);
    make_wraps(wraps, c, pair, epoch, stay, n, key);
    bn_msg_init(&m, BN_MSG_MEMBER_REMOVE, 0);
    m.u.member_remove.pair_id = pair;
    m.u.member_remove.account_id = account;
    m.u.member_remove.epoch = epoch;
    m.u.member_remove.wraps.v = wraps;
    m.u.member_remove.wraps.len = (uint32_t)n;
    return call_logged(c, &m, pair);
}

static void other_keys(bn_msg *m)
{
    m->u.member_add.box_pk[0] ^= 1;
}
static void bad_wrap(bn_msg *m)
{
    m->u.member_add.wraps.v[m->u.member_add.wraps.len - 1].wrap[9] ^= 1;
}
static void missing_wrap(bn_msg *m)
{
    m->u.member_add.wraps.len--;
}
static void mentor_side(bn_msg *m)
{
    m->u.member_add.role = BN_ROLE_MENTOR;
}

/* A pair of two people takes no third member until the coordinator
 * allows teams; then only the side's referent adds, an account of the
 * programme with that role and the keys it has, the next epoch keyed for
 * everyone with them, their wraps signed. */
static void test_add_rules(void **state)
{
    (void)state;
    tclient *two[2] = {&W.mentor, &W.mentee};

    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 2,
                                two, 2, 0, NULL),
                     BN_ELIMIT);
    said(&W.mentee, "--side-max");
    assert_int_equal(side_max(0), BN_EINVAL); /* nothing to set */
    assert_int_equal(side_max(3), 0);
    assert_int_equal(W.admin.rep.u.programme.programme.side_max, 3);
    /* the mentors' referent does not add to the mentees' side */
    assert_int_equal(member_add(&W.mentor, W.pair_a, &pia, BN_ROLE_MENTEE, 2,
                                two, 2, 0, NULL),
                     BN_EDENIED);
    /* nor as a mentor: Pia is a mentee */
    assert_int_equal(member_add(&W.mentor, W.pair_a, &pia, BN_ROLE_MENTOR, 2,
                                two, 2, 0, mentor_side),
                     BN_EINVAL);
    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 2,
                                two, 2, 0, other_keys),
                     BN_ECONFLICT);
    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 1,
                                two, 2, 0, NULL),
                     BN_ECONFLICT); /* not the next epoch */
    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 2,
                                two, 2, 0, missing_wrap),
                     BN_EINVAL);
    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 2,
                                two, 2, 0, bad_wrap),
                     BN_ESIG);
    /* an account of another programme */
    assert_int_equal(member_add(&W.mentee, W.pair_a, &W.mentee3, BN_ROLE_MENTEE,
                                2, two, 2, 0, NULL),
                     BN_EINVAL);
    /* nothing of the refusals was stored */
    assert_int_equal(pair_get(&W.mentor, W.pair_a), 0);
    assert_int_equal(W.mentor.rep.u.pair_detail.members.len, 2);
    assert_int_equal(W.mentor.rep.u.pair_detail.pair.epoch, 1);

    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 2,
                                two, 2, 0, NULL),
                     0);
    assert_int_equal(W.mentee.rep.u.ok.value, 2);
    assert_int_equal(pair_get(&pia, W.pair_a), 0);
    const bn_pair_detail *d = &pia.rep.u.pair_detail;
    assert_int_equal(d->pair.epoch, 2);
    assert_int_equal(d->members.len, 3);
    for (uint32_t i = 0; i < d->members.len; i++)
        if (d->members.v[i].account_id == pia.account) {
            assert_int_equal(d->members.v[i].from_epoch, 2);
            assert_int_equal(d->members.v[i].to_epoch, 0);
            assert_int_equal(d->members.v[i].role, BN_ROLE_MENTEE);
        }
    assert_int_equal(d->wraps.len, 2 + 3);
    /* once is enough: added again, or by anyone */
    tclient *three[3] = {&W.mentor, &W.mentee, &pia};
    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 3,
                                three, 2, 0, NULL),
                     BN_EEXIST);
}

/* An added member writes once they accepted the charter; their
 * acceptance signs the member list of now. */
static void test_accept_before_writing(void **state)
{
    (void)state;
    tclient *two[2] = {&W.mentor, &W.mentee};
    assert_int_equal(side_max(2), 0);
    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 2,
                                two, 2, 0, NULL),
                     0);
    assert_int_equal(session_add(&pia, W.pair_a, 19000, BN_SESSION_PLANNED, 0),
                     BN_ENOTACCEPTED);
    said(&pia, "pair accept");
    assert_int_equal(accept_pair(&pia, W.pair_a), 0);
    assert_int_equal(pia.rep.u.pair.pair.status, BN_PAIR_ACTIVE);
    assert_int_equal(pia.rep.u.pair.pair.accepted,
                     BN_ACCEPTED_MENTOR | BN_ACCEPTED_MENTEE);
    assert_int_equal(session_add(&pia, W.pair_a, 19000, BN_SESSION_PLANNED, 0),
                     0);
    /* a side full: no third mentee */
    assert_int_equal(member_add(&W.mentee, W.pair_a, &W.mentee2, BN_ROLE_MENTEE,
                                3, two, 2, 0, NULL),
                     BN_ELIMIT);
}

/* With history the new member gets every earlier epoch, from the
 * referent, each committing to the key that epoch was keyed with. */
static void other_history_key(bn_msg *m)
{
    m->u.member_add.wraps.v[0].key_id[0] ^= 1;
}
static void no_history_wraps(bn_msg *m)
{
    m->u.member_add.wraps.v++;
    m->u.member_add.wraps.len--;
}

static void test_history(void **state)
{
    (void)state;
    tclient *two[2] = {&W.mentor, &W.mentee};
    assert_int_equal(side_max(2), 0);
    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 2,
                                two, 2, 1, other_history_key),
                     BN_EINVAL);
    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 2,
                                two, 2, 1, no_history_wraps),
                     BN_EINVAL);
    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 2,
                                two, 2, 1, NULL),
                     0);
    assert_int_equal(pair_get(&pia, W.pair_a), 0);
    const bn_pair_detail *d = &pia.rep.u.pair_detail;
    int has_epoch1 = 0;
    for (uint32_t i = 0; i < d->members.len; i++)
        if (d->members.v[i].account_id == pia.account)
            assert_int_equal(d->members.v[i].from_epoch, 1);
    for (uint32_t i = 0; i < d->wraps.len; i++)
        has_epoch1 |=
            d->wraps.v[i].epoch == 1 && d->wraps.v[i].member_id == pia.account;
    assert_true(has_epoch1);
}

/* Only the side's referent removes a member of that side, never a
 * referent, keying the next epoch for those who stay; the member then
 * reaches nothing of the pair. */
static void test_remove(void **state)
{
    (void)state;
    tclient *two[2] = {&W.mentor, &W.mentee};
    tclient *three[3] = {&W.mentor, &W.mentee, &pia};
    assert_int_equal(side_max(2), 0);
    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 2,
                                two, 2, 0, NULL),
                     0);
    assert_int_equal(accept_pair(&pia, W.pair_a), 0);
    assert_int_equal(member_remove(&W.mentor, W.pair_a, pia.account, 3, two, 2),
                     BN_EDENIED); /* the other side's referent */
    assert_int_equal(member_remove(&pia, W.pair_a, W.mentee.account, 3, two, 2),
                     BN_EDENIED); /* a referent, and by a member who is none */
    assert_int_equal(
        member_remove(&W.mentee, W.pair_a, pia.account, 3, three, 3),
        BN_EINVAL); /* the key wrapped for the one who leaves */
    assert_int_equal(member_remove(&W.mentee, W.pair_a, pia.account, 3, two, 2),
                     0);
    assert_int_equal(W.mentee.rep.u.ok.value, 3);
    /* Pia reaches nothing more: one answer for all, as for a stranger */
    assert_int_equal(pair_get(&pia, W.pair_a), BN_ENOTFOUND);
    assert_int_equal(note_list(&pia, W.pair_a, 0), BN_ENOTFOUND);
    assert_int_equal(session_add(&pia, W.pair_a, 19000, BN_SESSION_PLANNED, 0),
                     BN_ENOTFOUND);
    assert_int_equal(accept_pair(&pia, W.pair_a), BN_ENOTFOUND);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_LIST, 0);
    assert_int_equal(call(&pia, &m), 0);
    assert_int_equal(pia.rep.u.pairs.items.len, 0);
    /* her record stays, with the epochs she held */
    assert_int_equal(pair_get(&W.mentor, W.pair_a), 0);
    const bn_pair_detail *d = &W.mentor.rep.u.pair_detail;
    assert_int_equal(d->members.len, 3);
    for (uint32_t i = 0; i < d->members.len; i++)
        if (d->members.v[i].account_id == pia.account) {
            assert_int_equal(d->members.v[i].from_epoch, 2);
            assert_int_equal(d->members.v[i].to_epoch, 3);
        }
    /* no wrap of epoch 3 for her */
    for (uint32_t i = 0; i < d->wraps.len; i++)
        assert_false(d->wraps.v[i].epoch == 3 &&
                     d->wraps.v[i].member_id == pia.account);
    /* a member who left comes back only in a new pair */
    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 4,
                                two, 2, 0, NULL),
                     BN_EEXIST);
}

/* A member who left a team pairing may erase their account while it goes
 * on (issue 15): the members who remain keep her keys for the pair; one
 * who is still a member may not. */
static void test_left_member_erases(void **state)
{
    (void)state;
    tclient *two[2] = {&W.mentor, &W.mentee};
    bn_msg m;
    assert_int_equal(side_max(2), 0);
    assert_int_equal(member_add(&W.mentee, W.pair_a, &pia, BN_ROLE_MENTEE, 2,
                                two, 2, 0, NULL),
                     0);
    assert_int_equal(accept_pair(&pia, W.pair_a), 0);
    bn_msg_init(&m, BN_MSG_ACCOUNT_ERASE, 0);
    assert_int_equal(call(&pia, &m), BN_EINVAL); /* still a member */
    assert_int_equal(member_remove(&W.mentee, W.pair_a, pia.account, 3, two, 2),
                     0);
    assert_int_equal(call(&pia, &m), 0);
    assert_int_equal(pia.rep.u.account_erased.pairs_kept, 1);
    assert_int_equal(pia.rep.u.account_erased.pairs_shredded, 0);
    assert_int_equal(pair_get(&W.mentor, W.pair_a), 0);
    const bn_pair_detail *d = &W.mentor.rep.u.pair_detail;
    int seen = 0;
    for (uint32_t i = 0; i < d->members.len; i++)
        if (d->members.v[i].account_id == pia.account) {
            assert_memory_equal(d->members.v[i].sign_pk, pia.id->sign_pk, 32);
            seen = 1;
        }
    assert_true(seen);
    bn_msg_init(&m, BN_MSG_ACCOUNT_ERASE, 0);
    assert_int_equal(call(&W.mentee, &m), BN_EINVAL); /* a current referent */
}

/* ACCOUNT_GET: a participant reads a mentor's or a mentee's keys of their
 * own programme, nothing else; the coordinator cannot add anyone. */
static void test_account_get_and_roles(void **state)
{
    (void)state;
    bn_msg m;
    bn_msg_init(&m, BN_MSG_ACCOUNT_GET, 0);
    m.u.account_get.account_id = pia.account;
    assert_int_equal(call(&W.mentee, &m), 0);
    assert_memory_equal(W.mentee.rep.u.account.account.box_pk, pia.id->box_pk,
                        32);
    m.u.account_get.account_id = W.admin.account;
    assert_int_equal(call(&W.mentee, &m), BN_ENOTFOUND);
    m.u.account_get.account_id = W.mentee3.account; /* another programme */
    assert_int_equal(call(&W.mentee, &m), BN_ENOTFOUND);
    assert_int_equal(call(&W.admin, &m), BN_EDENIED);
    tclient *two[2] = {&W.mentor, &W.mentee};
    assert_int_equal(side_max(2), 0);
    assert_int_equal(member_add(&W.admin, W.pair_a, &pia, BN_ROLE_MENTEE, 2,
                                two, 2, 0, NULL),
                     BN_EDENIED);
}

BN_UNIT_GROUP(srv_members);
