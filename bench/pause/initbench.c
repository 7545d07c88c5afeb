// SPDX-License-Identifier: Apache-2.0
/*
 * initbench — measure one container init as PID 1 of a fresh PID namespace.
 *
 *   initbench idle SECONDS -- CMD [ARG...]
 *       VmRSS of the init (and of its children, e.g. tini's `sleep`), and
 *       its voluntary / involuntary context switches over SECONDS of idling.
 *   initbench burst N -- CMD [ARG...]
 *       Orphan exit burst: an orphaner inside the namespace forks N children
 *       that block on a pipe, then exits, so all N are reparented to the
 *       init.  The pipe is closed, all N exit at once, and we time until the
 *       init has reaped every one of them.
 *   initbench zombies N -- CMD [ARG...]
 *       Zombie handover: the orphaner forks N children that exit at once and
 *       does not wait for them; when all N are zombies it exits, the kernel
 *       hands the N zombies to the init, and we time until it has reaped
 *       them all.  Pure reaping throughput, no mass wake-up.
 *
 * Output: key=value lines on stdout.  Exit 0 ok, 1 failure, 2 usage, 3 the
 * run was disturbed from outside (worth retrying).
 *
 * "Reaped" is measured the same way for every init, from outside: the init
 * runs in its own pids cgroup, and pids.current only drops when a task is
 * released, i.e. when its zombie has been waited for.  So "pids.current is
 * back to the idle value" means "the init has reaped all N", whatever the
 * init is, without trusting its own counters.  Reading pids.current is O(1),
 * unlike scanning /proc for 10,000 zombies.
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_NS		100000L		/* pids.current poll interval: 0.1 ms */
#define SETTLE_MS	400		/* let the init (and tini's child) start */
#define TIMEOUT_S	120		/* liveness bound for every wait */

struct cg {
	char path[512];
	int current_fd;		/* pids.current, re-read with pread */
};

static void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warnx_(const char *fmt, ...)
{
	va_list ap;

	fputs("initbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ns(long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/*
 * Where a pids controller is mounted: cgroup v1 "pids" hierarchy, else the
 * cgroup2 root (enabling +pids for its children if needed).
 */
static int find_pids_root(char *out, size_t len)
{
	char line[1024], mnt[256], fstype[64], opts[512];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int found = 0;

	if (!f) {
		warnx_("cannot read /proc/self/mountinfo: %m");
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s %*s %511s", fstype, opts) != 2)
			continue;
		if (!strcmp(fstype, "cgroup") && (strstr(opts, ",pids") || !strncmp(opts, "pids", 4)))
			found = 1;
	}
	if (!found) {
		rewind(f);
		while (!found && fgets(line, sizeof(line), f)) {
			char *sep = strstr(line, " - ");

			if (sep && sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1 &&
			    sscanf(sep + 3, "%63s", fstype) == 1 && !strcmp(fstype, "cgroup2"))
				found = 2;
		}
	}
	fclose(f);
	if (!found) {
		warnx_("no pids cgroup controller mounted (need cgroup v1 pids or cgroup2)");
		return -1;
	}
	snprintf(out, len, "%s", mnt);
	if (found == 2) {
		char p[600];

		snprintf(p, sizeof(p), "%s/cgroup.subtree_control", mnt);
		if (write_file(p, "+pids") < 0) {
			warnx_("cannot enable pids in %s: %m", p);
			return -1;
		}
	}
	return 0;
}

static int cg_create(struct cg *cg)
{
	char root[256], p[600];

	cg->current_fd = -1;
	if (find_pids_root(root, sizeof(root)) < 0)
		return -1;
	snprintf(cg->path, sizeof(cg->path), "%s/initbench-%d", root, (int)getpid());
	if (mkdir(cg->path, 0755) < 0 && errno != EEXIST) {
		warnx_("mkdir %s: %m (run as root)", cg->path);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/pids.current", cg->path);
	cg->current_fd = open(p, O_RDONLY | O_CLOEXEC);
	if (cg->current_fd < 0) {
		warnx_("open %s: %m", p);
		return -1;
	}
	return 0;
}

static long cg_current(const struct cg *cg)
{
	char buf[32];
	ssize_t n = pread(cg->current_fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* Move the calling task into the cgroup ("0" = self, in v1 and v2). */
static int cg_join(const struct cg *cg)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/cgroup.procs", cg->path);
	return write_file(p, "0");
}

static void cg_destroy(struct cg *cg)
{
	int i;

	if (cg->current_fd >= 0)
		close(cg->current_fd);
	/* Tasks killed a moment ago may still be on their way out. */
	for (i = 0; i < 2000 && rmdir(cg->path) < 0 && errno == EBUSY; i++)
		sleep_ns(1000000L);
}

/*
 * Wait until pids.current is <= want (at_most) or >= want; returns the ns
 * waited, or -1 after timeout_s seconds.
 */
static long long cg_wait(const struct cg *cg, long want, int at_most, int timeout_s)
{
	long long t0 = now_ns(), deadline = t0 + timeout_s * 1000000000LL;
	long cur;

	for (;;) {
		cur = cg_current(cg);
		if (cur < 0)
			return -1;
		if (at_most ? cur <= want : cur >= want)
			return now_ns() - t0;
		if (now_ns() > deadline) {
			warnx_("timed out: pids.current %ld, waiting for %s %ld", cur,
			       at_most ? "<=" : ">=", want);
			return -1;
		}
		sleep_ns(POLL_NS);
	}
}

/*
 * Start CMD as PID 1 of a new PID namespace inside the cgroup.  Its stdio is
 * /dev/null so messages such as "Shutting down" do not mix with our output.
 */
static pid_t spawn_init(const struct cg *cg, char **cmd)
{
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	int null;

	if (pid < 0) {
		warnx_("clone(CLONE_NEWPID): %m (run as root)");
		return -1;
	}
	if (pid > 0)
		return pid;
	if (cg_join(cg) < 0) {
		warnx_("joining %s: %m", cg->path);
		_exit(127);
	}
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	execvp(cmd[0], cmd);
	_exit(127);
}

static void stop_init(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/*
 * The number after "KEY:" in a /proc status-style line into *out (left alone
 * when the line has another key or no whole non-negative number there).
 */
static void status_field(const char *line, const char *key, long *out)
{
	size_t klen = strlen(key);
	const char *s = line + klen;
	char *end;
	long v;

	if (strncmp(line, key, klen) || *s != ':')
		return;
	s++;
	errno = 0;
	v = strtol(s, &end, 10);
	/* "VmRSS:\t  1234 kB\n", "voluntary_ctxt_switches:\t5\n" */
	if (end == s || errno || v < 0 || (*end != ' ' && *end != '\n' && *end != '\0'))
		return;
	*out = v;
}

/* VmRSS (kB) and context switches from /proc/PID/status. */
static int proc_status(pid_t pid, long *rss_kb, long *vcsw, long *nvcsw)
{
	char p[64], line[256];
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
	f = fopen(p, "re");
	if (!f)
		return -1;
	*rss_kb = *vcsw = *nvcsw = -1;
	while (fgets(line, sizeof(line), f)) {
		status_field(line, "VmRSS", rss_kb);
		status_field(line, "voluntary_ctxt_switches", vcsw);
		status_field(line, "nonvoluntary_ctxt_switches", nvcsw);
	}
	fclose(f);
	return 0;
}

/*
 * CPU time of PID in ms: se.sum_exec_runtime from /proc/PID/sched (ns
 * resolution), else utime + stime from /proc/PID/stat (clock ticks).
 */
/* "se.sum_exec_runtime    :     12.345678" from /proc/PID/sched in ms, or -1. */
static double sched_runtime_ms(const char *line)
{
	static const char key[] = "se.sum_exec_runtime";
	const char *s = line + sizeof(key) - 1;
	char *end;
	double ms;

	if (strncmp(line, key, sizeof(key) - 1) || (*s != ' ' && *s != ':'))
		return -1;
	s += strspn(s, " \t");
	if (*s++ != ':')
		return -1;
	errno = 0;
	ms = strtod(s, &end);
	if (end == s || errno || ms < 0 || (*end != '\n' && *end != '\0'))
		return -1;
	return ms;
}

/*
 * utime + stime (clock ticks) from a /proc/PID/stat line: fields 14 and 15,
 * counted after the ")" that ends the command name (which may hold spaces).
 */
static int stat_ticks(char *line, unsigned long *ticks)
{
	char *s = strrchr(line, ')'), *tok, *save = NULL, *end;
	unsigned long v[2];
	int field = 2;		/* the ")" ends field 2 */

	if (!s)
		return -1;
	for (tok = strtok_r(s + 1, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		if (++field < 14)
			continue;
		errno = 0;
		v[field - 14] = strtoul(tok, &end, 10);
		if (end == tok || *end || errno)
			return -1;
		if (field == 15) {
			*ticks = v[0] + v[1];
			return 0;
		}
	}
	return -1;
}

static double proc_cpu_ms(pid_t pid)
{
	char p[64], buf[1024], *s;
	unsigned long ticks;
	double ms = -1;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/sched", (int)pid);
	f = fopen(p, "re");
	if (f) {
		while (ms < 0 && fgets(buf, sizeof(buf), f))
			ms = sched_runtime_ms(buf);
		fclose(f);
		if (ms >= 0)
			return ms;
	}
	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	f = fopen(p, "re");
	if (!f)
		return -1;
	s = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!s || stat_ticks(buf, &ticks) < 0)
		return -1;
	return ticks * 1000.0 / sysconf(_SC_CLK_TCK);
}

/* Sum of VmRSS of the init's direct children (tini's / dumb-init's sleep). */
static long children_rss(pid_t pid)
{
	char p[96], buf[512], *tok, *save = NULL;
	long sum = 0, rss, a, b;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(p, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		char *end;
		long child;

		errno = 0;
		child = strtol(tok, &end, 10);
		if (end == tok || *end || errno || child <= 0 || child > INT_MAX) {
			warnx_("%s: '%s' is not a pid", p, tok);
			continue;
		}
		if (proc_status((pid_t)child, &rss, &a, &b) == 0 && rss > 0)
			sum += rss;
	}
	return sum;
}

static int cmd_idle(const struct cg *cg, int seconds, char **cmd)
{
	long rss, v0, n0, v1, n1;
	pid_t init = spawn_init(cg, cmd);
	int rc = 1;

	if (init < 0)
		return 1;
	sleep_ns(SETTLE_MS * 1000000L);
	if (proc_status(init, &rss, &v0, &n0) < 0) {
		warnx_("%s is not running (exited at start?)", cmd[0]);
		goto out;
	}
	printf("rss_kb=%ld\nchild_rss_kb=%ld\n", rss, children_rss(init));
	sleep_ns((long)seconds * 1000000000L);
	if (proc_status(init, &rss, &v1, &n1) < 0) {
		warnx_("%s exited while idle", cmd[0]);
		goto out;
	}
	printf("idle_seconds=%d\nvoluntary_ctxt_switches=%ld\nnonvoluntary_ctxt_switches=%ld\n",
	       seconds, v1 - v0, n1 - n0);
	rc = 0;
out:
	stop_init(init);
	return rc;
}

/*
 * Whether our child pid has exited (is a zombie), without reaping it.  Not
 * /proc: the orphaner sees pids of its namespace, /proc shows the host's.
 */
static int is_zombie(pid_t pid)
{
	siginfo_t si = { 0 };

	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT | WNOHANG) == 0 && si.si_pid == pid;
}

/*
 * The orphaner, run inside the init's namespace and cgroup.  Exit burst:
 * fork n children that block reading the pipe, report, exit.  Zombies: fork
 * n children that exit at once, wait (without reaping) until all are
 * zombies, report, then exit when the pipe closes.
 */
static void orphaner(int zombies, int n, int rfd, int ready_fd)
{
	pid_t *kids = calloc((size_t)n, sizeof(*kids));
	char ch;
	int i;

	if (!kids)
		_exit(1);
	for (i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			break;
		if (kids[i] == 0) {
			while (!zombies && read(rfd, &ch, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	for (int k = 0; zombies && k < i; k++)
		while (!is_zombie(kids[k]))
			sleep_ns(1000000L);
	if (write(ready_fd, &i, sizeof(i)) != sizeof(i))
		_exit(1);
	while (zombies && read(rfd, &ch, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/*
 * Enter the init's PID namespace, then fork the orphaner there
 * (setns(CLONE_NEWPID) only affects children); the orphaner joins the
 * cgroup.  We stay outside the namespace, so when the orphaner exits its
 * children go to the init.
 */
static pid_t start_orphaner(const struct cg *cg, pid_t init, int zombies, int n, int pipefd[2],
			    int ready[2])
{
	char p[64];
	pid_t helper = fork();
	int nsfd;

	if (helper != 0)
		return helper;
	close(pipefd[1]);
	close(ready[0]);
	snprintf(p, sizeof(p), "/proc/%d/ns/pid", (int)init);
	nsfd = open(p, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWPID) < 0) {
		warnx_("entering the namespace of %d: %m", (int)init);
		_exit(1);
	}
	pid_t orph = fork();

	if (orph < 0)
		_exit(1);
	if (orph == 0) {
		if (cg_join(cg) < 0) {
			warnx_("joining %s: %m", cg->path);
			_exit(1);
		}
		orphaner(zombies, n, pipefd[0], ready[1]);
	}
	_exit(waitpid(orph, NULL, 0) == orph ? 0 : 1);
}

static int burst_once(const struct cg *cg, pid_t init, int zombies, int n)
{
	int pipefd[2] = { -1, -1 }, ready[2] = { -1, -1 }, forked = -1, rc = 1, st;
	long long t0, fork_ns = 0, drain_ns;
	pid_t helper = -1;
	double cpu0, cpu1;
	long base;

	base = cg_current(cg);
	if (pipe2(pipefd, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0) {
		warnx_("pipe: %m");
		goto out;
	}
	t0 = now_ns();
	helper = start_orphaner(cg, init, zombies, n, pipefd, ready);
	if (helper < 0) {
		warnx_("fork: %m");
		goto out;
	}
	close(ready[1]);
	ready[1] = -1;
	if (read(ready[0], &forked, sizeof(forked)) != sizeof(forked) || forked != n) {
		warnx_("the orphaner forked %d of %d children (pid limit? memory?)", forked, n);
		goto out;
	}
	fork_ns = now_ns() - t0;
	if (!zombies) {
		/* All n alive and adopted: orphaner gone, children stay. */
		if (waitpid(helper, &st, 0) != helper || !WIFEXITED(st) || WEXITSTATUS(st)) {
			warnx_("the orphaner failed");
			goto out;
		}
		helper = -1;
		/* Nothing of ours can end them before the pipe closes: if some
		 * are gone, something outside killed them.  Exit 3: retry. */
		if (cg_wait(cg, base + n, 0, 5) < 0) {
			warnx_("%ld of %d orphans vanished before the burst (killed from outside?)",
			       base + n - cg_current(cg), n);
			rc = 3;
			goto out;
		}
	}

	/* Exit burst: every child sees EOF at once and exits.  Zombies: the
	 * orphaner sees EOF and exits, handing its n zombies to the init. */
	cpu0 = proc_cpu_ms(init);
	t0 = now_ns();
	close(pipefd[1]);
	pipefd[1] = -1;
	if (cg_wait(cg, base, 1, TIMEOUT_S) < 0)
		goto out;
	drain_ns = now_ns() - t0;
	cpu1 = proc_cpu_ms(init);

	printf("mode=%s\norphans=%d\nfork_ms=%.1f\ndrain_ms=%.2f\ninit_cpu_ms=%.2f\n",
	       zombies ? "zombies" : "burst", n, fork_ns / 1e6, drain_ns / 1e6, cpu1 - cpu0);
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (pipefd[i] >= 0)
			close(pipefd[i]);
		if (ready[i] >= 0)
			close(ready[i]);
	}
	if (helper > 0)
		waitpid(helper, NULL, 0);
	return rc;
}

static int cmd_burst(const struct cg *cg, int zombies, int n, char **cmd)
{
	pid_t init = spawn_init(cg, cmd);
	int rc;

	if (init < 0)
		return 1;
	sleep_ns(SETTLE_MS * 1000000L);
	if (kill(init, 0) < 0 || waitpid(init, NULL, WNOHANG) != 0) {
		warnx_("%s is not running (exited at start?)", cmd[0]);
		return 1;
	}
	printf("idle_tasks=%ld\n", cg_current(cg));
	rc = burst_once(cg, init, zombies, n);
	stop_init(init);
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: initbench idle SECONDS -- CMD [ARG...]\n"
			"       initbench burst N -- CMD [ARG...]\n"
			"       initbench zombies N -- CMD [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct cg cg;
	long arg;
	char *end;
	int rc;

	if (argc < 5 || strcmp(argv[3], "--"))
		return usage();
	arg = strtol(argv[2], &end, 10);
	if (*end || arg <= 0 || arg > 1000000)
		return usage();
	if (strcmp(argv[1], "idle") && strcmp(argv[1], "burst") && strcmp(argv[1], "zombies"))
		return usage();
	/* Children must start from a clean signal state, whatever ours is. */
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (cg_create(&cg) < 0)
		return 1;
	if (!strcmp(argv[1], "idle"))
		rc = cmd_idle(&cg, (int)arg, argv + 4);
	else
		rc = cmd_burst(&cg, !strcmp(argv[1], "zombies"), (int)arg, argv + 4);
	cg_destroy(&cg);
	return rc;
}
