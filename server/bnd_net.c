/*
 * bnd_net.c: the daemon's TCP side on the libuv loop: accept, the
 * handshake, sealed frames in and out, the limits on connections and
 * slow readers (bnd_net.h states them).
 */
#include "bnd_net.h"

#include <stdlib.h>
#include <string.h>

#include "bnd_dispatch.h"
#include "bnd_limits.h"
#include "bnd_log.h"

#define READ_BUF 65536

typedef struct bnd_conn bnd_conn;

struct bnd_conn {
    bnd_session s; /* first: a session pointer is a connection pointer */
    bnd_net *net;
    uv_tcp_t tcp;
    uv_timer_t timer;
    bn_frame_reader rd;
    bn_channel ch;
    int hs_done;
    int reading;
    int closing;     /* uv_close called */
    int close_after; /* close once queued replies are written */
    int draining;    /* server stopping: take no more frames */
    int in_process;
    int handles;
    size_t wq;           /* bytes queued in uv_write */
    int over_soft;       /* wq above cfg.wq_soft ... */
    uint64_t over_since; /* ... since then (uv_now, ms) */
    uint64_t deadline;   /* handshake or idle timeout (uv_now, ms) */
    uint64_t bytes_in, bytes_out;
    uint64_t t_open;
    char peer[64];
    uint8_t addr[BND_COUNTS_KEY]; /* the peer (bnd_counts_key_addr) */
    int prelogin;                 /* in net's pre-login list */
    int addr_counted;             /* ... and counted under addr */
    int account_counted;          /* logged in, counted under its account */
    bnd_conn *prev, *next;
    bnd_conn *pl_prev, *pl_next; /* the pre-login list, newest first */
};

struct bnd_net {
    bnd_server *srv;
    uv_tcp_t listener;
    int listening;
    bnd_conn *conns;
    unsigned nconns;  /* until their handles are closed */
    unsigned nactive; /* not closing */
    /* Connections not logged in yet, newest first (the oldest is closed
     * for a newcomer when they are too many), and their count by
     * address; logged-in connections by account. */
    bnd_conn *pl_new, *pl_old;
    unsigned nprelogin;
    bnd_counts *by_addr;
    bnd_counts *by_account;
    uint8_t *plain; /* BN_FRAME_MAX: one opened frame at a time */
    uint8_t *sbuf;  /* BN_FRAME_HDR + BN_FRAME_MAX: one frame being sent */
    uint8_t rbuf[READ_BUF];
    int rbuf_busy;
    uv_prepare_t flush; /* the log's lines, once per loop iteration */
    int flushing;
};

typedef struct wreq {
    uv_write_t req;
    bnd_conn *c;
    size_t len;
    uint8_t data[];
} wreq;

static void process_frames(bnd_conn *c);

static void conn_release(bnd_session *s)
{
    bnd_conn *c = (bnd_conn *)s;
    bn_frame_reader_free(&c->rd);
    bn_channel_wipe(&c->ch);
    free(c);
}

static void on_handle_closed(uv_handle_t *h)
{
    bnd_conn *c = h->data;
    if (--c->handles > 0)
        return;
    bnd_net *net = c->net;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        net->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    net->nconns--;
    bnd_session_unref(&c->s);
}

/* Takes c into the pre-login list and counts it under its address. */
static void prelogin_enter(bnd_conn *c)
{
    bnd_net *net = c->net;
    c->prelogin = 1;
    c->addr_counted = bnd_counts_add(net->by_addr, c->addr) == 0;
    c->pl_prev = NULL;
    c->pl_next = net->pl_new;
    if (net->pl_new != NULL)
        net->pl_new->pl_prev = c;
    else
        net->pl_old = c;
    net->pl_new = c;
    net->nprelogin++;
}

/* Takes c out of the pre-login list (logged in, or closing). */
static void prelogin_leave(bnd_conn *c)
{
    bnd_net *net = c->net;
    if (!c->prelogin)
        return;
    if (c->pl_prev != NULL)
        c->pl_prev->pl_next = c->pl_next;
    else
        net->pl_new = c->pl_next;
    if (c->pl_next != NULL)
        c->pl_next->pl_prev = c->pl_prev;
    else
        net->pl_old = c->pl_prev;
    c->pl_prev = c->pl_next = NULL;
    if (c->addr_counted)
        bnd_counts_sub(net->by_addr, c->addr);
    c->prelogin = c->addr_counted = 0;
    net->nprelogin--;
}

/* Counts (up, 1) or uncounts (0) c under its account. */
static void account_count(bnd_conn *c, int up)
{
    uint8_t key[BND_COUNTS_KEY];
    if (c->account_counted == up)
        return;
    bnd_counts_key_u64(key, c->s.actor.account_id);
    if (!up)
        bnd_counts_sub(c->net->by_account, key);
    else if (bnd_counts_add(c->net->by_account, key) != 0)
        return;
    c->account_counted = up;
}

/* Closes the connection now (pending writes are cancelled). */
static void conn_close(bnd_conn *c, const char *reason)
{
    if (c->closing)
        return;
    c->closing = 1;
    c->s.closed = 1;
    prelogin_leave(c);
    account_count(c, 0);
    c->net->nactive--;
    bnd_log(BND_LOG_INFO, "conn.close",
            "conn=%llu account=%llu reason=%s bytes_in=%llu bytes_out=%llu "
            "ms=%llu",
            (unsigned long long)c->s.conn_id,
            (unsigned long long)c->s.actor.account_id, reason,
            (unsigned long long)c->bytes_in, (unsigned long long)c->bytes_out,
            (unsigned long long)(uv_now(c->net->srv->loop) - c->t_open));
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

static void on_timeout(uv_timer_t *t);

/* Arms the connection's one timer for the nearer of its deadlines: the
 * handshake or idle timeout, and the slow-reader limit while replies are
 * queued above the soft cap. */
static void conn_arm(bnd_conn *c)
{
    const bnd_config *cfg = &c->net->srv->cfg;
    uint64_t now = uv_now(c->net->srv->loop), due = c->deadline;

    if (c->over_soft && cfg->slow_reader_ms != 0 &&
        c->over_since + cfg->slow_reader_ms < due)
        due = c->over_since + cfg->slow_reader_ms;
    uv_timer_start(&c->timer, on_timeout, due > now ? due - now : 0, 0);
}

/* Restarts the handshake or idle timeout: ms from now. */
static void conn_timeout(bnd_conn *c, uint64_t ms)
{
    c->deadline = uv_now(c->net->srv->loop) + ms;
    conn_arm(c);
}

/*
 * Closes a connection past one of its deadlines. A client that does not
 * read its replies is not read either (paused) and so sends no frame; the
 * idle timeout would hold its queued replies for long: the slow-reader
 * limit closes it once they have stayed above the soft cap for
 * cfg.slow_reader_ms (like Redis's soft output-buffer limit).
 */
static void on_timeout(uv_timer_t *t)
{
    bnd_conn *c = t->data;
    const bnd_config *cfg = &c->net->srv->cfg;
    uint64_t now = uv_now(c->net->srv->loop);

    if (c->over_soft && cfg->slow_reader_ms != 0 &&
        now >= c->over_since + cfg->slow_reader_ms) {
        bnd_log(BND_LOG_WARN, "conn.slow_reader",
                "conn=%llu queued=%zu ms=%llu",
                (unsigned long long)c->s.conn_id, c->wq,
                (unsigned long long)(now - c->over_since));
        conn_close(c, "slow_reader");
    } else if (now >= c->deadline) {
        conn_close(c, c->s.logged_in ? "idle_timeout" : "login_timeout");
    } else {
        conn_arm(c);
    }
}

/* Notes whether the reply queue is above the soft cap, and since when. */
static void wq_changed(bnd_conn *c)
{
    const bnd_config *cfg = &c->net->srv->cfg;
    if (c->wq > cfg->wq_soft && !c->over_soft) {
        c->over_soft = 1;
        c->over_since = uv_now(c->net->srv->loop);
        conn_arm(c);
    } else if (c->wq <= cfg->wq_soft) {
        c->over_soft = 0; /* the timer, when it fires, re-arms */
    }
}

static void on_write(uv_write_t *req, int status)
{
    wreq *w = (wreq *)req;
    bnd_conn *c = w->c;

    c->wq -= w->len;
    free(w);
    if (c->closing)
        return;
    wq_changed(c);
    if (status < 0) {
        conn_close(c, "write_error");
        return;
    }
    if (c->close_after && c->wq == 0) {
        conn_close(c, c->draining ? "shutdown" : "protocol");
        return;
    }
    process_frames(c); /* replies drained: maybe read again */
}

/*
 * Sends one frame: header(4) || body, where body is data (raw) or the
 * sealed plaintext msg (sealed). The frame is made in the net's scratch
 * buffer and tried on the socket at once (uv_try_write): a reply nearly
 * always fits, which saves a write request, its allocation and libuv's
 * re-arming of the watcher. What the socket does not take is queued with
 * uv_write (so are frames behind queued ones: order is kept).
 */
static int conn_send(bnd_conn *c, const uint8_t *msg, size_t len, int sealed)
{
    size_t body = sealed ? len + BN_CHANNEL_OVERHEAD : len;
    bnd_config *cfg = &c->net->srv->cfg;
    uint8_t *f = c->net->sbuf;
    size_t flen = BN_FRAME_HDR + body, off = 0;
    wreq *w;

    if (body > BN_FRAME_MAX)
        return BN_ETOOBIG;
    bn_frame_header(f, (uint32_t)body);
    if (sealed) {
        int rc = bn_channel_seal(&c->ch, f + BN_FRAME_HDR, msg, len, f,
                                 BN_FRAME_HDR);
        if (rc != 0)
            return rc;
    } else {
        memcpy(f + BN_FRAME_HDR, msg, len);
    }
    c->bytes_out += flen;
    if (c->wq == 0) {
        uv_buf_t b = uv_buf_init((char *)f, (unsigned)flen);
        int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
        if (n >= 0)
            off = (size_t)n;
        else if (n != UV_EAGAIN && n != UV_ENOSYS)
            return n;
        if (off == flen)
            return 0;
    }
    w = malloc(sizeof *w + flen - off);
    if (w == NULL)
        return BN_ENOMEM;
    w->c = c;
    w->len = flen - off;
    memcpy(w->data, f + off, w->len);
    uv_buf_t buf = uv_buf_init((char *)w->data, (unsigned)w->len);
    int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_write);
    if (rc != 0) {
        free(w);
        return rc;
    }
    c->wq += w->len;
    /* Reading stops at the soft cap (paused), but the replies of requests
     * already taken (up to max_inflight writes, and one read of up to a
     * frame) still come: the hard cap bounds that overshoot at once. */
    if (c->wq > cfg->wq_hard) {
        bnd_log(BND_LOG_WARN, "conn.slow_reader", "conn=%llu queued=%zu",
                (unsigned long long)c->s.conn_id, c->wq);
        conn_close(c, "slow_reader");
        return 0;
    }
    wq_changed(c);
    return 0;
}

/*
 * The session's login callback (bnd_session.h), called by the dispatcher
 * as the request that logs in is answered: the connection leaves the
 * pre-login count for its account's (LOGIN checked that count,
 * net_login_check, in this same turn), and takes the logged-in frame
 * limit and idle timeout.
 */
static void conn_logged_in(bnd_session *s)
{
    bnd_conn *c = (bnd_conn *)s;
    const bnd_config *cfg = &c->net->srv->cfg;

    if (c->closing)
        return;
    if (c->prelogin) {
        prelogin_leave(c);
        account_count(c, 1);
    }
    if (c->rd.limit < cfg->frame_max) {
        bn_frame_reader_set_limit(&c->rd, cfg->frame_max);
        conn_timeout(c, cfg->idle_timeout_ms);
    }
}

/* The session's reply callback: seal, queue, and maybe read on. */
static void conn_reply(bnd_session *s, const uint8_t *msg, size_t len,
                       unsigned flags)
{
    bnd_conn *c = (bnd_conn *)s;

    if (c->closing)
        return;
    int rc = conn_send(c, msg, len, 1);
    if (c->closing)
        return;
    if (rc != 0) {
        conn_close(c, "send_error");
        return;
    }
    if (flags & BND_REPLY_CLOSE) {
        c->close_after = 1;
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = 0;
        if (c->wq == 0) /* written already: no on_write will close it */
            conn_close(c, c->draining ? "shutdown" : "protocol");
        return;
    }
    if (!c->in_process)
        process_frames(c);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    bnd_conn *c = h->data;
    (void)hint;
    /* One buffer serves every connection: a read is consumed (copied by
     * the frame reader) before the next allocation. */
    if (c->net->rbuf_busy) {
        buf->base = NULL;
        buf->len = 0;
        return;
    }
    c->net->rbuf_busy = 1;
    buf->base = (char *)c->net->rbuf;
    buf->len = sizeof c->net->rbuf;
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    bnd_conn *c = st->data;

    if (buf->base == (char *)c->net->rbuf)
        c->net->rbuf_busy = 0;
    if (nread == 0)
        return;
    if (nread < 0) {
        conn_close(c, nread == UV_EOF ? "eof" : "read_error");
        return;
    }
    c->bytes_in += (uint64_t)nread;
    int rc =
        bn_frame_reader_feed(&c->rd, (const uint8_t *)buf->base, (size_t)nread);
    if (rc != 0) {
        bnd_log(BND_LOG_INFO, "conn.bad_frame", "conn=%llu code=%s",
                (unsigned long long)c->s.conn_id, bn_err_name(rc));
        conn_close(c, "bad_frame");
        return;
    }
    process_frames(c);
}

static int paused(const bnd_conn *c)
{
    const bnd_config *cfg = &c->net->srv->cfg;
    return c->s.inflight >= cfg->max_inflight || c->s.auth_pending ||
           c->wq >= cfg->wq_soft;
}

/* Answers the handshake's msg1 with msg2 and keys the channel. */
static int handshake(bnd_conn *c, const uint8_t *body, size_t len)
{
    uint8_t msg2[BN_HS_MSG2_BYTES];
    const bnd_keys *k = c->net->srv->keys;

    if (len != BN_HS_MSG1_BYTES)
        return BN_EHANDSHAKE;
    int rc = bn_hs_server_respond(k->box_sk, k->box_pk, body, msg2, &c->ch);
    if (rc != 0)
        return rc;
    c->hs_done = 1;
    return conn_send(c, msg2, sizeof msg2, 0);
}

/* Takes whole frames from the reader while the connection may go on. */
static void process_frames(bnd_conn *c)
{
    bnd_net *net = c->net;
    const uint8_t *body;
    size_t len;
    int rc;

    if (c->in_process)
        return;
    c->in_process = 1;
    while (!c->closing && !c->close_after && !c->draining && !paused(c)) {
        rc = bn_frame_reader_next(&c->rd, &body, &len);
        if (rc == BN_EAGAIN)
            break;
        if (rc != 0) {
            conn_close(c, "bad_frame");
            break;
        }
        if (!c->hs_done) {
            rc = handshake(c, body, len);
            if (rc != 0) {
                bnd_log(BND_LOG_INFO, "conn.handshake", "conn=%llu code=%s",
                        (unsigned long long)c->s.conn_id, bn_err_name(rc));
                conn_close(c, "handshake");
            }
            continue;
        }
        uint8_t hdr[BN_FRAME_HDR];
        bn_frame_header(hdr, (uint32_t)len);
        if (len < BN_CHANNEL_OVERHEAD ||
            bn_channel_open(&c->ch, net->plain, body, len, hdr, sizeof hdr) !=
                0) {
            conn_close(c, "bad_frame_auth");
            break;
        }
        if (c->s.logged_in)
            conn_timeout(c, net->srv->cfg.idle_timeout_ms);
        bnd_dispatch_frame(net->srv, &c->s, net->plain,
                           len - BN_CHANNEL_OVERHEAD);
    }
    if (!c->closing && !c->close_after && !c->draining) {
        if (paused(c) && c->reading) {
            uv_read_stop((uv_stream_t *)&c->tcp);
            c->reading = 0;
        } else if (!paused(c) && !c->reading) {
            if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
                c->reading = 1;
        }
    }
    /* Every frame taken went through net->plain: an idle connection need
     * not keep a buffer the size of the largest frame it received. */
    bn_frame_reader_trim(&c->rd);
    c->in_process = 0;
}

static void on_refused_closed(uv_handle_t *h)
{
    free(h);
}

static void on_unaccepted_closed(uv_handle_t *h)
{
    free(h->data);
}

/*
 * Decides whether a newcomer from addr may stay: NULL (yes), or the reason
 * it is closed at once. Connections not logged in are bounded per address
 * (cfg.prelogin_per_addr) and all together (bnd_config_prelogin_max);
 * when they are too many, or when every connection slot is taken, the
 * oldest of them is closed for the newcomer, so that strangers cannot
 * hold the daemon by opening connections and waiting: each has its
 * handshake timeout at most, and a newcomer's arrival shortens it. A
 * logged-in connection is never closed for a newcomer: when logged-in
 * ones take every slot, the newcomer is refused.
 */
static const char *admit(bnd_net *net, const uint8_t *addr)
{
    const bnd_config *cfg = &net->srv->cfg;

    if (bnd_counts_get(net->by_addr, addr) >= cfg->prelogin_per_addr)
        return "prelogin_per_address";
    if (net->nprelogin >= bnd_config_prelogin_max(cfg) ||
        net->nactive >= cfg->max_conns) {
        bnd_conn *old = net->pl_old;
        if (old == NULL)
            return "max_connections";
        bnd_log(BND_LOG_INFO, "conn.evicted",
                "conn=%llu peer=%s prelogin=%u open=%u",
                (unsigned long long)old->s.conn_id, old->peer, net->nprelogin,
                net->nactive);
        conn_close(old, "prelogin_evicted");
    }
    return NULL;
}

/* Reads the peer's address into c: its key and its text for the log. */
static void conn_peer(bnd_conn *c)
{
    struct sockaddr_storage ss;
    int sl = sizeof ss;

    strcpy(c->peer, "?");
    memset(c->addr, 0, sizeof c->addr);
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sl) != 0)
        return;
    bnd_counts_key_addr(c->addr, (struct sockaddr *)&ss);
    char ip[48] = "?";
    int port = 0;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        uv_ip4_name(a, ip, sizeof ip);
        port = ntohs(a->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        uv_ip6_name(a, ip, sizeof ip);
        port = ntohs(a->sin6_port);
    }
    snprintf(c->peer, sizeof c->peer, "%s:%d", ip, port);
}

static void on_connection(uv_stream_t *server, int status)
{
    bnd_net *net = server->data;
    bnd_server *srv = net->srv;
    bnd_conn *c;

    if (status < 0) {
        bnd_log(BND_LOG_WARN, "accept.error", "code=%s", uv_err_name(status));
        return;
    }
    if (srv->stopping) {
        uv_tcp_t *t = malloc(sizeof *t);
        if (t == NULL)
            return;
        uv_tcp_init(srv->loop, t);
        if (uv_accept(server, (uv_stream_t *)t) == 0)
            bnd_log(BND_LOG_WARN, "conn.refused", "reason=stopping open=%u",
                    net->nconns);
        uv_close((uv_handle_t *)t, on_refused_closed);
        return;
    }
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return;
    c->net = net;
    uv_tcp_init(srv->loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, on_unaccepted_closed);
        return;
    }
    conn_peer(c);
    const char *refused = admit(net, c->addr);
    if (refused != NULL) {
        bnd_log(BND_LOG_WARN, "conn.refused", "reason=%s peer=%s open=%u",
                refused, c->peer, net->nactive);
        uv_close((uv_handle_t *)&c->tcp, on_unaccepted_closed);
        return;
    }
    uv_timer_init(srv->loop, &c->timer);
    c->timer.data = c;
    c->handles = 2;
    bnd_session_init(&c->s, ++srv->next_conn_id, &c->ch, conn_reply,
                     conn_release, c);
    c->s.on_login = conn_logged_in;
    bn_frame_reader_init(&c->rd, srv->cfg.frame_max_prelogin);
    c->t_open = uv_now(srv->loop);
    c->next = net->conns;
    if (net->conns)
        net->conns->prev = c;
    net->conns = c;
    net->nconns++;
    net->nactive++;
    prelogin_enter(c);
    uv_tcp_nodelay(&c->tcp, 1);
    bnd_log(BND_LOG_INFO, "conn.open", "conn=%llu peer=%s open=%u",
            (unsigned long long)c->s.conn_id, c->peer, net->nconns);
    conn_timeout(c, srv->cfg.hs_timeout_ms);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
        c->reading = 1;
    else
        conn_close(c, "read_error");
}

/* Before the loop waits for events: write the log lines of this turn. */
static void on_flush(uv_prepare_t *h)
{
    (void)h;
    bnd_log_flush();
}

static void close_account(bnd_server *srv, uint64_t account, uint64_t except);

/* The server's login_check hook (bnd_core.h): bnd_net_login_check. */
static int net_login_check(const bnd_server *srv, uint64_t account)
{
    return bnd_net_login_check(srv->net, account);
}

/* The server's device_removed hook (bnd_core.h): a removed device's
 * open connections close at once, after the removal is durable. */
static void net_device_removed(bnd_server *srv, uint64_t account,
                               uint32_t device)
{
    for (bnd_conn *c = srv->net->conns, *next; c != NULL; c = next) {
        next = c->next;
        if (c->s.logged_in && c->s.actor.account_id == account &&
            c->s.actor.device == device)
            conn_close(c, "device_removed");
    }
}

int bnd_net_start(bnd_server *srv)
{
    struct sockaddr_storage ss;
    bnd_net *net;
    int rc;

    if (uv_ip4_addr(srv->cfg.host, srv->cfg.port, (struct sockaddr_in *)&ss) !=
            0 &&
        uv_ip6_addr(srv->cfg.host, srv->cfg.port, (struct sockaddr_in6 *)&ss) !=
            0)
        return BN_EINVAL; /* a numeric address is needed to listen */
    net = calloc(1, sizeof *net);
    if (net == NULL)
        return BN_ENOMEM;
    net->plain = malloc(BN_FRAME_MAX);
    net->sbuf = malloc(BN_FRAME_HDR + BN_FRAME_MAX);
    net->by_addr = bnd_counts_new();
    net->by_account = bnd_counts_new();
    if (net->plain == NULL || net->sbuf == NULL || net->by_addr == NULL ||
        net->by_account == NULL) {
        bnd_net_free(net);
        return BN_ENOMEM;
    }
    net->srv = srv;
    srv->login_check = net_login_check;
    srv->device_removed = net_device_removed;
    srv->close_account = close_account;
    uv_prepare_init(srv->loop, &net->flush);
    net->flush.data = net;
    uv_prepare_start(&net->flush, on_flush);
    uv_unref((uv_handle_t *)&net->flush);
    net->flushing = 1;
    bnd_log_buffer(1);
    uv_tcp_init(srv->loop, &net->listener);
    net->listener.data = net;
    net->listening = 1;
    srv->net = net;
    rc = uv_tcp_bind(&net->listener, (struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&net->listener, 511, on_connection);
    if (rc != 0) {
        bnd_net_stop_accepting(net);
        return rc;
    }
    int sl = sizeof ss;
    if (uv_tcp_getsockname(&net->listener, (struct sockaddr *)&ss, &sl) == 0)
        srv->bound_port = ntohs(ss.ss_family == AF_INET6
                                    ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                    : ((struct sockaddr_in *)&ss)->sin_port);
    return 0;
}

static void on_listener_closed(uv_handle_t *h)
{
    bnd_net *net = h->data;
    net->listening = 0;
}

void bnd_net_stop_accepting(bnd_net *net)
{
    if (net == NULL)
        return;
    if (net->listening && !uv_is_closing((uv_handle_t *)&net->listener))
        uv_close((uv_handle_t *)&net->listener, on_listener_closed);
    if (net->flushing) {
        uv_close((uv_handle_t *)&net->flush, NULL);
        net->flushing = 0;
        bnd_log_buffer(0); /* lines of the shutdown go out at once */
    }
    for (bnd_conn *c = net->conns; c != NULL; c = c->next) {
        c->draining = 1;
        if (c->reading && !c->closing)
            uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = 0;
    }
}

void bnd_net_close_all(bnd_net *net, int force)
{
    if (net == NULL)
        return;
    bnd_conn *c = net->conns;
    while (c != NULL) {
        bnd_conn *next = c->next;
        c->draining = 1;
        if (!c->closing) {
            if (force || c->wq == 0)
                conn_close(c, "shutdown");
            else
                c->close_after = 1;
        }
        c = next;
    }
}

/* srv->close_account: closes every logged-in connection of account but
 * connection except (an erased account's, issue 15), once its queued
 * replies are written. */
static void close_account(bnd_server *srv, uint64_t account, uint64_t except)
{
    bnd_net *net = srv->net;
    if (net == NULL)
        return;
    for (bnd_conn *c = net->conns; c != NULL; c = c->next) {
        if (c->closing || !c->s.logged_in || c->s.conn_id == except ||
            c->s.actor.account_id != account)
            continue;
        if (c->wq == 0)
            conn_close(c, "account_erased");
        else
            c->close_after = 1;
    }
}

unsigned bnd_net_conn_count(const bnd_net *net)
{
    return net ? net->nconns : 0;
}

unsigned bnd_net_prelogin_count(const bnd_net *net)
{
    return net ? net->nprelogin : 0;
}

int bnd_net_login_check(const bnd_net *net, uint64_t account)
{
    uint8_t key[BND_COUNTS_KEY];
    if (net == NULL)
        return 0;
    bnd_counts_key_u64(key, account);
    return bnd_counts_get(net->by_account, key) <
                   net->srv->cfg.conns_per_account
               ? 0
               : BN_ELIMIT;
}

void bnd_net_free(bnd_net *net)
{
    if (net == NULL)
        return;
    free(net->plain);
    free(net->sbuf);
    bnd_counts_free(net->by_addr);
    bnd_counts_free(net->by_account);
    free(net);
}
