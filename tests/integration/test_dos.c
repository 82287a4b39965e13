/*
 * test_dos.c: a real binomed (bn_testd) against outsiders who open
 * connections and wait, and against a member who opens too many: idle
 * connections from one address, or from many, do not lock a legitimate
 * client out (it logs in and works); a stalled handshake is closed after
 * the default deadline (3 s, not 10); an account's connections beyond
 * connections_per_account are refused at login, another account's are
 * not, and a closed one frees its place; a connection that logs in stops
 * counting against its address.
 *
 * Outsiders come from other loopback addresses (127.0.0.2 and up: Linux
 * routes 127.0.0.0/8 to lo), the legitimate client from 127.0.0.1. The
 * daemon runs with max_connections=64 (so prelogin_max is 16, a quarter)
 * and connections_per_account=3; everything else is the default.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define PASS "dos test pass phrase"
#include "itest_world.h"

#define MAX_CONNS 64
#define PRELOGIN_MAX (MAX_CONNS / 4)
#define PER_ADDRESS 16 /* the default */
#define PER_ACCOUNT 3
#define ONE_ADDRESS 200 /* connections from one address */
#define ADDRESSES 10    /* ... then from this many, PER_ADDRESS each */
#define HS_DEFAULT_MS 3000

typedef struct dos {
    bn_testd d;
    int started;
    char admin_dir[300], mentor_dir[300];
    bnc_profile *admin, *mentor;
    uint64_t programme;
} dos;

/* ---- outsiders -------------------------------------------------------- */

/* Connects to the daemon from source address src (blocking): the fd, or
 * -1. */
static int tcp_from(uint16_t port, const char *src)
{
    struct sockaddr_in a = {.sin_family = AF_INET}, b = {.sin_family = AF_INET};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    inet_pton(AF_INET, src, &b.sin_addr);
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&b, sizeof b) != 0 ||
        connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Connections the daemon has taken: accepted or refused. */
static unsigned seen(const dos *t)
{
    return itw_log_count(t->d.log, "conn.open conn=", NULL) +
           itw_log_count(t->d.log, "conn.refused", NULL);
}

/* Opens n connections from src that never say a word, into fds, and
 * waits until the daemon has taken each (accepted or refused). */
static void flood(dos *t, const char *src, int *fds, int n)
{
    unsigned seen0 = seen(t);
    for (int i = 0; i < n; i++) {
        fds[i] = tcp_from(t->d.port, src);
        if (fds[i] < 0)
            fail_msg("cannot connect from %s: %s (is 127.0.0.0/8 on lo?)", src,
                     strerror(errno));
    }
    for (double end = itw_now_s() + 10;
         seen(t) - seen0 < (unsigned)n && itw_now_s() < end;)
        itw_sleep_s(0.01);
    assert_true(seen(t) - seen0 >= (unsigned)n);
}

static void close_all(int *fds, int n)
{
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* ---- the legitimate client -------------------------------------------- */

/* The administrator logs in (libbinome, from 127.0.0.1) and reads. */
static void legitimate(dos *t, const char *during)
{
    bnc_client *c = NULL;
    bnc_programme *items = NULL;
    size_t n = 0;
    int rc = bnc_client_open(&c, t->admin, PASS, strlen(PASS));
    if (rc == 0)
        rc = bnc_programme_list(c, &items, &n);
    free(items);
    bnc_client_close(c);
    if (rc != 0 || n == 0)
        fail_msg("a legitimate client failed during %s: %s; see %s", during,
                 bn_err_name(rc), t->d.log);
}

/* ---- setup ------------------------------------------------------------ */

static int setup(void **state)
{
    dos *t = calloc(1, sizeof *t);
    char conf[200], code[BN_INVITE_CODE_MAX + 1];
    bnc_client *c = NULL;
    int rc;

    if (t == NULL || bn_crypto_init() != 0)
        return -1;
    *state = t;
    signal(SIGPIPE, SIG_IGN);
    if (bn_testd_start(&t->d) != 0)
        return -1;
    t->started = 1;
    snprintf(conf, sizeof conf,
             "max_connections=%d\nconnections_per_account=%d\n"
             "rate_per_account=0\n",
             MAX_CONNS, PER_ACCOUNT);
    if (itw_reconfigure(&t->d, conf) != 0)
        return -1;
    snprintf(t->admin_dir, sizeof t->admin_dir, "%s/admin", t->d.dir);
    snprintf(t->mentor_dir, sizeof t->mentor_dir, "%s/mentor", t->d.dir);
    rc = itw_admin_programme(&t->d, t->admin_dir, "DoS", 100, &t->admin,
                             &t->programme);
    if (rc == 0)
        rc = bnc_client_open(&c, t->admin, PASS, strlen(PASS));
    if (rc == 0)
        rc = bnc_invite_create(c, t->programme, BN_ROLE_MENTOR, 0, code, NULL);
    bnc_client_close(c);
    if (rc == 0)
        rc = itw_join(t->mentor_dir, code, "Maud Mentor", NULL);
    if (rc == 0)
        rc = bnc_profile_open(&t->mentor, t->mentor_dir);
    if (rc == 0)
        rc = bnc_profile_load_identity(t->mentor, PASS, strlen(PASS));
    if (rc != 0) {
        fprintf(stderr, "dos: setup: %s; see %s\n", bn_err_name(rc), t->d.log);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    dos *t = *state;
    if (t == NULL)
        return 0;
    bnc_profile_free(t->admin);
    bnc_profile_free(t->mentor);
    if (t->started)
        bn_testd_stop(&t->d);
    free(t);
    return 0;
}

/* ---- the cases -------------------------------------------------------- */

/* 200 idle connections from one address: it keeps PER_ADDRESS of them at
 * most, the rest are closed at accept, and a client from another address
 * logs in and works while they hang (today's daemon filled
 * max_connections with them for 10 s). */
static void test_one_address(void **state)
{
    dos *t = *state;
    int fds[ONE_ADDRESS];
    unsigned refused0 =
        itw_log_count(t->d.log, "conn.refused", "reason=prelogin_per_address");

    flood(t, "127.0.0.2", fds, ONE_ADDRESS);
    legitimate(t, "an idle flood from one address");
    unsigned refused =
        itw_log_count(t->d.log, "conn.refused", "reason=prelogin_per_address") -
        refused0;
    fprintf(stderr, "dos: one address: %d connections, %u refused at accept\n",
            ONE_ADDRESS, refused);
    assert_true(refused >= ONE_ADDRESS - PER_ADDRESS);
    close_all(fds, ONE_ADDRESS);
}

/* PER_ADDRESS idle connections from each of ADDRESSES addresses, ten
 * times prelogin_max: each newcomer closes the oldest of them, and the
 * legitimate client logs in and works. */
static void test_many_addresses(void **state)
{
    dos *t = *state;
    static int fds[ADDRESSES][PER_ADDRESS];
    unsigned evicted0 = itw_log_count(t->d.log, "conn.evicted", NULL);

    for (int a = 0; a < ADDRESSES; a++) {
        char src[32];
        snprintf(src, sizeof src, "127.0.0.%d", 10 + a);
        flood(t, src, fds[a], PER_ADDRESS);
    }
    legitimate(t, "an idle flood from many addresses");
    unsigned evicted = itw_log_count(t->d.log, "conn.evicted", NULL) - evicted0;
    fprintf(stderr,
            "dos: %d addresses: %d connections, %u oldest closed for "
            "newcomers\n",
            ADDRESSES, ADDRESSES * PER_ADDRESS, evicted);
    assert_true(evicted >= ADDRESSES * PER_ADDRESS - PRELOGIN_MAX);
    for (int a = 0; a < ADDRESSES; a++)
        close_all(fds[a], PER_ADDRESS);
}

/* The daemon's own figures of a connection's close, from its log: 1 when
 * found, with its reason and its age in ms. */
static int close_of(const dos *t, const char *peer, char *reason, size_t rsize,
                    unsigned long *ms)
{
    char line[1024], conn[48] = "";
    FILE *f = fopen(t->d.log, "r");
    int found = 0;
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL) {
        const char *p = strstr(line, "conn.open conn=");
        if (p != NULL && strstr(line, peer) != NULL)
            snprintf(conn, sizeof conn, "conn=%lu ", strtoul(p + 15, NULL, 10));
        p = conn[0] ? strstr(line, "conn.close ") : NULL;
        if (p != NULL && strstr(p, conn) != NULL) {
            const char *r = strstr(p, "reason="), *m = strstr(p, " ms=");
            if (r != NULL && m != NULL) {
                size_t n = strcspn(r + 7, " \n");
                snprintf(reason, rsize, "%.*s", (int)n, r + 7);
                *ms = strtoul(m + 4, NULL, 10);
                found = 1;
            }
        }
    }
    fclose(f);
    return found;
}

/* Two bytes of a length prefix, then silence: the daemon closes the
 * connection at the default handshake deadline, 3 s after accept (its own
 * clock, in its log); today's default was 10 s. */
static void test_stalled_handshake(void **state)
{
    dos *t = *state;
    char peer[64], reason[32] = "";
    unsigned long ms = 0;
    uint8_t hdr[2] = {0, 0};

    assert_true(itw_log_count(t->d.log, " started ", "handshake_timeout_s=3") >
                0);
    int fd = tcp_from(t->d.port, "127.0.0.3");
    assert_true(fd >= 0);
    assert_int_equal(itw_send_all(fd, hdr, sizeof hdr), 0);
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    snprintf(peer, sizeof peer, "peer=127.0.0.3:%u ", ntohs(a.sin_port));

    /* blocks until the daemon closes it (a safety bound only) */
    struct pollfd pf = {fd, POLLIN, 0};
    uint8_t b;
    assert_true(poll(&pf, 1, 20000) == 1);
    assert_true(recv(fd, &b, 1, 0) <= 0);
    close(fd);
    for (double end = itw_now_s() + 5;
         !close_of(t, peer, reason, sizeof reason, &ms) && itw_now_s() < end;)
        itw_sleep_s(0.05);
    fprintf(stderr, "dos: stalled handshake closed: reason=%s after %lu ms\n",
            reason, ms);
    assert_string_equal(reason, "login_timeout");
    assert_true(ms >= HS_DEFAULT_MS - 100);
    assert_true(ms < 2 * HS_DEFAULT_MS);
    legitimate(t, "a stalled handshake");
}

/* Logs in as who on a raw connection from src: the reply's error code (0:
 * logged in). The connection is left open in *r. */
static int raw_login_from(dos *t, itw_raw *r, const bnc_profile *who,
                          const char *src)
{
    r->fd = tcp_from(t->d.port, src);
    return itw_raw_login_fd(r, who);
}

static int raw_login(dos *t, itw_raw *r, const bnc_profile *who)
{
    return raw_login_from(t, r, who, "127.0.0.1");
}

static void raw_close(itw_raw *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    bn_channel_wipe(&r->ch);
}

/* An account's connections beyond connections_per_account are refused at
 * login (BN_ELIMIT, then the close); another account logs in; once one of
 * the first closes (seen in the daemon's log), the account logs in again. */
static void test_per_account(void **state)
{
    dos *t = *state;
    itw_raw held[PER_ACCOUNT], extra, other;

    for (int i = 0; i < PER_ACCOUNT; i++)
        assert_int_equal(raw_login(t, &held[i], t->admin), 0);
    assert_int_equal(raw_login(t, &extra, t->admin), BN_ELIMIT);
    struct pollfd pf = {extra.fd, POLLIN, 0};
    uint8_t b;
    assert_true(poll(&pf, 1, 20000) == 1); /* closed after the ERROR */
    assert_true(recv(extra.fd, &b, 1, 0) <= 0);
    raw_close(&extra);

    assert_int_equal(raw_login(t, &other, t->mentor), 0);
    raw_close(&other);

    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    char conn[48];
    assert_int_equal(getsockname(held[0].fd, (struct sockaddr *)&a, &alen), 0);
    unsigned long id = itw_conn_of_port(t->d.log, ntohs(a.sin_port));
    assert_true(id != 0);
    snprintf(conn, sizeof conn, "conn=%lu ", id);
    raw_close(&held[0]);
    for (double end = itw_now_s() + 10;
         itw_log_count(t->d.log, "conn.close ", conn) == 0 &&
         itw_now_s() < end;)
        itw_sleep_s(0.01);
    assert_int_equal(raw_login(t, &extra, t->admin), 0);
    raw_close(&extra);
    for (int i = 1; i < PER_ACCOUNT; i++)
        raw_close(&held[i]);
}

/* A connection that logs in stops counting against its address: from
 * one address, 10 idle connections, then 2 x PER_ACCOUNT logged in, then
 * 6 more idle ones are all kept (16 not logged in), and only the next is
 * refused. */
static void test_login_leaves_address_count(void **state)
{
    dos *t = *state;
    const char *src = "127.0.0.5";
    int idle[PER_ADDRESS + 1];
    itw_raw in[2 * PER_ACCOUNT];
    unsigned refused0 =
        itw_log_count(t->d.log, "conn.refused", "reason=prelogin_per_address");

    flood(t, src, idle, 10);
    for (int i = 0; i < 2 * PER_ACCOUNT; i++)
        assert_int_equal(
            raw_login_from(t, &in[i], i % 2 ? t->mentor : t->admin, src), 0);
    flood(t, src, idle + 10, PER_ADDRESS - 10);
    assert_int_equal(
        itw_log_count(t->d.log, "conn.refused", "reason=prelogin_per_address"),
        refused0);
    flood(t, src, idle + PER_ADDRESS, 1);
    assert_int_equal(
        itw_log_count(t->d.log, "conn.refused", "reason=prelogin_per_address"),
        refused0 + 1);
    close_all(idle, PER_ADDRESS + 1);
    for (int i = 0; i < 2 * PER_ACCOUNT; i++)
        raw_close(&in[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_address),
        cmocka_unit_test(test_many_addresses),
        cmocka_unit_test(test_stalled_handshake),
        cmocka_unit_test(test_per_account),
        cmocka_unit_test(test_login_leaves_address_count),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
