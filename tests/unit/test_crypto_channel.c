/*
 * test_crypto_channel.c: the NK handshake, the framed channel and login.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_list.h"

#include "bn_crypto.h"
#include "bn_util.h"

typedef struct server {
    uint8_t pk[32], sk[32];
} server;

static void server_init(server *s)
{
    crypto_box_keypair(s->pk, s->sk);
}

/* handshake runs both sides; returns the client's finish result. */
static int handshake(const server *s, const uint8_t pinned[32], bn_channel *cli,
                     bn_channel *srv)
{
    bn_hs_client hs;
    uint8_t msg1[BN_HS_MSG1_BYTES], msg2[BN_HS_MSG2_BYTES];
    assert_int_equal(bn_hs_client_start(&hs, pinned, msg1), 0);
    assert_int_equal(bn_hs_server_respond(s->sk, s->pk, msg1, msg2, srv), 0);
    return bn_hs_client_finish(&hs, msg2, cli);
}

static void connect_ok(bn_channel *cli, bn_channel *srv)
{
    server s;
    server_init(&s);
    assert_int_equal(handshake(&s, s.pk, cli, srv), 0);
}

static void test_handshake_roundtrip(void **state)
{
    (void)state;
    bn_channel cli, srv;
    connect_ok(&cli, &srv);
    assert_memory_equal(cli.tx_key, srv.rx_key, 32);
    assert_memory_equal(cli.rx_key, srv.tx_key, 32);
    assert_memory_not_equal(cli.tx_key, cli.rx_key, 32);
    assert_memory_equal(cli.hash, srv.hash, BN_HASH_BYTES);
    assert_int_equal(cli.tx_ctr, 0);
    assert_int_equal(srv.rx_ctr, 0);
    assert_int_equal(srv.tx_ctr, 1);
    assert_int_equal(cli.rx_ctr, 1);

    /* two connections to the same server share nothing */
    bn_channel cli2, srv2;
    connect_ok(&cli2, &srv2);
    assert_memory_not_equal(cli.tx_key, cli2.tx_key, 32);
    assert_memory_not_equal(cli.hash, cli2.hash, 32);
}

/* The handshake follows the construction documented in bn_channel.c: the
 * test recomputes h, the keys and the confirmation tag from the client's
 * ephemeral secret and the server's static secret. */
static void test_handshake_matches_documented_construction(void **state)
{
    (void)state;
    server s;
    bn_hs_client hs;
    bn_channel cli, srv;
    uint8_t msg1[BN_HS_MSG1_BYTES], msg2[BN_HS_MSG2_BYTES];
    uint8_t e_sk[32], es[32], ee[32], h[32], ikm[64], okm[64], tag[16];
    uint8_t nonce[12] = {0};
    crypto_generichash_state st;

    server_init(&s);
    assert_int_equal(bn_hs_client_start(&hs, s.pk, msg1), 0);
    memcpy(e_sk, hs.e_sk, 32);
    assert_int_equal(msg1[0], 1);
    assert_int_equal(bn_hs_server_respond(s.sk, s.pk, msg1, msg2, &srv), 0);
    assert_int_equal(msg2[0], 1);
    assert_int_equal(bn_hs_client_finish(&hs, msg2, &cli), 0);
    uint8_t zero[32] = {0};
    assert_memory_equal(hs.e_sk, zero, 32); /* ephemeral secret wiped */

    assert_int_equal(crypto_scalarmult(es, e_sk, s.pk), 0);
    assert_int_equal(crypto_scalarmult(ee, e_sk, msg2 + 1), 0);
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)"binome nk v1", 12);
    crypto_generichash_update(&st, s.pk, 32);
    crypto_generichash_update(&st, msg1, 33);
    crypto_generichash_update(&st, msg2, 33);
    crypto_generichash_final(&st, h, 32);
    assert_memory_equal(cli.hash, h, 32);
    memcpy(ikm, es, 32);
    memcpy(ikm + 32, ee, 32);
    crypto_generichash(okm, 64, ikm, 64, h, 32);
    assert_memory_equal(cli.tx_key, okm, 32);
    assert_memory_equal(cli.rx_key, okm + 32, 32);
    crypto_aead_chacha20poly1305_ietf_encrypt(tag, NULL, NULL, 0, h, 32, NULL,
                                              nonce, okm + 32);
    assert_memory_equal(msg2 + 33, tag, 16);

    /* frames: nonce = 4 zero bytes || counter little-endian */
    uint8_t frame[5 + BN_CHANNEL_OVERHEAD], expect[5 + BN_CHANNEL_OVERHEAD];
    uint8_t ad[4] = {0, 0, 0, 21};
    assert_int_equal(
        bn_channel_seal(&srv, frame, (const uint8_t *)"hello", 5, ad, 4), 0);
    nonce[4] = 1; /* s2c starts at 1 */
    crypto_aead_chacha20poly1305_ietf_encrypt(expect, NULL,
                                              (const uint8_t *)"hello", 5, ad,
                                              4, NULL, nonce, okm + 32);
    assert_memory_equal(frame, expect, sizeof frame);
    for (int i = 0; i < 256; i++)
        assert_int_equal(
            bn_channel_seal(&cli, frame, (const uint8_t *)"hello", 5, ad, 4),
            0);
    memset(nonce, 0, sizeof nonce);
    nonce[4] = 0xff; /* the 256th c2s frame has counter 255 */
    crypto_aead_chacha20poly1305_ietf_encrypt(
        expect, NULL, (const uint8_t *)"hello", 5, ad, 4, NULL, nonce, okm);
    assert_memory_equal(frame, expect, sizeof frame);
}

static void test_handshake_wrong_server_key(void **state)
{
    (void)state;
    server real, other;
    bn_channel cli, srv;
    server_init(&real);
    server_init(&other);
    /* the client pinned `other`, the server answering is `real` */
    assert_int_equal(handshake(&real, other.pk, &cli, &srv), BN_EHANDSHAKE);
    uint8_t zero[32] = {0};
    assert_memory_equal(cli.tx_key, zero, 32);

    /* an impostor that announces the pinned public key without its secret */
    server impostor = real;
    memcpy(impostor.pk, other.pk, 32);
    assert_int_equal(handshake(&impostor, other.pk, &cli, &srv), BN_EHANDSHAKE);
}

static void test_handshake_every_msg2_bit_flip_fails(void **state)
{
    (void)state;
    server s;
    server_init(&s);
    uint8_t msg1[BN_HS_MSG1_BYTES], msg2[BN_HS_MSG2_BYTES];
    bn_channel cli, srv;
    bn_hs_client hs, saved;
    assert_int_equal(bn_hs_client_start(&saved, s.pk, msg1), 0);
    assert_int_equal(bn_hs_server_respond(s.sk, s.pk, msg1, msg2, &srv), 0);
    for (size_t i = 0; i < sizeof msg2; i++) {
        for (int bit = 0; bit < 8; bit++) {
            hs = saved;
            msg2[i] ^= (uint8_t)(1u << bit);
            assert_int_equal(bn_hs_client_finish(&hs, msg2, &cli),
                             BN_EHANDSHAKE);
            msg2[i] ^= (uint8_t)(1u << bit);
        }
    }
    hs = saved;
    assert_int_equal(bn_hs_client_finish(&hs, msg2, &cli), 0);
}

static void test_handshake_every_msg1_bit_flip_fails(void **state)
{
    (void)state;
    server s;
    server_init(&s);
    uint8_t msg1[BN_HS_MSG1_BYTES], msg2[BN_HS_MSG2_BYTES];
    bn_channel cli, srv;
    bn_hs_client hs, saved;
    assert_int_equal(bn_hs_client_start(&saved, s.pk, msg1), 0);
    for (size_t i = 0; i < sizeof msg1; i++) {
        for (int bit = 0; bit < 8; bit++) {
            msg1[i] ^= (uint8_t)(1u << bit);
            int rc = bn_hs_server_respond(s.sk, s.pk, msg1, msg2, &srv);
            if (rc == 0) {
                hs = saved;
                rc = bn_hs_client_finish(&hs, msg2, &cli);
            }
            assert_int_equal(rc, BN_EHANDSHAKE);
            msg1[i] ^= (uint8_t)(1u << bit);
        }
    }
}

static void test_handshake_low_order_points(void **state)
{
    (void)state;
    server s;
    server_init(&s);
    uint8_t msg1[BN_HS_MSG1_BYTES], msg2[BN_HS_MSG2_BYTES];
    bn_channel cli, srv;
    bn_hs_client hs;
    /* u = 0 and u = 1 are points of small order: all-zero DH output */
    for (int u = 0; u <= 1; u++) {
        memset(msg1, 0, sizeof msg1);
        msg1[0] = BN_HS_VERSION;
        msg1[1] = (uint8_t)u;
        assert_int_equal(bn_hs_server_respond(s.sk, s.pk, msg1, msg2, &srv),
                         BN_EHANDSHAKE);

        assert_int_equal(bn_hs_client_start(&hs, s.pk, msg1), 0);
        memset(msg2, 0, sizeof msg2);
        msg2[0] = BN_HS_VERSION;
        msg2[1] = (uint8_t)u;
        assert_int_equal(bn_hs_client_finish(&hs, msg2, &cli), BN_EHANDSHAKE);
    }
    /* a low-order pinned server key */
    uint8_t bad[32] = {0};
    assert_int_equal(bn_hs_client_start(&hs, bad, msg1), 0);
    assert_int_equal(bn_hs_server_respond(s.sk, s.pk, msg1, msg2, &srv), 0);
    assert_int_equal(bn_hs_client_finish(&hs, msg2, &cli), BN_EHANDSHAKE);
    /* unknown version */
    assert_int_equal(bn_hs_client_start(&hs, s.pk, msg1), 0);
    msg1[0] = 2;
    assert_int_equal(bn_hs_server_respond(s.sk, s.pk, msg1, msg2, &srv),
                     BN_EHANDSHAKE);
}

/* ---- frames ------------------------------------------------------------ */

static void seal_n(bn_channel *tx, uint8_t frames[][8 + BN_CHANNEL_OVERHEAD],
                   int n)
{
    for (int i = 0; i < n; i++) {
        uint8_t pt[8];
        bn_put_be64(pt, (uint64_t)i);
        assert_int_equal(bn_channel_seal(tx, frames[i], pt, 8, NULL, 0), 0);
    }
}

static int open_one(bn_channel *rx, const uint8_t *frame, uint64_t *val)
{
    uint8_t pt[8];
    uint64_t before = rx->rx_ctr;
    int rc = bn_channel_open(rx, pt, frame, 8 + BN_CHANNEL_OVERHEAD, NULL, 0);
    if (rc == 0) {
        assert_int_equal(rx->rx_ctr, before + 1);
        *val = bn_get_be64(pt);
    } else {
        assert_int_equal(rx->rx_ctr, before); /* failure changes nothing */
    }
    return rc;
}

static void test_channel_both_directions(void **state)
{
    (void)state;
    bn_channel cli, srv;
    uint8_t f[4][8 + BN_CHANNEL_OVERHEAD];
    uint64_t v;
    connect_ok(&cli, &srv);
    seal_n(&cli, f, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(open_one(&srv, f[i], &v), 0);
        assert_int_equal(v, (uint64_t)i);
    }
    seal_n(&srv, f, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(open_one(&cli, f[i], &v), 0);
        assert_int_equal(v, (uint64_t)i);
    }
    /* empty frames are legal */
    uint8_t e[BN_CHANNEL_OVERHEAD], o[1];
    assert_int_equal(bn_channel_seal(&cli, e, NULL, 0, NULL, 0), 0);
    assert_int_equal(bn_channel_open(&srv, o, e, sizeof e, NULL, 0), 0);
}

static void test_channel_replay_drop_reorder(void **state)
{
    (void)state;
    bn_channel cli, srv;
    uint8_t f[4][8 + BN_CHANNEL_OVERHEAD];
    uint64_t v;
    connect_ok(&cli, &srv);
    seal_n(&cli, f, 4);
    assert_int_equal(open_one(&srv, f[0], &v), 0);
    /* replay */
    assert_int_equal(open_one(&srv, f[0], &v), BN_EAUTH);
    /* drop f[1]: f[2] comes next */
    assert_int_equal(open_one(&srv, f[2], &v), BN_EAUTH);
    /* reorder: f[3] before f[1] */
    assert_int_equal(open_one(&srv, f[3], &v), BN_EAUTH);
    /* the receiver did not move: the real next frame still opens */
    assert_int_equal(open_one(&srv, f[1], &v), 0);
    assert_int_equal(v, 1);
    /* a frame reflected back to its sender */
    seal_n(&cli, f, 1);
    assert_int_equal(open_one(&cli, f[0], &v), BN_EAUTH);
    /* a frame from another connection */
    bn_channel cli2, srv2;
    connect_ok(&cli2, &srv2);
    seal_n(&cli2, f, 1);
    assert_int_equal(open_one(&srv, f[0], &v), BN_EAUTH);
}

static void test_channel_every_bit_flip_and_ad(void **state)
{
    (void)state;
    bn_channel cli, srv;
    uint8_t frame[8 + BN_CHANNEL_OVERHEAD], pt[8];
    uint8_t ad[4] = {0, 0, 0, sizeof frame};
    connect_ok(&cli, &srv);
    assert_int_equal(
        bn_channel_seal(&srv, frame, (const uint8_t *)"12345678", 8, ad, 4), 0);
    for (size_t i = 0; i < sizeof frame; i++) {
        for (int bit = 0; bit < 8; bit++) {
            frame[i] ^= (uint8_t)(1u << bit);
            assert_int_equal(
                bn_channel_open(&cli, pt, frame, sizeof frame, ad, 4),
                BN_EAUTH);
            frame[i] ^= (uint8_t)(1u << bit);
        }
    }
    for (size_t i = 0; i < sizeof ad; i++) {
        ad[i] ^= 1;
        assert_int_equal(bn_channel_open(&cli, pt, frame, sizeof frame, ad, 4),
                         BN_EAUTH);
        ad[i] ^= 1;
    }
    assert_int_equal(bn_channel_open(&cli, pt, frame, sizeof frame, NULL, 0),
                     BN_EAUTH);
    assert_int_equal(bn_channel_open(&cli, pt, frame, sizeof frame - 1, ad, 4),
                     BN_EAUTH);
    assert_int_equal(bn_channel_open(&cli, pt, frame, 3, ad, 4), BN_EAUTH);
    assert_int_equal(cli.rx_ctr, 1);
    assert_int_equal(bn_channel_open(&cli, pt, frame, sizeof frame, ad, 4), 0);
    assert_memory_equal(pt, "12345678", 8);
}

static void test_channel_counter_exhausted_and_wipe(void **state)
{
    (void)state;
    bn_channel cli, srv;
    uint8_t frame[BN_CHANNEL_OVERHEAD + 1], pt[1];
    connect_ok(&cli, &srv);
    cli.tx_ctr = UINT64_MAX;
    assert_int_equal(bn_channel_seal(&cli, frame, pt, 0, NULL, 0), BN_ELIMIT);
    srv.rx_ctr = UINT64_MAX;
    assert_int_equal(
        bn_channel_open(&srv, pt, frame, BN_CHANNEL_OVERHEAD, NULL, 0),
        BN_ELIMIT);
    bn_channel_wipe(&cli);
    bn_channel zero;
    memset(&zero, 0, sizeof zero);
    assert_memory_equal(&cli, &zero, sizeof cli);
}

/* ---- login ------------------------------------------------------------- */

static void test_login(void **state)
{
    (void)state;
    bn_channel cli, srv, cli2, srv2;
    uint8_t pk[32], sk[64], pk2[32], sk2[64], sig[BN_SIG_BYTES];
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    connect_ok(&cli, &srv);
    connect_ok(&cli2, &srv2);
    assert_int_equal(bn_login_sign(sig, &cli, sk), 0);
    assert_int_equal(bn_login_verify(sig, &srv, pk), 0);
    /* the documented message */
    uint8_t msg[15 + 32];
    memcpy(msg, "binome login v1", 15);
    memcpy(msg + 15, srv.hash, 32);
    assert_int_equal(crypto_sign_verify_detached(sig, msg, sizeof msg, pk), 0);
    /* another account's key */
    assert_int_equal(bn_login_verify(sig, &srv, pk2), BN_ESIG);
    /* replayed on another connection */
    assert_int_equal(bn_login_verify(sig, &srv2, pk), BN_ESIG);
    /* altered */
    for (size_t i = 0; i < sizeof sig; i++) {
        sig[i] ^= 0x01;
        assert_int_equal(bn_login_verify(sig, &srv, pk), BN_ESIG);
        sig[i] ^= 0x01;
    }
}

BN_UNIT_GROUP(crypto_channel);
