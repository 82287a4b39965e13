/*
 * bnd_quota.h: storage quotas per pair and per account (binomed.conf
 * quota_pair_mib and quota_account_mib), so that one member, or one pair,
 * cannot fill the database for everyone.
 *
 * A write that adds stored bytes calls bnd_quota_charge inside its own
 * write transaction (writer thread): the counters (the quota database,
 * bnd_schema.h) and the bytes commit together or not at all, and a write
 * that would take its pair or its author's account over the quota is
 * refused with BN_EQUOTA before anything lands; other pairs and accounts
 * go on. A stored item costs its ciphertext bytes plus
 * BND_QUOTA_ITEM_BYTES (its record, its key, its log entry), so that a
 * flood of small records (sessions, session updates) is bounded too.
 * What an account stores in a pair counts for the pair and for the account.
 *
 * Bytes come back when they leave the store: everything of an erased pair
 * (bnd_quota_pair_erased), a document upload that is abandoned or started
 * over (bnd_quota_release with bnd_quota_doc_cost). Note revisions stay
 * charged while the pair lives (they are kept), and so do ended pairs
 * until they are erased.
 *
 * Functions return 0 or a negative BN_E* code (store errors, BN_ECORRUPT
 * for a counter that does not decode).
 */
#ifndef BND_QUOTA_H
#define BND_QUOTA_H

#include <stdint.h>

#include "bnd_handlers.h"

#define BND_QUOTA_ITEM_BYTES 256u

/*
 * bnd_quota_charge charges payload + BND_QUOTA_ITEM_BYTES to pair and to
 * the caller's account (cx->actor) in cx->txn. BN_EQUOTA, with cx->errmsg
 * saying which quota and what to do, when either total would exceed its
 * quota (cx->srv->cfg); nothing is charged then. Call it once per stored
 * item, after the checks that make a retry a success (a retry stores
 * nothing and must not be charged).
 */
int bnd_quota_charge(bnd_ctx *cx, uint64_t pair, uint64_t payload);

/* bnd_quota_release gives back bytes that account had stored in pair
 * (counters stop at zero). */
int bnd_quota_release(bnd_store *st, MDB_txn *txn, uint64_t pair,
                      uint64_t account, uint64_t bytes);

/* bnd_quota_doc_cost: what document d and its chunks were charged (its
 * envelopes, its chunks' bytes, an item each). */
uint64_t bnd_quota_doc_cost(const bn_rec_doc *d);

/* bnd_quota_pair_erased gives back everything stored in pair, to the pair
 * and to each account that stored it (PAIR_ERASE). */
int bnd_quota_pair_erased(bnd_store *st, MDB_txn *txn, uint64_t pair);

/* bnd_quota_used reads what pair (account 0: the pair's total) or account
 * (pair 0: the account's total) or both stores into *bytes (0 when
 * nothing is counted). */
int bnd_quota_used(bnd_store *st, MDB_txn *txn, uint64_t pair, uint64_t account,
                   uint64_t *bytes);

/*
 * bnd_quota_open counts what a data directory made before quotas already
 * stores (every pair not erased: notes, objectives, documents, sessions),
 * once, when the quota database holds no counting version yet; then marks
 * it. Called by bnd_server_open before the writer starts.
 */
int bnd_quota_open(bnd_store *st);

#endif
