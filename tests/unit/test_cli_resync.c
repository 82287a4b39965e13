/*
 * test_cli_resync.c: after a restore from backup (issue 15,
 * client/lib/bnc_resync.c): what a verified server log lost of what this
 * client verified (bnc__log_loss), told apart as a rollback (the log
 * stops early) or a fork (other entries from some seq on), with the lost
 * entries the profile's index knows; the index and the record of
 * resyncs, written and read back, holding ids and numbers only.
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
#include "bnc_internal.h"

#define PAIR 7
#define N 8

#include "unit_authors.h" /* ids[2], setup, teardown */

/* the op each entry logs, in turn: what a pair's log holds */
static const uint8_t ops[N] = {BN_MSG_PAIR_ACCEPT,   BN_MSG_PAIR_ACCEPT,
                               BN_MSG_KEY_PUT,       BN_MSG_NOTE_PUT,
                               BN_MSG_SESSION_ADD,   BN_MSG_NOTE_PUT,
                               BN_MSG_OBJECTIVE_ADD, BN_MSG_MEMBER_ADD};

/* sign_at fills e: seq, prev, the op of its place, a body from tag. */
static void sign_at(bn_log_entry *e, uint64_t seq, const uint8_t prev[32],
                    uint64_t author, const char *tag)
{
    memset(e, 0, sizeof *e);
    e->version = BN_LOG_VERSION;
    e->op = ops[(seq - 1) % N];
    e->item = 0x1000 + seq;
    e->sub = (uint32_t)seq % 3 + 1;
    e->seq = seq;
    memcpy(e->prev, prev, 32);
    bn_hash(e->body_hash, (const uint8_t *)tag, strlen(tag));
    e->author_id = author;
    e->time = 1700000000 + (int64_t)seq;
    assert_int_equal(bn_log_entry_sign(e, PAIR, ids[author - 2]->sign_sk), 0);
}

/* chain makes n entries from v[from-1]'s hash on (from 1: from nothing),
 * authors alternating, tag prefix told apart: two chains of one prefix
 * share their entries; another prefix forks from `from`. */
static void chain(bn_log_entry *v, size_t from, size_t n, const char *prefix)
{
    uint8_t prev[32] = {0};
    char tag[64];

    if (from > 1)
        bn_log_entry_hash(prev, PAIR, &v[from - 2]);
    for (size_t i = from - 1; i < n; i++) {
        snprintf(tag, sizeof tag, "%s %zu", prefix, i + 1);
        sign_at(&v[i], (uint64_t)i + 1, prev, 2 + (uint64_t)(i % 2), tag);
        bn_log_entry_hash(prev, PAIR, &v[i]);
    }
}

/* index_of: the index this client keeps of v[0..n). */
static void index_of(const bn_log_entry *v, size_t n, bnc__idx *idx)
{
    memset(idx, 0, n * sizeof *idx);
    for (size_t i = 0; i < n; i++) {
        idx[i].it.seq = v[i].seq;
        idx[i].it.op = v[i].op;
        idx[i].it.author_id = v[i].author_id;
        idx[i].it.time = v[i].time;
        idx[i].it.item = v[i].item;
        idx[i].it.sub = v[i].sub;
        bn_log_entry_hash(idx[i].hash, PAIR, &v[i]);
    }
}

static void head_of(const bn_log_entry *v, size_t seq, bnc_log_head *h)
{
    h->seq = seq;
    bn_log_entry_hash(h->hash, PAIR, &v[seq - 1]);
}

static void test_rollback_names_the_lost_tail(void **state)
{
    bn_log_entry v[N];
    bnc__idx idx[N];
    bnc_log_head known;
    bnc_log_loss l;
    (void)state;

    chain(v, 1, N, "seen");
    index_of(v, N, idx);
    head_of(v, N, &known);
    /* The backup had entries 1 to 5. */
    assert_int_equal(bnc__log_loss(PAIR, &known, idx, N, v, 5, &l), 0);
    assert_int_equal(l.forked, 0);
    assert_int_equal(l.exact, 1);
    assert_int_equal(l.from_seq, 6);
    assert_int_equal(l.known_seq, N);
    assert_int_equal(l.server_seq, 5);
    assert_int_equal(l.nlost, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(l.lost[i].seq, 6 + i);
        assert_int_equal(l.lost[i].op, ops[5 + i]);
        assert_int_equal(l.lost[i].author_id, v[5 + i].author_id);
        assert_int_equal(l.lost[i].time, v[5 + i].time);
        assert_int_equal(l.lost[i].item, v[5 + i].item);
        assert_int_equal(l.lost[i].sub, v[5 + i].sub);
    }
    bnc__loss_clear(&l);
    /* Nothing left at all: every entry is lost. */
    assert_int_equal(bnc__log_loss(PAIR, &known, idx, N, v, 0, &l), 0);
    assert_int_equal(l.from_seq, 1);
    assert_int_equal(l.nlost, N);
    bnc__loss_clear(&l);
    /* A log that holds the known head lost nothing. */
    assert_int_equal(bnc__log_loss(PAIR, &known, idx, N, v, N, &l), BN_EINVAL);
    head_of(v, 4, &known);
    assert_int_equal(bnc__log_loss(PAIR, &known, idx, 4, v, N, &l), BN_EINVAL);
    assert_null(l.lost);
}

static void test_fork_found_where_it_starts(void **state)
{
    bn_log_entry seen[N], other[N];
    bnc__idx idx[N];
    bnc_log_head known;
    bnc_log_loss l;
    (void)state;

    chain(seen, 1, N, "seen");
    index_of(seen, 6, idx);
    head_of(seen, 6, &known);
    /* The server's log shares entries 1-3, then holds others: shorter. */
    memcpy(other, seen, sizeof other);
    chain(other, 4, 5, "other");
    assert_int_equal(bnc__log_loss(PAIR, &known, idx, 6, other, 5, &l), 0);
    assert_int_equal(l.forked, 1);
    assert_int_equal(l.exact, 1);
    assert_int_equal(l.from_seq, 4);
    assert_int_equal(l.server_seq, 5);
    assert_int_equal(l.nlost, 3);
    assert_int_equal(l.lost[0].seq, 4);
    assert_int_equal(l.lost[2].seq, 6);
    bnc__loss_clear(&l);
    /* ... or longer than what we saw: still a fork at 4. */
    chain(other, 4, N, "other");
    assert_int_equal(bnc__log_loss(PAIR, &known, idx, 6, other, N, &l), 0);
    assert_int_equal(l.forked, 1);
    assert_int_equal(l.from_seq, 4);
    assert_int_equal(l.server_seq, N);
    assert_int_equal(l.nlost, 3);
    bnc__loss_clear(&l);
    /* A fork at the known head itself. */
    memcpy(other, seen, sizeof other);
    chain(other, 6, 6, "other");
    assert_int_equal(bnc__log_loss(PAIR, &known, idx, 6, other, 6, &l), 0);
    assert_int_equal(l.forked, 1);
    assert_int_equal(l.from_seq, 6);
    assert_int_equal(l.nlost, 1);
    assert_int_equal(l.lost[0].op, ops[5]);
    bnc__loss_clear(&l);
}

static void test_without_a_usable_index(void **state)
{
    bn_log_entry seen[N], other[N];
    bnc__idx idx[N];
    bnc_log_head known;
    bnc_log_loss l;
    (void)state;

    chain(seen, 1, N, "seen");
    head_of(seen, 6, &known);
    /* No index (a profile from before it): only the head to go by. */
    assert_int_equal(bnc__log_loss(PAIR, &known, NULL, 0, seen, 4, &l), 0);
    assert_int_equal(l.forked, 0);
    assert_int_equal(l.exact, 0);
    assert_int_equal(l.from_seq, 5);
    assert_int_equal(l.nlost, 0);
    bnc__loss_clear(&l);
    memcpy(other, seen, sizeof other);
    chain(other, 3, N, "other");
    assert_int_equal(bnc__log_loss(PAIR, &known, NULL, 0, other, N, &l), 0);
    assert_int_equal(l.forked, 1);
    assert_int_equal(l.exact, 0);
    assert_int_equal(l.from_seq, 6); /* a bound: it started at 3 */
    bnc__loss_clear(&l);
    /* An index that does not end at the known head (stale, or edited) is
     * not believed: the same answer as none. */
    index_of(seen, N, idx);
    idx[5].hash[0] ^= 1;
    assert_int_equal(bnc__log_loss(PAIR, &known, idx, N, seen, 4, &l), 0);
    assert_int_equal(l.exact, 0);
    assert_int_equal(l.from_seq, 5);
    bnc__loss_clear(&l);
    /* An index with a hole before the head: not believed either. */
    index_of(seen, N, idx);
    idx[2].it.seq = 9;
    assert_int_equal(bnc__log_loss(PAIR, &known, idx, N, seen, 4, &l), 0);
    assert_int_equal(l.exact, 0);
    bnc__loss_clear(&l);
    /* A log that is not numbered from 1 is refused. */
    assert_int_equal(bnc__log_loss(PAIR, &known, NULL, 0, seen + 1, 3, &l),
                     BN_EINVAL);
}

static void test_index_and_record_round_trip(void **state)
{
    char dir[] = "/tmp/bnc-resync-XXXXXX", path[300], buf[4096];
    bn_log_entry v[N];
    bnc_profile *prof = NULL;
    bnc_pair p;
    bnc__idx *back = NULL;
    bnc_resync *r = NULL;
    bnc_log_head known;
    bnc_log_loss l;
    size_t n = 0;
    FILE *f;
    (void)state;

    assert_non_null(mkdtemp(dir));
    assert_int_equal(bnc_profile_new(&prof, dir), 0);
    chain(v, 1, N, "seen");
    memset(&p, 0, sizeof p);
    p.info.id = PAIR;
    p.log = v;
    p.nlog = N;
    assert_int_equal(bnc__idx_load(prof, PAIR, &back, &n), 0);
    assert_int_equal(n, 0); /* none yet */
    assert_int_equal(bnc__idx_write(prof, &p), 0);
    /* entry 6 is a note revision of ours: its kind and session noted */
    assert_int_equal(
        bnc__mine_note(prof, PAIR, v[5].item, v[5].sub, BNC_KIND_REPORT, 5), 0);
    assert_int_equal(bnc__idx_load(prof, PAIR, &back, &n), 0);
    assert_int_equal(n, N);
    for (size_t i = 0; i < N; i++) {
        uint8_t h[32];
        bn_log_entry_hash(h, PAIR, &v[i]);
        assert_int_equal(back[i].it.seq, i + 1);
        assert_int_equal(back[i].it.op, v[i].op);
        assert_int_equal(back[i].it.author_id, v[i].author_id);
        assert_int_equal(back[i].it.time, v[i].time);
        assert_int_equal(back[i].it.item, v[i].item);
        assert_int_equal(back[i].it.sub, v[i].sub);
        assert_memory_equal(back[i].hash, h, 32);
        assert_int_equal(back[i].it.note_kind, i == 5 ? BNC_KIND_REPORT : 0);
        assert_int_equal(back[i].it.session_id, i == 5 ? 5 : 0);
    }
    /* The index, read back, names the loss. */
    head_of(v, N, &known);
    assert_int_equal(bnc__log_loss(PAIR, &known, back, n, v, 5, &l), 0);
    assert_int_equal(l.nlost, 3);
    assert_int_equal(l.lost[0].note_kind, BNC_KIND_REPORT);
    free(back);
    /* The record of the resync, read back. */
    assert_int_equal(bnc_log_resyncs(prof, PAIR, &r, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(bnc__resync_record(prof, PAIR, &l), 0);
    assert_int_equal(bnc__resync_record(prof, PAIR, &l), 0);
    assert_int_equal(bnc_log_resyncs(prof, PAIR, &r, &n), 0);
    assert_int_equal(n, 2);
    assert_true(r[1].date > 0);
    assert_int_equal(r[1].loss.from_seq, 6);
    assert_int_equal(r[1].loss.known_seq, N);
    assert_int_equal(r[1].loss.server_seq, 5);
    assert_int_equal(r[1].loss.nlost, 3);
    assert_int_equal(r[1].loss.lost[2].seq, 8);
    assert_int_equal(r[1].loss.lost[2].op, v[7].op);
    assert_int_equal(r[1].loss.lost[0].session_id, 5);
    bnc_log_resyncs_free(r, n);
    bnc__loss_clear(&l);
    /* The files hold numbers only, mode 0600. */
    snprintf(path, sizeof path, "%s/log/%d.idx", dir, PAIR);
    f = fopen(path, "r");
    assert_non_null(f);
    memset(buf, 0, sizeof buf);
    assert_true(fread(buf, 1, sizeof buf - 1, f) > 0);
    fclose(f);
    for (size_t i = 0; buf[i]; i++)
        assert_true(strchr("0123456789abcdef \n", buf[i]) != NULL);
    /* An index line that does not parse is BN_ECORRUPT. */
    f = fopen(path, "a");
    assert_non_null(f);
    fputs("9 nonsense\n", f);
    fclose(f);
    assert_int_equal(bnc__idx_load(prof, PAIR, &back, &n), BN_ECORRUPT);
    assert_null(back);
    /* So is a record that promises more lost entries than it holds. */
    snprintf(path, sizeof path, "%s/log/%d.resync", dir, PAIR);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("resync 1700000000 6 8 5 0 1 3\nlost 6 64 0 2 1 1 1 0 0\n", f);
    fclose(f);
    assert_int_equal(bnc_log_resyncs(prof, PAIR, &r, &n), BN_ECORRUPT);
    assert_null(r);
    assert_int_equal(bn_testfs_rmtree(dir), 0);
    bnc_profile_free(prof);
}

static void test_op_names(void **state)
{
    (void)state;
    assert_string_equal(bnc_log_op_name(BNC_LOG_OP_NOTE_PUT), "note revision");
    assert_string_equal(bnc_log_op_name(BNC_LOG_OP_SESSION_ADD), "session");
    assert_string_equal(bnc_log_op_name(BNC_LOG_OP_OBJECTIVE_ADD), "objective");
    assert_string_equal(bnc_log_op_name(BNC_LOG_OP_KEY_PUT), "key epoch");
    assert_non_null(
        strstr(bnc_log_op_name(BNC_LOG_OP_MEMBER_ADD), "member change"));
    assert_non_null(
        strstr(bnc_log_op_name(BNC_LOG_OP_MEMBER_REMOVE), "member change"));
    assert_string_equal(bnc_log_op_name(0xee), "entry");
}

BN_UNIT_GROUP(cli_resync);
