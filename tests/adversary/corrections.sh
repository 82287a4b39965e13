#!/bin/sh
# corrections.sh: the malicious operator against the facts that members
# correct (issue 13): a session's mode, and an objective's status now that
# it can be abandoned and reopened. The world of adversary.sh, plus: $S2
# recorded by video, $O1 edited by its author, $O3 abandoned. One attack
# per copy of the data directory, bn_tamper:
#
#   mode invented      S1 (no mode recorded) shown held in person: the
#                      report would count a first meeting in person.
#   mode rewritten     S2 (video) shown held in person.
#   mode erased        S2's mode row deleted (shown unknown).
#   abandoned          O1 shown abandoned, which no member said.
#   un-abandoned       O3 shown open again (defined), no reopen logged.
#   reached            O3 shown reached instead of abandoned.
#
# Each must be reported by the stock client with exit 3, naming the pair
# and the session or objective. Every mode and status change is a signed
# log entry (SESSION_MODE_SET, OBJECTIVE_ABANDON, OBJECTIVE_REOPEN), so the
# server cannot make one up; what it can still do is what it can do to
# every counter: lie in the administrator's report (SECURITY.md).
#
#   BUILD=build sh tests/adversary/corrections.sh
. "$(dirname "$0")/lib/adversary.sh"
make_tmp adv-corrections

world_extra() {
    setup "bob records S2 held by video" as bob session update "$P" "$S2" \
        --mode video
    setup "bob edits his objective" as bob objective edit "$P" "$O1" \
        "objective one, corrected"
    setup_grab O3 "a third objective" alice objective add "$P" "give up"
    setup "alice abandons it" as alice objective abandon "$P" "$O3"
    setup "alice reads the sessions" as alice session list "$P"
    setup "bob reads the objectives" as bob objective list "$P"
}
world 47 79

attack "no attack: the corrected world reads clean"
run alice session list "$P"
[ -n "$A_SKIP" ] || [ "$rc" -eq 0 ] || fail "alice's session list exits $rc"
[ -n "$A_SKIP" ] || grep -Eq "^$S2 .* video\$" "$T/out" ||
    fail "S2 is not shown by video"
run bob objective list "$P"
[ -n "$A_SKIP" ] || [ "$rc" -eq 0 ] || fail "bob's objective list exits $rc"
[ -n "$A_SKIP" ] || grep -q "objective one, corrected" "$T/out" ||
    fail "the edited text is not shown"
verdict

attack "a mode invented for S1" session-set "$P" "$S1" --mode in-person
tampered "session $S1$NUM_END" alice session list "$P"
never_shown "in-person"
verdict

attack "S2's mode rewritten" session-set "$P" "$S2" --mode in-person
tampered "session $S2$NUM_END" bob session list "$P" --json
verdict

attack "S2's mode erased" session-set "$P" "$S2" --mode unknown
tampered "session $S2$NUM_END" alice session list "$P"
verdict

attack "an objective abandoned by the server" objective-set "$P" "$O1" \
    --status abandoned
tampered "objective $O1" bob objective list "$P"
never_shown "abandoned"
verdict

attack "an abandoned objective made open again" objective-set "$P" "$O3" \
    --status defined
tampered "objective $O3" alice objective list "$P" --json
verdict

attack "an abandoned objective shown reached" objective-set "$P" "$O3" \
    --status reached
tampered "objective $O3" bob objective list "$P"
verdict

finish
