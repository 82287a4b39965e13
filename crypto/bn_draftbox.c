/*
 * bn_draftbox.c: the seal of a local draft, text a member wrote that
 * could not be sent yet (client/lib/bnc_draft.c keeps it in the profile).
 *
 * Key: crypto_kdf_derive_from_key(32, subkey 1, context "bndraft1",
 * self_key), the identity's private-note key: only the account holds it,
 * and the draft key is separate from the key of private notes. Seal:
 * crypto_aead_xchacha20poly1305_ietf with a random nonce; the caller's
 * associated data binds the file to its account and its name, so that a
 * draft cannot be moved to another name or profile unnoticed. Layout:
 *
 *   offset size   field
 *   0      8      "BNDRAFT1" (ASCII, no NUL)
 *   8      24     nonce, random
 *   32     n + 16 ciphertext and tag
 *
 * The associated data also covers the 8-byte magic. The caller pads the
 * plaintext; this file adds no padding.
 */
#include "bn_crypto.h"

#include <stdlib.h>
#include <string.h>

static const char magic[BN_DRAFTBOX_MAGIC_BYTES] = "BNDRAFT1";

/* draft_key derives the draft key from self_key into key. */
static int draft_key(uint8_t key[BN_KEY_BYTES],
                     const uint8_t self_key[BN_KEY_BYTES])
{
    return crypto_kdf_derive_from_key(key, BN_KEY_BYTES, 1, "bndraft1",
                                      self_key) == 0
               ? 0
               : BN_EINVAL;
}

/* full_ad writes magic || ad into a buffer of adlen + 8 bytes. */
static uint8_t *full_ad(const uint8_t *ad, size_t adlen)
{
    uint8_t *a = sodium_malloc(adlen + BN_DRAFTBOX_MAGIC_BYTES);

    if (a == NULL)
        return NULL;
    memcpy(a, magic, BN_DRAFTBOX_MAGIC_BYTES);
    if (adlen > 0)
        memcpy(a + BN_DRAFTBOX_MAGIC_BYTES, ad, adlen);
    return a;
}

int bn_draftbox_seal(uint8_t **out, size_t *outlen,
                     const uint8_t self_key[BN_KEY_BYTES], const uint8_t *ad,
                     size_t adlen, const uint8_t *pt, size_t ptlen)
{
    uint8_t key[BN_KEY_BYTES], *box = NULL, *a = NULL;
    size_t len;
    int rc;

    *out = NULL;
    *outlen = 0;
    if (ptlen > SIZE_MAX - BN_DRAFTBOX_OVERHEAD)
        return BN_ETOOBIG;
    len = BN_DRAFTBOX_OVERHEAD + ptlen;
    box = malloc(len);
    a = full_ad(ad, adlen);
    if (box == NULL || a == NULL) {
        rc = BN_ENOMEM;
        goto cleanup;
    }
    rc = draft_key(key, self_key);
    if (rc != 0)
        goto cleanup;
    memcpy(box, magic, BN_DRAFTBOX_MAGIC_BYTES);
    randombytes_buf(box + BN_DRAFTBOX_MAGIC_BYTES, BN_NONCE_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        box + BN_DRAFTBOX_HEADER_BYTES, NULL, pt, ptlen, a,
        adlen + BN_DRAFTBOX_MAGIC_BYTES, NULL, box + BN_DRAFTBOX_MAGIC_BYTES,
        key);
    *out = box;
    *outlen = len;
    box = NULL;
cleanup:
    sodium_memzero(key, sizeof key);
    sodium_free(a);
    free(box);
    return rc;
}

int bn_draftbox_open(uint8_t **pt, size_t *ptlen,
                     const uint8_t self_key[BN_KEY_BYTES], const uint8_t *ad,
                     size_t adlen, const uint8_t *box, size_t boxlen)
{
    uint8_t key[BN_KEY_BYTES], *out = NULL, *a = NULL;
    size_t len;
    int rc;

    *pt = NULL;
    *ptlen = 0;
    if (boxlen < BN_DRAFTBOX_OVERHEAD ||
        memcmp(box, magic, BN_DRAFTBOX_MAGIC_BYTES) != 0)
        return BN_ECORRUPT;
    len = boxlen - BN_DRAFTBOX_OVERHEAD;
    out = sodium_malloc(len ? len : 1);
    a = full_ad(ad, adlen);
    if (out == NULL || a == NULL) {
        rc = BN_ENOMEM;
        goto cleanup;
    }
    rc = draft_key(key, self_key);
    if (rc != 0)
        goto cleanup;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            out, NULL, NULL, box + BN_DRAFTBOX_HEADER_BYTES,
            boxlen - BN_DRAFTBOX_HEADER_BYTES, a,
            adlen + BN_DRAFTBOX_MAGIC_BYTES, box + BN_DRAFTBOX_MAGIC_BYTES,
            key) != 0) {
        rc = BN_EAUTH;
        goto cleanup;
    }
    *pt = out;
    *ptlen = len;
    out = NULL;
cleanup:
    sodium_memzero(key, sizeof key);
    sodium_free(a);
    if (out != NULL) {
        sodium_memzero(out, len ? len : 1);
        sodium_free(out);
    }
    return rc;
}
