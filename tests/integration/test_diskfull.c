/*
 * test_diskfull.c: a real binomed (bn_testd) whose data directory is a
 * small tmpfs (8 MiB) fills up. A mentor writes notes through libbinome
 * until a write fails: that write must fail with BN_EFULL ("storage full
 * on the server"), promptly, not hang or crash the daemon; the daemon
 * keeps serving reads; every acknowledged note is there and opens to what
 * was written; and once space is freed (a 2 MiB filler file made in the
 * tmpfs before the writes is removed), writes succeed again.
 *
 * Mounting needs root (CI runs as root): without it the test is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/bn_testd.h"
#include "bnc_internal.h" /* the handles' insides, for white-box checks */

#define PASS "disk full test pass phrase"
#include "itest_world.h"

#define TMPFS_OPTS "size=8m,mode=0700"
#define FILLER_BYTES (2u << 20)
#define BODY_BYTES (48u * 1024u)
#define MAX_NOTES 400 /* 19 MB: far more than the tmpfs holds */
#define CALL_S 10.0   /* a write that takes longer counts as a hang */

typedef struct acked {
    uint64_t id;
    uint32_t rev;
    uint8_t hash[BN_HASH_BYTES];
} acked;

typedef struct dfull {
    bn_testd d;
    int started, mounted;
    char disk[320]; /* the data directory's first copy, on disk */
    char filler[330];
    itw_pair_world world;
    acked notes[MAX_NOTES + 8];
    size_t nnotes;
} dfull;

/* Prints the daemon's storage lines (the log goes with the directory). */
static void dump_log(const dfull *s)
{
    char line[1024];
    FILE *f = fopen(s->d.log, "r");
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL)
        if (strstr(line, "store.") != NULL || strstr(line, "writer.") != NULL)
            fprintf(stderr, "binomed: %s", line);
    fclose(f);
}

/* ---- the tmpfs ---------------------------------------------------------- */

static int run(const char *fmt, const char *a, const char *b)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    return system(cmd) == 0 ? 0 : -1;
}

/* Moves the (stopped) daemon's data directory onto a new tmpfs at the
 * same path: 0, 1 when mounting is not allowed here, -1 on error. */
static int move_to_tmpfs(dfull *s)
{
    snprintf(s->disk, sizeof s->disk, "%s.disk", s->d.data);
    if (rename(s->d.data, s->disk) != 0 || mkdir(s->d.data, 0700) != 0)
        return -1;
    if (mount("tmpfs", s->d.data, "tmpfs", 0, TMPFS_OPTS) != 0) {
        int e = errno;
        rmdir(s->d.data);
        rename(s->disk, s->d.data);
        fprintf(stderr, "diskfull: mount -t tmpfs: %s\n", strerror(e));
        return e == EPERM || e == EACCES ? 1 : -1;
    }
    s->mounted = 1;
    return run("cp -a '%s/.' '%s/'", s->disk, s->d.data);
}

/* Writes the filler: bytes the test frees later. */
static int write_filler(dfull *s)
{
    static uint8_t zeros[65536];
    snprintf(s->filler, sizeof s->filler, "%s/filler", s->d.data);
    int fd = open(s->filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    for (size_t n = 0; n < FILLER_BYTES; n += sizeof zeros)
        if (write(fd, zeros, sizeof zeros) != (ssize_t)sizeof zeros) {
            close(fd);
            return -1;
        }
    return close(fd);
}

static int setup(void **state)
{
    dfull *s = calloc(1, sizeof *s);
    if (s == NULL || bn_crypto_init() != 0)
        return -1;
    *state = s;
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static int teardown(void **state)
{
    dfull *s = *state;
    if (s == NULL)
        return 0;
    if (s->started && s->d.pid > 0)
        bn_testd_kill(&s->d, SIGKILL);
    if (s->mounted && umount2(s->d.data, MNT_DETACH) != 0)
        fprintf(stderr, "diskfull: umount %s: %s\n", s->d.data,
                strerror(errno));
    if (s->started) {
        if (s->disk[0] != '\0')
            run("rm -rf '%s'%s", s->disk, "");
        bn_testd_stop(&s->d);
    }
    free(s);
    return 0;
}

/* ---- the case ----------------------------------------------------------- */

/* Writes one note of BODY_BYTES (its bytes drawn from n): 0 or the error;
 * an acknowledged note is recorded. */
static int put_note(dfull *s, bnc_client *c, bnc_pair *pair, uint64_t n)
{
    static uint8_t body[BODY_BYTES];
    bnc_note_spec spec = {0};
    uint64_t id = 0;
    uint32_t rev = 0;

    randombytes_buf(body, sizeof body);
    memcpy(body, &n, sizeof n);
    spec.kind = BN_KIND_NOTE;
    double t0 = itw_now_s();
    int rc = bnc_note_put(c, pair, &spec, body, sizeof body, &id, &rev);
    if (itw_now_s() - t0 > CALL_S)
        fail_msg("a write took %.1f s (n=%llu)", itw_now_s() - t0,
                 (unsigned long long)n);
    if (rc == 0) {
        assert_true(s->nnotes < sizeof s->notes / sizeof s->notes[0]);
        acked *a = &s->notes[s->nnotes++];
        a->id = id;
        a->rev = rev;
        bn_hash(a->hash, body, sizeof body);
    }
    return rc;
}

/* Every acknowledged note is there and opens to what was written. */
static void check_notes(dfull *s, bnc_client *c, bnc_pair *pair)
{
    for (size_t i = 0; i < s->nnotes; i++) {
        bnc_note_meta meta;
        uint8_t *body = NULL, h[BN_HASH_BYTES];
        size_t len = 0;
        int rc = bnc_note_get(c, pair, s->notes[i].id, s->notes[i].rev, &meta,
                              &body, &len);
        if (rc != 0)
            fail_msg("acknowledged note %zu: %s (%s); see %s", i,
                     bn_err_name(rc), bnc_client_error(c), s->d.log);
        bn_hash(h, body, len);
        assert_int_equal(len, BODY_BYTES);
        assert_int_equal(sodium_memcmp(h, s->notes[i].hash, sizeof h), 0);
        sodium_memzero(body, len);
        sodium_free(body);
    }
}

static void test_disk_full(void **state)
{
    dfull *s = *state;
    bnc_profile *p = NULL;
    bnc_client *c = NULL;
    bnc_pair *pair = NULL;
    char conf[400];
    int rc;

    assert_int_equal(bn_testd_start(&s->d), 0);
    s->started = 1;
    rc = itw_pair_world_make(&s->d, "Full disk", "storage", &s->world);
    if (rc != 0)
        fail_msg("setup: %s; see %s", bn_err_name(rc), s->d.log);
    bn_testd_kill(&s->d, SIGTERM);
    rc = move_to_tmpfs(s);
    if (rc == 1) {
        fprintf(stderr, "diskfull: SKIPPED: cannot mount a tmpfs here (run "
                        "as root to test a full disk)\n");
        skip();
    }
    assert_int_equal(rc, 0);
    assert_int_equal(write_filler(s), 0);
    /* A small map that must grow: the file system fills first. */
    snprintf(conf, sizeof conf, "%s/binomed.conf", s->d.data);
    FILE *f = fopen(conf, "a");
    assert_non_null(f);
    fprintf(f, "map_initial_mib=1\nmap_max_mib=1024\nrate_per_account=0\n");
    assert_int_equal(fclose(f), 0);
    assert_int_equal(bn_testd_restart(&s->d), 0);

    assert_int_equal(itw_open_client(s->world.mentor_dir, &p, &c), 0);
    assert_int_equal(bnc_pair_open(c, s->world.pair_id, 0, &pair), 0);
    uint64_t n = 0;
    while ((rc = put_note(s, c, pair, n)) == 0 && n < MAX_NOTES)
        n++;
    fprintf(stderr, "diskfull: %zu notes acknowledged, then %s (%s)\n",
            s->nnotes, bn_err_name(rc), bnc_client_error(c));
    dump_log(s);
    if (rc != BN_EFULL)
        fail_msg("expected BN_EFULL after %zu notes, got %s; see %s", s->nnotes,
                 bn_err_name(rc), s->d.log);
    assert_true(s->nnotes > 0);
    assert_string_equal(bn_strerror(rc), "storage full on the server");
    assert_true(kill(s->d.pid, 0) == 0);
    assert_true(itw_log_count(s->d.log, "store.disk_full", NULL) > 0);
    /* still full: the next write fails the same way, and nothing hangs */
    assert_int_equal(put_note(s, c, pair, ++n), BN_EFULL);

    /* reads are served, on this connection and on a new one */
    check_notes(s, c, pair);
    bnc_pair_free(pair);
    pair = NULL;
    itw_close_client(p, c);
    p = NULL;
    c = NULL;
    assert_int_equal(itw_open_client(s->world.mentee_dir, &p, &c), 0);
    assert_int_equal(bnc_pair_open(c, s->world.pair_id, 0, &pair), 0);
    check_notes(s, c, pair);
    bnc_pair_free(pair);
    itw_close_client(p, c);

    /* space freed: writes go through again, and stay */
    assert_int_equal(unlink(s->filler), 0);
    assert_int_equal(itw_open_client(s->world.mentor_dir, &p, &c), 0);
    assert_int_equal(bnc_pair_open(c, s->world.pair_id, 0, &pair), 0);
    size_t before = s->nnotes;
    for (int i = 0; i < 3; i++) {
        rc = put_note(s, c, pair, ++n);
        if (rc != 0)
            fail_msg("a write after space was freed: %s; see %s",
                     bn_err_name(rc), s->d.log);
    }
    assert_int_equal(s->nnotes, before + 3);
    check_notes(s, c, pair);
    bnc_pair_free(pair);
    itw_close_client(p, c);
    assert_true(kill(s->d.pid, 0) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disk_full),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
