// SPDX-License-Identifier: Apache-2.0
/*
 * privs.c — drop pausetop's capabilities after loading (privs.h).
 *
 * Raw capget/capset (no libcap): the kernel's v3 ABI, two 32-bit words per
 * set.  Order matters: the bounding set is cleared while CAP_SETPCAP is
 * still effective, the ambient set before the permitted set shrinks, and
 * no_new_privs last; then everything is read back and checked.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "privs.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif
#ifndef CAP_BPF
#define CAP_BPF		39
#endif

#define BIT(c)	(1ULL << (c))

/* What each kept capability is for, in the words of the error message. */
static const struct {
	int cap;
	const char *name, *why;
	unsigned int need;	/* 0: always; else a PW_PRIVS_* bit */
} kept[] = {
	{ CAP_SYS_PTRACE, "CAP_SYS_PTRACE", "to read other users' /proc/PID/fd (pause counters "
	  "pages) and /proc/PID/ns/uts", 0 },
	{ CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH", "to search /proc/PID/fd of processes "
	  "running as other users (a pause runs as 65535)", 0 },
	{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN", "to enter UTS namespaces for hostnames "
	  "(--no-attribution does without)", PW_PRIVS_HOSTNAME },
};

__attribute__((format(printf, 4, 5)))
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static int caps_get(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 }, { 0 } };

	*eff = *prm = *inh = 0;
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	*prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	*inh = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	return 0;
}

static int caps_set(uint64_t keep)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ .effective = (uint32_t)keep, .permitted = (uint32_t)keep },
		{ .effective = (uint32_t)(keep >> 32), .permitted = (uint32_t)(keep >> 32) },
	};

	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static int last_cap(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC), n = 40;

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			n = (int)strtol(buf, NULL, 10);
		close(fd);
	}
	return n > 0 && n < 64 ? n : 40;
}

/* More than one thread: capsets are per thread, some would keep theirs. */
static int threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The capabilities to keep, or -EPERM naming the first one missing. */
static int keep_set(unsigned int needs, uint64_t eff, int last, uint64_t *keep, char *err,
		    size_t errlen)
{
	*keep = 0;
	if (needs & PW_PRIVS_NONE)
		return 0;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		if (kept[i].need && !(needs & kept[i].need))
			continue;
		if (!(eff & BIT(kept[i].cap)))
			return fail(err, errlen, -EPERM, "missing capability %s, needed after loading %s: "
				    "run as root or grant it", kept[i].name, kept[i].why);
		*keep |= BIT(kept[i].cap);
	}
	/* bpf() after loading: CAP_BPF, or CAP_SYS_ADMIN which implies it */
	if (last >= CAP_BPF && (eff & BIT(CAP_BPF)))
		*keep |= BIT(CAP_BPF);
	else if (!(*keep & BIT(CAP_SYS_ADMIN)))
		return fail(err, errlen, -EPERM, "missing capability CAP_BPF, kept after loading on "
			    "every kernel for map reads and the task walk (before 6.5, with "
			    "kernel.unprivileged_bpf_disabled, every bpf() command needs it): run as root "
			    "or grant it");
	return 0;
}

static int clear_bounding(uint64_t eff, int last, char *err, size_t errlen)
{
	if (!(eff & BIT(CAP_SETPCAP)))
		return 0;	/* cannot: no_new_privs still holds it back */
	for (int c = 0; c <= last; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1 && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return fail(err, errlen, -errno, "dropping capability %d from the bounding set: %s",
				    c, strerror(errno));
	return 0;
}

/* Read it all back: what we said is what the kernel has. */
static int verify(uint64_t keep, bool bounding_cleared, int last, char *err, size_t errlen)
{
	uint64_t eff, prm, inh;
	int rc = caps_get(&eff, &prm, &inh);

	if (rc)
		return fail(err, errlen, rc, "capget: %s", strerror(-rc));
	if (eff != keep || prm != keep || inh)
		return fail(err, errlen, -EIO, "capabilities not dropped (effective %#llx, permitted "
			    "%#llx, inheritable %#llx, want %#llx)", (unsigned long long)eff,
			    (unsigned long long)prm, (unsigned long long)inh, (unsigned long long)keep);
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return fail(err, errlen, -EIO, "no_new_privs not set");
	for (int c = 0; bounding_cleared && c <= last; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 0)
			return fail(err, errlen, -EIO, "capability %d still in the bounding set", c);
	return 0;
}

int pw_privs_drop_to(unsigned int needs, char *err, size_t errlen)
{
	uint64_t eff, prm, inh, keep;
	int last = last_cap(), n = threads(), rc;

	if (err && errlen)
		err[0] = '\0';
	if (n != 1)
		return fail(err, errlen, -EBUSY, "dropping privileges needs a single thread (%d found): "
			    "capabilities are per thread", n);
	rc = caps_get(&eff, &prm, &inh);
	if (rc)
		return fail(err, errlen, rc, "capget: %s", strerror(-rc));
	rc = keep_set(needs, eff, last, &keep, err, errlen);
	if (rc)
		return rc;
	rc = clear_bounding(eff, last, err, errlen);
	if (rc)
		return rc;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return fail(err, errlen, -errno, "clearing the ambient set: %s", strerror(errno));
	rc = caps_set(keep);
	if (rc)
		return fail(err, errlen, rc, "capset: %s", strerror(-rc));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(err, errlen, -errno, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	return verify(keep, eff & BIT(CAP_SETPCAP), last, err, errlen);
}

int pw_privs_drop(char *err, size_t errlen)
{
	return pw_privs_drop_to(PW_PRIVS_DEFAULT, err, errlen);
}
