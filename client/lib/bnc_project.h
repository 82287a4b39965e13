/*
 * bnc_project.h: how a wire structure is shown to a caller of libbinome,
 * described once.
 *
 * binome.h stays self-contained (no wire type shows through it), so its
 * structures cannot be generated from bn_schema.h: they are written out
 * there, and each is filled from one wire structure. Rather than copy
 * them field by field by hand, BNC_PROJECTIONS lists each pair (public
 * structure, wire structure) once, and the row's field list
 * BNC_PROJ_<name>(F, T) (T: the public type) says what becomes of every
 * field of the wire structure:
 *
 *   SAME    copied as is: same name, same integer type on both sides
 *           (checked at compile time)
 *   BYTES   a fixed-length binary (BINF) copied into an array of the same
 *           size (checked at compile time)
 *   STR     a string copied with its bound into a char array, always
 *           NUL-terminated (bnc__copy_str); the unit test checks that the
 *           array holds the longest string the wire accepts
 *   OBJ     a nested structure, shown by the row named after it
 *   HAND    shown in another form, by the calling code: a list the caller
 *           allocates, a ciphertext it opens, a boolean shown as an int
 *   HIDDEN  not shown: used by the library only (a check against the
 *           pair's log, the epoch of a key) or not part of the public
 *           structure
 *
 * and PUB names the public fields with no wire field of their name, which
 * the calling code fills (an author's name looked up among the members).
 *
 * bnc__project_<name>(out, in) zeroes *out and does the SAME, BYTES, STR
 * and OBJ copies; the caller does the rest. HAND and HIDDEN names must be
 * wire fields, PUB names public fields (both checked at compile time).
 * test_cli_project walks each wire structure's description (bn_desc_*)
 * and fails when a wire field is not listed exactly once, when a listed
 * field's kind or size does not match its wire field, or when a structure
 * of BN_STRUCTS is neither shown by a row nor named in BNC_WIRE_UNSHOWN:
 * a field added to the schema cannot be silently dropped by the client.
 *
 * Strings are copied into the public structure's arrays: it does not
 * point into the reply and outlives it.
 */
#ifndef BNC_PROJECT_H
#define BNC_PROJECT_H

#include "binome.h"
#include "bn_proto.h"

/* X(name, public type, wire structure) */
#define BNC_PROJECTIONS(X)                                                     \
    X(programme, bnc_programme, programme_info)                                \
    X(account, bnc_account, account_info)                                      \
    X(pair_info, bnc_pair_info, pair_info)                                     \
    X(member, bnc_member, member_key)                                          \
    X(note_meta, bnc_note_meta, note_meta)                                     \
    X(session, bnc_session, session_info)                                      \
    X(objective, bnc_objective, objective_info)                                \
    X(doc, bnc_doc, doc_meta)                                                  \
    X(stats_month, bnc_stats_month, stats_month)                               \
    X(stats_pair, bnc_stats_pair, stats_pair)                                  \
    X(stats, bnc_stats, stats)                                                 \
    X(audit_finding, bnc_audit_finding, audit_finding)                         \
    X(audit_field, bnc_audit_field, audit_field)                               \
    X(audit_report, bnc_audit_report, audit_report)                            \
    X(stats_member, bnc_stats_member, stats_member)

/*
 * The structures of BN_STRUCTS that no row shows, and why: the client
 * opens or sends them, a caller never sees them as such.
 */
#define BNC_WIRE_UNSHOWN(X)                                                    \
    X(key_wrap)       /* opened into the pair keys (bnc_pair.c) */             \
    X(accept_info)    /* checked against the log (bnc_ledger.c) */             \
    X(log_item)       /* verified into the log head (bnc_log.c) */             \
    X(audit_canary)   /* sent in AUDIT_GET, never received */                  \
    X(erase_consent)  /* who asked is read from the verified log instead */    \
    X(question)       /* copied into fixed arrays (bnc_feedback.c) */          \
    X(rating_counts)  /* copied into bnc_feedback.rated (bnc_feedback.c) */    \
    X(pending_answer) /* the server's pool, never sent */                      \
    X(account_ref)    /* copied into bnc_session.absentees (bnc_session.c) */ \
    X(device_info)    /* copied into bnc_device (bnc_device.c) */

/* ---- the rows ----------------------------------------------------- */

#define BNC_PROJ_programme(F, T)                                               \
    F(T, SAME, id)                                                             \
    F(T, STR, name)                                                            \
    F(T, STR, theme)                                                           \
    F(T, SAME, months)                                                         \
    F(T, SAME, frequency)                                                      \
    F(T, SAME, format)                                                         \
    F(T, BYTES, charter_hash)                                                  \
    F(T, SAME, created)                                                        \
    F(T, SAME, mentees_per_mentor)                                             \
    F(T, SAME, start_date)                                                     \
    F(T, SAME, end_date)                                                       \
    F(T, SAME, side_max)

#define BNC_PROJ_account(F, T)                                                 \
    F(T, SAME, id)                                                             \
    F(T, SAME, role)                                                           \
    F(T, STR, name)                                                            \
    F(T, SAME, programme_id)                                                   \
    F(T, BYTES, sign_pk)                                                       \
    F(T, BYTES, box_pk)                                                        \
    F(T, SAME, created)                                                        \
    F(T, SAME, erased)

/* ended_by: for a member's pair, checked against the pair's log
 * (bnc_ledger.c). */
#define BNC_PROJ_pair_info(F, T)                                               \
    F(T, SAME, id)                                                             \
    F(T, SAME, programme_id)                                                   \
    F(T, SAME, mentor_id)                                                      \
    F(T, SAME, mentee_id)                                                      \
    F(T, STR, mentor_name)                                                     \
    F(T, STR, mentee_name)                                                     \
    F(T, SAME, status)                                                         \
    F(T, SAME, accepted)                                                       \
    F(T, SAME, start_date)                                                     \
    F(T, SAME, end_date)                                                       \
    F(T, SAME, end_reason)                                                     \
    F(T, SAME, ended_by)                                                       \
    F(T, SAME, epoch)

#define BNC_PROJ_member(F, T)                                                  \
    F(T, SAME, account_id)                                                     \
    F(T, SAME, role)                                                           \
    F(T, STR, name)                                                            \
    F(T, BYTES, sign_pk)                                                       \
    F(T, BYTES, box_pk)                                                        \
    F(T, SAME, from_epoch)                                                     \
    F(T, SAME, to_epoch)

/* env_hash: checked against the pair's log (bnc__check_note). */
#define BNC_PROJ_note_meta(F, T)                                               \
    F(T, SAME, note_id)                                                        \
    F(T, SAME, revision)                                                       \
    F(T, SAME, kind)                                                           \
    F(T, SAME, is_private)                                                     \
    F(T, SAME, author_id)                                                      \
    F(T, SAME, session_id)                                                     \
    F(T, SAME, epoch)                                                          \
    F(T, SAME, created)                                                        \
    F(T, SAME, size)                                                           \
    F(T, HIDDEN, env_hash)                                                     \
    F(T, PUB, author_name)                                                     \
    F(T, SAME, side_only)

/* pair_id: the pair the caller asked about. */
#define BNC_PROJ_session(F, T)                                                 \
    F(T, SAME, id)                                                             \
    F(T, HIDDEN, pair_id)                                                      \
    F(T, SAME, date)                                                           \
    F(T, SAME, status)                                                         \
    F(T, SAME, absent)                                                         \
    F(T, SAME, created_by)                                                     \
    F(T, SAME, created)                                                        \
    F(T, SAME, mode)                                                           \
    F(T, HAND, absentees)                                                      \
    F(T, PUB, nabsentees)                                                      \
    F(T, SAME, follow_up)                                                      \
    F(T, HIDDEN, added_absentees)

/* envelope: opened into text (text_len, open_rc) under epoch's key. */
#define BNC_PROJ_objective(F, T)                                               \
    F(T, SAME, id)                                                             \
    F(T, SAME, author_id)                                                      \
    F(T, HIDDEN, epoch)                                                        \
    F(T, HAND, envelope)                                                       \
    F(T, SAME, status)                                                         \
    F(T, SAME, defined_date)                                                   \
    F(T, SAME, reached_date)                                                   \
    F(T, SAME, target_date)                                                    \
    F(T, PUB, author_name)                                                     \
    F(T, PUB, text)                                                            \
    F(T, PUB, text_len)                                                        \
    F(T, PUB, open_rc)                                                         \
    F(T, PUB, quantity)                                                        \
    F(T, PUB, unit)

/* key_env, stream_header, final_hash: kept in sealed for bnc_doc_get;
 * header_env: opened into name and size (open_rc); complete: an
 * incomplete document is not listed. */
#define BNC_PROJ_doc(F, T)                                                     \
    F(T, SAME, doc_id)                                                         \
    F(T, SAME, author_id)                                                      \
    F(T, SAME, epoch)                                                          \
    F(T, HAND, key_env)                                                        \
    F(T, HAND, header_env)                                                     \
    F(T, HAND, stream_header)                                                  \
    F(T, SAME, chunks)                                                         \
    F(T, HIDDEN, complete)                                                     \
    F(T, SAME, created)                                                        \
    F(T, HAND, final_hash)                                                     \
    F(T, SAME, kind)                                                           \
    F(T, SAME, date)                                                           \
    F(T, PUB, author_name)                                                     \
    F(T, PUB, name)                                                            \
    F(T, PUB, size)                                                            \
    F(T, PUB, open_rc)                                                         \
    F(T, PUB, sealed)

#define BNC_PROJ_stats_month(F, T)                                             \
    F(T, SAME, month)                                                          \
    F(T, SAME, held)                                                           \
    F(T, SAME, planned)                                                        \
    F(T, SAME, cancelled)

#define BNC_PROJ_stats_pair(F, T)                                              \
    F(T, SAME, pair_id)                                                        \
    F(T, STR, mentor_name)                                                     \
    F(T, STR, mentee_name)                                                     \
    F(T, SAME, status)                                                         \
    F(T, SAME, created_date)                                                   \
    F(T, SAME, start_date)                                                     \
    F(T, SAME, end_date)                                                       \
    F(T, SAME, end_reason)                                                     \
    F(T, SAME, sessions_held)                                                  \
    F(T, SAME, sessions_planned)                                               \
    F(T, SAME, sessions_cancelled)                                             \
    F(T, SAME, absent_mentor)                                                  \
    F(T, SAME, absent_mentee)                                                  \
    F(T, SAME, objectives_defined)                                             \
    F(T, SAME, objectives_reached)                                             \
    F(T, SAME, first_held)                                                     \
    F(T, SAME, last_held)                                                      \
    F(T, SAME, ended_by)                                                       \
    F(T, SAME, min_override)                                                   \
    F(T, SAME, objectives_abandoned)                                           \
    F(T, SAME, first_mode)                                                     \
    F(T, SAME, objectives_overdue)                                             \
    F(T, SAME, objectives_on_time)                                             \
    F(T, SAME, diagnosis_date)                                                 \
    F(T, SAME, follow_ups_held)                                                \
    F(T, SAME, follow_ups_planned)

#define BNC_PROJ_stats_member(F, T)                                            \
    F(T, SAME, pair_id)                                                        \
    F(T, SAME, account_id)                                                     \
    F(T, STR, name)                                                            \
    F(T, SAME, side)                                                           \
    F(T, SAME, sessions_held)                                                  \
    F(T, SAME, absences)

/* months: the caller allocates the array (nmonths), each element by the
 * stats_month row; pairs come from STATS_PAIRS pages (stats_pair rows). */
#define BNC_PROJ_stats(F, T)                                                   \
    F(T, OBJ, programme, programme)                                            \
    F(T, SAME, today)                                                          \
    F(T, SAME, mentors)                                                        \
    F(T, SAME, mentees)                                                        \
    F(T, SAME, pairs_pending)                                                  \
    F(T, SAME, pairs_active)                                                   \
    F(T, SAME, pairs_completed)                                                \
    F(T, SAME, pairs_withdrawn)                                                \
    F(T, SAME, pairs_erased)                                                   \
    F(T, SAME, sessions_held)                                                  \
    F(T, SAME, sessions_planned)                                               \
    F(T, SAME, sessions_cancelled)                                             \
    F(T, SAME, absent_mentor)                                                  \
    F(T, SAME, absent_mentee)                                                  \
    F(T, SAME, objectives_defined)                                             \
    F(T, SAME, objectives_reached)                                             \
    F(T, HAND, months)                                                         \
    F(T, SAME, objectives_abandoned)                                           \
    F(T, SAME, objectives_overdue)                                             \
    F(T, SAME, objectives_on_time)                                             \
    F(T, SAME, pairs_with_diagnosis)                                           \
    F(T, SAME, follow_ups_held)                                                \
    F(T, SAME, follow_ups_planned)                                             \
    F(T, PUB, nmonths)                                                         \
    F(T, PUB, pairs)                                                           \
    F(T, PUB, npairs)                                                          \
    F(T, PUB, members)                                                         \
    F(T, PUB, nmembers)

#define BNC_PROJ_audit_finding(F, T)                                           \
    F(T, STR, code)                                                            \
    F(T, STR, db)                                                              \
    F(T, STR, record)                                                          \
    F(T, STR, detail)

#define BNC_PROJ_audit_field(F, T)                                             \
    F(T, STR, db)                                                              \
    F(T, STR, field)                                                           \
    F(T, STR, kind)

/* found: a malloc'd array (nfound); findings and fields: malloc'd arrays
 * of audit_finding and audit_field rows; truncated: shown as 0 or 1. */
#define BNC_PROJ_audit_report(F, T)                                            \
    F(T, SAME, records)                                                        \
    F(T, SAME, envelopes)                                                      \
    F(T, SAME, cipher_bytes)                                                   \
    F(T, HAND, found)                                                          \
    F(T, HAND, findings)                                                       \
    F(T, HAND, truncated)                                                      \
    F(T, HAND, fields)                                                         \
    F(T, PUB, nfound)                                                          \
    F(T, PUB, nfindings)                                                       \
    F(T, PUB, nfields)

/* ---- what the rows make ------------------------------------------- */

/* bnc__project_<name>(P *out, const struct bn_<wire> *in): *out zeroed,
 * then its SAME, BYTES, STR and OBJ fields copied from *in. */
#define BNC__PROJ_DECL(name, P, W)                                             \
    void bnc__project_##name(P *out, const struct bn_##W *in);
BNC_PROJECTIONS(BNC__PROJ_DECL)
#undef BNC__PROJ_DECL

/* For the unit test: each row as data. */
enum bnc__proj_how {
    BNC_PROJ_SAME = 1,
    BNC_PROJ_BYTES,
    BNC_PROJ_STR,
    BNC_PROJ_OBJ,
    BNC_PROJ_HAND,
    BNC_PROJ_HIDDEN,
    BNC_PROJ_PUB,
};

typedef struct bnc__proj_field {
    const char *name;
    uint8_t how;     /* enum bnc__proj_how */
    size_t offset;   /* in the public structure; 0 for HAND and HIDDEN */
    size_t size;     /* of the public field; 0 for HAND and HIDDEN */
    const char *sub; /* OBJ: the row that shows it */
} bnc__proj_field;

typedef struct bnc__projection {
    const char *name;
    const char *pub;
    size_t pub_size;
    const bn_struct_desc *wire;
    const bnc__proj_field *fields;
    size_t nfields;
    void (*project)(void *out, const void *in); /* bnc__project_<name> */
} bnc__projection;

enum {
#define BNC__PROJ_ENUM(name, P, W) BNC__PROJ_##name,
    BNC_PROJECTIONS(BNC__PROJ_ENUM)
#undef BNC__PROJ_ENUM
        BNC__PROJ_COUNT
};

extern const bnc__projection bnc__projections[BNC__PROJ_COUNT];

#endif
