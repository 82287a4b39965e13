#!/bin/sh
# run.sh: run tests with build/tests/unit_runner (tests/unit/runner.c):
# each unit test of tests/unit/test_list.h, and each integration program
# or script given by its path, in its own process with a timeout, one
# line per test, and a last line "N passed, N failed" counted from exit
# statuses. Exits 1 when a test did not pass.
#
#   BUILD=build sh tests/run.sh                  every unit test
#   BUILD=build sh tests/run.sh test_login       the tests of that name
#   BUILD=build sh tests/run.sh build/tests/test_crash tests/integration/story.sh
#   BUILD=build sh tests/run.sh --all PROGRAM... what make test runs
#
# It sets what the integration tests expect (BINOMED, BINOME, BINOME_KDF)
# from $BUILD. The runner's options (-j N, -t SECONDS, -v, --list) and its
# environment (BN_TEST_JOBS, BN_TEST_TIMEOUT, BN_TEST_PROG_TIMEOUT,
# BN_TEST_VERBOSE) are in `unit_runner --help`.
set -u
: "${BUILD:=build}"
export BUILD
export BINOMED="$PWD/$BUILD/binomed" BINOME="$PWD/$BUILD/binome"
export BINOME_KDF=interactive
RUNNER=$BUILD/tests/unit_runner
if [ ! -x "$RUNNER" ]; then
    echo "run.sh: $RUNNER is missing; run: make BUILD=$BUILD tests" >&2
    exit 2
fi
exec "$RUNNER" "$@"
