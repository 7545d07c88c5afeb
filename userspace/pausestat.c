/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pausestat — print the counters page of a running pause (pause/pause_stats.h)
 * given its host pid.  Reads through userspace/pause_page.c, which validates
 * everything (the page is written from inside a container).
 *
 *   pausestat PID [--json]
 *
 * Exit: 0 ok, 1 runtime failure (no such process, no page, invalid page,
 * permission), 2 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>

#include "pause_page.h"
#include "textsafe.h"

/* A page caught while pause creates it is retried this long (it takes
 * microseconds), then reported as not ready. */
#define NOT_READY_WAIT_MS	200

#ifndef PW_VERSION
#define PW_VERSION "0.0.0-dev"
#endif

static const char usage_text[] =
"Usage: pausestat PID [--json]\n"
"\n"
"Print the counters of the pause (pause mode or init mode) running as host\n"
"process PID: what it reaped (by outcome), the last reap, the signals it\n"
"received, forwarding and --grace drain counts.  They come from the sealed\n"
"memfd \"pause-stats\" pause keeps open; pausestat finds it in /proc/PID/fd,\n"
"proves it is a sealed memfd, maps it read-only and validates it (see\n"
"docs/counters-page.md, docs/SECURITY.md).  A page pause is still creating\n"
"is retried for 0.2 s, then reported as not ready yet.\n"
"\n"
"  --json         one JSON object on one line instead of text\n"
"  -h, --help     this help\n"
"  -V, --version  print the version\n"
"\n"
"Exit status: 0 ok, 1 no such process / no counters page / page not ready\n"
"yet / invalid page / permission denied (reading another user's\n"
"/proc/PID/fd needs root, or CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE),\n"
"2 usage error.\n";

static void print_status(int status)
{
	if (WIFEXITED(status))
		printf("exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("killed by signal %d%s", WTERMSIG(status),
		       WCOREDUMP(status) ? " (core dumped)" : "");
	else
		printf("status 0x%x", (unsigned)status);
}

static void print_time(uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	char buf[32];

	if (gmtime_r(&t, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm))
		printf("%s.%03uZ", buf, (unsigned)(ns / 1000000 % 1000));
	else
		printf("%" PRIu64 " ns", ns);
}

static void print_text(pid_t host_pid, const struct pause_stats *s)
{
	char name[16];
	int i, any = 0;

	printf("pause %d (pid %" PRId32 " in its namespace), %s mode", (int)host_pid, s->pid,
	       s->mode == PAUSE_MODE_INIT ? "init" : "pause");
	if (s->mode == PAUSE_MODE_INIT)
		printf(", main child %" PRId32, s->child_pid);
	printf("\nstarted:    ");
	print_time(s->start_time_ns);
	printf("\nhardening:  no_new_privs %s, seccomp %s, %s\n",
	       s->flags & PAUSE_STATS_F_NO_NEW_PRIVS ? "on" : "off",
	       s->flags & PAUSE_STATS_F_SECCOMP ? "on" : "off",
	       s->flags & PAUSE_STATS_F_SUBREAPER ? "child subreaper (not PID 1)" : "PID 1");
	if (s->flags & PAUSE_STATS_F_NO_CAPS)
		printf("capabilities: all dropped (bounding set included)\n");
	printf("reaped:     %" PRIu64 " (exit 0: %" PRIu64 ", exit 1-255: %" PRIu64
	       ", signaled: %" PRIu64 ", core dumped: %" PRIu64 ")\n",
	       s->reaped_total, s->reaped_exit_zero, s->reaped_exit_nonzero,
	       s->reaped_signaled, s->reaped_core_dumped);
	if (s->reaped_total) {
		printf("last reap:  pid %" PRId32 " ", s->last_reap.pid);
		print_status(s->last_reap.status);
		printf(" at ");
		print_time(s->last_reap.time_ns);
		printf("\n");
	}
	printf("signals:   ");
	for (i = 1; i < PAUSE_STATS_NSIG; i++) {
		if (!s->signals[i])
			continue;
		printf(" %s %" PRIu64, pause_page_signame(i, name, sizeof(name)), s->signals[i]);
		any = 1;
	}
	printf("%s\n", any ? "" : " none");
	if (s->mode == PAUSE_MODE_INIT)
		printf("forwarded:  %" PRIu64 "\n", s->signals_forwarded);
	if (s->drain_runs)
		printf("drain:      %" PRIu64 " found left, %" PRIu64 " sent SIGTERM, %" PRIu64
		       " exited in the grace period, %" PRIu64 " got SIGKILL\n", s->drain_found,
		       s->drain_sent_term, s->drain_exited_on_term, s->drain_killed);
}

/* The process's comm, made safe to print (it is the container's to choose). */
static const char *safe_comm(pid_t pid, char *out, size_t outlen)
{
	char path[64], raw[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		n = read(fd, raw, sizeof(raw) - 1);
		close(fd);
	}
	if (n <= 0)
		return "?";
	if (raw[n - 1] == '\n')
		n--;
	pw_text_safe(out, outlen, raw, (size_t)n, 16);
	return out;
}

/* Read the page; a page being created is tried again for a moment. */
static int read_page(pid_t pid, struct pause_stats *s, char *err, size_t errlen)
{
	struct timespec pause_5ms = { 0, 5L * 1000 * 1000 };
	int rc;

	for (int waited = 0;; waited += 5) {
		rc = pause_page_read(pid, s, err, errlen);
		if (rc != -EAGAIN || waited >= NOT_READY_WAIT_MS)
			return rc;
		nanosleep(&pause_5ms, NULL);
	}
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "pausestat: %s%s%s\n\n%s", msg, arg ? ": " : "", arg ? arg : "", usage_text);
	return 2;
}

int main(int argc, char **argv)
{
	struct pause_stats s;
	const char *pid_arg = NULL;
	char err[256], comm[64], *end;
	int i, json = 0, rc;
	long pid;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("pausestat %s\n", PW_VERSION);
			return 0;
		}
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] == '-')
			return usage_error("unknown option", argv[i]);
		else if (pid_arg)
			return usage_error("more than one PID", argv[i]);
		else
			pid_arg = argv[i];
	}
	if (!pid_arg)
		return usage_error("missing PID", NULL);
	errno = 0;
	pid = strtol(pid_arg, &end, 10);
	if (errno || end == pid_arg || *end || pid <= 0 || pid > 0x3fffffff)
		return usage_error("PID must be a positive process id", pid_arg);

	rc = read_page((pid_t)pid, &s, err, sizeof(err));
	if (rc) {
		/* err holds numbers and our own words only, never container bytes */
		fprintf(stderr, "pausestat: %s\n", err);
		if (rc == -EACCES || rc == -EPERM)
			fprintf(stderr, "pausestat: run as root (or as the user pause runs as)\n");
		else if (rc == -EAGAIN)
			fprintf(stderr, "pausestat: the counters page of %ld is not ready yet (pause is "
				"still creating it); try again\n", pid);
		else if (rc == -EINVAL || rc == -EBUSY)
			fprintf(stderr, "pausestat: the page is not trustworthy; is %ld (%s) really our "
				"pause?\n", pid, safe_comm((pid_t)pid, comm, sizeof(comm)));
		return 1;
	}
	if (json) {
		pause_page_json(stdout, &s);
		putchar('\n');
	} else {
		print_text((pid_t)pid, &s);
	}
	if (fflush(stdout) != 0) {
		perror("pausestat: writing output");
		return 1;
	}
	return 0;
}
