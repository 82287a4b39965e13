/*
 * bnc_stats.h: programme statistics for administrators ("pilotage").
 *
 * The server keeps raw counters only (STATS and STATS_PAIRS in
 * bn_schema.h): dates, statuses and counts, never note content. This
 * module fetches them (bnc_stats_fetch), derives every rate, median and
 * risk from them on the client (bnc_stats_derive: pure, deterministic,
 * given the day), and renders the result as a terminal table, JSON, CSV or
 * one self-contained HTML page with SVG charts.
 *
 * Rules of the derivation (the contract the tests check):
 *   - expected interval: weekly 7 days, fortnightly 14, monthly 30,
 *     bimonthly 61, quarterly 91; expected sessions per pair per month:
 *     30.4375 / interval (a month being 365.25 / 12 days).
 *   - a pair runs from start_date (pairs never started do not run) until
 *     end_date, else today for a pending or active pair, else (an ended
 *     pair without end date) its last held session or its start.
 *   - at risk: an active pair with no held session for more than 1.5
 *     expected intervals, counted from last_held, else start_date, else
 *     created_date: days_without > 1.5 x interval (10.5, 21, 45, 91.5 and
 *     136.5 days). Listed worst first, then by pair id.
 *   - minimum duration reached: a started pair whose run reaches start +
 *     the programme's months, in calendar months (31 January + 1 month is
 *     28 or 29 February). Rate over started pairs.
 *   - completion: a pair's outcome is its status when completed or
 *     withdrawn, else its end reason (an erased pair keeps it); rate =
 *     completed / (completed + withdrawn).
 *   - objectives: reach rate = reached / defined, where defined counts
 *     every objective ever defined (reached ones included).
 *   - median days from pairing (created_date) to the first held session,
 *     over pairs that held one (mean of the two middle values for an even
 *     count; a first session dated before the pairing counts as 0 days).
 *   - months: every month from the first month with a session or a pair
 *     start to the last one (or today's month), gaps filled with zeros;
 *     held per running pair, against days_in_month / interval.
 *   - nothing is divided by zero: a rate whose denominator is 0 is absent
 *     (printed "n/a", JSON null), never 0 %.
 *
 * Ownership: bnc_stats and bnc_stats_derived own their arrays; free them
 * with bnc_stats_free and bnc_stats_derived_free (both accept NULL). A
 * derived view points into the bnc_stats it came from by index only, and
 * the renderers take both.
 */
#ifndef BNC_STATS_H
#define BNC_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "binome.h"

/* ---- raw counters, as the server sent them -------------------------- */

typedef struct bnc_stats_month {
    uint32_t month; /* year * 12 + month - 1 */
    uint32_t held, planned, cancelled;
} bnc_stats_month;

typedef struct bnc_stats_pair {
    uint64_t pair_id;
    char mentor_name[BN_NAME_MAX + 1];
    char mentee_name[BN_NAME_MAX + 1];
    uint8_t status;        /* enum bn_pair_status */
    uint32_t created_date; /* day numbers (bn_util.h); 0: none */
    uint32_t start_date;
    uint32_t end_date;
    uint8_t end_reason; /* enum bn_end_reason, 0: none */
    uint32_t sessions_held, sessions_planned, sessions_cancelled;
    uint32_t absent_mentor, absent_mentee;
    uint32_t objectives_defined, objectives_reached;
    uint32_t first_held, last_held; /* 0: no held session */
} bnc_stats_pair;

typedef struct bnc_stats {
    bnc_programme programme;
    uint32_t today; /* the server's day */
    uint32_t mentors, mentees;
    uint32_t pairs_pending, pairs_active, pairs_completed, pairs_withdrawn,
        pairs_erased;
    uint32_t sessions_held, sessions_planned, sessions_cancelled;
    uint32_t absent_mentor, absent_mentee;
    uint32_t objectives_defined, objectives_reached;
    bnc_stats_month *months; /* malloc'd */
    size_t nmonths;
    bnc_stats_pair *pairs; /* malloc'd, in pair id order */
    size_t npairs;
} bnc_stats;

/*
 * bnc_stats_fetch sends STATS_GET, then STATS_PAIRS_GET until the last
 * page, and copies everything into *out (allocated; free with
 * bnc_stats_free). Errors: the server's (BN_EDENIED for a non-admin,
 * BN_ENOTFOUND for an unknown programme), BN_EPROTO for a reply about
 * another programme or with an unknown frequency, BN_ENOMEM.
 */
int bnc_stats_fetch(bnc_client *c, uint64_t programme_id, bnc_stats **out);

/* bnc_stats_free frees s and its arrays; accepts NULL. */
void bnc_stats_free(bnc_stats *s);

/* ---- derived figures ------------------------------------------------ */

/* A rate num / den: absent when den is 0. */
typedef struct bnc_ratio {
    uint64_t num, den;
} bnc_ratio;

/* bnc_ratio_defined: den != 0. bnc_ratio_value: num / den, or 0. */
int bnc_ratio_defined(bnc_ratio r);
double bnc_ratio_value(bnc_ratio r);

/* A figure that may be absent (a median of nothing). */
typedef struct bnc_figure {
    int defined;
    double value;
} bnc_figure;

typedef struct bnc_stats_month_row {
    uint32_t month; /* year * 12 + month - 1 */
    uint32_t held, planned, cancelled;
    uint32_t pairs_running;   /* pairs running some day of the month */
    bnc_figure held_per_pair; /* held / pairs_running */
    double expected_per_pair; /* days_in_month / interval */
} bnc_stats_month_row;

typedef struct bnc_stats_pair_row {
    uint32_t since;        /* day the silence is counted from, or 0 */
    uint32_t days_without; /* today - since, for an active pair */
    int at_risk;
    uint32_t run_days;          /* days run (0: never started) */
    uint32_t expected_sessions; /* run_days / interval */
    int min_duration_reached;
} bnc_stats_pair_row;

typedef struct bnc_stats_derived {
    uint32_t today;
    uint32_t interval_days;    /* expected days between sessions */
    double risk_after_days;    /* 1.5 x interval_days */
    double expected_per_month; /* 30.4375 / interval_days */
    uint32_t pairs_total;      /* sum of the status counters */
    uint32_t pairs_started;    /* pair rows with a start date */
    uint32_t pairs_completed;  /* outcomes, from the pair rows */
    uint32_t pairs_ended;
    uint32_t min_duration_pairs; /* started pairs that reached it */
    bnc_ratio objectives_reach;  /* reached / defined */
    bnc_ratio completion;        /* completed / ended */
    bnc_ratio min_duration;      /* reached / started */
    uint32_t median_sample;      /* pairs with a held session */
    bnc_figure median_days_to_first;
    bnc_figure sessions_per_pair_month; /* held / (pair-days / 30.4375) */
    bnc_stats_month_row *months;
    size_t nmonths;
    bnc_stats_pair_row *pairs; /* parallel to the raw pairs */
    size_t npairs;
    size_t *at_risk; /* indices into the pairs, worst first */
    size_t nat_risk;
} bnc_stats_derived;

/*
 * bnc_stats_derive computes every figure above from s as of day today
 * (pass s->today, or bn_date_today()). *out is filled (free its arrays
 * with bnc_stats_derived_free). BN_EINVAL for a programme frequency
 * outside 1..5, BN_ENOMEM. s is not modified.
 */
int bnc_stats_derive(const bnc_stats *s, uint32_t today,
                     bnc_stats_derived *out);

/* bnc_stats_derived_free frees d's arrays and zeroes it; accepts NULL. */
void bnc_stats_derived_free(bnc_stats_derived *d);

/* bnc_stats_interval_days returns 7, 14, 30, 61 or 91, or 0 for an
 * unknown frequency. */
uint32_t bnc_stats_interval_days(uint8_t frequency);

/* bnc_stats_add_months returns day + months calendar months, the day of
 * month clamped to the month's length. */
uint32_t bnc_stats_add_months(uint32_t day, uint32_t months);

/* ---- renderers ---------------------------------------------------------- */
/*
 * Each writes to f and returns 0, or BN_EIO when the stream reports an
 * error, or BN_ENOMEM. Names are never trusted: control characters are
 * replaced in the table, JSON strings are escaped and always valid UTF-8,
 * CSV fields are quoted (RFC 4180), HTML text is escaped. No note content
 * exists here to print.
 *
 * _table: aligned columns for a terminal: the summary, months, the pairs
 * at risk, then one line per pair.
 * _json: one object: programme, counters, rates (null when absent),
 * months, at_risk and pair_rows.
 * _csv: per-pair rows only, one header line then one line per pair, CRLF
 * line ends: a CSV file is one table, which is what spreadsheets and
 * scripts load; programme-level figures are in the JSON and the table.
 * Fields that a spreadsheet would run as a formula (starting with = + -
 * @ or a tab) get a leading apostrophe.
 * _html: one self-contained page (inline CSS and SVG, no script, no
 * external asset), readable on screen and printed on A4.
 */
int bnc_stats_write_table(FILE *f, const bnc_stats *s,
                          const bnc_stats_derived *d);
int bnc_stats_write_json(FILE *f, const bnc_stats *s,
                         const bnc_stats_derived *d);
int bnc_stats_write_csv(FILE *f, const bnc_stats *s,
                        const bnc_stats_derived *d);
int bnc_stats_write_html(FILE *f, const bnc_stats *s,
                         const bnc_stats_derived *d);

#endif
