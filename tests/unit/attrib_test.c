/* SPDX-License-Identifier: Apache-2.0 */
/* tests/unit/attrib_test.c — tests for userspace/attrib.c (TAP).
 *
 * Pure parts (cgroup path table, cmdline formatting) always run; the rest
 * needs root and uses real processes: a shell in a new UTS namespace, real
 * v1 and v2 cgroup directories named like containers, exited and zombie
 * processes.  Built with -DPW_ATTRIB_TEST_HOOKS (fault injection for the
 * failed-return-from-setns path).
 *
 *   attrib_test              run everything
 *   attrib_test --sleeper …  (internal) wait to be killed; argv is the test data
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tap.h"
#include "../../userspace/attrib.h"

/* Test container ids start with c0ffee so attrib.t can find leftovers. */
#define ID1 "c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
#define ID2 "c0ffeefedcba9876543210fedcba9876543210fedcba9876543210fedcba9876"
#define UID "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
#define UID_ "1b2c3d4e_5f60_4a7b_8c9d_0e1f2a3b4c5d"
#define SPOD "0123456789abcdef0123456789abcdef"
#define KBE "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice"
#define KBU "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice"
#define TEST_HOSTNAME "pw-uts-test"

/* ---- pure: cgroup path table ----------------------------------------- */

static const struct cg_case {
	const char *path;
	int ret;
	const char *runtime, *id, *pod, *what;
} cg_cases[] = {
	{ "/docker/" ID1, 1, "docker", ID1, "", "docker, cgroupfs driver" },
	{ "/system.slice/docker-" ID1 ".scope", 1, "docker", ID1, "", "docker, systemd driver" },
	{ "/docker/" ID1 "/docker/" ID2, 1, "docker", ID2, "", "docker in docker: innermost" },
	{ KBE "/docker-" ID1 ".scope", 1, "docker", ID1, UID, "docker under kubelet, systemd" },
	{ KBE "/cri-containerd-" ID1 ".scope", 1, "containerd", ID1, UID,
	  "containerd, systemd driver, besteffort pod" },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID1 ".scope", 1,
	  "containerd", ID1, UID, "containerd, systemd driver, guaranteed pod" },
	{ "/kubepods/besteffort/pod" UID "/" ID1, 1, "containerd", ID1, UID,
	  "containerd, cgroupfs driver, besteffort pod" },
	{ "/kubepods/pod" UID "/" ID1, 1, "containerd", ID1, UID,
	  "containerd, cgroupfs driver, guaranteed pod" },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" SPOD
	  ".slice/cri-containerd-" ID1 ".scope", 1, "containerd", ID1, SPOD,
	  "static pod: 32-hex UID" },
	{ KBU "/crio-" ID1 ".scope", 1, "cri-o", ID1, UID, "cri-o, systemd driver" },
	{ KBU "/crio-" ID1 ".scope/container", 1, "cri-o", ID1, UID,
	  "cri-o, systemd driver, nested container cgroup" },
	{ "/kubepods/burstable/pod" UID "/crio-" ID1, 1, "cri-o", ID1, UID, "cri-o, cgroupfs driver" },
	{ KBU "/crio-conmon-" ID1 ".scope", 0, "", "", UID, "crio-conmon is not the container" },
	{ "/kubepods/burstable/pod" UID "/crio-conmon-" ID1, 0, "", "", UID,
	  "crio-conmon (cgroupfs) is not the container" },
	{ "/machine.slice/libpod-" ID1 ".scope", 1, "podman", ID1, "", "podman, systemd" },
	{ "/machine.slice/libpod-" ID1 ".scope/container", 1, "podman", ID1, "",
	  "podman, systemd, nested container cgroup" },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID1 ".scope", 1,
	  "podman", ID1, "", "rootless podman" },
	{ "/libpod_parent/libpod-" ID1, 1, "podman", ID1, "", "podman, cgroupfs" },
	{ "/machine.slice/libpod-conmon-" ID1 ".scope", 0, "", "", "", "libpod-conmon is not the container" },
	{ "/libpod_parent/libpod-conmon-" ID1, 0, "", "", "", "libpod-conmon (cgroupfs) is not the container" },
	{ "/kubepods/besteffort/pod" UID, 0, "", "", UID, "pod cgroup alone: pod, no container" },
	/* negatives */
	{ "/", 0, "", "", "", "root" },
	{ "", 0, "", "", "", "empty" },
	{ "///", 0, "", "", "", "only slashes" },
	{ "/docker", 0, "", "", "", "/docker alone" },
	{ "/docker/", 0, "", "", "", "/docker/ with empty id" },
	{ "/user.slice/user-0.slice/session-1.scope", 0, "", "", "", "login session" },
	{ "/system.slice/containerd.service", 0, "", "", "", "containerd daemon itself" },
	{ "/process_api/c1cf1881eaf0e0ef598ef6b80cfe42c7", 0, "", "", "", "32-hex non-container (this host)" },
	{ "/system.slice/" ID1, 0, "", "", "", "bare id not under docker/ or a pod" },
	{ "/docker/" ID1 "0", 0, "", "", "", "65 hex: too long" },
	{ "/docker/c0ffee0123456789abcdef0123456789abcdef0123456789abcdef012345678", 0, "", "", "",
	  "63 hex: too short" },
	{ "/docker/C0FFEE0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789", 0, "", "", "",
	  "uppercase hex" },
	{ "/docker/g0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123456789", 0, "", "", "",
	  "non-hex digit" },
	{ "/system.slice/docker-" ID1 ".scopex", 0, "", "", "", "bad suffix" },
	{ "/system.slice/docker-" ID1, 0, "", "", "", "docker- without .scope" },
	{ "/machine.slice/libpod-" ID1 "x.scope", 0, "", "", "", "extra char before .scope" },
	{ "/kubepods/besteffort/podXYZ/" ID1, 0, "", "", "", "bad pod uid, bare id not attributed" },
	{ "/kubepods/besteffort/pod1b2c3d4e5-f60-4a7b-8c9d-0e1f2a3b4c5d/" ID1, 0, "", "", "",
	  "pod uid with misplaced dash" },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ "x.slice", 0,
	  "", "", "", "systemd pod slice with junk" },
};

static void test_cgroup_table(void)
{
	for (size_t i = 0; i < sizeof(cg_cases) / sizeof(cg_cases[0]); i++) {
		const struct cg_case *c = &cg_cases[i];
		struct pw_attrib a;
		int r;

		/* stale values must be cleared */
		memset(&a, 'z', sizeof(a));
		a.container_id[64] = a.runtime[15] = a.pod_uid[36] = '\0';
		r = pw_cgroup_parse(c->path, &a);
		ok(r == c->ret && !strcmp(a.runtime, c->runtime) &&
		   !strcmp(a.container_id, c->id) && !strcmp(a.pod_uid, c->pod),
		   "cgroup parse: %s", c->what);
		if (r != c->ret || strcmp(a.runtime, c->runtime) ||
		    strcmp(a.container_id, c->id) || strcmp(a.pod_uid, c->pod))
			diag("path '%s': got %d '%s' '%s' '%s'", c->path, r, a.runtime,
			     a.container_id, a.pod_uid);
	}
	is_int(pw_cgroup_parse(NULL, &(struct pw_attrib){ 0 }), 0, "cgroup parse: NULL path");
}

/* ---- pure: cmdline formatting ---------------------------------------- */

static void fmt_is(const char *raw, size_t n, bool more, const char *want, const char *what)
{
	char out[256];
	size_t len = pw_cmdline_format(raw, n, more, out, sizeof(out));

	is_str(out, want, "cmdline: %s", what);
	if (len != strlen(out))
		ok(0, "cmdline: %s: returned length %zu != %zu", what, len, strlen(out));
}

#define FMT_IS(lit, more, want, what) fmt_is(lit, sizeof(lit) - 1, more, want, what)

static void test_cmdline_format(void)
{
	static const char e_acute[2] = { '\xc3', '\xa9' };			/* U+00E9 */
	static const char g_clef[4] = { '\xf0', '\x9d', '\x84', '\x9e' };	/* U+1D11E */
	char raw[400], want[300];

	FMT_IS("sleep\0" "1000\0", false, "sleep 1000", "argv joined by single spaces");
	FMT_IS("", false, "", "empty (kernel thread, zombie)");
	FMT_IS("a\0\0b\0", false, "a  b", "empty argument kept as an empty word");
	FMT_IS("title padded\0\0\0\0\0", false, "title padded", "trailing NUL padding dropped");
	FMT_IS("a\tb\x1b[31m\x7f\0c\0", false, "a?b?[31m? c", "controls and DEL replaced by '?'");
	FMT_IS("caf\xc3\xa9\0\xff\0", false, "caf\xc3\xa9 \xff", "bytes >= 0x80 kept (JSON fixes invalid)");
	FMT_IS("abc\0", true, "abc...", "more than was read: marker");
	FMT_IS("ab\xe2\x82", true, "ab...", "read ended inside a UTF-8 char: char dropped");

	memset(raw, 'x', sizeof(raw));
	memset(want, 'x', 255);
	want[255] = '\0';
	fmt_is(raw, 255, false, want, "exactly 255 bytes: fits, no marker");
	memset(want, 'x', 252);
	snprintf(want + 252, sizeof(want) - 252, "...");
	fmt_is(raw, 256, false, want, "256 bytes: 252 + \"...\"");
	fmt_is(raw, sizeof(raw), false, want, "400 bytes: 252 + \"...\"");

	/* raw is bytes with a length, not a string: the UTF-8 chars go in
	 * as byte arrays, with no terminator */
	/* 2-byte char straddling the cut at 252: dropped whole */
	memcpy(raw + 251, e_acute, sizeof(e_acute));
	memset(want, 'x', 251);
	snprintf(want + 251, sizeof(want) - 251, "...");
	fmt_is(raw, 300, false, want, "cut inside a 2-byte char backs up");
	/* ending right at the cut: kept */
	memset(raw, 'x', sizeof(raw));
	memcpy(raw + 250, e_acute, sizeof(e_acute));
	memcpy(want, raw, 252);
	snprintf(want + 252, sizeof(want) - 252, "...");
	fmt_is(raw, 300, false, want, "char ending at the cut kept");
	/* 4-byte char straddling */
	memset(raw, 'x', sizeof(raw));
	memcpy(raw + 250, g_clef, sizeof(g_clef));
	memset(want, 'x', 250);
	snprintf(want + 250, sizeof(want) - 250, "...");
	fmt_is(raw, 300, false, want, "cut inside a 4-byte char backs up");
}

/* ---- helpers for the real-process tests ------------------------------ */

static pid_t children[8];
static int nchildren;
static char cg_dirs[16][1024];
static int ncg_dirs;

static void kill_child(pid_t pid)
{
	for (int i = 0; i < nchildren; i++) {
		if (children[i] != pid)
			continue;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		children[i] = children[--nchildren];
		return;
	}
}

static void cleanup(void)
{
	while (nchildren)
		kill_child(children[0]);
	while (ncg_dirs) {
		const char *d = cg_dirs[--ncg_dirs];
		int r = rmdir(d);

		/* the killed child may take a moment to leave the cgroup */
		for (int i = 0; r && errno == EBUSY && i < 500; i++) {
			usleep(10000);
			r = rmdir(d);
		}
		if (r && errno != ENOENT)
			fprintf(stderr, "attrib_test: rmdir %s: %m\n", d);
	}
}

static pid_t spawn(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid > 0)
		children[nchildren++] = pid;
	return pid;
}

static ssize_t slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Poll (generous liveness bound) until /proc/PID/cmdline starts with want
 * (n bytes, may contain NULs), i.e. the child has exec'd what we expect. */
static bool wait_cmdline(pid_t pid, const char *want, size_t n)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	for (int i = 0; i < 1000; i++) {
		ssize_t got = slurp(path, buf, sizeof(buf));

		if (got >= (ssize_t)n && memcmp(buf, want, n) == 0)
			return true;
		usleep(10000);
	}
	return false;
}

static ino_t ns_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/* Our comm, from prctl (under valgrind it is not "attrib_test"). */
static const char *my_comm(void)
{
	static char name[17];

	prctl(PR_GET_NAME, name);
	return name;
}

static const char *own_hostname(void)
{
	static struct utsname u;

	uname(&u);
	return u.nodename;
}

/* ---- UTS ------------------------------------------------------------- */

static pid_t uts_child;
static char host_name[65];

struct thr {
	pid_t pid;
	int iterations, bad;
	int fd;
	int r1, r2, r3;
	char got1[65], got2[65], got3[65];
	ino_t ino_before, ino_after;
};

/* Many lookups on one thread while main runs uname(): main must never see
 * the foreign hostname (UTS is per-thread nsproxy), this one always. */
static void *hammer(void *arg)
{
	struct thr *t = arg;
	char buf[65];

	for (int i = 0; i < t->iterations; i++)
		if (pw_uts_hostname(t->pid, buf, sizeof(buf)) || strcmp(buf, TEST_HOSTNAME))
			t->bad++;
	return NULL;
}

static void test_uts_threads(pid_t child)
{
	struct thr t = { .pid = child, .iterations = 3000 };
	pthread_t th;
	int main_bad = 0, rounds = 0;

	if (pthread_create(&th, NULL, hammer, &t)) {
		ok(0, "pthread_create");
		return;
	}
	/* keep looking until the other thread has finished */
	while (pthread_tryjoin_np(th, NULL) == EBUSY) {
		struct utsname u;

		uname(&u);
		main_bad += strcmp(u.nodename, host_name) != 0;
		rounds++;
		/* under valgrind threads take turns: let the other one run */
		sched_yield();
	}
	is_int(t.bad, 0, "%d lookups from a second thread all returned %s", t.iterations,
	       TEST_HOSTNAME);
	is_int(main_bad, 0, "main thread's uname() never saw it (%d calls meanwhile)", rounds);
}

/* A thread parked in the foreign namespace (raw setns) must not move the
 * main thread, and pw_uts_hostname on it must compare against the thread's
 * own namespace (/proc/thread-self), not the leader's (/proc/self). */
static pthread_barrier_t bar;

static void *parked(void *arg)
{
	struct thr *t = arg;

	t->r1 = setns(t->fd, CLONE_NEWUTS);
	pthread_barrier_wait(&bar);	/* main checks its own view now */
	pthread_barrier_wait(&bar);
	t->ino_before = ns_ino("/proc/thread-self/ns/uts");
	/* our own pid lives in the original namespace: must setns there */
	t->r2 = pw_uts_hostname(getpid(), t->got2, sizeof(t->got2));
	t->ino_after = ns_ino("/proc/thread-self/ns/uts");
	t->r3 = pw_uts_hostname(t->pid, t->got3, sizeof(t->got3));
	snprintf(t->got1, sizeof(t->got1), "%s", own_hostname());
	return NULL;
}

static void test_uts_parked_thread(pid_t child)
{
	struct thr t = { .pid = child };
	char path[64];
	pthread_t th;

	snprintf(path, sizeof(path), "/proc/%d/ns/uts", child);
	t.fd = open(path, O_RDONLY | O_CLOEXEC);
	pthread_barrier_init(&bar, NULL, 2);
	if (t.fd < 0 || pthread_create(&th, NULL, parked, &t)) {
		ok(0, "open %s / pthread_create", path);
		return;
	}
	pthread_barrier_wait(&bar);
	is_int(t.r1, 0, "second thread setns into the child's UTS namespace");
	is_str(own_hostname(), host_name, "main thread's hostname unchanged meanwhile");
	pthread_barrier_wait(&bar);
	pthread_join(th, NULL);
	close(t.fd);
	pthread_barrier_destroy(&bar);
	is_int(t.r2, 0, "from the parked thread: lookup of our own pid ok");
	is_str(t.got2, host_name, "... returns the original hostname (thread-self compare)");
	ok(t.ino_before == t.ino_after && t.ino_before != 0,
	   "... and the thread is back in its (foreign) namespace");
	is_int(t.r3, 0, "from the parked thread: lookup of the child (same ns) ok");
	is_str(t.got3, TEST_HOSTNAME, "... returns %s", TEST_HOSTNAME);
	is_str(t.got1, TEST_HOSTNAME, "parked thread's own uname() still %s", TEST_HOSTNAME);
}

/* Failed return from setns: injected. */
static int fail_back, setns_calls;

static int hook(int fd, int nstype)
{
	if (setns_calls++ > 0 && fail_back) {
		errno = EINVAL;
		return -1;
	}
	return setns(fd, nstype);
}

static void *stranded(void *arg)
{
	struct thr *t = arg;

	pw_attrib_setns_hook = hook;
	setns_calls = 0;
	fail_back = 1;
	t->r1 = pw_uts_hostname(t->pid, t->got1, sizeof(t->got1));
	snprintf(t->got2, sizeof(t->got2), "%s", own_hostname());
	t->r2 = pw_uts_hostname(getpid(), t->got3, sizeof(t->got3));
	t->bad = setns_calls;
	fail_back = 0;
	t->r3 = pw_uts_hostname(getpid(), t->got3, sizeof(t->got3));
	t->iterations = strcmp(own_hostname(), host_name);
	pw_attrib_setns_hook = NULL;
	return NULL;
}

static void test_uts_stranded(pid_t child)
{
	struct thr t = { .pid = child };
	pthread_t th;

	/* on a scratch thread: if anything goes wrong it dies with it */
	if (pthread_create(&th, NULL, stranded, &t) || pthread_join(th, NULL)) {
		ok(0, "pthread_create");
		return;
	}
	is_int(t.r1, -ENOTRECOVERABLE, "setns back fails: -ENOTRECOVERABLE");
	is_str(t.got1, TEST_HOSTNAME, "... the hostname is still filled in");
	is_str(t.got2, TEST_HOSTNAME, "... and the thread really is stranded there");
	is_int(t.r2, -ENOTRECOVERABLE, "next call while return still fails: -ENOTRECOVERABLE");
	is_int(t.bad, 1 + 3 + 3, "return retried 3x per call, nothing else attempted");
	is_int(t.r3, 0, "once setns works again the next call recovers");
	is_str(t.got3, host_name, "... with the right hostname");
	is_int(t.iterations, 0, "... and the thread is back home");
}

static void test_uts(void)
{
	char script[] = "hostname " TEST_HOSTNAME " && exec sleep 1000";
	char *argv[] = { "unshare", "-u", "sh", "-c", script, NULL };
	static const char want_cmd[] = "sleep\0" "1000";
	ino_t own_before = ns_ino("/proc/thread-self/ns/uts");
	struct pw_attrib a;
	char buf[65];
	int r;

	snprintf(host_name, sizeof(host_name), "%s", own_hostname());
	uts_child = spawn(argv);
	if (!ok(uts_child > 0 && wait_cmdline(uts_child, want_cmd, sizeof(want_cmd)),
		"unshare -u sh -c 'hostname %s; exec sleep' started", TEST_HOSTNAME))
		return;
	r = pw_attrib_read(uts_child, &a);
	is_int(r, 0, "pw_attrib_read(child in new UTS ns) = 0");
	is_str(a.hostname, TEST_HOSTNAME, "hostname from the child's UTS namespace");
	is_str(a.comm, "sleep", "comm exact");
	is_str(a.cmdline, "sleep 1000", "cmdline exact");
	is_str(a.container_id, "", "no container");
	is_str(own_hostname(), host_name, "our hostname unchanged afterwards");
	ok(ns_ino("/proc/thread-self/ns/uts") == own_before, "our UTS namespace unchanged afterwards");

	is_int(pw_uts_hostname(uts_child, buf, sizeof(buf)), 0, "pw_uts_hostname(child) = 0");
	is_str(buf, TEST_HOSTNAME, "pw_uts_hostname(child)");
	is_int(pw_uts_hostname(uts_child, buf, 5), -ERANGE, "buffer of 5: -ERANGE");
	is_str(buf, "pw-u", "... truncated, NUL-terminated");
	is_int(pw_uts_hostname(getpid(), buf, sizeof(buf)), 0, "pw_uts_hostname(self) = 0");
	is_str(buf, host_name, "pw_uts_hostname(self) is our nodename");

	test_uts_threads(uts_child);
	test_uts_parked_thread(uts_child);
	test_uts_stranded(uts_child);
	is_str(own_hostname(), host_name, "main thread's hostname unchanged at the end");
	kill_child(uts_child);
}

/* ---- cgroups ----------------------------------------------------------- */

/* mkdir cgroup root/name (cleanup() removes it, children first). */
static bool cg_mkdir(const char *root, const char *name)
{
	if (ncg_dirs == 16)
		return false;
	snprintf(cg_dirs[ncg_dirs], sizeof(cg_dirs[0]), "%s/%s", root, name);
	if (mkdir(cg_dirs[ncg_dirs], 0755) && errno != EEXIST) {
		diag("mkdir %s: %s", cg_dirs[ncg_dirs], strerror(errno));
		return false;
	}
	ncg_dirs++;
	return true;
}

/* mkdir cgroup root/name and move pid into it. */
static bool cg_move(const char *root, const char *name, pid_t pid)
{
	char path[1100];
	FILE *f;
	int r;

	if (!cg_mkdir(root, name))
		return false;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg_dirs[ncg_dirs - 1]);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "%d\n", pid);
	r = fclose(f);
	if (r)
		diag("write %s: %s", path, strerror(errno));
	return r == 0;
}

/* The v2 line of /proc/PID/cgroup ("0::PATH"), or "" */
static void v2_path(pid_t pid, char *out, size_t len)
{
	char path[64], buf[8192], *p;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	out[0] = '\0';
	if (slurp(path, buf, sizeof(buf)) < 0)
		return;
	p = strstr(buf, "\n0::");
	p = p ? p + 4 : (strncmp(buf, "0::", 3) == 0 ? buf + 3 : NULL);
	if (p)
		snprintf(out, len, "%.*s", (int)strcspn(p, "\n"), p);
}

static void test_self(void)
{
	struct pw_attrib a;
	char want[512];

	is_int(pw_attrib_read(getpid(), &a), 0, "pw_attrib_read(self) = 0");
	is_str(a.comm, my_comm(), "self: comm (as prctl(PR_GET_NAME) says)");
	is_str(a.hostname, host_name[0] ? host_name : own_hostname(), "self: hostname");
	v2_path(getpid(), want, sizeof(want));
	is_str(a.cgroup, want, "self: no container, cgroup = the v2 path");
	is_str(a.container_id, "", "self: no container id");
	is_str(a.runtime, "", "self: no runtime");
}

/* A container cgroup 8 levels deep, path > 511 bytes: recognised, and the
 * cgroup field keeps "..." + the last 508 bytes (the container end). */
static void test_cgroup_long(pid_t pid)
{
	char rel[1024] = "", want[512];
	struct pw_attrib a;
	size_t n;

	for (int i = 0; i < 8; i++) {
		n = strlen(rel);
		snprintf(rel + n, sizeof(rel) - n, "/pw-deep-%d-%s", i,
			 "cccccccccccccccccccccccccccccccccccccccccccccccccc");
		if (!cg_mkdir("/sys/fs/cgroup/pids", rel + 1)) {
			ok(0, "mkdir nested cgroup %s", rel);
			return;
		}
	}
	n = strlen(rel);
	snprintf(rel + n, sizeof(rel) - n, "/libpod-" ID1 ".scope");
	if (!ok(cg_move("/sys/fs/cgroup/pids", rel + 1, pid),
		"moved sleeper %zu bytes deep into v1 pids", strlen(rel)))
		return;
	snprintf(want, sizeof(want), "...%s", rel + strlen(rel) - 508);
	is_int(pw_attrib_read(pid, &a), 0, "deep cgroup: pw_attrib_read = 0");
	is_str(a.container_id, ID1, "deep cgroup: container id");
	is_str(a.runtime, "podman", "deep cgroup: runtime");
	is_str(a.cgroup, want, "deep cgroup: \"...\" + last 508 bytes of the path");
}

static void test_cgroup_real(const char *self_exe)
{
	char longarg[301], want[300], *argv[6];
	struct pw_attrib a;
	pid_t pid;
	int r;

	/* A child of ours with awkward argv: control char, UTF-8, too long. */
	memset(longarg, 'x', 300);
	longarg[300] = '\0';
	argv[0] = "attrib_test";
	argv[1] = "--sleeper";
	argv[2] = "tab\there";
	argv[3] = "\xc3\xbcn\xc3\xaf";
	argv[4] = longarg;
	argv[5] = NULL;
	pid = fork();
	if (pid == 0) {
		execv(self_exe, argv);
		_exit(127);
	}
	if (!ok(pid > 0, "fork sleeper"))
		return;
	children[nchildren++] = pid;
	if (!ok(wait_cmdline(pid, "attrib_test\0--sleeper", 22), "sleeper exec'd"))
		return;
	/* the tab becomes '?', UTF-8 stays, x's up to 252 bytes, "..." */
	snprintf(want, sizeof(want), "attrib_test --sleeper tab?here \xc3\xbcn\xc3\xaf ");
	memset(want + strlen(want), 'x', 252 - strlen(want));
	snprintf(want + 252, sizeof(want) - 252, "...");

	r = cg_move("/sys/fs/cgroup/pids", "libpod-" ID1 ".scope", pid);
	if (!ok(r, "moved sleeper into v1 pids cgroup libpod-<id>.scope"))
		goto out;
	r = pw_attrib_read(pid, &a);
	is_int(r, 0, "pw_attrib_read(sleeper) = 0");
	is_str(a.comm, "attrib_test", "sleeper: comm");
	is_str(a.cmdline, want, "sleeper: cmdline with tab as '?', UTF-8 kept, cut to 252+...");
	is_str(a.runtime, "podman", "v1 libpod-<id>.scope: runtime podman");
	is_str(a.container_id, ID1, "v1 libpod-<id>.scope: container id");
	is_str(a.cgroup, "/libpod-" ID1 ".scope", "v1: cgroup is the pids path");
	is_str(a.hostname, host_name, "sleeper: our hostname");
	test_cgroup_long(pid);

	if (access("/sys/fs/cgroup/unified/cgroup.procs", W_OK)) {
		skip("v2 line preferred over v1", "no writable v2 hierarchy at /sys/fs/cgroup/unified");
		goto out;
	}
	r = cg_move("/sys/fs/cgroup/unified", "docker-" ID2 ".scope", pid);
	if (!ok(r, "moved sleeper into v2 cgroup docker-<id2>.scope too"))
		goto out;
	r = pw_attrib_read(pid, &a);
	is_int(r, 0, "pw_attrib_read(sleeper) = 0");
	is_str(a.runtime, "docker", "v2 line naming a container wins over v1: docker");
	is_str(a.container_id, ID2, "... with the v2 container id");
	is_str(a.cgroup, "/docker-" ID2 ".scope", "... and the v2 path");
out:
	kill_child(pid);
	cleanup();
	ok(access("/sys/fs/cgroup/pids/libpod-" ID1 ".scope", F_OK) && errno == ENOENT,
	   "test cgroup directories removed");
}

static void test_gone(void)
{
	struct pw_attrib a;
	char path[64], buf[512], *p;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	is_int(pw_attrib_read(pid, &a), -ESRCH, "reaped pid: -ESRCH");
	is_int(pw_uts_hostname(pid, buf, sizeof(buf)), -ESRCH, "reaped pid: pw_uts_hostname -ESRCH");
	is_int(pw_attrib_read(0, &a), -EINVAL, "pid 0: -EINVAL");

	pid = fork();
	if (pid == 0)
		_exit(0);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int i = 0; i < 1000; i++) {	/* until it is a zombie */
		if (slurp(path, buf, sizeof(buf)) > 0 && (p = strrchr(buf, ')')) && p[2] == 'Z')
			break;
		usleep(10000);
	}
	is_int(pw_attrib_read(pid, &a), -ESRCH, "zombie: -ESRCH (exited: no namespaces left)");
	is_str(a.comm, my_comm(), "zombie: comm still filled in");
	is_str(a.cmdline, "", "zombie: empty cmdline");
	waitpid(pid, NULL, 0);
}

/* Open fds of this process (every error path must close what it opened). */
static int count_fds(void)
{
	char path[64];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n += access(path, F_OK) == 0;
	}
	return n;
}

/* s on stderr, from a signal handler: write(2) only */
static void say_raw(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	if (write(STDERR_FILENO, s, n) < 0)
		return;
}

/*
 * SIGTERM/SIGINT: what cleanup() does, with async-signal-safe calls only
 * (kill, waitpid, rmdir, access, poll, write), reading the lists without
 * changing them (the main thread may be in the middle of an update); then
 * die by the signal.
 */
static void on_signal(int sig)
{
	for (int i = 0; i < nchildren; i++) {
		kill(children[i], SIGKILL);
		waitpid(children[i], NULL, 0);
	}
	for (int k = ncg_dirs - 1; k >= 0; k--) {
		/* the killed child may take a moment to leave the cgroup */
		for (int i = 0; rmdir(cg_dirs[k]) && access(cg_dirs[k], F_OK) == 0; i++) {
			if (i == 500) {
				say_raw("attrib_test: cannot remove ");
				say_raw(cg_dirs[k]);
				say_raw("\n");
				break;
			}
			poll(NULL, 0, 10);
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	char self_exe[4096];
	ssize_t n;
	int fds;

	if (argc > 1 && strcmp(argv[1], "--sleeper") == 0) {
		for (;;)
			pause();
	}
	if (argc != 1) {
		fprintf(stderr, "usage: %s\n", argv[0]);
		return 2;
	}
	test_cgroup_table();
	test_cmdline_format();
	if (geteuid() != 0) {
		skip("real processes, namespaces and cgroups", "needs root");
		return done_testing();
	}
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	self_exe[n > 0 ? n : 0] = '\0';
	fds = count_fds();
	atexit(cleanup);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	test_uts();
	test_self();
	test_cgroup_real(self_exe);
	test_gone();
	cleanup();
	is_int(count_fds(), fds, "no file descriptors leaked (ok, error and stranded paths)");
	return done_testing();
}
