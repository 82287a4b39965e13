/* test_srv_config: binomed.conf keys, their ranges and units. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_list.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bnd_log.h"
#include "bnd_server.h"

static void test_keys(void **state)
{
    (void)state;
    bnd_config c;
    bnd_config_defaults(&c);
    assert_int_equal(c.max_doc_bytes, (uint64_t)1024 << 20);
    assert_int_equal(c.frame_max, BN_FRAME_MAX);
    assert_int_equal(bnd_config_set(&c, "max_doc_mib", "3"), 0);
    assert_int_equal(c.max_doc_bytes, (uint64_t)3 << 20);
    assert_int_equal(bnd_config_set(&c, "max_doc_mib", "0"), BN_EINVAL);
    assert_int_equal(bnd_config_set(&c, "max_doc_mib", "-1"), BN_EINVAL);
    assert_int_equal(bnd_config_set(&c, "max_doc_mib", "2x"), BN_EINVAL);
    assert_int_equal(bnd_config_set(&c, "handshake_timeout_s", "3"), 0);
    assert_int_equal(c.hs_timeout_ms, 3000);
    assert_int_equal(bnd_config_set(&c, "frame_max_kib", "100"), BN_EINVAL);
    assert_int_equal(bnd_config_set(&c, "frame_max_kib", "2048"), BN_EINVAL);
    assert_int_equal(bnd_config_set(&c, "frame_max_kib", "512"), 0);
    assert_int_equal(c.frame_max, 512 * 1024);
    assert_int_equal(bnd_config_set(&c, "log_level", "debug"), 0);
    assert_int_equal(c.log_level, BND_LOG_DEBUG);
    assert_int_equal(bnd_config_set(&c, "log_level", "loud"), BN_EINVAL);
    assert_int_equal(bnd_config_set(&c, "listen", "10.0.0.1:9"), 0);
    assert_int_equal(c.port, 9);
    /* the live audit's canary limits */
    assert_int_equal(c.audit_interval_ms, 60000);
    assert_int_equal(c.audit_canaries_max, 16);
    assert_int_equal(bnd_config_set(&c, "audit_canary_interval_s", "0"), 0);
    assert_int_equal(c.audit_interval_ms, 0);
    assert_int_equal(bnd_config_set(&c, "audit_canary_interval_s", "300"), 0);
    assert_int_equal(c.audit_interval_ms, 300000);
    assert_int_equal(bnd_config_set(&c, "audit_canaries_max", "0"), BN_EINVAL);
    assert_int_equal(bnd_config_set(&c, "audit_canaries_max", "65"), BN_EINVAL);
    assert_int_equal(bnd_config_set(&c, "audit_canaries_max", "64"), 0);
    assert_int_equal(c.audit_canaries_max, 64);
    assert_int_equal(bnd_config_set(&c, "nope", "1"), BN_ENOTFOUND);
    assert_int_equal(bnd_config_check(&c), 0);
    assert_int_equal(bnd_config_set(&c, "reply_queue_soft_mib", "32"), 0);
    assert_int_equal(bnd_config_check(&c), BN_EINVAL);
    /* every key is described */
    size_t n = 0;
    for (; bnd_config_key_at(n) != NULL; n++)
        assert_non_null(bnd_config_key_at(n)->help);
    assert_true(n >= 12);
}

/* The limits against outsiders and greedy members: defaults, ranges, and
 * how prelogin_max follows max_connections. */
static void test_dos_limits(void **state)
{
    (void)state;
    bnd_config c;
    bnd_config_defaults(&c);
    assert_int_equal(c.hs_timeout_ms, 3000);
    assert_int_equal(c.prelogin_per_addr, 16);
    assert_int_equal(c.conns_per_account, 8);
    assert_int_equal(c.quota_pair_bytes, (uint64_t)2048 << 20);
    assert_int_equal(c.quota_account_bytes, (uint64_t)4096 << 20);
    assert_int_equal(bnd_config_prelogin_max(&c), 256); /* 1024 / 4 */
    assert_int_equal(bnd_config_set(&c, "max_connections", "100"), 0);
    assert_int_equal(bnd_config_prelogin_max(&c), 25);
    assert_int_equal(bnd_config_set(&c, "prelogin_max", "40"), 0);
    assert_int_equal(bnd_config_prelogin_max(&c), 40);
    assert_int_equal(bnd_config_set(&c, "prelogin_max", "400"), 0);
    assert_int_equal(bnd_config_prelogin_max(&c), 100); /* at most all */
    assert_int_equal(bnd_config_set(&c, "max_connections", "2"), 0);
    assert_int_equal(bnd_config_set(&c, "prelogin_max", "0"), 0);
    assert_int_equal(bnd_config_prelogin_max(&c), 1);
    assert_int_equal(bnd_config_set(&c, "prelogin_per_address", "0"),
                     BN_EINVAL);
    assert_int_equal(bnd_config_set(&c, "prelogin_per_address", "4"), 0);
    assert_int_equal(c.prelogin_per_addr, 4);
    assert_int_equal(bnd_config_set(&c, "connections_per_account", "0"),
                     BN_EINVAL);
    assert_int_equal(bnd_config_set(&c, "connections_per_account", "2"), 0);
    assert_int_equal(c.conns_per_account, 2);
    assert_int_equal(bnd_config_set(&c, "quota_pair_mib", "0"), BN_EINVAL);
    assert_int_equal(bnd_config_set(&c, "quota_pair_mib", "5"), 0);
    assert_int_equal(c.quota_pair_bytes, (uint64_t)5 << 20);
    assert_int_equal(bnd_config_set(&c, "quota_account_mib", "1048576"), 0);
    assert_int_equal(c.quota_account_bytes, (uint64_t)1 << 40);
}

static void test_file(void **state)
{
    (void)state;
    char path[] = "/tmp/bnd-conf-XXXXXX";
    int fd = mkstemp(path);
    bnd_config c;
    int line;
    assert_true(fd >= 0);
    const char *text = "# comment\n\nmax_connections=7\n  idle_timeout_s=9\n"
                       "max_doc_mib=2\nmax_inflight=0\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    bnd_config_defaults(&c);
    assert_int_equal(bnd_config_load(&c, path, &line), BN_EINVAL);
    assert_int_equal(line, 6);
    assert_int_equal(c.max_conns, 7);
    assert_int_equal(c.idle_timeout_ms, 9000);
    assert_int_equal(c.max_doc_bytes, (uint64_t)2 << 20);
    unlink(path);
    assert_int_equal(bnd_config_load(&c, path, &line), -ENOENT);
}

BN_UNIT_GROUP(srv_config);
