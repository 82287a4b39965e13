/*
 * bn_load.c: a load generator for binomed (docs/PERFORMANCE.md).
 *
 * Setup is blocking and uses libbinome as a real client would: join as the
 * administrator (an invitation code from `binomed init`, or an existing
 * admin profile), create a programme, then for every connection one mentor
 * and one mentee account, a pair, both acceptances and the pair key. One
 * pair per connection, so that log entries of different connections never
 * contend for the same head.
 *
 * The load itself runs on one libuv loop: N connections speak binome's
 * protocol through the project's own frame reader, channel, codec and
 * crypto (handshake, LOGIN, PAIR_GET to unwrap the pair key and read the
 * log head), then send requests back to back, up to --pipeline in flight
 * each. Modes:
 *
 *   write  NOTE_PUT: a new note per request, sealed for real with
 *          bn_envelope_seal (the associated data binds the note id, so an
 *          envelope cannot be reused), carrying a signed log entry
 *          (DESIGN.md, "The pair's log"): seq/prev chained per pair,
 *          body_hash over the request encoded with id 0 and no entry.
 *          --seal pool builds every request before the clock starts (needs
 *          --requests), to take the client's own crypto out of the figure.
 *   read   NOTE_GET of notes this connection wrote before (a short untimed
 *          prefill writes some when no write phase ran first).
 *   mixed  each request a write with probability --write-pct, else a read.
 *
 * A request's latency runs from just before its frame is queued to the
 * socket until its reply is decoded; every latency is kept and the
 * percentiles are exact. Each mode ends with one line on stdout:
 *
 *   mode=write conns=50 pipeline=1 size=2048 env_bytes=2093 seal=each
 *   requests=... errors=0 seconds=... rps=... p50_us=... p99_us=...
 *   p999_us=... max_us=...
 *
 * With --cpu-of PID (the daemon's pid), the line also carries
 * server_cpu_us_per_req: the CPU time (user + system, /proc/PID/stat,
 * clock ticks) the daemon used from the phase's start to its end, over
 * the requests that succeeded.
 *
 * Progress and errors go to stderr. Exit status 0 when every mode ran and
 * no request failed, 1 otherwise, 2 for a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "../lib/bn_bench.h"
#include "../lib/bn_testd.h"
#include "../lib/bn_testfs.h"
#include "../lib/bn_testlog.h"
#include "bench_admin.h"
#include "bnc_internal.h" /* the handles' insides, for white-box checks */

#define MAX_MODES 8
#define NOTES_KEPT 4096 /* note ids a connection remembers for reads */
#define RBUF_BYTES 65536
#define MAX_ERR_SHOWN 5

enum mode { MODE_WRITE, MODE_READ, MODE_MIXED };
static const char *const mode_names[] = {"write", "read", "mixed"};

enum conn_state { ST_CONNECT, ST_HS, ST_LOGIN, ST_PAIR, ST_READY, ST_DEAD };

typedef struct opts {
    const char *invite;
    const char *admin_profile;
    const char *host; /* override the invitation's address */
    unsigned conns;
    unsigned pipeline;
    unsigned size;
    unsigned write_pct;
    unsigned prefill;
    double seconds;
    uint64_t requests[MAX_MODES]; /* per mode; 0: run for seconds */
    unsigned nrequests;
    int pool; /* --seal pool */
    int modes[MAX_MODES];
    int seal[MAX_MODES]; /* write modes: -1 as --seal, 0 each, 1 pool */
    unsigned nmodes;
    long cpu_pid; /* --cpu-of: the daemon whose CPU time is reported */
} opts;

/* One participant made by the setup, and what a connection needs of it. */
typedef struct member {
    bnc_profile *prof; /* identity loaded: p->id */
    uint64_t account_id;
    uint64_t pair_id;
} member;

typedef struct slot {
    uint64_t id; /* 0: free */
    uint64_t t0;
    uint64_t note_id;
    uint8_t is_write;
} slot;

typedef struct bench bench;

typedef struct conn {
    bench *b;
    unsigned idx;
    enum conn_state state;
    uv_tcp_t tcp;
    uv_connect_t creq;
    bn_hs_client hs;
    bn_channel ch;
    bn_frame_reader rd;
    uint8_t *plain;
    size_t plain_cap;
    const member *m;
    uint8_t pair_key[BN_KEY_BYTES];
    uint32_t epoch;
    uint64_t log_seq; /* last entry sent (or the server's head) */
    uint8_t log_head[BN_HASH_BYTES];
    uint64_t next_id;
    slot *slots;
    unsigned inflight;
    unsigned issued; /* this phase */
    int resync;      /* a write failed: refetch the log head when idle */
    uint64_t resync_id;
    uint64_t *notes; /* ring of note ids written and acknowledged */
    size_t nnotes, notes_next, read_next;
    bn_buf *pool;       /* --seal pool: encoded requests for this phase */
    uint64_t *pool_ids; /* their note ids */
    size_t npool, pool_next;
    uint8_t rbuf[RBUF_BYTES];
} conn;

struct bench {
    opts o;
    uv_loop_t *loop;
    uv_timer_t timer;
    char host[BN_INVITE_HOST_MAX + 1];
    uint16_t port;
    uint8_t server_pk[32];
    member *mentors;
    conn *conns;
    unsigned ready, dead;
    uint8_t *body; /* the note plaintext */
    size_t bodylen;
    size_t envlen;
    uint64_t rng;
    /* the running phase */
    int phase;   /* index into o.modes; -1 before, nmodes after */
    int prefill; /* the phase is the untimed prefill */
    int mode;
    int running;    /* still issuing */
    unsigned quota; /* per connection; 0: none */
    uint64_t t_start, t_last;
    double cpu_start; /* the daemon's CPU seconds at the phase's start */
    uint32_t *lat;
    size_t nlat, caplat;
    uint64_t errors;
    unsigned shown;
    int failed;   /* a phase could not run */
    int pool_now; /* this phase sends pre-sealed writes */
};

static uint64_t now_ns(void)
{
    return uv_hrtime();
}

/* xorshift64*: cheap choices for the mixed mode, not for keys. */
static uint64_t rnd(bench *b)
{
    b->rng ^= b->rng >> 12;
    b->rng ^= b->rng << 25;
    b->rng ^= b->rng >> 27;
    return b->rng * 2685821657736338717ull;
}

/* ------------------------------------------------------------------ */
/* Setup with libbinome (blocking)                                     */

/* accept_pair opens the pair without keys and signs its charter. */
static int accept_pair(bnc_client *c, uint64_t pair_id)
{
    bnc_pair *p = NULL;
    int rc = bnc_pair_open(c, pair_id, BNC_PAIR_NOKEYS, &p);
    if (rc == 0)
        rc = bnc_pair_accept(c, p);
    bnc_pair_free(p);
    return rc;
}

/* make_pair makes mentor and mentee i, their pair, both acceptances and
 * the pair key (the mentor's first bnc_pair_open). */
static int make_pair(bench *b, bnc_client *admin, const char *dir,
                     uint64_t prog, unsigned i, bnc_profile **mentee_prof)
{
    char code[BN_INVITE_CODE_MAX + 1], sub[32], name[BN_NAME_MAX + 1];
    bnc_account mentor, mentee;
    bnc_client *cm = NULL, *ce = NULL;
    bnc_pair *p = NULL;
    member *m = &b->mentors[i];
    uint64_t pair_id;
    int rc;

    rc = bnc_invite_create(admin, prog, BN_ROLE_MENTOR, 0, code, NULL);
    if (rc != 0)
        return rc;
    snprintf(sub, sizeof sub, "mentor%u", i);
    snprintf(name, sizeof name, "bench mentor %u", i);
    rc = ba_join_new(dir, sub, code, name, &m->prof, &mentor);
    if (rc != 0)
        return rc;
    rc = bnc_invite_create(admin, prog, BN_ROLE_MENTEE, 0, code, NULL);
    if (rc != 0)
        return rc;
    snprintf(sub, sizeof sub, "mentee%u", i);
    snprintf(name, sizeof name, "bench mentee %u", i);
    rc = ba_join_new(dir, sub, code, name, mentee_prof, &mentee);
    if (rc != 0)
        return rc;
    rc = bnc_pair_create(admin, prog, mentor.id, mentee.id, &pair_id);
    if (rc != 0)
        return rc;
    rc = bnc_client_open(&cm, m->prof, BENCH_PASS, strlen(BENCH_PASS));
    if (rc == 0)
        rc = bnc_client_open(&ce, *mentee_prof, BENCH_PASS, strlen(BENCH_PASS));
    if (rc == 0)
        rc = accept_pair(cm, pair_id);
    if (rc == 0)
        rc = accept_pair(ce, pair_id);
    if (rc == 0)
        rc = bnc_pair_open(cm, pair_id, 0, &p); /* draws the pair key */
    m->account_id = mentor.id;
    m->pair_id = pair_id;
    bnc_pair_free(p);
    bnc_client_close(ce);
    bnc_client_close(cm);
    return rc;
}

/* setup makes the programme and one pair per connection; the mentors'
 * profiles stay loaded in b->mentors. */
static int setup(bench *b, const char *dir)
{
    bnc_profile *admin_prof = NULL;
    bnc_client *admin = NULL;
    uint64_t prog;
    uint64_t t0 = now_ns();
    const char *pass = ba_admin_pass("bn_load", b->o.invite);
    int rc;

    if (pass == NULL)
        return BN_EPASSPHRASE;
    rc = ba_admin_open(dir, b->o.invite, b->o.admin_profile, pass, &admin_prof,
                       &admin);
    if (rc != 0) {
        fprintf(stderr, "bn_load: admin: %s (%s)\n", bn_strerror(rc),
                bnc_client_error(admin));
        goto cleanup;
    }
    snprintf(b->host, sizeof b->host, "%s",
             b->o.host != NULL ? b->o.host : admin_prof->host);
    b->port = admin_prof->port;
    memcpy(b->server_pk, admin_prof->server_pk, 32);
    bnc_programme_spec spec = {.name = "bench programme",
                               .theme = "load",
                               .months = 6,
                               .frequency = BN_FREQ_MONTHLY,
                               .format = BN_FORMAT_MIXED};
    rc = bnc_programme_create(admin, &spec, &prog);
    for (unsigned i = 0; rc == 0 && i < b->o.conns; i++) {
        bnc_profile *mentee = NULL;
        rc = make_pair(b, admin, dir, prog, i, &mentee);
        bnc_profile_free(mentee); /* only mentors write */
        if (rc != 0)
            fprintf(stderr, "bn_load: pair %u: %s (%s)\n", i, bn_strerror(rc),
                    bnc_client_error(admin));
    }
    if (rc == 0)
        fprintf(stderr, "bn_load: setup: %u pairs in %.1f s\n", b->o.conns,
                (double)(now_ns() - t0) / 1e9);
cleanup:
    bnc_client_close(admin);
    bnc_profile_free(admin_prof);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Connections on libuv                                                */

static void start_phase(bench *b);
static void maybe_end_phase(bench *b);
static void fill(conn *c);

typedef struct wreq {
    uv_write_t req;
    uint8_t data[];
} wreq;

static void on_write(uv_write_t *req, int status)
{
    conn *c = req->data;
    free(req);
    if (status < 0 && c->state != ST_DEAD)
        fprintf(stderr, "bn_load: conn %u: write: %s\n", c->idx,
                uv_strerror(status));
}

static void on_closed(uv_handle_t *h)
{
    (void)h;
}

/* conn_fail closes a connection for good: its in-flight requests count
 * as errors. */
static void conn_fail(conn *c, const char *what, int rc)
{
    bench *b = c->b;

    if (c->state == ST_DEAD)
        return;
    fprintf(stderr, "bn_load: conn %u: %s: %s\n", c->idx, what,
            rc < -900 ? bn_strerror(rc) : uv_strerror(rc));
    if (c->state != ST_READY)
        b->failed = 1;
    c->state = ST_DEAD;
    b->dead++;
    b->errors += c->inflight;
    c->inflight = 0;
    if (!uv_is_closing((uv_handle_t *)&c->tcp))
        uv_close((uv_handle_t *)&c->tcp, on_closed);
    if (b->phase < 0 && b->ready + b->dead == b->o.conns)
        start_phase(b);
    else
        maybe_end_phase(b);
}

/* send_raw queues header || body as one write. */
static int send_raw(conn *c, const uint8_t *body, size_t len, int sealed)
{
    size_t blen = sealed ? len + BN_CHANNEL_OVERHEAD : len;
    wreq *w = malloc(sizeof *w + BN_FRAME_HDR + blen);
    int rc;

    if (w == NULL)
        return BN_ENOMEM;
    w->req.data = c;
    bn_frame_header(w->data, (uint32_t)blen);
    if (sealed) {
        rc = bn_channel_seal(&c->ch, w->data + BN_FRAME_HDR, body, len, w->data,
                             BN_FRAME_HDR);
        if (rc != 0) {
            free(w);
            return rc;
        }
    } else {
        memcpy(w->data + BN_FRAME_HDR, body, len);
    }
    uv_buf_t buf =
        uv_buf_init((char *)w->data, (unsigned)(BN_FRAME_HDR + blen));
    rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_write);
    if (rc != 0)
        free(w);
    return rc;
}

/* send_msg encodes m with the next request id and sends it. */
static int send_msg(conn *c, bn_msg *m)
{
    bn_buf pt = {0};
    int rc;

    m->id = ++c->next_id;
    rc = bn_msg_encode(&pt, m);
    if (rc == 0)
        rc = send_raw(c, pt.data, pt.len, 1);
    bn_buf_free(&pt);
    return rc;
}

/* build_put encodes a NOTE_PUT of a new note with request id `id` and its
 * log entry, sealed for real, into out; advances the connection's local
 * head. */
static int build_put(conn *c, uint64_t id, uint64_t note_id, bn_buf *out)
{
    bench *b = c->b;
    const bn_identity *me = c->m->prof->id;
    uint8_t entry[BN_LOG_ENTRY_BYTES], prev[BN_HASH_BYTES], head[BN_HASH_BYTES];
    uint8_t *env = NULL;
    size_t envlen = 0;
    bn_msg m;
    bn_note_ad ad = {.pair_id = c->m->pair_id,
                     .note_id = note_id,
                     .revision = 1,
                     .author_id = c->m->account_id,
                     .kind = BN_KIND_NOTE,
                     .is_private = 0};
    int rc;

    rc = bn_envelope_seal(&env, &envlen, c->pair_key, c->epoch, &ad, b->body,
                          b->bodylen, me->sign_sk);
    if (rc != 0)
        return rc;
    bn_msg_init(&m, BN_MSG_NOTE_PUT, 0);
    m.u.note_put.pair_id = ad.pair_id;
    m.u.note_put.note_id = note_id;
    m.u.note_put.revision = 1;
    m.u.note_put.kind = ad.kind;
    m.u.note_put.epoch = c->epoch;
    m.u.note_put.envelope = (bn_bin){env, (uint32_t)envlen};
    memcpy(prev, c->log_head, BN_HASH_BYTES);
    rc = bn_test_log_sign(&m, ad.pair_id, c->m->account_id, me->sign_sk,
                          c->log_seq + 1, prev, entry, head);
    if (rc != 0)
        goto cleanup;
    m.id = id;
    rc = bn_msg_encode(out, &m);
    if (rc != 0)
        goto cleanup;
    memcpy(c->log_head, head, BN_HASH_BYTES);
    c->log_seq++;
cleanup:
    free(env);
    return rc;
}

static slot *free_slot(conn *c)
{
    for (unsigned i = 0; i < c->b->o.pipeline; i++)
        if (c->slots[i].id == 0)
            return &c->slots[i];
    return NULL;
}

/* issue sends one request of the phase's mode. */
static int issue(conn *c)
{
    bench *b = c->b;
    slot *s = free_slot(c);
    bn_buf enc = {0};
    int is_write, rc;

    if (s == NULL)
        return BN_EINTERNAL;
    if (b->mode == MODE_WRITE)
        is_write = 1;
    else if (b->mode == MODE_READ)
        is_write = 0;
    else
        is_write = rnd(b) % 100 < b->o.write_pct || c->nnotes == 0;
    if (is_write && c->pool != NULL) {
        if (c->pool_next == c->npool)
            return BN_EINTERNAL;
        s->id = ++c->next_id;
        s->note_id = c->pool_ids[c->pool_next];
        s->t0 = now_ns();
        rc = send_raw(c, c->pool[c->pool_next].data, c->pool[c->pool_next].len,
                      1);
        bn_buf_free(&c->pool[c->pool_next++]);
    } else if (is_write) {
        s->id = ++c->next_id;
        s->note_id = bn_random_u64();
        rc = build_put(c, s->id, s->note_id, &enc);
        s->t0 = now_ns();
        if (rc == 0)
            rc = send_raw(c, enc.data, enc.len, 1);
    } else {
        bn_msg m;
        if (c->nnotes == 0)
            return BN_ENOTFOUND; /* nothing to read: the prefill failed */
        bn_msg_init(&m, BN_MSG_NOTE_GET, 0);
        m.u.note_get.pair_id = c->m->pair_id;
        m.u.note_get.note_id = c->notes[c->read_next++ % c->nnotes];
        m.u.note_get.revision = 0;
        s->note_id = m.u.note_get.note_id;
        s->t0 = now_ns();
        rc = send_msg(c, &m);
        s->id = c->next_id;
    }
    bn_buf_free(&enc);
    if (rc != 0) {
        s->id = 0;
        return rc;
    }
    s->is_write = (uint8_t)is_write;
    c->inflight++;
    c->issued++;
    return 0;
}

static int phase_over(bench *b, const conn *c)
{
    if (!b->running)
        return 1;
    if (b->quota != 0 && c->issued >= b->quota)
        return 1;
    return c->pool != NULL && c->pool_next == c->npool;
}

/* Sends PAIR_GET: the reply gives the pair key and the log head. */
static int send_pair_get(conn *c)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_GET, 0);
    m.u.pair_get.pair_id = c->m->pair_id;
    int rc = send_msg(c, &m);
    c->resync_id = c->next_id;
    return rc;
}

/* fill keeps the connection's pipeline full while the phase runs. */
static void fill(conn *c)
{
    bench *b = c->b;

    if (c->state != ST_READY)
        return;
    if (c->resync) {
        if (c->inflight == 0 && c->resync_id == 0) {
            int rc = send_pair_get(c);
            if (rc != 0)
                conn_fail(c, "PAIR_GET", rc);
        }
        return;
    }
    while (c->inflight < b->o.pipeline && !phase_over(b, c)) {
        int rc = issue(c);
        if (rc != 0) {
            conn_fail(c, "send", rc);
            break;
        }
    }
    maybe_end_phase(b);
}

static void remember_note(conn *c, uint64_t note_id)
{
    c->notes[c->notes_next] = note_id;
    c->notes_next = (c->notes_next + 1) % NOTES_KEPT;
    if (c->nnotes < NOTES_KEPT)
        c->nnotes++;
}

static int record(bench *b, uint64_t ns)
{
    if (b->nlat == b->caplat) {
        size_t cap = b->caplat ? b->caplat * 2 : 65536;
        uint32_t *v = realloc(b->lat, cap * sizeof *v);
        if (v == NULL)
            return BN_ENOMEM;
        b->lat = v;
        b->caplat = cap;
    }
    uint64_t us = ns / 1000;
    b->lat[b->nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
    return 0;
}

/* on_pair_detail unwraps this member's key for the current epoch and takes
 * the log head. */
static int on_pair_detail(conn *c, const bn_pair_detail *d)
{
    const bn_identity *me = c->m->prof->id;
    const struct bn_key_wrap *w = NULL;
    const uint8_t *wrapper_pk = NULL;

    c->epoch = d->pair.epoch;
    c->log_seq = d->log_seq;
    memcpy(c->log_head, d->log_head, BN_HASH_BYTES);
    for (uint32_t i = 0; i < d->wraps.len; i++)
        if (d->wraps.v[i].member_id == c->m->account_id &&
            d->wraps.v[i].epoch == c->epoch)
            w = &d->wraps.v[i];
    if (w == NULL)
        return BN_ENOKEY;
    for (uint32_t i = 0; i < d->members.len; i++)
        if (d->members.v[i].account_id == w->wrapper_id)
            wrapper_pk = d->members.v[i].sign_pk;
    if (wrapper_pk == NULL)
        return BN_ESIG;
    return bn_pairkey_unwrap(c->pair_key, w->wrap, BN_WRAP_BYTES, c->m->pair_id,
                             c->epoch, c->m->account_id, me->box_pk, me->box_sk,
                             w->wrapper_id, wrapper_pk);
}

static void show_error(bench *b, conn *c, const bn_msg *m)
{
    if (b->shown++ >= MAX_ERR_SHOWN)
        return;
    fprintf(stderr, "bn_load: conn %u: ERROR %s: %.*s\n", c->idx,
            bn_err_name((int)m->u.error.code), (int)m->u.error.message.len,
            m->u.error.message.ptr);
}

/* on_reply handles one decoded reply of a ready connection. */
static void on_reply(conn *c, const bn_msg *m)
{
    bench *b = c->b;
    slot *s = NULL;
    int rc;

    if (c->resync_id != 0 && m->id == c->resync_id) {
        c->resync_id = 0;
        if (m->type != BN_MSG_PAIR_DETAIL) {
            conn_fail(c, "PAIR_GET", BN_EPROTO);
            return;
        }
        c->log_seq = m->u.pair_detail.log_seq;
        memcpy(c->log_head, m->u.pair_detail.log_head, BN_HASH_BYTES);
        c->resync = 0;
        fill(c);
        return;
    }
    for (unsigned i = 0; i < b->o.pipeline; i++)
        if (c->slots[i].id != 0 && c->slots[i].id == m->id)
            s = &c->slots[i];
    if (s == NULL) {
        if (m->type == BN_MSG_ERROR)
            show_error(b, c, m);
        conn_fail(c, "reply to no request", BN_EPROTO);
        return;
    }
    uint64_t t = now_ns();
    c->inflight--;
    if (!b->prefill) {
        rc = record(b, t - s->t0);
        if (rc != 0) {
            conn_fail(c, "record", rc);
            return;
        }
        b->t_last = t;
    }
    if (m->type == BN_MSG_ERROR) {
        b->errors++;
        show_error(b, c, m);
        if (s->is_write) /* the chain is off: refetch the head */
            c->resync = c->pool == NULL;
    } else if (s->is_write && m->type == BN_MSG_NOTE_ACK) {
        remember_note(c, s->note_id);
    } else if (s->is_write || m->type != BN_MSG_NOTE ||
               m->u.note.meta.note_id != s->note_id) {
        b->errors++;
    }
    s->id = 0;
    fill(c);
}

/* on_frame handles one frame body according to the connection's state. */
static int on_frame(conn *c, const uint8_t *body, size_t len)
{
    bench *b = c->b;
    uint8_t hdr[BN_FRAME_HDR];
    bn_msg m, req;
    int rc;

    if (c->state == ST_HS) {
        if (len != BN_HS_MSG2_BYTES)
            return BN_EHANDSHAKE;
        rc = bn_hs_client_finish(&c->hs, body, &c->ch);
        if (rc != 0)
            return rc;
        bn_frame_reader_set_limit(&c->rd, BN_FRAME_MAX);
        bn_msg_init(&req, BN_MSG_LOGIN, 0);
        req.u.login.account_id = c->m->account_id;
        rc = bn_login_sign(req.u.login.sig, &c->ch, c->m->prof->id->sign_sk);
        if (rc == 0)
            rc = send_msg(c, &req);
        c->state = ST_LOGIN;
        return rc;
    }
    if (len < BN_CHANNEL_OVERHEAD)
        return BN_EAUTH;
    if (c->plain_cap < len) {
        free(c->plain);
        c->plain = malloc(len);
        c->plain_cap = c->plain != NULL ? len : 0;
        if (c->plain == NULL)
            return BN_ENOMEM;
    }
    bn_frame_header(hdr, (uint32_t)len);
    if (bn_channel_open(&c->ch, c->plain, body, len, hdr, sizeof hdr) != 0)
        return BN_EAUTH;
    rc = bn_msg_decode(&m, c->plain, len - BN_CHANNEL_OVERHEAD);
    if (rc != 0)
        return rc;
    switch (c->state) {
    case ST_LOGIN:
        if (m.type != BN_MSG_LOGGED_IN) {
            rc = m.type == BN_MSG_ERROR ? (int)m.u.error.code : BN_EPROTO;
            break;
        }
        rc = send_pair_get(c);
        c->resync_id = 0;
        c->state = ST_PAIR;
        break;
    case ST_PAIR:
        if (m.type != BN_MSG_PAIR_DETAIL) {
            rc = m.type == BN_MSG_ERROR ? (int)m.u.error.code : BN_EPROTO;
            break;
        }
        rc = on_pair_detail(c, &m.u.pair_detail);
        if (rc != 0)
            break;
        c->state = ST_READY;
        if (++b->ready + b->dead == b->o.conns)
            start_phase(b);
        break;
    case ST_READY:
        on_reply(c, &m);
        break;
    default:
        rc = BN_EPROTO;
    }
    bn_msg_free(&m);
    return rc;
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    conn *c = h->data;
    (void)hint;
    buf->base = (char *)c->rbuf;
    buf->len = sizeof c->rbuf;
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    conn *c = st->data;
    const uint8_t *body;
    size_t len;
    int rc;

    if (n == 0 || c->state == ST_DEAD)
        return;
    if (n < 0) {
        conn_fail(c, "read", (int)n);
        return;
    }
    rc = bn_frame_reader_feed(&c->rd, (const uint8_t *)buf->base, (size_t)n);
    while (rc == 0 && c->state != ST_DEAD) {
        rc = bn_frame_reader_next(&c->rd, &body, &len);
        if (rc == 0)
            rc = on_frame(c, body, len);
    }
    if (rc != 0 && rc != BN_EAGAIN)
        conn_fail(c, "frame", rc);
}

static void on_connect(uv_connect_t *req, int status)
{
    conn *c = req->data;
    uint8_t msg1[BN_HS_MSG1_BYTES];
    int rc = status;

    if (rc == 0)
        rc = uv_tcp_nodelay(&c->tcp, 1);
    if (rc == 0)
        rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (rc == 0)
        rc = bn_hs_client_start(&c->hs, c->b->server_pk, msg1);
    if (rc == 0)
        rc = send_raw(c, msg1, sizeof msg1, 0);
    if (rc != 0) {
        conn_fail(c, "connect", rc);
        return;
    }
    c->state = ST_HS;
}

static int conn_start(bench *b, conn *c, unsigned idx)
{
    struct sockaddr_storage ss;
    int rc;

    c->b = b;
    c->idx = idx;
    c->m = &b->mentors[idx];
    c->state = ST_CONNECT;
    bn_frame_reader_init(&c->rd, BN_FRAME_MAX_PRELOGIN);
    c->slots = calloc(b->o.pipeline, sizeof *c->slots);
    c->notes = calloc(NOTES_KEPT, sizeof *c->notes);
    if (c->slots == NULL || c->notes == NULL)
        return BN_ENOMEM;
    rc = uv_ip4_addr(b->host, b->port, (struct sockaddr_in *)&ss);
    if (rc != 0)
        rc = uv_ip6_addr(b->host, b->port, (struct sockaddr_in6 *)&ss);
    if (rc != 0)
        return BN_EINVAL;
    uv_tcp_init(b->loop, &c->tcp);
    c->tcp.data = c;
    c->creq.data = c;
    return uv_tcp_connect(&c->creq, &c->tcp, (struct sockaddr *)&ss,
                          on_connect);
}

/* ------------------------------------------------------------------ */
/* Phases                                                              */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* pct returns the exact percentile p (0..100) of n sorted values
 * (bn_bench_pct_index), 0 when there are none. */
static uint32_t pct(const uint32_t *v, size_t n, double p)
{
    return n == 0 ? 0 : v[bn_bench_pct_index(n, p)];
}

/* proc_cpu_s returns the CPU seconds (utime + stime) of process pid so
 * far, or -1 when /proc/pid/stat cannot be read. */
static double proc_cpu_s(long pid)
{
    char path[64], buf[1024], *p;
    unsigned long long ut, st;
    FILE *f;
    size_t n;

    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* After "pid (comm) ": state is field 3, utime 14, stime 15. */
    p = strrchr(buf, ')');
    if (p == NULL || sscanf(p + 2,
                            "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
                            "%*u %llu %llu",
                            &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void report(bench *b)
{
    double secs = (double)(b->t_last - b->t_start) / 1e9;
    size_t n = b->nlat;
    size_t ok = n - (size_t)b->errors;

    qsort(b->lat, n, sizeof *b->lat, cmp_u32);
    printf("mode=%s conns=%u pipeline=%u size=%u env_bytes=%zu seal=%s",
           mode_names[b->mode], b->o.conns, b->o.pipeline, b->o.size, b->envlen,
           b->mode == MODE_READ ? "none"
           : b->pool_now        ? "pool"
                                : "each");
    if (b->mode == MODE_MIXED)
        printf(" write_pct=%u", b->o.write_pct);
    printf(" requests=%zu errors=%" PRIu64 " seconds=%.2f rps=%.0f"
           " p50_us=%u p99_us=%u p999_us=%u max_us=%u",
           ok, b->errors, secs, secs > 0 ? (double)ok / secs : 0.0,
           pct(b->lat, n, 50), pct(b->lat, n, 99), pct(b->lat, n, 99.9),
           n ? b->lat[n - 1] : 0);
    if (b->o.cpu_pid > 0) {
        double end = proc_cpu_s(b->o.cpu_pid);
        if (end >= 0 && b->cpu_start >= 0 && ok > 0)
            printf(" server_cpu_us_per_req=%.1f",
                   (end - b->cpu_start) * 1e6 / (double)ok);
    }
    printf("\n");
    fflush(stdout);
}

static void on_timer(uv_timer_t *t)
{
    bench *b = t->data;
    b->running = 0;
    maybe_end_phase(b);
}

static void close_all(bench *b)
{
    for (unsigned i = 0; i < b->o.conns; i++) {
        conn *c = &b->conns[i];
        if (c->state != ST_DEAD && !uv_is_closing((uv_handle_t *)&c->tcp))
            uv_close((uv_handle_t *)&c->tcp, on_closed);
        c->state = ST_DEAD;
    }
    if (!uv_is_closing((uv_handle_t *)&b->timer))
        uv_close((uv_handle_t *)&b->timer, on_closed);
}

typedef struct pool_job {
    bench *b;
    unsigned first, step;
    int rc;
} pool_job;

/* pool_worker builds the pools of connections first, first + step, ...:
 * each connection's state is touched by one thread only. */
static void *pool_worker(void *arg)
{
    pool_job *j = arg;
    bench *b = j->b;

    for (unsigned i = j->first; i < b->o.conns && j->rc == 0; i += j->step) {
        conn *c = &b->conns[i];
        if (c->state != ST_READY)
            continue;
        c->npool = b->quota;
        c->pool_next = 0;
        c->pool = calloc(c->npool, sizeof *c->pool);
        c->pool_ids = calloc(c->npool, sizeof *c->pool_ids);
        if (c->pool == NULL || c->pool_ids == NULL) {
            j->rc = BN_ENOMEM;
            break;
        }
        for (size_t k = 0; k < c->npool && j->rc == 0; k++) {
            c->pool_ids[k] = bn_random_u64();
            j->rc =
                build_put(c, c->next_id + 1 + k, c->pool_ids[k], &c->pool[k]);
        }
    }
    return NULL;
}

/* build_pool seals and encodes every write of the phase before the clock
 * starts, on one thread per processor (the daemon is idle meanwhile). */
static int build_pool(bench *b)
{
    pool_job jobs[16];
    pthread_t th[16];
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nth = n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
    uint64_t t0 = now_ns();
    int rc = 0;

    for (unsigned t = 0; t < nth; t++) {
        jobs[t] = (pool_job){b, t, nth, 0};
        if (pthread_create(&th[t], NULL, pool_worker, &jobs[t]) != 0) {
            jobs[t].rc = BN_ENOMEM;
            nth = t;
            rc = BN_ENOMEM;
            break;
        }
    }
    for (unsigned t = 0; t < nth; t++) {
        pthread_join(th[t], NULL);
        if (jobs[t].rc != 0)
            rc = jobs[t].rc;
    }
    if (rc == 0)
        fprintf(stderr, "bn_load: pool: %u requests sealed in %.2f s\n",
                b->quota * b->ready, (double)(now_ns() - t0) / 1e9);
    return rc;
}

static void free_pools(bench *b)
{
    for (unsigned i = 0; i < b->o.conns; i++) {
        conn *c = &b->conns[i];
        for (size_t k = 0; c->pool != NULL && k < c->npool; k++)
            bn_buf_free(&c->pool[k]);
        free(c->pool);
        free(c->pool_ids);
        c->pool = NULL;
        c->pool_ids = NULL;
        c->npool = c->pool_next = 0;
    }
}

/* start_phase begins the next phase (or the untimed prefill that a read
 * phase needs), or closes everything when none is left. */
static void start_phase(bench *b)
{
    int need_prefill = 0;

    if (b->ready == 0 || b->failed) {
        b->failed = 1;
        close_all(b);
        return;
    }
    if (!b->prefill)
        b->phase++;
    b->prefill = 0;
    if (b->phase >= (int)b->o.nmodes || b->ready == b->dead) {
        close_all(b);
        return;
    }
    b->mode = b->o.modes[b->phase];
    for (unsigned i = 0; i < b->o.conns; i++)
        if (b->conns[i].state == ST_READY && b->conns[i].nnotes == 0)
            need_prefill = 1;
    if (b->mode != MODE_WRITE && need_prefill) {
        b->prefill = 1;
        b->mode = MODE_WRITE;
    }
    b->nlat = 0;
    b->errors = 0;
    b->quota = 0;
    if (b->prefill)
        b->quota = b->o.prefill;
    else if (b->o.requests[b->phase] != 0)
        b->quota =
            (unsigned)((b->o.requests[b->phase] + b->o.conns - 1) / b->o.conns);
    b->pool_now =
        b->mode == MODE_WRITE && !b->prefill && b->o.seal[b->phase] == 1;
    if (b->pool_now) {
        int rc = build_pool(b);
        if (rc != 0) {
            fprintf(stderr, "bn_load: pool: %s\n", bn_strerror(rc));
            b->failed = 1;
            close_all(b);
            return;
        }
    }
    for (unsigned i = 0; i < b->o.conns; i++)
        b->conns[i].issued = 0;
    b->running = 1;
    if (b->o.cpu_pid > 0)
        b->cpu_start = proc_cpu_s(b->o.cpu_pid);
    b->t_start = b->t_last = now_ns();
    if (b->quota == 0)
        uv_timer_start(&b->timer, on_timer, (uint64_t)(b->o.seconds * 1000), 0);
    for (unsigned i = 0; i < b->o.conns; i++)
        fill(&b->conns[i]);
}

/* maybe_end_phase ends the phase once no connection issues or waits. */
static void maybe_end_phase(bench *b)
{
    if (b->phase < 0 || b->phase >= (int)b->o.nmodes)
        return;
    for (unsigned i = 0; i < b->o.conns; i++) {
        conn *c = &b->conns[i];
        if (c->state != ST_READY)
            continue;
        if (c->inflight > 0 || c->resync || !phase_over(b, c))
            return;
    }
    uv_timer_stop(&b->timer);
    b->running = 0;
    if (b->prefill) {
        fprintf(stderr, "bn_load: prefill: %u notes per connection\n",
                b->o.prefill);
        if (b->errors > 0)
            b->failed = 1;
    } else {
        report(b);
        if (b->errors > 0 || b->dead > 0)
            b->failed = 1;
    }
    free_pools(b);
    start_phase(b);
}

/* ------------------------------------------------------------------ */
/* main                                                                */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bn_load (--invite CODE | --admin-profile DIR) [options]\n"
            "       bn_load --free-port\n"
            "  --invite CODE        admin invitation from `binomed init`\n"
            "  --admin-profile DIR  an admin profile (BINOME_PASSPHRASE)\n"
            "  --work DIR           where the bench profiles go (default: a\n"
            "                       temporary directory, removed at exit)\n"
            "  --conns N            connections, one pair each (50)\n"
            "  --pipeline D         requests in flight per connection (1)\n"
            "  --size BYTES         note envelope size, at least (2048)\n"
            "  --modes LIST         write,read,mixed in any order "
            "(write,read);\n"
            "                       write:each or write:pool overrides "
            "--seal\n"
            "  --seconds S          length of each mode (10)\n"
            "  --requests N[,N...]  requests per mode (in --modes order; the\n"
            "                       last one repeats) instead of seconds\n"
            "  --write-pct P        share of writes in mixed mode (50)\n"
            "  --prefill N          notes per connection written, untimed,\n"
            "                       before a read phase with none (64)\n"
            "  --seal each|pool     seal every note as it is sent (each), or\n"
            "                       build all writes before the clock (pool,\n"
            "                       needs --requests)\n"
            "  --host HOST          connect here, not to the invitation's "
            "host\n"
            "  --cpu-of PID         report the CPU time of process PID (the\n"
            "                       daemon) per request of each mode\n"
            "  --free-port          print a free loopback port and exit\n");
}

static int parse_modes(opts *o, const char *s)
{
    char buf[128], *save = NULL;
    snprintf(buf, sizeof buf, "%s", s);
    o->nmodes = 0;
    for (char *t = strtok_r(buf, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        char *suffix = strchr(t, ':');
        int m = -1, seal = -1;
        if (suffix != NULL) {
            *suffix++ = '\0';
            seal = strcmp(suffix, "pool") == 0   ? 1
                   : strcmp(suffix, "each") == 0 ? 0
                                                 : -2;
        }
        for (int i = 0; i < 3; i++)
            if (strcmp(t, mode_names[i]) == 0)
                m = i;
        if (m < 0 || o->nmodes == MAX_MODES || seal == -2 ||
            (seal >= 0 && m != MODE_WRITE))
            return -1;
        o->seal[o->nmodes] = seal;
        o->modes[o->nmodes++] = m;
    }
    return o->nmodes > 0 ? 0 : -1;
}

static int parse_uint(const char *s, unsigned long long max,
                      unsigned long long *v)
{
    char *end;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return errno != 0 || end == s || *end != '\0' || *v > max || *v == 0 ? -1
                                                                         : 0;
}

/* parse_requests reads N or N1,N2,...: one count per mode (0: run for
 * --seconds), the last one repeated for the modes after it. */
static int parse_requests(opts *o, const char *s)
{
    char buf[256], *save = NULL;
    unsigned long long v;

    snprintf(buf, sizeof buf, "%s", s);
    o->nrequests = 0;
    for (char *t = strtok_r(buf, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "0") == 0)
            v = 0;
        else if (o->nrequests == MAX_MODES ||
                 parse_uint(t, 1ull << 40, &v) != 0)
            return -1;
        if (o->nrequests == MAX_MODES)
            return -1;
        o->requests[o->nrequests++] = v;
    }
    return o->nrequests > 0 ? 0 : -1;
}

static int parse_opts(opts *o, int argc, char **argv, const char **work)
{
    static const struct option lo[] = {
        {"invite", required_argument, 0, 'i'},
        {"admin-profile", required_argument, 0, 'a'},
        {"work", required_argument, 0, 'w'},
        {"conns", required_argument, 0, 'c'},
        {"pipeline", required_argument, 0, 'P'},
        {"size", required_argument, 0, 'd'},
        {"modes", required_argument, 0, 'm'},
        {"seconds", required_argument, 0, 's'},
        {"requests", required_argument, 0, 'n'},
        {"write-pct", required_argument, 0, 'W'},
        {"prefill", required_argument, 0, 'f'},
        {"seal", required_argument, 0, 'S'},
        {"host", required_argument, 0, 'H'},
        {"free-port", no_argument, 0, 'F'},
        {"cpu-of", required_argument, 0, 'C'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    unsigned long long v;
    int ch, bad = 0;

    memset(o, 0, sizeof *o);
    o->conns = 50;
    o->pipeline = 1;
    o->size = 2048;
    o->write_pct = 50;
    o->prefill = 64;
    o->seconds = 10;
    parse_modes(o, "write,read");
    while (!bad && (ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'i':
            o->invite = optarg;
            break;
        case 'a':
            o->admin_profile = optarg;
            break;
        case 'w':
            *work = optarg;
            break;
        case 'H':
            o->host = optarg;
            break;
        case 'C':
            bad = parse_uint(optarg, 4194304, &v) || v == 0;
            o->cpu_pid = (long)v;
            break;
        case 'c':
            bad = parse_uint(optarg, 10000, &v);
            o->conns = (unsigned)v;
            break;
        case 'P':
            bad = parse_uint(optarg, 64, &v);
            o->pipeline = (unsigned)v;
            break;
        case 'd':
            bad = parse_uint(optarg, BN_NOTE_MAX_PLAINTEXT, &v);
            o->size = (unsigned)v;
            break;
        case 'm':
            bad = parse_modes(o, optarg);
            break;
        case 's': {
            char *end;
            o->seconds = strtod(optarg, &end);
            bad = *end != '\0' || !(o->seconds > 0 && o->seconds < 86400);
            break;
        }
        case 'n':
            bad = parse_requests(o, optarg);
            break;
        case 'W':
            bad = parse_uint(optarg, 100, &v) && strcmp(optarg, "0") != 0;
            o->write_pct = strcmp(optarg, "0") == 0 ? 0 : (unsigned)v;
            break;
        case 'f':
            bad = parse_uint(optarg, NOTES_KEPT, &v);
            o->prefill = (unsigned)v;
            break;
        case 'S':
            if (strcmp(optarg, "pool") == 0)
                o->pool = 1;
            else
                bad = strcmp(optarg, "each") != 0;
            break;
        case 'F': {
            uint16_t port = bn_testd_free_port();
            if (port == 0)
                return 1;
            printf("%u\n", (unsigned)port);
            return -1;
        }
        case 'h':
            usage(stdout);
            return -1;
        default:
            bad = 1;
        }
    }
    if (!bad && optind != argc)
        bad = 1;
    if (!bad && (o->invite == NULL) == (o->admin_profile == NULL))
        bad = 1;
    for (unsigned i = 0; !bad && i < o->nmodes; i++) {
        if (i >= o->nrequests && o->nrequests > 0)
            o->requests[i] = o->requests[o->nrequests - 1];
        if (o->seal[i] == -1)
            o->seal[i] = o->pool;
        if (o->seal[i] == 1 && o->modes[i] == MODE_WRITE &&
            o->requests[i] == 0) {
            fprintf(stderr, "bn_load: --seal pool needs --requests\n");
            bad = 1;
        }
    }
    if (bad) {
        usage(stderr);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    char tmpdir[] = "/tmp/bn-load-XXXXXX";
    const char *work = NULL;
    uv_loop_t loop;
    bench b;
    int rc, ret = 1;

    memset(&b, 0, sizeof b);
    b.phase = -1;
    rc = parse_opts(&b.o, argc, argv, &work);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (bn_crypto_init() != 0) {
        fprintf(stderr, "bn_load: libsodium failed to initialise\n");
        return 1;
    }
    /* Key files of bench accounts: the fast KDF (bn_crypto.h). */
    setenv("BINOME_KDF", "interactive", 0);
    if (work == NULL) {
        if (mkdtemp(tmpdir) == NULL) {
            perror("bn_load: mkdtemp");
            return 1;
        }
        work = tmpdir;
    }
    b.mentors = calloc(b.o.conns, sizeof *b.mentors);
    b.conns = calloc(b.o.conns, sizeof *b.conns);
    b.bodylen = bn_bench_body_len(b.o.size, &b.envlen);
    b.body = malloc(b.bodylen);
    if (b.mentors == NULL || b.conns == NULL || b.body == NULL)
        goto cleanup;
    randombytes_buf(b.body, b.bodylen);
    randombytes_buf(&b.rng, sizeof b.rng);
    b.rng |= 1;
    rc = setup(&b, work);
    if (rc != 0)
        goto cleanup;
    if (uv_loop_init(&loop) != 0)
        goto cleanup;
    b.loop = &loop;
    uv_timer_init(&loop, &b.timer);
    b.timer.data = &b;
    for (unsigned i = 0; i < b.o.conns; i++) {
        rc = conn_start(&b, &b.conns[i], i);
        if (rc != 0) {
            fprintf(stderr, "bn_load: connect %s:%u: %s\n", b.host,
                    (unsigned)b.port,
                    rc < -900 ? bn_strerror(rc) : uv_strerror(rc));
            b.failed = 1;
            b.conns[i].state = ST_DEAD;
            b.dead++;
        }
    }
    if (b.dead == b.o.conns)
        close_all(&b);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    ret = b.failed || b.phase < (int)b.o.nmodes ? 1 : 0;
cleanup:
    for (unsigned i = 0; b.conns != NULL && i < b.o.conns; i++) {
        conn *c = &b.conns[i];
        bn_frame_reader_free(&c->rd);
        bn_channel_wipe(&c->ch);
        sodium_memzero(c->pair_key, sizeof c->pair_key);
        free(c->plain);
        free(c->slots);
        free(c->notes);
    }
    for (unsigned i = 0; b.mentors != NULL && i < b.o.conns; i++)
        bnc_profile_free(b.mentors[i].prof);
    free(b.conns);
    free(b.mentors);
    free(b.body);
    free(b.lat);
    if (work == tmpdir)
        bn_testfs_rmtree(tmpdir);
    return ret;
}
