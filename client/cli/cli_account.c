/*
 * cli_account.c: account erase, admin account erase (issue 15; binome(1),
 * "Leaving for good"; SECURITY.md, "Erasing an account").
 *
 * Erasing is for good: the person types the word the prompt names (or
 * gives --yes in a script). The profile on this machine is deleted only
 * once the server said the account is erased: a refusal leaves it whole.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONFIRM_WORD "erase"

/* confirmed asks, on a terminal, for the word CONFIRM_WORD after what;
 * yes (--yes) answers for a script. 0, or a failure with its message. */
static int confirmed(cli_ctx *ctx, int yes, const char *what)
{
    char q[600], buf[32] = {0};
    FILE *tty;

    if (yes)
        return 0;
    if (!cli_is_tty(STDIN_FILENO))
        return cli_fail(ctx, CLI_EUSAGE,
                        "erasing an account is for good: run it on a "
                        "terminal to confirm, or give --yes");
    snprintf(
        q, sizeof q,
        "%s\nThis cannot be undone. Type '" CONFIRM_WORD "' to go on: ", what);
    tty = fopen("/dev/tty", "r+");
    if (tty == NULL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "cannot ask on the terminal; give --yes to confirm");
    fputs(q, tty);
    fflush(tty);
    if (fgets(buf, sizeof buf, tty) == NULL)
        buf[0] = '\0';
    fclose(tty);
    buf[strcspn(buf, "\r\n")] = '\0';
    if (strcmp(buf, CONFIRM_WORD) != 0)
        return cli_fail(ctx, BNC_EINVAL, "nothing erased");
    return 0;
}

/* refused says why the server refused, in its words when it gave some. */
static int refused(cli_ctx *ctx, int rc)
{
    const char *said = bnc_client_error(ctx->client);

    if (said != NULL && said[0] != '\0')
        return cli_fail(ctx, rc, "%s", cli_safe(said));
    return cli_fail(ctx, rc, "nothing was erased: %s", bnc_strerror(rc));
}

/* What the erasure left for the pairs' other members. */
static void print_pairs(const bnc_account_erasure *e)
{
    if (e->pairs_kept > 0)
        printf("What the account wrote in %" PRIu32 " pair%s stays readable "
               "by the other member%s of %s until that pair is erased "
               "('binome pair erase PAIR').\n",
               e->pairs_kept, e->pairs_kept == 1 ? "" : "s",
               e->pairs_kept == 1 ? "" : "s",
               e->pairs_kept == 1 ? "it" : "each");
    if (e->pairs_shredded > 0)
        printf("%" PRIu32 " pair%s had no other member left: %s notes, "
               "documents and keys are deleted from the server.\n",
               e->pairs_shredded, e->pairs_shredded == 1 ? "" : "s",
               e->pairs_shredded == 1 ? "its" : "their");
}

int cli_account_erase(cli_ctx *ctx, int argc, char **argv)
{
    int yes = 0;
    const cli_opt opts[] = {{"yes", NULL, &yes}, {NULL, NULL, NULL}};
    bnc_account_erasure e;
    char what[300];
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc == 0)
        rc = cli_connect(ctx);
    if (rc != 0)
        return rc;
    const bnc_account *me = bnc_client_account(ctx->client);
    snprintf(what, sizeof what,
             "Erase your account %" PRIu64 " (%s) for good? The server "
             "deletes your name and keys, and this machine your profile "
             "(%s).",
             me->id, cli_safe(me->name), bnc_profile_dir(ctx->profile));
    rc = confirmed(ctx, yes, what);
    if (rc != 0)
        return rc;
    rc = bnc_account_erase(ctx->client, 0, 0, &e);
    if (rc != 0)
        return refused(ctx, rc);
    /* the server closed the connection: nothing more goes through it */
    bnc_client_close(ctx->client);
    ctx->client = NULL;
    printf("account %" PRIu64 " erased on the server: it can never log in "
           "again.\n",
           e.account_id);
    print_pairs(&e);
    (void)bnc_agent_lock(ctx->profile); /* an agent holds the keys: gone */
    rc = bnc_profile_erase(ctx->profile);
    if (rc == 0) {
        printf("profile %s deleted from this machine.\n",
               bnc_profile_dir(ctx->profile));
    } else if (rc == 1) {
        printf("your key file, profile and drafts are deleted from this "
               "machine; %s still holds files binome did not make: look "
               "at them and remove them yourself.\n",
               bnc_profile_dir(ctx->profile));
        rc = 0;
    } else {
        return cli_fail(ctx, rc,
                        "the account is erased, but the profile %s could "
                        "not be deleted whole (%s): delete that folder "
                        "yourself",
                        bnc_profile_dir(ctx->profile), bnc_strerror(rc));
    }
    return 0;
}

int cli_admin_account_erase(cli_ctx *ctx, int argc, char **argv)
{
    int yes = 0;
    const cli_opt opts[] = {{"yes", NULL, &yes}, {NULL, NULL, NULL}};
    bnc_account *items = NULL;
    const bnc_account *a = NULL;
    bnc_account_erasure e;
    char *pos[1], what[300];
    size_t n = 0;
    uint64_t id;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);
    if (rc == 0 && cli_u64(ctx, "ACCOUNT", pos[0], &id) != 0)
        rc = CLI_EUSAGE;
    if (rc == 0)
        rc = cli_connect(ctx);
    if (rc == 0)
        rc = bnc_account_list(ctx->client, 0, &items, &n);
    if (rc != 0)
        goto cleanup;
    for (size_t i = 0; i < n && a == NULL; i++)
        if (items[i].id == id)
            a = &items[i];
    if (a == NULL) {
        rc = cli_fail(ctx, BNC_ENOTFOUND, "no account %s", pos[0]);
        cli_hint(ctx, "see the accounts with 'binome admin accounts "
                      "--programme P'");
        goto cleanup;
    }
    if (a->erased != 0) {
        printf("account %" PRIu64 " is already erased\n", id);
        goto cleanup;
    }
    snprintf(what, sizeof what,
             "Erase account %" PRIu64 " (%s, %s of programme %" PRIu64
             ") for good, at the person's request? Its name and keys are "
             "deleted; the programme's counts stay.",
             a->id, cli_safe(a->name), bnc_role_name(a->role), a->programme_id);
    rc = confirmed(ctx, yes, what);
    if (rc != 0)
        goto cleanup;
    rc = bnc_account_erase(ctx->client, a->id, a->programme_id, &e);
    if (rc != 0) {
        refused(ctx, rc);
        goto cleanup;
    }
    printf("account %" PRIu64 " erased: it can never log in again; a new "
           "invitation gives the person a new account.\n",
           e.account_id);
    print_pairs(&e);
cleanup:
    free(items);
    return rc;
}
