/* SPDX-License-Identifier: Apache-2.0 */
/*
 * export.h — pausetop as a Prometheus exporter (docs/export.md):
 *
 *	--metrics		print the exposition once (or -n N times, -d apart)
 *	--textfile PATH		write it atomically for node_exporter's textfile collector
 *	--listen ADDR:PORT	serve /metrics, / and /healthz over HTTP (libmicrohttpd)
 *
 * pausetop.c parses the options with pw_export_optdefs and runs
 *
 *	pw_open(...)				// BPF programs loaded
 *	pw_export_bind(&cfg, &l, ...)		// the listening socket, still privileged
 *	pw_privs_drop(...)			// userspace/privs.h
 *	pw_export_serve(l, &src, &cfg, stop)	// threads start only now, unprivileged
 *
 * Snapshots come from a struct pw_source, one fresh snapshot per scrape.
 */
#ifndef PW_EXPORT_H
#define PW_EXPORT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "faces.h"
#include "options.h"
#include "snapshot.h"

/* Option ids of the export face (below the collector's, above pausetop's own). */
enum {
	PW_OPT_EXPORT_FIRST = 0x800,
	PW_OPT_LISTEN = PW_OPT_EXPORT_FIRST,
	PW_OPT_METRICS,
	PW_OPT_TEXTFILE,
	PW_OPT_OPENMETRICS,
	PW_OPT_NODE_NAME,
	PW_OPT_MAX_CONNECTIONS,
	PW_OPT_MAX_PER_IP,
	PW_OPT_HTTP_TIMEOUT,
	PW_OPT_EXPORT_LAST,
};

extern const struct pw_optdef pw_export_optdefs[];

static inline bool pw_is_export_opt(int id)
{
	return id >= PW_OPT_EXPORT_FIRST && id < PW_OPT_EXPORT_LAST;
}

enum pw_export_mode { PW_EXPORT_NONE, PW_EXPORT_METRICS, PW_EXPORT_TEXTFILE, PW_EXPORT_LISTEN };

struct pw_export_cfg {
	enum pw_export_mode mode;
	const char *listen;		/* --listen as given */
	const char *textfile;		/* --textfile PATH */
	bool openmetrics;		/* --metrics in OpenMetrics */
	char node[64];			/* --node-name, default: uname's nodename */
	bool node_given;
	unsigned int max_connections;	/* default 512 */
	unsigned int max_per_ip;	/* default 256 */
	unsigned int timeout_s;		/* request deadline and stall timeout, default 15 */
	const char *http_opt;		/* an HTTP server option given ("--http-timeout"): --listen only */
};

#define PW_EXPORT_MAX_CONNECTIONS	512
#define PW_EXPORT_MAX_PER_IP		256
#define PW_EXPORT_TIMEOUT		15
#define PW_EXPORT_TEXTFILE_DELAY	15.0	/* --textfile without -d */

/* Defaults (node from uname). */
void pw_export_cfg_init(struct pw_export_cfg *cfg);
/* One export option; 0, or -1 after printing why to stderr. */
int pw_export_opt(struct pw_export_cfg *cfg, int id, const char *arg, const char *prog);

/* --metrics: the exposition on f, run->count times (0: until stopped). Returns a PW_EXIT_* code. */
int pw_export_print(FILE *f, const struct pw_source *src, const struct pw_export_cfg *cfg,
		    const struct pw_run *run);
/* --textfile: write cfg->textfile atomically, run->count times. Returns a PW_EXIT_* code. */
int pw_export_textfile(const struct pw_source *src, const struct pw_export_cfg *cfg,
		       const struct pw_run *run);

/*
 * One fresh snapshot from src rendered into out (initialised here; the
 * caller frees it), with the process_* families when with_proc, gzipped
 * while it is rendered when gzip (then the plain text never exists whole).
 * 0, or -errno with err set (the snapshot failed, or memory ran out).
 */
struct pw_mbuf;
int pw_export_render(const struct pw_source *src, const struct pw_export_cfg *cfg, bool openmetrics,
		     bool with_proc, bool gzip, struct pw_mbuf *out, char *err, size_t errlen);

/* The process's own figures for the process_* families (fields < 0 when unreadable). */
struct pw_proc_stats;
void pw_export_proc_stats(struct pw_proc_stats *p);

/*
 * --listen.  pw_export_bind creates, binds and listens on the socket (before
 * privileges are dropped); pw_export_serve runs the HTTP server on it until
 * *stop is set, then stops cleanly.  Both return a PW_EXIT_* code, with a
 * message on stderr on failure.  Built without libmicrohttpd (the static
 * build for the kernel matrix), pw_export_bind says so and fails.
 */
struct pw_listener;
extern const bool pw_export_has_httpd;	/* false in the static build */
int pw_export_bind(const struct pw_export_cfg *cfg, struct pw_listener **out);
int pw_export_serve(struct pw_listener *l, const struct pw_source *src,
		    const struct pw_export_cfg *cfg, volatile sig_atomic_t *stop);
void pw_listener_close(struct pw_listener *l);

/*
 * "9977", ":9977", "127.0.0.1:9977", "[::1]:9977", "0.0.0.0:9977", "[::]:9977",
 * "localhost:9977" -> a socket address; no address means 127.0.0.1.  Port 0
 * picks a free port (printed when listening).  0, or -1 with err set.
 */
struct sockaddr_storage;
int pw_listen_parse(const char *s, struct sockaddr_storage *ss, unsigned int *sslen, char *err,
		    size_t errlen);

#endif /* PW_EXPORT_H */
