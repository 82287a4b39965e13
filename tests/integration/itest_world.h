/*
 * itest_world.h: what the C integration tests share: time, the daemon's
 * log, raw sockets that run the handshake and log in by hand, and a world
 * of profiles set up through libbinome (an administrator, a programme, a
 * mentor and a mentee in an accepted pair).
 *
 * Header-only, of static functions, because it needs libbinome and
 * cmocka: tests/lib/ is linked into every test binary, unit tests that
 * link only proto and crypto too. Include it after <cmocka.h>, and after
 * defining PASS, the passphrase of every profile the test makes.
 */
#ifndef ITEST_WORLD_H
#define ITEST_WORLD_H

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
#include "bnc_internal.h" /* the handles' insides, for white-box checks */

#ifndef PASS
#error "define PASS (the profiles' passphrase) before itest_world.h"
#endif

#define ITW_UNUSED __attribute__((unused))

/* ---- time, the daemon's process and log --------------------------------- */

/* itw_now_s returns monotonic seconds. */
ITW_UNUSED static double itw_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* itw_sleep_s sleeps s seconds, through signals. */
ITW_UNUSED static void itw_sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* itw_vmrss_kib returns the resident memory of pid in KiB (VmRSS), or -1. */
ITW_UNUSED static long itw_vmrss_kib(pid_t pid)
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

/* itw_log_count counts the lines of the log file holding every one of a,
 * b (b may be NULL). */
ITW_UNUSED static unsigned itw_log_count(const char *log, const char *a,
                                         const char *b)
{
    char line[1024];
    unsigned n = 0;
    FILE *f = fopen(log, "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (strstr(line, a) != NULL && (b == NULL || strstr(line, b) != NULL))
            n++;
    fclose(f);
    return n;
}

/* itw_log_wait waits up to timeout seconds for at least n lines holding
 * a and b (as itw_log_count) and returns the count then: the daemon may
 * write a request's line after its reply has left. */
ITW_UNUSED static unsigned itw_log_wait(const char *log, const char *a,
                                        const char *b, unsigned n,
                                        double timeout)
{
    double end = itw_now_s() + timeout;
    unsigned got = itw_log_count(log, a, b);
    while (got < n && itw_now_s() < end) {
        itw_sleep_s(0.02);
        got = itw_log_count(log, a, b);
    }
    return got;
}

/* itw_conn_of_port returns the daemon's connection number for a peer port,
 * from its log, or 0. */
ITW_UNUSED static unsigned long itw_conn_of_port(const char *log, unsigned port)
{
    char line[1024], peer[48];
    unsigned long id = 0;
    FILE *f = fopen(log, "r");
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

/* itw_reconfigure appends conf (lines) to the daemon's binomed.conf and
 * restarts it: 0 or -1. */
ITW_UNUSED static int itw_reconfigure(bn_testd *d, const char *conf)
{
    char path[400];
    snprintf(path, sizeof path, "%s/binomed.conf", d->data);
    FILE *f = fopen(path, "a");
    if (f == NULL)
        return -1;
    if (fputs(conf, f) < 0) {
        fclose(f);
        return -1;
    }
    if (fclose(f) != 0 || bn_testd_kill(d, SIGTERM) < 0)
        return -1;
    return bn_testd_restart(d);
}

/* ---- raw sockets -------------------------------------------------------- */

/* itw_tcp_open connects to the loopback port (nonblocking when nonblock;
 * with a receive buffer of rcvbuf bytes when > 0): the fd, or -1. */
ITW_UNUSED static int itw_tcp_open(uint16_t port, int nonblock, int rcvbuf)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (nonblock)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 &&
        errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* itw_send_all sends n bytes: 0, or -1 on error or close. */
ITW_UNUSED static int itw_send_all(int fd, const void *p, size_t n)
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

/* itw_recv_all reads exactly n bytes within timeout seconds: 0, or -1 on
 * EOF, error or timeout. */
ITW_UNUSED static int itw_recv_all(int fd, uint8_t *p, size_t n, double timeout)
{
    double end = itw_now_s() + timeout;
    while (n > 0) {
        struct pollfd pf = {fd, POLLIN, 0};
        int ms = (int)((end - itw_now_s()) * 1000);
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

/* A connection that has completed the handshake. */
typedef struct itw_raw {
    int fd;
    bn_channel ch;
} itw_raw;

/* itw_raw_handshake runs the client side of the handshake on r->fd
 * against server_pk, setting r->ch: 0 or -1. */
ITW_UNUSED static int itw_raw_handshake(itw_raw *r, const uint8_t *server_pk)
{
    bn_hs_client hs;
    uint8_t frame[BN_FRAME_HDR + BN_HS_MSG1_BYTES];
    uint8_t reply[BN_FRAME_HDR + BN_HS_MSG2_BYTES];

    if (bn_hs_client_start(&hs, server_pk, frame + BN_FRAME_HDR) != 0)
        return -1;
    bn_frame_header(frame, BN_HS_MSG1_BYTES);
    if (itw_send_all(r->fd, frame, sizeof frame) != 0 ||
        itw_recv_all(r->fd, reply, sizeof reply, 5) != 0 ||
        bn_get_be32(reply) != BN_HS_MSG2_BYTES ||
        bn_hs_client_finish(&hs, reply + BN_FRAME_HDR, &r->ch) != 0)
        return -1;
    return 0;
}

/* itw_send_plain seals plaintext bytes into one frame and sends it. */
ITW_UNUSED static int itw_send_plain(itw_raw *r, const uint8_t *pt, size_t len)
{
    size_t body = len + BN_CHANNEL_OVERHEAD;
    uint8_t *frame = malloc(BN_FRAME_HDR + body);
    int rc = -1;
    if (frame == NULL)
        return -1;
    bn_frame_header(frame, (uint32_t)body);
    if (bn_channel_seal(&r->ch, frame + BN_FRAME_HDR, pt, len, frame,
                        BN_FRAME_HDR) == 0)
        rc = itw_send_all(r->fd, frame, BN_FRAME_HDR + body);
    free(frame);
    return rc;
}

/* itw_send_msg encodes, seals and sends m: 0 or -1. */
ITW_UNUSED static int itw_send_msg(itw_raw *r, const bn_msg *m)
{
    bn_buf b = {0};
    int rc = bn_msg_encode(&b, m) == 0 ? itw_send_plain(r, b.data, b.len) : -1;
    bn_buf_free(&b);
    return rc;
}

/* itw_recv_msg receives one sealed message within 5 s (bn_msg_free it):
 * 0 or -1. */
ITW_UNUSED static int itw_recv_msg(itw_raw *r, bn_msg *m)
{
    uint8_t hdr[BN_FRAME_HDR];
    memset(m, 0, sizeof *m);
    if (itw_recv_all(r->fd, hdr, sizeof hdr, 5) != 0)
        return -1;
    uint32_t len = bn_get_be32(hdr);
    if (len < BN_CHANNEL_OVERHEAD || len > BN_FRAME_MAX)
        return -1;
    uint8_t *body = malloc(len), *pt = malloc(len);
    int rc = -1;
    if (body != NULL && pt != NULL && itw_recv_all(r->fd, body, len, 5) == 0 &&
        bn_channel_open(&r->ch, pt, body, len, hdr, sizeof hdr) == 0 &&
        bn_msg_decode(m, pt, len - BN_CHANNEL_OVERHEAD) == 0)
        rc = 0;
    free(body);
    free(pt);
    return rc;
}

/* itw_raw_login_fd runs the handshake on r->fd (already connected) and
 * logs in as the account of profile who: 0, or the server's error code
 * (the test fails on anything else that goes wrong). */
ITW_UNUSED static int itw_raw_login_fd(itw_raw *r, const bnc_profile *who)
{
    bn_msg m, rep;
    int rc;
    assert_true(r->fd >= 0);
    assert_int_equal(itw_raw_handshake(r, who->server_pk), 0);
    bn_msg_init(&m, BN_MSG_LOGIN, 1);
    m.u.login.account_id = who->account_id;
    assert_int_equal(bn_login_sign(m.u.login.sig, &r->ch, who->id->sign_sk), 0);
    assert_int_equal(itw_send_msg(r, &m), 0);
    assert_int_equal(itw_recv_msg(r, &rep), 0);
    rc = rep.type == BN_MSG_ERROR ? (int)rep.u.error.code : 0;
    if (rc == 0)
        assert_int_equal(rep.type, BN_MSG_LOGGED_IN);
    bn_msg_free(&rep);
    return rc;
}

/* itw_raw_login connects to port (receive buffer rcvbuf when > 0), runs
 * the handshake and logs in as the account of profile who; a failure
 * fails the test. */
ITW_UNUSED static void itw_raw_login(itw_raw *r, uint16_t port,
                                     const bnc_profile *who, int rcvbuf)
{
    r->fd = itw_tcp_open(port, 0, rcvbuf);
    assert_int_equal(itw_raw_login_fd(r, who), 0);
}

/* ---- profiles through libbinome ----------------------------------------- */

/* itw_join makes a profile in dir and joins with invitation code as name;
 * *id (when not NULL) is the new account. */
ITW_UNUSED static int itw_join(const char *dir, const char *code,
                               const char *name, uint64_t *id)
{
    bnc_profile *p = NULL;
    bnc_account acc;
    int rc = bnc_profile_new(&p, dir);
    if (rc == 0)
        rc = bnc_join(p, code, name, PASS, strlen(PASS), &acc);
    if (rc == 0 && id != NULL)
        *id = acc.id;
    bnc_profile_free(p);
    return rc;
}

/* itw_open_client opens a client on the profile in dir: *p and *c to free
 * by the caller (itw_close_client), also on failure. */
ITW_UNUSED static int itw_open_client(const char *dir, bnc_profile **p,
                                      bnc_client **c)
{
    *c = NULL;
    int rc = bnc_profile_open(p, dir);
    if (rc == 0)
        rc = bnc_client_open(c, *p, PASS, strlen(PASS));
    return rc;
}

ITW_UNUSED static void itw_close_client(bnc_profile *p, bnc_client *c)
{
    bnc_client_close(c);
    bnc_profile_free(p);
}

/*
 * itw_admin_programme joins the daemon's first invitation as "Ada Admin"
 * in admin_dir, loads that profile into *admin (the caller frees it) and
 * creates a monthly video programme called name whose charter is
 * charter_len bytes of text (big PROGRAMME replies): 0 or an error.
 */
ITW_UNUSED static int itw_admin_programme(const bn_testd *d,
                                          const char *admin_dir,
                                          const char *name, size_t charter_len,
                                          bnc_profile **admin,
                                          uint64_t *programme)
{
    bnc_client *c = NULL;
    int rc = itw_join(admin_dir, d->invite, "Ada Admin", NULL);

    if (rc == 0)
        rc = bnc_profile_open(admin, admin_dir);
    if (rc == 0)
        rc = bnc_client_open(&c, *admin, PASS, strlen(PASS));
    if (rc == 0) {
        char *charter = malloc(charter_len + 1);
        bnc_programme_spec spec = {name, "limits", 6, 0, 0, charter, 0};
        if (charter == NULL) {
            bnc_client_close(c);
            return BN_ENOMEM;
        }
        for (size_t i = 0; i < charter_len; i++)
            charter[i] = "We meet, we listen, we keep our word. "[i % 38];
        charter[charter_len] = '\0';
        bnc_frequency_parse("monthly", &spec.frequency);
        bnc_format_parse("video", &spec.format);
        rc = bnc_programme_create(c, &spec, programme);
        free(charter);
    }
    bnc_client_close(c);
    return rc;
}

/* A programme with one accepted pair whose members both hold its key. */
typedef struct itw_pair_world {
    char admin_dir[300], mentor_dir[300], mentee_dir[300];
    uint64_t programme, mentor_id, mentee_id, pair_id;
} itw_pair_world;

/* itw_pair_open opens pair_id as the member in dir: with accept, without
 * keys and accepting it; else with keys, which draws and wraps the pair
 * key on the first open (BN_ENOKEY if there is still none). */
ITW_UNUSED static int itw_pair_open(const char *dir, uint64_t pair_id,
                                    int accept)
{
    bnc_profile *p = NULL;
    bnc_client *c = NULL;
    bnc_pair *pair = NULL;
    int rc = itw_open_client(dir, &p, &c);
    if (rc == 0)
        rc = bnc_pair_open(c, pair_id, accept ? BNC_PAIR_NOKEYS : 0, &pair);
    if (rc == 0 && accept)
        rc = bnc_pair_accept(c, pair);
    else if (rc == 0 && pair->nkeys == 0)
        rc = BN_ENOKEY;
    bnc_pair_free(pair);
    itw_close_client(p, c);
    return rc;
}

/*
 * itw_pair_world_accepted sets up w below d->dir: the administrator
 * (admin/, from the daemon's first invitation), a monthly mixed programme
 * called name on theme, a mentor (mentor/) and a mentee (mentee/) invited
 * to it, and their pair, accepted by both; nobody has drawn its key yet:
 * 0 or an error.
 */
ITW_UNUSED static int itw_pair_world_accepted(const bn_testd *d,
                                              const char *name,
                                              const char *theme,
                                              itw_pair_world *w)
{
    bnc_profile *ap = NULL;
    bnc_client *ac = NULL;
    char code[BN_INVITE_CODE_MAX + 1];

    snprintf(w->admin_dir, sizeof w->admin_dir, "%s/admin", d->dir);
    snprintf(w->mentor_dir, sizeof w->mentor_dir, "%s/mentor", d->dir);
    snprintf(w->mentee_dir, sizeof w->mentee_dir, "%s/mentee", d->dir);
    int rc = itw_join(w->admin_dir, d->invite, "Ada Admin", NULL);
    if (rc == 0)
        rc = itw_open_client(w->admin_dir, &ap, &ac);
    if (rc == 0) {
        bnc_programme_spec spec = {name, theme, 6, 0, 0, NULL, 0};
        bnc_frequency_parse("monthly", &spec.frequency);
        bnc_format_parse("mixed", &spec.format);
        rc = bnc_programme_create(ac, &spec, &w->programme);
    }
    if (rc == 0)
        rc = bnc_invite_create(ac, w->programme, BN_ROLE_MENTOR, 0, code, NULL);
    if (rc == 0)
        rc = itw_join(w->mentor_dir, code, "Maud Mentor", &w->mentor_id);
    if (rc == 0)
        rc = bnc_invite_create(ac, w->programme, BN_ROLE_MENTEE, 0, code, NULL);
    if (rc == 0)
        rc = itw_join(w->mentee_dir, code, "Theo Mentee", &w->mentee_id);
    if (rc == 0)
        rc = bnc_pair_create(ac, w->programme, w->mentor_id, w->mentee_id,
                             &w->pair_id);
    itw_close_client(ap, ac);
    if (rc == 0)
        rc = itw_pair_open(w->mentor_dir, w->pair_id, 1);
    if (rc == 0)
        rc = itw_pair_open(w->mentee_dir, w->pair_id, 1);
    return rc;
}

/* itw_pair_world_make is itw_pair_world_accepted, then the pair opened by
 * both with its key (the mentor draws it). */
ITW_UNUSED static int itw_pair_world_make(const bn_testd *d, const char *name,
                                          const char *theme, itw_pair_world *w)
{
    int rc = itw_pair_world_accepted(d, name, theme, w);
    if (rc == 0)
        rc = itw_pair_open(w->mentor_dir, w->pair_id, 0);
    if (rc == 0)
        rc = itw_pair_open(w->mentee_dir, w->pair_id, 0);
    return rc;
}

#endif
