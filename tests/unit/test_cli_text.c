/*
 * test_cli_text.c: the client's pure helpers: JSON strings, note id
 * prefixes, account names, enumeration names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_list.h"

#include <string.h>

#include "bnc_internal.h" /* the handles' insides, for white-box checks */
#include "bn_text.h"

static void expect_json(const char *in, size_t len, const char *want)
{
    bn_buf b = {0};
    assert_int_equal(bn_json_str(&b, in, len), 0);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    bn_buf_free(&b);
}

static void test_json_escaping(void **state)
{
    (void)state;
    expect_json("plain", 5, "\"plain\"");
    expect_json("", 0, "\"\"");
    expect_json("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    expect_json("l1\nl2\tx\r", 8, "\"l1\\nl2\\tx\\r\"");
    expect_json("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
    expect_json("a\0b", 3, "\"a\\u0000b\"");
    expect_json("Zoé €", 8, "\"Zoé €\"");
    expect_json("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
    /* Invalid UTF-8: a lone continuation, an overlong, a surrogate, a
     * truncated sequence, a byte never valid. */
    expect_json("\x80", 1, "\"\\ufffd\"");
    expect_json("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
    expect_json("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
    expect_json("x\xe2\x82", 3, "\"x\\ufffd\\ufffd\"");
    expect_json("\xff", 1, "\"\\ufffd\"");
}

static void test_note_prefix(void **state)
{
    bnc_note_meta items[4] = {0};
    uint64_t id = 0;
    (void)state;

    items[0].note_id = 0x0123456789abcdefULL;
    items[1].note_id = 0x0123999999999999ULL;
    items[2].note_id = 0xfedcba9876543210ULL;
    items[3].note_id = 0xfedcba9876543210ULL; /* another revision */

    assert_int_equal(bnc_note_resolve(items, 4, "0123456789abcdef", &id), 0);
    assert_true(id == 0x0123456789abcdefULL);
    assert_int_equal(bnc_note_resolve(items, 4, "01234", &id), 0);
    assert_true(id == 0x0123456789abcdefULL);
    assert_int_equal(bnc_note_resolve(items, 4, "FEDC", &id), 0);
    assert_true(id == 0xfedcba9876543210ULL);
    assert_int_equal(bnc_note_resolve(items, 4, "0123", &id), BNC_EAMBIGUOUS);
    assert_int_equal(bnc_note_resolve(items, 4, "0", &id), BNC_EAMBIGUOUS);
    assert_int_equal(bnc_note_resolve(items, 4, "abc", &id), BN_ENOTFOUND);
    assert_int_equal(bnc_note_resolve(items, 0, "0123", &id), BN_ENOTFOUND);
    assert_int_equal(bnc_note_resolve(items, 4, "", &id), BN_EINVAL);
    assert_int_equal(bnc_note_resolve(items, 4, "01g", &id), BN_EINVAL);
    assert_int_equal(bnc_note_resolve(items, 4, "0123456789abcdef0", &id),
                     BN_EINVAL);
}

static void test_account_resolve(void **state)
{
    bnc_account a[3] = {0};
    uint64_t id = 0;
    (void)state;

    a[0].id = 2;
    strcpy(a[0].name, "Alice");
    a[1].id = 3;
    strcpy(a[1].name, "Bob");
    a[2].id = 4;
    strcpy(a[2].name, "Bob");
    assert_int_equal(bnc_account_resolve(a, 3, "Alice", &id), 0);
    assert_int_equal(id, 2);
    assert_int_equal(bnc_account_resolve(a, 3, "3", &id), 0);
    assert_int_equal(id, 3);
    assert_int_equal(bnc_account_resolve(a, 3, "Bob", &id), BNC_EAMBIGUOUS);
    assert_int_equal(bnc_account_resolve(a, 3, "alice", &id), BN_ENOTFOUND);
    assert_int_equal(bnc_account_resolve(a, 3, "9", &id), BN_ENOTFOUND);
}

static void test_names(void **state)
{
    uint8_t v;
    (void)state;
    assert_int_equal(bnc_role_parse("mentee", &v), 0);
    assert_int_equal(v, BN_ROLE_MENTEE);
    assert_string_equal(bnc_role_name(BN_ROLE_AUDITOR), "auditor");
    assert_int_equal(bnc_kind_parse("action-plan", &v), 0);
    assert_int_equal(v, BN_KIND_ACTION_PLAN);
    assert_int_equal(bnc_kind_parse("Report", &v), BN_EINVAL);
    assert_int_equal(bnc_frequency_parse("bimonthly", &v), 0);
    assert_int_equal(v, BN_FREQ_BIMONTHLY);
    assert_int_equal(bnc_format_parse("in-person", &v), 0);
    assert_int_equal(v, BN_FORMAT_IN_PERSON);
    assert_string_equal(bnc_pair_status_name(99), "?");
    assert_true(strlen(bnc_default_charter()) > 100);
}

static void expect_safe_name(const char *in, const char *want)
{
    char out[BN_DOC_NAME_MAX + 1];
    bnc_doc_safe_name(out, in, 0x2a);
    assert_string_equal(out, want);
}

/* A document's name becomes a file name: nothing in it may mislead
 * whoever lists the directory, or climb out of it. */
static void test_doc_safe_name(void **state)
{
    char longname[BN_DOC_NAME_MAX + 8];
    char out[BN_DOC_NAME_MAX + 1];
    (void)state;

    expect_safe_name("report.pdf", "report.pdf");
    expect_safe_name("../../etc/passwd", "_.._etc_passwd");
    expect_safe_name("a\\b", "a_b");
    expect_safe_name("...", "document-000000000000002a");
    expect_safe_name("x\x1b]0;t\x07.txt", "x_]0;t_.txt");
    expect_safe_name("invoice\xe2\x80\xae"
                     "fdp.exe",
                     "invoice_fdp.exe");
    expect_safe_name("a\xc2\x9b"
                     "b\xff",
                     "a_b_");
    expect_safe_name("Résumé \xd7\xa9.odt", "Résumé \xd7\xa9.odt");
    /* Cut at a whole character, never inside one. */
    memset(longname, 'a', sizeof longname);
    memcpy(longname + BN_DOC_NAME_MAX - 1, "\xc3\xa9", 2);
    longname[BN_DOC_NAME_MAX + 1] = '\0';
    bnc_doc_safe_name(out, longname, 1);
    assert_int_equal(strlen(out), BN_DOC_NAME_MAX - 1);
    assert_int_equal(bn_str_check(out, strlen(out), BN_DOC_NAME_MAX), 0);
}

BN_UNIT_GROUP(cli_text);
