// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pausewatch.bpf.c — zombies, orphans and signals per PID namespace, from
 * tracepoints only (no kprobes, no fentry).
 *
 * Kernel ordering this relies on (kernel/exit.c, v6.18):
 *   do_exit: signal->live-- → trace_sched_process_exit → exit_notify
 *            (reparent children → EXIT_ZOMBIE → notify parent or autoreap)
 *   wait()/kernel: release_task → ... RCU → trace_sched_process_free
 * There is no tracepoint at the moment of the reap, so "reaped" is seen at
 * sched_process_free (one RCU grace period later), and the exit-to-reap dwell
 * time is an upper bound by that much.
 *
 * Per-process state (exit time, namespace, zombie or not) lives from exit to
 * free in a slot of a pid-indexed array owned by the task_struct's address:
 * no allocation or hashing per process, and PID reuse cannot confuse it.
 * Zombies right now, and everything that existed before the collector
 * started, come from a task iterator walk at snapshot time (pw_snapshot), so
 * the zombie gauge is read from the kernel's own state rather than predicted.
 *
 * Every event program has a raw_tp twin (…_raw) that the collector loads
 * when the kernel refuses the tp_btf set.
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
#define PF_EXITING	0x00000004
#define EXIT_ZOMBIE	0x00000020
#define SIGNAL_GROUP_EXIT 0x00000004
#define SIGNAL_UNKILLABLE 0x00000040
#define MAX_PID_NS_LEVEL 32

/* Bounds of the walks that mirror find_new_reaper(). */
#define MAX_THREAD_WALK		4096
#define MAX_ANCESTOR_WALK	64
#define MAX_CHILDREN_WALK	(1 << 17)

/* Knobs, set by the collector before load. */
const volatile __u32 max_zombies = 1024;

/* Written by the collector before each snapshot walk (mmaped .bss). */
__u64 iter_gen;
__u32 iter_listed;
__u32 iter_unlisted;
/* The walk's own bookkeeping (see pw_snapshot). */
__u64 iter_last_task;
__u32 iter_last_listed;
__u32 iter_ns_missed;	/* namespaces this walk could not record: retire none */

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
 * Exited processes until they are freed: a direct-mapped table indexed by
 * host pid (pid & exited_mask; sized to pid_max up to a cap by the
 * collector).  No allocation, no hashing, no lock on the exit path.  A slot
 * is owned by the task_struct address written in it; a task that finds its
 * slot taken by another, not yet freed, task evicts it and counts the loss.
 */
const volatile __u32 exited_mask = 65535;

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
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct pw_ns_key);
	__type(value, struct pw_iter_ns);
} iter_ns SEC(".maps");

static __always_inline void drop(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &what);

	if (n)
		*n += 1;	/* per-CPU slot: no atomics needed */
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
	key->inum = ns->ns.inum;
	key->pad = 0;
	if (bpf_core_field_exists(ns->ns.ns_id))
		key->id = ns->ns.ns_id;
	else
		key->id = ns->child_reaper->group_leader->start_time;
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
	return st;
}

static __always_inline struct pw_sig_stats *sig_stats_get(const struct pw_sig_key *key)
{
	struct pw_sig_stats *ss = bpf_map_lookup_elem(&sig_stats, key);

	if (ss)
		return ss;
	bpf_map_update_elem(&sig_stats, key, &zero_sig_stats, BPF_NOEXIST);
	ss = bpf_map_lookup_elem(&sig_stats, key);
	if (!ss)
		drop(PW_DROP_SIG_FULL);
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
	if (BPF_CORE_READ(child, exit_state) & EXIT_ZOMBIE)
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

/* ---- exits ---------------------------------------------------------- */

/*
 * Will the leader be left for wait(), or released at once?  Mirrors
 * exit_notify()/do_notify_parent(): only a SIGCHLD exit_signal to a parent
 * that ignores SIGCHLD or set SA_NOCLDWAIT autoreaps; ptraced tasks always
 * wait for their tracer.
 */
static __always_inline int leaves_zombie(struct task_struct *leader)
{
	struct task_struct *parent;
	struct sighand_struct *sh;
	unsigned long handler, flags;

	if (leader->exit_signal != SIGCHLD || leader->ptrace)
		return 1;
	parent = leader->real_parent;
	sh = parent ? parent->sighand : NULL;
	if (!sh)
		return 1;
	handler = (unsigned long)sh->action[SIGCHLD - 1].sa.sa_handler;
	flags = sh->action[SIGCHLD - 1].sa.sa_flags;
	return !(handler == SIG_IGN || (flags & SA_NOCLDWAIT));
}

/*
 * Remember an exited process until it is freed.  Returns 1 if this exit was
 * already recorded by another thread of the same process (only possible
 * without group_dead: two last threads can both see signal->live == 0).
 */
static __always_inline int remember_exit(struct task_struct *leader, const struct pw_ns_key *key,
					 int zombie, int group_dead_exact)
{
	__u64 me = (__u64)(unsigned long)leader;
	struct pw_exited *e = exited_slot(leader->pid);
	__u64 prev;

	if (!e)
		return 0;
	/* only racing last threads (no group_dead) need the atomic exchange */
	if (group_dead_exact) {
		prev = e->task;
		e->task = me;
	} else {
		prev = __sync_lock_test_and_set(&e->task, me);
		if (prev == me)
			return 1;
	}
	if (prev)	/* a process not freed yet: its reap will not be seen */
		drop(PW_DROP_EXIT_SLOT_EVICTED);
	e->exit_ns = bpf_ktime_get_boot_ns();
	e->ns = *key;
	e->zombie = zombie;
	return 0;
}

static __always_inline int on_exit(struct task_struct *task, int group_dead, int group_dead_exact)
{
	struct task_struct *leader;
	struct pw_ns_stats *st;
	struct pid_namespace *ns;
	struct list_walk w = {};
	struct pw_ns_key key;
	int zombie;

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
	zombie = leaves_zombie(leader);
	if ((zombie || !group_dead_exact) && remember_exit(leader, &key, zombie, group_dead_exact))
		return 0;
	st = ns_stats_get(&key, ns);
	if (!st)
		return 0;
	/* the total last: a reader that sees it also sees its parts */
	__sync_fetch_and_add(zombie ? &st->zombie_exits : &st->autoreaped, 1);
	__sync_fetch_and_add(&st->exits, 1);
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
	return on_exit(task, group_dead, 1);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(pw_exit_v616_raw, struct task_struct *task, bool group_dead)
{
	return on_exit(bpf_get_current_task_btf(), group_dead, 1);
}

/* Older kernels: one argument; group_dead is signal->live reaching zero. */
static __always_inline int on_exit_legacy(struct task_struct *task)
{
	struct signal_struct *signal = task->signal;

	return on_exit(task, signal && signal->live.counter == 0, 0);
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

/* ---- reaps ---------------------------------------------------------- */

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

static __always_inline int on_free(__u64 me, __u32 pid)
{
	struct pw_exited *e = exited_slot(pid);
	struct pw_ns_stats *st;
	__u64 dwell;
	__u32 slot;

	if (!e || e->task != me)	/* threads, and exits not remembered */
		return 0;
	/* lookup only: a namespace the collector already retired stays retired */
	st = e->zombie ? bpf_map_lookup_elem(&ns_stats, &e->ns) : NULL;
	if (st) {
		dwell = bpf_ktime_get_boot_ns() - e->exit_ns;
		slot = log2_slot(dwell / 1000);
		__sync_fetch_and_add(&st->dwell_sum_ns, dwell);
		if (slot < PW_HIST_SLOTS)
			__sync_fetch_and_add(&st->dwell_hist[slot], 1);
		__sync_fetch_and_add(&st->reaped, 1);	/* last, like exits */
	}
	/* free the slot unless a new process with the same slot took it meanwhile */
	__sync_val_compare_and_swap(&e->task, me, 0);
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

static __always_inline void count_generated(int sig, __u32 res, struct pw_sig_key *key,
					    struct task_struct *task)
{
	struct pw_sig_stats *ss;

	key->sig = sig;
	ss = sig_stats_get(key);
	if (!ss)
		return;
	__sync_fetch_and_add(&ss->generated[res], 1);
	if (res == PW_SIG_IGNORED && ignored_by_init(task, sig))
		__sync_fetch_and_add(&ss->ignored_by_init, 1);
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
	count_generated(sig, res, &key, task);
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
	count_generated(sig, res, &key, task);
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
	__sync_fetch_and_add(&ss->delivered[action], 1);
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

static __always_inline struct pw_iter_ns *iter_ns_get(const struct pw_ns_key *key,
						      struct pid_namespace *ns)
{
	struct pw_iter_ns *it = bpf_map_lookup_elem(&iter_ns, key);

	if (!it) {
		bpf_map_update_elem(&iter_ns, key, &zero_iter_ns, BPF_NOEXIST);
		it = bpf_map_lookup_elem(&iter_ns, key);
		if (!it) {
			drop(PW_DROP_ITER_NS_FULL);
			iter_ns_missed++;
			return NULL;
		}
	}
	if (it->gen != iter_gen) {
		it->gen = iter_gen;
		it->processes = 0;
		it->zombies = 0;
		it->zombies_unknown_exit = 0;
		it->oldest_exit_ns = 0;
		it->init_tgid = BPF_CORE_READ(ns, child_reaper, tgid);
		it->level = BPF_CORE_READ(ns, level);
	}
	return it;
}

static __always_inline void emit_zombie(struct seq_file *seq, struct task_struct *task,
					const struct pw_ns_key *key, int nr, __u64 exit_ns)
{
	struct pw_zombie_rec rec = {};
	struct task_struct *parent = task->real_parent;
	struct signal_struct *sig = task->signal;

	rec.ns = *key;
	rec.exit_ns = exit_ns;
	rec.start_ns = task->start_time;
	rec.pid = task->tgid;
	rec.pid_in_ns = nr;
	rec.ppid = parent ? parent->tgid : 0;
	rec.exit_status = (sig->flags & SIGNAL_GROUP_EXIT) ? sig->group_exit_code : task->exit_code;
	bpf_probe_read_kernel_str(rec.comm, sizeof(rec.comm), task->comm);
	if (parent)
		bpf_probe_read_kernel_str(rec.parent_comm, sizeof(rec.parent_comm), parent->comm);
	bpf_seq_write(seq, &rec, sizeof(rec));
}

SEC("iter/task")
int pw_snapshot(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct pw_exited *e;
	struct pid_namespace *ns;
	struct pw_iter_ns *it;
	struct pw_ns_key key;
	__u64 exit_ns = 0;
	int nr = 0, again;

	if (!task || task->pid != task->tgid)	/* processes, not threads */
		return 0;
	/*
	 * A zombie is what wait() could reap now: an exited leader that is the
	 * last of its group.  A leader whose threads run on (or are still being
	 * released) shows "Z" in /proc but is not one (delay_group_leader()).
	 */
	if (!(task->exit_state & EXIT_ZOMBIE) || task->signal->nr_threads > 1)
		goto count_only;
	e = exited_slot(task->pid);
	if (e && e->task == (__u64)(unsigned long)task)
		exit_ns = e->exit_ns;

	/*
	 * When a record does not fit the reader's buffer, seq_file shows the
	 * same task again on the next read(): count each task once.
	 */
	again = iter_last_task == (__u64)(unsigned long)task;
	iter_last_task = (__u64)(unsigned long)task;
	ns = task_pidns(task, &key, &nr);
	if (!ns) {
		if (!again)
			drop(PW_DROP_NS_UNRESOLVED);
		return 0;
	}
	if (!again) {
		it = iter_ns_get(&key, ns);
		if (it) {
			it->processes++;
			it->zombies++;
			if (!exit_ns)
				it->zombies_unknown_exit++;
			else if (!it->oldest_exit_ns || exit_ns < it->oldest_exit_ns)
				it->oldest_exit_ns = exit_ns;
		}
		iter_last_listed = iter_listed < max_zombies;
		if (iter_last_listed)
			iter_listed++;
		else
			iter_unlisted++;
	}
	if (iter_last_listed)
		emit_zombie(ctx->meta->seq, task, &key, nr, exit_ns);
	return 0;

count_only:
	/* no record is written for a live process, so it is never shown twice */
	ns = task_pidns(task, &key, &nr);
	if (!ns) {
		drop(PW_DROP_NS_UNRESOLVED);
		return 0;
	}
	it = iter_ns_get(&key, ns);
	if (it)
		it->processes++;
	return 0;
}
