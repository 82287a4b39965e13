#!/bin/sh
# teams.sh: team pairings (issue 14) through the command line against a
# real binomed. A structure's project team (mentees) is accompanied by
# a team of mentors: the coordinator pairs two referents, each referent
# adds the members of their side after comparing their key code in
# person, members accept the charter and write, a member joins with the
# pair's history and one without, one is removed and opens nothing
# written afterwards, not even with the server's files and their own keys.
#
#   BUILD=build sh tests/integration/teams.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME" "$BUILD/adversary/bn_tryopen"
make_tmp teams

start_daemon_checked 47 79 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Inclusion)
# alice and erin: the mentors' team; bob (the structure's referent),
# carol, dave, gina: its project team; frank: a mentee of another pair.
join_people "$PROG" alice:mentor bob:mentee carol:mentee dave:mentee \
    erin:mentor gina:mentee
verified_pair P alice bob

CAROL=$(account_of carol) DAVE=$(account_of dave) ERIN=$(account_of erin)
GINA=$(account_of gina)
ALICE_ID=$(account_of alice)
CCODE=$(key_code_of carol)
if is_num "$CAROL" && printf '%s' "$CCODE" | grep -qE '^[0-9]{30}$'; then
    ok "whoami shows the account and its 30-digit key code"
else
    not_ok "whoami's key code ($CAROL, $CCODE)"
fi
as carol whoami >"$T/out" 2>&1
has "the key code is shown whole, in six groups of five" "$T/out" \
    "key code   $(printf '%s' "$CCODE" | sed 's/.\{5\}/& /g; s/ $//')"

# ---- who may add -----------------------------------------------------
refuse "a programme of pairs of two takes no third member" \
    "the most its programme allows" \
    as bob pair member add "$P" --account "$CAROL" --code "$CCODE"
check "the coordinator allows 3 members a side" \
    as admin admin programme set --programme "$PROG" --side-max 3
has "and says so" "$T/out" "a side of a pair may have 3 members"
refuse "a wrong key code adds nobody" "key code does not match" \
    as bob pair member add "$P" --account "$CAROL" \
    --code 111112222233333444445555566666
refuse "the mentors' referent does not add to the mentees' side" \
    "only the referent" \
    as alice pair member add "$P" --account "$CAROL" --code "$CCODE"
refuse "the coordinator adds no one (no member of the pair)" "" \
    as admin pair member add "$P" --account "$CAROL" --code "$CCODE"
echo "Before the team grew." >"$T/n0"
grab N0 alice note add "$P" --kind report --file "$T/n0" && is_id "$N0" ||
    not_ok "alice writes before the team grows"
check "bob, the structure's referent, adds carol (from now on)" \
    as bob pair member add "$P" --account "$CAROL" --code "$CCODE"
has "and says she accepts the charter next" "$T/out" "pair accept $P"
refuse "carol adds nobody (not a referent)" "only the referent" \
    as carol pair member add "$P" --account "$DAVE" --code "$(key_code_of dave)"
refuse "the same account is not added twice" "is or was a member" \
    as bob pair member add "$P" --account "$CAROL" --code "$CCODE"

# ---- writing and reading ---------------------------------------------
echo "Diagnostic: the team needs a volunteer plan." >"$T/n1"
grab N1 alice note add "$P" --kind report --file "$T/n1" && is_id "$N1" ||
    not_ok "alice writes after carol joined"
refuse "carol writes only once she accepted the charter" "accept" \
    as carol note add "$P" --file "$T/n1"
check "carol accepts the charter" as carol pair accept "$P"
echo "Carol's first report." >"$T/n2"
grab N2 carol note add "$P" --file "$T/n2" && is_id "$N2" ||
    not_ok "carol writes once she accepted"
as alice note show "$P" "$N2" --raw >"$T/out" 2>&1
has "alice reads carol's note" "$T/out" "Carol's first report."
as carol note show "$P" "$N1" --raw >"$T/out" 2>&1
has "carol reads what was written after she joined" "$T/out" \
    "volunteer plan"

refuse "carol, added without history, does not read what came before" \
    "key" as carol note show "$P" "$N0" --raw
check "bob adds dave with the pair's history" \
    as bob pair member add "$P" --account "$DAVE" --code "$(key_code_of dave)" \
    --history
check "dave accepts" as dave pair accept "$P"
as dave note show "$P" "$N0" --raw >"$T/out" 2>&1
has "dave, added with the history, reads what came before him" "$T/out" \
    "Before the team grew."
check "alice adds erin to the mentors' side" \
    as alice pair member add "$P" --account "$ERIN" --code "$(key_code_of erin)"
check "erin accepts" as erin pair accept "$P"
refuse "a fourth mentee is over the side's limit" "the most its programme" \
    as bob pair member add "$P" --account "$GINA" --code "$(key_code_of gina)"

# ---- who is in the pairing, and who vouched for them -------------------
as alice pair members "$P" >"$T/out" 2>&1
has "the members list names carol, vouched for by bob" "$T/out" \
    "vouched for by bob (referent)"
has "and the referents, verified in person" "$T/out" \
    "referent, verified in person"
as carol pair members "$P" >"$T/out" 2>&1
has "carol has not verified the pair: she is told so" "$T/out" \
    "not verified yet"
as carol pair members "$P" --json >"$T/out" 2>&1
has "--json gives sides and who added whom" "$T/out" \
    "\"account\":$CAROL,\"name\":\"carol\",\"side\":\"mentee\",\"referent\":false,\"current\":true"
as bob verify "$P" >"$T/out" 2>&1
has "verify names who can open the notes: erin too" "$T/out" "erin"
has "and says the safety number is the referents'" "$T/out" \
    "the two referents'"

# ---- a note kept to one side ------------------------------------------
echo "Internal: our board meets on Tuesday." >"$T/ns"
grab NS carol note add "$P" --side --file "$T/ns" && is_id "$NS" ||
    not_ok "carol writes a note for the mentees' side"
as bob note show "$P" "$NS" --raw >"$T/out" 2>&1
has "bob, on carol's side, reads it" "$T/out" "board meets"
as dave note show "$P" "$NS" >"$T/out" 2>&1
has "dave too, and it says whose side it is kept to" "$T/out" \
    "kept to    the mentees' side"
as alice note list "$P" >"$T/out" 2>&1
lacks "alice, on the mentors' side, is not shown it" "$T/out" "$NS"
refuse "nor served it" "note" as alice note show "$P" "$NS" --raw
as erin note list "$P" >"$T/out" 2>&1
lacks "nor erin" "$T/out" "$NS"
as carol note list "$P" --json >"$T/out" 2>&1
has "its listing says it is kept to a side" "$T/out" '"side_only":true'
refuse "a note is private or kept to a side, not both" "exclude" \
    as carol note add "$P" --side --private --file "$T/ns"

# ---- removing a member -------------------------------------------------
refuse "carol does not remove dave (not a referent)" "" \
    as carol pair member remove "$P" --account "$DAVE"
refuse "a referent is not removed" "referent is not removed" \
    as bob pair member remove "$P" --account "$(account_of alice)"
check "bob removes dave" as bob pair member remove "$P" --account "$DAVE"
echo "Written after dave left: the budget." >"$T/n3"
grab N3 alice note add "$P" --file "$T/n3" && is_id "$N3" ||
    not_ok "alice writes after dave left"
as carol note show "$P" "$N3" --raw >"$T/out" 2>&1
has "carol reads it" "$T/out" "the budget"
refuse "the server refuses dave the pair" "no pair" \
    as dave note list "$P"
as dave pairs >"$T/out" 2>&1
lacks "and it left dave's list of pairs" "$T/out" "bob"
as alice pair members "$P" >"$T/out" 2>&1
has "the members list shows dave as left" "$T/out" "left (holds no key"

# dave, with the server's files and his own key file: what opens?
stop_daemon
BINOME_PASSPHRASE="pass phrase of dave" "$BUILD/adversary/bn_tryopen" \
    "$DATA" "$T/dave/identity.key" "$DAVE" "$P" >"$T/open" 2>"$T/err"
has "with his own keys dave opens what was written before he left" \
    "$T/open" "note $N0 rev 1 epoch 1: opened"
has "(the history he was given too)" "$T/open" "note $N1 rev 1 epoch 2: opened"
has "but not the note written after (his keys tried on it)" "$T/open" \
    "note $N3 rev 1 epoch 5: sealed"
lacks "no key of the epoch after his removal was wrapped for him" \
    "$T/open" "key epoch 5"
BINOME_PASSPHRASE="pass phrase of carol" "$BUILD/adversary/bn_tryopen" \
    "$DATA" "$T/carol/identity.key" "$CAROL" "$P" >"$T/open" 2>"$T/err"
has "carol, added without history, cannot open the first note's epoch" \
    "$T/open" "note $N0 rev 1 epoch 1: sealed"
has "but opens the latest" "$T/open" "note $N3 rev 1 epoch 5: opened"
BINOME_PASSPHRASE="pass phrase of alice" "$BUILD/adversary/bn_tryopen" \
    "$DATA" "$T/alice/identity.key" "$ALICE_ID" "$P" >"$T/open" 2>"$T/err"
has "alice, with every pair key she holds, cannot open the mentees' note" \
    "$T/open" "note $NS rev 1 epoch 4: sealed"
has "(though she opens the pair's notes)" "$T/open" \
    "note $N3 rev 1 epoch 5: opened"
run_daemon "$DATA"
check "the daemon serves again" as alice pair members "$P"

finish
