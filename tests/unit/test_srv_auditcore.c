/*
 * test_srv_auditcore.c: the auditor's checks on bytes: the randomness test
 * on random bytes, prose and real envelopes; envelope and chunk shape;
 * nonce reuse; the offline canary scan of files across block boundaries;
 * the live audit's canary search, in fed ciphertext only; the report.
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
#include "bnd_audit_core.h"

static const char english[] =
    "We met at the library on Tuesday afternoon and spent most of the hour "
    "on her application to the engineering school. She had written a first "
    "draft of the personal statement, which was honest but too modest: she "
    "described the robotics club as something she merely attended, when in "
    "fact she had organised the regional competition and found the "
    "sponsors. We agreed she would rewrite the second paragraph, ask her "
    "physics teacher for a reference before the end of the month, and "
    "bring the new version to our next meeting.";

static const char french[] =
    "Nous nous sommes retrouvés au café près de la gare, comme prévu. Il "
    "était inquiet à propos de son entretien pour le stage à l'hôpital : il "
    "a peur de ne pas savoir répondre aux questions sur ses faiblesses. "
    "Nous avons préparé ensemble trois exemples concrets tirés de son "
    "expérience de bénévole à la banque alimentaire, et il s'est engagé à "
    "les répéter à voix haute avant vendredi. Prochaine séance dans quinze "
    "jours, après l'entretien, pour en faire le bilan et préparer la suite.";

static uint8_t key[32], sign_pk[32], sign_sk[64];

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    randombytes_buf(key, sizeof key);
    crypto_sign_keypair(sign_pk, sign_sk);
    return 0;
}

/* seal makes a real envelope of pt (malloc'd). */
static uint8_t *seal(const char *pt, size_t len, uint64_t note, size_t *out)
{
    bn_note_ad ad = {.pair_id = 7,
                     .note_id = note,
                     .revision = 1,
                     .author_id = 3,
                     .kind = BN_KIND_REPORT};
    uint8_t *env = NULL;
    assert_int_equal(bn_envelope_seal(&env, out, key, 1, &ad,
                                      (const uint8_t *)pt, len, sign_sk),
                     0);
    return env;
}

/* count_code counts the findings of a code. */
static size_t count_code(const bnd_audit_report *r, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        n += strcmp(r->findings[i].code, code) == 0;
    return n;
}

static void test_random_bytes_pass(void **state)
{
    static uint8_t buf[65536];
    double x;
    (void)state;

    /* A thousand 256-byte draws: the smallest size tested alone, where
     * the tail is heaviest; P(any fails) is about 1e-9. */
    for (int i = 0; i < 1000; i++) {
        randombytes_buf(buf, 256);
        assert_int_equal(bnd_audit_random_enough(buf, 256, &x), 1);
    }
    randombytes_buf(buf, sizeof buf);
    assert_int_equal(bnd_audit_random_enough(buf, sizeof buf, &x), 1);
    assert_true(x > 150 && x < 400); /* mean 255, sd 22.6 */
    assert_int_equal(bnd_audit_random_enough(buf, 255, NULL), -1);
    assert_true(bnd_audit_chi2(buf, 0) == 0);
}

static void test_prose_fails(void **state)
{
    double x;
    (void)state;

    assert_true(sizeof english - 1 >= 400 && sizeof french - 1 >= 400);
    assert_int_equal(bnd_audit_random_enough((const uint8_t *)english,
                                             sizeof english - 1, &x),
                     0);
    assert_true(x > 5 * BND_AUDIT_CHI2_THRESHOLD);
    assert_int_equal(
        bnd_audit_random_enough((const uint8_t *)french, sizeof french - 1, &x),
        0);
    assert_true(x > 5 * BND_AUDIT_CHI2_THRESHOLD);
    /* Even the first 256 bytes alone. */
    assert_int_equal(
        bnd_audit_random_enough((const uint8_t *)english, 256, NULL), 0);
    assert_int_equal(
        bnd_audit_random_enough((const uint8_t *)french, 256, NULL), 0);
}

static void test_real_envelopes_pass(void **state)
{
    bnd_audit_report r;
    bnd_audit *a;
    char rec[32];
    (void)state;

    bnd_audit_report_init(&r, 0);
    assert_int_equal(bnd_audit_new(&a, &r), 0);
    for (int i = 0; i < 40; i++) {
        size_t len;
        const char *pt = i % 2 ? french : english;
        /* Long notes alone, and short ones (an objective's text) that go
         * to the pool. */
        size_t ptlen = i < 20 ? strlen(pt) : 20;
        uint8_t *env = seal(pt, ptlen, (uint64_t)i + 1, &len);
        snprintf(rec, sizeof rec, "note/7/%d", i + 1);
        assert_int_equal(bnd_audit_envelope(a, "notes", rec, env, len), 0);
        free(env);
    }
    assert_int_equal(bnd_audit_finish(a), 0);
    assert_int_equal(r.nfindings_total, 0);
    assert_int_equal(r.records, 40);
    assert_int_equal(r.envelopes, 40);
    assert_true(r.cipher_bytes > 40 * BN_ENVELOPE_MIN_BYTES);
    bnd_audit_free(a);
    bnd_audit_report_free(&r);
}

static void test_malformed(void **state)
{
    bnd_audit_report r;
    bnd_audit *a;
    size_t len;
    uint8_t *env = seal(english, 300, 1, &len);
    uint8_t chunk[1000];
    (void)state;

    bnd_audit_report_init(&r, 0);
    assert_int_equal(bnd_audit_new(&a, &r), 0);
    /* Truncated below the smallest envelope. */
    assert_int_equal(bnd_audit_envelope(a, "notes", "note/7/1", env,
                                        BN_ENVELOPE_MIN_BYTES - 1),
                     0);
    /* A wrong version byte. */
    env[0] = 9;
    assert_int_equal(bnd_audit_envelope(a, "notes", "note/7/2", env, len), 0);
    assert_int_equal(count_code(&r, BND_AUDIT_MALFORMED), 2);
    assert_string_equal(r.findings[0].record, "note/7/1");
    assert_string_equal(r.findings[1].record, "note/7/2");
    assert_non_null(strstr(r.findings[0].detail, "BN_ECORRUPT"));
    /* Chunks: 16 bytes cannot hold a secretstream chunk; 17 is the empty
     * final chunk of an empty file. */
    assert_int_equal(bnd_audit_chunk_ok(16), 0);
    assert_int_equal(bnd_audit_chunk_ok(17), 1);
    randombytes_buf(chunk, sizeof chunk);
    assert_int_equal(bnd_audit_chunk(a, "docs", "doc/1/0", chunk, 16), 0);
    assert_int_equal(bnd_audit_chunk(a, "docs", "doc/1/1", chunk, 1000), 0);
    assert_int_equal(count_code(&r, BND_AUDIT_MALFORMED), 3);
    /* A chunk of text is caught by the randomness test. */
    assert_int_equal(
        bnd_audit_chunk(a, "docs", "doc/1/2", (const uint8_t *)french, 400), 0);
    assert_int_equal(count_code(&r, BND_AUDIT_NOT_RANDOM), 1);
    bnd_audit_free(a);
    bnd_audit_report_free(&r);
    free(env);
}

static void test_nonce_reuse(void **state)
{
    bnd_audit_report r;
    bnd_audit *a;
    size_t l1, l2;
    uint8_t *e1 = seal(english, 300, 1, &l1);
    uint8_t *e2 = seal(french, 300, 2, &l2);
    (void)state;

    bnd_audit_report_init(&r, 0);
    assert_int_equal(bnd_audit_new(&a, &r), 0);
    assert_int_equal(bnd_audit_envelope(a, "notes", "note/7/1", e1, l1), 0);
    /* The same record fed again: counted once, not reuse. */
    assert_int_equal(bnd_audit_envelope(a, "notes", "note/7/1", e1, l1), 0);
    assert_int_equal(r.records, 1);
    assert_int_equal(r.nfindings_total, 0);
    /* The identical envelope stored a second time (a retry): reuse. */
    assert_int_equal(bnd_audit_envelope(a, "notes", "note/7/9", e1, l1), 0);
    /* Another envelope whose nonce was copied from the first. */
    memcpy(e2 + 5, e1 + 5, BN_NONCE_BYTES);
    assert_int_equal(bnd_audit_envelope(a, "objectives", "obj/7/4", e2, l2), 0);
    assert_int_equal(count_code(&r, BND_AUDIT_NONCE_REUSE), 2);
    assert_string_equal(r.findings[0].record, "note/7/9");
    assert_non_null(strstr(r.findings[0].detail, "notes/note/7/1"));
    assert_string_equal(r.findings[1].db, "objectives");
    assert_non_null(strstr(r.findings[1].detail, "notes/note/7/1"));
    assert_int_equal(r.records, 3);
    bnd_audit_free(a);
    bnd_audit_report_free(&r);
    free(e1);
    free(e2);
}

static void test_plaintext_in_envelope_shape(void **state)
{
    bnd_audit_report r;
    bnd_audit *a;
    uint8_t buf[29 + 600];
    (void)state;

    bnd_audit_report_init(&r, 0);
    assert_int_equal(bnd_audit_new(&a, &r), 0);
    /* A valid header followed by prose: well formed, but not random. */
    buf[0] = BN_ENVELOPE_VERSION;
    memset(buf + 1, 0, 4);
    randombytes_buf(buf + 5, 24);
    memcpy(buf + 29, english, 400);
    assert_int_equal(bnd_audit_envelope(a, "notes", "note/1/1", buf, 429), 0);
    assert_int_equal(count_code(&r, BND_AUDIT_NOT_RANDOM), 1);
    assert_string_equal(r.findings[0].record, "note/1/1");
    /* Small ones pooled: 12 records of 90 bytes of French text. */
    for (int i = 0; i < 12; i++) {
        char rec[16];
        randombytes_buf(buf + 5, 24);
        memcpy(buf + 29, french + 30 * i, 90);
        snprintf(rec, sizeof rec, "obj/1/%d", i);
        assert_int_equal(bnd_audit_envelope(a, "objectives", rec, buf, 29 + 90),
                         0);
    }
    assert_int_equal(count_code(&r, BND_AUDIT_NOT_RANDOM), 1);
    assert_int_equal(bnd_audit_finish(a), 0);
    assert_int_equal(count_code(&r, BND_AUDIT_NOT_RANDOM), 2);
    assert_string_equal(r.findings[1].db, "objectives");
    bnd_audit_free(a);
    bnd_audit_report_free(&r);
}

/* write_file writes len bytes of filler with canary at off (if any). */
static void write_file(const char *path, size_t len, const char *canary,
                       size_t off)
{
    uint8_t *buf = malloc(len);
    FILE *f = fopen(path, "wb");
    assert_non_null(buf);
    assert_non_null(f);
    randombytes_buf(buf, len);
    if (canary != NULL)
        memcpy(buf + off, canary, strlen(canary));
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
    free(buf);
}

static void test_canaries(void **state)
{
    char dir[] = "/tmp/bn-audit-XXXXXX", path[512];
    const char *c1 = "CANARY-7f3a-plaintext-marker";
    const char *c2 = "never-written-anywhere-91b2";
    const char *c3 = "zebra crossing at midnight";
    const bnd_audit_canary cs[3] = {
        {(const uint8_t *)c1, strlen(c1)},
        {(const uint8_t *)c2, strlen(c2)},
        {(const uint8_t *)c3, strlen(c3)},
    };
    uint8_t found[3];
    bnd_audit_report r;
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    /* c1 straddles the first block boundary of a 200 KB file. */
    snprintf(path, sizeof path, "%s/sub/data.mdb", dir);
    write_file(path, 200000, c1, BND_AUDIT_SCAN_BLOCK - 10);
    assert_int_equal(bnd_audit_scan_file(path, cs, 3, found), 0);
    assert_int_equal(found[0], 1);
    assert_int_equal(found[1], 0);
    assert_int_equal(found[2], 0);
    /* c3 across the second boundary of another file, c1 at its end. */
    snprintf(path, sizeof path, "%s/lock.mdb", dir);
    write_file(path, 3 * BND_AUDIT_SCAN_BLOCK, c3,
               2 * BND_AUDIT_SCAN_BLOCK - 1);
    assert_int_equal(bnd_audit_scan_file(path, cs, 3, found), 0);
    assert_int_equal(found[2], 1);
    assert_int_equal(found[0], 0);
    snprintf(path, sizeof path, "%s/clean", dir);
    write_file(path, 1000, NULL, 0);
    /* A symbolic link to a file with a canary is not followed. */
    {
        char link[512];
        snprintf(link, sizeof link, "%s/link", dir);
        snprintf(path, sizeof path, "%s/sub/data.mdb", dir);
        assert_int_equal(symlink(path, link), 0);
    }

    bnd_audit_report_init(&r, 0);
    assert_int_equal(bnd_audit_scan_dir(&r, dir, cs, 3), 0);
    assert_int_equal(r.files, 3);
    assert_int_equal(count_code(&r, BND_AUDIT_CANARY), 2);
    /* Name order: lock.mdb, then sub/data.mdb. */
    assert_string_equal(r.findings[0].record, "lock.mdb");
    assert_non_null(strstr(r.findings[0].detail, "#3"));
    assert_string_equal(r.findings[1].record, "sub/data.mdb");
    assert_non_null(strstr(r.findings[1].detail, "#1"));
    bnd_audit_report_free(&r);

    /* Bad canaries and a missing directory are errors. */
    bnd_audit_report_init(&r, 0);
    bnd_audit_canary empty = {(const uint8_t *)"", 0};
    assert_int_equal(bnd_audit_scan_dir(&r, dir, &empty, 1), BN_EINVAL);
    assert_true(bnd_audit_scan_dir(&r, "/nonexistent/bn-audit", cs, 1) < 0);
    bnd_audit_report_free(&r);

    assert_int_equal(bn_testfs_rmtree(dir), 0);
}

/* The live audit's search: canaries are looked for in the ciphertext fed
 * (envelopes, well formed or not, chunks, wraps), one bit each, adding no
 * finding; short, binary or too many canaries are refused. */
static void test_search(void **state)
{
    const char *c1 = "canary-in-a-note-0001-zq7";
    const char *c2 = "canary-in-a-chunk-0002-zq7";
    const char *c3 = "canary-nowhere-0003-zq7";
    const char *c4 = "canary-in-a-wrap-0004-zq7";
    const bnd_audit_canary cs[4] = {
        {(const uint8_t *)c1, strlen(c1)},
        {(const uint8_t *)c2, strlen(c2)},
        {(const uint8_t *)c3, strlen(c3)},
        {(const uint8_t *)c4, strlen(c4)},
    };
    uint8_t found[4] = {9, 9, 9, 9}, buf[1200], wrap[BN_WRAP_BYTES];
    bnd_audit_report r;
    bnd_audit *a;
    size_t len;
    (void)state;

    bnd_audit_report_init(&r, 0);
    assert_int_equal(bnd_audit_new(&a, &r), 0);
    assert_int_equal(bnd_audit_search(a, cs, 4, found), 0);
    assert_memory_equal(found, "\0\0\0\0", 4);
    /* A real envelope of text holding c1: sealed, so not found. */
    char text[200];
    snprintf(text, sizeof text, "We met; the code word was %s.", c1);
    uint8_t *env = seal(text, strlen(text), 1, &len);
    assert_int_equal(bnd_audit_envelope(a, "note_envs", "n1", env, len), 0);
    assert_memory_equal(found, "\0\0\0\0", 4);
    /* Random bytes shaped as an envelope with c1 in clear: found, and no
     * finding says where. */
    buf[0] = BN_ENVELOPE_VERSION;
    memset(buf + 1, 0, 4);
    randombytes_buf(buf + 5, sizeof buf - 5);
    memcpy(buf + 600, c1, strlen(c1));
    assert_int_equal(bnd_audit_envelope(a, "note_envs", "n2", buf, sizeof buf),
                     0);
    assert_memory_equal(found, "\1\0\0\0", 4);
    assert_int_equal(r.nfindings_total, 0);
    /* A chunk, even a malformed (short) one, is searched whole. */
    memcpy(buf, c2, strlen(c2));
    assert_int_equal(bnd_audit_chunk(a, "doc_chunks", "c1", buf, 10), 0);
    assert_memory_equal(found, "\1\0\0\0", 4); /* cut: not all there */
    assert_int_equal(bnd_audit_chunk(a, "doc_chunks", "c2", buf, 600), 0);
    assert_memory_equal(found, "\1\1\0\0", 4);
    randombytes_buf(wrap, sizeof wrap);
    wrap[0] = 1;
    memcpy(wrap + 40, c4, strlen(c4));
    assert_int_equal(bnd_audit_wrap(a, "wraps", "w1", wrap, sizeof wrap), 0);
    assert_memory_equal(found, "\1\1\0\1", 4);
    bnd_audit_free(a);
    bnd_audit_report_free(&r);
    free(env);

    /* Bad canaries: too short, binary, too long, too many. */
    bnd_audit_canary bad = {(const uint8_t *)"BNDK", 4};
    uint8_t bin[32] = {'B', 'N', 'D', 'K', 1};
    static uint8_t big[BN_AUDIT_CANARY_MAX + 1];
    static bnd_audit_canary many[BN_AUDIT_CANARIES_MAX + 1];
    uint8_t fmany[BN_AUDIT_CANARIES_MAX + 1];
    memset(big, 'x', sizeof big);
    for (size_t i = 0; i < BN_AUDIT_CANARIES_MAX + 1; i++)
        many[i] = cs[0];
    bnd_audit_report_init(&r, 0);
    assert_int_equal(bnd_audit_new(&a, &r), 0);
    assert_int_equal(bnd_audit_search(a, &bad, 1, found), BN_EINVAL);
    bad = (bnd_audit_canary){bin, sizeof bin};
    assert_int_equal(bnd_audit_search(a, &bad, 1, found), BN_EINVAL);
    bad = (bnd_audit_canary){big, sizeof big};
    assert_int_equal(bnd_audit_search(a, &bad, 1, found), BN_EINVAL);
    bad = (bnd_audit_canary){big, sizeof big - 1};
    assert_int_equal(bnd_audit_search(a, &bad, 1, found), 0);
    assert_int_equal(
        bnd_audit_search(a, many, BN_AUDIT_CANARIES_MAX + 1, fmany), BN_EINVAL);
    assert_int_equal(bnd_audit_search(a, many, BN_AUDIT_CANARIES_MAX, fmany),
                     0);
    bnd_audit_free(a);
    bnd_audit_report_free(&r);
}

static void test_report_output(void **state)
{
    bnd_audit_report r;
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    (void)state;

    bnd_audit_report_init(&r, 2);
    assert_int_equal(
        bnd_audit_add_struct(&r, "objectives", &bn_desc_objective_info), 0);
    assert_int_equal(
        bnd_audit_add_finding(&r, "canary", "disk", "a\"b\n\xff", "x %d", 1),
        0);
    assert_int_equal(bnd_audit_add_finding(&r, "canary", "disk", "b", "y"), 0);
    assert_int_equal(bnd_audit_add_finding(&r, "canary", "disk", "c", "z"), 0);
    assert_int_equal(r.nfindings, 2);
    assert_int_equal(r.nfindings_total, 3);
    assert_true(r.truncated);
    /* Control characters and invalid UTF-8 never reach the report. */
    assert_string_equal(r.findings[0].record, "a\"b??");
    int env_cipher = 0, status_clear = 0;
    for (size_t i = 0; i < r.nfields; i++) {
        env_cipher += strcmp(r.fields[i].field, "envelope") == 0 &&
                      strcmp(r.fields[i].kind, "ciphertext") == 0;
        status_clear += strcmp(r.fields[i].field, "status") == 0 &&
                        strcmp(r.fields[i].kind, "clear") == 0;
    }
    assert_int_equal(env_cipher, 1);
    assert_int_equal(status_clear, 1);

    f = open_memstream(&buf, &len);
    assert_int_equal(bnd_audit_report_write_json(f, &r), 0);
    fclose(f);
    assert_non_null(strstr(buf, "\"record\":\"a\\\"b??\""));
    assert_non_null(strstr(buf, "\"truncated\":true"));
    assert_non_null(strstr(buf, "\"findings_total\":3"));
    free(buf);
    f = open_memstream(&buf, &len);
    assert_int_equal(bnd_audit_report_write_text(f, &r), 0);
    fclose(f);
    assert_non_null(strstr(buf, "3 findings (only the first are listed)"));
    assert_non_null(strstr(buf, "ciphertext"));
    free(buf);
    bnd_audit_report_free(&r);
    bnd_audit_report_free(NULL);
}

BN_UNIT_GROUP(srv_auditcore);
