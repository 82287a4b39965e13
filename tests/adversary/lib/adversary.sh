# adversary.sh: what the adversary scripts share. Sourced, never run (it
# lives under lib/ so that the Makefile's tests/adversary/*.sh leaves it
# out). Builds on tests/integration/lib/common.sh.
#
# The scripts play the malicious server operator of issue 11: they make a
# pair's history through the real CLI (the "world"), stop binomed, copy
# its data directory and every profile, edit the copy with bn_tamper (the
# server's own store code, one edit per attack), restart binomed on the
# copy and run the stock client. Each attack is one test: it passes only
# when every command it runs
#   - exits with status 3 (the server's data does not verify: tampering),
#   - names the pair ("pair N") and the item (note/objective/document id as
#     the CLI prints it, "session N", or the member) on stderr,
#   - and prints none of the altered or stale content on stdout.
#
#   . "$(dirname "$0")/lib/adversary.sh"
#   world OFFSET STRIDE            the daemon, the people, pair $P and its content
#   attack NAME [TAMPER ARGS...]   a fresh copy of the world, tampered, served
#   tampered ITEM WHO ARGS...      the command must report tampering with ITEM
#   never_shown TEXT               ...and its stdout must not hold TEXT
#   verdict                        ok/not ok for the attack
# (POSIX sh.)
. "$(dirname "$0")/../integration/lib/common.sh"
TAMPER=${TAMPER:-$BUILD/adversary/bn_tamper}
need_progs "run make tests first" "$BINOMED" "$BINOME" "$TAMPER"

# The client's exit status for "the server's data does not verify".
EXIT_TAMPER=3

# as WHO ARGS...: as in common.sh, with the profiles in $PDIR (the world's
# own, then each attack's copy).
as() {
    who=$1
    shift
    BINOME_PASSPHRASE="pass phrase of $who" "$BINOME" --profile "$PDIR/$who" \
        "$@"
}

# not_ok_detail: what the failed attack's commands said.
not_ok_detail() {
    [ -s "$T/detail" ] && sed 's/^/#   /' "$T/detail"
    return 0
}

# setup DESC CMD...: a step of the world; reported only when it fails
# (then the script cannot go on).
setup() {
    d=$1
    shift
    if ! "$@" >"$T/out" 2>"$T/err"; then
        cp "$T/err" "$T/detail"
        not_ok "setup: $d"
        finish
    fi
}

# setup_grab VAR DESC WHO ARGS...: a step whose stdout (an id) goes in VAR.
setup_grab() {
    var=$1 d=$2
    shift 2
    if ! grab "$var" "$@"; then
        cp "$T/err" "$T/detail"
        not_ok "setup: $d"
        finish
    fi
}

# restart DIR: binomed on DIR, on $port; waits for its "started" line.
restart() {
    before=$(grep -c ' started ' "$T/binomed.log" 2>/dev/null)
    "$BINOMED" --data "$1" --listen "127.0.0.1:$port" 2>>"$T/binomed.log" &
    daemon=$!
    i=0
    while [ $i -lt 100 ]; do
        kill -0 "$daemon" 2>/dev/null || return 1
        now=$(grep -c ' started ' "$T/binomed.log" 2>/dev/null)
        [ "${now:-0}" -gt "${before:-0}" ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# id_of WHO: WHO's account id (whoami --json).
id_of() {
    as "$1" whoami --json 2>"$T/err" | sed -n 's/.*"account":\([0-9]*\).*/\1/p'
}

# The texts of the world, so that an attack can check they are not shown.
TXT_N1_R1="report one, revision one: the first draft"
TXT_N1_R2="report one, revision two: the text that stands"
TXT_N2="bob writes his action plan"
TXT_O1="objective one: find an internship"
TXT_O2="objective two: read the charter"

# world OFFSET STRIDE: binomed on a free port; an administrator, alice
# (mentor), bob and carol (mentees, carol unpaired: the operator's sock
# puppet); pair $P of alice and bob, accepted and verified in person on
# both sides; sessions $S1 (held, mentee absent) and $S2 (held); note $N1
# (a report on $S1, two revisions) by alice, $N2 by bob; objectives $O1
# (defined) and $O2 (reached); document $D1. Both members then read the
# pair (their clients remember its log head); the daemon is stopped and
# the world is in $DATA and $T/{alice,bob,carol}.
world() {
    PDIR=$T
    if ! start_daemon "$1" "$2"; then
        cat "$T/init.log" "$T/binomed.log" >"$T/detail" 2>/dev/null
        not_ok "setup: binomed starts"
        finish
    fi
    setup "the administrator joins" join_admin "$(tail -n 1 "$T/invite")" Claire
    PROG=$(new_programme "Adversary")
    is_num "$PROG" || {
        not_ok "setup: a programme"
        finish
    }
    : >"$T/err"
    join_people "$PROG" alice:mentor bob:mentee carol:mentee
    [ "$failed" -eq 0 ] || finish
    ALICE=$(id_of alice) BOB=$(id_of bob) CAROL=$(id_of carol)
    is_num "$ALICE" && is_num "$BOB" && is_num "$CAROL" || {
        not_ok "setup: account ids"
        finish
    }
    setup_grab P "alice and bob are paired" admin admin pair \
        --programme "$PROG" --mentor alice --mentee bob
    setup "alice accepts" as alice pair accept "$P"
    setup "bob accepts" as bob pair accept "$P"
    setup "alice verifies in person" as alice verify "$P" --confirm
    setup "bob verifies in person" as bob verify "$P" --confirm
    setup "the coordinator dates its start" as admin admin pair start \
        --pair "$P" --date 2024-01-01
    setup_grab S1 "a held session" alice session add "$P" --date 2024-03-01 \
        --absent mentee
    setup_grab S2 "another session" bob session add "$P" --date 2024-04-02
    printf '%s\n' "$TXT_N1_R1" >"$T/n1"
    setup_grab N1 "alice's report" alice note add "$P" --kind report \
        --session "$S1" --file "$T/n1"
    printf '%s\n' "$TXT_N1_R2" >"$T/n1"
    setup "alice's report, revision 2" as alice note edit "$P" "$N1" \
        --file "$T/n1"
    printf '%s\n' "$TXT_N2" >"$T/n2"
    setup_grab N2 "bob's note" bob note add "$P" --kind action-plan \
        --file "$T/n2"
    setup_grab O1 "an objective" bob objective add "$P" "$TXT_O1"
    setup_grab O2 "another objective" alice objective add "$P" "$TXT_O2"
    setup "it is reached" as alice objective reach "$P" "$O2"
    head -c 100000 /dev/urandom >"$T/slides.pdf"
    setup_grab D1 "a document" alice doc put "$P" "$T/slides.pdf"
    setup "alice reads the pair" as alice note list "$P"
    setup "bob reads the pair" as bob note list "$P"
    for id in "$N1" "$N2" "$O1" "$O2" "$D1"; do
        is_id "$id" || {
            not_ok "setup: ids ($N1 $N2 $O1 $O2 $D1)"
            finish
        }
    done
    world_extra
    stop_daemon
}

# world_extra: a script's own additions to the world (daemon running);
# whoever it adds to the people goes in $PEOPLE (their profiles are copied).
world_extra() { :; }
PEOPLE="alice bob carol"

# attack NAME [TAMPER-COMMAND ARGS...]: a fresh copy of the world in
# $T/w (data and profiles: each attack starts from the same state), edited
# with "bn_tamper TAMPER-COMMAND $T/w/data ARGS..." (no edit when none is
# given), then served. The checks that follow count for NAME.
attack() {
    A_NAME=$1
    shift
    why=""
    : >"$T/detail"
    [ -n "$daemon" ] && stop_daemon
    PDIR=$T/w
    rm -rf "$T/w"
    mkdir "$T/w" && cp -a "$DATA" "$T/w/data" || why="cannot copy"
    for who in $PEOPLE; do
        cp -a "$T/$who" "$T/w/" || why="cannot copy"
    done
    if [ -z "$why" ] && [ $# -gt 0 ]; then
        cmd=$1
        shift
        if ! "$TAMPER" "$cmd" "$T/w/data" "$@" >>"$T/detail" 2>&1; then
            why="bn_tamper $cmd failed"
        fi
    fi
    if [ -z "$why" ] && ! restart "$T/w/data"; then
        why="binomed does not start on the tampered data"
        tail -n 5 "$T/binomed.log" >>"$T/detail"
    fi
    A_SKIP=${why:+1}
}

# run WHO ARGS...: one command of the attack, its output in $T/out and
# $T/err, its status in $rc, and a trace in $T/detail.
run() {
    [ -n "$A_SKIP" ] && return 0
    as "$@" >"$T/out" 2>"$T/err"
    rc=$?
    {
        echo "\$ binome($1) $(shift; echo "$*") -> exit $rc"
        head -c 600 "$T/err"
    } >>"$T/detail"
}

# fail REASON: one more reason for the attack to fail.
fail() { why="${why:+$why; }$1"; }

# tampered ITEM WHO ARGS...: WHO's command must exit 3 and name pair $P
# (or $TP when set) and ITEM (an extended regular expression, matched
# without case; empty: the pair alone) on stderr.
NUM_END='([^0-9]|$)' # after a number: "session 1" is not "session 12"
tampered() {
    item=$1
    shift
    run "$@"
    [ -n "$A_SKIP" ] && return 0
    pair=${TP:-$P}
    c="'$2${3:+ $3}' by $1"
    [ "$rc" -eq "$EXIT_TAMPER" ] || fail "$c exits $rc, not $EXIT_TAMPER"
    grep -Eq "pair $pair$NUM_END" "$T/err" ||
        fail "$c does not name pair $pair"
    if [ -n "$item" ] && ! grep -Eqi -- "$item" "$T/err"; then
        fail "$c does not name $(printf '%s' "$item" | sed 's/(\[^0-9\]|\$)//')"
    fi
}

# never_shown TEXT: the last command's stdout does not hold TEXT.
never_shown() {
    [ -n "$A_SKIP" ] && return 0
    if grep -qF -- "$1" "$T/out"; then
        fail "'$1' was printed"
        echo "# stdout held: $1" >>"$T/detail"
    fi
}

# refused WHO ARGS...: the command fails (any status); for the phantom's
# own client, which need not know it was tampered with (never_shown then
# checks its stdout).
refused() {
    run "$@"
    [ -n "$A_SKIP" ] && return 0
    [ "$rc" -ne 0 ] || fail "'$2${3:+ $3}' by $1 succeeded"
}

# verdict: ok or not ok for the attack.
verdict() {
    if [ -n "$A_SKIP" ]; then
        not_ok "$A_NAME (setup: $why)"
    elif [ -z "$why" ]; then
        ok "$A_NAME"
    else
        not_ok "$A_NAME ($why)"
    fi
}
