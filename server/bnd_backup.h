/*
 * bnd_backup.h: `binomed backup --data DIR --to DIR`, a hot and
 * consistent copy of a data directory while its daemon runs.
 *
 * data.mdb is copied by LMDB from one read transaction (mdb_env_copyfd2
 * with MDB_CP_COMPACT, in an environment opened read-only beside the
 * daemon: see bnd_audit_env_open), so the copy is the store as of one
 * commit, compacted (free pages are left out: erased ciphertext in them
 * does not travel), and the daemon keeps serving and writing. server.key
 * (mode 0600), server.pub and binomed.conf are copied next to it;
 * lock.mdb is not (the daemon makes one). Every file and the directory
 * are fsynced before it returns. The copy is opened once, read-only,
 * and its schema version read back.
 *
 * The snapshot is pinned while the copy runs: pages freed meanwhile are
 * reused (and scrubbed after an erasure) only after it ends.
 */
#ifndef BND_BACKUP_H
#define BND_BACKUP_H

#include <stdint.h>

typedef struct bnd_backup_info {
    uint64_t data_bytes; /* size of the copied data.mdb */
    unsigned files;      /* files written, data.mdb included */
} bnd_backup_info;

/*
 * bnd_backup copies data directory from into to, which must not exist
 * (it is made with mode 0700) or be an empty directory. On failure what
 * it wrote is removed (and to, if it made it). 0; BN_EEXIST when to is
 * not empty; -ENOENT when from is not an initialised data directory
 * (no server.key or data.mdb); -errno; BN_ESTORE; BN_ECORRUPT when the
 * copy does not read back. *info may be NULL.
 */
int bnd_backup(const char *from, const char *to, bnd_backup_info *info);

#endif
