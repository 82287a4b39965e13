/*
 * bench_admin.h: blocking setup through libbinome, as the CLI does, for
 * the benchmarks that drive a real binomed (bench_idle, bn_load): join
 * with an invitation, or open an admin profile.
 *
 * The client library is not linked into every test binary, so this is a
 * header of static functions for the one program that includes it, not a
 * tests/lib object.
 */
#ifndef BENCH_ADMIN_H
#define BENCH_ADMIN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bnc_internal.h" /* the handles' insides, for white-box checks */

/* The passphrase of every key file a benchmark makes. */
#define BENCH_PASS "bench passphrase, not a secret"

/* ba_join_new redeems code into dir/sub (key file under BENCH_PASS) as
 * name; the profile goes to *out, identity loaded (the caller frees it
 * with bnc_profile_free), the account to *acc. Returns 0 or an error. */
static int ba_join_new(const char *dir, const char *sub, const char *code,
                       const char *name, bnc_profile **out, bnc_account *acc)
{
    char path[BNC_PATH_MAX];
    bnc_profile *p = NULL;
    int rc;

    *out = NULL;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, sub) >= sizeof path)
        return BN_EINVAL;
    rc = bnc_profile_new(&p, path);
    if (rc == 0)
        rc = bnc_join(p, code, name, BENCH_PASS, strlen(BENCH_PASS), acc);
    if (rc != 0) {
        bnc_profile_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

/* ba_admin_pass returns the passphrase of the admin's key file: BENCH_PASS
 * when the admin joins with an invitation, else BINOME_PASSPHRASE; NULL,
 * after saying so on stderr as prog, when that is not set. */
static const char *ba_admin_pass(const char *prog, const char *invite)
{
    const char *pass =
        invite != NULL ? BENCH_PASS : getenv("BINOME_PASSPHRASE");
    if (pass == NULL)
        fprintf(stderr, "%s: --admin-profile needs BINOME_PASSPHRASE\n", prog);
    return pass;
}

/* ba_admin_open connects as the admin: with invite, joins into dir/admin
 * as "bench admin"; else opens the profile in profile_dir; then logs in
 * with pass (from ba_admin_pass). *prof and *cl are set as far as it got,
 * even on failure (bnc_client_error(*cl) may say why); the caller closes
 * and frees both. Returns 0 or the first error. */
static int ba_admin_open(const char *dir, const char *invite,
                         const char *profile_dir, const char *pass,
                         bnc_profile **prof, bnc_client **cl)
{
    bnc_account acc;
    int rc;

    if (invite != NULL)
        rc = ba_join_new(dir, "admin", invite, "bench admin", prof, &acc);
    else
        rc = bnc_profile_open(prof, profile_dir);
    if (rc == 0)
        rc = bnc_client_open(cl, *prof, pass, strlen(pass));
    return rc;
}

#endif
