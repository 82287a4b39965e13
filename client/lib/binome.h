/*
 * binome.h: libbinome, the client library of binome.
 *
 * Every function returns 0 on success or a negative code (bn_err.h): a
 * BN_E* code, a negated errno value, or the code an ERROR reply from the
 * server carried. The library never prints, never prompts and never exits:
 * the caller (the binome CLI) asks for passphrases and turns codes into
 * messages.
 *
 * Ownership: every constructor has a destructor that accepts NULL. Arrays
 * returned through an out pointer are allocated with malloc and freed by
 * the caller with free() unless a comment says otherwise. Secret material
 * (identity, pair keys, note plaintexts) lives in sodium_malloc() memory and
 * is wiped by the destructor that frees it.
 *
 * A typical session:
 *
 *     bnc_profile *p; bnc_client *c;
 *     bnc_profile_open(&p, NULL);             profile.conf, no secret
 *     bnc_client_open(&c, p, pass, passlen);  identity, connect, LOGIN
 *     ... operations on c ...
 *     bnc_client_close(c); bnc_profile_free(p);
 */
#ifndef BINOME_H
#define BINOME_H

#include <stddef.h>
#include <stdint.h>

#include "bn_crypto.h"
#include "bn_err.h"
#include "bn_invite.h"
#include "bn_proto.h"

/* ------------------------------------------------------------------ */
/* Profile                                                             */

#define BNC_PATH_MAX 4096
#define BNC_TIMEOUT_MS 15000 /* connect, read and write, each */

/*
 * The profile: what profile.conf holds (no secret) and, once loaded, the
 * identity. The fields may be read directly; change them only through the
 * functions below or before bnc_profile_save.
 */
typedef struct bnc_profile {
    char dir[BNC_PATH_MAX];
    char host[BN_INVITE_HOST_MAX + 1]; /* server address */
    uint16_t port;
    uint8_t server_pk[32]; /* pinned server X25519 key */
    uint64_t account_id;
    char name[BN_NAME_MAX + 1];
    uint8_t role;          /* enum bn_role */
    uint64_t programme_id; /* 0 for admins and auditors */
    bn_identity *id;       /* NULL until bnc_profile_load_identity */
} bnc_profile;

/*
 * bnc_profile_default_dir writes the profile directory to out: dir when
 * not NULL, else $XDG_CONFIG_HOME/binome, else $HOME/.config/binome.
 * BN_EINVAL when the path does not fit or no HOME is known.
 */
int bnc_profile_default_dir(char *out, size_t size, const char *dir);

/*
 * bnc_profile_open reads profile.conf from the directory chosen as by
 * bnc_profile_default_dir. *out is allocated (free with bnc_profile_free).
 * BN_EPROFILE when there is no profile there, BN_ECORRUPT for a file that
 * does not parse (a missing or malformed key).
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
 * p->id (sodium_malloc memory). BN_EPASSPHRASE for a wrong passphrase,
 * BN_EPROFILE when there is no identity file, BN_ECORRUPT.
 */
int bnc_profile_load_identity(bnc_profile *p, const char *pass, size_t passlen);

/*
 * bnc_profile_save_identity seals p->id into identity.key (mode 0600) with
 * the passphrase and the KDF level of BINOME_KDF.
 */
int bnc_profile_save_identity(const bnc_profile *p, const char *pass,
                              size_t passlen);

/*
 * bnc_profile_path writes dir/name to out: BN_EINVAL when it does not fit.
 */
int bnc_profile_path(const bnc_profile *p, char *out, size_t size,
                     const char *name);

/* bnc_role_name returns "admin", "mentor", ... or "?". */
const char *bnc_role_name(uint8_t role);
/* bnc_role_parse: 0 and *role, or BN_EINVAL. */
int bnc_role_parse(const char *s, uint8_t *role);
const char *bnc_kind_name(uint8_t kind);
int bnc_kind_parse(const char *s, uint8_t *kind);
const char *bnc_frequency_name(uint8_t f);
int bnc_frequency_parse(const char *s, uint8_t *f);
const char *bnc_format_name(uint8_t f);
int bnc_format_parse(const char *s, uint8_t *f);
const char *bnc_pair_status_name(uint8_t s);

/* ------------------------------------------------------------------ */
/* Connection                                                          */

typedef struct bnc_conn bnc_conn;

/*
 * bnc_conn_open connects to host:port over TCP (timeout_ms for each step;
 * 0 means BNC_TIMEOUT_MS) and runs the handshake against the pinned
 * server_pk. BN_ECONNECT when the server cannot be reached, BN_EHANDSHAKE
 * when it does not hold the pinned key (the socket is closed),
 * BN_ETIMEDOUT. *out is allocated; free with bnc_conn_close.
 */
int bnc_conn_open(bnc_conn **out, const char *host, uint16_t port,
                  const uint8_t server_pk[32], int timeout_ms);

/* bnc_conn_close closes the socket and wipes the channel keys; accepts
 * NULL. */
void bnc_conn_close(bnc_conn *c);

/* bnc_conn_channel gives the channel, for bn_login_sign. */
const bn_channel *bnc_conn_channel(const bnc_conn *c);

/*
 * bnc_call sends req (its id is replaced by the next request id) sealed in
 * one frame and reads frames until the reply with the same id. reply is
 * filled (free with bn_msg_free, even on error) and 0 returned; an ERROR
 * reply returns its code (the server's message is kept for
 * bnc_last_error). A frame that does not open gives BN_EAUTH and any
 * transport or decoding failure a negative code: after those the
 * connection is dead and every later call returns BN_ECLOSED.
 */
int bnc_call(bnc_conn *c, const bn_msg *req, bn_msg *reply);

/*
 * bnc_last_error returns the message of the last ERROR reply, or "" when
 * the last call did not end with one. Valid until the next call.
 */
const char *bnc_last_error(const bnc_conn *c);

/* ------------------------------------------------------------------ */
/* Client: a profile with its identity and a logged-in connection      */

typedef struct bnc_account {
    uint64_t id;
    uint8_t role;
    char name[BN_NAME_MAX + 1];
    uint64_t programme_id;
    uint8_t sign_pk[32];
    uint8_t box_pk[32];
    int64_t created;
} bnc_account;

typedef struct bnc_client {
    bnc_profile *profile; /* borrowed: the caller keeps it alive */
    bnc_conn *conn;
    bnc_account me;
    uint64_t log_bad_seq;    /* after BN_EROLLBACK / BN_ECHAIN: the entry */
    uint64_t log_bad_author; /* ... and the member it claims as author */
    /* After BN_ETAMPER / BN_EWITHHELD: what did not follow from the pair's
     * signed log, naming the item ("note 1a2b...: revision 2 is in the
     * pair's log but the server served revision 1"); ids and numbers
     * only, never content. */
    char tamper[256];
} bnc_client;

/*
 * bnc_join redeems an invitation: parses code (BN_EINVAL), refuses a
 * directory that already holds a profile (BN_EEXIST), generates an
 * identity, connects pinning the code's server key, sends JOIN and, once
 * the server answered LOGGED_IN, writes identity.key and profile.conf into
 * p (a profile from bnc_profile_new). Errors from the server (BN_EUSED,
 * BN_EEXPIRED, ...) pass through; on error nothing is left on disk.
 */
int bnc_join(bnc_profile *p, const char *code, const char *name,
             const char *pass, size_t passlen, bnc_account *out);

/*
 * bnc_client_open loads the identity with the passphrase (unless already
 * loaded), connects to the profile's server and logs in. *out is allocated;
 * free with bnc_client_close. p must outlive the client.
 */
int bnc_client_open(bnc_client **out, bnc_profile *p, const char *pass,
                    size_t passlen);

/* bnc_client_close closes the connection; accepts NULL. */
void bnc_client_close(bnc_client *c);

/* bnc_client_error returns the server's message for the last failure. */
const char *bnc_client_error(const bnc_client *c);

/*
 * bnc_client_reconnect drops the connection and opens a new one, logged
 * in again (the identity stays loaded): after a long pause (an editor) or
 * a connection lost in the middle of a write, which can then be retried.
 */
int bnc_client_reconnect(bnc_client *c);

/* bnc_whoami asks the server who this account is. */
int bnc_whoami(bnc_client *c, bnc_account *out);

/* ------------------------------------------------------------------ */
/* Administration                                                      */

typedef struct bnc_programme {
    uint64_t id;
    char name[BN_TITLE_MAX + 1];
    char theme[BN_TITLE_MAX + 1];
    uint32_t months;
    uint8_t frequency;
    uint8_t format;
    uint8_t charter_hash[32];
    int64_t created;
} bnc_programme;

typedef struct bnc_programme_spec {
    const char *name;
    const char *theme;
    uint32_t months;
    uint8_t frequency;
    uint8_t format;
    const char *charter; /* NUL-terminated; NULL: the default charter */
} bnc_programme_spec;

/* bnc_default_charter is the charter used when none is given (static). */
const char *bnc_default_charter(void);

/* bnc_programme_create makes a programme; *id receives its id. */
int bnc_programme_create(bnc_client *c, const bnc_programme_spec *spec,
                         uint64_t *id);

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
 * into code (BN_INVITE_CODE_MAX + 1 bytes). *expires may be NULL.
 */
int bnc_invite_create(bnc_client *c, uint64_t programme_id, uint8_t role,
                      uint32_t ttl_days, char code[BN_INVITE_CODE_MAX + 1],
                      int64_t *expires);

/* bnc_account_list fetches every page of a programme's accounts. */
int bnc_account_list(bnc_client *c, uint64_t programme_id, bnc_account **items,
                     size_t *n);

/*
 * bnc_account_resolve finds an account by decimal id or exact display
 * name in items: BN_ENOTFOUND, or BNC_EAMBIGUOUS when a name is shared.
 */
#define BNC_EAMBIGUOUS BN_EAMBIGUOUS
int bnc_account_resolve(const bnc_account *items, size_t n, const char *s,
                        uint64_t *id);

/* ------------------------------------------------------------------ */
/* Pairs                                                               */

typedef struct bnc_pair_info {
    uint64_t id;
    uint64_t programme_id;
    uint64_t mentor_id;
    uint64_t mentee_id;
    char mentor_name[BN_NAME_MAX + 1];
    char mentee_name[BN_NAME_MAX + 1];
    uint8_t status;   /* enum bn_pair_status */
    uint8_t accepted; /* BN_ACCEPTED_* bits */
    uint32_t start_date;
    uint32_t end_date;
    uint8_t end_reason;
    uint32_t epoch;
} bnc_pair_info;

typedef struct bnc_member {
    uint64_t account_id;
    uint8_t role;
    char name[BN_NAME_MAX + 1];
    uint8_t sign_pk[32];
    uint8_t box_pk[32];
    uint32_t from_epoch;
    uint32_t to_epoch; /* 0: still a member */
} bnc_member;

/* bnc_pair_create makes a pair (admin); *id receives its id. */
int bnc_pair_create(bnc_client *c, uint64_t programme_id, uint64_t mentor_id,
                    uint64_t mentee_id, uint64_t *id);

/* bnc_pair_list fetches every page of the pairs this account may see. */
int bnc_pair_list(bnc_client *c, bnc_pair_info **items, size_t *n);

#define BNC_WARNINGS_MAX 8

/*
 * bnc_pair: an opened pair, with its members, charter and, when active,
 * the pair keys of every epoch this member holds (sodium_malloc memory).
 * The fields may be read; free with bnc_pair_free.
 */
typedef struct bnc_pair {
    bnc_pair_info info;
    bnc_member *members;
    size_t nmembers;
    char *charter;
    uint8_t charter_hash[32];
    int keys_changed;          /* the other members' keys differ from those
                                  recorded (verified/PAIR, else keys/PAIR) */
    int verified;              /* verified/PAIR exists and matches */
    struct bnc_pair_key *keys; /* sodium_malloc */
    size_t nkeys;
    uint64_t log_seq;     /* the log head, verified when the pair opened */
    uint8_t log_head[32]; /* and moved on by this client's own writes */
    bn_log_entry *log;    /* every entry, seq 1 .. log_seq, verified */
    size_t nlog;
    size_t nlegacy; /* version 1 entries (written before schema 4): their
                       items cannot be checked one by one */
    /* Warnings for the person (a bad key wrap skipped, a legacy log):
     * ids only. */
    char warnings[BNC_WARNINGS_MAX][200];
    size_t nwarnings;
} bnc_pair;

enum bnc_pair_flags {
    BNC_PAIR_NOKEYS = 1, /* do not fetch or create keys (accept, verify) */
};

/*
 * bnc_pair_open fetches the pair (PAIR_GET), checks the members' keys
 * against the profile's record (bnc_pair.keys_changed; the first keys seen
 * are recorded in keys/PAIR), fetches and verifies the pair's whole log
 * (it must hold the head remembered in log/PAIR) and holds what the
 * server said to it (bnc_ledger.c: the member list to the hash each
 * member signed when accepting, the state to the accept and end entries,
 * the epoch and the wraps to the KEY_PUT entries): BN_ECHAIN,
 * BN_EROLLBACK, BN_ETAMPER or BN_EWITHHELD, with c->log_bad_seq or
 * c->tamper saying where. For an active or ended pair it then opens this
 * member's wrap of every logged epoch (the wrapper's signature, then the
 * logged key id); a wrap that does not open is skipped with a warning in
 * p->warnings. When the current epoch has no usable key it draws one,
 * wraps it for every member and logs a KEY_PUT: for the current epoch if
 * nobody keyed it, else for the next (a re-key); on BN_ECONFLICT it
 * fetches again. Refused with BN_EUNVERIFIED when keys_changed. Errors:
 * the server's (BN_EDENIED ...). *out is allocated; free with
 * bnc_pair_free.
 */
int bnc_pair_open(bnc_client *c, uint64_t pair_id, int flags, bnc_pair **out);

/* bnc_pair_free wipes the keys and frees; accepts NULL. */
void bnc_pair_free(bnc_pair *p);

/* bnc_pair_member finds a member by account id, or NULL. */
const bnc_member *bnc_pair_member(const bnc_pair *p, uint64_t account_id);

/*
 * bnc_pair_accept signs the charter for this member: recomputes the hash
 * of the charter text and refuses (BN_EAUTH) when it differs from the hash
 * the server sent, then sends PAIR_ACCEPT with today's date. p comes from
 * bnc_pair_open; the caller shows p->charter first.
 */
int bnc_pair_accept(bnc_client *c, bnc_pair *p);

/*
 * Key-change rule. bnc_pair_keys_hash hashes every member other than
 * self, departed or not (id, sign_pk, box_pk, in account order) into out:
 * whoever the member list names can open some of the pair's notes.
 * bnc_pair_check_keys compares it with the record in the profile
 * (verified/PAIR, else keys/PAIR, which it creates on first sight): 0 when
 * they match, BN_EUNVERIFIED when they differ. *verified (may be NULL) is
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
int bnc_safety_number(const bnc_pair *p, char out[BN_SAFETY_DIGITS + 1]);

/* ------------------------------------------------------------------ */
/* Notes                                                               */

typedef struct bnc_note_meta {
    uint64_t note_id;
    uint32_t revision;
    uint8_t kind;
    uint8_t is_private;
    uint64_t author_id;
    char author_name[BN_NAME_MAX + 1]; /* from the members, or "" */
    uint64_t session_id;
    uint32_t epoch;
    int64_t created;
    uint32_t size;
} bnc_note_meta;

typedef struct bnc_note_spec {
    uint64_t note_id;  /* 0: a new note (the library draws an id) */
    uint32_t revision; /* 0: first revision; else the base being edited */
    uint8_t kind;
    uint8_t is_private;
    uint64_t session_id;
} bnc_note_spec;

/*
 * bnc_note_put seals body (at most BN_NOTE_MAX_PLAINTEXT bytes) and sends
 * NOTE_PUT: a new note gets a random id and revision 1, an edit revision
 * base + 1. Refused with BN_EUNVERIFIED when p->keys_changed, BN_ENOKEY
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
 * verify is BN_ESIG and nothing is returned. *body is sodium_malloc
 * memory (free with sodium_free after sodium_memzero(*body, *len)).
 */
int bnc_note_get(bnc_client *c, const bnc_pair *p, uint64_t note_id,
                 uint32_t revision, bnc_note_meta *meta, uint8_t **body,
                 size_t *len);

/*
 * bnc_note_resolve finds a note id from a full id or a unique prefix of
 * its 16 hex digits: BN_EINVAL for something that is not 1 to 16 hex
 * digits, BN_ENOTFOUND, BNC_EAMBIGUOUS when several notes match.
 */
int bnc_note_resolve(const bnc_note_meta *items, size_t n, const char *prefix,
                     uint64_t *note_id);

/* ------------------------------------------------------------------ */
/* Pipelined requests (documents keep several chunks in flight)        */

/*
 * bnc_send seals and sends req without waiting (its id is replaced by the
 * next request id, returned in *id). bnc_recv reads the next reply,
 * whichever request it answers: the caller matches reply->id. An ERROR
 * reply returns its code with reply->id set; an ERROR for no request of
 * ours, or any transport failure, kills the connection as for bnc_call.
 * reply must be freed with bn_msg_free, even on error.
 */
int bnc_send(bnc_conn *c, const bn_msg *req, uint64_t *id);
int bnc_recv(bnc_conn *c, bn_msg *reply);

/* ------------------------------------------------------------------ */
/* The pair's log (DESIGN.md, "The pair's log")                        */

/* A log head: the seq and hash of the last entry (seq 0: empty log). */
typedef struct bnc_log_head {
    uint64_t seq;
    uint8_t hash[BN_HASH_BYTES];
} bnc_log_head;

/*
 * bnc_log_check is the one check of a log the server sent against what
 * this client saw before. known is the remembered head (seq 0: nothing
 * remembered). entries[0..n) are the server's entries from seq
 * max(known->seq, 1) on. expect (may be NULL) is the head the server
 * announced (PAIR_DETAIL): the chain must end exactly there.
 *
 * With something remembered, entries[0] must be the remembered entry
 * (same seq, same hash); the others must verify (bn_log_verify, authors'
 * keys from key/ctx). A log shorter than the remembered seq, or another
 * entry at that seq, is BN_EROLLBACK; a gap, a reordered, altered or
 * badly signed entry, or a chain that does not end at expect, is
 * BN_ECHAIN. *bad_seq (may be NULL) receives the seq of the entry at
 * fault. On success *out (may be NULL) is the new head.
 */
int bnc_log_check(uint64_t pair_id, const bnc_log_head *known,
                  const bn_log_entry *entries, size_t n,
                  const bnc_log_head *expect, bn_log_key_fn key, void *ctx,
                  bnc_log_head *out, uint64_t *bad_seq);

/*
 * bnc_log_load reads log/PAIR from the profile (a missing record is a
 * zero head); BN_ECORRUPT for a record that does not parse.
 * bnc_log_save writes it (mode 0600, atomically).
 */
int bnc_log_load(const bnc_profile *prof, uint64_t pair_id, bnc_log_head *out);
int bnc_log_save(const bnc_profile *prof, uint64_t pair_id,
                 const bnc_log_head *h);

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

typedef struct bnc_session {
    uint64_t id;
    uint32_t date;
    uint8_t status; /* enum bn_session_status */
    uint8_t absent; /* BN_ABSENT_* bits */
    uint64_t created_by;
    int64_t created;
} bnc_session;

/*
 * bnc_session_add records a session (date a day number, status, absences)
 * with its log entry; bnc_session_update changes a session's status and
 * absences (a planned session later held or cancelled). *out (may be
 * NULL) receives the server's record. BN_EDATE, BN_EINVAL for values out
 * of range, checked before anything is sent.
 */
int bnc_session_add(bnc_client *c, bnc_pair *p, uint32_t date, uint8_t status,
                    uint8_t absent, bnc_session *out);
int bnc_session_update(bnc_client *c, bnc_pair *p, uint64_t session_id,
                       uint8_t status, uint8_t absent, bnc_session *out);
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
    char author_name[BN_NAME_MAX + 1];
    uint8_t status; /* enum bn_objective_status */
    uint32_t defined_date;
    uint32_t reached_date;
    char *text; /* sodium_malloc, NUL-terminated; NULL if not opened */
    size_t text_len;
    int open_rc; /* 0, or why the text could not be opened */
} bnc_objective;

/*
 * bnc_objective_add seals text (1 to BN_OBJECTIVE_TEXT_MAX bytes) under
 * the pair key with a client-made id (kind BN_AD_KIND_OBJECTIVE) and
 * sends it with its log entry; *id receives the id.
 */
#define BN_OBJECTIVE_TEXT_MAX 2048u
int bnc_objective_add(bnc_client *c, bnc_pair *p, const char *text, size_t len,
                      uint32_t date, uint64_t *id);
/* bnc_objective_reach marks an objective reached on date. */
int bnc_objective_reach(bnc_client *c, bnc_pair *p, uint64_t id, uint32_t date);
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
 * id or a unique prefix of its 16 hex digits: BN_EINVAL for something
 * that is not 1 to 16 hex digits, BN_ENOTFOUND, BNC_EAMBIGUOUS.
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
    char author_name[BN_NAME_MAX + 1];
    uint32_t epoch;
    uint32_t chunks;
    int64_t created;
    char name[BN_DOC_NAME_MAX + 1]; /* decrypted; "" if not opened */
    uint64_t size;                  /* decrypted */
    int open_rc;                    /* 0, or why the header did not open */
    uint8_t *key_env;               /* malloc'd copies, for bnc_doc_get */
    size_t key_env_len;
    uint8_t stream_header[BN_DOC_STREAM_HEADER_BYTES];
    uint8_t final_hash[BN_HASH_BYTES]; /* of the final chunk, as logged */
} bnc_doc;

/*
 * bnc_doc_put streams fd (size bytes; name at most BN_DOC_NAME_MAX bytes)
 * to the pair: a fresh document key, its name and size sealed in the
 * header, chunks of BN_DOC_CHUNK bytes pushed through secretstream with
 * BNC_DOC_PUT_WINDOW in flight; the final chunk carries the log entry.
 * doc_id 0 draws a new id; the id of an interrupted upload restarts it.
 * Memory stays flat whatever the size. A file whose length is not size
 * when its end is reached is BN_EIO. *out_id (may be NULL) receives the id.
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
 * BNC_DOC_GET_WINDOW chunks ahead. BN_ESTREAM when the final chunk never
 * came or data follows it, BN_EAUTH for an altered chunk, BN_ECORRUPT
 * when the length differs from the sealed header's. On error fd holds a
 * partial plaintext: the caller removes it.
 */
int bnc_doc_get(bnc_client *c, const bnc_pair *p, const bnc_doc *d, int fd,
                bnc_progress_fn progress, void *pctx);

/*
 * bnc_doc_safe_name writes a file name for a document's decrypted name:
 * '/', '\' and every hazard of bn_text.h (controls, bidirectional
 * overrides, bytes that are not UTF-8) become '_', leading dots are
 * dropped; never empty.
 */
void bnc_doc_safe_name(char out[BN_DOC_NAME_MAX + 1], const char *name,
                       uint64_t doc_id);

/* ------------------------------------------------------------------ */
/* Ending and erasing                                                  */

/* bnc_pair_end ends the pairing today (reason BN_END_*), logged. */
int bnc_pair_end(bnc_client *c, bnc_pair *p, uint8_t reason);

/* bnc_pair_erase erases an ended pair (a member or an administrator):
 * every ciphertext and wrapped key is deleted on the server. */
int bnc_pair_erase(bnc_client *c, uint64_t pair_id);

#endif
