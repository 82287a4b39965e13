/*
 * binome.h: libbinome, the client library of binome, and its whole
 * contract. A program is written against this header alone: it includes
 * only the C library's headers, its handles (bnc_profile, bnc_client,
 * bnc_pair) are incomplete types read through functions, and
 * no wire or storage type of binome shows through it. Build with
 * `pkg-config --cflags --libs binome`.
 *
 * Every function that can fail returns 0 on success or a negative code:
 * a BNC_E* code below, a negated errno value, or the code an ERROR reply
 * from the server carried (also a BNC_E* code). bnc_strerror names any of
 * them. The library never prints, never prompts and never exits: the
 * caller asks for passphrases and turns codes into messages.
 *
 * Ownership: every constructor has a destructor that accepts NULL. Arrays
 * returned through an out pointer are allocated with malloc and freed by
 * the caller with free() unless a comment says otherwise. Secret material
 * (identity, pair keys, note plaintexts) lives in locked memory and is
 * wiped by the destructor that frees it (bnc_secret_free for a note body).
 * Call bnc_init once before anything else.
 *
 * A typical session:
 *
 *     bnc_profile *p; bnc_client *c;
 *     bnc_init();
 *     bnc_profile_open(&p, NULL);             profile.conf, no secret
 *     bnc_client_open(&c, p, pass, passlen);  identity, connect, LOGIN
 *     ... operations on c ...
 *     bnc_client_close(c); bnc_profile_free(p);
 *
 * ABI: the shared library is libbinome.so.MAJOR with the version below.
 * MAJOR changes when a function is removed or changes its signature or
 * meaning, when a public structure changes its layout, or when a constant
 * or code changes its value; MINOR when functions, codes or constants are
 * added; PATCH for changes that no caller can see. Only the functions
 * declared here are exported (client/lib/libbinome.map).
 */
#ifndef BINOME_H
#define BINOME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBBINOME_VERSION_MAJOR 5
#define LIBBINOME_VERSION_MINOR 0
#define LIBBINOME_VERSION_PATCH 0

/* ------------------------------------------------------------------ */
/* Library, errors and small utilities                                 */

/*
 * The error codes, with their permanent numbers: the same as the
 * server's, carried on the wire in ERROR replies (a code is never
 * renumbered; a new one takes the next number). All lie below -900, away
 * from -errno.
 */
#define BNC_ERR_MAP(X)                                                         \
    X(INVAL, -999)                                                             \
    X(NOMEM, -998)                                                             \
    X(IO, -997)                                                                \
    X(PASSPHRASE, -996)                                                        \
    X(CORRUPT, -995)                                                           \
    X(VERSION, -994)                                                           \
    X(AUTH, -993)                                                              \
    X(SIG, -992)                                                               \
    X(PROTO, -991)                                                             \
    X(TOOBIG, -990)                                                            \
    X(AGAIN, -989)                                                             \
    X(TYPE, -988)                                                              \
    X(MISSING, -987)                                                           \
    X(TRAILING, -986)                                                          \
    X(DEPTH, -985)                                                             \
    X(COUNT, -984)                                                             \
    X(TRUNC, -983)                                                             \
    X(TOOLONG, -982)                                                           \
    X(RANGE, -981)                                                             \
    X(UNKNOWNMSG, -980)                                                        \
    X(HANDSHAKE, -979)                                                         \
    X(REPLAY, -978)                                                            \
    X(NOTFOUND, -977)                                                          \
    X(EXIST, -976)                                                             \
    X(DENIED, -975)                                                            \
    X(CONFLICT, -974)                                                          \
    X(EXPIRED, -973)                                                           \
    X(USED, -972)                                                              \
    X(NOTLOGGEDIN, -971)                                                       \
    X(CLOSED, -970)                                                            \
    X(TIMEDOUT, -969)                                                          \
    X(CONNECT, -968)                                                           \
    X(STORE, -967)                                                             \
    X(FULL, -966)                                                              \
    X(CHAIN, -965)                                                             \
    X(ROLLBACK, -964)                                                          \
    X(UNVERIFIED, -963)                                                        \
    X(STREAM, -962)                                                            \
    X(DATE, -961)                                                              \
    X(LIMIT, -960)                                                             \
    X(NOTACCEPTED, -959)                                                       \
    X(ENDED, -958)                                                             \
    X(NOKEY, -957)                                                             \
    X(STALE, -956)                                                             \
    X(AMBIGUOUS, -955)                                                         \
    X(PROFILE, -954)                                                           \
    X(INTERNAL, -953)                                                          \
    X(TAMPER, -952)                                                            \
    X(WITHHELD, -951)                                                          \
    X(QUOTA, -950)

enum bnc_err {
#define BNC__ERR_ENUM(name, value) BNC_E##name = value,
    BNC_ERR_MAP(BNC__ERR_ENUM)
#undef BNC__ERR_ENUM
};

/*
 * bnc_init prepares the library (libsodium): call it once, before any
 * other function; later calls do nothing. 0, or BNC_EINTERNAL when the
 * system's random source cannot be used.
 */
int bnc_init(void);

/* bnc_version returns the binome release the library belongs to
 * ("0.2.0"): a static string. */
const char *bnc_version(void);

/*
 * bnc_strerror returns a static message for any code: a BNC_E* code, a
 * negated errno value, or 0. Messages say what to do where a person can
 * act. The string is never freed.
 */
const char *bnc_strerror(int err);

/* Day numbers: days since 1970-01-01 (UTC), 0 meaning "none". */

/* bnc_date_parse reads YYYY-MM-DD: 0 and *day, or BNC_EDATE. */
int bnc_date_parse(const char *s, uint32_t *day);
/* bnc_date_format writes day as YYYY-MM-DD and a NUL. */
void bnc_date_format(char out[11], uint32_t day);
/* bnc_date_today returns today's day number (UTC). */
uint32_t bnc_date_today(void);

/* bnc_hash writes the 32-byte BLAKE2b-256 hash of data[0..len) to out. */
#define BNC_HASH_BYTES 32
void bnc_hash(uint8_t out[BNC_HASH_BYTES], const void *data, size_t len);

/* bnc_random_id returns a random non-zero 64-bit id (a document's, for a
 * caller that must know it before the upload starts). */
uint64_t bnc_random_id(void);

/*
 * bnc_secret_free wipes len bytes at p and frees it: for the secret
 * buffers this library returns (a note body from bnc_note_get). Accepts
 * NULL.
 */
void bnc_secret_free(void *p, size_t len);

/*
 * bnc_text_check tells whether s[0..len) may be sent as a text of at most
 * max bytes (a name, a title, a charter): 0, BNC_ETOOLONG, BNC_ETYPE (a
 * NUL byte or invalid UTF-8) or BNC_EINVAL.
 */
int bnc_text_check(const char *s, size_t len, size_t max);

/* ---- limits (bytes unless said otherwise) --------------------------- */

#define BNC_NAME_MAX 64u              /* display names */
#define BNC_TITLE_MAX 200u            /* programme name and theme */
#define BNC_CHARTER_MAX 65536u        /* charter text */
#define BNC_MONTHS_MAX 120u           /* a programme's minimum duration */
#define BNC_TTL_DAYS_MAX 365u         /* an invitation's life */
#define BNC_RETENTION_DAYS_MAX 36525u /* a hundred years */
#define BNC_INVITE_HOST_MAX 255u
#define BNC_INVITE_CODE_MAX 353u /* "BN1." key host ":" port */
#define BNC_NOTE_MAX_PLAINTEXT (256u * 1024u)
#define BNC_OBJECTIVE_TEXT_MAX 2048u
#define BNC_DOC_NAME_MAX 255u
#define BNC_QUANTITY_MAX 20u /* an objective's quantity, "12" or "2.5" */
#define BNC_UNIT_MAX 64u     /* its unit, "volunteers trained" */
#define BNC_SAFETY_DIGITS 60

/* ---- the values of enumerated fields -------------------------------- */

enum bnc_role {
    BNC_ROLE_ADMIN = 1,
    BNC_ROLE_MENTOR = 2,
    BNC_ROLE_MENTEE = 3,
    BNC_ROLE_AUDITOR = 4,
};

enum bnc_frequency {
    BNC_FREQ_WEEKLY = 1,      /* every 7 days */
    BNC_FREQ_FORTNIGHTLY = 2, /* every 14 days */
    BNC_FREQ_MONTHLY = 3,     /* every 30 days */
    BNC_FREQ_BIMONTHLY = 4,   /* every 61 days */
    BNC_FREQ_QUARTERLY = 5,   /* every 91 days */
};

enum bnc_format {
    BNC_FORMAT_IN_PERSON = 1,
    BNC_FORMAT_VIDEO = 2,
    BNC_FORMAT_MIXED = 3,
};

enum bnc_pair_status {
    BNC_PAIR_PENDING = 1, /* waiting for both acceptances */
    BNC_PAIR_ACTIVE = 2,
    BNC_PAIR_COMPLETED = 3,
    BNC_PAIR_WITHDRAWN = 4,
    BNC_PAIR_ERASED = 5,
};

enum bnc_end_reason {
    BNC_END_COMPLETED = 1,
    BNC_END_WITHDRAWN = 2,
    BNC_END_STALLED = 3, /* the coordinator's: the pair stopped meeting */
};

/* Who ended a pair (bnc_pair_ender, bnc_stats_pair.ended_by). */
enum bnc_ender {
    BNC_ENDER_MENTOR = 1,
    BNC_ENDER_MENTEE = 2,
    BNC_ENDER_COORDINATOR = 3, /* an administrator, not a member */
};

enum bnc_session_status {
    BNC_SESSION_PLANNED = 1,
    BNC_SESSION_HELD = 2,
    BNC_SESSION_CANCELLED = 3,
};

/* A session's absences and a pair's acceptances are bit sets. */
#define BNC_ABSENT_MENTOR 1u
#define BNC_ABSENT_MENTEE 2u
#define BNC_ACCEPTED_MENTOR 1u
#define BNC_ACCEPTED_MENTEE 2u

enum bnc_note_kind {
    BNC_KIND_REPORT = 1,
    BNC_KIND_ACTION_PLAN = 2,
    BNC_KIND_REVIEW = 3,
    BNC_KIND_NOTE = 4,
};

enum bnc_objective_status {
    BNC_OBJECTIVE_DEFINED = 1,
    BNC_OBJECTIVE_REACHED = 2,
    BNC_OBJECTIVE_ABANDONED = 3, /* reopened: defined again */
};

/* How a session was held: unknown for sessions recorded without a mode
 * (and all those recorded before modes existed). */
enum bnc_session_mode {
    BNC_MODE_UNKNOWN = 0,
    BNC_MODE_IN_PERSON = 1,
    BNC_MODE_VIDEO = 2,
    BNC_MODE_PHONE = 3,
};

/* ------------------------------------------------------------------ */
/* Profile                                                             */

#define BNC_PATH_MAX 4096
#define BNC_TIMEOUT_MS 15000 /* connect, read and write, each */

/*
 * The profile: what profile.conf holds (no secret) and, once loaded, the
 * identity. Read it through the functions below.
 */
typedef struct bnc_profile bnc_profile;

/*
 * bnc_profile_default_dir writes the profile directory to out: dir when
 * not NULL, else $XDG_CONFIG_HOME/binome, else $HOME/.config/binome.
 * BNC_EINVAL when the path does not fit or no HOME is known.
 */
int bnc_profile_default_dir(char *out, size_t size, const char *dir);

/*
 * bnc_profile_open reads profile.conf from the directory chosen as by
 * bnc_profile_default_dir. *out is allocated (free with bnc_profile_free).
 * BNC_EPROFILE when there is no profile there, BNC_ECORRUPT for a file
 * that does not parse (a missing or malformed key).
 */
int bnc_profile_open(bnc_profile **out, const char *dir);

/*
 * bnc_profile_new returns a blank profile for dir (chosen as by
 * bnc_profile_default_dir) without touching the disk: join fills it.
 */
int bnc_profile_new(bnc_profile **out, const char *dir);

/* bnc_profile_free frees the profile and wipes its identity; accepts NULL. */
void bnc_profile_free(bnc_profile *p);

/*
 * bnc_profile_save creates the directory (mode 0700, and makes an existing
 * one 0700) and writes profile.conf atomically, mode 0600.
 */
int bnc_profile_save(const bnc_profile *p);

/*
 * bnc_profile_load_identity opens identity.key with the passphrase into
 * p's identity (locked memory). BNC_EPASSPHRASE for a wrong passphrase,
 * BNC_EPROFILE when there is no identity file, BNC_ECORRUPT.
 */
int bnc_profile_load_identity(bnc_profile *p, const char *pass, size_t passlen);

/*
 * bnc_profile_save_identity seals p's identity into identity.key (mode
 * 0600) with the passphrase and the KDF level of BINOME_KDF.
 */
int bnc_profile_save_identity(const bnc_profile *p, const char *pass,
                              size_t passlen);

/*
 * bnc_profile_path writes dir/name to out: BNC_EINVAL when it does not fit.
 */
int bnc_profile_path(const bnc_profile *p, char *out, size_t size,
                     const char *name);

/*
 * What the profile records, valid as long as p: its directory, the
 * server's address and port, this account's id (0 before join), display
 * name and role (enum bnc_role), and its programme (0 for administrators
 * and auditors).
 */
const char *bnc_profile_dir(const bnc_profile *p);
const char *bnc_profile_host(const bnc_profile *p);
uint16_t bnc_profile_port(const bnc_profile *p);
uint64_t bnc_profile_account_id(const bnc_profile *p);
const char *bnc_profile_name(const bnc_profile *p);
uint8_t bnc_profile_role(const bnc_profile *p);
uint64_t bnc_profile_programme_id(const bnc_profile *p);

/* bnc_role_name returns "admin", "mentor", ... or "?". */
const char *bnc_role_name(uint8_t role);
/* bnc_role_parse: 0 and *role, or BNC_EINVAL. The other pairs alike. */
int bnc_role_parse(const char *s, uint8_t *role);
const char *bnc_kind_name(uint8_t kind);
int bnc_kind_parse(const char *s, uint8_t *kind);
const char *bnc_frequency_name(uint8_t f);
int bnc_frequency_parse(const char *s, uint8_t *f);
const char *bnc_format_name(uint8_t f);
int bnc_format_parse(const char *s, uint8_t *f);
const char *bnc_pair_status_name(uint8_t s);

/*
 * bnc_invite_check tells whether code is an invitation code (BN1., the
 * server's key, its address and port) without using it: 0 or BNC_EINVAL.
 */
int bnc_invite_check(const char *code);

/* ------------------------------------------------------------------ */
/* Client: a profile with its identity and a logged-in connection      */

typedef struct bnc_account {
    uint64_t id;
    uint8_t role; /* enum bnc_role */
    char name[BNC_NAME_MAX + 1];
    uint64_t programme_id;
    uint8_t sign_pk[32];
    uint8_t box_pk[32];
    int64_t created;
    int64_t erased; /* issue 15: when it was erased (0: not); its name
                       then reads BNC_ERASED_NAME */
} bnc_account;

/* The name an erased account shows wherever a name is shown (issue 15):
 * the server keeps none. */
#define BNC_ERASED_NAME "(erased account)"

/* A logged-in client: read through the functions below. */
typedef struct bnc_client bnc_client;

/*
 * bnc_join redeems an invitation: parses code (BNC_EINVAL), refuses a
 * directory that already holds a profile (BNC_EEXIST), generates an
 * identity, connects pinning the code's server key, sends JOIN and, once
 * the server answered LOGGED_IN, writes identity.key and profile.conf into
 * p (a profile from bnc_profile_new). Errors from the server (BNC_EUSED,
 * BNC_EEXPIRED, ...) pass through; on error nothing is left on disk.
 */
int bnc_join(bnc_profile *p, const char *code, const char *name,
             const char *pass, size_t passlen, bnc_account *out);

/*
 * bnc_client_open loads the identity with the passphrase (unless already
 * loaded), connects to the profile's server and logs in. BNC_ECONNECT
 * when the server cannot be reached, BNC_EHANDSHAKE when it does not hold
 * the pinned key, BNC_ETIMEDOUT, BNC_EVERSION when client and server
 * speak different protocols (bnc_client_error says which). *out is
 * allocated (NULL on error); free with bnc_client_close. p must outlive
 * the client.
 */
int bnc_client_open(bnc_client **out, bnc_profile *p, const char *pass,
                    size_t passlen);

/* bnc_client_close closes the connection; accepts NULL. */
void bnc_client_close(bnc_client *c);

/*
 * bnc_client_error returns the server's message for the last failure, or
 * "" (also for c NULL): valid until the next call on c.
 */
const char *bnc_client_error(const bnc_client *c);

/*
 * bnc_profile_server_error returns the server's own words when it refused
 * the last bnc_client_open or bnc_join made with p (a version mismatch
 * says which side to upgrade), or "": valid until the next of those calls.
 */
const char *bnc_profile_server_error(const bnc_profile *p);

/* bnc_client_account is the logged-in account (valid as long as c). */
const bnc_account *bnc_client_account(const bnc_client *c);

/*
 * After BNC_EROLLBACK or BNC_ECHAIN: bnc_client_log_bad_seq is the seq of
 * the log entry at fault, bnc_client_log_bad_author the member it claims
 * as author (0 when not known). After BNC_ETAMPER or BNC_EWITHHELD:
 * bnc_client_tamper says what did not follow from the pair's signed log,
 * naming the item ("note 1a2b...: revision 2 is in the pair's log but the
 * server served revision 1"): ids and numbers only, never content; "" when
 * nothing was found. Valid until the next call on c; c may be NULL (0, "").
 */
uint64_t bnc_client_log_bad_seq(const bnc_client *c);
uint64_t bnc_client_log_bad_author(const bnc_client *c);
const char *bnc_client_tamper(const bnc_client *c);

/*
 * bnc_client_disconnect drops the connection, keeping the identity (before
 * a long pause: an editor); bnc_client_reconnect opens a new one, logged
 * in again: after bnc_client_disconnect or a connection lost in the
 * middle of a write, which can then be retried.
 */
void bnc_client_disconnect(bnc_client *c);
int bnc_client_reconnect(bnc_client *c);

/* bnc_whoami asks the server who this account is. */
int bnc_whoami(bnc_client *c, bnc_account *out);

/* ------------------------------------------------------------------ */
/* Administration                                                      */

typedef struct bnc_programme {
    uint64_t id;
    char name[BNC_TITLE_MAX + 1];
    char theme[BNC_TITLE_MAX + 1];
    uint32_t months;
    uint8_t frequency;
    uint8_t format;
    uint8_t charter_hash[32];
    int64_t created;
    uint32_t mentees_per_mentor; /* pending or active pairs per mentor */
    /* The programme's calendar (0: not set): sessions are dated within
     * it. months above is the minimum pair duration (the calendar's when
     * an administrator set one, else the programme's own). */
    uint32_t start_date, end_date;
    /* How many members a side of its pairs may have (issue 14): 1, pairs
     * of two people, unless an administrator raised it. */
    uint32_t side_max;
} bnc_programme;

typedef struct bnc_programme_spec {
    const char *name;
    const char *theme;
    uint32_t months;
    uint8_t frequency;
    uint8_t format;
    const char *charter;         /* NUL-terminated; NULL: the default charter */
    uint32_t mentees_per_mentor; /* 0: the default, 1 */
} bnc_programme_spec;

/* bnc_default_charter is the charter used when none is given (static). */
const char *bnc_default_charter(void);

/* bnc_programme_create makes a programme; *id receives its id. */
int bnc_programme_create(bnc_client *c, const bnc_programme_spec *spec,
                         uint64_t *id);

/* bnc_programme_set_mentees sets how many mentees one mentor of the
 * programme may follow at once (1 to BNC_MENTEES_PER_MENTOR_MAX; admin). */
#define BNC_MENTEES_PER_MENTOR_MAX 50
/*
 * bnc_programme_set_calendar sets the programme's calendar (admin): for
 * each bit of what (BNC_CAL_*), its start day, its end day or its minimum
 * pair duration in months (0 unsets it: no bound, or the programme's own
 * months). Sessions are dated within the dates; a pair ended completed
 * before start + the minimum needs an override. BNC_EDATE for an end
 * before the start.
 */
#define BNC_CAL_START 1u
#define BNC_CAL_END 2u
#define BNC_CAL_MIN_MONTHS 4u
int bnc_programme_set_calendar(bnc_client *c, uint64_t programme_id,
                               unsigned what, uint32_t start_date,
                               uint32_t end_date, uint32_t min_months);

int bnc_programme_set_mentees(bnc_client *c, uint64_t programme_id,
                              uint32_t mentees_per_mentor);

/* bnc_programme_set_side_max sets how many members a side of the
 * programme's pairs may have (admin): 1, pairs of two people (the
 * default), to BNC_SIDE_MAX, team pairings (issue 14). Lowering it
 * removes nobody. */
#define BNC_SIDE_MAX 8
int bnc_programme_set_side_max(bnc_client *c, uint64_t programme_id,
                               uint32_t side_max);

/* bnc_programme_list fetches every page: *items (free()), *n. */
int bnc_programme_list(bnc_client *c, bnc_programme **items, size_t *n);

/*
 * bnc_programme_get fetches one programme; *charter (may be NULL: not
 * wanted) receives the charter text, malloc'd, freed with free().
 */
int bnc_programme_get(bnc_client *c, uint64_t id, bnc_programme *out,
                      char **charter);

/*
 * bnc_invite_create asks for an invitation (ttl_days 0: the server's
 * default) and formats its code with the profile's server address and key
 * into code (BNC_INVITE_CODE_MAX + 1 bytes). *expires may be NULL.
 */
int bnc_invite_create(bnc_client *c, uint64_t programme_id, uint8_t role,
                      uint32_t ttl_days, char code[BNC_INVITE_CODE_MAX + 1],
                      int64_t *expires);

/* bnc_account_list fetches every page of a programme's accounts. */
int bnc_account_list(bnc_client *c, uint64_t programme_id, bnc_account **items,
                     size_t *n);

/*
 * bnc_account_resolve finds an account by decimal id or exact display
 * name in items: BNC_ENOTFOUND, or BNC_EAMBIGUOUS when a name is shared.
 */
int bnc_account_resolve(const bnc_account *items, size_t n, const char *s,
                        uint64_t *id);

/* ------------------------------------------------------------------ */
/* Pairs                                                               */

typedef struct bnc_pair_info {
    uint64_t id;
    uint64_t programme_id;
    uint64_t mentor_id;
    uint64_t mentee_id;
    char mentor_name[BNC_NAME_MAX + 1];
    char mentee_name[BNC_NAME_MAX + 1];
    uint8_t status;   /* enum bnc_pair_status */
    uint8_t accepted; /* BNC_ACCEPTED_* bits */
    uint32_t start_date;
    uint32_t end_date;
    uint8_t end_reason;
    uint64_t ended_by; /* the account that ended it, 0: not ended */
    uint32_t epoch;
} bnc_pair_info;

/* bnc_pair_ender says who ended the pair (enum bnc_ender): its mentor,
 * its mentee, else the coordinator; 0 when it has not ended. For a
 * member's pair (bnc_pair_open) a member's end is the one the pair's
 * signed log holds; the coordinator's is the server's word (DESIGN.md). */
uint8_t bnc_pair_ender(const bnc_pair_info *p);
const char *bnc_ender_name(uint8_t ender);

typedef struct bnc_member {
    uint64_t account_id;
    uint8_t role;
    char name[BNC_NAME_MAX + 1];
    uint8_t sign_pk[32];
    uint8_t box_pk[32];
    uint32_t from_epoch;
    uint32_t to_epoch; /* 0: still a member */
} bnc_member;

/* bnc_pair_create makes a pair (admin); *id receives its id. */
int bnc_pair_create(bnc_client *c, uint64_t programme_id, uint64_t mentor_id,
                    uint64_t mentee_id, uint64_t *id);

/*
 * bnc_pair_set_start: the coordinator (admin) sets the day pair_id
 * started (often on paper, before the software): not after today, within
 * the programme's dates, not after the pair's end nor its first recorded
 * session (BNC_EDATE, with the server's reason in bnc_last_error). The
 * server's word, not signed by the pair. *out (may be NULL) receives the
 * pair.
 */
int bnc_pair_set_start(bnc_client *c, uint64_t pair_id, uint32_t date,
                       bnc_pair_info *out);

/* bnc_pair_stop: the coordinator (admin) ends a pending or active pair on
 * date (a day number; 0: today), reason BNC_END_WITHDRAWN or
 * BNC_END_STALLED. Not in the pair's log: its members see it as the
 * coordinator's end. */
int bnc_pair_stop(bnc_client *c, uint64_t pair_id, uint8_t reason,
                  uint32_t date);

/* bnc_pair_list fetches every page of the pairs this account may see. */
int bnc_pair_list(bnc_client *c, bnc_pair_info **items, size_t *n);

/*
 * bnc_pair: an opened pair, with its members, charter and, when active,
 * the pair keys of every epoch this member holds (locked memory), and its
 * verified log. Read it through the functions below; free with
 * bnc_pair_free.
 */
typedef struct bnc_pair bnc_pair;

enum bnc_pair_flags {
    BNC_PAIR_NOKEYS = 1, /* do not fetch or create keys (accept, verify) */
};

/*
 * bnc_pair_open fetches the pair, checks the members' keys against the
 * profile's record (bnc_pair_keys_changed; the first keys seen are
 * recorded in keys/PAIR), fetches and verifies the pair's whole log (it
 * must hold the head remembered in log/PAIR) and holds what the server
 * said to it (the member list to the hash each member signed when
 * accepting, the state to the accept and end entries, the epoch and the
 * wraps to the key entries): BNC_ECHAIN, BNC_EROLLBACK, BNC_ETAMPER or
 * BNC_EWITHHELD, with bnc_client_log_bad_seq or bnc_client_tamper saying
 * where. For an active or ended pair it then opens this member's wrap of
 * every logged epoch (the wrapper's signature, then the logged key id); a
 * wrap that does not open is skipped with a warning (bnc_pair_warning).
 * When the current epoch has no usable key it draws one, wraps it for
 * every member and logs it: for the current epoch if nobody keyed it,
 * else for the next (a re-key); on BNC_ECONFLICT it fetches again. Refused
 * with BNC_EUNVERIFIED when the keys changed. Errors: the server's
 * (BNC_EDENIED ...). *out is allocated; free with
 * bnc_pair_free.
 */
int bnc_pair_open(bnc_client *c, uint64_t pair_id, int flags, bnc_pair **out);

/* bnc_pair_free wipes the keys and frees; accepts NULL. */
void bnc_pair_free(bnc_pair *p);

/* bnc_pair_member finds a member by account id, or NULL. */
const bnc_member *bnc_pair_member(const bnc_pair *p, uint64_t account_id);

/*
 * What an opened pair holds, valid as long as p: bnc_pair_get_info its
 * record; bnc_pair_members its members (*n of them, departed ones with
 * to_epoch set); bnc_pair_charter the programme's charter as the server
 * sent it (NUL-terminated: server text, escape it before showing it);
 * bnc_pair_verified 1 when the members' keys were verified in person and
 * have not changed; bnc_pair_keys_changed 1 when the other members' keys
 * differ from those recorded (writes are then refused with
 * BNC_EUNVERIFIED); the warnings for the person (a key wrap that did not
 * open, a legacy log: ids only), bnc_pair_warning_count of them.
 */
const bnc_pair_info *bnc_pair_get_info(const bnc_pair *p);
const bnc_member *bnc_pair_members(const bnc_pair *p, size_t *n);
const char *bnc_pair_charter(const bnc_pair *p);
int bnc_pair_verified(const bnc_pair *p);
int bnc_pair_keys_changed(const bnc_pair *p);
size_t bnc_pair_warning_count(const bnc_pair *p);
const char *bnc_pair_warning(const bnc_pair *p, size_t i);

/*
 * bnc_pair_charter_hash hashes the charter text (BLAKE2b-256): what
 * bnc_pair_accept compares with the programme's charter hash and signs,
 * for showing beside the text.
 */
void bnc_pair_charter_hash(const bnc_pair *p, uint8_t out[BNC_HASH_BYTES]);

/*
 * bnc_pair_accept signs the charter for this member: recomputes the hash
 * of the charter text and refuses (BNC_EAUTH) when it differs from the hash
 * the server sent, then sends PAIR_ACCEPT with today's date. p comes from
 * bnc_pair_open; the caller shows bnc_pair_charter first.
 */
int bnc_pair_accept(bnc_client *c, bnc_pair *p);

/*
 * The convention's three signatures of the charter (issue 13): the
 * structure's (an administrator signed the programme's charter for it:
 * bnc_charter_sign_programme) and each member's (bnc_pair_accept).
 * bnc_pair_signatures fetches the structure's and checks every one:
 * valid is 1 when the signature verifies over this pair's programme (or
 * pair), the hash of the charter text the client holds, its date and the
 * signer's id, under the signer's key. A member's key is the one the pair
 * checks in person (bnc_pair_verified); the structure's key is the
 * administrator's key as the server gives it, which the pair has not
 * verified in person (SECURITY.md). *nmembers receives how many members
 * signatures fill members (at most BNC_SIGNERS_MAX, mentor first).
 */
#define BNC_SIGNERS_MAX 16
typedef struct bnc_signature {
    uint64_t account_id;
    uint8_t role; /* enum bnc_role: BNC_ROLE_ADMIN for the structure */
    char name[BNC_NAME_MAX + 1];
    int is_signed; /* 0: not signed (the rest is zero) */
    uint32_t date; /* day number of the signature */
    int valid;     /* 1: the signature verifies */
} bnc_signature;
int bnc_pair_signatures(bnc_client *c, const bnc_pair *p,
                        bnc_signature *structure, bnc_signature *members,
                        size_t *nmembers);

/*
 * bnc_charter_sign_programme: an administrator signs programme_id's
 * charter for the structure, dated today: fetches the charter, hashes
 * its text, refuses (BNC_EAUTH) when that is not the programme's charter
 * hash, signs it (domain "binome programme charter v1", SECURITY.md) and
 * sends it. hash (may be NULL) receives the hash signed.
 */
int bnc_charter_sign_programme(bnc_client *c, uint64_t programme_id,
                               uint8_t hash[BNC_HASH_BYTES]);

/*
 * The end-of-pairing questionnaire (issue 13): at most
 * BNC_QUESTIONS_MAX questions a programme sets, each rated 1 to 5, and
 * the fixed question whether the objectives were met. A member of an
 * ended pair answers once; answers are counted BNC_QUESTIONNAIRE_BATCH
 * at a time, and the coordinator only ever sees the counts.
 */
#define BNC_QUESTIONS_MAX 8
#define BNC_QUESTION_MAX 200
#define BNC_QUESTIONNAIRE_BATCH 5
enum bnc_objectives_met {
    BNC_OBJECTIVES_MET_YES = 1,
    BNC_OBJECTIVES_MET_PARTLY = 2,
    BNC_OBJECTIVES_MET_NO = 3,
};

/* bnc_questionnaire_set (administrator): n questions (0 to
 * BNC_QUESTIONS_MAX), each 1 to BNC_QUESTION_MAX bytes of text. Refused
 * (BNC_ECONFLICT) once someone answered. */
int bnc_questionnaire_set(bnc_client *c, uint64_t programme_id,
                          const char *const *questions, size_t n);

/* A programme's questionnaire as a member of an ended pair reads it. */
typedef struct bnc_questionnaire {
    size_t nquestions;
    char questions[BNC_QUESTIONS_MAX][BNC_QUESTION_MAX + 1];
    int answered; /* this member answered for this pair */
} bnc_questionnaire;

/* bnc_questionnaire_get (member of an ended pair). BNC_ENOTACCEPTED
 * while the pair has not ended, BNC_ENOTFOUND without a questionnaire. */
int bnc_questionnaire_get(bnc_client *c, uint64_t pair_id,
                          bnc_questionnaire *out);

/* bnc_questionnaire_answer (member of an ended pair, once: BNC_EEXIST
 * the second time): n ratings 1 to 5, one per question, and objectives
 * (enum bnc_objectives_met). */
int bnc_questionnaire_answer(bnc_client *c, uint64_t pair_id,
                             const uint8_t *ratings, size_t n,
                             uint8_t objectives);

/* bnc_objectives_met_name: "yes", "partly", "no" ("" otherwise);
 * bnc_objectives_met_parse the reverse (0 or BNC_EINVAL). */
const char *bnc_objectives_met_name(uint8_t v);
int bnc_objectives_met_parse(const char *s, uint8_t *v);

/*
 * What a coordinator sees of the structure's signature and the
 * questionnaire (bnc_stats.feedback): answers is 0 or at least
 * BNC_QUESTIONNAIRE_BATCH; rated[q][r] how many rated question q with
 * r + 1, filled only once answers > 0; pending how many answers wait to
 * be counted (a count: no value).
 */
typedef struct bnc_feedback {
    int charter_signed;  /* the structure signed the charter */
    int charter_current; /* ... the programme's current charter */
    uint64_t charter_by; /* the administrator who signed */
    uint32_t charter_date;
    size_t nquestions;
    char questions[BNC_QUESTIONS_MAX][BNC_QUESTION_MAX + 1];
    uint32_t answers, pending;
    uint32_t rated[BNC_QUESTIONS_MAX][5];
    uint32_t objectives_yes, objectives_partly, objectives_no;
} bnc_feedback;

/* bnc_feedback_fetch (administrator) fills out for programme_id. */
int bnc_feedback_fetch(bnc_client *c, uint64_t programme_id, bnc_feedback *out);

/* bnc_feedback_mean: question q's mean rating (0 when no answer counted). */
double bnc_feedback_mean(const bnc_feedback *f, size_t q);

/*
 * Key-change rule. bnc_pair_keys_hash hashes every member other than
 * self, departed or not (id, sign_pk, box_pk, in account order) into out:
 * whoever the member list names can open some of the pair's notes.
 * bnc_pair_check_keys compares it with the record in the profile
 * (verified/PAIR, else keys/PAIR, which it creates on first sight): 0 when
 * they match, BNC_EUNVERIFIED when they differ. *verified (may be NULL) is
 * set when verified/PAIR exists and matches.
 */
int bnc_pair_keys_hash(uint8_t out[32], const bnc_pair *p, uint64_t self_id);
int bnc_pair_check_keys(const bnc_profile *prof, const bnc_pair *p,
                        int *verified);

/*
 * bnc_pair_confirm records the current members' keys in verified/PAIR and
 * keys/PAIR: the user compared the safety number in person.
 */
int bnc_pair_confirm(const bnc_profile *prof, const bnc_pair *p);

/*
 * bnc_safety_number computes the 60 digits over the pair's two current
 * members (mentor and mentee), the same on both sides.
 */
int bnc_safety_number(const bnc_pair *p, char out[BNC_SAFETY_DIGITS + 1]);

/*
 * Team pairings (issue 14). A pair has two sides, its mentors and its
 * mentees; the two the coordinator paired (bnc_pair_info's mentor_id and
 * mentee_id) are their sides' referents, the ones who verify each other
 * in person with the safety number. A referent adds a member to their
 * own side after comparing in person the member's key code (the digits
 * `binome whoami` shows them): the addition is the referent's signed
 * entry in the pair's log, which vouches for the member's keys to
 * everyone in the pair, and moves the pair to a new key epoch (with
 * history, the member also gets every earlier key). A referent removes
 * a member of their side the same way; the member then opens nothing
 * written after. The coordinator can add no one. A programme allows
 * members per side up to its side_max (bnc_programme_set_side_max).
 */
#define BNC_KEY_CODE_DIGITS 30

/* bnc_key_code writes the 30 digits of an identity (account id and its
 * public keys: one person's half of every safety number) and a NUL. */
int bnc_key_code(uint64_t account_id, const uint8_t sign_pk[32],
                 const uint8_t box_pk[32], char out[BNC_KEY_CODE_DIGITS + 1]);

/* ---- devices and the recovery code (issue 15) ------------------------- */

#define BNC_RECOVERY_TEXT_MAX 40 /* "XXXX-...-XXXX" and a NUL */
#define BNC_DEVICE_NAME_MAX 64
#define BNC_DEVICES_MAX 16

/*
 * bnc_recovery_new makes a new recovery code for the account and keeps
 * the identity sealed under it on the server (the code's key never leaves
 * this machine); the code to show the person once is in out. A new code
 * replaces the last one. bnc_recovery_check: 0 for a well-formed code,
 * BNC_EINVAL, or BNC_ECORRUPT when a character is wrong.
 */
int bnc_recovery_new(bnc_client *c, char out[BNC_RECOVERY_TEXT_MAX]);
int bnc_recovery_check(const char *code);

/* bnc_server_code writes the profile's server code (BS1.…): where the
 * account's server is and which key it holds, for bnc_recover. */
int bnc_server_code(const bnc_profile *p, char *out, size_t size);

/*
 * bnc_recover restores an account on this device (an empty profile p)
 * from its recovery code: server is a server code or an invitation code
 * of the same server; the device is enrolled under device_name and gets
 * its own login key; the key file is sealed with pass. BNC_EEXIST when p
 * already holds an account, BNC_ESIG when the server knows no such code,
 * BNC_EAUTH when the sealed copy does not open with it.
 */
int bnc_recover(bnc_profile *p, const char *server, const char *code,
                const char *device_name, const char *pass, size_t passlen,
                bnc_account *out);

/* A device of the account. */
typedef struct bnc_device {
    uint32_t number;
    char name[BNC_DEVICE_NAME_MAX + 1];
    int64_t added;
    int64_t removed; /* 0: in use */
    int current;     /* this device */
} bnc_device;

/* bnc_profile_device: this device's number (0: the account's only device,
 * logging in with its identity key). */
uint32_t bnc_profile_device(const bnc_profile *p);
int bnc_device_list(bnc_client *c, bnc_device *out, size_t max, size_t *n);
/* bnc_device_remove: the device can no longer log in (not this one). */
int bnc_device_remove(bnc_client *c, uint32_t number);

/*
 * A device link. On the device that has the account: bnc_link_open
 * (pass: the passphrase, to seal this device's own login key when it gets
 * one) gives the code to type on the new device; bnc_link_wait waits for
 * the new device and gives the 6-digit string both screens show; once the
 * person said they match, bnc_link_send adds the device and sends it the
 * identity, sealed to a key only the new device holds. On the new device
 * (an empty profile): bnc_link_join gives the same string; bnc_link_receive
 * (pass: the new device's passphrase) takes the identity and writes the
 * profile. Timeouts in seconds; BNC_ETIMEDOUT, BNC_ETAMPER when what the
 * server carried does not follow the commitment.
 */
typedef struct bnc_link bnc_link;
int bnc_link_open(bnc_client *c, const char *pass, size_t passlen,
                  bnc_link **out, char *code, size_t codesize);
int bnc_link_wait(bnc_link *l, int timeout_s, uint32_t *sas, char *name,
                  size_t namesize);
int bnc_link_send(bnc_link *l, uint32_t *device);
int bnc_link_join(bnc_profile *p, const char *code, const char *name,
                  int timeout_s, bnc_link **out, uint32_t *sas);
int bnc_link_receive(bnc_link *l, const char *pass, size_t passlen,
                     int timeout_s, bnc_account *out);
void bnc_link_free(bnc_link *l);

/* bnc_profile_key_code: the key code of the profile's own identity, from
 * the keys on this machine (loaded: BNC_EINVAL before). A referent
 * compares it in person with the one the server's keys make. */
int bnc_profile_key_code(const bnc_profile *prof,
                         char out[BNC_KEY_CODE_DIGITS + 1]);

/* bnc_account_get reads an account of the caller's programme (a mentor or
 * a mentee) as the server has it: its name and public keys. */
int bnc_account_get(bnc_client *c, uint64_t account_id, bnc_account *out);

/* bnc_pair_member_add: this member, the referent of the account's side,
 * adds it to pair p, open and active (BNC_EDENIED when not that referent,
 * BNC_EEXIST when it is or was a member). code is the account's key code
 * as its owner read it out (spaces ignored): BNC_EAUTH when the keys the
 * server gives do not make it. history gives the member every earlier
 * epoch's key (BNC_ENOKEY when this member lacks one). Reopen the pair to
 * see the new member list. */
int bnc_pair_member_add(bnc_client *c, bnc_pair *p, uint64_t account_id,
                        const char *code, int history);

/* bnc_pair_member_remove: the referent of the member's side removes a
 * member who is no referent (BNC_EDENIED otherwise) and keys a new epoch
 * for those who stay. */
int bnc_pair_member_remove(bnc_client *c, bnc_pair *p, uint64_t account_id);

/* bnc_pair_is_referent: account is one of p's two referents. */
int bnc_pair_is_referent(const bnc_pair *p, uint64_t account_id);

/* bnc_pair_member_added: who vouched for a member: 0 in *by and *seq for
 * a referent (verified in person, with the safety number), else the
 * referent who added them and the seq of that signed entry. BNC_ENOTFOUND
 * for an account that no entry added. */
int bnc_pair_member_added(const bnc_pair *p, uint64_t account_id, uint64_t *by,
                          uint64_t *seq);

/* ------------------------------------------------------------------ */
/* Notes                                                               */

typedef struct bnc_note_meta {
    uint64_t note_id;
    uint32_t revision;
    uint8_t kind;
    uint8_t is_private;
    uint64_t author_id;
    char author_name[BNC_NAME_MAX + 1]; /* from the members, or "" */
    uint64_t session_id;
    uint32_t epoch;
    int64_t created; /* the server's clock when it stored the revision */
    uint32_t size;
    uint8_t side_only; /* kept to the author's side (issue 14) */
} bnc_note_meta;

/*
 * What the pair's signed log says of one revision of a note, never the
 * server's word (bnc_note_origin_of): when its author signed it, and which
 * revision, by whom, it was edited from.
 */
typedef struct bnc_note_origin {
    int64_t written;      /* the author's clock in the revision's signed log
                             entry; 0 when a legacy entry does not name it */
    uint32_t edited_from; /* the revision this one follows (revision - 1),
                             0 for a first revision */
    uint64_t edited_from_author_id; /* who wrote edited_from, as its log
                                       entry says; 0 when unknown (a legacy
                                       log) */
    char edited_from_author[BNC_NAME_MAX + 1]; /* from the members, or "" */
} bnc_note_origin;

typedef struct bnc_note_spec {
    uint64_t note_id;  /* 0: a new note (the library draws an id) */
    uint32_t revision; /* 0: first revision; else the base being edited */
    uint8_t kind;
    uint8_t is_private;
    uint64_t session_id;
    /* kept to the author's side of a team pairing: sealed with that
     * side's key (issue 14), not with is_private */
    uint8_t side_only;
} bnc_note_spec;

/*
 * bnc_note_put seals body (at most BNC_NOTE_MAX_PLAINTEXT bytes) and sends
 * NOTE_PUT: a new note gets a random id and revision 1, an edit revision
 * base + 1. Refused with BNC_EUNVERIFIED when bnc_pair_keys_changed, BNC_ENOKEY
 * when the pair has no key for its epoch. *note_id and *revision (may be
 * NULL) receive what was written.
 */
int bnc_note_put(bnc_client *c, bnc_pair *p, const bnc_note_spec *spec,
                 const uint8_t *body, size_t len, uint64_t *note_id,
                 uint32_t *revision);

/* bnc_note_list fetches every page of the pair's notes this member sees. */
int bnc_note_list(bnc_client *c, const bnc_pair *p, bnc_note_meta **items,
                  size_t *n);

/*
 * bnc_note_get fetches a note (revision 0: the latest) and opens it with
 * the author's key from the member list: a note whose signature does not
 * verify is BNC_ESIG and nothing is returned. *body is locked memory:
 * free it with bnc_secret_free(*body, *len).
 */
int bnc_note_get(bnc_client *c, const bnc_pair *p, uint64_t note_id,
                 uint32_t revision, bnc_note_meta *meta, uint8_t **body,
                 size_t *len);

/*
 * bnc_note_origin fills *o from p's signed log (verified when the pair
 * was opened) for revision m->revision of note m->note_id, which m says
 * was written by m->author_id (a meta from bnc_note_list, bnc_note_get or
 * bnc_note_history, already checked against that log). Never fails: what
 * the log does not say is 0 or "".
 */
void bnc_note_origin_of(const bnc_pair *p, const bnc_note_meta *m,
                        bnc_note_origin *o);

/*
 * bnc_note_rev_fn receives one revision of a note from bnc_note_history:
 * its metadata and its text (valid only during the call; wiped after).
 * A non-zero return stops the walk and is returned.
 */
typedef int (*bnc_note_rev_fn)(void *arg, const bnc_note_meta *m,
                               const uint8_t *body, size_t len);

/*
 * bnc_note_history fetches every revision of a note, 1 to the latest, in
 * order. Each is checked against the pair's signed log (its author, its
 * number, its text's hash) and opened with its author's key, as
 * bnc_note_get does; a revision the log holds and the server does not
 * serve is BNC_EWITHHELD. fn (may be NULL) is called on each revision in
 * turn. *items (free with free()) receives the n revisions' metadata,
 * items[i] being revision i + 1; NULL and 0 on error.
 */
int bnc_note_history(bnc_client *c, const bnc_pair *p, uint64_t note_id,
                     bnc_note_meta **items, size_t *n, bnc_note_rev_fn fn,
                     void *arg);

/*
 * bnc_note_resolve finds a note id from a full id or a unique prefix of
 * its 16 hex digits: BNC_EINVAL for something that is not 1 to 16 hex
 * digits, BNC_ENOTFOUND, BNC_EAMBIGUOUS when several notes match.
 */
int bnc_note_resolve(const bnc_note_meta *items, size_t n, const char *prefix,
                     uint64_t *note_id);

/* ------------------------------------------------------------------ */
/* The pair's log (DESIGN.md, "The pair's log")                        */

/* A log head: the seq and hash of the last entry (seq 0: empty log). */
typedef struct bnc_log_head {
    uint64_t seq;
    uint8_t hash[BNC_HASH_BYTES];
} bnc_log_head;

/*
 * bnc_log_load reads log/PAIR from the profile (a missing record is a
 * zero head); BNC_ECORRUPT for a record that does not parse.
 * bnc_log_save writes it (mode 0600, atomically).
 */
int bnc_log_load(const bnc_profile *prof, uint64_t pair_id, bnc_log_head *out);
int bnc_log_save(const bnc_profile *prof, uint64_t pair_id,
                 const bnc_log_head *h);

/* bnc_pair_log_head is p's log head: verified when the pair opened and
 * moved on by this client's own writes and bnc_log_refresh. */
void bnc_pair_log_head(const bnc_pair *p, bnc_log_head *out);

/* bnc_log_forget removes log/PAIR (after the pair was erased). */
int bnc_log_forget(const bnc_profile *prof, uint64_t pair_id);

/*
 * bnc_log_digest writes the short digest members compare in person: the
 * first 16 hex digits of the head's hash in groups of 4 ("1a2b 3c4d
 * 5e6f 7a8b") and a NUL; "-" for an empty log.
 */
#define BNC_LOG_DIGEST_MAX 20
void bnc_log_digest(const bnc_log_head *h, char out[BNC_LOG_DIGEST_MAX]);

/*
 * bnc_log_refresh fetches the entries after the pair's head (LOG_GET),
 * checks that they extend it and moves p's head (and log/PAIR) on.
 * bnc_pair_open calls the same check against PAIR_DETAIL's head.
 */
int bnc_log_refresh(bnc_client *c, bnc_pair *p);

/* ------------------------------------------------------------------ */
/* Sessions                                                            */

/* The most members a session names absent. */
#define BNC_ABSENTEES_MAX 32

/* absent: the sides of which every member was absent (BNC_ABSENT_*);
 * absentees: the members named absent, by increasing account id (none
 * with a bit set: a session recorded by side only, before team
 * pairings: the bits alone say who). */
typedef struct bnc_session {
    uint64_t id;
    uint32_t date;
    uint8_t status; /* enum bnc_session_status */
    uint8_t absent; /* BNC_ABSENT_* bits */
    uint64_t created_by;
    int64_t created;
    uint8_t mode; /* enum bnc_session_mode */
    size_t nabsentees;
    uint64_t absentees[BNC_ABSENTEES_MAX];
    uint8_t follow_up; /* 1: a follow-up, after the pair completed */
} bnc_session;

/*
 * bnc_session_add records a session (date a day number, status, absences)
 * with its log entry; bnc_session_update changes a session's status and
 * absences (a planned session later held or cancelled). *out (may be
 * NULL) receives the server's record. BNC_EDATE, BNC_EINVAL for values out
 * of range, checked before anything is sent.
 */
int bnc_session_add(bnc_client *c, bnc_pair *p, uint32_t date, uint8_t status,
                    uint8_t absent, bnc_session *out);
int bnc_session_update(bnc_client *c, bnc_pair *p, uint64_t session_id,
                       uint8_t status, uint8_t absent, bnc_session *out);
/*
 * bnc_session_add_follow_up records a follow-up session (issue 14): once
 * the pair completed, its members meet again (yearly, say) and record it
 * on a date after the pair's end. It counts apart from the pairing's own
 * sessions in the statistics. The server refuses it on a pair that is
 * not completed (BNC_EINVAL on an active pair, BNC_EENDED on a withdrawn
 * one) and before the end (BNC_EDATE). A follow-up takes no later update.
 * absentees: n account ids of p's current members who were absent (as
 * bnc_session_add_absentees).
 */
int bnc_session_add_follow_up(bnc_client *c, bnc_pair *p, uint32_t date,
                              uint8_t status, const uint64_t *absentees,
                              size_t n, bnc_session *out);
/*
 * bnc_session_add_absentees and bnc_session_update_absentees are
 * bnc_session_add and bnc_session_update
 * naming who was absent: n account ids of p's current members (any
 * order; BNC_EINVAL for another account or one named twice). The absent
 * bits follow: a side is absent when every current member of it is
 * named. bnc_session_add and bnc_session_update name every current
 * member of each side their bits give.
 */
int bnc_session_add_absentees(bnc_client *c, bnc_pair *p, uint32_t date,
                              uint8_t status, const uint64_t *absentees,
                              size_t n, bnc_session *out);
int bnc_session_update_absentees(bnc_client *c, bnc_pair *p,
                                 uint64_t session_id, uint8_t status,
                                 const uint64_t *absentees, size_t n,
                                 bnc_session *out);
/*
 * bnc_absentees_parse reads who was absent for pair p: "none" (nobody),
 * "mentor", "mentee" or "both" (every current member of that side, or of
 * both), or a comma-separated list of current members by account id or
 * exact display name. The ids are added to ids (room for
 * BNC_ABSENTEES_MAX; *n of them already there; repeats merged), sorted.
 * BNC_ENOTFOUND for a name or id of no current member, BNC_EAMBIGUOUS for
 * a name several members share, BNC_EINVAL for an empty item; *bad (may
 * be NULL) then gets the offset in spec of the item at fault.
 */
int bnc_absentees_parse(const bnc_pair *p, const char *spec, uint64_t *ids,
                        size_t *n, size_t *bad);
/* bnc_admin_sessions: the coordinator (admin) fetches every page of pair
 * pair_id's sessions (dates, status, absences; no note, no pair key
 * needed). The server's word: nothing here is checked against the pair's
 * signed log. *items is malloc'd. */
int bnc_admin_sessions(bnc_client *c, uint64_t pair_id, bnc_session **items,
                       size_t *n);

/*
 * bnc_session_set_mode records how a session was held (enum
 * bnc_session_mode; BNC_MODE_UNKNOWN takes a mode back) with its log
 * entry, by either member; *out as above.
 */
int bnc_session_set_mode(bnc_client *c, bnc_pair *p, uint64_t session_id,
                         uint8_t mode, bnc_session *out);
/* bnc_session_mode_name: "unknown", "in-person", "video" or "phone";
 * bnc_session_mode_parse reads one of those (BNC_EINVAL otherwise). */
const char *bnc_session_mode_name(uint8_t mode);
int bnc_session_mode_parse(const char *s, uint8_t *mode);
/* bnc_session_list fetches every page of the pair's sessions. */
int bnc_session_list(bnc_client *c, const bnc_pair *p, bnc_session **items,
                     size_t *n);
const char *bnc_session_status_name(uint8_t s);
int bnc_session_status_parse(const char *s, uint8_t *status);
/* bnc_absent_name: "-", "mentor", "mentee" or "both". */
const char *bnc_absent_name(uint8_t absent);
/* bnc_absent_parse ORs "mentor", "mentee" or "both" into *absent. */
int bnc_absent_parse(const char *s, uint8_t *absent);
const char *bnc_end_reason_name(uint8_t r);
int bnc_end_reason_parse(const char *s, uint8_t *r);

/* ------------------------------------------------------------------ */
/* Objectives                                                          */

typedef struct bnc_objective {
    uint64_t id;
    uint64_t author_id;
    char author_name[BNC_NAME_MAX + 1];
    uint8_t status; /* enum bnc_objective_status */
    uint32_t defined_date;
    uint32_t reached_date; /* or the day it was abandoned; 0 when open */
    char *text; /* locked memory, NUL-terminated; NULL if not opened */
    size_t text_len;
    int open_rc;          /* 0, or why the text could not be opened */
    uint32_t target_date; /* day it is due (in clear); 0: none */
    /* The quantity and its unit, sealed with the text: "" when none (or
     * not opened). Checked (bnc_quantity_check) before they are shown. */
    char quantity[BNC_QUANTITY_MAX + 1];
    char unit[BNC_UNIT_MAX + 1];
} bnc_objective;

/*
 * An objective of an action plan (issue 14): a target date, in clear (the
 * programme counts objectives overdue and reached on time), and a
 * quantity with its unit ("12" "volunteers trained"), sealed with the
 * text. target_date 0: none; it may be in the future. quantity NULL or
 * "": none; unit NULL or "": none, and a unit needs a quantity.
 */
typedef struct bnc_objective_plan {
    uint32_t target_date;
    const char *quantity;
    const char *unit;
} bnc_objective_plan;

/*
 * bnc_quantity_check: 0 when q is a quantity binome seals (1 to
 * BNC_QUANTITY_MAX bytes: digits, at most one '.' between digits),
 * BNC_EINVAL otherwise. bnc_unit_check: 0 for a unit (1 to BNC_UNIT_MAX
 * bytes of UTF-8, no control character), BNC_EINVAL otherwise.
 */
int bnc_quantity_check(const char *q);
int bnc_unit_check(const char *u);

/*
 * bnc_objective_add_plan and bnc_objective_edit_plan are
 * bnc_objective_add and bnc_objective_edit with plan (NULL: none): the
 * target date goes in clear in the request and its log entry, the
 * quantity and unit are sealed with the text. BNC_EDATE for a target
 * date out of range or before date; BNC_EINVAL for a bad quantity or
 * unit.
 */
int bnc_objective_add_plan(bnc_client *c, bnc_pair *p, const char *text,
                           size_t len, uint32_t date,
                           const bnc_objective_plan *plan, uint64_t *id);
int bnc_objective_edit_plan(bnc_client *c, bnc_pair *p, uint64_t id,
                            const char *text, size_t len, uint32_t date,
                            const bnc_objective_plan *plan);

/*
 * bnc_objective_add seals text (1 to BNC_OBJECTIVE_TEXT_MAX bytes) under
 * the pair key with a client-made id and
 * sends it with its log entry; *id receives the id.
 */
int bnc_objective_add(bnc_client *c, bnc_pair *p, const char *text, size_t len,
                      uint32_t date, uint64_t *id);
/* bnc_objective_reach marks an objective reached on date. */
int bnc_objective_reach(bnc_client *c, bnc_pair *p, uint64_t id, uint32_t date);
/*
 * bnc_objective_edit seals a new text for objective id, defined on date
 * (the same or a corrected day), and sends it with its log entry. Only
 * the objective's author may (the server answers BNC_EDENIED to the
 * partner). bnc_objective_abandon gives an open objective up on date;
 * bnc_objective_reopen makes a reached or abandoned objective open again.
 * Either member may abandon or reopen. Dates after today: BNC_EDATE.
 */
int bnc_objective_edit(bnc_client *c, bnc_pair *p, uint64_t id,
                       const char *text, size_t len, uint32_t date);
int bnc_objective_abandon(bnc_client *c, bnc_pair *p, uint64_t id,
                          uint32_t date);
int bnc_objective_reopen(bnc_client *c, bnc_pair *p, uint64_t id);
/* bnc_objective_status_name: "defined", "reached" or "abandoned". */
const char *bnc_objective_status_name(uint8_t status);
/*
 * bnc_objective_list fetches every objective and opens each text (a text
 * that does not verify leaves text NULL and open_rc set). Free with
 * bnc_objective_list_free, which wipes the texts.
 */
int bnc_objective_list(bnc_client *c, const bnc_pair *p, bnc_objective **items,
                       size_t *n);
void bnc_objective_list_free(bnc_objective *items, size_t n);

/*
 * bnc_id_resolve finds a client-made id (objective, document) from a full
 * id or a unique prefix of its 16 hex digits: BNC_EINVAL for something
 * that is not 1 to 16 hex digits, BNC_ENOTFOUND, BNC_EAMBIGUOUS.
 */
int bnc_id_resolve(const uint64_t *ids, size_t n, const char *prefix,
                   uint64_t *id);

/* ------------------------------------------------------------------ */
/* Documents                                                           */

/* A progress callback: done and total in bytes. */
typedef void (*bnc_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* Chunks in flight. An upload waits for the disk: each batch the
 * server's writer commits ends with its device flushes, so the more chunks
 * wait in its queue, the fewer flushes per byte (32 within the server's
 * default max_inflight of 64; its DOC_STATUS replies are small). A
 * download keeps 8 reads in flight: their replies (8 x 64 KiB) stay below
 * the smallest reply_queue_hard_mib a server may set (1 MiB). */
#define BNC_DOC_PUT_WINDOW 32
#define BNC_DOC_GET_WINDOW 8

typedef struct bnc_doc {
    uint64_t doc_id;
    uint64_t author_id;
    char author_name[BNC_NAME_MAX + 1];
    uint32_t epoch;
    uint32_t chunks;
    int64_t created;
    char name[BNC_DOC_NAME_MAX + 1]; /* decrypted; "" if not opened */
    uint64_t size;                   /* decrypted */
    int open_rc;                     /* 0, or why the header did not open */
    /* The sealed key, stream header and logged hash of the last chunk,
     * for bnc_doc_get: the library's own, freed by bnc_doc_list_free. */
    struct bnc_doc_sealed *sealed;
    uint8_t kind;  /* enum bnc_doc_kind (in clear) */
    uint32_t date; /* the self-diagnosis's day; 0 for a plain document */
} bnc_doc;

/* What a document is to the pairing (issue 14). */
enum bnc_doc_kind {
    BNC_DOC_PLAIN = 0,
    BNC_DOC_DIAGNOSIS = 1, /* the structure's self-diagnosis */
};

/*
 * bnc_doc_put_marked is bnc_doc_put with a mark: kind BNC_DOC_DIAGNOSIS
 * and date (a day not after today) make the document the pairing's
 * self-diagnosis, in clear on its final chunk and that chunk's log entry
 * (the content and name stay sealed). BNC_DOC_PLAIN with date 0 is
 * bnc_doc_put.
 */
int bnc_doc_put_marked(bnc_client *c, bnc_pair *p, int fd, const char *name,
                       uint64_t size, uint64_t doc_id, uint8_t kind,
                       uint32_t date, bnc_progress_fn progress, void *pctx,
                       uint64_t *out_id);

/*
 * bnc_doc_put streams fd (size bytes; name at most BNC_DOC_NAME_MAX bytes)
 * to the pair: a fresh document key, its name and size sealed in the
 * header, chunks of 64 KiB pushed through secretstream with
 * BNC_DOC_PUT_WINDOW in flight; the final chunk carries the log entry.
 * doc_id 0 draws a new id; the id of an interrupted upload restarts it.
 * Memory stays flat whatever the size. A file whose length is not size
 * when its end is reached is BNC_EIO. *out_id (may be NULL) receives the id.
 */
int bnc_doc_put(bnc_client *c, bnc_pair *p, int fd, const char *name,
                uint64_t size, uint64_t doc_id, bnc_progress_fn progress,
                void *pctx, uint64_t *out_id);

/* bnc_doc_list fetches the complete documents and opens their headers.
 * Free with bnc_doc_list_free. */
int bnc_doc_list(bnc_client *c, const bnc_pair *p, bnc_doc **items, size_t *n);
void bnc_doc_list_free(bnc_doc *items, size_t n);

/*
 * bnc_doc_get streams document d (from bnc_doc_list) into fd, pulling
 * BNC_DOC_GET_WINDOW chunks ahead. BNC_ESTREAM when the final chunk never
 * came or data follows it, BNC_EAUTH for an altered chunk, BNC_ECORRUPT
 * when the length differs from the sealed header's. On error fd holds a
 * partial plaintext: the caller removes it.
 */
int bnc_doc_get(bnc_client *c, const bnc_pair *p, const bnc_doc *d, int fd,
                bnc_progress_fn progress, void *pctx);

/*
 * bnc_doc_safe_name writes a file name for a document's decrypted name:
 * '/', '\' and every hazard of text from elsewhere (controls, bidirectional
 * overrides, bytes that are not UTF-8) become '_', leading dots are
 * dropped; never empty.
 */
void bnc_doc_safe_name(char out[BNC_DOC_NAME_MAX + 1], const char *name,
                       uint64_t doc_id);

/* ------------------------------------------------------------------ */
/* Ending and erasing                                                  */

/* bnc_pair_end ends the pairing today (reason BNC_END_*), logged. */
int bnc_pair_end(bnc_client *c, bnc_pair *p, uint8_t reason);

/* bnc_pair_end_override is bnc_pair_end that, with override, ends the
 * pair completed before the programme's minimum duration on purpose (the
 * server refuses it otherwise, BNC_EDATE): signed in the log entry,
 * recorded and shown in the statistics. */
int bnc_pair_end_override(bnc_client *c, bnc_pair *p, uint8_t reason,
                          int override);

/*
 * bnc_pair_erase asks the server, as an administrator, to erase an ended
 * pair: every ciphertext and wrapped key is deleted on the server. It is
 * done only once every member asked (bnc_pair_erase_ask) or the
 * programme's retention period has passed since the pair ended; else
 * BNC_EDENIED, and the server's message (bnc_client_error) says what is
 * missing. Erasing an erased pair is a success.
 */
int bnc_pair_erase(bnc_client *c, uint64_t pair_id);

/* What an erasure request left (bnc_pair_erase_ask). */
#define BNC_ERASE_ASKED_MAX 16u
typedef struct bnc_erasure {
    int erased; /* the pair's content is gone */
    /* the members who asked to erase the whole pair, from their signed
     * entries in the pair's log as this client verified it */
    uint64_t asked[BNC_ERASE_ASKED_MAX];
    int64_t asked_time[BNC_ERASE_ASKED_MAX];
    uint32_t nasked;
    uint32_t erase_after;  /* day from which the programme's retention
                              period allows it without every member (0:
                              none set) */
    uint32_t items_erased; /* mine: your note revisions and documents that
                              went */
} bnc_erasure;

/*
 * bnc_pair_erase_ask is a member's request, signed and logged. Without
 * mine, on an ended pair: their consent to erase the whole pair, which is
 * erased once every member consented, or once the programme's retention
 * period has passed (out->erased says which). With mine, at any time:
 * every note revision and document they wrote themselves is erased now;
 * the partner's stay. BNC_EINVAL for a pair that has not ended (without
 * mine). out->asked comes from the pair's verified log, not from the
 * server's word.
 */
int bnc_pair_erase_ask(bnc_client *c, bnc_pair *p, int mine, bnc_erasure *out);

/* bnc_pair_erase_asked fills out->asked from p's verified log. */
void bnc_pair_erase_asked(const bnc_pair *p, bnc_erasure *out);

/* ---- leaving for good (issue 15) ---------------------------------- */

/* What erasing an account did (bnc_account_erase). */
typedef struct bnc_account_erasure {
    uint64_t account_id;
    int64_t erased;          /* when (unix seconds) */
    uint32_t pairs_kept;     /* ended pairs whose other members keep what
                                the person wrote there */
    uint32_t pairs_shredded; /* pairs whose every member is now erased:
                                their ciphertext went */
} bnc_account_erasure;

/*
 * bnc_account_erase erases an account on the server for good: account_id
 * 0 is the caller's own; an administrator names a participant's or an
 * auditor's account with the programme it is in (programme_id, checked by
 * the server). Refused (BNC_EINVAL, the server's message naming the pair:
 * bnc_client_error) while the account is a member of a pending or active
 * pair; BNC_EDENIED for an administrator's account or a participant
 * naming another. Erasing an erased account again is a success. The
 * server closes the erased account's connections: c can only be closed
 * afterwards. Nothing on this machine changes: see bnc_profile_erase.
 */
int bnc_account_erase(bnc_client *c, uint64_t account_id,
                      uint64_t programme_id, bnc_account_erasure *out);

/*
 * bnc_profile_erase deletes the profile from this machine: the key file
 * first (sealed: it is unlinked, nothing is read or rewritten), then
 * profile.conf, the drafts (sealed), the log heads and key records, the
 * records of interrupted uploads, and the directory itself. 0 when the directory is gone, 1 when it stays
 * because it holds files binome did not make (they are left), or -errno
 * (what could be deleted was). p keeps only its memory: free it.
 */
int bnc_profile_erase(bnc_profile *p);

/* bnc_retention_set sets a programme's retention period (administrator):
 * days after a pair ended from which its content may be erased without
 * every member asking; 0: never. */
int bnc_retention_set(bnc_client *c, uint64_t programme_id, uint32_t days);

/* ------------------------------------------------------------------ */
/* Audit, for auditors, against the live server                        */

/*
 * A canary: plaintext written through a client before the audit (16 to
 * 256 printable ASCII characters, at most BNC_AUDIT_CANARIES_MAX a
 * request), which the server searches in the ciphertext fields of its
 * records and answers found or not found, nothing more.
 */
#define BNC_AUDIT_CANARY_MIN 16
#define BNC_AUDIT_CANARY_MAX 256
#define BNC_AUDIT_CANARIES_MAX 64

typedef struct bnc_canary {
    const char *text; /* not NUL-terminated: len bytes */
    size_t len;
} bnc_canary;

/* A finding: a record that is not a well-formed ciphertext. */
typedef struct bnc_audit_finding {
    char code[33]; /* "malformed", "nonce-reuse", "not-random", ... */
    char db[33];
    char record[129];
    char detail[257];
} bnc_audit_finding;

/* A field the server stores, and how: "clear", "ciphertext", ... */
typedef struct bnc_audit_field {
    char db[33];
    char field[65];
    char kind[17];
} bnc_audit_field;

/*
 * The server's report. Strings are the server's words: escape them
 * before showing them. Free with bnc_audit_report_free.
 */
typedef struct bnc_audit_report {
    uint64_t records;      /* records holding ciphertext */
    uint64_t envelopes;    /* envelopes and chunks */
    uint64_t cipher_bytes; /* ciphertext bytes */
    uint8_t *found;        /* one per canary, in order: 1 found, 0 not */
    size_t nfound;
    bnc_audit_finding *findings;
    size_t nfindings;
    int truncated; /* the server listed only the first findings */
    bnc_audit_field *fields;
    size_t nfields;
} bnc_audit_report;

/* bnc_audit_canary_check: 0 when text[0..len) may be a canary, else
 * BNC_EINVAL. */
int bnc_audit_canary_check(const char *text, size_t len);

/*
 * bnc_audit asks the server to audit its storage (AUDIT_GET, an auditor
 * account only: BNC_EDENIED otherwise) and to search the n canaries
 * (BNC_EINVAL for one that fails bnc_audit_canary_check or more than
 * BNC_AUDIT_CANARIES_MAX; BNC_ELIMIT when the server's rate for audits
 * with canaries is used up). A reply without one answer of 0 or 1 per
 * canary is BNC_EPROTO. *out is allocated; free with
 * bnc_audit_report_free (accepts NULL).
 */
int bnc_audit(bnc_client *c, const bnc_canary *canaries, size_t n,
              bnc_audit_report **out);
void bnc_audit_report_free(bnc_audit_report *r);

/* ------------------------------------------------------------------ */
/* Statistics for administrators ("pilotage")                          */

/*
 * The server keeps raw counters only: dates, statuses and counts, never
 * note content. The library fetches them (bnc_stats_fetch), derives
 * every rate, median and risk from them on the client (bnc_stats_derive: pure,
 * deterministic, given the day), and renders the result as a terminal table,
 * JSON, CSV or one self-contained HTML page with SVG charts.
 *
 * Rules of the derivation (the contract the tests check):
 *   - expected interval: weekly 7 days, fortnightly 14, monthly 30,
 *     bimonthly 61, quarterly 91; expected sessions per pair per month:
 *     30.4375 / interval (a month being 365.25 / 12 days).
 *   - a pair runs from start_date (pairs never started do not run) until
 *     end_date, else today for a pending or active pair, else (an ended
 *     pair without end date) its last held session or its start.
 *   - held sessions, last_held, first_held and absences are the server's
 *     counts: a session recorded held with both members absent is not
 *     held (it counts as cancelled), and absences count only on sessions
 *     recorded held (server/bnd_stats.h).
 *   - at risk: an active pair with no held session for more than 1.5
 *     expected intervals, counted from last_held, else start_date, else
 *     created_date: days_without > 1.5 x interval (10.5, 21, 45, 91.5 and
 *     136.5 days). Listed worst first, then by pair id.
 *   - minimum duration reached: a started pair whose run reaches start +
 *     the programme's months (its minimum pair duration: the calendar's
 *     when an administrator set one), in calendar months (31 January + 1
 *     month is 28 or 29 February). Rate over started pairs. A pair its
 *     member ended completed before it, on purpose (min_override), did
 *     not reach it and says so.
 *   - completion: a pair's outcome is its status when completed or
 *     withdrawn, else its end reason (an erased pair keeps it); rate =
 *     completed / (completed + withdrawn).
 *   - objectives: reach rate = reached / defined, where defined counts
 *     every objective defined and not abandoned (reached ones included);
 *     abandoned ones are counted apart; a reopened one counts as defined.
 *   - first meeting in person: a pair whose first held session was
 *     recorded in person (first_mode); pairs_first_in_person counts them
 *     over the pairs that held a session.
 *   - median days from the pair's start (start_date: the coordinator's
 *     when set, else the second acceptance; created_date for a pair never
 *     started) to the first held session, over pairs that held one (mean
 *     of the two middle values for an even count; a first session dated
 *     before the start counts as 0 days).
 *   - meeting rhythm (sessions_per_pair_month): the held sessions of the
 *     started pairs per pair per month, = their held sessions x 30.4375
 *     / the days they count for. A started pair counts from its start,
 *     or its first held session when earlier, to the end of its run, or
 *     its last held session when later, and for at least one expected
 *     interval (so a pair started today, or whose sessions and start fall
 *     on one day, counts one interval). Defined whenever a pair started.
 *   - months: every month from the first month with a session or a pair
 *     start to the last one (or today's month), at most
 *     BNC_STATS_MONTHS_AHEAD months after today's (a session planned
 *     further ahead counts in the totals, not in the table), gaps filled
 *     with zeros; held per running pair, against days_in_month / interval.
 *   - nothing is divided by zero: a rate whose denominator is 0 is absent
 *     (printed "n/a", JSON null), never 0 %.
 *
 * Ownership: bnc_stats and bnc_stats_derived own their arrays; free them
 * with bnc_stats_free and bnc_stats_derived_free (both accept NULL). A
 * derived view points into the bnc_stats it came from by index only, and
 * the renderers take both.
 */
/* ---- raw counters, as the server sent them -------------------------- */

/* The report's month rows stop this many months after today's. */
#define BNC_STATS_MONTHS_AHEAD 12u

typedef struct bnc_stats_month {
    uint32_t month; /* year * 12 + month - 1 */
    uint32_t held, planned, cancelled;
} bnc_stats_month;

typedef struct bnc_stats_pair {
    uint64_t pair_id;
    char mentor_name[BNC_NAME_MAX + 1];
    char mentee_name[BNC_NAME_MAX + 1];
    uint8_t status;        /* enum bnc_pair_status */
    uint32_t created_date; /* day numbers (bnc_date_*); 0: none */
    uint32_t start_date;
    uint32_t end_date;
    uint8_t end_reason; /* enum bnc_end_reason, 0: none */
    uint32_t sessions_held, sessions_planned, sessions_cancelled;
    uint32_t absent_mentor, absent_mentee;
    uint32_t objectives_defined, objectives_reached;
    uint32_t first_held, last_held; /* 0: no held session */
    uint8_t ended_by;               /* enum bnc_ender, 0: not ended */
    uint8_t min_override; /* ended completed before the minimum, on purpose */
    uint32_t objectives_abandoned;
    uint8_t first_mode; /* of the first held session: enum bnc_session_mode */
    /* The deliverables (issue 14): objectives with a target date passed
     * (before today) still open; reached on or before their target date;
     * the latest self-diagnosis's day (0: none); follow-up sessions held
     * and planned after the pair completed (not in the session counts
     * above). */
    uint32_t objectives_overdue, objectives_on_time;
    uint32_t diagnosis_date;
    uint32_t follow_ups_held, follow_ups_planned;
} bnc_stats_pair;

/* One member's attendance in a pair (issue 14): the pair's held sessions
 * (of the pair as a whole, not only while a member) and this member's
 * absences from them, as the server counts them. */
typedef struct bnc_stats_member {
    uint64_t pair_id;
    uint64_t account_id;
    char name[BNC_NAME_MAX + 1];
    uint8_t side; /* enum bnc_role: BNC_ROLE_MENTOR or BNC_ROLE_MENTEE */
    uint32_t sessions_held;
    uint32_t absences;
} bnc_stats_member;

typedef struct bnc_stats {
    bnc_programme programme;
    uint32_t today; /* the server's day */
    uint32_t mentors, mentees;
    uint32_t pairs_pending, pairs_active, pairs_completed, pairs_withdrawn,
        pairs_erased;
    uint32_t sessions_held, sessions_planned, sessions_cancelled;
    uint32_t absent_mentor, absent_mentee;
    uint32_t objectives_defined, objectives_reached;
    bnc_stats_month *months; /* malloc'd */
    size_t nmonths;
    bnc_stats_pair *pairs; /* malloc'd, in pair id order */
    size_t npairs;
    bnc_feedback feedback; /* the structure's signature, the questionnaire */
    uint32_t objectives_abandoned;
    /* The deliverables (issue 14), as bnc_stats_pair's, in total; pairs
     * with a self-diagnosis. */
    uint32_t objectives_overdue, objectives_on_time;
    uint32_t pairs_with_diagnosis;
    uint32_t follow_ups_held, follow_ups_planned;
    bnc_stats_member *members; /* malloc'd, by pair id then account id */
    size_t nmembers;
} bnc_stats;

/*
 * bnc_stats_fetch sends STATS_GET, then STATS_PAIRS_GET and
 * STATS_MEMBERS_GET until their last pages, and copies everything into *out
 * (allocated; free with bnc_stats_free). Errors: the server's (BNC_EDENIED for
 * a non-admin, BNC_ENOTFOUND for an unknown programme), BNC_EPROTO for a reply
 * about another programme or with an unknown frequency, BNC_ENOMEM.
 */
int bnc_stats_fetch(bnc_client *c, uint64_t programme_id, bnc_stats **out);

/* bnc_stats_free frees s and its arrays; accepts NULL. */
void bnc_stats_free(bnc_stats *s);

/* ---- derived figures ------------------------------------------------ */

/* A rate num / den: absent when den is 0. */
typedef struct bnc_ratio {
    uint64_t num, den;
} bnc_ratio;

/* bnc_ratio_defined: den != 0. bnc_ratio_value: num / den, or 0. */
int bnc_ratio_defined(bnc_ratio r);
double bnc_ratio_value(bnc_ratio r);

/* A figure that may be absent (a median of nothing). */
typedef struct bnc_figure {
    int defined;
    double value;
} bnc_figure;

typedef struct bnc_stats_month_row {
    uint32_t month; /* year * 12 + month - 1 */
    uint32_t held, planned, cancelled;
    uint32_t pairs_running;   /* pairs running some day of the month */
    bnc_figure held_per_pair; /* held / pairs_running */
    double expected_per_pair; /* days_in_month / interval */
} bnc_stats_month_row;

typedef struct bnc_stats_pair_row {
    uint32_t since;        /* day the silence is counted from, or 0 */
    uint32_t days_without; /* today - since, for an active pair */
    int at_risk;
    uint32_t run_days;          /* days run (0: never started) */
    uint32_t expected_sessions; /* run_days / interval */
    int min_duration_reached;
} bnc_stats_pair_row;

typedef struct bnc_stats_derived {
    uint32_t today;
    uint32_t interval_days;    /* expected days between sessions */
    double risk_after_days;    /* 1.5 x interval_days */
    double expected_per_month; /* 30.4375 / interval_days */
    uint32_t pairs_total;      /* sum of the status counters */
    uint32_t pairs_started;    /* pair rows with a start date */
    uint32_t pairs_completed;  /* outcomes, from the pair rows */
    uint32_t pairs_ended;
    uint32_t min_duration_pairs; /* started pairs that reached it */
    /* ended pairs (erased ones too) by who ended them: enum bnc_ender */
    uint32_t ended_by_mentor, ended_by_mentee, ended_by_coordinator;
    bnc_ratio objectives_reach; /* reached / defined */
    bnc_ratio completion;       /* completed / ended */
    bnc_ratio min_duration;     /* reached / started */
    uint32_t median_sample;     /* pairs with a held session */
    bnc_figure median_days_to_first;
    bnc_figure sessions_per_pair_month; /* the meeting rhythm (rules) */
    bnc_stats_month_row *months;
    size_t nmonths;
    bnc_stats_pair_row *pairs; /* parallel to the raw pairs */
    size_t npairs;
    size_t *at_risk; /* indices into the pairs, worst first */
    size_t nat_risk;
    uint32_t pairs_first_in_person; /* first held session in person */
    uint32_t pairs_first_held;      /* pairs with a held session */
} bnc_stats_derived;

/*
 * bnc_stats_derive computes every figure above from s as of day today
 * (pass s->today, or bnc_date_today()). *out is filled (free its arrays
 * with bnc_stats_derived_free). BNC_EINVAL for a programme frequency
 * outside 1..5, BNC_ENOMEM. s is not modified.
 */
int bnc_stats_derive(const bnc_stats *s, uint32_t today,
                     bnc_stats_derived *out);

/* bnc_stats_derived_free frees d's arrays and zeroes it; accepts NULL. */
void bnc_stats_derived_free(bnc_stats_derived *d);

/* bnc_stats_interval_days returns 7, 14, 30, 61 or 91, or 0 for an
 * unknown frequency. */
uint32_t bnc_stats_interval_days(uint8_t frequency);

/* bnc_stats_add_months returns day + months calendar months, the day of
 * month clamped to the month's length. */
uint32_t bnc_stats_add_months(uint32_t day, uint32_t months);

/* ---- renderers ---------------------------------------------------------- */
/*
 * Each writes to f and returns 0, or BNC_EIO when the stream reports an
 * error, or BNC_ENOMEM. Names are never trusted: control characters are
 * replaced in the table, JSON strings are escaped and always valid UTF-8,
 * CSV fields are quoted (RFC 4180), HTML text is escaped. No note content
 * exists here to print.
 *
 * _table: aligned columns for a terminal: the summary, months, the pairs
 * at risk, then one line per pair.
 * _json: one object: programme, counters, rates (null when absent),
 * months, at_risk and pair_rows.
 * _csv: per-pair rows only, one header line then one line per pair, CRLF
 * line ends: a CSV file is one table, which is what spreadsheets and
 * scripts load; programme-level figures are in the JSON and the table.
 * Fields that a spreadsheet would run as a formula (starting with = + -
 * @ or a tab) get a leading apostrophe.
 * _html: one self-contained page (inline CSS and SVG, no script, no
 * external asset), readable on screen and printed on A4.
 */
int bnc_stats_write_table(FILE *f, const bnc_stats *s,
                          const bnc_stats_derived *d);
int bnc_stats_write_json(FILE *f, const bnc_stats *s,
                         const bnc_stats_derived *d);
int bnc_stats_write_csv(FILE *f, const bnc_stats *s,
                        const bnc_stats_derived *d);
int bnc_stats_write_html(FILE *f, const bnc_stats *s,
                         const bnc_stats_derived *d);

/* ------------------------------------------------------------------ */
/* Drafts: what a member wrote, kept on this machine until it is sent  */

/*
 * A draft keeps a text that was written but not (yet) sent: one file per
 * draft, drafts/ID in the profile directory (0700), mode 0600, written
 * atomically. The file is sealed (XChaCha20-Poly1305) with a key derived
 * from the identity's own secret key, so only this account can read it
 * or make one that opens; what is needed to send it again (the pair, the
 * kind of write, the session, the private flag...) is inside the
 * ciphertext, and the text is padded (Padme) so that the file's size
 * shows its length only roughly. SECURITY.md, "Drafts", says what it
 * protects and what it shows.
 */
enum bnc_draft_action {
    BNC_DRAFT_NOTE_ADD = 1,       /* a new note (note_id chosen when saved) */
    BNC_DRAFT_NOTE_EDIT = 2,      /* a new revision of note_id on revision */
    BNC_DRAFT_OBJECTIVE_ADD = 3,  /* a new objective defined on date */
    BNC_DRAFT_OBJECTIVE_EDIT = 4, /* a new text for objective note_id, defined
                                     on date */
};

typedef struct bnc_draft {
    uint64_t id;        /* 0 before the first save; then the file's name */
    uint8_t action;     /* enum bnc_draft_action */
    uint8_t kind;       /* notes: enum bnc_note_kind */
    uint8_t is_private; /* 1: private; 2: kept to the author's side */
    uint64_t pair_id;
    uint64_t note_id;    /* NOTE_ADD: the id the note takes; NOTE_EDIT: the
                            note edited; OBJECTIVE_EDIT: the objective */
    uint32_t revision;   /* NOTE_EDIT: the revision the edit was made on */
    uint64_t session_id; /* notes: the session reported on, 0: none */
    uint32_t date;       /* OBJECTIVE_*: the day it is defined */
    int64_t created;     /* unix seconds of the first save */
    uint8_t *text;       /* locked memory, owned by the draft */
    size_t len;          /* 1 to BNC_NOTE_MAX_PLAINTEXT bytes */
} bnc_draft;

/*
 * bnc_draft_set_text copies text[0..len) into d (locked memory, replacing
 * what d held): 0, BNC_EINVAL for an empty or too long text, BNC_ENOMEM.
 */
int bnc_draft_set_text(bnc_draft *d, const uint8_t *text, size_t len);

/* bnc_draft_clear wipes and frees d's text and zeroes d; accepts NULL. */
void bnc_draft_clear(bnc_draft *d);

/*
 * bnc_draft_save seals d into the profile's drafts/ directory. A draft
 * with id 0 gets a new id, its creation time, and for NOTE_ADD a note id
 * (so that sending it twice writes one note); otherwise drafts/ID is
 * replaced. The identity must be loaded (BNC_EINVAL otherwise).
 */
int bnc_draft_save(const bnc_profile *p, bnc_draft *d);

/*
 * bnc_draft_load opens drafts/ID into *out (bnc_draft_clear it):
 * BNC_ENOTFOUND when there is no such draft, BNC_EAUTH when the file does
 * not open with this account's key or was moved from another name,
 * BNC_ECORRUPT when it is not a draft.
 */
int bnc_draft_load(const bnc_profile *p, uint64_t id, bnc_draft *out);

/*
 * bnc_draft_ids lists the drafts' ids from the files' names, without
 * opening them (no key needed): *ids malloc'd, free() it.
 */
int bnc_draft_ids(const bnc_profile *p, uint64_t **ids, size_t *n);

/*
 * bnc_draft_list opens every draft (oldest first): *items (free with
 * bnc_draft_list_free); *bad (may be NULL) counts the files that did not
 * open.
 */
int bnc_draft_list(const bnc_profile *p, bnc_draft **items, size_t *n,
                   size_t *bad);
void bnc_draft_list_free(bnc_draft *items, size_t n);

/* bnc_draft_discard removes drafts/ID: 0 or BNC_ENOTFOUND. */
int bnc_draft_discard(const bnc_profile *p, uint64_t id);

/* bnc_draft_path writes the path of drafts/ID to out: 0 or BNC_EINVAL. */
int bnc_draft_path(const bnc_profile *p, uint64_t id, char *out, size_t size);

/* ---- the agent (issue 15): unlock once for a session of commands --- */

/*
 * `binome agent` unlocks the identity once and keeps it in a background
 * process, in locked memory, until it has been idle for a while; it
 * listens on agent.sock in the profile directory and answers only
 * processes of its own user. Programs ask it before asking the
 * passphrase. The server never learns of it.
 */
typedef struct bnc_agent bnc_agent;

/*
 * bnc_profile_use_agent loads p's identity from the agent of p's
 * directory, as bnc_profile_load_identity does from the key file: 0 (also
 * when p already holds it), BNC_ENOTFOUND when no agent runs there,
 * BNC_EVERSION when it is another release's agent (another format or
 * size of the identity), BNC_EDENIED when the socket is another user's,
 * BNC_ECLOSED when the agent closed without answering, BNC_ECORRUPT when
 * its keys do not hold together, BNC_ETIMEDOUT, or -errno.
 */
int bnc_profile_use_agent(bnc_profile *p);

/* bnc_agent_status: whether an agent runs for p's directory: 0 with the
 * Unix time it forgets the keys unless used before, and its process id;
 * BNC_ENOTFOUND when none runs; other errors as bnc_profile_use_agent. */
int bnc_agent_status(const bnc_profile *p, int64_t *forget_at, uint32_t *pid);

/* bnc_agent_lock tells the agent of p's directory to forget the keys and
 * exit: 0 once it did, BNC_ENOTFOUND when none runs. */
int bnc_agent_lock(const bnc_profile *p);

/*
 * bnc_agent_open makes the agent's socket in p's directory (mode 0600) and
 * listens; the agent then runs in bnc_agent_serve. BNC_EDENIED when the
 * directory is not private (group or others have any access) or belongs
 * to another user, BNC_EEXIST when an agent already runs there (a socket
 * left by one that died is replaced), BNC_ETOOLONG when the path does not
 * fit a unix socket's, BNC_EINVAL when agent.sock is not a socket, or
 * -errno. *out is allocated: free with bnc_agent_free.
 */
int bnc_agent_open(bnc_agent **out, const bnc_profile *p);

/*
 * bnc_agent_serve answers the agent's requests with p's identity (loaded:
 * BNC_EINVAL before) until idle_seconds pass without a request for the
 * keys, a lock request arrives, or stop_fd (-1: none) becomes readable or
 * closes: a signal handler writes a byte to a pipe whose other end is
 * stop_fd. It then forgets the identity (p holds none) and removes the
 * socket: 0, or -errno when waiting failed.
 */
int bnc_agent_serve(bnc_agent *a, bnc_profile *p, unsigned idle_seconds,
                    int stop_fd);

/* bnc_agent_free closes a's socket, removing its file when remove is not
 * 0 (a process that forked the agent keeps it); accepts NULL. */
void bnc_agent_free(bnc_agent *a, int remove);
/* ------------------------------------------------------------------ */
/* After a restore from backup: what the server lost (issue 15)        */

/* What a log entry logged: the code of the request it records (frozen:
 * the wire's message codes, checked in bnc_resync.c). */
enum bnc_log_op {
    BNC_LOG_OP_PAIR_ERASE = 0x2b,
    BNC_LOG_OP_PAIR_ACCEPT = 0x34,
    BNC_LOG_OP_PAIR_END = 0x35,
    BNC_LOG_OP_KEY_PUT = 0x36,
    BNC_LOG_OP_MEMBER_ADD = 0x37,
    BNC_LOG_OP_NOTE_PUT = 0x40,
    BNC_LOG_OP_MEMBER_REMOVE = 0x46,
    BNC_LOG_OP_SIDE_KEY_PUT = 0x47,
    BNC_LOG_OP_SESSION_ADD = 0x50,
    BNC_LOG_OP_SESSION_UPDATE = 0x51,
    BNC_LOG_OP_SESSION_MODE_SET = 0x58,
    BNC_LOG_OP_OBJECTIVE_ADD = 0x60,
    BNC_LOG_OP_OBJECTIVE_REACH = 0x61,
    BNC_LOG_OP_OBJECTIVE_EDIT = 0x64,
    BNC_LOG_OP_OBJECTIVE_ABANDON = 0x65,
    BNC_LOG_OP_OBJECTIVE_REOPEN = 0x66,
    BNC_LOG_OP_DOC_CHUNK = 0x71,
};

/*
 * One entry of a pair's log as this client verified it, from the small
 * index the profile keeps (log/PAIR.idx: what each entry logged, never
 * any content). note_kind and session_id are known only for this
 * member's own note revisions (0 otherwise); author is the member's name
 * as the pair lists them ("" when unknown).
 */
typedef struct bnc_log_item {
    uint64_t seq;
    uint8_t op;     /* what the entry logged: bnc_log_op_name */
    uint16_t flags; /* private, kept to a side, ... (the entry's bits) */
    uint64_t author_id;
    int64_t time;        /* the author's clock, unix seconds */
    uint64_t item;       /* note, objective, document or account id, or 0 */
    uint32_t sub;        /* a note's revision, a key's epoch, ... */
    uint8_t note_kind;   /* own note revisions: BNC_KIND_*, else 0 */
    uint64_t session_id; /* own note revisions: their session, else 0 */
    char author[BNC_NAME_MAX + 1];
} bnc_log_item;

/*
 * What a server's log lost of what this client verified: entries
 * from_seq .. known_seq. forked: the server holds other, validly signed
 * entries from from_seq on (else its log simply stops at server_seq =
 * from_seq - 1). exact: 0 when the profile's index did not cover the
 * entries and from_seq is only a bound (the loss starts at or before
 * it). lost: the lost entries the index knows, by seq.
 */
typedef struct bnc_log_loss {
    int forked;
    int exact;
    uint64_t from_seq;
    uint64_t known_seq;
    uint64_t server_seq;
    bnc_log_item *lost;
    size_t nlost;
} bnc_log_loss;

/*
 * bnc_client_log_loss: after BNC_EROLLBACK from bnc_pair_open, what the
 * server lost (its whole log verified otherwise); NULL when the rollback
 * could not be described. Valid until the next call on c.
 */
const bnc_log_loss *bnc_client_log_loss(const bnc_client *c);

/* bnc_log_op_name: what an entry logged, in words ("note revision",
 * "session", "objective", "key epoch", "member change", ...). */
const char *bnc_log_op_name(uint8_t op);

/*
 * bnc_pair_resync opens pair_id accepting that the server lost the
 * entries from from_seq on (as bnc_client_log_loss said): every other
 * check of bnc_pair_open stands (the whole log's signatures and chain,
 * the membership replay, every record against the log), and a loss that
 * starts elsewhere is BNC_EROLLBACK still; and every note, session,
 * objective and document is listed and checked against the log before
 * anything is recorded (BNC_ETAMPER, BNC_EWITHHELD). On success the
 * resync is recorded in the profile (bnc_log_resyncs) and the server's
 * head becomes the remembered one. *out is the pair opened as with
 * BNC_PAIR_NOKEYS (nothing written: open it again to write); *resynced
 * (may be NULL) is 1 when a loss was accepted, 0 when the log held what
 * was seen.
 */
int bnc_pair_resync(bnc_client *c, uint64_t pair_id, uint64_t from_seq,
                    bnc_pair **out, int *resynced);

/*
 * Sent copies (issue 15): the last revision of each note this member
 * wrote, sealed like a draft (with the identity's self key) in
 * sent/PAIR/NOTE, so that what a restored server lost can be written
 * again (pair resync --rewrite). bnc_sent_keep keeps d (a note draft) as
 * note_id's revision `revision` (replacing the copy before);
 * bnc_sent_load opens it (BNC_ENOTFOUND: none; out->revision is the
 * revision written; bnc_draft_clear it); bnc_sent_forget removes the
 * pair's copies.
 */
int bnc_sent_keep(const bnc_profile *p, const bnc_draft *d, uint64_t note_id,
                  uint32_t revision);
int bnc_sent_load(const bnc_profile *p, uint64_t pair_id, uint64_t note_id,
                  bnc_draft *out);
int bnc_sent_forget(const bnc_profile *p, uint64_t pair_id);

/* A resync the member accepted: when, and what was lost. */
typedef struct bnc_resync {
    int64_t date; /* unix seconds */
    bnc_log_loss loss;
} bnc_resync;

/*
 * bnc_log_resyncs reads the resyncs recorded for pair_id (oldest first;
 * none: *n 0); free with bnc_log_resyncs_free (accepts NULL).
 */
int bnc_log_resyncs(const bnc_profile *prof, uint64_t pair_id, bnc_resync **out,
                    size_t *n);
void bnc_log_resyncs_free(bnc_resync *v, size_t n);

#ifdef __cplusplus
}
#endif

#endif
