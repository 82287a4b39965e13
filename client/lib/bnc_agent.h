/*
 * bnc_agent.h: the agent's request and answer (bnc_agent.c), shown to the
 * unit tests; binome.h has the functions programs use.
 *
 * The agent listens on agent.sock in the profile directory. A request is
 * one byte (GET, LOCK or STATUS); the answer is a header of six bytes,
 * the version (1), the request it answers and the length of what follows
 * (big-endian, 32 bits), then that many bytes:
 *   GET     the identity: sizeof(bn_identity) bytes, as bn_identity holds
 *           them; a client whose bn_identity has another size refuses it
 *           (BN_EVERSION), never reads past it;
 *   LOCK    nothing: the agent forgot the keys and is exiting;
 *   STATUS  the time it forgets the keys (Unix seconds, 64 bits) and its
 *           process id (32 bits), both big-endian.
 * An unknown request, or a peer of another user, is closed unanswered.
 * These numbers leave the process: never renumber them.
 */
#ifndef BNC_AGENT_H
#define BNC_AGENT_H

#include "bn_crypto.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BNC__AGENT_VERSION 1
#define BNC__AGENT_HEAD 6          /* version, request, length */
#define BNC__AGENT_STATUS_BYTES 12 /* forget_at, pid */
#define BNC__AGENT_SOCK "agent.sock"

enum bnc__agent_req {
    BNC__AGENT_GET = 1,
    BNC__AGENT_LOCK = 2,
    BNC__AGENT_STATUS = 3,
};

/* bnc__agent_answer_bytes: how many bytes follow the header of the answer
 * to req (GET: sizeof(bn_identity)); SIZE_MAX for an unknown request. */
size_t bnc__agent_answer_bytes(uint8_t req);

/* bnc__agent_head writes the header of the answer to req with len bytes
 * after it. */
void bnc__agent_head(uint8_t head[BNC__AGENT_HEAD], uint8_t req, uint32_t len);

/*
 * bnc__agent_check checks a received header against the request sent: 0
 * when it is version 1, answers req and announces exactly
 * bnc__agent_answer_bytes(req); BN_EVERSION for another version or
 * another size (another release's agent), BN_EPROTO otherwise.
 */
int bnc__agent_check(const uint8_t head[BNC__AGENT_HEAD], uint8_t req);

/* bnc__agent_status_put / _get: the STATUS payload. */
void bnc__agent_status_put(uint8_t out[BNC__AGENT_STATUS_BYTES],
                           int64_t forget_at, uint32_t pid);
void bnc__agent_status_get(const uint8_t in[BNC__AGENT_STATUS_BYTES],
                           int64_t *forget_at, uint32_t *pid);

/* bnc__agent_peer_ok says whether the peer of the unix socket fd runs as
 * uid (SO_PEERCRED); 0 when it does not or cannot be told. */
int bnc__agent_peer_ok(int fd, uid_t uid);

/*
 * bnc__agent_reply answers request req on fd (GET with id's bytes, built
 * and wiped in locked memory; STATUS with forget_at and this process's
 * id): 0, BN_EINVAL for an unknown request (nothing is sent), or -errno.
 */
int bnc__agent_reply(int fd, uint8_t req, const bn_identity *id,
                     int64_t forget_at);

/*
 * bnc__agent_request sends req on fd and reads the answer's payload into
 * out (size bytes, bnc__agent_answer_bytes(req)): 0, BN_EVERSION,
 * BN_EPROTO (a short or malformed answer), BN_ETIMEDOUT, BN_ECLOSED (the
 * agent closed without answering: it refused us) or -errno. out is wiped
 * on failure.
 */
int bnc__agent_request(int fd, uint8_t req, uint8_t *out, size_t size);

#endif
