/*
 * test_names.c: a real binomed refuses display names and programme
 * titles that would act on a terminal (C0 and C1 controls, DEL, bidi
 * overrides), over the real protocol: raw JOIN and PROGRAMME_CREATE
 * messages built by hand, so no client-side check stands in the way. A
 * refused JOIN leaves the invitation unused: the same code then joins
 * with a clean name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define PASS "names test pass phrase"
#include "itest_world.h"

typedef struct names {
    bn_testd d;
    int started;
    char admin_dir[300];
    bnc_profile *admin;
    uint64_t programme;
} names;

/* The names that must be refused, and why. */
static const struct {
    const char *name;
    const char *what;
} bad_names[] = {
    {"Eve\x1b]0;pwned\x07", "OSC 0: sets the window title"},
    {"Eve\x1b[2K\rforged", "erases the line and returns"},
    {"Eve\x1b]52;c;ZXZpbA==\x07", "OSC 52: writes the clipboard"},
    {"Eve\nMallory", "a newline"},
    {"Eve\tx", "a tab"},
    {"Eve\x7f", "DEL"},
    {"Eve\xc2\x9b"
     "31m",
     "C1 CSI as UTF-8"},
    {"Eve\xc2\x85", "C1 NEL"},
    {"Eve\xe2\x80\xae"
     "evE",
     "right-to-left override"},
    {"Eve\xe2\x81\xa6x", "left-to-right isolate"},
    {"Eve\xe2\x80\xa8", "line separator"},
};
#define NBAD (sizeof bad_names / sizeof bad_names[0])
#define GOOD "Eve \xc3\x89v\xc3\xa9 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"

static int setup(void **state)
{
    names *n = calloc(1, sizeof *n);
    int rc;

    if (n == NULL || bn_crypto_init() != 0)
        return -1;
    *state = n;
    signal(SIGPIPE, SIG_IGN);
    if (bn_testd_start(&n->d) != 0)
        return -1;
    n->started = 1;
    snprintf(n->admin_dir, sizeof n->admin_dir, "%s/admin", n->d.dir);
    rc = itw_admin_programme(&n->d, n->admin_dir, "Names", 100, &n->admin,
                             &n->programme);
    if (rc != 0) {
        fprintf(stderr, "names: setup: %s; see %s\n", bn_err_name(rc),
                n->d.log);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    names *n = *state;
    if (n == NULL)
        return 0;
    bnc_profile_free(n->admin);
    if (n->started)
        bn_testd_stop(&n->d);
    free(n);
    return 0;
}

/* new_invite asks the daemon for a mentee invitation into code. */
static void new_invite(names *n, char code[BN_INVITE_CODE_MAX + 1])
{
    bnc_client *c = NULL;
    assert_int_equal(bnc_client_open(&c, n->admin, PASS, strlen(PASS)), 0);
    assert_int_equal(
        bnc_invite_create(c, n->programme, BN_ROLE_MENTEE, 0, code, NULL), 0);
    bnc_client_close(c);
}

/* raw_join sends JOIN{token of code, name} on a new connection with a
 * fresh identity and returns the reply (bn_msg_free it). */
static void raw_join(names *n, const char *code, const char *name, bn_msg *rep)
{
    bn_invite_code inv;
    bn_identity *id = bn_identity_new();
    itw_raw r;
    bn_msg m;

    assert_non_null(id);
    assert_int_equal(bn_identity_generate(id), 0);
    assert_int_equal(bn_invite_parse(&inv, code), 0);
    r.fd = itw_tcp_open(n->d.port, 0, 0);
    assert_true(r.fd >= 0);
    assert_int_equal(itw_raw_handshake(&r, inv.server_pk), 0);
    bn_msg_init(&m, BN_MSG_JOIN, 7);
    memcpy(m.u.join.token, inv.token, BN_TOKEN_BYTES);
    m.u.join.name = (bn_str){name, (uint32_t)strlen(name)};
    memcpy(m.u.join.sign_pk, id->sign_pk, 32);
    memcpy(m.u.join.box_pk, id->box_pk, 32);
    assert_int_equal(bn_login_sign(m.u.join.sig, &r.ch, id->sign_sk), 0);
    assert_int_equal(itw_send_msg(&r, &m), 0);
    assert_int_equal(itw_recv_msg(&r, rep), 0);
    close(r.fd);
    bn_identity_free(id);
}

/* expect_refused checks an ERROR{BN_EINVAL} that names the rule. */
static void expect_refused(const bn_msg *rep, const char *what)
{
    if (rep->type != BN_MSG_ERROR)
        fail_msg("%s: accepted by the server", what);
    assert_int_equal(rep->u.error.code, BN_EINVAL);
    if (rep->u.error.message.len == 0 ||
        memmem(rep->u.error.message.ptr, rep->u.error.message.len, "control",
               7) == NULL)
        fail_msg("%s: the message does not say why: '%.*s'", what,
                 (int)rep->u.error.message.len, rep->u.error.message.ptr);
}

static void test_join_refuses_control_names(void **state)
{
    names *n = *state;
    char code[BN_INVITE_CODE_MAX + 1];
    bn_msg rep;

    new_invite(n, code);
    for (size_t i = 0; i < NBAD; i++) {
        raw_join(n, code, bad_names[i].name, &rep);
        expect_refused(&rep, bad_names[i].what);
        bn_msg_free(&rep);
    }
    /* The invitation was not used by the refusals; accents and a name
     * written right to left are welcome. */
    raw_join(n, code, GOOD, &rep);
    assert_int_equal(rep.type, BN_MSG_LOGGED_IN);
    assert_int_equal(rep.u.logged_in.account.name.len, strlen(GOOD));
    assert_memory_equal(rep.u.logged_in.account.name.ptr, GOOD, strlen(GOOD));
    bn_msg_free(&rep);
}

static void test_programme_refuses_control_titles(void **state)
{
    names *n = *state;
    itw_raw r;
    bn_msg m, rep;

    itw_raw_login(&r, n->d.port, n->admin, 0);
    for (size_t i = 0; i < 2 * NBAD; i++) {
        const char *bad = bad_names[i / 2].name;
        bn_msg_init(&m, BN_MSG_PROGRAMME_CREATE, 100 + i);
        /* Even requests: a bad name; odd ones: a bad theme. */
        m.u.programme_create.name = (bn_str){
            i % 2 ? "Fine" : bad, (uint32_t)strlen(i % 2 ? "Fine" : bad)};
        m.u.programme_create.theme = (bn_str){
            i % 2 ? bad : "Fine", (uint32_t)strlen(i % 2 ? bad : "Fine")};
        m.u.programme_create.months = 6;
        m.u.programme_create.frequency = 1;
        m.u.programme_create.format = 1;
        m.u.programme_create.charter = (bn_str){"We meet.", 8};
        assert_int_equal(itw_send_msg(&r, &m), 0);
        assert_int_equal(itw_recv_msg(&r, &rep), 0);
        expect_refused(&rep, bad_names[i / 2].what);
        assert_int_equal(rep.id, 100 + i);
        bn_msg_free(&rep);
    }
    close(r.fd);
}

/* The client library refuses the same names before sending anything. */
static void test_client_refuses_first(void **state)
{
    names *n = *state;
    char code[BN_INVITE_CODE_MAX + 1], dir[400];

    new_invite(n, code);
    for (size_t i = 0; i < NBAD; i++) {
        snprintf(dir, sizeof dir, "%s/eve%zu", n->d.dir, i);
        assert_int_equal(itw_join(dir, code, bad_names[i].name, NULL),
                         BN_EINVAL);
    }
    snprintf(dir, sizeof dir, "%s/eve-ok", n->d.dir);
    assert_int_equal(itw_join(dir, code, "Eve", NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_refuses_control_names),
        cmocka_unit_test(test_programme_refuses_control_titles),
        cmocka_unit_test(test_client_refuses_first),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
