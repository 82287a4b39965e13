/*
 * cli_pair.c: listing pairs, accepting a pair's charter, showing the
 * charter's three signatures, and the end-of-pairing questionnaire.
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

/* signature_line prints one signature of the charter: who, when, and
 * whether it verifies; returns 1 when it is signed and does not. */
static int signature_line(const char *what, const bnc_signature *g,
                          const char *note)
{
    char d[11];

    printf("  %-9s ", what);
    if (g->is_signed || g->account_id != 0)
        printf("%s (account %" PRIu64 ")", cli_pad(g->name, 20), g->account_id);
    else
        printf("%-32s", "-");
    if (!g->is_signed) {
        printf("  not signed\n");
        return 0;
    }
    cli_date(d, g->date);
    printf("  signed %s  %s%s\n", d,
           g->valid ? "valid" : "INVALID (does not verify)",
           g->valid ? note : "");
    return !g->valid;
}

int cli_pair_charter(cli_ctx *ctx, int argc, char **argv)
{
    bnc_signature st, members[BNC_SIGNERS_MAX];
    size_t n = 0;
    char *pos[1];
    bnc_pair *p = NULL;
    uint8_t h[BNC_HASH_BYTES];
    char hex[65];
    int rc, bad = 0;

    rc = cli_parse(ctx, argc, argv, NULL, pos, 1, 1);
    if (rc == 0)
        rc = cli_open_own_pair(ctx, pos[0], BNC_PAIR_NOKEYS, &p);
    if (rc == 0)
        rc = bnc_pair_signatures(ctx->client, p, &st, members, &n);
    if (rc != 0) {
        if (p != NULL)
            cli_pair_error(ctx, rc, pos[0]);
        goto cleanup;
    }
    bnc_pair_charter_hash(p, h);
    bn_hex_encode(hex, h, sizeof h);
    printf("Charter of pair %" PRIu64 " (programme %" PRIu64 ")\n"
           "charter hash: %s\nsignatures (each checked on this machine):\n",
           bnc_pair_get_info(p)->id, bnc_pair_get_info(p)->programme_id, hex);
    bad |= signature_line("structure", &st,
                          " (the administrator's key as the server gives "
                          "it: not verified in person)");
    for (size_t i = 0; i < n; i++)
        bad |= signature_line(members[i].role == BNC_ROLE_MENTOR   ? "mentor"
                              : members[i].role == BNC_ROLE_MENTEE ? "mentee"
                                                                   : "member",
                              &members[i],
                              bnc_pair_verified(p)
                                  ? " (keys verified in person)"
                                  : " (keys not verified in person yet: "
                                    "'binome verify')");
    if (bad)
        rc = cli_fail(ctx, BNC_ETAMPER,
                      "a signature of pair %s's charter does not verify: "
                      "the server's copy was altered",
                      pos[0]);
cleanup:
    bnc_pair_free(p);
    return rc;
}

/* parse_ratings reads "4,5,3" into ratings (1 to 5 each): the count, or
 * -1. */
static int parse_ratings(const char *s, uint8_t *ratings, int max)
{
    int n = 0;

    while (*s) {
        if (*s < '1' || *s > '5' || n == max)
            return -1;
        ratings[n++] = (uint8_t)(*s - '0');
        s++;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return n;
}

/* ask_rating asks one question on the terminal until it gets 1 to 5. */
static int ask_rating(cli_ctx *ctx, size_t i, const char *q, uint8_t *v)
{
    char line[64];

    for (;;) {
        printf("Q%zu. ", i + 1);
        fflush(stdout);
        if (cli_print_body(stdout, q, strlen(q), 0) != 0)
            return BNC_EIO;
        printf("\n   your rating, 1 (poor) to 5 (excellent): ");
        fflush(stdout);
        if (fgets(line, sizeof line, stdin) == NULL)
            return cli_fail(ctx, CLI_EUSAGE, "no answer given; nothing sent");
        if (line[0] >= '1' && line[0] <= '5' &&
            (line[1] == '\n' || line[1] == '\0')) {
            *v = (uint8_t)(line[0] - '0');
            return 0;
        }
    }
}

/* ask_objectives asks the fixed question until it gets yes/partly/no. */
static int ask_objectives(cli_ctx *ctx, uint8_t *v)
{
    char line[64];

    for (;;) {
        printf("Were the objectives met? yes, partly or no: ");
        fflush(stdout);
        if (fgets(line, sizeof line, stdin) == NULL)
            return cli_fail(ctx, CLI_EUSAGE, "no answer given; nothing sent");
        line[strcspn(line, "\n")] = '\0';
        if (bnc_objectives_met_parse(line, v) == 0)
            return 0;
    }
}

int cli_pair_questionnaire(cli_ctx *ctx, int argc, char **argv)
{
    const char *answers = NULL, *objectives = NULL;
    const cli_opt opts[] = {{"answers", &answers, NULL},
                            {"objectives", &objectives, NULL},
                            {NULL, NULL, NULL}};
    uint8_t ratings[BNC_QUESTIONS_MAX], obj = 0;
    bnc_questionnaire q;
    char *pos[1];
    uint64_t pair = 0;
    int rc, n = -1;

    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);
    if (rc == 0)
        rc = cli_u64(ctx, "PAIR", pos[0], &pair);
    if (rc != 0)
        return rc;
    if (answers != NULL) {
        n = parse_ratings(answers, ratings, BNC_QUESTIONS_MAX);
        if (n < 0)
            return cli_fail(ctx, CLI_EUSAGE,
                            "--answers is one rating 1 to 5 per question, "
                            "comma-separated (e.g. 4,5,3)");
    }
    if (objectives != NULL && bnc_objectives_met_parse(objectives, &obj) != 0)
        return cli_fail(ctx, CLI_EUSAGE, "--objectives is yes, partly or no");
    if ((answers == NULL || objectives == NULL) && !cli_is_tty(STDIN_FILENO))
        return cli_fail(ctx, CLI_EUSAGE,
                        "not on a terminal: give --answers and --objectives");
    rc = cli_connect(ctx);
    if (rc == 0)
        rc = bnc_questionnaire_get(ctx->client, pair, &q);
    if (rc == BNC_ENOTFOUND || rc == BNC_EDENIED)
        return cli_pair_error(ctx, rc, pos[0]);
    if (rc == BNC_ENOTACCEPTED)
        return cli_fail(ctx, rc,
                        "pair %s has not ended: the questionnaire is "
                        "answered once it has (completed or withdrawn)",
                        pos[0]);
    if (rc != 0)
        return rc;
    if (q.answered)
        return cli_fail(ctx, BNC_EEXIST,
                        "you have already answered the questionnaire for "
                        "pair %s (once only)",
                        pos[0]);
    if (n >= 0 && (size_t)n != q.nquestions)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--answers: this questionnaire has %zu question%s, "
                        "you gave %d rating%s",
                        q.nquestions, q.nquestions == 1 ? "" : "s", n,
                        n == 1 ? "" : "s");
    if (n < 0) {
        printf("End-of-pairing questionnaire for pair %s. The coordinator "
               "sees only counts over at least %d answers, never yours "
               "alone.\n",
               pos[0], BNC_QUESTIONNAIRE_BATCH);
        for (size_t i = 0; i < q.nquestions && rc == 0; i++)
            rc = ask_rating(ctx, i, q.questions[i], &ratings[i]);
        n = (int)q.nquestions;
    }
    if (rc == 0 && obj == 0)
        rc = ask_objectives(ctx, &obj);
    if (rc == 0)
        rc = bnc_questionnaire_answer(ctx->client, pair, ratings, (size_t)n,
                                      obj);
    if (rc == 0)
        printf("thank you: your answer for pair %s is recorded (the "
               "coordinator sees it only within counts of %d or more)\n",
               pos[0], BNC_QUESTIONNAIRE_BATCH);
    return rc;
}
