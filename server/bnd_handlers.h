/*
 * bnd_handlers.h: what request handlers share (internal to the server).
 *
 * A handler reads the request, checks it against the store inside cx->txn
 * (a read transaction on the loop thread, or a nested write transaction on
 * the writer thread for WRITE entries) and fills cx->rep. It returns 0, or
 * a negative BN_E* code that becomes the ERROR reply. Memory the reply
 * points to comes from bnd_ctx_alloc or records decoded into cx->arena; it
 * lives until the reply is encoded.
 */
#ifndef BND_HANDLERS_H
#define BND_HANDLERS_H

#include "bnd_schema.h"
#include "bnd_server.h"

typedef struct bnd_ctx_block bnd_ctx_block;

typedef struct bnd_ctx {
    bnd_server *srv;
    bnd_store *st;
    MDB_txn *txn;
    bnd_actor actor;      /* who asks (zeros before login) */
    const bn_channel *ch; /* the session's channel (reads only; LOGIN) */
    bn_msg *rep;          /* id preset; the handler sets type and fields */
    void *arena;          /* bn_struct_decode allocations */
    bnd_ctx_block *mem;   /* bnd_ctx_alloc allocations */
    bnd_actor login;      /* JOIN, LOGIN: the account now logged in */
    int did_login;
    int64_t now;    /* unix seconds */
    uint32_t today; /* day number, UTC */
} bnd_ctx;

/* bnd_ctx_alloc returns zeroed memory freed with the context, or NULL. */
void *bnd_ctx_alloc(bnd_ctx *cx, size_t size);

/* A handler on a transaction; a check on the loop thread, no store. */
typedef int (*bnd_handler_fn)(bnd_ctx *cx, const bn_msg *req);
typedef int (*bnd_check_fn)(bnd_server *srv, bnd_session *s, const bn_msg *req);

#define DB(cx, name) bnd_store_dbi((cx)->st, BND_DB_##name)

/* ---- helpers (bnd_h_common.c) -------------------------------------------- */

/* bnd_name_ok: 1 when s is a printable name (no control characters) of
 * 1..max bytes (0..max with allow_empty). */
int bnd_name_ok(bn_str s, int allow_empty);

int bnd_get_account(bnd_ctx *cx, uint64_t id, bn_rec_account *a);
int bnd_get_programme(bnd_ctx *cx, uint64_t id, bn_rec_programme *p);
int bnd_get_pair(bnd_ctx *cx, uint64_t id, bn_rec_pair *p);

/*
 * bnd_member_pair loads pair_id for a participant: BN_EDENIED when the
 * pair does not exist or the caller is not one of its members (one answer
 * for both, so ids cannot be probed). *me may be NULL.
 */
int bnd_member_pair(bnd_ctx *cx, uint64_t pair_id, bn_rec_pair *pair,
                    bn_rec_member *me);

/* bnd_pair_writable: 0 when pair is active, BN_ENOTACCEPTED when pending,
 * BN_EENDED otherwise. */
int bnd_pair_writable(const bn_rec_pair *pair);

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

/* bnd_pair_info fills the wire view of a pair (member names looked up). */
int bnd_pair_info(bnd_ctx *cx, const bn_rec_pair *p, bn_pair_info *out);

/* bnd_account_info fills the wire view of an account. */
void bnd_account_info(const bn_rec_account *a, bn_account_info *out);

/*
 * bnd_scan walks db from key start (MDB_SET_RANGE) while keys begin with
 * prefix (plen may be 0), calling fn for each entry. fn returns 0 to go
 * on, 1 to stop (the entry was not taken: the page is full) or a negative
 * code. bnd_scan returns 1 when fn stopped it (there is more), 0 at the
 * end, or a negative code.
 */
typedef int (*bnd_scan_fn)(bnd_ctx *cx, const MDB_val *key, const MDB_val *val,
                           void *arg);
int bnd_scan(bnd_ctx *cx, MDB_dbi db, const void *start, size_t slen,
             const void *prefix, size_t plen, bnd_scan_fn fn, void *arg);

/* bnd_page_size: list replies hold at most this many items. */
#define BND_PAGE 200u

/* ---- handlers ------------------------------------------------------------ */

int bnd_check_join(bnd_server *srv, bnd_session *s, const bn_msg *req);
int bnd_h_join(bnd_ctx *cx, const bn_msg *req);
int bnd_h_login(bnd_ctx *cx, const bn_msg *req);
int bnd_h_whoami(bnd_ctx *cx, const bn_msg *req);

int bnd_h_programme_create(bnd_ctx *cx, const bn_msg *req);
int bnd_h_programme_list(bnd_ctx *cx, const bn_msg *req);
int bnd_h_programme_get(bnd_ctx *cx, const bn_msg *req);
int bnd_h_invite_create(bnd_ctx *cx, const bn_msg *req);
int bnd_h_account_list(bnd_ctx *cx, const bn_msg *req);
int bnd_h_pair_create(bnd_ctx *cx, const bn_msg *req);

int bnd_h_pair_list(bnd_ctx *cx, const bn_msg *req);
int bnd_h_pair_get(bnd_ctx *cx, const bn_msg *req);
int bnd_h_pair_accept(bnd_ctx *cx, const bn_msg *req);
int bnd_h_key_put(bnd_ctx *cx, const bn_msg *req);
int bnd_h_pair_end(bnd_ctx *cx, const bn_msg *req);

int bnd_h_session_add(bnd_ctx *cx, const bn_msg *req);
int bnd_h_session_update(bnd_ctx *cx, const bn_msg *req);
int bnd_h_session_list(bnd_ctx *cx, const bn_msg *req);

int bnd_h_objective_add(bnd_ctx *cx, const bn_msg *req);
int bnd_h_objective_reach(bnd_ctx *cx, const bn_msg *req);
int bnd_h_objective_list(bnd_ctx *cx, const bn_msg *req);

int bnd_h_note_put(bnd_ctx *cx, const bn_msg *req);
int bnd_h_note_list(bnd_ctx *cx, const bn_msg *req);
int bnd_h_note_get(bnd_ctx *cx, const bn_msg *req);

#endif
