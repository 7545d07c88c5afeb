/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics_face.h — a snapshot as a Prometheus exposition: text format 0.0.4
 * or OpenMetrics 1.0, every family of docs/metrics.md.
 *
 *	struct pw_mbuf b;
 *	struct pw_metrics_opts o = { .node = "node-1", .format = PW_METRICS_TEXT };
 *	pw_mbuf_init(&b, 0);
 *	if (pw_face_metrics(&b, snapshot, &o) == 0)
 *		write(fd, b.data, b.len);
 *	pw_mbuf_free(&b);
 *
 * A face: it sees only snapshot.h and takes derived values from there.  It
 * renders into memory (the HTTP server sends the buffer, maybe gzipped; the
 * textfile writer writes it), and is a pure function of its arguments, so
 * unit tests compare it byte for byte with what they expect.
 */
#ifndef PW_METRICS_FACE_H
#define PW_METRICS_FACE_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

#define PW_CT_TEXT		"text/plain; version=0.0.4; charset=utf-8"
#define PW_CT_OPENMETRICS	"application/openmetrics-text; version=1.0.0; charset=utf-8"

/*
 * A growing byte buffer; errors are sticky (err), the data is then
 * incomplete.  With a sink, it does not grow: whenever it is full, its bytes
 * go to sink (which returns 0 or -errno) and it starts over, so a large
 * exposition can be compressed piece by piece without ever being whole in
 * memory.
 */
struct pw_mbuf {
	char *data;
	size_t len, cap;
	int err;
	int (*sink)(void *ctx, const char *data, size_t len);
	void *sink_ctx;
};

/* hint: expected size (0: a small default); with a sink, the piece size. */
void pw_mbuf_init(struct pw_mbuf *b, size_t hint);
/* Hand what is buffered to the sink (no-op without one); 0 or the sticky error. */
int pw_mbuf_flush(struct pw_mbuf *b);
void pw_mbuf_free(struct pw_mbuf *b);
/* Hand the data over (caller frees it with free()); the buffer is empty afterwards. */
char *pw_mbuf_take(struct pw_mbuf *b, size_t *len);

enum pw_metrics_format {
	PW_METRICS_TEXT,		/* text 0.0.4 */
	PW_METRICS_OPENMETRICS,		/* OpenMetrics 1.0.0, ends "# EOF" */
};

/* The exporting process itself (the standard process_* families). */
struct pw_proc_stats {
	double cpu_seconds;		/* < 0: unknown, not exported */
	double resident_bytes;		/* < 0: unknown */
	double start_time_seconds;	/* since the epoch; < 0: unknown */
	double open_fds;		/* < 0: unknown */
};

struct pw_metrics_opts {
	const char *node;		/* the node label of series whose namespace has no node */
	enum pw_metrics_format format;
	const struct pw_proc_stats *proc;	/* NULL: no process_* families (textfile) */
	const char *version;		/* build_info's version (NULL: PW_VERSION) */
};

/*
 * Append the exposition of s to b (and flush it to b's sink, if any).
 * Returns 0, or b->err (-ENOMEM when the buffer could not grow, the sink's
 * error), or -EINVAL for a NULL argument.
 */
int pw_face_metrics(struct pw_mbuf *b, const struct pw_snapshot *s, const struct pw_metrics_opts *o);

#endif /* PW_METRICS_FACE_H */
