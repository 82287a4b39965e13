/*
 * bn_unit.h: the machinery behind tests/unit/test_list.h: how a test file
 * turns its entry of the list into the group the runner (runner.c) sees.
 *
 * A list is one macro per group, BN_UNIT_<group>(G, T, TS):
 *
 *   G(setup, teardown, mode) the group's setup and teardown (NULL, NULL
 *                            when none) and its mode; exactly once, first
 *   T(test_name)             a test with no fixture of its own
 *   TS(test_name, set, tear) a test with its own setup and teardown
 *
 * and BN_UNIT_GROUPS(X), X(group) once per group. The mode is
 *
 *   BN_UNIT_EACH   each test stands alone: its process runs the group's
 *                  setup, the test, the group's teardown
 *   BN_UNIT_STORY  the tests are the steps of one story, each building on
 *                  the state the steps before it left (a world of
 *                  accounts and pairs): the process of test k runs the
 *                  setup, steps 1..k-1 then test k (it fails when a step
 *                  before it fails), the teardown. Slower (n*n/2 steps);
 *                  a group whose tests make their own state is EACH.
 *
 * Every name in a group's macro is resolved in its test file, so tests
 * and fixtures stay static there: a static test_* that the list forgot is
 * an unused function, and -Werror stops the build.
 *
 * The file test_<group>.c ends with
 *
 *   BN_UNIT_GROUP(group);
 *
 * which makes the group's CMUnitTest array and the bn_unit_group
 * bn_unit_group_<group> that the runner links. It also takes the address
 * of bn_unit_listed_<group>, which only the runner defines, for each group
 * of BN_UNIT_GROUPS: a file whose group is missing from that list does
 * not link. A file that kept its own main does not link either (the
 * runner has one).
 *
 * Tools (BN_UNIT_TOOLS(X), X(name, function, help)) are programs that
 * live in a test file because they share its code, called by scripts as
 * `unit_runner --tool NAME ARG...`; the function is int f(int, char **)
 * and returns the exit status.
 */
#ifndef BN_UNIT_H
#define BN_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* A group: the tests of one file and the fixture cmocka runs around each
 * of them (in the test's own process, so around one test at a time). */
typedef struct bn_unit_group {
    const char *name;
    CMFixtureFunction setup;    /* NULL: none */
    CMFixtureFunction teardown; /* NULL: none */
    int mode;                   /* BN_UNIT_EACH or BN_UNIT_STORY */
    const struct CMUnitTest *tests;
    size_t ntests;
    const char *listed; /* &bn_unit_listed_<group>, defined by the runner */
} bn_unit_group;

/* A tool: `unit_runner --tool NAME ARG...` calls fn(argc, argv) with
 * argv[0] the tool's name; its return value is the exit status. */
typedef struct bn_unit_tool {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} bn_unit_tool;

/* A group's mode (see the header comment). */
#define BN_UNIT_EACH 0
#define BN_UNIT_STORY 1

/* The expansions of a group's macro: its tests, then its fixture. */
#define BN_UNIT__G(setup, teardown, mode) setup, teardown, mode,
#define BN_UNIT__NOG(setup, teardown, mode)
#define BN_UNIT__T(f) cmocka_unit_test(f),
#define BN_UNIT__TS(f, setup, teardown)                                        \
    cmocka_unit_test_setup_teardown(f, setup, teardown),
#define BN_UNIT__NOT(f)
#define BN_UNIT__NOTS(f, setup, teardown)

/* BN_UNIT_GROUP(group): at the end of test_<group>.c, the group that the
 * runner links (see the header comment). */
#define BN_UNIT_GROUP(g)                                                       \
    extern const char bn_unit_listed_##g;                                      \
    static const struct CMUnitTest bn_unit__tests_##g[] = {                    \
        BN_UNIT_##g(BN_UNIT__NOG, BN_UNIT__T, BN_UNIT__TS)};                   \
    const bn_unit_group bn_unit_group_##g = {                                  \
        #g,                                                                    \
        BN_UNIT_##g(BN_UNIT__G, BN_UNIT__NOT, BN_UNIT__NOTS)                   \
            bn_unit__tests_##g,                                                \
        sizeof bn_unit__tests_##g / sizeof bn_unit__tests_##g[0],              \
        &bn_unit_listed_##g}

/* Declarations of every group and tool of a list, for the test files and
 * the runner. */
#define BN_UNIT__DECLARE_GROUP(g) extern const bn_unit_group bn_unit_group_##g;
#define BN_UNIT__DECLARE_TOOL(name, fn, help) int fn(int argc, char **argv);

#endif
