#!/bin/sh
# stats.sh: a programme's statistics end to end, against a real binomed on
# a loopback port: two pairs made through the command line, sessions
# (held, planned then held, cancelled, an absence), objectives defined and
# reached, one pair ended; then `binome admin stats` as a table, JSON, CSV
# and an HTML report, and a mentor who asks is refused.
#
#   BUILD=build sh tests/integration/stats.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with "N passed,
# N failed"; exits 1 when a check failed. The daemon is killed on exit.
set -u
: "${BUILD:=build}"
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
BINOMED=${BINOMED:-$BUILD/binomed}
BINOME=${BINOME:-$BUILD/binome}
export BINOME_KDF=interactive
unset BINOME_PASSPHRASE XDG_CONFIG_HOME

for prog in "$BINOMED" "$BINOME"; do
    if [ ! -x "$prog" ]; then
        echo "stats.sh: $prog is missing; run make first" >&2
        exit 1
    fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/binome-stats.XXXXXX") || exit 1
daemon=""
cleanup() {
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
    [ -s "$T/err" ] && sed 's/^/#   /' "$T/err"
    return 0
}
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}
# as WHO ARGS...: run binome with WHO's profile and passphrase.
as() {
    who=$1
    shift
    BINOME_PASSPHRASE="pass phrase of $who" "$BINOME" --profile "$T/$who" "$@"
}
# check DESC CMD...: the command succeeds.
check() {
    d=$1
    shift
    if "$@" >"$T/out" 2>"$T/err"; then ok "$d"; else not_ok "$d"; fi
}
# grab VAR WHO ARGS...: run as WHO, keep stdout in VAR.
grab() {
    var=$1
    shift
    if out=$(as "$@" 2>"$T/err"); then
        eval "$var=\$out"
        return 0
    fi
    eval "$var="
    return 1
}
# has DESC FILE PATTERN: FILE holds PATTERN (fixed string).
has() {
    if grep -qF -- "$3" "$2"; then
        ok "$1"
    else
        not_ok "$1"
        printf '#   wanted: %s\n' "$3"
        sed 's/^/#   /' "$2" | head -20
    fi
}

# ---- the daemon ------------------------------------------------------------
start_daemon() {
    base=$(($$ % 20000 + 30000))
    try=0
    while [ $try -lt 25 ]; do
        port=$((base + 17 + try * 37))
        DATA=$T/data$try
        if "$BINOMED" init --data "$DATA" --listen "127.0.0.1:$port" \
            >"$T/invite" 2>>"$T/init.log"; then
            "$BINOMED" --data "$DATA" --listen "127.0.0.1:$port" \
                2>>"$T/binomed.log" &
            daemon=$!
            sleep 0.3
            kill -0 "$daemon" 2>/dev/null && return 0
            wait "$daemon" 2>/dev/null
            daemon=""
        fi
        try=$((try + 1))
    done
    return 1
}

if start_daemon; then
    ok "binomed starts on 127.0.0.1:$port"
else
    not_ok "binomed starts"
    cat "$T/init.log" "$T/binomed.log" 2>/dev/null | sed 's/^/#   /'
    finish
fi

# ---- a programme, four people, two pairs ------------------------------------
i=0
until as admin join "$(tail -n 1 "$T/invite")" --name Claire >"$T/out" \
    2>"$T/err"; do
    i=$((i + 1))
    [ $i -ge 30 ] && break
    sleep 0.2
done
PROG=$(as admin admin programme create --name "Pilotage" --theme Careers \
    --months 6 --frequency monthly --format mixed 2>"$T/err")
for who in alice:mentor bob:mentee carol:mentor dave:mentee; do
    name=${who%%:*} role=${who#*:}
    code=$(as admin admin invite --programme "$PROG" --role "$role" 2>"$T/err")
    as "$name" join "$code" --name "$name" >"$T/out" 2>"$T/err" ||
        not_ok "$name joins"
done
grab P1 admin admin pair --programme "$PROG" --mentor alice --mentee bob
grab P2 admin admin pair --programme "$PROG" --mentor carol --mentee dave
if [ -n "$PROG" ] && [ -n "$P1" ] && [ -n "$P2" ]; then
    ok "programme $PROG with pairs $P1 (alice, bob) and $P2 (carol, dave)"
else
    not_ok "a programme and two pairs"
    finish
fi
for a in alice:$P1 bob:$P1 carol:$P2 dave:$P2; do
    as "${a%%:*}" pair accept "${a#*:}" >"$T/out" 2>"$T/err" ||
        not_ok "${a%%:*} accepts"
done

# ---- what the pairs do --------------------------------------------------------
today=$(date -u +%Y-%m-%d)
check "a held session, the mentee absent" \
    as alice session add "$P1" --date "$today" --absent mentee
grab S2 bob session add "$P1" --date "$today" --status planned
check "a planned session, then held" \
    as bob session update "$P1" "$S2" --status held
check "a cancelled session" \
    as alice session add "$P1" --date "$today" --status cancelled
grab O1 bob objective add "$P1" "Find an internship"
check "an objective defined and reached" as alice objective reach "$P1" "$O1"
check "a second objective, defined only" \
    as alice objective add "$P1" "Read two papers a month"
check "pair 2 holds a session" as dave session add "$P2" --date "$today"
check "pair 2 ends, completed" as carol pair end "$P2" --reason completed

# ---- the statistics -------------------------------------------------------------
if as admin admin stats --programme "$PROG" >"$T/table" 2>"$T/err"; then
    ok "admin stats prints a table"
else
    not_ok "admin stats prints a table"
fi
has "the table counts the sessions" "$T/table" "held 3, planned 0, cancelled 1"
has "the table counts the absences" "$T/table" "mentor 0, mentee 1"

if as admin admin stats --programme "$PROG" --json >"$T/json" 2>"$T/err"; then
    ok "admin stats --json"
else
    not_ok "admin stats --json"
fi
has "JSON: sessions held 3, planned 0, cancelled 1" "$T/json" \
    '"sessions":{"held":3,"planned":0,"cancelled":1}'
has "JSON: absences" "$T/json" '"absences":{"mentor":0,"mentee":1}'
has "JSON: objectives defined 2, reached 1" "$T/json" \
    '"objectives":{"defined":2,"reached":1,"reach_rate":0.5000}'
has "JSON: pairs active 1, completed 1" "$T/json" \
    '"pending":0,"active":1,"completed":1,"withdrawn":0,"erased":0}'
has "JSON: two mentors, two mentees" "$T/json" '"mentors":2,"mentees":2'
has "JSON: completion 1 of 1" "$T/json" \
    '"completion":{"completed":1,"ended":1,"rate":1.0000}'
held=$(sed -n 's/.*"sessions":{"held":\([0-9]*\).*/\1/p' "$T/json")
if [ "$held" = 3 ]; then
    ok "sed finds 3 sessions held"
else
    not_ok "sed finds 3 sessions held (got '$held')"
fi

if as admin admin stats --programme "$PROG" --csv >"$T/csv" 2>"$T/err"; then
    ok "admin stats --csv"
else
    not_ok "admin stats --csv"
fi
lines=$(wc -l <"$T/csv" | tr -d ' ')
if [ "$lines" = 3 ] && grep -q "^$P1," "$T/csv" && grep -q "^$P2," "$T/csv"
then
    ok "CSV: a header and one line per pair"
else
    not_ok "CSV: a header and one line per pair ($lines lines)"
    sed 's/^/#   /' "$T/csv"
fi

if as admin admin stats --programme "$PROG" --html "$T/report.html" \
    >"$T/out" 2>"$T/err" && [ -s "$T/report.html" ]; then
    ok "admin stats --html writes the report"
else
    not_ok "admin stats --html writes the report"
fi
has "the report holds SVG charts" "$T/report.html" "<svg"

# ---- who may ask --------------------------------------------------------------
if as alice admin stats --programme "$PROG" >"$T/out" 2>"$T/err"; then
    not_ok "a mentor is refused the statistics (it succeeded)"
elif grep -qi "administrator\|denied\|not allowed" "$T/err"; then
    ok "a mentor is refused the statistics"
else
    not_ok "a mentor is refused the statistics (no reason given)"
fi
if as admin admin stats --programme 999 >"$T/out" 2>"$T/err"; then
    not_ok "an unknown programme is refused (it succeeded)"
else
    ok "an unknown programme is refused"
fi

finish
