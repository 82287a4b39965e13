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
    case BNC_ACCEPTED_MENTOR:
        return "mentor";
    case BNC_ACCEPTED_MENTEE:
        return "mentee";
    case BNC_ACCEPTED_MENTOR | BNC_ACCEPTED_MENTEE:
        return "both";
    default:
        return "none";
    }
}

int cli_pairs(cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    bnc_pair_info *items = NULL;
    size_t n = 0;
    int rc;

    rc = cli_json_connect(ctx, argc, argv, &json);
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
            printf(",\"end_reason\":");
            if (p->end_reason)
                printf("\"%s\"", bnc_end_reason_name(p->end_reason));
            else
                printf("null");
            printf(",\"ended_by\":");
            if (bnc_pair_ender(p))
                printf("{\"role\":\"%s\",\"id\":%" PRIu64 "}",
                       bnc_ender_name(bnc_pair_ender(p)), p->ended_by);
            else
                printf("null");
            printf(",\"epoch\":%u}", p->epoch);
        }
        printf("]\n");
    } else {
        printf("%-4s %-10s %-8s %-20s %-20s %-10s %s\n", "PAIR", "STATUS",
               "ACCEPTED", "MENTOR", "MENTEE", "START", "ENDED");
        for (size_t i = 0; i < n; i++) {
            const bnc_pair_info *p = &items[i];
            char start[11], end[11];
            cli_date(start, p->start_date);
            cli_date(end, p->end_date);
            printf("%-4" PRIu64 " %-10s %-8s %s %s %-10s %s%s%s%s%s\n", p->id,
                   bnc_pair_status_name(p->status), accepted_names(p->accepted),
                   cli_pad(p->mentor_name, 20), cli_pad(p->mentee_name, 20),
                   start, p->end_date ? end : "-", p->end_date ? ", " : "",
                   p->end_date ? bnc_end_reason_name(p->end_reason) : "",
                   bnc_pair_ender(p) ? ", by the " : "",
                   bnc_ender_name(bnc_pair_ender(p)));
        }
    }
    free(items);
    return 0;
}

int cli_pair_accept(cli_ctx *ctx, int argc, char **argv)
{
    char *pos[1];
    bnc_pair *p = NULL;
    uint8_t h[BNC_HASH_BYTES];
    char hex[65];
    int rc;

    rc = cli_parse(ctx, argc, argv, NULL, pos, 1, 1);
    if (rc == 0)
        rc = cli_open_own_pair(ctx, pos[0], BNC_PAIR_NOKEYS, &p);
    if (rc != 0)
        goto cleanup;
    /* Show the hash of the text we show, so what is signed is visible. */
    bnc_pair_charter_hash(p, h);
    bn_hex_encode(hex, h, sizeof h);
    printf("Charter of pair %" PRIu64 " (mentor %s, mentee %s):\n\n",
           bnc_pair_get_info(p)->id,
           cli_safe(bnc_pair_get_info(p)->mentor_name),
           cli_safe(bnc_pair_get_info(p)->mentee_name));
    /* The charter is the server's clear text: shown escaped. */
    rc = cli_print_body(stdout, bnc_pair_charter(p),
                        strlen(bnc_pair_charter(p)), 0);
    if (rc != 0)
        goto cleanup;
    if (bnc_pair_charter(p)[0] &&
        bnc_pair_charter(p)[strlen(bnc_pair_charter(p)) - 1] != '\n')
        putchar('\n');
    printf("\ncharter hash: %s\n", hex);
    fflush(stdout);
    if (cli_is_tty(STDIN_FILENO) &&
        !cli_ask_yes("Do you accept this charter and the pairing? [y/N] ")) {
        rc = cli_fail(ctx, BNC_EINVAL, "not accepted; nothing was signed");
        cli_hint(ctx, "run the command again when you are ready");
        goto cleanup;
    }
    rc = bnc_pair_accept(ctx->client, p);
    if (rc != 0 && rc != BNC_EAUTH)
        cli_write_error(ctx, rc, pos[0]);
    if (rc == BNC_EAUTH) {
        rc = cli_fail(ctx, rc,
                      "the server's charter hash does not match the charter "
                      "text; nothing was signed");
        goto cleanup;
    }
    if (rc == 0)
        printf("accepted: you signed the charter of pair %" PRIu64 "\n",
               bnc_pair_get_info(p)->id);
cleanup:
    bnc_pair_free(p);
    return rc;
}

int cli_pair_end(cli_ctx *ctx, int argc, char **argv)
{
    const char *reason = NULL;
    int override = 0;
    const cli_opt opts[] = {{"reason", &reason, NULL},
                            {"override", NULL, &override},
                            {NULL, NULL, NULL}};
    char *pos[1];
    bnc_pair *p = NULL;
    uint8_t r;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);
    if (rc != 0)
        return rc;
    if (reason == NULL || bnc_end_reason_parse(reason, &r) != 0 ||
        r == BNC_END_STALLED)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--reason is completed (the pairing ran its course) "
                        "or withdrawn");
    if (override && r != BNC_END_COMPLETED)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--override is for ending completed before the "
                        "programme's minimum duration");
    rc = cli_open_own_pair(ctx, pos[0], BNC_PAIR_NOKEYS, &p);
    if (rc == 0 && bnc_pair_get_info(p)->status == BNC_PAIR_PENDING &&
        r == BNC_END_COMPLETED)
        rc = cli_fail(ctx, BNC_ENOTACCEPTED,
                      "pair %s never started: it can only be withdrawn from",
                      pos[0]);
    if (rc == 0)
        rc = bnc_pair_end_override(ctx->client, p, r, override);
    if (rc == 0) {
        char d[11];
        cli_date(d, bnc_pair_get_info(p)->end_date
                        ? bnc_pair_get_info(p)->end_date
                        : bnc_date_today());
        printf("pair %" PRIu64 " ended on %s (%s); its notes stay readable "
               "by its members\n",
               bnc_pair_get_info(p)->id, d, bnc_end_reason_name(r));
    } else if (rc == BNC_EENDED) {
        rc = cli_fail(ctx, rc, "pair %s has already ended", pos[0]);
    } else {
        cli_write_error(ctx, rc, pos[0]);
    }
    bnc_pair_free(p);
    return rc;
}

/* cli_admin_pair_start: the coordinator sets the day a pair started. */
int cli_admin_pair_start(cli_ctx *ctx, int argc, char **argv)
{
    const char *pair = NULL, *date = NULL;
    const cli_opt opts[] = {
        {"pair", &pair, NULL}, {"date", &date, NULL}, {NULL, NULL, NULL}};
    bnc_pair_info info;
    uint32_t day = 0;
    uint64_t id;
    char d[11];
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (pair == NULL || date == NULL)
        return cli_fail(ctx, CLI_EUSAGE, "--pair P and --date are required");
    if (bnc_date_parse(date, &day) != 0)
        return cli_fail(ctx, CLI_EUSAGE, "--date is YYYY-MM-DD");
    rc = cli_u64(ctx, "--pair", pair, &id);
    if (rc == 0)
        rc = cli_connect(ctx);
    if (rc == 0)
        rc = bnc_pair_set_start(ctx->client, id, day, &info);
    if (rc == 0) {
        cli_date(d, info.start_date);
        printf("pair %" PRIu64 " started on %s\n", id, d);
    } else if (rc == BNC_ENOTFOUND) {
        return cli_fail(ctx, rc, "no pair %s", cli_safe(pair));
    } else if (rc == BNC_EDATE && bnc_client_error(ctx->client)[0] &&
               strcmp(bnc_client_error(ctx->client), bnc_strerror(rc)) != 0) {
        return cli_fail(ctx, rc, "start date refused: %s",
                        bnc_client_error(ctx->client));
    }
    return rc;
}

/* cli_admin_end: the coordinator ends a pair (withdrawn or stalled), on
 * --date or today. */
int cli_admin_end(cli_ctx *ctx, int argc, char **argv)
{
    const char *pair = NULL, *reason = NULL, *date = NULL;
    const cli_opt opts[] = {{"pair", &pair, NULL},
                            {"reason", &reason, NULL},
                            {"date", &date, NULL},
                            {NULL, NULL, NULL}};
    uint32_t day = 0;
    uint8_t r = 0;
    uint64_t id;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (pair == NULL || reason == NULL)
        return cli_fail(ctx, CLI_EUSAGE, "--pair P and --reason are required");
    if (bnc_end_reason_parse(reason, &r) != 0 ||
        (r != BNC_END_WITHDRAWN && r != BNC_END_STALLED))
        return cli_fail(ctx, CLI_EUSAGE,
                        "--reason is stalled or withdrawn (a pair is ended "
                        "completed by its members: 'binome pair end')");
    if (date != NULL && bnc_date_parse(date, &day) != 0)
        return cli_fail(ctx, CLI_EUSAGE, "--date is YYYY-MM-DD");
    rc = cli_u64(ctx, "--pair", pair, &id);
    if (rc == 0)
        rc = cli_connect(ctx);
    if (rc == 0)
        rc = bnc_pair_stop(ctx->client, id, r, day);
    if (rc == 0)
        printf("pair %" PRIu64 " ended by the coordinator: %s\n", id,
               bnc_end_reason_name(r));
    else if (rc == BNC_ENOTFOUND)
        return cli_fail(ctx, rc, "no pair %s", cli_safe(pair));
    else if (rc == BNC_EENDED)
        return cli_fail(ctx, rc, "pair %s has already ended", cli_safe(pair));
    else if (rc == BNC_EDATE)
        return cli_fail(ctx, rc,
                        "the end date must be between the pair's start and "
                        "tomorrow");
    return rc;
}
