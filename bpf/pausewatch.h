/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pausewatch.h — structures shared by the BPF programs (pausewatch.bpf.c) and
 * the collector (userspace/collector.c).  Nothing else in the project may
 * include this file: the faces see only the collector's snapshot.
 */
#ifndef PAUSEWATCH_H
#define PAUSEWATCH_H

#define PW_NSIG		65	/* signal numbers 1..64; index 0 unused */
#define PW_HIST_SLOTS	32	/* exit→reap dwell: slot 0 <1 µs, slot i [2^(i-1), 2^i) µs, last open-ended */
#define PW_COMM_LEN	16
#define PW_NODENAME_LEN	65	/* __NEW_UTS_LEN + 1 */

/* Who adopts an orphan, mirroring the kernel's find_new_reaper(). */
enum pw_reaper {
	PW_REAPER_INIT = 0,	/* the namespace's child reaper */
	PW_REAPER_SUBREAPER,	/* an ancestor with PR_SET_CHILD_SUBREAPER */
	PW_REAPER_THREAD,	/* another live thread of the dead parent */
	PW_REAPER_UNKNOWN,	/* a loop bound was hit before the answer */
	PW_REAPER_MAX,
};

/* signal_generate's result field (include/trace/events/signal.h). */
enum pw_sig_result {
	PW_SIG_DELIVERED = 0,
	PW_SIG_IGNORED,
	PW_SIG_ALREADY_PENDING,
	PW_SIG_OVERFLOW,
	PW_SIG_LOSE_INFO,
	PW_SIG_RESULT_MAX,
};

/* signal_deliver: what the receiver's disposition was. */
enum pw_sig_action {
	PW_ACT_HANDLER = 0,
	PW_ACT_DEFAULT,
	PW_ACT_IGNORE,
	PW_ACT_MAX,
};

/* Losses, summed over CPUs by the collector; never silent. */
enum pw_drop {
	PW_DROP_NS_FULL = 0,	/* ns_stats map full: events of a new namespace not counted */
	PW_DROP_SIG_FULL,	/* sig_stats map full */
	PW_DROP_EXIT_SLOT_EVICTED,	/* two different pids shared a slot: the older one's
					 * release is not seen (only with pid_max > slots) */
	PW_DROP_CHILDREN_BOUND,	/* orphan walk stopped at its bound: those orphans not counted */
	PW_DROP_NS_UNRESOLVED,	/* a task whose PID namespace could not be read */
	PW_DROP_ITER_NS_FULL,	/* iter_ns map full during a snapshot walk */
	PW_DROP_ZOMBIES_UNLISTED,	/* zombies counted but beyond the table size */
	PW_DROP_MAX,
};

/* Bookkeeping and repairs, per CPU. */
enum pw_diag {
	PW_DIAG_SLOTS_FREED = 0,	/* exited-table slot ownerships that ended */
	PW_DIAG_REAPS_BY_WALK,		/* zombies the walk found released before their free */
	PW_DIAG_AUTOREAPS_BY_WALK,	/* released without a SIGCHLD, found by the walk */
	PW_DIAG_REAPS_BY_REUSE,		/* released zombies found when their pid was reused */
	PW_DIAG_SLOTS_TAKEN,		/* slots taken (the exit program only); owned = taken - freed */
	PW_DIAG_MAX,
};

/*
 * A PID namespace.  The inode number alone can be reused once a namespace
 * dies, so the key also holds an id no later namespace shares: the kernel's
 * ns_id where it has one (Linux 6.18+), else the start time of the
 * namespace's first init (its child reaper's thread-group leader).
 */
struct pw_ns_key {
	__u32 inum;
	__u32 pad;
	__u64 id;
};

/*
 * Event counters of one namespace, since the collector started.  The ones
 * every process lifecycle touches come first, together, so that the exit
 * and the free each touch as few cache lines of this value as they can
 * (the free: these and one histogram slot).
 */
struct pw_ns_stats {
	/*
	 * Recorded exits not yet released are exits_recorded - exits_settled
	 * (sums over CPUs).  Two counts, not one that goes up and down: only
	 * the exit program adds to the first, so it adds without a lock (see
	 * PW_ADD in pausewatch.bpf.c).  exits_settled is first: a copy reads it
	 * before the counters a release adds to ahead of it (count_release).
	 */
	__u64 exits_settled;	/* recorded exits released, or their slot evicted */
	__u64 exits;		/* processes (thread groups) that exited */
	__u64 zombie_exits;	/* ... and were left for a wait() (not autoreaped) */
	__u64 reaped;		/* zombies released (by a wait, or by the kernel) */
	__u64 autoreaped;	/* released at exit: parent ignores SIGCHLD / SA_NOCLDWAIT */
	__u64 dwell_sum_ns;
	__u64 exits_recorded;	/* exits given an exited-table slot */
	__u64 orphans[PW_REAPER_MAX];
	__u64 orphans_zombie;	/* orphans that were already zombies when adopted */
	__u64 orphans_dropped;	/* the init of this namespace died: its children were killed */
	__u64 dwell_hist[PW_HIST_SLOTS];
	__u64 created_ns;	/* boot ns when the entry was made (on its CPU only) */
	__u32 level;		/* nesting level of the namespace (0 = host) */
	__s32 init_tgid;	/* host tgid of the child reaper when the entry was made */
};

struct pw_sig_key {
	struct pw_ns_key ns;	/* the target's (generate) or receiver's (deliver) namespace */
	__u32 sig;
	__u32 pad;
};

struct pw_sig_stats {
	__u64 generated[PW_SIG_RESULT_MAX];
	/*
	 * SIGCHLD rows only: exits of this namespace whose fate the SIGCHLD to a
	 * parent in the same namespace decided (left a zombie / autoreaped by
	 * SA_NOCLDWAIT).  Counted here, in the row the signal updates anyway,
	 * to spare the exit path a second hash lookup; the collector adds them
	 * to the namespace's exits, zombie_exits and autoreaped.  Next to
	 * generated[]: the SIGCHLD touches both.
	 */
	__u64 decided_zombie;
	__u64 decided_autoreap;
	__u64 ignored_by_init;	/* dropped because the target is its namespace's init without a handler */
	__u64 delivered[PW_ACT_MAX];
	/*
	 * Boot ns when the row was made (on its CPU only; 0 for a moment after).
	 * A namespace can have signal rows and no counters yet: the collector
	 * throws such a row away only if it is older than the walk that did
	 * not find the namespace alive.
	 */
	__u64 created_ns;
};

/*
 * What an exited process will be, decided where the kernel decides it.
 * PENDING: its SIGCHLD decides (do_notify_parent, under the parent's
 * siglock): sent → zombie (or autoreap with SA_NOCLDWAIT); never sent and
 * released → the parent ignored SIGCHLD: autoreaped.
 */
enum pw_exit_state {
	PW_EXIT_PENDING = 1,
	PW_EXIT_ZOMBIE,
	PW_EXIT_AUTOREAP,
};

/*
 * An exited process until it is released (table indexed by host pid).
 * task: the leader's task_struct address; 0 = free; bit 0 set while its
 * owner writes the other fields (readers skip such a slot).  Every release
 * (free, walk, pid reuse) claims the slot with a compare-and-swap of task,
 * so each exit is accounted exactly once.
 */
struct pw_exited {
	__u64 task;
	__u64 exit_ns;		/* bpf_ktime_get_boot_ns() when the whole group had exited */
	struct pw_ns_key ns;	/* cached: thread_pid is gone by the time the task is freed */
	__u32 pid;		/* host pid of the owner (the index is pid & mask) */
	__u32 state;		/* enum pw_exit_state */
	__u64 seen_gen;		/* last walk that saw the owner still in the task list */
};

/* Snapshot walk: per-namespace state right now. */
struct pw_iter_ns {
	__u64 gen;		/* walk generation that wrote this entry */
	__u64 processes;	/* thread-group leaders seen in the namespace */
	__u64 zombies;		/* of those: zombies whose whole group has exited */
	__u64 zombies_unknown_exit;	/* zombies that exited before the collector started */
	__u64 oldest_exit_ns;	/* smallest known exit time (boot ns), 0 = none known */
	/* the namespace's init: comm and pids every walk, the rest every info_refresh_ns */
	__u64 info_ns;		/* boot ns when dispositions and nodename were read */
	__u64 sig_caught;	/* the init's handlers, bit N-1 for signal N */
	__u64 sig_ignored;	/* the init's SIG_IGN signals */
	__u64 sig_blocked;	/* the init's blocked signals (queued for signalfd/sigwait) */
	__u64 pids_current;	/* the init's pids cgroup (or nearest limited ancestor) */
	__s64 pids_max;		/* -1: no limit */
	__u64 pids_events_max;
	__s32 init_tgid;	/* host tgid of the child reaper */
	__u32 level;
	__u32 disp_known;	/* sig_caught/sig_ignored were read */
	__u32 pids_known;	/* pids_* were read */
	char init_comm[PW_COMM_LEN];
	char nodename[PW_NODENAME_LEN];	/* the init's UTS nodename ("" if it has none now) */
};

/* The walk's cache of the namespaces it met last (in .bss; see pausewatch.bpf.c). */
struct pw_walk_ns {
	__u64 ns;		/* pid_namespace address; 0 = free */
	__u64 count;		/* processes seen, not yet added to its iter_ns entry */
	struct pw_ns_key key;
};

/* One zombie, written by the snapshot walk (bounded by max_zombies). */
struct pw_zombie_rec {
	struct pw_ns_key ns;
	__u64 exit_ns;		/* 0 when it exited before the collector started */
	__u64 start_ns;		/* task->start_time */
	__s32 pid;		/* host tgid */
	__s32 pid_in_ns;	/* its pid inside its own namespace */
	__s32 ppid;		/* host tgid of its parent */
	__s32 exit_status;	/* wait status: exit code << 8 | signal (| 0x80 core) */
	char comm[PW_COMM_LEN];
	char parent_comm[PW_COMM_LEN];
};

#endif /* PAUSEWATCH_H */
