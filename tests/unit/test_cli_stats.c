/*
 * test_cli_stats.c: programme statistics on hand-made counters with known
 * answers (completion, medians, risk per frequency, minimum duration, the
 * empty programme) and the renderers' escaping (CSV, HTML, JSON).
 *
 * With BN_REPORT_OUT=FILE in the environment it also writes a sample HTML
 * report (30 pairs over 12 months) to FILE, for
 * tests/integration/report_html.sh to open in a browser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bnc_internal.h"

static uint32_t ymd(int y, int m, int d)
{
    int64_t v = bn_date_from_ymd(y, m, d);
    assert_true(v > 0);
    return (uint32_t)v;
}

/* A programme with n pair slots, counters zero. */
static void init_stats(bnc_stats *s, uint8_t freq, uint32_t months,
                       bnc_stats_pair *pairs, size_t n)
{
    memset(s, 0, sizeof *s);
    s->programme.id = 3;
    strcpy(s->programme.name, "Ingénieures & Co");
    strcpy(s->programme.theme, "First years");
    s->programme.months = months;
    s->programme.frequency = freq;
    s->programme.format = BN_FORMAT_MIXED;
    memset(pairs, 0, n * sizeof *pairs);
    s->pairs = pairs;
    s->npairs = n;
}

static void set_pair(bnc_stats_pair *p, uint64_t id, uint8_t status,
                     uint32_t created, uint32_t start, uint32_t end)
{
    p->pair_id = id;
    snprintf(p->mentor_name, sizeof p->mentor_name, "Mentor %u", (unsigned)id);
    snprintf(p->mentee_name, sizeof p->mentee_name, "Mentee %u", (unsigned)id);
    p->status = status;
    p->created_date = created;
    p->start_date = start;
    p->end_date = end;
}

/* render runs a renderer into a NUL-terminated malloc'd string. */
static char *render(int (*fn)(FILE *, const bnc_stats *,
                              const bnc_stats_derived *),
                    const bnc_stats *s, const bnc_stats_derived *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(fn(f, s, d), 0);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void test_completion_rate(void **state)
{
    bnc_stats s;
    bnc_stats_pair p[7];
    bnc_stats_derived d;
    uint32_t t = ymd(2025, 6, 1), c = ymd(2024, 9, 1);
    (void)state;

    init_stats(&s, BN_FREQ_MONTHLY, 6, p, 7);
    set_pair(&p[0], 1, BN_PAIR_COMPLETED, c, c, t - 10);
    set_pair(&p[1], 2, BN_PAIR_COMPLETED, c, c, t - 10);
    set_pair(&p[2], 3, BN_PAIR_COMPLETED, c, c, t - 10);
    set_pair(&p[3], 4, BN_PAIR_WITHDRAWN, c, c, t - 100);
    /* Erased pairs keep their end reason; one erased before it ended. */
    set_pair(&p[4], 5, BN_PAIR_ERASED, c, c, t - 5);
    p[4].end_reason = BN_END_COMPLETED;
    set_pair(&p[5], 6, BN_PAIR_ERASED, c, c, t - 5);
    set_pair(&p[6], 7, BN_PAIR_ACTIVE, c, c, 0);
    p[6].last_held = t - 3;
    s.pairs_completed = 3;
    s.pairs_withdrawn = 1;
    s.pairs_erased = 2;
    s.pairs_active = 1;
    assert_int_equal(bnc_stats_derive(&s, t, &d), 0);
    assert_int_equal(d.pairs_total, 7);
    assert_int_equal(d.pairs_completed, 4);
    assert_int_equal(d.pairs_ended, 5);
    assert_true(bnc_ratio_defined(d.completion));
    assert_true(bnc_ratio_value(d.completion) == 0.8);
    assert_int_equal(d.nat_risk, 0);
    bnc_stats_derived_free(&d);

    /* No ended pair: the rate is absent, not 0 %. */
    s.npairs = 1;
    p[0] = p[6];
    assert_int_equal(bnc_stats_derive(&s, t, &d), 0);
    assert_false(bnc_ratio_defined(d.completion));
    bnc_stats_derived_free(&d);
}

static void test_median(void **state)
{
    bnc_stats s;
    bnc_stats_pair p[5];
    bnc_stats_derived d;
    uint32_t c = ymd(2025, 1, 10), t = ymd(2025, 6, 1);
    (void)state;

    init_stats(&s, BN_FREQ_MONTHLY, 6, p, 5);
    /* Counted from the start (c + 1), not the pairing (issue 13). */
    for (int i = 0; i < 5; i++)
        set_pair(&p[i], (uint64_t)i + 1, BN_PAIR_ACTIVE, c, c + 1, 0);
    p[0].first_held = c + 4;
    p[1].first_held = c + 11;
    p[2].first_held = c + 8;
    /* p[3] never held a session: not in the sample. */
    p[4].first_held = 0;
    s.npairs = 4;
    assert_int_equal(bnc_stats_derive(&s, t, &d), 0);
    assert_int_equal(d.median_sample, 3);
    assert_true(d.median_days_to_first.defined);
    assert_true(d.median_days_to_first.value == 7.0);
    bnc_stats_derived_free(&d);

    /* Even count: the mean of the two middle values, 7 and 10. */
    p[3].first_held = c + 21;
    assert_int_equal(bnc_stats_derive(&s, t, &d), 0);
    assert_int_equal(d.median_sample, 4);
    assert_true(d.median_days_to_first.value == 8.5);
    bnc_stats_derived_free(&d);

    /* A first session dated before the start counts as 0 days. */
    p[4].first_held = c - 4;
    s.npairs = 5;
    assert_int_equal(bnc_stats_derive(&s, t, &d), 0);
    assert_true(d.median_days_to_first.value == 7.0);
    bnc_stats_derived_free(&d);

    /* Nobody held a session: no median. */
    for (int i = 0; i < 5; i++)
        p[i].first_held = 0;
    assert_int_equal(bnc_stats_derive(&s, t, &d), 0);
    assert_false(d.median_days_to_first.defined);
    assert_int_equal(d.median_sample, 0);
    bnc_stats_derived_free(&d);
}

static void test_at_risk_per_frequency(void **state)
{
    /* The last day still safe: floor(1.5 x interval). */
    static const struct {
        uint8_t freq;
        uint32_t interval, safe;
    } cases[] = {
        {BN_FREQ_WEEKLY, 7, 10},      {BN_FREQ_FORTNIGHTLY, 14, 21},
        {BN_FREQ_MONTHLY, 30, 45},    {BN_FREQ_BIMONTHLY, 61, 91},
        {BN_FREQ_QUARTERLY, 91, 136},
    };
    uint32_t t = ymd(2025, 6, 1);
    (void)state;

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        bnc_stats s;
        bnc_stats_pair p[6];
        bnc_stats_derived d;
        uint32_t safe = cases[k].safe;

        init_stats(&s, cases[k].freq, 6, p, 6);
        set_pair(&p[0], 10, BN_PAIR_ACTIVE, t - 400, t - 390, 0);
        p[0].last_held = t - safe;
        set_pair(&p[1], 11, BN_PAIR_ACTIVE, t - 400, t - 390, 0);
        p[1].last_held = t - safe - 1;
        /* No held session: counted from the start... */
        set_pair(&p[2], 12, BN_PAIR_ACTIVE, t - 400, t - safe - 5, 0);
        /* ...or from the pairing when there is no start date. */
        set_pair(&p[3], 13, BN_PAIR_ACTIVE, t - safe, 0, 0);
        /* Not active: never at risk, however long the silence. */
        set_pair(&p[4], 14, BN_PAIR_COMPLETED, t - 900, t - 890, t - 500);
        p[4].last_held = t - 510;
        set_pair(&p[5], 15, BN_PAIR_PENDING, t - 900, 0, 0);
        assert_int_equal(bnc_stats_derive(&s, t, &d), 0);
        assert_int_equal(d.interval_days, cases[k].interval);
        assert_true(d.risk_after_days == 1.5 * cases[k].interval);
        assert_int_equal(d.pairs[0].days_without, safe);
        assert_false(d.pairs[0].at_risk);
        assert_int_equal(d.pairs[1].days_without, safe + 1);
        assert_true(d.pairs[1].at_risk);
        assert_int_equal(d.pairs[2].since, t - safe - 5);
        assert_int_equal(d.pairs[2].days_without, safe + 5);
        assert_true(d.pairs[2].at_risk);
        assert_int_equal(d.pairs[3].days_without, safe);
        assert_false(d.pairs[3].at_risk);
        assert_false(d.pairs[4].at_risk);
        assert_false(d.pairs[5].at_risk);
        /* Worst first. */
        assert_int_equal(d.nat_risk, 2);
        assert_int_equal(d.at_risk[0], 2);
        assert_int_equal(d.at_risk[1], 1);
        bnc_stats_derived_free(&d);
    }
}

static void test_minimum_duration(void **state)
{
    bnc_stats s;
    bnc_stats_pair p[4];
    bnc_stats_derived d;
    (void)state;

    assert_int_equal(bnc_stats_add_months(ymd(2024, 1, 31), 1),
                     ymd(2024, 2, 29));
    assert_int_equal(bnc_stats_add_months(ymd(2023, 1, 31), 1),
                     ymd(2023, 2, 28));
    assert_int_equal(bnc_stats_add_months(ymd(2024, 11, 15), 6),
                     ymd(2025, 5, 15));

    init_stats(&s, BN_FREQ_MONTHLY, 6, p, 4);
    set_pair(&p[0], 1, BN_PAIR_ACTIVE, ymd(2024, 1, 20), ymd(2024, 1, 31), 0);
    set_pair(&p[1], 2, BN_PAIR_COMPLETED, ymd(2024, 1, 2), ymd(2024, 1, 15),
             ymd(2024, 7, 14));
    set_pair(&p[2], 3, BN_PAIR_WITHDRAWN, ymd(2024, 1, 2), ymd(2024, 1, 15),
             ymd(2024, 7, 15));
    set_pair(&p[3], 4, BN_PAIR_PENDING, ymd(2024, 1, 2), 0, 0);
    /* The day before the six months are up. */
    assert_int_equal(bnc_stats_derive(&s, ymd(2024, 7, 30), &d), 0);
    assert_false(d.pairs[0].min_duration_reached);
    assert_false(d.pairs[1].min_duration_reached);
    assert_true(d.pairs[2].min_duration_reached);
    assert_false(d.pairs[3].min_duration_reached);
    assert_int_equal(d.pairs_started, 3);
    assert_int_equal(d.min_duration.num, 1);
    assert_int_equal(d.min_duration.den, 3);
    assert_int_equal(d.pairs[0].run_days, ymd(2024, 7, 30) - ymd(2024, 1, 31));
    assert_int_equal(d.pairs[0].expected_sessions, 181 / 30);
    assert_int_equal(d.pairs[3].run_days, 0);
    bnc_stats_derived_free(&d);
    /* The day they are. */
    assert_int_equal(bnc_stats_derive(&s, ymd(2024, 7, 31), &d), 0);
    assert_true(d.pairs[0].min_duration_reached);
    assert_int_equal(d.min_duration.num, 2);
    bnc_stats_derived_free(&d);
}

static void test_months(void **state)
{
    bnc_stats s;
    bnc_stats_pair p[2];
    bnc_stats_month m[2] = {{2025 * 12 + 0, 2, 0, 1}, {2025 * 12 + 2, 3, 1, 0}};
    bnc_stats_derived d;
    (void)state;

    init_stats(&s, BN_FREQ_FORTNIGHTLY, 3, p, 2);
    s.months = m;
    s.nmonths = 2;
    set_pair(&p[0], 1, BN_PAIR_ACTIVE, ymd(2025, 1, 1), ymd(2025, 1, 5), 0);
    set_pair(&p[1], 2, BN_PAIR_WITHDRAWN, ymd(2025, 2, 1), ymd(2025, 2, 3),
             ymd(2025, 2, 20));
    p[0].sessions_held = 5;
    assert_int_equal(bnc_stats_derive(&s, ymd(2025, 4, 10), &d), 0);
    /* January to April (today's month), February filled with zeros. */
    assert_int_equal(d.nmonths, 4);
    assert_int_equal(d.months[0].month, 2025 * 12);
    assert_int_equal(d.months[0].held, 2);
    assert_int_equal(d.months[1].held, 0);
    assert_int_equal(d.months[1].pairs_running, 2);
    assert_int_equal(d.months[2].held, 3);
    assert_int_equal(d.months[2].pairs_running, 1);
    assert_true(d.months[2].held_per_pair.value == 3.0);
    assert_true(d.months[1].expected_per_pair == 28.0 / 14);
    assert_true(d.sessions_per_pair_month.defined);
    /* 5 held over 95 + 17 pair-days. */
    assert_true(d.sessions_per_pair_month.value == 5 * 30.4375 / 112);
    bnc_stats_derived_free(&d);
}

/* A session planned far ahead (2199) does not stretch the month table
 * past BNC_STATS_MONTHS_AHEAD months after today's. */
static void test_months_ahead(void **state)
{
    bnc_stats s;
    bnc_stats_pair p[1];
    bnc_stats_month m[2] = {{2025 * 12 + 0, 2, 0, 0}, {2199 * 12 + 0, 0, 1, 0}};
    bnc_stats_derived d;
    (void)state;

    init_stats(&s, BN_FREQ_MONTHLY, 6, p, 1);
    s.months = m;
    s.nmonths = 2;
    set_pair(&p[0], 1, BN_PAIR_ACTIVE, ymd(2025, 1, 1), ymd(2025, 1, 5), 0);
    assert_int_equal(bnc_stats_derive(&s, ymd(2025, 4, 10), &d), 0);
    /* January 2025 to April 2026 */
    assert_int_equal(d.nmonths, 4 + BNC_STATS_MONTHS_AHEAD);
    assert_int_equal(d.months[d.nmonths - 1].month,
                     2025 * 12 + 3 + BNC_STATS_MONTHS_AHEAD);
    assert_int_equal(d.months[0].held, 2);
    bnc_stats_derived_free(&d);
}

/* The meeting rhythm is defined for every started pair (issue 13: it was
 * "n/a" with four started pairs and twelve held sessions, all started
 * the day the sessions were recorded after the fact). */
static void test_rhythm_every_started_pair(void **state)
{
    bnc_stats s;
    bnc_stats_pair p[4];
    bnc_stats_derived d;
    uint32_t t = ymd(2025, 6, 1);
    char *out;
    (void)state;

    /* Four pairs started today (monthly: interval 30 days), sessions
     * dated from January: 5 + 4 + 2 held, the fourth pair completed
     * today with one held session on that day. */
    init_stats(&s, BN_FREQ_MONTHLY, 6, p, 4);
    set_pair(&p[0], 1, BN_PAIR_ACTIVE, t, t, 0);
    p[0].sessions_held = 5;
    p[0].first_held = ymd(2025, 1, 10);
    p[0].last_held = ymd(2025, 5, 10);
    set_pair(&p[1], 2, BN_PAIR_ACTIVE, t, t, 0);
    p[1].sessions_held = 4;
    p[1].first_held = ymd(2025, 2, 1);
    p[1].last_held = ymd(2025, 5, 1);
    set_pair(&p[2], 3, BN_PAIR_WITHDRAWN, t, t, t);
    p[2].sessions_held = 2;
    p[2].first_held = ymd(2025, 3, 1);
    p[2].last_held = ymd(2025, 4, 1);
    set_pair(&p[3], 4, BN_PAIR_COMPLETED, t, t, t);
    p[3].sessions_held = 1;
    p[3].first_held = p[3].last_held = t;
    assert_int_equal(bnc_stats_derive(&s, t, &d), 0);
    assert_int_equal(d.pairs_started, 4);
    assert_true(d.sessions_per_pair_month.defined);
    /* Each from its first held session to today; the fourth one
     * interval. */
    uint32_t days = (t - ymd(2025, 1, 10)) + (t - ymd(2025, 2, 1)) +
                    (t - ymd(2025, 3, 1)) + 30;
    assert_true(d.sessions_per_pair_month.value == 12 * 30.4375 / days);
    out = render(bnc_stats_write_table, &s, &d);
    assert_null(strstr(out, "rhythm                 n/a"));
    assert_non_null(strstr(out, "held sessions per pair per month"));
    free(out);
    bnc_stats_derived_free(&d);

    /* One pair, one held session, all on one day: one interval. */
    s.npairs = 1;
    p[0] = p[3];
    p[0].status = BN_PAIR_ACTIVE;
    p[0].end_date = 0;
    assert_int_equal(bnc_stats_derive(&s, t, &d), 0);
    assert_true(d.sessions_per_pair_month.defined);
    assert_true(d.sessions_per_pair_month.value == 30.4375 / 30);
    bnc_stats_derived_free(&d);

    /* A session dated after a completed pair's end extends its time. */
    set_pair(&p[0], 1, BN_PAIR_COMPLETED, ymd(2025, 1, 1), ymd(2025, 1, 1),
             ymd(2025, 3, 1));
    p[0].sessions_held = 3;
    p[0].first_held = ymd(2025, 1, 15);
    p[0].last_held = ymd(2025, 4, 1);
    assert_int_equal(bnc_stats_derive(&s, t, &d), 0);
    assert_true(d.sessions_per_pair_month.value ==
                3 * 30.4375 / (ymd(2025, 4, 1) - ymd(2025, 1, 1)));
    bnc_stats_derived_free(&d);

    /* A pair started today with nothing held: 0, not n/a. */
    memset(&p[0], 0, sizeof p[0]);
    set_pair(&p[0], 1, BN_PAIR_ACTIVE, t, t, 0);
    assert_int_equal(bnc_stats_derive(&s, t, &d), 0);
    assert_true(d.sessions_per_pair_month.defined);
    assert_true(d.sessions_per_pair_month.value == 0.0);
    bnc_stats_derived_free(&d);
}

static void test_empty_programme(void **state)
{
    bnc_stats s;
    bnc_stats_pair none[1];
    bnc_stats_derived d;
    char *out;
    (void)state;

    init_stats(&s, BN_FREQ_QUARTERLY, 6, none, 0);
    assert_int_equal(bnc_stats_derive(&s, ymd(2025, 6, 1), &d), 0);
    assert_int_equal(d.pairs_total, 0);
    assert_false(bnc_ratio_defined(d.objectives_reach));
    assert_false(bnc_ratio_defined(d.completion));
    assert_false(bnc_ratio_defined(d.min_duration));
    assert_false(d.median_days_to_first.defined);
    assert_false(d.sessions_per_pair_month.defined);
    assert_int_equal(d.nmonths, 0);
    assert_int_equal(d.nat_risk, 0);
    assert_true(d.expected_per_month == 30.4375 / 91);

    out = render(bnc_stats_write_table, &s, &d);
    assert_non_null(strstr(out, "reach rate n/a"));
    assert_null(strstr(out, "nan"));
    assert_null(strstr(out, "inf"));
    free(out);
    out = render(bnc_stats_write_json, &s, &d);
    assert_non_null(strstr(out, "\"reach_rate\":null"));
    assert_non_null(strstr(out, "\"rate\":null"));
    assert_non_null(strstr(out, "\"median_days_to_first_session\":null"));
    assert_null(strstr(out, "nan"));
    free(out);
    out = render(bnc_stats_write_csv, &s, &d);
    assert_null(strchr(strchr(out, '\n') + 1, '\n')); /* header only */
    free(out);
    out = render(bnc_stats_write_html, &s, &d);
    assert_non_null(strstr(out, "No session recorded yet"));
    assert_null(strstr(out, "nan"));
    free(out);
    bnc_stats_derived_free(&d);
    bnc_stats_derived_free(NULL);
    bnc_stats_free(NULL);

    s.programme.frequency = 0;
    assert_int_equal(bnc_stats_derive(&s, ymd(2025, 6, 1), &d), BN_EINVAL);
}

static void test_csv_quoting(void **state)
{
    bnc_stats s;
    bnc_stats_pair p[2];
    bnc_stats_derived d;
    char *out;
    (void)state;

    init_stats(&s, BN_FREQ_MONTHLY, 6, p, 2);
    set_pair(&p[0], 1, BN_PAIR_ACTIVE, ymd(2025, 1, 1), ymd(2025, 1, 2), 0);
    strcpy(p[0].mentor_name, "Dupont, Jean \"JJ\"");
    set_pair(&p[1], 2, BN_PAIR_ACTIVE, ymd(2025, 1, 1), ymd(2025, 1, 2), 0);
    strcpy(p[1].mentee_name, "=HYPERLINK(\"x\")");
    assert_int_equal(bnc_stats_derive(&s, ymd(2025, 2, 1), &d), 0);
    out = render(bnc_stats_write_csv, &s, &d);
    assert_non_null(strstr(out, "\r\n1,\"Dupont, Jean \"\"JJ\"\"\","
                                "\"Mentee 1\",active,2025-01-01,2025-01-02,,"));
    assert_non_null(strstr(out, ",\"'=HYPERLINK(\"\"x\"\")\","));
    /* Three lines, each ending with CRLF. */
    int lines = 0;
    for (char *c = out; (c = strchr(c, '\n')) != NULL; c++) {
        assert_true(c > out && c[-1] == '\r');
        lines++;
    }
    assert_int_equal(lines, 3);
    free(out);
    bnc_stats_derived_free(&d);
}

static void test_html_escaping(void **state)
{
    bnc_stats s;
    bnc_stats_pair p[1];
    bnc_stats_derived d;
    char *out;
    (void)state;

    init_stats(&s, BN_FREQ_WEEKLY, 6, p, 1);
    set_pair(&p[0], 1, BN_PAIR_ACTIVE, ymd(2025, 1, 1), ymd(2025, 1, 2), 0);
    strcpy(p[0].mentor_name, "<script>alert('x')</script>");
    strcpy(p[0].mentee_name, "Zoé \"Z\" & <b>");
    assert_int_equal(bnc_stats_derive(&s, ymd(2025, 6, 1), &d), 0);
    assert_int_equal(d.nat_risk, 1); /* so the name is in the risk chart */
    out = render(bnc_stats_write_html, &s, &d);
    assert_null(strstr(out, "<script"));
    assert_null(strstr(out, "<b>"));
    assert_non_null(strstr(out, "&lt;script&gt;alert(&#39;x&#39;)"
                                "&lt;/script&gt;"));
    assert_non_null(strstr(out, "Zoé &quot;Z&quot; &amp; &lt;b&gt;"));
    assert_non_null(strstr(out, "Ingénieures &amp; Co"));
    assert_non_null(strstr(out, "id=\"at-risk\""));
    /* Self-contained: no external reference of any kind. */
    assert_null(strstr(out, "http://"));
    assert_null(strstr(out, "https://"));
    assert_null(strstr(out, "src="));
    int svgs = 0;
    for (char *c = out; (c = strstr(c, "<svg")) != NULL; c++)
        svgs++;
    assert_int_equal(svgs, 4);
    free(out);
    bnc_stats_derived_free(&d);
}

/* ---- a small JSON checker --------------------------------------------- */

static const char *json_value(const char *p, int depth);

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

static const char *json_string(const char *p)
{
    if (*p++ != '"')
        return NULL;
    while (*p != '"') {
        unsigned char c = (unsigned char)*p;
        if (c == '\0' || c < 0x20)
            return NULL;
        if (c == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
                        return NULL;
                p += 5;
                continue;
            }
            if (!*p || !strchr("\"\\/bfnrt", *p))
                return NULL;
            p++;
            continue;
        }
        if (c >= 0x80) { /* a well-formed multi-byte sequence */
            int n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : -1;
            if (n < 0 || c > 0xf4)
                return NULL;
            for (int i = 1; i <= n; i++)
                if (((unsigned char)p[i] & 0xc0) != 0x80)
                    return NULL;
            p += n + 1;
            continue;
        }
        p++;
    }
    return p + 1;
}

static const char *json_value(const char *p, int depth)
{
    p = json_ws(p);
    if (depth > 32)
        return NULL;
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = json_ws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            if (close == '}') {
                p = json_string(json_ws(p));
                if (p == NULL || *(p = json_ws(p)) != ':')
                    return NULL;
                p++;
            }
            p = json_value(p, depth + 1);
            if (p == NULL)
                return NULL;
            p = json_ws(p);
            if (*p == close)
                return p + 1;
            if (*p++ != ',')
                return NULL;
        }
    }
    if (*p == '"')
        return json_string(p);
    if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0)
        return p + 4;
    if (strncmp(p, "false", 5) == 0)
        return p + 5;
    char *end;
    strtod(p, &end);
    if (end == p || !(*p == '-' || (*p >= '0' && *p <= '9')))
        return NULL;
    return end;
}

static void test_json_valid(void **state)
{
    bnc_stats s;
    bnc_stats_pair p[3];
    bnc_stats_month m[1] = {{2025 * 12 + 4, 4, 1, 1}};
    bnc_stats_derived d;
    char *out;
    (void)state;

    assert_null(json_value("{\"a\":[1,2}", 0) ? (void *)1 : NULL);
    init_stats(&s, BN_FREQ_MONTHLY, 6, p, 3);
    s.months = m;
    s.nmonths = 1;
    set_pair(&p[0], 1, BN_PAIR_ACTIVE, ymd(2025, 1, 1), ymd(2025, 1, 2), 0);
    strcpy(p[0].mentor_name, "Quote \" back\\slash \x01 tab\t");
    strcpy(p[0].mentee_name, "bad \xff\xfe utf8 \xc3");
    set_pair(&p[1], 2, BN_PAIR_COMPLETED, ymd(2025, 1, 1), ymd(2025, 1, 2),
             ymd(2025, 5, 2));
    p[1].end_reason = BN_END_COMPLETED;
    p[1].first_held = ymd(2025, 1, 9);
    set_pair(&p[2], 3, BN_PAIR_PENDING, ymd(2025, 5, 1), 0, 0);
    s.objectives_defined = 3;
    s.objectives_reached = 1;
    assert_int_equal(bnc_stats_derive(&s, ymd(2025, 6, 1), &d), 0);
    out = render(bnc_stats_write_json, &s, &d);
    const char *end = json_value(out, 0);
    assert_non_null(end);
    assert_string_equal(json_ws(end), "");
    assert_non_null(strstr(out, "\"Quote \\\" back\\\\slash \\u0001 tab\\t\""));
    assert_non_null(strstr(out, "\\ufffd"));
    assert_non_null(strstr(out, "\"reach_rate\":0.3333"));
    /* from the start (2 January) to 9 January */
    assert_non_null(strstr(out, "\"median_days_to_first_session\":7.0000"));
    assert_non_null(strstr(out, "\"at_risk\":[{\"pair_id\":1,"));
    free(out);
    /* The table is readable too: control characters replaced. */
    out = render(bnc_stats_write_table, &s, &d);
    assert_null(strchr(out, '\x01'));
    assert_non_null(strstr(out, "PAIRS AT RISK: 1"));
    free(out);
    bnc_stats_derived_free(&d);
}

/* ---- the sample report ----------------------------------------------- */

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

/* sample fills a programme of 30 pairs over 12 months, deterministically. */
static void sample(bnc_stats *s, bnc_stats_pair *p, bnc_stats_month *m,
                   uint32_t today)
{
    static const char *const names[] = {
        "Camille Martin", "Inès Benali",     "Lucas Bernard",  "Chloé Petit",
        "Hugo Moreau",    "Léa Fontaine",    "Nathan Girard",  "Manon Roux",
        "Yanis Haddad",   "Sarah Lefebvre",  "Thomas Nguyen",  "Jade Lambert",
        "Karim Mansour",  "Louise Garnier",  "Paul Chevalier", "Zoé Marchand",
        "Adam Diallo",    "Emma Robin",      "Jules Faure",    "Anaïs Perrin",
        "Rayan Bouzid",   "Clara Morel",     "Noah Henry",     "Lina Aubert",
        "Gabriel Roche",  "Alice Dumont",    "Mehdi Kaci",     "Julie Vidal",
        "Arthur Leroy",   "Eva Schmitt",     "Malik Traoré",   "Lucie Caron",
        "Victor Blanc",   "Sofia Ferreira",  "Hélène Masson",  "Omar Cissé",
        "Margaux Colin",  "Élodie Picard",   "Samuel Weber",   "Nour El Amrani",
        "Théo Gauthier",  "Maëlys Renaud",   "Ibrahim Sow",    "Romane Brun",
        "Bastien Meyer",  "Yasmine Cherif",  "Quentin Lucas",  "Océane Dupuis",
        "Antoine Arnaud", "Salomé Giraud",   "Hamza Belkacem", "Pauline Noël",
        "Maxime Carré",   "Amira Said",      "Léo Barbier",    "Justine Rey",
        "Ethan Royer",    "Capucine Hubert", "Ilyes Amrani",   "Charlotte Roy"};
    uint32_t x = 20250615, first = today - 365;

    memset(s, 0, sizeof *s);
    s->programme.id = 12;
    strcpy(s->programme.name, "Mentorat Ingénieures 2024–2025");
    strcpy(s->programme.theme, "First years in engineering school");
    s->programme.months = 6;
    s->programme.frequency = BN_FREQ_MONTHLY;
    s->programme.format = BN_FORMAT_MIXED;
    s->today = today;
    s->mentors = 30;
    s->mentees = 30;
    s->months = m;
    s->pairs = p;
    s->npairs = 30;
    uint32_t m0 = 0;
    {
        int y, mo, dd;
        bn_date_to_ymd(first, &y, &mo, &dd);
        m0 = (uint32_t)(y * 12 + mo - 1);
    }
    for (uint32_t k = 0; k < 13; k++)
        m[k] = (bnc_stats_month){m0 + k, 0, 0, 0};
    s->nmonths = 13;
    for (int i = 0; i < 30; i++) {
        bnc_stats_pair *q = &p[i];
        uint32_t created = first + (uint32_t)i * 9 + lcg(&x) % 7;
        memset(q, 0, sizeof *q);
        q->pair_id = (uint64_t)i + 1;
        snprintf(q->mentor_name, sizeof q->mentor_name, "%s", names[2 * i]);
        snprintf(q->mentee_name, sizeof q->mentee_name, "%s", names[2 * i + 1]);
        q->created_date = created;
        /* 4 pending, 5 completed, 3 withdrawn, 1 erased, 17 active. */
        static const char kinds[] = "323232234243222242222522220000";
        int kind = kinds[i] - '0';
        q->status = kind == 0   ? BN_PAIR_PENDING
                    : kind == 3 ? BN_PAIR_COMPLETED
                    : kind == 4 ? BN_PAIR_WITHDRAWN
                    : kind == 5 ? BN_PAIR_ERASED
                                : BN_PAIR_ACTIVE;
        if (kind == 0)
            continue;
        q->start_date = created + 2 + lcg(&x) % 12;
        uint32_t end = today;
        if (kind == 3)
            end = q->start_date + 190 + lcg(&x) % 20;
        else if (kind == 4 || kind == 5)
            end = q->start_date + 60 + lcg(&x) % 60;
        if (end > today)
            end = today - 1;
        if (kind != 2) {
            q->end_date = end;
            q->end_reason = kind == 4 ? BN_END_WITHDRAWN : BN_END_COMPLETED;
        }
        /* A few active pairs stopped meeting some time ago. */
        uint32_t stop = end;
        if (kind == 2 && i % 5 == 3)
            stop = today - 50 - lcg(&x) % 90;
        for (uint32_t d = q->start_date + 3 + lcg(&x) % 14;
             d <= end + 40 && d < today + 40; d += 24 + lcg(&x) % 14) {
            int y, mo, dd;
            bn_date_to_ymd(d, &y, &mo, &dd);
            uint32_t k = (uint32_t)(y * 12 + mo - 1) - m0;
            if (k >= 13)
                break;
            if (d > today) {
                if (kind != 2 || stop != end)
                    break;
                m[k].planned++, q->sessions_planned++;
            } else if (d > stop || d > end) {
                break;
            } else if (lcg(&x) % 10 == 0) {
                m[k].cancelled++, q->sessions_cancelled++;
            } else {
                m[k].held++, q->sessions_held++;
                if (q->first_held == 0)
                    q->first_held = d;
                q->last_held = d;
                q->absent_mentor += lcg(&x) % 25 == 0;
                q->absent_mentee += lcg(&x) % 18 == 0;
            }
        }
        q->objectives_defined = 2 + lcg(&x) % 4;
        q->objectives_reached =
            lcg(&x) % (q->objectives_defined + (kind == 3 ? 1 : 3));
        if (q->objectives_reached > q->objectives_defined)
            q->objectives_reached = q->objectives_defined;
    }
    for (int i = 0; i < 30; i++) {
        const bnc_stats_pair *q = &p[i];
        s->pairs_pending += q->status == BN_PAIR_PENDING;
        s->pairs_active += q->status == BN_PAIR_ACTIVE;
        s->pairs_completed += q->status == BN_PAIR_COMPLETED;
        s->pairs_withdrawn += q->status == BN_PAIR_WITHDRAWN;
        s->pairs_erased += q->status == BN_PAIR_ERASED;
        s->sessions_held += q->sessions_held;
        s->sessions_planned += q->sessions_planned;
        s->sessions_cancelled += q->sessions_cancelled;
        s->absent_mentor += q->absent_mentor;
        s->absent_mentee += q->absent_mentee;
        s->objectives_defined += q->objectives_defined;
        s->objectives_reached += q->objectives_reached;
    }
}

static void test_sample_report(void **state)
{
    const char *path = getenv("BN_REPORT_OUT");
    static bnc_stats_pair p[30];
    static bnc_stats_month m[13];
    bnc_stats s;
    bnc_stats_derived d;
    (void)state;

    sample(&s, p, m, ymd(2025, 6, 15));
    assert_int_equal(bnc_stats_derive(&s, s.today, &d), 0);
    assert_int_equal(d.pairs_total, 30);
    assert_true(d.nat_risk > 0);
    assert_true(d.nmonths >= 12);
    if (path != NULL && path[0] != '\0') {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        assert_int_equal(bnc_stats_write_html(f, &s, &d), 0);
        assert_int_equal(fclose(f), 0);
    }
    bnc_stats_derived_free(&d);
}

BN_UNIT_GROUP(cli_stats);
