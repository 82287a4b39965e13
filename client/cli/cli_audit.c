/*
 * cli_audit.c: `binome audit`: the auditor's check of the live server.
 * The server walks its own storage (AUDIT_GET): every stored note and
 * document must be a well-formed ciphertext with a fresh nonce. The
 * plaintext canaries given here (lines of 16 to 256 printable characters,
 * written through the client first) are searched in the ciphertext fields
 * of the stored records; the server answers found or not found for each,
 * nothing more, and at most once a minute per auditor by default. This
 * prints the report and exits 1 when there is any finding or a canary is
 * found. Searching the server's files is `binomed audit`'s, offline.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Declared here until cli.h lists it (main.c's table needs it there). */
int cli_audit(cli_ctx *ctx, int argc, char **argv);

#define AUDIT_CANARIES_MAX BN_AUDIT_CANARIES_MAX

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
 * end) as a canary: each passes bn_audit_canary_check (16 to 256 printable
 * ASCII characters), 64 in all (the server may take fewer).
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
        if (bn_audit_canary_check((const uint8_t *)line, (size_t)len) != 0) {
            rc = cli_fail(ctx, BN_EINVAL,
                          "%s:%d: a canary is %u to %u printable ASCII "
                          "characters (this one is %zd bytes%s)",
                          path, lineno, (unsigned)BN_AUDIT_CANARY_MIN,
                          (unsigned)BN_AUDIT_CANARY_MAX, len,
                          (size_t)len < BN_AUDIT_CANARY_MIN ||
                                  (size_t)len > BN_AUDIT_CANARY_MAX
                              ? ""
                              : " with other characters");
            cli_hint(ctx, "a short canary could be guessed; make one with "
                          "'head -c 15 /dev/urandom | base64', write it "
                          "through the client (e.g. in a note), then audit");
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

/* audit_label writes canary i for a person: its first 40 characters. */
static void audit_label(char *out, size_t size, const audit_canaries *c,
                        uint32_t i)
{
    const bn_bin *b = &c->v[i].bytes;
    snprintf(out, size, "%.*s%s", (int)(b->len > 40 ? 40 : b->len),
             (const char *)b->ptr, b->len > 40 ? "..." : "");
}

static void audit_print_text(const bn_audit_report *r, const audit_canaries *c)
{
    char label[48];

    printf("records with ciphertext  %" PRIu64 "\n"
           "envelopes and chunks     %" PRIu64 "\n"
           "ciphertext bytes         %" PRIu64 "\n"
           "canaries searched        %u\n",
           r->records, r->envelopes, r->cipher_bytes, c->n);
    if (c->n > 0) {
        printf("\ncanaries (searched in every ciphertext the server "
               "stores; the server says only found or not)\n");
        for (uint32_t i = 0; i < c->n; i++) {
            audit_label(label, sizeof label, c, i);
            printf("  #%-3u %-9s %s\n", i + 1,
                   r->found.ptr[i] ? "FOUND" : "not found", cli_safe(label));
        }
    }
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
               "repeats, none looks like plaintext\n");
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

static void audit_print_json(const bn_audit_report *r, const audit_canaries *c)
{
    char label[BN_AUDIT_CANARY_MAX + 1];

    printf("{\"records\":%" PRIu64 ",\"envelopes\":%" PRIu64
           ",\"cipher_bytes\":%" PRIu64 ",\"canaries\":[",
           r->records, r->envelopes, r->cipher_bytes);
    for (uint32_t i = 0; i < c->n; i++) {
        const bn_bin *b = &c->v[i].bytes;
        snprintf(label, sizeof label, "%.*s", (int)b->len,
                 (const char *)b->ptr);
        printf("%s{\"canary\":", i ? "," : "");
        cli_json_str(label);
        printf(",\"found\":%s}", r->found.ptr[i] ? "true" : "false");
    }
    printf("],\"truncated\":%s,\"fields\":[", r->truncated ? "true" : "false");
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
    uint32_t nfound = 0;
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
    /* One answer per canary sent, each 0 or 1: else the reply is not one
     * this client asked for. */
    if (rc == 0 && rep.u.audit_report.found.len != canaries.n)
        rc = BN_EPROTO;
    for (uint32_t i = 0; rc == 0 && i < canaries.n; i++)
        if (rep.u.audit_report.found.ptr[i] > 1)
            rc = BN_EPROTO;
    if (rc == BN_EDENIED)
        cli_hint(ctx, "only auditor accounts may audit the server; ask an "
                      "administrator for an auditor invitation");
    if (rc == BN_ELIMIT)
        cli_hint(ctx, "the server takes one audit with canaries per auditor "
                      "per minute (its audit_canary_interval_s): wait, then "
                      "try again; an audit without --canary is not limited");
    if (rc != 0)
        goto cleanup;
    if (json)
        audit_print_json(&rep.u.audit_report, &canaries);
    else
        audit_print_text(&rep.u.audit_report, &canaries);
    for (uint32_t i = 0; i < canaries.n; i++)
        nfound += rep.u.audit_report.found.ptr[i];
    if (rep.u.audit_report.findings.len > 0 || nfound > 0) {
        rc = cli_fail(ctx, BN_ECORRUPT,
                      "the audit found %u problem%s; %u of %u canar%s found "
                      "(listed above)",
                      rep.u.audit_report.findings.len,
                      rep.u.audit_report.findings.len == 1 ? "" : "s", nfound,
                      canaries.n, canaries.n == 1 ? "y was" : "ies were");
        cli_hint(ctx, "a canary found means plaintext you wrote through a "
                      "client sits in a stored ciphertext field; "
                      "'malformed', 'nonce-reuse' and 'not-random' name "
                      "records; examine them offline with 'binomed audit "
                      "--data DIR [--canary FILE]', which also says which "
                      "file holds a canary");
    }
cleanup:
    bn_msg_free(&rep);
    audit_canaries_free(&canaries);
    free(rest);
    return rc;
}
