/*
 * bn_identity.c: identities, the identity key file, atomic file writes,
 * passphrase boxes and the key-derivation level.
 *
 * Identity plaintext (193 bytes, sealed as one passphrase box, below):
 *
 *   offset size  field
 *   0      1     identity format version = 1 (2: with a device key)
 *   1      32    sign_pk   (Ed25519)
 *   33     64    sign_sk   (Ed25519, libsodium layout: seed || pk)
 *   97     32    box_pk    (X25519)
 *   129    32    box_sk    (X25519)
 *   161    32    self_key  (seals the owner's private notes)
 *   193    32    device_seed (version 2 only: the seed of this device's
 *                own Ed25519 login key, crypto_sign_seed_keypair)
 *
 * The first 193 bytes, version 1, are also the identity's packed form
 * (bn_identity_pack): what a recovery code or a device link carries. A
 * device's login key never leaves it: the device that receives an
 * identity makes its own. Version 1 files (no device key) are written
 * while device_seed is all zero and log in with the identity key.
 *
 * Loading checks, after the pwbox opened: plaintext length exactly 193
 * (version 1) or 225 (version 2), else BN_ECORRUPT / BN_EVERSION; the Ed25519
 * key pair is rebuilt from the seed in sign_sk (crypto_sign_ed25519_sk_to_seed,
 * then crypto_sign_seed_keypair) and must equal both sign_pk and sign_sk, and
 * crypto_sign_ed25519_sk_to_pk(sign_sk) must equal sign_pk; box_pk must
 * equal crypto_scalarmult_base(box_sk). Any mismatch is BN_ECORRUPT. All
 * comparisons use sodium_memcmp; every temporary is wiped.
 *
 * The key file is read with a size cap of 4096 bytes (larger is
 * BN_ECORRUPT before any allocation). Its box header is checked first
 * (bad magic BN_ECORRUPT, unknown box version BN_EVERSION, implausible
 * limits BN_ECORRUPT); then an identity file must be exactly
 * 63 + 193 + 16 = 272 bytes, or 304 with a device key (BN_ECORRUPT
 * otherwise), so a truncated or
 * extended file is reported as corrupt before any key derivation. Damage
 * inside the salt, nonce, ciphertext or tag of a 272-byte file reports
 * BN_EPASSPHRASE: it cannot be told apart from a wrong passphrase.
 *
 * PASSPHRASE BOX.
 *
 * Layout (all integers big-endian), 63-byte header then ciphertext:
 *
 *   offset size  field
 *   0      5     magic "BNBOX" (ASCII, no NUL)
 *   5      1     version = 1
 *   6      1     alg id = crypto_pwhash_ALG_ARGON2ID13 (2)
 *   7      8     opslimit (u64)
 *   15     8     memlimit (u64, bytes)
 *   23     16    salt (crypto_pwhash_SALTBYTES), random per seal
 *   39     24    nonce (XChaCha20), random per seal
 *   63     n+16  crypto_aead_xchacha20poly1305_ietf ciphertext and tag
 *
 * Key: crypto_pwhash(32 bytes, passphrase, salt, opslimit, memlimit,
 * Argon2id13). AEAD: XChaCha20-Poly1305-IETF under that key with the
 * nonce above; associated data = the whole 63-byte header, so a change to
 * the limits, salt, nonce, alg or version fails authentication.
 *
 * Levels: BN_KDF_MODERATE = crypto_pwhash_OPSLIMIT_MODERATE /
 * MEMLIMIT_MODERATE (3, 256 MiB); BN_KDF_INTERACTIVE = OPSLIMIT_INTERACTIVE
 * / MEMLIMIT_INTERACTIVE (2, 64 MiB), only when BINOME_KDF=interactive.
 * The limits are stored, so a box opens with the limits it was sealed with.
 *
 * Opening checks, in order, before any key derivation (so a hostile file
 * cannot make us allocate or compute):
 *   length < 6 or magic differs                 -> BN_ECORRUPT
 *   version != 1                                -> BN_EVERSION
 *   length < 63 + 16                            -> BN_ECORRUPT
 *   alg != Argon2id13                           -> BN_ECORRUPT
 *   opslimit outside [OPSLIMIT_MIN, OPSLIMIT_SENSITIVE] or
 *   memlimit outside [MEMLIMIT_MIN, MEMLIMIT_SENSITIVE] (1 GiB) -> BN_ECORRUPT
 * then crypto_pwhash (failure, i.e. out of memory -> BN_ENOMEM) and AEAD
 * decryption: failure -> BN_EPASSPHRASE. A wrong passphrase and an altered
 * salt, nonce, ciphertext or tag are indistinguishable by design (the AEAD
 * tag is the only check), so all of those report BN_EPASSPHRASE.
 */
#include "bn_crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bn_util.h"

#define ID_VERSION 1
#define ID_OFF_SIGN_PK 1
#define ID_OFF_SIGN_SK (ID_OFF_SIGN_PK + BN_SIGN_PK_BYTES)
#define ID_OFF_BOX_PK (ID_OFF_SIGN_SK + BN_SIGN_SK_BYTES)
#define ID_OFF_BOX_SK (ID_OFF_BOX_PK + BN_BOX_PK_BYTES)
#define ID_OFF_SELF (ID_OFF_BOX_SK + BN_BOX_SK_BYTES)
#define ID_PLAIN_BYTES (ID_OFF_SELF + BN_KEY_BYTES)
#define ID_VERSION_DEVICE 2
#define ID_OFF_DEVICE ID_PLAIN_BYTES
#define ID_PLAIN2_BYTES (ID_OFF_DEVICE + BN_KEY_BYTES)
#define ID_FILE_MAX 4096
#define ID_FILE_BYTES (PWBOX_HEADER_BYTES + ID_PLAIN_BYTES + PWBOX_TAG_BYTES)
#define ID_FILE2_BYTES (PWBOX_HEADER_BYTES + ID_PLAIN2_BYTES + PWBOX_TAG_BYTES)

#define PWBOX_MAGIC "BNBOX"
#define PWBOX_MAGIC_LEN 5
#define PWBOX_VERSION 1
#define PWBOX_ALG crypto_pwhash_ALG_ARGON2ID13
#define PWBOX_OFF_VERSION 5
#define PWBOX_OFF_ALG 6
#define PWBOX_OFF_OPS 7
#define PWBOX_OFF_MEM 15
#define PWBOX_OFF_SALT 23
#define PWBOX_OFF_NONCE (PWBOX_OFF_SALT + crypto_pwhash_SALTBYTES)
#define PWBOX_HEADER_BYTES                                                     \
    (PWBOX_OFF_NONCE + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
#define PWBOX_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

bn_kdf_level bn_kdf_level_from_env(void)
{
    const char *v = getenv("BINOME_KDF");

    if (v != NULL && strcmp(v, "interactive") == 0)
        return BN_KDF_INTERACTIVE;
    return BN_KDF_MODERATE;
}

/*
 * pwbox_check_header checks everything about a box that needs no key:
 * magic, version, minimum length, algorithm and limits (capped at the
 * SENSITIVE values, so a hostile file cannot make us allocate or spin).
 */
static int pwbox_check_header(const uint8_t *box, size_t boxlen)
{
    if (boxlen < PWBOX_OFF_VERSION + 1 ||
        memcmp(box, PWBOX_MAGIC, PWBOX_MAGIC_LEN) != 0)
        return BN_ECORRUPT;
    if (box[PWBOX_OFF_VERSION] != PWBOX_VERSION)
        return BN_EVERSION;
    if (boxlen < PWBOX_HEADER_BYTES + PWBOX_TAG_BYTES)
        return BN_ECORRUPT;
    if (box[PWBOX_OFF_ALG] != (uint8_t)PWBOX_ALG)
        return BN_ECORRUPT;
    uint64_t ops = bn_get_be64(box + PWBOX_OFF_OPS);
    uint64_t mem = bn_get_be64(box + PWBOX_OFF_MEM);
    if (ops < crypto_pwhash_OPSLIMIT_MIN ||
        ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
        mem < crypto_pwhash_MEMLIMIT_MIN ||
        mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
        return BN_ECORRUPT;
    return 0;
}

/* pwbox_derive runs Argon2id into key: 0, or BN_ENOMEM when it fails. */
static int pwbox_derive(uint8_t key[32], const char *pass, size_t passlen,
                        const uint8_t *salt, uint64_t ops, uint64_t mem)
{
    if (crypto_pwhash(key, 32, pass, passlen, salt, (unsigned long long)ops,
                      (size_t)mem, PWBOX_ALG) != 0)
        return BN_ENOMEM;
    return 0;
}

int bn_pwbox_seal(uint8_t **out, size_t *outlen, const uint8_t *pt,
                  size_t ptlen, const char *pass, size_t passlen,
                  bn_kdf_level level)
{
    uint8_t key[32];
    uint64_t ops, mem;
    uint8_t *box = NULL;
    int rc;

    if (out == NULL || outlen == NULL || (pt == NULL && ptlen > 0) ||
        (pass == NULL && passlen > 0))
        return BN_EINVAL;
    *out = NULL;
    *outlen = 0;
    if (level == BN_KDF_MODERATE) {
        ops = crypto_pwhash_OPSLIMIT_MODERATE;
        mem = crypto_pwhash_MEMLIMIT_MODERATE;
    } else if (level == BN_KDF_INTERACTIVE) {
        ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
        mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    } else {
        return BN_EINVAL;
    }
    if (ptlen > SIZE_MAX - PWBOX_HEADER_BYTES - PWBOX_TAG_BYTES ||
        ptlen > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX)
        return BN_ETOOBIG;

    size_t len = PWBOX_HEADER_BYTES + ptlen + PWBOX_TAG_BYTES;
    box = malloc(len);
    if (box == NULL)
        return BN_ENOMEM;
    memcpy(box, PWBOX_MAGIC, PWBOX_MAGIC_LEN);
    box[PWBOX_OFF_VERSION] = PWBOX_VERSION;
    box[PWBOX_OFF_ALG] = (uint8_t)PWBOX_ALG;
    bn_put_be64(box + PWBOX_OFF_OPS, ops);
    bn_put_be64(box + PWBOX_OFF_MEM, mem);
    randombytes_buf(box + PWBOX_OFF_SALT, crypto_pwhash_SALTBYTES);
    randombytes_buf(box + PWBOX_OFF_NONCE,
                    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);

    rc = pwbox_derive(key, pass, passlen, box + PWBOX_OFF_SALT, ops, mem);
    if (rc != 0)
        goto cleanup;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        box + PWBOX_HEADER_BYTES, NULL, pt, ptlen, box, PWBOX_HEADER_BYTES,
        NULL, box + PWBOX_OFF_NONCE, key);
    *out = box;
    *outlen = len;
    box = NULL;
    rc = 0;
cleanup:
    sodium_memzero(key, sizeof key);
    free(box);
    return rc;
}

int bn_pwbox_open(uint8_t **out, size_t *outlen, const uint8_t *box,
                  size_t boxlen, const char *pass, size_t passlen)
{
    uint8_t key[32];
    uint8_t *pt = NULL;
    int rc;

    if (out == NULL || outlen == NULL || (box == NULL && boxlen > 0) ||
        (pass == NULL && passlen > 0))
        return BN_EINVAL;
    *out = NULL;
    *outlen = 0;
    rc = pwbox_check_header(box, boxlen);
    if (rc != 0)
        return rc;
    uint64_t ops = bn_get_be64(box + PWBOX_OFF_OPS);
    uint64_t mem = bn_get_be64(box + PWBOX_OFF_MEM);

    size_t ptlen = boxlen - PWBOX_HEADER_BYTES - PWBOX_TAG_BYTES;
    pt = sodium_malloc(ptlen > 0 ? ptlen : 1);
    if (pt == NULL)
        return BN_ENOMEM;
    rc = pwbox_derive(key, pass, passlen, box + PWBOX_OFF_SALT, ops, mem);
    if (rc != 0)
        goto cleanup;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            pt, NULL, NULL, box + PWBOX_HEADER_BYTES,
            boxlen - PWBOX_HEADER_BYTES, box, PWBOX_HEADER_BYTES,
            box + PWBOX_OFF_NONCE, key) != 0) {
        rc = BN_EPASSPHRASE;
        goto cleanup;
    }
    *out = pt;
    *outlen = ptlen;
    pt = NULL;
    rc = 0;
cleanup:
    sodium_memzero(key, sizeof key);
    sodium_free(pt); /* sodium_free wipes before freeing; accepts NULL */
    return rc;
}

bn_identity *bn_identity_new(void)
{
    bn_identity *id = sodium_malloc(sizeof *id);

    if (id != NULL)
        sodium_memzero(id, sizeof *id);
    return id;
}

void bn_identity_free(bn_identity *id)
{
    if (id == NULL)
        return;
    sodium_memzero(id, sizeof *id);
    sodium_free(id);
}

int bn_identity_generate(bn_identity *id)
{
    if (id == NULL)
        return BN_EINVAL;
    if (crypto_sign_keypair(id->sign_pk, id->sign_sk) != 0 ||
        crypto_box_keypair(id->box_pk, id->box_sk) != 0) {
        sodium_memzero(id, sizeof *id);
        return BN_EINTERNAL;
    }
    randombytes_buf(id->self_key, sizeof id->self_key);
    return 0;
}

/* pack_into writes the identity's fields (version 1 layout) to plain. */
static void pack_into(uint8_t *plain, const bn_identity *id)
{
    plain[0] = ID_VERSION;
    memcpy(plain + ID_OFF_SIGN_PK, id->sign_pk, BN_SIGN_PK_BYTES);
    memcpy(plain + ID_OFF_SIGN_SK, id->sign_sk, BN_SIGN_SK_BYTES);
    memcpy(plain + ID_OFF_BOX_PK, id->box_pk, BN_BOX_PK_BYTES);
    memcpy(plain + ID_OFF_BOX_SK, id->box_sk, BN_BOX_SK_BYTES);
    memcpy(plain + ID_OFF_SELF, id->self_key, BN_KEY_BYTES);
}

void bn_identity_pack(const bn_identity *id, uint8_t out[BN_IDENTITY_PACKED])
{
    pack_into(out, id);
}

int bn_identity_has_device(const bn_identity *id)
{
    return !sodium_is_zero(id->device_seed, sizeof id->device_seed);
}

int bn_identity_save(const bn_identity *id, const char *path, const char *pass,
                     size_t passlen, bn_kdf_level level)
{
    uint8_t *plain, *box = NULL;
    size_t boxlen = 0, plainlen;
    int rc;

    if (id == NULL || path == NULL)
        return BN_EINVAL;
    plain = sodium_malloc(ID_PLAIN2_BYTES);
    if (plain == NULL)
        return BN_ENOMEM;
    pack_into(plain, id);
    plainlen = ID_PLAIN_BYTES;
    if (bn_identity_has_device(id)) {
        plain[0] = ID_VERSION_DEVICE;
        memcpy(plain + ID_OFF_DEVICE, id->device_seed, BN_KEY_BYTES);
        plainlen = ID_PLAIN2_BYTES;
    }
    rc = bn_pwbox_seal(&box, &boxlen, plain, plainlen, pass, passlen, level);
    sodium_memzero(plain, ID_PLAIN2_BYTES);
    sodium_free(plain);
    if (rc != 0)
        return rc;
    rc = bn_file_write_atomic(path, box, boxlen, 0600);
    free(box);
    return rc;
}

/* read_small reads the whole file at path if it is at most max bytes. */
static int read_small(const char *path, uint8_t **out, size_t *outlen,
                      size_t max)
{
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;
    int fd, rc;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0) {
        rc = -errno;
        goto cleanup;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < 0 || (size_t)st.st_size > max) {
        rc = BN_ECORRUPT;
        goto cleanup;
    }
    buf = malloc(max + 1);
    if (buf == NULL) {
        rc = BN_ENOMEM;
        goto cleanup;
    }
    for (;;) {
        ssize_t n = read(fd, buf + got, max + 1 - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            goto cleanup;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got > max) {
            rc = BN_ECORRUPT; /* grew while we read it */
            goto cleanup;
        }
    }
    *out = buf;
    *outlen = got;
    buf = NULL;
    rc = 0;
cleanup:
    free(buf);
    close(fd);
    return rc;
}

/* identity_check_keys returns 0 when the secret keys match the public ones,
 * else BN_ECORRUPT. */
static int identity_check_keys(const uint8_t *plain)
{
    uint8_t seed[crypto_sign_SEEDBYTES];
    uint8_t pk[BN_SIGN_PK_BYTES];
    uint8_t pk2[BN_SIGN_PK_BYTES];
    uint8_t sk[BN_SIGN_SK_BYTES];
    uint8_t box_pk[BN_BOX_PK_BYTES];
    int rc = BN_ECORRUPT;

    if (crypto_sign_ed25519_sk_to_seed(seed, plain + ID_OFF_SIGN_SK) != 0 ||
        crypto_sign_seed_keypair(pk, sk, seed) != 0 ||
        crypto_sign_ed25519_sk_to_pk(pk2, plain + ID_OFF_SIGN_SK) != 0)
        goto cleanup;
    if (sodium_memcmp(pk, plain + ID_OFF_SIGN_PK, sizeof pk) != 0 ||
        sodium_memcmp(pk2, plain + ID_OFF_SIGN_PK, sizeof pk2) != 0 ||
        sodium_memcmp(sk, plain + ID_OFF_SIGN_SK, sizeof sk) != 0)
        goto cleanup;
    if (crypto_scalarmult_base(box_pk, plain + ID_OFF_BOX_SK) != 0 ||
        sodium_memcmp(box_pk, plain + ID_OFF_BOX_PK, sizeof box_pk) != 0)
        goto cleanup;
    rc = 0;
cleanup:
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sk, sizeof sk);
    return rc;
}

int bn_identity_unpack(bn_identity *id, const uint8_t *plain, size_t len)
{
    int rc;

    if (len != ID_PLAIN_BYTES && len != ID_PLAIN2_BYTES)
        return BN_ECORRUPT;
    if (plain[0] != ID_VERSION && plain[0] != ID_VERSION_DEVICE)
        return BN_EVERSION;
    if ((plain[0] == ID_VERSION) != (len == ID_PLAIN_BYTES))
        return BN_ECORRUPT;
    rc = identity_check_keys(plain);
    if (rc != 0)
        return rc;
    memcpy(id->sign_pk, plain + ID_OFF_SIGN_PK, BN_SIGN_PK_BYTES);
    memcpy(id->sign_sk, plain + ID_OFF_SIGN_SK, BN_SIGN_SK_BYTES);
    memcpy(id->box_pk, plain + ID_OFF_BOX_PK, BN_BOX_PK_BYTES);
    memcpy(id->box_sk, plain + ID_OFF_BOX_SK, BN_BOX_SK_BYTES);
    memcpy(id->self_key, plain + ID_OFF_SELF, BN_KEY_BYTES);
    if (len == ID_PLAIN2_BYTES)
        memcpy(id->device_seed, plain + ID_OFF_DEVICE, BN_KEY_BYTES);
    else
        sodium_memzero(id->device_seed, BN_KEY_BYTES);
    return 0;
}

int bn_identity_load(bn_identity *id, const char *path, const char *pass,
                     size_t passlen)
{
    uint8_t *file = NULL, *plain = NULL;
    size_t filelen = 0, plainlen = 0;
    int rc;

    if (id == NULL || path == NULL)
        return BN_EINVAL;
    rc = read_small(path, &file, &filelen, ID_FILE_MAX);
    if (rc != 0)
        return rc;
    rc = pwbox_check_header(file, filelen);
    if (rc == 0 && filelen != ID_FILE_BYTES && filelen != ID_FILE2_BYTES)
        rc = BN_ECORRUPT;
    if (rc == 0)
        rc = bn_pwbox_open(&plain, &plainlen, file, filelen, pass, passlen);
    free(file);
    if (rc != 0)
        return rc;
    rc = plainlen < 1 ? BN_ECORRUPT : bn_identity_unpack(id, plain, plainlen);
    sodium_memzero(plain, plainlen);
    sodium_free(plain);
    return rc;
}

_Static_assert(ID_PLAIN_BYTES == BN_IDENTITY_PACKED,
               "the packed identity is the version 1 plaintext");
