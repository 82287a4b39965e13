/*
 * runner_fixture.c: four tests of known fate for the runner's own test
 * (tests/integration/runner.sh, list in runner_fixture.h): one fails an
 * assertion, one hangs, one aborts, one passes. The group's setup hands
 * the passing test a state, and its teardown prints a line, so that the
 * script sees both run around the test, in the test's process.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "runner_fixture.h"

static int magic = 0x5eed;

/* The group's setup: the state every test of the group starts with. */
static int fixture_setup(void **state)
{
    *state = &magic;
    printf("fixture: setup in %ld\n", (long)getpid());
    return 0;
}

/* The group's teardown: says it ran, and in which process. */
static int fixture_teardown(void **state)
{
    (void)state;
    printf("fixture: teardown in %ld\n", (long)getpid());
    return 0;
}

/* Fails an assertion: FAILED, with cmocka's message. */
static void test_fail(void **state)
{
    (void)state;
    assert_int_equal(1, 2);
}

/* Never returns: TIMEOUT. */
static void test_hang(void **state)
{
    (void)state;
    for (;;)
        pause();
}

/* Aborts: CRASHED (SIGABRT). */
static void test_crash(void **state)
{
    (void)state;
    abort();
}

/* Passes, with the state the group's setup made: ok. */
static void test_pass(void **state)
{
    assert_ptr_equal(*state, &magic);
    printf("fixture: test_pass in %ld\n", (long)getpid());
}

BN_UNIT_GROUP(fixture);
