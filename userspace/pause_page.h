/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause_page.h — read a pause's counters page (pause/pause_stats.h) from the
 * host, validating everything: the page is written from inside a container
 * and is untrusted.  No libbpf; used by pausestat and the collector.
 */
#ifndef PW_PAUSE_PAGE_H
#define PW_PAUSE_PAGE_H

#include <stdio.h>
#include <sys/types.h>

#include "pause_stats.h"

/*
 * Find the memfd "pause-stats" among /proc/PID/fd, open it read-only through
 * /proc/PID/fd/N, check it (regular file of exactly 4096 bytes, sealed
 * against shrink and grow, magic, abi, size), copy it under its seqlock and
 * sanity-check the copy.  *out is zeroed first, then filled only on success.
 * Returns:
 *   0        ok
 *   -ENOENT  no such process, or it has no counters page
 *   -EACCES / -EPERM   /proc/PID/fd cannot be read (not root? other userns?)
 *   -EINVAL  a page was found but failed validation (err says which check)
 *   -EBUSY   the seqlock never settled (writer stuck mid-update)
 *   other -errno from open/mmap
 * err (may be NULL) gets a one-line human explanation on failure.
 */
int pause_page_read(pid_t host_pid, struct pause_stats *out, char *err, size_t errlen);

/* Validate a copied page (the checks after the seqlock); 0 or -EINVAL with
 * err set.  Exposed for tests and for readers that get pages elsewhere. */
int pause_page_check(const struct pause_stats *s, char *err, size_t errlen);

/* Print *s as one JSON object (no trailing newline).  "signals" maps
 * "SIGHUP"... (or "SIG34"...) to counts, only non-zero ones. */
void pause_page_json(FILE *f, const struct pause_stats *s);

/* "SIGTERM", "SIGRTMIN+3" style name for 1..64 into buf. */
const char *pause_page_signame(int sig, char *buf, size_t len);

#endif
