/*
 * bnc_stats.c: programme statistics: fetching the raw counters, deriving
 * rates, medians and risk (rules in binome.h), and the table, JSON and
 * CSV renderers. The HTML report is in bnc_stats_html.c.
 */
#include "bnc_internal.h"
#include "bn_text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define DAYS_PER_MONTH 30.4375 /* 365.25 / 12 */

/* ---- fetching --------------------------------------------------------- */

void bnc_stats_free(bnc_stats *s)
{
    if (s == NULL)
        return;
    free(s->months);
    free(s->pairs);
    free(s->members);
    free(s);
}

static int take_stats_pairs(const bn_msg *rep, const void *ctx, void **arr,
                            size_t *n, uint64_t *last, int *more)
{
    const bn_stats_pairs *r = &rep->u.stats_pairs;
    (void)ctx;
    for (uint32_t i = 0; i < r->items.len; i++) {
        const struct bn_stats_pair *w = &r->items.v[i];
        bnc_stats_pair p;
        bnc__project_stats_pair(&p, w);
        int rc = bnc__append(arr, n, sizeof p, &p);
        if (rc != 0)
            return rc;
        rc = bnc__page_next(last, p.pair_id);
        if (rc != 0)
            return rc;
    }
    *more = r->more;
    return 0;
}

/* A page of STATS_MEMBERS: rows by pair id then account id, strictly
 * increasing across pages too; a page holds whole pairs, so its last
 * pair id is the next request's `after` and a page's first pair must be
 * after it. */
static int take_stats_members(const bn_msg *rep, const void *ctx, void **arr,
                              size_t *n, uint64_t *last, int *more)
{
    const bn_stats_members *r = &rep->u.stats_members;
    const uint64_t after = *last;
    (void)ctx;
    for (uint32_t i = 0; i < r->items.len; i++) {
        const struct bn_stats_member *w = &r->items.v[i];
        const bnc_stats_member *prev =
            *n > 0 ? &((const bnc_stats_member *)*arr)[*n - 1] : NULL;
        bnc_stats_member m;
        int rc = 0;
        if (w->side != BN_ROLE_MENTOR && w->side != BN_ROLE_MENTEE)
            return BN_EPROTO;
        if (i > 0 && w->pair_id == *last && *last != after)
            rc = w->account_id > prev->account_id ? 0 : BN_EPROTO;
        else
            rc = bnc__page_next(last, w->pair_id);
        if (rc != 0)
            return rc;
        bnc__project_stats_member(&m, w);
        rc = bnc__append(arr, n, sizeof m, &m);
        if (rc != 0)
            return rc;
    }
    *more = r->more;
    return 0;
}

int bnc_stats_fetch(bnc_client *c, uint64_t programme_id, bnc_stats **out)
{
    bn_msg req, rep = {0};
    bnc_stats *s;
    int rc;

    *out = NULL;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return BN_ENOMEM;
    bn_msg_init(&req, BN_MSG_STATS_GET, 0);
    req.u.stats_get.programme_id = programme_id;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_STATS);
    if (rc != 0)
        goto cleanup;
    const bn_stats *w = &rep.u.stats;
    const struct bn_programme_info *pi = &w->programme;
    if (pi->id != programme_id || bnc_stats_interval_days(pi->frequency) == 0) {
        rc = BN_EPROTO;
        goto cleanup;
    }
    bnc__project_stats(s, w); /* s is still empty: no array to lose */
    if (w->months.len > 0) {
        s->months = calloc(w->months.len, sizeof *s->months);
        if (s->months == NULL) {
            rc = BN_ENOMEM;
            goto cleanup;
        }
        for (uint32_t i = 0; i < w->months.len; i++)
            bnc__project_stats_month(&s->months[i], &w->months.v[i]);
        s->nmonths = w->months.len;
    }
    bn_msg_free(&rep);

    bn_msg_init(&req, BN_MSG_STATS_PAIRS_GET, 0);
    req.u.stats_pairs_get.programme_id = programme_id;
    rc = bnc__list_all(c, &req, &req.u.stats_pairs_get.after,
                       BN_MSG_STATS_PAIRS, take_stats_pairs, NULL,
                       (void **)&s->pairs, &s->npairs, NULL);
    if (rc == 0) {
        bn_msg_init(&req, BN_MSG_STATS_MEMBERS_GET, 0);
        req.u.stats_members_get.programme_id = programme_id;
        rc = bnc__list_all(c, &req, &req.u.stats_members_get.after,
                           BN_MSG_STATS_MEMBERS, take_stats_members, NULL,
                           (void **)&s->members, &s->nmembers, NULL);
    }
    if (rc == 0)
        rc = bnc_feedback_fetch(c, programme_id, &s->feedback);
    if (rc == 0) {
        *out = s;
        s = NULL;
    }
cleanup:
    bn_msg_free(&rep);
    bnc_stats_free(s);
    return rc;
}

/* ---- calendar ------------------------------------------------------------ */

uint32_t bnc_stats_interval_days(uint8_t frequency)
{
    static const uint32_t days[] = {0, 7, 14, 30, 61, 91};
    return frequency <= BN_FREQ_MAX ? days[frequency] : 0;
}

static uint32_t month_key(uint32_t day)
{
    int y, m, d;
    bn_date_to_ymd(day, &y, &m, &d);
    return (uint32_t)(y * 12 + m - 1);
}

static uint32_t month_first(uint32_t key)
{
    return (uint32_t)bn_date_from_ymd((int)(key / 12), (int)(key % 12) + 1, 1);
}

static uint32_t month_days(uint32_t key)
{
    return month_first(key + 1) - month_first(key);
}

uint32_t bnc_stats_add_months(uint32_t day, uint32_t months)
{
    int y, m, d;
    bn_date_to_ymd(day, &y, &m, &d);
    uint32_t key = (uint32_t)(y * 12 + m - 1) + months;
    uint32_t len = month_days(key);
    return month_first(key) + ((uint32_t)d < len ? (uint32_t)d : len) - 1;
}

/* ---- derivation ------------------------------------------------------------
 */

int bnc_ratio_defined(bnc_ratio r)
{
    return r.den != 0;
}

double bnc_ratio_value(bnc_ratio r)
{
    return r.den ? (double)r.num / (double)r.den : 0.0;
}

void bnc_stats_derived_free(bnc_stats_derived *d)
{
    if (d == NULL)
        return;
    free(d->months);
    free(d->pairs);
    free(d->at_risk);
    memset(d, 0, sizeof *d);
}

/* run_end is the last day a started pair ran (see the header's rules). */
static uint32_t run_end(const bnc_stats_pair *p, uint32_t today)
{
    if (p->end_date != 0)
        return p->end_date;
    if (p->status == BN_PAIR_PENDING || p->status == BN_PAIR_ACTIVE)
        return today;
    return p->last_held > p->start_date ? p->last_held : p->start_date;
}

/*
 * rhythm_days is the time a started pair counts for in the meeting
 * rhythm (see the header's rules): from its start, or its first held
 * session when that is earlier, to the end of its run, or its last held
 * session when that is later; at least one expected interval, so that a
 * pair whose sessions, start and end fall on one day still counts.
 */
static uint32_t rhythm_days(const bnc_stats_pair *p, uint32_t today,
                            uint32_t interval)
{
    uint32_t from = p->start_date, to = run_end(p, today);

    if (p->first_held != 0 && p->first_held < from)
        from = p->first_held;
    if (p->last_held > to)
        to = p->last_held;
    return to > from && to - from > interval ? to - from : interval;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The at-risk order needs the rows; qsort has no context argument. */
typedef struct risk_key {
    uint32_t days;
    uint64_t pair_id;
    size_t index;
} risk_key;

static int cmp_risk(const void *a, const void *b)
{
    const risk_key *x = a, *y = b;
    if (x->days != y->days)
        return x->days > y->days ? -1 : 1;
    return (x->pair_id > y->pair_id) - (x->pair_id < y->pair_id);
}

/* row_status names a pair's status in the table: an erased pair by how it
 * ended, starred (the table's footnote says what the star means). */
static const char *row_status(const bnc_stats_pair *p, char *buf, size_t n)
{
    if (p->status != BN_PAIR_ERASED)
        return bnc_pair_status_name(p->status);
    snprintf(buf, n, "%s*",
             p->end_reason == BN_END_COMPLETED ? "completed"
             : p->end_reason == BN_END_WITHDRAWN ||
                     p->end_reason == BN_END_STALLED
                 ? "withdrawn"
                 : "erased");
    return buf;
}

/* derive_pairs fills the per-pair rows and the programme's pair figures. */
static int derive_pairs(const bnc_stats *s, bnc_stats_derived *d,
                        uint64_t *pair_days, uint64_t *pair_held)
{
    uint32_t *delays = NULL;
    risk_key *risk = NULL;
    size_t ndelays = 0, nrisk = 0;
    int rc = BN_ENOMEM;

    if (s->npairs > 0) {
        d->pairs = calloc(s->npairs, sizeof *d->pairs);
        delays = calloc(s->npairs, sizeof *delays);
        risk = calloc(s->npairs, sizeof *risk);
        if (d->pairs == NULL || delays == NULL || risk == NULL)
            goto cleanup;
    }
    d->npairs = s->npairs;
    for (size_t i = 0; i < s->npairs; i++) {
        const bnc_stats_pair *p = &s->pairs[i];
        bnc_stats_pair_row *row = &d->pairs[i];
        uint8_t outcome = p->status == BN_PAIR_COMPLETED   ? BN_END_COMPLETED
                          : p->status == BN_PAIR_WITHDRAWN ? BN_END_WITHDRAWN
                                                           : p->end_reason;

        d->pairs_completed += outcome == BN_END_COMPLETED;
        d->pairs_ended += outcome == BN_END_COMPLETED ||
                          outcome == BN_END_WITHDRAWN ||
                          outcome == BN_END_STALLED;
        d->ended_by_mentor += p->ended_by == BN_ENDER_MENTOR;
        d->ended_by_mentee += p->ended_by == BN_ENDER_MENTEE;
        d->ended_by_coordinator += p->ended_by == BN_ENDER_COORDINATOR;
        d->pairs_first_held += p->first_held != 0;
        d->pairs_first_in_person +=
            p->first_held != 0 && p->first_mode == BN_MODE_IN_PERSON;
        if (p->start_date != 0) {
            uint32_t end = run_end(p, d->today);
            d->pairs_started++;
            row->run_days = end > p->start_date ? end - p->start_date : 0;
            row->expected_sessions = row->run_days / d->interval_days;
            row->min_duration_reached =
                bnc_stats_add_months(p->start_date, s->programme.months) <= end;
            d->min_duration_pairs += (uint32_t)row->min_duration_reached;
            *pair_days += rhythm_days(p, d->today, d->interval_days);
            *pair_held += p->sessions_held;
        }
        /* From the pair's real start (the coordinator's when set), else
         * from its pairing. */
        uint32_t from = p->start_date ? p->start_date : p->created_date;
        if (p->first_held != 0 && from != 0)
            delays[ndelays++] = p->first_held > from ? p->first_held - from : 0;
        if (p->status == BN_PAIR_ACTIVE) {
            row->since = p->last_held    ? p->last_held
                         : p->start_date ? p->start_date
                                         : p->created_date;
            row->days_without = row->since != 0 && d->today > row->since
                                    ? d->today - row->since
                                    : 0;
            /* days > 1.5 x interval, in integers. */
            row->at_risk = 2 * (uint64_t)row->days_without >
                           3 * (uint64_t)d->interval_days;
            if (row->at_risk)
                risk[nrisk++] = (risk_key){row->days_without, p->pair_id, i};
        }
    }
    d->median_sample = (uint32_t)ndelays;
    if (ndelays > 0) {
        qsort(delays, ndelays, sizeof *delays, cmp_u32);
        d->median_days_to_first.defined = 1;
        d->median_days_to_first.value = ndelays % 2
                                            ? delays[ndelays / 2]
                                            : ((double)delays[ndelays / 2 - 1] +
                                               (double)delays[ndelays / 2]) /
                                                  2.0;
    }
    if (nrisk > 0) {
        qsort(risk, nrisk, sizeof *risk, cmp_risk);
        d->at_risk = calloc(nrisk, sizeof *d->at_risk);
        if (d->at_risk == NULL)
            goto cleanup;
        for (size_t i = 0; i < nrisk; i++)
            d->at_risk[i] = risk[i].index;
        d->nat_risk = nrisk;
    }
    rc = 0;
cleanup:
    free(delays);
    free(risk);
    return rc;
}

/* derive_months fills the month rows from the first to the last month,
 * at most BNC_STATS_MONTHS_AHEAD after today's. */
static int derive_months(const bnc_stats *s, bnc_stats_derived *d)
{
    uint32_t lo = UINT32_MAX, hi = 0;

    for (size_t i = 0; i < s->nmonths; i++) {
        lo = s->months[i].month < lo ? s->months[i].month : lo;
        hi = s->months[i].month > hi ? s->months[i].month : hi;
    }
    for (size_t i = 0; i < s->npairs; i++) {
        if (s->pairs[i].start_date == 0)
            continue;
        uint32_t k = month_key(s->pairs[i].start_date);
        lo = k < lo ? k : lo;
        hi = k > hi ? k : hi;
        if (d->today != 0 && month_key(d->today) > hi)
            hi = month_key(d->today);
    }
    /* planned sessions far ahead would give years of empty rows */
    if (d->today != 0 && hi > month_key(d->today) + BNC_STATS_MONTHS_AHEAD)
        hi = month_key(d->today) + BNC_STATS_MONTHS_AHEAD;
    if (lo > hi)
        return 0;
    d->nmonths = hi - lo + 1;
    d->months = calloc(d->nmonths, sizeof *d->months);
    if (d->months == NULL) {
        d->nmonths = 0;
        return BN_ENOMEM;
    }
    for (size_t m = 0; m < d->nmonths; m++) {
        d->months[m].month = lo + (uint32_t)m;
        d->months[m].expected_per_pair =
            (double)month_days(lo + (uint32_t)m) / d->interval_days;
    }
    for (size_t i = 0; i < s->nmonths; i++) {
        if (s->months[i].month > hi)
            continue;
        bnc_stats_month_row *r = &d->months[s->months[i].month - lo];
        r->held += s->months[i].held;
        r->planned += s->months[i].planned;
        r->cancelled += s->months[i].cancelled;
    }
    for (size_t i = 0; i < s->npairs; i++) {
        const bnc_stats_pair *p = &s->pairs[i];
        if (p->start_date == 0)
            continue;
        uint32_t a = month_key(p->start_date);
        uint32_t b = month_key(run_end(p, d->today));
        for (uint32_t k = a; k <= b && k <= hi; k++)
            d->months[k - lo].pairs_running++;
    }
    for (size_t m = 0; m < d->nmonths; m++) {
        bnc_stats_month_row *r = &d->months[m];
        if (r->pairs_running > 0) {
            r->held_per_pair.defined = 1;
            r->held_per_pair.value = (double)r->held / r->pairs_running;
        }
    }
    return 0;
}

int bnc_stats_derive(const bnc_stats *s, uint32_t today, bnc_stats_derived *out)
{
    uint64_t pair_days = 0, pair_held = 0;
    int rc;

    memset(out, 0, sizeof *out);
    out->interval_days = bnc_stats_interval_days(s->programme.frequency);
    if (out->interval_days == 0)
        return BN_EINVAL;
    out->today = today;
    out->risk_after_days = 1.5 * out->interval_days;
    out->expected_per_month = DAYS_PER_MONTH / out->interval_days;
    out->pairs_total = s->pairs_pending + s->pairs_active + s->pairs_completed +
                       s->pairs_withdrawn + s->pairs_erased;
    out->objectives_reach =
        (bnc_ratio){s->objectives_reached, s->objectives_defined};
    rc = derive_pairs(s, out, &pair_days, &pair_held);
    if (rc == 0)
        rc = derive_months(s, out);
    if (rc != 0) {
        bnc_stats_derived_free(out);
        return rc;
    }
    out->completion = (bnc_ratio){out->pairs_completed, out->pairs_ended};
    out->min_duration =
        (bnc_ratio){out->min_duration_pairs, out->pairs_started};
    if (pair_days > 0) {
        out->sessions_per_pair_month.defined = 1;
        out->sessions_per_pair_month.value =
            (double)pair_held * DAYS_PER_MONTH / (double)pair_days;
    }
    return 0;
}

/* ---- shared output helpers -------------------------------------------- */

/* date_or writes YYYY-MM-DD, or dash for day 0. */
/* A member's side, as the report words it. */
static const char *side_name(uint8_t side)
{
    return side == BN_ROLE_MENTOR ? "mentor" : "mentee";
}

static const char *date_or(char out[11], uint32_t day, const char *dash)
{
    if (day == 0)
        return dash;
    bn_date_format(out, day);
    return out;
}

static void month_label(char out[8], uint32_t key)
{
    snprintf(out, 8, "%04u-%02u", (key / 12) % 10000, key % 12 + 1);
}

static int done(FILE *f)
{
    return ferror(f) ? BN_EIO : 0;
}

/* ---- table ------------------------------------------------------------------
 */

/*
 * escaped returns s with every hazard escaped (bn_text.h, one line) in b,
 * NUL-terminated, or NULL when memory runs out: the callers then print
 * '?' for whatever is not printable ASCII.
 */
static const char *escaped(bn_buf *b, const char *s)
{
    if (bn_text_escape(b, s, strlen(s), 0) != 0 || bn_buf_append(b, "", 1))
        return NULL;
    return (const char *)b->data;
}

/* ascii_puts prints s with everything but printable ASCII as '?'. */
static void ascii_puts(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc(*s >= 0x20 && *s < 0x7f ? *s : '?', f);
}

/*
 * cell prints s in exactly width columns of a terminal (left-aligned):
 * hazards are escaped (bn_text.h), and a longer text is cut at a whole
 * character with a final '~'. Columns are display columns
 * (bn_text_width: a combining mark takes none, a CJK character two).
 */
static void cell(FILE *f, const char *s, int width)
{
    bn_buf b = {0};
    const char *p = escaped(&b, s);
    size_t cols = 0, len, keep;

    if (p == NULL) {
        bn_buf_free(&b);
        ascii_puts(f, "?");
        for (cols = 1; cols < (size_t)width; cols++)
            fputc(' ', f);
        return;
    }
    len = strlen(p);
    keep = bn_text_prefix(p, len, (size_t)width, &cols);
    if (keep < len) /* cut: room for the '~' */
        keep = bn_text_prefix(p, len, (size_t)width - 1, &cols);
    fwrite(p, 1, keep, f);
    if (keep < len) {
        fputc('~', f);
        cols++;
    }
    for (; cols < (size_t)width; cols++)
        fputc(' ', f);
    bn_buf_free(&b);
}

/* safe_puts prints s with every hazard escaped (bn_text.h, one line). */
static void safe_puts(FILE *f, const char *s)
{
    bn_buf b = {0};
    const char *e = escaped(&b, s);

    if (e != NULL)
        fputs(e, f);
    else
        ascii_puts(f, s);
    bn_buf_free(&b);
}

/* rate_str formats a ratio as "45.6 %" or "n/a". */
static const char *rate_str(char out[16], bnc_ratio r)
{
    if (!bnc_ratio_defined(r))
        return "n/a";
    snprintf(out, 16, "%.1f %%", 100.0 * bnc_ratio_value(r));
    return out;
}

static void table_summary(FILE *f, const bnc_stats *s,
                          const bnc_stats_derived *d)
{
    char today[11], r1[16], a[11], b[11];

    fprintf(f, "Programme %" PRIu64 ": ", s->programme.id);
    safe_puts(f, s->programme.name);
    if (s->programme.theme[0]) {
        fputs(" (", f);
        safe_puts(f, s->programme.theme);
        fputc(')', f);
    }
    fprintf(f, "\n%s, %u months minimum, %s; figures as of %s\n",
            bnc_frequency_name(s->programme.frequency), s->programme.months,
            bnc_format_name(s->programme.format),
            date_or(today, d->today, "-"));
    fprintf(f, "programme dates: %s to %s\n\n",
            date_or(a, s->programme.start_date, "(no start)"),
            date_or(b, s->programme.end_date, "(no end)"));
    /* An erased pair still counts by how it ended (bnc_stats_derive's
     * outcomes); erased says how many of the ended ones were. */
    fprintf(f,
            "%-22s total %u: pending %u, active %u, completed %u, "
            "withdrawn %u; erased %u (counted above by how they ended)\n",
            "pairs", d->pairs_total, s->pairs_pending, s->pairs_active,
            d->pairs_completed, d->pairs_ended - d->pairs_completed,
            s->pairs_erased);
    fprintf(f, "%-22s mentors %u, mentees %u\n", "people", s->mentors,
            s->mentees);
    fprintf(f, "%-22s held %u, planned %u, cancelled %u\n", "sessions",
            s->sessions_held, s->sessions_planned, s->sessions_cancelled);
    fprintf(f, "%-22s mentor %u, mentee %u\n", "absences", s->absent_mentor,
            s->absent_mentee);
    fprintf(f, "%-22s defined %u, reached %u, reach rate %s; abandoned %u\n",
            "objectives", s->objectives_defined, s->objectives_reached,
            rate_str(r1, d->objectives_reach), s->objectives_abandoned);
    fprintf(f, "%-22s in person for %u of the %u pairs that met\n",
            "first meeting", d->pairs_first_in_person, d->pairs_first_held);
    fprintf(f, "%-22s objectives overdue %u, reached by their target %u\n",
            "action plans", s->objectives_overdue, s->objectives_on_time);
    fprintf(f, "%-22s %u of %u pairs made one\n", "self-diagnosis",
            s->pairs_with_diagnosis, d->pairs_total);
    fprintf(f,
            "%-22s held %u, planned %u (after the pairs completed; not in "
            "the sessions above)\n",
            "follow-up sessions", s->follow_ups_held, s->follow_ups_planned);
    fprintf(f, "%-22s %u completed of %u ended: %s\n", "completion",
            d->pairs_completed, d->pairs_ended, rate_str(r1, d->completion));
    fprintf(f, "%-22s mentor %u, mentee %u, coordinator %u\n", "ended by",
            d->ended_by_mentor, d->ended_by_mentee, d->ended_by_coordinator);
    fprintf(f, "%-22s %u of %u started pairs ran %u months: %s\n",
            "minimum duration", d->min_duration_pairs, d->pairs_started,
            s->programme.months, rate_str(r1, d->min_duration));
    if (d->median_days_to_first.defined)
        fprintf(f, "%-22s median %.1f days from the start (%u pairs)\n",
                "first session", d->median_days_to_first.value,
                d->median_sample);
    else
        fprintf(f, "%-22s n/a (no pair held a session)\n", "first session");
    if (d->sessions_per_pair_month.defined)
        fprintf(f,
                "%-22s %.2f held sessions per pair per month (expected "
                "%.2f)\n",
                "rhythm", d->sessions_per_pair_month.value,
                d->expected_per_month);
    else
        fprintf(f, "%-22s n/a (no pair started; expected %.2f a month)\n",
                "rhythm", d->expected_per_month);
}

/* minimum_word says whether pair p ran the programme's minimum duration:
 * yes, no (override) for a completion before it on purpose, no for an
 * ended pair, not yet for a running one, - for a pair never started. */
static const char *minimum_word(const bnc_stats_pair *p,
                                const bnc_stats_pair_row *r)
{
    if (p->start_date == 0)
        return "-";
    if (r->min_duration_reached)
        return "yes";
    if (p->min_override)
        return "no (override)";
    if (p->status == BN_PAIR_PENDING || p->status == BN_PAIR_ACTIVE)
        return "not yet";
    return "no";
}

/* table_feedback: the structure's signature and the questionnaire's
 * aggregates (never one answer; nothing below BNC_QUESTIONNAIRE_BATCH). */
static void table_feedback(FILE *f, const bnc_feedback *fb)
{
    char day[11];

    if (fb->charter_signed)
        fprintf(f, "%-22s signed on %s by account %" PRIu64 "%s\n",
                "structure's signature", date_or(day, fb->charter_date, "-"),
                fb->charter_by,
                fb->charter_current ? "" : " (an earlier charter text)");
    else
        fprintf(f, "%-22s not signed\n", "structure's signature");
    if (fb->nquestions == 0 && fb->answers == 0 && fb->pending == 0) {
        fprintf(f, "%-22s none set\n", "questionnaire");
        return;
    }
    if (fb->answers < BNC_QUESTIONNAIRE_BATCH) {
        fprintf(f, "%-22s fewer than %d answers (%u waiting)\n",
                "questionnaire", BNC_QUESTIONNAIRE_BATCH, fb->pending);
        return;
    }
    fprintf(f, "%-22s %u answers counted (%u waiting)\n", "questionnaire",
            fb->answers, fb->pending);
    for (size_t q = 0; q < fb->nquestions; q++) {
        fprintf(f, "  Q%zu mean %.2f, rated 1-5: %u %u %u %u %u: ", q + 1,
                bnc_feedback_mean(fb, q), fb->rated[q][0], fb->rated[q][1],
                fb->rated[q][2], fb->rated[q][3], fb->rated[q][4]);
        safe_puts(f, fb->questions[q]);
        fputc('\n', f);
    }
    fprintf(f, "  objectives met: yes %u, partly %u, no %u\n",
            fb->objectives_yes, fb->objectives_partly, fb->objectives_no);
}

int bnc_stats_write_table(FILE *f, const bnc_stats *s,
                          const bnc_stats_derived *d)
{
    char a[11], b[11], c[11], e[11], lab[8];

    table_summary(f, s, d);
    table_feedback(f, &s->feedback);
    if (d->nmonths > 0) {
        fprintf(f, "\nSESSIONS PER MONTH\n%-8s %6s %8s %10s %6s %9s %9s\n",
                "MONTH", "HELD", "PLANNED", "CANCELLED", "PAIRS", "PER PAIR",
                "EXPECTED");
        for (size_t i = 0; i < d->nmonths; i++) {
            const bnc_stats_month_row *m = &d->months[i];
            char pp[16] = "n/a";
            if (m->held_per_pair.defined)
                snprintf(pp, sizeof pp, "%.2f", m->held_per_pair.value);
            month_label(lab, m->month);
            fprintf(f, "%-8s %6u %8u %10u %6u %9s %9.2f\n", lab, m->held,
                    m->planned, m->cancelled, m->pairs_running, pp,
                    m->expected_per_pair);
        }
    }
    fprintf(f,
            "\nPAIRS AT RISK: %zu (active, no held session for more than "
            "%g days)\n",
            d->nat_risk, d->risk_after_days);
    if (d->nat_risk > 0) {
        fprintf(f, "%-8s ", "PAIR");
        cell(f, "MENTOR", 22);
        cell(f, "MENTEE", 22);
        fprintf(f, "%-10s %-10s %s\n", "LAST HELD", "SINCE", "DAYS");
    }
    for (size_t i = 0; i < d->nat_risk; i++) {
        const bnc_stats_pair *p = &s->pairs[d->at_risk[i]];
        const bnc_stats_pair_row *r = &d->pairs[d->at_risk[i]];
        fprintf(f, "%-8" PRIu64 " ", p->pair_id);
        cell(f, p->mentor_name, 22);
        cell(f, p->mentee_name, 22);
        fprintf(f, "%-10s %-10s %u\n", date_or(a, p->last_held, "never"),
                date_or(b, r->since, "-"), r->days_without);
    }
    if (s->npairs > 0) {
        fprintf(f, "\nPAIRS\n%-8s ", "PAIR");
        cell(f, "MENTOR", 22);
        cell(f, "MENTEE", 22);
        fprintf(
            f,
            "%-10s %-10s %-10s %-10s %-22s %-9s %5s %5s %5s %5s %7s %7s %-10s "
            "%7s %-10s %6s %s\n",
            "STATUS", "CREATED", "START", "END", "ENDED (WHY, BY)", "FIRST MET",
            "ABAND", "HELD", "PLAN", "CANC", "ABS M/m", "OBJ R/D", "LAST HELD",
            "LATE/OK", "DIAGNOSIS", "FOLL/P", "MINIMUM");
    }
    for (size_t i = 0; i < s->npairs; i++) {
        const bnc_stats_pair *p = &s->pairs[i];
        char abs[24], obj[24], why[48], st[16], late[24], diag[11], follow[24];
        snprintf(abs, sizeof abs, "%u/%u", p->absent_mentor, p->absent_mentee);
        snprintf(obj, sizeof obj, "%u/%u", p->objectives_reached,
                 p->objectives_defined);
        snprintf(late, sizeof late, "%u/%u", p->objectives_overdue,
                 p->objectives_on_time);
        snprintf(follow, sizeof follow, "%u/%u", p->follow_ups_held,
                 p->follow_ups_planned);
        fprintf(f, "%-8" PRIu64 " ", p->pair_id);
        cell(f, p->mentor_name, 22);
        cell(f, p->mentee_name, 22);
        snprintf(why, sizeof why, "%s%s%s",
                 p->end_reason ? bnc_end_reason_name(p->end_reason) : "-",
                 p->ended_by ? ", " : "", bnc_ender_name(p->ended_by));
        fprintf(
            f,
            "%-10s %-10s %-10s %-10s %-22s %-9s %5u %5u %5u %5u %7s %7s %-10s "
            "%7s %-10s %6s %s\n",
            row_status(p, st, sizeof st), date_or(a, p->created_date, "-"),
            date_or(b, p->start_date, "-"), date_or(c, p->end_date, "-"), why,
            p->first_held ? bnc_session_mode_name(p->first_mode) : "-",
            p->objectives_abandoned, p->sessions_held, p->sessions_planned,
            p->sessions_cancelled, abs, obj, date_or(e, p->last_held, "-"),
            late, date_or(diag, p->diagnosis_date, "-"), follow,
            minimum_word(p, &d->pairs[i]));
    }
    if (s->pairs_erased > 0)
        fputs("* erased: its notes and documents are gone; its sessions and "
              "counts stay\n",
              f);
    if (s->nmembers > 0) {
        fprintf(f, "\nMEMBERS (absences from held sessions)\n  %-8s %-8s ",
                "PAIR", "ACCOUNT");
        cell(f, "MEMBER", 22);
        fprintf(f, "%-7s %5s %6s\n", "SIDE", "HELD", "ABSENT");
    }
    for (size_t i = 0; i < s->nmembers; i++) {
        const bnc_stats_member *m = &s->members[i];
        /* indented: a line starting with a pair id is the pair's row */
        fprintf(f, "  %-8" PRIu64 " %-8" PRIu64 " ", m->pair_id, m->account_id);
        cell(f, m->name, 22);
        fprintf(f, "%-7s %5u %6u\n", side_name(m->side), m->sessions_held,
                m->absences);
    }
    return done(f);
}

/* ---- JSON ---------------------------------------------------------------- */

static int json_str(FILE *f, const char *s)
{
    bn_buf b = {0};
    int rc = bn_json_str(&b, s, strlen(s));
    if (rc == 0)
        fwrite(b.data, 1, b.len, f);
    bn_buf_free(&b);
    return rc;
}

static void json_date(FILE *f, uint32_t day)
{
    char s[11];
    if (day == 0) {
        fputs("null", f);
        return;
    }
    bn_date_format(s, day);
    fprintf(f, "\"%s\"", s);
}

static void json_ratio(FILE *f, bnc_ratio r)
{
    if (bnc_ratio_defined(r))
        fprintf(f, "%.4f", bnc_ratio_value(r));
    else
        fputs("null", f);
}

static void json_figure(FILE *f, bnc_figure x)
{
    if (x.defined)
        fprintf(f, "%.4f", x.value);
    else
        fputs("null", f);
}

/* json_pair writes one pair row as a JSON object. */
static int json_pair(FILE *f, const bnc_stats_pair *p,
                     const bnc_stats_pair_row *r)
{
    int rc;

    fprintf(f, "{\"pair_id\":%" PRIu64 ",\"mentor\":", p->pair_id);
    rc = json_str(f, p->mentor_name);
    fputs(",\"mentee\":", f);
    if (rc == 0)
        rc = json_str(f, p->mentee_name);
    fprintf(f,
            ",\"status\":\"%s\",\"created\":", bnc_pair_status_name(p->status));
    json_date(f, p->created_date);
    fputs(",\"start\":", f);
    json_date(f, p->start_date);
    fputs(",\"end\":", f);
    json_date(f, p->end_date);
    if (p->end_reason)
        fprintf(f, ",\"end_reason\":\"%s\"",
                bnc_end_reason_name(p->end_reason));
    else
        fputs(",\"end_reason\":null", f);
    if (p->ended_by)
        fprintf(f, ",\"ended_by\":\"%s\"", bnc_ender_name(p->ended_by));
    else
        fputs(",\"ended_by\":null", f);
    fprintf(f,
            ",\"sessions_held\":%u,\"sessions_planned\":%u,"
            "\"sessions_cancelled\":%u,\"absent_mentor\":%u,"
            "\"absent_mentee\":%u,\"objectives_defined\":%u,"
            "\"objectives_reached\":%u,\"first_held\":",
            p->sessions_held, p->sessions_planned, p->sessions_cancelled,
            p->absent_mentor, p->absent_mentee, p->objectives_defined,
            p->objectives_reached);
    json_date(f, p->first_held);
    fputs(",\"last_held\":", f);
    json_date(f, p->last_held);
    fprintf(f, ",\"objectives_abandoned\":%u,\"first_meeting_mode\":",
            p->objectives_abandoned);
    if (p->first_held != 0)
        fprintf(f, "\"%s\",\"first_meeting_in_person\":%s",
                bnc_session_mode_name(p->first_mode),
                p->first_mode == BN_MODE_IN_PERSON ? "true" : "false");
    else
        fputs("null,\"first_meeting_in_person\":null", f);
    fprintf(f,
            ",\"run_days\":%u,\"expected_sessions\":%u,"
            "\"minimum_duration_reached\":%s,"
            "\"minimum_duration_override\":%s,\"at_risk\":%s,"
            "\"days_without_session\":",
            r->run_days, r->expected_sessions,
            r->min_duration_reached ? "true" : "false",
            p->min_override ? "true" : "false", r->at_risk ? "true" : "false");
    if (p->status == BN_PAIR_ACTIVE)
        fprintf(f, "%u", r->days_without);
    else
        fputs("null", f);
    fprintf(f,
            ",\"objectives_overdue\":%u,\"objectives_on_time\":%u,"
            "\"diagnosis_date\":",
            p->objectives_overdue, p->objectives_on_time);
    json_date(f, p->diagnosis_date);
    fprintf(f, ",\"follow_ups_held\":%u,\"follow_ups_planned\":%u}",
            p->follow_ups_held, p->follow_ups_planned);
    return rc;
}

/* json_feedback: ,"structure_signature":{...},"questionnaire":{...}|null;
 * the counts and means only from BNC_QUESTIONNAIRE_BATCH answers. */
static int json_feedback(FILE *f, const bnc_feedback *fb)
{
    int enough = fb->answers >= BNC_QUESTIONNAIRE_BATCH;
    int rc = 0;

    fprintf(f, ",\"structure_signature\":{\"signed\":%s",
            fb->charter_signed ? "true" : "false");
    if (fb->charter_signed) {
        fputs(",\"date\":", f);
        json_date(f, fb->charter_date);
        fprintf(f, ",\"by\":%" PRIu64 ",\"current_charter\":%s", fb->charter_by,
                fb->charter_current ? "true" : "false");
    }
    fputs("},\"questionnaire\":", f);
    if (fb->nquestions == 0 && fb->answers == 0 && fb->pending == 0) {
        fputs("null", f);
        return 0;
    }
    fprintf(f,
            "{\"answers\":%u,\"waiting\":%u,\"enough\":%s,"
            "\"questions\":[",
            fb->answers, fb->pending, enough ? "true" : "false");
    for (size_t q = 0; q < fb->nquestions && rc == 0; q++) {
        fprintf(f, "%s{\"text\":", q ? "," : "");
        rc = json_str(f, fb->questions[q]);
        if (enough)
            fprintf(f, ",\"mean\":%.4f,\"counts\":[%u,%u,%u,%u,%u]}",
                    bnc_feedback_mean(fb, q), fb->rated[q][0], fb->rated[q][1],
                    fb->rated[q][2], fb->rated[q][3], fb->rated[q][4]);
        else
            fputs(",\"mean\":null,\"counts\":null}", f);
    }
    fputs("],\"objectives_met\":", f);
    if (enough)
        fprintf(f, "{\"yes\":%u,\"partly\":%u,\"no\":%u}}", fb->objectives_yes,
                fb->objectives_partly, fb->objectives_no);
    else
        fputs("null}", f);
    return rc;
}

/* json_members writes the member rows (issue 14). */
static int json_members(FILE *f, const bnc_stats *s)
{
    int rc = 0;
    fputs(",\"member_rows\":[", f);
    for (size_t i = 0; i < s->nmembers && rc == 0; i++) {
        const bnc_stats_member *m = &s->members[i];
        fprintf(f,
                "%s{\"pair_id\":%" PRIu64 ",\"account_id\":%" PRIu64
                ",\"name\":",
                i ? "," : "", m->pair_id, m->account_id);
        rc = json_str(f, m->name);
        fprintf(f, ",\"side\":\"%s\",\"sessions_held\":%u,\"absences\":%u}",
                side_name(m->side), m->sessions_held, m->absences);
    }
    fputc(']', f);
    return rc;
}

int bnc_stats_write_json(FILE *f, const bnc_stats *s,
                         const bnc_stats_derived *d)
{
    char lab[8];
    int rc;

    fprintf(f, "{\"programme\":{\"id\":%" PRIu64 ",\"name\":", s->programme.id);
    rc = json_str(f, s->programme.name);
    fputs(",\"theme\":", f);
    if (rc == 0)
        rc = json_str(f, s->programme.theme);
    fprintf(f,
            ",\"months\":%u,\"frequency\":\"%s\",\"format\":\"%s\",\"start\":",
            s->programme.months, bnc_frequency_name(s->programme.frequency),
            bnc_format_name(s->programme.format));
    json_date(f, s->programme.start_date);
    fputs(",\"end\":", f);
    json_date(f, s->programme.end_date);
    fputs("},\"today\":", f);
    json_date(f, d->today);
    fprintf(f,
            ",\"expected_interval_days\":%u,\"risk_after_days\":%.1f,"
            "\"pairs\":{\"total\":%u,\"pending\":%u,\"active\":%u,"
            "\"completed\":%u,\"withdrawn\":%u,\"erased\":%u},"
            "\"mentors\":%u,\"mentees\":%u,"
            "\"sessions\":{\"held\":%u,\"planned\":%u,\"cancelled\":%u},"
            "\"absences\":{\"mentor\":%u,\"mentee\":%u},"
            "\"objectives\":{\"defined\":%u,\"reached\":%u,\"reach_rate\":",
            d->interval_days, d->risk_after_days, d->pairs_total,
            s->pairs_pending, s->pairs_active, d->pairs_completed,
            d->pairs_ended - d->pairs_completed, s->pairs_erased, s->mentors,
            s->mentees, s->sessions_held, s->sessions_planned,
            s->sessions_cancelled, s->absent_mentor, s->absent_mentee,
            s->objectives_defined, s->objectives_reached);
    json_ratio(f, d->objectives_reach);
    fprintf(f,
            "},\"objectives_abandoned\":%u,\"first_meeting\":{\"in_person\":"
            "%u,\"pairs_met\":%u",
            s->objectives_abandoned, d->pairs_first_in_person,
            d->pairs_first_held);
    fprintf(f,
            "},\"deliverables\":{\"objectives_overdue\":%u,"
            "\"objectives_on_time\":%u,\"pairs_with_diagnosis\":%u,"
            "\"follow_ups_held\":%u,\"follow_ups_planned\":%u",
            s->objectives_overdue, s->objectives_on_time,
            s->pairs_with_diagnosis, s->follow_ups_held, s->follow_ups_planned);
    fprintf(f, "},\"completion\":{\"completed\":%u,\"ended\":%u,\"rate\":",
            d->pairs_completed, d->pairs_ended);
    json_ratio(f, d->completion);
    fprintf(f, "},\"ended_by\":{\"mentor\":%u,\"mentee\":%u,\"coordinator\":%u",
            d->ended_by_mentor, d->ended_by_mentee, d->ended_by_coordinator);
    fprintf(f,
            "},\"minimum_duration\":{\"months\":%u,\"reached\":%u,"
            "\"started\":%u,\"rate\":",
            s->programme.months, d->min_duration_pairs, d->pairs_started);
    json_ratio(f, d->min_duration);
    fputs("},\"median_days_to_first_session\":", f);
    json_figure(f, d->median_days_to_first);
    fprintf(f, ",\"pairs_with_held_session\":%u,", d->median_sample);
    fputs("\"sessions_per_pair_per_month\":", f);
    json_figure(f, d->sessions_per_pair_month);
    fprintf(f, ",\"expected_sessions_per_pair_per_month\":%.4f,\"months\":[",
            d->expected_per_month);
    for (size_t i = 0; i < d->nmonths; i++) {
        const bnc_stats_month_row *m = &d->months[i];
        month_label(lab, m->month);
        fprintf(f,
                "%s{\"month\":\"%s\",\"held\":%u,\"planned\":%u,"
                "\"cancelled\":%u,\"pairs_running\":%u,\"held_per_pair\":",
                i ? "," : "", lab, m->held, m->planned, m->cancelled,
                m->pairs_running);
        json_figure(f, m->held_per_pair);
        fprintf(f, ",\"expected_per_pair\":%.4f}", m->expected_per_pair);
    }
    fputs("],\"at_risk\":[", f);
    for (size_t i = 0; i < d->nat_risk && rc == 0; i++) {
        const bnc_stats_pair *p = &s->pairs[d->at_risk[i]];
        const bnc_stats_pair_row *r = &d->pairs[d->at_risk[i]];
        fprintf(f, "%s{\"pair_id\":%" PRIu64 ",\"mentor\":", i ? "," : "",
                p->pair_id);
        rc = json_str(f, p->mentor_name);
        fputs(",\"mentee\":", f);
        if (rc == 0)
            rc = json_str(f, p->mentee_name);
        fputs(",\"last_held\":", f);
        json_date(f, p->last_held);
        fputs(",\"since\":", f);
        json_date(f, r->since);
        fprintf(f, ",\"days_without_session\":%u}", r->days_without);
    }
    fputs("],\"pair_rows\":[", f);
    for (size_t i = 0; i < s->npairs && rc == 0; i++) {
        if (i)
            fputc(',', f);
        rc = json_pair(f, &s->pairs[i], &d->pairs[i]);
    }
    fputc(']', f);
    if (rc == 0)
        rc = json_members(f, s);
    if (rc == 0)
        rc = json_feedback(f, &s->feedback);
    fputs("}\n", f);
    return rc != 0 ? rc : done(f);
}

/* ---- CSV --------------------------------------------------------------- */

/*
 * csv_text writes a quoted field: quotes doubled (RFC 4180), control
 * characters replaced by '?', and an apostrophe before a leading = + - @
 * so that a spreadsheet shows the name instead of running it.
 */
static void csv_text(FILE *f, const char *s)
{
    bn_buf b = {0};
    const char *e = escaped(&b, s);

    fputc('"', f);
    if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
        fputc('\'', f);
    for (const char *c = e != NULL ? e : s; *c; c++) {
        if (*c == '"')
            fputs("\"\"", f);
        else if (e != NULL || (*c >= 0x20 && *c < 0x7f))
            fputc(*c, f);
        else
            fputc('?', f);
    }
    fputc('"', f);
    bn_buf_free(&b);
}

/*
 * csv_feedback: once the structure signed the charter or the programme has
 * a questionnaire, a second table after an empty line (the pair table
 * stays one header and one row per pair): figure,question,answers,mean,
 * rated_1..rated_5. Counts and means only from BNC_QUESTIONNAIRE_BATCH
 * answers; before, answers says "fewer than 5".
 */
static void csv_feedback(FILE *f, const bnc_feedback *fb)
{
    int has_q = fb->nquestions > 0 || fb->answers > 0 || fb->pending > 0;
    int enough = fb->answers >= BNC_QUESTIONNAIRE_BATCH;
    char day[11];

    if (!fb->charter_signed && !has_q)
        return;
    fputs("\r\nfigure,question,answers,mean,rated_1,rated_2,rated_3,rated_4,"
          "rated_5\r\n",
          f);
    fprintf(f, "structure_signed,,%s,,,,,,\r\n",
            fb->charter_signed ? date_or(day, fb->charter_date, "") : "no");
    if (!has_q)
        return;
    if (enough)
        fprintf(f, "questionnaire_answers,,%u,,,,,,\r\n", fb->answers);
    else
        fprintf(f, "questionnaire_answers,,fewer than %d,,,,,,\r\n",
                BNC_QUESTIONNAIRE_BATCH);
    for (size_t q = 0; q < fb->nquestions; q++) {
        fputs("question,", f);
        csv_text(f, fb->questions[q]);
        if (enough)
            fprintf(f, ",%u,%.2f,%u,%u,%u,%u,%u\r\n", fb->answers,
                    bnc_feedback_mean(fb, q), fb->rated[q][0], fb->rated[q][1],
                    fb->rated[q][2], fb->rated[q][3], fb->rated[q][4]);
        else
            fputs(",,,,,,,\r\n", f);
    }
    if (enough)
        fprintf(f,
                "objectives_met,yes,%u,,,,,,\r\nobjectives_met,partly,%u,,,,,,"
                "\r\nobjectives_met,no,%u,,,,,,\r\n",
                fb->objectives_yes, fb->objectives_partly, fb->objectives_no);
}

int bnc_stats_write_csv(FILE *f, const bnc_stats *s, const bnc_stats_derived *d)
{
    char a[11], b[11], c[11], e[11], g[11];

    fputs("pair_id,mentor,mentee,status,created,start,end,end_reason,"
          "sessions_held,sessions_planned,sessions_cancelled,absent_mentor,"
          "absent_mentee,objectives_defined,objectives_reached,first_held,"
          "last_held,run_days,expected_sessions,minimum_duration_reached,"
          "at_risk,days_without_session,objectives_abandoned,"
          "first_meeting_mode,ended_by,minimum_duration_override,"
          "objectives_overdue,objectives_on_time,diagnosis_date,"
          "follow_ups_held,follow_ups_planned\r\n",
          f);
    for (size_t i = 0; i < s->npairs; i++) {
        const bnc_stats_pair *p = &s->pairs[i];
        const bnc_stats_pair_row *r = &d->pairs[i];
        fprintf(f, "%" PRIu64 ",", p->pair_id);
        csv_text(f, p->mentor_name);
        fputc(',', f);
        csv_text(f, p->mentee_name);
        fprintf(
            f, ",%s,%s,%s,%s,%s,%u,%u,%u,%u,%u,%u,%u,%s,%s,%u,%u,%s,%s,",
            bnc_pair_status_name(p->status), date_or(a, p->created_date, ""),
            date_or(b, p->start_date, ""), date_or(c, p->end_date, ""),
            p->end_reason ? bnc_end_reason_name(p->end_reason) : "",
            p->sessions_held, p->sessions_planned, p->sessions_cancelled,
            p->absent_mentor, p->absent_mentee, p->objectives_defined,
            p->objectives_reached, date_or(e, p->first_held, ""),
            date_or(g, p->last_held, ""), r->run_days, r->expected_sessions,
            r->min_duration_reached ? "yes" : "no", r->at_risk ? "yes" : "no");
        if (p->status == BN_PAIR_ACTIVE)
            fprintf(f, "%u", r->days_without);
        fprintf(f, ",%u,%s,%s,%s,%u,%u,%s,%u,%u\r\n", p->objectives_abandoned,
                p->first_held ? bnc_session_mode_name(p->first_mode) : "",
                bnc_ender_name(p->ended_by), p->min_override ? "yes" : "no",
                p->objectives_overdue, p->objectives_on_time,
                date_or(a, p->diagnosis_date, ""), p->follow_ups_held,
                p->follow_ups_planned);
    }
    csv_feedback(f, &s->feedback);
    /* issue 14: each member's attendance, a table of its own after an
     * empty line, each row starting with the word "member" (a pair row
     * starts with its id) */
    if (s->nmembers > 0)
        fputs("\r\nfigure,pair_id,account_id,member,side,sessions_held,"
              "absences\r\n",
              f);
    for (size_t i = 0; i < s->nmembers; i++) {
        const bnc_stats_member *m = &s->members[i];
        fprintf(f, "member,%" PRIu64 ",%" PRIu64 ",", m->pair_id,
                m->account_id);
        csv_text(f, m->name);
        fprintf(f, ",%s,%u,%u\r\n", side_name(m->side), m->sessions_held,
                m->absences);
    }
    return done(f);
}
