/*
 * bn_channel.c: the handshake (Noise NK semantics), the channel, login.
 *
 * Notation: S/s the server's static X25519 public/secret key (pinned by
 * the client from the invitation), e_c and e_s fresh ephemeral X25519 key
 * pairs (crypto_box_keypair) for each connection. All X25519 is
 * crypto_scalarmult, which returns -1 for an all-zero output (low-order
 * point): the handshake then fails with BN_EHANDSHAKE.
 *
 *   msg1 (33 bytes) = version 0x01 || e_c.pk (32)
 *   msg2 (49 bytes) = version 0x01 || e_s.pk (32) || tag (16)
 *
 *   h   = BLAKE2b-256("binome nk v1" (12 ASCII, no NUL) || S || msg1
 *                      || msg2[0..33))     -- i.e. || 0x01 || e_s.pk
 *   es  = X25519(e_c, S)  (server: X25519(s, e_c.pk))
 *   ee  = X25519(e_c, e_s.pk)  (server: X25519(e_s, e_c.pk))
 *   okm = BLAKE2b-512(key = h (32 bytes), message = es || ee)
 *   c2s = okm[0..32), s2c = okm[32..64)
 *   tag = crypto_aead_chacha20poly1305_ietf_encrypt("" , AD = h,
 *                                                  nonce(0), key = s2c)
 * The client opens tag; any failure is BN_EHANDSHAKE. A server without s
 * cannot compute es, hence neither s2c nor the tag. Both sides check the
 * version byte (BN_EHANDSHAKE). e_c.sk / e_s.sk, es, ee, okm and the
 * hashing state are wiped; the client's bn_hs_client is wiped by finish,
 * success or failure.
 *
 * Frames: crypto_aead_chacha20poly1305_ietf with the direction's key,
 * nonce(n) = 4 zero bytes || n as a 64-bit LITTLE-endian counter (as in
 * WireGuard/Noise), ad = caller's AD (the frame's length prefix).
 * Counters: client -> server (c2s) starts at 0; server -> client (s2c)
 * starts at 1 because s2c nonce 0 was used by the confirmation tag.
 * tx_ctr advances on every seal; rx_ctr advances only on a successful
 * open, so a replayed, dropped, reordered or altered frame fails with
 * BN_EAUTH and changes nothing. A counter at UINT64_MAX refuses to seal
 * or open (BN_ELIMIT): the connection must be replaced.
 * ch->hash = h, the transcript hash.
 *
 * Login: sig = Ed25519 (crypto_sign_detached) over "binome login v1"
 * (15 ASCII, no NUL) || h (32). Verification failure is BN_ESIG.
 */
#include "bn_crypto.h"

#include <string.h>

#define HS_DOMAIN "binome nk v1"
#define HS_DOMAIN_LEN (sizeof HS_DOMAIN - 1)
#define LOGIN_DOMAIN "binome login v1"
#define LOGIN_DOMAIN_LEN (sizeof LOGIN_DOMAIN - 1)
#define CH_NONCE_BYTES crypto_aead_chacha20poly1305_ietf_NPUBBYTES

/* ch_nonce writes 4 zero bytes then ctr little-endian. */
static void ch_nonce(uint8_t n[CH_NONCE_BYTES], uint64_t ctr)
{
    memset(n, 0, 4);
    for (int i = 0; i < 8; i++, ctr >>= 8)
        n[4 + i] = (uint8_t)ctr;
}

/* hs_transcript computes h over the domain, S, msg1 and msg2's first 33
 * bytes (version and e_s.pk). */
static void hs_transcript(uint8_t h[BN_HASH_BYTES], const uint8_t S[32],
                          const uint8_t msg1[BN_HS_MSG1_BYTES],
                          const uint8_t msg2_head[33])
{
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, BN_HASH_BYTES);
    crypto_generichash_update(&st, (const uint8_t *)HS_DOMAIN, HS_DOMAIN_LEN);
    crypto_generichash_update(&st, S, 32);
    crypto_generichash_update(&st, msg1, BN_HS_MSG1_BYTES);
    crypto_generichash_update(&st, msg2_head, 33);
    crypto_generichash_final(&st, h, BN_HASH_BYTES);
    sodium_memzero(&st, sizeof st);
}

/* hs_keys derives c2s and s2c from h, es and ee. */
static void hs_keys(uint8_t c2s[32], uint8_t s2c[32],
                    const uint8_t h[BN_HASH_BYTES], const uint8_t es[32],
                    const uint8_t ee[32])
{
    uint8_t ikm[64], okm[64];

    memcpy(ikm, es, 32);
    memcpy(ikm + 32, ee, 32);
    crypto_generichash(okm, sizeof okm, ikm, sizeof ikm, h, BN_HASH_BYTES);
    memcpy(c2s, okm, 32);
    memcpy(s2c, okm + 32, 32);
    sodium_memzero(ikm, sizeof ikm);
    sodium_memzero(okm, sizeof okm);
}

int bn_hs_client_start(bn_hs_client *hs, const uint8_t server_pk[32],
                       uint8_t msg1[BN_HS_MSG1_BYTES])
{
    if (hs == NULL || server_pk == NULL || msg1 == NULL)
        return BN_EINVAL;
    memcpy(hs->server_pk, server_pk, 32);
    if (crypto_box_keypair(hs->e_pk, hs->e_sk) != 0)
        return BN_EINTERNAL;
    msg1[0] = BN_HS_VERSION;
    memcpy(msg1 + 1, hs->e_pk, 32);
    return 0;
}

int bn_hs_client_finish(bn_hs_client *hs, const uint8_t msg2[BN_HS_MSG2_BYTES],
                        bn_channel *ch)
{
    uint8_t msg1[BN_HS_MSG1_BYTES];
    uint8_t es[32], ee[32], h[BN_HASH_BYTES], c2s[32], s2c[32];
    uint8_t nonce[CH_NONCE_BYTES];
    int rc = BN_EHANDSHAKE;

    if (hs == NULL || msg2 == NULL || ch == NULL)
        return BN_EINVAL;
    memset(ch, 0, sizeof *ch);
    if (msg2[0] != BN_HS_VERSION)
        goto cleanup;
    if (crypto_scalarmult(es, hs->e_sk, hs->server_pk) != 0 ||
        crypto_scalarmult(ee, hs->e_sk, msg2 + 1) != 0)
        goto cleanup;
    msg1[0] = BN_HS_VERSION;
    memcpy(msg1 + 1, hs->e_pk, 32);
    hs_transcript(h, hs->server_pk, msg1, msg2);
    hs_keys(c2s, s2c, h, es, ee);
    ch_nonce(nonce, 0);
    if (crypto_aead_chacha20poly1305_ietf_decrypt(NULL, NULL, NULL, msg2 + 33,
                                                  BN_TAG_BYTES, h, sizeof h,
                                                  nonce, s2c) != 0)
        goto cleanup;
    memcpy(ch->tx_key, c2s, 32);
    memcpy(ch->rx_key, s2c, 32);
    ch->tx_ctr = 0;
    ch->rx_ctr = 1;
    memcpy(ch->hash, h, sizeof h);
    rc = 0;
cleanup:
    sodium_memzero(es, sizeof es);
    sodium_memzero(ee, sizeof ee);
    sodium_memzero(c2s, sizeof c2s);
    sodium_memzero(s2c, sizeof s2c);
    sodium_memzero(h, sizeof h);
    sodium_memzero(hs, sizeof *hs);
    return rc;
}

int bn_hs_server_respond(const uint8_t server_sk[32],
                         const uint8_t server_pk[32],
                         const uint8_t msg1[BN_HS_MSG1_BYTES],
                         uint8_t msg2[BN_HS_MSG2_BYTES], bn_channel *ch)
{
    uint8_t e_pk[32], e_sk[32], es[32], ee[32], h[BN_HASH_BYTES];
    uint8_t c2s[32], s2c[32], nonce[CH_NONCE_BYTES];
    int rc = BN_EHANDSHAKE;

    if (server_sk == NULL || server_pk == NULL || msg1 == NULL ||
        msg2 == NULL || ch == NULL)
        return BN_EINVAL;
    memset(ch, 0, sizeof *ch);
    if (msg1[0] != BN_HS_VERSION)
        return BN_EHANDSHAKE;
    if (crypto_box_keypair(e_pk, e_sk) != 0)
        return BN_EINTERNAL;
    if (crypto_scalarmult(es, server_sk, msg1 + 1) != 0 ||
        crypto_scalarmult(ee, e_sk, msg1 + 1) != 0)
        goto cleanup;
    msg2[0] = BN_HS_VERSION;
    memcpy(msg2 + 1, e_pk, 32);
    hs_transcript(h, server_pk, msg1, msg2);
    hs_keys(c2s, s2c, h, es, ee);
    ch_nonce(nonce, 0);
    crypto_aead_chacha20poly1305_ietf_encrypt(msg2 + 33, NULL, NULL, 0, h,
                                              sizeof h, NULL, nonce, s2c);
    memcpy(ch->tx_key, s2c, 32);
    memcpy(ch->rx_key, c2s, 32);
    ch->tx_ctr = 1;
    ch->rx_ctr = 0;
    memcpy(ch->hash, h, sizeof h);
    rc = 0;
cleanup:
    sodium_memzero(e_sk, sizeof e_sk);
    sodium_memzero(es, sizeof es);
    sodium_memzero(ee, sizeof ee);
    sodium_memzero(c2s, sizeof c2s);
    sodium_memzero(s2c, sizeof s2c);
    sodium_memzero(h, sizeof h);
    if (rc != 0)
        sodium_memzero(msg2, BN_HS_MSG2_BYTES);
    return rc;
}

int bn_channel_seal(bn_channel *ch, uint8_t *out, const uint8_t *in, size_t len,
                    const uint8_t *ad, size_t adlen)
{
    uint8_t nonce[CH_NONCE_BYTES];

    if (ch == NULL || out == NULL || (in == NULL && len > 0) ||
        (ad == NULL && adlen > 0))
        return BN_EINVAL;
    if (ch->tx_ctr == UINT64_MAX)
        return BN_ELIMIT;
    if (len > crypto_aead_chacha20poly1305_ietf_MESSAGEBYTES_MAX)
        return BN_ETOOBIG;
    ch_nonce(nonce, ch->tx_ctr);
    crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, in, len, ad, adlen,
                                              NULL, nonce, ch->tx_key);
    ch->tx_ctr++;
    return 0;
}

int bn_channel_open(bn_channel *ch, uint8_t *out, const uint8_t *in, size_t len,
                    const uint8_t *ad, size_t adlen)
{
    uint8_t nonce[CH_NONCE_BYTES];

    if (ch == NULL || in == NULL ||
        (out == NULL && len > BN_CHANNEL_OVERHEAD) || (ad == NULL && adlen > 0))
        return BN_EINVAL;
    if (len < BN_CHANNEL_OVERHEAD)
        return BN_EAUTH;
    if (ch->rx_ctr == UINT64_MAX)
        return BN_ELIMIT;
    ch_nonce(nonce, ch->rx_ctr);
    if (crypto_aead_chacha20poly1305_ietf_decrypt(
            out, NULL, NULL, in, len, ad, adlen, nonce, ch->rx_key) != 0)
        return BN_EAUTH;
    ch->rx_ctr++;
    return 0;
}

void bn_channel_wipe(bn_channel *ch)
{
    if (ch != NULL)
        sodium_memzero(ch, sizeof *ch);
}

/* login_message writes "binome login v1" || h. */
static void login_message(uint8_t msg[LOGIN_DOMAIN_LEN + BN_HASH_BYTES],
                          const bn_channel *ch)
{
    memcpy(msg, LOGIN_DOMAIN, LOGIN_DOMAIN_LEN);
    memcpy(msg + LOGIN_DOMAIN_LEN, ch->hash, BN_HASH_BYTES);
}

int bn_login_sign(uint8_t sig[BN_SIG_BYTES], const bn_channel *ch,
                  const uint8_t sign_sk[64])
{
    uint8_t msg[LOGIN_DOMAIN_LEN + BN_HASH_BYTES];

    if (sig == NULL || ch == NULL || sign_sk == NULL)
        return BN_EINVAL;
    login_message(msg, ch);
    if (crypto_sign_detached(sig, NULL, msg, sizeof msg, sign_sk) != 0)
        return BN_EINTERNAL;
    return 0;
}

int bn_login_verify(const uint8_t sig[BN_SIG_BYTES], const bn_channel *ch,
                    const uint8_t sign_pk[32])
{
    uint8_t msg[LOGIN_DOMAIN_LEN + BN_HASH_BYTES];

    if (sig == NULL || ch == NULL || sign_pk == NULL)
        return BN_EINVAL;
    login_message(msg, ch);
    if (crypto_sign_verify_detached(sig, msg, sizeof msg, sign_pk) != 0)
        return BN_ESIG;
    return 0;
}
