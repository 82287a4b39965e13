/* test_srv_limits: a limit or a default is stated in one place. Help
 * texts quote the constants (BN_STRINGIFY), the configuration's usage
 * prints each key's default from its row; what cannot (the docs, the
 * client's help, which another module owns) is checked here against the
 * constants and the defaults. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_list.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bnd_audit_core.h"
#include "bnd_server.h"

/* host_clean zeroes the host buffer past its string (the setter copies a
 * whole stack buffer). */
static void host_clean(bnd_config *c)
{
    size_t n = strnlen(c->host, sizeof c->host);
    memset(c->host + n, 0, sizeof c->host - n);
}

/* same_as_defaults: setting key to val leaves a default configuration as
 * it was (val is the default). */
static int same_as_defaults(const char *key, const char *val)
{
    bnd_config *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    int same;
    assert_true(a != NULL && b != NULL);
    bnd_config_defaults(a);
    bnd_config_defaults(b);
    same = bnd_config_set(b, key, val) == 0;
    host_clean(a);
    host_clean(b);
    same = same && memcmp(a, b, sizeof *a) == 0;
    free(a);
    free(b);
    return same;
}

/*
 * Each key's default is a field of its row: bnd_config_defaults sets it
 * through the parser (so it must be a value the key takes), the usage
 * prints it, and no help states a default of its own. Each default
 * setting leaves the defaults as they are, and a value that is not the
 * default changes them (the check can fail).
 */
static void test_config_help(void **state)
{
    const bnd_config_key *k;
    char def[64], usage[512], want[96];
    size_t i;
    (void)state;
    for (i = 0; (k = bnd_config_key_at(i)) != NULL; i++) {
        assert_int_equal(bnd_config_key_default(i, def, sizeof def), 0);
        if (!same_as_defaults(k->key, def))
            fail_msg("%s: its default %s is not a value it takes, or "
                     "bnd_config_defaults does not set it",
                     k->key, def);
        if (strstr(k->help, "default") != NULL)
            fail_msg("%s: its help states a default of its own: \"%s\"", k->key,
                     k->help);
        assert_int_equal(bnd_config_key_usage(i, usage, sizeof usage), 0);
        snprintf(want, sizeof want, "default %s", def);
        if (strncmp(usage, k->help, strlen(k->help)) != 0 ||
            strstr(usage + strlen(k->help), want) == NULL)
            fail_msg("%s: its usage \"%s\" does not state %s", k->key, usage,
                     want);
    }
    assert_int_equal(bnd_config_key_default(i, def, sizeof def), BN_EINVAL);
    assert_false(same_as_defaults("max_inflight", "63"));
}

/* read_all returns a file of the source tree (tests run from its root). */
static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t len = 0;
    int c;
    if (f == NULL)
        fail_msg("%s: cannot open (run the tests from the source root)", path);
    FILE *m = open_memstream(&buf, &len);
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(f);
    fclose(m);
    return buf;
}

/*
 * docs/OPERATIONS.md's table of keys gives each key with its default:
 * its row begins with the generated "| `KEY` | DEFAULT" (the default
 * from the key's row, bnd_config_key_default), followed by " |" or " ("
 * (a note). log_level is in the sentence listing the levels:
 * "`info` (default)".
 */
static void test_operations_table(void **state)
{
    char *doc = read_all("docs/OPERATIONS.md");
    const bnd_config_key *k;
    (void)state;
    for (size_t i = 0; (k = bnd_config_key_at(i)) != NULL; i++) {
        char row[128], def[64], key[80];
        assert_int_equal(bnd_config_key_default(i, def, sizeof def), 0);
        snprintf(key, sizeof key, "| `%s` | ", k->key);
        snprintf(row, sizeof row, "| `%s` | %s", k->key, def);
        const char *p = strstr(doc, key);
        if (p == NULL) {
            snprintf(row, sizeof row, "`%s` (default)", def);
            if (strstr(doc, row) != NULL)
                continue;
            fail_msg("docs/OPERATIONS.md has no row for %s", k->key);
        }
        size_t n = strlen(row);
        if (strncmp(p, row, n) != 0 ||
            (strncmp(p + n, " |", 2) != 0 && strncmp(p + n, " (", 2) != 0)) {
            const char *e = strchr(p, '\n');
            fail_msg("docs/OPERATIONS.md: the row %.*s does not begin with "
                     "\"%s\" (the default of bnd_config.c's table)",
                     (int)(e != NULL ? e - p : 60), p, row);
        }
    }
    free(doc);
}

/* check_ranges: in every line of path that speaks of canaries, each
 * range "A to B" is the live bounds (MIN to MAX) or the offline ones (1
 * to MAX), "N printable characters or more" the least, "at most N by
 * default" the default count, and a stated
 * interval is a minute only while the default interval is 60 s. */
static void check_ranges(const char *path)
{
    char *text = read_all(path);
    int lineno = 1;
    for (char *line = text; *line != '\0'; lineno++) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *l = strndup(line, len);
        int canary = 0;
        for (char *q = l; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        canary = strstr(l, "canar") != NULL;
        for (char *q = l; canary && (q = strstr(q, " to ")) != NULL; q += 4) {
            char *a = q;
            while (a > l && isdigit((unsigned char)a[-1]))
                a--;
            if (a == q || !isdigit((unsigned char)q[4]))
                continue;
            long lo = strtol(a, NULL, 10), hi = strtol(q + 4, NULL, 10);
            if (hi == BN_AUDIT_CANARIES_MAX && lo == 1)
                continue; /* canaries in one audit */
            if (!((lo == BN_AUDIT_CANARY_MIN || lo == 1) &&
                  hi == BN_AUDIT_CANARY_MAX))
                fail_msg("%s:%d: canaries of %ld to %ld bytes; the limits "
                         "are %d (live) or 1 (offline) to %d",
                         path, lineno, lo, hi, BN_AUDIT_CANARY_MIN,
                         BN_AUDIT_CANARY_MAX);
        }
        char *m = canary ? strstr(l, " printable characters or more") : NULL;
        if (m != NULL && m > l && isdigit((unsigned char)m[-1])) {
            char *a = m;
            while (a > l && isdigit((unsigned char)a[-1]))
                a--;
            if (strtol(a, NULL, 10) != BN_AUDIT_CANARY_MIN)
                fail_msg("%s:%d: canaries of %ld characters or more; the "
                         "least is %d",
                         path, lineno, strtol(a, NULL, 10),
                         BN_AUDIT_CANARY_MIN);
        }
        char *d = canary ? strstr(l, " by default") : NULL;
        if (d != NULL && d > l && isdigit((unsigned char)d[-1])) {
            char *a = d;
            while (a > l && isdigit((unsigned char)a[-1]))
                a--;
            if (strtol(a, NULL, 10) != BND_AUDIT_CANARIES_DEFAULT)
                fail_msg("%s:%d: %ld canaries by default; the default is %d",
                         path, lineno, strtol(a, NULL, 10),
                         BND_AUDIT_CANARIES_DEFAULT);
        }
        if (canary && strstr(l, "minute") != NULL &&
            BND_AUDIT_INTERVAL_S_DEFAULT != 60)
            fail_msg("%s:%d: says a minute; the default interval is %d s", path,
                     lineno, BND_AUDIT_INTERVAL_S_DEFAULT);
        free(l);
        line += len + (end != NULL);
    }
    free(text);
}

/* The canary limits, wherever a text states them. */
static void test_canary_texts(void **state)
{
    static const char *const files[] = {
        "SECURITY.md",
        "docs/DESIGN.md",
        "docs/OPERATIONS.md",
        "README.md",
        "client/cli/main.c",
        "client/cli/cli_audit.c",
        "server/bnd_h_audit.c",
        "server/main.c",
        "server/bnd_server.c",
        "proto/bn_schema.h",
        "server/bnd_audit_core.h",
    };
    (void)state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        check_ranges(files[i]);
    /* one constant for the offline and the live bound */
    assert_int_equal(BND_AUDIT_CANARY_MAX, BN_AUDIT_CANARY_MAX);
}

BN_UNIT_GROUP(srv_limits);
