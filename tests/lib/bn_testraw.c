/* bn_testraw.c: the raw protocol client of bn_testraw.h. */
#include "bn_testraw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bn_util.h"

int bn_raw_connect(uint16_t port, int timeout_s)
{
    struct sockaddr_in a;
    struct timeval tv = {timeout_s, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

void bn_raw_send_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        b += w;
        n -= (size_t)w;
    }
}

int bn_raw_recv_all(int fd, void *p, size_t n)
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

void bn_raw_send_frame(int fd, const uint8_t *body, size_t len)
{
    uint8_t hdr[4];
    bn_frame_header(hdr, (uint32_t)len);
    bn_raw_send_all(fd, hdr, 4);
    bn_raw_send_all(fd, body, len);
}

int bn_raw_closed_by_server(int fd)
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

int bn_raw_handshake(bn_rawc *c, uint16_t port, const uint8_t server_pk[32],
                     int timeout_s)
{
    bn_hs_client hs;
    uint8_t msg1[BN_HS_MSG1_BYTES], hdr[4], msg2[BN_HS_MSG2_BYTES];

    memset(c, 0, sizeof *c);
    c->next_id = 1;
    c->fd = bn_raw_connect(port, timeout_s);
    if (c->fd < 0 || bn_hs_client_start(&hs, server_pk, msg1) != 0)
        return -1;
    bn_raw_send_frame(c->fd, msg1, sizeof msg1);
    if (bn_raw_recv_all(c->fd, hdr, 4) != 0 ||
        bn_get_be32(hdr) != BN_HS_MSG2_BYTES ||
        bn_raw_recv_all(c->fd, msg2, sizeof msg2) != 0)
        return -1;
    return bn_hs_client_finish(&hs, msg2, &c->ch);
}

int bn_raw_send(bn_rawc *c, bn_msg *m, int tamper)
{
    bn_buf b;
    uint8_t *frame = NULL;
    size_t len;
    int rc = -1;

    bn_buf_init(&b);
    if (m->id == 0)
        m->id = c->next_id++;
    if (bn_msg_encode(&b, m) != 0)
        goto cleanup;
    len = b.len + BN_CHANNEL_OVERHEAD;
    frame = malloc(4 + len);
    if (frame == NULL)
        goto cleanup;
    bn_frame_header(frame, (uint32_t)len);
    if (bn_channel_seal(&c->ch, frame + 4, b.data, b.len, frame, 4) != 0)
        goto cleanup;
    if (tamper)
        frame[4 + len / 2] ^= 0x20;
    bn_raw_send_all(c->fd, frame, 4 + len);
    rc = 0;
cleanup:
    free(frame);
    bn_buf_free(&b);
    return rc;
}

int bn_raw_recv(bn_rawc *c, bn_msg *m)
{
    uint8_t hdr[4], *body = NULL, *plain = NULL;
    uint32_t len;
    int rc = -1;

    if (bn_raw_recv_all(c->fd, hdr, 4) != 0)
        return -1;
    len = bn_get_be32(hdr);
    if (len < BN_CHANNEL_OVERHEAD || len > BN_FRAME_MAX)
        return -1;
    body = malloc(len);
    plain = malloc(len);
    if (body == NULL || plain == NULL ||
        bn_raw_recv_all(c->fd, body, len) != 0 ||
        bn_channel_open(&c->ch, plain, body, len, hdr, 4) != 0 ||
        bn_msg_decode(m, plain, len - BN_CHANNEL_OVERHEAD) != 0)
        goto cleanup;
    rc = 0;
cleanup:
    free(body);
    free(plain);
    return rc;
}

int bn_raw_rpc(bn_rawc *c, bn_msg *m, bn_msg *rep)
{
    m->id = 0;
    if (bn_raw_send(c, m, 0) != 0 || bn_raw_recv(c, rep) != 0)
        return -1;
    if (rep->id != m->id) {
        bn_msg_free(rep);
        return -1;
    }
    return rep->type == BN_MSG_ERROR ? (int)rep->u.error.code : 0;
}
