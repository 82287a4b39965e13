#!/bin/sh
# devices.sh: an account over a lifetime (issue 15) through the command
# line against a real binomed: the recovery code shown at join restores
# the account on a new profile, which reads the old notes; a second
# device linked with the six digits both screens show reads and writes;
# a removed device no longer logs in, nor does the old copy of the keys
# once the account has devices; a mistyped code is caught; the server's
# sealed copy altered on disk does not open.
#
#   BUILD=build sh tests/integration/devices.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME" "$BUILD/adversary/bn_tamper"
make_tmp devices

start_daemon_checked 67 101 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Devices)

# join WHO ROLE: WHO joins; their recovery code in $T/WHO.code.
join() {
    code=$(as admin admin invite --programme "$PROG" --role "$2" 2>"$T/err")
    as "$1" join "$code" --name "$1" >"$T/$1.join" 2>"$T/err" ||
        not_ok "$1 joins"
    sed -n 's/^    \([0-9A-Z]\{4\}\(-[0-9A-Z]\{4\}\)\{7\}\)$/\1/p' \
        "$T/$1.join" >"$T/$1.code"
}
join alice mentor
join bob mentee
RC=$(cat "$T/alice.code")
if printf '%s' "$RC" | grep -qE '^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$'; then
    ok "join shows a recovery code in 8 groups of 4"
else
    not_ok "join shows a recovery code in 8 groups of 4 (got '$RC')"
fi
has "join shows the server code beside it" "$T/alice.join" "BS1."
SCODE=$(as alice whoami --json | sed 's/.*"server_code":"\([^"]*\)".*/\1/')
case $SCODE in BS1.*) ok "whoami shows the server code" ;;
*) not_ok "whoami shows the server code (got '$SCODE')" ;; esac

verified_pair P alice bob
echo "Written on alice's first laptop." >"$T/n1"
grab N1 alice note add "$P" --file "$T/n1" && is_id "$N1" ||
    not_ok "alice writes a note"

# recover AS CODE [NAME]: restore alice's account in profile $T/AS.
recover() {
    BINOME_RECOVERY_CODE="$2" BINOME_PASSPHRASE="pass phrase of $1" \
        "$BINOME" --profile "$T/$1" recover --server "$SCODE" \
        --name "${3:-restored}"
}
# ---- a mistyped or wrong code --------------------------------------------
BAD=$(printf '%s' "$RC" | sed 's/^\(.\)/\1X/; s/^\(.\)X./\1X/')
[ "$BAD" = "$RC" ] && BAD=$(printf '%s' "$RC" | sed 's/^./Z/')
refuse "one wrong character is caught before anything is sent" \
    "character of this recovery code is wrong" recover alice2 "$BAD"
refuse "what is not a code is refused" "not a recovery code" \
    recover alice2 "hello"
[ -e "$T/alice2/identity.key" ] && not_ok "a refused recovery writes no key" ||
    ok "a refused recovery writes no key"

# ---- the lost laptop: restore from the code --------------------------------
cp -r "$T/alice" "$T/alice-lost" # the laptop's keys, as a thief has them
check "alice restores her account from the recovery code on a new profile" \
    recover alice2 "$RC" "new laptop"
has "it names the restored account" "$T/out" "restored on this device"
BINOME_PASSPHRASE="pass phrase of alice2" "$BINOME" --profile "$T/alice2" \
    note show "$P" "$N1" --raw >"$T/out" 2>"$T/err"
has "the restored profile reads the old note" "$T/out" \
    "Written on alice's first laptop."
refuse "the lost laptop's keys no longer log in (the account has a device)" \
    "no longer logs in" env BINOME_PASSPHRASE="pass phrase of alice" \
    "$BINOME" --profile "$T/alice-lost" whoami
a2() { BINOME_PASSPHRASE="pass phrase of alice2" "$BINOME" \
    --profile "$T/alice2" "$@"; }
a2 verify "$P" >"$T/out" 2>&1
has "the restored device asks to compare the safety number again" "$T/out" \
    "status: not verified yet"
check "alice compares it with bob again and confirms" a2 verify "$P" --confirm
check "the restored device lists its devices" a2 device list
grep "^device 1 " "$T/out" >"$T/d1"
has "the new laptop is device 1" "$T/d1" "new laptop"
has "... and this device" "$T/d1" "(this device)"
echo "Written after the recovery." >"$T/n2"
check "the restored device writes" a2 note add "$P" --file "$T/n2"
as bob note list "$P" >"$T/out" 2>"$T/err"
if [ "$(grep -c '^[0-9a-f]\{16\}' "$T/out")" -ge 2 ]; then
    ok "bob sees both notes, without verifying again"
else
    not_ok "bob sees both notes, without verifying again"
fi
as bob verify "$P" >"$T/out" 2>&1
has "bob's pair is still verified (the identity did not change)" \
    "$T/out" "status: verified"

# wait_for FILE TEXT: until FILE holds TEXT (60 s at most: a loaded
# machine unlocks keys slowly).
wait_for() {
    i=0
    until grep -q -- "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -ge 600 ] && return 1
        sleep 0.1
    done
}
# link_start: alice's laptop runs `device link` (answers from fd 3) and
# the new device WHO `device add` as NAME (answers from fd 4); LCODE is
# the code the laptop showed; APID and BPID the two processes.
link_start() {
    # bounded: a link that goes wrong must not wait its ten minutes
    timeout 120 env BINOME_PASSPHRASE="pass phrase of alice2" "$BINOME" \
        --profile "$T/alice2" device link <"$T/a_in" >"$T/a_out" \
        2>"$T/a_err" &
    APID=$!
    exec 3>"$T/a_in"
    wait_for "$T/a_out" "binome device add BD1"
    LCODE=$(sed -n 's/.*binome device add \(BD1[^ ]*\) .*/\1/p' "$T/a_out")
    timeout 120 env BINOME_PASSPHRASE="pass phrase of $1" "$BINOME" \
        --profile "$T/$1" device add "$LCODE" --name "$2" <"$T/b_in" \
        >"$T/b_out" 2>"$T/b_err" &
    BPID=$!
    exec 4>"$T/b_in"
}

# ---- a second device, linked --------------------------------------------
mkfifo "$T/a_in" "$T/b_in"
# an agent runs on the laptop meanwhile: linking makes it forget
BINOME_PASSPHRASE="pass phrase of alice2" "$BINOME" --profile "$T/alice2" \
    agent >/dev/null 2>&1 || not_ok "an agent starts on the laptop"
link_start phone phone
case $LCODE in BD1.*) ok "device link shows a code to type" ;;
*) not_ok "device link shows a code to type" ;; esac
wait_for "$T/a_out" "This screen shows"
wait_for "$T/b_out" "This screen shows"
SA=$(sed -n 's/^This screen shows: *\([0-9]* [0-9]*\)$/\1/p' "$T/a_out")
SB=$(sed -n 's/^This screen shows: *\([0-9]* [0-9]*\)$/\1/p' "$T/b_out")
if [ -n "$SA" ] && [ "$SA" = "$SB" ]; then
    ok "both screens show the same six digits"
else
    not_ok "both screens show the same six digits ('$SA' / '$SB')"
fi
echo "$SB" >&3
echo "$SA" >&4
exec 3>&- 4>&-
wait $APID && ok "device link ends well" || not_ok_detail \
    "device link ends well" "$T/a_err"
wait $BPID && ok "device add ends well" || not_ok_detail \
    "device add ends well" "$T/b_err"
has "the phone holds alice's account as device 2" "$T/b_out" \
    "(alice, mentor), device 2"
has "the laptop's agent forgot the keys" "$T/a_out" "agent forgot your keys"
check "... and the laptop unlocks with its passphrase as before" a2 whoami
ph() { BINOME_PASSPHRASE="pass phrase of phone" "$BINOME" \
    --profile "$T/phone" "$@"; }
ph note show "$P" "$N1" --raw >"$T/out" 2>"$T/err"
has "the phone reads the pair's notes" "$T/out" \
    "Written on alice's first laptop."
ph verify "$P" >"$T/out" 2>&1
has "the phone knows the pair was verified in person (sealed with the keys)" \
    "$T/out" "status: verified"
echo "Written on the phone." >"$T/n3"
ph note add "$P" --file "$T/n3" >"$T/out" 2>"$T/err" &&
    ok "the phone writes a note" || not_ok_detail "the phone writes a note" \
    "$T/err"
N3=$(cat "$T/out")
a2 note show "$P" "$N3" --raw >"$T/out" 2>"$T/err"
has "the laptop reads what the phone wrote" "$T/out" "Written on the phone."
as bob note show "$P" "$N3" --raw >"$T/out" 2>"$T/err"
has "bob reads it too" "$T/out" "Written on the phone."
ls "$T/phone" >"$T/files"
has "the phone has its own key file" "$T/files" "identity.key"
if cmp -s "$T/phone/identity.key" "$T/alice2/identity.key"; then
    not_ok "the phone's key file is its own (sealed by its passphrase)"
else
    ok "the phone's key file is its own (sealed by its passphrase)"
fi

# ---- a link whose digits differ sends nothing ------------------------------
link_start tab tablet
wait_for "$T/a_out" "This screen shows"
echo "000 000" >&3
exec 3>&-
if wait $APID; then not_ok "a wrong answer on the linking device fails"; else
    ok "a wrong answer on the linking device fails"; fi
has "it says the screens differ and nothing was sent" "$T/a_err" \
    "screens differ"
kill $BPID 2>/dev/null
exec 4>&-
wait $BPID 2>/dev/null
[ -e "$T/tab/identity.key" ] && not_ok "the tablet received nothing" ||
    ok "the tablet received nothing"
a2 device list >"$T/out" 2>"$T/err"
lacks "no tablet among the devices" "$T/out" "tablet"

# ---- a device that stopped before writing its number ----------------------
sed -i 's/^device=2$/device=0/' "$T/phone/profile.conf"
check "a device whose profile lost its number still logs in" ph whoami
grep -q '^device=2$' "$T/phone/profile.conf" &&
    ok "... finds it with its own key and keeps it" ||
    not_ok "... finds it with its own key and keeps it"

# ---- removing a device ----------------------------------------------------
refuse "a device cannot remove itself" "cannot remove itself" \
    ph device remove 2
# the phone waits on its connection (a link no one answers) meanwhile
timeout 120 env BINOME_PASSPHRASE="pass phrase of phone" "$BINOME" \
    --profile "$T/phone" device link </dev/null >"$T/p_out" 2>"$T/p_err" &
PPID2=$!
wait_for "$T/p_out" "binome device add BD1"
check "the laptop removes the phone" a2 device remove 2
i=0
while kill -0 $PPID2 2>/dev/null && [ $i -lt 200 ]; do
    i=$((i + 1))
    sleep 0.1
done
if kill -0 $PPID2 2>/dev/null; then
    not_ok "the phone's open connection is closed at once"
    kill $PPID2
else
    ok "the phone's open connection is closed at once"
fi
wait $PPID2 2>/dev/null
refuse "the removed phone can no longer log in" "removed" ph whoami
a2 device list >"$T/out" 2>"$T/err"
grep "^device 2 " "$T/out" >"$T/d2"
has "the list shows the phone removed" "$T/d2" ", removed "

# ---- a new recovery code replaces the old --------------------------------
check "alice makes a new recovery code" a2 recovery new
RC2=$(sed -n 's/^    \([0-9A-Z]\{4\}\(-[0-9A-Z]\{4\}\)\{7\}\)$/\1/p' "$T/out")
refuse "the old code no longer restores" "no such recovery code" \
    recover alice3 "$RC"

# ---- the operator alters the sealed copy on disk --------------------------
stop_daemon
ACC=$(sed -n 's/^account=//p' "$T/alice2/profile.conf")
"$BUILD/adversary/bn_tamper" recovery-flip "$DATA" "$ACC" >"$T/out" 2>"$T/err" ||
    not_ok_detail "the operator flips a byte of alice's sealed keys" "$T/err"
if run_daemon "$DATA"; then ok "binomed starts again"; else
    not_ok "binomed starts again"; fi
wait_up bob
refuse "the altered copy does not open with the right code" \
    "does not open with this code" recover alice4 "$RC2"
[ -e "$T/alice4/identity.key" ] && not_ok "nothing is written from it" ||
    ok "nothing is written from it"

finish
