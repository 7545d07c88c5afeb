/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nscache.h — what the collector remembers about each live namespace between
 * snapshots: who it belongs to (hostname, cmdline, cgroup → container, pod)
 * and its init's pause counters page.  Both are read from /proc, so they are
 * refreshed only when they can have changed: a new init (pid), an init that
 * exec'd (its comm, which every walk reads from the kernel for free), or
 * after NSCACHE_REFRESH_S for slow changes (sethostname, a cgroup move), a
 * few namespaces per snapshot.  Part of the collector; no libbpf.
 */
#ifndef PW_NSCACHE_H
#define PW_NSCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "snapshot.h"

#define NSCACHE_REFRESH_S	60	/* attribution re-read at least this often */
#define NSCACHE_PAUSE_PROBE_S	30	/* no page found: look again this often (a few per snapshot) */
#define NSCACHE_PAUSE_EAGER_S	5	/* an init called pause: every snapshot for this long */

struct pw_nscache;

struct pw_nscache *pw_nscache_new(bool attribution);
void pw_nscache_free(struct pw_nscache *c);

/* Start a snapshot at mono_ns (CLOCK_MONOTONIC). */
void pw_nscache_begin(struct pw_nscache *c, uint64_t mono_ns);
/*
 * A live namespace: ns->pidns, ns_id, init_pid and init_comm are set (from
 * the walk); fill its attribution and pause fields, refreshing as needed.
 * Returns true when the namespace was not in the cache before.
 */
bool pw_nscache_fill(struct pw_nscache *c, struct pw_namespace *ns);
/* A namespace found gone: fill what was known of it, refresh nothing. */
void pw_nscache_fill_final(struct pw_nscache *c, struct pw_namespace *ns);
/* End the snapshot: forget namespaces not filled since pw_nscache_begin. */
int pw_nscache_end(struct pw_nscache *c);

/* How many /proc attribution reads and page opens the last snapshot did. */
void pw_nscache_stats(const struct pw_nscache *c, unsigned int *attrib_reads,
		      unsigned int *page_opens);

#endif /* PW_NSCACHE_H */
