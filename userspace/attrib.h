/* SPDX-License-Identifier: Apache-2.0 */
/* userspace/attrib.h — who a PID namespace belongs to, from the host pid of
 * its init: comm, cmdline, UTS hostname, cgroup and the container runtime /
 * container id / Kubernetes pod UID recognised in it.  No libbpf. */
#ifndef PW_ATTRIB_H
#define PW_ATTRIB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pw_attrib {
	char comm[17];		/* /proc/PID/comm without newline (raw bytes) */
	char cmdline[256];	/* argv joined by single spaces; bytes < 0x20 and
				 * 0x7f replaced by '?'; if it does not fit (or
				 * is longer than we read) cut at a UTF-8
				 * boundary and ended with "..." */
	char hostname[65];	/* nodename of the process's UTS namespace */
	char cgroup[512];	/* the cgroup path used for attribution; a longer
				 * one keeps its tail: "..." + last 508 bytes */
	char container_id[65];	/* lowercase 64-hex container id, "" if none */
	char runtime[16];	/* "docker", "containerd", "cri-o", "podman", "" */
	char pod_uid[37];	/* Kubernetes pod UID ("-" separated, or the
				 * 32-hex hash of a static pod), "" if none */
};

/* Fill *out for host pid PID (out is zeroed first).  Returns 0, -ESRCH when
 * the process is gone or has exited (a zombie has no namespaces left), or the
 * first other -errno; every field that could be read is filled either way.
 * The reads go through one /proc/PID directory fd, so a recycled pid cannot
 * mix two processes' data: once the original exits, the result is -ESRCH.
 * Thread-safe (see pw_uts_hostname). */
int pw_attrib_read(pid_t host_pid, struct pw_attrib *out);

/* The same; with PW_ATTRIB_NO_HOSTNAME the hostname is left empty and no
 * setns is made (the collector reads nodenames in its BPF walk, which needs
 * no CAP_SYS_ADMIN). */
#define PW_ATTRIB_NO_HOSTNAME	0x1u
int pw_attrib_read_flags(pid_t host_pid, struct pw_attrib *out, unsigned int flags);

/* Pure: recognise a container in one cgroup path (as in /proc/PID/cgroup,
 * after "N:controllers:").  Resets and fills out->container_id, ->runtime and
 * ->pod_uid (nothing else).  Returns 1 if a container was recognised, else 0
 * (pod_uid may still be set, e.g. for a pod-level cgroup).  The deepest
 * container component wins (docker-in-docker, .../libpod-<id>.scope/container).
 *   docker      /docker/<id>, docker-<id>.scope
 *   containerd  cri-containerd-<id>.scope, /kubepods/.../pod<uid>/<id>
 *   cri-o       crio-<id>.scope, crio-<id>      (crio-conmon-<id> is not one)
 *   podman      libpod-<id>.scope, libpod-<id>  (libpod-conmon-<id> is not one)
 *   pod UID     pod<uid> (cgroupfs), kubepods[-<qos>]-pod<uid_>.slice (systemd,
 *               '_' → '-')
 * <id> must be exactly 64 lowercase hex digits. */
int pw_cgroup_parse(const char *path, struct pw_attrib *out);

/* Nodename of host_pid's UTS namespace into buf (always NUL-terminated when
 * len > 0).  Returns 0, -ESRCH (gone/exited), -ERANGE (truncated to fit),
 * -EPERM etc. from setns, or -ENOTRECOVERABLE (see below).
 *
 * How: if /proc/PID/ns/uts is the calling thread's own UTS namespace
 * (/proc/thread-self/ns/uts: per thread, not /proc/self which is the
 * thread-group leader's), uname().  Otherwise setns(CLONE_NEWUTS) on the
 * calling thread, uname(), setns back to a saved fd of the thread's own UTS
 * namespace.  The nsproxy is per task, so other threads of the process never
 * see the foreign namespace (tests/unit checks this).
 *
 * If the way back fails (it is retried 3 times), the thread stays in the
 * foreign namespace: the hostname is still returned in buf but the result is
 * -ENOTRECOVERABLE, and the saved fd is kept in a thread-local.  Every later
 * call on that thread first retries the return and keeps failing with
 * -ENOTRECOVERABLE until it succeeds, so the caller sees an error per call
 * instead of silently wrong hostnames.  A caller that cares can also stop
 * using the thread.  Only uname() runs inside the window (no allocation, no
 * fork), so nothing else of ours can observe the foreign namespace. */
int pw_uts_hostname(pid_t host_pid, char *buf, size_t len);

/* Pure helper used for cmdline: format the raw /proc/PID/cmdline bytes
 * (raw, n) into out (outlen > 4), see struct pw_attrib.cmdline.  more: the
 * file had more bytes than raw holds.  Returns strlen(out). */
size_t pw_cmdline_format(const char *raw, size_t n, bool more, char *out,
			 size_t outlen);

#ifdef PW_ATTRIB_TEST_HOOKS
/* Tests only: replaces setns(2) inside pw_uts_hostname (NULL = real one). */
extern int (*pw_attrib_setns_hook)(int fd, int nstype);
#endif

#endif
