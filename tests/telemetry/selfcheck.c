/*
 * selfcheck — randomized process trees against the collector, exactly.
 *
 *	selfcheck [--runs N] [--base SEED] [--budget SECONDS] [--model-only] [-v]
 *	selfcheck --seed SEED [-v]          (replay one run, with its steps)
 *	selfcheck --model-only ...          (the model against /proc only, no collector)
 *
 * Each run makes a PID namespace with one of four kinds of PID 1 (a lazy
 * init that reaps only when told, our pause, an init that ignores SIGCHLD,
 * a subreaper init with a chain of subreapers below), then drives a random
 * tree of puppet processes and threads one step at a time: fork, vfork,
 * clone with another exit signal, threads, exec, SIGCHLD to SIG_DFL /
 * SIG_IGN / a handler, SA_NOCLDWAIT, subreapers, thread and process exits,
 * SIGKILL, waitpid of any, one or all children, no wait at all.  A model of the
 * kernel's rules (sc_model.c) predicts every step; after each one the
 * kernel's own state (/proc: state, parent, threads) must match the model,
 * so the model is checked too.  At the end the collector's counters for
 * the namespace must equal the model's: exits, zombie exits, reaps,
 * autoreaps, orphans by reaper, orphans already zombie, zombies, processes.
 * A failure prints the seed; --seed replays it.
 *
 * The self-check is a subreaper (strays come to it), so every process of
 * every run inherits has_child_subreaper: orphans always take the subreaper
 * walk of find_new_reaper(), as under a container shim that reaps.
 *
 * Environment: PAUSE (our pause, for that kind of PID 1; without it the
 * kind is skipped), PW_TEST_VARIANT / PW_TEST_ATTACH / PW_TEST_WALK as for telemetry_it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "sc_model.h"
#include "sc_puppet.h"
#include "tap.h"

#define STEP_TIMEOUT	10.0	/* a puppet's answer, the kernel reaching the model's state */
#define COUNT_TIMEOUT	20.0	/* the collector reaching the model's counters (RCU-late frees) */
#define MAX_FAILURES	5
#define LOG_SIZE	16384

enum init_kind { INIT_LAZY, INIT_PAUSE, INIT_IGNORE, INIT_SUBREAPER, INIT_KINDS };
static const char *const init_names[INIT_KINDS] = { "lazy", "pause", "ignores-SIGCHLD", "subreaper-chain" };

struct run {
	uint64_t seed, rng;
	enum init_kind kind;
	struct sc_model m;
	struct puppet_shm *shm;
	int memfd;
	pid_t middle;
	unsigned int inum;
	int steps;
	char log[LOG_SIZE];
	size_t log_len;
	char why[512];		/* first disagreement */
};

static struct pw_collector *g_collector;
static const char *g_pause;
static bool g_verbose;
static bool g_model_only;	/* --model-only: the model against the kernel, no collector */

/* ---- small things ---------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* splitmix64: a seed gives the same run on every machine */
static uint64_t rnd(struct run *r)
{
	uint64_t z = (r->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int pick(struct run *r, int n)
{
	return n > 0 ? (int)(rnd(r) % (uint64_t)n) : 0;
}

__attribute__((format(printf, 2, 3)))
static void logf_(struct run *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->log_len >= sizeof(r->log) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->log + r->log_len, sizeof(r->log) - r->log_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->log_len += (size_t)n < sizeof(r->log) - r->log_len ? (size_t)n : sizeof(r->log) - r->log_len - 1;
}

__attribute__((format(printf, 2, 3)))
static int disagree(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->why[0]) {
		va_start(ap, fmt);
		vsnprintf(r->why, sizeof(r->why), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool is_workload(const struct run *r, int p)
{
	return p != 0 && p != r->m.init;
}

static bool puppet_proc(const struct run *r, int p)
{
	return r->m.p[p].state == SC_ALIVE && !(p == r->m.init && r->kind == INIT_PAUSE);
}

/* ---- the kernel's view: /proc ----------------------------------------- */

struct pstatus {
	char state;
	pid_t ppid;
	int threads;
};

/* The number after "\nKEY\t" in a /proc status text, or -1 if absent or not one. */
static long status_num(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);
	char *end;
	long v;

	if (!p)
		return -1;
	p += strlen(key);
	errno = 0;
	v = strtol(p, &end, 10);
	if (end == p || errno || v < 0 || v > INT_MAX || (*end != '\n' && *end != '\0'))
		return -1;
	return v;
}

static int read_status(pid_t pid, struct pstatus *st)
{
	char path[64], buf[4096], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	st->state = (p = strstr(buf, "\nState:\t")) ? p[8] : '?';
	st->ppid = (pid_t)status_num(buf, "\nPPid:\t");
	st->threads = (int)status_num(buf, "\nThreads:\t");
	return 0;
}

/* Does process p look in /proc as the model says?  0, or -1 with r->why set. */
static int proc_agrees(struct run *r, int p)
{
	const struct sc_proc *pr = &r->m.p[p];
	bool leader_gone = r->m.t[pr->leader].exited;
	struct pstatus st;
	pid_t want_ppid;

	if (read_status(pr->host_pid, &st))
		return pr->state == SC_GONE ? 0 : disagree(r, "process %d (pid %d) is gone, model: %s", p,
							   pr->host_pid, pr->state == SC_ZOMBIE ? "zombie" : "alive");
	if (pr->state == SC_GONE)
		return disagree(r, "process %d (pid %d) still there (%c), model: released", p, pr->host_pid, st.state);
	if ((st.state == 'Z') != leader_gone)
		return disagree(r, "process %d (pid %d) state %c, model: leader %s", p, pr->host_pid, st.state,
				leader_gone ? "exited" : "alive");
	if (st.threads != sc_unreleased_threads(&r->m, p))
		return disagree(r, "process %d (pid %d) has %d threads, model: %d", p, pr->host_pid, st.threads,
				sc_unreleased_threads(&r->m, p));
	want_ppid = r->m.p[r->m.t[pr->parent_task].proc].host_pid;
	if (st.ppid != want_ppid)
		return disagree(r, "process %d (pid %d) parent %d, model: %d (process %d)", p, pr->host_pid,
				st.ppid, want_ppid, r->m.t[pr->parent_task].proc);
	for (int t = 0; t < r->m.nt; t++) {
		char path[96];
		bool there;

		if (r->m.t[t].proc != p || t == pr->leader || pr->state == SC_GONE)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d", pr->host_pid, r->m.t[t].host_tid);
		there = access(path, F_OK) == 0;
		if (there == r->m.t[t].exited)
			return disagree(r, "task %d (tid %d) %s, model: %s", t, r->m.t[t].host_tid,
					there ? "still there" : "gone", r->m.t[t].exited ? "exited" : "running");
	}
	return 0;
}

/* Wait until every process of the namespace is as the model says. */
static int kernel_agrees(struct run *r)
{
	double end = now() + STEP_TIMEOUT;

	for (;;) {
		int bad = 0;

		r->why[0] = 0;
		for (int p = 1; p < r->m.np && !bad; p++)
			if (p != r->m.init)
				bad = proc_agrees(r, p) != 0;
		if (!bad)
			return 0;
		if (now() > end)
			return -1;
		usleep(300);
	}
}

/* ---- steps ------------------------------------------------------------ */

static int post_wait(struct run *r, int task, int op, int a0, int a1, int a2)
{
	uint32_t seq = puppet_post(r->shm, task, op, a0, a1, a2);

	if (puppet_wait_ack(r->shm, task, seq, STEP_TIMEOUT))
		return disagree(r, "task %d did not answer operation %d", task, op);
	if (r->shm->slot[task].err)
		return disagree(r, "task %d: operation %d failed: %s", task, op, strerror(r->shm->slot[task].err));
	return 0;
}

static int born(struct run *r, int task)
{
	struct puppet_slot *s = &r->shm->slot[task];

	if (puppet_wait_born(r->shm, task, STEP_TIMEOUT))
		return disagree(r, "new task %d never started", task);
	r->m.t[task].host_tid = s->host_tid;
	if (r->m.p[r->m.t[task].proc].leader == task) {
		r->m.p[r->m.t[task].proc].host_pid = s->host_tgid;
		r->m.p[r->m.t[task].proc].ns_pid = s->ns_tgid;
	}
	return 0;
}

static const char *const fork_names[FORK_KINDS] = { "fork", "vfork+exit", "vfork+exec", "clone+exec", "clone" };

static int step_fork(struct run *r, int t, int kind, int sig)
{
	int slot = r->m.nt, c;

	logf_(r, "  task %d (process %d): %s, exit signal %d -> process %d\n", t, r->m.t[t].proc,
	      fork_names[kind], sig, r->m.np);
	if (post_wait(r, t, OP_FORK, kind, slot, sig))
		return -1;
	c = sc_fork(&r->m, t, sig);
	if (c < 0 || born(r, slot))
		return -1;
	if (kind == FORK_VFORK_EXEC || kind == FORK_CLONE_EXEC)
		sc_exec(&r->m, c);
	if (kind == FORK_VFORK_EXIT)
		sc_thread_exit(&r->m, slot);
	return 0;
}

static int step_thread(struct run *r, int t)
{
	int slot = r->m.nt;

	logf_(r, "  task %d (process %d): new thread -> task %d\n", t, r->m.t[t].proc, slot);
	if (post_wait(r, t, OP_THREAD, 0, slot, 0) || sc_thread(&r->m, r->m.t[t].proc) != slot)
		return -1;
	return born(r, slot);
}

static const char *const disp_names[] = { "SIG_DFL", "SIG_IGN", "handler" };

static int step_disp(struct run *r, int t, int disp, bool nocldwait)
{
	logf_(r, "  process %d: SIGCHLD %s%s\n", r->m.t[t].proc, disp_names[disp], nocldwait ? "|SA_NOCLDWAIT" : "");
	if (post_wait(r, t, OP_DISP, disp, nocldwait, 0))
		return -1;
	sc_set_disp(&r->m, r->m.t[t].proc, disp, nocldwait);
	return 0;
}

static int step_subreaper(struct run *r, int t, bool on)
{
	logf_(r, "  process %d: subreaper %s\n", r->m.t[t].proc, on ? "on" : "off");
	if (post_wait(r, t, OP_SUBREAPER, on, 0, 0))
		return -1;
	sc_set_subreaper(&r->m, r->m.t[t].proc, on);
	return 0;
}

static int step_exec(struct run *r, int t)
{
	logf_(r, "  process %d: exec\n", r->m.t[t].proc);
	if (post_wait(r, t, OP_EXEC, 0, 0, 0))
		return -1;
	sc_exec(&r->m, r->m.t[t].proc);
	return 0;
}

/* The process whose pid (as waiter p sees it) is pid. */
static int proc_by_pid(const struct run *r, int waiter, pid_t pid)
{
	for (int i = 1; i < r->m.np; i++)
		if ((waiter == 0 ? r->m.p[i].host_pid : r->m.p[i].ns_pid) == pid)
			return i;
	return -1;
}

static int reaped_one(struct run *r, int p, pid_t pid)
{
	int c = proc_by_pid(r, p, pid);

	if (c < 0 || sc_reap(&r->m, p, c))
		return disagree(r, "process %d reaped pid %d, model: %s", p, pid,
				c < 0 ? "no such process" : "not its zombie child");
	logf_(r, "    reaped process %d\n", c);
	return 0;
}

/* waitpid(-1, WNOHANG): one of the zombies the model allows, or none when there is none. */
static int step_wait_any(struct run *r, int t)
{
	int p = r->m.t[t].proc, z[SC_MAX_PROC], kids[SC_MAX_PROC];
	int nz = sc_reapable(&r->m, p, z, SC_MAX_PROC), nk = sc_proc_children(&r->m, p, kids, SC_MAX_PROC);
	struct puppet_slot *s = &r->shm->slot[t];
	uint32_t seq;

	logf_(r, "  process %d: waitpid(-1, WNOHANG)\n", p);
	seq = puppet_post(r->shm, t, OP_WAIT_ANY, 0, 0, 0);
	if (puppet_wait_ack(r->shm, t, seq, STEP_TIMEOUT))
		return disagree(r, "task %d did not answer wait", t);
	if (s->r0 > 0)
		return reaped_one(r, p, s->r0);
	if (s->r0 == 0 ? nz != 0 || nk == 0 : nk != 0 || s->err != ECHILD)
		return disagree(r, "process %d: waitpid(-1) returned %d (%s), model: %d children, %d zombies", p,
				s->r0, s->r0 < 0 ? strerror(s->err) : "none ready", nk, nz);
	return 0;
}

static int step_wait_pid(struct run *r, int t, int c)
{
	int p = r->m.t[t].proc;
	pid_t pid = p == 0 ? r->m.p[c].host_pid : r->m.p[c].ns_pid;
	struct puppet_slot *s = &r->shm->slot[t];
	uint32_t seq;

	logf_(r, "  process %d: waitpid(process %d, WNOHANG)\n", p, c);
	seq = puppet_post(r->shm, t, OP_WAIT_PID, pid, 0, 0);
	if (puppet_wait_ack(r->shm, t, seq, STEP_TIMEOUT))
		return disagree(r, "task %d did not answer wait", t);
	if (s->r0 == pid)
		return reaped_one(r, p, pid);
	if (s->r0 != 0 || r->m.p[c].state == SC_ZOMBIE)
		return disagree(r, "process %d: waitpid(%d) returned %d (%s), model: %s", p, pid, s->r0,
				s->r0 < 0 ? strerror(s->err) : "not ready",
				r->m.p[c].state == SC_ZOMBIE ? "a zombie child" : "a running child");
	return 0;
}

static int step_wait_all(struct run *r, int t)
{
	int p = r->m.t[t].proc, z[SC_MAX_PROC], nz = sc_reapable(&r->m, p, z, SC_MAX_PROC);
	struct puppet_slot *s = &r->shm->slot[t];

	logf_(r, "  process %d: reap all\n", p);
	if (post_wait(r, t, OP_WAIT_ALL, 0, 0, 0))
		return -1;
	if (s->r0 != nz)
		return disagree(r, "process %d reaped %d, model: %d zombie children", p, s->r0, nz);
	for (int i = 0; i < s->r0; i++)
		if (reaped_one(r, p, s->r[i]))
			return -1;
	return 0;
}

static int step_exit(struct run *r, int t)
{
	logf_(r, "  task %d (process %d%s): exit\n", t, r->m.t[t].proc,
	      r->m.p[r->m.t[t].proc].leader == t ? ", leader" : "");
	puppet_post(r->shm, t, OP_EXIT, pick(r, 4), 0, 0);
	sc_thread_exit(&r->m, t);
	return 0;
}

static int step_group_exit(struct run *r, int p, bool by_kill)
{
	logf_(r, "  process %d: %s\n", p, by_kill ? "SIGKILL" : "exit_group");
	if (by_kill)
		kill(r->m.p[p].host_pid, SIGKILL);
	else
		puppet_post(r->shm, sc_first_live_thread(&r->m, p, -1), OP_EXIT_GROUP, pick(r, 4), 0, 0);
	sc_group_exit(&r->m, p);
	return 0;
}

/* ---- the generator ---------------------------------------------------- */

/* A live task of a process that serves commands, chosen at random (workloads only: -1 none). */
static int random_task(struct run *r, bool workload_only)
{
	int cand[SC_MAX_TASK], n = 0;

	for (int t = 0; t < r->m.nt; t++) {
		int p = r->m.t[t].proc;

		if (!r->m.t[t].exited && puppet_proc(r, p) && (!workload_only || is_workload(r, p)))
			cand[n++] = t;
	}
	return n ? cand[pick(r, n)] : -1;
}

static bool any_thread_has_children(const struct run *r, int p)
{
	int kids[SC_MAX_PROC];

	return sc_proc_children(&r->m, p, kids, SC_MAX_PROC) > 0;
}

static int random_fork(struct run *r, int t)
{
	static const int sigs[] = { 0, SIGUSR1, SIGCHLD };
	int p = r->m.t[t].proc, kind = FORK_FORK, roll = pick(r, 100);

	if (r->m.np >= SC_MAX_PROC - 1 || r->m.nt >= SC_MAX_TASK - 1)
		return 1;
	if (is_workload(r, p))
		kind = roll < 50 ? FORK_FORK : roll < 60 ? FORK_VFORK_EXIT : roll < 70 ? FORK_VFORK_EXEC :
		       roll < 80 ? FORK_CLONE_EXEC : FORK_CLONE;
	return step_fork(r, t, kind, kind >= FORK_CLONE_EXEC ? sigs[pick(r, 3)] : SIGCHLD);
}

/* One random step; 1: nothing done (try another), -1: disagreement. */
static int random_step(struct run *r)
{
	int roll = pick(r, 100), t = random_task(r, roll >= 50), p, kids[SC_MAX_PROC], n;

	if (t < 0)
		return 1;
	p = r->m.t[t].proc;
	if (roll < 30)
		return random_fork(r, t);
	if (roll < 40) {
		n = sc_proc_children(&r->m, p, kids, SC_MAX_PROC);
		return pick(r, 3) == 0 ? step_wait_all(r, t) : n && pick(r, 2) ? step_wait_pid(r, t, kids[pick(r, n)])
									: step_wait_any(r, t);
	}
	if (roll < 50) {
		if (p == r->m.init && r->kind != INIT_LAZY)
			return 1;	/* that init's SIGCHLD action is its kind */
		return step_disp(r, t, pick(r, 3), pick(r, 4) == 0);
	}
	/* workload processes only from here */
	if (roll < 58)
		return sc_live_threads(&r->m, p) >= 4 || r->m.nt >= SC_MAX_TASK - 1 ? 1 : step_thread(r, t);
	if (roll < 63)
		return step_subreaper(r, t, pick(r, 3) != 0);
	if (roll < 68)
		return sc_live_threads(&r->m, p) == 1 && !r->m.t[r->m.p[p].leader].exited ? step_exec(r, t) : 1;
	if (roll < 84)
		return step_exit(r, t);
	if (sc_live_threads(&r->m, p) > 1 && any_thread_has_children(r, p))
		return 1;	/* concurrent thread exits would race for the orphans */
	return step_group_exit(r, p, roll >= 94);
}

/* ---- one run ------------------------------------------------------------ */

static __attribute__((noreturn)) void middle_main(struct run *r, pid_t coordinator)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct puppet_shm *shm;
	pid_t init;

	/* if the self-check dies, so does the namespace (PID 1 follows us) */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != coordinator || null < 0 || dup2(r->memfd, PUPPET_FD) < 0 || dup2(null, 0) < 0 ||
	    dup2(null, 1) < 0)
		_exit(120);
	close_range(PUPPET_FD + 1, ~0U, 0);
	signal(SIGUSR1, SIG_IGN);	/* kept by every puppet: an exit signal SIGUSR1 kills nobody */
	signal(SIGCHLD, SIG_DFL);
	shm = puppet_map();
	if (!shm || unshare(CLONE_NEWPID))
		_exit(121);
	init = fork();
	if (init == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (r->kind != INIT_PAUSE)
			puppet_serve(shm, 1);
		dup2(1, 2);
		execl(g_pause, "pause", (char *)NULL);
		_exit(127);
	}
	if (init < 0)
		_exit(122);
	if (r->kind == INIT_PAUSE) {
		shm->slot[1].host_tgid = shm->slot[1].host_tid = init;
		shm->slot[1].ns_tgid = shm->slot[1].ns_tid = 1;
		atomic_store(&shm->slot[1].born, 1);
	}
	puppet_serve(shm, 0);
}

static int start_run(struct run *r)
{
	char path[64];
	struct stat st;
	pid_t self = getpid();
	int init;

	r->memfd = memfd_create("selfcheck", 0);
	if (r->memfd < 0 || ftruncate(r->memfd, sizeof(struct puppet_shm)))
		return disagree(r, "memfd: %s", strerror(errno));
	r->shm = mmap(NULL, sizeof(struct puppet_shm), PROT_READ | PROT_WRITE, MAP_SHARED, r->memfd, 0);
	if (r->shm == MAP_FAILED) {
		r->shm = NULL;
		return disagree(r, "mmap: %s", strerror(errno));
	}
	/*
	 * We are a subreaper (strays come to us), so the creator and every
	 * process of the namespace inherit has_child_subreaper: every orphan
	 * goes through the subreaper walk, as under containerd-shim.
	 */
	sc_init(&r->m, true);
	r->middle = fork();
	if (r->middle == 0)
		middle_main(r, self);
	if (r->middle < 0 || born(r, 0))
		return disagree(r, "cannot start the namespace's creator");
	r->m.p[0].host_pid = r->middle;
	init = sc_fork(&r->m, 0, SIGCHLD);
	if (born(r, r->m.p[init].leader))
		return -1;
	r->m.init_reaps = r->kind == INIT_PAUSE;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", r->m.p[init].host_pid);
	if (stat(path, &st))
		return disagree(r, "%s: %s", path, strerror(errno));
	r->inum = (unsigned int)st.st_ino;
	logf_(r, "  PID 1 (%s) is host pid %d, namespace %u\n", init_names[r->kind], r->m.p[init].host_pid, r->inum);
	return 0;
}

/* The kind's setup: PID 1's SIGCHLD action or subreaper flag, the first workload process. */
static int setup_kind(struct run *r)
{
	int init_task = r->m.p[r->m.init].leader, root;

	if (r->kind == INIT_IGNORE &&
	    (pick(r, 2) ? step_disp(r, init_task, SC_DISP_IGN, false) : step_disp(r, init_task, SC_DISP_DFL, true)))
		return -1;
	if (r->kind == INIT_SUBREAPER && step_subreaper(r, init_task, true))
		return -1;
	/* the first workload process: a child of the creator outside, or of PID 1 */
	if (step_fork(r, r->kind == INIT_PAUSE || pick(r, 2) ? 0 : init_task, FORK_FORK, SIGCHLD))
		return -1;
	root = r->m.np - 1;
	if (r->kind == INIT_SUBREAPER) {
		/* a chain: root -> subreaper -> subreaper -> the rest below */
		for (int i = 0; i < 2; i++) {
			int t = r->m.p[root].leader;

			if (step_fork(r, t, FORK_FORK, SIGCHLD))
				return -1;
			root = r->m.np - 1;
			if (step_subreaper(r, r->m.p[root].leader, true))
				return -1;
		}
	}
	return kernel_agrees(r);
}

static void stop_run(struct run *r)
{
	double end = now() + STEP_TIMEOUT;
	int status;

	if (r->middle > 0) {
		if (r->shm && r->m.init > 0)
			puppet_post(r->shm, 0, OP_TEARDOWN, r->m.p[r->m.init].host_pid, 0, 0);
		while (waitpid(r->middle, &status, WNOHANG) == 0) {
			if (now() > end) {
				kill(r->middle, SIGKILL);
				if (r->m.init > 0 && r->m.p[r->m.init].host_pid > 0)
					kill(r->m.p[r->m.init].host_pid, SIGKILL);
				waitpid(r->middle, &status, 0);
				break;
			}
			usleep(1000);
		}
	}
	/* strays that fell to us (we are a subreaper): none expected */
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	if (r->shm)
		munmap(r->shm, sizeof(struct puppet_shm));
	if (r->memfd >= 0)
		close(r->memfd);
	r->shm = NULL;
	r->memfd = -1;
	r->middle = 0;
}

/* ---- the collector's view -------------------------------------------- */

static const struct pw_namespace *find_row(const struct pw_snapshot *s, const struct run *r)
{
	const struct pw_namespace *gone = NULL;

	for (size_t i = 0; i < s->n_ns; i++) {
		const struct pw_namespace *ns = &s->ns[i];

		if (ns->pidns != r->inum || ns->init_pid != r->m.p[r->m.init].host_pid)
			continue;
		if (ns->alive)
			return ns;
		gone = ns;
	}
	return gone;
}

#define NFIELDS 11
static const char *const field_names[NFIELDS] = {
	"exits", "zombie_exits", "reaped", "autoreaped", "orphans.init", "orphans.subreaper",
	"orphans.thread", "orphans.unknown", "orphans_already_zombie", "zombies", "processes",
};

static void fields_of_model(const struct sc_counts *c, long long v[NFIELDS])
{
	long long f[NFIELDS] = { c->exits, c->zombie_exits, c->reaped, c->autoreaped,
				 c->orphans[SC_REAPER_INIT], c->orphans[SC_REAPER_SUBREAPER],
				 c->orphans[SC_REAPER_THREAD], 0, c->orphans_zombie, c->zombies, c->processes };

	memcpy(v, f, sizeof(f));
}

static void fields_of_row(const struct pw_namespace *ns, long long v[NFIELDS])
{
	long long f[NFIELDS] = { (long long)ns->exits, (long long)ns->zombie_exits, (long long)ns->reaped,
				 (long long)ns->autoreaped, (long long)ns->orphans[PWC_REAPER_INIT],
				 (long long)ns->orphans[PWC_REAPER_SUBREAPER], (long long)ns->orphans[PWC_REAPER_THREAD],
				 (long long)ns->orphans[PWC_REAPER_UNKNOWN], (long long)ns->orphans_zombie,
				 (long long)ns->zombies, (long long)ns->processes };

	memcpy(v, f, sizeof(f));
}

/* Snapshots until the namespace's counters equal the model's; 0, or -1 with the difference in why. */
static int collector_agrees(struct run *r)
{
	double end = now() + COUNT_TIMEOUT;
	long long want[NFIELDS], got[NFIELDS];
	bool found = false;
	size_t len = 0;
	char err[512];

	sc_gauges(&r->m);
	fields_of_model(&r->m.c, want);
	for (;;) {
		struct pw_snapshot *s;
		const struct pw_namespace *ns;
		bool same;

		if (pw_snapshot_take(g_collector, &s, err, sizeof(err)))
			return disagree(r, "snapshot failed: %s", err);
		ns = find_row(s, r);
		found = ns != NULL;
		if (ns)
			fields_of_row(ns, got);
		same = ns && !memcmp(got, want, sizeof(got)) && ns->orphans_killed == 0;
		pw_snapshot_free(s);
		if (same)
			return 0;
		if (now() > end)
			break;
		usleep(5000);
	}
	if (!found)
		return disagree(r, "collector: namespace %u (init %d) not in the snapshot", r->inum,
				r->m.p[r->m.init].host_pid);
	len = (size_t)snprintf(r->why, sizeof(r->why), "collector differs:");
	for (int i = 0; i < NFIELDS && len < sizeof(r->why); i++)
		if (got[i] != want[i])
			len += (size_t)snprintf(r->why + len, sizeof(r->why) - len, " %s %lld (want %lld)",
						field_names[i], got[i], want[i]);
	return -1;
}

/* ---- driver ------------------------------------------------------------ */

/* 0: exact; -1: a disagreement (r->why). */
static int run_one(struct run *r, uint64_t seed, bool have_pause)
{
	int steps, rc = -1;

	memset(r, 0, sizeof(*r));
	r->memfd = -1;
	r->seed = r->rng = seed;
	do {
		r->kind = (enum init_kind)pick(r, INIT_KINDS);
	} while (r->kind == INIT_PAUSE && !have_pause);
	steps = 15 + pick(r, 31);
	if (start_run(r) || setup_kind(r))
		goto out;
	for (int tries = 0; r->steps < steps && tries < steps * 4; tries++) {
		int s = random_step(r);

		if (s < 0)
			goto out;
		if (s > 0)
			continue;
		r->steps++;
		if (kernel_agrees(r)) {
			char why[sizeof(r->why) + 64];

			snprintf(why, sizeof(why), "kernel and model disagree after step %d: %s", r->steps, r->why);
			snprintf(r->why, sizeof(r->why), "%.*s", (int)sizeof(r->why) - 1, why);
			goto out;
		}
	}
	sc_gauges(&r->m);
	rc = g_model_only ? 0 : collector_agrees(r);
out:
	stop_run(r);
	return rc;
}

static void summary(const struct run *r, char *buf, size_t len)
{
	const struct sc_counts *c = &r->m.c;

	snprintf(buf, len, "init %s, %d steps, %d processes, %d tasks: exits %lld zombie %lld reaped %lld "
		 "autoreaped %lld orphans %lld/%lld/%lld (already zombie %lld) zombies %lld",
		 init_names[r->kind], r->steps, r->m.np - 1, r->m.nt - 1, c->exits, c->zombie_exits, c->reaped,
		 c->autoreaped, c->orphans[SC_REAPER_INIT], c->orphans[SC_REAPER_SUBREAPER],
		 c->orphans[SC_REAPER_THREAD], c->orphans_zombie, c->zombies);
}

static void print_log(const struct run *r)
{
	const char *p = r->log;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		printf("#   %.*s\n", n, p);
		p += n + (nl != NULL);
	}
}

static int usage(FILE *f, int rc)
{
	fprintf(f, "Usage: selfcheck [--runs N] [--base SEED] [--budget SECONDS] [--model-only] [-v]\n"
		   "       selfcheck --seed SEED [--model-only] [-v]\n"
		   "Random process trees in PID namespaces; the collector must count them exactly as\n"
		   "the kernel's rules say.  A failure prints its seed; --seed replays it.\n"
		   "--model-only checks the model against the kernel (/proc) without the collector.\n");
	return rc;
}

static int open_collector(char *err, size_t len)
{
	const char *v = getenv("PW_TEST_VARIANT"), *a = getenv("PW_TEST_ATTACH"), *w = getenv("PW_TEST_WALK");
	struct pw_opts o = { .max_zombies = 1u << 18, .no_attribution = true };

	if (v && !strcmp(v, "legacy"))
		o.exit_variant = PW_VARIANT_LEGACY;
	else if (v && !strcmp(v, "v616"))
		o.exit_variant = PW_VARIANT_V616;
	if (a && !strcmp(a, "raw_tp"))
		o.attach = PW_ATTACH_RAW_TP;
	if (w && !strcmp(w, "iter_task"))
		o.walk = PW_WALK_ITER_TASK;
	return pw_open(&o, &g_collector, err, len);
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return s[0] && !*end && !errno;
}

int main(int argc, char **argv)
{
	uint64_t runs = 300, base = 0, budget = 50, one = 0, v;
	bool replay = false, have_pause;
	int failures = 0, done = 0;
	static struct run r;
	char err[1024];
	double t0;

	if (argc > 1 && !strcmp(argv[1], "--puppet"))
		return puppet_main(argc, argv);
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "-h") || !strcmp(o, "--help"))
			return usage(stdout, 0);
		if (!strcmp(o, "-v")) {
			g_verbose = true;
			continue;
		}
		if (!strcmp(o, "--model-only")) {
			g_model_only = true;
			continue;
		}
		if (i + 1 >= argc || !parse_u64(argv[i + 1], &v)) {
			fprintf(stderr, "selfcheck: %s needs a number\n", o);
			return usage(stderr, 2);
		}
		i++;
		if (!strcmp(o, "--runs"))
			runs = v;
		else if (!strcmp(o, "--base"))
			base = v;
		else if (!strcmp(o, "--budget"))
			budget = v;
		else if (!strcmp(o, "--seed"))
			replay = true, one = v;
		else
			return usage(stderr, 2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!base)
		base = (uint64_t)time(NULL) * 1000;
	g_pause = getenv("PAUSE");
	have_pause = g_pause && access(g_pause, X_OK) == 0;
	if (!have_pause)
		diag("PAUSE not set or not executable: no runs with pause as PID 1");
	err[0] = 0;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) || (!g_model_only && open_collector(err, sizeof(err)))) {
		printf("Bail out! collector: %s\n", err);
		return 1;
	}
	if (replay) {
		runs = 1;
		base = one;
	}
	diag("seeds %llu..%llu (replay one: selfcheck --seed N)", (unsigned long long)base,
	     (unsigned long long)(base + runs - 1));
	t0 = now();
	for (uint64_t i = 0; i < runs && failures < MAX_FAILURES; i++) {
		uint64_t seed = base + i;
		char sum[256];
		int rc;

		if (!replay && now() - t0 > (double)budget) {
			skip("remaining runs", "time budget reached");
			break;
		}
		rc = run_one(&r, seed, have_pause);
		done++;
		summary(&r, sum, sizeof(sum));
		ok(rc == 0, "seed %llu: %s", (unsigned long long)seed, rc ? r.why : sum);
		if (rc) {
			failures++;
			diag("replay: selfcheck --seed %llu   (%s)", (unsigned long long)seed, sum);
		}
		if (rc || g_verbose)
			print_log(&r);
	}
	diag("%d runs in %.1f s, %d failed", done, now() - t0, failures);
	if (g_collector)
		pw_close(g_collector);
	return done_testing();
}
