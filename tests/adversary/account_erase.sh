#!/bin/sh
# account_erase.sh: the operator against an erasure (issue 15). In the
# world, alice ends pair $P completed and bob erases his account (his
# profile is gone; alice remains). The operator then brings bob's
# account back, as a copy of its record from before would (bn_tamper
# revive-account: the keys of before, a name, the erasure forgotten), and
# shows the ended pair active again so that alice's client would key it
# anew for the revived account: her client refuses (exit 3) and writes
# nothing. Without the pair shown active, the revived account changes
# nothing alice's client believes of the pair (it was already checked
# against those keys).
#
#   BUILD=build sh tests/adversary/account_erase.sh
. "$(dirname "$0")/lib/adversary.sh"

# bob's profile is deleted by his erasure: not copied per attack
PEOPLE="alice carol"
world_extra() {
    setup "alice ends the pair" as alice pair end "$P" --reason completed \
        --override
    setup "bob erases his account" as bob account erase --yes
    [ ! -e "$T/bob" ] || {
        not_ok "setup: bob's profile is gone"
        finish
    }
}
make_tmp adv-erase
world 13 97

attack "no edit: after bob's erasure alice reads the ended pair"
run alice note show "$P" "$N2"
[ -n "$A_SKIP" ] || [ "$rc" -eq 0 ] || fail "alice cannot read bob's note"
[ -n "$A_SKIP" ] || grep -qF "$TXT_N2" "$T/out" || fail "bob's note not shown"
verdict

attack "bob's account revived: alice's view of the pair is unchanged" \
    revive-account "$P" "$BOB"
run alice note list "$P"
[ -n "$A_SKIP" ] || [ "$rc" -eq 0 ] || fail "alice's note list fails ($rc)"
verdict

attack "bob revived and the pair shown active again: alice's client refuses" \
    revive-account "$P" "$BOB" --status active
printf 'written for a revived account\n' >"$T/new"
tampered "" alice note add "$P" --file "$T/new"
tampered "" alice note list "$P"
never_shown "$TXT_N2"
verdict

finish
