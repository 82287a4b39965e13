/*
 * test_cli_keys.c: the key-change rule at the library level. Once the
 * other member's keys are recorded (first sight in keys/PAIR, or verify
 * --confirm in verified/PAIR), keys that differ make every write to the
 * pair BN_EUNVERIFIED.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/bn_testfs.h"
#include "bnc_internal.h" /* the handles' insides, for white-box checks */

static char tmpdir[256];

typedef struct fixture {
    bnc_profile *prof;
    bnc_member members[3];
    bnc_pair pair;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    bn_identity *other = bn_identity_new();

    snprintf(tmpdir, sizeof tmpdir, "/tmp/bnc-keys-XXXXXX");
    if (f == NULL || other == NULL || mkdtemp(tmpdir) == NULL)
        return -1;
    if (bnc_profile_new(&f->prof, tmpdir) != 0)
        return -1;
    f->prof->account_id = 2;
    f->prof->id = bn_identity_new();
    if (f->prof->id == NULL || bn_identity_generate(f->prof->id) != 0 ||
        bn_identity_generate(other) != 0)
        return -1;

    /* Us: mentor 2. The other: mentee 3. A departed mentee 4. */
    f->members[0] =
        (bnc_member){.account_id = 2, .role = BN_ROLE_MENTOR, .from_epoch = 1};
    memcpy(f->members[0].sign_pk, f->prof->id->sign_pk, 32);
    memcpy(f->members[0].box_pk, f->prof->id->box_pk, 32);
    f->members[1] =
        (bnc_member){.account_id = 3, .role = BN_ROLE_MENTEE, .from_epoch = 2};
    memcpy(f->members[1].sign_pk, other->sign_pk, 32);
    memcpy(f->members[1].box_pk, other->box_pk, 32);
    f->members[2] = (bnc_member){.account_id = 4,
                                 .role = BN_ROLE_MENTEE,
                                 .from_epoch = 1,
                                 .to_epoch = 2};
    randombytes_buf(f->members[2].sign_pk, 32);
    randombytes_buf(f->members[2].box_pk, 32);
    bn_identity_free(other);

    f->pair.info.id = 9;
    f->pair.info.mentor_id = 2;
    f->pair.info.mentee_id = 3;
    f->pair.info.status = BN_PAIR_ACTIVE;
    f->pair.info.epoch = 2;
    f->pair.members = f->members;
    f->pair.nmembers = 3;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    bnc_profile_free(f->prof);
    free(f);
    return bn_testfs_rmtree(tmpdir);
}

static void test_first_sight_then_change(void **state)
{
    fixture *f = *state;
    char path[600];
    int verified = 1;

    /* First sight records keys/9. */
    assert_int_equal(bnc_pair_check_keys(f->prof, &f->pair, &verified), 0);
    assert_int_equal(verified, 0);
    snprintf(path, sizeof path, "%s/keys/9", tmpdir);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(bnc_pair_check_keys(f->prof, &f->pair, NULL), 0);

    /* The server now shows another signing key for the mentee. */
    f->members[1].sign_pk[0] ^= 1;
    assert_int_equal(bnc_pair_check_keys(f->prof, &f->pair, NULL),
                     BN_EUNVERIFIED);
    f->members[1].sign_pk[0] ^= 1;
    /* ... or another box key. */
    f->members[1].box_pk[31] ^= 0x80;
    assert_int_equal(bnc_pair_check_keys(f->prof, &f->pair, NULL),
                     BN_EUNVERIFIED);
    f->members[1].box_pk[31] ^= 0x80;
    assert_int_equal(bnc_pair_check_keys(f->prof, &f->pair, NULL), 0);
}

static void test_verified_record_rules(void **state)
{
    fixture *f = *state;
    bnc_client c = {0};
    int verified = 0;
    uint8_t body[] = "hello";

    assert_int_equal(bnc_pair_confirm(f->prof, &f->pair), 0);
    assert_int_equal(bnc_pair_check_keys(f->prof, &f->pair, &verified), 0);
    assert_int_equal(verified, 1);

    f->members[1].box_pk[5] ^= 0x10;
    assert_int_equal(bnc_pair_check_keys(f->prof, &f->pair, &verified),
                     BN_EUNVERIFIED);
    assert_int_equal(verified, 0);

    /* What bnc_pair_open records; writes are then refused before any
     * network or key is used. */
    f->pair.keys_changed = 1;
    c.profile = f->prof;
    c.me.id = 2;
    bnc_note_spec spec = {.kind = BN_KIND_NOTE};
    assert_int_equal(
        bnc_note_put(&c, &f->pair, &spec, body, sizeof body - 1, NULL, NULL),
        BN_EUNVERIFIED);
    assert_int_equal(bnc_pair_accept(&c, &f->pair), BN_EUNVERIFIED);

    /* Verifying again (in person) records the new keys. */
    assert_int_equal(bnc_pair_confirm(f->prof, &f->pair), 0);
    assert_int_equal(bnc_pair_check_keys(f->prof, &f->pair, &verified), 0);
    assert_int_equal(verified, 1);
    f->pair.keys_changed = 0;
}

static void test_order_and_departed_members(void **state)
{
    fixture *f = *state;
    bnc_member saved = f->members[0];

    /* The server's order does not matter. */
    f->members[0] = f->members[1];
    f->members[1] = saved;
    assert_int_equal(bnc_pair_check_keys(f->prof, &f->pair, NULL), 0);
    f->members[1] = f->members[0];
    f->members[0] = saved;
    /* The record holds the referents' keys, the ones verified in person
     * with the safety number; a member a referent added is vouched for by
     * the referent's signed entry, which the ledger holds their keys to
     * (test_cli_ledger's team tests), so a member joining, leaving or
     * shown with other keys changes no one's verification (issue 14). */
    f->members[2].sign_pk[0] ^= 1;
    assert_int_equal(bnc_pair_check_keys(f->prof, &f->pair, NULL), 0);
    f->members[2].sign_pk[0] ^= 1;
    /* A referent's keys changed are still caught. */
    f->members[1].sign_pk[0] ^= 1;
    assert_int_equal(bnc_pair_check_keys(f->prof, &f->pair, NULL),
                     BN_EUNVERIFIED);
    f->members[1].sign_pk[0] ^= 1;
}

static void test_own_keys_shown_wrong(void **state)
{
    fixture *f = *state;

    f->members[0].box_pk[0] ^= 1;
    assert_int_equal(bnc_pair_check_keys(f->prof, &f->pair, NULL),
                     BN_EUNVERIFIED);
    f->members[0].box_pk[0] ^= 1;
}

static void test_safety_number_symmetric(void **state)
{
    fixture *f = *state;
    char a[BN_SAFETY_DIGITS + 1], b[BN_SAFETY_DIGITS + 1];
    bnc_member saved = f->members[0];

    assert_int_equal(bnc_safety_number(&f->pair, a), 0);
    assert_int_equal(strlen(a), BN_SAFETY_DIGITS);
    f->members[0] = f->members[1];
    f->members[1] = saved;
    assert_int_equal(bnc_safety_number(&f->pair, b), 0);
    assert_string_equal(a, b);
    f->members[1] = f->members[0];
    f->members[0] = saved;
    f->members[1].sign_pk[3] ^= 4;
    assert_int_equal(bnc_safety_number(&f->pair, b), 0);
    assert_string_not_equal(a, b);
    f->members[1].sign_pk[3] ^= 4;
}

BN_UNIT_GROUP(cli_keys);
