/*
 * bnc_agent.c: the agent (issue 15). `binome agent` unlocks the identity
 * once and keeps it in locked memory in a background process, which hands
 * it over a unix socket in the profile directory to the commands of the
 * same user; bnc_profile_use_agent is their side. The request and answer
 * are described in bnc_agent.h. The server never learns of the agent.
 */
#include "bnc_agent.h"
#include "binome.h"
#include "bnc_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define IO_TIMEOUT_S 3    /* a client or an agent that stalls is dropped */
#define WAIT_MAX_MS 60000 /* wake at least this often (after a suspend) */

/* ---- the request and the answer ------------------------------------- */

size_t bnc__agent_answer_bytes(uint8_t req)
{
    switch (req) {
    case BNC__AGENT_GET:
        return sizeof(bn_identity);
    case BNC__AGENT_LOCK:
        return 0;
    case BNC__AGENT_STATUS:
        return BNC__AGENT_STATUS_BYTES;
    default:
        return SIZE_MAX;
    }
}

void bnc__agent_head(uint8_t head[BNC__AGENT_HEAD], uint8_t req, uint32_t len)
{
    head[0] = BNC__AGENT_VERSION;
    head[1] = req;
    head[2] = (uint8_t)(len >> 24);
    head[3] = (uint8_t)(len >> 16);
    head[4] = (uint8_t)(len >> 8);
    head[5] = (uint8_t)len;
}

int bnc__agent_check(const uint8_t head[BNC__AGENT_HEAD], uint8_t req)
{
    uint32_t len = (uint32_t)head[2] << 24 | (uint32_t)head[3] << 16 |
                   (uint32_t)head[4] << 8 | head[5];
    size_t want = bnc__agent_answer_bytes(req);

    if (head[0] != BNC__AGENT_VERSION)
        return BN_EVERSION;
    if (head[1] != req || want == SIZE_MAX)
        return BN_EPROTO;
    if (len != want)
        return req == BNC__AGENT_GET ? BN_EVERSION : BN_EPROTO;
    return 0;
}

void bnc__agent_status_put(uint8_t out[BNC__AGENT_STATUS_BYTES],
                           int64_t forget_at, uint32_t pid)
{
    uint64_t t = (uint64_t)forget_at;

    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(t >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        out[8 + i] = (uint8_t)(pid >> (24 - 8 * i));
}

void bnc__agent_status_get(const uint8_t in[BNC__AGENT_STATUS_BYTES],
                           int64_t *forget_at, uint32_t *pid)
{
    uint64_t t = 0;
    uint32_t p = 0;

    for (int i = 0; i < 8; i++)
        t = t << 8 | in[i];
    for (int i = 0; i < 4; i++)
        p = p << 8 | in[8 + i];
    *forget_at = (int64_t)t;
    *pid = p;
}

int bnc__agent_peer_ok(int fd, uid_t uid)
{
    struct ucred cred;
    socklen_t len = sizeof cred;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
        len != sizeof cred)
        return 0;
    return cred.uid == uid;
}

/* send_all writes n bytes to the socket fd (no SIGPIPE): 0, BN_ECLOSED
 * when the peer closed, BN_ETIMEDOUT or -errno. */
static int send_all(int fd, const uint8_t *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
            return BN_ECLOSED;
        if (w < 0)
            return errno == EAGAIN ? BN_ETIMEDOUT : -errno;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* recv_all reads exactly n bytes: 0, BN_ECLOSED when the peer closed
 * before the first byte, BN_EPROTO when it closed within them,
 * BN_ETIMEDOUT, or -errno. */
static int recv_all(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = recv(fd, buf + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == ECONNRESET)
            return got == 0 ? BN_ECLOSED : BN_EPROTO;
        if (r < 0)
            return errno == EAGAIN ? BN_ETIMEDOUT : -errno;
        if (r == 0)
            return got == 0 ? BN_ECLOSED : BN_EPROTO;
        got += (size_t)r;
    }
    return 0;
}

int bnc__agent_reply(int fd, uint8_t req, const bn_identity *id,
                     int64_t forget_at)
{
    size_t len = bnc__agent_answer_bytes(req);
    uint8_t *buf;
    int rc;

    if (len == SIZE_MAX || (req == BNC__AGENT_GET && id == NULL))
        return BN_EINVAL;
    buf = sodium_malloc(BNC__AGENT_HEAD + len);
    if (buf == NULL)
        return BN_ENOMEM;
    bnc__agent_head(buf, req, (uint32_t)len);
    if (req == BNC__AGENT_GET)
        memcpy(buf + BNC__AGENT_HEAD, id, len);
    else if (req == BNC__AGENT_STATUS)
        bnc__agent_status_put(buf + BNC__AGENT_HEAD, forget_at,
                              (uint32_t)getpid());
    rc = send_all(fd, buf, BNC__AGENT_HEAD + len);
    sodium_memzero(buf, BNC__AGENT_HEAD + len);
    sodium_free(buf);
    return rc;
}

int bnc__agent_request(int fd, uint8_t req, uint8_t *out, size_t size)
{
    uint8_t head[BNC__AGENT_HEAD];
    int rc;

    if (bnc__agent_answer_bytes(req) != size)
        return BN_EINVAL;
    rc = send_all(fd, &req, 1);
    if (rc == BN_ECLOSED)
        rc = 0; /* what it wrote before closing is read all the same */
    if (rc == 0)
        rc = recv_all(fd, head, sizeof head);
    if (rc == 0)
        rc = bnc__agent_check(head, req);
    if (rc == 0 && size > 0) {
        rc = recv_all(fd, out, size);
        if (rc == BN_ECLOSED)
            rc = BN_EPROTO;
    }
    if (rc != 0 && size > 0)
        sodium_memzero(out, size);
    return rc;
}

/* ---- the socket's path ------------------------------------------------ */

/* sock_addr fills addr with dir/agent.sock: BN_ETOOLONG when it does not
 * fit a unix socket's path (about 100 bytes). */
static int sock_addr(const char *dir, struct sockaddr_un *addr)
{
    int n;

    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    n = snprintf(addr->sun_path, sizeof addr->sun_path, "%s/%s", dir,
                 BNC__AGENT_SOCK);
    if (n < 0 || (size_t)n >= sizeof addr->sun_path)
        return BN_ETOOLONG;
    return 0;
}

/* set_timeouts bounds every read and write on fd. */
static void set_timeouts(int fd)
{
    struct timeval tv = {.tv_sec = IO_TIMEOUT_S, .tv_usec = 0};

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* agent_connect connects to the agent of dir: 0 and *fd, BN_ENOTFOUND
 * when none listens there, BN_EDENIED when the socket is served by
 * another user, or -errno. */
static int agent_connect(const char *dir, int *fd)
{
    struct sockaddr_un addr;
    int s, rc;

    *fd = -1;
    if (sock_addr(dir, &addr) != 0)
        return BN_ENOTFOUND; /* no agent can listen there */
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -errno;
    if (connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) {
        rc = errno == ENOENT || errno == ECONNREFUSED || errno == ENOTDIR
                 ? BN_ENOTFOUND
                 : -errno;
        close(s);
        return rc;
    }
    if (!bnc__agent_peer_ok(s, geteuid())) {
        close(s);
        return BN_EDENIED;
    }
    set_timeouts(s);
    *fd = s;
    return 0;
}

/* ---- the commands' side ---------------------------------------------- */

/* identity_ok says whether the public keys follow from the secret ones:
 * what the agent gave is this identity, whole. */
static int identity_ok(const bn_identity *id)
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t bpk[crypto_scalarmult_BYTES];
    int ok = crypto_sign_ed25519_sk_to_pk(pk, id->sign_sk) == 0 &&
             sodium_memcmp(pk, id->sign_pk, sizeof pk) == 0 &&
             crypto_scalarmult_base(bpk, id->box_sk) == 0 &&
             sodium_memcmp(bpk, id->box_pk, sizeof bpk) == 0;

    sodium_memzero(bpk, sizeof bpk);
    return ok;
}

int bnc_profile_use_agent(bnc_profile *p)
{
    bn_identity *id = NULL;
    int fd, rc;

    if (p->id != NULL)
        return 0;
    rc = agent_connect(p->dir, &fd);
    if (rc != 0)
        return rc;
    id = bn_identity_new();
    if (id == NULL) {
        close(fd);
        return BN_ENOMEM;
    }
    rc = bnc__agent_request(fd, BNC__AGENT_GET, (uint8_t *)id, sizeof *id);
    close(fd);
    if (rc == 0 && !identity_ok(id))
        rc = BN_ECORRUPT;
    if (rc != 0) {
        bn_identity_free(id);
        return rc;
    }
    p->id = id;
    return 0;
}

int bnc_agent_status(const bnc_profile *p, int64_t *forget_at, uint32_t *pid)
{
    uint8_t buf[BNC__AGENT_STATUS_BYTES];
    int fd, rc;

    rc = agent_connect(p->dir, &fd);
    if (rc != 0)
        return rc;
    rc = bnc__agent_request(fd, BNC__AGENT_STATUS, buf, sizeof buf);
    close(fd);
    if (rc == 0)
        bnc__agent_status_get(buf, forget_at, pid);
    return rc;
}

int bnc_agent_lock(const bnc_profile *p)
{
    int fd, rc;

    rc = agent_connect(p->dir, &fd);
    if (rc != 0)
        return rc;
    rc = bnc__agent_request(fd, BNC__AGENT_LOCK, NULL, 0);
    close(fd);
    return rc;
}

/* ---- the agent's side ------------------------------------------------ */

struct bnc_agent {
    int fd;    /* listening */
    int dirfd; /* the profile directory, locked (flock) while we run */
    dev_t dev; /* the socket file we made, to remove only that one */
    ino_t ino;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/* agent_unlink removes the socket file if it is still the one we made. */
static void agent_unlink(bnc_agent *a)
{
    struct stat st;

    if (a->ino != 0 && lstat(a->path, &st) == 0 && st.st_dev == a->dev &&
        st.st_ino == a->ino)
        unlink(a->path);
    a->ino = 0;
}

void bnc_agent_free(bnc_agent *a, int remove)
{
    if (a == NULL)
        return;
    if (remove)
        agent_unlink(a);
    if (a->fd >= 0)
        close(a->fd);
    if (a->dirfd >= 0)
        close(a->dirfd);
    free(a);
}

/* listen_on makes the socket of a (a->path) and listens: the directory is
 * a's, locked; a socket file left there by an agent that died is
 * replaced, a live one means another agent runs (BN_EEXIST). */
static int listen_on(bnc_agent *a, const struct sockaddr_un *addr)
{
    struct stat st;
    mode_t old;
    int probe, rc;

    if (lstat(a->path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return BN_EINVAL;
        probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (probe < 0)
            return -errno;
        rc = connect(probe, (const struct sockaddr *)addr, sizeof *addr);
        close(probe);
        if (rc == 0)
            return BN_EEXIST;
        if (unlink(a->path) != 0 && errno != ENOENT)
            return -errno;
    }
    a->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (a->fd < 0)
        return -errno;
    old = umask(077);
    rc = bind(a->fd, (const struct sockaddr *)addr, sizeof *addr);
    umask(old);
    if (rc != 0)
        return errno == EADDRINUSE ? BN_EEXIST : -errno;
    if (chmod(a->path, 0600) != 0 || lstat(a->path, &st) != 0)
        return -errno;
    a->dev = st.st_dev;
    a->ino = st.st_ino;
    if (listen(a->fd, 16) != 0)
        return -errno;
    return 0;
}

int bnc_agent_open(bnc_agent **out, const bnc_profile *p)
{
    struct sockaddr_un addr;
    struct stat st;
    char dir[PATH_MAX];
    bnc_agent *a;
    int rc;

    *out = NULL;
    if (realpath(p->dir, dir) == NULL)
        return -errno;
    rc = sock_addr(dir, &addr);
    if (rc != 0)
        return rc;
    a = calloc(1, sizeof *a);
    if (a == NULL)
        return BN_ENOMEM;
    a->fd = -1;
    memcpy(a->path, addr.sun_path, sizeof a->path);
    a->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (a->dirfd < 0 || fstat(a->dirfd, &st) != 0) {
        rc = -errno;
        goto cleanup;
    }
    /* Only the owner may reach the socket: the directory says so first,
     * the peer's credentials then at every connection. */
    if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        rc = BN_EDENIED;
        goto cleanup;
    }
    if (flock(a->dirfd, LOCK_EX | LOCK_NB) != 0) {
        rc = errno == EWOULDBLOCK ? BN_EEXIST : -errno;
        goto cleanup;
    }
    rc = listen_on(a, &addr);
cleanup:
    if (rc != 0) {
        bnc_agent_free(a, rc != BN_EEXIST);
        return rc;
    }
    *out = a;
    return 0;
}

/* now_ms: milliseconds of a clock that also runs while the machine
 * sleeps, so that a laptop's suspend counts as idle time. */
static int64_t now_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
        clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* serve_one answers one connection c; says whether to stop (LOCK). The
 * identity is forgotten before LOCK is answered. */
static int serve_one(bnc_agent *a, bnc_profile *p, int c, int64_t *deadline,
                     int64_t idle_ms)
{
    uint8_t req;
    int64_t left;

    if (!bnc__agent_peer_ok(c, geteuid()))
        return 0; /* another user: closed, nothing sent */
    set_timeouts(c);
    if (recv_all(c, &req, 1) != 0)
        return 0;
    left = *deadline - now_ms();
    if (left <= 0)
        return 1; /* the keys are due to be forgotten: give nothing */
    switch (req) {
    case BNC__AGENT_GET:
        if (bnc__agent_reply(c, req, p->id, 0) == 0)
            *deadline = now_ms() + idle_ms;
        return 0;
    case BNC__AGENT_STATUS:
        bnc__agent_reply(c, req, NULL, (int64_t)time(NULL) + left / 1000);
        return 0;
    case BNC__AGENT_LOCK:
        bn_identity_free(p->id);
        p->id = NULL;
        agent_unlink(a);
        bnc__agent_reply(c, req, NULL, 0);
        return 1;
    default:
        return 0; /* unknown: closed unanswered */
    }
}

int bnc_agent_serve(bnc_agent *a, bnc_profile *p, unsigned idle_seconds,
                    int stop_fd)
{
    int64_t idle_ms = (int64_t)idle_seconds * 1000, deadline;
    struct pollfd pfd[2] = {{.fd = a->fd, .events = POLLIN},
                            {.fd = stop_fd, .events = POLLIN}};
    int rc = 0;

    if (p->id == NULL || idle_seconds == 0)
        return BN_EINVAL;
    /* Locks are not inherited across fork: lock the keys again here. */
    sodium_mlock(p->id, sizeof *p->id);
    deadline = now_ms() + idle_ms;
    for (;;) {
        int64_t wait = deadline - now_ms();
        int r, c;

        if (wait <= 0)
            break;
        if (wait > WAIT_MAX_MS)
            wait = WAIT_MAX_MS;
        r = poll(pfd, stop_fd >= 0 ? 2 : 1, (int)wait);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = -errno;
            break;
        }
        if (stop_fd >= 0 && pfd[1].revents != 0)
            break; /* told to stop (a signal), or the other end closed */
        if (r == 0 || !(pfd[0].revents & POLLIN))
            continue;
        c = accept4(a->fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
            continue;
        r = serve_one(a, p, c, &deadline, idle_ms);
        close(c);
        if (r)
            break;
    }
    bn_identity_free(p->id);
    p->id = NULL;
    agent_unlink(a);
    return rc;
}
