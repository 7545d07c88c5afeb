/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause_page.h — read a pause's counters page (pause/pause_stats.h) from the
 * host, validating everything: the page is written from inside a container
 * and is untrusted (docs/SECURITY.md).  No libbpf; used by pausestat and the
 * collector.
 *
 * No call here can fault or block on what a container controls:
 *  - a candidate fd is proven to be a sealed 4096-byte memfd before it is
 *    opened for reading: an O_PATH open (which opens nothing: a FIFO or a
 *    device node posing as the page is never opened), its mount must be the
 *    kernel's internal memfd mount (/proc/self/fdinfo mnt_id: checked before
 *    any call that could reach a filesystem such as FUSE), a regular file on
 *    tmpfs (fstat, fstatfs); then the owner's own open file is taken with
 *    pidfd_getfd and proven the same inode — nothing is opened, so neither a
 *    lease nor an unanswered fanotify permission event can make it wait
 *    (without pidfd_getfd, < 5.6 or a ptrace policy that refuses it: a
 *    non-blocking re-open of the O_PATH fd, which a lease cannot hold but a
 *    permission event can), its seals read before its size (seals
 *    cannot be removed, so a size checked after SHRINK|GROW can never change:
 *    no SIGBUS), and only then a read-only mapping;
 *  - the work per pid is bounded whatever its fd count: fds 3..7 are looked
 *    at first (a pause's page is its first fd after stdio and its signalfd),
 *    then at most PAUSE_PAGE_SCAN_MAX directory entries of /proc/PID/fd, and
 *    at most PAUSE_PAGE_CANDIDATES_MAX fds named like a page are proven;
 *  - the seqlock copy is bounded (1000 tries, then -EBUSY).
 */
#ifndef PW_PAUSE_PAGE_H
#define PW_PAUSE_PAGE_H

#include <stdio.h>
#include <sys/types.h>

#include "pause_stats.h"

#define PAUSE_PAGE_PROBE_FIRST		3	/* fds looked at by number first */
#define PAUSE_PAGE_PROBE_LAST		7
#define PAUSE_PAGE_SCAN_MAX		256	/* then: /proc/PID/fd entries, at most */
#define PAUSE_PAGE_CANDIDATES_MAX	4	/* fds named like a page proven, at most */

/*
 * Find the memfd "pause-stats" of host process host_pid, prove it (see
 * above), copy it under its seqlock and validate the copy
 * (pause_page_check).  *out is zeroed first, then filled only on success.
 * Returns:
 *   0        ok
 *   -ENOENT  no such process, or it has no counters page (among the fds
 *            looked at: see the bounds above)
 *   -EAGAIN  a page is there but not ready yet: pause is creating it (not
 *            sized, not sealed, header or first publish not written yet).
 *            Try again in a moment.
 *   -EACCES / -EPERM   /proc/PID/fd cannot be read (not root? missing
 *            CAP_SYS_PTRACE / CAP_DAC_READ_SEARCH?)
 *   -EINVAL  a page was found but failed validation (err says which check)
 *   -EBUSY   the seqlock never settled (writer stuck mid-update), or (only
 *            on kernels without pidfd_getfd, or where ptrace policy refuses
 *            it) the page is leased by its owner (a pause never does that)
 *   other -errno from open/mmap
 * err (may be NULL) gets a one-line human explanation on failure ("" on
 * success).  err never contains bytes read from the page or the container.
 */
int pause_page_read(pid_t host_pid, struct pause_stats *out, char *err, size_t errlen);

/*
 * A proven page kept mapped, for a reader that takes snapshots again and
 * again (the collector): find + prove + map once, then copy each snapshot
 * with no syscall in the common case (a contended seqlock yields the CPU
 * after 100 tries).  The mapping stays valid (and keeps its last values)
 * after the process exits: the caller closes it when the namespace's init
 * changes or goes.
 */
struct pause_page;

/* Same return codes as pause_page_read(); on 0, *out is a page that has
 * already passed one copy + validation.  On failure *out is NULL. */
int pause_page_open(pid_t host_pid, struct pause_page **out, char *err, size_t errlen);

/* Seqlock copy + pause_page_check into *out (zeroed on failure).  Returns
 * 0, -EAGAIN, -EINVAL or -EBUSY as pause_page_read(). */
int pause_page_copy(const struct pause_page *pg, struct pause_stats *out, char *err, size_t errlen);

/* Unmap and free; NULL is fine. */
void pause_page_close(struct pause_page *pg);

/* Host pid and fd number the page was found at (for messages). */
pid_t pause_page_pid(const struct pause_page *pg);
int pause_page_fdnum(const struct pause_page *pg);

/*
 * Validate a copied page: 0, -EAGAIN (a page in creation: header not
 * written, or never published: seq 0) or -EINVAL with err naming the check.
 * Pure (no syscalls): exposed for tests, the fuzzer and readers that get
 * pages elsewhere.  Every check is overflow-free; docs/counters-page.md
 * lists them.
 */
int pause_page_check(const struct pause_stats *s, char *err, size_t errlen);

/* Print *s as one JSON object (no trailing newline).  "signals" maps
 * "SIGHUP"... (or "SIG34"...) to counts, only non-zero ones. */
void pause_page_json(FILE *f, const struct pause_stats *s);

/* "SIGTERM", "SIGRTMIN+3" style name for 1..64 into buf. */
const char *pause_page_signame(int sig, char *buf, size_t len);

#endif
