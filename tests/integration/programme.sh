#!/bin/sh
# programme.sh: a programme as it really runs (issue 13), played through
# the command line against a real binomed over six months of dated
# sessions, with every figure of `binome admin stats` checked against
# values computed by hand below, in JSON, the table, CSV and HTML.
#
# Claire coordinates "Avenir" (six months minimum, monthly, first meeting
# in person). She signs the charter for the structure, sets the
# programme's dates and its end-of-pairing questionnaire, forms three
# pairs and sets the day each really started (they met on paper first):
#   P1 alice (mentor) + bob (mentee): started 200 days ago; seven
#      sessions held, monthly, the first in person; bob absent once; two
#      objectives, both reached; alice ends it completed today (it ran the
#      six months).
#   P2 marc + chloe: started 160 days ago; first meeting by video (not in
#      person), one more held, one cancelled; an objective abandoned;
#      chloe withdraws today; Claire pairs marc again, with emma (P4,
#      started today, a session planned).
#   P3 nadia + david: started 170 days ago; first meeting in person 150
#      days ago, one held 130 days ago (first recorded with nadia absent,
#      then corrected: both came), one recorded held 100 days ago with
#      both absent (not held); an objective still open. Nothing since: at
#      risk. Claire looks at its session dates and attendance (never a
#      note) and ends it as stalled.
# Then six members answer the questionnaire: four answers show nothing,
# the fifth releases the five together, the sixth waits.
#
#   BUILD=build sh tests/integration/programme.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp programme

# report N: admin stats in the four formats, into $T/{table,json,csv,html}N.
report() {
    as admin admin stats --programme "$PROG" >"$T/table$1" 2>"$T/err" &&
        as admin admin stats --programme "$PROG" --json >"$T/json$1" \
            2>"$T/err" &&
        as admin admin stats --programme "$PROG" --csv >"$T/csv$1" \
            2>"$T/err" &&
        as admin admin stats --programme "$PROG" --html "$T/html$1" \
            >"$T/out" 2>"$T/err"
}
# csv_field FILE PAIR COLUMN: the value of COLUMN (by its header) in the
# CSV row of PAIR.
csv_field() {
    tr -d '\r' <"$1" | awk -F, -v pair="$2" -v col="$3" '
        NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i; next }
        $1 == pair { print $(at[col]); exit }'
}
# session WHO PAIR DAYS_AGO [ARGS...]: WHO records a session; its id.
session() {
    who=$1 pair=$2 days=$3
    shift 3
    as "$who" session add "$pair" --date "$(ago "$days")" "$@" 2>"$T/err"
}

start_daemon_checked 41 71 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Avenir Inclusion in-person)
join_people "$PROG" alice:mentor bob:mentee marc:mentor chloe:mentee \
    nadia:mentor david:mentee emma:mentee

# ---- the coordinator sets the programme up -------------------------------
check "Claire sets the programme's dates" as admin admin programme set \
    --programme "$PROG" --start "$(ago 220)" --end "$(ago -180)"
check "Claire signs the charter for the structure" \
    as admin admin charter sign --programme "$PROG"
check "Claire sets the end-of-pairing questionnaire" \
    as admin admin questionnaire set --programme "$PROG" \
    --question "Were the meetings useful?" \
    --question "Would you recommend the programme?"
new_pair P1 alice bob
new_pair P2 marc chloe
new_pair P3 nadia david
if is_num "$PROG" && is_num "$P1" && is_num "$P2" && is_num "$P3"; then
    ok "programme $PROG with pairs $P1 $P2 $P3"
else
    not_ok "a programme and three pairs"
    finish
fi
for a in alice:$P1 bob:$P1 marc:$P2 chloe:$P2 nadia:$P3 david:$P3; do
    as "${a%%:*}" pair accept "${a#*:}" >"$T/out" 2>"$T/err" ||
        not_ok "${a%%:*} accepts"
done
refuse "a session before the pair started is refused" \
    "started on $(date -u +%Y-%m-%d)" session alice "$P1" 195
check "Claire sets P1's real start" \
    as admin admin pair start --pair "$P1" --date "$(ago 200)"
check "Claire sets P2's real start" \
    as admin admin pair start --pair "$P2" --date "$(ago 160)"
check "Claire sets P3's real start" \
    as admin admin pair start --pair "$P3" --date "$(ago 170)"
refuse "still none before the start she set" "started on $(ago 200)" \
    session alice "$P1" 201

# ---- six months of sessions and objectives ---------------------------------
ok_all=1
for s in "195 --mode in-person" "165 --mode video" \
    "135 --mode in-person --absent mentee" "105 --mode in-person" \
    "75 --mode phone" "45 --mode in-person" "15 --mode in-person"; do
    # shellcheck disable=SC2086
    is_num "$(session alice "$P1" $s)" || ok_all=0
done
[ $ok_all = 1 ] && ok "P1: seven monthly sessions" ||
    not_ok "P1: seven monthly sessions"
O1=$(as bob objective add "$P1" "Find an internship" --date "$(ago 190)" \
    2>"$T/err")
O2=$(as alice objective add "$P1" "Write a CV" --date "$(ago 150)" 2>"$T/err")
check "P1: the first objective reached" \
    as bob objective reach "$P1" "${O1:-0}" --date "$(ago 100)"
check "P1: the second reached" \
    as bob objective reach "$P1" "${O2:-0}" --date "$(ago 20)"
refuse "an objective reached in the future is refused" "future" \
    as bob objective add "$P1" "Later" --date "$(ago -3)"

is_num "$(session marc "$P2" 150 --mode video)" &&
    is_num "$(session chloe "$P2" 125)" &&
    is_num "$(session marc "$P2" 95 --status cancelled)" &&
    ok "P2: first meeting by video, one held, one cancelled" ||
    not_ok "P2: first meeting by video, one held, one cancelled"
O3=$(as chloe objective add "$P2" "Learn to drive" --date "$(ago 140)" \
    2>"$T/err")
check "P2: the objective abandoned" as chloe objective abandon "$P2" "${O3:-0}"

is_num "$(session nadia "$P3" 150 --mode in-person)" ||
    not_ok "P3: first meeting"
S32=$(session david "$P3" 130 --absent mentor)
check "P3: the attendance corrected: both came" \
    as nadia session update "$P3" "${S32:-0}" --absent none
is_num "$(session nadia "$P3" 100 --absent both)" ||
    not_ok "P3: a session recorded held, both absent"
as david objective add "$P3" "Open a bank account" --date "$(ago 160)" \
    >/dev/null 2>"$T/err" || not_ok "P3: an objective"

# ---- the coordinator's view before anyone ends ----------------------------
check "admin stats before the ends" report 1
has "JSON: two pairs at risk, the worst first (P3, 130 days; P2, 125)" \
    "$T/json1" "\"at_risk\":[{\"pair_id\":$P3,\"mentor\":\"nadia\",\"mentee\":\"david\",\"last_held\":\"$(ago 130)\",\"since\":\"$(ago 130)\",\"days_without_session\":130},{\"pair_id\":$P2,"
has "table: two pairs at risk" "$T/table1" "PAIRS AT RISK: 2"
check "Claire sees P3's session dates and attendance" \
    as admin admin sessions --pair "$P3"
if grep -q "$(ago 150)" "$T/out" && grep -q "$(ago 130)" "$T/out" &&
    grep "$(ago 100)" "$T/out" | grep -q both; then
    ok "admin sessions: P3's three dates, both absent on the last"
else
    not_ok "admin sessions: P3's three dates, both absent on the last"
fi
refuse "Claire cannot read P3's notes" "denied\\|administrators" as admin note list "$P3"

# ---- ends and re-pairing ----------------------------------------------------
check "alice ends P1 completed (it ran six months)" \
    as alice pair end "$P1" --reason completed
check "chloe withdraws from P2" as chloe pair end "$P2" --reason withdrawn
check "Claire ends P3 as stalled" \
    as admin admin end --pair "$P3" --reason stalled
new_pair P4 marc emma
is_num "$P4" && ok "Claire pairs marc again, with emma" ||
    not_ok "Claire pairs marc again, with emma"
as marc pair accept "${P4:-0}" >/dev/null 2>&1
as emma pair accept "${P4:-0}" >/dev/null 2>&1
is_num "$(session emma "${P4:-0}" -10 --status planned)" &&
    ok "P4: a session planned" || not_ok "P4: a session planned"
check "the structure's and both members' signatures verify" \
    as bob pair charter "$P1"
if grep -q "structure.*signed $(ago 0) *valid" "$T/out" &&
    [ "$(grep -c "signed $(ago 0) *valid" "$T/out")" = 3 ]; then
    ok "pair charter: three signatures, dated, valid"
else
    not_ok "pair charter: three signatures, dated, valid"
fi

# ---- the questionnaire -------------------------------------------------------
check "alice answers" as alice pair questionnaire "$P1" --answers 5,4 \
    --objectives yes
check "bob answers" as bob pair questionnaire "$P1" --answers 4,5 \
    --objectives yes
check "marc answers" as marc pair questionnaire "$P2" --answers 3,3 \
    --objectives partly
check "chloe answers" as chloe pair questionnaire "$P2" --answers 2,3 \
    --objectives no
check "admin stats with four answers" report 2
has "table: four answers show nothing" "$T/table2" \
    "fewer than 5 answers (4 waiting)"
check "nadia answers: the fifth" as nadia pair questionnaire "$P3" \
    --answers 3,4 --objectives partly
check "david answers: the sixth waits" as david pair questionnaire "$P3" \
    --answers 4,4 --objectives yes

# ---- every figure, computed by hand ------------------------------------------
# pairs: P1 completed, P2 withdrawn (by chloe), P3 withdrawn (stalled, by
#   the coordinator), P4 active: total 4.
# sessions: held P1 7 + P2 2 (150, 125) + P3 2 (150, 130) = 11; the one
#   held with both absent is cancelled: cancelled P2 1 + P3 1 = 2;
#   planned P4 1. Absences count on sessions recorded held, the
#   both-absent one too (each missed it): mentor 1 (P3, 100 days ago;
#   its absence 130 days ago was corrected), mentee 2 (P1, 135 days ago;
#   P3, 100 days ago).
# objectives: defined (not abandoned) 3 (O1, O2, P3's), reached 2: 67 %;
#   abandoned 1.
# completion: 1 of 3 ended: 33 %; ended by mentor 1, mentee 1,
#   coordinator 1.
# minimum duration (6 months): P1 ran 200 days (yes), P2 160 (no), P3
#   170 (no), P4 0 (not yet): 1 of 4 started: 25 %.
# first meeting in person: P1 and P3 of the 3 pairs that held one.
# days from start to the first held session: P1 5, P2 10, P3 20:
#   median 10.
# rhythm: 11 held x 30.4375 / (200 + 160 + 170 + 30: P4 counts one
#   interval) = 0.5979 per pair per month.
# questionnaire, the five counted (david's waits): Q1 5 4 3 2 3: mean
#   3.40, rated 1-5: 0 1 2 1 1; Q2 4 5 3 3 4: mean 3.80, 0 0 2 2 1;
#   objectives met yes 2, partly 2, no 1.
check "admin stats at the end" report 3
J=$T/json3
has "JSON: pairs" "$J" \
    '"pairs":{"total":4,"pending":0,"active":1,"completed":1,"withdrawn":2,"erased":0}'
has "JSON: sessions" "$J" '"sessions":{"held":11,"planned":1,"cancelled":2}'
has "JSON: absences" "$J" '"absences":{"mentor":1,"mentee":2}'
has "JSON: objectives" "$J" \
    '"objectives":{"defined":3,"reached":2,"reach_rate":0.6667}'
has "JSON: objectives abandoned" "$J" '"objectives_abandoned":1'
has "JSON: completion" "$J" '"completion":{"completed":1,"ended":3,"rate":0.3333}'
has "JSON: who ended" "$J" '"ended_by":{"mentor":1,"mentee":1,"coordinator":1}'
has "JSON: minimum duration" "$J" \
    '"minimum_duration":{"months":6,"reached":1,"started":4,"rate":0.2500}'
has "JSON: median days to the first session" "$J" \
    '"median_days_to_first_session":10.0000,"pairs_with_held_session":3'
has "JSON: meeting rhythm" "$J" '"sessions_per_pair_per_month":0.5979'
has "JSON: no pair at risk once P3 ended" "$J" '"at_risk":[]'
has "JSON: the programme's dates" "$J" \
    "\"start\":\"$(ago 220)\",\"end\":\"$(ago -180)\""
has "JSON: the structure signed today" "$J" \
    "\"structure_signature\":{\"signed\":true,\"date\":\"$(ago 0)\""
has "JSON: five answers counted, one waiting" "$J" \
    '"questionnaire":{"answers":5,"waiting":1,"enough":true'
has "JSON: Q1" "$J" \
    '{"text":"Were the meetings useful?","mean":3.4000,"counts":[0,1,2,1,1]}'
has "JSON: Q2" "$J" \
    '{"text":"Would you recommend the programme?","mean":3.8000,"counts":[0,0,2,2,1]}'
has "JSON: objectives met" "$J" '"objectives_met":{"yes":2,"partly":2,"no":1}'
has "JSON: P1's row" "$J" \
    "{\"pair_id\":$P1,\"mentor\":\"alice\",\"mentee\":\"bob\",\"status\":\"completed\""
has "JSON: first meeting in person" "$J" '"first_meeting":{"in_person":2,"pairs_met":3}'

T3=$T/table3
has "table: pairs" "$T3" \
    "total 4: pending 0, active 1, completed 1, withdrawn 2; erased 0"
has "table: first meeting in person" "$T3" "in person for 2 of the 3 pairs that met"
has "table: questionnaire" "$T3" "5 answers counted (1 waiting)"
has "table: Q1" "$T3" "Q1 mean 3.40, rated 1-5: 0 1 2 1 1"
has "table: objectives met" "$T3" "objectives met: yes 2, partly 2, no 1"

C=$T/csv3
[ "$(csv_field "$C" "$P1" sessions_held)" = 7 ] &&
    [ "$(csv_field "$C" "$P2" sessions_held)" = 2 ] &&
    [ "$(csv_field "$C" "$P3" sessions_held)" = 2 ] &&
    [ "$(csv_field "$C" "$P3" sessions_cancelled)" = 1 ] &&
    ok "CSV: held per pair 7, 2, 2; P3 one cancelled" ||
    not_ok "CSV: held per pair 7, 2, 2; P3 one cancelled"
[ "$(csv_field "$C" "$P1" first_meeting_mode)" = in-person ] &&
    [ "$(csv_field "$C" "$P2" first_meeting_mode)" = video ] &&
    ok "CSV: first meeting in person for P1, by video for P2" ||
    not_ok "CSV: first meeting in person for P1, by video for P2"
[ "$(csv_field "$C" "$P1" minimum_duration_reached)" = yes ] &&
    [ "$(csv_field "$C" "$P2" minimum_duration_reached)" = no ] &&
    ok "CSV: P1 ran the minimum, P2 did not" ||
    not_ok "CSV: P1 ran the minimum, P2 did not"
[ "$(csv_field "$C" "$P3" ended_by)" = coordinator ] &&
    [ "$(csv_field "$C" "$P2" ended_by)" = mentee ] &&
    ok "CSV: P3 ended by the coordinator, P2 by the mentee" ||
    not_ok "CSV: P3 ended by the coordinator, P2 by the mentee"

H=$T/html3
has "HTML: completion" "$H" \
    '<div class="l">Completion rate</div><div class="v">33&#8201;%</div>'
has "HTML: minimum duration" "$H" \
    '<div class="l">Minimum duration</div><div class="v">25&#8201;%</div>'
has "HTML: meeting rhythm" "$H" \
    '<div class="l">Meeting rhythm</div><div class="v">0.60</div>'
has "HTML: first session" "$H" \
    '<div class="l">First session</div><div class="v">10.0 d</div>'
has "HTML: the questionnaire's Q2 mean" "$H" "3.80"

# ---- and no note on the server's disk -----------------------------------------
if grep -a -r -q -e "Find an internship" -e "Learn to drive" \
    -e "Open a bank account" "$DATA"; then
    not_ok "no objective's text on the server's disk"
else
    ok "no objective's text on the server's disk"
fi
finish
