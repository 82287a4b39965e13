/*
 * test_bad_wraps.c: a malicious member over the real protocol cannot lock
 * the pair out with key wraps (issue 11). The mentor's client is made to
 * cheat: it logs a first key whose wrap for the mentee seals another key
 * than the one its key id names, signed and well formed, so the daemon
 * stores it. The mentee's stock client must skip that wrap with a warning,
 * re-key to the next epoch, and both must go on reading what is written.
 * A wrap whose signature does not verify never reaches the store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define PASS "bad wraps test pass phrase"
#include "bnc_internal.h"
#include "itest_world.h"

typedef struct fix {
    bn_testd d;
    itw_pair_world w;
} fix;

static int setup(void **state)
{
    fix *f = calloc(1, sizeof *f);
    if (f == NULL || bn_crypto_init() != 0 || bn_testd_start(&f->d) != 0)
        return -1;
    *state = f;
    if (itw_pair_world_accepted(&f->d, "Wraps", "keys", &f->w) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    fix *f = *state;
    bn_testd_stop(&f->d);
    free(f);
    return 0;
}

enum cheat { HONEST, WRONG_KEY, BAD_SIGNATURE };

/* key_put_as sends, as the mentor on an opened pair, the key of an epoch:
 * its own wrap holds key; the mentee's holds key (HONEST), another key
 * named by key's id (WRONG_KEY) or key under a broken signature
 * (BAD_SIGNATURE). */
static int key_put_as(fix *f, bnc_client *c, bnc_pair *p,
                      const bnc_profile *prof, uint32_t epoch, enum cheat how)
{
    struct bn_key_wrap w[2];
    uint8_t key[32], other[32], kid[32];
    bn_msg req, rep = {0};
    int rc;

    bn_pairkey_generate(key);
    bn_pairkey_generate(other);
    bn_pairkey_id(kid, f->w.pair_id, epoch, key);
    memset(w, 0, sizeof w);
    for (int i = 0; i < 2; i++) {
        uint64_t m = i == 0 ? f->w.mentor_id : f->w.mentee_id;
        const bnc_member *mm = bnc_pair_member(p, m);
        assert_non_null(mm);
        w[i].epoch = epoch;
        w[i].member_id = m;
        w[i].wrapper_id = f->w.mentor_id;
        memcpy(w[i].key_id, kid, 32);
        assert_int_equal(
            bn_pairkey_wrap(
                w[i].wrap, f->w.pair_id, epoch, m, mm->box_pk, f->w.mentor_id,
                i == 1 && how == WRONG_KEY ? other : key, prof->id->sign_sk),
            0);
    }
    if (how == BAD_SIGNATURE)
        w[1].wrap[BN_WRAP_BYTES - 1] ^= 1;
    bn_msg_init(&req, BN_MSG_KEY_PUT, 0);
    req.u.key_put.pair_id = f->w.pair_id;
    req.u.key_put.epoch = epoch;
    req.u.key_put.wraps.v = w;
    req.u.key_put.wraps.len = 2;
    rc = bnc__write(c, p, &req, &req.u.key_put.entry, BN_MSG_OK, &rep);
    bn_msg_free(&rep);
    return rc;
}

/* cheat_key_put sends, as the mentor, the first key of the pair. */
static int cheat_key_put(fix *f, int sig_ok)
{
    bnc_profile *prof = NULL;
    bnc_client *c = NULL;
    bnc_pair *p = NULL;
    int rc = itw_open_client(f->w.mentor_dir, &prof, &c);

    if (rc == 0)
        rc = bnc_pair_open(c, f->w.pair_id, BNC_PAIR_NOKEYS, &p);
    assert_int_equal(rc, 0);
    rc = key_put_as(f, c, p, prof, 1, sig_ok ? WRONG_KEY : BAD_SIGNATURE);
    bnc_pair_free(p);
    itw_close_client(prof, c);
    return rc;
}

/* warned tells whether one of p's warnings holds needle. */
static int warned(const bnc_pair *p, const char *needle)
{
    for (size_t i = 0; i < p->nwarnings; i++)
        if (strstr(p->warnings[i], needle) != NULL)
            return 1;
    return 0;
}

/* assert_note_reads checks that note opens to text (len bytes). */
static void assert_note_reads(bnc_client *c, const bnc_pair *p, uint64_t note,
                              const char *text, size_t len)
{
    uint8_t *body = NULL;
    size_t got = 0;
    assert_int_equal(bnc_note_get(c, p, note, 0, NULL, &body, &got), 0);
    assert_int_equal(got, len);
    assert_memory_equal(body, text, len);
    sodium_memzero(body, got);
    sodium_free(body);
}

static void test_bad_signature_refused(void **state)
{
    fix *f = *state;
    assert_int_equal(cheat_key_put(f, 0), BN_ESIG);
    /* Nothing was stored: the mentee draws the first key itself. */
    assert_int_equal(itw_pair_open(f->w.mentee_dir, f->w.pair_id, 0), 0);
    assert_int_equal(itw_pair_open(f->w.mentor_dir, f->w.pair_id, 0), 0);
}

static void test_wrong_key_skipped_and_rekeyed(void **state)
{
    fix *f = *state;
    static const char text[] = "what we agreed at the second session";
    bnc_profile *prof = NULL;
    bnc_client *c = NULL;
    bnc_pair *p = NULL;
    bnc_note_spec spec = {0, 0, BN_KIND_REPORT, 0, 0, 0};
    uint64_t note = 0;

    assert_int_equal(cheat_key_put(f, 1), 0);

    /* The mentee: the wrap does not give the logged key; skipped, warned,
     * and the pair moves to epoch 2 with a key the mentee drew. */
    assert_int_equal(itw_open_client(f->w.mentee_dir, &prof, &c), 0);
    assert_int_equal(bnc_pair_open(c, f->w.pair_id, 0, &p), 0);
    assert_int_equal(p->info.epoch, 2);
    assert_true(warned(p, "epoch 1"));
    assert_int_equal(bnc_note_put(c, p, &spec, (const uint8_t *)text,
                                  sizeof text - 1, &note, NULL),
                     0);
    bnc_pair_free(p);
    itw_close_client(prof, c);

    /* The mentor reads it with the key of epoch 2 the mentee wrapped. */
    assert_int_equal(itw_open_client(f->w.mentor_dir, &prof, &c), 0);
    assert_int_equal(bnc_pair_open(c, f->w.pair_id, 0, &p), 0);
    assert_int_equal(p->info.epoch, 2);
    assert_note_reads(c, p, note, text, sizeof text - 1);
    bnc_pair_free(p);
    itw_close_client(prof, c);
}

/* The mentor re-keys until the pair holds all the wraps it may, the last
 * time with a wrong key for the mentee: the mentee cannot re-key any
 * more, and still reads and ends the pair (it is not locked out). */
static void test_rekeys_exhausted_not_locked_out(void **state)
{
    fix *f = *state;
    static const char text[] = "written before the re-keys";
    bnc_profile *prof = NULL;
    bnc_client *c = NULL;
    bnc_pair *p = NULL;
    bnc_note_spec spec = {0, 0, BN_KIND_NOTE, 0, 0, 0};
    uint64_t note = 0;
    uint32_t last = BN_WRAPS_MAX / 2, e;

    /* The first key, honest, and a note under it. */
    assert_int_equal(itw_pair_open(f->w.mentor_dir, f->w.pair_id, 0), 0);
    assert_int_equal(itw_open_client(f->w.mentee_dir, &prof, &c), 0);
    assert_int_equal(bnc_pair_open(c, f->w.pair_id, 0, &p), 0);
    assert_int_equal(bnc_note_put(c, p, &spec, (const uint8_t *)text,
                                  sizeof text - 1, &note, NULL),
                     0);
    bnc_pair_free(p);
    itw_close_client(prof, c);
    /* The mentor's re-keys. */
    assert_int_equal(itw_open_client(f->w.mentor_dir, &prof, &c), 0);
    assert_int_equal(bnc_pair_open(c, f->w.pair_id, BNC_PAIR_NOKEYS, &p), 0);
    for (e = 2; e <= last; e++)
        assert_int_equal(
            key_put_as(f, c, p, prof, e, e == last ? WRONG_KEY : HONEST), 0);
    assert_int_equal(key_put_as(f, c, p, prof, last + 1, HONEST), BN_ELIMIT);
    bnc_pair_free(p);
    itw_close_client(prof, c);

    assert_int_equal(itw_open_client(f->w.mentee_dir, &prof, &c), 0);
    assert_int_equal(bnc_pair_open(c, f->w.pair_id, 0, &p), 0);
    assert_true(warned(p, "not write"));
    assert_note_reads(c, p, note, text, sizeof text - 1);
    assert_int_equal(bnc_note_put(c, p, &spec, (const uint8_t *)text,
                                  sizeof text - 1, NULL, NULL),
                     BN_ENOKEY);
    assert_int_equal(bnc_pair_end(c, p, BN_END_WITHDRAWN), 0);
    bnc_pair_free(p);
    itw_close_client(prof, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_signature_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wrong_key_skipped_and_rekeyed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_rekeys_exhausted_not_locked_out,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
