#!/bin/sh
# runner.sh: the test runner (tests/unit/runner.c) names a test that
# fails, hangs or crashes, and goes on. build/tests/runner_fixture is the
# runner over four tests of known fate (tests/unit/runner_fixture.h: fail,
# hang, crash, pass, in that order); the checks read its report, its exit
# status and the processes it leaves, for unit tests and for scripts.
#
#   BUILD=build sh tests/integration/runner.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
FIX=$BUILD/tests/runner_fixture
# The runner is tested with its own defaults; each check says its -j/-J.
unset BN_TEST_JOBS BN_TEST_PROG_JOBS BN_TEST_ALONE
need_progs "run make tests first" "$FIX"
make_tmp runner
top=$(cd "$(dirname "$0")/../.." && pwd)
not_ok_detail() { [ -s "$T/out" ] && sed 's/^/#   /' "$T/out"; return 0; }
# has PATTERN: a line of the last report matches the extended PATTERN.
has() { grep -qE -- "$1" "$T/out"; }

# The list.
"$FIX" --list >"$T/out" 2>&1
if [ "$(tr '\n' ' ' <"$T/out")" = \
    "fixture/test_fail fixture/test_hang fixture/test_crash fixture/test_pass " ]; then
    ok "--list names the four tests in the list's order"
else
    not_ok "--list names the four tests in the list's order"
fi

# The whole list, each test in its own process, the hang killed after 2 s.
start=$(date +%s)
BN_TEST_TIMEOUT=2 "$FIX" >"$T/out" 2>&1
rc=$?
took=$(($(date +%s) - start))
[ "$rc" -eq 1 ] && ok "the run exits 1" || not_ok "the run exits 1 (got $rc)"
has '^FAILED +fixture/test_fail .*exit status 1' &&
    ok "the failing test is named FAILED" ||
    not_ok "the failing test is named FAILED"
has '^TIMEOUT +fixture/test_hang .*killed after 2 s' &&
    ok "the hanging test is named TIMEOUT" ||
    not_ok "the hanging test is named TIMEOUT"
has '^CRASHED +fixture/test_crash .*signal 6' &&
    ok "the aborting test is named CRASHED with its signal" ||
    not_ok "the aborting test is named CRASHED with its signal"
has '^ok +fixture/test_pass ' &&
    ok "the test after the hang and the crash still runs and passes" ||
    not_ok "the test after the hang and the crash still runs and passes"
has 'runner_fixture\.c:[0-9]+: error' &&
    ok "the failing test's output (cmocka's message) is shown" ||
    not_ok "the failing test's output (cmocka's message) is shown"
[ "$(tail -n 1 "$T/out")" = "1 passed, 3 failed" ] &&
    ok "the run ends with 1 passed, 3 failed" ||
    not_ok "the run ends with 1 passed, 3 failed"
[ "$took" -lt 20 ] && ok "the hang cost its timeout only (${took} s)" ||
    not_ok "the hang cost its timeout only (${took} s)"

# Two at a time: the same report.
BN_TEST_TIMEOUT=2 "$FIX" -j 2 >"$T/out" 2>&1
rc=$?
[ "$rc" -eq 1 ] && [ "$(tail -n 1 "$T/out")" = "1 passed, 3 failed" ] &&
    has '^TIMEOUT +fixture/test_hang' && has '^ok +fixture/test_pass' &&
    ok "-j 2 gives the same report" || not_ok "-j 2 gives the same report"

# The group's setup and teardown run around a test, in its process, and
# each test has its own process.
BN_TEST_TIMEOUT=2 "$FIX" -v fixture >"$T/out" 2>&1
p_set=$(sed -n '/^ok .*test_pass/,$s/.*fixture: setup in \([0-9]*\).*/\1/p' "$T/out")
p_test=$(sed -n 's/.*fixture: test_pass in \([0-9]*\).*/\1/p' "$T/out")
p_tear=$(sed -n '/^ok .*test_pass/,$s/.*fixture: teardown in \([0-9]*\).*/\1/p' "$T/out")
p_fail=$(sed -n '/^FAILED .*test_fail/,/^[A-Za-z]/s/.*fixture: setup in \([0-9]*\).*/\1/p' "$T/out")
if is_num "$p_test" && [ "$p_set" = "$p_test" ] && [ "$p_tear" = "$p_test" ] &&
    is_num "$p_fail" && [ "$p_fail" != "$p_test" ]; then
    ok "setup, test and teardown share a process; each test has its own"
else
    not_ok "setup, test and teardown share a process; each test has its own"
fi

# One test by name runs in the runner's process; a wrong name is refused.
"$FIX" test_pass >"$T/out" 2>&1
rc=$?
p_test=$(sed -n 's/.*fixture: test_pass in \([0-9]*\).*/\1/p' "$T/out")
[ "$rc" -eq 0 ] && is_num "$p_test" && has '\[  PASSED  \] 1 test' &&
    ok "one test by name passes, run by cmocka in place" ||
    not_ok "one test by name passes, run by cmocka in place"
"$FIX" fixture/test_fail >"$T/out" 2>&1 && not_ok "a failing test by name exits non-zero" ||
    ok "a failing test by name exits non-zero"
"$FIX" test_nothing >"$T/out" 2>&1
[ $? -eq 2 ] && has 'no test is named test_nothing' &&
    ok "an unknown name is refused" || not_ok "an unknown name is refused"

# Programs and scripts: counted once each by exit status; a hanging script
# gets SIGTERM (its trap runs) and what it started is killed with it.
printf 'echo fine\n' >"$T/pass.sh"
printf 'echo "1 passed, 0 failed"\nexit 3\n' >"$T/fail.sh"
cat >"$T/hang.sh" <<EOS
trap 'echo cleaned >"$T/trapped"; exit 1' TERM
sleep 300 &
echo \$! >"$T/sleep.pid"
wait
EOS
BN_TEST_PROG_TIMEOUT=2 "$FIX" test_pass "$T/pass.sh" "$T/fail.sh" \
    "$T/hang.sh" >"$T/out" 2>&1
rc=$?
[ "$rc" -eq 1 ] && [ "$(tail -n 1 "$T/out")" = "2 passed, 2 failed" ] &&
    has "^ok +$T/pass.sh " && has "^FAILED +$T/fail.sh .*exit status 3" &&
    has "^TIMEOUT +$T/hang.sh " &&
    ok "scripts count by exit status, not by what they print" ||
    not_ok "scripts count by exit status, not by what they print"
[ -f "$T/trapped" ] && ok "a timed-out script gets SIGTERM first" ||
    not_ok "a timed-out script gets SIGTERM first"
# gone (or a zombie) within 3 s: it had SIGTERM with its script
gone() {
    i=0
    while [ $i -lt 30 ]; do
        st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)
        case $st in '' | Z) return 0 ;; esac
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
if [ -s "$T/sleep.pid" ] && gone "$(cat "$T/sleep.pid")"; then
    ok "what a timed-out script started is gone"
else
    not_ok "what a timed-out script started is gone"
    kill "$(cat "$T/sleep.pid")" 2>/dev/null
fi

# Programs side by side (-J 2), but one named in BN_TEST_ALONE with
# nothing beside it: each script writes when it starts and ends.
for s in p1 p2 solo p3; do
    printf 'echo "start %s" >>"%s/trace"; sleep 0.4; echo "end %s" >>"%s/trace"\n' \
        "$s" "$T" "$s" "$T" >"$T/$s.sh"
done
BN_TEST_ALONE="other.sh solo.sh" "$FIX" -J 2 test_pass "$T/p1.sh" "$T/p2.sh" \
    "$T/solo.sh" "$T/p3.sh" >"$T/out" 2>&1
order=$(tr '\n' ' ' <"$T/trace" 2>/dev/null)
case $order in
"start p"?" start p"?" end p"?" end p"?" start solo end solo start p3 end p3 ")
    ok "-J 2 runs two programs at once, and one named alone by itself" ;;
*) not_ok "-J 2 runs two programs at once, and one named alone by itself ($order)" ;;
esac

# A test in a file but not in the list does not build.
CC=${CC:-cc}
if command -v "$CC" >/dev/null 2>&1; then
    { cat "$top/tests/unit/runner_fixture.c"
      printf 'static void test_unlisted(void **state) { (void)state; }\n'
    } >"$T/unlisted.c"
    if $CC -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$top/tests/unit" \
        -c "$T/unlisted.c" -o "$T/unlisted.o" >"$T/out" 2>&1; then
        not_ok "a test missing from the list stops the build"
    elif has "test_unlisted.*(defined but not used|unused)"; then
        ok "a test missing from the list stops the build"
    else
        not_ok "a test missing from the list stops the build (not for that)"
    fi
fi
finish
