/*
 * sc_model.c — the kernel's rules, one step at a time (see sc_model.h).
 * References are to Linux 6.18; the rules quoted have been the same since
 * at least 5.x, and every one of them is checked against the running kernel
 * by the self-check after each step (/proc: state, PPid, threads).
 */
#include <signal.h>
#include <string.h>

#include "sc_model.h"

void sc_init(struct sc_model *m, bool has_subreaper)
{
	memset(m, 0, sizeof(*m));
	m->np = 1;
	m->nt = 1;
	/* its is_child_subreaper is folded into has: only what it passes on matters */
	m->p[0] = (struct sc_proc){ .leader = 0, .parent_task = -1, .exit_signal = SIGCHLD,
				    .outside = true, .has_subreaper = has_subreaper };
	m->t[0] = (struct sc_task){ .proc = 0 };
	m->init = -1;
}

static struct sc_proc *proc_of(struct sc_model *m, int t)
{
	return &m->p[m->t[t].proc];
}

/*
 * copy_process(): the child's self_exec_id is the parent's (dup_task_struct
 * copies it), parent_exec_id is the parent's self_exec_id, the SIGCHLD action
 * is copied (copy_sighand), has_child_subreaper is the parent's
 * has_child_subreaper || is_child_subreaper, is_child_subreaper starts clear.
 */
int sc_fork(struct sc_model *m, int parent_task, int exit_signal)
{
	const struct sc_proc *par = proc_of(m, parent_task);
	struct sc_proc *c;

	if (m->np >= SC_MAX_PROC || m->nt >= SC_MAX_TASK)
		return -1;
	c = &m->p[m->np];
	*c = (struct sc_proc){
		.leader = m->nt, .parent_task = parent_task, .exit_signal = exit_signal,
		.exec_id = par->exec_id, .parent_exec_id = par->exec_id,
		.disp = par->disp, .nocldwait = par->nocldwait,
		.has_subreaper = par->has_subreaper || par->is_subreaper,
	};
	/* the process outside forks into the namespace (it unshared it): its first child is PID 1 */
	if (par->outside && m->init < 0) {
		c->init = true;
		m->init = m->np;
	}
	m->t[m->nt] = (struct sc_task){ .proc = m->np };
	m->nt++;
	return m->np++;
}

int sc_thread(struct sc_model *m, int p)
{
	if (m->nt >= SC_MAX_TASK)
		return -1;
	m->t[m->nt] = (struct sc_task){ .proc = p };
	return m->nt++;
}

void sc_set_disp(struct sc_model *m, int p, enum sc_disp d, bool nocldwait)
{
	m->p[p].disp = d;
	m->p[p].nocldwait = nocldwait;
}

/*
 * prctl(PR_SET_CHILD_SUBREAPER) (kernel/sys.c): set is_child_subreaper, and
 * walk_process_tree() with propagate_has_child_subreaper(): every child
 * process (of every thread, zombies too) gets has_child_subreaper, and the
 * walk descends into it, except below a child that already had it or is a
 * child reaper.  Clearing the flag clears is_child_subreaper only.
 */
static void propagate_has_subreaper(struct sc_model *m, int p)
{
	/*
	 * Iterative, like the kernel's walk: a stack of processes whose
	 * children are still to visit.  The parent links form a tree and a
	 * child is marked before it is pushed (a marked one is never pushed),
	 * so every process is pushed at most once: SC_MAX_PROC entries do.
	 * The visiting order differs from a recursive walk, the result does
	 * not: what a child gets depends only on its own flags.
	 */
	int todo[SC_MAX_PROC], ntodo = 0, kids[SC_MAX_PROC];

	todo[ntodo++] = p;
	while (ntodo > 0) {
		int n = sc_proc_children(m, todo[--ntodo], kids, SC_MAX_PROC);

		for (int i = 0; i < n; i++) {
			struct sc_proc *c = &m->p[kids[i]];

			if (c->has_subreaper || c->init)
				continue;
			c->has_subreaper = true;
			todo[ntodo++] = kids[i];
		}
	}
}

void sc_set_subreaper(struct sc_model *m, int p, bool on)
{
	m->p[p].is_subreaper = on;
	if (on)
		propagate_has_subreaper(m, p);
}

/*
 * exec (fs/exec.c): de_thread() sets the task's exit_signal back to SIGCHLD
 * ("we have changed execution domain"); begin_new_exec() adds 1 to
 * self_exec_id; flush_signal_handlers(t, 0): a handler becomes SIG_DFL,
 * SIG_IGN stays, sa_flags (SA_NOCLDWAIT) are cleared.  The signal_struct
 * (subreaper flags) is kept.
 */
void sc_exec(struct sc_model *m, int p)
{
	struct sc_proc *pr = &m->p[p];

	pr->exit_signal = SIGCHLD;
	pr->exec_id++;
	if (pr->disp == SC_DISP_HANDLER)
		pr->disp = SC_DISP_DFL;
	pr->nocldwait = false;
}

int sc_task_children(const struct sc_model *m, int t, int *out, int max)
{
	int n = 0;

	for (int i = 0; i < m->np; i++)
		if (m->p[i].parent_task == t && m->p[i].state != SC_GONE && n < max)
			out[n++] = i;
	return n;
}

int sc_proc_children(const struct sc_model *m, int p, int *out, int max)
{
	int n = 0;

	for (int i = 0; i < m->np; i++) {
		int pt = m->p[i].parent_task;

		if (pt >= 0 && m->t[pt].proc == p && m->p[i].state != SC_GONE && n < max)
			out[n++] = i;
	}
	return n;
}

int sc_live_threads(const struct sc_model *m, int p)
{
	int n = 0;

	for (int i = 0; i < m->nt; i++)
		n += m->t[i].proc == p && !m->t[i].exited;
	return n;
}

int sc_unreleased_threads(const struct sc_model *m, int p)
{
	int n = 0;

	if (m->p[p].state == SC_GONE)
		return 0;
	for (int i = 0; i < m->nt; i++)
		n += m->t[i].proc == p && (!m->t[i].exited || i == m->p[p].leader);
	return n;
}

/*
 * find_alive_thread(): the first thread of the group (thread list order:
 * the leader, then creation order) without PF_EXITING.
 */
int sc_first_live_thread(const struct sc_model *m, int p, int except)
{
	for (int i = 0; i < m->nt; i++)
		if (m->t[i].proc == p && !m->t[i].exited && i != except)
			return i;
	return -1;
}

/*
 * do_notify_parent(tsk, sig) (kernel/signal.c): an exit signal other than
 * SIGCHLD becomes SIGCHLD when the parent exec'd since the fork
 * (parent_exec_id != parent->self_exec_id); then, unless ptraced, a SIGCHLD
 * to a parent whose SIGCHLD action is SIG_IGN or has SA_NOCLDWAIT means
 * autoreap.  Decided under the parent's siglock.
 */
static bool notify_autoreaps(const struct sc_model *m, const struct sc_proc *c)
{
	const struct sc_proc *par = &m->p[m->t[c->parent_task].proc];
	int sig = c->exit_signal;

	if (sig != SIGCHLD && c->parent_exec_id != par->exec_id)
		sig = SIGCHLD;
	return sig == SIGCHLD && (par->disp == SC_DISP_IGN || par->nocldwait);
}

/* A released zombie of PID 1 when PID 1 reaps at once (pause). */
static void init_reaps(struct sc_model *m)
{
	if (!m->init_reaps)
		return;
	for (int i = 0; i < m->np; i++)
		if (m->p[i].state == SC_ZOMBIE && m->t[m->p[i].parent_task].proc == m->init) {
			m->p[i].state = SC_GONE;
			m->c.reaped++;
		}
}

/*
 * find_new_reaper() (kernel/exit.c): a live thread of the same group; else,
 * if father->signal->has_child_subreaper, the first ancestor (real_parent
 * chain, same PID-namespace level) with is_child_subreaper and a live
 * thread; else the namespace's child reaper.  The kind is what the
 * collector counts the adoption as.
 */
static int new_reaper(const struct sc_model *m, int father, enum sc_reaper *kind)
{
	const struct sc_proc *fp = &m->p[m->t[father].proc];
	int t = sc_first_live_thread(m, m->t[father].proc, father);

	if (t >= 0) {
		*kind = SC_REAPER_THREAD;
		return t;
	}
	*kind = SC_REAPER_INIT;
	if (fp->has_subreaper) {
		for (int r = fp->parent_task; r >= 0 && !m->p[m->t[r].proc].outside;
		     r = m->p[m->t[r].proc].parent_task) {
			const struct sc_proc *rp = &m->p[m->t[r].proc];

			if (!rp->is_subreaper)
				continue;
			t = sc_first_live_thread(m, m->t[r].proc, -1);
			if (t >= 0) {
				*kind = SC_REAPER_SUBREAPER;
				return t;
			}
		}
	}
	return m->p[m->init].leader;
}

/*
 * forget_original_parent(): every child process of the exiting task goes to
 * the new reaper; when that is another thread group, reparent_leader() sets
 * exit_signal to SIGCHLD and, for a zombie whose thread group is empty,
 * notifies the new parent, which may release it at once (counted reaped:
 * it was counted a zombie exit).  A process whose leader exited while a
 * thread runs is not a zombie here.
 */
static void reparent_children(struct sc_model *m, int father)
{
	int kids[SC_MAX_PROC], n = sc_task_children(m, father, kids, SC_MAX_PROC);
	enum sc_reaper kind;
	int reaper;

	if (!n)
		return;
	reaper = new_reaper(m, father, &kind);
	m->c.orphans[kind] += n;
	for (int i = 0; i < n; i++) {
		struct sc_proc *c = &m->p[kids[i]];

		m->c.orphans_zombie += c->state == SC_ZOMBIE;
		c->parent_task = reaper;
		if (kind == SC_REAPER_THREAD)
			continue;	/* a threaded reparent: nobody is told */
		c->exit_signal = SIGCHLD;
		if (c->state == SC_ZOMBIE && notify_autoreaps(m, c)) {
			c->state = SC_GONE;
			m->c.reaped++;
		}
	}
}

/*
 * do_exit() → exit_notify(): children reparented first; a non-leader thread
 * is released at once; the group's last thread decides for the process,
 * through do_notify_parent() of the leader (exit_notify() when the leader
 * is last, release_task() of the last thread when the leader went first).
 */
void sc_thread_exit(struct sc_model *m, int t)
{
	int p = m->t[t].proc;
	struct sc_proc *pr = &m->p[p];

	reparent_children(m, t);
	m->t[t].exited = true;
	if (sc_live_threads(m, p) == 0) {
		m->c.exits++;
		if (notify_autoreaps(m, pr)) {
			pr->state = SC_GONE;
			m->c.autoreaped++;
		} else {
			pr->state = SC_ZOMBIE;
			m->c.zombie_exits++;
		}
	}
	init_reaps(m);
}

void sc_group_exit(struct sc_model *m, int p)
{
	for (int i = 0; i < m->nt; i++)
		if (m->t[i].proc == p && !m->t[i].exited)
			sc_thread_exit(m, i);
}

int sc_reapable(const struct sc_model *m, int p, int *out, int max)
{
	int kids[SC_MAX_PROC], n = sc_proc_children(m, p, kids, SC_MAX_PROC), k = 0;

	for (int i = 0; i < n; i++)
		if (m->p[kids[i]].state == SC_ZOMBIE && k < max)
			out[k++] = kids[i];
	return k;
}

/*
 * wait_task_zombie() → release_task(): any thread of the parent may reap a
 * child of any other thread (no __WNOTHREAD); with __WALL any exit signal.
 */
int sc_reap(struct sc_model *m, int p, int c)
{
	int pt = m->p[c].parent_task;

	if (m->p[c].state != SC_ZOMBIE || pt < 0 || m->t[pt].proc != p)
		return -1;
	m->p[c].state = SC_GONE;
	m->c.reaped++;
	return 0;
}

void sc_gauges(struct sc_model *m)
{
	m->c.zombies = 0;
	m->c.processes = 0;
	for (int i = 0; i < m->np; i++) {
		if (m->p[i].outside || m->p[i].state == SC_GONE)
			continue;
		m->c.processes++;
		m->c.zombies += m->p[i].state == SC_ZOMBIE;
	}
}
