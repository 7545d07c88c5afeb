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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
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
	ok(strstr(err, "4096-byte regular file") != NULL, "... says why (%s)", err);
	is_int(try_page(&s, 100, SEALS_OK, err, sizeof(err)), -EINVAL, "100-byte memfd: -EINVAL");
	is_int(try_page(&s, 0, SEALS_OK, err, sizeof(err)), -EINVAL, "empty memfd: -EINVAL");
	is_int(try_page(&s, PAUSE_STATS_PAGE, 0, err, sizeof(err)), -EINVAL, "unsealed memfd: -EINVAL");
	ok(strstr(err, "not sealed") != NULL, "... says why (%s)", err);
	is_int(try_page(&s, PAUSE_STATS_PAGE, F_SEAL_GROW, err, sizeof(err)), -EINVAL,
	       "sealed against grow only (could shrink: SIGBUS): -EINVAL");
	is_int(try_page(&s, PAUSE_STATS_PAGE, F_SEAL_SHRINK, err, sizeof(err)), -EINVAL,
	       "sealed against shrink only: -EINVAL");
}

static void test_content_checks(void)
{
	BAD("wrong magic", -EINVAL, "magic", _s.magic = 0x4141414141414141ULL);
	BAD("zero page", -EINVAL, "magic", memset(&_s, 0, sizeof(_s)));
	BAD("abi 2", -EINVAL, "abi", _s.abi_version = 2);
	BAD("size field 5000", -EINVAL, "size field", _s.size = 5000);
	BAD("size field smaller than ours", -EINVAL, "size field", _s.size = 64);
	BAD("size field not 8-aligned", -EINVAL, "size field", _s.size = sizeof(_s) + 4);
	BAD("seq always odd", -EBUSY, "seqlock", _s.seq = 7);
	BAD("total != sum", -EINVAL, "reaped_total", _s.reaped_total = 11);
	BAD("sum wraps to total", -EINVAL, "reaped_total",
	    (_s.reaped_exit_zero = ~0ULL, _s.reaped_exit_nonzero = 11, _s.reaped_signaled = 0,
	     _s.reaped_core_dumped = 0));
	BAD("mode 7", -EINVAL, "mode", _s.mode = 7);
	BAD("pid 0", -EINVAL, "pid", _s.pid = 0);
	BAD("pause mode with a child", -EINVAL, "child_pid",
	    (_s.mode = PAUSE_MODE_PAUSE, _s.signals_forwarded = 0, _s.drain_runs = 0,
	     _s.drain_sent_term = _s.drain_exited_on_term = _s.drain_killed = 0));
	BAD("unknown flag", -EINVAL, "flags", _s.flags |= 0x100);
	BAD("no start time", -EINVAL, "start_time", _s.start_time_ns = 0);
	BAD("reaps but no last pid", -EINVAL, "last_reap", _s.last_reap.pid = 0);
	BAD("signal 0 counted", -EINVAL, "signals[0]", _s.signals[0] = 1);
	BAD("more exited than sent", -EINVAL, "drain", _s.drain_exited_on_term = 4);
	BAD("drain ran twice", -EINVAL, "drain", _s.drain_runs = 2);
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
	ok(strstr(buf, "\"drain_killed\":1}") != NULL, "json: ends with drain_killed");
	free(buf);
}

int main(void)
{
	test_good();
	test_absent();
	test_file_checks();
	test_content_checks();
	test_first_valid_wins();
	test_no_access();
	test_live_writer();
	test_json();
	return done_testing();
}
