/*
 * bn_recovery.c: the recovery code, the identity sealed under it, a
 * device's login key, and the commitment and short authentication string
 * of a device link (issue 15).
 *
 * RECOVERY CODE. 20 bytes, written as 32 characters of Crockford's
 * base32 (0-9 A-Z without I L O U) in 8 groups of 4:
 *
 *   account (4, big-endian) || secret (15, random) || check (1)
 *
 * check is the first byte of BLAKE2b-256("binome recovery check v1" ||
 * account || secret): one wrong character in 256 goes unseen. Parsing
 * accepts lower case, spaces and dashes anywhere, and reads O as 0 and
 * I, L as 1 (what a person copying by hand confuses).
 *
 * From the code: master = BLAKE2b-256(key = secret, "binome recovery v1"
 * || account); the lookup id (what the server keeps, hashed, to find the
 * sealed identity and to let the holder enrol a device) is
 * crypto_kdf_derive_from_key(32, 1, "bnrecovr", master); the seal key is
 * subkey 2. The server sees the id, never the key: subkeys of one master
 * tell nothing of each other. 120 random bits: no passphrase stretching
 * is needed against a search.
 *
 * The sealed identity: nonce (24, random) || XChaCha20-Poly1305 of the
 * packed identity (bn_identity_pack), associated data "binome recovery
 * v1" || account (8, big-endian).
 *
 * DEVICE LOGIN KEY: crypto_sign_seed_keypair(device_seed).
 *
 * DEVICE LINK. The device that has the account (A) commits to a random
 * nonce n_a before the new device (B) sends its keys; it reveals n_a only
 * once it holds B's keys. commit = BLAKE2b-256("binome link commit v1" ||
 * n_a). The short authentication string both screens show is 6 decimal
 * digits of BLAKE2b-256("binome link sas v1" || n_a || identity sign_pk
 * || B's box_pk || B's login_pk), read as a big-endian u32 modulo 10^6.
 * A server that substitutes B's keys must choose them before n_a is
 * revealed and cannot change n_a once committed: its chance that both
 * screens agree is one in a million for each try, and each try costs a
 * person's attention.
 */
#include "bn_crypto.h"

#include <string.h>

#include "bn_util.h"

#define RC_RAW 20
#define RC_SECRET 15
#define RC_CHARS 32
#define CHECK_DOMAIN "binome recovery check v1"
#define MASTER_DOMAIN "binome recovery v1"
#define KDF_CTX "bnrecovr"
#define COMMIT_DOMAIN "binome link commit v1"
#define SAS_DOMAIN "binome link sas v1"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* check_byte: the first byte of the code's checksum. */
static uint8_t check_byte(const uint8_t raw[RC_RAW - 1])
{
    uint8_t h[BN_HASH_BYTES];
    crypto_generichash_state st;
    uint8_t c;

    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)CHECK_DOMAIN,
                              sizeof CHECK_DOMAIN - 1);
    crypto_generichash_update(&st, raw, RC_RAW - 1);
    crypto_generichash_final(&st, h, sizeof h);
    c = h[0];
    sodium_memzero(h, sizeof h);
    return c;
}

int bn_recovery_code_new(bn_recovery_code *c, uint64_t account)
{
    if (c == NULL || account == 0 || account > UINT32_MAX)
        return BN_EINVAL;
    c->account = (uint32_t)account;
    randombytes_buf(c->secret, sizeof c->secret);
    return 0;
}

void bn_recovery_code_format(const bn_recovery_code *c,
                             char out[BN_RECOVERY_TEXT_MAX])
{
    uint8_t raw[RC_RAW];
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0, n = 0;

    bn_put_be32(raw, c->account);
    memcpy(raw + 4, c->secret, RC_SECRET);
    raw[RC_RAW - 1] = check_byte(raw);
    for (size_t i = 0; i < RC_RAW; i++) {
        acc = (acc << 8) | raw[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            if (n > 0 && n % 4 == 0)
                out[o++] = '-';
            out[o++] = alphabet[(acc >> bits) & 31];
            n++;
        }
    }
    out[o] = '\0';
    sodium_memzero(raw, sizeof raw);
    acc = 0;
}

/* digit_value: the value of one code character, or -1. */
static int digit_value(char ch)
{
    if (ch >= 'a' && ch <= 'z')
        ch = (char)(ch - 'a' + 'A');
    if (ch == 'O')
        ch = '0';
    if (ch == 'I' || ch == 'L')
        ch = '1';
    for (int i = 0; i < 32; i++)
        if (alphabet[i] == ch)
            return i;
    return -1;
}

int bn_recovery_code_parse(bn_recovery_code *c, const char *text)
{
    uint8_t raw[RC_RAW];
    uint32_t acc = 0;
    int bits = 0, rc = BN_EINVAL;
    size_t n = 0, o = 0, len;

    memset(c, 0, sizeof *c);
    if (text == NULL)
        return BN_EINVAL;
    len = strnlen(text, BN_RECOVERY_TEXT_MAX * 2);
    if (len >= BN_RECOVERY_TEXT_MAX * 2)
        return BN_EINVAL;
    for (size_t i = 0; i < len; i++) {
        int v;
        if (text[i] == '-' || text[i] == ' ')
            continue;
        v = digit_value(text[i]);
        if (v < 0 || n == RC_CHARS)
            goto out;
        n++;
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            raw[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (n != RC_CHARS || o != RC_RAW)
        goto out;
    if (check_byte(raw) != raw[RC_RAW - 1]) {
        rc = BN_ECORRUPT;
        goto out;
    }
    c->account = bn_get_be32(raw);
    if (c->account == 0)
        goto out;
    memcpy(c->secret, raw + 4, RC_SECRET);
    rc = 0;
out:
    sodium_memzero(raw, sizeof raw);
    acc = 0;
    if (rc != 0)
        sodium_memzero(c, sizeof *c);
    return rc;
}

int bn_recovery_derive(const bn_recovery_code *c,
                       uint8_t id[BN_RECOVERY_ID_BYTES],
                       uint8_t key[BN_KEY_BYTES])
{
    uint8_t master[crypto_kdf_KEYBYTES];
    uint8_t acc[8];
    crypto_generichash_state st;
    int rc = 0;

    bn_put_be64(acc, c->account);
    if (crypto_generichash_init(&st, c->secret, sizeof c->secret,
                                sizeof master) != 0)
        return BN_EINTERNAL;
    crypto_generichash_update(&st, (const uint8_t *)MASTER_DOMAIN,
                              sizeof MASTER_DOMAIN - 1);
    crypto_generichash_update(&st, acc, sizeof acc);
    crypto_generichash_final(&st, master, sizeof master);
    if (crypto_kdf_derive_from_key(id, BN_RECOVERY_ID_BYTES, 1, KDF_CTX,
                                   master) != 0 ||
        crypto_kdf_derive_from_key(key, BN_KEY_BYTES, 2, KDF_CTX, master) != 0)
        rc = BN_EINTERNAL;
    sodium_memzero(master, sizeof master);
    sodium_memzero(&st, sizeof st);
    return rc;
}

/* blob_ad: the associated data of a sealed identity. */
static void blob_ad(uint8_t ad[sizeof MASTER_DOMAIN - 1 + 8], uint64_t account)
{
    memcpy(ad, MASTER_DOMAIN, sizeof MASTER_DOMAIN - 1);
    bn_put_be64(ad + sizeof MASTER_DOMAIN - 1, account);
}

int bn_recovery_seal(uint8_t out[BN_RECOVERY_BLOB_BYTES], const bn_identity *id,
                     uint64_t account, const uint8_t key[BN_KEY_BYTES])
{
    uint8_t ad[sizeof MASTER_DOMAIN - 1 + 8];
    uint8_t *plain;
    const size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    int rc = 0;

    plain = sodium_malloc(BN_IDENTITY_PACKED);
    if (plain == NULL)
        return BN_ENOMEM;
    bn_identity_pack(id, plain);
    blob_ad(ad, account);
    randombytes_buf(out, nb);
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(
            out + nb, NULL, plain, BN_IDENTITY_PACKED, ad, sizeof ad, NULL, out,
            key) != 0)
        rc = BN_EINTERNAL;
    sodium_free(plain);
    return rc;
}

int bn_recovery_open(bn_identity *id, const uint8_t *blob, size_t len,
                     uint64_t account, const uint8_t key[BN_KEY_BYTES])
{
    uint8_t ad[sizeof MASTER_DOMAIN - 1 + 8];
    uint8_t *plain;
    const size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    int rc;

    if (len != BN_RECOVERY_BLOB_BYTES)
        return BN_ECORRUPT;
    plain = sodium_malloc(BN_IDENTITY_PACKED);
    if (plain == NULL)
        return BN_ENOMEM;
    blob_ad(ad, account);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, blob + nb,
                                                   len - nb, ad, sizeof ad,
                                                   blob, key) != 0)
        rc = BN_EAUTH;
    else
        rc = bn_identity_unpack(id, plain, BN_IDENTITY_PACKED);
    sodium_free(plain);
    return rc;
}

int bn_device_login_key(const bn_identity *id, uint8_t pk[BN_SIGN_PK_BYTES],
                        uint8_t sk[BN_SIGN_SK_BYTES])
{
    if (!bn_identity_has_device(id))
        return BN_EINVAL;
    return crypto_sign_seed_keypair(pk, sk, id->device_seed) == 0
               ? 0
               : BN_EINTERNAL;
}

void bn_link_commit(uint8_t commit[BN_HASH_BYTES],
                    const uint8_t nonce[BN_LINK_NONCE_BYTES])
{
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, BN_HASH_BYTES);
    crypto_generichash_update(&st, (const uint8_t *)COMMIT_DOMAIN,
                              sizeof COMMIT_DOMAIN - 1);
    crypto_generichash_update(&st, nonce, BN_LINK_NONCE_BYTES);
    crypto_generichash_final(&st, commit, BN_HASH_BYTES);
}

int bn_link_commit_check(const uint8_t commit[BN_HASH_BYTES],
                         const uint8_t nonce[BN_LINK_NONCE_BYTES])
{
    uint8_t h[BN_HASH_BYTES];

    bn_link_commit(h, nonce);
    return sodium_memcmp(h, commit, sizeof h) == 0 ? 0 : BN_EAUTH;
}

uint32_t bn_link_sas(const uint8_t nonce[BN_LINK_NONCE_BYTES],
                     const uint8_t identity_pk[BN_SIGN_PK_BYTES],
                     const uint8_t box_pk[BN_BOX_PK_BYTES],
                     const uint8_t login_pk[BN_SIGN_PK_BYTES])
{
    crypto_generichash_state st;
    uint8_t h[BN_HASH_BYTES];

    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)SAS_DOMAIN,
                              sizeof SAS_DOMAIN - 1);
    crypto_generichash_update(&st, nonce, BN_LINK_NONCE_BYTES);
    crypto_generichash_update(&st, identity_pk, BN_SIGN_PK_BYTES);
    crypto_generichash_update(&st, box_pk, BN_BOX_PK_BYTES);
    crypto_generichash_update(&st, login_pk, BN_SIGN_PK_BYTES);
    crypto_generichash_final(&st, h, sizeof h);
    return bn_get_be32(h) % 1000000u;
}

/*
 * The transfer of a device link: crypto_box_seal to B's box key of
 * packed identity (193) || account (8, big-endian) || device (4,
 * big-endian). B checks that the identity is the one its screen's string
 * was computed over (the caller compares sign_pk).
 */
#define LINK_PLAIN (BN_IDENTITY_PACKED + 8 + 4)

int bn_link_seal(uint8_t out[BN_LINK_SEALED_BYTES], const bn_identity *id,
                 uint64_t account, uint32_t device,
                 const uint8_t box_pk[BN_BOX_PK_BYTES])
{
    uint8_t *plain = sodium_malloc(LINK_PLAIN);
    int rc = 0;

    if (plain == NULL)
        return BN_ENOMEM;
    bn_identity_pack(id, plain);
    bn_put_be64(plain + BN_IDENTITY_PACKED, account);
    bn_put_be32(plain + BN_IDENTITY_PACKED + 8, device);
    if (crypto_box_seal(out, plain, LINK_PLAIN, box_pk) != 0)
        rc = BN_EINTERNAL;
    sodium_free(plain);
    return rc;
}

int bn_link_open(bn_identity *id, uint64_t *account, uint32_t *device,
                 const uint8_t *sealed, size_t len,
                 const uint8_t box_pk[BN_BOX_PK_BYTES],
                 const uint8_t box_sk[BN_BOX_SK_BYTES])
{
    uint8_t *plain;
    const uint8_t *p;
    int rc;

    if (len != BN_LINK_SEALED_BYTES)
        return BN_ECORRUPT;
    plain = sodium_malloc(LINK_PLAIN);
    if (plain == NULL)
        return BN_ENOMEM;
    if (crypto_box_seal_open(plain, sealed, len, box_pk, box_sk) != 0) {
        rc = BN_EAUTH;
        goto out;
    }
    rc = bn_identity_unpack(id, plain, BN_IDENTITY_PACKED);
    if (rc != 0)
        goto out;
    p = plain + BN_IDENTITY_PACKED;
    *account = bn_get_be64(p);
    *device = bn_get_be32(p + 8);
out:
    sodium_free(plain);
    return rc;
}
