/*
 * bn_schema.h: the wire schema, in one place.
 *
 * Every message is a msgpack array: [type, request id, field 1, ...,
 * field N]. Nested structures (OBJ) and list elements (LIST) are msgpack
 * arrays of their fields in the order written here. The generic codec in
 * bn_proto.c walks these tables; nothing is encoded or decoded by hand.
 *
 * A field is F(T, KIND, name, A, B):
 *   U8/U32/U64  unsigned integer; A is the maximum value (0: type's max)
 *   I64         signed integer (unix seconds, error codes)
 *   BOOL        boolean
 *   STR         UTF-8 string of at most A bytes, no NUL inside
 *   BIN         binary of at most A bytes
 *   ENV         ciphertext envelope of at most A bytes (auditors check
 *               these; everything else is plaintext metadata)
 *   BINF        binary of exactly A bytes (keys, hashes, signatures)
 *   OBJ         one nested structure of type bn_A
 *   LIST        at most B elements of type bn_A
 * T is the C type being described; it is there for offsetof().
 *
 * To add a message: add its fields macro and one line to BN_MSGS.
 */
#ifndef BN_SCHEMA_H
#define BN_SCHEMA_H

#include "bn_crypto.h"

/* ---- enumerations carried as U8 ---------------------------------- */

enum bn_role {
    BN_ROLE_ADMIN = 1,
    BN_ROLE_MENTOR = 2,
    BN_ROLE_MENTEE = 3,
    BN_ROLE_AUDITOR = 4,
};
#define BN_ROLE_MAX 4

enum bn_frequency {
    BN_FREQ_WEEKLY = 1,      /* every 7 days */
    BN_FREQ_FORTNIGHTLY = 2, /* every 14 days */
    BN_FREQ_MONTHLY = 3,     /* every 30 days */
    BN_FREQ_BIMONTHLY = 4,   /* every 61 days */
    BN_FREQ_QUARTERLY = 5,   /* every 91 days */
};
#define BN_FREQ_MAX 5

enum bn_format {
    BN_FORMAT_IN_PERSON = 1,
    BN_FORMAT_VIDEO = 2,
    BN_FORMAT_MIXED = 3,
};
#define BN_FORMAT_MAX 3

enum bn_pair_status {
    BN_PAIR_PENDING = 1, /* waiting for both acceptances */
    BN_PAIR_ACTIVE = 2,
    BN_PAIR_COMPLETED = 3,
    BN_PAIR_WITHDRAWN = 4,
    BN_PAIR_ERASED = 5,
};
#define BN_PAIR_STATUS_MAX 5

/* Why a pair ended. A member ends it completed or withdrawn (PAIR_END);
 * the programme's coordinator (an administrator: PAIR_STOP) withdrawn or
 * stalled (the pair stopped meeting). */
enum bn_end_reason {
    BN_END_COMPLETED = 1,
    BN_END_WITHDRAWN = 2,
    BN_END_STALLED = 3,
};
#define BN_END_REASON_MAX 3

/* Who ended a pair, as a statistics row says: its mentor, its mentee, or
 * the programme's coordinator (an account that is not a member). */
enum bn_ender {
    BN_ENDER_MENTOR = 1,
    BN_ENDER_MENTEE = 2,
    BN_ENDER_COORDINATOR = 3,
};
#define BN_ENDER_MAX 3

/* The calendar settings PROGRAMME_SET changes (its dates bit set). */
#define BN_CAL_START 1u
#define BN_CAL_END 2u
#define BN_CAL_MIN_MONTHS 4u
#define BN_CAL_ALL 7u

/* A programme's default for how many mentees a mentor follows at once
 * (rec_prog_settings), and the most it may be set to. */
#define BN_MENTEES_PER_MENTOR_DEFAULT 1
#define BN_MENTEES_PER_MENTOR_MAX 50

/* A programme's end-of-pairing questionnaire (issue 13): at most
 * BN_QUESTIONS_MAX questions of at most BN_QUESTION_MAX bytes, each rated
 * 1 to BN_RATING_MAX, plus the fixed question "were the objectives met"
 * (enum bn_objectives_met). Answers are folded into the programme's
 * counters BN_QUESTIONNAIRE_BATCH at a time, never one alone. */
#define BN_QUESTIONS_MAX 8
#define BN_QUESTION_MAX 200
#define BN_RATING_MAX 5
#define BN_QUESTIONNAIRE_BATCH 5
enum bn_objectives_met {
    BN_OBJECTIVES_MET_YES = 1,
    BN_OBJECTIVES_MET_PARTLY = 2,
    BN_OBJECTIVES_MET_NO = 3,
};
#define BN_OBJECTIVES_MET_MAX 3

enum bn_session_status {
    BN_SESSION_PLANNED = 1,
    BN_SESSION_HELD = 2,
    BN_SESSION_CANCELLED = 3,
};
#define BN_SESSION_STATUS_MAX 3

/* absences are a bit set */
#define BN_ABSENT_MENTOR 1u
#define BN_ABSENT_MENTEE 2u
#define BN_ABSENT_MAX 3

/* accepted is a bit set on pair_info */
#define BN_ACCEPTED_MENTOR 1u
#define BN_ACCEPTED_MENTEE 2u

enum bn_note_kind {
    BN_KIND_REPORT = 1,
    BN_KIND_ACTION_PLAN = 2,
    BN_KIND_REVIEW = 3,
    BN_KIND_NOTE = 4,
};
#define BN_KIND_MAX 4

enum bn_objective_status {
    BN_OBJECTIVE_DEFINED = 1,
    BN_OBJECTIVE_REACHED = 2,
    BN_OBJECTIVE_ABANDONED = 3, /* issue 13; reopened: defined again */
};
#define BN_OBJECTIVE_STATUS_MAX 3

/* How a session was held (issue 13): unknown for sessions recorded
 * before, or when the members did not say. */
enum bn_session_mode {
    BN_MODE_UNKNOWN = 0,
    BN_MODE_IN_PERSON = 1,
    BN_MODE_VIDEO = 2,
    BN_MODE_PHONE = 3,
};
#define BN_MODE_MAX 3

/* What a document is to the pairing (issue 14): the self-diagnosis of
 * the structure is one document marked so, with its date in clear. */
enum bn_doc_kind {
    BN_DOC_PLAIN = 0,
    BN_DOC_DIAGNOSIS = 1,
};
#define BN_DOC_KIND_MAX 1

/* ---- the protocol --------------------------------------------------- */

/*
 * The protocol this release speaks, sent in LOGIN and JOIN with the
 * release's name: a client and a server talk only on the same protocol,
 * and the server names both when they differ. 1 is every release before
 * the number was sent (0.1.x: LOGIN and JOIN without it); 2 is the pair's
 * signed log of entry version 2 (issue 11); 3 is team pairings' fields
 * (issue 14) and devices (issue 15: LOGIN names its device). A change
 * that an older peer would misread takes the next number.
 */
#define BN_PROTO_VERSION 3u
#define BN_RELEASE_MAX 32u /* "0.2.0" and the like */

/* ---- limits -------------------------------------------------------- */

#define BN_NAME_MAX 64u       /* display names */
#define BN_TITLE_MAX 200u     /* programme name and theme */
#define BN_CHARTER_MAX 65536u /* charter text */
#define BN_ERRMSG_MAX 512u
#define BN_TOKEN_BYTES 32u /* invitation token */
#define BN_ENVELOPE_MAX (320u * 1024u)
#define BN_SMALL_ENVELOPE_MAX 4096u /* objective texts, doc headers, keys */
#define BN_DOC_CHUNK_MAX (BN_DOC_CHUNK + BN_DOC_CHUNK_OVERHEAD)
#define BN_PAGE_MAX 1000u /* list elements in one reply */
#define BN_MEMBERS_MAX 32u /* member records of a pair, left ones too */
#define BN_SIDE_MAX 8u     /* current members of one side (issue 14) */
#define BN_WRAPS_MAX 256u
#define BN_MONTHS_MAX 120u
#define BN_TTL_DAYS_MAX 365          /* plain: BN_STRINGIFY */
#define BN_RETENTION_DAYS_MAX 36525u /* a hundred years */

/* ---- structures used inside messages ------------------------------ */

#define BN_F_programme_info(F, T)                                              \
    F(T, U64, id, 0, 0)                                                        \
    F(T, STR, name, BN_TITLE_MAX, 0)                                           \
    F(T, STR, theme, BN_TITLE_MAX, 0)                                          \
    F(T, U32, months, BN_MONTHS_MAX, 0)                                        \
    F(T, U8, frequency, BN_FREQ_MAX, 0)                                        \
    F(T, U8, format, BN_FORMAT_MAX, 0)                                         \
    F(T, BINF, charter_hash, BN_HASH_BYTES, 0)                                 \
    F(T, I64, created, 0, 0)                                                   \
    F(T, U32, mentees_per_mentor, BN_MENTEES_PER_MENTOR_MAX, 0)                \
    F(T, U32, start_date, BN_DATE_MAX, 0) /* 0: not set (prog_calendar) */     \
    F(T, U32, end_date, BN_DATE_MAX, 0)                                        \
    F(T, U32, side_max, BN_SIDE_MAX, 0) /* members a side may have */

#define BN_F_account_info(F, T)                                                \
    F(T, U64, id, 0, 0)                                                        \
    F(T, U8, role, BN_ROLE_MAX, 0)                                             \
    F(T, STR, name, BN_NAME_MAX, 0)                                            \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, BINF, sign_pk, BN_SIGN_PK_BYTES, 0)                                   \
    F(T, BINF, box_pk, BN_BOX_PK_BYTES, 0)                                     \
    F(T, I64, created, 0, 0)                                                   \
    F(T, I64, erased, 0, 0) /* issue 15: when it was erased, 0: not */

#define BN_F_pair_info(F, T)                                                   \
    F(T, U64, id, 0, 0)                                                        \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U64, mentor_id, 0, 0)                                                 \
    F(T, U64, mentee_id, 0, 0)                                                 \
    F(T, STR, mentor_name, BN_NAME_MAX, 0)                                     \
    F(T, STR, mentee_name, BN_NAME_MAX, 0)                                     \
    F(T, U8, status, BN_PAIR_STATUS_MAX, 0)                                    \
    F(T, U8, accepted, 3, 0)                                                   \
    F(T, U32, start_date, BN_DATE_MAX, 0)                                      \
    F(T, U32, end_date, BN_DATE_MAX, 0)                                        \
    F(T, U8, end_reason, BN_END_REASON_MAX, 0)                                 \
    F(T, U64, ended_by, 0, 0)                                                  \
    F(T, U32, epoch, 0, 0)

/* A member of a pair with the epochs they hold ([from, to), to 0: now). */
#define BN_F_member_key(F, T)                                                  \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, U8, role, BN_ROLE_MAX, 0)                                             \
    F(T, STR, name, BN_NAME_MAX, 0)                                            \
    F(T, BINF, sign_pk, BN_SIGN_PK_BYTES, 0)                                   \
    F(T, BINF, box_pk, BN_BOX_PK_BYTES, 0)                                     \
    F(T, U32, from_epoch, 0, 0)                                                \
    F(T, U32, to_epoch, 0, 0)

/* key_id commits to the pair key of the epoch (bn_pairkey_id): every
 * wrap of one KEY_PUT carries the same. */
#define BN_F_key_wrap(F, T)                                                    \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, U64, member_id, 0, 0)                                                 \
    F(T, U64, wrapper_id, 0, 0)                                                \
    F(T, BINF, wrap, BN_WRAP_BYTES, 0)                                         \
    F(T, BINF, key_id, BN_HASH_BYTES, 0)

/* A member's signed acceptance of the pair, as PAIR_ACCEPT sent it. */
#define BN_F_accept_info(F, T)                                                 \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, BINF, sig, BN_SIG_BYTES, 0)                                           \
    F(T, BINF, members_hash, BN_HASH_BYTES, 0)

/* A question of a programme's questionnaire. */
#define BN_F_question(F, T) F(T, STR, text, BN_QUESTION_MAX, 0)

/* How many answers rated a question 1, 2, 3, 4 and 5. */
#define BN_F_rating_counts(F, T)                                               \
    F(T, U32, r1, 0, 0)                                                        \
    F(T, U32, r2, 0, 0)                                                        \
    F(T, U32, r3, 0, 0)                                                        \
    F(T, U32, r4, 0, 0)                                                        \
    F(T, U32, r5, 0, 0)

/* One answer waiting in a programme's pool (rec_questionnaire): its
 * ratings (one byte, 1 to BN_RATING_MAX, per question) and whether the
 * objectives were met. No account, no pair, no time. */
#define BN_F_pending_answer(F, T)                                              \
    F(T, BIN, ratings, BN_QUESTIONS_MAX, 0)                                    \
    F(T, U8, objectives, BN_OBJECTIVES_MET_MAX, 0)

#define BN_F_note_meta(F, T)                                                   \
    F(T, U64, note_id, 0, 0)                                                   \
    F(T, U32, revision, 0, 0)                                                  \
    F(T, U8, kind, BN_KIND_MAX, 0)                                             \
    F(T, BOOL, is_private, 0, 0)                                               \
    F(T, U64, author_id, 0, 0)                                                 \
    F(T, U64, session_id, 0, 0)                                                \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, I64, created, 0, 0)                                                   \
    F(T, U32, size, 0, 0)                                                      \
    F(T, BINF, env_hash, BN_HASH_BYTES, 0)                                     \
    F(T, BOOL, side_only, 0, 0) /* kept to its author's side (issue 14) */

#define BN_F_session_info(F, T)                                                \
    F(T, U64, id, 0, 0)                                                        \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, U8, status, BN_SESSION_STATUS_MAX, 0)                                 \
    F(T, U8, absent, BN_ABSENT_MAX, 0)                                         \
    F(T, U64, created_by, 0, 0)                                                \
    F(T, I64, created, 0, 0)                                                   \
    F(T, U8, mode, BN_MODE_MAX, 0)                                             \
    F(T, LIST, absentees, account_ref, BN_MEMBERS_MAX)                         \
    F(T, BOOL, follow_up, 0, 0) /* after the pair completed (issue 14) */     \
    F(T, LIST, added_absentees, account_ref, BN_MEMBERS_MAX) /* at its add */

#define BN_F_objective_info(F, T)                                              \
    F(T, U64, id, 0, 0)                                                        \
    F(T, U64, author_id, 0, 0)                                                 \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, ENV, envelope, BN_SMALL_ENVELOPE_MAX, 0)                              \
    F(T, U8, status, BN_OBJECTIVE_STATUS_MAX, 0)                               \
    F(T, U32, defined_date, BN_DATE_MAX, 0)                                    \
    F(T, U32, reached_date, BN_DATE_MAX, 0) /* or abandoned */                 \
    F(T, U32, target_date, BN_DATE_MAX, 0)  /* 0: none (issue 14) */

#define BN_F_doc_meta(F, T)                                                    \
    F(T, U64, doc_id, 0, 0)                                                    \
    F(T, U64, author_id, 0, 0)                                                 \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, ENV, key_env, BN_SMALL_ENVELOPE_MAX, 0)                               \
    F(T, ENV, header_env, BN_SMALL_ENVELOPE_MAX, 0)                            \
    F(T, BINF, stream_header, BN_DOC_STREAM_HEADER_BYTES, 0)                   \
    F(T, U32, chunks, 0, 0)                                                    \
    F(T, BOOL, complete, 0, 0)                                                 \
    F(T, I64, created, 0, 0)                                                   \
    F(T, BINF, final_hash, BN_HASH_BYTES, 0)                                   \
    F(T, U8, kind, BN_DOC_KIND_MAX, 0) /* enum bn_doc_kind (issue 14) */       \
    F(T, U32, date, BN_DATE_MAX, 0)    /* the self-diagnosis's, 0: none */

/* A v1 (BN_LOG_ENTRY_V1_BYTES) or v2 (BN_LOG_ENTRY_BYTES) entry. */
#define BN_F_log_item(F, T) F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)

/* Statistics: raw counters; the client derives rates, medians, risk. */
#define BN_F_stats_month(F, T)                                                 \
    F(T, U32, month, 0, 0) /* year * 12 + month - 1 */                         \
    F(T, U32, held, 0, 0)                                                      \
    F(T, U32, planned, 0, 0)                                                   \
    F(T, U32, cancelled, 0, 0)

#define BN_F_stats_pair(F, T)                                                  \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, STR, mentor_name, BN_NAME_MAX, 0)                                     \
    F(T, STR, mentee_name, BN_NAME_MAX, 0)                                     \
    F(T, U8, status, BN_PAIR_STATUS_MAX, 0)                                    \
    F(T, U32, created_date, BN_DATE_MAX, 0)                                    \
    F(T, U32, start_date, BN_DATE_MAX, 0)                                      \
    F(T, U32, end_date, BN_DATE_MAX, 0)                                        \
    F(T, U8, end_reason, BN_END_REASON_MAX, 0)                                 \
    F(T, U32, sessions_held, 0, 0)                                             \
    F(T, U32, sessions_planned, 0, 0)                                          \
    F(T, U32, sessions_cancelled, 0, 0)                                        \
    F(T, U32, absent_mentor, 0, 0)                                             \
    F(T, U32, absent_mentee, 0, 0)                                             \
    F(T, U32, objectives_defined, 0, 0)                                        \
    F(T, U32, objectives_reached, 0, 0)                                        \
    F(T, U32, first_held, BN_DATE_MAX, 0)                                      \
    F(T, U32, last_held, BN_DATE_MAX, 0)                                       \
    F(T, U8, ended_by, BN_ENDER_MAX, 0) /* enum bn_ender, 0: not ended */      \
    F(T, BOOL, min_override, 0, 0)      /* completed before the minimum */     \
    F(T, U32, objectives_abandoned, 0, 0)                                      \
    F(T, U8, first_mode, BN_MODE_MAX, 0) /* of the first held session */       \
    F(T, U32, objectives_overdue, 0, 0)  /* issue 14: target date passed */    \
    F(T, U32, objectives_on_time, 0, 0)  /* reached by their target date */    \
    F(T, U32, diagnosis_date, BN_DATE_MAX, 0) /* 0: no self-diagnosis */       \
    F(T, U32, follow_ups_held, 0, 0)          /* after the pair completed */   \
    F(T, U32, follow_ups_planned, 0, 0)

/* An account named in a list: a session's absentees (issue 14). */
#define BN_F_account_ref(F, T) F(T, U64, account_id, 0, 0)

/* One member's attendance in a pair (STATS_MEMBERS, issue 14): the pair's
 * held sessions (the pair's, not only those while a member) and the
 * member's absences from them; side is the member's role. */
#define BN_F_stats_member(F, T)                                                \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, STR, name, BN_NAME_MAX, 0)                                            \
    F(T, U8, side, BN_ROLE_MAX, 0)                                             \
    F(T, U32, sessions_held, 0, 0)                                             \
    F(T, U32, absences, 0, 0)

/* A member's consent to erase the pair: their PAIR_ERASE log entry. */
#define BN_F_erase_consent(F, T)                                               \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, I64, time, 0, 0)                                                      \
    F(T, U64, seq, 0, 0)

/* Audit: one finding, one schema line, one canary. */
#define BN_F_audit_finding(F, T)                                               \
    F(T, STR, code, 32, 0)                                                     \
    F(T, STR, db, 32, 0)                                                       \
    F(T, STR, record, 128, 0)                                                  \
    F(T, STR, detail, 256, 0)

#define BN_F_audit_field(F, T)                                                 \
    F(T, STR, db, 32, 0)                                                       \
    F(T, STR, field, 64, 0)                                                    \
    F(T, STR, kind, 16, 0)

/* A canary of a live audit: BN_AUDIT_CANARY_MIN to _MAX printable ASCII
 * bytes (bn_audit_canary_check); at most BN_AUDIT_CANARIES_MAX a request.
 * Help texts and messages quote them with BN_STRINGIFY; the docs' copies
 * are checked by test_srv_limits. */
#define BN_AUDIT_CANARY_MIN 16
#define BN_AUDIT_CANARY_MAX 256
#define BN_AUDIT_CANARIES_MAX 64
#define BN_F_audit_canary(F, T) F(T, BIN, bytes, BN_AUDIT_CANARY_MAX, 0)

/* A device of an account (issue 15): its number (1, 2, ...), its own
 * login key, the name its owner gave it, when it was added and removed
 * (0: in use). An account without devices logs in with its identity key
 * ("device 0"); once it has one, only a device's key logs in. */
#define BN_DEVICE_NAME_MAX 64u
#define BN_DEVICES_MAX 16u /* devices an account ever adds */
#define BN_F_device_info(F, T)                                                 \
    F(T, U32, device, BN_DEVICES_MAX, 0)                                       \
    F(T, BINF, login_pk, BN_SIGN_PK_BYTES, 0)                                  \
    F(T, STR, name, BN_DEVICE_NAME_MAX, 0)                                     \
    F(T, I64, added, 0, 0)                                                     \
    F(T, I64, removed, 0, 0)

#define BN_STRUCTS(X)                                                          \
    X(programme_info)                                                          \
    X(account_info)                                                            \
    X(pair_info)                                                               \
    X(member_key)                                                              \
    X(key_wrap)                                                                \
    X(accept_info)                                                             \
    X(question)                                                                \
    X(rating_counts)                                                           \
    X(pending_answer)                                                          \
    X(note_meta)                                                               \
    X(session_info)                                                            \
    X(objective_info)                                                          \
    X(doc_meta)                                                                \
    X(log_item)                                                                \
    X(stats_month)                                                             \
    X(stats_pair)                                                              \
    X(erase_consent)                                                           \
    X(account_ref)                                                             \
    X(stats_member)                                                            \
    X(audit_finding)                                                           \
    X(audit_field)                                                             \
    X(audit_canary)                                                            \
    X(device_info)

/* ---- messages ------------------------------------------------------ */
/* Replies echo the request id. Any request may be answered by ERROR.    */

/* Generic replies */
#define BN_F_error(F, T)                                                       \
    F(T, I64, code, 0, 0)                                                      \
    F(T, STR, message, BN_ERRMSG_MAX, 0)
#define BN_F_ok(F, T) F(T, U64, value, 0, 0)

/* Authentication (the first request after the handshake) */
#define BN_F_join(F, T)                                                        \
    F(T, BINF, token, BN_TOKEN_BYTES, 0)                                       \
    F(T, STR, name, BN_NAME_MAX, 0)                                            \
    F(T, BINF, sign_pk, BN_SIGN_PK_BYTES, 0)                                   \
    F(T, BINF, box_pk, BN_BOX_PK_BYTES, 0)                                     \
    F(T, BINF, sig, BN_SIG_BYTES, 0)                                           \
    F(T, U32, proto, 0, 0)                                                     \
    F(T, STR, release, BN_RELEASE_MAX, 0)
#define BN_F_login(F, T)                                                       \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, BINF, sig, BN_SIG_BYTES, 0)                                           \
    F(T, U32, proto, 0, 0)                                                     \
    F(T, STR, release, BN_RELEASE_MAX, 0)                                      \
    F(T, U32, device, BN_DEVICES_MAX, 0) /* 0: the identity key */
#define BN_F_logged_in(F, T)                                                   \
    F(T, OBJ, account, account_info, 0)                                        \
    F(T, U32, proto, 0, 0)                                                     \
    F(T, STR, release, BN_RELEASE_MAX, 0)
#define BN_F_whoami(F, T)

/* Recovery and devices (issue 15). RECOVERY_PUT keeps the identity sealed
 * under a recovery code (bn_recovery.c) with the code's lookup id, which
 * the server stores hashed; a new one replaces the old. RECOVER, before
 * login: the code's holder names the account and the lookup id, and gets
 * the sealed identity while the new device's login key is enrolled. */
#define BN_F_recovery_put(F, T)                                                \
    F(T, BINF, recovery_id, BN_RECOVERY_ID_BYTES, 0)                           \
    F(T, BINF, blob, BN_RECOVERY_BLOB_BYTES, 0)
#define BN_F_recover(F, T)                                                     \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, BINF, recovery_id, BN_RECOVERY_ID_BYTES, 0)                           \
    F(T, BINF, login_pk, BN_SIGN_PK_BYTES, 0)                                  \
    F(T, STR, name, BN_DEVICE_NAME_MAX, 0)
#define BN_F_recovered(F, T)                                                   \
    F(T, U32, device, BN_DEVICES_MAX, 0)                                       \
    F(T, BINF, blob, BN_RECOVERY_BLOB_BYTES, 0)
/* A logged-in device adds one (its reply: OK, value = the new device's
 * number), lists them, removes one (not the caller's own). */
#define BN_F_device_add(F, T)                                                  \
    F(T, BINF, login_pk, BN_SIGN_PK_BYTES, 0)                                  \
    F(T, STR, name, BN_DEVICE_NAME_MAX, 0)
#define BN_F_device_list(F, T)
#define BN_F_devices(F, T)                                                     \
    F(T, LIST, items, device_info, BN_DEVICES_MAX)                             \
    F(T, U32, current, BN_DEVICES_MAX, 0)
#define BN_F_device_remove(F, T) F(T, U32, device, BN_DEVICES_MAX, 0)
/*
 * A device link's meeting point, kept in the server's memory for
 * BN_LINK_TTL seconds and keyed by a random token the linking device
 * chose. LINK_PUT, by the account that opened it: first the commitment
 * (opens the slot), then the nonce, then the sealed identity (zero or
 * empty fields: unchanged). LINK_JOIN, before login, by the new device:
 * its keys and name the first time, nothing after (a read). Both answer
 * LINK: the slot as it stands, unset fields zero or empty; identity_pk is
 * the account's identity key as the server has it.
 */
#define BN_LINK_TTL 600
/* with the sealed identity, what the linking device verified in person
 * (40 bytes a pair, at most 128), sealed to the new device as well */
#define BN_LINK_TRUST_MAX (40u * 128u + crypto_box_SEALBYTES)
#define BN_F_link_put(F, T)                                                    \
    F(T, BINF, token, BN_TOKEN_BYTES, 0)                                       \
    F(T, BINF, commit, BN_HASH_BYTES, 0)                                       \
    F(T, BINF, nonce, BN_LINK_NONCE_BYTES, 0)                                  \
    F(T, BIN, sealed, BN_LINK_SEALED_BYTES, 0)                                 \
    F(T, BIN, trust, BN_LINK_TRUST_MAX, 0)
#define BN_F_link_join(F, T)                                                   \
    F(T, BINF, token, BN_TOKEN_BYTES, 0)                                       \
    F(T, BINF, box_pk, BN_BOX_PK_BYTES, 0)                                     \
    F(T, BINF, login_pk, BN_SIGN_PK_BYTES, 0)                                  \
    F(T, STR, name, BN_DEVICE_NAME_MAX, 0)
#define BN_F_link(F, T)                                                        \
    F(T, BINF, commit, BN_HASH_BYTES, 0)                                       \
    F(T, BINF, identity_pk, BN_SIGN_PK_BYTES, 0)                               \
    F(T, BINF, box_pk, BN_BOX_PK_BYTES, 0)                                     \
    F(T, BINF, login_pk, BN_SIGN_PK_BYTES, 0)                                  \
    F(T, STR, name, BN_DEVICE_NAME_MAX, 0)                                     \
    F(T, BINF, nonce, BN_LINK_NONCE_BYTES, 0)                                  \
    F(T, BIN, sealed, BN_LINK_SEALED_BYTES, 0)                                 \
    F(T, I64, expires, 0, 0)                                                   \
    F(T, BIN, trust, BN_LINK_TRUST_MAX, 0)

/* Administration */
#define BN_F_programme_create(F, T)                                            \
    F(T, STR, name, BN_TITLE_MAX, 0)                                           \
    F(T, STR, theme, BN_TITLE_MAX, 0)                                          \
    F(T, U32, months, BN_MONTHS_MAX, 0)                                        \
    F(T, U8, frequency, BN_FREQ_MAX, 0)                                        \
    F(T, U8, format, BN_FORMAT_MAX, 0)                                         \
    F(T, STR, charter, BN_CHARTER_MAX, 0)                                      \
    F(T, U32, mentees_per_mentor, BN_MENTEES_PER_MENTOR_MAX, 0) /* 0: 1 */
/* An administrator changes a programme's settings: how many mentees one
 * mentor may follow at once (1 to BN_MENTEES_PER_MENTOR_MAX; 0: unchanged
 * when dates names a calendar setting), and, for each bit of dates
 * (BN_CAL_*), the programme's start, end or minimum pair duration in
 * months (0: unset; the minimum then is the programme's months). */
#define BN_F_programme_set(F, T)                                               \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U32, mentees_per_mentor, BN_MENTEES_PER_MENTOR_MAX, 0)                \
    F(T, U8, dates, BN_CAL_ALL, 0)                                             \
    F(T, U32, start_date, BN_DATE_MAX, 0)                                      \
    F(T, U32, end_date, BN_DATE_MAX, 0)                                        \
    F(T, U32, min_months, BN_MONTHS_MAX, 0)                                    \
    F(T, U32, side_max, BN_SIDE_MAX, 0) /* 0: unchanged (issue 14) */
#define BN_F_programme(F, T)                                                   \
    F(T, OBJ, programme, programme_info, 0)                                    \
    F(T, STR, charter, BN_CHARTER_MAX, 0)
#define BN_F_programme_list(F, T) F(T, U64, after, 0, 0)
#define BN_F_programmes(F, T)                                                  \
    F(T, LIST, items, programme_info, BN_PAGE_MAX)                             \
    F(T, BOOL, more, 0, 0)
#define BN_F_programme_get(F, T) F(T, U64, programme_id, 0, 0)
#define BN_F_invite_create(F, T)                                               \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U8, role, BN_ROLE_MAX, 0)                                             \
    F(T, U32, ttl_days, BN_TTL_DAYS_MAX, 0)
#define BN_F_invite(F, T)                                                      \
    F(T, BINF, token, BN_TOKEN_BYTES, 0)                                       \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U8, role, BN_ROLE_MAX, 0)                                             \
    F(T, I64, expires, 0, 0)
#define BN_F_account_list(F, T)                                                \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U64, after, 0, 0)
#define BN_F_accounts(F, T)                                                    \
    F(T, LIST, items, account_info, BN_PAGE_MAX)                               \
    F(T, BOOL, more, 0, 0)
/* Erasing an account for good (issue 15): account_id 0 is the caller's
 * own; an administrator names another's, with the programme it showed
 * the coordinator (the server refuses when the account is not of it).
 * The answer says how many of its ended pairs keep what it wrote for
 * their other members (kept) and how many went whole (shredded). */
#define BN_F_account_erase(F, T)                                               \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, U64, programme_id, 0, 0)
#define BN_F_account_erased(F, T)                                              \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, I64, erased, 0, 0)                                                    \
    F(T, U32, pairs_kept, 0, 0)                                                \
    F(T, U32, pairs_shredded, 0, 0)
#define BN_F_pair_create(F, T)                                                 \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U64, mentor_id, 0, 0)                                                 \
    F(T, U64, mentee_id, 0, 0)
#define BN_F_pair(F, T) F(T, OBJ, pair, pair_info, 0)
/* The coordinator (an administrator) ends a pair: reason withdrawn or
 * stalled, on date. Not a member: no log entry (DESIGN.md). */
#define BN_F_pair_stop(F, T)                                                   \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U8, reason, BN_END_REASON_MAX, 0)                                     \
    F(T, U32, date, BN_DATE_MAX, 0)
/* PAIR_ERASE: a member's request carries their signed log entry (their
 * consent to erase the whole pair, or, with mine, the erasure of what they
 * wrote themselves); an administrator's carries none. */
#define BN_F_pair_erase(F, T)                                                  \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, BOOL, mine, 0, 0)                                                     \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)
/* The answer: the pair (status erased once it is), the members who asked
 * for the erasure (from their signed entries), the day from which the
 * programme's retention period allows it without them (0: never), and
 * how many of the caller's own items an erasure of theirs removed. */
#define BN_F_pair_erasure(F, T)                                                \
    F(T, OBJ, pair, pair_info, 0)                                              \
    F(T, LIST, consents, erase_consent, BN_MEMBERS_MAX)                        \
    F(T, U32, erase_after, BN_DATE_MAX, 0)                                     \
    F(T, U32, items_erased, 0, 0)
/* The programme's retention period, in days after a pair ended (0: never
 * without both members); set by an administrator. */
#define BN_F_retention_set(F, T)                                               \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U32, days, BN_RETENTION_DAYS_MAX, 0)
/* The coordinator (an administrator) sets the day a pair started (on
 * paper, before the software): a server fact, no log entry. */
#define BN_F_pair_start(F, T)                                                  \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U32, date, BN_DATE_MAX, 0)
/* The coordinator lists a pair's sessions (dates, status, absences; no
 * note): answered by SESSIONS. */
#define BN_F_admin_sessions(F, T)                                              \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, after, 0, 0)

/* The structure (the programme, through an administrator) signs the
 * programme's charter (bn_charter_prog_sign): the third signature of the
 * convention. Signing again replaces the signature (a new date). */
#define BN_F_structure_sign(F, T)                                              \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, BINF, charter_hash, BN_HASH_BYTES, 0)                                 \
    F(T, BINF, sig, BN_SIG_BYTES, 0)
/* An administrator sets a programme's questionnaire (refused once it has
 * answers: they would no longer mean the same). */
#define BN_F_questionnaire_set(F, T)                                           \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, LIST, questions, question, BN_QUESTIONS_MAX)
/* The programme's charter signature and questionnaire aggregates, for an
 * administrator: counts are 0 and rated empty until answers >= batch. */
#define BN_F_feedback_get(F, T) F(T, U64, programme_id, 0, 0)
#define BN_F_feedback(F, T)                                                    \
    F(T, BOOL, charter_signed, 0, 0)                                           \
    F(T, U64, charter_by, 0, 0)                                                \
    F(T, U32, charter_date, BN_DATE_MAX, 0)                                    \
    F(T, BOOL, charter_current, 0, 0) /* signed the current charter */         \
    F(T, LIST, questions, question, BN_QUESTIONS_MAX)                          \
    F(T, U32, answers, 0, 0)                                                   \
    F(T, U32, pending, 0, 0)                                                   \
    F(T, LIST, rated, rating_counts, BN_QUESTIONS_MAX)                         \
    F(T, U32, objectives_yes, 0, 0)                                            \
    F(T, U32, objectives_partly, 0, 0)                                         \
    F(T, U32, objectives_no, 0, 0)

/* Pairs, for their members */
#define BN_F_pair_list(F, T) F(T, U64, after, 0, 0)
#define BN_F_pairs(F, T)                                                       \
    F(T, LIST, items, pair_info, BN_PAGE_MAX)                                  \
    F(T, BOOL, more, 0, 0)
#define BN_F_pair_get(F, T) F(T, U64, pair_id, 0, 0)
#define BN_F_pair_detail(F, T)                                                 \
    F(T, OBJ, pair, pair_info, 0)                                              \
    F(T, LIST, members, member_key, BN_MEMBERS_MAX)                            \
    F(T, LIST, wraps, key_wrap, BN_WRAPS_MAX)                                  \
    F(T, STR, charter, BN_CHARTER_MAX, 0)                                      \
    F(T, BINF, charter_hash, BN_HASH_BYTES, 0)                                 \
    F(T, U64, log_seq, 0, 0)                                                   \
    F(T, BINF, log_head, BN_HASH_BYTES, 0)                                     \
    F(T, LIST, accepts, accept_info, BN_MEMBERS_MAX)                           \
    F(T, LIST, side_wraps, key_wrap, BN_WRAPS_MAX)
/* members_hash: bn_members_hash of the pair's members as the accepting
 * member's client saw them; the log entry makes it the member's word. */
#define BN_F_pair_accept(F, T)                                                 \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, BINF, sig, BN_SIG_BYTES, 0)                                           \
    F(T, BINF, members_hash, BN_HASH_BYTES, 0)                                 \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)
/* reason: a member's, completed or withdrawn (stalled is the
 * coordinator's: PAIR_STOP). */
#define BN_F_pair_end(F, T)                                                    \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U8, reason, BN_END_WITHDRAWN, 0)                                      \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)                                    \
    F(T, BOOL, override, 0, 0) /* completed before the minimum duration */
/* wraps in increasing member_id order, one per member of the epoch. */
#define BN_F_key_put(F, T)                                                     \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, LIST, wraps, key_wrap, BN_MEMBERS_MAX)                                \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)
/*
 * Team pairings (issue 14). A side's referent (the pair's mentor_id or
 * mentee_id, named by the coordinator) adds a member to their own side:
 * the account's keys as the referent compared them in person (its key
 * code), a new epoch keyed for every member holding it, the new one
 * included, and with history the new member's wraps of every earlier
 * epoch (BN_LOG_F_HISTORY). A referent removes a member of their side
 * (not a referent) by keying a new epoch for those who stay. Both are
 * logged: item the account, sub the new epoch. Answered by OK (epoch).
 * Wraps go by epoch, then member id.
 */
#define BN_F_member_add(F, T)                                                  \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, U8, role, BN_ROLE_MAX, 0)                                             \
    F(T, BINF, sign_pk, BN_SIGN_PK_BYTES, 0)                                   \
    F(T, BINF, box_pk, BN_BOX_PK_BYTES, 0)                                     \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, BOOL, history, 0, 0)                                                  \
    F(T, LIST, wraps, key_wrap, BN_WRAPS_MAX)                                  \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)
#define BN_F_member_remove(F, T)                                               \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, LIST, wraps, key_wrap, BN_MEMBERS_MAX)                                \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)
/* A member of a side keys the current epoch for their side (issue 14):
 * one wrap of a side key per current member of the side, for the notes
 * the side keeps to itself. Logged: item the side (its role), sub the
 * epoch. Answered by OK (epoch). */
#define BN_F_side_key_put(F, T)                                                \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, U8, side, BN_ROLE_MAX, 0)                                             \
    F(T, LIST, wraps, key_wrap, BN_MEMBERS_MAX)                                \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)

/* A participant reads the public keys of an account of their programme
 * (a mentor or a mentee), to add it to their side. */
#define BN_F_account_get(F, T) F(T, U64, account_id, 0, 0)
#define BN_F_account(F, T) F(T, OBJ, account, account_info, 0)

/* A member reads the structure's signature of the pair's programme's
 * charter, with the signer's public key as the server has it. */
#define BN_F_pair_charter(F, T) F(T, U64, pair_id, 0, 0)
#define BN_F_structure_sig(F, T)                                               \
    F(T, BOOL, is_signed, 0, 0)                                                \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U64, account_id, 0, 0)                                                \
    F(T, STR, name, BN_NAME_MAX, 0)                                            \
    F(T, BINF, sign_pk, 32, 0)                                                 \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, BINF, charter_hash, BN_HASH_BYTES, 0)                                 \
    F(T, BINF, sig, BN_SIG_BYTES, 0)
/* A member's questionnaire for an ended pair: its programme's questions
 * and whether this member answered. */
#define BN_F_questionnaire_get(F, T) F(T, U64, pair_id, 0, 0)
#define BN_F_questionnaire(F, T)                                               \
    F(T, LIST, questions, question, BN_QUESTIONS_MAX)                          \
    F(T, BOOL, answered, 0, 0)
/* A member answers once for an ended pair: one rating per question. */
#define BN_F_questionnaire_answer(F, T)                                        \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, BIN, ratings, BN_QUESTIONS_MAX, 0)                                    \
    F(T, U8, objectives, BN_OBJECTIVES_MET_MAX, 0)

/* Notes */
#define BN_F_note_put(F, T)                                                    \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, note_id, 0, 0)                                                   \
    F(T, U32, revision, 0, 0)                                                  \
    F(T, U8, kind, BN_KIND_MAX, 0)                                             \
    F(T, BOOL, is_private, 0, 0)                                               \
    F(T, U64, session_id, 0, 0)                                                \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, ENV, envelope, BN_ENVELOPE_MAX, 0)                                    \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)                                    \
    F(T, BOOL, side_only, 0, 0) /* sealed with the author's side key */
#define BN_F_note_ack(F, T)                                                    \
    F(T, U64, note_id, 0, 0)                                                   \
    F(T, U32, revision, 0, 0)                                                  \
    F(T, I64, created, 0, 0)
#define BN_F_note_list(F, T)                                                   \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, after, 0, 0)
#define BN_F_notes(F, T)                                                       \
    F(T, LIST, items, note_meta, BN_PAGE_MAX)                                  \
    F(T, BOOL, more, 0, 0)
#define BN_F_note_get(F, T)                                                    \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, note_id, 0, 0)                                                   \
    F(T, U32, revision, 0, 0)
#define BN_F_note(F, T)                                                        \
    F(T, OBJ, meta, note_meta, 0)                                              \
    F(T, ENV, envelope, BN_ENVELOPE_MAX, 0)

/* Sessions */
#define BN_F_session_add(F, T)                                                 \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, U8, status, BN_SESSION_STATUS_MAX, 0)                                 \
    F(T, U8, absent, BN_ABSENT_MAX, 0)                                         \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)                                    \
    F(T, LIST, absentees, account_ref, BN_MEMBERS_MAX)                         \
    F(T, BOOL, follow_up, 0, 0) /* on a completed pair (issue 14) */
#define BN_F_session_update(F, T)                                              \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, session_id, 0, 0)                                                \
    F(T, U8, status, BN_SESSION_STATUS_MAX, 0)                                 \
    F(T, U8, absent, BN_ABSENT_MAX, 0)                                         \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)                                    \
    F(T, LIST, absentees, account_ref, BN_MEMBERS_MAX) /* issue 14 */
#define BN_F_session_mode_set(F, T)                                            \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, session_id, 0, 0)                                                \
    F(T, U8, mode, BN_MODE_MAX, 0)                                             \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)
#define BN_F_session(F, T) F(T, OBJ, session, session_info, 0)
#define BN_F_session_list(F, T)                                                \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, after, 0, 0)
#define BN_F_sessions(F, T)                                                    \
    F(T, LIST, items, session_info, BN_PAGE_MAX)                               \
    F(T, BOOL, more, 0, 0)

/* Objectives */
#define BN_F_objective_add(F, T)                                               \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, objective_id, 0, 0)                                              \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, ENV, envelope, BN_SMALL_ENVELOPE_MAX, 0)                              \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)                                    \
    F(T, U32, target_date, BN_DATE_MAX, 0) /* 0: none (issue 14) */
#define BN_F_objective_reach(F, T)                                             \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, objective_id, 0, 0)                                              \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)
/* EDIT: a new text (and defined date) by the objective's author;
 * ABANDON and REOPEN: either member (issue 13). */
#define BN_F_objective_edit(F, T)                                              \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, objective_id, 0, 0)                                              \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, ENV, envelope, BN_SMALL_ENVELOPE_MAX, 0)                              \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)                                    \
    F(T, U32, target_date, BN_DATE_MAX, 0) /* 0: none (issue 14) */
#define BN_F_objective_abandon(F, T)                                           \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, objective_id, 0, 0)                                              \
    F(T, U32, date, BN_DATE_MAX, 0)                                            \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)
#define BN_F_objective_reopen(F, T)                                            \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, objective_id, 0, 0)                                              \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)
#define BN_F_objective_list(F, T)                                              \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, after, 0, 0)
#define BN_F_objectives(F, T)                                                  \
    F(T, LIST, items, objective_info, BN_PAGE_MAX)                             \
    F(T, BOOL, more, 0, 0)

/* Documents */
#define BN_F_doc_begin(F, T)                                                   \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, doc_id, 0, 0)                                                    \
    F(T, U32, epoch, 0, 0)                                                     \
    F(T, ENV, key_env, BN_SMALL_ENVELOPE_MAX, 0)                               \
    F(T, ENV, header_env, BN_SMALL_ENVELOPE_MAX, 0)                            \
    F(T, BINF, stream_header, BN_DOC_STREAM_HEADER_BYTES, 0)
#define BN_F_doc_chunk(F, T)                                                   \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, doc_id, 0, 0)                                                    \
    F(T, U32, index, 0, 0)                                                     \
    F(T, ENV, data, BN_DOC_CHUNK_MAX, 0)                                       \
    F(T, BOOL, final, 0, 0)                                                    \
    F(T, BIN, entry, BN_LOG_ENTRY_BYTES, 0)                                    \
    F(T, U8, kind, BN_DOC_KIND_MAX, 0) /* final chunk only (issue 14) */       \
    F(T, U32, date, BN_DATE_MAX, 0)    /* the self-diagnosis's */
#define BN_F_doc_status(F, T)                                                  \
    F(T, U64, doc_id, 0, 0)                                                    \
    F(T, U32, chunks, 0, 0)                                                    \
    F(T, BOOL, complete, 0, 0)
#define BN_F_doc_list(F, T)                                                    \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, after, 0, 0)
#define BN_F_docs(F, T)                                                        \
    F(T, LIST, items, doc_meta, BN_PAGE_MAX)                                   \
    F(T, BOOL, more, 0, 0)
#define BN_F_doc_read(F, T)                                                    \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, doc_id, 0, 0)                                                    \
    F(T, U32, index, 0, 0)
#define BN_F_doc_data(F, T)                                                    \
    F(T, U32, index, 0, 0)                                                     \
    F(T, ENV, data, BN_DOC_CHUNK_MAX, 0)                                       \
    F(T, BOOL, final, 0, 0)

/* The pair's tamper-evident log */
#define BN_F_log_get(F, T)                                                     \
    F(T, U64, pair_id, 0, 0)                                                   \
    F(T, U64, from_seq, 0, 0)
#define BN_F_log(F, T)                                                         \
    F(T, LIST, entries, log_item, BN_PAGE_MAX)                                 \
    F(T, BOOL, more, 0, 0)

/* Statistics for administrators */
#define BN_F_stats_get(F, T) F(T, U64, programme_id, 0, 0)
#define BN_F_stats(F, T)                                                       \
    F(T, OBJ, programme, programme_info, 0)                                    \
    F(T, U32, today, BN_DATE_MAX, 0)                                           \
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
    F(T, LIST, months, stats_month, BN_PAGE_MAX)                               \
    F(T, U32, objectives_abandoned, 0, 0)                                      \
    F(T, U32, objectives_overdue, 0, 0) /* issue 14 */                         \
    F(T, U32, objectives_on_time, 0, 0)                                        \
    F(T, U32, pairs_with_diagnosis, 0, 0)                                      \
    F(T, U32, follow_ups_held, 0, 0)                                           \
    F(T, U32, follow_ups_planned, 0, 0)
#define BN_F_stats_pairs_get(F, T)                                             \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U64, after, 0, 0)
#define BN_F_stats_pairs(F, T)                                                 \
    F(T, LIST, items, stats_pair, BN_PAGE_MAX)                                 \
    F(T, BOOL, more, 0, 0)
/* Attendance per member (issue 14): rows by pair id, then account id;
 * `after` is the last pair id of the page before (a page holds whole
 * pairs). */
#define BN_F_stats_members_get(F, T)                                           \
    F(T, U64, programme_id, 0, 0)                                              \
    F(T, U64, after, 0, 0)
#define BN_F_stats_members(F, T)                                               \
    F(T, LIST, items, stats_member, BN_PAGE_MAX)                               \
    F(T, BOOL, more, 0, 0)

/* Audit, for auditors, against the live server */
/* The canaries are searched in the ciphertext fields of the stored
 * records only; found holds one byte per canary, in the request's order:
 * 1 found, 0 not. Nothing says where. */
#define BN_F_audit_get(F, T)                                                   \
    F(T, LIST, canaries, audit_canary, BN_AUDIT_CANARIES_MAX)
#define BN_F_audit_report(F, T)                                                \
    F(T, U64, records, 0, 0)                                                   \
    F(T, U64, envelopes, 0, 0)                                                 \
    F(T, U64, cipher_bytes, 0, 0)                                              \
    F(T, BIN, found, BN_AUDIT_CANARIES_MAX, 0)                                 \
    F(T, LIST, findings, audit_finding, BN_PAGE_MAX)                           \
    F(T, BOOL, truncated, 0, 0)                                                \
    F(T, LIST, fields, audit_field, BN_PAGE_MAX)

/* X(NAME, name, code): BN_MSG_NAME = code; fields BN_F_name; C type bn_name */
#define BN_MSGS(X)                                                             \
    X(ERROR, error, 0x01)                                                      \
    X(OK, ok, 0x02)                                                            \
    X(JOIN, join, 0x10)                                                        \
    X(LOGIN, login, 0x11)                                                      \
    X(LOGGED_IN, logged_in, 0x12)                                              \
    X(WHOAMI, whoami, 0x13)                                                    \
    X(ACCOUNT_GET, account_get, 0x14)                                          \
    X(ACCOUNT, account, 0x15)                                                  \
    X(RECOVERY_PUT, recovery_put, 0x16)                                        \
    X(RECOVER, recover, 0x17)                                                  \
    X(RECOVERED, recovered, 0x18)                                              \
    X(DEVICE_ADD, device_add, 0x19)                                            \
    X(DEVICE_LIST, device_list, 0x1a)                                          \
    X(DEVICES, devices, 0x1b)                                                  \
    X(DEVICE_REMOVE, device_remove, 0x1c)                                      \
    X(LINK_PUT, link_put, 0x1d)                                                \
    X(LINK_JOIN, link_join, 0x1e)                                              \
    X(LINK, link, 0x1f)                                                        \
    X(PROGRAMME_CREATE, programme_create, 0x20)                                \
    X(PROGRAMME, programme, 0x21)                                              \
    X(PROGRAMME_LIST, programme_list, 0x22)                                    \
    X(PROGRAMMES, programmes, 0x23)                                            \
    X(PROGRAMME_GET, programme_get, 0x24)                                      \
    X(INVITE_CREATE, invite_create, 0x25)                                      \
    X(INVITE, invite, 0x26)                                                    \
    X(ACCOUNT_LIST, account_list, 0x27)                                        \
    X(ACCOUNTS, accounts, 0x28)                                                \
    X(PAIR_CREATE, pair_create, 0x29)                                          \
    X(PAIR, pair, 0x2a)                                                        \
    X(PAIR_ERASE, pair_erase, 0x2b)                                            \
    X(STRUCTURE_SIGN, structure_sign, 0x2e)                                    \
    X(PROGRAMME_SET, programme_set, 0x2f)                                      \
    X(PAIR_ERASURE, pair_erasure, 0x2c)                                        \
    X(RETENTION_SET, retention_set, 0x2d)                                      \
    X(PAIR_LIST, pair_list, 0x30)                                              \
    X(PAIRS, pairs, 0x31)                                                      \
    X(PAIR_GET, pair_get, 0x32)                                                \
    X(PAIR_DETAIL, pair_detail, 0x33)                                          \
    X(PAIR_ACCEPT, pair_accept, 0x34)                                          \
    X(PAIR_END, pair_end, 0x35)                                                \
    X(KEY_PUT, key_put, 0x36)                                                  \
    X(MEMBER_ADD, member_add, 0x37)                                            \
    X(MEMBER_REMOVE, member_remove, 0x46)                                      \
    X(SIDE_KEY_PUT, side_key_put, 0x47)                                        \
    X(PAIR_STOP, pair_stop, 0x38)                                              \
    X(PAIR_START, pair_start, 0x39)                                            \
    X(ADMIN_SESSIONS, admin_sessions, 0x3a)                                    \
    X(PAIR_CHARTER, pair_charter, 0x3c)                                        \
    X(STRUCTURE_SIG, structure_sig, 0x3d)                                      \
    X(FEEDBACK_GET, feedback_get, 0x3e)                                        \
    X(FEEDBACK, feedback, 0x3f)                                                \
    X(NOTE_PUT, note_put, 0x40)                                                \
    X(NOTE_ACK, note_ack, 0x41)                                                \
    X(NOTE_LIST, note_list, 0x42)                                              \
    X(NOTES, notes, 0x43)                                                      \
    X(NOTE_GET, note_get, 0x44)                                                \
    X(NOTE, note, 0x45)                                                        \
    X(ACCOUNT_ERASE, account_erase, 0x48)                                      \
    X(ACCOUNT_ERASED, account_erased, 0x49)                                    \
    X(SESSION_ADD, session_add, 0x50)                                          \
    X(SESSION_UPDATE, session_update, 0x51)                                    \
    X(SESSION, session, 0x52)                                                  \
    X(SESSION_LIST, session_list, 0x53)                                        \
    X(SESSIONS, sessions, 0x54)                                                \
    X(SESSION_MODE_SET, session_mode_set, 0x58)                                \
    X(OBJECTIVE_ADD, objective_add, 0x60)                                      \
    X(OBJECTIVE_REACH, objective_reach, 0x61)                                  \
    X(OBJECTIVE_LIST, objective_list, 0x62)                                    \
    X(OBJECTIVES, objectives, 0x63)                                            \
    X(OBJECTIVE_EDIT, objective_edit, 0x64)                                    \
    X(OBJECTIVE_ABANDON, objective_abandon, 0x65)                              \
    X(OBJECTIVE_REOPEN, objective_reopen, 0x66)                                \
    X(DOC_BEGIN, doc_begin, 0x70)                                              \
    X(DOC_CHUNK, doc_chunk, 0x71)                                              \
    X(DOC_STATUS, doc_status, 0x72)                                            \
    X(DOC_LIST, doc_list, 0x73)                                                \
    X(DOCS, docs, 0x74)                                                        \
    X(DOC_READ, doc_read, 0x75)                                                \
    X(DOC_DATA, doc_data, 0x76)                                                \
    X(LOG_GET, log_get, 0x80)                                                  \
    X(LOG, log, 0x81)                                                          \
    X(STATS_GET, stats_get, 0x90)                                              \
    X(STATS, stats, 0x91)                                                      \
    X(STATS_PAIRS_GET, stats_pairs_get, 0x92)                                  \
    X(STATS_PAIRS, stats_pairs, 0x93)                                          \
    X(QUESTIONNAIRE_SET, questionnaire_set, 0x94)                              \
    X(QUESTIONNAIRE_GET, questionnaire_get, 0x95)                              \
    X(QUESTIONNAIRE, questionnaire, 0x96)                                      \
    X(QUESTIONNAIRE_ANSWER, questionnaire_answer, 0x97)                        \
    X(STATS_MEMBERS_GET, stats_members_get, 0x98)                              \
    X(STATS_MEMBERS, stats_members, 0x99)                                      \
    X(AUDIT_GET, audit_get, 0xa0)                                              \
    X(AUDIT_REPORT, audit_report, 0xa1)

#endif
