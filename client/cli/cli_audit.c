/*
 * cli_audit.c: `binome audit`: the auditor's check of the live server.
 * The server walks its own storage (AUDIT_GET): every stored note and
 * document must be a well-formed ciphertext with a fresh nonce, and none of
 * the plaintext canaries given here may appear in its files. This prints
 * the report and exits 1 when there is any finding.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Declared here until cli.h lists it (main.c's table needs it there). */
int cli_audit(cli_ctx *ctx, int argc, char **argv);

#define AUDIT_CANARIES_MAX 64u  /* BN_F_audit_get's list limit */
#define AUDIT_CANARY_BYTES 256u /* BN_F_audit_canary's size limit */

typedef struct audit_canaries {
    struct bn_audit_canary v[AUDIT_CANARIES_MAX];
    uint8_t *bytes[AUDIT_CANARIES_MAX];
    uint32_t n;
} audit_canaries;

static void audit_canaries_free(audit_canaries *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        sodium_memzero(c->bytes[i], c->v[i].bytes.len);
        free(c->bytes[i]);
    }
    c->n = 0;
}

/*
 * audit_read_canaries adds every non-empty line of path (without its line
 * end) as a canary: 1 to 256 bytes each, 64 in all.
 */
static int audit_read_canaries(cli_ctx *ctx, const char *path,
                               audit_canaries *c)
{
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0, lineno = 0;

    if (f == NULL)
        return cli_fail(ctx, -errno, "cannot read %s: %s", path,
                        strerror(errno));
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        if ((size_t)len > AUDIT_CANARY_BYTES) {
            rc =
                cli_fail(ctx, CLI_EUSAGE, "%s:%d: a canary is at most %u bytes",
                         path, lineno, AUDIT_CANARY_BYTES);
        } else if (c->n >= AUDIT_CANARIES_MAX) {
            rc = cli_fail(ctx, CLI_EUSAGE, "at most %u canaries in all",
                          AUDIT_CANARIES_MAX);
        } else if ((c->bytes[c->n] = malloc((size_t)len)) == NULL) {
            rc = BN_ENOMEM;
        } else {
            memcpy(c->bytes[c->n], line, (size_t)len);
            c->v[c->n].bytes = (bn_bin){c->bytes[c->n], (uint32_t)len};
            c->n++;
        }
    }
    if (rc == 0 && ferror(f))
        rc = cli_fail(ctx, BN_EIO, "cannot read %s", path);
    if (line != NULL)
        sodium_memzero(line, cap);
    free(line);
    fclose(f);
    return rc;
}

static void audit_print_text(const bn_audit_report *r, uint32_t ncanaries)
{
    printf("records with ciphertext  %" PRIu64 "\n"
           "envelopes and chunks     %" PRIu64 "\n"
           "ciphertext bytes         %" PRIu64 "\n"
           "files scanned            %" PRIu64 "\n"
           "canaries searched        %u\n",
           r->records, r->envelopes, r->cipher_bytes, r->files, ncanaries);
    if (r->fields.len > 0) {
        printf("\nwhat the server stores (clear: the server can read it)\n");
        printf("  %-16s %-32s %s\n", "DATABASE", "FIELD", "KIND");
        for (uint32_t i = 0; i < r->fields.len; i++) {
            const struct bn_audit_field *f = &r->fields.v[i];
            printf("  %-16s %-32s %s\n", cli_safe(f->db.ptr),
                   cli_safe(f->field.ptr), cli_safe(f->kind.ptr));
        }
    }
    if (r->findings.len == 0) {
        printf("\nno finding: every ciphertext is well formed, no nonce "
               "repeats, no canary found\n");
        return;
    }
    printf("\n%u finding%s%s\n", r->findings.len,
           r->findings.len == 1 ? "" : "s",
           r->truncated ? " (the server listed only the first)" : "");
    for (uint32_t i = 0; i < r->findings.len; i++) {
        const struct bn_audit_finding *f = &r->findings.v[i];
        printf("  %-12s %s %s: %s\n", cli_safe(f->code.ptr),
               cli_safe(f->db.ptr), cli_safe(f->record.ptr),
               cli_safe(f->detail.ptr));
    }
}

static void audit_print_json(const bn_audit_report *r, uint32_t ncanaries)
{
    printf("{\"records\":%" PRIu64 ",\"envelopes\":%" PRIu64
           ",\"cipher_bytes\":%" PRIu64 ",\"files\":%" PRIu64
           ",\"canaries\":%u,\"truncated\":%s,\"fields\":[",
           r->records, r->envelopes, r->cipher_bytes, r->files, ncanaries,
           r->truncated ? "true" : "false");
    for (uint32_t i = 0; i < r->fields.len; i++) {
        const struct bn_audit_field *f = &r->fields.v[i];
        printf("%s{\"db\":", i ? "," : "");
        cli_json_str(f->db.ptr);
        printf(",\"field\":");
        cli_json_str(f->field.ptr);
        printf(",\"kind\":");
        cli_json_str(f->kind.ptr);
        printf("}");
    }
    printf("],\"findings\":[");
    for (uint32_t i = 0; i < r->findings.len; i++) {
        const struct bn_audit_finding *f = &r->findings.v[i];
        printf("%s{\"code\":", i ? "," : "");
        cli_json_str(f->code.ptr);
        printf(",\"db\":");
        cli_json_str(f->db.ptr);
        printf(",\"record\":");
        cli_json_str(f->record.ptr);
        printf(",\"detail\":");
        cli_json_str(f->detail.ptr);
        printf("}");
    }
    printf("]}\n");
}

int cli_audit(cli_ctx *ctx, int argc, char **argv)
{
    audit_canaries canaries = {0};
    int json = 0, nrest = 0, rc = 0;
    const cli_opt opts[] = {{"json", NULL, &json}, {NULL, NULL, NULL}};
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    bn_msg req, rep = {0};

    if (rest == NULL)
        return BN_ENOMEM;
    /* --canary may be repeated, which cli_parse does not do: take the
     * canary files out first, up to a "--". */
    for (int i = 0; i < argc && rc == 0; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < argc)
                rest[nrest++] = argv[i++];
        } else if (strcmp(argv[i], "--canary") == 0) {
            if (i + 1 >= argc)
                rc = cli_fail(ctx, CLI_EUSAGE, "--canary needs a file");
            else
                rc = audit_read_canaries(ctx, argv[++i], &canaries);
        } else if (strncmp(argv[i], "--canary=", 9) == 0) {
            rc = audit_read_canaries(ctx, argv[i] + 9, &canaries);
        } else {
            rest[nrest++] = argv[i];
        }
    }
    if (rc == 0)
        rc = cli_parse(ctx, nrest, rest, opts, NULL, 0, 0);
    if (rc == 0)
        rc = cli_connect(ctx);
    if (rc != 0)
        goto cleanup;
    bn_msg_init(&req, BN_MSG_AUDIT_GET, 0);
    req.u.audit_get.canaries.v = canaries.v;
    req.u.audit_get.canaries.len = canaries.n;
    rc = bnc_call(ctx->client->conn, &req, &rep);
    if (rc == 0 && rep.type != BN_MSG_AUDIT_REPORT)
        rc = BN_EPROTO;
    if (rc == BN_EDENIED)
        cli_hint(ctx, "only auditor accounts may audit the server; ask an "
                      "administrator for an auditor invitation");
    if (rc != 0)
        goto cleanup;
    if (json)
        audit_print_json(&rep.u.audit_report, canaries.n);
    else
        audit_print_text(&rep.u.audit_report, canaries.n);
    if (rep.u.audit_report.findings.len > 0) {
        rc = cli_fail(ctx, BN_ECORRUPT,
                      "the audit found %u problem%s (listed above, each "
                      "with its database and record)",
                      rep.u.audit_report.findings.len,
                      rep.u.audit_report.findings.len == 1 ? "" : "s");
        cli_hint(ctx, "a 'canary' finding means plaintext reached the "
                      "server's disk; 'malformed', 'nonce-reuse' and "
                      "'not-random' name records to examine offline with "
                      "'binomed audit'");
    }
cleanup:
    bn_msg_free(&rep);
    audit_canaries_free(&canaries);
    free(rest);
    return rc;
}
