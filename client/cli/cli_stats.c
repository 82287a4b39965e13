/*
 * cli_stats.c: `binome admin stats`: a programme's statistics for its
 * administrators, as a table, JSON, CSV or a self-contained HTML report.
 * The figures are derived here from the server's raw counters
 * (binome.h); no note content exists on either side to show.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Declared here until cli.h lists it (main.c's table needs it there). */
int cli_admin_stats(cli_ctx *ctx, int argc, char **argv);

/*
 * stats_write_html renders the report in memory (a few hundred KiB even
 * for thousands of pairs) and writes it with bn_file_write_atomic, so a
 * failed run never leaves half a report where the last good one was.
 */
static int stats_write_html(cli_ctx *ctx, const char *path, const bnc_stats *s,
                            const bnc_stats_derived *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc;

    if (f == NULL)
        return cli_fail(ctx, BNC_ENOMEM, "cannot render the report");
    rc = bnc_stats_write_html(f, s, d);
    if (fclose(f) != 0 && rc == 0)
        rc = BNC_ENOMEM;
    if (rc == 0)
        rc = bn_file_write_atomic(path, (const uint8_t *)buf, len, 0644);
    free(buf);
    if (rc != 0)
        rc = cli_fail(ctx, rc, "cannot write %s: %s", path, bnc_strerror(rc));
    return rc;
}

int cli_admin_stats(cli_ctx *ctx, int argc, char **argv)
{
    const char *prog = NULL, *html = NULL;
    int json = 0, csv = 0;
    const cli_opt opts[] = {{"programme", &prog, NULL},
                            {"json", NULL, &json},
                            {"csv", NULL, &csv},
                            {"html", &html, NULL},
                            {NULL, NULL, NULL}};
    bnc_stats *s = NULL;
    bnc_stats_derived d = {0};
    uint64_t id = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (prog == NULL)
        return cli_fail(ctx, CLI_EUSAGE, "--programme is required");
    if (cli_u64(ctx, "--programme", prog, &id) != 0)
        return CLI_EUSAGE;
    if (json + csv + (html != NULL) > 1)
        return cli_fail(ctx, CLI_EUSAGE,
                        "choose one of --json, --csv and --html");
    if (html != NULL && html[0] == '\0')
        return cli_fail(ctx, CLI_EUSAGE, "--html needs a file name");
    rc = cli_connect(ctx);
    if (rc == 0)
        rc = bnc_stats_fetch(ctx->client, id, &s);
    if (rc == BNC_EDENIED)
        cli_hint(ctx, "only administrators see a programme's statistics");
    else if (rc == BNC_ENOTFOUND)
        cli_programme_error(ctx, rc, prog);
    if (rc != 0)
        goto cleanup;
    rc = bnc_stats_derive(s, s->today ? s->today : bnc_date_today(), &d);
    if (rc != 0)
        goto cleanup;
    if (html != NULL) {
        rc = stats_write_html(ctx, html, s, &d);
        if (rc == 0)
            printf("%s: %zu pairs, %zu at risk\n", html, s->npairs, d.nat_risk);
    } else if (json) {
        rc = bnc_stats_write_json(stdout, s, &d);
    } else if (csv) {
        rc = bnc_stats_write_csv(stdout, s, &d);
    } else {
        rc = bnc_stats_write_table(stdout, s, &d);
    }
cleanup:
    bnc_stats_derived_free(&d);
    bnc_stats_free(s);
    return rc;
}
