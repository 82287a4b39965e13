/*
 * unit_authors.h: two fresh identities that sign a test's log entries,
 * made before each test of a group and freed after it (G(setup, teardown,
 * ...) in test_list.h): test_cli_log.c, test_cli_resync.c.
 */
#ifndef UNIT_AUTHORS_H
#define UNIT_AUTHORS_H

#include "bn_crypto.h"

static bn_identity *ids[2];

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        ids[i] = bn_identity_new();
        if (ids[i] == NULL || bn_identity_generate(ids[i]) != 0)
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bn_identity_free(ids[0]);
    bn_identity_free(ids[1]);
    return 0;
}

#endif
