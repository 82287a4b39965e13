/*
 * bnc_stats_html.c: the programme report as one self-contained HTML page:
 * inline CSS, charts drawn here as inline SVG, no script and no external
 * asset, laid out for a screen and for A4 paper. Every name is escaped.
 */
#include "bnc_internal.h"

#include <inttypes.h>
#include <math.h> /* M_PI */
#include <string.h>

static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr",
                                           "May", "Jun", "Jul", "Aug",
                                           "Sep", "Oct", "Nov", "Dec"};

/* Palette: one colour per meaning, kept for print. */
#define C_HELD "#2563eb"
#define C_EXPECTED "#d97706"
#define C_GRID "#e5e7eb"
#define C_AXIS "#6b7280"
#define C_TEXT "#111827"
#define C_RISK "#dc2626"
#define C_OK "#16a34a"

static const char *const status_color[BN_PAIR_STATUS_MAX + 1] = {
    "#9ca3af", "#a5b4fc", "#2563eb", "#16a34a", "#d97706", "#6b7280"};

/*
 * esc writes s as HTML text (also safe in attributes and SVG): & < > " '
 * as entities, control characters as '?', invalid UTF-8 as U+FFFD; at
 * most max characters (0: all), a longer text ending with an ellipsis.
 */
static void esc(FILE *f, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t chars = 0, n = strlen(s);

    for (size_t i = 0; p[i]; chars++) {
        size_t k = bn_utf8_seq(p + i, n - i);
        if (max && chars + 1 == max && p[i + (k ? k : 1)]) {
            fputs("&#8230;", f);
            return;
        }
        if (k == 0) {
            fputs("&#xFFFD;", f);
            i++;
            continue;
        }
        switch (p[i]) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            if (p[i] < 0x20 || p[i] == 0x7f)
                fputc('?', f);
            else
                fwrite(p + i, 1, k, f);
        }
        i += k;
    }
}

static const char *date_or(char out[11], uint32_t day, const char *dash)
{
    if (day == 0)
        return dash;
    bn_date_format(out, day);
    return out;
}

/* nice_max rounds v up to 1, 2, 2.5 or 5 times a power of ten (at least
 * 1), so that bar lengths compare on a round scale. */
static double nice_max(double v)
{
    static const double steps[] = {1, 2, 2.5, 5, 10};
    double p = 1;

    if (v <= 1)
        return 1;
    while (p * 10 < v)
        p *= 10;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] * p >= v)
            return steps[i] * p;
    return 10 * p;
}

/* axis_step picks a step of 1, 2 or 5 times a power of ten giving at most
 * five ticks up to v: the axis then ends at a multiple of it. */
static double axis_step(double v)
{
    double p = 1;

    for (;;) {
        if (p * 5 >= v)
            return p;
        if (p * 2 * 5 >= v)
            return p * 2;
        if (p * 5 * 5 >= v)
            return p * 5;
        p *= 10;
    }
}

static void pct(char out[16], bnc_ratio r)
{
    if (bnc_ratio_defined(r))
        snprintf(out, 16, "%.0f&#8201;%%", 100.0 * bnc_ratio_value(r));
    else
        snprintf(out, 16, "n/a");
}

static const char css[] =
    "*{box-sizing:border-box;-webkit-print-color-adjust:exact;"
    "print-color-adjust:exact}"
    "body{margin:0 auto;max-width:1120px;padding:28px 32px 40px;"
    "font:14px/1.45 'Inter','Segoe UI','Helvetica Neue',Arial,"
    "'DejaVu Sans',sans-serif;color:#111827;background:#fff}"
    "header{border-bottom:3px solid #2563eb;padding-bottom:14px;"
    "margin-bottom:22px}"
    ".brand{font-size:12px;letter-spacing:.12em;text-transform:uppercase;"
    "color:#2563eb;font-weight:700}"
    "h1{font-size:28px;margin:4px 0 4px;line-height:1.2}"
    ".sub{color:#4b5563;margin:0}"
    "h2{font-size:17px;margin:0 0 4px}"
    ".kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;"
    "margin-bottom:22px}"
    ".kpi{border:1px solid #e5e7eb;border-radius:10px;padding:12px 14px;"
    "background:#f9fafb}"
    ".kpi .v{font-size:26px;font-weight:700;line-height:1.15}"
    ".kpi .l{font-size:12px;color:#4b5563;text-transform:uppercase;"
    "letter-spacing:.05em}"
    ".kpi .d{font-size:12px;color:#6b7280}"
    ".kpi.alert{border-color:#fecaca;background:#fef2f2}"
    ".kpi.alert .v{color:#dc2626}.kpi.good .v{color:#16a34a}"
    ".card{border:1px solid #e5e7eb;border-radius:10px;padding:16px 18px;"
    "margin-bottom:18px;break-inside:avoid}"
    ".grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}"
    ".grid2 .card{margin-bottom:18px}"
    ".note{color:#6b7280;font-size:12px;margin:2px 0 8px}"
    "svg{display:block;width:100%;height:auto}"
    "table{border-collapse:collapse;width:100%;font-size:12px}"
    "th{text-align:left;font-weight:600;color:#374151;"
    "border-bottom:2px solid #d1d5db;padding:5px 6px;white-space:nowrap}"
    "td{border-bottom:1px solid #eef0f3;padding:4px 6px}"
    "td.d{white-space:nowrap;font-variant-numeric:tabular-nums}"
    "#pairs{font-size:11px}#pairs th{white-space:normal;vertical-align:bottom}"
    "th small{font-weight:400;color:#6b7280}"
    "strong{white-space:nowrap}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "tbody tr:nth-child(even){background:#f9fafb}"
    ".pill{display:inline-block;padding:1px 8px;border-radius:999px;"
    "font-size:11px;color:#fff;white-space:nowrap}"
    ".pill.risk{background:#dc2626;margin-left:3px}"
    ".risk-days{color:#dc2626;font-weight:700}"
    ".badge{display:inline-block;min-width:22px;padding:0 7px;"
    "border-radius:999px;background:#dc2626;color:#fff;font-size:13px;"
    "text-align:center;vertical-align:2px}"
    ".badge.zero{background:#16a34a}"
    "footer{margin-top:26px;color:#6b7280;font-size:11px;"
    "border-top:1px solid #e5e7eb;padding-top:8px}"
    "@page{size:A4;margin:12mm}"
    "@media print{body{max-width:none;padding:0;font-size:11px}"
    ".kpi .v{font-size:20px}h1{font-size:22px}"
    "thead{display:table-header-group}tr{break-inside:avoid}"
    "h2{break-after:avoid}.pairs{break-before:page}}";

static void kpi(FILE *f, const char *cls, const char *label, const char *value,
                const char *detail)
{
    fprintf(f,
            "<div class=\"kpi %s\"><div class=\"l\">%s</div>"
            "<div class=\"v\">%s</div><div class=\"d\">%s</div></div>\n",
            cls, label, value, detail);
}

static void kpis(FILE *f, const bnc_stats *s, const bnc_stats_derived *d)
{
    char v[64], t[160];

    fputs("<section class=\"kpis\">\n", f);
    snprintf(v, sizeof v, "%u", s->pairs_active);
    snprintf(t, sizeof t, "of %u pairs; %u pending", d->pairs_total,
             s->pairs_pending);
    kpi(f, "", "Active pairs", v, t);
    snprintf(v, sizeof v, "%zu", d->nat_risk);
    snprintf(t, sizeof t, "no session for over %.0f days", d->risk_after_days);
    kpi(f, d->nat_risk ? "alert" : "good", "Pairs at risk", v, t);
    pct(v, d->completion);
    snprintf(t, sizeof t, "%u completed of %u ended", d->pairs_completed,
             d->pairs_ended);
    kpi(f, "", "Completion rate", v, t);
    snprintf(v, sizeof v, "%u", d->ended_by_coordinator);
    snprintf(t, sizeof t,
             "ended by the coordinator; by the mentor %u, by the mentee %u",
             d->ended_by_mentor, d->ended_by_mentee);
    kpi(f, "", "Ended by the coordinator", v, t);
    pct(v, d->min_duration);
    snprintf(t, sizeof t, "%u of %u started pairs ran %u months",
             d->min_duration_pairs, d->pairs_started, s->programme.months);
    kpi(f, "", "Minimum duration", v, t);
    pct(v, d->objectives_reach);
    snprintf(t, sizeof t, "%u reached of %u defined; %u abandoned",
             s->objectives_reached, s->objectives_defined,
             s->objectives_abandoned);
    kpi(f, "", "Objectives reached", v, t);
    snprintf(v, sizeof v, "%u", d->pairs_first_in_person);
    snprintf(t, sizeof t, "of %u pairs that met: first meeting in person",
             d->pairs_first_held);
    kpi(f, "", "First met in person", v, t);
    snprintf(v, sizeof v, "%u", s->objectives_overdue);
    snprintf(t, sizeof t,
             "objectives past their target date, still open; %u reached by "
             "their target",
             s->objectives_on_time);
    kpi(f, s->objectives_overdue ? "alert" : "", "Objectives overdue", v, t);
    snprintf(v, sizeof v, "%u", s->pairs_with_diagnosis);
    snprintf(t, sizeof t, "of %u pairs made their self-diagnosis",
             d->pairs_total);
    kpi(f, "", "Self-diagnosis", v, t);
    snprintf(v, sizeof v, "%u", s->follow_ups_held);
    snprintf(t, sizeof t,
             "held after the pairs completed (counted apart); %u planned",
             s->follow_ups_planned);
    kpi(f, "", "Follow-up sessions", v, t);
    if (d->sessions_per_pair_month.defined)
        snprintf(v, sizeof v, "%.2f", d->sessions_per_pair_month.value);
    else
        snprintf(v, sizeof v, "n/a");
    snprintf(t, sizeof t, "held per pair per month; expected %.2f",
             d->expected_per_month);
    kpi(f, "", "Meeting rhythm", v, t);
    if (d->median_days_to_first.defined)
        snprintf(v, sizeof v, "%.1f d", d->median_days_to_first.value);
    else
        snprintf(v, sizeof v, "n/a");
    snprintf(t, sizeof t, "median from the start to first session (%u pairs)",
             d->median_sample);
    kpi(f, "", "First session", v, t);
    snprintf(v, sizeof v, "%u", s->sessions_held);
    snprintf(t, sizeof t,
             "%u planned, %u cancelled; absences: mentor %u, mentee %u",
             s->sessions_planned, s->sessions_cancelled, s->absent_mentor,
             s->absent_mentee);
    kpi(f, "", "Sessions held", v, t);
    fputs("</section>\n", f);
}

/* chart_sessions: bars of sessions held per month, and a dashed line of
 * what the pairs running that month were expected to hold. */
static void chart_sessions(FILE *f, const bnc_stats_derived *d)
{
    const double W = 1000, H = 300, ml = 48, mr = 16, mt = 34, mb = 46;
    const double pw = W - ml - mr, ph = H - mt - mb;
    double top = 0;
    size_t n = d->nmonths, every;

    fprintf(f,
            "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
            "aria-label=\"Sessions held per month\" "
            "font-family=\"inherit\" font-size=\"12\">\n",
            W, H);
    if (n == 0) {
        fprintf(f,
                "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" "
                "fill=\"" C_AXIS "\">No session recorded yet</text></svg>\n",
                W / 2, H / 2);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double e = d->months[i].pairs_running * d->months[i].expected_per_pair;
        top = d->months[i].held > top ? d->months[i].held : top;
        top = e > top ? e : top;
    }
    double step = axis_step(top > 1 ? top : 1);
    int ticks = (int)(top / step);
    if (ticks * step < top || ticks < 1)
        ticks++;
    top = step * ticks;
    for (int t = 0; t <= ticks; t++) {
        double y = mt + ph - ph * t / ticks;
        fprintf(f,
                "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"" C_GRID "\"/>"
                "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" "
                "fill=\"" C_AXIS "\">%g</text>\n",
                ml, W - mr, y, y, ml - 8, y + 4, step * t);
    }
    double slot = pw / (double)n, bw = slot * 0.64;
    every = n <= 18 ? 1 : (n + 17) / 18;
    for (size_t i = 0; i < n; i++) {
        const bnc_stats_month_row *m = &d->months[i];
        double x = ml + slot * i + (slot - bw) / 2, h = ph * m->held / top;
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                "rx=\"2\" fill=\"" C_HELD "\"><title>%u held</title></rect>\n",
                x, mt + ph - h, bw, h, m->held);
        if (n <= 24 && m->held > 0)
            fprintf(f,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                    "font-size=\"11\" fill=\"" C_TEXT "\">%u</text>\n",
                    x + bw / 2, mt + ph - h - 4, m->held);
        if (i % every == 0) {
            unsigned mo = m->month % 12, yr = m->month / 12;
            fprintf(f,
                    "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" "
                    "fill=\"" C_AXIS "\">%s</text>",
                    ml + slot * (i + 0.5), H - mb + 16, month_abbr[mo]);
            if (i == 0 || mo < every)
                fprintf(f,
                        "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" "
                        "font-weight=\"600\" fill=\"" C_AXIS "\">%u</text>",
                        ml + slot * (i + 0.5), H - mb + 32, yr);
            fputc('\n', f);
        }
    }
    fputs("<polyline fill=\"none\" stroke=\"" C_EXPECTED "\" "
          "stroke-width=\"2.5\" stroke-dasharray=\"7 5\" points=\"",
          f);
    for (size_t i = 0; i < n; i++) {
        double e = d->months[i].pairs_running * d->months[i].expected_per_pair;
        fprintf(f, "%s%.1f,%.1f", i ? " " : "", ml + slot * (i + 0.5),
                mt + ph - ph * e / top);
    }
    fputs("\"/>\n", f);
    fprintf(
        f,
        "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" "
        "stroke=\"" C_AXIS "\"/>\n"
        "<rect x=\"%.0f\" y=\"6\" width=\"14\" height=\"14\" rx=\"2\" "
        "fill=\"" C_HELD "\"/><text x=\"%.0f\" y=\"17\" fill=\"" C_TEXT
        "\">Held</text>"
        "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"13\" y2=\"13\" stroke=\"" C_EXPECTED
        "\" stroke-width=\"2.5\" stroke-dasharray=\"7 5\"/>"
        "<text x=\"%.0f\" y=\"17\" fill=\"" C_TEXT
        "\">Expected for the pairs running</text>\n</svg>\n",
        ml, W - mr, mt + ph, mt + ph, ml, ml + 20, ml + 70, ml + 100, ml + 108);
}

/* hbar draws one labelled horizontal bar. */
static void hbar(FILE *f, double y, const char *label, uint32_t v, double max,
                 double x0, double wmax, const char *color)
{
    double w = max > 0 ? wmax * v / max : 0;
    fprintf(f,
            "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"" C_TEXT
            "\">%s</text>"
            "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"20\" rx=\"3\" "
            "fill=\"%s\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"600\" fill=\"" C_TEXT
            "\">%u</text>\n",
            x0 - 10, y + 14, label, x0, y, w < 1 && v ? 1 : w, color,
            x0 + w + 6, y + 14, v);
}

/* Completed and withdrawn count erased pairs by how they ended; the last
 * bar says how many of the ended pairs were erased. */
static void chart_status(FILE *f, const bnc_stats *s,
                         const bnc_stats_derived *d)
{
    const uint32_t v[BN_PAIR_STATUS_MAX + 1] = {0,
                                                s->pairs_pending,
                                                s->pairs_active,
                                                d->pairs_completed,
                                                d->pairs_ended -
                                                    d->pairs_completed,
                                                s->pairs_erased};
    static const char *const label[BN_PAIR_STATUS_MAX + 1] = {
        "", "Pending", "Active", "Completed", "Withdrawn", "Of these, erased"};
    double max = 0;

    for (int i = 1; i <= BN_PAIR_STATUS_MAX; i++)
        max = v[i] > max ? v[i] : max;
    fputs("<svg viewBox=\"0 0 480 200\" role=\"img\" aria-label=\"Pairs by "
          "status\" font-family=\"inherit\" font-size=\"13\">\n",
          f);
    for (int i = 1; i <= BN_PAIR_STATUS_MAX; i++)
        hbar(f, 12 + 36.0 * (i - 1), label[i], v[i], nice_max(max), 110, 320,
             status_color[i]);
    fputs("</svg>\n", f);
}

static void chart_objectives(FILE *f, const bnc_stats *s,
                             const bnc_stats_derived *d)
{
    const double r = 58, c = 2 * M_PI * r;
    double rate = bnc_ratio_value(d->objectives_reach);
    double max = nice_max(s->objectives_defined > s->objectives_reached
                              ? s->objectives_defined
                              : s->objectives_reached);
    char p[16];

    rate = rate > 1 ? 1 : rate;
    pct(p, d->objectives_reach);
    fprintf(f,
            "<svg viewBox=\"0 0 480 200\" role=\"img\" aria-label=\"Objectives "
            "defined and reached\" font-family=\"inherit\" font-size=\"13\">\n"
            "<circle cx=\"90\" cy=\"100\" r=\"%.0f\" fill=\"none\" "
            "stroke=\"" C_GRID "\" stroke-width=\"22\"/>\n",
            r);
    if (bnc_ratio_defined(d->objectives_reach))
        fprintf(f,
                "<circle cx=\"90\" cy=\"100\" r=\"%.0f\" fill=\"none\" "
                "stroke=\"" C_OK "\" stroke-width=\"22\" "
                "stroke-dasharray=\"%.1f %.1f\" "
                "transform=\"rotate(-90 90 100)\"/>\n",
                r, c * rate, c);
    fprintf(f,
            "<text x=\"90\" y=\"104\" text-anchor=\"middle\" font-size=\"24\" "
            "font-weight=\"700\" fill=\"" C_TEXT "\">%s</text>"
            "<text x=\"90\" y=\"124\" text-anchor=\"middle\" font-size=\"11\" "
            "fill=\"" C_AXIS "\">reached</text>\n",
            p);
    hbar(f, 64, "Defined", s->objectives_defined, max, 260, 170, "#93c5fd");
    hbar(f, 112, "Reached", s->objectives_reached, max, 260, 170, C_OK);
    fputs("</svg>\n", f);
}

/* chart_risk: days without a held session of the worst pairs at risk,
 * against the expected interval and the risk threshold. */
static void chart_risk(FILE *f, const bnc_stats *s, const bnc_stats_derived *d)
{
    const double W = 1000, x0 = 330, wmax = W - x0 - 90;
    size_t n = d->nat_risk < 12 ? d->nat_risk : 12;
    double H = n ? 46 + 28.0 * n : 64, max;

    fprintf(f,
            "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"Pairs "
            "at risk\" font-family=\"inherit\" font-size=\"13\">\n",
            W, H);
    if (n == 0) {
        fprintf(f,
                "<text x=\"20\" y=\"38\" font-size=\"15\" fill=\"" C_OK "\">"
                "No active pair is at risk: every one held a session in the "
                "last %.0f days.</text></svg>\n",
                d->risk_after_days);
        return;
    }
    max = d->pairs[d->at_risk[0]].days_without;
    max = nice_max(max > d->risk_after_days ? max : d->risk_after_days);
    for (size_t i = 0; i < n; i++) {
        const bnc_stats_pair *p = &s->pairs[d->at_risk[i]];
        const bnc_stats_pair_row *r = &d->pairs[d->at_risk[i]];
        double y = 30 + 28.0 * i, w = wmax * r->days_without / max;
        fprintf(f,
                "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"" C_TEXT
                "\">#%" PRIu64 " ",
                x0 - 10, y + 14, p->pair_id);
        esc(f, p->mentor_name, 18);
        fputs(" &amp; ", f);
        esc(f, p->mentee_name, 18);
        fprintf(f,
                "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" "
                "height=\"18\" rx=\"3\" fill=\"" C_RISK "\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"600\" fill=\"" C_RISK
                "\">%u days</text>\n",
                x0, y, w, x0 + w + 6, y + 14, r->days_without);
    }
    for (int k = 0; k < 2; k++) {
        double v = k ? d->risk_after_days : d->interval_days;
        double x = x0 + wmax * v / max;
        fprintf(f,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"22\" y2=\"%.0f\" "
                "stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"%s\"/>"
                "<text x=\"%.1f\" y=\"15\" text-anchor=\"%s\" "
                "font-size=\"11\" fill=\"%s\">%s %.0f d</text>\n",
                x, x, H - 8, k ? C_TEXT : C_AXIS, k ? "5 4" : "2 3",
                k ? x + 4 : x - 4, k ? "start" : "end", k ? C_TEXT : C_AXIS,
                k ? "at risk after" : "expected every", v);
    }
    fputs("</svg>\n", f);
}

static void risk_table(FILE *f, const bnc_stats *s, const bnc_stats_derived *d)
{
    char a[11], b[11];

    if (d->nat_risk == 0)
        return;
    fputs("<table id=\"at-risk\" class=\"risk-table\"><thead><tr>"
          "<th class=\"n\">Pair</th><th>Mentor</th><th>Mentee</th>"
          "<th>Started</th><th>Last held session</th>"
          "<th class=\"n\">Sessions held</th>"
          "<th class=\"n\">Days without session</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < d->nat_risk; i++) {
        const bnc_stats_pair *p = &s->pairs[d->at_risk[i]];
        const bnc_stats_pair_row *r = &d->pairs[d->at_risk[i]];
        fprintf(f, "<tr><td class=\"n\">%" PRIu64 "</td><td>", p->pair_id);
        esc(f, p->mentor_name, 0);
        fputs("</td><td>", f);
        esc(f, p->mentee_name, 0);
        fprintf(f,
                "</td><td class=\"d\">%s</td><td class=\"d\">%s</td>"
                "<td class=\"n\">%u</td>"
                "<td class=\"n risk-days\">%u</td></tr>\n",
                date_or(a, p->start_date, "&#8212;"),
                date_or(b, p->last_held, "never"), p->sessions_held,
                r->days_without);
    }
    fputs("</tbody></table>\n", f);
}

static void pairs_table(FILE *f, const bnc_stats *s, const bnc_stats_derived *d)
{
    char a[11], b[11], c[11], e[11], g[11];

    fputs("<section class=\"card pairs\"><h2>All pairs</h2>"
          "<p class=\"note\">Dates, statuses and counts only: binome's server "
          "holds no note content, and neither does this report.</p>\n"
          "<table id=\"pairs\"><thead><tr><th class=\"n\">Pair</th>"
          "<th>Mentor</th><th>Mentee</th><th>Status</th><th>Paired</th>"
          "<th>Start</th><th>End</th><th class=\"n\">Held</th>"
          "<th class=\"n\">Planned</th><th class=\"n\">Cancelled</th>"
          "<th class=\"n\">Absences<br><small>mentor / mentee</small></th>"
          "<th class=\"n\">Objectives<br><small>reached / defined</small>"
          "</th><th class=\"n\">Objectives<br><small>abandoned</small></th>"
          "<th>First meeting</th><th>Last held</th><th>Minimum<br>duration</th>"
          "<th>Ended<br><small>why, by</small></th>"
          "<th class=\"n\">Objectives<br><small>overdue / on time</small>"
          "</th><th>Self-diagnosis</th>"
          "<th class=\"n\">Follow-ups<br><small>held / planned</small></th>"
          "</tr>"
          "</thead><tbody>\n",
          f);
    for (size_t i = 0; i < s->npairs; i++) {
        const bnc_stats_pair *p = &s->pairs[i];
        const bnc_stats_pair_row *r = &d->pairs[i];
        uint8_t st = p->status <= BN_PAIR_STATUS_MAX ? p->status : 0;
        fprintf(f, "<tr><td class=\"n\">%" PRIu64 "</td><td>", p->pair_id);
        esc(f, p->mentor_name, 0);
        fputs("</td><td>", f);
        esc(f, p->mentee_name, 0);
        fprintf(f,
                "</td><td class=\"d\"><span class=\"pill\" "
                "style=\"background:%s\">%s</span>%s</td><td "
                "class=\"d\">%s</td><td class=\"d\">%s"
                "</td><td class=\"d\">%s</td>"
                "<td class=\"n\">%u</td><td class=\"n\">%u</td>"
                "<td class=\"n\">%u</td><td class=\"n\">%u / %u</td>"
                "<td class=\"n\">%u / %u</td><td class=\"n\">%u</td>"
                "<td class=\"mode\">%s</td><td class=\"d\">%s</td>"
                "<td>%s</td><td class=\"ended\">%s%s%s</td>"
                "<td class=\"n\">%u / %u</td><td class=\"d\">%s</td>"
                "<td class=\"n\">%u / %u</td></tr>\n",
                status_color[st], bnc_pair_status_name(p->status),
                r->at_risk ? "<span class=\"pill risk\">at risk</span>" : "",
                date_or(a, p->created_date, "&#8212;"),
                date_or(b, p->start_date, "&#8212;"),
                date_or(c, p->end_date, "&#8212;"), p->sessions_held,
                p->sessions_planned, p->sessions_cancelled, p->absent_mentor,
                p->absent_mentee, p->objectives_reached, p->objectives_defined,
                p->objectives_abandoned,
                p->first_held ? bnc_session_mode_name(p->first_mode)
                              : "&#8212;",
                date_or(e, p->last_held, "&#8212;"),
                p->start_date == 0        ? "&#8212;"
                : r->min_duration_reached ? "reached"
                : p->min_override         ? "not reached (override)"
                : p->status == BN_PAIR_PENDING || p->status == BN_PAIR_ACTIVE
                    ? "not yet"
                    : "not reached",
                p->end_reason ? bnc_end_reason_name(p->end_reason) : "&#8212;",
                p->ended_by ? ", by the " : "", bnc_ender_name(p->ended_by),
                p->objectives_overdue, p->objectives_on_time,
                date_or(g, p->diagnosis_date, "&#8212;"), p->follow_ups_held,
                p->follow_ups_planned);
    }
    fputs("</tbody></table></section>\n", f);
}

/* members_table: each member's attendance (issue 14), by pair. */
static void members_table(FILE *f, const bnc_stats *s)
{
    fputs("<section class=\"card members\"><h2>Members</h2>"
          "<p class=\"note\">Each member's absences from the sessions their "
          "pair recorded held; held counts the pair's held sessions.</p>\n"
          "<table id=\"members\"><thead><tr><th class=\"n\">Pair</th>"
          "<th class=\"n\">Account</th><th>Member</th><th>Side</th>"
          "<th class=\"n\">Held</th><th class=\"n\">Absences</th></tr>"
          "</thead><tbody>\n",
          f);
    for (size_t i = 0; i < s->nmembers; i++) {
        const bnc_stats_member *m = &s->members[i];
        fprintf(f,
                "<tr><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64
                "</td><td>",
                m->pair_id, m->account_id);
        esc(f, m->name, 0);
        fprintf(f,
                "</td><td>%s</td><td class=\"n\">%u</td>"
                "<td class=\"n\">%u</td></tr>\n",
                m->side == BN_ROLE_MENTOR ? "mentor" : "mentee",
                m->sessions_held, m->absences);
    }
    fputs("</tbody></table></section>\n", f);
}

/* feedback_card: the structure's signature and the questionnaire's
 * aggregates (none below BNC_QUESTIONNAIRE_BATCH answers). */
static void feedback_card(FILE *f, const bnc_feedback *fb)
{
    char day[11];

    fputs("<section class=\"card\" id=\"feedback\"><h2>Charter and "
          "questionnaire</h2>\n<p>Structure's signature of the charter: ",
          f);
    if (fb->charter_signed)
        fprintf(f, "<strong>signed on %s</strong> by account %" PRIu64 "%s",
                date_or(day, fb->charter_date, "&#8212;"), fb->charter_by,
                fb->charter_current ? "" : " (an earlier charter text)");
    else
        fputs("<strong>not signed</strong>", f);
    fputs("</p>\n<p>End-of-pairing questionnaire: ", f);
    if (fb->nquestions == 0 && fb->answers == 0 && fb->pending == 0) {
        fputs("none set.</p></section>\n", f);
        return;
    }
    if (fb->answers < BNC_QUESTIONNAIRE_BATCH) {
        fprintf(f,
                "<strong>fewer than %d answers</strong> (%u waiting); "
                "answers are shown 5 at a time, never one alone.</p>"
                "</section>\n",
                BNC_QUESTIONNAIRE_BATCH, fb->pending);
        return;
    }
    fprintf(f,
            "<strong>%u answers</strong> (%u waiting).</p>\n<table "
            "id=\"questionnaire\"><thead><tr><th>Question</th><th "
            "class=\"n\">Mean</th><th class=\"n\">1</th><th "
            "class=\"n\">2</th><th class=\"n\">3</th><th class=\"n\">4</th>"
            "<th class=\"n\">5</th></tr></thead><tbody>\n",
            fb->answers, fb->pending);
    for (size_t q = 0; q < fb->nquestions; q++) {
        fputs("<tr><td>", f);
        esc(f, fb->questions[q], 0);
        fprintf(f,
                "</td><td class=\"n\">%.2f</td><td class=\"n\">%u</td><td "
                "class=\"n\">%u</td><td class=\"n\">%u</td><td "
                "class=\"n\">%u</td><td class=\"n\">%u</td></tr>\n",
                bnc_feedback_mean(fb, q), fb->rated[q][0], fb->rated[q][1],
                fb->rated[q][2], fb->rated[q][3], fb->rated[q][4]);
    }
    fprintf(f,
            "</tbody></table>\n<p>Objectives met: yes %u, partly %u, no "
            "%u.</p></section>\n",
            fb->objectives_yes, fb->objectives_partly, fb->objectives_no);
}

int bnc_stats_write_html(FILE *f, const bnc_stats *s,
                         const bnc_stats_derived *d)
{
    char today[11], pstart[11], pend[11];

    date_or(today, d->today, "&#8212;");
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width,"
          "initial-scale=1\"><title>",
          f);
    esc(f, s->programme.name, 0);
    fprintf(f,
            " &#8212; programme report, %s</title>\n<style>%s</style>"
            "</head>\n<body>\n<header><div class=\"brand\">binome &#183; "
            "programme report</div><h1>",
            d->today ? today : "&#8212;", css);
    esc(f, s->programme.name, 0);
    fputs("</h1><p class=\"sub\">", f);
    if (s->programme.theme[0]) {
        esc(f, s->programme.theme, 0);
        fputs(" &#183; ", f);
    }
    fprintf(f,
            "%s meetings (every %u days) &#183; %u months minimum &#183; %s "
            "&#183; %u mentors, %u mentees &#183; programme dates %s to %s "
            "&#183; figures as of <strong>%s</strong></p></header>\n",
            bnc_frequency_name(s->programme.frequency), d->interval_days,
            s->programme.months, bnc_format_name(s->programme.format),
            s->mentors, s->mentees,
            date_or(pstart, s->programme.start_date, "(no start)"),
            date_or(pend, s->programme.end_date, "(no end)"),
            d->today ? today : "&#8212;");
    kpis(f, s, d);
    fputs("<section class=\"card\"><h2>Sessions held per month</h2>"
          "<p class=\"note\">Bars: sessions held (a session recorded held "
          "with both members absent counts as cancelled). Dashed line: the "
          "sessions expected from the pairs running that month at the "
          "programme's frequency.</p>\n",
          f);
    chart_sessions(f, d);
    fputs("</section>\n<div class=\"grid2\"><section class=\"card\">"
          "<h2>Pairs by status</h2>\n",
          f);
    fprintf(f, "<p class=\"note\">%u pairs in total.</p>\n", d->pairs_total);
    chart_status(f, s, d);
    fputs("</section><section class=\"card\"><h2>Objectives defined and "
          "reached</h2>\n<p class=\"note\">Objective texts are encrypted; "
          "only their status is counted.</p>\n",
          f);
    chart_objectives(f, s, d);
    fprintf(f,
            "</section></div>\n<section class=\"card\"><h2>Pairs at risk "
            "<span class=\"badge%s\">%zu</span></h2><p class=\"note\">Active "
            "pairs with no held session for more than %g days (1.5 &#215; "
            "the expected %u), counted from the last held session, else "
            "from the start of the pairing. Worst first.</p>\n",
            d->nat_risk ? "" : " zero", d->nat_risk, d->risk_after_days,
            d->interval_days);
    chart_risk(f, s, d);
    risk_table(f, s, d);
    fputs("</section>\n", f);
    if (s->npairs > 0)
        pairs_table(f, s, d);
    if (s->nmembers > 0)
        members_table(f, s);
    feedback_card(f, &s->feedback);
    fprintf(f,
            "<footer>Generated by binome for programme %" PRIu64
            " on %s. Mentors and mentees write end-to-end encrypted notes; "
            "this report is built from the dates, statuses and counts the "
            "server keeps in clear.</footer>\n</body></html>\n",
            s->programme.id, d->today ? today : "&#8212;");
    return ferror(f) ? BN_EIO : 0;
}
