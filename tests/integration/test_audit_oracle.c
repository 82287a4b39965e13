/*
 * test_audit_oracle.c: the live audit is no file-reading oracle. A real
 * binomed (bn_testd) with a pair, and auditors who speak the protocol by
 * hand (raw sockets, AUDIT_GET with any bytes), play the attack that used
 * to extract server.key in a few dozen requests: grow a known prefix one
 * byte at a time, and ask which file holds it.
 *
 *   - every canary shorter than 16 bytes, or holding a byte outside
 *     printable ASCII (any raw window of server.key), is refused
 *     (BN_EINVAL) before any search, and the connection goes on;
 *   - printable forms of the server's files (server.key in hex and base64,
 *     server.pub's lines, binomed.conf's lines, runs of clear text copied
 *     out of data.mdb: programme name, theme, charter) are not found: the
 *     search reaches only the ciphertext fields of stored records, and
 *     the reply says found / not found per canary, naming nothing;
 *   - a second audit with canaries within the interval is refused
 *     (BN_ELIMIT) while the auditor may still audit without canaries,
 *     another auditor may search, and members are served.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define PASS "oracle test pass phrase"
#include "itest_world.h"

#define NAME "Oracle programme of the north"
#define THEME "learning to read the ledger"

typedef struct oracle {
    bn_testd d;
    int started;
    itw_pair_world w;
    char aud_dir[300], aud2_dir[300];
    bnc_profile *aud, *aud2; /* identities loaded */
    itw_raw r, r2;           /* their connections, logged in */
    uint8_t key[512];        /* server.key's bytes */
    size_t klen;
    uint64_t next_id;
} oracle;

static oracle *O;

/* read_file reads up to cap bytes of dir/name into buf: the count, or 0. */
static size_t read_file(const char *dir, const char *name, uint8_t *buf,
                        size_t cap)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* load_profile opens the profile in dir with its identity (a client opened
 * and closed): 0 or an error. */
static int load_profile(const char *dir, bnc_profile **p)
{
    bnc_client *c = NULL;
    int rc = itw_open_client(dir, p, &c);
    bnc_client_close(c);
    return rc;
}

static int setup(void **state)
{
    bnc_profile *ap = NULL;
    bnc_client *ac = NULL;
    char code[BN_INVITE_CODE_MAX + 1];
    oracle *o = calloc(1, sizeof *o);
    int rc;

    if (o == NULL || bn_crypto_init() != 0)
        return -1;
    *state = O = o;
    signal(SIGPIPE, SIG_IGN);
    if (bn_testd_start(&o->d) != 0)
        return -1;
    o->started = 1;
    rc = itw_pair_world_make(&o->d, NAME, THEME, &o->w);
    snprintf(o->aud_dir, sizeof o->aud_dir, "%s/audrey", o->d.dir);
    snprintf(o->aud2_dir, sizeof o->aud2_dir, "%s/basile", o->d.dir);
    if (rc == 0)
        rc = itw_open_client(o->w.admin_dir, &ap, &ac);
    if (rc == 0)
        rc = bnc_invite_create(ac, 0, BN_ROLE_AUDITOR, 0, code, NULL);
    if (rc == 0)
        rc = itw_join(o->aud_dir, code, "Audrey Auditor", NULL);
    if (rc == 0)
        rc = bnc_invite_create(ac, 0, BN_ROLE_AUDITOR, 0, code, NULL);
    if (rc == 0)
        rc = itw_join(o->aud2_dir, code, "Basile Auditor", NULL);
    itw_close_client(ap, ac);
    if (rc == 0)
        rc = load_profile(o->aud_dir, &o->aud);
    if (rc == 0)
        rc = load_profile(o->aud2_dir, &o->aud2);
    if (rc != 0) {
        fprintf(stderr, "audit_oracle: setup: %s; see %s\n", bn_err_name(rc),
                o->d.log);
        return -1;
    }
    o->klen = read_file(o->d.data, "server.key", o->key, sizeof o->key);
    if (o->klen < 64)
        return -1;
    o->r.fd = o->r2.fd = -1;
    o->next_id = 100;
    return 0;
}

static int teardown(void **state)
{
    oracle *o = *state;
    if (o == NULL)
        return 0;
    if (o->r.fd >= 0)
        close(o->r.fd);
    if (o->r2.fd >= 0)
        close(o->r2.fd);
    bnc_profile_free(o->aud);
    bnc_profile_free(o->aud2);
    sodium_memzero(o->key, sizeof o->key);
    if (o->started)
        bn_testd_stop(&o->d);
    free(o);
    return 0;
}

/*
 * audit sends AUDIT_GET with n canaries (any bytes) on r and reads the
 * reply into *rep (bn_msg_free it): 0 for an AUDIT_REPORT, else the
 * ERROR's code. A transport failure fails the test.
 */
static int audit(itw_raw *r, const uint8_t *const *c, const size_t *lens,
                 size_t n, bn_msg *rep)
{
    bn_audit_canary v[BN_AUDIT_CANARIES_MAX];
    bn_msg m;

    assert_true(n <= BN_AUDIT_CANARIES_MAX);
    for (size_t i = 0; i < n; i++)
        v[i].bytes = (bn_bin){c[i], (uint32_t)lens[i]};
    bn_msg_init(&m, BN_MSG_AUDIT_GET, O->next_id++);
    m.u.audit_get.canaries.v = v;
    m.u.audit_get.canaries.len = (uint32_t)n;
    assert_int_equal(itw_send_msg(r, &m), 0);
    assert_int_equal(itw_recv_msg(r, rep), 0);
    assert_int_equal(rep->id, m.id);
    if (rep->type == BN_MSG_ERROR)
        return (int)rep->u.error.code;
    assert_int_equal(rep->type, BN_MSG_AUDIT_REPORT);
    assert_int_equal(rep->u.audit_report.found.len, n);
    return 0;
}

/* audit_one sends one canary and frees the reply: 0 or the code. */
static int audit_one(itw_raw *r, const uint8_t *c, size_t len)
{
    bn_msg rep;
    int rc = audit(r, &c, &len, 1, &rep);
    bn_msg_free(&rep);
    return rc;
}

/* The attack of old, byte by byte: refused at every step. */
static void test_prefix_growing_refused(void **state)
{
    oracle *o = *state;
    uint8_t guess[BN_AUDIT_CANARY_MIN];
    (void)state;

    itw_raw_login(&o->r, o->d.port, o->aud, 0);
    /* "B", "BN", "BND", "BNDK", then the version byte and the key: each
     * prefix the attacker would have confirmed, up to 15 bytes. */
    for (size_t n = 1; n < BN_AUDIT_CANARY_MIN; n++)
        assert_int_equal(audit_one(&o->r, o->key, n), BN_EINVAL);
    /* The 16th byte guessed: 256 guesses, each refused (binary). */
    memcpy(guess, o->key, sizeof guess - 1);
    for (unsigned v = 0; v < 256; v++) {
        guess[sizeof guess - 1] = (uint8_t)v;
        assert_int_equal(audit_one(&o->r, guess, sizeof guess), BN_EINVAL);
    }
    /* Every raw window of the key file, 16 to 64 bytes. */
    for (size_t off = 0; off + 16 <= o->klen; off += 7) {
        size_t len = 16 + off % 49;
        if (off + len > o->klen)
            len = o->klen - off;
        assert_int_equal(audit_one(&o->r, o->key + off, len), BN_EINVAL);
    }
    /* Short printable canaries too: nothing to grow from. */
    assert_int_equal(audit_one(&o->r, (const uint8_t *)"box_pk=", 7),
                     BN_EINVAL);
    /* The connection went on through all of it, and nothing was searched:
     * the daemon logged no audit that ran. */
    bn_msg rep;
    assert_int_equal(audit(&o->r, NULL, NULL, 0, &rep), 0);
    bn_msg_free(&rep);
    assert_int_equal(
        itw_log_wait(o->d.log, " audit account=", "result=ok", 1, 5.0), 1);
}

/* add_canary appends p[0..len) to the list when it is a valid canary. */
static void add_canary(const uint8_t **c, size_t *lens, size_t *n,
                       const uint8_t *p, size_t len)
{
    if (*n < 16 && bn_audit_canary_check(p, len) == 0) {
        c[*n] = p;
        lens[*n] = len;
        (*n)++;
    }
}

/* add_lines adds the lines of text (16 bytes or more) as canaries. */
static void add_lines(const uint8_t **c, size_t *lens, size_t *n,
                      const uint8_t *text, size_t len, size_t max)
{
    for (size_t i = 0, start = 0, k = 0; i <= len && k < max; i++) {
        if (i < len && text[i] != '\n')
            continue;
        if (i - start >= BN_AUDIT_CANARY_MIN && text[start] != '#') {
            add_canary(c, lens, n, text + start,
                       i - start > 64 ? 64 : i - start);
            k++;
        }
        start = i + 1;
    }
}

/* Printable forms of the server's files: not found, and the reply names
 * no file, database or record. */
static void test_files_not_reachable(void **state)
{
    oracle *o = *state;
    static uint8_t mdb[4 << 20], pub[1024], conf[4096];
    static char hex[2 * 512 + 1], b64[1024];
    const uint8_t *c[16];
    size_t lens[16], n = 0, nmdb = 0, nconf = 0, npub = 0;
    bn_msg rep;

    /* server.key in hex and base64 windows. */
    bn_hex_encode(hex, o->key, o->klen);
    sodium_bin2base64(b64, sizeof b64, o->key, o->klen,
                      sodium_base64_VARIANT_ORIGINAL);
    add_canary(c, lens, &n, (const uint8_t *)hex, 64);
    add_canary(c, lens, &n, (const uint8_t *)hex + 10, 32);
    add_canary(c, lens, &n, (const uint8_t *)hex + 2 * 37, 64);
    add_canary(c, lens, &n, (const uint8_t *)b64, 24);
    add_canary(c, lens, &n, (const uint8_t *)b64 + 40, 40);
    /* server.pub and binomed.conf, line by line. */
    npub = read_file(o->d.data, "server.pub", pub, sizeof pub);
    add_lines(c, lens, &n, pub, npub, 2);
    nconf = read_file(o->d.data, "binomed.conf", conf, sizeof conf);
    add_lines(c, lens, &n, conf, nconf, 2);
    /* Clear text copied out of data.mdb: runs of 24 printable bytes or
     * more (random ciphertext holds none), the programme's name and theme
     * among them. */
    size_t before = n;
    nmdb = read_file(o->d.data, "data.mdb", mdb, sizeof mdb);
    assert_true(nmdb > 0);
    assert_non_null(memmem(mdb, nmdb, NAME, strlen(NAME)));
    for (size_t i = 0, run = 0; i < nmdb && n < 16; i++) {
        if (mdb[i] >= 0x20 && mdb[i] <= 0x7e) {
            run++;
            continue;
        }
        if (run >= 24)
            add_canary(c, lens, &n, mdb + i - run, run > 64 ? 64 : run);
        run = 0;
    }
    fprintf(stderr,
            "audit_oracle: %zu canaries: %zu from server.key, %zu from "
            "server.pub and binomed.conf, %zu copied out of data.mdb\n",
            n, (size_t)5, before - 5, n - before);
    assert_true(n - before >= 2);
    assert_true(n >= 9);

    assert_int_equal(audit(&o->r, c, lens, n, &rep), 0);
    for (size_t i = 0; i < n; i++)
        if (rep.u.audit_report.found.ptr[i] != 0)
            fail_msg("canary #%zu (%.*s) was found", i + 1, (int)lens[i],
                     (const char *)c[i]);
    /* A clean store: no finding at all, so nothing names a place. */
    assert_int_equal(rep.u.audit_report.findings.len, 0);
    bn_msg_free(&rep);
}

/* One audit with canaries per auditor per minute (the default): the
 * second is refused, and nobody else notices. */
static void test_rate_limit(void **state)
{
    oracle *o = *state;
    const char *canary = "rate-limit-canary-0001-zq7";
    bnc_profile *mp = NULL;
    bnc_client *mc = NULL;
    bnc_account me;
    bn_msg rep;

    /* Audrey searched in the previous case, less than a minute ago. */
    assert_int_equal(audit_one(&o->r, (const uint8_t *)canary, strlen(canary)),
                     BN_ELIMIT);
    assert_int_equal(audit_one(&o->r, (const uint8_t *)canary, strlen(canary)),
                     BN_ELIMIT);
    /* Without canaries she may still audit. */
    assert_int_equal(audit(&o->r, NULL, NULL, 0, &rep), 0);
    bn_msg_free(&rep);
    /* Basile has his own turn, once. */
    itw_raw_login(&o->r2, o->d.port, o->aud2, 0);
    assert_int_equal(audit_one(&o->r2, (const uint8_t *)canary, strlen(canary)),
                     0);
    assert_int_equal(audit_one(&o->r2, (const uint8_t *)canary, strlen(canary)),
                     BN_ELIMIT);
    /* A member is served meanwhile, the daemon is up. */
    assert_int_equal(itw_open_client(o->w.mentor_dir, &mp, &mc), 0);
    assert_int_equal(bnc_whoami(mc, &me), 0);
    assert_int_equal(me.id, o->w.mentor_id);
    itw_close_client(mp, mc);
    assert_int_equal(kill(o->d.pid, 0), 0);
    assert_true(itw_log_wait(o->d.log, " audit account=", "result=BN_ELIMIT", 3,
                             5.0) >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix_growing_refused),
        cmocka_unit_test(test_files_not_reachable),
        cmocka_unit_test(test_rate_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
