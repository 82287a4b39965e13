#!/bin/sh
# questionnaire.sh: the convention's third signature and the programme's
# end-of-pairing questionnaire (issue 13), through the command line
# against a real binomed:
#   - the structure (the administrator) signs the programme's charter;
#     each pair's 'pair charter' shows the three signatures with their
#     dates, checked; 'admin stats' says it is signed (four formats);
#   - members of ended pairs answer once; the coordinator sees nothing
#     with 4 answers, and with the 5th the counts and means computed by
#     hand below, in the four formats of 'admin stats';
#   - answering twice, an administrator answering, and a member of an
#     active pair answering are refused.
#
#   BUILD=build sh tests/integration/questionnaire.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp questionnaire

# stats_all N: admin stats in the four formats into $T/{table,json,csv,html}N.
stats_all() {
    as admin admin stats --programme "$PROG" >"$T/table$1" 2>"$T/err" &&
        as admin admin stats --programme "$PROG" --json >"$T/json$1" \
            2>"$T/err" &&
        as admin admin stats --programme "$PROG" --csv >"$T/csv$1" \
            2>"$T/err" &&
        as admin admin stats --programme "$PROG" --html "$T/html$1" \
            >"$T/out" 2>"$T/err" && ok "admin stats in four formats ($1)" ||
        not_ok "admin stats in four formats ($1)"
}

TODAY=$(date -u +%Y-%m-%d)
start_daemon_checked 41 73 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Feedback)
join_people "$PROG" m1:mentor e1:mentee m2:mentor e2:mentee m3:mentor \
    e3:mentee m4:mentor e4:mentee
new_pair P1 m1 e1
new_pair P2 m2 e2
new_pair P3 m3 e3
new_pair P4 m4 e4
if is_num "$PROG" && is_num "$P1" && is_num "$P2" && is_num "$P3" &&
    is_num "$P4"; then
    ok "programme $PROG with pairs $P1 $P2 $P3 $P4"
else
    not_ok "a programme and four pairs"
    finish
fi

# ---- the structure's signature ------------------------------------------------
stats_all 0
has "table: the structure has not signed" "$T/table0" \
    "structure's signature  not signed"
has "JSON: not signed" "$T/json0" '"structure_signature":{"signed":false}'
has "HTML: not signed" "$T/html0" \
    "Structure's signature of the charter: <strong>not signed</strong>"
refuse "a member cannot sign for the structure" "role" \
    as m1 admin charter sign --programme "$PROG"
check "the administrator signs the charter for the structure" \
    as admin admin charter sign --programme "$PROG"
has "... and says so" "$T/out" "the structure signed the charter"
for a in m1:$P1 e1:$P1 m2:$P2 e2:$P2 m3:$P3 e3:$P3 m4:$P4 e4:$P4; do
    as "${a%%:*}" pair accept "${a#*:}" >"$T/out" 2>"$T/err" ||
        not_ok "${a%%:*} accepts"
done
check "m1 shows the pair's charter signatures" as m1 pair charter "$P1"
has "the structure's signature, dated and valid" "$T/out" \
    "signed $TODAY  valid (the administrator's key as the server gives it: not verified in person)"
has "... by the administrator" "$T/out" "Claire"
has "the mentor's signature, dated and valid" "$T/out" "mentor    m1"
[ "$(grep -c "signed $TODAY  valid" "$T/out")" = 3 ] &&
    ok "three signatures, each dated and valid" ||
    not_ok "three signatures, each dated and valid"
refuse "a pair that is not yours" "no pair" as m1 pair charter "$P2"
stats_all 1
has "table: signed, with its date" "$T/table1" \
    "structure's signature  signed on $TODAY"
has "JSON: signed, with its date" "$T/json1" \
    "\"structure_signature\":{\"signed\":true,\"date\":\"$TODAY\""
has "CSV: signed, with its date" "$T/csv1" "structure_signed,,$TODAY,"
has "HTML: signed, with its date" "$T/html1" \
    "<strong>signed on $TODAY</strong>"

# ---- the questionnaire -----------------------------------------------------------
refuse "a member cannot set the questionnaire" "role" \
    as m1 admin questionnaire set --programme "$PROG" --question "Q?"
check "the coordinator sets three questions" \
    as admin admin questionnaire set --programme "$PROG" \
    --question "How useful were the meetings?" \
    --question "How well did you get on?" \
    --question "Would you recommend the programme?"
refuse "at most 8 questions" "at most 8" \
    as admin admin questionnaire set --programme "$PROG" --question 1 \
    --question 2 --question 3 --question 4 --question 5 --question 6 \
    --question 7 --question 8 --question 9
refuse "a member of an active pair cannot answer yet" "ended" \
    as m1 pair questionnaire "$P1" --answers 4,5,3 --objectives yes
check "m1 completes P1" as m1 pair end "$P1" --reason completed --override
check "e2 withdraws from P2" as e2 pair end "$P2" --reason withdrawn
check "m3 completes P3" as m3 pair end "$P3" --reason completed --override
refuse "an administrator cannot answer" "for the members of a pair" \
    as admin pair questionnaire "$P1" --answers 4,5,3 --objectives yes
refuse "one rating per question" "3 questions" \
    as m1 pair questionnaire "$P1" --answers 4,5 --objectives yes
refuse "a rating is 1 to 5" "1 to 5" \
    as m1 pair questionnaire "$P1" --answers 4,6,3 --objectives yes
refuse "m4 (active pair P4) cannot answer" "pair [0-9]* has not ended" \
    as m4 pair questionnaire "$P4" --answers 4,5,3 --objectives yes
refuse "nobody answers for a pair that is not theirs" "no pair" \
    as m4 pair questionnaire "$P1" --answers 4,5,3 --objectives yes

# The answers (Q1, Q2, Q3; objectives met):
#   m1 4,5,3 yes   e1 5,5,2 partly   m2 3,4,1 no   e2 2,4,5 yes
#   m3 5,3,4 yes
# By hand, over the five: Q1 4+5+3+2+5 = 19, mean 3.80, rated 1..5:
# 0 1 1 1 2; Q2 5+5+4+4+3 = 21, mean 4.20: 0 0 1 2 2; Q3 3+2+1+5+4 = 15,
# mean 3.00: 1 1 1 1 1; objectives met yes 3, partly 1, no 1.
check "m1 answers" as m1 pair questionnaire "$P1" --answers 4,5,3 \
    --objectives yes
refuse "m1 cannot answer twice" "already answered" \
    as m1 pair questionnaire "$P1" --answers 1,1,1 --objectives no
check "e1 answers" as e1 pair questionnaire "$P1" --answers 5,5,2 \
    --objectives partly
check "m2 answers (withdrawn pair)" as m2 pair questionnaire "$P2" \
    --answers 3,4,1 --objectives no
check "e2 answers" as e2 pair questionnaire "$P2" --answers 2,4,5 \
    --objectives yes
stats_all 4
has "table, 4 answers: fewer than 5" "$T/table4" \
    "questionnaire          fewer than 5 answers (4 waiting)"
lacks "table, 4 answers: no mean" "$T/table4" "mean"
has "JSON, 4 answers: nothing counted" "$T/json4" \
    '"questionnaire":{"answers":0,"waiting":4,"enough":false'
lacks "JSON, 4 answers: no count" "$T/json4" '"counts":['
has "CSV, 4 answers: fewer than 5" "$T/csv4" \
    "questionnaire_answers,,fewer than 5"
has "HTML, 4 answers: fewer than 5" "$T/html4" \
    "<strong>fewer than 5 answers</strong>"
lacks "HTML, 4 answers: no table" "$T/html4" 'id="questionnaire"'

check "m3 answers: the fifth" as m3 pair questionnaire "$P3" \
    --answers 5,3,4 --objectives yes
stats_all 5
has "table: 5 answers counted" "$T/table5" \
    "questionnaire          5 answers counted (0 waiting)"
has "table: Q1 mean 3.80, 0 1 1 1 2" "$T/table5" \
    "Q1 mean 3.80, rated 1-5: 0 1 1 1 2: How useful were the meetings?"
has "table: Q2 mean 4.20, 0 0 1 2 2" "$T/table5" \
    "Q2 mean 4.20, rated 1-5: 0 0 1 2 2: How well did you get on?"
has "table: Q3 mean 3.00, 1 1 1 1 1" "$T/table5" \
    "Q3 mean 3.00, rated 1-5: 1 1 1 1 1: Would you recommend"
has "table: objectives met 3/1/1" "$T/table5" \
    "objectives met: yes 3, partly 1, no 1"
has "JSON: 5 answers" "$T/json5" \
    '"questionnaire":{"answers":5,"waiting":0,"enough":true'
has "JSON: Q1" "$T/json5" \
    '{"text":"How useful were the meetings?","mean":3.8000,"counts":[0,1,1,1,2]}'
has "JSON: Q2" "$T/json5" '"mean":4.2000,"counts":[0,0,1,2,2]}'
has "JSON: Q3" "$T/json5" '"mean":3.0000,"counts":[1,1,1,1,1]}'
has "JSON: objectives met" "$T/json5" \
    '"objectives_met":{"yes":3,"partly":1,"no":1}'
has "CSV: 5 answers" "$T/csv5" "questionnaire_answers,,5,"
has "CSV: Q1" "$T/csv5" \
    'question,"How useful were the meetings?",5,3.80,0,1,1,1,2'
has "CSV: Q3" "$T/csv5" 'question,"Would you recommend the programme?",5,3.00,1,1,1,1,1'
has "CSV: objectives met, yes" "$T/csv5" "objectives_met,yes,3"
has "CSV: objectives met, partly" "$T/csv5" "objectives_met,partly,1"
has "HTML: 5 answers" "$T/html5" "<strong>5 answers</strong>"
has "HTML: Q2's row" "$T/html5" \
    '<td>How well did you get on?</td><td class="n">4.20</td><td class="n">0</td><td class="n">0</td><td class="n">1</td><td class="n">2</td><td class="n">2</td>'
has "HTML: objectives met" "$T/html5" \
    "Objectives met: yes 3, partly 1, no 1."
tr -d '\r' <"$T/csv5" | awk 'NF == 0 { exit } { n++ } END { print n }' \
    >"$T/n"
[ "$(cat "$T/n")" = 5 ] && ok "CSV: the pair table is still one header and one row per pair" ||
    not_ok "CSV: the pair table ($(cat "$T/n") lines before the blank line)"
refuse "the questions no longer change once answered" "answers already" \
    as admin admin questionnaire set --programme "$PROG" --question "New?"
finish
