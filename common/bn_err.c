/*
 * bn_err.c: the names and messages of binome's error codes, from the one
 * table in bn_err.h, and of the errno values binome passes through.
 */
#include "bn_err.h"

#include <errno.h>
#include <string.h>

int bn_err_is_bn(int err)
{
    switch (err) {
#define BN__ERR_CASE(name, value, msg) case BN_E##name:
        BN_ERR_MAP(BN__ERR_CASE)
#undef BN__ERR_CASE
        return 1;
    default:
        return 0;
    }
}

const char *bn_strerror(int err)
{
    if (err == 0)
        return "success";
    switch (err) {
#define BN__ERR_MSG(name, value, msg)                                          \
    case BN_E##name:                                                           \
        return msg;
        BN_ERR_MAP(BN__ERR_MSG)
#undef BN__ERR_MSG
    default:
        break;
    }
    if (err < 0 && err > -4096)
        return strerror(-err);
    return "unknown error";
}

const char *bn_err_name(int err)
{
    if (err == 0)
        return "BN_OK";
    switch (err) {
#define BN__ERR_NAME(name, value, msg)                                         \
    case BN_E##name:                                                           \
        return "BN_E" #name;
        BN_ERR_MAP(BN__ERR_NAME)
#undef BN__ERR_NAME
    default:
        break;
    }
    switch (-err) {
#define BN__ERRNO(e)                                                           \
    case e:                                                                    \
        return #e;
        BN__ERRNO(EPERM)
        BN__ERRNO(ENOENT)
        BN__ERRNO(EINTR)
        BN__ERRNO(EIO)
        BN__ERRNO(EBADF)
        BN__ERRNO(EAGAIN)
        BN__ERRNO(ENOMEM)
        BN__ERRNO(EACCES)
        BN__ERRNO(EEXIST)
        BN__ERRNO(ENOTDIR)
        BN__ERRNO(EISDIR)
        BN__ERRNO(EINVAL)
        BN__ERRNO(ENOSPC)
        BN__ERRNO(EPIPE)
        BN__ERRNO(ERANGE)
        BN__ERRNO(EADDRINUSE)
        BN__ERRNO(ECONNREFUSED)
        BN__ERRNO(ECONNRESET)
        BN__ERRNO(ETIMEDOUT)
#undef BN__ERRNO
    default:
        return "BN_EUNKNOWN";
    }
}
