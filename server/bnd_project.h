/*
 * bnd_project.h: how a stored record is shown to a client, described once.
 *
 * A record of bnd_schema.h and the wire structure of bn_schema.h that
 * shows it share most fields: same name, same kind. Rather than copy them
 * field by field by hand, BND_PROJECTIONS lists each pair (record, wire
 * structure) once, and the copy is derived from the two descriptions:
 * every field of the wire structure that the record has (same name, same
 * kind, a bound the wire can carry) is copied, except those the row names
 * as filled by the caller (the fields the record lacks, or holds in
 * another form: a list the reply trims, a name looked up). A unit test
 * (test_srv_project) checks every row: a field renamed, retyped or added
 * on one side only fails it instead of going silently missing.
 *
 * Strings and binaries are copied as pointers: the wire structure points
 * into the record's memory (its arena) and lives no longer than it.
 */
#ifndef BND_PROJECT_H
#define BND_PROJECT_H

#include "bnd_schema.h"

/* X(record, wire, "fields the caller fills", space-separated) */
#define BND_PROJECTIONS(X)                                                     \
    X(rec_programme, programme_info,                                           \
      "mentees_per_mentor start_date end_date side_max")                       \
    X(rec_account, account_info, "erased")                                           \
    X(rec_pair, pair_info, "mentor_name mentee_name")                          \
    X(rec_accept, accept_info, "")                                             \
    X(rec_wrap, key_wrap, "")                                                  \
    X(rec_note, note_meta, "side_only")                                        \
    X(rec_session, session_info, "mode absentees follow_up added_absentees")   \
    X(rec_objective, objective_info, "target_date")                            \
    X(rec_doc, doc_meta, "kind date")                                          \
    X(rec_prog_stats, stats,                                                   \
      "programme today months objectives_abandoned objectives_overdue "        \
      "objectives_on_time pairs_with_diagnosis follow_ups_held "               \
      "follow_ups_planned")                                                    \
    X(rec_pair_stats, stats_pair,                                              \
      "mentor_name mentee_name status created_date start_date end_date "       \
      "end_reason ended_by min_override objectives_abandoned first_mode "      \
      "objectives_overdue objectives_on_time diagnosis_date follow_ups_held "  \
      "follow_ups_planned")

enum bnd_projection {
#define BND__PROJ_ENUM(rec, wire, by_hand) BND_PROJ_##wire,
    BND_PROJECTIONS(BND__PROJ_ENUM)
#undef BND__PROJ_ENUM
        BND_PROJ_COUNT
};

/*
 * bnd_project fills *out (a structure of the projection's wire
 * description, zeroed first) from *rec (of its record description).
 * Use the typed bnd_project_<wire>(rec, out) below.
 */
void bnd_project(enum bnd_projection p, const void *rec, void *out);

/* bnd_project_<wire>(const bn_<record> *rec, bn_<wire> *out) */
#define BND__PROJ_FN(rec, wire, by_hand)                                       \
    static inline void bnd_project_##wire(const bn_##rec *r, bn_##wire *o)     \
    {                                                                          \
        bnd_project(BND_PROJ_##wire, r, o);                                    \
    }
BND_PROJECTIONS(BND__PROJ_FN)
#undef BND__PROJ_FN

/*
 * bnd_projection_check checks row p against its descriptions: every wire
 * field is named as filled by the caller or is in the record (same kind,
 * a scalar, string or binary; a bound the wire accepts: the record's
 * maximum at most the wire's), and every field so named is a wire field.
 * 0, or BN_EINVAL with the first offending field's name in *field.
 */
int bnd_projection_check(enum bnd_projection p, const char **field);

/* bnd_projection_names gives row p's record and wire names. */
void bnd_projection_names(enum bnd_projection p, const char **rec,
                          const char **wire);

#endif
