/*
 * test_cli_agent.c: the agent's request and answer (bnc_agent.h): the
 * header's version, request and length are checked, an identity of
 * another size is refused, a short answer or a closed socket is no
 * identity; the peer's credentials; and a real agent in a child process
 * (bnc_agent_open / serve) giving the keys, its status, refusing a second
 * agent and a directory open to others, replacing a stale socket,
 * refusing keys that do not hold together, and forgetting on lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_list.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/bn_testfs.h"
#include "bnc_agent.h"
#include "bnc_internal.h" /* the profile's identity, for white-box checks */

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bnc-agent-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return bn_testfs_rmtree(tmpdir);
}

/* pair_of: a connected pair of unix stream sockets. */
static void pair_of(int sv[2])
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void test_sizes_and_header(void **state)
{
    uint8_t head[BNC__AGENT_HEAD];
    (void)state;

    /* The identity's size is never written down: it is bn_identity's. */
    assert_int_equal(bnc__agent_answer_bytes(BNC__AGENT_GET),
                     sizeof(bn_identity));
    assert_int_equal(bnc__agent_answer_bytes(BNC__AGENT_LOCK), 0);
    assert_int_equal(bnc__agent_answer_bytes(BNC__AGENT_STATUS), 12);
    assert_int_equal(bnc__agent_answer_bytes(0), SIZE_MAX);
    assert_int_equal(bnc__agent_answer_bytes(4), SIZE_MAX);
    /* The numbers that leave the process, frozen. */
    assert_int_equal(BNC__AGENT_VERSION, 1);
    assert_int_equal(BNC__AGENT_GET, 1);
    assert_int_equal(BNC__AGENT_LOCK, 2);
    assert_int_equal(BNC__AGENT_STATUS, 3);

    bnc__agent_head(head, BNC__AGENT_STATUS, 12);
    assert_memory_equal(head, "\x01\x03\x00\x00\x00\x0c", 6);
    assert_int_equal(bnc__agent_check(head, BNC__AGENT_STATUS), 0);
    assert_int_equal(bnc__agent_check(head, BNC__AGENT_GET), BN_EPROTO);
    head[5] = 11;
    assert_int_equal(bnc__agent_check(head, BNC__AGENT_STATUS), BN_EPROTO);

    bnc__agent_head(head, BNC__AGENT_GET, (uint32_t)sizeof(bn_identity));
    assert_int_equal(bnc__agent_check(head, BNC__AGENT_GET), 0);
    head[0] = 2; /* another version */
    assert_int_equal(bnc__agent_check(head, BNC__AGENT_GET), BN_EVERSION);
    /* another release's identity, larger or smaller: refused by size */
    bnc__agent_head(head, BNC__AGENT_GET, (uint32_t)sizeof(bn_identity) + 32);
    assert_int_equal(bnc__agent_check(head, BNC__AGENT_GET), BN_EVERSION);
    bnc__agent_head(head, BNC__AGENT_GET, (uint32_t)sizeof(bn_identity) - 1);
    assert_int_equal(bnc__agent_check(head, BNC__AGENT_GET), BN_EVERSION);
    bnc__agent_head(head, BNC__AGENT_LOCK, 0);
    assert_int_equal(bnc__agent_check(head, BNC__AGENT_LOCK), 0);
    bnc__agent_head(head, 9, 0);
    assert_int_equal(bnc__agent_check(head, 9), BN_EPROTO);
}

static void test_status_round_trip(void **state)
{
    uint8_t buf[BNC__AGENT_STATUS_BYTES];
    int64_t t;
    uint32_t pid;
    (void)state;

    bnc__agent_status_put(buf, INT64_C(4102444800), 4194304);
    bnc__agent_status_get(buf, &t, &pid);
    assert_int_equal(t, INT64_C(4102444800));
    assert_int_equal(pid, 4194304);
    assert_memory_equal(buf, "\0\0\0\0\xf4\x86\x57\x00\0\x40\0\0", 12);
}

static void test_get_over_a_socket(void **state)
{
    bn_identity *id = bn_identity_new(), *got = bn_identity_new();
    uint8_t req = 0;
    int sv[2];
    (void)state;

    assert_int_equal(bn_identity_generate(id), 0);
    pair_of(sv);
    /* The answer waits in the socket; the request reads it back. */
    assert_int_equal(bnc__agent_reply(sv[0], BNC__AGENT_GET, id, 0), 0);
    assert_int_equal(
        bnc__agent_request(sv[1], BNC__AGENT_GET, (uint8_t *)got, sizeof *got),
        0);
    assert_memory_equal(got, id, sizeof *id);
    assert_int_equal(read(sv[0], &req, 1), 1);
    assert_int_equal(req, BNC__AGENT_GET);
    /* An unknown request is not answered; GET without keys neither. */
    assert_int_equal(bnc__agent_reply(sv[0], 7, id, 0), BN_EINVAL);
    assert_int_equal(bnc__agent_reply(sv[0], BNC__AGENT_GET, NULL, 0),
                     BN_EINVAL);
    /* The request's size is the answer's: nothing else is read. */
    assert_int_equal(bnc__agent_request(sv[1], BNC__AGENT_GET, (uint8_t *)got,
                                        sizeof *got - 1),
                     BN_EINVAL);
    close(sv[0]);
    close(sv[1]);
    bn_identity_free(id);
    bn_identity_free(got);
}

/* answer_with: what a (broken or foreign) agent sends, then it closes;
 * the result of a GET request on the other end, out wiped or filled. */
static int answer_with(const uint8_t *bytes, size_t n, bn_identity *out)
{
    int sv[2], rc;

    pair_of(sv);
    if (n > 0)
        assert_int_equal(write(sv[0], bytes, n), (ssize_t)n);
    close(sv[0]);
    memset(out, 0xaa, sizeof *out);
    rc = bnc__agent_request(sv[1], BNC__AGENT_GET, (uint8_t *)out, sizeof *out);
    close(sv[1]);
    return rc;
}

static void test_bad_answers_give_nothing(void **state)
{
    size_t n = BNC__AGENT_HEAD + sizeof(bn_identity) + 64;
    uint8_t *buf = calloc(1, n), zero[sizeof(bn_identity)] = {0};
    bn_identity *out = bn_identity_new();
    (void)state;

    /* Closed before a byte: the agent refused us. */
    assert_int_equal(answer_with(buf, 0, out), BN_ECLOSED);
    /* Half a header. */
    bnc__agent_head(buf, BNC__AGENT_GET, (uint32_t)sizeof(bn_identity));
    assert_int_equal(answer_with(buf, 3, out), BN_EPROTO);
    assert_memory_equal(out, zero, sizeof zero);
    /* The header, then half the identity. */
    memset(buf + BNC__AGENT_HEAD, 0x55, sizeof(bn_identity));
    assert_int_equal(
        answer_with(buf, BNC__AGENT_HEAD + sizeof(bn_identity) / 2, out),
        BN_EPROTO);
    assert_memory_equal(out, zero, sizeof zero);
    /* Whole: accepted as it is (the caller checks the keys). */
    assert_int_equal(
        answer_with(buf, BNC__AGENT_HEAD + sizeof(bn_identity), out), 0);
    assert_int_equal(((uint8_t *)out)[0], 0x55);
    /* Another version. */
    buf[0] = 2;
    assert_int_equal(
        answer_with(buf, BNC__AGENT_HEAD + sizeof(bn_identity), out),
        BN_EVERSION);
    assert_memory_equal(out, zero, sizeof zero);
    /* An identity of another size (another release's agent): refused
     * from the header, nothing of it read. */
    bnc__agent_head(buf, BNC__AGENT_GET, (uint32_t)sizeof(bn_identity) + 64);
    assert_int_equal(answer_with(buf, n, out), BN_EVERSION);
    assert_memory_equal(out, zero, sizeof zero);
    /* The answer to another request. */
    bnc__agent_head(buf, BNC__AGENT_STATUS, BNC__AGENT_STATUS_BYTES);
    assert_int_equal(answer_with(buf, BNC__AGENT_HEAD + 12, out), BN_EPROTO);
    free(buf);
    bn_identity_free(out);
}

static void test_peer_credentials(void **state)
{
    int sv[2];
    (void)state;

    pair_of(sv);
    assert_int_equal(bnc__agent_peer_ok(sv[0], geteuid()), 1);
    assert_int_equal(bnc__agent_peer_ok(sv[0], geteuid() + 1), 0);
    close(sv[0]);
    close(sv[1]);
    /* Not a socket: refused, not trusted. */
    assert_int_equal(bnc__agent_peer_ok(0 + 1000, geteuid()), 0);
}

/* new_profile: a profile in tmpdir/NAME with fresh keys (not saved). */
static bnc_profile *new_profile(const char *name)
{
    char dir[512];
    bnc_profile *p;

    snprintf(dir, sizeof dir, "%s/%s", tmpdir, name);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(bnc_profile_new(&p, dir), 0);
    p->id = bn_identity_new();
    assert_non_null(p->id);
    assert_int_equal(bn_identity_generate(p->id), 0);
    return p;
}

/* run_agent: the agent of p in a child process (idle seconds), with its
 * keys spoiled first when spoil; *stop is the write end of its stop pipe
 * (a byte, or closing it, stops the agent). Returns its pid. */
static pid_t run_agent(bnc_profile *p, unsigned idle, int spoil, int *stop)
{
    bnc_agent *a = NULL;
    int sp[2];
    pid_t pid;

    assert_int_equal(bnc_agent_open(&a, p), 0);
    assert_int_equal(pipe(sp), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(sp[1]);
        if (spoil)
            p->id->sign_pk[0] ^= 1;
        _exit(bnc_agent_serve(a, p, idle, sp[0]) == 0 && p->id == NULL ? 0 : 1);
    }
    close(sp[0]);
    *stop = sp[1];
    bnc_agent_free(a, 0);
    return pid;
}

static int exit_of(pid_t pid)
{
    int st = 0;

    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_agent_gives_keys_and_forgets(void **state)
{
    bnc_profile *p = new_profile("prof"), *q = NULL, *r = NULL;
    bnc_agent *second = NULL;
    char sock[BNC_PATH_MAX + 32];
    struct stat st;
    int64_t forget_at = 0;
    uint32_t apid = 0;
    pid_t pid;
    int stop;
    (void)state;

    snprintf(sock, sizeof sock, "%s/agent.sock", p->dir);
    assert_int_equal(bnc_profile_new(&q, p->dir), 0);
    assert_int_equal(bnc_profile_use_agent(q), BN_ENOTFOUND);
    assert_int_equal(bnc_agent_status(q, &forget_at, &apid), BN_ENOTFOUND);
    assert_int_equal(bnc_agent_lock(q), BN_ENOTFOUND);

    pid = run_agent(p, 600, 0, &stop);
    assert_int_equal(stat(sock, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(bnc_profile_use_agent(q), 0);
    assert_memory_equal(q->id, p->id, sizeof *p->id);
    assert_int_equal(bnc_agent_status(q, &forget_at, &apid), 0);
    assert_int_equal(apid, (uint32_t)pid);
    assert_true(forget_at > time(NULL) + 590 && forget_at <= time(NULL) + 600);
    /* One agent per profile. */
    assert_int_equal(bnc_agent_open(&second, p), BN_EEXIST);
    assert_null(second);
    /* Lock: the keys are forgotten, the agent exits, its socket goes. */
    assert_int_equal(bnc_agent_lock(q), 0);
    assert_int_equal(exit_of(pid), 0);
    close(stop);
    assert_int_equal(lstat(sock, &st), -1);
    assert_int_equal(bnc_profile_new(&r, p->dir), 0);
    assert_int_equal(bnc_profile_use_agent(r), BN_ENOTFOUND);
    assert_null(r->id);
    bnc_profile_free(r);
    bnc_profile_free(q);
    bnc_profile_free(p);
}

static void test_agent_idle_and_stale(void **state)
{
    bnc_profile *p = new_profile("prof"), *q = NULL;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char sock[BNC_PATH_MAX + 32];
    struct stat st;
    pid_t pid;
    int fd, stop;
    (void)state;

    snprintf(sock, sizeof sock, "%s/agent.sock", p->dir);
    /* A socket file nobody listens on: what a killed agent leaves. */
    assert_true(strlen(sock) < sizeof addr.sun_path);
    memcpy(addr.sun_path, sock, strlen(sock) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    close(fd);
    assert_int_equal(bnc_profile_new(&q, p->dir), 0);
    assert_int_equal(bnc_profile_use_agent(q), BN_ENOTFOUND);
    /* It is replaced; the agent forgets after 1 s without use. */
    pid = run_agent(p, 1, 0, &stop);
    assert_int_equal(bnc_profile_use_agent(q), 0);
    assert_int_equal(exit_of(pid), 0);
    close(stop);
    assert_int_equal(lstat(sock, &st), -1);
    bnc_profile_free(q);
    bnc_profile_free(p);
}

static void test_agent_refusals(void **state)
{
    bnc_profile *p = new_profile("prof"), *q = NULL;
    bnc_agent *a = NULL;
    char path[BNC_PATH_MAX + 32];
    pid_t pid;
    int fd, stop;
    (void)state;

    /* A directory others may enter: no agent there. */
    assert_int_equal(chmod(p->dir, 0710), 0);
    assert_int_equal(bnc_agent_open(&a, p), BN_EDENIED);
    assert_int_equal(chmod(p->dir, 0700), 0);
    /* agent.sock that is not a socket is left alone. */
    snprintf(path, sizeof path, "%s/agent.sock", p->dir);
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(bnc_agent_open(&a, p), BN_EINVAL);
    assert_int_equal(unlink(path), 0);
    /* An agent whose keys do not hold together gives none. */
    pid = run_agent(p, 600, 1, &stop);
    assert_int_equal(bnc_profile_new(&q, p->dir), 0);
    assert_int_equal(bnc_profile_use_agent(q), BN_ECORRUPT);
    assert_null(q->id);
    /* Stopped from outside (a signal handler's byte): forgets, removes
     * its socket. */
    assert_int_equal(write(stop, "x", 1), 1);
    assert_int_equal(exit_of(pid), 0);
    assert_int_equal(access(path, F_OK), -1);
    close(stop);
    bnc_profile_free(q);
    bnc_profile_free(p);
}

BN_UNIT_GROUP(cli_agent);
