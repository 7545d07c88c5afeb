// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz/textsafe.c — the text neutraliser (userspace/textsafe.c) with any
 * bytes as a hostname, comm or cmdline.  The first two input bytes pick the
 * output size and the column limit.  Never a crash; the output is valid
 * UTF-8 with no C0, DEL or C1 control and none of the invisible characters
 * it promises to replace, fits outlen and max_cols, counts its columns as
 * pw_text_cols does, comes out unchanged a second time, and pw_text_field
 * pads it to exactly the width asked.
 */
#include <string.h>

#include "fuzz.h"
#include "textsafe.h"

static bool invisible(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xad || c == 0x61c ||
	       (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	       (c >= 0x2060 && c <= 0x206f) || c == 0xfeff || (c >= 0xe0000 && c <= 0xe007f) ||
	       (c & 0xfffe) == 0xfffe;
}

static void check_field(const char *in, int width)
{
	char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	long n;

	FUZZ_ASSERT(f, "fmemopen");
	FUZZ_ASSERT(pw_text_field(f, in, width, width & 1) == 0, "pw_text_field failed");
	n = ftell(f);
	fclose(f);
	buf[n] = '\0';
	FUZZ_ASSERT(pw_text_cols(buf) == width, "field of %d columns for width %d", pw_text_cols(buf), width);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[512], again[512], *in;
	size_t outlen, n;
	int max_cols, cols;
	uint32_t cp;

	if (size < 2)
		return 0;
	outlen = 1 + data[0] % sizeof(out);
	max_cols = data[1] % 80;
	in = malloc(size - 2 + 1);
	FUZZ_ASSERT(in, "malloc");
	memcpy(in, data + 2, size - 2);
	in[size - 2] = '\0';
	cols = pw_text_safe(out, outlen, in, size - 2, max_cols);
	n = strlen(out);
	FUZZ_ASSERT(n < outlen, "%zu bytes in %zu", n, outlen);
	FUZZ_ASSERT(cols >= 0 && (max_cols == 0 || cols <= max_cols), "%d columns, max %d", cols, max_cols);
	FUZZ_ASSERT(cols == pw_text_cols(out), "%d columns, pw_text_cols says %d", cols, pw_text_cols(out));
	for (size_t i = 0, l; i < n; i += l) {
		l = fuzz_utf8((const unsigned char *)out + i, n - i, &cp);
		FUZZ_ASSERT(l, "invalid UTF-8 at %zu", i);
		FUZZ_ASSERT(!invisible(cp), "U+%04X kept at %zu", cp, i);
	}
	pw_text_safe(again, sizeof(again), out, n, 0);
	FUZZ_ASSERT(!strcmp(again, out), "not idempotent");
	check_field(in, 1 + data[1] % 60);
	free(in);
	return 0;
}
