/*
 * bnd_datadir.h: a data directory made (binomed init) and invitations
 * made in it, by the daemon (bnd_invite_put, inside a write) or offline
 * (binomed invite). Above the bottom floor (configuration, keys, store),
 * below the handlers.
 */
#ifndef BND_DATADIR_H
#define BND_DATADIR_H

#include <stddef.h>
#include <stdint.h>

#include "bn_proto.h"
#include "bnd_config.h"
#include "bnd_store.h"

/* ---- data directory ------------------------------------------------------ */

/*
 * bnd_datadir_init creates dir (0700) if needed, refuses one already
 * initialised (BN_EEXIST), makes the server keys, writes binomed.conf with
 * listen, creates the store and a first invitation (admin, programme 0,
 * BND_INVITE_DAYS_DEFAULT days) whose code it writes to code.
 */
int bnd_datadir_init(const char *dir, const char *listen, char *code,
                     size_t codesize);

/*
 * bnd_invite_put stores an invitation for token (only bn_hash(token) is
 * kept) inside txn.
 */
int bnd_invite_put(bnd_store *st, MDB_txn *txn,
                   const uint8_t token[BN_TOKEN_BYTES], uint64_t programme_id,
                   uint8_t role, int64_t expires, uint64_t created_by);

/*
 * bnd_invite_offline makes an invitation in the data directory of cfg
 * (the daemon may be running) and writes its code with cfg's address.
 */
int bnd_invite_offline(const bnd_config *cfg, uint8_t role, unsigned days,
                       char *code, size_t codesize);

#endif
