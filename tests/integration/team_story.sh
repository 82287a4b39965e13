#!/bin/sh
# team_story.sh: a team pairing from start to yearly follow-up (issue 14),
# through the command line against a real binomed. The inclusion
# programme allows three members a side. A mentors' team (alice, its
# referent, and erin) accompanies a structure's project team (bob, its
# referent, carol and dave); midway bob removes dave and adds frank.
# Sessions record who of each side was there; the structure keeps an
# internal note to its side; the action plan has dated, quantitative
# objectives; the self-diagnosis is a dated document; the pairing
# completes and plans its yearly follow-up. Every figure of
# `admin stats --json` is checked against what the story says it must
# be, computed here.
#
#   BUILD=build sh tests/integration/team_story.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp team-story

start_daemon_checked 53 83 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Inclusion)
check "the coordinator allows teams of three a side" \
    as admin admin programme set --programme "$PROG" --side-max 3
join_people "$PROG" alice:mentor erin:mentor bob:mentee carol:mentee \
    dave:mentee frank:mentee
verified_pair P alice bob
start_pair "$P" 240

# join REFERENT WHO [--history]: the referent adds WHO after comparing
# their key code; WHO accepts the charter.
join() {
    ref=$1 m=$2
    shift 2
    if as "$ref" pair member add "$P" --account "$(account_of "$m")" \
        --code "$(key_code_of "$m")" "$@" >"$T/out" 2>"$T/err" &&
        as "$m" pair accept "$P" >"$T/out" 2>"$T/err"; then
        ok "$ref adds $m, who accepts"
    else
        not_ok "$ref adds $m, who accepts"
    fi
}
join alice erin
join bob carol --history
join bob dave

# session WHO DAYS-AGO STATUS [ABSENT]: WHO records a session; its id in S.
session() {
    who=$1 days=$2 st=$3
    shift 3
    S=$(as "$who" session add "$P" --date "$(ago "$days")" --status "$st" \
        ${1:+--absent "$1"} 2>"$T/err")
    if is_num "$S"; then
        ok "$who records a session $days days ago ($st${1:+, absent: $1})"
    else
        not_ok "$who records a session $days days ago"
    fi
}
session alice 200 held dave          # mentees absent: dave
session bob 170 held erin,carol      # mentors: erin; mentees: carol
session carol 140 held mentee        # the whole mentee side: bob, carol, dave
check "bob removes dave" as bob pair member remove "$P" --account "$(account_of dave)"
join bob frank
session frank 100 held frank         # mentees: frank
session erin 60 cancelled
session alice 30 held                # everybody there

# the structure's internal note, kept to its side
echo "Board meeting: the budget is not voted yet." >"$T/internal"
grab NS carol note add "$P" --side --file "$T/internal" && is_id "$NS" ||
    not_ok "carol writes the mentees' internal note"
as frank note show "$P" "$NS" --raw >"$T/out" 2>&1
has "frank, a mentee, reads it" "$T/out" "budget is not voted"
refuse "erin, a mentor, is not served it" "note" \
    as erin note show "$P" "$NS" --raw

# the action plan: dated, quantitative objectives
grab O1 bob objective add "$P" "Train volunteers" --date "$(ago 60)" \
    --target "$(ago 10)" --quantity 12 --unit "bénévoles formés" ||
    not_ok "an objective with a target and a quantity"
grab O2 carol objective add "$P" "Run workshops" --target "$(ago -30)" \
    --quantity 3 --unit ateliers || not_ok "a second objective"
grab O3 alice objective add "$P" "Find a second funder" \
    --target "$(ago -60)" || not_ok "a third objective"
check "the workshops are run, before their target" \
    as carol objective reach "$P" "$O2"
as dave objective list "$P" >"$T/out" 2>&1
refuse "dave, removed, reads nothing of the pair" "no pair" \
    as dave objective list "$P"

# the self-diagnosis
head -c 20000 /dev/urandom >"$T/diag.pdf"
check "the structure's self-diagnosis, dated" \
    as bob doc put "$P" "$T/diag.pdf" --diagnosis --date "$(ago 190)"

# the end, and the yearly follow-up
check "the pairing completes" as alice pair end "$P" --reason completed
check "a yearly follow-up is planned" \
    as bob session add "$P" --date "$(ago -365)" --status planned --follow-up

# ---- the coordinator's figures -----------------------------------------
as admin admin stats --programme "$PROG" --json >"$T/json" 2>"$T/err" ||
    not_ok "admin stats --json"
# Expected, from the story above: held sessions S1 S2 S3 S4 S6 (5), one
# cancelled; absences by member: mentors erin 1; mentees dave 2 (S1, S3),
# carol 2 (S2, S3), bob 1 (S3), frank 1 (S4): 6; objectives 3 defined, 1
# reached (on time), 1 overdue; a self-diagnosis; one planned follow-up.
held=5 cancelled=1 ab_mentor=1 ab_mentee=$((2 + 2 + 1 + 1))
has "5 sessions held, 1 cancelled" "$T/json" \
    "\"held\":$held,\"planned\":0,\"cancelled\":$cancelled"
has "absences per side: $ab_mentor mentor, $ab_mentee mentee" "$T/json" \
    "\"absences\":{\"mentor\":$ab_mentor,\"mentee\":$ab_mentee}"
for row in "dave:2" "carol:2" "bob:1" "frank:1" "erin:1" "alice:0"; do
    m=${row%%:*} missed=${row#*:}
    if grep -o "\"account_id\":$(account_of "$m"),\"name\":\"$m\"[^}]*" \
        "$T/json" | grep -q "\"sessions_held\":$held,\"absences\":$missed"; then
        ok "$m's row: $missed of the $held sessions held missed"
    else
        not_ok "$m's row: $missed of the $held sessions held missed"
        grep -o "\"account_id\":$(account_of "$m"),[^}]*" "$T/json" |
            sed 's/^/#   /'
    fi
done
has "3 objectives defined, 1 reached" "$T/json" \
    '"objectives":{"defined":3,"reached":1,'
has "1 overdue, 1 reached on time" "$T/json" \
    '"objectives_overdue":1,"objectives_on_time":1'
has "the pairing made its self-diagnosis" "$T/json" '"pairs_with_diagnosis":1'
has "its date" "$T/json" "\"diagnosis_date\":\"$(ago 190)\""
has "1 follow-up planned, none held yet" "$T/json" \
    '"follow_ups_held":0,"follow_ups_planned":1'
has "the pairing completed" "$T/json" '"completed":1'
has "its row: every count" "$T/json" \
    "\"sessions_held\":$held,\"sessions_planned\":0,\"sessions_cancelled\":$cancelled,\"absent_mentor\":$ab_mentor,\"absent_mentee\":$ab_mentee,\"objectives_defined\":3,\"objectives_reached\":1"
lacks "no note or objective text reaches the coordinator" "$T/json" \
    "budget"
lacks "nor a quantity's unit" "$T/json" "bénévoles"
for fmt in "" --csv; do
    as admin admin stats --programme "$PROG" $fmt >"$T/out" 2>&1
    has "the ${fmt:-table} report names frank's absence" "$T/out" "frank"
done
as admin admin stats --programme "$PROG" --html "$T/report.html" \
    >"$T/out" 2>&1
has "the HTML report holds the members' table" "$T/report.html" \
    'id="members"'

# ---- erasure: every current member asks --------------------------------
for m in alice erin bob carol; do
    check "$m asks to erase the pairing" as "$m" erase "$P"
done
refuse "four of its five current members asked: not erased yet" \
    "4 of its 5 members asked" as admin admin erase --pair "$P"
refuse "dave, who left, has no say (nor reach)" "no pair" as dave erase "$P"
check "frank asks last: the pairing is erased" as frank erase "$P"
has "erase says so" "$T/out" "pair $P erased"
as admin admin stats --programme "$PROG" --json >"$T/json" 2>"$T/err"
has "the coordinator's figures keep the erased pairing's ending" "$T/json" \
    '"completion":{"completed":1,"ended":1'

finish
