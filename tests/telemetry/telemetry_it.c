/*
 * telemetry_it — integration tests of the BPF programs and the collector,
 * on the running kernel, with real PID namespaces and real processes.
 *
 *	telemetry_it --list
 *	telemetry_it [NAME...]          (all tests when no name is given)
 *
 * (telemetry_it --exec-parent ... is exec_autoreap's workload after its exec.)
 *
 * Environment: PAUSE (path to our pause, for pause_reaps_match_page),
 * PW_TEST_VARIANT=auto|v616|legacy (which exit tracepoint to force),
 * PW_TEST_ATTACH=raw_tp (force the raw_tp programs instead of tp_btf),
 * PW_TEST_WALK=iter_task (force the older kernels' walk over every thread).
 * Output is TAP; a "# variants:" line names what the loader chose.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
 * Take snapshots until COND (an expression over `W`, the row FIND picks out
 * of the snapshot `_s`) holds or WAIT_SECS pass; evaluates to the last
 * snapshot either way, so the assertions that follow report the real values.
 * WAIT_SNAP picks the namespace INUM.
 */
#define WAIT_FIND(c, find, cond) ({						\
	struct pw_snapshot *_s = NULL;						\
	double _end = now_mono() + WAIT_SECS;					\
	for (;;) {								\
		const struct pw_namespace *W;					\
		pw_snapshot_free(_s);						\
		_s = snap(c);							\
		W = (find);							\
		if ((W && (cond)) || now_mono() > _end)				\
			break;							\
		usleep(20000);							\
	}									\
	_s; })
#define WAIT_SNAP(c, inum, cond) WAIT_FIND(c, find_ns(_s, (inum)), cond)

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

/*
 * The next pid of a /proc/PID/task/TID/children file (pids, each followed
 * by a space): > 0, 0 at the end, -1 for anything that is not a pid.
 */
static pid_t next_child_pid(FILE *f)
{
	char tok[16], *end;
	size_t n = 0;
	long v;
	int ch;

	while ((ch = getc(f)) == ' ' || ch == '\n')
		;
	for (; ch != EOF && ch != ' ' && ch != '\n'; ch = getc(f)) {
		if (n + 1 >= sizeof(tok))
			return -1;
		tok[n++] = (char)ch;
	}
	if (!n)
		return 0;
	tok[n] = 0;
	errno = 0;
	v = strtol(tok, &end, 10);
	return *end || errno || v <= 0 || v > INT_MAX ? -1 : (pid_t)v;
}

static FILE *open_children(pid_t parent)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent, parent);
	return fopen(path, "r");
}

/* The first child of parent's main thread, 0 if none or unreadable. */
static pid_t only_child(pid_t parent)
{
	FILE *f = open_children(parent);
	pid_t pid;

	if (!f)
		return 0;
	pid = next_child_pid(f);
	fclose(f);
	return pid > 0 ? pid : 0;
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

/* How many children of parent's main thread are zombies; -1 if unreadable. */
static int count_zombie_children(pid_t parent)
{
	FILE *f = open_children(parent);
	int n = 0;
	pid_t pid;

	if (!f)
		return -1;
	while ((pid = next_child_pid(f)) > 0)
		n += proc_state(pid) == 'Z';
	fclose(f);
	return pid < 0 ? -1 : n;
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
 * 2,000 short-lived namespaces, a snapshot every 50: each is reported gone
 * with its final values, the retention list never holds more than its bound
 * (512 here), and what it had to let go early is counted.  The list is shared
 * with every other namespace dying on the machine: a snapshot every 50 of
 * ours leaves room for hundreds of others between two snapshots.
 */
static void t_ns_churn(void)
{
	struct pw_opts o = { .max_zombies = 1u << 18, .max_gone = 512, .exit_variant = test_variant,
			     .attach = test_attach, .walk = test_walk };
	int pipefd[2] = { -1, -1 }, total = 2000, made = 0, alive_ours = 0, seen_n = 0;
	struct churn_ns *ours = calloc(total, sizeof(*ours));
	bool *seen = calloc(total, sizeof(*seen));
	struct pw_collector *c = NULL;
	size_t retained = 0;
	struct pw_snapshot *s;
	char err[1024];

	if (!ours || !seen) {
		ok(0, "ns_churn: setup: out of memory for %d namespaces", total);
		goto out;
	}
	if (pw_open(&o, &c, err, sizeof(err))) {
		diag("setup: %s", err);
		ok(0, "ns_churn: setup");
		goto out;
	}
	if (pipe(pipefd)) {
		ok(0, "ns_churn: setup: pipe: %s", strerror(errno));
		goto out;
	}
	for (int i = 0; i < total; i++) {
		pid_t m = fork();

		if (m == 0)
			_exit(churn_one(pipefd[1]));
		if (m < 0 || read(pipefd[0], &ours[i], sizeof(ours[i])) != sizeof(ours[i]))
			break;
		waitpid(m, NULL, 0);
		made++;
		if (i % 50 == 49)	/* retire as we go, like a live pausetop */
			count_ours(c, ours, made, seen, &alive_ours, &retained);
	}
	is_int(made, total, "ns_churn: 2000 namespaces created and gone");
	for (int i = 0; i < made; i++)
		seen_n += seen[i];
	is_int(seen_n, total, "ns_churn: each was reported gone with its final values");
	is_int(alive_ours, 0, "ns_churn: none of the 2000 short-lived namespaces was reported alive");
	ok(retained <= 512, "ns_churn: at most 512 gone namespaces retained at once (max %zu)", retained);
	s = snap(c);
	ok(s->self.drops[PWC_DROP_GONE_EVICTED] >= (uint64_t)(total - 512),
	   "ns_churn: the ones let go before their time are counted (%llu >= %d)",
	   (unsigned long long)s->self.drops[PWC_DROP_GONE_EVICTED], total - 512);
	pw_snapshot_free(s);
out:
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
		close(pipefd[1]);
	}
	free(ours);
	free(seen);
	if (c)
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

	if (pw_open(&o, &c, err, sizeof(err))) {
		diag("setup: %s", err);
		ok(0, "gone_retention: setup");
		return;
	}
	if (ns_start_lazy_init(&tns)) {
		ok(0, "gone_retention: setup: namespace");
		pw_close(c);
		return;
	}
	ns_run(&tns, short_ns_init, NULL, false);
	ns_stop(&tns);	/* the init dies: the namespace with it */
	/* at least one snapshot, then until the final counts or the deadline */
	for (end = now_mono() + WAIT_SECS;; usleep(20000)) {
		pw_snapshot_free(s1);
		s1 = snap(c);
		g1 = find_gone(s1, tns.inum);
		if ((g1 && g1->reaped == g1->zombie_exits) || now_mono() > end)
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
	for (end = now_mono() + 2 + WAIT_SECS;; usleep(100000)) {
		pw_snapshot_free(s3);
		s3 = snap(c);
		if (!find_gone(s3, tns.inum) || now_mono() > end)
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

/* ==== issue 9: exact under every kernel path ============================= */

/*
 * A test's namespace in any snapshot, alive or gone: by inode and the host
 * pid of its init.  A gone namespace is reported once (alive=false) or kept
 * for keep_gone_seconds, depending on the collector; an alive row wins.
 */
struct nsref {
	unsigned int inum;
	pid_t init;
};

static const struct pw_namespace *ns_of(const struct pw_snapshot *s, const struct nsref *r)
{
	const struct pw_namespace *gone = NULL;

	for (size_t i = 0; i < s->n_ns; i++) {
		const struct pw_namespace *ns = &s->ns[i];

		if (ns->pidns != r->inum || ns->init_pid != r->init)
			continue;
		if (ns->alive)
			return ns;
		gone = ns;
	}
	return gone;
}

/* WAIT_SNAP for an nsref (W may be a gone row). */
#define WAIT_NS(c, ref, cond) WAIT_FIND(c, ns_of(_s, (ref)), cond)

/* The lifecycle counters of one namespace, compared all at once. */
struct counts {
	long long exits, zombie_exits, reaped, autoreaped;
};

static void is_counts(const struct pw_namespace *ns, const struct counts *want, const char *name)
{
	is_int(ns ? (long long)ns->exits : -1, want->exits, "%s: exits_total %lld", name, want->exits);
	is_int(ns ? (long long)ns->zombie_exits : -1, want->zombie_exits,
	       "%s: zombie_exits_total %lld", name, want->zombie_exits);
	is_int(ns ? (long long)ns->reaped : -1, want->reaped, "%s: reaped_total %lld", name, want->reaped);
	is_int(ns ? (long long)ns->autoreaped : -1, want->autoreaped,
	       "%s: autoreaped_total %lld", name, want->autoreaped);
}

static long read_long_file(const char *path, long dflt)
{
	char buf[64];
	long v = dflt;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return dflt;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = 0;
		v = strtol(buf, NULL, 10);
	}
	return v;
}

static struct pw_collector *start_with_ns(const char *name, struct testns *tns, struct nsref *ref)
{
	struct pw_collector *c = open_collector(0);

	*tns = (struct testns){ .ctl = -1, .ack = -1 };
	if (!c || ns_start_lazy_init(tns)) {
		ok(0, "%s: setup (collector, namespace)", name);
		ns_stop(tns);	/* whatever part of it started */
		if (c)
			pw_close(c);
		return NULL;
	}
	ref->inum = tns->inum;
	ref->init = tns->init;
	return c;
}

/* ---- item 1: every reap counted, burst after burst ------------------- */

#define BURST_CHILDREN	3000
#define BURST_BUDGET_S	15.0	/* rounds stop once pids wrapped or this much time went by */
#define BURST_MIN	3
#define BURST_MAX	40

struct burst_arg {
	int n;
	int report;	/* write end: {children made, reaps done} */
};

/*
 * A CLONE_VM|CLONE_VFORK child runs on the parent's memory on a stack of
 * its own: it only exits.  Not instrumented (ASan knows nothing of that stack).
 */
__attribute__((no_sanitize_address, no_sanitize_undefined))
static int burst_child(void *arg)
{
	(void)arg;
	syscall(SYS_exit, 0);
	return 0;
}

/* Make n zombies as fast as the kernel allows, then reap every one of them. */
static int burst_workload(void *arg)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct burst_arg *a = arg;
	int done[2] = { 0, 0 };

	for (int i = 0; i < a->n; i++) {
		if (clone(burst_child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL) < 0)
			break;
		done[0]++;
	}
	for (;;) {
		if (waitpid(-1, NULL, 0) > 0)
			done[1]++;
		else if (errno != EINTR)
			break;
	}
	return write_full(a->report, done, sizeof(done)) ? 1 : 0;
}

/*
 * Issue 9.1: a sched_process_free the BPF program never sees must not lose
 * the reap.  Rounds of BURST_CHILDREN zombies reaped by their parent, until
 * the host's pids have wrapped (every exited-process slot reused): after
 * every round reaped_total equals the reaps the workload did, exactly.
 * The snapshots start right after the last wait(), while frees are still
 * waiting for their RCU grace period, so the walk finds released zombies
 * first: reaps_by_walk must be reported.  With a table as large as pid_max
 * no slot is ever evicted (a pid is only reused after its owner's release).
 */
static void t_reaps_every_burst(void)
{
	const char *name = "reaps_every_burst";
	long pid_max = read_long_file("/proc/sys/kernel/pid_max", 32768);
	long long made = 0, reaps = 0, rounds = 0;
	uint64_t evicted0, recovered = 0;
	struct pw_collector *c;
	struct pw_snapshot *s;
	struct testns tns;
	struct nsref ref;
	bool all_exact = true;
	int rep[2];
	double t0;

	c = start_with_ns(name, &tns, &ref);
	if (!c)
		return;
	if (pipe2(rep, O_CLOEXEC)) {
		ok(0, "%s: pipe", name);
		goto out;
	}
	s = snap(c);
	evicted0 = s->self.drops[PWC_DROP_EXIT_SLOT_EVICTED];
	pw_snapshot_free(s);
	t0 = now_mono();
	while (rounds < BURST_MAX &&
	       (rounds < BURST_MIN || (made < pid_max + 2000 && now_mono() - t0 < BURST_BUDGET_S))) {
		struct burst_arg a = { .n = BURST_CHILDREN, .report = rep[1] };
		const struct pw_namespace *ns;
		struct counts want;
		int done[2];

		if (ns_run(&tns, burst_workload, &a, true) != 0 ||
		    read_full(rep[0], done, sizeof(done)) != sizeof(done)) {
			ok(0, "%s: round %lld: workload failed", name, rounds + 1);
			all_exact = false;
			break;
		}
		made += done[0];
		reaps += done[1];
		rounds++;
		want = (struct counts){ made + rounds, made, reaps, rounds };
		s = WAIT_NS(c, &ref, W->reaped >= (uint64_t)reaps && W->exits >= (uint64_t)want.exits);
		ns = ns_of(s, &ref);
		recovered = s->self.recovered[PWC_RECOVERED_REAPS];
		if (!ns || (long long)ns->exits != want.exits || (long long)ns->zombie_exits != want.zombie_exits ||
		    (long long)ns->reaped != want.reaped || (long long)ns->autoreaped != want.autoreaped) {
			char round[96];

			snprintf(round, sizeof(round), "%s: round %lld (%d zombies, %d reaped by their parent)",
				 name, rounds, done[0], done[1]);
			is_counts(ns, &want, round);
			diag("%s: reaped_total - reaps done = %lld after %lld rounds", name,
			     ns ? (long long)ns->reaped - reaps : -reaps, rounds);
			all_exact = false;
			pw_snapshot_free(s);
			break;
		}
		pw_snapshot_free(s);
	}
	ok(all_exact, "%s: %lld rounds, %lld zombies, %lld reaps by their parent: reaped_total equal after every round",
	   name, rounds, made, reaps);
	diag("%s: %lld children against pid_max %ld in %.1f s", name, made, pid_max, now_mono() - t0);
	s = snap(c);
	if (pid_max <= (1L << 18))
		is_int(s->self.drops[PWC_DROP_EXIT_SLOT_EVICTED] - evicted0, 0,
		       "%s: exit_slot_evicted stays 0 with one slot per pid (pid_max %ld)", name, pid_max);
	else
		skip("exit_slot_evicted stays 0", "pid_max is larger than the table's 2^18 slots");
	ok(recovered > 0, "%s: reaps_by_walk reported for frees still pending at a snapshot (%llu)", name,
	   (unsigned long long)recovered);
	pw_snapshot_free(s);
	close(rep[0]);
	close(rep[1]);
out:
	ns_stop(&tns);
	pw_close(c);
}

/* ---- item 2: a dying namespace keeps its last reaps ------------------ */

#define DYING_NS	200
#define DYING_ZOMBIES	5

struct dying_rec {
	pid_t init;
	unsigned int inum;
};

/* One namespace: its init makes DYING_ZOMBIES zombies, reaps them, exits at once. */
static int dying_one(int out_fd)
{
	struct dying_rec rec;
	int hold[2], status;
	char ch;

	if (unshare(CLONE_NEWPID) || pipe(hold))
		return 1;
	rec.init = fork();
	if (rec.init < 0)
		return 2;
	if (rec.init == 0) {
		close(hold[1]);
		if (read(hold[0], &ch, 1) < 0)	/* until the middle knows the inode */
			_exit(1);
		/* all of them, or the expected counts are wrong: pids can run short on a busy node */
		for (int i = 0, tries = 0; i < DYING_ZOMBIES;) {
			pid_t p = fork();

			if (p == 0)
				_exit(0);
			if (p > 0)
				i++;
			else if (errno != EAGAIN || ++tries > 5000)
				_exit(3);
			else
				usleep(1000);
		}
		while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
			;
		_exit(0);	/* the last reaps, then the namespace dies */
	}
	close(hold[0]);
	rec.inum = pidns_inode(rec.init);
	/*
	 * A signal the init drops (SIG_DFL) before any exit: for a while the
	 * namespace has a signal row and no counters row, the window in which
	 * a snapshot once threw the row away.
	 */
	if (kill(rec.init, SIGUSR1))
		return 5;
	usleep(1000);
	if (write_full(out_fd, &rec, sizeof(rec)))
		return 3;
	close(hold[1]);
	/* init itself: a zombie reaped from outside */
	if (waitpid(rec.init, &status, 0) != rec.init || !WIFEXITED(status) || WEXITSTATUS(status))
		return 4;
	return 0;
}

/* 0: every namespace made as planned; else how many were not (their counts are off). */
static int dying_driver(int out_fd)
{
	int failed = 0, status;

	for (int i = 0; i < DYING_NS; i++) {
		pid_t m = fork();

		if (m == 0)
			_exit(dying_one(out_fd));
		if (m < 0 || waitpid(m, &status, 0) != m)
			return 100;
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	return failed > 99 ? 99 : failed;
}

struct dying_seen {
	struct dying_rec rec;
	int gone_rows;		/* snapshots that reported it alive=false */
	int bad_rows;		/* ... with other than the final values */
	struct counts bad;	/* the first such row */
	long long bad_usr1;	/* its SIGUSR1s dropped by the init */
};

/* SIGUSR1s generated and dropped by the init (its one row must say 1 and 1), else -1. */
static long long dying_usr1_dropped(const struct pw_namespace *ns)
{
	for (size_t i = 0; i < ns->n_sigs; i++)
		if (ns->sigs[i].sig == SIGUSR1)
			return ns->sigs[i].generated[PWC_SIG_IGNORED] == ns->sigs[i].ignored_by_init ?
				       (long long)ns->sigs[i].ignored_by_init : -1;
	return 0;
}

/* Check every alive=false row of ours in one snapshot. */
static void dying_check(const struct pw_snapshot *s, struct dying_seen *seen, int n)
{
	for (size_t k = 0; k < s->n_ns; k++) {
		const struct pw_namespace *ns = &s->ns[k];

		if (ns->alive)
			continue;
		for (int i = 0; i < n; i++) {
			struct dying_seen *d = &seen[i];

			if (ns->pidns != d->rec.inum || ns->init_pid != d->rec.init)
				continue;
			d->gone_rows++;
			if (ns->exits == DYING_ZOMBIES + 1 && ns->zombie_exits == DYING_ZOMBIES + 1 &&
			    ns->reaped == DYING_ZOMBIES + 1 && ns->autoreaped == 0 &&
			    dying_usr1_dropped(ns) == 1)
				break;
			if (!d->bad_rows++) {
				d->bad = (struct counts){ (long long)ns->exits, (long long)ns->zombie_exits,
							  (long long)ns->reaped, (long long)ns->autoreaped };
				d->bad_usr1 = dying_usr1_dropped(ns);
			}
			break;
		}
	}
}

/*
 * Issue 9.2: a snapshot between the last release and its RCU-delayed free
 * must not finalise a namespace.  DYING_NS namespaces, each: init makes
 * DYING_ZOMBIES zombies, reaps them and exits (a zombie its outside parent
 * reaps).  Before its first exit, the init drops a SIGUSR1 from outside.
 * Snapshots every 5 ms meanwhile, like pausetop -d 0.01 or faster.  Every
 * row of ours with alive=false holds the final values: DYING_ZOMBIES+1 exits,
 * as many zombie exits and reaps, no autoreap, and the SIGUSR1 (a signal row
 * made before the namespace had counters must survive the snapshots that
 * see it alone).
 */
static void t_dying_ns_final(void)
{
	const char *name = "dying_ns_final";
	struct pw_collector *c = open_collector(0);
	struct dying_seen *seen = calloc(DYING_NS, sizeof(*seen));
	int pfd[2], n = 0, gone = 0, bad = 0, shown = 0, status = -1, progress = 0;
	bool eof = false;
	pid_t driver;
	double moved;

	if (!c || !seen || pipe2(pfd, O_CLOEXEC)) {
		ok(0, "%s: setup", name);
		goto out;
	}
	driver = fork();
	if (driver == 0)
		_exit(dying_driver(pfd[1]));
	close(pfd[1]);
	if (driver < 0 || fcntl(pfd[0], F_SETFL, O_NONBLOCK)) {
		ok(0, "%s: driver", name);
		close(pfd[0]);
		goto out;
	}
	/*
	 * Liveness, not speed: give up only when neither a namespace is made
	 * nor one is seen gone for 60 + WAIT_SECS s.  Under ASan at a load of
	 * 100, 200 namespaces took longer than a fixed 90 s in all.
	 */
	moved = now_mono();
	for (;;) {
		struct pw_snapshot *s;

		/* pipe writes of one record are atomic: reads return whole records */
		if (!eof && waitpid(driver, &status, WNOHANG) == driver)
			eof = true;	/* everything it made is in the pipe */
		while (n < DYING_NS && read(pfd[0], &seen[n].rec, sizeof(seen[n].rec)) == sizeof(seen[n].rec))
			n++;
		s = snap(c);
		dying_check(s, seen, n);
		pw_snapshot_free(s);
		gone = 0;
		for (int i = 0; i < n; i++)
			gone += seen[i].gone_rows > 0;
		if (n + gone != progress) {	/* both only grow */
			progress = n + gone;
			moved = now_mono();
		}
		if ((eof && gone == n) || now_mono() - moved > 60 + WAIT_SECS)
			break;
		usleep(5000);
	}
	if (!eof) {
		kill(driver, SIGKILL);
		waitpid(driver, &status, 0);
	}
	close(pfd[0]);
	is_int(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
	       "%s: the driver made its namespaces as planned (else: how many were not)", name);
	is_int(n, DYING_NS, "%s: %d short-lived namespaces, each %d zombies reaped by init just before it exits",
	       name, DYING_NS, DYING_ZOMBIES);
	is_int(gone, n, "%s: every one of them reported gone (alive=false)", name);
	for (int i = 0; i < n; i++) {
		if (!seen[i].bad_rows)
			continue;
		bad++;
		if (shown++ < 5)
			diag("%s: pidns %u init %d: %d of %d gone rows not final, first: exits %lld zombie_exits %lld "
			     "reaped %lld autoreaped %lld SIGUSR1 dropped by init %lld", name, seen[i].rec.inum,
			     seen[i].rec.init, seen[i].bad_rows, seen[i].gone_rows, seen[i].bad.exits,
			     seen[i].bad.zombie_exits, seen[i].bad.reaped, seen[i].bad.autoreaped, seen[i].bad_usr1);
	}
	is_int(bad, 0, "%s: every gone row has exits = zombie_exits = reaped = %d, autoreaped 0, "
	       "one SIGUSR1 dropped by the init", name, DYING_ZOMBIES + 1);
out:
	free(seen);
	if (c)
		pw_close(c);
}

/* ---- item 3: a pid reused before its old owner is freed ------------- */

#define REUSE_CYCLES	20

struct reuse_fast_arg {
	pid_t host_start;	/* first host pid to try */
	pid_t pid_max;
	int report;		/* {host pid used, cycles done, errno} */
};

/* clone3 with the pid chosen in the namespace (nspid) and on the host. */
static long clone3_pids(pid_t nspid, pid_t hostpid)
{
	pid_t tids[2] = { nspid, hostpid };
	struct clone_args ca = {
		.exit_signal = SIGCHLD,
		.set_tid = (uint64_t)(uintptr_t)tids,
		.set_tid_size = 2,
	};

	return syscall(SYS_clone3, &ca, sizeof(ca));
}

/*
 * Child after child with the same pids (777 inside, one host pid outside):
 * each is reaped and the next created at once, long before the RCU grace
 * period that frees the reaped one's task_struct.
 */
static int reuse_fast_workload(void *arg)
{
	struct reuse_fast_arg *a = arg;
	int res[3] = { 0, 0, 0 };
	pid_t host = a->host_start;
	long p = -1;

	/* EEXIST: that host pid is taken (a busy machine may have most of them) */
	for (int i = 0; i < a->pid_max; i++, host = host + 1 < a->pid_max ? host + 1 : 300) {
		p = clone3_pids(777, host);
		if (p == 0)
			_exit(0);
		if (p > 0 || errno != EEXIST)
			break;
	}
	while (p > 0) {
		if (waitpid((pid_t)p, NULL, 0) != p)
			break;
		if (++res[1] == REUSE_CYCLES)
			break;
		p = clone3_pids(777, host);	/* released, not freed: the same pids again */
		if (p == 0)
			_exit(0);
	}
	if (p < 0)
		res[2] = errno;
	res[0] = host;
	return write_full(a->report, res, sizeof(res)) ? 1 : 0;
}

/*
 * Issue 9.3: a pid can only be reused after its previous owner's release,
 * so reuse before the free is a reap, never an eviction.  REUSE_CYCLES
 * children with the same host pid, each reaped by its parent: exactly that
 * many reaps and no exit_slot_evicted.
 */
static void t_pid_reuse_before_free(void)
{
	const char *name = "pid_reuse_before_free";
	long pid_max = read_long_file("/proc/sys/kernel/pid_max", 32768);
	long last = read_long_file("/proc/sys/kernel/ns_last_pid", 300);
	struct reuse_fast_arg a;
	struct pw_collector *c;
	struct pw_snapshot *s;
	struct testns tns;
	struct nsref ref;
	uint64_t evicted0;
	int rep[2], res[3] = { 0, 0, 0 };

	c = start_with_ns(name, &tns, &ref);
	if (!c)
		return;
	if (pipe2(rep, O_CLOEXEC)) {
		ok(0, "%s: pipe", name);
		goto out;
	}
	/* far from where the host allocates now, so nobody else takes it meanwhile */
	a.host_start = (pid_t)(300 + (last + pid_max / 2) % (pid_max - 3000));
	a.pid_max = (pid_t)pid_max;
	a.report = rep[1];
	s = snap(c);
	evicted0 = s->self.drops[PWC_DROP_EXIT_SLOT_EVICTED];
	pw_snapshot_free(s);
	is_int(ns_run(&tns, reuse_fast_workload, &a, true), 0, "%s: workload ran", name);
	if (read_full(rep[0], res, sizeof(res)) != sizeof(res))
		diag("%s: no report from the workload", name);
	is_int(res[1], REUSE_CYCLES, "%s: %d children with pid 777 and host pid %d, each reaped, next made at once (errno %d)",
	       name, REUSE_CYCLES, res[0], res[2]);
	s = WAIT_NS(c, &ref, W->exits >= REUSE_CYCLES + 1 && W->reaped >= REUSE_CYCLES);
	is_counts(ns_of(s, &ref), &(struct counts){ REUSE_CYCLES + 1, REUSE_CYCLES, REUSE_CYCLES, 1 }, name);
	is_int(s->self.drops[PWC_DROP_EXIT_SLOT_EVICTED] - evicted0, 0,
	       "%s: no exit_slot_evicted (reuse after release is not a collision)", name);
	pw_snapshot_free(s);
	close(rep[0]);
	close(rep[1]);
out:
	ns_stop(&tns);
	pw_close(c);
}

/* ---- item 4: an orphan whose leader exited but a thread runs --------- */

struct orphan_leader_arg {
	struct gate *gate;
	int report;	/* {P's host pid, P's /proc state when W exits} */
};

static void *runs_until_gate(void *arg)
{
	gate_wait(arg);
	_exit(0);
}

static int orphan_leader_workload(void *arg)
{
	struct orphan_leader_arg *a = arg;
	int hp[2], res[2] = { 0, '?' };
	siginfo_t si;
	pid_t z, p;

	if (pipe(hp))
		return 1;
	z = fork();	/* Z: a zombie when W exits */
	if (z == 0)
		_exit(0);
	p = fork();	/* P: its leader exits, its thread runs */
	if (p == 0) {
		struct gate *g = malloc(sizeof(*g));	/* the leader's stack goes away */
		pthread_t t;

		res[0] = host_pid_self();
		if (!g || write_full(hp[1], &res[0], sizeof(res[0])))
			_exit(1);
		*g = *a->gate;
		if (pthread_create(&t, NULL, runs_until_gate, g))
			_exit(1);
		syscall(SYS_exit, 0);	/* the leader alone */
	}
	if (z < 0 || p < 0 || read_full(hp[0], &res[0], sizeof(res[0])) != sizeof(res[0]))
		return 2;
	if (waitid(P_PID, z, &si, WEXITED | WNOWAIT))	/* Z is a zombie now */
		return 3;
	for (int i = 0; i < 5000 && proc_state(res[0]) != 'Z'; i++)
		usleep(1000);
	res[1] = (unsigned char)proc_state(res[0]);
	return write_full(a->report, res, sizeof(res)) ? 4 : 0;	/* W exits: Z and P are orphans */
}

/*
 * Issue 9.4: the kernel notifies a new parent of an adopted zombie only if
 * its thread group is empty (reparent_leader()); a process whose leader
 * exited while another thread runs is not a zombie.  W leaves two orphans
 * to init: Z (a zombie) and P (leader exited, thread running).
 */
static void t_orphan_zombie_leader(void)
{
	const char *name = "orphan_zombie_leader";
	struct orphan_leader_arg a;
	const struct pw_namespace *ns;
	struct pw_collector *c;
	struct pw_snapshot *s;
	struct testns tns;
	struct nsref ref;
	struct gate g;
	int rep[2], res[2] = { 0, '?' };

	c = start_with_ns(name, &tns, &ref);
	if (!c)
		return;
	if (gate_open(&g) || pipe2(rep, O_CLOEXEC)) {
		ok(0, "%s: gate", name);
		goto out;
	}
	a = (struct orphan_leader_arg){ .gate = &g, .report = rep[1] };
	is_int(ns_run(&tns, orphan_leader_workload, &a, true), 0, "%s: workload ran", name);
	if (read_full(rep[0], res, sizeof(res)) != sizeof(res))
		diag("%s: no report from the workload", name);
	is_int(res[1], 'Z', "%s: when W exits, P's leader has exited (Z) while its thread runs", name);
	s = WAIT_NS(c, &ref, W->orphans[PWC_REAPER_INIT] >= 2 && W->exits >= 2);
	ns = ns_of(s, &ref);
	is_int(ns ? ns->orphans[PWC_REAPER_INIT] : 0, 2, "%s: 2 orphans adopted by init", name);
	is_int(ns ? (long long)ns->orphans_zombie : -1, 1,
	       "%s: orphans_already_zombie 1: Z only (P's thread group is not empty)", name);
	is_counts(ns, &(struct counts){ 2, 1, 0, 1 }, "orphan_zombie_leader (W gone)");
	is_int(ns ? (long long)ns->zombies : -1, 1, "%s: 1 zombie (Z)", name);
	pw_snapshot_free(s);

	gate_release(&g);
	s = WAIT_NS(c, &ref, W->exits >= 3 && W->zombies == 2);
	ns = ns_of(s, &ref);
	is_counts(ns, &(struct counts){ 3, 2, 0, 1 }, "orphan_zombie_leader (P gone)");
	is_int(ns ? (long long)ns->zombies : -1, 2, "%s: P's last thread exits: 2 zombies of init", name);
	is_int(ns ? (long long)ns->orphans_zombie : -1, 1, "%s: orphans_already_zombie still 1", name);
	pw_snapshot_free(s);
	is_int(ns_lazy_reap(&tns), 2, "%s: init reaps both", name);
	s = WAIT_NS(c, &ref, W->reaped >= 2 && W->zombies == 0);
	is_counts(ns_of(s, &ref), &(struct counts){ 3, 2, 2, 1 }, "orphan_zombie_leader (reaped)");
	pw_snapshot_free(s);
	close(rep[0]);
	close(rep[1]);
out:
	ns_stop(&tns);
	pw_close(c);
}

/* ---- item 5: do_notify_parent()'s exec rule -------------------------- */

struct exec_arg {
	int report;	/* {clone children autoreaped, control zombie seen, errors} after the exec */
};

/*
 * A raw clone (no CLONE_VM: fork-like, with exit signal sig).  The child
 * waits for EOF on go (go_rd < 0: none) and exits.
 */
static pid_t clone_waiter(int sig, int go_rd, int go_wr)
{
	long p = syscall(SYS_clone, (unsigned long)sig, 0, 0, 0, 0);
	char b;

	if (p != 0)
		return (pid_t)p;
	if (go_rd >= 0) {
		close(go_wr);
		while (read(go_rd, &b, 1) < 0 && errno == EINTR)
			;
	}
	syscall(SYS_exit_group, 0);
	return 0;
}

static int exec_workload(void *arg)
{
	struct exec_arg *a = arg;
	char go_s[16], rep_s[16], c0_s[16], c1_s[16];
	pid_t c0, c1;
	int go[2];

	if (pipe(go))
		return 1;
	signal(SIGUSR1, SIG_IGN);	/* if SIGUSR1 were sent, it would not kill us */
	c0 = clone_waiter(0, go[0], go[1]);
	c1 = clone_waiter(SIGUSR1, go[0], go[1]);
	if (c0 < 0 || c1 < 0)
		return 2;
	close(go[0]);
	signal(SIGCHLD, SIG_IGN);	/* kept across exec */
	snprintf(go_s, sizeof(go_s), "%d", go[1]);
	snprintf(rep_s, sizeof(rep_s), "%d", a->report);
	snprintf(c0_s, sizeof(c0_s), "%d", c0);
	snprintf(c1_s, sizeof(c1_s), "%d", c1);
	execl("/proc/self/exe", "telemetry_it", "--exec-parent", go_s, rep_s, c0_s, c1_s, (char *)NULL);
	return 3;
}

/* A file descriptor or pid from our own argv: >= 0, or -1 if not one. */
static int int_arg(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return end == s || *end || errno || v < 0 || v > INT_MAX ? -1 : (int)v;
}

/*
 * The second half of exec_workload, after its exec: argv is --exec-parent
 * GO_FD REPORT_FD PID0 PID1.  SIGCHLD is still SIG_IGN and the two clone
 * children were made before the exec: the kernel sends their parent SIGCHLD
 * instead of their exit signal, so it autoreaps them.  A clone child made
 * after the exec (exit signal 0) is a zombie, reaped here with __WALL.
 */
static int exec_parent_main(int argc, char **argv)
{
	int res[3] = { 0, 0, 0 }, report, go;
	pid_t kid[2];
	siginfo_t si;
	pid_t c2;

	/* 64: the parent sees it as its workload's exit status */
	if (argc != 6 || (go = int_arg(argv[2])) < 0 || (report = int_arg(argv[3])) < 0 ||
	    (kid[0] = int_arg(argv[4])) <= 0 || (kid[1] = int_arg(argv[5])) <= 0)
		return 64;
	close(go);	/* both children exit now */
	for (int i = 0; i < 2; i++) {
		pid_t c = kid[i];

		/* blocks until it is a zombie (0) or autoreaped (ECHILD) */
		if (waitid(P_PID, c, &si, WEXITED | WNOWAIT | __WALL) < 0 && errno == ECHILD)
			res[0]++;
		else if (waitid(P_PID, c, &si, WEXITED | __WALL) < 0)
			res[2]++;
	}
	c2 = clone_waiter(0, -1, -1);
	if (c2 < 0 || waitid(P_PID, c2, &si, WEXITED | WNOWAIT | __WALL) < 0)
		res[2]++;
	else
		res[1] = waitid(P_PID, c2, &si, WEXITED | __WALL) == 0;
	return write_full(report, res, sizeof(res)) ? 1 : 0;
}

/*
 * Issue 9.5: a child whose exit signal is not SIGCHLD, of a parent that
 * exec'd since the fork and ignores SIGCHLD, is autoreaped
 * (do_notify_parent: parent_exec_id != self_exec_id -> SIGCHLD).
 * Expected: 4 exits (two clone children, the control child, W), 1 zombie
 * exit and 1 reap (the control), 3 autoreaps (the two and W).
 */
static void t_exec_autoreap(void)
{
	const char *name = "exec_autoreap";
	struct pw_collector *c;
	struct pw_snapshot *s;
	struct exec_arg a;
	struct testns tns;
	struct nsref ref;
	int rep[2], res[3] = { -1, -1, -1 };

	c = start_with_ns(name, &tns, &ref);
	if (!c)
		return;
	if (pipe(rep)) {	/* no O_CLOEXEC: the write end crosses W's exec */
		ok(0, "%s: pipe", name);
		goto out;
	}
	a.report = rep[1];
	is_int(ns_run(&tns, exec_workload, &a, true), 0, "%s: workload ran", name);
	close(rep[1]);	/* W is gone: EOF if it never reported */
	if (read_full(rep[0], res, sizeof(res)) != sizeof(res))
		diag("%s: no report from the exec'd workload", name);
	close(rep[0]);
	is_int(res[0], 2, "%s: the kernel autoreaped both (exit signal 0 and SIGUSR1) after the parent's exec", name);
	is_int(res[1], 1, "%s: control: exit signal 0, made after the exec: a zombie", name);
	is_int(res[2], 0, "%s: no error in the workload", name);
	s = WAIT_NS(c, &ref, W->exits >= 4 && W->reaped >= 1 && W->zombies == 0);
	is_counts(ns_of(s, &ref), &(struct counts){ 4, 1, 1, 3 }, name);
	pw_snapshot_free(s);
out:
	ns_stop(&tns);
	pw_close(c);
}

/* ---- item 6: the decision window ------------------------------------- */

#define WINDOW_ATTEMPTS	10
#define WINDOW_BYTES	(512UL << 20)

struct window_arg {
	size_t bytes;
	int report;	/* {attempts, autoreaped (inside the window), zombies (too late)} */
};

/* Does pid still have its memory?  VmRSS goes when exit_mm() detaches it. */
static bool proc_has_mm(pid_t pid)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	return strstr(buf, "\nVmRSS:") != NULL;
}

static void big_child(size_t bytes, int rdy, int go)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t me = host_pid_self();
	char b;

	if (p == MAP_FAILED)
		_exit(3);
	madvise(p, bytes, MADV_NOHUGEPAGE);	/* 4 KiB pages: exit_mmap() takes a while */
	memset(p, 1, bytes);
	if (write_full(rdy, &me, sizeof(me)))
		_exit(4);
	while (read(go, &b, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* One big child; SIGCHLD goes to SIG_IGN once its memory is detached. 1 autoreaped, 0 zombie, -1 error. */
static int window_attempt(size_t bytes)
{
	int rdy[2], go[2], r = -1;
	pid_t c, host = 0;
	siginfo_t si;
	double end;

	signal(SIGCHLD, SIG_DFL);
	if (pipe(rdy))
		return -1;
	if (pipe(go)) {
		close(rdy[0]);
		close(rdy[1]);
		return -1;
	}
	c = fork();
	if (c == 0) {
		close(rdy[0]);
		close(go[1]);
		big_child(bytes, rdy[1], go[0]);
	}
	close(rdy[1]);
	close(go[0]);
	if (c < 0 || read_full(rdy[0], &host, sizeof(host)) != sizeof(host))
		goto out;
	close(go[1]);	/* it exits */
	go[1] = -1;
	end = now_mono() + 30;
	while (proc_has_mm(host) && now_mono() < end)
		;
	/* exit_mmap() is freeing its memory; exit_notify() has not decided yet */
	signal(SIGCHLD, SIG_IGN);
	if (waitid(P_PID, c, &si, WEXITED | WNOWAIT) == 0) {
		r = 0;	/* too late: a zombie already */
		waitpid(c, NULL, 0);
	} else if (errno == ECHILD) {
		r = 1;
	}
out:
	close(rdy[0]);
	if (go[1] >= 0)
		close(go[1]);
	return r;
}

static int window_workload(void *arg)
{
	struct window_arg *a = arg;
	int res[3] = { 0, 0, 0 };
	pid_t c0 = fork();

	if (c0 == 0)
		_exit(0);
	if (c0 < 0 || waitpid(c0, NULL, 0) != c0)	/* an ordinary zombie, reaped */
		return 1;
	while (res[0] < WINDOW_ATTEMPTS && !res[1]) {
		int r = window_attempt(a->bytes);

		if (r < 0)
			return 2;
		res[0]++;
		res[1 + !r]++;
	}
	return write_full(a->report, res, sizeof(res)) ? 3 : 0;
}

static size_t window_bytes(void)
{
	char line[128];
	size_t avail = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		static const char key[] = "MemAvailable:";
		char *p = line + sizeof(key) - 1, *end;
		unsigned long long kb;

		if (strncmp(line, key, sizeof(key) - 1))
			continue;
		errno = 0;
		kb = strtoull(p, &end, 10);
		if (end != p && !errno && !strcmp(end, " kB\n") && kb <= SIZE_MAX / 1024)
			avail = (size_t)kb;
		break;
	}
	if (f)
		fclose(f);
	avail = avail * 1024 / 2;
	return avail && avail < WINDOW_BYTES ? avail : WINDOW_BYTES;
}

/*
 * Issue 9.6: zombie or autoreap is decided in exit_notify() under the
 * parent's siglock, after exit_mm() has freed the process's memory (since
 * Linux 6.16 sched_process_exit fires before exit_mm()).  W reaps an
 * ordinary child C0, then makes a child with WINDOW_BYTES of touched memory
 * and switches SIGCHLD to SIG_IGN once /proc shows the memory detached but
 * before exit_notify(): the kernel autoreaps it.  An attempt that comes too
 * late leaves a zombie, reaped and counted as such; the test retries until
 * one attempt lands in the window.
 */
static void t_decision_window(void)
{
	const char *name = "decision_window";
	struct pw_collector *c;
	struct pw_snapshot *s;
	struct window_arg a;
	struct testns tns;
	struct nsref ref;
	int rep[2], res[3] = { 0, 0, 0 };

	c = start_with_ns(name, &tns, &ref);
	if (!c)
		return;
	if (pipe2(rep, O_CLOEXEC)) {
		ok(0, "%s: pipe", name);
		goto out;
	}
	a = (struct window_arg){ .bytes = window_bytes(), .report = rep[1] };
	is_int(ns_run(&tns, window_workload, &a, true), 0, "%s: workload ran", name);
	if (read_full(rep[0], res, sizeof(res)) != sizeof(res))
		diag("%s: no report from the workload", name);
	ok(res[1] == 1, "%s: SIGCHLD set to SIG_IGN inside the window of a %zu MiB child (%d of %d attempts; "
	   "%d too late)", name, a.bytes >> 20, res[1], res[0], res[2]);
	s = WAIT_NS(c, &ref, W->exits >= (uint64_t)res[0] + 2 && W->reaped >= (uint64_t)res[2] + 1);
	/* C0 + the attempts + W; zombies: C0 + late attempts; autoreaped: the hit + W */
	is_counts(ns_of(s, &ref), &(struct counts){ res[0] + 2, res[2] + 1, res[2] + 1, res[1] + 1 }, name);
	pw_snapshot_free(s);
	close(rep[0]);
	close(rep[1]);
out:
	ns_stop(&tns);
	pw_close(c);
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
	{ "reaps_every_burst", t_reaps_every_burst },
	{ "dying_ns_final", t_dying_ns_final },
	{ "pid_reuse_before_free", t_pid_reuse_before_free },
	{ "orphan_zombie_leader", t_orphan_zombie_leader },
	{ "exec_autoreap", t_exec_autoreap },
	{ "decision_window", t_decision_window },
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
	const char *v = getenv("PW_TEST_VARIANT"), *attach = getenv("PW_TEST_ATTACH"),
		   *walk = getenv("PW_TEST_WALK");
	size_t n = sizeof(tests) / sizeof(tests[0]);

	/* exec_autoreap's workload; _exit: no atexit work (LeakSanitizer's check forks a tracer) */
	if (argc > 1 && !strcmp(argv[1], "--exec-parent"))
		_exit(exec_parent_main(argc, argv));
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	if (attach && !strcmp(attach, "raw_tp"))
		test_attach = PW_ATTACH_RAW_TP;
	if (walk && !strcmp(walk, "iter_task"))
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
