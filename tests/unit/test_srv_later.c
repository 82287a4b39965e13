/*
 * test_srv_later: requests served off the loop (bnd_dispatch.h, F_LATER).
 * The real server loop runs in a thread on a free loopback port, over a
 * store holding LATER_CHUNKS document chunks of 64 KiB (a live audit with
 * canaries then reads for a second or more); clients speak over raw
 * sockets with crypto/ and proto/ directly, as in test_srv_net.
 *
 * What is proven is an order, not a time: while an auditor's live audit
 * runs, another client completes LATER_CALLS requests one after the
 * other, and the audit's reply has not arrived when the last of them is
 * answered. With the audit on the loop thread, the second of those calls
 * would wait for the audit, whose reply would come first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_list.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../lib/bn_testfs.h"
#include "bn_invite.h"
#include "bnd_log.h"
#include "bnd_schema.h"
#include "bnd_server.h"
#include "../lib/bn_testraw.h"

#define LATER_CHUNKS 1536u /* 96 MiB of ciphertext for the audit to read */
#define LATER_CALLS 50
#define LATER_CANARIES 16

static struct {
    char dir[64];
    bn_invite_code admin_code, auditor_code;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int ready; /* 1: serving, -1: failed */
    uint16_t port;
    bnd_server *srv;
    bn_identity *admin, *auditor;
    uint64_t admin_id, auditor_id;
    int stopped;
} S;

static void *server_main(void *arg)
{
    bnd_config cfg;
    uv_loop_t loop;
    bnd_server *srv = NULL;
    (void)arg;

    bnd_config_defaults(&cfg);
    strcpy(cfg.data_dir, S.dir);
    cfg.port = 0;
    cfg.audit_interval_ms = 0; /* audits with canaries as often as wanted */
    cfg.rate_per_account = 0;
    uv_loop_init(&loop);
    int rc = bnd_server_open(&srv, &cfg, &loop);
    if (rc == 0)
        rc = bnd_server_listen(srv, 0);
    pthread_mutex_lock(&S.mu);
    S.ready = rc == 0 ? 1 : -1;
    S.port = rc == 0 ? srv->bound_port : 0;
    S.srv = srv;
    pthread_cond_signal(&S.cv);
    pthread_mutex_unlock(&S.mu);
    if (rc == 0)
        uv_run(&loop, UV_RUN_DEFAULT);
    bnd_server_close(srv);
    uv_loop_close(&loop);
    return NULL;
}

/* ---- a raw client ---------------------------------------------------------
 */

static void handshake(bn_rawc *c)
{
    assert_int_equal(bn_raw_handshake(c, S.port, S.admin_code.server_pk, 30),
                     0);
}

/* 1 when a byte from the server waits on c's socket now. */
static int readable(const bn_rawc *c)
{
    struct pollfd p = {c->fd, POLLIN, 0};
    return poll(&p, 1, 0) == 1;
}

/* Joins with code's token as id (first time) and returns the account. */
static uint64_t join(bn_rawc *c, const bn_invite_code *code, bn_identity *id,
                     const char *name)
{
    bn_msg m, rep;
    handshake(c);
    bn_msg_init(&m, BN_MSG_JOIN, 0);
    memcpy(m.u.join.token, code->token, 32);
    m.u.join.name = (bn_str){name, (uint32_t)strlen(name)};
    memcpy(m.u.join.sign_pk, id->sign_pk, 32);
    memcpy(m.u.join.box_pk, id->box_pk, 32);
    assert_int_equal(bn_login_sign(m.u.join.sig, &c->ch, id->sign_sk), 0);
    assert_int_equal(bn_raw_rpc(c, &m, &rep), 0);
    uint64_t account = rep.u.logged_in.account.id;
    bn_msg_free(&rep);
    return account;
}

static void login(bn_rawc *c, bn_identity *id, uint64_t account)
{
    bn_msg m, rep;
    handshake(c);
    bn_msg_init(&m, BN_MSG_LOGIN, 0);
    m.u.login.account_id = account;
    assert_int_equal(bn_login_sign(m.u.login.sig, &c->ch, id->sign_sk), 0);
    assert_int_equal(bn_raw_rpc(c, &m, &rep), 0);
    assert_int_equal(rep.type, BN_MSG_LOGGED_IN);
    bn_msg_free(&rep);
}

/* Sends an AUDIT_GET with n canaries (none of them stored) as c. */
static uint64_t send_audit(bn_rawc *c, size_t n)
{
    static char text[LATER_CANARIES][40];
    bn_audit_canary cs[LATER_CANARIES];
    bn_msg m;

    for (size_t i = 0; i < n; i++) {
        snprintf(text[i], sizeof text[i], "canary-never-written-%02zu-xyz", i);
        cs[i].bytes =
            (bn_bin){(const uint8_t *)text[i], (uint32_t)strlen(text[i])};
    }
    bn_msg_init(&m, BN_MSG_AUDIT_GET, 0);
    m.u.audit_get.canaries.v = cs;
    m.u.audit_get.canaries.len = (uint32_t)n;
    assert_int_equal(bn_raw_send(c, &m, 0), 0);
    return m.id;
}

/* Receives the audit's reply to id: its record count. */
static uint64_t recv_audit(bn_rawc *c, uint64_t id)
{
    bn_msg rep;
    assert_int_equal(bn_raw_recv(c, &rep), 0);
    assert_int_equal(rep.type, BN_MSG_AUDIT_REPORT);
    assert_int_equal(rep.id, id);
    uint64_t records = rep.u.audit_report.records;
    bn_msg_free(&rep);
    return records;
}

/* ---- setup ----------------------------------------------------------------
 */

/* Stores LATER_CHUNKS chunks of random ciphertext of one document. */
static int fill(MDB_txn *txn, void *arg)
{
    bnd_store *st = arg;
    static uint8_t data[BN_DOC_CHUNK_MAX];
    bn_rec_doc_chunk c;

    for (uint32_t i = 0; i < LATER_CHUNKS; i++) {
        randombytes_buf(data, sizeof data);
        c.data = (bn_bin){data, sizeof data};
        int rc = bnd_rec_put(st, txn, bnd_key_doc_chunks(1, 1, i), &c, 0);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int setup(void **state)
{
    char code[BN_INVITE_CODE_MAX + 1];
    bnd_config cfg;
    bnd_store *st = NULL;
    bnd_store_opts o = {(size_t)256 << 20, 0, 0, 0};
    (void)state;

    bnd_log_set_level(BND_LOG_ERROR);
    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(bn_crypto_init(), 0);
    strcpy(S.dir, "/tmp/bnd-later-XXXXXX");
    assert_non_null(mkdtemp(S.dir));
    strcat(S.dir, "/data");
    assert_int_equal(bnd_datadir_init(S.dir, NULL, code, sizeof code), 0);
    assert_int_equal(bn_invite_parse(&S.admin_code, code), 0);
    bnd_config_defaults(&cfg);
    strcpy(cfg.data_dir, S.dir);
    assert_int_equal(
        bnd_invite_offline(&cfg, BN_ROLE_AUDITOR, 1, code, sizeof code), 0);
    assert_int_equal(bn_invite_parse(&S.auditor_code, code), 0);
    assert_int_equal(bnd_store_open(&st, S.dir, &o), 0);
    assert_int_equal(bnd_store_write(st, fill, st), 0);
    bnd_store_close(st);

    pthread_mutex_init(&S.mu, NULL);
    pthread_cond_init(&S.cv, NULL);
    assert_int_equal(pthread_create(&S.thread, NULL, server_main, NULL), 0);
    pthread_mutex_lock(&S.mu);
    while (S.ready == 0)
        pthread_cond_wait(&S.cv, &S.mu);
    pthread_mutex_unlock(&S.mu);
    assert_int_equal(S.ready, 1);
    S.admin = bn_identity_new();
    S.auditor = bn_identity_new();
    assert_int_equal(bn_identity_generate(S.admin), 0);
    assert_int_equal(bn_identity_generate(S.auditor), 0);
    bn_rawc c;
    S.admin_id = join(&c, &S.admin_code, S.admin, "Ada");
    close(c.fd);
    S.auditor_id = join(&c, &S.auditor_code, S.auditor, "Aude");
    close(c.fd);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (S.ready == 1 && !S.stopped)
        bnd_server_request_stop(S.srv);
    if (S.ready == 1)
        pthread_join(S.thread, NULL);
    bn_identity_free(S.admin);
    bn_identity_free(S.auditor);
    char *slash = strrchr(S.dir, '/');
    *slash = '\0';
    bn_testfs_rmtree(S.dir);
    return 0;
}

/* ---- tests ----------------------------------------------------------------
 */

/* While a live audit of the whole store runs, another client's requests
 * are answered, one after the other, and all before the audit's reply. */
static void test_audit_does_not_stop_others(void **state)
{
    bn_rawc aud, adm;
    bn_msg m, rep;
    (void)state;

    login(&aud, S.auditor, S.auditor_id);
    login(&adm, S.admin, S.admin_id);
    uint64_t id = send_audit(&aud, LATER_CANARIES);
    for (int i = 0; i < LATER_CALLS; i++) {
        bn_msg_init(&m, i % 2 ? BN_MSG_WHOAMI : BN_MSG_PROGRAMME_LIST, 0);
        assert_int_equal(bn_raw_rpc(&adm, &m, &rep), 0);
        bn_msg_free(&rep);
    }
    /* Every call of the other client was answered: the audit's reply is
     * not there yet. */
    assert_false(readable(&aud));
    assert_true(recv_audit(&aud, id) >= LATER_CHUNKS);
    close(aud.fd);
    close(adm.fd);
}

/* The auditor's connection goes while its audit runs: the reply is
 * dropped, the session freed after, and the next audit (which waits for
 * that one: one audit runs at a time) is answered. */
static void test_close_during_audit(void **state)
{
    bn_rawc aud;
    (void)state;

    login(&aud, S.auditor, S.auditor_id);
    send_audit(&aud, LATER_CANARIES);
    close(aud.fd);
    login(&aud, S.auditor, S.auditor_id);
    uint64_t id = send_audit(&aud, 0);
    assert_true(recv_audit(&aud, id) >= LATER_CHUNKS);
    close(aud.fd);
}

/* Last: a stop while an audit runs answers it, then closes. */
static void test_stop_waits_for_audit(void **state)
{
    bn_rawc aud;
    (void)state;

    login(&aud, S.auditor, S.auditor_id);
    uint64_t id = send_audit(&aud, LATER_CANARIES);
    usleep(100 * 1000); /* let the server read it and start */
    S.stopped = 1;
    bnd_server_request_stop(S.srv);
    assert_true(recv_audit(&aud, id) >= LATER_CHUNKS);
    assert_true(bn_raw_closed_by_server(aud.fd));
    close(aud.fd);
    pthread_join(S.thread, NULL);
    S.ready = 0;
}

BN_UNIT_GROUP(srv_later);
