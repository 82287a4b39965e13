/*
 * bnd_handlers.h: what request handlers share (internal to the server).
 *
 * A handler reads the request, checks it against the store inside cx->txn
 * (a read transaction on the loop thread, or on a thread of libuv's pool
 * for LATER entries, or a nested write transaction on the writer thread
 * for WRITE entries) and fills the fields of cx->rep, whose type the
 * dispatch table gives. A LATER handler touches nothing of cx->srv but
 * cfg and the store. It returns 0, or
 * a negative BN_E* code that becomes the ERROR reply. Memory the reply
 * points to comes from bnd_ctx_alloc or records decoded into cx->arena; it
 * lives until the reply is encoded.
 */
#ifndef BND_HANDLERS_H
#define BND_HANDLERS_H

#include "bnd_project.h"
#include "bnd_schema.h"
#include "bnd_core.h"
#include "bnd_datadir.h"

typedef struct bnd_ctx_block bnd_ctx_block;

typedef struct bnd_ctx {
    bnd_server *srv;
    bnd_store *st;
    MDB_txn *txn;
    bnd_actor actor;      /* who asks (zeros before login) */
    const bn_channel *ch; /* the session's channel (reads only; LOGIN) */
    bn_msg *rep;          /* id and type preset (the dispatch table's reply
                             type); the handler sets the fields */
    void *arena;          /* bn_struct_decode allocations */
    bnd_ctx_block *mem;   /* bnd_ctx_alloc allocations */
    bnd_actor login;      /* JOIN, LOGIN: the account now logged in */
    int did_login;
    const char *errmsg; /* the ERROR reply's text: static, or in the
                           context's memory (bnd_ctx_alloc: the reply is
                           encoded before it is freed); NULL: the code's
                           bn_strerror */
    int64_t now;        /* unix seconds */
    uint32_t today;     /* day number, UTC */
    const struct bnd_logcheck *logck; /* the request's log entry checked
                                         before the transaction, or NULL */
} bnd_ctx;

/* bnd_ctx_alloc returns zeroed memory freed with the context, or NULL. */
void *bnd_ctx_alloc(bnd_ctx *cx, size_t size);

/*
 * bnd_ctx_init prepares cx for a request of actor with id on srv: the
 * reply rep is initialised as an OK (the dispatcher then gives it the
 * type its table says), now and today are read, no transaction is open.
 * bnd_ctx_free frees what the context allocated (bnd_ctx_alloc, the
 * arena); the reply must be encoded before.
 */
void bnd_ctx_init(bnd_ctx *cx, bnd_server *srv, const bnd_actor *actor,
                  bn_msg *rep, uint64_t id);
void bnd_ctx_free(bnd_ctx *cx);

/* A handler on a transaction; a check on the loop thread, no store,
 * which may set *errmsg (static text) for its ERROR reply. */
typedef int (*bnd_handler_fn)(bnd_ctx *cx, const bn_msg *req);
typedef int (*bnd_check_fn)(bnd_server *srv, bnd_session *s, const bn_msg *req,
                            const char **errmsg);

/* ---- helpers (bnd_h_common.c) -------------------------------------------- */

/* bnd_name_ok: 1 when s is a printable name (bn_text_name_check: no C0 or
 * C1 control, DEL, bidirectional override or invalid UTF-8) of 1..max
 * bytes (0..max with allow_empty); the codec checked the length. */
int bnd_name_ok(bn_str s, int allow_empty);

int bnd_get_account(bnd_ctx *cx, uint64_t id, bn_rec_account *a);
int bnd_get_programme(bnd_ctx *cx, uint64_t id, bn_rec_programme *p);
int bnd_get_pair(bnd_ctx *cx, uint64_t id, bn_rec_pair *p);

/* bnd_programme_settings loads programme id's settings (bnd_h_admin.c),
 * the defaults when it has no record (a programme made before them). */
int bnd_programme_settings(bnd_ctx *cx, uint64_t id, bn_rec_prog_settings *s);

/* bnd_programme_calendar loads programme id's calendar (bnd_h_admin.c):
 * all zeros when it has none. bnd_programme_min_months is the minimum
 * pair duration it sets, else prog's months. */
int bnd_programme_calendar(bnd_ctx *cx, uint64_t id, bn_rec_prog_calendar *c);
uint32_t bnd_programme_min_months(const bn_rec_programme *prog,
                                  const bn_rec_prog_calendar *c);

/* bnd_pair_dates loads pair id's coordinator dates and override
 * (bnd_h_pair.c): all zeros (pair_id set) when it has none. */
int bnd_pair_dates(bnd_ctx *cx, uint64_t id, bn_rec_pair_dates *d);

/* bnd_errmsgf sets cx->errmsg to a formatted text that lives as long as
 * the reply, and returns code. */
int bnd_errmsgf(bnd_ctx *cx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* bnd_programme_info fills the wire view of a programme: its projection
 * and its settings. */
int bnd_programme_info(bnd_ctx *cx, const bn_rec_programme *p,
                       bn_programme_info *out);

/* bnd_account_free: 0 when account id may take one more pair of
 * programme (fewer than limit pending or active ones), else BN_EEXIST
 * with a message naming the limit (mentor: the mentees-per-mentor one). */
int bnd_account_free(bnd_ctx *cx, uint64_t id, uint64_t programme,
                     uint32_t limit, int mentor);

/* bnd_member_put makes account a member of pair on a side (role),
 * holding epochs from from_epoch on, and indexes the pair under it. */
int bnd_member_put(bnd_ctx *cx, uint64_t pair, uint64_t account, uint8_t role,
                   uint32_t from_epoch);

/* bnd_programme_side_max: how many members a side of the programme's
 * pairs may have (1 when no administrator set it). */
int bnd_programme_side_max(bnd_ctx *cx, uint64_t id, uint32_t *side_max);

/* bnd_pair_ender says who ended pair p (enum bn_ender): its mentor, its
 * mentee, another member by that member's role, else the coordinator;
 * 0 when it has not ended. */
int bnd_pair_ender(bnd_ctx *cx, const bn_rec_pair *p, uint8_t *ender);

/*
 * bnd_member_pair loads pair_id for a participant: BN_ENOTFOUND when the
 * pair does not exist, was erased, belongs to another programme or the
 * caller is not one of its members: one answer for all ("no such pair
 * among yours"), so ids cannot be probed. BN_EDENIED stays for a role that
 * may not make the request at all (the dispatcher's check). *me may be
 * NULL.
 */
int bnd_member_pair(bnd_ctx *cx, uint64_t pair_id, bn_rec_pair *pair,
                    bn_rec_member *me);

/* bnd_is_referent: account is one of p's two referents (its mentor_id or
 * mentee_id: the members the coordinator paired, issue 14). */
int bnd_is_referent(const bn_rec_pair *p, uint64_t account_id);

/* bnd_writable_pair is bnd_member_pair for a write: then BN_ENOTACCEPTED
 * when the pair is pending, BN_EENDED when it has ended. */
int bnd_writable_pair(bnd_ctx *cx, uint64_t pair_id, bn_rec_pair *pair,
                      bn_rec_member *me);

/* bnd_same_bin: a and b hold the same bytes (a retried write carries
 * exactly what landed). They are ciphertexts the client sent, not
 * secrets: a plain comparison. */
int bnd_same_bin(bn_bin a, bn_bin b);

/* bnd_holds_epoch: 0 when the caller holds the pair key of epoch (a
 * member then, with a wrap of it), else BN_ENOKEY. */
int bnd_holds_epoch(bnd_ctx *cx, const bn_rec_pair *p, const bn_rec_member *me,
                    uint32_t epoch);

/* bnd_envelope_ok: 0 when env is a well-formed envelope of epoch, else
 * BN_EINVAL (the server refuses what is not a ciphertext). */
int bnd_envelope_ok(bn_bin env, uint32_t epoch);

/* bnd_date_ok: 1 when date is a day binome accepts (BN_DATE_MIN..MAX). */
int bnd_date_ok(uint32_t date);

/* bnd_get_session loads a session of pair: BN_ENOTFOUND if none. */
int bnd_get_session(bnd_ctx *cx, uint64_t pair, uint64_t id, bn_rec_session *s);

/* bnd_pair_members fills items (room for BN_MEMBERS_MAX) with every
 * member record of pair, departed ones too, by account id, with their
 * accounts' names and keys (names point into cx's arena); *n gets the
 * count. BN_ECORRUPT for more members than that or a missing account. */
int bnd_pair_members(bnd_ctx *cx, uint64_t pair, bn_member_key *items,
                     uint32_t *n);

/* bnd_pair_member_ids is bnd_pair_members as the members hash sees them
 * (ids, roles, keys), with each member's epochs [from, to) (to 0: now);
 * every array has room for BN_MEMBERS_MAX. */
int bnd_pair_member_ids(bnd_ctx *cx, uint64_t pair, bn_member_id *ids,
                        uint32_t *from, uint32_t *to, uint32_t *n);

/* bnd_pair_members_hash computes bn_members_hash of the pair's current
 * members (member records without to_epoch) with their accounts' keys:
 * what a member signs when accepting. */
int bnd_pair_members_hash(bnd_ctx *cx, uint64_t pair,
                          uint8_t out[BN_HASH_BYTES]);

/* A pair's member records (left ones too) by account id, with their
 * keys and epochs [from, to) (to 0: still a member). */
typedef struct bnd_members {
    bn_member_id m[BN_MEMBERS_MAX];
    uint32_t from[BN_MEMBERS_MAX], to[BN_MEMBERS_MAX];
    uint32_t n;
} bnd_members;

/* bnd_members_load loads them (bnd_h_key.c). */
int bnd_members_load(bnd_ctx *cx, uint64_t pair, bnd_members *ms);

/* bnd_wraps_check: w[0..n) key `epoch` for exactly its holders, the
 * current members of ms but `except` (0: none) and with `extra` (NULL:
 * none), one wrap each in increasing member id, made by the caller (a
 * current member: else BN_EDENIED), all with one key id (else
 * BN_EINVAL), each one's signature good for its holder's box key and the
 * caller's signing key (else BN_ESIG). side (a role, 0: none): a side
 * key's wraps, for the current members of that side only, checked under
 * the side keys' domain (bn_sidekey_wrap_verify). */
int bnd_wraps_check(bnd_ctx *cx, uint64_t pair, uint32_t epoch, uint8_t side,
                    const bnd_members *ms, uint64_t except,
                    const bn_member_id *extra, const bn_key_wrap *w,
                    uint32_t n);

/* bnd_side_key_held: 0 when the caller holds their side's key of epoch
 * (a side wrap for them), else BN_ENOKEY. */
int bnd_side_key_held(bnd_ctx *cx, uint64_t pair, uint32_t epoch);

/* bnd_wraps_room: 0 when pair can take n more wraps and still hold at
 * most BN_WRAPS_MAX (PAIR_DETAIL serves every one), else BN_ELIMIT. */
int bnd_wraps_room(bnd_ctx *cx, uint64_t pair, int side, uint32_t n);

/* bnd_keying_commit stores a checked write that keys an epoch (KEY_PUT,
 * MEMBER_ADD, MEMBER_REMOVE; SIDE_KEY_PUT with side set): room for its n
 * wraps (BN_ELIMIT), the pair moved to epoch (a pair key's), its log
 * entry, its wraps. BND_LANDED when its entry was there already. */
int bnd_keying_commit(bnd_ctx *cx, bn_rec_pair *p, const bn_msg *req,
                      int side, uint32_t epoch, const bn_key_wrap *w,
                      uint32_t n);

/* bnd_has_wraps: 1 when pair has wraps of epoch, 0 when not, or an error. */
int bnd_has_wraps(bnd_ctx *cx, uint64_t pair, uint32_t epoch);

/* bnd_wraps_store stores n checked wraps, a side key's in side_wraps when
 * side is set (BN_ECORRUPT if one exists). */
int bnd_wraps_store(bnd_ctx *cx, uint64_t pair, int side,
                    const bn_key_wrap *w, uint32_t n);

/* bnd_pair_info fills the wire view of a pair: its projection
 * (bnd_project.h) and the member names, looked up. The other records'
 * wire views are their projections: bnd_project_account_info(a, out),
 * etc. */
int bnd_pair_info(bnd_ctx *cx, const bn_rec_pair *p, bn_pair_info *out);

/*
 * bnd_scan_key walks start's database from the key start (MDB_SET_RANGE)
 * while keys begin with start's first pparts parts (bnd_key_prefix; 0: to
 * the end), calling fn for each entry: bnd_scan_key(cx,
 * bnd_key_members(pair, 0), 1, fn, arg) walks the members of pair. fn
 * returns 0 to go on, 1 to stop (the entry was not taken: the page is
 * full) or a negative code. bnd_scan_key returns 1 when fn stopped it
 * (there is more), 0 at the end, or a negative code.
 */
typedef int (*bnd_scan_fn)(bnd_ctx *cx, const MDB_val *key, const MDB_val *val,
                           void *arg);
int bnd_scan_key(bnd_ctx *cx, bnd_key start, unsigned pparts, bnd_scan_fn fn,
                 void *arg);

/* bnd_page_size: list replies hold at most this many items. */
#define BND_PAGE 200u

/*
 * A list reply also stops at BND_REPLY_BYTES of items, so that it always
 * fits in one frame whatever the items hold. bnd_page_take counts an item
 * of at most `bytes` encoded bytes (bnd_item_bytes: the variable-length
 * fields' lengths plus BND_ITEM_FIXED for the rest): 1 when it fits, 0
 * when the page is full (the item is not counted).
 */
#define BND_REPLY_BYTES ((size_t)BN_FRAME_MAX - BN_CHANNEL_OVERHEAD - 4096u)
#define BND_ITEM_FIXED 160u
typedef struct bnd_page {
    uint32_t n;   /* items taken */
    uint32_t max; /* at most this many */
    size_t bytes; /* their encoded size, at most */
} bnd_page;
int bnd_page_take(bnd_page *pg, size_t bytes);

/*
 * A list reply's page being filled by a bnd_scan_key callback: room for
 * pg.max items of size bytes each at items (from bnd_ctx_alloc), pg.n of
 * them taken; arg is the handler's own state for its callback.
 */
typedef struct bnd_list {
    void *items;
    size_t size; /* one item's size */
    bnd_page pg;
    void *arg;
} bnd_list;

/*
 * bnd_list_page fills the page l (size, pg.max and arg set) of a list
 * reply paged by id: nothing when after is UINT64_MAX (no id follows it:
 * 0, an empty page), else it allocates pg.max items (BN_ENOMEM) and walks
 * start's database from start while keys begin with its first pparts
 * parts (0: to the end), calling fn with l as its argument. Returns 1
 * when there is more, 0 at the end, or a negative code.
 */
int bnd_list_page(bnd_ctx *cx, bnd_list *l, uint64_t after, bnd_key start,
                  unsigned pparts, bnd_scan_fn fn);

/*
 * bnd_list_pair fills the page l of a list reply of pair_id's records
 * after the id `after`, from start (the key of pair_id and after + 1 in
 * their database, e.g. bnd_key_notes(pair, after + 1, 0)): the caller
 * must be a member (bnd_member_pair's BN_EDENIED), then the page is filled as
 * bnd_list_page does, over the pair's keys. Returns 1 when there is more, 0 at
 * the end, or a negative code.
 */
int bnd_list_pair(bnd_ctx *cx, bnd_list *l, uint64_t pair_id, uint64_t after,
                  bnd_key start, bnd_scan_fn fn);

/*
 * bnd_list_take counts one more item of l of at most bytes encoded bytes
 * (0: counted by number only) and returns its slot, or NULL when the page
 * is full (the item is not counted).
 */
void *bnd_list_take(bnd_list *l, size_t bytes);

/* BND_LIST_REPLY sets a list reply's items and more (rc: bnd_list_page's
 * answer) from the page l. */
#define BND_LIST_REPLY(msg, l, rc)                                             \
    do {                                                                       \
        (msg).items.v = (l).items;                                             \
        (msg).items.len = (l).pg.n;                                            \
        (msg).more = (rc) == 1;                                                \
    } while (0)

/* ---- the pair's log (bnd_pairlog.c) ---------------------------------------
 */

/* bnd_pairlog_append's answer for a write that landed before. */
#define BND_LANDED 1

/*
 * bnd_pairlog_append checks the log entry that req (a logged write to
 * pair) carries in its "entry" field, after the handler's own checks and
 * before it writes anything: the entry is of version 2, decodes and names
 * the caller (BN_EINVAL); its seq and prev extend the pair's head
 * (BN_ESTALE); the caller's signature verifies (BN_ESIG); its op, item,
 * sub, flags and body hash are those of req (bn_log_entry_matches,
 * BN_EINVAL). Then it stores the entry, moves pair's head and writes the
 * pair record (with any change the handler made to *pair).
 * When the very same entry is already in the log and names req, the write
 * landed before: BND_LANDED, nothing written, *pair untouched. *seq (may
 * be NULL) gets the entry's seq.
 */
int bnd_pairlog_append(bnd_ctx *cx, bn_rec_pair *pair, const bn_msg *req,
                       uint64_t *seq);

/*
 * What bnd_pairlog_check learnt of a request's log entry before the
 * transaction: everything that depends only on the request and the
 * caller's key (bnd_pairlog_append then compares seq and prev with the
 * head, and stores). Each *_rc is the code bnd_pairlog_append returns at
 * the point where it would have computed it, so the answers do not change.
 */
typedef struct bnd_logcheck {
    int done;            /* the fields below are set */
    uint64_t pair_id;    /* the request's pair_id */
    uint64_t author_id;  /* the caller */
    uint8_t sign_pk[32]; /* the caller's key the signature was checked with */
    int sig_rc;          /* 0 verified, BN_ESIG, or 1: undecided (in txn) */
    int body_rc;         /* 0: body hash matches; BN_EINVAL; other failure */
    uint8_t head[BN_HASH_BYTES]; /* the entry's hash (sig_rc 0) */
} bnd_logcheck;

/*
 * bnd_pairlog_check fills *lc for req, a logged write to pair_id by
 * author_id whose signing key is sign_pk. Pure: no store, any thread, req
 * only read. Returns 1 when req carries a well-formed entry (lc is set),
 * 0 when there is nothing to pre-check (lc->done is 0: the transaction
 * decides everything, as without a pre-check).
 */
int bnd_pairlog_check(bnd_logcheck *lc, const bn_msg *req, uint64_t pair_id,
                      uint64_t author_id, const uint8_t sign_pk[32]);

/* bnd_pairlog_entry returns req's entry field (empty if it has none). */
bn_bin bnd_pairlog_entry(const bn_msg *req);

/*
 * bnd_pairlog_landed tells whether req's entry is already in pair's log,
 * byte for byte, and records req (a retry of a write that landed, for a
 * handler whose own rules would refuse it now): BND_LANDED, 0 when not,
 * or a store error.
 */
int bnd_pairlog_landed(bnd_ctx *cx, const bn_rec_pair *pair, const bn_msg *req);

/* ---- handlers ------------------------------------------------------------ */

int bnd_check_join(bnd_server *srv, bnd_session *s, const bn_msg *req,
                   const char **errmsg);
int bnd_h_join(bnd_ctx *cx, const bn_msg *req);
int bnd_h_login(bnd_ctx *cx, const bn_msg *req);
int bnd_h_whoami(bnd_ctx *cx, const bn_msg *req);

int bnd_h_programme_create(bnd_ctx *cx, const bn_msg *req);
int bnd_h_programme_list(bnd_ctx *cx, const bn_msg *req);
int bnd_h_programme_get(bnd_ctx *cx, const bn_msg *req);
int bnd_h_invite_create(bnd_ctx *cx, const bn_msg *req);
int bnd_h_account_list(bnd_ctx *cx, const bn_msg *req);
int bnd_h_account_get(bnd_ctx *cx, const bn_msg *req);

/* Devices, recovery, device links (bnd_h_device.c, issue 15).
 * bnd_device_login checks a LOGIN's signature with the key of device (0:
 * the identity key, refused once the account has devices): 0, BN_ESIG,
 * or BN_EDENIED for a removed device (cx->errmsg says so). */
int bnd_device_login(bnd_ctx *cx, const bn_rec_account *a, uint32_t device,
                     const uint8_t sig[BN_SIG_BYTES]);
int bnd_h_recovery_put(bnd_ctx *cx, const bn_msg *req);
int bnd_h_recover(bnd_ctx *cx, const bn_msg *req);
int bnd_h_device_add(bnd_ctx *cx, const bn_msg *req);
int bnd_h_device_list(bnd_ctx *cx, const bn_msg *req);
int bnd_h_device_remove(bnd_ctx *cx, const bn_msg *req);
int bnd_h_link_put(bnd_ctx *cx, const bn_msg *req);
int bnd_h_link_join(bnd_ctx *cx, const bn_msg *req);
int bnd_h_member_add(bnd_ctx *cx, const bn_msg *req);
int bnd_h_member_remove(bnd_ctx *cx, const bn_msg *req);
int bnd_h_side_key_put(bnd_ctx *cx, const bn_msg *req);
int bnd_h_pair_create(bnd_ctx *cx, const bn_msg *req);

int bnd_h_pair_list(bnd_ctx *cx, const bn_msg *req);
int bnd_h_pair_get(bnd_ctx *cx, const bn_msg *req);
int bnd_h_pair_accept(bnd_ctx *cx, const bn_msg *req);
int bnd_h_key_put(bnd_ctx *cx, const bn_msg *req);
int bnd_h_pair_end(bnd_ctx *cx, const bn_msg *req);
int bnd_h_pair_stop(bnd_ctx *cx, const bn_msg *req);
int bnd_h_programme_set(bnd_ctx *cx, const bn_msg *req);
int bnd_h_pair_start(bnd_ctx *cx, const bn_msg *req);
int bnd_h_admin_sessions(bnd_ctx *cx, const bn_msg *req);

/* bnd_h_feedback.c: the structure's charter signature, the questionnaire */
int bnd_h_charter_sign(bnd_ctx *cx, const bn_msg *req);
int bnd_h_pair_charter(bnd_ctx *cx, const bn_msg *req);
int bnd_h_questionnaire_set(bnd_ctx *cx, const bn_msg *req);
int bnd_h_questionnaire_get(bnd_ctx *cx, const bn_msg *req);
int bnd_h_questionnaire_answer(bnd_ctx *cx, const bn_msg *req);
int bnd_h_feedback_get(bnd_ctx *cx, const bn_msg *req);

int bnd_h_session_add(bnd_ctx *cx, const bn_msg *req);
int bnd_h_session_update(bnd_ctx *cx, const bn_msg *req);
int bnd_h_session_list(bnd_ctx *cx, const bn_msg *req);
int bnd_h_session_mode_set(bnd_ctx *cx, const bn_msg *req);

int bnd_h_objective_add(bnd_ctx *cx, const bn_msg *req);
int bnd_h_objective_reach(bnd_ctx *cx, const bn_msg *req);
int bnd_h_objective_list(bnd_ctx *cx, const bn_msg *req);
int bnd_h_objective_edit(bnd_ctx *cx, const bn_msg *req);
int bnd_h_objective_abandon(bnd_ctx *cx, const bn_msg *req);
int bnd_h_objective_reopen(bnd_ctx *cx, const bn_msg *req);

/* bnd_session_mode reads a session's mode (BN_MODE_UNKNOWN when none is
 * recorded: sessions made before issue 13, or with no mode given). */
int bnd_session_mode(bnd_ctx *cx, uint64_t pair, uint64_t id, uint8_t *mode);

/* bnd_first_mode gives the mode of pair's first held session, whose day
 * is first_held (its counters'); BN_MODE_UNKNOWN when none. */
int bnd_first_mode(bnd_ctx *cx, uint64_t pair, uint32_t first_held,
                   uint8_t *mode);

int bnd_h_note_put(bnd_ctx *cx, const bn_msg *req);
int bnd_h_note_list(bnd_ctx *cx, const bn_msg *req);
int bnd_h_note_get(bnd_ctx *cx, const bn_msg *req);

int bnd_h_pair_erase(bnd_ctx *cx, const bn_msg *req);
int bnd_h_retention_set(bnd_ctx *cx, const bn_msg *req);
/* bnd_retention_days reads programme's retention period (0: none set). */
int bnd_retention_days(bnd_ctx *cx, uint64_t programme, uint32_t *days);

int bnd_h_doc_begin(bnd_ctx *cx, const bn_msg *req);
int bnd_h_doc_chunk(bnd_ctx *cx, const bn_msg *req);
int bnd_h_doc_list(bnd_ctx *cx, const bn_msg *req);
int bnd_h_doc_read(bnd_ctx *cx, const bn_msg *req);

/* the pair's log (bnd_h_log.c) */
int bnd_h_log_get(bnd_ctx *cx, const bn_msg *req);

/* statistics (bnd_h_stats.c) */
int bnd_h_stats_get(bnd_ctx *cx, const bn_msg *req);
int bnd_h_stats_pairs_get(bnd_ctx *cx, const bn_msg *req);
int bnd_h_stats_members_get(bnd_ctx *cx, const bn_msg *req);

/* live audit (bnd_h_audit.c): the check on the loop thread, the audit
 * itself off it */
int bnd_check_audit(bnd_server *srv, bnd_session *s, const bn_msg *req,
                    const char **errmsg);
int bnd_h_audit_get(bnd_ctx *cx, const bn_msg *req);

/* ---- documents: deleting abandoned uploads (bnd_h_doc.c) ------------------
 */

/* An incomplete document whose last chunk is older than this goes. */
#define BND_DOC_IDLE_S 86400

/*
 * bnd_doc_gc deletes, inside txn, incomplete documents idle since before
 * now - BND_DOC_IDLE_S and their chunks, at most budget chunks (0: no
 * limit): 1 when it stopped at the budget (call again), 0 when done.
 */
int bnd_doc_gc(bnd_store *st, MDB_txn *txn, int64_t now, uint64_t budget);

/* ---- erasing an account (bnd_h_account.c, issue 15) ----------------- */

int bnd_h_account_erase(bnd_ctx *cx, const bn_msg *req);

/* bnd_account_erased (bnd_h_common.c): 1 when account id was erased
 * (*when, may be NULL, gets the time), 0 when not, or a negative code. */
int bnd_account_erased(bnd_ctx *cx, uint64_t id, int64_t *when);

/* bnd_erased_keys (bnd_h_common.c) reads the public keys erased account
 * kept for pair (rec_erased_key): 0, BN_ENOTFOUND, or a code. */
int bnd_erased_keys(bnd_ctx *cx, uint64_t pair, uint64_t account,
                    uint8_t sign_pk[32], uint8_t box_pk[32]);

/* bnd_pair_shred (bnd_h_erase.c) deletes, zeroed, every ciphertext, wrap
 * and log entry of pair p and the erased members' keys kept for it;
 * strips its notes' envelope hashes and its objectives' envelopes. The
 * record and its status stay: the caller changes them. */
int bnd_pair_shred(bnd_ctx *cx, const bn_rec_pair *p);

#endif
