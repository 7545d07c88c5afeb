/* SPDX-License-Identifier: Apache-2.0 */
/*
 * collector.h — pausewatch's one collector: loads the BPF programs, reads
 * their maps, walks the kernel's processes for what exists right now, and
 * hands the faces (text, JSON, TUI, Prometheus) a snapshot (snapshot.h).
 *
 * Nothing outside collector.c touches libbpf or a map layout.
 *
 *	struct pw_collector *c;
 *	char err[512];
 *	int rc = pw_open(&opts, &c, err, sizeof(err));   // rc is a PW_EXIT_* code
 *	struct pw_snapshot *s;
 *	pw_snapshot_take(c, &s, err, sizeof(err));
 *	... s->ns[i], s->zombies[j], s->self, pw_snapshot_totals(s, &t) ...
 *	pw_snapshot_free(s);
 *	pw_close(c);
 *
 * Contract
 * --------
 * Threads.  pw_open() and pw_close() run on one thread, with no snapshot
 * being taken.  pw_snapshot_take() may be called from any thread, by any
 * number of faces at once (a TUI and an HTTP exporter's connection threads):
 * calls are serialised inside the collector, each returns a snapshot of its
 * own, fresh at the time of the call (nothing is cached between calls except
 * attribution, see below).  A snapshot belongs to its caller, is never changed
 * by the collector, and may be freed on any thread.
 *
 * Readers do not steal from each other.  Counters are cumulative since
 * pw_open().  A namespace that lost its last process is reported with
 * alive=false, its final counters and gone_time, in every snapshot taken
 * within opts.keep_gone_seconds of its death, by every reader; then it is
 * dropped.  At most opts.max_gone such namespaces are kept; when more die
 * within the window the oldest are evicted early and counted in
 * drops[PWC_DROP_GONE_EVICTED].
 *
 * Cost of one snapshot (measured in docs/BENCHMARKS.md: 5-6 ms at 1,000
 * namespaces and 20,000 processes on a 2-vCPU VM at a 1 s refresh): one walk
 * of the kernel's process list in BPF (about 0.2 us per process with the
 * open-coded task iterator of Linux 6.8+, most of it the list's own cache
 * misses; about 0.5 us per task with the task iter of older kernels), three
 * batched map reads into buffers kept between snapshots, and per namespace
 * only memory work: the init's comm, pids cgroup, dispositions and nodename
 * come from the walk; cmdline, cgroup path, container and pod are read from
 * /proc once per namespace and again only when its init changed (pid or
 * exec'd comm) or after NSCACHE_REFRESH_S; a pause counters page is found
 * once and kept mapped (sealed pages only), an init without one is looked at
 * again after NSCACHE_PAUSE_PROBE_S.  Both re-reads are budgeted, 8 + 1 per
 * 64 namespaces per snapshot, so they never come all at once.
 *
 * What is exact and what is a bound (docs/telemetry.md has the detail):
 *  - exact: exits, zombie exits, autoreaps, reaps, orphans by reaper, signals
 *    by result and action, ignored-by-init, the zombie gauge and table,
 *    processes per namespace and pids counts at walk time;
 *  - at most 5 s old: the init's dispositions and nodename (re-read at once
 *    when the init changes or execs);
 *  - lower bound: the age of a zombie that exited before pw_open() (and then
 *    age_upper_bound_s is set);
 *  - upper bound: dwell times (a reap is seen at the task's free or at the
 *    next walk, whichever comes first);
 *  - every loss is counted in self.drops, every repair in self.recovered.
 */
#ifndef PW_COLLECTOR_H
#define PW_COLLECTOR_H

#include "snapshot.h"

/* Process exit codes of every face, documented in docs/json-schema.md and pausetop(8). */
enum pw_exit {
	PW_EXIT_OK = 0,
	PW_EXIT_FAIL = 1,	/* runtime failure */
	PW_EXIT_USAGE = 2,	/* bad command line */
	PW_EXIT_PRIV = 3,	/* missing privileges (CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN) */
	PW_EXIT_NOBTF = 4,	/* kernel has no BTF (/sys/kernel/btf/vmlinux) */
	PW_EXIT_REFUSED = 5,	/* the kernel refused to load or attach a program */
};

enum pw_exit_variant {
	PW_VARIANT_AUTO = 0,	/* read the kernel's BTF and pick */
	PW_VARIANT_V616,	/* sched_process_exit(task, group_dead): Linux >= 6.16 */
	PW_VARIANT_LEGACY,	/* sched_process_exit(task): group_dead from signal->live */
};

enum pw_attach {
	PW_ATTACH_AUTO = 0,	/* tp_btf, and raw_tp if the kernel refuses it */
	PW_ATTACH_TP_BTF,
	PW_ATTACH_RAW_TP,
};

enum pw_walk {
	PW_WALK_AUTO = 0,	/* the open-coded task iterator where the kernel has it */
	PW_WALK_TASK_ITER,	/* bpf_iter_task_new (Linux 6.7+): processes only */
	PW_WALK_ITER_TASK,	/* iter/task: every thread (older kernels) */
};

struct pw_opts {
	unsigned int max_zombies;	/* zombie table rows per snapshot (default 1024) */
	unsigned int max_namespaces;	/* namespaces tracked (default 4096) */
	unsigned int max_signal_keys;	/* (namespace, signal) pairs (default 16384) */
	unsigned int exited_slots;	/* exited-process table, a power of two (default: from pid_max) */
	unsigned int max_gone;		/* gone namespaces retained (default: max_namespaces) */
	double keep_gone_seconds;	/* retention of gone namespaces (default 300; < 0: 0) */
	enum pw_exit_variant exit_variant;
	enum pw_attach attach;
	enum pw_walk walk;
	bool verbose;			/* libbpf's own messages to stderr */
	bool no_attribution;		/* skip /proc, cgroup and hostname lookups */
};

#define PW_KEEP_GONE_DEFAULT	300.0

struct pw_collector;

int pw_open(const struct pw_opts *opts, struct pw_collector **out, char *err, size_t errlen);
/* 0, or -errno with err set; *out is NULL on failure. */
int pw_snapshot_take(struct pw_collector *c, struct pw_snapshot **out, char *err, size_t errlen);
void pw_close(struct pw_collector *c);

/* A snapshot source (snapshot.h) over an open collector; closing it closes c. */
void pw_collector_source(struct pw_collector *c, struct pw_source *src);

#endif /* PW_COLLECTOR_H */
