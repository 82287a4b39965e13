/*
 * bnd_keys.h: the server's own key pairs, DIR/server.key (secret, 0600)
 * and DIR/server.pub. Bottom floor: uses the configuration's paths only.
 */
#ifndef BND_KEYS_H
#define BND_KEYS_H

#include <stdint.h>

#include "bn_crypto.h"

typedef struct bnd_keys {
    uint8_t box_pk[BN_BOX_PK_BYTES];
    uint8_t box_sk[BN_BOX_SK_BYTES];
    uint8_t sign_pk[BN_SIGN_PK_BYTES];
    uint8_t sign_sk[BN_SIGN_SK_BYTES];
} bnd_keys;

/* bnd_keys_new returns zeroed keys in sodium_malloc memory, or NULL;
 * bnd_keys_free wipes and frees (accepts NULL). */
bnd_keys *bnd_keys_new(void);
void bnd_keys_free(bnd_keys *k);

/*
 * bnd_keys_load reads DIR/server.key: "BNDK", version 1, box_sk, box_pk,
 * sign_sk, sign_pk (165 bytes). -ENOENT when missing, BN_ECORRUPT when
 * malformed or when the public keys do not match the secret ones,
 * BN_EVERSION for another version.
 */
int bnd_keys_load(bnd_keys *k, const char *dir);

/* bnd_keys_save writes server.key (0600, atomically) and server.pub (text:
 * box_pk=HEX and sign_pk=HEX lines). */
int bnd_keys_save(const bnd_keys *k, const char *dir);
#endif
