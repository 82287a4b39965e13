#!/bin/sh
# corrections.sh: correcting what was recorded (issue 13), through the
# command line against a real binomed, with the report's figures checked
# in every format. Seen wrong before:
#   - an absence recorded by mistake could not be taken back: 'session
#     update --absent' took mentor, mentee or both, never "nobody";
#   - an objective could not be edited, abandoned or reopened: a goal
#     given up stayed "defined" and weighed on the reach rate for ever;
#   - an objective could be defined or reached in the future;
#   - sessions did not say how they were held, so the report could not
#     say whether a pair's first meeting was in person.
#
#   BUILD=build sh tests/integration/corrections.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp corrections


start_daemon_checked 43 73 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Corrections)
join_people "$PROG" alice:mentor bob:mentee carol:mentor dave:mentee
verified_pair P1 alice bob
verified_pair P2 carol dave
start_pair "$P1" 400
start_pair "$P2" 400

# ---- attendance and mode ------------------------------------------------
grab S1 alice session add "$P1" --date "$(ago 30)" --absent mentor \
    --mode video
is_num "$S1" && ok "a session recorded with the mentor absent, by video" ||
    not_ok "a session recorded with the mentor absent"
grab S0 bob session add "$P1" --date "$(ago 40)" --mode in-person
is_num "$S0" && ok "an earlier one, in person" || not_ok "an earlier one"
refuse "a session's mode is in-person, video or phone" "in-person, video" \
    as alice session add "$P1" --date "$(ago 5)" --mode carrier-pigeon
check "the absence is taken back: both attended" \
    as bob session update "$P1" "$S1" --absent none
has "... and the command says so" "$T/out" "absent: -, mode: video"
check "alice lists the sessions (they verify)" as alice session list "$P1"
grep -E "^$S1 " "$T/out" | grep -q " video\$" &&
    ok "session list shows the mode" || not_ok "session list shows the mode"
as alice session list "$P1" --json >"$T/sj" 2>"$T/err"
has "session list --json shows the mode" "$T/sj" '"mode":"in-person"'
grab S2 carol session add "$P2" --date "$(ago 35)" --absent both \
    --mode in-person
grab S3 dave session add "$P2" --date "$(ago 20)" --mode phone
is_num "$S3" && ok "P2: held by both absent in person, then by phone" ||
    not_ok "P2's sessions"
check "a mode is corrected afterwards" \
    as carol session update "$P2" "$S2" --mode video
check "... and a status" as carol session update "$P2" "$S2" \
    --status cancelled

# ---- objectives ---------------------------------------------------------
grab O1 alice objective add "$P1" "Speak at the team meeting" \
    --date "$(ago 30)"
grab O2 alice objective add "$P1" "Finish the CV" --date "$(ago 30)"
grab O3 dave objective add "$P2" "Apply for two jobs" --date "$(ago 10)"
is_id "$O1" && is_id "$O2" && is_id "$O3" && ok "three objectives" ||
    not_ok "three objectives"
refuse "an objective defined in the future is refused" "future" \
    as alice objective add "$P1" "Later" --date "$(date -u -d '+3 days' +%Y-%m-%d)"
refuse "... and reached in the future" "future" \
    as bob objective reach "$P1" "$O2" --date "$(date -u -d '+3 days' +%Y-%m-%d)"
refuse "the partner does not edit an objective" "only its author" \
    as bob objective edit "$P1" "$O1" "Bob's words"
check "its author edits it" \
    as alice objective edit "$P1" "$O1" "Speak at the staff meeting"
as bob objective list "$P1" >"$T/ol" 2>"$T/err"
has "the partner reads the new text" "$T/ol" "Speak at the staff meeting"
check "bob marks O2 reached" as bob objective reach "$P1" "$O2"
check "... by mistake: reopened" as bob objective reopen "$P1" "$O2"
check "alice gives O1 up" as alice objective abandon "$P1" "$O1"
refuse "an abandoned objective is not reached" "reopen" \
    as bob objective reach "$P1" "$O1"
check "dave reaches O3" as dave objective reach "$P2" "$O3"
as alice objective list "$P1" --json >"$T/oj" 2>"$T/err"
has "objective list: abandoned, with its day" "$T/oj" \
    "\"status\":\"abandoned\",\"defined\":\"$(ago 30)\",\"abandoned\":\"$(date -u +%Y-%m-%d)\""
has "objective list: O2 open again" "$T/oj" \
    "\"status\":\"defined\",\"defined\":\"$(ago 30)\",\"reached\":null"

# ---- the report -----------------------------------------------------------
as admin admin stats --programme "$PROG" >"$T/table" 2>"$T/err" &&
    as admin admin stats --programme "$PROG" --json >"$T/json" &&
    as admin admin stats --programme "$PROG" --csv >"$T/csv" &&
    as admin admin stats --programme "$PROG" --html "$T/html" >"$T/out" &&
    ok "admin stats, every format" || not_ok "admin stats, every format"
# By hand: P1 held 2 (both attended: no absence), first met in person;
# P2 held 1 (the both-absent one cancelled), first met by phone.
# Objectives: O1 abandoned, O2 open, O3 reached: defined 2, reached 1.
has "table: no absence left" "$T/table" "mentor 0, mentee 0"
has "table: objectives" "$T/table" \
    "defined 2, reached 1, reach rate 50.0 %; abandoned 1"
has "table: first meeting" "$T/table" \
    "in person for 1 of the 2 pairs that met"
grep -E "^$P1 " "$T/table" | grep -q " in-person " &&
    ok "table: P1 met in person first" || not_ok "table: P1 met in person"
grep -E "^$P2 " "$T/table" | grep -q " phone " &&
    ok "table: P2 first met by phone" || not_ok "table: P2 first by phone"
has "JSON: objectives" "$T/json" \
    '"objectives":{"defined":2,"reached":1,"reach_rate":0.5000},"objectives_abandoned":1,'
has "JSON: first meeting" "$T/json" \
    '"first_meeting":{"in_person":1,"pairs_met":2}'
has "JSON: absences" "$T/json" '"absences":{"mentor":0,"mentee":0}'
has "JSON: P1's row" "$T/json" \
    '"objectives_abandoned":1,"first_meeting_mode":"in-person","first_meeting_in_person":true'
has "JSON: P2's row" "$T/json" \
    '"objectives_abandoned":0,"first_meeting_mode":"phone","first_meeting_in_person":false'
csv_cols() {
    tr -d '\r' <"$1" | awk -F, -v p="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
        $1 == p { print $c["absent_mentor"] "/" $c["objectives_defined"] "/" \
            $c["objectives_reached"] "/" $c["objectives_abandoned"] "/" \
            $c["first_meeting_mode"] }'
}
[ "$(csv_cols "$T/csv" "$P1")" = "0/1/0/1/in-person" ] &&
    ok "CSV: P1's row" || not_ok "CSV: P1's row ($(csv_cols "$T/csv" "$P1"))"
[ "$(csv_cols "$T/csv" "$P2")" = "0/1/1/0/phone" ] &&
    ok "CSV: P2's row" || not_ok "CSV: P2's row ($(csv_cols "$T/csv" "$P2"))"
has "HTML: abandoned objectives" "$T/html" "1 reached of 2 defined; 1 abandoned"
has "HTML: first met in person" "$T/html" \
    '<div class="l">First met in person</div><div class="v">1</div>'
has "HTML: P1's first meeting" "$T/html" '<td class="mode">in-person</td>'

finish
