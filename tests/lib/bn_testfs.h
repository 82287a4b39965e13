/*
 * bn_testfs.h: temporary directories for tests, made and removed in one
 * place. libc only, so every test binary can link it.
 */
#ifndef BN_TESTFS_H
#define BN_TESTFS_H

/* bn_testfs_rmtree removes path and everything below it, without
 * following symbolic links. Returns 0, or -1 if anything stayed. */
int bn_testfs_rmtree(const char *path);

#endif
