/*
 * bn_text.h: text that another person chose (a note, an objective, a
 * document name, a display name, a programme's name or charter, a
 * server's error message), made safe to show on a terminal; and the rule
 * a display name or a title must follow.
 *
 * A hazard is what a terminal may act on instead of showing, or what
 * makes the text read differently from what it holds:
 *   - C0 controls (U+0000..U+001F) and DEL: ESC starts the sequences that
 *     move the cursor, erase lines, set the window title (OSC 0) or write
 *     the clipboard (OSC 52); CR returns to the start of a line;
 *   - C1 controls (U+0080..U+009F, as UTF-8): CSI, OSC... for terminals
 *     that act on them;
 *   - bytes that are not well-formed UTF-8: a lone 0x9b is CSI to a
 *     terminal in an 8-bit mode;
 *   - the bidirectional embeddings, overrides and isolates (U+202A..U+202E,
 *     U+2066..U+2069), which reorder what follows them ("Trojan Source"),
 *     and the line and paragraph separators U+2028, U+2029.
 * Everything else (printable ASCII, any other well-formed UTF-8, accents,
 * scripts written right to left) passes unchanged.
 */
#ifndef BN_TEXT_H
#define BN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "bn_util.h"

/* Multi-line text (a note body, a charter): '\n', '\t' and a '\r' right
 * before '\n' (CRLF) pass as they are. Without it, text is one line (a
 * name, a title, a table cell): they are escaped as well. */
#define BN_TEXT_LINES 1u

/*
 * bn_text_unit reads the unit at s (n > 0 bytes left): a well-formed UTF-8
 * sequence, or one byte that is not part of one. Returns its length (1 to
 * 4) and sets *hazard to 1 when it must not reach a terminal as it is
 * (under flags), else 0. *cp is the code point, or -1 for a byte that is
 * not UTF-8.
 */
size_t bn_text_unit(const char *s, size_t n, unsigned flags, int *hazard,
                    int32_t *cp);

/*
 * bn_text_escape appends s[0..len) to out (NUL bytes included) with every
 * hazard written as visible ASCII: "\n", "\t", "\r" for those three,
 * "\xNN" for any other C0 control, DEL or a byte that is not UTF-8,
 * "\uNNNN" for C1 controls, the bidirectional controls and the
 * separators. A backslash in the text stays as it is (the text is shown
 * for a person; --raw or an export gives the exact bytes). The result is
 * well-formed UTF-8 holding no hazard. 0 or BN_ENOMEM.
 */
int bn_text_escape(bn_buf *out, const char *s, size_t len, unsigned flags);

/*
 * bn_text_name_check tells whether s[0..len) may be a display name, a
 * programme's name or theme: well-formed UTF-8 holding no hazard (one
 * line: no control character at all). 0 or BN_EINVAL. Lengths are the
 * caller's to check.
 */
int bn_text_name_check(const char *s, size_t len);

/* The rule in words, for error messages (client and server). */
#define BN_TEXT_NAME_RULE                                                      \
    "printable UTF-8 text without control characters (C0, DEL, C1) or "        \
    "bidirectional overrides"

/*
 * Display width, for tables that line up whatever the script of the names
 * in them (a terminal with a monospace font, as wcwidth sees it, without
 * depending on the locale):
 *
 * bn_text_cp_width is the number of columns code point cp takes: 0 for a
 * combining mark (é written e + U+0301), a zero-width character or a
 * variation selector; 2 for East Asian wide and fullwidth characters
 * (CJK ideographs, kana, hangul, fullwidth forms, most emoji); 1 for
 * everything else, including a byte that is not UTF-8 (cp < 0) and a
 * control (shown escaped, so measure the escaped text).
 */
int bn_text_cp_width(int32_t cp);

/* bn_text_width is the display width of s[0..len): the sum of its code
 * points' widths. */
size_t bn_text_width(const char *s, size_t len);

/*
 * bn_text_prefix is the length in bytes of the longest prefix of
 * s[0..len) that ends on a whole code point (with its combining marks)
 * and is at most width columns wide; *cols is its width. For cutting a
 * table cell.
 */
size_t bn_text_prefix(const char *s, size_t len, size_t width, size_t *cols);

/*
 * bn_json_str appends s (len bytes) to out as a JSON string with its
 * quotes: ", \ and control characters escaped, C1 controls and the
 * bidirectional controls (bn_text.h) as \uNNNN, invalid UTF-8 replaced by
 * U+FFFD, so the output is valid JSON whatever the bytes, and holds
 * nothing a terminal would act on. 0 or BN_ENOMEM.
 */
int bn_json_str(bn_buf *out, const char *s, size_t len);

#endif
