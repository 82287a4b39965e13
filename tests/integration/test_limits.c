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

#define PASS "limits test pass phrase"
#include "itest_world.h"

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

/* ---- a raw, logged-in connection ------------------------------------- */

/* Seals m into one frame in out (BN_FRAME_HDR + body): its length. */
static size_t seal_msg(itw_raw *r, const bn_msg *m, uint8_t *out)
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

/* ---- the normal client ------------------------------------------------ */

static void healthy(limits *l, const char *after)
{
    bnc_client *c = NULL;
    bnc_programme *items = NULL;
    size_t n = 0;
    double t0 = itw_now_s();
    int rc = bnc_client_open(&c, l->admin, PASS, strlen(PASS));
    if (rc == 0)
        rc = bnc_programme_list(c, &items, &n);
    free(items);
    bnc_client_close(c);
    if (rc != 0 || n == 0)
        fail_msg("a normal client failed after %s: %s; see %s", after,
                 bn_err_name(rc), l->d.log);
    if (itw_now_s() - t0 > 5)
        fail_msg("a normal client took %.1f s after %s", itw_now_s() - t0,
                 after);
}

/* ---- setup ------------------------------------------------------------ */

static int setup(void **state)
{
    limits *l = calloc(1, sizeof *l);
    char conf[200];
    int rc;

    if (l == NULL || bn_crypto_init() != 0)
        return -1;
    *state = l;
    signal(SIGPIPE, SIG_IGN);
    if (bn_testd_start(&l->d) != 0)
        return -1;
    l->started = 1;
    /* the request rate is another test's business (test_srv_rate) */
    snprintf(conf, sizeof conf,
             "slow_reader_s=%d\nidle_timeout_s=%d\nrate_per_account=0\n",
             SLOW_S, IDLE_S);
    if (itw_reconfigure(&l->d, conf) != 0)
        return -1;

    snprintf(l->admin_dir, sizeof l->admin_dir, "%s/admin", l->d.dir);
    rc = itw_admin_programme(&l->d, l->admin_dir, "Limits", CHARTER_LEN,
                             &l->admin, &l->programme);
    if (rc != 0) {
        fprintf(stderr, "limits: setup: %s; see %s\n", bn_err_name(rc),
                l->d.log);
        return -1;
    }
    itw_sleep_s(0.2);
    l->rss_base_kib = itw_vmrss_kib(l->d.pid);
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
 * the daemon has taken nothing for 0.3 s: returns when that was; -1 when
 * the daemon closed the connection before this loop saw it stall (a
 * loaded machine can keep the test from running for longer than
 * slow_reader_s), 0 when it never stalled in 10 s. */
static double pipeline_until_stuck(itw_raw *r, const limits *l)
{
    uint8_t frame[512];
    size_t off = 0, flen = 0;
    uint64_t sent = 0;
    double stuck_since = 0, t0 = itw_now_s();

    fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) | O_NONBLOCK);
    while (itw_now_s() - t0 < 10) {
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
            return stuck_since != 0 ? stuck_since : -1; /* closed */
        if (stuck_since == 0)
            stuck_since = itw_now_s();
        if (itw_now_s() - stuck_since > 0.3)
            break;
        struct pollfd pf = {r->fd, POLLOUT, 0};
        poll(&pf, 1, 10);
    }
    fprintf(stderr, "limits: %llu requests sent in %.1f s\n",
            (unsigned long long)sent, itw_now_s() - t0);
    return stuck_since;
}

/* A client that never reads is closed, reason=slow_reader, about
 * slow_reader_s after its replies backed up; the daemon's memory stays
 * bounded; others are served meanwhile and afterwards. */
static void test_slow_reader_closed(void **state)
{
    limits *l = *state;
    itw_raw r;
    struct sockaddr_in a;
    socklen_t alen = sizeof a;

    /* The check is about time (a stall of slow_reader_s); under valgrind
     * the daemon runs tens of times slower and never looks stalled, so
     * there only the memory checks of the other cases run. */
    if (getenv("BN_VALGRIND") != NULL) {
        fprintf(stderr, "limits: slow-reader timing skipped under valgrind\n");
        skip();
    }
    itw_raw_login(&r, l->d.port, l->admin, 4096); /* a small buffer */
    assert_int_equal(getsockname(r.fd, (struct sockaddr *)&a, &alen), 0);
    unsigned long conn = itw_conn_of_port(l->d.log, ntohs(a.sin_port));
    assert_true(conn != 0);
    char idstr[48];
    snprintf(idstr, sizeof idstr, "conn=%lu ", conn);

    double stuck = pipeline_until_stuck(&r, l);
    assert_true(stuck != 0); /* the daemon stopped reading */
    if (stuck < 0)
        fprintf(stderr, "limits: closed before this test saw it stall\n");
    long rss;
    if (stuck > 0) { /* still open: its memory and the others, meanwhile */
        rss = itw_vmrss_kib(l->d.pid);
        fprintf(stderr, "limits: binomed VmRSS %ld KiB (base %ld KiB)\n", rss,
                l->rss_base_kib);
        assert_true(rss > 0 && rss - l->rss_base_kib < RSS_ALLOWANCE_KIB);
        healthy(l, "a slow reader (while it stalls)");
    }

    /* closed: well within SLOW_S and a margin, never by the idle timeout */
    double t1 = itw_now_s();
    while (itw_log_count(l->d.log, "conn.close", idstr) == 0 &&
           itw_now_s() - t1 < SLOW_S + 5)
        itw_sleep_s(0.05);
    double took = itw_now_s() - (stuck > 0 ? stuck : t1);
    fprintf(stderr, "limits: slow reader closed %.1f s after it stalled\n",
            took);
    if (itw_log_count(l->d.log, idstr, "reason=slow_reader") != 1)
        fail_msg("the slow reader was not closed as one within %d s; see %s",
                 SLOW_S + 5, l->d.log);
    assert_true(itw_log_count(l->d.log, "conn.slow_reader", idstr) == 1);
    /* and the socket says so: EOF or reset after what was sent */
    struct pollfd pf = {r.fd, POLLRDHUP, 0};
    assert_true(poll(&pf, 1, 2000) == 1);
    close(r.fd);
    bn_channel_wipe(&r.ch);

    rss = itw_vmrss_kib(l->d.pid);
    assert_true(rss > 0 && rss - l->rss_base_kib < RSS_ALLOWANCE_KIB);
    healthy(l, "a slow reader");
    assert_int_equal(itw_log_count(l->d.log, "reason=idle_timeout", NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slow_reader_closed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
