// SPDX-License-Identifier: Apache-2.0
/*
 * export_http.c — pausetop --listen: /metrics, / and /healthz over HTTP with
 * libmicrohttpd (export.h, docs/export.md).
 *
 * Threads.  MHD runs a small pool of epoll threads (PW_HTTP_THREADS); each
 * request to /metrics takes a fresh snapshot on the pool thread that
 * serves it (the collector serialises snapshots), renders it and answers.
 * Idle and slow connections cost a socket and a small buffer, never a
 * thread: sockets are non-blocking.  A connection must deliver its request
 * within --http-timeout seconds (a watchdog thread enforces the deadline),
 * a stalled response is closed after as long without progress, and
 * connections are capped per client address (by libmicrohttpd) and in total
 * (by evicting the one waiting longest for a request).  The pool and the
 * watchdog start in pw_export_serve, after pausetop has dropped its
 * privileges, so no thread ever holds them.
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
#include <time.h>
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
	__typeof__(&MHD_get_connection_values) get_connection_values;
	__typeof__(&MHD_get_connection_info) get_connection_info;
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
		MHD_SYM(lookup_connection_value), MHD_SYM(get_connection_values),
		MHD_SYM(get_connection_info),
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

/*
 * Every connection libmicrohttpd accepted, for the request deadline and for
 * eviction (both below).  Entries live from NOTIFY_STARTED to NOTIFY_CLOSED,
 * on the pool thread that owns the connection; the watchdog thread and
 * other pool threads only read them and shut their sockets down, under
 * server.lock.
 */
struct conn {
	struct conn *prev, *next;
	int fd;
	bool answering;		/* a request is being answered: neither deadline nor eviction */
	bool closing;		/* shut down by us; libmicrohttpd closes it on its next look */
	struct timespec since;	/* accepted, or the previous response ended */
};

struct server {
	const struct pw_source *src;
	const struct pw_export_cfg *cfg;
	pthread_mutex_t lock;	/* guards the list, live, stopping */
	pthread_cond_t wake;	/* the watchdog's tick (CLOCK_MONOTONIC), or stop */
	struct conn *head;
	unsigned int live;	/* tracked connections not closing: what --max-connections caps */
	bool stopping;
};

/*
 * Room above --max-connections given to libmicrohttpd's own limit.  At its
 * limit libmicrohttpd stops accepting (the listening socket leaves its
 * epoll set): a new client would wait in the kernel's backlog, unseen,
 * while trickling clients hold every slot.  With room, the newcomer is
 * accepted and conn_started evicts an old connection instead.  The room
 * only has to cover connections evicted but not yet cleaned up (the pool
 * thread does that at its next wake-up); libmicrohttpd splits its limit
 * between the pool threads, hence the 16.
 */
#define PW_HTTP_LIMIT_ROOM(max)	((max) / 4 + 16)

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double ts_secs(const struct timespec *ts)
{
	return (double)ts->tv_sec + ts->tv_nsec / 1e9;
}

/*
 * Cut a connection (lock held).  shutdown, not close: libmicrohttpd owns the
 * descriptor; its pool thread sees end-of-file and cleans up, calling
 * NOTIFY_CLOSED (which takes the lock and unlinks the entry) before it
 * closes the descriptor, so a tracked fd is never one reused for another file.
 */
static void conn_cut(struct server *srv, struct conn *k)
{
	shutdown(k->fd, SHUT_RDWR);
	k->closing = true;
	srv->live--;
}

/* The connection waiting longest for a request (lock held); NULL if all are answered or closing. */
static struct conn *oldest_waiting(struct server *srv)
{
	struct conn *best = NULL;

	for (struct conn *k = srv->head; k; k = k->next)
		if (!k->answering && !k->closing &&
		    (!best || ts_secs(&k->since) < ts_secs(&best->since)))
			best = k;
	return best;
}

static void conn_started(struct server *srv, struct MHD_Connection *c, void **ctx)
{
	const union MHD_ConnectionInfo *fd = mhd.get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct conn *k = calloc(1, sizeof(*k));

	if (!k || !fd) {
		/* untracked, it would escape both the deadline and the cap: refuse it */
		if (fd)
			shutdown(fd->connect_fd, SHUT_RDWR);
		free(k);
		return;
	}
	k->fd = fd->connect_fd;
	clock_gettime(CLOCK_MONOTONIC, &k->since);
	pthread_mutex_lock(&srv->lock);
	k->next = srv->head;
	if (srv->head)
		srv->head->prev = k;
	srv->head = k;
	srv->live++;
	/*
	 * Over --max-connections: the newcomer gets in and the connection that
	 * has waited longest without a request being answered goes (idle
	 * keep-alive, or a request still trickling in).  The newcomer itself is
	 * the youngest, so it goes only when every other one is being answered.
	 */
	while (srv->live > srv->cfg->max_connections) {
		struct conn *victim = oldest_waiting(srv);

		if (!victim)
			break;
		conn_cut(srv, victim);
	}
	pthread_mutex_unlock(&srv->lock);
	*ctx = k;
}

static void conn_closed(struct server *srv, void **ctx)
{
	struct conn *k = *ctx;

	if (!k)
		return;
	pthread_mutex_lock(&srv->lock);
	if (k->prev)
		k->prev->next = k->next;
	else
		srv->head = k->next;
	if (k->next)
		k->next->prev = k->prev;
	if (!k->closing)
		srv->live--;
	pthread_mutex_unlock(&srv->lock);
	free(k);
	*ctx = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **ctx,
			  enum MHD_ConnectionNotificationCode what)
{
	if (what == MHD_CONNECTION_NOTIFY_STARTED)
		conn_started(cls, c, ctx);
	else if (what == MHD_CONNECTION_NOTIFY_CLOSED)
		conn_closed(cls, ctx);
}

/* The request on c is complete (answering) or its response has ended (waiting for the next). */
static void conn_mark(struct server *srv, struct MHD_Connection *c, bool answering)
{
	const union MHD_ConnectionInfo *info =
		mhd.get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *k = info ? info->socket_context : NULL;

	if (!k)
		return;
	pthread_mutex_lock(&srv->lock);
	k->answering = answering;
	if (!answering)
		clock_gettime(CLOCK_MONOTONIC, &k->since);
	pthread_mutex_unlock(&srv->lock);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req,
			 enum MHD_RequestTerminationCode why)
{
	conn_mark(cls, c, false);
}

/*
 * The request deadline.  libmicrohttpd's timeout (--http-timeout) restarts
 * at every byte, so a client sending one byte every few seconds would hold
 * its slot for ever.  Once a second, cut every connection that has not
 * delivered a complete request within --http-timeout of its start or of
 * the end of its previous response.  A response in progress is left alone
 * (a slow reader is bounded by libmicrohttpd's inactivity timeout).
 */
static void *watchdog(void *arg)
{
	struct server *srv = arg;
	struct timespec tick;

	pthread_mutex_lock(&srv->lock);
	while (!srv->stopping) {
		double now = mono_now();

		for (struct conn *k = srv->head; k; k = k->next)
			if (!k->answering && !k->closing &&
			    now - ts_secs(&k->since) >= srv->cfg->timeout_s)
				conn_cut(srv, k);
		clock_gettime(CLOCK_MONOTONIC, &tick);
		tick.tv_sec += 1;
		pthread_cond_timedwait(&srv->wake, &srv->lock, &tick);
	}
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

/* 0, or -1 with the reason on stderr. */
static int watchdog_start(struct server *srv, pthread_t *t)
{
	pthread_condattr_t ca;
	int e;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	e = pthread_cond_init(&srv->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (!e) {
		e = pthread_create(t, NULL, watchdog, srv);
		if (e)
			pthread_cond_destroy(&srv->wake);
	}
	if (e)
		fprintf(stderr, "pausetop: cannot start the HTTP request watchdog: %s (out of "
			"threads or memory?)\n", strerror(e));
	return e ? -1 : 0;
}

static void watchdog_stop(struct server *srv, pthread_t t)
{
	pthread_mutex_lock(&srv->lock);
	srv->stopping = true;
	pthread_cond_signal(&srv->wake);
	pthread_mutex_unlock(&srv->lock);
	pthread_join(t, NULL);
	pthread_cond_destroy(&srv->wake);
}

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

/* Longest Accept or Accept-Encoding considered, all its lines together (Prometheus sends ~150 B). */
#define PW_HTTP_LIST_MAX	4096

struct list_field {
	const char *name;
	char val[PW_HTTP_LIST_MAX];
	size_t len;
	bool seen, too_long;
};

static enum MHD_Result join_field(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	struct list_field *f = cls;
	size_t n = strlen(value);

	if (strcasecmp(key, f->name))
		return MHD_YES;
	if (f->len + (f->seen ? 2 : 0) + n >= sizeof(f->val)) {
		f->too_long = true;
		return MHD_NO;
	}
	if (f->seen)
		memcpy(f->val + f->len, ", ", 2), f->len += 2;
	memcpy(f->val + f->len, value, n);
	f->len += n;
	f->val[f->len] = '\0';
	f->seen = true;
	return MHD_YES;
}

/*
 * The list header name of the request, every line of it: RFC 9110 5.3 reads
 * repeated lines of a list field as one comma-joined value, and
 * lookup_connection_value sees only the first (Accept-Encoding: * then
 * Accept-Encoding: gzip;q=0 must not be gzip).  NULL when absent, and when
 * the lines together exceed PW_HTTP_LIST_MAX: no such client exists, and
 * absent means the text format without gzip, which every scraper reads.
 */
static const char *list_field(struct MHD_Connection *c, struct list_field *f, const char *name)
{
	f->name = name;
	f->len = 0;
	f->seen = f->too_long = false;
	f->val[0] = '\0';
	mhd.get_connection_values(c, MHD_HEADER_KIND, join_field, f);
	return f->seen && !f->too_long ? f->val : NULL;
}

static enum MHD_Result send_metrics(struct server *srv, struct MHD_Connection *c)
{
	struct list_field *f = malloc(sizeof(*f));
	struct MHD_Response *r;
	enum MHD_Result ret;
	struct pw_mbuf b;
	char err[512], *body;
	size_t len;
	bool om, gz;
	int rc;

	if (!f)
		return MHD_NO;
	om = pw_http_wants_openmetrics(list_field(c, f, MHD_HTTP_HEADER_ACCEPT));
	gz = pw_http_accepts_gzip(list_field(c, f, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	free(f);
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

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/*
 * libmicrohttpd's unescaping, but "%00" stays as it is.  The path reaches
 * the access handler as a C string: decoded to a NUL, /metrics%00junk would
 * read as /metrics and be served, where any other path must be a 404.
 * Returns the new length, as libmicrohttpd wants.
 */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *out = s;

	for (const char *in = s; *in; ) {
		int hi = in[0] == '%' ? hexval(in[1]) : -1, lo = hi >= 0 ? hexval(in[2]) : -1;

		if (lo >= 0 && (hi | lo)) {
			*out++ = (char)(hi << 4 | lo);
			in += 3;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
	return (size_t)(out - s);
}

/*
 * Every page ignores query arguments, and libmicrohttpd 0.9.75 mishandles
 * many of them: each takes a record from the 16 KiB connection pool, and
 * when the pool runs out it neither answers nor closes properly (300
 * "a&" bytes were enough).  It calls this with the request target before it
 * splits the arguments off, in its own writable buffer: ending the string
 * right after the '?' leaves it no argument to record.  A libmicrohttpd that
 * split them earlier shows no '?' here, and nothing changes.
 */
static void *drop_query(void *cls, const char *uri, struct MHD_Connection *c)
{
	char *q = uri ? strchr(uri, '?') : NULL;

	if (q && q[1])
		q[1] = '\0';
	return NULL;
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

	if (!*req)
		conn_mark(cls, c, true);	/* the headers are in: the request deadline is met */
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
	struct server srv = { .src = src, .cfg = cfg, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct MHD_Daemon *d;
	sigset_t block, orig;
	char where[128];
	pthread_t dog;

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
	if (watchdog_start(&srv, &dog)) {
		pthread_sigmask(SIG_SETMASK, &orig, NULL);
		return PW_EXIT_FAIL;
	}
	/*
	 * libmicrohttpd's connection limit has room above --max-connections
	 * (PW_HTTP_LIMIT_ROOM), which conn_started enforces by eviction; the
	 * per-address cap is libmicrohttpd's, exact: the one over it is closed
	 * at accept.
	 */
	d = mhd.start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
			     on_request, &srv,
			     MHD_OPTION_EXTERNAL_LOGGER, on_log, NULL,
			     MHD_OPTION_LISTEN_SOCKET, l->fd,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)PW_HTTP_THREADS,
			     MHD_OPTION_CONNECTION_LIMIT,
			     cfg->max_connections + PW_HTTP_LIMIT_ROOM(cfg->max_connections),
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_per_ip,
			     MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)PW_HTTP_CONN_MEMORY,
			     MHD_OPTION_NOTIFY_CONNECTION, on_connection, &srv,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
			     MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
			     MHD_OPTION_URI_LOG_CALLBACK, drop_query, NULL,
			     MHD_OPTION_END);
	if (!d) {
		watchdog_stop(&srv, dog);
		pthread_sigmask(SIG_SETMASK, &orig, NULL);
		fprintf(stderr, "pausetop: the HTTP server did not start (libmicrohttpd refused its "
			"options; see the messages above)\n");
		return PW_EXIT_FAIL;
	}
	describe(l->fd, where, sizeof(where));
	fprintf(stderr, "pausetop: serving %s (node \"%s\")\n", where, cfg->node);
	wait_for_stop(stop, &orig);
	/* MHD_stop_daemon waits for requests in flight, then closes every connection */
	watchdog_stop(&srv, dog);
	mhd.stop_daemon(d);
	l->fd = -1;	/* MHD_stop_daemon closed it */
	/* every connection got its NOTIFY_CLOSED in MHD_stop_daemon; free any it missed */
	while (srv.head) {
		struct conn *k = srv.head;

		srv.head = k->next;
		free(k);
	}
	pthread_mutex_destroy(&srv.lock);
	pthread_sigmask(SIG_SETMASK, &orig, NULL);
	return PW_EXIT_OK;
}

#endif /* PW_NO_HTTPD */
