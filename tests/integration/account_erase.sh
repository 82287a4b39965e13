#!/bin/sh
# account_erase.sh: leaving for good (issue 15), against a real binomed.
#   - refused while the pair is active (the error names the pair), and
#     the profile is then untouched;
#   - a pair completes; the mentee erases their account: the profile
#     folder is gone, a kept copy of it can no longer log in, the mentor
#     still reads the notes (the mentee's too), the programme's figures
#     (admin stats --json) do not move, the account lists as erased, and a
#     new invitation gives a new account;
#   - the coordinator erases the mentor on request: the pair's notes'
#     ciphertext is deleted, and the figures still do not move;
#   - the daemon stopped, bn_search reads data.mdb for both accounts'
#     public keys, their names and the notes' ciphertext: in no live
#     record, on no free page, and nowhere in the file.
#
#   BUILD=build sh tests/integration/account_erase.sh
. "$(dirname "$0")/lib/common.sh"
SEARCH=${SEARCH:-$BUILD/adversary/bn_search}
need_progs "run make tests first" "$BINOMED" "$BINOME" "$SEARCH"
make_tmp erase

start_daemon_checked 19 61 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Leaving)
# Names unlikely to appear by chance in the file's bytes.
join_people "$PROG" ulrikawendementor:mentor theodorvaskmentee:mentee
MENTOR=ulrikawendementor MENTEE=theodorvaskmentee
verified_pair P "$MENTOR" "$MENTEE"
MID=$(account_of "$MENTOR")
EID=$(account_of "$MENTEE")
is_num "$MID" && is_num "$EID" && ok "accounts $MID and $EID" ||
    not_ok "account ids"

printf 'the mentee wrote this\n' >"$T/n1"
printf 'the mentor wrote this\n' >"$T/n2"
grab N1 "$MENTEE" note add "$P" --file "$T/n1" || not_ok "the mentee writes"
grab N2 "$MENTOR" note add "$P" --file "$T/n2" || not_ok "the mentor writes"
check "a held session" as "$MENTOR" session add "$P" --date "$(ago 0)"

# ---- refused while the pair is active ---------------------------------------
refuse "the mentee cannot erase their account while the pair is active" \
    "pair $P, which is active" as "$MENTEE" account erase --yes
if [ -f "$T/$MENTEE/identity.key" ] && [ -f "$T/$MENTEE/profile.conf" ]; then
    ok "a refused erasure leaves the profile whole"
else
    not_ok "a refused erasure leaves the profile whole"
fi
refuse "without a terminal and without --yes nothing is erased" "--yes" \
    as "$MENTEE" account erase
refuse "the coordinator cannot either while it is active" "pair $P" \
    as admin admin account erase "$EID" --yes
check "the pair completes" as "$MENTOR" pair end "$P" --reason completed \
    --override

# What the server holds now, read from the stopped daemon's file.
stop_daemon
KEYS_M=$("$SEARCH" keys "$DATA" "$MID")
KEYS_E=$("$SEARCH" keys "$DATA" "$EID")
"$SEARCH" notes "$DATA" "$P" >"$T/cts"
run_daemon "$DATA" && wait_up admin
if [ "$(wc -l <"$T/cts")" -eq 2 ] && [ ${#KEYS_M} -eq 129 ] &&
    [ ${#KEYS_E} -eq 129 ]; then
    ok "the keys of both and the ciphertext of both notes read from data.mdb"
else
    not_ok "the keys and ciphertexts read from data.mdb"
fi
# figures: the JSON report with the people's names set aside (they read
# "(erased account)" afterwards)
figures() {
    as admin admin stats --programme "$PROG" --json 2>"$T/err" |
        sed 's/"\(mentor\|mentee\|name\)":"[^"]*"/"\1":"-"/g' >"$1"
}
figures "$T/stats1"
has "the report names the mentee before" "$T/stats1" '"mentees":1'
grep -q "$MENTEE" "$T/stats1" && not_ok "names set aside" || ok "names set aside"

# ---- the mentee leaves ----------------------------------------------------------
as "$MENTEE" recovery new >"$T/rec" 2>&1 ||
    not_ok "the mentee makes a recovery code"
RC=$(sed -n 's/^    \([0-9A-Z]\{4\}\(-[0-9A-Z]\{4\}\)\{7\}\)$/\1/p' "$T/rec")
SC=$(as "$MENTEE" whoami --json | sed 's/.*"server_code":"\([^"]*\)".*/\1/')
cp -a "$T/$MENTEE" "$T/kept"
check "the mentee erases their account" as "$MENTEE" account erase --yes
has "it says the mentor keeps what the mentee wrote" "$T/out" \
    "stays readable by the other member"
if [ ! -e "$T/$MENTEE" ]; then
    ok "the mentee's profile folder is gone"
else
    not_ok "the mentee's profile folder is gone"
    ls -la "$T/$MENTEE" | sed 's/^/#   /'
fi
refuse "a copy of the profile kept aside can no longer log in" \
    "signature\|log in\|refused" \
    sh -c 'BINOME_PASSPHRASE="pass phrase of $1" "$2" --profile "$3" whoami' \
    sh "$MENTEE" "$BINOME" "$T/kept"
refuse "the mentee's recovery code restores nothing any more (issue 15)" \
    "no such recovery code" env BINOME_RECOVERY_CODE="$RC" \
    BINOME_PASSPHRASE="pass phrase of back" "$BINOME" --profile "$T/back" \
    recover --server "$SC"
check "the mentor still reads the pair" as "$MENTOR" note list "$P"
check "the mentor still reads the mentee's note" as "$MENTOR" note show "$P" \
    "$N1"
has "...its text" "$T/out" "the mentee wrote this"
check "the mentor lists the members" as "$MENTOR" pair members "$P"
has "the mentee shows as an erased account" "$T/out" "(erased account)"
figures "$T/stats2"
if cmp -s "$T/stats1" "$T/stats2"; then
    ok "admin stats --json unchanged by the erasure"
else
    not_ok "admin stats --json unchanged by the erasure"
    diff "$T/stats1" "$T/stats2" | head -5 | sed 's/^/#   /'
fi
check "the accounts' list" as admin admin accounts --programme "$PROG"
cp "$T/out" "$T/accounts"
as admin admin stats --programme "$PROG" --json >"$T/json" 2>"$T/err"
has "the report shows the mentee as an erased account" "$T/json" \
    '"mentee":"(erased account)"'
cp "$T/accounts" "$T/out"
has "lists the mentee as erased" "$T/out" "$EID    mentee   (erased account)"
lacks "without their name" "$T/out" "$MENTEE"
as admin admin accounts --programme "$PROG" --json >"$T/json" 2>"$T/err"
has "the JSON list says so" "$T/json" \
    "{\"id\":$EID,\"role\":\"mentee\",\"name\":\"(erased account)\""
has "...with erased true" "$T/json" '"erased":true'
refuse "the erased account cannot be paired" "erased" \
    as admin admin pair --programme "$PROG" --mentor "$MID" --mentee "$EID"

# ---- the coordinator erases the mentor on request ---------------------------
refuse "the coordinator cannot erase their own account this way" \
    "does not erase their own" \
    as admin admin account erase "$(account_of admin)" --yes
check "the coordinator erases the mentor" as admin admin account erase \
    "$MID" --yes
has "the pair had no other member left" "$T/out" "no other member left"
refuse "the mentor's profile cannot log in any more" \
    "signature\|log in\|refused" as "$MENTOR" whoami
figures "$T/stats3"
if cmp -s "$T/stats1" "$T/stats3"; then
    ok "admin stats --json still unchanged"
else
    not_ok "admin stats --json still unchanged"
    diff "$T/stats1" "$T/stats3" | head -5 | sed 's/^/#   /'
fi

code=$(as admin admin invite --programme "$PROG" --role mentee 2>"$T/err")
check "a new invitation for the person who left" as again join "$code" \
    --name "theodor again"
NEW=$(account_of again)
if is_num "$NEW" && [ "$NEW" != "$EID" ]; then
    ok "gives a new account ($NEW)"
else
    not_ok "a new invitation gives a new account ($NEW)"
fi

# ---- what the data directory still holds ------------------------------------
stop_daemon
hexof() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
"$SEARCH" find "$DATA" ${KEYS_M% *} ${KEYS_M#* } ${KEYS_E% *} ${KEYS_E#* } \
    "$(hexof "$MENTOR")" "$(hexof "$MENTEE")" $(cat "$T/cts") \
    >"$T/found" 2>"$T/err" || not_ok "bn_search find"
if [ "$(wc -l <"$T/found")" -eq 8 ]; then
    ok "searched 8 needles"
else
    not_ok "searched 8 needles"
fi
what() {
    case $1 in 1) echo "the mentor's signing key" ;;
    2) echo "the mentor's box key" ;; 3) echo "the mentee's signing key" ;;
    4) echo "the mentee's box key" ;; 5) echo "the mentor's name" ;;
    6) echo "the mentee's name" ;; *) echo "a note's ciphertext" ;; esac
}
i=0
while read -r hex l live f free x file; do
    i=$((i + 1))
    if [ "$live" = 0 ] && [ "$free" = 0 ]; then
        ok "$(what $i): in no live record and on no free page"
    else
        not_ok "$(what $i): live $live free $free"
    fi
    if [ "$file" = 0 ]; then
        ok "$(what $i): nowhere in data.mdb"
    else
        not_ok "$(what $i): $file cop(ies) left in data.mdb"
    fi
done <"$T/found"
finish
