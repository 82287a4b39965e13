/* test_srv_net: the real server loop in a thread on a free loopback port,
 * spoken to over raw sockets with crypto/ and proto/ directly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_list.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../lib/bn_testfs.h"
#include "bn_invite.h"
#include "bnd_log.h"
#include "bnd_net.h"
#include "bnd_server.h"

static struct {
    char dir[64];
    bn_invite_code code;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int ready; /* 1: serving, -1: failed */
    uint16_t port;
    bnd_server *srv;
    bn_identity *admin;
    uint64_t admin_id;
    int stopped; /* the server thread has been told to stop */
} S;

static void *server_main(void *arg)
{
    bnd_config cfg;
    uv_loop_t loop;
    bnd_server *srv = NULL;
    (void)arg;

    bnd_config_defaults(&cfg);
    strcpy(cfg.data_dir, S.dir);
    cfg.port = 0; /* any free port */
    cfg.max_inflight = 4;
    cfg.max_conns = 8;
    uv_loop_init(&loop);
    int rc = bnd_server_open(&srv, &cfg, &loop);
    if (rc == 0)
        rc = bnd_server_listen(srv, 0);
    pthread_mutex_lock(&S.mu);
    S.ready = rc == 0 ? 1 : -1;
    S.port = rc == 0 ? srv->bound_port : 0;
    S.srv = srv;
    pthread_cond_signal(&S.cv);
    pthread_mutex_unlock(&S.mu);
    if (rc == 0)
        uv_run(&loop, UV_RUN_DEFAULT);
    bnd_server_close(srv);
    uv_loop_close(&loop);
    return NULL;
}

/* ---- a raw client ---------------------------------------------------------
 */

typedef struct rawc {
    int fd;
    bn_channel ch;
    uint64_t next_id;
} rawc;

static int raw_connect(void)
{
    struct sockaddr_in a;
    struct timeval tv = {5, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(S.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void send_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w <= 0)
            return; /* the server may have closed: the test reads next */
        b += w;
        n -= (size_t)w;
    }
}

/* Reads exactly n bytes: 0, or -1 at EOF / error / timeout. */
static int recv_all(int fd, void *p, size_t n)
{
    uint8_t *b = p;
    while (n > 0) {
        ssize_t r = recv(fd, b, n, 0);
        if (r <= 0)
            return -1;
        b += r;
        n -= (size_t)r;
    }
    return 0;
}

/* 1 when the server closed the connection (EOF, no more bytes). */
static int closed_by_server(int fd)
{
    uint8_t b[256];
    for (;;) {
        ssize_t r = recv(fd, b, sizeof b, 0);
        if (r == 0)
            return 1;
        if (r < 0)
            return errno == ECONNRESET;
    }
}

static void send_frame(int fd, const uint8_t *body, size_t len)
{
    uint8_t hdr[4];
    bn_frame_header(hdr, (uint32_t)len);
    send_all(fd, hdr, 4);
    send_all(fd, body, len);
}

static int handshake(rawc *c, const uint8_t server_pk[32])
{
    bn_hs_client hs;
    uint8_t msg1[BN_HS_MSG1_BYTES], hdr[4], msg2[BN_HS_MSG2_BYTES];

    memset(c, 0, sizeof *c);
    c->fd = raw_connect();
    c->next_id = 1;
    assert_int_equal(bn_hs_client_start(&hs, server_pk, msg1), 0);
    send_frame(c->fd, msg1, sizeof msg1);
    assert_int_equal(recv_all(c->fd, hdr, 4), 0);
    assert_int_equal(bn_get_be32(hdr), BN_HS_MSG2_BYTES);
    assert_int_equal(recv_all(c->fd, msg2, sizeof msg2), 0);
    return bn_hs_client_finish(&hs, msg2, &c->ch);
}

/* Seals the encoding of m into one frame; tamper flips a byte of it. */
static void send_msg(rawc *c, bn_msg *m, int tamper)
{
    bn_buf b;
    bn_buf_init(&b);
    if (m->id == 0)
        m->id = c->next_id++;
    assert_int_equal(bn_msg_encode(&b, m), 0);
    size_t len = b.len + BN_CHANNEL_OVERHEAD;
    uint8_t *frame = malloc(4 + len);
    bn_frame_header(frame, (uint32_t)len);
    assert_int_equal(
        bn_channel_seal(&c->ch, frame + 4, b.data, b.len, frame, 4), 0);
    if (tamper)
        frame[4 + len / 2] ^= 0x20;
    send_all(c->fd, frame, 4 + len);
    free(frame);
    bn_buf_free(&b);
}

/* Receives one message into m (free with bn_msg_free): 0 or -1. */
static int recv_msg(rawc *c, bn_msg *m)
{
    uint8_t hdr[4];
    if (recv_all(c->fd, hdr, 4) != 0)
        return -1;
    uint32_t len = bn_get_be32(hdr);
    assert_true(len >= BN_CHANNEL_OVERHEAD && len <= BN_FRAME_MAX);
    uint8_t *body = malloc(len), *plain = malloc(len);
    assert_int_equal(recv_all(c->fd, body, len), 0);
    assert_int_equal(bn_channel_open(&c->ch, plain, body, len, hdr, 4), 0);
    assert_int_equal(bn_msg_decode(m, plain, len - BN_CHANNEL_OVERHEAD), 0);
    free(body);
    free(plain);
    return 0;
}

static int rpc(rawc *c, bn_msg *m, bn_msg *rep)
{
    m->id = 0;
    send_msg(c, m, 0);
    assert_int_equal(recv_msg(c, rep), 0);
    assert_int_equal(rep->id, m->id);
    return rep->type == BN_MSG_ERROR ? (int)rep->u.error.code : 0;
}

static void login(rawc *c)
{
    bn_msg m, rep;
    assert_int_equal(handshake(c, S.code.server_pk), 0);
    bn_msg_init(&m, BN_MSG_LOGIN, 0);
    m.u.login.account_id = S.admin_id;
    assert_int_equal(bn_login_sign(m.u.login.sig, &c->ch, S.admin->sign_sk), 0);
    assert_int_equal(rpc(c, &m, &rep), 0);
    assert_int_equal(rep.type, BN_MSG_LOGGED_IN);
    bn_msg_free(&rep);
}

/* ---- setup ----------------------------------------------------------------
 */

static int setup(void **state)
{
    char code[BN_INVITE_CODE_MAX + 1];
    (void)state;
    bnd_log_set_level(BND_LOG_ERROR);
    signal(SIGPIPE, SIG_IGN); /* as binomed's main does */
    assert_int_equal(bn_crypto_init(), 0);
    strcpy(S.dir, "/tmp/bnd-net-XXXXXX");
    assert_non_null(mkdtemp(S.dir));
    strcat(S.dir, "/data");
    assert_int_equal(bnd_datadir_init(S.dir, NULL, code, sizeof code), 0);
    assert_int_equal(bn_invite_parse(&S.code, code), 0);
    pthread_mutex_init(&S.mu, NULL);
    pthread_cond_init(&S.cv, NULL);
    assert_int_equal(pthread_create(&S.thread, NULL, server_main, NULL), 0);
    pthread_mutex_lock(&S.mu);
    while (S.ready == 0)
        pthread_cond_wait(&S.cv, &S.mu);
    pthread_mutex_unlock(&S.mu);
    assert_int_equal(S.ready, 1);
    assert_true(S.port != 0);
    S.admin = bn_identity_new();
    assert_int_equal(bn_identity_generate(S.admin), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (S.ready == 1 && !S.stopped)
        bnd_server_request_stop(S.srv);
    if (S.ready == 1)
        pthread_join(S.thread, NULL);
    bn_identity_free(S.admin);
    char *slash = strrchr(S.dir, '/');
    *slash = '\0';
    bn_testfs_rmtree(S.dir);
    return 0;
}

/* ---- tests ----------------------------------------------------------------
 */

static void test_join_and_requests(void **state)
{
    (void)state;
    rawc c;
    bn_msg m, rep;

    assert_int_equal(handshake(&c, S.code.server_pk), 0);
    bn_msg_init(&m, BN_MSG_JOIN, 0);
    memcpy(m.u.join.token, S.code.token, 32);
    m.u.join.name.ptr = "Ada";
    m.u.join.name.len = 3;
    memcpy(m.u.join.sign_pk, S.admin->sign_pk, 32);
    memcpy(m.u.join.box_pk, S.admin->box_pk, 32);
    assert_int_equal(bn_login_sign(m.u.join.sig, &c.ch, S.admin->sign_sk), 0);
    assert_int_equal(rpc(&c, &m, &rep), 0);
    assert_int_equal(rep.type, BN_MSG_LOGGED_IN);
    assert_int_equal(rep.u.logged_in.account.role, BN_ROLE_ADMIN);
    S.admin_id = rep.u.logged_in.account.id;
    bn_msg_free(&rep);

    bn_msg_init(&m, BN_MSG_WHOAMI, 0);
    assert_int_equal(rpc(&c, &m, &rep), 0);
    assert_int_equal(rep.u.logged_in.account.id, S.admin_id);
    bn_msg_free(&rep);

    /* a write then a read; then pipelined writes, matched by id */
    bn_msg_init(&m, BN_MSG_PROGRAMME_CREATE, 0);
    m.u.programme_create.name.ptr = "Net";
    m.u.programme_create.name.len = 3;
    m.u.programme_create.months = 6;
    m.u.programme_create.frequency = BN_FREQ_MONTHLY;
    m.u.programme_create.format = BN_FORMAT_VIDEO;
    assert_int_equal(rpc(&c, &m, &rep), 0);
    assert_int_equal(rep.type, BN_MSG_PROGRAMME);
    bn_msg_free(&rep);
    /* more than max_inflight (4) writes at once: reading pauses, resumes */
    uint64_t ids[10];
    for (int i = 0; i < 10; i++) {
        m.id = 0;
        send_msg(&c, &m, 0);
        ids[i] = m.id;
    }
    int seen = 0;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(recv_msg(&c, &rep), 0);
        assert_int_equal(rep.type, BN_MSG_PROGRAMME);
        for (int j = 0; j < 10; j++)
            seen += rep.id == ids[j];
        bn_msg_free(&rep);
    }
    assert_int_equal(seen, 10);
    bn_msg_init(&m, BN_MSG_PROGRAMME_LIST, 0);
    assert_int_equal(rpc(&c, &m, &rep), 0);
    assert_int_equal(rep.u.programmes.items.len, 11);
    bn_msg_free(&rep);
    close(c.fd);
}

static void test_tampered_frame(void **state)
{
    (void)state;
    rawc c;
    bn_msg m;
    login(&c);
    bn_msg_init(&m, BN_MSG_WHOAMI, 0);
    send_msg(&c, &m, 1);
    assert_true(closed_by_server(c.fd));
    close(c.fd);
}

static void test_replayed_frame(void **state)
{
    (void)state;
    rawc c;
    bn_msg m, rep;
    login(&c);
    bn_channel saved = c.ch;
    bn_msg_init(&m, BN_MSG_WHOAMI, 0);
    assert_int_equal(rpc(&c, &m, &rep), 0);
    bn_msg_free(&rep);
    c.ch.tx_ctr = saved.tx_ctr; /* send counter n again */
    send_msg(&c, &m, 0);
    assert_true(closed_by_server(c.fd));
    close(c.fd);
}

static void test_wrong_server_key(void **state)
{
    (void)state;
    rawc c;
    uint8_t pk[32], sk[32];
    crypto_box_keypair(pk, sk);
    assert_int_equal(handshake(&c, pk), BN_EHANDSHAKE);
    close(c.fd);
}

static void test_request_before_login(void **state)
{
    (void)state;
    rawc c;
    bn_msg m, rep;
    assert_int_equal(handshake(&c, S.code.server_pk), 0);
    bn_msg_init(&m, BN_MSG_PROGRAMME_LIST, 0);
    assert_int_equal(rpc(&c, &m, &rep), BN_ENOTLOGGEDIN);
    bn_msg_free(&rep);
    assert_true(closed_by_server(c.fd));
    close(c.fd);
}

static void test_garbage_then_serves(void **state)
{
    (void)state;
    rawc c;
    int fd;
    static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 1, 2, 3};

    fd = raw_connect();
    send_all(fd, http, sizeof http - 1);
    assert_true(closed_by_server(fd));
    close(fd);

    fd = raw_connect();
    send_all(fd, huge, sizeof huge);
    assert_true(closed_by_server(fd));
    close(fd);

    /* a well-sized first frame that is not a handshake */
    fd = raw_connect();
    uint8_t junk[BN_HS_MSG1_BYTES];
    memset(junk, 0x42, sizeof junk);
    send_frame(fd, junk, sizeof junk);
    assert_true(closed_by_server(fd));
    close(fd);

    /* after login: a frame above BN_FRAME_MAX */
    login(&c);
    uint8_t hdr[4];
    bn_frame_header(hdr, BN_FRAME_MAX + 1);
    send_all(c.fd, hdr, 4);
    assert_true(closed_by_server(c.fd));
    close(c.fd);

    /* the server still serves a new client */
    login(&c);
    bn_msg m, rep;
    bn_msg_init(&m, BN_MSG_WHOAMI, 0);
    assert_int_equal(rpc(&c, &m, &rep), 0);
    assert_int_equal(rep.u.logged_in.account.id, S.admin_id);
    bn_msg_free(&rep);
    close(c.fd);
}

static void test_max_connections(void **state)
{
    (void)state;
    int fds[8];
    rawc c;

    /* wait until the server has let go of earlier tests' connections */
    for (int tries = 0; tries < 100; tries++) {
        usleep(10 * 1000);
        if (S.srv->net != NULL && bnd_net_conn_count(S.srv->net) == 0)
            break;
    }
    for (int i = 0; i < 8; i++)
        fds[i] = raw_connect();
    int extra = raw_connect(); /* the ninth: closed at accept */
    assert_true(closed_by_server(extra));
    close(extra);
    for (int i = 0; i < 8; i++)
        close(fds[i]);
    /* once they are gone, a client is served again */
    for (int tries = 0; tries < 100; tries++) {
        usleep(10 * 1000);
        if (bnd_net_conn_count(S.srv->net) == 0)
            break;
    }
    login(&c);
    close(c.fd);
}

/* Last: a stop with writes in flight answers them, then closes. */
static void test_stop_answers_writes(void **state)
{
    (void)state;
    rawc c;
    bn_msg m, rep;
    uint64_t ids[3];

    login(&c);
    bn_msg_init(&m, BN_MSG_INVITE_CREATE, 0);
    m.u.invite_create.role = BN_ROLE_AUDITOR;
    for (int i = 0; i < 3; i++) {
        m.id = 0;
        send_msg(&c, &m, 0);
        ids[i] = m.id;
    }
    usleep(100 * 1000); /* let the server read and queue them */
    S.stopped = 1;
    bnd_server_request_stop(S.srv);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(recv_msg(&c, &rep), 0);
        assert_int_equal(rep.type, BN_MSG_INVITE);
        assert_int_equal(rep.id, ids[i]);
        bn_msg_free(&rep);
    }
    assert_true(closed_by_server(c.fd));
    close(c.fd);
    pthread_join(S.thread, NULL);
    S.ready = 0;
    /* the store was closed cleanly: it opens again */
    bnd_store *st = NULL;
    bnd_store_opts o = {0, 0, 0, 0};
    assert_int_equal(bnd_store_open(&st, S.dir, &o), 0);
    bnd_store_close(st);
}

BN_UNIT_GROUP(srv_net);
