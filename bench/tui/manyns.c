// SPDX-License-Identifier: Apache-2.0
/*
 * tui-manyns — hold N PID namespaces of K processes each, for the live
 * view's idle-cost benchmark (bench/tui/bench.sh).
 *
 *	tui-manyns N K
 *
 * Each namespace gets its own UTS namespace and hostname ("bench-<i>") and
 * an init that forks K-1 children; all of them sleep in pause().  When all
 * exist, one line "ready N K" is printed.  Everything ends when stdin
 * reaches EOF or on SIGINT/SIGTERM: the inits are killed (their namespaces
 * with them), and each init also dies with this process (PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* The init of one namespace: a hostname, K-1 sleeping children, sleep. */
static void init_main(int index, int k)
{
	char host[32];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(host, sizeof(host), "bench-%d", index);
	if (sethostname(host, strlen(host)))
		_exit(1);
	for (int i = 1; i < k; i++) {
		pid_t c = fork();

		if (c == 0) {
			for (;;)
				pause();
		}
		if (c < 0)
			_exit(1);
	}
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	long n, k;
	pid_t *inits;
	char buf[64];

	if (argc != 3 || (n = strtol(argv[1], NULL, 10)) < 1 || (k = strtol(argv[2], NULL, 10)) < 1) {
		fprintf(stderr, "usage: tui-manyns N K   (N namespaces of K processes)\n");
		return 2;
	}
	inits = calloc((size_t)n, sizeof(*inits));
	if (!inits)
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (long i = 0; i < n && !stop; i++) {
		/* clone without a new stack is fork into a new PID (and UTS) namespace */
		pid_t p = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWUTS | SIGCHLD, NULL, NULL, NULL, 0);

		if (p < 0) {
			fprintf(stderr, "tui-manyns: clone #%ld: %s (root? pid_max?)\n", i, strerror(errno));
			stop = 1;
			break;
		}
		if (p == 0)
			init_main((int)i, (int)k);
		inits[i] = p;
	}
	if (!stop) {
		printf("ready %ld %ld\n", n, k);
		fflush(stdout);
		while (!stop && read(STDIN_FILENO, buf, sizeof(buf)) > 0)
			;
	}
	for (long i = 0; i < n; i++)
		if (inits[i] > 0)
			kill(inits[i], SIGKILL);
	for (long i = 0; i < n; i++)
		if (inits[i] > 0)
			waitpid(inits[i], NULL, 0);
	free(inits);
	return 0;
}
