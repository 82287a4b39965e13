/*
 * test_hostile.c: a real binomed (bn_testd) against hostile peers on raw
 * sockets: garbage, a 4 GiB length prefix, half a frame then silence, a
 * handshake that never finishes, malformed requests after a valid login,
 * 2000 connections at once and a client that never reads its replies.
 * After each case a normal client (libbinome: login, then a read) must
 * still be served, promptly.
 *
 * The daemon runs with idle_timeout_s=4 (and handshake_timeout_s=6 when
 * this binomed knows the key) in its binomed.conf, so that the stalled
 * connections are seen closed within the test's time, and without the
 * pre-login limits per address and in all (every peer here is 127.0.0.1;
 * tests/integration/test_dos.c tests those).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sys/resource.h>

#if defined(__SANITIZE_ADDRESS__)
#define HOSTILE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOSTILE_ASAN 1
#endif
#endif
#ifndef HOSTILE_ASAN
#define HOSTILE_ASAN 0
#endif

#define PASS "hostile test pass phrase"
#include "itest_world.h"

#define IDLE_S 4
#define CLOSE_S 2.0 /* a protocol error closes at once: well within IDLE_S */
#define HS_S 6      /* when configurable; else the default, 10 */
#define MANY 2000
#define CHARTER_LEN 60000 /* PROGRAMME replies of about this size */
#define STALLED_MAX 8
#define FILLER 60000 /* bytes of a filler request */
#define GETS 256     /* PROGRAMME_GETs: 15 MB of replies, over any buffer */

typedef struct hostile {
    bn_testd d;
    int started;
    char admin_dir[300];
    bnc_profile *admin; /* identity loaded once */
    uint64_t programme;
    unsigned max_conns;
    int hs_timeout_s;
    long rss_base_kib;
    /* connections left hanging by a case, checked closed at the end */
    int stalled[STALLED_MAX];
    double stalled_at[STALLED_MAX];
    int nstalled;
} hostile;

/* ---- time, processes, the daemon's log ------------------------------- */

/* How far the daemon's memory may grow during a case: ASan keeps freed
 * memory in quarantine, so it gets more room. */
static long rss_allowance_kib(void)
{
    return HOSTILE_ASAN ? 128 * 1024 : 32 * 1024;
}

static void check_rss(const hostile *h, const char *when)
{
    long rss = itw_vmrss_kib(h->d.pid);
    fprintf(stderr, "hostile: binomed VmRSS %ld KiB %s (base %ld KiB)\n", rss,
            when, h->rss_base_kib);
    assert_true(rss > 0);
    if (rss - h->rss_base_kib > rss_allowance_kib())
        fail_msg("binomed grew by %ld KiB %s (allowed %ld KiB)",
                 rss - h->rss_base_kib, when, rss_allowance_kib());
}

/* Connections the daemon has taken: accepted or refused. */
static unsigned daemon_seen(const hostile *h)
{
    return itw_log_count(h->d.log, "conn.open conn=", NULL) +
           itw_log_count(h->d.log, "conn.refused", NULL);
}

/* ---- raw sockets ---------------------------------------------------- */

/*
 * Waits until the peer has closed fd (EOF or reset), discarding what it
 * sends: 1 when closed within timeout seconds, 0 otherwise.
 */
static int wait_closed(int fd, double timeout)
{
    uint8_t buf[65536];
    double end = itw_now_s() + timeout;
    for (;;) {
        struct pollfd pf = {fd, POLLIN, 0};
        int ms = (int)((end - itw_now_s()) * 1000);
        if (ms <= 0)
            return 0;
        if (poll(&pf, 1, ms) <= 0)
            continue;
        ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
            return 1;
    }
}

static void raw_close(itw_raw *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    bn_channel_wipe(&r->ch);
}

/* Expects ERROR{code} (code 0: any) for request id, then the close. */
static void expect_error_then_close(itw_raw *r, int code, uint64_t id)
{
    bn_msg rep;
    assert_int_equal(itw_recv_msg(r, &rep), 0);
    assert_int_equal(rep.type, BN_MSG_ERROR);
    if (code != 0)
        assert_int_equal(rep.u.error.code, code);
    assert_int_equal(rep.id, id);
    bn_msg_free(&rep);
    assert_true(wait_closed(r->fd, CLOSE_S));
}

/* Expects ERROR{code} for id on a connection that stays usable: a WHOAMI
 * right after is answered. */
static void expect_error_and_go_on(itw_raw *r, int code, uint64_t id)
{
    bn_msg rep, m;
    assert_int_equal(itw_recv_msg(r, &rep), 0);
    assert_int_equal(rep.type, BN_MSG_ERROR);
    assert_int_equal(rep.u.error.code, code);
    assert_int_equal(rep.id, id);
    bn_msg_free(&rep);
    bn_msg_init(&m, BN_MSG_WHOAMI, id + 1000);
    assert_int_equal(itw_send_msg(r, &m), 0);
    assert_int_equal(itw_recv_msg(r, &rep), 0);
    assert_int_not_equal(rep.type, BN_MSG_ERROR);
    assert_int_equal(rep.id, id + 1000);
    bn_msg_free(&rep);
}

/* ---- the normal client ---------------------------------------------- */

/* A normal client logs in and reads within 5 s: 0, or its error code. */
static int try_healthy(hostile *h, double *took)
{
    bnc_client *c = NULL;
    bnc_programme *items = NULL;
    size_t n = 0;
    double t0 = itw_now_s();
    int rc = bnc_client_open(&c, h->admin, PASS, strlen(PASS));
    if (rc == 0)
        rc = bnc_programme_list(c, &items, &n);
    if (rc == 0 && n == 0)
        rc = BN_ENOTFOUND;
    free(items);
    bnc_client_close(c);
    if (took != NULL)
        *took = itw_now_s() - t0;
    return rc;
}

static void healthy(hostile *h, const char *after)
{
    double took = 0;
    int rc = try_healthy(h, &took);
    if (rc != 0)
        fail_msg("a normal client failed after %s: %s (%s); see %s", after,
                 bn_err_name(rc), bn_strerror(rc), h->d.log);
    if (took > 5)
        fail_msg("a normal client took %.1f s after %s", took, after);
    assert_true(kill(h->d.pid, 0) == 0);
}

static void keep_stalled(hostile *h, int fd)
{
    assert_true(h->nstalled < STALLED_MAX);
    h->stalled[h->nstalled] = fd;
    h->stalled_at[h->nstalled] = itw_now_s();
    h->nstalled++;
}

/* ---- setup ---------------------------------------------------------- */

static int binomed_knows(const char *key)
{
    const char *bin = getenv("BINOMED");
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' run --help 2>/dev/null | grep -q '%s'",
             bin != NULL && *bin ? bin : "build/binomed", key);
    return system(cmd) == 0;
}

/* Appends the test's timeouts to binomed.conf and restarts the daemon. */
static int configure(hostile *h)
{
    char conf[200];
    int n = snprintf(conf, sizeof conf, "idle_timeout_s=%d\n", IDLE_S);
    h->hs_timeout_s = 10;
    if (binomed_knows("handshake_timeout_s")) {
        snprintf(conf + n, sizeof conf - (size_t)n, "handshake_timeout_s=%d\n",
                 HS_S);
        h->hs_timeout_s = HS_S;
    }
    /* Every peer here is 127.0.0.1, and 2000 connections at once test
     * max_connections: the pre-login limits (test_dos) step aside. */
    if (binomed_knows("prelogin_per_address")) {
        n = (int)strlen(conf);
        snprintf(conf + n, sizeof conf - (size_t)n,
                 "prelogin_per_address=1000000\nprelogin_max=1000000\n");
    }
    return itw_reconfigure(&h->d, conf);
}

/* max_connections from the daemon's "started" line, else the default. */
static unsigned read_max_conns(const hostile *h)
{
    char line[1024];
    unsigned v = 1024;
    FILE *f = fopen(h->d.log, "r");
    if (f == NULL)
        return v;
    while (fgets(line, sizeof line, f) != NULL) {
        const char *p = strstr(line, "max_connections=");
        if (strstr(line, " started ") != NULL && p != NULL)
            v = (unsigned)strtoul(p + 16, NULL, 10);
    }
    fclose(f);
    return v;
}

static int setup(void **state)
{
    hostile *h = calloc(1, sizeof *h);
    struct rlimit rl;
    int rc;

    if (h == NULL || bn_crypto_init() != 0)
        return -1;
    *state = h;
    /* Before the daemon starts, so that it inherits the limit too. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN);
    if (bn_testd_start(&h->d) != 0)
        return -1;
    h->started = 1;
    if (configure(h) != 0)
        return -1;
    h->max_conns = read_max_conns(h);
    snprintf(h->admin_dir, sizeof h->admin_dir, "%s/admin", h->d.dir);
    /* A long charter makes PROGRAMME replies big (slow reader). */
    rc = itw_admin_programme(&h->d, h->admin_dir, "Hostile", CHARTER_LEN,
                             &h->admin, &h->programme);
    if (rc != 0) {
        fprintf(stderr, "hostile: setup: %s; see %s\n", bn_err_name(rc),
                h->d.log);
        return -1;
    }
    itw_sleep_s(0.2);
    h->rss_base_kib = itw_vmrss_kib(h->d.pid);
    return 0;
}

static int teardown(void **state)
{
    hostile *h = *state;
    if (h == NULL)
        return 0;
    for (int i = 0; i < h->nstalled; i++)
        if (h->stalled[i] >= 0)
            close(h->stalled[i]);
    bnc_profile_free(h->admin);
    if (h->started)
        bn_testd_stop(&h->d);
    free(h);
    return 0;
}

/* ---- the cases ------------------------------------------------------ */

/* Random bytes, a random msg1, zero-length and short frames: each
 * connection is closed, nobody else notices. */
static void test_garbage(void **state)
{
    hostile *h = *state;
    uint8_t buf[8192];
    int fd;

    /* 1. 8 KiB of noise: its first four bytes are a length over the
     * pre-login limit, or a frame that is no msg1. */
    randombytes_buf(buf, sizeof buf);
    buf[0] |= 0x01; /* a length of at least 16 MiB */
    fd = itw_tcp_open(h->d.port, 0, 0);
    assert_true(fd >= 0);
    itw_send_all(fd, buf, sizeof buf);
    assert_true(wait_closed(fd, CLOSE_S));
    close(fd);

    /* 2. a frame of msg1's size holding noise (wrong version, random
     * point) */
    bn_frame_header(buf, BN_HS_MSG1_BYTES);
    randombytes_buf(buf + 4, BN_HS_MSG1_BYTES);
    buf[4] = 0x7f;
    fd = itw_tcp_open(h->d.port, 0, 0);
    assert_true(fd >= 0);
    assert_int_equal(itw_send_all(fd, buf, 4 + BN_HS_MSG1_BYTES), 0);
    assert_true(wait_closed(fd, CLOSE_S));
    close(fd);

    /* 3. msg1 with the right version and an all-zero (low-order) key */
    memset(buf + 4, 0, BN_HS_MSG1_BYTES);
    buf[4] = BN_HS_VERSION;
    fd = itw_tcp_open(h->d.port, 0, 0);
    assert_true(fd >= 0);
    assert_int_equal(itw_send_all(fd, buf, 4 + BN_HS_MSG1_BYTES), 0);
    assert_true(wait_closed(fd, CLOSE_S));
    close(fd);

    /* 4. an empty frame instead of msg1 */
    fd = itw_tcp_open(h->d.port, 0, 0);
    assert_true(fd >= 0);
    memset(buf, 0, 4);
    assert_int_equal(itw_send_all(fd, buf, 4), 0);
    assert_true(wait_closed(fd, CLOSE_S));
    close(fd);

    /* 5. after a good handshake, a frame that does not open */
    itw_raw r = {.fd = itw_tcp_open(h->d.port, 0, 0)};
    assert_true(r.fd >= 0);
    assert_int_equal(itw_raw_handshake(&r, h->admin->server_pk), 0);
    bn_frame_header(buf, 200);
    randombytes_buf(buf + 4, 200);
    assert_int_equal(itw_send_all(r.fd, buf, 204), 0);
    assert_true(wait_closed(r.fd, CLOSE_S));
    raw_close(&r);

    /* 6. a frame shorter than the AEAD tag */
    r.fd = itw_tcp_open(h->d.port, 0, 0);
    assert_true(r.fd >= 0);
    assert_int_equal(itw_raw_handshake(&r, h->admin->server_pk), 0);
    bn_frame_header(buf, 3);
    assert_int_equal(itw_send_all(r.fd, buf, 7), 0);
    assert_true(wait_closed(r.fd, CLOSE_S));
    raw_close(&r);

    healthy(h, "garbage");
}

/* A length prefix of 4 GiB - 1, before and after login, and one just over
 * the post-login limit: closed at once, nothing allocated. */
static void test_huge_length_prefix(void **state)
{
    hostile *h = *state;
    uint8_t hdr[4] = {0xff, 0xff, 0xff, 0xff};

    int fd = itw_tcp_open(h->d.port, 0, 0);
    assert_true(fd >= 0);
    assert_int_equal(itw_send_all(fd, hdr, 4), 0);
    assert_true(wait_closed(fd, CLOSE_S));
    close(fd);

    itw_raw r;
    itw_raw_login(&r, h->d.port, h->admin, 0);
    assert_int_equal(itw_send_all(r.fd, hdr, 4), 0);
    assert_true(wait_closed(r.fd, CLOSE_S));
    raw_close(&r);

    itw_raw_login(&r, h->d.port, h->admin, 0);
    bn_frame_header(hdr, BN_FRAME_MAX + 1);
    assert_int_equal(itw_send_all(r.fd, hdr, 4), 0);
    assert_true(wait_closed(r.fd, CLOSE_S));
    raw_close(&r);

    check_rss(h, "after 4 GiB length prefixes");
    healthy(h, "a 4 GiB length prefix");
}

/* Half a frame, then silence: the daemon goes on serving others; the
 * connection is closed by the handshake timeout (checked at the end). */
static void test_half_frame_then_silence(void **state)
{
    hostile *h = *state;
    uint8_t buf[4 + BN_HS_MSG1_BYTES];

    bn_frame_header(buf, BN_HS_MSG1_BYTES);
    randombytes_buf(buf + 4, BN_HS_MSG1_BYTES);
    int fd = itw_tcp_open(h->d.port, 0, 0);
    assert_true(fd >= 0);
    assert_int_equal(itw_send_all(fd, buf, 4 + 10), 0);
    keep_stalled(h, fd);

    fd = itw_tcp_open(h->d.port, 0, 0); /* two bytes of the length prefix */
    assert_true(fd >= 0);
    assert_int_equal(itw_send_all(fd, buf, 2), 0);
    keep_stalled(h, fd);

    /* after login too: half of a sealed frame */
    itw_raw r;
    itw_raw_login(&r, h->d.port, h->admin, 0);
    bn_frame_header(buf, 100);
    assert_int_equal(itw_send_all(r.fd, buf, 4 + 20), 0);
    keep_stalled(h, r.fd);

    healthy(h, "half a frame (while it hangs)");
}

/* A handshake that never finishes: msg1 and then nothing; or msg2
 * received and no login. */
static void test_unfinished_handshake(void **state)
{
    hostile *h = *state;
    itw_raw r = {.fd = itw_tcp_open(h->d.port, 0, 0)};

    assert_true(r.fd >= 0);
    assert_int_equal(itw_raw_handshake(&r, h->admin->server_pk), 0);
    keep_stalled(h, r.fd); /* never logs in */

    int fd = itw_tcp_open(h->d.port, 0, 0);
    assert_true(fd >= 0); /* connected, never says a word */
    keep_stalled(h, fd);

    healthy(h, "an unfinished handshake (while it hangs)");
}

/* Logged in, then malformed requests: an ERROR reply, then the close
 * (Redis's policy); an unknown type or a misplaced message only gets the
 * ERROR and the connection goes on. */
static void test_malformed_after_login(void **state)
{
    hostile *h = *state;
    itw_raw r;
    bn_msg m;

    /* Requests that do not parse: ERROR (echoing the id when it can be
     * read), then the close. */
#define BYTES(...) {__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
    static const struct {
        const char *what;
        uint8_t bytes[24];
        size_t len;
        int code;
        uint64_t id;
    } bad[] = {
        {"not msgpack", BYTES(0xc1), BN_ETYPE, 0},
        {"a map", BYTES(0x81, 0x01, 0x02), BN_ETYPE, 0},
        {"an empty array", BYTES(0x90), 0, 0},
        {"WHOAMI with a field too many", BYTES(0x93, 0x13, 0x05, 0x01),
         BN_EPROTO, 5},
        {"WHOAMI and a trailing byte", BYTES(0x92, 0x13, 0x06, 0xc0),
         BN_ETRAILING, 6},
        {"NOTE_GET with a string for pair_id",
         BYTES(0x95, 0x44, 0x07, 0xa1, 'x', 0x01, 0x00), BN_ETYPE, 7},
        {"NOTE_GET missing fields", BYTES(0x93, 0x44, 0x08, 0x01), BN_EMISSING,
         8},
        {"an array count of 4 G", BYTES(0xdd, 0xff, 0xff, 0xff, 0xff, 0x13), 0,
         0},
        {"a string length of 4 G",
         BYTES(0x93, 0x13, 0x09, 0xdb, 0xff, 0xff, 0xff, 0xff), 0, 9},
        {"a negative request id", BYTES(0x92, 0x13, 0xff), 0, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fprintf(stderr, "hostile: malformed: %s\n", bad[i].what);
        itw_raw_login(&r, h->d.port, h->admin, 0);
        assert_int_equal(itw_send_plain(&r, bad[i].bytes, bad[i].len), 0);
        expect_error_then_close(&r, bad[i].code, bad[i].id);
        raw_close(&r);
    }
#undef BYTES

    /* Nested arrays deeper than any schema: ERROR then close. */
    {
        uint8_t deep[3 + 200];
        deep[0] = 0x93;
        deep[1] = 0x13;
        deep[2] = 0x0b;
        memset(deep + 3, 0x91, sizeof deep - 4);
        deep[sizeof deep - 1] = 0x01;
        itw_raw_login(&r, h->d.port, h->admin, 0);
        assert_int_equal(itw_send_plain(&r, deep, sizeof deep), 0);
        expect_error_then_close(&r, 0, 0x0b);
        raw_close(&r);
    }

    /* What the daemon answers and goes on after. */
    itw_raw_login(&r, h->d.port, h->admin, 0);
    const uint8_t unknown[] = {0x92, 0xcd, 0x7f, 0xf0, 0x0c};
    assert_int_equal(itw_send_plain(&r, unknown, sizeof unknown), 0);
    expect_error_and_go_on(&r, BN_EUNKNOWNMSG, 12);
    const uint8_t wide[] = {0x92, 0xce, 0x00, 0x01, 0x00, 0x13, 0x0a};
    assert_int_equal(itw_send_plain(&r, wide, sizeof wide),
                     0); /* type > 16 b */
    expect_error_and_go_on(&r, BN_EUNKNOWNMSG, 10);

    bn_msg_init(&m, BN_MSG_LOGIN, 13); /* a second login */
    m.u.login.account_id = h->admin->account_id;
    assert_int_equal(itw_send_msg(&r, &m), 0);
    expect_error_and_go_on(&r, BN_EPROTO, 13);

    bn_msg_init(&m, BN_MSG_ERROR, 14); /* a reply sent as a request */
    m.u.error.code = BN_EINTERNAL;
    m.u.error.message = (bn_str){"boo", 3};
    assert_int_equal(itw_send_msg(&r, &m), 0);
    expect_error_and_go_on(&r, BN_EUNKNOWNMSG, 14);

    bn_msg_init(&m, BN_MSG_NOTE_LIST, 15); /* an admin never reads notes */
    m.u.note_list.pair_id = 1;
    assert_int_equal(itw_send_msg(&r, &m), 0);
    expect_error_and_go_on(&r, BN_EDENIED, 15);

    /* A replayed frame does not open: closed without a reply. */
    {
        bn_buf b = {0};
        bn_msg_init(&m, BN_MSG_WHOAMI, 16);
        assert_int_equal(bn_msg_encode(&b, &m), 0);
        size_t body = b.len + BN_CHANNEL_OVERHEAD;
        uint8_t frame[256];
        assert_true(BN_FRAME_HDR + body <= sizeof frame);
        bn_frame_header(frame, (uint32_t)body);
        assert_int_equal(bn_channel_seal(&r.ch, frame + BN_FRAME_HDR, b.data,
                                         b.len, frame, BN_FRAME_HDR),
                         0);
        bn_buf_free(&b);
        assert_int_equal(itw_send_all(r.fd, frame, BN_FRAME_HDR + body), 0);
        bn_msg rep;
        assert_int_equal(itw_recv_msg(&r, &rep), 0);
        assert_int_equal(rep.id, 16);
        bn_msg_free(&rep);
        assert_int_equal(itw_send_all(r.fd, frame, BN_FRAME_HDR + body), 0);
        assert_true(wait_closed(r.fd, CLOSE_S));
    }
    raw_close(&r);

    /* Before login, anything but JOIN or LOGIN: ERROR then close. */
    r.fd = itw_tcp_open(h->d.port, 0, 0);
    assert_true(r.fd >= 0);
    assert_int_equal(itw_raw_handshake(&r, h->admin->server_pk), 0);
    bn_msg_init(&m, BN_MSG_WHOAMI, 17);
    assert_int_equal(itw_send_msg(&r, &m), 0);
    expect_error_then_close(&r, BN_ENOTLOGGEDIN, 17);
    raw_close(&r);

    /* A LOGIN with a bad signature: ERROR then close. */
    r.fd = itw_tcp_open(h->d.port, 0, 0);
    assert_true(r.fd >= 0);
    assert_int_equal(itw_raw_handshake(&r, h->admin->server_pk), 0);
    bn_msg_init(&m, BN_MSG_LOGIN, 18);
    m.u.login.account_id = h->admin->account_id;
    randombytes_buf(m.u.login.sig, sizeof m.u.login.sig);
    assert_int_equal(itw_send_msg(&r, &m), 0);
    expect_error_then_close(&r, 0, 18);
    raw_close(&r);

    healthy(h, "malformed requests");
}

/* 2000 connections at once: beyond max_connections they are closed at
 * accept (the newcomer, or the oldest not logged in); the ones taken are
 * served; the daemon serves again once they
 * go. */
static void test_many_connections(void **state)
{
    hostile *h = *state;
    struct rlimit rl;
    int n = MANY;

    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur < (rlim_t)MANY + 64)
        n = (int)rl.rlim_cur - 64;
    if (n <= (int)h->max_conns) {
        fprintf(stderr,
                "hostile: SKIPPED: RLIMIT_NOFILE %lu leaves %d sockets, "
                "not more than max_connections %u\n",
                (unsigned long)rl.rlim_cur, n, h->max_conns);
        skip();
    }
    int *fds = malloc(sizeof *fds * (size_t)n);
    char *closed = calloc((size_t)n, 1);
    assert_non_null(fds);
    assert_non_null(closed);
    /* Over max_connections, the newcomer is refused, or the oldest
     * connection not logged in yet is closed for it (conn.evicted). */
    unsigned refused_before = itw_log_count(h->d.log, "conn.refused", NULL) +
                              itw_log_count(h->d.log, "conn.evicted", NULL);

    /* In batches that the daemon takes (accepts or refuses) before the
     * next: a full accept queue would delay connections by SYN-ACK
     * retries, past the handshake timeout. */
    unsigned seen0 = daemon_seen(h);
    double t0 = itw_now_s();
    for (int i = 0; i < n;) {
        int end = i + 250 < n ? i + 250 : n;
        for (; i < end; i++) {
            fds[i] = itw_tcp_open(h->d.port, 1, 0);
            assert_true(fds[i] >= 0);
        }
        for (double t = itw_now_s();
             daemon_seen(h) - seen0 < (unsigned)i && itw_now_s() - t < 3;)
            itw_sleep_s(0.01);
    }
    /* Those over the limit are closed: wait for them to be seen. */
    int nclosed = 0, want = n - (int)h->max_conns;
    for (double end = itw_now_s() + 15; nclosed < want && itw_now_s() < end;) {
        for (int i = 0; i < n; i++) {
            if (closed[i])
                continue;
            uint8_t b;
            ssize_t r = recv(fds[i], &b, 1, MSG_DONTWAIT);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR &&
                           errno != ENOTCONN && errno != EINPROGRESS)) {
                closed[i] = 1;
                nclosed++;
            }
        }
        itw_sleep_s(0.05);
    }
    unsigned refused = itw_log_count(h->d.log, "conn.refused", NULL) +
                       itw_log_count(h->d.log, "conn.evicted", NULL) -
                       refused_before;
    fprintf(stderr,
            "hostile: %d connections in %.1f s: %d closed by the daemon, "
            "%u refusals or evictions logged, max_connections %u\n",
            n, itw_now_s() - t0, nclosed, refused, h->max_conns);
    assert_true(nclosed >= want);
    assert_true(refused >= (unsigned)want);
    assert_true(nclosed <= n - (int)h->max_conns + h->nstalled + 8);

    /* Full: a newcomer is turned away promptly, not left hanging. */
    double took = 0;
    int rc = try_healthy(h, &took);
    fprintf(stderr, "hostile: a client while full: %s in %.2f s\n",
            bn_err_name(rc), took);
    assert_true(took < 5);

    /* The connections the daemon took are served: a handshake on a few
     * (one not seen closed yet may still be a late refusal). */
    int served = 0, tried = 0;
    for (int i = 0; i < n && served < 3 && tried < 50; i++) {
        if (closed[i])
            continue;
        itw_raw r = {.fd = fds[i]};
        fcntl(r.fd, F_SETFL, fcntl(r.fd, F_GETFL) & ~O_NONBLOCK);
        tried++;
        if (itw_raw_handshake(&r, h->admin->server_pk) == 0)
            served++;
        bn_channel_wipe(&r.ch);
    }
    assert_int_equal(served, 3);
    check_rss(h, "with 2000 connections");

    for (int i = 0; i < n; i++)
        close(fds[i]);
    free(fds);
    free(closed);
    /* The daemon sees the closes in its own time: retry for a while. */
    for (double end = itw_now_s() + 5; try_healthy(h, NULL) != 0;) {
        assert_true(itw_now_s() < end);
        itw_sleep_s(0.1);
    }
    healthy(h, "2000 connections");
}

/* The local port of fd, to find the connection in the daemon's log. */
static unsigned local_port(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return 0;
    return ntohs(a.sin_port);
}

/* A client that pipelines requests with big replies and never reads:
 * the daemon stops reading it, its memory stays flat, others are served,
 * and the connection is closed. */
static void test_slow_reader(void **state)
{
    hostile *h = *state;
    itw_raw r;
    bn_buf b = {0};
    bn_msg m;
    uint64_t sent = 0;

    int closed_early = 0, small = 4096;
    uint8_t *pt = malloc(FILLER + 32), *frame = malloc(FILLER + 64);
    assert_non_null(pt);
    assert_non_null(frame);

    /* A small receive buffer: the replies back up into the daemon. */
    itw_raw_login(&r, h->d.port, h->admin, small);
    unsigned long conn = itw_conn_of_port(h->d.log, local_port(r.fd));
    fcntl(r.fd, F_SETFL, fcntl(r.fd, F_GETFL) | O_NONBLOCK);

    /* First GETS PROGRAMME_GETs (a ~60 KB reply each), far more than the
     * reply queue and the socket buffers take; then big requests of an unknown
     * type (a small ERROR reply each) that fill the socket buffers fast, until
     * the daemon has taken nothing for 0.3 s. */
    size_t off = 0, flen = 0;
    double stuck_since = 0, t0 = itw_now_s();
    while (itw_now_s() - t0 < 10) {
        if (off == flen) {
            size_t len;
            if (sent < GETS) {
                bn_buf_reset(&b);
                bn_msg_init(&m, BN_MSG_PROGRAMME_GET, 100 + sent);
                m.u.programme_get.programme_id = h->programme;
                assert_int_equal(bn_msg_encode(&b, &m), 0);
                memcpy(pt, b.data, b.len);
                len = b.len;
            } else { /* [0x7ff1, id, bin 16 FILLER] */
                uint8_t head[] = {0x93,          0xcd, 0x7f,
                                  0xf1,          0xcd, (uint8_t)(sent >> 8),
                                  (uint8_t)sent, 0xc5, FILLER >> 8,
                                  FILLER & 0xff};
                memcpy(pt, head, sizeof head);
                memset(pt + sizeof head, 'z', FILLER);
                len = sizeof head + FILLER;
            }
            size_t body = len + BN_CHANNEL_OVERHEAD;
            bn_frame_header(frame, (uint32_t)body);
            assert_int_equal(bn_channel_seal(&r.ch, frame + BN_FRAME_HDR, pt,
                                             len, frame, BN_FRAME_HDR),
                             0);
            flen = BN_FRAME_HDR + body;
            off = 0;
            sent++;
        }
        ssize_t w = send(r.fd, frame + off, flen - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            stuck_since = 0;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
            closed_early = 1; /* the daemon already let it go */
            break;
        }
        if (stuck_since == 0)
            stuck_since = itw_now_s();
        if (itw_now_s() - stuck_since > 0.3)
            break;
        struct pollfd wpf = {r.fd, POLLOUT, 0};
        poll(&wpf, 1, 10);
    }
    bn_buf_free(&b);
    free(pt);
    free(frame);
    fprintf(
        stderr,
        "hostile: slow reader: %llu requests (%llu MiB) sent in %.1f s "
        "before the daemon stopped reading%s\n",
        (unsigned long long)sent,
        (unsigned long long)((sent > GETS ? sent - GETS : 0) * FILLER >> 20),
        itw_now_s() - t0, closed_early ? " (closed it already)" : "");
    /* it did stop reading us (or, on a slow machine, closed us already) */
    assert_true(stuck_since != 0 || closed_early);
    check_rss(h, "with a slow reader");
    healthy(h, "a slow reader (while it stalls)");

    /* The daemon lets it go: by the reply-queue cap or the idle timeout. */
    struct pollfd pf = {r.fd, POLLRDHUP, 0};
    double t1 = itw_now_s();
    int gone = 0;
    while (!gone && itw_now_s() - t1 < IDLE_S + 5) {
        char idstr[48];
        snprintf(idstr, sizeof idstr, "conn=%lu ", conn);
        gone =
            (conn != 0 && itw_log_count(h->d.log, "conn.close", idstr) > 0) ||
            (poll(&pf, 1, 0) > 0 &&
             (pf.revents & (POLLRDHUP | POLLHUP | POLLERR)));
        if (!gone)
            itw_sleep_s(0.05);
    }
    if (!gone)
        fail_msg("binomed kept a connection that never reads for %.0f s",
                 itw_now_s() - t1);
    char idstr[48];
    snprintf(idstr, sizeof idstr, "conn=%lu ", conn);
    fprintf(stderr, "hostile: slow reader closed after %.1f s (%s)\n",
            itw_now_s() - t1,
            itw_log_count(h->d.log, idstr, "reason=slow_reader") ? "slow_reader"
            : itw_log_count(h->d.log, idstr, "reason=idle_timeout")
                ? "idle_timeout"
                : "see the log");
    raw_close(&r);
    check_rss(h, "after the slow reader");
    healthy(h, "a slow reader");
}

/* Every connection left hanging above was closed by the daemon's
 * timeouts (handshake to login, or idle once logged in). */
static void test_stalled_connections_closed(void **state)
{
    hostile *h = *state;
    assert_true(h->nstalled > 0);
    for (int i = 0; i < h->nstalled; i++) {
        double left = h->stalled_at[i] + h->hs_timeout_s + 5 - itw_now_s();
        if (!wait_closed(h->stalled[i], left > 0.5 ? left : 0.5))
            fail_msg("stalled connection %d still open %.0f s after it "
                     "stalled",
                     i, itw_now_s() - h->stalled_at[i]);
        close(h->stalled[i]);
        h->stalled[i] = -1;
    }
    healthy(h, "the stalled connections");
    fprintf(stderr, "hostile: %u login timeouts, %u idle timeouts logged\n",
            itw_log_count(h->d.log, "conn.close", "reason=login_timeout"),
            itw_log_count(h->d.log, "conn.close", "reason=idle_timeout"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_frame_then_silence),
        cmocka_unit_test(test_unfinished_handshake),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_huge_length_prefix),
        cmocka_unit_test(test_malformed_after_login),
        cmocka_unit_test(test_many_connections),
        cmocka_unit_test(test_slow_reader),
        cmocka_unit_test(test_stalled_connections_closed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
