// SPDX-License-Identifier: Apache-2.0
/* nscache.c — per-namespace attribution and pause-page cache (nscache.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "nscache.h"
#include "pause_page.h"

#define NS_PER_S 1000000000ULL

struct entry {
	uint32_t inum;
	uint64_t id;
	pid_t init_pid;
	char comm[17];		/* the init's comm when attribution was read */
	uint64_t attrib_at;	/* mono ns of the last read; 0 = never */
	struct pw_attrib attrib;
	char hostname[65];	/* the last nodename the walk read */
	uint64_t first_at;	/* mono ns when the namespace was first seen */
	uint64_t pause_at;	/* mono ns of the last look for a page */
	struct pause_page *page;	/* proven and mapped: copied every snapshot */
	char page_comm[17];	/* the init's comm when its page was found */
	bool has_pause;
	struct pause_stats pause;
	char pause_error[128];
	bool filled;		/* in this snapshot */
};

struct pw_nscache {
	bool attribution;
	struct entry **by_key;	/* sorted by (inum, id) */
	size_t n;
	struct entry **fresh;	/* created during this snapshot */
	size_t n_fresh, cap_fresh;
	uint64_t now;
	unsigned int budget;	/* TTL refreshes left in this snapshot */
	unsigned int probe_budget;	/* page re-probes left in this snapshot */
	unsigned int attrib_reads, page_opens;
};

/* dst (size n) = src, cut to fit: a thousand namespaces a snapshot, snprintf is too slow */
static void copy_str(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

struct pw_nscache *pw_nscache_new(bool attribution)
{
	struct pw_nscache *c = calloc(1, sizeof(*c));

	if (c)
		c->attribution = attribution;
	return c;
}

static void entry_free(struct entry *e)
{
	pause_page_close(e->page);
	free(e);
}

void pw_nscache_free(struct pw_nscache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_free(c->by_key[i]);
	for (size_t i = 0; i < c->n_fresh; i++)
		entry_free(c->fresh[i]);
	free(c->by_key);
	free(c->fresh);
	free(c);
}

static int key_cmp(uint32_t inum, uint64_t id, const struct entry *e)
{
	if (inum != e->inum)
		return inum < e->inum ? -1 : 1;
	return id < e->id ? -1 : id > e->id;
}

static int entry_order(const void *a, const void *b)
{
	const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;

	return key_cmp(x->inum, x->id, y);
}

static struct entry *find(const struct pw_nscache *c, uint32_t inum, uint64_t id)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = key_cmp(inum, id, c->by_key[mid]);

		if (!r)
			return c->by_key[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	for (size_t i = 0; i < c->n_fresh; i++)
		if (!key_cmp(inum, id, c->fresh[i]))
			return c->fresh[i];
	return NULL;
}

void pw_nscache_begin(struct pw_nscache *c, uint64_t mono_ns)
{
	c->now = mono_ns;
	/* a thousand namespaces are all re-read within about a minute at 1 s snapshots */
	c->budget = 8 + (unsigned int)(c->n / 64);
	c->probe_budget = c->budget;
	c->attrib_reads = c->page_opens = 0;
	for (size_t i = 0; i < c->n; i++)
		c->by_key[i]->filled = false;
}

static struct entry *get(struct pw_nscache *c, const struct pw_namespace *ns)
{
	struct entry *e = find(c, ns->pidns, ns->ns_id), **grown;

	if (e)
		return e;
	if (c->n_fresh == c->cap_fresh) {
		size_t cap = c->cap_fresh ? 2 * c->cap_fresh : 64;

		grown = realloc(c->fresh, cap * sizeof(struct entry *));
		if (!grown)
			return NULL;
		c->fresh = grown;
		c->cap_fresh = cap;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->inum = ns->pidns;
	e->id = ns->ns_id;
	e->first_at = c->now;
	c->fresh[c->n_fresh++] = e;
	return e;
}

/* A different init (pid reuse of a namespace key cannot happen, but an init can exec). */
static bool stale(struct pw_nscache *c, const struct entry *e, const struct pw_namespace *ns)
{
	if (!e->attrib_at || e->init_pid != ns->init_pid)
		return true;
	if (ns->init_comm[0] && strcmp(ns->init_comm, e->comm))
		return true;	/* exec: everything may differ */
	if (c->now - e->attrib_at >= NSCACHE_REFRESH_S * NS_PER_S && c->budget) {
		c->budget--;
		return true;
	}
	return false;
}

static void attribute(struct pw_nscache *c, struct entry *e, const struct pw_namespace *ns)
{
	struct pw_attrib a;

	if (!c->attribution || ns->init_pid <= 0 || !stale(c, e, ns))
		return;
	c->attrib_reads++;
	/* a failed read keeps the last good values: the init may be exiting */
	if (pw_attrib_read_flags(ns->init_pid, &a, PW_ATTRIB_NO_HOSTNAME) == 0 || !e->attrib_at ||
	    e->init_pid != ns->init_pid)
		e->attrib = a;
	if (e->init_pid != ns->init_pid) {	/* another init: its page, if any, is another */
		pause_page_close(e->page);
		e->page = NULL;
		e->has_pause = false;
		e->pause_at = 0;
	}
	e->init_pid = ns->init_pid;
	snprintf(e->comm, sizeof(e->comm), "%s", ns->init_comm);
	e->attrib_at = c->now;
}

/*
 * Our pause keeps a counters page.  Once found and proven it stays mapped
 * and is copied every snapshot (no syscall).  An init called pause without a
 * page yet is looked at every snapshot for its first seconds (our pause makes
 * its page first thing); after that, and for other inits, only now and then:
 * finding a page is a bounded scan of the init's /proc/PID/fd, a few
 * syscalls, and Kubernetes' own pause (also "pause") never has one.
 */
static void pause_page(struct pw_nscache *c, struct entry *e, const struct pw_namespace *ns)
{
	char err[128] = "";
	int rc;

	if (ns->init_pid <= 0)
		return;
	/*
	 * The mapping outlives its owner's fd: after another init, or an exec
	 * of this one (the page's memfd is close-on-exec), it would go on
	 * showing the old pause's last counters.  Drop it and look at once.
	 */
	if (e->page && (pause_page_pid(e->page) != ns->init_pid ||
			(ns->init_comm[0] && strcmp(ns->init_comm, e->page_comm)))) {
		pause_page_close(e->page);
		e->page = NULL;
		e->has_pause = false;
		e->pause_error[0] = '\0';
		e->pause_at = 0;
	}
	if (e->page) {
		rc = pause_page_copy(e->page, &e->pause, err, sizeof(err));
		e->has_pause = rc == 0;
		copy_str(e->pause_error, sizeof(e->pause_error), rc ? err : "");
		return;
	}
	/*
	 * A look again is due every NSCACHE_PAUSE_PROBE_S, but only a few per
	 * snapshot: namespaces found together (all of them, at the first
	 * snapshot) would otherwise all be due in the same later snapshot, a
	 * thousand fd scans at once.  The budget spreads them for good.
	 */
	if (e->pause_at &&
	    !(!strcmp(ns->init_comm, "pause") && c->now - e->first_at < NSCACHE_PAUSE_EAGER_S * NS_PER_S)) {
		if (c->now - e->pause_at < NSCACHE_PAUSE_PROBE_S * NS_PER_S || !c->probe_budget)
			return;
		c->probe_budget--;
	}
	e->pause_at = c->now;
	c->page_opens++;
	rc = pause_page_open(ns->init_pid, &e->page, err, sizeof(err));
	if (rc == 0) {
		copy_str(e->page_comm, sizeof(e->page_comm), ns->init_comm);
		rc = pause_page_copy(e->page, &e->pause, err, sizeof(err));
	}
	e->has_pause = rc == 0;
	/* no page, or one not ready yet, is not an error worth showing */
	snprintf(e->pause_error, sizeof(e->pause_error), "%s",
		 rc && rc != -ENOENT && rc != -EAGAIN ? err : "");
}

static void copy_out(struct entry *e, struct pw_namespace *ns)
{
	if (!ns->init_comm[0])
		copy_str(ns->init_comm, sizeof(ns->init_comm), e->attrib.comm);
	copy_str(ns->init_cmdline, sizeof(ns->init_cmdline), e->attrib.cmdline);
	/* the walk reads the nodename; keep the last one seen when it cannot (init exiting) */
	if (ns->hostname[0])
		copy_str(e->hostname, sizeof(e->hostname), ns->hostname);
	else
		copy_str(ns->hostname, sizeof(ns->hostname), e->hostname);
	copy_str(ns->container_id, sizeof(ns->container_id), e->attrib.container_id);
	copy_str(ns->runtime, sizeof(ns->runtime), e->attrib.runtime);
	copy_str(ns->pod_uid, sizeof(ns->pod_uid), e->attrib.pod_uid);
	ns->has_pause = e->has_pause;
	if (e->has_pause)
		ns->pause = e->pause;
	copy_str(ns->pause_error, sizeof(ns->pause_error), e->pause_error);
}

bool pw_nscache_fill(struct pw_nscache *c, struct pw_namespace *ns)
{
	bool known = find(c, ns->pidns, ns->ns_id) != NULL;
	struct entry *e = known ? find(c, ns->pidns, ns->ns_id) : get(c, ns);

	if (!e)
		return true;	/* no memory: the namespace is shown without attribution */
	e->filled = true;
	attribute(c, e, ns);
	pause_page(c, e, ns);
	copy_out(e, ns);
	return !known;
}

void pw_nscache_fill_final(struct pw_nscache *c, struct pw_namespace *ns)
{
	struct entry *e = find(c, ns->pidns, ns->ns_id);

	if (!e)
		return;
	copy_out(e, ns);
}

int pw_nscache_end(struct pw_nscache *c)
{
	size_t n = 0, total = c->n + c->n_fresh;
	struct entry **keep = malloc((total ? total : 1) * sizeof(struct entry *));

	if (!keep)
		return -ENOMEM;	/* keep the old index; try again next time */
	for (size_t i = 0; i < c->n; i++) {
		if (c->by_key[i]->filled)
			keep[n++] = c->by_key[i];
		else
			entry_free(c->by_key[i]);
	}
	for (size_t i = 0; i < c->n_fresh; i++)
		keep[n++] = c->fresh[i];
	qsort(keep, n, sizeof(struct entry *), entry_order);
	free(c->by_key);
	c->by_key = keep;
	c->n = n;
	c->n_fresh = 0;
	return 0;
}

void pw_nscache_stats(const struct pw_nscache *c, unsigned int *attrib_reads,
		      unsigned int *page_opens)
{
	*attrib_reads = c->attrib_reads;
	*page_opens = c->page_opens;
}
