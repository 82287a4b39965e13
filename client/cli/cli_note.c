/*
 * cli_note.c: writing, listing and showing notes. A note body is only
 * ever printed by 'note show'; every buffer that held one is wiped.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The body buffer: one byte more than the limit, to see a longer input. */
#define BODY_CAP (BNC_NOTE_MAX_PLAINTEXT + 1)

/* read_fd reads fd to the end into buf (BODY_CAP bytes). */
static int read_fd(cli_ctx *ctx, int fd, uint8_t *buf, size_t *len)
{
    size_t n = 0;
    int rc = bn_read_full(fd, buf, BODY_CAP, &n);

    if (rc != 0)
        return rc;
    if (n == BODY_CAP)
        return cli_fail(ctx, BNC_ETOOBIG, "the note is longer than %u KiB",
                        BNC_NOTE_MAX_PLAINTEXT / 1024);
    *len = n;
    return 0;
}

/* read_path reads a file into buf. */
static int read_path(cli_ctx *ctx, const char *path, uint8_t *buf, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return cli_fail(ctx, -errno, "cannot read %s: %s", path,
                        strerror(errno));
    rc = read_fd(ctx, fd, buf, len);
    close(fd);
    return rc;
}

/* edit_body runs $EDITOR on init (cli_edit: a private directory, wiped
 * afterwards) and reads what was written. */
static int edit_body(cli_ctx *ctx, const uint8_t *init, size_t initlen,
                     uint8_t *buf, size_t *len)
{
    int rc = cli_edit(ctx, init, initlen, buf, BODY_CAP, len);

    if (rc == BNC_ETOOBIG)
        rc = cli_fail(ctx, rc, "the note is longer than %u KiB",
                      BNC_NOTE_MAX_PLAINTEXT / 1024);
    return rc;
}

/* blank says whether the body holds nothing but white space. */
static int blank(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace(b[i]))
            return 0;
    return 1;
}

/* check_session makes sure --session names one of the pair's sessions. */
static int check_session(cli_ctx *ctx, const bnc_pair *p, const char *pair,
                         uint64_t sid)
{
    bnc_session *items = NULL;
    size_t n = 0;
    int rc = bnc_session_list(ctx->client, p, &items, &n), found = 0;

    for (size_t i = 0; rc == 0 && i < n; i++)
        found |= items[i].id == sid;
    free(items);
    if (rc == 0 && !found) {
        rc = cli_fail(ctx, BNC_ENOTFOUND,
                      "no session %" PRIu64 " in pair %s; nothing was sent",
                      sid, pair);
        cli_hint(ctx, "see the sessions with 'binome session list %s'", pair);
    }
    return rc;
}

/* draft_for checks that draft d may be resumed by this command: the
 * same action, the same pair (and note). */
static int draft_for(cli_ctx *ctx, const bnc_draft *d, uint8_t action,
                     const bnc_pair *p, uint64_t note_id)
{
    if (d->action != action || d->pair_id != bnc_pair_get_info(p)->id ||
        (action == BNC_DRAFT_NOTE_EDIT && d->note_id != note_id)) {
        cli_hint(ctx, "'binome drafts' says what each draft is for; "
                      "'binome drafts send ID' sends it");
        return cli_fail(ctx, CLI_EUSAGE,
                        "draft %016" PRIx64 " is not %s of pair %s", d->id,
                        action == BNC_DRAFT_NOTE_ADD ? "a new note"
                                                     : "an edit of this note",
                        ctx->pair);
    }
    return 0;
}

/* take_body reads the body: --file, else standard input when it is not
 * a terminal, else $EDITOR on init (the connection dropped meanwhile:
 * *editor set, the caller reconnects). With a draft and no --file, the
 * draft's text is the body unless a terminal lets the editor open on it. */
static int take_body(cli_ctx *ctx, const char *file, const bnc_draft *draft,
                     const uint8_t *init, size_t initlen, uint8_t *body,
                     size_t *len, int *editor)
{
    if (file != NULL)
        return read_path(ctx, file, body, len);
    if (draft != NULL && !cli_is_tty(STDIN_FILENO)) {
        memcpy(body, draft->text, draft->len);
        *len = draft->len;
        return 0;
    }
    if (draft == NULL && !cli_is_tty(STDIN_FILENO))
        return read_fd(ctx, STDIN_FILENO, body, len);
    /* The editor may stay open long: do not hold the connection. */
    *editor = 1;
    bnc_client_disconnect(ctx->client);
    if (draft != NULL)
        return edit_body(ctx, draft->text, draft->len, body, len);
    return edit_body(ctx, init, initlen, body, len);
}

/* send_kept keeps what was typed as a draft (not a --file: that file
 * still holds it), reconnects after the editor, and sends. */
static int send_kept(cli_ctx *ctx, bnc_pair *p, const char *pair,
                     const char *file, int editor, bnc_draft *d)
{
    int rc;

    if (file == NULL)
        cli_draft_keep(ctx, d);
    if (editor) {
        rc = bnc_client_reconnect(ctx->client);
        if (rc != 0) {
            if (rc == BNC_ECONNECT || rc == BNC_ETIMEDOUT)
                cli_fail(ctx, rc,
                         "cannot reach the server at %s:%u again (%s); "
                         "nothing was sent",
                         bnc_profile_host(ctx->profile),
                         (unsigned)bnc_profile_port(ctx->profile),
                         bnc_strerror(rc));
            if (d->id != 0)
                cli_draft_kept(ctx, d, 0);
            return rc;
        }
    }
    return cli_draft_send(ctx, p, pair, d);
}

/* keep_interrupted keeps the text an editor saved before a hangup or a
 * termination (CLI_EINTERRUPTED) as draft d, says where on stderr, and
 * lets the signal end the process (cli_edit_reraise). */
static int keep_interrupted(cli_ctx *ctx, bnc_draft *d, const uint8_t *body,
                            size_t len)
{
    if (!blank(body, len) && bnc_draft_set_text(d, body, len) == 0 &&
        cli_draft_keep(ctx, d) == 0) {
        cli_draft_kept(ctx, d, 0);
        /* main will not run again: the signal ends the process here. */
        fprintf(stderr, "binome: %s: interrupted; nothing was sent\n",
                ctx->command);
        fprintf(stderr, "binome: %s\n", cli_safe(ctx->after));
        ctx->after[0] = '\0';
    }
    cli_edit_reraise();
    return BNC_EIO;
}

int cli_note_add(cli_ctx *ctx, int argc, char **argv)
{
    const char *session = NULL, *kind = NULL, *file = NULL, *draft = NULL;
    int is_private = 0, side = 0;
    const cli_opt opts[] = {{"session", &session, NULL},
                            {"kind", &kind, NULL},
                            {"private", NULL, &is_private},
                            {"side", NULL, &side},
                            {"file", &file, NULL},
                            {"draft", &draft, NULL},
                            {NULL, NULL, NULL}};
    char *pos[1];
    bnc_draft d = {0};
    bnc_pair *p = NULL;
    uint8_t *body = NULL, note_kind = BNC_KIND_NOTE;
    uint64_t session_id = 0, draft_id = 0;
    size_t len = 0;
    int rc, editor = 0;

    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);
    if (rc != 0)
        return rc;
    if (kind != NULL && bnc_kind_parse(kind, &note_kind) != 0)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--kind is report, action-plan, review or note");
    if (session != NULL && cli_u64(ctx, "--session", session, &session_id) != 0)
        return CLI_EUSAGE;
    if (file != NULL && draft != NULL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--file and --draft exclude each other");
    if (is_private && side)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--private (for you alone) and --side (for your "
                        "side of the pairing) exclude each other");
    if (draft != NULL && (rc = cli_draft_arg(ctx, draft, &draft_id)) != 0)
        return rc;
    body = sodium_malloc(BODY_CAP);
    if (body == NULL)
        return BNC_ENOMEM;
    /* Everything that can be checked is checked before the text is
     * written: the passphrase, the server, the pair, the session. */
    rc = cli_open_own_pair(ctx, pos[0], 0, &p);
    if (rc == 0)
        rc = cli_check_writable(ctx, p, pos[0]);
    if (rc == 0 && draft != NULL) {
        rc = cli_draft_open(ctx, draft_id, &d);
        if (rc == 0)
            rc = draft_for(ctx, &d, BNC_DRAFT_NOTE_ADD, p, 0);
        if (rc == 0 && kind == NULL)
            note_kind = d.kind;
        if (rc == 0 && session == NULL)
            session_id = d.session_id;
        if (rc == 0) {
            is_private |= d.is_private == 1;
            side |= d.is_private == 2;
        }
    }
    if (rc == 0 && session_id != 0)
        rc = check_session(ctx, p, pos[0], session_id);
    if (rc != 0)
        goto cleanup;
    d.action = BNC_DRAFT_NOTE_ADD;
    d.pair_id = bnc_pair_get_info(p)->id;
    d.kind = note_kind;
    d.is_private = (uint8_t)(is_private ? 1 : side ? 2 : 0);
    d.session_id = session_id;
    rc = take_body(ctx, file, draft != NULL ? &d : NULL, NULL, 0, body, &len,
                   &editor);
    if (rc == CLI_EINTERRUPTED)
        rc = keep_interrupted(ctx, &d, body, len);
    if (rc == 0 && blank(body, len))
        rc = cli_fail(ctx, BNC_EINVAL, "the note is empty; nothing was sent");
    if (rc == 0)
        rc = bnc_draft_set_text(&d, body, len);
    if (rc == 0)
        rc = send_kept(ctx, p, pos[0], file, editor, &d);
cleanup:
    bnc_draft_clear(&d);
    sodium_memzero(body, BODY_CAP);
    sodium_free(body);
    bnc_pair_free(p);
    return rc;
}

int cli_note_list(cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    bnc_pair *p = NULL;
    bnc_note_meta *items = NULL;
    size_t n = 0;
    int rc;

    rc = cli_json_pair(ctx, argc, argv, BNC_PAIR_NOKEYS, &json, &p);
    if (rc == 0)
        rc = bnc_note_list(ctx->client, p, &items, &n);
    if (rc != 0)
        goto cleanup;
    if (json) {
        printf("[");
        for (size_t i = 0; i < n; i++) {
            const bnc_note_meta *m = &items[i];
            bnc_note_origin o;
            char date[32];
            cli_time(date, m->created);
            printf("%s{\"id\":\"%016" PRIx64 "\",\"kind\":\"%s\","
                   "\"author_id\":%" PRIu64 ",\"author\":",
                   i ? "," : "", m->note_id, bnc_kind_name(m->kind),
                   m->author_id);
            cli_json_str(m->author_name);
            printf(",\"created\":%" PRId64 ",\"date\":", m->created);
            cli_json_str(date);
            printf(",\"side_only\":%s", m->side_only ? "true" : "false");
            printf(",\"revision\":%u,\"private\":%s,\"session\":%" PRIu64
                   ",\"size\":%u",
                   m->revision, m->is_private ? "true" : "false", m->session_id,
                   m->size);
            bnc_note_origin_of(p, m, &o);
            printf(",\"written\":%" PRId64 ",\"edited_from\":%u,"
                   "\"edited_from_author_id\":%" PRIu64
                   ",\"edited_from_author\":",
                   o.written, o.edited_from, o.edited_from_author_id);
            cli_json_str(o.edited_from_author);
            printf("}");
        }
        printf("]\n");
    } else {
        printf("%-16s  %-11s %-20s %-20s %4s %-7s %s\n", "NOTE", "KIND",
               "AUTHOR", "DATE", "REV", "PRIVATE", "EDITED FROM");
        for (size_t i = 0; i < n; i++) {
            const bnc_note_meta *m = &items[i];
            bnc_note_origin o;
            char date[32], from[120] = "";
            cli_time(date, m->created);
            bnc_note_origin_of(p, m, &o);
            if (o.edited_from != 0 && o.edited_from_author_id != 0)
                snprintf(from, sizeof from, "%s's revision %u",
                         o.edited_from_author[0]
                             ? cli_safe(o.edited_from_author)
                             : "?",
                         o.edited_from);
            else if (o.edited_from != 0)
                snprintf(from, sizeof from, "revision %u", o.edited_from);
            /* No trailing blanks when it was not edited. */
            printf("%016" PRIx64 "  %-11s %s %-20s %4u %-*s%s\n", m->note_id,
                   bnc_kind_name(m->kind), cli_pad(m->author_name, 20), date,
                   m->revision, from[0] ? 8 : 0,
                   m->is_private  ? "yes"
                   : m->side_only ? "side"
                                  : "no",
                   from);
        }
    }
cleanup:
    free(items);
    bnc_pair_free(p);
    return rc;
}

int cli_note_show(cli_ctx *ctx, int argc, char **argv)
{
    int raw = 0;
    const char *revarg = NULL;
    const cli_opt opts[] = {
        {"raw", NULL, &raw}, {"revision", &revarg, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    bnc_pair *p = NULL;
    bnc_note_meta meta;
    uint8_t *body = NULL;
    size_t len = 0;
    uint64_t note_id = 0, rev = 0;
    uint32_t latest = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 2, 2);
    if (rc != 0)
        return rc;
    if (cli_note_arg(ctx, pos[1], &note_id) != 0)
        return CLI_EUSAGE;
    if (revarg != NULL && (cli_u64(ctx, "--revision", revarg, &rev) != 0 ||
                           rev == 0 || rev >= UINT32_MAX))
        return cli_fail(ctx, CLI_EUSAGE,
                        "--revision is a revision number: 1, 2, ... (see "
                        "'binome note history PAIR NOTE')");
    rc = cli_open_pair(ctx, pos[0], 0, &p);
    if (rc == 0)
        rc = cli_note_find(ctx, p, pos[0], pos[1], &note_id, &latest);
    if (rc == 0 && rev > latest) {
        rc = cli_fail(ctx, BNC_ENOTFOUND,
                      "note %016" PRIx64 " has %u revisions; there is no "
                      "revision %" PRIu64,
                      note_id, latest, rev);
        cli_hint(ctx, "see them with 'binome note history %s %016" PRIx64 "'",
                 pos[0], note_id);
    }
    if (rc == 0)
        rc = bnc_note_get(ctx->client, p, note_id, (uint32_t)rev, &meta, &body,
                          &len);
    if (rc == BNC_ESIG || rc == BNC_EAUTH)
        rc = cli_fail(ctx, rc,
                      "note %016" PRIx64 " does not verify (%s); it is not "
                      "shown",
                      note_id, bnc_strerror(rc));
    if (rc != 0)
        goto cleanup;
    if (!raw) {
        char date[32], line[300];
        const bnc_member *a = bnc_pair_member(p, meta.author_id);
        bnc_note_origin o;
        bnc_note_origin_of(p, &meta, &o);
        cli_note_origin_line(line, sizeof line, &meta, &o, NULL);
        cli_time(date, meta.created);
        printf("note       %016" PRIx64 "\n", meta.note_id);
        printf("kind       %s\n", bnc_kind_name(meta.kind));
        /* who the author is to this client: a referent verified in
         * person or not, or vouched for by their referent (issue 14) */
        char status[200] = "";
        if (a != NULL)
            cli_member_status(p, a, status, sizeof status);
        printf("author     %s (%s%s%s)\n", cli_safe(meta.author_name),
               a ? bnc_role_name(a->role) : "?", status[0] ? ", " : "", status);
        printf("date       %s\n", date);
        printf("revision   %u\n", meta.revision);
        if (o.edited_from != 0 || meta.revision < latest)
            printf("history    %s%s; every revision: 'binome note "
                   "history %s %016" PRIx64 "'\n",
                   line, meta.revision < latest ? " (not the latest)" : "",
                   pos[0], meta.note_id);
        if (meta.is_private)
            printf("private    yes (only you can read it)\n");
        if (meta.side_only)
            printf("kept to    the %s' side (sealed with its key)\n",
                   a && a->role == BNC_ROLE_MENTOR ? "mentors" : "mentees");
        if (meta.session_id)
            printf("session    %" PRIu64 "\n", meta.session_id);
        printf("signature  verified%s\n\n",
               bnc_pair_keys_changed(p)
                   ? " (but a member's key changed: verify the "
                     "pair again)"
                   : "");
    }
    /* Escaped unless --raw, whatever stdout is: the partner wrote it. */
    rc = cli_print_body(stdout, body, len, raw);
    if (rc == 0 && !raw && len > 0 && body[len - 1] != '\n')
        putchar('\n');
    fflush(stdout);
cleanup:
    if (body != NULL) {
        sodium_memzero(body, len);
        sodium_free(body);
    }
    bnc_pair_free(p);
    return rc;
}

int cli_note_edit(cli_ctx *ctx, int argc, char **argv)
{
    const char *file = NULL, *draft = NULL;
    const cli_opt opts[] = {
        {"file", &file, NULL}, {"draft", &draft, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    bnc_pair *p = NULL;
    bnc_note_meta meta;
    bnc_draft d = {0};
    uint8_t *cur = NULL, *body = NULL;
    size_t curlen = 0, len = 0;
    uint64_t note_id = 0, draft_id = 0;
    int rc, editor = 0;

    rc = cli_parse(ctx, argc, argv, opts, pos, 2, 2);
    if (rc != 0)
        return rc;
    if (cli_note_arg(ctx, pos[1], &note_id) != 0)
        return CLI_EUSAGE;
    if (file != NULL && draft != NULL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--file and --draft exclude each other");
    if (draft != NULL && (rc = cli_draft_arg(ctx, draft, &draft_id)) != 0)
        return rc;
    body = sodium_malloc(BODY_CAP);
    if (body == NULL)
        return BNC_ENOMEM;
    rc = cli_open_own_pair(ctx, pos[0], 0, &p);
    if (rc == 0)
        rc = cli_check_writable(ctx, p, pos[0]);
    if (rc == 0)
        rc = cli_note_find(ctx, p, pos[0], pos[1], &note_id, NULL);
    if (rc == 0)
        rc = bnc_note_get(ctx->client, p, note_id, 0, &meta, &cur, &curlen);
    if (rc == BNC_ESIG || rc == BNC_EAUTH)
        rc = cli_fail(ctx, rc,
                      "note %016" PRIx64 " does not verify (%s); it cannot "
                      "be edited",
                      note_id, bnc_strerror(rc));
    if (rc == 0 && draft != NULL) {
        rc = cli_draft_open(ctx, draft_id, &d);
        if (rc == 0)
            rc = draft_for(ctx, &d, BNC_DRAFT_NOTE_EDIT, p, note_id);
        if (rc == 0 && d.revision != meta.revision)
            fprintf(stderr,
                    "binome: note %016" PRIx64 " is at revision %u since "
                    "your draft (made on revision %u): what you save now "
                    "follows revision %u\n",
                    note_id, meta.revision, d.revision, meta.revision);
    }
    if (rc != 0)
        goto cleanup;
    d.action = BNC_DRAFT_NOTE_EDIT;
    d.pair_id = bnc_pair_get_info(p)->id;
    d.note_id = note_id;
    d.revision = meta.revision;
    d.kind = meta.kind;
    d.is_private = meta.is_private ? 1 : meta.side_only ? 2 : 0;
    d.session_id = meta.session_id;
    rc = take_body(ctx, file, draft != NULL ? &d : NULL, cur, curlen, body,
                   &len, &editor);
    if (rc == CLI_EINTERRUPTED)
        rc = keep_interrupted(ctx, &d, body, len);
    if (rc == 0 && blank(body, len))
        rc = cli_fail(ctx, BNC_EINVAL, "the note is empty; nothing was sent");
    if (rc == 0 && len == curlen && sodium_memcmp(body, cur, len) == 0)
        rc = cli_fail(ctx, BNC_EINVAL, "no change; nothing was sent");
    if (rc == 0)
        rc = bnc_draft_set_text(&d, body, len);
    if (rc == 0)
        rc = send_kept(ctx, p, pos[0], file, editor, &d);
    if (rc == 0 && meta.author_id != bnc_client_account(ctx->client)->id)
        fprintf(stderr,
                "binome: revision %u of note %016" PRIx64 " is yours; %s's "
                "revision %u stays as written and readable: 'binome note "
                "history %s %016" PRIx64 "'\n",
                meta.revision + 1, note_id,
                meta.author_name[0] ? cli_safe(meta.author_name)
                                    : "the other member",
                meta.revision, pos[0], note_id);
cleanup:
    bnc_draft_clear(&d);
    if (cur != NULL) {
        sodium_memzero(cur, curlen);
        sodium_free(cur);
    }
    sodium_memzero(body, BODY_CAP);
    sodium_free(body);
    bnc_pair_free(p);
    return rc;
}
