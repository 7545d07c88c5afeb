// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz/cmdline_format.c — pw_cmdline_format (userspace/attrib.c): the raw
 * /proc/PID/cmdline bytes of a container's process.  The first input byte
 * picks the output size (its contract: > 4) and whether the file had more.
 * Never a crash; the result is strlen(out) < outlen, holds no C0 control or
 * DEL, and a cut text ends in "..." without a partial UTF-8 sequence before
 * it.
 */
#include <string.h>

#include "attrib.h"
#include "fuzz.h"

/*
 * Did the cut at o leave a partial UTF-8 sequence in out[0..o)?  Only a
 * valid prefix (lead C2..F4, then continuation bytes) counts, and only if
 * the input went on to complete it (or was itself cut short: more): a
 * sequence already broken in the input is the input's.  out[i] is raw[i]
 * or its replacement, byte for byte.
 */
static bool cut_partial(const unsigned char *raw, size_t n, bool more, size_t o)
{
	size_t k = o, have, need;
	unsigned char b;

	while (k > 0 && o - k < 4 && (raw[k - 1] & 0xc0) == 0x80)
		k--;
	if (k == 0 || o - k >= 4)
		return false;
	b = raw[k - 1];
	need = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
	have = o - k + 1;
	if (!need || have >= need)
		return false;
	for (size_t i = o; i < o + (need - have); i++) {
		if (i >= n)
			return more;
		if ((raw[i] & 0xc0) != 0x80)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[300];
	size_t outlen, len;
	bool more;

	if (size < 1)
		return 0;
	outlen = 5 + data[0] % (sizeof(out) - 5);
	more = data[0] & 0x80;
	len = pw_cmdline_format((const char *)data + 1, size - 1, more, out, outlen);
	FUZZ_ASSERT(len < outlen && len == strlen(out), "returned %zu, strlen %zu, outlen %zu",
		    len, strlen(out), outlen);
	for (size_t i = 0; i < len; i++)
		FUZZ_ASSERT((unsigned char)out[i] >= 0x20 && out[i] != 0x7f, "control 0x%02x at %zu",
			    (unsigned char)out[i], i);
	if (len >= 3 && !strcmp(out + len - 3, "..."))
		FUZZ_ASSERT(!cut_partial(data + 1, size - 1, more, len - 3),
			    "the cut left a partial UTF-8 sequence before the '...'");
	return 0;
}
