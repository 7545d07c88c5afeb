// SPDX-License-Identifier: Apache-2.0
/*
 * collector.c — the only file that knows libbpf and the map layouts.
 *
 * A snapshot is built in this order, so that a namespace is never declared
 * dead by mistake: (1) copy the event counters (ns_stats, sig_stats), (2) walk
 * every process with the iter/task program (zombies and live namespaces right
 * now), (3) merge: a counter entry whose namespace had no process in the walk
 * is reported once more with alive=false and then deleted from the maps.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collector.h"
#include "attrib.h"
#include "pause_page.h"
#include "pausewatch.h"
#include "pausewatch.skel.h"

_Static_assert(PWC_NSIG == PW_NSIG, "signal table size");
_Static_assert(PWC_HIST_SLOTS == PW_HIST_SLOTS, "histogram size");
_Static_assert((int)PWC_REAPER_MAX == (int)PW_REAPER_MAX, "reaper kinds");
_Static_assert((int)PWC_SIG_RESULT_MAX == (int)PW_SIG_RESULT_MAX, "signal results");
_Static_assert((int)PWC_ACT_MAX == (int)PW_ACT_MAX, "signal actions");
_Static_assert((int)PWC_DROP_GONE_EVICTED == (int)PW_DROP_MAX, "kernel drops come first");

#define ATTRIB_TTL_NS		(5ULL * 1000000000ULL)	/* hostname/cmdline refresh */
#define PAUSE_PROBE_TTL_NS	(10ULL * 1000000000ULL)	/* re-look for a page on non-pause inits */

/* What we remember about a namespace between snapshots. */
struct ns_cache {
	struct pw_ns_key key;
	pid_t init_pid;
	uint64_t attrib_at;	/* CLOCK_MONOTONIC ns of the last attribution */
	uint64_t pause_probe_at;
	bool pause_seen;
	struct pw_attrib attrib;
};

struct pw_collector {
	struct pausewatch_bpf *skel;
	struct pw_opts opts;
	const char *variant;
	const char *attach;	/* "tp_btf" or "raw_tp" */
	uint64_t start_boot_ns;
	uint64_t start_mono_ns;
	struct ns_cache *cache;	/* sorted by key */
	size_t n_cache;
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
			       "grant CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE; in a container "
			       "also CAP_SYS_ADMIN for the task iterator)%s%s",
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

static int load_and_attach(struct pw_collector *c, bool raw, char *err, size_t errlen)
{
	struct pausewatch_bpf *skel;
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
	select_programs(skel, !strcmp(c->variant, "v616"), raw);
	c->attach = raw ? "raw_tp" : "tp_btf";
	skel->rodata->max_zombies = c->opts.max_zombies;
	skel->rodata->exited_mask = c->opts.exited_slots - 1;
	if (bpf_map__set_max_entries(skel->maps.ns_stats, c->opts.max_namespaces) ||
	    bpf_map__set_max_entries(skel->maps.iter_ns, c->opts.max_namespaces) ||
	    bpf_map__set_max_entries(skel->maps.sig_stats, c->opts.max_signal_keys) ||
	    bpf_map__set_max_entries(skel->maps.exited, c->opts.exited_slots)) {
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
	/* the skeleton attached the task iterator too; its link is what read() uses */
	if (!skel->links.pw_snapshot) {
		skel->links.pw_snapshot = bpf_program__attach_iter(skel->progs.pw_snapshot, NULL);
		if (!skel->links.pw_snapshot)
			return classify_load_error(errno, "attach the task iterator of", err, errlen);
	}
	return PW_EXIT_OK;
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
	c->opts = *opts;
	if (!c->opts.max_zombies)
		c->opts.max_zombies = 1024;
	if (!c->opts.max_namespaces)
		c->opts.max_namespaces = 4096;
	if (!c->opts.max_signal_keys)
		c->opts.max_signal_keys = 16384;
	if (!c->opts.exited_slots)
		c->opts.exited_slots = exited_slots();
	if (c->opts.exited_slots & (c->opts.exited_slots - 1)) {
		seterr(err, errlen, "exited_slots must be a power of two, not %u", c->opts.exited_slots);
		free(c);
		return PW_EXIT_USAGE;
	}
	libbpf_verbose = opts->verbose;
	libbpf_set_print(libbpf_print);

	rc = load_and_attach(c, c->opts.attach == PW_ATTACH_RAW_TP, err, errlen);
	/*
	 * tp_btf is preferred (typed arguments, cheaper loads); when the kernel
	 * refuses it, raw_tp programs reading the same tracepoints are tried.
	 */
	if (rc == PW_EXIT_REFUSED && c->opts.attach == PW_ATTACH_AUTO) {
		char first[512];

		snprintf(first, sizeof(first), "%s", err);
		pausewatch_bpf__destroy(c->skel);
		c->skel = NULL;
		rc = load_and_attach(c, true, err, errlen);
		if (rc)
			seterr(err, errlen, "%s; the raw_tp fallback failed too", first);
	}
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
	pausewatch_bpf__destroy(c->skel);
	free(c->cache);
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

	fold_u64s(dst, percpu, ncpu, stride, offsetof(struct pw_ns_stats, level) / sizeof(uint64_t));
	out->level = 0;
	out->init_tgid = 0;
	/* set once, on the CPU that made the entry */
	for (int cpu = 0; cpu < ncpu; cpu++) {
		const struct pw_ns_stats *v = (const void *)((const char *)percpu + (size_t)cpu * stride);

		if (v->init_tgid) {
			out->level = v->level;
			out->init_tgid = v->init_tgid;
		}
	}
}

static void fold_sig_stats(void *dst, const void *percpu, int ncpu, size_t stride)
{
	fold_u64s(dst, percpu, ncpu, stride, sizeof(struct pw_sig_stats) / sizeof(uint64_t));
}

_Static_assert(offsetof(struct pw_ns_stats, level) % 8 == 0, "ns_stats: u64 counters first");
_Static_assert(sizeof(struct pw_sig_stats) % 8 == 0, "sig_stats: u64 counters only");

/*
 * Copy every entry of a hash map into a growing array of (key, value) rows;
 * with fold, the map is per CPU and each row gets the CPUs' sum.
 */
static int dump_map(int fd, size_t ksz, size_t vsz, fold_fn fold, void **rows_out, size_t *n_out)
{
	int ncpu = fold ? libbpf_num_possible_cpus() : 1;
	size_t cap = 64, n = 0, rsz = ksz + vsz, stride = (vsz + 7) & ~(size_t)7;
	char *rows = malloc(cap * rsz), *cur = malloc(ksz), *next = malloc(ksz);
	char *pcpu = fold && ncpu > 0 ? malloc(stride * (size_t)ncpu) : NULL;
	bool first = true;

	if (!rows || !cur || !next || (fold && !pcpu))
		goto fail;
	while (bpf_map_get_next_key(fd, first ? NULL : cur, next) == 0) {
		char *row;

		first = false;
		if (n == cap) {
			char *grown = realloc(rows, cap * 2 * rsz);

			if (!grown)
				goto fail;
			rows = grown;
			cap *= 2;
		}
		row = rows + n * rsz;
		memcpy(row, next, ksz);
		memcpy(cur, next, ksz);
		/* an entry deleted between next_key and lookup is simply skipped */
		if (bpf_map_lookup_elem(fd, next, fold ? pcpu : row + ksz))
			continue;
		if (fold)
			fold(row + ksz, pcpu, ncpu, stride);
		n++;
	}
	free(pcpu);
	free(cur);
	free(next);
	*rows_out = rows;
	*n_out = n;
	return 0;
fail:
	free(pcpu);
	free(rows);
	free(cur);
	free(next);
	return -ENOMEM;
}

/* The loss counters, summed over CPUs (all zero if the map cannot be read). */
static void read_drops(struct pw_collector *c, uint64_t drops[PW_DROP_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	memset(drops, 0, PW_DROP_MAX * sizeof(*drops));
	vals = ncpu > 0 ? calloc((size_t)ncpu, sizeof(*vals)) : NULL;
	if (!vals)
		return;
	for (__u32 idx = 0; idx < PW_DROP_MAX; idx++)
		if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.drops), &idx, vals) == 0)
			for (int i = 0; i < ncpu; i++)
				drops[idx] += vals[i];
	free(vals);
}

/* Run the task iterator: zombie records out, per-namespace state in iter_ns. */
static int walk_tasks(struct pw_collector *c, struct pw_zombie_rec **recs, size_t *n_recs)
{
	size_t cap = 64 * sizeof(struct pw_zombie_rec), len = 0;
	char *buf = malloc(cap);
	ssize_t got;
	int fd;

	*recs = NULL;
	*n_recs = 0;
	if (!buf)
		return -ENOMEM;
	c->skel->bss->iter_gen++;
	c->skel->bss->iter_listed = 0;
	c->skel->bss->iter_unlisted = 0;
	c->skel->bss->iter_last_task = 0;
	c->skel->bss->iter_ns_missed = 0;
	fd = bpf_iter_create(bpf_link__fd(c->skel->links.pw_snapshot));
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *grown = realloc(buf, cap * 2);

			if (!grown) {
				close(fd);
				free(buf);
				return -ENOMEM;
			}
			buf = grown;
			cap *= 2;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = -errno;

			close(fd);
			free(buf);
			return e;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	*recs = (struct pw_zombie_rec *)buf;
	*n_recs = len / sizeof(struct pw_zombie_rec);
	return 0;
}

_Static_assert(offsetof(struct ns_row, st) == sizeof(struct pw_ns_key), "ns_row packing");
_Static_assert(offsetof(struct sig_row, st) == sizeof(struct pw_sig_key), "sig_row packing");
_Static_assert(offsetof(struct iter_row, it) == sizeof(struct pw_ns_key), "iter_row packing");

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

/* Attach the signal rows of one namespace (rows sorted by key). */
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
	while (first + cnt < n && key_cmp(&rows[first + cnt].key.ns, key) == 0)
		cnt++;
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

/* The init's comm right now ("" if unreadable): an exec changes it. */
static void read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	chomp(buf);
}

/*
 * Who the namespace belongs to: cached, refreshed every ATTRIB_TTL_NS, and at
 * once when the init's comm changed (a runtime's init exec'ing the real one).
 */
static void attribute(struct pw_collector *c, struct ns_cache *nc, struct pw_namespace *ns,
		      uint64_t mono)
{
	char comm[sizeof(nc->attrib.comm)] = "";

	if (c->opts.no_attribution || nc->init_pid <= 0)
		return;
	if (mono)
		read_comm(nc->init_pid, comm, sizeof(comm));
	if (mono && (!nc->attrib_at || mono - nc->attrib_at >= ATTRIB_TTL_NS ||
		     (comm[0] && strcmp(comm, nc->attrib.comm) != 0))) {
		struct pw_attrib a;

		/* a failed read keeps the last good values: the init may be a zombie */
		if (pw_attrib_read(nc->init_pid, &a) == 0 || !nc->attrib_at)
			nc->attrib = a;
		nc->attrib_at = mono;
	}
	snprintf(ns->init_comm, sizeof(ns->init_comm), "%s", nc->attrib.comm);
	snprintf(ns->init_cmdline, sizeof(ns->init_cmdline), "%s", nc->attrib.cmdline);
	snprintf(ns->hostname, sizeof(ns->hostname), "%s", nc->attrib.hostname);
	snprintf(ns->container_id, sizeof(ns->container_id), "%s", nc->attrib.container_id);
	snprintf(ns->runtime, sizeof(ns->runtime), "%s", nc->attrib.runtime);
	snprintf(ns->pod_uid, sizeof(ns->pod_uid), "%s", nc->attrib.pod_uid);
}

/*
 * Our pause keeps a counters page.  Look for it on every snapshot when the
 * init is called pause or had one before, otherwise only now and then (a
 * directory scan of /proc/PID/fd per namespace is not free).
 */
static void read_pause(struct ns_cache *nc, struct pw_namespace *ns, uint64_t mono)
{
	char err[128] = "";
	int rc;

	if (nc->init_pid <= 0)
		return;
	if (!nc->pause_seen && strcmp(ns->init_comm, "pause") != 0 &&
	    nc->pause_probe_at && mono - nc->pause_probe_at < PAUSE_PROBE_TTL_NS)
		return;
	nc->pause_probe_at = mono;
	rc = pause_page_read(nc->init_pid, &ns->pause, err, sizeof(err));
	if (rc == 0) {
		ns->has_pause = true;
		nc->pause_seen = true;
	} else if (rc != -ENOENT) {
		snprintf(ns->pause_error, sizeof(ns->pause_error), "%s", err);
	}
}

static struct ns_cache *cache_find(struct ns_cache *cache, size_t n, const struct pw_ns_key *key)
{
	return n ? bsearch(key, cache, n, sizeof(*cache), key_cmp) : NULL;
}

static int ns_order(const void *a, const void *b)
{
	const struct pw_namespace *x = a, *y = b;

	if (x->alive != y->alive)
		return x->alive ? -1 : 1;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return x->pidns < y->pidns ? -1 : x->pidns > y->pidns;
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

static int build_zombies(struct pw_collector *c, struct pw_snapshot *s,
			 const struct pw_zombie_rec *recs, size_t n, uint64_t boot)
{
	uint64_t mono = now_ns(CLOCK_MONOTONIC);

	s->zombies = calloc(n ? n : 1, sizeof(*s->zombies));
	if (!s->zombies)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct pw_zombie_rec *r = &recs[i];
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

/* Forget a namespace that has no process left: counters and signal rows. */
static void retire(struct pw_collector *c, const struct pw_ns_key *key,
		   const struct sig_row *sigs, size_t n_sigs)
{
	bpf_map_delete_elem(bpf_map__fd(c->skel->maps.ns_stats), key);
	for (size_t i = 0; i < n_sigs; i++)
		if (key_cmp(&sigs[i].key.ns, key) == 0)
			bpf_map_delete_elem(bpf_map__fd(c->skel->maps.sig_stats), &sigs[i].key);
}

struct maps_copy {
	struct ns_row *ns;
	size_t n_ns;
	struct sig_row *sig;
	size_t n_sig;
	struct iter_row *iter;
	size_t n_iter;
	struct pw_zombie_rec *recs;
	size_t n_recs;
};

static void maps_copy_free(struct maps_copy *m)
{
	free(m->ns);
	free(m->sig);
	free(m->iter);
	free(m->recs);
}

/* Steps (1) and (2): counters first, then the walk (see the top comment). */
static int read_kernel(struct pw_collector *c, struct maps_copy *m)
{
	struct pausewatch_bpf *skel = c->skel;
	int rc;

	rc = dump_map(bpf_map__fd(skel->maps.ns_stats), sizeof(struct pw_ns_key),
		      sizeof(struct pw_ns_stats), fold_ns_stats, (void **)&m->ns, &m->n_ns);
	if (!rc)
		rc = dump_map(bpf_map__fd(skel->maps.sig_stats), sizeof(struct pw_sig_key),
			      sizeof(struct pw_sig_stats), fold_sig_stats, (void **)&m->sig, &m->n_sig);
	if (!rc)
		rc = walk_tasks(c, &m->recs, &m->n_recs);
	if (!rc)
		rc = dump_map(bpf_map__fd(skel->maps.iter_ns), sizeof(struct pw_ns_key),
			      sizeof(struct pw_iter_ns), NULL, (void **)&m->iter, &m->n_iter);
	if (rc)
		return rc;
	qsort(m->ns, m->n_ns, sizeof(*m->ns), key_cmp);
	qsort(m->sig, m->n_sig, sizeof(*m->sig), sig_row_cmp);
	qsort(m->iter, m->n_iter, sizeof(*m->iter), key_cmp);
	return 0;
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
	ns->processes = it->processes;
	ns->zombies = it->zombies;
	ns->oldest_zombie_age_s = -1;
	if (it->zombies_unknown_exit) {
		ns->oldest_age_is_lower_bound = true;
		ns->oldest_zombie_age_s = (double)(boot - c->start_boot_ns) / 1e9;
	} else if (it->oldest_exit_ns) {
		ns->oldest_zombie_age_s = (double)(boot - it->oldest_exit_ns) / 1e9;
	}
}

static int merge(struct pw_collector *c, struct pw_snapshot *s, struct maps_copy *m,
		 bool may_retire, uint64_t boot, uint64_t mono)
{
	struct ns_cache *cache = calloc(m->n_iter ? m->n_iter : 1, sizeof(*cache));
	int iter_fd = bpf_map__fd(c->skel->maps.iter_ns);
	__u64 gen = c->skel->bss->iter_gen;
	size_t n_cache = 0;

	s->ns = calloc(m->n_iter + m->n_ns + 1, sizeof(*s->ns));
	if (!s->ns || !cache) {
		free(cache);
		return -ENOMEM;
	}
	/* live namespaces: had a process in this walk */
	for (size_t i = 0; i < m->n_iter; i++) {
		const struct iter_row *ir = &m->iter[i];
		struct pw_namespace *ns = &s->ns[s->n_ns];
		struct ns_row *nr;
		struct ns_cache *old, *nc;

		if (ir->it.gen != gen) {	/* left over from a namespace that died */
			bpf_map_delete_elem(iter_fd, &ir->key);
			continue;
		}
		fill_live(c, ns, ir, boot);
		nr = bsearch(&ir->key, m->ns, m->n_ns, sizeof(*m->ns), key_cmp);
		if (nr)
			copy_counters(ns, &nr->st);
		if (attach_sigs(ns, &ir->key, m->sig, m->n_sig))
			goto nomem;
		nc = &cache[n_cache++];
		old = cache_find(c->cache, c->n_cache, &ir->key);
		if (old && old->init_pid == ns->init_pid)
			*nc = *old;
		nc->key = ir->key;
		nc->init_pid = ns->init_pid;
		attribute(c, nc, ns, mono);
		read_pause(nc, ns, mono);
		s->n_ns++;
	}
	/* counters of namespaces with no process left: final report, then forget */
	for (size_t i = 0; i < m->n_ns && may_retire; i++) {
		const struct ns_row *nr = &m->ns[i];
		const struct iter_row *ir = bsearch(&nr->key, m->iter, m->n_iter, sizeof(*m->iter), key_cmp);
		struct pw_namespace *ns = &s->ns[s->n_ns];
		struct ns_cache *old;

		if (ir && ir->it.gen == gen)
			continue;
		ns->pidns = nr->key.inum;
		ns->ns_id = nr->key.id;
		ns->level = nr->st.level;
		ns->init_pid = nr->st.init_tgid;
		ns->oldest_zombie_age_s = -1;
		copy_counters(ns, &nr->st);
		if (attach_sigs(ns, &nr->key, m->sig, m->n_sig))
			goto nomem;
		old = cache_find(c->cache, c->n_cache, &nr->key);
		if (old)
			attribute(c, old, ns, 0);	/* mono 0: never refresh a dead one */
		retire(c, &nr->key, m->sig, m->n_sig);
		s->n_ns++;
	}
	/* signal rows of namespaces that are neither live nor counted */
	for (size_t i = 0; i < m->n_sig && may_retire; i++) {
		const struct ns_row *nr = bsearch(&m->sig[i].key.ns, m->ns, m->n_ns, sizeof(*m->ns), key_cmp);
		const struct iter_row *ir = bsearch(&m->sig[i].key.ns, m->iter, m->n_iter,
						    sizeof(*m->iter), key_cmp);

		if (!nr && !(ir && ir->it.gen == gen))
			bpf_map_delete_elem(bpf_map__fd(c->skel->maps.sig_stats), &m->sig[i].key);
	}
	free(c->cache);
	c->cache = cache;
	c->n_cache = n_cache;
	qsort(c->cache, c->n_cache, sizeof(*c->cache), key_cmp);
	qsort(s->ns, s->n_ns, sizeof(*s->ns), ns_order);
	return 0;
nomem:
	free(cache);
	return -ENOMEM;
}

int pw_snapshot_take(struct pw_collector *c, struct pw_snapshot **out, char *err, size_t errlen)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), boot;
	struct maps_copy m = {};
	struct pw_snapshot *s;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		seterr(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = read_kernel(c, &m);
	if (rc) {
		seterr(err, errlen, "reading the BPF maps failed: %s", strerror(-rc));
		goto fail;
	}
	boot = now_ns(CLOCK_BOOTTIME);
	s->time = (double)now_ns(CLOCK_REALTIME) / 1e9;
	/* a full iter_ns map means the walk missed namespaces: retire nothing */
	rc = merge(c, s, &m, c->skel->bss->iter_ns_missed == 0, boot, now_ns(CLOCK_MONOTONIC));
	if (!rc)
		rc = build_zombies(c, s, m.recs, m.n_recs, boot);
	if (rc) {
		seterr(err, errlen, "building the snapshot failed: %s", strerror(-rc));
		goto fail;
	}
	read_drops(c, s->self.drops);
	s->self.zombies_unlisted = c->skel->bss->iter_unlisted;
	s->self.drops[PW_DROP_ZOMBIES_UNLISTED] = s->self.zombies_unlisted;
	program_stats(c, &s->self);
	s->self.exit_variant = c->variant;
	s->self.attach = c->attach;
	s->self.uptime_seconds = (double)(now_ns(CLOCK_MONOTONIC) - c->start_mono_ns) / 1e9;
	s->self.snapshot_seconds = (double)(now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	maps_copy_free(&m);
	*out = s;
	return 0;
fail:
	maps_copy_free(&m);
	pw_snapshot_free(s);
	return rc;
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
