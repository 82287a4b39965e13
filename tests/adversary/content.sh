#!/bin/sh
# content.sh: the malicious operator against what a member sees (issue 11,
# part 2): notes, objectives, documents. The pair (alice, bob) is verified
# in person and both clients have read it; then, one attack per copy of
# the data directory, bn_tamper:
#
#   dropped revision   deletes the latest revision of alice's report: today
#                      'note show' prints revision 1 as current, exit 0.
#   hidden note        deletes bob's note (every revision).
#   duplicated revision  serves the report's revision 2 again as revision 3.
#   copied note        serves the report again under a new note id.
#   moved report       attaches the report to another session.
#   hidden objective   deletes an objective.
#   objective reached  marks a defined objective reached.
#   objective undone   marks a reached objective defined again.
#   hidden document    deletes a document and its chunks.
#
# Each must be reported by the stock client with exit 3, naming the pair
# and the item, and the altered or stale content must not be printed as
# valid.
#
#   BUILD=build sh tests/adversary/content.sh
. "$(dirname "$0")/lib/adversary.sh"
make_tmp adv-content
world 5 47

attack "latest revision of a note withheld" drop-revision "$P" "$N1"
tampered "$N1" alice note show "$P" "$N1"
never_shown "$TXT_N1_R1"
tampered "$N1" bob note show "$P" "$N1" --raw
never_shown "$TXT_N1_R1"
tampered "$N1" bob note list "$P"
verdict

attack "a note withheld" hide-note "$P" "$N2"
tampered "$N2" alice note list "$P"
tampered "$N2" bob note show "$P" "$N2"
verdict

attack "a revision served twice (unlogged revision 3)" dup-revision "$P" "$N1"
tampered "$N1" bob note show "$P" "$N1"
never_shown "$TXT_N1_R2"
tampered "$N1" alice note list "$P"
verdict

COPY=0123456789abcdef
attack "a note served under another id (unlogged)" copy-note "$P" "$N1" \
    "$COPY"
tampered "$COPY" bob note list "$P"
tampered "$COPY" bob note show "$P" "$COPY"
never_shown "$TXT_N1_R2"
verdict

attack "a report moved to another session" move-note "$P" "$N1" "$S2"
tampered "$N1" bob note show "$P" "$N1"
never_shown "$TXT_N1_R2"
tampered "$N1" alice note list "$P" --json
verdict

attack "an objective withheld" hide-objective "$P" "$O1"
tampered "$O1" alice objective list "$P"
verdict

attack "an objective marked reached by the server" objective-set "$P" \
    "$O1" --status reached
tampered "$O1" alice objective list "$P"
tampered "$O1" bob objective list "$P" --json
verdict

attack "a reached objective set back to defined" objective-set "$P" "$O2" \
    --status defined
tampered "$O2" bob objective list "$P"
verdict

attack "a document withheld" hide-doc "$P" "$D1"
tampered "$D1" bob doc list "$P"
tampered "$D1" bob doc get "$P" "$D1" -o "$T/w/got.pdf"
verdict

finish
