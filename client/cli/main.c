/*
 * main.c: the binome command line. One table of commands; usage and every
 * --help come from it. Only this file prints errors and exits.
 */
#include "bn_version.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cli_cmd {
    const char *path; /* the words that name the command */
    cli_handler fn;
    const char *usage; /* arguments after the path */
    const char *help;
} cli_cmd;

static const cli_cmd commands[] = {
    {"join", cli_join, "CODE --name NAME [--no-recovery]",
     "Join a programme with an invitation code: makes your keys on this "
     "machine, protected by a passphrase (asked twice, or "
     "BINOME_PASSPHRASE), and writes the profile. Then shows your recovery "
     "code once (see 'binome recovery new'), unless --no-recovery."},
    {"whoami", cli_whoami, "[--json]",
     "Show this profile's account as the server sees it, and its key code "
     "(30 digits from the keys on this machine): read it out in person to "
     "the referent who adds you to a team pairing."},
    {"passphrase", cli_passphrase_change, "[--help]",
     "Change the passphrase that protects your keys on this machine: the "
     "current one (BINOME_PASSPHRASE, else asked), then the new one "
     "(BINOME_NEW_PASSPHRASE, else asked twice). The key file is replaced "
     "in one step: if anything interrupts it, the old file or the new one "
     "stays, whole. Your keys do not change: your pairs see nothing."},
    {"recovery new", cli_recovery_new, "[--help]",
     "Make a new recovery code and show it once: with it (and the server "
     "code shown beside it) 'binome recover' gives your account back on "
     "another device if you lose this one or forget your passphrase. The "
     "server keeps your keys sealed under it and cannot open them. A new "
     "code replaces the last one."},
    {"recover", cli_recover, "--server SERVER_CODE [--name NAME]",
     "Restore your account on this device (an empty profile) from your "
     "recovery code (asked, or BINOME_RECOVERY_CODE) and the server code "
     "shown with it (or your invitation code): your keys come back, this "
     "device gets its own login key (named NAME in your device list), and "
     "a new passphrase protects them here (asked twice, or "
     "BINOME_PASSPHRASE). Then remove the lost device: 'binome device "
     "remove N'."},
    {"device link", cli_device_link, "[--help]",
     "Add a new device to your account, from this one: shows the code to "
     "type on the new device ('binome device add CODE'), then both screens "
     "show six digits: type the other screen's digits on each. Only when "
     "they match are your keys sent, sealed to a key only the new device "
     "holds; the server cannot read them. Your pairs see no change."},
    {"device add", cli_device_add, "CODE [--name NAME]",
     "On a new device (an empty profile): receive your account from your "
     "other device running 'binome device link'. Compare the six digits "
     "both screens show, then choose a passphrase for this device (asked "
     "twice, or BINOME_PASSPHRASE)."},
    {"device list", cli_device_list, "[--json]",
     "List your account's devices: number, name, when added and removed, "
     "and which one this is."},
    {"device remove", cli_device_remove, "NUMBER",
     "Remove one of your devices (not this one): it can no longer log in. "
     "The keys it holds stay on it: if it was stolen, also make a new "
     "recovery code."},
    {"account erase", cli_account_erase, "[--yes]",
     "Leave for good: the server deletes your name and public keys and "
     "you can never log in again; then this machine deletes your profile "
     "(key file, settings, drafts, log records). Refused while you are in "
     "a pending or active pair (end it first). What you wrote in an ended "
     "pair stays readable by its other member until that pair is erased "
     "('binome pair erase PAIR'); a pair with no other member left loses "
     "its notes and documents at once. The programme's counts stay. Asks "
     "you to type 'erase', or --yes. If the server refuses, nothing here "
     "changes. Export first what you want to keep."},
    {"admin programme create", cli_programme_create,
     "--name N --theme T --months M --frequency "
     "weekly|fortnightly|monthly|bimonthly|quarterly --format "
     "in-person|video|mixed [--charter FILE] [--mentees-per-mentor N]",
     "Create a programme (administrators). Without --charter a default "
     "charter is used. --mentees-per-mentor: how many mentees one mentor "
     "may follow at once (default 1). Prints the programme id."},
    {"admin programme set", cli_programme_set,
     "--programme P [--mentees-per-mentor N] [--start YYYY-MM-DD|none] "
     "[--end YYYY-MM-DD|none] [--min-months N] [--side-max N]",
     "Change a programme's settings (administrators): how many mentees one "
     "mentor may follow at once (1 to 50; pairs already formed stay); its "
     "start and end dates (sessions are dated within them; 'none' unsets "
     "one); its minimum pair duration in months (0: the programme's own "
     "--months), before which a pair is ended completed only with "
     "'pair end --override'; how many members a side of a pair may have "
     "(1, pairs of two people, the default, to 8: team pairings)."},
    {"admin charter sign", cli_charter_sign, "--programme P",
     "Sign the programme's charter for the structure (administrators): the "
     "convention's third signature, with your identity key, dated today. "
     "Each pair's 'binome pair charter' shows it and checks it."},
    {"admin questionnaire set", cli_questionnaire_set,
     "--programme P [--question TEXT]...",
     "Set the programme's end-of-pairing questionnaire (administrators): "
     "up to 8 questions, each rated 1 to 5, plus the fixed question "
     "whether the objectives were met. Members of ended pairs answer it "
     "once ('binome pair questionnaire'); 'admin stats' shows only counts "
     "and means over at least 5 answers. It cannot change once answered."},
    {"admin programme list", cli_programme_list, "[--json]",
     "List the programmes (administrators)."},
    {"admin invite", cli_invite,
     "--programme P --role admin|mentor|mentee|auditor [--days N]",
     "Make a single-use invitation; prints the code alone on stdout. "
     "Admins and auditors belong to no programme (--programme 0)."},
    {"admin accounts", cli_accounts, "--programme P [--json]",
     "List a programme's accounts (administrators). An erased account "
     "shows as '(erased account)'."},
    {"admin account list", cli_accounts, "--programme P [--json]",
     "The same as 'binome admin accounts'."},
    {"admin account erase", cli_admin_account_erase, "ACCOUNT [--yes]",
     "Erase a participant's or an auditor's account for good, at the "
     "person's request (administrators; the right to erasure): the same "
     "as their own 'binome account erase', but their profile stays on "
     "their machine. Refused while the account is in a pending or active "
     "pair (end it first: 'binome admin end'), for an administrator's "
     "account, and for your own. Asks you to type 'erase', or --yes."},
    {"admin stats", cli_admin_stats,
     "--programme P [--json | --csv | --html FILE]",
     "A programme's statistics (administrators): pairs by status, "
     "sessions, absences, objectives, completion and the pairs at risk "
     "(no held session for 1.5 times the expected interval), and each "
     "member's absences (a members section). Default: a table; --json; "
     "--csv (one row per pair, then one per member); --html FILE: one "
     "self-contained report with charts, ready to print."},
    {"admin pair", cli_admin_pair,
     "--programme P --mentor ACCOUNT --mentee ACCOUNT",
     "Form a pair; ACCOUNT is an id or an exact display name. Prints the "
     "pair id."},
    {"admin pair start", cli_admin_pair_start, "--pair P --date YYYY-MM-DD",
     "Set the day a pair started (administrators), e.g. on paper before "
     "the software: not after today, within the programme's dates, not "
     "after the pair's first recorded session. Statistics count from it "
     "and no session may be dated before it. The server's record, not "
     "signed by the pair."},
    {"admin sessions", cli_admin_sessions, "--pair P [--json]",
     "A pair's sessions as the coordinator sees them (administrators): "
     "date, held/planned/cancelled, who was absent (the members' names, "
     "else account ids); never a note."},
    {"pairs", cli_pairs, "[--json]",
     "List your pairs (administrators: every pair they may see)."},
    {"pair list", cli_pairs, "[--json]", "The same as 'binome pairs'."},
    {"pair accept", cli_pair_accept, "PAIR",
     "Show the programme's charter and sign it: your consent to the "
     "pairing. On a terminal you are asked to confirm; otherwise running "
     "the command is the consent."},
    {"pair charter", cli_pair_charter, "PAIR",
     "Show the charter's three signatures for the pair: the structure's "
     "(the programme's administrator) and each member's, with their dates, "
     "each checked on this machine. The structure's key is taken from the "
     "server: the pair has not verified it in person."},
    {"pair members", cli_members, "PAIR [--json]",
     "List the pair's members, side by side: each side's referent (the "
     "two the coordinator paired, who verify each other in person) and "
     "the members a referent added, with who vouched for them and whether "
     "you verified the pair; members who left are shown as such."},
    {"pair member add", cli_member_add,
     "PAIR --account ID --code DIGITS [--history]",
     "A side's referent adds an account of the programme to their side "
     "(team pairings; the programme allows it: 'admin programme set "
     "--side-max'). Meet the person: they read you their account id and key "
     "code from 'binome whoami'; the code must match the keys the server "
     "gives. The addition is your signed entry in the pair's log, and "
     "moves the pair to a new key: with --history they also read what was "
     "written before, else only what is written from now on."},
    {"pair member remove", cli_member_remove, "PAIR --account ID",
     "A side's referent removes a member of their side (not a referent): "
     "the pair moves to a new key that the member does not hold, so they "
     "open nothing written afterwards, and the server refuses them the "
     "pair."},
    {"pair questionnaire", cli_pair_questionnaire,
     "PAIR [--answers R1,R2,... --objectives yes|partly|no]",
     "Answer the programme's end-of-pairing questionnaire, once, after the "
     "pair ended: asked question by question on a terminal, or given with "
     "--answers (one rating 1 to 5 per question) and --objectives. The "
     "coordinator only sees counts over at least 5 answers."},
    {"pair end", cli_pair_end, "PAIR --reason completed|withdrawn [--override]",
     "End the pairing (either member, at any time: the right to withdraw). "
     "Completed before the programme's minimum duration is refused unless "
     "--override (recorded, signed, shown in the statistics). "
     "The pair keeps its notes, readable by its members, and takes no more "
     "writes. After a withdrawal the administrator may form a new pair."},
    {"erase", cli_erase, "PAIR [--mine]",
     "Ask to erase an ended pair for good: every note, objective text, "
     "document and wrapped key is deleted on the server (sessions and "
     "counts stay for the statistics). Your request is signed in the "
     "pair's log; the pair is erased once every member asked, or once the "
     "programme's retention period has passed since it ended; until then "
     "the command says who still has to ask and from when retention "
     "allows it. --mine erases now, at any time, what you wrote yourself "
     "(your note revisions and documents), never the other member's. "
     "Export first what you want to keep. On a terminal you are asked to "
     "confirm."},
    {"pair erase", cli_erase, "PAIR [--mine]", "The same as 'binome erase'."},
    {"admin end", cli_admin_end,
     "--pair P --reason stalled|withdrawn [--date YYYY-MM-DD]",
     "End a pending or active pair as the programme's coordinator "
     "(administrators): stalled (it stopped meeting) or withdrawn (a member "
     "left without ending it). Its members see it ended by the "
     "coordinator; each may then be paired again ('binome admin pair')."},
    {"admin erase", cli_admin_erase, "--pair P",
     "Erase an ended pair (administrators): done only once every member "
     "asked ('binome erase PAIR') or the programme's retention period has "
     "passed since the pair ended; else says what is missing."},
    {"admin retention", cli_admin_retention, "--programme P --days N",
     "Set the programme's retention period: N days after a pair ended, its "
     "content may be erased without its members asking (0: never, the "
     "default)."},
    {"verify", cli_verify, "PAIR [--confirm]",
     "Show the pair's safety number and the head of its log (entry number "
     "and a short digest). Compare both in person with the other member's; "
     "if they match, --confirm records the keys: a later change of keys "
     "then blocks every write until you verify again. A different log "
     "digest at the same entry means the server shows you different "
     "histories."},
    {"session add", cli_session_add,
     "PAIR --date YYYY-MM-DD [--status held|planned|cancelled] "
     "[--absent mentor|mentee|both|none|MEMBER,...]... "
     "[--mode in-person|video|phone] [--follow-up]",
     "Record a session. The status defaults to held for a past date and "
     "planned for a future one. --absent names who was absent: mentor or "
     "mentee (every member of that side), both, none, or members by "
     "account id or display name, comma-separated; it may be given "
     "several times. --mode says "
     "how it was held (the programme's report shows whether each pair's "
     "first meeting was in person); without it the mode is unknown. "
     "--follow-up records a follow-up session after the pair completed "
     "(yearly, say), dated after its end: the programme counts follow-ups "
     "apart from the pairing's sessions; it takes no --mode and no later "
     "update. Prints the session id."},
    {"session update", cli_session_update,
     "PAIR SESSION [--status held|planned|cancelled] "
     "[--absent mentor|mentee|both|none|MEMBER,...]... "
     "[--mode in-person|video|phone|unknown]",
     "Correct a session's status, who was absent (as for 'session add'; "
     "the new list replaces the old; --absent none: everybody attended) "
     "or how it was held, e.g. a planned session later held or "
     "cancelled. What is not given is kept. Each change is signed in the "
     "pair's log and the programme's figures follow."},
    {"session list", cli_session_list, "PAIR [--json]",
     "List the pair's sessions, with who was absent by name."},
    {"note add", cli_note_add,
     "PAIR [--session S] [--kind report|action-plan|review|note] "
     "[--private | --side] [--file F | --draft ID]",
     "Write a note, encrypted on this machine. The body comes from --file, "
     "else standard input when it is not a terminal, else $EDITOR (in a "
     "private directory under $XDG_RUNTIME_DIR, removed afterwards with "
     "whatever the editor left there). The passphrase, the server, the "
     "pair and the session are checked before the editor opens. Until the "
     "server has the note, what you typed is kept as an encrypted draft: "
     "if sending fails, you are told its id. --draft ID starts from that "
     "draft (in $EDITOR on a terminal, else as it is). --private seals it "
     "so that only you can read it; --side, in a team pairing, with your "
     "side's key, so that only the members of your side (the mentors, or "
     "the mentees) can read it. Prints the note id."},
    {"note edit", cli_note_edit, "PAIR NOTE [--file F | --draft ID]",
     "Write a new revision of a note. The body comes from --file, else "
     "standard input when it is not a terminal, else $EDITOR started on "
     "the current text (--draft ID: on that draft's text). If someone "
     "saved a revision since you read it, nothing is saved, your text is "
     "kept as a draft and you are told to show the note again. The new "
     "revision is yours, signed by you: editing the other member's note "
     "never replaces their revision, which stays readable under their "
     "name ('note history'). Another member's private note cannot be "
     "edited."},
    {"note list", cli_note_list, "PAIR [--json]",
     "List the pair's notes: kind, author, date and revision of the latest "
     "revision, and whose revision it was edited from."},
    {"note show", cli_note_show, "PAIR NOTE [--revision N] [--raw]",
     "Decrypt and show a note (NOTE: its id or a unique prefix), its latest "
     "revision or revision N. Control "
     "characters, escape sequences and bidirectional overrides in it are "
     "shown escaped (\\x1b, \\u202e), never sent to the terminal. --raw "
     "prints exactly the body and nothing else."},
    {"note history", cli_note_history, "PAIR NOTE [--text] [--json]",
     "List every revision of a note, first to latest: its author, the date "
     "its author signed, its size and whose revision it was edited from, "
     "as the pair's signed log says. --text shows each revision's text "
     "(escaped; with --json, exact). Nothing is shown if any revision does "
     "not verify."},
    {"objective add", cli_objective_add,
     "PAIR [TEXT | -] [--date YYYY-MM-DD] [--target YYYY-MM-DD] "
     "[--quantity N [--unit U]]",
     "Define an objective of the action plan; its text is encrypted on "
     "this machine, only its status and dates are seen by the programme. "
     "--target is the day it is due (it may be in the future; the "
     "programme counts objectives overdue and reached on time). "
     "--quantity (a number, 12 or 2.5) and --unit (\"volunteers trained\") "
     "make it quantitative: they are encrypted with the text. Prints its "
     "id. Without TEXT (or with -) the text is read from standard input, "
     "after the passphrase and the pair were checked, and kept as an "
     "encrypted draft until it is sent (not with --target or --quantity: "
     "a draft keeps no plan): prefer it, since a command line is visible "
     "to other users of the machine and kept in the shell's history."},
    {"objective reach", cli_objective_reach,
     "PAIR OBJECTIVE [--date YYYY-MM-DD]",
     "Mark an objective reached (today unless --date). OBJECTIVE is its id "
     "or a unique prefix."},
    {"objective edit", cli_objective_edit,
     "PAIR OBJECTIVE [TEXT | -] [--date YYYY-MM-DD] "
     "[--target YYYY-MM-DD|none] [--quantity N|none [--unit U]]",
     "Correct an objective you wrote: a new text (encrypted on this "
     "machine; read from standard input without TEXT or with -), and with "
     "--date a corrected day it was defined. --target, --quantity and "
     "--unit change its target date and quantity (none: takes it away); "
     "what is not given is kept. Only its author can edit an "
     "objective; your partner can abandon it or add another."},
    {"objective abandon", cli_objective_abandon,
     "PAIR OBJECTIVE [--date YYYY-MM-DD]",
     "Give up an open objective (today unless --date): the programme "
     "counts it as abandoned, neither defined nor reached."},
    {"objective reopen", cli_objective_reopen, "PAIR OBJECTIVE",
     "Make a reached or abandoned objective open again (a mistake "
     "corrected): it no longer counts as reached or abandoned."},
    {"objective list", cli_objective_list, "PAIR [--json]",
     "List the objectives, decrypted, with their status, dates, target "
     "date and quantity."},
    {"doc put", cli_doc_put, "PAIR FILE [--diagnosis [--date YYYY-MM-DD]]",
     "Share a document: encrypted on this machine in 64 KiB chunks, with "
     "its name and size. If the upload is interrupted, run the same "
     "command again: it restarts. --diagnosis marks it as the pairing's "
     "self-diagnosis, made on --date (today by default): the programme "
     "sees that mark and its date, never the document. Prints the "
     "document id."},
    {"doc list", cli_doc_list, "PAIR [--json]",
     "List the pair's documents (names decrypted on this machine) and "
     "which is the self-diagnosis, with its date."},
    {"doc get", cli_doc_get, "PAIR DOC [-o FILE]",
     "Download and decrypt a document to FILE, else to its own name in "
     "the current directory (which must not exist yet). The file appears "
     "only once the whole document verified."},
    {"export", cli_export, "PAIR --to DIR",
     "Write everything you can read in the pair, decrypted, into DIR (new "
     "or empty, made 0700): notes as Markdown with a small header, every "
     "revision with its author and date (the latest in notes/, earlier ones "
     "in notes/revisions/), documents under their own names, objectives.csv "
     "and sessions.csv."},
    {"audit", cli_audit, "[--json] [--canary FILE]...",
     "Audit the live server (auditors): every stored note and document "
     "must be a well-formed ciphertext with a fresh nonce. Each line of a "
     "canary FILE (16 to 256 printable characters, at most 16 by default; "
     "write them through the client first, e.g. in a note) is searched in "
     "the ciphertext the server stores, and reported found or not found, "
     "nothing more; the server takes one audit with canaries per auditor "
     "per minute. Prints the counts, the canaries, the fields the server "
     "sees in clear and each finding; exits 1 when there is a finding or a "
     "canary is found. To search the server's files, run 'binomed audit "
     "--data DIR --canary FILE' on the server."},
    {"drafts", cli_drafts, "[--json]",
     "List your drafts: texts you wrote (note add, note edit, objective "
     "add, objective edit) that did not reach the server. They are kept in "
     "drafts/ in the "
     "profile, encrypted with a key only your identity holds (asks the "
     "passphrase)."},
    {"drafts show", cli_drafts_show, "ID [--raw]",
     "Show a draft's text (ID: its id or a unique prefix), escaped unless "
     "--raw."},
    {"drafts send", cli_drafts_send, "ID",
     "Send a draft as the command that wrote it would have, then remove "
     "it. A draft whose note was in fact already sent is recognised and "
     "removed."},
    {"drafts discard", cli_drafts_discard, "ID",
     "Remove a draft without sending it (no passphrase needed)."},
    {"agent", cli_agent, "[--idle MINUTES | --status]",
     "Type the passphrase once for a session of commands: the agent asks "
     "it (or takes BINOME_PASSPHRASE), unlocks your keys and keeps them in "
     "the background, in memory only, for the commands you run under your "
     "own user; they ask nothing while it runs. It forgets the keys and "
     "stops after --idle minutes without a command (1 to 1440, default "
     "15), or at 'binome lock'. --status says whether one runs and until "
     "when."},
    {"lock", cli_lock, "[--help]",
     "Make the agent forget your keys now and stop: commands ask the "
     "passphrase again. Says whether one was running."},
    {"pair resync", cli_pair_resync, "PAIR [--yes] [--rewrite]",
     "After the server was restored from a backup: when the server's log "
     "of the pair lost entries you saw (every command on the pair refuses "
     "and names them), show what was lost, ask, and accept the server's "
     "history as it is now. The rest of its log is checked in full as "
     "always; only the loss shown is accepted. The resync is recorded in "
     "your profile ('binome verify PAIR' shows it) and the note revisions "
     "you wrote that were lost are named, to write again. --rewrite "
     "writes them again from the sealed copy this machine keeps of the "
     "last revision of each note you wrote (also after the resync). --yes: "
     "do not ask (needed when not on a terminal)."},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* path_words counts the words of a command path. */
static int path_words(const char *path)
{
    int n = 1;
    for (; *path; path++)
        n += *path == ' ';
    return n;
}

/* matches says whether argv starts with the words of path. */
static int matches(const char *path, int argc, char **argv)
{
    int i = 0;
    const char *p = path;

    while (*p) {
        size_t len = strcspn(p, " ");
        if (i >= argc || strlen(argv[i]) != len || strncmp(argv[i], p, len))
            return 0;
        p += len;
        if (*p == ' ')
            p++;
        i++;
    }
    return 1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: binome [--profile DIR] COMMAND [ARGS]\n\n"
               "commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %s %s\n", commands[i].path, commands[i].usage);
    fprintf(f, "\nEvery command takes --help, and so does a group of commands "
               "('binome\nsession --help', or 'binome help session'). The "
               "profile is DIR, else\n$XDG_CONFIG_HOME/binome, else "
               "~/.config/binome. The passphrase comes from\n"
               "BINOME_PASSPHRASE, else a prompt.\n");
}

/* wrap prints text on f in lines of at most width columns after indent
 * spaces (the help texts are ASCII). */
static void wrap(FILE *f, const char *s, int indent, size_t width)
{
    while (*s) {
        size_t n = strlen(s);
        if (n > width) {
            n = width;
            while (n > 0 && s[n] != ' ')
                n--;
            if (n == 0)
                n = width;
        }
        fprintf(f, "%*s%.*s\n", indent, "", (int)n, s);
        s += n;
        while (*s == ' ')
            s++;
    }
}

static void command_help(const cli_cmd *c)
{
    printf("usage: binome [--profile DIR] %s %s\n\n", c->path, c->usage);
    wrap(stdout, c->help, 0, 72);
}

/* in_group says whether argv's k first words are the first words of the
 * command's path, and the path has more: the command is in that group. */
static int in_group(const cli_cmd *c, int k, char **argv)
{
    const char *p = c->path;

    for (int j = 0; j < k; j++) {
        size_t len = strcspn(p, " ");
        if (p[len] != ' ' || strlen(argv[j]) != len ||
            strncmp(argv[j], p, len) != 0)
            return 0;
        p += len + 1;
    }
    return k > 0;
}

/* group_words says how many of argv's first words name a group of
 * commands ("session", "admin", "admin programme"), 0 when none do. */
static int group_words(int argc, char **argv)
{
    int best = 0;

    for (size_t i = 0; i < NCOMMANDS; i++)
        for (int k = best + 1; k <= argc && k < path_words(commands[i].path);
             k++)
            if (in_group(&commands[i], k, argv))
                best = k;
    return best;
}

/* group_help lists on f the commands of the group argv[0..k), each with
 * its arguments and options and its help. */
static void group_help(FILE *f, int k, char **argv)
{
    char group[256] = "";

    for (int j = 0; j < k; j++)
        snprintf(group + strlen(group), sizeof group - strlen(group), "%s%s",
                 j ? " " : "", argv[j]);
    fprintf(f, "usage: binome [--profile DIR] %s COMMAND [ARGS]\n\n", group);
    fprintf(f, "'%s' commands:\n", group);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (!in_group(&commands[i], k, argv))
            continue;
        fprintf(f, "\n  %s %s\n", commands[i].path, commands[i].usage);
        wrap(f, commands[i].help, 6, 68);
    }
    fprintf(f,
            "\n'binome %s COMMAND --help' (or 'binome help %s COMMAND') "
            "shows one command.\n",
            group, group);
}

/* default_hint says what to do about an error, when the handler did not. */
static const char *default_hint(int rc)
{
    switch (rc) {
    case BNC_ECONNECT:
    case BNC_ETIMEDOUT:
        return "check that binomed is running at the address in "
               "profile.conf, then try again";
    case BNC_ECLOSED:
        return "the server closed the connection: it may be at its "
               "connection limit or restarting; try again in a moment";
    case BNC_EHANDSHAKE:
        return "do not use this server; if its key really changed, ask "
               "your administrator for a new invitation";
    case BNC_EPASSPHRASE:
        return "type the passphrase again (or fix BINOME_PASSPHRASE)";
    case BNC_EDENIED:
        return "your account's role may not do this ('binome whoami' shows "
               "it): administrators never read notes, auditors only audit, "
               "and only administrators manage programmes";
    case BNC_EAUTH:
    case BNC_ESIG:
        return "the data did not verify and was not shown; tell your "
               "administrator";
    case BNC_EVERSION:
        return "this client (binome " BN_VERSION ") and the server are of "
               "releases that do not speak the same protocol; the server's "
               "words say which to upgrade (if they say nothing of "
               "versions, the server is older: ask its operator to upgrade "
               "binomed)";
    case BNC_ETAMPER:
    case BNC_EWITHHELD:
        return "nothing altered was shown; do not trust this server's copy "
               "of the pair, and tell your administrator and the other "
               "member (the server's data was altered or withheld)";
    default:
        return NULL;
    }
}

int main(int argc, char **argv)
{
    cli_ctx ctx = {0};
    const cli_cmd *cmd = NULL;
    char **args;
    int nargs = 0, best = 0, rc;

    if (bnc_init() != 0) {
        fprintf(stderr, "binome: cannot initialise libsodium\n");
        return 1;
    }
    /* --profile DIR is global: take it out wherever it stands. */
    args = calloc((size_t)argc + 1, sizeof *args);
    if (args == NULL)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) {
            ctx.profile_dir = argv[++i];
        } else if (strncmp(argv[i], "--profile=", 10) == 0) {
            ctx.profile_dir = argv[i] + 10;
        } else if (strcmp(argv[i], "--profile") == 0) {
            fprintf(stderr, "binome: --profile needs a directory\n");
            free(args);
            return 2;
        } else {
            args[nargs++] = argv[i];
        }
    }
    if (nargs == 1 && strcmp(args[0], "--version") == 0) {
        printf("binome %s\n", BN_VERSION);
        free(args);
        return 0;
    }
    if (nargs == 0 || strcmp(args[0], "--help") == 0 ||
        strcmp(args[0], "-h") == 0 ||
        (strcmp(args[0], "help") == 0 && nargs == 1)) {
        usage(nargs == 0 ? stderr : stdout);
        free(args);
        return nargs == 0 ? 2 : 0;
    }
    /* "binome help session", "binome help note add": the words after help,
     * then --help. */
    if (strcmp(args[0], "help") == 0 && args[1][0] == '-') {
        usage(stdout); /* "binome help --help" */
        free(args);
        return 0;
    }
    if (strcmp(args[0], "help") == 0) {
        memmove(args, args + 1, (size_t)(nargs - 1) * sizeof *args);
        args[nargs - 1] = "--help";
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        int w = path_words(commands[i].path);
        if (w > best && matches(commands[i].path, nargs, args)) {
            cmd = &commands[i];
            best = w;
        }
    }
    if (cmd == NULL) {
        /* A group ("session", "admin programme"): with --help (or -h, or
         * through "binome help") its commands on stdout; alone or with
         * an unknown word, the same on stderr and exit status 2. */
        int k = group_words(nargs, args);
        int help =
            k > 0 && k < nargs &&
            (strcmp(args[k], "--help") == 0 || strcmp(args[k], "-h") == 0);
        if (k > 0 && help) {
            group_help(stdout, k, args);
            free(args);
            return 0;
        }
        if (k > 0 && k < nargs)
            fprintf(stderr, "binome: unknown command '%s %s'\n\n",
                    cli_safe(args[0]), cli_safe(args[k]));
        else if (k > 0)
            fprintf(stderr, "binome: '%s' needs a command\n\n",
                    cli_safe(args[0]));
        else
            fprintf(stderr, "binome: unknown command '%s'\n\n",
                    cli_safe(args[0]));
        if (k > 0)
            group_help(stderr, k, args);
        else
            usage(stderr);
        free(args);
        return 2;
    }
    for (int i = best; i < nargs; i++) {
        if (strcmp(args[i], "--") == 0)
            break;
        if (strcmp(args[i], "--help") == 0 || strcmp(args[i], "-h") == 0) {
            command_help(cmd);
            free(args);
            return 0;
        }
    }
    ctx.command = cmd->path;
    rc = cmd->fn(&ctx, nargs - best, args + best);
    if (rc != 0) {
        const char *server =
            ctx.client != NULL ? bnc_client_error(ctx.client) : ctx.server;
        const char *hint = ctx.hint[0] ? ctx.hint : default_hint(rc);
        /* What did not follow from the pair's signed log, by its ids. */
        if (!ctx.msg[0] && (rc == BNC_ETAMPER || rc == BNC_EWITHHELD))
            snprintf(ctx.msg, sizeof ctx.msg, "pair %s: %s",
                     ctx.pair ? ctx.pair : "?",
                     bnc_client_tamper(ctx.client)[0]
                         ? bnc_client_tamper(ctx.client)
                         : bnc_strerror(rc));
        /* Messages may quote a name, an argument or the server's own
         * words: escaped like any text from elsewhere (cli_safe). */
        fprintf(stderr, "binome: %s: %s", cmd->path,
                cli_safe(ctx.msg[0] ? ctx.msg : bnc_strerror(rc)));
        if (!ctx.msg[0] && server != NULL && server[0] &&
            strcmp(server, bnc_strerror(rc)) != 0)
            fprintf(stderr, " (server: %s)", cli_safe(server));
        fputc('\n', stderr);
        if (rc == CLI_EUSAGE)
            fprintf(stderr, "usage: binome %s %s\n", cmd->path, cmd->usage);
        else if (hint != NULL)
            fprintf(stderr, "binome: %s\n", cli_safe(hint));
        if (ctx.after[0])
            fprintf(stderr, "binome: %s\n", cli_safe(ctx.after));
    }
    bnc_client_close(ctx.client);
    bnc_profile_free(ctx.profile);
    free(args);
    if (fflush(stdout) != 0 && rc == 0)
        rc = BNC_EIO;
    return rc == 0 ? 0 : rc == CLI_EUSAGE ? 2 : cli_is_tamper(rc) ? 3 : 1;
}
