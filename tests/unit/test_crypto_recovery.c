/*
 * test_crypto_recovery.c: the recovery code, the identity sealed under
 * it, the device login key, and a device link's commitment, string and
 * transfer (crypto/bn_recovery.c, issue 15).
 */
#include "test_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bn_crypto.h"

static bn_identity *fresh(void)
{
    bn_identity *id = bn_identity_new();
    assert_non_null(id);
    assert_int_equal(bn_identity_generate(id), 0);
    return id;
}

static void test_code_round_trip(void **state)
{
    bn_recovery_code c, d;
    char text[BN_RECOVERY_TEXT_MAX];
    (void)state;

    assert_int_equal(bn_recovery_code_new(&c, 0), BN_EINVAL);
    assert_int_equal(bn_recovery_code_new(&c, (uint64_t)UINT32_MAX + 1),
                     BN_EINVAL);
    assert_int_equal(bn_recovery_code_new(&c, 4242), 0);
    bn_recovery_code_format(&c, text);
    /* 8 groups of 4 from the 32-character alphabet */
    assert_int_equal(strlen(text), 39);
    for (int i = 0; i < 39; i++) {
        if (i % 5 == 4)
            assert_int_equal(text[i], '-');
        else
            assert_non_null(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ",
                                   text[i]));
    }
    assert_int_equal(bn_recovery_code_parse(&d, text), 0);
    assert_int_equal(d.account, 4242);
    assert_memory_equal(d.secret, c.secret, sizeof c.secret);

    /* what a person copying by hand does: lower case, spaces, O for 0,
     * I and L for 1 */
    char loose[80];
    size_t o = 0;
    for (size_t i = 0; text[i]; i++) {
        char ch = text[i];
        if (ch == '-') {
            loose[o++] = ' ';
            continue;
        }
        if (ch == '0')
            ch = 'O';
        else if (ch == '1')
            ch = (i % 2) ? 'I' : 'l';
        else if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        loose[o++] = ch;
    }
    loose[o] = '\0';
    assert_int_equal(bn_recovery_code_parse(&d, loose), 0);
    assert_int_equal(d.account, 4242);
    assert_memory_equal(d.secret, c.secret, sizeof c.secret);
}

/* Every single wrong character anywhere is caught: BN_ECORRUPT (the
 * check byte) or BN_EINVAL, never a code for something else, except for
 * the rare change the one check byte misses (1 in 256): counted. */
static void test_code_typos_caught(void **state)
{
    bn_recovery_code c, d;
    char text[BN_RECOVERY_TEXT_MAX], bad[BN_RECOVERY_TEXT_MAX];
    unsigned tried = 0, missed = 0;
    (void)state;

    assert_int_equal(bn_recovery_code_new(&c, 7), 0);
    bn_recovery_code_format(&c, text);
    for (int i = 0; i < 39; i++) {
        if (text[i] == '-')
            continue;
        for (const char *a = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; *a; a++) {
            if (*a == text[i])
                continue;
            memcpy(bad, text, sizeof bad);
            bad[i] = *a;
            tried++;
            int rc = bn_recovery_code_parse(&d, bad);
            if (rc == 0)
                missed++;
            else
                assert_true(rc == BN_ECORRUPT || rc == BN_EINVAL);
        }
    }
    assert_int_equal(tried, 32 * 31);
    assert_true(missed <= tried / 64); /* about 1 in 256 expected */
    /* shapes that are no code */
    assert_int_equal(bn_recovery_code_parse(&d, ""), BN_EINVAL);
    assert_int_equal(bn_recovery_code_parse(&d, "ABCD"), BN_EINVAL);
    memcpy(bad, text, sizeof bad);
    bad[0] = 'U'; /* not in the alphabet */
    assert_int_equal(bn_recovery_code_parse(&d, bad), BN_EINVAL);
    char longer[64];
    snprintf(longer, sizeof longer, "%sA", text);
    assert_int_equal(bn_recovery_code_parse(&d, longer), BN_EINVAL);
}

static void test_seal_open(void **state)
{
    bn_identity *a = fresh(), *b = bn_identity_new();
    bn_recovery_code c, other;
    uint8_t id[BN_RECOVERY_ID_BYTES], id2[BN_RECOVERY_ID_BYTES];
    uint8_t key[BN_KEY_BYTES], key2[BN_KEY_BYTES];
    uint8_t blob[BN_RECOVERY_BLOB_BYTES];
    (void)state;

    assert_int_equal(bn_recovery_code_new(&c, 9), 0);
    assert_int_equal(bn_recovery_code_new(&other, 9), 0);
    assert_int_equal(bn_recovery_derive(&c, id, key), 0);
    assert_int_equal(bn_recovery_derive(&other, id2, key2), 0);
    /* the id the server sees is not the key */
    assert_memory_not_equal(id, key, 32);
    assert_memory_not_equal(id, id2, 32);
    randombytes_buf(a->device_seed, sizeof a->device_seed);
    assert_int_equal(bn_recovery_seal(blob, a, 9, key), 0);
    assert_int_equal(bn_recovery_open(b, blob, sizeof blob, 9, key), 0);
    assert_memory_equal(a->sign_sk, b->sign_sk, sizeof a->sign_sk);
    assert_memory_equal(a->box_sk, b->box_sk, sizeof a->box_sk);
    assert_memory_equal(a->self_key, b->self_key, sizeof a->self_key);
    /* the device key never travels */
    assert_false(bn_identity_has_device(b));
    /* another code, another account, one flipped bit, a short blob */
    assert_int_equal(bn_recovery_open(b, blob, sizeof blob, 9, key2),
                     BN_EAUTH);
    assert_int_equal(bn_recovery_open(b, blob, sizeof blob, 10, key),
                     BN_EAUTH);
    blob[40] ^= 1;
    assert_int_equal(bn_recovery_open(b, blob, sizeof blob, 9, key),
                     BN_EAUTH);
    assert_int_equal(bn_recovery_open(b, blob, sizeof blob - 1, 9, key),
                     BN_ECORRUPT);
    bn_identity_free(a);
    bn_identity_free(b);
}

static void test_device_key(void **state)
{
    bn_identity *a = fresh();
    uint8_t pk[32], sk[64], pk2[32], sk2[64];
    (void)state;

    assert_false(bn_identity_has_device(a));
    assert_int_equal(bn_device_login_key(a, pk, sk), BN_EINVAL);
    randombytes_buf(a->device_seed, sizeof a->device_seed);
    assert_true(bn_identity_has_device(a));
    assert_int_equal(bn_device_login_key(a, pk, sk), 0);
    assert_int_equal(bn_device_login_key(a, pk2, sk2), 0);
    assert_memory_equal(pk, pk2, 32);
    assert_memory_not_equal(pk, a->sign_pk, 32);
    bn_identity_free(a);
}

/* The link: a server that swaps the new device's keys, or the nonce,
 * is seen (different strings, or a nonce that does not open the
 * commitment); the transfer opens only with the new device's key. */
static void test_link(void **state)
{
    bn_identity *a = fresh(), *b = bn_identity_new();
    uint8_t nonce[32], nonce2[32], commit[32];
    uint8_t box_pk[32], box_sk[32], evil_pk[32], evil_sk[32], login[32];
    uint8_t sealed[BN_LINK_SEALED_BYTES];
    uint64_t acc = 0;
    uint32_t dev = 0;
    unsigned same = 0;
    (void)state;

    randombytes_buf(nonce, sizeof nonce);
    randombytes_buf(nonce2, sizeof nonce2);
    randombytes_buf(login, sizeof login);
    bn_link_commit(commit, nonce);
    assert_int_equal(bn_link_commit_check(commit, nonce), 0);
    assert_int_equal(bn_link_commit_check(commit, nonce2), BN_EAUTH);
    crypto_box_keypair(box_pk, box_sk);
    uint32_t sas = bn_link_sas(nonce, a->sign_pk, box_pk, login);
    assert_true(sas < 1000000);
    assert_int_equal(bn_link_sas(nonce, a->sign_pk, box_pk, login), sas);
    /* substituted keys: 1000 tries of a server, each string differs
     * (one in a million would match) */
    for (int i = 0; i < 1000; i++) {
        crypto_box_keypair(evil_pk, evil_sk);
        same += bn_link_sas(nonce, a->sign_pk, evil_pk, login) == sas;
    }
    assert_true(same <= 1);
    assert_int_not_equal(bn_link_sas(nonce2, a->sign_pk, box_pk, login), sas);
    assert_int_equal(bn_link_seal(sealed, a, 77, 3, box_pk), 0);
    assert_int_equal(bn_link_open(b, &acc, &dev, sealed, sizeof sealed,
                                  box_pk, box_sk),
                     0);
    assert_int_equal(acc, 77);
    assert_int_equal(dev, 3);
    assert_memory_equal(a->sign_sk, b->sign_sk, sizeof a->sign_sk);
    assert_int_equal(bn_link_open(b, &acc, &dev, sealed, sizeof sealed,
                                  evil_pk, evil_sk),
                     BN_EAUTH);
    assert_int_equal(bn_link_open(b, &acc, &dev, sealed, sizeof sealed - 1,
                                  box_pk, box_sk),
                     BN_ECORRUPT);
    bn_identity_free(a);
    bn_identity_free(b);
}

/* A key file with a device key (version 2) saves and loads whole; one
 * without stays version 1, the size the docs give. */
static void test_identity_v2_file(void **state)
{
    char dir[] = "/tmp/bn-rec-XXXXXX", path[64];
    bn_identity *a = fresh(), *b = bn_identity_new();
    struct stat st;
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/id.key", dir);
    assert_int_equal(bn_identity_save(a, path, "pw", 2, BN_KDF_INTERACTIVE),
                     0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 272);
    randombytes_buf(a->device_seed, sizeof a->device_seed);
    assert_int_equal(bn_identity_save(a, path, "pw", 2, BN_KDF_INTERACTIVE),
                     0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 304);
    assert_int_equal(bn_identity_load(b, path, "pw", 2), 0);
    assert_memory_equal(a->device_seed, b->device_seed, 32);
    assert_memory_equal(a->sign_sk, b->sign_sk, 64);
    unlink(path);
    rmdir(dir);
    bn_identity_free(a);
    bn_identity_free(b);
}

BN_UNIT_GROUP(crypto_recovery);
