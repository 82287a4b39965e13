/*
 * bnd_config.c: binomed.conf and its one table of keys (bnd_config.h):
 * defaults, parsing, checks, and the paths of the data directory.
 */
#include "bnd_config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bn_err.h"
#include "bn_proto.h"
#include "bn_util.h"
#include "bnd_log.h"
#include "bnd_store.h"

int bnd_config_set_listen(bnd_config *cfg, const char *hostport)
{
    char host[BN_INVITE_HOST_MAX + 1];
    uint16_t port;
    if (bn_hostport_parse(hostport, host, &port) != 0)
        return BN_EINVAL;
    memcpy(cfg->host, host, sizeof host);
    cfg->port = port;
    return 0;
}

static int parse_uint(const char *s, unsigned long long max,
                      unsigned long long *out)
{
    char *end = NULL;
    if (s[0] < '0' || s[0] > '9')
        return BN_EINVAL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return BN_EINVAL;
    *out = v;
    return 0;
}

enum { K_UINT, K_SIZE, K_U64, K_LISTEN, K_LOGLEVEL };

/*
 * Every key of binomed.conf; each is also a flag of 'binomed run'
 * (--max-doc-mib for max_doc_mib). A number is min..max in the key's
 * unit, stored multiplied by mult. Its default is def (in the key's unit;
 * for the two keys that are not numbers, the text deft): bnd_config_defaults
 * sets it and the usage text prints it, "(default def)", followed by note;
 * with range, "(min to max, default def)". A help never states a number
 * of its own.
 */
static const struct conf_key {
    bnd_config_key info;
    int kind;
    size_t off;
    unsigned long long min, max, mult, def;
    const char *deft; /* the default of a key that is not a number */
    const char *note; /* after the default, inside the parentheses */
    int range;        /* the usage states min to max */
} conf_keys[] = {
#define NUM(k, kind, field, min, max, mult, def, arg, help)                    \
    {                                                                          \
        {k, arg, help}, kind, offsetof(bnd_config, field), min, max, mult,     \
            def, NULL, NULL, 0                                                 \
    }
#define NUM_NOTE(k, kind, field, min, max, mult, def, arg, help, note)         \
    {                                                                          \
        {k, arg, help}, kind, offsetof(bnd_config, field), min, max, mult,     \
            def, NULL, note, 0                                                 \
    }
#define NUM_RANGE(k, kind, field, min, max, mult, def, arg, help)              \
    {                                                                          \
        {k, arg, help}, kind, offsetof(bnd_config, field), min, max, mult,     \
            def, NULL, NULL, 1                                                 \
    }
#define TEXT(k, kind, deft, arg, help)                                         \
    {                                                                          \
        {k, arg, help}, kind, 0, 0, 0, 0, 0, deft, NULL, 0                     \
    }
    TEXT("listen", K_LISTEN, BND_DEFAULT_LISTEN, "HOST:PORT",
         "address to listen on"),
    TEXT("log_level", K_LOGLEVEL, "info", "LEVEL",
         "error, warn, info or debug"),
    NUM("max_connections", K_UINT, max_conns, 1, 1000000, 1, 1024, "N",
        "connections at once; more are closed at accept"),
    NUM_NOTE("prelogin_max", K_UINT, prelogin_max, 0, 1000000, 1, 0, "N",
             "connections not logged in yet, all addresses together; a "
             "newcomer over it closes the oldest of them",
             ": a quarter of max_connections"),
    NUM("prelogin_per_address", K_UINT, prelogin_per_addr, 1, 1000000, 1, 16,
        "N",
        "connections not logged in yet from one address (an IPv6 /64); "
        "more are closed at accept"),
    NUM("connections_per_account", K_UINT, conns_per_account, 1, 100000, 1, 8,
        "N",
        "logged-in connections of one account at once; another login is "
        "refused"),
    NUM("max_inflight", K_UINT, max_inflight, 1, 4096, 1, 64, "N",
        "requests of one connection in flight"),
    NUM("handshake_timeout_s", K_UINT, hs_timeout_ms, 1, 3600, 1000, 3, "S",
        "from accept to logged in"),
    NUM("idle_timeout_s", K_UINT, idle_timeout_ms, 1, 7 * 86400, 1000, 600, "S",
        "a connection without a frame for this long closes"),
    NUM_RANGE("frame_max_kib", K_SIZE, frame_max, 352, BN_FRAME_MAX >> 10, 1024,
              BN_FRAME_MAX >> 10, "KIB", "largest frame once logged in"),
    NUM_RANGE("prelogin_frame_max", K_SIZE, frame_max_prelogin, 512,
              BN_FRAME_MAX_PRELOGIN, 1, BN_FRAME_MAX_PRELOGIN, "BYTES",
              "largest frame before login"),
    NUM("reply_queue_soft_mib", K_SIZE, wq_soft, 1, 1024, 1u << 20, 1, "MIB",
        "queued replies of a connection: stop reading it"),
    NUM("reply_queue_hard_mib", K_SIZE, wq_hard, 1, 4096, 1u << 20, 16, "MIB",
        "queued replies of a connection: close it at once"),
    NUM_NOTE("slow_reader_s", K_UINT, slow_reader_ms, 0, 86400, 1000, 30, "S",
             "queued replies above the soft limit this long: close",
             "; 0: never"),
    NUM_NOTE("rate_per_account", K_UINT, rate_per_account, 0, 1000000, 1, 200,
             "N", "requests per second of an account, all its connections",
             "; 0: no limit"),
    NUM("rate_burst", K_UINT, rate_burst, 1, 10000000, 1, 400, "N",
        "requests an account may send at once"),
    NUM("map_initial_mib", K_SIZE, map_initial, 1, 1u << 20, 1u << 20,
        BND_MAP_INITIAL_DEFAULT >> 20, "MIB", "LMDB map size at start"),
    NUM("map_max_mib", K_SIZE, map_max, 1, 1ull << 30, 1u << 20,
        BND_MAP_MAX_DEFAULT >> 20, "MIB",
        "LMDB map growth limit: the most the database may hold"),
    NUM("max_doc_mib", K_U64, max_doc_bytes, 1, 1u << 20, 1u << 20,
        BND_MAX_DOC_MIB_DEFAULT, "MIB", "largest document, counted as its plaintext"),
    NUM_NOTE("audit_canary_interval_s", K_UINT, audit_interval_ms, 0, 86400,
             1000, BND_AUDIT_INTERVAL_S_DEFAULT, "S",
             "an auditor's live audits with canaries: at most one per S "
             "seconds",
             "; 0: no limit"),
    NUM_RANGE("audit_canaries_max", K_UINT, audit_canaries_max, 1,
              BN_AUDIT_CANARIES_MAX, 1, BND_AUDIT_CANARIES_DEFAULT, "N",
              "canaries in one live audit"),
    NUM("quota_pair_mib", K_U64, quota_pair_bytes, 1, 1u << 30, 1u << 20,
        BND_QUOTA_PAIR_MIB_DEFAULT, "MIB",
        "what one pair may store: notes, objectives, documents, sessions"),
    NUM("quota_account_mib", K_U64, quota_account_bytes, 1, 1u << 30, 1u << 20,
        BND_QUOTA_ACCOUNT_MIB_DEFAULT, "MIB",
        "what one account may store, all its pairs together"),
#undef NUM
#undef NUM_NOTE
#undef NUM_RANGE
#undef TEXT
};

#define NKEYS (sizeof conf_keys / sizeof conf_keys[0])

const bnd_config_key *bnd_config_key_at(size_t i)
{
    return i < NKEYS ? &conf_keys[i].info : NULL;
}

int bnd_config_key_default(size_t i, char *out, size_t size)
{
    int n;
    if (i >= NKEYS)
        return BN_EINVAL;
    if (conf_keys[i].deft != NULL)
        n = snprintf(out, size, "%s", conf_keys[i].deft);
    else
        n = snprintf(out, size, "%llu", conf_keys[i].def);
    return n > 0 && (size_t)n < size ? 0 : BN_EINVAL;
}

int bnd_config_key_usage(size_t i, char *out, size_t size)
{
    char def[BN_INVITE_HOST_MAX + 8], range[48] = "";
    int n;
    if (bnd_config_key_default(i, def, sizeof def) != 0)
        return BN_EINVAL;
    const struct conf_key *k = &conf_keys[i];
    if (k->range)
        snprintf(range, sizeof range, "%llu to %llu, ", k->min, k->max);
    n = snprintf(out, size, "%s (%sdefault %s%s)", k->info.help, range, def,
                 k->note != NULL ? k->note : "");
    return n > 0 && (size_t)n < size ? 0 : BN_EINVAL;
}

void bnd_config_defaults(bnd_config *cfg)
{
    char def[BN_INVITE_HOST_MAX + 8];
    memset(cfg, 0, sizeof *cfg);
    /* through the parser, as binomed.conf would say it (test_srv_limits
     * checks that every default is a value its key takes) */
    for (size_t i = 0; i < NKEYS; i++)
        if (bnd_config_key_default(i, def, sizeof def) == 0)
            (void)bnd_config_set(cfg, conf_keys[i].info.key, def);
}

int bnd_config_set(bnd_config *cfg, const char *key, const char *val)
{
    unsigned long long v;
    size_t i;

    for (i = 0; i < NKEYS && strcmp(key, conf_keys[i].info.key) != 0; i++)
        ;
    if (i == NKEYS)
        return BN_ENOTFOUND;
    const struct conf_key *k = &conf_keys[i];
    char *field = (char *)cfg + k->off;
    switch (k->kind) {
    case K_LISTEN:
        return bnd_config_set_listen(cfg, val);
    case K_LOGLEVEL:
        return bnd_log_level_parse(val, &cfg->log_level) == 0 ? 0 : BN_EINVAL;
    default:
        break;
    }
    if (parse_uint(val, k->max, &v) != 0 || v < k->min)
        return BN_EINVAL;
    v *= k->mult;
    if (k->kind == K_UINT) {
        unsigned u = (unsigned)v;
        memcpy(field, &u, sizeof u);
    } else if (k->kind == K_SIZE) {
        size_t z = (size_t)v;
        memcpy(field, &z, sizeof z);
    } else {
        uint64_t w = v;
        memcpy(field, &w, sizeof w);
    }
    return 0;
}

unsigned bnd_config_prelogin_max(const bnd_config *cfg)
{
    unsigned n = cfg->prelogin_max ? cfg->prelogin_max : cfg->max_conns / 4;
    if (n == 0)
        n = 1;
    return n < cfg->max_conns ? n : cfg->max_conns;
}

int bnd_config_check(const bnd_config *cfg)
{
    if (cfg->wq_soft > cfg->wq_hard || cfg->map_initial > cfg->map_max)
        return BN_EINVAL;
    return 0;
}

static int conf_line(bnd_config *cfg, const char *key, const char *val)
{
    int rc = bnd_config_set(cfg, key, val);
    return rc == BN_ENOTFOUND ? BN_EINVAL : rc;
}

int bnd_config_load(bnd_config *cfg, const char *path, int *line)
{
    char buf[512];
    FILE *f = fopen(path, "r");
    int n = 0, rc = 0;

    *line = 0;
    if (f == NULL)
        return -errno;
    while (rc == 0 && fgets(buf, sizeof buf, f) != NULL) {
        char *p = buf, *eq;
        n++;
        buf[strcspn(buf, "\r\n")] = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        eq = strchr(p, '=');
        if (eq == NULL) {
            rc = BN_EINVAL;
            break;
        }
        *eq++ = '\0';
        rc = conf_line(cfg, p, eq);
    }
    fclose(f);
    if (rc != 0)
        *line = n;
    return rc;
}

int bnd_data_path(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    return n > 0 && (size_t)n < size ? 0 : BN_EINVAL;
}
