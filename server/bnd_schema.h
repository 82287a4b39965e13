/* The layout table below is generated (82 columns): not reflowed. */
/* clang-format off */
/*
 * bnd_schema.h: every record binomed stores in LMDB, in one place.
 *
 * Records are described with the wire schema's macros (bn_schema.h,
 * "generic structures" in bn_proto.h) and encoded with bn_struct_encode /
 * bn_struct_decode, so the store gets the same strict decoder as the
 * network. Ciphertext fields are ENV: an auditor walking these
 * descriptions knows which bytes must be well-formed envelopes and that
 * every other field is plaintext metadata.
 *
 * Databases (named, in one environment), their keys and their records,
 * as bnd_layout.h describes them once: the table between the markers is
 * what `binomed audit --layout` prints, and test_srv_store fails when it
 * differs. Key parts are side by side; integers are big-endian so that a
 * range scan walks them in numeric order.
 *
 * layout:begin
 * database       key: parts (bytes), side by side             value
 * meta           name (string)                                rec_meta
 * accounts       account_id (8)                               rec_account
 * programmes     programme_id (8)                             rec_programme
 * invites        token_hash (32)                              rec_invite
 * pairs          pair_id (8)                                  rec_pair
 * members        pair_id (8) || account_id (8)                rec_member
 * account_pairs  account_id (8) || pair_id (8)                (no record)
 * accepts        pair_id (8) || account_id (8)                rec_accept
 * wraps          pair_id (8) || epoch (4) || member_id (8)    rec_wrap
 * notes          pair_id (8) || note_id (8) || revision (4)   rec_note
 * note_envs      pair_id (8) || note_id (8) || revision (4)   rec_note_env
 * sessions       pair_id (8) || session_id (8)                rec_session
 * objectives     pair_id (8) || objective_id (8)              rec_objective
 * log            pair_id (8) || seq (8)                       rec_log
 * docs           pair_id (8) || doc_id (8)                    rec_doc
 * doc_chunks     pair_id (8) || doc_id (8) || index (4)       rec_doc_chunk
 * scrub          page (8)                                     (no record)
 * pair_stats     programme_id (8) || pair_id (8)              rec_pair_stats
 * prog_stats     programme_id (8)                             rec_prog_stats
 * quota          pair_id (8) || account_id (8)                rec_quota
 * prog_settings  programme_id (8)                             rec_prog_settings
 * retention      programme_id (8)                             rec_retention
 * prog_calendar  programme_id (8)                             rec_prog_calendar
 * pair_dates     pair_id (8)                                  rec_pair_dates
 * prog_accepts   programme_id (8)                             rec_prog_accept
 * questionnaires programme_id (8)                             rec_questionnaire
 * answered       pair_id (8) || account_id (8)                (no record)
 * session_modes  pair_id (8) || session_id (8)                rec_session_mode
 * obj_counts     programme_id (8) || pair_id (8)              rec_obj_counts
 * prog_teams     programme_id (8)                             rec_prog_team
 * side_wraps     pair_id (8) || epoch (4) || member_id (8)    rec_wrap
 * note_sides     pair_id (8) || note_id (8)                   rec_note_side
 * obj_targets    pair_id (8) || objective_id (8)              rec_obj_target
 * doc_marks      pair_id (8) || doc_id (8)                    rec_doc_mark
 * session_follow pair_id (8) || session_id (8)                rec_follow_up
 * follow_counts  programme_id (8) || pair_id (8)              rec_follow_counts
 * session_absent pair_id (8) || session_id (8)                rec_session_absent
 * devices        account_id (8) || device (4)                 rec_device
 * recovery       account_id (8)                               rec_recovery
 * erased         account_id (8)                               rec_erased
 * erased_keys    pair_id (8) || account_id (8)                rec_erased_key
 * layout:end
 *
 * meta holds "schema" -> rec_meta, "stats" -> rec_meta (the version of the
 * statistics' counting rules, bnd_stats.h; absent before issue 13) and
 * "next.<kind>" -> an 8-byte counter.
 * account_pairs is an index (empty values). scrub is transient:
 * bnd_store_scrub fills free pages with zeros through it.
 *
 * prog_settings, prog_calendar and pair_dates (issue 13) are absent from
 * a directory made before them: opening the store creates them empty,
 * and an absent record means the defaults; no schema version change.
 * prog_settings (issue 13) is absent from a directory made before it:
 * opening the store creates it empty, and an absent record means the
 * defaults; no schema version change. So are prog_accepts (no record: the
 * structure has not signed the charter), questionnaires (no record: no
 * questionnaire) and answered (an index, empty values: who answered the
 * questionnaire for which pair, and nothing of what they answered).
 * defaults; no schema version change. So are session_modes (a session
 * without a row: mode unknown) and obj_counts (no row: nothing
 * abandoned), both issue 13.
 *
 * pair_stats is keyed by programme first so that a programme's pairs are
 * contiguous: it is also the index STATS_PAIRS_GET walks (bnd_stats.h).
 *
 * quota holds the storage each pair and account uses (bnd_quota.h): under
 * pair || account the bytes that account stored in that pair, under
 * pair || 0 the pair's total, under 0 || account the account's total over
 * its pairs, and under 0 || 0 the version of the counting (absent in a
 * directory made before quotas: the counters are then rebuilt from the
 * records when the daemon opens it; no schema version change).
 *
 * Schema 2 added the pair's log head (rec_pair), the session's log seq,
 * and the log and document databases. Schema 3 added the statistics
 * counters (pair_stats, prog_stats), kept by the writes themselves.
 * Schema 4 (issue 11): log entries of version 2 (rec_log's entry is 152
 * or 168 bytes), a session's id is the seq of its log entry (ids are per
 * pair), and three fields at the end of their records: rec_wrap.key_id,
 * rec_accept.members_hash, rec_doc.final_hash. `binomed upgrade`
 * (bnd_upgrade.h) converts a schema 3 directory; the BN_F_rec3_* macros
 * keep the schema 3 shape of the records it rewrites. Any other version
 * is refused.
 */
/* clang-format on */
#ifndef BND_SCHEMA_H
#define BND_SCHEMA_H

#include "bn_proto.h"

#define BND_SCHEMA_VERSION 4
/* The one older schema that bnd_upgrade converts. */
#define BND_SCHEMA_UPGRADE_FROM 3

#define BN_F_rec_meta(F, T)                                                    \
    F(T, U32, version, 0, 0)                                                   \
    F(T, I64, created, 0, 0)

#define BN_F_rec_account(F, T)                                                 \
    F(T, U64, id, 0, 0)                                                        \
    F(T, U8, role, BN_ROLE_MAX, 0)                                             \
    F(T, STR, name, BN_NAME_MAX, 0)                                            \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, BINF, sign_pk, BN_SIGN_PK_BYTES, 0)                                   \
    F(T, BINF, box_pk, BN_BOX_PK_BYTES, 0)                                     \
    F(T, I64, created, 0, 0)

#define BN_F_rec_programme(F, T)                                               \
    F(T, U64, id, 0, 0)                                                        \
    F(T, STR, name, BN_TITLE_MAX, 0)                                           \
    F(T, STR, theme, BN_TITLE_MAX, 0)                                          \
    F(T, U32, months, BN_MONTHS_MAX, 0)                                        \
    F(T, U8, frequency, BN_FREQ_MAX, 0)                                        \
    F(T, U8, format, BN_FORMAT_MAX, 0)                                         \
    F(T, STR, charter, BN_CHARTER_MAX, 0)                                      \
    F(T, BINF, charter_hash, BN_HASH_BYTES, 0)                                 \
    F(T, U64, created_by, 0, 0)                                                \
    F(T, I64, created, 0, 0)

#define BN_F_rec_invite(F, T)                                                  \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U8, role, BN_ROLE_MAX, 0)                                             \
    F(T, U64, created_by, 0, 0)                                                \
    F(T, I64, created, 0, 0)                                                   \
    F(T, I64, expires, 0, 0)                                                   \
    F(T, BOOL, used, 0, 0)                                                     \
    F(T, U64, used_by, 0, 0)                                                   \
    F(T, I64, used_at, 0, 0)

#define BN_F_rec_pair(F, T)                                                    \
    F(T, U64, id, 0, 0)                                                        \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U64, mentor_id, 0, 0)                                                 \
    F(T, U64, mentee_id, 0, 0)                                                 \
    F(T, U8, status, BN_PAIR_STATUS_MAX, 0)                                    \
    F(T, U8, accepted, 3, 0)                                                   \
    F(T, U32, start_date, BN_DATE_MAX, 0)                                      \
    F(T, U32, end_date, BN_DATE_MAX, 0)                                        \
    F(T, U8, end_reason, BN_END_REASON_MAX, 0)                                 \
    F(T, U64, ended_by, 0, 0)                                                  \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, U64, created_by, 0, 0)                                                \
    F(T, I64, created, 0, 0)                                                   \
    F(T, U64, log_seq, 0, 0)                                                   \
    F(T, BINF, log_head, BN_HASH_BYTES, 0)

/* A member holds the pair's keys of epochs [from_epoch, to_epoch); a
 * to_epoch of 0 means "still a member". */
#define BN_F_rec_member(F, T)                                                  \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, U8, role, BN_ROLE_MAX, 0)                                             \
    F(T, U32, from_epoch, 0, 0)                                                \
    F(T, U32, to_epoch, 0, 0)

/* A charter signature (bn_charter_sign), kept as evidence of consent,
 * and the members hash the accepting member's client sent (schema 4; the
 * upgrade leaves zeros: accepted before the hash existed). */
#define BN_F_rec3_accept(F, T)                                                 \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, BINF, charter_hash, BN_HASH_BYTES, 0)                                 \
    F(T, BINF, sig, BN_SIG_BYTES, 0)                                           \
    F(T, I64, time, 0, 0)
#define BN_F_rec_accept(F, T)                                                  \
    BN_F_rec3_accept(F, T) F(T, BINF, members_hash, BN_HASH_BYTES, 0)

/* A pair key wrapped for one member (crypto_box_seal: opaque, signed),
 * and the key's public commitment (bn_pairkey_id; schema 4, zeros for
 * wraps made before it). */
#define BN_F_rec3_wrap(F, T)                                                   \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, U64, member_id, 0, 0)                                                 \
    F(T, U64, wrapper_id, 0, 0)                                                \
    F(T, BINF, wrap, BN_WRAP_BYTES, 0)                                         \
    F(T, I64, created, 0, 0)
#define BN_F_rec_wrap(F, T)                                                    \
    BN_F_rec3_wrap(F, T) F(T, BINF, key_id, BN_HASH_BYTES, 0)

/* A note revision's plaintext metadata; its envelope is in note_envs so
 * that listing never reads ciphertext. */
#define BN_F_rec_note(F, T)                                                    \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, note_id, 0, 0)                                                   \
    F(T, U32, revision, 0, 0)                                                  \
    F(T, U8, kind, BN_KIND_MAX, 0)                                             \
    F(T, BOOL, is_private, 0, 0)                                               \
    F(T, U64, author_id, 0, 0)                                                 \
    F(T, U64, session_id, 0, 0)                                                \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, I64, created, 0, 0)                                                   \
    F(T, U32, size, 0, 0)                                                      \
    F(T, BINF, env_hash, BN_HASH_BYTES, 0)

#define BN_F_rec_note_env(F, T) F(T, ENV, envelope, BN_ENVELOPE_MAX, 0)

/* A meeting: plaintext facts the programme steers with. */
#define BN_F_rec_session(F, T)                                                 \
    F(T, U64, id, 0, 0)                                                        \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, U8, status, BN_SESSION_STATUS_MAX, 0)                                 \
    F(T, U8, absent, BN_ABSENT_MAX, 0)                                         \
    F(T, U64, created_by, 0, 0)                                                \
    F(T, I64, created, 0, 0)                                                   \
    F(T, U64, updated_by, 0, 0)                                                \
    F(T, I64, updated, 0, 0)                                                   \
    F(T, U64, log_seq, 0, 0)

/* An objective: its text is an envelope; status and dates are clear. */
#define BN_F_rec_objective(F, T)                                               \
    F(T, U64, id, 0, 0)                                                        \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, author_id, 0, 0)                                                 \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, ENV, envelope, BN_SMALL_ENVELOPE_MAX, 0)                              \
    F(T, U8, status, BN_OBJECTIVE_STATUS_MAX, 0)                               \
    F(T, U32, defined_date, BN_DATE_MAX, 0)                                    \
    F(T, U32, reached_date, BN_DATE_MAX, 0)                                    \
    F(T, U64, reached_by, 0, 0)                                                \
    F(T, I64, created, 0, 0)

/* One entry of the pair's log (bn_log_entry_encode), as its author signed
 * it: version 2 (BN_LOG_ENTRY_BYTES) for every write since schema 4,
 * version 1 (BN_LOG_ENTRY_V1_BYTES) for those an upgraded store kept. */
#define BN_F_rec_log(F, T) F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)

/* A document: its key and header are envelopes under the pair key and the
 * document key; chunks, bytes and complete track the upload. updated is
 * the time of the last chunk: incomplete documents idle for more than
 * BND_DOC_IDLE_S are deleted. */
#define BN_F_rec3_doc(F, T)                                                    \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, doc_id, 0, 0)                                                    \
    F(T, U64, author_id, 0, 0)                                                 \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, ENV, key_env, BN_SMALL_ENVELOPE_MAX, 0)                               \
    F(T, ENV, header_env, BN_SMALL_ENVELOPE_MAX, 0)                            \
    F(T, BINF, stream_header, BN_DOC_STREAM_HEADER_BYTES, 0)                   \
    F(T, U32, chunks, 0, 0)                                                    \
    F(T, U64, bytes, 0, 0)                                                     \
    F(T, BOOL, complete, 0, 0)                                                 \
    F(T, I64, created, 0, 0)                                                   \
    F(T, I64, updated, 0, 0)
#define BN_F_rec_doc(F, T)                                                     \
    BN_F_rec3_doc(F, T) F(T, BINF, final_hash, BN_HASH_BYTES, 0)

/* One secretstream chunk of a document (bn_doc_push output: ciphertext,
 * not a bn_envelope; an auditor checks its length against
 * BN_DOC_CHUNK_OVERHEAD). */
#define BN_F_rec_doc_chunk(F, T) F(T, ENV, data, BN_DOC_CHUNK_MAX, 0)

/* Statistics counters (bnd_stats.h): plaintext counts of the plaintext
 * facts above, updated in the transaction that writes each fact. Dates
 * are day numbers (0: none). What a session counts as (held, cancelled,
 * an absence) is stated once, in bnd_stats.h: a session recorded held
 * with both members absent counts as cancelled, and absences count only
 * on sessions recorded held. first_held and last_held are the days of
 * the sessions that count as held. */
#define BN_F_rec_pair_stats(F, T)                                              \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U32, sessions_held, 0, 0)                                             \
    F(T, U32, sessions_planned, 0, 0)                                          \
    F(T, U32, sessions_cancelled, 0, 0)                                        \
    F(T, U32, absent_mentor, 0, 0)                                             \
    F(T, U32, absent_mentee, 0, 0)                                             \
    F(T, U32, objectives_defined, 0, 0)                                        \
    F(T, U32, objectives_reached, 0, 0)                                        \
    F(T, U32, first_held, BN_DATE_MAX, 0)                                      \
    F(T, U32, last_held, BN_DATE_MAX, 0)

/* A programme's counters and its sessions per month (held, planned,
 * cancelled by the month of the session's date; month = year * 12 +
 * month - 1), sorted by month. Every month binome accepts a date in fits:
 * the list is bounded by BND_STATS_MONTHS_MAX. */
#define BND_STATS_MONTHS_MAX 2400u /* 2000-01 .. 2199-12 */
#define BN_F_rec_prog_stats(F, T)                                              \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U32, mentors, 0, 0)                                                   \
    F(T, U32, mentees, 0, 0)                                                   \
    F(T, U32, pairs_pending, 0, 0)                                             \
    F(T, U32, pairs_active, 0, 0)                                              \
    F(T, U32, pairs_completed, 0, 0)                                           \
    F(T, U32, pairs_withdrawn, 0, 0)                                           \
    F(T, U32, pairs_erased, 0, 0)                                              \
    F(T, U32, sessions_held, 0, 0)                                             \
    F(T, U32, sessions_planned, 0, 0)                                          \
    F(T, U32, sessions_cancelled, 0, 0)                                        \
    F(T, U32, absent_mentor, 0, 0)                                             \
    F(T, U32, absent_mentee, 0, 0)                                             \
    F(T, U32, objectives_defined, 0, 0)                                        \
    F(T, U32, objectives_reached, 0, 0)                                        \
    F(T, LIST, months, stats_month, BND_STATS_MONTHS_MAX)

/* Bytes stored (bnd_quota.h): what the quota database counts. */
#define BN_F_rec_quota(F, T) F(T, U64, bytes, 0, 0)

/* A programme's settings that came after rec_programme's shape was
 * frozen (issue 13), in their own database so that a directory made
 * before them opens unchanged: a programme without a record here has
 * the defaults (bnd_programme_settings). mentees_per_mentor: how many
 * pending or active pairs one mentor may have at once. */
#define BN_F_rec_prog_settings(F, T)                                           \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U32, mentees_per_mentor, BN_MENTEES_PER_MENTOR_MAX, 0)
/* A programme's retention period (issue 13): days after a pair ended
 * from which its content may be erased without both members' consent (0:
 * never), who set it and when. Absent: 0. */
#define BN_F_rec_retention(F, T)                                               \
    F(T, U32, days, BN_RETENTION_DAYS_MAX, 0)                                  \
    F(T, U64, set_by, 0, 0)                                                    \
    F(T, I64, set_at, 0, 0)

/* A programme's calendar (issue 13, its own database like
 * rec_prog_settings): its start and end days (0: not set), sessions are
 * dated between them; min_months, the minimum pair duration before a
 * pair may end completed without override (0: the programme's months).
 * Who set it last, and when. */
#define BN_F_rec_prog_calendar(F, T)                                           \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U32, start_date, BN_DATE_MAX, 0)                                      \
    F(T, U32, end_date, BN_DATE_MAX, 0)                                        \
    F(T, U32, min_months, BN_MONTHS_MAX, 0)                                    \
    F(T, U64, set_by, 0, 0)                                                    \
    F(T, I64, set_at, 0, 0)

/* A pair's dates that are the coordinator's or the server's word (issue
 * 13): the start the coordinator set (PAIR_START: rec_pair.start_date is
 * that day too; 0: never set, the start is the second acceptance's day),
 * by whom and when; and whether a member ended it completed before the
 * programme's minimum duration on purpose (PAIR_END override), by whom,
 * when. */
#define BN_F_rec_pair_dates(F, T)                                              \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U32, start_date, BN_DATE_MAX, 0)                                      \
    F(T, U64, start_set_by, 0, 0)                                              \
    F(T, I64, start_set_at, 0, 0)                                              \
    F(T, U64, override_by, 0, 0)                                               \
    F(T, I64, override_at, 0, 0)

/* The structure's signature of a programme's charter (issue 13): the
 * administrator who signed it, when, the charter hash signed and the
 * Ed25519 signature (bn_charter_prog_sign), checked by the pairs' clients
 * against account_id's key. */
#define BN_F_rec_prog_accept(F, T)                                             \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, BINF, charter_hash, BN_HASH_BYTES, 0)                                 \
    F(T, BINF, sig, BN_SIG_BYTES, 0)                                           \
    F(T, I64, time, 0, 0)

/* A programme's end-of-pairing questionnaire (issue 13): its questions,
 * the answers waiting in a pool (fewer than BN_QUESTIONNAIRE_BATCH, no
 * account or pair, sorted so that not even their order of arrival is
 * kept) and the counters they are folded into BN_QUESTIONNAIRE_BATCH at
 * a time: answers folded, per question how many rated it 1 to 5, how
 * many said the objectives were met, partly met, not met. */
#define BN_F_rec_questionnaire(F, T)                                           \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, LIST, questions, question, BN_QUESTIONS_MAX)                          \
    F(T, LIST, pool, pending_answer, BN_QUESTIONNAIRE_BATCH)                   \
    F(T, U32, answers, 0, 0)                                                   \
    F(T, LIST, rated, rating_counts, BN_QUESTIONS_MAX)                         \
    F(T, U32, objectives_yes, 0, 0)                                            \
    F(T, U32, objectives_partly, 0, 0)                                         \
    F(T, U32, objectives_no, 0, 0)

/* How a session was held (enum bn_session_mode), set by SESSION_MODE_SET
 * (issue 13): rec_session's shape is frozen. No row: unknown. */
#define BN_F_rec_session_mode(F, T)                                            \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, session_id, 0, 0)                                                \
    F(T, U8, mode, BN_MODE_MAX, 0)

/* Objectives abandoned (issue 13), beside the defined and reached counts
 * of rec_pair_stats and rec_prog_stats (whose shape is frozen): under
 * programme || pair for a pair, programme || 0 for the programme. No row:
 * none. */
#define BN_F_rec_obj_counts(F, T)                                              \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U32, abandoned, 0, 0)

/* How many members a side of the programme's pairs may have (issue 14):
 * 1 (pairs of two people, the default: no row) to BN_SIDE_MAX, set by an
 * administrator, who and when. */
#define BN_F_rec_prog_team(F, T)                                               \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U32, side_max, BN_SIDE_MAX, 0)                                        \
    F(T, U64, set_by, 0, 0)                                                    \
    F(T, I64, set_at, 0, 0)

/* A note kept to one side of a team pairing (issue 14): sealed with that
 * side's key (side_wraps: the side keys' wraps, rec_wrap's shape), served
 * to the members of that side only. No row: a note for the whole pair. */
#define BN_F_rec_note_side(F, T)                                               \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, note_id, 0, 0)                                                   \
    F(T, U8, side, BN_ROLE_MAX, 0)

/* An objective's target date (issue 14), set by OBJECTIVE_ADD and
 * OBJECTIVE_EDIT: rec_objective's shape is frozen. No row: none. */
#define BN_F_rec_obj_target(F, T)                                              \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, objective_id, 0, 0)                                              \
    F(T, U32, target_date, BN_DATE_MAX, 0)

/* A document marked as the pairing's self-diagnosis, with its date
 * (issue 14), by its final DOC_CHUNK. No row: a plain document. */
#define BN_F_rec_doc_mark(F, T)                                                \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, doc_id, 0, 0)                                                    \
    F(T, U8, kind, BN_DOC_KIND_MAX, 0)                                         \
    F(T, U32, date, BN_DATE_MAX, 0)

/* A follow-up session (issue 14): recorded after its pair completed,
 * counted apart from the pairing's own sessions. No row: not one. */
#define BN_F_rec_follow_up(F, T)                                               \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, session_id, 0, 0)                                                \
    F(T, BOOL, follow_up, 0, 0)

/* Follow-up sessions held and planned (issue 14; as the session counters
 * count them: bnd_stats.h), under programme || pair for a pair and
 * programme || 0 for the programme (as obj_counts). No row: none. */
#define BN_F_rec_follow_counts(F, T)                                           \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U32, held, 0, 0)                                                      \
    F(T, U32, planned, 0, 0)

/* Who of the pair's members was absent from a session (issue 14), by
 * increasing account id, as the last SESSION_ADD or SESSION_UPDATE named
 * them: rec_session's shape is frozen; and who SESSION_ADD named (added),
 * which the members' clients need to check that entry once an update
 * changed the list. No row: nobody named, then or since (the absent bits
 * alone then speak for whole sides). */
#define BN_F_rec_session_absent(F, T)                                          \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, session_id, 0, 0)                                                \
    F(T, LIST, absentees, account_ref, BN_MEMBERS_MAX)                         \
    F(T, LIST, added, account_ref, BN_MEMBERS_MAX)

/* A device of an account (issue 15): its own login key, the name its
 * owner gave it, added and removed (0: in use); removed rows stay so that
 * a number is never reused. */
#define BN_F_rec_device(F, T)                                                  \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, U32, device, BN_DEVICES_MAX, 0)                                       \
    F(T, BINF, login_pk, BN_SIGN_PK_BYTES, 0)                                  \
    F(T, STR, name, BN_DEVICE_NAME_MAX, 0)                                     \
    F(T, I64, added, 0, 0)                                                     \
    F(T, I64, removed, 0, 0)

/* An account's identity sealed under its recovery code (issue 15): the
 * hash of the code's lookup id and the sealed identity, which only the
 * code opens. */
#define BN_F_rec_recovery(F, T)                                                \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, BINF, id_hash, BN_HASH_BYTES, 0)                                      \
    F(T, BINF, blob, BN_RECOVERY_BLOB_BYTES, 0)                                \
    F(T, I64, created, 0, 0)
/* An erased account (issue 15): when, and by whom (the account itself,
 * or the administrator who erased it on request). rec_account's shape is
 * frozen: its record keeps its id, role, programme and creation time (the
 * programme's counts), its name emptied and its public keys zeroed. */
#define BN_F_rec_erased(F, T)                                                  \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, I64, erased_at, 0, 0)                                                 \
    F(T, U64, erased_by, 0, 0)

/* An erased member's public keys, kept for one pair while another member
 * of it remains (issue 15): that member's client checks the signatures
 * of what the erased member wrote there and the pair's signed member
 * list against them. Deleted with the pair's content once every member
 * of it is erased, or the pair is. */
#define BN_F_rec_erased_key(F, T)                                              \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, BINF, sign_pk, BN_SIGN_PK_BYTES, 0)                                   \
    F(T, BINF, box_pk, BN_BOX_PK_BYTES, 0)

#define BND_RECS(X)                                                            \
    X(rec_meta)                                                                \
    X(rec_account)                                                             \
    X(rec_programme)                                                           \
    X(rec_invite)                                                              \
    X(rec_pair)                                                                \
    X(rec_member)                                                              \
    X(rec_accept)                                                              \
    X(rec_wrap)                                                                \
    X(rec_note)                                                                \
    X(rec_note_env)                                                            \
    X(rec_session)                                                             \
    X(rec_objective)                                                           \
    X(rec_log)                                                                 \
    X(rec_doc)                                                                 \
    X(rec_doc_chunk)                                                           \
    X(rec_pair_stats)                                                          \
    X(rec_prog_stats)                                                          \
    X(rec_quota)                                                               \
    X(rec_prog_settings)                                                       \
    X(rec_retention)                                                           \
    X(rec_prog_calendar)                                                       \
    X(rec_pair_dates)                                                          \
    X(rec_prog_accept)                                                         \
    X(rec_questionnaire)                                                       \
    X(rec_session_mode)                                                        \
    X(rec_obj_counts)                                                          \
    X(rec_prog_team)                                                           \
    X(rec_note_side)                                                           \
    X(rec_obj_target)                                                          \
    X(rec_doc_mark)                                                            \
    X(rec_follow_up)                                                           \
    X(rec_follow_counts)                                                       \
    X(rec_session_absent)                                                      \
    X(rec_device)                                                              \
    X(rec_recovery)                                                            \
    X(rec_erased)                                                              \
    X(rec_erased_key)

/* C types bn_rec_account etc., and descriptions bn_desc_rec_account etc. */
BND_RECS(BN__STRUCT_TYPEDEF)
BND_RECS(BN__DESC_EXTERN)

/* bnd_rec_descs lists every record description (for audits and tests);
 * the array ends with NULL. */
extern const bn_struct_desc *const bnd_rec_descs[];

#endif
