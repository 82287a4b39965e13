/*
 * test_srv_rate.c: requests per second per account (bnd_rate.h), first
 * the token bucket alone on a made-up clock, then through dispatch: the
 * request past the burst gets BN_ELIMIT and the connection goes on, the
 * bucket refills, two connections of one account share it, another
 * account has its own, and 0 turns the limit off.
 */
#include <time.h>

#include "bnd_rate.h"
#include "test_srv_world.h"
#include "test_list.h"

static void test_bucket(void **state)
{
    (void)state;
    bnd_rate *r = bnd_rate_new();
    assert_non_null(r);
    uint64_t t = 5000;
    for (int i = 0; i < 10; i++)
        assert_int_equal(bnd_rate_take(r, 7, t, 10, 10, BND_RATE_REQUEST), 0);
    assert_int_equal(bnd_rate_take(r, 7, t, 10, 10, BND_RATE_REQUEST),
                     BN_ELIMIT);
    assert_int_equal(bnd_rate_take(r, 7, t + 50, 10, 10, BND_RATE_REQUEST),
                     BN_ELIMIT);
    /* 10 per second: one more every 100 ms */
    assert_int_equal(bnd_rate_take(r, 7, t + 100, 10, 10, BND_RATE_REQUEST), 0);
    assert_int_equal(bnd_rate_take(r, 7, t + 100, 10, 10, BND_RATE_REQUEST),
                     BN_ELIMIT);
    assert_int_equal(bnd_rate_take(r, 8, t + 100, 10, 10, BND_RATE_REQUEST), 0);
    assert_int_equal(bnd_rate_take(r, 7, t + 350, 10, 10, BND_RATE_REQUEST), 0);
    assert_int_equal(bnd_rate_take(r, 7, t + 350, 10, 10, BND_RATE_REQUEST), 0);
    assert_int_equal(bnd_rate_take(r, 7, t + 350, 10, 10, BND_RATE_REQUEST),
                     BN_ELIMIT);
    /* never above the burst, however long idle */
    t += 3600 * 1000;
    for (int i = 0; i < 10; i++)
        assert_int_equal(bnd_rate_take(r, 7, t, 10, 10, BND_RATE_REQUEST), 0);
    assert_int_equal(bnd_rate_take(r, 7, t, 10, 10, BND_RATE_REQUEST),
                     BN_ELIMIT);
    /* 0: no limit */
    for (int i = 0; i < 100; i++)
        assert_int_equal(bnd_rate_take(r, 7, t, 0, 10, BND_RATE_REQUEST), 0);
    /* a document chunk costs 1/64: a burst of 10 requests is 625 chunks,
     * and what is left is still counted in requests */
    t += 3600 * 1000;
    for (int i = 0; i < 625; i++)
        assert_int_equal(bnd_rate_take(r, 9, t, 10, 10, BND_RATE_CHUNK), 0);
    assert_int_equal(bnd_rate_take(r, 9, t, 10, 10, BND_RATE_CHUNK), BN_ELIMIT);
    assert_int_equal(bnd_rate_take(r, 9, t, 10, 10, BND_RATE_REQUEST),
                     BN_ELIMIT);
    /* 2 ms refill 20 thousandths: one chunk (16), then 100 ms more make
     * the request */
    assert_int_equal(bnd_rate_take(r, 9, t + 2, 10, 10, BND_RATE_CHUNK), 0);
    assert_int_equal(bnd_rate_take(r, 9, t + 102, 10, 10, BND_RATE_REQUEST), 0);
    bnd_rate_free(r);
    bnd_rate_free(NULL);
}

/* Idle accounts' buckets go: the table does not grow with every account
 * ever seen. */
static void test_expiry(void **state)
{
    (void)state;
    bnd_rate *r = bnd_rate_new();
    assert_non_null(r);
    uint64_t t = 1000;
    for (uint64_t a = 1; a <= 5000; a++)
        assert_int_equal(bnd_rate_take(r, a, t, 100, 10, BND_RATE_REQUEST), 0);
    assert_int_equal(bnd_rate_count(r), 5000);
    t += 120 * 1000; /* all full again, a sweep is due */
    assert_int_equal(bnd_rate_take(r, 1, t, 100, 10, BND_RATE_REQUEST), 0);
    assert_int_equal(bnd_rate_count(r), 1);
    bnd_rate_free(r);
}

/* The keys: defaults, 0 turns the rate limit and the slow-reader limit
 * off, a burst of 0 is refused. */
static void test_config(void **state)
{
    (void)state;
    bnd_config c;
    bnd_config_defaults(&c);
    assert_int_equal(c.rate_per_account, 200);
    assert_int_equal(c.rate_burst, 400);
    assert_int_equal(c.slow_reader_ms, 30000);
    assert_int_equal(bnd_config_set(&c, "rate_per_account", "0"), 0);
    assert_int_equal(c.rate_per_account, 0);
    assert_int_equal(bnd_config_set(&c, "rate_per_account", "10"), 0);
    assert_int_equal(c.rate_per_account, 10);
    assert_int_equal(bnd_config_set(&c, "rate_burst", "0"), BN_EINVAL);
    assert_int_equal(bnd_config_set(&c, "rate_burst", "10"), 0);
    assert_int_equal(c.rate_burst, 10);
    assert_int_equal(bnd_config_set(&c, "slow_reader_s", "2"), 0);
    assert_int_equal(c.slow_reader_ms, 2000);
    assert_int_equal(bnd_config_set(&c, "slow_reader_s", "0"), 0);
    assert_int_equal(c.slow_reader_ms, 0);
    assert_int_equal(bnd_config_set(&c, "max_inflight", "0"), BN_EINVAL);
}

static int whoami(tclient *c)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_WHOAMI, 0);
    int rc = call(c, &m);
    if (rc == 0)
        assert_int_equal(c->rep.u.logged_in.account.id, c->s.actor.account_id);
    assert_int_equal(c->flags, 0); /* the connection goes on either way */
    return rc;
}

/* DOC_READ of a document that does not exist, as the mentor of pair A. */
static int doc_read(tclient *c)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_DOC_READ, 0);
    m.u.doc_read.pair_id = W.pair_a;
    m.u.doc_read.doc_id = 0x7fffffffu;
    m.u.doc_read.index = 0;
    return call(c, &m);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void test_dispatch(void **state)
{
    (void)state;
    tclient second; /* another connection of the mentor's account */
    client_init(&second);
    second.s.actor = W.mentor.s.actor;
    second.s.logged_in = 1;

    bnd_config saved = W.srv->cfg;
    W.srv->cfg.rate_per_account = 10;
    W.srv->cfg.rate_burst = 10;
    sleep_ms(1100); /* the world's setup used the mentor's bucket */
    for (int i = 0; i < 10; i++)
        assert_int_equal(whoami(&W.mentor), 0);
    assert_int_equal(whoami(&W.mentor), BN_ELIMIT);
    assert_string_equal(bn_strerror(BN_ELIMIT),
                        "limit exceeded; slow down or try later");
    /* the account's other connection shares the empty bucket */
    assert_int_equal(whoami(&second), BN_ELIMIT);
    /* another account is not held back */
    assert_int_equal(whoami(&W.mentee), 0);
    /* a read that would be refused anyway counts, and is refused for the
     * limit first */
    assert_int_equal(note_list(&W.mentor, W.pair_a, 0), BN_ELIMIT);

    /* document chunks cost 1/64 of a request: 320 reads of a missing
     * document take 5 requests' worth, so a full bucket lets them all
     * through, and a WHOAMI after them still goes */
    sleep_ms(1100);
    for (int i = 0; i < 320; i++)
        assert_int_equal(doc_read(&W.mentor), BN_ENOTFOUND);
    assert_int_equal(whoami(&W.mentor), 0);

    sleep_ms(1100);
    for (int i = 0; i < 10; i++)
        assert_int_equal(whoami(&W.mentor), 0);
    assert_int_equal(whoami(&W.mentor), BN_ELIMIT);
    sleep_ms(350); /* 3 requests refilled */
    int ok = 0;
    for (int i = 0; i < 6; i++)
        ok += whoami(i % 2 ? &second : &W.mentor) == 0;
    assert_true(ok >= 3 && ok < 6); /* more only on a very slow machine */

    /* 0: no limit */
    W.srv->cfg.rate_per_account = 0;
    for (int i = 0; i < 50; i++)
        assert_int_equal(whoami(&W.mentor), 0);
    W.srv->cfg.rate_per_account = saved.rate_per_account;
    W.srv->cfg.rate_burst = saved.rate_burst;
    client_free(&second);
}

BN_UNIT_GROUP(srv_rate);
