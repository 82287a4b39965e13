/*
 * cli_erase.c: erase PAIR [--mine], admin erase --pair P, admin retention
 * (binome(1), "Erasing"; DESIGN.md, "Ending, erasing, re-pairing").
 *
 * A member never erases the other member's words alone: 'erase PAIR'
 * records their signed request, and the pair goes once every member asked,
 * or once the programme's retention period has passed since it ended.
 * 'erase PAIR --mine' erases at once what the member wrote themselves.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* asked_by: 1 when account asked (per e). */
static int asked_by(const bnc_erasure *e, uint64_t account)
{
    for (uint32_t i = 0; i < e->nasked; i++)
        if (e->asked[i] == account)
            return 1;
    return 0;
}

/* print_state says who asked and what erases the pair, for its member. */
static void print_state(const bnc_pair *p, const bnc_erasure *e, uint64_t me)
{
    const bnc_pair_info *info = bnc_pair_get_info(p);
    const bnc_member *m;
    size_t n, waiting = 0;
    char day[11];

    m = bnc_pair_members(p, &n);
    printf("your request to erase pair %" PRIu64
           " is recorded, signed by you in the pair's log.\n",
           info->id);
    for (size_t i = 0; i < n; i++) {
        if (m[i].account_id == me)
            continue;
        int yes = asked_by(e, m[i].account_id);
        printf("  %s (%s): %s\n", cli_safe(m[i].name), bnc_role_name(m[i].role),
               yes ? "asked too" : "has not asked");
        waiting += !yes;
    }
    if (waiting > 0)
        printf("The pair is erased only when every member asks: the other "
               "member runs 'binome erase %" PRIu64 "'.\n",
               info->id);
    if (e->erase_after != 0) {
        bnc_date_format(day, e->erase_after);
        printf("The programme's retention period lets it be erased without "
               "them from %s.\n",
               day);
    } else {
        printf("The programme sets no retention period: without every "
               "member, it is never erased.\n");
    }
    printf("Until then both of you can still read everything. What you "
           "wrote yourself you can erase now: 'binome erase %" PRIu64
           " --mine'.\n",
           info->id);
}

int cli_erase(cli_ctx *ctx, int argc, char **argv)
{
    int mine = 0;
    const cli_opt opts[] = {{"mine", NULL, &mine}, {NULL, NULL, NULL}};
    char *pos[1];
    bnc_pair *p = NULL;
    bnc_erasure e;
    uint64_t me;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);
    if (rc == 0)
        rc = cli_open_own_pair(ctx, pos[0], BNC_PAIR_NOKEYS, &p);
    if (rc != 0)
        goto cleanup;
    me = bnc_client_account(ctx->client)->id;
    uint8_t status = bnc_pair_get_info(p)->status;
    if (!mine && status != BNC_PAIR_COMPLETED && status != BNC_PAIR_WITHDRAWN) {
        rc = cli_fail(ctx, BNC_EINVAL, "pair %s has not ended", pos[0]);
        cli_hint(ctx,
                 "a pair is erased once it ended ('binome pair end %s "
                 "--reason completed|withdrawn') and both of you asked; "
                 "what you wrote yourself you can erase now with 'binome "
                 "erase %s --mine'",
                 pos[0], pos[0]);
        goto cleanup;
    }
    if (cli_is_tty(STDIN_FILENO) &&
        !cli_ask_yes(mine ? "Erase every note revision and document you "
                            "wrote in this pair, for good? [y/N] "
                          : "Ask to erase every note, objective and "
                            "document of this pair for good (done once "
                            "every member asked)? [y/N] ")) {
        rc = cli_fail(ctx, BNC_EINVAL, "nothing erased");
        goto cleanup;
    }
    rc = bnc_pair_erase_ask(ctx->client, p, mine, &e);
    if (rc != 0) {
        if (rc == BNC_ENOTFOUND)
            cli_pair_error(ctx, rc, pos[0]);
        else
            cli_fail(ctx, rc, "pair %s: nothing erased: %s", pos[0],
                     bnc_strerror(rc));
        goto cleanup;
    }
    if (mine)
        printf("erased %u item(s) you wrote in pair %" PRIu64
               " (note revisions and documents); the other member's words "
               "stay\n",
               e.items_erased, bnc_pair_get_info(p)->id);
    else if (e.erased)
        printf("pair %" PRIu64 " erased: its ciphertexts and keys are gone; "
               "sessions and counts stay for the statistics\n",
               bnc_pair_get_info(p)->id);
    else
        print_state(p, &e, me);
cleanup:
    bnc_pair_free(p);
    return rc;
}

int cli_admin_erase(cli_ctx *ctx, int argc, char **argv)
{
    const char *pair = NULL;
    const cli_opt opts[] = {{"pair", &pair, NULL}, {NULL, NULL, NULL}};
    uint64_t id;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (pair == NULL)
        return cli_fail(ctx, CLI_EUSAGE, "--pair P is required");
    rc = cli_u64(ctx, "--pair", pair, &id);
    if (rc == 0)
        rc = cli_connect(ctx);
    if (rc != 0)
        return rc;
    rc = bnc_pair_erase(ctx->client, id);
    if (rc == 0) {
        printf("pair %" PRIu64 " erased\n", id);
    } else if (rc == BNC_EDENIED && bnc_client_error(ctx->client) != NULL) {
        /* the server says who asked and from when retention allows it */
        cli_fail(ctx, rc, "%s", cli_safe(bnc_client_error(ctx->client)));
    } else if (rc == BNC_ENOTFOUND || rc == BNC_EDENIED) {
        cli_pair_error(ctx, rc, pair);
    } else {
        cli_fail(ctx, rc, "pair %s cannot be erased: %s", pair,
                 bnc_strerror(rc));
        if (rc == BNC_EINVAL)
            cli_hint(ctx, "only an ended pair can be erased");
    }
    return rc;
}

int cli_admin_retention(cli_ctx *ctx, int argc, char **argv)
{
    const char *prog = NULL, *days_s = NULL;
    const cli_opt opts[] = {{"programme", &prog, NULL},
                            {"days", &days_s, NULL},
                            {NULL, NULL, NULL}};
    uint64_t programme, days;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (prog == NULL || days_s == NULL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--programme P and --days N are required");
    if (cli_u64(ctx, "--programme", prog, &programme) != 0)
        return CLI_EUSAGE;
    if (cli_u64(ctx, "--days", days_s, &days) != 0 ||
        days > BNC_RETENTION_DAYS_MAX)
        return cli_fail(ctx, CLI_EUSAGE, "--days must be 0 to %u",
                        BNC_RETENTION_DAYS_MAX);
    rc = cli_connect(ctx);
    if (rc == 0)
        rc = bnc_retention_set(ctx->client, programme, (uint32_t)days);
    if (rc == 0 && days == 0)
        printf("programme %" PRIu64 ": no retention period; a pair is "
               "erased only when every member asks\n",
               programme);
    else if (rc == 0)
        printf("programme %" PRIu64 ": a pair may be erased %" PRIu64
               " days after it ended, without its members' consent\n",
               programme, days);
    else if (rc == BNC_ENOTFOUND)
        cli_fail(ctx, rc, "no programme %s", prog);
    return rc;
}
