/*
 * bnd_writer.c: the writer thread and its group commit: every waiting
 * write in one transaction, one fsync, then the replies (bnd_writer.h).
 */
#include "bnd_writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "bnd_log.h"

#define BATCH_MAX 256 /* jobs in one transaction */

struct bnd_writer {
    bnd_store *st;
    uv_loop_t *loop;
    uv_async_t async;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bnd_job *in_head, *in_tail;     /* queued (mu) */
    bnd_job *done_head, *done_tail; /* committed (mu) */
    int quit;                       /* (mu) */
    int started;
    unsigned pending;        /* loop thread */
    unsigned long submitted; /* loop thread */
    unsigned long batches;
    void (*idle_cb)(void *);
    void *idle_arg;
};

struct batch {
    bnd_writer *w;
    bnd_job *jobs;
    int nested; /* each job in a nested transaction */
};

/* apply_batch's answer when a job failed in the shared transaction. */
#define RETRY_NESTED 1

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * Applies every job of the batch. First straight in the batch's
 * transaction, with no nested transaction per job: writes almost never
 * fail, and a child transaction costs LMDB a dirty list to allocate and
 * merge per job. A job that fails there may have written part of its
 * changes, so the whole transaction is then dropped (RETRY_NESTED) and
 * the batch applied again with each job in its own nested transaction,
 * where a failing job leaves the others intact: the result is the same
 * as if every job had been nested, and a failure costs one more pass.
 * Returns BN_EFULL (the map must grow), RETRY_NESTED or 0.
 */
static int apply_batch(MDB_txn *txn, void *arg)
{
    struct batch *b = arg;
    if (!b->nested) {
        for (bnd_job *j = b->jobs; j != NULL; j = j->next)
            j->applied = 0;
        for (bnd_job *j = b->jobs; j != NULL; j = j->next) {
            int rc = j->apply(j, txn);
            if (rc == BN_EFULL)
                return rc;
            if (rc != 0)
                return RETRY_NESTED;
            j->applied = 1;
        }
        return 0;
    }
    for (bnd_job *j = b->jobs; j != NULL; j = j->next) {
        MDB_txn *child = NULL;
        int rc = mdb_txn_begin(mdb_txn_env(txn), txn, 0, &child);
        j->applied = 0;
        if (rc != 0) {
            rc = bnd_mdb_err(rc);
            if (rc == BN_EFULL)
                return rc;
            j->failed(j, rc);
            continue;
        }
        rc = j->apply(j, child);
        if (rc == BN_EFULL) {
            mdb_txn_abort(child);
            return rc;
        }
        if (rc != 0) {
            mdb_txn_abort(child);
            continue;
        }
        rc = bnd_mdb_err(mdb_txn_commit(child));
        if (rc == BN_EFULL)
            return rc;
        if (rc != 0) {
            j->failed(j, rc);
            continue;
        }
        j->applied = 1;
    }
    return 0;
}

static void *writer_main(void *arg)
{
    bnd_writer *w = arg;

    for (;;) {
        struct batch b = {w, NULL, 0};
        bnd_job *tail = NULL;
        unsigned n = 0;

        pthread_mutex_lock(&w->mu);
        while (w->in_head == NULL && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->in_head == NULL && w->quit) {
            pthread_mutex_unlock(&w->mu);
            break;
        }
        while (w->in_head != NULL && n < BATCH_MAX) {
            bnd_job *j = w->in_head;
            w->in_head = j->next;
            j->next = NULL;
            if (tail == NULL)
                b.jobs = j;
            else
                tail->next = j;
            tail = j;
            n++;
        }
        if (w->in_head == NULL)
            w->in_tail = NULL;
        pthread_mutex_unlock(&w->mu);

        uint64_t t0 = now_us();
        int rc = bnd_store_write(w->st, apply_batch, &b);
        if (rc == RETRY_NESTED) {
            b.nested = 1;
            rc = bnd_store_write(w->st, apply_batch, &b);
        }
        if (rc != 0) {
            bnd_log(BND_LOG_ERROR, "writer.batch", "jobs=%u result=%s", n,
                    bn_err_name(rc));
            /* Nothing of the batch was committed: every job gets the
             * error, also one whose reply an earlier pass (before the
             * map grew) had made. */
            for (bnd_job *j = b.jobs; j != NULL; j = j->next)
                j->failed(j, rc);
        } else {
            bnd_log(BND_LOG_DEBUG, "writer.batch", "jobs=%u nested=%d us=%llu",
                    n, b.nested, (unsigned long long)(now_us() - t0));
        }
        /* A job deleted ciphertext (PAIR_ERASE): overwrite the pages it
         * freed before anyone hears that it is gone. A failed scrub is
         * logged; the next one covers those pages. */
        if (bnd_store_scrub_wanted(w->st))
            bnd_store_scrub(w->st);

        pthread_mutex_lock(&w->mu);
        w->batches++;
        if (w->done_tail == NULL)
            w->done_head = b.jobs;
        else
            w->done_tail->next = b.jobs;
        w->done_tail = tail;
        pthread_mutex_unlock(&w->mu);
        uv_async_send(&w->async);
    }
    return NULL;
}

/* Loop thread: completes every job the writer handed back. */
static void on_async(uv_async_t *h)
{
    bnd_writer *w = h->data;
    bnd_job *j;

    pthread_mutex_lock(&w->mu);
    j = w->done_head;
    w->done_head = w->done_tail = NULL;
    pthread_mutex_unlock(&w->mu);
    while (j != NULL) {
        bnd_job *next = j->next;
        w->pending--;
        j->complete(j);
        j = next;
    }
    if (w->pending == 0 && w->idle_cb != NULL)
        w->idle_cb(w->idle_arg);
}

int bnd_writer_start(bnd_writer **out, bnd_store *st, uv_loop_t *loop)
{
    bnd_writer *w = calloc(1, sizeof *w);
    int rc;

    *out = NULL;
    if (w == NULL)
        return BN_ENOMEM;
    w->st = st;
    w->loop = loop;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    rc = uv_async_init(loop, &w->async, on_async);
    if (rc != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return rc;
    }
    w->async.data = w;
    rc = pthread_create(&w->thread, NULL, writer_main, w);
    if (rc != 0) {
        uv_close((uv_handle_t *)&w->async, NULL);
        /* the handle lives in w: the caller must run the loop before
         * this memory goes; keep it simple and leak on this rare path */
        return -rc;
    }
    w->started = 1;
    *out = w;
    return 0;
}

void bnd_writer_hold(bnd_writer *w)
{
    w->pending++;
    w->submitted++;
}

void bnd_writer_submit(bnd_writer *w, bnd_job *job)
{
    bnd_writer_hold(w);
    bnd_writer_submit_held(w, job);
}

void bnd_writer_submit_held(bnd_writer *w, bnd_job *job)
{
    job->next = NULL;
    job->applied = 0;
    pthread_mutex_lock(&w->mu);
    if (w->in_tail == NULL)
        w->in_head = job;
    else
        w->in_tail->next = job;
    w->in_tail = job;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

unsigned bnd_writer_pending(const bnd_writer *w)
{
    return w->pending;
}

unsigned long bnd_writer_batches(const bnd_writer *w)
{
    return w->batches;
}

unsigned long bnd_writer_submitted(const bnd_writer *w)
{
    return w->submitted;
}

void bnd_writer_set_idle_cb(bnd_writer *w, void (*cb)(void *), void *arg)
{
    w->idle_cb = cb;
    w->idle_arg = arg;
}

static void on_async_closed(uv_handle_t *h)
{
    bnd_writer *w = h->data;
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

void bnd_writer_stop(bnd_writer *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->quit = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (w->started)
        pthread_join(w->thread, NULL);
    w->started = 0;
    on_async(&w->async); /* deliver what the last batch handed back */
    uv_close((uv_handle_t *)&w->async, on_async_closed);
}
