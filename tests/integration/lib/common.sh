# common.sh: what the integration scripts share. Sourced, never run (it
# lives under lib/ so that the Makefile's tests/integration/*.sh leaves it
# out):
#
#   . "$(dirname "$0")/lib/common.sh"
#
# On sourcing: set -u; BUILD made absolute (default build); BINOMED and
# BINOME default to $BUILD/binomed and $BUILD/binome; BINOME_KDF=interactive
# is exported and the variables a caller could leak (BINOME_PASSPHRASE,
# XDG_CONFIG_HOME, BINOME_TEST_ABORT_AT) are unset; the counters start at 0.
# POSIX sh (dash): no bashisms.
#
# Then, in order, a script calls
#   need_progs HINT PROG...   exit 1 unless every PROG is executable
#   make_tmp NAME             $T, removed on exit with the daemon and $helper
# and uses ok / not_ok / check / refuse / finish, and for a daemon
# start_daemon_checked, join_admin, new_programme, join_people, new_pair.
set -u
: "${BUILD:=build}"
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
BINOMED=${BINOMED:-$BUILD/binomed}
BINOME=${BINOME:-$BUILD/binome}
export BINOME_KDF=interactive
unset BINOME_PASSPHRASE XDG_CONFIG_HOME BINOME_TEST_ABORT_AT

SCRIPT=${0##*/}
n=0 passed=0 failed=0
daemon=""
# helper: the pid of a background helper of the script (a concurrent
# editor, a writer), killed on exit; empty when none runs.
helper=""

# need_progs HINT PROG...: each PROG is executable, or say which is missing
# and what to run ("run make first") and exit 1.
need_progs() {
    hint=$1
    shift
    for prog in "$@"; do
        if [ ! -x "$prog" ]; then
            echo "$SCRIPT: $prog is missing; $hint" >&2
            exit 1
        fi
    done
}

# make_tmp NAME: a private directory $T (binome-NAME.XXXXXX under $TMPDIR);
# on exit the helper and the daemon are killed and $T is removed.
make_tmp() {
    T=$(mktemp -d "${TMPDIR:-/tmp}/binome-$1.XXXXXX") || exit 1
    trap cleanup EXIT
    trap 'exit 1' INT TERM HUP
}
cleanup() {
    [ -n "$helper" ] && kill "$helper" 2>/dev/null
    if [ -n "$daemon" ]; then
        kill "$daemon" 2>/dev/null
        wait "$daemon" 2>/dev/null
    fi
    rm -rf "$T"
}

# ---- the counters ------------------------------------------------------
ok() {
    n=$((n + 1)) passed=$((passed + 1))
    echo "ok $n - $1"
}
# not_ok DESC [ARG...]: a failed check; not_ok_detail ARG... then shows why.
not_ok() {
    n=$((n + 1)) failed=$((failed + 1))
    echo "not ok $n - $1"
    shift
    not_ok_detail "$@"
    return 0
}
# not_ok_detail ARG...: by default all of $T/err. A script redefines it
# after sourcing, with show_tail, to show other files or fewer lines.
not_ok_detail() {
    [ -s "$T/err" ] && sed 's/^/#   /' "$T/err"
    return 0
}
# show_tail LINES FILE...: the last LINES lines of each non-empty FILE,
# commented.
show_tail() {
    keep=$1
    shift
    for f in "$@"; do
        [ -s "$f" ] && tail -n "$keep" "$f" | sed 's/^/#   /'
    done
    return 0
}
# finish: the "N passed, N failed" line; exits 1 when a check failed.
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}
# check DESC CMD...: the command succeeds.
check() {
    d=$1
    shift
    if "$@" >"$T/out" 2>"$T/err"; then ok "$d"; else not_ok "$d"; fi
}
# refuse DESC PATTERN CMD...: the command fails and stderr matches PATTERN.
refuse() {
    d=$1 pat=$2
    shift 2
    if "$@" >"$T/out" 2>"$T/err"; then
        not_ok "$d (it succeeded)"
    elif grep -qi -- "$pat" "$T/err"; then
        ok "$d"
    else
        not_ok "$d (no '$pat' in the message)"
    fi
}
# is_id VALUE: a 16-digit hex id.
is_id() { printf '%s' "$1" | grep -qE '^[0-9a-f]{16}$'; }
# is_num VALUE: a decimal id.
is_num() { case $1 in '' | *[!0-9]*) return 1 ;; *) return 0 ;; esac; }

# ---- people ------------------------------------------------------------
# as WHO ARGS...: run binome with WHO's profile ($T/WHO) and passphrase.
as() {
    who=$1
    shift
    BINOME_PASSPHRASE="pass phrase of $who" "$BINOME" --profile "$T/$who" "$@"
}
# grab VAR WHO ARGS...: run as WHO, keep stdout in VAR; fails like the command.
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

# account_of WHO: WHO's account id; key_code_of WHO: the key code
# `binome whoami` shows on WHO's own machine (what they read out to the
# referent who adds them to a team pairing).
account_of() { as "$1" whoami --json | sed 's/^{"account":\([0-9]*\),.*/\1/'; }
key_code_of() { as "$1" whoami --json | sed 's/.*"key_code":"\([0-9]*\)".*/\1/'; }

# ---- the daemon --------------------------------------------------------
# run_daemon DIR: serve DIR on $port in the background ($daemon); fails
# when it died within a second (a port taken).
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
# start_daemon OFFSET STRIDE: binomed init in $DATA=$T/dataN and serve it
# on a port derived from our pid (base + OFFSET + try * STRIDE, 25 tries;
# each script has its own OFFSET and STRIDE so that they run side by side).
# The first admin invitation is in $T/invite.
start_daemon() {
    base=$(($$ % 20000 + 30000))
    try=0
    while [ $try -lt 25 ]; do
        port=$((base + $1 + try * $2))
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
# start_daemon_checked OFFSET STRIDE DESC: start_daemon as check DESC; on
# failure show the logs and finish.
start_daemon_checked() {
    if start_daemon "$1" "$2"; then
        ok "$3 on 127.0.0.1:$port"
    else
        not_ok "$3"
        cat "$T/init.log" "$T/binomed.log" 2>/dev/null | sed 's/^/#   /'
        finish
    fi
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

# ---- a programme and its pairs ------------------------------------------
# join_admin CODE NAME: the administrator ("admin") joins with CODE,
# retried for 6 s since the first connection may come before the daemon
# listens.
join_admin() {
    i=0
    until as admin join "$1" --name "$2" >"$T/out" 2>"$T/err"; do
        i=$((i + 1))
        [ $i -ge 30 ] && return 1
        sleep 0.2
    done
}
# new_programme NAME [THEME [FORMAT]]: the administrator creates a 6-month
# monthly programme (theme Careers, format mixed); prints its id.
new_programme() {
    as admin admin programme create --name "$1" --theme "${2:-Careers}" \
        --months 6 --frequency monthly --format "${3:-mixed}" 2>"$T/err"
}
# join_people PROG WHO:ROLE...: the administrator invites each WHO to PROG
# as ROLE and WHO joins under that name; not_ok "WHO joins" when it fails.
join_people() {
    prog=$1
    shift
    for who in "$@"; do
        name=${who%%:*} role=${who#*:}
        code=$(as admin admin invite --programme "$prog" --role "$role" \
            2>"$T/err")
        as "$name" join "$code" --name "$name" >"$T/out" 2>"$T/err" ||
            not_ok "$name joins"
    done
}
# new_pair VAR MENTOR MENTEE: the administrator pairs them in $PROG; the
# pair's id in VAR (empty on failure, and the status of the command).
new_pair() {
    grab "$1" admin admin pair --programme "$PROG" --mentor "$2" --mentee "$3"
}
# verified_pair VAR MENTOR MENTEE: new_pair, then both accept and confirm
# the safety number; reports "pair N accepted and verified", or stops.
verified_pair() {
    if new_pair "$1" "$2" "$3" && eval "is_num \"\$$1\"" &&
        eval "vp=\$$1" &&
        as "$2" pair accept "$vp" >/dev/null 2>&1 &&
        as "$3" pair accept "$vp" >/dev/null 2>&1 &&
        as "$2" verify "$vp" --confirm >/dev/null 2>&1 &&
        as "$3" verify "$vp" --confirm >/dev/null 2>&1; then
        ok "pair $vp accepted and verified"
    else
        not_ok "a verified pair"
        finish
    fi
}
# need_pty: script(1), to run a command on a pseudo-terminal.
need_pty() {
    if ! command -v script >/dev/null 2>&1; then
        echo "$SCRIPT: script(1) (util-linux) is needed for a pty" >&2
        exit 1
    fi
}

# start_pair PAIR DAYS: the coordinator ("admin") dates PAIR's start DAYS
# days ago (a session cannot be dated before its pair's start, which is
# the day of the second acceptance until the coordinator sets it).
start_pair() {
    as admin admin pair start --pair "$1" \
        --date "$(ago "$2")" \
        >"$T/out" 2>"$T/err" || not_ok "pair $1 starts $2 days ago"
}

# has DESC FILE PATTERN [SHOW]: FILE holds PATTERN (a fixed string); when
# it does not, says what was wanted and shows FILE's lines holding SHOW
# (a fixed string), or its first 20 lines.
has() {
    if grep -qF -- "$3" "$2"; then
        ok "$1"
    else
        not_ok "$1"
        printf '#   wanted: %s\n' "$3"
        if [ -n "${4:-}" ]; then
            grep -F -- "$4" "$2" | head -5 | sed 's/^/#   got: /'
        else
            head -20 "$2" | sed 's/^/#   got: /'
        fi
    fi
}
# lacks DESC FILE PATTERN: FILE does not hold PATTERN (a fixed string).
lacks() {
    if grep -qF -- "$3" "$2"; then
        not_ok "$1"
        grep -F -- "$3" "$2" | head -5 | sed 's/^/#   got: /'
    else
        ok "$1"
    fi
}
# ago N: the UTC day N days before today (after it for a negative N).
ago() { date -u -d "@$(($(date -u +%s) - $1 * 86400))" +%Y-%m-%d; }
