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
 * What a session counts (one function in bnd_stats.c applies it, for the
 * writes and for the recount alike):
 *   - held: recorded held with at least one member present. Only these
 *     give the first and last held days (at-risk detection and the
 *     rhythm use them) and the held counts.
 *   - cancelled: recorded cancelled, or recorded held with both members
 *     absent (the session did not take place).
 *   - planned: recorded planned.
 *   - an absence: a member absent from a session recorded held (a
 *     session both missed counts one for each); absences recorded on a
 *     planned or a cancelled session count nothing. A side's absences
 *     (issue 14) are its members named absent (session_absent); a side
 *     whose absent bit is set with nobody named (an older client, or a
 *     session recorded before issue 14: the server accepts that only for
 *     a side of one member) counts one.
 * The session records keep what the members recorded; only the counts
 * read it so. These rules are counting version BND_STATS_COUNTING,
 * stored in meta under "stats" (a rec_meta): a daemon that opens a
 * directory counted under an older version, or under none (before issue
 * 13), recounts every session counter from the sessions at start
 * (bnd_stats_open), and `binomed upgrade` recounts as it converts. The
 * records keep their shape: no schema change.
 *
 * Functions return 0 or a negative BN_E* code (store errors, BN_ECORRUPT
 * for a stored record that does not decode, BN_ENOMEM).
 */
#ifndef BND_STATS_H
#define BND_STATS_H

#include <stdint.h>

#include "bnd_schema.h"
#include "bnd_store.h"

/* A session's plaintext facts, as the statistics see them. n_mentor and
 * n_mentee (issue 14) are the members of each side named absent: with a
 * side's bit set and none named, the side counts one absence. */
typedef struct bnd_session_fact {
    uint8_t status; /* enum bn_session_status */
    uint8_t absent; /* BN_ABSENT_* bits */
    uint32_t date;  /* day number */
    uint8_t n_mentor, n_mentee;
} bnd_session_fact;

/* bnd_stats_fact fills *f from session s: its record, and the roles of
 * the members its session_absent row names (BN_ECORRUPT for a name that
 * is no member record of the pair). */
int bnd_stats_fact(bnd_store *st, MDB_txn *txn, const bn_rec_session *s,
                   bnd_session_fact *f);

/* bnd_stats_side_absences: how many absences of a side a fact counts
 * (side_bit BN_ABSENT_MENTOR or BN_ABSENT_MENTEE), before the rules'
 * held test. */
uint32_t bnd_stats_side_absences(const bnd_session_fact *f, uint8_t side_bit);

/* The version of the counting rules above (1: every session counted by
 * its recorded status, absences on any status). */
#define BND_STATS_COUNTING 2

/* bnd_stats_month returns the month of day: year * 12 + month - 1. */
uint32_t bnd_stats_month(uint32_t day);

/* bnd_stats_held says whether a session with facts f counts as held (the
 * rules above): 1 or 0. */
int bnd_stats_held(const bnd_session_fact *f);

/*
 * bnd_stats_session moves a session of pair (in programme) from before to
 * after: NULL before for a new session. Counts, as the rules above read
 * the facts, by status, absences, the programme's months, and the pair's
 * first and last held dates. Call it after the session record is written:
 * when a held session stops being held on the pair's first or last held
 * day, those are recomputed from the pair's sessions (that pair only).
 */
int bnd_stats_session(bnd_store *st, MDB_txn *txn, uint64_t pair,
                      uint64_t programme, const bnd_session_fact *before,
                      const bnd_session_fact *after);

/* An objective of pair was defined (added), or reached. */
int bnd_stats_objective_defined(bnd_store *st, MDB_txn *txn, uint64_t pair,
                                uint64_t programme);
int bnd_stats_objective_reached(bnd_store *st, MDB_txn *txn, uint64_t pair,
                                uint64_t programme);

/*
 * bnd_stats_objective moves an objective of pair from status before to
 * after (enum bn_objective_status; 0: no objective). What each status
 * counts: objectives_defined counts those open or reached (an abandoned
 * objective leaves it), objectives_reached those reached, and the
 * abandoned ones are counted apart in obj_counts (pair's row and
 * the programme's row, pair 0), since the stats records' shape is
 * frozen. Reopening (reached or abandoned to defined) un-counts.
 */
int bnd_stats_objective(bnd_store *st, MDB_txn *txn, uint64_t pair,
                        uint64_t programme, uint8_t before, uint8_t after);

/* bnd_stats_objective_counts_get reads the abandoned count of pair in
 * programme (pair 0: the programme's); 0 when there is no row. */
int bnd_stats_objective_counts_get(bnd_store *st, MDB_txn *txn,
                                   uint64_t programme, uint64_t pair,
                                   uint32_t *abandoned);

/* bnd_stats_follow_up: 1 when session id of pair is a follow-up (issue
 * 14: a row of session_follow; bnd_deliver.h), 0 when not, or a negative
 * code. Follow-ups count apart from the pairing's sessions: the recount
 * and the first and last held days skip them. */
int bnd_stats_follow_up(bnd_store *st, MDB_txn *txn, uint64_t pair,
                        uint64_t id);

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

/*
 * bnd_stats_recount recounts, inside txn, every session counter of every
 * programme and pair (sessions by status, absences, months, first and
 * last held days) from the sessions database, each session through the
 * hook SESSION_ADD calls (bnd_stats_session with no before), and stores
 * BND_STATS_COUNTING in meta. Other counters (people, pairs by status,
 * objectives, and the abandoned ones in obj_counts) are kept: an
 * erased pair's objectives are gone but still count, so they cannot be
 * counted again from the objectives database. BN_ECORRUPT for a session of no
 * pair.
 */
int bnd_stats_recount(bnd_store *st, MDB_txn *txn);

/* bnd_stats_counting reads the counting version stored in meta (1 when
 * none is: a directory counted before issue 13). */
int bnd_stats_counting(bnd_store *st, MDB_txn *txn, uint32_t *version);

/* bnd_stats_open, when the daemon opens st: recounts (one write
 * transaction) unless the counters were counted under BND_STATS_COUNTING. */
int bnd_stats_open(bnd_store *st);

#endif
