/*
 * main.c: the binomed command line. Subcommands and options are tables;
 * usage text is generated from them. Only this file prints to stdout or
 * exits: explanations and errors go to stderr, an invitation code alone
 * to stdout.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bnd_audit.h"
#include "bnd_backup.h"
#include "bnd_log.h"
#include "bnd_schema.h"
#include "bnd_server.h"
#include "bnd_status.h"
#include "bnd_upgrade.h"

#define EXIT_USAGE 2

enum {
    CMD_RUN = 1,
    CMD_INIT = 2,
    CMD_INVITE = 4,
    CMD_AUDIT = 8,
    CMD_BACKUP = 16,
    CMD_UPGRADE = 32,
    CMD_STATUS = 64
};

enum opt_id {
    O_DATA,
    O_LISTEN,
    O_LOG_LEVEL,
    O_ROLE,
    O_DAYS,
    O_CANARY,
    O_JSON,
    O_SCHEMA,
    O_LAYOUT,
    O_TO,
    O_COUNT
};

static const struct opt {
    const char *name;
    const char *arg;   /* NULL: a flag without a value */
    unsigned cmds;     /* subcommands that accept it */
    unsigned required; /* subcommands that need it */
    const char *help;
} opts[O_COUNT] = {
    [O_DATA] = {"data", "DIR",
                CMD_RUN | CMD_INIT | CMD_INVITE | CMD_AUDIT | CMD_BACKUP |
                    CMD_UPGRADE | CMD_STATUS,
                CMD_RUN | CMD_INIT | CMD_INVITE | CMD_BACKUP | CMD_UPGRADE |
                    CMD_STATUS,
                "the data directory"},
    [O_LISTEN] = {"listen", "HOST:PORT", CMD_RUN | CMD_INIT, 0,
                  "address to listen on (default " BND_DEFAULT_LISTEN
                  "; overrides binomed.conf)"},
    [O_LOG_LEVEL] = {"log-level", "LEVEL", CMD_RUN, 0,
                     "error, warn, info (default) or debug (overrides "
                     "binomed.conf)"},
    [O_ROLE] = {"role", "admin|auditor", CMD_INVITE, CMD_INVITE,
                "role of the account the invitation creates"},
    [O_DAYS] =
        {"days", "N", CMD_INVITE, 0,
         "days until the invitation expires (default " BN_STRINGIFY(
             BND_INVITE_DAYS_DEFAULT) ", at most " BN_STRINGIFY(BN_TTL_DAYS_MAX) ")"},
    [O_CANARY] = {"canary", "FILE", CMD_AUDIT, 0,
                  "plaintext canaries, one a line (1 to " BN_STRINGIFY(
                      BND_AUDIT_CANARY_MAX) " bytes), to search in every "
                                            "file of DIR; repeatable"},
    [O_JSON] = {"json", NULL, CMD_AUDIT | CMD_STATUS, 0,
                "the report as one JSON object"},
    [O_SCHEMA] = {"schema", NULL, CMD_AUDIT, 0,
                  "print the table of every stored field (Markdown: "
                  "database, field, clear or ciphertext, why); no --data"},
    [O_LAYOUT] = {"layout", NULL, CMD_AUDIT, 0,
                  "print the storage layout (each database, its key parts "
                  "and record type: bnd_layout.h); no --data"},
    [O_TO] = {"to", "DIR", CMD_BACKUP, CMD_BACKUP,
              "where the copy goes: a new or empty directory"},
};

/* --canary may be given several times. */
#define CANARY_FILES_MAX 16
static const char *canary_files[CANARY_FILES_MAX];
static int ncanary_files;

/* binomed.conf keys given as flags of 'binomed run' (--max-doc-mib 64):
 * applied after the file, so a flag wins. */
#define OVERRIDES_MAX 32
static struct override {
    char key[40];
    const char *val;
} overrides[OVERRIDES_MAX];
static int noverrides;

typedef int (*cmd_fn)(const char *val[O_COUNT]);

static int cmd_run(const char *val[O_COUNT]);
static int cmd_init(const char *val[O_COUNT]);
static int cmd_invite(const char *val[O_COUNT]);
static int cmd_audit(const char *val[O_COUNT]);
static int cmd_backup(const char *val[O_COUNT]);
static int cmd_upgrade(const char *val[O_COUNT]);
static int cmd_status(const char *val[O_COUNT]);

static const struct cmd {
    const char *name;
    unsigned id;
    cmd_fn fn;
    const char *summary;
    const char *detail; /* more, for 'binomed COMMAND --help'; may be NULL */
} cmds[] = {
    {"run", CMD_RUN, cmd_run, "serve the data directory (the default command)",
     NULL},
    {"init", CMD_INIT, cmd_init,
     "create a data directory, the server keys and the first "
     "administrator invitation (printed on stdout)",
     NULL},
    {"invite", CMD_INVITE, cmd_invite,
     "make an administrator or auditor invitation offline (printed on "
     "stdout); works while the daemon runs",
     NULL},
    {"audit", CMD_AUDIT, cmd_audit,
     "check the stored data, read-only, while the daemon runs",
     "Every record of every database is read: each note, objective text, "
     "document key,\nheader and chunk, and each wrapped pair key must be a "
     "well-formed ciphertext,\nno two envelopes may share a nonce, "
     "ciphertext must look random (chi-square),\nand every record must "
     "decode with its declared schema. Each --canary line is\nsearched in "
     "every file of DIR, raw. The report lists what the server stores in\n"
     "clear and in ciphertext, then each finding with its database and key "
     "(hex).\nExit status: 0 clean, 1 any finding or error, 2 usage. "
     "Run it as the daemon's\nuser: LMDB registers the reader in "
     "lock.mdb."},
    {"backup", CMD_BACKUP, cmd_backup,
     "hot, consistent copy of the data directory while the daemon runs",
     "data.mdb is copied from one read transaction (compacted), then "
     "server.key\n(mode 0600), server.pub and binomed.conf; all fsynced. "
     "To restore, stop the\ndaemon and start one on the copy "
     "('binomed --data TO')."},
    {"upgrade", CMD_UPGRADE, cmd_upgrade,
     "convert a data directory of the previous release (schema 3) to this "
     "one's (schema 4)",
     "Stop the old daemon first. A hot backup of DIR is made beside it "
     "first\n(DIR/../NAME.schema3-backup-TIMESTAMP); when it cannot be made, "
     "nothing changes.\nThen, in one transaction: sessions take the seq of "
     "their log entry as id (notes\nfollow), key wraps, accept records and "
     "documents get their new fields; log\nentries stay as they were "
     "signed (version 1). Run 'binomed audit --data DIR'\nafterwards, then "
     "start the daemon."},
    {"status", CMD_STATUS, cmd_status,
     "what the data directory tells, read-only, while the daemon runs or "
     "not",
     "LMDB's map size and how much of it is used, the pages on its free "
     "list (reused\nbefore data.mdb grows), the last commit, the reader "
     "slots, then for each\ndatabase its records and pages (mdb_env_info, "
     "mdb_env_stat, mdb_stat). Counts\nand sizes only: nothing names a "
     "pair, an account or what a member wrote. Run it\nas the daemon's "
     "user: LMDB registers the reader in lock.mdb."},
};

#define NCMDS (sizeof cmds / sizeof cmds[0])

static void usage_cmd(FILE *f, const struct cmd *c)
{
    fprintf(f, "usage: binomed %s", c->name);
    for (int i = 0; i < O_COUNT; i++) {
        if (!(opts[i].cmds & c->id))
            continue;
        int req = (opts[i].required & c->id) != 0;
        fprintf(f, " %s--%s%s%s%s%s", req ? "" : "[", opts[i].name,
                opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "",
                req ? "" : "]", i == O_CANARY ? "..." : "");
    }
    fprintf(f, "\n\n%s\n", c->summary);
    if (c->detail != NULL)
        fprintf(f, "\n%s\n", c->detail);
    fprintf(f, "\noptions:\n");
    for (int i = 0; i < O_COUNT; i++)
        if (opts[i].cmds & c->id)
            fprintf(f, "  --%-10s %-14s %s\n", opts[i].name,
                    opts[i].arg ? opts[i].arg : "", opts[i].help);
    fprintf(f, "  --%-10s %-14s %s\n", "help", "", "show this help");
    if (c->id != CMD_RUN)
        return;
    fprintf(f, "\nlimits and settings: a KEY=VALUE line of DIR/binomed.conf, "
               "or the flag --KEY VALUE\n(underscores as dashes: "
               "--max-doc-mib 64); a flag wins over the file:\n");
    for (size_t i = 0; bnd_config_key_at(i) != NULL; i++) {
        const bnd_config_key *k = bnd_config_key_at(i);
        char help[512];
        if (bnd_config_key_usage(i, help, sizeof help) != 0)
            snprintf(help, sizeof help, "%s", k->help);
        fprintf(f, "  %-23s %-9s %s\n", k->key, k->arg, help);
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: binomed [COMMAND] [OPTIONS]\n"
               "       binomed --data DIR [--listen HOST:PORT]   (run)\n"
               "       binomed --version\n\n"
               "binomed is binome's server: it stores and relays encrypted "
               "session notes.\n\ncommands:\n");
    for (size_t i = 0; i < NCMDS; i++)
        fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(f, "\n'binomed COMMAND --help' describes a command's options.\n");
}

/* Records --name (a binomed.conf key with dashes) with its value v (may be
 * NULL: the caller complains): 1 when name is such a key, else 0. */
static int conf_flag(const char *name, size_t nlen, const char *v)
{
    char key[sizeof overrides[0].key];
    if (nlen >= sizeof key || noverrides == OVERRIDES_MAX)
        return 0;
    for (size_t i = 0; i < nlen; i++)
        key[i] = name[i] == '-' ? '_' : name[i];
    key[nlen] = '\0';
    for (size_t i = 0; bnd_config_key_at(i) != NULL; i++) {
        if (strcmp(bnd_config_key_at(i)->key, key) != 0)
            continue;
        memcpy(overrides[noverrides].key, key, nlen + 1);
        overrides[noverrides].val = v;
        if (v != NULL)
            noverrides++;
        return 1;
    }
    return 0;
}

/* Parses argv (options only) for c into val: 0, or 1 after --help, or
 * EXIT_USAGE after a message. */
static int parse_opts(const struct cmd *c, int argc, char **argv,
                      const char *val[O_COUNT])
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage_cmd(stdout, c);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "binomed %s: unexpected argument '%s'\n", c->name,
                    a);
            goto bad;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        int o;
        for (o = 0; o < O_COUNT; o++)
            if (strlen(opts[o].name) == nlen &&
                strncmp(opts[o].name, name, nlen) == 0)
                break;
        const char *v = eq != NULL ? eq + 1 : i + 1 < argc ? argv[i + 1] : NULL;
        if (o == O_COUNT && c->id == CMD_RUN && conf_flag(name, nlen, v)) {
            if (v == NULL) {
                fprintf(stderr, "binomed run: %s needs a value\n", a);
                goto bad;
            }
            i += eq == NULL;
            continue;
        }
        if (o == O_COUNT || !(opts[o].cmds & c->id)) {
            fprintf(stderr, "binomed %s: unknown option '%s'\n", c->name, a);
            goto bad;
        }
        if (opts[o].arg == NULL) {
            if (eq != NULL) {
                fprintf(stderr, "binomed %s: --%s takes no value\n", c->name,
                        opts[o].name);
                goto bad;
            }
            val[o] = "1";
        } else if (o == O_CANARY && v != NULL) {
            if (ncanary_files == CANARY_FILES_MAX) {
                fprintf(stderr, "binomed %s: at most %d --canary files\n",
                        c->name, CANARY_FILES_MAX);
                goto bad;
            }
            canary_files[ncanary_files++] = val[o] = v;
            i += eq == NULL;
        } else if (v != NULL) {
            val[o] = v;
            i += eq == NULL;
        } else {
            fprintf(stderr, "binomed %s: --%s needs %s\n", c->name,
                    opts[o].name, opts[o].arg);
            goto bad;
        }
    }
    if (c->id == CMD_AUDIT && val[O_SCHEMA] == NULL && val[O_LAYOUT] == NULL &&
        val[O_DATA] == NULL) {
        fprintf(stderr, "binomed audit: --data DIR is required (or --schema "
                        "or --layout)\n");
        goto bad;
    }
    for (int o = 0; o < O_COUNT; o++) {
        if ((opts[o].required & c->id) && val[o] == NULL) {
            fprintf(stderr, "binomed %s: --%s %s is required\n", c->name,
                    opts[o].name, opts[o].arg);
            goto bad;
        }
    }
    return 0;
bad:
    fprintf(stderr, "Try 'binomed %s --help'.\n", c->name);
    return EXIT_USAGE;
}

/* Fills cfg from defaults, DIR/binomed.conf and --listen: 0 or an exit
 * status after a message. */
static int load_config(bnd_config *cfg, const char *val[O_COUNT])
{
    char path[PATH_MAX + 16];
    struct stat sb;
    int line = 0, rc;

    bnd_config_defaults(cfg);
    if (strlen(val[O_DATA]) >= sizeof cfg->data_dir) {
        fprintf(stderr, "binomed: data directory path too long\n");
        return 1;
    }
    strcpy(cfg->data_dir, val[O_DATA]);
    snprintf(path, sizeof path, "%s/server.key", cfg->data_dir);
    if (stat(path, &sb) != 0) {
        fprintf(stderr,
                "binomed: %s is not an initialised data directory; run "
                "'binomed init --data %s' first\n",
                cfg->data_dir, cfg->data_dir);
        return 1;
    }
    snprintf(path, sizeof path, "%s/binomed.conf", cfg->data_dir);
    rc = bnd_config_load(cfg, path, &line);
    if (rc != 0 && rc != -ENOENT) {
        fprintf(stderr, "binomed: %s:%d: %s\n", path, line,
                rc == BN_EINVAL ? "invalid line: unknown key or value out "
                                  "of range (see 'binomed run --help')"
                                : bn_strerror(rc));
        return 1;
    }
    for (int i = 0; i < noverrides; i++) {
        if (bnd_config_set(cfg, overrides[i].key, overrides[i].val) != 0) {
            fprintf(stderr,
                    "binomed: invalid value '%s' for %s (see 'binomed run "
                    "--help')\n",
                    overrides[i].val, overrides[i].key);
            return EXIT_USAGE;
        }
    }
    if (val[O_LISTEN] != NULL &&
        bnd_config_set_listen(cfg, val[O_LISTEN]) != 0) {
        fprintf(stderr,
                "binomed: invalid --listen '%s'; use HOST:PORT, e.g. "
                "127.0.0.1:7450\n",
                val[O_LISTEN]);
        return EXIT_USAGE;
    }
    if (val[O_LOG_LEVEL] != NULL &&
        bnd_config_set(cfg, "log_level", val[O_LOG_LEVEL]) != 0) {
        fprintf(stderr, "binomed: --log-level is error, warn, info or "
                        "debug\n");
        return EXIT_USAGE;
    }
    if (bnd_config_check(cfg) != 0) {
        fprintf(stderr, "binomed: reply_queue_soft_mib must not exceed "
                        "reply_queue_hard_mib, nor map_initial_mib "
                        "map_max_mib\n");
        return EXIT_USAGE;
    }
    return 0;
}

/*
 * lock_data takes the data directory's lock for subcommand cmd (the daemon
 * or upgrade: one process at a time writes a data directory) into *fd.
 * Says on stderr who holds it and returns 1 when it is held or cannot be
 * taken; a directory that does not exist is left to the open that
 * follows (its message says what to do), with *fd = -1.
 */
static int lock_data(const char *cmd, const char *dir, int *fd)
{
    long pid = 0;
    int rc = bnd_datadir_lock(dir, fd, &pid);

    if (rc == 0 || rc == -ENOENT)
        return 0;
    if (rc == -EWOULDBLOCK && pid > 0)
        fprintf(stderr,
                "binomed%s%s: %s is already in use by another binomed (pid "
                "%ld): one process at a time serves a data directory; stop "
                "that one first (kill %ld), or give another --data\n",
                cmd[0] ? " " : "", cmd, dir, pid, pid);
    else if (rc == -EWOULDBLOCK)
        fprintf(stderr,
                "binomed%s%s: %s is already in use by another binomed: one "
                "process at a time serves a data directory; stop that one "
                "first, or give another --data\n",
                cmd[0] ? " " : "", cmd, dir);
    else
        fprintf(stderr,
                "binomed%s%s: cannot lock %s/%s: %s; run it as the daemon's "
                "user\n",
                cmd[0] ? " " : "", cmd, dir, BND_LOCK_FILE, bn_strerror(rc));
    return 1;
}

static int cmd_run(const char *val[O_COUNT])
{
    bnd_config cfg;
    bnd_server *srv = NULL;
    uv_loop_t loop;
    int rc, lock = -1;

    /* A peer that closes while a reply is being written must cost a
     * connection (EPIPE), not the daemon. */
    signal(SIGPIPE, SIG_IGN);
    rc = load_config(&cfg, val);
    if (rc != 0)
        return rc;
    bnd_log_set_level(cfg.log_level);
    /* Before the store opens: a second daemon on the same directory would
     * serve it on another port, each with its own writer. */
    if (lock_data("", cfg.data_dir, &lock) != 0)
        return 1;
    if (uv_loop_init(&loop) != 0) {
        fprintf(stderr, "binomed: cannot create the event loop\n");
        bnd_datadir_unlock(lock);
        return 1;
    }
    rc = bnd_server_open(&srv, &cfg, &loop);
    uint32_t version = 0;
    if (rc == BN_EVERSION &&
        bnd_upgrade_schema_of(cfg.data_dir, &version) == 0 &&
        version == BND_SCHEMA_UPGRADE_FROM) {
        fprintf(stderr,
                "binomed: %s holds data of the previous release (schema "
                "%u); this binomed reads schema %d. Convert it once with "
                "'binomed upgrade --data %s' (it backs it up first), then "
                "start the daemon again\n",
                cfg.data_dir, (unsigned)version, BND_SCHEMA_VERSION,
                cfg.data_dir);
        uv_loop_close(&loop);
        bnd_datadir_unlock(lock);
        return 1;
    }
    if (rc != 0) {
        fprintf(stderr, "binomed: cannot open %s: %s\n", cfg.data_dir,
                bn_strerror(rc));
        uv_loop_close(&loop);
        bnd_datadir_unlock(lock);
        return 1;
    }
    rc = bnd_server_listen(srv, 1);
    if (rc != 0) {
        fprintf(stderr, "binomed: cannot listen on %s:%u: %s%s\n", cfg.host,
                (unsigned)cfg.port,
                rc == BN_EINVAL ? "not a numeric address" : uv_strerror(rc),
                rc == BN_EINVAL ? " (use e.g. 127.0.0.1)" : "");
        bnd_server_close(srv);
        uv_loop_close(&loop);
        bnd_datadir_unlock(lock);
        return 1;
    }
    bnd_log(BND_LOG_INFO, "started",
            "version=%s listen=%s:%u pid=%ld max_connections=%u "
            "prelogin_max=%u prelogin_per_address=%u "
            "connections_per_account=%u handshake_timeout_s=%u "
            "max_doc_mib=%llu",
            BND_VERSION, cfg.host, (unsigned)srv->bound_port, (long)getpid(),
            cfg.max_conns, bnd_config_prelogin_max(&cfg), cfg.prelogin_per_addr,
            cfg.conns_per_account, cfg.hs_timeout_ms / 1000,
            (unsigned long long)(cfg.max_doc_bytes >> 20));
    uv_run(&loop, UV_RUN_DEFAULT);
    bnd_server_close(srv);
    uv_loop_close(&loop);
    bnd_datadir_unlock(lock);
    bnd_log(BND_LOG_INFO, "stopped", NULL);
    return 0;
}

static void warn_address(const char *host)
{
    if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
        fprintf(stderr,
                "binomed: warning: the code carries the listen address %s, "
                "which clients cannot reach; edit its end to the server's "
                "public HOST:PORT\n",
                host);
}

static int cmd_init(const char *val[O_COUNT])
{
    char code[BN_INVITE_CODE_MAX + 1];
    const char *listen = val[O_LISTEN] ? val[O_LISTEN] : BND_DEFAULT_LISTEN;
    bnd_config cfg;
    int rc;

    bnd_config_defaults(&cfg);
    if (bnd_config_set_listen(&cfg, listen) != 0) {
        fprintf(stderr,
                "binomed init: invalid --listen '%s'; use HOST:PORT, e.g. "
                "127.0.0.1:7450\n",
                listen);
        return EXIT_USAGE;
    }
    rc = bnd_datadir_init(val[O_DATA], listen, code, sizeof code);
    if (rc == BN_EEXIST) {
        fprintf(stderr,
                "binomed init: %s is already initialised; nothing changed "
                "(use 'binomed invite' for another invitation)\n",
                val[O_DATA]);
        return 1;
    }
    if (rc != 0) {
        fprintf(stderr, "binomed init: %s: %s\n", val[O_DATA], bn_strerror(rc));
        return 1;
    }
    fprintf(stderr,
            "binomed: initialised %s (listen=%s). The invitation below "
            "makes the first administrator; it is valid %u days, once:\n"
            "  binome join CODE --name NAME\n",
            val[O_DATA], listen, BND_INVITE_DAYS_DEFAULT);
    warn_address(cfg.host);
    printf("%s\n", code);
    sodium_memzero(code, sizeof code);
    return fflush(stdout) == 0 ? 0 : 1;
}

static int cmd_invite(const char *val[O_COUNT])
{
    char code[BN_INVITE_CODE_MAX + 1];
    bnd_config cfg;
    uint8_t role;
    unsigned long days = BND_INVITE_DAYS_DEFAULT;
    int rc;

    if (strcmp(val[O_ROLE], "admin") == 0) {
        role = BN_ROLE_ADMIN;
    } else if (strcmp(val[O_ROLE], "auditor") == 0) {
        role = BN_ROLE_AUDITOR;
    } else {
        fprintf(stderr, "binomed invite: --role is admin or auditor (mentors "
                        "and mentees are invited by an administrator: "
                        "'binome admin invite')\n");
        return EXIT_USAGE;
    }
    if (val[O_DAYS] != NULL) {
        char *end = NULL;
        errno = 0;
        days = strtoul(val[O_DAYS], &end, 10);
        if (errno != 0 || *end != '\0' || val[O_DAYS][0] == '-' || days < 1 ||
            days > BN_TTL_DAYS_MAX) {
            fprintf(stderr, "binomed invite: --days is a number from 1 to "
                            "365\n");
            return EXIT_USAGE;
        }
    }
    rc = load_config(&cfg, val);
    if (rc != 0)
        return rc;
    rc = bnd_invite_offline(&cfg, role, (unsigned)days, code, sizeof code);
    if (rc != 0) {
        fprintf(stderr, "binomed invite: %s: %s\n", cfg.data_dir,
                bn_strerror(rc));
        return 1;
    }
    fprintf(stderr, "binomed: %s invitation, valid %lu days, once\n",
            val[O_ROLE], days);
    warn_address(cfg.host);
    printf("%s\n", code);
    sodium_memzero(code, sizeof code);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- audit and backup --------------------------------------------------- */

#define CANARIES_MAX 64

typedef struct canaries {
    bnd_audit_canary v[CANARIES_MAX];
    uint8_t *bytes[CANARIES_MAX];
    size_t n;
} canaries;

static void canaries_free(canaries *c)
{
    for (size_t i = 0; i < c->n; i++) {
        sodium_memzero(c->bytes[i], c->v[i].len);
        free(c->bytes[i]);
    }
    c->n = 0;
}

/* read_canaries adds every non-empty line of path (without its line end):
 * 0, or an exit status after a message. */
static int read_canaries(const char *path, canaries *c)
{
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0, lineno = 0;

    if (f == NULL) {
        fprintf(stderr, "binomed audit: cannot read %s: %s\n", path,
                strerror(errno));
        return 1;
    }
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        if ((size_t)len > BND_AUDIT_CANARY_MAX) {
            fprintf(stderr,
                    "binomed audit: %s:%d: a canary is at most %u "
                    "bytes\n",
                    path, lineno, BND_AUDIT_CANARY_MAX);
            rc = EXIT_USAGE;
        } else if (c->n == CANARIES_MAX) {
            fprintf(stderr, "binomed audit: at most %d canaries in all\n",
                    CANARIES_MAX);
            rc = EXIT_USAGE;
        } else if ((c->bytes[c->n] = malloc((size_t)len)) == NULL) {
            fprintf(stderr, "binomed audit: out of memory\n");
            rc = 1;
        } else {
            memcpy(c->bytes[c->n], line, (size_t)len);
            c->v[c->n].bytes = c->bytes[c->n];
            c->v[c->n].len = (size_t)len;
            c->n++;
        }
    }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "binomed audit: cannot read %s\n", path);
        rc = 1;
    }
    if (line != NULL)
        sodium_memzero(line, cap);
    free(line);
    fclose(f);
    return rc;
}

/* open_hint explains why a data directory could not be opened. */
static void open_hint(const char *cmd, const char *dir, int rc)
{
    if (rc == -ENOENT)
        fprintf(stderr,
                "binomed %s: %s is not an initialised data directory (no "
                "data.mdb or server.key)\n",
                cmd, dir);
    else if (rc == -EACCES || rc == -EPERM || rc == -EROFS)
        fprintf(stderr,
                "binomed %s: %s: %s; run it as the daemon's user: LMDB "
                "records each reader in lock.mdb, which must be writable\n",
                cmd, dir, bn_strerror(rc));
    else
        fprintf(stderr, "binomed %s: %s: %s\n", cmd, dir, bn_strerror(rc));
}

static int cmd_audit(const char *val[O_COUNT])
{
    canaries c = {0};
    bnd_audit_report r;
    int rc = 0;

    if (val[O_SCHEMA] != NULL)
        return bnd_audit_schema_write_md(stdout) == 0 && fflush(stdout) == 0
                   ? 0
                   : 1;
    if (val[O_LAYOUT] != NULL)
        return bnd_layout_write(stdout, "") == 0 && fflush(stdout) == 0 ? 0 : 1;
    for (int i = 0; i < ncanary_files && rc == 0; i++)
        rc = read_canaries(canary_files[i], &c);
    if (rc != 0) {
        canaries_free(&c);
        return rc;
    }
    bnd_audit_report_init(&r, 100000);
    rc = bnd_audit_offline(val[O_DATA], c.v, c.n, &r);
    canaries_free(&c);
    if (rc != 0) {
        open_hint("audit", val[O_DATA], rc);
        bnd_audit_report_free(&r);
        return 1;
    }
    if (val[O_JSON] != NULL)
        rc = bnd_audit_report_write_json(stdout, &r);
    else
        rc = bnd_audit_report_write_text(stdout, &r);
    if (fflush(stdout) != 0)
        rc = BN_EIO;
    if (rc == 0 && r.nfindings_total > 0) {
        fprintf(stderr,
                "binomed audit: %llu finding%s, listed above with the "
                "database and the key (hex) of each record\n",
                (unsigned long long)r.nfindings_total,
                r.nfindings_total == 1 ? "" : "s");
        rc = 1;
    }
    bnd_audit_report_free(&r);
    return rc == 0 ? 0 : 1;
}

static int cmd_backup(const char *val[O_COUNT])
{
    bnd_backup_info info;
    int rc = bnd_backup(val[O_DATA], val[O_TO], &info);

    if (rc == BN_EEXIST) {
        fprintf(stderr,
                "binomed backup: %s is not empty; give a new or empty "
                "directory\n",
                val[O_TO]);
        return 1;
    }
    if (rc != 0) {
        open_hint("backup", val[O_DATA], rc);
        return 1;
    }
    fprintf(stderr,
            "binomed: backed up %s to %s: data.mdb %.1f MiB (compacted) and "
            "%u other files.\nTo restore: stop the daemon, then run "
            "'binomed --data %s' (or copy it back)\n",
            val[O_DATA], val[O_TO], (double)info.data_bytes / 1048576.0,
            info.files - 1, val[O_TO]);
    return 0;
}

static int cmd_upgrade(const char *val[O_COUNT])
{
    bnd_upgrade_info info;
    int lock = -1, rc;

    if (lock_data("upgrade", val[O_DATA], &lock) != 0)
        return 1;
    rc = bnd_upgrade(val[O_DATA], &info);
    bnd_datadir_unlock(lock);

    if (rc == BN_EEXIST) {
        fprintf(stderr,
                "binomed upgrade: %s is already of schema %d; nothing to "
                "do\n",
                val[O_DATA], BND_SCHEMA_VERSION);
        return 0;
    }
    if (rc == BN_EVERSION) {
        fprintf(stderr,
                "binomed upgrade: %s is of a schema this binomed cannot "
                "convert (it converts schema %d only); nothing changed\n",
                val[O_DATA], BND_SCHEMA_UPGRADE_FROM);
        return 1;
    }
    if (rc != 0 && info.backup[0] != '\0' && !info.backed_up) {
        fprintf(stderr,
                "binomed upgrade: cannot back up %s to %s: %s; nothing "
                "changed\n",
                val[O_DATA], info.backup, bn_strerror(rc));
        return 1;
    }
    if (rc != 0) {
        open_hint("upgrade", val[O_DATA], rc);
        fprintf(stderr, "binomed upgrade: nothing changed%s%s\n",
                info.backup[0] ? "; a backup is in " : "", info.backup);
        return 1;
    }
    fprintf(stderr,
            "binomed: upgraded %s to schema %d (backup of schema %d in %s): "
            "%llu sessions renumbered, %llu notes moved with them, %llu key "
            "wraps, %llu accepts, %llu documents rewritten.\nCheck it with "
            "'binomed audit --data %s', then start the daemon.\n",
            val[O_DATA], BND_SCHEMA_VERSION, BND_SCHEMA_UPGRADE_FROM,
            info.backup, (unsigned long long)info.sessions,
            (unsigned long long)info.notes, (unsigned long long)info.wraps,
            (unsigned long long)info.accepts, (unsigned long long)info.docs,
            val[O_DATA]);
    return 0;
}

static int cmd_status(const char *val[O_COUNT])
{
    bnd_status s;
    int rc = bnd_status_read(val[O_DATA], &s);

    if (rc != 0) {
        open_hint("status", val[O_DATA], rc);
        return 1;
    }
    if (val[O_JSON] != NULL)
        rc = bnd_status_write_json(stdout, &s);
    else
        rc = bnd_status_write_text(stdout, val[O_DATA], &s);
    if (fflush(stdout) != 0)
        rc = BN_EIO;
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const struct cmd *c = &cmds[0];
    const char *val[O_COUNT] = {0};
    int first = 1;

    if (argc >= 2) {
        if (strcmp(argv[1], "--version") == 0) {
            printf("binomed %s\n", BND_VERSION);
            return 0;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
            strcmp(argv[1], "help") == 0) {
            usage(stdout);
            return 0;
        }
        if (argv[1][0] != '-') {
            size_t i;
            for (i = 0; i < NCMDS; i++)
                if (strcmp(argv[1], cmds[i].name) == 0)
                    break;
            if (i == NCMDS) {
                fprintf(stderr, "binomed: unknown command '%s'\n", argv[1]);
                usage(stderr);
                return EXIT_USAGE;
            }
            c = &cmds[i];
            first = 2;
        }
    } else {
        usage(stderr);
        return EXIT_USAGE;
    }
    int rc = parse_opts(c, argc - first, argv + first, val);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    if (bn_crypto_init() != 0) {
        fprintf(stderr, "binomed: cannot initialise libsodium\n");
        return 1;
    }
    return c->fn(val);
}
