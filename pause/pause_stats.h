/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause_stats.h — the pause counters page: one sealed 4 KiB memfd named
 * "pause-stats" that pause writes and pausewatch's collector reads through
 * /proc/PID/fd/N.  This header is the whole ABI; docs/counters-page.md
 * explains it for humans.  Shared by pause/ (writer) and userspace/ (reader).
 *
 * Rules of the ABI:
 *  - Fixed-width little-endian-native fields, no pointers, no padding holes
 *    (checked with _Static_assert below).
 *  - A reader checks magic, abi_version and size before anything else and
 *    treats every value as untrusted: the page is written from inside a
 *    container.
 *  - Consistency is a sequence lock: the writer makes seq odd, writes, then
 *    makes it even again.  A reader copies the page between two equal, even
 *    reads of seq (bounded retries).
 *  - New fields are only ever appended; size grows and abi_version stays 1
 *    unless an existing field changes meaning.
 */
#ifndef PAUSE_STATS_H
#define PAUSE_STATS_H

#include <stdint.h>

#define PAUSE_STATS_NAME	"pause-stats"	/* memfd name; /proc shows "/memfd:pause-stats (deleted)" */
#define PAUSE_STATS_MAGIC	0x5354415453505750ULL	/* "PWPSTATS" read as little-endian bytes */
#define PAUSE_STATS_ABI		1u
#define PAUSE_STATS_PAGE	4096u	/* the memfd is exactly this size, sealed */
#define PAUSE_STATS_NSIG	65	/* signals[] index is the signal number 1..64; [0] unused */

enum pause_stats_mode {
	PAUSE_MODE_PAUSE = 0,	/* no command: sleep and reap (Kubernetes sandbox) */
	PAUSE_MODE_INIT = 1,	/* pause -- CMD: run, forward signals, exit with its status */
};

struct pause_stats_reap {
	int32_t pid;		/* pid as pause sees it (its own PID namespace); 0 = none yet */
	int32_t status;		/* raw wait status (use WIFEXITED & co.) */
	uint64_t time_ns;	/* CLOCK_REALTIME of the reap, ns since the epoch */
};

struct pause_stats {
	/* header: never moves */
	uint64_t magic;			/* PAUSE_STATS_MAGIC */
	uint32_t abi_version;		/* PAUSE_STATS_ABI */
	uint32_t size;			/* sizeof(struct pause_stats) of the writer */
	uint64_t seq;			/* sequence lock: odd while being written */

	/* identity */
	uint64_t start_time_ns;		/* CLOCK_REALTIME when pause started */
	uint32_t mode;			/* enum pause_stats_mode */
	int32_t pid;			/* pause's pid in its own namespace (1 as an init) */
	int32_t child_pid;		/* init mode: the main child's pid; 0 in pause mode */
	uint32_t flags;			/* PAUSE_STATS_F_* */

	/* reaping */
	uint64_t reaped_total;		/* every child pause collected with wait */
	uint64_t reaped_exit_zero;	/* exited with status 0 */
	uint64_t reaped_exit_nonzero;	/* exited with status 1..255 */
	uint64_t reaped_signaled;	/* killed by a signal, no core dump */
	uint64_t reaped_core_dumped;	/* killed by a signal and dumped core */
	struct pause_stats_reap last_reap;

	/* signals pause itself received, by number (SIGCHLD included) */
	uint64_t signals[PAUSE_STATS_NSIG];
	uint64_t signals_forwarded;	/* init mode: forwarded to the child (or its group) */

	/* drain (init mode --grace): what happened to the processes left behind */
	uint64_t drain_runs;		/* times the drain ran (0 or 1) */
	uint64_t drain_sent_term;	/* processes sent SIGTERM */
	uint64_t drain_exited_on_term;	/* of those, gone before the grace ran out */
	uint64_t drain_killed;		/* still there after the grace: SIGKILLed */

	/* appended (size 672): readers check it only when size covers it */
	uint64_t drain_found;		/* processes the drain found left, over its two looks
					 * (before SIGTERM, after the grace): sent_term and
					 * killed are never more */
};

#define PAUSE_STATS_F_SUBREAPER	 0x1u	/* not PID 1: registered as child subreaper */
#define PAUSE_STATS_F_SECCOMP	 0x2u	/* seccomp allow-list active */
#define PAUSE_STATS_F_NO_NEW_PRIVS 0x4u	/* PR_SET_NO_NEW_PRIVS set */
#define PAUSE_STATS_F_NO_CAPS	 0x8u	/* pause mode: no capability left (effective, permitted,
					 * inheritable, ambient; the bounding set too when pause
					 * had CAP_SETPCAP, i.e. ran as root) */

/* The first ABI 1 layout ended before drain_found: the smallest size a reader accepts. */
#define PAUSE_STATS_SIZE_V1	__builtin_offsetof(struct pause_stats, drain_found)
_Static_assert(PAUSE_STATS_SIZE_V1 == 664, "the first layout is 664 bytes");

_Static_assert(sizeof(struct pause_stats) <= PAUSE_STATS_PAGE, "counters page overflow");
_Static_assert(sizeof(struct pause_stats) % 8 == 0, "counters page must be 8-byte sized");
_Static_assert(__builtin_offsetof(struct pause_stats, seq) == 16, "header moved");

#endif /* PAUSE_STATS_H */
