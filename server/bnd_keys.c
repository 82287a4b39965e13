/*
 * bnd_keys.c: the server's key file, DIR/server.key, read, checked and
 * written, and DIR/server.pub beside it (bnd_keys.h).
 */
#include "bnd_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bn_err.h"
#include "bn_util.h"
#include "bnd_config.h"
#include "bnd_log.h"

#define KEY_MAGIC "BNDK"
#define KEY_VERSION 1
#define KEY_FILE_BYTES (4 + 1 + 32 + 32 + 64 + 32)

bnd_keys *bnd_keys_new(void)
{
    bnd_keys *k = sodium_malloc(sizeof *k);
    if (k != NULL)
        sodium_memzero(k, sizeof *k);
    return k;
}

void bnd_keys_free(bnd_keys *k)
{
    if (k != NULL)
        sodium_free(k); /* sodium_free wipes */
}

int bnd_keys_load(bnd_keys *k, const char *dir)
{
    char path[PATH_MAX];
    uint8_t *buf = NULL;
    uint8_t check[32];
    struct stat sb;
    int fd = -1, rc;

    rc = bnd_data_path(path, sizeof path, dir, "server.key");
    if (rc != 0)
        return rc;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    buf = sodium_malloc(KEY_FILE_BYTES + 1);
    if (buf == NULL) {
        close(fd);
        return BN_ENOMEM;
    }
    rc = BN_ECORRUPT;
    if (fstat(fd, &sb) != 0 || sb.st_size != KEY_FILE_BYTES)
        goto out;
    if ((sb.st_mode & 077) != 0)
        bnd_log(BND_LOG_WARN, "keys.mode", "file=server.key mode=%03o want=600",
                (unsigned)(sb.st_mode & 0777));
    size_t got = 0;
    while (got < KEY_FILE_BYTES) {
        ssize_t r = read(fd, buf + got, KEY_FILE_BYTES - got);
        if (r <= 0) {
            rc = r < 0 ? -errno : BN_ECORRUPT;
            goto out;
        }
        got += (size_t)r;
    }
    if (memcmp(buf, KEY_MAGIC, 4) != 0)
        goto out;
    if (buf[4] != KEY_VERSION) {
        rc = BN_EVERSION;
        goto out;
    }
    memcpy(k->box_sk, buf + 5, 32);
    memcpy(k->box_pk, buf + 37, 32);
    memcpy(k->sign_sk, buf + 69, 64);
    memcpy(k->sign_pk, buf + 133, 32);
    crypto_scalarmult_base(check, k->box_sk);
    if (sodium_memcmp(check, k->box_pk, 32) != 0 ||
        sodium_memcmp(k->sign_sk + 32, k->sign_pk, 32) != 0) {
        sodium_memzero(k, sizeof *k);
        goto out;
    }
    rc = 0;
out:
    sodium_free(buf);
    close(fd);
    return rc;
}

int bnd_keys_save(const bnd_keys *k, const char *dir)
{
    char path[PATH_MAX];
    char pub[256], hex1[65], hex2[65];
    uint8_t *buf = sodium_malloc(KEY_FILE_BYTES);
    int rc;

    if (buf == NULL)
        return BN_ENOMEM;
    memcpy(buf, KEY_MAGIC, 4);
    buf[4] = KEY_VERSION;
    memcpy(buf + 5, k->box_sk, 32);
    memcpy(buf + 37, k->box_pk, 32);
    memcpy(buf + 69, k->sign_sk, 64);
    memcpy(buf + 133, k->sign_pk, 32);
    rc = bnd_data_path(path, sizeof path, dir, "server.key");
    if (rc == 0)
        rc = bn_file_write_atomic(path, buf, KEY_FILE_BYTES, 0600);
    sodium_free(buf);
    if (rc != 0)
        return rc;
    bn_hex_encode(hex1, k->box_pk, 32);
    bn_hex_encode(hex2, k->sign_pk, 32);
    int n = snprintf(pub, sizeof pub, "box_pk=%s\nsign_pk=%s\n", hex1, hex2);
    rc = bnd_data_path(path, sizeof path, dir, "server.pub");
    if (rc == 0)
        rc = bn_file_write_atomic(path, (const uint8_t *)pub, (size_t)n, 0644);
    return rc;
}
