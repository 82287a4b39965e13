/*
 * cli_agent.c: binome agent and binome lock (issue 15): the passphrase
 * typed once for a session of commands. The agent's work is libbinome's
 * (bnc_agent_*); here it is started in the background, and stopped.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define IDLE_DEFAULT_MIN 15
#define IDLE_MAX_MIN 1440
#define IDLE_TEST_MAX_S 86400

/* The agent's stop pipe: a signal handler writes a byte, the agent's
 * wait (bnc_agent_serve) sees it. */
static int stop_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    char b = (char)sig;

    if (write(stop_pipe[1], &b, 1) < 0) {
        /* full or closed: the agent is stopping already */
    }
    errno = saved;
}

/* no_dump keeps this process's memory from core files and from ptrace by
 * other processes of the same user (root still can). */
static void no_dump(void)
{
    struct rlimit rl = {0, 0};

    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    setrlimit(RLIMIT_CORE, &rl);
}

/* clock_of writes the local time t as "HH:MM" (today) or "YYYY-MM-DD
 * HH:MM". */
static void clock_of(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t, now = time(NULL);
    struct tm tm, today;

    localtime_r(&tt, &tm);
    localtime_r(&now, &today);
    if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday)
        strftime(out, size, "%H:%M", &tm);
    else
        strftime(out, size, "%Y-%m-%d %H:%M", &tm);
}

/* open_profile: the profile, checked as every command checks it. */
static int open_profile(cli_ctx *ctx)
{
    int rc = cli_profile_check(ctx, 0);

    if (rc == 0)
        rc = bnc_profile_open(&ctx->profile, ctx->profile_dir);
    if (rc == BNC_ECORRUPT)
        return cli_fail(ctx, rc, "profile.conf does not parse");
    return rc;
}

/* agent_error names a reason the agent cannot start or answer. */
static int agent_error(cli_ctx *ctx, int rc)
{
    const char *dir = bnc_profile_dir(ctx->profile);
    struct stat st;

    if (stat(dir, &st) != 0)
        memset(&st, 0, sizeof st);
    if (rc == BNC_EDENIED && st.st_uid != geteuid()) {
        cli_hint(ctx, "run the agent as the user who owns %s", dir);
        return cli_fail(ctx, rc, "%s belongs to another user", dir);
    }
    if (rc == BNC_EDENIED) {
        cli_hint(ctx, "make it private: chmod 700 %s", dir);
        return cli_fail(ctx, rc,
                        "the profile directory %s is open to other users "
                        "(mode %o): the agent will not start there",
                        dir, (unsigned)(st.st_mode & 0777));
    }
    if (rc == BNC_EEXIST) {
        cli_hint(ctx, "'binome agent --status' says until when; 'binome "
                      "lock' stops it");
        return cli_fail(ctx, rc, "an agent is already running for %s", dir);
    }
    if (rc == BNC_ETOOLONG)
        return cli_fail(
            ctx, rc, "the path of %s/agent.sock is too long for a socket", dir);
    if (rc == BNC_EINVAL)
        return cli_fail(ctx, rc, "%s/agent.sock is there and is not a socket",
                        dir);
    return rc;
}

/* status prints whether an agent runs, and when it forgets the keys. */
static int status(cli_ctx *ctx)
{
    int64_t forget_at = 0;
    uint32_t pid = 0;
    char when[32];
    int rc = open_profile(ctx);

    if (rc != 0)
        return rc;
    rc = bnc_agent_status(ctx->profile, &forget_at, &pid);
    if (rc == BNC_ENOTFOUND) {
        printf("no agent is running: commands ask the passphrase\n");
        return 0;
    }
    if (rc != 0)
        return agent_error(ctx, rc);
    clock_of(forget_at, when, sizeof when);
    printf("agent running (pid %u): it forgets your keys at %s unless a "
           "command uses them before\n",
           (unsigned)pid, when);
    return 0;
}

/* idle_seconds: --idle MINUTES (1 to 1440, default 15), or for the tests
 * BINOME_AGENT_IDLE_SECONDS. */
static int idle_seconds(cli_ctx *ctx, const char *arg, unsigned *out)
{
    const char *env = getenv("BINOME_AGENT_IDLE_SECONDS");
    uint64_t v = IDLE_DEFAULT_MIN;
    int rc;

    if (arg != NULL) {
        rc = cli_u64(ctx, "--idle", arg, &v);
        if (rc != 0)
            return rc;
        if (v < 1 || v > IDLE_MAX_MIN)
            return cli_fail(ctx, CLI_EUSAGE, "--idle must be 1 to %d minutes",
                            IDLE_MAX_MIN);
    }
    *out = (unsigned)v * 60;
    if (env != NULL && env[0] != '\0') {
        rc = cli_u64(ctx, "BINOME_AGENT_IDLE_SECONDS", env, &v);
        if (rc != 0)
            return rc;
        if (v < 1 || v > IDLE_TEST_MAX_S)
            return cli_fail(ctx, CLI_EUSAGE,
                            "BINOME_AGENT_IDLE_SECONDS must be 1 to %d",
                            IDLE_TEST_MAX_S);
        *out = (unsigned)v;
    }
    return 0;
}

/* close_inherited closes the descriptors this process inherited from
 * whoever started it (a pipe of a shell would otherwise wait for the
 * agent): every one above 2 without close-on-exec, which all of the
 * agent's own have. */
static void close_inherited(void)
{
    long max = sysconf(_SC_OPEN_MAX);

    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = 3; fd < max; fd++) {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC))
            close(fd);
    }
}

/* forget_env_passphrase wipes BINOME_PASSPHRASE's bytes where the
 * environment keeps them (what /proc/PID/environ shows), then unsets it:
 * the agent keeps the keys, never the passphrase. */
static void forget_env_passphrase(void)
{
    char *env = getenv("BINOME_PASSPHRASE");

    if (env != NULL)
        sodium_memzero(env, strlen(env));
    unsetenv("BINOME_PASSPHRASE");
}

/* detach turns this process into the agent: its own session, no
 * terminal, no standard streams, no inherited descriptor; the signals
 * that stop it (blocked since before the fork: old is the mask to go back
 * to) write to the stop pipe. Returns the pipe's end to wait on, or -1. */
static int detach(const sigset_t *old)
{
    struct sigaction sa;
    int fd;

    setsid();
    close_inherited();
    fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
    if (chdir("/") != 0) {
        /* The socket's path is absolute: the directory does not matter. */
    }
    signal(SIGPIPE, SIG_IGN);
    if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* A signal that came meanwhile is delivered now, into the pipe. */
    sigprocmask(SIG_SETMASK, old, NULL);
    return stop_pipe[0];
}

int cli_agent(cli_ctx *ctx, int argc, char **argv)
{
    const char *idle_arg = NULL;
    int want_status = 0;
    const cli_opt opts[] = {{"idle", &idle_arg, NULL},
                            {"status", NULL, &want_status},
                            {NULL, NULL, NULL}};
    bnc_agent *a = NULL;
    unsigned idle = 0;
    int64_t forget_at = 0;
    uint32_t pid = 0;
    char when[32];
    sigset_t stops, old;
    struct stat st;
    pid_t child;
    int stop_fd;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (want_status && idle_arg != NULL)
        return cli_fail(ctx, CLI_EUSAGE, "--status takes no --idle");
    if (want_status)
        return status(ctx);
    rc = idle_seconds(ctx, idle_arg, &idle);
    if (rc != 0)
        return rc;
    /* From here this process holds the passphrase, then the keys. */
    no_dump();
    rc = open_profile(ctx);
    if (rc != 0)
        return rc;
    /* Say "already running" or "not private" before asking anything
     * (bnc_agent_open checks again, for good). */
    rc = bnc_agent_status(ctx->profile, &forget_at, &pid);
    if (rc == 0)
        return agent_error(ctx, BNC_EEXIST);
    if (stat(bnc_profile_dir(ctx->profile), &st) == 0 &&
        (st.st_uid != geteuid() || (st.st_mode & 077) != 0))
        return agent_error(ctx, BNC_EDENIED);
    rc = cli_unlock(ctx);
    if (rc != 0)
        return rc;
    rc = bnc_agent_open(&a, ctx->profile);
    if (rc != 0)
        return agent_error(ctx, rc);
    forget_env_passphrase();
    fflush(stdout);
    fflush(stderr);
    /* A signal that comes before the agent's handlers are in place waits
     * (blocked) for its wait, instead of killing it with its socket. */
    sigemptyset(&stops);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGHUP);
    sigprocmask(SIG_BLOCK, &stops, &old);
    child = fork();
    rc = child < 0 ? -errno : 0;
    if (child != 0)
        sigprocmask(SIG_SETMASK, &old, NULL);
    if (child < 0) {
        bnc_agent_free(a, 1);
        return rc;
    }
    if (child > 0) {
        /* The agent has its own copy of the socket and of the keys; ours
         * are forgotten when main frees the profile. */
        bnc_agent_free(a, 0);
        clock_of((int64_t)time(NULL) + idle, when, sizeof when);
        if (idle % 60 == 0)
            printf("agent running (pid %ld): it forgets your keys after %u "
                   "minutes without use (at %s if unused), or at 'binome "
                   "lock'\n",
                   (long)child, idle / 60, when);
        else
            printf("agent running (pid %ld): it forgets your keys after %u "
                   "seconds without use (at %s if unused), or at 'binome "
                   "lock'\n",
                   (long)child, idle, when);
        return 0;
    }
    stop_fd = detach(&old);
    no_dump();
    rc = stop_fd < 0 ? -errno : bnc_agent_serve(a, ctx->profile, idle, stop_fd);
    bnc_agent_free(a, 1);
    bnc_profile_free(ctx->profile);
    _exit(rc == 0 ? 0 : 1);
}

int cli_lock(cli_ctx *ctx, int argc, char **argv)
{
    int rc = cli_parse(ctx, argc, argv, NULL, NULL, 0, 0);

    if (rc == 0)
        rc = open_profile(ctx);
    if (rc != 0)
        return rc;
    rc = bnc_agent_lock(ctx->profile);
    if (rc == BNC_ENOTFOUND) {
        printf("no agent was running\n");
        return 0;
    }
    if (rc != 0)
        return agent_error(ctx, rc);
    printf("the agent forgot your keys and stopped\n");
    return 0;
}
