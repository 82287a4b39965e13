/*
 * bnd_backup.c: a hot, consistent copy of a data directory (see the
 * header): LMDB copies data.mdb from one read transaction of a read-only
 * environment, the key and configuration files follow, everything is
 * fsynced, and the copy is read back once.
 */
#include "bnd_backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>
#include <sodium.h>

#include "bnd_audit.h"
#include "bnd_schema.h"

/* The files a backup holds besides data.mdb: name, forced mode (0: the
 * source's), whether the source must have it. */
static const struct extra {
    const char *name;
    mode_t mode;
    int required;
} extras[] = {
    {"server.key", 0600, 1},
    {"server.pub", 0, 0},
    {"binomed.conf", 0, 0},
};

#define NEXTRAS (sizeof extras / sizeof extras[0])

typedef struct backup {
    const char *from, *to;
    int made_dir;
    int made[1 + NEXTRAS]; /* data.mdb, then extras[] */
    bnd_backup_info info;
} backup;

static int path_of(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* prepare_to makes b->to (mode 0700) or checks that it is empty. */
static int prepare_to(backup *b)
{
    DIR *d;
    struct dirent *e;
    int rc = 0;

    if (mkdir(b->to, 0700) == 0) {
        b->made_dir = 1;
        return 0;
    }
    if (errno != EEXIST)
        return -errno;
    d = opendir(b->to);
    if (d == NULL)
        return -errno;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            rc = BN_EEXIST;
            break;
        }
    closedir(d);
    return rc;
}

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC), rc = 0;
    if (fd < 0)
        return -errno;
    if (fsync(fd) != 0)
        rc = -errno;
    close(fd);
    return rc;
}

/* copy_data copies data.mdb with LMDB (compacted), then fsyncs it. */
static int copy_data(backup *b)
{
    char path[PATH_MAX];
    MDB_env *env = NULL;
    struct stat st;
    int fd, rc, mrc;

    rc = bnd_audit_env_open(&env, b->from);
    if (rc != 0)
        return rc;
    rc = path_of(path, sizeof path, b->to, "data.mdb");
    if (rc != 0) {
        mdb_env_close(env);
        return rc;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = -errno;
        mdb_env_close(env);
        return rc;
    }
    b->made[0] = 1;
    mrc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT);
    for (int tries = 0; mrc == MDB_MAP_RESIZED && tries < 8; tries++) {
        /* The daemon grew its map: adopt the size and start again. */
        mrc = mdb_env_set_mapsize(env, 0);
        if (mrc == 0 && (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0))
            mrc = errno;
        if (mrc == 0)
            mrc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT);
    }
    rc = mrc > 0 ? -mrc : bnd_mdb_err(mrc);
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (rc == 0 && fstat(fd, &st) == 0)
        b->info.data_bytes = (uint64_t)st.st_size;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    mdb_env_close(env);
    if (rc == 0)
        b->info.files++;
    return rc;
}

/* copy_file copies from/name to to/name (O_EXCL), with mode x->mode or
 * the source's, and fsyncs it. -ENOENT when the source is missing. */
static int copy_file(backup *b, size_t i)
{
    const struct extra *x = &extras[i];
    char src[PATH_MAX], dst[PATH_MAX], buf[65536];
    struct stat st;
    int in = -1, out = -1, rc;

    rc = path_of(src, sizeof src, b->from, x->name);
    if (rc == 0)
        rc = path_of(dst, sizeof dst, b->to, x->name);
    if (rc != 0)
        return rc;
    in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0 || fstat(in, &st) != 0) {
        rc = -errno;
        goto cleanup;
    }
    mode_t mode = x->mode ? x->mode : (st.st_mode & 0777);
    out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (out < 0) {
        rc = -errno;
        goto cleanup;
    }
    b->made[1 + i] = 1;
    if (fchmod(out, mode) != 0) { /* the umask may have taken bits */
        rc = -errno;
        goto cleanup;
    }
    for (;;) {
        ssize_t got = read(in, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = -errno;
            goto cleanup;
        }
        if (got == 0)
            break;
        for (ssize_t off = 0; off < got;) {
            ssize_t put = write(out, buf + off, (size_t)(got - off));
            if (put < 0 && errno == EINTR)
                continue;
            if (put < 0) {
                rc = -errno;
                goto cleanup;
            }
            off += put;
        }
    }
    if (fsync(out) != 0)
        rc = -errno;
    else
        b->info.files++;
cleanup:
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0 && rc == 0)
        rc = -errno;
    /* server.key may hold secrets: the stack buffer goes too */
    sodium_memzero(buf, sizeof buf);
    return rc;
}

/* verify opens the copy read-only without a lock file (nobody else uses
 * it) and reads its schema version back. */
static int verify(backup *b)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    uint32_t version = 0;
    int mrc, rc;

    mrc = mdb_env_create(&env);
    if (mrc == 0)
        mrc = mdb_env_set_maxdbs(env, BND_DB_COUNT + 8);
    if (mrc == 0)
        mrc = mdb_env_open(env, b->to, MDB_RDONLY | MDB_NOLOCK, 0600);
    if (mrc == 0)
        mrc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    rc = mrc > 0 ? -mrc : bnd_mdb_err(mrc);
    if (rc == 0)
        rc = bnd_schema_read(txn, &version);
    /* a schema 3 copy is what bnd_upgrade makes before converting */
    if (rc == 0 && version != BND_SCHEMA_VERSION &&
        version != BND_SCHEMA_UPGRADE_FROM)
        rc = BN_ECORRUPT;
    if (txn != NULL)
        mdb_txn_abort(txn);
    mdb_env_close(env);
    return rc;
}

/* undo removes what a failed backup wrote. */
static void undo(backup *b)
{
    char path[PATH_MAX];

    if (b->made[0] && path_of(path, sizeof path, b->to, "data.mdb") == 0)
        unlink(path);
    for (size_t i = 0; i < NEXTRAS; i++)
        if (b->made[1 + i] &&
            path_of(path, sizeof path, b->to, extras[i].name) == 0)
            unlink(path);
    if (b->made_dir)
        rmdir(b->to);
}

int bnd_backup(const char *from, const char *to, bnd_backup_info *info)
{
    char path[PATH_MAX];
    struct stat st;
    backup b;
    int rc;

    memset(&b, 0, sizeof b);
    b.from = from;
    b.to = to;
    rc = path_of(path, sizeof path, from, "server.key");
    if (rc == 0 && stat(path, &st) != 0)
        rc = -errno;
    if (rc == 0)
        rc = path_of(path, sizeof path, from, "data.mdb");
    if (rc == 0 && stat(path, &st) != 0)
        rc = -errno;
    if (rc != 0)
        return rc;
    rc = prepare_to(&b);
    if (rc != 0)
        return rc;
    rc = copy_data(&b);
    for (size_t i = 0; i < NEXTRAS && rc == 0; i++) {
        rc = copy_file(&b, i);
        if (rc == -ENOENT && !extras[i].required)
            rc = 0;
    }
    if (rc == 0)
        rc = fsync_path(to, O_RDONLY | O_DIRECTORY);
    /* A new directory's entry lives in its parent. */
    if (rc == 0 && b.made_dir && path_of(path, sizeof path, to, "..") == 0)
        rc = fsync_path(path, O_RDONLY | O_DIRECTORY);
    if (rc == 0)
        rc = verify(&b);
    if (rc != 0)
        undo(&b);
    else if (info != NULL)
        *info = b.info;
    return rc;
}
