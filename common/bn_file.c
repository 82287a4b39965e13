/*
 * bn_file.c: writing a file so that a crash leaves the old one or the new
 * one, never a mix: mkostemp("<path>.tmpXXXXXX", O_CLOEXEC) in the same
 * directory (created 0600), fchmod(mode), write everything (EINTR
 * retried), fsync, close, rename over path, then open the directory and
 * fsync it. On any failure the temporary file is unlinked and -errno
 * returned.
 */
#include "bn_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bn_err.h"

/* fsync_dir_of opens the directory holding path and fsyncs it. */
static int fsync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int fd, rc = 0;

    if (slash == NULL)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return BN_ENOMEM;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return -errno;
    if (fsync(fd) != 0)
        rc = -errno;
    close(fd);
    return rc;
}

int bn_file_write_atomic(const char *path, const uint8_t *data, size_t len,
                         unsigned mode)
{
    static const char suffix[] = ".tmpXXXXXX";
    char *tmp = NULL;
    int fd = -1, rc;

    if (path == NULL || (data == NULL && len > 0))
        return BN_EINVAL;
    size_t plen = strlen(path);
    tmp = malloc(plen + sizeof suffix);
    if (tmp == NULL)
        return BN_ENOMEM;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, suffix, sizeof suffix);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        free(tmp);
        return rc;
    }
    if (fchmod(fd, (mode_t)mode) != 0) {
        rc = -errno;
        goto fail;
    }
    rc = bn_write_full(fd, data, len);
    if (rc != 0)
        goto fail;
    if (fsync(fd) != 0) {
        rc = -errno;
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = -errno;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        rc = -errno;
        goto fail;
    }
    free(tmp);
    return fsync_dir_of(path);
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    return rc;
}
