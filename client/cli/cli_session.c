/*
 * cli_session.c: recording sessions (date, held/planned/cancelled, who was
 * absent): the plaintext facts the programme's statistics count.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define ABSENT_MAX 16

#define ABSENT_WORDS                                                           \
    "--absent is mentor, mentee or both, none, or members' account ids or "    \
    "names, comma-separated"

/* check_absent checks what of --absent needs no pair: "none" only alone,
 * no empty item. */
static int check_absent(cli_ctx *ctx, const char **vals, int n)
{
    for (int i = 0; i < n; i++) {
        const char *v = vals[i];
        size_t len = strlen(v);
        if (strcmp(v, "none") == 0 && n > 1)
            return cli_fail(ctx, CLI_EUSAGE,
                            "--absent none is given alone (everybody "
                            "attended)");
        if (len == 0 || v[0] == ',' || v[len - 1] == ',' ||
            strstr(v, ",,") != NULL)
            return cli_fail(ctx, CLI_EUSAGE, ABSENT_WORDS);
    }
    return 0;
}

/*
 * resolve_absent reads every --absent value for pair p into ids (*n):
 * mentor, mentee, both (every current member of the side), none
 * (nobody), or members by account id or display name, comma-separated.
 * A clear message for a name that matches no member or several.
 */
static int resolve_absent(cli_ctx *ctx, const bnc_pair *p, const char **vals,
                          int nvals, uint64_t *ids, size_t *n)
{
    *n = 0;
    for (int i = 0; i < nvals; i++) {
        size_t bad = 0;
        int rc = bnc_absentees_parse(p, vals[i], ids, n, &bad);
        if (rc == 0)
            continue;
        const char *item = vals[i] + bad;
        int len = (int)strcspn(item, ",");
        if (rc == BNC_EAMBIGUOUS)
            return cli_fail(ctx, CLI_EUSAGE,
                            "--absent: several members of the pair are "
                            "named '%.*s': give their account ids",
                            len, cli_safe(item));
        if (rc == BNC_ENOTFOUND)
            return cli_fail(ctx, CLI_EUSAGE,
                            "--absent: '%.*s' is no current member of the "
                            "pair (mentor, mentee or both, none, or members' "
                            "account ids or names, comma-separated)",
                            len, cli_safe(item));
        return cli_fail(ctx, CLI_EUSAGE, ABSENT_WORDS);
    }
    return 0;
}

#define CLI_ABSENT_TEXT 1200
static void absent_text(const bnc_session *s, const bnc_pair *p,
                        const bnc_account *accts, size_t nacc, char *out,
                        size_t size);

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
    uint8_t st, md = BNC_MODE_UNKNOWN;
    uint64_t ids[BNC_ABSENTEES_MAX];
    size_t nids = 0;
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
        check_absent(ctx, absents, nabs) != 0 ||
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
    if (rc == 0) {
        rc = resolve_absent(ctx, p, absents, nabs, ids, &nids);
        if (rc != 0)
            goto cleanup; /* said */
        rc = follow ? bnc_session_add_follow_up(ctx->client, p, day, st, ids,
                                                nids, &s)
                    : bnc_session_add_absentees(ctx->client, p, day, st, ids,
                                                nids, &s);
    }
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
    uint64_t sid, ids[BNC_ABSENTEES_MAX];
    uint8_t st = 0, md = 0;
    int nabs = 0, rc;
    bnc_pair *p = NULL;
    bnc_session *items = NULL, *cur = NULL, s;
    size_t n = 0, nids = 0;

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
        check_absent(ctx, absents, nabs) != 0 ||
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
    if (nabs > 0)
        rc = resolve_absent(ctx, p, absents, nabs, ids, &nids);
    if (rc != 0)
        goto cleanup;
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
    int same =
        nabs == 0 ||
        (nids == cur->nabsentees &&
         (nids == 0 ? cur->absent == 0
                    : memcmp(ids, cur->absentees, nids * sizeof *ids) == 0));
    if (nabs == 0 && (st != cur->status) && cur->nabsentees == 0)
        /* a session recorded by side only: its sides' current members */
        rc = bnc_session_update(ctx->client, p, sid, st, cur->absent, &s);
    else if (st != cur->status || !same)
        rc = bnc_session_update_absentees(
            ctx->client, p, sid, st, nabs > 0 ? ids : cur->absentees,
            nabs > 0 ? nids : cur->nabsentees, &s);
    if (rc == 0 && mode != NULL && md != cur->mode)
        rc = bnc_session_set_mode(ctx->client, p, sid, md, &s);
    if (rc == 0) {
        char d[11], who[CLI_ABSENT_TEXT];
        cli_date(d, s.date);
        absent_text(&s, p, NULL, 0, who, sizeof who);
        printf("session %" PRIu64 " (%s): %s, absent: %s, mode: %s, "
               "absentees: %s\n",
               s.id, d, bnc_session_status_name(s.status),
               bnc_absent_name(s.absent), bnc_session_mode_name(s.mode), who);
    } else {
        cli_write_error(ctx, rc, pos[0]);
    }
cleanup:
    free(items);
    bnc_pair_free(p);
    return rc;
}

/* absentee_name: an absentee's display name, from the pair's members or
 * the accounts, else "". */
static const char *absentee_name(uint64_t id, const bnc_pair *p,
                                 const bnc_account *accts, size_t nacc)
{
    const bnc_member *m = p != NULL ? bnc_pair_member(p, id) : NULL;
    if (m != NULL)
        return m->name;
    for (size_t i = 0; i < nacc; i++)
        if (accts[i].id == id)
            return accts[i].name;
    return "";
}

/* absent_text writes who was named absent from s for a table: names
 * (or ids when no name is known), comma-separated; nobody named: "-"
 * (a session recorded by side only names nobody: its ABSENT column says
 * which side). */
static void absent_text(const bnc_session *s, const bnc_pair *p,
                        const bnc_account *accts, size_t nacc, char *out,
                        size_t size)
{
    size_t at = 0;
    snprintf(out, size, "-");
    for (size_t i = 0; i < s->nabsentees && at < size; i++) {
        const char *name = absentee_name(s->absentees[i], p, accts, nacc);
        int w = name[0] != '\0' ? snprintf(out + at, size - at, "%s%s",
                                           i ? "," : "", cli_safe(name))
                                : snprintf(out + at, size - at, "%s%" PRIu64,
                                           i ? "," : "", s->absentees[i]);
        if (w < 0)
            break;
        at += (size_t)w;
    }
}

/* print_sessions writes sessions as a table or a JSON array; absentees'
 * names come from the pair p or the accounts (either may be missing). */
static void print_sessions(const bnc_session *items, size_t n, int json,
                           const bnc_pair *p, const bnc_account *accts,
                           size_t nacc)
{
    if (json)
        printf("[");
    else
        printf("%-8s %-10s %-9s %-6s %-12s %s\n", "SESSION", "DATE", "STATUS",
               "ABSENT", "ABSENTEES", "MODE");
    for (size_t i = 0; i < n; i++) {
        const bnc_session *s = &items[i];
        char d[11];
        cli_date(d, s->date);
        if (json) {
            printf("%s{\"id\":%" PRIu64 ",\"date\":\"%s\",\"status\":\"%s\","
                   "\"absent\":[%s%s%s],\"created_by\":%" PRIu64
                   ",\"mode\":\"%s\",\"follow_up\":%s,\"absentees\":[",
                   i ? "," : "", s->id, d, bnc_session_status_name(s->status),
                   s->absent & BNC_ABSENT_MENTOR ? "\"mentor\"" : "",
                   s->absent == 3 ? "," : "",
                   s->absent & BNC_ABSENT_MENTEE ? "\"mentee\"" : "",
                   s->created_by, bnc_session_mode_name(s->mode),
                   s->follow_up ? "true" : "false");
            for (size_t j = 0; j < s->nabsentees; j++) {
                printf("%s{\"id\":%" PRIu64 ",\"name\":", j ? "," : "",
                       s->absentees[j]);
                cli_json_str(absentee_name(s->absentees[j], p, accts, nacc));
                printf("}");
            }
            printf("]}");
        } else {
            char who[CLI_ABSENT_TEXT];
            absent_text(s, p, accts, nacc, who, sizeof who);
            /* a follow-up (issue 14) says so after its mode */
            printf("%-8" PRIu64 " %-10s %-9s %-6s %-12s %s%s\n", s->id, d,
                   bnc_session_status_name(s->status),
                   bnc_absent_name(s->absent), who,
                   bnc_session_mode_name(s->mode),
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
        print_sessions(items, n, json, p, NULL, 0);
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
    bnc_pair_info *pairs = NULL;
    bnc_account *accts = NULL;
    size_t n = 0, npairs = 0, nacc = 0;
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
    /* The absentees' names: the accounts of the pair's programme (the
     * server's word, as everything here). */
    if (rc == 0 && bnc_pair_list(ctx->client, &pairs, &npairs) == 0)
        for (size_t i = 0; i < npairs; i++)
            if (pairs[i].id == id)
                (void)bnc_account_list(ctx->client, pairs[i].programme_id,
                                       &accts, &nacc);
    if (rc == 0)
        print_sessions(items, n, json, NULL, accts, nacc);
    else if (rc == BNC_ENOTFOUND)
        rc = cli_fail(ctx, rc, "no pair %s", cli_safe(pair));
    free(items);
    free(pairs);
    free(accts);
    return rc;
}
