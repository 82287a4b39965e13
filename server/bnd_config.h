/*
 * bnd_config.h: the daemon's configuration (binomed.conf and the flags of
 * 'binomed run'): one table of keys, their defaults and limits. The
 * bottom floor of the server: it uses nothing of the server but the log.
 */
#ifndef BND_CONFIG_H
#define BND_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "bn_invite.h"
#include "bn_version.h"

/* binomed is released with binome: one version (common/bn_version.h). */
#define BND_VERSION BN_VERSION
#define BND_DEFAULT_LISTEN "127.0.0.1:7450"
#define BND_INVITE_DAYS_DEFAULT 14

typedef struct bnd_config {
    char data_dir[PATH_MAX];
    char host[BN_INVITE_HOST_MAX + 1]; /* listen address */
    uint16_t port;                     /* 0: any free port (tests) */
    size_t map_initial;                /* LMDB map at open */
    size_t map_max;                    /* LMDB map growth limit */
    unsigned max_conns;                /* more are closed at accept */
    unsigned prelogin_max;             /* not logged in, all addresses */
    unsigned prelogin_per_addr;        /* not logged in, one address */
    unsigned conns_per_account;        /* logged in as one account */
    unsigned max_inflight;             /* requests per connection */
    unsigned hs_timeout_ms;            /* accept to logged in */
    unsigned idle_timeout_ms;          /* no frame for this long */
    size_t wq_soft;                    /* queued reply bytes: stop reading */
    size_t wq_hard;                    /* queued reply bytes: close */
    unsigned slow_reader_ms;           /* above wq_soft this long: close */
    unsigned rate_per_account;         /* requests/s of an account; 0: off */
    unsigned rate_burst;               /* requests at once of an account */
    uint64_t max_doc_bytes;            /* a document's ciphertext */
    unsigned audit_interval_ms;        /* canary audits of an auditor */
    unsigned audit_canaries_max;       /* canaries of one live audit */
    uint64_t quota_pair_bytes;         /* stored for one pair (bnd_quota.h) */
    uint64_t quota_account_bytes;      /* stored by one account */
    size_t frame_max;                  /* frame body once logged in */
    size_t frame_max_prelogin;         /* frame body before login */
    int log_level;                     /* enum bnd_log_level */
} bnd_config;

/* Defaults named because code outside the table of keys uses them (the
 * others are numbers of their row in bnd_config.c); plain numbers, so
 * that help texts can quote them with BN_STRINGIFY. */
#define BND_MAX_DOC_MIB_DEFAULT 1024
/* Live audits with canaries: one per auditor per interval, this many
 * auditors tracked at once (more are refused until an interval passes). */
#define BND_AUDIT_INTERVAL_S_DEFAULT 60
#define BND_AUDIT_CANARIES_DEFAULT 16
#define BND_AUDIT_GATE_MAX 64
#define BND_QUOTA_PAIR_MIB_DEFAULT 2048
#define BND_QUOTA_ACCOUNT_MIB_DEFAULT 4096

/* bnd_config_prelogin_max: connections not logged in that the daemon
 * holds at once: prelogin_max, or when 0 a quarter of max_connections (at
 * least 1); never more than max_connections. */
unsigned bnd_config_prelogin_max(const bnd_config *cfg);

/* bnd_config_defaults fills every limit with its default: each key's
 * default, from its row of the table, set as binomed.conf would set it. */
void bnd_config_defaults(bnd_config *cfg);

/*
 * bnd_config_load reads "key=value" lines of path (binomed.conf) into
 * cfg, one key of bnd_config_key_at's table per line; '#' starts a
 * comment. Returns 0, -ENOENT when there is no file, or BN_EINVAL with
 * *line set to the offending line number (unknown key, bad value).
 */
int bnd_config_load(bnd_config *cfg, const char *path, int *line);

/* One key of binomed.conf: key, its value's form, help (what it sets; the
 * default is not in it: bnd_config_key_usage adds it). */
typedef struct bnd_config_key {
    const char *key;
    const char *arg;
    const char *help;
} bnd_config_key;

/* bnd_config_key_at returns the i-th key (static), NULL past the last. */
const bnd_config_key *bnd_config_key_at(size_t i);

/* bnd_config_key_default writes the i-th key's default into out as
 * binomed.conf says it ("1024", "info", "127.0.0.1:7450"): 0, or
 * BN_EINVAL past the last key or when it does not fit in size. */
int bnd_config_key_default(size_t i, char *out, size_t size);

/* bnd_config_key_usage writes the i-th key's help with its default, for
 * usage text: "requests of one connection in flight (default 64)", with
 * the key's range or a note where its row has them. 0 or BN_EINVAL. */
int bnd_config_key_usage(size_t i, char *out, size_t size);

/* bnd_config_set sets one key from its text as in binomed.conf: 0,
 * BN_ENOTFOUND for an unknown key, BN_EINVAL for a bad value. */
int bnd_config_set(bnd_config *cfg, const char *key, const char *val);

/* bnd_config_check: BN_EINVAL when keys contradict each other (reply queue
 * soft limit above the hard one, initial map above the maximum). */
int bnd_config_check(const bnd_config *cfg);

/* bnd_config_set_listen parses "HOST:PORT" into cfg: 0 or BN_EINVAL. */
int bnd_config_set_listen(bnd_config *cfg, const char *hostport);

/* bnd_data_path writes DIR/NAME (a file of the data directory) into out:
 * 0, or BN_EINVAL when it does not fit in size bytes. */
int bnd_data_path(char *out, size_t size, const char *dir, const char *name);

#endif
