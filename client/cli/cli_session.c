/*
 * cli_session.c: recording sessions (date, held/planned/cancelled, who was
 * absent): the plaintext facts the programme's statistics count.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define ABSENT_MAX 4

/* parse_absent ORs every --absent value into *absent; with none_ok,
 * "none" (alone) says both members attended (a correction). */
static int parse_absent(cli_ctx *ctx, const char **vals, int n, uint8_t *absent,
                        int none_ok)
{
    for (int i = 0; i < n; i++) {
        if (none_ok && strcmp(vals[i], "none") == 0 && n == 1) {
            *absent = 0;
            continue;
        }
        if (bnc_absent_parse(vals[i], absent) != 0)
            return cli_fail(ctx, CLI_EUSAGE,
                            none_ok ? "--absent is mentor, mentee, both, or "
                                      "none alone (both attended)"
                                    : "--absent is mentor, mentee or both (it "
                                      "may be given twice)");
    }
    return 0;
}

/* parse_mode reads --mode (unknown only when unknown_ok). */
static int parse_mode(cli_ctx *ctx, const char *s, uint8_t *mode,
                      int unknown_ok)
{
    if (bnc_session_mode_parse(s, mode) != 0 ||
        (*mode == BNC_MODE_UNKNOWN && !unknown_ok))
        return cli_fail(ctx, CLI_EUSAGE,
                        unknown_ok ? "--mode is in-person, video, phone or "
                                     "unknown"
                                   : "--mode is in-person, video or phone");
    return 0;
}

/* parse_status reads --status. */
static int parse_status(cli_ctx *ctx, const char *s, uint8_t *status)
{
    if (bnc_session_status_parse(s, status) != 0)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--status is held, planned or cancelled");
    return 0;
}

int cli_session_add(cli_ctx *ctx, int argc, char **argv)
{
    const char *date = NULL, *status = NULL, *mode = NULL, *absents[ABSENT_MAX];
    int follow = 0;
    const cli_opt opts[] = {{"date", &date, NULL},
                            {"status", &status, NULL},
                            {"mode", &mode, NULL},
                            {"follow-up", NULL, &follow},
                            {NULL, NULL, NULL}};
    char *pos[1];
    uint32_t day;
    uint8_t st, absent = 0, md = BNC_MODE_UNKNOWN;
    int nabs = 0, rc;
    bnc_pair *p = NULL;
    bnc_session s;

    argc = cli_take_repeated(ctx, argc, argv, "absent", absents, ABSENT_MAX,
                             &nabs);
    if (argc < 0)
        return argc;
    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);
    if (rc != 0)
        return rc;
    if (date == NULL)
        return cli_fail(ctx, CLI_EUSAGE, "--date YYYY-MM-DD is required");
    if (cli_day(ctx, "--date", date, &day) != 0 ||
        parse_absent(ctx, absents, nabs, &absent, 0) != 0 ||
        (mode != NULL && parse_mode(ctx, mode, &md, 0) != 0))
        return CLI_EUSAGE;
    /* By default a past session was held, a future one is planned. */
    st = day > bnc_date_today() ? BNC_SESSION_PLANNED : BNC_SESSION_HELD;
    if (status != NULL && parse_status(ctx, status, &st) != 0)
        return CLI_EUSAGE;
    if (st == BNC_SESSION_HELD && day > bnc_date_today())
        return cli_fail(ctx, CLI_EUSAGE,
                        "a session on %s has not been held yet; record it "
                        "with --status planned",
                        date);
    if (follow && mode != NULL) /* the pair takes no later write */
        return cli_fail(ctx, CLI_EUSAGE,
                        "--mode cannot go with --follow-up: a follow-up is "
                        "recorded as it is, once");
    rc = cli_open_pair(ctx, pos[0], BNC_PAIR_NOKEYS, &p);
    if (rc == 0)
        rc = follow ? bnc_session_add_follow_up(ctx->client, p, day, st, absent,
                                                &s)
                    : bnc_session_add(ctx->client, p, day, st, absent, &s);
    /* The mode is its own signed entry, right after the session's. */
    if (rc == 0 && md != BNC_MODE_UNKNOWN) {
        rc = bnc_session_set_mode(ctx->client, p, s.id, md, NULL);
        if (rc != 0) {
            cli_write_error(ctx, rc, pos[0]);
            cli_hint(ctx,
                     "session %" PRIu64 " was recorded without its mode; "
                     "set it with 'binome session update %s %" PRIu64
                     " --mode %s'",
                     s.id, pos[0], s.id, mode);
            goto cleanup;
        }
    }
    if (rc == 0)
        printf("%" PRIu64 "\n", s.id);
    else
        cli_write_error(ctx, rc, pos[0]);
cleanup:
    bnc_pair_free(p);
    return rc;
}

int cli_session_update(cli_ctx *ctx, int argc, char **argv)
{
    const char *status = NULL, *mode = NULL, *absents[ABSENT_MAX];
    const cli_opt opts[] = {
        {"status", &status, NULL}, {"mode", &mode, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    uint64_t sid;
    uint8_t st = 0, absent = 0, md = 0;
    int nabs = 0, rc;
    bnc_pair *p = NULL;
    bnc_session *items = NULL, *cur = NULL, s;
    size_t n = 0;

    argc = cli_take_repeated(ctx, argc, argv, "absent", absents, ABSENT_MAX,
                             &nabs);
    if (argc < 0)
        return argc;
    rc = cli_parse(ctx, argc, argv, opts, pos, 2, 2);
    if (rc == 0)
        rc = cli_u64(ctx, "SESSION", pos[1], &sid);
    if (rc != 0)
        return rc;
    if (status == NULL && nabs == 0 && mode == NULL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "give --status, --absent, --mode or several");
    if ((status != NULL && parse_status(ctx, status, &st) != 0) ||
        parse_absent(ctx, absents, nabs, &absent, 1) != 0 ||
        (mode != NULL && parse_mode(ctx, mode, &md, 1) != 0))
        return CLI_EUSAGE;
    rc = cli_open_pair(ctx, pos[0], BNC_PAIR_NOKEYS, &p);
    if (rc == 0)
        rc = bnc_session_list(ctx->client, p, &items, &n);
    if (rc != 0)
        goto cleanup;
    for (size_t i = 0; i < n; i++)
        if (items[i].id == sid)
            cur = &items[i];
    if (cur == NULL) {
        rc = cli_fail(ctx, BNC_ENOTFOUND, "no session %s in pair %s", pos[1],
                      pos[0]);
        cli_hint(ctx, "see the sessions with 'binome session list %s'", pos[0]);
        goto cleanup;
    }
    if (status == NULL)
        st = cur->status;
    if (nabs == 0)
        absent = cur->absent;
    if (st == BNC_SESSION_HELD && cur->date > bnc_date_today()) {
        rc = cli_fail(ctx, CLI_EUSAGE,
                      "session %s is dated in the future: it cannot be held "
                      "yet",
                      pos[1]);
        goto cleanup;
    }
    s = *cur;
    /* Each change is its own signed entry; what does not change sends
     * nothing. */
    if (st != cur->status || absent != cur->absent)
        rc = bnc_session_update(ctx->client, p, sid, st, absent, &s);
    if (rc == 0 && mode != NULL && md != cur->mode)
        rc = bnc_session_set_mode(ctx->client, p, sid, md, &s);
    if (rc == 0) {
        char d[11];
        cli_date(d, s.date);
        printf("session %" PRIu64 " (%s): %s, absent: %s, mode: %s\n", s.id, d,
               bnc_session_status_name(s.status), bnc_absent_name(s.absent),
               bnc_session_mode_name(s.mode));
    } else {
        cli_write_error(ctx, rc, pos[0]);
    }
cleanup:
    free(items);
    bnc_pair_free(p);
    return rc;
}

/* print_sessions writes sessions as a table or a JSON array. */
static void print_sessions(const bnc_session *items, size_t n, int json)
{
    if (json)
        printf("[");
    else
        printf("%-8s %-10s %-9s %-6s %s\n", "SESSION", "DATE", "STATUS",
               "ABSENT", "MODE");
    for (size_t i = 0; i < n; i++) {
        const bnc_session *s = &items[i];
        char d[11];
        cli_date(d, s->date);
        if (json) {
            printf("%s{\"id\":%" PRIu64 ",\"date\":\"%s\",\"status\":\"%s\","
                   "\"absent\":[%s%s%s],\"created_by\":%" PRIu64
                   ",\"mode\":\"%s\",\"follow_up\":%s}",
                   i ? "," : "", s->id, d, bnc_session_status_name(s->status),
                   s->absent & BNC_ABSENT_MENTOR ? "\"mentor\"" : "",
                   s->absent == 3 ? "," : "",
                   s->absent & BNC_ABSENT_MENTEE ? "\"mentee\"" : "",
                   s->created_by, bnc_session_mode_name(s->mode),
                   s->follow_up ? "true" : "false");
        } else {
            /* a follow-up (issue 14) says so after its mode */
            printf("%-8" PRIu64 " %-10s %-9s %-6s %s%s\n", s->id, d,
                   bnc_session_status_name(s->status),
                   bnc_absent_name(s->absent), bnc_session_mode_name(s->mode),
                   s->follow_up ? " (follow-up)" : "");
        }
    }
    if (json)
        printf("]\n");
}

int cli_session_list(cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    bnc_pair *p = NULL;
    bnc_session *items = NULL;
    size_t n = 0;
    int rc;

    rc = cli_json_pair(ctx, argc, argv, BNC_PAIR_NOKEYS, &json, &p);
    if (rc == 0)
        rc = bnc_session_list(ctx->client, p, &items, &n);
    if (rc == 0)
        print_sessions(items, n, json);
    free(items);
    bnc_pair_free(p);
    return rc;
}

/* cli_admin_sessions: the coordinator sees a pair's session dates and
 * attendance (no note; no pair key needed). */
int cli_admin_sessions(cli_ctx *ctx, int argc, char **argv)
{
    const char *pair = NULL;
    int json = 0;
    const cli_opt opts[] = {
        {"pair", &pair, NULL}, {"json", NULL, &json}, {NULL, NULL, NULL}};
    bnc_session *items = NULL;
    size_t n = 0;
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
    if (rc == 0)
        rc = bnc_admin_sessions(ctx->client, id, &items, &n);
    if (rc == 0)
        print_sessions(items, n, json);
    else if (rc == BNC_ENOTFOUND)
        rc = cli_fail(ctx, rc, "no pair %s", cli_safe(pair));
    free(items);
    return rc;
}
