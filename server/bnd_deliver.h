/*
 * bnd_deliver.h: the structure-level deliverables of a pairing (issue
 * 14), the few clear facts beside its sealed content: an objective's
 * target date (obj_targets), a document marked as the pairing's
 * self-diagnosis with its date (doc_marks), a session recorded as a
 * follow-up after the pair completed (session_follow) and the follow-ups
 * held (follow_counts). Each lives in a database of its own (the older
 * records' shapes are frozen); a missing row is the default (no target,
 * a plain document, not a follow-up, none held), so a directory made
 * before issue 14 needs no conversion.
 *
 * Functions return 0 or a negative BN_E* code (store errors, BN_ECORRUPT
 * for a row whose ids disagree with its key).
 */
#ifndef BND_DELIVER_H
#define BND_DELIVER_H

#include <stdint.h>

#include "bnd_handlers.h"
#include "bnd_stats.h"

/* bnd_objective_target reads objective id's target date (0: none);
 * bnd_objective_target_set writes it (0: deletes the row). */
int bnd_objective_target(bnd_ctx *cx, uint64_t pair, uint64_t id,
                         uint32_t *target);
int bnd_objective_target_set(bnd_ctx *cx, uint64_t pair, uint64_t id,
                             uint32_t target);

/* bnd_doc_mark reads document doc's mark (kind BN_DOC_PLAIN, date 0 when
 * none); bnd_doc_mark_set writes it (a plain document: deletes the row,
 * which bnd_doc_mark_del does too; no row is a success). */
int bnd_doc_mark(bnd_ctx *cx, uint64_t pair, uint64_t doc, uint8_t *kind,
                 uint32_t *date);
int bnd_doc_mark_set(bnd_ctx *cx, uint64_t pair, uint64_t doc, uint8_t kind,
                     uint32_t date);
int bnd_doc_mark_del(bnd_ctx *cx, uint64_t pair, uint64_t doc);

/* bnd_follow_up_add marks session id of pair (in programme) a follow-up
 * and counts it, held or planned as the session counters count (f),
 * in the pair's and the programme's follow_counts rows (a cancelled one
 * counts nothing). Call it once, when the session is made: a follow-up
 * is never updated (its pair takes no other write). */
int bnd_follow_up_add(bnd_ctx *cx, uint64_t pair, uint64_t programme,
                      uint64_t id, const bnd_session_fact *f);

/* bnd_follow_ups reads the follow-ups held and planned of pair in
 * programme (pair 0: the programme's); zeros when there is no row. */
int bnd_follow_ups(bnd_ctx *cx, uint64_t programme, uint64_t pair,
                   uint32_t *held, uint32_t *planned);

/* What the statistics show of a pair's deliverables, computed when asked
 * (overdue depends on the day): its objectives with a target date that
 * passed (before today) and still open, those reached on or before their
 * target date, and the date of its latest self-diagnosis (0: none). */
typedef struct bnd_deliver {
    uint32_t overdue;
    uint32_t on_time;
    uint32_t diagnosis_date;
} bnd_deliver;

/* bnd_pair_deliver computes *out for pair on cx->today: it walks the
 * pair's target and mark rows only. */
int bnd_pair_deliver(bnd_ctx *cx, uint64_t pair, bnd_deliver *out);

#endif
