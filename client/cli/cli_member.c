/*
 * cli_member.c: team pairings (issue 14): a side's referent adds and
 * removes the members of their side; every member sees who is in the
 * pairing, who vouched for them and whether this client verified it.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

const char *cli_key_code(const char *code, char out[CLI_KEY_CODE_SPACED])
{
    size_t o = 0;

    for (size_t i = 0; code[i] != '\0' && o + 2 < CLI_KEY_CODE_SPACED; i++) {
        if (i > 0 && i % 5 == 0)
            out[o++] = ' ';
        out[o++] = code[i];
    }
    out[o] = '\0';
    return out;
}

void cli_member_status(const bnc_pair *p, const bnc_member *m, char *out,
                       size_t size)
{
    uint64_t by = 0, seq = 0;
    int verified = bnc_pair_verified(p);

    if (m->to_epoch != 0) {
        snprintf(out, size, "left (holds no key from epoch %" PRIu32 " on)",
                 m->to_epoch);
        return;
    }
    if (bnc_pair_is_referent(p, m->account_id)) {
        snprintf(out, size, "%s",
                 verified ? "referent, verified in person (safety number)"
                          : "referent, not verified yet");
        return;
    }
    if (bnc_pair_member_added(p, m->account_id, &by, &seq) != 0) {
        snprintf(out, size, "not in the signed membership");
        return;
    }
    const bnc_member *referent = bnc_pair_member(p, by);
    snprintf(out, size, "%s %s (referent), log entry %" PRIu64 "%s",
             verified ? "vouched for by" : "added by",
             referent != NULL ? cli_safe(referent->name) : "?", seq,
             verified ? "" : "; not verified yet");
}

/* parse_member: PAIR and --account ID of a member command. */
static int parse_member(cli_ctx *ctx, int argc, char **argv,
                        const cli_opt *opts, const char **account, char **pair,
                        uint64_t *id)
{
    int rc = cli_parse(ctx, argc, argv, opts, pair, 1, 1);
    if (rc != 0)
        return rc;
    if (*account == NULL)
        return cli_fail(ctx, CLI_EUSAGE, "--account ID is required");
    return cli_u64(ctx, "--account", *account, id) != 0 ? CLI_EUSAGE : 0;
}

int cli_member_add(cli_ctx *ctx, int argc, char **argv)
{
    const char *account = NULL, *code = NULL;
    int history = 0;
    const cli_opt opts[] = {{"account", &account, NULL},
                            {"code", &code, NULL},
                            {"history", NULL, &history},
                            {NULL, NULL, NULL}};
    char *pos[1];
    bnc_pair *p = NULL;
    uint64_t id = 0;
    int rc;

    rc = parse_member(ctx, argc, argv, opts, &account, pos, &id);
    if (rc != 0)
        return rc;
    if (code == NULL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--code is required: the key code the person reads "
                        "from 'binome whoami' on their own machine, in front "
                        "of you");
    rc = cli_open_own_pair(ctx, pos[0], 0, &p);
    if (rc != 0)
        goto cleanup;
    rc = bnc_pair_member_add(ctx->client, p, id, code, history);
    switch (rc) {
    case 0:
        printf("account %" PRIu64 " is now a member of pair %" PRIu64
               " (key epoch %" PRIu32 "%s); they accept the charter with "
               "'binome pair accept %s'\n",
               id, bnc_pair_get_info(p)->id, bnc_pair_get_info(p)->epoch,
               history ? ", with the pair's history" : ", from now on", pos[0]);
        break;
    case BNC_EAUTH:
        cli_fail(ctx, rc,
                 "the key code does not match account %" PRIu64
                 "'s keys as the server gives them: nobody was added",
                 id);
        cli_hint(ctx, "compare again with the code 'binome whoami' shows on "
                      "their machine; if it still differs, tell your "
                      "coordinator");
        break;
    case BNC_EDENIED:
        cli_fail(ctx, rc,
                 "only the referent of a side adds members to it (pair "
                 "%s's mentor for mentors, its mentee for mentees)",
                 pos[0]);
        break;
    case BNC_EEXIST:
        cli_fail(ctx, rc,
                 "account %" PRIu64 " is or was a member of pair %s (a "
                 "member who left comes back only in a new pair)",
                 id, pos[0]);
        break;
    case BNC_ENOKEY:
        cli_fail(ctx, rc, "you do not hold every key of pair %s%s", pos[0],
                 history ? ": add them without --history" : "");
        break;
    case BNC_ENOTFOUND:
        cli_fail(ctx, rc,
                 "no account %" PRIu64 " among the mentors and mentees of "
                 "your programme",
                 id);
        break;
    default:
        if (bnc_client_error(ctx->client)[0] &&
            strcmp(bnc_client_error(ctx->client), bnc_strerror(rc)) != 0)
            cli_fail(ctx, rc, "%s", bnc_client_error(ctx->client));
        else
            cli_write_error(ctx, rc, pos[0]);
    }
cleanup:
    bnc_pair_free(p);
    return rc;
}

int cli_member_remove(cli_ctx *ctx, int argc, char **argv)
{
    const char *account = NULL;
    const cli_opt opts[] = {{"account", &account, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    bnc_pair *p = NULL;
    uint64_t id = 0;
    int rc;

    rc = parse_member(ctx, argc, argv, opts, &account, pos, &id);
    if (rc == 0)
        rc = cli_open_own_pair(ctx, pos[0], 0, &p);
    if (rc != 0)
        goto cleanup;
    rc = bnc_pair_member_remove(ctx->client, p, id);
    if (rc == 0)
        printf("account %" PRIu64 " left pair %" PRIu64
               ": it opens nothing written from key epoch %" PRIu32 " on\n",
               id, bnc_pair_get_info(p)->id, bnc_pair_get_info(p)->epoch);
    else if (rc == BNC_EDENIED)
        cli_fail(ctx, rc,
                 "only the referent of the member's side removes them, and "
                 "a referent is not removed (the pair ends instead)");
    else if (rc == BNC_ENOTFOUND)
        cli_fail(ctx, rc, "account %" PRIu64 " is not a member of pair %s", id,
                 pos[0]);
    else
        cli_write_error(ctx, rc, pos[0]);
cleanup:
    bnc_pair_free(p);
    return rc;
}

int cli_members(cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    const cli_opt opts[] = {{"json", NULL, &json}, {NULL, NULL, NULL}};
    char *pos[1];
    bnc_pair *p = NULL;
    size_t n = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);
    if (rc == 0)
        rc = cli_open_own_pair(ctx, pos[0], BNC_PAIR_NOKEYS, &p);
    if (rc != 0)
        goto cleanup;
    const bnc_member *m = bnc_pair_members(p, &n);
    uint64_t me = bnc_client_account(ctx->client)->id;
    if (json)
        printf("{\"pair\":%" PRIu64 ",\"verified\":%s,\"members\":[",
               bnc_pair_get_info(p)->id,
               bnc_pair_verified(p) ? "true" : "false");
    for (size_t i = 0; i < n; i++) {
        char status[200];
        uint64_t by = 0, seq = 0;
        cli_member_status(p, &m[i], status, sizeof status);
        bnc_pair_member_added(p, m[i].account_id, &by, &seq);
        if (json) {
            printf("%s{\"account\":%" PRIu64 ",\"name\":", i ? "," : "",
                   m[i].account_id);
            cli_json_str(m[i].name);
            printf(",\"side\":\"%s\",\"referent\":%s,\"current\":%s,"
                   "\"added_by\":%" PRIu64 ",\"added_at\":%" PRIu64
                   ",\"from_epoch\":%" PRIu32 ",\"to_epoch\":%" PRIu32 "}",
                   bnc_role_name(m[i].role),
                   bnc_pair_is_referent(p, m[i].account_id) ? "true" : "false",
                   m[i].to_epoch == 0 ? "true" : "false", by, seq,
                   m[i].from_epoch, m[i].to_epoch);
        } else {
            printf("%-6s %s account %-6" PRIu64 " %s%s\n",
                   bnc_role_name(m[i].role), cli_pad(m[i].name, 20),
                   m[i].account_id, status,
                   m[i].account_id == me ? " (you)" : "");
        }
    }
    if (json)
        printf("]}\n");
    else if (!bnc_pair_verified(p))
        printf("\nNot verified yet: compare the safety number in person "
               "('binome verify %s').\n",
               pos[0]);
cleanup:
    bnc_pair_free(p);
    return rc;
}
