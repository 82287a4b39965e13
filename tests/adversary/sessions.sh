#!/bin/sh
# sessions.sh: the malicious operator against a pair's plaintext facts
# (issue 11, part 2): sessions, attendance, the charter acceptance and the
# pair's end. The pair (alice, bob) is verified in person, with a held
# session where the mentee was absent and a later one; a second pair
# (dave, erin) ended, completed. One attack per copy of the data
# directory, bn_tamper:
#
#   hidden session     deletes a session.
#   session date       moves a session to another date.
#   attendance         clears the mentee's absence.
#   absentees          (issue 14) names alice absent instead of bob, drops
#                      bob from the absentees (the bits alone), adds alice
#                      to them.
#   session status     turns a held session into a cancelled one.
#   fake end           ends the active pair (completed), no log entry.
#   fake member's end  ends it as withdrawn by the mentee, no log entry.
#   fake un-end        makes the ended pair active again: today a member's
#                      client writes into it.
#   consent withdrawn  the charter acceptance of the mentee removed (the
#                      pair pending again).
#   erase consent      a request to erase the ended pair planted in erin's
#                      name (issue 13): dave's client must not take it for
#                      erin's word, so his own request never completes an
#                      erasure erin did not ask for.
#
# Each must be reported by the stock client with exit 3, naming the pair
# and the session (or the pair alone), and the altered facts must not be
# printed as valid.
#
# One attack is not tampering: the server ends the pair in the
# coordinator's name (an account that is no member, stalled). That is
# what an administrator may do (PAIR_STOP, no log entry), so the server
# can always do it: the members' clients show it as the coordinator's
# end, the pair takes no more writes, and nothing is lost or forged
# (availability only; SECURITY.md).
#
#   BUILD=build sh tests/adversary/sessions.sh
. "$(dirname "$0")/lib/adversary.sh"
make_tmp adv-sessions

world_extra() {
    join_people "$PROG" dave:mentor erin:mentee
    [ "$failed" -eq 0 ] || finish
    setup_grab P2 "dave and erin are paired" admin admin pair \
        --programme "$PROG" --mentor dave --mentee erin
    setup "dave accepts" as dave pair accept "$P2"
    setup "erin accepts" as erin pair accept "$P2"
    echo "a few words with erin" >"$T/e1"
    setup "dave writes to erin" as dave note add "$P2" --file "$T/e1"
    setup "erin ends the pair, completed (early: --override)" \
        as erin pair end "$P2" --override \
        --reason completed
    setup "dave reads the ended pair" as dave note list "$P2"
    setup "erin reads the ended pair" as erin note list "$P2"
    ERIN=$(id_of erin)
}
PEOPLE="alice bob carol dave erin"
world 7 53

attack "a session withheld" hide-session "$P" "$S1"
tampered "session $S1$NUM_END" alice session list "$P"
tampered "session $S1$NUM_END" bob session list "$P" --json
verdict

attack "a session's date rewritten" session-set "$P" "$S1" --date 2024-02-15
tampered "session $S1$NUM_END" bob session list "$P"
never_shown "2024-02-15"
tampered "session $S1$NUM_END" alice session list "$P" --json
never_shown "2024-02-15"
verdict

attack "an absence erased" session-set "$P" "$S1" --absent none
tampered "session $S1$NUM_END" bob session list "$P" --json
verdict

attack "the absent member swapped (alice for bob)" session-set "$P" "$S1" \
    --absent mentor --absentees "$ALICE"
tampered "session $S1$NUM_END" bob session list "$P"
tampered "session $S1$NUM_END" alice session list "$P" --json
verdict

attack "the absent member dropped (the bits alone)" session-set "$P" "$S1" \
    --absentees ""
tampered "session $S1$NUM_END" alice session list "$P"
verdict

attack "an absentee added (alice too)" session-set "$P" "$S1" \
    --absent both --absentees "$ALICE,$BOB"
tampered "session $S1$NUM_END" bob session list "$P" --json
verdict

attack "a held session turned cancelled" session-set "$P" "$S2" \
    --status cancelled
tampered "session $S2$NUM_END" alice session list "$P"
never_shown "cancelled"
verdict

attack "the pair's end faked (completed)" pair-set "$P" --status completed
tampered "" alice note list "$P"
tampered "" bob note add "$P" --file "$T/n2"
verdict

attack "a member's end faked (withdrawn by bob)" pair-set "$P" \
    --status withdrawn --from "$BOB"
tampered "" alice note list "$P"
tampered "" bob session list "$P"
verdict

# The coordinator's end, made up by the server: shown as such, not
# refused, and the pair reads on but takes no more writes.
attack "the coordinator's end, made up (availability only)" pair-set "$P" \
    --status stalled --from 1
run alice note list "$P"
[ -n "$A_SKIP" ] || [ "$rc" -eq 0 ] || fail "alice's note list exits $rc"
run bob pairs
[ -n "$A_SKIP" ] || grep -qF "stalled, by the coordinator" "$T/out" ||
    fail "bob is not shown the coordinator's end"
run bob note add "$P" --file "$T/n2"
[ -n "$A_SKIP" ] || { [ "$rc" -eq 1 ] && grep -q "ended" "$T/err"; } ||
    fail "bob's write to the stopped pair exits $rc, not 1 'ended'"
verdict

TP=$P2
attack "an ended pair made active again" pair-set "$P2" --status active
tampered "" dave note add "$P2" --file "$T/n2"
tampered "" erin note list "$P2"
verdict
TP=

attack "the mentee's consent removed (pair pending again)" pair-set "$P" \
    --accepted mentor
tampered "" bob note list "$P"
tampered "" alice session list "$P"
verdict

TP=$P2
attack "a consent to erase forged in erin's name" fake-erase-consent "$P2" \
    "$ERIN"
tampered "member $ERIN" dave erase "$P2"
tampered "member $ERIN" dave note list "$P2"
verdict
TP=

finish
