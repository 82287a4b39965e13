/*
 * bnd_server.c: the daemon as a whole: configuration and its table,
 * the server keys, sessions, and opening, running and stopping the
 * server (bnd_server.h). Issue 12 splits its bottom from its top.
 */
#include "bnd_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bnd_handlers.h"
#include "bnd_log.h"
#include "bnd_net.h"
#include "bnd_quota.h"
#include "bnd_rate.h"
#include "bnd_schema.h"
#include "bnd_writer.h"

/* ---- configuration ------------------------------------------------------ */

void bnd_config_defaults(bnd_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    bnd_config_set_listen(cfg, BND_DEFAULT_LISTEN);
    cfg->map_initial = BND_MAP_INITIAL_DEFAULT;
    cfg->map_max = BND_MAP_MAX_DEFAULT;
    cfg->max_conns = 1024;
    cfg->prelogin_max = 0; /* a quarter of max_conns */
    cfg->prelogin_per_addr = 16;
    cfg->conns_per_account = 8;
    cfg->max_inflight = 64;
    cfg->hs_timeout_ms = 3 * 1000;
    cfg->idle_timeout_ms = 10 * 60 * 1000;
    cfg->wq_soft = (size_t)1 << 20;
    cfg->wq_hard = (size_t)16 << 20;
    cfg->slow_reader_ms = 30 * 1000;
    cfg->rate_per_account = 200;
    cfg->rate_burst = 400;
    cfg->max_doc_bytes = (uint64_t)BND_MAX_DOC_MIB_DEFAULT << 20;
    cfg->audit_interval_ms = BND_AUDIT_INTERVAL_S_DEFAULT * 1000u;
    cfg->audit_canaries_max = BND_AUDIT_CANARIES_DEFAULT;
    cfg->quota_pair_bytes = (uint64_t)BND_QUOTA_PAIR_MIB_DEFAULT << 20;
    cfg->quota_account_bytes = (uint64_t)BND_QUOTA_ACCOUNT_MIB_DEFAULT << 20;
    cfg->frame_max = BN_FRAME_MAX;
    cfg->frame_max_prelogin = BN_FRAME_MAX_PRELOGIN;
    cfg->log_level = BND_LOG_INFO;
}

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

/* Every key of binomed.conf; each is also a flag of 'binomed run'
 * (--max-doc-mib for max_doc_mib). A number is min..max in the key's
 * unit, stored multiplied by mult. */
static const struct conf_key {
    bnd_config_key info;
    int kind;
    size_t off;
    unsigned long long min, max, mult;
} conf_keys[] = {
#define NUM(k, kind, field, min, max, mult, arg, help)                         \
    {                                                                          \
        {k, arg, help}, kind, offsetof(bnd_config, field), min, max, mult      \
    }
    {{"listen", "HOST:PORT",
      "address to listen on (default " BND_DEFAULT_LISTEN ")"},
     K_LISTEN,
     0,
     0,
     0,
     0},
    {{"log_level", "LEVEL", "error, warn, info (default) or debug"},
     K_LOGLEVEL,
     0,
     0,
     0,
     0},
    NUM("max_connections", K_UINT, max_conns, 1, 1000000, 1, "N",
        "connections at once; more are closed at accept (default 1024)"),
    NUM("prelogin_max", K_UINT, prelogin_max, 0, 1000000, 1, "N",
        "connections not logged in yet, all addresses together; a newcomer "
        "over it closes the oldest of them (default 0: a quarter of "
        "max_connections)"),
    NUM("prelogin_per_address", K_UINT, prelogin_per_addr, 1, 1000000, 1, "N",
        "connections not logged in yet from one address (an IPv6 /64); "
        "more are closed at accept (default 16)"),
    NUM("connections_per_account", K_UINT, conns_per_account, 1, 100000, 1, "N",
        "logged-in connections of one account at once; another login is "
        "refused (default 8)"),
    NUM("max_inflight", K_UINT, max_inflight, 1, 4096, 1, "N",
        "requests of one connection in flight (default 64)"),
    NUM("handshake_timeout_s", K_UINT, hs_timeout_ms, 1, 3600, 1000, "S",
        "from accept to logged in (default 3)"),
    NUM("idle_timeout_s", K_UINT, idle_timeout_ms, 1, 7 * 86400, 1000, "S",
        "a connection without a frame for this long closes (default 600)"),
    NUM("frame_max_kib", K_SIZE, frame_max, 352, BN_FRAME_MAX >> 10, 1024,
        "KIB", "largest frame once logged in (352 to 1024, default 1024)"),
    NUM("prelogin_frame_max", K_SIZE, frame_max_prelogin, 512,
        BN_FRAME_MAX_PRELOGIN, 1, "BYTES",
        "largest frame before login (512 to 4096, default 4096)"),
    NUM("reply_queue_soft_mib", K_SIZE, wq_soft, 1, 1024, 1u << 20, "MIB",
        "queued replies of a connection: stop reading it (default 1)"),
    NUM("reply_queue_hard_mib", K_SIZE, wq_hard, 1, 4096, 1u << 20, "MIB",
        "queued replies of a connection: close it at once (default 16)"),
    NUM("slow_reader_s", K_UINT, slow_reader_ms, 0, 86400, 1000, "S",
        "queued replies above the soft limit this long: close (default 30; "
        "0: never)"),
    NUM("rate_per_account", K_UINT, rate_per_account, 0, 1000000, 1, "N",
        "requests per second of an account, all its connections (default "
        "200; 0: no limit)"),
    NUM("rate_burst", K_UINT, rate_burst, 1, 10000000, 1, "N",
        "requests an account may send at once (default 400)"),
    NUM("map_initial_mib", K_SIZE, map_initial, 1, 1u << 20, 1u << 20, "MIB",
        "LMDB map size at start (default 64)"),
    NUM("map_max_mib", K_SIZE, map_max, 1, 1ull << 30, 1u << 20, "MIB",
        "LMDB map growth limit: the most the database may hold (default "
        "16384)"),
    NUM("max_doc_mib", K_U64, max_doc_bytes, 1, 1u << 20, 1u << 20, "MIB",
        "largest document (its ciphertext; default " BN_STRINGIFY(
            BND_MAX_DOC_MIB_DEFAULT) ")"),
    NUM("audit_canary_interval_s", K_UINT, audit_interval_ms, 0, 86400, 1000,
        "S",
        "an auditor's live audits with canaries: at most one per S seconds "
        "(default " BN_STRINGIFY(BND_AUDIT_INTERVAL_S_DEFAULT) "; 0: no "
                                                               "limit)"),
    NUM("audit_canaries_max", K_UINT, audit_canaries_max, 1,
        BN_AUDIT_CANARIES_MAX, 1, "N",
        "canaries in one live audit (1 to " BN_STRINGIFY(
            BN_AUDIT_CANARIES_MAX) ", default " BN_STRINGIFY(BND_AUDIT_CANARIES_DEFAULT) ")"),
    NUM("quota_pair_mib", K_U64, quota_pair_bytes, 1, 1u << 30, 1u << 20, "MIB",
        "what one pair may store: notes, objectives, documents, sessions "
        "(default " BN_STRINGIFY(BND_QUOTA_PAIR_MIB_DEFAULT) ")"),
    NUM("quota_account_mib", K_U64, quota_account_bytes, 1, 1u << 30, 1u << 20,
        "MIB",
        "what one account may store, all its pairs together "
        "(default " BN_STRINGIFY(BND_QUOTA_ACCOUNT_MIB_DEFAULT) ")"),
#undef NUM
};

#define NKEYS (sizeof conf_keys / sizeof conf_keys[0])

const bnd_config_key *bnd_config_key_at(size_t i)
{
    return i < NKEYS ? &conf_keys[i].info : NULL;
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

/* ---- keys -----------------------------------------------------------------
 */

#define KEY_MAGIC "BNDK"
#define KEY_VERSION 1
#define KEY_FILE_BYTES (4 + 1 + 32 + 32 + 64 + 32)

bnd_keys *bnd_keys_new(void)
{
    bnd_keys *k = sodium_malloc(sizeof *k);
    if (k != NULL)
        sodium_memzero(k, sizeof *k);
    return k;
}

void bnd_keys_free(bnd_keys *k)
{
    if (k != NULL)
        sodium_free(k); /* sodium_free wipes */
}

static int dir_path(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    return n > 0 && (size_t)n < size ? 0 : BN_EINVAL;
}

int bnd_keys_load(bnd_keys *k, const char *dir)
{
    char path[PATH_MAX];
    uint8_t *buf = NULL;
    uint8_t check[32];
    struct stat sb;
    int fd = -1, rc;

    rc = dir_path(path, sizeof path, dir, "server.key");
    if (rc != 0)
        return rc;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    buf = sodium_malloc(KEY_FILE_BYTES + 1);
    if (buf == NULL) {
        close(fd);
        return BN_ENOMEM;
    }
    rc = BN_ECORRUPT;
    if (fstat(fd, &sb) != 0 || sb.st_size != KEY_FILE_BYTES)
        goto out;
    if ((sb.st_mode & 077) != 0)
        bnd_log(BND_LOG_WARN, "keys.mode", "file=server.key mode=%03o want=600",
                (unsigned)(sb.st_mode & 0777));
    size_t got = 0;
    while (got < KEY_FILE_BYTES) {
        ssize_t r = read(fd, buf + got, KEY_FILE_BYTES - got);
        if (r <= 0) {
            rc = r < 0 ? -errno : BN_ECORRUPT;
            goto out;
        }
        got += (size_t)r;
    }
    if (memcmp(buf, KEY_MAGIC, 4) != 0)
        goto out;
    if (buf[4] != KEY_VERSION) {
        rc = BN_EVERSION;
        goto out;
    }
    memcpy(k->box_sk, buf + 5, 32);
    memcpy(k->box_pk, buf + 37, 32);
    memcpy(k->sign_sk, buf + 69, 64);
    memcpy(k->sign_pk, buf + 133, 32);
    crypto_scalarmult_base(check, k->box_sk);
    if (sodium_memcmp(check, k->box_pk, 32) != 0 ||
        sodium_memcmp(k->sign_sk + 32, k->sign_pk, 32) != 0) {
        sodium_memzero(k, sizeof *k);
        goto out;
    }
    rc = 0;
out:
    sodium_free(buf);
    close(fd);
    return rc;
}

int bnd_keys_save(const bnd_keys *k, const char *dir)
{
    char path[PATH_MAX];
    char pub[256], hex1[65], hex2[65];
    uint8_t *buf = sodium_malloc(KEY_FILE_BYTES);
    int rc;

    if (buf == NULL)
        return BN_ENOMEM;
    memcpy(buf, KEY_MAGIC, 4);
    buf[4] = KEY_VERSION;
    memcpy(buf + 5, k->box_sk, 32);
    memcpy(buf + 37, k->box_pk, 32);
    memcpy(buf + 69, k->sign_sk, 64);
    memcpy(buf + 133, k->sign_pk, 32);
    rc = dir_path(path, sizeof path, dir, "server.key");
    if (rc == 0)
        rc = bn_file_write_atomic(path, buf, KEY_FILE_BYTES, 0600);
    sodium_free(buf);
    if (rc != 0)
        return rc;
    bn_hex_encode(hex1, k->box_pk, 32);
    bn_hex_encode(hex2, k->sign_pk, 32);
    int n = snprintf(pub, sizeof pub, "box_pk=%s\nsign_pk=%s\n", hex1, hex2);
    rc = dir_path(path, sizeof path, dir, "server.pub");
    if (rc == 0)
        rc = bn_file_write_atomic(path, (const uint8_t *)pub, (size_t)n, 0644);
    return rc;
}

/* ---- sessions -------------------------------------------------------------
 */

void bnd_session_init(bnd_session *s, uint64_t conn_id, const bn_channel *ch,
                      bnd_reply_fn reply, bnd_release_fn release, void *user)
{
    memset(s, 0, sizeof *s);
    s->conn_id = conn_id;
    s->ch = ch;
    s->reply = reply;
    s->release = release;
    s->user = user;
    s->refs = 1;
}

void bnd_session_ref(bnd_session *s)
{
    s->refs++;
}

void bnd_session_unref(bnd_session *s)
{
    if (--s->refs == 0 && s->release != NULL)
        s->release(s);
}

/* ---- invitations ----------------------------------------------------------
 */

int bnd_invite_put(bnd_store *st, MDB_txn *txn,
                   const uint8_t token[BN_TOKEN_BYTES], uint64_t programme_id,
                   uint8_t role, int64_t expires, uint64_t created_by)
{
    uint8_t h[BN_HASH_BYTES];
    bn_rec_invite inv;

    memset(&inv, 0, sizeof inv);
    inv.programme_id = programme_id;
    inv.role = role;
    inv.created_by = created_by;
    inv.created = bn_now();
    inv.expires = expires;
    bn_hash(h, token, BN_TOKEN_BYTES);
    bnd_key k = bnd_key_invites(h);
    return bnd_rec_put(txn, bnd_store_dbi(st, BND_DB_INVITES), k.b, k.len,
                       &bn_desc_rec_invite, &inv, MDB_NOOVERWRITE);
}

struct invite_job {
    bnd_store *st;
    uint8_t token[BN_TOKEN_BYTES];
    uint8_t role;
    int64_t expires;
};

static int invite_write(MDB_txn *txn, void *arg)
{
    struct invite_job *j = arg;
    return bnd_invite_put(j->st, txn, j->token, 0, j->role, j->expires, 0);
}

/* Makes an admin or auditor invitation in an open store and formats its
 * code for host:port and the server key. */
static int make_invite(bnd_store *st, const bnd_keys *keys, const char *host,
                       uint16_t port, uint8_t role, unsigned days, char *code,
                       size_t codesize)
{
    struct invite_job j;
    bn_invite_code ic;
    int rc;

    if ((role != BN_ROLE_ADMIN && role != BN_ROLE_AUDITOR) || days < 1 ||
        days > BN_TTL_DAYS_MAX)
        return BN_EINVAL;
    memset(&j, 0, sizeof j);
    j.st = st;
    j.role = role;
    j.expires = bn_now() + (int64_t)days * 86400;
    randombytes_buf(j.token, sizeof j.token);
    rc = bnd_store_write(st, invite_write, &j);
    if (rc == 0) {
        memset(&ic, 0, sizeof ic);
        memcpy(ic.server_pk, keys->box_pk, 32);
        memcpy(ic.token, j.token, 32);
        snprintf(ic.host, sizeof ic.host, "%s", host);
        ic.port = port;
        rc = bn_invite_format(code, codesize, &ic);
        sodium_memzero(&ic, sizeof ic);
    }
    sodium_memzero(&j, sizeof j);
    return rc;
}

int bnd_invite_offline(const bnd_config *cfg, uint8_t role, unsigned days,
                       char *code, size_t codesize)
{
    bnd_store_opts o = {cfg->map_initial, cfg->map_max, 0, 0};
    bnd_store *st = NULL;
    bnd_keys *keys = bnd_keys_new();
    int rc;

    if (keys == NULL)
        return BN_ENOMEM;
    rc = bnd_keys_load(keys, cfg->data_dir);
    if (rc == 0)
        rc = bnd_store_open(&st, cfg->data_dir, &o);
    if (rc == 0)
        rc = make_invite(st, keys, cfg->host, cfg->port, role, days, code,
                         codesize);
    bnd_store_close(st);
    bnd_keys_free(keys);
    return rc;
}

/* ---- data directory -------------------------------------------------------
 */

int bnd_datadir_init(const char *dir, const char *listen, char *code,
                     size_t codesize)
{
    char path[PATH_MAX], conf[BN_INVITE_HOST_MAX + 64];
    bnd_config cfg;
    bnd_store_opts o = {0, 0, 1, 0};
    bnd_store *st = NULL;
    bnd_keys *keys = NULL;
    struct stat sb;
    int rc;

    bnd_config_defaults(&cfg);
    if (listen != NULL && bnd_config_set_listen(&cfg, listen) != 0)
        return BN_EINVAL;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -errno;
    if (stat(dir, &sb) != 0)
        return -errno;
    if (!S_ISDIR(sb.st_mode))
        return -ENOTDIR;
    if (dir_path(path, sizeof path, dir, "server.key") != 0)
        return BN_EINVAL;
    if (stat(path, &sb) == 0)
        return BN_EEXIST;
    if (dir_path(path, sizeof path, dir, "data.mdb") != 0)
        return BN_EINVAL;
    if (stat(path, &sb) == 0)
        return BN_EEXIST;

    keys = bnd_keys_new();
    if (keys == NULL)
        return BN_ENOMEM;
    crypto_box_keypair(keys->box_pk, keys->box_sk);
    crypto_sign_keypair(keys->sign_pk, keys->sign_sk);
    rc = bnd_store_open(&st, dir, &o);
    if (rc != 0)
        goto out;
    rc = make_invite(st, keys, cfg.host, cfg.port, BN_ROLE_ADMIN,
                     BND_INVITE_DAYS_DEFAULT, code, codesize);
    if (rc != 0)
        goto out;
    int n = snprintf(conf, sizeof conf,
                     "# binomed configuration\nlisten=%s%s%s:%u\n",
                     strchr(cfg.host, ':') ? "[" : "", cfg.host,
                     strchr(cfg.host, ':') ? "]" : "", (unsigned)cfg.port);
    rc = dir_path(path, sizeof path, dir, "binomed.conf");
    if (rc == 0)
        rc = bn_file_write_atomic(path, (const uint8_t *)conf, (size_t)n, 0644);
    /* server.key last: its presence marks a finished init. */
    if (rc == 0)
        rc = bnd_keys_save(keys, dir);
out:
    bnd_store_close(st);
    bnd_keys_free(keys);
    return rc;
}

/* ---- the server -----------------------------------------------------------
 */

/* ---- abandoned uploads ------------------------------------------------ */

#define GC_BUDGET 4096u /* chunks deleted in one writer transaction */

static int gc_apply(bnd_job *j, MDB_txn *txn)
{
    bnd_gc_job *g = (bnd_gc_job *)j;
    int rc = bnd_doc_gc(g->srv->store, txn, bn_now(), GC_BUDGET);
    g->more = rc == 1;
    return rc < 0 ? rc : 0;
}

static void gc_failed(bnd_job *j, int rc)
{
    (void)j;
    bnd_log(BND_LOG_ERROR, "doc.gc", "result=%s", bn_err_name(rc));
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

void bnd_server_stop(bnd_server *srv)
{
    if (srv->stopping)
        return;
    srv->stopping = 1;
    bnd_log(BND_LOG_INFO, "stopping", "connections=%u writes_in_flight=%u",
            bnd_net_conn_count(srv->net), bnd_writer_pending(srv->writer));
    bnd_net_stop_accepting(srv->net);
    if (bnd_writer_pending(srv->writer) == 0)
        finish_stop(srv);
    else
        bnd_writer_set_idle_cb(srv->writer, finish_stop, srv);
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
