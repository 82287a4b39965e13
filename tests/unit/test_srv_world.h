/*
 * test_srv_world.h: the in-process harness of the server's unit tests
 * (test_srv_dispatch, test_srv_log, test_srv_doc): a temporary data
 * directory, the real writer thread, clients without a socket, a world of
 * one administrator, two programmes and two pairs, and log entries made
 * as DESIGN.md says a client makes them. Included by one test file each:
 * everything is static.
 */
#ifndef TEST_SRV_WORLD_H
#define TEST_SRV_WORLD_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bn_testfs.h"
#include "../lib/bn_testlog.h"
#include "bn_invite.h"
#include "bnd_dispatch.h"
#include "bnd_server.h"
#include "bnd_log.h"
#include "bnd_writer.h"

/* Helpers a given test file may not use. */
#define TW static __attribute__((unused))

/* ---- a client without a socket ------------------------------------------ */

typedef struct tclient {
    bnd_session s;
    bn_channel ch;
    bn_identity *id;
    bn_msg rep;
    int got;
    unsigned flags;
    uint64_t account;
    uint64_t next_id;
    uint8_t entry[BN_LOG_ENTRY_BYTES]; /* the last log entry made */
} tclient;

static struct world {
    char dir[64];
    uv_loop_t loop;
    bnd_server *srv;
    uint8_t admin_token[32];
    tclient admin, mentor, mentee, mentor2, mentee2, mentee3;
    uint64_t prog1, prog2, pair_a, pair_b;
    uint8_t charter_hash[32];
    uint8_t pair_key[32];
} W;

TW void on_reply(bnd_session *s, const uint8_t *msg, size_t len, unsigned flags)
{
    tclient *c = (tclient *)s;
    bn_msg_free(&c->rep);
    assert_int_equal(bn_msg_decode(&c->rep, msg, len), 0);
    c->got++;
    c->flags = flags;
}

TW void client_init(tclient *c)
{
    memset(c, 0, sizeof *c);
    randombytes_buf(c->ch.hash, sizeof c->ch.hash);
    bnd_session_init(&c->s, 1, &c->ch, on_reply, NULL, c);
    c->id = bn_identity_new();
    assert_non_null(c->id);
    assert_int_equal(bn_identity_generate(c->id), 0);
    c->next_id = 1;
}

TW void client_free(tclient *c)
{
    bn_msg_free(&c->rep);
    bn_identity_free(c->id);
    c->id = NULL;
}

/* Sends m (type and fields set) and waits for the reply: returns 0 for a
 * non-ERROR reply, else the error code. */
TW void send_req(tclient *c, bn_msg *m)
{
    bn_buf b;
    bn_buf_init(&b);
    m->id = c->next_id++;
    assert_int_equal(bn_msg_encode(&b, m), 0);
    c->got = 0;
    bnd_dispatch_frame(W.srv, &c->s, b.data, b.len);
    bn_buf_free(&b);
}

/* Waits for the reply to m (sent with send_req): 0 for a non-ERROR reply,
 * else the error code. */
TW int wait_reply(tclient *c, const bn_msg *m)
{
    while (c->got == 0)
        uv_run(&W.loop, UV_RUN_ONCE);
    assert_int_equal(c->got, 1);
    assert_int_equal(c->rep.id, m->id);
    return c->rep.type == BN_MSG_ERROR ? (int)c->rep.u.error.code : 0;
}

TW int call(tclient *c, bn_msg *m)
{
    send_req(c, m);
    return wait_reply(c, m);
}

/* ---- the pair's log, as a client builds entries (DESIGN.md) ------------ */

/* The request's "entry" field. */
TW bn_bin *entry_of(bn_msg *m)
{
    bn_bin *e = bn_log_entry_field(m);
    if (e == NULL)
        fail_msg("%s has no entry", bn_msg_name(m->type));
    return e;
}

/* Makes c's entry for m at (seq, prev) into c->entry and points m's entry
 * field at it (bn_testlog.h). */
TW void make_entry(tclient *c, bn_msg *m, uint64_t pair, uint64_t seq,
                   const uint8_t prev[32])
{
    assert_int_equal(bn_test_log_sign(m, pair, c->account, c->id->sign_sk, seq,
                                      prev, c->entry, NULL),
                     0);
}

/* make_entry with the entry's fields changed by fix before it is signed
 * (an entry that does not match its request). */
TW void make_entry_fixed(tclient *c, bn_msg *m, uint64_t pair, uint64_t seq,
                         const uint8_t prev[32], void (*fix)(bn_log_entry *e))
{
    bn_log_entry e;
    assert_int_equal(bn_test_log_fill(&e, m, c->account, seq, prev), 0);
    fix(&e);
    assert_int_equal(
        bn_test_log_finish(&e, m, pair, c->id->sign_sk, c->entry, NULL), 0);
}

/* Reads the pair's head as c sees it (PAIR_GET): 0, or the error. */
TW int log_head(tclient *c, uint64_t pair, uint64_t *seq, uint8_t head[32])
{
    bn_msg g;
    bn_msg_init(&g, BN_MSG_PAIR_GET, 0);
    g.u.pair_get.pair_id = pair;
    int rc = call(c, &g);
    if (rc != 0)
        return rc;
    *seq = c->rep.u.pair_detail.log_seq;
    memcpy(head, c->rep.u.pair_detail.log_head, 32);
    return 0;
}

/* Signs m (a logged write to pair) for c on the head c reads now, as a
 * client does. A caller who cannot read the pair gets an entry at seq 1:
 * its request fails on its own checks first. */
TW void log_sign(tclient *c, bn_msg *m, uint64_t pair)
{
    uint8_t head[32] = {0};
    uint64_t seq = 0;
    if (log_head(c, pair, &seq, head) != 0) {
        seq = 0;
        memset(head, 0, 32);
    }
    make_entry(c, m, pair, seq + 1, head);
}

/* A logged write: signed on the current head, sent, answered. */
TW int call_logged(tclient *c, bn_msg *m, uint64_t pair)
{
    log_sign(c, m, pair);
    return call(c, m);
}

TW int join(tclient *c, const uint8_t token[32], const char *name)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_JOIN, 0);
    memcpy(m.u.join.token, token, 32);
    m.u.join.name.ptr = name;
    m.u.join.name.len = (uint32_t)strlen(name);
    memcpy(m.u.join.sign_pk, c->id->sign_pk, 32);
    memcpy(m.u.join.box_pk, c->id->box_pk, 32);
    assert_int_equal(bn_login_sign(m.u.join.sig, &c->ch, c->id->sign_sk), 0);
    int rc = call(c, &m);
    if (rc == 0) {
        assert_int_equal(c->rep.type, BN_MSG_LOGGED_IN);
        c->account = c->rep.u.logged_in.account.id;
        assert_true(c->s.logged_in);
    }
    return rc;
}

TW void invite(uint64_t programme, uint8_t role, uint8_t token[32])
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_INVITE_CREATE, 0);
    m.u.invite_create.programme_id = programme;
    m.u.invite_create.role = role;
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.type, BN_MSG_INVITE);
    memcpy(token, W.admin.rep.u.invite.token, 32);
}

static int put_expired(MDB_txn *txn, void *arg)
{
    return bnd_invite_put(W.srv->store, txn, arg, W.prog1, BN_ROLE_MENTEE,
                          bn_now() - 10, 1);
}

/* invite_expired stores an invitation to W.prog1 with token, expired. */
TW void invite_expired(const uint8_t token[32])
{
    assert_int_equal(bnd_store_write(W.srv->store, put_expired, (void *)token),
                     0);
}

TW void join_as(tclient *c, uint64_t programme, uint8_t role, const char *name)
{
    uint8_t token[32];
    client_init(c);
    invite(programme, role, token);
    assert_int_equal(join(c, token, name), 0);
    assert_int_equal(c->rep.u.logged_in.account.role, role);
    assert_int_equal(c->rep.u.logged_in.account.programme_id, programme);
}

TW uint64_t programme(const char *name, const char *charter)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PROGRAMME_CREATE, 0);
    m.u.programme_create.name.ptr = name;
    m.u.programme_create.name.len = (uint32_t)strlen(name);
    m.u.programme_create.theme.ptr = "careers";
    m.u.programme_create.theme.len = 7;
    m.u.programme_create.months = 6;
    m.u.programme_create.frequency = BN_FREQ_MONTHLY;
    m.u.programme_create.format = BN_FORMAT_MIXED;
    m.u.programme_create.charter.ptr = charter;
    m.u.programme_create.charter.len = (uint32_t)strlen(charter);
    assert_int_equal(call(&W.admin, &m), 0);
    assert_int_equal(W.admin.rep.type, BN_MSG_PROGRAMME);
    memcpy(W.charter_hash, W.admin.rep.u.programme.programme.charter_hash, 32);
    return W.admin.rep.u.programme.programme.id;
}

/* PAIR_START by the administrator: the pair started on date. */
TW int pair_start(uint64_t pair, uint32_t date)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_START, 0);
    m.u.pair_start.pair_id = pair;
    m.u.pair_start.date = date;
    return call(&W.admin, &m);
}

TW int pair_create(uint64_t prog, uint64_t mentor, uint64_t mentee,
                   uint64_t *id)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_CREATE, 0);
    m.u.pair_create.programme_id = prog;
    m.u.pair_create.mentor_id = mentor;
    m.u.pair_create.mentee_id = mentee;
    int rc = call(&W.admin, &m);
    if (rc == 0) {
        assert_int_equal(W.admin.rep.u.pair.pair.status, BN_PAIR_PENDING);
        assert_int_equal(W.admin.rep.u.pair.pair.epoch, 1);
        *id = W.admin.rep.u.pair.pair.id;
    }
    return rc;
}

/* The pair's members hash as c reads them (PAIR_GET). */
TW void members_hash(tclient *c, uint64_t pair, uint8_t out[32])
{
    bn_msg g;
    bn_member_id ids[BN_MEMBERS_MAX];
    bn_msg_init(&g, BN_MSG_PAIR_GET, 0);
    g.u.pair_get.pair_id = pair;
    if (call(c, &g) != 0) {
        memset(out, 0, 32);
        return;
    }
    const bn_pair_detail *d = &c->rep.u.pair_detail;
    assert_true(d->members.len <= BN_MEMBERS_MAX);
    for (uint32_t i = 0; i < d->members.len; i++) {
        ids[i].account_id = d->members.v[i].account_id;
        ids[i].role = d->members.v[i].role;
        memcpy(ids[i].sign_pk, d->members.v[i].sign_pk, 32);
        memcpy(ids[i].box_pk, d->members.v[i].box_pk, 32);
    }
    assert_int_equal(bn_members_hash(out, ids, d->members.len), 0);
}

/* erase_ask: member c asks, signed, to erase pair (mine: what c wrote;
 * else the whole pair, once every member asked). */
TW int erase_ask(tclient *c, uint64_t pair, int mine)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_ERASE, 0);
    m.u.pair_erase.pair_id = pair;
    m.u.pair_erase.mine = mine ? 1 : 0;
    return call_logged(c, &m, pair);
}

/* erase_both: both members of an ended pair ask; it is then erased. */
TW int erase_both(tclient *a, tclient *b, uint64_t pair)
{
    int rc = erase_ask(a, pair, 0);
    if (rc == 0)
        rc = erase_ask(b, pair, 0);
    return rc;
}

/* PAIR_ACCEPT by c with the charter signature and the members hash c
 * reads (or mh when not NULL). */
TW int accept_pair_mh(tclient *c, uint64_t pair, const uint8_t *mh)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_ACCEPT, 0);
    m.u.pair_accept.pair_id = pair;
    m.u.pair_accept.date = bn_date_today();
    assert_int_equal(bn_charter_sign(m.u.pair_accept.sig, pair, W.charter_hash,
                                     m.u.pair_accept.date, c->account,
                                     c->id->sign_sk),
                     0);
    if (mh != NULL)
        memcpy(m.u.pair_accept.members_hash, mh, 32);
    else
        members_hash(c, pair, m.u.pair_accept.members_hash);
    return call_logged(c, &m, pair);
}

TW int accept_pair(tclient *c, uint64_t pair)
{
    return accept_pair_mh(c, pair, NULL);
}

/* Fills wraps[i] for who[i] (in that order) of key at epoch, by c. */
TW void make_wraps(bn_key_wrap *wraps, tclient *c, uint64_t pair,
                   uint32_t epoch, tclient **who, int n, const uint8_t key[32])
{
    uint8_t kid[32];
    bn_pairkey_id(kid, pair, epoch, key);
    for (int i = 0; i < n; i++) {
        memset(&wraps[i], 0, sizeof wraps[i]);
        wraps[i].epoch = epoch;
        wraps[i].member_id = who[i]->account;
        wraps[i].wrapper_id = c->account;
        memcpy(wraps[i].key_id, kid, 32);
        assert_int_equal(bn_pairkey_wrap(wraps[i].wrap, pair, epoch,
                                         who[i]->account, who[i]->id->box_pk,
                                         c->account, key, c->id->sign_sk),
                         0);
    }
}

/* KEY_PUT of the n wraps (logged on the head c reads). */
TW int key_put_wraps(tclient *c, uint64_t pair, uint32_t epoch,
                     bn_key_wrap *wraps, uint32_t n)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_KEY_PUT, 0);
    m.u.key_put.pair_id = pair;
    m.u.key_put.epoch = epoch;
    m.u.key_put.wraps.v = wraps;
    m.u.key_put.wraps.len = n;
    return call_logged(c, &m, pair);
}

/* KEY_PUT of key at epoch for a then b (in that order), by c. */
TW int key_put_epoch(tclient *c, uint64_t pair, uint32_t epoch, tclient *a,
                     tclient *b, const uint8_t key[32])
{
    bn_key_wrap wraps[2];
    tclient *who[2] = {a, b};
    make_wraps(wraps, c, pair, epoch, who, 2, key);
    return key_put_wraps(c, pair, epoch, wraps, 2);
}

TW int key_put(tclient *c, uint64_t pair, tclient *a, tclient *b,
               const uint8_t key[32])
{
    return key_put_epoch(c, pair, 1, a, b, key);
}

/* Seals text as note revision rev by c and sends NOTE_PUT; *env gets the
 * envelope (free with free) when env is not NULL. */
TW int note_put_env(tclient *c, uint64_t pair, uint64_t note, uint32_t rev,
                    int priv, const uint8_t *env, size_t envlen)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_NOTE_PUT, 0);
    m.u.note_put.pair_id = pair;
    m.u.note_put.note_id = note;
    m.u.note_put.revision = rev;
    m.u.note_put.kind = BN_KIND_REPORT;
    m.u.note_put.is_private = (uint8_t)priv;
    m.u.note_put.epoch = 1;
    m.u.note_put.envelope.ptr = env;
    m.u.note_put.envelope.len = (uint32_t)envlen;
    return call_logged(c, &m, pair);
}

TW uint8_t *seal(tclient *c, uint64_t pair, uint64_t note, uint32_t rev,
                 int priv, const char *text, size_t *len)
{
    bn_note_ad ad = {pair,           note,          rev, c->account,
                     BN_KIND_REPORT, (uint8_t)priv, 0};
    uint8_t *env = NULL;
    assert_int_equal(
        bn_envelope_seal(&env, len, priv ? c->id->self_key : W.pair_key, 1, &ad,
                         (const uint8_t *)text, strlen(text), c->id->sign_sk),
        0);
    return env;
}

TW int note_put(tclient *c, uint64_t pair, uint64_t note, uint32_t rev,
                int priv, const char *text)
{
    size_t len;
    uint8_t *env = seal(c, pair, note, rev, priv, text, &len);
    int rc = note_put_env(c, pair, note, rev, priv, env, len);
    free(env);
    return rc;
}

TW int note_get(tclient *c, uint64_t pair, uint64_t note, uint32_t rev)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_NOTE_GET, 0);
    m.u.note_get.pair_id = pair;
    m.u.note_get.note_id = note;
    m.u.note_get.revision = rev;
    return call(c, &m);
}

TW int note_list(tclient *c, uint64_t pair, uint64_t after)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_NOTE_LIST, 0);
    m.u.note_list.pair_id = pair;
    m.u.note_list.after = after;
    return call(c, &m);
}

TW int pair_get(tclient *c, uint64_t pair)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_GET, 0);
    m.u.pair_get.pair_id = pair;
    return call(c, &m);
}

/* The ERROR reply's message holds s. */
TW void said(tclient *c, const char *s)
{
    assert_int_equal(c->rep.type, BN_MSG_ERROR);
    assert_non_null(c->rep.u.error.message.ptr);
    if (strstr(c->rep.u.error.message.ptr, s) == NULL)
        fail_msg("'%s' not in '%s'", s, c->rep.u.error.message.ptr);
}

/* The statistics row of pair in prog (STATS_PAIRS_GET), copied, its names
 * dropped (they point into a reply the next call replaces). */
TW bn_stats_pair stats_row(uint64_t prog, uint64_t pair)
{
    bn_msg m;
    bn_stats_pair row;
    bn_msg_init(&m, BN_MSG_STATS_PAIRS_GET, 0);
    m.u.stats_pairs_get.programme_id = prog;
    assert_int_equal(call(&W.admin, &m), 0);
    for (uint32_t i = 0; i < W.admin.rep.u.stats_pairs.items.len; i++) {
        row = W.admin.rep.u.stats_pairs.items.v[i];
        if (row.pair_id == pair) {
            row.mentor_name.ptr = row.mentee_name.ptr = NULL;
            return row;
        }
    }
    fail_msg("no statistics row for pair %llu", (unsigned long long)pair);
    return row;
}

/* Accepts pair for both members and puts the pair key (W.pair_key). */
TW void activate(uint64_t pair, tclient *mentor, tclient *mentee)
{
    assert_int_equal(accept_pair(mentor, pair), 0);
    assert_int_equal(accept_pair(mentee, pair), 0);
    assert_int_equal(key_put(mentee, pair, mentor, mentee, W.pair_key), 0);
}

/* PAIR_END today, with override as given. */
TW int pair_end_ov(tclient *c, uint64_t pair, uint8_t reason, int override)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_END, 0);
    m.u.pair_end.pair_id = pair;
    m.u.pair_end.reason = reason;
    m.u.pair_end.date = bn_date_today();
    m.u.pair_end.override = override != 0;
    return call_logged(c, &m, pair);
}

/* PAIR_END today; completed with the override (the world's pairs start
 * today, before the programme's minimum duration: issue 13). */
TW int pair_end(tclient *c, uint64_t pair, uint8_t reason)
{
    return pair_end_ov(c, pair, reason, reason == BN_END_COMPLETED);
}

TW int session_add(tclient *c, uint64_t pair, uint32_t date, uint8_t status,
                   uint8_t absent)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_SESSION_ADD, 0);
    m.u.session_add.pair_id = pair;
    m.u.session_add.date = date;
    m.u.session_add.status = status;
    m.u.session_add.absent = absent;
    return call_logged(c, &m, pair);
}

/* ---- the world ------------------------------------------------------------
 */

TW int setup(void **state)
{
    char code[BN_INVITE_CODE_MAX + 1];
    bn_invite_code ic;
    bnd_config cfg;
    (void)state;

    bnd_log_set_level(BND_LOG_ERROR);
    assert_int_equal(bn_crypto_init(), 0);
    strcpy(W.dir, "/tmp/bnd-srv-XXXXXX");
    assert_non_null(mkdtemp(W.dir));
    strcat(W.dir, "/data");
    assert_int_equal(bnd_datadir_init(W.dir, NULL, code, sizeof code), 0);
    assert_int_equal(bnd_datadir_init(W.dir, NULL, code, sizeof code),
                     BN_EEXIST);
    assert_int_equal(bn_invite_parse(&ic, code), 0);
    assert_string_equal(ic.host, "127.0.0.1");
    assert_int_equal(ic.port, 7450);
    memcpy(W.admin_token, ic.token, 32);

    bnd_config_defaults(&cfg);
    strcpy(cfg.data_dir, W.dir);
    /* The world's clients send back to back; test_srv_rate sets the
     * request rate it tests. */
    cfg.rate_per_account = 0;
    assert_int_equal(uv_loop_init(&W.loop), 0);
    assert_int_equal(bnd_server_open(&W.srv, &cfg, &W.loop), 0);
    assert_memory_equal(W.srv->keys->box_pk, ic.server_pk, 32);

    client_init(&W.admin);
    assert_int_equal(join(&W.admin, W.admin_token, "Ada"), 0);
    assert_int_equal(W.admin.rep.u.logged_in.account.role, BN_ROLE_ADMIN);
    assert_int_equal(W.admin.rep.u.logged_in.account.programme_id, 0);

    W.prog2 = programme("Other programme", "Other charter");
    W.prog1 = programme("Main programme", "We meet monthly.");
    join_as(&W.mentor, W.prog1, BN_ROLE_MENTOR, "Marc");
    join_as(&W.mentee, W.prog1, BN_ROLE_MENTEE, "Mina");
    join_as(&W.mentor2, W.prog1, BN_ROLE_MENTOR, "Nora");
    join_as(&W.mentee2, W.prog1, BN_ROLE_MENTEE, "Noel");
    join_as(&W.mentee3, W.prog2, BN_ROLE_MENTEE, "Otto");
    assert_int_equal(
        pair_create(W.prog1, W.mentor.account, W.mentee.account, &W.pair_a), 0);
    assert_int_equal(
        pair_create(W.prog1, W.mentor2.account, W.mentee2.account, &W.pair_b),
        0);
#ifdef WORLD_EARLY_START
    /* the coordinator dates both pairs' start 2020-01-01, before every
     * session these tests record (none may precede its pair's start) */
    assert_int_equal(pair_start(W.pair_a, WORLD_EARLY_START), 0);
    assert_int_equal(pair_start(W.pair_b, WORLD_EARLY_START), 0);
#endif
    bn_pairkey_generate(W.pair_key);
    return 0;
}

TW int teardown(void **state)
{
    (void)state;
    client_free(&W.admin);
    client_free(&W.mentor);
    client_free(&W.mentee);
    client_free(&W.mentor2);
    client_free(&W.mentee2);
    client_free(&W.mentee3);
    bnd_server_close(W.srv);
    assert_int_equal(uv_loop_close(&W.loop), 0);
    char *slash = strrchr(W.dir, '/');
    *slash = '\0';
    bn_testfs_rmtree(W.dir);
    return 0;
}

#endif
