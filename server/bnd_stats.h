/*
 * bnd_stats.h: the statistics counters administrators steer with
 * ("pilotage"), kept by the writes themselves.
 *
 * Every counter is updated inside the write transaction that changes the
 * fact it counts (a session added or updated, an objective defined or
 * reached, a pair created, accepted, ended or erased, an account joining
 * a programme), so the counters and the facts commit together or not at
 * all, and STATS_GET reads one record instead of scanning sessions.
 *
 * Records (bnd_schema.h): rec_pair_stats under programme_id || pair_id in
 * pair_stats (so a programme's pairs are contiguous: STATS_PAIRS_GET
 * walks that prefix), rec_prog_stats under programme_id in prog_stats,
 * with the programme's sessions per month as a sorted list in the record
 * (bounded: every month binome accepts a date in fits).
 *
 * The hooks are to be called only when the fact really changes: a retry
 * that changes nothing, or a write that already landed, must not call
 * them (handlers check that before they write). They run inside txn (a
 * write transaction, or a nested one: a handler that fails afterwards
 * drops its counters with its facts). A missing counter record counts as
 * zeros. A counter that would go below zero stays at zero and is logged
 * (the counters disagree with the facts; nothing a client sent can cause
 * it).
 *
 * Functions return 0 or a negative BN_E* code (store errors, BN_ECORRUPT
 * for a stored record that does not decode, BN_ENOMEM).
 */
#ifndef BND_STATS_H
#define BND_STATS_H

#include <stdint.h>

#include "bnd_schema.h"
#include "bnd_store.h"

/* A session's plaintext facts, as the statistics see them. */
typedef struct bnd_session_fact {
    uint8_t status; /* enum bn_session_status */
    uint8_t absent; /* BN_ABSENT_* bits */
    uint32_t date;  /* day number */
} bnd_session_fact;

/* bnd_stats_month returns the month of day: year * 12 + month - 1. */
uint32_t bnd_stats_month(uint32_t day);

/*
 * bnd_stats_session moves a session of pair (in programme) from before to
 * after: NULL before for a new session. Counts by status, absences, the
 * programme's months, and the pair's first and last held dates. Call it
 * after the session record is written: when a held session stops being
 * held on the pair's first or last held day, those are recomputed from
 * the pair's sessions (that pair only).
 */
int bnd_stats_session(bnd_store *st, MDB_txn *txn, uint64_t pair,
                      uint64_t programme, const bnd_session_fact *before,
                      const bnd_session_fact *after);

/* An objective of pair was defined (added), or reached. */
int bnd_stats_objective_defined(bnd_store *st, MDB_txn *txn, uint64_t pair,
                                uint64_t programme);
int bnd_stats_objective_reached(bnd_store *st, MDB_txn *txn, uint64_t pair,
                                uint64_t programme);

/* bnd_stats_pair_created makes pair's (zero) counters and counts the new
 * pair under status (pending). BN_EEXIST if the pair has counters. */
int bnd_stats_pair_created(bnd_store *st, MDB_txn *txn, uint64_t pair,
                           uint64_t programme, uint8_t status);

/* bnd_stats_pair_status moves one pair of programme from one status to
 * another (enum bn_pair_status); nothing when they are equal. */
int bnd_stats_pair_status(bnd_store *st, MDB_txn *txn, uint64_t programme,
                          uint8_t old_status, uint8_t new_status);

/* bnd_stats_account_joined counts a mentor or mentee joining programme;
 * other roles (and programme 0) count nothing. */
int bnd_stats_account_joined(bnd_store *st, MDB_txn *txn, uint64_t programme,
                             uint8_t role);

/*
 * bnd_stats_prog_get reads programme's counters into *out (zeros, with
 * programme_id set, when it has none); the months list is allocated in
 * *arena (free with bn_arena_free).
 */
int bnd_stats_prog_get(bnd_store *st, MDB_txn *txn, uint64_t programme,
                       bn_rec_prog_stats *out, void **arena);

/* bnd_stats_pair_get reads pair's counters (BN_ENOTFOUND if none). */
int bnd_stats_pair_get(bnd_store *st, MDB_txn *txn, uint64_t pair,
                       uint64_t programme, bn_rec_pair_stats *out,
                       void **arena);

#endif
