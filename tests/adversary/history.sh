#!/bin/sh
# history.sh: the malicious operator against a note's history (issue 13,
# "never lose what a member wrote"). In the world, alice's report $N1 has
# two revisions by alice; bob then edits it: revision 3, by bob. One
# attack per copy of the data directory, bn_tamper:
#
#   older text as the latest   serves revision 1 (alice's first text, her
#                              record) under number 3: bob's edit gone,
#                              alice's old words passed off as current.
#   authors swapped            the server's records say revision 1 is
#                              bob's and revision 3 alice's.
#   an earlier revision's author  the record of revision 2 says bob wrote
#                              it (the latest, honest, lists as before).
#   a revision withheld        revision 2 deleted: the latest is served
#                              as before, the history has a hole.
#
# 'note show', 'note history' (with and without --text) and 'export' by
# either member must report the tampering (exit 3, naming the pair and
# the note) and print none of the texts as valid.
#
#   BUILD=build sh tests/adversary/history.sh
. "$(dirname "$0")/lib/adversary.sh"
make_tmp adv-history

TXT_N1_R3="bob edits alice's report: revision three"
world_extra() {
    printf '%s\n' "$TXT_N1_R3" >"$T/n1"
    setup "bob edits alice's report (revision 3)" as bob note edit "$P" \
        "$N1" --file "$T/n1"
    setup "alice reads the pair again" as alice note list "$P"
}
world 19 73

# The honest history first: the attacks below must change what it says.
attack "the honest history"
run bob note history "$P" "$N1" --text
[ "$rc" -eq 0 ] || fail "note history exits $rc"
for t in "$TXT_N1_R1" "$TXT_N1_R2" "$TXT_N1_R3"; do
    grep -qF -- "$t" "$T/out" || fail "'$t' is not in the history"
done
grep -q "^--- revision 3 by bob (mentee), edited from alice's revision 2; " \
    "$T/out" || fail "revision 3 is not said to be bob's, from alice's 2"
verdict

attack "an older revision served under the latest number" replay-revision \
    "$P" "$N1" 1
tampered "$N1" alice note show "$P" "$N1"
never_shown "$TXT_N1_R1"
tampered "$N1" bob note history "$P" "$N1" --text
never_shown "$TXT_N1_R1"
never_shown "$TXT_N1_R2"
tampered "$N1" alice note history "$P" "$N1" --json
tampered "$N1" bob export "$P" --to "$T/w/export"
verdict

attack "a note's authors swapped by the server" swap-authors "$P" "$N1"
tampered "$N1" alice note list "$P"
tampered "$N1" bob note show "$P" "$N1" --revision 1
never_shown "$TXT_N1_R1"
tampered "$N1" alice note history "$P" "$N1" --text
never_shown "$TXT_N1_R1"
never_shown "$TXT_N1_R3"
tampered "$N1" bob export "$P" --to "$T/w/export"
verdict

attack "an earlier revision said to be the editor's" set-note-author "$P" \
    "$N1" 2 "$BOB"
run alice note list "$P"
[ "$rc" -eq 0 ] || fail "note list (the latest is honest) exits $rc"
grep -q "^$N1 .* alice's revision 2$" "$T/out" ||
    fail "note list does not say, from the log, that alice wrote revision 2"
tampered "$N1" alice note show "$P" "$N1" --revision 2
never_shown "$TXT_N1_R2"
tampered "$N1" bob note history "$P" "$N1"
never_shown "bob"
tampered "$N1" alice export "$P" --to "$T/w/export"
verdict

attack "an earlier revision withheld" hide-revision "$P" "$N1" 2
tampered "$N1" alice note history "$P" "$N1" --text
never_shown "$TXT_N1_R1"
never_shown "$TXT_N1_R3"
tampered "$N1" bob note history "$P" "$N1"
tampered "$N1" bob export "$P" --to "$T/w/export"
verdict

finish
