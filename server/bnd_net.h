/*
 * bnd_net.h: the daemon's TCP side (libuv, loop thread only).
 *
 * Per connection: a frame reader (BN_FRAME_MAX_PRELOGIN until logged in,
 * then BN_FRAME_MAX), the handshake (first frame msg1, answered by a frame
 * holding msg2), then channel frames (bn_channel, length prefix as
 * associated data). A frame that does not open closes the connection at
 * once. Limits: connections (over: closed at accept), connections not
 * logged in yet per address and all together (over: closed at accept, or
 * the oldest of them closed for the newcomer), logged-in connections per
 * account (bnd_net_login_check), handshake-to-login and idle timeouts,
 * requests in flight (reading stops until replies drain), queued reply
 * bytes (soft: stop reading; hard: close).
 *
 * How the numbers relate: strangers (no account) hold at most
 * bnd_config_prelogin_max connections, each for handshake_timeout_s at
 * most, and from one address at most prelogin_per_address; the other
 * max_connections - prelogin_max slots are only ever taken by logged-in
 * accounts, connections_per_account each at most.
 */
#ifndef BND_NET_H
#define BND_NET_H

#include "bnd_core.h"

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

/* bnd_net_conn_count counts open connections; bnd_net_prelogin_count
 * those not logged in yet. */
unsigned bnd_net_conn_count(const bnd_net *net);
unsigned bnd_net_prelogin_count(const bnd_net *net);

/*
 * bnd_net_login_check (loop thread) says whether account may log in on
 * one more connection: 0, or BN_ELIMIT when it has cfg.conns_per_account
 * logged-in connections already. net NULL (no network: tests) is 0.
 */
int bnd_net_login_check(const bnd_net *net, uint64_t account);

/* bnd_net_free frees net once every handle is closed; accepts NULL. */
void bnd_net_free(bnd_net *net);

#endif
