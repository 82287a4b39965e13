/*
 * test_limits.c: the per-connection limits of a real binomed (bn_testd)
 * that need time to show: a client that pipelines requests and never
 * reads its replies is closed by the slow-reader limit (slow_reader_s=2
 * here) long before the idle timeout (600 s here), the daemon's memory
 * stays bounded meanwhile, and a normal client is served afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../lib/bn_testd.h"
#include "binome.h"

#define PASS "limits test pass phrase"
#define SLOW_S 2
#define IDLE_S 600
#define CHARTER_LEN 60000 /* PROGRAMME replies of about this size */
#define GETS 400          /* 24 MB of replies: over any socket buffer */
#define RSS_ALLOWANCE_KIB (128 * 1024)

typedef struct limits {
    bn_testd d;
    int started;
    char admin_dir[300];
    bnc_profile *admin;
    uint64_t programme;
    long rss_base_kib;
} limits;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The daemon's resident memory in KiB (VmRSS), or -1. */
static long vmrss_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* Counts lines of the daemon's log holding a and b (b may be NULL). */
static unsigned log_count(const limits *l, const char *a, const char *b)
{
    char line[1024];
    unsigned n = 0;
    FILE *f = fopen(l->d.log, "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (strstr(line, a) != NULL && (b == NULL || strstr(line, b) != NULL))
            n++;
    fclose(f);
    return n;
}

/* The daemon's connection number for a peer port, from its log, or 0. */
static unsigned long conn_of_port(const limits *l, unsigned port)
{
    char line[1024], peer[48];
    unsigned long id = 0;
    FILE *f = fopen(l->d.log, "r");
    snprintf(peer, sizeof peer, "peer=127.0.0.1:%u ", port);
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL) {
        const char *p = strstr(line, "conn.open conn=");
        if (p != NULL && strstr(line, peer) != NULL)
            id = strtoul(p + 15, NULL, 10);
    }
    fclose(f);
    return id;
}

/* ---- a raw, logged-in connection ------------------------------------- */

typedef struct raw {
    int fd;
    bn_channel ch;
} raw;

static int send_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static int recv_all(int fd, uint8_t *p, size_t n)
{
    double end = now_s() + 5;
    while (n > 0) {
        struct pollfd pf = {fd, POLLIN, 0};
        int ms = (int)((end - now_s()) * 1000);
        if (ms <= 0 || poll(&pf, 1, ms) <= 0)
            return -1;
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Seals m into one frame in out (BN_FRAME_HDR + body): its length. */
static size_t seal_msg(raw *r, const bn_msg *m, uint8_t *out)
{
    bn_buf b = {0};
    assert_int_equal(bn_msg_encode(&b, m), 0);
    size_t body = b.len + BN_CHANNEL_OVERHEAD;
    bn_frame_header(out, (uint32_t)body);
    assert_int_equal(
        bn_channel_seal(&r->ch, out + BN_FRAME_HDR, b.data, b.len, out, 4), 0);
    bn_buf_free(&b);
    return BN_FRAME_HDR + body;
}

/* Connects with a small receive buffer, runs the handshake and logs in as
 * the administrator. */
static void raw_login(raw *r, const limits *l)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    uint8_t f1[BN_FRAME_HDR + BN_HS_MSG1_BYTES];
    uint8_t f2[BN_FRAME_HDR + BN_HS_MSG2_BYTES];
    uint8_t frame[512], hdr[BN_FRAME_HDR], body[4096], pt[4096];
    bn_hs_client hs;
    bn_msg m, rep;
    int small = 4096, one = 1;

    r->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(r->fd >= 0);
    setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    setsockopt(r->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    a.sin_port = htons(l->d.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(r->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(
        bn_hs_client_start(&hs, l->admin->server_pk, f1 + BN_FRAME_HDR), 0);
    bn_frame_header(f1, BN_HS_MSG1_BYTES);
    assert_int_equal(send_all(r->fd, f1, sizeof f1), 0);
    assert_int_equal(recv_all(r->fd, f2, sizeof f2), 0);
    assert_int_equal(bn_hs_client_finish(&hs, f2 + BN_FRAME_HDR, &r->ch), 0);

    bn_msg_init(&m, BN_MSG_LOGIN, 1);
    m.u.login.account_id = l->admin->account_id;
    assert_int_equal(
        bn_login_sign(m.u.login.sig, &r->ch, l->admin->id->sign_sk), 0);
    size_t n = seal_msg(r, &m, frame);
    assert_int_equal(send_all(r->fd, frame, n), 0);
    assert_int_equal(recv_all(r->fd, hdr, sizeof hdr), 0);
    uint32_t len = bn_get_be32(hdr);
    assert_true(len >= BN_CHANNEL_OVERHEAD && len <= sizeof body);
    assert_int_equal(recv_all(r->fd, body, len), 0);
    assert_int_equal(bn_channel_open(&r->ch, pt, body, len, hdr, sizeof hdr),
                     0);
    assert_int_equal(bn_msg_decode(&rep, pt, len - BN_CHANNEL_OVERHEAD), 0);
    assert_int_equal(rep.type, BN_MSG_LOGGED_IN);
    bn_msg_free(&rep);
}

/* ---- the normal client ------------------------------------------------ */

static void healthy(limits *l, const char *after)
{
    bnc_client *c = NULL;
    bnc_programme *items = NULL;
    size_t n = 0;
    double t0 = now_s();
    int rc = bnc_client_open(&c, l->admin, PASS, strlen(PASS));
    if (rc == 0)
        rc = bnc_programme_list(c, &items, &n);
    free(items);
    bnc_client_close(c);
    if (rc != 0 || n == 0)
        fail_msg("a normal client failed after %s: %s; see %s", after,
                 bn_err_name(rc), l->d.log);
    if (now_s() - t0 > 5)
        fail_msg("a normal client took %.1f s after %s", now_s() - t0, after);
}

/* ---- setup ------------------------------------------------------------ */

static int setup(void **state)
{
    limits *l = calloc(1, sizeof *l);
    bnc_profile *p = NULL;
    bnc_account acc;
    bnc_client *c = NULL;
    char path[400];
    int rc;

    if (l == NULL || bn_crypto_init() != 0)
        return -1;
    *state = l;
    signal(SIGPIPE, SIG_IGN);
    if (bn_testd_start(&l->d) != 0)
        return -1;
    l->started = 1;
    snprintf(path, sizeof path, "%s/binomed.conf", l->d.data);
    FILE *f = fopen(path, "a");
    if (f == NULL)
        return -1;
    /* the request rate is another test's business (test_srv_rate) */
    fprintf(f, "slow_reader_s=%d\nidle_timeout_s=%d\nrate_per_account=0\n",
            SLOW_S, IDLE_S);
    if (fclose(f) != 0)
        return -1;
    bn_testd_kill(&l->d, SIGTERM);
    if (bn_testd_restart(&l->d) != 0)
        return -1;

    snprintf(l->admin_dir, sizeof l->admin_dir, "%s/admin", l->d.dir);
    rc = bnc_profile_new(&p, l->admin_dir);
    if (rc == 0)
        rc = bnc_join(p, l->d.invite, "Ada Admin", PASS, strlen(PASS), &acc);
    bnc_profile_free(p);
    if (rc == 0)
        rc = bnc_profile_open(&l->admin, l->admin_dir);
    if (rc == 0)
        rc = bnc_client_open(&c, l->admin, PASS, strlen(PASS));
    if (rc == 0) {
        char *charter = malloc(CHARTER_LEN + 1);
        bnc_programme_spec spec = {"Limits", "limits", 6, 0, 0, charter};
        if (charter == NULL)
            return -1;
        for (size_t i = 0; i < CHARTER_LEN; i++)
            charter[i] = "We meet, we listen, we keep our word. "[i % 38];
        charter[CHARTER_LEN] = '\0';
        bnc_frequency_parse("monthly", &spec.frequency);
        bnc_format_parse("video", &spec.format);
        rc = bnc_programme_create(c, &spec, &l->programme);
        free(charter);
    }
    bnc_client_close(c);
    if (rc != 0) {
        fprintf(stderr, "limits: setup: %s; see %s\n", bn_err_name(rc),
                l->d.log);
        return -1;
    }
    sleep_s(0.2);
    l->rss_base_kib = vmrss_kib(l->d.pid);
    return 0;
}

static int teardown(void **state)
{
    limits *l = *state;
    if (l == NULL)
        return 0;
    bnc_profile_free(l->admin);
    if (l->started)
        bn_testd_stop(&l->d);
    free(l);
    return 0;
}

/* ---- the cases -------------------------------------------------------- */

/* Pipelines GETS big PROGRAMME_GETs and WHOAMIs, never reading, until
 * the daemon has taken nothing for 0.3 s: returns when that was, or 0
 * when the daemon closed the connection already. */
static double pipeline_until_stuck(raw *r, const limits *l)
{
    uint8_t frame[512];
    size_t off = 0, flen = 0;
    uint64_t sent = 0;
    double stuck_since = 0, t0 = now_s();

    fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) | O_NONBLOCK);
    while (now_s() - t0 < 10) {
        if (off == flen) {
            bn_msg m;
            if (sent % 2 == 0 && sent / 2 < GETS) {
                bn_msg_init(&m, BN_MSG_PROGRAMME_GET, 100 + sent);
                m.u.programme_get.programme_id = l->programme;
            } else {
                bn_msg_init(&m, BN_MSG_WHOAMI, 100 + sent);
            }
            flen = seal_msg(r, &m, frame);
            off = 0;
            sent++;
        }
        ssize_t w = send(r->fd, frame + off, flen - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            stuck_since = 0;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return 0;
        if (stuck_since == 0)
            stuck_since = now_s();
        if (now_s() - stuck_since > 0.3)
            break;
        struct pollfd pf = {r->fd, POLLOUT, 0};
        poll(&pf, 1, 10);
    }
    fprintf(stderr, "limits: %llu requests sent in %.1f s\n",
            (unsigned long long)sent, now_s() - t0);
    return stuck_since;
}

/* A client that never reads is closed, reason=slow_reader, about
 * slow_reader_s after its replies backed up; the daemon's memory stays
 * bounded; others are served meanwhile and afterwards. */
static void test_slow_reader_closed(void **state)
{
    limits *l = *state;
    raw r;
    struct sockaddr_in a;
    socklen_t alen = sizeof a;

    raw_login(&r, l);
    assert_int_equal(getsockname(r.fd, (struct sockaddr *)&a, &alen), 0);
    unsigned long conn = conn_of_port(l, ntohs(a.sin_port));
    assert_true(conn != 0);
    char idstr[48];
    snprintf(idstr, sizeof idstr, "conn=%lu ", conn);

    double stuck = pipeline_until_stuck(&r, l);
    assert_true(stuck != 0); /* the daemon stopped reading, did not close */
    long rss = vmrss_kib(l->d.pid);
    fprintf(stderr, "limits: binomed VmRSS %ld KiB (base %ld KiB)\n", rss,
            l->rss_base_kib);
    assert_true(rss > 0 && rss - l->rss_base_kib < RSS_ALLOWANCE_KIB);
    healthy(l, "a slow reader (while it stalls)");

    /* closed: well within SLOW_S and a margin, never by the idle timeout */
    double t1 = now_s();
    while (log_count(l, "conn.close", idstr) == 0 && now_s() - t1 < SLOW_S + 5)
        sleep_s(0.05);
    double took = now_s() - stuck;
    fprintf(stderr, "limits: slow reader closed %.1f s after it stalled\n",
            took);
    if (log_count(l, idstr, "reason=slow_reader") != 1)
        fail_msg("the slow reader was not closed as one within %d s; see %s",
                 SLOW_S + 5, l->d.log);
    assert_true(log_count(l, "conn.slow_reader", idstr) == 1);
    /* and the socket says so: EOF or reset after what was sent */
    struct pollfd pf = {r.fd, POLLRDHUP, 0};
    assert_true(poll(&pf, 1, 2000) == 1);
    close(r.fd);
    bn_channel_wipe(&r.ch);

    rss = vmrss_kib(l->d.pid);
    assert_true(rss > 0 && rss - l->rss_base_kib < RSS_ALLOWANCE_KIB);
    healthy(l, "a slow reader");
    assert_int_equal(log_count(l, "reason=idle_timeout", NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slow_reader_closed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
