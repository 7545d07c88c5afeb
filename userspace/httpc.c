// SPDX-License-Identifier: Apache-2.0
/* httpc.c — minimal HTTP/1.1 GET client for http:// URLs (httpc.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "httpc.h"

#ifndef PW_VERSION
#define PW_VERSION "dev"
#endif

#define HEADER_MAX ((size_t)64 * 1024)

/* ---- URL ------------------------------------------------------------------------ */

static int url_error(char *err, size_t errlen, const char *url, const char *why)
{
	snprintf(err, errlen, "--prometheus wants http://HOST[:PORT][/PREFIX] (%s), not '%.200s'",
		 why, url);
	return -1;
}

static int path_ok(const char *p)
{
	for (; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '?' || *p == '#' || *p == '"' || *p == '\\')
			return 0;
	return 1;
}

int pw_url_parse(const char *url, struct pw_url *u, char *err, size_t errlen)
{
	const char *auth, *slash, *host_end, *port = NULL;
	size_t hl;

	memset(u, 0, sizeof(*u));
	if (!strncasecmp(url, "https://", 8))
		return url_error(err, errlen, url, "https is not supported: reach the server over "
				 "http, e.g. through a local proxy");
	if (strncasecmp(url, "http://", 7))
		return url_error(err, errlen, url, "it must start with http://");
	auth = url + 7;
	slash = strchr(auth, '/');
	if (!slash)
		slash = auth + strlen(auth);
	if (memchr(auth, '@', (size_t)(slash - auth)))
		return url_error(err, errlen, url, "no user or password in it");
	if (*auth == '[') {
		host_end = memchr(auth, ']', (size_t)(slash - auth));
		if (!host_end)
			return url_error(err, errlen, url, "an IPv6 address needs its ']'");
		hl = (size_t)(host_end - auth - 1);
		memcpy(u->host, auth + 1, hl < sizeof(u->host) ? hl : 0);
		if (host_end[1] == ':')
			port = host_end + 2;
		else if (host_end + 1 != slash)
			return url_error(err, errlen, url, "bad text after the address");
	} else {
		host_end = memchr(auth, ':', (size_t)(slash - auth));
		if (host_end)
			port = host_end + 1;
		else
			host_end = slash;
		hl = (size_t)(host_end - auth);
		memcpy(u->host, auth, hl < sizeof(u->host) ? hl : 0);
	}
	if (!hl || hl >= sizeof(u->host) || !path_ok(u->host) || strpbrk(u->host, "/[]"))
		return url_error(err, errlen, url, "a host name or address");
	if (port) {
		size_t pl = (size_t)(slash - port);
		unsigned long v;
		char *end;

		if (!pl || pl > 5 || strspn(port, "0123456789") < pl)
			return url_error(err, errlen, url, "the port is a number from 1 to 65535");
		v = strtoul(port, &end, 10);
		if (v < 1 || v > 65535)
			return url_error(err, errlen, url, "the port is a number from 1 to 65535");
		snprintf(u->port, sizeof(u->port), "%lu", v);
	} else {
		snprintf(u->port, sizeof(u->port), "80");
	}
	if (strlen(slash) >= sizeof(u->prefix) || !path_ok(slash))
		return url_error(err, errlen, url, "a plain path after the host, no query");
	snprintf(u->prefix, sizeof(u->prefix), "%s", slash);
	while (u->prefix[0] && u->prefix[strlen(u->prefix) - 1] == '/')
		u->prefix[strlen(u->prefix) - 1] = '\0';
	snprintf(u->hostport, sizeof(u->hostport), strchr(u->host, ':') ? "[%s]:%s" : "%s:%s",
		 u->host, u->port);
	return 0;
}

/* ---- response parsing --------------------------------------------------------------- */

static int proto(char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "malformed HTTP response: %s", why);
	return -EPROTO;
}

/* The value of header line l ("Name: value") when its name is name, else NULL. */
static const char *header(const char *l, size_t n, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);

	if (n <= nl || strncasecmp(l, name, nl) || l[nl] != ':')
		return NULL;
	l += nl + 1, n -= nl + 1;
	while (n && (*l == ' ' || *l == '\t'))
		l++, n--;
	while (n && (l[n - 1] == ' ' || l[n - 1] == '\t'))
		n--;
	*vlen = n;
	return l;
}

/* Join a chunked body at p[0..n) in place; its length in *out. */
static int dechunk(char *p, size_t n, size_t *out, char *err, size_t errlen)
{
	size_t r = 0, w = 0;

	for (;;) {
		size_t size = 0, digits = 0;
		char *eol;

		while (r < n && digits < 16) {
			char c = p[r];
			int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

			if (h < 0)
				break;
			size = size << 4 | (size_t)h;
			r++, digits++;
		}
		if (!digits)
			return proto(err, errlen, "bad chunk size");
		eol = memmem(p + r, n - r, "\r\n", 2);	/* chunk extensions are skipped */
		if (!eol)
			return proto(err, errlen, "truncated chunk header");
		r = (size_t)(eol - p) + 2;
		if (size == 0)
			break;	/* trailers follow; nothing we need */
		if (size > n - r || n - r - size < 2 || memcmp(p + r + size, "\r\n", 2))
			return proto(err, errlen, "truncated chunk");
		memmove(p + w, p + r, size);
		w += size;
		r += size + 2;
	}
	*out = w;
	return 0;
}

static int parse_headers(const char *buf, size_t hdr_len, int *status, long long *clen,
			 int *chunked, char *err, size_t errlen)
{
	const char *l = buf, *end = buf + hdr_len;

	if (hdr_len < 12 || strncmp(buf, "HTTP/1.", 7) || (buf[7] != '0' && buf[7] != '1') ||
	    buf[8] != ' ' || buf[9] < '1' || buf[9] > '5' || buf[10] < '0' || buf[10] > '9' ||
	    buf[11] < '0' || buf[11] > '9' || (hdr_len > 12 && buf[12] != ' ' && buf[12] != '\r'))
		return proto(err, errlen, "bad status line");
	*status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	*clen = -1;
	*chunked = 0;
	l = memmem(buf, hdr_len, "\r\n", 2);
	while (l && (l += 2) < end) {
		const char *eol = memmem(l, (size_t)(end - l), "\r\n", 2), *v;
		size_t n = eol ? (size_t)(eol - l) : (size_t)(end - l), vl;

		if ((v = header(l, n, "Content-Length", &vl))) {
			long long x = 0;

			if (!vl || vl > 15 || *clen >= 0)
				return proto(err, errlen, "bad or repeated Content-Length");
			for (size_t i = 0; i < vl; i++) {
				if (v[i] < '0' || v[i] > '9')
					return proto(err, errlen, "bad Content-Length");
				x = x * 10 + (v[i] - '0');
			}
			*clen = x;
		} else if ((v = header(l, n, "Transfer-Encoding", &vl))) {
			if (vl != 7 || strncasecmp(v, "chunked", 7))
				return proto(err, errlen, "a transfer coding other than chunked");
			*chunked = 1;
		} else if ((v = header(l, n, "Content-Encoding", &vl))) {
			if (vl != 8 || strncasecmp(v, "identity", 8))
				return proto(err, errlen, "a content coding we did not ask for");
		}
		l = eol;
	}
	return 0;
}

int pw_http_parse_response(char *buf, size_t len, int *status, size_t *body_off, size_t *body_len,
			   char *err, size_t errlen)
{
	char *hdr_end = memmem(buf, len < HEADER_MAX ? len : HEADER_MAX, "\r\n\r\n", 4);
	size_t off, rest;
	long long clen;
	int chunked, rc;

	if (!hdr_end)
		return proto(err, errlen, len >= HEADER_MAX ? "headers too long" : "headers not complete");
	rc = parse_headers(buf, (size_t)(hdr_end - buf), status, &clen, &chunked, err, errlen);
	if (rc)
		return rc;
	off = (size_t)(hdr_end - buf) + 4;
	rest = len - off;
	*body_off = off;
	if (chunked)
		return dechunk(buf + off, rest, body_len, err, errlen);
	if (clen >= 0) {
		if ((unsigned long long)clen > rest)
			return proto(err, errlen, "body shorter than its Content-Length");
		*body_len = (size_t)clen;
		return 0;
	}
	*body_len = rest;	/* read to close */
	return 0;
}

/* ---- the request ------------------------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait for events on fd until the deadline; 0 ready, -ETIMEDOUT, -errno. */
static int wait_fd(int fd, short events, double deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		double left = deadline - now_s();
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)(left * 1000) + 1);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* A connected non-blocking socket to addr, or -errno. */
static int try_connect(const struct sockaddr *addr, socklen_t len, double deadline)
{
	socklen_t sl = sizeof(int);
	int fd, e = 0;

	fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, addr, len) == 0)
		return fd;
	e = errno;
	if (e == EINPROGRESS && (e = -wait_fd(fd, POLLOUT, deadline)) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) == 0 && e == 0)
		return fd;
	close(fd);
	return -(e ? e : ECONNREFUSED);
}

#ifdef PW_NO_HTTPD
/*
 * The static build (for the kernel matrix) has no NSS to resolve names
 * with: numeric addresses only, and it says so.
 */
static int connect_to(const struct pw_url *u, double deadline, char *err, size_t errlen)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	int fd;

	a4.sin_port = a6.sin6_port = htons((uint16_t)atoi(u->port));
	if (inet_pton(AF_INET, u->host, &a4.sin_addr) == 1)
		fd = try_connect((struct sockaddr *)&a4, sizeof(a4), deadline);
	else if (inet_pton(AF_INET6, u->host, &a6.sin6_addr) == 1)
		fd = try_connect((struct sockaddr *)&a6, sizeof(a6), deadline);
	else {
		snprintf(err, errlen, "cannot resolve %s: this static pausetop takes numeric "
			 "addresses only", u->host);
		return -EHOSTUNREACH;
	}
	if (fd < 0)
		snprintf(err, errlen, "cannot connect to %s: %s", u->hostport, strerror(-fd));
	return fd;
}
#else
static int connect_to(const struct pw_url *u, double deadline, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -ECONNREFUSED, rc;

	rc = getaddrinfo(u->host, u->port, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "cannot resolve %s: %s", u->host, gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = try_connect(ai->ai_addr, ai->ai_addrlen, deadline);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, errlen, "cannot connect to %s: %s", u->hostport, strerror(-fd));
	return fd;
}
#endif

static int send_all(int fd, const char *p, size_t n, double deadline)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		int rc;

		if (w > 0) {
			p += w, n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if ((rc = wait_fd(fd, POLLOUT, deadline)))
			return rc;
	}
	return 0;
}

/* Everything until the server closes, at most cap bytes. */
static int recv_all(int fd, size_t cap, double deadline, char **out, size_t *len)
{
	size_t n = 0, size = (size_t)64 * 1024;
	char *buf = malloc(size + 1), *p;

	*out = NULL;
	*len = 0;
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;
		int rc;

		if (n == size) {
			if (size >= cap) {
				free(buf);
				return -EFBIG;
			}
			size = size * 2 < cap ? size * 2 : cap;
			p = realloc(buf, size + 1);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
		}
		r = recv(fd, buf + n, size - n, 0);
		if (r > 0) {
			n += (size_t)r;
			continue;
		}
		if (r == 0)
			break;
		if (errno != EAGAIN && errno != EINTR) {
			rc = -errno;
			free(buf);
			return rc;
		}
		if ((rc = wait_fd(fd, POLLIN, deadline))) {
			free(buf);
			return rc;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int pw_http_get(const struct pw_url *u, const char *target, double timeout_s, size_t max_body,
		int *status, char **body, size_t *len, char *err, size_t errlen)
{
	double deadline = now_s() + timeout_s;
	char *req = NULL, *resp = NULL;
	size_t resp_len = 0, off = 0, blen = 0;
	int fd, rc, reqlen;

	*body = NULL;
	fd = connect_to(u, deadline, err, errlen);
	if (fd < 0)
		return fd;
	reqlen = asprintf(&req, "GET %s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: pausetop/%s\r\n"
			  "Accept: application/json\r\nAccept-Encoding: identity\r\n"
			  "Connection: close\r\n\r\n", u->prefix, target, u->hostport, PW_VERSION);
	if (reqlen < 0) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto cleanup;
	}
	rc = send_all(fd, req, (size_t)reqlen, deadline);
	if (!rc)
		rc = recv_all(fd, max_body + HEADER_MAX, deadline, &resp, &resp_len);
	if (rc) {
		if (rc == -EFBIG)
			snprintf(err, errlen, "the answer of %s is larger than %zu bytes: refused",
				 u->hostport, max_body);
		else
			snprintf(err, errlen, "no complete answer from %s: %s", u->hostport,
				 strerror(-rc));
		goto cleanup;
	}
	if (!resp) {
		rc = -EIO;
		snprintf(err, errlen, "no answer from %s", u->hostport);
		goto cleanup;
	}
	rc = pw_http_parse_response(resp, resp_len, status, &off, &blen, err, errlen);
	if (rc)
		goto cleanup;
	memmove(resp, resp + off, blen);
	resp[blen] = '\0';
	*body = resp;
	*len = blen;
	resp = NULL;
cleanup:
	free(req);
	free(resp);
	close(fd);
	return rc;
}
