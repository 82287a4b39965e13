/*
 * bnd_datadir.c: binomed init (a new data directory: keys, store,
 * binomed.conf, the first invitation), invitations made in a store, by a
 * handler or offline, and the lock that keeps a second daemon off a data
 * directory already served (bnd_datadir.h).
 */
#include "bnd_datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bn_err.h"
#include "bn_util.h"
#include "bnd_keys.h"
#include "bnd_schema.h"

/* ---- invitations ----------------------------------------------------------
 */

int bnd_invite_put(bnd_store *st, MDB_txn *txn,
                   const uint8_t token[BN_TOKEN_BYTES], uint64_t programme_id,
                   uint8_t role, int64_t expires, uint64_t created_by)
{
    uint8_t h[BN_HASH_BYTES];
    bn_rec_invite inv;
    bnd_key k;

    memset(&inv, 0, sizeof inv);
    inv.programme_id = programme_id;
    inv.role = role;
    inv.created_by = created_by;
    inv.created = bn_now();
    inv.expires = expires;
    bn_hash(h, token, BN_TOKEN_BYTES);
    k = bnd_key_invites(h);
    return bnd_rec_put(st, txn, k, &inv, MDB_NOOVERWRITE);
}

struct invite_job {
    bnd_store *st;
    uint8_t token[BN_TOKEN_BYTES];
    uint8_t role;
    int64_t expires;
};

static int invite_write(MDB_txn *txn, void *arg)
{
    struct invite_job *j = arg;
    return bnd_invite_put(j->st, txn, j->token, 0, j->role, j->expires, 0);
}

/* Makes an admin or auditor invitation in an open store and formats its
 * code for host:port and the server key. */
static int make_invite(bnd_store *st, const bnd_keys *keys, const char *host,
                       uint16_t port, uint8_t role, unsigned days, char *code,
                       size_t codesize)
{
    struct invite_job j;
    bn_invite_code ic;
    int rc;

    if ((role != BN_ROLE_ADMIN && role != BN_ROLE_AUDITOR) || days < 1 ||
        days > BN_TTL_DAYS_MAX)
        return BN_EINVAL;
    memset(&j, 0, sizeof j);
    j.st = st;
    j.role = role;
    j.expires = bn_now() + (int64_t)days * 86400;
    randombytes_buf(j.token, sizeof j.token);
    rc = bnd_store_write(st, invite_write, &j);
    if (rc == 0) {
        memset(&ic, 0, sizeof ic);
        memcpy(ic.server_pk, keys->box_pk, 32);
        memcpy(ic.token, j.token, 32);
        snprintf(ic.host, sizeof ic.host, "%s", host);
        ic.port = port;
        rc = bn_invite_format(code, codesize, &ic);
        sodium_memzero(&ic, sizeof ic);
    }
    sodium_memzero(&j, sizeof j);
    return rc;
}

int bnd_invite_offline(const bnd_config *cfg, uint8_t role, unsigned days,
                       char *code, size_t codesize)
{
    bnd_store_opts o = {cfg->map_initial, cfg->map_max, 0, 0};
    bnd_store *st = NULL;
    bnd_keys *keys = bnd_keys_new();
    int rc;

    if (keys == NULL)
        return BN_ENOMEM;
    rc = bnd_keys_load(keys, cfg->data_dir);
    if (rc == 0)
        rc = bnd_store_open(&st, cfg->data_dir, &o);
    if (rc == 0)
        rc = make_invite(st, keys, cfg->host, cfg->port, role, days, code,
                         codesize);
    bnd_store_close(st);
    bnd_keys_free(keys);
    return rc;
}

/* ---- data directory -------------------------------------------------------
 */

int bnd_datadir_init(const char *dir, const char *listen, char *code,
                     size_t codesize)
{
    char path[PATH_MAX], conf[BN_INVITE_HOST_MAX + 64];
    bnd_config cfg;
    bnd_store_opts o = {0, 0, 1, 0};
    bnd_store *st = NULL;
    bnd_keys *keys = NULL;
    struct stat sb;
    int rc;

    bnd_config_defaults(&cfg);
    if (listen != NULL && bnd_config_set_listen(&cfg, listen) != 0)
        return BN_EINVAL;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -errno;
    if (stat(dir, &sb) != 0)
        return -errno;
    if (!S_ISDIR(sb.st_mode))
        return -ENOTDIR;
    if (bnd_data_path(path, sizeof path, dir, "server.key") != 0)
        return BN_EINVAL;
    if (stat(path, &sb) == 0)
        return BN_EEXIST;
    if (bnd_data_path(path, sizeof path, dir, "data.mdb") != 0)
        return BN_EINVAL;
    if (stat(path, &sb) == 0)
        return BN_EEXIST;

    keys = bnd_keys_new();
    if (keys == NULL)
        return BN_ENOMEM;
    crypto_box_keypair(keys->box_pk, keys->box_sk);
    crypto_sign_keypair(keys->sign_pk, keys->sign_sk);
    rc = bnd_store_open(&st, dir, &o);
    if (rc != 0)
        goto out;
    rc = make_invite(st, keys, cfg.host, cfg.port, BN_ROLE_ADMIN,
                     BND_INVITE_DAYS_DEFAULT, code, codesize);
    if (rc != 0)
        goto out;
    int n = snprintf(conf, sizeof conf,
                     "# binomed configuration\nlisten=%s%s%s:%u\n",
                     strchr(cfg.host, ':') ? "[" : "", cfg.host,
                     strchr(cfg.host, ':') ? "]" : "", (unsigned)cfg.port);
    rc = bnd_data_path(path, sizeof path, dir, "binomed.conf");
    if (rc == 0)
        rc = bn_file_write_atomic(path, (const uint8_t *)conf, (size_t)n, 0644);
    /* server.key last: its presence marks a finished init. */
    if (rc == 0)
        rc = bnd_keys_save(keys, dir);
out:
    bnd_store_close(st);
    bnd_keys_free(keys);
    return rc;
}

/* ---- one daemon per data directory ---------------------------------------
 */

/* lock_holder reads the pid written in a lock file someone holds: 0 when there
 * is none that parses. */
static long lock_holder(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    char *end;
    long pid;

    if (n <= 0)
        return 0;
    buf[n] = '\0';
    pid = strtol(buf, &end, 10);
    return pid > 0 && (*end == '\n' || *end == '\0') ? pid : 0;
}

int bnd_datadir_lock(const char *dir, int *fd, long *pid)
{
    char path[PATH_MAX], line[32];
    int f, n, rc;

    *fd = -1;
    *pid = 0;
    n = snprintf(path, sizeof path, "%s/%s", dir, BND_LOCK_FILE);
    if (n < 0 || (size_t)n >= sizeof path)
        return BN_ETOOLONG;
    f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (f < 0)
        return -errno;
    /* flock, not fcntl: a record lock is dropped when the process closes
     * any descriptor of the file, an flock only with this one. */
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        rc = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
        if (rc == -EWOULDBLOCK)
            *pid = lock_holder(f);
        close(f);
        return rc;
    }
    n = snprintf(line, sizeof line, "%ld\n", (long)getpid());
    if (ftruncate(f, 0) != 0 || pwrite(f, line, (size_t)n, 0) != n) {
        rc = -errno;
        close(f);
        return rc ? rc : BN_EIO;
    }
    *fd = f;
    return 0;
}

void bnd_datadir_unlock(int fd)
{
    if (fd < 0)
        return;
    close(fd);
}
