/* lifecycle N — fork, exit and reap N children, one at a time; prints the
 * wall time in ns.  The workload of the BPF benchmark. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = 10000;
	struct timespec a, b;

	if (argc > 1) {
		char *end;

		errno = 0;
		n = strtol(argv[1], &end, 10);
		if (end == argv[1] || *end || errno || n <= 0) {
			fprintf(stderr, "lifecycle: N must be a whole number > 0, not '%s'\n"
					"usage: lifecycle N\n", argv[1]);
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0) {
			perror("lifecycle: fork");
			return 1;
		}
		if (p == 0)
			_exit(0);
		if (waitpid(p, NULL, 0) != p) {
			perror("lifecycle: waitpid");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
	return 0;
}
