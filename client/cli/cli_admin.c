/*
 * cli_admin.c: the administrator's commands: programmes, invitations,
 * accounts and pairs.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* read_charter reads a charter file (text, at most BNC_CHARTER_MAX bytes). */
static int read_charter(cli_ctx *ctx, const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    *out = NULL;
    if (f == NULL)
        return cli_fail(ctx, -errno, "cannot read %s: %s", path,
                        strerror(errno));
    buf = malloc(BNC_CHARTER_MAX + 2);
    if (buf == NULL) {
        fclose(f);
        return BNC_ENOMEM;
    }
    n = fread(buf, 1, BNC_CHARTER_MAX + 1, f);
    fclose(f);
    if (n > BNC_CHARTER_MAX || n == 0 ||
        bnc_text_check(buf, n, BNC_CHARTER_MAX)) {
        free(buf);
        return cli_fail(ctx, BNC_EINVAL,
                        "%s must be UTF-8 text of 1 to %u bytes", path,
                        BNC_CHARTER_MAX);
    }
    buf[n] = '\0';
    *out = buf;
    return 0;
}

int cli_programme_create(cli_ctx *ctx, int argc, char **argv)
{
    const char *name = NULL, *theme = NULL, *months = NULL, *freq = NULL,
               *format = NULL, *charter_file = NULL, *per = NULL;
    const cli_opt opts[] = {{"name", &name, NULL},
                            {"theme", &theme, NULL},
                            {"months", &months, NULL},
                            {"frequency", &freq, NULL},
                            {"format", &format, NULL},
                            {"charter", &charter_file, NULL},
                            {"mentees-per-mentor", &per, NULL},
                            {NULL, NULL, NULL}};
    bnc_programme_spec spec = {0};
    char *charter = NULL;
    uint64_t m = 0, id = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (name == NULL || theme == NULL || months == NULL || freq == NULL ||
        format == NULL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--name, --theme, --months, --frequency and --format "
                        "are required");
    if (cli_u64(ctx, "--months", months, &m) != 0 || m == 0 ||
        m > BNC_MONTHS_MAX)
        return cli_fail(ctx, CLI_EUSAGE, "--months must be 1 to %u",
                        BNC_MONTHS_MAX);
    if (bnc_frequency_parse(freq, &spec.frequency) != 0)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--frequency is weekly, fortnightly, monthly, "
                        "bimonthly or quarterly");
    if (bnc_format_parse(format, &spec.format) != 0)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--format is in-person, video or mixed");
    if (name[0] == '\0' || bnc_text_check(name, strlen(name), BNC_TITLE_MAX) ||
        bnc_text_check(theme, strlen(theme), BNC_TITLE_MAX))
        return cli_fail(ctx, CLI_EUSAGE,
                        "--name and --theme are 1 to %u bytes of UTF-8 text",
                        BNC_TITLE_MAX);
    if (bn_text_name_check(name, strlen(name)) ||
        bn_text_name_check(theme, strlen(theme)))
        return cli_fail(ctx, CLI_EUSAGE,
                        "--name and --theme must be " BN_TEXT_NAME_RULE);
    if (per != NULL) {
        uint64_t v = 0;
        if (cli_u64(ctx, "--mentees-per-mentor", per, &v) != 0 || v == 0 ||
            v > BNC_MENTEES_PER_MENTOR_MAX)
            return cli_fail(ctx, CLI_EUSAGE,
                            "--mentees-per-mentor must be 1 to %u",
                            BNC_MENTEES_PER_MENTOR_MAX);
        spec.mentees_per_mentor = (uint32_t)v;
    }
    if (charter_file != NULL) {
        rc = read_charter(ctx, charter_file, &charter);
        if (rc != 0)
            return rc;
    }
    spec.name = name;
    spec.theme = theme;
    spec.months = (uint32_t)m;
    spec.charter = charter;
    rc = cli_connect(ctx);
    if (rc == 0)
        rc = bnc_programme_create(ctx->client, &spec, &id);
    if (rc == 0)
        printf("%" PRIu64 "\n", id);
    free(charter);
    return rc;
}

/* json_day prints a day as "YYYY-MM-DD", or null for 0. */
static void json_day(uint32_t day)
{
    char d[11];
    if (day == 0) {
        printf("null");
        return;
    }
    cli_date(d, day);
    printf("\"%s\"", d);
}

/* opt_day reads a --start/--end value: YYYY-MM-DD, or "none" (0). */
static int opt_day(cli_ctx *ctx, const char *what, const char *s, uint32_t *day)
{
    if (strcmp(s, "none") == 0) {
        *day = 0;
        return 0;
    }
    if (bnc_date_parse(s, day) != 0)
        return cli_fail(ctx, CLI_EUSAGE, "%s is YYYY-MM-DD or none", what);
    return 0;
}

/* cli_programme_set changes a programme's mentees per mentor and its
 * calendar (start, end, minimum pair duration). */
int cli_programme_set(cli_ctx *ctx, int argc, char **argv)
{
    const char *prog = NULL, *per = NULL, *start = NULL, *end = NULL,
               *minm = NULL, *side = NULL;
    const cli_opt opts[] = {
        {"programme", &prog, NULL},  {"mentees-per-mentor", &per, NULL},
        {"start", &start, NULL},     {"end", &end, NULL},
        {"min-months", &minm, NULL}, {"side-max", &side, NULL},
        {NULL, NULL, NULL}};
    uint64_t programme = 0, v = 0, mm = 0, sm = 0;
    uint32_t sd = 0, ed = 0;
    unsigned what = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (prog == NULL || (per == NULL && start == NULL && end == NULL &&
                         minm == NULL && side == NULL))
        return cli_fail(ctx, CLI_EUSAGE,
                        "--programme and at least one of "
                        "--mentees-per-mentor, --start, --end, --min-months, "
                        "--side-max are required");
    if (cli_u64(ctx, "--programme", prog, &programme) != 0)
        return CLI_EUSAGE;
    if (per != NULL && (cli_u64(ctx, "--mentees-per-mentor", per, &v) != 0 ||
                        v == 0 || v > BNC_MENTEES_PER_MENTOR_MAX))
        return cli_fail(ctx, CLI_EUSAGE, "--mentees-per-mentor must be 1 to %u",
                        BNC_MENTEES_PER_MENTOR_MAX);
    if (side != NULL && (cli_u64(ctx, "--side-max", side, &sm) != 0 ||
                         sm == 0 || sm > BNC_SIDE_MAX))
        return cli_fail(ctx, CLI_EUSAGE,
                        "--side-max must be 1 (pairs of two people) to %u",
                        BNC_SIDE_MAX);
    if (start != NULL) {
        if (opt_day(ctx, "--start", start, &sd) != 0)
            return CLI_EUSAGE;
        what |= BNC_CAL_START;
    }
    if (end != NULL) {
        if (opt_day(ctx, "--end", end, &ed) != 0)
            return CLI_EUSAGE;
        what |= BNC_CAL_END;
    }
    if (minm != NULL) {
        if (cli_u64(ctx, "--min-months", minm, &mm) != 0 || mm > 120)
            return cli_fail(ctx, CLI_EUSAGE,
                            "--min-months must be 0 (the programme's "
                            "months) to 120");
        what |= BNC_CAL_MIN_MONTHS;
    }
    if (sd != 0 && ed != 0 && ed < sd)
        return cli_fail(ctx, CLI_EUSAGE, "--end cannot be before --start");
    rc = cli_connect(ctx);
    if (rc == 0 && per != NULL)
        rc = bnc_programme_set_mentees(ctx->client, programme, (uint32_t)v);
    if (rc == 0 && what != 0)
        rc = bnc_programme_set_calendar(ctx->client, programme, what, sd, ed,
                                        (uint32_t)mm);
    if (rc == 0 && side != NULL)
        rc = bnc_programme_set_side_max(ctx->client, programme, (uint32_t)sm);
    if (rc == BNC_EDATE && bnc_client_error(ctx->client)[0] &&
        strcmp(bnc_client_error(ctx->client), bnc_strerror(rc)) != 0)
        return cli_fail(ctx, rc, "%s", bnc_client_error(ctx->client));
    cli_programme_error(ctx, rc, prog);
    if (rc == 0 && per != NULL)
        printf("programme %" PRIu64 ": a mentor may follow %" PRIu64
               " mentee%s at once\n",
               programme, v, v == 1 ? "" : "s");
    if (rc == 0 && side != NULL)
        printf("programme %" PRIu64 ": a side of a pair may have %" PRIu64
               " member%s%s\n",
               programme, sm, sm == 1 ? "" : "s",
               sm == 1 ? " (pairs of two people)" : " (team pairings)");
    if (rc == 0 && what != 0) {
        bnc_programme *items = NULL;
        size_t n = 0;
        rc = bnc_programme_list(ctx->client, &items, &n);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            char a[11], b[11];
            if (items[i].id != programme)
                continue;
            cli_date(a, items[i].start_date);
            cli_date(b, items[i].end_date);
            printf("programme %" PRIu64 ": from %s to %s, minimum pair "
                   "duration %u month%s\n",
                   programme, items[i].start_date ? a : "(no start)",
                   items[i].end_date ? b : "(no end)", items[i].months,
                   items[i].months == 1 ? "" : "s");
        }
        free(items);
    }
    return rc;
}

int cli_charter_sign(cli_ctx *ctx, int argc, char **argv)
{
    const char *prog = NULL;
    const cli_opt opts[] = {{"programme", &prog, NULL}, {NULL, NULL, NULL}};
    uint8_t h[BNC_HASH_BYTES];
    uint64_t programme = 0;
    char hex[65];
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (prog == NULL || cli_u64(ctx, "--programme", prog, &programme) != 0)
        return cli_fail(ctx, CLI_EUSAGE, "--programme P is required");
    rc = cli_connect(ctx);
    if (rc == 0)
        rc = bnc_charter_sign_programme(ctx->client, programme, h);
    if (rc == BNC_EAUTH)
        return cli_fail(ctx, rc,
                        "the server's charter hash does not match the "
                        "charter text of programme %s; nothing was signed",
                        cli_safe(prog));
    if (rc != 0)
        return cli_programme_error(ctx, rc, prog);
    bn_hex_encode(hex, h, sizeof h);
    printf("programme %" PRIu64 ": the structure signed the charter "
           "(hash %s), as of today\n",
           programme, hex);
    return 0;
}

int cli_questionnaire_set(cli_ctx *ctx, int argc, char **argv)
{
    const char *prog = NULL, *qs[BNC_QUESTIONS_MAX + 1];
    const cli_opt opts[] = {{"programme", &prog, NULL}, {NULL, NULL, NULL}};
    uint64_t programme = 0;
    int rc, nq = 0;

    argc = cli_take_repeated(ctx, argc, argv, "question", qs,
                             BNC_QUESTIONS_MAX + 1, &nq);
    if (argc < 0)
        return argc;
    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (prog == NULL || cli_u64(ctx, "--programme", prog, &programme) != 0)
        return cli_fail(ctx, CLI_EUSAGE, "--programme P is required");
    if (nq > BNC_QUESTIONS_MAX)
        return cli_fail(ctx, CLI_EUSAGE, "at most %d questions",
                        BNC_QUESTIONS_MAX);
    for (int i = 0; i < nq; i++)
        if (qs[i][0] == '\0' || strlen(qs[i]) > BNC_QUESTION_MAX)
            return cli_fail(ctx, CLI_EUSAGE,
                            "a question is 1 to %d bytes of text",
                            BNC_QUESTION_MAX);
    rc = cli_connect(ctx);
    if (rc == 0)
        rc = bnc_questionnaire_set(ctx->client, programme, qs, (size_t)nq);
    if (rc != 0)
        return cli_programme_error(ctx, rc, prog);
    printf("programme %" PRIu64 ": questionnaire set (%d question%s rated 1 "
           "to 5, and whether the objectives were met)\n",
           programme, nq, nq == 1 ? "" : "s");
    return 0;
}

int cli_programme_list(cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    bnc_programme *items = NULL;
    size_t n = 0;
    int rc;

    rc = cli_json_connect(ctx, argc, argv, &json);
    if (rc == 0)
        rc = bnc_programme_list(ctx->client, &items, &n);
    if (rc != 0)
        return rc;
    if (json) {
        printf("[");
        for (size_t i = 0; i < n; i++) {
            const bnc_programme *p = &items[i];
            char hash[65];
            bn_hex_encode(hash, p->charter_hash, 32);
            printf("%s{\"id\":%" PRIu64 ",\"name\":", i ? "," : "", p->id);
            cli_json_str(p->name);
            printf(",\"theme\":");
            cli_json_str(p->theme);
            printf(",\"months\":%u,\"frequency\":\"%s\",\"format\":\"%s\","
                   "\"charter_hash\":\"%s\",\"created\":%" PRId64
                   ",\"mentees_per_mentor\":%u,\"start_date\":",
                   p->months, bnc_frequency_name(p->frequency),
                   bnc_format_name(p->format), hash, p->created,
                   p->mentees_per_mentor);
            json_day(p->start_date);
            printf(",\"end_date\":");
            json_day(p->end_date);
            printf("}");
        }
        printf("]\n");
    } else {
        printf("%-4s %-28s %-28s %6s %-11s %-9s %-10s %s\n", "ID", "NAME",
               "THEME", "MONTHS", "FREQUENCY", "FORMAT", "START", "END");
        for (size_t i = 0; i < n; i++) {
            const bnc_programme *p = &items[i];
            char a[11], b[11];
            cli_date(a, p->start_date);
            cli_date(b, p->end_date);
            printf("%-4" PRIu64 " %s %s %6u %-11s %-9s %-10s %s\n", p->id,
                   cli_pad(p->name, 28), cli_pad(p->theme, 28), p->months,
                   bnc_frequency_name(p->frequency), bnc_format_name(p->format),
                   a, b);
        }
    }
    free(items);
    return 0;
}

int cli_invite(cli_ctx *ctx, int argc, char **argv)
{
    const char *prog = NULL, *role_s = NULL, *days_s = NULL;
    const cli_opt opts[] = {{"programme", &prog, NULL},
                            {"role", &role_s, NULL},
                            {"days", &days_s, NULL},
                            {NULL, NULL, NULL}};
    char code[BNC_INVITE_CODE_MAX + 1];
    uint64_t programme = 0, days = 0;
    uint8_t role;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (role_s == NULL || bnc_role_parse(role_s, &role) != 0)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--role is admin, mentor, mentee or auditor");
    if (prog == NULL && (role == BNC_ROLE_MENTOR || role == BNC_ROLE_MENTEE))
        return cli_fail(ctx, CLI_EUSAGE,
                        "--programme is required for mentors and mentees");
    if (prog != NULL && cli_u64(ctx, "--programme", prog, &programme) != 0)
        return CLI_EUSAGE;
    if (days_s != NULL && (cli_u64(ctx, "--days", days_s, &days) != 0 ||
                           days == 0 || days > BNC_TTL_DAYS_MAX))
        return cli_fail(ctx, CLI_EUSAGE, "--days must be 1 to %u",
                        BNC_TTL_DAYS_MAX);
    rc = cli_connect(ctx);
    if (rc == 0)
        rc = bnc_invite_create(ctx->client, programme, role, (uint32_t)days,
                               code, NULL);
    if (rc == 0)
        printf("%s\n", code);
    else if (programme != 0)
        cli_programme_error(ctx, rc, prog);
    sodium_memzero(code, sizeof code);
    return rc;
}

int cli_accounts(cli_ctx *ctx, int argc, char **argv)
{
    const char *prog = NULL;
    int json = 0;
    const cli_opt opts[] = {
        {"programme", &prog, NULL}, {"json", NULL, &json}, {NULL, NULL, NULL}};
    bnc_account *items = NULL;
    uint64_t programme = 0;
    size_t n = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (prog == NULL)
        return cli_fail(ctx, CLI_EUSAGE, "--programme is required");
    if (cli_u64(ctx, "--programme", prog, &programme) != 0)
        return CLI_EUSAGE;
    rc = cli_connect(ctx);
    if (rc == 0)
        rc = bnc_account_list(ctx->client, programme, &items, &n);
    if (rc != 0)
        return cli_programme_error(ctx, rc, prog);
    if (json) {
        printf("[");
        for (size_t i = 0; i < n; i++) {
            printf("%s{\"id\":%" PRIu64 ",\"role\":\"%s\",\"name\":",
                   i ? "," : "", items[i].id, bnc_role_name(items[i].role));
            cli_json_str(items[i].name);
            printf(",\"programme\":%" PRIu64 ",\"created\":%" PRId64
                   ",\"erased\":%s}",
                   items[i].programme_id, items[i].created,
                   items[i].erased != 0 ? "true" : "false");
        }
        printf("]\n");
    } else {
        printf("%-4s %-8s %s\n", "ID", "ROLE", "NAME");
        for (size_t i = 0; i < n; i++)
            printf("%-4" PRIu64 " %-8s %s\n", items[i].id,
                   bnc_role_name(items[i].role), cli_safe(items[i].name));
    }
    free(items);
    return 0;
}

/* resolve names an account by id or exact name among programme prog's. */
static int resolve(cli_ctx *ctx, const bnc_account *items, size_t n,
                   const char *prog, const char *what, const char *s,
                   uint8_t role, uint64_t *id)
{
    int rc = bnc_account_resolve(items, n, s, id);
    if (rc == BNC_ENOTFOUND) {
        cli_fail(ctx, rc, "no account '%s' in programme %s (%s)", cli_safe(s),
                 prog, what);
        cli_hint(ctx,
                 "see the programme's accounts, their ids and names with "
                 "'binome admin accounts --programme %s'",
                 prog);
        return rc;
    }
    if (rc == BNC_EAMBIGUOUS)
        return cli_fail(ctx, rc,
                        "several accounts are named '%s'; give the id (see "
                        "'binome admin accounts --programme %s')",
                        cli_safe(s), prog);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (items[i].id == *id && items[i].role != role)
            return cli_fail(ctx, BNC_EINVAL, "account '%s' is a %s, not a %s",
                            s, bnc_role_name(items[i].role), what);
    return 0;
}

int cli_admin_pair(cli_ctx *ctx, int argc, char **argv)
{
    const char *prog = NULL, *mentor = NULL, *mentee = NULL;
    const cli_opt opts[] = {{"programme", &prog, NULL},
                            {"mentor", &mentor, NULL},
                            {"mentee", &mentee, NULL},
                            {NULL, NULL, NULL}};
    bnc_account *items = NULL;
    uint64_t programme = 0, mentor_id = 0, mentee_id = 0, id = 0;
    size_t n = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (prog == NULL || mentor == NULL || mentee == NULL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--programme, --mentor and --mentee are required");
    if (cli_u64(ctx, "--programme", prog, &programme) != 0)
        return CLI_EUSAGE;
    rc = cli_connect(ctx);
    if (rc == 0) {
        rc = bnc_account_list(ctx->client, programme, &items, &n);
        cli_programme_error(ctx, rc, prog);
    }
    if (rc == 0)
        rc = resolve(ctx, items, n, prog, "mentor", mentor, BNC_ROLE_MENTOR,
                     &mentor_id);
    if (rc == 0)
        rc = resolve(ctx, items, n, prog, "mentee", mentee, BNC_ROLE_MENTEE,
                     &mentee_id);
    if (rc == 0)
        rc = bnc_pair_create(ctx->client, programme, mentor_id, mentee_id, &id);
    if (rc == 0)
        printf("%" PRIu64 "\n", id);
    /* The server names the limit the mentor or the mentee reached. */
    if (rc == BNC_EEXIST && bnc_client_error(ctx->client)[0])
        rc = cli_fail(ctx, rc, "%s", bnc_client_error(ctx->client));
    free(items);
    return rc;
}
