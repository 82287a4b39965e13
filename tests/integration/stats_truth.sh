#!/bin/sh
# stats_truth.sh: the figures of `binome admin stats` that issue 13 saw
# wrong, built through the command line against a real binomed and read
# in the table, JSON, CSV and HTML:
#   - a session recorded held with both members absent is not a held
#     session (it counts as cancelled) and is not the last meeting for
#     at-risk detection; absences on cancelled (and planned) sessions are
#     not absences;
#   - the meeting rhythm is computed for every started pair (it printed
#     "n/a" with four started pairs and twelve held sessions, all pairs
#     started the day their sessions were recorded).
# Every path that changes a session is taken: add, planned -> held,
# held -> cancelled, attendance changed on a held session, an update
# sent twice.
#
#   BUILD=build sh tests/integration/stats_truth.sh
#
# The expected figures are computed by hand below (monthly programme:
# expected interval 30 days, at risk after 45). Prints "ok N - ..." /
# "not ok N - ..." per check and ends with "N passed, N failed"; exits 1
# when a check failed. The daemon is killed on exit.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp truth


start_daemon_checked 37 67 "binomed starts"

join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Truth)
join_people "$PROG" alice:mentor bob:mentee carol:mentor dave:mentee \
    erin:mentor frank:mentee gina:mentor hugo:mentee
new_pair P1 alice bob
new_pair P2 carol dave
new_pair P3 erin frank
new_pair P4 gina hugo
if is_num "$PROG" && is_num "$P1" && is_num "$P2" && is_num "$P3" &&
    is_num "$P4"; then
    ok "programme $PROG with pairs $P1 $P2 $P3 $P4"
else
    not_ok "a programme and four pairs"
    finish
fi
for a in alice:$P1 bob:$P1 carol:$P2 dave:$P2 erin:$P3 frank:$P3 \
    gina:$P4 hugo:$P4; do
    as "${a%%:*}" pair accept "${a#*:}" >"$T/out" 2>"$T/err" ||
        not_ok "${a%%:*} accepts"
done
today=$(ago 0)
# The coordinator dates each start on its first held session (none may
# precede it), so each pair counts from there as before.
start_pair "$P1" 120
start_pair "$P2" 100
start_pair "$P3" 150
start_pair "$P4" 30

# ---- P1: three held meetings, then none that took place ------------------
# held d-120 (mentee absent), d-90, d-60; d-20 held then cancelled (its
# mentor absence kept on the record, not counted); d-10 held, then
# corrected: both absent (sent twice). Counts: held 3, cancelled 2,
# absences mentor 1 mentee 2 (d-120; d-10 for each), last held d-60:
# 60 days without a meeting, at risk.
check "P1: held, the mentee absent" \
    as alice session add "$P1" --date "$(ago 120)" --absent mentee
check "P1: held" as bob session add "$P1" --date "$(ago 90)"
check "P1: held" as alice session add "$P1" --date "$(ago 60)"
grab S20 bob session add "$P1" --date "$(ago 20)" --absent mentor
check "P1: held -> cancelled (the absence stays on the record)" \
    as alice session update "$P1" "$S20" --status cancelled
grab S10 alice session add "$P1" --date "$(ago 10)"
check "P1: attendance corrected on a held session: both absent" \
    as bob session update "$P1" "$S10" --absent both
check "P1: the same correction sent again" \
    as alice session update "$P1" "$S10" --absent both

# ---- P2: four held, one planned --------------------------------------------
# d-100, d-70, d-40 (mentor absent), d-5 (planned, then held); a planned
# session in ten days with the mentee said absent (not counted).
check "P2: held" as carol session add "$P2" --date "$(ago 100)"
check "P2: held" as dave session add "$P2" --date "$(ago 70)"
check "P2: held, the mentor absent" \
    as carol session add "$P2" --date "$(ago 40)" --absent mentor
grab S5 dave session add "$P2" --date "$(ago 5)" --status planned
check "P2: planned -> held" as carol session update "$P2" "$S5" --status held
check "P2: planned, the mentee said absent" \
    as dave session add "$P2" --date "$(ago -10)" --status planned \
    --absent mentee

# ---- P3: three held, completed today --------------------------------------
check "P3: held" as erin session add "$P3" --date "$(ago 150)"
check "P3: held" as frank session add "$P3" --date "$(ago 120)"
check "P3: held" as erin session add "$P3" --date "$(ago 90)"
check "P3 ends, completed (before the minimum: --override)" \
    as erin pair end "$P3" --reason completed --override

# ---- P4: two held ------------------------------------------------------------
check "P4: held, the mentee absent" \
    as gina session add "$P4" --date "$(ago 30)" --absent mentee
check "P4: held" as hugo session add "$P4" --date "$(ago 2)"

# Programme: held 3 + 4 + 3 + 2 = 12, planned 1, cancelled 2; absences
# mentor 1 + 1 = 2, mentee 2 + 1 = 3. Rhythm: the four pairs started
# today; each counts from its first held session to today (P3: its end,
# today): 120 + 100 + 150 + 30 = 400 days; 12 x 30.4375 / 400 = 0.9131.
D60=$(ago 60) D120=$(ago 120)

# ---- table --------------------------------------------------------------------
if as admin admin stats --programme "$PROG" >"$T/table" 2>"$T/err"; then
    ok "admin stats prints a table"
else
    not_ok "admin stats prints a table"
fi
has "table: held 12, planned 1, cancelled 2" "$T/table" \
    "held 12, planned 1, cancelled 2" "sessions  "
has "table: absences mentor 2, mentee 3" "$T/table" "mentor 2, mentee 3" \
    "absences"
has "table: the rhythm of the four started pairs" "$T/table" \
    "0.91 held sessions per pair per month" "rhythm"
has "table: one pair at risk" "$T/table" "PAIRS AT RISK: 1 " "AT RISK"
if grep -E "^$P1 +alice +bob +$D60 +$D60 +60\$" "$T/table" >/dev/null; then
    ok "table: P1 at risk, last held $D60, 60 days"
else
    not_ok "table: P1 at risk, last held $D60, 60 days"
    sed 's/^/#   /' "$T/table"
fi
if grep -E "^$P1 +alice +bob +active .* 3 +0 +2 +1/2 +0/0 +$D60( .*)?\$" \
    "$T/table" >/dev/null; then
    ok "table: P1's row: 3 held, 2 cancelled, absences 1/2, last held $D60"
else
    not_ok "table: P1's row"
    grep "^$P1 " "$T/table" | sed 's/^/#   /'
fi

# ---- JSON -----------------------------------------------------------------------
if as admin admin stats --programme "$PROG" --json >"$T/json" 2>"$T/err"
then
    ok "admin stats --json"
else
    not_ok "admin stats --json"
fi
has "JSON: sessions" "$T/json" \
    '"sessions":{"held":12,"planned":1,"cancelled":2}' '"sessions"'
has "JSON: absences" "$T/json" '"absences":{"mentor":2,"mentee":3}'
has "JSON: the rhythm" "$T/json" '"sessions_per_pair_per_month":0.9131,'
has "JSON: P1 at risk since its last meeting" "$T/json" \
    "\"at_risk\":[{\"pair_id\":$P1,\"mentor\":\"alice\",\"mentee\":\"bob\",\"last_held\":\"$D60\",\"since\":\"$D60\",\"days_without_session\":60}]"
has "JSON: P1's counts" "$T/json" \
    "\"sessions_held\":3,\"sessions_planned\":0,\"sessions_cancelled\":2,\"absent_mentor\":1,\"absent_mentee\":2,"
has "JSON: P1's first and last held" "$T/json" \
    "\"first_held\":\"$D120\",\"last_held\":\"$D60\""

# ---- CSV -------------------------------------------------------------------------
if as admin admin stats --programme "$PROG" --csv >"$T/csv" 2>"$T/err"; then
    ok "admin stats --csv"
else
    not_ok "admin stats --csv"
fi
# columns: 9 held, 10 planned, 11 cancelled, 12-13 absences, 16 first
# held, 17 last held, 21 at risk, 22 days without a session.
row=$(awk -F, -v p="$P1" '$1 == p {
    print $9 "|" $10 "|" $11 "|" $12 "|" $13 "|" $16 "|" $17 "|" $21 "|" $22
}' "$T/csv" | tr -d '\r')
if [ "$row" = "3|0|2|1|2|$D120|$D60|yes|60" ]; then
    ok "CSV: P1 3 held, 2 cancelled, absences 1/2, last held $D60, at risk"
else
    not_ok "CSV: P1's row (got '$row')"
fi
sum=$(awk -F, 'NR > 1 { h += $9; p += $10; c += $11; m += $12; e += $13 }
    END { print h "|" p "|" c "|" m "|" e }' "$T/csv")
if [ "$sum" = "12|1|2|2|3" ]; then
    ok "CSV: the pairs add up to 12 held, 1 planned, 2 cancelled, 2/3 absent"
else
    not_ok "CSV: the pairs' totals (got '$sum')"
fi
risky=$(awk -F, 'NR > 1 && $21 == "yes" { print $1 }' "$T/csv")
if [ "$risky" = "$P1" ]; then
    ok "CSV: P1 alone at risk"
else
    not_ok "CSV: P1 alone at risk (got '$risky')"
fi

# ---- HTML -----------------------------------------------------------------------
if as admin admin stats --programme "$PROG" --html "$T/report.html" \
    >"$T/out" 2>"$T/err" && [ -s "$T/report.html" ]; then
    ok "admin stats --html writes the report"
else
    not_ok "admin stats --html writes the report"
fi
has "HTML: the rhythm" "$T/report.html" \
    '<div class="l">Meeting rhythm</div><div class="v">0.91</div>' \
    'Meeting rhythm'
lacks "HTML: no rhythm n/a" "$T/report.html" \
    '<div class="l">Meeting rhythm</div><div class="v">n/a</div>'
has "HTML: one pair at risk" "$T/report.html" \
    '<div class="l">Pairs at risk</div><div class="v">1</div>' 'Pairs at risk'
has "HTML: sessions held and absences" "$T/report.html" \
    '<div class="l">Sessions held</div><div class="v">12</div><div class="d">1 planned, 2 cancelled; absences: mentor 2, mentee 3</div>' \
    'Sessions held</div>'
if grep -F "$D60" "$T/report.html" | grep -qF ">60<"; then
    ok "HTML: the at-risk table shows P1's last meeting and 60 days"
else
    not_ok "HTML: the at-risk table shows P1's last meeting and 60 days"
    grep -n "alice" "$T/report.html" | head -5 | sed 's/^/#   /'
fi

finish
