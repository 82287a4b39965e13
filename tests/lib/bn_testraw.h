/*
 * bn_testraw.h: a raw client of binomed for tests that speak the protocol
 * themselves (frames, handshake, sealed messages), below libbinome: to
 * send what the library never would (a tampered frame, a request before
 * login, many requests without waiting) and to see exactly what comes
 * back. Functions return 0 or -1 (or the code named); the tests assert.
 */
#ifndef BN_TESTRAW_H
#define BN_TESTRAW_H

#include <stddef.h>
#include <stdint.h>

#include "bn_crypto.h"
#include "bn_proto.h"

typedef struct bn_rawc {
    int fd;
    bn_channel ch;
    uint64_t next_id;
} bn_rawc;

/* bn_raw_connect opens a TCP connection to 127.0.0.1:port whose reads
 * time out after timeout_s seconds: the socket, or -1. */
int bn_raw_connect(uint16_t port, int timeout_s);

/* bn_raw_send_all writes n bytes (stops quietly when the server closed:
 * the test reads next); bn_raw_recv_all reads exactly n: 0, or -1 at EOF,
 * error or timeout. */
void bn_raw_send_all(int fd, const void *p, size_t n);
int bn_raw_recv_all(int fd, void *p, size_t n);

/* bn_raw_send_frame writes body behind its 4-byte length header. */
void bn_raw_send_frame(int fd, const uint8_t *body, size_t len);

/* bn_raw_closed_by_server reads until the server closes c: 1 at EOF or
 * reset, 0 on another error (a timeout). */
int bn_raw_closed_by_server(int fd);

/* bn_raw_handshake connects c to port and runs the handshake against
 * server_pk: 0, -1 when the connection or the exchange of frames failed,
 * or bn_hs_client_finish's code. */
int bn_raw_handshake(bn_rawc *c, uint16_t port, const uint8_t server_pk[32],
                     int timeout_s);

/* bn_raw_send seals the encoding of m (its id set from c when 0) into one
 * frame; tamper flips a byte of the ciphertext. 0 or -1. */
int bn_raw_send(bn_rawc *c, bn_msg *m, int tamper);

/* bn_raw_recv receives one message into m (free with bn_msg_free): 0, or
 * -1 at EOF or timeout or for a frame that does not open or decode. */
int bn_raw_recv(bn_rawc *c, bn_msg *m);

/* bn_raw_rpc sends m with a fresh id and receives the reply to it into
 * rep: 0, the ERROR's code, or -1 (nothing, or a reply to another id). */
int bn_raw_rpc(bn_rawc *c, bn_msg *m, bn_msg *rep);

#endif
