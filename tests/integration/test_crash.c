/*
 * test_crash.c: acknowledged writes survive SIGKILL.
 *
 * A real binomed (bn_testd) serves a pair set up through libbinome: an
 * administrator, a programme, a mentor and a mentee who both accepted,
 * and the pair key. Writer processes (copies of the mentor's and of the
 * mentee's profile) write notes without pause: new notes, edits of their
 * own notes (revision + 1) and private notes. Each write whose
 * bnc_note_put returned 0 (acknowledged: the daemon answers after its
 * commit) is recorded in the writer's file as note id, revision and the
 * BLAKE2b hash of the plaintext. Meanwhile the daemon is killed with
 * SIGKILL at random moments and restarted on the same data each time.
 *
 * After the last round (and one more kill), every acknowledged write must
 * still be there and open to the same plaintext (bnc_note_get of that
 * revision), the latest revision of each note must be the last
 * acknowledged one or at most one more (a write in flight at a kill), no
 * plaintext canary may appear in the data directory, and a new write
 * must succeed. Only the public binome.h API writes and reads, so the test
 * follows whatever libbinome does on the wire (signed log entries ...).
 *
 * Environment:
 *   CRASH_ROUNDS   kills (default 20; 10 under ASan; 3 under valgrind)
 *   CRASH_SECONDS  time spent writing between kills, in all (default
 *                  1.2 s per round, 1.5 s under sanitizers)
 *   CRASH_WRITERS  writer processes (default 4, at most 8)
 *   CRASH_SEED     seed of the kill times (printed)
 *   BN_ASAN, BN_VALGRIND  scale down (an ASan build does on its own;
 *                  scripts/valgrind.sh sets BN_VALGRIND)
 * When the run is slow (past twice its budget plus 30 s), it stops after the
 * round in progress, with at least 5 rounds done, and says so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bnc_internal.h" /* the handles' insides, for white-box checks */
#include "../lib/bn_testd.h"

#if defined(__SANITIZE_ADDRESS__)
#define CRASH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CRASH_ASAN 1
#endif
#endif
#ifndef CRASH_ASAN
#define CRASH_ASAN 0
#endif

#define PASS "crash test pass phrase"
#include "itest_world.h"

#define MAX_WRITERS 8
#define LIVE_NOTES 8           /* notes a writer keeps editing */
#define RECONNECT_GIVE_UP 60.0 /* seconds without a successful call */

/* One acknowledged write, as a writer records it. */
typedef struct ack_rec {
    uint64_t note_id;
    uint32_t revision;
    uint8_t is_private;
    uint8_t pad[3];
    uint8_t hash[BN_HASH_BYTES];
} ack_rec;

typedef struct crash_state {
    bn_testd d;
    int started;
    itw_pair_world world;
    char canary[64]; /* in every note body; must never reach the disk */
    int rounds, writers;
    double seconds;
    uint64_t seed;
    int crashed_ok;       /* the crash test ran to its end */
    unsigned long echain; /* BN_ECHAIN from bnc_pair_open in writers */
} crash_state;

/* ---- small helpers -------------------------------------------------- */

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* A uniform double in [0, 1). */
static double unit_rand(uint64_t *s)
{
    return (double)(xorshift(s) >> 11) / 9007199254740992.0;
}

static long env_long(const char *name, long def, long min, long max)
{
    const char *v = getenv(name);
    char *end = NULL;
    if (v == NULL || *v == '\0')
        return def;
    long n = strtol(v, &end, 10);
    if (*end != '\0' || n < min || n > max) {
        fprintf(stderr, "crash: ignoring %s=%s (want %ld..%ld)\n", name, v, min,
                max);
        return def;
    }
    return n;
}

static int env_set(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

/* Codes a call may give while the daemon is down or being killed. */
static int transient(int rc)
{
    return rc == BN_ECLOSED || rc == BN_ECONNECT || rc == BN_ETIMEDOUT ||
           rc == BN_EIO || rc == BN_EHANDSHAKE || rc == BN_ETRUNC ||
           rc == BN_ESTALE || !bn_err_is_bn(rc);
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
    char buf[4096];
    int in = open(from, O_RDONLY), out, rc = 0;
    ssize_t n;

    if (in < 0)
        return -1;
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (out < 0) {
        close(in);
        return -1;
    }
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            rc = -1;
    if (n < 0)
        rc = -1;
    close(in);
    if (close(out) != 0)
        rc = -1;
    return rc;
}

/* Makes dir a second profile of the same account as src: its own memory
 * of keys and log head, as a second device would have. */
static int clone_profile(const char *src, const char *dir)
{
    char a[400], b[400];
    if (mkdir(dir, 0700) != 0)
        return -1;
    snprintf(a, sizeof a, "%s/profile.conf", src);
    snprintf(b, sizeof b, "%s/profile.conf", dir);
    if (copy_file(a, b, 0600) != 0)
        return -1;
    snprintf(a, sizeof a, "%s/identity.key", src);
    snprintf(b, sizeof b, "%s/identity.key", dir);
    return copy_file(a, b, 0600);
}

/* ---- setup: the administrator, the programme and the pair ------------ */

static int setup(void **state)
{
    crash_state *s = calloc(1, sizeof *s);
    uint8_t canary_bytes[12];
    int rc;

    if (s == NULL || bn_crypto_init() != 0)
        return -1;
    *state = s;
    int slow = CRASH_ASAN || env_set("BN_ASAN") || env_set("BN_VALGRIND");
    long def_rounds = env_set("BN_VALGRIND") ? 3 : slow ? 10 : 20;
    s->rounds = (int)env_long("CRASH_ROUNDS", def_rounds, 1, 100000);
    s->seconds = (double)env_long("CRASH_SECONDS", 0, 1, 86400);
    if (s->seconds == 0)
        s->seconds = s->rounds * (slow ? 1.5 : 1.2);
    s->writers = (int)env_long("CRASH_WRITERS", 4, 2, MAX_WRITERS);
    s->seed = (uint64_t)env_long("CRASH_SEED", 0, 0, 0x7fffffffL);
    if (s->seed == 0) /* printed; CRASH_SEED=N replays the kill times */
        s->seed =
            (((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16)) & 0x7fffffff) |
            1;

    if (bn_testd_start(&s->d) != 0)
        return -1;
    s->started = 1;
    /* The writers write back to back, faster than an account may at the
     * default request rate: this test is about durability. */
    if (itw_reconfigure(&s->d, "rate_per_account=0\n") != 0)
        return -1;
    randombytes_buf(canary_bytes, sizeof canary_bytes);
    memcpy(s->canary, "crash-canary-", 13);
    bn_hex_encode(s->canary + 13, canary_bytes, sizeof canary_bytes);
    rc = itw_pair_world_make(&s->d, "Crash programme", "durability", &s->world);
    if (rc != 0) {
        fprintf(stderr, "crash: setup failed: %s (%s); daemon log: %s\n",
                bn_err_name(rc), bn_strerror(rc), s->d.log);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    crash_state *s = *state;
    if (s != NULL && s->started)
        bn_testd_stop(&s->d);
    free(s);
    return 0;
}

/* ---- the writers (child processes: no cmocka here) ------------------ */

typedef struct writer_cfg {
    int index;
    char profile[300];
    char recs[300];  /* file of ack_rec */
    char stats[310]; /* BN_ECHAIN count */
    uint64_t pair_id;
    const char *canary;
    int ctl; /* read end: EOF means stop */
} writer_cfg;

typedef struct live_note {
    uint64_t id;
    uint32_t revision;
    uint8_t is_private;
} live_note;

static int stop_requested(int ctl)
{
    struct pollfd pf = {ctl, POLLIN, 0};
    return poll(&pf, 1, 0) > 0;
}

/* Builds a body: the canary, who wrote it, then printable noise. */
static size_t make_body(char *body, size_t cap, const writer_cfg *w, uint64_t n)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz "
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ.,;0123456789\n";
    size_t len = (size_t)snprintf(body, cap, "%s writer %d write %" PRIu64 ": ",
                                  w->canary, w->index, n);
    size_t want = len + 1 + randombytes_uniform((uint32_t)(cap - len - 1));
    while (len < want)
        body[len++] = alpha[randombytes_uniform(sizeof alpha - 1)];
    return len;
}

/* Writes until told to stop; returns the process's exit status. */
static int writer_main(const writer_cfg *w)
{
    bnc_profile *p = NULL;
    bnc_client *c = NULL;
    bnc_pair *pair = NULL;
    live_note live[LIVE_NOTES];
    size_t nlive = 0;
    uint64_t acked = 0, transients = 0, unexpected = 0, echain = 0, n = 0;
    double last_ok = itw_now_s();
    char body[1024];
    int ret = 1;
    int fd = open(w->recs, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);

    if (fd < 0 || bnc_profile_open(&p, w->profile) != 0 ||
        bnc_profile_load_identity(p, PASS, strlen(PASS)) != 0) {
        fprintf(stderr, "writer %d: cannot open profile %s\n", w->index,
                w->profile);
        goto cleanup;
    }
    last_ok = itw_now_s(); /* the passphrase's KDF is slow under valgrind */
    while (!stop_requested(w->ctl)) {
        int rc = 0;
        if (itw_now_s() - last_ok > RECONNECT_GIVE_UP) {
            fprintf(stderr, "writer %d: no successful call for %.0f s\n",
                    w->index, RECONNECT_GIVE_UP);
            goto cleanup;
        }
        if (c == NULL)
            rc = bnc_client_open(&c, p, PASS, strlen(PASS));
        if (rc == 0 && pair == NULL)
            rc = bnc_pair_open(c, w->pair_id, 0, &pair);
        if (rc != 0) {
            if (rc == BN_ECHAIN && c != NULL) {
                /* Known client race, see test_no_spurious_chain_error. */
                echain++;
            } else if (!transient(rc)) {
                fprintf(stderr, "writer %d: reconnect: %s (%s)\n", w->index,
                        bn_err_name(rc), bnc_client_error(c));
                unexpected++;
            }
            bnc_pair_free(pair);
            pair = NULL;
            bnc_client_close(c);
            c = NULL;
            itw_sleep_s(0.01);
            continue;
        }

        /* Edit a live note half of the time, else start a new one. */
        bnc_note_spec spec = {0};
        size_t slot = nlive;
        if (nlive > 0 && randombytes_uniform(2) == 0) {
            slot = randombytes_uniform((uint32_t)nlive);
            spec.note_id = live[slot].id;
            spec.revision = live[slot].revision;
            spec.is_private = live[slot].is_private;
        } else {
            spec.is_private = randombytes_uniform(8) == 0;
        }
        spec.kind = BN_KIND_NOTE;
        size_t len = make_body(body, sizeof body, w, ++n);
        uint64_t id = 0;
        uint32_t rev = 0;
        rc =
            bnc_note_put(c, pair, &spec, (const uint8_t *)body, len, &id, &rev);
        if (rc == 0) {
            ack_rec r = {0};
            r.note_id = id;
            r.revision = rev;
            r.is_private = spec.is_private;
            bn_hash(r.hash, (const uint8_t *)body, len);
            if (write(fd, &r, sizeof r) != (ssize_t)sizeof r) {
                fprintf(stderr, "writer %d: cannot record\n", w->index);
                goto cleanup;
            }
            acked++;
            last_ok = itw_now_s();
            if (slot == nlive && nlive < LIVE_NOTES)
                nlive++;
            if (slot < nlive)
                live[slot] = (live_note){id, rev, spec.is_private};
            continue;
        }
        /* Not acknowledged: it may or may not have landed. Forget the
         * note (its next revision is unknown) and start afresh. */
        if (slot < nlive)
            live[slot] = live[--nlive];
        if (transient(rc)) {
            transients++;
        } else {
            fprintf(stderr, "writer %d: note put: %s (%s)\n", w->index,
                    bn_err_name(rc), bnc_client_error(c));
            unexpected++;
        }
        bnc_pair_free(pair);
        pair = NULL;
        bnc_client_close(c);
        c = NULL;
    }
    fprintf(stderr,
            "writer %d: %" PRIu64 " acknowledged, %" PRIu64
            " lost to kills, %" PRIu64 " BN_ECHAIN on open, %" PRIu64
            " unexpected errors\n",
            w->index, acked, transients, echain, unexpected);
    FILE *f = fopen(w->stats, "w");
    if (f != NULL) {
        fprintf(f, "%" PRIu64 "\n", echain);
        fclose(f);
    }
    ret = unexpected == 0 && acked > 0 ? 0 : 2;
cleanup:
    if (fd >= 0)
        close(fd);
    bnc_pair_free(pair);
    bnc_client_close(c);
    bnc_profile_free(p);
    return ret;
}

/* ---- verification --------------------------------------------------- */

typedef struct note_max {
    uint64_t id;
    uint32_t revision;
} note_max;

static int cmp_note_max(const void *a, const void *b)
{
    const note_max *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static ack_rec *read_recs(const char *path, size_t *n)
{
    struct stat st;
    ack_rec *r;
    int fd = open(path, O_RDONLY);

    *n = 0;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size % sizeof(ack_rec) != 0) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    r = malloc((size_t)st.st_size + 1);
    if (r != NULL && read(fd, r, (size_t)st.st_size) == (ssize_t)st.st_size) {
        *n = (size_t)st.st_size / sizeof(ack_rec);
    } else {
        free(r);
        r = NULL;
    }
    close(fd);
    return r;
}

/* Checks every acknowledged write of one writer with a client of the same
 * account; returns the number of failures (printed). */
static int verify_writer(bnc_client *c, const bnc_pair *pair, const char *recs,
                         size_t *checked)
{
    size_t n = 0, nmax = 0;
    ack_rec *r = read_recs(recs, &n);
    note_max *mx = calloc(n + 1, sizeof *mx);
    int bad = 0;

    if (r == NULL || mx == NULL) {
        fprintf(stderr, "verify: cannot read %s\n", recs);
        free(r);
        free(mx);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        bnc_note_meta meta;
        uint8_t *body = NULL, h[BN_HASH_BYTES];
        size_t len = 0;
        int rc = bnc_note_get(c, pair, r[i].note_id, r[i].revision, &meta,
                              &body, &len);
        if (rc != 0) {
            fprintf(stderr,
                    "verify: acknowledged note %016" PRIx64
                    " revision %u: %s (%s)\n",
                    r[i].note_id, r[i].revision, bn_err_name(rc),
                    bnc_client_error(c));
            bad++;
            continue;
        }
        bn_hash(h, body, len);
        if (meta.revision != r[i].revision ||
            meta.is_private != r[i].is_private ||
            sodium_memcmp(h, r[i].hash, sizeof h) != 0) {
            fprintf(stderr,
                    "verify: note %016" PRIx64
                    " revision %u opens to something else\n",
                    r[i].note_id, r[i].revision);
            bad++;
        }
        sodium_memzero(body, len);
        sodium_free(body);
        mx[nmax++] = (note_max){r[i].note_id, r[i].revision};
    }
    /* The latest revision of each note: the last acknowledged one, or one
     * more whose reply was lost to a kill. */
    qsort(mx, nmax, sizeof *mx, cmp_note_max);
    for (size_t i = 0; i < nmax; i++) {
        if (i + 1 < nmax && mx[i + 1].id == mx[i].id) {
            if (mx[i + 1].revision < mx[i].revision)
                mx[i + 1].revision = mx[i].revision;
            continue;
        }
        bnc_note_meta meta;
        uint8_t *body = NULL;
        size_t len = 0;
        int rc = bnc_note_get(c, pair, mx[i].id, 0, &meta, &body, &len);
        if (rc != 0 || meta.revision < mx[i].revision ||
            meta.revision > mx[i].revision + 1) {
            fprintf(stderr,
                    "verify: note %016" PRIx64
                    ": latest revision %u, last acknowledged %u (%s)\n",
                    mx[i].id, rc == 0 ? meta.revision : 0, mx[i].revision,
                    bn_err_name(rc));
            bad++;
        }
        if (body != NULL) {
            sodium_memzero(body, len);
            sodium_free(body);
        }
    }
    *checked += n;
    free(r);
    free(mx);
    return bad;
}

/* ---- the test ------------------------------------------------------- */

static size_t count_recs(const crash_state *s)
{
    size_t total = 0;
    for (int i = 0; i < s->writers; i++) {
        char path[400];
        struct stat st;
        snprintf(path, sizeof path, "%s/acks.%d", s->d.dir, i);
        if (stat(path, &st) == 0)
            total += (size_t)st.st_size / sizeof(ack_rec);
    }
    return total;
}

/* The BN_ECHAIN count a writer left in acks.I.stats. */
static unsigned long read_count(const crash_state *s, int i)
{
    char path[400];
    unsigned long n = 0;
    snprintf(path, sizeof path, "%s/acks.%d.stats", s->d.dir, i);
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        if (fscanf(f, "%lu", &n) != 1)
            n = 0;
        fclose(f);
    }
    return n;
}

/* Waits for a writer that was told to stop; one still there after 30 s
 * (a call is bounded by BNC_TIMEOUT_MS) is killed. Returns its status. */
static int wait_writer(pid_t pid)
{
    int status = 0;
    for (double t = itw_now_s(); itw_now_s() - t < 30; itw_sleep_s(0.01))
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return status;
}

/* Kills the daemon with SIGKILL: it must not have died on its own. */
static void kill_and_restart(crash_state *s)
{
    int status = bn_testd_kill(&s->d, SIGKILL);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
        fail_msg("binomed was already gone before SIGKILL (status %#x); "
                 "see %s",
                 (unsigned)status, s->d.log);
    assert_int_equal(bn_testd_restart(&s->d), 0);
}

static void test_acknowledged_writes_survive_sigkill(void **state)
{
    crash_state *s = *state;
    pid_t pids[MAX_WRITERS];
    int ctl[2];
    uint64_t rng = s->seed;
    double t0 = itw_now_s(), period = s->seconds / s->rounds;
    int done = 0, progressed = 0;
    size_t last_count = 0;

    fprintf(stderr,
            "crash: %d rounds, %.1f s of writes, %d writers, seed %" PRIu64
            "\n",
            s->rounds, s->seconds, s->writers, s->seed);
    /* close-on-exec: the daemon, forked from here, must not keep the
     * write end open, or the writers would never see it close */
    assert_int_equal(pipe2(ctl, O_CLOEXEC), 0);
    for (int i = 0; i < s->writers; i++) {
        writer_cfg w = {0};
        w.index = i;
        w.pair_id = s->world.pair_id;
        w.canary = s->canary;
        snprintf(w.profile, sizeof w.profile, "%s/writer%d", s->d.dir, i);
        snprintf(w.recs, sizeof w.recs, "%s/acks.%d", s->d.dir, i);
        snprintf(w.stats, sizeof w.stats, "%s.stats", w.recs);
        assert_int_equal(
            clone_profile(i % 2 ? s->world.mentee_dir : s->world.mentor_dir,
                          w.profile),
            0);
        fflush(NULL);
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            close(ctl[1]);
            w.ctl = ctl[0];
            _exit(writer_main(&w));
        }
    }
    close(ctl[0]);

    /* Let the writers log in and write a little before the first kill. */
    while (count_recs(s) < (size_t)s->writers && itw_now_s() - t0 < 30)
        itw_sleep_s(0.02);
    for (done = 0; done < s->rounds; done++) {
        /* a random moment in (0.1, 1.9) x period: mean = period */
        itw_sleep_s(period * (0.1 + 1.8 * unit_rand(&rng)));
        size_t c = count_recs(s);
        if (c > last_count)
            progressed++;
        last_count = c;
        kill_and_restart(s);
        if (itw_now_s() - t0 > 2 * s->seconds + 30 && done + 1 >= 5 &&
            done + 1 < s->rounds) {
            fprintf(stderr,
                    "crash: running slowly: stopping after %d of %d rounds\n",
                    done + 1, s->rounds);
            done++;
            break;
        }
    }
    /* Writes must resume after the last restart. */
    size_t before = count_recs(s);
    for (double t = itw_now_s();
         count_recs(s) <= before && itw_now_s() - t < 30;)
        itw_sleep_s(0.02);
    assert_true(count_recs(s) > before);

    close(ctl[1]);
    int failed = -1, fstatus = 0;
    for (int i = 0; i < s->writers; i++) {
        int status = wait_writer(pids[i]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            failed = i;
            fstatus = status;
        }
        s->echain += read_count(s, i);
    }
    if (failed >= 0)
        fail_msg("writer %d failed (status %#x); daemon log: %s", failed,
                 (unsigned)fstatus, s->d.log);
    /* The last acknowledged writes go through one more crash too. */
    kill_and_restart(s);
    done++;

    size_t checked = 0;
    int bad = 0;
    for (int account = 0; account < 2; account++) {
        bnc_profile *p = NULL;
        bnc_client *c = NULL;
        bnc_pair *pair = NULL;
        const char *dir = account ? s->world.mentee_dir : s->world.mentor_dir;
        assert_int_equal(itw_open_client(dir, &p, &c), 0);
        assert_int_equal(bnc_pair_open(c, s->world.pair_id, 0, &pair), 0);
        for (int i = account; i < s->writers; i += 2) {
            char path[400];
            snprintf(path, sizeof path, "%s/acks.%d", s->d.dir, i);
            bad += verify_writer(c, pair, path, &checked);
        }
        /* and the daemon still takes a write */
        bnc_note_spec spec = {0};
        spec.kind = BN_KIND_NOTE;
        assert_int_equal(bnc_note_put(c, pair, &spec,
                                      (const uint8_t *)"after the storm", 15,
                                      NULL, NULL),
                         0);
        bnc_pair_free(pair);
        itw_close_client(p, c);
    }
    fprintf(stderr,
            "crash: %d kills, %zu acknowledged writes checked, %d bad, "
            "writes landed in %d of %d intervals, %.1f s\n",
            done, checked, bad, progressed, done - 1, itw_now_s() - t0);
    assert_int_equal(bad, 0);
    assert_true(checked >= (size_t)s->writers);
    assert_false(
        bn_testd_tree_contains(s->d.data, s->canary, strlen(s->canary)));
    s->crashed_ok = 1;
}

/*
 * A writer that reopens the pair while the others write must not be told
 * that the log does not verify: an entry appended between PAIR_GET (the
 * announced head) and LOG_GET used to make the chain longer than the
 * head, and the client answered BN_ECHAIN, a false tamper alarm
 * (fixed in client/lib/bnc_log.c, check_from).
 */
static void test_no_spurious_chain_error(void **state)
{
    crash_state *s = *state;
    assert_true(s->crashed_ok);
    assert_int_equal(s->echain, 0);
}

/* Returns 1 when this binomed has the `audit` command. */
static int have_audit(void)
{
    const char *bin = getenv("BINOMED");
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' audit --help >/dev/null 2>&1",
             bin != NULL && *bin ? bin : "build/binomed");
    return system(cmd) == 0;
}

/* The offline audit of the data directory after the crashes: every note is
 * a well-formed envelope and no canary is on disk. */
static void test_audit_after_crashes(void **state)
{
    crash_state *s = *state;
    const char *bin = getenv("BINOMED");
    char canary_path[400], cmd[1600];
    FILE *f;

    if (!have_audit()) {
        fprintf(stderr, "crash: SKIPPED CHECK: `binomed audit` does not exist "
                        "yet; this check runs it on the crashed data "
                        "directory once it does\n");
        skip();
    }
    assert_true(s->crashed_ok);
    snprintf(canary_path, sizeof canary_path, "%s/canary", s->d.dir);
    f = fopen(canary_path, "w");
    assert_non_null(f);
    fputs(s->canary, f);
    assert_int_equal(fclose(f), 0);
    /* offline: stop the daemon first (SIGTERM, a clean stop) */
    bn_testd_kill(&s->d, SIGTERM);
    snprintf(cmd, sizeof cmd,
             "'%s' audit --data '%s' --canary '%s' >>'%s' 2>&1",
             bin != NULL && *bin ? bin : "build/binomed", s->d.data,
             canary_path, s->d.log);
    int status = system(cmd);
    if (status != 0)
        fail_msg("binomed audit failed (status %#x); output in %s",
                 (unsigned)status, s->d.log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acknowledged_writes_survive_sigkill),
        cmocka_unit_test(test_no_spurious_chain_error),
        cmocka_unit_test(test_audit_after_crashes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
