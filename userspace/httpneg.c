// SPDX-License-Identifier: Apache-2.0
/* httpneg.c — Accept and Accept-Encoding for /metrics (httpneg.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "httpneg.h"

#define ELEM_MAX 256	/* longer list elements are nobody's real media range: skipped */

/* Next list element of s (commas inside quoted strings do not split); NULL at the end. */
static const char *next_elem(const char *s, char *out, bool *too_long)
{
	size_t n = 0;
	bool quoted = false;

	while (*s == ',' || *s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	*too_long = false;
	for (; *s && (quoted || *s != ','); s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == '\\' && quoted && s[1])
			s++;
		if (n + 1 < ELEM_MAX)
			out[n++] = *s;
		else
			*too_long = true;
	}
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	out[n] = '\0';
	return s;
}

/* RFC 9110 qvalue: "0", "0.5", "1", "1.000" -> 0..1000; -1 when malformed. */
static int qvalue(const char *v)
{
	int q, scale = 100;

	if (v[0] != '0' && v[0] != '1')
		return -1;
	q = (v[0] - '0') * 1000;
	if (!v[1])
		return q;
	if (v[1] != '.')
		return -1;
	for (v += 2; *v; v++, scale /= 10) {
		if (*v < '0' || *v > '9' || !scale)
			return -1;
		q += (*v - '0') * scale;
	}
	return q <= 1000 ? q : -1;
}

static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Split elem into its first part and its parameters; q and version out. */
static int params(char *elem, int *q, char *version, size_t vlen)
{
	char *save = NULL, *p;

	*q = 1000;
	version[0] = '\0';
	strtok_r(elem, ";", &save);
	while ((p = strtok_r(NULL, ";", &save))) {
		char *eq = strchr(p, '='), *name, *val;
		size_t n;

		if (!eq)
			return -1;
		*eq = '\0';
		name = trim(p);
		val = trim(eq + 1);
		n = strlen(val);
		if (n >= 2 && val[0] == '"' && val[n - 1] == '"')
			val[n - 1] = '\0', val++;
		if (!strcasecmp(name, "q")) {
			*q = qvalue(val);
			if (*q < 0)
				return -1;
		} else if (!strcasecmp(name, "version")) {
			snprintf(version, vlen, "%s", val);
		}
	}
	return 0;
}

enum fmt { F_NONE, F_TEXT, F_OM };

static enum fmt media(const char *type, const char *version)
{
	if (!strcasecmp(type, "application/openmetrics-text"))
		return !*version || !strcmp(version, "1.0.0") || !strcmp(version, "0.0.1") ? F_OM
										      : F_NONE;
	if (!strcasecmp(type, "text/plain"))
		return !*version || !strcmp(version, "0.0.4") ? F_TEXT : F_NONE;
	if (!strcasecmp(type, "text/*") || !strcmp(type, "*/*"))
		return F_TEXT;
	return F_NONE;
}

bool pw_http_wants_openmetrics(const char *accept)
{
	char elem[ELEM_MAX], version[32];
	int best_q = 0;
	enum fmt best = F_NONE;
	bool too_long;

	if (!accept)
		return false;
	while ((accept = next_elem(accept, elem, &too_long))) {
		enum fmt f;
		int q;

		if (too_long || params(elem, &q, version, sizeof(version)))
			continue;
		f = media(trim(elem), version);
		if (f != F_NONE && q > best_q)
			best = f, best_q = q;
	}
	return best == F_OM;
}

bool pw_http_accepts_gzip(const char *accept_encoding)
{
	char elem[ELEM_MAX], version[32];
	bool too_long, gzip = false;

	if (!accept_encoding)
		return false;
	while ((accept_encoding = next_elem(accept_encoding, elem, &too_long))) {
		const char *coding;
		int q;

		if (too_long || params(elem, &q, version, sizeof(version)))
			continue;
		coding = trim(elem);
		/* an explicit gzip;q=0 wins over a "*" anywhere in the list */
		if (!strcasecmp(coding, "gzip") || !strcasecmp(coding, "x-gzip"))
			return q > 0;
		if (!strcmp(coding, "*"))
			gzip = q > 0;
	}
	return gzip;
}
