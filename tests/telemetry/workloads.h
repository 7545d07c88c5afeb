/* workloads.h — real processes in real PID namespaces, for the telemetry tests. */
#ifndef WORKLOADS_H
#define WORKLOADS_H

#include <stdbool.h>
#include <sys/types.h>

/* A PID namespace with an init we control. */
struct testns {
	pid_t middle;		/* host pid of the process that created it (outside) */
	pid_t init;		/* host pid of its PID 1 */
	unsigned int inum;	/* its inode */
	int ctl;		/* write end of the init's control pipe (-1 for exec'd inits) */
	int ack;		/* read end of the init's acknowledgements */
};

/* Init that never reaps until told: "r" over ctl reaps everything, answers on ack. */
int ns_start_lazy_init(struct testns *ns);
/* Init that is an exec'd program (e.g. our pause): argv[0] is the path. */
int ns_start_exec_init(struct testns *ns, char *const argv[]);
/* Ask the lazy init to reap all its zombies now; returns how many it reaped. */
int ns_lazy_reap(struct testns *ns);
/* Kill the init (SIGKILL) and collect the middle process. */
void ns_stop(struct testns *ns);

/*
 * Run fn(arg) in a new process inside ns (its parent is a helper outside the
 * namespace that waits for it, with SIGCHLD ignored when autoreap is set) and
 * wait for the helper.  Returns fn's exit status, or -1.
 */
int ns_run(struct testns *ns, int (*fn)(void *), void *arg, bool autoreap_parent);
/* Same, but do not wait: returns the helper's host pid. */
pid_t ns_spawn(struct testns *ns, int (*fn)(void *), void *arg, bool autoreap_parent);

/* A pipe whose write end only the test holds: children block until go_release. */
struct gate {
	int rd, wr;
};
int gate_open(struct gate *g);
void gate_wait(struct gate *g);		/* in a child: block until released */
void gate_release(struct gate *g);	/* in the test: let every waiter go */

unsigned int pidns_inode(pid_t pid);
double now_mono(void);

/*
 * The caller's pid as the host sees it, from inside any PID namespace: the
 * host's /proc resolves "self" in its own namespace.  0 on failure.
 */
pid_t host_pid_self(void);
/* Write all of buf (retrying short writes and EINTR); 0 or -1. */
int write_full(int fd, const void *buf, size_t len);
/* Read exactly len bytes; len, a shorter count at EOF, or -1. */
ssize_t read_full(int fd, void *buf, size_t len);

#endif
