#!/bin/sh
# deliverables.sh: the malicious operator against the clear facts of a
# pairing's deliverables (issue 14): an objective's target date, a
# document's self-diagnosis mark and date, a session's follow-up flag.
# The world of adversary.sh, plus: $O3 with a target date and a quantity,
# $D2 the self-diagnosis, the pair completed, $FU a follow-up session a
# year later. One attack per copy of the data directory, bn_tamper:
#
#   target put off     O3's target date moved later (an overdue
#                      objective would look on time).
#   target taken away  O3's target row deleted.
#   target invented    O1 (no target) given one.
#   diagnosis redated  D2's date rewritten.
#   diagnosis unmarked D2 shown as a plain document.
#   diagnosis invented D1 (plain) shown as the self-diagnosis.
#   follow-up erased   FU shown as a session of the pairing.
#   follow-up invented S2 (a session of the pairing) shown as a follow-up.
#
# Each must be reported by the stock client with exit 3, naming the pair
# and the objective, document or session: each fact is in the signed
# entry of the request that made it (OBJECTIVE_ADD/EDIT, the final
# DOC_CHUNK, SESSION_ADD). The quantity is sealed with the objective's
# text: the operator cannot read or rewrite it (an envelope that does not
# open is shown as such, tests/adversary/content.sh). What the server can
# still do is lie in the administrator's report (SECURITY.md).
#
#   BUILD=build sh tests/adversary/deliverables.sh
. "$(dirname "$0")/lib/adversary.sh"
make_tmp adv-deliverables

YEAR_ON=$(date -u -d "@$(($(date -u +%s) + 365 * 86400))" +%Y-%m-%d)
world_extra() {
    setup_grab O3 "an objective with a target and a quantity" alice \
        objective add "$P" "train volunteers" --date 2024-02-01 \
        --target 2024-06-01 --quantity 12 --unit volunteers
    printf 'self-diagnosis\n' >"$T/diag.txt"
    setup_grab D2 "the self-diagnosis" bob doc put "$P" "$T/diag.txt" \
        --diagnosis --date 2024-01-15
    setup "alice ends the pair completed" as alice pair end "$P" \
        --reason completed
    setup_grab FU "a follow-up a year later" bob session add "$P" \
        --date "$YEAR_ON" --follow-up
    setup "alice reads the objectives" as alice objective list "$P"
    setup "bob reads the documents" as bob doc list "$P"
    setup "alice reads the sessions" as alice session list "$P"
}
world 59 89

attack "no attack: the deliverables read clean"
run alice objective list "$P"
[ -n "$A_SKIP" ] || [ "$rc" -eq 0 ] || fail "alice's objective list exits $rc"
[ -n "$A_SKIP" ] || grep -q "^$O3 .*2024-06-01 .*\[12 volunteers\]" \
    "$T/out" || fail "O3's target and quantity are not shown"
run bob doc list "$P"
[ -n "$A_SKIP" ] || [ "$rc" -eq 0 ] || fail "bob's doc list exits $rc"
[ -n "$A_SKIP" ] || grep -q "^$D2 .*2024-01-15 diag.txt" "$T/out" ||
    fail "D2 is not shown as the self-diagnosis"
run alice session list "$P"
[ -n "$A_SKIP" ] || grep -Eq "^$FU .*\(follow-up\)\$" "$T/out" ||
    fail "FU is not shown as a follow-up"
verdict

attack "a target date put off" objective-set "$P" "$O3" --target 2025-06-01
tampered "objective $O3" bob objective list "$P"
never_shown "2025-06-01"
verdict

attack "a target date taken away" objective-set "$P" "$O3" --target none
tampered "objective $O3" alice objective list "$P" --json
verdict

attack "a target date invented" objective-set "$P" "$O1" --target 2024-05-01
tampered "objective $O1" bob objective list "$P"
verdict

attack "the self-diagnosis redated" doc-mark "$P" "$D2" --date 2024-02-20
tampered "document $D2" alice doc list "$P"
never_shown "2024-02-20"
verdict

attack "the self-diagnosis unmarked" doc-mark "$P" "$D2" --kind plain
tampered "document $D2" bob doc list "$P" --json
verdict

attack "a self-diagnosis invented" doc-mark "$P" "$D1" --kind diagnosis \
    --date 2024-01-10
tampered "document $D1" alice doc list "$P"
verdict

attack "a follow-up made a session of the pairing" session-set "$P" "$FU" \
    --follow-up no
tampered "session $FU$NUM_END" alice session list "$P"
verdict

attack "a session of the pairing made a follow-up" session-set "$P" "$S2" \
    --follow-up yes
tampered "session $S2$NUM_END" bob session list "$P" --json
verdict

finish
