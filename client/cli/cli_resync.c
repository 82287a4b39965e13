/*
 * cli_resync.c: what a server restored from a backup lost of a pair's
 * log, and 'binome pair resync PAIR' (issue 15; binome(1), "After a
 * restore"; SECURITY.md, "Resync").
 *
 * Until the member accepts the loss, every command on the pair keeps
 * refusing with the tamper status (3), and says which entries are gone.
 * 'pair resync' explains the loss, asks, then opens the pair accepting
 * exactly that loss: every other check stands.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* when writes an entry's date (the author's clock) as UTC. */
static void when(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
        strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm) == 0)
        snprintf(out, 32, "date unknown");
}

/* item_words says which record an entry covered, by its ids only. */
static void item_words(const bnc_log_item *x, char *out, size_t size)
{
    char sess[48] = "";

    switch (x->op) {
    case BNC_LOG_OP_NOTE_PUT:
        if (x->session_id != 0)
            snprintf(sess, sizeof sess, ", session %" PRIu64, x->session_id);
        snprintf(out, size, "note %016" PRIx64 " revision %" PRIu32 "%s%s%s%s",
                 x->item, x->sub, x->note_kind ? " (" : "",
                 x->note_kind ? bnc_kind_name(x->note_kind) : "", sess,
                 x->note_kind ? ")" : "");
        break;
    case BNC_LOG_OP_SESSION_ADD:
        snprintf(out, size, "session %" PRIu64, x->seq);
        break;
    case BNC_LOG_OP_OBJECTIVE_ADD:
    case BNC_LOG_OP_OBJECTIVE_REACH:
    case BNC_LOG_OP_OBJECTIVE_EDIT:
    case BNC_LOG_OP_OBJECTIVE_ABANDON:
    case BNC_LOG_OP_OBJECTIVE_REOPEN:
        snprintf(out, size, "objective %016" PRIx64, x->item);
        break;
    case BNC_LOG_OP_DOC_CHUNK:
        snprintf(out, size, "document %016" PRIx64, x->item);
        break;
    case BNC_LOG_OP_KEY_PUT:
    case BNC_LOG_OP_SIDE_KEY_PUT:
        snprintf(out, size, "epoch %" PRIu32, x->sub);
        break;
    case BNC_LOG_OP_MEMBER_ADD:
    case BNC_LOG_OP_MEMBER_REMOVE:
        snprintf(out, size, "account %" PRIu64 ", epoch %" PRIu32, x->item,
                 x->sub);
        break;
    case BNC_LOG_OP_SESSION_UPDATE:
    case BNC_LOG_OP_SESSION_MODE_SET:
        snprintf(out, size, "session %" PRIu64, x->item);
        break;
    default:
        out[0] = '\0';
    }
}

/* print_items writes one line per lost entry, prefixed, and a line for
 * the entries the profile kept no record of. */
static void print_items(FILE *f, const char *prefix, const bnc_log_loss *l,
                        uint64_t me)
{
    for (size_t i = 0; i < l->nlost; i++) {
        const bnc_log_item *x = &l->lost[i];
        char what[128], date[32], who[32];
        item_words(x, what, sizeof what);
        when(date, x->time);
        snprintf(who, sizeof who, "member %" PRIu64, x->author_id);
        fprintf(f, "%sentry %" PRIu64 ": %s%s%s, by %s%s, %s\n", prefix, x->seq,
                bnc_log_op_name(x->op), what[0] ? ", " : "", what,
                x->author[0] ? cli_safe(x->author) : who,
                x->author_id == me ? " (you)" : "", date);
    }
    if (l->known_seq >= l->from_seq &&
        l->nlost < l->known_seq - l->from_seq + 1)
        fprintf(f,
                "%s(%" PRIu64 " of the entries %" PRIu64 " to %" PRIu64
                " are not in your client's record: it can name only what "
                "it verified since it keeps one)\n",
                prefix, l->known_seq - l->from_seq + 1 - l->nlost, l->from_seq,
                l->known_seq);
}

/* span writes "entry F" or "entries F to K". */
static const char *span(char out[64], uint64_t from, uint64_t to)
{
    if (from == to)
        snprintf(out, 64, "entry %" PRIu64, from);
    else
        snprintf(out, 64, "entries %" PRIu64 " to %" PRIu64, from, to);
    return out;
}

/* summary: one sentence of what the server did to the pair's log. */
static void summary(char *out, size_t size, const char *pair,
                    const bnc_log_loss *l)
{
    char lost[64];
    int one = l->from_seq == l->known_seq;

    span(lost, l->from_seq, l->known_seq);
    if (l->forked)
        snprintf(out, size,
                 "the server forked the log of pair %s: from entry %" PRIu64
                 " on it holds other entries than the ones you saw (you saw "
                 "up to entry %" PRIu64 ", it now ends at entry %" PRIu64
                 "); %s as you saw %s %s gone%s",
                 pair, l->from_seq, l->known_seq, l->server_seq, lost,
                 one ? "it" : "them", one ? "is" : "are",
                 l->exact ? "" : " (or more: from there or before)");
    else
        snprintf(out, size,
                 "the server rolled back the log of pair %s: it ends at entry "
                 "%" PRIu64 " and you saw up to entry %" PRIu64 "; %s %s "
                 "gone%s",
                 pair, l->server_seq, l->known_seq, lost, one ? "is" : "are",
                 l->exact ? "" : " (it may also differ before)");
}

int cli_loss_report(cli_ctx *ctx, const char *pair)
{
    const bnc_log_loss *l = bnc_client_log_loss(ctx->client);
    char s[400];

    if (l == NULL) {
        cli_fail(ctx, BNC_EROLLBACK,
                 "the server rolled back or forked the log of pair %s: entry "
                 "%" PRIu64 ", which you saw before, is missing or different",
                 pair, bnc_client_log_bad_seq(ctx->client));
        cli_hint(ctx,
                 "do not trust this server's copy of pair %s; tell your "
                 "administrator (its data may have been restored from "
                 "an old copy, or altered)",
                 pair);
        return BNC_EROLLBACK;
    }
    if (!ctx->resync_quiet) {
        fprintf(stderr, "binome: what the server lost of pair %s:\n", pair);
        print_items(stderr, "binome:   ", l,
                    bnc_client_account(ctx->client)->id);
    }
    summary(s, sizeof s, pair, l);
    cli_fail(ctx, BNC_EROLLBACK, "%s", s);
    cli_hint(ctx,
             "nothing from this pair is trusted until you decide. If your "
             "administrator restored the server from a backup, accept its "
             "history with 'binome pair resync %s' (the entries above stay "
             "lost); if not, tell your administrator and the other member",
             pair);
    return BNC_EROLLBACK;
}

/* copy_loss: a copy of l that outlives the client's next call. */
static int copy_loss(bnc_log_loss *dst, const bnc_log_loss *l)
{
    *dst = *l;
    dst->lost = NULL;
    if (l->nlost == 0)
        return 0;
    dst->lost = malloc(l->nlost * sizeof *l->lost);
    if (dst->lost == NULL)
        return BNC_ENOMEM;
    memcpy(dst->lost, l->lost, l->nlost * sizeof *l->lost);
    return 0;
}

/* print_rewrite: what of their own the member may write again, by ids
 * (the last lost revision of each note), and their drafts. */
static void print_rewrite(cli_ctx *ctx, const char *pair, const bnc_log_loss *l,
                          uint64_t me)
{
    uint64_t *ids = NULL;
    size_t ndrafts = 0, shown = 0;

    for (size_t i = 0; i < l->nlost; i++) {
        const bnc_log_item *x = &l->lost[i];
        char what[128];
        int later = 0;
        if (x->author_id != me)
            continue;
        for (size_t j = i + 1; j < l->nlost; j++)
            later |= l->lost[j].op == BNC_LOG_OP_NOTE_PUT &&
                     x->op == BNC_LOG_OP_NOTE_PUT &&
                     l->lost[j].item == x->item && l->lost[j].author_id == me;
        if (later || x->op == BNC_LOG_OP_KEY_PUT ||
            x->op == BNC_LOG_OP_SIDE_KEY_PUT)
            continue; /* a later revision stands for it; keys are redrawn */
        if (shown++ == 0)
            printf("What you wrote that the server lost (write it again if "
                   "it matters; 'binome pair resync %s --rewrite' writes "
                   "your lost note revisions again from the copies this "
                   "machine keeps):\n",
                   pair);
        item_words(x, what, sizeof what);
        printf("  entry %" PRIu64 ": %s%s%s\n", x->seq, bnc_log_op_name(x->op),
               what[0] ? ", " : "", what);
    }
    if (bnc_draft_ids(ctx->profile, &ids, &ndrafts) == 0 && ndrafts > 0)
        printf("Your %zu draft(s) are kept on this machine: 'binome drafts' "
               "lists them, 'binome drafts send ID' sends one.\n",
               ndrafts);
    free(ids);
}

/* own_last: x is this member's note revision, the last of its note
 * among the lost entries. */
static int own_last(const bnc_log_loss *l, size_t i, uint64_t me)
{
    const bnc_log_item *x = &l->lost[i];

    if (x->author_id != me || x->op != BNC_LOG_OP_NOTE_PUT)
        return 0;
    for (size_t j = i + 1; j < l->nlost; j++)
        if (l->lost[j].op == BNC_LOG_OP_NOTE_PUT && l->lost[j].item == x->item)
            return 0;
    return 1;
}

/* rewrite_one posts again the kept copy of lost note revision x: an
 * edit on the revision the server has now, else the note anew under its
 * id; through a draft, so that a failure keeps the text. 1: written. */
static int rewrite_one(cli_ctx *ctx, bnc_pair *p, const char *pair,
                       const bnc_log_loss *l, const bnc_log_item *x,
                       const bnc_note_meta *notes, size_t nn)
{
    uint64_t pair_id = bnc_pair_get_info(p)->id;
    bnc_draft copy, d;
    uint32_t cur = 0;
    int rc;

    memset(&d, 0, sizeof d);
    rc = bnc_sent_load(ctx->profile, pair_id, x->item, &copy);
    if (rc != 0 || copy.revision != x->sub) {
        printf("  note %016" PRIx64 " revision %" PRIu32
               ": no copy of it is kept on this machine: write it again "
               "yourself\n",
               x->item, x->sub);
        bnc_draft_clear(&copy);
        return 0;
    }
    for (size_t i = 0; i < nn; i++)
        if (notes[i].note_id == x->item && notes[i].revision > cur)
            cur = notes[i].revision;
    if (cur >= x->sub) {
        printf("  note %016" PRIx64 " revision %" PRIu32
               ": on the server again (revision %" PRIu32 ")\n",
               x->item, x->sub, cur);
        bnc_draft_clear(&copy);
        return 1;
    }
    d.action = cur ? BNC_DRAFT_NOTE_EDIT : BNC_DRAFT_NOTE_ADD;
    d.kind = copy.kind;
    d.is_private = copy.is_private;
    d.pair_id = pair_id;
    d.note_id = x->item;
    d.revision = cur;
    d.session_id = copy.session_id;
    /* A session made by a lost entry is gone: its number may now be
     * another session's. */
    if (d.session_id != 0 && d.session_id >= l->from_seq) {
        printf("  note %016" PRIx64 ": its session %" PRIu64
               " was lost too: written without a session\n",
               x->item, d.session_id);
        d.session_id = 0;
    }
    rc = bnc_draft_set_text(&d, copy.text, copy.len);
    bnc_draft_clear(&copy);
    if (rc == 0)
        rc = bnc_draft_save(ctx->profile, &d);
    if (rc == 0) {
        printf("  note %016" PRIx64 " revision %" PRIu32 " written again: ",
               x->item, x->sub);
        fflush(stdout);
        rc = cli_draft_send(ctx, p, pair, &d);
    }
    if (rc != 0) {
        printf("not written: %s\n",
               ctx->msg[0] ? cli_safe(ctx->msg) : bnc_strerror(rc));
        if (ctx->after[0])
            printf("  %s\n", cli_safe(ctx->after));
        ctx->msg[0] = ctx->hint[0] = ctx->after[0] = '\0';
    }
    bnc_draft_clear(&d);
    return rc == 0;
}

/* rewrite_lost posts again this member's lost note revisions that a
 * copy was kept of (sent/), opening the pair with its keys. */
static int rewrite_lost(cli_ctx *ctx, const char *pair, const bnc_log_loss *l,
                        uint64_t me)
{
    bnc_note_meta *notes = NULL;
    bnc_pair *p = NULL;
    size_t nn = 0, want = 0, done = 0;
    int rc;

    for (size_t i = 0; i < l->nlost; i++)
        want += own_last(l, i, me);
    if (want == 0) {
        printf("No note revision of yours was lost: nothing to write "
               "again.\n");
        return 0;
    }
    rc = cli_open_own_pair(ctx, pair, 0, &p);
    if (rc == 0)
        rc = cli_check_writable(ctx, p, pair);
    if (rc == 0)
        rc = bnc_note_list(ctx->client, p, &notes, &nn);
    if (rc == 0) {
        printf("Writing again what you wrote that the server lost:\n");
        for (size_t i = 0; i < l->nlost; i++)
            if (own_last(l, i, me))
                done += (size_t)rewrite_one(ctx, p, pair, l, &l->lost[i], notes,
                                            nn);
        printf("%zu of %zu lost note(s) of yours written again.\n", done, want);
        if (done < want)
            rc = cli_fail(ctx, BNC_EINVAL,
                          "pair %s: %zu lost note(s) of yours were not "
                          "written again (said above)",
                          pair, want - done);
    }
    free(notes);
    bnc_pair_free(p);
    return rc;
}

int cli_pair_resync(cli_ctx *ctx, int argc, char **argv)
{
    int yes = 0, rewrite = 0;
    const cli_opt opts[] = {
        {"yes", NULL, &yes}, {"rewrite", NULL, &rewrite}, {NULL, NULL, NULL}};
    char *pos[1], s[400];
    bnc_log_loss loss = {0};
    bnc_pair *p = NULL;
    uint64_t me;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);
    if (rc != 0)
        return rc;
    ctx->resync_quiet = 1;
    rc = cli_open_own_pair(ctx, pos[0], BNC_PAIR_NOKEYS, &p);
    if (rc == 0) {
        uint64_t id = bnc_pair_get_info(p)->id;
        bnc_resync *v = NULL;
        size_t n = 0;
        printf("pair %s: the server's log holds everything you saw: nothing "
               "to resync\n",
               pos[0]);
        if (!rewrite)
            goto cleanup;
        /* --rewrite after the resync: the loss it recorded. */
        bnc_pair_free(p);
        p = NULL;
        rc = bnc_log_resyncs(ctx->profile, id, &v, &n);
        if (rc == 0 && n > 0)
            rc = rewrite_lost(ctx, pos[0], &v[n - 1].loss,
                              bnc_client_account(ctx->client)->id);
        else if (rc == 0)
            printf("No resync is recorded for pair %s: nothing to write "
                   "again.\n",
                   pos[0]);
        bnc_log_resyncs_free(v, n);
        goto cleanup;
    }
    if (rc != BNC_EROLLBACK || bnc_client_log_loss(ctx->client) == NULL)
        goto cleanup; /* a log that fails another check: never accepted */
    me = bnc_client_account(ctx->client)->id;
    rc = copy_loss(&loss, bnc_client_log_loss(ctx->client));
    if (rc != 0)
        goto cleanup;
    ctx->msg[0] = ctx->hint[0] = '\0';
    summary(s, sizeof s, pos[0], &loss);
    printf("%s.\nThe entries the server lost:\n", s);
    print_items(stdout, "  ", &loss, me);
    printf("The rest of the server's log was checked in full (signatures, "
           "chain, members) and holds.\n"
           "If your administrator restored the server from a backup, this is "
           "what the backup did not have. Resyncing accepts the server's "
           "history as it is now: these entries stay lost for this pair, "
           "and the pair works again. If nobody restored anything, do not "
           "resync: tell your administrator and the other member.\n");
    if (!yes) {
        if (!cli_is_tty(STDIN_FILENO)) {
            rc = cli_fail(ctx, BNC_EINVAL, "pair %s: nothing changed", pos[0]);
            cli_hint(ctx,
                     "to accept the loss, run 'binome pair resync %s "
                     "--yes'",
                     pos[0]);
            goto cleanup;
        }
        if (!cli_ask_yes("Accept the loss and resync this pair? [y/N] ")) {
            rc = cli_fail(ctx, BNC_EINVAL, "pair %s: nothing changed", pos[0]);
            goto cleanup;
        }
    }
    ctx->resync_from = loss.from_seq;
    rc = cli_open_own_pair(ctx, pos[0], 0, &p);
    ctx->resync_from = 0;
    if (rc == BNC_EROLLBACK && ctx->msg[0]) {
        cli_hint(ctx,
                 "the server's log changed since it was shown to you: "
                 "nothing was accepted; run 'binome pair resync %s' again",
                 pos[0]);
    }
    if (rc != 0)
        goto cleanup;
    printf("pair %s resynced: the server's history is accepted; %s you "
           "saw %s lost (recorded in your profile: 'binome verify %s' "
           "shows it)\n",
           pos[0], span(s, loss.from_seq, loss.known_seq),
           loss.from_seq == loss.known_seq ? "is" : "are", pos[0]);
    bnc_pair_free(p);
    p = NULL;
    if (rewrite)
        rc = rewrite_lost(ctx, pos[0], &loss, me);
    else
        print_rewrite(ctx, pos[0], &loss, me);
cleanup:
    free(loss.lost);
    bnc_pair_free(p);
    return rc;
}

void cli_resyncs_print(cli_ctx *ctx, uint64_t pair_id)
{
    bnc_resync *v = NULL;
    size_t n = 0;

    if (bnc_log_resyncs(ctx->profile, pair_id, &v, &n) != 0) {
        printf("resync: your client's record of resyncs does not read\n");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const bnc_log_loss *l = &v[i].loss;
        char date[32];
        when(date, v[i].date);
        char lost[64];
        printf("resync: on %s you accepted the server's history after it "
               "%s: %s you had seen %s lost",
               date, l->forked ? "forked the log" : "rolled the log back",
               span(lost, l->from_seq, l->known_seq),
               l->from_seq == l->known_seq ? "was" : "were");
        if (l->nlost > 0) {
            printf(" (");
            for (size_t k = 0; k < l->nlost && k < 12; k++)
                printf("%s%" PRIu64 " %s", k ? ", " : "", l->lost[k].seq,
                       bnc_log_op_name(l->lost[k].op));
            printf("%s)", l->nlost > 12 ? ", ..." : "");
        }
        printf("\n");
    }
    bnc_log_resyncs_free(v, n);
}
