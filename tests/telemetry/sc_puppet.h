/*
 * sc_puppet.h — processes and threads that do one thing at a time when told.
 *
 * Every task of a self-check run is a puppet with a slot in a shared memory
 * file (a memfd at PUPPET_FD, kept across fork and exec).  The self-check
 * writes an operation into a slot and bumps cmd_seq; the puppet does it and
 * sets ack_seq = cmd_seq (futexes on both words).  A new puppet fills in its
 * ids and sets born.  Exits are not acknowledged: the self-check watches
 * /proc instead.
 */
#ifndef SC_PUPPET_H
#define SC_PUPPET_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#define PUPPET_FD	3
#define PUPPET_SLOTS	96

enum puppet_op {
	OP_NONE,
	OP_FORK,	/* a0 = kind (enum fork_kind), a1 = new slot, a2 = exit signal; r0 = child's pid */
	OP_THREAD,	/* a1 = new slot */
	OP_DISP,	/* a0 = enum sc_disp, a1 = SA_NOCLDWAIT */
	OP_SUBREAPER,	/* a0 = on */
	OP_WAIT_ANY,	/* r0 = waitpid(-1, WNOHANG|__WALL) */
	OP_WAIT_PID,	/* a0 = pid (caller's namespace); r0 = waitpid(a0, WNOHANG|__WALL) */
	OP_WAIT_ALL,	/* r0 = how many reaped (WNOHANG loop); pids in r[] */
	OP_EXEC,	/* exec self again; the new image acknowledges */
	OP_EXIT,	/* SYS_exit(a0): this thread */
	OP_EXIT_GROUP,	/* SYS_exit_group(a0) */
	OP_TEARDOWN,	/* (the process outside) kill PID 1 (a0, host pid), reap everything, exit */
};

enum fork_kind {
	FORK_FORK,		/* fork() */
	FORK_VFORK_EXIT,	/* CLONE_VM|CLONE_VFORK child that exits at once */
	FORK_VFORK_EXEC,	/* CLONE_VM|CLONE_VFORK child that execs a puppet */
	FORK_CLONE_EXEC,	/* clone(exit signal a2) child that execs a puppet */
	FORK_CLONE,		/* clone(exit signal a2) child that stays what it is (no exec:
				 * an exec would set its exit signal back to SIGCHLD) */
	FORK_KINDS,
};

#define PUPPET_WAIT_MAX	40

struct puppet_slot {
	_Atomic uint32_t cmd_seq;
	_Atomic uint32_t ack_seq;
	_Atomic uint32_t born;
	int32_t op, a0, a1, a2;
	int32_t r0, err;
	int32_t r[PUPPET_WAIT_MAX];
	pid_t host_tgid, host_tid, ns_tgid, ns_tid;
};

struct puppet_shm {
	struct puppet_slot slot[PUPPET_SLOTS];
};

/* In a puppet process: map the memfd at PUPPET_FD, or NULL. */
struct puppet_shm *puppet_map(void);
/* Become puppet `id` (this thread): announce, then serve forever. */
__attribute__((noreturn)) void puppet_serve(struct puppet_shm *shm, int id);
/* main() of an exec'd puppet: argv = --puppet ID new|exec */
int puppet_main(int argc, char **argv);

/* The self-check's side: post an operation, wait for its acknowledgement. */
uint32_t puppet_post(struct puppet_shm *shm, int id, int op, int a0, int a1, int a2);
/* 0, or -1 after timeout_s without an answer. */
int puppet_wait_ack(struct puppet_shm *shm, int id, uint32_t seq, double timeout_s);
int puppet_wait_born(struct puppet_shm *shm, int id, double timeout_s);

#endif
