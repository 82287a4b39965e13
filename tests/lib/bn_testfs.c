#define _XOPEN_SOURCE 700
#include "bn_testfs.h"

#include <ftw.h>
#include <stdio.h>

static int remove_one(const char *p, const struct stat *sb, int flag,
                      struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    return remove(p) == 0 ? 0 : -1;
}

int bn_testfs_rmtree(const char *path)
{
    return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}
