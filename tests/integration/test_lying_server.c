/*
 * test_lying_server.c: the stock client library and CLI against a scripted
 * server that answers over the real protocol with what a malicious (or
 * merely old) server would say (issue 11, SECURITY.md "What a malicious
 * server can and cannot do"; issue 12, the protocol version). The server
 * is a thread of this program: it runs the handshake with its own key,
 * which the profile pins, and answers each request from a view of the
 * pair that the test builds and signs with its members' keys.
 *
 *   - the member list is checked on every round of a pair's opening: a
 *     server that answers the first round honestly, refuses the key put
 *     with a conflict and shows another list in the second round is
 *     refused as tampering, and gets no key wrapped for the key it
 *     slipped in (bnc_pair_open, same_members);
 *   - the log head is remembered only once everything the server said
 *     followed from the log: a valid log verified against a forged
 *     member list (a phantom member who signs an entry) is refused and
 *     its head is not saved, so the honest log still opens afterwards
 *     (bnc__log_remember after bnc__ledger_pair);
 *   - a pair of the release before schema 4 that nobody keyed takes its
 *     first key at epoch 1, as binomed requires, and opens with it;
 *   - a server of the release before the protocol number answers LOGIN
 *     and JOIN with BN_EPROTO: the client says BN_EVERSION, and the CLI
 *     says to upgrade binomed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define PASS "lying server test pass phrase"
#include <pthread.h>
#include <sys/wait.h>

#include "../lib/bn_testfs.h"
#include "bn_invite.h"
#include "bn_version.h"
#include "itest_world.h"

#define PAIR 7
#define PROGRAMME 1
#define MENTOR 2
#define MENTEE 3
#define STRANGER 9
#define LOG_MAX 8

typedef struct person {
    uint64_t id;
    uint8_t sign_pk[32], sign_sk[64], box_pk[32], box_sk[32];
} person;

/* What the server shows of the pair: its record, members, wraps,
 * acceptances and log. */
typedef struct view {
    struct bn_pair_info pair;
    struct bn_member_key members[3];
    uint32_t nmembers;
    struct bn_key_wrap wraps[4];
    uint32_t nwraps;
    struct bn_accept_info accepts[2];
    uint32_t naccepts;
    bn_log_entry log[LOG_MAX];
    uint32_t nlog;
    uint8_t head[BN_HASH_BYTES];
} view;

typedef struct fix {
    char dir[64], profile_dir[128];
    bnc_profile *prof;
    person mentor, mentee, stranger;
    /* The server. */
    int lfd;
    uint16_t port;
    uint8_t pk[32], sk[32];
    pthread_t thread;
    pthread_mutex_t lock;
    int stop;
    /* What it answers: the honest view, and the forged one from the
     * forge_from-th PAIR_GET (0-based) on (-1: never). */
    view honest, forged;
    int forge_from;
    const view *cur;
    int old_release;   /* LOGIN and JOIN as release 0.1 answered them */
    int new_release;   /* LOGIN and JOIN as a server of a later protocol */
    int conflict_once; /* the first KEY_PUT gets BN_ECONFLICT */
    int store_keys;    /* KEY_PUT lands in the honest view */
    unsigned pair_gets, key_puts;
    uint32_t last_key_epoch;
} fix;

static const char charter[] = "We meet, we listen, we keep our word.";

/* ---- the server ------------------------------------------------------ */

static void reply_error(bn_msg *rep, uint64_t id, int code, const char *msg)
{
    bn_msg_init(rep, BN_MSG_ERROR, id);
    rep->u.error.code = code;
    rep->u.error.message = (bn_str){msg, (uint32_t)strlen(msg)};
}

/* store_key (on the server's thread) keeps a KEY_PUT in the honest view as
 * binomed does (bnd_h_key.c): the first key of a pair is of its epoch, a re-key
 * of the next, anything else BN_ECONFLICT. */
static int store_key(fix *f, const bn_msg *req, bn_msg *rep)
{
    view *v = &f->honest;
    const struct bn_key_put *k = &req->u.key_put;
    uint32_t want = v->nwraps == 0 ? v->pair.epoch : v->pair.epoch + 1;
    bn_log_entry *e = &v->log[v->nlog];

    if (k->epoch != want || v->nlog == LOG_MAX ||
        v->nwraps + k->wraps.len > 4) {
        reply_error(rep, req->id, BN_ECONFLICT, "not the pair's next epoch");
        return 0;
    }
    if (bn_log_entry_decode(e, k->entry.ptr, k->entry.len) != 0 ||
        e->seq != v->nlog + 1 || bn_log_entry_hash(v->head, PAIR, e) != 0) {
        reply_error(rep, req->id, BN_ESTALE, "not the pair's next entry");
        return 0;
    }
    v->nlog++;
    memcpy(v->wraps + v->nwraps, k->wraps.v, k->wraps.len * sizeof *k->wraps.v);
    v->nwraps += k->wraps.len;
    v->pair.epoch = k->epoch;
    bn_msg_init(rep, BN_MSG_OK, req->id);
    rep->u.ok.value = k->epoch;
    return 0;
}

/* answer makes the reply to req from f's state (under f->lock); it
 * returns 1 when the connection closes after it. It runs on the server's
 * thread: no cmocka assertion here, the client's side checks. log_buf holds the
 * encoded entries a LOG reply points at. */
static int answer(fix *f, const bn_msg *req, bn_msg *rep,
                  uint8_t log_buf[LOG_MAX][BN_LOG_ENTRY_BYTES],
                  struct bn_log_item items[LOG_MAX])
{
    const view *v;
    uint32_t n = 0;

    switch (req->type) {
    case BN_MSG_LOGIN:
    case BN_MSG_JOIN:
        if (f->old_release) {
            /* Release 0.1's decoder: more fields than its schema. */
            reply_error(rep, req->id, BN_EPROTO, "protocol error");
            return 1;
        }
        if (f->new_release) {
            reply_error(rep, req->id, BN_EVERSION,
                        "this client speaks protocol 2 (binome 0.2.0), this "
                        "server protocol 3 (binomed 0.3.0): upgrade binome, "
                        "the client");
            return 1;
        }
        bn_msg_init(rep, BN_MSG_LOGGED_IN, req->id);
        rep->u.logged_in.account.id = MENTOR;
        rep->u.logged_in.account.role = BN_ROLE_MENTOR;
        rep->u.logged_in.account.name = (bn_str){"Maud Mentor", 11};
        rep->u.logged_in.account.programme_id = PROGRAMME;
        memcpy(rep->u.logged_in.account.sign_pk, f->mentor.sign_pk, 32);
        memcpy(rep->u.logged_in.account.box_pk, f->mentor.box_pk, 32);
        rep->u.logged_in.proto = BN_PROTO_VERSION;
        rep->u.logged_in.release = (bn_str){BN_VERSION, strlen(BN_VERSION)};
        return 0;
    case BN_MSG_PAIR_GET:
        f->cur = f->forge_from >= 0 && f->pair_gets >= (unsigned)f->forge_from
                     ? &f->forged
                     : &f->honest;
        f->pair_gets++;
        v = f->cur;
        bn_msg_init(rep, BN_MSG_PAIR_DETAIL, req->id);
        rep->u.pair_detail.pair = v->pair;
        rep->u.pair_detail.members.v = (struct bn_member_key *)v->members;
        rep->u.pair_detail.members.len = v->nmembers;
        rep->u.pair_detail.wraps.v = (struct bn_key_wrap *)v->wraps;
        rep->u.pair_detail.wraps.len = v->nwraps;
        rep->u.pair_detail.accepts.v = (struct bn_accept_info *)v->accepts;
        rep->u.pair_detail.accepts.len = v->naccepts;
        rep->u.pair_detail.charter = (bn_str){charter, sizeof charter - 1};
        bn_hash(rep->u.pair_detail.charter_hash, (const uint8_t *)charter,
                sizeof charter - 1);
        rep->u.pair_detail.log_seq = v->nlog;
        memcpy(rep->u.pair_detail.log_head, v->head, BN_HASH_BYTES);
        return 0;
    case BN_MSG_LOG_GET:
        v = f->cur != NULL ? f->cur : &f->honest;
        bn_msg_init(rep, BN_MSG_LOG, req->id);
        for (uint32_t i = 0; i < v->nlog; i++) {
            if (v->log[i].seq < req->u.log_get.from_seq)
                continue;
            if (bn_log_entry_encode(log_buf[n], &v->log[i]) != 0) {
                reply_error(rep, req->id, BN_EINTERNAL, "encode");
                return 1;
            }
            items[n].entry =
                (bn_bin){log_buf[n], (uint32_t)bn_log_entry_size(&v->log[i])};
            n++;
        }
        rep->u.log.entries.v = items;
        rep->u.log.entries.len = n;
        return 0;
    case BN_MSG_KEY_PUT:
        f->key_puts++;
        f->last_key_epoch = req->u.key_put.epoch;
        if (f->conflict_once && f->key_puts == 1) {
            reply_error(rep, req->id, BN_ECONFLICT,
                        "another member keyed the pair");
            return 0;
        }
        if (f->store_keys)
            return store_key(f, req, rep);
        bn_msg_init(rep, BN_MSG_OK, req->id);
        return 0;
    default:
        reply_error(rep, req->id, BN_EUNKNOWNMSG, "not scripted");
        return 0;
    }
}

/* serve_conn runs the server side of the handshake on fd, then answers
 * requests until the client hangs up or a reply closes. */
static void serve_conn(fix *f, int fd)
{
    uint8_t in[BN_FRAME_HDR + BN_HS_MSG1_BYTES];
    uint8_t out[BN_FRAME_HDR + BN_HS_MSG2_BYTES];
    itw_raw r = {.fd = fd};

    if (itw_recv_all(fd, in, sizeof in, 5) != 0 ||
        bn_get_be32(in) != BN_HS_MSG1_BYTES ||
        bn_hs_server_respond(f->sk, f->pk, in + BN_FRAME_HDR,
                             out + BN_FRAME_HDR, &r.ch) != 0)
        return;
    bn_frame_header(out, BN_HS_MSG2_BYTES);
    if (itw_send_all(fd, out, sizeof out) != 0)
        return;
    for (int done = 0; !done;) {
        static uint8_t log_buf[LOG_MAX][BN_LOG_ENTRY_BYTES];
        static struct bn_log_item items[LOG_MAX];
        bn_msg req, rep;
        if (itw_recv_msg(&r, &req) != 0)
            return;
        pthread_mutex_lock(&f->lock);
        done = answer(f, &req, &rep, log_buf, items);
        done |= itw_send_msg(&r, &rep) != 0;
        pthread_mutex_unlock(&f->lock);
        bn_msg_free(&req);
    }
}

static void *serve(void *arg)
{
    fix *f = arg;

    for (;;) {
        struct pollfd pf = {f->lfd, POLLIN, 0};
        int stop, fd;
        int ready = poll(&pf, 1, 50);
        pthread_mutex_lock(&f->lock);
        stop = f->stop;
        pthread_mutex_unlock(&f->lock);
        if (stop)
            return NULL;
        if (ready <= 0)
            continue;
        fd = accept(f->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        serve_conn(f, fd);
        close(fd);
    }
}

/* ---- the pair, as its members signed it -------------------------------- */

static const person *who(const fix *f, uint64_t id)
{
    return id == MENTOR ? &f->mentor : id == MENTEE ? &f->mentee : &f->stranger;
}

/* append signs the version 2 entry of req by author onto v's log. */
static void append(const fix *f, view *v, uint64_t author, bn_msg *req)
{
    bn_log_entry *e = &v->log[v->nlog];
    assert_true(v->nlog < LOG_MAX);
    assert_int_equal(
        bn_log_entry_make(e, req, v->nlog + 1, v->head, author, 1700000000), 0);
    assert_int_equal(bn_log_entry_sign(e, PAIR, who(f, author)->sign_sk), 0);
    assert_int_equal(bn_log_entry_hash(v->head, PAIR, e), 0);
    v->nlog++;
}

/* append_v1 signs an entry of the release before schema 4 (it does not
 * say what it logged) onto v's log. */
static void append_v1(const fix *f, view *v, uint64_t author)
{
    bn_log_entry *e = &v->log[v->nlog];
    assert_true(v->nlog < LOG_MAX);
    memset(e, 0, sizeof *e);
    e->version = 1;
    randombytes_buf(e->body_hash, sizeof e->body_hash);
    e->seq = v->nlog + 1;
    memcpy(e->prev, v->head, sizeof e->prev);
    e->author_id = author;
    e->time = 1600000000;
    assert_int_equal(bn_log_entry_sign(e, PAIR, who(f, author)->sign_sk), 0);
    assert_int_equal(bn_log_entry_hash(v->head, PAIR, e), 0);
    v->nlog++;
}

static void add_member(const fix *f, view *v, uint64_t id, uint8_t role)
{
    struct bn_member_key *m = &v->members[v->nmembers++];
    memset(m, 0, sizeof *m);
    m->account_id = id;
    m->role = role;
    m->name = id == MENTOR ? (bn_str){"Maud Mentor", 11}
                           : (bn_str){"Theo Mentee", 11};
    memcpy(m->sign_pk, who(f, id)->sign_pk, 32);
    memcpy(m->box_pk, who(f, id)->box_pk, 32);
    m->from_epoch = 1;
}

/* log_accept logs a member's acceptance of v's member list. */
static void log_accept(const fix *f, view *v, uint64_t id)
{
    struct bn_accept_info *a = &v->accepts[v->naccepts++];
    bn_member_id m[3];
    bn_msg req;

    for (uint32_t i = 0; i < v->nmembers; i++) {
        m[i].account_id = v->members[i].account_id;
        m[i].role = v->members[i].role;
        memcpy(m[i].sign_pk, v->members[i].sign_pk, 32);
        memcpy(m[i].box_pk, v->members[i].box_pk, 32);
    }
    memset(a, 0, sizeof *a);
    a->account_id = id;
    a->date = 20000;
    randombytes_buf(a->sig, sizeof a->sig);
    assert_int_equal(bn_members_hash(a->members_hash, m, v->nmembers), 0);
    bn_msg_init(&req, BN_MSG_PAIR_ACCEPT, 0);
    req.u.pair_accept.pair_id = PAIR;
    req.u.pair_accept.date = a->date;
    memcpy(req.u.pair_accept.sig, a->sig, 64);
    memcpy(req.u.pair_accept.members_hash, a->members_hash, 32);
    append(f, v, id, &req);
    v->pair.accepted |= id == MENTOR ? BN_ACCEPTED_MENTOR : BN_ACCEPTED_MENTEE;
}

/* wrap_for wraps key of an epoch for member id, by the mentor. */
static void wrap_for(const fix *f, struct bn_key_wrap *w, uint32_t epoch,
                     uint64_t id, const uint8_t key[32], const uint8_t kid[32])
{
    memset(w, 0, sizeof *w);
    w->epoch = epoch;
    w->member_id = id;
    w->wrapper_id = MENTOR;
    if (kid != NULL)
        memcpy(w->key_id, kid, 32);
    assert_int_equal(bn_pairkey_wrap(w->wrap, PAIR, epoch, id,
                                     who(f, id)->box_pk, MENTOR, key,
                                     f->mentor.sign_sk),
                     0);
}

/* key_put: the mentor draws the key of epoch 1, wraps it for both and
 * logs it. */
static void key_put(const fix *f, view *v)
{
    uint8_t key[32], kid[32];
    bn_msg req;

    bn_pairkey_generate(key);
    bn_pairkey_id(kid, PAIR, 1, key);
    wrap_for(f, &v->wraps[0], 1, MENTOR, key, kid);
    wrap_for(f, &v->wraps[1], 1, MENTEE, key, kid);
    bn_msg_init(&req, BN_MSG_KEY_PUT, 0);
    req.u.key_put.pair_id = PAIR;
    req.u.key_put.epoch = 1;
    req.u.key_put.wraps.v = v->wraps;
    req.u.key_put.wraps.len = 2;
    append(f, v, MENTOR, &req);
    v->nwraps = 2;
    v->pair.epoch = 1;
    sodium_memzero(key, sizeof key);
}

/* session_add logs a session by author onto v's log. */
static void session_add(const fix *f, view *v, uint64_t author, uint32_t date)
{
    bn_msg req;
    bn_msg_init(&req, BN_MSG_SESSION_ADD, 0);
    req.u.session_add.pair_id = PAIR;
    req.u.session_add.date = date;
    req.u.session_add.status = BN_SESSION_PLANNED;
    append(f, v, author, &req);
}

/* view_init: the pair of the mentor and the mentee, active at epoch 1,
 * nothing logged. */
static void view_init(const fix *f, view *v)
{
    memset(v, 0, sizeof *v);
    v->pair.id = PAIR;
    v->pair.programme_id = PROGRAMME;
    v->pair.mentor_id = MENTOR;
    v->pair.mentee_id = MENTEE;
    v->pair.mentor_name = (bn_str){"Maud Mentor", 11};
    v->pair.mentee_name = (bn_str){"Theo Mentee", 11};
    v->pair.status = BN_PAIR_ACTIVE;
    v->pair.start_date = 20000;
    v->pair.epoch = 1;
    add_member(f, v, MENTOR, BN_ROLE_MENTOR);
    add_member(f, v, MENTEE, BN_ROLE_MENTEE);
}

/* ---- fixtures ------------------------------------------------------ */

static void keypair(person *p, uint64_t id)
{
    p->id = id;
    crypto_sign_keypair(p->sign_pk, p->sign_sk);
    crypto_box_keypair(p->box_pk, p->box_sk);
}

/* setup starts the server and makes the mentor's profile, which pins it. */
static int setup(void **state)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof a;
    fix *f = calloc(1, sizeof *f);
    bnc_profile *p = NULL;

    if (f == NULL || bn_crypto_init() != 0)
        return -1;
    *state = f;
    snprintf(f->dir, sizeof f->dir, "/tmp/bn-lying.XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    pthread_mutex_init(&f->lock, NULL);
    f->forge_from = -1;
    crypto_box_keypair(f->pk, f->sk);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(f->lfd, 8) != 0 ||
        getsockname(f->lfd, (struct sockaddr *)&a, &alen) != 0)
        return -1;
    f->port = ntohs(a.sin_port);
    if (pthread_create(&f->thread, NULL, serve, f) != 0)
        return -1;

    snprintf(f->profile_dir, sizeof f->profile_dir, "%s/mentor", f->dir);
    if (bnc_profile_new(&p, f->profile_dir) != 0)
        return -1;
    f->prof = p;
    snprintf(p->host, sizeof p->host, "127.0.0.1");
    p->port = f->port;
    memcpy(p->server_pk, f->pk, 32);
    p->account_id = MENTOR;
    snprintf(p->name, sizeof p->name, "Maud Mentor");
    p->role = BN_ROLE_MENTOR;
    p->programme_id = PROGRAMME;
    p->id = bn_identity_new();
    if (p->id == NULL || bn_identity_generate(p->id) != 0 ||
        bnc_profile_save(p) != 0 ||
        bnc_profile_save_identity(p, PASS, strlen(PASS)) != 0)
        return -1;
    f->mentor.id = MENTOR;
    memcpy(f->mentor.sign_pk, p->id->sign_pk, 32);
    memcpy(f->mentor.sign_sk, p->id->sign_sk, 64);
    memcpy(f->mentor.box_pk, p->id->box_pk, 32);
    memcpy(f->mentor.box_sk, p->id->box_sk, 32);
    keypair(&f->mentee, MENTEE);
    keypair(&f->stranger, STRANGER);
    return 0;
}

static int teardown(void **state)
{
    fix *f = *state;
    pthread_mutex_lock(&f->lock);
    f->stop = 1;
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->thread, NULL);
    close(f->lfd);
    bnc_profile_free(f->prof);
    bn_testfs_rmtree(f->dir);
    sodium_memzero(f, sizeof *f);
    free(f);
    return 0;
}

/* open_pair logs in as the mentor and opens the pair with keys: its
 * code; tamper (when not NULL) gets the client's tamper message. */
static int open_pair(fix *f, char *tamper, size_t size, bnc_pair **out)
{
    bnc_client *c = NULL;
    bnc_pair *p = NULL;
    int rc = bnc_client_open(&c, f->prof, PASS, strlen(PASS));
    if (rc == 0)
        rc = bnc_pair_open(c, PAIR, 0, &p);
    if (tamper != NULL)
        snprintf(tamper, size, "%s", bnc_client_tamper(c));
    bnc_client_close(c);
    if (out != NULL)
        *out = p;
    else
        bnc_pair_free(p);
    return rc;
}

/* serving sets what the server shows (under its lock). */
static void serving(fix *f, int forge_from)
{
    pthread_mutex_lock(&f->lock);
    f->forge_from = forge_from;
    f->pair_gets = 0;
    f->key_puts = 0;
    f->cur = NULL;
    pthread_mutex_unlock(&f->lock);
}

/* ---- 1. the member list does not change between rounds ------------- */

/* legacy_pair: a pair from before schema 4 (its membership was never
 * signed: only the list's shape and the key record protect it). Its five
 * entries are of the old format; the server withholds the mentor's wrap
 * of epoch 1, so the mentor's client re-keys to epoch 2, and the server
 * answers the first key put with a conflict: a second round. */
static void legacy_pair(fix *f)
{
    uint8_t key[32];

    view_init(f, &f->honest);
    f->honest.pair.accepted = BN_ACCEPTED_MENTOR | BN_ACCEPTED_MENTEE;
    append_v1(f, &f->honest, MENTOR);
    append_v1(f, &f->honest, MENTEE);
    append_v1(f, &f->honest, MENTOR);
    append_v1(f, &f->honest, MENTEE);
    append_v1(f, &f->honest, MENTEE);
    bn_pairkey_generate(key);
    wrap_for(f, &f->honest.wraps[0], 1, MENTEE, key, NULL);
    f->honest.nwraps = 1;
    f->conflict_once = 1;
    f->forged = f->honest;
}

/* The second round shows the mentee with another box key (the server's
 * own): the key the mentor draws would be wrapped for the server. */
static void test_members_changed_between_rounds(void **state)
{
    fix *f = *state;
    char tamper[256];
    bnc_pair *p = NULL;

    legacy_pair(f);
    memcpy(f->forged.members[1].box_pk, f->stranger.box_pk, 32);
    serving(f, 1);
    assert_int_equal(open_pair(f, tamper, sizeof tamper, NULL), BN_ETAMPER);
    assert_non_null(strstr(tamper, "member list changed"));
    assert_int_equal(f->pair_gets, 2);
    assert_int_equal(f->key_puts, 1); /* the refused one only */

    /* The same server, with the same conflict but the same list in both
     * rounds: the pair opens, re-keyed past the withheld wrap (the
     * refusal came from the forgery). */
    serving(f, -1);
    assert_int_equal(open_pair(f, NULL, 0, &p), 0);
    assert_int_equal(f->key_puts, 2);
    assert_int_equal(f->last_key_epoch, 2);
    assert_non_null(bnc__pair_key(p, 2));
    bnc_pair_free(p);
}

/* The second round swaps the roles (and the pair's mentor and mentee):
 * the members' keys, and so the key record, are unchanged; the list is
 * not. */
static void test_roles_changed_between_rounds(void **state)
{
    fix *f = *state;
    char tamper[256];

    legacy_pair(f);
    f->forged.pair.mentor_id = MENTEE;
    f->forged.pair.mentee_id = MENTOR;
    f->forged.members[0].role = BN_ROLE_MENTEE;
    f->forged.members[1].role = BN_ROLE_MENTOR;
    serving(f, 1);
    assert_int_equal(open_pair(f, tamper, sizeof tamper, NULL), BN_ETAMPER);
    assert_non_null(strstr(tamper, "member list changed"));
    assert_int_equal(f->key_puts, 1);
}

/* A pair of the old release that both members accepted but where nobody
 * drew a key (they only recorded sessions: release 0.1 keyed a pair on
 * the first note). Its first key is of epoch 1, and once logged the pair
 * opens with it. */
static void test_legacy_pair_first_key(void **state)
{
    fix *f = *state;
    bnc_pair *p = NULL;

    view_init(f, &f->honest);
    f->honest.pair.accepted = BN_ACCEPTED_MENTOR | BN_ACCEPTED_MENTEE;
    append_v1(f, &f->honest, MENTOR);
    append_v1(f, &f->honest, MENTEE);
    append_v1(f, &f->honest, MENTOR);
    f->store_keys = 1;
    serving(f, -1);
    assert_int_equal(open_pair(f, NULL, 0, &p), 0);
    assert_int_equal(f->last_key_epoch, 1);
    assert_int_equal(f->honest.pair.epoch, 1);
    assert_non_null(bnc__pair_key(p, 1));
    assert_int_equal(bnc_pair_warning_count(p), 1); /* the old entries */
    bnc_pair_free(p);
    /* Opened again: the logged key opens, nothing is re-keyed. */
    assert_int_equal(open_pair(f, NULL, 0, &p), 0);
    assert_int_equal(f->key_puts, 1);
    assert_non_null(bnc__pair_key(p, 1));
    bnc_pair_free(p);
}

/* ---- 2. the head of a log that did not hold is not remembered ------- */

static void test_forged_members_log_not_remembered(void **state)
{
    fix *f = *state;
    char tamper[256];
    bnc_log_head seen, after;
    bnc_pair *p = NULL;

    /* An active pair, accepted and keyed; the mentor opens it once. */
    view_init(f, &f->honest);
    f->honest.pair.status = BN_PAIR_PENDING;
    log_accept(f, &f->honest, MENTOR);
    log_accept(f, &f->honest, MENTEE);
    f->honest.pair.status = BN_PAIR_ACTIVE;
    key_put(f, &f->honest);
    serving(f, -1);
    assert_int_equal(open_pair(f, NULL, 0, &p), 0);
    assert_non_null(bnc__pair_key(p, 1));
    bnc_pair_free(p);
    assert_int_equal(bnc_log_load(f->prof, PAIR, &seen), 0);
    assert_int_equal(seen.seq, 3);
    assert_memory_equal(seen.hash, f->honest.head, 32);

    /* The mentee plans a session (entry 4). The server adds a member of
     * its own and an entry that member signed (5): the log verifies
     * against the list it serves, and the list is forged. */
    session_add(f, &f->honest, MENTEE, 20100);
    f->forged = f->honest;
    add_member(f, &f->forged, STRANGER, BN_ROLE_MENTEE);
    session_add(f, &f->forged, STRANGER, 20200);
    serving(f, 0);
    assert_int_equal(open_pair(f, tamper, sizeof tamper, NULL), BN_ETAMPER);
    assert_non_null(strstr(tamper, "member 9"));
    assert_int_equal(bnc_log_load(f->prof, PAIR, &after), 0);
    assert_int_equal(after.seq, seen.seq);
    assert_memory_equal(after.hash, seen.hash, 32);

    /* Honest again: no false rollback alarm, and the head moves on. */
    serving(f, -1);
    assert_int_equal(open_pair(f, NULL, 0, NULL), 0);
    assert_int_equal(bnc_log_load(f->prof, PAIR, &after), 0);
    assert_int_equal(after.seq, 4);
    assert_memory_equal(after.hash, f->honest.head, 32);
}

/* ---- 3. a server of the release before the protocol number ---------- */

/* cli runs the binome CLI with args (a shell word list) on profile dir;
 * its stderr goes to err (size bytes): its exit status, or -1. */
static int cli(const fix *f, const char *dir, const char *args, char *err,
               size_t size)
{
    const char *bin = getenv("BINOME");
    char cmd[1024], path[160];
    FILE *e;
    size_t n;
    int st;

    snprintf(path, sizeof path, "%s/cli.err", f->dir);
    snprintf(cmd, sizeof cmd,
             "BINOME_PASSPHRASE='%s' '%s' --profile '%s' %s </dev/null "
             ">/dev/null 2>'%s'",
             PASS, bin != NULL ? bin : "build/binome", dir, args, path);
    st = system(cmd);
    e = fopen(path, "r");
    n = e != NULL ? fread(err, 1, size - 1, e) : 0;
    err[n] = '\0';
    if (e != NULL)
        fclose(e);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_old_server_is_a_version_mismatch(void **state)
{
    fix *f = *state;
    char code[BN_INVITE_CODE_MAX + 1], dir[160], args[BN_INVITE_CODE_MAX + 64];
    char err[2048];
    bn_invite_code inv;
    bnc_client *c = NULL;
    bnc_profile *p = NULL;
    bnc_account acc;

    pthread_mutex_lock(&f->lock);
    f->old_release = 1;
    pthread_mutex_unlock(&f->lock);

    /* The library: LOGIN and JOIN. */
    assert_int_equal(bnc_client_open(&c, f->prof, PASS, strlen(PASS)),
                     BN_EVERSION);
    assert_null(c);
    memset(&inv, 0, sizeof inv);
    memcpy(inv.server_pk, f->pk, 32);
    randombytes_buf(inv.token, sizeof inv.token);
    snprintf(inv.host, sizeof inv.host, "127.0.0.1");
    inv.port = f->port;
    assert_int_equal(bn_invite_format(code, sizeof code, &inv), 0);
    snprintf(dir, sizeof dir, "%s/newcomer", f->dir);
    assert_int_equal(bnc_profile_new(&p, dir), 0);
    assert_int_equal(
        bnc_join(p, code, "Nina Newcomer", PASS, strlen(PASS), &acc),
        BN_EVERSION);
    bnc_profile_free(p);

    /* The CLI says which side to upgrade, for a member and a newcomer. */
    assert_int_equal(cli(f, f->profile_dir, "pairs", err, sizeof err), 1);
    assert_non_null(strstr(err, "upgrade binomed"));
    snprintf(args, sizeof args, "join '%s' --name 'Nina Newcomer'", code);
    assert_int_equal(cli(f, dir, args, err, sizeof err), 1);
    assert_non_null(strstr(err, "upgrade binomed"));
}

/* A server of a later protocol answers with BN_EVERSION and its own words,
 * which say to upgrade the client: the library keeps them on the profile
 * (there is no client after a refused login) and the CLI shows them, for
 * a member and for a newcomer. */
static void test_new_server_says_upgrade_the_client(void **state)
{
    fix *f = *state;
    char code[BN_INVITE_CODE_MAX + 1], dir[160], args[BN_INVITE_CODE_MAX + 64];
    char err[2048];
    bn_invite_code inv;
    bnc_client *c = NULL;

    pthread_mutex_lock(&f->lock);
    f->new_release = 1;
    pthread_mutex_unlock(&f->lock);

    assert_int_equal(bnc_client_open(&c, f->prof, PASS, strlen(PASS)),
                     BN_EVERSION);
    assert_null(c);
    assert_non_null(strstr(bnc_profile_server_error(f->prof),
                           "upgrade binome, the client"));

    assert_int_equal(cli(f, f->profile_dir, "pairs", err, sizeof err), 1);
    assert_non_null(strstr(err, "(server: this client speaks protocol 2"));
    assert_non_null(strstr(err, "upgrade binome, the client"));

    memset(&inv, 0, sizeof inv);
    memcpy(inv.server_pk, f->pk, 32);
    randombytes_buf(inv.token, sizeof inv.token);
    snprintf(inv.host, sizeof inv.host, "127.0.0.1");
    inv.port = f->port;
    assert_int_equal(bn_invite_format(code, sizeof code, &inv), 0);
    snprintf(dir, sizeof dir, "%s/newcomer", f->dir);
    snprintf(args, sizeof args, "join '%s' --name 'Nina Newcomer'", code);
    assert_int_equal(cli(f, dir, args, err, sizeof err), 1);
    assert_non_null(strstr(err, "upgrade binome, the client"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_members_changed_between_rounds,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles_changed_between_rounds,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_pair_first_key, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_forged_members_log_not_remembered,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_server_is_a_version_mismatch,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_server_says_upgrade_the_client,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
