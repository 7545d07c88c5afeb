/* workloads.c — real processes in real PID namespaces, for the telemetry tests. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workloads.h"

double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

unsigned int pidns_inode(pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	return stat(path, &st) ? 0 : (unsigned int)st.st_ino;
}

ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)got;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

pid_t host_pid_self(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = 0;
	return (pid_t)strtol(buf, NULL, 10);
}

/* The lazy init: reaps only when asked. */
static void lazy_init_loop(int ctl, int ack)
{
	char cmd;

	while (read(ctl, &cmd, 1) == 1) {
		int n = 0;

		if (cmd == 'r')
			while (waitpid(-1, NULL, WNOHANG) > 0)
				n++;
		if (write(ack, &n, sizeof(n)) != sizeof(n))
			_exit(1);
	}
	_exit(0);
}

/* middle: new PID namespace, fork its init, report the init's host pid, wait. */
static int start_ns(struct testns *ns, char *const argv[])
{
	int info[2], ctl[2] = { -1, -1 }, ack[2] = { -1, -1 };
	pid_t init_pid = 0, test = getpid();

	memset(ns, 0, sizeof(*ns));
	ns->ctl = ns->ack = -1;
	if (pipe2(info, O_CLOEXEC) || (!argv && (pipe2(ctl, O_CLOEXEC) || pipe2(ack, O_CLOEXEC))))
		return -1;
	ns->middle = fork();
	if (ns->middle < 0)
		return -1;
	if (ns->middle == 0) {
		pid_t init;

		/* a test that dies (a crash, SIGPIPE, timeout) takes its namespace along */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != test)
			_exit(119);
		if (unshare(CLONE_NEWPID))
			_exit(120);
		init = fork();
		if (init < 0)
			_exit(121);
		if (init == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);	/* kept across exec */
			if (argv) {
				execv(argv[0], argv);
				_exit(127);
			}
			close(ctl[1]);
			close(ack[0]);
			lazy_init_loop(ctl[0], ack[1]);
		}
		if (write(info[1], &init, sizeof(init)) != sizeof(init))
			_exit(122);
		waitpid(init, NULL, 0);
		_exit(0);
	}
	close(info[1]);
	if (!argv) {
		close(ctl[0]);
		close(ack[1]);
		ns->ctl = ctl[1];
		ns->ack = ack[0];
	}
	if (read_full(info[0], &init_pid, sizeof(init_pid)) != sizeof(init_pid)) {
		close(info[0]);
		return -1;
	}
	close(info[0]);
	ns->init = init_pid;
	/* an exec'd init may not have exec'd yet: the namespace is there already */
	ns->inum = pidns_inode(init_pid);
	return ns->inum ? 0 : -1;
}

int ns_start_lazy_init(struct testns *ns)
{
	return start_ns(ns, NULL);
}

int ns_start_exec_init(struct testns *ns, char *const argv[])
{
	return start_ns(ns, argv);
}

int ns_lazy_reap(struct testns *ns)
{
	int n = -1;

	if (write(ns->ctl, "r", 1) != 1 || read_full(ns->ack, &n, sizeof(n)) != sizeof(n))
		return -1;
	return n;
}

void ns_stop(struct testns *ns)
{
	if (ns->init > 0)
		kill(ns->init, SIGKILL);
	if (ns->ctl >= 0)
		close(ns->ctl);
	if (ns->ack >= 0)
		close(ns->ack);
	if (ns->middle > 0)
		waitpid(ns->middle, NULL, 0);
	ns->init = ns->middle = 0;
	ns->ctl = ns->ack = -1;
}

pid_t ns_spawn(struct testns *ns, int (*fn)(void *), void *arg, bool autoreap_parent)
{
	pid_t helper = fork();

	if (helper != 0)
		return helper;
	{
		char path[64];
		int fd, status = 0;
		pid_t p;

		if (autoreap_parent)
			signal(SIGCHLD, SIG_IGN);
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", ns->init);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWPID))
			_exit(124);
		p = fork();
		if (p < 0)
			_exit(125);
		if (p == 0) {
			signal(SIGCHLD, SIG_DFL);	/* the workload's own children are not autoreaped */
			_exit(fn(arg));
		}
		if (waitpid(p, &status, 0) < 0)
			_exit(autoreap_parent ? 0 : 126);	/* autoreaped: ECHILD once it is gone */
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
}

int ns_run(struct testns *ns, int (*fn)(void *), void *arg, bool autoreap_parent)
{
	pid_t helper = ns_spawn(ns, fn, arg, autoreap_parent);
	int status;

	if (helper < 0 || waitpid(helper, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int gate_open(struct gate *g)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	g->rd = fds[0];
	g->wr = fds[1];
	return 0;
}

void gate_wait(struct gate *g)
{
	char c;

	close(g->wr);
	while (read(g->rd, &c, 1) < 0 && errno == EINTR)
		;
}

void gate_release(struct gate *g)
{
	close(g->wr);
	close(g->rd);
	g->wr = g->rd = -1;
}
