/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pwtest — helper for the tests/pause .t files: small programs the shell tests need
 * that bash cannot do well (fast, exact, with real namespaces).
 *
 *   pwtest nsrun PIDFILE -- CMD...     CMD as PID 1 of new PID+mount ns (own
 *                                      /proc); PIDFILE gets its host pid;
 *                                      exits with CMD's status (128+N)
 *   pwtest orphaner PID SPEC...        enter PID's pid ns, fork the SPEC'd
 *                                      children under a middle process, let
 *                                      it exit (they become orphans of the
 *                                      ns init) and release them all at once.
 *                                      SPEC = COUNT:eN (exit N), COUNT:e*
 *                                      (exit 1..255 in turn), COUNT:sN (die
 *                                      by signal N, no core), COUNT:cN:DIR
 *                                      (die by N, dumping core under DIR)
 *   pwtest twin                        fork; child exits 3, parent exits 7
 *   pwtest race N PAUSE                run "PAUSE -s -- pwtest twin" N times
 *                                      (every other time as PID 1 of a new
 *                                      pid ns); report hangs / wrong codes
 *   pwtest exit N | raise SIG          exit N / die by SIG (no core)
 *   pwtest masked block|ignore SIG -- CMD...   exec CMD with SIG blocked/ignored
 *   pwtest sigset BLK IGN -- CMD...    exec CMD with exactly the mask BLK and
 *                                      the SIG_IGN set IGN (hex, bit N-1 =
 *                                      signal N, as SigBlk/SigIgn in /proc);
 *                                      every other signal SIG_DFL
 *   pwtest sigstate                    print own SigBlk and SigIgn
 *   pwtest sigrec FILE [-g]            append each signal received to FILE
 *                                      ("N", or "gN" from a same-group child
 *                                      with -g) after a "ready" line;
 *                                      exits 0 on SIGTERM.  Resets inherited
 *                                      SIG_IGN first (it would discard them)
 *   pwtest startpage N PAUSE           start "PAUSE -s" N times and read its
 *                                      counters page from the moment the
 *                                      memfd shows in /proc/PID/fd until it
 *                                      is sealed: count reads that saw it
 *                                      sized or sealed without a header
 *   pwtest leave FILE                  fork 3 children (default TERM, slow
 *                                      TERM handler, TERM ignored), write
 *                                      their pids to FILE, exit 5
 *   pwtest orphan-tree FILE            fork a grandchild that outlives its
 *                                      parent, write its pid to FILE, wait
 *   pwtest holdpage PID                open PID's counters page, print
 *                                      "ready", wait for PID to exit, then
 *                                      print the page's final JSON
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "pause_page.h"

static const char *self_exe;

static void die(const char *what)
{
	fprintf(stderr, "pwtest: %s: %s\n", what, strerror(errno));
	exit(99);
}

/* A whole number in [min, max] from argv, else exit 2 saying which. */
static int num_arg(const char *what, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < min || v > max) {
		fprintf(stderr, "pwtest: %s must be a whole number in %ld..%ld, not '%s'\n",
			what, min, max, s);
		exit(2);
	}
	return (int)v;
}

static int code_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* die by sig with the default action and no core file */
static void die_by(int sig, int core)
{
	struct rlimit rl = { core ? 64 << 20 : 0, core ? 64 << 20 : 0 };
	sigset_t all;

	setrlimit(RLIMIT_CORE, &rl);
	if (!core)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(sig, SIG_DFL);
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	kill(getpid(), sig);
	_exit(98);
}

static void write_file(const char *path, const char *s)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fputs(s, f) < 0 || fclose(f) || rename(tmp, path))
		die(path);
}

static int nsrun(int argc, char **argv)
{
	char buf[32];
	pid_t pid;
	int st;

	if (argc < 4 || strcmp(argv[3], "--"))
		return 2;
	if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0)
		die("unshare");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* the test harness may die: take the namespace with it */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			die("mount /proc");
		execvp(argv[4], argv + 4);
		die(argv[4]);
	}
	snprintf(buf, sizeof(buf), "%d\n", pid);
	write_file(argv[2], buf);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	return code_of(st);
}

struct spec { long count; char kind; int arg; const char *dir; };

static void grandchild(int rfd, const struct spec *sp, long i)
{
	char c, dir[4096];

	while (read(rfd, &c, 1) < 0 && errno == EINTR)
		;
	if (sp->kind == 'e')
		_exit(sp->arg >= 0 ? sp->arg : (int)(i % 255) + 1);
	if (sp->kind == 'c') {
		snprintf(dir, sizeof(dir), "%s/%ld", sp->dir, i);
		if (mkdir(dir, 0700) < 0 || chdir(dir) < 0)
			_exit(97);
	}
	die_by(sp->arg, sp->kind == 'c');
}

static int orphaner(int argc, char **argv)
{
	struct spec sp[16];
	int nsp = argc - 3, p[2], ready[2], st, nsfd;
	char path[64], c, *e;
	pid_t mid;
	long i;
	int k;

	if (nsp < 1 || nsp > 16)
		return 2;
	for (k = 0; k < nsp; k++) {
		sp[k].count = strtol(argv[3 + k], &e, 10);
		if (*e != ':' || !strchr("esc", e[1]))
			return 2;
		sp[k].kind = e[1];
		sp[k].arg = e[2] == '*' ? -1 : (int)strtol(e + 2, &e, 10);
		sp[k].dir = sp[k].kind == 'c' ? e + 1 : NULL;
	}
	snprintf(path, sizeof(path), "/proc/%s/ns/pid", argv[2]);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWPID) < 0)
		die("setns");
	if (pipe(p) < 0 || pipe(ready) < 0)
		die("pipe");
	mid = fork();
	if (mid < 0)
		die("fork");
	if (mid == 0) {
		close(p[1]);
		close(ready[0]);
		for (k = 0; k < nsp; k++)
			for (i = 0; i < sp[k].count; i++) {
				pid_t g = fork();

				if (g < 0)
					die("fork grandchild");
				if (g == 0) {
					close(ready[1]);
					grandchild(p[0], &sp[k], i);
				}
			}
		_exit(write(ready[1], "r", 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1 || waitpid(mid, &st, 0) != mid || code_of(st))
		die("middle process");
	/* every grandchild is now an orphan of the ns init: release them */
	close(p[1]);
	return 0;
}

static int twin(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(3);
	_exit(7);
}

static int run_once(const char *pausebin, int pid1, int *code)
{
	char *av[] = { (char *)pausebin, "-s", "--", (char *)self_exe, "twin", NULL };
	struct timespec ts = { 10, 0 };
	sigset_t chld;
	pid_t pid;
	int st;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		sigprocmask(SIG_UNBLOCK, &chld, NULL);
		if (pid1) {
			pid_t in;

			if (unshare(CLONE_NEWPID) < 0 || (in = fork()) < 0)
				_exit(90);
			if (in == 0) {
				execv(pausebin, av);
				_exit(91);
			}
			_exit(waitpid(in, &st, 0) == in ? code_of(st) : 92);
		}
		execv(pausebin, av);
		_exit(91);
	}
	while (waitpid(pid, &st, WNOHANG) == 0)
		if (sigtimedwait(&chld, NULL, &ts) < 0 && errno == EAGAIN) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;	/* hung */
		}
	*code = code_of(st);
	return 0;
}

static int race(int argc, char **argv)
{
	long n, i, hangs = 0, wrong = 0;
	sigset_t chld;
	int code;

	if (argc != 4)
		return 2;
	n = strtol(argv[2], NULL, 10);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	for (i = 0; i < n; i++) {
		if (run_once(argv[3], i & 1, &code) < 0)
			hangs++;
		else if (code != 7) {
			if (wrong++ < 5)
				printf("# run %ld (%s): exit %d, want 7\n", i,
				       i & 1 ? "PID 1" : "subreaper", code);
		}
	}
	printf("runs %ld hangs %ld wrong %ld\n", n, hangs, wrong);
	return 0;
}

static int sigstate(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		die("/proc/self/status");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "SigBlk:", 7) || !strncmp(line, "SigIgn:", 7))
			fputs(line, stdout);
	fclose(f);
	return 0;
}

/* ready: written once everything is blocked (the -g sibling inherited
 * the blocked mask at fork, so it is safe too) */
static void record(const char *file, const char *prefix, const char *ready)
{
	sigset_t all;
	char buf[32];
	int fd, sig, n;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die(file);
	if (ready && write(fd, ready, strlen(ready)) < 0)
		die(file);
	for (;;) {
		sig = sigwaitinfo(&all, NULL);
		if (sig < 0)
			continue;
		n = snprintf(buf, sizeof(buf), "%s%d\n", prefix, sig);
		if (write(fd, buf, n) != n)
			die("write");
		if (sig == SIGTERM)
			_exit(0);
	}
}

/* struct sigaction as the kernel takes it: raw calls reach 32 and 33 too,
 * which glibc keeps for itself */
struct ksigaction { unsigned long handler, flags, restorer; unsigned long long mask; };

/* exactly: mask blk, SIG_IGN for the signals in ign, SIG_DFL for the rest */
static void set_sigstate(unsigned long long blk, unsigned long long ign)
{
	struct ksigaction ka = { 0 };
	int sig;

	for (sig = 1; sig <= 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		ka.handler = (ign >> (sig - 1) & 1) ? (unsigned long)SIG_IGN : (unsigned long)SIG_DFL;
		if (syscall(SYS_rt_sigaction, sig, &ka, NULL, 8) < 0)
			die("rt_sigaction");
	}
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &blk, NULL, 8) < 0)
		die("rt_sigprocmask");
}

static int sigset_exec(int argc, char **argv)
{
	char *e1, *e2;
	unsigned long long blk, ign;

	if (argc < 6 || strcmp(argv[4], "--"))
		return 2;
	blk = strtoull(argv[2], &e1, 16);
	ign = strtoull(argv[3], &e2, 16);
	if (*e1 || *e2)
		return 2;
	set_sigstate(blk, ign);
	execvp(argv[5], argv + 5);
	die(argv[5]);
	return 99;
}

static int sigrec(int argc, char **argv)
{
	sigset_t all;
	struct ksigaction ka, dfl = { 0 };
	int sig;

	if (argc < 3)
		return 2;
	/* block first: a signal forwarded before record() starts must wait */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	/* every signal must be recordable: an inherited SIG_IGN (bash gives
	 * one for INT and QUIT to background jobs) would discard it */
	for (sig = 1; sig <= 64; sig++)
		if (syscall(SYS_rt_sigaction, sig, NULL, &ka, 8) == 0 &&
		    ka.handler == (unsigned long)SIG_IGN)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, 8);
	if (argc > 3 && !strcmp(argv[3], "-g") && fork() == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);	/* no strays */
		record(argv[2], "g", NULL);
	}
	record(argv[2], "", "ready\n");
	return 0;
}

static volatile sig_atomic_t got_term;

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

/*
 * leave's second child: on SIGTERM, a slow but honest shutdown (200 ms,
 * then exit 0).  The handler only sets a flag; SIGTERM stays blocked except
 * inside sigsuspend, so one arriving before we wait is not lost.
 */
static void slow_term_child(int ready_fd)
{
	sigset_t term, old;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	signal(SIGTERM, on_term);
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	while (!got_term)
		sigsuspend(&old);
	usleep(200 * 1000);
	_exit(0);
}

static int leave(int argc, char **argv)
{
	char buf[64];
	pid_t pid[3];
	int ready[2], i;
	char c;

	if (argc != 3 || pipe(ready) < 0)
		return 2;
	for (i = 0; i < 3; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			close(ready[0]);
			if (i == 1)
				slow_term_child(ready[1]);
			if (i == 2)
				signal(SIGTERM, SIG_IGN);
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
	}
	close(ready[1]);
	for (i = 0; i < 3; i++)
		if (read(ready[0], &c, 1) != 1)
			die("child not ready");
	snprintf(buf, sizeof(buf), "%d %d %d\n", pid[0], pid[1], pid[2]);
	write_file(argv[2], buf);
	return 5;
}

static int orphan_tree(int argc, char **argv)
{
	char buf[32];
	pid_t g;
	int st;

	if (argc != 3)
		return 2;
	g = fork();
	if (g == 0) {
		pid_t gg = fork();

		if (gg == 0) {
			/* wait until our parent is gone, then tell the test */
			while (getppid() == g || getppid() == 0)
				usleep(1000);
			snprintf(buf, sizeof(buf), "%d\n", getpid());
			write_file(argv[2], buf);
			for (;;)
				pause();
		}
		_exit(0);
	}
	waitpid(g, &st, 0);
	for (;;)
		pause();
}

static int holdpage(int argc, char **argv)
{
	struct pause_stats s;
	struct pollfd pfd;
	char path[64], link[64], err[256];
	struct dirent *de;
	int fd = -1, pidfd, rc;
	ssize_t n;
	DIR *d;

	if (argc != 3)
		return 2;
	pidfd = (int)syscall(SYS_pidfd_open, num_arg("PID", argv[2], 1, INT_MAX), 0);
	snprintf(path, sizeof(path), "/proc/%s/fd", argv[2]);
	d = opendir(path);
	if (pidfd < 0 || !d)
		die("open pid");
	while (fd < 0 && (de = readdir(d))) {
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (n > 0 && (link[n] = 0, !strcmp(link, "/memfd:pause-stats (deleted)")))
			fd = openat(dirfd(d), de->d_name, O_RDONLY);
	}
	closedir(d);
	if (fd < 0)
		die("no counters page");
	printf("ready\n");
	fflush(stdout);
	pfd = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	while (poll(&pfd, 1, -1) < 0)
		;
	/* the fd we hold is our own now: read it through our own /proc */
	rc = pause_page_read(getpid(), &s, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "pwtest: %s\n", err);
		return 1;
	}
	pause_page_json(stdout, &s);
	printf("\n");
	return 0;
}

/* one look at a page being born: 0 empty, 1 complete, -1 sized or sealed
 * without a valid header; *sealed says whether it is sealed yet */
static int look(int fd, int *sealed)
{
	struct pause_stats hdr;
	struct stat st;
	int seals;

	seals = fcntl(fd, F_GET_SEALS);
	if (fstat(fd, &st) < 0 || seals < 0)
		die("fstat/F_GET_SEALS");
	*sealed = (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) != 0;
	if (st.st_size == 0 && !*sealed)
		return 0;
	if (pread(fd, &hdr, 16, 0) != 16)
		return -1;
	return hdr.magic == PAUSE_STATS_MAGIC && hdr.abi_version == PAUSE_STATS_ABI &&
	       hdr.size >= 16 && hdr.size <= PAUSE_STATS_PAGE && st.st_size == PAUSE_STATS_PAGE
	       ? 1 : -1;
}

/* the page's fd in pid's fd table, opened for us; -1 while there is none */
static int find_page(pid_t pid)
{
	char path[64], link[64];
	struct dirent *de;
	int fd = -1;
	ssize_t n;
	DIR *d;

	/* fast path, so we look as early as possible: pause has few fds and
	 * the page is one of the first */
	for (fd = 3; fd < 8; fd++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0 && (link[n] = 0, !strncmp(link, "/memfd:pause-stats", 18)))
			return open(path, O_RDONLY | O_CLOEXEC);
	}
	fd = -1;
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	if (!(d = opendir(path)))
		return -1;
	while (fd < 0 && (de = readdir(d))) {
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (n > 0 && (link[n] = 0, !strncmp(link, "/memfd:pause-stats", 18)))
			fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
	}
	closedir(d);
	return fd;
}

static int startpage(int argc, char **argv)
{
	long runs, r, seen = 0, looks = 0, bad = 0, spins;
	int fd, st, sealed, v;
	pid_t pid;

	if (argc != 4 || (runs = strtol(argv[2], NULL, 10)) <= 0)
		return 2;
	for (r = 0; r < runs; r++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, 2);
			execl(argv[3], argv[3], "-s", (char *)NULL);
			_exit(99);
		}
		/* as fast as we can: no sleep between looks */
		for (fd = -1, spins = 0; fd < 0 && spins < 200000; spins++)
			fd = find_page(pid);
		seen += fd >= 0;
		for (sealed = 0; fd >= 0 && !sealed; looks++) {
			v = look(fd, &sealed);
			if (v < 0 && bad++ < 5)
				printf("# run %ld: page %s without a valid header\n", r,
				       sealed ? "sealed" : "sized");
			if (v < 0 && sealed)
				break;
		}
		if (fd >= 0)
			close(fd);
		kill(pid, SIGTERM);
		if (waitpid(pid, &st, 0) != pid || code_of(st) != 0)
			printf("# run %ld: pause exited %d\n", r, code_of(st));
	}
	printf("runs %ld found %ld looks %ld bad %ld\n", runs, seen, looks, bad);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int sig;

	self_exe = argv[0];
	if (!strcmp(cmd, "nsrun"))
		return nsrun(argc, argv);
	if (!strcmp(cmd, "orphaner"))
		return orphaner(argc, argv);
	if (!strcmp(cmd, "twin"))
		return twin();
	if (!strcmp(cmd, "race"))
		return race(argc, argv);
	if (!strcmp(cmd, "exit") && argc == 3)
		return num_arg("exit code", argv[2], 0, 255);
	if (!strcmp(cmd, "raise") && argc == 3)
		die_by(num_arg("signal", argv[2], 1, SIGRTMAX), 0);
	if (!strcmp(cmd, "sigstate"))
		return sigstate();
	if (!strcmp(cmd, "sigset"))
		return sigset_exec(argc, argv);
	if (!strcmp(cmd, "startpage"))
		return startpage(argc, argv);
	if (!strcmp(cmd, "sigrec"))
		return sigrec(argc, argv);
	if (!strcmp(cmd, "leave"))
		return leave(argc, argv);
	if (!strcmp(cmd, "orphan-tree"))
		return orphan_tree(argc, argv);
	if (!strcmp(cmd, "holdpage"))
		return holdpage(argc, argv);
	if (!strcmp(cmd, "masked") && argc > 5 && !strcmp(argv[4], "--")) {
		sig = num_arg("signal", argv[3], 1, SIGRTMAX);
		if (!strcmp(argv[2], "block")) {
			sigset_t s;

			sigemptyset(&s);
			sigaddset(&s, sig);
			sigprocmask(SIG_BLOCK, &s, NULL);
		} else {
			signal(sig, SIG_IGN);
		}
		execvp(argv[5], argv + 5);
		die(argv[5]);
	}
	fprintf(stderr, "pwtest: bad usage (see tests/pause/pwtest.c)\n");
	return 2;
}
