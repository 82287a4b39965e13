/*
 * runner.c: build/tests/unit_runner, the one program that runs binome's
 * tests. It links every unit test of tests/unit/test_list.h and runs each
 * in its own process (fork, its group's setup and teardown around it in
 * cmocka, a timeout); given the paths of integration programs and
 * scripts, it runs those too, one process each. A test is ok when its
 * process exits 0; it FAILED when it exits otherwise, CRASHED when a
 * signal ended it, TIMEOUT when the runner had to kill it. Each gets one
 * line with its name; the output of a test that did not pass follows its
 * line; the run ends with "N passed, N failed" and exits 1 when a test
 * did not pass. Nothing of a test's output is parsed: the count comes
 * from exit statuses only.
 *
 * Built with -DBN_UNIT_FIXTURE, it is build/tests/runner_fixture, the same
 * runner over the small list of runner_fixture.h (a test that passes, one
 * that fails, one that crashes, one that hangs) that
 * tests/integration/runner.sh checks the runner against.
 *
 * A child is the leader of its own process group, so that a timeout also
 * ends what it started (a daemon, a script's commands): SIGTERM first,
 * which lets a script's trap clean up, then SIGKILL after GRACE_S seconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef BN_UNIT_FIXTURE
#include "runner_fixture.h"
#else
#include "test_list.h"
#endif
#include "bn_crypto.h"

#define UNIT_TIMEOUT_S 60  /* a unit test; BN_TEST_TIMEOUT, -t */
#define PROG_TIMEOUT_S 900 /* a program or script; BN_TEST_PROG_TIMEOUT */
#define GRACE_S 5          /* between SIGTERM and SIGKILL */
#define MAX_JOBS 64
#define SHOW_MAX (256 * 1024) /* bytes of a failed test's output shown */

/* Every group of the list, and the symbols that prove a group listed. */
#define GROUP_PTR(g) &bn_unit_group_##g,
static const bn_unit_group *const groups[] = {BN_UNIT_GROUPS(GROUP_PTR)};
#define GROUP_LISTED(g) const char bn_unit_listed_##g = 1;
BN_UNIT_GROUPS(GROUP_LISTED)

#define TOOL_ENTRY(name, fn, help) {#name, fn, help},
static const bn_unit_tool tools[] = {
    BN_UNIT_TOOLS(TOOL_ENTRY){NULL, NULL, NULL}};

/* One test to run: a unit test of the list, or a program or script. */
typedef struct job {
    char name[192];                /* group/test, or the path */
    const bn_unit_group *group;    /* a unit test's group, or NULL */
    const struct CMUnitTest *test; /* the unit test, or NULL */
    const char *prog;              /* the program or script, or NULL */
    int selected;
    pid_t pid; /* while it runs */
    int out;   /* its stdout and stderr, or -1 */
    double start, deadline;
    int timed_out; /* SIGTERM sent, SIGKILL next */
    int alone;     /* a program that runs with nothing beside it */
} job;

typedef struct opts {
    int jobs;      /* unit tests at a time */
    int prog_jobs; /* programs at a time (those not named alone) */
    double unit_timeout, prog_timeout;
    int verbose;
} opts;

static volatile sig_atomic_t interrupted;

/* The handler of SIGINT and SIGTERM: the loop stops the children. */
static void on_stop(int sig)
{
    interrupted = sig;
}

/* SIGCHLD needs a handler for sigtimedwait to see it on every system. */
static void on_child(int sig)
{
    (void)sig;
}

/* Seconds on the monotonic clock. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A positive number of seconds from the environment variable, or def. */
static double env_seconds(const char *var, double def)
{
    const char *s = getenv(var);
    char *end;
    if (s == NULL || *s == '\0')
        return def;
    double v = strtod(s, &end);
    return (*end == '\0' && v > 0) ? v : def;
}

/* Prints the usage on f. */
static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: unit_runner [-v] [-j N] [-t SECONDS] [--all] "
        "[NAME | PROGRAM]...\n"
        "       unit_runner --list [NAME]...\n"
        "       unit_runner --tool TOOL [ARG]...\n"
        "\n"
        "Runs each selected unit test in its own process (every one when "
        "no NAME is\n"
        "given, or with --all), then each PROGRAM, one line per test, and "
        "ends with\n"
        "\"N passed, N failed\". A NAME is group/test, test or group "
        "(--list); a\n"
        "PROGRAM is the path of a test program, or of a script run with "
        "sh. One unit\n"
        "test alone runs in this process, without a timeout (for a "
        "debugger).\n"
        "\n"
        "  -j N        N unit tests at a time (BN_TEST_JOBS, default 1)\n"
        "  -J N        N programs at a time (BN_TEST_PROG_JOBS, default 1), "
        "but a\n"
        "              program named in BN_TEST_ALONE (base names, "
        "separated by\n"
        "              spaces) runs with nothing beside it, and unit tests "
        "never\n"
        "              run beside a program\n"
        "  -t SECONDS  a unit test's timeout (BN_TEST_TIMEOUT, default %d); "
        "a\n"
        "              program's is BN_TEST_PROG_TIMEOUT (default %d)\n"
        "  -v          every test's output, not only a failed one's "
        "(BN_TEST_VERBOSE)\n",
        UNIT_TIMEOUT_S, PROG_TIMEOUT_S);
    if (tools[0].name != NULL)
        fprintf(f, "\ntools:\n");
    for (const bn_unit_tool *t = tools; t->name != NULL; t++)
        fprintf(f, "  %-10s  %s\n", t->name, t->help);
}

/* Marks the unit tests that sel names (group/test, test or group);
 * returns how many it named. */
static int select_tests(job *all, size_t n, const char *sel)
{
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        const char *slash = strchr(all[i].name, '/');
        size_t glen = (size_t)(slash - all[i].name);
        if (strcmp(all[i].name, sel) == 0 || strcmp(slash + 1, sel) == 0 ||
            (strlen(sel) == glen && strncmp(all[i].name, sel, glen) == 0)) {
            all[i].selected = 1;
            found++;
        }
    }
    return found;
}

/* In the child: its own process group, its output into out, stdin from
 * /dev/null, default signals. */
static void child_setup(int out)
{
    sigset_t none;
    int null = open("/dev/null", O_RDONLY);
    setpgid(0, 0);
    if (null >= 0) {
        dup2(null, 0);
        close(null);
    }
    dup2(out, 1);
    dup2(out, 2);
    close(out);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Runs one unit test in cmocka with its group's fixture around it, after
 * the steps before it when its group is a story; returns the exit status
 * (0 when it and its steps passed). */
static int run_unit(const job *j)
{
    const struct CMUnitTest one[1] = {*j->test};
    const bn_unit_group *g = j->group;
    int rc;
    if (g->mode == BN_UNIT_STORY)
        rc = _cmocka_run_group_tests(g->name, g->tests,
                                     (size_t)(j->test - g->tests) + 1, g->setup,
                                     g->teardown);
    else
        rc = cmocka_run_group_tests_name(g->name, one, g->setup, g->teardown);
    return rc == 0 ? 0 : 1;
}

/* In the child: runs the job and never returns. exit() rather than _exit
 * for a unit test, so that stdio is flushed and a sanitizer's leak check
 * runs. */
static void child_run(const job *j)
{
    if (j->prog == NULL) {
        fflush(stdout);
        exit(run_unit(j));
    }
    size_t len = strlen(j->prog);
    if (len > 3 && strcmp(j->prog + len - 3, ".sh") == 0)
        execl("/bin/sh", "sh", j->prog, (char *)NULL);
    else
        execl(j->prog, j->prog, (char *)NULL);
    fprintf(stderr, "unit_runner: cannot run %s: %s\n", j->prog,
            strerror(errno));
    _exit(127);
}

/* Starts job j; returns 0, or -1 (said on stderr) when it could not. */
static int start(job *j, const opts *o)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/binome-test.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    j->out = mkostemp(path, O_CLOEXEC);
    if (j->out < 0) {
        fprintf(stderr, "unit_runner: %s: %s\n", path, strerror(errno));
        return -1;
    }
    unlink(path);
    fflush(NULL);
    j->start = now_s();
    j->deadline =
        j->start + (j->prog != NULL ? o->prog_timeout : o->unit_timeout);
    j->timed_out = 0;
    j->pid = fork();
    if (j->pid < 0) {
        fprintf(stderr, "unit_runner: fork: %s\n", strerror(errno));
        close(j->out);
        j->out = -1;
        return -1;
    }
    if (j->pid == 0) {
        child_setup(j->out);
        child_run(j);
    }
    setpgid(j->pid, j->pid); /* the child does too: whichever runs first */
    return 0;
}

/* Copies the captured output of j to stdout, each line indented; the end
 * of it when it is longer than SHOW_MAX. */
static void show_output(const job *j)
{
    char buf[8192];
    ssize_t r;
    int bol = 1;
    off_t size = lseek(j->out, 0, SEEK_END);
    off_t from = size > SHOW_MAX ? size - SHOW_MAX : 0;
    if (from > 0)
        printf("    [... %lld bytes of output before ...]\n", (long long)from);
    lseek(j->out, from, SEEK_SET);
    while ((r = read(j->out, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < r; i++) {
            if (bol)
                fputs("    ", stdout);
            putchar(buf[i]);
            bol = buf[i] == '\n';
        }
    }
    if (!bol)
        putchar('\n');
}

/* Reports job j, which ended with wait status st; returns 1 when it
 * passed. */
static int report(job *j, int st, const opts *o)
{
    double took = now_s() - j->start;
    char why[128] = "";
    const char *verdict;
    int passed = 0;

    if (j->timed_out) {
        verdict = "TIMEOUT";
        snprintf(why, sizeof why, " (killed after %.0f s)",
                 j->prog != NULL ? o->prog_timeout : o->unit_timeout);
    } else if (WIFSIGNALED(st)) {
        verdict = "CRASHED";
        snprintf(why, sizeof why, " (signal %d, %s)", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
    } else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        verdict = "ok";
        passed = 1;
    } else {
        verdict = "FAILED";
        snprintf(why, sizeof why, " (exit status %d)", WEXITSTATUS(st));
    }
    printf("%-8s %s  %.2f s%s\n", verdict, j->name, took, why);
    if (!passed || o->verbose)
        show_output(j);
    fflush(stdout);
    close(j->out);
    j->out = -1;
    j->pid = 0;
    return passed;
}

/* named_alone tells whether the base name of prog is one of the words of
 * BN_TEST_ALONE: a program that must run with nothing beside it (it
 * measures time, or looks at what other tests leave in /tmp). */
static int named_alone(const char *prog)
{
    const char *list = getenv("BN_TEST_ALONE");
    const char *base = strrchr(prog, '/');
    size_t len;

    base = base != NULL ? base + 1 : prog;
    len = strlen(base);
    while (list != NULL && *list != '\0') {
        size_t w = strcspn(list, " ");
        if (w == len && strncmp(list, base, len) == 0)
            return 1;
        list += w;
        list += strspn(list, " ");
    }
    return 0;
}

/* may_start tells whether j may start beside the nlive jobs running, of
 * which nprogs are programs and nalone run alone: a unit test beside unit
 * tests only (o->jobs of them), a program beside programs only
 * (o->prog_jobs of them), a program named alone beside nothing. */
static int may_start(const job *j, size_t nlive, size_t nprogs, size_t nalone,
                     const opts *o)
{
    if (nalone > 0)
        return 0;
    if (j->alone)
        return nlive == 0;
    if (j->prog != NULL)
        return nlive == nprogs && nprogs < (size_t)o->prog_jobs;
    return nprogs == 0 && nlive < (size_t)o->jobs;
}

/* Runs the n jobs of run in their order, as many at a time as may_start
 * lets; prints the report and the total; returns the exit status. */
static int run_all(job **run, size_t n, const opts *o)
{
    job *live[MAX_JOBS];
    size_t next = 0, nlive = 0, passed = 0, failed = 0, nbad = 0;
    size_t nprogs = 0, nalone = 0; /* of the live ones */
    job **bad = calloc(n ? n : 1, sizeof *bad);
    sigset_t chld;

    if (bad == NULL)
        return 2;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);

    while ((next < n || nlive > 0) && !interrupted) {
        while (next < n && may_start(run[next], nlive, nprogs, nalone, o)) {
            job *j = run[next++];
            if (start(j, o) != 0) {
                printf("%-8s %s  (not started)\n", "FAILED", j->name);
                failed++;
                bad[nbad++] = j;
                continue;
            }
            live[nlive++] = j;
            nprogs += j->prog != NULL;
            nalone += j->alone;
        }
        /* the nearest deadline, at most a second away */
        double t = now_s(), wait = 1.0;
        for (size_t i = 0; i < nlive; i++)
            if (live[i]->deadline - t < wait)
                wait = live[i]->deadline - t;
        if (wait < 0.001)
            wait = 0.001;
        struct timespec ts = {(time_t)wait,
                              (long)((wait - (double)(time_t)wait) * 1e9)};
        sigtimedwait(&chld, NULL, &ts);

        int st;
        pid_t pid;
        while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
            for (size_t i = 0; i < nlive; i++) {
                if (live[i]->pid != pid)
                    continue;
                job *j = live[i];
                kill(-pid, SIGKILL); /* what it left behind */
                if (report(j, st, o)) {
                    passed++;
                } else {
                    failed++;
                    bad[nbad++] = j;
                }
                nprogs -= j->prog != NULL;
                nalone -= (size_t)j->alone;
                live[i] = live[--nlive];
                break;
            }
        }
        t = now_s();
        for (size_t i = 0; i < nlive; i++) {
            if (t < live[i]->deadline)
                continue;
            kill(-live[i]->pid, live[i]->timed_out ? SIGKILL : SIGTERM);
            live[i]->timed_out = 1;
            live[i]->deadline = t + GRACE_S;
        }
    }

    if (interrupted) {
        for (size_t i = 0; i < nlive; i++) {
            kill(-live[i]->pid, SIGKILL);
            waitpid(live[i]->pid, NULL, 0);
            printf("%-8s %s\n", "STOPPED", live[i]->name);
        }
        printf("interrupted (signal %d): %zu not run\n", (int)interrupted,
               n - next + nlive);
        failed += n - next + nlive;
    }
    if (nbad > 0) {
        printf("\nnot passed:");
        for (size_t i = 0; i < nbad; i++)
            printf(" %s", bad[i]->name);
        printf("\n");
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    free(bad);
    return failed > 0 ? 1 : 0;
}

/* Runs a tool of the list: argv[0] is its name. */
static int run_tool(int argc, char **argv)
{
    for (const bn_unit_tool *t = tools; t->name != NULL; t++)
        if (strcmp(t->name, argv[0]) == 0)
            return t->fn(argc, argv);
    fprintf(stderr, "unit_runner: no tool %s\n", argv[0]);
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    opts o = {1, 1, 0, 0, 0};
    size_t ntests = 0, nrun = 0, k = 0;
    int list = 0, all = 0, ret = 2, i;
    job *tests = NULL, *progs = NULL;
    job **run = NULL;
    const char *s;

    if (bn_crypto_init() != 0) {
        fprintf(stderr, "unit_runner: libsodium does not initialise\n");
        return 2;
    }
    o.unit_timeout = env_seconds("BN_TEST_TIMEOUT", UNIT_TIMEOUT_S);
    o.prog_timeout = env_seconds("BN_TEST_PROG_TIMEOUT", PROG_TIMEOUT_S);
    o.jobs = (int)env_seconds("BN_TEST_JOBS", 1);
    o.prog_jobs = (int)env_seconds("BN_TEST_PROG_JOBS", 1);
    s = getenv("BN_TEST_VERBOSE");
    o.verbose = s != NULL && *s != '\0' && strcmp(s, "0") != 0;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (strcmp(a, "--tool") == 0 && i + 1 < argc) {
            return run_tool(argc - i - 1, argv + i + 1);
        } else if (strcmp(a, "--list") == 0 || strcmp(a, "-l") == 0) {
            list = 1;
        } else if (strcmp(a, "--all") == 0) {
            all = 1;
        } else if (strcmp(a, "-v") == 0) {
            o.verbose = 1;
        } else if (strcmp(a, "-j") == 0 && i + 1 < argc) {
            o.jobs = atoi(argv[++i]);
        } else if (strcmp(a, "-J") == 0 && i + 1 < argc) {
            o.prog_jobs = atoi(argv[++i]);
        } else if (strcmp(a, "-t") == 0 && i + 1 < argc) {
            o.unit_timeout = atof(argv[++i]);
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (o.jobs < 1 || o.jobs > MAX_JOBS || o.prog_jobs < 1 ||
        o.prog_jobs > MAX_JOBS || o.unit_timeout <= 0) {
        usage(stderr);
        return 2;
    }

    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        ntests += groups[g]->ntests;
    tests = calloc(ntests ? ntests : 1, sizeof *tests);
    progs = calloc((size_t)argc, sizeof *progs);
    run = calloc(ntests + (size_t)argc, sizeof *run);
    if (tests == NULL || progs == NULL || run == NULL)
        goto cleanup;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        for (size_t t = 0; t < groups[g]->ntests; t++, k++) {
            snprintf(tests[k].name, sizeof tests[k].name, "%s/%s",
                     groups[g]->name, groups[g]->tests[t].name);
            tests[k].group = groups[g];
            tests[k].test = &groups[g]->tests[t];
            tests[k].out = -1;
        }
    }

    size_t nprogs = 0, nsel = 0;
    for (; i < argc; i++) {
        struct stat sb;
        if (strchr(argv[i], '/') != NULL && stat(argv[i], &sb) == 0 &&
            S_ISREG(sb.st_mode)) {
            job *p = &progs[nprogs++];
            snprintf(p->name, sizeof p->name, "%s", argv[i]);
            p->prog = argv[i];
            p->out = -1;
            p->alone = named_alone(argv[i]);
        } else if (select_tests(tests, ntests, argv[i]) == 0) {
            fprintf(stderr,
                    "unit_runner: no test is named %s (--list), and no "
                    "program\n",
                    argv[i]);
            goto cleanup;
        } else {
            nsel++;
        }
    }
    if (all || (nsel == 0 && nprogs == 0) || (list && nsel == 0))
        for (size_t t = 0; t < ntests; t++)
            tests[t].selected = 1;

    for (size_t t = 0; t < ntests; t++)
        if (tests[t].selected)
            run[nrun++] = &tests[t];
    if (list) {
        for (size_t r = 0; r < nrun; r++)
            printf("%s\n", run[r]->name);
        ret = 0;
        goto cleanup;
    }
    if (nrun == 1 && nprogs == 0 && !all) {
        /* one test, here: for a debugger, its output straight out */
        ret = run_unit(run[0]);
        goto cleanup;
    }
    for (size_t p = 0; p < nprogs; p++)
        run[nrun++] = &progs[p];

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_child;
    sigaction(SIGCHLD, &sa, NULL);
    ret = run_all(run, nrun, &o);

cleanup:
    free(run);
    free(progs);
    free(tests);
    return ret;
}
