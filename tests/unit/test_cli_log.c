/*
 * test_cli_log.c: bnc_log_check, the one check of the server's pair log
 * against the head a client remembers: a chain with an entry removed,
 * altered or reordered is BN_ECHAIN; a shorter log or another entry at
 * the remembered seq (a fork) is BN_EROLLBACK; each names the entry.
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

#define PAIR 7
#define N 6

#include "unit_authors.h" /* ids[2], setup, teardown */

static int key_fn(void *ctx, uint64_t author, uint8_t pk[32])
{
    (void)ctx;
    if (author != 2 && author != 3)
        return BN_ENOTFOUND;
    memcpy(pk, ids[author - 2]->sign_pk, 32);
    return 0;
}

/* sign_at fills entry e with seq and prev, a body made from tag, signed
 * by author. */
static void sign_at(bn_log_entry *e, uint64_t seq, const uint8_t prev[32],
                    uint64_t author, const char *tag)
{
    memset(e, 0, sizeof *e);
    e->version = BN_LOG_VERSION;
    e->op = 0x40; /* NOTE_PUT */
    e->item = seq;
    e->sub = 1;
    e->seq = seq;
    memcpy(e->prev, prev, 32);
    bn_hash(e->body_hash, (const uint8_t *)tag, strlen(tag));
    e->author_id = author;
    e->time = 1700000000 + (int64_t)seq;
    assert_int_equal(bn_log_entry_sign(e, PAIR, ids[author - 2]->sign_sk), 0);
}

/* chain makes N entries, authors alternating, and their heads. */
static void chain(bn_log_entry *v, bnc_log_head *heads)
{
    uint8_t prev[32] = {0};
    char tag[32];

    for (int i = 0; i < N; i++) {
        snprintf(tag, sizeof tag, "write %d", i + 1);
        sign_at(&v[i], (uint64_t)i + 1, prev, 2 + (uint64_t)(i % 2), tag);
        bn_log_entry_hash(prev, PAIR, &v[i]);
        heads[i].seq = (uint64_t)i + 1;
        memcpy(heads[i].hash, prev, 32);
    }
}

static void test_whole_chain_from_nothing(void **state)
{
    bn_log_entry v[N];
    bnc_log_head h[N], out;
    uint64_t bad = 99;
    (void)state;

    chain(v, h);
    assert_int_equal(
        bnc_log_check(PAIR, NULL, v, N, &h[N - 1], key_fn, NULL, &out, &bad),
        0);
    assert_int_equal(out.seq, N);
    assert_memory_equal(out.hash, h[N - 1].hash, 32);
    assert_int_equal(bad, 0);
    /* An empty log with nothing remembered is fine too. */
    bnc_log_head zero = {0};
    assert_int_equal(
        bnc_log_check(PAIR, &zero, NULL, 0, &zero, key_fn, NULL, &out, NULL),
        0);
    assert_int_equal(out.seq, 0);
}

static void test_extends_remembered_head(void **state)
{
    bn_log_entry v[N];
    bnc_log_head h[N], out;
    (void)state;

    chain(v, h);
    /* Remembered seq 3: the server sends from entry 3 on. */
    assert_int_equal(bnc_log_check(PAIR, &h[2], v + 2, N - 2, &h[N - 1], key_fn,
                                   NULL, &out, NULL),
                     0);
    assert_int_equal(out.seq, N);
    /* Nothing new since: only the remembered entry comes back. */
    assert_int_equal(bnc_log_check(PAIR, &h[N - 1], v + N - 1, 1, &h[N - 1],
                                   key_fn, NULL, &out, NULL),
                     0);
    assert_int_equal(out.seq, N);
}

static void test_entry_removed(void **state)
{
    bn_log_entry v[N], cut[N - 1];
    bnc_log_head h[N];
    uint64_t bad = 0;
    (void)state;

    chain(v, h);
    /* Entry 4 dropped, the others unchanged. */
    memcpy(cut, v, 3 * sizeof *v);
    memcpy(cut + 3, v + 4, 2 * sizeof *v);
    assert_int_equal(bnc_log_check(PAIR, NULL, cut, N - 1, &h[N - 1], key_fn,
                                   NULL, NULL, &bad),
                     BN_ECHAIN);
    assert_int_equal(bad, 4);
    /* The same, seen from a remembered head at seq 2. */
    bad = 0;
    assert_int_equal(bnc_log_check(PAIR, &h[1], cut + 1, N - 2, &h[N - 1],
                                   key_fn, NULL, NULL, &bad),
                     BN_ECHAIN);
    assert_int_equal(bad, 4);
    /* The first entry dropped. */
    bad = 0;
    assert_int_equal(bnc_log_check(PAIR, NULL, v + 1, N - 1, &h[N - 1], key_fn,
                                   NULL, NULL, &bad),
                     BN_ECHAIN);
    assert_int_equal(bad, 1);
}

static void test_entry_altered(void **state)
{
    bn_log_entry v[N];
    bnc_log_head h[N];
    uint64_t bad = 0;
    (void)state;

    chain(v, h);
    v[3].body_hash[0] ^= 1; /* another write claimed at seq 4 */
    assert_int_equal(
        bnc_log_check(PAIR, NULL, v, N, &h[N - 1], key_fn, NULL, NULL, &bad),
        BN_ECHAIN);
    assert_int_equal(bad, 4);
    /* Another author named: the signature no longer matches. */
    chain(v, h);
    v[2].author_id = 3;
    bad = 0;
    assert_int_equal(bnc_log_check(PAIR, &h[1], v + 1, N - 1, &h[N - 1], key_fn,
                                   NULL, NULL, &bad),
                     BN_ECHAIN);
    assert_int_equal(bad, 3);
    /* An author who is no member. */
    chain(v, h);
    v[4].author_id = 9;
    bad = 0;
    assert_int_equal(
        bnc_log_check(PAIR, NULL, v, N, NULL, key_fn, NULL, NULL, &bad),
        BN_ECHAIN);
    assert_int_equal(bad, 5);
}

static void test_entries_reordered(void **state)
{
    bn_log_entry v[N], t;
    bnc_log_head h[N];
    uint64_t bad = 0;
    (void)state;

    chain(v, h);
    t = v[3];
    v[3] = v[4];
    v[4] = t;
    assert_int_equal(
        bnc_log_check(PAIR, NULL, v, N, &h[N - 1], key_fn, NULL, NULL, &bad),
        BN_ECHAIN);
    assert_int_equal(bad, 4);
}

static void test_rolled_back(void **state)
{
    bn_log_entry v[N];
    bnc_log_head h[N];
    uint64_t bad = 0;
    (void)state;

    chain(v, h);
    /* We saw seq 5; the server now says its head is seq 3. */
    assert_int_equal(
        bnc_log_check(PAIR, &h[4], NULL, 0, &h[2], key_fn, NULL, NULL, &bad),
        BN_EROLLBACK);
    assert_int_equal(bad, 5);
    /* Without an announced head: the log it sends stops before seq 5. */
    bad = 0;
    assert_int_equal(
        bnc_log_check(PAIR, &h[4], NULL, 0, NULL, key_fn, NULL, NULL, &bad),
        BN_EROLLBACK);
    assert_int_equal(bad, 5);
    /* Or it answers from an earlier seq than the one asked for. */
    bad = 0;
    assert_int_equal(
        bnc_log_check(PAIR, &h[4], v + 2, 3, &h[4], key_fn, NULL, NULL, &bad),
        BN_EROLLBACK);
    assert_int_equal(bad, 5);
}

static void test_forked(void **state)
{
    bn_log_entry v[N], fork[N];
    bnc_log_head h[N], fh[N];
    uint64_t bad = 0;
    (void)state;

    chain(v, h);
    /* The server keeps entries 1 to 3, then shows another entry 4 (signed
     * by a real member: a write it replayed elsewhere) and another 5. */
    memcpy(fork, v, 3 * sizeof *v);
    memcpy(fh, h, 3 * sizeof *h);
    sign_at(&fork[3], 4, h[2].hash, 3, "another write 4");
    bn_log_entry_hash(fh[3].hash, PAIR, &fork[3]);
    fh[3].seq = 4;
    sign_at(&fork[4], 5, fh[3].hash, 2, "another write 5");
    bn_log_entry_hash(fh[4].hash, PAIR, &fork[4]);
    fh[4].seq = 5;
    /* The forked chain verifies on its own... */
    assert_int_equal(
        bnc_log_check(PAIR, NULL, fork, 5, &fh[4], key_fn, NULL, NULL, NULL),
        0);
    /* ...but not for the client that saw the real entry 4. */
    assert_int_equal(bnc_log_check(PAIR, &h[3], fork + 3, 2, &fh[4], key_fn,
                                   NULL, NULL, &bad),
                     BN_EROLLBACK);
    assert_int_equal(bad, 4);
}

static void test_announced_head_differs(void **state)
{
    bn_log_entry v[N];
    bnc_log_head h[N], more;
    uint64_t bad = 0;
    (void)state;

    chain(v, h);
    /* PAIR_DETAIL says seq 6, the log sent stops at 5: entries withheld. */
    assert_int_equal(bnc_log_check(PAIR, NULL, v, N - 1, &h[N - 1], key_fn,
                                   NULL, NULL, &bad),
                     BN_ECHAIN);
    assert_int_equal(bad, N);
    /* Same seq, another hash. */
    more = h[N - 1];
    more.hash[5] ^= 0x80;
    bad = 0;
    assert_int_equal(
        bnc_log_check(PAIR, NULL, v, N, &more, key_fn, NULL, NULL, &bad),
        BN_ECHAIN);
    assert_int_equal(bad, N);
}

static void test_digest_and_record(void **state)
{
    char dir[] = "/tmp/bnc-log-XXXXXX", path[300], d[BNC_LOG_DIGEST_MAX];
    bnc_profile *prof = NULL;
    bnc_log_head h = {0}, back;
    FILE *f;
    (void)state;

    bnc_log_digest(&h, d);
    assert_string_equal(d, "-");
    h.seq = 12;
    for (int i = 0; i < 32; i++)
        h.hash[i] = (uint8_t)(0x10 + i);
    bnc_log_digest(&h, d);
    assert_string_equal(d, "1011 1213 1415 1617");

    assert_non_null(mkdtemp(dir));
    assert_int_equal(bnc_profile_new(&prof, dir), 0);
    assert_int_equal(bnc_log_load(prof, 5, &back), 0);
    assert_int_equal(back.seq, 0); /* nothing remembered */
    assert_int_equal(bnc_log_save(prof, 5, &h), 0);
    assert_int_equal(bnc_log_load(prof, 5, &back), 0);
    assert_int_equal(back.seq, 12);
    assert_memory_equal(back.hash, h.hash, 32);
    snprintf(path, sizeof path, "%s/log/5", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("12 nothex\n", f);
    fclose(f);
    assert_int_equal(bnc_log_load(prof, 5, &back), BN_ECORRUPT);
    assert_int_equal(bnc_log_forget(prof, 5), 0);
    assert_int_equal(bnc_log_load(prof, 5, &back), 0);
    assert_int_equal(back.seq, 0);
    assert_int_equal(bn_testfs_rmtree(dir), 0);
    bnc_profile_free(prof);
}

BN_UNIT_GROUP(cli_log);
