/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonparse.h — a small, bounded JSON parser (RFC 8259) for answers of
 * servers we trust less than the kernel (pausetop --prometheus).
 *
 *	struct pw_jdoc d;
 *	if (pw_jparse(text, len, 100000, 64, &d, err, sizeof(err)) == 0) {
 *		const struct pw_jval *root = pw_jroot(&d);
 *		const struct pw_jval *status = pw_jget(&d, root, "status");
 *		...
 *		pw_jdoc_free(&d);
 *	}
 *
 * The text is parsed in place: strings are unescaped into the buffer they
 * came from and NUL-terminated there, so the buffer must be writable and
 * outlive the document.  Values live in one array, in document order; a
 * container's children follow it, each linked to the next sibling.
 *
 * Bounds: at most max_values values and max_depth nesting levels, else
 * -E2BIG; anything that is not JSON (trailing bytes, raw control
 * characters in strings, bad escapes, bad numbers, unpaired \u surrogates
 * are replaced by U+FFFD) is -EINVAL with the byte offset in err.  A pure
 * function of its input: fuzzable.
 */
#ifndef PW_JSONPARSE_H
#define PW_JSONPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pw_jtype { PW_JNULL, PW_JFALSE, PW_JTRUE, PW_JNUM, PW_JSTR, PW_JARR, PW_JOBJ };

struct pw_jval {
	enum pw_jtype type;
	uint32_t n;		/* string: bytes (may hold \u0000); array: elements; object: members */
	uint32_t next;		/* index of the next sibling (0: none); an object's key links to the next key */
	const char *s;		/* string: the unescaped bytes, NUL-terminated; number: its text */
};

struct pw_jdoc {
	struct pw_jval *v;
	size_t n, cap;
};

int pw_jparse(char *text, size_t len, size_t max_values, unsigned int max_depth,
	      struct pw_jdoc *doc, char *err, size_t errlen);
void pw_jdoc_free(struct pw_jdoc *doc);

static inline const struct pw_jval *pw_jroot(const struct pw_jdoc *d)
{
	return d->n ? &d->v[0] : NULL;
}

/* First element of an array, first key of an object (its value is the next value); NULL if empty. */
const struct pw_jval *pw_jfirst(const struct pw_jdoc *d, const struct pw_jval *container);
/* The next element, or the next key; NULL at the end. */
const struct pw_jval *pw_jnext(const struct pw_jdoc *d, const struct pw_jval *v);
/* The value of an object's key (a member's value follows its key). */
static inline const struct pw_jval *pw_jvalue(const struct pw_jval *key)
{
	return key + 1;
}
/* The value of member key of obj, or NULL (also when obj is not an object). */
const struct pw_jval *pw_jget(const struct pw_jdoc *d, const struct pw_jval *obj, const char *key);
/* A string equal to s (no embedded NUL). */
bool pw_jstreq(const struct pw_jval *v, const char *s);
/* A number's value (locale-independent); 0 or -1 when v is not a number. */
int pw_jnum(const struct pw_jval *v, double *out);

#endif /* PW_JSONPARSE_H */
