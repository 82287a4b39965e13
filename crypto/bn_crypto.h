/*
 * bn_crypto.h: binome's cryptography, every primitive from libsodium.
 *
 * All functions return 0 or a negative BN_E* code (bn_err.h). Unless a
 * comment says otherwise, output buffers are owned by the caller and sized
 * with the BN_*_BYTES constants below; functions that allocate say so and
 * name the function that frees. Secret material handed in is never copied
 * outside sodium_malloc() memory, and temporaries are wiped with
 * sodium_memzero() before return.
 *
 * SECURITY.md documents every construction here: primitives, parameters and
 * exactly what each associated data and signature binds.
 */
#ifndef BN_CRYPTO_H
#define BN_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "bn_err.h"

/* bn_crypto_init calls sodium_init(); call it first in every main. */
int bn_crypto_init(void);

/* ------------------------------------------------------------------ */
/* Identity: an Ed25519 signing pair, an X25519 pair, a private-note key */

#define BN_SIGN_PK_BYTES crypto_sign_PUBLICKEYBYTES /* 32 */
#define BN_SIGN_SK_BYTES crypto_sign_SECRETKEYBYTES /* 64 */
#define BN_SIG_BYTES crypto_sign_BYTES              /* 64 */
#define BN_BOX_PK_BYTES crypto_box_PUBLICKEYBYTES   /* 32 */
#define BN_BOX_SK_BYTES crypto_box_SECRETKEYBYTES   /* 32 */
#define BN_KEY_BYTES 32                             /* symmetric keys */
#define BN_HASH_BYTES 32                            /* BLAKE2b-256 */

typedef struct bn_identity {
    uint8_t sign_pk[BN_SIGN_PK_BYTES];
    uint8_t sign_sk[BN_SIGN_SK_BYTES];
    uint8_t box_pk[BN_BOX_PK_BYTES];
    uint8_t box_sk[BN_BOX_SK_BYTES];
    uint8_t self_key[BN_KEY_BYTES]; /* seals the owner's private notes */
    /* This device's own login key seed (issue 15); all zero on an
     * account's first device until it links another: it then logs in
     * with the identity key. Never packed, never sent. */
    uint8_t device_seed[BN_KEY_BYTES];
} bn_identity;

/* An identity's keys without the device seed: what a recovery code or a
 * device link carries (the version 1 key file plaintext). */
#define BN_IDENTITY_PACKED 193

/* bn_identity_pack writes id's keys; bn_identity_unpack reads them (or a
 * version 2 key file plaintext, with the device seed) and checks that the
 * secret keys match the public ones: BN_ECORRUPT, BN_EVERSION. */
void bn_identity_pack(const bn_identity *id, uint8_t out[BN_IDENTITY_PACKED]);
int bn_identity_unpack(bn_identity *id, const uint8_t *plain, size_t len);

/* bn_identity_has_device: whether id holds a device login key. */
int bn_identity_has_device(const bn_identity *id);

/*
 * bn_identity_new returns a zeroed identity in sodium_malloc() memory
 * (guarded, locked), or NULL. Free it with bn_identity_free().
 */
bn_identity *bn_identity_new(void);

/* bn_identity_free wipes and frees; accepts NULL. */
void bn_identity_free(bn_identity *id);

/* bn_identity_generate fills id with fresh random keys. */
int bn_identity_generate(bn_identity *id);

/*
 * Key-derivation strength for passphrase-sealed files. MODERATE is the
 * default (crypto_pwhash_OPSLIMIT_MODERATE / MEMLIMIT_MODERATE, Argon2id).
 * INTERACTIVE exists for tests and is selected only when the environment
 * says BINOME_KDF=interactive; the limits are stored in the file, so a
 * file always opens with the limits it was written with.
 */
typedef enum bn_kdf_level {
    BN_KDF_MODERATE = 0,
    BN_KDF_INTERACTIVE = 1,
} bn_kdf_level;

/* bn_kdf_level_from_env reads BINOME_KDF ("interactive" or unset). */
bn_kdf_level bn_kdf_level_from_env(void);

/*
 * Passphrase box: a generic container sealed with a key derived from a
 * passphrase by Argon2id (crypto_pwhash) and XChaCha20-Poly1305. The file
 * header (magic, version, limits, salt, nonce) is the associated data.
 * bn_pwbox_seal allocates *out (malloc; free with free()).
 * bn_pwbox_open allocates *out with sodium_malloc (free with sodium_free()).
 * A wrong passphrase gives BN_EPASSPHRASE; a malformed container
 * BN_ECORRUPT; an unknown version BN_EVERSION.
 */
int bn_pwbox_seal(uint8_t **out, size_t *outlen, const uint8_t *pt,
                  size_t ptlen, const char *pass, size_t passlen,
                  bn_kdf_level level);
int bn_pwbox_open(uint8_t **out, size_t *outlen, const uint8_t *box,
                  size_t boxlen, const char *pass, size_t passlen);

/*
 * bn_identity_save writes id to path as a passphrase box, mode 0600,
 * atomically (temporary file in the same directory, fsync, rename).
 * bn_identity_load reads it back: BN_EPASSPHRASE for a wrong passphrase,
 * BN_ECORRUPT for a damaged file, -ENOENT when there is no file.
 */
int bn_identity_save(const bn_identity *id, const char *path, const char *pass,
                     size_t passlen, bn_kdf_level level);
int bn_identity_load(bn_identity *id, const char *path, const char *pass,
                     size_t passlen);

/* ------------------------------------------------------------------ */
/* Recovery code, device login key, device link (bn_recovery.c)        */

#define BN_RECOVERY_SECRET_BYTES 15
#define BN_RECOVERY_ID_BYTES 32
/* 32 characters in 8 groups of 4, dashes between, and a NUL */
#define BN_RECOVERY_TEXT_MAX 40
#define BN_RECOVERY_BLOB_BYTES                                                 \
    (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + BN_IDENTITY_PACKED +       \
     crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define BN_LINK_NONCE_BYTES 32
#define BN_LINK_SEALED_BYTES (BN_IDENTITY_PACKED + 8 + 4 + crypto_box_SEALBYTES)

typedef struct bn_recovery_code {
    uint32_t account;
    uint8_t secret[BN_RECOVERY_SECRET_BYTES];
} bn_recovery_code;

/* bn_recovery_code_new: a fresh code for account (1 to UINT32_MAX, else
 * BN_EINVAL). */
int bn_recovery_code_new(bn_recovery_code *c, uint64_t account);
/* bn_recovery_code_format writes "XXXX-XXXX-...-XXXX" and a NUL. */
void bn_recovery_code_format(const bn_recovery_code *c,
                             char out[BN_RECOVERY_TEXT_MAX]);
/* bn_recovery_code_parse reads a code typed by a person: BN_EINVAL when
 * it is not one, BN_ECORRUPT when a character is wrong (checksum). */
int bn_recovery_code_parse(bn_recovery_code *c, const char *text);
/* bn_recovery_derive: the lookup id the server keeps (hashed) and the key
 * that seals the identity, from the code. */
int bn_recovery_derive(const bn_recovery_code *c,
                       uint8_t id[BN_RECOVERY_ID_BYTES],
                       uint8_t key[BN_KEY_BYTES]);
/* bn_recovery_seal / _open: the packed identity under the code's key,
 * bound to the account. Open: BN_EAUTH (not this code or altered),
 * BN_ECORRUPT. */
int bn_recovery_seal(uint8_t out[BN_RECOVERY_BLOB_BYTES], const bn_identity *id,
                     uint64_t account, const uint8_t key[BN_KEY_BYTES]);
int bn_recovery_open(bn_identity *id, const uint8_t *blob, size_t len,
                     uint64_t account, const uint8_t key[BN_KEY_BYTES]);

/* bn_device_login_key: this device's login key pair (BN_EINVAL without a
 * device seed). */
int bn_device_login_key(const bn_identity *id, uint8_t pk[BN_SIGN_PK_BYTES],
                        uint8_t sk[BN_SIGN_SK_BYTES]);

/* A device link's commitment, short authentication string (0..999999)
 * and transfer (see bn_recovery.c). */
void bn_link_commit(uint8_t commit[BN_HASH_BYTES],
                    const uint8_t nonce[BN_LINK_NONCE_BYTES]);
int bn_link_commit_check(const uint8_t commit[BN_HASH_BYTES],
                         const uint8_t nonce[BN_LINK_NONCE_BYTES]);
uint32_t bn_link_sas(const uint8_t nonce[BN_LINK_NONCE_BYTES],
                     const uint8_t identity_pk[BN_SIGN_PK_BYTES],
                     const uint8_t box_pk[BN_BOX_PK_BYTES],
                     const uint8_t login_pk[BN_SIGN_PK_BYTES]);
int bn_link_seal(uint8_t out[BN_LINK_SEALED_BYTES], const bn_identity *id,
                 uint64_t account, uint32_t device,
                 const uint8_t box_pk[BN_BOX_PK_BYTES]);
int bn_link_open(bn_identity *id, uint64_t *account, uint32_t *device,
                 const uint8_t *sealed, size_t len,
                 const uint8_t box_pk[BN_BOX_PK_BYTES],
                 const uint8_t box_sk[BN_BOX_SK_BYTES]);

/* ------------------------------------------------------------------ */
/* Padding (Padmé) so the server cannot tell a short note from a long one */

/* bn_padme_len returns the padded length for a plaintext of len bytes
 * (always > len: one byte at least is spent on the ISO/IEC 7816-4 marker). */
size_t bn_padme_len(size_t len);

/* ------------------------------------------------------------------ */
/* Note envelopes                                                      */

/* What binome seals; version 1 envelopes (no session in the AD) still
 * open. */
#define BN_ENVELOPE_VERSION 2
#define BN_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES /* 24 */
#define BN_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES      /* 16 */
/* version(1) epoch(4, big-endian) nonce(24) */
#define BN_ENVELOPE_HEADER_BYTES (1 + 4 + BN_NONCE_BYTES)
/* header + at least the tag + signature: the smallest well-formed envelope */
#define BN_ENVELOPE_MIN_BYTES                                                  \
    (BN_ENVELOPE_HEADER_BYTES + BN_TAG_BYTES + BN_SIG_BYTES)
#define BN_NOTE_MAX_PLAINTEXT (256u * 1024u)

/* What the associated data binds: the server cannot move a ciphertext. */
typedef struct bn_note_ad {
    uint64_t pair_id;
    uint64_t note_id;    /* note, objective or document id */
    uint32_t revision;   /* 1 for the first revision */
    uint64_t author_id;  /* account id of the writer */
    uint8_t kind;        /* bn_note_kind (proto) or BN_AD_KIND_* */
    uint8_t is_private;  /* 1: sealed with the author's self_key */
    uint64_t session_id; /* the session a note reports on (0: none);
                            bound from envelope version 2 on */
} bn_note_ad;

/* Kinds that are not note kinds, used in associated data. */
#define BN_AD_KIND_OBJECTIVE 0x40
#define BN_AD_KIND_DOC_HEADER 0x41
#define BN_AD_KIND_DOC_KEY 0x42

/*
 * bn_envelope_seal pads pt, seals it with XChaCha20-Poly1305 under key
 * with a random nonce and associated data from ad and the envelope header,
 * then appends the author's Ed25519 signature over (ad, envelope without
 * signature). Layout: version | epoch | nonce | ciphertext | signature.
 * Allocates *out with malloc (free with free()). pt may be up to
 * BN_NOTE_MAX_PLAINTEXT bytes.
 */
int bn_envelope_seal(uint8_t **out, size_t *outlen, const uint8_t key[32],
                     uint32_t epoch, const bn_note_ad *ad, const uint8_t *pt,
                     size_t ptlen, const uint8_t author_sign_sk[64]);

/*
 * bn_envelope_open checks the signature with author_sign_pk, then opens
 * and unpads. *pt is allocated with sodium_malloc (free with
 * sodium_free()); *ptlen is the original length. Errors: BN_ECORRUPT (too
 * short), BN_EVERSION, BN_ESIG (signature), BN_EAUTH (decryption).
 */
int bn_envelope_open(uint8_t **pt, size_t *ptlen, const uint8_t key[32],
                     const bn_note_ad *ad, const uint8_t *env, size_t envlen,
                     const uint8_t author_sign_pk[32]);

/* bn_envelope_epoch reads the epoch of a well-formed envelope header. */
int bn_envelope_epoch(const uint8_t *env, size_t envlen, uint32_t *epoch);

/*
 * bn_envelope_check says whether bytes are a well-formed envelope (version,
 * length at least BN_ENVELOPE_MIN_BYTES) without any key: the auditor's
 * check. Returns 0 or BN_ECORRUPT / BN_EVERSION.
 */
int bn_envelope_check(const uint8_t *env, size_t envlen);

/* ------------------------------------------------------------------ */
/* Pair keys: random 32 bytes per epoch, wrapped for each member       */

/* version(1) epoch(4) crypto_box_seal(key)(32+48) signature(64) */
#define BN_WRAP_BYTES (1 + 4 + crypto_box_SEALBYTES + 32 + BN_SIG_BYTES)

/* bn_pairkey_generate draws a random pair key. */
void bn_pairkey_generate(uint8_t key[32]);

/*
 * bn_pairkey_wrap seals key for a member with crypto_box_seal to
 * member_box_pk and signs (pair_id, epoch, member_id, wrapper_id, sealed)
 * with the wrapper's key. out is BN_WRAP_BYTES long.
 */
int bn_pairkey_wrap(uint8_t out[BN_WRAP_BYTES], uint64_t pair_id,
                    uint32_t epoch, uint64_t member_id,
                    const uint8_t member_box_pk[32], uint64_t wrapper_id,
                    const uint8_t key[32], const uint8_t wrapper_sign_sk[64]);

/*
 * bn_pairkey_unwrap checks the wrapper's signature (BN_ESIG), the epoch
 * (BN_EAUTH on mismatch) and opens the sealed key with the member's box
 * keys (BN_EAUTH).
 */
int bn_pairkey_unwrap(uint8_t key[32], const uint8_t *wrap, size_t wraplen,
                      uint64_t pair_id, uint32_t epoch, uint64_t member_id,
                      const uint8_t member_box_pk[32],
                      const uint8_t member_box_sk[32], uint64_t wrapper_id,
                      const uint8_t wrapper_sign_pk[32]);

/* bn_pairkey_wrap_verify checks a wrap without opening it: length
 * (BN_ECORRUPT), version (BN_EVERSION), the wrapper's signature for these
 * ids and the member's box key (BN_ESIG), the epoch (BN_EAUTH). */
int bn_pairkey_wrap_verify(const uint8_t *wrap, size_t wraplen,
                           uint64_t pair_id, uint32_t epoch, uint64_t member_id,
                           const uint8_t member_box_pk[32], uint64_t wrapper_id,
                           const uint8_t wrapper_sign_pk[32]);

/*
 * A side key (issue 14): a key of one epoch for one side of a team
 * pairing, for the notes a side keeps to itself. Wrapped like a pair key
 * for each member of the side, under the domain "binome side v1" instead
 * of "binome wrap v1" (bn_pairkey.c), so that neither is ever taken for
 * the other. Its key id is bn_pairkey_id's.
 */
int bn_sidekey_wrap(uint8_t out[BN_WRAP_BYTES], uint64_t pair_id,
                    uint32_t epoch, uint64_t member_id,
                    const uint8_t member_box_pk[32], uint64_t wrapper_id,
                    const uint8_t key[32], const uint8_t wrapper_sign_sk[64]);
int bn_sidekey_unwrap(uint8_t key[32], const uint8_t *wrap, size_t wraplen,
                      uint64_t pair_id, uint32_t epoch, uint64_t member_id,
                      const uint8_t member_box_pk[32],
                      const uint8_t member_box_sk[32], uint64_t wrapper_id,
                      const uint8_t wrapper_sign_pk[32]);
int bn_sidekey_wrap_verify(const uint8_t *wrap, size_t wraplen,
                           uint64_t pair_id, uint32_t epoch, uint64_t member_id,
                           const uint8_t member_box_pk[32], uint64_t wrapper_id,
                           const uint8_t wrapper_sign_pk[32]);

/* bn_pairkey_id is the public commitment to a pair key: BLAKE2b-256 keyed
 * with the key over "binome key id v1" || pair_id || epoch. */
void bn_pairkey_id(uint8_t out[BN_HASH_BYTES], uint64_t pair_id, uint32_t epoch,
                   const uint8_t key[32]);

/*
 * A pair's membership as its members sign it when they accept the pair:
 * every member, in increasing account id order, with the side they are on
 * (their role: mentor or mentee) and their public keys.
 */
typedef struct bn_member_id {
    uint64_t account_id;
    uint8_t role;
    uint8_t sign_pk[32];
    uint8_t box_pk[32];
} bn_member_id;

/* bn_members_hash is BLAKE2b-256 of "binome members v1" || count (u32)
 * || for each member by increasing id: id (8) || role (1) || sign_pk ||
 * box_pk. The order of the array does not matter; two members with one
 * id are BN_EINVAL. */
int bn_members_hash(uint8_t out[BN_HASH_BYTES], const bn_member_id *m,
                    size_t n);

/* ------------------------------------------------------------------ */
/* Documents: secretstream in 64 KiB chunks under a per-document key   */

#define BN_DOC_CHUNK 65536u
#define BN_DOC_STREAM_HEADER_BYTES                                             \
    crypto_secretstream_xchacha20poly1305_HEADERBYTES /* 24 */
#define BN_DOC_CHUNK_OVERHEAD crypto_secretstream_xchacha20poly1305_ABYTES
#define BN_DOC_NAME_MAX 255u

typedef struct bn_doc_stream {
    crypto_secretstream_xchacha20poly1305_state st;
    uint64_t index; /* chunks pushed or pulled so far */
    int done;       /* final tag seen (pull) or sent (push) */
} bn_doc_stream;

/* bn_doc_key_generate draws a random document key. */
void bn_doc_key_generate(uint8_t key[32]);

/*
 * bn_doc_push_init starts encryption: writes the stream header (24 bytes)
 * to header. Each chunk's associated data is (doc_id, chunk index), so a
 * chunk from another document or another position fails to open.
 */
int bn_doc_push_init(bn_doc_stream *s, uint8_t header[24],
                     const uint8_t key[32]);

/*
 * bn_doc_push encrypts one plaintext chunk of at most BN_DOC_CHUNK bytes
 * into out (inlen + BN_DOC_CHUNK_OVERHEAD bytes); is_final marks the last
 * chunk with TAG_FINAL. Pushing after the final chunk is BN_EINVAL.
 */
int bn_doc_push(bn_doc_stream *s, uint8_t *out, uint64_t doc_id,
                const uint8_t *in, size_t inlen, int is_final);

/* bn_doc_pull_init starts decryption from the stream header. */
int bn_doc_pull_init(bn_doc_stream *s, const uint8_t header[24],
                     const uint8_t key[32]);

/*
 * bn_doc_pull decrypts one chunk into out (inlen - BN_DOC_CHUNK_OVERHEAD
 * bytes) and sets *is_final when it carried TAG_FINAL. BN_EAUTH for an
 * altered, reordered or foreign chunk; BN_ESTREAM for data after the final.
 * A reader that runs out of chunks before *is_final must report
 * BN_ESTREAM: bn_doc_pull_finish does that check.
 */
int bn_doc_pull(bn_doc_stream *s, uint8_t *out, size_t *outlen, uint64_t doc_id,
                const uint8_t *in, size_t inlen, int *is_final);

/* bn_doc_pull_finish returns 0 when the final chunk was seen, else
 * BN_ESTREAM (truncated document). */
int bn_doc_pull_finish(const bn_doc_stream *s);

/* bn_doc_stream_wipe wipes the stream state. */
void bn_doc_stream_wipe(bn_doc_stream *s);

/* ------------------------------------------------------------------ */
/* Channel: Noise-NK-like handshake, then one AEAD key per direction   */

#define BN_HS_VERSION 1
#define BN_HS_MSG1_BYTES (1 + 32)                /* version, client e */
#define BN_HS_MSG2_BYTES (1 + 32 + BN_TAG_BYTES) /* version, server e, tag */
#define BN_CHANNEL_OVERHEAD crypto_aead_chacha20poly1305_ietf_ABYTES /* 16 */

typedef struct bn_channel {
    uint8_t tx_key[32];
    uint8_t rx_key[32];
    uint64_t tx_ctr;             /* next counter to send */
    uint64_t rx_ctr;             /* next counter expected */
    uint8_t hash[BN_HASH_BYTES]; /* transcript hash, signed at login */
} bn_channel;

typedef struct bn_hs_client {
    uint8_t server_pk[32];
    uint8_t e_pk[32];
    uint8_t e_sk[32];
} bn_hs_client;

/*
 * Client side. bn_hs_client_start makes an ephemeral key and writes msg1.
 * bn_hs_client_finish reads msg2, derives the keys from es = DH(e, S) and
 * ee = DH(e, e') with BLAKE2b over both and the transcript, checks the
 * server's confirmation tag (BN_EHANDSHAKE if the server does not hold the
 * private key of server_pk) and fills ch. The ephemeral secret is wiped.
 */
int bn_hs_client_start(bn_hs_client *hs, const uint8_t server_pk[32],
                       uint8_t msg1[BN_HS_MSG1_BYTES]);
int bn_hs_client_finish(bn_hs_client *hs, const uint8_t msg2[BN_HS_MSG2_BYTES],
                        bn_channel *ch);

/*
 * Server side: reads msg1 (BN_EHANDSHAKE if malformed or a low-order
 * point), writes msg2 and fills ch. server_sk/server_pk: X25519 static.
 */
int bn_hs_server_respond(const uint8_t server_sk[32],
                         const uint8_t server_pk[32],
                         const uint8_t msg1[BN_HS_MSG1_BYTES],
                         uint8_t msg2[BN_HS_MSG2_BYTES], bn_channel *ch);

/*
 * bn_channel_seal encrypts len bytes of in to out (len +
 * BN_CHANNEL_OVERHEAD bytes) with the tx key and the next counter as
 * nonce; ad (may be NULL) is authenticated too: the frame's length prefix.
 * bn_channel_open decrypts with the rx key and the expected counter: a
 * replayed, dropped, reordered or altered frame gives BN_EAUTH and the
 * caller must close the connection. in and out may not overlap.
 */
int bn_channel_seal(bn_channel *ch, uint8_t *out, const uint8_t *in, size_t len,
                    const uint8_t *ad, size_t adlen);
int bn_channel_open(bn_channel *ch, uint8_t *out, const uint8_t *in, size_t len,
                    const uint8_t *ad, size_t adlen);

/* bn_channel_wipe wipes all keys of ch. */
void bn_channel_wipe(bn_channel *ch);

/*
 * Login: the client signs "binome login v1" || transcript hash with its
 * Ed25519 key; the server verifies with the account's public key (BN_ESIG).
 */
int bn_login_sign(uint8_t sig[BN_SIG_BYTES], const bn_channel *ch,
                  const uint8_t sign_sk[64]);
int bn_login_verify(const uint8_t sig[BN_SIG_BYTES], const bn_channel *ch,
                    const uint8_t sign_pk[32]);

/* ------------------------------------------------------------------ */
/* Safety number                                                       */

#define BN_SAFETY_DIGITS 60

/*
 * bn_safety_number computes Signal's numeric fingerprint over both
 * members (5200 iterations of SHA-512 over version, key and id; 30 digits
 * a side; halves sorted), so both members compute the same 60 digits.
 * key = sign_pk || box_pk. out receives 60 digits and a NUL.
 */
int bn_safety_number(char out[BN_SAFETY_DIGITS + 1], uint64_t id_a,
                     const uint8_t sign_pk_a[32], const uint8_t box_pk_a[32],
                     uint64_t id_b, const uint8_t sign_pk_b[32],
                     const uint8_t box_pk_b[32]);

/*
 * bn_key_code is one person's half of every safety number they are in:
 * the 30 digits of their identity (id, sign_pk, box_pk). A team's
 * referent compares it in person with the code a new member reads from
 * `binome whoami` before adding them (issue 14).
 */
#define BN_KEY_CODE_DIGITS 30
int bn_key_code(char out[BN_KEY_CODE_DIGITS + 1], uint64_t id,
                const uint8_t sign_pk[32], const uint8_t box_pk[32]);

/* ------------------------------------------------------------------ */
/* Tamper-evident pair log                                             */

/*
 * An entry of a pair's log. Version 2 (what binome writes) says what the
 * write was: op is the request's message type (BN_MSG_*, frozen numbers),
 * item and sub name the record it made or changed (note id and revision,
 * objective id, document id and chunk count, session id, epoch, account),
 * flags carry BN_LOG_F_* bits. Version 1 entries (schema 3 and before)
 * have none of these: the client can check their chain and signature but
 * cannot tell which record they cover.
 */
typedef struct bn_log_entry {
    uint8_t version;                  /* 1 (legacy) or 2 */
    uint8_t op;                       /* v2: the request's BN_MSG_* type */
    uint16_t flags;                   /* v2: BN_LOG_F_* */
    uint64_t seq;                     /* 1 for the first entry */
    uint8_t prev[BN_HASH_BYTES];      /* hash of entry seq-1; zeros for 1 */
    uint8_t body_hash[BN_HASH_BYTES]; /* BLAKE2b of the write it records */
    uint64_t author_id;
    int64_t time;              /* unix seconds, the author's clock */
    uint64_t item;             /* v2: the record it covers */
    uint32_t sub;              /* v2: revision, chunk count or epoch */
    uint8_t sig[BN_SIG_BYTES]; /* author's signature over the rest */
} bn_log_entry;

#define BN_LOG_VERSION 2
#define BN_LOG_F_PRIVATE 1u /* a private note: served to its author only */
/* a PAIR_END completed before the programme's minimum duration, on purpose */
#define BN_LOG_F_OVERRIDE 2u
/* a MEMBER_ADD that gives the new member the keys of every earlier epoch */
#define BN_LOG_F_HISTORY 4u
/* a note kept to its author's side, sealed with the side key (issue 14) */
#define BN_LOG_F_SIDE 8u

/* Version 1: seq 8, prev 32, body 32, author 8, time 8, sig 64. */
#define BN_LOG_ENTRY_V1_BYTES (8 + 32 + 32 + 8 + 8 + 64)
/* Version 2: version 1, op 1, flags 2, seq 8, prev 32, body 32, author 8,
 * time 8, item 8, sub 4, sig 64. The largest entry: buffers use it. */
#define BN_LOG_ENTRY_BYTES (1 + 1 + 2 + 8 + 32 + 32 + 8 + 8 + 8 + 4 + 64)

/* bn_log_entry_size is the encoded size of e (by its version), or 0. */
size_t bn_log_entry_size(const bn_log_entry *e);

/* bn_log_entry_encode writes bn_log_entry_size(e) bytes to out. */
int bn_log_entry_encode(uint8_t out[BN_LOG_ENTRY_BYTES], const bn_log_entry *e);
/* bn_log_entry_decode reads a v1 (152 bytes) or v2 (168 bytes, version
 * byte 2) entry; any other length or version is BN_ECORRUPT. */
int bn_log_entry_decode(bn_log_entry *e, const uint8_t *in, size_t len);

/* bn_log_entry_sign fills e->sig over (pair_id, every other field). */
int bn_log_entry_sign(bn_log_entry *e, uint64_t pair_id,
                      const uint8_t sign_sk[64]);

/* bn_log_entry_hash is BLAKE2b-256 of (pair_id, the encoded entry). */
int bn_log_entry_hash(uint8_t out[BN_HASH_BYTES], uint64_t pair_id,
                      const bn_log_entry *e);

/* Looks up an author's Ed25519 public key; returns 0 or BN_ENOTFOUND. */
typedef int (*bn_log_key_fn)(void *ctx, uint64_t author_id,
                             uint8_t sign_pk[32]);

/*
 * bn_log_verify checks n consecutive entries: each signature, each prev
 * hash, consecutive seq. prev_head is the hash of the entry before
 * entries[0] (zeros when entries[0].seq == 1). On success writes the hash
 * of the last entry to head_out (may be NULL). On failure returns
 * BN_ECHAIN (or BN_ESIG) and, if bad_seq is not NULL, the seq of the first
 * entry that did not verify.
 */
int bn_log_verify(uint64_t pair_id, const bn_log_entry *entries, size_t n,
                  const uint8_t prev_head[BN_HASH_BYTES], bn_log_key_fn key,
                  void *ctx, uint8_t head_out[BN_HASH_BYTES],
                  uint64_t *bad_seq);

/*
 * bn_log_extends checks that a verified chain (entries[0].seq == 1) still
 * holds a remembered head: entry known_seq exists and hashes to known_head.
 * BN_EROLLBACK when the chain is shorter than known_seq or differs there.
 */
int bn_log_extends(uint64_t pair_id, const bn_log_entry *entries, size_t n,
                   uint64_t known_seq, const uint8_t known_head[BN_HASH_BYTES]);

/* ------------------------------------------------------------------ */
/* Charter consent                                                     */

/*
 * bn_charter_sign signs BLAKE2b-256("binome charter v1" || pair_id ||
 * charter_hash || date || account_id) (integers big-endian) with the
 * member's key; bn_charter_verify checks it (BN_ESIG).
 */
int bn_charter_sign(uint8_t sig[BN_SIG_BYTES], uint64_t pair_id,
                    const uint8_t charter_hash[BN_HASH_BYTES], uint32_t date,
                    uint64_t account_id, const uint8_t sign_sk[64]);
int bn_charter_verify(const uint8_t sig[BN_SIG_BYTES], uint64_t pair_id,
                      const uint8_t charter_hash[BN_HASH_BYTES], uint32_t date,
                      uint64_t account_id, const uint8_t sign_pk[32]);

/*
 * bn_charter_prog_sign: the structure's acceptance of a programme's
 * charter (the convention's third signature), signed by an administrator:
 * BLAKE2b-256("binome programme charter v1" || programme_id ||
 * charter_hash || date || account_id) (integers big-endian), a domain of
 * its own so that it can never pass for a member's signature or the
 * reverse; bn_charter_prog_verify checks it (BN_ESIG).
 */
int bn_charter_prog_sign(uint8_t sig[BN_SIG_BYTES], uint64_t programme_id,
                         const uint8_t charter_hash[BN_HASH_BYTES],
                         uint32_t date, uint64_t account_id,
                         const uint8_t sign_sk[64]);
int bn_charter_prog_verify(const uint8_t sig[BN_SIG_BYTES],
                           uint64_t programme_id,
                           const uint8_t charter_hash[BN_HASH_BYTES],
                           uint32_t date, uint64_t account_id,
                           const uint8_t sign_pk[32]);

/* ------------------------------------------------------------------ */
/* Local drafts (bn_draftbox.c): sealed with a key derived from self_key */

#define BN_DRAFTBOX_MAGIC_BYTES 8 /* "BNDRAFT1" */
#define BN_DRAFTBOX_HEADER_BYTES (BN_DRAFTBOX_MAGIC_BYTES + BN_NONCE_BYTES)
#define BN_DRAFTBOX_OVERHEAD (BN_DRAFTBOX_HEADER_BYTES + BN_TAG_BYTES)

/*
 * bn_draftbox_seal seals pt (the caller pads it) under a key derived from
 * the identity's self_key, with associated data ad (e.g. the account and
 * the draft's id): *out is malloc'd (free()), BN_DRAFTBOX_OVERHEAD + ptlen
 * bytes. bn_draftbox_open reverses it: *pt is sodium_malloc memory (wipe
 * and sodium_free); BN_ECORRUPT for something that is not a draft box,
 * BN_EAUTH when it does not open with this key and ad.
 */
int bn_draftbox_seal(uint8_t **out, size_t *outlen,
                     const uint8_t self_key[BN_KEY_BYTES], const uint8_t *ad,
                     size_t adlen, const uint8_t *pt, size_t ptlen);
int bn_draftbox_open(uint8_t **pt, size_t *ptlen,
                     const uint8_t self_key[BN_KEY_BYTES], const uint8_t *ad,
                     size_t adlen, const uint8_t *box, size_t boxlen);

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

/* bn_hash is BLAKE2b-256 of data. */
void bn_hash(uint8_t out[BN_HASH_BYTES], const uint8_t *data, size_t len);

/* bn_random_u64 returns a uniformly random non-zero 64-bit id. */
uint64_t bn_random_u64(void);

#endif
