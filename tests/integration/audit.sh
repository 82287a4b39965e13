#!/bin/sh
# audit.sh: the auditor's checks and the operator's backup against a real
# binomed on a loopback port. A pair writes notes (one holding a unique
# canary), an objective and documents; `binomed audit --data DIR` (offline,
# while the daemon runs) and `binome audit` (an auditor, live) pass, and
# the canary is nowhere on disk; a canary planted in a file of the data
# directory and a plaintext note planted into LMDB are found by both,
# named; a backup taken while a writer runs audits clean, and a daemon
# started on it serves the notes.
#
#   BUILD=build sh tests/integration/audit.sh
#
# Needs $BUILD/tests/test_srv_audit (make tests), which plants the
# plaintext note (BN_PLANT_DIR). Prints "ok N - ..." / "not ok N - ..." per
# check and ends with "N passed, N failed"; exits 1 when a check failed.
set -u
: "${BUILD:=build}"
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
BINOMED=${BINOMED:-$BUILD/binomed}
BINOME=${BINOME:-$BUILD/binome}
PLANT=${PLANT:-$BUILD/tests/test_srv_audit}
export BINOME_KDF=interactive
unset BINOME_PASSPHRASE XDG_CONFIG_HOME BINOME_TEST_ABORT_AT

for prog in "$BINOMED" "$BINOME" "$PLANT"; do
    if [ ! -x "$prog" ]; then
        echo "audit.sh: $prog is missing; run make tests first" >&2
        exit 1
    fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/binome-audit.XXXXXX") || exit 1
daemon=""
writer=""
cleanup() {
    [ -n "$writer" ] && kill "$writer" 2>/dev/null
    if [ -n "$daemon" ]; then
        kill "$daemon" 2>/dev/null
        wait "$daemon" 2>/dev/null
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

n=0 passed=0 failed=0
ok() {
    n=$((n + 1)) passed=$((passed + 1))
    echo "ok $n - $1"
}
not_ok() {
    n=$((n + 1)) failed=$((failed + 1))
    echo "not ok $n - $1"
    for f in "$T/out" "$T/err"; do
        [ -s "$f" ] && tail -n 15 "$f" | sed 's/^/#   /'
    done
    return 0
}
# check DESC CMD...: the command succeeds.
check() {
    d=$1
    shift
    if "$@" >"$T/out" 2>"$T/err"; then ok "$d"; else not_ok "$d"; fi
}
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
as() {
    who=$1
    shift
    BINOME_PASSPHRASE="pass phrase of $who" "$BINOME" --profile "$T/$who" "$@"
}

# ---- the daemon --------------------------------------------------------------
# run_daemon DIR: serve DIR on $port.
run_daemon() {
    "$BINOMED" --data "$1" --listen "127.0.0.1:$port" 2>>"$T/binomed.log" &
    daemon=$!
    i=0
    while [ $i -lt 10 ] && kill -0 "$daemon" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -0 "$daemon" 2>/dev/null
}
stop_daemon() {
    kill "$daemon" 2>/dev/null
    wait "$daemon" 2>/dev/null
    daemon=""
}
start_daemon() {
    base=$(($$ % 20000 + 30000))
    try=0
    while [ $try -lt 25 ]; do
        port=$((base + 17 + try * 43))
        DATA=$T/data$try
        if "$BINOMED" init --data "$DATA" --listen "127.0.0.1:$port" \
            >"$T/invite" 2>>"$T/init.log" && run_daemon "$DATA"; then
            return 0
        fi
        [ -n "$daemon" ] && wait "$daemon" 2>/dev/null
        daemon=""
        try=$((try + 1))
    done
    return 1
}
# wait_up WHO: the first request after a (re)start may come early.
wait_up() {
    i=0
    until as "$1" whoami >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -ge 30 ] && return 1
        sleep 0.2
    done
}

if start_daemon; then
    ok "binomed starts on 127.0.0.1:$port"
else
    not_ok "binomed starts"
    cat "$T/init.log" "$T/binomed.log" 2>/dev/null | sed 's/^/#   /'
    echo "$passed passed, $failed failed"
    exit 1
fi

# ---- a pair that writes -------------------------------------------------------
i=0
until as admin join "$(tail -n 1 "$T/invite")" --name Claire >"$T/out" \
    2>"$T/err"; do
    i=$((i + 1))
    [ $i -ge 30 ] && break
    sleep 0.2
done
PROG=$(as admin admin programme create --name "Audited" --theme Careers \
    --months 6 --frequency monthly --format mixed 2>"$T/err")
for who in alice:mentor bob:mentee; do
    name=${who%%:*} role=${who#*:}
    code=$(as admin admin invite --programme "$PROG" --role "$role" 2>"$T/err")
    as "$name" join "$code" --name "$name" >"$T/out" 2>"$T/err"
done
P1=$(as admin admin pair --programme "$PROG" --mentor alice --mentee bob \
    2>"$T/err")
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
check "binome audit (auditor, live) passes" as audrey audit
check "binome audit --canary passes" as audrey audit --canary "$T/canaries"
if grep -q "canaries searched *1" "$T/out"; then
    ok "the live report searched the canary"
else
    not_ok "the live report searched the canary"
fi
finds "binome audit is for auditors only" "auditor" as alice audit

# ---- a canary on disk ----------------------------------------------------------
printf 'debug dump: %s\n' "$CANARY" >"$DATA/stray.log"
finds "binomed audit finds a canary planted in a data file" "stray.log" \
    "$BINOMED" audit --data "$DATA" --canary "$T/canaries"
finds "binome audit finds it too, naming the file" "stray.log" \
    as audrey audit --canary "$T/canaries"
rm -f "$DATA/stray.log"

# ---- backup while a writer runs ---------------------------------------------------
(
    i=0
    while [ $i -lt 200 ]; do
        echo "Loop note $i" | as alice note add "$P1" >/dev/null 2>&1
        i=$((i + 1))
    done
) &
writer=$!
sleep 1
check "binomed audit runs beside the writer" "$BINOMED" audit --data "$DATA"
check "binomed backup copies while the writer runs" \
    "$BINOMED" backup --data "$DATA" --to "$T/backup"
sleep 0.5
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
writer=""
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
if key=$(BN_PLANT_DIR=$DATA BN_PLANT_TEXT="$CANARY" "$PLANT" 2>"$T/err") &&
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
stop_daemon

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
