/*
 * test_cli_draft.c: the local drafts (bnc_draft.c, bn_draftbox.c): a draft
 * comes back as it was saved, its file is 0600 in a 0700 directory and
 * holds no plaintext, its size hides short lengths, and a draft altered,
 * cut, renamed, or read by another account does not open.
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
static bnc_profile *prof;

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bnc-draft-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    if (bnc_profile_new(&prof, tmpdir) != 0)
        return -1;
    prof->account_id = 42;
    prof->id = bn_identity_new();
    if (prof->id == NULL || bn_identity_generate(prof->id) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bnc_profile_free(prof);
    prof = NULL;
    return bn_testfs_rmtree(tmpdir);
}

/* note_draft fills a draft for a new report in pair 7 with text. */
static void note_draft(bnc_draft *d, const char *text)
{
    memset(d, 0, sizeof *d);
    d->action = BNC_DRAFT_NOTE_ADD;
    d->kind = BNC_KIND_REPORT;
    d->is_private = 1;
    d->pair_id = 7;
    d->session_id = 3;
    assert_int_equal(bnc_draft_set_text(d, (const uint8_t *)text, strlen(text)),
                     0);
}

/* slurp reads a whole file (malloc'd) and its size. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(1 << 20);
    assert_non_null(f);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static void spill(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void test_round_trip(void **state)
{
    const char *text = "Canary-unit-draft: what we agreed";
    char path[BNC_PATH_MAX + 32];
    bnc_draft d, e;
    uint8_t *buf;
    size_t len;
    (void)state;

    note_draft(&d, text);
    assert_int_equal(bnc_draft_save(prof, &d), 0);
    assert_true(d.id != 0);
    assert_true(d.note_id != 0); /* drawn once: a resend is one note */
    assert_true(d.created > 0);
    assert_int_equal(bnc_draft_path(prof, d.id, path, sizeof path), 0);
    assert_int_equal(mode_of(path), 0600);
    snprintf(path, sizeof path, "%s/drafts", tmpdir);
    assert_int_equal(mode_of(path), 0700);

    assert_int_equal(bnc_draft_path(prof, d.id, path, sizeof path), 0);
    buf = slurp(path, &len);
    assert_null(memmem(buf, len, "Canary-unit-draft", 17));
    free(buf);

    assert_int_equal(bnc_draft_load(prof, d.id, &e), 0);
    assert_int_equal(e.id, d.id);
    assert_int_equal(e.action, BNC_DRAFT_NOTE_ADD);
    assert_int_equal(e.kind, BNC_KIND_REPORT);
    assert_int_equal(e.is_private, 1);
    assert_int_equal(e.pair_id, 7);
    assert_int_equal(e.note_id, d.note_id);
    assert_int_equal(e.session_id, 3);
    assert_int_equal(e.created, d.created);
    assert_int_equal(e.len, strlen(text));
    assert_memory_equal(e.text, text, e.len);

    /* Saving again keeps the id and the note id; the text changes. */
    assert_int_equal(bnc_draft_set_text(&e, (const uint8_t *)"v2", 2), 0);
    assert_int_equal(bnc_draft_save(prof, &e), 0);
    assert_int_equal(e.id, d.id);
    bnc_draft_clear(&e);
    assert_int_equal(bnc_draft_load(prof, d.id, &e), 0);
    assert_int_equal(e.len, 2);
    assert_int_equal(e.note_id, d.note_id);
    bnc_draft_clear(&e);
    bnc_draft_clear(&d);
}

static void test_size_hides_length(void **state)
{
    char path[BNC_PATH_MAX + 32];
    char long_text[190];
    bnc_draft a, b;
    struct stat sa, sb;
    (void)state;

    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    note_draft(&a, "ok");
    note_draft(&b, long_text);
    assert_int_equal(bnc_draft_save(prof, &a), 0);
    assert_int_equal(bnc_draft_save(prof, &b), 0);
    assert_int_equal(bnc_draft_path(prof, a.id, path, sizeof path), 0);
    assert_int_equal(stat(path, &sa), 0);
    assert_int_equal(bnc_draft_path(prof, b.id, path, sizeof path), 0);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sa.st_size, sb.st_size);
    bnc_draft_clear(&a);
    bnc_draft_clear(&b);
}

static void test_altered_cut_moved_foreign(void **state)
{
    char path[BNC_PATH_MAX + 32], other[BNC_PATH_MAX + 32];
    bnc_draft d, e;
    bn_identity *mine;
    uint8_t *buf;
    size_t len;
    (void)state;

    note_draft(&d, "a text to protect");
    assert_int_equal(bnc_draft_save(prof, &d), 0);
    assert_int_equal(bnc_draft_path(prof, d.id, path, sizeof path), 0);
    buf = slurp(path, &len);

    /* One bit flipped in the ciphertext. */
    buf[len - 20] ^= 1;
    spill(path, buf, len);
    assert_int_equal(bnc_draft_load(prof, d.id, &e), BN_EAUTH);
    buf[len - 20] ^= 1;
    /* Cut short, or not a draft at all. */
    spill(path, buf, len - 1);
    assert_int_equal(bnc_draft_load(prof, d.id, &e), BN_EAUTH);
    spill(path, buf, 10);
    assert_int_equal(bnc_draft_load(prof, d.id, &e), BN_ECORRUPT);
    /* Intact again: it opens. */
    spill(path, buf, len);
    assert_int_equal(bnc_draft_load(prof, d.id, &e), 0);
    bnc_draft_clear(&e);
    /* Moved to another name. */
    assert_int_equal(bnc_draft_path(prof, d.id ^ 1, other, sizeof other), 0);
    spill(other, buf, len);
    assert_int_equal(bnc_draft_load(prof, d.id ^ 1, &e), BN_EAUTH);
    unlink(other);
    /* Another account (another id, or another identity) cannot read it. */
    prof->account_id = 43;
    assert_int_equal(bnc_draft_load(prof, d.id, &e), BN_EAUTH);
    prof->account_id = 42;
    mine = prof->id;
    prof->id = bn_identity_new();
    assert_int_equal(bn_identity_generate(prof->id), 0);
    assert_int_equal(bnc_draft_load(prof, d.id, &e), BN_EAUTH);
    bn_identity_free(prof->id);
    prof->id = mine;
    /* Without the identity, nothing is read nor written. */
    prof->id = NULL;
    assert_int_equal(bnc_draft_load(prof, d.id, &e), BN_EINVAL);
    assert_int_equal(bnc_draft_save(prof, &d), BN_EINVAL);
    prof->id = mine;
    assert_null(e.text);
    free(buf);
    bnc_draft_clear(&d);
}

static void test_list_and_discard(void **state)
{
    char path[BNC_PATH_MAX + 32];
    bnc_draft d[3], *items = NULL;
    uint64_t *ids = NULL;
    size_t n = 0, bad = 0;
    (void)state;

    for (int i = 0; i < 3; i++) {
        note_draft(&d[i], "text");
        assert_int_equal(bnc_draft_save(prof, &d[i]), 0);
    }
    /* Not drafts: skipped. A draft's name with junk inside: counted. */
    snprintf(path, sizeof path, "%s/drafts/.tmp.123", tmpdir);
    spill(path, (const uint8_t *)"x", 1);
    snprintf(path, sizeof path, "%s/drafts/00000000000000ff", tmpdir);
    spill(path, (const uint8_t *)"BNDRAFT1 but nothing more", 25);
    assert_int_equal(bnc_draft_ids(prof, &ids, &n), 0);
    assert_int_equal(n, 4);
    free(ids);
    assert_int_equal(bnc_draft_list(prof, &items, &n, &bad), 0);
    assert_int_equal(n, 3);
    assert_int_equal(bad, 1);
    for (size_t i = 1; i < n; i++)
        assert_true(items[i - 1].created <= items[i].created);
    bnc_draft_list_free(items, n);

    assert_int_equal(bnc_draft_discard(prof, d[1].id), 0);
    assert_int_equal(bnc_draft_discard(prof, d[1].id), BN_ENOTFOUND);
    assert_int_equal(bnc_draft_load(prof, d[1].id, &d[1]), BN_ENOTFOUND);
    for (int i = 0; i < 3; i++)
        bnc_draft_clear(&d[i]);
}

static void test_refuses_what_cannot_be_sent(void **state)
{
    char big[BNC_OBJECTIVE_TEXT_MAX + 2];
    bnc_draft d = {0};
    (void)state;

    assert_int_equal(bnc_draft_set_text(&d, (const uint8_t *)"", 0), BN_EINVAL);
    d.action = BNC_DRAFT_OBJECTIVE_ADD;
    d.pair_id = 7;
    d.date = 20000;
    memset(big, 'o', sizeof big);
    assert_int_equal(bnc_draft_set_text(&d, (const uint8_t *)big, sizeof big),
                     0);
    assert_int_equal(bnc_draft_save(prof, &d), BN_EINVAL);
    bnc_draft_clear(&d);
    note_draft(&d, "no pair");
    d.pair_id = 0;
    assert_int_equal(bnc_draft_save(prof, &d), BN_EINVAL);
    bnc_draft_clear(&d);
}

/* The sealed copy of a sent note's last revision (issue 15, pair resync
 * --rewrite): read back whole, never in clear on disk, and opened only
 * under its own pair, note and account. */
static void test_sent_copies(void **state)
{
    char path[512], other[512];
    bnc_draft d, back;
    uint8_t *buf;
    size_t len;
    (void)state;

    note_draft(&d, "Sent-canary-5e1f: what we wrote");
    assert_int_equal(bnc_sent_load(prof, 7, 0x1234, &back), BN_ENOTFOUND);
    assert_int_equal(bnc_sent_keep(prof, &d, 0x1234, 1), 0);
    assert_int_equal(bnc_sent_load(prof, 7, 0x1234, &back), 0);
    assert_int_equal(back.id, 0);
    assert_int_equal(back.action, BNC_DRAFT_NOTE_ADD);
    assert_int_equal(back.kind, BNC_KIND_REPORT);
    assert_int_equal(back.is_private, 1);
    assert_int_equal(back.pair_id, 7);
    assert_int_equal(back.note_id, 0x1234);
    assert_int_equal(back.session_id, 3);
    assert_int_equal(back.revision, 1);
    assert_int_equal(back.len, d.len);
    assert_memory_equal(back.text, d.text, d.len);
    bnc_draft_clear(&back);
    /* A later revision replaces it. */
    d.action = BNC_DRAFT_NOTE_EDIT;
    d.revision = 1;
    assert_int_equal(bnc_sent_keep(prof, &d, 0x1234, 2), 0);
    assert_int_equal(bnc_sent_load(prof, 7, 0x1234, &back), 0);
    assert_int_equal(back.revision, 2);
    bnc_draft_clear(&back);
    /* Never in clear. */
    snprintf(path, sizeof path, "%s/sent/7/%016x", tmpdir, 0x1234);
    buf = slurp(path, &len);
    assert_null(memmem(buf, len, "Sent-canary-5e1f", 16));
    /* Under another note's name, or another pair's: it does not open. */
    snprintf(other, sizeof other, "%s/sent/7/%016x", tmpdir, 0x5678);
    spill(other, buf, len);
    assert_int_not_equal(bnc_sent_load(prof, 7, 0x5678, &back), 0);
    assert_null(back.text);
    free(buf);
    /* Objectives are not kept; nor a note without its id. */
    assert_int_equal(bnc_sent_keep(prof, &d, 0, 1), BN_EINVAL);
    /* Forgotten with the pair. */
    assert_int_equal(bnc_sent_forget(prof, 7), 0);
    assert_int_equal(bnc_sent_load(prof, 7, 0x1234, &back), BN_ENOTFOUND);
    assert_int_equal(access(path, F_OK), -1);
    bnc_draft_clear(&d);
}

BN_UNIT_GROUP(cli_draft);
