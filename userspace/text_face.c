// SPDX-License-Identifier: Apache-2.0
/* text_face.c — a snapshot as a plain table (pausetop batch mode, like top -b). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "faces.h"
#include "textsafe.h"

static void age(char *buf, size_t len, double s, bool lower_bound)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 120)
		snprintf(buf, len, "%s%.1fs", lower_bound ? ">" : "", s);
	else if (s < 7200)
		snprintf(buf, len, "%s%.0fm", lower_bound ? ">" : "", s / 60);
	else
		snprintf(buf, len, "%s%.1fh", lower_bound ? ">" : "", s / 3600);
}

/* Does the init handle SIGTERM: "yes", "NO" (a stop will wait out its grace), "?" */
static const char *term_handled(const struct pw_namespace *ns)
{
	enum pw_disp d = pw_ns_disposition(ns, 15);

	return d == PW_DISP_CATCH || d == PW_DISP_BLOCKED ? "yes" : d == PW_DISP_UNKNOWN ? "?" : "NO";
}

static void header(FILE *f, const struct pw_snapshot *s, const struct pw_snapshot *prev)
{
	struct pw_totals t;
	struct pw_rates r;
	char oldest[16];

	pw_snapshot_totals(s, &t);
	pw_snapshot_rates(s, prev, &r);
	age(oldest, sizeof(oldest), t.oldest_zombie_age_s, t.oldest_is_lower_bound);
	fprintf(f, "pausetop: %zu pid namespaces (%zu gone), %llu zombies, oldest %s, "
		"exit tracepoint %s (%s)\n", t.namespaces, t.gone,
		(unsigned long long)t.zombies, oldest, s->self.exit_variant ? s->self.exit_variant : "-",
		s->self.attach ? s->self.attach : "-");
	if (r.valid)
		fprintf(f, "rates/s: exits %.1f, reaps %.1f, orphans %.1f, signals %.1f; ",
			r.exits, r.reaped, r.orphans, r.signals);
	fprintf(f, "inits that drop SIGTERM %zu, SIGTERMs ignored by inits %llu, drops %llu\n",
		t.inits_dropping_sigterm, (unsigned long long)t.sigterm_ignored_by_init,
		(unsigned long long)t.drops);
}

/* Cluster view (pausetop --prometheus): rows carry a node, shown first. */
static bool has_nodes(const struct pw_snapshot *s)
{
	for (size_t i = 0; i < s->n_ns; i++)
		if (s->ns[i].node[0])
			return true;
	return false;
}

static void node_field(FILE *f, const char *node, bool nodes)
{
	if (!nodes)
		return;
	pw_text_field(f, node[0] ? node : "-", 16, false);
	fputc(' ', f);
}

static void ns_row(FILE *f, const struct pw_namespace *ns, bool nodes)
{
	char oldest[16], p[32], pause[24];

	age(oldest, sizeof(oldest), ns->oldest_zombie_age_s, ns->oldest_age_is_lower_bound);
	pw_fmt_pids(p, sizeof(p), ns);
	if (ns->has_pause)
		snprintf(pause, sizeof(pause), "%llu", (unsigned long long)ns->pause.reaped_total);
	else
		snprintf(pause, sizeof(pause), "-");
	node_field(f, ns->node, nodes);
	fprintf(f, "%-10u %3u %8d ", ns->pidns, ns->level, ns->init_pid);
	pw_text_field(f, ns->init_comm[0] ? ns->init_comm : "?", 15, false);
	fputc(' ', f);
	pw_text_field(f, ns->hostname[0] ? ns->hostname : "-", 20, false);
	fprintf(f, " %7llu %7s %8llu %8llu %8llu %8llu %6llu %4s %11s %6s%s\n",
		(unsigned long long)ns->zombies, oldest, (unsigned long long)ns->exits,
		(unsigned long long)ns->reaped, (unsigned long long)ns->autoreaped,
		(unsigned long long)pw_ns_orphans_total(ns),
		(unsigned long long)pw_ns_ignored_by_init_total(ns), term_handled(ns), p, pause,
		ns->alive ? "" : "  (gone)");
}

static void zombie_row(FILE *f, const struct pw_zombie *z, bool nodes)
{
	char a[16], st[24];

	if (z->age_is_lower_bound)	/* exited before we started: at most its lifetime */
		snprintf(a, sizeof(a), "<=%.0fs", z->age_upper_bound_s);
	else
		age(a, sizeof(a), z->age_s, false);
	if (z->exit_signal) {
		char name[16];

		pw_signal_name(z->exit_signal, name, sizeof(name));
		snprintf(st, sizeof(st), "%s%s", name, z->core_dumped ? " (core)" : "");
	} else {
		snprintf(st, sizeof(st), "exit %d", z->exit_code);
	}
	node_field(f, z->node, nodes);
	fprintf(f, "%8d %8d %-10u ", z->pid, z->pid_in_ns, z->pidns);
	pw_text_field(f, z->comm, 16, false);
	fprintf(f, " %8d ", z->ppid);
	pw_text_field(f, z->parent_comm, 16, false);
	fprintf(f, " %8s %s\n", a, st);
}

int pw_face_text(FILE *f, const struct pw_snapshot *s, const struct pw_snapshot *prev)
{
	bool nodes = has_nodes(s);

	header(f, s, prev);
	if (nodes)
		fprintf(f, "%-16s ", "NODE");
	fprintf(f, "%-10s %3s %8s %-15s %-20s %7s %7s %8s %8s %8s %8s %6s %4s %11s %6s\n", "PIDNS",
		"LVL", "INIT", "COMM", "HOSTNAME", "ZOMBIE", "OLDEST", "EXITS", "REAPED", "AUTOREAP",
		"ORPHANS", "IGNINIT", "TERM", "PIDS", "PAUSE");
	for (size_t i = 0; i < s->n_ns; i++)
		ns_row(f, &s->ns[i], nodes);
	if (s->n_zombies) {
		fprintf(f, "\n%s%8s %8s %-10s %-16s %8s %-16s %8s %s\n",
			nodes ? "NODE             " : "", "PID", "NSPID", "PIDNS", "COMM",
			"PPID", "PARENT", "AGE", "STATUS");
		for (size_t i = 0; i < s->n_zombies; i++)
			zombie_row(f, &s->zombies[i], nodes);
		if (s->self.zombies_unlisted)
			fprintf(f, "(%llu more zombies not listed: raise --max-zombies)\n",
				(unsigned long long)s->self.zombies_unlisted);
	}
	if (fflush(f) == EOF || ferror(f))
		return -(errno ? errno : EIO);
	return 0;
}
