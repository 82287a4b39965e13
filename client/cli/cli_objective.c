/*
 * cli_objective.c: objectives. The text is sealed on this machine; only
 * the status (defined, reached, abandoned) and its dates are plaintext.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* resolve finds OBJECTIVE (a hex id or prefix) among the pair's. */
static int resolve(cli_ctx *ctx, const bnc_objective *items, size_t n,
                   const char *arg, const char *pair, uint64_t *id)
{
    uint64_t *ids = calloc(n ? n : 1, sizeof *ids);
    int rc;

    if (ids == NULL)
        return BNC_ENOMEM;
    for (size_t i = 0; i < n; i++)
        ids[i] = items[i].id;
    rc = bnc_id_resolve(ids, n, arg, id);
    free(ids);
    if (rc == BNC_EINVAL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "OBJECTIVE is an objective id: 1 to 16 hex digits");
    if (rc == BNC_ENOTFOUND) {
        cli_hint(ctx, "see the objectives with 'binome objective list %s'",
                 pair);
        return cli_fail(ctx, rc, "no objective %s in pair %s", cli_safe(arg),
                        pair);
    }
    if (rc == BNC_EAMBIGUOUS)
        return cli_fail(ctx, rc,
                        "%s is the start of several objectives' ids; give "
                        "more digits",
                        cli_safe(arg));
    return rc;
}

/* read_text reads the objective from standard input into buf (room for
 * BNC_OBJECTIVE_TEXT_MAX + 1 bytes), without one final newline: a text on
 * the command line is visible to every user of the machine (ps) and kept
 * in the shell's history, standard input is not. */
static int read_text(cli_ctx *ctx, char *buf, size_t *len)
{
    int rc;

    if (cli_is_tty(0))
        fprintf(stderr, "Objective (one line, then Enter): ");
    rc = bn_read_full(0, (uint8_t *)buf, BNC_OBJECTIVE_TEXT_MAX + 1, len);
    if (rc != 0)
        return cli_fail(ctx, rc,
                        "cannot read the objective from standard "
                        "input");
    if (*len > 0 && buf[*len - 1] == '\n')
        (*len)--;
    buf[*len] = '\0';
    return 0;
}

/* future_date refuses a day after today, for --date of an objective. */
static int future_date(cli_ctx *ctx, const char *date, uint32_t day)
{
    if (day <= bnc_date_today())
        return 0;
    return cli_fail(ctx, CLI_EUSAGE,
                    "--date %s is in the future: an objective is dated the "
                    "day it was defined, reached or abandoned, today at the "
                    "latest",
                    cli_safe(date));
}

/* objective_args checks, before anything is asked: --date (a real day,
 * not in the future) into *day, and TEXT (1 to BNC_OBJECTIVE_TEXT_MAX
 * bytes; absent or "-": *typed, read afterwards). */
static int objective_args(cli_ctx *ctx, const char *date, uint32_t *day,
                          const char *text, int *typed)
{
    if (date != NULL && (cli_day(ctx, "--date", date, day) != 0 ||
                         future_date(ctx, date, *day) != 0))
        return CLI_EUSAGE;
    *typed = text == NULL || strcmp(text, "-") == 0;
    if (!*typed && (strlen(text) == 0 || strlen(text) > BNC_OBJECTIVE_TEXT_MAX))
        return cli_fail(ctx, CLI_EUSAGE,
                        "TEXT is 1 to %u bytes: the objective, in a few words",
                        BNC_OBJECTIVE_TEXT_MAX);
    return 0;
}

/*
 * send_objective reads an objective's text (typed: from standard input;
 * else arg, checked by objective_args), checks its length and sends d
 * (its action, pair, date and objective set by the caller) as a draft: a
 * text typed on standard input is kept until the server has it; one on
 * the command line is still in the shell's history.
 */
static int send_objective(cli_ctx *ctx, bnc_pair *p, const char *pair,
                          bnc_draft *d, const char *arg, int typed)
{
    char *text = sodium_malloc(BNC_OBJECTIVE_TEXT_MAX + 2);
    size_t len = 0;
    int rc = 0;

    if (text == NULL)
        return BNC_ENOMEM;
    if (typed) {
        rc = read_text(ctx, text, &len);
    } else {
        len = strlen(arg);
        memcpy(text, arg, len + 1);
    }
    if (rc == 0 && (len == 0 || len > BNC_OBJECTIVE_TEXT_MAX))
        rc = cli_fail(ctx, CLI_EUSAGE,
                      "TEXT is 1 to %u bytes: the objective, in a few words",
                      BNC_OBJECTIVE_TEXT_MAX);
    if (rc == 0)
        rc = bnc_draft_set_text(d, (const uint8_t *)text, len);
    /* A draft keeps no plan: an objective with one is not kept (sent
     * later from a draft, it would lose its target and quantity). */
    if (rc == 0 && typed && ctx->plan == NULL)
        cli_draft_keep(ctx, d);
    if (rc == 0)
        rc = cli_draft_send(ctx, p, pair, d);
    sodium_memzero(text, BNC_OBJECTIVE_TEXT_MAX + 2);
    sodium_free(text);
    return rc;
}

/* The options of an objective's plan (issue 14), as typed. */
typedef struct plan_args {
    const char *target, *quantity, *unit;
} plan_args;

/*
 * plan_parse reads --target (a day, may be in the future, not before
 * day; "none": no target), --quantity (a number; "none": none) and
 * --unit (needs a quantity) into *plan, over what *plan holds already
 * (an edit keeps what is not given). Usage errors name the option.
 */
static int plan_parse(cli_ctx *ctx, const plan_args *a, uint32_t day,
                      bnc_objective_plan *plan)
{
    if (a->target != NULL && strcmp(a->target, "none") == 0)
        plan->target_date = 0;
    else if (a->target != NULL &&
             cli_day(ctx, "--target", a->target, &plan->target_date) != 0)
        return CLI_EUSAGE;
    if (plan->target_date != 0 && plan->target_date < day)
        return cli_fail(ctx, CLI_EUSAGE,
                        "the target date is before the day the objective is "
                        "defined");
    if (a->quantity != NULL && strcmp(a->quantity, "none") == 0) {
        plan->quantity = NULL;
        plan->unit = NULL;
    } else if (a->quantity != NULL) {
        if (bnc_quantity_check(a->quantity) != 0)
            return cli_fail(ctx, CLI_EUSAGE,
                            "--quantity %s: a number, 1 to %u digits with at "
                            "most one '.' (12, 2.5)",
                            cli_safe(a->quantity), BNC_QUANTITY_MAX);
        plan->quantity = a->quantity;
        plan->unit = NULL;
    }
    if (a->unit != NULL) {
        if (plan->quantity == NULL)
            return cli_fail(ctx, CLI_EUSAGE, "--unit needs --quantity");
        if (bnc_unit_check(a->unit) != 0)
            return cli_fail(ctx, CLI_EUSAGE,
                            "--unit is 1 to %u bytes of text, no control "
                            "character",
                            BNC_UNIT_MAX);
        plan->unit = a->unit;
    }
    return 0;
}

/* has_plan: plan sets anything. */
static int has_plan(const bnc_objective_plan *plan)
{
    return plan->target_date != 0 ||
           (plan->quantity != NULL && plan->quantity[0] != '\0');
}

int cli_objective_add(cli_ctx *ctx, int argc, char **argv)
{
    const char *date = NULL;
    plan_args pa = {NULL, NULL, NULL};
    const cli_opt opts[] = {{"date", &date, NULL},
                            {"target", &pa.target, NULL},
                            {"quantity", &pa.quantity, NULL},
                            {"unit", &pa.unit, NULL},
                            {NULL, NULL, NULL}};
    char *pos[2] = {NULL, NULL};
    uint32_t day = bnc_date_today();
    bnc_objective_plan plan = {0, NULL, NULL};
    bnc_draft d = {0};
    bnc_pair *p = NULL;
    int rc, typed;

    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 2);
    if (rc != 0)
        return rc;
    rc = objective_args(ctx, date, &day, pos[1], &typed);
    if (rc == 0)
        rc = plan_parse(ctx, &pa, day, &plan);
    if (rc != 0)
        return rc;
    ctx->plan = has_plan(&plan) ? &plan : NULL;
    /* The passphrase, the server and the pair before the text is typed. */
    rc = cli_open_own_pair(ctx, pos[0], 0, &p);
    if (rc == 0)
        rc = cli_check_writable(ctx, p, pos[0]);
    if (rc != 0)
        goto cleanup;
    d.action = BNC_DRAFT_OBJECTIVE_ADD;
    d.pair_id = bnc_pair_get_info(p)->id;
    d.date = day;
    rc = send_objective(ctx, p, pos[0], &d, pos[1], typed);
cleanup:
    ctx->plan = NULL;
    bnc_draft_clear(&d);
    bnc_pair_free(p);
    return rc;
}

/* open_objective opens PAIR (pos0) and finds OBJECTIVE (pos1) among its
 * objectives: *p, *items and *n for the caller to free. */
static int open_objective(cli_ctx *ctx, char **pos, bnc_pair **p,
                          bnc_objective **items, size_t *n, uint64_t *id,
                          const bnc_objective **o)
{
    int rc;

    if (bnc_id_resolve(NULL, 0, pos[1], id) == BNC_EINVAL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "OBJECTIVE is an objective id: 1 to 16 hex digits");
    rc = cli_open_pair(ctx, pos[0], 0, p);
    if (rc == 0)
        rc = cli_check_writable(ctx, *p, pos[0]);
    if (rc == 0)
        rc = bnc_objective_list(ctx->client, *p, items, n);
    if (rc == 0)
        rc = resolve(ctx, *items, *n, pos[1], pos[0], id);
    for (size_t i = 0; rc == 0 && i < *n; i++)
        if ((*items)[i].id == *id)
            *o = &(*items)[i];
    return rc;
}

/*
 * close_objective: 'objective reach' and 'objective abandon' (to:
 * BNC_OBJECTIVE_REACHED or BNC_OBJECTIVE_ABANDONED), on --date or today;
 * an objective closed the other way is reopened first.
 */
static int close_objective(cli_ctx *ctx, int argc, char **argv, uint8_t to)
{
    const char *date = NULL;
    const cli_opt opts[] = {{"date", &date, NULL}, {NULL, NULL, NULL}};
    const char *verb = to == BNC_OBJECTIVE_REACHED ? "reached" : "abandoned";
    char *pos[2], d[11];
    const bnc_objective *o = NULL;
    bnc_objective *items = NULL;
    bnc_pair *p = NULL;
    uint32_t day = bnc_date_today();
    uint64_t id = 0;
    size_t n = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 2, 2);
    if (rc != 0)
        return rc;
    if (date != NULL && (cli_day(ctx, "--date", date, &day) != 0 ||
                         future_date(ctx, date, day) != 0))
        return CLI_EUSAGE;
    rc = open_objective(ctx, pos, &p, &items, &n, &id, &o);
    if (rc == 0 && o->status != BNC_OBJECTIVE_DEFINED && o->status != to) {
        rc = cli_fail(
            ctx, CLI_EUSAGE,
            "objective %016" PRIx64 " was %s: reopen it first "
            "('binome objective reopen %s %s')",
            id, o->status == BNC_OBJECTIVE_REACHED ? "reached" : "abandoned",
            pos[0], pos[1]);
    } else if (rc == 0 && day < o->defined_date) {
        cli_date(d, o->defined_date);
        rc = cli_fail(ctx, CLI_EUSAGE,
                      "objective %016" PRIx64 " was defined on %s: it "
                      "cannot be %s before",
                      id, d, verb);
    } else if (rc == 0) {
        rc = to == BNC_OBJECTIVE_REACHED
                 ? bnc_objective_reach(ctx->client, p, id, day)
                 : bnc_objective_abandon(ctx->client, p, id, day);
        cli_date(d, day);
        if (rc == 0)
            printf("objective %016" PRIx64 " %s on %s\n", id, verb, d);
        else
            cli_write_error(ctx, rc, pos[0]);
    }
    bnc_objective_list_free(items, n);
    bnc_pair_free(p);
    return rc;
}

int cli_objective_reach(cli_ctx *ctx, int argc, char **argv)
{
    return close_objective(ctx, argc, argv, BNC_OBJECTIVE_REACHED);
}

int cli_objective_list(cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    bnc_pair *p = NULL;
    bnc_objective *items = NULL;
    size_t n = 0;
    int rc;

    rc = cli_json_pair(ctx, argc, argv, 0, &json, &p);
    if (rc == 0)
        rc = bnc_objective_list(ctx->client, p, &items, &n);
    if (rc != 0)
        goto cleanup;
    if (json)
        printf("[");
    else
        printf("%-16s  %-9s %-10s %-10s %-10s %-16s %s\n", "OBJECTIVE",
               "STATUS", "DEFINED", "CLOSED", "TARGET", "AUTHOR", "TEXT");
    for (size_t i = 0; i < n; i++) {
        const bnc_objective *o = &items[i];
        const char *status = bnc_objective_status_name(o->status);
        char dd[11], rd[11], td[11];
        cli_date(dd, o->defined_date);
        cli_date(rd, o->reached_date);
        cli_date(td, o->target_date);
        if (json) {
            printf("%s{\"id\":\"%016" PRIx64 "\",\"status\":\"%s\","
                   "\"defined\":\"%s\",\"%s\":",
                   i ? "," : "", o->id, status, dd,
                   o->status == BNC_OBJECTIVE_ABANDONED ? "abandoned"
                                                        : "reached");
            if (o->reached_date)
                printf("\"%s\"", rd);
            else
                printf("null");
            printf(",\"author_id\":%" PRIu64 ",\"author\":", o->author_id);
            cli_json_str(o->author_name);
            printf(",\"text\":");
            if (o->text != NULL)
                cli_json_str(o->text);
            else
                printf("null");
            printf(",\"verified\":%s,\"target\":",
                   o->text != NULL ? "true" : "false");
            if (o->target_date)
                printf("\"%s\"", td);
            else
                printf("null");
            printf(",\"quantity\":");
            if (o->quantity[0] != '\0')
                cli_json_str(o->quantity);
            else
                printf("null");
            printf(",\"unit\":");
            if (o->unit[0] != '\0')
                cli_json_str(o->unit);
            else
                printf("null");
            printf("}");
        } else {
            printf("%016" PRIx64 "  %-9s %-10s %-10s %-10s %s ", o->id, status,
                   dd, rd, td, cli_pad(o->author_name, 16));
            if (o->text != NULL)
                cli_print_text(stdout, o->text);
            else
                printf("(does not verify: %s)", bnc_strerror(o->open_rc));
            if (o->quantity[0] != '\0') /* checked: digits and a '.' */
                printf(" [%s%s%s]", o->quantity, o->unit[0] ? " " : "",
                       o->unit[0] ? cli_safe(o->unit) : "");
            putchar('\n');
        }
    }
    if (json)
        printf("]\n");
cleanup:
    bnc_objective_list_free(items, n);
    bnc_pair_free(p);
    return rc;
}

int cli_objective_edit(cli_ctx *ctx, int argc, char **argv)
{
    const char *date = NULL;
    plan_args pa = {NULL, NULL, NULL};
    const cli_opt opts[] = {{"date", &date, NULL},
                            {"target", &pa.target, NULL},
                            {"quantity", &pa.quantity, NULL},
                            {"unit", &pa.unit, NULL},
                            {NULL, NULL, NULL}};
    bnc_objective_plan plan = {0, NULL, NULL};
    char *pos[3] = {NULL, NULL, NULL};
    const bnc_objective *o = NULL;
    bnc_objective *items = NULL;
    bnc_draft d = {0};
    bnc_pair *p = NULL;
    uint32_t day = 0;
    uint64_t id = 0;
    size_t n = 0;
    int rc, typed;

    rc = cli_parse(ctx, argc, argv, opts, pos, 2, 3);
    if (rc != 0)
        return rc;
    rc = objective_args(ctx, date, &day, pos[2], &typed);
    if (rc != 0)
        return rc;
    /* The passphrase, the server, the pair and the objective first. */
    rc = open_objective(ctx, pos, &p, &items, &n, &id, &o);
    if (rc != 0)
        goto cleanup;
    if (o->author_id != bnc_client_account(ctx->client)->id) {
        rc = cli_fail(ctx, BNC_EDENIED,
                      "objective %016" PRIx64 " was written by %s: only its "
                      "author can edit it",
                      id, o->author_name);
        cli_hint(ctx,
                 "abandon it with 'binome objective abandon %s %s', or add "
                 "another",
                 pos[0], pos[1]);
        goto cleanup;
    }
    if (date == NULL)
        day = o->defined_date;
    if (o->reached_date != 0 && day > o->reached_date) {
        rc = cli_fail(ctx, CLI_EUSAGE,
                      "objective %016" PRIx64 " was closed before that day: "
                      "reopen it first",
                      id);
        goto cleanup;
    }
    /* The plan as it is, changed by what is given. */
    plan.target_date = o->target_date;
    plan.quantity = o->quantity[0] ? o->quantity : NULL;
    plan.unit = o->unit[0] ? o->unit : NULL;
    rc = plan_parse(ctx, &pa, day, &plan);
    if (rc != 0)
        goto cleanup;
    ctx->plan = has_plan(&plan) ? &plan : NULL;
    d.action = BNC_DRAFT_OBJECTIVE_EDIT;
    d.pair_id = bnc_pair_get_info(p)->id;
    d.note_id = id;
    d.date = day;
    rc = send_objective(ctx, p, pos[0], &d, pos[2], typed);
cleanup:
    ctx->plan = NULL;
    bnc_draft_clear(&d);
    bnc_objective_list_free(items, n);
    bnc_pair_free(p);
    return rc;
}

int cli_objective_abandon(cli_ctx *ctx, int argc, char **argv)
{
    return close_objective(ctx, argc, argv, BNC_OBJECTIVE_ABANDONED);
}

int cli_objective_reopen(cli_ctx *ctx, int argc, char **argv)
{
    const cli_opt opts[] = {{NULL, NULL, NULL}};
    char *pos[2];
    const bnc_objective *o = NULL;
    bnc_objective *items = NULL;
    bnc_pair *p = NULL;
    uint64_t id = 0;
    size_t n = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 2, 2);
    if (rc != 0)
        return rc;
    rc = open_objective(ctx, pos, &p, &items, &n, &id, &o);
    if (rc == 0)
        rc = bnc_objective_reopen(ctx->client, p, id);
    if (rc == 0)
        printf("objective %016" PRIx64 " open again\n", id);
    else if (o != NULL)
        cli_write_error(ctx, rc, pos[0]);
    bnc_objective_list_free(items, n);
    bnc_pair_free(p);
    return rc;
}
