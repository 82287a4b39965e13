/*
 * test_text.c: bn_text.h: what reaches a terminal from text another
 * person wrote, and the rule for display names and titles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_list.h"

#include <string.h>

#include "bn_text.h"

/* L(lit): a string literal and its length, NUL bytes included. */
#define L(lit) lit, sizeof(lit) - 1

/* expect_escape escapes in[0..len) under flags and compares with want. */
static void expect_escape(const char *in, size_t len, unsigned flags,
                          const char *want)
{
    bn_buf b = {0};
    assert_int_equal(bn_text_escape(&b, in, len, flags), 0);
    if (b.len != strlen(want) || (b.len > 0 && memcmp(b.data, want, b.len)))
        fail_msg("escaped '%.*s', want '%s'", (int)b.len, (const char *)b.data,
                 want);
    bn_buf_free(&b);
}

/* no_hazard_left checks that out holds no byte a terminal acts on. */
static void no_hazard_left(const char *in, size_t len, unsigned flags)
{
    bn_buf b = {0};
    assert_int_equal(bn_text_escape(&b, in, len, flags), 0);
    for (size_t i = 0; i < b.len; i++) {
        unsigned char c = b.data[i];
        if (c == '\n' || c == '\t')
            assert_true(flags & BN_TEXT_LINES);
        else if (c == '\r')
            assert_true((flags & BN_TEXT_LINES) && i + 1 < b.len &&
                        b.data[i + 1] == '\n');
        else
            assert_false(c < 0x20 || c == 0x7f);
    }
    assert_int_equal(bn_text_name_check((const char *)b.data, 0), 0);
    /* Escaped twice is escaped once: the output is clean text. */
    if (!(flags & BN_TEXT_LINES))
        assert_int_equal(bn_text_name_check((const char *)b.data, b.len), 0);
    bn_buf_free(&b);
}

static void test_escape_terminal_attacks(void **state)
{
    (void)state;
    /* OSC 0 sets the window title; OSC 52 writes the clipboard. */
    expect_escape(L("\x1b]0;pwned\x07"), BN_TEXT_LINES, "\\x1b]0;pwned\\x07");
    expect_escape(L("\x1b]52;c;ZXZpbA==\x1b\\"), 0,
                  "\\x1b]52;c;ZXZpbA==\\x1b\\");
    /* Erase the line, go back to its start, write another. */
    expect_escape(L("ok\x1b[2K\rforged line\n"), BN_TEXT_LINES,
                  "ok\\x1b[2K\\rforged line\n");
    /* C1 CSI as UTF-8 (U+009B) and as a raw byte. */
    expect_escape(L("a\xc2\x9b"
                    "31mb"),
                  0, "a\\u009b31mb");
    expect_escape(L("a\x9b"
                    "31mb"),
                  0, "a\\x9b31mb");
    expect_escape(L("\xc2\x80\xc2\x9f\xc2\xa0"), 0, "\\u0080\\u009f\xc2\xa0");
    /* Bidirectional overrides and isolates, the separators. */
    expect_escape(L("invoice\xe2\x80\xae"
                    "fdp.exe"),
                  0, "invoice\\u202efdp.exe");
    expect_escape(L("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"), 0,
                  "\\u202a\\u202b\\u202c\\u202d");
    expect_escape(L("\xe2\x81\xa6x\xe2\x81\xa9"), BN_TEXT_LINES,
                  "\\u2066x\\u2069");
    expect_escape(L("a\xe2\x80\xa8"
                    "b\xe2\x80\xa9"),
                  0, "a\\u2028b\\u2029");
    /* DEL, NUL and the other C0 controls. */
    expect_escape(L("\x7f\x01\x1f"), BN_TEXT_LINES, "\\x7f\\x01\\x1f");
    expect_escape(L("a\0b"), 0, "a\\x00b");
    /* Invalid UTF-8: a stray continuation, an overlong, a surrogate, a
     * truncated sequence, 0xff. */
    expect_escape(L("\xc0\xaf"), 0, "\\xc0\\xaf");
    expect_escape(L("\xed\xa0\x80"), 0, "\\xed\\xa0\\x80");
    expect_escape(L("x\xe2\x82"), 0, "x\\xe2\\x82");
    expect_escape(L("\xff"), 0, "\\xff");
}

static void test_escape_keeps_text(void **state)
{
    (void)state;
    /* Accents, other scripts, right-to-left text, emoji and backslashes
     * pass unchanged. */
    expect_escape(L("Zoé € \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xf0\x9f\x98\x80"),
                  0, "Zoé € \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xf0\x9f\x98\x80");
    expect_escape(L("C:\\dir\\x1b"), 0, "C:\\dir\\x1b");
    expect_escape(L(""), 0, "");
    /* Multi-line text keeps lines, tabs and CRLF; one line does not. */
    expect_escape(L("a\tb\r\nc\n"), BN_TEXT_LINES, "a\tb\r\nc\n");
    expect_escape(L("a\tb\r\nc\n"), 0, "a\\tb\\r\\nc\\n");
    /* A CR not followed by LF returns to the start of the line. */
    expect_escape(L("a\rb"), BN_TEXT_LINES, "a\\rb");
    expect_escape(L("a\r"), BN_TEXT_LINES, "a\\r");
}

static void test_escape_output_is_clean(void **state)
{
    unsigned char all[256 + 16];
    (void)state;
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    memcpy(all + 256, "\xc2\x9b\xe2\x80\xae\xe2\x81\xa7\r\n\r\r", 12);
    no_hazard_left((const char *)all, 268, 0);
    no_hazard_left((const char *)all, 268, BN_TEXT_LINES);
}

static void test_name_check(void **state)
{
    (void)state;
    assert_int_equal(bn_text_name_check("Zoé Durand", 11), 0);
    assert_int_equal(bn_text_name_check("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", 8),
                     0);
    assert_int_equal(bn_text_name_check("Eve\x1b[2K", 7), BN_EINVAL);
    assert_int_equal(bn_text_name_check("Eve\n", 4), BN_EINVAL);
    assert_int_equal(bn_text_name_check("Eve\t", 4), BN_EINVAL);
    assert_int_equal(bn_text_name_check("Eve\x7f", 4), BN_EINVAL);
    assert_int_equal(bn_text_name_check("Eve\xc2\x9b", 5), BN_EINVAL);
    assert_int_equal(bn_text_name_check("Eve\xe2\x80\xae", 6), BN_EINVAL);
    assert_int_equal(bn_text_name_check("Eve\xe2\x81\xa6", 6), BN_EINVAL);
    assert_int_equal(bn_text_name_check("Eve\xff", 4), BN_EINVAL);
    assert_int_equal(bn_text_name_check("Eve\0x", 5), BN_EINVAL);
}

/* expect_json runs bn_json_str on in and compares with want. */
static void expect_json(const char *in, size_t len, const char *want)
{
    bn_buf b = {0};
    assert_int_equal(bn_json_str(&b, in, len), 0);
    if (b.len != strlen(want) || (b.len > 0 && memcmp(b.data, want, b.len)))
        fail_msg("JSON '%.*s', want '%s'", (int)b.len, (const char *)b.data,
                 want);
    bn_buf_free(&b);
}

static void test_json_escapes_hazards(void **state)
{
    (void)state;
    expect_json(L("\x1b]0;t\x07"), "\"\\u001b]0;t\\u0007\"");
    expect_json(L("a\xc2\x9b"
                  "b"),
                "\"a\\u009bb\"");
    expect_json(L("x\xe2\x80\xae"
                  "y"),
                "\"x\\u202ey\"");
    expect_json(L("\xe2\x81\xa9\xe2\x80\xa8"), "\"\\u2069\\u2028\"");
    expect_json(L("é\xc2\xa0"), "\"é\xc2\xa0\"");
}

/* Display widths: a column per letter whatever its script, none for a
 * combining mark, two for an East Asian wide character (issue 13: tables
 * padded by bytes did not line up). */
static void test_width(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t width;
    } cases[] = {
        {"", 0},
        {"Claire", 6},
        {"\xc3\x89lodie", 6},                        /* Élodie, precomposed */
        {"E\xcc\x81lodie", 6},                       /* Élodie, E + U+0301 */
        {"Zo\xc3\xab", 3},                           /* Zoë */
        {"\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x99", 6}, /* 李小龙 */
        {"\xd0\x90\xd0\xbd\xd0\xb0", 3},             /* Ана */
        {"\xed\x95\x9c\xea\xb8\x80", 4},             /* 한글 */
        {"\xef\xbc\xa1", 2},                         /* fullwidth A */
        {"a\xe2\x80\x8b"
         "b",
         2}, /* a, zero-width space, b */
        {"\xd8\xb3\xd9\x8e\xd9\x84\xd8\xa7\xd9\x85", 4}, /* سَلام */
        {"\xf0\x9f\x98\x80", 2},                         /* an emoji */
        {"\xff", 1},                                     /* not UTF-8 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t w = bn_text_width(cases[i].s, strlen(cases[i].s));
        if (w != cases[i].width)
            fail_msg("width of '%s': %zu, want %zu", cases[i].s, w,
                     cases[i].width);
    }
    assert_int_equal(bn_text_cp_width(0x0301), 0);
    assert_int_equal(bn_text_cp_width(0x4e00), 2);
    assert_int_equal(bn_text_cp_width('A'), 1);
}

/* A cell is cut on whole characters, never inside a wide one, and keeps
 * a character's combining marks. */
static void test_width_prefix(void **state)
{
    (void)state;
    const char *cjk = "\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x99"; /* 李小龙 */
    const char *e = "E\xcc\x81t\xc3\xa9";                     /* Été */
    size_t cols;

    assert_int_equal(bn_text_prefix(cjk, strlen(cjk), 5, &cols), 6);
    assert_int_equal(cols, 4);
    assert_int_equal(bn_text_prefix(cjk, strlen(cjk), 1, &cols), 0);
    assert_int_equal(cols, 0);
    assert_int_equal(bn_text_prefix(e, strlen(e), 1, &cols), 3);
    assert_int_equal(cols, 1);
    assert_int_equal(bn_text_prefix(e, strlen(e), 99, &cols), strlen(e));
    assert_int_equal(cols, 3);
}

BN_UNIT_GROUP(text);
