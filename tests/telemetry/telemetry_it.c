/*
 * telemetry_it — integration tests of the BPF programs and the collector,
 * on the running kernel, with real PID namespaces and real processes.
 *
 *	telemetry_it --list
 *	telemetry_it [NAME...]          (all tests when no name is given)
 *
 * Environment: PAUSE (path to our pause, for pause_reaps_match_page),
 * PW_TEST_VARIANT=auto|v616|legacy (which exit tracepoint to force),
 * PW_TEST_ATTACH=raw_tp (force the raw_tp programs instead of tp_btf),
 * PW_TEST_WALK=iter_task (force the older kernels' walk over every thread).
 * Output is TAP; a "# variants:" line names what the loader chose.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collector.h"
#include "tap.h"
#include "workloads.h"

/*
 * How long a condition may take to show: reaps are seen at sched_process_free,
 * one RCU grace period after the reap, which a loaded machine can stretch.
 */
#define WAIT_SECS 30.0

static enum pw_exit_variant test_variant;
static enum pw_attach test_attach;
static enum pw_walk test_walk;

/* ---- collector helpers ---------------------------------------------- */

/*
 * max_zombies 0: a table large enough that zombies of other work on this
 * machine cannot push the test's own rows out of it.
 */
static struct pw_collector *open_collector(unsigned int max_zombies)
{
	struct pw_opts o = { .max_zombies = max_zombies ? max_zombies : 1u << 18,
			     .exit_variant = test_variant, .attach = test_attach, .walk = test_walk };
	struct pw_collector *c;
	char err[1024];
	int rc = pw_open(&o, &c, err, sizeof(err));

	if (rc) {
		diag("pw_open failed (%d): %s", rc, err);
		return NULL;
	}
	return c;
}

static struct pw_snapshot *snap(struct pw_collector *c)
{
	struct pw_snapshot *s;
	char err[512];

	if (pw_snapshot_take(c, &s, err, sizeof(err))) {
		diag("snapshot failed: %s", err);
		exit(2);
	}
	return s;
}

static const struct pw_namespace *find_ns(const struct pw_snapshot *s, unsigned int inum)
{
	for (size_t i = 0; i < s->n_ns; i++)
		if (s->ns[i].pidns == inum && s->ns[i].alive)
			return &s->ns[i];
	return NULL;
}

static const struct pw_sig_entry *find_sig(const struct pw_namespace *ns, int sig)
{
	for (size_t i = 0; ns && i < ns->n_sigs; i++)
		if (ns->sigs[i].sig == sig)
			return &ns->sigs[i];
	return NULL;
}

static uint64_t sig_gen(const struct pw_namespace *ns, int sig, int result)
{
	const struct pw_sig_entry *e = find_sig(ns, sig);

	return e ? e->generated[result] : 0;
}

static uint64_t sig_del(const struct pw_namespace *ns, int sig, int action)
{
	const struct pw_sig_entry *e = find_sig(ns, sig);

	return e ? e->delivered[action] : 0;
}

static uint64_t sig_ign_init(const struct pw_namespace *ns, int sig)
{
	const struct pw_sig_entry *e = find_sig(ns, sig);

	return e ? e->ignored_by_init : 0;
}

/*
 * Take snapshots until COND (an expression over `W`, the namespace INUM)
 * holds or WAIT_SECS pass; evaluates to the last snapshot either way, so
 * the assertions that follow report the real values.
 */
#define WAIT_SNAP(c, inum, cond) ({						\
	struct pw_snapshot *_s = NULL;						\
	double _end = now_mono() + WAIT_SECS;					\
	for (;;) {								\
		const struct pw_namespace *W;					\
		pw_snapshot_free(_s);						\
		_s = snap(c);							\
		W = find_ns(_s, (inum));					\
		if ((W && (cond)) || now_mono() > _end)				\
			break;							\
		usleep(20000);							\
	}									\
	_s; })

static int zombie_rows(const struct pw_snapshot *s, unsigned int inum)
{
	int n = 0;

	for (size_t i = 0; i < s->n_zombies; i++)
		n += s->zombies[i].pidns == inum;
	return n;
}

/* ---- workloads (run inside the namespace) ---------------------------- */

struct orphaner {
	int n;			/* children to leave behind */
	struct gate *gate;	/* they exit when it is released */
	int mode;		/* 0: exit codes i % 4; 1: mix of codes and signals */
};

static void child_exit(int i, int mode)
{
	if (mode == 1 && i % 5 == 4)
		raise(SIGKILL);
	_exit(i % 4);
}

/* Fork n children that wait at the gate, then exit: they become orphans. */
static int orphaner(void *arg)
{
	struct orphaner *o = arg;

	for (int i = 0; i < o->n; i++) {
		pid_t p = fork();

		if (p < 0)
			return 1;
		if (p == 0) {
			gate_wait(o->gate);
			child_exit(i, o->mode);
		}
	}
	return 0;
}

/* ---- tests ---------------------------------------------------------- */

static void t_nonreaping_init(void)
{
	struct pw_collector *c = open_collector(0);
	struct orphaner o = { .n = 500 };
	const struct pw_namespace *ns;
	struct pw_snapshot *s;
	struct testns tns;
	struct gate g;
	double age1;
	int by_code[4] = { 0 }, rows = 0, misplaced = 0;

	if (!c || ns_start_lazy_init(&tns) || gate_open(&g)) {
		ok(0, "nonreaping_init: setup");
		return;
	}
	o.gate = &g;
	is_int(ns_run(&tns, orphaner, &o, true), 0, "nonreaping_init: orphaner forked 500 children");
	s = WAIT_SNAP(c, tns.inum, W->orphans[PWC_REAPER_INIT] == 500);
	ns = find_ns(s, tns.inum);
	ok(ns != NULL, "nonreaping_init: the new namespace is reported");
	if (!ns)
		goto out;
	is_int(ns->orphans[PWC_REAPER_INIT], 500, "nonreaping_init: 500 orphans adopted by init");
	is_int(ns->orphans[PWC_REAPER_SUBREAPER] + ns->orphans[PWC_REAPER_THREAD] +
	       ns->orphans[PWC_REAPER_UNKNOWN], 0, "nonreaping_init: no other reaper");
	is_int(ns->init_pid, tns.init, "nonreaping_init: init_pid is the host pid of PID 1");
	is_int(ns->zombies, 0, "nonreaping_init: no zombie while they run");
	pw_snapshot_free(s);

	gate_release(&g);
	s = WAIT_SNAP(c, tns.inum, W->zombies == 500 && W->exits == 501);
	ns = find_ns(s, tns.inum);
	is_int(ns ? ns->zombies : 0, 500, "nonreaping_init: exactly 500 zombies in the namespace");
	is_int(ns ? ns->exits : 0, 501, "nonreaping_init: 501 exits (500 + their parent)");
	is_int(ns ? ns->zombie_exits : 0, 500, "nonreaping_init: 500 of them left zombies");
	is_int(ns ? ns->autoreaped : 0, 1, "nonreaping_init: the parent was autoreaped");
	for (size_t i = 0; i < s->n_zombies; i++) {
		const struct pw_zombie *z = &s->zombies[i];

		if (z->ppid == tns.init) {
			misplaced += z->pidns != tns.inum;
			if (z->pidns == tns.inum && z->exit_code >= 0 && z->exit_code < 4)
				by_code[z->exit_code]++;
		}
		rows += z->pidns == tns.inum;
		if (z->pidns == tns.inum && z->ppid != tns.init)
			diag("unexpected zombie %d (%s) parent %d (%s) exit %d sig %d", z->pid, z->comm,
			     z->ppid, z->parent_comm, z->exit_code, z->exit_signal);
	}
	is_int(rows, 500, "nonreaping_init: 500 zombie rows carry the namespace");
	is_int(misplaced, 0, "nonreaping_init: none of them counted in another namespace");
	ok(by_code[0] == 125 && by_code[1] == 125 && by_code[2] == 125 && by_code[3] == 125,
	   "nonreaping_init: exit codes 0..3, 125 each (%d %d %d %d)", by_code[0], by_code[1],
	   by_code[2], by_code[3]);
	age1 = ns ? ns->oldest_zombie_age_s : -1;
	ok(ns && !ns->oldest_age_is_lower_bound, "nonreaping_init: oldest age is exact");
	pw_snapshot_free(s);
	usleep(300000);
	s = snap(c);
	ns = find_ns(s, tns.inum);
	ok(ns && ns->oldest_zombie_age_s >= age1 + 0.25,
	   "nonreaping_init: oldest zombie age grows (%.3f -> %.3f)", age1,
	   ns ? ns->oldest_zombie_age_s : -1);
	pw_snapshot_free(s);

	is_int(ns_lazy_reap(&tns), 500, "nonreaping_init: init reaps 500 when told");
	s = WAIT_SNAP(c, tns.inum, W->reaped == 500 && W->zombies == 0);
	ns = find_ns(s, tns.inum);
	is_int(ns ? (long long)ns->zombies : -1, 0, "nonreaping_init: 0 zombies after the reap");
	is_int(ns ? ns->reaped : 0, 500, "nonreaping_init: reaped_total 500");
	if (ns) {
		uint64_t hist = 0;

		for (int i = 0; i < PWC_HIST_SLOTS; i++)
			hist += ns->dwell_hist[i];
		is_int(hist, 500, "nonreaping_init: 500 dwell times in the histogram");
		ok(ns->dwell_sum_ns >= 500ULL * 300000000ULL,
		   "nonreaping_init: each waited >= 0.3 s (sum %.1f s)", ns->dwell_sum_ns / 1e9);
	}
out:
	pw_snapshot_free(s);
	ns_stop(&tns);
	pw_close(c);
}

static void t_pause_reaps_match_page(void)
{
	const char *pause = getenv("PAUSE");
	char *argv[] = { (char *)pause, NULL };
	struct orphaner o = { .n = 300, .mode = 1 };
	const struct pw_namespace *ns;
	struct pw_collector *c;
	struct pw_snapshot *s;
	struct testns tns;
	struct gate g;

	if (!pause || access(pause, X_OK)) {
		ok(0, "pause_reaps_match_page: PAUSE=%s is not executable", pause ? pause : "(unset)");
		return;
	}
	c = open_collector(0);
	if (!c || ns_start_exec_init(&tns, argv) || gate_open(&g)) {
		ok(0, "pause_reaps_match_page: setup");
		return;
	}
	o.gate = &g;
	/* a snapshot taken during the exec may have the page but the old comm */
	s = WAIT_SNAP(c, tns.inum, W->has_pause && !strcmp(W->init_comm, "pause"));
	ns = find_ns(s, tns.inum);
	ok(ns && ns->has_pause, "pause_reaps_match_page: the pause counters page is read%s%s",
	   ns && ns->pause_error[0] ? ": " : "", ns ? ns->pause_error : "");
	is_str(ns ? ns->init_comm : "", "pause", "pause_reaps_match_page: init_comm is pause");
	pw_snapshot_free(s);

	is_int(ns_run(&tns, orphaner, &o, true), 0, "pause_reaps_match_page: 300 orphans under pause");
	gate_release(&g);
	s = WAIT_SNAP(c, tns.inum, W->reaped == 300 && W->pause.reaped_total == 300);
	ns = find_ns(s, tns.inum);
	if (!ns) {
		ok(0, "pause_reaps_match_page: namespace present");
		goto out;
	}
	is_int(ns->reaped, 300, "pause_reaps_match_page: BPF saw 300 reaps");
	is_int(ns->pause.reaped_total, 300, "pause_reaps_match_page: pause counted 300");
	is_int(ns->reaped, ns->pause.reaped_total, "pause_reaps_match_page: BPF reaps == pause page");
	/* i % 5 == 4 is SIGKILL (60); the others exit i % 4 */
	is_int(ns->pause.reaped_signaled, 60, "pause_reaps_match_page: 60 killed by a signal");
	is_int(ns->pause.reaped_exit_zero, 60, "pause_reaps_match_page: 60 exited 0");
	is_int(ns->pause.reaped_exit_nonzero, 180, "pause_reaps_match_page: 180 exited non-zero");
	is_int(ns->zombies, 0, "pause_reaps_match_page: zombies back to 0");
	is_int(ns->orphans[PWC_REAPER_INIT], 300, "pause_reaps_match_page: 300 adopted by init");
out:
	pw_snapshot_free(s);
	ns_stop(&tns);
	pw_close(c);
}

/* A subreaper S; its child Q leaves K orphans and exits; then S exits. */
struct subreaper_arg {
	int k;
	struct gate *gate;
};

static int subreaper_workload(void *arg)
{
	struct subreaper_arg *a = arg;
	struct orphaner o = { .n = a->k, .gate = a->gate };
	pid_t q;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		return 1;
	q = fork();
	if (q == 0)
		_exit(orphaner(&o));
	if (q < 0 || waitpid(q, NULL, 0) != q)
		return 2;
	usleep(200000);	/* let the test see the adoption before S itself leaves */
	return 0;
}

static void *thread_forker(void *arg)
{
	orphaner(arg);
	return NULL;	/* this thread exits: its children go to another thread */
}

static int thread_workload(void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, thread_forker, arg) || pthread_join(t, NULL))
		return 1;
	usleep(200000);
	return 0;
}

static void t_orphans(const char *name, int which)
{
	struct pw_collector *c = open_collector(0);
	const struct pw_namespace *ns;
	struct subreaper_arg sa = { .k = 7 };
	struct orphaner o = { .n = 7 };
	struct pw_snapshot *s;
	struct testns tns;
	struct gate g;
	int rc;

	if (!c || ns_start_lazy_init(&tns) || gate_open(&g)) {
		ok(0, "%s: setup", name);
		return;
	}
	o.gate = sa.gate = &g;
	if (which == PWC_REAPER_INIT)
		rc = ns_run(&tns, orphaner, &o, true);
	else if (which == PWC_REAPER_SUBREAPER)
		rc = ns_run(&tns, subreaper_workload, &sa, true);
	else
		rc = ns_run(&tns, thread_workload, &o, true);
	is_int(rc, 0, "%s: workload ran", name);
	s = WAIT_SNAP(c, tns.inum, W->orphans[which] >= 7 && W->orphans[PWC_REAPER_INIT] >= 7);
	ns = find_ns(s, tns.inum);
	is_int(ns ? ns->orphans[which] : 0, 7, "%s: 7 orphans adopted by %s", name, pw_reaper_name(which));
	if (which != PWC_REAPER_INIT)	/* and when that reaper left too, init got them */
		is_int(ns ? ns->orphans[PWC_REAPER_INIT] : 0, 7,
		       "%s: then 7 more adoptions by init when it exited", name);
	is_int(ns ? ns->orphans[PWC_REAPER_UNKNOWN] : 1u, 0, "%s: no unknown reaper", name);
	pw_snapshot_free(s);
	gate_release(&g);
	s = WAIT_SNAP(c, tns.inum, W->zombies == 7);
	ns = find_ns(s, tns.inum);
	is_int(ns ? ns->zombies : 0, 7, "%s: the 7 orphans end as zombies of init", name);
	pw_snapshot_free(s);
	ns_stop(&tns);
	pw_close(c);
}

static void t_orphans_init(void)
{
	t_orphans("orphans_init", PWC_REAPER_INIT);
}

static void t_orphans_subreaper(void)
{
	t_orphans("orphans_subreaper", PWC_REAPER_SUBREAPER);
}

static void t_orphans_thread(void)
{
	t_orphans("orphans_thread", PWC_REAPER_THREAD);
}

struct autoreap_arg {
	int n;
	bool nocldwait;
};

static int autoreap_workload(void *arg)
{
	struct autoreap_arg *a = arg;
	struct sigaction sa = { .sa_handler = SIG_IGN };

	if (a->nocldwait) {
		sa.sa_handler = SIG_DFL;
		sa.sa_flags = SA_NOCLDWAIT;
	}
	sigaction(SIGCHLD, &sa, NULL);
	for (int i = 0; i < a->n; i++) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		if (p < 0)
			return 1;
	}
	while (wait(NULL) > 0 || errno == EINTR)	/* returns ECHILD once all are gone */
		;
	return 0;
}

static void t_autoreap(void)
{
	struct pw_collector *c = open_collector(0);
	struct autoreap_arg ign = { .n = 20 }, nocld = { .n = 10, .nocldwait = true };
	const struct pw_namespace *ns;
	struct pw_snapshot *s;
	struct testns tns;

	if (!c || ns_start_lazy_init(&tns)) {
		ok(0, "autoreap: setup");
		return;
	}
	is_int(ns_run(&tns, autoreap_workload, &ign, true), 0, "autoreap: 20 children, SIGCHLD ignored");
	is_int(ns_run(&tns, autoreap_workload, &nocld, true), 0, "autoreap: 10 children, SA_NOCLDWAIT");
	s = WAIT_SNAP(c, tns.inum, W->exits >= 32);
	ns = find_ns(s, tns.inum);
	is_int(ns ? ns->autoreaped : 0, 32, "autoreap: autoreaped_total 32 (30 children + 2 parents)");
	is_int(ns ? ns->exits : 0, 32, "autoreap: 32 exits");
	is_int(ns ? ns->zombie_exits : 1, 0, "autoreap: none left a zombie");
	is_int(ns ? ns->zombies : 1, 0, "autoreap: zombies stay 0");
	is_int(ns ? ns->reaped : 1, 0, "autoreap: reaped_total 0");
	pw_snapshot_free(s);
	ns_stop(&tns);
	pw_close(c);
}

/* The leader exits first; another thread keeps the process alive. */
struct leader_arg {
	struct gate *gate;
	int pid_pipe;
};

static void *last_thread(void *arg)
{
	struct gate *g = arg;

	gate_wait(g);
	_exit(0);	/* the last thread: the process exits with 0 (no atexit work) */
}

static int leader_workload(void *arg)
{
	struct leader_arg *a = arg;
	pid_t p = fork();	/* P: orphaned to init, which does not reap */

	if (p == 0) {
		/* on the heap: the leader's stack is gone once it has exited */
		struct gate *g = malloc(sizeof(*g));
		pthread_t t;

		if (!g)
			_exit(1);
		*g = *a->gate;
		if (pthread_create(&t, NULL, last_thread, g))
			_exit(1);
		pthread_exit(NULL);	/* the leader goes first */
	}
	return p < 0;
}

static char proc_state(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && p[1] && p[2] ? p[2] : '?';
}

static pid_t only_child(pid_t parent)
{
	char path[96];
	int pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent, parent);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

static void t_leader_exits_first(void)
{
	struct pw_collector *c = open_collector(0);
	const struct pw_namespace *ns;
	struct leader_arg a;
	struct pw_snapshot *s;
	struct testns tns;
	struct gate g;
	pid_t p = 0;

	if (!c || ns_start_lazy_init(&tns) || gate_open(&g)) {
		ok(0, "leader_exits_first: setup");
		return;
	}
	a.gate = &g;
	is_int(ns_run(&tns, leader_workload, &a, true), 0, "leader_exits_first: workload started");
	for (int i = 0; i < 500 && (!p || proc_state(p) != 'Z'); i++) {
		p = only_child(tns.init);
		usleep(10000);
	}
	is_int(proc_state(p), 'Z', "leader_exits_first: /proc shows the exited leader as Z");
	s = WAIT_SNAP(c, tns.inum, W->exits >= 1);
	ns = find_ns(s, tns.inum);
	is_int(ns ? ns->exits : 0, 1, "leader_exits_first: only the workload parent counted as exited");
	is_int(ns ? ns->zombies : 1, 0, "leader_exits_first: no zombie while a thread runs");
	is_int(zombie_rows(s, tns.inum), 0, "leader_exits_first: no zombie row either");
	pw_snapshot_free(s);

	gate_release(&g);
	s = WAIT_SNAP(c, tns.inum, W->zombies == 1 && W->exits == 2);
	ns = find_ns(s, tns.inum);
	is_int(ns ? ns->exits : 0, 2, "leader_exits_first: the process exit counted once");
	is_int(ns ? ns->zombies : 0, 1, "leader_exits_first: now one zombie");
	is_int(ns ? ns->zombie_exits : 0, 1, "leader_exits_first: one zombie exit");
	pw_snapshot_free(s);
	is_int(ns_lazy_reap(&tns), 1, "leader_exits_first: init reaps it");
	s = WAIT_SNAP(c, tns.inum, W->reaped == 1);
	ns = find_ns(s, tns.inum);
	is_int(ns ? ns->reaped : 0, 1, "leader_exits_first: reaped once");
	is_int(ns ? ns->zombies : 1, 0, "leader_exits_first: 0 zombies");
	pw_snapshot_free(s);
	ns_stop(&tns);
	pw_close(c);
}

static void t_sigterm_ignored_by_init(void)
{
	struct pw_collector *c = open_collector(0);
	const struct pw_namespace *ns;
	struct pw_snapshot *s;
	struct testns tns;

	if (!c || ns_start_lazy_init(&tns)) {
		ok(0, "sigterm_ignored_by_init: setup");
		return;
	}
	is_int(kill(tns.init, SIGTERM), 0, "sigterm_ignored_by_init: SIGTERM sent to PID 1");
	s = WAIT_SNAP(c, tns.inum, sig_ign_init(W, SIGTERM) >= 1);
	ns = find_ns(s, tns.inum);
	is_int(sig_ign_init(ns, SIGTERM), 1, "sigterm_ignored_by_init: signals_ignored_by_init.SIGTERM 1");
	is_int(sig_gen(ns, SIGTERM, PWC_SIG_IGNORED), 1, "sigterm_ignored_by_init: generated SIGTERM ignored 1");
	is_int(sig_gen(ns, SIGTERM, PWC_SIG_DELIVERED), 0, "sigterm_ignored_by_init: never queued");
	ok(access("/proc", F_OK) == 0 && kill(tns.init, 0) == 0, "sigterm_ignored_by_init: init still alive");
	pw_snapshot_free(s);
	ns_stop(&tns);
	pw_close(c);
}

/* Target of the signal test: handlers ack over a pipe; RT signals blocked. */
static int sig_ack_fd;

static void on_sig(int sig)
{
	char c = (char)sig;

	if (write(sig_ack_fd, &c, 1) != 1)
		_exit(3);
}

struct sig_arg {
	int ack_wr;	/* handler acks */
	int ctl_rd;	/* 'u': unblock RT */
	int pid_wr;	/* reports its host-visible pid */
};

static int signal_target(void *arg)
{
	struct sig_arg *a = arg;
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_RESTART };
	struct rlimit rl = { 4, 4 };
	sigset_t rt;
	pid_t self = 0;
	char cmd;

	sig_ack_fd = a->ack_wr;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGRTMIN, &sa, NULL);
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &rt, NULL);
	/* its own user, so the pending-signal limit is not shared with root's processes */
	if (setrlimit(RLIMIT_SIGPENDING, &rl) || setgid(12345) || setuid(12345))
		return 1;
	if (write(a->pid_wr, &self, sizeof(self)) != sizeof(self))
		return 2;
	for (;;) {
		ssize_t n = read(a->ctl_rd, &cmd, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1)
			break;
		if (cmd == 'u')
			sigprocmask(SIG_UNBLOCK, &rt, NULL);
		if (cmd == 'q')
			break;
	}
	return 0;
}

static int read_byte_timeout(int fd, char *c)
{
	for (int i = 0; i < 500; i++) {
		ssize_t n = read(fd, c, 1);

		if (n == 1)
			return 0;
		usleep(10000);
	}
	return -1;
}

static void t_signals_results(void)
{
	struct pw_collector *c = open_collector(0);
	int ack[2], ctl[2], pidp[2], queued = 0, overflow = 0, acks = 0;
	const struct pw_namespace *ns;
	struct sig_arg a;
	struct pw_snapshot *s;
	struct testns tns;
	pid_t helper, target = 0;
	char b;

	if (!c || ns_start_lazy_init(&tns) || pipe2(ack, O_NONBLOCK) || pipe(ctl) || pipe(pidp)) {
		ok(0, "signals_results: setup");
		return;
	}
	a = (struct sig_arg){ .ack_wr = ack[1], .ctl_rd = ctl[0], .pid_wr = pidp[1] };
	helper = ns_spawn(&tns, signal_target, &a, false);
	if (read(pidp[0], &b, 0) < 0 || read(pidp[0], &target, sizeof(target)) != sizeof(target)) {
		ok(0, "signals_results: target started");
		goto out;
	}
	/* the pid it reported is inside the namespace; find its host pid */
	target = 0;
	for (int i = 0; i < 100 && !target; i++) {
		target = only_child(helper);
		if (!target)
			usleep(10000);
	}
	ok(target > 0, "signals_results: target running as host pid %d", target);
	for (int i = 0; i < 3; i++) {	/* one at a time: pending non-RT signals coalesce */
		kill(target, SIGUSR1);
		acks += read_byte_timeout(ack[0], &b) == 0 && b == SIGUSR1;
	}
	is_int(acks, 3, "signals_results: 3 SIGUSR1 handled");
	for (int i = 0; i < 6; i++) {
		union sigval v = { .sival_int = i };

		if (sigqueue(target, SIGRTMIN, v) == 0)
			queued++;
		else if (errno == EAGAIN)
			overflow++;
	}
	is_int(queued, 4, "signals_results: 4 RT signals queued (RLIMIT_SIGPENDING 4)");
	is_int(overflow, 2, "signals_results: 2 refused with EAGAIN");
	if (write(ctl[1], "u", 1) != 1)
		diag("ctl write failed");
	acks = 0;
	for (int i = 0; i < 4; i++)
		acks += read_byte_timeout(ack[0], &b) == 0;
	is_int(acks, 4, "signals_results: 4 RT signals handled after unblocking");
	s = WAIT_SNAP(c, tns.inum, sig_del(W, SIGRTMIN, PWC_ACT_HANDLER) >= 4);
	ns = find_ns(s, tns.inum);
	is_int(sig_gen(ns, SIGUSR1, PWC_SIG_DELIVERED), 3, "signals_results: SIGUSR1 generated delivered 3");
	is_int(sig_del(ns, SIGUSR1, PWC_ACT_HANDLER), 3, "signals_results: SIGUSR1 delivered to handler 3");
	is_int(sig_gen(ns, SIGRTMIN, PWC_SIG_DELIVERED), 4, "signals_results: SIGRTMIN generated delivered 4");
	is_int(sig_gen(ns, SIGRTMIN, PWC_SIG_OVERFLOW), 2, "signals_results: SIGRTMIN overflow 2");
	is_int(sig_del(ns, SIGRTMIN, PWC_ACT_HANDLER), 4, "signals_results: SIGRTMIN delivered to handler 4");
	is_int(sig_ign_init(ns, SIGUSR1) + sig_ign_init(ns, SIGRTMIN), 0,
	       "signals_results: not init: nothing ignored_by_init");
	pw_snapshot_free(s);
out:
	if (write(ctl[1], "q", 1) != 1)
		diag("ctl write failed");
	waitpid(helper, NULL, 0);
	ns_stop(&tns);
	pw_close(c);
	close(ack[0]);
	close(ack[1]);
	close(ctl[0]);
	close(ctl[1]);
	close(pidp[0]);
	close(pidp[1]);
}

static int count_zombie_children(pid_t parent)
{
	char path[96];
	int pid, n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent, parent);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%d", &pid) == 1)
		n += proc_state(pid) == 'Z';
	fclose(f);
	return n;
}

/* n zombies of a lazy init, made before any collector runs. */
static int make_zombies(struct testns *tns, int n)
{
	struct orphaner o = { .n = n };
	struct gate g;

	if (ns_start_lazy_init(tns) || gate_open(&g))
		return -1;
	o.gate = &g;
	if (ns_run(tns, orphaner, &o, true) != 0)
		return -1;
	gate_release(&g);
	for (int i = 0; i < 500 && count_zombie_children(tns->init) != n; i++)
		usleep(10000);
	return count_zombie_children(tns->init);
}

static void t_seeded_zombies(void)
{
	const struct pw_namespace *ns;
	struct pw_collector *c;
	struct pw_snapshot *s;
	struct testns tns;
	int rows = 0, lower = 0;

	is_int(make_zombies(&tns, 50), 50, "seeded_zombies: 50 zombies before the collector starts");
	c = open_collector(0);
	if (!c) {
		ok(0, "seeded_zombies: collector");
		ns_stop(&tns);
		return;
	}
	s = snap(c);
	ns = find_ns(s, tns.inum);
	is_int(ns ? ns->zombies : 0, 50, "seeded_zombies: the first snapshot counts 50");
	ok(ns && ns->oldest_age_is_lower_bound, "seeded_zombies: their age is marked a lower bound");
	is_int(ns ? ns->exits : 1, 0, "seeded_zombies: no exit counted (before the start)");
	for (size_t i = 0; i < s->n_zombies; i++) {
		rows += s->zombies[i].pidns == tns.inum;
		lower += s->zombies[i].pidns == tns.inum && s->zombies[i].age_is_lower_bound;
	}
	is_int(rows, 50, "seeded_zombies: 50 rows in the zombie table");
	is_int(lower, 50, "seeded_zombies: every row's age is a lower bound");
	pw_snapshot_free(s);
	is_int(ns_lazy_reap(&tns), 50, "seeded_zombies: init reaps them");
	s = WAIT_SNAP(c, tns.inum, W->zombies == 0);
	ns = find_ns(s, tns.inum);
	is_int(ns ? ns->zombies : 1, 0, "seeded_zombies: back to 0");
	pw_snapshot_free(s);
	ns_stop(&tns);
	pw_close(c);
}

/* clone3 with set_tid: the child gets pid 777 in the namespace. */
struct reuse_arg {
	int code;
	const char *comm;
};

static int reuse_workload(void *arg)
{
	struct reuse_arg *a = arg;
	pid_t tid = 777;
	struct clone_args ca = {
		.exit_signal = SIGCHLD,
		.set_tid = (uint64_t)(uintptr_t)&tid,
		.set_tid_size = 1,
	};
	long p = syscall(SYS_clone3, &ca, sizeof(ca));

	if (p == 0) {
		prctl(PR_SET_NAME, a->comm);
		_exit(a->code);
	}
	if (p < 0)
		return 1;
	usleep(50000);	/* exit before the child is waited for: it is left to init */
	return 0;
}

static const struct pw_zombie *zombie_by_nspid(const struct pw_snapshot *s, unsigned int inum,
					       pid_t nspid, int *count)
{
	const struct pw_zombie *found = NULL;

	*count = 0;
	for (size_t i = 0; i < s->n_zombies; i++)
		if (s->zombies[i].pidns == inum && s->zombies[i].pid_in_ns == nspid) {
			found = &s->zombies[i];
			(*count)++;
		}
	return found;
}

static void t_pid_reuse(void)
{
	struct pw_collector *c = open_collector(0);
	struct reuse_arg first = { 3, "first" }, second = { 4, "reborn" };
	const struct pw_namespace *ns;
	const struct pw_zombie *z;
	struct pw_snapshot *s;
	struct testns tns;
	int n;

	if (!c || ns_start_lazy_init(&tns)) {
		ok(0, "pid_reuse: setup");
		return;
	}
	is_int(ns_run(&tns, reuse_workload, &first, true), 0, "pid_reuse: pid 777 created with clone3 set_tid");
	s = WAIT_SNAP(c, tns.inum, W->zombies == 1);
	z = zombie_by_nspid(s, tns.inum, 777, &n);
	is_int(n, 1, "pid_reuse: one zombie with pid 777");
	is_int(z ? z->exit_code : -1, 3, "pid_reuse: it exited 3");
	pw_snapshot_free(s);
	is_int(ns_lazy_reap(&tns), 1, "pid_reuse: reaped");
	s = WAIT_SNAP(c, tns.inum, W->zombies == 0 && W->reaped == 1);
	ns = find_ns(s, tns.inum);
	is_int(ns ? ns->reaped : 0, 1, "pid_reuse: the first one's reap is counted");
	if (!ns || ns->reaped != 1)
		diag("drops: slot evictions %llu, unresolved %llu",
		     (unsigned long long)s->self.drops[2], (unsigned long long)s->self.drops[4]);
	pw_snapshot_free(s);
	is_int(ns_run(&tns, reuse_workload, &second, true), 0, "pid_reuse: pid 777 reused");
	s = WAIT_SNAP(c, tns.inum, W->zombies == 1);
	ns = find_ns(s, tns.inum);
	z = zombie_by_nspid(s, tns.inum, 777, &n);
	is_int(n, 1, "pid_reuse: still exactly one row for pid 777");
	is_str(z ? z->comm : "", "reborn", "pid_reuse: the row is the new process");
	is_int(z ? z->exit_code : -1, 4, "pid_reuse: with the new exit code");
	ok(z && !z->age_is_lower_bound && z->age_s < 5, "pid_reuse: and a fresh age (%.3f s)",
	   z ? z->age_s : -1);
	is_int(ns ? ns->zombies : 0, 1, "pid_reuse: gauge 1");
	is_int(ns ? ns->reaped : 0, 1, "pid_reuse: the old one's reap counted once");
	pw_snapshot_free(s);
	ns_stop(&tns);
	pw_close(c);
}

static void t_zombie_table_overflow(void)
{
	const struct pw_namespace *ns;
	struct pw_collector *c;
	struct pw_snapshot *s;
	struct testns tns;
	uint64_t all = 0;

	is_int(make_zombies(&tns, 50), 50, "zombie_table_overflow: 50 zombies");
	c = open_collector(10);
	if (!c) {
		ok(0, "zombie_table_overflow: collector");
		ns_stop(&tns);
		return;
	}
	s = snap(c);
	ns = find_ns(s, tns.inum);
	is_int(ns ? ns->zombies : 0, 50, "zombie_table_overflow: the gauge stays exact with a 10-row table");
	ok(s->n_zombies <= 10, "zombie_table_overflow: at most 10 rows (%zu)", s->n_zombies);
	for (size_t i = 0; i < s->n_ns; i++)
		all += s->ns[i].alive ? s->ns[i].zombies : 0;
	is_int(s->self.zombies_unlisted, all - s->n_zombies,
	       "zombie_table_overflow: unlisted = counted - listed");
	ok(s->self.drops[6] >= 40, "zombie_table_overflow: dropped.zombies_unlisted >= 40 (%llu)",
	   (unsigned long long)s->self.drops[6]);
	pw_snapshot_free(s);
	ns_stop(&tns);
	pw_close(c);
}

/*
 * A table of 1024 exited-process slots and 1500 zombies: slots are shared,
 * later exits evict earlier ones.  The gauge stays exact (it comes from the
 * walk) and every reap that can no longer be seen is counted as a loss.
 */
static void t_exit_slot_eviction(void)
{
	struct pw_opts o = { .max_zombies = 1u << 18, .exit_variant = test_variant,
			     .attach = test_attach, .walk = test_walk, .exited_slots = 1024 };
	struct orphaner orph = { .n = 1500 };
	const struct pw_namespace *ns;
	struct pw_collector *c;
	struct pw_snapshot *s;
	struct testns tns;
	struct gate g;
	char err[1024];
	uint64_t evicted;

	if (pw_open(&o, &c, err, sizeof(err)) || ns_start_lazy_init(&tns) || gate_open(&g)) {
		ok(0, "exit_slot_eviction: setup (%s)", err);
		return;
	}
	orph.gate = &g;
	is_int(ns_run(&tns, orphaner, &orph, true), 0, "exit_slot_eviction: 1500 children");
	gate_release(&g);
	s = WAIT_SNAP(c, tns.inum, W->zombies == 1500 && W->zombie_exits == 1500);
	ns = find_ns(s, tns.inum);
	is_int(ns ? ns->zombies : 0, 1500, "exit_slot_eviction: the gauge is exact: 1500 zombies");
	evicted = s->self.drops[2];
	ok(evicted >= 1500 - 1024, "exit_slot_eviction: at least 476 evictions counted (%llu)",
	   (unsigned long long)evicted);
	pw_snapshot_free(s);
	is_int(ns_lazy_reap(&tns), 1500, "exit_slot_eviction: init reaps them");
	s = WAIT_SNAP(c, tns.inum, W->zombies == 0 && W->reaped + evicted >= 1500);
	ns = find_ns(s, tns.inum);
	/*
	 * Every reap is either counted or its loss is: none vanishes silently.
	 * (The eviction counter is node-wide: other processes' evictions add.)
	 */
	ok(ns && ns->reaped <= 1500 && ns->reaped + evicted >= 1500,
	   "exit_slot_eviction: reaped (%llu) + evicted (%llu) covers all 1500",
	   ns ? (unsigned long long)ns->reaped : 0ULL, (unsigned long long)evicted);
	pw_snapshot_free(s);
	ns_stop(&tns);
	pw_close(c);
}

/* A namespace of the churn test: its init's host pid and the namespace inode. */
struct churn_ns {
	pid_t init;
	unsigned int inum;
};

/* One short-lived namespace: its init lives until the middle has looked at it. */
static int churn_one(int out_fd)
{
	struct churn_ns rec;
	int hold[2];
	char c;

	if (unshare(CLONE_NEWPID) || pipe(hold))
		return 1;
	rec.init = fork();
	if (rec.init == 0) {
		close(hold[1]);
		if (read(hold[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(hold[0]);
	rec.inum = pidns_inode(rec.init);
	if (write(out_fd, &rec, sizeof(rec)) != sizeof(rec))
		return 2;
	close(hold[1]);
	waitpid(rec.init, NULL, 0);
	return 0;
}

/* Namespaces of ours in one snapshot: seen[] marks those reported gone. */
static void count_ours(struct pw_collector *c, const struct churn_ns *ours, int n, bool *seen,
		       int *alive, size_t *retained)
{
	struct pw_snapshot *s = snap(c);
	size_t gone = 0;

	for (size_t k = 0; k < s->n_ns; k++) {
		gone += !s->ns[k].alive;
		for (int j = 0; j < n; j++) {
			if (s->ns[k].init_pid != ours[j].init || s->ns[k].pidns != ours[j].inum)
				continue;
			if (s->ns[k].alive)
				(*alive)++;
			else
				seen[j] = true;
		}
	}
	if (gone > *retained)
		*retained = gone;
	pw_snapshot_free(s);
}

/*
 * 2,000 short-lived namespaces, a snapshot every 100: each is reported gone
 * with its final values, the retention list never holds more than its bound
 * (256 here), and what it had to let go early is counted.
 */
static void t_ns_churn(void)
{
	struct pw_opts o = { .max_zombies = 1u << 18, .max_gone = 256, .exit_variant = test_variant,
			     .attach = test_attach, .walk = test_walk };
	int pipefd[2], total = 2000, made = 0, alive_ours = 0, seen_n = 0;
	struct churn_ns *ours = calloc(total, sizeof(*ours));
	bool *seen = calloc(total, sizeof(*seen));
	struct pw_collector *c = NULL;
	size_t retained = 0;
	struct pw_snapshot *s;
	char err[1024];

	if (pw_open(&o, &c, err, sizeof(err)) || !ours || !seen || pipe(pipefd)) {
		diag("setup: %s", err);
		ok(0, "ns_churn: setup");
		return;
	}
	for (int i = 0; i < total; i++) {
		pid_t m = fork();

		if (m == 0)
			_exit(churn_one(pipefd[1]));
		if (m < 0 || read(pipefd[0], &ours[i], sizeof(ours[i])) != sizeof(ours[i]))
			break;
		waitpid(m, NULL, 0);
		made++;
		if (i % 100 == 99)	/* retire as we go, like a live pausetop */
			count_ours(c, ours, made, seen, &alive_ours, &retained);
	}
	is_int(made, total, "ns_churn: 2000 namespaces created and gone");
	for (int i = 0; i < made; i++)
		seen_n += seen[i];
	is_int(seen_n, total, "ns_churn: each was reported gone with its final values");
	is_int(alive_ours, 0, "ns_churn: none of the 2000 short-lived namespaces was reported alive");
	ok(retained <= 256, "ns_churn: at most 256 gone namespaces retained at once (max %zu)", retained);
	s = snap(c);
	ok(s->self.drops[PWC_DROP_GONE_EVICTED] >= (uint64_t)(total - 256),
	   "ns_churn: the ones let go before their time are counted (%llu >= %d)",
	   (unsigned long long)s->self.drops[PWC_DROP_GONE_EVICTED], total - 256);
	pw_snapshot_free(s);
	close(pipefd[0]);
	close(pipefd[1]);
	free(ours);
	free(seen);
	pw_close(c);
}

/* A namespace whose init makes two children, reaps them and exits. */
static int short_ns_init(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2; i++) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
	}
	return 0;
}

static const struct pw_namespace *find_gone(const struct pw_snapshot *s, unsigned int inum)
{
	for (size_t i = 0; i < s->n_ns; i++)
		if (s->ns[i].pidns == inum && !s->ns[i].alive)
			return &s->ns[i];
	return NULL;
}

/*
 * Two readers of one collector both see a gone namespace's final counters
 * (the first no longer steals them), and it leaves after --keep-gone.
 */
static void t_gone_retention(void)
{
	struct pw_opts o = { .max_zombies = 1u << 18, .keep_gone_seconds = 2,
			     .exit_variant = test_variant, .attach = test_attach, .walk = test_walk };
	const struct pw_namespace *g1, *g2;
	struct pw_snapshot *s1 = NULL, *s2, *s3 = NULL;
	struct pw_collector *c;
	struct testns tns;
	char err[1024];
	double end;

	if (pw_open(&o, &c, err, sizeof(err)) || ns_start_lazy_init(&tns)) {
		diag("setup: %s", err);
		ok(0, "gone_retention: setup");
		return;
	}
	ns_run(&tns, short_ns_init, NULL, false);
	ns_stop(&tns);	/* the init dies: the namespace with it */
	for (end = now_mono() + WAIT_SECS; now_mono() < end; usleep(20000)) {
		pw_snapshot_free(s1);
		s1 = snap(c);
		g1 = find_gone(s1, tns.inum);
		if (g1 && g1->reaped == g1->zombie_exits)
			break;
	}
	s2 = snap(c);
	g1 = find_gone(s1, tns.inum);
	g2 = find_gone(s2, tns.inum);
	ok(g1 && g2, "gone_retention: a second reader still sees the gone namespace");
	if (g1 && g2) {
		is_int(g1->exits, 4, "gone_retention: final exits (2 children, the worker, the init)");
		is_int(g2->exits, g1->exits, "gone_retention: the second reader sees the same exits");
		is_int(g2->reaped, g1->reaped, "gone_retention: ... and the same reaps");
		ok(g2->gone_time > 0 && g2->gone_time <= s2->time, "gone_retention: gone_time is set");
	}
	for (end = now_mono() + 2 + WAIT_SECS; now_mono() < end; usleep(100000)) {
		pw_snapshot_free(s3);
		s3 = snap(c);
		if (!find_gone(s3, tns.inum))
			break;
	}
	ok(!find_gone(s3, tns.inum) && s3->time - (g2 ? g2->gone_time : 0) >= 2,
	   "gone_retention: it leaves after the 2 s window");
	pw_snapshot_free(s1);
	pw_snapshot_free(s2);
	pw_snapshot_free(s3);
	pw_close(c);
}

/* On kernels without group_dead, forcing the 6.16 program must fail loudly. */
static void t_refused_program(void)
{
	struct pw_opts o = { .exit_variant = PW_VARIANT_V616 };
	struct pw_collector *c;
	char err[1024] = "";
	int rc;

	rc = pw_open(&o, &c, err, sizeof(err));
	if (rc == 0) {
		pw_close(c);
		skip("refused_program", "this kernel has sched_process_exit(task, group_dead)");
		return;
	}
	is_int(rc, PW_EXIT_REFUSED, "refused_program: exit code 5 for a refused program");
	ok(strstr(err, "refused") != NULL, "refused_program: message says the kernel refused (%s)", err);
}

/* ---- driver --------------------------------------------------------- */

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "nonreaping_init", t_nonreaping_init },
	{ "pause_reaps_match_page", t_pause_reaps_match_page },
	{ "orphans_init", t_orphans_init },
	{ "orphans_subreaper", t_orphans_subreaper },
	{ "orphans_thread", t_orphans_thread },
	{ "autoreap", t_autoreap },
	{ "leader_exits_first", t_leader_exits_first },
	{ "sigterm_ignored_by_init", t_sigterm_ignored_by_init },
	{ "signals_results", t_signals_results },
	{ "seeded_zombies", t_seeded_zombies },
	{ "pid_reuse", t_pid_reuse },
	{ "zombie_table_overflow", t_zombie_table_overflow },
	{ "exit_slot_eviction", t_exit_slot_eviction },
	{ "ns_churn", t_ns_churn },
	{ "gone_retention", t_gone_retention },
	{ "refused_program", t_refused_program },
};

static void print_variants(void)
{
	struct pw_collector *c = open_collector(0);
	struct pw_snapshot *s;

	if (!c)
		return;
	s = snap(c);
	diag("variants: exit=%s attach=%s walk=%s kernel_stats=%s", s->self.exit_variant,
	     s->self.attach, s->self.walk, s->self.bpf_stats_enabled ? "on" : "off");
	pw_snapshot_free(s);
	pw_close(c);
}

int main(int argc, char **argv)
{
	const char *v = getenv("PW_TEST_VARIANT");
	size_t n = sizeof(tests) / sizeof(tests[0]);

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	if (getenv("PW_TEST_ATTACH") && !strcmp(getenv("PW_TEST_ATTACH"), "raw_tp"))
		test_attach = PW_ATTACH_RAW_TP;
	if (getenv("PW_TEST_WALK") && !strcmp(getenv("PW_TEST_WALK"), "iter_task"))
		test_walk = PW_WALK_ITER_TASK;
	if (v && !strcmp(v, "legacy"))
		test_variant = PW_VARIANT_LEGACY;
	else if (v && !strcmp(v, "v616"))
		test_variant = PW_VARIANT_V616;
	print_variants();
	for (size_t i = 0; i < n; i++) {
		bool want = argc < 2;

		for (int a = 1; a < argc; a++)
			want |= !strcmp(argv[a], tests[i].name);
		if (want)
			tests[i].fn();
	}
	for (int a = 1; a < argc; a++) {
		bool known = false;

		for (size_t i = 0; i < n; i++)
			known |= !strcmp(argv[a], tests[i].name);
		if (!known)
			ok(0, "unknown test '%s' (see --list)", argv[a]);
	}
	return done_testing();
}
