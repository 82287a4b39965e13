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

#define AUDIT_CANARIES_MAX BNC_AUDIT_CANARIES_MAX

typedef struct audit_canaries {
    bnc_canary v[AUDIT_CANARIES_MAX];
    char *bytes[AUDIT_CANARIES_MAX];
    uint32_t n;
} audit_canaries;

static void audit_canaries_free(audit_canaries *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        sodium_memzero(c->bytes[i], c->v[i].len);
        free(c->bytes[i]);
    }
    c->n = 0;
}

/*
 * audit_read_canaries adds every non-empty line of path (without its line
 * end) as a canary: each passes bnc_audit_canary_check (16 to 256 printable
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
        if (bnc_audit_canary_check(line, (size_t)len) != 0) {
            rc = cli_fail(ctx, BNC_EINVAL,
                          "%s:%d: a canary is %u to %u printable ASCII "
                          "characters (this one is %zd bytes%s)",
                          path, lineno, (unsigned)BNC_AUDIT_CANARY_MIN,
                          (unsigned)BNC_AUDIT_CANARY_MAX, len,
                          (size_t)len < BNC_AUDIT_CANARY_MIN ||
                                  (size_t)len > BNC_AUDIT_CANARY_MAX
                              ? ""
                              : " with other characters");
            cli_hint(ctx, "a short canary could be guessed; make one with "
                          "'head -c 15 /dev/urandom | base64', write it "
                          "through the client (e.g. in a note), then audit");
        } else if (c->n >= AUDIT_CANARIES_MAX) {
            rc = cli_fail(ctx, CLI_EUSAGE, "at most %u canaries in all",
                          AUDIT_CANARIES_MAX);
        } else if ((c->bytes[c->n] = malloc((size_t)len)) == NULL) {
            rc = BNC_ENOMEM;
        } else {
            memcpy(c->bytes[c->n], line, (size_t)len);
            c->v[c->n] = (bnc_canary){c->bytes[c->n], (size_t)len};
            c->n++;
        }
    }
    if (rc == 0 && ferror(f))
        rc = cli_fail(ctx, BNC_EIO, "cannot read %s", path);
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
    const bnc_canary *b = &c->v[i];
    snprintf(out, size, "%.*s%s", (int)(b->len > 40 ? 40 : b->len), b->text,
             b->len > 40 ? "..." : "");
}

static void audit_print_text(const bnc_audit_report *r, const audit_canaries *c)
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
                   r->found[i] ? "FOUND" : "not found", cli_safe(label));
        }
    }
    if (r->nfields > 0) {
        printf("\nwhat the server stores (clear: the server can read it)\n");
        printf("  %-16s %-32s %s\n", "DATABASE", "FIELD", "KIND");
        for (size_t i = 0; i < r->nfields; i++) {
            const bnc_audit_field *f = &r->fields[i];
            printf("  %-16s %-32s %s\n", cli_safe(f->db), cli_safe(f->field),
                   cli_safe(f->kind));
        }
    }
    if (r->nfindings == 0) {
        printf("\nno finding: every ciphertext is well formed, no nonce "
               "repeats, none looks like plaintext\n");
        return;
    }
    printf("\n%u finding%s%s\n", (unsigned)r->nfindings,
           r->nfindings == 1 ? "" : "s",
           r->truncated ? " (the server listed only the first)" : "");
    for (size_t i = 0; i < r->nfindings; i++) {
        const bnc_audit_finding *f = &r->findings[i];
        printf("  %-12s %s %s: %s\n", cli_safe(f->code), cli_safe(f->db),
               cli_safe(f->record), cli_safe(f->detail));
    }
}

static void audit_print_json(const bnc_audit_report *r, const audit_canaries *c)
{
    char label[BNC_AUDIT_CANARY_MAX + 1];

    printf("{\"records\":%" PRIu64 ",\"envelopes\":%" PRIu64
           ",\"cipher_bytes\":%" PRIu64 ",\"canaries\":[",
           r->records, r->envelopes, r->cipher_bytes);
    for (uint32_t i = 0; i < c->n; i++) {
        const bnc_canary *b = &c->v[i];
        snprintf(label, sizeof label, "%.*s", (int)b->len, b->text);
        printf("%s{\"canary\":", i ? "," : "");
        cli_json_str(label);
        printf(",\"found\":%s}", r->found[i] ? "true" : "false");
    }
    printf("],\"truncated\":%s,\"fields\":[", r->truncated ? "true" : "false");
    for (size_t i = 0; i < r->nfields; i++) {
        const bnc_audit_field *f = &r->fields[i];
        printf("%s{\"db\":", i ? "," : "");
        cli_json_str(f->db);
        printf(",\"field\":");
        cli_json_str(f->field);
        printf(",\"kind\":");
        cli_json_str(f->kind);
        printf("}");
    }
    printf("],\"findings\":[");
    for (size_t i = 0; i < r->nfindings; i++) {
        const bnc_audit_finding *f = &r->findings[i];
        printf("%s{\"code\":", i ? "," : "");
        cli_json_str(f->code);
        printf(",\"db\":");
        cli_json_str(f->db);
        printf(",\"record\":");
        cli_json_str(f->record);
        printf(",\"detail\":");
        cli_json_str(f->detail);
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
    bnc_audit_report *rep = NULL;

    if (rest == NULL)
        return BNC_ENOMEM;
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
    rc = bnc_audit(ctx->client, canaries.v, canaries.n, &rep);
    if (rc == BNC_EDENIED)
        cli_hint(ctx, "only auditor accounts may audit the server; ask an "
                      "administrator for an auditor invitation");
    if (rc == BNC_ELIMIT)
        cli_hint(ctx, "the server takes one audit with canaries per auditor "
                      "per minute (its audit_canary_interval_s): wait, then "
                      "try again; an audit without --canary is not limited");
    if (rc != 0)
        goto cleanup;
    if (json)
        audit_print_json(rep, &canaries);
    else
        audit_print_text(rep, &canaries);
    for (uint32_t i = 0; i < canaries.n; i++)
        nfound += rep->found[i];
    if (rep->nfindings > 0 || nfound > 0) {
        rc = cli_fail(ctx, BNC_ECORRUPT,
                      "the audit found %u problem%s; %u of %u canar%s found "
                      "(listed above)",
                      (unsigned)rep->nfindings, rep->nfindings == 1 ? "" : "s",
                      nfound, canaries.n,
                      canaries.n == 1 ? "y was" : "ies were");
        cli_hint(ctx, "a canary found means plaintext you wrote through a "
                      "client sits in a stored ciphertext field; "
                      "'malformed', 'nonce-reuse' and 'not-random' name "
                      "records; examine them offline with 'binomed audit "
                      "--data DIR [--canary FILE]', which also says which "
                      "file holds a canary");
    }
cleanup:
    bnc_audit_report_free(rep);
    audit_canaries_free(&canaries);
    free(rest);
    return rc;
}
