/* SPDX-License-Identifier: Apache-2.0 */
/* userspace/attrib.c — attribute a PID namespace to a process / container /
 * pod from its init's host pid.  See attrib.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "attrib.h"

#ifdef PW_ATTRIB_TEST_HOOKS
int (*pw_attrib_setns_hook)(int fd, int nstype);
#endif

static int do_setns(int fd, int nstype)
{
#ifdef PW_ATTRIB_TEST_HOOKS
	if (pw_attrib_setns_hook)
		return pw_attrib_setns_hook(fd, nstype);
#endif
	return setns(fd, nstype);
}

/* ---- small helpers --------------------------------------------------- */

static void copy_str(char *dst, size_t dstlen, const char *src, size_t n)
{
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A file under /proc/PID that vanishes means the task is gone.  Always < 0. */
static int gone_errno(int err)
{
	return err == ENOENT ? -ESRCH : err > 0 ? -err : -EIO;
}

/*
 * Read up to len bytes of PIDDIR/name into buf, how many into *got.  0, or
 * -errno with *got = 0.  The count is separate from the error, and 0 on
 * every failure, so no error value can ever pass for a count of bytes that
 * were never read into buf.
 */
static int read_at(int piddir, const char *name, char *buf, size_t len, size_t *got)
{
	size_t n = 0;
	int fd, err = 0;

	*got = 0;
	fd = openat(piddir, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gone_errno(errno);
	while (n < len) {
		ssize_t r = read(fd, buf + n, len - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = gone_errno(errno);
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!err)
		*got = n;
	return err;
}

static int open_piddir(pid_t pid)
{
	char path[32];
	int fd;

	if (pid <= 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? gone_errno(errno) : fd;
}

/* ---- cmdline --------------------------------------------------------- */

size_t pw_cmdline_format(const char *raw, size_t n, bool more, char *out,
			 size_t outlen)
{
	size_t o = 0, i;

	/* argv ends with a NUL; a process that rewrote its title may pad
	 * with several.  Drop them all before joining. */
	while (n && raw[n - 1] == '\0')
		n--;
	for (i = 0; i < n && o + 1 < outlen; i++) {
		unsigned char c = (unsigned char)raw[i];

		out[o++] = c == '\0' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[o] = '\0';
	if (i == n && !more)
		return o;

	/* Did not fit: make room for "...", and do not leave a partial UTF-8
	 * sequence in front of it (the cut, or the end of what we read, may
	 * fall inside one): find the last lead byte, drop it if incomplete. */
	if (o + 4 > outlen)
		o = outlen - 4;
	for (size_t k = o; k > 0 && o - k < 4; k--) {
		unsigned char b = (unsigned char)raw[k - 1];
		size_t len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;

		if ((b & 0xc0) == 0x80)
			continue;
		if (k - 1 + len > o)
			o = k - 1;
		break;
	}
	memcpy(out + o, "...", 4);
	return o + 3;
}

static int read_cmdline(int piddir, struct pw_attrib *out)
{
	char raw[1024];
	size_t n;
	int err = read_at(piddir, "cmdline", raw, sizeof(raw), &n);

	if (err)
		return err;
	pw_cmdline_format(raw, n, n == sizeof(raw), out->cmdline, sizeof(out->cmdline));
	return 0;
}

static int read_comm(int piddir, struct pw_attrib *out)
{
	char raw[64];
	size_t n;
	int err = read_at(piddir, "comm", raw, sizeof(raw), &n);

	if (err)
		return err;
	if (n && raw[n - 1] == '\n')
		n--;
	copy_str(out->comm, sizeof(out->comm), raw, n);
	return 0;
}

/* ---- cgroup path parsing --------------------------------------------- */

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool starts(const char *c, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);

	return n >= p && memcmp(c, prefix, p) == 0;
}

static bool eq(const char *c, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(c, s, n) == 0;
}

/* c == prefix + <64 hex> + suffix ?  Then *id points at the hex. */
static bool affix_id(const char *c, size_t n, const char *prefix,
		     const char *suffix, const char **id)
{
	size_t p = strlen(prefix), s = strlen(suffix);

	if (n != p + 64 + s || memcmp(c, prefix, p) ||
	    memcmp(c + p + 64, suffix, s) || !is_hex(c + p, 64))
		return false;
	*id = c + p;
	return true;
}

/* Pod UID: 36 chars 8-4-4-4-12 (sep '-' or, in systemd slice names, '_'),
 * or the 32-hex config hash kubelet uses as UID of static pods. */
static bool pod_uid(const char *u, size_t n, char *dst)
{
	if (n == 32 && is_hex(u, 32)) {
		copy_str(dst, 37, u, 32);
		return true;
	}
	if (n != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? (u[i] != '-' && u[i] != '_') : !is_hex(u + i, 1))
			return false;
	}
	copy_str(dst, 37, u, 36);
	for (size_t i = 0; i < 36; i++)
		if (dst[i] == '_')
			dst[i] = '-';
	return true;
}

/* pod<uid> (cgroupfs) or kubepods[-besteffort|-burstable]-pod<uid_>.slice */
static bool pod_component(const char *c, size_t n, char *dst)
{
	static const char *slices[] = { "kubepods-pod", "kubepods-besteffort-pod",
					"kubepods-burstable-pod" };

	if (starts(c, n, "pod"))
		return pod_uid(c + 3, n - 3, dst);
	if (n < 6 || memcmp(c + n - 6, ".slice", 6))
		return false;
	for (size_t i = 0; i < sizeof(slices) / sizeof(slices[0]); i++) {
		size_t p = strlen(slices[i]);

		if (starts(c, n, slices[i]))
			return pod_uid(c + p, n - 6 - p, dst);
	}
	return false;
}

/* Runtime whose container cgroup c is, or NULL.  prev: the parent
 * component; prev_pod: the parent is a pod cgroup. */
static const char *container_component(const char *c, size_t n,
				       const char *prev, size_t prevn,
				       bool prev_pod, const char **id)
{
	if (affix_id(c, n, "docker-", ".scope", id))
		return "docker";
	if (affix_id(c, n, "cri-containerd-", ".scope", id))
		return "containerd";
	/* conmon, the container monitor, lives in a sibling cgroup named
	 * crio-conmon-<id> / libpod-conmon-<id>: it is not the container (the
	 * hex check would reject it anyway; say so explicitly). */
	if (!starts(c, n, "crio-conmon-") &&
	    (affix_id(c, n, "crio-", ".scope", id) || affix_id(c, n, "crio-", "", id)))
		return "cri-o";
	if (!starts(c, n, "libpod-conmon-") &&
	    (affix_id(c, n, "libpod-", ".scope", id) || affix_id(c, n, "libpod-", "", id)))
		return "podman";
	if (!affix_id(c, n, "", "", id))
		return NULL;
	if (prev && eq(prev, prevn, "docker"))
		return "docker";
	/* The cgroupfs driver does not name the runtime under a pod;
	 * containerd is the one that uses bare ids there. */
	if (prev_pod)
		return "containerd";
	return NULL;
}

int pw_cgroup_parse(const char *path, struct pw_attrib *out)
{
	const char *prev = NULL, *p = path;
	size_t prevn = 0;
	bool prev_pod = false, found = false;

	out->container_id[0] = out->runtime[0] = out->pod_uid[0] = '\0';
	if (!path)
		return 0;
	/* Walk the components; the deepest match wins. */
	while (*p) {
		const char *c = p, *id, *rt;
		size_t n = strcspn(p, "/");
		char uid[37];

		p += n + (p[n] == '/');
		if (!n)
			continue;
		rt = container_component(c, n, prev, prevn, prev_pod, &id);
		if (rt) {
			copy_str(out->container_id, sizeof(out->container_id), id, 64);
			copy_str(out->runtime, sizeof(out->runtime), rt, strlen(rt));
			found = true;
		}
		prev_pod = pod_component(c, n, uid);
		if (prev_pod)
			memcpy(out->pod_uid, uid, sizeof(uid));
		prev = c;
		prevn = n;
	}
	return found;
}

/* ---- /proc/PID/cgroup ------------------------------------------------ */

#define MAX_CG_LINES 64

struct cg_line {
	const char *ctrl;	/* "" for the v2 line, "pids", "cpu,cpuacct", ... */
	const char *path;
};

static bool has_ctrl(const char *list, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, want, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* Split "N:ctrl:path\n" lines in place. */
static int split_cgroup(char *buf, struct cg_line *lines)
{
	int nl = 0;

	for (char *s = buf, *next; *s && nl < MAX_CG_LINES; s = next) {
		char *c1, *c2;

		next = s + strcspn(s, "\n");
		if (*next)
			*next++ = '\0';
		c1 = strchr(s, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		lines[nl].ctrl = c1 + 1;
		lines[nl].path = c2 + 1;
		nl++;
	}
	return nl;
}

static void set_cgroup_path(struct pw_attrib *out, const char *path)
{
	size_t n = strlen(path), room = sizeof(out->cgroup) - 1;

	/* The container part is at the end: keep the tail of a long path. */
	if (n <= room) {
		memcpy(out->cgroup, path, n + 1);
		return;
	}
	memcpy(out->cgroup, "...", 3);
	memcpy(out->cgroup + 3, path + n - (room - 3), room - 3 + 1);
}

/* 0: the v2 line, 1..4: the v1 hierarchies most likely to carry the
 * container's cgroup, 5: any other v1 line. */
static int cg_rank(const struct cg_line *l)
{
	static const char *pref[] = { "pids", "memory", "cpu", "name=systemd" };

	if (!l->ctrl[0])
		return 0;
	for (int i = 0; i < 4; i++)
		if (has_ctrl(l->ctrl, pref[i]))
			return i + 1;
	return 5;
}

static void pick_cgroup(const struct cg_line *lines, int nl, struct pw_attrib *out)
{
	const struct cg_line *fallback = NULL;
	struct pw_attrib tmp;

	for (int rank = 0; rank <= 5; rank++) {
		for (int i = 0; i < nl; i++) {
			if (cg_rank(&lines[i]) != rank)
				continue;
			if (!fallback && (rank == 0 || rank == 4))
				fallback = &lines[i];
			if (!pw_cgroup_parse(lines[i].path, &tmp))
				continue;
			memcpy(out->container_id, tmp.container_id, sizeof(tmp.container_id));
			memcpy(out->runtime, tmp.runtime, sizeof(tmp.runtime));
			memcpy(out->pod_uid, tmp.pod_uid, sizeof(tmp.pod_uid));
			set_cgroup_path(out, lines[i].path);
			return;
		}
	}
	/* No container: report the v2 path, else systemd's, else the first. */
	if (!fallback && nl)
		fallback = &lines[0];
	if (fallback) {
		set_cgroup_path(out, fallback->path);
		pw_cgroup_parse(fallback->path, &tmp);
		memcpy(out->pod_uid, tmp.pod_uid, sizeof(tmp.pod_uid));
	}
}

static int read_cgroup(int piddir, struct pw_attrib *out)
{
	struct cg_line lines[MAX_CG_LINES];
	size_t cap = 8192, n;
	char *buf = NULL;
	int err;

	/* Read the whole file; if it filled the buffer, grow and re-read. */
	for (;;) {
		char *nbuf = realloc(buf, cap);

		if (!nbuf) {
			free(buf);
			return -ENOMEM;
		}
		buf = nbuf;
		err = read_at(piddir, "cgroup", buf, cap - 1, &n);
		if (err || n < cap - 1 || cap >= (1 << 20))
			break;
		cap *= 2;
	}
	if (!err) {
		buf[n] = '\0';
		pick_cgroup(lines, split_cgroup(buf, lines), out);
	}
	free(buf);
	return err;
}

/* ---- UTS hostname ---------------------------------------------------- */

/* fd of this thread's own UTS namespace, held while a return failed. */
static __thread int stranded_fd = -1;

static int setns_back(int own)
{
	for (int i = 0; i < 3; i++)
		if (do_setns(own, CLONE_NEWUTS) == 0)
			return 0;
	return -1;
}

static int copy_nodename(const struct utsname *u, char *buf, size_t len)
{
	size_t n = strlen(u->nodename);

	if (!len)
		return -ERANGE;
	copy_str(buf, len, u->nodename, n);
	return n >= len ? -ERANGE : 0;
}

static int uts_hostname_at(int piddir, char *buf, size_t len)
{
	struct stat own_st, st;
	struct utsname u;
	int own = -1, tgt = -1, err = 0;

	if (len)
		buf[0] = '\0';
	/* An earlier return failed: this thread is still elsewhere. */
	if (stranded_fd >= 0) {
		if (setns_back(stranded_fd))
			return -ENOTRECOVERABLE;
		close(stranded_fd);
		stranded_fd = -1;
	}
	own = open("/proc/thread-self/ns/uts", O_RDONLY | O_CLOEXEC);
	if (own < 0)
		return -errno;
	tgt = openat(piddir, "ns/uts", O_RDONLY | O_CLOEXEC);
	if (tgt < 0) {
		err = gone_errno(errno);
		goto out;
	}
	if (fstat(own, &own_st) || fstat(tgt, &st)) {
		err = -errno;
		goto out;
	}
	if (own_st.st_dev == st.st_dev && own_st.st_ino == st.st_ino) {
		uname(&u);
		err = copy_nodename(&u, buf, len);
		goto out;
	}
	if (do_setns(tgt, CLONE_NEWUTS)) {
		err = -errno;
		goto out;
	}
	uname(&u);
	if (setns_back(own)) {
		/* Keep own fd for the retry in the next call. */
		stranded_fd = own;
		own = -1;
		copy_nodename(&u, buf, len);
		err = -ENOTRECOVERABLE;
		goto out;
	}
	err = copy_nodename(&u, buf, len);
out:
	if (tgt >= 0)
		close(tgt);
	if (own >= 0)
		close(own);
	return err;
}

int pw_uts_hostname(pid_t host_pid, char *buf, size_t len)
{
	int piddir = open_piddir(host_pid), err;

	if (len)
		buf[0] = '\0';
	if (piddir < 0)
		return piddir;
	err = uts_hostname_at(piddir, buf, len);
	close(piddir);
	return err;
}

/* ---- all together ---------------------------------------------------- */

int pw_attrib_read(pid_t host_pid, struct pw_attrib *out)
{
	return pw_attrib_read_flags(host_pid, out, 0);
}

int pw_attrib_read_flags(pid_t host_pid, struct pw_attrib *out, unsigned int flags)
{
	int piddir, err, first = 0;
	int (*steps[])(int, struct pw_attrib *) = { read_comm, read_cmdline,
						     read_cgroup, NULL };

	memset(out, 0, sizeof(*out));
	piddir = open_piddir(host_pid);
	if (piddir < 0)
		return piddir;
	for (int i = 0; steps[i]; i++) {
		err = steps[i](piddir, out);
		if (err && (!first || err == -ESRCH))
			first = err;
	}
	err = flags & PW_ATTRIB_NO_HOSTNAME ? 0 :
	      uts_hostname_at(piddir, out->hostname, sizeof(out->hostname));
	if (err && (!first || err == -ESRCH))
		first = err;
	close(piddir);
	return first;
}
