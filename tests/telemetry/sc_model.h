/*
 * sc_model.h — the kernel's rules for exits, zombies, reaps, autoreaps and
 * orphans (kernel/exit.c, kernel/signal.c, kernel/fork.c, kernel/sys.c of
 * Linux 6.18), as a model of one PID namespace that the self-check drives
 * step by step, so its expected counters can be compared with the collector.
 *
 * Pure bookkeeping: no system call.  Processes and tasks are indices; the
 * self-check maps them to the real ones.
 */
#ifndef SC_MODEL_H
#define SC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SC_MAX_PROC	40
#define SC_MAX_TASK	80

enum sc_reaper { SC_REAPER_INIT, SC_REAPER_SUBREAPER, SC_REAPER_THREAD, SC_REAPER_MAX };

enum sc_disp { SC_DISP_DFL, SC_DISP_IGN, SC_DISP_HANDLER };

enum sc_state {
	SC_ALIVE,	/* some thread has not exited (the leader may have) */
	SC_ZOMBIE,	/* every thread exited, left for wait() */
	SC_GONE,	/* released: reaped, autoreaped */
};

struct sc_task {
	int proc;
	bool exited;		/* do_exit() done; a non-leader is released with it */
	pid_t host_tid;
};

struct sc_proc {
	int leader;		/* task index */
	int parent_task;	/* real_parent (a task), -1 for the process outside */
	int exit_signal;	/* SIGCHLD, 0, SIGUSR1 ... */
	unsigned int exec_id;	/* self_exec_id (exec only in single-threaded processes) */
	unsigned int parent_exec_id;
	enum sc_disp disp;	/* SIGCHLD disposition */
	bool nocldwait;		/* SA_NOCLDWAIT */
	bool is_subreaper, has_subreaper;
	enum sc_state state;
	bool outside;		/* the namespace's creator: not counted */
	bool init;		/* PID 1 of the namespace */
	pid_t host_pid, ns_pid;
};

struct sc_counts {
	long long exits, zombie_exits, reaped, autoreaped;
	long long orphans[SC_REAPER_MAX], orphans_zombie;
	long long zombies, processes;	/* gauges: now */
};

struct sc_model {
	struct sc_proc p[SC_MAX_PROC];
	struct sc_task t[SC_MAX_TASK];
	int np, nt;
	int init;		/* process index of PID 1 */
	bool init_reaps;	/* PID 1 reaps every zombie child at once (pause) */
	struct sc_counts c;	/* events; gauges filled by sc_gauges() */
};

/*
 * The process outside (creator of the namespace, parent of PID 1), as
 * process 0.  has_subreaper: its has_child_subreaper || is_child_subreaper,
 * what every process it forks inherits (copy_process()).
 */
void sc_init(struct sc_model *m, bool has_subreaper);
/* A new process forked by task parent_task: returns its index, -1 when full. */
int sc_fork(struct sc_model *m, int parent_task, int exit_signal);
/* A new thread in process p: returns the task index, -1 when full. */
int sc_thread(struct sc_model *m, int p);
void sc_set_disp(struct sc_model *m, int p, enum sc_disp d, bool nocldwait);
void sc_set_subreaper(struct sc_model *m, int p, bool on);
void sc_exec(struct sc_model *m, int p);
/* Task t exits (SYS_exit).  Everything that follows in the kernel happens here. */
void sc_thread_exit(struct sc_model *m, int t);
/* exit_group()/SIGKILL: every live thread of p exits (no thread of p has children). */
void sc_group_exit(struct sc_model *m, int p);
/* wait() by process p released child c (a zombie child of p): 0, or -1 if not allowed. */
int sc_reap(struct sc_model *m, int p, int c);
/* Zombie children of p a wait() could reap now. */
int sc_reapable(const struct sc_model *m, int p, int *out, int max);

/* Children (processes not released) of task t, or of any thread of process p. */
int sc_task_children(const struct sc_model *m, int t, int *out, int max);
int sc_proc_children(const struct sc_model *m, int p, int *out, int max);
int sc_live_threads(const struct sc_model *m, int p);
/* Tasks of p not released yet (/proc's Threads: the leader counts until the process goes). */
int sc_unreleased_threads(const struct sc_model *m, int p);
int sc_first_live_thread(const struct sc_model *m, int p, int except);
/* Zombies and processes of the namespace now, into m->c. */
void sc_gauges(struct sc_model *m);

#endif
