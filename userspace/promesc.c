// SPDX-License-Identifier: Apache-2.0
/* promesc.c — escapes and numbers of the Prometheus formats (promesc.h). */
#include <locale.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promesc.h"
#include "textsafe.h"

/*
 * Length of the valid UTF-8 sequence at s (n bytes available), or 0 when
 * the byte at s starts no valid sequence: the rules of Go's utf8.ValidString,
 * which Prometheus's parsers apply to label values (pw_utf8_decode's).
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;

	return pw_utf8_decode(s, n, &cp);
}

static size_t escape(char *out, const char *in, size_t inlen, int quote)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, i = 0;

	while (i < inlen && s[i]) {
		size_t len;

		switch (s[i]) {
		case '\\':
			out[o++] = '\\', out[o++] = '\\', i++;
			continue;
		case '\n':
			out[o++] = '\\', out[o++] = 'n', i++;
			continue;
		case '"':
			if (quote) {
				out[o++] = '\\', out[o++] = '"', i++;
				continue;
			}
			break;
		}
		len = utf8_len(s + i, inlen - i);
		/* a NUL inside a multi-byte sequence is impossible: continuation bytes are >= 0x80 */
		if (len == 0) {
			out[o++] = (char)0xef, out[o++] = (char)0xbf, out[o++] = (char)0xbd;
			i++;
			continue;
		}
		memcpy(out + o, s + i, len);
		o += len;
		i += len;
	}
	return o;
}

size_t pw_prom_escape_label(char *out, const char *in, size_t inlen)
{
	return escape(out, in, inlen, 1);
}

size_t pw_prom_escape_help(char *out, const char *in, size_t inlen)
{
	return escape(out, in, inlen, 0);
}

int pw_prom_utf8_valid(const char *in, size_t inlen)
{
	const unsigned char *s = (const unsigned char *)in;

	for (size_t i = 0, len; i < inlen; i += len) {
		if (!s[i])
			return 0;
		len = utf8_len(s + i, inlen - i);
		if (!len)
			return 0;
	}
	return 1;
}

size_t pw_prom_fmt_u64(char *out, uint64_t v)
{
	char rev[24];
	size_t n = 0;

	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	out[n] = '\0';
	return n;
}

/*
 * The "C" numeric locale, made once: printf and strtod follow LC_NUMERIC,
 * which a face may have set from the environment (decimal comma).  NULL
 * when it cannot be made; the callers then repair the output by hand.
 */
static locale_t c_numeric(void)
{
	static locale_t loc;
	locale_t l = __atomic_load_n(&loc, __ATOMIC_ACQUIRE), expected = (locale_t)0;

	if (l)
		return l;
	l = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (!l)
		return (locale_t)0;
	if (!__atomic_compare_exchange_n(&loc, &expected, l, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		freelocale(l);
		l = expected;
	}
	return l;
}

/* %g output is sign, digits, a decimal point, 'e', exponent: whatever else sits there is the point. */
static size_t point_to_dot(char *s)
{
	size_t o = 0;

	for (size_t i = 0; s[i];) {
		char c = s[i];

		if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e') {
			s[o++] = c;
			i++;
			continue;
		}
		s[o++] = '.';
		while (s[i] && !(s[i] >= '0' && s[i] <= '9'))
			i++;
	}
	s[o] = '\0';
	return o;
}

size_t pw_prom_fmt_double(char *out, double v)
{
	locale_t loc = c_numeric(), old = (locale_t)0;
	size_t n;

	if (isnan(v))
		return (size_t)snprintf(out, PW_PROM_NUM_MAX, "NaN");
	if (isinf(v))
		return (size_t)snprintf(out, PW_PROM_NUM_MAX, v > 0 ? "+Inf" : "-Inf");
	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		if (v < 0) {
			out[0] = '-';
			return 1 + pw_prom_fmt_u64(out + 1, (uint64_t)-v);
		}
		return pw_prom_fmt_u64(out, (uint64_t)v);
	}
	if (loc)
		old = uselocale(loc);
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, PW_PROM_NUM_MAX, "%.*g", prec, v);
		if (prec == 17 || (loc && strtod(out, NULL) == v))
			break;
	}
	if (loc)
		uselocale(old);
	n = loc ? strlen(out) : point_to_dot(out);
	return n;
}

int pw_prom_parse_double(const char *in, size_t inlen, double *out)
{
	locale_t loc = c_numeric(), old;
	char buf[65], *end;
	double v;

	if (inlen == 0 || inlen >= sizeof(buf))
		return -1;
	memcpy(buf, in, inlen);
	buf[inlen] = '\0';
	if (!strcmp(buf, "NaN")) {
		*out = NAN;
		return 0;
	}
	if (!strcmp(buf, "+Inf") || !strcmp(buf, "-Inf")) {
		*out = buf[0] == '+' ? INFINITY : -INFINITY;
		return 0;
	}
	/* only what a decimal float can hold: strtod would also take hex, "inf", "nan(...)" */
	for (size_t i = 0; i < inlen; i++)
		if (!strchr("0123456789+-.eE", buf[i]))
			return -1;
	if (!loc)
		return -1;
	old = uselocale(loc);
	v = strtod(buf, &end);
	uselocale(old);
	if (end != buf + inlen)
		return -1;
	*out = v;
	return 0;
}
