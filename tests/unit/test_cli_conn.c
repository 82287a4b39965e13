/*
 * test_cli_conn.c: the client connection against a scripted server in a
 * thread: the handshake pins the server key, replies are matched by id,
 * ERROR replies give their code and message, and an altered frame kills
 * the connection with BN_EAUTH.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_list.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bnc_internal.h" /* the handles' insides, for white-box checks */

enum script { ECHO_ERROR_THEN_OK, TAMPER, CLOSE_AT_ONCE };

typedef struct server {
    int lfd;
    uint16_t port;
    uint8_t pk[32], sk[32];
    enum script script;
    pthread_t thread;
} server;

static int read_all(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static int read_frame(int fd, uint8_t *buf, size_t cap, size_t *len)
{
    uint8_t hdr[4];
    if (read_all(fd, hdr, 4) != 0)
        return -1;
    *len = bn_get_be32(hdr);
    if (*len > cap)
        return -1;
    return read_all(fd, buf, *len);
}

static int send_sealed(int fd, bn_channel *ch, const bn_msg *m, int tamper)
{
    bn_buf pt = {0};
    uint8_t frame[4096];
    if (bn_msg_encode(&pt, m) != 0)
        return -1;
    size_t body = pt.len + BN_CHANNEL_OVERHEAD;
    bn_frame_header(frame, (uint32_t)body);
    bn_channel_seal(ch, frame + 4, pt.data, pt.len, frame, 4);
    bn_buf_free(&pt);
    if (tamper)
        frame[4 + body / 2] ^= 1;
    return write(fd, frame, 4 + body) == (ssize_t)(4 + body) ? 0 : -1;
}

static int recv_sealed(int fd, bn_channel *ch, bn_msg *m)
{
    uint8_t buf[4096], pt[4096], hdr[4];
    size_t len;
    if (read_frame(fd, buf, sizeof buf, &len) != 0 || len < 16)
        return -1;
    bn_frame_header(hdr, (uint32_t)len);
    if (bn_channel_open(ch, pt, buf, len, hdr, 4) != 0)
        return -1;
    return bn_msg_decode(m, pt, len - 16);
}

static void *serve(void *arg)
{
    server *s = arg;
    uint8_t buf[256], frame[4 + BN_HS_MSG2_BYTES];
    bn_channel ch;
    bn_msg req = {0}, rep;
    size_t len;
    int fd = accept(s->lfd, NULL, NULL);

    if (fd < 0)
        return NULL;
    if (s->script == CLOSE_AT_ONCE) /* a server at its connection limit */
        goto out;
    if (read_frame(fd, buf, sizeof buf, &len) != 0 || len != BN_HS_MSG1_BYTES ||
        bn_hs_server_respond(s->sk, s->pk, buf, frame + 4, &ch) != 0)
        goto out;
    bn_frame_header(frame, BN_HS_MSG2_BYTES);
    if (write(fd, frame, sizeof frame) != (ssize_t)sizeof frame)
        goto out;
    if (recv_sealed(fd, &ch, &req) != 0)
        goto out;
    if (s->script == TAMPER) {
        bn_msg_init(&rep, BN_MSG_OK, req.id);
        send_sealed(fd, &ch, &rep, 1);
        goto out;
    }
    bn_msg_init(&rep, BN_MSG_ERROR, req.id);
    rep.u.error.code = BN_EDENIED;
    rep.u.error.message = (bn_str){"not for you", 11};
    send_sealed(fd, &ch, &rep, 0);
    bn_msg_free(&req);
    if (recv_sealed(fd, &ch, &req) != 0)
        goto out;
    bn_msg_init(&rep, BN_MSG_OK, req.id);
    rep.u.ok.value = 77;
    send_sealed(fd, &ch, &rep, 0);
    /* Wait for the client to hang up. */
    (void)read(fd, buf, 1);
out:
    bn_msg_free(&req);
    close(fd);
    return NULL;
}

static void start(server *s, enum script script)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof a;

    crypto_box_keypair(s->pk, s->sk);
    s->script = script;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->lfd >= 0);
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->lfd, 1), 0);
    assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &alen), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void stop(server *s)
{
    pthread_join(s->thread, NULL);
    close(s->lfd);
}

static void test_call_and_error(void **state)
{
    server s;
    bnc_conn *c = NULL;
    bn_msg req, rep;
    (void)state;

    start(&s, ECHO_ERROR_THEN_OK);
    assert_int_equal(bnc_conn_open(&c, "127.0.0.1", s.port, s.pk, 5000), 0);
    bn_msg_init(&req, BN_MSG_WHOAMI, 0);
    assert_int_equal(bnc_call(c, &req, &rep), BN_EDENIED);
    assert_string_equal(bnc_last_error(c), "not for you");
    bn_msg_free(&rep);
    assert_int_equal(bnc_call(c, &req, &rep), 0);
    assert_int_equal(rep.type, BN_MSG_OK);
    assert_int_equal(rep.u.ok.value, 77);
    assert_string_equal(bnc_last_error(c), "");
    bn_msg_free(&rep);
    bnc_conn_close(c);
    stop(&s);
}

static void test_wrong_server_key(void **state)
{
    server s;
    bnc_conn *c = NULL;
    uint8_t other[32], other_sk[32];
    (void)state;

    start(&s, ECHO_ERROR_THEN_OK);
    crypto_box_keypair(other, other_sk);
    assert_int_equal(bnc_conn_open(&c, "127.0.0.1", s.port, other, 5000),
                     BN_EHANDSHAKE);
    assert_null(c);
    stop(&s);
}

/* A server that closes before msg2 (full, or going down) is not reported
 * as a server with another key. */
static void test_closed_before_handshake(void **state)
{
    server s;
    bnc_conn *c = NULL;
    (void)state;

    start(&s, CLOSE_AT_ONCE);
    assert_int_equal(bnc_conn_open(&c, "127.0.0.1", s.port, s.pk, 5000),
                     BN_ECLOSED);
    assert_null(c);
    stop(&s);
}

static void test_altered_frame(void **state)
{
    server s;
    bnc_conn *c = NULL;
    bn_msg req, rep;
    (void)state;

    start(&s, TAMPER);
    assert_int_equal(bnc_conn_open(&c, "127.0.0.1", s.port, s.pk, 5000), 0);
    bn_msg_init(&req, BN_MSG_WHOAMI, 0);
    assert_int_equal(bnc_call(c, &req, &rep), BN_EAUTH);
    bn_msg_free(&rep);
    /* The connection is dead afterwards. */
    assert_int_equal(bnc_call(c, &req, &rep), BN_ECLOSED);
    bn_msg_free(&rep);
    bnc_conn_close(c);
    stop(&s);
}

static void test_nobody_listening(void **state)
{
    server s;
    bnc_conn *c = NULL;
    uint16_t port;
    (void)state;

    /* A port that was just free: bind, note, close. */
    start(&s, TAMPER);
    port = s.port;
    shutdown(s.lfd, SHUT_RDWR);
    pthread_join(s.thread, NULL);
    close(s.lfd);
    assert_int_equal(bnc_conn_open(&c, "127.0.0.1", port, s.pk, 2000),
                     BN_ECONNECT);
    assert_null(c);
}

BN_UNIT_GROUP(cli_conn);
