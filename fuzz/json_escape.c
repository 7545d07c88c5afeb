// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz/json_escape.c — JSON string escaping (userspace/json.c) of any bytes
 * (a container's hostname, comm, cmdline, cgroup).  Never a crash; the
 * output is one JSON string with no raw control character, in valid UTF-8,
 * whose escapes decode; when the input is valid UTF-8 it decodes back to
 * the input exactly (NULs included), else invalid parts became U+FFFD.
 * Decoding and UTF-8 checks here are independent of json.c.
 */
#include <string.h>

#include "fuzz.h"
#include "json.h"

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static size_t put_utf8(char *o, uint32_t c)
{
	if (c < 0x80)
		return o[0] = (char)c, 1;
	if (c < 0x800)
		return o[0] = (char)(0xc0 | c >> 6), o[1] = (char)(0x80 | (c & 0x3f)), 2;
	return o[0] = (char)(0xe0 | c >> 12), o[1] = (char)(0x80 | (c >> 6 & 0x3f)),
	       o[2] = (char)(0x80 | (c & 0x3f)), 3;
}

/* Decode the JSON string s[0..n) (quotes included) into out; its length. */
static size_t decode(const char *s, size_t n, char *out)
{
	size_t o = 0;

	FUZZ_ASSERT(n >= 2 && s[0] == '"' && s[n - 1] == '"', "not a string");
	for (size_t i = 1; i < n - 1; i++) {
		unsigned char c = (unsigned char)s[i];
		int h[4];

		FUZZ_ASSERT(c >= 0x20 && c != 0x7f && c != '"', "raw 0x%02x at %zu", c, i);
		if (c != '\\') {
			out[o++] = (char)c;
			continue;
		}
		FUZZ_ASSERT(i + 1 < n - 1, "dangling backslash");
		c = (unsigned char)s[++i];
		if (c == '"' || c == '\\') {
			out[o++] = (char)c;
			continue;
		}
		FUZZ_ASSERT(c == 'u' && i + 4 < n - 1, "unknown escape \\%c", c);
		for (int k = 0; k < 4; k++)
			FUZZ_ASSERT((h[k] = hexval(s[i + 1 + k])) >= 0, "bad \\u escape");
		o += put_utf8(out + o, (uint32_t)(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]));
		i += 4;
	}
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_json j;
	char *buf = NULL, *dec;
	size_t len = 0, dlen;
	FILE *f = open_memstream(&buf, &len);

	FUZZ_ASSERT(f, "open_memstream");
	pw_json_init(&j, f);
	pw_json_set_compact(&j, true);
	pw_json_strn(&j, (const char *)data, size);
	FUZZ_ASSERT(pw_json_finish(&j) == 0, "json error");
	fclose(f);
	FUZZ_ASSERT(len >= 3 && buf[len - 1] == '\n', "no final newline");
	len--;
	FUZZ_ASSERT(fuzz_valid_utf8(buf, len), "output is not valid UTF-8");
	dec = malloc(len * 3 + 1);
	FUZZ_ASSERT(dec, "malloc");
	dlen = decode(buf, len, dec);
	if (fuzz_valid_utf8((const char *)data, size))
		FUZZ_ASSERT(dlen == size && !memcmp(dec, data, size), "valid input does not round-trip");
	else
		FUZZ_ASSERT(memmem(dec, dlen, "\xef\xbf\xbd", 3), "invalid input without U+FFFD");
	free(dec);
	free(buf);
	return 0;
}
