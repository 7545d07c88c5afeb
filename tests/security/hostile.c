/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostile — a hostile PID 1 for tests/security, and a driver of the page
 * reader.  The attacks need nothing a container lacks: run them inside
 * `unshare -U -r -p -f -m -u --mount-proc` as a non-root user (dev excepted:
 * a device node needs CAP_MKNOD, i.e. a privileged container).
 *
 *   hostile flip [FD]            a good page at fd FD (4) flips, again and again, from
 *                                "4096 bytes, unsealed" to "0 bytes, sealed SHRINK|GROW"
 *   hostile fifo                 a FIFO at "/memfd:pause-stats (deleted)", no writer (on
 *                                SIGTERM it opens it read-write once: a blocked reader goes free)
 *   hostile dev                  the same with a character device node (1,3)
 *   hostile watch PATH           (host side, root) "open PID" per open of PATH's inode
 *   hostile lease [rw]           a good sealed page under a write lease, held write-only
 *                                (rw: read-write, as a pause holds it)
 *   hostile openperm             a good sealed page whose opens need a fanotify permission
 *                                never given (FAN_OPEN_PERM: a privileged container)
 *   hostile fds N none|late|fakes   N fds first (copies of /dev/null, or memfds named
 *                                pause-stats, unsealed); late: a good page after them
 *   hostile state empty|sized|sealed|header   a page stuck in a step of its creation
 *   hostile page wrap|stop|time0|drain   a sealed page with one hostile value
 *   hostile names                hostile hostname, comm, cmdline and zombie comms, and
 *                                an invalid page (pausestat then names the comm)
 *
 * Each attack sets its comm to "pause" (names excepted) so that the collector
 * reads its page every snapshot, prints "ready" once in place, and then waits
 * until it is killed.
 *
 *   hostile read PID N           N x pause_page_read(PID), then one line:
 *                                "ok A notready B invalid C busy D noent E other F"
 *   hostile keep PID N           pause_page_open(PID) once, N x pause_page_copy
 *   hostile startrace PAUSE N    start "PAUSE -s" N times under ptrace and read its page
 *                                at every syscall stop until it is valid:
 *                                "starts N ok A invalid B notready C noent D other E"
 *   hostile timeread PID N       N x pause_page_read(PID): "rc R mean_us M max_us X"
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "pause_page.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

#define FAKE "memfd:" PAUSE_STATS_NAME
#define SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

static void die(const char *what)
{
	fprintf(stderr, "hostile: %s: %s\n", what, strerror(errno));
	exit(3);
}

/* A whole number from the command line, or exit 2. */
static long num(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "hostile: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

static void ready(void)
{
	printf("ready\n");
	fflush(stdout);
}

__attribute__((noreturn)) static void hold(void)
{
	for (;;)
		pause();
}

static struct pause_stats good(void)
{
	struct pause_stats s;

	memset(&s, 0, sizeof(s));
	s.magic = PAUSE_STATS_MAGIC;
	s.abi_version = PAUSE_STATS_ABI;
	s.size = sizeof(s);
	s.seq = 2;
	s.start_time_ns = 1700000000000000000ULL;
	s.mode = PAUSE_MODE_PAUSE;
	s.pid = 1;
	s.reaped_total = s.reaped_exit_zero = 1;
	s.last_reap.pid = 2;
	s.last_reap.time_ns = 1700000000000000001ULL;
	s.signals[SIGCHLD] = 1;
	return s;
}

/* A memfd named like pause's, as pause makes it (NOEXEC_SEAL where known). */
static int memfd(void)
{
	int fd = memfd_create(PAUSE_STATS_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(PAUSE_STATS_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		die("memfd_create");
	return fd;
}

static int page_fd(const struct pause_stats *s, off_t size, int seals)
{
	int fd = memfd();

	if (ftruncate(fd, size) < 0 ||
	    (s && size >= (off_t)sizeof(*s) && pwrite(fd, s, sizeof(*s), 0) != sizeof(*s)) ||
	    (seals && fcntl(fd, F_ADD_SEALS, seals) < 0))
		die("page");
	return fd;
}

static void as_pause(void)
{
	prctl(PR_SET_NAME, "pause", 0, 0, 0);
}

/* ---- attacks ---------------------------------------------------------- */

__attribute__((noreturn)) static void flip(int target)
{
	struct pause_stats s = good();

	as_pause();
	ready();
	for (;;) {
		int fd = page_fd(&s, PAUSE_STATS_PAGE, 0);

		if (dup2(fd, target) < 0)
			die("dup2");
		close(fd);
		/* a reader that checked the size before the seals maps 4096 bytes
		 * of what is about to be an empty file */
		if (ftruncate(target, 0) < 0 ||
		    fcntl(target, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
			die("flip");
	}
}

/* A tmpfs mounted nowhere: its root is "/" to readlink of /proc/PID/fd. */
static int detached_tmpfs(void)
{
	int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), mnt;

	if (fs < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		die("fsopen tmpfs");
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		die("fsmount");
	close(fs);
	return mnt;
}

static volatile sig_atomic_t term;

static void on_term(int sig)
{
	term = sig;
}

/*
 * FIFO or device node named like the page, unlinked, held by an O_PATH fd.
 * On SIGTERM, a FIFO is opened read-write once before exiting: an old reader
 * blocked in open() on it (waiting for a writer) is released, not left
 * hanging forever on a shared machine.
 */
__attribute__((noreturn)) static void node(char kind)
{
	struct sigaction sa = { .sa_handler = on_term };
	char path[64];
	int mnt = detached_tmpfs(), fd;

	if (kind == 'p' ? mkfifoat(mnt, FAKE, 0666) : mknodat(mnt, FAKE, S_IFCHR | 0666, makedev(1, 3)))
		die(kind == 'p' ? "mkfifo" : "mknod (needs CAP_MKNOD)");
	/* held without opening it (O_PATH): a FIFO without a writer */
	fd = openat(mnt, FAKE, O_PATH | O_CLOEXEC);
	if (fd < 0)
		die("open O_PATH");
	unlinkat(mnt, FAKE, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	as_pause();
	ready();
	while (!term)
		pause();
	if (kind == 'p') {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC) >= 0)
			usleep(200 * 1000);
	}
	_exit(0);
}

/* Host side, as root: print "open PID" for each open of the inode at path
 * (fanotify with file ids: no event fd is opened, so a FIFO cannot block it). */
__attribute__((noreturn)) static void watch(const char *path)
{
	char buf[4096];
	int fan = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_CLOEXEC, O_RDONLY);

	if (fan < 0 || fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, path) < 0)
		die("fanotify");
	ready();
	for (;;) {
		ssize_t n = read(fan, buf, sizeof(buf));
		struct fanotify_event_metadata *m = (struct fanotify_event_metadata *)buf;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("read fanotify");
		for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n))
			if (m->mask & FAN_OPEN)
				printf("open %d\n", (int)m->pid);
		fflush(stdout);
	}
}

static int lease(bool rw)
{
	struct pause_stats s = good();
	int fd = page_fd(&s, PAUSE_STATS_PAGE, SEALS), w;
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	w = open(path, (rw ? O_RDWR : O_WRONLY) | O_CLOEXEC);
	if (w < 0)
		die("reopen");
	close(fd);
	signal(SIGIO, SIG_IGN);
	if (fcntl(w, F_SETLEASE, F_WRLCK) < 0)
		die("F_SETLEASE");
	as_pause();
	ready();
	hold();
	return 0;
}

/*
 * Every open of the page waits for a fanotify permission this process reads
 * and never gives.  On SIGTERM it exits: closing the group allows what waits.
 */
__attribute__((noreturn)) static int openperm(void)
{
	struct pause_stats s = good();
	int fd = page_fd(&s, PAUSE_STATS_PAGE, SEALS), fan;
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY);
	if (fan < 0 || fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, path) < 0)
		die("fanotify FAN_OPEN_PERM (needs CAP_SYS_ADMIN)");
	as_pause();
	ready();
	for (;;) {
		ssize_t n = read(fan, buf, sizeof(buf));

		if (n < 0 && errno != EINTR)
			die("read fanotify");
		if (n > 0)
			fprintf(stderr, "hostile: an open of the page waits, unanswered\n");
	}
}

static int fds(long n, const char *how)
{
	struct rlimit rl;
	struct pause_stats s = good();
	int null = open("/dev/null", O_RDONLY);

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (long i = 0; i < n; i++) {
		int fd = !strcmp(how, "fakes") ? memfd() : dup(null);

		if (fd < 0)
			die("open fds");
	}
	if (!strcmp(how, "late"))
		printf("page at fd %d\n", page_fd(&s, PAUSE_STATS_PAGE, SEALS));
	as_pause();
	ready();
	hold();
	return 0;
}

/* A page stuck in one step of pause's page_setup(), at fd 4. */
static int state(const char *step)
{
	struct pause_stats s = good();
	int fd;

	if (!strcmp(step, "empty"))
		fd = page_fd(NULL, 0, 0);
	else if (!strcmp(step, "sized"))
		fd = page_fd(NULL, PAUSE_STATS_PAGE, 0);
	else if (!strcmp(step, "sealed"))
		fd = page_fd(NULL, PAUSE_STATS_PAGE, SEALS);
	else if (!strcmp(step, "header")) {
		s.seq = 0;
		s.start_time_ns = 0;
		fd = page_fd(&s, PAUSE_STATS_PAGE, SEALS);
	} else {
		return 2;
	}
	if (fd != 4 && (dup2(fd, 4) < 0 || close(fd) < 0))
		die("dup2");
	as_pause();
	ready();
	hold();
	return 0;
}

static int bad_page(const char *kind, bool rename_me)
{
	struct pause_stats s = good();

	if (!strcmp(kind, "wrap")) {		/* 1 == 0 + (2^64 - 1) + 0 + 2 */
		s.reaped_exit_zero = 0;
		s.reaped_exit_nonzero = ~0ULL;
		s.reaped_core_dumped = 2;
		s.last_reap.status = 0x0100;
	} else if (!strcmp(kind, "stop")) {	/* a "reap" that is a SIGSTOP */
		s.last_reap.status = 0x137f;
	} else if (!strcmp(kind, "time0")) {
		s.last_reap.time_ns = 0;
	} else if (!strcmp(kind, "drain")) {
		s.mode = PAUSE_MODE_INIT;
		s.drain_runs = 1;
		s.drain_killed = 5000000;
	} else {
		return 2;
	}
	page_fd(&s, PAUSE_STATS_PAGE, SEALS);
	if (rename_me)
		as_pause();
	return 0;
}

/* NOLINTNEXTLINE(misc-misleading-bidirectional): a bidi override is the attack */
static const char evil_host[] = "\x1b[2J\x1b]0;pwned\x07\nFAKE 9 9\r\x9b" "31m\x7f\xff\xc2\x9b\xe2\x80\xae"
				"\xf3\xa0\x81\x81\xd8\x9c" "end";
static const char evil_comm[] = "\x1b[2J\x9b\r\n\x7f\xc2\x9b!";

/* Everything a container names, chosen to attack the operator's terminal. */
static int names(char **argv)
{
	char zname[32];

	if (strcmp(argv[1], "names2") != 0) {
		/* NOLINTNEXTLINE(bugprone-suspicious-missing-comma): split escapes, on purpose */
		char *nargv[] = { "\x1b]0;title\x07", "names2", "\r\nFAKE-ROW\x1b[A", "\x9b" "2J", NULL };

		execv("/proc/self/exe", nargv);
		die("re-exec");
	}
	if (sethostname(evil_host, sizeof(evil_host) - 1) < 0)
		die("sethostname (needs its own UTS namespace)");
	if (bad_page("wrap", false))
		return 2;
	for (int i = 0; i < 3; i++) {
		pid_t z = fork();

		if (z == 0) {
			snprintf(zname, sizeof(zname), "\x1bz%d\r\n\x9b\x7f", i % 10);
			prctl(PR_SET_NAME, zname, 0, 0, 0);
			_exit(0);	/* stays a zombie: we never wait */
		}
	}
	prctl(PR_SET_NAME, evil_comm, 0, 0, 0);
	ready();
	hold();
	return 0;
}

/* ---- reader drivers --------------------------------------------------- */

static const char *kind_of(int rc)
{
	return rc == 0 ? "ok" : rc == -EAGAIN ? "notready" : rc == -EINVAL ? "invalid" :
	       rc == -EBUSY ? "busy" : rc == -ENOENT ? "noent" : "other";
}

static int read_loop(pid_t pid, long n)
{
	long c[6] = { 0 };
	static const char *names_[6] = { "ok", "notready", "invalid", "busy", "noent", "other" };
	struct pause_stats s;
	char err[256];

	for (long i = 0; i < n; i++) {
		const char *k = kind_of(pause_page_read(pid, &s, err, sizeof(err)));

		for (int j = 0; j < 6; j++)
			c[j] += !strcmp(k, names_[j]);
	}
	printf("ok %ld notready %ld invalid %ld busy %ld noent %ld other %ld\n",
	       c[0], c[1], c[2], c[3], c[4], c[5]);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int keep_loop(pid_t pid, long n)
{
	struct pause_page *pg;
	struct pause_stats s;
	char err[256];
	long okc = 0, bad = 0;
	double t;
	int rc = pause_page_open(pid, &pg, err, sizeof(err));

	if (rc) {
		printf("open %s: %s\n", kind_of(rc), err);
		return 1;
	}
	t = now_s();
	for (long i = 0; i < n; i++)
		pause_page_copy(pg, &s, err, sizeof(err)) ? bad++ : okc++;
	t = now_s() - t;
	pause_page_close(pg);
	printf("open ok copies ok %ld failed %ld mean_ns %.0f\n", okc, bad, n ? t / (double)n * 1e9 : 0);
	return 0;
}

static int time_loop(pid_t pid, long n)
{
	struct pause_stats s;
	double total = 0, worst = 0;
	char err[256];
	int rc = 0;

	for (long i = 0; i < n; i++) {
		double t = now_s();

		rc = pause_page_read(pid, &s, err, sizeof(err));
		t = now_s() - t;
		total += t;
		worst = t > worst ? t : worst;
	}
	printf("rc %s mean_us %.0f max_us %.0f\n", kind_of(rc), total / (double)n * 1e6, worst * 1e6);
	fprintf(stderr, "hostile: last error: %s\n", err);
	return 0;
}

/*
 * Start pause N times, stopping it at every system call of its start-up
 * (ptrace): the page is read at each stop, i.e. in every state of its
 * creation (no memfd yet, memfd of 0 bytes, sized, sealed, mapped, published)
 * whatever the machine's timing.  It must never be called invalid.
 */
static int startrace(const char *pausebin, long n)
{
	long c[5] = { 0 };	/* ok invalid notready noent other */
	char err[256];

	for (long i = 0; i < n; i++) {
		struct pause_stats s;
		pid_t pid = fork();
		int rc = -1, st, stops = 0;

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
				_exit(126);
			execl(pausebin, "pause", "-s", (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
			die("exec under ptrace");
		ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD));
		/* stop at each syscall entry and exit until the page reads */
		while (rc && stops++ < 10000) {
			rc = pause_page_read(pid, &s, err, sizeof(err));
			c[rc == 0 ? 0 : rc == -EINVAL ? 1 : rc == -EAGAIN ? 2 : rc == -ENOENT ? 3 : 4]++;
			if (rc == -EINVAL || (rc && rc != -EAGAIN && rc != -ENOENT))
				fprintf(stderr, "hostile: start %ld, stop %d: %s\n", i, stops, err);
			if (rc && (ptrace(PTRACE_SYSCALL, pid, NULL, NULL) < 0 ||
				   waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)))
				break;
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	printf("starts %ld ok %ld invalid %ld notready %ld noent %ld other %ld\n",
	       n, c[0], c[1], c[2], c[3], c[4]);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(cmd, "flip"))
		flip(argc > 2 ? (int)num(argv[2]) : 4);
	if (!strcmp(cmd, "fifo"))
		node('p');
	if (!strcmp(cmd, "dev"))
		node('c');
	if (!strcmp(cmd, "watch") && argc == 3)
		watch(argv[2]);
	if (!strcmp(cmd, "lease"))
		return lease(argc > 2 && !strcmp(argv[2], "rw"));
	if (!strcmp(cmd, "openperm"))
		return openperm();
	if (!strcmp(cmd, "fds") && argc == 4)
		return fds(num(argv[2]), argv[3]);
	if (!strcmp(cmd, "state") && argc == 3)
		return state(argv[2]);
	if (!strcmp(cmd, "page") && argc == 3) {
		if (bad_page(argv[2], true))
			return 2;
		ready();
		hold();
	}
	if (!strcmp(cmd, "names") || !strcmp(cmd, "names2"))
		return names(argv);
	if (!strcmp(cmd, "read") && argc == 4)
		return read_loop((int)num(argv[2]), num(argv[3]));
	if (!strcmp(cmd, "keep") && argc == 4)
		return keep_loop((int)num(argv[2]), num(argv[3]));
	if (!strcmp(cmd, "timeread") && argc == 4)
		return time_loop((int)num(argv[2]), num(argv[3]));
	if (!strcmp(cmd, "startrace") && argc == 4)
		return startrace(argv[2], num(argv[3]));
	fprintf(stderr, "hostile: bad usage (see tests/security/hostile.c)\n");
	return 2;
}
