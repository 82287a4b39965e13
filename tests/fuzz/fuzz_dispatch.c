/*
 * libFuzzer target: the server's request dispatch, in process, on a
 * temporary LMDB store.
 *
 * Set-up (once): a data directory, an administrator, a programme, a mentor
 * and a mentee who joined with invitations, and their pair, accepted by
 * both (with signed log entries) and keyed by the mentor (a logged
 * KEY_PUT), so that fuzzed requests reach every
 * family of handlers with every role. Each input is one plaintext message
 * (what a channel would deliver) preceded by one byte choosing who sends
 * it: nobody logged in, the administrator, the mentor or the mentee. The
 * loop runs until every write the input caused is answered; every reply
 * must decode. A crash, a sanitizer report, a reply that does not decode
 * or a session left with writes in flight is a finding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bn_testlog.h"
#include "bn_invite.h"
#include "bnd_dispatch.h"
#include "bnd_log.h"
#include "bnd_server.h"

typedef struct fclient {
    bnd_session s;
    bn_channel ch;
    bn_identity *id;
    uint64_t account;
    bn_msg rep;
    int got;
} fclient;

static uv_loop_t loop;
static bnd_server *srv;
static fclient admin, mentor, mentee;
static uint64_t programme_id, pair_id;
static uint8_t charter_hash[32];

static void die(const char *what, int rc)
{
    fprintf(stderr, "fuzz_dispatch set-up: %s: %s\n", what, bn_strerror(rc));
    abort();
}

static void on_reply(bnd_session *s, const uint8_t *msg, size_t len,
                     unsigned flags)
{
    fclient *c = s->user;
    (void)flags;
    bn_msg_free(&c->rep);
    if (bn_msg_decode(&c->rep, msg, len) != 0)
        abort(); /* the server sent something it cannot itself decode */
    c->got++;
}

static void client_init(fclient *c)
{
    memset(c, 0, sizeof *c);
    randombytes_buf(c->ch.hash, sizeof c->ch.hash);
    bnd_session_init(&c->s, 1, &c->ch, on_reply, NULL, c);
    c->id = bn_identity_new();
    if (c->id == NULL || bn_identity_generate(c->id) != 0)
        die("identity", BN_ENOMEM);
}

/* Runs the loop until c has no write in flight. */
static void settle(fclient *c)
{
    while (c->s.inflight > 0)
        uv_run(&loop, UV_RUN_ONCE);
}

static void send_raw(fclient *c, const uint8_t *p, size_t n)
{
    c->got = 0;
    bnd_dispatch_frame(srv, &c->s, p, n);
    settle(c);
}

/* Sends m during set-up; returns the reply's error code or 0. */
static int call(fclient *c, bn_msg *m)
{
    bn_buf b;
    bn_buf_init(&b);
    m->id = 1;
    if (bn_msg_encode(&b, m) != 0)
        die("encode", BN_EINVAL);
    send_raw(c, b.data, b.len);
    bn_buf_free(&b);
    if (c->got != 1)
        die("no reply", BN_EPROTO);
    return c->rep.type == BN_MSG_ERROR ? (int)c->rep.u.error.code : 0;
}

static void join(fclient *c, const uint8_t token[32], const char *name)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_JOIN, 0);
    memcpy(m.u.join.token, token, 32);
    m.u.join.name.ptr = name;
    m.u.join.name.len = (uint32_t)strlen(name);
    memcpy(m.u.join.sign_pk, c->id->sign_pk, 32);
    memcpy(m.u.join.box_pk, c->id->box_pk, 32);
    bn_login_sign(m.u.join.sig, &c->ch, c->id->sign_sk);
    int rc = call(c, &m);
    if (rc != 0)
        die("join", rc);
    c->account = c->rep.u.logged_in.account.id;
}

static void invite_join(fclient *c, uint8_t role, const char *name)
{
    bn_msg m;
    uint8_t token[32];
    bn_msg_init(&m, BN_MSG_INVITE_CREATE, 0);
    m.u.invite_create.programme_id = programme_id;
    m.u.invite_create.role = role;
    int rc = call(&admin, &m);
    if (rc != 0)
        die("invite", rc);
    memcpy(token, admin.rep.u.invite.token, 32);
    client_init(c);
    join(c, token, name);
}

/* Accepts the pair as c, with the charter signature, the members hash
 * and a log entry on the head (seq, head: updated). */
static void accept_pair(fclient *c, uint64_t *seq, uint8_t head[32])
{
    bn_msg m;
    uint8_t entry[BN_LOG_ENTRY_BYTES], prev[32];
    uint32_t today = bn_date_today();
    fclient *both[2] = {&mentor, &mentee};
    bn_member_id ids[2];

    bn_msg_init(&m, BN_MSG_PAIR_ACCEPT, 0);
    m.u.pair_accept.pair_id = pair_id;
    m.u.pair_accept.date = today;
    bn_charter_sign(m.u.pair_accept.sig, pair_id, charter_hash, today,
                    c->account, c->id->sign_sk);
    for (int i = 0; i < 2; i++) {
        ids[i].account_id = both[i]->account;
        ids[i].role = i == 0 ? BN_ROLE_MENTOR : BN_ROLE_MENTEE;
        memcpy(ids[i].sign_pk, both[i]->id->sign_pk, 32);
        memcpy(ids[i].box_pk, both[i]->id->box_pk, 32);
    }
    if (bn_members_hash(m.u.pair_accept.members_hash, ids, 2) != 0)
        die("members hash", BN_EINTERNAL);
    memcpy(prev, head, 32);
    if (bn_test_log_sign(&m, pair_id, c->account, c->id->sign_sk, *seq + 1,
                         prev, entry, head) != 0)
        die("log entry", BN_EINTERNAL);
    ++*seq;
    int rc = call(c, &m);
    if (rc != 0)
        die("accept", rc);
}

/* The mentor puts the pair's first key (logged), so that fuzzed notes,
 * objectives and documents reach past the key checks. */
static void put_key(uint64_t *seq, uint8_t head[32])
{
    bn_key_wrap wraps[2];
    fclient *both[2] = {&mentor, &mentee};
    uint8_t key[32], kid[32], entry[BN_LOG_ENTRY_BYTES], prev[32];
    bn_msg m;

    bn_pairkey_generate(key);
    bn_pairkey_id(kid, pair_id, 1, key);
    memset(wraps, 0, sizeof wraps);
    for (int i = 0; i < 2; i++) {
        wraps[i].epoch = 1;
        wraps[i].member_id = both[i]->account;
        wraps[i].wrapper_id = mentor.account;
        memcpy(wraps[i].key_id, kid, 32);
        if (bn_pairkey_wrap(wraps[i].wrap, pair_id, 1, both[i]->account,
                            both[i]->id->box_pk, mentor.account, key,
                            mentor.id->sign_sk) != 0)
            die("wrap", BN_EINTERNAL);
    }
    bn_msg_init(&m, BN_MSG_KEY_PUT, 0);
    m.u.key_put.pair_id = pair_id;
    m.u.key_put.epoch = 1;
    m.u.key_put.wraps.v = wraps;
    m.u.key_put.wraps.len = 2;
    memcpy(prev, head, 32);
    if (bn_test_log_sign(&m, pair_id, mentor.account, mentor.id->sign_sk,
                         *seq + 1, prev, entry, head) != 0)
        die("log entry", BN_EINTERNAL);
    ++*seq;
    int rc = call(&mentor, &m);
    sodium_memzero(key, sizeof key);
    if (rc != 0)
        die("key put", rc);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char dir[64] = "/tmp/binome-fuzz-XXXXXX";
    char code[BN_INVITE_CODE_MAX];
    bn_invite_code ic;
    bnd_config cfg;
    bn_msg m;
    (void)argc;
    (void)argv;

    bnd_log_set_level(BND_LOG_ERROR); /* quiet: errors only */
    if (bn_crypto_init() != 0 || mkdtemp(dir) == NULL)
        die("init", BN_EINTERNAL);
    strcat(dir, "/data");
    int rc = bnd_datadir_init(dir, NULL, code, sizeof code);
    if (rc != 0 || bn_invite_parse(&ic, code) != 0)
        die("datadir", rc);
    bnd_config_defaults(&cfg);
    cfg.rate_per_account = 0; /* deterministic: no clock-based refusals */
    snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", dir);
    if (uv_loop_init(&loop) != 0)
        die("loop", BN_EINTERNAL);
    rc = bnd_server_open(&srv, &cfg, &loop);
    if (rc != 0)
        die("server", rc);

    client_init(&admin);
    join(&admin, ic.token, "Admin");
    bn_msg_init(&m, BN_MSG_PROGRAMME_CREATE, 0);
    m.u.programme_create.name.ptr = "Fuzz";
    m.u.programme_create.name.len = 4;
    m.u.programme_create.months = 6;
    m.u.programme_create.frequency = BN_FREQ_MONTHLY;
    m.u.programme_create.format = BN_FORMAT_MIXED;
    m.u.programme_create.charter.ptr = "Be kind.";
    m.u.programme_create.charter.len = 8;
    if ((rc = call(&admin, &m)) != 0)
        die("programme", rc);
    programme_id = admin.rep.u.programme.programme.id;
    memcpy(charter_hash, admin.rep.u.programme.programme.charter_hash, 32);

    invite_join(&mentor, BN_ROLE_MENTOR, "Mentor");
    invite_join(&mentee, BN_ROLE_MENTEE, "Mentee");
    bn_msg_init(&m, BN_MSG_PAIR_CREATE, 0);
    m.u.pair_create.programme_id = programme_id;
    m.u.pair_create.mentor_id = mentor.account;
    m.u.pair_create.mentee_id = mentee.account;
    if ((rc = call(&admin, &m)) != 0)
        die("pair", rc);
    pair_id = admin.rep.u.pair.pair.id;

    uint8_t head[32] = {0};
    uint64_t seq = 0;
    accept_pair(&mentor, &seq, head);
    accept_pair(&mentee, &seq, head);
    put_key(&seq, head);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fclient anon;
    fclient *who;

    if (size < 1)
        return 0;
    switch (data[0] & 3) {
    case 0:
        memset(&anon, 0, sizeof anon);
        randombytes_buf(anon.ch.hash, sizeof anon.ch.hash);
        bnd_session_init(&anon.s, 2, &anon.ch, on_reply, NULL, &anon);
        who = &anon;
        break;
    case 1:
        who = &admin;
        break;
    case 2:
        who = &mentor;
        break;
    default:
        who = &mentee;
        break;
    }
    send_raw(who, data + 1, size - 1);
    if (who->s.inflight != 0)
        abort();
    if (who == &anon) {
        bn_msg_free(&anon.rep);
        anon.s.closed = 1;
    }
    return 0;
}
