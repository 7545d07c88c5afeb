/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause_page.c — the validated reader of pause's counters page.
 *
 * Threat model (docs/SECURITY.md): the page belongs to a process inside a
 * container.  Whoever controls the container can replace pause, put anything
 * behind an fd whose link reads "/memfd:pause-stats (deleted)" (a FIFO, a
 * device node, a file on FUSE, a memfd it shrinks or leases), hold the
 * seqlock odd forever, open thousands of fds, or write any values.  So:
 * nothing is opened for reading before it is proven a sealed 4096-byte
 * memfd, the open cannot block, the work per pid is bounded, every retry is
 * bounded, and every value is checked before anyone prints or sums it.
 *
 * Why mmap and not pread: the collector keeps a proven page mapped and
 * copies it each snapshot without a syscall (pause_page_copy).  A mapping
 * can only fault if the file shrinks under it; the page is mapped only when
 * F_SEAL_SHRINK|F_SEAL_GROW were read *before* its size was, and seals can
 * never be removed, so its size can never change again.  A hole punched
 * into it reads as zeros (and fails validation), it does not fault.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "pause_page.h"

#define SEQ_RETRIES	1000	/* copies attempted before -EBUSY */
#define LINK_NAME	"/memfd:" PAUSE_STATS_NAME " (deleted)"
#define PID_LIMIT	4194304	/* PID_MAX_LIMIT of a 64-bit kernel: no pid is larger */
#define COUNT_LIMIT	(1ULL << 53)	/* no real count gets there; JSON doubles stay exact */
#define SEALS_NEEDED	(F_SEAL_SHRINK | F_SEAL_GROW)

#ifndef PAUSE_STATS_F_NO_CAPS
#error "pause_stats.h without PAUSE_STATS_F_NO_CAPS"
#endif
#define KNOWN_FLAGS	(PAUSE_STATS_F_SUBREAPER | PAUSE_STATS_F_SECCOMP | \
			 PAUSE_STATS_F_NO_NEW_PRIVS | PAUSE_STATS_F_NO_CAPS)

_Static_assert(sizeof(struct pause_stats) % 8 == 0, "word copy needs 8-byte size");

struct pause_page {
	const struct pause_stats *map;	/* PAUSE_STATS_PAGE bytes, PROT_READ */
	pid_t pid;
	int fdnum;
};

__attribute__((format(printf, 4, 5)))
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* ---- validation ------------------------------------------------------ */

static const struct {
	const char *name;
	size_t off;
} counters[] = {
#define C(f) { #f, offsetof(struct pause_stats, f) }
	C(reaped_total), C(reaped_exit_zero), C(reaped_exit_nonzero), C(reaped_signaled),
	C(reaped_core_dumped), C(signals_forwarded), C(drain_runs), C(drain_sent_term),
	C(drain_exited_on_term), C(drain_killed), C(drain_found),
#undef C
};

static uint64_t u64_at(const struct pause_stats *s, size_t off)
{
	uint64_t v;

	memcpy(&v, (const char *)s + off, sizeof(v));
	return v;
}

/* Every count below 2^53: no sum of them can wrap (65 * 2^53 < 2^64). */
static int check_counts(const struct pause_stats *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		uint64_t v = u64_at(s, counters[i].off);

		if (v > COUNT_LIMIT)
			return fail(err, errlen, -EINVAL, "%s %" PRIu64 " is beyond any real count (2^53)",
				    counters[i].name, v);
	}
	for (int i = 0; i < PAUSE_STATS_NSIG; i++)
		if (s->signals[i] > COUNT_LIMIT)
			return fail(err, errlen, -EINVAL, "signals[%d] %" PRIu64 " is beyond any real count (2^53)",
				    i, s->signals[i]);
	return 0;
}

static int check_header(const struct pause_stats *s, char *err, size_t errlen)
{
	/* pause maps the page, then writes magic, abi and size: all zero is
	 * a page caught in between */
	if (!s->magic && !s->abi_version && !s->size)
		return fail(err, errlen, -EAGAIN, "page not ready yet (header not written: pause is starting)");
	if (s->magic != PAUSE_STATS_MAGIC)
		return fail(err, errlen, -EINVAL, "bad magic 0x%016" PRIx64, s->magic);
	if (s->abi_version != PAUSE_STATS_ABI)
		return fail(err, errlen, -EINVAL, "unknown abi_version %" PRIu32, s->abi_version);
	/* a newer writer may have appended fields; an older one lacks ours (zeros) */
	if (s->size < PAUSE_STATS_SIZE_V1 || s->size > PAUSE_STATS_PAGE || s->size % 8)
		return fail(err, errlen, -EINVAL, "bad size field %" PRIu32 " (want %zu..%u, multiple of 8)",
			    s->size, (size_t)PAUSE_STATS_SIZE_V1, PAUSE_STATS_PAGE);
	if (!s->seq)
		return fail(err, errlen, -EAGAIN, "page not ready yet (never published: pause is starting)");
	if (s->seq & 1)
		return fail(err, errlen, -EINVAL, "seq %" PRIu64 " is odd in a settled copy", s->seq);
	return 0;
}

static int check_identity(const struct pause_stats *s, char *err, size_t errlen)
{
	if (s->mode != PAUSE_MODE_PAUSE && s->mode != PAUSE_MODE_INIT)
		return fail(err, errlen, -EINVAL, "bad mode %" PRIu32, s->mode);
	if (s->pid <= 0 || s->pid > PID_LIMIT)
		return fail(err, errlen, -EINVAL, "bad pid %" PRId32, s->pid);
	if (s->mode == PAUSE_MODE_PAUSE ? s->child_pid != 0
					: s->child_pid < 0 || s->child_pid > PID_LIMIT)
		return fail(err, errlen, -EINVAL, "child_pid %" PRId32 " impossible in this mode",
			    s->child_pid);
	if (s->flags & ~KNOWN_FLAGS)
		return fail(err, errlen, -EINVAL, "unknown flags 0x%" PRIx32, s->flags);
	/* pause registers as subreaper only when it is not PID 1 */
	if ((s->flags & PAUSE_STATS_F_SUBREAPER) && s->pid == 1)
		return fail(err, errlen, -EINVAL, "subreaper flag set on PID 1");
	if (!s->start_time_ns)
		return fail(err, errlen, -EINVAL, "start_time_ns is 0");
	return 0;
}

/* The outcome bucket the last reap was counted in, or NULL if its status is
 * not one a reap can have (a stop, a continue, junk in the upper bits). */
static const uint64_t *bucket_of(const struct pause_stats *s, int st)
{
	if ((unsigned)st & ~0xffffu)
		return NULL;
	if (WIFEXITED(st))
		return st & 0xff ? NULL : WEXITSTATUS(st) ? &s->reaped_exit_nonzero : &s->reaped_exit_zero;
	if (!WIFSIGNALED(st) || WTERMSIG(st) > 64 || (st & 0xff00))
		return NULL;
	return WCOREDUMP(st) ? &s->reaped_core_dumped : &s->reaped_signaled;
}

static int check_reaps(const struct pause_stats *s, char *err, size_t errlen)
{
	const struct pause_stats_reap *r = &s->last_reap;
	const uint64_t *bucket;
	uint64_t sum = 0;

	/* overflow-free even without check_counts: a wrap is an error */
	if (__builtin_add_overflow(sum, s->reaped_exit_zero, &sum) ||
	    __builtin_add_overflow(sum, s->reaped_exit_nonzero, &sum) ||
	    __builtin_add_overflow(sum, s->reaped_signaled, &sum) ||
	    __builtin_add_overflow(sum, s->reaped_core_dumped, &sum))
		return fail(err, errlen, -EINVAL, "outcome counters overflow (their sum wraps past 2^64)");
	if (sum != s->reaped_total)
		return fail(err, errlen, -EINVAL, "reaped_total %" PRIu64 " != sum of outcomes %" PRIu64,
			    s->reaped_total, sum);
	if (!s->reaped_total) {
		if (r->pid || r->status || r->time_ns)
			return fail(err, errlen, -EINVAL, "last_reap set (pid %" PRId32 ") with 0 reaps", r->pid);
		return 0;
	}
	if (r->pid <= 0 || r->pid > PID_LIMIT || r->pid == s->pid)
		return fail(err, errlen, -EINVAL, "last_reap.pid %" PRId32 " impossible with %" PRIu64 " reaps",
			    r->pid, s->reaped_total);
	if (!r->time_ns)
		return fail(err, errlen, -EINVAL, "last_reap.time_ns is 0 with %" PRIu64 " reaps",
			    s->reaped_total);
	bucket = bucket_of(s, r->status);
	if (!bucket)
		return fail(err, errlen, -EINVAL, "last_reap.status 0x%" PRIx32 " is not an exit or a kill "
			    "(a stop, a continue or junk)", (uint32_t)r->status);
	if (!*bucket)
		return fail(err, errlen, -EINVAL, "last_reap.status 0x%" PRIx32 " not counted in its outcome",
			    (uint32_t)r->status);
	return 0;
}

static int check_signals_drain(const struct pause_stats *s, char *err, size_t errlen)
{
	bool has_found = s->size >= offsetof(struct pause_stats, drain_found) + sizeof(s->drain_found);
	uint64_t received = 0;

	if (s->signals[0])
		return fail(err, errlen, -EINVAL, "signals[0] is not 0");
	/* init mode forwards each signal it receives (SIGCHLD excepted) at most once */
	for (int i = 1; i < PAUSE_STATS_NSIG; i++)
		if (i != SIGCHLD && __builtin_add_overflow(received, s->signals[i], &received))
			return fail(err, errlen, -EINVAL, "signal counters overflow");
	if (s->signals_forwarded > received)
		return fail(err, errlen, -EINVAL, "signals_forwarded %" PRIu64 " > signals received %" PRIu64,
			    s->signals_forwarded, received);
	if (s->mode == PAUSE_MODE_PAUSE && (s->signals_forwarded || s->drain_runs))
		return fail(err, errlen, -EINVAL, "init-mode counters set in pause mode");
	if (s->drain_runs > 1 || s->drain_exited_on_term > s->drain_sent_term)
		return fail(err, errlen, -EINVAL, "drain counters inconsistent (runs %" PRIu64
			    ", sent %" PRIu64 ", exited %" PRIu64 ")", s->drain_runs,
			    s->drain_sent_term, s->drain_exited_on_term);
	if (!s->drain_runs && (s->drain_sent_term || s->drain_killed))
		return fail(err, errlen, -EINVAL, "drain counters set but drain never ran");
	/* one drain signals each live pid at most once per pass */
	if (s->drain_sent_term > PID_LIMIT || s->drain_killed > PID_LIMIT)
		return fail(err, errlen, -EINVAL, "drain counts beyond the pids one namespace can hold "
			    "(sent %" PRIu64 ", killed %" PRIu64 ")", s->drain_sent_term, s->drain_killed);
	/*
	 * A writer that knows drain_found (size covers it) signals only what it
	 * found: kills beyond that (or SIGTERMs) are made up.  It counts distinct
	 * pids of one namespace.  Older pages have no such field: only the bounds
	 * above apply to them, and whatever lies past their size is not read.
	 */
	if (!has_found)
		return 0;
	if (s->drain_found > PID_LIMIT)
		return fail(err, errlen, -EINVAL, "drain_found %" PRIu64 " beyond the pids one namespace "
			    "can hold", s->drain_found);
	if (s->drain_sent_term > s->drain_found || s->drain_killed > s->drain_found)
		return fail(err, errlen, -EINVAL, "drain signalled more processes than it found "
			    "(found %" PRIu64 ", sent SIGTERM %" PRIu64 ", killed %" PRIu64 ")",
			    s->drain_found, s->drain_sent_term, s->drain_killed);
	if (!s->drain_runs && s->drain_found)
		return fail(err, errlen, -EINVAL, "drain counters set but drain never ran");
	return 0;
}

int pause_page_check(const struct pause_stats *s, char *err, size_t errlen)
{
	int rc;

	if ((rc = check_header(s, err, errlen)) || (rc = check_identity(s, err, errlen)) ||
	    (rc = check_counts(s, err, errlen)) || (rc = check_reaps(s, err, errlen)) ||
	    (rc = check_signals_drain(s, err, errlen)))
		return rc;
	return 0;
}

/* ---- the seqlock copy ------------------------------------------------ */

/*
 * Seqlock read: seq even (acquire), copy the words, acquire fence, seq
 * unchanged.  Word-sized relaxed atomic loads keep the copy free of torn
 * words and of C data races.  Bounded: a hostile writer keeping seq odd or
 * moving costs us SEQ_RETRIES copies, then -EBUSY.  No syscall unless the
 * lock is contended (a writer preempted mid-update gets the CPU back).
 */
static int seq_copy(const struct pause_stats *page, struct pause_stats *out)
{
	const uint64_t *src = (const uint64_t *)page;
	uint64_t *dst = (uint64_t *)out, s1, s2;
	int tries;

	for (tries = 0; tries < SEQ_RETRIES; tries++) {
		if (tries && tries % 100 == 0)
			sched_yield();
		s1 = __atomic_load_n(&page->seq, __ATOMIC_ACQUIRE);
		if (s1 & 1)
			continue;
		for (size_t i = 0; i < sizeof(*out) / 8; i++)
			dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&page->seq, __ATOMIC_RELAXED);
		if (s1 == s2)
			return 0;
	}
	return -EBUSY;
}

int pause_page_copy(const struct pause_page *pg, struct pause_stats *out, char *err, size_t errlen)
{
	const struct pause_stats *page = pg->map;
	uint64_t magic = __atomic_load_n(&page->magic, __ATOMIC_RELAXED);
	int rc;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	/* header first: do not spin on the seqlock of a page that is not ours */
	if (magic && magic != PAUSE_STATS_MAGIC)
		return fail(err, errlen, -EINVAL, "not a pause counters page (magic 0x%016" PRIx64 ")", magic);
	rc = seq_copy(page, out);
	if (rc) {
		fail(err, errlen, rc, "seqlock never settled (seq %" PRIu64 ")",
		     __atomic_load_n(&page->seq, __ATOMIC_RELAXED));
		goto bad;
	}
	/* an older writer's page ends at its size: what lies beyond is not its data */
	if (out->size >= PAUSE_STATS_SIZE_V1 && out->size < sizeof(*out) && out->size % 8 == 0)
		memset((char *)out + out->size, 0, sizeof(*out) - out->size);
	rc = pause_page_check(out, err, errlen);
	if (!rc)
		return 0;
bad:
	memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- proving a candidate fd ------------------------------------------ */

/* mnt_id of one of our own fds, from /proc/self/fdinfo (no filesystem call). */
static int fd_mnt_id(int fd)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nmnt_id:");
	return p ? (int)strtol(p + 8, NULL, 10) : -1;
}

/*
 * The kernel's internal mount that every memfd lives on, learnt from a memfd
 * of our own (-1 if that cannot be done: then fstatfs alone decides).
 */
static int memfd_mnt_id(void)
{
	static int cached = -2;
	int id = __atomic_load_n(&cached, __ATOMIC_RELAXED), fd;

	if (id != -2)
		return id;
	fd = memfd_create("pausewatch-probe", MFD_CLOEXEC);
	id = fd < 0 ? -1 : fd_mnt_id(fd);
	if (fd >= 0)
		close(fd);
	__atomic_store_n(&cached, id, __ATOMIC_RELAXED);
	return id;
}

/* What an O_PATH fd is, in words, for "not a memfd" messages. */
static const char *kind_of(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" :
	       S_ISDIR(m) ? "a directory" : S_ISLNK(m) ? "a symlink" : "not a regular file";
}

/*
 * Prove that opath (an O_PATH fd of the candidate: nothing was opened) is a
 * memfd, without calling into any other filesystem first.
 */
static int prove_memfd(int opath, struct stat *st, char *why, size_t len)
{
	int want = memfd_mnt_id(), mnt = fd_mnt_id(opath);
	struct statfs sfs;

	if (want >= 0 && mnt != want)
		return fail(why, len, -EINVAL, "not a memfd (on mount %d, memfds are on %d)", mnt, want);
	if (fstat(opath, st) < 0)
		return fail(why, len, -errno, "fstat: %s", strerror(errno));
	if (!S_ISREG(st->st_mode))
		return fail(why, len, -EINVAL, "not a memfd: %s", kind_of(st->st_mode));
	if (fstatfs(opath, &sfs) < 0)
		return fail(why, len, -errno, "fstatfs: %s", strerror(errno));
	if (sfs.f_type != TMPFS_MAGIC)
		return fail(why, len, -EINVAL, "not a memfd (filesystem magic 0x%lx)",
			    (unsigned long)sfs.f_type);
	return 0;
}

/*
 * Re-open our O_PATH fd for reading (through our own /proc/self/fd: the
 * same inode, not whatever the container has put at its fd number since),
 * non-blocking (a lease makes it fail at once instead of waiting 45 s).
 * O_NOFOLLOW cannot be used: the path is a magic link on purpose.
 */
static int reopen_ro(int opath, const struct stat *st, char *why, size_t len)
{
	char path[64];
	struct stat st2 = { 0 };
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", opath);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && (errno == EWOULDBLOCK || errno == EAGAIN))
		return fail(why, len, -EBUSY, "the page is leased by its owner (a pause never does that)");
	if (fd < 0)
		return fail(why, len, -errno, "open: %s", strerror(errno));
	if (fstat(fd, &st2) < 0 || st2.st_dev != st->st_dev || st2.st_ino != st->st_ino) {
		close(fd);
		return fail(why, len, -EINVAL, "the re-opened fd is another file");
	}
	return fd;
}

/*
 * The owner's own open file, duplicated into us with pidfd_getfd(): nothing
 * is opened, so nothing the container arranged around opens can stop us —
 * no lease break, and no fanotify permission event (a privileged container
 * that marks its page FAN_OPEN_PERM and never answers held an open() of it
 * forever, and with it pausestat and every pausetop snapshot).  The file is
 * proven again, as the O_PATH fd was: memfd mount before any other call,
 * then the same inode (the container may have put another file at fdnum).
 * Returns the fd, or -ENOSYS/-EPERM when the kernel (< 5.6) or its policy
 * (Yama ptrace_scope 3, an LSM) refuses: the caller then re-opens.
 */
static int take_owner_fd(pid_t pid, int fdnum, const struct stat *st, char *why, size_t len)
{
	struct stat st2 = { 0 };
	int pidfd, fd, err, rc;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return errno == ENOSYS || errno == EPERM ? -errno :
		       fail(why, len, errno == ESRCH ? -ENOENT : -errno, "pidfd_open: %s", strerror(errno));
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, fdnum, 0);
	err = errno;
	close(pidfd);
	if (fd < 0)
		return err == ENOSYS || err == EPERM ? -err :
		       fail(why, len, err == ESRCH ? -ENOENT : err == EBADF ? -EINVAL : -err,
			    "pidfd_getfd: %s", err == EBADF ? "the fd is gone or not a file" : strerror(err));
	/* close-on-exec is set by pidfd_getfd */
	rc = prove_memfd(fd, &st2, why, len);
	if (!rc && (st2.st_dev != st->st_dev || st2.st_ino != st->st_ino))
		rc = fail(why, len, -EINVAL, "the fd now holds another file");
	if (!rc && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY)
		rc = fail(why, len, -EINVAL, "held write-only (a pause holds its page read-write)");
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

/* Seals first, then the size (it cannot change once SHRINK|GROW are set). */
static int check_seals_size(int fd, char *why, size_t len)
{
	struct stat st;
	int seals = fcntl(fd, F_GET_SEALS);

	if (seals < 0)
		return fail(why, len, -EINVAL, "not a sealable memfd (%s)", strerror(errno));
	/* pause adds SHRINK|GROW|SEAL in one call: none of them yet is a page
	 * being created (MFD_NOEXEC_SEAL gives it F_SEAL_EXEC at birth), some
	 * of them is no page of ours (it could shrink) */
	if (!(seals & (SEALS_NEEDED | F_SEAL_SEAL)))
		return fail(why, len, -EAGAIN, "page not ready yet (not sealed: pause is creating it)");
	if ((seals & SEALS_NEEDED) != SEALS_NEEDED)
		return fail(why, len, -EINVAL, "not sealed against shrink and grow (seals 0x%x): "
			    "it could shrink under a reader", seals);
	if (fstat(fd, &st) < 0)
		return fail(why, len, -errno, "fstat: %s", strerror(errno));
	if (st.st_size != PAUSE_STATS_PAGE)
		return fail(why, len, -EINVAL, "sealed at %lld bytes, not %u", (long long)st.st_size,
			    PAUSE_STATS_PAGE);
	return 0;
}

/* Prove /proc/PID/fd/<name> (dirfd; fd number fdnum) and map it read-only into *map. */
static int prove_and_map(pid_t pid, int dirfd, const char *name, int fdnum,
			 const struct pause_stats **map, char *why, size_t len)
{
	struct stat st = { 0 };
	void *p;
	int opath, fd = -1, rc;

	/* O_PATH follows the magic link without opening the file it names */
	opath = openat(dirfd, name, O_PATH | O_CLOEXEC);
	if (opath < 0)
		return fail(why, len, errno == ENOENT ? -ENOENT : -errno, "open O_PATH: %s", strerror(errno));
	rc = prove_memfd(opath, &st, why, len);
	if (rc)
		goto out;
	fd = take_owner_fd(pid, fdnum, &st, why, len);
	if (fd == -ENOSYS || fd == -EPERM)
		fd = reopen_ro(opath, &st, why, len);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	rc = check_seals_size(fd, why, len);
	if (rc)
		goto out;
	p = mmap(NULL, PAUSE_STATS_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		rc = fail(why, len, -errno, "mmap: %s", strerror(errno));
		goto out;
	}
	*map = p;
out:
	if (fd >= 0)
		close(fd);
	close(opath);
	return rc;
}

/* ---- finding the page ------------------------------------------------ */

struct finder {
	pid_t pid;
	int dirfd;
	int candidates;		/* fds named like a page tried so far */
	int best_rc;		/* what to report if none is valid */
	bool capped;		/* the scan stopped at PAUSE_PAGE_SCAN_MAX */
	struct pause_page *found;
	struct pause_stats *copy;
	char *err;
	size_t errlen;
};

/* Worse errors are overridden by more useful ones: not ready > busy > invalid. */
static int rank(int rc)
{
	return rc == -EAGAIN ? 4 : rc == -EBUSY ? 3 : rc == -EINVAL ? 2 : rc == -ENOENT ? 0 : 1;
}

/* Try /proc/PID/fd/<name>: 1 when it was a valid page (done), else 0. */
static int try_fd(struct finder *f, const char *name)
{
	struct pause_page pg = { .pid = f->pid };
	char link[sizeof(LINK_NAME) + 1], why[192] = "";
	ssize_t n;
	int rc;

	n = readlinkat(f->dirfd, name, link, sizeof(link) - 1);
	if (n != (ssize_t)sizeof(LINK_NAME) - 1)
		return 0;
	link[n] = '\0';
	if (strcmp(link, LINK_NAME) != 0)
		return 0;
	f->candidates++;
	pg.fdnum = (int)strtol(name, NULL, 10);
	rc = prove_and_map(f->pid, f->dirfd, name, pg.fdnum, &pg.map, why, sizeof(why));
	if (!rc) {
		rc = pause_page_copy(&pg, f->copy, why, sizeof(why));
		if (rc)
			munmap((void *)pg.map, PAUSE_STATS_PAGE);
	}
	if (!rc) {
		f->found = malloc(sizeof(*f->found));
		if (!f->found) {
			munmap((void *)pg.map, PAUSE_STATS_PAGE);
			rc = -ENOMEM;
			snprintf(why, sizeof(why), "out of memory");
		} else {
			*f->found = pg;
			return 1;
		}
	}
	if (f->best_rc == -ENOENT || rank(rc) > rank(f->best_rc)) {
		f->best_rc = rc;
		fail(f->err, f->errlen, rc, "pid %d fd %s: %s", (int)f->pid, name, why);
	}
	return 0;
}

static bool done(const struct finder *f)
{
	return f->found || f->candidates >= PAUSE_PAGE_CANDIDATES_MAX;
}

/* Then the first PAUSE_PAGE_SCAN_MAX entries (numeric order) of the directory. */
static void scan_dir(struct finder *f)
{
	char buf[4096];
	int seen = 0;
	ssize_t n;

	if (lseek(f->dirfd, 0, SEEK_SET) < 0)
		return;
	while (!done(f) && seen < PAUSE_PAGE_SCAN_MAX &&
	       (n = getdents64(f->dirfd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n && !done(f) && seen < PAUSE_PAGE_SCAN_MAX;) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);
			long num = strtol(de->d_name, NULL, 10);

			off += de->d_reclen;
			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			if (++seen == PAUSE_PAGE_SCAN_MAX)
				f->capped = true;
			if (num >= PAUSE_PAGE_PROBE_FIRST && num <= PAUSE_PAGE_PROBE_LAST)
				continue;	/* already looked at */
			try_fd(f, de->d_name);
		}
	}
}

static int find_page(pid_t host_pid, struct pause_page **pg, struct pause_stats *copy,
		     char *err, size_t errlen)
{
	struct finder f = { .pid = host_pid, .best_rc = -ENOENT, .copy = copy,
			    .err = err, .errlen = errlen };
	char path[64];
	int rc;

	*pg = NULL;
	memset(copy, 0, sizeof(*copy));
	if (err && errlen)
		err[0] = '\0';
	if (host_pid <= 0)
		return fail(err, errlen, -ENOENT, "bad pid %d", (int)host_pid);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)host_pid);
	f.dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f.dirfd < 0) {
		rc = -errno;
		if (rc == -ENOENT || rc == -ESRCH)
			return fail(err, errlen, -ENOENT, "no process %d", (int)host_pid);
		return fail(err, errlen, rc, "cannot read %s: %s%s", path, strerror(-rc),
			    rc == -EACCES || rc == -EPERM ?
			    " (needs root, or CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE)" : "");
	}
	/* a pause's page is its first fd after stdio (and its signalfd) */
	for (int i = PAUSE_PAGE_PROBE_FIRST; i <= PAUSE_PAGE_PROBE_LAST && !done(&f); i++) {
		char name[16];

		snprintf(name, sizeof(name), "%d", i);
		try_fd(&f, name);
	}
	if (!done(&f))
		scan_dir(&f);
	close(f.dirfd);
	if (f.found) {
		if (err && errlen)
			err[0] = '\0';
		*pg = f.found;
		return 0;
	}
	memset(copy, 0, sizeof(*copy));
	if (f.best_rc == -ENOENT && f.capped)
		return fail(err, errlen, -ENOENT, "process %d has no counters page (no fd -> %s among "
			    "its first %d fds: the search is bounded, a pause's page is among its first)",
			    (int)host_pid, LINK_NAME, PAUSE_PAGE_SCAN_MAX);
	if (f.best_rc == -ENOENT)
		return fail(err, errlen, -ENOENT, "process %d has no counters page (no fd -> %s)",
			    (int)host_pid, LINK_NAME);
	return f.best_rc;
}

int pause_page_open(pid_t host_pid, struct pause_page **out, char *err, size_t errlen)
{
	struct pause_stats first;

	return find_page(host_pid, out, &first, err, errlen);
}

void pause_page_close(struct pause_page *pg)
{
	if (!pg)
		return;
	munmap((void *)pg->map, PAUSE_STATS_PAGE);
	free(pg);
}

pid_t pause_page_pid(const struct pause_page *pg)
{
	return pg->pid;
}

int pause_page_fdnum(const struct pause_page *pg)
{
	return pg->fdnum;
}

int pause_page_read(pid_t host_pid, struct pause_stats *out, char *err, size_t errlen)
{
	struct pause_page *pg;
	int rc = find_page(host_pid, &pg, out, err, errlen);

	pause_page_close(pg);
	return rc;
}

/* ---- printing -------------------------------------------------------- */

const char *pause_page_signame(int sig, char *buf, size_t len)
{
	const char *abbrev = sig > 0 && sig < 32 ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else if (sig >= 34 && sig <= 49)
		snprintf(buf, len, sig == 34 ? "SIGRTMIN" : "SIGRTMIN+%d", sig - 34);
	else if (sig >= 50 && sig <= 64)
		snprintf(buf, len, sig == 64 ? "SIGRTMAX" : "SIGRTMAX-%d", 64 - sig);
	else
		snprintf(buf, len, "SIG%d", sig);
	return buf;
}

void pause_page_json(FILE *f, const struct pause_stats *s)
{
	const char *sep = "";
	char name[16];
	int i;

	fprintf(f, "{\"abi_version\":%" PRIu32 ",\"size\":%" PRIu32 ",\"seq\":%" PRIu64
		",\"start_time_ns\":%" PRIu64 ",\"mode\":\"%s\",\"pid\":%" PRId32
		",\"child_pid\":%" PRId32 ",\"flags\":{\"subreaper\":%s,\"seccomp\":%s,"
		"\"no_new_privs\":%s,\"no_caps\":%s}",
		s->abi_version, s->size, s->seq, s->start_time_ns,
		s->mode == PAUSE_MODE_INIT ? "init" : "pause", s->pid, s->child_pid,
		s->flags & PAUSE_STATS_F_SUBREAPER ? "true" : "false",
		s->flags & PAUSE_STATS_F_SECCOMP ? "true" : "false",
		s->flags & PAUSE_STATS_F_NO_NEW_PRIVS ? "true" : "false",
		s->flags & PAUSE_STATS_F_NO_CAPS ? "true" : "false");
	fprintf(f, ",\"reaped_total\":%" PRIu64 ",\"reaped_exit_zero\":%" PRIu64
		",\"reaped_exit_nonzero\":%" PRIu64 ",\"reaped_signaled\":%" PRIu64
		",\"reaped_core_dumped\":%" PRIu64 ",\"last_reap\":{\"pid\":%" PRId32
		",\"status\":%" PRId32 ",\"time_ns\":%" PRIu64 "}",
		s->reaped_total, s->reaped_exit_zero, s->reaped_exit_nonzero,
		s->reaped_signaled, s->reaped_core_dumped, s->last_reap.pid,
		s->last_reap.status, s->last_reap.time_ns);
	fprintf(f, ",\"signals\":{");
	for (i = 1; i < PAUSE_STATS_NSIG; i++) {
		if (!s->signals[i])
			continue;
		fprintf(f, "%s\"%s\":%" PRIu64, sep, pause_page_signame(i, name, sizeof(name)),
			s->signals[i]);
		sep = ",";
	}
	fprintf(f, "},\"signals_forwarded\":%" PRIu64 ",\"drain_runs\":%" PRIu64
		",\"drain_sent_term\":%" PRIu64 ",\"drain_exited_on_term\":%" PRIu64
		",\"drain_killed\":%" PRIu64 ",\"drain_found\":%" PRIu64 "}",
		s->signals_forwarded, s->drain_runs, s->drain_sent_term,
		s->drain_exited_on_term, s->drain_killed, s->drain_found);
}
