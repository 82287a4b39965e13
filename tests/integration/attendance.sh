#!/bin/sh
# attendance.sh: who of each side was at a session (issue 14), through the
# command line against a real binomed: --absent by a member's name, by
# account id, by side, none; a name of no member refused; the list shows
# who was absent by name (table and JSON), so does the coordinator's view
# (admin sessions); a correction replaces the list; the figures of
# `binome admin stats` (side absences, and each member's row in the
# table, JSON, CSV and HTML) are checked against counts this script keeps
# as it records. Today a pair of two; teams come with the membership
# work.
#
#   BUILD=build sh tests/integration/attendance.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed. The daemon is killed
# on exit.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp attend

start_daemon_checked 41 71 "binomed starts"

join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Attendance)
join_people "$PROG" alice:mentor bob:mentee
new_pair P alice bob
if is_num "$PROG" && is_num "$P"; then
    ok "programme $PROG with pair $P"
else
    not_ok "a programme and a pair"
    finish
fi
check "alice accepts" as alice pair accept "$P"
check "bob accepts" as bob pair accept "$P"
start_pair "$P" 120
ALICE=$(as alice whoami --json | sed -n 's/.*"account":\([0-9]*\).*/\1/p')
BOB=$(as bob whoami --json | sed -n 's/.*"account":\([0-9]*\).*/\1/p')
is_num "$ALICE" && is_num "$BOB" || not_ok "account ids"

# What the statistics must say, kept as sessions are recorded: held
# sessions (not both sides absent), each member's absences on sessions
# recorded held.
held=0 abs_alice=0 abs_bob=0
# record STATUS WHO...: one more session recorded STATUS with WHO absent
# (alice, bob); "held" with both absent counts as not held.
record() {
    st=$1
    shift
    [ "$st" = held ] || return 0
    [ $# -eq 2 ] || held=$((held + 1))
    for w in "$@"; do
        case $w in
        alice) abs_alice=$((abs_alice + 1)) ;;
        bob) abs_bob=$((abs_bob + 1)) ;;
        esac
    done
}
# unrecord STATUS WHO...: takes a session's old facts back (a correction).
unrecord() {
    st=$1
    shift
    [ "$st" = held ] || return 0
    [ $# -eq 2 ] || held=$((held - 1))
    for w in "$@"; do
        case $w in
        alice) abs_alice=$((abs_alice - 1)) ;;
        bob) abs_bob=$((abs_bob - 1)) ;;
        esac
    done
}

grab S1 alice session add "$P" --date "$(ago 100)" --absent bob &&
    ok "held, bob absent (by name)"
record held bob
grab S2 bob session add "$P" --date "$(ago 80)" --absent "$ALICE" &&
    ok "held, alice absent (by account id)"
record held alice
grab S3 alice session add "$P" --date "$(ago 60)" --absent none &&
    ok "held, nobody absent"
record held
grab S4 bob session add "$P" --date "$(ago 40)" --absent mentor &&
    ok "held, the mentor side absent"
record held alice
grab S5 alice session add "$P" --date "$(ago 20)" --absent alice,bob &&
    ok "held by nobody: alice and bob absent"
record held alice bob
grab S6 bob session add "$P" --date "$(ago -10)" --status planned \
    --absent bob && ok "planned, bob said absent (not counted)"
record planned bob
refuse "a name of no member is refused" "no current member" \
    as alice session add "$P" --date "$(ago 30)" --absent zoe
refuse "an empty item is refused" "mentor, mentee or both" \
    as alice session add "$P" --date "$(ago 30)" --absent bob,
refuse "none is given alone" "alone" \
    as alice session add "$P" --date "$(ago 30)" --absent none --absent bob

# ---- the list, by name ---------------------------------------------------
if as alice session list "$P" >"$T/list" 2>"$T/err"; then
    ok "session list"
else
    not_ok "session list"
fi
if grep -E "^$S1 +[0-9-]+ +held +mentee +bob +[a-z-]+$" "$T/list" >/dev/null &&
    grep -E "^$S2 +[0-9-]+ +held +mentor +alice +[a-z-]+$" "$T/list" >/dev/null &&
    grep -E "^$S5 +[0-9-]+ +held +both +alice,bob +[a-z-]+$" "$T/list" >/dev/null &&
    grep -E "^$S3 +[0-9-]+ +held +- +- +[a-z-]+$" "$T/list" >/dev/null; then
    ok "the table names who was absent"
else
    not_ok "the table names who was absent"
    sed 's/^/#   /' "$T/list"
fi
as bob session list "$P" --json >"$T/list.json" 2>"$T/err" ||
    not_ok "session list --json"
has "JSON: S1's absentee by id and name" "$T/list.json" \
    "{\"id\":$S1,\"date\":\"$(ago 100)\",\"status\":\"held\",\"absent\":[\"mentee\"],"
has "JSON: S1's absentee named" "$T/list.json" \
    "\"absentees\":[{\"id\":$BOB,\"name\":\"bob\"}]}"
has "JSON: S5's absentees named" "$T/list.json" \
    "\"absentees\":[{\"id\":$ALICE,\"name\":\"alice\"},{\"id\":$BOB,\"name\":\"bob\"}]"

# ---- a correction replaces the list ----------------------------------------
check "S1 corrected: alice was the one absent" \
    as bob session update "$P" "$S1" --absent alice
unrecord held bob
record held alice
check "S3 corrected: bob was absent after all" \
    as alice session update "$P" "$S3" --absent mentee
unrecord held
record held bob
as alice session list "$P" >"$T/list" 2>"$T/err"
if grep -E "^$S1 +[0-9-]+ +held +mentor +alice +[a-z-]+$" "$T/list" >/dev/null &&
    grep -E "^$S3 +[0-9-]+ +held +mentee +bob +[a-z-]+$" "$T/list" >/dev/null; then
    ok "the corrections are listed"
else
    not_ok "the corrections are listed"
    sed 's/^/#   /' "$T/list"
fi

# ---- the coordinator's view --------------------------------------------------
if as admin admin sessions --pair "$P" >"$T/adminview" 2>"$T/err" &&
    grep -E "^$S1 +[0-9-]+ +held +mentor +alice +[a-z-]+$" "$T/adminview" >/dev/null &&
    grep -E "^$S5 +[0-9-]+ +held +both +alice,bob +[a-z-]+$" "$T/adminview" >/dev/null; then
    ok "admin sessions names the absentees"
else
    not_ok "admin sessions names the absentees"
    sed 's/^/#   /' "$T/adminview" "$T/err"
fi

# ---- the statistics ----------------------------------------------------------
# absent_mentor counts alice's absences, absent_mentee bob's (a pair of
# two: each side is one member).
echo "# expected: held $held, alice absent $abs_alice, bob absent $abs_bob"
as admin admin stats --programme "$PROG" --json >"$T/json" 2>"$T/err" ||
    not_ok "admin stats --json"
has "JSON: side absences" "$T/json" \
    "\"absences\":{\"mentor\":$abs_alice,\"mentee\":$abs_bob}"
has "JSON: the pair's row" "$T/json" \
    "\"sessions_held\":$held,\"sessions_planned\":1,\"sessions_cancelled\":1,\"absent_mentor\":$abs_alice,\"absent_mentee\":$abs_bob,"
has "JSON: alice's row" "$T/json" \
    "{\"pair_id\":$P,\"account_id\":$ALICE,\"name\":\"alice\",\"side\":\"mentor\",\"sessions_held\":$held,\"absences\":$abs_alice}"
has "JSON: bob's row" "$T/json" \
    "{\"pair_id\":$P,\"account_id\":$BOB,\"name\":\"bob\",\"side\":\"mentee\",\"sessions_held\":$held,\"absences\":$abs_bob}"

as admin admin stats --programme "$PROG" >"$T/table" 2>"$T/err" ||
    not_ok "admin stats"
has "table: a members section" "$T/table" "MEMBERS"
if grep -E "^  $P +$ALICE +alice +mentor +$held +$abs_alice\$" "$T/table" \
    >/dev/null &&
    grep -E "^  $P +$BOB +bob +mentee +$held +$abs_bob\$" "$T/table" >/dev/null
then
    ok "table: each member's row"
else
    not_ok "table: each member's row"
    sed -n '/MEMBERS/,$p' "$T/table" | sed 's/^/#   /'
fi

as admin admin stats --programme "$PROG" --csv >"$T/csv" 2>"$T/err" ||
    not_ok "admin stats --csv"
tr -d '\r' <"$T/csv" >"$T/csv.txt"
has "CSV: the members table" "$T/csv.txt" \
    "figure,pair_id,account_id,member,side,sessions_held,absences"
has "CSV: alice's row" "$T/csv.txt" \
    "member,$P,$ALICE,\"alice\",mentor,$held,$abs_alice"
has "CSV: bob's row" "$T/csv.txt" \
    "member,$P,$BOB,\"bob\",mentee,$held,$abs_bob"

as admin admin stats --programme "$PROG" --html "$T/report.html" \
    >"$T/out" 2>"$T/err" || not_ok "admin stats --html"
has "HTML: the members table" "$T/report.html" "<table id=\"members\">"
has "HTML: bob's row" "$T/report.html" \
    "<tr><td class=\"n\">$P</td><td class=\"n\">$BOB</td><td>bob</td><td>mentee</td><td class=\"n\">$held</td><td class=\"n\">$abs_bob</td></tr>"

finish
