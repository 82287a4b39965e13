/*
 * bnd_dispatch.h: requests in, replies out, through one table.
 *
 * Each message type a client may send has one entry: handler, the type
 * of its reply, flags (WRITE: run by the writer thread inside a write
 * transaction; PRELOGIN: allowed, and only allowed, before login; AUTH: a
 * failure closes the connection; LATER: a read served off the loop; SLOW:
 * one such at a time), the roles allowed, and where its pair id and log
 * entry are. The table is checked in one place
 * (bnd_dispatch): unknown type, a role not allowed or an account over its
 * request rate (BN_ELIMIT, cfg.rate_per_account) gets an ERROR reply and
 * the connection goes on; a message that does not decode gets an
 * ERROR reply and the connection closes (BND_REPLY_CLOSE).
 *
 * No socket is needed: a test or a fuzz target makes a bnd_session with a
 * reply callback and calls bnd_dispatch_frame. Reads are answered before
 * the call returns, except those served off the loop (a live audit,
 * statistics, document reads: the libuv thread pool, each in its own
 * read transaction), answered from the loop (run it) when done; writes
 * are answered from the loop once their batch is durable. Either kind
 * counts in s->inflight and holds a reference on s until answered, so a
 * connection that goes meanwhile is freed after. Replies of requests
 * served off the loop leave in the order the requests came on their
 * session; other replies do not wait for them (as they never waited for
 * writes: a client matches replies by request id).
 */
#ifndef BND_DISPATCH_H
#define BND_DISPATCH_H

#include "bnd_core.h"

/*
 * bnd_dispatch_frame decodes one plaintext message and dispatches it. The
 * reply callback of s is called exactly once for it (unless s is closed
 * by then). Returns 0, or the decode error (the connection is then to be
 * closed, as the reply's flags also say).
 */
int bnd_dispatch_frame(bnd_server *srv, bnd_session *s, const uint8_t *msg,
                       size_t len);

/*
 * bnd_dispatch dispatches a decoded request and takes ownership of it
 * (*req is released, or moved into a write job; it is zeroed on return).
 */
int bnd_dispatch(bnd_server *srv, bnd_session *s, bn_msg *req);

/*
 * bnd_dispatch_pending returns how many requests served off the loop
 * (a live audit, statistics, document reads) are not answered yet.
 * bnd_dispatch_set_idle_cb: cb(arg) runs on the loop thread once, when
 * that count drops to 0 (NULL clears it); the shutdown waits so.
 */
unsigned bnd_dispatch_pending(const bnd_server *srv);
void bnd_dispatch_set_idle_cb(bnd_server *srv, void (*cb)(void *), void *arg);

/*
 * A maintenance pass of the handlers, which the server's top runs on the
 * writer thread at start and every BND_DOC_GC_INTERVAL_MS (bnd_server.h)
 * without naming the handler: fn deletes, in txn, what is due at now, at
 * most budget items (0: no limit), and returns 1 when it stopped at the
 * budget (run again), 0 when done, or a negative code.
 */
typedef struct bnd_maint {
    const char *name; /* the log's event when it fails */
    int (*fn)(bnd_store *st, MDB_txn *txn, int64_t now, uint64_t budget);
} bnd_maint;

/* bnd_dispatch_maint returns the i-th maintenance pass (static), NULL past
 * the last. */
const bnd_maint *bnd_dispatch_maint(size_t i);

/* bnd_dispatch_table_check verifies the table (sorted, known types,
 * sane flags): 0 or BN_EINTERNAL. For tests. */
int bnd_dispatch_table_check(void);

#endif
