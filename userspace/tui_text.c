// SPDX-License-Identifier: Apache-2.0
/*
 * tui_text.c — the live view's text beyond the table (tui_model.h): node
 * totals, the status line, a namespace's drill-down, the help screen and the
 * zombie sparkline.  Pure functions over the model; values from snapshot.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textsafe.h"
#include "tui_model.h"

/* ---- segments -------------------------------------------------------- */

void tui_lines_free(struct tui_lines *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->l[i].text);
	free(t->l);
	memset(t, 0, sizeof(*t));
}

static void add_seg(struct tui_lines *t, enum tui_tone tone, bool join, const char *fmt,
		    va_list ap)
{
	char *text;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 32;
		void *l = realloc(t->l, cap * sizeof(*t->l));

		if (!l) {
			t->oom = true;
			return;
		}
		t->l = l;
		t->cap = cap;
	}
	if (vasprintf(&text, fmt, ap) < 0) {
		t->oom = true;
		return;
	}
	join = join && t->n > 0;
	t->l[t->n].text = text;
	t->l[t->n].tone = tone;
	t->l[t->n].join = join;
	t->n++;
	t->lines += !join;
}

void tui_linef(struct tui_lines *t, enum tui_tone tone, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_seg(t, tone, false, fmt, ap);
	va_end(ap);
}

void tui_joinf(struct tui_lines *t, enum tui_tone tone, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_seg(t, tone, true, fmt, ap);
	va_end(ap);
}

size_t tui_line_first(const struct tui_lines *t, size_t line)
{
	size_t seen = 0;

	for (size_t i = 0; i < t->n; i++)
		if (!t->l[i].join && seen++ == line)
			return i;
	return t->n;
}

size_t tui_line_text(const struct tui_lines *t, size_t line, char *buf, size_t len)
{
	size_t i = tui_line_first(t, line), o = 0, segs = 0;

	if (len)
		buf[0] = '\0';
	for (; i < t->n && (segs == 0 || t->l[i].join); i++, segs++)
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s", t->l[i].text);
	return segs;
}

/* ---- header ---------------------------------------------------------- */

static enum tui_tone age_tone(double age)
{
	return age >= TUI_AGE_ALERT_S ? TONE_ALERT : age >= TUI_AGE_WARN_S ? TONE_WARN : TONE_NORMAL;
}

static enum tui_tone pids_tone(double ratio)
{
	return ratio >= TUI_PIDS_ALERT ? TONE_ALERT : ratio >= TUI_PIDS_WARN ? TONE_WARN : TONE_NORMAL;
}

/* Where a namespace is, for a header: its hostname, else "pidns N"; "node/..." in a cluster. */
static void where(const struct tui_model *m, const struct pw_namespace *ns, char *buf, size_t len)
{
	char host[96], node[80];

	if (ns->hostname[0])
		tui_safe(m, host, sizeof(host), ns->hostname, 24);
	else
		snprintf(host, sizeof(host), "pidns %u", ns->pidns);
	if (m->cluster && ns->node[0]) {
		tui_safe(m, node, sizeof(node), ns->node, 20);
		snprintf(buf, len, "%s/%s", node, host);
	} else {
		snprintf(buf, len, "%s", host);
	}
}

/*
 * pausetop's own CPU between the last two snapshots; -1 before the second
 * (since start it would count loading the BPF programs, not the steady cost).
 */
static double own_cpu_percent(const struct pw_snapshot *s, const struct pw_snapshot *prev)
{
	double dt = prev ? s->time - prev->time : 0;

	if (prev && dt > 0 && s->self.cpu_seconds >= prev->self.cpu_seconds)
		return 100 * (s->self.cpu_seconds - prev->self.cpu_seconds) / dt;
	return -1;
}

static void header_zombies(const struct tui_model *m, const struct pw_totals *t,
			   struct tui_lines *out)
{
	char age[32], w[200];

	if (m->cluster)
		tui_linef(out, TONE_NORMAL, "%zu nodes, %zu namespaces (%zu gone), %llu zombies, oldest ",
			  t->nodes, t->namespaces, t->gone, (unsigned long long)t->zombies);
	else
		tui_linef(out, TONE_NORMAL, "%zu namespaces (%zu gone), %llu zombies, oldest ",
			  t->namespaces, t->gone, (unsigned long long)t->zombies);
	tui_fmt_age(age, sizeof(age), t->oldest_zombie_age_s, t->oldest_is_lower_bound);
	tui_joinf(out, t->oldest_ns ? age_tone(t->oldest_zombie_age_s) : TONE_NORMAL, "%s", age);
	if (t->oldest_ns) {
		where(m, t->oldest_ns, w, sizeof(w));
		tui_joinf(out, TONE_NORMAL, " in %s", w);
	}
}

static void header_rates(const struct pw_rates *r, struct tui_lines *out)
{
	char e[16], p[16], o[16], g[16];

	tui_fmt_rate(e, sizeof(e), r->exits, r->valid);
	tui_fmt_rate(p, sizeof(p), r->reaped, r->valid);
	tui_fmt_rate(o, sizeof(o), r->orphans, r->valid);
	tui_fmt_rate(g, sizeof(g), r->signals, r->valid);
	tui_linef(out, TONE_NORMAL, "per second: %s exits, %s reaps, %s orphans, %s signals", e, p, o,
		  g);
}

static void header_sigterm(const struct pw_totals *t, struct tui_lines *out)
{
	tui_linef(out, TONE_NORMAL, "SIGTERM: ");
	tui_joinf(out, t->sigterm_ignored_by_init ? TONE_ALERT : TONE_NORMAL, "%llu ignored by inits",
		  (unsigned long long)t->sigterm_ignored_by_init);
	tui_joinf(out, TONE_NORMAL, ", ");
	tui_joinf(out, t->inits_dropping_sigterm ? TONE_WARN : TONE_NORMAL,
		  "%zu init%s would drop it", t->inits_dropping_sigterm,
		  t->inits_dropping_sigterm == 1 ? "" : "s");
	tui_joinf(out, TONE_NORMAL, "; ");
	tui_joinf(out, t->drops ? TONE_ALERT : TONE_NORMAL, "collector drops %llu",
		  (unsigned long long)t->drops);
}

static void header_pids(const struct tui_model *m, const struct pw_totals *t,
			struct tui_lines *out)
{
	const struct pw_snapshot *s = m->snap;
	double cpu = own_cpu_percent(s, m->prev);
	char p[48], w[200];

	tui_linef(out, TONE_NORMAL, "PID pressure: ");
	if (t->worst_pids) {
		pw_fmt_pids(p, sizeof(p), t->worst_pids);
		where(m, t->worst_pids, w, sizeof(w));
		tui_joinf(out, pids_tone(t->worst_pids_ratio), "%s (%.0f%%)", p,
			  100 * t->worst_pids_ratio);
		tui_joinf(out, TONE_NORMAL, " in %s", w);
	} else {
		tui_joinf(out, TONE_NORMAL, "no pids limit seen");
	}
	if (cpu >= 0)
		tui_joinf(out, TONE_NORMAL, "; pausetop: %.1f ms per snapshot, %.1f%% CPU",
			  s->self.snapshot_seconds * 1e3, cpu);
	else
		tui_joinf(out, TONE_NORMAL, "; pausetop: %.1f ms per snapshot",
			  s->self.snapshot_seconds * 1e3);
}

void tui_header(const struct tui_model *m, int width, struct tui_lines *out)
{
	(void)width;	/* the drawer cuts each line at the screen's edge */
	if (!m->snap) {
		tui_linef(out, TONE_NORMAL, "waiting for the first snapshot");
		return;
	}
	header_zombies(m, &m->totals, out);
	header_rates(&m->rates, out);
	header_sigterm(&m->totals, out);
	header_pids(m, &m->totals, out);
}

void tui_status(const struct tui_model *m, double delay, bool paused, int width, char *buf,
		size_t len)
{
	char filt[TUI_FILTER_MAX + 48] = "";
	size_t total = m->snap ? m->snap->n_ns : 0;

	(void)width;	/* the drawer cuts it at the screen's edge */
	if (m->filter[0] || m->hide_gone)
		snprintf(filt, sizeof(filt), " |%s%s%s%s: %zu of %zu", m->filter[0] ? " filter '" : "",
			 m->filter, m->filter[0] ? "'" : "", m->hide_gone ? " gone hidden" : "",
			 m->n_rows, total);
	snprintf(buf, len, "sort %s %s%s | every %gs%s | Enter details  / filter  < > sort  ? help  q quit",
		 tui_col_label(m->sort),
		 tui_col_descending(m->sort) != m->reverse ? "(most first)" : "(least first)", filt,
		 delay, paused ? " | PAUSED (space)" : "");
}

/* ---- sparkline ------------------------------------------------------- */

void tui_sparkline(const struct tui_hist *h, int width, bool ascii, char *buf, size_t len)
{
	static const char *const blocks[8] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char steps[] = "_.:-=+*#";
	uint32_t max = 0;
	size_t o = 0, first;

	if (len)
		buf[0] = '\0';
	if (!h || !h->n || width <= 0)
		return;
	first = h->n > (uint32_t)width ? h->n - (uint32_t)width : 0;
	for (size_t i = first; i < h->n; i++)
		max = h->v[i] > max ? h->v[i] : max;
	for (size_t i = first; i < h->n && o + 4 < len; i++) {
		/* rounded up: any zombie at all is at least the second step */
		int lvl = max ? (int)(((uint64_t)h->v[i] * 7 + max - 1) / max) : 0;

		if (ascii)
			buf[o++] = steps[lvl];
		else
			o += (size_t)snprintf(buf + o, len - o, "%s", blocks[lvl]);
	}
	buf[o] = '\0';
}

/* ---- drill-down ------------------------------------------------------ */

static const struct pw_namespace *find_key(const struct tui_model *m, const struct tui_key *k)
{
	if (!m->snap)
		return NULL;
	for (size_t i = 0; i < m->snap->n_ns; i++) {
		const struct pw_namespace *ns = &m->snap->ns[i];

		if (ns->pidns == k->pidns && ns->ns_id == k->ns_id && !strcmp(ns->node, k->node))
			return ns;
	}
	return NULL;
}

static void detail_identity(const struct tui_model *m, const struct pw_namespace *ns,
			    struct tui_lines *out)
{
	char a[256], b[256], c[96];

	if (ns->node[0]) {
		tui_safe(m, a, sizeof(a), ns->node, 0);
		tui_linef(out, TONE_TITLE, "node %s, ", a);
		tui_joinf(out, TONE_TITLE, "pidns %u (level %u)", ns->pidns, ns->level);
	} else {
		tui_linef(out, TONE_TITLE, "pidns %u (level %u)", ns->pidns, ns->level);
	}
	if (ns->alive)
		tui_joinf(out, TONE_TITLE, ", alive");
	else
		tui_joinf(out, TONE_DIM, ", gone %.0f s ago: final values",
			  m->snap->time - ns->gone_time);
	tui_safe(m, a, sizeof(a), ns->init_comm, 0);
	tui_safe(m, b, sizeof(b), ns->init_cmdline[0] ? ns->init_cmdline : "-", 120);
	tui_linef(out, TONE_NORMAL, "init: pid %d, comm %s, cmdline %s", ns->init_pid,
		  a[0] ? a : "?", b);
	tui_safe(m, a, sizeof(a), ns->hostname[0] ? ns->hostname : "-", 0);
	tui_safe(m, b, sizeof(b), ns->container_id[0] ? ns->container_id : "-", 0);
	tui_safe(m, c, sizeof(c), ns->runtime[0] ? ns->runtime : "-", 0);
	tui_linef(out, TONE_NORMAL, "host/pod: %s   container: %s (%s)", a, b, c);
	if (ns->pod_uid[0]) {
		tui_safe(m, a, sizeof(a), ns->pod_uid, 0);
		tui_joinf(out, TONE_NORMAL, "   pod uid: %s", a);
	}
}

static void detail_state(const struct tui_model *m, const struct pw_namespace *ns,
			 struct tui_lines *out)
{
	char age[32], p[48];

	tui_fmt_age(age, sizeof(age), ns->oldest_zombie_age_s, ns->oldest_age_is_lower_bound);
	tui_linef(out, TONE_NORMAL, "zombies: %llu now, oldest ", (unsigned long long)ns->zombies);
	tui_joinf(out, ns->oldest_zombie_age_s >= 0 ? age_tone(ns->oldest_zombie_age_s) : TONE_NORMAL,
		  "%s", age);
	tui_joinf(out, TONE_NORMAL, "; processes %llu", (unsigned long long)ns->processes);
	tui_linef(out, TONE_NORMAL, "PIDs: ");
	if (!ns->pids_known) {
		tui_joinf(out, TONE_NORMAL, "no pids cgroup readable");
	} else {
		pw_fmt_pids(p, sizeof(p), ns);
		if (ns->pids_max == PW_PIDS_UNLIMITED)
			tui_joinf(out, TONE_NORMAL, "%s (no limit)", p);
		else
			tui_joinf(out, pids_tone(pw_ns_pids_ratio(ns)), "%s (%.0f%%)", p,
				  100 * pw_ns_pids_ratio(ns));
		tui_joinf(out, ns->pids_events_max ? TONE_ALERT : TONE_NORMAL,
			  ", %llu forks refused at the limit", (unsigned long long)ns->pids_events_max);
	}
	(void)m;
}

static void detail_dispositions(const struct pw_namespace *ns, struct tui_lines *out)
{
	char name[16];

	tui_linef(out, TONE_NORMAL, "init dispositions:");
	for (int i = 0; i < PW_DISP_SIGNALS; i++) {
		int sig = pw_disp_signals[i];
		enum pw_disp d = pw_ns_disposition(ns, sig);

		pw_signal_name(sig, name, sizeof(name));
		tui_joinf(out, sig == 15 && pw_ns_init_drops_sigterm(ns) ? TONE_ALERT : TONE_NORMAL,
			  " %s %s", name, pw_disp_name(d));
		if (i + 1 < PW_DISP_SIGNALS)
			tui_joinf(out, TONE_NORMAL, ",");
	}
	if (pw_ns_init_drops_sigterm(ns))
		tui_linef(out, TONE_ALERT,
			  "the init neither handles nor blocks SIGTERM: the kernel drops it, a stop waits out its grace period");
}

static void detail_counters(const struct pw_namespace *ns, struct tui_lines *out)
{
	tui_linef(out, TONE_NORMAL,
		  "since pausetop started: %llu exits (%llu left a zombie), %llu reaped, %llu autoreaped",
		  (unsigned long long)ns->exits, (unsigned long long)ns->zombie_exits,
		  (unsigned long long)ns->reaped, (unsigned long long)ns->autoreaped);
	tui_linef(out, TONE_NORMAL, "orphans adopted by reaper:");
	for (int r = 0; r < PWC_REAPER_MAX; r++)
		tui_joinf(out, TONE_NORMAL, " %s %llu%s", pw_reaper_name(r),
			  (unsigned long long)ns->orphans[r], r + 1 < PWC_REAPER_MAX ? "," : "");
	tui_joinf(out, TONE_NORMAL, "; already zombies %llu, killed with the init %llu",
		  (unsigned long long)ns->orphans_zombie, (unsigned long long)ns->orphans_killed);
	if (ns->has_pause) {
		const struct pause_stats *p = &ns->pause;

		tui_linef(out, TONE_NORMAL,
			  "pause: reaped %llu (exit 0: %llu, exit 1-255: %llu, signaled: %llu, core dumped: %llu), signals forwarded %llu",
			  (unsigned long long)p->reaped_total, (unsigned long long)p->reaped_exit_zero,
			  (unsigned long long)p->reaped_exit_nonzero,
			  (unsigned long long)p->reaped_signaled,
			  (unsigned long long)p->reaped_core_dumped,
			  (unsigned long long)p->signals_forwarded);
	}
	if (ns->pause_error[0]) {
		char e[160];

		pw_text_safe(e, sizeof(e), ns->pause_error, sizeof(ns->pause_error), 100);
		tui_linef(out, TONE_WARN, "pause counters page rejected: %s", e);
	}
}

static void detail_signals(const struct pw_namespace *ns, struct tui_lines *out)
{
	char name[16];

	if (!ns->n_sigs) {
		tui_linef(out, TONE_NORMAL, "signals: none since pausetop started");
		return;
	}
	tui_linef(out, TONE_TITLE, "%-17s %10s %10s %10s %10s %10s %12s", "signals by result",
		  "delivered", "ignored", "pending", "overflow", "lose_info", "init ignored");
	for (size_t i = 0; i < ns->n_sigs; i++) {
		const struct pw_sig_entry *e = &ns->sigs[i];

		pw_signal_name(e->sig, name, sizeof(name));
		tui_linef(out, TONE_NORMAL, "%-17s %10llu %10llu %10llu %10llu %10llu ", name,
			  (unsigned long long)e->generated[PWC_SIG_DELIVERED],
			  (unsigned long long)e->generated[PWC_SIG_IGNORED],
			  (unsigned long long)e->generated[PWC_SIG_ALREADY_PENDING],
			  (unsigned long long)e->generated[PWC_SIG_OVERFLOW],
			  (unsigned long long)e->generated[PWC_SIG_LOSE_INFO]);
		tui_joinf(out, e->ignored_by_init ? TONE_ALERT : TONE_NORMAL, "%12llu",
			  (unsigned long long)e->ignored_by_init);
	}
}

static void zombie_status(const struct pw_zombie *z, char *buf, size_t len)
{
	char name[16];

	if (z->exit_signal) {
		pw_signal_name(z->exit_signal, name, sizeof(name));
		snprintf(buf, len, "%s%s", name, z->core_dumped ? " (core)" : "");
	} else {
		snprintf(buf, len, "exit %d", z->exit_code);
	}
}

static void detail_zombies(const struct tui_model *m, const struct pw_namespace *ns,
			   struct tui_lines *out)
{
	const struct pw_snapshot *s = m->snap;
	size_t listed = pw_ns_zombie_rows(s, ns);

	tui_linef(out, TONE_TITLE, "zombies: %llu, %zu listed", (unsigned long long)ns->zombies, listed);
	if (!listed)
		return;
	tui_linef(out, TONE_TITLE, "%8s %8s %-16s %8s %-16s %8s  %s", "PID", "NSPID", "COMM", "PPID",
		  "PARENT", "AGE", "STATUS");
	for (size_t i = 0; i < s->n_zombies; i++) {
		const struct pw_zombie *z = &s->zombies[i];
		char comm[80], parent[80], age[32], st[32];

		if (z->pidns != ns->pidns || z->ns_id != ns->ns_id || strcmp(z->node, ns->node))
			continue;
		tui_safe(m, comm, sizeof(comm), z->comm, 16);
		tui_safe(m, parent, sizeof(parent), z->parent_comm, 16);
		if (z->age_is_lower_bound)	/* exited before pausetop started */
			snprintf(age, sizeof(age), "<=%.0fs", z->age_upper_bound_s);
		else
			tui_fmt_age(age, sizeof(age), z->age_s, false);
		zombie_status(z, st, sizeof(st));
		tui_linef(out, TONE_NORMAL, "%8d %8d %s%*s %8d %s%*s ", z->pid, z->pid_in_ns, comm,
			  16 - pw_text_cols(comm), "", z->ppid, parent, 16 - pw_text_cols(parent), "");
		tui_joinf(out, z->age_is_lower_bound ? TONE_NORMAL : age_tone(z->age_s), "%8s", age);
		tui_joinf(out, TONE_NORMAL, "  %s", st);
	}
}

void tui_detail(const struct tui_model *m, const struct tui_key *k, int width,
		struct tui_lines *out)
{
	const struct pw_namespace *ns = find_key(m, k);
	int spark_w = width - 40 > 10 ? width - 40 : 10;
	char spark[4 * TUI_HIST + 8];
	const struct tui_hist *h;
	uint32_t max = 0;

	if (!ns) {
		tui_linef(out, TONE_WARN,
			  "pidns %u is no longer reported (gone longer than --keep-gone); Esc goes back",
			  k->pidns);
		return;
	}
	detail_identity(m, ns, out);
	detail_state(m, ns, out);
	detail_dispositions(ns, out);
	detail_counters(ns, out);
	h = tui_hist_of(m, k);
	tui_sparkline(h, spark_w, m->ascii, spark, sizeof(spark));
	for (uint32_t i = 0; h && i < h->n; i++)
		max = h->v[i] > max ? h->v[i] : max;
	tui_linef(out, TONE_NORMAL, "zombies over the last %u snapshots (max %u): %s",
		  h ? (h->n < (uint32_t)spark_w ? h->n : (uint32_t)spark_w) : 0, max, spark);
	detail_signals(ns, out);
	detail_zombies(m, ns, out);
}

void tui_help(struct tui_lines *out)
{
	static const char *const keys[] = {
		"Up/Down, j/k    move the selection (PgUp/PgDn, Home/End)",
		"Enter           drill into the namespace: zombies, orphans, signals, dispositions",
		"Esc             back to the table",
		"< >             sort by the column to the left / right; r reverses",
		"/               filter on hostname, init comm and container id; Esc clears",
		"x               hide / show gone namespaces (kept --keep-gone seconds)",
		"d               change the delay between snapshots",
		"space           pause / resume",
		"?               this help; q quits",
	};

	tui_linef(out, TONE_TITLE, "pausetop live view: keys");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		tui_linef(out, TONE_NORMAL, "  %s", keys[i]);
	tui_linef(out, TONE_TITLE, "columns");
	tui_linef(out, TONE_NORMAL, "  ZOMB zombies now; OLDEST the oldest one's age; EXIT/s REAP/s ORPH/s per second;");
	tui_linef(out, TONE_NORMAL, "  IGN signals the init ignored; TERM? does the init take SIGTERM (handler or signalfd);");
	tui_linef(out, TONE_NORMAL, "  PIDS pids.current/pids.max of its pids cgroup; PAUSE reaps counted by our pause");
	tui_linef(out, TONE_TITLE, "colours (NO_COLOR turns them off)");
	tui_linef(out, TONE_WARN, "  yellow: a zombie older than %.0f s, PIDs at %.0f%% of the limit", TUI_AGE_WARN_S,
		  100 * TUI_PIDS_WARN);
	tui_linef(out, TONE_ALERT, "  red: a zombie older than %.0f s, PIDs at %.0f%%, SIGTERM dropped by the init",
		  TUI_AGE_ALERT_S, 100 * TUI_PIDS_ALERT);
	tui_linef(out, TONE_DIM, "  dim: a gone namespace, final values (kept --keep-gone seconds)");
	tui_linef(out, TONE_NORMAL, "press any key");
}
