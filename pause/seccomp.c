/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp.c — what pause gives up in pause mode: every capability, then
 * all but a handful of syscalls through a raw classic-BPF seccomp program
 * (no libcap, no libseccomp: either would triple the binary).
 *
 * Once sleeping, pause only reads its signalfd, reaps, writes to stderr,
 * reads the clock and exits.  Anything else means pause is not pause any
 * more, so the default action is SECCOMP_RET_KILL_PROCESS: fail closed and
 * visibly (the sandbox dies, the kubelet recreates the pod), rather than
 * RET_ERRNO, which would leave a half-working init that reaps nothing.
 */
#include <errno.h>
#include <stddef.h>
#include <unistd.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "pause_seccomp.h"

/* From <linux/filter.h>, <linux/seccomp.h>, <linux/audit.h>: musl-gcc does
 * not see the kernel headers, and these values are ABI. */
struct sock_filter { uint16_t code; uint8_t jt, jf; uint32_t k; };
struct sock_fprog { unsigned short len; struct sock_filter *filter; };
#define LD_W_ABS	0x20	/* BPF_LD | BPF_W | BPF_ABS */
#define JEQ_K		0x15	/* BPF_JMP | BPF_JEQ | BPF_K */
#define JGE_K		0x35	/* BPF_JMP | BPF_JGE | BPF_K */
#define RET_K		0x06	/* BPF_RET | BPF_K */
#define RET_KILL_PROCESS 0x80000000U
#define RET_ALLOW	0x7fff0000U
#define MODE_FILTER	2
#define OFF_NR		0	/* struct seccomp_data */
#define OFF_ARCH	4

#if defined(__x86_64__)
#define AUDIT_ARCH	0xc000003eU
#define X32_BIT		0x40000000U	/* x32 ABI numbers: refuse them all */
#elif defined(__aarch64__)
#define AUDIT_ARCH	0xc00000b7U
#else
#error "pause: add this architecture's AUDIT_ARCH to pause/seccomp.c"
#endif

static const int allowed[] = {
	SYS_read,		/* the signalfd */
	SYS_wait4,		/* waitpid() */
	SYS_waitid,
	SYS_write,		/* stderr: -w, SIGUSR1, shutdown message */
	SYS_writev,
	SYS_clock_gettime,	/* vDSO fallback (last_reap.time_ns) */
	SYS_exit_group,
	SYS_exit,
	SYS_rt_sigreturn,
	SYS_restart_syscall,
#if defined(__SANITIZE_ADDRESS__)
	/* build/san/pause only: ASan/UBSan/LSan runtime (allocator, reports,
	 * the leak check at exit, which stops the world with ptrace) */
	SYS_mmap, SYS_munmap, SYS_mprotect, SYS_madvise, SYS_mremap,
	SYS_futex, SYS_sched_yield, SYS_getpid, SYS_gettid, SYS_tgkill,
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_sigaltstack, SYS_prctl,
	SYS_openat, SYS_close, SYS_fstat, SYS_newfstatat, SYS_readlinkat,
	SYS_lseek, SYS_pread64, SYS_getdents64, SYS_prlimit64, SYS_clone,
	SYS_clone3, SYS_ptrace, SYS_sched_getaffinity, SYS_getrandom,
	SYS_nanosleep, SYS_clock_nanosleep, SYS_kill, SYS_getppid, SYS_uname,
	SYS_statx, SYS_dup, SYS_dup3, SYS_pipe2, SYS_set_robust_list, SYS_rseq,
#if defined(__x86_64__)
	SYS_open, SYS_readlink, SYS_stat, SYS_getrlimit, SYS_arch_prctl, SYS_dup2,
	SYS_pipe,
#endif
#endif
};

#define NALLOWED (sizeof(allowed) / sizeof(allowed[0]))

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#define CAP_VERSION_3	0x20080522	/* _LINUX_CAPABILITY_VERSION_3: 2 x 32 bits */

int pause_caps_drop(void)
{
	struct { uint32_t version; int pid; } hdr = { CAP_VERSION_3, 0 };
	struct { uint32_t effective, permitted, inheritable; } none[2] = { { 0, 0, 0 } };
	int cap, in;

	/* bounding set first: dropping from it needs CAP_SETPCAP, which the
	 * capset below takes away.  PR_CAPBSET_READ fails past the last cap
	 * this kernel knows, which ends the loop.  EPERM (not root, no
	 * CAP_SETPCAP) is expected and harmless: with no_new_privs nothing we
	 * could exec would gain from the bounding set. */
	for (cap = 0; (in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) >= 0; cap++)
		if (in)
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	/* EINVAL: a kernel before 4.3 has no ambient set to clear */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -1;
	return (int)syscall(SYS_capset, &hdr, none) < 0 ? -1 : 0;
}

int pause_seccomp_install(void)
{
	struct sock_filter f[6 + 2 * NALLOWED + 1];
	struct sock_fprog prog = { 0, f };
	size_t i, n = 0;

#define STMT(c, v)		f[n++] = (struct sock_filter){ (c), 0, 0, (v) }
#define JUMP(c, v, t, e)	f[n++] = (struct sock_filter){ (c), (t), (e), (v) }
	/* a syscall number means nothing under another ABI: check arch first */
	STMT(LD_W_ABS, OFF_ARCH);
	JUMP(JEQ_K, AUDIT_ARCH, 1, 0);
	STMT(RET_K, RET_KILL_PROCESS);
	STMT(LD_W_ABS, OFF_NR);
#ifdef X32_BIT
	JUMP(JGE_K, X32_BIT, 0, 1);
	STMT(RET_K, RET_KILL_PROCESS);
#endif
	for (i = 0; i < NALLOWED; i++) {
		JUMP(JEQ_K, (uint32_t)allowed[i], 0, 1);
		STMT(RET_K, RET_ALLOW);
	}
	STMT(RET_K, RET_KILL_PROCESS);
#undef STMT
#undef JUMP
	prog.len = (unsigned short)n;
	return prctl(PR_SET_SECCOMP, MODE_FILTER, &prog, 0, 0);
}
