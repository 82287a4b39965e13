#!/bin/sh
# baseline.sh: the control of the adversary suite. The same world as the
# attacks (a verified pair with sessions, notes, objectives, a document),
# copied and served again exactly as an attack does it, but with no edit
# (then with an edit that changes nothing): every command the attacks run
# must succeed (exit 0) and show the pair's content, so that the attacks'
# exit 3 is a detection and not a blanket failure. An honest refusal (a
# stranger to the pair) must not be reported as tampering either.
#
#   BUILD=build sh tests/adversary/baseline.sh
. "$(dirname "$0")/lib/adversary.sh"
make_tmp adv-baseline
world 9 59

# honest DESC TEXT WHO ARGS...: exits 0, and stdout holds TEXT (if any).
honest() {
    d=$1 text=$2
    shift 2
    why=""
    : >"$T/detail"
    run "$@"
    [ "$rc" -eq 0 ] || fail "exit $rc"
    [ -z "$text" ] || grep -qF -- "$text" "$T/out" || fail "no '$text'"
    if [ -z "$why" ]; then ok "$d"; else not_ok "$d ($why)"; fi
}

attack "served again, untouched"
A_SKIP=${A_SKIP:-}
[ -n "$A_SKIP" ] && { verdict; finish; }
honest "alice lists the notes" "$N2" alice note list "$P"
honest "bob shows the report: revision 2" "$TXT_N1_R2" bob note show "$P" "$N1"
honest "alice shows bob's note" "$TXT_N2" alice note show "$P" "$N2" --raw
honest "note list --json gives the report's session" "\"session\":$S1" \
    alice note list "$P" --json
honest "the objectives, one reached" "$TXT_O2" bob objective list "$P"
honest "the sessions" "2024-03-01" alice session list "$P"
honest "the documents" "$D1" bob doc list "$P"
honest "the document comes down" "" bob doc get "$P" "$D1" -o "$T/w/got.pdf"
check "byte for byte" cmp "$T/slides.pdf" "$T/w/got.pdf"
honest "verify: still verified" "status: verified" alice verify "$P"
honest "bob's verify too" "status: verified" bob verify "$P"
honest "pairs" "active" bob pairs
printf 'an honest note\n' >"$T/honest"
honest "alice writes" "" alice note add "$P" --file "$T/honest"
honest "bob reads it" "an honest note" bob note show "$P" "$(cat "$T/out")"
run carol note list "$P"
if [ "$rc" -ne 0 ] && [ "$rc" -ne "$EXIT_TAMPER" ]; then
    ok "a stranger to the pair is refused, not as tampering (exit $rc)"
else
    not_ok "a stranger to the pair is refused, not as tampering (exit $rc)"
fi

# bn_tamper itself must not break what it does not change.
attack "an edit that changes nothing" session-set "$P" "$S1" --absent mentee
run alice session list "$P"
[ "$rc" -eq 0 ] || fail "session list exits $rc"
run bob note show "$P" "$N1"
[ "$rc" -eq 0 ] || fail "note show exits $rc"
verdict

finish
