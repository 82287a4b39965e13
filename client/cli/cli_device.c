/*
 * cli_device.c: one account on several devices, and its recovery code
 * (issue 15): device link / add / list / remove, recovery new, recover.
 */
#include "cli.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bn_text.h"

#define LINK_TIMEOUT_S 600

/* device_name_ok: a device's name (--name), empty allowed. */
static int device_name_ok(const char *name)
{
    return strlen(name) <= BNC_DEVICE_NAME_MAX &&
           bn_text_name_check(name, strlen(name)) == 0;
}

/* print_recovery shows a new recovery code and where to use it. */
static void print_recovery(const bnc_profile *p, const char *code)
{
    char server[BNC_INVITE_CODE_MAX + 1];

    printf("\nYour recovery code (shown only this once: write it on paper "
           "and keep it\nsomewhere safe, away from this computer):\n\n"
           "    %s\n\n",
           code);
    if (bnc_server_code(p, server, sizeof server) == 0)
        printf("Your server code (also shown by 'binome whoami'):\n    %s\n\n",
               server);
    printf("If you lose this computer or forget your passphrase, "
           "'binome recover --server\nSERVER_CODE' on another one asks for "
           "the recovery code and gives you back\nyour account, your pairs "
           "and your notes. Anyone with this code can do the\nsame: do not "
           "photograph it, do not send it by mail.\n");
}

int cli_offer_recovery(cli_ctx *ctx)
{
    char code[BNC_RECOVERY_TEXT_MAX];
    int rc = bnc_recovery_new(ctx->client, code);

    if (rc != 0)
        return rc;
    print_recovery(ctx->profile, code);
    sodium_memzero(code, sizeof code);
    return 0;
}

int cli_recovery_new(cli_ctx *ctx, int argc, char **argv)
{
    int rc = cli_parse(ctx, argc, argv, NULL, NULL, 0, 0);

    if (rc == 0)
        rc = cli_connect(ctx);
    if (rc == 0)
        rc = cli_offer_recovery(ctx);
    if (rc == 0)
        printf("Any recovery code made before this one no longer works.\n");
    return rc;
}

/* read_line reads a line from the terminal (no echo when secret), else
 * from standard input: a script's answer. */
static int read_line(const char *prompt, char *buf, size_t size, int secret)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    size_t n = 0;

    if (fd >= 0) {
        size_t len = 0;
        int rc = cli_read_tty(fd, prompt, buf, size - 1, &len, secret);
        close(fd);
        if (rc != 0)
            return rc;
        buf[len] = '\0';
        return 0;
    }
    if (fgets(buf, (int)size, stdin) == NULL)
        return BNC_EINVAL;
    n = strcspn(buf, "\r\n");
    buf[n] = '\0';
    return 0;
}

int cli_recover(cli_ctx *ctx, int argc, char **argv)
{
    const char *server = NULL, *name = "";
    const cli_opt opts[] = {
        {"server", &server, NULL}, {"name", &name, NULL}, {NULL, NULL, NULL}};
    char code[96];
    const char *env = getenv("BINOME_RECOVERY_CODE");
    bnc_profile *p = NULL;
    bnc_account acc;
    char *pass = NULL;
    size_t len = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, NULL, 0, 0);
    if (rc != 0)
        return rc;
    if (server == NULL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "--server is required: the server code (BS1.…) "
                        "shown with your recovery code, or your invitation "
                        "code");
    if (!device_name_ok(name))
        return cli_fail(ctx, CLI_EUSAGE, "--name must be " BN_TEXT_NAME_RULE);
    rc = cli_profile_check(ctx, 1);
    if (rc != 0)
        return rc;
    if (env != NULL)
        snprintf(code, sizeof code, "%s", env);
    else if (read_line("Recovery code: ", code, sizeof code, 1) != 0)
        return cli_fail(ctx, BNC_EINVAL, "no recovery code was given");
    rc = bnc_recovery_check(code);
    if (rc == BNC_ECORRUPT) {
        sodium_memzero(code, sizeof code);
        return cli_fail(ctx, rc,
                        "a character of this recovery code is wrong: "
                        "check it against your paper");
    }
    if (rc != 0) {
        sodium_memzero(code, sizeof code);
        return cli_fail(ctx, CLI_EUSAGE,
                        "this is not a recovery code (8 groups of 4 "
                        "letters and digits)");
    }
    rc = bnc_profile_new(&p, ctx->profile_dir);
    if (rc == 0)
        rc = cli_passphrase(ctx, 1, &pass, &len);
    if (rc == 0)
        rc = bnc_recover(p, server, code, name, pass, len, &acc);
    sodium_memzero(code, sizeof code);
    cli_passphrase_free(pass, len);
    if (rc == BNC_EINVAL)
        rc = cli_fail(ctx, CLI_EUSAGE,
                      "--server is not a server code (BS1.…) nor an "
                      "invitation code");
    else if (rc == BNC_ESIG)
        rc = cli_fail(ctx, rc,
                      "the server knows no such recovery code for this "
                      "account (replaced by a newer one?)");
    else if (rc == BNC_EAUTH)
        rc = cli_fail(ctx, rc,
                      "the server's sealed copy of your keys does not open "
                      "with this code: it was altered");
    else if (rc == 0) {
        printf("account %" PRIu64 " (%s) restored on this device (device "
               "%u)\n",
               acc.id, cli_safe(acc.name), (unsigned)bnc_profile_device(p));
        printf("If your old device was lost or stolen, remove it now: "
               "'binome device list', then 'binome device remove N'.\n");
        printf("Your recovery code still works; make a new one with "
               "'binome recovery new' if someone else may have seen it.\n");
    } else if (bnc_profile_server_error(p)[0] != '\0')
        snprintf(ctx->server, sizeof ctx->server, "%s",
                 bnc_profile_server_error(p));
    bnc_profile_free(p);
    return rc;
}

/* ---- devices ------------------------------------------------------------ */

int cli_device_list(cli_ctx *ctx, int argc, char **argv)
{
    bnc_device d[BNC_DEVICES_MAX];
    size_t n = 0;
    int json = 0, rc;

    rc = cli_json_connect(ctx, argc, argv, &json);
    if (rc == 0)
        rc = bnc_device_list(ctx->client, d, BNC_DEVICES_MAX, &n);
    if (rc != 0)
        return rc;
    if (json) {
        printf("[");
        for (size_t i = 0; i < n; i++) {
            printf("%s{\"device\":%u,\"name\":", i ? "," : "",
                   (unsigned)d[i].number);
            cli_json_str(d[i].name);
            printf(",\"added\":%" PRId64 ",\"removed\":%" PRId64
                   ",\"current\":%s}",
                   d[i].added, d[i].removed, d[i].current ? "true" : "false");
        }
        printf("]\n");
        return 0;
    }
    if (n == 0) {
        printf("this account has one device, this one: it logs in with "
               "its identity key\n");
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char added[32], removed[32];
        cli_time(added, d[i].added);
        cli_time(removed, d[i].removed);
        printf("device %u  %-20s added %s%s%s%s\n", (unsigned)d[i].number,
               d[i].name[0] ? cli_safe(d[i].name) : "(no name)", added,
               d[i].removed ? ", removed " : "", d[i].removed ? removed : "",
               d[i].current ? "  (this device)" : "");
    }
    return 0;
}

int cli_device_remove(cli_ctx *ctx, int argc, char **argv)
{
    char *pos[1];
    uint64_t v = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, NULL, pos, 1, 1);
    if (rc == 0)
        rc = cli_u64(ctx, "the device number", pos[0], &v);
    if (rc == 0 && (v == 0 || v > BNC_DEVICES_MAX))
        return cli_fail(ctx, CLI_EUSAGE, "a device number is 1 to %u",
                        (unsigned)BNC_DEVICES_MAX);
    if (rc == 0)
        rc = cli_connect(ctx);
    if (rc == 0)
        rc = bnc_device_remove(ctx->client, (uint32_t)v);
    if (rc == 0)
        printf("device %u removed: it can no longer log in\n", (unsigned)v);
    return rc;
}

/* confirm_sas shows this screen's string and asks for the other's. */
static int confirm_sas(cli_ctx *ctx, uint32_t sas)
{
    char line[32], digits[8];
    size_t k = 0;

    printf("\nThis screen shows:   %03u %03u\n", (unsigned)(sas / 1000),
           (unsigned)(sas % 1000));
    fflush(stdout);
    if (read_line("Type the six digits the other screen shows: ", line,
                  sizeof line, 0) != 0)
        return cli_fail(ctx, BNC_EINVAL, "no answer: nothing was sent");
    for (size_t i = 0; line[i] && k < 7; i++)
        if (line[i] >= '0' && line[i] <= '9')
            digits[k++] = line[i];
    digits[k] = '\0';
    snprintf(line, sizeof line, "%06u", (unsigned)sas);
    if (k != 6 || strcmp(digits, line) != 0)
        return cli_fail(ctx, BNC_ETAMPER,
                        "the two screens differ: someone stands between "
                        "your devices (the server, or the network); "
                        "nothing was sent. Start again, and tell your "
                        "coordinator if it happens again");
    return 0;
}

int cli_device_link(cli_ctx *ctx, int argc, char **argv)
{
    char code[BNC_INVITE_CODE_MAX + 1], name[BNC_DEVICE_NAME_MAX + 1];
    bnc_link *l = NULL;
    char *pass = NULL;
    size_t len = 0;
    uint32_t sas = 0, dev = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, NULL, NULL, 0, 0);
    /* the passphrase itself: this device may get its own key, sealed */
    if (rc == 0)
        rc = cli_profile_passphrase(ctx, &pass, &len);
    if (rc == 0)
        rc = bnc_client_open(&ctx->client, ctx->profile, pass, len);
    if (rc == 0)
        rc = bnc_link_open(ctx->client, pass, len, &l, code, sizeof code);
    cli_passphrase_free(pass, len);
    if (rc != 0)
        return rc;
    printf("On the new device, run:\n\n    binome device add %s --name "
           "NAME\n\n(NAME: what to call it, e.g. phone). Waiting for it, "
           "ten minutes at most...\n",
           code);
    fflush(stdout);
    rc = bnc_link_wait(l, LINK_TIMEOUT_S, &sas, name, sizeof name);
    if (rc == BNC_ETIMEDOUT)
        rc = cli_fail(ctx, rc,
                      "no device answered in ten minutes: run "
                      "'binome device link' again");
    if (rc == 0)
        printf("A device answered%s%s.\n", name[0] ? ", named " : "",
               name[0] ? cli_safe(name) : "");
    if (rc == 0)
        rc = confirm_sas(ctx, sas);
    if (rc == 0)
        rc = bnc_link_send(l, &dev);
    if (rc == 0)
        printf("device %u added: it now holds your keys and logs in with "
               "its own. 'binome device remove %u' takes it away.\n",
               (unsigned)dev, (unsigned)dev);
    /* an agent started before holds the keys without this device's own
     * login key, which linking may just have made: it forgets them */
    if (rc == 0 && bnc_agent_lock(ctx->profile) == 0)
        printf("your agent forgot your keys: start it again with 'binome "
               "agent'\n");
    bnc_link_free(l);
    return rc;
}

int cli_device_add(cli_ctx *ctx, int argc, char **argv)
{
    const char *name = "";
    char *pos[1];
    const cli_opt opts[] = {{"name", &name, NULL}, {NULL, NULL, NULL}};
    bnc_profile *p = NULL;
    bnc_link *l = NULL;
    bnc_account acc;
    char *pass = NULL;
    size_t len = 0;
    uint32_t sas = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);
    if (rc != 0)
        return rc;
    if (!device_name_ok(name))
        return cli_fail(ctx, CLI_EUSAGE, "--name must be " BN_TEXT_NAME_RULE);
    if (strncmp(pos[0], "BD1.", 4) != 0) {
        cli_hint(ctx, "copy the whole code that 'binome device link' shows "
                      "on your other device, from BD1. to the port");
        return cli_fail(ctx, CLI_EUSAGE, "this is not a device link code");
    }
    rc = cli_profile_check(ctx, 1);
    if (rc == 0)
        rc = bnc_profile_new(&p, ctx->profile_dir);
    if (rc == 0)
        rc = bnc_link_join(p, pos[0], name, LINK_TIMEOUT_S, &l, &sas);
    if (rc == BNC_EINVAL)
        rc = cli_fail(ctx, CLI_EUSAGE, "this is not a device link code");
    else if (rc == BNC_ETAMPER)
        rc = cli_fail(ctx, rc,
                      "the server changed what your other device sent: "
                      "nothing was taken");
    if (rc == 0)
        rc = confirm_sas(ctx, sas);
    if (rc == 0) {
        printf("Choose a passphrase for your keys on this device.\n");
        fflush(stdout);
        rc = cli_passphrase(ctx, 1, &pass, &len);
    }
    if (rc == 0) {
        printf("Waiting for your other device to send your keys...\n");
        fflush(stdout);
        rc = bnc_link_receive(l, pass, len, LINK_TIMEOUT_S, &acc);
    }
    cli_passphrase_free(pass, len);
    if (rc == 0)
        printf("this device now holds account %" PRIu64 " (%s, %s), device "
               "%u\nprofile: %s\n",
               acc.id, cli_safe(acc.name), bnc_role_name(acc.role),
               (unsigned)bnc_profile_device(p), bnc_profile_dir(p));
    else if (rc == BNC_ETAMPER)
        rc = cli_fail(ctx, rc,
                      "what arrived is not the account both screens "
                      "showed: nothing was kept");
    if (rc != 0 && p != NULL && bnc_profile_server_error(p)[0] != '\0')
        snprintf(ctx->server, sizeof ctx->server, "%s",
                 bnc_profile_server_error(p));
    bnc_link_free(l);
    bnc_profile_free(p);
    return rc;
}
