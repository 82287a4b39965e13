/*
 * test_proto_malformed.c: hand-written malformed messages, each mapped to
 * the exact error bn_msg_decode must give. The table is the reference for
 * the error conventions documented at the top of proto/bn_codec.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_list.h"

#include "bn_proto.h"

typedef struct bad_case {
    const char *what;
    const char *bytes; /* as a C string literal; len gives the length */
    size_t len;
    int want;
} bad_case;

#define CASE(what, lit, want)                                                  \
    {                                                                          \
        what, lit, sizeof(lit) - 1, want                                       \
    }

/* Types used below: PROGRAMME_GET 0x24 [programme_id U64]; WHOAMI 0x13 [];
 * ERROR 0x01 [code I64, message STR<=512]; PAIR_END 0x35 [pair_id U64,
 * reason U8<=2, date U32<=84005, entry BIN<=152, override BOOL]; NOTE_GET 0x44
 * [pair_id, note_id U64, revision U32]; SESSION_ADD 0x50 [pair_id, date, status
 * U8<=3, absent U8<=3, entry, follow_up BOOL]; KEY_PUT 0x36 [pair_id, epoch
 * U32, wraps LIST<=32 of key_wrap]; LOGGED_IN 0x12 [account OBJ account_info
 * (7)]. */
static const bad_case cases[] = {
    /* sanity: valid inputs */
    CASE("valid PROGRAMME_GET", "\x93\x24\x01\x05", 0),
    CASE("valid WHOAMI", "\x92\x13\x07", 0),
    CASE("any integer width is accepted",
         "\x93\x24\xcf\x00\x00\x00\x00\x00\x00\x00\x01\xd0\x05", 0),
    CASE("id UINT64_MAX", "\x93\x24\xcf\xff\xff\xff\xff\xff\xff\xff\xff\x05",
         0),
    CASE("I64 INT64_MIN",
         "\x94\x01\x01\xd3\x80\x00\x00\x00\x00\x00\x00\x00\xa0", 0),
    CASE("date at its maximum 84005",
         "\x97\x35\x01\x05\x02\xce\x00\x01\x48\x25\xc4\x00\xc2", 0),

    /* truncation */
    CASE("empty input", "", BN_ETRUNC),
    CASE("input ends inside a uint16", "\x93\x24\x01\xcd\x00", BN_ETRUNC),
    CASE("input ends inside an array16 header", "\xdc\x00", BN_ETRUNC),
    CASE("str length past the end", "\x94\x01\x01\x00\xa5\x61", BN_ETRUNC),
    CASE("str32 of 4 GiB", "\x94\x01\x01\x00\xdb\xff\xff\xff\xff", BN_ETRUNC),
    CASE("bin32 of 4 GiB",
         "\x97\x35\x01\x05\x01\xcd\x4a\x38\xc6\xff\xff\xff\xff", BN_ETRUNC),
    CASE("array count above the bytes left (truncated message)", "\x93\x24\x01",
         BN_ECOUNT),

    /* counts */
    CASE("huge array count, top level", "\xdd\xff\xff\xff\xff", BN_ECOUNT),
    CASE("huge array count, then bytes", "\xdd\xff\xff\xff\xff\x24\x01\x05",
         BN_ECOUNT),
    CASE("huge array count in a list",
         "\x95\x36\x01\x05\x01\xdd\xff\xff\xff\xff", BN_ECOUNT),
    CASE("list over its maximum (33 wraps, max 32)",
         "\x96\x36\x01\x05\x01\xdc\x00\x21"
         "\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90"
         "\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90"
         "\xc4\x00",
         BN_ECOUNT),

    /* depth */
    CASE("nested too deep (6 arrays)", "\x91\x91\x91\x91\x91\x91\x00",
         BN_EDEPTH),
    CASE("too deep inside a list",
         "\x95\x36\x01\x05\x01\x91\x91\x91\x91\x91\x00", BN_EDEPTH),

    /* field count */
    CASE("empty array", "\x90", BN_EMISSING),
    CASE("no id", "\x91\x24", BN_EMISSING),
    CASE("missing field", "\x92\x24\x01", BN_EMISSING),
    CASE("one field too many", "\x94\x24\x01\x05\x05", BN_EPROTO),
    CASE("fields on a message without any", "\x93\x13\x01\x00", BN_EPROTO),
    CASE("nested structure with a field missing",
         "\x93\x12\x01\x96\x01\x01\xa0\x01\xc4\x00\xc4\x00", BN_EMISSING),

    /* types */
    CASE("str for a U64", "\x93\x24\x01\xa1x", BN_ETYPE),
    CASE("bool for a U64", "\x93\x24\x01\xc3", BN_ETYPE),
    CASE("nil for a U64", "\x93\x24\x01\xc0", BN_ETYPE),
    CASE("float for a U64", "\x93\x24\x01\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00",
         BN_ETYPE),
    CASE("ext for a U64", "\x93\x24\x01\xd4\x01\x00", BN_ETYPE),
    CASE("reserved byte 0xc1", "\x93\x24\x01\xc1", BN_ETYPE),
    CASE("str as the id", "\x93\x24\xa1x\x05", BN_ETYPE),
    CASE("str as the type", "\x92\xa1x\x01", BN_ETYPE),
    CASE("scalar at the top", "\x05", BN_ETYPE),
    CASE("str at the top", "\xa1x", BN_ETYPE),
    CASE("map instead of array", "\x81\x00\x00", BN_ETYPE),
    CASE("empty fixmap", "\x80", BN_ETYPE),
    CASE("map16", "\xde\x00\x00", BN_ETYPE),
    CASE("map as a field", "\x93\x24\x01\x80", BN_ETYPE),
    CASE("string with NUL", "\x94\x01\x01\x00\xa3\x61\x00\x62", BN_ETYPE),
    CASE("string with invalid UTF-8", "\x94\x01\x01\x00\xa1\xff", BN_ETYPE),
    CASE("string with an overlong NUL", "\x94\x01\x01\x00\xa2\xc0\x80",
         BN_ETYPE),

    /* types: unknown */
    CASE("unknown type", "\x92\x7f\x01", BN_EUNKNOWNMSG),
    CASE("type 0", "\x92\x00\x01", BN_EUNKNOWNMSG),
    CASE("type 0x10024 (not 0x24 truncated)",
         "\x93\xce\x00\x01\x00\x24\x01\x05", BN_EUNKNOWNMSG),
    CASE("negative type", "\x92\xff\x01", BN_EUNKNOWNMSG),

    /* ranges */
    CASE("negative id", "\x93\x24\xff\x05", BN_ERANGE),
    CASE("id INT64_MIN", "\x93\x24\xd3\x80\x00\x00\x00\x00\x00\x00\x00\x05",
         BN_ERANGE),
    CASE("U8 over its maximum (reason 3)",
         "\x97\x35\x01\x05\x03\xcd\x4a\x38\xc4\x00\xc2", BN_ERANGE),
    CASE("U8 of 256 (status)",
         "\x99\x50\x01\x05\x00\xcd\x01\x00\x00\xc4\x00\x90\xc2", BN_ERANGE),
    CASE("U32 over its maximum (date 84006)",
         "\x97\x35\x01\x05\x01\xce\x00\x01\x48\x26\xc4\x00\xc2", BN_ERANGE),
    CASE("U32 of 2^32 (revision)",
         "\x95\x44\x01\x01\x01\xcf\x00\x00\x00\x01\x00\x00\x00\x00", BN_ERANGE),
    CASE("negative U32", "\x95\x44\x01\x01\x01\xff", BN_ERANGE),
    CASE("negative U64", "\x93\x24\x01\xd0\x80", BN_ERANGE),
    CASE("I64 above INT64_MAX",
         "\x94\x01\x01\xcf\x80\x00\x00\x00\x00\x00\x00\x00\xa0", BN_ERANGE),

    /* trailing */
    CASE("trailing byte", "\x93\x24\x01\x05\x00", BN_ETRAILING),
    CASE("two messages", "\x92\x13\x07\x92\x13\x07", BN_ETRAILING),
};

static void test_table(void **state)
{
    (void)state;
    bn_msg zero;
    memset(&zero, 0, sizeof zero);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_case *c = &cases[i];
        /* an exact-size copy, so that ASan sees any read past the end */
        uint8_t *p = malloc(c->len ? c->len : 1);
        assert_non_null(p);
        memcpy(p, c->bytes, c->len);
        bn_msg m;
        int rc = bn_msg_decode(&m, p, c->len);
        free(p);
        if (rc != c->want)
            fail_msg("%s: got %s, want %s", c->what, bn_err_name(rc),
                     bn_err_name(c->want));
        if (rc != 0)
            assert_memory_equal(&m, &zero, sizeof m);
        bn_msg_free(&m);
    }
}

/* Long fields, built at run time: strings and binaries one byte over,
 * followed by tail (the message's later fields; may be empty). */
static void check_long_tail(uint8_t type, const uint8_t *head, size_t hlen,
                            uint8_t kind, size_t n, const uint8_t *tail,
                            size_t tlen, int want)
{
    bn_buf b = {0};
    uint8_t h[3] = {kind, (uint8_t)(n >> 8), (uint8_t)n};
    assert_int_equal(bn_buf_append(&b, head, hlen), 0);
    assert_int_equal(bn_buf_append(&b, h, 3), 0);
    assert_int_equal(bn_buf_reserve(&b, n + tlen), 0);
    memset(b.data + b.len, 'a', n);
    b.len += n;
    if (tlen > 0)
        assert_int_equal(bn_buf_append(&b, tail, tlen), 0);
    bn_msg m;
    int rc = bn_msg_decode(&m, b.data, b.len);
    if (rc != want)
        fail_msg("type %#x, %zu bytes: got %s, want %s", type, n,
                 bn_err_name(rc), bn_err_name(want));
    if (rc == 0) {
        assert_int_equal(m.type, type);
    }
    bn_msg_free(&m);
    bn_buf_free(&b);
}

static void check_long(uint8_t type, const uint8_t *head, size_t hlen,
                       uint8_t kind, size_t n, int want)
{
    check_long_tail(type, head, hlen, kind, n, NULL, 0, want);
}

static void test_long_fields(void **state)
{
    (void)state;
    /* ERROR message: str16 (0xda) of 512 then 513 bytes */
    static const uint8_t err[] = {0x94, 0x01, 0x01, 0x00};
    check_long(0x01, err, sizeof err, 0xda, BN_ERRMSG_MAX, 0);
    check_long(0x01, err, sizeof err, 0xda, BN_ERRMSG_MAX + 1, BN_ETOOLONG);
    /* PAIR_END entry: bin16 (0xc5) of 152 then 153 bytes */
    static const uint8_t end[] = {0x97, 0x35, 0x01, 0x05,
                                  0x01, 0xcd, 0x4a, 0x38};
    static const uint8_t no[] = {0xc2}; /* override false */
    check_long_tail(0x35, end, sizeof end, 0xc5, BN_LOG_ENTRY_BYTES, no,
                    sizeof no, 0);
    check_long_tail(0x35, end, sizeof end, 0xc5, BN_LOG_ENTRY_BYTES + 1, no,
                    sizeof no, BN_ETOOLONG);
    /* LOGIN sig (BINF 64): 63 short, 65 long, 64 right; then the
     * protocol (3), an empty release and the device (0) */
    static const uint8_t login[] = {0x97, 0x11, 0x01, 0x05};
    static const uint8_t hello[] = {0x03, 0xa0, 0x00};
    check_long_tail(0x11, login, sizeof login, 0xc5, BN_SIG_BYTES, hello,
                    sizeof hello, 0);
    check_long_tail(0x11, login, sizeof login, 0xc5, BN_SIG_BYTES - 1, hello,
                    sizeof hello, BN_ERANGE);
    check_long_tail(0x11, login, sizeof login, 0xc5, BN_SIG_BYTES + 1, hello,
                    sizeof hello, BN_ETOOLONG);
    /* ... and without them, as release 0.1 sent it: a field missing */
    check_long(0x11, (const uint8_t[]){0x94, 0x11, 0x01, 0x05}, 4, 0xc5,
               BN_SIG_BYTES, BN_EMISSING);
    /* ... and without the device, as protocol 2 sent it */
    check_long_tail(0x11, (const uint8_t[]){0x96, 0x11, 0x01, 0x05}, 4, 0xc5,
                    BN_SIG_BYTES, (const uint8_t[]){0x02, 0xa0}, 2,
                    BN_EMISSING);
    /* a str where the BINF belongs */
    check_long_tail(0x11, login, sizeof login, 0xda, BN_SIG_BYTES, hello,
                    sizeof hello, BN_ETYPE);
}

/*
 * An array of nils: the schema's largest message holds some tens of
 * thousands of array elements (SESSIONS: 1000 rows of 10 fields, each
 * with up to 32 absentees of 1 field: issue 14), so 500,000 are refused
 * before msgpack-c allocates for them (BN_ECOUNT), while 10,000 reach the
 * schema check (BN_EPROTO: far too many fields for PROGRAMME_GET).
 */
static void check_nils(size_t n, int want)
{
    bn_buf b = {0};
    uint8_t h[6] = {0xdd,
                    (uint8_t)(n >> 24),
                    (uint8_t)(n >> 16),
                    (uint8_t)(n >> 8),
                    (uint8_t)n,
                    0x24};
    assert_int_equal(bn_buf_append(&b, h, 6), 0);
    assert_int_equal(bn_buf_reserve(&b, n), 0);
    memset(b.data + b.len, 0x01, n - 1); /* id, then fields */
    b.len += n - 1;
    bn_msg m;
    int rc = bn_msg_decode(&m, b.data, b.len);
    if (rc != want)
        fail_msg("%zu elements: got %s, want %s", n, bn_err_name(rc),
                 bn_err_name(want));
    bn_buf_free(&b);
}

static void test_element_budget(void **state)
{
    (void)state;
    check_nils(10000, BN_EPROTO);
    check_nils(500000, BN_ECOUNT);
}

/* The decoded values of a non-canonical but valid encoding. */
static void test_values(void **state)
{
    (void)state;
    static const uint8_t in[] = {0x95, 0x44, 0xcd, 0x01, 0x00, 0xd0, 0x05,
                                 0xcf, 0,    0,    0,    0,    0,    0,
                                 0,    6,    0xce, 0xff, 0xff, 0xff, 0xff};
    bn_msg m;
    assert_int_equal(bn_msg_decode(&m, in, sizeof in), 0);
    assert_int_equal(m.type, BN_MSG_NOTE_GET);
    assert_int_equal(m.id, 256);
    assert_int_equal(m.u.note_get.pair_id, 5);
    assert_int_equal(m.u.note_get.note_id, 6);
    assert_int_equal(m.u.note_get.revision, UINT32_MAX);
    assert_null(m.arena); /* nothing to copy, nothing allocated */
    bn_msg_free(&m);

    static const uint8_t err[] = {0x94, 0x01, 0x07, 0xd1, 0xfc,
                                  0x19, 0xa3, 'b',  'a',  'd'};
    assert_int_equal(bn_msg_decode(&m, err, sizeof err), 0);
    assert_int_equal(m.u.error.code, -999);
    assert_int_equal(m.u.error.message.len, 3);
    assert_string_equal(m.u.error.message.ptr, "bad");
    assert_ptr_not_equal(m.u.error.message.ptr, (const char *)err + 7);
    bn_msg_free(&m);
}

BN_UNIT_GROUP(proto_malformed);
