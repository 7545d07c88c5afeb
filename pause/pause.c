/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause — a Kubernetes pod-sandbox pause and a docker-run --init, in one small
 * static binary, that counts what it does in a sealed memfd page
 * (pause/pause_stats.h, docs/counters-page.md).
 *
 *   pause [options]                 pause mode: sleep, reap, exit 0 on TERM/INT
 *   pause [options] -- CMD [ARG...] init mode: run CMD, forward signals, follow
 *                                   its job-control stops, exit with its status
 *
 * Every signal is blocked and read from a blocking signalfd, so pause never
 * wakes up unless something happened (no timers, no polling) and nothing runs
 * in signal-handler context.  See docs/pause.md for the behaviour in detail.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "pause_stats.h"
#include "pause_seccomp.h"

#ifndef PW_VERSION
#define PW_VERSION "0.0.0-dev"
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x1U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x2U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x8U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_SEAL 0x1
#define F_SEAL_SHRINK 0x2
#define F_SEAL_GROW 0x4
#endif

#define KSIGSET_ALL	(~0ULL & ~(1ULL << (SIGKILL - 1)) & ~(1ULL << (SIGSTOP - 1)))

static struct {
	int grace_ms;		/* --grace, -1 = no drain, 0 = SIGKILL at once */
	int term_left;		/* --term-left: SIGTERM what is left, no wait */
	int quiet_subreaper;	/* -s */
	int log_reaps;		/* -w */
	int group;		/* -g */
	int seccomp;		/* cleared by --no-seccomp */
	int clean_signals;	/* --clean-signals: CMD starts with no mask, no SIG_IGN */
	int pdeathsig;		/* -p, 0 = none */
	uint64_t remap[4];	/* -e: exit codes mapped to 0, a 256-bit set */
	/* -r / PAUSE_REWRITE: 0 = forward as is, else forward signal N-1
	 * instead (so 1 = swallow) */
	unsigned char rewrite[PAUSE_STATS_NSIG];
} opt = { .grace_ms = -1, .seccomp = 1 };

static struct pause_stats cur;		/* pause's own copy, published below */
static struct pause_stats *page = &cur;	/* the shared page (or cur if none) */
static int sfd = -1;			/* signalfd */
static pid_t self;
/* what pause was started with, bit N-1 = signal N: CMD gets them back */
static uint64_t start_mask, start_ign;
static int tty_fg;	/* init: our group had the terminal: CMD gets it */

/* ---- logging ---- */

/*
 * A small formatter instead of libc's printf family: that alone (float
 * formatting included) would be a quarter of the binary.  Knows %s %c %d
 * %u %zu %llu, which is all pause prints.  One write(2) per line so lines
 * from pause and its children never interleave mid-line.
 */
static char *put_u(char *p, char *end, unsigned long long v)
{
	char tmp[24];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n && p < end)
		*p++ = tmp[--n];
	return p;
}

/* s into p, up to end (not terminated); where it stopped */
static char *put_s(char *p, char *end, const char *s)
{
	while (*s && p < end)
		*p++ = *s++;
	return p;
}

static size_t vfmt(char *buf, size_t len, const char *f, va_list ap)
{
	char *p = buf, *end = buf + len;
	long long v;

	for (; *f && p < end; f++) {
		if (*f != '%') {
			*p++ = *f;
			continue;
		}
		switch (*++f) {
		case 's': p = put_s(p, end, va_arg(ap, const char *)); break;
		case 'c': *p++ = (char)va_arg(ap, int); break;
		case 'd':
			v = va_arg(ap, int);
			if (v < 0 && p < end) {
				*p++ = '-';
				v = -v;
			}
			p = put_u(p, end, (unsigned long long)v);
			break;
		case 'u': p = put_u(p, end, va_arg(ap, unsigned)); break;
		case 'z': f++; p = put_u(p, end, va_arg(ap, size_t)); break;
		case 'l': f += 2; p = put_u(p, end, va_arg(ap, unsigned long long)); break;
		default: *p++ = *f; break;
		}
	}
	return (size_t)(p - buf);
}

__attribute__((format(printf, 2, 3)))
static void fdsay(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = vfmt(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	buf[n++] = '\n';
	if (write(fd, buf, n) < 0)
		return;	/* nowhere left to complain to */
}

#define say(...) fdsay(STDERR_FILENO, __VA_ARGS__)

/* ---- counters page ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Copy cur into the shared page under the seqlock: seq odd, release fence,
 * the body as relaxed atomic word stores, then seq even with release.  A
 * reader that sees the same even seq before and after its copy (with an
 * acquire fence in between) has a consistent snapshot.
 */
static void publish(void)
{
	const uint64_t *src = (const uint64_t *)&cur;
	uint64_t *dst = (uint64_t *)page;
	uint64_t seq;
	size_t i, first = offsetof(struct pause_stats, seq) / 8 + 1;

	if (page == &cur)
		return;
	seq = __atomic_load_n(&page->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&page->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (i = first; i < sizeof(cur) / 8; i++)
		__atomic_store_n(&dst[i], src[i], __ATOMIC_RELAXED);
	__atomic_store_n(&page->seq, seq + 2, __ATOMIC_RELEASE);
}

/*
 * One 4 KiB memfd, sealed so nobody (not even a process in the container
 * that opens it through /proc) can shrink it under a reader's mapping and
 * SIGBUS the host collector.  Failure is not fatal: a pod must start even on
 * a kernel or runtime that forbids memfd; the counters then live in cur only.
 *
 * A reader may look at any moment, so the page goes from "empty" to
 * "complete" in as few steps as the kernel allows: one write() gives it its
 * size and its header together (never sized without magic/abi/size), the
 * seals follow at once (sealed implies complete), and only then is it mapped.
 */
static void page_setup(void)
{
	const unsigned seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
	unsigned fl = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	/* The whole first page, built here so every byte of it is resident:
	 * the kernel copies a write() with page faults off and, when it meets
	 * a page not yet mapped (an untouched .bss page), commits what it has
	 * copied so far, size included, before faulting it in and going on. */
	char first[PAUSE_STATS_PAGE] __attribute__((aligned(8))) = { 0 };
	void *p;
	int fd;

	memcpy(first, &cur, sizeof(cur));
	/* MFD_NOEXEC_SEAL (6.3+) keeps the kernel from warning; older: EINVAL */
	fd = (int)syscall(SYS_memfd_create, PAUSE_STATS_NAME, fl | MFD_NOEXEC_SEAL);
	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_memfd_create, PAUSE_STATS_NAME, fl);
	if (fd < 0) {
		say("pause: warning: memfd_create: %s; counters page disabled", strerror(errno));
		return;
	}
	errno = 0;
	if (write(fd, first, sizeof(first)) != (ssize_t)sizeof(first) ||
	    fcntl(fd, F_ADD_SEALS, seals) < 0) {
		say("pause: warning: filling/sealing the counters page: %s; disabled",
		    errno ? strerror(errno) : "short write");
		close(fd);
		return;
	}
	p = mmap(NULL, PAUSE_STATS_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		say("pause: warning: mmap counters page: %s; disabled", strerror(errno));
		close(fd);
		return;
	}
	/* fd stays open for pause's whole life: readers find the page by it */
	page = p;
}

static void count_reap(pid_t pid, int status)
{
	cur.reaped_total++;
	if (WIFEXITED(status))
		WEXITSTATUS(status) ? cur.reaped_exit_nonzero++ : cur.reaped_exit_zero++;
	else if (WCOREDUMP(status))
		cur.reaped_core_dumped++;
	else
		cur.reaped_signaled++;
	cur.last_reap.pid = pid;
	cur.last_reap.status = status;
	cur.last_reap.time_ns = now_ns();
	publish();
	if (!opt.log_reaps)
		return;
	if (WIFEXITED(status))
		say("pause: reaped pid %d: exited %d", pid, WEXITSTATUS(status));
	else
		say("pause: reaped pid %d: killed by signal %d%s", pid, WTERMSIG(status),
		    WCOREDUMP(status) ? " (core dumped)" : "");
}

/*
 * Collect every child that has exited; returns the main child's status
 * through *main_status when it was among them (else leaves it alone).  With
 * a main child (init mode) stops are reported too (WUNTRACED): the main
 * child's stop signal goes to *main_stop, other stops are not reaps and are
 * passed over (the kernel reports each stop once, so the loop ends).
 */
static void reap_all(pid_t main_child, int *main_status, int *main_stop)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG | (main_child ? WUNTRACED : 0))) > 0) {
		if (WIFSTOPPED(st)) {
			if (pid == main_child)
				*main_stop = WSTOPSIG(st);
			continue;
		}
		count_reap(pid, st);
		if (pid == main_child)
			*main_status = st;
	}
}

static void summary(void)
{
	uint64_t nsig = 0;
	int i;

	for (i = 1; i < PAUSE_STATS_NSIG; i++)
		nsig += cur.signals[i];
	say("pause: reaped %llu (exit 0: %llu, exit 1-255: %llu, signaled: %llu, "
	    "core dumped: %llu), signals received %llu, forwarded %llu",
	    (unsigned long long)cur.reaped_total, (unsigned long long)cur.reaped_exit_zero,
	    (unsigned long long)cur.reaped_exit_nonzero, (unsigned long long)cur.reaped_signaled,
	    (unsigned long long)cur.reaped_core_dumped, (unsigned long long)nsig,
	    (unsigned long long)cur.signals_forwarded);
}

/* ---- signals ---- */

static int ksigmask(int how, uint64_t set, uint64_t *old)
{
	return (int)syscall(SYS_rt_sigprocmask, how, &set, old, sizeof(set));
}

/* struct sigaction as the kernel takes it (rt_sigaction, 8-byte mask) */
struct ksigaction { unsigned long handler, flags, restorer; uint64_t mask; };

/*
 * Start from a known state whatever our parent left us: SIG_IGN is the only
 * disposition that survives exec, so put every ignored signal back to
 * SIG_DFL (an ignored SIGCHLD would even make the kernel auto-reap behind
 * our back), and read every signal from a signalfd (main() blocked them
 * all first thing, see there).  What we were given
 * (mask and SIG_IGN set) is kept for CMD: `nohup pause -- CMD` or a blocked
 * signal must reach CMD as they would without an init in between.  Raw
 * syscalls: libc wrappers refuse the signals libc reserves for itself
 * (32-34 on musl).
 */
static int signals_setup(void)
{
	struct ksigaction ka, dfl = { 0 };
	uint64_t all = KSIGSET_ALL;
	int sig;

	for (sig = 1; sig <= 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (syscall(SYS_rt_sigaction, sig, NULL, &ka, 8) == 0 &&
		    ka.handler == (unsigned long)SIG_IGN) {
			start_ign |= 1ULL << (sig - 1);
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, 8);
		}
	}
	sfd = (int)syscall(SYS_signalfd4, -1, &all, sizeof(all), SFD_CLOEXEC);
	if (sfd < 0) {
		say("pause: signalfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* In CMD before exec: the mask and SIG_IGN set pause was started with
 * (--clean-signals: nothing blocked, nothing ignored). */
static void child_signals(void)
{
	struct ksigaction ign = { .handler = (unsigned long)SIG_IGN };
	int sig;

	if (opt.clean_signals)
		start_ign = start_mask = 0;
	for (sig = 1; sig <= 64; sig++)
		if (start_ign >> (sig - 1) & 1)
			syscall(SYS_rt_sigaction, sig, &ign, NULL, 8);
	ksigmask(SIG_SETMASK, start_mask, NULL);
}

static const struct { char name[8]; unsigned char nr; } signames[] = {
	{"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ILL", SIGILL},
	{"TRAP", SIGTRAP}, {"ABRT", SIGABRT}, {"BUS", SIGBUS}, {"FPE", SIGFPE},
	{"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
	{"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"CHLD", SIGCHLD},
	{"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},
	{"TTOU", SIGTTOU}, {"URG", SIGURG}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
	{"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
	{"PWR", SIGPWR}, {"SYS", SIGSYS},
};

/* Decimal digits only, at most max; -1 otherwise.  *end gets the first
 * character after the digits (NULL: the string must end there). */
static long parse_num(const char *s, long max, const char **end)
{
	long n = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++)
		if ((n = n * 10 + (*p - '0')) > max)
			return -1;
	if (p == s || (!end && *p))
		return -1;
	if (end)
		*end = p;
	return n;
}

/* "SIGKILL", "KILL", "kill", "9" -> 9; 0 when it is not a signal. */
static int parse_signal(const char *s)
{
	size_t i;
	long n;

	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (strcasecmp(s, signames[i].name) == 0)
			return signames[i].nr;
	n = parse_num(s, 64, NULL);
	return n < 1 ? 0 : (int)n;
}

/*
 * One rewrite "FROM:TO" (names or numbers; TO 0 = swallow), len bytes of s.
 * FROM cannot be KILL or STOP (pause never sees them) nor CHLD (pause reaps
 * on it).  keep: an entry already set stays (PAUSE_REWRITE under -r).
 * Returns -1 when malformed.
 */
static int parse_rewrite(const char *s, size_t len, int keep)
{
	char buf[24], *to;
	int from, sig;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (!(to = strchr(buf, ':')))
		return -1;
	*to++ = 0;
	from = parse_signal(buf);
	sig = strcmp(to, "0") ? parse_signal(to) : 0;
	if (!from || from == SIGKILL || from == SIGSTOP || from == SIGCHLD || (!sig && strcmp(to, "0")))
		return -1;
	if (!keep || !opt.rewrite[from])
		opt.rewrite[from] = (unsigned char)(sig + 1);
	return 0;
}

/* PAUSE_REWRITE="TERM:QUIT,USR1:0 ..." (comma or space separated), for
 * images: the same rewrites as -r, which wins for the same signal. */
static int parse_rewrite_env(void)
{
	const char *e = getenv("PAUSE_REWRITE"), *p, *t;

	for (p = e; p && *p; p = t) {
		while (*p == ',' || *p == ' ')
			p++;
		for (t = p; *t && *t != ',' && *t != ' '; t++)
			;
		if (t > p && parse_rewrite(p, (size_t)(t - p), 1) < 0) {
			say("pause: invalid PAUSE_REWRITE: '%s' (want SIG:SIG[,SIG:SIG]..., e.g. TERM:QUIT,USR1:0)", e);
			return -1;
		}
	}
	return 0;
}

/* ---- processes left behind (init mode --grace) ---- */

struct plist { pid_t *pid; size_t n, cap; };

/* Straight from mmap: malloc would cost pause 5 KB for this one list. */
static int plist_add(struct plist *l, pid_t pid)
{
	size_t cap = l->cap ? l->cap * 2 : 1024;
	void *p;

	if (l->n == l->cap) {
		p = l->pid ? mremap(l->pid, l->cap * sizeof(pid_t), cap * sizeof(pid_t), MREMAP_MAYMOVE)
			   : mmap(NULL, cap * sizeof(pid_t), PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -1;
		l->pid = p;
		l->cap = cap;
	}
	l->pid[l->n++] = pid;
	return 0;
}

static void plist_free(struct plist *l)
{
	if (l->pid)
		munmap(l->pid, l->cap * sizeof(pid_t));
	*l = (struct plist){ 0 };
}

/* "/proc/" + pid + tail into buf (len > 0 bytes), cut to fit, terminated */
static void proc_path(char *buf, size_t len, pid_t pid, const char *tail)
{
	char *end = buf + len - 1, *p;

	p = put_s(buf, end, "/proc/");
	p = put_u(p, end, (unsigned long long)pid);
	*put_s(p, end, tail) = 0;
}

/* State and parent of one process from /proc/PID/stat; 0 = gone. */
static char proc_state(pid_t pid, pid_t *ppid)
{
	char path[40], buf[512], *p, st;
	const char *e;
	long pp;
	int fd;
	ssize_t n;

	proc_path(path, sizeof(path), pid, "/stat");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* comm may hold spaces and ')': the state follows the last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !(st = p[2]) || p[3] != ' ' ||
	    (pp = parse_num(p + 4, INT_MAX, &e)) < 0)
		return 0;
	if (ppid)
		*ppid = (pid_t)pp;
	return st;
}

/*
 * Every live (non-zombie) process under pause: its descendants by parent
 * link; as PID 1 also whatever entered the namespace from outside (parent
 * shown as 0).  Needs a /proc of pause's own PID namespace: checked through
 * /proc/self.  -1 with *why (and out empty) when the list cannot be made.
 */
static int find_left(struct plist *out, const char **why)
{
	struct plist all = { 0 }, par = { 0 };
	char link[16], buf[4096] __attribute__((aligned(8)));
	size_t i, before, bits = 0;
	uint64_t *under = MAP_FAILED;	/* bitmap: pid is pause or under it */
	long n, off;
	int dfd, nomem = 0;

	*why = "/proc is not this PID namespace's";
	n = readlink("/proc/self", link, sizeof(link) - 1);
	if (n <= 0 || (link[n] = 0, parse_num(link, INT_MAX, NULL) != self))
		return -1;
	dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	/* getdents64 by hand: opendir() would pull in malloc.  all and par
	 * are parallel arrays (pid i has parent par.pid[i]): a failed add
	 * ends the whole scan so they never get out of step. */
	while (!nomem && (n = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
		for (off = 0; !nomem && off < n; off += *(unsigned short *)(buf + off + 16)) {
			pid_t pid = (pid_t)parse_num(buf + off + 19, INT_MAX, NULL), pp = -1;
			char st;

			if (pid <= 0 || pid == self || !(st = proc_state(pid, &pp)) || st == 'Z')
				continue;
			nomem = plist_add(&all, pid) || plist_add(&par, pp);
		}
	}
	close(dfd);
	if (nomem)
		goto out;
	for (i = 0; i < all.n; i++)
		bits = (size_t)all.pid[i] >= bits ? (size_t)all.pid[i] + 1 : bits;
	bits = (bits > (size_t)self ? bits : (size_t)self + 1) + 64;
	under = mmap(NULL, bits / 8 + 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (under == MAP_FAILED)
		goto out;
#define UNDER(p) ((p) >= 0 && (size_t)(p) < bits && (under[(p) / 64] >> ((p) % 64) & 1))
	under[self / 64] |= 1ULL << (self % 64);
	/* grow the set until no process has a parent in it (fixpoint; one
	 * pass per generation, the bitmap keeps each pass linear) */
	do {
		before = out->n;
		for (i = 0; i < all.n; i++) {
			pid_t pid = all.pid[i], pp = par.pid[i];

			if (!pid || !(UNDER(pp) || (self == 1 && pp == 0 && pid != 2)))
				continue;
			if (plist_add(out, pid) < 0) {
				nomem = 1;
				break;
			}
			under[pid / 64] |= 1ULL << (pid % 64);
			all.pid[i] = 0;
		}
	} while (!nomem && out->n != before);
#undef UNDER
	munmap(under, bits / 8 + 8);
out:
	plist_free(&all);
	plist_free(&par);
	if (under != MAP_FAILED && !nomem)
		return 0;
	*why = "out of memory listing /proc";
	plist_free(out);
	return -1;
}

/* Read signals for up to ms milliseconds, reaping on SIGCHLD. */
static void drain_wait(int ms)
{
	struct signalfd_siginfo si[16];
	struct pollfd pfd = { .fd = sfd, .events = POLLIN };
	int st = 0;
	ssize_t n, i;

	if (poll(&pfd, 1, ms) <= 0)
		return;
	n = read(sfd, si, sizeof(si));
	for (i = 0; i < n / (ssize_t)sizeof(si[0]); i++)
		if (si[i].ssi_signo < PAUSE_STATS_NSIG)
			cur.signals[si[i].ssi_signo]++;
	reap_all(0, &st, &st);
	publish();
}

/* How many of l are still alive (not gone, not a zombie). */
static size_t still_alive(const struct plist *l)
{
	size_t i, n = 0;
	char st;

	for (i = 0; i < l->n; i++) {
		st = proc_state(l->pid[i], NULL);
		n += st && st != 'Z';
	}
	return n;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* sig to each of l; how many it reached */
static uint64_t signal_all(const struct plist *l, int sig)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		n += kill(l->pid[i], sig) == 0;
	return n;
}

/*
 * No list of what is left (why: no /proc of our own PID namespace, or no
 * memory for the list): nothing can be listed or counted.  As
 * PID 1, kill(-1) reaches everything in the namespace; as a subreaper only
 * the main child's process group is known (--term-left), else skip.
 */
static void drain_blind(pid_t child, const char *why)
{
	int sig = opt.grace_ms ? SIGTERM : SIGKILL;
	int64_t deadline;
	siginfo_t si;

	if (self != 1) {
		if (opt.grace_ms < 0 && kill(-child, SIGTERM) == 0)
			say("pause: drain: %s; SIGTERM sent to the command's process group, "
			    "uncounted", why);
		else if (opt.grace_ms >= 0)
			say("pause: drain: %s; skipped", why);
		return;
	}
	if (kill(-1, sig) < 0)
		return;		/* nothing left: nothing to say */
	say("pause: drain: %s; sending %s to all, uncounted", why,
	    sig == SIGKILL ? "SIGKILL" : "SIGTERM");
	if (opt.grace_ms <= 0)
		return;
	/* until the grace runs out or no child is left (WNOWAIT: look
	 * without reaping, drain_wait reaps and counts) */
	deadline = mono_ms() + opt.grace_ms;
	while (mono_ms() < deadline && waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
		drain_wait(20);
	kill(-1, SIGKILL);
	drain_wait(0);
}

/*
 * Processes in a or b, each once: /proc lists pids in ascending order, so a
 * merge finds the common ones.  On any other order the count can only be
 * too high, never too low (it bounds what the drain signalled).
 */
static size_t union_count(const struct plist *a, const struct plist *b)
{
	size_t i = 0, j = 0, n = 0;

	while (i < a->n || j < b->n) {
		if (j == b->n || (i < a->n && a->pid[i] < b->pid[j]))
			i++;
		else if (i == a->n || b->pid[j] < a->pid[i])
			j++;
		else
			i++, j++;
		n++;
	}
	return n;
}

/* Reap what was SIGKILLed, bounded: a process in D state must not hang us. */
static void reap_killed(const struct plist *l)
{
	int64_t deadline = mono_ms() + 1000;

	while (l->n && still_alive(l) && mono_ms() < deadline)
		drain_wait(20);
	drain_wait(0);
}

/*
 * The main child is gone; what is still under pause gets:
 *   --grace SECS  SIGTERM, up to SECS to exit (checked every 20 ms: this
 *                 runs once, at shutdown), then SIGKILL
 *   --grace 0     SIGKILL at once
 *   --term-left   SIGTERM, and pause exits without waiting
 * One line says what happened, when there was anything (or with -w).
 */
static void drain(pid_t child)
{
	struct plist left = { 0 }, late = { 0 };
	const char *why;
	int64_t deadline;
	size_t alive;
	int say_it;

	cur.drain_runs = 1;
	publish();
	if (find_left(&left, &why) < 0) {
		drain_blind(child, why);
		return;
	}
	say_it = left.n || opt.log_reaps;
	cur.drain_found = left.n;
	if (opt.grace_ms == 0) {
		cur.drain_killed = signal_all(&left, SIGKILL);
		publish();
		if (say_it)
			say("pause: drain: %zu process(es) left, sent SIGKILL at once (--grace 0)", left.n);
		reap_killed(&left);
		goto out;
	}
	cur.drain_sent_term = signal_all(&left, SIGTERM);
	publish();
	if (opt.grace_ms < 0) {
		if (say_it)
			say("pause: drain: %zu process(es) sent SIGTERM, not waited for (--term-left)",
			    left.n);
		goto out;
	}
	deadline = mono_ms() + opt.grace_ms;
	while ((alive = still_alive(&left)) && mono_ms() < deadline) {
		cur.drain_exited_on_term = cur.drain_sent_term > alive ? cur.drain_sent_term - alive : 0;
		publish();
		drain_wait(20);
	}
	/* of those sent SIGTERM (one that vanished before it was not sent one) */
	cur.drain_exited_on_term = cur.drain_sent_term > alive ? cur.drain_sent_term - alive : 0;
	/* look again: SIGTERM handlers may have forked */
	if (alive && find_left(&late, &why) == 0) {
		cur.drain_found = union_count(&left, &late);
		cur.drain_killed = signal_all(&late, SIGKILL);
	}
	publish();
	if (say_it)
		say("pause: drain: %zu process(es) sent SIGTERM, %llu exited within %d ms, "
		    "%llu ignored it and got SIGKILL", left.n,
		    (unsigned long long)cur.drain_exited_on_term, opt.grace_ms,
		    (unsigned long long)cur.drain_killed);
	reap_killed(&late);
out:
	plist_free(&left);
	plist_free(&late);
}

/* ---- init mode: the main child ---- */

static void child_exec(char **argv)
{
	int code;

	/* own process group, and the terminal's foreground one only if ours
	 * was: a backgrounded pause must not take the terminal from the shell
	 * (SIGTTOU is still blocked here, so tcsetpgrp cannot stop us) */
	setpgid(0, 0);
	if (tty_fg)
		tcsetpgrp(STDIN_FILENO, getpid());
	child_signals();
	execvp(argv[0], argv);
	code = errno == ENOENT ? 127 : 126;
	say("pause: cannot run %s: %s", argv[0], strerror(errno));
	_exit(code);
}

static int exit_code(int status)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	if (code < 256 && (opt.remap[code / 64] >> (code % 64) & 1))
		return 0;
	return code;
}

/* sig, after -r rewriting (which may swallow it), to CMD or with -g its group */
static void forward(pid_t child, int sig)
{
	if (sig < PAUSE_STATS_NSIG && opt.rewrite[sig])
		sig = opt.rewrite[sig] - 1;
	if (sig && kill(opt.group ? -child : child, sig) == 0)
		cur.signals_forwarded++;
}

/*
 * CMD was stopped by job control (Ctrl-Z, or a tty read/write from the
 * background): stop pause too, with the same signal, so the shell that
 * waits for pause sees its job stop and gives the prompt back.  When a
 * SIGCONT (fg, bg, kill -CONT) wakes us: hand the terminal on if the shell
 * gave it to our group (fg), and continue CMD's whole group.
 *
 * The stop signal is default-action and blocked everywhere else: unblock it
 * just around kill(self).  The kernel discards a TSTP/TTIN/TTOU for an
 * orphaned process group (nobody would continue it): then SIGSTOP, as
 * dumb-init does.  As PID 1 the kernel never stops us: CMD stays stopped
 * until someone sends pause (or CMD) a SIGCONT.
 */
static void follow_stop(pid_t child, int sig)
{
	uint64_t bit = 1ULL << (sig - 1), cont = 1ULL << (SIGCONT - 1);
	struct timespec now = { 0, 0 };
	pid_t pg;

	if (self == 1)
		return;
	ksigmask(SIG_UNBLOCK, bit, NULL);
	kill(self, sig);
	ksigmask(SIG_BLOCK, bit, NULL);
	/* a SIGCONT woke us (take it from the queue: it is handled here), or
	 * the stop was discarded */
	if (syscall(SYS_rt_sigtimedwait, &cont, NULL, &now, 8) != SIGCONT) {
		kill(self, SIGSTOP);
		syscall(SYS_rt_sigtimedwait, &cont, NULL, &now, 8);
	}
	cur.signals[SIGCONT]++;
	pg = getpgid(child);
	if (pg <= 0)
		pg = child;
	if (tcgetpgrp(STDIN_FILENO) == getpgrp())
		tcsetpgrp(STDIN_FILENO, pg);
	if (kill(-pg, SIGCONT) == 0)
		cur.signals_forwarded++;
	publish();
}

/* CMD has exited: if it still holds the terminal we gave it, take it back
 * for our group, so whoever runs pause (a script reading the terminal next)
 * is not left in the background.  Not if the shell took it meanwhile. */
static void tty_back(pid_t child)
{
	if (tty_fg && tcgetpgrp(STDIN_FILENO) == child)
		tcsetpgrp(STDIN_FILENO, getpgrp());
}

static int run_init(char **argv)
{
	struct signalfd_siginfo si[16];
	pid_t child;
	int status = -1, stop;
	ssize_t n, i;

	tty_fg = tcgetpgrp(STDIN_FILENO) == getpgrp();
	child = fork();
	if (child < 0) {
		say("pause: fork: %s", strerror(errno));
		return 1;
	}
	if (child == 0)
		child_exec(argv);
	/* as a shell does: set CMD's group from both sides, so no forwarded
	 * signal (-g) or resume can miss a group not made yet */
	setpgid(child, child);
	/* the child has its own copy of the start state: harden ourselves now */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
		cur.flags |= PAUSE_STATS_F_NO_NEW_PRIVS;
	if (chdir("/") < 0)
		say("pause: warning: chdir /: %s", strerror(errno));
	cur.child_pid = child;
	publish();
	while (status == -1) {
		n = read(sfd, si, sizeof(si));
		if (n < 0 && errno != EINTR) {
			/* cannot happen with a valid signalfd; never spin on it */
			say("pause: reading signals: %s; waiting for the child only", strerror(errno));
			while (waitpid(child, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		stop = 0;
		for (i = 0; i < n / (ssize_t)sizeof(si[0]); i++) {
			int sig = (int)si[i].ssi_signo;

			if (sig < PAUSE_STATS_NSIG)
				cur.signals[sig]++;
			if (sig == SIGCHLD) {
				reap_all(child, &status, &stop);
				continue;
			}
			if (sig == SIGUSR1)
				summary();
			forward(child, sig);
		}
		publish();
		if (status == -1 && (stop == SIGTSTP || stop == SIGTTIN || stop == SIGTTOU))
			follow_stop(child, stop);
	}
	tty_back(child);
	if (opt.grace_ms >= 0 || opt.term_left)
		drain(child);
	return exit_code(status);
}

/* ---- pause mode ---- */

static int run_pause(void)
{
	struct signalfd_siginfo si[16];
	ssize_t n, i;
	int unused;

	if (chdir("/") < 0)
		say("pause: warning: chdir /: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
		cur.flags |= PAUSE_STATS_F_NO_NEW_PRIVS;
	else
		say("pause: warning: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	/* sleeping and reaping need no capability: give up every one (before
	 * the filter, which does not allow the calls this takes) */
	if (pause_caps_drop() < 0)
		say("pause: warning: dropping capabilities: %s", strerror(errno));
	else
		cur.flags |= PAUSE_STATS_F_NO_CAPS;
	if (opt.seccomp) {
		if (pause_seccomp_install() == 0)
			cur.flags |= PAUSE_STATS_F_SECCOMP;
		else
			say("pause: warning: seccomp filter not installed: %s", strerror(errno));
	}
	publish();
	/* from here on only the syscalls in pause_seccomp.h may be used */
	for (;;) {
		n = read(sfd, si, sizeof(si));
		for (i = 0; i < n / (ssize_t)sizeof(si[0]); i++) {
			int sig = (int)si[i].ssi_signo;

			if (sig < PAUSE_STATS_NSIG)
				cur.signals[sig]++;
			publish();
			if (sig == SIGCHLD)
				reap_all(0, &unused, &unused);
			else if (sig == SIGUSR1)
				summary();
			else if (sig == SIGTERM || sig == SIGINT) {
				say("Shutting down, got signal: %s",
				    sig == SIGTERM ? "Terminated" : "Interrupt");
				_exit(0);
			}
		}
	}
}

/* ---- command line ---- */

static const char usage_text[] =
"Usage: pause [OPTION]...                 sleep and reap (Kubernetes pod sandbox)\n"
"       pause [OPTION]... -- CMD [ARG]...  run CMD as init (docker run --init)\n"
"\n"
"Pause mode exits 0 on SIGTERM/SIGINT and ignores other signals.  Init mode\n"
"forwards every signal to CMD, stops when job control stops CMD, and exits\n"
"with CMD's status (128+N if killed by signal N).  CMD starts with the signal\n"
"mask and ignored signals pause got.  Counters: memfd \"pause-stats\", read\n"
"with pausestat PID.\n"
"\n"
"  -e CODE          init: exit 0 when CMD exits with CODE (0-255, repeatable)\n"
"  -g               init: forward signals to CMD's process group\n"
"  -r, --rewrite FROM:TO\n"
"                   init: forward signal TO instead of FROM (TO 0: swallow\n"
"                   it); repeatable; also PAUSE_REWRITE=\"FROM:TO,...\"\n"
"      --clean-signals  init: CMD starts with nothing blocked or ignored\n"
"      --grace SECS init: when CMD has exited, SIGTERM what is left under\n"
"                   pause, wait up to SECS (e.g. 2 or 0.5), then SIGKILL;\n"
"                   0: SIGKILL at once\n"
"      --term-left  init: when CMD has exited, SIGTERM what is left and\n"
"                   exit without waiting (no SIGKILL)\n"
"  -p SIGNAL        parent-death signal (KILL, SIGTERM, 15, ...)\n"
"  -s               not PID 1: register as subreaper without the warning\n"
"  -w               log every reaped child (pid and status) to stderr\n"
"      --no-seccomp pause mode: no seccomp allow-list\n"
"  -h, --help       this help\n"
"  -v, --version    print the version\n";

static int usage(int fd, int rc)
{
	if (write(fd, usage_text, sizeof(usage_text) - 1) < 0)
		return rc;
	return rc;
}

/* "2", "0.5", "1.25": milliseconds (at most a day), -1 if malformed. */
static int parse_grace(const char *s)
{
	const char *p;
	long sec = parse_num(s, 86400, &p), ms = 0, scale = 100;

	if (sec < 0)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ms += (*p - '0') * scale;
	return *p ? -1 : (int)(sec * 1000 + ms);
}

static int bad_arg(const char *what, const char *arg)
{
	say("pause: invalid %s: '%s'", what, arg);
	return usage(STDERR_FILENO, 2);
}

/* Is a the option -S (short, 0: none) or --LONG?  Then *val gets its value:
 * "-e 3", "-e3", "--grace 2", "--grace=2" (NULL when missing). */
static int optval(char **argv, int *i, char sc, const char *lng, const char **val)
{
	const char *a = argv[*i];
	size_t n = lng ? strlen(lng) : 0;

	if ((sc && a[1] == sc && !a[2]) || (lng && !strcmp(a, lng)))
		*val = argv[++*i];
	else if (sc && a[1] == sc)
		*val = a + 2;
	else if (lng && !strncmp(a, lng, n) && a[n] == '=')
		*val = a + n + 1;
	else
		return 0;
	return 1;
}

/* Flags without a value; 0 if a is none of them. */
static int flag(const char *a)
{
	static const struct { char name[16]; int *set; } flags[] = {
		{ "-g", &opt.group }, { "-s", &opt.quiet_subreaper },
		{ "-w", &opt.log_reaps }, { "--clean-signals", &opt.clean_signals },
		{ "--term-left", &opt.term_left },
	};
	size_t i;

	if (!strcmp(a, "--no-seccomp"))
		return opt.seccomp = 0, 1;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(a, flags[i].name))
			return *flags[i].set = 1;
	return 0;
}

/*
 * Options end at "--" or at the first argument that is not one (so CMD's
 * own options are never ours).  By hand, not getopt_long: a third of the
 * size, and the grammar is tiny.  Returns -1 to go on, else the exit code;
 * *first gets the index of CMD (argc when there is none).
 */
static int parse_args(int argc, char **argv, int *first)
{
	const char *a, *val = NULL;
	long code;
	int i, key;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return usage(STDOUT_FILENO, 0);
		if (!strcasecmp(a, "-v") || !strcmp(a, "--version")) {
			fdsay(STDOUT_FILENO, "pause.c v%s", PW_VERSION);
			return 0;
		}
		if (flag(a))
			continue;
		if (optval(argv, &i, 'e', NULL, &val) || optval(argv, &i, 'p', NULL, &val) ||
		    optval(argv, &i, 'r', "--rewrite", &val))
			key = a[1] == '-' ? 'r' : a[1];
		else if (optval(argv, &i, 0, "--grace", &val))
			key = 'G';
		else {
			say("pause: unknown option '%s'", a);
			return usage(STDERR_FILENO, 2);
		}
		if (!val) {
			say("pause: option '%s' needs a value", a);
			return usage(STDERR_FILENO, 2);
		}
		if (key == 'e') {
			if ((code = parse_num(val, 255, NULL)) < 0)
				return bad_arg("-e exit code (0-255)", val);
			opt.remap[code / 64] |= 1ULL << (code % 64);
		} else if (key == 'p') {
			if (!(opt.pdeathsig = parse_signal(val)))
				return bad_arg("-p signal", val);
		} else if (key == 'r') {
			if (parse_rewrite(val, strlen(val), 0) < 0)
				return bad_arg("-r rewrite (FROM:TO, FROM not KILL, STOP or CHLD, "
					       "TO 0 to swallow)", val);
		} else if ((opt.grace_ms = parse_grace(val)) < 0)
			return bad_arg("--grace (seconds, at most 86400)", val);
	}
	*first = i;
	return parse_rewrite_env() < 0 ? usage(STDERR_FILENO, 2) : -1;
}

/* Who and what we are, before anything else: the counters page is made
 * from this, complete on its first appearance. */
static void identity_init(int mode)
{
	self = getpid();
	cur.magic = PAUSE_STATS_MAGIC;
	cur.abi_version = PAUSE_STATS_ABI;
	cur.size = sizeof(cur);
	cur.start_time_ns = now_ns();
	cur.mode = (uint32_t)mode;
	cur.pid = self;
}

static void identity_setup(void)
{
	pid_t parent = getppid();

	if (opt.pdeathsig) {
		if (prctl(PR_SET_PDEATHSIG, opt.pdeathsig, 0, 0, 0) < 0)
			say("pause: warning: PR_SET_PDEATHSIG: %s", strerror(errno));
		else if (getppid() != parent)	/* parent died before prctl */
			kill(self, opt.pdeathsig);
	}
	if (self != 1) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
			say("pause: warning: not PID 1 and PR_SET_CHILD_SUBREAPER failed: %s; "
			    "orphans go elsewhere", strerror(errno));
		else {
			cur.flags |= PAUSE_STATS_F_SUBREAPER;
			if (!opt.quiet_subreaper)
				say("pause: warning: not PID 1 (pid %d): registered as child "
				    "subreaper to reap orphans (-s: no warning)", self);
		}
	}
}

int main(int argc, char **argv)
{
	int rc, mode, first = argc;

	rc = parse_args(argc, argv, &first);
	if (rc >= 0)
		return rc;
	mode = first < argc ? PAUSE_MODE_INIT : PAUSE_MODE_PAUSE;
	/* Block every signal first (one syscall: a SIGTERM sent the moment
	 * the page shows must wait for us, not kill us), then the page at once
	 * (a reader may look the moment we exist), then the slow rest. */
	if (ksigmask(SIG_SETMASK, KSIGSET_ALL, &start_mask) < 0) {
		say("pause: blocking signals: %s", strerror(errno));
		return 1;
	}
	identity_init(mode);
	page_setup();
	if (signals_setup() < 0)
		return 1;
	identity_setup();
	publish();
	/* children inherited across exec may have died before SIGCHLD was
	 * blocked: that SIGCHLD was discarded, so look once now */
	reap_all(0, &rc, &rc);
	if (mode == PAUSE_MODE_INIT)
		return run_init(argv + first);
	return run_pause();
}
