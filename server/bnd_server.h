/*
 * bnd_server.h: the daemon's shared types: configuration, server keys,
 * sessions (one per connection, or made by a test) and the server itself.
 *
 * Threads: everything here runs on the loop thread except the writer
 * thread's batch (bnd_writer.h), which touches only the store and the
 * jobs handed to it.
 */
#ifndef BND_SERVER_H
#define BND_SERVER_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "bn_crypto.h"
#include "bn_version.h"
#include "bn_invite.h"
#include "bn_proto.h"
#include "bnd_store.h"
#include "bnd_writer.h"

/* binomed is released with binome: one version (common/bn_version.h). */
#define BND_VERSION BN_VERSION
#define BND_DEFAULT_LISTEN "127.0.0.1:7450"
#define BND_INVITE_DAYS_DEFAULT 14

/* ---- configuration ---------------------------------------------------- */

typedef struct bnd_config {
    char data_dir[PATH_MAX];
    char host[BN_INVITE_HOST_MAX + 1]; /* listen address */
    uint16_t port;                     /* 0: any free port (tests) */
    size_t map_initial;                /* LMDB map at open */
    size_t map_max;                    /* LMDB map growth limit */
    unsigned max_conns;                /* more are closed at accept */
    unsigned prelogin_max;             /* not logged in, all addresses */
    unsigned prelogin_per_addr;        /* not logged in, one address */
    unsigned conns_per_account;        /* logged in as one account */
    unsigned max_inflight;             /* requests per connection */
    unsigned hs_timeout_ms;            /* accept to logged in */
    unsigned idle_timeout_ms;          /* no frame for this long */
    size_t wq_soft;                    /* queued reply bytes: stop reading */
    size_t wq_hard;                    /* queued reply bytes: close */
    unsigned slow_reader_ms;           /* above wq_soft this long: close */
    unsigned rate_per_account;         /* requests/s of an account; 0: off */
    unsigned rate_burst;               /* requests at once of an account */
    uint64_t max_doc_bytes;            /* a document's ciphertext */
    unsigned audit_interval_ms;        /* canary audits of an auditor */
    unsigned audit_canaries_max;       /* canaries of one live audit */
    uint64_t quota_pair_bytes;         /* stored for one pair (bnd_quota.h) */
    uint64_t quota_account_bytes;      /* stored by one account */
    size_t frame_max;                  /* frame body once logged in */
    size_t frame_max_prelogin;         /* frame body before login */
    int log_level;                     /* enum bnd_log_level */
} bnd_config;

/* Defaults are plain numbers: help texts quote them with BN_STRINGIFY. */
#define BND_MAX_DOC_MIB_DEFAULT 1024
/* Live audits with canaries: one per auditor per interval, this many
 * auditors tracked at once (more are refused until an interval passes). */
#define BND_AUDIT_INTERVAL_S_DEFAULT 60
#define BND_AUDIT_CANARIES_DEFAULT 16
#define BND_AUDIT_GATE_MAX 64
#define BND_QUOTA_PAIR_MIB_DEFAULT 2048
#define BND_QUOTA_ACCOUNT_MIB_DEFAULT 4096

/* bnd_config_prelogin_max: connections not logged in that the daemon
 * holds at once: prelogin_max, or when 0 a quarter of max_connections (at
 * least 1); never more than max_connections. */
unsigned bnd_config_prelogin_max(const bnd_config *cfg);
/* How often the daemon deletes abandoned uploads (and once at start). */
#define BND_DOC_GC_INTERVAL_MS (3600u * 1000u)

/* bnd_config_defaults fills every limit with its default. */
void bnd_config_defaults(bnd_config *cfg);

/*
 * bnd_config_load reads "key=value" lines of path (binomed.conf) into
 * cfg, one key of bnd_config_key_at's table per line; '#' starts a
 * comment. Returns 0, -ENOENT when there is no file, or BN_EINVAL with
 * *line set to the offending line number (unknown key, bad value).
 */
int bnd_config_load(bnd_config *cfg, const char *path, int *line);

/* One key of binomed.conf, for usage text: key, its value's form, help. */
typedef struct bnd_config_key {
    const char *key;
    const char *arg;
    const char *help;
} bnd_config_key;

/* bnd_config_key_at returns the i-th key (static), NULL past the last. */
const bnd_config_key *bnd_config_key_at(size_t i);

/* bnd_config_set sets one key from its text as in binomed.conf: 0,
 * BN_ENOTFOUND for an unknown key, BN_EINVAL for a bad value. */
int bnd_config_set(bnd_config *cfg, const char *key, const char *val);

/* bnd_config_check: BN_EINVAL when keys contradict each other (reply queue
 * soft limit above the hard one, initial map above the maximum). */
int bnd_config_check(const bnd_config *cfg);

/* bnd_config_set_listen parses "HOST:PORT" into cfg: 0 or BN_EINVAL. */
int bnd_config_set_listen(bnd_config *cfg, const char *hostport);

/* ---- server keys (DIR/server.key, DIR/server.pub) ---------------------- */

typedef struct bnd_keys {
    uint8_t box_pk[BN_BOX_PK_BYTES];
    uint8_t box_sk[BN_BOX_SK_BYTES];
    uint8_t sign_pk[BN_SIGN_PK_BYTES];
    uint8_t sign_sk[BN_SIGN_SK_BYTES];
} bnd_keys;

/* bnd_keys_new returns zeroed keys in sodium_malloc memory, or NULL;
 * bnd_keys_free wipes and frees (accepts NULL). */
bnd_keys *bnd_keys_new(void);
void bnd_keys_free(bnd_keys *k);

/*
 * bnd_keys_load reads DIR/server.key: "BNDK", version 1, box_sk, box_pk,
 * sign_sk, sign_pk (165 bytes). -ENOENT when missing, BN_ECORRUPT when
 * malformed or when the public keys do not match the secret ones,
 * BN_EVERSION for another version.
 */
int bnd_keys_load(bnd_keys *k, const char *dir);

/* bnd_keys_save writes server.key (0600, atomically) and server.pub (text:
 * box_pk=HEX and sign_pk=HEX lines). */
int bnd_keys_save(const bnd_keys *k, const char *dir);

/* ---- sessions ------------------------------------------------------------ */

typedef struct bnd_session bnd_session;

#define BND_REPLY_CLOSE 1u /* close the connection after this reply */

/*
 * bnd_reply_fn receives one reply: msg is the plaintext message
 * (bn_msg_encode), valid only during the call.
 */
typedef void (*bnd_reply_fn)(bnd_session *s, const uint8_t *msg, size_t len,
                             unsigned flags);
typedef void (*bnd_release_fn)(bnd_session *s);

/* Who is asking: set at login. */
typedef struct bnd_actor {
    uint64_t account_id;
    uint64_t programme_id;
    uint8_t role; /* enum bn_role; 0 before login */
} bnd_actor;

struct bnd_session {
    uint64_t conn_id;
    bnd_actor actor;
    int logged_in;
    int auth_pending;     /* a JOIN is being written: hold further frames */
    int closed;           /* the connection is gone: replies are dropped */
    unsigned inflight;    /* writes queued, not yet answered */
    unsigned refs;        /* the owner's reference + one per queued write */
    const bn_channel *ch; /* the channel whose transcript login signs */
    uint8_t sign_pk[32];  /* the account's key, for log pre-checks */
    int have_sign_pk;     /* sign_pk is loaded (loop thread) */
    void *pre_head;       /* writes whose log entry is being checked, */
    void *pre_tail;       /* in arrival order (bnd_dispatch.c) */
    bnd_reply_fn reply;
    bnd_release_fn release; /* called when refs drops to 0; may be NULL */
    void *user;
};

/*
 * bnd_session_init prepares s with one reference (the owner's). ch must
 * stay valid while s lives. The owner marks s->closed and drops its
 * reference when the connection goes; the session is released when the
 * last queued write has completed.
 */
void bnd_session_init(bnd_session *s, uint64_t conn_id, const bn_channel *ch,
                      bnd_reply_fn reply, bnd_release_fn release, void *user);
void bnd_session_ref(bnd_session *s);
void bnd_session_unref(bnd_session *s);

/* ---- the server ---------------------------------------------------------- */

struct bnd_writer;
struct bnd_net;
struct bnd_rate;

/* The periodic deletion of abandoned uploads: one job, reused, that the
 * writer runs; a pass that stops at its budget submits itself again. */
typedef struct bnd_gc_job {
    bnd_job job; /* first: the writer hands this back */
    struct bnd_server *srv;
    int busy;    /* submitted, not completed (loop thread) */
    int more;    /* the last pass stopped at its budget */
    int closing; /* the server closes: submit no more */
    unsigned long passes;
} bnd_gc_job;

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
    /* When each auditor's last live audit with canaries ran (monotonic
     * ms; bnd_h_audit.c), for cfg.audit_interval_ms. */
    struct {
        uint64_t account, at_ms;
    } audit_gate[BND_AUDIT_GATE_MAX];
} bnd_server;

/*
 * bnd_server_open opens the data directory's store and keys and starts the
 * writer thread on loop. -ENOENT when the directory was not initialised.
 * Free with bnd_server_close after the loop stopped running the server.
 */
int bnd_server_open(bnd_server **out, const bnd_config *cfg, uv_loop_t *loop);

/*
 * bnd_server_listen binds cfg's address (sets bound_port), starts
 * accepting and installs SIGINT/SIGTERM handlers (when signals is 1).
 */
int bnd_server_listen(bnd_server *srv, int signals);

/*
 * bnd_server_stop (loop thread) stops accepting and reading, lets the
 * writer finish and answer the jobs in flight, then closes connections
 * and the server's handles so that uv_run returns.
 * bnd_server_request_stop does the same from any thread.
 */
void bnd_server_stop(bnd_server *srv);
void bnd_server_request_stop(bnd_server *srv);

/*
 * bnd_server_gc submits a pass over abandoned uploads to the writer (loop
 * thread; nothing when one is under way or the server stops). The server
 * runs it at open and every BND_DOC_GC_INTERVAL_MS.
 */
void bnd_server_gc(bnd_server *srv);

/* bnd_server_close stops the writer thread and closes the store; the
 * loop must have no more server handles running (after uv_run). */
void bnd_server_close(bnd_server *srv);

/* ---- data directory ------------------------------------------------------ */

/*
 * bnd_datadir_init creates dir (0700) if needed, refuses one already
 * initialised (BN_EEXIST), makes the server keys, writes binomed.conf with
 * listen, creates the store and a first invitation (admin, programme 0,
 * BND_INVITE_DAYS_DEFAULT days) whose code it writes to code.
 */
int bnd_datadir_init(const char *dir, const char *listen, char *code,
                     size_t codesize);

/*
 * bnd_invite_put stores an invitation for token (only bn_hash(token) is
 * kept) inside txn.
 */
int bnd_invite_put(bnd_store *st, MDB_txn *txn,
                   const uint8_t token[BN_TOKEN_BYTES], uint64_t programme_id,
                   uint8_t role, int64_t expires, uint64_t created_by);

/*
 * bnd_invite_offline makes an invitation in the data directory of cfg
 * (the daemon may be running) and writes its code with cfg's address.
 */
int bnd_invite_offline(const bnd_config *cfg, uint8_t role, unsigned days,
                       char *code, size_t codesize);

#endif
