// SPDX-License-Identifier: Apache-2.0
/*
 * nsfix — a PID namespace with exactly the zombies a test asks for.
 *
 *	tui_nsfix [-z N] [-H HOSTNAME] [-c CGROUP_PROCS] [-e PATH] [-t]
 *
 * Prints the host pid of the namespace's init, then waits for it (and dies
 * with it; the init dies with us).  The init (PID 1 of new PID and UTS
 * namespaces) sets HOSTNAME (any bytes), joins the cgroup whose cgroup.procs
 * file is given, forks N children that block on a pipe, and execs
 * `PATH 3600` (default sleep): the exec closes the pipe, the children exit,
 * and the new program never waits, so exactly N zombies stay.  With -t the
 * init instead catches SIGTERM (and exits 0 on it) and has no children.
 *
 * Why C: a shell init reaps some of its background children before it execs,
 * more of them the busier the machine; here no child can exit before the exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct opts {
	long zombies;
	const char *hostname, *cgroup_procs, *exec_path;
	bool trap_term;
};

static void die(const char *what)
{
	fprintf(stderr, "tui_nsfix: %s: %s\n", what, strerror(errno));
	_exit(1);
}

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

/* PID 1 of the new namespace. */
static void init_main(const struct opts *o)
{
	sigset_t none;
	int pfd[2];
	FILE *f;

	/* dispositions as an init gets them from a runtime: all default, none blocked
	 * (a shell's background job starts with SIGINT and SIGQUIT ignored) */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (o->hostname && sethostname(o->hostname, strlen(o->hostname)))
		die("sethostname");
	if (o->cgroup_procs) {
		/* "1" is us: cgroupfs reads pids in the writer's namespace */
		f = fopen(o->cgroup_procs, "w");
		if (!f || fputs("1\n", f) == EOF || fclose(f))
			die(o->cgroup_procs);
	}
	if (o->trap_term) {
		signal(SIGTERM, on_term);
		for (;;)
			pause();
	}
	if (pipe2(pfd, O_CLOEXEC))
		die("pipe2");
	for (long i = 0; i < o->zombies; i++) {
		pid_t c = fork();
		char b;

		if (c < 0)
			die("fork");
		if (c == 0) {
			close(pfd[1]);
			while (read(pfd[0], &b, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	close(pfd[0]);
	execlp(o->exec_path, o->exec_path, "3600", (char *)NULL);
	die(o->exec_path);
}

int main(int argc, char **argv)
{
	struct opts o = { .exec_path = "sleep" };
	pid_t init;
	int c, st;

	while ((c = getopt(argc, argv, "z:H:c:e:t")) != -1) {
		switch (c) {
		case 'z': o.zombies = strtol(optarg, NULL, 10); break;
		case 'H': o.hostname = optarg; break;
		case 'c': o.cgroup_procs = optarg; break;
		case 'e': o.exec_path = optarg; break;
		case 't': o.trap_term = true; break;
		default:
			fprintf(stderr, "usage: tui_nsfix [-z N] [-H HOSTNAME] [-c CGROUP_PROCS] [-e PATH] [-t]\n");
			return 2;
		}
	}
	if (unshare(CLONE_NEWPID | CLONE_NEWUTS))
		die("unshare (needs root)");
	init = fork();
	if (init < 0)
		die("fork");
	if (init == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* no namespace outlives the test's helper */
		init_main(&o);
	}
	printf("%d\n", (int)init);
	fflush(stdout);
	while (waitpid(init, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}
