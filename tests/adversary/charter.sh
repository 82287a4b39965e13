#!/bin/sh
# charter.sh: the malicious operator against the convention's third
# signature (issue 13). The administrator signed the programme's charter
# for the structure; alice and bob accepted it. One attack, bn_tamper:
#
#   structure-sig   one bit of the stored structure's signature flipped:
#                   'binome pair charter' must report it INVALID, exit 3
#                   and name the pair, and still show both members'
#                   signatures as valid.
#
# What the operator can still do (SECURITY.md): replace the
# administrator's public key and re-sign with a key of their own; the
# pair has not verified that key in person, and the output says so.
#
#   BUILD=build sh tests/adversary/charter.sh
. "$(dirname "$0")/lib/adversary.sh"
make_tmp adv-charter

world_extra() {
    setup "the structure signs the charter" as admin admin charter sign \
        --programme "$PROG"
}
PEOPLE="alice bob carol admin"
world 2 47

attack "untouched: the three signatures verify"
run alice pair charter "$P"
[ "$rc" -eq 0 ] || fail "pair charter exits $rc"
grep -q "structure .*valid" "$T/out" || fail "the structure's signature is not shown valid"
[ "$(grep -c ' valid' "$T/out")" -eq 3 ] || fail "not three valid signatures"
grep -q "not verified in person" "$T/out" ||
    fail "the structure's key is not said to be unverified"
verdict

attack "the structure's signature altered on the server" structure-sig "$P"
tampered "signature" alice pair charter "$P"
grep -q "structure .*INVALID" "$T/out" ||
    fail "the structure's signature is not reported INVALID"
[ "$(grep -c ' valid' "$T/out")" -eq 2 ] ||
    fail "the members' signatures are not still shown valid"
tampered "signature" bob pair charter "$P"
verdict

finish
