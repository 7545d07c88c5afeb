/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz.h — what the libFuzzer targets in fuzz/ share: an assertion that
 * aborts with a message (libFuzzer then saves the input), and a strict
 * UTF-8 validator written independently of the code under test.
 */
#ifndef PW_FUZZ_H
#define PW_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ASSERT(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/*
 * Length of the well-formed UTF-8 sequence at s (Unicode Table 3-7), 0 if
 * ill-formed or truncated; *cp gets the code point.
 */
static inline size_t fuzz_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (!n)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	*cp = len == 2 ? (s[0] & 0x1fu) : len == 3 ? (s[0] & 0x0fu) : (s[0] & 0x07u);
	for (size_t i = 1; i < len; i++)
		*cp = *cp << 6 | (s[i] & 0x3fu);
	return len;
}

static inline bool fuzz_valid_utf8(const char *s, size_t n)
{
	uint32_t cp;

	for (size_t i = 0, l; i < n; i += l)
		if (!(l = fuzz_utf8((const unsigned char *)s + i, n - i, &cp)))
			return false;
	return true;
}

#endif
