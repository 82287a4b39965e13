/*
 * bnd_writer.h: the writer thread and its group commit.
 *
 * The loop thread submits jobs. The writer thread takes every job waiting,
 * opens one write transaction, applies each job (as if each were in a
 * nested transaction: a failing job leaves the others intact), commits the
 * batch once (fsync), then hands the jobs back to the loop thread
 * (uv_async_send), where each job's complete() runs: only then is its reply
 * sent.
 */
#ifndef BND_WRITER_H
#define BND_WRITER_H

#include <lmdb.h>
#include <uv.h>

#include "bnd_store.h"

typedef struct bnd_job bnd_job;

struct bnd_job {
    bnd_job *next; /* the writer's */
    /*
     * apply runs on the writer thread inside the batch's transaction: 0
     * keeps its changes, a negative code drops them (the job still
     * completes: its own error is its result). apply may run more than
     * once for one batch, so it must reset its outputs each time: BN_EFULL
     * makes the writer grow the map and apply the whole batch again, and
     * any failure makes it apply the batch again with each job in its own
     * nested transaction (the first pass has none: see bnd_writer.c).
     */
    int (*apply)(bnd_job *job, MDB_txn *txn);
    /* failed runs on the writer thread when the batch did not commit
     * after apply succeeded: the job's result becomes the code rc. */
    void (*failed)(bnd_job *job, int rc);
    /* complete runs on the loop thread once the batch is durable (or
     * failed); it owns and frees the job. */
    void (*complete)(bnd_job *job);
    int applied; /* the writer's: apply returned 0 */
};

typedef struct bnd_writer bnd_writer;

/* bnd_writer_start starts the thread; completions run on loop. */
int bnd_writer_start(bnd_writer **out, bnd_store *st, uv_loop_t *loop);

/* bnd_writer_submit queues job (loop thread). */
void bnd_writer_submit(bnd_writer *w, bnd_job *job);

/*
 * bnd_writer_hold counts a job that will be submitted later (it is being
 * prepared, e.g. its log entry verified on the thread pool): it counts as
 * pending, so shutdown waits for it. Submit it with
 * bnd_writer_submit_held (loop thread, both).
 */
void bnd_writer_hold(bnd_writer *w);
void bnd_writer_submit_held(bnd_writer *w, bnd_job *job);

/* bnd_writer_pending counts jobs submitted and not completed yet. */
unsigned bnd_writer_pending(const bnd_writer *w);

/* bnd_writer_set_idle_cb: cb(arg) runs on the loop thread each time the
 * pending count drops to 0 (used by shutdown). */
void bnd_writer_set_idle_cb(bnd_writer *w, void (*cb)(void *), void *arg);

/* Statistics: batches committed; jobs ever submitted (or held), loop
 * thread. */
unsigned long bnd_writer_batches(const bnd_writer *w);
unsigned long bnd_writer_submitted(const bnd_writer *w);

/*
 * bnd_writer_stop finishes every queued job, joins the thread and closes
 * the async handle (the writer is freed in its close callback, so run the
 * loop once more). Completions of jobs still queued are delivered before
 * the handle closes. Accepts NULL.
 */
void bnd_writer_stop(bnd_writer *w);

#endif
