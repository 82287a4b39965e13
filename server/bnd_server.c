/*
 * bnd_server.c: the top floor of the daemon (bnd_server.h): open a data
 * directory's server, listen, run the maintenance passes, stop and close.
 * Nothing below calls up here.
 */
#include "bnd_server.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "bnd_dispatch.h"
#include "bnd_log.h"
#include "bnd_net.h"
#include "bnd_quota.h"
#include "bnd_rate.h"
#include "bnd_stats.h"
#include "bnd_writer.h"

/* ---- maintenance passes --------------------------------------------------
 */

#define GC_BUDGET 4096u /* items one pass deletes in one writer transaction */

/* Writer thread: runs every maintenance pass the dispatcher lists
 * (bnd_dispatch_maint; the deletion of abandoned uploads) in txn. */
static int gc_apply(bnd_job *j, MDB_txn *txn)
{
    bnd_gc_job *g = (bnd_gc_job *)j;
    const bnd_maint *m;
    int64_t now = bn_now();

    g->more = 0;
    g->failed = NULL;
    for (size_t i = 0; (m = bnd_dispatch_maint(i)) != NULL; i++) {
        int rc = m->fn(g->srv->store, txn, now, GC_BUDGET);
        if (rc < 0) {
            g->failed = m->name;
            return rc;
        }
        g->more |= rc == 1;
    }
    return 0;
}

static void gc_failed(bnd_job *j, int rc)
{
    bnd_gc_job *g = (bnd_gc_job *)j;
    bnd_log(BND_LOG_ERROR, g->failed != NULL ? g->failed : "maint", "result=%s",
            bn_err_name(rc));
}

static void gc_complete(bnd_job *j)
{
    bnd_gc_job *g = (bnd_gc_job *)j;
    g->busy = 0;
    g->passes++;
    if (g->more)
        bnd_server_gc(g->srv);
}

static void on_gc_timer(uv_timer_t *t)
{
    bnd_server_gc(t->data);
}

void bnd_server_gc(bnd_server *srv)
{
    if (srv->gc.busy || srv->gc.closing || srv->stopping || srv->writer == NULL)
        return;
    srv->gc.busy = 1;
    bnd_writer_submit(srv->writer, &srv->gc.job);
}

int bnd_server_open(bnd_server **out, const bnd_config *cfg, uv_loop_t *loop)
{
    bnd_store_opts o = {cfg->map_initial, cfg->map_max, 0, 0};
    bnd_server *srv = calloc(1, sizeof *srv);
    int rc;

    *out = NULL;
    if (srv == NULL)
        return BN_ENOMEM;
    /* The command table's offsets against the wire schema: once. */
    rc = bnd_dispatch_table_check();
    if (rc != 0) {
        bnd_log(BND_LOG_ERROR, "dispatch.table", "result=%s", bn_err_name(rc));
        free(srv);
        return rc;
    }
    srv->cfg = *cfg;
    srv->loop = loop;
    bn_buf_init(&srv->enc);
    srv->keys = bnd_keys_new();
    srv->rate = bnd_rate_new();
    if (srv->keys == NULL || srv->rate == NULL) {
        rc = BN_ENOMEM;
        goto fail;
    }
    rc = bnd_keys_load(srv->keys, cfg->data_dir);
    if (rc != 0)
        goto fail;
    rc = bnd_store_open(&srv->store, cfg->data_dir, &o);
    if (rc == 0)
        rc = bnd_quota_open(srv->store);
    if (rc == 0)
        rc = bnd_stats_open(srv->store);
    if (rc != 0)
        goto fail;
    rc = bnd_writer_start(&srv->writer, srv->store, loop);
    if (rc != 0)
        goto fail;
    srv->gc.srv = srv;
    srv->gc.job.apply = gc_apply;
    srv->gc.job.failed = gc_failed;
    srv->gc.job.complete = gc_complete;
    uv_timer_init(loop, &srv->gc_timer);
    srv->gc_timer.data = srv;
    uv_timer_start(&srv->gc_timer, on_gc_timer, BND_DOC_GC_INTERVAL_MS,
                   BND_DOC_GC_INTERVAL_MS);
    uv_unref((uv_handle_t *)&srv->gc_timer); /* never keeps the loop up */
    srv->handles_open |= 8;
    bnd_server_gc(srv);
    *out = srv;
    return 0;
fail:
    bnd_store_close(srv->store);
    bnd_keys_free(srv->keys);
    bnd_rate_free(srv->rate);
    free(srv);
    return rc;
}

static void finish_stop(void *arg);

static void on_signal(uv_signal_t *h, int signum)
{
    bnd_log(BND_LOG_INFO, "signal", "name=%s",
            signum == SIGINT ? "SIGINT" : "SIGTERM");
    bnd_server_stop(h->data);
}

static void on_stop_async(uv_async_t *h)
{
    bnd_server_stop(h->data);
}

int bnd_server_listen(bnd_server *srv, int signals)
{
    int rc = bnd_net_start(srv);
    if (rc != 0)
        return rc;
    uv_async_init(srv->loop, &srv->stop_async, on_stop_async);
    srv->stop_async.data = srv;
    srv->handles_open |= 1;
    if (signals) {
        uv_signal_init(srv->loop, &srv->sig_int);
        uv_signal_init(srv->loop, &srv->sig_term);
        srv->sig_int.data = srv->sig_term.data = srv;
        uv_signal_start(&srv->sig_int, on_signal, SIGINT);
        uv_signal_start(&srv->sig_term, on_signal, SIGTERM);
        srv->handles_open |= 2;
    }
    return 0;
}

void bnd_server_request_stop(bnd_server *srv)
{
    uv_async_send(&srv->stop_async);
}

/* Waits until every write in flight and every request served off the
 * loop is answered (each may be the other's last), then finishes. */
static void stop_when_idle(void *arg)
{
    bnd_server *srv = arg;

    if (bnd_writer_pending(srv->writer) != 0) {
        bnd_writer_set_idle_cb(srv->writer, stop_when_idle, srv);
        return;
    }
    bnd_writer_set_idle_cb(srv->writer, NULL, NULL);
    if (bnd_dispatch_pending(srv) != 0) {
        bnd_dispatch_set_idle_cb(srv, stop_when_idle, srv);
        return;
    }
    finish_stop(srv);
}

void bnd_server_stop(bnd_server *srv)
{
    if (srv->stopping)
        return;
    srv->stopping = 1;
    bnd_log(BND_LOG_INFO, "stopping",
            "connections=%u writes_in_flight=%u reads_in_flight=%u",
            bnd_net_conn_count(srv->net), bnd_writer_pending(srv->writer),
            bnd_dispatch_pending(srv));
    bnd_net_stop_accepting(srv->net);
    stop_when_idle(srv);
}

static void on_stop_timer(uv_timer_t *t)
{
    bnd_server *srv = t->data;
    bnd_net_close_all(srv->net, 1);
}

/* Every write in flight is answered: close the rest. */
static void finish_stop(void *arg)
{
    bnd_server *srv = arg;

    if (srv->stopping == 2)
        return;
    srv->stopping = 2;
    bnd_writer_set_idle_cb(srv->writer, NULL, NULL);
    bnd_net_close_all(srv->net, 0);
    uv_timer_init(srv->loop, &srv->stop_timer);
    srv->stop_timer.data = srv;
    uv_timer_start(&srv->stop_timer, on_stop_timer, 2000, 0);
    uv_unref((uv_handle_t *)&srv->stop_timer);
    srv->handles_open |= 4;
    if (srv->handles_open & 1)
        uv_close((uv_handle_t *)&srv->stop_async, NULL);
    if (srv->handles_open & 2) {
        uv_close((uv_handle_t *)&srv->sig_int, NULL);
        uv_close((uv_handle_t *)&srv->sig_term, NULL);
    }
    if (srv->handles_open & 8)
        uv_close((uv_handle_t *)&srv->gc_timer, NULL);
    srv->handles_open &= ~(3 | 8);
    bnd_writer_stop(srv->writer);
    srv->writer = NULL;
}

void bnd_server_close(bnd_server *srv)
{
    if (srv == NULL)
        return;
    srv->gc.closing = 1;
    if (srv->handles_open & 8)
        uv_close((uv_handle_t *)&srv->gc_timer, NULL);
    srv->handles_open &= ~8;
    if (srv->writer != NULL) {
        bnd_writer_stop(srv->writer);
        srv->writer = NULL;
    }
    bnd_net_stop_accepting(srv->net);
    bnd_net_close_all(srv->net, 1);
    if (srv->handles_open & 1)
        uv_close((uv_handle_t *)&srv->stop_async, NULL);
    if (srv->handles_open & 2) {
        uv_close((uv_handle_t *)&srv->sig_int, NULL);
        uv_close((uv_handle_t *)&srv->sig_term, NULL);
    }
    if ((srv->handles_open & 4) &&
        !uv_is_closing((uv_handle_t *)&srv->stop_timer))
        uv_close((uv_handle_t *)&srv->stop_timer, NULL);
    srv->handles_open = 0;
    uv_run(srv->loop, UV_RUN_DEFAULT); /* close callbacks */
    bnd_net_free(srv->net);
    bnd_store_close(srv->store);
    bnd_keys_free(srv->keys);
    bnd_rate_free(srv->rate);
    bn_buf_free(&srv->enc);
    free(srv);
}
