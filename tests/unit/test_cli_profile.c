/*
 * test_cli_profile.c: the client profile on disk: round trip, modes,
 * errors, the default directory, and join's refusal of bad invitations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/bn_testfs.h"
#include "bnc_internal.h" /* the handles' insides, for white-box checks */

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bnc-test-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    setenv("BINOME_KDF", "interactive", 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return bn_testfs_rmtree(tmpdir);
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void test_round_trip(void **state)
{
    char dir[512], path[600];
    bnc_profile *p, *q = NULL;
    (void)state;

    snprintf(dir, sizeof dir, "%s/prof", tmpdir);
    assert_int_equal(bnc_profile_new(&p, dir), 0);
    snprintf(p->host, sizeof p->host, "127.0.0.1");
    p->port = 7450;
    for (int i = 0; i < 32; i++)
        p->server_pk[i] = (uint8_t)i;
    p->account_id = 42;
    snprintf(p->name, sizeof p->name, "Zoé Durand");
    p->role = BN_ROLE_MENTEE;
    p->programme_id = 7;
    p->id = bn_identity_new();
    assert_non_null(p->id);
    assert_int_equal(bn_identity_generate(p->id), 0);
    assert_int_equal(bnc_profile_save(p), 0);
    assert_int_equal(bnc_profile_save_identity(p, "correct horse", 13), 0);

    assert_int_equal(mode_of(dir), 0700);
    snprintf(path, sizeof path, "%s/identity.key", dir);
    assert_int_equal(mode_of(path), 0600);
    snprintf(path, sizeof path, "%s/profile.conf", dir);
    assert_int_equal(mode_of(path) & 077, 0);

    assert_int_equal(bnc_profile_open(&q, dir), 0);
    assert_string_equal(q->host, "127.0.0.1");
    assert_int_equal(q->port, 7450);
    assert_memory_equal(q->server_pk, p->server_pk, 32);
    assert_int_equal(q->account_id, 42);
    assert_string_equal(q->name, "Zoé Durand");
    assert_int_equal(q->role, BN_ROLE_MENTEE);
    assert_int_equal(q->programme_id, 7);
    assert_null(q->id);

    assert_int_equal(bnc_profile_load_identity(q, "wrong", 5), BN_EPASSPHRASE);
    assert_null(q->id);
    assert_int_equal(bnc_profile_load_identity(q, "correct horse", 13), 0);
    assert_memory_equal(q->id->sign_sk, p->id->sign_sk, BN_SIGN_SK_BYTES);
    assert_memory_equal(q->id->box_sk, p->id->box_sk, BN_BOX_SK_BYTES);
    assert_memory_equal(q->id->self_key, p->id->self_key, BN_KEY_BYTES);
    bnc_profile_free(q);
    bnc_profile_free(p);
}

static void test_existing_dir_made_private(void **state)
{
    char dir[512];
    bnc_profile *p;
    (void)state;

    snprintf(dir, sizeof dir, "%s/loose", tmpdir);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(bnc_profile_new(&p, dir), 0);
    snprintf(p->host, sizeof p->host, "example.org");
    p->port = 1;
    assert_int_equal(bnc_profile_save(p), 0);
    assert_int_equal(mode_of(dir), 0700);
    bnc_profile_free(p);
}

static void test_absent_and_corrupt(void **state)
{
    char dir[512], path[600];
    bnc_profile *p = NULL;
    FILE *f;
    (void)state;

    snprintf(dir, sizeof dir, "%s/none", tmpdir);
    assert_int_equal(bnc_profile_open(&p, dir), BN_EPROFILE);
    assert_null(p);

    snprintf(dir, sizeof dir, "%s/bad", tmpdir);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/profile.conf", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("server=127.0.0.1:7450\nserver_pk=zz\naccount=1\n", f);
    fclose(f);
    assert_int_equal(bnc_profile_open(&p, dir), BN_ECORRUPT);

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("server=127.0.0.1:7450\naccount=1\n", f); /* no server_pk */
    fclose(f);
    assert_int_equal(bnc_profile_open(&p, dir), BN_ECORRUPT);

    /* A profile without identity.key cannot log in. */
    assert_int_equal(bnc_profile_new(&p, dir), 0);
    assert_int_equal(bnc_profile_load_identity(p, "x", 1), BN_EPROFILE);
    bnc_profile_free(p);
}

static void test_default_dir(void **state)
{
    char out[BNC_PATH_MAX];
    (void)state;

    assert_int_equal(bnc_profile_default_dir(out, sizeof out, "/x/y"), 0);
    assert_string_equal(out, "/x/y");
    setenv("XDG_CONFIG_HOME", "/cfg", 1);
    assert_int_equal(bnc_profile_default_dir(out, sizeof out, NULL), 0);
    assert_string_equal(out, "/cfg/binome");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/zoe", 1);
    assert_int_equal(bnc_profile_default_dir(out, sizeof out, NULL), 0);
    assert_string_equal(out, "/home/zoe/.config/binome");
    assert_int_equal(bnc_profile_default_dir(out, 8, NULL), BN_EINVAL);
}

static void test_join_refuses_bad_codes(void **state)
{
    static const char *bad[] = {
        "",
        "BN2.AAAA.127.0.0.1:7450",
        "BN1.short.127.0.0.1:7450",
        "BN1."
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        "AAAAAAAAAAAAAAAAAA.127.0.0.1",
        "BN1."
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        "AAAAAAAAAAAAAAAAAA.127.0.0.1:0",
        "BN1."
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        "AAAAAAAAAAAAAAA!!!.127.0.0.1:7450",
        "BN1."
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        "AAAAAAAAAAAAAAAAAA.::1:7450",
    };
    char dir[512], path[600];
    bnc_profile *p;
    (void)state;

    snprintf(dir, sizeof dir, "%s/join", tmpdir);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(bnc_profile_new(&p, dir), 0);
        assert_int_equal(bnc_join(p, bad[i], "Alice", "pw", 2, NULL),
                         BN_EINVAL);
        bnc_profile_free(p);
    }
    /* Nothing was written for a refused code. */
    snprintf(path, sizeof path, "%s/identity.key", dir);
    assert_int_equal(access(path, F_OK), -1);
    /* A name with a newline would break profile.conf. */
    assert_int_equal(bnc_profile_new(&p, dir), 0);
    assert_int_equal(bnc_join(p, bad[1], "A\nB", "pw", 2, NULL), BN_EINVAL);
    assert_int_equal(bnc_join(p, bad[1], "Alice", "", 0, NULL), BN_EINVAL);
    bnc_profile_free(p);
}

BN_UNIT_GROUP(cli_profile);
