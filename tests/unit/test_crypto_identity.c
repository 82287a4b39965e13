/*
 * test_crypto_identity.c: identities, passphrase boxes, the key file,
 * atomic writes, the KDF level and the small helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_list.h"

#include "bn_crypto.h"
#include "bn_util.h"

#define PASS "correct horse battery staple"
#define PASSLEN (sizeof PASS - 1)
#define HDR 63 /* pwbox header bytes */
#define IDPLAIN 193
#define IDFILE (HDR + IDPLAIN + 16)

typedef struct tdir {
    char dir[256];
    char path[300];
} tdir;

static int setup_dir(void **state)
{
    tdir *t = calloc(1, sizeof *t);
    if (t == NULL)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/bn-test-identity-XXXXXX");
    if (mkdtemp(t->dir) == NULL)
        return -1;
    snprintf(t->path, sizeof t->path, "%s/identity.key", t->dir);
    *state = t;
    return 0;
}

static int teardown_dir(void **state)
{
    tdir *t = *state;
    DIR *d = opendir(t->dir);
    if (d != NULL) {
        struct dirent *de;
        char p[600];
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", t->dir, de->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(t->dir);
    free(t);
    return 0;
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void write_file(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static void assert_identity_equal(const bn_identity *a, const bn_identity *b)
{
    assert_memory_equal(a->sign_pk, b->sign_pk, sizeof a->sign_pk);
    assert_memory_equal(a->sign_sk, b->sign_sk, sizeof a->sign_sk);
    assert_memory_equal(a->box_pk, b->box_pk, sizeof a->box_pk);
    assert_memory_equal(a->box_sk, b->box_sk, sizeof a->box_sk);
    assert_memory_equal(a->self_key, b->self_key, sizeof a->self_key);
}

/* ---- helpers ---------------------------------------------------------- */

static void test_init_hash_random(void **state)
{
    (void)state;
    static const uint8_t empty_blake2b256[32] = {
        0x0e, 0x57, 0x51, 0xc0, 0x26, 0xe5, 0x43, 0xb2, 0xe8, 0xab, 0x2e,
        0xb0, 0x60, 0x99, 0xda, 0xa1, 0xd1, 0xe5, 0xdf, 0x47, 0x77, 0x8f,
        0x77, 0x87, 0xfa, 0xab, 0x45, 0xcd, 0xf1, 0x2f, 0xe3, 0xa8};
    uint8_t h[BN_HASH_BYTES];
    assert_int_equal(bn_crypto_init(), 0); /* twice is fine */
    bn_hash(h, NULL, 0);
    assert_memory_equal(h, empty_blake2b256, 32);
    bn_hash(h, (const uint8_t *)"a", 1);
    assert_memory_not_equal(h, empty_blake2b256, 32);

    uint64_t seen[64];
    for (int i = 0; i < 64; i++) {
        seen[i] = bn_random_u64();
        assert_true(seen[i] != 0);
        for (int j = 0; j < i; j++)
            assert_true(seen[i] != seen[j]);
    }
}

static void test_kdf_level_from_env(void **state)
{
    (void)state;
    const char *old = getenv("BINOME_KDF");
    char *saved = old ? strdup(old) : NULL;
    setenv("BINOME_KDF", "interactive", 1);
    assert_int_equal(bn_kdf_level_from_env(), BN_KDF_INTERACTIVE);
    setenv("BINOME_KDF", "moderate", 1);
    assert_int_equal(bn_kdf_level_from_env(), BN_KDF_MODERATE);
    setenv("BINOME_KDF", "INTERACTIVEx", 1);
    assert_int_equal(bn_kdf_level_from_env(), BN_KDF_MODERATE);
    unsetenv("BINOME_KDF");
    assert_int_equal(bn_kdf_level_from_env(), BN_KDF_MODERATE);
    if (saved) {
        setenv("BINOME_KDF", saved, 1);
        free(saved);
    }
}

static void test_identity_generate(void **state)
{
    (void)state;
    bn_identity *a = bn_identity_new(), *b = bn_identity_new();
    uint8_t pk[32], zero[64] = {0};
    assert_non_null(a);
    assert_non_null(b);
    assert_memory_equal(a->sign_sk, zero, 64); /* new is zeroed */
    assert_int_equal(bn_identity_generate(a), 0);
    assert_int_equal(bn_identity_generate(b), 0);
    crypto_scalarmult_base(pk, a->box_sk);
    assert_memory_equal(pk, a->box_pk, 32);
    crypto_sign_ed25519_sk_to_pk(pk, a->sign_sk);
    assert_memory_equal(pk, a->sign_pk, 32);
    assert_memory_not_equal(a->self_key, zero, 32);
    assert_memory_not_equal(a->sign_pk, b->sign_pk, 32);
    assert_memory_not_equal(a->box_pk, b->box_pk, 32);
    assert_memory_not_equal(a->self_key, b->self_key, 32);
    bn_identity_free(a);
    bn_identity_free(b);
    bn_identity_free(NULL);
}

/* ---- passphrase boxes ------------------------------------------------- */

static void test_pwbox_roundtrip_and_wrong_pass(void **state)
{
    (void)state;
    static const uint8_t pt[] = "the secret";
    uint8_t *box = NULL, *out = NULL;
    size_t boxlen = 0, outlen = 0;
    assert_int_equal(bn_pwbox_seal(&box, &boxlen, pt, sizeof pt, PASS, PASSLEN,
                                   BN_KDF_INTERACTIVE),
                     0);
    assert_int_equal(boxlen, HDR + sizeof pt + 16);
    assert_memory_equal(box, "BNBOX\x01\x02", 7);
    assert_int_equal(bn_get_be64(box + 7), crypto_pwhash_OPSLIMIT_INTERACTIVE);
    assert_int_equal(bn_get_be64(box + 15), crypto_pwhash_MEMLIMIT_INTERACTIVE);
    assert_int_equal(bn_pwbox_open(&out, &outlen, box, boxlen, PASS, PASSLEN),
                     0);
    assert_int_equal(outlen, sizeof pt);
    assert_memory_equal(out, pt, sizeof pt);
    sodium_free(out);
    out = NULL;
    assert_int_equal(
        bn_pwbox_open(&out, &outlen, box, boxlen, PASS, PASSLEN - 1),
        BN_EPASSPHRASE);
    assert_null(out);
    free(box);

    /* an empty plaintext and an empty passphrase are legal */
    assert_int_equal(
        bn_pwbox_seal(&box, &boxlen, NULL, 0, "", 0, BN_KDF_INTERACTIVE), 0);
    assert_int_equal(bn_pwbox_open(&out, &outlen, box, boxlen, "", 0), 0);
    assert_int_equal(outlen, 0);
    sodium_free(out);
    free(box);
    assert_int_equal(bn_pwbox_seal(&box, &boxlen, pt, sizeof pt, PASS, PASSLEN,
                                   (bn_kdf_level)7),
                     BN_EINVAL);
}

/* A box with a chosen header and garbage after it, to test the checks that
 * must run before any key derivation. */
static size_t hostile_box(uint8_t *b, uint64_t ops, uint64_t mem)
{
    memset(b, 0xAB, HDR + 32);
    memcpy(b, "BNBOX", 5);
    b[5] = 1;
    b[6] = crypto_pwhash_ALG_ARGON2ID13;
    bn_put_be64(b + 7, ops);
    bn_put_be64(b + 15, mem);
    return HDR + 32;
}

static void test_pwbox_hostile_limits_refused(void **state)
{
    (void)state;
    uint8_t b[HDR + 32], *out = NULL;
    size_t outlen, n;
    const uint64_t huge_mem[] = {crypto_pwhash_MEMLIMIT_SENSITIVE + 1024,
                                 (uint64_t)1 << 40, UINT64_MAX};
    for (size_t i = 0; i < 3; i++) {
        n = hostile_box(b, 2, huge_mem[i]);
        assert_int_equal(bn_pwbox_open(&out, &outlen, b, n, PASS, PASSLEN),
                         BN_ECORRUPT);
    }
    /* too much work, or none */
    n = hostile_box(b, (uint64_t)crypto_pwhash_OPSLIMIT_SENSITIVE + 1,
                    crypto_pwhash_MEMLIMIT_INTERACTIVE);
    assert_int_equal(bn_pwbox_open(&out, &outlen, b, n, PASS, PASSLEN),
                     BN_ECORRUPT);
    n = hostile_box(b, UINT64_MAX, crypto_pwhash_MEMLIMIT_INTERACTIVE);
    assert_int_equal(bn_pwbox_open(&out, &outlen, b, n, PASS, PASSLEN),
                     BN_ECORRUPT);
    n = hostile_box(b, 0, crypto_pwhash_MEMLIMIT_INTERACTIVE);
    assert_int_equal(bn_pwbox_open(&out, &outlen, b, n, PASS, PASSLEN),
                     BN_ECORRUPT);
    n = hostile_box(b, 2, 0);
    assert_int_equal(bn_pwbox_open(&out, &outlen, b, n, PASS, PASSLEN),
                     BN_ECORRUPT);
    /* unknown algorithm id */
    n = hostile_box(b, 2, crypto_pwhash_MEMLIMIT_INTERACTIVE);
    b[6] = crypto_pwhash_ALG_ARGON2I13;
    assert_int_equal(bn_pwbox_open(&out, &outlen, b, n, PASS, PASSLEN),
                     BN_ECORRUPT);
    /* unknown version, bad magic, short */
    n = hostile_box(b, 2, crypto_pwhash_MEMLIMIT_INTERACTIVE);
    b[5] = 2;
    assert_int_equal(bn_pwbox_open(&out, &outlen, b, n, PASS, PASSLEN),
                     BN_EVERSION);
    b[5] = 1;
    b[0] = 'X';
    assert_int_equal(bn_pwbox_open(&out, &outlen, b, n, PASS, PASSLEN),
                     BN_ECORRUPT);
    b[0] = 'B';
    for (size_t len = 0; len < HDR + 16; len++)
        assert_int_equal(bn_pwbox_open(&out, &outlen, b, len, PASS, PASSLEN),
                         BN_ECORRUPT);
    assert_null(out);
}

/* The one test at MODERATE: the default level writes the MODERATE limits
 * and opens with them. */
static void test_pwbox_moderate(void **state)
{
    (void)state;
    uint8_t *box = NULL, *out = NULL;
    size_t boxlen, outlen;
    assert_int_equal(bn_pwbox_seal(&box, &boxlen, (const uint8_t *)"m", 1, PASS,
                                   PASSLEN, BN_KDF_MODERATE),
                     0);
    assert_int_equal(bn_get_be64(box + 7), crypto_pwhash_OPSLIMIT_MODERATE);
    assert_int_equal(bn_get_be64(box + 15), crypto_pwhash_MEMLIMIT_MODERATE);
    assert_int_equal(bn_pwbox_open(&out, &outlen, box, boxlen, PASS, PASSLEN),
                     0);
    assert_int_equal(outlen, 1);
    assert_int_equal(out[0], 'm');
    sodium_free(out);
    free(box);
}

/* ---- the key file ----------------------------------------------------- */

static void test_identity_file_roundtrip_mode(void **state)
{
    tdir *t = *state;
    bn_identity *a = bn_identity_new(), *b = bn_identity_new();
    struct stat st;
    assert_int_equal(bn_identity_generate(a), 0);
    assert_int_equal(
        bn_identity_save(a, t->path, PASS, PASSLEN, BN_KDF_INTERACTIVE), 0);
    assert_int_equal(stat(t->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, IDFILE);
    assert_int_equal(count_entries(t->dir), 1); /* no temporary left */
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), 0);
    assert_identity_equal(a, b);

    /* saving again replaces the file atomically, still 0600 */
    assert_int_equal(bn_identity_generate(a), 0);
    chmod(t->path, 0644);
    assert_int_equal(
        bn_identity_save(a, t->path, PASS, PASSLEN, BN_KDF_INTERACTIVE), 0);
    assert_int_equal(stat(t->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(count_entries(t->dir), 1);
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), 0);
    assert_identity_equal(a, b);
    bn_identity_free(a);
    bn_identity_free(b);
}

static void test_identity_file_wrong_pass_and_missing(void **state)
{
    tdir *t = *state;
    bn_identity *a = bn_identity_new();
    char missing[400];
    assert_int_equal(bn_identity_generate(a), 0);
    assert_int_equal(
        bn_identity_save(a, t->path, PASS, PASSLEN, BN_KDF_INTERACTIVE), 0);
    assert_int_equal(bn_identity_load(a, t->path, "wrong", 5), BN_EPASSPHRASE);
    snprintf(missing, sizeof missing, "%s/nothing.key", t->dir);
    assert_int_equal(bn_identity_load(a, missing, PASS, PASSLEN), -ENOENT);
    bn_identity_free(a);
}

static void test_identity_file_corrupted(void **state)
{
    tdir *t = *state;
    bn_identity *a = bn_identity_new(), *b = bn_identity_new();
    uint8_t orig[IDFILE + 8], buf[IDFILE + 8];
    assert_int_equal(bn_identity_generate(a), 0);
    assert_int_equal(
        bn_identity_save(a, t->path, PASS, PASSLEN, BN_KDF_INTERACTIVE), 0);
    assert_int_equal(read_file(t->path, orig, sizeof orig), IDFILE);

    /* One flip per field. Header damage that the header checks see is
     * BN_ECORRUPT (or BN_EVERSION); damage that only the AEAD tag sees
     * (salt, nonce, plausible limits, ciphertext, tag) cannot be told from
     * a wrong passphrase and is BN_EPASSPHRASE. */
    const struct {
        size_t pos;
        uint8_t x;
        int want;
    } cases[] = {
        {0, 0x01, BN_ECORRUPT},             /* magic */
        {4, 0x80, BN_ECORRUPT},             /* magic */
        {5, 0x01, BN_EVERSION},             /* box version */
        {6, 0x01, BN_ECORRUPT},             /* alg id */
        {7, 0x80, BN_ECORRUPT},             /* opslimit: huge */
        {14, 0x01, BN_EPASSPHRASE},         /* opslimit 2 -> 3: plausible */
        {15, 0x80, BN_ECORRUPT},            /* memlimit: huge */
        {21, 0x04, BN_EPASSPHRASE},         /* memlimit + 1 KiB: plausible */
        {23, 0x01, BN_EPASSPHRASE},         /* salt */
        {39, 0x01, BN_EPASSPHRASE},         /* nonce */
        {HDR, 0x01, BN_EPASSPHRASE},        /* ciphertext */
        {IDFILE - 1, 0x80, BN_EPASSPHRASE}, /* tag */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(buf, orig, IDFILE);
        buf[cases[i].pos] ^= cases[i].x;
        write_file(t->path, buf, IDFILE);
        assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN),
                         cases[i].want);
    }
    /* truncated or extended: corrupt before any key derivation */
    const size_t lens[] = {0, 3, 5, 6, 40, HDR, HDR + 16, IDFILE - 1};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        write_file(t->path, orig, lens[i]);
        assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN),
                         BN_ECORRUPT);
    }
    memcpy(buf, orig, IDFILE);
    buf[IDFILE] = 0;
    write_file(t->path, buf, IDFILE + 1);
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), BN_ECORRUPT);

    /* the untouched file still loads */
    write_file(t->path, orig, IDFILE);
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), 0);
    assert_identity_equal(a, b);
    bn_identity_free(a);
    bn_identity_free(b);
}

static void test_identity_file_hostile_header(void **state)
{
    tdir *t = *state;
    bn_identity *b = bn_identity_new();
    uint8_t buf[IDFILE];
    memset(buf, 0x55, sizeof buf);
    memcpy(buf, "BNBOX\x01\x02", 7);
    bn_put_be64(buf + 7, 2);
    bn_put_be64(buf + 15, UINT64_MAX); /* would be 16 EiB of Argon2 */
    write_file(t->path, buf, sizeof buf);
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), BN_ECORRUPT);
    bn_put_be64(buf + 15, crypto_pwhash_MEMLIMIT_SENSITIVE * 2);
    write_file(t->path, buf, sizeof buf);
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), BN_ECORRUPT);
    bn_identity_free(b);
}

/* seal_plain writes a key file holding an arbitrary identity plaintext. */
static void seal_plain(const char *path, const uint8_t *plain, size_t len)
{
    uint8_t *box = NULL;
    size_t boxlen = 0;
    assert_int_equal(bn_pwbox_seal(&box, &boxlen, plain, len, PASS, PASSLEN,
                                   BN_KDF_INTERACTIVE),
                     0);
    assert_int_equal(bn_file_write_atomic(path, box, boxlen, 0600), 0);
    free(box);
}

static void test_identity_inner_checks(void **state)
{
    tdir *t = *state;
    bn_identity *a = bn_identity_new(), *b = bn_identity_new(),
                *c = bn_identity_new();
    uint8_t plain[IDPLAIN + 1];
    assert_int_equal(bn_identity_generate(a), 0);
    assert_int_equal(bn_identity_generate(c), 0);

#define FILL(p)                                                                \
    do {                                                                       \
        (p)[0] = 1;                                                            \
        memcpy((p) + 1, a->sign_pk, 32);                                       \
        memcpy((p) + 33, a->sign_sk, 64);                                      \
        memcpy((p) + 97, a->box_pk, 32);                                       \
        memcpy((p) + 129, a->box_sk, 32);                                      \
        memcpy((p) + 161, a->self_key, 32);                                    \
    } while (0)

    /* the documented layout loads */
    FILL(plain);
    seal_plain(t->path, plain, IDPLAIN);
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), 0);
    assert_identity_equal(a, b);

    /* box_pk not the public key of box_sk */
    FILL(plain);
    memcpy(plain + 97, c->box_pk, 32);
    seal_plain(t->path, plain, IDPLAIN);
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), BN_ECORRUPT);
    /* sign_pk not the public key of sign_sk */
    FILL(plain);
    memcpy(plain + 1, c->sign_pk, 32);
    seal_plain(t->path, plain, IDPLAIN);
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), BN_ECORRUPT);
    /* sign_sk's embedded public half and sign_pk both swapped: the seed
     * still does not match */
    FILL(plain);
    memcpy(plain + 1, c->sign_pk, 32);
    memcpy(plain + 65, c->sign_pk, 32);
    seal_plain(t->path, plain, IDPLAIN);
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), BN_ECORRUPT);
    /* unknown identity version */
    FILL(plain);
    plain[0] = 3;
    seal_plain(t->path, plain, IDPLAIN);
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), BN_EVERSION);
    /* version 2 (with a device key) of version 1's length */
    FILL(plain);
    plain[0] = 2;
    seal_plain(t->path, plain, IDPLAIN);
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), BN_ECORRUPT);
    /* wrong plaintext length: the file size already gives it away */
    FILL(plain);
    seal_plain(t->path, plain, IDPLAIN - 1);
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), BN_ECORRUPT);
    plain[IDPLAIN] = 0;
    seal_plain(t->path, plain, IDPLAIN + 1);
    assert_int_equal(bn_identity_load(b, t->path, PASS, PASSLEN), BN_ECORRUPT);
#undef FILL
    bn_identity_free(a);
    bn_identity_free(b);
    bn_identity_free(c);
}

/* ---- atomic writes ---------------------------------------------------- */

static void test_file_write_atomic(void **state)
{
    tdir *t = *state;
    char path[400], bad[400];
    uint8_t buf[64];
    struct stat st;
    snprintf(path, sizeof path, "%s/data", t->dir);
    assert_int_equal(
        bn_file_write_atomic(path, (const uint8_t *)"first", 5, 0640), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(read_file(path, buf, sizeof buf), 5);
    assert_memory_equal(buf, "first", 5);
    assert_int_equal(
        bn_file_write_atomic(path, (const uint8_t *)"second!", 7, 0600), 0);
    assert_int_equal(read_file(path, buf, sizeof buf), 7);
    assert_memory_equal(buf, "second!", 7);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(bn_file_write_atomic(path, NULL, 0, 0600), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(count_entries(t->dir), 1);

    snprintf(bad, sizeof bad, "%s/no/such/dir/file", t->dir);
    assert_int_equal(bn_file_write_atomic(bad, (const uint8_t *)"x", 1, 0600),
                     -ENOENT);
    assert_int_equal(count_entries(t->dir), 1);
}

BN_UNIT_GROUP(crypto_identity);
