/*
 * sc_puppet.c — puppets for the self-check (see sc_puppet.h).
 *
 * A puppet never prints and never changes anything it was not told to: its
 * SIGCHLD action, subreaper flag and children are exactly what the model
 * says.  Exits use the raw system calls (no atexit, no unwinding), so what
 * the kernel sees is one SYS_exit or SYS_exit_group.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sc_model.h"
#include "sc_puppet.h"

/* how often the test side looks at its deadline while waiting: 10 ms */
#define ACK_POLL_NS	(10L * 1000 * 1000)

static struct puppet_shm *g_shm;

static void futex_wait(_Atomic uint32_t *word, uint32_t val, long timeout_ns)
{
	struct timespec ts = { timeout_ns / 1000000000L, timeout_ns % 1000000000L };

	syscall(SYS_futex, word, FUTEX_WAIT, val, timeout_ns ? &ts : NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct puppet_shm *puppet_map(void)
{
	void *p = mmap(NULL, sizeof(struct puppet_shm), PROT_READ | PROT_WRITE, MAP_SHARED, PUPPET_FD, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Fill in the slot's ids.  The host's /proc (the only one mounted) names
 * this thread in the host's namespace: "TGID/task/TID".  No
 * instrumentation: a vfork child runs this on a stack ASan does not know.
 */
__attribute__((no_sanitize_address, no_sanitize_undefined))
static void announce(struct puppet_slot *s)
{
	char buf[64];
	ssize_t n = readlink("/proc/thread-self", buf, sizeof(buf) - 1);
	char *task;

	if (n > 0) {
		buf[n] = 0;
		s->host_tgid = (pid_t)strtol(buf, &task, 10);
		task = strrchr(buf, '/');
		s->host_tid = task ? (pid_t)strtol(task + 1, NULL, 10) : 0;
	}
	s->ns_tgid = (pid_t)syscall(SYS_getpid);
	s->ns_tid = (pid_t)syscall(SYS_gettid);
	atomic_store(&s->born, 1);
	futex_wake(&s->born);
}

static void ack(struct puppet_slot *s, uint32_t seq)
{
	atomic_store(&s->ack_seq, seq);
	futex_wake(&s->ack_seq);
}

static char exec_id[16], exec_mode[8];
static char *exec_argv[] = { "puppet", "--puppet", exec_id, exec_mode, NULL };

/* Become puppet id in a fresh image of this program. Returns only on failure. */
__attribute__((no_sanitize_address, no_sanitize_undefined))
static void exec_puppet(void)
{
	execv("/proc/self/exe", exec_argv);
}

static void prepare_exec(int id, const char *mode)
{
	snprintf(exec_id, sizeof(exec_id), "%d", id);
	snprintf(exec_mode, sizeof(exec_mode), "%s", mode);
}

/* The child of a CLONE_VM|CLONE_VFORK clone: it runs on the parent's memory. */
__attribute__((no_sanitize_address, no_sanitize_undefined))
static int vfork_child(void *arg)
{
	struct puppet_slot *s = arg;

	if (s) {		/* FORK_VFORK_EXIT: announce, exit */
		announce(s);
		syscall(SYS_exit, 0);
	}
	exec_puppet();		/* FORK_VFORK_EXEC */
	syscall(SYS_exit, 127);
	return 0;
}

static pid_t do_fork(int kind, int id, int sig)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	long p;

	switch (kind) {
	case FORK_VFORK_EXIT:
		return clone(vfork_child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD,
			     &g_shm->slot[id]);
	case FORK_VFORK_EXEC:
		prepare_exec(id, "new");
		return clone(vfork_child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
	case FORK_CLONE_EXEC:
		/* fork-like (own memory) with another exit signal; exec at once for a clean libc */
		prepare_exec(id, "new");
		p = syscall(SYS_clone, (unsigned long)sig, 0, 0, 0, 0);
		if (p == 0) {
			exec_puppet();
			syscall(SYS_exit, 127);
		}
		return (pid_t)p;
	case FORK_CLONE:
		/*
		 * A raw clone: libc in the child still has the parent thread's
		 * tid cached, which nothing a puppet does depends on (no
		 * recursive mutexes, no raise); the other threads are idle in a
		 * futex wait, so no lock is held across the clone.
		 */
		return (pid_t)syscall(SYS_clone, (unsigned long)sig, 0, 0, 0, 0);
	default:
		return fork();
	}
}

static void on_sigchld(int sig)
{
	(void)sig;
}

static void set_disp(int disp, int nocldwait)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = disp == SC_DISP_IGN ? SIG_IGN : disp == SC_DISP_HANDLER ? on_sigchld : SIG_DFL;
	sa.sa_flags = SA_RESTART | (nocldwait ? SA_NOCLDWAIT : 0);
	sigaction(SIGCHLD, &sa, NULL);
}

static void *thread_start(void *arg)
{
	puppet_serve(g_shm, (int)(intptr_t)arg);
}

static void wait_all(struct puppet_slot *s)
{
	pid_t p;

	s->r0 = 0;
	while ((p = waitpid(-1, NULL, WNOHANG | __WALL)) > 0)
		if (s->r0 < PUPPET_WAIT_MAX)
			s->r[s->r0++] = p;
}

static __attribute__((noreturn)) void teardown(pid_t init)
{
	kill(init, SIGKILL);
	while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR)
		;
	_exit(0);
}

/* Serve slot id from command seen on; a fork child switches to its own slot. */
static __attribute__((noreturn)) void serve(int id, uint32_t seen)
{
	for (;;) {
		struct puppet_slot *s = &g_shm->slot[id];
		uint32_t seq = atomic_load(&s->cmd_seq);
		pthread_t th;
		pthread_attr_t attr;
		pid_t p;

		if (seq == seen) {
			futex_wait(&s->cmd_seq, seen, 0);
			continue;
		}
		seen = seq;
		s->err = 0;
		switch (s->op) {
		case OP_FORK:
			p = do_fork(s->a0, s->a1, s->a2);
			if (p == 0) {	/* fork(), clone(): the child is the new puppet */
				id = s->a1;
				announce(&g_shm->slot[id]);
				seen = atomic_load(&g_shm->slot[id].ack_seq);
				continue;
			}
			s->r0 = p;
			s->err = p < 0 ? errno : 0;
			break;
		case OP_THREAD:
			pthread_attr_init(&attr);
			pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
			s->err = pthread_create(&th, &attr, thread_start, (void *)(intptr_t)s->a1);
			pthread_attr_destroy(&attr);
			break;
		case OP_DISP:
			set_disp(s->a0, s->a1);
			break;
		case OP_SUBREAPER:
			s->err = prctl(PR_SET_CHILD_SUBREAPER, s->a0, 0, 0, 0) ? errno : 0;
			break;
		case OP_WAIT_ANY:
			s->r0 = waitpid(-1, NULL, WNOHANG | __WALL);
			s->err = s->r0 < 0 ? errno : 0;
			break;
		case OP_WAIT_PID:
			s->r0 = waitpid(s->a0, NULL, WNOHANG | __WALL);
			s->err = s->r0 < 0 ? errno : 0;
			break;
		case OP_WAIT_ALL:
			wait_all(s);
			break;
		case OP_EXEC:
			prepare_exec(id, "exec");
			exec_puppet();
			s->err = errno;
			break;
		case OP_EXIT:
			syscall(SYS_exit, s->a0);
			break;
		case OP_EXIT_GROUP:
			syscall(SYS_exit_group, s->a0);
			break;
		case OP_TEARDOWN:
			teardown(s->a0);
		}
		ack(s, seq);
	}
}

void puppet_serve(struct puppet_shm *shm, int id)
{
	g_shm = shm;
	announce(&shm->slot[id]);
	/* a command may already be posted once born is set: start from the last acknowledged */
	serve(id, atomic_load(&shm->slot[id].ack_seq));
}

int puppet_main(int argc, char **argv)
{
	struct puppet_slot *s;
	char *end;
	long slot;
	int id;

	if (argc != 4)
		return 64;
	/* a puppet never prints: a bad slot number is exit status 65 */
	errno = 0;
	slot = strtol(argv[2], &end, 10);
	if (end == argv[2] || *end || errno || slot < 0 || slot >= PUPPET_SLOTS)
		return 65;
	id = (int)slot;
	g_shm = puppet_map();
	if (!g_shm)
		return 65;
	s = &g_shm->slot[id];
	if (!strcmp(argv[3], "new")) {
		puppet_serve(g_shm, id);
	} else {	/* after OP_EXEC: that operation is done */
		uint32_t seq = atomic_load(&s->cmd_seq);

		ack(s, seq);
		serve(id, seq);
	}
}

uint32_t puppet_post(struct puppet_shm *shm, int id, int op, int a0, int a1, int a2)
{
	struct puppet_slot *s = &shm->slot[id];
	uint32_t seq = atomic_load(&s->cmd_seq) + 1;

	s->op = op;
	s->a0 = a0;
	s->a1 = a1;
	s->a2 = a2;
	s->r0 = 0;
	s->err = 0;
	atomic_store(&s->cmd_seq, seq);
	futex_wake(&s->cmd_seq);
	return seq;
}

int puppet_wait_ack(struct puppet_shm *shm, int id, uint32_t seq, double timeout_s)
{
	struct puppet_slot *s = &shm->slot[id];
	double end = mono() + timeout_s;
	uint32_t cur;

	while ((cur = atomic_load(&s->ack_seq)) != seq) {
		if (mono() > end)
			return -1;
		futex_wait(&s->ack_seq, cur, ACK_POLL_NS);
	}
	return 0;
}

int puppet_wait_born(struct puppet_shm *shm, int id, double timeout_s)
{
	struct puppet_slot *s = &shm->slot[id];
	double end = mono() + timeout_s;

	while (!atomic_load(&s->born)) {
		if (mono() > end)
			return -1;
		futex_wait(&s->born, 0, ACK_POLL_NS);
	}
	return 0;
}
