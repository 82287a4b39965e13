/* Tests for common/: error codes, buffers, big-endian, dates, hex, full
 * reads and writes,
 * and proto/bn_invite (invitation codes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_list.h"
#include <errno.h>
#include <sys/wait.h>

#include "bn_err.h"
#include "bn_invite.h"
#include "bn_text.h"
#include "bn_util.h"

/* The frozen copy of the error table (see test_err_table_frozen). */
static const struct {
    const char *name;
    int value;
} frozen[] = {
    {"BN_EINVAL", -999},       {"BN_ENOMEM", -998},
    {"BN_EIO", -997},          {"BN_EPASSPHRASE", -996},
    {"BN_ECORRUPT", -995},     {"BN_EVERSION", -994},
    {"BN_EAUTH", -993},        {"BN_ESIG", -992},
    {"BN_EPROTO", -991},       {"BN_ETOOBIG", -990},
    {"BN_EAGAIN", -989},       {"BN_ETYPE", -988},
    {"BN_EMISSING", -987},     {"BN_ETRAILING", -986},
    {"BN_EDEPTH", -985},       {"BN_ECOUNT", -984},
    {"BN_ETRUNC", -983},       {"BN_ETOOLONG", -982},
    {"BN_ERANGE", -981},       {"BN_EUNKNOWNMSG", -980},
    {"BN_EHANDSHAKE", -979},   {"BN_EREPLAY", -978},
    {"BN_ENOTFOUND", -977},    {"BN_EEXIST", -976},
    {"BN_EDENIED", -975},      {"BN_ECONFLICT", -974},
    {"BN_EEXPIRED", -973},     {"BN_EUSED", -972},
    {"BN_ENOTLOGGEDIN", -971}, {"BN_ECLOSED", -970},
    {"BN_ETIMEDOUT", -969},    {"BN_ECONNECT", -968},
    {"BN_ESTORE", -967},       {"BN_EFULL", -966},
    {"BN_ECHAIN", -965},       {"BN_EROLLBACK", -964},
    {"BN_EUNVERIFIED", -963},  {"BN_ESTREAM", -962},
    {"BN_EDATE", -961},        {"BN_ELIMIT", -960},
    {"BN_ENOTACCEPTED", -959}, {"BN_EENDED", -958},
    {"BN_ENOKEY", -957},       {"BN_ESTALE", -956},
    {"BN_EAMBIGUOUS", -955},   {"BN_EPROFILE", -954},
    {"BN_EINTERNAL", -953},    {"BN_ETAMPER", -952},
    {"BN_EWITHHELD", -951},    {"BN_EQUOTA", -950},
};

static void test_err_names_and_messages(void **state)
{
    (void)state;
    assert_string_equal(bn_err_name(BN_EAUTH), "BN_EAUTH");
    assert_string_equal(bn_err_name(0), "BN_OK");
    assert_string_equal(bn_err_name(-2), "ENOENT");
    assert_string_equal(bn_err_name(-999999), "BN_EUNKNOWN");
    assert_true(BN_EINVAL < -900);
    assert_true(bn_err_is_bn(BN_EINTERNAL));
    assert_false(bn_err_is_bn(-2));
    assert_non_null(strstr(bn_strerror(BN_EEXPIRED), "administrator"));
    /* every code has its own name and a message */
    for (size_t i = 0; i < sizeof frozen / sizeof frozen[0]; i++) {
        int e = frozen[i].value;
        assert_true(strncmp(bn_err_name(e), "BN_E", 4) == 0);
        assert_true(strlen(bn_strerror(e)) > 5);
        assert_true(bn_err_is_bn(e));
    }
}

/* The error codes travel on the wire: this is the frozen copy of the
 * table. A code may be added at the end with a new number; no row here
 * may change, and every code of bn_err.h must be here. */
static void test_err_table_frozen(void **state)
{
    (void)state;
    size_t n = 0;
    for (size_t i = 0; i < sizeof frozen / sizeof frozen[0]; i++) {
        assert_string_equal(bn_err_name(frozen[i].value), frozen[i].name);
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(frozen[i].value, frozen[j].value);
    }
#define COUNT(name_, value_, msg_) n++;
    BN_ERR_MAP(COUNT)
#undef COUNT
    assert_int_equal(n, sizeof frozen / sizeof frozen[0]);
#define IN_FROZEN(name_, value_, msg_)                                         \
    {                                                                          \
        int found = 0;                                                         \
        for (size_t i = 0; i < n; i++)                                         \
            found |= frozen[i].value == value_ &&                              \
                     strcmp(frozen[i].name, "BN_E" #name_) == 0;               \
        assert_true(found);                                                    \
    }
    BN_ERR_MAP(IN_FROZEN)
#undef IN_FROZEN
}

static void test_array_append(void **state)
{
    (void)state;
    uint64_t *v = NULL;
    size_t n = 0;
    for (uint64_t i = 0; i < 1000; i++)
        assert_int_equal(bn_array_append((void **)&v, &n, sizeof i, &i), 0);
    assert_int_equal(n, 1000);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v[i], i);
    free(v);
}

static void test_buf_grows_and_resets(void **state)
{
    (void)state;
    bn_buf b;
    bn_buf_init(&b);
    uint8_t chunk[1000];
    memset(chunk, 0xab, sizeof chunk);
    for (int i = 0; i < 100; i++)
        assert_int_equal(bn_buf_append(&b, chunk, sizeof chunk), 0);
    assert_int_equal(b.len, 100000);
    assert_true(b.cap >= b.len);
    assert_int_equal(b.data[99999], 0xab);
    size_t cap = b.cap;
    bn_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap);
    assert_int_equal(bn_buf_reserve(&b, SIZE_MAX), BN_ENOMEM);
    bn_buf_wipe(&b);
    assert_null(b.data);
}

static void test_big_endian(void **state)
{
    (void)state;
    uint8_t p[8];
    bn_put_be64(p, 0x0102030405060708ull);
    assert_int_equal(p[0], 1);
    assert_int_equal(p[7], 8);
    assert_true(bn_get_be64(p) == 0x0102030405060708ull);
    bn_put_be32(p, 0xdeadbeef);
    assert_int_equal(p[0], 0xde);
    assert_int_equal(bn_get_be32(p), 0xdeadbeef);
    bn_put_be16(p, 0x1234);
    assert_int_equal(bn_get_be16(p), 0x1234);
}

static void test_dates_parse_and_format(void **state)
{
    (void)state;
    uint32_t d;
    char out[11];
    assert_int_equal(bn_date_parse("2000-01-01", &d), 0);
    assert_int_equal(d, BN_DATE_MIN);
    assert_int_equal(bn_date_parse("2199-12-31", &d), 0);
    assert_int_equal(d, BN_DATE_MAX);
    assert_int_equal(bn_date_parse("2026-11-24", &d), 0);
    bn_date_format(out, d);
    assert_string_equal(out, "2026-11-24");
    assert_int_equal(bn_date_parse("2024-02-29", &d), 0); /* leap */
    /* impossible, malformed and out-of-range dates */
    const char *bad[] = {
        "2023-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01",
        "26-01-01",   "2026/01/01", "1999-12-31", "2200-01-01", "2026-01-01x",
        "",           "abcd-ef-gh", "2100-02-29"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(bn_date_parse(bad[i], &d), BN_EDATE);
    /* every day of the range survives a round trip */
    for (uint32_t day = BN_DATE_MIN; day <= BN_DATE_MAX; day += 1) {
        uint32_t back;
        bn_date_format(out, day);
        assert_int_equal(bn_date_parse(out, &back), 0);
        assert_int_equal(back, day);
    }
}

static void test_hex(void **state)
{
    (void)state;
    uint8_t in[3] = {0x00, 0xab, 0xff}, out[3];
    char hex[7];
    bn_hex_encode(hex, in, 3);
    assert_string_equal(hex, "00abff");
    assert_int_equal(bn_hex_decode(out, 3, hex), 0);
    assert_memory_equal(in, out, 3);
    assert_int_equal(bn_hex_decode(out, 3, "00abf"), BN_EINVAL);
    assert_int_equal(bn_hex_decode(out, 3, "00abfg"), BN_EINVAL);
    assert_int_equal(bn_hex_decode(out, 3, "00abff00"), BN_EINVAL);
}

static void test_utf8_and_json(void **state)
{
    (void)state;
    const unsigned char *u;
    assert_int_equal(bn_utf8_seq((const unsigned char *)"a", 1), 1);
    assert_int_equal(bn_utf8_seq((const unsigned char *)"a", 0), 0);
    u = (const unsigned char *)"\xc3\xa9"; /* é */
    assert_int_equal(bn_utf8_seq(u, 2), 2);
    assert_int_equal(bn_utf8_seq(u, 1), 0);        /* truncated */
    u = (const unsigned char *)"\xf0\x9f\x98\x80"; /* U+1F600 */
    assert_int_equal(bn_utf8_seq(u, 4), 4);
    assert_int_equal(bn_utf8_seq((const unsigned char *)"\xc0\xaf", 2), 0);
    assert_int_equal(bn_utf8_seq((const unsigned char *)"\xed\xa0\x80", 3),
                     0); /* surrogate */
    assert_int_equal(bn_utf8_seq((const unsigned char *)"\xf4\x90\x80\x80", 4),
                     0); /* past U+10FFFF */
    assert_int_equal(bn_utf8_seq((const unsigned char *)"\x80", 1), 0);

    bn_buf b = {0};
    assert_int_equal(bn_json_str(&b, "a\"\\\n\x01\xff\xc3\xa9", 8), 0);
    assert_int_equal(b.len, strlen("\"a\\\"\\\\\\n\\u0001\\ufffd\xc3\xa9\""));
    assert_memory_equal(b.data, "\"a\\\"\\\\\\n\\u0001\\ufffd\xc3\xa9\"",
                        b.len);
    bn_buf_free(&b);
}

/* bn_write_full / bn_read_full move every byte; a read is short only at
 * the end of the file, and a bad descriptor is -errno. */
static void test_full_io(void **state)
{
    (void)state;
    static uint8_t out[200000], in[200001];
    int fds[2];
    size_t got = 0;
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (uint8_t)(i * 7);
    assert_int_equal(pipe(fds), 0);
    if (fork() == 0) { /* more than a pipe holds: short writes */
        close(fds[0]);
        _exit(bn_write_full(fds[1], out, sizeof out) == 0 ? 0 : 1);
    }
    close(fds[1]);
    assert_int_equal(bn_read_full(fds[0], in, 1000, &got), 0);
    assert_int_equal(got, 1000);
    assert_int_equal(bn_read_full(fds[0], in + 1000, sizeof in - 1000, &got),
                     0);
    assert_int_equal(got, sizeof out - 1000);
    assert_memory_equal(in, out, sizeof out);
    int st = -1;
    assert_true(wait(&st) > 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(fds[0]);
    assert_int_equal(bn_read_full(fds[0], in, 1, &got), -EBADF);
    assert_int_equal(bn_write_full(fds[0], out, 1), -EBADF);
}

static void test_invite_round_trip(void **state)
{
    (void)state;
    bn_invite_code c, back;
    char code[BN_INVITE_CODE_MAX];
    memset(&c, 0, sizeof c);
    for (int i = 0; i < 32; i++) {
        c.server_pk[i] = (uint8_t)i;
        c.token[i] = (uint8_t)(0xff - i);
    }
    strcpy(c.host, "notes.example.org");
    c.port = 7450;
    assert_int_equal(bn_invite_format(code, sizeof code, &c), 0);
    assert_true(strncmp(code, "BN1.", 4) == 0);
    assert_non_null(strstr(code, ".notes.example.org:7450"));
    assert_int_equal(bn_invite_parse(&back, code), 0);
    assert_memory_equal(back.server_pk, c.server_pk, 32);
    assert_memory_equal(back.token, c.token, 32);
    assert_string_equal(back.host, c.host);
    assert_int_equal(back.port, 7450);

    strcpy(c.host, "::1");
    assert_int_equal(bn_invite_format(code, sizeof code, &c), 0);
    assert_non_null(strstr(code, ".[::1]:7450"));
    assert_int_equal(bn_invite_parse(&back, code), 0);
    assert_string_equal(back.host, "::1");
}

static void test_invite_rejects_malformed(void **state)
{
    (void)state;
    bn_invite_code c;
    memset(&c, 7, sizeof c);
    c.host[0] = '\0';
    strcpy(c.host, "127.0.0.1");
    c.port = 1;
    char code[BN_INVITE_CODE_MAX];
    assert_int_equal(bn_invite_format(code, sizeof code, &c), 0);
    assert_int_equal(bn_invite_parse(&c, code), 0);

    char bad[BN_INVITE_CODE_MAX + 8];
    /* every truncation fails */
    for (size_t n = 0; n < strlen(code) - strlen(":1"); n++) {
        memcpy(bad, code, n);
        bad[n] = '\0';
        assert_int_equal(bn_invite_parse(&c, bad), BN_EINVAL);
    }
    strcpy(bad, code);
    bad[0] = 'X';
    assert_int_equal(bn_invite_parse(&c, bad), BN_EINVAL);
    strcpy(bad, code);
    bad[10] = '*'; /* not base64url */
    assert_int_equal(bn_invite_parse(&c, bad), BN_EINVAL);
    strcpy(bad, code);
    strcpy(strrchr(bad, ':'), ":70000");
    assert_int_equal(bn_invite_parse(&c, bad), BN_EINVAL);
    strcpy(strrchr(bad, ':'), ":0");
    assert_int_equal(bn_invite_parse(&c, bad), BN_EINVAL);
    assert_int_equal(bn_invite_parse(&c, NULL), BN_EINVAL);

    char host[BN_INVITE_HOST_MAX + 1];
    uint16_t port;
    assert_int_equal(bn_hostport_parse("127.0.0.1:7450", host, &port), 0);
    assert_int_equal(port, 7450);
    assert_int_equal(bn_hostport_parse("::1:7450", host, &port), BN_EINVAL);
    assert_int_equal(bn_hostport_parse("[::1]:80", host, &port), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(bn_hostport_parse("host", host, &port), BN_EINVAL);
    assert_int_equal(bn_hostport_parse(":80", host, &port), BN_EINVAL);
    assert_int_equal(bn_hostport_parse("a b:80", host, &port), BN_EINVAL);
    /* found by fuzz_invite: a bracket inside the host did not round-trip */
    assert_int_equal(bn_hostport_parse("[[]:8", host, &port), BN_EINVAL);
    assert_int_equal(bn_hostport_parse("a]:8", host, &port), BN_EINVAL);
}

BN_UNIT_GROUP(common);
