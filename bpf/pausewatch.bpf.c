// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pausewatch.bpf.c — zombies, orphans and signals per PID namespace, from
 * tracepoints only (no kprobes, no fentry).
 *
 * Kernel ordering this relies on (kernel/exit.c, kernel/signal.c, v6.18):
 *   do_exit: signal->live-- → trace_sched_process_exit → exit_mm (6.16+) …
 *            → exit_notify: reparent children → EXIT_ZOMBIE →
 *              do_notify_parent (parent's siglock held; SIGCHLD sent unless the
 *              parent ignores it) → autoreap: release_task
 *   wait():  release_task (unhash: gone from the task list) → … RCU →
 *            trace_sched_process_free
 *
 * Exits are counted once per process, when their fate is known:
 *  - at sched_process_exit when the parent will not get a SIGCHLD that could
 *    autoreap it (ptraced, or an exit signal other than SIGCHLD): a zombie;
 *  - otherwise at the SIGCHLD's signal_generate, where the kernel decides
 *    (zombie, or autoreap with SA_NOCLDWAIT) — or, when no SIGCHLD is ever
 *    sent (the parent ignores it), at the release: autoreaped.
 * There is no tracepoint at the reap itself.  A release is seen by whichever
 * comes first: sched_process_free of the task, the snapshot walk no longer
 * finding it in the task list, or its pid being reused by a new exit.  Each
 * of them claims the process's slot with a compare-and-swap, so each exit
 * and each reap is counted exactly once, and a free the programs never see
 * (it happens) costs nothing but time.
 *
 * Per-process state lives from exit to release in a slot of a pid-indexed
 * array (no allocation, no hashing on the exit path).  The zombie gauge, the
 * zombie table and everything that existed before the collector started come
 * from the snapshot walk, which reads the kernel's own state.
 *
 * Every event program has a raw_tp twin (…_raw) that the collector loads
 * when the kernel refuses the tp_btf set.  The walk has two drivers: an
 * open-coded task iterator over processes (Linux 6.7+) run from a task
 * iterator that visits one task, and the plain task iterator over every
 * thread for older kernels.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "pausewatch.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define SIGCHLD		17
#define SIG_DFL		0
#define SIG_IGN		1
#define SA_NOCLDWAIT	2
#define CLD_EXITED	1
#define CLD_DUMPED	3
#define PF_EXITING	0x00000004
#define EXIT_ZOMBIE	0x00000020
#define SIGNAL_GROUP_EXIT 0x00000004
#define SIGNAL_UNKILLABLE 0x00000040
#define MAX_PID_NS_LEVEL 32
#define SLOT_BUSY	1ULL	/* bit 0 of pw_exited.task: owner writing */

/* Bounds of the walks that mirror find_new_reaper(), and of the cgroup climb. */
#define MAX_THREAD_WALK		4096
#define MAX_ANCESTOR_WALK	64
#define MAX_CHILDREN_WALK	(1 << 17)
#define MAX_CGROUP_DEPTH	16

/* Open-coded task iterator (Linux 6.7+); only the walk program uses it. */
extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task,
			     unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __weak __ksym;
/* Open-coded number iterator (Linux 6.4+): the sweep of the open-coded walk. */
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_task_release(struct task_struct *p) __weak __ksym;

/* 6.1 .. 6.11 count pids.events "max" in one field */
struct pids_cgroup___v61 {
	atomic64_t events_limit;
};

/* Knobs, set by the collector before load. */
const volatile __u32 max_zombies = 1024;
const volatile __u32 exited_mask = 65535;
const volatile __u32 nr_cpus = 1;
/* how old an init's dispositions and nodename may get before the walk reads them again */
const volatile __u64 info_refresh_ns = 5000000000ULL;

/* Written by the collector before each snapshot walk (mmaped .bss). */
__u64 iter_gen;
/* The walk's own bookkeeping, read by the collector after it. */
__u32 iter_listed;
__u32 iter_unlisted;
__u32 iter_ns_missed;	/* namespaces this walk could not record: retire none */
__u64 iter_start_ns;	/* when the walk began (boot ns); 0 until it did */
__u64 iter_last_task;	/* iter/task driver: a task shown twice is counted once */
__u32 iter_slots_seen;	/* owned exited slots whose task the walk found */
__u32 iter_swept;	/* the release sweep ran in this walk */
__u32 iter_done;	/* the walk reached its end */
__u32 iter_force_sweep;	/* set by the collector: a namespace waits for its last releases */
/*
 * A namespace's entry in iter_ns (a hash lookup) and its key (reads of a
 * cold pid_namespace) are touched once per walk, not once per process: the
 * walk counts processes in this direct-mapped cache, indexed by a hash of
 * the namespace's inode number, and adds each count to iter_ns when the
 * entry is taken by another namespace or the walk ends.  The process list
 * is in creation order, so the processes of namespaces created at the same
 * time interleave: a cache smaller than the namespaces (it held 8 once)
 * misses on nearly every process of a node that started many pods at once.
 * The collector clears it before each walk.
 */
#define WALK_CACHE	4096
struct pw_walk_ns walk_cache[WALK_CACHE];

/* Never written: a zero value for new map entries (too big for the stack). */
static const struct pw_ns_stats zero_ns_stats;
static const struct pw_sig_stats zero_sig_stats;
static const struct pw_iter_ns zero_iter_ns;

/*
 * Event counters are per CPU: the exit, the SIGCHLD and the free of one
 * process often run on different CPUs, and shared counters would bounce
 * their cache line between them on every event.  Entries are allocated on
 * first use (a namespace's first event), so memory follows the namespaces
 * that exist, not max_entries x CPUs.  The collector sums the CPUs.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct pw_ns_key);
	__type(value, struct pw_ns_stats);
} ns_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct pw_sig_key);
	__type(value, struct pw_sig_stats);
} sig_stats SEC(".maps");

/*
 * Exited processes until they are released: a direct-mapped table indexed
 * by host pid (pid & exited_mask; sized to pid_max up to a cap by the
 * collector).  No allocation, no hashing, no lock on the exit path.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct pw_exited);
} exited SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PW_DROP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PW_DIAG_MAX);
	__type(key, __u32);
	__type(value, __s64);
} diag SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct pw_ns_key);
	__type(value, struct pw_iter_ns);
} iter_ns SEC(".maps");

/* The zombie table of the last walk: rows 0 .. iter_listed-1 (mmaped by the collector). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct pw_zombie_rec);
} zrec SEC(".maps");

/*
 * Plain or locked adds.  Every counter is per CPU, so a locked add is only
 * needed where another of our programs can interrupt this one on the same
 * CPU between the load and the store of a plain add, and write the same
 * counter.  Where the programs run (kernel/signal.c, kernel/exit.c,
 * kernel/rcu/tree.c):
 *  - signal_generate and signal_deliver, and with them the SIGCHLD decision:
 *    under the target's siglock, always taken with interrupts off.  Nothing
 *    of ours can interrupt them (none runs in NMI).
 *  - sched_process_free: an RCU callback, run in softirq or with softirqs
 *    off in an RCU kthread.  Only a hard interrupt can interrupt it, and
 *    ours there (signal_generate, for a timer's signal) write sig_stats only.
 *  - sched_process_exit: task context with interrupts on (a free in softirq
 *    can interrupt it), not preemptible (tracepoint).
 *  - the walk: task context, preemptible (an exit can run in between).
 * So signal_generate, signal_deliver and the free add plainly; the exit
 * program and the walk use locked adds on whatever the free also writes
 * (the release counters, the slots-freed count), and plain ones on what
 * only they write.  A locked add is a single instruction: nothing can split
 * it, so it mixes safely with plain adds made where it cannot interrupt.
 * Per process lifecycle this saves eight locked instructions.
 */
#define PW_ADD(p, v, locked)				\
	do {						\
		if (locked)				\
			__sync_fetch_and_add((p), (v));	\
		else					\
			*(p) += (v);			\
	} while (0)
#define LOCKED	1	/* another program may interrupt this add (see above) */
#define PLAIN	0	/* nothing of ours can */

/* Drops come from every context and are rare: always locked. */
static __always_inline void drop(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &what);

	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline void diag_add(__u32 what, __s64 v, int locked)
{
	__s64 *n = bpf_map_lookup_elem(&diag, &what);

	if (n)
		PW_ADD(n, v, locked);
}
/*
 * Key of a namespace from its address, with probe reads.  Linux 6.18 gives
 * every namespace a 64-bit id that is never reused; older kernels get the
 * start time of the namespace's first init.
 */
static __always_inline void ns_key_probe(struct pid_namespace *ns, struct pw_ns_key *key)
{
	key->inum = BPF_CORE_READ(ns, ns.inum);
	key->pad = 0;
	if (bpf_core_field_exists(ns->ns.ns_id))
		key->id = BPF_CORE_READ(ns, ns.ns_id);
	else
		key->id = BPF_CORE_READ(ns, child_reaper, group_leader, start_time);
}

/* The same with BTF loads, for a namespace pointer the verifier knows. */
static __always_inline void ns_key_direct(struct pid_namespace *ns, struct pw_ns_key *key)
{
	key->inum = ns->ns.inum;
	key->pad = 0;
	if (bpf_core_field_exists(ns->ns.ns_id))
		key->id = ns->ns.ns_id;
	else
		key->id = ns->child_reaper->group_leader->start_time;
}

/*
 * The task's active PID namespace: pid->numbers[pid->level].ns, never
 * nsproxy (NULL once the task is past exit_task_namespaces()).  numbers[] is
 * a flexible array indexed at run time, so its offset is relocated by hand.
 * This version takes any task address (raw_tp arguments are plain numbers).
 */
static __always_inline struct pid_namespace *
task_pidns_probe(struct task_struct *t, struct pw_ns_key *key, int *nr)
{
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	struct upid up = {};
	__u32 level;
	__u64 off;

	if (!pid)
		return NULL;
	level = BPF_CORE_READ(pid, level);
	if (level > MAX_PID_NS_LEVEL)
		return NULL;
	off = bpf_core_field_offset(struct pid, numbers) +
	      (__u64)level * bpf_core_type_size(struct upid);
	if (bpf_probe_read_kernel(&up, sizeof(up), (void *)pid + off) || !up.ns)
		return NULL;
	ns_key_probe(up.ns, key);
	if (nr)
		*nr = up.nr;
	return up.ns;
}

/*
 * The same for a task the verifier knows (tp_btf arguments, current, the
 * iterator's task): where numbers[] is a flexible array (Linux 6.6+), BTF
 * loads reach numbers[1], which covers the host (level 0) and containers
 * (level 1) without a helper call.  The size test is a load-time constant,
 * so older kernels never see these loads.
 */
static __always_inline struct pid_namespace *
task_pidns(struct task_struct *t, struct pw_ns_key *key, int *nr)
{
	struct pid *pid = t->thread_pid;
	struct pid_namespace *ns;
	__u32 level;

	if (!pid)
		return NULL;
	level = pid->level;
	if (bpf_core_field_size(pid->numbers) != 0 || level > 1)
		return task_pidns_probe(t, key, nr);
	ns = level ? pid->numbers[1].ns : pid->numbers[0].ns;
	if (!ns)
		return NULL;
	if (nr)
		*nr = level ? pid->numbers[1].nr : pid->numbers[0].nr;
	ns_key_direct(ns, key);
	return ns;
}

/* The slot of an exited process, by its host pid. */
static __always_inline struct pw_exited *exited_slot(__u32 pid)
{
	__u32 idx = pid & exited_mask;

	return bpf_map_lookup_elem(&exited, &idx);
}

static __always_inline struct pw_ns_stats *
ns_stats_get(const struct pw_ns_key *key, struct pid_namespace *ns)
{
	struct pw_ns_stats *st = bpf_map_lookup_elem(&ns_stats, key);

	if (st)
		return st;
	bpf_map_update_elem(&ns_stats, key, &zero_ns_stats, BPF_NOEXIST);
	st = bpf_map_lookup_elem(&ns_stats, key);
	if (!st) {
		drop(PW_DROP_NS_FULL);
		return NULL;
	}
	st->level = BPF_CORE_READ(ns, level);
	st->init_tgid = BPF_CORE_READ(ns, child_reaper, tgid);
	st->created_ns = bpf_ktime_get_boot_ns();
	return st;
}

static __always_inline struct pw_sig_stats *sig_stats_get(const struct pw_sig_key *key)
{
	struct pw_sig_stats *ss = bpf_map_lookup_elem(&sig_stats, key);

	if (ss)
		return ss;
	bpf_map_update_elem(&sig_stats, key, &zero_sig_stats, BPF_NOEXIST);
	ss = bpf_map_lookup_elem(&sig_stats, key);
	if (!ss) {
		drop(PW_DROP_SIG_FULL);
		return NULL;
	}
	ss->created_ns = bpf_ktime_get_boot_ns();
	return ss;
}

/* ---- find_new_reaper(), bounded ------------------------------------ */

struct list_walk {
	struct list_head *head;
	struct list_head *pos;
	__u64 count;
	__u64 zombies;
	int found;	/* thread walk: 1 alive thread found */
	int done;	/* reached the head again */
};

static long alive_thread_step(__u32 i, void *data)
{
	struct list_walk *w = data;
	struct task_struct *t;

	if (w->pos == w->head) {
		w->done = 1;
		return 1;
	}
	t = (void *)w->pos - bpf_core_field_offset(struct task_struct, thread_node);
	if (!(BPF_CORE_READ(t, flags) & PF_EXITING)) {
		w->found = 1;
		return 1;
	}
	if (bpf_probe_read_kernel(&w->pos, sizeof(w->pos), w->pos))
		return 1;
	return 0;
}

/* 1: a thread of p without PF_EXITING exists, 0: none, -1: bound hit. */
static __always_inline int find_alive_thread(struct task_struct *p)
{
	struct signal_struct *sig = BPF_CORE_READ(p, signal);
	struct list_walk w = {};

	if (!sig)
		return 0;
	w.head = (void *)sig + bpf_core_field_offset(struct signal_struct, thread_head);
	w.pos = BPF_CORE_READ(sig, thread_head.next);
	bpf_loop(MAX_THREAD_WALK, alive_thread_step, &w, 0);
	if (w.found)
		return 1;
	return w.done ? 0 : -1;
}

#define PW_REAPER_NONE_NS_DYING PW_REAPER_MAX	/* internal: father was init, no thread left */

static __always_inline int new_reaper_kind(struct task_struct *father, struct pid_namespace *ns)
{
	struct task_struct *reaper;
	struct signal_struct *sig;
	__u32 ns_level;
	int alive, i;

	alive = find_alive_thread(father);
	if (alive < 0)
		return PW_REAPER_UNKNOWN;
	if (alive)
		return PW_REAPER_THREAD;
	if (BPF_CORE_READ(ns, child_reaper) == father)
		return PW_REAPER_NONE_NS_DYING;

	sig = BPF_CORE_READ(father, signal);
	if (!BPF_CORE_READ_BITFIELD_PROBED(sig, has_child_subreaper))
		return PW_REAPER_INIT;
	ns_level = BPF_CORE_READ(father, thread_pid, level);
	reaper = BPF_CORE_READ(father, real_parent);
	for (i = 0; i < MAX_ANCESTOR_WALK; i++) {
		if (!reaper || BPF_CORE_READ(reaper, thread_pid, level) != ns_level)
			return PW_REAPER_INIT;
		if (BPF_CORE_READ(reaper, pid) == 0)	/* init_task */
			return PW_REAPER_INIT;
		sig = BPF_CORE_READ(reaper, signal);
		if (BPF_CORE_READ_BITFIELD_PROBED(sig, is_child_subreaper)) {
			alive = find_alive_thread(reaper);
			if (alive < 0)
				return PW_REAPER_UNKNOWN;
			if (alive)
				return PW_REAPER_SUBREAPER;
		}
		reaper = BPF_CORE_READ(reaper, real_parent);
	}
	return PW_REAPER_UNKNOWN;
}

static long child_step(__u32 i, void *data)
{
	struct list_walk *w = data;
	struct task_struct *child;

	if (w->pos == w->head) {
		w->done = 1;
		return 1;
	}
	child = (void *)w->pos - bpf_core_field_offset(struct task_struct, sibling);
	w->count++;
	/*
	 * Already a zombie for its new reaper only as reparent_leader() sees it:
	 * exited, not ptraced, and no other thread left (a leader whose threads
	 * still run is not one, though /proc shows it as Z).
	 */
	if ((BPF_CORE_READ(child, exit_state) & EXIT_ZOMBIE) && !BPF_CORE_READ(child, ptrace) &&
	    BPF_CORE_READ(child, signal, nr_threads) == 1)
		w->zombies++;
	if (bpf_probe_read_kernel(&w->pos, sizeof(w->pos), w->pos))
		return 1;
	return 0;
}

static __always_inline void count_orphans(struct task_struct *father, struct pid_namespace *ns,
					  const struct pw_ns_key *key, struct list_walk *w)
{
	struct pw_ns_stats *st;
	int kind;

	kind = new_reaper_kind(father, ns);
	bpf_loop(MAX_CHILDREN_WALK, child_step, w, 0);
	if (!w->done)
		drop(PW_DROP_CHILDREN_BOUND);
	st = ns_stats_get(key, ns);
	if (!st)
		return;
	if (kind == PW_REAPER_NONE_NS_DYING) {
		__sync_fetch_and_add(&st->orphans_dropped, w->count);
		return;
	}
	if (kind >= 0 && kind < PW_REAPER_MAX)
		__sync_fetch_and_add(&st->orphans[kind], w->count);
	__sync_fetch_and_add(&st->orphans_zombie, w->zombies);
}

/* ---- exits and releases --------------------------------------------- */

/* slot 0: < 1 µs; slot i: [2^(i-1), 2^i) µs; a binary search, not a loop */
static __always_inline __u32 log2_slot(__u64 us)
{
	__u32 bits = 0;

	if (us >> 16) {
		us >>= 16;
		bits += 16;
	}
	if (us >> 8) {
		us >>= 8;
		bits += 8;
	}
	if (us >> 4) {
		us >>= 4;
		bits += 4;
	}
	if (us >> 2) {
		us >>= 2;
		bits += 2;
	}
	if (us >> 1) {
		us >>= 1;
		bits += 1;
	}
	bits += us;	/* us is 0 or 1 here: bits = index of the top bit + 1 */
	return bits < PW_HIST_SLOTS ? bits : PW_HIST_SLOTS - 1;
}

/* A process's exit, once its fate is known: the part first, then the total. */
static __always_inline void count_exit(const struct pw_ns_key *key, int zombie, int locked)
{
	struct pw_ns_stats *st = bpf_map_lookup_elem(&ns_stats, key);

	if (!st)	/* the entry could not be made at exit: counted there */
		return;
	if (zombie)
		PW_ADD(&st->zombie_exits, 1, locked);
	else
		PW_ADD(&st->autoreaped, 1, locked);
	PW_ADD(&st->exits, 1, locked);
}

/*
 * A recorded process was released.  A zombie: one reap and its dwell time.
 * Still pending: its parent never got a SIGCHLD for it, so the parent
 * ignored SIGCHLD and the kernel released it at once: an autoreap.
 * how: the diag counter of the path that found out (PW_DIAG_MAX: the free).
 *
 * exits_settled goes up last, after a compiler barrier: the collector's copy
 * reads a value in address order, exits_settled first, so a copy that sees
 * this release settled also sees what it counted (x86 keeps stores in order
 * and loads in order), and a namespace it finds final is complete.
 */
static __always_inline void count_release(__u32 state, const struct pw_ns_key *key,
					  __u64 exit_ns, __u32 how, int locked)
{
	struct pw_ns_stats *st;
	__u64 dwell;
	__u32 slot;

	st = bpf_map_lookup_elem(&ns_stats, key);
	if (!st)
		return;
	if (state == PW_EXIT_PENDING) {
		PW_ADD(&st->autoreaped, 1, locked);
		PW_ADD(&st->exits, 1, locked);
		if (how == PW_DIAG_REAPS_BY_WALK)
			diag_add(PW_DIAG_AUTOREAPS_BY_WALK, 1, locked);
	} else if (state == PW_EXIT_ZOMBIE) {
		dwell = bpf_ktime_get_boot_ns() - exit_ns;
		slot = log2_slot(dwell / 1000);
		PW_ADD(&st->dwell_sum_ns, dwell, locked);
		if (slot < PW_HIST_SLOTS)
			PW_ADD(&st->dwell_hist[slot], 1, locked);
		PW_ADD(&st->reaped, 1, locked);	/* last, like exits */
		if (how < PW_DIAG_MAX)
			diag_add(how, 1, locked);
	}
	asm volatile("" ::: "memory");
	PW_ADD(&st->exits_settled, 1, locked);	/* accounted for: the namespace may be final */
}

/*
 * Take a released process's slot; 1 if this caller won it (and must count).
 * The slot is shared by every CPU: always a compare-and-swap.
 */
static __always_inline int claim(struct pw_exited *e, __u64 owner, int locked)
{
	if (__sync_val_compare_and_swap(&e->task, owner, 0) != owner)
		return 0;
	diag_add(PW_DIAG_SLOTS_FREED, 1, locked);
	return 1;
}

/* An exit whose release will never be seen (evicted): settled all the same. */
static __always_inline void forget_exit(const struct pw_ns_key *key)
{
	struct pw_ns_stats *st = bpf_map_lookup_elem(&ns_stats, key);

	if (st)
		__sync_fetch_and_add(&st->exits_settled, 1);
}

/*
 * Record an exited process in its slot.  Returns 1 when another thread of
 * the same process already did (without group_dead, two last threads can
 * both see signal->live == 0), else 0.
 *
 * The exchange marks the slot busy, so that no reader uses the fields while
 * they are written; the final exchange publishes them.  An earlier owner
 * still in the slot was released if it had the same pid (a pid is reused
 * only after release_task): that is its reap.  A different pid in the same
 * slot (the table is smaller than pid_max) is a real loss: evicted.
 *
 * The slots-taken count goes up before the exchange and the namespace's
 * recorded exits before the publish, so that neither is ever below the
 * truth: the walk's sweep and the collector's retirement rely on that.
 */
static __always_inline int remember_exit(struct task_struct *leader, const struct pw_ns_key *key,
					 __u32 state, struct pw_ns_stats *st)
{
	__u64 me = (__u64)(unsigned long)leader;
	__u32 pid = leader->pid;
	struct pw_exited *e = exited_slot(pid);
	struct pw_ns_key prev_key;
	__u64 prev;

	if (!e)
		return 0;
	diag_add(PW_DIAG_SLOTS_TAKEN, 1, PLAIN);	/* only this program adds to it */
	prev = __sync_lock_test_and_set(&e->task, me + SLOT_BUSY);	/* +, not |: the verifier allows no bit operation on a pointer; task_structs are aligned */
	if ((prev & ~SLOT_BUSY) == me) {
		if (!(prev & SLOT_BUSY))	/* finished by the other thread: put it back */
			__sync_lock_test_and_set(&e->task, me);
		diag_add(PW_DIAG_SLOTS_FREED, 1, LOCKED);
		return 1;
	}
	if (prev)
		diag_add(PW_DIAG_SLOTS_FREED, 1, LOCKED);	/* the earlier owner's ownership ends here */
	if (prev & SLOT_BUSY) {
		/*
		 * Another exit sharing this slot (two pids, a table smaller than
		 * pid_max) is being written right now: give the slot back to it
		 * (unless it already published) and lose ours, counted.
		 */
		__sync_val_compare_and_swap(&e->task, me + SLOT_BUSY, prev);
		drop(PW_DROP_EXIT_SLOT_EVICTED);
		return 1;
	}
	if (prev) {
		prev_key = e->ns;
		if (e->pid == pid) {
			count_release(e->state, &prev_key, e->exit_ns, PW_DIAG_REAPS_BY_REUSE, LOCKED);
		} else {
			drop(PW_DROP_EXIT_SLOT_EVICTED);
			forget_exit(&prev_key);
		}
	}
	e->exit_ns = bpf_ktime_get_boot_ns();
	e->ns = *key;
	e->pid = pid;
	e->state = state;
	st->exits_recorded += 1;	/* only this program adds to it: plain (see PW_ADD) */
	__sync_lock_test_and_set(&e->task, me);	/* publish */
	return 0;
}

/*
 * Is the process's fate decided now, or by a SIGCHLD later?  Mirrors
 * exit_notify() and do_notify_parent(): a ptraced process waits for its
 * tracer; an exit signal other than SIGCHLD stays as it is unless the parent
 * exec'd since the fork, when it becomes SIGCHLD; only a SIGCHLD can
 * autoreap, and whether it does is decided under the parent's siglock.
 */
static __always_inline __u32 exit_fate(struct task_struct *leader, struct task_struct *task)
{
	struct task_struct *parent = leader->real_parent;
	int sig = leader->exit_signal;

	if (leader->ptrace || task->ptrace)
		return PW_EXIT_ZOMBIE;
	if (sig != SIGCHLD && parent && leader->parent_exec_id != parent->self_exec_id)
		sig = SIGCHLD;
	return sig == SIGCHLD ? PW_EXIT_PENDING : PW_EXIT_ZOMBIE;
}

static __always_inline int on_exit(struct task_struct *task, int group_dead)
{
	struct task_struct *leader;
	struct pw_ns_stats *st;
	struct pid_namespace *ns;
	struct list_walk w = {};
	struct pw_ns_key key;
	__u32 state;

	/*
	 * The exiting thread's children are reparented right after this
	 * tracepoint (exit_notify).  Children lists are per thread, so any
	 * exiting thread may have some.  Most exits have none and are not the
	 * last of their group: they cost two loads.
	 */
	w.head = (void *)task + bpf_core_field_offset(struct task_struct, children);
	w.pos = task->children.next;
	if (!group_dead && (!w.pos || w.pos == w.head))
		return 0;
	ns = task_pidns(task, &key, NULL);
	if (!ns) {
		drop(PW_DROP_NS_UNRESOLVED);
		return 0;
	}
	if (w.pos && w.pos != w.head)
		count_orphans(task, ns, &key, &w);
	if (!group_dead)
		return 0;

	/* the process is gone; its zombie, if any, is the leader (maybe long exited) */
	leader = task->group_leader;
	if (!leader)
		return 0;
	st = ns_stats_get(&key, ns);	/* the entry its fate is counted in, now or later */
	if (!st)
		return 0;
	state = exit_fate(leader, task);
	if (remember_exit(leader, &key, state, st))
		return 0;
	if (state == PW_EXIT_ZOMBIE)
		count_exit(&key, 1, LOCKED);
	return 0;
}

/*
 * Linux >= 6.16: sched_process_exit(task, group_dead).  Each program comes
 * as tp_btf (preferred) and raw_tp (the collector's fallback); the exiting
 * task is current, so the raw_tp ones take the BTF pointer from there.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(pw_exit_v616, struct task_struct *task, bool group_dead)
{
	return on_exit(task, group_dead);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(pw_exit_v616_raw, struct task_struct *task, bool group_dead)
{
	return on_exit(bpf_get_current_task_btf(), group_dead);
}

/* Older kernels: one argument; group_dead is signal->live reaching zero. */
static __always_inline int on_exit_legacy(struct task_struct *task)
{
	struct signal_struct *signal = task->signal;

	return on_exit(task, signal && signal->live.counter == 0);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(pw_exit_legacy, struct task_struct *task)
{
	return on_exit_legacy(task);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(pw_exit_legacy_raw, struct task_struct *task)
{
	return on_exit_legacy(bpf_get_current_task_btf());
}

static __always_inline int on_free(__u64 me, __u32 pid)
{
	struct pw_exited *e = exited_slot(pid);
	struct pw_ns_key key;
	__u64 exit_ns;
	__u32 state;

	if (!e || e->task != me)	/* threads, and processes already released */
		return 0;
	/* the fields are ours while task == me: read them before giving the slot up */
	state = e->state;
	key = e->ns;
	exit_ns = e->exit_ns;
	if (claim(e, me, PLAIN))
		count_release(state, &key, exit_ns, PW_DIAG_MAX, PLAIN);
	return 0;
}

SEC("tp_btf/sched_process_free")
int BPF_PROG(pw_free, struct task_struct *task)
{
	return on_free((__u64)(unsigned long)task, task->pid);
}

SEC("raw_tp/sched_process_free")
int BPF_PROG(pw_free_raw, struct task_struct *task)
{
	return on_free((__u64)(unsigned long)task, BPF_CORE_READ(task, pid));
}

/* ---- signals -------------------------------------------------------- */

static __always_inline int sig_kernel_ignore(int sig)
{
	/* default action "ignore": SIGCHLD, SIGCONT, SIGURG, SIGWINCH */
	return sig == 17 || sig == 18 || sig == 23 || sig == 28;
}

/*
 * prepare_signal() dropped it because the target is an init (unkillable)
 * with no handler: the "PID 1 never handles SIGTERM" case.  Signals whose
 * default is to be ignored, explicit SIG_IGN and exiting groups are dropped
 * for everybody and do not count.  Probe reads: the target is an argument.
 */
static __always_inline int ignored_by_init(struct task_struct *task, int sig)
{
	struct sighand_struct *sh;
	unsigned long handler;
	unsigned int flags;

	if (sig_kernel_ignore(sig))
		return 0;
	flags = BPF_CORE_READ(task, signal, flags);
	if (!(flags & SIGNAL_UNKILLABLE) || (flags & SIGNAL_GROUP_EXIT))
		return 0;
	sh = BPF_CORE_READ(task, sighand);
	if (!sh || bpf_probe_read_kernel(&handler, sizeof(handler),
					 &sh->action[(sig - 1) & 63].sa.sa_handler))
		return 0;
	return handler == SIG_DFL;
}

/*
 * The SIGCHLD do_notify_parent() sends for the sender's own process decides
 * its fate: current is past EXIT_ZOMBIE (the leader itself, or the last
 * thread whose release notifies for a leader that exited first), the target
 * is the leader's parent, and its siglock is held.  SA_NOCLDWAIT autoreaps;
 * anything else leaves a zombie.  (A parent with SIG_IGN gets no signal at
 * all: the release then decides, see count_release.)  Only the signal
 * do_notify_parent() makes counts: its code is CLD_EXITED, CLD_KILLED or
 * CLD_DUMPED, while a kill() has SI_USER, a timer SI_TIMER, and nobody may
 * queue a positive code to another process.  btf: target and info are BTF
 * pointers (tp_btf), read directly instead of through helper calls.
 */
static __always_inline void decide_by_sigchld(struct task_struct *target,
					      struct kernel_siginfo *info, int btf,
					      struct pw_sig_stats *ss, const struct pw_ns_key *target_ns)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *leader;
	struct sighand_struct *sh;
	unsigned long flags = 0;
	struct pw_exited *e;
	int zombie, code;

	if (!cur->exit_state)
		return;
	code = btf ? info->si_code : BPF_CORE_READ(info, si_code);
	if (code < CLD_EXITED || code > CLD_DUMPED)
		return;
	leader = cur->group_leader;
	if (!leader)
		return;
	e = exited_slot(leader->pid);
	if (!e || e->task != (__u64)(unsigned long)leader || e->state != PW_EXIT_PENDING ||
	    target != leader->real_parent)
		return;
	if (btf) {
		sh = target->sighand;
		if (sh)
			flags = sh->action[SIGCHLD - 1].sa.sa_flags;
	} else {
		sh = BPF_CORE_READ(target, sighand);
		if (sh)
			bpf_probe_read_kernel(&flags, sizeof(flags),
					      &sh->action[SIGCHLD - 1].sa.sa_flags);
	}
	zombie = !(flags & SA_NOCLDWAIT);
	e->state = zombie ? PW_EXIT_ZOMBIE : PW_EXIT_AUTOREAP;
	/* the parent is nearly always in the child's namespace: its SIGCHLD row counts it */
	if (ss && e->ns.inum == target_ns->inum && e->ns.id == target_ns->id) {
		if (zombie)
			ss->decided_zombie += 1;
		else
			ss->decided_autoreap += 1;
		return;
	}
	count_exit(&e->ns, zombie, PLAIN);
}

/* Under the target's siglock, interrupts off: plain adds (see PW_ADD). */
static __always_inline void count_generated(int sig, __u32 res, struct pw_sig_key *key,
					    struct task_struct *task,
					    struct kernel_siginfo *info, int btf)
{
	struct pw_sig_stats *ss;

	key->sig = sig;
	ss = sig_stats_get(key);
	if (sig == SIGCHLD)
		decide_by_sigchld(task, info, btf, ss, &key->ns);
	if (!ss)
		return;
	ss->generated[res] += 1;
	if (res == PW_SIG_IGNORED && ignored_by_init(task, sig))
		ss->ignored_by_init += 1;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(pw_signal_generate, int sig, struct kernel_siginfo *info,
	     struct task_struct *task, int group, int result)
{
	struct pw_sig_key key = {};
	__u32 res = (__u32)result & 7;	/* the mask keeps the index bounded for the verifier */

	if (sig <= 0 || sig >= PW_NSIG || res >= PW_SIG_RESULT_MAX)
		return 0;
	if (!task_pidns(task, &key.ns, NULL)) {
		drop(PW_DROP_NS_UNRESOLVED);
		return 0;
	}
	count_generated(sig, res, &key, task, info, 1);
	return 0;
}

SEC("raw_tp/signal_generate")
int BPF_PROG(pw_signal_generate_raw, int sig, struct kernel_siginfo *info,
	     struct task_struct *task, int group, int result)
{
	struct pw_sig_key key = {};
	__u32 res = (__u32)result & 7;

	if (sig <= 0 || sig >= PW_NSIG || res >= PW_SIG_RESULT_MAX)
		return 0;
	if (!task_pidns_probe(task, &key.ns, NULL)) {
		drop(PW_DROP_NS_UNRESOLVED);
		return 0;
	}
	count_generated(sig, res, &key, task, info, 0);
	return 0;
}

/* The receiver is current; its disposition comes with the tracepoint. */
static __always_inline int count_delivered(int sig, unsigned long handler)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pw_sig_stats *ss;
	struct pw_sig_key key = {};
	int action;

	if (sig <= 0 || sig >= PW_NSIG)
		return 0;
	if (!task_pidns(task, &key.ns, NULL)) {
		drop(PW_DROP_NS_UNRESOLVED);
		return 0;
	}
	key.sig = sig;
	ss = sig_stats_get(&key);
	if (!ss)
		return 0;
	action = handler == SIG_DFL ? PW_ACT_DEFAULT : handler == SIG_IGN ? PW_ACT_IGNORE : PW_ACT_HANDLER;
	ss->delivered[action] += 1;	/* get_signal() holds the siglock: plain (see PW_ADD) */
	return 0;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(pw_signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	return count_delivered(sig, (unsigned long)ka->sa.sa_handler);
}

SEC("raw_tp/signal_deliver")
int BPF_PROG(pw_signal_deliver_raw, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	return count_delivered(sig, (unsigned long)BPF_CORE_READ(ka, sa.sa_handler));
}

/* ---- snapshot walk -------------------------------------------------- */

/*
 * A read of kernel memory by the walk: a plain load where the pointer is one
 * the verifier knows (BTF: a namespace reached by BTF loads, and what hangs
 * off it), else a probe read.  A probe read is a helper call, a string one
 * a byte-by-byte copy: per namespace and walk they were a tenth of the walk
 * at 1,000 namespaces.  btf is a constant on every path the verifier takes.
 */
#define WALK_READ(btf, direct, ...) ((btf) ? (direct) : BPF_CORE_READ(__VA_ARGS__))

/*
 * The init's disposition of the signals the faces show (HUP INT QUIT USR1
 * USR2 TERM) and SIGCHLD, as bit masks (bit N-1 for signal N; other bits 0).
 * One read each: the whole action[] is 2 KiB of cold cache lines per
 * namespace, the cost of a thousand namespaces' walk.
 */
static __always_inline void read_dispositions(struct pw_iter_ns *it, struct task_struct *reaper,
					      int btf)
{
	static const int sigs[] = { 1, 2, 3, 10, 12, 15, 17 };
	struct sighand_struct *sh = WALK_READ(btf, reaper->sighand, reaper, sighand);
	__u64 caught = 0, ignored = 0;

	if (!sh)
		return;
#pragma clang loop unroll(full)
	for (int i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++) {
		unsigned long h;

		if (btf)
			h = (unsigned long)sh->action[sigs[i] - 1].sa.sa_handler;
		else if (bpf_probe_read_kernel(&h, sizeof(h), &sh->action[sigs[i] - 1].sa.sa_handler))
			return;
		if (h == SIG_IGN)
			ignored |= 1ULL << (sigs[i] - 1);
		else if (h != SIG_DFL)
			caught |= 1ULL << (sigs[i] - 1);
	}
	it->sig_caught = caught;
	it->sig_ignored = ignored;
	it->sig_blocked = WALK_READ(btf, reaper->blocked.sig[0], reaper, blocked.sig[0]);
	it->disp_known = 1;
}

/*
 * PID pressure: the init's pids cgroup, or the nearest ancestor with a
 * limit (a Kubernetes pod limit sits on the pod's cgroup, above the
 * container's).  The root's counter is not kept by the kernel: unknown there.
 */
/*
 * The "max" count pids.events shows for a cgroup, as the kernel's
 * pids_events_show() picks it: 6.12+ show, on cgroup v1 or with the
 * pids_localevents mount option, the forks refused in this very cgroup
 * (events_local[PIDCG_FORKFAIL]), else the hierarchical count of forks its
 * limit refused (events[PIDCG_MAX]); 6.1 has one counter, events_limit.
 */
static __always_inline __s64 pids_events_max(struct cgroup_subsys_state *css, struct pids_cgroup *pc,
					     int btf)
{
	const unsigned int local_events = 1u << 20;	/* CGRP_ROOT_PIDS_LOCAL_EVENTS */
	struct cgroup_root *root;
	bool local;

	if (!bpf_core_field_exists(pc->events))
		return BPF_CORE_READ((struct pids_cgroup___v61 *)pc, events_limit.counter);
	root = WALK_READ(btf, css->cgroup->root, css, cgroup, root);
	local = WALK_READ(btf, root->hierarchy_id, root, hierarchy_id) != 0 ||	/* v1 */
		(bpf_core_field_exists(pc->events_local) &&
		 (WALK_READ(btf, root->flags, root, flags) & local_events));
	if (!local)
		return BPF_CORE_READ(pc, events[0].counter);
	if (bpf_core_field_exists(pc->events_local))
		return BPF_CORE_READ(pc, events_local[1].counter);
	return BPF_CORE_READ(pc, events[1].counter);
}

/*
 * PID pressure: the init's pids cgroup, or the nearest ancestor with a
 * limit (a Kubernetes pod limit sits on the pod's cgroup, above the
 * container's).  The root's counter is not kept by the kernel: unknown there.
 */
static __always_inline void read_pids(struct pw_iter_ns *it, struct task_struct *reaper, int btf)
{
	const __s64 pids_max_unlimited = 4 * 1024 * 1024 + 1;	/* PIDS_MAX = PID_MAX_LIMIT + 1 */
	struct cgroup_subsys_state *css, *parent;
	struct pids_cgroup *pc;
	__s64 limit = 0;
	int id, i;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, pids_cgrp_id))
		return;
	id = bpf_core_enum_value(enum cgroup_subsys_id, pids_cgrp_id);
	css = WALK_READ(btf, reaper->cgroups->subsys[id & 15], reaper, cgroups, subsys[id & 15]);
	for (i = 0; i < MAX_CGROUP_DEPTH && css; i++) {
		parent = WALK_READ(btf, css->parent, css, parent);
		if (!parent)
			break;	/* the root: no counter */
		pc = (struct pids_cgroup *)css;	/* css is its first member */
		limit = BPF_CORE_READ(pc, limit.counter);
		if (i == 0 || limit < pids_max_unlimited) {
			it->pids_current = BPF_CORE_READ(pc, counter.counter);
			it->pids_max = limit < pids_max_unlimited ? limit : -1;
			it->pids_events_max = pids_events_max(css, pc, btf);
			it->pids_known = 1;
			if (limit < pids_max_unlimited)
				break;
		}
		css = parent;
	}
}

/*
 * The init: its pid, comm and pids cgroup every walk (PID pressure is a gauge
 * to alert on); its dispositions and nodename, a few cold cache lines each,
 * when it changed (another init, or an exec: the comm) or every
 * info_refresh_ns.  On a thousand namespaces that is a fifth of the walk.
 */
static __always_inline void read_init(struct pw_iter_ns *it, struct task_struct *reaper, int btf)
{
	char comm[PW_COMM_LEN] = {};
	__s32 tgid = WALK_READ(btf, reaper->tgid, reaper, tgid);
	__u64 now = bpf_ktime_get_boot_ns();
	bool same;

	if (btf) {
		/* two loads; the kernel keeps comm NUL-terminated (__set_task_comm) */
		*(__u64 *)comm = *(__u64 *)reaper->comm;
		*(__u64 *)(comm + 8) = *(__u64 *)(reaper->comm + 8);
		comm[PW_COMM_LEN - 1] = '\0';
	} else {
		BPF_CORE_READ_STR_INTO(&comm, reaper, comm);
	}
	same = tgid == it->init_tgid && *(__u64 *)comm == *(__u64 *)it->init_comm &&
	       *(__u64 *)(comm + 8) == *(__u64 *)(it->init_comm + 8);
	it->init_tgid = tgid;
	__builtin_memcpy(it->init_comm, comm, sizeof(comm));
	it->pids_known = 0;
	read_pids(it, reaper, btf);
	if (same && it->info_ns && now - it->info_ns < info_refresh_ns)
		return;
	it->info_ns = now;
	it->disp_known = 0;
	it->nodename[0] = '\0';
	/* no setns, no CAP_SYS_ADMIN: nsproxy is NULL once the init is exiting */
	BPF_CORE_READ_STR_INTO(&it->nodename, reaper, nsproxy, uts_ns, name.nodename);
	read_dispositions(it, reaper, btf);
}

static __noinline struct pw_iter_ns *iter_ns_get(const struct pw_ns_key *key,
						      struct pid_namespace *ns, int btf)
{
	struct pw_iter_ns *it = bpf_map_lookup_elem(&iter_ns, key);
	struct task_struct *reaper;

	if (!it) {
		bpf_map_update_elem(&iter_ns, key, &zero_iter_ns, BPF_NOEXIST);
		it = bpf_map_lookup_elem(&iter_ns, key);
		if (!it) {
			drop(PW_DROP_ITER_NS_FULL);
			iter_ns_missed++;
			return NULL;
		}
	}
	if (it->gen == iter_gen)
		return it;
	/* first process of this namespace in this walk: its counts start over, its init is read */
	it->gen = iter_gen;
	it->processes = 0;
	it->zombies = 0;
	it->zombies_unknown_exit = 0;
	it->oldest_exit_ns = 0;
	it->level = WALK_READ(btf, ns->level, ns, level);
	reaper = WALK_READ(btf, ns->child_reaper, ns, child_reaper);
	if (!reaper) {
		it->disp_known = it->pids_known = 0;
		it->init_tgid = 0;
		return it;
	}
	read_init(it, reaper, btf);
	return it;
}

static __always_inline void emit_zombie(struct task_struct *task, const struct pw_ns_key *key,
					int nr, __u64 exit_ns)
{
	struct task_struct *parent = task->real_parent;
	struct signal_struct *sig = task->signal;
	struct pw_zombie_rec *rec;
	__u32 idx = iter_listed;

	if (idx >= max_zombies || !(rec = bpf_map_lookup_elem(&zrec, &idx))) {
		iter_unlisted++;
		return;
	}
	iter_listed = idx + 1;
	rec->ns = *key;
	rec->exit_ns = exit_ns;
	rec->start_ns = task->start_time;
	rec->pid = task->tgid;
	rec->pid_in_ns = nr;
	rec->ppid = parent ? parent->tgid : 0;
	rec->exit_status = (sig->flags & SIGNAL_GROUP_EXIT) ? sig->group_exit_code : task->exit_code;
	__builtin_memset(rec->comm, 0, sizeof(rec->comm));
	__builtin_memset(rec->parent_comm, 0, sizeof(rec->parent_comm));
	bpf_probe_read_kernel_str(rec->comm, sizeof(rec->comm), task->comm);
	if (parent)
		bpf_probe_read_kernel_str(rec->parent_comm, sizeof(rec->parent_comm), parent->comm);
}

/*
 * The task's active namespace, its pid there and its inode number, by the
 * cheapest path: BTF loads where they reach (*btf = 1: the namespace is a
 * pointer the verifier knows), else probe reads (*btf = 0).
 */
static __always_inline struct pid_namespace *task_ns(struct task_struct *t, int *nr, __u32 *inum,
						     int *btf)
{
	struct pid *pid = t->thread_pid;
	struct pw_ns_key key;
	struct pid_namespace *ns;
	__u32 level;

	if (!pid)
		return NULL;
	level = pid->level;
	if (bpf_core_field_size(pid->numbers) != 0 || level > 1) {
		ns = task_pidns_probe(t, &key, nr);
		*inum = key.inum;
		*btf = 0;
		return ns;
	}
	*nr = level ? pid->numbers[1].nr : pid->numbers[0].nr;
	ns = level ? pid->numbers[1].ns : pid->numbers[0].ns;
	if (ns)
		*inum = ns->ns.inum;
	*btf = 1;
	return ns;
}

static __always_inline void cache_flush(struct pw_walk_ns *w)
{
	struct pw_iter_ns *it;

	if (!w->count)
		return;
	it = bpf_map_lookup_elem(&iter_ns, &w->key);
	if (it)
		it->processes += w->count;
	w->count = 0;
}

/* The cache entry of ns, found or made; NULL when its namespace could not be recorded. */
static __always_inline struct pw_walk_ns *cache_get(struct pid_namespace *ns, __u32 inum, int btf)
{
	__u64 p = (__u64)(unsigned long)ns;
	__u32 h = inum * 2654435761u;	/* Knuth's multiplicative hash: inodes come in strides */
	struct pw_walk_ns *w = &walk_cache[(h >> 20) & (WALK_CACHE - 1)];

	if (w->ns == p)
		return w;
	cache_flush(w);
	if (btf)
		ns_key_direct(ns, &w->key);
	else
		ns_key_probe(ns, &w->key);
	w->ns = p;
	if (!iter_ns_get(&w->key, ns, btf)) {
		w->ns = 0;	/* not recorded: try again with the next process */
		return NULL;
	}
	return w;
}

static long cache_flush_step(__u32 i, void *data)
{
	if (i < WALK_CACHE)
		cache_flush(&walk_cache[i]);
	return 0;
}

static __always_inline void cache_flush_all(void)
{
	bpf_loop(WALK_CACHE, cache_flush_step, NULL, 0);
}

/*
 * One process (thread-group leader): count it in its namespace; if it is a
 * zombie, list it; if it owns an exited slot, mark that slot seen, so the
 * sweep at the end knows its process is still in the task list.
 */
static __always_inline int walk_process_body(struct task_struct *task, int look_up_exiting)
{
	__u64 me = (__u64)(unsigned long)task, exit_ns = 0;
	struct pid_namespace *ns;
	struct pw_iter_ns *it;
	struct pw_exited *e;
	struct pw_walk_ns *w;
	__u32 inum = 0;
	int nr = 0, btf = 0;

	ns = task_ns(task, &nr, &inum, &btf);
	if (!ns) {
		drop(PW_DROP_NS_UNRESOLVED);
		return 0;
	}
	w = cache_get(ns, inum, btf);
	if (w)
		w->count++;
	/*
	 * An exited slot's process that has not reached EXIT_ZOMBIE yet (it is
	 * between its exit tracepoint and exit_notify) must be marked seen too.
	 * The open-coded walk skips that test, which costs a cache line per
	 * process, and its sweep asks the pid table instead (sweep_one_pid).
	 */
	if (!task->exit_state && !(look_up_exiting && (task->flags & PF_EXITING)))
		return 0;
	e = exited_slot(task->pid);
	if (e && (e->task & ~SLOT_BUSY) == me) {
		e->seen_gen = iter_gen;
		iter_slots_seen++;
		if (!(e->task & SLOT_BUSY))
			exit_ns = e->exit_ns;
	}
	/*
	 * A zombie is what wait() could reap now: an exited leader that is the
	 * last of its group.  A leader whose threads run on (or are still being
	 * released) shows "Z" in /proc but is not one (delay_group_leader()).
	 */
	if (!(task->exit_state & EXIT_ZOMBIE) || task->signal->nr_threads > 1)
		return 0;
	if (!w) {
		iter_unlisted++;	/* counted nowhere: its namespace has no entry */
		return 0;
	}
	it = bpf_map_lookup_elem(&iter_ns, &w->key);
	if (it) {
		it->zombies++;
		if (!exit_ns)
			it->zombies_unknown_exit++;
		else if (!it->oldest_exit_ns || exit_ns < it->oldest_exit_ns)
			it->oldest_exit_ns = exit_ns;
	}
	emit_zombie(task, &w->key, nr, exit_ns);
	return 0;
}

/*
 * The open-coded walk calls a global function: the verifier checks it once,
 * on its own, instead of once per state of the iterator loop (which took
 * 190,000 instructions and about 190 MiB of verifier memory at load).  A
 * trusted BTF pointer argument needs Linux 6.8 ("arg:trusted"); older
 * kernels refuse the program and the collector falls back to pw_walk_all,
 * which calls the static copy below.
 */
__noinline int walk_process(struct task_struct *task __attribute__((btf_decl_tag("arg:trusted"))))
{
	return walk_process_body(task, 0);
}

static __noinline int walk_process_static(struct task_struct *task)
{
	return walk_process_body(task, 1);
}

static long freed_step(__u32 cpu, void *data)
{
	__u32 key = PW_DIAG_SLOTS_FREED;
	__s64 *v = bpf_map_lookup_percpu_elem(&diag, &key, cpu);

	if (v)
		*(__s64 *)data -= *v;
	return 0;
}

static long taken_step(__u32 cpu, void *data)
{
	__u32 key = PW_DIAG_SLOTS_TAKEN;
	__s64 *v = bpf_map_lookup_percpu_elem(&diag, &key, cpu);

	if (v)
		*(__s64 *)data += *v;
	return 0;
}

struct sweep {
	__u64 gen;
	__u64 start;
};

/*
 * A slot whose process the walk did not find had its process released
 * (unhashed) before the walk reached it — as long as it was recorded
 * before the walk began: count the release now, whatever happens to its
 * sched_process_free later (claim() makes the two exclusive).
 */
static long sweep_step(__u32 i, void *data)
{
	struct sweep *sw = data;
	struct pw_exited *e = bpf_map_lookup_elem(&exited, &i);
	struct pw_ns_key key;
	__u64 t, exit_ns;
	__u32 state;

	if (!e)
		return 1;
	t = e->task;
	if (!t || (t & SLOT_BUSY) || e->seen_gen == sw->gen || e->exit_ns >= sw->start)
		return 0;
	state = e->state;
	key = e->ns;
	exit_ns = e->exit_ns;
	if (claim(e, t, LOCKED))
		count_release(state, &key, exit_ns, PW_DIAG_REAPS_BY_WALK, LOCKED);
	return 0;
}

/*
 * The same, for the open-coded walk, which does not mark exiting processes
 * that are not zombies yet: a process still in the pid table under its pid
 * is not released, whatever the walk saw.
 */
static __always_inline long sweep_one_pid(__u32 i, struct sweep *sw)
{
	struct pw_exited *e = bpf_map_lookup_elem(&exited, &i);
	struct task_struct *owner;
	struct pw_ns_key key;
	__u64 t, exit_ns;
	__u32 state;

	if (!e)
		return 1;
	t = e->task;
	if (!t || (t & SLOT_BUSY) || e->seen_gen == sw->gen || e->exit_ns >= sw->start)
		return 0;
	owner = bpf_task_from_pid((s32)e->pid);
	if (owner) {
		bool same = (__u64)(unsigned long)owner == t;

		bpf_task_release(owner);
		if (same)
			return 0;
	}
	state = e->state;
	key = e->ns;
	exit_ns = e->exit_ns;
	if (claim(e, t, LOCKED))
		count_release(state, &key, exit_ns, PW_DIAG_REAPS_BY_WALK, LOCKED);
	return 0;
}

/*
 * The open-coded walk's sweep (Linux 6.8+) runs in a number iterator: no
 * callback per slot, and the array lookup is inlined.  On a node that
 * exits processes all the time every walk sweeps (the frees lag behind
 * RCU), so this is most of a walk's cost there.
 */
static __always_inline void sweep_by_pid(struct sweep *sw)
{
	struct bpf_iter_num it;
	int *i;

	bpf_iter_num_new(&it, 0, (int)exited_mask + 1);
	while ((i = bpf_iter_num_next(&it))) {
		if (sweep_one_pid((__u32)*i, sw))
			break;
	}
	bpf_iter_num_destroy(&it);
}

static __always_inline void walk_begin(void)
{
	if (!iter_start_ns)
		iter_start_ns = bpf_ktime_get_boot_ns();
}

/* After the last process: sweep, but only when some owned slot went unseen. */
static __always_inline void walk_end(int by_pid)
{
	struct sweep sw = { .gen = iter_gen, .start = iter_start_ns };
	__s64 owned = 0;

	if (iter_done)
		return;
	iter_done = 1;
	cache_flush_all();
	/*
	 * Owned slots: taken - freed.  Every CPU's freed first, then every
	 * CPU's taken: a slot is freed only after it was taken, so the result
	 * is never below the truth (a skipped sweep would leave a release
	 * uncounted until the next walk).
	 */
	bpf_loop(nr_cpus, freed_step, &owned, 0);
	bpf_loop(nr_cpus, taken_step, &owned, 0);
	if (owned <= (__s64)iter_slots_seen && !iter_force_sweep)
		return;
	iter_swept = 1;
	if (by_pid)
		sweep_by_pid(&sw);
	else
		bpf_loop(exited_mask + 1, sweep_step, &sw, 0);
}

/*
 * Linux 6.8+: a task iterator bound to one task (the collector's own) runs
 * this once; it walks the processes with the open-coded iterator, which
 * visits thread-group leaders only and takes no reference per task.
 */
SEC("iter/task")
int pw_walk(struct bpf_iter__task *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	if (!ctx->task || iter_done)
		return 0;
	walk_begin();
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it)))
		walk_process(t);
	bpf_iter_task_destroy(&it);
	walk_end(1);
	return 0;
}

/* Older kernels: the task iterator over every thread; the last call has no task. */
SEC("iter/task")
int pw_walk_all(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (!task) {
		walk_end(0);
		return 0;
	}
	walk_begin();
	if (task->pid == task->tgid)	/* processes, not threads */
		walk_process_static(task);
	return 0;
}
