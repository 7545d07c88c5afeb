// SPDX-License-Identifier: Apache-2.0
/*
 * export.c — pausetop's exporter modes that need no HTTP server (export.h):
 * options, --metrics, --textfile, the process_* figures, and the parsing of
 * --listen addresses.  The server itself is export_http.c.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "collector.h"
#include "export.h"
#include "metrics_face.h"

const struct pw_optdef pw_export_optdefs[] = {
	{ "listen", 0, "ADDR:PORT",
	  "serve /metrics over HTTP until SIGTERM (a bare PORT or :PORT\n"
	  "means 127.0.0.1; 0.0.0.0 or [::] only when written)", PW_OPT_LISTEN },
	{ "metrics", 0, NULL, "print the Prometheus exposition (docs/metrics.md)", PW_OPT_METRICS },
	{ "textfile", 0, "PATH",
	  "write the exposition to PATH (*.prom) atomically every -d\n"
	  "seconds (default 15), for node_exporter's textfile collector", PW_OPT_TEXTFILE },
	{ "openmetrics", 0, NULL, "--metrics in OpenMetrics 1.0 instead of text 0.0.4",
	  PW_OPT_OPENMETRICS },
	{ "node-name", 0, "NAME", "the node label of every series (default: the nodename)",
	  PW_OPT_NODE_NAME },
	{ "max-connections", 0, "N", "HTTP connections at once (default 512)",
	  PW_OPT_MAX_CONNECTIONS },
	{ "max-connections-per-ip", 0, "N", "HTTP connections from one address (default 256)",
	  PW_OPT_MAX_PER_IP },
	{ "http-timeout", 0, "SECONDS",
	  "a connection must deliver its request within this, and a\n"
	  "response stalled this long is closed (default 15)", PW_OPT_HTTP_TIMEOUT },
	{ 0 },
};

void pw_export_cfg_init(struct pw_export_cfg *cfg)
{
	struct utsname u;

	memset(cfg, 0, sizeof(*cfg));
	cfg->max_connections = PW_EXPORT_MAX_CONNECTIONS;
	cfg->max_per_ip = PW_EXPORT_MAX_PER_IP;
	cfg->timeout_s = PW_EXPORT_TIMEOUT;
	if (uname(&u) == 0)
		snprintf(cfg->node, sizeof(cfg->node), "%.63s", u.nodename);
	if (!cfg->node[0])
		snprintf(cfg->node, sizeof(cfg->node), "localhost");
}

static int set_mode(struct pw_export_cfg *cfg, enum pw_export_mode m, const char *prog)
{
	if (cfg->mode != PW_EXPORT_NONE && cfg->mode != m) {
		fprintf(stderr, "%s: --listen, --metrics and --textfile exclude each other\n", prog);
		return -1;
	}
	cfg->mode = m;
	return 0;
}

static int check_textfile(const char *path, const char *prog)
{
	size_t n = strlen(path);

	if (n < 6 || strcmp(path + n - 5, ".prom") || path[n - 6] == '/') {
		fprintf(stderr, "%s: --textfile wants a file name ending in .prom (node_exporter "
			"reads only those), not '%s'\n", prog, path);
		return -1;
	}
	return 0;
}

static int uint_opt(const char *arg, unsigned long min, unsigned long max, unsigned int *out,
		    const char *opt, const char *prog)
{
	unsigned long v;

	if (pw_parse_uint(arg, min, max, &v)) {
		fprintf(stderr, "%s: --%s wants a whole number from %lu to %lu, not '%s'\n", prog, opt,
			min, max, arg);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

int pw_export_opt(struct pw_export_cfg *cfg, int id, const char *arg, const char *prog)
{
	struct sockaddr_storage ss;
	unsigned int sslen;
	char err[256];

	switch (id) {
	case PW_OPT_LISTEN:
		if (!pw_export_has_httpd) {
			fprintf(stderr, "%s: --listen is not available in this build (the static pausetop "
				"has no HTTP server): use the dynamic build, or --textfile with "
				"node_exporter\n", prog);
			return -1;
		}
		if (pw_listen_parse(arg, &ss, &sslen, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return -1;
		}
		cfg->listen = arg;
		return set_mode(cfg, PW_EXPORT_LISTEN, prog);
	case PW_OPT_METRICS:
		return set_mode(cfg, PW_EXPORT_METRICS, prog);
	case PW_OPT_TEXTFILE:
		cfg->textfile = arg;
		return check_textfile(arg, prog) ? -1 : set_mode(cfg, PW_EXPORT_TEXTFILE, prog);
	case PW_OPT_OPENMETRICS:
		cfg->openmetrics = true;
		return 0;
	case PW_OPT_NODE_NAME:
		if (!*arg || strlen(arg) >= sizeof(cfg->node)) {
			fprintf(stderr, "%s: --node-name wants 1 to %zu bytes, not '%s'\n", prog,
				sizeof(cfg->node) - 1, arg);
			return -1;
		}
		snprintf(cfg->node, sizeof(cfg->node), "%s", arg);
		cfg->node_given = true;
		return 0;
	case PW_OPT_MAX_CONNECTIONS:
		cfg->http_opt = "--max-connections";
		return uint_opt(arg, 1, 65536, &cfg->max_connections, "max-connections", prog);
	case PW_OPT_MAX_PER_IP:
		cfg->http_opt = "--max-connections-per-ip";
		return uint_opt(arg, 1, 65536, &cfg->max_per_ip, "max-connections-per-ip", prog);
	case PW_OPT_HTTP_TIMEOUT:
		cfg->http_opt = "--http-timeout";
		return uint_opt(arg, 1, 3600, &cfg->timeout_s, "http-timeout", prog);
	}
	return -1;
}

/* ---- the process itself ---------------------------------------------------- */

/* Boot time (seconds since the epoch) from /proc/stat, read once. */
static double boot_time(void)
{
	static double btime = -1;
	char line[256];
	FILE *f;

	if (btime >= 0)
		return btime;
	f = fopen("/proc/stat", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "btime ", 6)) {
			btime = strtod(line + 6, NULL);
			break;
		}
	fclose(f);
	return btime;
}

static double open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	double n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* not the directory we are reading */
}

/*
 * Field n (1-based, as proc(5) numbers them) of /proc/self/stat; the text
 * starts after the comm, whose parentheses may hold anything (field 3 on).
 */
static int stat_field(const char *after_comm, int n, unsigned long long *out)
{
	const char *p = after_comm;
	char *end;

	for (int f = 3; f < n && p; f++) {
		p = strchr(p, ' ');
		p = p ? p + 1 : NULL;
	}
	if (!p)
		return -1;
	errno = 0;
	*out = strtoull(p, &end, 10);
	return errno || end == p ? -1 : 0;
}

void pw_export_proc_stats(struct pw_proc_stats *p)
{
	long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	unsigned long long utime, stime, start, rss;
	char buf[1024], *rp;
	FILE *f;
	size_t n;

	p->cpu_seconds = p->resident_bytes = p->start_time_seconds = -1;
	p->open_fds = open_fds();
	f = fopen("/proc/self/stat", "re");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	if (!rp || rp[1] != ' ' || tick <= 0 || stat_field(rp + 2, 14, &utime) ||
	    stat_field(rp + 2, 15, &stime) || stat_field(rp + 2, 22, &start) ||
	    stat_field(rp + 2, 24, &rss))
		return;
	p->cpu_seconds = (double)(utime + stime) / (double)tick;
	p->resident_bytes = (double)rss * (double)page;
	if (boot_time() >= 0)
		p->start_time_seconds = boot_time() + (double)start / (double)tick;
}

/* ---- rendering ----------------------------------------------------------------- */

static pthread_mutex_t render_lock = PTHREAD_MUTEX_INITIALIZER;

/* gzip: the exposition is deflated piece by piece into out as it is rendered. */
struct gz {
	z_stream z;
	struct pw_mbuf *out;
};

static int gz_write(struct gz *g, const char *data, size_t len, int flush)
{
	struct pw_mbuf *out = g->out;
	int zrc;

	g->z.next_in = (Bytef *)data;
	g->z.avail_in = (uInt)len;
	do {
		if (out->cap - out->len < 16384) {
			size_t cap = out->cap * 2 + 65536;
			char *p = realloc(out->data, cap);

			if (!p)
				return -ENOMEM;
			out->data = p;
			out->cap = cap;
		}
		g->z.next_out = (Bytef *)out->data + out->len;
		g->z.avail_out = (uInt)(out->cap - out->len);
		zrc = deflate(&g->z, flush);
		out->len = out->cap - g->z.avail_out;
		if (zrc == Z_STREAM_ERROR)
			return -EIO;
	} while (g->z.avail_in || (flush == Z_FINISH && zrc != Z_STREAM_END));
	return 0;
}

static int gz_sink(void *ctx, const char *data, size_t len)
{
	return gz_write(ctx, data, len, Z_NO_FLUSH);
}

/* One snapshot, rendered into b (which may stream into a gzip sink). */
static int take_and_render(const struct pw_source *src, const struct pw_metrics_opts *o,
			   bool with_proc, struct pw_mbuf *b, char *err, size_t errlen)
{
	struct pw_metrics_opts opts = *o;
	struct pw_proc_stats proc;
	struct pw_snapshot *s;
	int rc;

	rc = src->take(src->ctx, &s, err, errlen);
	if (rc)
		return rc;
	if (with_proc) {
		pw_export_proc_stats(&proc);
		opts.proc = &proc;
	}
	rc = pw_face_metrics(b, s, &opts);
	pw_snapshot_free(s);
	if (rc)
		snprintf(err, errlen, "rendering the exposition failed: %s", strerror(-rc));
	return rc;
}

int pw_export_render(const struct pw_source *src, const struct pw_export_cfg *cfg, bool openmetrics,
		     bool with_proc, bool gzip, struct pw_mbuf *out, char *err, size_t errlen)
{
	/* the last answer's size: the next one is about as large, one allocation */
	static size_t last_size[2];
	struct pw_metrics_opts o = {
		.node = cfg->node,
		.format = openmetrics ? PW_METRICS_OPENMETRICS : PW_METRICS_TEXT,
	};
	struct gz g = { .out = out };
	struct pw_mbuf chunk;
	int rc;

	pw_mbuf_init(out, __atomic_load_n(&last_size[gzip], __ATOMIC_RELAXED) + 4096);
	if (gzip) {
		/* level 1: the text repeats itself, the fastest level already gives ~20x */
		if (deflateInit2(&g.z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
			snprintf(err, errlen, "gzip: out of memory");
			return -ENOMEM;
		}
		pw_mbuf_init(&chunk, (size_t)64 * 1024);
		chunk.sink = gz_sink;
		chunk.sink_ctx = &g;
	}
	/*
	 * One snapshot and render at a time: the collector serialises snapshots
	 * anyway, and a snapshot of 1,000 namespaces is megabytes: concurrent
	 * scrapes must not each hold one (RSS).
	 */
	pthread_mutex_lock(&render_lock);
	rc = take_and_render(src, &o, with_proc, gzip ? &chunk : out, err, errlen);
	pthread_mutex_unlock(&render_lock);
	if (gzip) {
		if (!rc && (rc = gz_write(&g, NULL, 0, Z_FINISH)))
			snprintf(err, errlen, "gzip failed: %s", strerror(-rc));
		deflateEnd(&g.z);
		pw_mbuf_free(&chunk);
	}
	if (rc)
		return rc;
	if (out->err) {
		snprintf(err, errlen, "out of memory");
		return out->err;
	}
	__atomic_store_n(&last_size[gzip], out->len, __ATOMIC_RELAXED);
	return 0;
}

/* Sleep delay seconds; false when a stop was requested. */
static bool wait_next(double delay, volatile sig_atomic_t *stop)
{
	struct timespec ts = { .tv_sec = (time_t)delay,
			       .tv_nsec = (long)((delay - floor(delay)) * 1e9) };

	while (!*stop && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	return !*stop;
}

/* Where each exposition of render_loop goes: 0, or a negative errno with err set or empty. */
typedef int (*put_fn)(void *ctx, const struct pw_mbuf *b, char *err, size_t errlen);

/*
 * Render run->count expositions (0: until stopped), run->delay seconds apart,
 * and hand each to put.  An error ends the loop and is reported; EPIPE (the
 * reader went away) is not our failure.
 */
static int render_loop(const struct pw_source *src, const struct pw_export_cfg *cfg,
		       const struct pw_run *run, bool openmetrics, bool self, put_fn put, void *ctx)
{
	char err[512];

	for (long i = 0; run->count == 0 || i < run->count; i++) {
		struct pw_mbuf b;
		int rc;

		if (i > 0 && !wait_next(run->delay, run->stop))
			break;
		err[0] = '\0';
		rc = pw_export_render(src, cfg, openmetrics, self, false, &b, err, sizeof(err));
		if (!rc)
			rc = put(ctx, &b, err, sizeof(err));
		pw_mbuf_free(&b);
		if (rc == -EPIPE)
			return PW_EXIT_OK;
		if (rc) {
			fprintf(stderr, "pausetop: %s\n", err[0] ? err : strerror(-rc));
			return PW_EXIT_FAIL;
		}
	}
	return PW_EXIT_OK;
}

static int put_stream(void *ctx, const struct pw_mbuf *b, char *err, size_t errlen)
{
	FILE *f = ctx;

	if (fwrite(b->data, 1, b->len, f) != b->len || fflush(f) == EOF)
		return -(errno ? errno : EIO);
	return 0;
}

int pw_export_print(FILE *f, const struct pw_source *src, const struct pw_export_cfg *cfg,
		    const struct pw_run *run)
{
	return render_loop(src, cfg, run, cfg->openmetrics, true, put_stream, f);
}

/* ---- textfile --------------------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * node_exporter may read the file at any moment: write a temporary file in
 * the same directory (not ending in .prom, so it is never read half-written),
 * fsync it, rename it over PATH, fsync the directory.
 */
static int write_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	char dir[4096], tmp[4200];
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	int fd, dfd, rc = 0;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
		 slash ? path : ".");
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a temporary file in %.300s: %s (does the "
			 "directory exist and may pausetop write there?)", dir, strerror(errno));
		return -1;
	}
	rc = write_all(fd, data, len);
	if (!rc && fchmod(fd, 0644))
		rc = -errno;
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc) {
		snprintf(err, errlen, "writing %.300s failed: %s", path, strerror(-rc));
		unlink(tmp);
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);	/* the rename survives a crash; best effort */
		close(dfd);
	}
	return 0;
}

/* Text format only (node_exporter parses no OpenMetrics), without process_* (node_exporter's own). */
static int put_textfile(void *ctx, const struct pw_mbuf *b, char *err, size_t errlen)
{
	const struct pw_export_cfg *cfg = ctx;

	return write_atomic(cfg->textfile, b->data, b->len, err, errlen) ? -EIO : 0;
}

int pw_export_textfile(const struct pw_source *src, const struct pw_export_cfg *cfg,
		       const struct pw_run *run)
{
	return render_loop(src, cfg, run, false, false, put_textfile, (void *)cfg);
}

/* ---- --listen addresses ------------------------------------------------------------ */

static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v;

	if (pw_parse_uint(s, 0, 65535, &v))
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int pw_listen_parse(const char *s, struct sockaddr_storage *ss, unsigned int *sslen, char *err,
		    size_t errlen)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[256];
	const char *colon, *port_s;
	uint16_t port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(close - s - 1), s + 1);
		port_s = close + 2;
	} else {
		colon = strrchr(s, ':');
		if (colon && (size_t)(colon - s) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", colon ? (int)(colon - s) : 0, s);
		port_s = colon ? colon + 1 : s;
		if (strchr(host, ':'))
			goto bad;	/* IPv6 without brackets */
	}
	if (parse_port(port_s, &port))
		goto bad;
	/* no address, or localhost: loopback; anything else must be written out */
	if (!host[0] || !strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*sslen = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*sslen = sizeof(*in6);
		return 0;
	}
bad:
	snprintf(err, errlen, "--listen wants PORT, :PORT, IPv4:PORT or [IPv6]:PORT (numeric "
		 "addresses; a bare port listens on 127.0.0.1 only), not '%s'", s);
	return -1;
}
