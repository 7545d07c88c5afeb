// SPDX-License-Identifier: Apache-2.0
/*
 * export_http.c — pausetop --listen: /metrics, / and /healthz over HTTP with
 * libmicrohttpd (export.h, docs/export.md).
 *
 * Threads.  MHD runs a small pool of epoll threads (PW_HTTP_THREADS); each
 * request to /metrics takes a fresh snapshot on the pool thread that
 * serves it (the collector serialises snapshots), renders it and answers.
 * Idle and slow connections cost a socket and a small buffer, never a
 * thread: sockets are non-blocking, a connection idle or stalled for
 * --http-timeout seconds is closed, connections are capped in total and per
 * client address.  The pool starts in pw_export_serve, after pausetop has
 * dropped its privileges, so no thread ever holds them.
 *
 * Built with -DPW_NO_HTTPD (the static pausetop of the kernel matrix, which
 * cannot link libmicrohttpd statically), --listen fails and says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collector.h"
#include "export.h"

struct pw_listener {
	int fd;
};

void pw_listener_close(struct pw_listener *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	free(l);
}

#ifdef PW_NO_HTTPD

const bool pw_export_has_httpd = false;

int pw_export_bind(const struct pw_export_cfg *cfg, struct pw_listener **out)
{
	*out = NULL;
	fprintf(stderr, "pausetop: --listen is not available in this build (the static pausetop has "
		"no HTTP server); use the dynamic build/pausetop, or --textfile with node_exporter\n");
	return PW_EXIT_USAGE;
}

int pw_export_serve(struct pw_listener *l, const struct pw_source *src,
		    const struct pw_export_cfg *cfg, volatile sig_atomic_t *stop)
{
	return PW_EXIT_FAIL;
}

#else /* !PW_NO_HTTPD */

#include <arpa/inet.h>
#include <dlfcn.h>
#include <microhttpd.h>

#include "httpneg.h"
#include "metrics_face.h"

#define PW_HTTP_THREADS		2
#define PW_HTTP_CONN_MEMORY	(16 * 1024)	/* request line + headers per connection */

const bool pw_export_has_httpd = true;

/*
 * libmicrohttpd is opened at run time, by pw_export_bind, after the
 * programs are loaded.  Linked in, its TLS dependencies (gnutls, p11-kit,
 * nettle, ...) load and initialise at program start: 2.3 MB of RSS on top of
 * libbpf's copy of the kernel BTF, which pushed the start peak over the
 * exporter's 16 MB budget (docs/BENCHMARKS.md).  Only --listen pays for it.
 */
#define PW_MHD_SONAME	"libmicrohttpd.so.12"

static struct {
	__typeof__(&MHD_start_daemon) start_daemon;
	__typeof__(&MHD_stop_daemon) stop_daemon;
	__typeof__(&MHD_create_response_from_buffer) create_response_from_buffer;
	__typeof__(&MHD_add_response_header) add_response_header;
	__typeof__(&MHD_queue_response) queue_response;
	__typeof__(&MHD_destroy_response) destroy_response;
	__typeof__(&MHD_lookup_connection_value) lookup_connection_value;
} mhd;

#define MHD_SYM(f) { "MHD_" #f, offsetof(__typeof__(mhd), f) }

/* 0, or -1 with what is missing said on stderr. */
static int mhd_open(void)
{
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
		MHD_SYM(start_daemon), MHD_SYM(stop_daemon), MHD_SYM(create_response_from_buffer),
		MHD_SYM(add_response_header), MHD_SYM(queue_response), MHD_SYM(destroy_response),
		MHD_SYM(lookup_connection_value),
	};
	void *lib;

	_Static_assert(sizeof(mhd) == sizeof(syms) / sizeof(syms[0]) * sizeof(void *),
		       "one symbol per function pointer");
	if (mhd.start_daemon)
		return 0;
	lib = dlopen(PW_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "pausetop: --listen needs libmicrohttpd (%s): %s; install the "
			"libmicrohttpd12 package, or use --textfile with node_exporter\n",
			PW_MHD_SONAME, dlerror());
		return -1;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *fn = dlsym(lib, syms[i].name);

		if (!fn) {
			fprintf(stderr, "pausetop: %s has no %s (%s): not the libmicrohttpd pausetop "
				"was built for\n", PW_MHD_SONAME, syms[i].name, dlerror());
			memset(&mhd, 0, sizeof(mhd));
			dlclose(lib);
			return -1;
		}
		/* POSIX: dlsym's void * converts to a function pointer; memcpy keeps C aliasing happy */
		memcpy((char *)&mhd + syms[i].off, &fn, sizeof(fn));
	}
	return 0;	/* kept open until exit: the server's threads run its code */
}

struct server {
	const struct pw_source *src;
	const struct pw_export_cfg *cfg;
};

static const char index_html[] =
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>pausewatch</title></head>\n"
	"<body><h1>pausewatch</h1>\n"
	"<p>Zombies, orphans and signals per PID namespace.</p>\n"
	"<ul><li><a href=\"/metrics\">/metrics</a> (Prometheus)</li>\n"
	"<li><a href=\"/healthz\">/healthz</a></li></ul>\n</body></html>\n";

int pw_export_bind(const struct pw_export_cfg *cfg, struct pw_listener **out)
{
	struct sockaddr_storage ss;
	unsigned int sslen;
	char err[256], addr[INET6_ADDRSTRLEN];
	struct pw_listener *l;
	int one = 1;

	*out = NULL;
	if (pw_listen_parse(cfg->listen, &ss, &sslen, err, sizeof(err))) {
		fprintf(stderr, "pausetop: %s\n", err);
		return PW_EXIT_USAGE;
	}
	if (mhd_open())
		return PW_EXIT_FAIL;
	l = calloc(1, sizeof(*l));
	if (!l) {
		fprintf(stderr, "pausetop: out of memory\n");
		return PW_EXIT_FAIL;
	}
	l->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l->fd, (struct sockaddr *)&ss, sslen) || listen(l->fd, 128)) {
		int e = errno;

		inet_ntop(ss.ss_family, ss.ss_family == AF_INET
				? (void *)&((struct sockaddr_in *)&ss)->sin_addr
				: (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof(addr));
		fprintf(stderr, "pausetop: cannot listen on %s: %s%s\n", cfg->listen, strerror(e),
			e == EADDRINUSE ? " (another process has that port: pick another)"
			: e == EADDRNOTAVAIL ? " (no interface has that address)" : "");
		pw_listener_close(l);
		return PW_EXIT_FAIL;
	}
	*out = l;
	return PW_EXIT_OK;
}

/* "http://127.0.0.1:9977/metrics" of the bound socket (the port may have been 0). */
static void describe(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = sizeof(ss);
	char a[INET6_ADDRSTRLEN] = "?";

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) || sl < sizeof(struct sockaddr_in)) {
		snprintf(buf, len, "?");
		return;
	}
	if (ss.ss_family == AF_INET6 && sl >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		if (!inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a)))
			snprintf(a, sizeof(a), "?");
		snprintf(buf, len, "http://[%s]:%u/metrics", a, ntohs(s6->sin6_port));
	} else {
		struct sockaddr_in s4;

		memcpy(&s4, &ss, sizeof(s4));
		if (!inet_ntop(AF_INET, &s4.sin_addr, a, sizeof(a)))
			snprintf(a, sizeof(a), "?");
		snprintf(buf, len, "http://%s:%u/metrics", a, ntohs(s4.sin_port));
	}
}

/* ---- responses ------------------------------------------------------------------------ */

static enum MHD_Result send_static(struct MHD_Connection *c, unsigned int status, const char *type,
				   const char *body, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = mhd.create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow)
		mhd.add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = mhd.queue_response(c, status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result send_metrics(struct server *srv, struct MHD_Connection *c)
{
	const char *accept = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	const char *enc = mhd.lookup_connection_value(c, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_ACCEPT_ENCODING);
	bool om = pw_http_wants_openmetrics(accept), gz = pw_http_accepts_gzip(enc);
	struct MHD_Response *r;
	enum MHD_Result ret;
	struct pw_mbuf b;
	char err[512], *body;
	size_t len;
	int rc;

	err[0] = '\0';
	rc = pw_export_render(srv->src, srv->cfg, om, true, gz, &b, err, sizeof(err));
	if (rc) {
		char msg[600];

		pw_mbuf_free(&b);
		fprintf(stderr, "pausetop: scrape failed: %s\n", err);
		snprintf(msg, sizeof(msg), "snapshot failed: %s\n", err);
		r = mhd.create_response_from_buffer(strlen(msg), msg, MHD_RESPMEM_MUST_COPY);
		if (!r)
			return MHD_NO;
		mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
		ret = mhd.queue_response(c, MHD_HTTP_INTERNAL_SERVER_ERROR, r);
		mhd.destroy_response(r);
		return ret;
	}
	body = pw_mbuf_take(&b, &len);
	r = mhd.create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, om ? PW_CT_OPENMETRICS : PW_CT_TEXT);
	if (gz)
		mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	mhd.add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept, Accept-Encoding");
	ret = mhd.queue_response(c, MHD_HTTP_OK, r);
	mhd.destroy_response(r);
	return ret;
}

/* Does the request announce a body (which GET and HEAD never need)? */
static bool has_body(struct MHD_Connection *c)
{
	const char *len = mhd.lookup_connection_value(c, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (len && strcmp(len, "0")) ||
	       mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url)
{
	if (!strcmp(url, "/metrics"))
		return send_metrics(cls, c);
	if (!strcmp(url, "/"))
		return send_static(c, MHD_HTTP_OK, "text/html; charset=utf-8", index_html, NULL);
	if (!strcmp(url, "/healthz"))
		return send_static(c, MHD_HTTP_OK, "text/plain; charset=utf-8", "ok\n", NULL);
	return send_static(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
			   "not found: try /metrics\n", NULL);
}

/*
 * MHD calls this when the headers are in (*req == NULL) and again when the
 * request is complete.  A request with a body, or with a method other than
 * GET and HEAD, is answered at once: then MHD sends the answer and closes
 * the connection instead of reading the body, so a client announcing a
 * large (or endless) one holds nothing.  A plain GET is answered on the
 * second call, which keeps the connection alive for the next scrape.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **req)
{
	static int marker;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return send_static(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
				   "method not allowed: GET or HEAD\n", "GET, HEAD");
	if (!*req) {
		*req = &marker;
		return has_body(c) ? answer(cls, c, url) : MHD_YES;
	}
	*upload_size = 0;	/* a body would have been answered above; nothing to read */
	return answer(cls, c, url);
}

static void on_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	fprintf(stderr, "pausetop: http: %s\n", line);
}

/* Wait for SIGINT/SIGTERM/SIGHUP with them blocked everywhere else (the pool inherits the mask). */
static void wait_for_stop(volatile sig_atomic_t *stop, const sigset_t *orig)
{
	while (!*stop)
		sigsuspend(orig);
}

int pw_export_serve(struct pw_listener *l, const struct pw_source *src,
		    const struct pw_export_cfg *cfg, volatile sig_atomic_t *stop)
{
	struct server srv = { .src = src, .cfg = cfg };
	struct MHD_Daemon *d;
	sigset_t block, orig;
	char where[128];

	/*
	 * RSS: one malloc arena for all threads (a pool thread's own arena keeps
	 * the pages of its biggest scrape), and a fixed mmap threshold, so the
	 * megabytes of a snapshot and its exposition go back to the kernel when freed.
	 */
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &orig);
	d = mhd.start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
			     on_request, &srv,
			     MHD_OPTION_EXTERNAL_LOGGER, on_log, NULL,
			     MHD_OPTION_LISTEN_SOCKET, l->fd,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)PW_HTTP_THREADS,
			     MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_per_ip,
			     MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)PW_HTTP_CONN_MEMORY,
			     MHD_OPTION_END);
	if (!d) {
		pthread_sigmask(SIG_SETMASK, &orig, NULL);
		fprintf(stderr, "pausetop: the HTTP server did not start (libmicrohttpd refused its "
			"options; see the messages above)\n");
		return PW_EXIT_FAIL;
	}
	describe(l->fd, where, sizeof(where));
	fprintf(stderr, "pausetop: serving %s (node \"%s\")\n", where, cfg->node);
	wait_for_stop(stop, &orig);
	/* MHD_stop_daemon waits for requests in flight, then closes every connection */
	mhd.stop_daemon(d);
	l->fd = -1;	/* MHD_stop_daemon closed it */
	pthread_sigmask(SIG_SETMASK, &orig, NULL);
	return PW_EXIT_OK;
}

#endif /* PW_NO_HTTPD */
