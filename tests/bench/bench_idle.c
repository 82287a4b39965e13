/*
 * bench_idle: the daemon's memory with many idle logged-in connections (a
 * benchmark, not a test: it prints figures and fails only when something
 * does not work).
 *
 * Setup is blocking and goes through libbinome as the CLI does: join with
 * an admin invitation (or open an admin profile with BINOME_PASSPHRASE),
 * create a programme and --accounts mentor accounts (key files with
 * BINOME_KDF=interactive). Then it reads the daemon's VmRSS and VmHWM
 * (/proc/PID/status, PID from --pid), opens --conns connections with
 * bnc_client_open, round robin over the accounts (several connections per
 * account, as a member with a laptop and a phone has), each through the
 * handshake and LOGIN, reads the figures again once all are logged in,
 * keeps them open and idle for --idle seconds, reads them a third time,
 * and checks with one WHOAMI per connection that all are still alive.
 * With --touch BYTES, each connection first sends one request of about
 * that size (a NOTE_PUT to a pair that does not exist, with a random
 * envelope behind a well-formed header: the server refuses it after
 * reading the whole frame), to show what a connection keeps after a
 * large request such as a long note or a document chunk.
 * One line on stdout:
 *
 *   idle: conns=1000 accounts=10 open_s=... before_rss_kib=...
 *   before_hwm_kib=... login_rss_kib=... idle_rss_kib=... idle_hwm_kib=...
 *   idle_anon_kib=... per_conn_kib=... alive=1000
 *
 * per_conn_kib is (idle VmRSS - before VmRSS) / conns. RLIMIT_NOFILE is
 * raised to what the connections need (up to the hard limit). Progress
 * and errors go to stderr. Exit status 0 when every connection logged in
 * and stayed alive, 1 otherwise, 2 for a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../lib/bn_testfs.h"
#include "bench_admin.h"
#include "bnc_internal.h" /* the handles' insides, for white-box checks */

#define MAX_ACCOUNTS 1000

typedef struct opts {
    const char *invite;
    const char *admin_profile;
    const char *work;
    long pid;
    unsigned conns;
    unsigned accounts;
    unsigned idle_s;
    unsigned touch;
} opts;

/* What /proc/PID/status says of the daemon's memory, in KiB. */
typedef struct mem {
    long rss, hwm, anon, file;
} mem;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* read_mem fills m from /proc/pid/status: 0, or -1 when it cannot be
 * read (the daemon is gone). */
static int read_mem(long pid, mem *m)
{
    char path[64], line[256];
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    memset(m, 0, sizeof *m);
    while (fgets(line, sizeof line, f) != NULL) {
        long v;
        if (sscanf(line, "VmRSS: %ld", &v) == 1)
            m->rss = v;
        else if (sscanf(line, "VmHWM: %ld", &v) == 1)
            m->hwm = v;
        else if (sscanf(line, "RssAnon: %ld", &v) == 1)
            m->anon = v;
        else if (sscanf(line, "RssFile: %ld", &v) == 1)
            m->file = v;
    }
    fclose(f);
    return m->rss > 0 ? 0 : -1;
}

static void show_mem(const char *when, const mem *m)
{
    fprintf(stderr,
            "bench_idle: %-13s VmRSS %6.1f MiB  VmHWM %6.1f MiB  "
            "RssAnon %6.1f MiB  RssFile %6.1f MiB\n",
            when, m->rss / 1024.0, m->hwm / 1024.0, m->anon / 1024.0,
            m->file / 1024.0);
}

/* raise_nofile lets this process hold need descriptors, if the hard
 * limit allows: 0, or -1 when it does not. */
static int raise_nofile(rlim_t need)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if (rl.rlim_cur >= need)
        return 0;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
        return -1;
    rl.rlim_cur = need;
    return setrlimit(RLIMIT_NOFILE, &rl);
}

/* setup joins (or opens) the admin, creates a programme and the accounts
 * the connections log in as; their profiles stay loaded in profs. */
static int setup(const opts *o, bnc_profile **profs)
{
    char code[BN_INVITE_CODE_MAX + 1], sub[32], name[BN_NAME_MAX + 1];
    bnc_profile *admin_prof = NULL;
    bnc_client *admin = NULL;
    const char *pass = ba_admin_pass("bench_idle", o->invite);
    bnc_account acc;
    uint64_t prog = 0;
    int rc;

    if (pass == NULL)
        return BN_EPASSPHRASE;
    rc = ba_admin_open(o->work, o->invite, o->admin_profile, pass, &admin_prof,
                       &admin);
    if (rc == 0) {
        bnc_programme_spec spec = {.name = "idle bench programme",
                                   .theme = "idle",
                                   .months = 6,
                                   .frequency = BN_FREQ_MONTHLY,
                                   .format = BN_FORMAT_MIXED};
        rc = bnc_programme_create(admin, &spec, &prog);
    }
    for (unsigned i = 0; rc == 0 && i < o->accounts; i++) {
        rc = bnc_invite_create(admin, prog, BN_ROLE_MENTOR, 0, code, NULL);
        snprintf(sub, sizeof sub, "mentor%u", i);
        snprintf(name, sizeof name, "idle mentor %u", i);
        if (rc == 0)
            rc = ba_join_new(o->work, sub, code, name, &profs[i], &acc);
    }
    if (rc != 0)
        fprintf(stderr, "bench_idle: setup: %s (%s)\n", bn_strerror(rc),
                bnc_client_error(admin));
    bnc_client_close(admin);
    bnc_profile_free(admin_prof);
    return rc;
}

/* touch sends one NOTE_PUT of an envelope of len bytes on each
 * connection, to a pair that does not exist: the server reads the whole
 * frame and answers an error. Returns 0, or the first transport error. */
static int touch(bnc_client **cl, unsigned n, size_t len)
{
    uint8_t *env = malloc(len);
    int rc = 0;

    if (env == NULL)
        return BN_ENOMEM;
    randombytes_buf(env, len);
    env[0] = BN_ENVELOPE_VERSION; /* bn_envelope_check: version, length */
    for (unsigned i = 0; i < n && rc == 0; i++) {
        bn_msg req, rep = {0};
        bn_msg_init(&req, BN_MSG_NOTE_PUT, 0);
        req.u.note_put.pair_id = UINT64_MAX;
        req.u.note_put.note_id = 1;
        req.u.note_put.revision = 1;
        req.u.note_put.kind = BN_KIND_NOTE;
        req.u.note_put.epoch = 1;
        req.u.note_put.envelope = (bn_bin){env, (uint32_t)len};
        rc = bnc_call(cl[i]->conn, &req, &rep);
        bn_msg_free(&rep);
        if (rc == 0 || rc == BN_ENOTFOUND || rc == BN_EDENIED ||
            rc == BN_EINVAL)
            rc = 0; /* the server's refusal, as expected */
        else
            fprintf(stderr, "bench_idle: touch %u: %s\n", i, bn_strerror(rc));
    }
    free(env);
    return rc;
}

/* alive counts the connections that still answer WHOAMI. */
static unsigned alive(bnc_client **cl, unsigned n)
{
    unsigned ok = 0;
    for (unsigned i = 0; i < n; i++) {
        bnc_account a;
        if (cl[i] != NULL && bnc_whoami(cl[i], &a) == 0)
            ok++;
    }
    return ok;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bench_idle (--invite CODE | --admin-profile DIR) --pid "
            "PID [options]\n"
            "  --invite CODE        admin invitation from `binomed init`\n"
            "  --admin-profile DIR  an admin profile (BINOME_PASSPHRASE)\n"
            "  --pid PID            the daemon, for /proc/PID/status\n"
            "  --conns N            idle connections to open (1000)\n"
            "  --accounts K         accounts they log in as, round robin "
            "(10)\n"
            "  --idle S             seconds to keep them idle (10)\n"
            "  --touch BYTES        first send one request of about BYTES\n"
            "                       on each connection (0: none)\n"
            "  --work DIR           where the bench profiles go (default: a\n"
            "                       temporary directory, removed at exit)\n");
}

static int parse_num(const char *s, unsigned long max, unsigned long *v)
{
    char *end;
    errno = 0;
    *v = strtoul(s, &end, 10);
    return errno != 0 || end == s || *end != '\0' || *v == 0 || *v > max ? -1
                                                                         : 0;
}

/* parse_opts: 0, -1 after --help, 2 for a usage error. */
static int parse_opts(opts *o, int argc, char **argv)
{
    static const struct option lo[] = {
        {"invite", required_argument, 0, 'i'},
        {"admin-profile", required_argument, 0, 'a'},
        {"pid", required_argument, 0, 'p'},
        {"conns", required_argument, 0, 'c'},
        {"accounts", required_argument, 0, 'k'},
        {"idle", required_argument, 0, 's'},
        {"touch", required_argument, 0, 't'},
        {"work", required_argument, 0, 'w'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    unsigned long v = 0;
    int ch, bad = 0;

    memset(o, 0, sizeof *o);
    o->conns = 1000;
    o->accounts = 10;
    o->idle_s = 10;
    while (!bad && (ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'i':
            o->invite = optarg;
            break;
        case 'a':
            o->admin_profile = optarg;
            break;
        case 'w':
            o->work = optarg;
            break;
        case 'p':
            bad = parse_num(optarg, 1ul << 30, &v);
            o->pid = (long)v;
            break;
        case 'c':
            bad = parse_num(optarg, 1000000, &v);
            o->conns = (unsigned)v;
            break;
        case 'k':
            bad = parse_num(optarg, MAX_ACCOUNTS, &v);
            o->accounts = (unsigned)v;
            break;
        case 's':
            bad = parse_num(optarg, 86400, &v);
            o->idle_s = (unsigned)v;
            break;
        case 't':
            bad = parse_num(optarg, BN_ENVELOPE_MAX, &v) ||
                  v < BN_ENVELOPE_MIN_BYTES;
            o->touch = (unsigned)v;
            break;
        case 'h':
            usage(stdout);
            return -1;
        default:
            bad = 1;
        }
    }
    if (!bad && (optind != argc || o->pid == 0 ||
                 (o->invite == NULL) == (o->admin_profile == NULL)))
        bad = 1;
    if (bad) {
        usage(stderr);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    char tmpdir[] = "/tmp/bench-idle-XXXXXX";
    bnc_profile **profs = NULL;
    bnc_client **cl = NULL;
    unsigned opened = 0, live = 0;
    mem before, login, idle;
    opts o;
    int rc, ret = 1;

    rc = parse_opts(&o, argc, argv);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (bn_crypto_init() != 0) {
        fprintf(stderr, "bench_idle: libsodium failed to initialise\n");
        return 1;
    }
    if (read_mem(o.pid, &before) != 0) {
        fprintf(stderr, "bench_idle: cannot read /proc/%ld/status\n", o.pid);
        return 1;
    }
    /* one descriptor per connection, and some for the rest */
    if (raise_nofile((rlim_t)o.conns + 64) != 0) {
        fprintf(stderr,
                "bench_idle: RLIMIT_NOFILE cannot reach %u: raise the hard "
                "limit (ulimit -Hn) or use fewer --conns\n",
                o.conns + 64);
        return 1;
    }
    /* Key files of bench accounts: the fast KDF (bn_crypto.h). */
    setenv("BINOME_KDF", "interactive", 0);
    if (o.work == NULL) {
        if (mkdtemp(tmpdir) == NULL) {
            perror("bench_idle: mkdtemp");
            return 1;
        }
        o.work = tmpdir;
    }
    profs = calloc(o.accounts, sizeof *profs);
    cl = calloc(o.conns, sizeof *cl);
    if (profs == NULL || cl == NULL)
        goto cleanup;
    double t0 = now_s();
    if (setup(&o, profs) != 0)
        goto cleanup;
    fprintf(stderr, "bench_idle: setup: %u accounts in %.1f s\n", o.accounts,
            now_s() - t0);

    if (read_mem(o.pid, &before) != 0)
        goto gone;
    show_mem("before", &before);
    t0 = now_s();
    for (; opened < o.conns; opened++) {
        rc = bnc_client_open(&cl[opened], profs[opened % o.accounts],
                             BENCH_PASS, strlen(BENCH_PASS));
        if (rc != 0) {
            fprintf(stderr, "bench_idle: connection %u: %s\n", opened,
                    bn_strerror(rc));
            goto cleanup;
        }
    }
    double open_s = now_s() - t0;
    fprintf(stderr, "bench_idle: %u connections logged in in %.2f s (%.0f/s)\n",
            opened, open_s, open_s > 0 ? opened / open_s : 0.0);
    if (read_mem(o.pid, &login) != 0)
        goto gone;
    show_mem("logged in", &login);
    if (o.touch > 0) {
        mem touched;
        t0 = now_s();
        if (touch(cl, opened, o.touch) != 0)
            goto cleanup;
        fprintf(stderr,
                "bench_idle: one request of %u bytes on each in %.2f s\n",
                o.touch, now_s() - t0);
        if (read_mem(o.pid, &touched) != 0)
            goto gone;
        show_mem("touched", &touched);
    }
    fprintf(stderr, "bench_idle: idle for %u s\n", o.idle_s);
    sleep(o.idle_s);
    if (read_mem(o.pid, &idle) != 0)
        goto gone;
    show_mem("after idle", &idle);
    live = alive(cl, opened);
    printf("idle: conns=%u accounts=%u touch=%u open_s=%.2f before_rss_kib=%ld "
           "before_hwm_kib=%ld login_rss_kib=%ld idle_rss_kib=%ld "
           "idle_hwm_kib=%ld idle_anon_kib=%ld per_conn_kib=%.2f alive=%u\n",
           o.conns, o.accounts, o.touch, open_s, before.rss, before.hwm,
           login.rss, idle.rss, idle.hwm, idle.anon,
           (double)(idle.rss - before.rss) / o.conns, live);
    fflush(stdout);
    ret = live == o.conns ? 0 : 1;
    if (live != o.conns)
        fprintf(stderr, "bench_idle: only %u of %u connections answered\n",
                live, o.conns);
    goto cleanup;
gone:
    fprintf(stderr, "bench_idle: the daemon (pid %ld) is gone\n", o.pid);
cleanup:
    for (unsigned i = 0; cl != NULL && i < o.conns; i++)
        bnc_client_close(cl[i]);
    for (unsigned i = 0; profs != NULL && i < o.accounts; i++)
        bnc_profile_free(profs[i]);
    free(cl);
    free(profs);
    if (o.work == tmpdir)
        bn_testfs_rmtree(tmpdir);
    return ret;
}
