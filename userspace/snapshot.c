// SPDX-License-Identifier: Apache-2.0
/*
 * snapshot.c — names and derived values of a snapshot (snapshot.h), the one
 * place faces take them from.  No libbpf.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pause_page.h"
#include "snapshot.h"

void pw_snapshot_free(struct pw_snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_ns; i++)
		free(s->ns[i].sigs);
	free(s->ns);
	free(s->zombies);
	free(s);
}

/* ---- names ---------------------------------------------------------- */

const char *pw_reaper_name(int r)
{
	static const char *const names[] = { "init", "subreaper", "thread", "unknown" };

	return r >= 0 && r < PWC_REAPER_MAX ? names[r] : "?";
}

const char *pw_sig_result_name(int r)
{
	static const char *const names[] = { "delivered", "ignored", "already_pending",
					     "overflow", "lose_info" };

	return r >= 0 && r < PWC_SIG_RESULT_MAX ? names[r] : "?";
}

const char *pw_sig_action_name(int a)
{
	static const char *const names[] = { "handler", "default", "ignore" };

	return a >= 0 && a < PWC_ACT_MAX ? names[a] : "?";
}

const char *pw_drop_name(int d)
{
	static const char *const names[] = {
		"namespace_table_full", "signal_table_full", "exit_slot_evicted",
		"orphan_walk_bound", "namespace_unresolved", "walk_namespace_table_full",
		"zombies_unlisted", "gone_namespaces_evicted",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == PWC_DROP_MAX, "a name per drop");

	return d >= 0 && d < PWC_DROP_MAX ? names[d] : "?";
}

const char *pw_recovered_name(int w)
{
	static const char *const names[] = { "reaps_by_walk", "autoreaps_by_walk",
					     "reaps_by_pid_reuse" };
	_Static_assert(sizeof(names) / sizeof(names[0]) == PWC_RECOVERED_MAX, "a name each");

	return w >= 0 && w < PWC_RECOVERED_MAX ? names[w] : "?";
}

void pw_fmt_pids(char *buf, size_t len, const struct pw_namespace *ns)
{
	if (!ns->pids_known)
		snprintf(buf, len, "-");
	else if (ns->pids_max == PW_PIDS_UNLIMITED)
		snprintf(buf, len, "%llu/max", (unsigned long long)ns->pids_current);
	else
		snprintf(buf, len, "%llu/%lld", (unsigned long long)ns->pids_current,
			 (long long)ns->pids_max);
}

const char *pw_disp_name(enum pw_disp d)
{
	switch (d) {
	case PW_DISP_DEFAULT:
		return "default";
	case PW_DISP_IGNORE:
		return "ignore";
	case PW_DISP_CATCH:
		return "catch";
	case PW_DISP_BLOCKED:
		return "blocked";
	default:
		return "unknown";
	}
}

const char *pw_signal_name(int sig, char *buf, size_t len)
{
	return pause_page_signame(sig, buf, len);
}

int pw_signal_number(const char *name)
{
	char buf[16];
	char *end;
	long n;

	if (!name || !*name)
		return 0;
	if (name[0] >= '0' && name[0] <= '9') {
		n = strtol(name, &end, 10);
		return !*end && n >= 1 && n <= 64 ? (int)n : 0;
	}
	/* the names pw_signal_name prints, with or without "SIG", any case */
	for (int sig = 1; sig <= 64; sig++) {
		pw_signal_name(sig, buf, sizeof(buf));
		if (!strcasecmp(name, buf) || !strcasecmp(name, buf + 3))
			return sig;
	}
	return 0;
}

/* ---- per namespace -------------------------------------------------- */

const int pw_disp_signals[PW_DISP_SIGNALS] = { 15, 2, 1, 3, 10, 12 };

enum pw_disp pw_ns_disposition(const struct pw_namespace *ns, int sig)
{
	uint64_t bit;

	if (!ns->init_disp_known || sig < 1 || sig > 64)
		return PW_DISP_UNKNOWN;
	bit = 1ULL << (sig - 1);
	if (ns->init_sig_blocked & bit)	/* never dropped, whatever the handler (sig_ignored()) */
		return PW_DISP_BLOCKED;
	if (ns->init_sig_caught & bit)
		return PW_DISP_CATCH;
	if (ns->init_sig_ignored & bit)
		return PW_DISP_IGNORE;
	return PW_DISP_DEFAULT;
}

bool pw_ns_init_drops_sigterm(const struct pw_namespace *ns)
{
	enum pw_disp d = pw_ns_disposition(ns, 15);

	return d == PW_DISP_DEFAULT || d == PW_DISP_IGNORE;
}

uint64_t pw_ns_orphans_total(const struct pw_namespace *ns)
{
	uint64_t n = 0;

	for (int r = 0; r < PWC_REAPER_MAX; r++)
		n += ns->orphans[r];
	return n;
}

uint64_t pw_ns_signals_generated_total(const struct pw_namespace *ns)
{
	uint64_t n = 0;

	for (size_t i = 0; i < ns->n_sigs; i++)
		for (int r = 0; r < PWC_SIG_RESULT_MAX; r++)
			n += ns->sigs[i].generated[r];
	return n;
}

uint64_t pw_ns_ignored_by_init_total(const struct pw_namespace *ns)
{
	uint64_t n = 0;

	for (size_t i = 0; i < ns->n_sigs; i++)
		n += ns->sigs[i].ignored_by_init;
	return n;
}

const struct pw_sig_entry *pw_ns_sig(const struct pw_namespace *ns, int sig)
{
	for (size_t i = 0; i < ns->n_sigs; i++)
		if (ns->sigs[i].sig == sig)
			return &ns->sigs[i];
	return NULL;
}

uint64_t pw_ns_dwell_count(const struct pw_namespace *ns)
{
	uint64_t n = 0;

	for (int i = 0; i < PWC_HIST_SLOTS; i++)
		n += ns->dwell_hist[i];
	return n;
}

double pw_ns_pids_ratio(const struct pw_namespace *ns)
{
	if (!ns->pids_known || ns->pids_max <= 0)
		return -1;
	return (double)ns->pids_current / (double)ns->pids_max;
}

static bool same_ns(const struct pw_namespace *a, uint32_t pidns, uint64_t ns_id, const char *node)
{
	return a->pidns == pidns && a->ns_id == ns_id && !strcmp(a->node, node);
}

size_t pw_ns_zombie_rows(const struct pw_snapshot *s, const struct pw_namespace *ns)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_zombies; i++) {
		const struct pw_zombie *z = &s->zombies[i];

		n += z->pidns == ns->pidns && z->ns_id == ns->ns_id && !strcmp(z->node, ns->node);
	}
	return n;
}

double pw_dwell_le(int slot)
{
	if (slot >= PWC_HIST_SLOTS - 1)
		return INFINITY;
	return ldexp(1e-6, slot < 0 ? 0 : slot);
}

const struct pw_namespace *pw_snapshot_find(const struct pw_snapshot *s,
					    const struct pw_namespace *like)
{
	if (!s || !like)
		return NULL;
	for (size_t i = 0; i < s->n_ns; i++)
		if (same_ns(&s->ns[i], like->pidns, like->ns_id, like->node))
			return &s->ns[i];
	return NULL;
}

/* ---- totals and rates ----------------------------------------------- */

static void total_ns(struct pw_totals *t, const struct pw_namespace *ns)
{
	const struct pw_sig_entry *term = pw_ns_sig(ns, 15);
	double ratio = pw_ns_pids_ratio(ns);

	t->exits += ns->exits;
	t->zombie_exits += ns->zombie_exits;
	t->reaped += ns->reaped;
	t->autoreaped += ns->autoreaped;
	t->orphans += pw_ns_orphans_total(ns);
	t->signals_generated += pw_ns_signals_generated_total(ns);
	t->ignored_by_init += pw_ns_ignored_by_init_total(ns);
	t->sigterm_ignored_by_init += term ? term->ignored_by_init : 0;
	if (!ns->alive)
		return;
	t->processes += ns->processes;
	t->zombies += ns->zombies;
	if (ns->oldest_zombie_age_s >= 0 && ns->oldest_zombie_age_s > t->oldest_zombie_age_s) {
		t->oldest_zombie_age_s = ns->oldest_zombie_age_s;
		t->oldest_is_lower_bound = ns->oldest_age_is_lower_bound;
		t->oldest_ns = ns;
	}
	if (ns->level > 0 && pw_ns_init_drops_sigterm(ns))
		t->inits_dropping_sigterm++;
	if (ratio >= 0 && ratio > t->worst_pids_ratio) {
		t->worst_pids_ratio = ratio;
		t->worst_pids = ns;
	}
}

void pw_snapshot_totals(const struct pw_snapshot *s, struct pw_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->oldest_zombie_age_s = -1;
	t->worst_pids_ratio = -1;
	t->namespaces = s->n_ns;
	for (size_t i = 0; i < s->n_ns; i++) {
		const struct pw_namespace *ns = &s->ns[i];
		bool new_node = true;

		ns->alive ? t->alive++ : t->gone++;
		total_ns(t, ns);
		for (size_t j = 0; j < i && new_node; j++)
			new_node = strcmp(s->ns[j].node, ns->node) != 0;
		t->nodes += new_node;
	}
	if (s->self.nodes > t->nodes)
		t->nodes = s->self.nodes;
	for (int i = 0; i < PWC_DROP_MAX; i++)
		t->drops += s->self.drops[i];
	for (int i = 0; i < PWC_RECOVERED_MAX; i++)
		t->recovered += s->self.recovered[i];
}

static double per_sec(uint64_t now, uint64_t prev, double dt)
{
	return now > prev ? (double)(now - prev) / dt : 0;
}

static void add_rates(struct pw_rates *sum, const struct pw_rates *r)
{
	sum->exits += r->exits;
	sum->reaped += r->reaped;
	sum->autoreaped += r->autoreaped;
	sum->orphans += r->orphans;
	sum->signals += r->signals;
}

void pw_ns_rates(const struct pw_namespace *now, const struct pw_namespace *prev, double dt,
		 struct pw_rates *r)
{
	static const struct pw_namespace zero;

	memset(r, 0, sizeof(*r));
	if (!(dt > 0))
		return;
	if (!prev)
		prev = &zero;
	r->exits = per_sec(now->exits, prev->exits, dt);
	r->reaped = per_sec(now->reaped, prev->reaped, dt);
	r->autoreaped = per_sec(now->autoreaped, prev->autoreaped, dt);
	r->orphans = per_sec(pw_ns_orphans_total(now), pw_ns_orphans_total(prev), dt);
	r->signals = per_sec(pw_ns_signals_generated_total(now), pw_ns_signals_generated_total(prev),
			     dt);
	r->valid = true;
}

static int key_order(const struct pw_namespace *a, const struct pw_namespace *b)
{
	int c = strcmp(a->node, b->node);

	if (c)
		return c;
	if (a->pidns != b->pidns)
		return a->pidns < b->pidns ? -1 : 1;
	return a->ns_id < b->ns_id ? -1 : a->ns_id > b->ns_id;
}

static int ptr_order(const void *a, const void *b)
{
	return key_order(*(const struct pw_namespace *const *)a, *(const struct pw_namespace *const *)b);
}

/* prev's namespaces sorted by key, so each lookup is a binary search (NULL if no memory). */
static const struct pw_namespace **by_key(const struct pw_snapshot *s)
{
	const struct pw_namespace **idx = malloc((s->n_ns ? s->n_ns : 1) *
						  sizeof(const struct pw_namespace *));

	if (!idx)
		return NULL;
	for (size_t i = 0; i < s->n_ns; i++)
		idx[i] = &s->ns[i];
	qsort(idx, s->n_ns, sizeof(const struct pw_namespace *), ptr_order);
	return idx;
}

void pw_snapshot_rates(const struct pw_snapshot *now, const struct pw_snapshot *prev,
		       struct pw_rates *r)
{
	const struct pw_namespace **idx;
	double dt;

	memset(r, 0, sizeof(*r));
	if (!now || !prev)
		return;
	dt = now->time - prev->time;
	if (!(dt > 0) || !(idx = by_key(prev)))
		return;
	for (size_t i = 0; i < now->n_ns; i++) {
		const struct pw_namespace *like = &now->ns[i], *const *hit;
		struct pw_rates one;

		hit = bsearch(&like, idx, prev->n_ns, sizeof(const struct pw_namespace *), ptr_order);
		pw_ns_rates(like, hit ? *hit : NULL, dt, &one);
		add_rates(r, &one);
	}
	free(idx);
	r->valid = true;
}
