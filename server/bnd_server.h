/*
 * bnd_server.h: the top floor of the daemon: open a data directory's
 * server, listen, stop and close it. Below it stand the network
 * (bnd_net.h), the dispatcher (bnd_dispatch.h), the handlers
 * (bnd_handlers.h) and the bottom (bnd_core.h: configuration, keys,
 * sessions, the server's state); none of them calls up here
 * (scripts/check_cycles.sh, DESIGN.md "The server's floors").
 *
 * Threads: the loop thread, except bnd_server_request_stop.
 */
#ifndef BND_SERVER_H
#define BND_SERVER_H

#include "bnd_core.h"
#include "bnd_datadir.h"

/* How often the daemon runs its maintenance passes (bnd_dispatch.h: the
 * deletion of abandoned uploads), and once at start. */
#define BND_DOC_GC_INTERVAL_MS (3600u * 1000u)

/*
 * bnd_server_open opens the data directory's store and keys and starts the
 * writer thread on loop. -ENOENT when the directory was not initialised.
 * Free with bnd_server_close after the loop stopped running the server.
 */
int bnd_server_open(bnd_server **out, const bnd_config *cfg, uv_loop_t *loop);

/*
 * bnd_server_listen binds cfg's address (sets bound_port), starts
 * accepting and installs SIGINT/SIGTERM handlers (when signals is 1).
 */
int bnd_server_listen(bnd_server *srv, int signals);

/*
 * bnd_server_stop (loop thread) stops accepting and reading, lets the
 * writer finish and answer the jobs in flight, then closes connections
 * and the server's handles so that uv_run returns.
 * bnd_server_request_stop does the same from any thread.
 */
void bnd_server_stop(bnd_server *srv);
void bnd_server_request_stop(bnd_server *srv);

/*
 * bnd_server_gc submits a pass over abandoned uploads to the writer (loop
 * thread; nothing when one is under way or the server stops). The server
 * runs it at open and every BND_DOC_GC_INTERVAL_MS.
 */
void bnd_server_gc(bnd_server *srv);

/* bnd_server_close stops the writer thread and closes the store; the
 * loop must have no more server handles running (after uv_run). */
void bnd_server_close(bnd_server *srv);

#endif
