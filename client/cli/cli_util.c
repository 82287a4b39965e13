/*
 * cli_util.c: what every command shares: option parsing, the passphrase
 * prompt, connecting, opening a pair, JSON and date output.
 */
#include "cli.h"

#include "bn_text.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int cli_fail(cli_ctx *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
    va_end(ap);
    return code;
}

void cli_hint(cli_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->hint, sizeof ctx->hint, fmt, ap);
    va_end(ap);
}

int cli_parse(cli_ctx *ctx, int argc, char **argv, const cli_opt *opts,
              char **pos, int min, int max)
{
    int npos = 0, only_pos = 0;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const cli_opt *o;
        const char *eq;
        size_t nlen;

        if (!only_pos && strcmp(a, "-o") == 0)
            a = "--output"; /* the one short option */
        if (only_pos || strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (!only_pos && strcmp(a, "--") == 0) {
                only_pos = 1;
                continue;
            }
            if (npos >= max)
                return cli_fail(ctx, CLI_EUSAGE, "unexpected argument '%s'", a);
            pos[npos++] = argv[i];
            continue;
        }
        a += 2;
        eq = strchr(a, '=');
        nlen = eq ? (size_t)(eq - a) : strlen(a);
        for (o = opts; o != NULL && o->name != NULL; o++)
            if (strlen(o->name) == nlen && strncmp(o->name, a, nlen) == 0)
                break;
        if (o == NULL || o->name == NULL)
            return cli_fail(ctx, CLI_EUSAGE, "unknown option '--%.*s'",
                            (int)nlen, a);
        if (o->flag != NULL) {
            if (eq != NULL)
                return cli_fail(ctx, CLI_EUSAGE, "--%s takes no value",
                                o->name);
            *o->flag = 1;
        } else if (eq != NULL) {
            *o->val = eq + 1;
        } else if (i + 1 < argc) {
            *o->val = argv[++i];
        } else {
            return cli_fail(ctx, CLI_EUSAGE, "--%s needs a value", o->name);
        }
    }
    if (npos < min)
        return cli_fail(ctx, CLI_EUSAGE, "missing argument");
    for (int i = npos; i < max; i++)
        pos[i] = NULL;
    return 0;
}

int cli_u64(cli_ctx *ctx, const char *what, const char *s, uint64_t *v)
{
    char *end;
    unsigned long long x;

    if (s == NULL || *s < '0' || *s > '9')
        return cli_fail(ctx, CLI_EUSAGE, "%s must be a number", what);
    errno = 0;
    x = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return cli_fail(ctx, CLI_EUSAGE, "%s must be a number", what);
    *v = (uint64_t)x;
    return 0;
}

int cli_is_tty(int fd)
{
    return isatty(fd);
}

int cli_is_tamper(int rc)
{
    return rc == BNC_ETAMPER || rc == BNC_EWITHHELD || rc == BNC_ECHAIN ||
           rc == BNC_EROLLBACK;
}

/* ---- the passphrase ------------------------------------------------ */

#define PASS_MAX 1024

static int tty_fd = -1;
static struct termios tty_saved;

/* On an interrupt while echo is off, give the terminal back first. */
static void restore_tty(int sig)
{
    if (tty_fd >= 0)
        tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* read_tty prompts on fd and reads one line with echo off into buf. */
static int read_tty(int fd, const char *prompt, char *buf, size_t size,
                    size_t *len)
{
    struct termios t;
    size_t n = 0;
    int rc = 0;
    char ch;

    if (write(fd, prompt, strlen(prompt)) < 0)
        return -errno;
    if (tcgetattr(fd, &tty_saved) != 0)
        return -errno;
    t = tty_saved;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    t.c_lflag |= ICANON;
    tty_fd = fd;
    signal(SIGINT, restore_tty);
    signal(SIGTERM, restore_tty);
    signal(SIGHUP, restore_tty);
    if (tcsetattr(fd, TCSAFLUSH, &t) != 0) {
        rc = -errno;
        goto out;
    }
    for (;;) {
        ssize_t r = read(fd, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || ch == '\n')
            break;
        if (n + 1 >= size) {
            rc = BNC_ETOOLONG;
            break;
        }
        buf[n++] = ch;
    }
    ch = 0;
    tcsetattr(fd, TCSAFLUSH, &tty_saved);
    if (write(fd, "\n", 1) < 0)
        rc = rc ? rc : -errno;
out:
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    tty_fd = -1;
    buf[n] = '\0';
    *len = n;
    return rc;
}

void cli_passphrase_free(char *pass, size_t len)
{
    (void)len;
    if (pass == NULL)
        return;
    sodium_memzero(pass, PASS_MAX);
    sodium_free(pass);
}

/* ask_passphrase: cli_passphrase, from the variable `var` or the
 * terminal. */
static int ask_passphrase(cli_ctx *ctx, const char *var, int confirm,
                          char **pass, size_t *len)
{
    const char *env = getenv(var);
    char *a = sodium_malloc(PASS_MAX), *b = NULL;
    size_t alen = 0, blen = 0;
    int fd = -1, rc = 0;

    *pass = NULL;
    *len = 0;
    if (a == NULL)
        return BNC_ENOMEM;
    if (env != NULL) {
        alen = strlen(env);
        if (alen >= PASS_MAX) {
            rc = cli_fail(ctx, BNC_ETOOLONG, "%s is too long", var);
            goto cleanup;
        }
        memcpy(a, env, alen + 1);
    } else {
        fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            rc = cli_fail(ctx, BNC_EINVAL,
                          "no terminal to ask the passphrase on");
            cli_hint(ctx, "set %s for scripts", var);
            goto cleanup;
        }
        rc = read_tty(fd, confirm ? "New passphrase: " : "Passphrase: ", a,
                      PASS_MAX, &alen);
        if (rc == 0 && confirm && alen > 0) {
            b = sodium_malloc(PASS_MAX);
            if (b == NULL) {
                rc = BNC_ENOMEM;
                goto cleanup;
            }
            rc = read_tty(fd, "Same passphrase again: ", b, PASS_MAX, &blen);
            if (rc == 0 && (alen != blen || sodium_memcmp(a, b, alen) != 0))
                rc = cli_fail(ctx, BNC_EINVAL,
                              "the two passphrases differ; nothing was done");
        }
        if (rc != 0)
            goto cleanup;
    }
    if (alen == 0) {
        rc = cli_fail(ctx, BNC_EINVAL, "an empty passphrase is refused");
        cli_hint(ctx, "choose a passphrase: it protects your keys on this "
                      "machine");
        goto cleanup;
    }
    *pass = a;
    *len = alen;
    a = NULL;
cleanup:
    if (fd >= 0)
        close(fd);
    cli_passphrase_free(a, alen);
    cli_passphrase_free(b, blen);
    return rc;
}

int cli_passphrase(cli_ctx *ctx, int confirm, char **pass, size_t *len)
{
    return ask_passphrase(ctx, "BINOME_PASSPHRASE", confirm, pass, len);
}

int cli_new_passphrase(cli_ctx *ctx, char **pass, size_t *len)
{
    return ask_passphrase(ctx, "BINOME_NEW_PASSPHRASE", 1, pass, len);
}

int cli_ask_yes(const char *question)
{
    char buf[16];
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return 0;
    if (write(fd, question, strlen(question)) < 0) {
        close(fd);
        return 0;
    }
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n > 0 && (buf[0] == 'y' || buf[0] == 'Y');
}

int cli_read_tty(int fd, const char *prompt, char *buf, size_t size,
                 size_t *len, int secret)
{
    size_t n = 0;
    char ch;

    if (secret)
        return read_tty(fd, prompt, buf, size, len);
    if (write(fd, prompt, strlen(prompt)) < 0)
        return -errno;
    for (;;) {
        ssize_t r = read(fd, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || ch == '\n')
            break;
        if (n + 1 >= size)
            return BNC_ETOOLONG;
        buf[n++] = ch;
    }
    buf[n] = '\0';
    *len = n;
    return 0;
}

/* ---- connecting ---------------------------------------------------- */

/* in_profile says whether the profile directory dir holds file: 0 only
 * when it surely does not (ENOENT, ENOTDIR); any other trouble (EACCES)
 * is left to the open that follows, which names it. */
static int in_profile(const char *dir, const char *file)
{
    char path[BNC_PATH_MAX + 32];
    int n = snprintf(path, sizeof path, "%s/%s", dir, file);

    if (n < 0 || (size_t)n >= sizeof path)
        return 1;
    return access(path, F_OK) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

/* start_again says how to start again from a profile dir that cannot log
 * in: keep the old one aside, join with a new invitation. */
#define START_AGAIN                                                            \
    "move it aside ('mv %s %s.broken'), ask your administrator for a new "     \
    "invitation and run 'binome join CODE --name NAME'"

int cli_profile_check(cli_ctx *ctx, int join)
{
    char dir[BNC_PATH_MAX];
    int conf, key;
    const char *missing;

    if (bnc_profile_default_dir(dir, sizeof dir, ctx->profile_dir) != 0) {
        cli_hint(ctx, "give the profile directory with --profile DIR");
        return cli_fail(ctx, BNC_EPROFILE,
                        "no profile directory: $HOME and $XDG_CONFIG_HOME "
                        "are not set");
    }
    conf = in_profile(dir, "profile.conf");
    key = in_profile(dir, "identity.key");
    if (!conf && !key) {
        if (join)
            return 0;
        cli_hint(ctx,
                 "join a programme with your invitation: 'binome join CODE "
                 "--name NAME'; if your profile is in another directory, "
                 "give it with --profile DIR");
        return cli_fail(ctx, BNC_EPROFILE, "no profile in %s", dir);
    }
    if (conf && key) {
        if (!join)
            return 0;
        cli_hint(ctx, "to join another programme or as someone else, use "
                      "another directory: --profile DIR");
        return cli_fail(ctx, BNC_EEXIST, "%s already holds a profile", dir);
    }
    /* Half a profile: a lost key file, a lost profile.conf, or a copy
     * made in a hurry. The same words whatever the command. */
    missing = key ? "profile.conf (the server's address and key)"
                  : "identity.key (your key file)";
    if (join)
        cli_hint(ctx,
                 "to start again, " START_AGAIN
                 " (a code that was already used does not work twice); to "
                 "keep your account instead, restore %s from a backup",
                 dir, dir, key ? "profile.conf" : "identity.key");
    else
        cli_hint(ctx,
                 "restore %s from a backup of %s; without it this account "
                 "cannot log in: to start again, " START_AGAIN,
                 key ? "profile.conf" : "identity.key", dir, dir, dir);
    return cli_fail(ctx, BNC_EPROFILE,
                    "the profile in %s is incomplete: %s is missing", dir,
                    missing);
}

int cli_profile_passphrase(cli_ctx *ctx, char **pass, size_t *len)
{
    int rc = cli_profile_check(ctx, 0);

    if (rc == 0)
        rc = bnc_profile_open(&ctx->profile, ctx->profile_dir);
    if (rc == 0)
        rc = cli_passphrase(ctx, 0, pass, len);
    return rc;
}

int cli_unlock(cli_ctx *ctx)
{
    char *pass = NULL;
    size_t len = 0;
    int rc;

    /* The agent first ('binome agent'): then nothing is asked. */
    rc = bnc_profile_use_agent(ctx->profile);
    if (rc == 0)
        return 0;
    if (rc != BNC_ENOTFOUND)
        fprintf(stderr,
                "binome: warning: the agent did not give the keys (%s); "
                "asking the passphrase ('binome lock' stops that agent)\n",
                rc == BNC_EDENIED    ? "agent.sock is another user's"
                : rc == BNC_EVERSION ? "it is another release's agent"
                                     : bnc_strerror(rc));
    rc = cli_passphrase(ctx, 0, &pass, &len);
    if (rc != 0)
        return rc;
    rc = bnc_profile_load_identity(ctx->profile, pass, len);
    cli_passphrase_free(pass, len);
    return rc;
}

int cli_connect(cli_ctx *ctx)
{
    int rc;

    if (ctx->client != NULL)
        return 0; /* already connected (drafts send, then its pair) */
    /* Before the passphrase is asked: nothing to unlock without a key. */
    rc = cli_profile_check(ctx, 0);
    if (rc != 0)
        return rc;
    rc = bnc_profile_open(&ctx->profile, ctx->profile_dir);
    if (rc == BNC_ECORRUPT) {
        char dir[BNC_PATH_MAX];
        if (bnc_profile_default_dir(dir, sizeof dir, ctx->profile_dir) != 0)
            snprintf(dir, sizeof dir, "the profile");
        cli_hint(ctx,
                 "restore profile.conf from a backup of %s; to start "
                 "again, " START_AGAIN,
                 dir, dir, dir);
        return cli_fail(ctx, rc, "profile.conf in %s does not parse", dir);
    }
    if (rc == BNC_EPROFILE)
        return cli_profile_check(ctx, 0);
    if (rc != 0)
        return rc;
    rc = cli_unlock(ctx);
    if (rc == 0)
        rc = bnc_client_open(&ctx->client, ctx->profile, NULL, 0);
    if (rc != 0)
        snprintf(ctx->server, sizeof ctx->server, "%s",
                 bnc_profile_server_error(ctx->profile));
    if (rc == BNC_EPROFILE) /* the key file went while we asked */
        return cli_profile_check(ctx, 0);
    if (rc == BNC_ECONNECT || rc == BNC_ETIMEDOUT)
        return cli_fail(ctx, rc, "cannot reach the server at %s:%u (%s)",
                        bnc_profile_host(ctx->profile),
                        (unsigned)bnc_profile_port(ctx->profile),
                        bnc_strerror(rc));
    return rc;
}

int cli_pair_error(cli_ctx *ctx, int rc, const char *arg)
{
    uint8_t role =
        ctx->client != NULL ? bnc_client_account(ctx->client)->role : 0;

    if (rc == BNC_ENOTFOUND && role == BNC_ROLE_ADMIN) {
        cli_fail(ctx, rc, "no pair %s", cli_safe(arg));
        cli_hint(ctx, "see every pair and its id with 'binome pairs'");
    } else if (rc == BNC_ENOTFOUND) {
        /* The server gives one answer for a pair that does not exist and
         * one that is someone else's: so does this message. */
        cli_fail(ctx, rc, "no pair %s among yours", cli_safe(arg));
        cli_hint(ctx, "see your pairs and their ids with 'binome pairs' "
                      "(or 'binome pair list')");
    } else if (rc == BNC_EDENIED && role == BNC_ROLE_ADMIN) {
        cli_fail(ctx, rc,
                 "denied: '%s' is for the members of a pair: administrators "
                 "never read a pair's notes, sessions, objectives or documents",
                 ctx->command);
        cli_hint(ctx, "see the pairs with 'binome pairs' and a programme's "
                      "figures with 'binome admin stats --programme P'");
    } else if (rc == BNC_EDENIED && role == BNC_ROLE_AUDITOR) {
        cli_fail(ctx, rc,
                 "denied: '%s' is for the members of a pair: auditors reach "
                 "no pair",
                 ctx->command);
        cli_hint(ctx, "audit the server with 'binome audit'");
    }
    return rc;
}

int cli_programme_error(cli_ctx *ctx, int rc, const char *arg)
{
    if (rc == BNC_ENOTFOUND) {
        cli_fail(ctx, rc, "no programme %s", cli_safe(arg));
        cli_hint(ctx, "see the programmes and their ids with 'binome admin "
                      "programme list'");
    } else if (rc == BNC_EDENIED) {
        cli_hint(ctx, "only administrators manage programmes");
    }
    return rc;
}

int cli_open_pair(cli_ctx *ctx, const char *arg, int flags, bnc_pair **out)
{
    uint64_t id;
    int rc = cli_u64(ctx, "PAIR", arg, &id);

    if (rc == 0)
        rc = cli_connect(ctx);
    ctx->pair = arg;
    if (rc == 0) {
        if (ctx->resync_from != 0)
            rc = bnc_pair_resync(ctx->client, id, ctx->resync_from, out, NULL);
        else
            rc = bnc_pair_open(ctx->client, id, flags, out);
        cli_pair_error(ctx, rc, arg);
    }
    if (rc == BNC_EROLLBACK) {
        cli_loss_report(ctx, arg);
    } else if (rc == BNC_ECHAIN &&
               bnc_client_log_bad_author(ctx->client) != 0) {
        cli_fail(ctx, rc,
                 "the log of pair %s does not verify at entry %" PRIu64
                 ", signed as member %" PRIu64
                 ": the server changed that entry or the keys it shows for "
                 "member %" PRIu64 "; nothing from this pair is trusted",
                 arg, bnc_client_log_bad_seq(ctx->client),
                 bnc_client_log_bad_author(ctx->client),
                 bnc_client_log_bad_author(ctx->client));
        cli_hint(ctx, "tell your administrator and the other member: the "
                      "server's data was altered");
    } else if (rc == BNC_ECHAIN) {
        cli_fail(ctx, rc,
                 "the log of pair %s does not verify at entry %" PRIu64
                 "; nothing from this pair is trusted",
                 arg, bnc_client_log_bad_seq(ctx->client));
        cli_hint(ctx, "tell your administrator: the server's data was "
                      "altered");
    }
    if (rc == BNC_EUNVERIFIED)
        cli_hint(ctx,
                 "compare the safety number in person: 'binome verify %s', "
                 "then 'binome verify %s --confirm'",
                 arg, arg);
    if (rc == 0 && bnc_pair_keys_changed(*out))
        fprintf(stderr,
                "binome: warning: a member's key in pair %s changed since "
                "you first saw or verified it; writes are refused until "
                "you run 'binome verify %s' and compare in person\n",
                arg, arg);
    else if (rc == 0 && !bnc_pair_verified(*out) &&
             bnc_pair_member(*out, bnc_client_account(ctx->client)->id) !=
                 NULL &&
             strcmp(ctx->command, "verify") != 0)
        fprintf(stderr,
                "binome: note: pair %s is not verified yet: until you and "
                "the other member compare the safety number in person "
                "('binome verify %s'), you trust the server to have shown "
                "you the right person's key\n",
                arg, arg);
    for (size_t i = 0; rc == 0 && i < bnc_pair_warning_count(*out); i++)
        fprintf(stderr, "binome: warning: %s\n", bnc_pair_warning(*out, i));
    return rc;
}

int cli_open_own_pair(cli_ctx *ctx, const char *arg, int flags, bnc_pair **out)
{
    int rc = cli_open_pair(ctx, arg, flags, out);

    if (rc == 0 &&
        bnc_pair_member(*out, bnc_client_account(ctx->client)->id) == NULL)
        rc = cli_pair_error(ctx, BNC_ENOTFOUND, arg);
    return rc;
}

int cli_json_connect(cli_ctx *ctx, int argc, char **argv, int *json)
{
    const cli_opt opts[] = {{"json", NULL, json}, {NULL, NULL, NULL}};
    int rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);

    return rc == 0 ? cli_connect(ctx) : rc;
}

int cli_json_pair(cli_ctx *ctx, int argc, char **argv, int flags, int *json,
                  bnc_pair **p)
{
    const cli_opt opts[] = {{"json", NULL, json}, {NULL, NULL, NULL}};
    char *pos[1];
    int rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);

    return rc == 0 ? cli_open_pair(ctx, pos[0], flags, p) : rc;
}

/* ---- output -------------------------------------------------------- */

void cli_json_str(const char *s)
{
    bn_buf b = {0};
    if (bn_json_str(&b, s, strlen(s)) == 0)
        fwrite(b.data, 1, b.len, stdout);
    else
        fputs("null", stdout);
    bn_buf_free(&b);
}

void cli_date(char out[11], uint32_t day)
{
    if (day == 0)
        snprintf(out, 11, "-");
    else
        bnc_date_format(out, day);
}

void cli_time(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
        snprintf(out, 32, "-");
    else
        strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm);
}

/*
 * Why these rules whatever stdout is (a terminal, a pipe, a file): the
 * one-line fields (names, titles, document names, objective texts, a
 * server's message) go into tables and messages whose lines a newline or
 * a carriage return in them could forge, in a file as well as on a
 * screen; and a pipe often ends on a terminal anyway (| less -R, | head,
 * | grep), which isatty cannot see. Exact bytes are for --raw, --json
 * (whose escapes decode to the same text) and export.
 */
const char *cli_safe(const char *s)
{
    static bn_buf bufs[4]; /* live until exit, reused */
    static int next;
    bn_buf *b = &bufs[next];

    next = (next + 1) % 4;
    bn_buf_reset(b);
    if (bn_text_escape(b, s, strlen(s), 0) != 0 || bn_buf_append(b, "", 1) != 0)
        return "?";
    return (const char *)b->data;
}

const char *cli_pad(const char *s, int width)
{
    static bn_buf bufs[4]; /* live until exit, reused */
    static int next;
    bn_buf *b = &bufs[next];
    size_t cols;

    next = (next + 1) % 4;
    bn_buf_reset(b);
    if (bn_text_escape(b, s, strlen(s), 0) != 0)
        return "?";
    cols = bn_text_width((const char *)b->data, b->len);
    while (cols++ < (size_t)width)
        if (bn_buf_append(b, " ", 1) != 0)
            return "?";
    if (bn_buf_append(b, "", 1) != 0)
        return "?";
    return (const char *)b->data;
}

/* ---- shared by the write commands ------------------------------------- */

int cli_take_repeated(cli_ctx *ctx, int argc, char **argv, const char *name,
                      const char **vals, int max, int *nvals)
{
    size_t nlen = strlen(name);
    int out = 0;

    *nvals = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = NULL;
        if (strcmp(a, "--") == 0) {
            while (i < argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strncmp(a, "--", 2) == 0 && strncmp(a + 2, name, nlen) == 0) {
            if (a[2 + nlen] == '=') {
                v = a + 3 + nlen;
            } else if (a[2 + nlen] == '\0') {
                if (i + 1 >= argc)
                    return cli_fail(ctx, CLI_EUSAGE, "--%s needs a value",
                                    name);
                v = argv[++i];
            }
        }
        if (v == NULL) {
            argv[out++] = argv[i];
            continue;
        }
        if (*nvals >= max)
            return cli_fail(ctx, CLI_EUSAGE, "--%s given too many times", name);
        vals[(*nvals)++] = v;
    }
    return out;
}

int cli_day(cli_ctx *ctx, const char *what, const char *s, uint32_t *day)
{
    if (bnc_date_parse(s, day) != 0)
        return cli_fail(ctx, CLI_EUSAGE,
                        "%s '%s' is not a date: use YYYY-MM-DD, a real "
                        "calendar day from 2000-01-01 to 2199-12-31",
                        what, cli_safe(s));
    return 0;
}

int cli_write_error(cli_ctx *ctx, int rc, const char *pair)
{
    switch (rc) {
    case BNC_EDATE:
        /* The server says which rule the date breaks (the pair's start,
         * the programme's dates, the minimum duration). */
        if (ctx->client != NULL && bnc_client_error(ctx->client)[0] &&
            strcmp(bnc_client_error(ctx->client), bnc_strerror(rc)) != 0)
            cli_fail(ctx, rc, "date refused: %s",
                     bnc_client_error(ctx->client));
        break;
    case BNC_ENOTACCEPTED:
        cli_hint(ctx,
                 "every member accepts the pair's charter before writing: "
                 "'binome pair accept %s'",
                 pair);
        break;
    case BNC_EENDED:
        cli_fail(ctx, rc,
                 "pair %s has ended: it keeps its data but takes "
                 "no more writes",
                 pair);
        cli_hint(ctx,
                 "'binome export %s --to DIR' keeps a copy of "
                 "everything",
                 pair);
        break;
    case BNC_EUNVERIFIED:
        cli_hint(ctx,
                 "compare the safety number in person: 'binome verify "
                 "%s', then 'binome verify %s --confirm'",
                 pair, pair);
        break;
    case BNC_ESTALE:
        cli_hint(ctx, "the other member kept writing at the same time; run "
                      "the command again");
        break;
    case BNC_EROLLBACK:
    case BNC_ECHAIN:
        if (ctx->msg[0])
            break; /* cli_open_pair said which entry and member */
        cli_fail(ctx, rc,
                 "the server's log of pair %s no longer verifies "
                 "(entry %" PRIu64 ", signed as member %" PRIu64 "): %s",
                 pair, ctx->client ? bnc_client_log_bad_seq(ctx->client) : 0,
                 ctx->client ? bnc_client_log_bad_author(ctx->client) : 0,
                 bnc_strerror(rc));
        cli_hint(ctx,
                 "do not trust this server's copy of pair %s; tell your "
                 "administrator",
                 pair);
        break;
    default:
        break;
    }
    return rc;
}

void cli_print_text(FILE *f, const char *s)
{
    fputs(cli_safe(s), f);
}

int cli_print_body(FILE *f, const void *text, size_t len, int raw)
{
    bn_buf b = {0};
    int rc = 0;

    if (raw) {
        if (len > 0 && fwrite(text, 1, len, f) != len)
            rc = BNC_EIO;
        return rc;
    }
    /* Room for the worst case (4 bytes out per byte in) at once: no
     * realloc leaves a copy of the text behind in freed memory. */
    rc = len <= SIZE_MAX / 4 ? bn_buf_reserve(&b, 4 * len) : BNC_ENOMEM;
    if (rc == 0)
        rc = bn_text_escape(&b, text, len, BN_TEXT_LINES);
    if (rc == 0 && b.len > 0 && fwrite(b.data, 1, b.len, f) != b.len)
        rc = BNC_EIO;
    /* The text may be a note: wipe its escaped copy too. */
    bn_buf_wipe(&b);
    return rc;
}

void cli_progress_init(cli_progress *pr, const char *label)
{
    pr->on = isatty(STDERR_FILENO);
    pr->last = -1;
    pr->label = label;
}

void cli_progress_cb(void *ctx, uint64_t done, uint64_t total)
{
    cli_progress *pr = ctx;
    int permille, bars;

    if (!pr->on)
        return;
    permille = total > 0 ? (int)(done * 1000 / total) : 1000;
    if (permille > 1000)
        permille = 1000;
    if (permille == pr->last)
        return;
    pr->last = permille;
    bars = permille * 30 / 1000;
    fprintf(stderr, "\r%s [%.*s%*s] %3d%% %.1f/%.1f MiB", pr->label, bars,
            "##############################", 30 - bars, "", permille / 10,
            (double)done / 1048576.0, (double)total / 1048576.0);
    fflush(stderr);
}

void cli_progress_end(cli_progress *pr)
{
    if (pr->on && pr->last >= 0)
        fputc('\n', stderr);
}
