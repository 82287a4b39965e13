/*
 * cli_draft.c: never lose what a member wrote. A text typed for a pair
 * (in $EDITOR or on standard input) is sealed into a local draft
 * (bnc_draft_save) as soon as it is read, before anything is sent; the
 * draft goes once the server acknowledged the write, and stays, with a
 * line saying where and how to send it again, whatever failed. The
 * checks that can be made before the text is written (the passphrase, the
 * server, the pair, the session, the note) come first: see cli_note.c and
 * cli_objective.c. Here: that shared sending step and the 'drafts'
 * commands (list, show, send, discard).
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int cli_check_writable(cli_ctx *ctx, const bnc_pair *p, const char *pair)
{
    const bnc_pair_info *i = bnc_pair_get_info(p);
    int rc = 0;

    if (i->status == BNC_PAIR_PENDING)
        rc = BNC_ENOTACCEPTED;
    else if (i->status != BNC_PAIR_ACTIVE)
        rc = BNC_EENDED;
    else if (bnc_pair_keys_changed(p))
        rc = BNC_EUNVERIFIED;
    if (rc != 0) {
        cli_write_error(ctx, rc, pair);
        if (!ctx->msg[0])
            cli_fail(ctx, rc, "%s; nothing was written", bnc_strerror(rc));
    }
    return rc;
}

/* draft_hex formats a draft id. */
static void draft_hex(char out[17], uint64_t id)
{
    snprintf(out, 17, "%016" PRIx64, id);
}

void cli_draft_kept(cli_ctx *ctx, const bnc_draft *d, int conflict)
{
    char path[BNC_PATH_MAX + 32], id[17], how[480];

    draft_hex(id, d->id);
    if (bnc_draft_path(ctx->profile, d->id, path, sizeof path) != 0)
        snprintf(path, sizeof path, "drafts/%s in the profile", id);
    if (conflict)
        snprintf(how, sizeof how,
                 "redo your edit on the new revision with 'binome note edit "
                 "%" PRIu64 " %016" PRIx64 " --draft %s'",
                 d->pair_id, d->note_id, id);
    else if (d->action == BNC_DRAFT_NOTE_ADD)
        snprintf(how, sizeof how,
                 "send it with 'binome drafts send %s' (or edit it first: "
                 "'binome note add %" PRIu64 " --draft %s')",
                 id, d->pair_id, id);
    else
        snprintf(how, sizeof how, "send it with 'binome drafts send %s'", id);
    /* A path longer than 600 bytes is cut: the id is what matters. */
    snprintf(ctx->after, sizeof ctx->after,
             "your text is kept, encrypted, as draft %s (%.600s): %s; "
             "'binome drafts' lists your drafts, 'binome drafts discard %s' "
             "drops this one",
             id, path, how, id);
}

int cli_draft_keep(cli_ctx *ctx, bnc_draft *d)
{
    int rc = bnc_draft_save(ctx->profile, d);

    if (rc != 0) {
        /* The write is still tried: the text is in memory only. */
        fprintf(stderr,
                "binome: warning: cannot keep a draft of your text (%s); "
                "if sending fails, it is lost\n",
                bnc_strerror(rc));
        d->id = 0;
    }
    return rc;
}

/* landed says whether a refused write (BNC_ECONFLICT) of d is in fact
 * already on the server, written by us with this text: an earlier send
 * whose answer was lost. *rev receives its revision. */
static int landed(cli_ctx *ctx, bnc_pair *p, const bnc_draft *d, uint32_t *rev)
{
    bnc_note_meta meta;
    uint8_t *body = NULL;
    size_t len = 0;
    int same;

    if (bnc_note_get(ctx->client, p, d->note_id, d->revision + 1, &meta, &body,
                     &len) != 0)
        return 0;
    same = meta.author_id == bnc_client_account(ctx->client)->id &&
           len == d->len && sodium_memcmp(body, d->text, len) == 0;
    bnc_secret_free(body, len);
    *rev = meta.revision;
    return same;
}

int cli_draft_send(cli_ctx *ctx, bnc_pair *p, const char *pair, bnc_draft *d)
{
    bnc_note_spec spec = {0};
    uint64_t id = 0;
    uint32_t rev = 0;
    int rc;

    if (d->action == BNC_DRAFT_OBJECTIVE_ADD) {
        rc = bnc_objective_add_plan(ctx->client, p, (const char *)d->text,
                                    d->len, d->date, ctx->plan, &id);
    } else if (d->action == BNC_DRAFT_OBJECTIVE_EDIT) {
        id = d->note_id;
        rc = bnc_objective_edit_plan(ctx->client, p, id, (const char *)d->text,
                                     d->len, d->date, ctx->plan);
    } else {
        spec.note_id = d->note_id;
        spec.revision = d->action == BNC_DRAFT_NOTE_EDIT ? d->revision : 0;
        spec.kind = d->kind;
        spec.is_private = d->is_private == 1;
        spec.side_only = d->is_private == 2;
        spec.session_id = d->session_id;
        rc = bnc_note_put(ctx->client, p, &spec, d->text, d->len, &id, &rev);
        if (rc == BNC_ECONFLICT && d->note_id != 0 && landed(ctx, p, d, &rev)) {
            rc = 0;
            id = d->note_id;
        }
    }
    if (rc == 0) {
        /* A sealed copy of the last revision, should a restored server
         * lose it (pair resync --rewrite); a help only: no failure. */
        if (d->action == BNC_DRAFT_NOTE_ADD || d->action == BNC_DRAFT_NOTE_EDIT)
            (void)bnc_sent_keep(ctx->profile, d, id, rev);
        if (d->action == BNC_DRAFT_NOTE_EDIT)
            printf("note %016" PRIx64 " revision %u\n", id, rev);
        else if (d->action == BNC_DRAFT_OBJECTIVE_EDIT)
            printf("objective %016" PRIx64 " edited\n", id);
        else
            printf("%016" PRIx64 "\n", id);
        if (d->id != 0 && bnc_draft_discard(ctx->profile, d->id) != 0)
            fprintf(stderr,
                    "binome: warning: sent, but draft %016" PRIx64 " could "
                    "not be removed: 'binome drafts discard %016" PRIx64 "'\n",
                    d->id, d->id);
        return 0;
    }
    if (rc == BNC_ECONFLICT && d->action == BNC_DRAFT_NOTE_EDIT) {
        cli_fail(ctx, rc,
                 "note %016" PRIx64 " changed since you read it "
                 "(revision %u): your edit was not saved",
                 d->note_id, d->revision);
        cli_hint(ctx, "show it again with 'binome note show %s %016" PRIx64 "'",
                 pair, d->note_id);
    } else {
        cli_write_error(ctx, rc, pair);
        if (!ctx->msg[0])
            cli_fail(ctx, rc, "%s; nothing was sent", bnc_strerror(rc));
    }
    if (d->id != 0)
        cli_draft_kept(ctx, d,
                       rc == BNC_ECONFLICT && d->action == BNC_DRAFT_NOTE_EDIT);
    return rc;
}

/* unlock opens the profile and its identity (the agent's, else with the
 * passphrase), without the server. */
static int unlock(cli_ctx *ctx)
{
    int rc;

    rc = bnc_profile_open(&ctx->profile, ctx->profile_dir);
    if (rc == BNC_ECORRUPT)
        return cli_fail(ctx, rc, "profile.conf in %s does not parse",
                        ctx->profile_dir ? ctx->profile_dir : "the profile");
    if (rc != 0)
        return rc;
    return cli_unlock(ctx);
}

int cli_draft_arg(cli_ctx *ctx, const char *arg, uint64_t *id)
{
    bnc_profile *prof = ctx->profile, *own = NULL;
    uint64_t *ids = NULL;
    size_t n = 0;
    int rc;

    if (bnc_id_resolve(NULL, 0, arg, id) == BNC_EINVAL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "a draft id is 1 to 16 hex digits ('binome drafts' "
                        "lists them)");
    /* Before the passphrase: the names of the files are enough. */
    if (prof == NULL) {
        rc = bnc_profile_open(&own, ctx->profile_dir);
        if (rc != 0)
            return rc;
        prof = own;
    }
    rc = bnc_draft_ids(prof, &ids, &n);
    if (rc == 0)
        rc = bnc_id_resolve(ids, n, arg, id);
    free(ids);
    bnc_profile_free(own);
    if (rc == BNC_ENOTFOUND) {
        cli_hint(ctx, "'binome drafts' lists your drafts");
        return cli_fail(ctx, rc, "no draft %s in this profile", cli_safe(arg));
    }
    if (rc == BNC_EAMBIGUOUS)
        return cli_fail(ctx, rc,
                        "%s is the start of several drafts' ids; give more "
                        "digits",
                        cli_safe(arg));
    return rc;
}

int cli_draft_open(cli_ctx *ctx, uint64_t id, bnc_draft *d)
{
    int rc = bnc_draft_load(ctx->profile, id, d);

    if (rc == BNC_EAUTH || rc == BNC_ECORRUPT)
        rc = cli_fail(ctx, rc,
                      "draft %016" PRIx64 " does not open with this "
                      "account's key (altered, or from another profile)",
                      id);
    else if (rc == BNC_ENOTFOUND)
        rc = cli_fail(ctx, rc, "no draft %016" PRIx64 " in this profile", id);
    return rc;
}

/* what names what a draft would do ("note add", "objective add"...). */
/* is_objective: d defines or edits an objective (no kind, no note). */
static int is_objective(const bnc_draft *d)
{
    return d->action == BNC_DRAFT_OBJECTIVE_ADD ||
           d->action == BNC_DRAFT_OBJECTIVE_EDIT;
}

static const char *what(const bnc_draft *d)
{
    switch (d->action) {
    case BNC_DRAFT_NOTE_ADD:
        return "note add";
    case BNC_DRAFT_NOTE_EDIT:
        return "note edit";
    case BNC_DRAFT_OBJECTIVE_EDIT:
        return "objective edit";
    default:
        return "objective add";
    }
}

/* first_line copies the start of the text's first line into out. */
static void first_line(char *out, size_t size, const bnc_draft *d)
{
    size_t n = 0;

    while (n < d->len && n + 1 < size && d->text[n] != '\n')
        n++;
    /* Not in the middle of a UTF-8 sequence. */
    while (n > 0 && n < d->len && (d->text[n] & 0xc0) == 0x80)
        n--;
    memcpy(out, d->text, n);
    out[n] = '\0';
}

int cli_drafts(cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    const cli_opt opts[] = {{"json", NULL, &json}, {NULL, NULL, NULL}};
    bnc_draft *items = NULL;
    size_t n = 0, bad = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc == 0)
        rc = unlock(ctx);
    if (rc == 0)
        rc = bnc_draft_list(ctx->profile, &items, &n, &bad);
    if (rc != 0)
        return rc;
    if (json)
        printf("[");
    else if (n > 0)
        printf("%-16s  %-20s %5s  %-13s %-11s %8s  %s\n", "DRAFT", "SAVED",
               "PAIR", "FOR", "KIND", "BYTES", "BEGINS");
    for (size_t i = 0; i < n; i++) {
        const bnc_draft *d = &items[i];
        char date[32], line[48];
        const char *kind = is_objective(d) ? "-" : bnc_kind_name(d->kind);
        cli_time(date, d->created);
        first_line(line, sizeof line, d);
        if (json) {
            printf("%s{\"id\":\"%016" PRIx64 "\",\"created\":%" PRId64
                   ",\"pair\":%" PRIu64 ",\"for\":\"%s\",\"kind\":\"%s\","
                   "\"private\":%s,\"session\":%" PRIu64 ",\"note\":",
                   i ? "," : "", d->id, d->created, d->pair_id, what(d), kind,
                   d->is_private ? "true" : "false", d->session_id);
            if (is_objective(d))
                printf("null");
            else
                printf("\"%016" PRIx64 "\"", d->note_id);
            printf(",\"bytes\":%zu}", d->len);
        } else {
            printf("%016" PRIx64 "  %-20s %5" PRIu64 "  %-13s %-11s %8zu  %s\n",
                   d->id, date, d->pair_id, what(d), kind, d->len,
                   cli_safe(line));
        }
    }
    if (json)
        printf("]\n");
    else if (n == 0)
        printf("no drafts\n");
    if (bad > 0)
        fprintf(stderr,
                "binome: warning: %zu file(s) in drafts/ do not open with "
                "this account's key\n",
                bad);
    bnc_draft_list_free(items, n);
    return 0;
}

int cli_drafts_show(cli_ctx *ctx, int argc, char **argv)
{
    int raw = 0;
    const cli_opt opts[] = {{"raw", NULL, &raw}, {NULL, NULL, NULL}};
    char *pos[1];
    bnc_draft d = {0};
    uint64_t id = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);
    if (rc == 0)
        rc = cli_draft_arg(ctx, pos[0], &id);
    if (rc == 0)
        rc = unlock(ctx);
    if (rc == 0)
        rc = cli_draft_open(ctx, id, &d);
    if (rc != 0)
        return rc;
    /* Your own text, but escaped unless --raw, as note show does. */
    rc = cli_print_body(stdout, d.text, d.len, raw);
    if (rc == 0 && !raw && d.text[d.len - 1] != '\n')
        putchar('\n');
    fflush(stdout);
    bnc_draft_clear(&d);
    return rc;
}

int cli_drafts_send(cli_ctx *ctx, int argc, char **argv)
{
    char *pos[1], pair[24];
    bnc_draft d = {0};
    bnc_pair *p = NULL;
    uint64_t id = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, NULL, pos, 1, 1);
    if (rc == 0)
        rc = cli_draft_arg(ctx, pos[0], &id);
    if (rc == 0) {
        rc = cli_connect(ctx);
        if (rc != 0 && rc != BNC_EPASSPHRASE && rc != CLI_EUSAGE)
            snprintf(ctx->after, sizeof ctx->after,
                     "draft %016" PRIx64 " is kept: send it again with "
                     "'binome drafts send %016" PRIx64 "'",
                     id, id);
    }
    if (rc == 0)
        rc = cli_draft_open(ctx, id, &d);
    if (rc != 0)
        return rc;
    snprintf(pair, sizeof pair, "%" PRIu64, d.pair_id);
    rc = cli_open_own_pair(ctx, pair, 0, &p);
    if (rc == 0)
        rc = cli_draft_send(ctx, p, pair, &d);
    else
        cli_draft_kept(ctx, &d, 0);
    bnc_draft_clear(&d);
    bnc_pair_free(p);
    return rc;
}

int cli_drafts_discard(cli_ctx *ctx, int argc, char **argv)
{
    char *pos[1];
    uint64_t id = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, NULL, pos, 1, 1);
    if (rc == 0)
        rc = bnc_profile_open(&ctx->profile, ctx->profile_dir);
    if (rc == 0)
        rc = cli_draft_arg(ctx, pos[0], &id);
    if (rc == 0)
        rc = bnc_draft_discard(ctx->profile, id);
    if (rc == 0)
        printf("draft %016" PRIx64 " discarded\n", id);
    return rc;
}
