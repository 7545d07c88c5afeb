// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz/prom_label.c — Prometheus label-value and HELP escaping
 * (userspace/promesc.c) of any bytes: a container's hostname, comm or
 * cgroup id becomes a label value.  Never a crash, never more than
 * PW_PROM_ESC_MAX bytes; the output is valid UTF-8 with no NUL and no raw
 * newline, every backslash starts an escape the format knows, and (label
 * values) no quote goes unescaped — so the exposition line cannot be broken
 * or forged.  When the input is valid UTF-8 it decodes back exactly.
 */
#include <string.h>

#include "fuzz.h"
#include "promesc.h"

/* Decode escapes; quotes_escaped: a raw '"' is an error (label values). */
static size_t decode(const char *s, size_t n, char *out, bool quotes_escaped)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(s[i] != '\n' && s[i] != '\0', "raw newline or NUL at %zu", i);
		FUZZ_ASSERT(!(quotes_escaped && s[i] == '"'), "raw quote at %zu", i);
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		FUZZ_ASSERT(i + 1 < n, "dangling backslash");
		i++;
		FUZZ_ASSERT(s[i] == '\\' || s[i] == 'n' || (quotes_escaped && s[i] == '"'),
			    "unknown escape \\%c", s[i]);
		out[o++] = s[i] == 'n' ? '\n' : s[i];
	}
	return o;
}

static void check(const uint8_t *data, size_t size, bool label)
{
	size_t in = strnlen((const char *)data, size);
	char *out = malloc(PW_PROM_ESC_MAX(size) + 1), *dec = malloc(PW_PROM_ESC_MAX(size) + 1);
	size_t n, d;

	FUZZ_ASSERT(out && dec, "malloc");
	n = label ? pw_prom_escape_label(out, (const char *)data, size)
		  : pw_prom_escape_help(out, (const char *)data, size);
	FUZZ_ASSERT(n <= PW_PROM_ESC_MAX(size), "wrote %zu for %zu bytes", n, size);
	FUZZ_ASSERT(fuzz_valid_utf8(out, n), "output is not valid UTF-8");
	FUZZ_ASSERT(pw_prom_utf8_valid(out, n), "the escaper's own check disagrees");
	d = decode(out, n, dec, label);
	if (fuzz_valid_utf8((const char *)data, in))
		FUZZ_ASSERT(d == in && !memcmp(dec, data, in), "valid input does not round-trip");
	free(out);
	free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, true);
	check(data, size, false);
	return 0;
}
