#!/bin/sh
# membership.sh: the malicious operator against a pair's membership and
# keys (issue 11, part 1). The pair (alice, bob) is verified in person;
# carol is a real account of the same programme, the operator's sock
# puppet. Each attack edits a stopped daemon's data with bn_tamper:
#
#   phantom member (left)  carol added as a member who "left" (to_epoch set:
#                          out of the key hash and the safety number) and
#                          the epoch raised: today alice's client draws a
#                          new key, wraps it for carol too, still says
#                          "verified", and carol reads every new note.
#   phantom member         the same, carol a current member.
#   epoch bump             the epoch raised with no log entry.
#   dropped wraps          every key wrap deleted: a client re-keys an epoch
#                          that already had a key.
#   substituted key        bob's account given carol's public keys.
#
# Each must be refused by the stock client with exit 3, naming the pair
# and the member (or epoch, or key), and the phantom must never read a
# note written after the edit.
#
#   BUILD=build sh tests/adversary/membership.sh
. "$(dirname "$0")/lib/adversary.sh"
make_tmp adv-members
world 3 43

SECRET="written after the operator's edit: for alice and bob only"
printf '%s\n' "$SECRET" >"$T/secret"

# phantom_checks: alice's write is refused as tampering naming carol (or a
# member); whatever alice's client ran, carol's own client reads nothing
# written after the edit, and alice's verify does not claim "verified"
# while the server's member set differs.
phantom_checks() {
    tampered "member|carol" alice note add "$P" --file "$T/secret"
    NEW=$(cat "$T/out")
    run alice note list "$P"
    run alice pairs
    run alice verify "$P"
    if [ -z "$A_SKIP" ] && [ "$rc" -ne "$EXIT_TAMPER" ]; then
        if grep -q '^status: verified' "$T/out"; then
            fail "verify says verified with carol among the members"
        elif ! grep -qi 'carol' "$T/out"; then
            fail "verify neither refuses nor shows carol"
        fi
    fi
    run bob note list "$P"
    refused carol note list "$P"
    never_shown "$SECRET"
    for note in ${NEW:-} "$N1"; do
        is_id "$note" || continue
        refused carol note show "$P" "$note" --raw
        never_shown "$SECRET"
        never_shown "$TXT_N1_R2"
    done
}

attack "phantom member who 'left' (out of the safety number)" \
    phantom-member "$P" "$CAROL" --left
phantom_checks
verdict

attack "phantom member" phantom-member "$P" "$CAROL"
phantom_checks
verdict

attack "epoch raised without a log entry" bump-epoch "$P"
tampered "epoch" alice note add "$P" --file "$T/secret"
tampered "epoch" bob note list "$P"
verdict

attack "every key wrap withheld" drop-wraps "$P"
tampered "$N1|key|wrap|epoch" alice note show "$P" "$N1"
never_shown "$TXT_N1_R2"
tampered "key|wrap|epoch" alice note add "$P" --file "$T/secret"
tampered "key|wrap|epoch" bob note list "$P"
verdict

attack "a member's public keys substituted" set-member-key "$P" "$BOB" \
    --from "$CAROL"
tampered "member|bob" alice note add "$P" --file "$T/secret"
tampered "member|bob" alice note list "$P"
never_shown "$N2"
run alice verify "$P"
[ -z "$A_SKIP" ] && grep -q '^status: verified' "$T/out" &&
    fail "verify says verified with bob's keys replaced"
verdict

finish
