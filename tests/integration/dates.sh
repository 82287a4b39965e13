#!/bin/sh
# dates.sh: figures that are true about dates (issue 13), through the
# command line against a real binomed: the coordinator sets a pair's real
# start (it met on paper before the software), the programme has its own
# dates and a minimum pair duration, sessions are dated within them, a
# pair is completed before the minimum only on purpose (--override), and
# the coordinator sees each pair's session dates and attendance. Seen
# wrong before:
#   - a pair's start was the day of the second acceptance, and nobody could
#     change it: the "first session" median counted from the pairing in
#     the software (0 days for a pair that met before) and the expected
#     sessions from the acceptance;
#   - a session could be dated before the pair started;
#   - a pair could be marked completed after a week of a six-month
#     programme, and the report did not say which pairs ran the minimum;
#   - the programme had no dates; the coordinator could not see a pair's
#     sessions.
#
#   BUILD=build sh tests/integration/dates.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp dates



start_daemon_checked 43 73 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Dates)
join_people "$PROG" alice:mentor bob:mentee carol:mentor dave:mentee \
    erin:mentor frank:mentee
new_pair P1 alice bob
new_pair P2 carol dave
new_pair P3 erin frank
if is_num "$PROG" && is_num "$P1" && is_num "$P2" && is_num "$P3"; then
    ok "programme $PROG with pairs $P1 $P2 $P3"
else
    not_ok "a programme and three pairs"
    finish
fi

# ---- the programme's dates ----------------------------------------------
refuse "only an administrator sets the programme's dates" "role" \
    as alice admin programme set --programme "$PROG" --start "$(ago 365)"
refuse "an end before the start is refused" "before" \
    as admin admin programme set --programme "$PROG" --start "$(ago 10)" \
    --end "$(ago 20)"
check "the programme runs from a year ago to 200 days ahead" \
    as admin admin programme set --programme "$PROG" --start "$(ago 365)" \
    --end "$(ago -200)"
has "... and says so" "$T/out" "from $(ago 365) to $(ago -200)"
as admin admin programme list --json >"$T/plist" 2>"$T/err"
has "the programme lists its dates" "$T/plist" \
    "\"start_date\":\"$(ago 365)\",\"end_date\":\"$(ago -200)\""

# ---- the coordinator's start ----------------------------------------------
refuse "a member cannot set a pair's start" "role" \
    as alice admin pair start --pair "$P1" --date "$(ago 200)"
refuse "a start after today is refused" "after today" \
    as admin admin pair start --pair "$P1" --date "$(ago -5)"
refuse "a start before the programme's is refused" "programme runs from" \
    as admin admin pair start --pair "$P1" --date "$(ago 400)"
refuse "an unknown pair is named" "no pair 99" \
    as admin admin pair start --pair 99 --date "$(ago 10)"
check "P1 started on paper 200 days ago (set while pending)" \
    as admin admin pair start --pair "$P1" --date "$(ago 200)"
for a in alice:$P1 bob:$P1 carol:$P2 dave:$P2 erin:$P3 frank:$P3; do
    as "${a%%:*}" pair accept "${a#*:}" >"$T/out" 2>"$T/err" ||
        not_ok "${a%%:*} accepts"
done
as alice pairs --json >"$T/pairs" 2>"$T/err"
has "the acceptances keep P1's start" "$T/pairs" "\"start\":\"$(ago 200)\""

# ---- sessions within the dates -------------------------------------------
refuse "a session before the pair's start is refused, saying why" \
    "cannot be dated before it" \
    as alice session add "$P1" --date "$(ago 201)"
check "P1: held 150 days ago" as alice session add "$P1" --date "$(ago 150)"
check "P1: held 120 days ago, mentee absent" \
    as bob session add "$P1" --date "$(ago 120)" --absent mentee
check "P1: cancelled 90 days ago" \
    as alice session add "$P1" --date "$(ago 90)" --status cancelled
refuse "the start cannot move after the first session" "has a session on" \
    as admin admin pair start --pair "$P1" --date "$(ago 100)"
refuse "P2: a session 30 days ago, before its acceptance, is refused" \
    "the coordinator sets its start" \
    as carol session add "$P2" --date "$(ago 30)"
check "P2 started 40 days ago, set by the coordinator" \
    as admin admin pair start --pair "$P2" --date "$(ago 40)"
check "P2: now held 30 days ago" \
    as carol session add "$P2" --date "$(ago 30)"
refuse "a session outside the programme's dates is refused" \
    "programme runs from" \
    as erin session add "$P3" --date "$(ago -201)" --status planned

# ---- the coordinator sees the sessions, not the notes -----------------------
as admin admin sessions --pair "$P1" --json >"$T/sess" 2>"$T/err"
has "the coordinator sees P1's session dates and attendance" "$T/sess" \
    "\"date\":\"$(ago 120)\",\"status\":\"held\",\"absent\":[\"mentee\"]"
has "... and the cancelled one" "$T/sess" \
    "\"date\":\"$(ago 90)\",\"status\":\"cancelled\""
as admin admin sessions --pair "$P1" >"$T/sess" 2>"$T/err"
has "... as a table" "$T/sess" "$(ago 150)"
refuse "a member does not use the coordinator's list" "role" \
    as alice admin sessions --pair "$P1"
refuse "an unknown pair is named there too" "no pair 99" \
    as admin admin sessions --pair 99

# ---- the minimum duration ---------------------------------------------------
refuse "P2 (40 days) completed before 6 months: refused, saying how" \
    "override" as dave pair end "$P2" --reason completed
check "P2 completed on purpose with --override" \
    as dave pair end "$P2" --reason completed --override
check "P1 (200 days) completed without override" \
    as bob pair end "$P1" --reason completed
check "the mentor's client still verifies P2's signed end" \
    as carol session list "$P2"

# ---- the report, in four formats --------------------------------------------
# Started: P1 (200 days ago), P2 (40), P3 (today). First held session from
# the start: P1 50 days, P2 10 days: median 30.0 (from the pairing in the
# software, as before, both were 0). Ran the minimum (6 months): P1 only.
# P1's expected sessions: 200 days / 30 = 6.
check "admin stats --json" as admin admin stats --programme "$PROG" --json
cp "$T/out" "$T/json"
has "JSON: the median counts from the real start" "$T/json" \
    '"median_days_to_first_session":30.0000'
has "JSON: 1 of 3 started pairs ran the minimum" "$T/json" \
    '"minimum_duration":{"months":6,"reached":1,"started":3'
has "JSON: P1 ran 200 days, 6 sessions expected, minimum reached" \
    "$T/json" '"run_days":200,"expected_sessions":6,"minimum_duration_reached":true,"minimum_duration_override":false'
has "JSON: P2 completed early on purpose" "$T/json" \
    '"minimum_duration_reached":false,"minimum_duration_override":true'
has "JSON: the programme's dates" "$T/json" \
    "\"start\":\"$(ago 365)\",\"end\":\"$(ago -200)\""
check "admin stats (table)" as admin admin stats --programme "$PROG"
cp "$T/out" "$T/table"
has "table: the median from the start" "$T/table" \
    "median 30.0 days from the start (2 pairs)"
has "table: 1 of 3 ran the minimum" "$T/table" \
    "1 of 3 started pairs ran 6 months"
has "table: the programme's dates" "$T/table" \
    "programme dates: $(ago 365) to $(ago -200)"
grep "^$P2 " "$T/table" >"$T/row2"
has "table: P2 did not run the minimum (override)" "$T/row2" "no (override)"
grep "^$P1 " "$T/table" | tail -n 1 >"$T/row1"
has "table: P1 ran it" "$T/row1" " yes"
check "admin stats --csv" as admin admin stats --programme "$PROG" --csv
tr -d '\r' <"$T/out" >"$T/csv"
has "CSV: the override column" "$T/csv" ",minimum_duration_override"
grep "^$P1," "$T/csv" >"$T/c1"
has "CSV: P1 from $(ago 200), 200 days, 6 expected, reached, no override" \
    "$T/c1" "$(ago 200),$(ago 0),completed,"
has "CSV: ... its figures" "$T/c1" ",200,6,yes,no,,0,unknown,mentee,no"
grep "^$P2," "$T/csv" >"$T/c2"
has "CSV: P2 not reached, with override" "$T/c2" ",no,no,,0,unknown,mentee,yes"
check "admin stats --html" \
    as admin admin stats --programme "$PROG" --html "$T/report.html"
has "HTML: the median from the start" "$T/report.html" "30.0 d"
has "HTML: ... so labelled" "$T/report.html" "median from the start"
has "HTML: 1 of 3 ran the minimum" "$T/report.html" \
    "1 of 3 started pairs ran 6 months"
has "HTML: P2 not reached (override)" "$T/report.html" \
    "not reached (override)"
has "HTML: the programme's dates" "$T/report.html" \
    "programme dates $(ago 365) to $(ago -200)"
has "HTML: P1's real start" "$T/report.html" "$(ago 200)"

finish
