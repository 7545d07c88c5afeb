/* SPDX-License-Identifier: Apache-2.0 */
/* tests/unit/json_test.c — unit tests for userspace/json.c (TAP).
 *
 *   json_test                 run the tests
 *   json_test --emit MODE     print the sample document (MODE: pretty|compact)
 *                             for tests/unit/json_jq.t to feed to jq
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "../tap.h"
#include "../../userspace/json.h"

/* A writer into memory; out() returns what was written (caller frees). */
struct mem {
	struct pw_json j;
	FILE *f;
	char *buf;
	size_t len;
};

static struct pw_json *mem_open(struct mem *m, bool compact)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	if (!m->f) {
		perror("open_memstream");
		exit(1);
	}
	pw_json_init(&m->j, m->f);
	pw_json_set_compact(&m->j, compact);
	return &m->j;
}

/* Finish, close, return the finish result; text in m->buf. */
static int mem_close(struct mem *m)
{
	int err = pw_json_finish(&m->j);

	fclose(m->f);
	return err;
}

/* One string value, compact, as the writer renders it. */
static char *render_str(const char *s, size_t n)
{
	struct mem m;

	pw_json_strn(mem_open(&m, true), s, n);
	if (mem_close(&m))
		diag("render_str: finish failed");
	return m.buf;
}

static void str_is(const char *in, size_t n, const char *want, const char *what)
{
	char *got = render_str(in, n), w[256];

	snprintf(w, sizeof(w), "%s\n", want);	/* finish ends the line */
	is_str(got, w, "string: %s", what);
	free(got);
}

#define STR_IS(lit, want, what) str_is(lit, sizeof(lit) - 1, want, what)

static void sample(struct pw_json *j)
{
	pw_json_obj_begin(j);
	pw_json_key(j, "namespaces");
	pw_json_arr_begin(j);
	pw_json_obj_begin(j);
	pw_json_key(j, "pidns");
	pw_json_u64(j, 4026532290ULL);
	pw_json_key(j, "init_comm");
	pw_json_str(j, "pause");
	pw_json_key(j, "hostname");
	pw_json_str(j, "h\xc3\xa9te \"x\"\\y");
	pw_json_key(j, "pause");
	pw_json_null(j);
	pw_json_key(j, "age");
	pw_json_dbl(j, 1.5);
	pw_json_key(j, "ok");
	pw_json_boolean(j, true);
	pw_json_key(j, "signals");
	pw_json_obj_begin(j);
	pw_json_obj_end(j);
	pw_json_key(j, "list");
	pw_json_arr_begin(j);
	pw_json_i64(j, -1);
	pw_json_boolean(j, false);
	pw_json_arr_end(j);
	pw_json_obj_end(j);
	pw_json_arr_end(j);
	pw_json_key(j, "zombies");
	pw_json_arr_begin(j);
	pw_json_arr_end(j);
	pw_json_key(j, "dropped");
	pw_json_u64(j, 0);
	pw_json_obj_end(j);
}

static const char sample_pretty[] =
	"{\n"
	"  \"namespaces\": [\n"
	"    {\n"
	"      \"pidns\": 4026532290,\n"
	"      \"init_comm\": \"pause\",\n"
	"      \"hostname\": \"h\xc3\xa9te \\\"x\\\"\\\\y\",\n"
	"      \"pause\": null,\n"
	"      \"age\": 1.5,\n"
	"      \"ok\": true,\n"
	"      \"signals\": {},\n"
	"      \"list\": [\n"
	"        -1,\n"
	"        false\n"
	"      ]\n"
	"    }\n"
	"  ],\n"
	"  \"zombies\": [],\n"
	"  \"dropped\": 0\n"
	"}\n";

static const char sample_compact[] =
	"{\"namespaces\":[{\"pidns\":4026532290,\"init_comm\":\"pause\","
	"\"hostname\":\"h\xc3\xa9te \\\"x\\\"\\\\y\",\"pause\":null,\"age\":1.5,"
	"\"ok\":true,\"signals\":{},\"list\":[-1,false]}],\"zombies\":[],"
	"\"dropped\":0}\n";

static void test_structure(void)
{
	struct mem m;

	sample(mem_open(&m, false));
	is_int(mem_close(&m), 0, "pretty sample: finish ok");
	is_str(m.buf, sample_pretty, "pretty sample: exact text");
	free(m.buf);

	sample(mem_open(&m, true));
	is_int(mem_close(&m), 0, "compact sample: finish ok");
	is_str(m.buf, sample_compact, "compact sample: exact text, one line");
	free(m.buf);

	pw_json_arr_begin(mem_open(&m, false));
	pw_json_arr_end(&m.j);
	is_int(mem_close(&m), 0, "empty top-level array: ok");
	is_str(m.buf, "[]\n", "empty top-level array: text");
	free(m.buf);

	pw_json_u64(mem_open(&m, false), 7);
	is_int(mem_close(&m), 0, "scalar document: ok");
	is_str(m.buf, "7\n", "scalar document: text");
	free(m.buf);
}

static void test_escapes(void)
{
	char in[33], want[33 * 6 + 3], *p = want, *got;

	STR_IS("", "\"\"", "empty");
	STR_IS("a\"b\\c/d", "\"a\\\"b\\\\c/d\"", "quote and backslash (slash as is)");
	STR_IS("\n\t\r\b\f", "\"\\u000a\\u0009\\u000d\\u0008\\u000c\"",
	       "short-escape controls as \\u00XX");
	STR_IS("x\x7fy", "\"x\\u007fy\"", "DEL escaped");

	/* Every C0 control including NUL, via strn. */
	*p++ = '"';
	for (int c = 0; c < 0x20; c++) {
		in[c] = (char)c;
		p += snprintf(p, (size_t)(want + sizeof(want) - p), "\\u%04x", c);
	}
	in[32] = ' ';
	snprintf(p, (size_t)(want + sizeof(want) - p), " \"\n");
	got = render_str(in, sizeof(in));
	is_str(got, want, "string: all 32 C0 controls -> \\u0000..\\u001f");
	free(got);
}

static void test_utf8(void)
{
	/*
	 * U+0080 U+009B U+009F, U+202E (RLO), U+200B, U+2066 (LRI), U+FEFF in
	 * UTF-8.  Bytes, not a string literal: clang-tidy's
	 * misc-misleading-bidirectional reads a literal's bytes (\x escapes or
	 * not) and reports an override or isolate that is never closed, which
	 * is exactly what this input must hold.
	 */
	static const char never_raw[] = {
		'\xc2', '\x80', '\xc2', '\x9b', '\xc2', '\x9f', '\xe2', '\x80', '\xae',
		'\xe2', '\x80', '\x8b', '\xe2', '\x81', '\xa6', '\xef', '\xbb', '\xbf',
	};
	/* valid: passed through byte for byte */
	STR_IS("\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e", "\"\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\"",
	       "2-, 3-, 4-byte UTF-8 pass through");
	STR_IS("\xc2\xa0\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf",
	       "\"\xc2\xa0\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\"",
	       "boundaries U+00A0 U+07FF U+0800 U+D7FF U+E000 U+FFFF pass");
	/* valid but never raw: C1 controls and invisible direction/format controls */
	str_is(never_raw, sizeof(never_raw),
	       "\"\\u0080\\u009b\\u009f\\u202e\\u200b\\u2066\\ufeff\"",
	       "C1 controls (8-bit CSI), RLO, ZWSP, LRI, BOM are escaped");
	STR_IS("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", "\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"",
	       "boundaries U+10000 U+10FFFF pass");

	/* invalid: one \ufffd per maximal ill-formed subpart */
	STR_IS("\xc0\x80", "\"\\ufffd\\ufffd\"", "overlong NUL C0 80");
	STR_IS("\xc1\xbf", "\"\\ufffd\\ufffd\"", "overlong C1 BF");
	STR_IS("\xe0\x80\x80", "\"\\ufffd\\ufffd\\ufffd\"", "overlong 3-byte E0 80 80");
	STR_IS("\xe0\x9f\xbf", "\"\\ufffd\\ufffd\\ufffd\"", "overlong 3-byte E0 9F BF");
	STR_IS("\xf0\x8f\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "overlong 4-byte F0 8F BF BF");
	STR_IS("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "surrogate U+D800 ED A0 80");
	STR_IS("\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\"", "surrogate U+DFFF ED BF BF");
	STR_IS("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "above U+10FFFF F4 90 80 80");
	STR_IS("\xf5\x80", "\"\\ufffd\\ufffd\"", "F5 never a lead");
	STR_IS("a\xff" "b\xfe", "\"a\\ufffdb\\ufffd\"", "FF and FE");
	STR_IS("\x80x\xbf", "\"\\ufffdx\\ufffd\"", "stray continuation bytes");
	STR_IS("\xe2\x82", "\"\\ufffd\"", "truncated 3-byte at end -> one U+FFFD");
	STR_IS("\xe2\x82" "A", "\"\\ufffdA\"", "truncated 3-byte before ASCII");
	STR_IS("\xf0\x9f\x98" "\xc3\xa9", "\"\\ufffd\xc3\xa9\"", "truncated 4-byte before valid char");
	STR_IS("\xc3" "\"", "\"\\ufffd\\\"\"", "truncated 2-byte before quote");
}

static char *render_num(int kind, int64_t i, uint64_t u, double d)
{
	struct mem m;

	mem_open(&m, true);
	if (kind == 0)
		pw_json_i64(&m.j, i);
	else if (kind == 1)
		pw_json_u64(&m.j, u);
	else
		pw_json_dbl(&m.j, d);
	if (mem_close(&m))
		diag("render_num: finish failed");
	return m.buf;
}

static void num_is(int kind, int64_t i, uint64_t u, double d, const char *want)
{
	char *got = render_num(kind, i, u, d);
	char w[64];

	snprintf(w, sizeof(w), "%s\n", want);
	is_str(got, w, "number %s", want);
	free(got);
}

static void test_numbers(void)
{
	num_is(0, INT64_MIN, 0, 0, "-9223372036854775808");
	num_is(0, INT64_MAX, 0, 0, "9223372036854775807");
	num_is(0, 0, 0, 0, "0");
	num_is(0, -1, 0, 0, "-1");
	num_is(1, 0, UINT64_MAX, 0, "18446744073709551615");
	num_is(2, 0, 0, 0.1, "0.1");
	num_is(2, 0, 0, 1.0 / 3, "0.3333333333333333");
	num_is(2, 0, 0, 0.1 + 0.2, "0.30000000000000004");
	num_is(2, 0, 0, 5.0, "5");
	num_is(2, 0, 0, -2.5e-7, "-2.5e-07");
	num_is(2, 0, 0, 1e300, "1e+300");
	num_is(2, 0, 0, -0.0, "-0");
	num_is(2, 0, 0, NAN, "null");
	num_is(2, 0, 0, INFINITY, "null");
	num_is(2, 0, 0, -INFINITY, "null");
}

/* A locale whose decimal point is ',' must not leak into JSON.  json.t
 * builds one with localedef and points LOCPATH at it. */
static void test_locale(void)
{
	const char *name = getenv("PW_COMMA_LOCALE");
	char *got;

	if (!name || !setlocale(LC_NUMERIC, name) ||
	    strcmp(localeconv()->decimal_point, ",") != 0) {
		skip("double under a ',' decimal-point locale",
		     "no such locale (PW_COMMA_LOCALE unset or not built)");
		return;
	}
	got = render_num(2, 0, 0, -1234.5);
	is_str(got, "-1234.5\n", "double under %s is written with '.'", name);
	free(got);
	got = render_num(2, 0, 0, 0.1 + 0.2);
	is_str(got, "0.30000000000000004\n", "17-digit double under %s", name);
	free(got);
	setlocale(LC_NUMERIC, "C");
}

static void test_misuse(void)
{
	struct mem m;

	pw_json_obj_begin(mem_open(&m, true));
	pw_json_u64(&m.j, 1);
	is_int(pw_json_error(&m.j), -EINVAL, "value without key in object: -EINVAL");
	pw_json_obj_end(&m.j);
	is_int(mem_close(&m), -EINVAL, "error is sticky through finish");
	is_str(m.buf, "{", "nothing written after the error");
	free(m.buf);

	pw_json_arr_begin(mem_open(&m, true));
	pw_json_key(&m.j, "k");
	is_int(mem_close(&m), -EINVAL, "key inside an array: -EINVAL");
	free(m.buf);

	pw_json_key(mem_open(&m, true), "k");
	is_int(mem_close(&m), -EINVAL, "key at top level: -EINVAL");
	free(m.buf);

	pw_json_obj_begin(mem_open(&m, true));
	pw_json_key(&m.j, "a");
	pw_json_key(&m.j, "b");
	is_int(mem_close(&m), -EINVAL, "two keys in a row: -EINVAL");
	free(m.buf);

	pw_json_obj_begin(mem_open(&m, true));
	pw_json_key(&m.j, "a");
	pw_json_obj_end(&m.j);
	is_int(mem_close(&m), -EINVAL, "end with a key pending: -EINVAL");
	free(m.buf);

	pw_json_arr_begin(mem_open(&m, true));
	pw_json_obj_end(&m.j);
	is_int(mem_close(&m), -EINVAL, "obj_end closing an array: -EINVAL");
	free(m.buf);

	pw_json_arr_end(mem_open(&m, true));
	is_int(mem_close(&m), -EINVAL, "end with nothing open: -EINVAL");
	free(m.buf);

	pw_json_obj_begin(mem_open(&m, true));
	is_int(mem_close(&m), -EINVAL, "finish with an open object: -EINVAL");
	free(m.buf);

	mem_open(&m, true);
	is_int(mem_close(&m), -EINVAL, "finish with no value: -EINVAL");
	free(m.buf);

	pw_json_null(mem_open(&m, true));
	pw_json_null(&m.j);
	is_int(mem_close(&m), -EINVAL, "second top-level value: -EINVAL");
	free(m.buf);

	pw_json_str(mem_open(&m, true), NULL);
	is_int(mem_close(&m), -EINVAL, "NULL string: -EINVAL");
	free(m.buf);
}

static void test_depth(void)
{
	struct mem m;
	char want[PW_JSON_MAX_DEPTH * 2 + 2];

	mem_open(&m, true);
	for (int i = 0; i < PW_JSON_MAX_DEPTH; i++)
		pw_json_arr_begin(&m.j);
	is_int(pw_json_error(&m.j), 0, "%d levels of nesting are fine", PW_JSON_MAX_DEPTH);
	for (int i = 0; i < PW_JSON_MAX_DEPTH; i++)
		pw_json_arr_end(&m.j);
	is_int(mem_close(&m), 0, "%d levels: finish ok", PW_JSON_MAX_DEPTH);
	memset(want, '[', PW_JSON_MAX_DEPTH);
	memset(want + PW_JSON_MAX_DEPTH, ']', PW_JSON_MAX_DEPTH);
	want[2 * (size_t)PW_JSON_MAX_DEPTH] = '\n';
	want[2 * (size_t)PW_JSON_MAX_DEPTH + 1] = '\0';
	is_str(m.buf, want, "%d levels: exact text", PW_JSON_MAX_DEPTH);
	free(m.buf);

	mem_open(&m, true);
	for (int i = 0; i < PW_JSON_MAX_DEPTH; i++)
		pw_json_arr_begin(&m.j);
	pw_json_obj_begin(&m.j);
	is_int(pw_json_error(&m.j), -EOVERFLOW, "level %d: -EOVERFLOW", PW_JSON_MAX_DEPTH + 1);
	for (int i = 0; i < 100; i++)	/* must stay harmless */
		pw_json_arr_begin(&m.j);
	for (int i = 0; i < 200; i++)
		pw_json_arr_end(&m.j);
	is_int(mem_close(&m), -EOVERFLOW, "overflow reported by finish");
	is_int(m.len, PW_JSON_MAX_DEPTH, "no output after the overflow");
	free(m.buf);
}

static void test_write_errors(void)
{
	struct pw_json j;
	int fds[2];
	FILE *f;

	f = fopen("/dev/full", "w");
	if (!ok(f != NULL, "open /dev/full"))
		return;
	pw_json_init(&j, f);
	sample(&j);
	is_int(pw_json_finish(&j), -ENOSPC, "buffered write to /dev/full: -ENOSPC at finish");
	fclose(f);

	f = fopen("/dev/full", "w");
	if (!f)
		return;
	setvbuf(f, NULL, _IONBF, 0);
	pw_json_init(&j, f);
	pw_json_obj_begin(&j);
	is_int(pw_json_error(&j), -ENOSPC, "unbuffered /dev/full: -ENOSPC at the first write");
	pw_json_obj_end(&j);
	is_int(pw_json_finish(&j), -ENOSPC, "unbuffered /dev/full: finish keeps -ENOSPC");
	fclose(f);

	/* `pausetop --json | head -c1`: reader gone, SIGPIPE ignored. */
	signal(SIGPIPE, SIG_IGN);
	if (!ok(pipe(fds) == 0, "pipe"))
		return;
	close(fds[0]);
	f = fdopen(fds[1], "w");
	pw_json_init(&j, f);
	sample(&j);
	is_int(pw_json_finish(&j), -EPIPE, "write to a closed pipe: -EPIPE");
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--emit") == 0) {
		struct pw_json j;

		pw_json_init(&j, stdout);
		pw_json_set_compact(&j, strcmp(argv[2], "compact") == 0);
		sample(&j);
		return pw_json_finish(&j) ? 1 : 0;
	}
	if (argc == 3 && strcmp(argv[1], "--emit-string") == 0) {
		/* one string value holding the bytes of argv[2] */
		struct pw_json j;

		pw_json_init(&j, stdout);
		pw_json_str(&j, argv[2]);
		return pw_json_finish(&j) ? 1 : 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--emit pretty|compact | --emit-string S]\n", argv[0]);
		return 2;
	}
	test_structure();
	test_escapes();
	test_utf8();
	test_numbers();
	test_locale();
	test_misuse();
	test_depth();
	test_write_errors();
	return done_testing();
}
