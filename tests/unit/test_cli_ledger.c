/*
 * test_cli_ledger.c: the client holds every record the server serves to
 * the pair's signed log (client/lib/bnc_ledger.c). Each test builds an
 * honest pair and log, then plays the server: it changes what it serves
 * and the check must refuse, naming the item.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_list.h"

#include "binome.h"
#include "bnc_internal.h"

#define PAIR 7
#define MENTOR 2
#define MENTEE 3
#define STRANGER 9

typedef struct who {
    uint64_t id;
    uint8_t sign_pk[32], sign_sk[64], box_pk[32], box_sk[32];
} who;

typedef struct world {
    who people[3]; /* mentor, mentee, a stranger the server controls */
    bnc_client c;
    bnc_pair p;
    bnc_member members[3];
    bn_pair_detail d;
    struct bn_accept_info accepts[3];
    struct bn_key_wrap wraps[16];
    uint8_t head[32];
} world;

static who *person(world *w, uint64_t id)
{
    for (int i = 0; i < 3; i++)
        if (w->people[i].id == id)
            return &w->people[i];
    fail();
    return NULL;
}

/* append signs the version 2 entry of req by author onto the pair's log,
 * as the author's client would. */
static void append(world *w, uint64_t author, bn_msg *req)
{
    bn_log_entry e;
    assert_int_equal(
        bn_log_entry_make(&e, req, w->p.nlog + 1, w->head, author, 1700000000),
        0);
    assert_int_equal(bn_log_entry_sign(&e, PAIR, person(w, author)->sign_sk),
                     0);
    bn_log_entry_hash(w->head, PAIR, &e);
    assert_int_equal(bnc__log_keep(&w->p, &e, 1), 0);
}

/* append_v1 signs a version 1 entry (schema 3: it does not say what it
 * logged) onto the log, as the old release did. */
static void append_v1(world *w, uint64_t author)
{
    bn_log_entry e;
    memset(&e, 0, sizeof e);
    e.version = 1;
    randombytes_buf(e.body_hash, sizeof e.body_hash);
    e.seq = w->p.nlog + 1;
    memcpy(e.prev, w->head, 32);
    e.author_id = author;
    e.time = 1600000000;
    assert_int_equal(bn_log_entry_sign(&e, PAIR, person(w, author)->sign_sk),
                     0);
    bn_log_entry_hash(w->head, PAIR, &e);
    assert_int_equal(bnc__log_keep(&w->p, &e, 1), 0);
}

static void add_member(world *w, uint64_t id, uint8_t role)
{
    bnc_member *m = &w->members[w->p.nmembers++];
    memset(m, 0, sizeof *m);
    m->account_id = id;
    m->role = role;
    memcpy(m->sign_pk, person(w, id)->sign_pk, 32);
    memcpy(m->box_pk, person(w, id)->box_pk, 32);
    m->from_epoch = 1;
}

/* accept logs and serves a member's acceptance of the member list. */
static void accept(world *w, uint64_t id)
{
    struct bn_accept_info *a = &w->accepts[w->d.accepts.len++];
    bn_msg req;
    memset(a, 0, sizeof *a);
    a->account_id = id;
    a->date = 20000;
    randombytes_buf(a->sig, sizeof a->sig);
    assert_int_equal(bnc__members_hash(&w->p, a->members_hash), 0);
    bn_msg_init(&req, BN_MSG_PAIR_ACCEPT, 0);
    req.u.pair_accept.pair_id = PAIR;
    req.u.pair_accept.date = a->date;
    memcpy(req.u.pair_accept.sig, a->sig, 64);
    memcpy(req.u.pair_accept.members_hash, a->members_hash, 32);
    append(w, id, &req);
    w->p.info.accepted |=
        id == MENTOR ? BN_ACCEPTED_MENTOR : BN_ACCEPTED_MENTEE;
}

/* key_put: the mentor wraps a key of an epoch for both and logs it. */
static void key_put(world *w, uint32_t epoch)
{
    struct bn_key_wrap *v = &w->wraps[w->d.wraps.len];
    uint8_t key[32], kid[32];
    bn_msg req;
    bn_pairkey_generate(key);
    bn_pairkey_id(kid, PAIR, epoch, key);
    for (int i = 0; i < 2; i++) {
        who *m = &w->people[i];
        memset(&v[i], 0, sizeof v[i]);
        v[i].epoch = epoch;
        v[i].member_id = m->id;
        v[i].wrapper_id = MENTOR;
        memcpy(v[i].key_id, kid, 32);
        assert_int_equal(bn_pairkey_wrap(v[i].wrap, PAIR, epoch, m->id,
                                         m->box_pk, MENTOR, key,
                                         w->people[0].sign_sk),
                         0);
    }
    bn_msg_init(&req, BN_MSG_KEY_PUT, 0);
    req.u.key_put.pair_id = PAIR;
    req.u.key_put.epoch = epoch;
    req.u.key_put.wraps.v = v;
    req.u.key_put.wraps.len = 2;
    append(w, MENTOR, &req);
    w->d.wraps.len += 2;
    w->p.info.epoch = epoch;
}

/* world_new: the mentor's client, its pair with the mentee at epoch 1
 * (status status), and nothing logged yet; NULL without memory. */
static world *world_new(uint8_t status)
{
    world *w = calloc(1, sizeof *w);
    uint64_t ids[3] = {MENTOR, MENTEE, STRANGER};
    if (w == NULL)
        return NULL;
    for (int i = 0; i < 3; i++) {
        w->people[i].id = ids[i];
        crypto_sign_keypair(w->people[i].sign_pk, w->people[i].sign_sk);
        crypto_box_keypair(w->people[i].box_pk, w->people[i].box_sk);
    }
    w->c.me.id = MENTOR;
    w->p.info.id = PAIR;
    w->p.info.mentor_id = MENTOR;
    w->p.info.mentee_id = MENTEE;
    w->p.info.status = status;
    w->p.info.epoch = 1;
    w->p.members = w->members;
    add_member(w, MENTOR, BN_ROLE_MENTOR);
    add_member(w, MENTEE, BN_ROLE_MENTEE);
    w->d.accepts.v = w->accepts;
    w->d.wraps.v = w->wraps;
    return w;
}

/* setup: an active pair, accepted by both, keyed at epoch 1. */
static int setup(void **state)
{
    world *w = world_new(BN_PAIR_PENDING);
    if (w == NULL)
        return -1;
    accept(w, MENTOR);
    accept(w, MENTEE);
    w->p.info.status = BN_PAIR_ACTIVE;
    key_put(w, 1);
    *state = w;
    return 0;
}

/* legacy_setup: a pair from schema 3, upgraded: two acceptances, its
 * first key and a session (seq 3), a note and an objective, all logged by
 * version 1 entries; its wraps carry no key id. */
static int legacy_setup(void **state)
{
    world *w = world_new(BN_PAIR_ACTIVE);
    if (w == NULL)
        return -1;
    w->p.info.accepted = BN_ACCEPTED_MENTOR | BN_ACCEPTED_MENTEE;
    append_v1(w, MENTOR); /* 1: acceptance */
    append_v1(w, MENTEE); /* 2: acceptance */
    append_v1(w, MENTOR); /* 3: a session */
    append_v1(w, MENTEE); /* 4: a note, revision 1 */
    append_v1(w, MENTEE); /* 5: an objective */
    w->d.wraps.len = 2;   /* legacy wraps: no entry, no key id */
    w->wraps[0].epoch = w->wraps[1].epoch = 1;
    w->wraps[0].member_id = MENTOR;
    w->wraps[1].member_id = MENTEE;
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    free(w->p.log);
    free(w);
    return 0;
}

static int ledger(world *w)
{
    return bnc__ledger_pair(&w->c, &w->p, &w->d);
}

/* ---- team pairings (issue 14) ----------------------------------------- */

/* wrap_all: author wraps a new key of epoch for the members marked in
 * `in` (people order: mentor, mentee, stranger: increasing ids), served
 * and put in v (its count returned). */
static uint32_t wrap_all(world *w, uint64_t author, uint32_t epoch,
                         const int in[3], struct bn_key_wrap *v)
{
    uint8_t key[32], kid[32];
    uint32_t n = 0;
    bn_pairkey_generate(key);
    bn_pairkey_id(kid, PAIR, epoch, key);
    for (int i = 0; i < 3; i++) {
        if (!in[i])
            continue;
        memset(&v[n], 0, sizeof v[n]);
        v[n].epoch = epoch;
        v[n].member_id = w->people[i].id;
        v[n].wrapper_id = author;
        memcpy(v[n].key_id, kid, 32);
        assert_int_equal(bn_pairkey_wrap(v[n].wrap, PAIR, epoch,
                                         w->people[i].id, w->people[i].box_pk,
                                         author, key,
                                         person(w, author)->sign_sk),
                         0);
        n++;
    }
    return n;
}

/* team_add: author's MEMBER_ADD of the stranger (a mentee) at epoch,
 * logged and served, the stranger then shown from that epoch. */
static void team_add(world *w, uint64_t author, uint32_t epoch)
{
    static const int all[3] = {1, 1, 1};
    struct bn_key_wrap *v = &w->wraps[w->d.wraps.len];
    uint32_t n = wrap_all(w, author, epoch, all, v);
    who *s = person(w, STRANGER);
    bn_msg req;
    bn_msg_init(&req, BN_MSG_MEMBER_ADD, 0);
    req.u.member_add.pair_id = PAIR;
    req.u.member_add.account_id = STRANGER;
    req.u.member_add.role = BN_ROLE_MENTEE;
    memcpy(req.u.member_add.sign_pk, s->sign_pk, 32);
    memcpy(req.u.member_add.box_pk, s->box_pk, 32);
    req.u.member_add.epoch = epoch;
    req.u.member_add.wraps.v = v;
    req.u.member_add.wraps.len = n;
    append(w, author, &req);
    w->d.wraps.len += n;
    add_member(w, STRANGER, BN_ROLE_MENTEE);
    w->members[2].from_epoch = epoch;
    w->p.info.epoch = epoch;
}

/* team_remove: the mentee removes the stranger at epoch. */
static void team_remove(world *w, uint32_t epoch)
{
    static const int stay[3] = {1, 1, 0};
    struct bn_key_wrap *v = &w->wraps[w->d.wraps.len];
    uint32_t n = wrap_all(w, MENTEE, epoch, stay, v);
    bn_msg req;
    bn_msg_init(&req, BN_MSG_MEMBER_REMOVE, 0);
    req.u.member_remove.pair_id = PAIR;
    req.u.member_remove.account_id = STRANGER;
    req.u.member_remove.epoch = epoch;
    req.u.member_remove.wraps.v = v;
    req.u.member_remove.wraps.len = n;
    append(w, MENTEE, &req);
    w->d.wraps.len += n;
    w->members[2].to_epoch = epoch;
    w->p.info.epoch = epoch;
}

/* A member the mentees' referent added, who then accepted and signed
 * the list of that point of the log, then was removed: the replay holds
 * every step, and each acceptance to the list of its own point. */
static void test_team_replay(void **state)
{
    world *w = *state;
    team_add(w, MENTEE, 2);
    accept(w, STRANGER);
    assert_int_equal(ledger(w), 0);
    /* shown holding an epoch the entry did not give */
    w->members[2].from_epoch = 1;
    assert_int_equal(ledger(w), BN_ETAMPER);
    assert_non_null(strstr(w->c.tamper, "member 9"));
    w->members[2].from_epoch = 2;
    team_remove(w, 3);
    assert_int_equal(ledger(w), 0);
    /* brought back by the server */
    w->members[2].to_epoch = 0;
    assert_int_equal(ledger(w), BN_ETAMPER);
    assert_non_null(strstr(w->c.tamper, "member 9"));
    w->members[2].to_epoch = 3;
    /* shown with other keys than the referent's entry gave */
    w->members[2].box_pk[0] ^= 1;
    assert_int_equal(ledger(w), BN_ETAMPER);
    w->members[2].box_pk[0] ^= 1;
    /* the epoch after the removal wrapped for the one who left */
    w->wraps[w->d.wraps.len - 1].member_id = STRANGER;
    assert_int_equal(ledger(w), BN_ETAMPER);
}

/* Only a side's referent adds to that side: the mentors' referent's
 * entry adding a mentee is refused, though well signed. */
static void test_team_add_by_other_side(void **state)
{
    world *w = *state;
    team_add(w, MENTOR, 2);
    assert_int_equal(ledger(w), BN_ETAMPER);
    assert_non_null(strstr(w->c.tamper, "referent"));
}

/* An entry signed by a member who was removed before it is refused. */
static void test_team_entry_after_removal(void **state)
{
    world *w = *state;
    team_add(w, MENTEE, 2);
    team_remove(w, 3);
    bn_msg req;
    bn_msg_init(&req, BN_MSG_SESSION_ADD, 0);
    req.u.session_add.pair_id = PAIR;
    req.u.session_add.date = 20000;
    req.u.session_add.status = BN_SESSION_PLANNED;
    append(w, STRANGER, &req);
    assert_int_equal(ledger(w), BN_ETAMPER);
    assert_non_null(strstr(w->c.tamper, "member 9 signed log entry"));
}

static void test_honest_pair(void **state)
{
    world *w = *state;
    assert_int_equal(ledger(w), 0);
    assert_int_equal(w->p.nlegacy, 0);
    assert_int_equal(w->p.nwarnings, 0);
    key_put(w, 2); /* a re-key is one more logged epoch */
    assert_int_equal(ledger(w), 0);
}

/* The attack: a third account added as a member who "left" (out
 * of the key hash and the safety number), and the epoch raised so that
 * the honest client wraps a new key for it. */
static void test_phantom_member(void **state)
{
    world *w = *state;
    add_member(w, STRANGER, BN_ROLE_MENTEE);
    w->members[2].to_epoch = 2;
    w->p.info.epoch = 2;
    assert_int_equal(ledger(w), BN_ETAMPER);
    assert_non_null(strstr(w->c.tamper, "member 9"));
    /* Even as a member for every epoch, it is not in the signed list. */
    w->members[2].to_epoch = 0;
    w->p.info.epoch = 1;
    assert_int_equal(ledger(w), BN_ETAMPER);
}

static void test_epoch_raised_without_entry(void **state)
{
    world *w = *state;
    w->p.info.epoch = 2;
    assert_int_equal(ledger(w), BN_ETAMPER);
    assert_non_null(strstr(w->c.tamper, "epoch"));
}

static void test_member_key_substituted(void **state)
{
    world *w = *state;
    memcpy(w->members[1].box_pk, w->people[2].box_pk, 32);
    assert_int_equal(ledger(w), BN_ETAMPER);
    assert_non_null(strstr(w->c.tamper, "member list"));
}

static void test_state_not_logged(void **state)
{
    world *w = *state;
    w->p.info.status = BN_PAIR_COMPLETED; /* a fake end */
    w->p.info.end_reason = BN_END_COMPLETED;
    assert_int_equal(ledger(w), BN_ETAMPER);
    w->p.info.status = BN_PAIR_ACTIVE;
    w->d.accepts.len = 1; /* an acceptance withheld */
    assert_int_equal(ledger(w), BN_EWITHHELD);
}

/* The coordinator's end (issue 13): an account that is no member ends
 * the pair, withdrawn or stalled, with no entry in the log: shown, not
 * refused. The server cannot pass off a member's end so, nor a completion,
 * nor a coordinator's end that names no one. */
static void test_coordinator_end(void **state)
{
    world *w = *state;
    w->p.info.status = BN_PAIR_WITHDRAWN;
    w->p.info.end_reason = BN_END_STALLED;
    w->p.info.end_date = 20200;
    w->p.info.ended_by = STRANGER;
    w->d.pair.ended_by = STRANGER;
    assert_int_equal(ledger(w), 0);
    assert_int_equal(bnc_pair_ender(&w->p.info), BNC_ENDER_COORDINATOR);
    w->p.info.end_reason = BN_END_WITHDRAWN;
    assert_int_equal(ledger(w), 0);
    /* a member's end with no entry of that member's: made up */
    w->d.pair.ended_by = MENTEE;
    assert_int_equal(ledger(w), BN_ETAMPER);
    w->d.pair.ended_by = MENTOR;
    assert_int_equal(ledger(w), BN_ETAMPER);
    /* a completion is the members' word only */
    w->d.pair.ended_by = STRANGER;
    w->p.info.status = BN_PAIR_COMPLETED;
    w->p.info.end_reason = BN_END_COMPLETED;
    assert_int_equal(ledger(w), BN_ETAMPER);
    /* an end by nobody */
    w->p.info.status = BN_PAIR_WITHDRAWN;
    w->p.info.end_reason = BN_END_STALLED;
    w->d.pair.ended_by = 0;
    assert_int_equal(ledger(w), BN_ETAMPER);
}

static void test_wraps_altered_or_withheld(void **state)
{
    world *w = *state;
    w->wraps[1].wrap[30] ^= 1;
    assert_int_equal(ledger(w), BN_ETAMPER);
    w->wraps[1].wrap[30] ^= 1;
    w->wraps[1].member_id = STRANGER;
    assert_int_equal(ledger(w), BN_ETAMPER);
    w->wraps[1].member_id = MENTEE;
    w->d.wraps.len = 0;
    assert_int_equal(ledger(w), BN_EWITHHELD);
}

/* note_meta logs (or not) a note revision and returns what the server
 * would list for it. */
static struct bn_note_meta note(world *w, uint64_t id, uint32_t rev,
                                uint64_t session, int logged)
{
    static uint8_t env[400];
    struct bn_note_meta m;
    bn_msg req;
    randombytes_buf(env, sizeof env);
    memset(&m, 0, sizeof m);
    m.note_id = id;
    m.revision = rev;
    m.kind = BN_KIND_REPORT;
    m.author_id = MENTEE;
    m.session_id = session;
    m.epoch = 1;
    bn_hash(m.env_hash, env, sizeof env);
    if (logged) {
        bn_msg_init(&req, BN_MSG_NOTE_PUT, 0);
        req.u.note_put.pair_id = PAIR;
        req.u.note_put.note_id = id;
        req.u.note_put.revision = rev;
        req.u.note_put.kind = m.kind;
        req.u.note_put.session_id = session;
        req.u.note_put.epoch = 1;
        req.u.note_put.envelope = (bn_bin){env, sizeof env};
        append(w, MENTEE, &req);
    }
    return m;
}

static void test_notes(void **state)
{
    world *w = *state;
    struct bn_note_meta r1 = note(w, 0x11, 1, 4, 1);
    struct bn_note_meta r2 = note(w, 0x11, 2, 4, 1);
    struct bn_note_meta moved = r2, stray;
    uint64_t ids[1] = {0x11};
    assert_int_equal(bnc__check_note(&w->c, &w->p, &r2, NULL, 1), 0);
    /* The latest revision deleted: the older one served as current. */
    assert_int_equal(bnc__check_note(&w->c, &w->p, &r1, NULL, 1), BN_EWITHHELD);
    assert_non_null(strstr(w->c.tamper, "note 0000000000000011"));
    assert_non_null(strstr(w->c.tamper, "revision 2"));
    /* Asked for by number, revision 1 is fine. */
    assert_int_equal(bnc__check_note(&w->c, &w->p, &r1, NULL, 0), 0);
    /* A report moved to another session. */
    moved.session_id = 5;
    assert_int_equal(bnc__check_note(&w->c, &w->p, &moved, NULL, 1),
                     BN_ETAMPER);
    /* Another author named. */
    moved = r2;
    moved.author_id = MENTOR;
    assert_int_equal(bnc__check_note(&w->c, &w->p, &moved, NULL, 1),
                     BN_ETAMPER);
    /* A revision or a note nobody logged. */
    stray = note(w, 0x11, 3, 4, 0);
    assert_int_equal(bnc__check_note(&w->c, &w->p, &stray, NULL, 1),
                     BN_ETAMPER);
    stray = note(w, 0x22, 1, 0, 0);
    assert_int_equal(bnc__check_note(&w->c, &w->p, &stray, NULL, 1),
                     BN_ETAMPER);
    assert_non_null(strstr(w->c.tamper, "not in the pair's signed log"));
    /* Hidden: the list leaves a logged note out. */
    assert_int_equal(bnc__check_withheld(&w->c, &w->p, BN_MSG_NOTE_PUT, ids, 1),
                     0);
    assert_int_equal(bnc__check_withheld(&w->c, &w->p, BN_MSG_NOTE_PUT, ids, 0),
                     BN_EWITHHELD);
    assert_non_null(strstr(w->c.tamper, "withheld"));
}

/* erase_mine logs who's PAIR_ERASE with mine (issue 13). */
static void erase_mine(world *w, uint64_t who_id)
{
    bn_msg req;
    bn_msg_init(&req, BN_MSG_PAIR_ERASE, 0);
    req.u.pair_erase.pair_id = PAIR;
    req.u.pair_erase.mine = 1;
    append(w, who_id, &req);
}

/* A note no longer served is fine once its author erased their own words
 * after writing it; the other member's erasure, or one before the note,
 * excuses nothing: withheld. A revision of the partner's stays due. */
static void test_erased_by_author(void **state)
{
    world *w = *state;
    uint64_t none[1] = {0};
    struct bn_note_meta r1 = note(w, 0x11, 1, 0, 1); /* the mentee's */
    erase_mine(w, MENTOR);
    assert_int_equal(
        bnc__check_withheld(&w->c, &w->p, BN_MSG_NOTE_PUT, none, 0),
        BN_EWITHHELD);
    erase_mine(w, MENTEE);
    assert_int_equal(
        bnc__check_withheld(&w->c, &w->p, BN_MSG_NOTE_PUT, none, 0), 0);
    /* served anyway after its author erased it: not in the log any more */
    assert_int_equal(bnc__check_note(&w->c, &w->p, &r1, NULL, 1), BN_ETAMPER);
    /* written after the erasure: due again */
    note(w, 0x22, 1, 0, 1);
    assert_int_equal(
        bnc__check_withheld(&w->c, &w->p, BN_MSG_NOTE_PUT, none, 0),
        BN_EWITHHELD);
    assert_non_null(strstr(w->c.tamper, "note 0000000000000022"));
}

static void test_private_note_of_other_not_expected(void **state)
{
    world *w = *state;
    bn_msg req;
    static const uint8_t env[300];
    bn_msg_init(&req, BN_MSG_NOTE_PUT, 0);
    req.u.note_put.pair_id = PAIR;
    req.u.note_put.note_id = 0x33;
    req.u.note_put.revision = 1;
    req.u.note_put.kind = BN_KIND_NOTE;
    req.u.note_put.is_private = 1;
    req.u.note_put.epoch = 1;
    req.u.note_put.envelope = (bn_bin){env, sizeof env};
    append(w, MENTEE, &req);
    assert_int_equal(
        bnc__check_withheld(&w->c, &w->p, BN_MSG_NOTE_PUT, NULL, 0), 0);
    w->c.me.id = MENTEE; /* its author expects it */
    assert_int_equal(
        bnc__check_withheld(&w->c, &w->p, BN_MSG_NOTE_PUT, NULL, 0),
        BN_EWITHHELD);
}

/* Who wrote a revision, when, and whose revision it was edited from come
 * from the signed log (bnc_note_origin_of), never from what the server
 * says of it (issue 13). */
static void test_note_origin_from_log(void **state)
{
    world *w = *state;
    struct bn_note_meta r1 = note(w, 0x44, 1, 0, 1); /* by the mentee */
    static const uint8_t env[300];
    bnc_note_meta m;
    bnc_note_origin o;
    bn_msg req;

    (void)r1;
    snprintf(w->members[1].name, sizeof w->members[1].name, "bob");
    bn_msg_init(&req, BN_MSG_NOTE_PUT, 0);
    req.u.note_put.pair_id = PAIR;
    req.u.note_put.note_id = 0x44;
    req.u.note_put.revision = 2;
    req.u.note_put.kind = BN_KIND_REPORT;
    req.u.note_put.epoch = 1;
    req.u.note_put.envelope = (bn_bin){env, sizeof env};
    append(w, MENTOR, &req); /* the mentor's edit: revision 2 */
    memset(&m, 0, sizeof m);
    m.note_id = 0x44;
    m.revision = 2;
    m.author_id = MENTOR;
    m.created = 1800000000; /* the server's clock: not the signed one */
    bnc_note_origin_of(&w->p, &m, &o);
    assert_int_equal(o.written, 1700000000);
    assert_int_equal(o.edited_from, 1);
    assert_int_equal(o.edited_from_author_id, MENTEE);
    assert_string_equal(o.edited_from_author, "bob");
    /* A first revision was edited from nothing. */
    m.revision = 1;
    m.author_id = MENTEE;
    bnc_note_origin_of(&w->p, &m, &o);
    assert_int_equal(o.written, 1700000000);
    assert_int_equal(o.edited_from, 0);
    assert_int_equal(o.edited_from_author_id, 0);
    /* A meta naming someone else than the log: no signed date lent to it
     * (bnc__check_note refuses it anyway). */
    m.revision = 2;
    m.author_id = MENTEE;
    bnc_note_origin_of(&w->p, &m, &o);
    assert_int_equal(o.written, 0);
    assert_int_equal(o.edited_from_author_id, MENTEE);
    /* A revision the log does not hold: nothing signed to say. */
    m.revision = 9;
    bnc_note_origin_of(&w->p, &m, &o);
    assert_int_equal(o.written, 0);
    assert_int_equal(o.edited_from, 8);
    assert_int_equal(o.edited_from_author_id, 0);
    assert_string_equal(o.edited_from_author, "");
}

static void test_sessions(void **state)
{
    world *w = *state;
    struct bn_session_info s;
    bn_msg req;
    uint64_t ids[1];
    bn_msg_init(&req, BN_MSG_SESSION_ADD, 0);
    req.u.session_add.pair_id = PAIR;
    req.u.session_add.date = 20100;
    req.u.session_add.status = BN_SESSION_PLANNED;
    append(w, MENTOR, &req);
    memset(&s, 0, sizeof s);
    s.id = w->p.nlog; /* a session's id is its entry's seq */
    s.pair_id = PAIR;
    s.date = 20100;
    s.status = BN_SESSION_PLANNED;
    s.created_by = MENTOR;
    ids[0] = s.id;
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), 0);
    assert_int_equal(
        bnc__check_withheld(&w->c, &w->p, BN_MSG_SESSION_ADD, ids, 1), 0);
    assert_int_equal(
        bnc__check_withheld(&w->c, &w->p, BN_MSG_SESSION_ADD, ids, 0),
        BN_EWITHHELD);
    s.date++; /* the date changed */
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
    s.date--;
    /* Held later, the mentee absent: the update is the state. */
    bn_msg_init(&req, BN_MSG_SESSION_UPDATE, 0);
    req.u.session_update.pair_id = PAIR;
    req.u.session_update.session_id = s.id;
    req.u.session_update.status = BN_SESSION_HELD;
    req.u.session_update.absent = BN_ABSENT_MENTEE;
    append(w, MENTEE, &req);
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
    s.status = BN_SESSION_HELD;
    s.absent = BN_ABSENT_MENTEE;
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), 0);
    s.absent = 0; /* attendance rewritten */
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
    s.absent = BN_ABSENT_MENTEE;
    s.date = 20101; /* the date, even after an update */
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
    s.date = 20100;
    s.id = 2; /* an entry that is no session */
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
}

/* A session's absentees (issue 14) are the logged request's: added,
 * dropped or changed by the server, refused; after an update, the added
 * session's absentees are still found (the date is checked), and the
 * update's are the state. */
static void test_session_absentees(void **state)
{
    world *w = *state;
    struct bn_account_ref mentee = {MENTEE, 0}, mentor = {MENTOR, 0},
                          two[2] = {{MENTOR, 0}, {MENTEE, 0}};
    struct bn_session_info s;
    bn_msg req;
    bn_msg_init(&req, BN_MSG_SESSION_ADD, 0);
    req.u.session_add.pair_id = PAIR;
    req.u.session_add.date = 20100;
    req.u.session_add.status = BN_SESSION_HELD;
    req.u.session_add.absent = BN_ABSENT_MENTEE;
    req.u.session_add.absentees.v = &mentee;
    req.u.session_add.absentees.len = 1;
    append(w, MENTOR, &req);
    memset(&s, 0, sizeof s);
    s.id = w->p.nlog;
    s.pair_id = PAIR;
    s.date = 20100;
    s.status = BN_SESSION_HELD;
    s.absent = BN_ABSENT_MENTEE;
    s.created_by = MENTOR;
    s.absentees.v = &mentee;
    s.absentees.len = 1;
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), 0);
    s.absentees.len = 0; /* dropped: the bits alone */
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
    assert_non_null(strstr(w->c.tamper, "attendance"));
    s.absentees.v = &mentor; /* changed */
    s.absentees.len = 1;
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
    s.absentees.v = two; /* one added */
    s.absentees.len = 2;
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);

    /* corrected: the mentor was absent, not the mentee */
    bn_msg_init(&req, BN_MSG_SESSION_UPDATE, 0);
    req.u.session_update.pair_id = PAIR;
    req.u.session_update.session_id = s.id;
    req.u.session_update.status = BN_SESSION_HELD;
    req.u.session_update.absent = BN_ABSENT_MENTOR;
    req.u.session_update.absentees.v = &mentor;
    req.u.session_update.absentees.len = 1;
    append(w, MENTEE, &req);
    s.absent = BN_ABSENT_MENTOR;
    s.absentees.v = &mentor;
    s.absentees.len = 1;
    /* the add's absentees, as the server keeps them for the check */
    s.added_absentees.v = &mentee;
    s.added_absentees.len = 1;
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), 0);
    /* a false hint makes the add entry not match: refused */
    s.added_absentees.v = &mentor;
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
    s.added_absentees.v = &mentee;
    s.absentees.v = &mentee; /* the old list served again */
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
    s.absentees.len = 0; /* dropped */
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
    s.absentees.v = two; /* added */
    s.absentees.len = 2;
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
    s.absentees.v = &mentor;
    s.absentees.len = 1;
    s.date = 20101; /* the date, with the add's absentees to find */
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
}

/* --absent for a pair (bnc_absentees_parse): sides, none, members by id
 * or name, merged and sorted; a departed member, an unknown or shared
 * name refused, saying where. */
static void test_absentees_parse(void **state)
{
    world *w = *state;
    uint64_t ids[BNC_ABSENTEES_MAX];
    size_t n = 0, bad = 0;
    strcpy(w->members[0].name, "Marc");
    strcpy(w->members[1].name, "Mina");
    assert_int_equal(bnc_absentees_parse(&w->p, "mentee", ids, &n, &bad), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], MENTEE);
    assert_int_equal(bnc_absentees_parse(&w->p, "Marc", ids, &n, &bad), 0);
    assert_int_equal(n, 2); /* added, sorted */
    assert_int_equal(ids[0], MENTOR);
    assert_int_equal(ids[1], MENTEE);
    n = 0;
    assert_int_equal(bnc_absentees_parse(&w->p, "3,Marc,3", ids, &n, &bad), 0);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(bnc_absentees_parse(&w->p, "none", ids, &n, &bad), 0);
    assert_int_equal(n, 0);
    assert_int_equal(bnc_absentees_parse(&w->p, "both", ids, &n, &bad), 0);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(bnc_absentees_parse(&w->p, "Mina,Zoe", ids, &n, &bad),
                     BNC_ENOTFOUND);
    assert_int_equal(bad, 5);
    assert_int_equal(bnc_absentees_parse(&w->p, "Mina,", ids, &n, &bad),
                     BNC_EINVAL);
    assert_int_equal(bnc_absentees_parse(&w->p, "9", ids, &n, &bad),
                     BNC_ENOTFOUND);
    strcpy(w->members[0].name, "Mina"); /* two members named alike */
    n = 0;
    assert_int_equal(bnc_absentees_parse(&w->p, "Mina", ids, &n, &bad),
                     BNC_EAMBIGUOUS);
    w->members[1].to_epoch = 2; /* the mentee left: no longer named */
    assert_int_equal(bnc_absentees_parse(&w->p, "3", ids, &n, &bad),
                     BNC_ENOTFOUND);
    n = 0;
    assert_int_equal(bnc_absentees_parse(&w->p, "mentee", ids, &n, &bad), 0);
    assert_int_equal(n, 0);
}

static void test_objectives(void **state)
{
    world *w = *state;
    static uint8_t env[300];
    struct bn_objective_info o;
    bn_msg req;
    randombytes_buf(env, sizeof env);
    bn_msg_init(&req, BN_MSG_OBJECTIVE_ADD, 0);
    req.u.objective_add.pair_id = PAIR;
    req.u.objective_add.objective_id = 0x44;
    req.u.objective_add.epoch = 1;
    req.u.objective_add.envelope = (bn_bin){env, sizeof env};
    req.u.objective_add.date = 20200;
    append(w, MENTEE, &req);
    memset(&o, 0, sizeof o);
    o.id = 0x44;
    o.author_id = MENTEE;
    o.epoch = 1;
    o.envelope = (bn_bin){env, sizeof env};
    o.status = BN_OBJECTIVE_DEFINED;
    o.defined_date = 20200;
    assert_int_equal(bnc__check_objective(&w->c, &w->p, &o), 0);
    o.status = BN_OBJECTIVE_REACHED; /* reached by the server's word */
    o.reached_date = 20210;
    assert_int_equal(bnc__check_objective(&w->c, &w->p, &o), BN_ETAMPER);
    bn_msg_init(&req, BN_MSG_OBJECTIVE_REACH, 0);
    req.u.objective_reach.pair_id = PAIR;
    req.u.objective_reach.objective_id = 0x44;
    req.u.objective_reach.date = 20210;
    append(w, MENTOR, &req);
    assert_int_equal(bnc__check_objective(&w->c, &w->p, &o), 0);
    o.status = BN_OBJECTIVE_DEFINED; /* its reaching withheld */
    assert_int_equal(bnc__check_objective(&w->c, &w->p, &o), BN_EWITHHELD);
    assert_non_null(strstr(w->c.tamper, "objective 0000000000000044"));
}

static void test_documents(void **state)
{
    world *w = *state;
    struct bn_doc_meta d;
    bn_msg req;
    static uint8_t last[100];
    randombytes_buf(last, sizeof last);
    bn_msg_init(&req, BN_MSG_DOC_CHUNK, 0);
    req.u.doc_chunk.pair_id = PAIR;
    req.u.doc_chunk.doc_id = 0x55;
    req.u.doc_chunk.index = 2;
    req.u.doc_chunk.data = (bn_bin){last, sizeof last};
    req.u.doc_chunk.final = 1;
    append(w, MENTEE, &req);
    memset(&d, 0, sizeof d);
    d.doc_id = 0x55;
    d.author_id = MENTEE;
    d.chunks = 3;
    d.complete = 1;
    bn_hash(d.final_hash, last, sizeof last);
    assert_int_equal(bnc__check_doc(&w->c, &w->p, &d), 0);
    d.chunks = 2; /* truncated */
    assert_int_equal(bnc__check_doc(&w->c, &w->p, &d), BN_ETAMPER);
    d.chunks = 3;
    d.final_hash[0] ^= 1; /* another last chunk */
    assert_int_equal(bnc__check_doc(&w->c, &w->p, &d), BN_ETAMPER);
    assert_int_equal(
        bnc__check_withheld(&w->c, &w->p, BN_MSG_DOC_CHUNK, NULL, 0),
        BN_EWITHHELD);
    assert_non_null(strstr(w->c.tamper, "document 0000000000000055"));
}

/* The deliverables (issue 14): an objective's target date (by its add,
 * then by an edit), a document's self-diagnosis mark and date, a session's
 * follow-up flag are what the signed entries say; the server serving
 * another value (set, changed or taken away) is refused. */
static void test_deliverables(void **state)
{
    world *w = *state;
    static uint8_t env[300], env2[300], last[100];
    struct bn_objective_info o;
    struct bn_doc_meta d;
    struct bn_session_info s;
    bn_msg req;

    randombytes_buf(env, sizeof env);
    randombytes_buf(env2, sizeof env2);
    bn_msg_init(&req, BN_MSG_OBJECTIVE_ADD, 0);
    req.u.objective_add.pair_id = PAIR;
    req.u.objective_add.objective_id = 0x66;
    req.u.objective_add.epoch = 1;
    req.u.objective_add.envelope = (bn_bin){env, sizeof env};
    req.u.objective_add.date = 20200;
    req.u.objective_add.target_date = 20400;
    append(w, MENTEE, &req);
    memset(&o, 0, sizeof o);
    o.id = 0x66;
    o.author_id = MENTEE;
    o.epoch = 1;
    o.envelope = (bn_bin){env, sizeof env};
    o.status = BN_OBJECTIVE_DEFINED;
    o.defined_date = 20200;
    o.target_date = 20400;
    assert_int_equal(bnc__check_objective(&w->c, &w->p, &o), 0);
    o.target_date = 20500; /* put off by the server */
    assert_int_equal(bnc__check_objective(&w->c, &w->p, &o), BN_ETAMPER);
    assert_non_null(strstr(w->c.tamper, "target date"));
    o.target_date = 0; /* taken away */
    assert_int_equal(bnc__check_objective(&w->c, &w->p, &o), BN_ETAMPER);
    /* An edit sets another: the edit's is the one. */
    bn_msg_init(&req, BN_MSG_OBJECTIVE_EDIT, 0);
    req.u.objective_edit.pair_id = PAIR;
    req.u.objective_edit.objective_id = 0x66;
    req.u.objective_edit.epoch = 1;
    req.u.objective_edit.envelope = (bn_bin){env2, sizeof env2};
    req.u.objective_edit.date = 20200;
    req.u.objective_edit.target_date = 20300;
    append(w, MENTEE, &req);
    o.envelope = (bn_bin){env2, sizeof env2};
    o.target_date = 20300;
    assert_int_equal(bnc__check_objective(&w->c, &w->p, &o), 0);
    o.target_date = 20400; /* rolled back to the add's */
    assert_int_equal(bnc__check_objective(&w->c, &w->p, &o), BN_ETAMPER);

    /* A document marked as the self-diagnosis. */
    randombytes_buf(last, sizeof last);
    bn_msg_init(&req, BN_MSG_DOC_CHUNK, 0);
    req.u.doc_chunk.pair_id = PAIR;
    req.u.doc_chunk.doc_id = 0x77;
    req.u.doc_chunk.index = 0;
    req.u.doc_chunk.data = (bn_bin){last, sizeof last};
    req.u.doc_chunk.final = 1;
    req.u.doc_chunk.kind = BN_DOC_DIAGNOSIS;
    req.u.doc_chunk.date = 20150;
    append(w, MENTOR, &req);
    memset(&d, 0, sizeof d);
    d.doc_id = 0x77;
    d.author_id = MENTOR;
    d.chunks = 1;
    d.complete = 1;
    d.kind = BN_DOC_DIAGNOSIS;
    d.date = 20150;
    bn_hash(d.final_hash, last, sizeof last);
    assert_int_equal(bnc__check_doc(&w->c, &w->p, &d), 0);
    d.date = 20160; /* redated */
    assert_int_equal(bnc__check_doc(&w->c, &w->p, &d), BN_ETAMPER);
    assert_non_null(strstr(w->c.tamper, "self-diagnosis"));
    d.date = 0; /* the mark taken away */
    d.kind = BN_DOC_PLAIN;
    assert_int_equal(bnc__check_doc(&w->c, &w->p, &d), BN_ETAMPER);
    /* and a plain document shown as a self-diagnosis */
    bn_msg_init(&req, BN_MSG_DOC_CHUNK, 0);
    req.u.doc_chunk.pair_id = PAIR;
    req.u.doc_chunk.doc_id = 0x78;
    req.u.doc_chunk.data = (bn_bin){last, sizeof last};
    req.u.doc_chunk.final = 1;
    append(w, MENTOR, &req);
    d.doc_id = 0x78;
    d.kind = BN_DOC_DIAGNOSIS;
    d.date = 20150;
    assert_int_equal(bnc__check_doc(&w->c, &w->p, &d), BN_ETAMPER);
    d.kind = BN_DOC_PLAIN;
    d.date = 0;
    assert_int_equal(bnc__check_doc(&w->c, &w->p, &d), 0);

    /* A follow-up session, and an ordinary one. */
    bn_msg_init(&req, BN_MSG_SESSION_ADD, 0);
    req.u.session_add.pair_id = PAIR;
    req.u.session_add.date = 20800;
    req.u.session_add.status = BN_SESSION_PLANNED;
    req.u.session_add.follow_up = 1;
    append(w, MENTOR, &req);
    memset(&s, 0, sizeof s);
    s.id = w->p.nlog;
    s.pair_id = PAIR;
    s.date = 20800;
    s.status = BN_SESSION_PLANNED;
    s.created_by = MENTOR;
    s.follow_up = 1;
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), 0);
    s.follow_up = 0; /* served as a session of the pairing */
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
    assert_non_null(strstr(w->c.tamper, "follow-up"));
    bn_msg_init(&req, BN_MSG_SESSION_ADD, 0);
    req.u.session_add.pair_id = PAIR;
    req.u.session_add.date = 20100;
    req.u.session_add.status = BN_SESSION_HELD;
    append(w, MENTOR, &req);
    s.id = w->p.nlog;
    s.date = 20100;
    s.status = BN_SESSION_HELD;
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), 0);
    s.follow_up = 1; /* served as a follow-up */
    assert_int_equal(bnc__check_session(&w->c, &w->p, &s), BN_ETAMPER);
}

static void test_paging_must_advance(void **state)
{
    (void)state;
    uint64_t last = 5;
    assert_int_equal(bnc__page_next(&last, 6), 0);
    assert_int_equal(last, 6);
    assert_int_equal(bnc__page_next(&last, 6), BN_EPROTO);
    assert_int_equal(bnc__page_next(&last, 3), BN_EPROTO);
}

/* A legacy pair is shown with a warning, and what new entries logged is
 * still held to them. */
static void test_legacy_pair(void **state)
{
    world *w = *state;
    struct bn_session_info sess;
    struct bn_objective_info o;
    struct bn_note_meta n;
    bn_msg req;
    assert_int_equal(ledger(w), 0);
    assert_int_equal(w->p.nlegacy, 5);
    assert_int_equal(w->p.nwarnings, 1);
    /* The legacy session 3, its attendance later changed by a new entry:
     * the change is checked. */
    memset(&sess, 0, sizeof sess);
    sess.id = 3;
    sess.date = 20000;
    sess.status = BN_SESSION_HELD;
    sess.created_by = MENTOR;
    assert_int_equal(bnc__check_session(&w->c, &w->p, &sess), 0);
    bn_msg_init(&req, BN_MSG_SESSION_UPDATE, 0);
    req.u.session_update.pair_id = PAIR;
    req.u.session_update.session_id = 3;
    req.u.session_update.status = BN_SESSION_HELD;
    req.u.session_update.absent = BN_ABSENT_MENTEE;
    append(w, MENTEE, &req); /* 6 */
    assert_int_equal(bnc__check_session(&w->c, &w->p, &sess), BN_ETAMPER);
    sess.absent = BN_ABSENT_MENTEE;
    assert_int_equal(bnc__check_session(&w->c, &w->p, &sess), 0);
    sess.id = 1000; /* no entry could have made it */
    assert_int_equal(bnc__check_session(&w->c, &w->p, &sess), BN_ETAMPER);
    /* A legacy objective reached by a new entry: withheld if not shown. */
    memset(&o, 0, sizeof o);
    o.id = 0x66;
    o.status = BN_OBJECTIVE_DEFINED;
    o.defined_date = 20000;
    assert_int_equal(bnc__check_objective(&w->c, &w->p, &o), 0);
    bn_msg_init(&req, BN_MSG_OBJECTIVE_REACH, 0);
    req.u.objective_reach.pair_id = PAIR;
    req.u.objective_reach.objective_id = 0x66;
    req.u.objective_reach.date = 20100;
    append(w, MENTOR, &req); /* 7 */
    assert_int_equal(bnc__check_objective(&w->c, &w->p, &o), BN_EWITHHELD);
    /* A note edited after the upgrade: revision 2 is logged, a third is
     * not, and revision 1 (legacy) may still be asked for. */
    n = note(w, 0x77, 2, 0, 1); /* 8 */
    assert_int_equal(bnc__check_note(&w->c, &w->p, &n, NULL, 1), 0);
    n.revision = 3;
    assert_int_equal(bnc__check_note(&w->c, &w->p, &n, NULL, 1), BN_ETAMPER);
    n.revision = 1;
    assert_int_equal(bnc__check_note(&w->c, &w->p, &n, NULL, 1), BN_EWITHHELD);
    assert_int_equal(bnc__check_note(&w->c, &w->p, &n, NULL, 0), 0);
    /* Ended by the server's word after new entries: no. */
    w->p.info.status = BN_PAIR_WITHDRAWN;
    w->p.info.end_reason = BN_END_WITHDRAWN;
    assert_int_equal(ledger(w), BN_ETAMPER);
    /* A logged end undone: no. */
    w->p.info.status = BN_PAIR_ACTIVE;
    bn_msg_init(&req, BN_MSG_PAIR_END, 0);
    req.u.pair_end.pair_id = PAIR;
    req.u.pair_end.reason = BN_END_COMPLETED;
    req.u.pair_end.date = 20200;
    append(w, MENTEE, &req);
    assert_int_equal(ledger(w), BN_ETAMPER);
    w->p.info.status = BN_PAIR_COMPLETED;
    w->p.info.end_reason = BN_END_COMPLETED;
    w->p.info.end_date = 20200;
    w->d.pair.ended_by = MENTEE;
    assert_int_equal(ledger(w), 0);
}

/* An old-format entry after a new one: spliced in by the server. */
static void test_legacy_after_new(void **state)
{
    world *w = *state;
    append_v1(w, MENTOR);
    assert_int_equal(ledger(w), BN_ETAMPER);
    assert_non_null(strstr(w->c.tamper, "old format"));
}

BN_UNIT_GROUP(cli_ledger);
