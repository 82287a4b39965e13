/*
 * test_version.c: a client and a server of releases that do not speak the
 * same protocol meet (issue 12). The daemon answers a LOGIN or a JOIN of
 * another protocol, or of a release that sent none (protocol 1), with
 * BN_EVERSION and a sentence naming both sides and which to upgrade, and
 * closes; the invitation of a refused JOIN stays usable; the stock client
 * logs in and learns the server's protocol and release.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define PASS "version test pass phrase"
#include "bn_version.h"
#include "bn_invite.h"
#include "itest_world.h"

typedef struct fix {
    bn_testd d;
    char admin_dir[300];
    bnc_profile *admin;
} fix;

static int setup(void **state)
{
    fix *f = calloc(1, sizeof *f);
    if (f == NULL || bn_crypto_init() != 0 || bn_testd_start(&f->d) != 0)
        return -1;
    *state = f;
    snprintf(f->admin_dir, sizeof f->admin_dir, "%s/admin", f->d.dir);
    if (itw_join(f->admin_dir, f->d.invite, "Ada Admin", NULL) != 0 ||
        bnc_profile_open(&f->admin, f->admin_dir) != 0 ||
        bnc_profile_load_identity(f->admin, PASS, strlen(PASS)) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    fix *f = *state;
    bnc_profile_free(f->admin);
    bn_testd_stop(&f->d);
    free(f);
    return 0;
}

/* hello sends m (a LOGIN or JOIN, signed here when sign) on a fresh
 * connection and returns the reply's code; msg gets its message. */
static int hello(fix *f, bn_msg *m, int sign, char *msg, size_t size)
{
    itw_raw r;
    bn_msg rep;
    int rc;

    r.fd = itw_tcp_open(f->d.port, 0, 0);
    assert_true(r.fd >= 0);
    assert_int_equal(itw_raw_handshake(&r, f->admin->server_pk), 0);
    if (sign && m->type == BN_MSG_LOGIN)
        assert_int_equal(
            bn_login_sign(m->u.login.sig, &r.ch, f->admin->id->sign_sk), 0);
    assert_int_equal(itw_send_msg(&r, m), 0);
    assert_int_equal(itw_recv_msg(&r, &rep), 0);
    rc = rep.type == BN_MSG_ERROR ? (int)rep.u.error.code : 0;
    msg[0] = '\0';
    if (rep.type == BN_MSG_ERROR)
        snprintf(msg, size, "%.*s", (int)rep.u.error.message.len,
                 rep.u.error.message.ptr);
    if (rc == 0) {
        assert_int_equal(rep.type, BN_MSG_LOGGED_IN);
        assert_int_equal(rep.u.logged_in.proto, BN_PROTO_VERSION);
        assert_int_equal(rep.u.logged_in.release.len, strlen(BN_VERSION));
    }
    bn_msg_free(&rep);
    close(r.fd);
    return rc;
}

static void test_same_protocol_logs_in(void **state)
{
    fix *f = *state;
    char msg[BN_ERRMSG_MAX + 1];
    bn_msg m;
    bn_msg_init(&m, BN_MSG_LOGIN, 1);
    m.u.login.account_id = f->admin->account_id;
    assert_int_equal(m.u.login.proto, BN_PROTO_VERSION);
    assert_int_equal(hello(f, &m, 1, msg, sizeof msg), 0);
}

static void test_older_client_told_to_upgrade(void **state)
{
    fix *f = *state;
    char msg[BN_ERRMSG_MAX + 1];
    bn_msg m;
    bn_msg_init(&m, BN_MSG_LOGIN, 1);
    m.u.login.account_id = f->admin->account_id;
    m.u.login.proto = 1;
    m.u.login.release = (bn_str){"0.1.9", 5};
    assert_int_equal(hello(f, &m, 1, msg, sizeof msg), BN_EVERSION);
    assert_non_null(strstr(msg, "protocol 1 (binome 0.1.9)"));
    assert_non_null(strstr(msg, "protocol 3 (binomed " BN_VERSION ")"));
    assert_non_null(strstr(msg, "upgrade binome, the client"));
}

static void test_newer_client_told_to_upgrade_the_server(void **state)
{
    fix *f = *state;
    char msg[BN_ERRMSG_MAX + 1];
    bn_msg m;
    bn_msg_init(&m, BN_MSG_LOGIN, 1);
    m.u.login.account_id = f->admin->account_id;
    m.u.login.proto = BN_PROTO_VERSION + 1;
    m.u.login.release = (bn_str){"9.0.0", 5};
    assert_int_equal(hello(f, &m, 1, msg, sizeof msg), BN_EVERSION);
    assert_non_null(strstr(msg, "upgrade binomed, the server"));
    assert_non_null(strstr(msg, "binome 9.0.0"));
}

/* A LOGIN as release 0.1 encoded it: [type, id, account, sig], no
 * protocol number at all. */
static void test_release_without_protocol_number(void **state)
{
    fix *f = *state;
    uint8_t pt[4 + 2 + 64];
    itw_raw r;
    bn_msg rep;

    r.fd = itw_tcp_open(f->d.port, 0, 0);
    assert_true(r.fd >= 0);
    assert_int_equal(itw_raw_handshake(&r, f->admin->server_pk), 0);
    pt[0] = 0x94; /* an array of 4 */
    pt[1] = BN_MSG_LOGIN;
    pt[2] = 7; /* request id */
    pt[3] = (uint8_t)f->admin->account_id;
    pt[4] = 0xc4; /* bin 8 */
    pt[5] = 64;
    assert_int_equal(bn_login_sign(pt + 6, &r.ch, f->admin->id->sign_sk), 0);
    assert_int_equal(itw_send_plain(&r, pt, sizeof pt), 0);
    assert_int_equal(itw_recv_msg(&r, &rep), 0);
    assert_int_equal(rep.type, BN_MSG_ERROR);
    assert_int_equal(rep.id, 7);
    assert_int_equal(rep.u.error.code, BN_EVERSION);
    assert_non_null(strstr(rep.u.error.message.ptr, "binome 0.1 or older"));
    assert_non_null(strstr(rep.u.error.message.ptr, "upgrade binome"));
    bn_msg_free(&rep);
    close(r.fd);
}

/* A LOGIN as protocol 2 encoded it, without the device (issue 15):
 * [type, id, account, sig, 2, "0.3.0"]: told which protocol it speaks
 * and whom to upgrade, from what it sent. */
static void test_protocol_2_login(void **state)
{
    fix *f = *state;
    uint8_t pt[4 + 2 + 64 + 1 + 6];
    itw_raw r;
    bn_msg rep;

    r.fd = itw_tcp_open(f->d.port, 0, 0);
    assert_true(r.fd >= 0);
    assert_int_equal(itw_raw_handshake(&r, f->admin->server_pk), 0);
    pt[0] = 0x96; /* an array of 6 */
    pt[1] = BN_MSG_LOGIN;
    pt[2] = 8; /* request id */
    pt[3] = (uint8_t)f->admin->account_id;
    pt[4] = 0xc4; /* bin 8 */
    pt[5] = 64;
    assert_int_equal(bn_login_sign(pt + 6, &r.ch, f->admin->id->sign_sk), 0);
    pt[70] = 2;
    memcpy(pt + 71,
           "\xa5"
           "0.3.0",
           6);
    assert_int_equal(itw_send_plain(&r, pt, sizeof pt), 0);
    assert_int_equal(itw_recv_msg(&r, &rep), 0);
    assert_int_equal(rep.type, BN_MSG_ERROR);
    assert_int_equal(rep.id, 8);
    assert_int_equal(rep.u.error.code, BN_EVERSION);
    assert_non_null(
        strstr(rep.u.error.message.ptr, "protocol 2 (binome 0.3.0)"));
    assert_non_null(strstr(rep.u.error.message.ptr, "upgrade binome"));
    bn_msg_free(&rep);
    close(r.fd);
}

/* A JOIN of another protocol is refused before its invitation is looked
 * at: the invitation still works for the right client. */
static void test_join_of_another_protocol(void **state)
{
    fix *f = *state;
    char msg[BN_ERRMSG_MAX + 1], code[BN_INVITE_CODE_MAX + 1], dir[320];
    bn_invite_code inv;
    bnc_client *c = NULL;
    bn_msg m;

    assert_int_equal(bnc_client_open(&c, f->admin, PASS, strlen(PASS)), 0);
    assert_int_equal(bnc_invite_create(c, 0, BN_ROLE_AUDITOR, 0, code, NULL),
                     0);
    bnc_client_close(c);
    assert_int_equal(bn_invite_parse(&inv, code), 0);
    bn_msg_init(&m, BN_MSG_JOIN, 3);
    memcpy(m.u.join.token, inv.token, sizeof inv.token);
    m.u.join.name = (bn_str){"Old Client", 10};
    m.u.join.proto = 1;
    assert_int_equal(hello(f, &m, 0, msg, sizeof msg), BN_EVERSION);
    assert_non_null(strstr(msg, "upgrade binome, the client"));
    snprintf(dir, sizeof dir, "%s/auditor", f->d.dir);
    assert_int_equal(itw_join(dir, code, "New Client", NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_protocol_logs_in),
        cmocka_unit_test(test_older_client_told_to_upgrade),
        cmocka_unit_test(test_newer_client_told_to_upgrade_the_server),
        cmocka_unit_test(test_release_without_protocol_number),
        cmocka_unit_test(test_protocol_2_login),
        cmocka_unit_test(test_join_of_another_protocol),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
