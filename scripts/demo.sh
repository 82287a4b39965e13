#!/bin/sh
# demo.sh: the story of one mentoring pair, told through the binome CLI.
#
#   sh scripts/demo.sh BUILD_DIR        (make demo runs it on build/)
#
# Starts binomed on a temporary data directory and a free loopback port,
# then plays three people, each with their own profile: Claire the
# programme administrator, Alice the mentor and Bob the mentee. Stops the
# daemon and removes everything when it ends, however it ends.
set -eu
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
BINOMED=${BINOMED:-$BUILD/binomed}
BINOME=${BINOME:-$BUILD/binome}
# Argon2id at its interactive setting keeps the demo quick; a real
# profile uses the moderate default.
export BINOME_KDF=interactive
unset BINOME_PASSPHRASE XDG_CONFIG_HOME

for prog in "$BINOMED" "$BINOME"; do
    [ -x "$prog" ] || { echo "demo: $prog is missing; run make first" >&2; exit 1; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/binome-demo.XXXXXX")
daemon=""
cleanup() {
    if [ -n "$daemon" ]; then
        kill "$daemon" 2>/dev/null || true
        wait "$daemon" 2>/dev/null || true
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if [ -t 1 ]; then B=$(printf '\033[1m') N=$(printf '\033[0m'); else B= N=; fi
section() { printf '\n%s==== %s ====%s\n' "$B" "$1" "$N"; }
# say WHO TEXT: a line of narration.
say() { printf '%s[%s]%s %s\n' "$B" "$1" "$N" "$2"; }
# run WHO ARGS...: show the command, then run it as WHO; indent its output.
run() {
    who=$1
    shift
    printf '  %s$ binome %s%s\n' "$B" "$*" "$N"
    BINOME_PASSPHRASE="demo passphrase of $who" \
        "$BINOME" --profile "$T/$who" "$@" 2>&1 | sed 's/^/    /'
}
# get WHO ARGS...: run quietly and capture stdout (for ids and codes).
get() {
    who=$1
    shift
    BINOME_PASSPHRASE="demo passphrase of $who" \
        "$BINOME" --profile "$T/$who" "$@"
}

section "The server"
try=0
while :; do
    port=$(($$ % 20000 + 30000 + try * 37))
    data=$T/data$try
    if "$BINOMED" init --data "$data" --listen "127.0.0.1:$port" \
        >"$T/invite" 2>"$T/init.log"; then
        "$BINOMED" --data "$data" --listen "127.0.0.1:$port" \
            2>"$T/binomed.log" &
        daemon=$!
        sleep 1
        kill -0 "$daemon" 2>/dev/null && break
        wait "$daemon" 2>/dev/null || true
        daemon=""
    fi
    try=$((try + 1))
    if [ $try -ge 20 ]; then
        echo "demo: binomed did not start:" >&2
        cat "$T/init.log" "$T/binomed.log" >&2 2>/dev/null || true
        exit 1
    fi
done
ADMIN_CODE=$(tail -n 1 "$T/invite")
echo "binomed runs on 127.0.0.1:$port with data in $data."
echo "'binomed init' printed the first administrator's invitation:"
echo "  $ADMIN_CODE"
echo "It carries the server's public key: every client pins it."

section "Claire, the administrator, sets up the programme"
say Claire "joins with the first invitation (her keys are made on her machine)"
i=0
until get claire join "$ADMIN_CODE" --name Claire >"$T/out" 2>&1; do
    i=$((i + 1))
    [ $i -lt 20 ] || { cat "$T/out"; exit 1; }
    sleep 0.2
done
sed 's/^/    /' "$T/out"
run claire whoami
cat >"$T/charter.txt" <<'EOF'
Charter of the Inclusion mentoring programme

1. What we say and write stays within the pair. Administrators see only
   when sessions took place, never what was said.
2. We meet once a month for at least six months; the first meeting is in
   person.
3. We listen with goodwill and respect each other's needs and differences.
4. Either of us may end the pairing at any time, without justification.
EOF
say Claire "creates the programme with its charter"
PROG=$(get claire admin programme create --name "Mentorat Inclusion" \
    --theme "Inclusion in science centres" --months 6 \
    --frequency monthly --format in-person --charter "$T/charter.txt")
echo "    programme $PROG"
run claire admin programme list
say Claire "signs the charter for the structure: the convention's third signature"
run claire admin charter sign --programme "$PROG"
say Claire "invites a mentor and a mentee (one single-use code each)"
ALICE_CODE=$(get claire admin invite --programme "$PROG" --role mentor)
BOB_CODE=$(get claire admin invite --programme "$PROG" --role mentee)
echo "    for Alice: $ALICE_CODE"
echo "    for Bob:   $BOB_CODE"

section "Alice and Bob join"
say Alice "joins as mentor"
run alice join "$ALICE_CODE" --name Alice
say Bob "joins as mentee"
run bob join "$BOB_CODE" --name Bob
run claire admin accounts --programme "$PROG"

section "Claire forms the pair"
PAIR=$(get claire admin pair --programme "$PROG" --mentor Alice --mentee Bob)
echo "    pair $PAIR: Alice (mentor) and Bob (mentee)"
run claire pairs

section "Both members sign the charter"
say Alice "reads the charter and accepts (the command is her consent)"
run alice pair accept "$PAIR" </dev/null
say Bob "accepts too; the pair becomes active"
run bob pair accept "$PAIR" </dev/null >/dev/null
run bob pairs

section "First meeting, in person: the safety numbers"
say Alice "shows her safety number"
run alice verify "$PAIR"
say Bob "shows his"
run bob verify "$PAIR"
a=$(get alice verify "$PAIR" | grep -E '^ +[0-9]{5} ')
b=$(get bob verify "$PAIR" | grep -E '^ +[0-9]{5} ')
if [ "$a" = "$b" ]; then
    echo "    => the two numbers match: no one sits between them."
else
    echo "    => THE NUMBERS DIFFER" >&2
    exit 1
fi
say Alice "and Bob both confirm"
run alice verify "$PAIR" --confirm
run bob verify "$PAIR" --confirm

section "Alice writes the session report"
cat >"$T/report.txt" <<'EOF'
Session 1 report (in person)

We met at the science centre. Bob wants to make the workshops easier to
reach for visitors with low vision. We agreed on a first step: an audit of
the signage before the next session.
EOF
say Alice "writes the report; it is encrypted before it leaves her machine"
REPORT=$(get alice note add "$PAIR" --kind report --file "$T/report.txt")
echo "    note $REPORT"
say Bob "lists the pair's notes and reads the report"
run bob note list "$PAIR"
run bob note show "$PAIR" "$REPORT"

section "Bob answers with his action plan"
printf '%s\n' "Action plan" "1. Walk the exhibition with the signage checklist." \
    "2. Ask two visitors for feedback." >"$T/plan.txt"
PLAN=$(get bob note add "$PAIR" --kind action-plan <"$T/plan.txt")
echo "    note $PLAN (written from standard input)"
say Alice "reads it"
run alice note show "$PAIR" "$PLAN"

section "Sessions, and an absence"
TODAY=$(date -u +%Y-%m-%d)
say Alice "records today's session: held, but Bob could not come"
S1=$(get alice session add "$PAIR" --date "$TODAY" --absent mentee)
echo "    session $S1"
say Bob "plans the next one"
run bob session add "$PAIR" --date "$(date -u -d '+30 days' +%Y-%m-%d)" --status planned
run alice session list "$PAIR"
echo "    => dates and absences are plaintext: the programme counts them."

section "An objective, defined then reached"
say Bob "sets himself an objective (its text is encrypted)"
OBJ=$(get bob objective add "$PAIR" "Audit the signage of two exhibitions")
echo "    objective $OBJ"
run alice objective list "$PAIR"
say Bob "reaches it"
run bob objective reach "$PAIR" "$OBJ"
run alice objective list "$PAIR"

# -- issue 13 corrections: how the first meeting was held, attendance and
# -- objectives corrected (signed in the pair's log, counted true)
section "Corrections: the first meeting's mode, attendance, objectives"
say Alice "records that today's session was held in person, and that Bob came after all"
run alice session update "$PAIR" "$S1" --mode in-person --absent none
say Bob "adds a second objective, rewords it, then gives it up"
OBJ2=$(get bob objective add "$PAIR" "Visit three museums")
run bob objective edit "$PAIR" "$OBJ2" "Visit two museums with an audio guide"
run bob objective abandon "$PAIR" "$OBJ2"
run alice objective list "$PAIR"
echo "    => the report counts it abandoned; 'objective reopen' undoes it."

section "A shared document"
say Alice "shares a checklist (encrypted in 64 KiB chunks, name and size too)"
awk 'BEGIN { for (i = 1; i <= 4000; i++) printf "%04d. Is the sign readable from two metres, in large print?\n", i }' \
    >"$T/signage-checklist.txt"
DOC=$(get alice doc put "$PAIR" "$T/signage-checklist.txt")
echo "    document $DOC"
run bob doc list "$PAIR"
say Bob "downloads it and checks it is the same file"
run bob doc get "$PAIR" "$DOC" -o "$T/bob-checklist.txt"
if cmp -s "$T/signage-checklist.txt" "$T/bob-checklist.txt"; then
    echo "    => cmp: identical, byte for byte."
else
    echo "    => THE FILES DIFFER" >&2
    exit 1
fi

section "A private note"
say Alice "keeps a note for herself: sealed with her own key"
echo "Remember to bring the accessibility guide next time." |
    get alice note add "$PAIR" --private >"$T/private.id"
PRIV=$(cat "$T/private.id")
echo "    note $PRIV (private)"
say Bob "does not see it"
run bob note list "$PAIR"

section "Bob's phone, and a new passphrase on it"
say Bob "links his phone from his laptop; the server carries only sealed keys"
mkfifo "$T/link_a" "$T/link_b"
printf '  %s$ binome device link%s            (on the laptop)\n' "$B" "$N"
timeout 120 env BINOME_PASSPHRASE="demo passphrase of bob" "$BINOME" \
    --profile "$T/bob" device link <"$T/link_a" >"$T/link_a.out" 2>&1 &
lpid=$!
exec 7>"$T/link_a"
i=0
until grep -q "device add BD1" "$T/link_a.out" 2>/dev/null || [ $i -ge 600 ]; do
    i=$((i + 1))
    sleep 0.1
done
LCODE=$(sed -n 's/.*device add \(BD1[^ ]*\) .*/\1/p' "$T/link_a.out")
printf '  %s$ binome device add BD1.… --name phone%s   (on the phone)\n' "$B" "$N"
timeout 120 env BINOME_PASSPHRASE="demo passphrase of bobphone" "$BINOME" \
    --profile "$T/bobphone" device add "$LCODE" --name phone \
    <"$T/link_b" >"$T/link_b.out" 2>&1 &
ppid=$!
exec 8>"$T/link_b"
i=0
until { grep -q "screen shows" "$T/link_a.out" &&
    grep -q "screen shows" "$T/link_b.out"; } 2>/dev/null || [ $i -ge 600 ]; do
    i=$((i + 1))
    sleep 0.1
done
sa=$(sed -n 's/^This screen shows: *//p' "$T/link_a.out")
sb=$(sed -n 's/^This screen shows: *//p' "$T/link_b.out")
echo "    the laptop shows $sa, the phone shows $sb: Bob types each on the other"
echo "$sb" >&7
echo "$sa" >&8
exec 7>&- 8>&-
wait $lpid || { cat "$T/link_a.out" >&2; exit 1; }
wait $ppid || { cat "$T/link_b.out" >&2; exit 1; }
tail -n 1 "$T/link_a.out" | sed 's/^/    /'
say Bob "reads Alice's report on the phone, and lists his devices"
run bobphone note show "$PAIR" "$REPORT"
run bobphone device list
say Bob "changes the passphrase that protects the keys on his phone"
printf '  %s$ binome passphrase%s\n' "$B" "$N"
BINOME_PASSPHRASE="demo passphrase of bobphone" \
    BINOME_NEW_PASSPHRASE="a longer passphrase for bob's phone" \
    "$BINOME" --profile "$T/bobphone" passphrase 2>&1 | sed 's/^/    /'
BINOME_PASSPHRASE="a longer passphrase for bob's phone" "$BINOME" \
    --profile "$T/bobphone" whoami 2>&1 | sed -n '1,3s/^/    /p'

section "The administrator cannot read notes"
say Claire "tries to list and read the pair's notes"
run claire note list "$PAIR"
run claire note show "$PAIR" "$REPORT"
echo "    => refused: administrators steer the programme, they never read notes."

# -- issue 13, dates: the coordinator's real start, the programme's dates,
# -- the minimum duration and the sessions she follows
section "Claire records the real dates"
ago() { date -u -d "@$(($(date -u +%s) - $1 * 86400))" +%Y-%m-%d; }
say Claire "records that the programme started a year ago (its end is open)"
run claire admin programme set --programme "$PROG" --start "$(ago 365)"
say Claire "records that Alice and Bob met on paper seven months ago"
run claire admin pair start --pair "$PAIR" --date "$(ago 213)"
say Claire "follows the pair's sessions: dates and attendance, never a note"
run claire admin sessions --pair "$PAIR"
echo "    => the pair ran the programme's 6 months: it may end completed;"
echo "       earlier, 'pair end --override' says it is on purpose."

# -- issue 13: the coordinator follows up a pair that stalled, ends it and
# -- pairs its mentee again
section "Claire follows up: a pair that stopped meeting"
say Claire "invites a second mentor and mentee, and a third mentor"
for who in marc:mentor chloe:mentee nadia:mentor; do
    code=$(get claire admin invite --programme "$PROG" --role "${who#*:}")
    get "${who%%:*}" join "$code" --name "$(echo "${who%%:*}" |
        sed 's/^./\U&/')" >/dev/null
done
PAIR2=$(get claire admin pair --programme "$PROG" --mentor Marc --mentee Chloe)
get marc pair accept "$PAIR2" </dev/null >/dev/null 2>&1
get chloe pair accept "$PAIR2" </dev/null >/dev/null 2>&1
run claire admin pair start --pair "$PAIR2" --date "$(ago 100)"
say Marc "records their only meeting, by video, three months ago"
get marc session add "$PAIR2" --date "$(ago 95)" --mode video >/dev/null 2>&1
say Claire "sees the pair at risk in the report, and its sessions"
run claire admin stats --programme "$PROG" | sed -n "/PAIRS AT RISK/,/^ *$/p"
run claire admin sessions --pair "$PAIR2"
say Claire "ends it as stalled (her reason is recorded, and shown to both)"
run claire admin end --pair "$PAIR2" --reason stalled
run chloe pairs
say Claire "pairs Chloe again, with Nadia"
PAIR3=$(get claire admin pair --programme "$PROG" --mentor Nadia --mentee Chloe)
echo "    pair $PAIR3: Nadia (mentor) and Chloe (mentee)"

section "The closing review, and the log both members saw"
printf '%s\n' "Closing review" "Two sessions, one objective reached." \
    "Bob will run the accessibility audit on his own." >"$T/review.txt"
say Bob "writes the closing review: it stays inside the pair like every note"
REVIEW=$(get bob note add "$PAIR" --kind review --file "$T/review.txt")
echo "    note $REVIEW"
say Alice "ends the pairing: it ran its course"
run alice pair end "$PAIR" --reason completed
run claire pairs
say Alice "and Bob compare the head of the pair's log, in person"
la=$(get alice verify "$PAIR" | grep '^log:')
lb=$(get bob verify "$PAIR" | grep '^log:')
echo "    Alice: $la"
echo "    Bob:   $lb"
if [ "$la" = "$lb" ]; then
    echo "    => the same entry, the same digest: the server showed them one history."
else
    echo "    => THE LOGS DIFFER" >&2
    exit 1
fi

# -- issue 13: the structure's signature and the end-of-pairing questionnaire
section "The three signatures, and the questionnaire"
say Alice "sees the three signatures, each checked on her machine"
run alice pair charter "$PAIR"
say Claire "sets the end-of-pairing questionnaire"
run claire admin questionnaire set --programme "$PROG" \
    --question "How useful were the meetings?" \
    --question "Would you recommend the programme?"
say Alice "answers it (once)"
run alice pair questionnaire "$PAIR" --answers 5,4 --objectives yes
say Bob "answers too"
run bob pair questionnaire "$PAIR" --answers 4,5 --objectives partly
say Claire "sees no one's answer: counts appear from five answers"
run claire admin stats --programme "$PROG" |
    grep -E "admin stats|structure|questionnaire"

# -- issue 14: a structure accompanied by a team
section "A team pairing: a structure accompanied by a team"
say Claire "allows teams of up to three a side in the programme"
run claire admin programme set --programme "$PROG" --side-max 3
for who in sofia:mentor yanis:mentor ines:mentee leo:mentee; do
    code=$(get claire admin invite --programme "$PROG" --role "${who#*:}")
    get "${who%%:*}" join "$code" --name "$(echo "${who%%:*}" |
        sed 's/^./\U&/')" >/dev/null
done
say Claire "pairs the two referents: Sofia for the mentors, Ines for the structure"
TEAM=$(get claire admin pair --programme "$PROG" --mentor Sofia --mentee Ines)
for who in sofia ines; do
    get "$who" pair accept "$TEAM" </dev/null >/dev/null 2>&1
    get "$who" verify "$TEAM" --confirm >/dev/null 2>&1
done
echo "    pair $TEAM: the referents accepted and compared their safety number"
# the account id and key code a person reads out from their own machine
account_of() { get "$1" whoami --json | sed 's/^{"account":\([0-9]*\),.*/\1/'; }
code_of() { get "$1" whoami --json | sed 's/.*"key_code":"\([0-9]*\)".*/\1/'; }
say Leo "reads his key code to Ines, in person"
run leo whoami
say Ines "adds Leo to the structure's side, with the pair's history"
run ines pair member add "$TEAM" --account "$(account_of leo)" \
    --code "$(code_of leo)" --history
say Sofia "adds Yanis to the mentors' side"
run sofia pair member add "$TEAM" --account "$(account_of yanis)" \
    --code "$(code_of yanis)"
get leo pair accept "$TEAM" </dev/null >/dev/null 2>&1
get yanis pair accept "$TEAM" </dev/null >/dev/null 2>&1
say Leo "compares the pair's safety number with Ines, and Yanis with Sofia"
for who in leo yanis; do
    get "$who" verify "$TEAM" --confirm >/dev/null 2>&1
done
say Sofia "sees who is in the pairing, and who vouched for whom"
run sofia pair members "$TEAM"
run claire admin pair start --pair "$TEAM" --date "$(ago 20)"
say Yanis "records a meeting Leo missed"
get yanis session add "$TEAM" --date "$(ago 7)" --absent Leo >/dev/null
run yanis session list "$TEAM"
say Ines "keeps a note to the structure's side: the mentors cannot read it"
echo "Our board has not voted the budget yet." >"$T/internal"
NS=$(get ines note add "$TEAM" --side --file "$T/internal")
run leo note show "$TEAM" "$NS"
run sofia note show "$TEAM" "$NS" || true
say Claire "sees each member's attendance in the report, never a note"
run claire admin stats --programme "$PROG" --json |
    grep -o '"member_rows":\[[^]]*\]' | tr '{' '\n' | grep '"pair_id":'"$TEAM" || true

section "The programme's report"
say Claire "reads the whole report: figures, never a note"
run claire admin stats --programme "$PROG"

section "What the server stores"
for words in "low vision" "Audit the signage" "signage-checklist" \
    "readable from two metres" "Two sessions" "budget yet"; do
    if grep -a -r -q "$words" "$data"; then
        echo "    '$words' appears on the server's disk!" >&2
        exit 1
    fi
done
echo "    grep in $data for the report, the objective, the document's name"
echo "    and contents, the closing review: nothing. Only ciphertext."

section "The end"
echo "Stopping binomed and removing the temporary directory."
