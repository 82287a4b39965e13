/*
 * cli_join.c: joining with an invitation, and whoami.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

int cli_join(cli_ctx *ctx, int argc, char **argv)
{
    const char *name = NULL;
    int no_recovery = 0;
    char *pos[1];
    const cli_opt opts[] = {{"name", &name, NULL},
                            {"no-recovery", NULL, &no_recovery},
                            {NULL, NULL, NULL}};
    bnc_profile *p = NULL;
    bnc_account acc;
    char *pass = NULL;
    size_t len = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);
    if (rc != 0)
        return rc;
    if (name == NULL)
        return cli_fail(ctx, CLI_EUSAGE, "--name is required");
    if (name[0] == '\0' || bnc_text_check(name, strlen(name), BNC_NAME_MAX))
        return cli_fail(ctx, CLI_EUSAGE,
                        "--name must be 1 to %u bytes of UTF-8 text",
                        BNC_NAME_MAX);
    if (bn_text_name_check(name, strlen(name)) != 0) {
        cli_hint(ctx, "other members see this name: choose one they can "
                      "read as it is");
        return cli_fail(ctx, CLI_EUSAGE, "--name must be " BN_TEXT_NAME_RULE);
    }
    rc = bnc_invite_check(pos[0]);
    if (rc != 0) {
        cli_hint(ctx, "copy the whole code, from BN1. to the port");
        return cli_fail(ctx, rc, "this is not an invitation code");
    }
    /* Refuse before asking for a passphrase: a profile holds a key, and
     * half of one says how to start again. */
    rc = cli_profile_check(ctx, 1);
    if (rc != 0)
        return rc;
    rc = bnc_profile_new(&p, ctx->profile_dir);
    if (rc != 0)
        return rc;
    rc = cli_passphrase(ctx, 1, &pass, &len);
    if (rc == 0)
        rc = bnc_join(p, pos[0], name, pass, len, &acc);
    cli_passphrase_free(pass, len);
    if (rc != 0)
        snprintf(ctx->server, sizeof ctx->server, "%s",
                 bnc_profile_server_error(p));
    if (rc == BNC_EEXIST) {
        rc = cli_profile_check(ctx, 1);
        if (rc == 0) /* gone again meanwhile */
            rc = cli_fail(ctx, BNC_EEXIST, "%s already holds a profile",
                          bnc_profile_dir(p));
    } else if (rc == 0) {
        printf("joined as %s (%s), account %" PRIu64 "\n", cli_safe(acc.name),
               bnc_role_name(acc.role), acc.id);
        if (acc.programme_id != 0)
            printf("programme %" PRIu64 "\n", acc.programme_id);
        printf("profile: %s\n", bnc_profile_dir(p));
        /* the recovery code, offered now: the keys are unlocked */
        if (!no_recovery) {
            ctx->profile = p;
            p = NULL;
            if (bnc_client_open(&ctx->client, ctx->profile, NULL, 0) != 0 ||
                cli_offer_recovery(ctx) != 0)
                fprintf(stderr,
                        "binome: no recovery code could be made now: make "
                        "one later with 'binome recovery new'\n");
        }
    }
    bnc_profile_free(p);
    return rc;
}

int cli_whoami(cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    bnc_account a;
    char server[BNC_INVITE_HOST_MAX + 16];
    char code[BNC_KEY_CODE_DIGITS + 1], spaced[CLI_KEY_CODE_SPACED];
    char scode[BNC_INVITE_CODE_MAX + 1];
    int rc;

    rc = cli_json_connect(ctx, argc, argv, &json);
    if (rc == 0)
        rc = bnc_whoami(ctx->client, &a);
    if (rc != 0)
        return rc;
    snprintf(server, sizeof server, "%s%s%s:%u",
             strchr(bnc_profile_host(ctx->profile), ':') ? "[" : "",
             bnc_profile_host(ctx->profile),
             strchr(bnc_profile_host(ctx->profile), ':') ? "]" : "",
             (unsigned)bnc_profile_port(ctx->profile));
    /* The key code from the keys on this machine, never the server's:
     * what a referent compares in person before adding this account. */
    if (bnc_profile_key_code(ctx->profile, code) != 0)
        code[0] = '\0';
    if (bnc_server_code(ctx->profile, scode, sizeof scode) != 0)
        scode[0] = '\0';
    if (json) {
        printf("{\"account\":%" PRIu64 ",\"name\":", a.id);
        cli_json_str(a.name);
        printf(",\"role\":\"%s\",\"programme\":%" PRIu64 ",\"server\":",
               bnc_role_name(a.role), a.programme_id);
        cli_json_str(server);
        printf(",\"profile\":");
        cli_json_str(bnc_profile_dir(ctx->profile));
        printf(",\"key_code\":\"%s\",\"device\":%u,\"server_code\":", code,
               (unsigned)bnc_profile_device(ctx->profile));
        cli_json_str(scode);
        printf("}\n");
    } else {
        printf("account    %" PRIu64 "\n", a.id);
        printf("name       %s\n", cli_safe(a.name));
        printf("role       %s\n", bnc_role_name(a.role));
        printf("programme  %" PRIu64 "\n", a.programme_id);
        printf("server     %s\n", server);
        printf("profile    %s\n", bnc_profile_dir(ctx->profile));
        if (code[0] != '\0')
            printf("key code   %s\n", cli_key_code(code, spaced));
        printf("device     %u\n", (unsigned)bnc_profile_device(ctx->profile));
        printf("server code %s\n", scode);
    }
    return 0;
}

/*
 * cli_passphrase_change seals this profile's keys under a new passphrase
 * (issue 15). The key file is replaced in one rename (bn_identity_save:
 * a temporary file in the same directory, synced, then renamed), so an
 * interruption leaves either the old file or the new one, each whole; the
 * old passphrase opens nothing once it is replaced. The keys themselves
 * do not change: pairs, drafts and the server see nothing of it.
 */
int cli_passphrase_change(cli_ctx *ctx, int argc, char **argv)
{
    char *old = NULL, *new = NULL;
    size_t oldlen = 0, newlen = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, NULL, NULL, 0, 0);
    if (rc == 0)
        rc = cli_profile_passphrase(ctx, &old, &oldlen);
    if (rc == 0) {
        rc = bnc_profile_load_identity(ctx->profile, old, oldlen);
        if (rc == BNC_EPASSPHRASE)
            rc = cli_fail(ctx, rc,
                          "that is not the current passphrase; nothing "
                          "changed");
    }
    if (rc == 0)
        rc = cli_new_passphrase(ctx, &new, &newlen);
    if (rc == 0 && newlen == oldlen && sodium_memcmp(old, new, oldlen) == 0)
        rc = cli_fail(ctx, BNC_EINVAL,
                      "the new passphrase is the current one; nothing "
                      "changed");
    if (rc == 0)
        rc = bnc_profile_save_identity(ctx->profile, new, newlen);
    /* the file just written must open with the new passphrase */
    if (rc == 0)
        rc = bnc_profile_load_identity(ctx->profile, new, newlen);
    if (rc == 0)
        printf("passphrase changed: your keys are sealed under the new "
               "one; the old one opens nothing\n");
    cli_passphrase_free(old, oldlen);
    cli_passphrase_free(new, newlen);
    return rc;
}
