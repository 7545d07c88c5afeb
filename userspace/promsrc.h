/* SPDX-License-Identifier: Apache-2.0 */
/*
 * promsrc.h — snapshots of a whole cluster from a Prometheus server
 * (pausetop --prometheus URL): the families of docs/metrics.md, as scraped
 * from every node's exporter, read back through the HTTP API
 * (/api/v1/query) and turned into one struct pw_snapshot with a
 * pw_namespace per (node, pidns), so every face shows the cluster.
 *
 * The server is trusted less than the kernel: the HTTP response and its
 * JSON are bounded (PW_PROMSRC_MAX_BODY, PW_PROMSRC_MAX_SERIES) and every
 * label and value is validated before it lands in a snapshot; series that
 * fail are skipped and counted (pw_promsrc_stats).
 */
#ifndef PW_PROMSRC_H
#define PW_PROMSRC_H

#include <stddef.h>

#include "options.h"
#include "snapshot.h"

enum {
	PW_OPT_PROMSRC_FIRST = 0x900,
	PW_OPT_PROMETHEUS = PW_OPT_PROMSRC_FIRST,
	PW_OPT_PROMSRC_LAST,
};

extern const struct pw_optdef pw_promsrc_optdefs[];

static inline bool pw_is_promsrc_opt(int id)
{
	return id >= PW_OPT_PROMSRC_FIRST && id < PW_OPT_PROMSRC_LAST;
}

#define PW_PROMSRC_MAX_BODY	(64u << 20)	/* bytes of one API response */
#define PW_PROMSRC_MAX_SERIES	2000000u	/* series in one response */
#define PW_PROMSRC_MAX_NS	200000u		/* (node, pidns) rows */
#define PW_PROMSRC_TIMEOUT	10.0		/* seconds per query, connect to last byte */

/* The PromQL query sent: every family of docs/metrics.md the snapshot needs. */
extern const char pw_promsrc_query[];

/*
 * A source over the Prometheus server at url ("http://host[:port][/prefix]";
 * https is not supported).  No request is made until the first take().
 * 0, or -EINVAL with err set when the URL is not one we can use.
 */
int pw_promsrc_open(const char *url, struct pw_source *src, char *err, size_t errlen);

struct pw_promsrc_stats {
	size_t series;		/* series in the response */
	size_t used;		/* landed in the snapshot */
	size_t rejected;	/* failed validation (bad label, value, unknown name) */
};

/*
 * The snapshot of one /api/v1/query response body (JSON, len bytes; the
 * parser may write into body).  Pure: no I/O, fuzzable.  now is the
 * snapshot's time.  0, or -EPROTO (not a successful vector response),
 * -E2BIG (a bound exceeded), -ENOMEM, with err set.
 */
int pw_promsrc_parse(char *body, size_t len, double now, struct pw_snapshot **out,
		     struct pw_promsrc_stats *stats, char *err, size_t errlen);

#endif /* PW_PROMSRC_H */
