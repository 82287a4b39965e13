#!/bin/sh
# ends.sh: who ended a pair, the coordinator's own end of a stalled pair,
# re-pairing, and a programme's limit of mentees per mentor (issue 13),
# through the command line against a real binomed. Seen wrong before:
#   - only a member could end a pair: the coordinator could not end one
#     that had stalled (no 'admin end');
#   - who ended a pair was shown nowhere (pairs, admin stats), and was
#     lost from the report once the pair was erased;
#   - a mentor could follow one mentee only, and pairing a second said
#     "already exists".
#
#   BUILD=build sh tests/integration/ends.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp ends


start_daemon_checked 41 71 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Ends)
join_people "$PROG" alice:mentor bob:mentee carol:mentor dave:mentee \
    erin:mentee
new_pair P1 alice bob
new_pair P2 carol dave
if is_num "$PROG" && is_num "$P1" && is_num "$P2"; then
    ok "programme $PROG with pairs $P1 $P2"
else
    not_ok "a programme and two pairs"
    finish
fi
for a in alice:$P1 bob:$P1 carol:$P2 dave:$P2; do
    as "${a%%:*}" pair accept "${a#*:}" >"$T/out" 2>"$T/err" ||
        not_ok "${a%%:*} accepts"
done
check "P2 holds a session" as carol session add "$P2" \
    --date "$(date -u +%Y-%m-%d)"

# ---- the limit of mentees per mentor --------------------------------------
refuse "a mentor at the programme's limit: the error names it" \
    "mentees per mentor: 1" \
    as admin admin pair --programme "$PROG" --mentor alice --mentee erin
grep -q "binome admin programme set" "$T/err" &&
    ok "... and says how to raise it" || not_ok "... and says how to raise it"
refuse "a mentee in a pair: one pair at a time" "one pair at a time" \
    as admin admin pair --programme "$PROG" --mentor alice --mentee dave
refuse "only an administrator sets the limit" "role" \
    as alice admin programme set --programme "$PROG" --mentees-per-mentor 2
check "the administrator allows 2 mentees per mentor" \
    as admin admin programme set --programme "$PROG" --mentees-per-mentor 2
as admin admin programme list --json >"$T/plist" 2>"$T/err"
has "the programme shows its limit" "$T/plist" '"mentees_per_mentor":2'
new_pair P3 alice erin
is_num "$P3" && ok "alice follows a second mentee (pair $P3)" ||
    not_ok "alice follows a second mentee"
check "a programme made with 3 mentees per mentor" \
    as admin admin programme create --name Wide --theme T --months 6 \
    --frequency monthly --format video --mentees-per-mentor 3
as admin admin programme list --json >"$T/plist" 2>"$T/err"
has "... shows it" "$T/plist" '"mentees_per_mentor":3'

# ---- the coordinator ends a stalled pair ------------------------------------
refuse "a member cannot use the coordinator's end" "role" \
    as carol admin end --pair "$P2" --reason stalled
refuse "the coordinator does not complete a pair" "stalled or withdrawn" \
    as admin admin end --pair "$P2" --reason completed
check "the coordinator ends P2: stalled" \
    as admin admin end --pair "$P2" --reason stalled
has "... and says so" "$T/out" "ended by the coordinator: stalled"
refuse "an ended pair cannot be ended again" "already ended" \
    as admin admin end --pair "$P2" --reason withdrawn
check "dave lists his pairs (no tampering seen)" as dave pairs
has "dave sees the coordinator's end" "$T/out" "stalled, by the coordinator"
check "carol reads the ended pair" as carol session list "$P2"
refuse "nothing more is written to it" "ended" \
    as carol session add "$P2" --date "$(date -u +%Y-%m-%d)"
as dave pairs --json >"$T/pj" 2>"$T/err"
has "pairs --json: who ended it" "$T/pj" '"ended_by":{"role":"coordinator"'
check "bob withdraws from P1" as bob pair end "$P1" --reason withdrawn
as alice pairs >"$T/out" 2>"$T/err"
has "alice sees the mentee's end" "$T/out" "withdrawn, by the mentee"

# ---- re-pairing ---------------------------------------------------------
new_pair P4 carol dave
is_num "$P4" && ok "carol and dave are paired again (pair $P4)" ||
    not_ok "carol and dave are paired again"
new_pair P5 alice bob
is_num "$P5" && ok "bob is paired again with alice (pair $P5)" ||
    not_ok "bob is paired again"

# ---- the report -------------------------------------------------------------
report() {
    as admin admin stats --programme "$PROG" >"$T/table$1" 2>"$T/err" &&
        as admin admin stats --programme "$PROG" --json >"$T/json$1" &&
        as admin admin stats --programme "$PROG" --csv >"$T/csv$1" &&
        as admin admin stats --programme "$PROG" --html "$T/html$1" \
            >"$T/out"
}
check "admin stats, every format" report 1
has "table: counts by who ended" "$T/table1" \
    "ended by               mentor 0, mentee 1, coordinator 1"
grep -E "^$P2 " "$T/table1" | grep -qF "stalled, coordinator" &&
    ok "table: P2 stalled, by the coordinator" ||
    not_ok "table: P2 stalled, by the coordinator"
has "JSON: counts by who ended" "$T/json1" \
    '},"ended_by":{"mentor":0,"mentee":1,"coordinator":1},'
has "JSON: P2's end" "$T/json1" '"end_reason":"stalled","ended_by":"coordinator"'
has "JSON: P1's end" "$T/json1" '"end_reason":"withdrawn","ended_by":"mentee"'
# csv_row FILE PAIR: the pair's end_reason/ended_by, found by the header's
# names (later issues add columns).
csv_row() {
    tr -d '\r' <"$1" | awk -F, -v p="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 == p { print $col["end_reason"] "/" $col["ended_by"] }'
}
[ "$(csv_row "$T/csv1" "$P2")" = "stalled/coordinator" ] &&
    ok "CSV: P2 stalled, ended by the coordinator" ||
    not_ok "CSV: P2 stalled, ended by the coordinator ($(csv_row "$T/csv1" "$P2"))"
tr -d '\r' <"$T/csv1" | head -1 | grep -qE ',ended_by(,|$)' &&
    ok "CSV: an ended_by column" || not_ok "CSV: an ended_by column"
has "HTML: P2's end" "$T/html1" "stalled, by the coordinator"
has "HTML: counts by who ended" "$T/html1" \
    '<div class="l">Ended by the coordinator</div><div class="v">1</div>'

# ---- erased, still recorded -----------------------------------------------
refuse "the administrator alone cannot erase P2" "cannot be erased" \
    as admin admin erase --pair "$P2"
check "carol asks to erase P2" as carol erase "$P2"
check "dave asks too: P2 is erased" as dave erase "$P2"
check "admin stats after the erasure" report 2
has "table: still ended by the coordinator" "$T/table2" \
    "ended by               mentor 0, mentee 1, coordinator 1"
[ "$(csv_row "$T/csv2" "$P2")" = "stalled/coordinator" ] &&
    ok "CSV: erased P2 still stalled, by the coordinator" ||
    not_ok "CSV: erased P2 still stalled, by the coordinator"
has "JSON: erased P2's end kept" "$T/json2" \
    '"end_reason":"stalled","ended_by":"coordinator"'

finish
