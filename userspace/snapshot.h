/* SPDX-License-Identifier: Apache-2.0 */
/*
 * snapshot.h — what every face sees: one snapshot of every PID namespace, and
 * the values derived from it.  No libbpf, no map layout: faces (text, JSON,
 * TUI, Prometheus) include this file (through collector.h or alone) and link
 * snapshot.c, so they can be unit-tested with snapshots built by hand.
 *
 * Derived values live here and nowhere else: a face that needs a total, a
 * rate, a bucket bound, a disposition or a name calls the function below
 * instead of computing it (docs/dev/contributing.md, "faces").
 *
 * Memory: a snapshot is one malloc'd struct pw_snapshot, its ns[] and
 * zombies[] arrays and each ns[i].sigs array, all malloc'd; pw_snapshot_free()
 * releases them whatever produced the snapshot (the local collector, the
 * Prometheus source, a test).  A snapshot is immutable once handed out and
 * may be read and freed from any thread.
 */
#ifndef PW_SNAPSHOT_H
#define PW_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pause_stats.h"

#define PWC_NSIG	65	/* signals 1..64; index 0 unused */
#define PWC_HIST_SLOTS	32	/* exit→reap dwell: slot 0 < 1 µs, slot i < 2^i µs, last +Inf */

enum { PWC_REAPER_INIT, PWC_REAPER_SUBREAPER, PWC_REAPER_THREAD, PWC_REAPER_UNKNOWN, PWC_REAPER_MAX };
enum { PWC_SIG_DELIVERED, PWC_SIG_IGNORED, PWC_SIG_ALREADY_PENDING, PWC_SIG_OVERFLOW,
       PWC_SIG_LOSE_INFO, PWC_SIG_RESULT_MAX };
enum { PWC_ACT_HANDLER, PWC_ACT_DEFAULT, PWC_ACT_IGNORE, PWC_ACT_MAX };

/* Losses, never silent.  The first ones are counted in the kernel, the last in the collector. */
enum {
	PWC_DROP_NS_FULL,		/* "namespace_table_full" */
	PWC_DROP_SIG_FULL,		/* "signal_table_full" */
	PWC_DROP_EXIT_SLOT_EVICTED,	/* "exit_slot_evicted" */
	PWC_DROP_CHILDREN_BOUND,	/* "orphan_walk_bound" */
	PWC_DROP_NS_UNRESOLVED,		/* "namespace_unresolved" */
	PWC_DROP_ITER_NS_FULL,		/* "walk_namespace_table_full" */
	PWC_DROP_ZOMBIES_UNLISTED,	/* "zombies_unlisted" (this snapshot, not cumulative) */
	PWC_DROP_GONE_EVICTED,		/* "gone_namespaces_evicted": retention list full */
	PWC_DROP_MAX,
};

/*
 * Diagnostics beside the drops: what the collector put right.  Not losses:
 * counts are exact with them; they say how often the slow path was needed.
 */
enum {
	PWC_RECOVERED_REAPS,		/* "reaps_by_walk": zombies the walk found released
					 * before their sched_process_free was seen */
	PWC_RECOVERED_AUTOREAPS,	/* "autoreaps_by_walk": released without a SIGCHLD,
					 * found by the walk (parent ignores SIGCHLD) */
	PWC_RECOVERED_REUSED,		/* "reaps_by_pid_reuse": a pid reused before the free */
	PWC_RECOVERED_MAX,
};

/* The init's disposition of one signal. */
enum pw_disp {
	PW_DISP_UNKNOWN = 0,	/* could not be read (init exiting, gone, remote) */
	PW_DISP_DEFAULT,	/* SIG_DFL: as PID 1, the kernel drops it (except KILL/STOP) */
	PW_DISP_IGNORE,		/* SIG_IGN */
	PW_DISP_CATCH,		/* a handler is installed */
	PW_DISP_BLOCKED,	/* blocked: queued and read with signalfd/sigwait (pause,
				 * catatonit, tini), whatever the handler */
};

#define PW_PIDS_UNLIMITED	(-1)

struct pw_sig_entry {
	int sig;
	uint64_t generated[PWC_SIG_RESULT_MAX];
	uint64_t delivered[PWC_ACT_MAX];
	uint64_t ignored_by_init;
};

struct pw_namespace {
	uint32_t pidns;			/* inode number, as in /proc/PID/ns/pid */
	uint64_t ns_id;			/* with pidns, unique even if the inode is reused: the
					 * kernel's ns_id (6.18+) or its first init's start time */
	uint32_t level;			/* 0 = the host's namespace */
	char node[64];			/* cluster view: the node (Prometheus instance); "" = here */
	bool alive;			/* false: gone; final values, kept --keep-gone seconds */
	double gone_time;		/* CLOCK_REALTIME seconds when it was found gone; 0 alive */

	/* attribution (container-controlled strings: neutralise before printing) */
	pid_t init_pid;			/* host pid of the namespace's init (child reaper) */
	char init_comm[17];
	char init_cmdline[256];
	char hostname[65];
	char container_id[65];		/* "" when not in a recognised container */
	char runtime[16];
	char pod_uid[37];

	/* right now (snapshot walk) */
	uint64_t processes;
	uint64_t zombies;
	double oldest_zombie_age_s;	/* < 0: no zombie */
	bool oldest_age_is_lower_bound;	/* some zombie exited before the collector started */

	/* the init's signal dispositions (at most 5 s old), bit N-1 for signal N,
	 * known for HUP INT QUIT USR1 USR2 TERM and CHLD */
	bool init_disp_known;
	uint64_t init_sig_caught;	/* handler installed */
	uint64_t init_sig_ignored;	/* SIG_IGN */
	uint64_t init_sig_blocked;	/* blocked: queued for a signalfd or sigwait reader */

	/* PID pressure: the init's pids cgroup, or its nearest ancestor with a limit */
	bool pids_known;		/* false: no pids controller, or not readable */
	uint64_t pids_current;
	int64_t pids_max;		/* PW_PIDS_UNLIMITED when no limit applies */
	uint64_t pids_events_max;	/* forks refused at that limit */

	/* since the collector started */
	uint64_t exits;
	uint64_t zombie_exits;
	uint64_t reaped;
	uint64_t autoreaped;
	uint64_t orphans[PWC_REAPER_MAX];	/* adoption events, by who adopted */
	uint64_t orphans_zombie;
	uint64_t orphans_killed;	/* children of a dying init, killed with the namespace */
	uint64_t dwell_hist[PWC_HIST_SLOTS];	/* exit→reap, non-cumulative */
	uint64_t dwell_sum_ns;

	struct pw_sig_entry *sigs;	/* only signals seen, ascending */
	size_t n_sigs;

	bool has_pause;			/* init is our pause and its counters page validated */
	struct pause_stats pause;
	char pause_error[128];		/* why a pause page was rejected, "" if none */
};

struct pw_zombie {
	pid_t pid;			/* host pid */
	pid_t pid_in_ns;
	pid_t ppid;			/* host pid of the parent */
	uint32_t pidns;
	uint64_t ns_id;
	char node[64];
	char comm[17];
	char parent_comm[17];
	double age_s;
	bool age_is_lower_bound;	/* exited before the collector started */
	double age_upper_bound_s;	/* then: it cannot be older than its process (start to now) */
	int exit_code;			/* -1 when killed by a signal */
	int exit_signal;		/* 0 when it exited */
	bool core_dumped;
};

struct pw_self {
	uint64_t drops[PWC_DROP_MAX];
	uint64_t recovered[PWC_RECOVERED_MAX];
	uint64_t zombies_unlisted;	/* counted in the gauges but not in zombies[] */
	bool bpf_stats_enabled;		/* kernel.bpf_stats_enabled */
	uint64_t prog_run_ns;		/* summed over programs, when enabled */
	uint64_t prog_run_cnt;
	const char *exit_variant;	/* "v616" or "legacy" (static strings) */
	const char *attach;		/* "tp_btf" or "raw_tp" */
	const char *walk;		/* "task_iter" (open-coded, 6.7+) or "iter_task" */
	double snapshot_seconds;	/* wall time taken by this snapshot */
	double uptime_seconds;		/* since pw_open */
	double cpu_seconds;		/* the collector process's user+system CPU so far */
	double keep_gone_seconds;	/* retention of gone namespaces */
	size_t nodes;			/* cluster view: nodes seen; 1 locally */
};

struct pw_snapshot {
	double time;			/* CLOCK_REALTIME seconds */
	struct pw_namespace *ns;	/* alive first, then by node, level, pidns */
	size_t n_ns;
	struct pw_zombie *zombies;	/* oldest first */
	size_t n_zombies;
	struct pw_self self;
};

void pw_snapshot_free(struct pw_snapshot *s);

/*
 * Where snapshots come from: the local collector (collector.h) or a
 * Prometheus server (pausetop --prometheus).  take() returns 0 or a negative
 * errno with err set; close() releases ctx.
 */
struct pw_source {
	int (*take)(void *ctx, struct pw_snapshot **out, char *err, size_t errlen);
	void (*close)(void *ctx);
	void *ctx;
	bool cluster;			/* rows carry a node name */
};

/* ---- names ---------------------------------------------------------- */

const char *pw_reaper_name(int reaper);		/* "init", "subreaper", "thread", "unknown" */
const char *pw_sig_result_name(int result);	/* "delivered", "ignored", ... */
const char *pw_sig_action_name(int action);	/* "handler", "default", "ignore" */
const char *pw_drop_name(int drop);		/* "namespace_table_full", ... */
const char *pw_recovered_name(int what);	/* "reaps_by_walk", ... */
const char *pw_disp_name(enum pw_disp d);	/* "catch", "ignore", "default", "unknown" */
/* "SIGTERM", "SIGRTMIN+3" into buf (16 bytes are enough); returns buf. */
const char *pw_signal_name(int sig, char *buf, size_t len);
/* Inverse: "SIGTERM", "TERM", "term", "15", "SIGRTMIN+3" -> number; 0 if none. */
int pw_signal_number(const char *name);

/* ---- per-namespace derived values ---------------------------------- */

/* PID pressure as every text face shows it: "40/50", "41/max", "-" (unknown). */
void pw_fmt_pids(char *buf, size_t len, const struct pw_namespace *ns);

/* The signals every face shows the init's disposition of, in this order. */
#define PW_DISP_SIGNALS 6
extern const int pw_disp_signals[PW_DISP_SIGNALS];	/* TERM INT HUP QUIT USR1 USR2 */

enum pw_disp pw_ns_disposition(const struct pw_namespace *ns, int sig);
/*
 * The init neither handles nor blocks SIGTERM, so (as a namespace init) the
 * kernel drops a SIGTERM and a stop waits out its whole grace period.  False
 * when unknown.
 */
bool pw_ns_init_drops_sigterm(const struct pw_namespace *ns);

uint64_t pw_ns_orphans_total(const struct pw_namespace *ns);
uint64_t pw_ns_signals_generated_total(const struct pw_namespace *ns);
uint64_t pw_ns_ignored_by_init_total(const struct pw_namespace *ns);
const struct pw_sig_entry *pw_ns_sig(const struct pw_namespace *ns, int sig);
uint64_t pw_ns_dwell_count(const struct pw_namespace *ns);
/* pids_current / pids_max, or -1 when unlimited or unknown. */
double pw_ns_pids_ratio(const struct pw_namespace *ns);
/* Zombies of the namespace listed in s->zombies (at most ns->zombies). */
size_t pw_ns_zombie_rows(const struct pw_snapshot *s, const struct pw_namespace *ns);

/* Upper bound in seconds of dwell-histogram slot i (2^i µs); INFINITY for the last. */
double pw_dwell_le(int slot);

/* The same namespace (node, pidns, ns_id) in another snapshot, or NULL. */
const struct pw_namespace *pw_snapshot_find(const struct pw_snapshot *s,
					    const struct pw_namespace *like);

/* ---- totals and rates ----------------------------------------------- */

struct pw_totals {
	size_t namespaces, alive, gone;
	size_t nodes;
	uint64_t processes;		/* alive namespaces */
	uint64_t zombies;		/* alive namespaces */
	double oldest_zombie_age_s;	/* -1: none */
	bool oldest_is_lower_bound;
	const struct pw_namespace *oldest_ns;	/* where the oldest zombie is */
	uint64_t exits, zombie_exits, reaped, autoreaped, orphans;
	uint64_t signals_generated;
	uint64_t ignored_by_init;	/* every signal */
	uint64_t sigterm_ignored_by_init;
	size_t inits_dropping_sigterm;	/* alive containers (level > 0) whose init has no handler */
	const struct pw_namespace *worst_pids;	/* highest pids_current/pids_max; NULL: none limited */
	double worst_pids_ratio;	/* -1: none */
	uint64_t drops;			/* sum of self.drops */
	uint64_t recovered;		/* sum of self.recovered */
};

void pw_snapshot_totals(const struct pw_snapshot *s, struct pw_totals *t);

/* Per second, between two snapshots of the same namespace (or node). */
struct pw_rates {
	double exits, reaped, autoreaped, orphans, signals;
	bool valid;			/* false: no earlier snapshot, or no time between them */
};

/*
 * prev may be NULL (no rate yet).  A namespace absent from prev counts from
 * zero; a counter that went down (reset) counts as no change.
 */
void pw_ns_rates(const struct pw_namespace *now, const struct pw_namespace *prev, double dt,
		 struct pw_rates *r);
/* Node-wide: the sum of pw_ns_rates over the namespaces of now. */
void pw_snapshot_rates(const struct pw_snapshot *now, const struct pw_snapshot *prev,
		       struct pw_rates *r);

#endif /* PW_SNAPSHOT_H */
