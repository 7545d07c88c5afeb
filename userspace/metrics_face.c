// SPDX-License-Identifier: Apache-2.0
/*
 * metrics_face.c — a snapshot as a Prometheus exposition (metrics_face.h);
 * the families and their meaning are docs/metrics.md.
 *
 * Speed matters (one render per scrape, 1,000 namespaces are ~40,000
 * lines): every namespace's identifying labels are escaped once, lines are
 * assembled with memcpy into one growing buffer, integers are formatted by
 * hand, and nothing is allocated per line.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_face.h"
#include "promesc.h"

#ifndef PW_VERSION
#define PW_VERSION "dev"
#endif

/* ---- buffer --------------------------------------------------------- */

void pw_mbuf_init(struct pw_mbuf *b, size_t hint)
{
	memset(b, 0, sizeof(*b));
	b->cap = hint ? hint : 4096;
	b->data = malloc(b->cap);
	if (!b->data) {
		b->cap = 0;
		b->err = -ENOMEM;
	}
}

void pw_mbuf_free(struct pw_mbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

char *pw_mbuf_take(struct pw_mbuf *b, size_t *len)
{
	char *p = b->data;

	*len = b->len;
	memset(b, 0, sizeof(*b));
	return p;
}

int pw_mbuf_flush(struct pw_mbuf *b)
{
	int rc;

	if (b->err || !b->sink || !b->len)
		return b->err;
	rc = b->sink(b->sink_ctx, b->data, b->len);
	if (rc)
		b->err = rc;
	b->len = 0;
	return b->err;
}

/* Room for n more bytes; false (and err set) when the buffer cannot grow. */
static bool grow(struct pw_mbuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->err)
		return false;
	/* with a sink: empty it first; grow only for a piece larger than the buffer */
	if (b->sink && pw_mbuf_flush(b))
		return false;
	if (b->len + n <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->err = -ENOMEM;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

/* The hot path (every byte of the exposition goes through here): inline, no call when it fits. */
static inline bool room(struct pw_mbuf *b, size_t n)
{
	if (__builtin_expect(b->len + n <= b->cap && !b->err, 1))
		return true;
	return grow(b, n);
}

static inline void put(struct pw_mbuf *b, const char *s, size_t n)
{
	if (!room(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

static void put_str(struct pw_mbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_u64(struct pw_mbuf *b, uint64_t v)
{
	if (room(b, PW_PROM_NUM_MAX))
		b->len += pw_prom_fmt_u64(b->data + b->len, v);
}

static void put_dbl(struct pw_mbuf *b, double v)
{
	if (room(b, PW_PROM_NUM_MAX))
		b->len += pw_prom_fmt_double(b->data + b->len, v);
}

/* ,key="value" with value escaped; value is a fixed-size field or a C string. */
static void put_label(struct pw_mbuf *b, const char *key, const char *val, size_t maxlen)
{
	size_t n = strnlen(val, maxlen);

	put_str(b, key);
	put(b, "=\"", 2);
	if (room(b, PW_PROM_ESC_MAX(n) + 1))
		b->len += pw_prom_escape_label(b->data + b->len, val, n);
	put(b, "\"", 1);
}

/* ---- families --------------------------------------------------------- */

enum kind { K_GAUGE, K_COUNTER, K_HISTOGRAM, K_INFO };

struct family {
	const char *name;	/* as the text format names it: counters end _total, info _info */
	enum kind kind;
	const char *unit;	/* OpenMetrics UNIT, a suffix of the name; NULL: none */
	const char *help;
};

/* docs/metrics.md, in its order. */
static const struct family
	f_info = { "pausewatch_namespace_info", K_INFO, NULL,
		   "Attribution of a PID namespace (1); join on pidns. Empty string: unknown." },
	f_alive = { "pausewatch_namespace_alive", K_GAUGE, NULL,
		    "1 while the PID namespace has processes, 0 during its retention after the last one went." },
	f_processes = { "pausewatch_processes", K_GAUGE, NULL,
			"Processes (thread groups) in the PID namespace now." },
	f_zombies = { "pausewatch_zombies", K_GAUGE, NULL, "Zombies waiting to be reaped now." },
	f_oldest = { "pausewatch_oldest_zombie_age_seconds", K_GAUGE, "seconds",
		     "Age of the oldest zombie; absent when there is none." },
	f_dwell = { "pausewatch_zombie_dwell_seconds", K_HISTOGRAM, "seconds",
		    "Exit to reap time of reaped zombies (an upper bound); absent until the first reap." },
	f_exits = { "pausewatch_exits_total", K_COUNTER, NULL, "Processes that exited." },
	f_zombie_exits = { "pausewatch_zombie_exits_total", K_COUNTER, NULL,
			   "Exits left as zombies for a wait()." },
	f_reaped = { "pausewatch_reaped_total", K_COUNTER, NULL, "Zombies released." },
	f_autoreaped = { "pausewatch_autoreaped_total", K_COUNTER, NULL,
			 "Exits released at once (the parent ignores SIGCHLD)." },
	f_orphans = { "pausewatch_orphans_adopted_total", K_COUNTER, NULL,
		      "Orphans adopted, by who adopted them." },
	f_orphans_zombie = { "pausewatch_orphans_already_zombie_total", K_COUNTER, NULL,
			     "Orphans that were zombies when adopted." },
	f_orphans_killed = { "pausewatch_orphans_killed_with_init_total", K_COUNTER, NULL,
			     "Children killed because their namespace's init died." },
	f_generated = { "pausewatch_signals_generated_total", K_COUNTER, NULL,
			"Signals sent to the namespace's processes, by result; only non-zero series." },
	f_delivered = { "pausewatch_signals_delivered_total", K_COUNTER, NULL,
			"Signals dequeued by the receiver, by action; only non-zero series." },
	f_ignored = { "pausewatch_signals_ignored_by_init_total", K_COUNTER, NULL,
		      "Signals the kernel dropped because the namespace's init has no handler." },
	f_disp = { "pausewatch_init_signal_disposition", K_GAUGE, NULL,
		   "The init's disposition of a signal (1: current); absent when unknown." },
	f_pids_current = { "pausewatch_pids_current", K_GAUGE, NULL,
			   "pids.current of the init's pids cgroup (or its nearest ancestor with a limit)." },
	f_pids_max = { "pausewatch_pids_max", K_GAUGE, NULL,
		       "pids.max of that cgroup; absent when unlimited." },
	f_pids_events = { "pausewatch_pids_max_events_total", K_COUNTER, NULL,
			  "Forks refused at that cgroup's pids.max." },
	f_pause_reaped = { "pausewatch_pause_reaped_total", K_COUNTER, NULL,
			   "Children our pause reaped (its counters page); only when the init is our pause." },
	f_dropped = { "pausewatch_dropped_total", K_COUNTER, NULL, "Losses, by what was lost." },
	f_recovered = { "pausewatch_recovered_total", K_COUNTER, NULL,
			"Repairs the collector made, by kind." },
	f_build = { "pausewatch_build_info", K_INFO, NULL, "What is running (1)." },
	f_bpf_time = { "pausewatch_bpf_run_time_seconds_total", K_COUNTER, "seconds",
		       "Time spent in pausewatch's BPF programs (kernel.bpf_stats_enabled=1)." },
	f_bpf_runs = { "pausewatch_bpf_runs_total", K_COUNTER, NULL,
		       "Runs of pausewatch's BPF programs (kernel.bpf_stats_enabled=1)." },
	f_snapshot = { "pausewatch_snapshot_duration_seconds", K_GAUGE, "seconds",
		       "How long this scrape's snapshot took." },
	f_cpu = { "process_cpu_seconds_total", K_COUNTER, "seconds",
		  "Total user and system CPU time spent in seconds." },
	f_rss = { "process_resident_memory_bytes", K_GAUGE, "bytes", "Resident memory size in bytes." },
	f_start = { "process_start_time_seconds", K_GAUGE, "seconds",
		    "Start time of the process since unix epoch in seconds." },
	f_fds = { "process_open_fds", K_GAUGE, NULL, "Number of open file descriptors." };

struct render {
	struct pw_mbuf *b;
	const struct pw_snapshot *s;
	const struct pw_metrics_opts *o;
	bool om;
	bool *emit;		/* per namespace: exported (false: a duplicate pidns) */
	char *labels;		/* per namespace: node="...",pidns="..." */
	size_t *lab_off;	/* n_ns + 1 offsets into labels */
	struct pw_mbuf self;	/* node="..." for series of the node itself */
};

/* # HELP and # TYPE (text), or # TYPE, # UNIT and # HELP of the family (OpenMetrics). */
static void family(struct render *r, const struct family *f)
{
	static const char *const text_type[] = { "gauge", "counter", "histogram", "gauge" };
	static const char *const om_type[] = { "gauge", "counter", "histogram", "info" };
	size_t namelen = strlen(f->name), hl = strlen(f->help);
	struct pw_mbuf *b = r->b;

	if (r->om && (f->kind == K_COUNTER || f->kind == K_INFO))
		namelen -= f->kind == K_COUNTER ? strlen("_total") : strlen("_info");
	if (r->om) {
		put(b, "# TYPE ", 7), put(b, f->name, namelen), put(b, " ", 1);
		put_str(b, om_type[f->kind]), put(b, "\n", 1);
		if (f->unit) {
			put(b, "# UNIT ", 7), put(b, f->name, namelen), put(b, " ", 1);
			put_str(b, f->unit), put(b, "\n", 1);
		}
	}
	put(b, "# HELP ", 7), put(b, f->name, namelen), put(b, " ", 1);
	/* OpenMetrics escapes '"' in HELP as in label values; the text format does not */
	if (room(b, PW_PROM_ESC_MAX(hl)))
		b->len += (r->om ? pw_prom_escape_label : pw_prom_escape_help)(b->data + b->len,
									     f->help, hl);
	put(b, "\n", 1);
	if (!r->om) {
		put(b, "# TYPE ", 7), put(b, f->name, namelen), put(b, " ", 1);
		put_str(b, text_type[f->kind]), put(b, "\n", 1);
	}
}

/* name{node=...,pidns=...   (namespace i; SIZE_MAX: the node itself) — the caller adds labels, then end_*. */
static void begin(struct render *r, const char *name, size_t i)
{
	struct pw_mbuf *b = r->b;

	put_str(b, name);
	put(b, "{", 1);
	if (i == SIZE_MAX)
		put(b, r->self.data, r->self.len);
	else
		put(b, r->labels + r->lab_off[i], r->lab_off[i + 1] - r->lab_off[i]);
}

static void end_u64(struct render *r, uint64_t v)
{
	put(r->b, "} ", 2);
	put_u64(r->b, v);
	put(r->b, "\n", 1);
}

static void end_dbl(struct render *r, double v)
{
	put(r->b, "} ", 2);
	put_dbl(r->b, v);
	put(r->b, "\n", 1);
}

/* name{node,pidns} v for every exported namespace where get() says there is a value. */
static void per_ns_u64(struct render *r, const struct family *f,
		       bool (*get)(const struct pw_namespace *ns, uint64_t *v))
{
	bool header = false;
	uint64_t v;

	for (size_t i = 0; i < r->s->n_ns; i++) {
		if (!r->emit[i] || !get(&r->s->ns[i], &v))
			continue;
		if (!header)
			family(r, f), header = true;
		begin(r, f->name, i);
		end_u64(r, v);
	}
}

#define GETTER(fn, expr)						\
	static bool fn(const struct pw_namespace *ns, uint64_t *v)	\
	{								\
		*v = (expr);						\
		return true;						\
	}

GETTER(get_alive, ns->alive ? 1 : 0)
GETTER(get_processes, ns->processes)
GETTER(get_zombies, ns->zombies)
GETTER(get_exits, ns->exits)
GETTER(get_zombie_exits, ns->zombie_exits)
GETTER(get_reaped, ns->reaped)
GETTER(get_autoreaped, ns->autoreaped)
GETTER(get_orphans_zombie, ns->orphans_zombie)
GETTER(get_orphans_killed, ns->orphans_killed)

static bool get_pids_current(const struct pw_namespace *ns, uint64_t *v)
{
	*v = ns->pids_current;
	return ns->pids_known;
}

static bool get_pids_max(const struct pw_namespace *ns, uint64_t *v)
{
	*v = ns->pids_max > 0 ? (uint64_t)ns->pids_max : 0;
	return ns->pids_known && ns->pids_max != PW_PIDS_UNLIMITED && ns->pids_max >= 0;
}

static bool get_pids_events(const struct pw_namespace *ns, uint64_t *v)
{
	*v = ns->pids_events_max;
	return ns->pids_known;
}

static bool get_pause_reaped(const struct pw_namespace *ns, uint64_t *v)
{
	*v = ns->pause.reaped_total;
	return ns->has_pause;
}


/* ---- families with more than one series per namespace ------------------- */

static void info(struct render *r)
{
	char num[PW_PROM_NUM_MAX];

	family(r, &f_info);
	for (size_t i = 0; i < r->s->n_ns; i++) {
		const struct pw_namespace *ns = &r->s->ns[i];

		if (!r->emit[i])
			continue;
		begin(r, f_info.name, i);
		pw_prom_fmt_u64(num, ns->level);
		put_label(r->b, ",level", num, sizeof(num));
		pw_prom_fmt_u64(num, ns->init_pid > 0 ? (uint64_t)ns->init_pid : 0);
		put_label(r->b, ",init_pid", num, sizeof(num));
		put_label(r->b, ",init_comm", ns->init_comm, sizeof(ns->init_comm));
		put_label(r->b, ",hostname", ns->hostname, sizeof(ns->hostname));
		put_label(r->b, ",container_id", ns->container_id, sizeof(ns->container_id));
		put_label(r->b, ",runtime", ns->runtime, sizeof(ns->runtime));
		put_label(r->b, ",pod_uid", ns->pod_uid, sizeof(ns->pod_uid));
		end_u64(r, 1);
	}
}

static void oldest_zombie(struct render *r)
{
	bool header = false;

	for (size_t i = 0; i < r->s->n_ns; i++) {
		const struct pw_namespace *ns = &r->s->ns[i];

		if (!r->emit[i] || !ns->zombies || ns->oldest_zombie_age_s < 0)
			continue;
		if (!header)
			family(r, &f_oldest), header = true;
		begin(r, f_oldest.name, i);
		end_dbl(r, ns->oldest_zombie_age_s);
	}
}

/* Bucket bounds as label values, formatted once. */
static const char *le_label(int slot)
{
	static char le[PWC_HIST_SLOTS][PW_PROM_NUM_MAX];
	static int ready;

	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		/* racing threads write the same bytes: harmless */
		for (int i = 0; i < PWC_HIST_SLOTS; i++)
			pw_prom_fmt_double(le[i], pw_dwell_le(i));
		__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	}
	return le[slot];
}

/* Only namespaces that reaped something: an empty histogram is 34 series of zeros. */
static void dwell(struct render *r)
{
	bool header = false;

	for (size_t i = 0; i < r->s->n_ns; i++) {
		const struct pw_namespace *ns = &r->s->ns[i];
		uint64_t cum = 0;

		if (!r->emit[i] || !pw_ns_dwell_count(ns))
			continue;
		if (!header)
			family(r, &f_dwell), header = true;
		for (int k = 0; k < PWC_HIST_SLOTS; k++) {
			cum += ns->dwell_hist[k];
			begin(r, "pausewatch_zombie_dwell_seconds_bucket", i);
			put(r->b, ",le=\"", 5);
			put_str(r->b, le_label(k));
			put(r->b, "\"", 1);
			end_u64(r, cum);
		}
		begin(r, "pausewatch_zombie_dwell_seconds_sum", i);
		end_dbl(r, (double)ns->dwell_sum_ns / 1e9);
		begin(r, "pausewatch_zombie_dwell_seconds_count", i);
		end_u64(r, cum);
	}
}

static void orphans(struct render *r)
{
	family(r, &f_orphans);
	for (size_t i = 0; i < r->s->n_ns; i++) {
		if (!r->emit[i])
			continue;
		for (int k = 0; k < PWC_REAPER_MAX; k++) {
			begin(r, f_orphans.name, i);
			put(r->b, ",reaper=\"", 9);
			put_str(r->b, pw_reaper_name(k));
			put(r->b, "\"", 1);
			end_u64(r, r->s->ns[i].orphans[k]);
		}
	}
}

/* ,signal="SIGTERM" for every signal, formatted once. */
static const char *signal_label(int sig)
{
	static char lab[PWC_NSIG][40];
	static int ready;

	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		/* racing threads write the same bytes: harmless */
		for (int i = 1; i < PWC_NSIG; i++) {
			char name[16];

			pw_signal_name(i, name, sizeof(name));
			snprintf(lab[i], sizeof(lab[i]), ",signal=\"%s\"", name);
		}
		__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	}
	return sig > 0 && sig < PWC_NSIG ? lab[sig] : ",signal=\"\"";
}

static void put_signal(struct render *r, int sig)
{
	put_str(r->b, signal_label(sig));
}

/* Non-zero (signal, result) or (signal, action) pairs. */
static void signals(struct render *r, const struct family *f, bool delivered)
{
	int nk = delivered ? PWC_ACT_MAX : PWC_SIG_RESULT_MAX;
	bool header = false;

	for (size_t i = 0; i < r->s->n_ns; i++) {
		const struct pw_namespace *ns = &r->s->ns[i];

		for (size_t j = 0; r->emit[i] && j < ns->n_sigs; j++) {
			const struct pw_sig_entry *e = &ns->sigs[j];

			for (int k = 0; k < nk; k++) {
				uint64_t v = delivered ? e->delivered[k] : e->generated[k];

				if (!v)
					continue;
				if (!header)
					family(r, f), header = true;
				begin(r, f->name, i);
				put_signal(r, e->sig);
				put_str(r->b, delivered ? ",action=\"" : ",result=\"");
				put_str(r->b, delivered ? pw_sig_action_name(k) : pw_sig_result_name(k));
				put(r->b, "\"", 1);
				end_u64(r, v);
			}
		}
	}
}

static bool is_disp_signal(int sig)
{
	for (int k = 0; k < PW_DISP_SIGNALS; k++)
		if (pw_disp_signals[k] == sig)
			return true;
	return false;
}

/*
 * The signals whose disposition is exported always have a series (0 until
 * the first one), so that increase() sees the first drop; others when seen.
 */
static void ignored_by_init(struct render *r)
{
	family(r, &f_ignored);
	for (size_t i = 0; i < r->s->n_ns; i++) {
		const struct pw_namespace *ns = &r->s->ns[i];

		if (!r->emit[i])
			continue;
		for (int sig = 1; sig < PWC_NSIG; sig++) {
			const struct pw_sig_entry *e = pw_ns_sig(ns, sig);
			uint64_t v = e ? e->ignored_by_init : 0;

			if (!v && !is_disp_signal(sig))
				continue;
			begin(r, f_ignored.name, i);
			put_signal(r, sig);
			end_u64(r, v);
		}
	}
}

/*
 * One series per state, 1 for the current one (stateset semantics), as a
 * gauge in both formats: an OpenMetrics stateset must name its state label
 * after the family, and the contract (rules, dashboard) selects on
 * "disposition" in both formats (docs/metrics.md).
 */
static void dispositions(struct render *r)
{
	static const struct { enum pw_disp d; const char *label; } states[] = {
		{ PW_DISP_CATCH, ",disposition=\"catch\"} " },
		{ PW_DISP_BLOCKED, ",disposition=\"blocked\"} " },
		{ PW_DISP_IGNORE, ",disposition=\"ignore\"} " },
		{ PW_DISP_DEFAULT, ",disposition=\"default\"} " },
	};
	bool header = false;

	for (size_t i = 0; i < r->s->n_ns; i++) {
		const struct pw_namespace *ns = &r->s->ns[i];

		if (!r->emit[i] || !ns->init_disp_known)
			continue;
		if (!header)
			family(r, &f_disp), header = true;
		for (int k = 0; k < PW_DISP_SIGNALS; k++) {
			enum pw_disp d = pw_ns_disposition(ns, pw_disp_signals[k]);

			for (size_t st = 0; st < sizeof(states) / sizeof(states[0]); st++) {
				begin(r, f_disp.name, i);
				put_signal(r, pw_disp_signals[k]);
				put_str(r->b, states[st].label);
				put(r->b, d == states[st].d ? "1\n" : "0\n", 2);
			}
		}
	}
}

/* ---- the node itself ------------------------------------------------------ */

static void self_u64(struct render *r, const struct family *f, uint64_t v)
{
	family(r, f);
	begin(r, f->name, SIZE_MAX);
	end_u64(r, v);
}

static void self_dbl(struct render *r, const struct family *f, double v)
{
	family(r, f);
	begin(r, f->name, SIZE_MAX);
	end_dbl(r, v);
}

/*
 * zombies_unlisted is left out: it counts rows missing from this snapshot's
 * zombie table (not a counter), and the exposition has no zombie table.
 */
static void drops(struct render *r)
{
	family(r, &f_dropped);
	for (int k = 0; k < PWC_DROP_MAX; k++) {
		if (k == PWC_DROP_ZOMBIES_UNLISTED)
			continue;
		begin(r, f_dropped.name, SIZE_MAX);
		put(r->b, ",what=\"", 7);
		put_str(r->b, pw_drop_name(k));
		put(r->b, "\"", 1);
		end_u64(r, r->s->self.drops[k]);
	}
	family(r, &f_recovered);
	for (int k = 0; k < PWC_RECOVERED_MAX; k++) {
		begin(r, f_recovered.name, SIZE_MAX);
		put(r->b, ",what=\"", 7);
		put_str(r->b, pw_recovered_name(k));
		put(r->b, "\"", 1);
		end_u64(r, r->s->self.recovered[k]);
	}
}

static void build_info(struct render *r)
{
	const struct pw_self *self = &r->s->self;
	const char *version = r->o->version ? r->o->version : PW_VERSION;

	family(r, &f_build);
	begin(r, f_build.name, SIZE_MAX);
	put_label(r->b, ",version", version, 64);
	put_label(r->b, ",exit_variant", self->exit_variant ? self->exit_variant : "", 32);
	put_label(r->b, ",attach", self->attach ? self->attach : "", 32);
	put_label(r->b, ",walk", self->walk ? self->walk : "", 32);
	end_u64(r, 1);
}

static void self_families(struct render *r)
{
	const struct pw_self *self = &r->s->self;
	const struct pw_proc_stats *p = r->o->proc;

	drops(r);
	build_info(r);
	if (self->bpf_stats_enabled) {
		self_dbl(r, &f_bpf_time, (double)self->prog_run_ns / 1e9);
		self_u64(r, &f_bpf_runs, self->prog_run_cnt);
	}
	self_dbl(r, &f_snapshot, self->snapshot_seconds);
	if (!p)
		return;
	if (p->cpu_seconds >= 0)
		self_dbl(r, &f_cpu, p->cpu_seconds);
	if (p->resident_bytes >= 0)
		self_dbl(r, &f_rss, p->resident_bytes);
	if (p->start_time_seconds >= 0)
		self_dbl(r, &f_start, p->start_time_seconds);
	if (p->open_fds >= 0)
		self_dbl(r, &f_fds, p->open_fds);
}

/* ---- setup ------------------------------------------------------------------ */

static const char *ns_node(const struct render *r, size_t i)
{
	return r->s->ns[i].node[0] ? r->s->ns[i].node : r->o->node;
}

static int by_node_pidns(const void *a, const void *b, void *ctx)
{
	const struct render *r = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	uint32_t x = r->s->ns[i].pidns, y = r->s->ns[j].pidns;
	int c;

	if (x != y)
		return x < y ? -1 : 1;
	c = strcmp(ns_node(r, i), ns_node(r, j));
	if (c)
		return c;
	if (r->s->ns[i].alive != r->s->ns[j].alive)
		return r->s->ns[i].alive ? -1 : 1;
	return i < j ? -1 : i > j;
}

/*
 * One series per (node, pidns): when an inode number was reused, a gone
 * namespace and a live one share it; the live one wins (else the first listed).
 */
static int mark_duplicates(struct render *r)
{
	size_t n = r->s->n_ns, *order;

	order = malloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		order[i] = i, r->emit[i] = true;
	qsort_r(order, n, sizeof(*order), by_node_pidns, r);
	for (size_t k = 1; k < n; k++) {
		size_t i = order[k - 1], j = order[k];

		if (r->s->ns[i].pidns == r->s->ns[j].pidns && !strcmp(ns_node(r, i), ns_node(r, j)))
			r->emit[j] = false;
	}
	free(order);
	return 0;
}

/* node="...",pidns="..." of every namespace, escaped once. */
static int make_labels(struct render *r)
{
	struct pw_mbuf l;
	char num[PW_PROM_NUM_MAX];

	pw_mbuf_init(&l, r->s->n_ns * 48 + 64);
	for (size_t i = 0; i < r->s->n_ns; i++) {
		r->lab_off[i] = l.len;
		put_label(&l, "node", ns_node(r, i), sizeof(r->s->ns[i].node));
		pw_prom_fmt_u64(num, r->s->ns[i].pidns);
		put_label(&l, ",pidns", num, sizeof(num));
	}
	r->lab_off[r->s->n_ns] = l.len;
	r->labels = l.data;
	pw_mbuf_init(&r->self, 128);
	put_label(&r->self, "node", r->o->node, 256);
	return l.err ? l.err : r->self.err;
}

static void namespace_families(struct render *r)
{
	info(r);
	per_ns_u64(r, &f_alive, get_alive);
	per_ns_u64(r, &f_processes, get_processes);
	per_ns_u64(r, &f_zombies, get_zombies);
	oldest_zombie(r);
	dwell(r);
	per_ns_u64(r, &f_exits, get_exits);
	per_ns_u64(r, &f_zombie_exits, get_zombie_exits);
	per_ns_u64(r, &f_reaped, get_reaped);
	per_ns_u64(r, &f_autoreaped, get_autoreaped);
	orphans(r);
	per_ns_u64(r, &f_orphans_zombie, get_orphans_zombie);
	per_ns_u64(r, &f_orphans_killed, get_orphans_killed);
	signals(r, &f_generated, false);
	signals(r, &f_delivered, true);
	ignored_by_init(r);
	dispositions(r);
	per_ns_u64(r, &f_pids_current, get_pids_current);
	per_ns_u64(r, &f_pids_max, get_pids_max);
	per_ns_u64(r, &f_pids_events, get_pids_events);
	per_ns_u64(r, &f_pause_reaped, get_pause_reaped);
}

int pw_face_metrics(struct pw_mbuf *b, const struct pw_snapshot *s, const struct pw_metrics_opts *o)
{
	struct render r = { .b = b, .s = s, .o = o };
	size_t n;
	int rc;

	if (!b || !s || !o || !o->node)
		return -EINVAL;
	if (b->err)
		return b->err;
	n = s->n_ns;
	r.om = o->format == PW_METRICS_OPENMETRICS;
	r.emit = calloc(n ? n : 1, sizeof(*r.emit));
	r.lab_off = calloc(n + 1, sizeof(*r.lab_off));
	if (!r.emit || !r.lab_off) {
		rc = -ENOMEM;
		goto cleanup;
	}
	rc = mark_duplicates(&r);
	if (!rc)
		rc = make_labels(&r);
	if (rc)
		goto cleanup;
	namespace_families(&r);
	self_families(&r);
	if (r.om)
		put(b, "# EOF\n", 6);
	rc = pw_mbuf_flush(b);
cleanup:
	free(r.emit);
	free(r.lab_off);
	free(r.labels);
	pw_mbuf_free(&r.self);
	return rc;
}
