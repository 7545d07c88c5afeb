/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podsandbox-shim — the smallest conmon: keep a detached runc container's
 * exit status.
 *
 *   podsandbox-shim EXITFILE LOGFILE PIDFILE -- runc [GLOBAL...] run -d --pid-file PIDFILE ...
 *
 * `runc run -d` exits as soon as the container runs, so its init process is
 * re-parented to the nearest child subreaper, or to the host's PID 1, and
 * nobody we control ever sees how it ended.  This shim forks a daemon that
 * marks itself child subreaper, runs runc under it and so inherits the
 * container's init once runc exits; it then waits for that process and
 * writes "exited N" or "killed SIG" to EXITFILE (atomically, via rename).
 *
 * The foreground process exits with runc's own status as soon as runc
 * returns, so the caller knows at once whether the container started.
 * runc and the container write to LOGFILE; the daemon closes every other
 * descriptor so it holds no lock of the caller's.
 *
 * Exit status: runc's exit status; 1 when the shim itself failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *exit_file, *log_file, *pid_file;

static void die(const char *what)
{
	fprintf(stderr, "podsandbox-shim: %s: %s\n", what, strerror(errno));
	_exit(1);
}

/* Close every descriptor from 3 up except keep (the status pipe). */
static void close_others(int keep)
{
	if (keep > 3)
		close_range(3, (unsigned int)keep - 1, 0);
	close_range((unsigned int)keep + 1, ~0U, 0);
}

static int write_file_atomic(const char *path, const char *text)
{
	char tmp[4096];
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return -1;
	return rename(tmp, path);
}

static pid_t read_pid_file(void)
{
	char buf[32] = "";
	int fd = open(pid_file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

/* Run runc with stdio on the log; return its exit status (1 on odd ends). */
static int run_runc(char **argv)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "podsandbox-shim: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/* The daemon: start runc, report its status on wfd, then wait for the container. */
static void daemon_main(int wfd, char **argv)
{
	char text[64];
	int fd, rc, st;
	pid_t cpid, pid;

	close_others(wfd);
	setsid();
	/* Why: never keep the caller's cwd (maybe a directory rm deletes) busy. */
	if (chdir("/") < 0)
		die("chdir /");
	/* Why: orphans of runc (the container's init) come to us, not to PID 1. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("prctl(PR_SET_CHILD_SUBREAPER)");
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0)
		die("/dev/null");
	close(fd);
	fd = open(log_file, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		die(log_file);
	if (dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		die("dup2");
	close(fd);
	fcntl(wfd, F_SETFD, FD_CLOEXEC);

	rc = run_runc(argv);
	cpid = rc == 0 ? read_pid_file() : -1;
	if (rc == 0 && cpid <= 0) {
		fprintf(stderr, "podsandbox-shim: runc left no pid in %s\n", pid_file);
		rc = 1;
	}
	if (write(wfd, &rc, sizeof(rc)) != sizeof(rc))
		_exit(1);
	close(wfd);
	if (rc != 0)
		_exit(rc);

	for (;;) {
		pid = waitpid(-1, &st, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0) {
			/* Why: ECHILD means the init went somewhere else; say so. */
			write_file_atomic(exit_file, "unknown\n");
			_exit(1);
		}
		if (pid != cpid)
			continue;
		if (WIFEXITED(st))
			snprintf(text, sizeof(text), "exited %d\n", WEXITSTATUS(st));
		else
			snprintf(text, sizeof(text), "killed %d\n", WTERMSIG(st));
		if (write_file_atomic(exit_file, text) < 0)
			die(exit_file);
		_exit(0);
	}
}

int main(int argc, char **argv)
{
	int pfd[2], rc = 1;
	pid_t pid;

	if (argc < 6 || strcmp(argv[4], "--") != 0) {
		fprintf(stderr, "usage: podsandbox-shim EXITFILE LOGFILE PIDFILE -- runc ARGS...\n");
		return 2;
	}
	exit_file = argv[1];
	log_file = argv[2];
	pid_file = argv[3];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		die("pipe2");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(pfd[0]);
		daemon_main(pfd[1], argv + 5);
		_exit(1);
	}
	close(pfd[1]);
	/* EOF without a status: the daemon died before runc returned. */
	if (read(pfd[0], &rc, sizeof(rc)) != sizeof(rc)) {
		fprintf(stderr, "podsandbox-shim: lost the daemon before runc finished (see %s)\n", log_file);
		return 1;
	}
	return rc;
}
