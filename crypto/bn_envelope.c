/*
 * bn_envelope.c: length padding (Padmé) and note envelopes.
 *
 * Padding. bn_padme_len(len) = max(BN_PAD_MIN, padme(len + 1)) where
 * BN_PAD_MIN = 256 and padme is Padmé (Nikitin et al., "Reducing Metadata
 * Leakage from Encrypted Files and Communication with PURBs", 2019):
 *   E = floor(log2 L), S = floor(log2 E) + 1, z = E - S,
 *   padme(L) = L rounded up to a multiple of 2^z (L itself when z <= 0).
 * The +1 leaves room for the ISO/IEC 7816-4 marker (0x80 then zeros),
 * written with sodium_pad (block size = the padded length, so the result
 * is exactly that length) and removed with sodium_unpad. The 256-byte
 * floor makes every note up to 255 bytes the same size, so a one-line note
 * and a short paragraph look alike; above that, Padmé's overhead is at most
 * about 12% and the padded length reveals O(log log L) bits.
 *
 * Envelope layout (integers big-endian):
 *
 *   offset size     field
 *   0      1        version = 2 (1: legacy, opened, never sealed)
 *   1      4        epoch (pair-key epoch; 0 is allowed for private notes)
 *   5      24       nonce, random (randombytes_buf)
 *   29     P + 16   crypto_aead_xchacha20poly1305_ietf(pad(pt)), P = padded
 *   29+P+16 64      Ed25519 signature (crypto_sign_detached, author's key)
 *
 * Note AD, version 2 (52 bytes): "binome note v2" (14 ASCII bytes, no NUL)
 * || pair_id (8) || note_id (8) || revision (4) || author_id (8) || kind
 * (1) || is_private (1) || session_id (8). Version 1 envelopes (schema 3
 * and before) used "binome note v1" and no session_id (44 bytes): the
 * version byte of the envelope says which AD opens it.
 * AEAD associated data = note AD || envelope header (version, epoch, nonce:
 * 29 bytes) = 81 bytes (73 for version 1).
 * Signed message = note AD || envelope header || ciphertext (everything of
 * the envelope before the signature, preceded by the note AD).
 *
 * Opening: length >= BN_ENVELOPE_MIN_BYTES (else BN_ECORRUPT), version 1
 * or 2 (BN_EVERSION), length within the largest envelope the plaintext cap
 * allows (BN_ETOOBIG); then the signature (BN_ESIG), the AEAD (BN_EAUTH),
 * then sodium_unpad and a check that the padded length is exactly
 * bn_padme_len(unpadded length) (BN_ECORRUPT otherwise). The plaintext
 * lives in sodium_malloc memory; the sealing side pads into sodium_malloc
 * memory and wipes it.
 */
#include "bn_crypto.h"

#include <stdlib.h>
#include <string.h>

#include "bn_util.h"

#define BN_PAD_MIN 256u
#define NOTE_DOMAIN_V1 "binome note v1"
#define NOTE_DOMAIN_V2 "binome note v2"
#define NOTE_DOMAIN_LEN (sizeof NOTE_DOMAIN_V1 - 1)
#define NOTE_AD_V1_BYTES (NOTE_DOMAIN_LEN + 8 + 8 + 4 + 8 + 1 + 1)
#define NOTE_AD_MAX (NOTE_AD_V1_BYTES + 8)

/* padme returns Padmé's padded length for L >= 1. */
static size_t padme(size_t L)
{
    unsigned e = 0, s = 0;

    for (size_t v = L; v > 1; v >>= 1)
        e++;
    for (unsigned v = e; v > 1; v >>= 1)
        s++;
    s += 1; /* S = floor(log2 E) + 1; for E <= 1 this is 1 */
    if (e <= s)
        return L;
    size_t mask = ((size_t)1 << (e - s)) - 1;
    return (L + mask) & ~mask;
}

size_t bn_padme_len(size_t len)
{
    if (len >= SIZE_MAX / 2)
        return len + 1; /* far beyond any limit; only keeps "> len" true */
    size_t p = padme(len + 1);
    return p < BN_PAD_MIN ? BN_PAD_MIN : p;
}

/* note_ad_encode writes the note associated data of an envelope version
 * (1 or 2) and returns its length. */
static size_t note_ad_encode(uint8_t out[NOTE_AD_MAX], const bn_note_ad *ad,
                             uint8_t version)
{
    uint8_t *p = out;

    memcpy(p, version == 1 ? NOTE_DOMAIN_V1 : NOTE_DOMAIN_V2, NOTE_DOMAIN_LEN);
    p += NOTE_DOMAIN_LEN;
    bn_put_be64(p, ad->pair_id);
    p += 8;
    bn_put_be64(p, ad->note_id);
    p += 8;
    bn_put_be32(p, ad->revision);
    p += 4;
    bn_put_be64(p, ad->author_id);
    p += 8;
    *p++ = ad->kind;
    *p++ = ad->is_private;
    if (version == 1)
        return NOTE_AD_V1_BYTES;
    bn_put_be64(p, ad->session_id);
    return NOTE_AD_MAX;
}

/* max_envelope is the size of the envelope of the largest plaintext. */
static size_t max_envelope(void)
{
    return BN_ENVELOPE_HEADER_BYTES + bn_padme_len(BN_NOTE_MAX_PLAINTEXT) +
           BN_TAG_BYTES + BN_SIG_BYTES;
}

int bn_envelope_seal(uint8_t **out, size_t *outlen, const uint8_t key[32],
                     uint32_t epoch, const bn_note_ad *ad, const uint8_t *pt,
                     size_t ptlen, const uint8_t author_sign_sk[64])
{
    uint8_t *padded = NULL, *env = NULL, *msg = NULL;
    size_t padlen, envlen, ctlen, unused, adlen, aeadlen;
    int rc;

    if (out == NULL || outlen == NULL || key == NULL || ad == NULL ||
        (pt == NULL && ptlen > 0) || author_sign_sk == NULL)
        return BN_EINVAL;
    *out = NULL;
    *outlen = 0;
    if (ptlen > BN_NOTE_MAX_PLAINTEXT)
        return BN_ETOOBIG;

    padlen = bn_padme_len(ptlen);
    ctlen = padlen + BN_TAG_BYTES;
    envlen = BN_ENVELOPE_HEADER_BYTES + ctlen + BN_SIG_BYTES;
    padded = sodium_malloc(padlen);
    env = malloc(envlen);
    msg = malloc(NOTE_AD_MAX + BN_ENVELOPE_HEADER_BYTES + ctlen);
    if (padded == NULL || env == NULL || msg == NULL) {
        rc = BN_ENOMEM;
        goto cleanup;
    }
    if (ptlen > 0)
        memcpy(padded, pt, ptlen);
    if (sodium_pad(&unused, padded, ptlen, padlen, padlen) != 0 ||
        unused != padlen) {
        rc = BN_EINTERNAL;
        goto cleanup;
    }

    env[0] = BN_ENVELOPE_VERSION;
    bn_put_be32(env + 1, epoch);
    randombytes_buf(env + 5, BN_NONCE_BYTES);

    /* msg = note AD || header || ciphertext; its first aeadlen bytes are
     * the AEAD associated data, and the whole is what the author signs. */
    adlen = note_ad_encode(msg, ad, BN_ENVELOPE_VERSION);
    aeadlen = adlen + BN_ENVELOPE_HEADER_BYTES;
    memcpy(msg + adlen, env, BN_ENVELOPE_HEADER_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(env + BN_ENVELOPE_HEADER_BYTES,
                                               NULL, padded, padlen, msg,
                                               aeadlen, NULL, env + 5, key);
    memcpy(msg + aeadlen, env + BN_ENVELOPE_HEADER_BYTES, ctlen);
    if (crypto_sign_detached(env + BN_ENVELOPE_HEADER_BYTES + ctlen, NULL, msg,
                             aeadlen + ctlen, author_sign_sk) != 0) {
        rc = BN_EINTERNAL;
        goto cleanup;
    }
    *out = env;
    *outlen = envlen;
    env = NULL;
    rc = 0;
cleanup:
    sodium_free(padded); /* wipes */
    free(env);
    free(msg);
    return rc;
}

int bn_envelope_check(const uint8_t *env, size_t envlen)
{
    if (env == NULL || envlen < BN_ENVELOPE_MIN_BYTES)
        return BN_ECORRUPT;
    if (env[0] != BN_ENVELOPE_VERSION && env[0] != 1)
        return BN_EVERSION;
    return 0;
}

int bn_envelope_epoch(const uint8_t *env, size_t envlen, uint32_t *epoch)
{
    int rc = bn_envelope_check(env, envlen);

    if (rc != 0)
        return rc;
    if (epoch == NULL)
        return BN_EINVAL;
    *epoch = bn_get_be32(env + 1);
    return 0;
}

int bn_envelope_open(uint8_t **pt, size_t *ptlen, const uint8_t key[32],
                     const bn_note_ad *ad, const uint8_t *env, size_t envlen,
                     const uint8_t author_sign_pk[32])
{
    uint8_t *msg = NULL, *padded = NULL;
    size_t ctlen, padlen, unpadded, adlen, aeadlen;
    int rc;

    if (pt == NULL || ptlen == NULL || key == NULL || ad == NULL ||
        author_sign_pk == NULL)
        return BN_EINVAL;
    *pt = NULL;
    *ptlen = 0;
    rc = bn_envelope_check(env, envlen);
    if (rc != 0)
        return rc;
    if (envlen > max_envelope())
        return BN_ETOOBIG;
    ctlen = envlen - BN_ENVELOPE_HEADER_BYTES - BN_SIG_BYTES;
    padlen = ctlen - BN_TAG_BYTES;

    msg = malloc(NOTE_AD_MAX + BN_ENVELOPE_HEADER_BYTES + ctlen);
    padded = sodium_malloc(padlen > 0 ? padlen : 1);
    if (msg == NULL || padded == NULL) {
        rc = BN_ENOMEM;
        goto cleanup;
    }
    adlen = note_ad_encode(msg, ad, env[0]);
    aeadlen = adlen + BN_ENVELOPE_HEADER_BYTES;
    memcpy(msg + adlen, env, BN_ENVELOPE_HEADER_BYTES + ctlen);
    if (crypto_sign_verify_detached(env + envlen - BN_SIG_BYTES, msg,
                                    aeadlen + ctlen, author_sign_pk) != 0) {
        rc = BN_ESIG;
        goto cleanup;
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            padded, NULL, NULL, env + BN_ENVELOPE_HEADER_BYTES, ctlen, msg,
            aeadlen, env + 5, key) != 0) {
        rc = BN_EAUTH;
        goto cleanup;
    }
    if (padlen == 0 || sodium_unpad(&unpadded, padded, padlen, padlen) != 0 ||
        bn_padme_len(unpadded) != padlen) {
        rc = BN_ECORRUPT;
        goto cleanup;
    }
    *pt = padded;
    *ptlen = unpadded;
    padded = NULL;
    rc = 0;
cleanup:
    free(msg);
    sodium_free(padded);
    return rc;
}
