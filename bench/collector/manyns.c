// SPDX-License-Identifier: Apache-2.0
/*
 * manyns — a node's worth of pods for benchmarks: N PID namespaces, each an
 * init with K-1 sleeping children (N*K processes).  Prints "ready" when all
 * exist and keeps them until its stdin closes or it gets SIGTERM/SIGINT; every
 * process has PDEATHSIG SIGKILL, so nothing outlives it.
 *
 *	manyns N K [ZOMBIES]	ZOMBIES: in every namespace, that many of the
 *				children exit and are never reaped
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int per_ns, zombies_per_ns;
static char stack[64 * 1024] __attribute__((aligned(16)));

/* Dies with its init: and the inits die with manyns (PDEATHSIG on both). */
static void die_with_parent(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static int ns_init(void *arg)
{
	(void)arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (int i = 1; i < per_ns; i++) {
		pid_t p = fork();

		if (p == 0) {
			die_with_parent();
			if (i <= zombies_per_ns)
				_exit(0);	/* a zombie: its init never waits */
			for (;;)
				pause();
		}
	}
	for (;;)
		pause();
}

/* A whole number in [min, max] from an argument; 0, or -1 with a message. */
static int parse_arg(const char *what, const char *s, long min, long max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < min || v > max) {
		fprintf(stderr, "manyns: %s must be a whole number in %ld..%ld, not '%s'\n",
			what, min, max, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	struct pollfd in = { .fd = STDIN_FILENO, .events = POLLIN };
	sigset_t stop;
	int n, made = 0;

	/* bounds: pid_max is 32768 here, N*K processes must fit */
	if (argc < 3 || argc > 4 ||
	    parse_arg("N", argv[1], 1, 32768, &n) < 0 ||
	    parse_arg("K", argv[2], 1, 32768, &per_ns) < 0 ||
	    (argc > 3 && parse_arg("ZOMBIES", argv[3], 0, 32768, &zombies_per_ns) < 0)) {
		fprintf(stderr, "usage: manyns N K [ZOMBIES]\n");
		return 2;
	}
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	for (; made < n; made++) {
		if (clone(ns_init, stack + sizeof(stack), CLONE_NEWPID | SIGCHLD, NULL) < 0) {
			fprintf(stderr, "manyns: clone: %s\n", strerror(errno));
			break;
		}
	}
	printf(made == n ? "ready\n" : "failed\n");
	fflush(stdout);
	/* until stdin closes or a stop signal; then the children die with us */
	sigprocmask(SIG_UNBLOCK, &stop, NULL);
	while (made == n && poll(&in, 1, -1) >= 0 && !(in.revents & (POLLHUP | POLLERR))) {
		char buf[64];

		if (read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
			break;
	}
	return made == n ? 0 : 1;
}
