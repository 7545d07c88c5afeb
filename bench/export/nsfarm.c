// SPDX-License-Identifier: Apache-2.0
/*
 * nsfarm — a cluster node's worth of pods for the export benchmark: NS PID
 * namespaces, each an init with PER-1 sleeping children, NS*PER processes.
 *
 *	nsfarm NS PER	prints "ready NS PER" once all exist, then holds them
 *			until stdin closes or SIGTERM/SIGINT; then kills every
 *			init (the kernel takes each namespace's children with it),
 *			reaps, and exits 0.
 *
 * Processes are forks of this one (no exec): a few pages each.  Every init
 * dies with the farm (PR_SET_PDEATHSIG), so nothing outlives a killed run.
 */
#include <errno.h>
#include <poll.h>
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
	stop = sig;
}

/* PID 1 of a new namespace: per-1 children that sleep, then sleep too (never reaping: nobody exits). */
static void run_init(pid_t farm, int per)
{
	/* the farm's pid means nothing in here (getppid() is 0): only the death signal */
	(void)farm;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "nsfarm-init");
	for (int i = 1; i < per; i++) {
		pid_t c = fork();

		if (c == 0) {
			prctl(PR_SET_NAME, "nsfarm-child");
			for (;;)
				pause();
		}
		if (c < 0) {
			fprintf(stderr, "nsfarm: fork in a namespace: %s\n", strerror(errno));
			_exit(1);
		}
	}
	for (;;)
		pause();
}

/* A whole number 1..100000, or -1. */
static int count_arg(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return errno || end == s || *end || v < 1 || v > 100000 ? -1 : (int)v;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	int ns, per, made = 0, rc = 0;
	pid_t farm = getpid(), *inits;

	if (argc != 3 || (ns = count_arg(argv[1])) < 1 || (per = count_arg(argv[2])) < 1) {
		fprintf(stderr, "usage: nsfarm NAMESPACES PROCESSES_PER_NAMESPACE\n");
		return 2;
	}
	inits = calloc((size_t)ns, sizeof(*inits));
	if (!inits)
		return 1;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (; made < ns && !stop; made++) {
		/* fork into a new PID namespace: the child is its PID 1 */
		pid_t p = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);

		if (p == 0)
			run_init(farm, per);
		if (p < 0) {
			fprintf(stderr, "nsfarm: clone(CLONE_NEWPID) #%d: %s\n", made, strerror(errno));
			rc = 1;
			break;
		}
		inits[made] = p;
	}
	if (!rc) {
		/* each init's children exist once its namespace holds per processes; count them */
		for (int i = 0; i < made && !stop; i++) {
			char path[64], buf[4096];
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/task/%d/children", inits[i], inits[i]);
			for (;;) {
				int n = 0;

				f = fopen(path, "re");
				if (!f) {
					fprintf(stderr, "nsfarm: init %d is gone\n", inits[i]);
					stop = 1, rc = 1;
					break;
				}
				if (fgets(buf, sizeof(buf), f))
					for (char *s = buf; *s; s++)
						n += *s == ' ';
				fclose(f);
				if (n >= per - 1 || stop)
					break;
				usleep(1000);
			}
		}
		if (rc)
			goto out;
		printf("ready %d %d\n", made, per);
		fflush(stdout);
		while (!stop) {
			struct pollfd p = { .fd = 0, .events = POLLIN };
			char c;

			if (poll(&p, 1, 1000) > 0 && read(0, &c, 1) <= 0)
				break;
		}
	}
out:
	for (int i = 0; i < made; i++)
		kill(inits[i], SIGKILL);
	for (int i = 0; i < made; i++)
		waitpid(inits[i], NULL, 0);
	free(inits);
	return rc;
}
