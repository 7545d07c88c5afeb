// SPDX-License-Identifier: Apache-2.0
/* jsonparse.c — bounded in-place JSON parser (jsonparse.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonparse.h"
#include "promesc.h"

struct parser {
	char *p, *end, *base;
	struct pw_jdoc *d;
	size_t max_values;
	unsigned int max_depth;
	char *err;
	size_t errlen;
};

static int fail(struct parser *ps, int rc, const char *what)
{
	snprintf(ps->err, ps->errlen, "JSON %s at byte %zu", what, (size_t)(ps->p - ps->base));
	return rc;
}

/* Append a value; its index in *idx. */
static int add(struct parser *ps, enum pw_jtype t, size_t *idx)
{
	struct pw_jdoc *d = ps->d;

	if (d->n >= ps->max_values)
		return fail(ps, -E2BIG, "has too many values");
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		struct pw_jval *v;

		if (cap > ps->max_values)
			cap = ps->max_values;
		v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return fail(ps, -ENOMEM, "needs more memory than there is");
		d->v = v;
		d->cap = cap;
	}
	*idx = d->n++;
	memset(&d->v[*idx], 0, sizeof(d->v[*idx]));
	d->v[*idx].type = t;
	return 0;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int hex4(const char *s, unsigned int *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned int h = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			       : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			       : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;

		if (h > 15)
			return -1;
		*out = *out << 4 | h;
	}
	return 0;
}

static char *put_utf8(char *w, unsigned int c)
{
	if (c < 0x80) {
		*w++ = (char)c;
	} else if (c < 0x800) {
		*w++ = (char)(0xc0 | c >> 6);
		*w++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*w++ = (char)(0xe0 | c >> 12);
		*w++ = (char)(0x80 | (c >> 6 & 0x3f));
		*w++ = (char)(0x80 | (c & 0x3f));
	} else {
		*w++ = (char)(0xf0 | c >> 18);
		*w++ = (char)(0x80 | (c >> 12 & 0x3f));
		*w++ = (char)(0x80 | (c >> 6 & 0x3f));
		*w++ = (char)(0x80 | (c & 0x3f));
	}
	return w;
}

/*
 * \uXXXX at r (after the backslash and 'u'), with a following low surrogate
 * when it is a high one; writes UTF-8 at w (never more bytes than read).
 */
static int unicode_escape(struct parser *ps, char **r, char **w)
{
	unsigned int c, lo;

	if (ps->end - *r < 4 || hex4(*r, &c))
		return -1;
	*r += 4;
	if (c >= 0xd800 && c <= 0xdbff && ps->end - *r >= 6 && (*r)[0] == '\\' && (*r)[1] == 'u' &&
	    !hex4(*r + 2, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
		c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
		*r += 6;
	} else if (c >= 0xd800 && c <= 0xdfff) {
		c = 0xfffd;	/* an unpaired surrogate has no UTF-8 form */
	}
	*w = put_utf8(*w, c);
	return 0;
}

/* A string at ps->p (on its quote), unescaped in place and NUL-terminated. */
static int string(struct parser *ps, size_t idx)
{
	char *r = ps->p + 1, *w = r, *start = r;

	for (;;) {
		char c;

		if (r >= ps->end)
			return fail(ps, -EINVAL, "string is not closed");
		c = *r++;
		if (c == '"')
			break;
		if ((unsigned char)c < 0x20) {
			ps->p = r - 1;
			return fail(ps, -EINVAL, "string holds a raw control character");
		}
		if (c != '\\') {
			*w++ = c;
			continue;
		}
		if (r >= ps->end)
			return fail(ps, -EINVAL, "string is not closed");
		c = *r++;
		switch (c) {
		case '"': case '\\': case '/': *w++ = c; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u':
			if (unicode_escape(ps, &r, &w)) {
				ps->p = r - 2;
				return fail(ps, -EINVAL, "has a bad \\u escape");
			}
			break;
		default:
			ps->p = r - 2;
			return fail(ps, -EINVAL, "has a bad escape");
		}
	}
	/* w < r: the closing quote (or bytes before it) is free for the NUL */
	*w = '\0';
	ps->d->v[idx].s = start;
	ps->d->v[idx].n = (uint32_t)(w - start);
	ps->p = r;
	return 0;
}

static size_t digits(const char *p, const char *end)
{
	size_t n = 0;

	while (p + n < end && p[n] >= '0' && p[n] <= '9')
		n++;
	return n;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number(struct parser *ps, size_t idx)
{
	char *p = ps->p, *start = p;
	size_t n;

	if (p < ps->end && *p == '-')
		p++;
	n = digits(p, ps->end);
	if (n == 0 || (n > 1 && *p == '0'))
		return fail(ps, -EINVAL, "has a bad number");
	p += n;
	if (p < ps->end && *p == '.') {
		n = digits(++p, ps->end);
		if (!n)
			return fail(ps, -EINVAL, "has a bad number");
		p += n;
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < ps->end && (*p == '+' || *p == '-'))
			p++;
		n = digits(p, ps->end);
		if (!n)
			return fail(ps, -EINVAL, "has a bad number");
		p += n;
	}
	ps->d->v[idx].s = start;
	ps->d->v[idx].n = (uint32_t)(p - start);
	ps->p = p;
	return 0;
}

static int value(struct parser *ps, unsigned int depth);

/*
 * Elements (array) or key/value members (object), each linked to the next.
 * Recursion through value(): bounded by max_depth (16 for --prometheus).
 */
/* NOLINTNEXTLINE(misc-no-recursion): depth-bounded, see above */
static int container(struct parser *ps, size_t idx, unsigned int depth, bool object)
{
	size_t prev = 0, count = 0;
	char close = object ? '}' : ']';
	int rc;

	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		size_t cur = ps->d->n;

		skip_ws(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, -EINVAL, "object wants a string key");
			if ((rc = add(ps, PW_JSTR, &cur)) || (rc = string(ps, cur)))
				return rc;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, -EINVAL, "object wants ':' after a key");
			ps->p++;
		}
		if ((rc = value(ps, depth + 1)))
			return rc;
		if (count++)
			ps->d->v[prev].next = (uint32_t)cur;
		prev = cur;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			break;
		}
		return fail(ps, -EINVAL, object ? "object wants ',' or '}'" : "array wants ',' or ']'");
	}
	ps->d->v[idx].n = (uint32_t)count;
	return 0;
}

static int literal(struct parser *ps, const char *word, enum pw_jtype t)
{
	size_t n = strlen(word), idx;
	int rc;

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return fail(ps, -EINVAL, "has an unexpected character");
	if ((rc = add(ps, t, &idx)))
		return rc;
	ps->p += n;
	return 0;
}

/* NOLINTNEXTLINE(misc-no-recursion): depth-bounded by ps->max_depth */
static int value(struct parser *ps, unsigned int depth)
{
	size_t idx;
	int rc;

	if (depth > ps->max_depth)
		return fail(ps, -E2BIG, "nests too deep");
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, -EINVAL, "ends early");
	switch (*ps->p) {
	case '{':
	case '[':
		if ((rc = add(ps, *ps->p == '{' ? PW_JOBJ : PW_JARR, &idx)))
			return rc;
		return container(ps, idx, depth, *ps->p == '{');
	case '"':
		if ((rc = add(ps, PW_JSTR, &idx)))
			return rc;
		return string(ps, idx);
	case 't':
		return literal(ps, "true", PW_JTRUE);
	case 'f':
		return literal(ps, "false", PW_JFALSE);
	case 'n':
		return literal(ps, "null", PW_JNULL);
	default:
		if ((rc = add(ps, PW_JNUM, &idx)))
			return rc;
		return number(ps, idx);
	}
}

int pw_jparse(char *text, size_t len, size_t max_values, unsigned int max_depth,
	      struct pw_jdoc *doc, char *err, size_t errlen)
{
	struct parser ps = { .p = text, .end = text + len, .base = text, .d = doc,
			     .max_values = max_values, .max_depth = max_depth,
			     .err = err, .errlen = errlen };
	int rc;

	memset(doc, 0, sizeof(*doc));
	if (len >= UINT32_MAX || max_values == 0) {
		snprintf(err, errlen, "JSON document too large");
		return -E2BIG;
	}
	rc = value(&ps, 0);
	if (!rc) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			rc = fail(&ps, -EINVAL, "has bytes after the document");
	}
	if (rc)
		pw_jdoc_free(doc);
	return rc;
}

void pw_jdoc_free(struct pw_jdoc *doc)
{
	free(doc->v);
	memset(doc, 0, sizeof(*doc));
}

const struct pw_jval *pw_jfirst(const struct pw_jdoc *d, const struct pw_jval *c)
{
	if (!c || (c->type != PW_JARR && c->type != PW_JOBJ) || !c->n)
		return NULL;
	return c + 1;
}

const struct pw_jval *pw_jnext(const struct pw_jdoc *d, const struct pw_jval *v)
{
	return v && v->next ? &d->v[v->next] : NULL;
}

const struct pw_jval *pw_jget(const struct pw_jdoc *d, const struct pw_jval *obj, const char *key)
{
	if (!obj || obj->type != PW_JOBJ)
		return NULL;
	for (const struct pw_jval *k = pw_jfirst(d, obj); k; k = pw_jnext(d, k))
		if (pw_jstreq(k, key))
			return pw_jvalue(k);
	return NULL;
}

bool pw_jstreq(const struct pw_jval *v, const char *s)
{
	return v && v->type == PW_JSTR && v->n == strlen(s) && !memcmp(v->s, s, v->n);
}

int pw_jnum(const struct pw_jval *v, double *out)
{
	if (!v || v->type != PW_JNUM)
		return -1;
	return pw_prom_parse_double(v->s, v->n, out);
}
