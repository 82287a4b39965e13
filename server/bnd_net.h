/*
 * bnd_net.h: the daemon's TCP side (libuv, loop thread only).
 *
 * Per connection: a frame reader (BN_FRAME_MAX_PRELOGIN until logged in,
 * then BN_FRAME_MAX), the handshake (first frame msg1, answered by a frame
 * holding msg2), then channel frames (bn_channel, length prefix as
 * associated data). A frame that does not open closes the connection at
 * once. Limits: connections (over: closed at accept), handshake-to-login
 * and idle timeouts, requests in flight (reading stops until replies
 * drain), queued reply bytes (soft: stop reading; hard: close).
 */
#ifndef BND_NET_H
#define BND_NET_H

#include "bnd_server.h"

typedef struct bnd_net bnd_net;

/* bnd_net_start binds srv->cfg's address, listens, and sets
 * srv->net and srv->bound_port. */
int bnd_net_start(bnd_server *srv);

/* bnd_net_stop_accepting closes the listener and stops reading from
 * every connection (replies still go out). */
void bnd_net_stop_accepting(bnd_net *net);

/* bnd_net_close_all closes every connection once its queued replies are
 * written; force (1) closes them now. */
void bnd_net_close_all(bnd_net *net, int force);

/* bnd_net_conn_count counts open connections. */
unsigned bnd_net_conn_count(const bnd_net *net);

/* bnd_net_free frees net once every handle is closed; accepts NULL. */
void bnd_net_free(bnd_net *net);

#endif
