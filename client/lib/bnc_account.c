/*
 * bnc_account.c: leaving for good (issue 15): the account erased on the
 * server (ACCOUNT_ERASE), and the profile that held it deleted from this
 * machine.
 */
#include "binome.h"
#include "bnc_internal.h"
#include "bnc_project.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int bnc_account_erase(bnc_client *c, uint64_t account_id, uint64_t programme_id,
                      bnc_account_erasure *out)
{
    bn_msg req, rep = {0};
    int rc;

    memset(out, 0, sizeof *out);
    bn_msg_init(&req, BN_MSG_ACCOUNT_ERASE, 0);
    req.u.account_erase.account_id = account_id;
    req.u.account_erase.programme_id = programme_id;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_ACCOUNT_ERASED);
    if (rc == 0) {
        const bn_account_erased *e = &rep.u.account_erased;
        if (account_id != 0 && e->account_id != account_id)
            rc = BN_EPROTO;
        out->account_id = e->account_id;
        out->erased = e->erased;
        out->pairs_kept = e->pairs_kept;
        out->pairs_shredded = e->pairs_shredded;
    }
    bn_msg_free(&rep);
    return rc;
}

/* remove_tree deletes what path holds (files, and folders down to depth
 * levels: sent/PAIR/NOTE), then path: 0, or -errno (a path that does not
 * exist is 0). Symbolic links are removed, never followed; nothing is
 * opened or read. */
static int remove_tree(const char *path, int depth)
{
    char file[BNC_PATH_MAX + 320];
    struct dirent *de;
    struct stat st;
    DIR *d;
    int rc = 0;

    d = opendir(path);
    if (d == NULL)
        return errno == ENOENT ? 0 : -errno;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        int n = snprintf(file, sizeof file, "%s/%s", path, de->d_name);
        if (n < 0 || (size_t)n >= sizeof file)
            continue;
        int r = 0;
        if (depth > 0 && lstat(file, &st) == 0 && S_ISDIR(st.st_mode))
            r = remove_tree(file, depth - 1);
        else if (unlink(file) != 0 && errno != ENOENT)
            r = -errno;
        if (r != 0 && rc == 0)
            rc = r;
    }
    closedir(d);
    if (rmdir(path) != 0 && errno != ENOENT && rc == 0)
        rc = -errno;
    return rc;
}

/* Deletes dir/sub and what it holds. */
static int remove_folder(const bnc_profile *p, const char *sub)
{
    char path[BNC_PATH_MAX + 64];
    int rc = bnc_profile_path(p, path, sizeof path, sub);

    return rc != 0 ? rc : remove_tree(path, 2);
}

/* What a profile holds, the key file first. */
static const char *const profile_files[] = {"identity.key", "profile.conf"};
static const char *const profile_folders[] = {"drafts",   "log",     "keys",
                                              "verified", "uploads", "sent"};

int bnc_profile_erase(bnc_profile *p)
{
    char path[BNC_PATH_MAX + 64];
    int rc = 0, r;

    for (size_t i = 0; i < sizeof profile_files / sizeof *profile_files; i++) {
        r = bnc_profile_path(p, path, sizeof path, profile_files[i]);
        if (r == 0 && unlink(path) != 0 && errno != ENOENT)
            r = -errno;
        if (r != 0 && rc == 0)
            rc = r;
    }
    for (size_t i = 0; i < sizeof profile_folders / sizeof *profile_folders;
         i++) {
        r = remove_folder(p, profile_folders[i]);
        if (r != 0 && rc == 0)
            rc = r;
    }
    if (rc != 0)
        return rc;
    if (rmdir(p->dir) == 0)
        return 0;
    return errno == ENOTEMPTY || errno == EEXIST ? 1 : -errno;
}
