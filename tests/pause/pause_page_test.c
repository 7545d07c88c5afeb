/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause_page_test — unit tests of userspace/pause_page.c against real memfds
 * built by hand: good pages and hostile ones (wrong magic/abi/size, unsealed,
 * seq stuck odd, sums that do not add up...), plus a live writer racing the
 * seqlock.  The test reads its own /proc/self/fd, as the collector reads a
 * pause's.  TAP via tests/tap.h; run by tests/pause/page.t.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <stddef.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/fanotify.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "tap.h"
#include "pause_page.h"

static struct pause_stats good(void)
{
	struct pause_stats s;

	memset(&s, 0, sizeof(s));
	s.magic = PAUSE_STATS_MAGIC;
	s.abi_version = PAUSE_STATS_ABI;
	s.size = sizeof(s);
	s.seq = 42;
	s.start_time_ns = 1700000000000000000ULL;
	s.mode = PAUSE_MODE_INIT;
	s.pid = 1;
	s.child_pid = 7;
	s.flags = PAUSE_STATS_F_NO_NEW_PRIVS;
	s.reaped_total = 10;
	s.reaped_exit_zero = 4;
	s.reaped_exit_nonzero = 3;
	s.reaped_signaled = 2;
	s.reaped_core_dumped = 1;
	s.last_reap.pid = 99;
	s.last_reap.status = 0x0300;
	s.last_reap.time_ns = 1700000000000000001ULL;
	s.signals[SIGCHLD] = 5;
	s.signals[64] = 1;
	s.signals_forwarded = 1;
	s.drain_runs = 1;
	s.drain_sent_term = 3;
	s.drain_exited_on_term = 2;
	s.drain_killed = 1;
	s.drain_found = 4;	/* 3 sent SIGTERM, 1 more forked by a handler and killed */
	return s;
}

#define SEALS_OK (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

/* A memfd named name, size bytes, starting with *s, with these seals. */
static int make_page(const char *name, const struct pause_stats *s, off_t size, int seals)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, size) < 0 ||
	    (s && pwrite(fd, s, size < (off_t)sizeof(*s) ? (size_t)size : sizeof(*s), 0) < 0) ||
	    (seals && fcntl(fd, F_ADD_SEALS, seals) < 0)) {
		perror("make_page");
		exit(1);
	}
	return fd;
}

/* Read our own page with one hostile variation; returns the rc, err in err. */
static int try_page(const struct pause_stats *s, off_t size, int seals, char *err, size_t len)
{
	struct pause_stats out;
	int fd = make_page(PAUSE_STATS_NAME, s, size, seals), rc;

	rc = pause_page_read(getpid(), &out, err, len);
	close(fd);
	return rc;
}

#define BAD(desc, want_rc, want_substr, mutate) do {				\
	struct pause_stats _s = good();						\
	char _err[256];								\
	int _rc;								\
	mutate;									\
	_rc = try_page(&_s, PAUSE_STATS_PAGE, SEALS_OK, _err, sizeof(_err));	\
	is_int(_rc, want_rc, "%s: rc", desc);					\
	ok(strstr(_err, want_substr) != NULL, "%s: error says '%s' (%s)",	\
	   desc, want_substr, _err);						\
} while (0)

static void test_good(void)
{
	struct pause_stats in = good(), out;
	char err[256] = "x";
	int fd = make_page(PAUSE_STATS_NAME, &in, PAUSE_STATS_PAGE, SEALS_OK);

	is_int(pause_page_read(getpid(), &out, err, sizeof(err)), 0, "good page reads");
	is_str(err, "", "no error text on success");
	ok(memcmp(&in, &out, sizeof(in)) == 0, "copy equals the page byte for byte");
	close(fd);

	/* seal only SHRINK|GROW (no SEAL_SEAL): still safe to map */
	fd = make_page(PAUSE_STATS_NAME, &in, PAUSE_STATS_PAGE, F_SEAL_SHRINK | F_SEAL_GROW);
	is_int(pause_page_read(getpid(), &out, err, sizeof(err)), 0,
	       "SHRINK|GROW without SEAL_SEAL is enough");
	close(fd);
}

static void test_absent(void)
{
	struct pause_stats out;
	char err[256];
	pid_t dead = fork();
	int fd;

	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	is_int(pause_page_read(dead, &out, err, sizeof(err)), -ENOENT, "gone process: -ENOENT");
	ok(strstr(err, "no process") != NULL, "... says so (%s)", err);
	is_int(pause_page_read(0, &out, err, sizeof(err)), -ENOENT, "pid 0: -ENOENT");
	is_int(pause_page_read(getpid(), &out, err, sizeof(err)), -ENOENT, "no page: -ENOENT");
	ok(strstr(err, "no counters page") != NULL, "... says so (%s)", err);

	fd = make_page("pause-statsX", NULL, PAUSE_STATS_PAGE, SEALS_OK);
	is_int(pause_page_read(getpid(), &out, err, sizeof(err)), -ENOENT,
	       "memfd with a similar name is not a page");
	close(fd);
}

static void test_file_checks(void)
{
	struct pause_stats s = good();
	char err[256];

	is_int(try_page(&s, 8192, SEALS_OK, err, sizeof(err)), -EINVAL, "8192-byte memfd: -EINVAL");
	ok(strstr(err, "sealed at 8192 bytes") != NULL, "... says why (%s)", err);
	is_int(try_page(&s, 100, SEALS_OK, err, sizeof(err)), -EINVAL, "100-byte memfd: -EINVAL");
	is_int(try_page(&s, 0, SEALS_OK, err, sizeof(err)), -EINVAL, "empty sealed memfd: -EINVAL");
	is_int(try_page(&s, PAUSE_STATS_PAGE, 0, err, sizeof(err)), -EAGAIN,
	       "unsealed memfd: -EAGAIN (a page being created)");
	ok(strstr(err, "not ready yet") != NULL, "... says not ready yet (%s)", err);
	is_int(try_page(&s, 0, 0, err, sizeof(err)), -EAGAIN, "empty unsealed memfd: -EAGAIN");
	is_int(try_page(&s, PAUSE_STATS_PAGE, F_SEAL_GROW, err, sizeof(err)), -EINVAL,
	       "sealed against grow only (could shrink: SIGBUS): -EINVAL");
	ok(strstr(err, "not sealed against shrink and grow") != NULL, "... says why (%s)", err);
	is_int(try_page(&s, PAUSE_STATS_PAGE, F_SEAL_SHRINK, err, sizeof(err)), -EINVAL,
	       "sealed against shrink only: -EINVAL");
	is_int(try_page(&s, PAUSE_STATS_PAGE, F_SEAL_SEAL, err, sizeof(err)), -EINVAL,
	       "F_SEAL_SEAL without shrink/grow (can never be safe): -EINVAL");
}

static void test_content_checks(void)
{
	BAD("wrong magic", -EINVAL, "magic", _s.magic = 0x4141414141414141ULL);
	BAD("zero page (header not written yet)", -EAGAIN, "not ready yet", memset(&_s, 0, sizeof(_s)));
	BAD("seq 0 (never published)", -EAGAIN, "not ready yet", _s.seq = 0);
	BAD("abi 2", -EINVAL, "abi", _s.abi_version = 2);
	BAD("size field 5000", -EINVAL, "size field", _s.size = 5000);
	BAD("size field smaller than the first layout", -EINVAL, "size field", _s.size = 64);
	BAD("size field not 8-aligned", -EINVAL, "size field", _s.size = sizeof(_s) + 4);
	BAD("seq always odd", -EBUSY, "seqlock", _s.seq = 7);
	BAD("total != sum", -EINVAL, "reaped_total", _s.reaped_total = 11);
	BAD("sum wraps to total (2^64 - 1 + 2 = 1)", -EINVAL, "beyond any real count",
	    (_s.reaped_total = 1, _s.reaped_exit_zero = ~0ULL, _s.reaped_exit_nonzero = 2,
	     _s.reaped_signaled = 0, _s.reaped_core_dumped = 0));
	BAD("four terms of 2^62 wrap to 0", -EINVAL, "beyond any real count",
	    (_s.reaped_total = 0, _s.reaped_exit_zero = _s.reaped_exit_nonzero = 1ULL << 62,
	     _s.reaped_signaled = _s.reaped_core_dumped = 1ULL << 62));
	BAD("a counter beyond 2^53", -EINVAL, "signals[64]", _s.signals[64] = (1ULL << 53) + 1);
	BAD("mode 7", -EINVAL, "mode", _s.mode = 7);
	BAD("pid 0", -EINVAL, "pid", _s.pid = 0);
	BAD("pid beyond PID_MAX_LIMIT", -EINVAL, "bad pid", _s.pid = 4194305);
	BAD("pause mode with a child", -EINVAL, "child_pid",
	    (_s.mode = PAUSE_MODE_PAUSE, _s.signals_forwarded = 0, _s.drain_runs = 0,
	     _s.drain_sent_term = _s.drain_exited_on_term = _s.drain_killed = 0));
	BAD("unknown flag", -EINVAL, "flags", _s.flags |= 0x100);
	BAD("subreaper flag on PID 1", -EINVAL, "subreaper", _s.flags |= PAUSE_STATS_F_SUBREAPER);
	BAD("no start time", -EINVAL, "start_time", _s.start_time_ns = 0);
	BAD("reaps but no last pid", -EINVAL, "last_reap", _s.last_reap.pid = 0);
	BAD("last reap is pause itself", -EINVAL, "last_reap.pid", _s.last_reap.pid = 1);
	BAD("last reap at time 0 with reaps counted", -EINVAL, "time_ns", _s.last_reap.time_ns = 0);
	BAD("last reap set with 0 reaps", -EINVAL, "with 0 reaps",
	    (_s.reaped_total = _s.reaped_exit_zero = _s.reaped_exit_nonzero = 0,
	     _s.reaped_signaled = _s.reaped_core_dumped = 0));
	BAD("a 'reap' that is a stop (SIGSTOP)", -EINVAL, "not an exit or a kill",
	    _s.last_reap.status = 0x137f);
	BAD("a 'reap' that is a continue", -EINVAL, "not an exit or a kill",
	    _s.last_reap.status = 0xffff);
	BAD("a status with junk above 16 bits", -EINVAL, "not an exit or a kill",
	    _s.last_reap.status = 0x10300);
	BAD("a status whose outcome was never counted", -EINVAL, "not counted",
	    (_s.reaped_exit_zero = 5, _s.reaped_exit_nonzero = 0, _s.last_reap.status = 0x0300,
	     _s.reaped_signaled = 2, _s.reaped_core_dumped = 3));
	BAD("signal 0 counted", -EINVAL, "signals[0]", _s.signals[0] = 1);
	BAD("more forwarded than received", -EINVAL, "signals_forwarded", _s.signals_forwarded = 3);
	BAD("more exited than sent", -EINVAL, "drain", _s.drain_exited_on_term = 4);
	BAD("drain ran twice", -EINVAL, "drain", _s.drain_runs = 2);
	BAD("drain counts set, drain never ran", -EINVAL, "never ran",
	    (_s.drain_runs = 0, _s.drain_exited_on_term = 0));
	BAD("drain killed more pids than a namespace holds", -EINVAL, "drain counts beyond",
	    _s.drain_killed = 4194305);
	BAD("drain killed more than it found", -EINVAL, "more processes than it found",
	    _s.drain_killed = 5);
	BAD("drain sent SIGTERM to more than it found", -EINVAL, "more processes than it found",
	    _s.drain_found = 2);
	BAD("drain found more pids than a namespace holds", -EINVAL, "drain_found 4194305 beyond",
	    _s.drain_found = 4194305);
	BAD("init-mode counters in pause mode", -EINVAL, "init-mode",
	    (_s.mode = PAUSE_MODE_PAUSE, _s.child_pid = 0));
}

static void test_good_variants(void)
{
	struct pause_stats s = good();
	char err[256] = "";

	s.flags |= PAUSE_STATS_F_NO_CAPS | PAUSE_STATS_F_SECCOMP;
	is_int(pause_page_check(&s, err, sizeof(err)), 0, "NO_CAPS and SECCOMP flags are known (%s)", err);
	s = good();
	s.size = PAUSE_STATS_SIZE_V1;	/* an older pause: no drain_found, only the bounds apply */
	s.drain_found = 0;
	is_int(pause_page_check(&s, err, sizeof(err)), 0, "a page of the first layout (664 bytes) is valid (%s)", err);
	s = good();
	s.size = PAUSE_STATS_SIZE_V1;	/* bytes past an older writer's size are not its data */
	s.drain_found = 1ULL << 53;
	s.drain_runs = 0;
	s.drain_sent_term = s.drain_exited_on_term = s.drain_killed = s.signals_forwarded = 0;
	is_int(pause_page_check(&s, err, sizeof(err)), 0,
	       "a 664-byte page: drain_found past its size is not checked (%s)", err);
	{
		struct pause_stats out;
		int fd = make_page(PAUSE_STATS_NAME, &s, PAUSE_STATS_PAGE, SEALS_OK);

		is_int(pause_page_read(getpid(), &out, err, sizeof(err)), 0, "... and reads (%s)", err);
		ok(out.drain_found == 0, "... with drain_found 0, not the %llu past its size",
		   (unsigned long long)s.drain_found);
		close(fd);
	}
	s = good();
	s.drain_sent_term = s.drain_exited_on_term = 0;	/* --grace 0: SIGKILL at once */
	s.drain_killed = 4;
	is_int(pause_page_check(&s, err, sizeof(err)), 0, "--grace 0: all found killed, none sent SIGTERM (%s)", err);
	s = good();
	s.last_reap.status = 0x0086;	/* SIGABRT with a core */
	is_int(pause_page_check(&s, err, sizeof(err)), 0, "a core-dump reap is valid (%s)", err);
	s.last_reap.status = 0x0009;	/* SIGKILL */
	is_int(pause_page_check(&s, err, sizeof(err)), 0, "a killed reap is valid (%s)", err);
	s.last_reap.status = 0;		/* exit 0 */
	is_int(pause_page_check(&s, err, sizeof(err)), 0, "an exit-0 reap is valid (%s)", err);
	s = good();
	s.mode = PAUSE_MODE_PAUSE;
	s.child_pid = 0;
	s.signals_forwarded = s.drain_runs = s.drain_sent_term = 0;
	s.drain_exited_on_term = s.drain_killed = s.drain_found = 0;
	s.pid = 12;
	s.flags = PAUSE_STATS_F_SUBREAPER;
	is_int(pause_page_check(&s, err, sizeof(err)), 0, "a subreaper pause (pid 12) is valid (%s)", err);
	s.reaped_total = s.reaped_exit_zero = s.reaped_exit_nonzero = 0;
	s.reaped_signaled = s.reaped_core_dumped = 0;
	s.last_reap = (struct pause_stats_reap){ 0 };
	is_int(pause_page_check(&s, err, sizeof(err)), 0, "a fresh pause with no reaps is valid (%s)", err);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A tmpfs mounted nowhere: a file at its root is "/NAME" to /proc readlink. */
static int detached_tmpfs(void)
{
	int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), mnt;

	if (fs < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		if (fs >= 0)
			close(fs);
		return -1;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	close(fs);
	return mnt;
}

#define FAKE "memfd:" PAUSE_STATS_NAME

/*
 * An imposter: a node named like the page, held by an fd whose link reads
 * "/memfd:pause-stats (deleted)" exactly.  *ino watches it for opens.
 * kind: 'p' FIFO, 'c' /dev/null's device node, 'f' a plain tmpfs file
 * holding a good page.  Returns the held fd or -1.
 */
static int imposter(int mnt, char kind, int *ino)
{
	struct pause_stats s = good();
	char path[64];
	int fd = -1, rc;

	if (kind == 'p')
		rc = mkfifoat(mnt, FAKE, 0600);
	else if (kind == 'c')
		rc = mknodat(mnt, FAKE, S_IFCHR | 0600, makedev(1, 3));
	else
		rc = (fd = openat(mnt, FAKE, O_CREAT | O_RDWR | O_CLOEXEC, 0600)) < 0 ||
		     ftruncate(fd, PAUSE_STATS_PAGE) || pwrite(fd, &s, sizeof(s), 0) != sizeof(s);
	if (rc)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d/" FAKE, mnt);
	*ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	inotify_add_watch(*ino, path, IN_OPEN | IN_ACCESS);
	if (fd < 0)
		fd = openat(mnt, FAKE, O_PATH | O_CLOEXEC);
	unlinkat(mnt, FAKE, 0);
	return fd;
}

static void test_imposters(void)
{
	static const struct { char kind; const char *what, *says; } cases[] = {
		{ 'p', "a FIFO (would block an open forever)", "not a memfd" },
		{ 'c', "a device node (must never be opened as root)", "not a memfd" },
		{ 'f', "a plain tmpfs file holding a good page", "not a memfd" },
	};
	int mnt = detached_tmpfs();

	if (mnt < 0) {
		skip("imposters posing as the page", "cannot mount a tmpfs (needs CAP_SYS_ADMIN)");
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pause_stats out;
		char err[256], ev[256];
		int ino = -1, fd = imposter(mnt, cases[i].kind, &ino), rc;
		double t;

		if (fd < 0) {
			skip(cases[i].what, "cannot create it");
			continue;
		}
		t = now_s();
		rc = pause_page_read(getpid(), &out, err, sizeof(err));
		t = now_s() - t;
		is_int(rc, -EINVAL, "%s: -EINVAL", cases[i].what);
		ok(strstr(err, cases[i].says) != NULL, "... says '%s' (%s)", cases[i].says, err);
		ok(t < 5, "... at once (%.3f s)", t);
		ok(read(ino, ev, sizeof(ev)) < 0 && errno == EAGAIN, "... and it was never opened (inotify)");
		close(ino);
		close(fd);
	}
	close(mnt);
}

/* A child holding a good page under a write lease: an open would wait 45 s. */
/*
 * A child holding a good page the way how (1 = under a write lease, read-write;
 * 2 = under a write lease, write-only; 3 = marked FAN_OPEN_PERM, never
 * answered; 4 = as a pause does); *pid set.  0 when the child could not set
 * it up.
 */
static int hold_page(int how, pid_t *pid)
{
	struct pause_stats in = good();
	int fds[2];
	char c = 'n';

	*pid = -1;
	if (pipe(fds) < 0)
		return 0;
	*pid = fork();
	if (*pid == 0) {
		int fd = make_page(PAUSE_STATS_NAME, &in, PAUSE_STATS_PAGE, SEALS_OK), w, fan;
		char path[64], buf[4096];

		signal(SIGIO, SIG_IGN);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (how == 3) {
			fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY);
			c = fan >= 0 && fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, path) == 0 ? 'y' : 'n';
			(void)!write(fds[1], &c, 1);
			for (;;)	/* read the permission events, never answer them */
				if (read(fan, buf, sizeof(buf)) < 0 && errno != EINTR)
					pause();
		}
		if (how == 4) {
			c = 'y';
			(void)!write(fds[1], &c, 1);
			pause();
			_exit(0);
		}
		w = open(path, how == 1 ? O_RDWR : O_WRONLY);
		close(fd);
		c = fcntl(w, F_SETLEASE, F_WRLCK) == 0 ? 'y' : 'n';
		(void)!write(fds[1], &c, 1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	if (*pid < 0 || read(fds[0], &c, 1) != 1)
		c = 'n';
	close(fds[0]);
	return c == 'y';
}

/* From now on pidfd_getfd fails with ENOSYS, as on a kernel older than 5.6. */
static void deny_pidfd_getfd(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_getfd, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("seccomp");
		_exit(1);
	}
}

static bool no_getfd;	/* read_bounded's reader runs under deny_pidfd_getfd */

/* End a hold_page child, if there is one (never kill(-1)). */
static void stop_holder(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * pause_page_read(pid) in a child of ours, bounded: a read that blocks is
 * killed after limit s.  Returns its rc (-ETIMEDOUT when killed), *secs.
 */
static int read_bounded(pid_t pid, double limit, struct pause_stats *out, char *err, size_t len,
			double *secs)
{
	struct { int rc; struct pause_stats s; char err[256]; } res = { .rc = -ETIMEDOUT };
	double t0 = now_s();
	int fds[2], st;
	pid_t r;

	*secs = 0;
	if (pipe(fds) < 0)
		return -errno;
	r = fork();
	if (r == 0) {
		close(fds[0]);
		if (no_getfd)
			deny_pidfd_getfd();
		res.rc = pause_page_read(pid, &res.s, res.err, sizeof(res.err));
		(void)!write(fds[1], &res, sizeof(res));
		_exit(0);
	}
	close(fds[1]);
	if (r < 0) {
		close(fds[0]);
		return -errno;
	}
	while (waitpid(r, &st, WNOHANG) == 0 && now_s() - t0 < limit)
		usleep(10 * 1000);
	*secs = now_s() - t0;
	kill(r, SIGKILL);
	waitpid(r, &st, 0);
	if (read(fds[0], &res, sizeof(res)) != (ssize_t)sizeof(res))
		res.rc = -ETIMEDOUT;
	close(fds[0]);
	*out = res.s;
	snprintf(err, len, "%s", res.rc == -ETIMEDOUT ? "blocked: killed" : res.err);
	return res.rc;
}

static void test_lease(void)
{
	struct pause_stats in = good(), out;
	char err[256];
	double t;
	pid_t pid;

	if (!hold_page(1, &pid)) {
		skip("a leased page does not block the reader", "cannot take a write lease on a memfd");
	} else {
		is_int(read_bounded(pid, 10, &out, err, sizeof(err), &t), 0,
		       "a page under a write lease reads: its owner's fd is taken, nothing opened (%s)", err);
		ok(memcmp(&in, &out, sizeof(in)) == 0, "... and equals the page");
		ok(t < 5, "... at once, not after the 45 s lease break (%.3f s)", t);
	}
	stop_holder(pid);
	if (!hold_page(2, &pid)) {
		skip("a write-only page is refused", "cannot take a write lease on a memfd");
	} else {
		is_int(read_bounded(pid, 10, &out, err, sizeof(err), &t), -EINVAL,
		       "a page held write-only (and leased): -EINVAL");
		ok(strstr(err, "write-only") != NULL, "... says write-only (%s)", err);
		ok(t < 5, "... at once (%.3f s)", t);
	}
	stop_holder(pid);
	/* the fallback: no pidfd_getfd, the O_PATH fd is re-opened, non-blocking */
	no_getfd = true;
	if (!hold_page(1, &pid)) {
		skip("without pidfd_getfd, a leased page is refused at once", "cannot take a write lease");
	} else {
		is_int(read_bounded(pid, 10, &out, err, sizeof(err), &t), -EBUSY,
		       "without pidfd_getfd (ENOSYS), a page under a write lease: -EBUSY");
		ok(strstr(err, "leased") != NULL, "... says leased (%s)", err);
		ok(t < 5, "... at once, not after the 45 s lease break (%.3f s)", t);
	}
	stop_holder(pid);
	if (hold_page(4, &pid)) {
		is_int(read_bounded(pid, 10, &out, err, sizeof(err), &t), 0,
		       "without pidfd_getfd, a good page is re-opened and read (%s)", err);
		ok(memcmp(&in, &out, sizeof(in)) == 0, "... and equals the page");
	}
	stop_holder(pid);
	no_getfd = false;
}

/*
 * A privileged owner (CAP_SYS_ADMIN) marks its page FAN_OPEN_PERM and never
 * answers: an open() of it would wait forever (found by review: pausestat
 * hung, pausetop stopped taking snapshots and ignored SIGTERM).
 */
static void test_open_perm(void)
{
	struct pause_stats in = good(), out;
	char err[256];
	double t;
	pid_t pid;

	if (!hold_page(3, &pid)) {
		skip("a page guarded by an unanswered FAN_OPEN_PERM reads", "fanotify (content class) refused");
	} else {
		is_int(read_bounded(pid, 10, &out, err, sizeof(err), &t), 0,
		       "a page guarded by an unanswered FAN_OPEN_PERM reads (%s)", err);
		ok(memcmp(&in, &out, sizeof(in)) == 0, "... and equals the page");
		ok(t < 5, "... at once (%.3f s)", t);
	}
	stop_holder(pid);
}

/* Fill fds from..to-1 with copies of /dev/null. */
static void fill_fds(int from, int to)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	for (int i = from; i < to; i++)
		if (i != null && dup2(null, i) < 0)
			perror("dup2");
	if (null >= to || null < from)
		close(null);
}

static void close_fds(int from, int to)
{
	for (int i = from; i < to; i++)
		close(i);
}

static void test_bounds(void)
{
	struct pause_stats in = good(), out;
	char err[256];
	int fd, big;

	/* 300 other fds first: beyond the scan (fds 3..302, page at 303) */
	fill_fds(3, 303);
	fd = make_page(PAUSE_STATS_NAME, &in, PAUSE_STATS_PAGE, SEALS_OK);
	is_int(fd, 303, "(page made at fd 303)");
	is_int(pause_page_read(getpid(), &out, err, sizeof(err)), -ENOENT,
	       "a page behind 300 other fds is not looked for (bounded scan)");
	ok(strstr(err, "its first 256 fds") != NULL, "... says how far it looked (%s)", err);
	close(fd);
	close_fds(200, 303);
	fd = make_page(PAUSE_STATS_NAME, &in, PAUSE_STATS_PAGE, SEALS_OK);
	is_int(pause_page_read(getpid(), &out, err, sizeof(err)), 0,
	       "a page at fd %d (within the first 256 entries) is found (%s)", fd, err);
	close(fd);
	close_fds(3, 200);

	/* six unsealed fakes first: only PAUSE_PAGE_CANDIDATES_MAX are proven */
	big = 0;
	for (int i = 0; i < 6; i++)
		big = make_page(PAUSE_STATS_NAME, &in, PAUSE_STATS_PAGE, 0);
	fd = make_page(PAUSE_STATS_NAME, &in, PAUSE_STATS_PAGE, SEALS_OK);
	is_int(pause_page_read(getpid(), &out, err, sizeof(err)), -EAGAIN,
	       "6 fake pages before the real one: gives up after %d candidates", PAUSE_PAGE_CANDIDATES_MAX);
	close(fd);
	close_fds(big - 5, big + 1);
	for (int i = 0; i < 3; i++)
		big = make_page(PAUSE_STATS_NAME, &in, PAUSE_STATS_PAGE, 0);
	fd = make_page(PAUSE_STATS_NAME, &in, PAUSE_STATS_PAGE, SEALS_OK);
	is_int(pause_page_read(getpid(), &out, err, sizeof(err)), 0,
	       "3 fake pages before the real one: the 4th candidate is read (%s)", err);
	close(fd);
	close_fds(big - 2, big + 1);
}

/* pause_page_open / copy / close: the collector's kept mapping. */
static void test_kept_mapping(void)
{
	struct pause_stats in = good(), out, *w;
	struct pause_page *pg = (struct pause_page *)1;
	char err[256];
	int fd;

	fd = make_page(PAUSE_STATS_NAME, &in, PAUSE_STATS_PAGE, 0);
	is_int(pause_page_open(getpid(), &pg, err, sizeof(err)), -EAGAIN, "open: unsealed page: -EAGAIN");
	ok(pg == NULL, "... and *out is NULL");
	close(fd);

	fd = make_page(PAUSE_STATS_NAME, &in, PAUSE_STATS_PAGE, SEALS_OK);
	w = mmap(NULL, PAUSE_STATS_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (w == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	is_int(pause_page_open(getpid(), &pg, err, sizeof(err)), 0, "open: a good page (%s)", err);
	if (!pg)
		return;
	is_int(pause_page_fdnum(pg), fd, "... found at its fd");
	is_int(pause_page_pid(pg), getpid(), "... of its pid");
	is_int(pause_page_copy(pg, &out, err, sizeof(err)), 0, "copy: ok");
	ok(memcmp(&in, &out, sizeof(in)) == 0, "copy: equals the page");
	close(fd);
	w->seq += 1;
	w->reaped_total++;
	w->reaped_exit_zero++;
	w->seq += 1;
	is_int(pause_page_copy(pg, &out, err, sizeof(err)), 0,
	       "copy: after the owner closed its fd, the mapping still reads (%s)", err);
	is_int(out.reaped_total, 11, "copy: sees the writer's update");
	w->magic = 0x4141414141414141ULL;
	is_int(pause_page_copy(pg, &out, err, sizeof(err)), -EINVAL, "copy: a page turned hostile: -EINVAL");
	is_int(out.reaped_total, 0, "... and *out is zeroed");
	w->magic = PAUSE_STATS_MAGIC;
	w->seq |= 1;
	is_int(pause_page_copy(pg, &out, err, sizeof(err)), -EBUSY, "copy: seq stuck odd: -EBUSY");
	pause_page_close(pg);
	pause_page_close(NULL);
	munmap(w, PAUSE_STATS_PAGE);
}

static void test_first_valid_wins(void)
{
	struct pause_stats bad = good(), in = good(), out;
	char err[256];
	int fd1, fd2;

	bad.magic = 1;
	fd1 = make_page(PAUSE_STATS_NAME, &bad, PAUSE_STATS_PAGE, SEALS_OK);
	fd2 = make_page(PAUSE_STATS_NAME, &in, PAUSE_STATS_PAGE, SEALS_OK);
	is_int(pause_page_read(getpid(), &out, err, sizeof(err)), 0,
	       "a fake page next to the real one: the valid one is read");
	is_int(out.reaped_total, 10, "... with its values");
	close(fd1);
	close(fd2);
}

static void test_no_access(void)
{
	struct pause_stats out;
	char err[256];
	pid_t pid;
	int st, rc;

	if (getuid() != 0) {
		skip("another user's /proc/PID/fd: -EACCES", "needs root to switch user");
		return;
	}
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(100);
		rc = pause_page_read(getppid(), &out, err, sizeof(err));
		_exit(rc == -EACCES || rc == -EPERM ? 0 : 101);
	}
	waitpid(pid, &st, 0);
	is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0,
	       "uid 65534 reading root's /proc/PID/fd: -EACCES/-EPERM");
}

/*
 * A writer process hammering the page under the seqlock (the same protocol
 * as pause) while we read it: every successful read must be consistent.
 * signals[1] mirrors reaped_total so a torn copy is caught even when the
 * outcome sums happen to match.
 */
static void test_live_writer(void)
{
	struct pause_stats in = good(), out, *p;
	int fd = make_page(PAUSE_STATS_NAME, &in, PAUSE_STATS_PAGE, SEALS_OK);
	int i, okc = 0, busy = 0, torn = 0, other = 0, rc;
	char err[256];
	pid_t w;

	p = mmap(NULL, PAUSE_STATS_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	w = fork();
	if (w == 0) {
		for (uint64_t n = 0;; n++) {
			uint64_t seq = p->seq;

			__atomic_store_n(&p->seq, seq + 1, __ATOMIC_RELAXED);
			__atomic_thread_fence(__ATOMIC_RELEASE);
			__atomic_store_n(&p->reaped_total, p->reaped_total + 1, __ATOMIC_RELAXED);
			/* widen the window a torn copy could fall into */
			for (volatile int spin = 0; spin < 2000; spin++)
				;
			__atomic_store_n(n & 1 ? &p->reaped_signaled : &p->reaped_exit_zero,
					 (n & 1 ? p->reaped_signaled : p->reaped_exit_zero) + 1,
					 __ATOMIC_RELAXED);
			__atomic_store_n(&p->signals[1], p->reaped_total, __ATOMIC_RELAXED);
			__atomic_store_n(&p->seq, seq + 2, __ATOMIC_RELEASE);
			if ((n & 255) == 0)
				usleep(20);	/* a busy pause, not a livelock */
		}
	}
	for (i = 0; i < 3000; i++) {
		rc = pause_page_read(getpid(), &out, err, sizeof(err));
		if (rc == 0) {
			okc++;
			torn += out.signals[1] != out.reaped_total && out.signals[1] != 0;
		} else if (rc == -EBUSY) {
			busy++;
		} else {
			if (other++ < 3)
				diag("read failed under a live writer: %d %s", rc, err);
		}
	}
	kill(w, SIGKILL);
	waitpid(w, NULL, 0);
	diag("live writer: %d reads ok, %d busy, %d failed", okc, busy, other);
	is_int(other, 0, "live writer: no read ever saw an inconsistent page");
	is_int(torn, 0, "live writer: no torn copy");
	ok(okc > 0, "live writer: reads succeed while the page changes");
	munmap(p, PAUSE_STATS_PAGE);
	close(fd);
}

static void test_json(void)
{
	struct pause_stats s = good();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	pause_page_json(f, &s);
	fclose(f);
	ok(strstr(buf, "\"reaped_total\":10,") != NULL, "json: reaped_total");
	ok(strstr(buf, "\"signals\":{\"SIGCHLD\":5,\"SIGRTMAX\":1}") != NULL, "json: signals by name (%s)", buf);
	ok(strstr(buf, "\"mode\":\"init\"") != NULL, "json: mode");
	ok(strstr(buf, "\"drain_killed\":1,\"drain_found\":4}") != NULL, "json: ends with drain_killed, drain_found");
	free(buf);
}

int main(void)
{
	test_good();
	test_absent();
	test_file_checks();
	test_content_checks();
	test_good_variants();
	test_first_valid_wins();
	test_imposters();
	test_lease();
	test_open_perm();
	test_bounds();
	test_kept_mapping();
	test_no_access();
	test_live_writer();
	test_json();
	return done_testing();
}
