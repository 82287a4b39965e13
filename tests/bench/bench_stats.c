/*
 * bench_stats: how long a programme's statistics take to serve (a
 * benchmark, not a test: it prints figures and fails only when something
 * does not work).
 *
 * It builds a store in a temporary directory, in process, through the
 * dispatch and the writer thread as the daemon would (requests are
 * pipelined, so the writer applies them in large group-commit
 * transactions, and every counter is kept by the same handler and hook
 * code as in production): one programme, BENCH_PAIRS pairs (two accounts
 * each, both accepted), BENCH_SESSIONS sessions spread over two years
 * (held, planned, cancelled, some absences), each with its signed log
 * entry. Then it times STATS_GET and every STATS_PAIRS_GET page through
 * the dispatch (median of BENCH_ROUNDS rounds) and prints one line:
 *
 *   stats: pairs=10000 sessions=200000 stats_get_ms=... stats_pairs_ms=...
 *          pages=... total_ms=... (build_s=...)
 *
 * Environment: BENCH_PAIRS, BENCH_SESSIONS (per-pair count is their
 * quotient), BENCH_ROUNDS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/bn_testfs.h"
#include "bn_invite.h"
#include "bnd_dispatch.h"
#include "bnd_log.h"
#include "bnd_server.h"

#define CHUNK 4096u /* requests in flight at most */

typedef struct bclient bclient;
typedef void (*on_fn)(bclient *c, const bn_msg *rep, void *arg);

struct bclient {
    bnd_session s;
    bn_channel ch;
    uint64_t account;
    uint64_t next_id;
    on_fn on;
    void *arg;
};

static struct {
    uv_loop_t loop;
    bnd_server *srv;
    unsigned pending;
    uint64_t reply_bytes;
} B;

static const char *phase = "setup";

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_stats: %s: %s: %s\n", phase, what, bn_strerror(rc));
    exit(1);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void on_reply(bnd_session *s, const uint8_t *msg, size_t len,
                     unsigned flags)
{
    bclient *c = (bclient *)s;
    bn_msg m;
    (void)flags;
    int rc = bn_msg_decode(&m, msg, len);
    if (rc != 0)
        die("reply does not decode", rc);
    if (m.type == BN_MSG_ERROR)
        die(bn_msg_name(m.type), (int)m.u.error.code);
    B.reply_bytes += len;
    if (c->on != NULL)
        c->on(c, &m, c->arg);
    bn_msg_free(&m);
    B.pending--;
}

static void client_init(bclient *c)
{
    memset(c, 0, sizeof *c);
    randombytes_buf(c->ch.hash, sizeof c->ch.hash);
    bnd_session_init(&c->s, 1, &c->ch, on_reply, NULL, c);
    c->next_id = 1;
}

/* Sends m as c; the reply goes to c->on. Waits when CHUNK are in flight. */
static void send_req(bclient *c, bn_msg *m)
{
    bn_buf b;
    bn_buf_init(&b);
    m->id = c->next_id++;
    int rc = bn_msg_encode(&b, m);
    if (rc != 0)
        die("encode", rc);
    B.pending++;
    bnd_dispatch_frame(B.srv, &c->s, b.data, b.len);
    bn_buf_free(&b);
    while (B.pending >= CHUNK)
        uv_run(&B.loop, UV_RUN_ONCE);
}

static void drain(void)
{
    while (B.pending > 0)
        uv_run(&B.loop, UV_RUN_ONCE);
}

/* ---- log entries, as a client makes them (DESIGN.md) ------------------ */

static bn_bin *entry_of(bn_msg *m)
{
    const bn_struct_desc *d = bn_msg_desc(m->type);
    for (size_t i = 0; d != NULL && i < d->nfields; i++)
        if (strcmp(d->fields[i].name, "entry") == 0)
            return (bn_bin *)((char *)&m->u + d->fields[i].offset);
    die("no entry field", BN_EINTERNAL);
    return NULL;
}

/* Signs m as author on the pair's chain (seq, head: updated) and points
 * m's entry at buf. */
static void sign_entry(bn_msg *m, uint64_t pair, uint64_t author,
                       const uint8_t *sk, uint64_t *seq, uint8_t head[32],
                       uint8_t buf[BN_LOG_ENTRY_BYTES])
{
    bn_log_entry e;
    bn_msg c = *m;
    bn_buf b;
    bn_bin *f = entry_of(&c);
    f->ptr = NULL;
    f->len = 0;
    c.id = 0;
    memset(&e, 0, sizeof e);
    bn_buf_init(&b);
    if (bn_msg_encode(&b, &c) != 0)
        die("encode", BN_EINTERNAL);
    bn_hash(e.body_hash, b.data, b.len);
    bn_buf_free(&b);
    e.seq = ++*seq;
    memcpy(e.prev, head, 32);
    e.author_id = author;
    e.time = bn_now();
    if (bn_log_entry_sign(&e, pair, sk) != 0 ||
        bn_log_entry_encode(buf, &e) != 0 ||
        bn_log_entry_hash(head, pair, &e) != 0)
        die("log entry", BN_EINTERNAL);
    f = entry_of(m);
    f->ptr = buf;
    f->len = BN_LOG_ENTRY_BYTES;
}

/* ---- the world ---------------------------------------------------------- */

struct world {
    unsigned npairs, per_pair;
    bclient admin;
    bclient *mentors, *mentees;
    uint8_t (*tokens)[32];
    uint64_t *pairs;
    uint64_t prog, tok_base, pair_base;
    uint8_t charter_hash[32];
    bn_identity *idm, *idt; /* one key for every mentor, one for mentees */
    uint64_t *seq;
    uint8_t (*head)[32];
};

static void on_programme(bclient *c, const bn_msg *rep, void *arg)
{
    struct world *w = arg;
    (void)c;
    w->prog = rep->u.programme.programme.id;
    memcpy(w->charter_hash, rep->u.programme.programme.charter_hash, 32);
}

static void on_invite(bclient *c, const bn_msg *rep, void *arg)
{
    struct world *w = arg;
    (void)c;
    memcpy(w->tokens[rep->id - w->tok_base], rep->u.invite.token, 32);
}

static void on_login(bclient *c, const bn_msg *rep, void *arg)
{
    (void)arg;
    c->account = rep->u.logged_in.account.id;
}

static void on_pair(bclient *c, const bn_msg *rep, void *arg)
{
    struct world *w = arg;
    (void)c;
    w->pairs[rep->id - w->pair_base] = rep->u.pair.pair.id;
}

static void join(bclient *c, const uint8_t token[32], const char *name,
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
        die("login sign", BN_EINTERNAL);
    c->on = on_login;
    send_req(c, &m);
}

static void build_accounts(struct world *w, const uint8_t admin_token[32])
{
    bn_msg m;
    char name[32];
    unsigned n = w->npairs;

    client_init(&w->admin);
    join(&w->admin, admin_token, "Admin", w->idm);
    drain();
    bn_msg_init(&m, BN_MSG_PROGRAMME_CREATE, 0);
    m.u.programme_create.name = (bn_str){"Bench programme", 15};
    m.u.programme_create.theme = (bn_str){"careers", 7};
    m.u.programme_create.months = 6;
    m.u.programme_create.frequency = BN_FREQ_MONTHLY;
    m.u.programme_create.format = BN_FORMAT_MIXED;
    m.u.programme_create.charter = (bn_str){"We meet monthly.", 16};
    w->admin.on = on_programme;
    w->admin.arg = w;
    send_req(&w->admin, &m);
    drain();

    w->admin.on = on_invite;
    w->tok_base = w->admin.next_id;
    for (unsigned i = 0; i < 2 * n; i++) {
        bn_msg_init(&m, BN_MSG_INVITE_CREATE, 0);
        m.u.invite_create.programme_id = w->prog;
        m.u.invite_create.role = i < n ? BN_ROLE_MENTOR : BN_ROLE_MENTEE;
        send_req(&w->admin, &m);
    }
    drain();
    for (unsigned i = 0; i < n; i++) {
        client_init(&w->mentors[i]);
        client_init(&w->mentees[i]);
        snprintf(name, sizeof name, "Mentor %05u", i);
        join(&w->mentors[i], w->tokens[i], name, w->idm);
        snprintf(name, sizeof name, "Mentee %05u", i);
        join(&w->mentees[i], w->tokens[n + i], name, w->idt);
    }
    drain();
}

static void accept_as(struct world *w, unsigned i, bclient *c,
                      const bn_identity *id, uint8_t buf[BN_LOG_ENTRY_BYTES])
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_PAIR_ACCEPT, 0);
    m.u.pair_accept.pair_id = w->pairs[i];
    m.u.pair_accept.date = bn_date_today();
    if (bn_charter_sign(m.u.pair_accept.sig, w->pairs[i], w->charter_hash,
                        m.u.pair_accept.date, c->account, id->sign_sk) != 0)
        die("charter sign", BN_EINTERNAL);
    sign_entry(&m, w->pairs[i], c->account, id->sign_sk, &w->seq[i], w->head[i],
               buf);
    c->on = NULL;
    send_req(c, &m);
}

static void build_pairs(struct world *w)
{
    uint8_t buf[BN_LOG_ENTRY_BYTES];
    bn_msg m;

    w->admin.on = on_pair;
    w->pair_base = w->admin.next_id;
    for (unsigned i = 0; i < w->npairs; i++) {
        bn_msg_init(&m, BN_MSG_PAIR_CREATE, 0);
        m.u.pair_create.programme_id = w->prog;
        m.u.pair_create.mentor_id = w->mentors[i].account;
        m.u.pair_create.mentee_id = w->mentees[i].account;
        send_req(&w->admin, &m);
    }
    drain();
    /* the request is encoded by send_req: buf can be reused at once;
     * the mentee accepts once the mentor's accept is in (two connections'
     * writes to a pair are not ordered) */
    for (unsigned i = 0; i < w->npairs; i++)
        accept_as(w, i, &w->mentors[i], w->idm, buf);
    drain();
    for (unsigned i = 0; i < w->npairs; i++)
        accept_as(w, i, &w->mentees[i], w->idt, buf);
    drain();
}

/* Session k of pair i: two years of roughly monthly meetings, most held,
 * the last ones planned, some cancelled, some absences. */
static void build_sessions(struct world *w, uint32_t first_day)
{
    uint8_t buf[BN_LOG_ENTRY_BYTES];
    bn_msg m;

    for (unsigned k = 0; k < w->per_pair; k++) {
        for (unsigned i = 0; i < w->npairs; i++) {
            /* one author per pair: the server orders one connection's
             * writes, not two connections' */
            bclient *c = &w->mentors[i];
            const bn_identity *id = w->idm;
            bn_msg_init(&m, BN_MSG_SESSION_ADD, 0);
            m.u.session_add.pair_id = w->pairs[i];
            m.u.session_add.date =
                first_day + (i % 28) + k * (700 / (w->per_pair + 1));
            m.u.session_add.status = k + 3 >= w->per_pair ? BN_SESSION_PLANNED
                                     : (i + k) % 9 == 0   ? BN_SESSION_CANCELLED
                                                          : BN_SESSION_HELD;
            m.u.session_add.absent = (i + k) % 11 == 0   ? BN_ABSENT_MENTOR
                                     : (i + k) % 13 == 0 ? BN_ABSENT_MENTEE
                                                         : 0;
            sign_entry(&m, w->pairs[i], c->account, id->sign_sk, &w->seq[i],
                       w->head[i], buf);
            c->on = NULL;
            send_req(c, &m);
        }
    }
    drain();
}

/* ---- measures ------------------------------------------------------------ */

struct pages {
    uint64_t last;
    unsigned rows;
    int more;
    uint64_t sessions;
};

static void on_stats(bclient *c, const bn_msg *rep, void *arg)
{
    uint64_t *sessions = arg;
    (void)c;
    if (rep->type != BN_MSG_STATS)
        die("STATS expected", BN_EPROTO);
    *sessions = (uint64_t)rep->u.stats.sessions_held +
                rep->u.stats.sessions_planned + rep->u.stats.sessions_cancelled;
}

static void on_stats_pairs(bclient *c, const bn_msg *rep, void *arg)
{
    struct pages *p = arg;
    (void)c;
    const bn_stats_pairs *r = &rep->u.stats_pairs;
    for (uint32_t i = 0; i < r->items.len; i++) {
        p->sessions += r->items.v[i].sessions_held +
                       r->items.v[i].sessions_planned +
                       r->items.v[i].sessions_cancelled;
        p->last = r->items.v[i].pair_id;
    }
    p->rows += r->items.len;
    p->more = r->more;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static unsigned env_num(const char *name, unsigned dflt)
{
    const char *v = getenv(name);
    return v != NULL && atoi(v) > 0 ? (unsigned)atoi(v) : dflt;
}

int main(void)
{
    char tmp[64] = "/tmp/bench-stats-XXXXXX", dir[96];
    char code[BN_INVITE_CODE_MAX + 1];
    bn_invite_code ic;
    bnd_config cfg;
    struct world w;
    unsigned npairs = env_num("BENCH_PAIRS", 10000);
    unsigned nsessions = env_num("BENCH_SESSIONS", 200000);
    unsigned rounds = env_num("BENCH_ROUNDS", 5);
    int rc;

    if (bn_crypto_init() != 0 || mkdtemp(tmp) == NULL)
        die("setup", BN_EINTERNAL);
    bnd_log_set_level(BND_LOG_ERROR);
    snprintf(dir, sizeof dir, "%s/data", tmp);
    rc = bnd_datadir_init(dir, NULL, code, sizeof code);
    if (rc == 0)
        rc = bn_invite_parse(&ic, code);
    if (rc != 0)
        die("init", rc);
    bnd_config_defaults(&cfg);
    snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", dir);
    cfg.rate_per_account = 0; /* the world is built at full speed */
    if (uv_loop_init(&B.loop) != 0)
        die("loop", BN_EINTERNAL);
    rc = bnd_server_open(&B.srv, &cfg, &B.loop);
    if (rc != 0)
        die("server open", rc);

    memset(&w, 0, sizeof w);
    w.npairs = npairs;
    w.per_pair = nsessions / npairs ? nsessions / npairs : 1;
    w.mentors = calloc(npairs, sizeof *w.mentors);
    w.mentees = calloc(npairs, sizeof *w.mentees);
    w.tokens = calloc(2 * (size_t)npairs, sizeof *w.tokens);
    w.pairs = calloc(npairs, sizeof *w.pairs);
    w.seq = calloc(npairs, sizeof *w.seq);
    w.head = calloc(npairs, sizeof *w.head);
    w.idm = bn_identity_new();
    w.idt = bn_identity_new();
    if (!w.mentors || !w.mentees || !w.tokens || !w.pairs || !w.seq ||
        !w.head || !w.idm || !w.idt || bn_identity_generate(w.idm) != 0 ||
        bn_identity_generate(w.idt) != 0)
        die("memory", BN_ENOMEM);

    double t0 = now_ms();
    phase = "accounts";
    build_accounts(&w, ic.token);
    phase = "pairs";
    build_pairs(&w);
    phase = "sessions";
    build_sessions(&w, bn_date_today() - 730);
    phase = "measures";
    double build_s = (now_ms() - t0) / 1e3;
    uint64_t want_sessions = (uint64_t)w.per_pair * npairs;

    /* the measures: each round one STATS_GET, then every page */
    double *get_ms = calloc(rounds, sizeof *get_ms);
    double *pairs_ms = calloc(rounds, sizeof *pairs_ms);
    unsigned pages = 0;
    uint64_t page_bytes = 0;
    if (get_ms == NULL || pairs_ms == NULL)
        die("memory", BN_ENOMEM);
    for (unsigned r = 0; r < rounds; r++) {
        uint64_t sessions = 0;
        bn_msg m;
        bn_msg_init(&m, BN_MSG_STATS_GET, 0);
        m.u.stats_get.programme_id = w.prog;
        w.admin.on = on_stats;
        w.admin.arg = &sessions;
        double t = now_ms();
        send_req(&w.admin, &m);
        drain();
        get_ms[r] = now_ms() - t;
        if (sessions != want_sessions)
            die("STATS_GET counts", BN_EINTERNAL);

        struct pages p = {0, 0, 1, 0};
        w.admin.on = on_stats_pairs;
        w.admin.arg = &p;
        pages = 0;
        B.reply_bytes = 0;
        t = now_ms();
        while (p.more) {
            bn_msg_init(&m, BN_MSG_STATS_PAIRS_GET, 0);
            m.u.stats_pairs_get.programme_id = w.prog;
            m.u.stats_pairs_get.after = p.last;
            send_req(&w.admin, &m);
            drain();
            pages++;
        }
        pairs_ms[r] = now_ms() - t;
        page_bytes = B.reply_bytes;
        if (p.rows != npairs || p.sessions != want_sessions)
            die("STATS_PAIRS rows", BN_EINTERNAL);
    }
    qsort(get_ms, rounds, sizeof *get_ms, cmp_double);
    qsort(pairs_ms, rounds, sizeof *pairs_ms, cmp_double);
    double g = get_ms[rounds / 2], p = pairs_ms[rounds / 2];
    printf(
        "stats: pairs=%u sessions=%llu stats_get_ms=%.3f stats_pairs_ms=%.3f "
        "pages=%u reply_bytes=%llu total_ms=%.3f (build_s=%.1f, median of "
        "%u)\n",
        npairs, (unsigned long long)want_sessions, g, p, pages,
        (unsigned long long)page_bytes, g + p, build_s, rounds);

    bnd_server_close(B.srv);
    uv_loop_close(&B.loop);
    bn_identity_free(w.idm);
    bn_identity_free(w.idt);
    free(w.mentors);
    free(w.mentees);
    free(w.tokens);
    free(w.pairs);
    free(w.seq);
    free(w.head);
    free(get_ms);
    free(pairs_ms);
    bn_testfs_rmtree(tmp);
    return 0;
}
