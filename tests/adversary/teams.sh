#!/bin/sh
# teams.sh: the malicious operator against a team pairing (issue 14).
# The pair (alice, bob) is verified in person; bob, the mentees' referent,
# added dave to his side (dave's key code compared in person) and dave
# accepted; he added and then removed frank; erin is a real account of
# the programme, the operator's sock puppet. Each attack edits a stopped
# daemon's data with bn_tamper:
#
#   phantom member      erin added to the team pairing's members, the
#                       epoch raised: so that the next key is wrapped for
#                       her too.
#   member withheld     dave's member record deleted (his notes' author
#                       gone from the list).
#   member shown left   dave shown as gone, with no signed removal: so
#                       that the next key leaves him out.
#   removed member back frank, whom bob removed, shown as a member again:
#                       so that the next key is wrapped for him.
#
# Every member's stock client (alice, bob, dave) refuses with exit 3,
# naming the pair and the member, and the sock puppet or the removed
# member reads nothing written after the edit.
#
#   BUILD=build sh tests/adversary/teams.sh
. "$(dirname "$0")/lib/adversary.sh"
make_tmp adv-teams

PEOPLE="alice bob carol dave erin frank"
# world_extra: the team. The coordinator allows 3 members a side; bob
# adds dave (who accepts and writes) and frank, then removes frank.
world_extra() {
    setup "the coordinator allows teams" as admin admin programme set \
        --programme "$PROG" --side-max 3
    join_people "$PROG" dave:mentee erin:mentee frank:mentee
    DAVE=$(id_of dave) ERIN=$(id_of erin) FRANK=$(id_of frank)
    # (not "who": as() sets it)
    for m in dave frank; do
        setup "bob adds $m" as bob pair member add "$P" \
            --account "$(id_of "$m")" --code "$(key_code_of "$m")"
        setup "$m accepts" as "$m" pair accept "$P"
    done
    printf '%s\n' "dave's first words" >"$T/nd"
    setup_grab ND "dave writes" dave note add "$P" --file "$T/nd"  # DBG
    setup "bob removes frank" as bob pair member remove "$P" \
        --account "$FRANK"
    for m in alice bob dave; do
        setup "$m reads the team pairing" as "$m" note list "$P"
    done
}
world 5 47

SECRET="written after the operator's edit: for the team only"
printf '%s\n' "$SECRET" >"$T/secret"

# every_member_refuses PATTERN: alice, bob and dave each refuse the pair
# as tampered, naming PATTERN; nothing written after reaches erin or
# frank.
every_member_refuses() {
    tampered "$1" alice note add "$P" --file "$T/secret"
    tampered "$1" bob note list "$P"
    tampered "$1" dave note list "$P"
    tampered "$1" dave pair members "$P"
    refused erin note list "$P"
    refused frank note list "$P"
    never_shown "$SECRET"
}

attack "honest team pairing: no alarm"
run alice note add "$P" --file "$T/secret"
[ "$rc" -eq 0 ] || fail "alice cannot write to the honest team pairing"
run dave note show "$P" "$(cat "$T/out")" --raw
grep -qF "$SECRET" "$T/out" || fail "dave does not read alice's note"
run alice pair members "$P"
grep -q "vouched for by bob (referent)" "$T/out" ||
    fail "alice's members list does not say bob vouched for dave"
verdict

attack "phantom member in a team pairing" phantom-member "$P" "$ERIN"
every_member_refuses "member $ERIN|erin"
verdict

attack "a team member withheld" drop-member "$P" "$DAVE"
tampered "member|$DAVE|withheld" alice note add "$P" --file "$T/secret"
tampered "member|$DAVE|withheld" bob note list "$P"
never_shown "$SECRET"
verdict

attack "a team member shown as gone without a signed removal" \
    member-left "$P" "$DAVE"
tampered "member $DAVE" alice note add "$P" --file "$T/secret"
tampered "member $DAVE" bob note list "$P"
never_shown "$SECRET"
verdict

attack "a removed member brought back" member-back "$P" "$FRANK"
every_member_refuses "member $FRANK"
verdict

finish
