/* SPDX-License-Identifier: Apache-2.0 */
/*
 * collector.h — pausewatch's one collector: loads the BPF programs, reads
 * their maps, walks the kernel's tasks for what exists right now, and hands
 * the faces (pausetop --json, the TUI, the Prometheus export) plain C data.
 *
 * Nothing outside collector.c touches libbpf or a map layout.
 *
 *	struct pw_collector *c;
 *	char err[512];
 *	int rc = pw_open(&opts, &c, err, sizeof(err));   // rc is a PW_EXIT_* code
 *	struct pw_snapshot *s;
 *	pw_snapshot_take(c, &s, err, sizeof(err));
 *	... s->ns[i], s->zombies[j], s->self ...
 *	pw_snapshot_free(s);
 *	pw_close(c);
 */
#ifndef PW_COLLECTOR_H
#define PW_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pause_stats.h"

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

#define PWC_NSIG	65
#define PWC_HIST_SLOTS	32
enum { PWC_REAPER_INIT, PWC_REAPER_SUBREAPER, PWC_REAPER_THREAD, PWC_REAPER_UNKNOWN, PWC_REAPER_MAX };
enum { PWC_SIG_DELIVERED, PWC_SIG_IGNORED, PWC_SIG_ALREADY_PENDING, PWC_SIG_OVERFLOW,
       PWC_SIG_LOSE_INFO, PWC_SIG_RESULT_MAX };
enum { PWC_ACT_HANDLER, PWC_ACT_DEFAULT, PWC_ACT_IGNORE, PWC_ACT_MAX };
#define PWC_DROP_MAX	7

enum pw_attach {
	PW_ATTACH_AUTO = 0,	/* tp_btf, and raw_tp if the kernel refuses it */
	PW_ATTACH_TP_BTF,
	PW_ATTACH_RAW_TP,
};

struct pw_opts {
	unsigned int max_zombies;	/* zombie table rows per snapshot (default 1024) */
	unsigned int max_namespaces;	/* namespaces tracked (default 4096) */
	unsigned int max_signal_keys;	/* (namespace, signal) pairs (default 16384) */
	unsigned int exited_slots;	/* exited-process table, a power of two (default: from pid_max) */
	enum pw_exit_variant exit_variant;
	enum pw_attach attach;
	bool verbose;			/* libbpf's own messages to stderr */
	bool no_attribution;		/* skip /proc, cgroup and hostname lookups */
};

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
	bool alive;			/* false: gone since the last snapshot, final values */

	/* attribution */
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

	/* since the collector started */
	uint64_t exits;
	uint64_t zombie_exits;
	uint64_t reaped;
	uint64_t autoreaped;
	uint64_t orphans[PWC_REAPER_MAX];
	uint64_t orphans_zombie;
	uint64_t orphans_killed;	/* children of a dying init, killed with the namespace */
	uint64_t dwell_hist[PWC_HIST_SLOTS];	/* exit→reap; slot i < 2^i µs */
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
	uint64_t zombies_unlisted;	/* counted in the gauges but not in zombies[] */
	bool bpf_stats_enabled;		/* kernel.bpf_stats_enabled */
	uint64_t prog_run_ns;		/* summed over programs, when enabled */
	uint64_t prog_run_cnt;
	const char *exit_variant;	/* "v616" or "legacy" */
	const char *attach;		/* "tp_btf" or "raw_tp" */
	double snapshot_seconds;	/* wall time taken by this snapshot */
	double uptime_seconds;		/* since pw_open */
};

struct pw_snapshot {
	double time;			/* CLOCK_REALTIME seconds */
	struct pw_namespace *ns;	/* alive first, sorted by level then pidns */
	size_t n_ns;
	struct pw_zombie *zombies;	/* oldest first */
	size_t n_zombies;
	struct pw_self self;
};

struct pw_collector;

int pw_open(const struct pw_opts *opts, struct pw_collector **out, char *err, size_t errlen);
int pw_snapshot_take(struct pw_collector *c, struct pw_snapshot **out, char *err, size_t errlen);
void pw_snapshot_free(struct pw_snapshot *s);
void pw_close(struct pw_collector *c);

/* Names for the faces. */
const char *pw_reaper_name(int reaper);		/* "init", "subreaper", "thread", "unknown" */
const char *pw_sig_result_name(int result);	/* "delivered", "ignored", ... */
const char *pw_sig_action_name(int action);	/* "handler", "default", "ignore" */
const char *pw_drop_name(int drop);
void pw_signal_name(int sig, char *buf, size_t len);	/* "SIGTERM", "SIGRTMIN+3" */

#endif /* PW_COLLECTOR_H */
