#!/bin/sh
# valgrind.sh BUILD: binome's tests under valgrind memcheck.
#
#   sh scripts/valgrind.sh build/valgrind
#
# BUILD is a build without sanitizers (valgrind and ASan do not mix) in
# which `make BUILD=... tests` has run. The script runs:
#   1. every unit test under valgrind: BUILD/tests/unit_runner, whose
#      forked child per test stays under valgrind with its own log;
#   2. every integration test binary of BUILD/tests under valgrind (the
#      binomed they start runs natively);
#   3. the integration runs named in VG_DAEMON_RUNS (default: the story
#      script tests/integration/story.sh, which drives every CLI command,
#      and BUILD/tests/test_hostile, hostile peers) with binomed itself
#      under valgrind: BINOMED is a wrapper script that execs valgrind.
#      test_crash is not one: a daemon killed by SIGKILL writes no report.
# Every process valgrind watches (forked children included) writes its
# own log in VG_LOGS (default BUILD/valgrind). Memcheck's errors and
# definite or indirect leaks count as failures; nothing is suppressed.
# Prints one line per run and a summary; exits 1 on any error or failed
# test, 2 on a usage problem.
#
# Environment: VG_DAEMON_RUNS (space-separated binaries or .sh scripts),
# VG_LOGS, VALGRIND (the valgrind program), VG_EXTRA (more options).
set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: sh scripts/valgrind.sh BUILD   (a build dir with tests)" >&2
    exit 2
fi
BUILD=$1
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
VALGRIND=${VALGRIND:-valgrind}
LOGS=${VG_LOGS:-$BUILD/valgrind}
: "${VG_DAEMON_RUNS:=tests/integration/story.sh $BUILD/tests/test_hostile}"

if ! command -v "$VALGRIND" >/dev/null 2>&1; then
    echo "valgrind.sh: valgrind is missing; run: sh scripts/deps.sh valgrind" >&2
    exit 2
fi
if [ ! -x "$BUILD/binomed" ] || [ ! -d "$BUILD/tests" ]; then
    echo "valgrind.sh: $BUILD has no binomed or tests; run: make BUILD=$1 tests" >&2
    exit 2
fi
if nm "$BUILD/binomed" 2>/dev/null | grep -q __asan_init; then
    echo "valgrind.sh: $BUILD is a sanitizer build; use one without SAN=1" >&2
    exit 2
fi

rm -rf "$LOGS"
mkdir -p "$LOGS" || exit 2

# --errors-for-leak-kinds: a definite or indirect leak is an error (exit
# status and ERROR SUMMARY); possible and reachable ones are reported in
# the logs only. --trace-children=no: a test's exec'd programs run
# natively, a forked child stays under valgrind.
VGOPTS="--tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 --num-callers=30 --track-origins=yes ${VG_EXTRA:-}"

# Integration programs find the daemon and the CLI here (as tests/run.sh).
export BINOMED="$BUILD/binomed" BINOME="$BUILD/binome"
export BINOME_KDF=interactive BN_VALGRIND=1

# The wrapper that puts binomed under valgrind for the daemon runs.
WRAP=$LOGS/binomed-under-valgrind
cat >"$WRAP" <<EOF
#!/bin/sh
exec "$VALGRIND" $VGOPTS --log-file="$LOGS/daemon.binomed.%p.log" "$BUILD/binomed" "\$@"
EOF
chmod +x "$WRAP"

runs=0 bad=0 failed_list=""

# log_errors LOG...: the number of memcheck errors in the logs.
log_errors() {
    cat "$@" 2>/dev/null |
        sed -n 's/.*ERROR SUMMARY: \([0-9][0-9]*\) errors.*/\1/p' |
        awk '{s+=$1} END {print s+0}'
}

# report NAME STATUS LOG...: one line per run; counts failures.
report() {
    name=$1 status=$2
    shift 2
    errs=$(log_errors "$@")
    runs=$((runs + 1))
    if [ "$errs" -gt 0 ]; then
        verdict="FAIL: $errs valgrind errors"
    elif [ "$status" -ne 0 ]; then
        verdict="FAIL: exit status $status (the test failed)"
    else
        verdict="ok"
    fi
    printf '%-40s %s\n' "$name" "$verdict"
    if [ "$verdict" != ok ]; then
        bad=$((bad + 1))
        failed_list="$failed_list $name"
        # the first error of each log, for a quick look
        for l in "$@"; do
            grep -q 'ERROR SUMMARY: [1-9]' "$l" 2>/dev/null &&
                grep -m1 -A12 -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|Source and|Argument|[0-9,]+ .*(definitely|indirectly) lost)' "$l" |
                sed 's/^/    /'
        done
    fi
}

# The unit tests, one process each under valgrind (slower: a longer
# timeout per test).
# shellcheck disable=SC2086 # VGOPTS is a list of options
BN_TEST_TIMEOUT=${BN_TEST_TIMEOUT:-600} "$VALGRIND" $VGOPTS \
    --log-file="$LOGS/unit_runner.%p.log" "$BUILD/tests/unit_runner" \
    >"$LOGS/unit_runner.out" 2>&1
report unit_runner $? "$LOGS"/unit_runner.*.log

# Integration test binaries, each under valgrind.
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    # shellcheck disable=SC2086 # VGOPTS is a list of options
    "$VALGRIND" $VGOPTS --log-file="$LOGS/$name.%p.log" "$t" \
        >"$LOGS/$name.out" 2>&1
    report "$name" $? "$LOGS/$name".*.log
done

# Integration runs with binomed under valgrind.
for r in $VG_DAEMON_RUNS; do
    name="daemon:$(basename "$r")"
    rm -f "$LOGS"/daemon.binomed.*.log
    case $r in
    *.sh) BINOMED=$WRAP BUILD=$BUILD sh "$r" >"$LOGS/$name.out" 2>&1 ;;
    *) BINOMED=$WRAP "$r" >"$LOGS/$name.out" 2>&1 ;;
    esac
    status=$?
    n=0
    for l in "$LOGS"/daemon.binomed.*.log; do
        [ -e "$l" ] || continue
        mv "$l" "$LOGS/$name.${l##*/}" # keep them under this run's name
        n=$((n + 1))
    done
    if [ "$n" -eq 0 ]; then
        echo "binomed never ran under valgrind" >"$LOGS/$name.daemon.none.log"
        status=1
    fi
    report "$name" "$status" "$LOGS/$name".daemon.*.log
done

echo "valgrind: $runs runs, $((runs - bad)) clean, $bad failed${failed_list:+ ($failed_list )}; logs in $LOGS"
[ "$bad" -eq 0 ]
