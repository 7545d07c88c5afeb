/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpc.h — a small HTTP/1.1 client for http:// URLs (pausetop --prometheus):
 * one GET per connection ("Connection: close"), a deadline from connect to
 * the last byte, a cap on the response size.  No TLS: put a local proxy in
 * front of an https-only server.
 *
 * The response is read whole, then parsed by pw_http_parse_response, a pure
 * function (fuzzable) that handles Content-Length, chunked transfer coding
 * and read-to-close bodies, and rejects anything malformed.
 */
#ifndef PW_HTTPC_H
#define PW_HTTPC_H

#include <stddef.h>

struct pw_url {
	char host[256];		/* name or address, without brackets */
	char port[8];
	char prefix[512];	/* path before /api/..., without a trailing '/' ("" or "/prom") */
	char hostport[300];	/* the Host header */
};

/* "http://host[:port][/prefix]" -> u.  0, or -1 with err set. */
int pw_url_parse(const char *url, struct pw_url *u, char *err, size_t errlen);

/*
 * GET prefix+target (target starts with '/').  On success (any HTTP status)
 * returns 0 with *status, and *body (malloc'd, NUL-terminated, free it) of
 * *len bytes.  -errno with err set when the server cannot be reached, the
 * deadline passes, the response exceeds max_body or is malformed.
 */
int pw_http_get(const struct pw_url *u, const char *target, double timeout_s, size_t max_body,
		int *status, char **body, size_t *len, char *err, size_t errlen);

/*
 * Parse a whole response buf[0..len) (modified in place: a chunked body is
 * joined).  0 with *status and body = buf + *body_off of *body_len bytes, or
 * -EPROTO with err set.
 */
int pw_http_parse_response(char *buf, size_t len, int *status, size_t *body_off, size_t *body_len,
			   char *err, size_t errlen);

#endif /* PW_HTTPC_H */
