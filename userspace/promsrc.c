// SPDX-License-Identifier: Apache-2.0
/*
 * promsrc.c — cluster snapshots from a Prometheus server (promsrc.h).
 *
 * One instant query per snapshot returns every series of the families
 * below; each series is validated and folded into the row of its
 * (node, pidns), found through a small open-addressing hash.  Values the
 * exposition does not carry stay at their "unknown" defaults (no zombie
 * table, no ns_id, no counters page beyond reaped_total).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpc.h"
#include "jsonparse.h"
#include "promesc.h"
#include "promsrc.h"
#include "textsafe.h"

const struct pw_optdef pw_promsrc_optdefs[] = {
	{ "prometheus", 0, "URL",
	  "show the whole cluster from a Prometheus server's HTTP API\n"
	  "(http://HOST:PORT[/PREFIX]) instead of this node's kernel", PW_OPT_PROMETHEUS },
	{ 0 },
};

const char pw_promsrc_query[] =
	"{__name__=~\"pausewatch_(namespace_info|namespace_alive|processes|zombies|"
	"oldest_zombie_age_seconds|zombie_dwell_seconds_bucket|zombie_dwell_seconds_sum|"
	"exits_total|zombie_exits_total|reaped_total|autoreaped_total|orphans_adopted_total|"
	"orphans_already_zombie_total|orphans_killed_with_init_total|signals_generated_total|"
	"signals_delivered_total|signals_ignored_by_init_total|init_signal_disposition|"
	"pids_current|pids_max|pids_max_events_total|pause_reaped_total|dropped_total|"
	"recovered_total|build_info|bpf_run_time_seconds_total|bpf_runs_total)\"}";

#define MAX_NODES 65536

/* ---- building a snapshot ------------------------------------------------------------- */

struct row_extra {
	bool alive_seen;
	bool dwell_seen;
};

struct builder {
	struct pw_snapshot *s;
	struct row_extra *x;
	size_t cap;
	uint32_t *slots;		/* row index + 1, 0 = empty */
	size_t nslots;			/* a power of two, > 2 * rows */
	char (*nodes)[64];		/* distinct node names */
	uint32_t *node_slots;
	size_t n_nodes, nodes_cap, n_node_slots;
	const char *variant, *attach, *walk;
	struct pw_promsrc_stats *stats;
};

/* One series of the response, its labels validated. */
struct series {
	const char *name;		/* without "pausewatch_" */
	const struct pw_jdoc *d;
	const struct pw_jval *metric;
	char node[64];
	uint32_t pidns;			/* 0: none */
	double value;
};

static uint64_t hash(const char *node, uint32_t pidns)
{
	uint64_t h = 1469598103934665603ULL ^ pidns;

	for (; *node; node++)
		h = (h ^ (unsigned char)*node) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static int grow_slots(uint32_t **slots, size_t *nslots, size_t want)
{
	uint32_t *s;

	if (*nslots >= want)
		return 0;
	s = calloc(want, sizeof(*s));
	if (!s)
		return -ENOMEM;
	free(*slots);
	*slots = s;
	*nslots = want;
	return 1;	/* rehash needed */
}

static void insert_row(struct builder *b, size_t i)
{
	size_t mask = b->nslots - 1, k = hash(b->s->ns[i].node, b->s->ns[i].pidns) & mask;

	while (b->slots[k])
		k = (k + 1) & mask;
	b->slots[k] = (uint32_t)(i + 1);
}

/* The row of (node, pidns), created when new; NULL when out of memory or past the bound. */
static struct pw_namespace *row(struct builder *b, const struct series *sr)
{
	struct pw_snapshot *s = b->s;
	size_t mask, k;
	int g;

	if (b->nslots) {
		mask = b->nslots - 1;
		for (k = hash(sr->node, sr->pidns) & mask; b->slots[k]; k = (k + 1) & mask) {
			struct pw_namespace *ns = &s->ns[b->slots[k] - 1];

			if (ns->pidns == sr->pidns && !strcmp(ns->node, sr->node))
				return ns;
		}
	}
	if (s->n_ns >= PW_PROMSRC_MAX_NS)
		return NULL;
	if (s->n_ns == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct pw_namespace *n = realloc(s->ns, cap * sizeof(*n));
		struct row_extra *x;

		if (!n)
			return NULL;
		s->ns = n;
		x = realloc(b->x, cap * sizeof(*x));
		if (!x)
			return NULL;
		b->x = x;
		b->cap = cap;
	}
	g = grow_slots(&b->slots, &b->nslots, b->nslots ? (s->n_ns * 2 >= b->nslots / 2 ?
							     b->nslots * 2 : b->nslots) : 256);
	if (g < 0)
		return NULL;
	if (g)
		for (size_t i = 0; i < s->n_ns; i++)
			insert_row(b, i);
	memset(&s->ns[s->n_ns], 0, sizeof(s->ns[0]));
	memset(&b->x[s->n_ns], 0, sizeof(b->x[0]));
	s->ns[s->n_ns].pidns = sr->pidns;
	snprintf(s->ns[s->n_ns].node, sizeof(s->ns[0].node), "%s", sr->node);
	s->ns[s->n_ns].alive = true;
	s->ns[s->n_ns].oldest_zombie_age_s = -1;
	s->ns[s->n_ns].pids_max = PW_PIDS_UNLIMITED;
	insert_row(b, s->n_ns);
	return &s->ns[s->n_ns++];
}

/* Count a node name once. */
static int see_node(struct builder *b, const char *node)
{
	size_t mask, k;
	int g;

	if (b->n_node_slots) {
		mask = b->n_node_slots - 1;
		for (k = hash(node, 0) & mask; b->node_slots[k]; k = (k + 1) & mask)
			if (!strcmp(b->nodes[b->node_slots[k] - 1], node))
				return 0;
	}
	if (b->n_nodes >= MAX_NODES)
		return 0;
	if (b->n_nodes == b->nodes_cap) {
		size_t cap = b->nodes_cap ? b->nodes_cap * 2 : 16;
		char (*n)[64] = realloc(b->nodes, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		b->nodes = n;
		b->nodes_cap = cap;
	}
	snprintf(b->nodes[b->n_nodes++], 64, "%s", node);
	g = grow_slots(&b->node_slots, &b->n_node_slots, b->nodes_cap * 4);
	if (g < 0)
		return g;
	mask = b->n_node_slots - 1;
	for (size_t i = g ? 0 : b->n_nodes - 1; i < b->n_nodes; i++) {
		for (k = hash(b->nodes[i], 0) & mask; b->node_slots[k]; k = (k + 1) & mask)
			;
		b->node_slots[k] = (uint32_t)(i + 1);
	}
	return 0;
}

/* ---- labels and values ----------------------------------------------------------------- */

static const struct pw_jval *label(const struct series *sr, const char *key)
{
	const struct pw_jval *v = pw_jget(sr->d, sr->metric, key);

	return v && v->type == PW_JSTR ? v : NULL;
}

/*
 * A label that fits field (no NUL, not longer than size - 1).  Prometheus
 * drops labels whose value is empty: absent is "" (when empty_ok).
 */
static bool label_str(const struct series *sr, const char *key, char *field, size_t size,
		      bool empty_ok)
{
	const struct pw_jval *v = label(sr, key);

	if (!v && empty_ok) {
		field[0] = '\0';
		return true;
	}
	if (!v || v->n >= size || strlen(v->s) != v->n)
		return false;
	memcpy(field, v->s, v->n + 1);
	return true;
}

/* A decimal label in [min, max]. */
static bool label_uint(const struct series *sr, const char *key, uint64_t min, uint64_t max,
		       uint64_t *out)
{
	const struct pw_jval *v = label(sr, key);
	uint64_t x = 0;

	if (!v || !v->n || v->n > 19 || strspn(v->s, "0123456789") != v->n)
		return false;
	for (size_t i = 0; i < v->n; i++)
		x = x * 10 + (uint64_t)(v->s[i] - '0');
	if (x < min || x > max)
		return false;
	*out = x;
	return true;
}

/* The value as a count: finite, whole, >= 0, below 2^64. */
static bool count(const struct series *sr, uint64_t *out)
{
	double v = sr->value;

	if (!isfinite(v) || v < 0 || v >= 18446744073709551616.0 || v != floor(v))
		return false;
	*out = (uint64_t)v;
	return true;
}

/* One of names[0..n) (a name function); its index or -1. */
static int named(const struct series *sr, const char *key, const char *(*name)(int), int n)
{
	const struct pw_jval *v = label(sr, key);

	for (int i = 0; v && i < n; i++)
		if (pw_jstreq(v, name(i)))
			return i;
	return -1;
}

static struct pw_sig_entry *sig_row(struct pw_namespace *ns, int sig)
{
	struct pw_sig_entry *e;
	size_t i = 0;

	while (i < ns->n_sigs && ns->sigs[i].sig < sig)
		i++;
	if (i < ns->n_sigs && ns->sigs[i].sig == sig)
		return &ns->sigs[i];
	e = realloc(ns->sigs, (ns->n_sigs + 1) * sizeof(*e));
	if (!e)
		return NULL;
	ns->sigs = e;
	memmove(&e[i + 1], &e[i], (ns->n_sigs - i) * sizeof(*e));
	memset(&e[i], 0, sizeof(*e));
	e[i].sig = sig;
	ns->n_sigs++;
	return &e[i];
}

static int signal_label(const struct series *sr)
{
	const struct pw_jval *v = label(sr, "signal");

	return v && v->n < 16 && strlen(v->s) == v->n ? pw_signal_number(v->s) : 0;
}

/* ---- families ------------------------------------------------------------------------------ */

static bool fam_info(struct pw_namespace *ns, const struct series *sr)
{
	uint64_t level, pid;
	struct pw_namespace t = { 0 };

	/* all or nothing: a half-valid attribution is not shown */
	if (!label_uint(sr, "level", 0, 32, &level) || !label_uint(sr, "init_pid", 0, 4194304, &pid) ||
	    !label_str(sr, "init_comm", t.init_comm, sizeof(t.init_comm), true) ||
	    !label_str(sr, "hostname", t.hostname, sizeof(t.hostname), true) ||
	    !label_str(sr, "container_id", t.container_id, sizeof(t.container_id), true) ||
	    !label_str(sr, "runtime", t.runtime, sizeof(t.runtime), true) ||
	    !label_str(sr, "pod_uid", t.pod_uid, sizeof(t.pod_uid), true))
		return false;
	ns->level = (uint32_t)level;
	ns->init_pid = (pid_t)pid;
	memcpy(ns->init_comm, t.init_comm, sizeof(t.init_comm));
	memcpy(ns->hostname, t.hostname, sizeof(t.hostname));
	memcpy(ns->container_id, t.container_id, sizeof(t.container_id));
	memcpy(ns->runtime, t.runtime, sizeof(t.runtime));
	memcpy(ns->pod_uid, t.pod_uid, sizeof(t.pod_uid));
	return true;
}

static bool fam_dwell_bucket(struct pw_namespace *ns, const struct series *sr, uint64_t v)
{
	const struct pw_jval *le = label(sr, "le");
	double bound;

	if (!le || pw_prom_parse_double(le->s, le->n, &bound))
		return false;
	for (int i = 0; i < PWC_HIST_SLOTS; i++)
		if (pw_dwell_le(i) == bound) {
			ns->dwell_hist[i] = v;	/* cumulative until finish() */
			return true;
		}
	return false;
}

static bool fam_signal(struct pw_namespace *ns, const struct series *sr, uint64_t v, int which)
{
	int sig = signal_label(sr), k = 0;
	struct pw_sig_entry *e;

	if (sig < 1 || sig > 64)
		return false;
	if (which == 0 && (k = named(sr, "result", pw_sig_result_name, PWC_SIG_RESULT_MAX)) < 0)
		return false;
	if (which == 1 && (k = named(sr, "action", pw_sig_action_name, PWC_ACT_MAX)) < 0)
		return false;
	e = sig_row(ns, sig);
	if (!e)
		return false;
	if (which == 0)
		e->generated[k] = v;
	else if (which == 1)
		e->delivered[k] = v;
	else
		e->ignored_by_init = v;
	return true;
}

static const enum pw_disp disp_states[] = { PW_DISP_CATCH, PW_DISP_BLOCKED, PW_DISP_IGNORE,
					    PW_DISP_DEFAULT };

static const char *disp_state(int i)
{
	return pw_disp_name(disp_states[i]);
}

static bool fam_disposition(struct pw_namespace *ns, const struct series *sr, uint64_t v)
{
	int sig = signal_label(sr);
	int st = named(sr, "disposition", disp_state,
		       (int)(sizeof(disp_states) / sizeof(disp_states[0])));
	uint64_t bit;

	if (sig < 1 || sig > 64 || st < 0 || v > 1)
		return false;
	ns->init_disp_known = true;
	bit = 1ULL << (sig - 1);
	if (v && disp_states[st] == PW_DISP_CATCH)
		ns->init_sig_caught |= bit;
	if (v && disp_states[st] == PW_DISP_BLOCKED)
		ns->init_sig_blocked |= bit;
	if (v && disp_states[st] == PW_DISP_IGNORE)
		ns->init_sig_ignored |= bit;
	return true;
}

/* Series with a pidns label: the row's field. */
static bool ns_series(struct builder *b, const struct series *sr)
{
	static const struct { const char *name; size_t off; } counts[] = {
		{ "processes", offsetof(struct pw_namespace, processes) },
		{ "zombies", offsetof(struct pw_namespace, zombies) },
		{ "exits_total", offsetof(struct pw_namespace, exits) },
		{ "zombie_exits_total", offsetof(struct pw_namespace, zombie_exits) },
		{ "reaped_total", offsetof(struct pw_namespace, reaped) },
		{ "autoreaped_total", offsetof(struct pw_namespace, autoreaped) },
		{ "orphans_already_zombie_total", offsetof(struct pw_namespace, orphans_zombie) },
		{ "orphans_killed_with_init_total", offsetof(struct pw_namespace, orphans_killed) },
		{ "pids_current", offsetof(struct pw_namespace, pids_current) },
		{ "pids_max_events_total", offsetof(struct pw_namespace, pids_events_max) },
	};
	const char *n = sr->name;
	struct pw_namespace *ns;
	uint64_t v = 0;
	bool is_count;
	int k;

	/* every family but these holds counts */
	is_count = strcmp(n, "oldest_zombie_age_seconds") && strcmp(n, "zombie_dwell_seconds_sum");
	if (is_count && !count(sr, &v))
		return false;
	if (!is_count && (!isfinite(sr->value) || sr->value < 0))
		return false;
	ns = row(b, sr);
	if (!ns)
		return false;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (!strcmp(n, counts[i].name)) {
			*(uint64_t *)((char *)ns + counts[i].off) = v;
			if (!strcmp(n, "pids_current") || !strcmp(n, "pids_max_events_total"))
				ns->pids_known = true;
			return true;
		}
	if (!strcmp(n, "namespace_info"))
		return v == 1 && fam_info(ns, sr);
	if (!strcmp(n, "namespace_alive")) {
		b->x[ns - b->s->ns].alive_seen = true;
		ns->alive = v != 0;
		return v <= 1;
	}
	if (!strcmp(n, "oldest_zombie_age_seconds")) {
		ns->oldest_zombie_age_s = sr->value;
		return true;
	}
	if (!strcmp(n, "zombie_dwell_seconds_bucket")) {
		b->x[ns - b->s->ns].dwell_seen = true;
		return fam_dwell_bucket(ns, sr, v);
	}
	if (!strcmp(n, "zombie_dwell_seconds_sum")) {
		ns->dwell_sum_ns = sr->value * 1e9 < 1.8e19 ? (uint64_t)(sr->value * 1e9) : 0;
		return true;
	}
	if (!strcmp(n, "orphans_adopted_total")) {
		k = named(sr, "reaper", pw_reaper_name, PWC_REAPER_MAX);
		if (k >= 0)
			ns->orphans[k] = v;
		return k >= 0;
	}
	if (!strcmp(n, "signals_generated_total"))
		return fam_signal(ns, sr, v, 0);
	if (!strcmp(n, "signals_delivered_total"))
		return fam_signal(ns, sr, v, 1);
	if (!strcmp(n, "signals_ignored_by_init_total"))
		return fam_signal(ns, sr, v, 2);
	if (!strcmp(n, "init_signal_disposition"))
		return fam_disposition(ns, sr, v);
	if (!strcmp(n, "pids_max")) {
		ns->pids_max = v <= INT64_MAX ? (int64_t)v : PW_PIDS_UNLIMITED;
		return true;
	}
	if (!strcmp(n, "pause_reaped_total")) {
		ns->has_pause = true;
		ns->pause.reaped_total = v;
		return true;
	}
	return false;
}

/* Only these strings, so that self.* keeps pointing at static text; "mixed" across nodes. */
static void build_word(const char **slot, const struct series *sr, const char *key,
		       const char *const words[])
{
	const struct pw_jval *v = label(sr, key);
	const char *w = "?";

	for (int i = 0; v && words[i]; i++)
		if (pw_jstreq(v, words[i]))
			w = words[i];
	*slot = !*slot || !strcmp(*slot, w) ? w : "mixed";
}

/* Series of the node itself (no pidns label): summed over nodes. */
static bool node_series(struct builder *b, const struct series *sr)
{
	static const char *const variants[] = { "v616", "legacy", NULL };
	static const char *const attaches[] = { "tp_btf", "raw_tp", NULL };
	static const char *const walks[] = { "task_iter", "iter_task", "", NULL };
	struct pw_self *self = &b->s->self;
	uint64_t v;
	int k;

	if (!strcmp(sr->name, "build_info")) {
		build_word(&b->variant, sr, "exit_variant", variants);
		build_word(&b->attach, sr, "attach", attaches);
		build_word(&b->walk, sr, "walk", walks);
		return true;
	}
	if (!strcmp(sr->name, "bpf_run_time_seconds_total")) {
		if (!isfinite(sr->value) || sr->value < 0 || sr->value > 1.8e10)
			return false;
		self->bpf_stats_enabled = true;
		self->prog_run_ns += (uint64_t)(sr->value * 1e9);
		return true;
	}
	if (!count(sr, &v))
		return false;
	if (!strcmp(sr->name, "bpf_runs_total")) {
		self->prog_run_cnt += v;
		return true;
	}
	if (!strcmp(sr->name, "dropped_total")) {
		k = named(sr, "what", pw_drop_name, PWC_DROP_MAX);
		if (k >= 0)
			self->drops[k] += v;
		return k >= 0;
	}
	if (!strcmp(sr->name, "recovered_total")) {
		k = named(sr, "what", pw_recovered_name, PWC_RECOVERED_MAX);
		if (k >= 0)
			self->recovered[k] += v;
		return k >= 0;
	}
	return false;
}

/* One element of data.result: {"metric": {...}, "value": [time, "value"]}. */
static bool one_series(struct builder *b, const struct pw_jdoc *d, const struct pw_jval *el)
{
	const struct pw_jval *metric = pw_jget(d, el, "metric"), *value = pw_jget(d, el, "value");
	const struct pw_jval *name, *val;
	struct series sr = { .d = d, .metric = metric };
	uint64_t pidns;

	if (!metric || metric->type != PW_JOBJ || !value || value->type != PW_JARR || value->n != 2)
		return false;
	val = pw_jnext(d, pw_jfirst(d, value));
	if (!val || val->type != PW_JSTR || pw_prom_parse_double(val->s, val->n, &sr.value))
		return false;
	name = label(&sr, "__name__");
	if (!name || strncmp(name->s, "pausewatch_", 11) || strlen(name->s) != name->n)
		return false;
	sr.name = name->s + 11;
	if (!label_str(&sr, "node", sr.node, sizeof(sr.node), false) &&
	    !label_str(&sr, "instance", sr.node, sizeof(sr.node), false))
		return false;
	if (!sr.node[0] || see_node(b, sr.node))
		return false;
	if (!label(&sr, "pidns"))
		return node_series(b, &sr);
	if (!label_uint(&sr, "pidns", 1, UINT32_MAX, &pidns))
		return false;
	sr.pidns = (uint32_t)pidns;
	return ns_series(b, &sr);
}

static int by_alive_node_level_pidns(const void *a, const void *b)
{
	const struct pw_namespace *x = a, *y = b;
	int c;

	if (x->alive != y->alive)
		return x->alive ? -1 : 1;
	c = strcmp(x->node, y->node);
	if (c)
		return c;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return x->pidns < y->pidns ? -1 : x->pidns > y->pidns;
}

/* Cumulative buckets back to per-slot counts; rows in the snapshot order. */
static void finish(struct builder *b)
{
	struct pw_snapshot *s = b->s;

	for (size_t i = 0; i < s->n_ns; i++) {
		struct pw_namespace *ns = &s->ns[i];
		uint64_t below = 0;

		for (int k = 0; b->x[i].dwell_seen && k < PWC_HIST_SLOTS; k++) {
			uint64_t cum = ns->dwell_hist[k] > below ? ns->dwell_hist[k] : below;

			ns->dwell_hist[k] = cum - below;
			below = cum;
		}
		if (!ns->alive)
			ns->zombies = 0;
	}
	if (s->n_ns)
		qsort(s->ns, s->n_ns, sizeof(*s->ns), by_alive_node_level_pidns);
	s->self.exit_variant = b->variant ? b->variant : "-";
	s->self.attach = b->attach ? b->attach : "-";
	s->self.walk = b->walk ? b->walk : "-";
	s->self.nodes = b->n_nodes;
}

static int api_error(const struct pw_jdoc *d, char *err, size_t errlen)
{
	const struct pw_jval *root = pw_jroot(d), *e = pw_jget(d, root, "error");
	char safe[256];

	if (e && e->type == PW_JSTR)
		pw_text_safe(safe, sizeof(safe), e->s, e->n, 200);
	else
		snprintf(safe, sizeof(safe), "no error message");
	snprintf(err, errlen, "the query failed: %s", safe);
	return -EPROTO;
}

int pw_promsrc_parse(char *body, size_t len, double now, struct pw_snapshot **out,
		     struct pw_promsrc_stats *stats, char *err, size_t errlen)
{
	struct pw_promsrc_stats dummy;
	struct builder b = { .stats = stats ? stats : &dummy };
	const struct pw_jval *root, *data, *result;
	struct pw_jdoc d;
	int rc;

	*out = NULL;
	memset(b.stats, 0, sizeof(*b.stats));
	/* a series is ~10 values: metric, its labels, value pair */
	rc = pw_jparse(body, len, (size_t)PW_PROMSRC_MAX_SERIES * 24, 16, &d, err, errlen);
	if (rc)
		return rc == -E2BIG ? rc : -EPROTO;
	root = pw_jroot(&d);
	if (!pw_jstreq(pw_jget(&d, root, "status"), "success")) {
		rc = api_error(&d, err, errlen);
		goto cleanup;
	}
	data = pw_jget(&d, root, "data");
	result = pw_jget(&d, data, "result");
	if (!pw_jstreq(pw_jget(&d, data, "resultType"), "vector") || !result ||
	    result->type != PW_JARR) {
		snprintf(err, errlen, "the answer is not an instant vector (data.resultType)");
		rc = -EPROTO;
		goto cleanup;
	}
	b.s = calloc(1, sizeof(*b.s));
	if (!b.s) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto cleanup;
	}
	b.s->time = now;
	for (const struct pw_jval *el = pw_jfirst(&d, result); el; el = pw_jnext(&d, el)) {
		b.stats->series++;
		if (one_series(&b, &d, el))
			b.stats->used++;
		else
			b.stats->rejected++;
	}
	finish(&b);
	*out = b.s;
	b.s = NULL;
cleanup:
	pw_snapshot_free(b.s);
	free(b.x);
	free(b.slots);
	free(b.nodes);
	free(b.node_slots);
	pw_jdoc_free(&d);
	return rc;
}

/* ---- the source ------------------------------------------------------------------------------- */

struct promsrc {
	struct pw_url url;
	char target[2048];	/* /api/v1/query?query=... */
};

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int take(void *ctx, struct pw_snapshot **out, char *err, size_t errlen)
{
	struct promsrc *p = ctx;
	double t0 = clock_s(CLOCK_MONOTONIC);
	char msg[512], *body = NULL;
	size_t len;
	int status, rc;

	*out = NULL;
	rc = pw_http_get(&p->url, p->target, PW_PROMSRC_TIMEOUT, PW_PROMSRC_MAX_BODY, &status, &body,
			 &len, msg, sizeof(msg));
	if (!rc) {
		rc = pw_promsrc_parse(body, len, clock_s(CLOCK_REALTIME), out, NULL, msg, sizeof(msg));
		/* an API error keeps its status; other bodies of a failed request say little */
		if (status != 200 && rc != -EPROTO)
			snprintf(msg, sizeof(msg), "the server answered HTTP %d", status);
		if (status != 200 && !rc) {
			pw_snapshot_free(*out);
			*out = NULL;
			snprintf(msg, sizeof(msg), "the server answered HTTP %d", status);
			rc = -EPROTO;
		}
	}
	free(body);
	if (rc) {
		snprintf(err, errlen, "prometheus http://%s%s: %s", p->url.hostport, p->url.prefix, msg);
		return rc;
	}
	(*out)->self.snapshot_seconds = clock_s(CLOCK_MONOTONIC) - t0;
	return 0;
}

static void close_src(void *ctx)
{
	free(ctx);
}

/* Percent-encode everything but RFC 3986's unreserved characters. */
static int urlencode(char *out, size_t outlen, const char *in)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (o + 4 > outlen)
			return -1;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return 0;
}

int pw_promsrc_open(const char *url, struct pw_source *src, char *err, size_t errlen)
{
	struct promsrc *p = calloc(1, sizeof(*p));
	char q[1600];

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (pw_url_parse(url, &p->url, err, errlen) || urlencode(q, sizeof(q), pw_promsrc_query)) {
		free(p);
		return -EINVAL;
	}
	snprintf(p->target, sizeof(p->target), "/api/v1/query?query=%s", q);
	memset(src, 0, sizeof(*src));
	src->take = take;
	src->close = close_src;
	src->ctx = p;
	src->cluster = true;
	return 0;
}
