/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gone.h — namespaces that lost their last process, kept with their final
 * values for a retention window so that every reader (two Prometheus
 * servers, a TUI beside a scraper) sees them, not only the first snapshot
 * after the death.  Bounded: when more die within the window than the list
 * holds, the oldest go first and are counted.  Part of the collector; no
 * libbpf, unit-tested on its own.
 */
#ifndef PW_GONE_H
#define PW_GONE_H

#include "snapshot.h"

struct pw_gone;

/* max: namespaces kept at most (>= 1); keep_s: seconds each is kept. NULL on ENOMEM. */
struct pw_gone *pw_gone_new(unsigned int max, double keep_s);
void pw_gone_free(struct pw_gone *g);

/*
 * Keep a deep copy of ns (its sigs too) as gone since `now` (alive=false,
 * gone_time=now).  When the list is full the oldest entry is dropped and
 * *evicted is incremented.  0, or -ENOMEM (ns is then not kept).
 */
int pw_gone_add(struct pw_gone *g, const struct pw_namespace *ns, double now, uint64_t *evicted);

/* Drop every entry older than the window at `now`. */
void pw_gone_expire(struct pw_gone *g, double now);

/* Drop the entry with this identity (a namespace found alive again). */
void pw_gone_remove(struct pw_gone *g, uint32_t pidns, uint64_t ns_id);

/* Entries kept now. */
size_t pw_gone_count(const struct pw_gone *g);

/*
 * Append deep copies of every kept namespace to s->ns (growing it).
 * 0, or -ENOMEM (s is unchanged then).
 */
int pw_gone_append(const struct pw_gone *g, struct pw_snapshot *s);

#endif /* PW_GONE_H */
