// SPDX-License-Identifier: Apache-2.0
/*
 * collector.c — the only file that knows libbpf and the map layouts.
 *
 * A snapshot is built in this order:
 *  (1) the walk: one read of the task iterator runs pw_walk, which counts the
 *      processes and zombies of every namespace, lists the zombies, reads
 *      each init's comm, dispositions and pids cgroup, and — when some
 *      recorded exit was not found in the task list — sweeps the exited
 *      table, counting those releases (a reap whose sched_process_free is
 *      late or lost is counted here, exactly once);
 *  (2) the counters (ns_stats, sig_stats, the walk's iter_ns), in batches,
 *      after the walk so that they include what the sweep counted;
 *  (3) the merge: a namespace with a process in the walk is alive; one with
 *      counters but no process, whose counters existed before the walk
 *      began, is gone: its final values move to the retention list (gone.c)
 *      and its map entries are deleted.  A counter entry made after the walk
 *      began belongs to a namespace the walk could not see yet: left for the
 *      next snapshot.
 * Everything about a namespace that comes from /proc is cached (nscache.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collector.h"
#include "gone.h"
#include "nscache.h"
#include "pausewatch.h"
#include "pausewatch.skel.h"

_Static_assert(PWC_NSIG == PW_NSIG, "signal table size");
_Static_assert(PWC_HIST_SLOTS == PW_HIST_SLOTS, "histogram size");
_Static_assert((int)PWC_REAPER_MAX == (int)PW_REAPER_MAX, "reaper kinds");
_Static_assert((int)PWC_SIG_RESULT_MAX == (int)PW_SIG_RESULT_MAX, "signal results");
_Static_assert((int)PWC_ACT_MAX == (int)PW_ACT_MAX, "signal actions");
_Static_assert((int)PWC_DROP_GONE_EVICTED == (int)PW_DROP_MAX, "kernel drops come first");
_Static_assert(PW_DIAG_REAPS_BY_WALK - 1 == PWC_RECOVERED_REAPS &&
	       PW_DIAG_AUTOREAPS_BY_WALK - 1 == PWC_RECOVERED_AUTOREAPS &&
	       PW_DIAG_REAPS_BY_REUSE - 1 == PWC_RECOVERED_REUSED &&
	       PW_DIAG_SLOTS_TAKEN - 1 == PWC_RECOVERED_MAX, "repairs follow the slot count");

#define MAX_GONE_DEFAULT	1024

/* Rows of (key, value) copied out of a map. */
struct rows {
	char *buf;
	size_t n, cap;
};

/*
 * The maps as one snapshot read them, and the buffers the batch syscalls
 * fill.  Kept from one snapshot to the next (under the collector lock):
 * at 1,000 namespaces a snapshot copies about 1 MB, and fresh buffers each
 * time cost page faults and zeroing for nothing.
 */
struct maps_copy {
	struct rows ns, sig, iter;
	char *keys, *vals;
	size_t keys_cap, vals_cap;	/* bytes */
};

static void maps_copy_free(struct maps_copy *m)
{
	free(m->ns.buf);
	free(m->sig.buf);
	free(m->iter.buf);
	free(m->keys);
	free(m->vals);
}

struct pw_collector {
	struct pausewatch_bpf *skel;
	struct pw_opts opts;
	const char *variant;
	const char *attach;	/* "tp_btf" or "raw_tp" */
	const char *walk;	/* "task_iter" or "iter_task" */
	struct bpf_link *walk_link;
	const struct pw_zombie_rec *zrec;	/* the zombie table, mmaped read-only */
	size_t zrec_len;
	int ncpu;
	uint64_t start_boot_ns;
	uint64_t start_mono_ns;
	struct pw_nscache *cache;
	struct pw_gone *gone;
	uint64_t gone_evicted;
	bool force_sweep;	/* a namespace without processes waits for its last releases */
	struct maps_copy maps;	/* reused by every snapshot */
	pthread_mutex_t lock;	/* one snapshot at a time */
};

/* ---- small helpers -------------------------------------------------- */

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

__attribute__((format(printf, 3, 4)))
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int key_cmp(const void *a, const void *b)
{
	const struct pw_ns_key *x = a, *y = b;

	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

/*
 * libbpf's messages: echoed only with verbose, but the most telling line is
 * kept for the error report.  In a verifier log that is the line just before
 * "processed N insns" (the verifier's reason); otherwise libbpf's first
 * "failed" line.
 */
static char libbpf_last[512];
static bool libbpf_last_is_reason;
static bool libbpf_verbose;

static void keep_line(const char *line, size_t len, bool reason)
{
	if (libbpf_last_is_reason || (!reason && libbpf_last[0]))
		return;
	snprintf(libbpf_last, sizeof(libbpf_last), "%.*s", (int)len, line);
	libbpf_last_is_reason = reason;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	const char *line, *prev = NULL, *nl;
	size_t prev_len = 0;
	char msg[16384];
	va_list copy;

	if (libbpf_verbose) {
		va_copy(copy, ap);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (line = msg; *line; line = nl + 1) {
		size_t len;

		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		len = (size_t)(nl - line);
		if (!strncmp(line, "processed ", 10) && prev)
			keep_line(prev, prev_len, true);
		else if (memmem(line, len, "failed", 6))
			keep_line(line, len, false);
		if (len && strncmp(line, "processed ", 10)) {
			prev = line;
			prev_len = len;
		}
		if (!*nl)
			break;
	}
	return 0;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* ---- open ----------------------------------------------------------- */

/*
 * Linux 6.16 added group_dead to sched_process_exit; a tp_btf program that
 * reads it is refused on older kernels.  Count the tracepoint's arguments in
 * the running kernel's BTF: (void *, task, bool) means the new signature.
 */
static int exit_tp_args(void)
{
	const struct btf_type *t;
	struct btf *btf;
	int id, n = -1;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, "btf_trace_sched_process_exit", BTF_KIND_TYPEDEF);
	if (id > 0) {
		t = btf__type_by_id(btf, id);			/* typedef */
		t = btf__type_by_id(btf, t->type);		/* pointer */
		if (t && btf_is_ptr(t))
			t = btf__type_by_id(btf, t->type);	/* func proto */
		if (t && btf_is_func_proto(t))
			n = btf_vlen(t) - 1;			/* minus the ctx */
	}
	btf__free(btf);
	return n;
}

static int classify_load_error(int e, const char *what, char *err, size_t errlen)
{
	char last[sizeof(libbpf_last)];

	snprintf(last, sizeof(last), "%s", libbpf_last);
	chomp(last);
	/* as root, EACCES is the verifier saying no; EPERM is missing capabilities */
	if (e == EPERM || e == EACCES) {
		if (geteuid() != 0 || e == EPERM) {
			seterr(err, errlen,
			       "cannot %s the BPF programs: %s (missing privileges: run as root, or "
			       "grant CAP_BPF and CAP_PERFMON (and CAP_SYS_RESOURCE on kernels "
			       "before 5.11); snapshots then need CAP_SYS_PTRACE and "
			       "CAP_DAC_READ_SEARCH, see docs/SECURITY.md)%s%s",
			       what, strerror(e), last[0] ? ": " : "", last);
			return PW_EXIT_PRIV;
		}
	}
	seterr(err, errlen,
	       "the kernel refused to %s a BPF program: %s%s%s (run with --verbose for the "
	       "verifier log; see docs/kernels.md for supported kernels)",
	       what, strerror(e), last[0] ? ": " : "", last);
	return PW_EXIT_REFUSED;
}

static int choose_variant(struct pw_collector *c, char *err, size_t errlen)
{
	enum pw_exit_variant v = c->opts.exit_variant;
	int args;

	if (v == PW_VARIANT_AUTO) {
		args = exit_tp_args();
		if (args < 0) {
			seterr(err, errlen, "cannot read btf_trace_sched_process_exit from the "
			       "kernel's BTF: is this kernel built with CONFIG_DEBUG_INFO_BTF?");
			return PW_EXIT_NOBTF;
		}
		v = args >= 2 ? PW_VARIANT_V616 : PW_VARIANT_LEGACY;
	}
	c->variant = v == PW_VARIANT_V616 ? "v616" : "legacy";
	return PW_EXIT_OK;
}

/* Every event program exists as tp_btf and raw_tp: enable one set. */
static void select_programs(struct pausewatch_bpf *skel, bool v616, bool raw)
{
	const struct {
		struct bpf_program *prog;
		bool on;
	} progs[] = {
		{ skel->progs.pw_exit_v616, v616 && !raw },
		{ skel->progs.pw_exit_v616_raw, v616 && raw },
		{ skel->progs.pw_exit_legacy, !v616 && !raw },
		{ skel->progs.pw_exit_legacy_raw, !v616 && raw },
		{ skel->progs.pw_free, !raw },
		{ skel->progs.pw_free_raw, raw },
		{ skel->progs.pw_signal_generate, !raw },
		{ skel->progs.pw_signal_generate_raw, raw },
		{ skel->progs.pw_signal_deliver, !raw },
		{ skel->progs.pw_signal_deliver_raw, raw },
	};

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		bpf_program__set_autoload(progs[i].prog, progs[i].on);
}

/*
 * The exited-process table is indexed by pid: one slot per possible pid
 * (kernel.pid_max, rounded up to a power of two) means two processes only
 * share a slot when pids wrap while one of them is still a zombie.  Capped at
 * 2^18 slots (10 MiB); beyond that, evictions are counted.
 */
static unsigned int exited_slots(void)
{
	unsigned long pid_max = 32768;
	unsigned int n = 1024;
	char buf[32];
	ssize_t len;
	int fd;

	fd = open("/proc/sys/kernel/pid_max", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len > 0) {
			buf[len] = '\0';
			pid_max = strtoul(buf, NULL, 10);
		}
	}
	while (n < pid_max && n < (1u << 18))
		n <<= 1;
	return n;
}

/*
 * The open-coded task iterator (bpf_iter_task_new) came in Linux 6.7: look
 * for the kfunc in the running kernel's BTF.
 */
static bool kernel_has_task_iter(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool has;

	if (!btf)
		return false;
	has = btf__find_by_name_kind(btf, "bpf_iter_task_new", BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return has;
}

static void choose_walk(struct pw_collector *c, bool fallback)
{
	enum pw_walk w = fallback ? PW_WALK_ITER_TASK : c->opts.walk;

	if (w == PW_WALK_AUTO)
		w = kernel_has_task_iter() ? PW_WALK_TASK_ITER : PW_WALK_ITER_TASK;
	c->walk = w == PW_WALK_TASK_ITER ? "task_iter" : "iter_task";
}

/*
 * pw_walk runs from a task iterator bound to one task — ours — so one read
 * runs it once; pw_walk_all iterates over every thread.
 */
static int attach_walk(struct pw_collector *c, char *err, size_t errlen)
{
	struct bpf_program *prog = strcmp(c->walk, "task_iter") ? c->skel->progs.pw_walk_all
								: c->skel->progs.pw_walk;
	DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info linfo = {};

	if (prog == c->skel->progs.pw_walk) {
		linfo.task.tid = (__u32)getpid();	/* the main thread lives as long as we do */
		opts.link_info = &linfo;
		opts.link_info_len = sizeof(linfo);
	}
	c->walk_link = bpf_program__attach_iter(prog, prog == c->skel->progs.pw_walk ? &opts : NULL);
	if (!c->walk_link)
		return classify_load_error(errno, "attach the task iterator of", err, errlen);
	return PW_EXIT_OK;
}

static int load_and_attach(struct pw_collector *c, bool raw, bool walk_fallback, char *err,
			   size_t errlen)
{
	struct pausewatch_bpf *skel;
	bool oc;
	int rc;

	skel = pausewatch_bpf__open();
	if (!skel) {
		seterr(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return PW_EXIT_FAIL;
	}
	c->skel = skel;
	rc = choose_variant(c, err, errlen);
	if (rc)
		return rc;
	choose_walk(c, walk_fallback);
	oc = !strcmp(c->walk, "task_iter");
	select_programs(skel, !strcmp(c->variant, "v616"), raw);
	bpf_program__set_autoload(skel->progs.pw_walk, oc);
	bpf_program__set_autoload(skel->progs.pw_walk_all, !oc);
	bpf_program__set_autoattach(skel->progs.pw_walk, false);
	bpf_program__set_autoattach(skel->progs.pw_walk_all, false);
	c->attach = raw ? "raw_tp" : "tp_btf";
	skel->rodata->max_zombies = c->opts.max_zombies;
	skel->rodata->exited_mask = c->opts.exited_slots - 1;
	skel->rodata->nr_cpus = (__u32)c->ncpu;
	if (bpf_map__set_max_entries(skel->maps.ns_stats, c->opts.max_namespaces) ||
	    bpf_map__set_max_entries(skel->maps.iter_ns, c->opts.max_namespaces) ||
	    bpf_map__set_max_entries(skel->maps.sig_stats, c->opts.max_signal_keys) ||
	    bpf_map__set_max_entries(skel->maps.exited, c->opts.exited_slots) ||
	    bpf_map__set_max_entries(skel->maps.zrec, c->opts.max_zombies)) {
		seterr(err, errlen, "cannot size the BPF maps: %s", strerror(errno));
		return PW_EXIT_FAIL;
	}
	libbpf_last[0] = '\0';
	libbpf_last_is_reason = false;
	if (pausewatch_bpf__load(skel))
		return classify_load_error(errno, "load", err, errlen);
	libbpf_last[0] = '\0';
	libbpf_last_is_reason = false;
	if (pausewatch_bpf__attach(skel))
		return classify_load_error(errno, "attach", err, errlen);
	return attach_walk(c, err, errlen);
}

/* The zombie table is read in place: one mapping, no syscall per snapshot. */
static int map_zombie_table(struct pw_collector *c, char *err, size_t errlen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *p;

	c->zrec_len = ((size_t)c->opts.max_zombies * sizeof(struct pw_zombie_rec) + page - 1) & ~(page - 1);
	p = mmap(NULL, c->zrec_len, PROT_READ, MAP_SHARED, bpf_map__fd(c->skel->maps.zrec), 0);
	if (p == MAP_FAILED) {
		seterr(err, errlen, "cannot map the zombie table: %s", strerror(errno));
		return PW_EXIT_FAIL;
	}
	c->zrec = p;
	return PW_EXIT_OK;
}

static void apply_defaults(struct pw_opts *o)
{
	if (!o->max_zombies)
		o->max_zombies = 1024;
	if (!o->max_namespaces)
		o->max_namespaces = 4096;
	if (!o->max_signal_keys)
		o->max_signal_keys = 16384;
	if (!o->max_gone)
		o->max_gone = MAX_GONE_DEFAULT;
	if (o->keep_gone_seconds == 0)
		o->keep_gone_seconds = PW_KEEP_GONE_DEFAULT;
	else if (o->keep_gone_seconds < 0)
		o->keep_gone_seconds = 0;
	if (!o->exited_slots)
		o->exited_slots = exited_slots();
}

static void unload(struct pw_collector *c)
{
	bpf_link__destroy(c->walk_link);
	c->walk_link = NULL;
	pausewatch_bpf__destroy(c->skel);
	c->skel = NULL;
}

/*
 * tp_btf is preferred (typed arguments, cheaper loads); when the kernel
 * refuses it, raw_tp programs reading the same tracepoints are tried.  The
 * open-coded walk needs Linux 6.8 (6.7 has the iterator but not trusted
 * arguments of global functions): refused, the walk over every thread.
 */
static int load_with_fallbacks(struct pw_collector *c, char *err, size_t errlen)
{
	const struct { bool raw, walk_fallback; } tries[] = {
		{ false, false }, { false, true }, { true, false }, { true, true },
	};
	char first[512] = "";
	int rc = PW_EXIT_REFUSED;

	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		if ((c->opts.attach == PW_ATTACH_RAW_TP && !tries[i].raw) ||
		    (c->opts.attach == PW_ATTACH_TP_BTF && tries[i].raw) ||
		    (c->opts.walk != PW_WALK_AUTO && tries[i].walk_fallback))
			continue;
		if (c->skel) {
			if (tries[i].walk_fallback && strcmp(c->walk, "task_iter"))
				continue;	/* the walk was not the refused one */
			unload(c);
		}
		rc = load_and_attach(c, tries[i].raw, tries[i].walk_fallback, err, errlen);
		if (rc != PW_EXIT_REFUSED)
			return rc;
		if (!first[0])
			snprintf(first, sizeof(first), "%s", err);
	}
	if (strcmp(first, err))
		seterr(err, errlen, "%s; the fallbacks failed too", first);
	return rc;
}

int pw_open(const struct pw_opts *opts, struct pw_collector **out, char *err, size_t errlen)
{
	struct pw_collector *c;
	int rc;

	*out = NULL;
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		seterr(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux: %s): pausewatch "
		       "needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (the default of "
		       "Debian, Ubuntu, RHEL and Fedora kernels)", strerror(errno));
		return PW_EXIT_NOBTF;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		seterr(err, errlen, "out of memory");
		return PW_EXIT_FAIL;
	}
	pthread_mutex_init(&c->lock, NULL);
	c->opts = *opts;
	apply_defaults(&c->opts);
	if (c->opts.exited_slots & (c->opts.exited_slots - 1)) {
		seterr(err, errlen, "exited_slots must be a power of two, not %u", c->opts.exited_slots);
		pw_close(c);
		return PW_EXIT_USAGE;
	}
	c->ncpu = libbpf_num_possible_cpus();
	c->cache = pw_nscache_new(!c->opts.no_attribution);
	c->gone = pw_gone_new(c->opts.max_gone, c->opts.keep_gone_seconds);
	if (c->ncpu <= 0 || !c->cache || !c->gone) {
		seterr(err, errlen, "cannot set up the collector: %s",
		       c->ncpu <= 0 ? "cannot count the possible CPUs" : "out of memory");
		pw_close(c);
		return PW_EXIT_FAIL;
	}
	libbpf_verbose = opts->verbose;
	libbpf_set_print(libbpf_print);

	rc = load_with_fallbacks(c, err, errlen);
	if (!rc)
		rc = map_zombie_table(c, err, errlen);
	if (rc) {
		pw_close(c);
		return rc;
	}
	c->start_boot_ns = now_ns(CLOCK_BOOTTIME);
	c->start_mono_ns = now_ns(CLOCK_MONOTONIC);
	*out = c;
	return PW_EXIT_OK;
}

void pw_close(struct pw_collector *c)
{
	if (!c)
		return;
	if (c->zrec)
		munmap((void *)c->zrec, c->zrec_len);
	bpf_link__destroy(c->walk_link);
	pausewatch_bpf__destroy(c->skel);
	pw_nscache_free(c->cache);
	pw_gone_free(c->gone);
	maps_copy_free(&c->maps);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* ---- reading maps --------------------------------------------------- */

struct ns_row {
	struct pw_ns_key key;
	struct pw_ns_stats st;
};

struct sig_row {
	struct pw_sig_key key;
	struct pw_sig_stats st;
};

struct iter_row {
	struct pw_ns_key key;
	struct pw_iter_ns it;
};

_Static_assert(offsetof(struct ns_row, st) == sizeof(struct pw_ns_key), "ns_row packing");
_Static_assert(offsetof(struct sig_row, st) == sizeof(struct pw_sig_key), "sig_row packing");
_Static_assert(offsetof(struct iter_row, it) == sizeof(struct pw_ns_key), "iter_row packing");
_Static_assert(offsetof(struct pw_ns_stats, created_ns) % 8 == 0, "ns_stats: u64 counters first");
_Static_assert(offsetof(struct pw_ns_stats, exits_settled) == 0, "ns_stats: exits_settled is read first");
_Static_assert(sizeof(struct pw_sig_stats) % 8 == 0, "sig_stats: u64 counters only");
_Static_assert(offsetof(struct pw_sig_stats, created_ns) + 8 == sizeof(struct pw_sig_stats),
	       "sig_stats: created_ns last, after the counters");

/* Per-CPU values: sum the counters into one (dst has room for one value). */
typedef void (*fold_fn)(void *dst, const void *percpu, int ncpu, size_t stride);

static void fold_u64s(uint64_t *dst, const char *percpu, int ncpu, size_t stride, size_t n)
{
	memset(dst, 0, n * sizeof(*dst));
	for (int cpu = 0; cpu < ncpu; cpu++) {
		const uint64_t *v = (const uint64_t *)(percpu + (size_t)cpu * stride);

		for (size_t i = 0; i < n; i++)
			dst[i] += v[i];
	}
}

static void fold_ns_stats(void *dst, const void *percpu, int ncpu, size_t stride)
{
	struct pw_ns_stats *out = dst;

	fold_u64s(dst, percpu, ncpu, stride, offsetof(struct pw_ns_stats, created_ns) / sizeof(uint64_t));
	out->created_ns = 0;
	out->level = 0;
	out->init_tgid = 0;
	/* set once, on the CPU that made the entry */
	for (int cpu = 0; cpu < ncpu; cpu++) {
		const struct pw_ns_stats *v = (const void *)((const char *)percpu + (size_t)cpu * stride);

		if (v->created_ns) {
			out->created_ns = v->created_ns;
			out->level = v->level;
			out->init_tgid = v->init_tgid;
		}
	}
}

static void fold_sig_stats(void *dst, const void *percpu, int ncpu, size_t stride)
{
	struct pw_sig_stats *out = dst;

	fold_u64s(dst, percpu, ncpu, stride, offsetof(struct pw_sig_stats, created_ns) / sizeof(uint64_t));
	out->created_ns = 0;
	/* set once, on the CPU that made the row (two racing makers: the later one) */
	for (int cpu = 0; cpu < ncpu; cpu++) {
		const struct pw_sig_stats *v = (const void *)((const char *)percpu + (size_t)cpu * stride);

		if (v->created_ns > out->created_ns)
			out->created_ns = v->created_ns;
	}
}

static int rows_reserve(struct rows *r, size_t more, size_t rsz)
{
	char *grown;
	size_t cap = r->cap ? r->cap : 64;

	while (cap < r->n + more)
		cap *= 2;
	if (cap == r->cap)
		return 0;
	grown = realloc(r->buf, cap * rsz);
	if (!grown)
		return -ENOMEM;
	r->buf = grown;
	r->cap = cap;
	return 0;
}

/* At least need bytes in *buf; what is new is zeroed (valgrind does not know what the batch syscall writes). */
static int scratch_reserve(char **buf, size_t *cap, size_t need)
{
	char *grown;

	if (*cap >= need)
		return 0;
	grown = realloc(*buf, need);
	if (!grown)
		return -ENOMEM;
	memset(grown + *cap, 0, need - *cap);
	*buf = grown;
	*cap = need;
	return 0;
}

/*
 * Copy every entry of a hash map into rows of (key, value), a batch of
 * entries per syscall into m's buffers; with fold, the map is per CPU and
 * each row gets the CPUs' sum.  A batch smaller than one hash bucket gets
 * ENOSPC: retry larger.
 */

static int dump_map(int fd, size_t ksz, size_t vsz, fold_fn fold, int ncpu, struct maps_copy *m,
		    struct rows *out)
{
	size_t stride = (vsz + 7) & ~(size_t)7, vbytes = fold ? stride * (size_t)ncpu : vsz;
	size_t rsz = ksz + vsz, batch = 1024;
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u64 token = 0;
	bool first = true;
	int rc = 0;

	out->n = 0;
	for (;;) {
		__u32 count = (__u32)batch;
		char *keys, *vals;
		int r;

		if (scratch_reserve(&m->keys, &m->keys_cap, batch * ksz) ||
		    scratch_reserve(&m->vals, &m->vals_cap, batch * vbytes)) {
			rc = -ENOMEM;
			break;
		}
		keys = m->keys;
		vals = m->vals;
		r = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, vals, &count, &opts);
		if (r < 0 && errno == ENOSPC && count == 0) {
			batch *= 4;
			continue;
		}
		if (r < 0 && errno != ENOENT) {
			rc = -errno;
			break;
		}
		if (rows_reserve(out, count, rsz)) {
			rc = -ENOMEM;
			break;
		}
		for (__u32 i = 0; i < count; i++) {
			char *row = out->buf + out->n++ * rsz;

			memcpy(row, keys + i * ksz, ksz);
			if (fold)
				fold(row + ksz, vals + i * vbytes, ncpu, stride);
			else
				memcpy(row + ksz, vals + i * vbytes, vsz);
		}
		first = false;
		if (r < 0)	/* ENOENT: that was the last batch */
			break;
	}
	return rc;
}

/* A per-CPU array of counters, summed over CPUs (zeros if it cannot be read). */
static void read_percpu_array(int fd, int ncpu, uint64_t *out, unsigned int n)
{
	int64_t vals[ncpu > 0 ? ncpu : 1];

	for (__u32 idx = 0; idx < n; idx++) {
		int64_t sum = 0;

		memset(vals, 0, sizeof(vals));	/* valgrind knows one value per lookup, not one per CPU */
		if (bpf_map_lookup_elem(fd, &idx, vals) == 0)
			for (int i = 0; i < ncpu; i++)
				sum += vals[i];
		out[idx] = sum > 0 ? (uint64_t)sum : 0;
	}
}

/*
 * Step (1): one read of the walk's iterator.  Records go to the mmaped
 * zombie table; the iterator itself writes nothing, so one read() returns 0.
 */
static int walk(struct pw_collector *c)
{
	struct pausewatch_bpf__bss *bss = c->skel->bss;
	char buf[64];
	ssize_t got;
	int fd;

	bss->iter_gen++;
	bss->iter_listed = 0;
	bss->iter_unlisted = 0;
	bss->iter_ns_missed = 0;
	bss->iter_start_ns = 0;
	bss->iter_last_task = 0;
	bss->iter_slots_seen = 0;
	bss->iter_swept = 0;
	bss->iter_done = 0;
	bss->iter_force_sweep = c->force_sweep;
	c->force_sweep = false;
	memset(bss->walk_cache, 0, sizeof(bss->walk_cache));
	fd = bpf_iter_create(bpf_link__fd(c->walk_link));
	if (fd < 0)
		return -errno;
	do
		got = read(fd, buf, sizeof(buf));
	while (got > 0 || (got < 0 && errno == EINTR));
	close(fd);
	if (got < 0)
		return -errno;
	return bss->iter_done ? 0 : -EIO;
}

static void program_stats(struct pw_collector *c, struct pw_self *self)
{
	struct bpf_program *prog;
	char buf[8];
	int fd;

	fd = open("/proc/sys/kernel/bpf_stats_enabled", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		self->bpf_stats_enabled = n > 0 && buf[0] == '1';
		close(fd);
	}
	if (!self->bpf_stats_enabled)	/* run_time_ns only moves while it is on */
		return;
	bpf_object__for_each_program(prog, c->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (bpf_program__fd(prog) < 0 ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		self->prog_run_ns += info.run_time_ns;
		self->prog_run_cnt += info.run_cnt;
	}
}

static int sig_row_cmp(const void *a, const void *b);

/* Step (2): the counters, after the walk (it may have counted releases). */
static int read_counters(struct pw_collector *c, struct maps_copy *m)
{
	struct pausewatch_bpf *skel = c->skel;
	int rc;

	rc = dump_map(bpf_map__fd(skel->maps.ns_stats), sizeof(struct pw_ns_key),
		      sizeof(struct pw_ns_stats), fold_ns_stats, c->ncpu, m, &m->ns);
	if (!rc)
		rc = dump_map(bpf_map__fd(skel->maps.sig_stats), sizeof(struct pw_sig_key),
			      sizeof(struct pw_sig_stats), fold_sig_stats, c->ncpu, m, &m->sig);
	if (!rc)
		rc = dump_map(bpf_map__fd(skel->maps.iter_ns), sizeof(struct pw_ns_key),
			      sizeof(struct pw_iter_ns), NULL, c->ncpu, m, &m->iter);
	if (rc)
		return rc;
	/* an empty map may have left its buffer NULL: nothing to sort */
	if (m->ns.n)
		qsort(m->ns.buf, m->ns.n, sizeof(struct ns_row), key_cmp);
	if (m->sig.n)
		qsort(m->sig.buf, m->sig.n, sizeof(struct sig_row), sig_row_cmp);
	if (m->iter.n)
		qsort(m->iter.buf, m->iter.n, sizeof(struct iter_row), key_cmp);
	return 0;
}

/* ---- merging -------------------------------------------------------- */

static void copy_counters(struct pw_namespace *ns, const struct pw_ns_stats *st)
{
	ns->exits = st->exits;
	ns->zombie_exits = st->zombie_exits;
	ns->reaped = st->reaped;
	ns->autoreaped = st->autoreaped;
	memcpy(ns->orphans, st->orphans, sizeof(ns->orphans));
	ns->orphans_zombie = st->orphans_zombie;
	ns->orphans_killed = st->orphans_dropped;
	memcpy(ns->dwell_hist, st->dwell_hist, sizeof(ns->dwell_hist));
	ns->dwell_sum_ns = st->dwell_sum_ns;
}

/*
 * Attach the signal rows of one namespace (rows sorted by key), and add to
 * its counters the exits its SIGCHLD row decided (pw_sig_stats).
 */
static int attach_sigs(struct pw_namespace *ns, const struct pw_ns_key *key,
		       const struct sig_row *rows, size_t n)
{
	size_t lo = 0, hi = n, first, cnt = 0;

	while (lo < hi) {	/* first row with ns >= key */
		size_t mid = (lo + hi) / 2;

		if (key_cmp(&rows[mid].key.ns, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (first + cnt < n && key_cmp(&rows[first + cnt].key.ns, key) == 0) {
		const struct sig_row *r = &rows[first + cnt];

		/* exits whose SIGCHLD decided them are counted in that signal's row */
		ns->zombie_exits += r->st.decided_zombie;
		ns->autoreaped += r->st.decided_autoreap;
		ns->exits += r->st.decided_zombie + r->st.decided_autoreap;
		cnt++;
	}
	if (!cnt)
		return 0;
	ns->sigs = calloc(cnt, sizeof(*ns->sigs));
	if (!ns->sigs)
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		const struct sig_row *r = &rows[first + i];
		struct pw_sig_entry *e = &ns->sigs[i];

		e->sig = (int)r->key.sig;
		memcpy(e->generated, r->st.generated, sizeof(e->generated));
		memcpy(e->delivered, r->st.delivered, sizeof(e->delivered));
		e->ignored_by_init = r->st.ignored_by_init;
	}
	ns->n_sigs = cnt;
	return 0;
}

static int sig_row_cmp(const void *a, const void *b)
{
	const struct sig_row *x = a, *y = b;
	int r = key_cmp(&x->key.ns, &y->key.ns);

	if (r)
		return r;
	return x->key.sig < y->key.sig ? -1 : x->key.sig > y->key.sig;
}

static const struct pw_namespace *order_base;

static int ns_order(const void *a, const void *b)
{
	const struct pw_namespace *x = &order_base[*(const size_t *)a];
	const struct pw_namespace *y = &order_base[*(const size_t *)b];

	if (x->alive != y->alive)
		return x->alive ? -1 : 1;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	if (x->pidns != y->pidns)
		return x->pidns < y->pidns ? -1 : 1;
	return x->ns_id < y->ns_id ? -1 : x->ns_id > y->ns_id;
}

static int zombie_order(const void *a, const void *b)
{
	const struct pw_zombie *x = a, *y = b;

	if (x->age_s != y->age_s)
		return x->age_s > y->age_s ? -1 : 1;
	return x->pid - y->pid;
}

static void decode_status(struct pw_zombie *z, int status)
{
	if (WIFSIGNALED(status)) {
		z->exit_code = -1;
		z->exit_signal = WTERMSIG(status);
		z->core_dumped = WCOREDUMP(status);
	} else {
		z->exit_code = WEXITSTATUS(status);
	}
}

/* The zombie table of this walk, copied out of the mapping. */
static int build_zombies(struct pw_collector *c, struct pw_snapshot *s, uint64_t boot, uint64_t mono)
{
	size_t n = c->skel->bss->iter_listed;

	if (n > c->opts.max_zombies)
		n = c->opts.max_zombies;
	s->zombies = calloc(n ? n : 1, sizeof(*s->zombies));
	if (!s->zombies)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct pw_zombie_rec *r = &c->zrec[i];
		struct pw_zombie *z = &s->zombies[i];

		z->pid = r->pid;
		z->pid_in_ns = r->pid_in_ns;
		z->ppid = r->ppid;
		z->pidns = r->ns.inum;
		z->ns_id = r->ns.id;
		memcpy(z->comm, r->comm, PW_COMM_LEN);
		memcpy(z->parent_comm, r->parent_comm, PW_COMM_LEN);
		z->age_is_lower_bound = r->exit_ns == 0;
		z->age_s = (double)(boot - (r->exit_ns ? r->exit_ns : c->start_boot_ns)) / 1e9;
		if (z->age_is_lower_bound && r->start_ns < mono)	/* start_time is CLOCK_MONOTONIC */
			z->age_upper_bound_s = (double)(mono - r->start_ns) / 1e9;
		decode_status(z, r->exit_status);
	}
	s->n_zombies = n;
	qsort(s->zombies, n, sizeof(*s->zombies), zombie_order);
	return 0;
}

/* Forget a namespace that has no process left: its counter and signal rows. */
static void retire(struct pw_collector *c, const struct pw_ns_key *key,
		   const struct sig_row *sigs, size_t n_sigs)
{
	const struct sig_row *r = sigs;
	size_t lo = 0, hi = n_sigs;

	bpf_map_delete_elem(bpf_map__fd(c->skel->maps.ns_stats), key);
	bpf_map_delete_elem(bpf_map__fd(c->skel->maps.iter_ns), key);
	while (lo < hi) {	/* first signal row of this namespace */
		size_t mid = (lo + hi) / 2;

		if (key_cmp(&sigs[mid].key.ns, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (r = sigs + lo; r < sigs + n_sigs && !key_cmp(&r->key.ns, key); r++)
		bpf_map_delete_elem(bpf_map__fd(c->skel->maps.sig_stats), &r->key);
}

static void fill_live(struct pw_collector *c, struct pw_namespace *ns, const struct iter_row *ir,
		      uint64_t boot)
{
	const struct pw_iter_ns *it = &ir->it;

	ns->pidns = ir->key.inum;
	ns->ns_id = ir->key.id;
	ns->level = it->level;
	ns->alive = true;
	ns->init_pid = it->init_tgid;
	memcpy(ns->init_comm, it->init_comm, PW_COMM_LEN);
	ns->init_comm[PW_COMM_LEN] = '\0';
	memcpy(ns->hostname, it->nodename, sizeof(ns->hostname) - 1);
	ns->hostname[sizeof(ns->hostname) - 1] = '\0';
	ns->processes = it->processes;
	ns->zombies = it->zombies;
	ns->oldest_zombie_age_s = -1;
	if (it->zombies_unknown_exit) {
		ns->oldest_age_is_lower_bound = true;
		ns->oldest_zombie_age_s = (double)(boot - c->start_boot_ns) / 1e9;
	} else if (it->oldest_exit_ns) {
		ns->oldest_zombie_age_s = (double)(boot - it->oldest_exit_ns) / 1e9;
	}
	ns->init_disp_known = it->disp_known;
	ns->init_sig_caught = it->sig_caught;
	ns->init_sig_ignored = it->sig_ignored;
	ns->init_sig_blocked = it->sig_blocked;
	ns->pids_known = it->pids_known;
	ns->pids_current = it->pids_current;
	ns->pids_max = it->pids_max < 0 ? PW_PIDS_UNLIMITED : it->pids_max;
	ns->pids_events_max = it->pids_events_max;
}

struct merge_ctx {
	struct pw_collector *c;
	struct pw_snapshot *s;
	struct maps_copy *m;
	uint64_t boot, walk_start;
	double now;
	bool may_retire;
};

/* Live namespaces: had a process in this walk. */
static int merge_live(struct merge_ctx *x)
{
	const struct iter_row *rows = (const struct iter_row *)x->m->iter.buf;
	const struct ns_row *counters = (const struct ns_row *)x->m->ns.buf;
	const struct sig_row *sigs = (const struct sig_row *)x->m->sig.buf;
	__u64 gen = x->c->skel->bss->iter_gen;

	for (size_t i = 0; i < x->m->iter.n; i++) {
		const struct iter_row *ir = &rows[i];
		struct pw_namespace *ns = &x->s->ns[x->s->n_ns];
		const struct ns_row *nr;

		if (ir->it.gen != gen)
			continue;	/* a namespace that died: handled with its counters */
		fill_live(x->c, ns, ir, x->boot);
		nr = bsearch(&ir->key, counters, x->m->ns.n, sizeof(*counters), key_cmp);
		if (nr)
			copy_counters(ns, &nr->st);
		if (attach_sigs(ns, &ir->key, sigs, x->m->sig.n))
			return -ENOMEM;
		/* new to the cache: it may be one an earlier walk missed and declared gone */
		if (pw_nscache_fill(x->c->cache, ns))
			pw_gone_remove(x->c->gone, ns->pidns, ns->ns_id);
		x->s->n_ns++;
	}
	return 0;
}

/*
 * A namespace with no process left whose counters say some recorded exit is
 * not released yet (released during the walk, after it passed), or whose
 * copy caught an exit and its release half-way: not final.  It is shown
 * alive, without processes, and the next walk sweeps for it.
 */
static void merge_finishing(struct merge_ctx *x, const struct ns_row *nr)
{
	const struct sig_row *sigs = (const struct sig_row *)x->m->sig.buf;
	struct pw_namespace *ns = &x->s->ns[x->s->n_ns];

	memset(ns, 0, sizeof(*ns));
	ns->pidns = nr->key.inum;
	ns->ns_id = nr->key.id;
	ns->level = nr->st.level;
	ns->alive = true;
	ns->init_pid = nr->st.init_tgid;
	ns->oldest_zombie_age_s = -1;
	copy_counters(ns, &nr->st);
	if (attach_sigs(ns, &nr->key, sigs, x->m->sig.n))
		return;	/* no memory: shown without its signals */
	pw_nscache_fill_final(x->c->cache, ns);
	x->s->n_ns++;
	x->c->force_sweep = true;
}

/*
 * Counters of namespaces with no process left, made before the walk began
 * and with every recorded exit released: final values into the retention
 * list, then the map entries go.
 */
static int merge_gone(struct merge_ctx *x)
{
	const struct iter_row *rows = (const struct iter_row *)x->m->iter.buf;
	const struct ns_row *counters = (const struct ns_row *)x->m->ns.buf;
	const struct sig_row *sigs = (const struct sig_row *)x->m->sig.buf;
	__u64 gen = x->c->skel->bss->iter_gen;

	for (size_t i = 0; i < x->m->ns.n && x->may_retire; i++) {
		const struct ns_row *nr = &counters[i];
		const struct iter_row *ir = bsearch(&nr->key, rows, x->m->iter.n, sizeof(*rows), key_cmp);
		struct pw_namespace ns = { 0 };
		int rc;

		if ((ir && ir->it.gen == gen) || !nr->st.created_ns || nr->st.created_ns >= x->walk_start)
			continue;
		/* below zero: a copy that caught an exit and its release on two CPUs half-way */
		if (nr->st.exits_recorded != nr->st.exits_settled) {
			merge_finishing(x, nr);
			continue;
		}
		ns.pidns = nr->key.inum;
		ns.ns_id = nr->key.id;
		ns.level = nr->st.level;
		ns.init_pid = nr->st.init_tgid;
		if (ir)
			memcpy(ns.init_comm, ir->it.init_comm, PW_COMM_LEN);
		copy_counters(&ns, &nr->st);
		if (attach_sigs(&ns, &nr->key, sigs, x->m->sig.n))
			return -ENOMEM;
		pw_nscache_fill_final(x->c->cache, &ns);
		rc = pw_gone_add(x->c->gone, &ns, x->now, &x->c->gone_evicted);
		free(ns.sigs);
		if (rc)
			return rc;
		retire(x->c, &nr->key, sigs, x->m->sig.n);
	}
	return 0;
}

/*
 * Walk entries and signal rows of namespaces that are neither live nor
 * counted.  A signal row made after the walk began may belong to a namespace
 * born since, with no exit counted yet (its counters were copied before the
 * signal rows): it stays until a walk has had the chance to find it.
 */
static void clean_leftovers(struct merge_ctx *x)
{
	const struct iter_row *rows = (const struct iter_row *)x->m->iter.buf;
	const struct ns_row *counters = (const struct ns_row *)x->m->ns.buf;
	const struct sig_row *sigs = (const struct sig_row *)x->m->sig.buf;
	__u64 gen = x->c->skel->bss->iter_gen;

	if (!x->may_retire)
		return;
	for (size_t i = 0; i < x->m->iter.n; i++)
		if (rows[i].it.gen != gen &&
		    !bsearch(&rows[i].key, counters, x->m->ns.n, sizeof(*counters), key_cmp))
			bpf_map_delete_elem(bpf_map__fd(x->c->skel->maps.iter_ns), &rows[i].key);
	for (size_t i = 0; i < x->m->sig.n; i++) {
		const struct pw_ns_key *k = &sigs[i].key.ns;
		const struct iter_row *ir = bsearch(k, rows, x->m->iter.n, sizeof(*rows), key_cmp);

		if (sigs[i].st.created_ns && sigs[i].st.created_ns < x->walk_start &&
		    !bsearch(k, counters, x->m->ns.n, sizeof(*counters), key_cmp) &&
		    !(ir && ir->it.gen == gen))
			bpf_map_delete_elem(bpf_map__fd(x->c->skel->maps.sig_stats), &sigs[i].key);
	}
}

/*
 * Alive first, then by level, inode and id.  An index is sorted, then the
 * namespaces (a couple of KiB each) are moved once: qsort on the array
 * itself would copy them n log n times.  The collector lock makes the
 * comparator's static base safe.
 */
static int order_namespaces(struct pw_snapshot *s)
{
	size_t *idx, i, ordered = 1;
	struct pw_namespace *sorted;

	/* live ones come in key order, which is this order unless namespaces nest */
	order_base = s->ns;
	for (i = 0; i + 1 < s->n_ns && ordered; i++) {
		size_t a = i, b = i + 1;

		ordered = ns_order(&a, &b) <= 0;
	}
	if (ordered)
		return 0;
	idx = malloc((s->n_ns ? s->n_ns : 1) * sizeof(*idx));
	sorted = malloc((s->n_ns ? s->n_ns : 1) * sizeof(*sorted));
	if (!idx || !sorted) {
		free(idx);
		free(sorted);
		return -ENOMEM;
	}
	for (i = 0; i < s->n_ns; i++)
		idx[i] = i;
	qsort(idx, s->n_ns, sizeof(*idx), ns_order);
	for (i = 0; i < s->n_ns; i++)
		sorted[i] = s->ns[idx[i]];
	free(s->ns);
	s->ns = sorted;
	free(idx);
	return 0;
}

static int merge(struct merge_ctx *x)
{
	int rc;

	x->s->ns = calloc(x->m->iter.n + x->m->ns.n + 1, sizeof(*x->s->ns));
	if (!x->s->ns)
		return -ENOMEM;
	pw_nscache_begin(x->c->cache, now_ns(CLOCK_MONOTONIC));
	rc = merge_live(x);
	if (!rc)
		rc = merge_gone(x);
	if (rc)
		return rc;
	clean_leftovers(x);
	pw_nscache_end(x->c->cache);
	pw_gone_expire(x->c->gone, x->now);
	rc = pw_gone_append(x->c->gone, x->s);
	if (rc)
		return rc;
	return order_namespaces(x->s);
}

static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void fill_self(struct pw_collector *c, struct pw_snapshot *s, uint64_t t0)
{
	uint64_t diag[PW_DIAG_MAX];

	read_percpu_array(bpf_map__fd(c->skel->maps.drops), c->ncpu, s->self.drops, PW_DROP_MAX);
	read_percpu_array(bpf_map__fd(c->skel->maps.diag), c->ncpu, diag, PW_DIAG_MAX);
	for (int i = 0; i < PWC_RECOVERED_MAX; i++)
		s->self.recovered[i] = diag[i + 1];
	s->self.zombies_unlisted = c->skel->bss->iter_unlisted;
	s->self.drops[PW_DROP_ZOMBIES_UNLISTED] = s->self.zombies_unlisted;
	s->self.drops[PWC_DROP_GONE_EVICTED] = c->gone_evicted;
	program_stats(c, &s->self);
	s->self.exit_variant = c->variant;
	s->self.attach = c->attach;
	s->self.walk = c->walk;
	s->self.keep_gone_seconds = c->opts.keep_gone_seconds;
	s->self.nodes = 1;
	s->self.cpu_seconds = cpu_seconds();
	s->self.uptime_seconds = (double)(now_ns(CLOCK_MONOTONIC) - c->start_mono_ns) / 1e9;
	s->self.snapshot_seconds = (double)(now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
}

static int take(struct pw_collector *c, struct pw_snapshot *s, char *err, size_t errlen)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	struct merge_ctx x = { .c = c, .s = s, .m = &c->maps };
	int rc;

	rc = walk(c);
	if (rc) {
		seterr(err, errlen, "walking the processes failed: %s", strerror(-rc));
		return rc;
	}
	x.walk_start = c->skel->bss->iter_start_ns;
	/* a full iter_ns map means the walk missed namespaces: retire nothing */
	x.may_retire = c->skel->bss->iter_ns_missed == 0;
	rc = read_counters(c, &c->maps);
	if (rc) {
		seterr(err, errlen, "reading the BPF maps failed: %s", strerror(-rc));
		return rc;
	}
	x.boot = now_ns(CLOCK_BOOTTIME);
	x.now = (double)now_ns(CLOCK_REALTIME) / 1e9;
	s->time = x.now;
	rc = merge(&x);
	if (!rc)
		rc = build_zombies(c, s, x.boot, now_ns(CLOCK_MONOTONIC));
	if (rc) {
		seterr(err, errlen, "building the snapshot failed: %s", strerror(-rc));
		return rc;
	}
	fill_self(c, s, t0);
	return 0;
}

int pw_snapshot_take(struct pw_collector *c, struct pw_snapshot **out, char *err, size_t errlen)
{
	struct pw_snapshot *s;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		seterr(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_lock(&c->lock);
	rc = take(c, s, err, errlen);
	pthread_mutex_unlock(&c->lock);
	if (rc) {
		pw_snapshot_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* ---- as a snapshot source ------------------------------------------- */

static int source_take(void *ctx, struct pw_snapshot **out, char *err, size_t errlen)
{
	return pw_snapshot_take(ctx, out, err, errlen);
}

static void source_close(void *ctx)
{
	pw_close(ctx);
}

void pw_collector_source(struct pw_collector *c, struct pw_source *src)
{
	*src = (struct pw_source){ .take = source_take, .close = source_close, .ctx = c };
}
