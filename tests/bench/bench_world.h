/*
 * bench_world.h: a store built in process, through the dispatch and the
 * writer thread as the daemon would, for bench_stats and bench_scale.
 *
 * In-process clients (bw_client: a bnd_session on its own channel) send
 * pipelined requests (up to bw.pipeline in flight, so the writer applies
 * them in large group-commit transactions); each reply goes to the
 * client's callback. On top of them, the world every benchmark starts
 * from: one programme, npairs pairs of a mentor and a mentee, both
 * accepted, with the signed log entries a client makes (DESIGN.md).
 *
 * Every function stops the program with bw_die on any failure: these are
 * benchmarks, which fail only when something does not work. The server
 * library is not linked into every test binary, so this is a header of
 * static functions for the one program that includes it, not a
 * tests/lib object.
 */
#ifndef BENCH_WORLD_H
#define BENCH_WORLD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bn_bench.h"
#include "../lib/bn_testlog.h"
#include "bn_invite.h"
#include "bnd_dispatch.h"
#include "bnd_log.h"
#include "bnd_server.h"

typedef struct bw_client bw_client;
typedef void (*bw_on_fn)(bw_client *c, const bn_msg *rep, void *arg);

struct bw_client {
    bnd_session s; /* first: the session's callbacks get the client */
    bn_channel ch;
    uint64_t account;
    uint64_t next_id;
    bw_on_fn on; /* called with every reply (NULL: none) */
    void *arg;
};

/* The program's server and the requests in flight. */
static struct {
    const char *name;  /* the program, for messages */
    const char *phase; /* what it is doing, for messages */
    uv_loop_t loop;
    bnd_server *srv;
    unsigned pending;
    unsigned pipeline; /* requests in flight at most */
    uint64_t reply_bytes;
    double t_reply; /* when the last reply reached its callback */
} bw = {.phase = "setup"};

/* bw_die prints what failed in which phase, and exits with status 1. */
static void bw_die(const char *what, int rc)
{
    fprintf(stderr, "%s: %s: %s: %s\n", bw.name, bw.phase, what,
            bn_strerror(rc));
    exit(1);
}

/* bw_open makes a data directory in dir (listen: for its binomed.conf,
 * or NULL), parses the first admin invitation into ic and opens the
 * server on bw.loop with cfg, without a rate limit. */
static void bw_open(const char *dir, const char *listen, bn_invite_code *ic,
                    bnd_config *cfg)
{
    char code[BN_INVITE_CODE_MAX + 1];
    int rc;

    bnd_log_set_level(BND_LOG_ERROR);
    rc = bnd_datadir_init(dir, listen, code, sizeof code);
    if (rc == 0)
        rc = bn_invite_parse(ic, code);
    if (rc != 0)
        bw_die("init", rc);
    bnd_config_defaults(cfg);
    snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", dir);
    cfg->rate_per_account = 0; /* the world is built at full speed */
    if (uv_loop_init(&bw.loop) != 0)
        bw_die("loop", BN_EINTERNAL);
    rc = bnd_server_open(&bw.srv, cfg, &bw.loop);
    if (rc != 0)
        bw_die("server open", rc);
}

/* ---- in-process clients ------------------------------------------------ */

static void bw_on_reply(bnd_session *s, const uint8_t *msg, size_t len,
                        unsigned flags)
{
    bw_client *c = (bw_client *)s;
    bn_msg m;
    (void)flags;
    bw.t_reply = bn_bench_now_ms();
    int rc = bn_msg_decode(&m, msg, len);
    if (rc != 0)
        bw_die("reply does not decode", rc);
    if (m.type == BN_MSG_ERROR)
        bw_die(bn_msg_name(m.type), (int)m.u.error.code);
    bw.reply_bytes += len;
    if (c->on != NULL)
        c->on(c, &m, c->arg);
    bn_msg_free(&m);
    bw.pending--;
}

/* bw_client_init makes c a new session on a channel of its own. */
static void bw_client_init(bw_client *c)
{
    memset(c, 0, sizeof *c);
    randombytes_buf(c->ch.hash, sizeof c->ch.hash);
    bnd_session_init(&c->s, 1, &c->ch, bw_on_reply, NULL, c);
    c->next_id = 1;
}

/* bw_send_raw dispatches an encoded request as c; waits while the
 * pipeline is full. */
static void bw_send_raw(bw_client *c, const uint8_t *msg, size_t len)
{
    bw.pending++;
    bnd_dispatch_frame(bw.srv, &c->s, msg, len);
    while (bw.pending >= bw.pipeline)
        uv_run(&bw.loop, UV_RUN_ONCE);
}

/* bw_send_req encodes m with c's next request id and dispatches it; the
 * reply goes to c->on. */
static void bw_send_req(bw_client *c, bn_msg *m)
{
    bn_buf b;
    bn_buf_init(&b);
    m->id = c->next_id++;
    int rc = bn_msg_encode(&b, m);
    if (rc != 0)
        bw_die("encode", rc);
    bw_send_raw(c, b.data, b.len);
    bn_buf_free(&b);
}

/* bw_drain waits for every reply. */
static void bw_drain(void)
{
    while (bw.pending > 0)
        uv_run(&bw.loop, UV_RUN_ONCE);
}

/* ---- log entries, as a client makes them (DESIGN.md) ------------------ */

/* bw_sign_entry signs m as author on the pair's chain (seq, head:
 * updated) and points m's entry at buf (bn_testlog.h). Thread-safe:
 * touches only its arguments. */
static void bw_sign_entry(bn_msg *m, uint64_t pair, uint64_t author,
                          const uint8_t *sk, uint64_t *seq, uint8_t head[32],
                          uint8_t buf[BN_LOG_ENTRY_BYTES])
{
    uint8_t prev[32];
    memcpy(prev, head, 32);
    if (bn_test_log_sign(m, pair, author, sk, *seq + 1, prev, buf, head) != 0)
        bw_die("log entry", BN_EINTERNAL);
    ++*seq;
}

/* ---- the world ---------------------------------------------------------- */

/* The programme, its accounts and pairs; arrays of npairs (tokens: 2 *
 * npairs), from bw_world_init, freed by bw_world_free. */
typedef struct bw_world {
    unsigned npairs;
    bw_client admin;
    bw_client *mentors, *mentees;
    uint8_t (*tokens)[32];
    uint64_t *pairs;
    uint32_t *epoch;
    uint64_t prog, tok_base, pair_base;
    uint8_t charter_hash[32];
    bn_identity *ida, *idm, *idt; /* admin; every mentor; every mentee */
    uint64_t *seq;                /* each pair's log: last entry, head */
    uint8_t (*head)[32];
} bw_world;

/* bw_world_init allocates w's arrays for npairs and generates its
 * identities (ida only when admin_key). */
static void bw_world_init(bw_world *w, unsigned npairs, int admin_key)
{
    memset(w, 0, sizeof *w);
    w->npairs = npairs;
    w->mentors = calloc(npairs, sizeof *w->mentors);
    w->mentees = calloc(npairs, sizeof *w->mentees);
    w->tokens = calloc(2 * (size_t)npairs, sizeof *w->tokens);
    w->pairs = calloc(npairs, sizeof *w->pairs);
    w->epoch = calloc(npairs, sizeof *w->epoch);
    w->seq = calloc(npairs, sizeof *w->seq);
    w->head = calloc(npairs, sizeof *w->head);
    w->ida = admin_key ? bn_identity_new() : NULL;
    w->idm = bn_identity_new();
    w->idt = bn_identity_new();
    if (!w->mentors || !w->mentees || !w->tokens || !w->pairs || !w->epoch ||
        !w->seq || !w->head || (admin_key && !w->ida) || !w->idm || !w->idt ||
        (admin_key && bn_identity_generate(w->ida) != 0) ||
        bn_identity_generate(w->idm) != 0 || bn_identity_generate(w->idt) != 0)
        bw_die("memory", BN_ENOMEM);
}

static void bw_world_free(bw_world *w)
{
    bn_identity_free(w->ida);
    bn_identity_free(w->idm);
    bn_identity_free(w->idt);
    free(w->mentors);
    free(w->mentees);
    free(w->tokens);
    free(w->pairs);
    free(w->epoch);
    free(w->seq);
    free(w->head);
}

static void bw_on_programme(bw_client *c, const bn_msg *rep, void *arg)
{
    bw_world *w = arg;
    (void)c;
    w->prog = rep->u.programme.programme.id;
    memcpy(w->charter_hash, rep->u.programme.programme.charter_hash, 32);
}

static void bw_on_invite(bw_client *c, const bn_msg *rep, void *arg)
{
    bw_world *w = arg;
    (void)c;
    memcpy(w->tokens[rep->id - w->tok_base], rep->u.invite.token, 32);
}

/* bw_on_login takes the account of a LOGGED_IN reply (JOIN or LOGIN). */
static void bw_on_login(bw_client *c, const bn_msg *rep, void *arg)
{
    (void)arg;
    if (rep->type != BN_MSG_LOGGED_IN)
        bw_die("LOGGED_IN expected", BN_EPROTO);
    c->account = rep->u.logged_in.account.id;
}

static void bw_on_pair(bw_client *c, const bn_msg *rep, void *arg)
{
    bw_world *w = arg;
    (void)c;
    w->pairs[rep->id - w->pair_base] = rep->u.pair.pair.id;
    w->epoch[rep->id - w->pair_base] = rep->u.pair.pair.epoch;
}

/* bw_join sends JOIN with token as c, under name and id's keys. */
static void bw_join(bw_client *c, const uint8_t token[32], const char *name,
                    const bn_identity *id)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_JOIN, 0);
    memcpy(m.u.join.token, token, 32);
    m.u.join.name.ptr = name;
    m.u.join.name.len = (uint32_t)strlen(name);
    memcpy(m.u.join.sign_pk, id->sign_pk, 32);
    memcpy(m.u.join.box_pk, id->box_pk, 32);
    if (bn_login_sign(m.u.join.sig, &c->ch, id->sign_sk) != 0)
        bw_die("login sign", BN_EINTERNAL);
    c->on = bw_on_login;
    bw_send_req(c, &m);
}

/* bw_build_accounts joins the admin (admin_token, admin_name, admin_id),
 * creates the programme (programme: its name) and joins a mentor and a
 * mentee per pair. */
static void bw_build_accounts(bw_world *w, const uint8_t admin_token[32],
                              const char *admin_name,
                              const bn_identity *admin_id,
                              const char *programme)
{
    bn_msg m;
    char name[32];
    unsigned n = w->npairs;

    bw_client_init(&w->admin);
    bw_join(&w->admin, admin_token, admin_name, admin_id);
    bw_drain();
    bn_msg_init(&m, BN_MSG_PROGRAMME_CREATE, 0);
    m.u.programme_create.name =
        (bn_str){programme, (uint32_t)strlen(programme)};
    m.u.programme_create.theme = (bn_str){"careers", 7};
    m.u.programme_create.months = 6;
    m.u.programme_create.frequency = BN_FREQ_MONTHLY;
    m.u.programme_create.format = BN_FORMAT_MIXED;
    m.u.programme_create.charter = (bn_str){"We meet monthly.", 16};
    w->admin.on = bw_on_programme;
    w->admin.arg = w;
    bw_send_req(&w->admin, &m);
    bw_drain();

    w->admin.on = bw_on_invite;
    w->tok_base = w->admin.next_id;
    for (unsigned i = 0; i < 2 * n; i++) {
        bn_msg_init(&m, BN_MSG_INVITE_CREATE, 0);
        m.u.invite_create.programme_id = w->prog;
        m.u.invite_create.role = i < n ? BN_ROLE_MENTOR : BN_ROLE_MENTEE;
        bw_send_req(&w->admin, &m);
    }
    bw_drain();
    for (unsigned i = 0; i < n; i++) {
        bw_client_init(&w->mentors[i]);
        bw_client_init(&w->mentees[i]);
        snprintf(name, sizeof name, "Mentor %05u", i);
        bw_join(&w->mentors[i], w->tokens[i], name, w->idm);
        snprintf(name, sizeof name, "Mentee %05u", i);
        bw_join(&w->mentees[i], w->tokens[n + i], name, w->idt);
    }
    bw_drain();
}

static void bw_accept_as(bw_world *w, unsigned i, bw_client *c,
                         const bn_identity *id, uint8_t buf[BN_LOG_ENTRY_BYTES])
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_ACCEPT, 0);
    m.u.pair_accept.pair_id = w->pairs[i];
    m.u.pair_accept.date = bn_date_today();
    if (bn_charter_sign(m.u.pair_accept.sig, w->pairs[i], w->charter_hash,
                        m.u.pair_accept.date, c->account, id->sign_sk) != 0)
        bw_die("charter sign", BN_EINTERNAL);
    /* every mentor shares idm, every mentee idt */
    bn_member_id ids[2] = {{w->mentors[i].account, BN_ROLE_MENTOR, {0}, {0}},
                           {w->mentees[i].account, BN_ROLE_MENTEE, {0}, {0}}};
    memcpy(ids[0].sign_pk, w->idm->sign_pk, 32);
    memcpy(ids[0].box_pk, w->idm->box_pk, 32);
    memcpy(ids[1].sign_pk, w->idt->sign_pk, 32);
    memcpy(ids[1].box_pk, w->idt->box_pk, 32);
    if (bn_members_hash(m.u.pair_accept.members_hash, ids, 2) != 0)
        bw_die("members hash", BN_EINTERNAL);
    bw_sign_entry(&m, w->pairs[i], c->account, id->sign_sk, &w->seq[i],
                  w->head[i], buf);
    c->on = NULL;
    bw_send_req(c, &m);
}

/* bw_build_pairs creates pair i of mentor i and mentee i, and both
 * accept it. */
static void bw_build_pairs(bw_world *w)
{
    uint8_t buf[BN_LOG_ENTRY_BYTES];
    bn_msg m;

    w->admin.on = bw_on_pair;
    w->pair_base = w->admin.next_id;
    for (unsigned i = 0; i < w->npairs; i++) {
        bn_msg_init(&m, BN_MSG_PAIR_CREATE, 0);
        m.u.pair_create.programme_id = w->prog;
        m.u.pair_create.mentor_id = w->mentors[i].account;
        m.u.pair_create.mentee_id = w->mentees[i].account;
        bw_send_req(&w->admin, &m);
    }
    bw_drain();
    /* the request is encoded by bw_send_req: buf can be reused at once;
     * the mentee accepts once the mentor's accept is in (two connections'
     * writes to a pair are not ordered) */
    for (unsigned i = 0; i < w->npairs; i++)
        bw_accept_as(w, i, &w->mentors[i], w->idm, buf);
    bw_drain();
    for (unsigned i = 0; i < w->npairs; i++)
        bw_accept_as(w, i, &w->mentees[i], w->idt, buf);
    bw_drain();
}

#endif
