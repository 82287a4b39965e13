#!/bin/sh
# audit.sh: the auditor's checks and the operator's backup against a real
# binomed on a loopback port. A pair writes notes (one holding a unique
# canary), an objective and documents; `binomed audit --data DIR` (offline,
# while the daemon runs) and `binome audit` (an auditor, live) pass, and
# the canary is nowhere on disk (offline) and in no stored ciphertext
# (live: "not found"); the live audit refuses short or binary canaries in
# the client, takes one audit with canaries per auditor per minute, and
# never searches files (a canary in a data file or in server.key's hex is
# "not found" live, while the offline audit names the file); a plaintext
# note planted into LMDB is found by both (the live canary answer names
# nothing); a backup taken while a writer runs audits clean, and a daemon
# started on it serves the notes.
#
#   BUILD=build sh tests/integration/audit.sh
#
# Needs $BUILD/tests/unit_runner (make tests), whose tool "plant"
# (tests/unit/test_srv_audit.c) plants the plaintext note (BN_PLANT_DIR). Prints "ok N - ..." / "not ok N - ..." per
# check and ends with "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
PLANT=${PLANT:-$BUILD/tests/unit_runner}
need_progs "run make tests first" "$BINOMED" "$BINOME" "$PLANT"
make_tmp audit

# A failed check shows the end of its stdout and stderr.
not_ok_detail() { show_tail 15 "$T/out" "$T/err"; }
# finds DESC PATTERN CMD...: the command fails and its output (stdout and
# stderr) matches PATTERN.
finds() {
    d=$1 pat=$2
    shift 2
    if "$@" >"$T/out" 2>"$T/err"; then
        not_ok "$d (it passed)"
    elif cat "$T/out" "$T/err" | grep -q -- "$pat"; then
        ok "$d"
    else
        not_ok "$d (no '$pat' in the report)"
    fi
}

start_daemon_checked 17 43 "binomed starts"

# ---- a pair that writes -------------------------------------------------------
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Audited)
join_people "$PROG" alice:mentor bob:mentee
new_pair P1 alice bob
as alice pair accept "$P1" >"$T/out" 2>"$T/err" &&
    as bob pair accept "$P1" >"$T/out" 2>>"$T/err" &&
    as alice verify "$P1" --confirm >"$T/out" 2>>"$T/err" &&
    as bob verify "$P1" --confirm >"$T/out" 2>>"$T/err"
check "pair $P1 is formed, accepted and verified" as alice whoami

CANARY="canary-$$-zq7-$(date +%s)-glowworm"
printf '%s\n' "$CANARY" >"$T/canaries"
printf 'We met on Tuesday. Code word: %s. We agreed on three goals.\n' \
    "$CANARY" >"$T/note1"
check "alice writes a note holding the canary" \
    as alice note add "$P1" --kind report --file "$T/note1"
printf 'Thank you for the session.\n' >"$T/note2"
check "bob writes a private note" \
    as bob note add "$P1" --private --file "$T/note2"
check "bob sets an objective holding the canary" \
    as bob objective add "$P1" "Objective $CANARY"
{
    printf 'Document %s\n' "$CANARY"
    head -c 100000 /dev/urandom
} >"$T/cv.pdf"
check "alice shares a document holding the canary" \
    as alice doc put "$P1" "$T/cv.pdf"
: >"$T/empty.txt"
check "alice shares an empty document" as alice doc put "$P1" "$T/empty.txt"

# ---- audits of the live data ----------------------------------------------------
check "binomed audit --data passes while the daemon runs" \
    "$BINOMED" audit --data "$DATA"
if grep -q "note_envs *envelope *ciphertext" "$T/out" &&
    grep -q "sessions *date *clear" "$T/out" &&
    grep -q "no finding" "$T/out"; then
    ok "the report lists the schema (clear / ciphertext) and no finding"
else
    not_ok "the report lists the schema and no finding"
fi
check "binomed audit --canary: the canary written through the client is nowhere" \
    "$BINOMED" audit --data "$DATA" --canary "$T/canaries"
check "binomed audit --json passes" "$BINOMED" audit --data "$DATA" --json
if grep -q '"findings_total":0' "$T/out" && grep -q '"findings":\[\]' "$T/out"; then
    ok "the JSON report has no finding"
else
    not_ok "the JSON report has no finding"
fi

code=$("$BINOMED" invite --data "$DATA" --role auditor 2>"$T/err")
check "an auditor joins" as audrey join "$code" --name Audrey
code=$("$BINOMED" invite --data "$DATA" --role auditor 2>"$T/err")
check "a second auditor joins" as basile join "$code" --name Basile
check "binome audit (auditor, live) passes" as audrey audit
audits() { grep -c " audit account=" "$T/binomed.log"; }

# ---- canaries the client refuses before sending ----------------------------------
n0=$(audits)
printf 'BND\n' >"$T/short"
finds "a 3-byte canary is refused" "16 to 256 printable" \
    as audrey audit --canary "$T/short"
head -c 165 "$DATA/server.key" | head -c 40 >"$T/raw"
printf '\n' >>"$T/raw"
finds "a raw window of server.key is refused" "16 to 256 printable" \
    as audrey audit --canary "$T/raw"
if [ "$(audits)" = "$n0" ]; then
    ok "the refused canaries never reached the server"
else
    not_ok "the refused canaries never reached the server"
fi

# ---- the live search: stored ciphertext only, found / not found -----------------
od -An -tx1 -v "$DATA/server.key" | tr -d ' \n' | cut -c1-64 >"$T/keyhex"
printf '\n' >>"$T/keyhex"
printf 'Audited programme charter line\n' >>"$T/keyhex"
cat "$T/canaries" "$T/keyhex" >"$T/mixed"
printf 'debug dump: %s\n' "$CANARY" >"$DATA/stray.log"
check "binome audit --canary passes: the canary written through the client, \
a data file and server.key's hex are not searched" \
    as audrey audit --canary "$T/mixed"
if grep -q "canaries searched *3" "$T/out" &&
    [ "$(grep -c "not found" "$T/out")" = 3 ] &&
    ! grep -q "stray.log\|server.key\|data.mdb" "$T/out"; then
    ok "the live report says 'not found' for each canary, naming no file"
else
    not_ok "the live report says 'not found' for each canary, naming no file"
fi
finds "binomed audit (offline) finds the canary in the data file, named" \
    "stray.log" "$BINOMED" audit --data "$DATA" --canary "$T/canaries"
rm -f "$DATA/stray.log"

# ---- the rate limit -----------------------------------------------------------------
finds "a second audit with canaries within a minute is refused" "per minute" \
    as audrey audit --canary "$T/canaries"
check "alice is served meanwhile" as alice note list "$P1"
check "audrey may still audit without canaries" as audrey audit
check "basile has his own turn" as basile audit --canary "$T/canaries" --json
if grep -q '"canaries":\[{"canary":"'"$CANARY"'","found":false}\]' "$T/out"; then
    ok "the JSON report gives found: false for the canary"
else
    not_ok "the JSON report gives found: false for the canary"
fi
finds "binome audit is for auditors only" "auditor" as alice audit

# ---- backup while a writer runs ---------------------------------------------------
(
    i=0
    while [ $i -lt 200 ]; do
        echo "Loop note $i" | as alice note add "$P1" >/dev/null 2>&1
        i=$((i + 1))
    done
) &
helper=$!
sleep 1
check "binomed audit runs beside the writer" "$BINOMED" audit --data "$DATA"
check "binomed backup copies while the writer runs" \
    "$BINOMED" backup --data "$DATA" --to "$T/backup"
sleep 0.5
kill "$helper" 2>/dev/null
wait "$helper" 2>/dev/null
helper=""
if [ -f "$T/backup/data.mdb" ] && [ -f "$T/backup/server.pub" ] &&
    [ -f "$T/backup/binomed.conf" ] &&
    [ "$(stat -c %a "$T/backup/server.key")" = 600 ]; then
    ok "the copy holds data.mdb, server.key (0600), server.pub, binomed.conf"
else
    not_ok "the copy holds data.mdb, server.key (0600), server.pub, binomed.conf"
fi
finds "a backup into a non-empty directory is refused" "not empty" \
    "$BINOMED" backup --data "$DATA" --to "$T/backup"
check "the copy audits clean" "$BINOMED" audit --data "$T/backup" \
    --canary "$T/canaries"

stop_daemon
if run_daemon "$T/backup" && wait_up bob; then
    ok "a daemon starts on the copy"
else
    not_ok "a daemon starts on the copy"
fi
check "note list on the copy shows the notes" as bob note list "$P1"
if [ "$(wc -l <"$T/out")" -ge 3 ]; then
    ok "the copy holds the pair's notes ($(wc -l <"$T/out") lines)"
else
    not_ok "the copy holds the pair's notes"
fi
stop_daemon

# ---- a plaintext planted into LMDB ---------------------------------------------
if key=$(BN_PLANT_DIR=$DATA BN_PLANT_TEXT="$CANARY" "$PLANT" --tool plant 2>"$T/err") &&
    [ -n "$key" ]; then
    ok "a plaintext note is planted into the stopped daemon's store ($key)"
else
    not_ok "a plaintext note is planted"
fi
finds "binomed audit names the planted record" "note_envs $key" \
    "$BINOMED" audit --data "$DATA"
finds "binomed audit --canary finds the canary in data.mdb" "data.mdb" \
    "$BINOMED" audit --data "$DATA" --canary "$T/canaries"
if run_daemon "$DATA" && wait_up audrey; then
    ok "the daemon starts again"
else
    not_ok "the daemon starts again"
fi
finds "binome audit names the planted record" "note_envs $key" as audrey audit
finds "binome audit --canary finds the canary planted in clear" "#1 *FOUND" \
    as audrey audit --canary "$T/canaries"
if grep "FOUND" "$T/out" | grep -q "note_envs\|$key\|data.mdb"; then
    not_ok "the canary's answer names no record or file"
else
    ok "the canary's answer names no record or file"
fi
stop_daemon

finish
