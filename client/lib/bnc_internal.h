/*
 * bnc_internal.h: what libbinome's files share and binome.h does not
 * show: the structures behind its handles, the connection and the log
 * check over wire types, and helpers named bnc__. The unit tests of the
 * client include it; the CLI and other programs never do.
 */
#ifndef BNC_INTERNAL_H
#define BNC_INTERNAL_H

#include "binome.h"
#include "bn_crypto.h"
#include "bn_err.h"
#include "bn_invite.h"
#include "bn_proto.h"
#include "bnc_project.h" /* bnc__project_*: wire -> public copies */

/* ---- the structures behind the handles --------------------------- */

/* A connection: a socket and its channel (bnc_conn.c). */
typedef struct bnc_conn bnc_conn;

/*
 * The profile: what profile.conf holds (no secret) and, once loaded, the
 * identity. The library reads and writes the fields; callers use
 * the accessors of binome.h.
 */
struct bnc_profile {
    char dir[BNC_PATH_MAX];
    char host[BN_INVITE_HOST_MAX + 1]; /* server address */
    uint16_t port;
    uint8_t server_pk[32]; /* pinned server X25519 key */
    uint64_t account_id;
    char name[BN_NAME_MAX + 1];
    uint8_t role;          /* enum bn_role */
    uint64_t programme_id; /* 0 for admins and auditors */
    uint32_t device;       /* this device's number (0: the identity key) */
    bn_identity *id;       /* NULL until bnc_profile_load_identity */
    char server_said[256]; /* the server's words on a refused login or join */
};

/* bnc__profile_empty: 0 when p's folder holds no account (neither
 * profile.conf nor identity.key), else BN_EEXIST. */
int bnc__profile_empty(const bnc_profile *p);

/* bnc__profile_new_id replaces p's identity with a zeroed one
 * (sodium_malloc'd): 0 or BN_ENOMEM (p->id NULL). */
int bnc__profile_new_id(bnc_profile *p);

/* bnc__login_sign signs the channel's transcript with the key of device
 * (0: the identity key; else this device's login key). */
int bnc__login_sign(const bnc_profile *p, uint32_t device,
                    const bn_channel *ch, uint8_t sig[BN_SIG_BYTES]);

/* What a profile verified in person, carried to a linked device
 * (bnc_pair.c): BNC__TRUST_ITEM bytes a pair. */
#define BNC__TRUST_ITEM 40
#define BNC__TRUST_MAX (BNC__TRUST_ITEM * 128)
int bnc__trust_export(const bnc_profile *prof, uint8_t *out, size_t max,
                      size_t *len);
int bnc__trust_import(const bnc_profile *prof, const uint8_t *in, size_t len);

/* A client: a profile with its identity and a logged-in connection. */
struct bnc_client {
    bnc_profile *profile; /* borrowed: the caller keeps it alive */
    bnc_conn *conn;
    bnc_account me;
    uint64_t log_bad_seq;    /* after BN_EROLLBACK / BN_ECHAIN: the entry */
    uint64_t log_bad_author; /* ... and the member it claims as author */
    /* After BN_ETAMPER / BN_EWITHHELD: what did not follow from the pair's
     * signed log, naming the item ("note 1a2b...: revision 2 is in the
     * pair's log but the server served revision 1"); ids and numbers
     * only, never content. */
    char tamper[256];
    /* After BN_EROLLBACK: what the server lost (bnc_resync.c). */
    bnc_log_loss loss;
    /* bnc_pair_resync: the start of the loss the member accepted (0:
     * none); the known head then need not be in the server's log. */
    uint64_t resync_from;
    int resync_hold; /* ... and the new head is not remembered yet */
};

#define BNC_WARNINGS_MAX 8

/*
 * bnc_pair: an opened pair, with its members, charter and, when active,
 * the pair keys of every epoch this member holds (sodium_malloc memory).
 * Free with bnc_pair_free.
 */
struct bnc_pair {
    bnc_pair_info info;
    bnc_member *members;
    size_t nmembers;
    char *charter;
    uint8_t charter_hash[32];
    int keys_changed;          /* the other members' keys differ from those
                                  recorded (verified/PAIR, else keys/PAIR) */
    int verified;              /* verified/PAIR exists and matches */
    struct bnc_pair_key *keys; /* sodium_malloc */
    size_t nkeys;
    uint64_t log_seq;     /* the log head, verified when the pair opened */
    uint8_t log_head[32]; /* and moved on by this client's own writes */
    bn_log_entry *log;    /* every entry, seq 1 .. log_seq, verified */
    size_t nlog;
    size_t nlegacy; /* version 1 entries (written before schema 4): their
                       items cannot be checked one by one */
    /* Warnings for the person (a bad key wrap skipped, a legacy log):
     * ids only. */
    char warnings[BNC_WARNINGS_MAX][200];
    size_t nwarnings;
    /* The members' charter signatures as the server served them
     * (bnc_pair_signatures checks them against the members' keys). */
    struct bnc__accept {
        uint64_t account_id;
        uint32_t date;
        uint8_t sig[BN_SIG_BYTES];
    } accepts[BN_MEMBERS_MAX];
    size_t naccepts;
    /* Per author, the seq of their last "erase what I wrote" entry
     * (PAIR_ERASE, sub BN_LOG_ERASE_MINE), kept as the log is read: what
     * bnc__erased_by_author asks, without walking the log each time. */
    struct bnc__erased {
        uint64_t author_id;
        uint64_t seq;
    } erased[BN_MEMBERS_MAX];
    size_t nerased;
    int resynced; /* opened accepting the loss in c->loss (bnc_pair_resync) */
};

/* What bnc_doc_get needs of a listed document, in one allocation. */
struct bnc_doc_sealed {
    uint8_t stream_header[BN_DOC_STREAM_HEADER_BYTES];
    uint8_t final_hash[BN_HASH_BYTES]; /* of the final chunk, as logged */
    size_t key_env_len;
    uint8_t key_env[]; /* the document key, sealed under the pair key */
};

/* ---- the connection ------------------------------------------------ */

/*
 * bnc_conn_open connects to host:port over TCP (timeout_ms for each step;
 * 0 means BNC_TIMEOUT_MS) and runs the handshake against the pinned
 * server_pk. BN_ECONNECT when the server cannot be reached, BN_EHANDSHAKE
 * when it does not hold the pinned key (the socket is closed),
 * BN_ETIMEDOUT. *out is allocated; free with bnc_conn_close.
 */
int bnc_conn_open(bnc_conn **out, const char *host, uint16_t port,
                  const uint8_t server_pk[32], int timeout_ms);

/* bnc_conn_close closes the socket and wipes the channel keys; accepts
 * NULL. */
void bnc_conn_close(bnc_conn *c);

/* bnc_conn_channel gives the channel, for bn_login_sign. */
const bn_channel *bnc_conn_channel(const bnc_conn *c);

/*
 * bnc_call sends req (its id is replaced by the next request id) sealed in
 * one frame and reads frames until the reply with the same id. reply is
 * filled (free with bn_msg_free, even on error) and 0 returned; an ERROR
 * reply returns its code (the server's message is kept for
 * bnc_last_error). A frame that does not open gives BN_EAUTH and any
 * transport or decoding failure a negative code: after those the
 * connection is dead and every later call returns BN_ECLOSED.
 */
int bnc_call(bnc_conn *c, const bn_msg *req, bn_msg *reply);

/*
 * bnc_last_error returns the message of the last ERROR reply, or "" when
 * the last call did not end with one. Valid until the next call.
 */
const char *bnc_last_error(const bnc_conn *c);

/*
 * bnc_send seals and sends req without waiting (its id is replaced by the
 * next request id, returned in *id). bnc_recv reads the next reply,
 * whichever request it answers: the caller matches reply->id. An ERROR
 * reply returns its code with reply->id set; an ERROR for no request of
 * ours, or any transport failure, kills the connection as for bnc_call.
 * reply must be freed with bn_msg_free, even on error.
 */
int bnc_send(bnc_conn *c, const bn_msg *req, uint64_t *id);
int bnc_recv(bnc_conn *c, bn_msg *reply);

/*
 * bnc_log_check is the one check of a log the server sent against what
 * this client saw before. known is the remembered head (seq 0: nothing
 * remembered). entries[0..n) are the server's entries from seq
 * max(known->seq, 1) on. expect (may be NULL) is the head the server
 * announced (PAIR_DETAIL): the chain must end exactly there.
 *
 * With something remembered, entries[0] must be the remembered entry
 * (same seq, same hash); the others must verify (bn_log_verify, authors'
 * keys from key/ctx). A log shorter than the remembered seq, or another
 * entry at that seq, is BN_EROLLBACK; a gap, a reordered, altered or
 * badly signed entry, or a chain that does not end at expect, is
 * BN_ECHAIN. *bad_seq (may be NULL) receives the seq of the entry at
 * fault. On success *out (may be NULL) is the new head.
 */
int bnc_log_check(uint64_t pair_id, const bnc_log_head *known,
                  const bn_log_entry *entries, size_t n,
                  const bnc_log_head *expect, bn_log_key_fn key, void *ctx,
                  bnc_log_head *out, uint64_t *bad_seq);

/* ---- helpers ------------------------------------------------------- */

/* One pair key per epoch, kept in sodium_malloc memory. */
struct bnc_pair_key {
    uint32_t epoch;
    uint8_t key[BN_KEY_BYTES];
};

/* bnc__parse_u64 reads a decimal number that fills the whole string. */
int bnc__parse_u64(const char *s, uint64_t *v);

/* bnc__mkdir_private makes path (one level) and sets mode 0700. */
int bnc__mkdir_private(const char *path);

/* bnc__copy_str copies a wire string into a fixed buffer (truncating). */
void bnc__copy_str(char *dst, size_t size, bn_str s);

/* bnc__append grows a malloc'd array of n elements of size sz by one. */
int bnc__append(void **arr, size_t *n, size_t sz, const void *elem);

/* bnc__pair_key returns the pair key of an epoch held in p, or NULL. */
const uint8_t *bnc__pair_key(const bnc_pair *p, uint32_t epoch);

/* bnc__expect checks a reply's type: 0 or BN_EPROTO. */
int bnc__expect(const bn_msg *m, uint16_t type);

/*
 * bnc__list_all fetches every page of a list: req's "after" field (pointed
 * to by after) follows the last id of each page; take(rep, ctx, ...) appends a
 * page's items to *arr (malloc'd, *n elements) and reports its last id and
 * more. On failure the items taken so far go with drop(*arr, *n) (NULL:
 * free(), for items that hold nothing of their own) and *arr is NULL.
 */
typedef int (*bnc__take_fn)(const bn_msg *rep, const void *ctx, void **arr,
                            size_t *n, uint64_t *last, int *more);
int bnc__list_all(bnc_client *c, bn_msg *req, uint64_t *after,
                  uint16_t reply_type, bnc__take_fn take, const void *ctx,
                  void **arr, size_t *n, void (*drop)(void *, size_t));

/*
 * bnc__write sends a write to pair p with its log entry (DESIGN.md, "The
 * pair's log"): entry points at req's entry field. The body hash is the
 * request encoded with id 0 and an empty entry; seq and prev extend p's
 * head. On BN_ESTALE it refreshes the head and signs again, a few times;
 * when the connection drops it reconnects and sends the same request
 * again once (a write that already landed is then a success). After a
 * success p's head (and log/PAIR) move on. rep holds the reply (free with
 * bn_msg_free); a reply of another type than reply_type is BN_EPROTO.
 */
int bnc__write(bnc_client *c, bnc_pair *p, bn_msg *req, bn_bin *entry,
               uint16_t reply_type, bn_msg *rep);

/*
 * bnc__log_open checks the server's log of p against log/PAIR when the
 * pair is opened; expect is PAIR_DETAIL's head. On success p's head and
 * p->log are set; on BN_EROLLBACK / BN_ECHAIN c->log_bad_seq names the
 * entry. bnc__log_remember then saves p's head in log/PAIR: only once
 * everything the server said followed from the log (bnc__ledger_pair),
 * so that a log verified against a forged member list never becomes the
 * anchor of later rollback checks.
 */
int bnc__log_open(bnc_client *c, bnc_pair *p, const bnc_log_head *expect);
int bnc__log_remember(bnc_client *c, const bnc_pair *p);

/* bnc__members_key is a bn_log_key_fn over a bnc_pair's members. */
int bnc__members_key(void *ctx, uint64_t author_id, uint8_t sign_pk[32]);

/* bnc__content_key picks the pair key of an epoch (BN_ENOTACCEPTED for a
 * pending pair, BN_ENOKEY when this member holds none). */
int bnc__content_key(const bnc_pair *p, uint32_t epoch, const uint8_t **key);

/* ---- the ledger: records checked against the signed log (bnc_ledger.c) */

/* bnc__log_keep appends verified entries e[0..n) to p's copy of the log
 * (which then holds seq 1 .. p's head, in order) and notes the erasures
 * among them (p->erased). */
int bnc__log_keep(bnc_pair *p, const bn_log_entry *e, size_t n);

/* bnc__erased_by_author: 1 when e's author erased what they wrote after
 * e (a later PAIR_ERASE entry of theirs with sub BN_LOG_ERASE_MINE). */
int bnc__erased_by_author(const bnc_pair *p, const bn_log_entry *e);
/* bnc__tamper writes a message (ids only) to c->tamper and returns rc. */
int bnc__tamper(bnc_client *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* bnc__warn adds a warning to p (at most BNC_WARNINGS_MAX are kept). */
void bnc__warn(bnc_pair *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* bnc__log_last is the last version 2 entry of p's log with op and item,
 * or NULL; bnc__log_at is the entry of a seq, or NULL. */
const bn_log_entry *bnc__log_last(const bnc_pair *p, uint8_t op, uint64_t item);
const bn_log_entry *bnc__log_at(const bnc_pair *p, uint64_t seq);

/* A side key of epoch e is kept in p's key array under e | BNC__SIDE_KEY
 * (epochs stay far below it): bnc__side_key finds it, or NULL. */
#define BNC__SIDE_KEY 0x80000000u
const uint8_t *bnc__side_key(const bnc_pair *p, uint32_t epoch);

/* bnc__side_key_put draws a side key of the pair's epoch for this
 * member's side, wraps it for each current member of it and logs it
 * (SIDE_KEY_PUT); on success p holds it. */
int bnc__side_key_put(bnc_client *c, bnc_pair *p);

/* bnc__members_hash is bn_members_hash of p's member list. */
int bnc__members_hash(const bnc_pair *p, uint8_t out[BN_HASH_BYTES]);

/*
 * bnc__ledger_pair checks what PAIR_DETAIL says against p's log (which
 * bnc__log_open verified): the member list against the acceptances
 * members signed, the pair's state against its entries, the epoch and
 * the wraps against the KEY_PUT entries. BN_ETAMPER or BN_EWITHHELD with
 * c->tamper saying what; a legacy log adds a warning to p.
 */
int bnc__ledger_pair(bnc_client *c, bnc_pair *p, const bn_pair_detail *d);

/*
 * Each record served must match the last entry that logged it:
 * BN_ETAMPER (with c->tamper) when it does not, or when no entry logged
 * it (a legacy log excepted), BN_EWITHHELD when a later one is logged.
 * bnc__check_note: env is the envelope when it was served (else the
 * meta's env_hash is used); latest says the server claims it is the
 * latest revision.
 */
int bnc__check_note(bnc_client *c, const bnc_pair *p,
                    const struct bn_note_meta *m, const bn_bin *env,
                    int latest);
int bnc__check_session(bnc_client *c, const bnc_pair *p,
                       const struct bn_session_info *s);
int bnc__check_objective(bnc_client *c, const bnc_pair *p,
                         const struct bn_objective_info *o);
int bnc__check_doc(bnc_client *c, const bnc_pair *p,
                   const struct bn_doc_meta *d);

/*
 * bnc__check_withheld: every item p's log says was made with op
 * (NOTE_PUT, SESSION_ADD, OBJECTIVE_ADD, DOC_CHUNK) is among ids[0..n),
 * else BN_EWITHHELD naming it. Private notes of other members are not
 * expected.
 */
int bnc__check_withheld(bnc_client *c, const bnc_pair *p, uint8_t op,
                        const uint64_t *ids, size_t n);

/* bnc__check_listed is bnc__check_withheld over an array of n records of
 * size bytes whose uint64_t id sits at id_offset. */
int bnc__check_listed(bnc_client *c, const bnc_pair *p, uint8_t op,
                      const void *items, size_t n, size_t size,
                      size_t id_offset);

/* What the list functions of a pair's records hand their page takers. */
struct bnc__list_ctx {
    bnc_client *c;
    const bnc_pair *p;
};

/* bnc__page_next checks that a listed id comes strictly after the last
 * one (*last, the previous page's last id at a page's start) and moves
 * *last on: BN_EPROTO otherwise, so a server cannot make a list loop. */
int bnc__page_next(uint64_t *last, uint64_t id);

/* ---- after a restore: the local index and the loss (bnc_resync.c) --- */

/* One line of log/PAIR.idx: an entry this client verified, and its hash. */
typedef struct bnc__idx {
    bnc_log_item it;
    uint8_t hash[BN_HASH_BYTES];
} bnc__idx;

/*
 * bnc__idx_write writes log/PAIR.idx from p's verified log (p->log, seq 1
 * .. p->nlog), atomically: what each entry logged, its author and date,
 * its hash; never content.
 */
int bnc__idx_write(const bnc_profile *prof, const bnc_pair *p);
/* bnc__idx_keep: bnc__idx_write when the head changed or no index exists
 * yet (a profile from before the index). */
int bnc__idx_keep(const bnc_profile *prof, const bnc_pair *p, int changed);

/*
 * bnc__idx_load reads log/PAIR.idx (missing: *n 0), with the kind and
 * session of this member's own note revisions (log/PAIR.mine) filled
 * in; *out malloc'd. BN_ECORRUPT for a line that does not parse.
 */
int bnc__idx_load(const bnc_profile *prof, uint64_t pair_id, bnc__idx **out,
                  size_t *n);

/* bnc__mine_note records in log/PAIR.mine the kind and session of a note
 * revision this member wrote (ids only). */
int bnc__mine_note(const bnc_profile *prof, uint64_t pair_id, uint64_t note_id,
                   uint32_t revision, uint8_t kind, uint64_t session_id);

/*
 * bnc__log_loss describes what a verified server log (log[0..nlog),
 * seq 1 .. nlog) lost of what this client verified (known, and the
 * index idx[0..nidx)): the first entry that differs (forked) or is
 * missing, and the index's entries from there to known->seq. BN_EINVAL
 * when the log holds known (nothing lost). out->lost malloc'd: free
 * with bnc__loss_clear.
 */
int bnc__log_loss(uint64_t pair_id, const bnc_log_head *known,
                  const bnc__idx *idx, size_t nidx, const bn_log_entry *log,
                  size_t nlog, bnc_log_loss *out);
void bnc__loss_clear(bnc_log_loss *l);

/* bnc__resync_forget removes the index, the notes of own revisions,
 * the record of resyncs and the sent copies of a pair (erased). */
int bnc__resync_forget(const bnc_profile *prof, uint64_t pair_id);

/* bnc__resync_record appends a resync (now, loss) to log/PAIR.resync. */
int bnc__resync_record(const bnc_profile *prof, uint64_t pair_id,
                       const bnc_log_loss *loss);

#endif
