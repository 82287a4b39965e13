/*
 * cli_pair.c: listing pairs and accepting a pair's charter.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* accepted_names describes the accepted bits: "mentor+mentee", "-". */
static const char *accepted_names(uint8_t a)
{
    switch (a & 3) {
    case BN_ACCEPTED_MENTOR:
        return "mentor";
    case BN_ACCEPTED_MENTEE:
        return "mentee";
    case BN_ACCEPTED_MENTOR | BN_ACCEPTED_MENTEE:
        return "both";
    default:
        return "none";
    }
}

int cli_pairs(cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    const cli_opt opts[] = {{"json", NULL, &json}, {NULL, NULL, NULL}};
    bnc_pair_info *items = NULL;
    size_t n = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc == 0)
        rc = cli_connect(ctx);
    if (rc == 0)
        rc = bnc_pair_list(ctx->client, &items, &n);
    if (rc != 0)
        return rc;
    if (json) {
        printf("[");
        for (size_t i = 0; i < n; i++) {
            const bnc_pair_info *p = &items[i];
            char start[11], end[11];
            cli_date(start, p->start_date);
            cli_date(end, p->end_date);
            printf("%s{\"id\":%" PRIu64 ",\"programme\":%" PRIu64
                   ",\"mentor\":{\"id\":%" PRIu64 ",\"name\":",
                   i ? "," : "", p->id, p->programme_id, p->mentor_id);
            cli_json_str(p->mentor_name);
            printf("},\"mentee\":{\"id\":%" PRIu64 ",\"name\":", p->mentee_id);
            cli_json_str(p->mentee_name);
            printf("},\"status\":\"%s\",\"accepted\":\"%s\",\"start\":",
                   bnc_pair_status_name(p->status),
                   accepted_names(p->accepted));
            if (p->start_date)
                printf("\"%s\"", start);
            else
                printf("null");
            printf(",\"end\":");
            if (p->end_date)
                printf("\"%s\"", end);
            else
                printf("null");
            printf(",\"epoch\":%u}", p->epoch);
        }
        printf("]\n");
    } else {
        printf("%-4s %-10s %-8s %-20s %-20s %s\n", "PAIR", "STATUS", "ACCEPTED",
               "MENTOR", "MENTEE", "START");
        for (size_t i = 0; i < n; i++) {
            const bnc_pair_info *p = &items[i];
            char start[11];
            cli_date(start, p->start_date);
            printf("%-4" PRIu64 " %-10s %-8s %-20s %-20s %s\n", p->id,
                   bnc_pair_status_name(p->status), accepted_names(p->accepted),
                   cli_safe(p->mentor_name), cli_safe(p->mentee_name), start);
        }
    }
    free(items);
    return 0;
}

int cli_pair_accept(cli_ctx *ctx, int argc, char **argv)
{
    char *pos[1];
    bnc_pair *p = NULL;
    uint8_t h[BN_HASH_BYTES];
    char hex[65];
    int rc;

    rc = cli_parse(ctx, argc, argv, NULL, pos, 1, 1);
    if (rc == 0)
        rc = cli_open_pair(ctx, pos[0], BNC_PAIR_NOKEYS, &p);
    if (rc != 0)
        goto cleanup;
    if (bnc_pair_member(p, ctx->client->me.id) == NULL) {
        rc = cli_fail(ctx, BN_EDENIED, "you are not a member of pair %s",
                      pos[0]);
        goto cleanup;
    }
    /* Show the hash of the text we show, so what is signed is visible. */
    bn_hash(h, (const uint8_t *)p->charter, strlen(p->charter));
    bn_hex_encode(hex, h, sizeof h);
    printf("Charter of pair %" PRIu64 " (mentor %s, mentee %s):\n\n",
           p->info.id, cli_safe(p->info.mentor_name),
           cli_safe(p->info.mentee_name));
    for (const char *s = p->charter; *s; s++)
        putchar(((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') ? '?'
                                                                       : *s);
    if (p->charter[0] && p->charter[strlen(p->charter) - 1] != '\n')
        putchar('\n');
    printf("\ncharter hash: %s\n", hex);
    fflush(stdout);
    if (cli_is_tty(STDIN_FILENO) &&
        !cli_ask_yes("Do you accept this charter and the pairing? [y/N] ")) {
        rc = cli_fail(ctx, BN_EINVAL, "not accepted; nothing was signed");
        cli_hint(ctx, "run the command again when you are ready");
        goto cleanup;
    }
    rc = bnc_pair_accept(ctx->client, p);
    if (rc == BN_EAUTH) {
        rc = cli_fail(ctx, rc,
                      "the server's charter hash does not match the charter "
                      "text; nothing was signed");
        goto cleanup;
    }
    if (rc == 0)
        printf("accepted: you signed the charter of pair %" PRIu64 "\n",
               p->info.id);
cleanup:
    bnc_pair_free(p);
    return rc;
}
