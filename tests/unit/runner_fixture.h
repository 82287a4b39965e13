/*
 * runner_fixture.h: the list of build/tests/runner_fixture, the runner
 * (runner.c) built over four tests of known fate, which
 * tests/integration/runner.sh checks the runner's report against. Not a
 * unit test of binome: the file is not test_*.c, so unit_runner does not
 * link it.
 */
#ifndef BN_RUNNER_FIXTURE_H
#define BN_RUNNER_FIXTURE_H

#include "bn_unit.h"

#define BN_UNIT_GROUPS(X) X(fixture)

/* Failing, hanging and crashing first: the runner must go on to the last
 * one, which passes. */
#define BN_UNIT_fixture(G, T, TS)                                              \
    G(fixture_setup, fixture_teardown, BN_UNIT_EACH)                           \
    T(test_fail)                                                               \
    T(test_hang)                                                               \
    T(test_crash)                                                              \
    T(test_pass)

#define BN_UNIT_TOOLS(X)

BN_UNIT_GROUPS(BN_UNIT__DECLARE_GROUP)

#endif
