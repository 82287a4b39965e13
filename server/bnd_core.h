/*
 * bnd_core.h: the server's state, struct bnd_server, that every floor
 * above the bottom one reads: its configuration, keys, store, writer,
 * the loop and the hooks by which a lower floor reaches a higher one
 * without naming it (the login check of the network layer, the wait of
 * the shutdown for requests served off the loop). Types only: the
 * functions on a server belong to the floor that owns each part
 * (bnd_server.h opens and stops it; bnd_dispatch.h serves requests).
 *
 * Threads: everything here is the loop thread's, except cfg, keys and
 * store, which a request served off the loop reads (never writes).
 */
#ifndef BND_CORE_H
#define BND_CORE_H

#include <stdint.h>

#include <uv.h>

#include "bn_proto.h"
#include "bnd_config.h"
#include "bnd_keys.h"
#include "bnd_session.h"
#include "bnd_store.h"
#include "bnd_writer.h"

struct bnd_net;
struct bnd_rate;

/* The periodic maintenance passes (bnd_dispatch_maint: the deletion of
 * abandoned uploads): one job, reused, that the writer runs; a pass that
 * stops at its budget submits the job again. */
typedef struct bnd_gc_job {
    bnd_job job; /* first: the writer hands this back */
    struct bnd_server *srv;
    int busy;           /* submitted, not completed (loop thread) */
    int more;           /* the last pass stopped at its budget */
    const char *failed; /* the pass that failed, for the log */
    int closing;        /* the server closes: submit no more */
    unsigned long passes;
} bnd_gc_job;

/* A device link's meeting point (bnd_h_device.c), in memory only: a
 * restart forgets it, and the person starts the link again. */
#define BND_LINK_SLOTS 32
typedef struct bnd_link_slot {
    uint8_t token[BN_TOKEN_BYTES];
    uint64_t account; /* 0: free */
    int64_t expires;
    uint8_t commit[BN_HASH_BYTES];
    uint8_t box_pk[BN_BOX_PK_BYTES];
    uint8_t login_pk[BN_SIGN_PK_BYTES];
    char name[BN_DEVICE_NAME_MAX + 1];
    uint8_t nonce[BN_LINK_NONCE_BYTES];
    uint8_t sealed[BN_LINK_SEALED_BYTES];
    uint32_t sealed_len;
    uint8_t trust[BN_LINK_TRUST_MAX];
    uint32_t trust_len;
    int joined, revealed;
} bnd_link_slot;

typedef struct bnd_server {
    bnd_config cfg;
    uv_loop_t *loop;
    bnd_store *store;
    bnd_keys *keys;
    struct bnd_writer *writer;
    struct bnd_net *net;   /* NULL when used without a network (tests) */
    struct bnd_rate *rate; /* requests per account (bnd_rate.h) */
    bn_buf enc;            /* reply encoding, reused on the loop thread */
    uint64_t next_conn_id;
    uint16_t bound_port; /* after bnd_server_listen */
    int stopping;
    uv_signal_t sig_int, sig_term;
    uv_async_t stop_async;
    uv_timer_t stop_timer;
    uv_timer_t gc_timer;
    bnd_gc_job gc;
    int handles_open;
    /* Requests served off the loop (bnd_dispatch.c, F_LATER): how many
     * are not answered yet, how many slow ones run, those waiting for
     * their turn, and whom to tell when none is left (the shutdown). */
    unsigned later_n;
    unsigned later_slow;
    void *later_wait_head, *later_wait_tail;
    void (*later_idle)(void *arg);
    void *later_idle_arg;
    /* The network layer's say on a login (bnd_net_start sets it): 0 when
     * account may log in on one more connection, else BN_ELIMIT (LOGIN
     * answers it). NULL without a network (tests): no limit. */
    int (*login_check)(const struct bnd_server *srv, uint64_t account);
    /* ... and on a device removed (DEVICE_REMOVE committed): its open
     * connections close. NULL without a network. */
    void (*device_removed)(struct bnd_server *srv, uint64_t account,
                           uint32_t device);
    /* The network layer's close of an erased account's logged-in
     * connections but except (a conn_id), their replies queued first
     * (issue 15; bnd_net_start sets it). NULL without a network. */
    void (*close_account)(struct bnd_server *srv, uint64_t account,
                          uint64_t except);
    /* When each auditor's last live audit with canaries ran (monotonic
     * ms; bnd_h_audit.c), for cfg.audit_interval_ms. */
    struct {
        uint64_t account, at_ms;
    } audit_gate[BND_AUDIT_GATE_MAX];
    bnd_link_slot links[BND_LINK_SLOTS]; /* loop thread only */
} bnd_server;
#endif
