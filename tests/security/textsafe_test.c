/* SPDX-License-Identifier: Apache-2.0 */
/*
 * textsafe_test — userspace/textsafe.c with the strings a hostile container
 * would choose for its hostname, comm or cmdline: exact expected output for
 * each terminal attack, cuts on UTF-8 boundaries, column counts.  TAP via
 * tests/tap.h; run by tests/security/textsafe.t.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "textsafe.h"

static void safe_is(const char *in, size_t inlen, int max_cols, const char *want, int want_cols,
		    const char *what)
{
	char out[256];
	int cols = pw_text_safe(out, sizeof(out), in, inlen, max_cols);

	is_str(out, want, "%s", what);
	is_int(cols, want_cols, "%s: %d columns", what, want_cols);
}

#define SAFE(in, max, want, cols, what) safe_is(in, sizeof(in) - 1, max, want, cols, what)

static void test_attacks(void)
{
	SAFE("\x1b[2Jpwned", 0, "?[2Jpwned", 9, "ESC [2J (clear screen)");
	SAFE("\x1b]0;title\x07", 0, "?]0;title?", 10, "ESC ]0;title BEL (retitle the window)");
	SAFE("\x9b" "31m", 0, "?31m", 4, "raw 8-bit CSI 0x9b");
	SAFE("\xc2\x9b" "31m", 0, "?31m", 4, "U+009B CSI encoded as UTF-8");
	SAFE("\xc2\x85next", 0, "?next", 5, "U+0085 NEL");
	SAFE("a\rb", 0, "a?b", 3, "CR (overwrite the row)");
	SAFE("host\nfake 0 0 0", 0, "host?fake 0 0 0", 15, "LF in a hostname (forged row)");
	SAFE("a\x7f" "b\bc", 0, "a?b?c", 5, "DEL and BS");
	SAFE("\x1bP+q\x1b\\", 0, "?P+q?\\", 6, "DCS request (terminal answers back)");
	/* NOLINTBEGIN(misc-misleading-bidirectional): the attacks under test */
	SAFE("ad\xe2\x80\xaemin", 0, "ad?min", 6, "U+202E right-to-left override");
	SAFE("a\xe2\x81\xa6" "b", 0, "a?b", 3, "U+2066 left-to-right isolate");
	/* NOLINTEND(misc-misleading-bidirectional) */
	SAFE("pa\xe2\x80\x8buse", 0, "pa?use", 6, "U+200B zero width space");
	SAFE("\xef\xbb\xbfx", 0, "?x", 2, "U+FEFF byte order mark");
	SAFE("x\xf3\xa0\x81\x81y", 0, "x?y", 3, "tag character U+E0041 (hidden text)");
	SAFE("x\xef\xbf\xbe", 0, "x?", 2, "noncharacter U+FFFE");
	SAFE("s\xc2\xad" "oft", 0, "s?oft", 5, "U+00AD soft hyphen");
}

static void test_invalid_utf8(void)
{
	SAFE("\xc0\xaf", 0, "??", 2, "overlong '/' (C0 AF): one ? per byte");
	SAFE("\xe0\x80\xaf", 0, "???", 3, "overlong 3-byte");
	SAFE("\xed\xa0\x80", 0, "???", 3, "UTF-16 surrogate D800");
	SAFE("\xf4\x90\x80\x80", 0, "????", 4, "beyond U+10FFFF");
	SAFE("\xf5\x80", 0, "??", 2, "F5 lead byte");
	SAFE("ab\xe2\x82", 0, "ab??", 4, "truncated at the end");
	SAFE("\x80\xbf", 0, "??", 2, "stray continuation bytes");
	SAFE("\xff\xfe", 0, "??", 2, "FF FE");
}

static void test_kept(void)
{
	SAFE("shop-7d9f4", 0, "shop-7d9f4", 10, "plain ASCII unchanged");
	SAFE("caf\xc3\xa9", 0, "caf\xc3\xa9", 4, "Latin-1 letter kept");
	SAFE("\xe6\x97\xa5\xe6\x9c\xac", 0, "\xe6\x97\xa5\xe6\x9c\xac", 4, "CJK: 2 columns each");
	SAFE("e\xcc\x81", 0, "e\xcc\x81", 1, "combining accent: 0 columns");
	SAFE("\xf0\x9f\x98\x80", 0, "\xf0\x9f\x98\x80", 2, "emoji: 2 columns");
	SAFE("a\0\x1b[2J", 0, "a", 1, "stops at a NUL");
}

static void test_cuts(void)
{
	char out[8];
	int cols;

	SAFE("abcdef", 4, "abcd", 4, "max_cols cuts");
	SAFE("ab\xe6\x97\xa5z", 3, "ab", 2, "a wide char that does not fit is left out whole");
	SAFE("ab\x1b[", 3, "ab?", 3, "a replacement counts one column");
	cols = pw_text_safe(out, 7, "abc\xe2\x82\xac" "d", 7, 0);
	is_str(out, "abc\xe2\x82\xac", "outlen 7: the euro sign (3 bytes) fits, 'd' does not");
	is_int(cols, 4, "... 4 columns");
	cols = pw_text_safe(out, 6, "abcd\xe2\x82\xac", 7, 0);
	is_str(out, "abcd", "outlen 6: never a partial UTF-8 sequence");
	is_int(cols, 4, "... 4 columns");
	cols = pw_text_safe(out, 1, "abc", 3, 0);
	is_str(out, "", "outlen 1: empty");
	is_int(cols, 0, "... 0 columns");
	is_int(pw_text_safe(out, 0, "abc", 3, 0), 0, "outlen 0: nothing written");
	is_int(pw_text_safe(out, sizeof(out), NULL, 5, 0), 0, "NULL input: empty");
	is_str(out, "", "... NUL-terminated");
	is_int(pw_text_cols(NULL), 0, "pw_text_cols(NULL) is 0");
	is_int(pw_text_cols("\xe6\x97\xa5x"), 3, "pw_text_cols counts wide characters");
}

static char *field(const char *s, int width, bool right)
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	if (!f || pw_text_field(f, s, width, right) < 0)
		abort();
	fclose(f);
	return buf;
}

static void test_field(void)
{
	is_str(field("ab", 5, false), "ab   ", "field: left-aligned, padded");
	is_str(field("ab", 5, true), "   ab", "field: right-aligned");
	is_str(field("abcdefgh", 5, false), "abcde", "field: cut to width");
	is_str(field("\x1b[2J\n", 8, false), "?[2J?   ", "field: neutralised then padded");
	is_str(field("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, false), "\xe6\x97\xa5\xe6\x9c\xac ",
	       "field: wide characters, padded to the exact width");
	is_str(field(NULL, 3, false), "   ", "field: NULL is empty");
	is_str(field("abc", 0, false), "abc", "field: width 0 means no cut, no padding");
}

/* Every printable-ASCII..4-byte mix comes out unchanged a second time. */
static void test_idempotent(void)
{
	static const char *samples[] = {
		"\x1b[2J\x9b\xc2\x9b\r\n\x7f", "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 e\xcc\x81",
		"\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80",
		"a\xe2\x80\xae" "b\xf3\xa0\x81\x81",	/* NOLINT(misc-misleading-bidirectional) */
	};
	int bad = 0;

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char a[128], b[128];

		pw_text_safe(a, sizeof(a), samples[i], strlen(samples[i]), 0);
		pw_text_safe(b, sizeof(b), a, strlen(a), 0);
		bad += strcmp(a, b) != 0;
	}
	is_int(bad, 0, "a safe string comes out unchanged");
}

int main(void)
{
	test_attacks();
	test_invalid_utf8();
	test_kept();
	test_cuts();
	test_field();
	test_idempotent();
	return done_testing();
}
