// SPDX-License-Identifier: Apache-2.0
/*
 * textsafe.c — display-safe text for terminals (textsafe.h).
 *
 * What a terminal acts on: C0 controls (ESC starts every escape sequence,
 * CR/LF/BS move the cursor), DEL, and C1 controls, which some terminals obey
 * both as the raw byte 0x9b... (8-bit CSI: invalid UTF-8 here, so it is
 * replaced) and as the code point U+009B (C2 9B).  What fools an operator:
 * invisible and direction-changing characters (a name that reads as another
 * one).  Both become '?'.  Fuzzed by fuzz/textsafe.c.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "textsafe.h"

/*
 * Decode one UTF-8 sequence at s (n bytes available).  Returns its length
 * and the code point, or 0 when the sequence is invalid or truncated (the
 * caller then replaces one byte and tries again from the next).
 */
size_t pw_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Controls, invisible format characters and noncharacters: never shown as
 * themselves. */
static bool hostile(uint32_t c)
{
	static const struct { uint32_t lo, hi; } bad[] = {
		{ 0x0000, 0x001f }, { 0x007f, 0x009f },		/* C0, DEL, C1 */
		{ 0x00ad, 0x00ad }, { 0x034f, 0x034f },		/* soft hyphen, CGJ */
		{ 0x061c, 0x061c },				/* Arabic letter mark */
		{ 0x115f, 0x1160 }, { 0x17b4, 0x17b5 },		/* invisible fillers */
		{ 0x180b, 0x180f },				/* Mongolian FVS, MVS */
		{ 0x200b, 0x200f }, { 0x2028, 0x202e },		/* zero width, bidi */
		{ 0x2060, 0x206f },				/* word joiner, isolates */
		{ 0x3164, 0x3164 }, { 0xfdd0, 0xfdef },		/* filler, nonchars */
		{ 0xfeff, 0xfeff }, { 0xffa0, 0xffa0 },		/* BOM, filler */
		{ 0xfff9, 0xfffb }, { 0xe0000, 0xe007f },	/* annotations, tags */
	};

	if ((c & 0xfffe) == 0xfffe)	/* U+xFFFE, U+xFFFF of every plane */
		return true;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (c >= bad[i].lo && c <= bad[i].hi)
			return true;
	return false;
}

/* Terminal columns of a printable code point: a small table, no locale needed. */
static int cp_width(uint32_t c)
{
	static const struct { uint32_t lo, hi; } zero[] = {
		{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd }, { 0x0610, 0x061a },
		{ 0x064b, 0x065f }, { 0x0e31, 0x0e31 }, { 0x0e34, 0x0e3a }, { 0x1ab0, 0x1aff },
		{ 0x1dc0, 0x1dff }, { 0x20d0, 0x20ff }, { 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f },
		{ 0x1161, 0x11ff }, { 0xe0100, 0xe01ef },
	};
	static const struct { uint32_t lo, hi; } wide[] = {
		{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff }, { 0x3400, 0x4dbf },
		{ 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xac00, 0xd7a3 }, { 0xf900, 0xfaff },
		{ 0xfe30, 0xfe4f }, { 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f },
		{ 0x1f680, 0x1f6ff }, { 0x1f900, 0x1f9ff }, { 0x1fa70, 0x1faff },
		{ 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
	};

	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (c >= zero[i].lo && c <= zero[i].hi)
			return 0;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (c >= wide[i].lo && c <= wide[i].hi)
			return 2;
	return 1;
}

int pw_text_safe(char *out, size_t outlen, const char *in, size_t inlen, int max_cols)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, i = 0;
	int cols = 0;

	if (!outlen)
		return 0;
	if (in)
		inlen = strnlen(in, inlen);
	else
		inlen = 0;
	while (i < inlen) {
		uint32_t cp = 0;
		size_t len = pw_utf8_decode(s + i, inlen - i, &cp);
		const char *bytes = (const char *)s + i;
		int w;

		if (!len || hostile(cp)) {	/* one '?' per bad byte or control character */
			bytes = "?";
			w = 1;
			i += len ? len : 1;
			len = 1;
		} else {
			w = cp_width(cp);
			i += len;
		}
		if (o + len >= outlen || (max_cols > 0 && cols + w > max_cols) || cols > INT_MAX - 2)
			break;
		memcpy(out + o, bytes, len);
		o += len;
		cols += w;
	}
	out[o] = '\0';
	return cols;
}

int pw_text_cols(const char *safe)
{
	const unsigned char *s = (const unsigned char *)safe;
	size_t n = safe ? strlen(safe) : 0, i = 0;
	int cols = 0;

	while (i < n && cols < INT_MAX - 2) {
		uint32_t cp;
		size_t len = pw_utf8_decode(s + i, n - i, &cp);

		cols += len ? cp_width(cp) : 1;
		i += len ? len : 1;
	}
	return cols;
}

int pw_text_field(FILE *f, const char *s, int width, bool right)
{
	char buf[1024];
	int cols = pw_text_safe(buf, sizeof(buf), s ? s : "", s ? strlen(s) : 0, width);
	int pad = width > cols ? width - cols : 0;

	if (right && fprintf(f, "%*s", pad, "") < 0)
		return -1;
	if (fputs(buf, f) == EOF)
		return -1;
	if (!right && fprintf(f, "%*s", pad, "") < 0)
		return -1;
	return 0;
}
