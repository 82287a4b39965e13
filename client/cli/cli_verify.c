/*
 * cli_verify.c: the safety number, compared in person, and its record.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

int cli_verify(cli_ctx *ctx, int argc, char **argv)
{
    int confirm = 0;
    const cli_opt opts[] = {{"confirm", NULL, &confirm}, {NULL, NULL, NULL}};
    char *pos[1];
    char digits[BNC_SAFETY_DIGITS + 1];
    bnc_pair *p = NULL;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);
    if (rc == 0)
        rc = cli_open_own_pair(ctx, pos[0], BNC_PAIR_NOKEYS, &p);
    if (rc != 0)
        goto cleanup;
    rc = bnc_safety_number(p, digits);
    if (rc != 0)
        goto cleanup;
    printf("Safety number of pair %" PRIu64 " (mentor %s, mentee %s):\n\n",
           bnc_pair_get_info(p)->id,
           cli_safe(bnc_pair_get_info(p)->mentor_name),
           cli_safe(bnc_pair_get_info(p)->mentee_name));
    /* Signal's layout: groups of 5 digits, 4 groups a line. */
    for (int i = 0; i < BNC_SAFETY_DIGITS; i += 5)
        printf("%s%.5s%s", i % 20 == 0 ? "    " : "", digits + i,
               i % 20 == 15 ? "\n" : " ");
    printf("\n");
    /* Who holds the pair's keys: exactly the members its log admits. */
    printf("Who can open this pair's notes (its signed membership):\n");
    size_t nmembers = 0;
    const bnc_member *members = bnc_pair_members(p, &nmembers);
    for (size_t i = 0; i < nmembers; i++) {
        const bnc_member *m = &members[i];
        char fp[17], status[200];
        if (m->to_epoch != 0)
            continue; /* left: opens nothing written since */
        bn_hex_encode(fp, m->sign_pk, 8);
        cli_member_status(p, m, status, sizeof status);
        printf("    %-6s %s account %" PRIu64 ", key %.4s %.4s %.4s %.4s%s\n",
               bnc_role_name(m->role), cli_pad(m->name, 20), m->account_id, fp,
               fp + 4, fp + 8, fp + 12,
               m->account_id == bnc_client_account(ctx->client)->id ? " (you)"
                                                                    : "");
        /* in a team, who vouched for whom (issue 14) */
        if (nmembers > 2)
            printf("           %s\n", status);
    }
    if (nmembers > 2)
        printf("The safety number is the two referents': each referent "
               "vouches for the members of their side, whose keys they "
               "compared in person. A member compares it with their "
               "referent.\n");
    printf("No one else holds a key to them: not the administrator, not "
           "the server.\n");
    {
        bnc_log_head h;
        char digest[BNC_LOG_DIGEST_MAX];
        bnc_pair_log_head(p, &h);
        bnc_log_digest(&h, digest);
        printf("log: entry %" PRIu64 ", digest %s\n", h.seq, digest);
        cli_resyncs_print(ctx, bnc_pair_get_info(p)->id);
    }
    if (confirm) {
        rc = bnc_pair_confirm(ctx->profile, p);
        if (rc == 0)
            printf("verified: these keys are recorded for pair %" PRIu64
                   "; a change will block writes\n",
                   bnc_pair_get_info(p)->id);
    } else if (bnc_pair_verified(p) && !bnc_pair_keys_changed(p)) {
        printf("status: verified (the keys are those you confirmed)\n");
    } else {
        printf("status: %s\n"
               "Compare these digits with the other member's screen, in "
               "person.\nIf they match, run 'binome verify %" PRIu64
               " --confirm'.\n",
               bnc_pair_keys_changed(p) ? "KEYS CHANGED since you last saw them"
                                        : "not verified yet",
               bnc_pair_get_info(p)->id);
    }
cleanup:
    sodium_memzero(digits, sizeof digits);
    bnc_pair_free(p);
    return rc;
}
