/*
 * bnc_conn.c: one connection to binomed. Blocking semantics over a
 * non-blocking socket so that every step (connect, read, write) has a
 * poll() timeout; framing with bn_frame_reader; the handshake; then every
 * message sealed with bn_channel_seal, the length prefix as associated
 * data (DESIGN.md, "A connection").
 */
#include "binome.h"
#include "bnc_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct bnc_conn {
    int fd;
    int timeout_ms;
    int dead;
    uint64_t next_id;
    bn_channel ch;
    bn_frame_reader rd;
    char errmsg[BN_ERRMSG_MAX + 1];
};

/* wait_fd polls fd for events within the connection's timeout. */
static int wait_fd(const bnc_conn *c, short events)
{
    struct pollfd pfd = {.fd = c->fd, .events = events};
    int n;

    do {
        n = poll(&pfd, 1, c->timeout_ms);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    if (n == 0)
        return BN_ETIMEDOUT;
    return 0;
}

/* send_all writes len bytes or fails (BN_ECLOSED, BN_ETIMEDOUT, -errno). */
static int send_all(bnc_conn *c, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                int rc = wait_fd(c, POLLOUT);
                if (rc != 0)
                    return rc;
                continue;
            }
            return (errno == EPIPE || errno == ECONNRESET) ? BN_ECLOSED
                                                           : -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * read_frame returns the next whole frame body (valid until the next
 * read_frame). BN_ECLOSED when the server hung up, BN_ETOOBIG, BN_ETIMEDOUT.
 */
static int read_frame(bnc_conn *c, const uint8_t **body, size_t *len)
{
    uint8_t buf[16384];

    for (;;) {
        int rc = bn_frame_reader_next(&c->rd, body, len);
        if (rc != BN_EAGAIN)
            return rc;
        rc = wait_fd(c, POLLIN);
        if (rc != 0)
            return rc;
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            return errno == ECONNRESET ? BN_ECLOSED : -errno;
        }
        if (n == 0)
            return BN_ECLOSED;
        rc = bn_frame_reader_feed(&c->rd, buf, (size_t)n);
        if (rc != 0)
            return rc;
    }
}

/* tcp_connect tries every address of host:port, each within the timeout. */
static int tcp_connect(bnc_conn *c, const char *host, uint16_t port)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    char portstr[8];
    int rc = BN_ECONNECT;

    snprintf(portstr, sizeof portstr, "%u", (unsigned)port);
    if (getaddrinfo(host, portstr, &hints, &res) != 0)
        return BN_ECONNECT;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family,
                        ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        c->fd = fd;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            int err = 0;
            socklen_t elen = sizeof err;
            if (errno != EINPROGRESS || (rc = wait_fd(c, POLLOUT)) != 0 ||
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 ||
                err != 0) {
                if (rc != BN_ETIMEDOUT)
                    rc = BN_ECONNECT;
                close(fd);
                c->fd = -1;
                continue;
            }
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        rc = 0;
        break;
    }
    freeaddrinfo(res);
    return rc;
}

/* handshake sends msg1 and finishes with the server's msg2. */
static int handshake(bnc_conn *c, const uint8_t server_pk[32])
{
    bn_hs_client hs;
    uint8_t frame[BN_FRAME_HDR + BN_HS_MSG1_BYTES];
    const uint8_t *body;
    size_t len;
    int rc;

    rc = bn_hs_client_start(&hs, server_pk, frame + BN_FRAME_HDR);
    if (rc != 0)
        goto cleanup;
    bn_frame_header(frame, BN_HS_MSG1_BYTES);
    rc = send_all(c, frame, sizeof frame);
    if (rc != 0)
        goto cleanup;
    rc = read_frame(c, &body, &len);
    /* A close before msg2 is not a key mismatch (the server answers msg2
     * whatever key we pinned): it is a server at its connection limit, or
     * going down. Only a msg2 that fails to verify is BN_EHANDSHAKE. */
    if (rc == BN_ETOOBIG) {
        rc = BN_EPROTO;
        goto cleanup;
    }
    if (rc != 0)
        goto cleanup;
    if (len != BN_HS_MSG2_BYTES ||
        bn_hs_client_finish(&hs, body, &c->ch) != 0) {
        rc = BN_EHANDSHAKE;
        goto cleanup;
    }
    bn_frame_reader_set_limit(&c->rd, BN_FRAME_MAX);
cleanup:
    sodium_memzero(&hs, sizeof hs);
    return rc;
}

int bnc_conn_open(bnc_conn **out, const char *host, uint16_t port,
                  const uint8_t server_pk[32], int timeout_ms)
{
    bnc_conn *c;
    int rc;

    *out = NULL;
    /* The channel keys live in the structure: guarded, locked memory. */
    c = sodium_malloc(sizeof *c);
    if (c == NULL)
        return BN_ENOMEM;
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : BNC_TIMEOUT_MS;
    bn_frame_reader_init(&c->rd, BN_FRAME_MAX_PRELOGIN);
    rc = tcp_connect(c, host, port);
    if (rc == 0)
        rc = handshake(c, server_pk);
    if (rc != 0) {
        bnc_conn_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

void bnc_conn_close(bnc_conn *c)
{
    if (c == NULL)
        return;
    if (c->fd >= 0)
        close(c->fd);
    bn_frame_reader_free(&c->rd);
    bn_channel_wipe(&c->ch);
    sodium_memzero(c, sizeof *c);
    sodium_free(c);
}

const bn_channel *bnc_conn_channel(const bnc_conn *c)
{
    return &c->ch;
}

const char *bnc_last_error(const bnc_conn *c)
{
    return c != NULL ? c->errmsg : "";
}

/* send_msg encodes, seals and sends one message. */
static int send_msg(bnc_conn *c, const bn_msg *m)
{
    bn_buf pt = {0};
    uint8_t *frame = NULL;
    size_t body;
    int rc;

    rc = bn_msg_encode(&pt, m);
    if (rc != 0)
        goto cleanup;
    body = pt.len + BN_CHANNEL_OVERHEAD;
    if (body > BN_FRAME_MAX) {
        rc = BN_ETOOBIG;
        goto cleanup;
    }
    frame = malloc(BN_FRAME_HDR + body);
    if (frame == NULL) {
        rc = BN_ENOMEM;
        goto cleanup;
    }
    bn_frame_header(frame, (uint32_t)body);
    rc = bn_channel_seal(&c->ch, frame + BN_FRAME_HDR, pt.data, pt.len, frame,
                         BN_FRAME_HDR);
    if (rc == 0)
        rc = send_all(c, frame, BN_FRAME_HDR + body);
cleanup:
    free(frame);
    bn_buf_wipe(&pt);
    return rc;
}

/* recv_msg reads, opens and decodes one message (BN_EAUTH if it does not
 * open: the connection is then dead). */
static int recv_msg(bnc_conn *c, bn_msg *m)
{
    const uint8_t *body;
    uint8_t hdr[BN_FRAME_HDR];
    uint8_t *pt = NULL;
    size_t len;
    int rc;

    rc = read_frame(c, &body, &len);
    if (rc != 0)
        return rc;
    if (len < BN_CHANNEL_OVERHEAD)
        return BN_EAUTH;
    pt = malloc(len - BN_CHANNEL_OVERHEAD + 1);
    if (pt == NULL)
        return BN_ENOMEM;
    bn_frame_header(hdr, (uint32_t)len);
    rc = bn_channel_open(&c->ch, pt, body, len, hdr, sizeof hdr);
    if (rc != 0)
        rc = BN_EAUTH;
    else
        rc = bn_msg_decode(m, pt, len - BN_CHANNEL_OVERHEAD);
    sodium_memzero(pt, len - BN_CHANNEL_OVERHEAD);
    free(pt);
    return rc;
}

/* error_code turns an ERROR reply's code into one we pass on. */
static int error_code(int64_t code)
{
    if (code < 0 && code > -4096)
        return (int)code;
    if (code < 0 && bn_err_is_bn((int)code))
        return (int)code;
    return BN_EPROTO;
}

int bnc_call(bnc_conn *c, const bn_msg *req, bn_msg *reply)
{
    bn_msg m = *req;
    int rc;

    memset(reply, 0, sizeof *reply);
    if (c == NULL)
        return BN_ECLOSED; /* a reconnection that failed */
    c->errmsg[0] = '\0';
    if (c->dead)
        return BN_ECLOSED;
    m.id = ++c->next_id;
    rc = send_msg(c, &m);
    if (rc != 0)
        goto dead;
    rc = recv_msg(c, reply);
    if (rc != 0)
        goto dead;
    if (reply->type == BN_MSG_ERROR) {
        bnc__copy_str(c->errmsg, sizeof c->errmsg, reply->u.error.message);
        rc = error_code(reply->u.error.code);
        /* An error not tied to our request ends the connection. */
        if (reply->id != m.id)
            c->dead = 1;
        return rc;
    }
    if (reply->id != m.id) {
        rc = BN_EPROTO;
        goto dead;
    }
    return 0;
dead:
    c->dead = 1;
    return rc;
}

int bnc_send(bnc_conn *c, const bn_msg *req, uint64_t *id)
{
    bn_msg m = *req;
    int rc;

    if (c == NULL)
        return BN_ECLOSED;
    c->errmsg[0] = '\0';
    if (c->dead)
        return BN_ECLOSED;
    m.id = ++c->next_id;
    rc = send_msg(c, &m);
    if (rc != 0) {
        c->dead = 1;
        return rc;
    }
    *id = m.id;
    return 0;
}

int bnc_recv(bnc_conn *c, bn_msg *reply)
{
    int rc;

    memset(reply, 0, sizeof *reply);
    if (c == NULL || c->dead)
        return BN_ECLOSED;
    rc = recv_msg(c, reply);
    if (rc != 0) {
        c->dead = 1;
        return rc;
    }
    /* A reply must answer a request we sent. */
    if (reply->id == 0 || reply->id > c->next_id) {
        if (reply->type == BN_MSG_ERROR) {
            bnc__copy_str(c->errmsg, sizeof c->errmsg, reply->u.error.message);
            rc = error_code(reply->u.error.code);
        } else {
            rc = BN_EPROTO;
        }
        c->dead = 1;
        return rc;
    }
    if (reply->type == BN_MSG_ERROR) {
        bnc__copy_str(c->errmsg, sizeof c->errmsg, reply->u.error.message);
        return error_code(reply->u.error.code);
    }
    return 0;
}
