// SPDX-License-Identifier: Apache-2.0
/*
 * collector_parts_test — the collector's parts that need neither root nor
 * BPF: the retention of gone namespaces (gone.c), the derived values every
 * face takes (snapshot.c), on snapshots built by hand, and how often the
 * namespace cache looks for pause pages (nscache.c).
 */
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "gone.h"
#include "nscache.h"
#include "snapfix.h"
#include "tap.h"

static struct pw_namespace ns_with_sigs(uint32_t pidns, uint64_t exits)
{
	struct pw_snapshot *s = fx_snapshot(100);
	struct pw_namespace *ns = fx_ns(s, pidns, 42, "sleep", "pod"), copy;

	ns->exits = exits;
	ns->zombies = 3;
	ns->processes = 9;
	fx_disp(ns, 15, PW_DISP_CATCH);
	fx_sig(ns, 15, PWC_SIG_IGNORED, 2);
	fx_sig(ns, 9, PWC_SIG_DELIVERED, 1);
	copy = *ns;
	ns->sigs = NULL;	/* ours now */
	ns->n_sigs = 0;
	pw_snapshot_free(s);
	return copy;
}

static void t_gone_keeps_final_values(void)
{
	struct pw_gone *g = pw_gone_new(4, 10);
	struct pw_namespace ns = ns_with_sigs(4026532001, 7);
	struct pw_snapshot *s = fx_snapshot(105);
	uint64_t evicted = 0;

	is_int(pw_gone_add(g, &ns, 100, &evicted), 0, "gone: added");
	free(ns.sigs);	/* the list keeps its own copy */
	is_int(pw_gone_append(g, s), 0, "gone: appended to a snapshot");
	is_int(s->n_ns, 1, "gone: one namespace in the snapshot");
	ok(!s->ns[0].alive && s->ns[0].gone_time == 100, "gone: alive=false, gone_time 100");
	is_int(s->ns[0].exits, 7, "gone: final counters kept");
	is_int(s->ns[0].zombies, 0, "gone: no zombies in a namespace with no process");
	is_int(s->ns[0].processes, 0, "gone: no processes");
	ok(!s->ns[0].init_disp_known, "gone: dispositions of a dead init are unknown");
	is_int(s->ns[0].n_sigs, 2, "gone: signal rows copied");
	is_int(pw_ns_ignored_by_init_total(&s->ns[0]), 0, "gone: derived values work on the copy");
	is_int(pw_ns_sig(&s->ns[0], 15)->generated[PWC_SIG_IGNORED], 2, "gone: SIGTERM row intact");
	pw_snapshot_free(s);
	s = fx_snapshot(106);
	pw_gone_append(g, s);
	is_int(s->n_ns, 1, "gone: a second reader sees it too");
	pw_snapshot_free(s);
	pw_gone_expire(g, 109.9);
	is_int(pw_gone_count(g), 1, "gone: kept inside the window");
	pw_gone_expire(g, 110);
	is_int(pw_gone_count(g), 0, "gone: dropped when the window ends");
	pw_gone_free(g);
}

static void t_gone_bounded(void)
{
	struct pw_gone *g = pw_gone_new(3, 300);
	struct pw_snapshot *s = fx_snapshot(200);
	uint64_t evicted = 0;

	for (uint32_t i = 0; i < 10; i++) {
		struct pw_namespace ns = ns_with_sigs(4026533000 + i, i);

		pw_gone_add(g, &ns, 100 + i, &evicted);
		free(ns.sigs);
	}
	is_int(pw_gone_count(g), 3, "gone: never more than its bound");
	is_int(evicted, 7, "gone: the 7 let go early are counted");
	pw_gone_append(g, s);
	ok(s->n_ns == 3 && s->ns[0].pidns == 4026533007 && s->ns[2].pidns == 4026533009,
	   "gone: the newest are kept, oldest first");
	pw_gone_remove(g, 4026533008, s->ns[1].ns_id);
	is_int(pw_gone_count(g), 2, "gone: one found alive again is removed");
	pw_snapshot_free(s);
	s = fx_snapshot(201);
	pw_gone_append(g, s);
	ok(s->n_ns == 2 && s->ns[0].pidns == 4026533007 && s->ns[1].pidns == 4026533009,
	   "gone: the others keep their order");
	pw_snapshot_free(s);
	pw_gone_free(g);
}

static void t_totals_and_rates(void)
{
	struct pw_snapshot *a = fx_snapshot(1000), *b = fx_snapshot(1002);
	struct pw_namespace *n1, *n2;
	struct pw_totals t;
	struct pw_rates r;

	n1 = fx_ns(a, 4026532001, 10, "pause", "web");
	n1->exits = 10;
	n1->reaped = 4;
	n1->orphans[PWC_REAPER_INIT] = 2;
	fx_disp(n1, 15, PW_DISP_BLOCKED);
	n2 = fx_ns(a, 4026532002, 20, "sleep", "db");	/* n1 is stale from here (realloc) */
	n2->zombies = 5;
	n2->oldest_zombie_age_s = 30;
	n2->pids_known = true;
	n2->pids_current = 41;
	n2->pids_max = 50;
	fx_disp(n2, 15, PW_DISP_DEFAULT);
	fx_sig(n2, 15, PWC_SIG_IGNORED, 1);
	fx_sig_ignored_by_init(n2, 15, 1);
	pw_snapshot_totals(a, &t);
	is_int(t.zombies, 5, "totals: zombies");
	ok(t.oldest_zombie_age_s == 30 && t.oldest_ns == &a->ns[1], "totals: oldest zombie and where");
	is_int(t.inits_dropping_sigterm, 1, "totals: one init drops SIGTERM (blocked is not dropping)");
	is_int(t.sigterm_ignored_by_init, 1, "totals: SIGTERMs dropped by inits");
	ok(fabs(t.worst_pids_ratio - 0.82) < 1e-9 && t.worst_pids == &a->ns[1], "totals: PID pressure 41/50");
	is_int(pw_ns_disposition(&a->ns[0], 15), PW_DISP_BLOCKED, "disposition: blocked");
	is_str(pw_disp_name(PW_DISP_BLOCKED), "blocked", "disposition name");

	n1 = fx_ns(b, 4026532001, 10, "pause", "web");
	n1->exits = 16;
	n1->reaped = 6;
	n1->orphans[PWC_REAPER_INIT] = 2;
	n2 = fx_ns(b, 4026532003, 30, "new", "x");	/* new: counts from zero */
	n2->exits = 2;
	pw_snapshot_rates(b, a, &r);
	ok(r.valid, "rates: valid with two snapshots 2 s apart");
	ok(fabs(r.exits - 4.0) < 1e-9, "rates: exits/s (6 + 2 new) / 2 s = 4");
	ok(fabs(r.reaped - 1.0) < 1e-9, "rates: reaps/s 2 / 2 s = 1");
	ok(r.orphans == 0, "rates: no new orphans");
	b->ns[0].exits = 3;	/* a counter that went down (reset) is no change */
	pw_snapshot_rates(b, a, &r);
	ok(fabs(r.exits - 1.0) < 1e-9, "rates: a reset counter adds nothing");
	pw_snapshot_rates(b, NULL, &r);
	ok(!r.valid, "rates: no earlier snapshot, no rate");
	ok(isinf(pw_dwell_le(PWC_HIST_SLOTS - 1)) && pw_dwell_le(0) == 1e-6 && pw_dwell_le(10) == ldexp(1e-6, 10),
	   "dwell bounds: 1 us x 2^i, +Inf last");
	is_int(pw_signal_number("SIGRTMIN+3"), 37, "signal number of SIGRTMIN+3");
	is_int(pw_signal_number("term"), 15, "signal number of term");
	is_int(pw_signal_number("SIGNOPE"), 0, "no such signal");
	pw_snapshot_free(a);
	pw_snapshot_free(b);
}

#define PROBE_NS	200
#define SEC_NS		1000000000ULL

/* One 1 s snapshot at second t over PROBE_NS live namespaces; how many page looks it made. */
static unsigned int probe_snapshot(struct pw_nscache *c, unsigned int t)
{
	unsigned int reads, opens;

	pw_nscache_begin(c, t * SEC_NS);
	for (unsigned int i = 0; i < PROBE_NS; i++) {
		struct pw_namespace ns = { .pidns = 4026540000u + i, .ns_id = 7 + i, .alive = true,
					   .init_pid = getpid() };

		snprintf(ns.init_comm, sizeof(ns.init_comm), "sleep");
		pw_nscache_fill(c, &ns);
	}
	pw_nscache_end(c);
	pw_nscache_stats(c, &reads, &opens);
	return opens;
}

/*
 * Inits without a pause page are looked at again every NSCACHE_PAUSE_PROBE_S,
 * a few per snapshot: namespaces first seen together must not all be due in
 * one later snapshot (that was a spike of a thousand /proc scans).
 */
static void t_pause_probes_spread(void)
{
	struct pw_nscache *c = pw_nscache_new(false);
	unsigned int budget = 8 + PROBE_NS / 64, first, max = 0, sum = 0, t;

	if (!c) {
		ok(0, "pw_nscache_new");
		return;
	}
	first = probe_snapshot(c, 1);
	is_int(first, PROBE_NS, "first snapshot: every new namespace's init looked at once");
	for (t = 2; t <= NSCACHE_PAUSE_PROBE_S; t++)
		sum += probe_snapshot(c, t);
	is_int(sum, 0, "no look again before %d s", NSCACHE_PAUSE_PROBE_S);
	sum = 0;
	for (t = NSCACHE_PAUSE_PROBE_S + 1; t <= 2 * NSCACHE_PAUSE_PROBE_S; t++) {
		unsigned int n = probe_snapshot(c, t);

		sum += n;
		max = n > max ? n : max;
	}
	is_int(sum, PROBE_NS, "in the next %d s every init looked at again exactly once", NSCACHE_PAUSE_PROBE_S);
	is_int(max, budget, "at most %u per snapshot (8 + namespaces/64), not %d at once", budget, PROBE_NS);
	max = sum = 0;
	for (; t <= 4 * NSCACHE_PAUSE_PROBE_S; t++) {
		unsigned int n = probe_snapshot(c, t);

		sum += n;
		max = n > max ? n : max;
	}
	is_int(sum, 2 * PROBE_NS, "then twice in %d s, as due", 2 * NSCACHE_PAUSE_PROBE_S);
	ok(max <= budget, "and they stay spread: at most %u in any snapshot (%u)", budget, max);
	pw_nscache_free(c);
}

/* A valid page of a pause in pause mode (PID 1), as our own memfd: its fd. */
static int own_page(uint64_t reaped)
{
	struct pause_stats p = { .magic = PAUSE_STATS_MAGIC, .abi_version = PAUSE_STATS_ABI,
				 .size = sizeof(p), .seq = 2, .start_time_ns = 1700000000000000000ULL,
				 .mode = PAUSE_MODE_PAUSE, .pid = 1, .flags = PAUSE_STATS_F_NO_NEW_PRIVS,
				 .reaped_total = reaped, .reaped_exit_zero = reaped,
				 .last_reap = { .pid = reaped ? 2 : 0, .time_ns = reaped ? 1 : 0 } };
	int fd = memfd_create(PAUSE_STATS_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, PAUSE_STATS_PAGE) || pwrite(fd, &p, sizeof(p), 0) != sizeof(p) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) {
		perror("own_page");
		exit(1);
	}
	return fd;
}

static struct pw_namespace fill_at(struct pw_nscache *c, unsigned int t, const char *comm)
{
	struct pw_namespace ns = { .pidns = 4026549999u, .ns_id = 3, .alive = true, .init_pid = getpid() };

	snprintf(ns.init_comm, sizeof(ns.init_comm), "%s", comm);
	pw_nscache_begin(c, t * SEC_NS);
	pw_nscache_fill(c, &ns);
	pw_nscache_end(c);
	return ns;
}

/*
 * A page stays mapped after its owner's fd is gone.  When the init execs
 * (pause's memfd is close-on-exec) its old counters must not go on being
 * shown as this init's; found by review.
 */
static void t_page_follows_the_init(void)
{
	struct pw_nscache *c = pw_nscache_new(false);
	struct pw_namespace ns;
	int fd = own_page(7);

	if (!c) {
		ok(0, "pw_nscache_new");
		return;
	}
	ns = fill_at(c, 1, "pause");
	ok(ns.has_pause && ns.pause.reaped_total == 7, "an init called pause with a page: its counters (%d, %llu)",
	   ns.has_pause, (unsigned long long)ns.pause.reaped_total);
	close(fd);	/* the exec closes it... */
	ns = fill_at(c, 2, "sleep");	/* ...and the comm changes */
	ok(!ns.has_pause, "after an exec (comm pause -> sleep, page fd gone): no pause counters shown");
	fd = own_page(9);
	ns = fill_at(c, 3, "pause");
	ok(ns.has_pause && ns.pause.reaped_total == 9,
	   "an exec back into a pause with a page: found at once, not after the probe interval (%llu)",
	   (unsigned long long)ns.pause.reaped_total);
	close(fd);
	pw_nscache_free(c);
}

int main(void)
{
	t_gone_keeps_final_values();
	t_gone_bounded();
	t_totals_and_rates();
	t_pause_probes_spread();
	t_page_follows_the_init();
	return done_testing();
}
