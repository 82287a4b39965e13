#!/bin/sh
# story.sh: binome end to end through the command line, against a real
# binomed on a loopback port: an administrator, a mentor and a mentee.
#
#   BUILD=build sh tests/integration/story.sh
#
# BINOMED and BINOME name the programs (default $BUILD/binomed and
# $BUILD/binome). Prints "ok N - ..." / "not ok N - ..." per check and
# ends with "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp story

start_daemon_checked 0 37 "binomed init and start"
ADMIN_CODE=$(tail -n 1 "$T/invite")
case $ADMIN_CODE in
BN1.*) ok "init printed the first admin invitation" ;;
*) not_ok "init printed the first admin invitation" ;;
esac
if join_admin "$ADMIN_CODE" "Claire Admin"; then
    ok "the administrator joins"
else
    not_ok "the administrator joins"
fi

check "profile directory is 0700, identity.key 0600" sh -c \
    '[ "$(stat -c %a "$1")" = 700 ] && [ "$(stat -c %a "$1/identity.key")" = 600 ]' \
    sh "$T/admin"
check "whoami says admin" sh -c \
    'BINOME_PASSPHRASE="pass phrase of admin" "$1" --profile "$2" whoami --json |
     grep -q "\"role\":\"admin\""' sh "$BINOME" "$T/admin"
refuse "a wrong passphrase is refused" "passphrase" \
    env BINOME_PASSPHRASE=wrong "$BINOME" --profile "$T/admin" whoami

PROG=$(new_programme "Mentorat Inclusion" "Inclusion in science centres" \
    in-person)
if is_num "$PROG"; then
    ok "the administrator creates a programme ($PROG)"
else
    not_ok "the administrator creates a programme"
fi
check "the programme is listed" sh -c \
    'BINOME_PASSPHRASE="pass phrase of admin" "$1" --profile "$2" admin programme list --json |
     grep -q "Mentorat Inclusion"' sh "$BINOME" "$T/admin"

MENTOR_CODE=$(as admin admin invite --programme "$PROG" --role mentor 2>"$T/err")
MENTEE_CODE=$(as admin admin invite --programme "$PROG" --role mentee 2>"$T/err")
case "$MENTOR_CODE $MENTEE_CODE" in
BN1.*" "BN1.*) ok "the administrator invites a mentor and a mentee" ;;
*) not_ok "the administrator invites a mentor and a mentee" ;;
esac

check "the mentor (Alice) joins" as alice join "$MENTOR_CODE" --name Alice
check "the mentee (Bob) joins" as bob join "$MENTEE_CODE" --name Bob
refuse "a reused invitation is refused" "used" \
    as mallory join "$MENTOR_CODE" --name Mallory
check "the accounts are listed" sh -c \
    'BINOME_PASSPHRASE="pass phrase of admin" "$1" --profile "$2" admin accounts --programme "$3" --json > "$4" &&
     grep -q "\"Alice\"" "$4" && grep -q "\"Bob\"" "$4"' \
    sh "$BINOME" "$T/admin" "$PROG" "$T/accounts.json"

if new_pair PAIR Alice Bob && is_num "$PAIR"; then
    ok "the administrator pairs Alice and Bob (pair $PAIR)"
else
    not_ok "the administrator pairs Alice and Bob"
fi
refuse "nothing is written before both accept" "accepted" \
    sh -c 'echo early | BINOME_PASSPHRASE="pass phrase of alice" "$1" --profile "$2" note add "$3"' \
    sh "$BINOME" "$T/alice" "$PAIR"
check "Alice accepts the charter" as alice pair accept "$PAIR" </dev/null
cp "$T/out" "$T/accept.out"
check "the charter and its hash were shown" grep -q "charter hash: [0-9a-f]\{64\}" "$T/accept.out"
check "Bob accepts the charter" as bob pair accept "$PAIR" </dev/null
check "the pair is active" sh -c \
    'BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" pairs --json | grep -q "\"status\":\"active\""' \
    sh "$BINOME" "$T/bob"

as alice verify "$PAIR" >"$T/sn.alice" 2>"$T/err"
as bob verify "$PAIR" >"$T/sn.bob" 2>>"$T/err"
grep -E '^ +[0-9]{5} [0-9]{5} [0-9]{5} [0-9]{5}$' "$T/sn.alice" >"$T/d.alice"
grep -E '^ +[0-9]{5} [0-9]{5} [0-9]{5} [0-9]{5}$' "$T/sn.bob" >"$T/d.bob"
if [ "$(wc -l <"$T/d.alice")" -eq 3 ] && cmp -s "$T/d.alice" "$T/d.bob"; then
    ok "both members see the same 60-digit safety number"
else
    not_ok "both members see the same 60-digit safety number"
fi
check "Alice confirms the safety number" as alice verify "$PAIR" --confirm
check "Bob confirms the safety number" as bob verify "$PAIR" --confirm

# A body with awkward bytes and no final newline: must come back exactly.
printf 'Session 1 report\n\n  - "quotes", back\\slash, tab\there\n  - accents: éàç €\n  - last line, no newline' \
    >"$T/note1"
NOTE1=$(as alice note add "$PAIR" --kind report --file "$T/note1" 2>"$T/err")
if is_id "$NOTE1"; then
    ok "Alice writes a report (note $NOTE1)"
else
    not_ok "Alice writes a report"
fi
check "Bob lists the note" sh -c \
    'BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" note list "$3" | grep -q "^$4 .*report.*Alice"' \
    sh "$BINOME" "$T/bob" "$PAIR" "$NOTE1"
as bob note show "$PAIR" "$NOTE1" --raw >"$T/got1" 2>"$T/err"
if cmp -s "$T/note1" "$T/got1"; then
    ok "Bob reads exactly the bytes Alice wrote (note show --raw)"
else
    not_ok "Bob reads exactly the bytes Alice wrote (note show --raw)"
fi
check "note show says the signature verified" sh -c \
    'BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" note show "$3" "$4" | grep -q "signature  verified"' \
    sh "$BINOME" "$T/bob" "$PAIR" "$(printf '%s' "$NOTE1" | cut -c1-6)"

printf 'Thanks Alice. My action plan:\n1. read the charter again\n2. book the next session\n' \
    >"$T/note2"
NOTE2=$(as bob note add "$PAIR" --kind action-plan <"$T/note2" 2>"$T/err")
as alice note show "$PAIR" "$NOTE2" --raw >"$T/got2" 2>"$T/err"
if [ -n "$NOTE2" ] && cmp -s "$T/note2" "$T/got2"; then
    ok "Bob answers from stdin and Alice reads it"
else
    not_ok "Bob answers from stdin and Alice reads it"
fi
refuse "an empty note is refused" "empty" \
    sh -c 'printf "  \n" | BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" note add "$3"' \
    sh "$BINOME" "$T/bob" "$PAIR"

printf 'private thoughts of Alice\n' >"$T/note3"
NOTE3=$(as alice note add "$PAIR" --private --file "$T/note3" 2>"$T/err")
as alice note show "$PAIR" "$NOTE3" --raw >"$T/got3" 2>"$T/err"
if [ -n "$NOTE3" ] && cmp -s "$T/note3" "$T/got3"; then
    ok "Alice writes a private note and reads it back"
else
    not_ok "Alice writes a private note and reads it back"
fi
if as bob note list "$PAIR" 2>"$T/err" | grep -q "^${NOTE3:-none}"; then
    not_ok "Bob does not see Alice's private note in the list"
else
    ok "Bob does not see Alice's private note in the list"
fi
if as bob note show "$PAIR" "${NOTE3:-0}" --raw >"$T/out" 2>"$T/err" ||
    [ -s "$T/out" ]; then
    not_ok "Bob cannot read Alice's private note"
else
    ok "Bob cannot read Alice's private note"
fi

refuse "the administrator cannot list the notes" "denied" \
    as admin note list "$PAIR"
refuse "the administrator cannot read a note" "denied" \
    as admin note show "$PAIR" "$NOTE1"

# A profile pinned to another server key refuses to connect.
cp -r "$T/alice" "$T/pinned"
pk=$(sed -n 's/^server_pk=//p' "$T/pinned/profile.conf")
first=$(printf '%s' "$pk" | cut -c1)
if [ "$first" = 0 ]; then new=1; else new=0; fi
other=$new$(printf '%s' "$pk" | cut -c2-)
sed "s/^server_pk=.*/server_pk=$other/" "$T/alice/profile.conf" \
    >"$T/pinned/profile.conf"
refuse "a profile pinned to another server key refuses to connect" \
    "handshake" env BINOME_PASSPHRASE="pass phrase of alice" \
    "$BINOME" --profile "$T/pinned" whoami

# The key-change rule: a profile whose verified record no longer matches
# what the server shows refuses every write and warns on reads.
cp -r "$T/alice" "$T/changed"
printf '%064d\n' 0 >"$T/changed/verified/$PAIR"
refuse "after a key change, writes are refused until verified again" \
    "changed since you verified" sh -c \
    'echo hello | BINOME_PASSPHRASE="pass phrase of alice" "$1" --profile "$2" note add "$3"' \
    sh "$BINOME" "$T/changed" "$PAIR"
check "after a key change, reads warn" sh -c \
    'BINOME_PASSPHRASE="pass phrase of alice" "$1" --profile "$2" note list "$3" 2>&1 >/dev/null | grep -q "warning: a member.s key"' \
    sh "$BINOME" "$T/changed" "$PAIR"
check "verify --confirm records the keys again and writes resume" sh -c \
    'export BINOME_PASSPHRASE="pass phrase of alice"
     "$1" --profile "$2" verify "$3" --confirm >/dev/null &&
     echo hello again | "$1" --profile "$2" note add "$3"' \
    sh "$BINOME" "$T/changed" "$PAIR"

# The server never holds a plaintext: a canary note is nowhere on its disk.
CANARY="binome-canary-$$-$(date +%s)-do-not-store"
printf 'canary: %s\n' "$CANARY" >"$T/canary"
check "Alice writes the canary note" as alice note add "$PAIR" --file "$T/canary"
check "Bob can read the canary note" sh -c \
    'BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" note show "$3" "$4" --raw | grep -q "$5"' \
    sh "$BINOME" "$T/bob" "$PAIR" "$(cat "$T/out")" "$CANARY"
if grep -a -r -q -- "$CANARY" "$DATA"; then
    not_ok "the canary appears nowhere in the data directory"
else
    ok "the canary appears nowhere in the data directory"
fi
if grep -a -q -- "$CANARY" "$T/binomed.log" "$T/init.log" 2>/dev/null; then
    not_ok "the canary appears nowhere in the daemon's log"
else
    ok "the canary appears nowhere in the daemon's log"
fi

refuse "an unknown pair is refused, by its id" "no pair 999999 among yours" \
    as alice note list 999999
if as alice frobnicate >/dev/null 2>&1; then
    not_ok "an unknown command exits 2"
else
    [ $? -eq 2 ] && ok "an unknown command exits 2" || not_ok "an unknown command exits 2"
fi

v1=$("$BINOME" --version 2>/dev/null)
v2=$("$BINOMED" --version 2>/dev/null)
if [ -n "$v1" ] && [ "${v1#binome }" = "${v2#binomed }" ]; then
    ok "binome and binomed report the same --version ($v1)"
else
    not_ok "binome and binomed report the same --version ('$v1' / '$v2')"
fi

finish
