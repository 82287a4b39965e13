#!/bin/sh
# errors.sh: errors that say what is wrong and what to do (issue 13),
# against a real binomed on a loopback port:
#   - an id that does not exist, or is not the caller's, is named as such
#     ("no pair 99 among yours"), the same for an absent pair and another
#     programme's, and never "permission denied";
#   - a group of commands followed by --help (or "binome help GROUP")
#     lists that group's commands;
#   - tables line up with accented and non-Latin names;
#   - a lost key file or profile, and join on a broken profile, say what
#     to do;
#   - a second binomed on a data directory already served is refused.
#
#   BUILD=build sh tests/integration/errors.sh
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp errors

# same_lines DESC FILE1 FILE2: the two files hold the same text.
same_lines() {
    if cmp -s "$2" "$3"; then
        ok "$1"
    else
        not_ok "$1"
        diff "$2" "$3" | sed 's/^/#   /'
    fi
}
# says DESC PATTERN FILE: FILE matches PATTERN (grep -i).
says() {
    if grep -qi -- "$2" "$3"; then
        ok "$1"
    else
        not_ok "$1 (no '$2')"
        sed 's/^/#   /' "$3"
    fi
}
# hasnt DESC PATTERN FILE: FILE does not match PATTERN.
hasnt() {
    if grep -qi -- "$2" "$3"; then
        not_ok "$1 ('$2' is there)"
        sed 's/^/#   /' "$3"
    else
        ok "$1"
    fi
}

# ---- help for every group, before any server -------------------------------
for group in admin "admin programme" pair session note objective doc; do
    # shellcheck disable=SC2086 # the group's words, split on purpose
    if "$BINOME" $group --help >"$T/out" 2>"$T/err" &&
        ! grep -q "unknown command" "$T/out" "$T/err"; then
        # Every command of the group, and only those, is listed.
        want=$("$BINOME" --help | sed -n 's/^  \(.*\)/\1/p' |
            grep -c "^$group ")
        got=$(grep -c "^  $group " "$T/out")
        if [ "$want" -gt 0 ] && [ "$want" -eq "$got" ]; then
            ok "'binome $group --help' lists its $got commands"
        else
            not_ok "'binome $group --help' lists its commands ($got of $want)"
            sed 's/^/#   /' "$T/out"
        fi
    else
        not_ok "'binome $group --help' answers"
    fi
    # shellcheck disable=SC2086
    "$BINOME" help $group >"$T/help2" 2>"$T/err"
    same_lines "'binome help $group' is 'binome $group --help'" \
        "$T/out" "$T/help2"
done
"$BINOME" session --help >"$T/out" 2>&1
says "the session group shows its options" "--absent" "$T/out"
says "the session group shows its help" "Record a session" "$T/out"
"$BINOME" help session add >"$T/out" 2>&1
says "'binome help session add' shows the command" \
    "usage: binome .*session add PAIR" "$T/out"
refuse "a group without a command says so and exits 2" "needs a command" \
    "$BINOME" session
"$BINOME" session >/dev/null 2>&1
[ $? -eq 2 ] && ok "... with exit status 2" || not_ok "... with exit status 2"
refuse "an unknown command of a group is named with the group" \
    "unknown command 'session bogus'" "$BINOME" session bogus
refuse "an unknown word stays unknown" "unknown command 'bogus'" \
    "$BINOME" bogus --help

# ---- a server, two programmes, names of every script ---------------------
start_daemon_checked 7 61 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme "Errors")
PROG2=$(new_programme "Elsewhere")
join_people "$PROG" alice:mentor bob:mentee
join_people "$PROG2" zed:mentor yan:mentee
if new_pair P1 alice bob && is_num "$P1"; then
    ok "pair $P1 in programme $PROG"
else
    not_ok "pair in programme $PROG"
fi
if grab P2 admin admin pair --programme "$PROG2" --mentor zed --mentee yan &&
    is_num "$P2"; then
    ok "pair $P2 in programme $PROG2"
else
    not_ok "pair in programme $PROG2"
fi
as alice pair accept "$P1" >/dev/null 2>&1
as bob pair accept "$P1" >/dev/null 2>&1

# ---- ids that do not exist or are not yours --------------------------------
# pair_refused CMD...: with PAIR standing for the pair, as alice, for
# absent pair 99 and for the other programme's pair: the same message
# (once the id is replaced), naming the id, saying what to do.
pair_refused() {
    for id in 99 "$P2"; do
        args=""
        for a in "$@"; do
            [ "$a" = PAIR ] && a=$id
            args="$args '$a'"
        done
        eval "as alice $args" >"$T/out" 2>"$T/err.$id"
        echo "status $?" >>"$T/err.$id"
        sed "s/\b$id\b/ID/g" "$T/err.$id" >"$T/norm.$id"
    done
    if grep -q "no pair 99 among yours" "$T/err.99" &&
        grep -q "binome pairs" "$T/err.99" &&
        ! grep -qi "denied\|administrator" "$T/err.99" &&
        grep -q "status 1" "$T/err.99" &&
        cmp -s "$T/norm.99" "$T/norm.$P2"; then
        ok "$*: 'no pair 99 among yours', the same for another's pair"
    else
        not_ok "$*: 'no pair 99 among yours', the same for another's pair"
        sed 's/^/#   /' "$T/err.99" "$T/err.$P2"
    fi
}
pair_refused note list PAIR
pair_refused note show PAIR 0123456789abcdef
pair_refused session list PAIR
pair_refused session add PAIR --date 2024-03-01
pair_refused objective list PAIR
pair_refused doc list PAIR
pair_refused pair accept PAIR
pair_refused pair end PAIR --reason withdrawn
pair_refused pair erase PAIR
pair_refused verify PAIR
pair_refused export PAIR --to "$T/nowhere"

refuse "an administrator asking for a pair's notes is told why" \
    "administrators never read" as admin note list "$P1"
refuse "an administrator erasing an absent pair: 'no pair 99'" \
    "no pair 99$" as admin admin erase --pair 99
says "... and what to do" "binome pairs" "$T/err"
refuse "a note that does not exist is named" \
    "no note 0123456789abcdef in pair $P1" \
    as alice note show "$P1" 0123456789abcdef
refuse "a session that does not exist is named" "no session 77 in pair $P1" \
    as alice session update "$P1" 77 --status cancelled
says "... with what to do" "binome session list $P1" "$T/err"
refuse "an objective that does not exist is named" \
    "no objective 0123456789abcdef in pair $P1" \
    as alice objective reach "$P1" 0123456789abcdef
refuse "a document that does not exist is named" \
    "no document 0123456789abcdef in pair $P1" \
    as alice doc get "$P1" 0123456789abcdef
refuse "an account that does not exist is named" \
    "no account '999' in programme $PROG" \
    as admin admin pair --programme "$PROG" --mentor 999 --mentee bob
says "... with what to do" "binome admin accounts --programme $PROG" "$T/err"
refuse "a programme that does not exist is named (admin pair)" \
    "no programme 99$" \
    as admin admin pair --programme 99 --mentor alice --mentee bob
says "... with what to do" "binome admin programme list" "$T/err"
refuse "a programme that does not exist is named (admin accounts)" \
    "no programme 99$" as admin admin accounts --programme 99
refuse "a programme that does not exist is named (admin invite)" \
    "no programme 99$" as admin admin invite --programme 99 --role mentor
refuse "a programme that does not exist is named (admin stats)" \
    "no programme 99$" as admin admin stats --programme 99

# ---- a lost key file or profile -------------------------------------------
pass_alice="pass phrase of alice"
in_dir() { # DIR ARGS...: binome with profile DIR and alice's passphrase
    dir=$1
    shift
    BINOME_PASSPHRASE=$pass_alice "$BINOME" --profile "$dir" "$@"
}
refuse "no profile: says where it looked and how to join" \
    "no profile in $T/nobody" in_dir "$T/nobody" whoami
says "... with what to do" "binome join CODE --name NAME" "$T/err"
cp -r "$T/alice" "$T/lostkey"
rm "$T/lostkey/identity.key"
refuse "a lost key file is named (whoami)" \
    "the profile in $T/lostkey is incomplete: identity.key (your key file) is missing" \
    in_dir "$T/lostkey" whoami
says "... with what to do: restore it, or start again" \
    "restore identity.key from a backup.*mv $T/lostkey $T/lostkey.broken.*binome join" \
    "$T/err"
cp "$T/err" "$T/err.whoami"
refuse "... the same words for another command (note list)" "incomplete" \
    in_dir "$T/lostkey" note list "$P1"
sed 's/note list/whoami/' "$T/err" >"$T/err.note"
same_lines "... word for word" "$T/err.whoami" "$T/err.note"
cp -r "$T/alice" "$T/lostconf"
rm "$T/lostconf/profile.conf"
refuse "a lost profile.conf is named" \
    "the profile in $T/lostconf is incomplete: profile.conf .* is missing" \
    in_dir "$T/lostconf" whoami
cp -r "$T/alice" "$T/badconf"
echo "garbage" >"$T/badconf/profile.conf"
refuse "a damaged profile.conf says what to do" "does not parse" \
    in_dir "$T/badconf" whoami
says "... restore it or start again" "restore profile.conf.*mv $T/badconf" \
    "$T/err"
code=$(as admin admin invite --programme "$PROG" --role mentee 2>"$T/err")
refuse "join on a broken profile says how to start again" \
    "the profile in $T/lostkey is incomplete" \
    in_dir "$T/lostkey" join "$code" --name "Alice again"
says "... move it aside and join again" \
    "to start again, move it aside ('mv $T/lostkey $T/lostkey.broken')" \
    "$T/err"
refuse "join on a whole profile is refused" "already holds a profile" \
    in_dir "$T/alice" join "$code" --name "Alice again"
mv "$T/lostkey" "$T/lostkey.broken"
check "following the advice works: a new join in the same directory" \
    in_dir "$T/lostkey" join "$code" --name "Alice again"

# ---- tables line up whatever the script of the names ----------------------
# Élodie (precomposed É), Zoë (e + U+0308, a combining mark), 李小龙 (wide
# characters) and Ана (Cyrillic).
ZOE=$(printf 'Zoe\314\210')
join_named() { # WHO NAME ROLE: WHO's profile, display name NAME
    code=$(as admin admin invite --programme "$PROG" --role "$3" 2>"$T/err")
    as "$1" join "$code" --name "$2" >"$T/out" 2>"$T/err" ||
        not_ok "$2 joins"
}
join_named elodie "Élodie" mentor
join_named zoe "$ZOE" mentor
join_named li "李小龙" mentee
join_named ana "Ана" mentee
new_pair P3 "Élodie" "李小龙"
new_pair P4 "$ZOE" "Ана"
if is_num "$P3" && is_num "$P4"; then
    ok "pairs $P3 (Élodie, 李小龙) and $P4 (Zoë, Ана)"
else
    not_ok "pairs of Élodie, 李小龙, Zoë and Ана"
fi
# A pair of alice's own programme that is not hers: the same answer.
as alice note list "$P3" >"$T/out" 2>"$T/err.mine"
as alice note list 99 >"$T/out" 2>"$T/err.absent"
sed "s/\b$P3\b/ID/g" "$T/err.mine" >"$T/norm.mine"
sed "s/\b99\b/ID/g" "$T/err.absent" >"$T/norm.absent"
if grep -q "no pair $P3 among yours" "$T/err.mine"; then
    same_lines "a pair of her own programme that is not hers: the same answer" \
        "$T/norm.absent" "$T/norm.mine"
else
    not_ok "a pair of her own programme that is not hers: no pair $P3 among yours"
fi
refuse "a session that does not exist, for a note" "session 999" \
    sh -c 'echo hello | BINOME_PASSPHRASE="pass phrase of alice" "$1" --profile "$2" note add "$3" --session 999' \
    sh "$BINOME" "$T/alice" "$P1"
refuse "a member asking for an administrator's command is told so" \
    "denied\|administrator" as alice admin accounts --programme "$PROG"

as elodie pair accept "$P3" >/dev/null 2>&1
as li pair accept "$P3" >/dev/null 2>&1
# same_width FILE: FILE with each name replaced by as many ASCII letters
# as the columns it takes on a terminal.
same_width() {
    sed -e 's/Élodie/XXXXXX/g' -e "s/$ZOE/XXX/g" -e 's/李小龙/XXXXXX/g' \
        -e 's/Ана/XXX/g' "$1"
}
# aligned DESC FILE HEADER WORD...: in FILE's table whose header line
# starts with HEADER, every row (to the first empty line) has, once the
# names are replaced (same_width), a field that starts where each WORD
# starts in the header.
aligned() {
    d=$1 f=$2 head=$3
    shift 3
    same_width "$f" >"$T/ascii"
    bad=""
    for w in "$@"; do
        bad=$bad$(awk -v head="$head" -v w="$w" '
            !on && index($0, head) == 1 { on = 1; pos = index($0, w); next }
            on && $0 == "" { exit }
            on && (substr($0, pos - 1, 1) != " " || substr($0, pos, 1) == " ") {
                print w ": " $0 }' "$T/ascii")
    done
    # The four names are there (else the check proves nothing).
    if [ -z "$bad" ] && grep -q "^$head" "$T/ascii" &&
        [ "$(grep -c 'XXXXXX' "$T/ascii")" -ge 1 ] &&
        [ "$(grep -c 'XXX ' "$T/ascii")" -ge 1 ]; then
        ok "$d"
    else
        not_ok "$d"
        sed 's/^/#   /' "$f"
        echo "$bad" | sed 's/^/#   misaligned /'
    fi
}
as admin pairs >"$T/pairs" 2>"$T/err"
aligned "'binome pairs' lines up Élodie, Zoë, 李小龙 and Ана" "$T/pairs" \
    "PAIR " MENTEE START
as admin pair list >"$T/pairs2" 2>"$T/err"
same_lines "'binome pair list' is 'binome pairs'" "$T/pairs" "$T/pairs2"
as admin admin stats --programme "$PROG" >"$T/stats" 2>"$T/err"
aligned "'binome admin stats' lines up the names of its PAIRS table" \
    "$T/stats" "PAIR " MENTEE STATUS CREATED
as elodie verify "$P3" >"$T/verify" 2>"$T/err"
same_width "$T/verify" | grep "account" | sed 's/account.*//' | sort -u |
    awk '{ print length($0) }' | sort -u >"$T/lens"
if [ "$(wc -l <"$T/lens")" -eq 1 ]; then
    ok "'binome verify' lines up the members' names"
else
    not_ok "'binome verify' lines up the members' names"
    sed 's/^/#   /' "$T/verify"
fi
PROG3=$(as admin admin programme create --name "Été 李" --theme "Zoë" \
    --months 6 --frequency monthly --format mixed 2>"$T/err")
as admin admin programme list >"$T/progs" 2>"$T/err"
sed -e 's/Été 李/XXXXXX/' -e 's/Zoë/XXX/' "$T/progs" >"$T/progs.ascii"
if awk 'NR == 1 { t = index($0, "THEME"); m = index($0, "MONTHS"); next }
    substr($0, t - 1, 1) != " " || substr($0, t, 1) == " " ||
    substr($0, m - 1, 1) != " " { bad = 1 } END { exit bad }' "$T/progs.ascii"; then
    ok "'binome admin programme list' lines up a name and a theme with accents and CJK"
else
    not_ok "'binome admin programme list' lines up names"
    sed 's/^/#   /' "$T/progs"
fi

# ---- one daemon per data directory ---------------------------------------
port2=$((port + 1))
"$BINOMED" --data "$DATA" --listen "127.0.0.1:$port2" >"$T/out" 2>"$T/err" &
second=$!
i=0
while [ $i -lt 50 ] && kill -0 "$second" 2>/dev/null; do
    sleep 0.1
    i=$((i + 1))
done
if kill -0 "$second" 2>/dev/null; then
    kill "$second"
    wait "$second" 2>/dev/null
    not_ok "a second binomed on the same data directory is refused (it runs)"
else
    wait "$second"
    st=$?
    if [ "$st" -eq 1 ] && grep -q "$DATA is already in use by another binomed (pid $daemon)" "$T/err"; then
        ok "a second binomed on $DATA is refused, naming the directory and pid $daemon"
    else
        not_ok "a second binomed on the same data directory is refused (status $st)"
        sed 's/^/#   /' "$T/err"
    fi
fi
check "the first binomed goes on serving" as alice whoami
refuse "binomed upgrade is refused while the daemon serves the directory" \
    "already in use by another binomed (pid $daemon)" \
    "$BINOMED" upgrade --data "$DATA"
check "binomed backup still runs beside the daemon (hot)" \
    "$BINOMED" backup --data "$DATA" --to "$T/backup"
stop_daemon
if run_daemon "$DATA"; then
    ok "once the first stopped, binomed serves the directory again"
else
    not_ok "once the first stopped, binomed serves the directory again"
    show_tail 5 "$T/binomed.log"
fi

finish
