/*
 * bnd_session.h: a session: who is asking on one connection (or on a
 * test's stand-in for one), how its replies leave, and how its owner
 * learns of a login. Bottom floor: it knows nothing of the store, the
 * handlers or the network; the network layer owns a session per
 * connection and the dispatcher fills it.
 *
 * Threads: the loop thread only.
 */
#ifndef BND_SESSION_H
#define BND_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "bn_crypto.h"

typedef struct bnd_session bnd_session;

#define BND_REPLY_CLOSE 1u /* close the connection after this reply */

/*
 * bnd_reply_fn receives one reply: msg is the plaintext message
 * (bn_msg_encode), valid only during the call.
 */
typedef void (*bnd_reply_fn)(bnd_session *s, const uint8_t *msg, size_t len,
                             unsigned flags);
typedef void (*bnd_release_fn)(bnd_session *s);

/*
 * bnd_login_fn tells the session's owner that s has just logged in
 * (s->actor is set), before the reply that says so is sent: the network
 * layer lifts its pre-login limits there. The dispatcher calls it.
 */
typedef void (*bnd_login_fn)(bnd_session *s);

/* Who is asking: set at login. */
typedef struct bnd_actor {
    uint64_t account_id;
    uint64_t programme_id;
    uint8_t role;    /* enum bn_role; 0 before login */
    uint32_t device; /* the device that logged in (0: the identity key) */
} bnd_actor;

struct bnd_session {
    uint64_t conn_id;
    bnd_actor actor;
    int logged_in;
    int auth_pending;     /* a JOIN is being written: hold further frames */
    int closed;           /* the connection is gone: replies are dropped */
    unsigned inflight;    /* requests queued (writes, requests served off
                             the loop), not yet answered */
    unsigned refs;        /* the owner's reference + one per queued one */
    const bn_channel *ch; /* the channel whose transcript login signs */
    uint8_t sign_pk[32];  /* the account's key, for log pre-checks */
    int have_sign_pk;     /* sign_pk is loaded (loop thread) */
    void *pre_head;       /* writes whose log entry is being checked, */
    void *pre_tail;       /* in arrival order (bnd_dispatch.c) */
    void *defer_head;     /* requests served off the loop, in arrival */
    void *defer_tail;     /* order: their replies leave in it */
    bnd_reply_fn reply;
    bnd_release_fn release; /* called when refs drops to 0; may be NULL */
    bnd_login_fn on_login;  /* may be NULL; the owner sets it */
    void *user;
};

/*
 * bnd_session_init prepares s with one reference (the owner's). ch must
 * stay valid while s lives. The owner marks s->closed and drops its
 * reference when the connection goes; the session is released when the
 * last queued request has completed. on_login is NULL: an owner that
 * wants to learn of the login sets it after this call.
 */
void bnd_session_init(bnd_session *s, uint64_t conn_id, const bn_channel *ch,
                      bnd_reply_fn reply, bnd_release_fn release, void *user);
void bnd_session_ref(bnd_session *s);
void bnd_session_unref(bnd_session *s);

#endif
