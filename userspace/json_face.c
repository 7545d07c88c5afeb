// SPDX-License-Identifier: Apache-2.0
/* json_face.c — a collector snapshot as JSON (docs/json-schema.md). */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "faces.h"
#include "json.h"

static void key_u64(struct pw_json *j, const char *k, uint64_t v)
{
	pw_json_key(j, k);
	pw_json_u64(j, v);
}

static void key_str_or_null(struct pw_json *j, const char *k, const char *v)
{
	pw_json_key(j, k);
	if (v && v[0])
		pw_json_str(j, v);
	else
		pw_json_null(j);
}

static void signame_key(struct pw_json *j, int sig)
{
	char name[16];

	pw_signal_name(sig, name, sizeof(name));
	pw_json_key(j, name);
}

/* {SIGNAME: {result: n}} with only non-zero counts; which: 0 generated, 1 delivered */
static void sig_table(struct pw_json *j, const struct pw_namespace *ns, int which)
{
	pw_json_obj_begin(j);
	for (size_t i = 0; i < ns->n_sigs; i++) {
		const struct pw_sig_entry *e = &ns->sigs[i];
		const uint64_t *v = which ? e->delivered : e->generated;
		int n = which ? PWC_ACT_MAX : PWC_SIG_RESULT_MAX, any = 0;

		for (int r = 0; r < n; r++)
			any |= v[r] != 0;
		if (!any)
			continue;
		signame_key(j, e->sig);
		pw_json_obj_begin(j);
		for (int r = 0; r < n; r++)
			if (v[r])
				key_u64(j, which ? pw_sig_action_name(r) : pw_sig_result_name(r), v[r]);
		pw_json_obj_end(j);
	}
	pw_json_obj_end(j);
}

static void ignored_by_init(struct pw_json *j, const struct pw_namespace *ns)
{
	pw_json_obj_begin(j);
	for (size_t i = 0; i < ns->n_sigs; i++) {
		if (!ns->sigs[i].ignored_by_init)
			continue;
		signame_key(j, ns->sigs[i].sig);
		pw_json_u64(j, ns->sigs[i].ignored_by_init);
	}
	pw_json_obj_end(j);
}

/* exit→reap histogram: non-cumulative buckets with their upper bound in seconds */
static void dwell(struct pw_json *j, const struct pw_namespace *ns)
{

	pw_json_obj_begin(j);
	pw_json_key(j, "buckets");
	pw_json_arr_begin(j);
	for (int i = 0; i < PWC_HIST_SLOTS; i++) {
		if (!ns->dwell_hist[i])
			continue;
		pw_json_obj_begin(j);
		pw_json_key(j, "le");
		if (isinf(pw_dwell_le(i)))
			pw_json_str(j, "+Inf");
		else
			pw_json_dbl(j, pw_dwell_le(i));
		key_u64(j, "count", ns->dwell_hist[i]);
		pw_json_obj_end(j);
	}
	pw_json_arr_end(j);
	key_u64(j, "count", pw_ns_dwell_count(ns));
	pw_json_key(j, "sum");
	pw_json_dbl(j, (double)ns->dwell_sum_ns / 1e9);
	pw_json_obj_end(j);
}

static void pause_page(struct pw_json *j, const struct pause_stats *p)
{
	static const char *const flag_names[] = { "subreaper", "seccomp", "no_new_privs", "no_caps" };

	pw_json_obj_begin(j);
	pw_json_key(j, "mode");
	pw_json_str(j, p->mode == PAUSE_MODE_INIT ? "init" : "pause");
	pw_json_key(j, "pid");
	pw_json_i64(j, p->pid);
	pw_json_key(j, "child_pid");
	pw_json_i64(j, p->child_pid);
	pw_json_key(j, "start_time");
	pw_json_dbl(j, (double)p->start_time_ns / 1e9);
	key_u64(j, "reaped_total", p->reaped_total);
	pw_json_key(j, "reaped");
	pw_json_obj_begin(j);
	key_u64(j, "exit_zero", p->reaped_exit_zero);
	key_u64(j, "exit_nonzero", p->reaped_exit_nonzero);
	key_u64(j, "signaled", p->reaped_signaled);
	key_u64(j, "core_dumped", p->reaped_core_dumped);
	pw_json_obj_end(j);
	pw_json_key(j, "last_reap");
	if (p->last_reap.pid) {
		pw_json_obj_begin(j);
		pw_json_key(j, "pid");
		pw_json_i64(j, p->last_reap.pid);
		pw_json_key(j, "status");
		pw_json_i64(j, p->last_reap.status);
		pw_json_key(j, "time");
		pw_json_dbl(j, (double)p->last_reap.time_ns / 1e9);
		pw_json_obj_end(j);
	} else {
		pw_json_null(j);
	}
	pw_json_key(j, "signals");
	pw_json_obj_begin(j);
	for (int s = 1; s < PAUSE_STATS_NSIG; s++)
		if (p->signals[s]) {
			signame_key(j, s);
			pw_json_u64(j, p->signals[s]);
		}
	pw_json_obj_end(j);
	key_u64(j, "signals_forwarded", p->signals_forwarded);
	pw_json_key(j, "drain");
	pw_json_obj_begin(j);
	key_u64(j, "runs", p->drain_runs);
	key_u64(j, "sent_term", p->drain_sent_term);
	key_u64(j, "exited_on_term", p->drain_exited_on_term);
	key_u64(j, "killed", p->drain_killed);
	key_u64(j, "found", p->drain_found);
	pw_json_obj_end(j);
	pw_json_key(j, "flags");
	pw_json_arr_begin(j);
	for (unsigned i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (p->flags & (1u << i))
			pw_json_str(j, flag_names[i]);
	pw_json_arr_end(j);
	pw_json_obj_end(j);
}

static void orphans(struct pw_json *j, const struct pw_namespace *ns)
{
	key_u64(j, "orphans_total", pw_ns_orphans_total(ns));
	pw_json_key(j, "orphans_by_reaper");
	pw_json_obj_begin(j);
	for (int r = 0; r < PWC_REAPER_MAX; r++)
		key_u64(j, pw_reaper_name(r), ns->orphans[r]);
	pw_json_obj_end(j);
	key_u64(j, "orphans_already_zombie_total", ns->orphans_zombie);
	key_u64(j, "orphans_killed_with_init_total", ns->orphans_killed);
}

/* {"SIGTERM": "catch", ...} for the signals every face shows, or null */
static void dispositions(struct pw_json *j, const struct pw_namespace *ns)
{
	char name[16];

	pw_json_key(j, "init_dispositions");
	if (!ns->init_disp_known) {
		pw_json_null(j);
		return;
	}
	pw_json_obj_begin(j);
	for (int i = 0; i < PW_DISP_SIGNALS; i++) {
		pw_json_key(j, pw_signal_name(pw_disp_signals[i], name, sizeof(name)));
		pw_json_str(j, pw_disp_name(pw_ns_disposition(ns, pw_disp_signals[i])));
	}
	pw_json_obj_end(j);
	pw_json_key(j, "init_drops_sigterm");
	pw_json_boolean(j, pw_ns_init_drops_sigterm(ns));
}

/* {"current": n, "max": n or null (unlimited), "events_max": n} or null */
static void pid_pressure(struct pw_json *j, const struct pw_namespace *ns)
{
	pw_json_key(j, "pids");
	if (!ns->pids_known) {
		pw_json_null(j);
		return;
	}
	pw_json_obj_begin(j);
	key_u64(j, "current", ns->pids_current);
	pw_json_key(j, "max");
	if (ns->pids_max == PW_PIDS_UNLIMITED)
		pw_json_null(j);
	else
		pw_json_i64(j, ns->pids_max);
	key_u64(j, "events_max", ns->pids_events_max);
	pw_json_obj_end(j);
}

static void namespace(struct pw_json *j, const struct pw_namespace *ns)
{
	pw_json_obj_begin(j);
	if (ns->node[0])
		key_str_or_null(j, "node", ns->node);
	key_u64(j, "pidns", ns->pidns);
	key_u64(j, "ns_id", ns->ns_id);
	key_u64(j, "level", ns->level);
	pw_json_key(j, "alive");
	pw_json_boolean(j, ns->alive);
	pw_json_key(j, "gone_time");
	if (ns->alive)
		pw_json_null(j);
	else
		pw_json_dbl(j, ns->gone_time);
	pw_json_key(j, "init_pid");
	pw_json_i64(j, ns->init_pid);
	key_str_or_null(j, "init_comm", ns->init_comm);
	key_str_or_null(j, "init_cmdline", ns->init_cmdline);
	key_str_or_null(j, "hostname", ns->hostname);
	key_str_or_null(j, "container_id", ns->container_id);
	key_str_or_null(j, "runtime", ns->runtime);
	key_str_or_null(j, "pod_uid", ns->pod_uid);
	key_u64(j, "processes", ns->processes);
	key_u64(j, "zombies", ns->zombies);
	pw_json_key(j, "oldest_zombie_age_seconds");
	if (ns->oldest_zombie_age_s >= 0)
		pw_json_dbl(j, ns->oldest_zombie_age_s);
	else
		pw_json_null(j);
	pw_json_key(j, "oldest_zombie_age_is_lower_bound");
	pw_json_boolean(j, ns->oldest_age_is_lower_bound);
	dispositions(j, ns);
	pid_pressure(j, ns);
	key_u64(j, "exits_total", ns->exits);
	key_u64(j, "zombie_exits_total", ns->zombie_exits);
	key_u64(j, "reaped_total", ns->reaped);
	key_u64(j, "autoreaped_total", ns->autoreaped);
	orphans(j, ns);
	pw_json_key(j, "zombie_dwell_seconds");
	dwell(j, ns);
	pw_json_key(j, "signals_generated");
	sig_table(j, ns, 0);
	pw_json_key(j, "signals_delivered");
	sig_table(j, ns, 1);
	pw_json_key(j, "signals_ignored_by_init");
	ignored_by_init(j, ns);
	pw_json_key(j, "pause");
	if (ns->has_pause)
		pause_page(j, &ns->pause);
	else
		pw_json_null(j);
	if (ns->pause_error[0])
		key_str_or_null(j, "pause_error", ns->pause_error);
	pw_json_obj_end(j);
}

static void zombie(struct pw_json *j, const struct pw_zombie *z)
{
	pw_json_obj_begin(j);
	if (z->node[0])
		key_str_or_null(j, "node", z->node);
	pw_json_key(j, "pid");
	pw_json_i64(j, z->pid);
	pw_json_key(j, "pid_in_ns");
	pw_json_i64(j, z->pid_in_ns);
	key_u64(j, "pidns", z->pidns);
	pw_json_key(j, "comm");
	pw_json_str(j, z->comm);
	pw_json_key(j, "ppid");
	pw_json_i64(j, z->ppid);
	pw_json_key(j, "parent_comm");
	pw_json_str(j, z->parent_comm);
	pw_json_key(j, "age_seconds");
	pw_json_dbl(j, z->age_s);
	pw_json_key(j, "age_is_lower_bound");
	pw_json_boolean(j, z->age_is_lower_bound);
	if (z->age_is_lower_bound) {
		pw_json_key(j, "age_upper_bound_seconds");
		pw_json_dbl(j, z->age_upper_bound_s);
	}
	if (z->exit_signal) {
		char name[16];

		pw_signal_name(z->exit_signal, name, sizeof(name));
		pw_json_key(j, "exit_signal");
		pw_json_str(j, name);
		pw_json_key(j, "core_dumped");
		pw_json_boolean(j, z->core_dumped);
	} else {
		pw_json_key(j, "exit_code");
		pw_json_i64(j, z->exit_code);
	}
	pw_json_obj_end(j);
}

static void collector_self(struct pw_json *j, const struct pw_self *self)
{
	pw_json_obj_begin(j);
	pw_json_key(j, "exit_variant");
	pw_json_str(j, self->exit_variant ? self->exit_variant : "");
	pw_json_key(j, "attach");
	pw_json_str(j, self->attach ? self->attach : "");
	pw_json_key(j, "walk");
	pw_json_str(j, self->walk ? self->walk : "");
	pw_json_key(j, "bpf_stats_enabled");
	pw_json_boolean(j, self->bpf_stats_enabled);
	pw_json_key(j, "bpf_run_time_ns");
	if (self->bpf_stats_enabled)
		pw_json_u64(j, self->prog_run_ns);
	else
		pw_json_null(j);
	pw_json_key(j, "bpf_run_count");
	if (self->bpf_stats_enabled)
		pw_json_u64(j, self->prog_run_cnt);
	else
		pw_json_null(j);
	pw_json_key(j, "snapshot_seconds");
	pw_json_dbl(j, self->snapshot_seconds);
	pw_json_key(j, "uptime_seconds");
	pw_json_dbl(j, self->uptime_seconds);
	pw_json_key(j, "cpu_seconds");
	pw_json_dbl(j, self->cpu_seconds);
	pw_json_key(j, "keep_gone_seconds");
	pw_json_dbl(j, self->keep_gone_seconds);
	pw_json_obj_end(j);
}

/* Node-wide values, from the one place that derives them (snapshot.c). */
static void totals(struct pw_json *j, const struct pw_snapshot *s)
{
	struct pw_totals t;

	pw_snapshot_totals(s, &t);
	pw_json_obj_begin(j);
	key_u64(j, "namespaces", t.namespaces);
	key_u64(j, "alive", t.alive);
	key_u64(j, "gone", t.gone);
	key_u64(j, "processes", t.processes);
	key_u64(j, "zombies", t.zombies);
	pw_json_key(j, "oldest_zombie_age_seconds");
	if (t.oldest_zombie_age_s >= 0)
		pw_json_dbl(j, t.oldest_zombie_age_s);
	else
		pw_json_null(j);
	key_u64(j, "inits_dropping_sigterm", t.inits_dropping_sigterm);
	key_u64(j, "sigterm_ignored_by_init", t.sigterm_ignored_by_init);
	pw_json_key(j, "worst_pids_ratio");
	if (t.worst_pids_ratio >= 0)
		pw_json_dbl(j, t.worst_pids_ratio);
	else
		pw_json_null(j);
	pw_json_key(j, "worst_pids_pidns");
	if (t.worst_pids)
		pw_json_u64(j, t.worst_pids->pidns);
	else
		pw_json_null(j);
	key_u64(j, "drops", t.drops);
	pw_json_obj_end(j);
}

int pw_face_json(FILE *f, const struct pw_snapshot *s, bool pretty)
{
	struct pw_json j;

	pw_json_init(&j, f);
	pw_json_set_compact(&j, !pretty);
	pw_json_obj_begin(&j);
	pw_json_key(&j, "time");
	pw_json_dbl(&j, s->time);
	pw_json_key(&j, "namespaces");
	pw_json_arr_begin(&j);
	for (size_t i = 0; i < s->n_ns; i++)
		namespace(&j, &s->ns[i]);
	pw_json_arr_end(&j);
	pw_json_key(&j, "zombies");
	pw_json_arr_begin(&j);
	for (size_t i = 0; i < s->n_zombies; i++)
		zombie(&j, &s->zombies[i]);
	pw_json_arr_end(&j);
	pw_json_key(&j, "dropped");
	pw_json_obj_begin(&j);
	for (int i = 0; i < PWC_DROP_MAX; i++)
		key_u64(&j, pw_drop_name(i), s->self.drops[i]);
	pw_json_obj_end(&j);
	pw_json_key(&j, "recovered");
	pw_json_obj_begin(&j);
	for (int i = 0; i < PWC_RECOVERED_MAX; i++)
		key_u64(&j, pw_recovered_name(i), s->self.recovered[i]);
	pw_json_obj_end(&j);
	pw_json_key(&j, "totals");
	totals(&j, s);
	pw_json_key(&j, "collector");
	collector_self(&j, &s->self);
	pw_json_obj_end(&j);
	return pw_json_finish(&j);
}
