#!/bin/sh
# history.sh: a note edited by the other member (issue 13, "never lose
# what a member wrote"). Alice writes a report and revises it; Bob edits
# it. Bob's edit is a new revision by Bob, told as such; Alice's two
# revisions stay readable under her name ('note show --revision',
# 'note history', 'note history --text' and --json), 'note list' and
# 'note show' say whose revision the latest was edited from, and 'export'
# writes every revision with its author. Alice's private note cannot be
# edited (nor its history read) by Bob.
#
#   BUILD=build sh tests/integration/history.sh
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp hist

start_daemon_checked 41 71 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme "History")
join_people "$PROG" alice:mentor bob:mentee
verified_pair P alice bob

R1="alice's report, first words"
R2="alice's report, the words she stands by"
R3="bob's edit of the report"
printf '%s\n' "$R1" >"$T/r1"
printf '%s\n' "$R2" >"$T/r2"
printf '%s\n' "$R3" >"$T/r3"
grab N alice note add "$P" --kind report --file "$T/r1" && is_id "$N" ||
    not_ok "alice writes a report"
check "alice revises it (revision 2)" as alice note edit "$P" "$N" \
    --file "$T/r2"

# ---- bob edits alice's note ---------------------------------------------
if as bob note edit "$P" "$N" --file "$T/r3" >"$T/out" 2>"$T/err" &&
    grep -q "revision 3" "$T/out" &&
    grep -q "revision 3 of note $N is yours; alice's revision 2 stays" \
        "$T/err"; then
    ok "bob's edit is revision 3, his, and he is told alice's stays"
else
    not_ok "bob's edit is revision 3, his, and he is told alice's stays"
    sed 's/^/#   /' "$T/out" "$T/err"
fi

as alice note show "$P" "$N" >"$T/show" 2>"$T/err"
if grep -q "^author     bob (mentee, referent" "$T/show" &&
    grep -q "^history    revision 3 by bob, edited from alice's revision 2" \
        "$T/show" && grep -qF "$R3" "$T/show"; then
    ok "note show: revision 3 by bob, edited from alice's revision 2"
else
    not_ok "note show: revision 3 by bob, edited from alice's revision 2"
    sed 's/^/#   /' "$T/show" "$T/err"
fi

as bob note show "$P" "$N" --revision 2 >"$T/show" 2>"$T/err"
if grep -q "^author     alice (mentor, referent" "$T/show" &&
    grep -q "^revision   2$" "$T/show" &&
    grep -q "(not the latest)" "$T/show" && grep -qF "$R2" "$T/show" &&
    ! grep -qF "$R3" "$T/show"; then
    ok "note show --revision 2: alice's text, under her name"
else
    not_ok "note show --revision 2: alice's text, under her name"
    sed 's/^/#   /' "$T/show" "$T/err"
fi
as alice note show "$P" "$N" --revision 1 --raw >"$T/raw" 2>"$T/err"
if [ "$(cat "$T/raw")" = "$R1" ]; then
    ok "note show --revision 1 --raw: alice's first words, exactly"
else
    not_ok "note show --revision 1 --raw: alice's first words, exactly"
fi
refuse "note show --revision 4: there is none" "has 3 revisions" \
    as alice note show "$P" "$N" --revision 4
refuse "note show --revision 0 is a usage error" "revision number" \
    as alice note show "$P" "$N" --revision 0

as alice note list "$P" >"$T/list" 2>"$T/err"
if grep -q "^$N  report  *bob .* 3 no  *alice's revision 2$" "$T/list"; then
    ok "note list: the latest by bob, edited from alice's revision 2"
else
    not_ok "note list: the latest by bob, edited from alice's revision 2"
    sed 's/^/#   /' "$T/list" "$T/err"
fi
as alice note list "$P" --json >"$T/list.json" 2>"$T/err"
if grep -q '"revision":3,.*"edited_from":2,"edited_from_author_id":[0-9]*,"edited_from_author":"alice"' \
    "$T/list.json"; then
    ok "note list --json: edited_from 2, by alice"
else
    not_ok "note list --json: edited_from 2, by alice"
    sed 's/^/#   /' "$T/list.json"
fi

# ---- the history -----------------------------------------------------------
as bob note history "$P" "$N" >"$T/hist" 2>"$T/err"
if [ "$(grep -c '^ *[0-9]  ' "$T/hist")" = 3 ] &&
    grep -q "^ *1  alice  " "$T/hist" &&
    grep -q "^ *2  alice  .*alice's revision 1$" "$T/hist" &&
    grep -q "^ *3  bob  .*alice's revision 2$" "$T/hist" &&
    ! grep -qF "$R1" "$T/hist"; then
    ok "note history: revisions 1 and 2 by alice, 3 by bob (no text)"
else
    not_ok "note history: revisions 1 and 2 by alice, 3 by bob (no text)"
    sed 's/^/#   /' "$T/hist" "$T/err"
fi
as alice note history "$P" "$N" --text >"$T/hist" 2>"$T/err"
if grep -q "^--- revision 1 by alice (mentor); " "$T/hist" &&
    grep -q "^--- revision 2 by alice (mentor), edited from alice's revision 1; " \
        "$T/hist" &&
    grep -q "^--- revision 3 by bob (mentee), edited from alice's revision 2; " \
        "$T/hist" &&
    grep -qF "$R1" "$T/hist" && grep -qF "$R2" "$T/hist" &&
    grep -qF "$R3" "$T/hist"; then
    ok "note history --text: every revision's text under its author"
else
    not_ok "note history --text: every revision's text under its author"
    sed 's/^/#   /' "$T/hist" "$T/err"
fi
as alice note history "$P" "$N" --json --text >"$T/hist.json" 2>"$T/err"
if grep -q '^\[{"revision":1,"author_id":[0-9]*,"author":"alice",' \
    "$T/hist.json" &&
    grep -q '},{"revision":2,"author_id":[0-9]*,"author":"alice",' \
        "$T/hist.json" &&
    grep -q '},{"revision":3,"author_id":[0-9]*,"author":"bob",.*"edited_from":2,"edited_from_author_id":[0-9]*,"edited_from_author":"alice","text":"bob' \
        "$T/hist.json" &&
    grep -qF "\"text\":\"$R1\\n\"" "$T/hist.json" &&
    grep -q '"written":[1-9][0-9]*,' "$T/hist.json"; then
    ok "note history --json --text: authors, signed dates and texts"
else
    not_ok "note history --json --text: authors, signed dates and texts"
    sed 's/^/#   /' "$T/hist.json" "$T/err"
fi

# ---- export ------------------------------------------------------------------
E=$T/export
check "bob exports the pair" as bob export "$P" --to "$E"
latest=$(ls "$E"/notes/*-report-"$N".md 2>/dev/null)
if grep -q "^author: bob (mentee)" "$latest" 2>/dev/null &&
    grep -q "^edited: revision 3 by bob, edited from alice's revision 2" \
        "$latest" &&
    grep -q "^  - revision 1 by alice (mentor), .*: revisions/.*-$N-r1.md" \
        "$latest" &&
    grep -q "^  - revision 3 by bob (mentee), " "$latest" &&
    grep -qF "$R3" "$latest" &&
    grep -q "^author: alice (mentor)" "$E"/notes/revisions/*-"$N"-r1.md &&
    grep -qF "$R1" "$E"/notes/revisions/*-"$N"-r1.md &&
    grep -q "^revision: 2" "$E"/notes/revisions/*-"$N"-r2.md &&
    grep -qF "$R2" "$E"/notes/revisions/*-"$N"-r2.md &&
    grep -q "1 notes (and 2 earlier revisions)" "$T/out"; then
    ok "export: every revision, each with its author and date"
else
    not_ok "export: every revision, each with its author and date"
    ls -R "$E" | sed 's/^/#   /'
    cat "$latest" "$T/out" 2>/dev/null | sed 's/^/#   /'
fi

# ---- a private note is its author's alone --------------------------------
printf 'alice keeps this to herself\n' >"$T/priv"
grab NP alice note add "$P" --private --file "$T/priv" && is_id "$NP" ||
    not_ok "alice writes a private note"
printf 'bob overwrites it\n' >"$T/over"
refuse "bob cannot edit alice's private note" "no note $NP" \
    as bob note edit "$P" "$NP" --file "$T/over"
refuse "nor read its history" "no note $NP" as bob note history "$P" "$NP"
as alice note history "$P" "$NP" >"$T/hist" 2>"$T/err"
if [ "$(grep -c '^ *[0-9]  ' "$T/hist")" = 1 ] &&
    grep -q "^ *1  alice  " "$T/hist"; then
    ok "alice's private note has one revision, hers"
else
    not_ok "alice's private note has one revision, hers"
fi

stop_daemon
finish
