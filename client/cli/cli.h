/*
 * cli.h: what the binome command line's files share. main.c holds the one
 * table of commands; each cli_*.c file holds one family's handlers.
 *
 * A handler returns 0, a negative BNC_E* code, or CLI_EUSAGE. It writes its
 * normal output to stdout; it never prints an error or exits: it may put a
 * precise message and a hint in the context (cli_fail), and main prints
 * "binome: <command>: <message>" and what to do, then exits 1 (2 for
 * usage errors).
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sodium.h>

#include "binome.h"
#include "bn_text.h"
#include "bn_util.h"

#define CLI_EUSAGE (-2000)       /* outside the BNC_E* and errno ranges */
#define CLI_EINTERRUPTED (-2001) /* cli_edit: a signal, text in hand */

typedef struct cli_ctx {
    const char *profile_dir; /* --profile, or NULL */
    const char *command;     /* "note add" */
    char msg[512];           /* overrides bnc_strerror when set */
    char hint[512];          /* what to do, when known */
    bnc_profile *profile;    /* opened by cli_connect */
    bnc_client *client;
    const char *pair; /* the pair a command opened: named in tamper reports */
    char after[1300]; /* a last line after the error: where a draft is kept */
    char server[256]; /* the server's words when it refused a login or join */
    /* objective add and edit: the plan cli_draft_send sends with the text
     * (issue 14); NULL: none */
    const bnc_objective_plan *plan;
    /* pair resync (issue 15): the start of the loss the member accepted
     * (0: none), and no loss list on stderr (resync prints it). */
    uint64_t resync_from;
    int resync_quiet;
} cli_ctx;

typedef int (*cli_handler)(cli_ctx *ctx, int argc, char **argv);

/* ---- handlers (one file per family) -------------------------------- */

int cli_join(cli_ctx *ctx, int argc, char **argv);
int cli_whoami(cli_ctx *ctx, int argc, char **argv);
int cli_passphrase_change(cli_ctx *ctx, int argc, char **argv);
/* cli_device.c (issue 15) */
int cli_offer_recovery(cli_ctx *ctx);
int cli_recovery_new(cli_ctx *ctx, int argc, char **argv);
int cli_recover(cli_ctx *ctx, int argc, char **argv);
int cli_device_link(cli_ctx *ctx, int argc, char **argv);
int cli_device_add(cli_ctx *ctx, int argc, char **argv);
int cli_device_list(cli_ctx *ctx, int argc, char **argv);
int cli_device_remove(cli_ctx *ctx, int argc, char **argv);
int cli_agent(cli_ctx *ctx, int argc, char **argv);
int cli_lock(cli_ctx *ctx, int argc, char **argv);
int cli_programme_create(cli_ctx *ctx, int argc, char **argv);
int cli_programme_list(cli_ctx *ctx, int argc, char **argv);
int cli_invite(cli_ctx *ctx, int argc, char **argv);
int cli_accounts(cli_ctx *ctx, int argc, char **argv);
int cli_account_erase(cli_ctx *ctx, int argc, char **argv);
int cli_admin_account_erase(cli_ctx *ctx, int argc, char **argv);
int cli_admin_pair(cli_ctx *ctx, int argc, char **argv);
int cli_pairs(cli_ctx *ctx, int argc, char **argv);
int cli_pair_accept(cli_ctx *ctx, int argc, char **argv);
int cli_verify(cli_ctx *ctx, int argc, char **argv);
int cli_member_add(cli_ctx *ctx, int argc, char **argv);
int cli_member_remove(cli_ctx *ctx, int argc, char **argv);
int cli_members(cli_ctx *ctx, int argc, char **argv);

/* cli_member_status says in out how member m came into pair p and
 * whether this client verified it: a referent verified in person or not,
 * vouched for by the referent who added them (log entry), or left. */
void cli_member_status(const bnc_pair *p, const bnc_member *m, char *out,
                       size_t size);
int cli_note_add(cli_ctx *ctx, int argc, char **argv);
int cli_note_list(cli_ctx *ctx, int argc, char **argv);
int cli_note_show(cli_ctx *ctx, int argc, char **argv);
int cli_note_edit(cli_ctx *ctx, int argc, char **argv);
int cli_note_history(cli_ctx *ctx, int argc, char **argv);
int cli_pair_end(cli_ctx *ctx, int argc, char **argv);
int cli_admin_end(cli_ctx *ctx, int argc, char **argv);
int cli_programme_set(cli_ctx *ctx, int argc, char **argv);
int cli_erase(cli_ctx *ctx, int argc, char **argv);
int cli_admin_retention(cli_ctx *ctx, int argc, char **argv);
int cli_admin_pair_start(cli_ctx *ctx, int argc, char **argv);
int cli_admin_sessions(cli_ctx *ctx, int argc, char **argv);
int cli_charter_sign(cli_ctx *ctx, int argc, char **argv);
int cli_questionnaire_set(cli_ctx *ctx, int argc, char **argv);
int cli_pair_charter(cli_ctx *ctx, int argc, char **argv);
int cli_pair_questionnaire(cli_ctx *ctx, int argc, char **argv);
int cli_admin_erase(cli_ctx *ctx, int argc, char **argv);
int cli_session_add(cli_ctx *ctx, int argc, char **argv);
int cli_session_update(cli_ctx *ctx, int argc, char **argv);
int cli_session_list(cli_ctx *ctx, int argc, char **argv);
int cli_objective_add(cli_ctx *ctx, int argc, char **argv);
int cli_objective_reach(cli_ctx *ctx, int argc, char **argv);
int cli_objective_list(cli_ctx *ctx, int argc, char **argv);
int cli_objective_edit(cli_ctx *ctx, int argc, char **argv);
int cli_objective_abandon(cli_ctx *ctx, int argc, char **argv);
int cli_objective_reopen(cli_ctx *ctx, int argc, char **argv);
int cli_doc_put(cli_ctx *ctx, int argc, char **argv);
int cli_doc_list(cli_ctx *ctx, int argc, char **argv);
int cli_doc_get(cli_ctx *ctx, int argc, char **argv);
int cli_export(cli_ctx *ctx, int argc, char **argv);
int cli_admin_stats(cli_ctx *ctx, int argc, char **argv);
int cli_audit(cli_ctx *ctx, int argc, char **argv);
int cli_drafts(cli_ctx *ctx, int argc, char **argv);
int cli_drafts_show(cli_ctx *ctx, int argc, char **argv);
int cli_drafts_send(cli_ctx *ctx, int argc, char **argv);
int cli_drafts_discard(cli_ctx *ctx, int argc, char **argv);
int cli_pair_resync(cli_ctx *ctx, int argc, char **argv);
/* cli_loss_report: after BNC_EROLLBACK opening pair, the lost entries on
 * stderr and the message: a fork or a rollback (cli_resync.c). */
int cli_loss_report(cli_ctx *ctx, const char *pair);
/* cli_resyncs_print: the resyncs recorded for a pair, a line each. */
void cli_resyncs_print(cli_ctx *ctx, uint64_t pair_id);

/* ---- shared helpers (cli_util.c) ------------------------------------ */

/* cli_fail records a message for main to print and returns code. */
int cli_fail(cli_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* cli_hint records what the person can do about the failure. */
void cli_hint(cli_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Options: "--name VALUE", "--name=VALUE" or a flag "--name"; "-o" is
 * "--output" (doc get). Arguments
 * that do not start with "--" are positional; "--" ends the options.
 * cli_parse fills the options' targets and pos[0..*npos), and fails with
 * CLI_EUSAGE (message set) for an unknown option, a missing value, or a
 * count of positionals outside [min, max].
 */
typedef struct cli_opt {
    const char *name; /* without the dashes */
    const char **val; /* option with a value, or NULL */
    int *flag;        /* flag, or NULL */
} cli_opt;

int cli_parse(cli_ctx *ctx, int argc, char **argv, const cli_opt *opts,
              char **pos, int min, int max);

/*
 * cli_take_repeated removes every "--name VALUE" / "--name=VALUE" from
 * argv (for an option that may be given several times), puts the values
 * in vals (at most max) and returns the new argc, or CLI_EUSAGE.
 */
int cli_take_repeated(cli_ctx *ctx, int argc, char **argv, const char *name,
                      const char **vals, int max, int *nvals);

/* cli_day parses a YYYY-MM-DD option before any network use: a clear
 * CLI_EUSAGE message for a malformed or impossible date. */
int cli_day(cli_ctx *ctx, const char *what, const char *s, uint32_t *day);

/* cli_write_error turns a failed write to pair `pair` into a message that
 * says what to do (ended pair, not accepted yet, log refused...). */
int cli_write_error(cli_ctx *ctx, int rc, const char *pair);

/*
 * Text that another person chose is never written to stdout or stderr as
 * it is, except on request (--raw, --json, export files): cli_safe and
 * cli_print_text show it on one line, cli_print_body on several, with
 * every hazard of bn_text.h escaped ("\x1b", "\u202e"). This holds
 * whatever stdout is: see cli_util.c for why.
 *
 * cli_print_text prints s on one line (an objective text in a table).
 */
void cli_print_text(FILE *f, const char *s);

/* cli_print_body prints multi-line text (a note body, a charter): with
 * raw, its exact bytes; else escaped, newlines and tabs kept. 0, BNC_EIO
 * or BNC_ENOMEM. */
int cli_print_body(FILE *f, const void *text, size_t len, int raw);

/* A progress bar on stderr, drawn only when stderr is a terminal. */
typedef struct cli_progress {
    int on;
    int last; /* last permille drawn */
    const char *label;
} cli_progress;
void cli_progress_init(cli_progress *pr, const char *label);
void cli_progress_cb(void *ctx, uint64_t done, uint64_t total);
void cli_progress_end(cli_progress *pr);

/* cli_u64 parses a decimal id option or argument (CLI_EUSAGE otherwise). */
int cli_u64(cli_ctx *ctx, const char *what, const char *s, uint64_t *v);

/*
 * cli_passphrase gets the passphrase: BINOME_PASSPHRASE, else a no-echo
 * prompt on /dev/tty (twice when confirm). *pass is sodium_malloc memory:
 * free with cli_passphrase_free. An empty passphrase is refused.
 */
int cli_passphrase(cli_ctx *ctx, int confirm, char **pass, size_t *len);
void cli_passphrase_free(char *pass, size_t len);
/* cli_new_passphrase is cli_passphrase for a new passphrase:
 * BINOME_NEW_PASSPHRASE, else asked twice on the terminal. */
int cli_new_passphrase(cli_ctx *ctx, char **pass, size_t *len);

/*
 * cli_profile_check looks at the profile directory's two files before
 * anything is asked: for a command (join 0), both must be there; for
 * join, neither. Otherwise BNC_EPROFILE or BNC_EEXIST with one message
 * for each case, whatever the command: no profile, a profile already
 * there, or half of one (a lost key file or profile.conf), with what to
 * do (restore it, or move it aside and join again).
 */
int cli_profile_check(cli_ctx *ctx, int join);

/* cli_unlock loads ctx->profile's identity (the profile open): from the
 * agent when one runs ('binome agent'), else with the passphrase. */
int cli_unlock(cli_ctx *ctx);

/* cli_connect opens the profile, asks the passphrase, connects and logs
 * in: ctx->profile and ctx->client (main closes them); 0 at once when
 * ctx->client is already there. */
int cli_connect(cli_ctx *ctx);

/* cli_open_pair parses a pair id and opens it (bnc_pair_open), warning on
 * stderr when a member's key changed. */
int cli_open_pair(cli_ctx *ctx, const char *arg, int flags, bnc_pair **out);

/* cli_open_own_pair is cli_open_pair for a command only a member of the
 * pair may run: BNC_ENOTFOUND (message set) for anybody else. */
int cli_open_own_pair(cli_ctx *ctx, const char *arg, int flags, bnc_pair **out);

/* cli_pair_error says what went wrong when the server would not give
 * pair arg: BNC_ENOTFOUND "no pair 99 among yours" (the same for a pair
 * that does not exist and one of somebody else), BNC_EDENIED for a role
 * that never reaches a pair's content; each with what to do. Other codes
 * are left alone. Returns rc. */
int cli_pair_error(cli_ctx *ctx, int rc, const char *arg);

/* cli_programme_error does the same for programme arg ("no programme 9"). */
int cli_programme_error(cli_ctx *ctx, int rc, const char *arg);

/* cli_json_connect parses a command that takes only "--json" (setting
 * *json) and no positionals, then connects (cli_connect). */
int cli_json_connect(cli_ctx *ctx, int argc, char **argv, int *json);

/* cli_json_pair parses a command that takes "--json" (setting *json) and
 * one positional PAIR, then opens the pair with cli_open_pair(flags);
 * *p is the caller's to free with bnc_pair_free. */
int cli_json_pair(cli_ctx *ctx, int argc, char **argv, int flags, int *json,
                  bnc_pair **p);

/* cli_note_arg checks that arg has the form of a note id (1 to 16 hex
 * digits, or a prefix of one) before anything is asked or opened: 0 with
 * *note_id set, or CLI_EUSAGE with its message. */
int cli_note_arg(cli_ctx *ctx, const char *arg, uint64_t *note_id);

/* cli_note_find finds NOTE (arg: an id or a unique prefix) among the
 * notes of pair p (named pair on the command line) that this member
 * sees; *latest (may be NULL) receives its latest revision. Messages set
 * for a note that is not there or a prefix of several. */
int cli_note_find(cli_ctx *ctx, const bnc_pair *p, const char *pair,
                  const char *arg, uint64_t *note_id, uint32_t *latest);

/* cli_note_origin_line writes "revision 3 by Bob (mentee), edited from
 * Alice's revision 2" (names escaped by cli_safe; the role in brackets
 * unless role is NULL) for revision m and its origin o
 * (bnc_note_origin_of). */
void cli_note_origin_line(char *out, size_t size, const bnc_note_meta *m,
                          const bnc_note_origin *o, const char *role);

/* cli_note_date is when revision m was written: the author's clock in
 * its signed log entry, else (a legacy entry) the server's. */
int64_t cli_note_date(const bnc_note_meta *m, const bnc_note_origin *o);

/* cli_key_code writes code (BNC_KEY_CODE_DIGITS digits) in groups of 5
 * to out and returns out. */
#define CLI_KEY_CODE_SPACED (BNC_KEY_CODE_DIGITS / 5 * 6 + 4)
const char *cli_key_code(const char *code, char out[CLI_KEY_CODE_SPACED]);

/* cli_json_str prints s as a JSON string to stdout. */
void cli_json_str(const char *s);

/* cli_date formats a day number ("-" for 0). cli_time formats unix
 * seconds as "YYYY-MM-DD HH:MM UTC". */
void cli_date(char out[11], uint32_t day);
void cli_time(char out[32], int64_t t);

/* cli_safe returns s escaped on one line (bn_text.h), for a table or a
 * message: names come from other people. The string lives until the
 * fourth next call (four may be in use at once, e.g. in one printf). */
const char *cli_safe(const char *s);

/* cli_pad is cli_safe(s) followed by spaces up to width columns of a
 * terminal (bn_text_width: an accent or a combining mark takes no column
 * of its own, a CJK character two), for a table's column; a longer text
 * is left whole, as printf's "%-20s" would. The string lives until the
 * fourth next call of cli_pad. */
const char *cli_pad(const char *s, int width);

/* cli_is_tty says whether fd is a terminal. */
int cli_is_tty(int fd);

/* cli_is_tamper says whether rc means the server's copy of a pair does
 * not follow from its signed log (exit status 3: tampering). */
int cli_is_tamper(int rc);
/*
 * cli_edit runs ${EDITOR:-vi} on a file that starts as init[0..initlen),
 * in a private directory (0700) under $XDG_RUNTIME_DIR (else $TMPDIR or
 * /tmp, with a warning), without BINOME_PASSPHRASE in the editor's
 * environment, and reads what it saved into buf (*len bytes; BNC_ETOOBIG
 * when cap bytes or more). Every file in the directory is then
 * overwritten and removed, and the directory too, whatever happened; what
 * cannot be removed is named on stderr. 0 or an error, message set.
 */
int cli_edit(cli_ctx *ctx, const uint8_t *init, size_t initlen, uint8_t *buf,
             size_t cap, size_t *len);

/*
 * When a hangup or a termination arrives while the editor runs, cli_edit
 * cleans up as always; if the editor had saved a new text, that text is
 * in buf (*len) and cli_edit returns CLI_EINTERRUPTED without dying: the
 * caller keeps it (a draft), then calls cli_edit_reraise, which raises
 * the signal again (the process ends as the signal says). Otherwise the
 * signal is raised inside cli_edit.
 */
void cli_edit_reraise(void);

/* ---- drafts (cli_draft.c) -------------------------------------------- */

/*
 * A text typed for a pair (in $EDITOR or on standard input) is kept as a
 * sealed draft from the moment it is read until the server acknowledged
 * it. The order of a writing command: cli_open_pair (passphrase, server,
 * pair), cli_check_writable and every other check, then the text, then
 * cli_draft_keep, then cli_draft_send.
 *
 * cli_check_writable refuses, before any text is written, a pair that
 * takes no writes (pending, ended) or whose keys changed: the message set.
 */
int cli_check_writable(cli_ctx *ctx, const bnc_pair *p, const char *pair);

/* cli_draft_keep saves d (ctx->profile's identity loaded); on failure it
 * warns on stderr, sets d->id to 0 and returns the error: the caller
 * still sends. */
int cli_draft_keep(cli_ctx *ctx, bnc_draft *d);

/* cli_draft_send sends d to the opened pair p (PAIR as typed: pair) and
 * prints what 'note add', 'note edit' or 'objective add' print. Sent:
 * the draft file is removed. Refused: the message is set and, when d is
 * saved (d->id), ctx->after says where it is and how to send it again. */
int cli_draft_send(cli_ctx *ctx, bnc_pair *p, const char *pair, bnc_draft *d);

/* cli_draft_kept sets ctx->after for a saved draft d, after a failure
 * (conflict: an edit on a revision that is no longer the latest). */
void cli_draft_kept(cli_ctx *ctx, const bnc_draft *d, int conflict);

/* cli_draft_arg finds a draft id (1 to 16 hex digits, a unique prefix)
 * among the profile's drafts, without the passphrase. */
int cli_draft_arg(cli_ctx *ctx, const char *arg, uint64_t *id);

/* cli_draft_open loads draft id (identity loaded), message set. */
int cli_draft_open(cli_ctx *ctx, uint64_t id, bnc_draft *d);

/* cli_ask_yes asks a y/N question on /dev/tty: 1 for yes. */
int cli_ask_yes(const char *question);

/* cli_profile_passphrase opens ctx's profile and asks for its current
 * passphrase (or BINOME_PASSPHRASE), for commands that reseal the keys. */
int cli_profile_passphrase(cli_ctx *ctx, char **pass, size_t *len);

/* cli_read_tty prompts on fd and reads one line into buf (size bytes,
 * NUL included), without echo when secret. */
int cli_read_tty(int fd, const char *prompt, char *buf, size_t size,
                 size_t *len, int secret);

#endif
