/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause_page.c — the validated reader of pause's counters page.
 *
 * Threat model: the page belongs to a process inside a container.  Whoever
 * controls the container can replace pause, create a fake "pause-stats"
 * memfd, leave it unsealed and shrink it under our mapping (SIGBUS in the
 * host collector), hold the seqlock odd forever, or write any values.  So:
 * only sealed 4096-byte regular files are mapped, read-only; every retry is
 * bounded; every value is checked before anyone prints or sums it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "pause_page.h"

#define SEQ_RETRIES	1000	/* copies attempted before -EBUSY */
#define LINK_NAME	"/memfd:" PAUSE_STATS_NAME " (deleted)"

_Static_assert(sizeof(struct pause_stats) % 8 == 0, "word copy needs 8-byte size");

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

int pause_page_check(const struct pause_stats *s, char *err, size_t errlen)
{
	uint64_t sum = s->reaped_exit_zero + s->reaped_exit_nonzero +
		       s->reaped_signaled + s->reaped_core_dumped;
	const uint32_t known = PAUSE_STATS_F_SUBREAPER | PAUSE_STATS_F_SECCOMP |
			       PAUSE_STATS_F_NO_NEW_PRIVS;

	if (s->magic != PAUSE_STATS_MAGIC)
		return fail(err, errlen, -EINVAL, "bad magic 0x%016" PRIx64, s->magic);
	if (s->abi_version != PAUSE_STATS_ABI)
		return fail(err, errlen, -EINVAL, "unknown abi_version %" PRIu32, s->abi_version);
	if (s->size < sizeof(*s) || s->size > PAUSE_STATS_PAGE || s->size % 8)
		return fail(err, errlen, -EINVAL, "bad size field %" PRIu32 " (want %zu..%u, multiple of 8)",
			    s->size, sizeof(*s), PAUSE_STATS_PAGE);
	if (s->mode != PAUSE_MODE_PAUSE && s->mode != PAUSE_MODE_INIT)
		return fail(err, errlen, -EINVAL, "bad mode %" PRIu32, s->mode);
	if (s->pid <= 0)
		return fail(err, errlen, -EINVAL, "bad pid %" PRId32, s->pid);
	if (s->mode == PAUSE_MODE_PAUSE ? s->child_pid != 0 : s->child_pid < 0)
		return fail(err, errlen, -EINVAL, "child_pid %" PRId32 " impossible in this mode",
			    s->child_pid);
	if (s->flags & ~known)
		return fail(err, errlen, -EINVAL, "unknown flags 0x%" PRIx32, s->flags);
	if (!s->start_time_ns)
		return fail(err, errlen, -EINVAL, "start_time_ns is 0");
	/* the sum cannot overflow into a match: each term is a count of reaps */
	if (sum != s->reaped_total || sum < s->reaped_exit_zero || sum < s->reaped_signaled)
		return fail(err, errlen, -EINVAL, "reaped_total %" PRIu64 " != sum of outcomes %" PRIu64,
			    s->reaped_total, sum);
	if (s->last_reap.pid < 0 || (s->reaped_total == 0) != (s->last_reap.pid == 0))
		return fail(err, errlen, -EINVAL, "last_reap.pid %" PRId32 " inconsistent with %" PRIu64 " reaps",
			    s->last_reap.pid, s->reaped_total);
	if (s->signals[0])
		return fail(err, errlen, -EINVAL, "signals[0] is not 0");
	if (s->drain_runs > 1 || s->drain_exited_on_term > s->drain_sent_term)
		return fail(err, errlen, -EINVAL, "drain counters inconsistent (runs %" PRIu64
			    ", sent %" PRIu64 ", exited %" PRIu64 ")", s->drain_runs,
			    s->drain_sent_term, s->drain_exited_on_term);
	if (!s->drain_runs && (s->drain_sent_term || s->drain_killed))
		return fail(err, errlen, -EINVAL, "drain counters set but drain never ran");
	if (s->mode == PAUSE_MODE_PAUSE && (s->signals_forwarded || s->drain_runs))
		return fail(err, errlen, -EINVAL, "init-mode counters set in pause mode");
	return 0;
}

/*
 * Seqlock read: seq even (acquire), copy the words, acquire fence, seq
 * unchanged.  Word-sized relaxed atomic loads keep the copy free of torn
 * words and of C data races.  Bounded: a hostile writer keeping seq odd or
 * moving costs us SEQ_RETRIES copies, then -EBUSY.
 */
static int seq_copy(const struct pause_stats *page, struct pause_stats *out)
{
	const uint64_t *src = (const uint64_t *)page;
	uint64_t *dst = (uint64_t *)out, s1, s2;
	size_t i;
	int tries;

	for (tries = 0; tries < SEQ_RETRIES; tries++) {
		if (tries && tries % 100 == 0)
			sched_yield();
		s1 = __atomic_load_n(&page->seq, __ATOMIC_ACQUIRE);
		if (s1 & 1)
			continue;
		for (i = 0; i < sizeof(*out) / 8; i++)
			dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&page->seq, __ATOMIC_RELAXED);
		if (s1 == s2)
			return 0;
	}
	return -EBUSY;
}

/* Map one candidate fd and read it.  fd is ours (opened O_RDONLY). */
static int read_fd(int fd, struct pause_stats *out, char *err, size_t errlen)
{
	const struct pause_stats *page;
	struct stat st;
	int seals, rc;

	if (fstat(fd, &st) < 0)
		return fail(err, errlen, -errno, "fstat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size != PAUSE_STATS_PAGE)
		return fail(err, errlen, -EINVAL, "not a %u-byte regular file (size %lld)",
			    PAUSE_STATS_PAGE, (long long)st.st_size);
	/* unsealed, the owner could shrink it while we read: SIGBUS here */
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_SHRINK | F_SEAL_GROW))
		return fail(err, errlen, -EINVAL, "memfd not sealed against shrink/grow (seals 0x%x)",
			    seals < 0 ? 0 : seals);
	page = mmap(NULL, PAUSE_STATS_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (page == MAP_FAILED)
		return fail(err, errlen, -errno, "mmap: %s", strerror(errno));
	/* header first: do not trust anything else of a page that is not ours */
	if (page->magic != PAUSE_STATS_MAGIC || page->abi_version != PAUSE_STATS_ABI) {
		rc = fail(err, errlen, -EINVAL, "not a pause counters page (magic 0x%016" PRIx64
			  ", abi %" PRIu32 ")", page->magic, page->abi_version);
		goto out;
	}
	rc = seq_copy(page, out);
	if (rc) {
		fail(err, errlen, rc, "seqlock never settled (seq %" PRIu64 ")",
		     __atomic_load_n(&page->seq, __ATOMIC_RELAXED));
		goto out;
	}
	rc = pause_page_check(out, err, errlen);
out:
	munmap((void *)page, PAUSE_STATS_PAGE);
	return rc;
}

static int open_candidate(int dirfd, const char *name)
{
	char link[64];
	ssize_t n;

	n = readlinkat(dirfd, name, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = 0;
	if (strcmp(link, LINK_NAME))
		return -1;
	/* through the magic link: a new read-only open of the same memfd */
	return openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
}

int pause_page_read(pid_t host_pid, struct pause_stats *out, char *err, size_t errlen)
{
	char path[64];
	struct dirent *de;
	int rc = -ENOENT, found = 0, dfd, fd;
	DIR *d;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = 0;
	if (host_pid <= 0)
		return fail(err, errlen, -ENOENT, "bad pid %d", (int)host_pid);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)host_pid);
	d = opendir(path);
	if (!d) {
		rc = -errno;
		if (rc == -ENOENT || rc == -ESRCH)
			return fail(err, errlen, -ENOENT, "no process %d", (int)host_pid);
		return fail(err, errlen, rc, "cannot read %s: %s%s", path, strerror(-rc),
			    rc == -EACCES || rc == -EPERM ? " (needs root or the same user)" : "");
	}
	dfd = dirfd(d);
	/* a compromised pause could hold several: the first valid one wins */
	while ((de = readdir(d))) {
		struct pause_stats tmp;
		char why[160] = "";

		fd = open_candidate(dfd, de->d_name);
		if (fd < 0)
			continue;
		found = 1;
		rc = read_fd(fd, &tmp, why, sizeof(why));
		close(fd);
		if (rc == 0) {
			*out = tmp;
			break;
		}
		fail(err, errlen, rc, "pid %d fd %s: %s", (int)host_pid, de->d_name, why);
	}
	closedir(d);
	if (!found)
		return fail(err, errlen, -ENOENT, "process %d has no counters page (no fd -> %s)",
			    (int)host_pid, LINK_NAME);
	return rc;
}

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
		"\"no_new_privs\":%s}",
		s->abi_version, s->size, s->seq, s->start_time_ns,
		s->mode == PAUSE_MODE_INIT ? "init" : "pause", s->pid, s->child_pid,
		s->flags & PAUSE_STATS_F_SUBREAPER ? "true" : "false",
		s->flags & PAUSE_STATS_F_SECCOMP ? "true" : "false",
		s->flags & PAUSE_STATS_F_NO_NEW_PRIVS ? "true" : "false");
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
		",\"drain_killed\":%" PRIu64 "}",
		s->signals_forwarded, s->drain_runs, s->drain_sent_term,
		s->drain_exited_on_term, s->drain_killed);
}
