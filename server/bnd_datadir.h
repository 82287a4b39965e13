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

/* ---- one daemon per data directory --------------------------------------- */

/* The lock file in a data directory: held (flock, exclusive) by the
 * process that serves or converts it, and holding that process's pid. */
#define BND_LOCK_FILE "binomed.lock"

/*
 * bnd_datadir_lock takes the exclusive lock on dir/binomed.lock (made
 * 0600 if needed) without waiting, and writes the caller's pid in it. On
 * success *fd is the lock, held until bnd_datadir_unlock or the process
 * ends (the kernel drops it with the last descriptor, even on a crash).
 * -EWOULDBLOCK when another process holds it: *pid is its pid as the file
 * says, or 0 when it cannot be read. -ENOENT when dir does not exist, or
 * another -errno.
 */
int bnd_datadir_lock(const char *dir, int *fd, long *pid);

/* bnd_datadir_unlock releases a lock from bnd_datadir_lock (fd < 0: no
 * lock). The file stays, with the last holder's pid: removing it would
 * race with the next taker, and a pid is only read while it is held. */
void bnd_datadir_unlock(int fd);

#endif
