/* SPDX-License-Identifier: Apache-2.0 */
/*
 * privs.h — least privilege for pausetop: once the BPF programs are loaded
 * and attached (pw_open), keep only the capabilities later snapshots use,
 * clear the bounding and ambient sets, set no_new_privs.
 *
 * What loading needs (pw_open; docs/SECURITY.md has the measurements):
 *   CAP_BPF + CAP_PERFMON   load tracing programs (tp_btf, raw_tp, the task
 *                           iterator), create maps; CAP_SYS_ADMIN implies both
 *   CAP_SYS_RESOURCE        only on kernels < 5.11 (maps charged to
 *                           RLIMIT_MEMLOCK; later kernels charge the memcg)
 *
 * What a snapshot needs, and so what pw_privs_drop() keeps:
 *   CAP_BPF              every bpf() command (map lookups, BPF_ITER_CREATE)
 *                        on kernels < 6.5 with kernel.unprivileged_bpf_disabled
 *                        (Debian's default); 6.5+ checks only at load.  Kept
 *                        when present (CAP_SYS_ADMIN covers it otherwise).
 *   CAP_SYS_PTRACE       ptrace-read access to other users' processes, and to
 *                        processes with capabilities we no longer have:
 *                        readlink and O_PATH open of /proc/PID/fd/N (the pause
 *                        counters page).
 *   CAP_DAC_READ_SEARCH  search/read /proc/PID/fd, a 0500 directory owned by
 *                        the process's uid (a pause runs as 65535).
 *   CAP_SYS_ADMIN        only with PW_PRIVS_HOSTNAME, for a reader that gets
 *                        hostnames with setns(CLONE_NEWUTS).  pausetop does
 *                        not: its BPF walk reads each init's nodename, so it
 *                        drops CAP_SYS_ADMIN.
 * Everything else is dropped from the effective, permitted and inheritable
 * sets: CAP_PERFMON and CAP_SYS_RESOURCE (load only), CAP_NET_BIND_SERVICE
 * (a listener binds before), CAP_SETPCAP (used here to clear the bounding
 * set), CAP_DAC_OVERRIDE, CAP_KILL, CAP_SETUID...
 *
 * Capabilities and no_new_privs are per thread: call before any thread is
 * started (threads started later inherit the reduced set).
 */
#ifndef PW_PRIVS_H
#define PW_PRIVS_H

#include <stddef.h>

enum pw_privs_need {
	PW_PRIVS_HOSTNAME = 1u << 0,	/* keep CAP_SYS_ADMIN for UTS hostnames */
	PW_PRIVS_NONE = 1u << 1,	/* keep nothing: a face with no collector
					 * (pausetop --prometheus parses a remote
					 * server's answers) */
};

#define PW_PRIVS_DEFAULT	0

/*
 * Drop to what snapshots need (needs: PW_PRIVS_* bits).  Returns 0, or:
 *   -EPERM   a capability a snapshot needs is missing (err names it, says
 *            what it is for and what to do) — pausetop exits 3;
 *   -EBUSY   the process has more than one thread;
 *   -errno   prctl/capset failed (err says which).
 * The bounding set is cleared when CAP_SETPCAP is effective (root); without
 * it, it stays as it is (no_new_privs still stops an exec from gaining any
 * capability).  The result is verified with capget and prctl before 0 is
 * returned.
 */
int pw_privs_drop_to(unsigned int needs, char *err, size_t errlen);

/* pw_privs_drop_to(PW_PRIVS_DEFAULT, ...) */
int pw_privs_drop(char *err, size_t errlen);

#endif /* PW_PRIVS_H */
