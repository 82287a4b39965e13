/*
 * bnd_upgrade.h: `binomed upgrade`, the conversion of a schema 3 data
 * directory (the release before issue 11) to schema 4 (bnd_schema.h).
 *
 * The conversion is one write transaction: it happens whole or not at
 * all. Before it, a hot backup of the directory is made beside it
 * (bnd_backup): DIR/../NAME.schema3-backup-YYYYMMDDTHHMMSSZ; when the
 * backup cannot be made nothing is converted. What changes:
 *   - rec_wrap gains key_id (zeros), rec_accept members_hash (zeros),
 *     rec_doc final_hash (bn_hash of the stored final chunk of a complete
 *     document, zeros for an incomplete one);
 *   - every session is renumbered to the seq of its log entry (its key
 *     and id), and every note of the same pair that referred to its old
 *     id is updated; statistics do not depend on session ids;
 *   - log entries stay as they are (version 1, 152 bytes);
 *   - the schema record says 4.
 * Stop any daemon of the old release on DIR first.
 */
#ifndef BND_UPGRADE_H
#define BND_UPGRADE_H

#include <stddef.h>
#include <stdint.h>

typedef struct bnd_upgrade_info {
    char backup[4096]; /* where the backup went (or was to go) */
    int backed_up;     /* 1 once the backup is made */
    uint64_t wraps;    /* records rewritten, by kind */
    uint64_t accepts;
    uint64_t docs;
    uint64_t sessions; /* sessions renumbered (id changed) */
    uint64_t notes;    /* notes whose session_id changed */
} bnd_upgrade_info;

/*
 * bnd_upgrade_schema_of reads the schema version of the data directory
 * dir, read-only (the daemon may run): 0 and *version, -ENOENT when dir
 * holds no environment, BN_ECORRUPT when it has no schema record, or a
 * store error.
 */
int bnd_upgrade_schema_of(const char *dir, uint32_t *version);

/*
 * bnd_upgrade converts dir from schema 3 to 4 after backing it up (see
 * above). 0 with *info filled; BN_EEXIST when dir is already of schema 4
 * (nothing done); BN_EVERSION for any other schema; the backup's error
 * (info->backup names the path it tried) before anything changed;
 * BN_ECORRUPT when a record does not convert (a session without a log
 * seq, two sessions of a pair with one seq): nothing changed then either.
 */
int bnd_upgrade(const char *dir, bnd_upgrade_info *info);

#endif
