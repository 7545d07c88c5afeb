/* SPDX-License-Identifier: Apache-2.0 */
/* userspace/json.h — tiny streaming JSON writer to a FILE*.
 *
 * Usage:
 *	struct pw_json j;
 *	pw_json_init(&j, stdout);
 *	pw_json_set_compact(&j, 1);          // optional: one line per document
 *	pw_json_obj_begin(&j);
 *	pw_json_key(&j, "zombies"); pw_json_u64(&j, 3);
 *	pw_json_obj_end(&j);
 *	if (pw_json_finish(&j) < 0) ...      // -errno: write error or misuse
 *
 * Commas, colons and (in pretty mode) newlines + 2-space indentation are
 * inserted automatically; output matches `jq .` (pretty) / `jq -c .`
 * (compact) formatting except that strings use \u00XX for control chars.
 *
 * Errors are sticky: the first one is remembered, every later call is a
 * no-op, pw_json_finish() returns it.  The output written so far is then
 * incomplete and must be discarded by the caller.
 *   -EOVERFLOW  nesting deeper than PW_JSON_MAX_DEPTH
 *   -EINVAL     misuse: value without key in an object, key outside an
 *               object, mismatched end, second top-level value, finish with
 *               open containers or before any value, NULL string
 *   -errno      from the FILE* (EPIPE, ENOSPC, EIO, ...)
 */
#ifndef PW_JSON_H
#define PW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PW_JSON_MAX_DEPTH 32

struct pw_json {
	FILE *f;
	int err;		/* first error, 0 or -errno */
	int depth;		/* open containers */
	bool compact;
	bool done;		/* a complete top-level value was written */
	bool key_pending;	/* in an object: key written, value expected */
	/* per open container: 'o' or 'a', and whether it has members yet */
	char kind[PW_JSON_MAX_DEPTH];
	bool nonempty[PW_JSON_MAX_DEPTH];
};

void pw_json_init(struct pw_json *j, FILE *f);	/* pretty (2-space indent) */
void pw_json_set_compact(struct pw_json *j, bool compact);

void pw_json_obj_begin(struct pw_json *j);
void pw_json_obj_end(struct pw_json *j);
void pw_json_arr_begin(struct pw_json *j);
void pw_json_arr_end(struct pw_json *j);

void pw_json_key(struct pw_json *j, const char *key);
/* Strings: valid UTF-8 passes through; ", \ and control chars (< 0x20, 0x7f)
 * become \", \\ and \u00xx; so do C1 controls (U+0080..U+009F) and invisible
 * format/direction controls (U+200B..U+200F, U+2028..U+202E, U+2060..U+206F,
 * U+FEFF, U+FFF9..U+FFFB), which a terminal showing the JSON would obey;
 * each maximal invalid UTF-8 subpart (overlong forms, surrogates,
 * > U+10FFFF, stray/truncated bytes) becomes \ufffd. */
void pw_json_str(struct pw_json *j, const char *s);
void pw_json_strn(struct pw_json *j, const char *s, size_t len); /* NULs → \u0000 */
void pw_json_i64(struct pw_json *j, int64_t v);
void pw_json_u64(struct pw_json *j, uint64_t v);
void pw_json_dbl(struct pw_json *j, double v);	/* non-finite → null */
void pw_json_boolean(struct pw_json *j, bool v);
void pw_json_null(struct pw_json *j);

/* Current sticky error (0 or -errno), without finishing. */
int pw_json_error(const struct pw_json *j);
/* Check the document is complete, write the final newline, flush.
 * Returns 0 or the first error (-errno). Does not close the FILE*.
 * For the next document (one per line with -n N), pw_json_init() again. */
int pw_json_finish(struct pw_json *j);

#endif
