#!/bin/sh
# check.sh: what `make check` runs, in this order:
#   1. the plain build (every core), then its tests (tests/run.sh);
#   2. meanwhile, in the background, the sanitizer build (build/asan) and
#      the fuzz targets (build/fuzz): the tests spend much of their time
#      waiting on daemons, sockets and key derivations, so the compilers
#      use what they leave, and the builds' output goes to
#      build/check-builds.log (shown when a build fails);
#   3. the same tests under ASan and UBSan (three integration programs at
#      a time: they mostly wait), and meanwhile each fuzz target for
#      FUZZ_SMOKE_SECONDS (its output, build/check-fuzz.log, is shown
#      after).
# Exits non-zero on the first stage that fails.
#
#   sh scripts/check.sh          (make check runs it; MAKE, NPROC from make)
set -u
MAKE=${MAKE:-make}
NPROC=${NPROC:-$(nproc 2>/dev/null || echo 2)}

$MAKE -j"$NPROC" tests || exit 1
mkdir -p build
($MAKE -j1 BUILD=build/asan SAN=1 tests && $MAKE -j1 fuzz-bins) \
    >build/check-builds.log 2>&1 &
builds=$!
$MAKE test
tests=$?
wait $builds
built=$?
if [ $built -ne 0 ]; then
    echo "check: the sanitizer or fuzz build failed (build/check-builds.log):"
    tail -40 build/check-builds.log
    exit 1
fi
[ $tests -eq 0 ] || exit 1
# The fuzz targets run for a fixed time each, beside the sanitizer tests.
$MAKE fuzz-smoke >build/check-fuzz.log 2>&1 &
fuzz=$!
BN_TEST_PROG_JOBS=${BN_TEST_PROG_JOBS:-3} $MAKE test-asan
asan=$?
wait $fuzz
fuzzed=$?
cat build/check-fuzz.log
[ $asan -eq 0 ] && [ $fuzzed -eq 0 ]
