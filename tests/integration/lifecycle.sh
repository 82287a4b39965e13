#!/bin/sh
# lifecycle.sh: the whole life of mentoring pairs through the command line,
# against a real binomed on a loopback port: consent, sessions and
# absences, objectives, notes and their revisions (with a concurrent
# edit), documents (a round trip and an interrupted upload), the closing
# review, export, a withdrawal and re-pairing, erasure, and a server whose
# data directory is rolled back.
#
#   BUILD=build sh tests/integration/lifecycle.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with "N passed,
# N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp life

start_daemon_checked 11 41 "binomed starts"

# ---- people -------------------------------------------------------------
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme "Life cycle")
join_people "$PROG" alice:mentor bob:mentee carol:mentee
if new_pair P1 alice bob && is_num "$P1"; then
    ok "a programme, three participants and pair $P1 (alice, bob)"
else
    not_ok "a programme, three participants and a pair"
fi

# ---- consent first -------------------------------------------------------
refuse "no session before both members consent" "accepted" \
    as alice session add "$P1" --date 2024-03-01
refuse "no objective before both members consent" "accepted" \
    as alice objective add "$P1" "Find an internship"
refuse "no note before both members consent" "accepted" sh -c \
    'echo early | BINOME_PASSPHRASE="pass phrase of alice" "$1" --profile "$2" note add "$3"' \
    sh "$BINOME" "$T/alice" "$P1"
check "alice accepts" as alice pair accept "$P1"
refuse "bob's consent is still missing" "accepted" \
    as alice session add "$P1" --date 2024-03-01
check "bob accepts" as bob pair accept "$P1"
check "alice confirms the safety number" as alice verify "$P1" --confirm
check "bob confirms the safety number" as bob verify "$P1" --confirm

# ---- dates are checked before any network use ----------------------------
cp -r "$T/alice" "$T/offline"
sed 's/^server=.*/server=127.0.0.1:1/' "$T/alice/profile.conf" \
    >"$T/offline/profile.conf"
offline() { BINOME_PASSPHRASE="pass phrase of alice" "$BINOME" --profile "$T/offline" "$@"; }
refuse "an impossible date is refused (2024-02-30)" "not a date" \
    offline session add "$P1" --date 2024-02-30
refuse "a wrong date is refused (2024-13-01)" "not a date" \
    offline session add "$P1" --date 2024-13-01
refuse "a malformed date is refused (1/3/2024)" "YYYY-MM-DD" \
    offline session add "$P1" --date 1/3/2024
refuse "a date out of range is refused (1999-12-31)" "not a date" \
    offline objective reach "$P1" abcd --date 1999-12-31
refuse "a held session in the future is refused" "planned" \
    offline session add "$P1" --date 2199-01-01 --status held
refuse "an unknown absence is refused" "mentor, mentee or both" \
    offline session add "$P1" --date 2024-03-01 --absent nobody,

# ---- sessions --------------------------------------------------------------
today=$(date -u +%Y-%m-%d)
if grab S1 alice session add "$P1" --date "$today" --absent mentee &&
    is_num "$S1"; then
    ok "a held session with the mentee absent (session $S1)"
else
    not_ok "a held session with the mentee absent"
fi
grab S2 bob session add "$P1" --date 2199-06-01 ||
    not_ok "a planned session"
check "a planned session is later cancelled" \
    as bob session update "$P1" "$S2" --status cancelled
as alice session list "$P1" --json >"$T/sessions.json" 2>"$T/err"
if grep -q "\"id\":$S1,\"date\":\"$today\",\"status\":\"held\",\"absent\":\[\"mentee\"\]" "$T/sessions.json" &&
    grep -q "\"id\":$S2,\"date\":\"2199-06-01\",\"status\":\"cancelled\"" "$T/sessions.json"; then
    ok "session list --json shows the absence and the cancellation"
else
    not_ok "session list --json shows the absence and the cancellation"
    sed 's/^/#   /' "$T/sessions.json"
fi
check "session list shows a table" sh -c \
    'BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" session list "$3" | grep -q "^$4 .*held *mentee"' \
    sh "$BINOME" "$T/bob" "$P1" "$S1"
refuse "an unknown session is refused" "no session 9999" \
    as alice session update "$P1" 9999 --status held
refuse "a note on an unknown session is refused" "no session 9999" sh -c \
    'echo x | BINOME_PASSPHRASE="pass phrase of alice" "$1" --profile "$2" note add "$3" --session 9999' \
    sh "$BINOME" "$T/alice" "$P1"
head -c 262145 /dev/zero | tr '\0' 'a' >"$T/long"
refuse "a note over 256 KiB is refused, from a file" "longer than 256 KiB" \
    as alice note add "$P1" --file "$T/long"
refuse "and from standard input" "longer than 256 KiB" sh -c \
    'BINOME_PASSPHRASE="pass phrase of alice" "$1" --profile "$2" note add "$3" <"$4"' \
    sh "$BINOME" "$T/alice" "$P1" "$T/long"

# ---- objectives --------------------------------------------------------------
if grab O1 bob objective add "$P1" "Find an internship in a lab" && is_id "$O1"
then
    ok "bob defines an objective ($O1)"
else
    not_ok "bob defines an objective"
fi
check "alice sees its text, defined" sh -c \
    'BINOME_PASSPHRASE="pass phrase of alice" "$1" --profile "$2" objective list "$3" | grep -q "^$4  defined .*Find an internship in a lab"' \
    sh "$BINOME" "$T/alice" "$P1" "$O1"
check "alice marks it reached" as alice objective reach "$P1" "$(printf %s "$O1" | cut -c1-6)"
check "objective list --json says reached, with its date" sh -c \
    'BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" objective list "$3" --json | grep -q "\"status\":\"reached\",\"defined\":\"$4\",\"reached\":\"$4\""' \
    sh "$BINOME" "$T/bob" "$P1" "$today"
refuse "an unknown objective is refused" "no objective" \
    as alice objective reach "$P1" 0000000000000001
# From standard input: the text never stands on a command line (ps).
if O2=$(printf 'Read one book a month\n' | as alice objective add "$P1" 2>"$T/err") &&
    is_id "$O2" && as bob objective list "$P1" >"$T/out" 2>&1 &&
    grep -q "^$O2  defined .*Read one book a month\$" "$T/out"; then
    ok "an objective read from standard input, without its newline"
else
    not_ok "an objective read from standard input, without its newline"
fi
if grep -a -r -q "Find an internship" "$DATA"; then
    not_ok "the objective's text is nowhere on the server's disk"
else
    ok "the objective's text is nowhere on the server's disk"
fi

# ---- notes, revisions, a concurrent edit ------------------------------------
printf 'Session report\n\nBob was ill; we met by video.\n' >"$T/report1"
if grab N1 alice note add "$P1" --kind report --session "$S1" --file "$T/report1" &&
    is_id "$N1"; then
    ok "alice attaches a report to session $S1"
else
    not_ok "alice attaches a report to the session"
fi
check "note list shows kind, author and revision 1" sh -c \
    'BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" note list "$3" | grep -q "^$4  report  *alice .* 1 no"' \
    sh "$BINOME" "$T/bob" "$P1" "$N1"
printf 'Session report\n\nBob was ill; we met by video. Next: CV review.\n' >"$T/report2"
check "alice edits her report (revision 2)" sh -c \
    'BINOME_PASSPHRASE="pass phrase of alice" "$1" --profile "$2" note edit "$3" "$4" --file "$5" | grep -q "revision 2"' \
    sh "$BINOME" "$T/alice" "$P1" "$N1" "$T/report2"
as bob note show "$P1" "$N1" >"$T/show" 2>"$T/err"
if grep -q "^revision   2" "$T/show" && grep -q "^author     alice (mentor, referent" "$T/show" &&
    grep -q "signature  verified" "$T/show" && grep -q "Next: CV review" "$T/show"; then
    ok "bob reads revision 2, signed by alice"
else
    not_ok "bob reads revision 2, signed by alice"
fi
refuse "an unchanged edit sends nothing" "no change" \
    as alice note edit "$P1" "$N1" --file "$T/report2"
# Bob reads revision 2 and waits on his input; Alice saves revision 3 in
# the meantime; Bob's revision 3 must then be refused.
mkfifo "$T/fifo"
(as bob note edit "$P1" "$N1" <"$T/fifo" >"$T/bob.out" 2>"$T/bob.err"
    echo $? >"$T/bob.rc") &
helper=$!
exec 3>"$T/fifo"
sleep 2
printf 'Session report (alice, v3)\n' >"$T/report3"
check "alice saves revision 3 while bob edits" \
    as alice note edit "$P1" "$N1" --file "$T/report3"
printf 'Session report (bob, v3)\n' >&3
exec 3>&-
wait "$helper"
helper=""
if [ "$(cat "$T/bob.rc")" != 0 ] &&
    grep -q "changed since you read it" "$T/bob.err" &&
    grep -q "note show" "$T/bob.err"; then
    ok "bob's concurrent edit is refused: the note changed, show it again"
else
    not_ok "bob's concurrent edit is refused: the note changed, show it again"
    sed 's/^/#   /' "$T/bob.err"
fi
check "alice's revision 3 stands" sh -c \
    'BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" note show "$3" "$4" --raw | grep -q "alice, v3"' \
    sh "$BINOME" "$T/bob" "$P1" "$N1"
refuse "an unknown note is refused" "no note" \
    as alice note edit "$P1" 0000000000000001 --file "$T/report3"

# ---- documents ----------------------------------------------------------------
head -c 3000000 /dev/urandom >"$T/slides.pdf"
if grab D1 alice doc put "$P1" "$T/slides.pdf" && is_id "$D1"; then
    ok "alice shares a 3 MB document ($D1)"
else
    not_ok "alice shares a 3 MB document"
fi
check "bob lists it with its name and size" sh -c \
    'BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" doc list "$3" --json | grep -q "\"id\":\"$4\",\"name\":\"slides.pdf\",\"size\":3000000"' \
    sh "$BINOME" "$T/bob" "$P1" "$D1"
check "bob downloads it (-o)" as bob doc get "$P1" "$D1" -o "$T/got.pdf"
check "the download is byte for byte the upload" cmp "$T/slides.pdf" "$T/got.pdf"
mkdir "$T/dl"
check "doc get without -o writes the document's own name" sh -c \
    'cd "$4" && BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" doc get "$3" "$5" >/dev/null && cmp slides.pdf "$6"' \
    sh "$BINOME" "$T/bob" "$P1" "$T/dl" "$(printf %s "$D1" | cut -c1-5)" "$T/slides.pdf"
refuse "doc get refuses to overwrite without -o" "already exists" sh -c \
    'cd "$4" && BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" doc get "$3" "$5"' \
    sh "$BINOME" "$T/bob" "$P1" "$T/dl" "$D1"
if ls -A "$T/dl" | grep -q binome-get; then
    not_ok "no temporary file is left behind"
else
    ok "no temporary file is left behind"
fi
refuse "an unknown document is refused" "no document" \
    as bob doc get "$P1" 0000000000000001 -o "$T/none"
# 64 MB is 977 chunks each way: far more than the default rate_burst (400
# requests) if a chunk counted as a whole request (it counts 1/64).
head -c 64000000 /dev/urandom >"$T/video.mp4"
if grab D2 alice doc put "$P1" "$T/video.mp4" && is_id "$D2"; then
    ok "a 64 MB document goes up under the default request rate"
else
    not_ok "a 64 MB document goes up under the default request rate"
fi
check "and comes down byte for byte" sh -c \
    'BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" doc get "$3" "$4" -o "$5" && cmp "$5" "$6"' \
    sh "$BINOME" "$T/bob" "$P1" "$D2" "$T/got.mp4" "$T/video.mp4"
rm -f "$T/video.mp4" "$T/got.mp4"
if grep -a -r -q "slides.pdf" "$DATA"; then
    not_ok "the document's name is nowhere on the server's disk"
else
    ok "the document's name is nowhere on the server's disk"
fi

# An upload killed half way (the test hook kills the client once 1 MiB
# was acknowledged), then run again: one complete document.
head -c 2500000 /dev/urandom >"$T/thesis.tex"
BINOME_TEST_ABORT_AT=1048576 as alice doc put "$P1" "$T/thesis.tex" \
    >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -ne 0 ] && [ ! -s "$T/out" ]; then
    ok "an upload is interrupted half way (exit $rc)"
else
    not_ok "an upload is interrupted half way"
fi
check "the incomplete document is not listed" sh -c \
    '! BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" doc list "$3" | grep -q thesis.tex' \
    sh "$BINOME" "$T/bob" "$P1"
if grab D2 alice doc put "$P1" "$T/thesis.tex" && is_id "$D2"; then
    ok "the same upload run again completes ($D2)"
else
    not_ok "the same upload run again completes"
fi
as bob doc list "$P1" >"$T/docs" 2>"$T/err"
if [ "$(grep -c 'thesis.tex' "$T/docs")" -eq 1 ] &&
    [ "$(grep -c '^[0-9a-f]\{16\} ' "$T/docs")" -eq 3 ]; then
    ok "exactly one complete copy is listed"
else
    not_ok "exactly one complete copy is listed"
    sed 's/^/#   /' "$T/docs"
fi
as bob doc get "$P1" "$D2" -o "$T/thesis.got" >"$T/out" 2>"$T/err"
check "the retried document round-trips" cmp "$T/thesis.tex" "$T/thesis.got"

# ---- the log, seen from both sides --------------------------------------------
as alice verify "$P1" 2>"$T/err" | grep '^log:' >"$T/log.alice"
as bob verify "$P1" 2>>"$T/err" | grep '^log:' >"$T/log.bob"
if grep -qE '^log: entry [0-9]+, digest [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4}$' "$T/log.alice" &&
    cmp -s "$T/log.alice" "$T/log.bob"; then
    ok "both members see the same log head ($(cat "$T/log.alice"))"
else
    not_ok "both members see the same log head"
fi

# ---- closing review, export, end ----------------------------------------------
printf 'Closing review\n\nBob found his internship. Thank you both.\n' >"$T/review"
check "the closing review is a note of kind review" sh -c \
    'BINOME_PASSPHRASE="pass phrase of bob" "$1" --profile "$2" note add "$3" --kind review --file "$4" >/dev/null &&
     BINOME_PASSPHRASE="pass phrase of alice" "$1" --profile "$5" note list "$3" | grep -q " review .*bob"' \
    sh "$BINOME" "$T/bob" "$P1" "$T/review" "$T/alice"
check "the pair ends, completed (before the minimum: --override)" \
    as alice pair end "$P1" --reason completed --override
refuse "an ended pair takes no more writes" "ended" \
    as bob session add "$P1" --date "$today"
check "bob exports everything" as bob export "$P1" --to "$T/export"
E=$T/export
if [ "$(stat -c %a "$E")" = 700 ] &&
    [ -z "$(find "$E" -type f ! -perm 600)" ] &&
    [ -z "$(find "$E" -type d ! -perm 700)" ]; then
    ok "the export is private: directories 0700, files 0600"
else
    not_ok "the export is private: directories 0700, files 0600"
fi
if cmp -s "$E/documents/slides.pdf" "$T/slides.pdf" &&
    cmp -s "$E/documents/thesis.tex" "$T/thesis.tex"; then
    ok "the export holds the documents under their own names"
else
    not_ok "the export holds the documents under their own names"
fi
if grep -l "^kind: report" "$E"/notes/*.md 2>/dev/null | xargs grep -q "alice, v3" &&
    grep -q "^revision: 3" "$E"/notes/*-report-*.md &&
    grep -q "^author: alice (mentor)" "$E"/notes/*-report-*.md &&
    grep -q "Bob found his internship" "$E"/notes/*-review-*.md; then
    ok "the export holds the notes as Markdown with kind, author, revision"
else
    not_ok "the export holds the notes as Markdown with kind, author, revision"
fi
if grep -q "Find an internship in a lab" "$E/objectives.csv" &&
    grep -qE "^$S1,$today,held,mentee,unknown,[0-9]+$" "$E/sessions.csv"; then
    ok "objectives.csv and sessions.csv"
else
    not_ok "objectives.csv and sessions.csv"
fi
refuse "export refuses a directory that is not empty" "not empty" \
    as bob export "$P1" --to "$E"

# ---- withdrawal and re-pairing ------------------------------------------------
new_pair P2 alice carol
as alice pair accept "$P2" >/dev/null 2>&1
as carol pair accept "$P2" >/dev/null 2>&1
echo "first words with carol" | as alice note add "$P2" >/dev/null 2>"$T/err"
echo "carol's own words" | as carol note add "$P2" >/dev/null 2>"$T/err"
CN=$(echo "carol's words that alice corrects" | as carol note add "$P2" 2>"$T/err")
echo "alice's correction of carol's words" >"$T/corr"
as alice note edit "$P2" "${CN:-0}" --file "$T/corr" >/dev/null 2>"$T/err"
check "carol withdraws from pair $P2" as carol pair end "$P2" --reason withdrawn
check "pairs shows the ended pair clearly" sh -c \
    'BINOME_PASSPHRASE="pass phrase of carol" "$1" --profile "$2" pairs | grep -q "^$3 *withdrawn .*, withdrawn"' \
    sh "$BINOME" "$T/carol" "$P2"
check "carol still reads what was written before she left" sh -c \
    'BINOME_PASSPHRASE="pass phrase of carol" "$1" --profile "$2" note list "$3" | grep -q alice' \
    sh "$BINOME" "$T/carol" "$P2"
if new_pair P3 alice bob && is_num "$P3"; then
    ok "alice is paired again, with bob (pair $P3)"
else
    not_ok "alice is paired again"
fi
as alice pair accept "$P3" >/dev/null 2>&1
as bob pair accept "$P3" >/dev/null 2>&1
NEW=$(echo "a new start" | as alice note add "$P3" 2>"$T/err")
is_id "$NEW" && ok "alice writes in the new pair" || not_ok "alice writes in the new pair"
refuse "the departed member cannot list the new pair's notes" "no pair [0-9]* among yours" \
    as carol note list "$P3"
refuse "the departed member cannot read the new pair's note" "no pair [0-9]* among yours" \
    as carol note show "$P3" "${NEW:-0}"
refuse "a pair that has not ended cannot be erased" "not ended\|cannot be erased" \
    as alice pair erase "$P3"

# ---- erasure needs both members; one's own words go alone (issue 13) ------------
# withdrawn: the count in `admin stats --json`, before and after the erasure
withdrawn_json() {
    as admin admin stats --programme "$PROG" --json 2>/dev/null |
        grep -o '"pairs":{[^}]*}' | grep -o '"withdrawn":[0-9]*'
}
W_BEFORE=$(withdrawn_json)
check "alice asks to erase the withdrawn pair" as alice erase "$P2"
if grep -q "carol (mentee): has not asked" "$T/out" &&
    grep -q "only when every member asks" "$T/out" &&
    grep -q "no retention period" "$T/out"; then
    ok "erase says carol has not asked and what would erase the pair"
else
    not_ok "erase says carol has not asked and what would erase the pair"
fi
check "alice alone erased nothing: carol still reads alice's note" sh -c \
    'BINOME_PASSPHRASE="pass phrase of carol" "$1" --profile "$2" note list "$3" | grep -q alice' \
    sh "$BINOME" "$T/carol" "$P2"
refuse "the administrator cannot erase it before both asked" \
    "cannot be erased: 1 of its 2 members asked" \
    as admin admin erase --pair "$P2"
check "carol erases her own words alone" as carol erase "$P2" --mine
grep -q "erased 2 item" "$T/out" && ok "two items of carol's went (a note, a revision)" ||
    not_ok "two items of carol's went (a note, a revision)"
if as alice note list "$P2" >"$T/notes" 2>"$T/err" &&
    grep -q alice "$T/notes" &&
    ! grep -v "carol.s revision 1" "$T/notes" | grep -q carol; then
    ok "alice's note stays, carol's is gone, and alice's client accepts it"
else
    not_ok "alice's note stays, carol's is gone, and alice's client accepts it"
fi
# carol's first revision of the note alice corrected went with her words;
# alice's revision stays, and its history skips what its author erased
if as alice note history "$P2" "${CN:-0}" >"$T/hist" 2>"$T/err" &&
    grep -q "^ *2  *alice .*carol.s revision 1" "$T/hist" &&
    ! grep -q "^ *1  " "$T/hist" &&
    ! grep -qi "withheld" "$T/err"; then
    ok "note history shows alice's revision only, carol's erased one is not 'withheld'"
else
    not_ok "note history shows alice's revision only, carol's erased one is not 'withheld'"
fi
check "carol asks too: the pair is erased" as carol erase "$P2"
grep -q "pair $P2 erased" "$T/out" && ok "erase says the pair is erased" ||
    not_ok "erase says the pair is erased"
refuse "the erased pair's notes are gone" "no pair [0-9]* among yours" \
    as carol note list "$P2"
W_AFTER=$(withdrawn_json)
if [ -n "$W_BEFORE" ] && [ "$W_BEFORE" = "$W_AFTER" ] &&
    [ "$W_AFTER" != '"withdrawn":0' ]; then
    ok "the withdrawal still counts after the erasure (JSON: $W_AFTER)"
else
    not_ok "the withdrawal still counts after the erasure ($W_BEFORE, then $W_AFTER)"
fi
as admin admin stats --programme "$PROG" >"$T/table" 2>"$T/err"
if grep -q "withdrawn ${W_BEFORE#*:}; erased 1" "$T/table" &&
    grep -q "^$P2 .*withdrawn\*" "$T/table"; then
    ok "the table counts it withdrawn and marks it erased"
else
    not_ok "the table counts it withdrawn and marks it erased"
fi

# ---- a server rolled back to an old copy of its data ---------------------------
check "alice writes in pair $P3 (log seen)" sh -c \
    'echo "before the copy" | BINOME_PASSPHRASE="pass phrase of alice" "$1" --profile "$2" note add "$3"' \
    sh "$BINOME" "$T/alice" "$P3"
stop_daemon
cp -a "$DATA" "$T/old-data"
run_daemon "$DATA" && wait_up alice
check "alice writes more after the copy" sh -c \
    'echo "after the copy" | BINOME_PASSPHRASE="pass phrase of alice" "$1" --profile "$2" note add "$3"' \
    sh "$BINOME" "$T/alice" "$P3"
stop_daemon
rm -rf "$DATA"
mv "$T/old-data" "$DATA"
run_daemon "$DATA" && wait_up alice
refuse "the rolled-back server is refused, naming the pair" \
    "rolled back the log of pair $P3" as alice note list "$P3"
refuse "writes to it are refused too" "rolled back" sh -c \
    'echo "into the past" | BINOME_PASSPHRASE="pass phrase of alice" "$1" --profile "$2" note add "$3"' \
    sh "$BINOME" "$T/alice" "$P3"

finish
