/*
 * bnd_audit_schema.c: what each database of BND_DBS holds, for the
 * auditor's walk (bnd_audit.c): which fields are ciphertext and what else
 * to check (the keys and records themselves are described once, in
 * bnd_layout.h); and why the server stores each field, for the report
 * and SECURITY.md.
 */
#include "bnd_audit.h"

#include <string.h>

#include "bnd_schema.h"

#define WHY_IDS "where the record is found; the same ids are in the record"

/*
 * Every database of BND_DBS that the audit can check: what to check
 * beyond its record description (flags, the field holding a wrapped key)
 * and why it is keyed so. Key parts, widths and record descriptions come
 * from bnd_layout.h. A database listed there and missing here is reported
 * when it holds records, so that a new database cannot escape the audit
 * unnoticed: add its line (and the reasons of its fields below).
 */
static const bnd_audit_db audit_dbs[] = {
    {BND_DB_META, NULL, BND_AUDIT_F_META,
     "\"schema\" (the schema version), \"stats\" (how the statistics "
     "counters were counted) or \"next.<kind>\" (one id counter per kind of "
     "record)"},
    {BND_DB_ACCOUNTS, NULL, 0, WHY_IDS},
    {BND_DB_PROGRAMMES, NULL, 0, WHY_IDS},
    {BND_DB_INVITES, NULL, 0,
     "an invitation is found by the hash of its token: the database alone "
     "holds no usable code"},
    {BND_DB_PAIRS, NULL, 0, WHY_IDS},
    {BND_DB_MEMBERS, NULL, 0, WHY_IDS},
    {BND_DB_ACCOUNT_PAIRS, NULL, BND_AUDIT_F_INDEX,
     "an index (empty values): the pairs of an account, for listing"},
    {BND_DB_ACCEPTS, NULL, 0, WHY_IDS},
    {BND_DB_WRAPS, "wrap", 0, WHY_IDS},
    {BND_DB_NOTES, NULL, 0, WHY_IDS},
    {BND_DB_NOTE_ENVS, NULL, 0, "the note revision it seals"},
    {BND_DB_SESSIONS, NULL, 0, WHY_IDS},
    {BND_DB_OBJECTIVES, NULL, BND_AUDIT_F_ERASED_EMPTY, WHY_IDS},
    {BND_DB_LOG, NULL, 0, WHY_IDS},
    {BND_DB_DOCS, NULL, 0, WHY_IDS},
    {BND_DB_DOC_CHUNKS, NULL, BND_AUDIT_F_CHUNK,
     "the document and the chunk's position in it"},
    {BND_DB_SCRUB, NULL, BND_AUDIT_F_SCRUB,
     "the page number: transient, normally empty: pages of zeros that "
     "overwrite freed pages after an erasure"},
    {BND_DB_PAIR_STATS, NULL, 0,
     "a programme's pairs side by side: the statistics page walks them"},
    {BND_DB_PROG_STATS, NULL, 0, WHY_IDS},
    {BND_DB_QUOTA, NULL, 0,
     "whose storage is counted: the pair, the account, or both (0: every "
     "pair, or every account)"},
    {BND_DB_PROG_SETTINGS, NULL, 0, WHY_IDS},
    {BND_DB_RETENTION, NULL, 0, "the programme the retention period is of"},
    {BND_DB_PROG_CALENDAR, NULL, 0, WHY_IDS},
    {BND_DB_PAIR_DATES, NULL, 0, WHY_IDS},
    {BND_DB_PROG_ACCEPTS, NULL, 0, WHY_IDS},
    {BND_DB_QUESTIONNAIRES, NULL, 0, WHY_IDS},
    {BND_DB_ANSWERED, NULL, BND_AUDIT_F_INDEX,
     "an index (empty values): which member answered the questionnaire for "
     "which pair (so that no one answers twice), nothing of what they "
     "answered"},
    {BND_DB_SESSION_MODES, NULL, 0, WHY_IDS},
    {BND_DB_OBJ_COUNTS, NULL, 0,
     "a programme's pairs side by side (0: the programme's total)"},
    {BND_DB_PROG_TEAMS, NULL, 0, WHY_IDS},
    {BND_DB_SIDE_WRAPS, "wrap", 0, WHY_IDS},
    {BND_DB_NOTE_SIDES, NULL, 0, WHY_IDS},
    {BND_DB_OBJ_TARGETS, NULL, 0, WHY_IDS},
    {BND_DB_DOC_MARKS, NULL, 0, WHY_IDS},
    {BND_DB_SESSION_FOLLOW, NULL, 0, WHY_IDS},
    {BND_DB_FOLLOW_COUNTS, NULL, 0,
     "a programme's pairs side by side (0: the programme's total)"},
    {BND_DB_SESSION_ABSENT, NULL, 0, WHY_IDS},
    {BND_DB_DEVICES, NULL, 0, WHY_IDS},
    {BND_DB_RECOVERY, NULL, 0, WHY_IDS},
    {BND_DB_ERASED, NULL, 0, "the erased account (issue 15)"},
    {BND_DB_ERASED_KEYS, NULL, 0,
     "the pair and the erased member whose public keys these are"},
};

#define NAUDIT_DBS (sizeof audit_dbs / sizeof audit_dbs[0])

/*
 * Why the server stores each field: a line with the database and the
 * field wins over one for the field in any database (db NULL), which wins
 * over one for any field of the database (field NULL).
 */
static const struct why {
    const char *db, *field, *why;
} whys[] = {
    {NULL, "id", "the record's id (also its key)"},
    {NULL, "pair_id", "the pair it belongs to: access control"},
    {NULL, "programme_id", "the programme: access control, statistics"},
    {NULL, "account_id", "the account concerned"},
    {NULL, "created", "when it was stored (unix seconds)"},
    {NULL, "created_by", "who made it: accountability"},
    {NULL, "epoch",
     "the pair key's epoch: who may read it (a member who left gets no "
     "later key)"},
    {NULL, "role", "what the account may do: access control"},
    {NULL, "author_id",
     "who wrote it: the other member checks the author's signature; private "
     "notes are listed to their author only"},
    {NULL, "charter_hash", "hash of the charter text that consent refers to"},
    {NULL, "log_seq",
     "seq of the pair-log entry that made it: tamper evidence"},
    {"meta", "version",
     "the storage schema version, checked at start (under \"stats\": the "
     "version of the statistics' counting rules)"},
    {"meta", "created",
     "when the data directory was made (under \"stats\": when the "
     "statistics were last recounted)"},
    {"meta", "(value) next.<kind>", "the last id given to a kind of record"},
    {"accounts", "name", "display name, shown to the administrator and pair"},
    {"accounts", "programme_id",
     "the participant's programme (0 for administrators and auditors)"},
    {"accounts", "sign_pk",
     "Ed25519 public key: login, signatures, safety number"},
    {"accounts", "box_pk", "X25519 public key: pair keys are wrapped to it"},
    {"programmes", "name", "the programme's name (administrator input)"},
    {"programmes", "theme", "the programme's theme (administrator input)"},
    {"programmes", "months", "minimum duration: statistics, pairs at risk"},
    {"programmes", "frequency", "expected meeting frequency: pairs at risk"},
    {"programmes", "format", "in person, video or mixed"},
    {"programmes", "charter", "the charter text members sign"},
    {"invites", "programme_id", "the programme the new account joins"},
    {"invites", "role", "the role of the account the invitation makes"},
    {"invites", "expires", "expiry: an old code no longer works"},
    {"invites", "used", "single use"},
    {"invites", "used_by", "the account it made: accountability"},
    {"invites", "used_at", "when it was redeemed"},
    {"pairs", "mentor_id", "the mentor: access control, statistics"},
    {"pairs", "mentee_id", "the mentee: access control, statistics"},
    {"pairs", "status", "pending, active, completed, withdrawn or erased"},
    {"pairs", "accepted", "which members consented"},
    {"pairs", "start_date", "when the pairing started: statistics"},
    {"pairs", "end_date", "when it ended: statistics"},
    {"pairs", "end_reason",
     "completed, withdrawn or stalled (the coordinator's): statistics"},
    {"pairs", "ended_by",
     "who ended it: a member (the right to withdraw; their signed log entry "
     "is the proof) or the coordinator's account (statistics: ended by "
     "whom)"},
    {"pairs", "epoch", "the current pair-key epoch"},
    {"pairs", "log_head", "hash of the last log entry: tamper evidence"},
    {"members", "role", "mentor or mentee in this pair"},
    {"members", "from_epoch", "the first epoch whose key the member holds"},
    {"members", "to_epoch", "the epoch the member left at (0: still there)"},
    {"accepts", "date", "the day of consent"},
    {"accepts", "sig",
     "the member's signature of the charter: proof of consent"},
    {"accepts", "time", "when the server received it"},
    {"accepts", "members_hash",
     "hash of the pair's members and their public keys as the accepting "
     "member saw them (zeros: accepted before schema 4): checked against "
     "the member records, covered by the member's log entry"},
    {"wraps", "member_id", "the member the key is wrapped for"},
    {"wraps", "wrapper_id", "who wrapped it: whose signature to check"},
    {"wraps", "wrap",
     "the pair key sealed to the member (crypto_box_seal), signed by the "
     "wrapper"},
    {"wraps", "key_id",
     "a keyed hash of the pair key (bn_pairkey_id): the same in every wrap "
     "of one epoch, so members can tell they got one key; reveals nothing "
     "of it (zeros: wrapped before schema 4)"},
    {"side_wraps", "member_id",
     "the member of the side the key is wrapped for"},
    {"side_wraps", "wrapper_id", "who wrapped it: whose signature to check"},
    {"side_wraps", "wrap",
     "a side key of a team pairing sealed to a member of that side "
     "(crypto_box_seal), signed by the wrapper"},
    {"side_wraps", "key_id",
     "a keyed hash of the side key: the same in every wrap of one side and "
     "epoch; reveals nothing of it"},
    {"notes", "note_id", "the note (chosen by the client: idempotent writes)"},
    {"notes", "revision", "the revision: conflicts on stale writes"},
    {"notes", "kind", "report, action plan, review or note: statistics"},
    {"notes", "is_private", "sealed with the author's own key: list filter"},
    {"notes", "session_id", "the session it reports on (0: none)"},
    {"notes", "size", "envelope size (padded): paging replies"},
    {"notes", "env_hash", "hash of the envelope: idempotent retries"},
    {"note_envs", "envelope", "the note revision's sealed text"},
    {"sessions", "date", "when the pair met: statistics, pairs at risk"},
    {"sessions", "status", "held, planned or cancelled: statistics"},
    {"sessions", "absent", "who was absent: statistics"},
    {"sessions", "updated_by", "who changed it last: accountability"},
    {"sessions", "updated", "when it was changed last"},
    {"objectives", "envelope",
     "the objective's sealed text (empty once the pair is erased)"},
    {"objectives", "status", "defined or reached: statistics"},
    {"objectives", "defined_date", "when it was set: statistics"},
    {"objectives", "reached_date", "when it was reached: statistics"},
    {"objectives", "reached_by", "who marked it reached"},
    {"log", "entry",
     "a signed log entry (version 2: the request type, item id, revision "
     "or epoch, flags, seq, previous hash, body hash, author, time; "
     "version 1 before schema 4): tamper evidence, no content"},
    {"docs", "doc_id", "the document (chosen by the client)"},
    {"docs", "key_env", "the document key, sealed under the pair key"},
    {"docs", "header_env", "the file name and size, sealed"},
    {"docs", "stream_header",
     "secretstream header: random, useless without the document key"},
    {"docs", "chunks", "chunks received: resumable upload"},
    {"docs", "bytes", "ciphertext bytes received: size limit"},
    {"docs", "complete", "the final chunk arrived: listing"},
    {"docs", "updated", "the last chunk's time: abandoned uploads go"},
    {"docs", "final_hash",
     "hash of the final chunk's ciphertext: members check it against the "
     "log entry of the upload"},
    {"doc_chunks", "data", "64 KiB of the document, encrypted (secretstream)"},
    {"scrub", "(value)", "zeros"},
    {"pair_stats", NULL,
     "a count kept from the clear facts above (sessions, absences, "
     "objectives), for the administrator's statistics"},
    {"quota", "bytes",
     "bytes a pair or an account stores (ciphertext sizes and a fixed "
     "amount per record): storage quotas"},
    {"prog_settings", "mentees_per_mentor",
     "how many pending or active pairs one mentor may have at once "
     "(administrator input): the server refuses a pair beyond it"},
    {"retention", "days",
     "the programme's retention period: how many days after a pair ended "
     "its content may be erased without both members asking (0: never)"},
    {"retention", "set_by", "the administrator who set it: accountability"},
    {"retention", "set_at", "when it was set: accountability"},
    {"prog_calendar", "start_date",
     "the programme's first day (administrator input): sessions are dated "
     "from it"},
    {"prog_calendar", "end_date",
     "the programme's last day (administrator input): sessions are dated "
     "until it"},
    {"prog_calendar", "min_months",
     "the minimum pair duration (administrator input): a pair ended "
     "completed before it needs an override; statistics"},
    {"prog_calendar", "set_by", "the administrator who set the calendar"},
    {"prog_teams", "programme_id", "the programme it is of"},
    {"note_sides", "pair_id", "the pair the note is of"},
    {"note_sides", "note_id", "the note kept to one side"},
    {"note_sides", "side",
     "which side of a team pairing the note is kept to: the server serves it "
     "to that side's members only (its key is that side's)"},
    {"prog_teams", "side_max",
     "how many members a side of the programme's pairs may have "
     "(administrator input): the server refuses a member beyond it"},
    {"prog_teams", "set_by", "the administrator who set it: accountability"},
    {"prog_teams", "set_at", "when it was set: accountability"},
    {"prog_calendar", "set_at", "when the calendar was set"},
    {"pair_dates", "start_date",
     "the pair's start as the coordinator set it (not signed by the pair): "
     "sessions are dated from it; statistics"},
    {"pair_dates", "start_set_by",
     "the administrator who set the pair's start"},
    {"pair_dates", "start_set_at", "when the pair's start was set"},
    {"pair_dates", "override_by",
     "the member who ended the pair completed before the programme's "
     "minimum duration, on purpose (their signed PAIR_END says so too)"},
    {"pair_dates", "override_at", "when that override was recorded"},
    {"prog_accepts", "account_id",
     "the administrator who signed the charter for the structure: whose key "
     "checks the signature"},
    {"prog_accepts", "date", "when the structure signed: shown to the pairs"},
    {"prog_accepts", "charter_hash", "the charter text signed (its hash)"},
    {"prog_accepts", "sig",
     "the structure's signature of the charter (the convention's third "
     "signature): the pairs' clients check it"},
    {"prog_accepts", "time", "when it was stored (unix seconds)"},
    {"questionnaires", "questions.text",
     "the questionnaire's questions (administrator input): shown to members "
     "of ended pairs"},
    {"questionnaires", "pool.ratings",
     "answers waiting to be counted (fewer than 5; no account, pair or "
     "time; sorted): folded into the counters 5 at a time so that no one "
     "answer can be told"},
    {"questionnaires", "pool.objectives",
     "the objectives-met answer of a waiting answer (as pool.ratings)"},
    {"questionnaires", "answers",
     "how many answers were counted (0 or a multiple of 5)"},
    {"questionnaires", NULL,
     "the questionnaire's counters (per question how many rated it 1 to 5; "
     "how many said the objectives were met, partly, not): the "
     "coordinator's aggregates, never one answer"},
    {"session_modes", "session_id", "the session whose mode it is"},
    {"session_modes", "mode",
     "how a session was held (in person, video, phone), as a member "
     "recorded it: the report shows whether each pair's first meeting was "
     "in person, as the programme's convention asks"},
    {"session_absent", "session_id", "the session whose absentees these are"},
    {"devices", "account_id", "the account the device is of"},
    {"devices", "device", "the device's number within its account"},
    {"devices", "login_pk",
     "the device's own Ed25519 public key: LOGIN checks it (a removed "
     "device can no longer log in)"},
    {"devices", "name",
     "the name its owner gave the device (\"laptop\"), shown in its "
     "owner's device list"},
    {"devices", "added", "when the device was added: its owner's list"},
    {"devices", "removed",
     "when the device was removed (0: in use): LOGIN refuses it"},
    {"recovery", "account_id", "the account the recovery code is of"},
    {"recovery", "id_hash",
     "the hash of the recovery code's lookup id: the code's holder proves "
     "it to take the sealed identity and enrol a device"},
    {"recovery", "blob",
     "the account's keys sealed (XChaCha20-Poly1305) under a key derived "
     "from the recovery code, which the server never sees"},
    {"recovery", "created", "when the recovery code was made"},
    {"session_absent", "absentees.account_id",
     "which members were absent from a session, as a member recorded it: "
     "the statistics count absences per side and per member"},
    {"session_absent", "added.account_id",
     "who the session's first record named absent: a member's client needs "
     "it to check that signed entry once an update changed the list"},
    {"erased", "erased_at",
     "when the account was erased (issue 15): it never logs in again"},
    {"erased", "erased_by",
     "who erased it: the account itself, or the administrator who did it "
     "on the person's request"},
    {"erased_keys", "sign_pk",
     "an erased member's Ed25519 public key, kept for this pair only while "
     "another member remains: that member's client checks what the erased "
     "member signed there (deleted with the pair's content)"},
    {"erased_keys", "box_pk",
     "an erased member's X25519 public key, kept as sign_pk: the pair's "
     "signed member list and key wraps are checked against it"},
    {"obj_counts", NULL,
     "a count kept from the clear objective statuses (abandoned "
     "objectives), for the administrator's statistics"},
    {"obj_targets", "objective_id", "the objective whose target it is"},
    {"obj_targets", "target_date",
     "the day an objective of the action plan is due, as its author set "
     "it (the text and the quantity stay sealed): the report counts the "
     "objectives overdue and those reached on time"},
    {"doc_marks", "doc_id", "the document marked"},
    {"doc_marks", "kind",
     "whether a document is the pairing's self-diagnosis (its content and "
     "name stay sealed): the report shows which pairs made one"},
    {"doc_marks", "date",
     "the day of the self-diagnosis, as its author set it"},
    {"session_follow", "session_id", "the follow-up session"},
    {"session_follow", "follow_up",
     "a session recorded after the pair completed (a yearly follow-up): "
     "the report counts these apart from the pairing's own sessions"},
    {"follow_counts", NULL,
     "a count kept from the clear follow-up flags (follow-up sessions "
     "held and planned), for the administrator's statistics"},
    {"prog_stats", NULL,
     "a count kept from the clear facts above (accounts, pairs, sessions, "
     "objectives, sessions per month), for the administrator's statistics"},
};

const char *bnd_audit_schema_why(const char *db, const char *field)
{
    const char *any = NULL, *any_field = NULL;
    if (strncmp(field, "(key)", 5) == 0) {
        for (size_t i = 0; i < NAUDIT_DBS; i++)
            if (strcmp(bnd_store_db_name(audit_dbs[i].db), db) == 0)
                return audit_dbs[i].why_key;
        return NULL;
    }
    for (size_t i = 0; i < sizeof whys / sizeof whys[0]; i++) {
        const struct why *y = &whys[i];
        if (y->field == NULL) {
            if (strcmp(y->db, db) == 0)
                any_field = y->why;
        } else if (strcmp(y->field, field) == 0) {
            if (y->db == NULL)
                any = y->why;
            else if (strcmp(y->db, db) == 0)
                return y->why;
        }
    }
    return any ? any : any_field;
}

const bnd_audit_db *bnd_audit_db_at(size_t i)
{
    return i < NAUDIT_DBS ? &audit_dbs[i] : NULL;
}

const bnd_audit_db *bnd_audit_db_of(enum bnd_db db)
{
    for (size_t i = 0; i < NAUDIT_DBS; i++)
        if (audit_dbs[i].db == db)
            return &audit_dbs[i];
    return NULL;
}

/* ---- the schema, for the report and for SECURITY.md ---------------------- */

typedef int (*field_fn)(void *arg, const char *db, const char *field,
                        const char *kind);

/* each_of_struct calls fn for d's fields, with dotted names inside OBJ
 * and LIST fields ("months.held"). */
static int each_of_struct(field_fn fn, void *arg, const char *db,
                          const bnd_audit_db *t, const bn_struct_desc *d,
                          const char *prefix, int depth)
{
    char name[BND_AUDIT_FIELD_MAX + 1];
    int rc = 0;

    if (depth > BN_MSG_MAX_DEPTH)
        return BN_EDEPTH;
    for (size_t i = 0; i < d->nfields && rc == 0; i++) {
        const bn_field_desc *fd = &d->fields[i];
        int cipher = fd->kind == BN_FK_ENV || (depth == 0 && t->wrap != NULL &&
                                               strcmp(t->wrap, fd->name) == 0);
        snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "." : "",
                 fd->name);
        if ((fd->kind == BN_FK_OBJ || fd->kind == BN_FK_LIST) &&
            fd->elem != NULL)
            rc = each_of_struct(fn, arg, db, t, fd->elem, name, depth + 1);
        else
            rc = fn(arg, db, name, cipher ? "ciphertext" : "clear");
    }
    return rc;
}

/* each_field calls fn for every stored field: the key first, then each
 * field of the record (ENV and wraps are ciphertext), then the raw values;
 * a listed database the table lacks gets one "unknown" line. */
static int each_field(field_fn fn, void *arg)
{
    char key[BND_AUDIT_FIELD_MAX + 1];
    int rc = 0;

    for (int db = 0; db < BND_DB_COUNT && rc == 0; db++) {
        const char *name = bnd_store_db_name((enum bnd_db)db);
        const bnd_audit_db *t = bnd_audit_db_of((enum bnd_db)db);
        if (t == NULL) {
            rc = fn(arg, name, "(no record description)", "unknown");
            continue;
        }
        const bnd_db_layout *l = bnd_db_layout_of((enum bnd_db)db);
        memcpy(key, "(key) ", 6);
        bnd_db_layout_keys(l, key + 6, sizeof key - 6);
        rc = fn(arg, name, key, "clear");
        if (rc == 0 && l->desc != NULL)
            rc = each_of_struct(fn, arg, name, t, l->desc, "", 0);
        if (rc == 0 && (t->flags & BND_AUDIT_F_META))
            rc = fn(arg, name, "(value) next.<kind>", "clear");
        if (rc == 0 && (t->flags & BND_AUDIT_F_SCRUB))
            rc = fn(arg, name, "(value)", "clear");
    }
    return rc;
}

static int add_field(void *arg, const char *db, const char *field,
                     const char *kind)
{
    return bnd_audit_add_field(arg, db, field, kind);
}

static int md_field(void *arg, const char *db, const char *field,
                    const char *kind)
{
    const char *why = bnd_audit_schema_why(db, field);
    fprintf(arg, "| %s | %s | %s | %s |\n", db, field, kind,
            why ? why : "(no reason given: add one in server/bnd_audit.c)");
    return 0;
}

int bnd_audit_schema_add(bnd_audit_report *r)
{
    return each_field(add_field, r);
}

int bnd_audit_schema_write_md(FILE *f)
{
    fprintf(f, "| database | field | stored | why the server needs it |\n"
               "|---|---|---|---|\n");
    each_field(md_field, f);
    return ferror(f) ? BN_EIO : 0;
}
