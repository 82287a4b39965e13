/*
 * bnd_layout.h: binomed's LMDB layout, described once.
 *
 * BND_DBS lists every named database with its record type, and
 * BND_K_<name> lists the parts of its keys. Everything else comes from
 * these two lists: the enum bnd_db and the databases' names, the typed
 * key builders and parsers below (no key is built or read by hand), the
 * runtime table bnd_db_layout_of (the audit's key widths, part names and
 * record descriptions) and the layout table in the comment of
 * bnd_schema.h and in docs/DESIGN.md (bnd_layout_write; a unit test
 * fails when those copies differ from it).
 *
 * A key part is (name, TYPE): U64 and U32 are big-endian integers of 8
 * and 4 bytes (big-endian so that a range scan walks them in numeric
 * order), H32 is 32 bytes (a hash), STR a string that is the whole key.
 * A database's key is its parts side by side, nothing in between.
 *
 * Changing a line here changes the data directory's format: it needs a
 * new schema version and a conversion (bnd_upgrade.h).
 */
#ifndef BND_LAYOUT_H
#define BND_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lmdb.h>

#include "bn_proto.h"

/* X(ENUM, name, record): record is a structure of bnd_schema.h, or none
 * (values that are not records: see the audit's flags). */
#define BND_DBS(X)                                                             \
    X(META, meta, rec_meta)                                                    \
    X(ACCOUNTS, accounts, rec_account)                                         \
    X(PROGRAMMES, programmes, rec_programme)                                   \
    X(INVITES, invites, rec_invite)                                            \
    X(PAIRS, pairs, rec_pair)                                                  \
    X(MEMBERS, members, rec_member)                                            \
    X(ACCOUNT_PAIRS, account_pairs, none)                                      \
    X(ACCEPTS, accepts, rec_accept)                                            \
    X(WRAPS, wraps, rec_wrap)                                                  \
    X(NOTES, notes, rec_note)                                                  \
    X(NOTE_ENVS, note_envs, rec_note_env)                                      \
    X(SESSIONS, sessions, rec_session)                                         \
    X(OBJECTIVES, objectives, rec_objective)                                   \
    X(LOG, log, rec_log)                                                       \
    X(DOCS, docs, rec_doc)                                                     \
    X(DOC_CHUNKS, doc_chunks, rec_doc_chunk)                                   \
    X(SCRUB, scrub, none)                                                      \
    X(PAIR_STATS, pair_stats, rec_pair_stats)                                  \
    X(PROG_STATS, prog_stats, rec_prog_stats)                                  \
    X(QUOTA, quota, rec_quota)                                                 \
    X(PROG_SETTINGS, prog_settings, rec_prog_settings)                         \
    X(RETENTION, retention, rec_retention)                                     \
    X(PROG_CALENDAR, prog_calendar, rec_prog_calendar)                         \
    X(PAIR_DATES, pair_dates, rec_pair_dates)                                  \
    X(PROG_ACCEPTS, prog_accepts, rec_prog_accept)                             \
    X(QUESTIONNAIRES, questionnaires, rec_questionnaire)                       \
    X(ANSWERED, answered, none)                                                \
    X(SESSION_MODES, session_modes, rec_session_mode)                          \
    X(OBJ_COUNTS, obj_counts, rec_obj_counts)                                  \
    X(PROG_TEAMS, prog_teams, rec_prog_team)                                   \
    X(SIDE_WRAPS, side_wraps, rec_wrap)                                        \
    X(NOTE_SIDES, note_sides, rec_note_side)                                   \
    X(OBJ_TARGETS, obj_targets, rec_obj_target)                          \
    X(DOC_MARKS, doc_marks, rec_doc_mark)                                      \
    X(SESSION_FOLLOW, session_follow, rec_follow_up)                      \
    X(FOLLOW_COUNTS, follow_counts, rec_follow_counts)                      \
    X(SESSION_ABSENT, session_absent, rec_session_absent)                      \
    X(DEVICES, devices, rec_device)                                            \
    X(RECOVERY, recovery, rec_recovery)                                        \
    X(ERASED, erased, rec_erased)                                              \
    X(ERASED_KEYS, erased_keys, rec_erased_key)

/* BND_K_<name>(F, R): F(first part), R(each further part). */
#define BND_K_meta(F, R) F(name, STR)
#define BND_K_accounts(F, R) F(account_id, U64)
#define BND_K_programmes(F, R) F(programme_id, U64)
#define BND_K_invites(F, R) F(token_hash, H32)
#define BND_K_pairs(F, R) F(pair_id, U64)
#define BND_K_members(F, R) F(pair_id, U64) R(account_id, U64)
#define BND_K_account_pairs(F, R) F(account_id, U64) R(pair_id, U64)
#define BND_K_accepts(F, R) F(pair_id, U64) R(account_id, U64)
#define BND_K_wraps(F, R) F(pair_id, U64) R(epoch, U32) R(member_id, U64)
#define BND_K_notes(F, R) F(pair_id, U64) R(note_id, U64) R(revision, U32)
#define BND_K_note_envs(F, R) F(pair_id, U64) R(note_id, U64) R(revision, U32)
#define BND_K_sessions(F, R) F(pair_id, U64) R(session_id, U64)
#define BND_K_objectives(F, R) F(pair_id, U64) R(objective_id, U64)
#define BND_K_log(F, R) F(pair_id, U64) R(seq, U64)
#define BND_K_docs(F, R) F(pair_id, U64) R(doc_id, U64)
#define BND_K_doc_chunks(F, R) F(pair_id, U64) R(doc_id, U64) R(index, U32)
#define BND_K_scrub(F, R) F(page, U64)
#define BND_K_pair_stats(F, R) F(programme_id, U64) R(pair_id, U64)
#define BND_K_prog_stats(F, R) F(programme_id, U64)
#define BND_K_quota(F, R) F(pair_id, U64) R(account_id, U64)
#define BND_K_prog_settings(F, R) F(programme_id, U64)
#define BND_K_retention(F, R) F(programme_id, U64)
#define BND_K_prog_calendar(F, R) F(programme_id, U64)
#define BND_K_pair_dates(F, R) F(pair_id, U64)
#define BND_K_prog_accepts(F, R) F(programme_id, U64)
#define BND_K_questionnaires(F, R) F(programme_id, U64)
#define BND_K_answered(F, R) F(pair_id, U64) R(account_id, U64)
#define BND_K_session_modes(F, R) F(pair_id, U64) R(session_id, U64)
#define BND_K_obj_counts(F, R) F(programme_id, U64) R(pair_id, U64)
#define BND_K_prog_teams(F, R) F(programme_id, U64)
#define BND_K_side_wraps(F, R) F(pair_id, U64) R(epoch, U32) R(member_id, U64)
#define BND_K_note_sides(F, R) F(pair_id, U64) R(note_id, U64)
#define BND_K_obj_targets(F, R) F(pair_id, U64) R(objective_id, U64)
#define BND_K_doc_marks(F, R) F(pair_id, U64) R(doc_id, U64)
#define BND_K_session_follow(F, R) F(pair_id, U64) R(session_id, U64)
#define BND_K_follow_counts(F, R) F(programme_id, U64) R(pair_id, U64)
#define BND_K_session_absent(F, R) F(pair_id, U64) R(session_id, U64)
#define BND_K_devices(F, R) F(account_id, U64) R(device, U32)
#define BND_K_recovery(F, R) F(account_id, U64)
#define BND_K_erased(F, R) F(account_id, U64)
#define BND_K_erased_keys(F, R) F(pair_id, U64) R(account_id, U64)

/* The names of meta's keys: the schema record, the statistics' counting
 * version (a rec_meta too: bnd_stats.h), and "next.<kind>" for the id
 * counter of a kind of record (an 8-byte big-endian value). */
#define BND_META_SCHEMA "schema"
#define BND_META_STATS "stats"
#define BND_META_COUNTER "next."

enum bnd_db {
#define BND__DB_ENUM(E, name, rec) BND_DB_##E,
    BND_DBS(BND__DB_ENUM)
#undef BND__DB_ENUM
        BND_DB_COUNT
};

/* The longest key (a meta name) and the most parts of a key. */
#define BND_KEY_MAX 48
#define BND_KEY_PARTS_MAX 4

/* ---- the part types -------------------------------------------------- */

/* Width in bytes (0: a string, the rest of the key), the builder's
 * parameter type, the parser's field. */
#define BND__KT_W_U64 8
#define BND__KT_W_U32 4
#define BND__KT_W_H32 32
#define BND__KT_W_STR 0
#define BND__KT_ARG_U64 uint64_t
#define BND__KT_ARG_U32 uint32_t
#define BND__KT_ARG_H32 const uint8_t *
#define BND__KT_ARG_STR const char *
#define BND__KT_FIELD_U64(n) uint64_t n
#define BND__KT_FIELD_U32(n) uint32_t n
#define BND__KT_FIELD_H32(n) uint8_t n[32]
#define BND__KT_FIELD_STR(n) bn_bin n /* points into the key */

/*
 * A key: the bytes of one database's key (or of a prefix of it). Built by
 * value by bnd_key_<name>(parts...), read with k.b and k.len. len is 0
 * only for a string part longer than BND_KEY_MAX (LMDB refuses an empty
 * key, so such a key is never stored).
 */
typedef struct bnd_key {
    enum bnd_db db;
    unsigned nparts; /* parts it holds (fewer: a prefix) */
    size_t len;
    uint8_t b[BND_KEY_MAX];
} bnd_key;

static inline void bnd__kput_U64(bnd_key *k, uint64_t v)
{
    bn_put_be64(k->b + k->len, v);
    k->len += 8;
    k->nparts++;
}

static inline void bnd__kput_U32(bnd_key *k, uint32_t v)
{
    bn_put_be32(k->b + k->len, v);
    k->len += 4;
    k->nparts++;
}

static inline void bnd__kput_H32(bnd_key *k, const uint8_t *v)
{
    memcpy(k->b + k->len, v, 32);
    k->len += 32;
    k->nparts++;
}

static inline void bnd__kput_STR(bnd_key *k, const char *v)
{
    size_t n = strlen(v);
    if (n > sizeof k->b - k->len) {
        k->len = 0;
        return;
    }
    memcpy(k->b + k->len, v, n);
    k->len += n;
    k->nparts++;
}

static inline void bnd__kget_U64(const uint8_t **p, const uint8_t *end,
                                 uint64_t *v)
{
    (void)end;
    *v = bn_get_be64(*p);
    *p += 8;
}

static inline void bnd__kget_U32(const uint8_t **p, const uint8_t *end,
                                 uint32_t *v)
{
    (void)end;
    *v = bn_get_be32(*p);
    *p += 4;
}

static inline void bnd__kget_H32(const uint8_t **p, const uint8_t *end,
                                 uint8_t *v)
{
    (void)end;
    memcpy(v, *p, 32);
    *p += 32;
}

static inline void bnd__kget_STR(const uint8_t **p, const uint8_t *end,
                                 bn_bin *v)
{
    v->ptr = *p;
    v->len = (uint32_t)(end - *p);
    *p = end;
}

/* ---- generated per database ------------------------------------------ */

#define BND__KARG_F(n, T) BND__KT_ARG_##T n
#define BND__KARG_R(n, T) , BND__KT_ARG_##T n
#define BND__KPUT(n, T) bnd__kput_##T(&k, n);
#define BND__KFIELD(n, T) BND__KT_FIELD_##T(n);
#define BND__KGET(n, T) bnd__kget_##T(&p, end, o->n);
#define BND__KGETP(n, T) bnd__kget_##T(&p, end, &o->n);
#define BND__KWIDTH(n, T) +BND__KT_W_##T
#define BND__KCOUNT(n, T) +1

/* BND_KEY_WIDTH(name): the width of name's keys (0: a string key). */
#define BND_KEY_WIDTH(name) (0 BND_K_##name(BND__KWIDTH, BND__KWIDTH))
#define BND_KEY_NPARTS(name) (0 BND_K_##name(BND__KCOUNT, BND__KCOUNT))

/*
 * For each database <name>:
 *   bnd_key bnd_key_<name>(parts...)   the whole key, which carries its
 *                                      database: the store's record
 *                                      functions take it alone
 *                                      (bnd_rec_get(st, txn,
 *                                      bnd_key_docs(pair, doc), &d, ...));
 *   bnd_keyp_<name>                    its parts as a structure;
 *   int bnd_key_parse_<name>(const MDB_val *k, bnd_keyp_<name> *o)
 *                                      reads a key back (from a cursor):
 *                                      0, or BN_ECORRUPT when k is not of
 *                                      this database's width.
 * A string part of o points into k (valid while k is).
 */
#define BND__KGET_ANY(n, T) BND__KGET_##T(n)
#define BND__KGET_U64(n) BND__KGETP(n, U64)
#define BND__KGET_U32(n) BND__KGETP(n, U32)
#define BND__KGET_H32(n) BND__KGET(n, H32)
#define BND__KGET_STR(n) BND__KGETP(n, STR)

#define BND__KEY_FNS(E, name, rec)                                             \
    static inline bnd_key bnd_key_##name(                                      \
        BND_K_##name(BND__KARG_F, BND__KARG_R))                                \
    {                                                                          \
        bnd_key k;                                                             \
        k.db = BND_DB_##E;                                                     \
        k.nparts = 0;                                                          \
        k.len = 0;                                                             \
        BND_K_##name(BND__KPUT, BND__KPUT) return k;                           \
    }                                                                          \
    typedef struct bnd_keyp_##name {                                           \
        BND_K_##name(BND__KFIELD, BND__KFIELD)                                 \
    } bnd_keyp_##name;                                                         \
    static inline int bnd_key_parse_##name(const MDB_val *kv,                  \
                                           bnd_keyp_##name *o)                 \
    {                                                                          \
        const uint8_t *p = kv->mv_data, *end = p + kv->mv_size;                \
        if (BND_KEY_WIDTH(name) != 0 ? kv->mv_size != BND_KEY_WIDTH(name)      \
                                     : kv->mv_size == 0)                       \
            return BN_ECORRUPT;                                                \
        BND_K_##name(BND__KGET_ANY, BND__KGET_ANY)(void) end;                  \
        return 0;                                                              \
    }
BND_DBS(BND__KEY_FNS)
#undef BND__KEY_FNS

/* bnd_key_val gives k as LMDB's MDB_val (pointing into k). */
static inline MDB_val bnd_key_val(const bnd_key *k)
{
    MDB_val v = {k->len, (void *)k->b};
    return v;
}

/*
 * bnd_key_prefix cuts k to its first nparts parts: the prefix that a range
 * scan compares (all members of a pair: bnd_key_prefix(bnd_key_members(
 * pair, 0), 1)). Build the whole key with the scan's first position, so
 * that the same key is the cursor's start (MDB_SET_RANGE).
 */
bnd_key bnd_key_prefix(bnd_key k, unsigned nparts);

/* bnd_key_has_prefix says whether the key v begins with prefix p. */
static inline int bnd_key_has_prefix(const MDB_val *v, const bnd_key *p)
{
    return v->mv_size >= p->len && memcmp(v->mv_data, p->b, p->len) == 0;
}

/* ---- the description at run time ------------------------------------- */

typedef struct bnd_key_part {
    const char *name;
    const char *type; /* "U64", "U32", "H32", "STR" */
    unsigned width;   /* bytes; 0: a string, the rest of the key */
} bnd_key_part;

/* One database, as BND_DBS and BND_K_<name> describe it. Static data. */
typedef struct bnd_db_layout {
    enum bnd_db db;
    const char *name;
    const bn_struct_desc *desc; /* its records' description, or NULL */
    unsigned nparts;
    unsigned width; /* total key width; 0: a string key */
    bnd_key_part parts[BND_KEY_PARTS_MAX];
} bnd_db_layout;

/* bnd_db_layout_of returns db's line; NULL for a db out of range. */
const bnd_db_layout *bnd_db_layout_of(enum bnd_db db);

/*
 * bnd_key_part_int reads part i of key k of l's database (a key of l's
 * width, checked by the caller) when it is an integer: 0, or BN_EINVAL
 * for a hash or string part or an i out of range. For walks over any
 * database (the audit); code that knows its database uses
 * bnd_key_parse_<name>.
 */
int bnd_key_part_int(const bnd_db_layout *l, const MDB_val *k, unsigned i,
                     uint64_t *v);

/* bnd_db_layout_keys writes db's key parts' names, comma-separated
 * ("pair_id, account_id"), into out (always terminated). */
void bnd_db_layout_keys(const bnd_db_layout *l, char *out, size_t size);

/*
 * bnd_layout_write prints the layout table (one line per database: its
 * name, its key parts and widths, its record type), each line after
 * prefix: the text that bnd_schema.h's comment and docs/DESIGN.md hold.
 * 0 or BN_EIO.
 */
int bnd_layout_write(FILE *f, const char *prefix);

#endif
