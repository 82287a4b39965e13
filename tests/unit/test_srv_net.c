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
#include "../lib/bn_testraw.h"

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

static int raw_connect(void)
{
    int fd = bn_raw_connect(S.port, 5);
    assert_true(fd >= 0);
    return fd;
}

static void login(bn_rawc *c)
{
    bn_msg m, rep;
    assert_int_equal(bn_raw_handshake(c, S.port, S.code.server_pk, 5), 0);
    bn_msg_init(&m, BN_MSG_LOGIN, 0);
    m.u.login.account_id = S.admin_id;
    assert_int_equal(bn_login_sign(m.u.login.sig, &c->ch, S.admin->sign_sk), 0);
    assert_int_equal(bn_raw_rpc(c, &m, &rep), 0);
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
    bn_rawc c;
    bn_msg m, rep;

    assert_int_equal(bn_raw_handshake(&c, S.port, S.code.server_pk, 5), 0);
    bn_msg_init(&m, BN_MSG_JOIN, 0);
    memcpy(m.u.join.token, S.code.token, 32);
    m.u.join.name.ptr = "Ada";
    m.u.join.name.len = 3;
    memcpy(m.u.join.sign_pk, S.admin->sign_pk, 32);
    memcpy(m.u.join.box_pk, S.admin->box_pk, 32);
    assert_int_equal(bn_login_sign(m.u.join.sig, &c.ch, S.admin->sign_sk), 0);
    assert_int_equal(bn_raw_rpc(&c, &m, &rep), 0);
    assert_int_equal(rep.type, BN_MSG_LOGGED_IN);
    assert_int_equal(rep.u.logged_in.account.role, BN_ROLE_ADMIN);
    S.admin_id = rep.u.logged_in.account.id;
    bn_msg_free(&rep);

    bn_msg_init(&m, BN_MSG_WHOAMI, 0);
    assert_int_equal(bn_raw_rpc(&c, &m, &rep), 0);
    assert_int_equal(rep.u.logged_in.account.id, S.admin_id);
    bn_msg_free(&rep);

    /* a write then a read; then pipelined writes, matched by id */
    bn_msg_init(&m, BN_MSG_PROGRAMME_CREATE, 0);
    m.u.programme_create.name.ptr = "Net";
    m.u.programme_create.name.len = 3;
    m.u.programme_create.months = 6;
    m.u.programme_create.frequency = BN_FREQ_MONTHLY;
    m.u.programme_create.format = BN_FORMAT_VIDEO;
    assert_int_equal(bn_raw_rpc(&c, &m, &rep), 0);
    assert_int_equal(rep.type, BN_MSG_PROGRAMME);
    bn_msg_free(&rep);
    /* more than max_inflight (4) writes at once: reading pauses, resumes */
    uint64_t ids[10];
    for (int i = 0; i < 10; i++) {
        m.id = 0;
        assert_int_equal(bn_raw_send(&c, &m, 0), 0);
        ids[i] = m.id;
    }
    int seen = 0;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(bn_raw_recv(&c, &rep), 0);
        assert_int_equal(rep.type, BN_MSG_PROGRAMME);
        for (int j = 0; j < 10; j++)
            seen += rep.id == ids[j];
        bn_msg_free(&rep);
    }
    assert_int_equal(seen, 10);
    bn_msg_init(&m, BN_MSG_PROGRAMME_LIST, 0);
    assert_int_equal(bn_raw_rpc(&c, &m, &rep), 0);
    assert_int_equal(rep.u.programmes.items.len, 11);
    bn_msg_free(&rep);
    close(c.fd);
}

static void test_tampered_frame(void **state)
{
    (void)state;
    bn_rawc c;
    bn_msg m;
    login(&c);
    bn_msg_init(&m, BN_MSG_WHOAMI, 0);
    assert_int_equal(bn_raw_send(&c, &m, 1), 0);
    assert_true(bn_raw_closed_by_server(c.fd));
    close(c.fd);
}

static void test_replayed_frame(void **state)
{
    (void)state;
    bn_rawc c;
    bn_msg m, rep;
    login(&c);
    bn_channel saved = c.ch;
    bn_msg_init(&m, BN_MSG_WHOAMI, 0);
    assert_int_equal(bn_raw_rpc(&c, &m, &rep), 0);
    bn_msg_free(&rep);
    c.ch.tx_ctr = saved.tx_ctr; /* send counter n again */
    assert_int_equal(bn_raw_send(&c, &m, 0), 0);
    assert_true(bn_raw_closed_by_server(c.fd));
    close(c.fd);
}

static void test_wrong_server_key(void **state)
{
    (void)state;
    bn_rawc c;
    uint8_t pk[32], sk[32];
    crypto_box_keypair(pk, sk);
    assert_int_equal(bn_raw_handshake(&c, S.port, pk, 5), BN_EHANDSHAKE);
    close(c.fd);
}

static void test_request_before_login(void **state)
{
    (void)state;
    bn_rawc c;
    bn_msg m, rep;
    assert_int_equal(bn_raw_handshake(&c, S.port, S.code.server_pk, 5), 0);
    bn_msg_init(&m, BN_MSG_PROGRAMME_LIST, 0);
    assert_int_equal(bn_raw_rpc(&c, &m, &rep), BN_ENOTLOGGEDIN);
    bn_msg_free(&rep);
    assert_true(bn_raw_closed_by_server(c.fd));
    close(c.fd);
}

static void test_garbage_then_serves(void **state)
{
    (void)state;
    bn_rawc c;
    int fd;
    static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 1, 2, 3};

    fd = raw_connect();
    bn_raw_send_all(fd, http, sizeof http - 1);
    assert_true(bn_raw_closed_by_server(fd));
    close(fd);

    fd = raw_connect();
    bn_raw_send_all(fd, huge, sizeof huge);
    assert_true(bn_raw_closed_by_server(fd));
    close(fd);

    /* a well-sized first frame that is not a handshake */
    fd = raw_connect();
    uint8_t junk[BN_HS_MSG1_BYTES];
    memset(junk, 0x42, sizeof junk);
    bn_raw_send_frame(fd, junk, sizeof junk);
    assert_true(bn_raw_closed_by_server(fd));
    close(fd);

    /* after login: a frame above BN_FRAME_MAX */
    login(&c);
    uint8_t hdr[4];
    bn_frame_header(hdr, BN_FRAME_MAX + 1);
    bn_raw_send_all(c.fd, hdr, 4);
    assert_true(bn_raw_closed_by_server(c.fd));
    close(c.fd);

    /* the server still serves a new client */
    login(&c);
    bn_msg m, rep;
    bn_msg_init(&m, BN_MSG_WHOAMI, 0);
    assert_int_equal(bn_raw_rpc(&c, &m, &rep), 0);
    assert_int_equal(rep.u.logged_in.account.id, S.admin_id);
    bn_msg_free(&rep);
    close(c.fd);
}

static void test_max_connections(void **state)
{
    (void)state;
    int fds[8];
    bn_rawc c;

    /* wait until the server has let go of earlier tests' connections */
    for (int tries = 0; tries < 100; tries++) {
        usleep(10 * 1000);
        if (S.srv->net != NULL && bnd_net_conn_count(S.srv->net) == 0)
            break;
    }
    for (int i = 0; i < 8; i++)
        fds[i] = raw_connect();
    int extra = raw_connect(); /* the ninth: closed at accept */
    assert_true(bn_raw_closed_by_server(extra));
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
    bn_rawc c;
    bn_msg m, rep;
    uint64_t ids[3];

    login(&c);
    bn_msg_init(&m, BN_MSG_INVITE_CREATE, 0);
    m.u.invite_create.role = BN_ROLE_AUDITOR;
    for (int i = 0; i < 3; i++) {
        m.id = 0;
        assert_int_equal(bn_raw_send(&c, &m, 0), 0);
        ids[i] = m.id;
    }
    usleep(100 * 1000); /* let the server read and queue them */
    S.stopped = 1;
    bnd_server_request_stop(S.srv);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(bn_raw_recv(&c, &rep), 0);
        assert_int_equal(rep.type, BN_MSG_INVITE);
        assert_int_equal(rep.id, ids[i]);
        bn_msg_free(&rep);
    }
    assert_true(bn_raw_closed_by_server(c.fd));
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
