#!/bin/sh
# deliverables.sh: the structure-level deliverables of a pairing (issue
# 14), built through the command line against a real binomed: an action
# plan of dated, quantitative objectives (one reached by its target date,
# one overdue, one due later, one without a target), the pairing's
# self-diagnosis (a document marked so, with its date), the pair
# completed, then a follow-up session a year later. Each is shown to the
# members (objective list, doc list, session list, table and JSON) and
# counted in `binome admin stats` in all four formats, against figures
# computed here. A follow-up is refused on an active pair and before the
# pair's end; it counts apart from the pairing's own sessions.
#
#   BUILD=build sh tests/integration/deliverables.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed. The daemon is killed
# on exit.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp deliver

start_daemon_checked 53 83 "binomed starts"

join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Inclusion "Organisations" mixed)
join_people "$PROG" alice:mentor bob:mentee
verified_pair P alice bob
# The pair ran for about a year: its start is dated 400 days ago.
start_pair "$P" 400
check "a first session, 390 days ago" \
    as alice session add "$P" --date "$(ago 390)"
check "a second session, 300 days ago" \
    as bob session add "$P" --date "$(ago 300)"

# ---- the action plan --------------------------------------------------------
# O1 due 200 days ago, reached 210 days ago: on time. O2 due 100 days
# ago, open: overdue. O3 due in 100 days: not overdue. O4: no target.
D380=$(ago 380)
T200=$(ago 200) R210=$(ago 210) T100=$(ago 100) F100=$(ago -100)
grab O1 alice objective add "$P" "Train volunteers" --date "$D380" \
    --target "$T200" --quantity 12 --unit "volunteers trained"
grab O2 alice objective add "$P" "Sign partnerships" --date "$D380" \
    --target "$T100" --quantity 3 --unit partnerships
grab O3 bob objective add "$P" "Open a second site" --date "$D380" \
    --target "$F100" --quantity 1
grab O4 bob objective add "$P" "Write the statutes" --date "$D380"
if is_id "$O1" && is_id "$O2" && is_id "$O3" && is_id "$O4"; then
    ok "four objectives, three with a target date and a quantity"
else
    not_ok "four objectives"
    show_tail
    finish
fi
check "O1 reached before its target" \
    as bob objective reach "$P" "$O1" --date "$R210"
refuse "a target before the day the objective is defined" "before" \
    as alice objective add "$P" "Too late" --date "$D380" --target "$(ago 390)"
refuse "a quantity that is not a number" "quantity" \
    as alice objective add "$P" "Bad" --quantity twelve
refuse "a unit without a quantity" "needs --quantity" \
    as alice objective add "$P" "Bad" --unit people
refuse "a target that is no day" "target" \
    as alice objective add "$P" "Bad" --target 2026-02-30
refuse "a unit with an escape sequence" "--unit" \
    as alice objective add "$P" "Bad" --quantity 1 \
    --unit "$(printf 'red\033[31m')"
# The quantity and its unit are sealed with the text: never on the disk.
if grep -qaF "volunteers trained" "$DATA/data.mdb" ||
    grep -qaF "partnerships" "$DATA/data.mdb"; then
    not_ok "the units are not in the server's data in clear"
else
    ok "the units are not in the server's data in clear"
fi

as bob objective list "$P" >"$T/olist" 2>"$T/err" || not_ok "objective list"
has "the list shows O1's target and quantity (decrypted)" "$T/olist" \
    "$T200" "$O1"
has "the list shows O1's quantity and unit" "$T/olist" \
    "[12 volunteers trained]" "$O1"
has "the list shows O3's quantity without a unit" "$T/olist" "[1]" "$O3"
as alice objective list "$P" --json >"$T/ojson" 2>"$T/err" ||
    not_ok "objective list --json"
has "JSON: O2's target, quantity and unit" "$T/ojson" \
    "\"target\":\"$T100\",\"quantity\":\"3\",\"unit\":\"partnerships\"" '"id"'
has "JSON: O4 without a target or quantity" "$T/ojson" \
    '"target":null,"quantity":null,"unit":null' '"id"'
# An edit keeps what it is not told: O4 gets a target, then loses it.
check "O4 gets a target by an edit" \
    as bob objective edit "$P" "$O4" "Write the statutes" --target "$F100"
check "O3's target taken away, its quantity kept" \
    as bob objective edit "$P" "$O3" "Open a second site" --target none
as alice objective list "$P" --json >"$T/ojson" 2>"$T/err"
if grep -o "{\"id\":\"$O3\"[^}]*}" "$T/ojson" |
    grep -qF '"target":null,"quantity":"1"' &&
    grep -o "{\"id\":\"$O4\"[^}]*}" "$T/ojson" |
    grep -qF "\"target\":\"$F100\""; then
    ok "the edits are seen by the other member"
else
    not_ok "the edits are seen by the other member"
    sed 's/^/#   /' "$T/ojson"
fi

# ---- the self-diagnosis -----------------------------------------------------
D385=$(ago 385)
printf 'Autodiagnostic de la structure\n' >"$T/autodiag.txt"
printf 'Minutes\n' >"$T/minutes.txt"
check "the self-diagnosis shared, dated 385 days ago" \
    as alice doc put "$P" "$T/autodiag.txt" --diagnosis --date "$D385"
check "a plain document" as bob doc put "$P" "$T/minutes.txt"
refuse "a self-diagnosis dated in the future" "future" \
    as alice doc put "$P" "$T/minutes.txt" --diagnosis --date "$F100"
refuse "--date without --diagnosis" "diagnosis" \
    as alice doc put "$P" "$T/minutes.txt" --date "$D385"
as bob doc list "$P" >"$T/dlist" 2>"$T/err" || not_ok "doc list"
has "doc list shows the self-diagnosis and its date" "$T/dlist" \
    "$D385 autodiag.txt" autodiag
as bob doc list "$P" --json >"$T/djson" 2>"$T/err"
has "JSON: the diagnosis date" "$T/djson" "\"diagnosis\":\"$D385\"}"
has "JSON: the plain document has none" "$T/djson" '"diagnosis":null}'

# ---- the end, then a follow-up ---------------------------------------------
refuse "a follow-up on an active pair" "after the pair completed" \
    as alice session add "$P" --date "$(ago 1)" --follow-up
check "alice ends the pair completed" \
    as alice pair end "$P" --reason completed
refuse "an ordinary session on the completed pair" "ended" \
    as alice session add "$P" --date "$(ago 0)"
refuse "a follow-up dated on the pair's end" "after the pair's end" \
    as alice session add "$P" --date "$(ago 0)" --follow-up
refuse "a follow-up with a mode" "follow-up" \
    as alice session add "$P" --date "$(ago -365)" --follow-up --mode video
Y1=$(ago -365)
grab FU bob session add "$P" --date "$Y1" --follow-up
if is_num "$FU"; then
    ok "a follow-up session a year later (planned)"
else
    not_ok "a follow-up session a year later"
    show_tail
fi
as alice session list "$P" >"$T/slist" 2>"$T/err" || not_ok "session list"
has "session list marks the follow-up" "$T/slist" \
    "$FU       $Y1 planned   -      -            unknown (follow-up)" "$Y1"
as alice session list "$P" --json >"$T/sjson" 2>"$T/err"
has "JSON: the follow-up" "$T/sjson" '"mode":"unknown","follow_up":true,"absentees":[]}'
has "JSON: the pairing's own sessions are not" "$T/sjson" \
    '"follow_up":false,"absentees":[]}'

# ---- the programme's figures -------------------------------------------------
# Computed above: overdue 1 (O2), on time 1 (O1), one pair with a
# self-diagnosis dated D385, no follow-up held, one planned; the
# pairing's sessions: 2 held, 0 planned (the follow-up is not one).
if as admin admin stats --programme "$PROG" --json >"$T/json" 2>"$T/err"; then
    ok "admin stats --json"
else
    not_ok "admin stats --json"
    show_tail
fi
has "JSON: the deliverables in total" "$T/json" \
    '"deliverables":{"objectives_overdue":1,"objectives_on_time":1,"pairs_with_diagnosis":1,"follow_ups_held":0,"follow_ups_planned":1}'
has "JSON: the follow-up is not a session of the pairing" "$T/json" \
    '"sessions":{"held":2,"planned":0,"cancelled":0}'
has "JSON: the pair's deliverables" "$T/json" \
    "\"objectives_overdue\":1,\"objectives_on_time\":1,\"diagnosis_date\":\"$D385\",\"follow_ups_held\":0,\"follow_ups_planned\":1}"

if as admin admin stats --programme "$PROG" >"$T/table" 2>"$T/err"; then
    ok "admin stats (table)"
else
    not_ok "admin stats (table)"
fi
has "table: action plans" "$T/table" \
    "action plans           objectives overdue 1, reached by their target 1"
has "table: self-diagnosis" "$T/table" \
    "self-diagnosis         1 of 1 pairs made one"
has "table: follow-ups" "$T/table" \
    "follow-up sessions     held 0, planned 1"
has "table: the pair's row" "$T/table" "    1/1 $D385    0/1 " alice

if as admin admin stats --programme "$PROG" --csv >"$T/csv" 2>"$T/err"; then
    ok "admin stats --csv"
else
    not_ok "admin stats --csv"
fi
row=$(tr -d '\r' <"$T/csv" | awk -F, -v p="$P" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $1 == p { print $col["objectives_overdue"] "|" $col["objectives_on_time"] \
        "|" $col["diagnosis_date"] "|" $col["follow_ups_held"] "|" \
        $col["follow_ups_planned"] "|" $col["sessions_planned"] }')
if [ "$row" = "1|1|$D385|0|1|0" ]; then
    ok "CSV: the pair's deliverables"
else
    not_ok "CSV: the pair's deliverables (got '$row')"
fi

if as admin admin stats --programme "$PROG" --html "$T/report.html" \
    >"$T/out" 2>"$T/err" && [ -s "$T/report.html" ]; then
    ok "admin stats --html writes the report"
else
    not_ok "admin stats --html writes the report"
fi
has "HTML: objectives overdue" "$T/report.html" \
    '<div class="l">Objectives overdue</div><div class="v">1</div>' overdue
has "HTML: self-diagnosis" "$T/report.html" \
    '<div class="l">Self-diagnosis</div><div class="v">1</div>' diagnosis
has "HTML: follow-ups" "$T/report.html" \
    '<div class="l">Follow-up sessions</div><div class="v">0</div><div class="d">held after the pairs completed (counted apart); 1 planned</div>' \
    Follow-up
has "HTML: the pair's row" "$T/report.html" \
    "<td class=\"n\">1 / 1</td><td class=\"d\">$D385</td><td class=\"n\">0 / 1</td>" \
    "$D385"

finish
