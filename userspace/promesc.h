/* SPDX-License-Identifier: Apache-2.0 */
/*
 * promesc.h — the byte-level rules of the Prometheus exposition formats
 * (text 0.0.4 and OpenMetrics 1.0): label values and HELP text escaped and
 * made valid UTF-8, numbers written the way Go's ParseFloat reads them.
 *
 * Pure functions over memory, no allocation, no global state except a
 * lazily created "C" locale for doubles: a libFuzzer target can call them
 * on any bytes.  Label values come from containers (hostnames, comms, pod
 * metadata): whatever they hold, the output is one valid label value.
 */
#ifndef PW_PROMESC_H
#define PW_PROMESC_H

#include <stddef.h>
#include <stdint.h>

/* Output room an escape of n input bytes may need: an invalid byte becomes U+FFFD (3 bytes). */
#define PW_PROM_ESC_MAX(n)	(3 * (n))

/*
 * Label value: copy in[0..inlen), stopping at a NUL, into out as the
 * inside of a quoted label value: '\' -> "\\", '"' -> "\"", newline -> "\n",
 * each byte that does not start a valid UTF-8 sequence (overlong forms,
 * surrogates, > U+10FFFF, stray continuation bytes, truncated sequences)
 * -> U+FFFD.  out needs PW_PROM_ESC_MAX(inlen) bytes; no NUL is written.
 * Returns the bytes written.
 */
size_t pw_prom_escape_label(char *out, const char *in, size_t inlen);

/* HELP text: the same, except that '"' stays as it is (the formats escape only '\' and newline there). */
size_t pw_prom_escape_help(char *out, const char *in, size_t inlen);

/* True when in[0..inlen) is valid UTF-8 without NUL (what the escapes guarantee). */
int pw_prom_utf8_valid(const char *in, size_t inlen);

#define PW_PROM_NUM_MAX 32	/* room for any number below, with its NUL */

/* Decimal digits of v; NUL-terminated; returns the length. */
size_t pw_prom_fmt_u64(char *out, uint64_t v);
/*
 * A double as Go's strconv.ParseFloat reads it, whatever LC_NUMERIC says:
 * "NaN", "+Inf", "-Inf", integers below 2^53 without a fraction, otherwise
 * the shortest of %.15g/%.16g/%.17g that reads back as the same double.
 * NUL-terminated; returns the length.
 */
size_t pw_prom_fmt_double(char *out, double v);

/*
 * Read a sample value as Prometheus writes it ("3", "0.25", "1e+06", "NaN",
 * "+Inf", "-Inf"), whatever LC_NUMERIC says: the whole of in[0..inlen) must
 * be the number (at most 64 bytes).  0 and *out set, or -1.
 */
int pw_prom_parse_double(const char *in, size_t inlen, double *out);

#endif /* PW_PROMESC_H */
