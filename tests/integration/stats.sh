#!/bin/sh
# stats.sh: a programme's statistics end to end, against a real binomed on
# a loopback port: two pairs made through the command line, sessions
# (held, planned then held, cancelled, an absence), objectives defined and
# reached, one pair ended; then `binome admin stats` as a table, JSON, CSV
# and an HTML report, and a mentor who asks is refused.
#
#   BUILD=build sh tests/integration/stats.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with "N passed,
# N failed"; exits 1 when a check failed. The daemon is killed on exit.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp stats


start_daemon_checked 17 37 "binomed starts"

# ---- a programme, four people, two pairs ------------------------------------
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Pilotage)
join_people "$PROG" alice:mentor bob:mentee carol:mentor dave:mentee
new_pair P1 alice bob
new_pair P2 carol dave
if [ -n "$PROG" ] && [ -n "$P1" ] && [ -n "$P2" ]; then
    ok "programme $PROG with pairs $P1 (alice, bob) and $P2 (carol, dave)"
else
    not_ok "a programme and two pairs"
    finish
fi
for a in alice:$P1 bob:$P1 carol:$P2 dave:$P2; do
    as "${a%%:*}" pair accept "${a#*:}" >"$T/out" 2>"$T/err" ||
        not_ok "${a%%:*} accepts"
done

# ---- what the pairs do --------------------------------------------------------
today=$(date -u +%Y-%m-%d)
check "a held session, the mentee absent" \
    as alice session add "$P1" --date "$today" --absent mentee
grab S2 bob session add "$P1" --date "$today" --status planned
check "a planned session, then held" \
    as bob session update "$P1" "$S2" --status held
check "a cancelled session" \
    as alice session add "$P1" --date "$today" --status cancelled
grab O1 bob objective add "$P1" "Find an internship"
check "an objective defined and reached" as alice objective reach "$P1" "$O1"
check "a second objective, defined only" \
    as alice objective add "$P1" "Read two papers a month"
check "pair 2 holds a session" as dave session add "$P2" --date "$today"
check "pair 2 ends, completed (before the minimum: --override)" \
    as carol pair end "$P2" --reason completed --override

# ---- the statistics -------------------------------------------------------------
if as admin admin stats --programme "$PROG" >"$T/table" 2>"$T/err"; then
    ok "admin stats prints a table"
else
    not_ok "admin stats prints a table"
fi
has "the table counts the sessions" "$T/table" "held 3, planned 0, cancelled 1"
has "the table counts the absences" "$T/table" "mentor 0, mentee 1"

if as admin admin stats --programme "$PROG" --json >"$T/json" 2>"$T/err"; then
    ok "admin stats --json"
else
    not_ok "admin stats --json"
fi
has "JSON: sessions held 3, planned 0, cancelled 1" "$T/json" \
    '"sessions":{"held":3,"planned":0,"cancelled":1}'
has "JSON: absences" "$T/json" '"absences":{"mentor":0,"mentee":1}'
has "JSON: objectives defined 2, reached 1" "$T/json" \
    '"objectives":{"defined":2,"reached":1,"reach_rate":0.5000}'
has "JSON: pairs active 1, completed 1" "$T/json" \
    '"pending":0,"active":1,"completed":1,"withdrawn":0,"erased":0}'
has "JSON: two mentors, two mentees" "$T/json" '"mentors":2,"mentees":2'
has "JSON: completion 1 of 1" "$T/json" \
    '"completion":{"completed":1,"ended":1,"rate":1.0000}'
held=$(sed -n 's/.*"sessions":{"held":\([0-9]*\).*/\1/p' "$T/json")
if [ "$held" = 3 ]; then
    ok "sed finds 3 sessions held"
else
    not_ok "sed finds 3 sessions held (got '$held')"
fi

if as admin admin stats --programme "$PROG" --csv >"$T/csv" 2>"$T/err"; then
    ok "admin stats --csv"
else
    not_ok "admin stats --csv"
fi
# the pair table: up to the first empty line (a members table follows)
lines=$(tr -d '\r' <"$T/csv" | sed '/^$/q' | grep -c .)
if [ "$lines" = 3 ] && grep -q "^$P1," "$T/csv" && grep -q "^$P2," "$T/csv"
then
    ok "CSV: a header and one line per pair"
else
    not_ok "CSV: a header and one line per pair ($lines lines)"
    sed 's/^/#   /' "$T/csv"
fi

if as admin admin stats --programme "$PROG" --html "$T/report.html" \
    >"$T/out" 2>"$T/err" && [ -s "$T/report.html" ]; then
    ok "admin stats --html writes the report"
else
    not_ok "admin stats --html writes the report"
fi
has "the report holds SVG charts" "$T/report.html" "<svg"

# ---- who may ask --------------------------------------------------------------
if as alice admin stats --programme "$PROG" >"$T/out" 2>"$T/err"; then
    not_ok "a mentor is refused the statistics (it succeeded)"
elif grep -qi "administrator\|denied\|not allowed" "$T/err"; then
    ok "a mentor is refused the statistics"
else
    not_ok "a mentor is refused the statistics (no reason given)"
fi
if as admin admin stats --programme 999 >"$T/out" 2>"$T/err"; then
    not_ok "an unknown programme is refused (it succeeded)"
else
    ok "an unknown programme is refused"
fi

finish
