/* SPDX-License-Identifier: Apache-2.0 */
/* userspace/json.c — streaming JSON writer, see json.h. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void pw_json_init(struct pw_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

void pw_json_set_compact(struct pw_json *j, bool compact)
{
	j->compact = compact;
}

int pw_json_error(const struct pw_json *j)
{
	return j->err;
}

static void fail(struct pw_json *j, int err)
{
	if (!j->err)
		j->err = err;
}

/* stdio reports the errno of the failed write(2); keep the first one.
 * A buffered stream may only fail at the final flush — finish catches it. */
static void put(struct pw_json *j, const char *s, size_t n)
{
	if (j->err || !n)
		return;
	errno = 0;
	if (fwrite(s, 1, n, j->f) != n)
		fail(j, errno ? -errno : -EIO);
}

static void puts_(struct pw_json *j, const char *s)
{
	put(j, s, strlen(s));
}

static void newline_indent(struct pw_json *j, int depth)
{
	static const char spaces[] = "                                ";

	put(j, "\n", 1);
	for (int i = 0; i < depth; i++)
		put(j, spaces, 2);
}

/* Marks the innermost container non-empty; true if it already was, i.e.
 * a comma is due. */
static bool had_members(struct pw_json *j)
{
	bool had = j->nonempty[j->depth - 1];

	j->nonempty[j->depth - 1] = true;
	return had;
}

/* Everything that starts a value (scalar or container) goes through here:
 * checks the grammar and writes the separator in front of it. */
static bool value_prefix(struct pw_json *j)
{
	if (j->err)
		return false;
	if (j->depth == 0) {
		if (j->done) {
			fail(j, -EINVAL);	/* second top-level value */
			return false;
		}
		return true;
	}
	if (j->kind[j->depth - 1] == 'o') {
		if (!j->key_pending) {
			fail(j, -EINVAL);	/* object member without key */
			return false;
		}
		j->key_pending = false;
		return true;		/* key() already wrote the separator */
	}
	if (had_members(j))
		put(j, ",", 1);
	if (!j->compact)
		newline_indent(j, j->depth);
	return true;
}

static void value_done(struct pw_json *j)
{
	if (j->depth == 0)
		j->done = true;
}

static void begin(struct pw_json *j, char kind, const char *open)
{
	if (!value_prefix(j))
		return;
	if (j->depth >= PW_JSON_MAX_DEPTH) {
		fail(j, -EOVERFLOW);
		return;
	}
	j->kind[j->depth] = kind;
	j->nonempty[j->depth] = false;
	j->depth++;
	puts_(j, open);
}

static void end(struct pw_json *j, char kind, const char *close)
{
	if (j->err)
		return;
	if (j->depth == 0 || j->kind[j->depth - 1] != kind || j->key_pending) {
		fail(j, -EINVAL);
		return;
	}
	j->depth--;
	if (!j->compact && j->nonempty[j->depth])
		newline_indent(j, j->depth);
	puts_(j, close);
	value_done(j);
}

void pw_json_obj_begin(struct pw_json *j) { begin(j, 'o', "{"); }
void pw_json_obj_end(struct pw_json *j) { end(j, 'o', "}"); }
void pw_json_arr_begin(struct pw_json *j) { begin(j, 'a', "["); }
void pw_json_arr_end(struct pw_json *j) { end(j, 'a', "]"); }

static void put_escape(struct pw_json *j, unsigned int c)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "\\u%04x", c);
	put(j, buf, 6);
}

/* Length of the valid UTF-8 sequence at s (1..4), or, negated, the length of
 * the maximal subpart of an ill-formed one (Unicode 15 §3.9, U+FFFD
 * substitution of maximal subparts): -1 for a byte that can never start a
 * sequence, -k when k bytes were a valid prefix before it broke off. */
static int utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	int need;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3;
	else
		return -1;		/* continuation byte, C0/C1 overlong, F5+ */
	if (c == 0xe0)
		lo = 0xa0;		/* overlong 3-byte */
	else if (c == 0xed)
		hi = 0x9f;		/* UTF-16 surrogates */
	else if (c == 0xf0)
		lo = 0x90;		/* overlong 4-byte */
	else if (c == 0xf4)
		hi = 0x8f;		/* above U+10FFFF */
	for (int i = 1; i <= need; i++) {
		if ((size_t)i >= n || s[i] < lo || s[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/* The code point of a valid 2- or 3-byte sequence (others are never escaped). */
static unsigned int utf8_cp(const unsigned char *s, int len)
{
	if (len == 2)
		return (unsigned int)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	if (len == 3)
		return (unsigned int)(s[0] & 0x0f) << 12 | (unsigned int)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	return 0x10000;
}

/*
 * Valid UTF-8 that must not reach a terminal raw when the JSON is looked at:
 * C1 controls (U+009B is an 8-bit CSI) and invisible format or direction
 * controls (U+202E reverses what follows).  Escaped as \uXXXX: the string's
 * value is unchanged.
 */
static bool escape_cp(unsigned int cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) ||
	       cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb);
}

static void put_string(struct pw_json *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0, i = 0;

	put(j, "\"", 1);
	/* Copy runs of bytes that need no escaping in one write. */
	while (i < n) {
		unsigned char c = s[i];
		int len = utf8_seq(s + i, n - i);
		unsigned int cp = len > 1 ? utf8_cp(s + i, len) : c;

		if ((len > 1 && !escape_cp(cp)) || (len == 1 && c >= 0x20 && c != '"' &&
						     c != '\\' && c != 0x7f)) {
			i += len;
			continue;
		}
		put(j, str + run, i - run);
		if (len < 0)
			puts_(j, "\\ufffd");
		else if (c == '"' || c == '\\')
			put(j, c == '"' ? "\\\"" : "\\\\", 2);
		else
			put_escape(j, cp);
		i += len < 0 ? (size_t)-len : (size_t)len;
		run = i;
	}
	put(j, str + run, n - run);
	put(j, "\"", 1);
}

void pw_json_key(struct pw_json *j, const char *key)
{
	if (j->err)
		return;
	if (!key || j->depth == 0 || j->kind[j->depth - 1] != 'o' ||
	    j->key_pending) {
		fail(j, -EINVAL);
		return;
	}
	if (had_members(j))
		put(j, ",", 1);
	if (!j->compact)
		newline_indent(j, j->depth);
	put_string(j, key, strlen(key));
	puts_(j, j->compact ? ":" : ": ");
	j->key_pending = true;
}

void pw_json_strn(struct pw_json *j, const char *s, size_t len)
{
	if (!s && !j->err) {
		fail(j, -EINVAL);
		return;
	}
	if (!value_prefix(j))
		return;
	put_string(j, s, len);
	value_done(j);
}

void pw_json_str(struct pw_json *j, const char *s)
{
	pw_json_strn(j, s, s ? strlen(s) : 0);
}

static void scalar(struct pw_json *j, const char *text)
{
	if (!value_prefix(j))
		return;
	puts_(j, text);
	value_done(j);
}

void pw_json_i64(struct pw_json *j, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	scalar(j, buf);
}

void pw_json_u64(struct pw_json *j, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	scalar(j, buf);
}

/* Shortest of %.15g/%.16g/%.17g that reads back as the same double.
 * printf uses the LC_NUMERIC decimal point (',' or even a multi-byte one
 * after a TUI's setlocale(LC_ALL, "")): %g output is only sign, digits,
 * the decimal point, 'e' and exponent, so whatever sits between the
 * digits that is none of those is the decimal point and becomes '.'. */
static void format_double(double v, char *out, size_t outlen)
{
	char buf[64];
	size_t o = 0;

	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (prec == 17 || strtod(buf, NULL) == v)
			break;
	}
	for (size_t i = 0; buf[i] && o + 1 < outlen;) {
		char c = buf[i];

		if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e') {
			out[o++] = c;
			i++;
			continue;
		}
		out[o++] = '.';
		while (buf[i] && !(buf[i] >= '0' && buf[i] <= '9'))
			i++;
	}
	out[o] = '\0';
}

void pw_json_dbl(struct pw_json *j, double v)
{
	char buf[64];

	if (!isfinite(v)) {
		scalar(j, "null");
		return;
	}
	format_double(v, buf, sizeof(buf));
	scalar(j, buf);
}

void pw_json_boolean(struct pw_json *j, bool v)
{
	scalar(j, v ? "true" : "false");
}

void pw_json_null(struct pw_json *j)
{
	scalar(j, "null");
}

int pw_json_finish(struct pw_json *j)
{
	if (!j->err && (j->depth || !j->done))
		fail(j, -EINVAL);	/* unclosed containers / empty document */
	put(j, "\n", 1);
	errno = 0;
	if (fflush(j->f) == EOF)
		fail(j, errno ? -errno : -EIO);
	if (!j->err && ferror(j->f))
		fail(j, -EIO);
	return j->err;
}
